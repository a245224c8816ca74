//! Sign-in, lockout, sessions, TOTP, password change and registration through the API.

use super::common::*;
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_app::totp;
use shenpi_testkit::{Options, spawn_app, spawn_app_with};

fn secret_of(uri: &str) -> String {
    uri.split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_clerk_signs_in_and_sees_their_account() {
    let app = spawn_app().await;
    let token = login(&app, "clerk-370202").await;
    let me: Value = get(&app, &token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["username"], "clerk-370202");
    assert_eq!(me["user"]["region_code"], "370202");
    assert_eq!(me["user"]["roles"], json!(["clerk"]));
    assert_eq!(me["user"]["totp_exempt"], false);
}

#[tokio::test]
async fn the_enterprise_account_shows_its_uscc_and_personal_data_is_masked() {
    let app = spawn_app().await;
    let token = login(&app, "enterprise").await;
    let me: Value = get(&app, &token, "/api/v1/me").await.json().await.unwrap();
    let uscc = me["user"]["uscc"].as_str().unwrap();
    assert!(shenpi_domain::validate::Uscc::parse(uscc).is_ok());
    let id = me["user"]["id_number"].as_str().unwrap();
    assert!(id.starts_with("370202********") && id.len() == 18, "{id}");
    assert_eq!(me["user"]["mobile"], "138****0000");
}

#[tokio::test]
async fn demo_administrators_show_their_totp_exemption() {
    let app = spawn_app().await;
    let token = login(&app, "admin").await;
    let me: Value = get(&app, &token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["totp_exempt"], true);
    assert_eq!(me["user"]["totp_required"], false);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_stable_code() {
    let app = spawn_app().await;
    let (status, body) = login_with(&app, "clerk-370202", "wrong#Pass1", None)
        .await
        .unwrap_err();
    assert_eq!(status, 401);
    assert_eq!(body["code"], "INVALID_CREDENTIALS");
    let (_, body) = login_with(&app, "no-such-user", "wrong#Pass1", None)
        .await
        .unwrap_err();
    assert_eq!(body["code"], "INVALID_CREDENTIALS");
}

async fn login_from(app: &shenpi_testkit::TestApp, ip: &str, password: &str) -> (u16, Value) {
    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"username": "reviewer-370202", "password": password}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn five_failures_lock_the_account_for_that_address_for_fifteen_minutes() {
    let mut opts = Options::default();
    opts.web.trust_proxy = true;
    let app = spawn_app_with(opts).await;
    for _ in 0..5 {
        assert_eq!(login_from(&app, "10.1.1.1", "bad#Pass1").await.0, 401);
    }
    let (status, body) = login_from(&app, "10.1.1.1", "Demo#2026").await;
    assert_eq!(status, 423);
    assert_eq!(body["code"], "ACCOUNT_LOCKED");
    // Another address is not locked out.
    assert_eq!(login_from(&app, "10.2.2.2", "Demo#2026").await.0, 200);
    app.clock.advance(Duration::minutes(14));
    assert_eq!(login_from(&app, "10.1.1.1", "Demo#2026").await.0, 423);
    app.clock.advance(Duration::minutes(2));
    assert_eq!(login_from(&app, "10.1.1.1", "Demo#2026").await.0, 200);
}

#[tokio::test]
async fn the_security_admin_unlocks_and_sees_an_alert_for_many_addresses() {
    let mut opts = Options::default();
    opts.web.trust_proxy = true;
    let app = spawn_app_with(opts).await;
    for ip in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
        login_from(&app, ip, "bad#Pass1").await;
    }
    for _ in 0..4 {
        login_from(&app, "10.0.0.1", "bad#Pass1").await;
    }
    assert_eq!(login_from(&app, "10.0.0.1", "Demo#2026").await.0, 423);
    let sec = login(&app, "secadmin").await;
    let alerts: Value = get(&app, &sec, "/api/v1/security/alerts")
        .await
        .json()
        .await
        .unwrap();
    let items = alerts["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one alert, not one per failure: {alerts}");
    assert_eq!(items[0]["subject"], "reviewer-370202");
    let r = post(
        &app,
        &sec,
        "/api/v1/users/reviewer-370202/unlock",
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(login_from(&app, "10.0.0.1", "Demo#2026").await.0, 200);
}

#[tokio::test]
async fn a_locked_account_cannot_sign_in_and_loses_its_sessions() {
    let app = spawn_app().await;
    let token = login(&app, "approver-370203").await;
    let sec = login(&app, "secadmin").await;
    // Signed in and used (the server now remembers the session), then locked: the very next
    // request is refused.
    assert_eq!(get(&app, &token, "/api/v1/me").await.status(), 200);
    assert_eq!(
        post(&app, &sec, "/api/v1/users/approver-370203/lock", json!({}))
            .await
            .status(),
        200
    );
    assert_error(
        get(&app, &token, "/api/v1/me").await,
        401,
        "UNAUTHENTICATED",
    )
    .await;
    let (status, body) = login_with(&app, "approver-370203", "Demo#2026", None)
        .await
        .unwrap_err();
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("ACCOUNT_DISABLED"))
    );
}

#[tokio::test]
async fn staff_sessions_expire_after_fifteen_idle_minutes_and_applicants_after_thirty() {
    let app = spawn_app().await;
    let staff = login(&app, "clerk-370202").await;
    let citizen = login(&app, "citizen").await;
    app.clock.advance(Duration::minutes(14));
    assert_eq!(get(&app, &staff, "/api/v1/me").await.status(), 200);
    // Activity moved the idle deadline: 14 more minutes are fine, then 16 idle minutes are not.
    app.clock.advance(Duration::minutes(14));
    assert_eq!(get(&app, &staff, "/api/v1/me").await.status(), 200);
    assert_eq!(get(&app, &citizen, "/api/v1/me").await.status(), 200);
    app.clock.advance(Duration::minutes(16));
    assert_error(
        get(&app, &staff, "/api/v1/me").await,
        401,
        "SESSION_EXPIRED",
    )
    .await;
    assert_eq!(get(&app, &citizen, "/api/v1/me").await.status(), 200);
    app.clock.advance(Duration::minutes(31));
    assert_error(
        get(&app, &citizen, "/api/v1/me").await,
        401,
        "SESSION_EXPIRED",
    )
    .await;
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let token = login(&app, "citizen").await;
    let r = post(&app, &token, "/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status(), 204);
    assert_error(
        get(&app, &token, "/api/v1/me").await,
        401,
        "UNAUTHENTICATED",
    )
    .await;
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let app = spawn_app().await;
    let first = login(&app, "citizen").await;
    let second = login(&app, "citizen").await;
    assert_eq!(get(&app, &second, "/api/v1/me").await.status(), 200);
    let weak = post(
        &app,
        &first,
        "/api/v1/me/password",
        json!({"current_password": "Demo#2026", "new_password": "short"}),
    )
    .await;
    assert_error(weak, 422, "PASSWORD_POLICY").await;
    let r = post(
        &app,
        &first,
        "/api/v1/me/password",
        json!({"current_password": "Demo#2026", "new_password": "New#Pass2027"}),
    )
    .await;
    assert_eq!(r.status(), 204);
    assert_eq!(get(&app, &first, "/api/v1/me").await.status(), 200);
    assert_error(
        get(&app, &second, "/api/v1/me").await,
        401,
        "UNAUTHENTICATED",
    )
    .await;
    assert!(
        login_with(&app, "citizen", "Demo#2026", None)
            .await
            .is_err()
    );
    assert!(
        login_with(&app, "citizen", "New#Pass2027", None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn totp_enrolment_then_sign_in_requires_a_valid_code() {
    let app = spawn_app().await;
    let token = login(&app, "reviewer-370211").await;
    let v: Value = post(&app, &token, "/api/v1/me/totp", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let uri = v["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/shenpi:reviewer-370211?secret="),
        "{uri}"
    );
    let secret = secret_of(uri);
    assert_error(
        post(
            &app,
            &token,
            "/api/v1/me/totp/confirm",
            json!({"code": "000000"}),
        )
        .await,
        401,
        "TOTP_INVALID",
    )
    .await;
    let code = totp::current_code(&secret, now_ts(&app)).unwrap();
    assert_eq!(
        post(
            &app,
            &token,
            "/api/v1/me/totp/confirm",
            json!({"code": code})
        )
        .await
        .status(),
        200
    );

    let (status, body) = login_with(&app, "reviewer-370211", "Demo#2026", None)
        .await
        .unwrap_err();
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (401, Some("TOTP_REQUIRED"))
    );
    let (_, body) = login_with(&app, "reviewer-370211", "Demo#2026", Some("123456"))
        .await
        .unwrap_err();
    assert_eq!(body["code"], "TOTP_INVALID");
    // The enrolment code cannot be replayed; the next time step's code signs in.
    app.clock.advance(chrono::Duration::seconds(30));
    let code = totp::current_code(&secret, now_ts(&app)).unwrap();
    assert!(
        login_with(&app, "reviewer-370211", "Demo#2026", Some(&code))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn administrators_created_by_the_command_line_must_use_totp() {
    let app = spawn_app().await;
    let created = app
        .app
        .create_user_cli(shenpi_app::users::NewUser {
            username: "auditor2".into(),
            display_name: "第二审计员".into(),
            password: "Strong#Pass1".into(),
            roles: vec![shenpi_domain::org::Role::Auditor],
            region_code: "370200".into(),
            department_id: None,
            mobile: None,
            id_number: None,
        })
        .await
        .unwrap();
    let secret = secret_of(&created.otpauth_uri.unwrap());
    let (status, body) = login_with(&app, "auditor2", "Strong#Pass1", None)
        .await
        .unwrap_err();
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (401, Some("TOTP_REQUIRED"))
    );
    let code = totp::current_code(&secret, now_ts(&app)).unwrap();
    let token = login_with(&app, "auditor2", "Strong#Pass1", Some(&code))
        .await
        .unwrap();
    let me: Value = get(&app, &token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["totp_exempt"], false);
    // Two administrator roles in one account are refused.
    let err = app
        .app
        .create_user_cli(shenpi_app::users::NewUser {
            username: "both".into(),
            display_name: "兼任".into(),
            password: "Strong#Pass1".into(),
            roles: vec![
                shenpi_domain::org::Role::CityAdmin,
                shenpi_domain::org::Role::Auditor,
            ],
            region_code: "370200".into(),
            department_id: None,
            mobile: None,
            id_number: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.public().code.code, "SEPARATION_OF_DUTIES");
}

#[tokio::test]
async fn citizens_register_with_a_checked_id_number() {
    let app = spawn_app().await;
    let id = shenpi_app::demo::demo_id_number();
    let good = json!({"username": "wang-test", "password": "Reg#Pass2026", "kind": "citizen",
        "name": "张测试", "id_number": id, "mobile": "13912345678"});
    let r = client()
        .post(app.url("/api/v1/auth/register"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user"]["roles"], json!(["citizen"]));
    assert_eq!(v["user"]["region_code"], "370202");
    assert_eq!(v["user"]["mobile"], "139****5678");
    let again = client()
        .post(app.url("/api/v1/auth/register"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_error(again, 409, "USERNAME_TAKEN").await;
    let mut bad = good.clone();
    bad["username"] = json!("wang-two");
    bad["id_number"] = json!("370202199003071230");
    let r = client()
        .post(app.url("/api/v1/auth/register"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    let v = assert_error(r, 422, "VALIDATION_FAILED").await;
    assert_eq!(v["details"]["field"], "id_number");
    // Real-name check against the population registry: the name must match, the person must
    // be 正常; the answer is the same whether or not the ID number is known.
    let mut other_name = good.clone();
    other_name["username"] = json!("wang-three");
    other_name["name"] = json!("王测试");
    let mut unknown = other_name.clone();
    unknown["id_number"] = json!("11010519491231002X");
    let dead = shenpi_app::datasources::demo::generated_id_number(59);
    let mut deceased = other_name.clone();
    deceased["id_number"] = json!(dead);
    deceased["name"] = json!(shenpi_app::datasources::demo::person_name(59));
    for body in [other_name, unknown, deceased] {
        let r = client()
            .post(app.url("/api/v1/auth/register"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(r, 422, "REAL_NAME_MISMATCH").await;
    }
    assert!(
        login_with(&app, "wang-test", "Reg#Pass2026", None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn enterprises_register_with_a_checked_uscc() {
    let app = spawn_app().await;
    let body = json!({"username": "acme", "password": "Reg#Pass2026", "kind": "enterprise",
        "name": "张测试", "id_number": shenpi_app::demo::demo_id_number(), "mobile": "13912345678",
        "uscc": "91350200MA2YJ1XR9H", "enterprise_name": "某某公司"});
    let r = client()
        .post(app.url("/api/v1/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let v = assert_error(r, 422, "VALIDATION_FAILED").await;
    assert_eq!(v["details"]["field"], "uscc");
    let mut ok = body.clone();
    ok["uscc"] = json!("91350200MA2YJ1XR9G");
    let r = client()
        .post(app.url("/api/v1/auth/register"))
        .json(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = login_with(&app, "acme", "Reg#Pass2026", None)
        .await
        .unwrap();
    let me: Value = get(&app, &token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["uscc"], "91350200MA2YJ1XR9G");
}
