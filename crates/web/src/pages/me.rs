//! "My account": profile with personal data masked, password change.

use super::{Ctx, render};
use crate::AppState;
use crate::error::PageForm;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::mask::{mask_id_number, mask_mobile};

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    ctx: Ctx,
    rows: Vec<(String, String)>,
    message: Option<String>,
    error: Option<String>,
}

fn page(
    headers: &HeaderMap,
    p: &Principal,
    message: Option<String>,
    error: Option<String>,
) -> MePage {
    let ctx = Ctx::new(headers, Some(p), "/me");
    let l = ctx.lang;
    let u = &p.user;
    let mut rows = vec![
        (l.t("用户名", "Username").to_string(), u.username.clone()),
        (l.t("姓名", "Name").to_string(), u.display_name.clone()),
        (
            l.t("角色", "Roles").to_string(),
            ctx.user
                .as_ref()
                .map(|b| b.role.clone())
                .unwrap_or_default(),
        ),
        (
            l.t("所属区划", "Region").to_string(),
            format!(
                "{} {}",
                u.region_code,
                shenpi_domain::regions::name_of(&u.region_code).unwrap_or("")
            ),
        ),
    ];
    if let Some(id) = &u.id_number {
        rows.push((l.t("身份证号码", "ID number").into(), mask_id_number(id)));
    }
    if let Some(m) = &u.mobile {
        rows.push((l.t("手机号码", "Mobile").into(), mask_mobile(m)));
    }
    if let (Some(uscc), Some(name)) = (&u.uscc, &u.enterprise_name) {
        rows.push((
            l.t("企业", "Enterprise").into(),
            format!("{name}（{uscc}）"),
        ));
    }
    rows.push((
        l.t("动态验证码", "TOTP").into(),
        if u.totp_enabled {
            l.t("已启用", "Enabled").into()
        } else if u.totp_exempt {
            l.t("演示账号，已豁免", "Demo account: exempt").into()
        } else {
            l.t(
                "未启用（可通过 POST /api/v1/me/totp 绑定）",
                "Not enabled (enrol with POST /api/v1/me/totp)",
            )
            .into()
        },
    ));
    MePage {
        ctx,
        rows,
        message,
        error,
    }
}

/// `GET /me`
pub async fn show(Extension(p): Extension<Principal>, headers: HeaderMap) -> Response {
    render(&page(&headers, &p, None, None))
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /me/password`
pub async fn change_password(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    PageForm(f): PageForm<PasswordForm>,
) -> Response {
    let lang_en = Ctx::new(&headers, None, "").lang.en;
    match s
        .app
        .change_password(&p, &f.current_password, &f.new_password, &meta)
        .await
    {
        Ok(()) => {
            let msg = if lang_en {
                "Password changed; your other sessions have ended."
            } else {
                "密码已修改，其他设备上的登录已注销。"
            };
            render(&page(&headers, &p, Some(msg.into()), None))
        }
        Err(e) => {
            let pe = e.public();
            let msg = if lang_en {
                pe.message_en
            } else {
                pe.message_zh
            };
            let status = axum::http::StatusCode::from_u16(pe.code.status)
                .unwrap_or(axum::http::StatusCode::BAD_REQUEST);
            (status, render(&page(&headers, &p, None, Some(msg)))).into_response()
        }
    }
}
