//! Accounts.

use crate::db::Row;
use crate::paging::PagedSelect;
use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_domain::org::Role;
use shenpi_store::StoreError;
use shenpi_store::model::{AccountKind, Page, User};
use shenpi_store::repo::UserRepo;

const COLS: &str = "id, username, display_name, kind, roles, region_code, department_id, \
    password_hash, id_number, mobile, uscc, enterprise_name, disabled, totp_secret, \
    totp_enabled, totp_exempt, created_at, password_changed_at, totp_last_step";

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn user_from(row: &Row) -> Result<User, StoreError> {
    let kind = row.text("kind")?;
    let roles = row
        .text("roles")?
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown role {s}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(User {
        id: row.text("id")?,
        username: row.text("username")?,
        display_name: row.text("display_name")?,
        kind: AccountKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown account kind {kind}")))?,
        roles,
        region_code: row.text("region_code")?,
        department_id: row.opt_text("department_id")?,
        password_hash: row.text("password_hash")?,
        id_number: row.opt_text("id_number")?,
        mobile: row.opt_text("mobile")?,
        uscc: row.opt_text("uscc")?,
        enterprise_name: row.opt_text("enterprise_name")?,
        disabled: row.flag("disabled")?,
        totp_secret: row.opt_text("totp_secret")?,
        totp_enabled: row.flag("totp_enabled")?,
        totp_exempt: row.flag("totp_exempt")?,
        created_at: row.time("created_at")?,
        password_changed_at: row.time("password_changed_at")?,
        totp_last_step: row.int("totp_last_step")?,
    })
}

#[async_trait]
impl UserRepo for SqlTx {
    async fn insert_user(&mut self, u: &User) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO users ({COLS}) VALUES \
             ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)"
        );
        crate::db::query(sql)
            .bind(&u.id)
            .bind(&u.username)
            .bind(&u.display_name)
            .bind(u.kind.as_str())
            .bind(roles_text(&u.roles))
            .bind(&u.region_code)
            .bind(&u.department_id)
            .bind(&u.password_hash)
            .bind(&u.id_number)
            .bind(&u.mobile)
            .bind(&u.uscc)
            .bind(&u.enterprise_name)
            .bind(i64::from(u.disabled))
            .bind(&u.totp_secret)
            .bind(i64::from(u.totp_enabled))
            .bind(i64::from(u.totp_exempt))
            .bind(ts(u.created_at))
            .bind(ts(u.password_changed_at))
            .bind(u.totp_last_step)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_user(&mut self, u: &User) -> Result<(), StoreError> {
        self.identity_changed = true;
        let r = crate::db::query(
            "UPDATE users SET display_name=$2, roles=$3, region_code=$4, department_id=$5, \
             password_hash=$6, id_number=$7, mobile=$8, uscc=$9, enterprise_name=$10, \
             disabled=$11, totp_secret=$12, totp_enabled=$13, totp_exempt=$14, \
             password_changed_at=$15, totp_last_step=$16 WHERE id=$1",
        )
        .bind(&u.id)
        .bind(&u.display_name)
        .bind(roles_text(&u.roles))
        .bind(&u.region_code)
        .bind(&u.department_id)
        .bind(&u.password_hash)
        .bind(&u.id_number)
        .bind(&u.mobile)
        .bind(&u.uscc)
        .bind(&u.enterprise_name)
        .bind(i64::from(u.disabled))
        .bind(&u.totp_secret)
        .bind(i64::from(u.totp_enabled))
        .bind(i64::from(u.totp_exempt))
        .bind(ts(u.password_changed_at))
        .bind(u.totp_last_step)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {}", u.id)));
        }
        Ok(())
    }

    async fn user_by_id(&mut self, id: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {COLS} FROM users WHERE id = $1");
        let row = crate::db::query(sql)
            .bind(id)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(user_from).transpose()
    }

    async fn user_by_username(&mut self, username: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {COLS} FROM users WHERE username = $1");
        let row = crate::db::query(sql)
            .bind(username)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(user_from).transpose()
    }

    async fn list_users(
        &mut self,
        region: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<User>, StoreError> {
        let q = PagedSelect {
            cols: COLS,
            from: "users",
            filter: "($1 IS NULL OR region_code = $1)",
            order: "username",
        };
        self.page_where(q, &[region.into()], (page, per_page), user_from)
            .await
    }

    async fn count_users(&mut self) -> Result<i64, StoreError> {
        crate::db::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&mut self.tx)
            .await
            .map_err(db_err)?
            .int("n")
    }
}
