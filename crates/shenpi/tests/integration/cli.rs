//! The `shenpi` command line on the embedded SQLite store: demo, user, audit verify, backup and
//! restore, migrate.

use std::path::Path;
use std::process::{Command, Output};

fn shenpi(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shenpi"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("SHENPI_DATABASE_URL")
        .env("SHENPI_LOG", "warn")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "stdout: {out}\nstderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[tokio::test]
async fn demo_user_and_audit_commands_work_and_tampering_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&shenpi(&data, &["migrate"]));
    assert!(ok(&shenpi(&data, &["demo"])).contains("54 accounts"));
    assert!(ok(&shenpi(&data, &["demo"])).contains("未载入"));
    let export = dir.path().join("catalog.xlsx");
    assert!(
        ok(&shenpi(
            &data,
            &["catalog", "export", "--out", export.to_str().unwrap()]
        ))
        .contains("48")
    );
    let items = shenpi_exchange::items_from_xlsx(&std::fs::read(&export).unwrap()).unwrap();
    assert_eq!(items.len(), 48);
    let list = ok(&shenpi(&data, &["user", "list"]));
    assert!(list.contains("clerk-370285") && list.contains("(demo: TOTP exempt)"));
    let mut add = Command::new(env!("CARGO_BIN_EXE_shenpi"));
    let mut add = add
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "user",
            "add",
            "--username",
            "sec2",
            "--name",
            "安全员二",
            "--role",
            "security_admin",
            "--region",
            "370200",
            "--password-stdin",
        ])
        .env("SHENPI_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin
        .take()
        .unwrap()
        .write_all(b"Sec#Admin2026\n")
        .unwrap();
    let out = ok(&add.wait_with_output().unwrap());
    assert!(out.contains("otpauth://totp/shenpi:sec2?secret="), "{out}");
    let weak = shenpi(
        &data,
        &[
            "user",
            "add",
            "--username",
            "weak",
            "--name",
            "弱",
            "--role",
            "clerk",
            "--region",
            "370202",
            "--password",
            "abc",
        ],
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("密码"));
    ok(&shenpi(&data, &["user", "lock", "clerk-370202"]));
    assert!(ok(&shenpi(&data, &["user", "list"])).contains("LOCKED"));
    ok(&shenpi(&data, &["user", "unlock", "clerk-370202"]));
    assert!(ok(&shenpi(&data, &["audit", "verify"])).contains("intact"));

    // A calendar year from a file; a broken file is refused and nothing changes.
    let file = dir.path().join("2027.json");
    std::fs::write(&file, r#"{"year":2027,"holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"}],"workdays":[]}"#).unwrap();
    assert!(
        ok(&shenpi(
            &data,
            &["calendar", "load", file.to_str().unwrap()]
        ))
        .contains("2027")
    );
    std::fs::write(&file, r#"{"year":2028,"holidays":[{"name":"元旦","from":"2028-01-05","to":"2028-01-01"}],"workdays":[]}"#).unwrap();
    assert!(
        !shenpi(&data, &["calendar", "load", file.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        ok(&shenpi(&data, &["calendar", "list"])).trim(),
        "2025\n2026\n2027"
    );

    // Backup, then tamper with the live database: verify fails; restore brings back an intact chain.
    let backup = dir.path().join("backup");
    ok(&shenpi(
        &data,
        &["backup", "--out", backup.to_str().unwrap()],
    ));
    assert!(backup.join("shenpi.db").exists());
    let store = shenpi_store_sql::SqlStore::open_sqlite(&data)
        .await
        .unwrap();
    store
        .exec_raw("DROP TRIGGER audit_entries_no_update")
        .await
        .unwrap();
    store.exec_raw("UPDATE audit_entries SET actor_name = 'mallory' WHERE region_code = '370202' AND chain_seq = 1").await.unwrap();
    store.close().await;
    let bad = shenpi(&data, &["audit", "verify"]);
    assert!(!bad.status.success());
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("370202  BROKEN  first broken entry #1"),
        "{text}"
    );
    let refused = shenpi(&data, &["restore", "--from", backup.to_str().unwrap()]);
    assert!(
        !refused.status.success(),
        "restore over a live database needs --force"
    );
    assert!(
        ok(&shenpi(
            &data,
            &["restore", "--from", backup.to_str().unwrap(), "--force"]
        ))
        .contains("intact")
    );
    assert!(ok(&shenpi(&data, &["audit", "verify"])).contains("intact"));
    assert!(ok(&shenpi(&data, &["user", "list"])).contains("sec2"));
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shenpi"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--database-url",
            "mysql://x",
            "migrate",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unsupported database URL"));
}

#[test]
fn a_fresh_install_without_demo_data_can_create_its_first_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&shenpi(&data, &["migrate"]));
    let out = ok(&shenpi(
        &data,
        &[
            "user",
            "add",
            "--username",
            "sysadmin",
            "--name",
            "系统管理员",
            "--role",
            "city_admin",
            "--region",
            "370200",
            "--password",
            "Strong#Pass1",
        ],
    ));
    assert!(out.contains("otpauth://"), "{out}");
    let list = ok(&shenpi(&data, &["user", "list"]));
    assert!(list.contains("sysadmin") && !list.contains("TOTP exempt"));
}

/// The static token of the demo enterprise's e-business licence, read from the database.
async fn demo_licence_token(data: &Path) -> (String, String) {
    use shenpi_store::Store as _;
    let store = shenpi_store_sql::SqlStore::open_sqlite(data).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let certs = tx
        .certificates_of_holder(&shenpi_app::demo::demo_uscc())
        .await
        .unwrap();
    let c = certs
        .iter()
        .find(|c| c.type_code == "e-business-licence")
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(&c.data).unwrap();
    (
        c.identifier.clone(),
        data["static_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn certificate_keys_rotate_and_tokens_verify_offline_with_or_without_a_revocation_list() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&shenpi(&data, &["demo"]));
    // No SHENPI_MASTER_KEY: a master key made in the data dir, readable by its owner only.
    let master = data.join("master.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&master).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(std::fs::read_to_string(&master).unwrap().trim().len(), 64);

    let keys = dir.path().join("keys.json");
    ok(&shenpi(
        &data,
        &["cert", "keys", "export", "--out", keys.to_str().unwrap()],
    ));
    let set: shenpi_certs::keyset::KeySet =
        serde_json::from_str(&std::fs::read_to_string(&keys).unwrap()).unwrap();
    assert_eq!(set.keys.len(), 1);
    let (identifier, token) = demo_licence_token(&data).await;

    // Offline: the signature checks; revocation is said not to be checked.
    let k = keys.to_str().unwrap();
    let out = ok(&shenpi(&data, &["cert", "verify", &token, "--keys", k]));
    assert!(out.contains(&identifier), "{out}");
    assert!(out.contains("未检查吊销"), "{out}");
    // With the issuer's (empty) revocation list it is checked and still valid.
    let rev = dir.path().join("rev.json");
    ok(&shenpi(
        &data,
        &["cert", "revocations", "--out", rev.to_str().unwrap()],
    ));
    let out = ok(&shenpi(
        &data,
        &[
            "cert",
            "verify",
            &token,
            "--keys",
            k,
            "--revocations",
            rev.to_str().unwrap(),
        ],
    ));
    assert!(!out.contains("未检查吊销"), "{out}");
    // On a list that names it: refused.
    let listed = dir.path().join("listed.json");
    std::fs::write(
        &listed,
        serde_json::json!({"issued_at": "2026-11-28T00:00:00Z", "revoked": [
            {"cert_id": identifier, "version": 1, "status": "revoked", "reason": "测试撤销", "at": "2026-11-28T00:00:00Z"}]})
        .to_string(),
    )
    .unwrap();
    let o = shenpi(
        &data,
        &[
            "cert",
            "verify",
            &token,
            "--keys",
            k,
            "--revocations",
            listed.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("CERT_REVOKED"));
    // A tampered token is refused.
    let mut chars: Vec<char> = token.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    assert!(
        !shenpi(&data, &["cert", "verify", &tampered, "--keys", k])
            .status
            .success()
    );

    // Rotation: a new key; the old one is retired and still verifies.
    let out = ok(&shenpi(
        &data,
        &["cert", "keys", "rotate", "--alg", "Ed25519"],
    ));
    assert!(out.contains("Ed25519"), "{out}");
    ok(&shenpi(
        &data,
        &["cert", "keys", "export", "--out", keys.to_str().unwrap()],
    ));
    let set: shenpi_certs::keyset::KeySet =
        serde_json::from_str(&std::fs::read_to_string(&keys).unwrap()).unwrap();
    assert_eq!(set.keys.len(), 2);
    assert!(set.keys[0].retired_at.is_some() && set.keys[1].retired_at.is_none());
    ok(&shenpi(&data, &["cert", "verify", &token, "--keys", k]));

    // A key file others can read is refused at start.
    let key_file = dir.path().join("cert.key");
    std::fs::write(&key_file, format!("SM2 {}\n", "11".repeat(32))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_shenpi"))
            .arg("--data-dir")
            .arg(&data)
            .args(["cert", "keys", "export"])
            .env("SHENPI_CERT_KEY_FILE", &key_file)
            .env("SHENPI_LOG", "warn")
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("chmod 600"));
    }
}

#[test]
fn the_certificate_benchmark_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = ok(&shenpi(
        &data,
        &["bench", "certs", "--iterations", "20", "--issue", "3"],
    ));
    assert!(out.contains("SM2") && out.contains("Ed25519"), "{out}");
    assert!(
        out.contains("issuance by the platform: 3 certificates"),
        "{out}"
    );
}
