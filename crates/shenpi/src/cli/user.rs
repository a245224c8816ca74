//! `shenpi user add|list|lock|unlock`.

use super::open_app;
use crate::config::Config;
use clap::Subcommand;
use shenpi_app::RequestMeta;
use shenpi_app::users::NewUser;
use shenpi_domain::org::Role;
use std::io::BufRead;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; administrator roles get TOTP enrolled at once.
    Add {
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Comma-separated roles, e.g. clerk or reviewer,approver.
        #[arg(long, value_delimiter = ',')]
        role: Vec<String>,
        /// Region code, e.g. 370202 (370200 for city level).
        #[arg(long)]
        region: String,
        /// Department id, e.g. 370202-spj.
        #[arg(long)]
        department: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// The password (visible to other local users in the process list: prefer --password-stdin).
        #[arg(long, env = "SHENPI_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List accounts.
    List,
    /// Lock (disable) an account and end its sessions.
    Lock { username: String },
    /// Unlock an account and clear its sign-in lockouts.
    Unlock { username: String },
}

pub async fn run(cfg: &Config, cmd: &UserCommand) -> Result<(), String> {
    let app = open_app(cfg).await?;
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            region,
            department,
            password_stdin,
            password,
        } => {
            let password = if *password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| e.to_string())?;
                line.trim_end_matches(['\r', '\n']).to_string()
            } else {
                password
                    .clone()
                    .ok_or("give --password-stdin or --password")?
            };
            let roles = role
                .iter()
                .map(|r| Role::parse(r.trim()).ok_or_else(|| format!("unknown role {r}")))
                .collect::<Result<Vec<_>, _>>()?;
            let created = app
                .create_user_cli(NewUser {
                    username: username.clone(),
                    display_name: name.clone(),
                    password,
                    roles,
                    region_code: region.clone(),
                    department_id: department.clone(),
                    mobile: None,
                    id_number: None,
                })
                .await
                .map_err(|e| {
                    let p = e.public();
                    format!("{} / {}", p.message_zh, p.message_en)
                })?;
            println!(
                "已创建 / created {} ({})",
                created.user.username, created.user.id
            );
            if let Some(uri) = created.otpauth_uri {
                println!(
                    "管理员须使用动态验证码，请将以下地址交给本人用验证器扫描 / TOTP enrolled; give this URI to the person:"
                );
                println!("{uri}");
            }
            Ok(())
        }
        UserCommand::List => {
            for u in app.list_users_cli().await.map_err(|e| e.to_string())? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                println!(
                    "{:<20} {:<8} {:<28} {}{}",
                    u.username,
                    u.region_code,
                    roles.join(","),
                    if u.disabled { "LOCKED " } else { "" },
                    if u.totp_exempt {
                        "(demo: TOTP exempt)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        UserCommand::Lock { username } | UserCommand::Unlock { username } => {
            let lock = matches!(cmd, UserCommand::Lock { .. });
            let u = app
                .set_locked(None, username, lock, &RequestMeta::cli())
                .await
                .map_err(|e| e.public().message_en)?;
            println!(
                "{} {}",
                u.username,
                if lock {
                    "已锁定 / locked"
                } else {
                    "已解锁 / unlocked"
                }
            );
            Ok(())
        }
    }
}
