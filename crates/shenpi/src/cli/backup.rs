//! `shenpi backup` and `shenpi restore` for the embedded SQLite store. PostgreSQL is backed up
//! with its own tools (docs/OPERATIONS.md).

use super::open_app;
use crate::config::Config;
use shenpi_store_sql::{SQLITE_FILE, SqlStore};
use std::path::{Path, PathBuf};

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<u64> {
    let mut n = 0;
    if !from.exists() {
        return Ok(0);
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            n += copy_tree(&entry.path(), &target)?;
        } else if !target.exists() {
            std::fs::copy(entry.path(), &target)?;
            n += 1;
        }
    }
    Ok(n)
}

pub async fn backup(cfg: &Config, out: &PathBuf) -> Result<(), String> {
    if cfg.database_url.is_some() {
        return Err("PostgreSQL: use pg_dump / pg_basebackup (see docs/OPERATIONS.md)".into());
    }
    if out.exists() {
        return Err(format!(
            "{} already exists; choose a new directory",
            out.display()
        ));
    }
    let app = open_app(cfg).await?;
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    // The database first (a consistent snapshot); blobs are immutable and content-addressed, so
    // every blob the snapshot refers to already exists when the copy below runs.
    app.store
        .backup_to(&out.join(SQLITE_FILE))
        .await
        .map_err(|e| e.to_string())?;
    let files =
        copy_tree(&cfg.data_dir().join("blobs"), &out.join("blobs")).map_err(|e| e.to_string())?;
    println!(
        "备份完成 / backup written to {} (database + {files} files)",
        out.display()
    );
    Ok(())
}

pub async fn restore(cfg: &Config, from: &Path, force: bool) -> Result<(), String> {
    if cfg.database_url.is_some() {
        return Err("PostgreSQL: use pg_restore (see docs/OPERATIONS.md)".into());
    }
    let src = from.join(SQLITE_FILE);
    if !src.exists() {
        return Err(format!(
            "{} is not a shenpi backup (no {SQLITE_FILE})",
            from.display()
        ));
    }
    let dir = cfg.data_dir();
    let dest = SqlStore::sqlite_path(&dir);
    if dest.exists() && !force {
        return Err(format!(
            "{} exists; stop the server and pass --force to replace it",
            dest.display()
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    // Copy and flush the backup first; only then drop the live WAL and swap the file in, so a
    // failed copy (a full disk) never costs the current database anything.
    let tmp = dir.join(format!("{SQLITE_FILE}.restoring"));
    std::fs::copy(&src, &tmp).map_err(|e| e.to_string())?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| e.to_string())?;
    for suffix in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", dest.display()));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| e.to_string())?;
        }
    }
    std::fs::rename(&tmp, &dest).map_err(|e| e.to_string())?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    let files = copy_tree(&from.join("blobs"), &dir.join("blobs")).map_err(|e| e.to_string())?;
    let app = open_app(cfg).await?;
    let reports = app.verify_audit().await.map_err(|e| e.to_string())?;
    let ok = reports.iter().all(|r| r.ok);
    println!(
        "恢复完成 / restored into {} ({files} files); audit chains {}",
        dir.display(),
        if ok {
            "intact"
        } else {
            "BROKEN — run `shenpi audit verify`"
        }
    );
    Ok(())
}
