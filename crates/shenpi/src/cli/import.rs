//! `shenpi import …`: data files the platform keeps as versioned reference data.
//!
//! `shenpi import business-scope FILE [--version LABEL]` imports the full business-scope
//! catalogue (经营范围规范表述目录, `.json` or `.csv` by the file name) as the next version, or
//! prints every problem (row, field, reason in Chinese and English) and stores nothing.

use super::open_app;
use crate::config::Config;
use clap::Subcommand;
use shenpi_domain::registration::scope::FileFormat;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The business-scope catalogue (经营范围规范表述目录): a .json file as shipped, or a .csv
    /// file with the header code,text,class,industry,permits,note.
    BusinessScope {
        /// The file to import.
        file: PathBuf,
        /// The catalogue's version label (required for CSV; overrides a JSON file's own).
        #[arg(long)]
        version: Option<String>,
    },
}

pub async fn run(cfg: &Config, cmd: &ImportCommand) -> Result<(), String> {
    let ImportCommand::BusinessScope { file, version } = cmd;
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let format = match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "csv" => FileFormat::Csv,
        Some(e) if e == "json" => FileFormat::Json,
        _ => return Err("the file must end in .json or .csv".into()),
    };
    let app = open_app(cfg).await?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .to_string();
    match app
        .import_scope_catalogue(
            None,
            &name,
            &bytes,
            format,
            version.as_deref(),
            &shenpi_app::RequestMeta::cli(),
        )
        .await
    {
        Ok(done) => {
            println!(
                "已导入经营范围目录 {}（第 {} 版）：{} 条，其中一般项目 {} 条、许可项目 {} 条 / imported business-scope catalogue {} as version {}: {} entries",
                done.label,
                done.version,
                done.entries,
                done.general,
                done.licensed,
                done.label,
                done.version,
                done.entries
            );
            Ok(())
        }
        Err(e) => {
            let p = e.public();
            let mut lines = vec![format!("{} / {}", p.message_zh, p.message_en)];
            for problem in p.details["problems"].as_array().into_iter().flatten() {
                lines.push(format!(
                    "  第 {} 行 {}：{} / row {} {}: {}",
                    problem["row"],
                    problem["field"].as_str().unwrap_or(""),
                    problem["message_zh"].as_str().unwrap_or(""),
                    problem["row"],
                    problem["field"].as_str().unwrap_or(""),
                    problem["message_en"].as_str().unwrap_or(""),
                ));
            }
            Err(lines.join("\n"))
        }
    }
}
