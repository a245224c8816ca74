//! JSON handlers of `/api/v1`. Each is thin: extract typed input, call one use case, map errors.

pub mod admin;
pub mod auth;
pub mod bundles;
pub mod cases;
pub mod catalog;
pub mod certs;
pub mod data;
pub mod drafts;
pub mod materials;
pub mod partners;
pub mod processes;
pub mod public;
pub mod registration;
pub mod rules;
pub mod tasks;

use serde::Serialize;
use shenpi_app::App;
use shenpi_domain::mask::{mask_id_number, mask_mobile};
use shenpi_store::model::User;

/// An account as the API shows it: personal data masked, no secrets.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub kind: &'static str,
    pub roles: Vec<&'static str>,
    pub region_code: String,
    pub department_id: Option<String>,
    pub id_number: Option<String>,
    pub mobile: Option<String>,
    pub uscc: Option<String>,
    pub enterprise_name: Option<String>,
    pub disabled: bool,
    pub totp_enabled: bool,
    pub totp_required: bool,
    /// True only for demo administrator accounts, which may sign in without TOTP.
    pub totp_exempt: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            kind: u.kind.as_str(),
            roles: u.roles.iter().map(|r| r.as_str()).collect(),
            region_code: u.region_code.clone(),
            department_id: u.department_id.clone(),
            id_number: u.id_number.as_deref().map(mask_id_number),
            mobile: u.mobile.as_deref().map(mask_mobile),
            uscc: u.uscc.clone(),
            enterprise_name: u.enterprise_name.clone(),
            disabled: u.disabled,
            totp_enabled: u.totp_enabled,
            totp_required: App::totp_required(u),
            totp_exempt: u.totp_exempt,
        }
    }
}

/// A page of results as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}
