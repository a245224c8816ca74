//! Regression tests for the findings of the foundation review: parallel guessing, spoofed
//! forwarded addresses, open redirects, NUL characters, TOTP replay, audit scope, fresh installs.

use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::{Options, spawn_app, spawn_app_with};

#[tokio::test]
async fn parallel_guesses_cannot_get_past_the_lockout() {
    let app = spawn_app().await;
    let attempts = (0..12).map(|_| {
        let url = app.url("/api/v1/auth/login");
        async move {
            client()
                .post(url)
                .json(&json!({"username": "reviewer-370203", "password": "bad#Pass1"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let mut handles = vec![];
    for a in attempts {
        handles.push(tokio::spawn(a));
    }
    let mut statuses = vec![];
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    let guesses = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        guesses <= 5,
        "at most 5 passwords checked, got {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 423).count(), 12 - guesses);
    let (status, _) = login_with(&app, "reviewer-370203", "Demo#2026", None)
        .await
        .unwrap_err();
    assert_eq!(status, 423);
}

#[tokio::test]
async fn a_spoofed_first_forwarded_address_does_not_escape_the_lockout() {
    let mut opts = Options::default();
    opts.web.trust_proxy = true;
    let app = spawn_app_with(opts).await;
    for n in 0..6 {
        let r = client()
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", format!("10.66.0.{n}, 203.0.113.7"))
            .json(&json!({"username": "approver-370211", "password": "bad#Pass1"}))
            .send()
            .await
            .unwrap();
        let expected = if n < 5 { 401 } else { 423 };
        assert_eq!(r.status().as_u16(), expected, "attempt {n}");
    }
}

#[tokio::test]
async fn redirect_targets_never_leave_the_site_and_control_characters_are_harmless() {
    let app = spawn_app().await;
    for back in [
        "/%09/evil.example",
        "/%0A/x",
        "//evil.example",
        "/\\evil",
        "https://evil.example",
        "/%E4%B8%AD",
    ] {
        let r = client()
            .get(app.url(&format!("/prefs?lang=en&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{back}");
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            loc == "/" || (loc.starts_with('/') && !loc.starts_with("//")),
            "{back} → {loc}"
        );
        assert!(
            !loc.contains('\t') && !loc.contains("evil"),
            "{back} → {loc}"
        );
    }
    let html = client()
        .get(app.url("/login?next=/%09/evil.example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("name=\"next\" value=\"/\""),
        "the hidden next field is sanitised"
    );
}

#[tokio::test]
async fn nul_characters_and_absurd_numbers_are_4xx_not_5xx() {
    let app = spawn_app().await;
    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(r#"{"username":"a\u0000b","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "INVALID_FIELD").await;
    let r = client()
        .get(app.url("/api/v1/items?q=%00"))
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "INVALID_FIELD").await;
    let r = client()
        .post(app.url("/login"))
        .form(&[("username", "a\0b"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert!((400..500).contains(&r.status().as_u16()));
    let auditor = login(&app, "auditor").await;
    let r = get(&app, &auditor, "/api/v1/audit?page=4611686018427387904").await;
    assert_eq!(r.status(), 200);
    let admin = login(&app, "admin").await;
    let r = client()
        .put(app.url("/api/v1/calendar/-2147483648"))
        .bearer_auth(&admin)
        .json(&json!({"year": -2147483648i64, "holidays": [], "workdays": []}))
        .send()
        .await
        .unwrap();
    assert!((400..500).contains(&r.status().as_u16()), "{}", r.status());
}

#[tokio::test]
async fn a_totp_code_is_accepted_once_only() {
    let app = spawn_app().await;
    let token = login(&app, "reviewer-370212").await;
    let v: Value = post(&app, &token, "/api/v1/me/totp", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let uri = v["otpauth_uri"].as_str().unwrap();
    let secret = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let code = shenpi_app::totp::current_code(&secret, now_ts(&app)).unwrap();
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
    // The code used for enrolment cannot sign in; the next step's code can, once.
    let (_, body) = login_with(&app, "reviewer-370212", "Demo#2026", Some(&code))
        .await
        .unwrap_err();
    assert_eq!(body["code"], "TOTP_INVALID");
    app.clock.advance(chrono::Duration::seconds(30));
    let next = shenpi_app::totp::current_code(&secret, now_ts(&app)).unwrap();
    assert!(
        login_with(&app, "reviewer-370212", "Demo#2026", Some(&next))
            .await
            .is_ok()
    );
    let (_, body) = login_with(&app, "reviewer-370212", "Demo#2026", Some(&next))
        .await
        .unwrap_err();
    assert_eq!(body["code"], "TOTP_INVALID");
}

#[tokio::test]
async fn a_district_auditor_reads_only_their_district() {
    let app = spawn_app().await;
    let created = app
        .app
        .create_user_cli(shenpi_app::users::NewUser {
            username: "auditor-370202".into(),
            display_name: "市南区审计员".into(),
            password: "Strong#Pass1".into(),
            roles: vec![shenpi_domain::org::Role::Auditor],
            region_code: "370202".into(),
            department_id: None,
            mobile: None,
            id_number: None,
        })
        .await
        .unwrap();
    let secret = created
        .otpauth_uri
        .unwrap()
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let code = shenpi_app::totp::current_code(&secret, now_ts(&app)).unwrap();
    let token = login_with(&app, "auditor-370202", "Strong#Pass1", Some(&code))
        .await
        .unwrap();
    let v: Value = get(&app, &token, "/api/v1/audit")
        .await
        .json()
        .await
        .unwrap();
    assert!(v["total"].as_i64().unwrap() > 0);
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["region_code"] == "370202"),
        "{v}"
    );
    let v: Value = get(&app, &token, "/api/v1/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["regions"].as_array().unwrap().len(), 1);
    assert_error(
        get(&app, &token, "/api/v1/audit?region=370203").await,
        403,
        "FORBIDDEN",
    )
    .await;
}

#[tokio::test]
async fn long_chinese_passwords_that_pass_the_policy_can_sign_in() {
    let app = spawn_app().await;
    let password = format!("Aa1{}", "密".repeat(100));
    let r = client().post(app.url("/api/v1/auth/register")).json(&json!({"username": "long-pw", "password": password,
        "kind": "citizen", "name": "张测试", "id_number": shenpi_app::demo::demo_id_number(), "mobile": "13912345678"}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert!(login_with(&app, "long-pw", &password, None).await.is_ok());
}

#[tokio::test]
async fn signed_in_users_skip_the_login_page_and_responses_carry_security_headers() {
    let app = spawn_app().await;
    let out = page_session(&app, "citizen").await;
    let r = client()
        .get(app.url("/login?next=/me"))
        .header("cookie", format!("shenpi_session={}", out.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me");
    let r = client()
        .get(app.url("/api/v1/regions"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let r = client()
        .get(app.url("/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
}
