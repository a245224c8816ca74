//! Server-rendered pages through plain HTTP: sign-in with CSRF, role homes, masking, language
//! and elder mode, error pages.

use reqwest::Client;
use shenpi_testkit::{TestApp, spawn_app};

pub fn browser_like() -> Client {
    Client::builder()
        .no_proxy()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[i..].split('"').next().unwrap().to_string()
}

pub async fn sign_in(app: &TestApp, c: &Client, username: &str) -> String {
    let html = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", "Demo#2026"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/");
    c.get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_clerk_signs_in_and_sees_the_workbench() {
    let app = spawn_app().await;
    let c = browser_like();
    let home = sign_in(&app, &c, "clerk-370202").await;
    assert!(
        home.contains("工作台") && home.contains("市南区窗口受理员（演示）"),
        "{home}"
    );
    assert!(
        home.contains("当前没有待办件"),
        "empty state says what comes next"
    );
    assert!(
        !home.contains("用户管理"),
        "no admin navigation for a clerk"
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    let c = browser_like();
    sign_in(&app, &c, "citizen").await;
    let r = c
        .post(app.url("/logout"))
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("CSRF_INVALID"));
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "citizen"), ("password", "Demo#2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // With the token, logout works and the session ends.
    let html = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

#[tokio::test]
async fn a_wrong_password_shows_a_clear_message_on_the_page() {
    let app = spawn_app().await;
    let c = browser_like();
    let html = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("username", "citizen"),
            ("password", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));
}

#[tokio::test]
async fn applicants_see_their_identity_masked() {
    let app = spawn_app().await;
    let c = browser_like();
    let home = sign_in(&app, &c, "citizen").await;
    assert!(home.contains("我的办事") && home.contains("您还没有办件"));
    let me = c
        .get(app.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = shenpi_app::demo::demo_id_number();
    assert!(!me.contains(&id), "the full ID number never appears");
    assert!(me.contains(&format!("370202********{}", &id[14..])));
    assert!(me.contains("138****0000"));
}

#[tokio::test]
async fn each_role_gets_its_own_home_and_forbidden_pages_say_so() {
    let app = spawn_app().await;
    let c = browser_like();
    let home = sign_in(&app, &c, "auditor").await;
    assert!(home.contains("审计日志") && home.contains("演示账号"));
    let audit = c
        .get(app.url("/admin/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("auth.login"));
    let csrf = csrf_of(&audit);
    let verified = c
        .post(app.url("/admin/audit/verify"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let page = verified.text().await.unwrap();
    assert!(
        page.contains("完整") && page.contains("<html"),
        "a plain post gets the whole page"
    );
    let fragment = c
        .post(app.url("/admin/audit/verify"))
        .header("hx-request", "true")
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fragment.contains("id=\"verify-result\"") && fragment.contains("完整"));
    assert!(!fragment.contains("<html"), "htmx gets only the fragment");

    let c = browser_like();
    sign_in(&app, &c, "clerk-370203").await;
    let r = c.get(app.url("/admin/audit")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("没有权限"));

    let c = browser_like();
    let home = sign_in(&app, &c, "admin").await;
    assert!(
        home.contains("2027"),
        "the admin is warned that next year's calendar is missing"
    );
    let users = c
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(users.contains("approver-370202") || users.contains("admin"));
}

#[tokio::test]
async fn english_and_elder_mode_are_one_click_away() {
    let app = spawn_app().await;
    let c = browser_like();
    sign_in(&app, &c, "clerk-370202").await;
    let r = c
        .get(app.url("/prefs?lang=en&back=/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Workbench") && home.contains("lang=\"en\""));
    c.get(app.url("/prefs?elder=1&back=//evil.example"))
        .send()
        .await
        .unwrap();
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("class=\"elder\""));
    let r = c
        .get(app.url("/prefs?elder=1&back=//evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/",
        "never redirects to another site"
    );
}

#[tokio::test]
async fn the_calendar_page_lists_holidays_and_make_up_days() {
    let app = spawn_app().await;
    let html = reqwest::get(app.url("/calendar?year=2026"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("春节") && html.contains("2026-02-14") && html.contains("248"));
    let html = reqwest::get(app.url("/calendar?year=2030"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("尚未导入"));
}

#[tokio::test]
async fn citizens_can_register_through_the_page() {
    let app = spawn_app().await;
    let c = browser_like();
    let html = c
        .get(app.url("/register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let id = shenpi_app::demo::demo_id_number();
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "citizen"),
        ("username", "page-user"),
        ("name", "张测试"),
        ("id_number", id.as_str()),
        ("mobile", "13700000000"),
        ("uscc", ""),
        ("enterprise_name", ""),
        ("password", "Page#Pass2026"),
    ];
    let r = c
        .post(app.url("/register"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut bad = form;
    bad[2] = ("username", "page-user2");
    bad[4] = ("id_number", "123");
    let r = c
        .post(app.url("/register"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("page-user2"), "the form keeps what was typed");
}

/// A `multipart/form-data` body built by hand: text fields, then files (field, file name, bytes).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----shenpi-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/pdf\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn field_of(html: &str, name: &str) -> String {
    let at = format!("name=\"{name}\" value=\"");
    let i = html.find(&at).expect("the field") + at.len();
    html[i..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn the_apply_page_uploads_files_and_submits_once_even_when_sent_twice() {
    let app = spawn_app().await;
    let c = browser_like();
    sign_in(&app, &c, "citizen").await;
    let html = c
        .get(app.url("/items/QDJS00501-01/apply?region=370202"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"material-application\""), "{html}");
    assert!(html.contains("name=\"material-contract\""));
    assert!(
        html.contains("监理合同"),
        "the situational material is offered too"
    );
    let (csrf, key) = (csrf_of(&html), field_of(&html, "idempotency_key"));
    let post = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, &'static [u8])>| {
        let c = c.clone();
        let url = app.url("/items/QDJS00501-01/apply");
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let files: Vec<(&str, &str, &[u8])> =
                files.iter().map(|(k, b)| (*k, "材料.pdf", *b)).collect();
            let (ct, body) = multipart(&f, &files);
            c.post(url)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let fields = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("region", "370202".to_string()),
            ("situation", "renovation".to_string()),
            ("idempotency_key", key.clone()),
            ("confirm_shared", "on".to_string()),
        ]
    };
    // Without the CSRF token: refused before anything happens.
    let r = post(
        fields("wrong"),
        vec![("material-application", b"%PDF-1.7 a")],
    )
    .await;
    assert_eq!(r.status(), 403);
    // A required material missing: the form again, naming it; a disguised file: refused.
    let r = post(fields(&csrf), vec![("material-application", b"%PDF-1.7 a")]).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("缺少必交材料：施工合同"), "{text}");
    assert!(text.contains(&key), "the same submission key comes back");
    let r = post(
        fields(&csrf),
        vec![
            ("material-application", b"%PDF-1.7 a"),
            ("material-contract", b"GIF89a not a pdf"),
        ],
    )
    .await;
    assert_eq!(r.status(), 415);
    let citizen = super::common::login(&app, "citizen").await;
    let mine = |token: String| {
        let app = &app;
        async move {
            let v: serde_json::Value = super::common::get(app, &token, "/api/v1/cases")
                .await
                .json()
                .await
                .unwrap();
            v["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(mine(citizen.clone()).await, 0);
    // Complete: a case; the same form sent again lands on the same case.
    let files: Vec<(&'static str, &'static [u8])> = vec![
        ("material-application", b"%PDF-1.7 a"),
        ("material-contract", b"%PDF-1.7 c"),
    ];
    let first = post(fields(&csrf), files.clone()).await;
    assert_eq!(first.status(), 303);
    let location = first.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/cases/"), "{location}");
    let again = post(fields(&csrf), files).await;
    assert_eq!(again.headers()["location"].to_str().unwrap(), location);
    assert_eq!(mine(citizen).await, 1);
    let case: serde_json::Value = super::common::get(
        &app,
        &super::common::login(&app, "citizen").await,
        &format!("/api/v1{location}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(case["situation"], "renovation", "{case}");
    assert_eq!(case["materials"].as_object().unwrap().len(), 2, "{case}");

    // A refused supplement upload shows the case page again with the reason, not an error page.
    let supplement = |files: Vec<(&'static str, &'static [u8])>| {
        let c = c.clone();
        let url = app.url(&format!("{location}/supplement"));
        let csrf = csrf.clone();
        async move {
            let files: Vec<(&str, &str, &[u8])> =
                files.iter().map(|(k, b)| (*k, "补正.pdf", *b)).collect();
            let (ct, body) = multipart(&[("csrf", csrf.as_str())], &files);
            c.post(url)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = supplement(vec![]).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("id=\"case-error\"") && text.contains("请至少上传一份补正材料"),
        "{text}"
    );
    assert!(text.contains("id=\"case-number\""), "the case page itself");
    let r = supplement(vec![("material-contract", b"%PDF-1.7 c2")]).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("办件当前状态不允许此操作"),
        "no supplement was asked for: {text}"
    );
}

#[tokio::test]
async fn an_application_is_kept_as_a_draft_with_its_files_and_submitted_later() {
    let app = spawn_app().await;
    let c = browser_like();
    sign_in(&app, &c, "citizen").await;
    let get_html = |path: String| {
        let c = c.clone();
        let url = app.url(&path);
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let send = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, &'static [u8])>| {
        let c = c.clone();
        let url = app.url("/items/QDJS00501-01/apply");
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let files: Vec<(&str, &str, &[u8])> =
                files.iter().map(|(k, b)| (*k, "材料.pdf", *b)).collect();
            let (ct, body) = multipart(&f, &files);
            c.post(url)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let (_, html) = get_html("/items/QDJS00501-01/apply?region=370202".into()).await;
    let csrf = csrf_of(&html);
    assert!(html.contains("id=\"apply-save-draft\""), "{html}");

    // Saved with one of the two required files: no case, a draft that keeps the file.
    let r = send(
        vec![
            ("csrf", csrf.clone()),
            ("region", "370202".into()),
            ("situation", "renovation".into()),
            ("idempotency_key", field_of(&html, "idempotency_key")),
            ("draft_id", String::new()),
            ("action", "draft".into()),
        ],
        vec![("material-application", b"%PDF-1.7 a")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("draft=") && location.ends_with("saved=1"),
        "{location}"
    );
    let (status, html) = get_html(location).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"draft-saved\""), "{html}");
    let draft_id = field_of(&html, "draft_id");
    assert!(!draft_id.is_empty());
    assert!(
        html.contains("data-material=\"application\""),
        "the file is kept"
    );
    assert!(!html.contains("data-material=\"contract\""));
    let application_input = html
        .split("name=\"material-application\"")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap()
        .to_string();
    assert!(
        !application_input.contains("required"),
        "{application_input}"
    );
    assert!(
        html.contains("value=\"renovation\" selected"),
        "the situation is kept"
    );
    let (_, list) = get_html("/cases".into()).await;
    assert!(
        list.contains(&format!("/items/QDJS00501-01/apply?draft={draft_id}"))
            && list.contains("建筑工程施工许可证核发"),
        "{list}"
    );

    // Submitted from the draft with the other file: one case with both; the draft is gone.
    let r = send(
        vec![
            ("csrf", csrf.clone()),
            ("region", "370202".into()),
            ("situation", "renovation".into()),
            ("idempotency_key", field_of(&html, "idempotency_key")),
            ("draft_id", draft_id.clone()),
            ("confirm_shared", "on".into()),
        ],
        vec![("material-contract", b"%PDF-1.7 c")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let case_path = r.headers()["location"].to_str().unwrap().to_string();
    let citizen = super::common::login(&app, "citizen").await;
    let case: serde_json::Value =
        super::common::get(&app, &citizen, &format!("/api/v1{case_path}"))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(case["materials"].as_object().unwrap().len(), 2, "{case}");
    let drafts: serde_json::Value = super::common::get(&app, &citizen, "/api/v1/drafts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(drafts["items"].as_array().unwrap().len(), 0, "{drafts}");
    let (_, list) = get_html("/cases".into()).await;
    assert!(!list.contains("id=\"drafts\""));

    // Another draft, deleted from the list; someone else's draft is not found.
    let r = send(
        vec![
            ("csrf", csrf.clone()),
            ("region", "370202".into()),
            ("situation", String::new()),
            ("idempotency_key", "k-d2".into()),
            ("action", "draft".into()),
        ],
        vec![],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = get_html(r.headers()["location"].to_str().unwrap().to_string()).await;
    let second = field_of(&html, "draft_id");
    let other = browser_like();
    sign_in(&app, &other, "enterprise").await;
    let r = other
        .get(app.url(&format!("/items/QDJS00501-01/apply?draft={second}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .post(app.url(&format!("/drafts/{second}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, list) = get_html("/cases".into()).await;
    assert!(!list.contains(&second));
}
