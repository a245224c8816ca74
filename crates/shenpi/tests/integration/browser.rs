//! In real headless Chromium: a clerk signs in and sees the workbench. Skipped (with a message)
//! when Chromium is not installed, unless SHENPI_REQUIRE_BROWSER=1.

use shenpi_testkit::browser::Browser;
use shenpi_testkit::spawn_app;
use std::time::Duration;

#[tokio::test]
async fn a_clerk_signs_in_in_chromium_and_sees_the_workbench() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    b.goto(&app.url("/")).await;
    assert!(
        b.wait_for("#username", Duration::from_secs(10)).await,
        "redirected to the sign-in page"
    );
    assert!(b.current_url().await.contains("/login"));
    b.fill("#username", "clerk-370202").await;
    b.fill("#password", "Demo#2026").await;
    b.click("#login-submit").await;
    assert!(
        b.wait_for("#home-title", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    assert_eq!(b.text("#home-title").await, "工作台");
    assert_eq!(b.text("#user-name").await, "市南区窗口受理员（演示）");
    // Phone-sized screen and elder mode still show the workbench.
    b.set_window_size(375, 812).await;
    b.goto(&app.url("/prefs?elder=1&back=/")).await;
    assert!(
        b.wait_for("html.elder #home-title", Duration::from_secs(10))
            .await
    );
    let shot = std::env::temp_dir().join("shenpi-workbench-375.png");
    b.screenshot_png(&shot).await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);
}

#[tokio::test]
async fn the_city_admin_changes_an_item_in_chromium_and_the_guide_shows_it_on_its_date() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    // A city-level item (no district implements it, so the city alone reviews).
    let mut item = shenpi_domain::catalog::example::example_item();
    item.code = "T-BROWSER-01".into();
    item.name = "浏览器测试事项".into();
    item.district_level = false;
    let store: &dyn shenpi_store::Store = &*app.store;
    let mut tx = store.begin().await.unwrap();
    tx.insert_item_version(&shenpi_domain::catalog::version::ItemVersion {
        code: item.code.clone(),
        version: 1,
        state: shenpi_domain::catalog::version::ItemState::Active,
        effective_from: "2026-01-01".parse().unwrap(),
        item,
        proposal_id: "test".into(),
        published_by: "test".into(),
        published_at: chrono::Utc::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    b.goto(&app.url("/login")).await;
    b.fill("#username", "admin").await;
    b.fill("#password", "Demo#2026").await;
    b.click("#login-submit").await;
    assert!(b.wait_for("#home-title", Duration::from_secs(10)).await);
    b.goto(&app.url("/proposals/new?op=change&code=T-BROWSER-01"))
        .await;
    assert!(
        b.wait_for("#create-proposal", Duration::from_secs(10))
            .await
    );
    b.fill("#title", "压缩承诺时限").await;
    b.fill("#promised_limit_days", "2").await;
    assert_eq!(b.value("#promised_limit_days").await, "2");
    b.click("#create-proposal").await;
    assert!(
        b.wait_for("#submit-proposal", Duration::from_secs(10))
            .await,
        "{}",
        b.source().await
    );
    let page = b.source().await;
    assert!(
        page.contains(">promised_limit_days</td>") && page.contains("<td>2</td>"),
        "the diff names the field and its new value: {page}"
    );
    b.click("#submit-proposal").await;
    assert!(
        b.wait_for("#approve-proposal", Duration::from_secs(10))
            .await,
        "{}",
        b.source().await
    );
    b.fill("#comment", "同意").await;
    b.click("#approve-proposal").await;
    assert!(
        b.wait_for("#publish-proposal", Duration::from_secs(10))
            .await,
        "{}",
        b.source().await
    );
    b.click("#publish-proposal").await;
    assert_eq!(
        b.wait_for_text("#proposal-status", "已发布", Duration::from_secs(10))
            .await,
        "已发布"
    );

    b.goto(&app.url("/items/T-BROWSER-01")).await;
    assert_eq!(b.text("#guide-version").await, "v1");
    assert!(
        b.source().await.contains("新版本 v2"),
        "the scheduled version is announced"
    );
    app.clock.advance(chrono::Duration::days(1));
    b.goto(&app.url("/items/T-BROWSER-01")).await;
    let page = b.source().await;
    assert!(
        page.contains("id=\"guide-version\">v2<") && page.contains("id=\"promised-limit\">2<"),
        "the guide shows v2 with its promised limit on its date: {page}"
    );
}

/// Signs in through the sign-in form (signing out first if someone is signed in).
pub(crate) async fn sign_in(b: &Browser, app: &shenpi_testkit::TestApp, username: &str) {
    b.goto(&app.url("/login")).await;
    if !b.exists("#username").await {
        // Sign out first; the click returns before the sign-out has answered, so wait for its
        // redirect to the sign-in page rather than racing it with another navigation.
        b.click("form[action=\"/logout\"] button").await;
        assert!(
            b.wait_for("#username", Duration::from_secs(10)).await,
            "{}",
            b.source().await
        );
    }
    b.fill("#username", username).await;
    b.fill("#password", "Demo#2026").await;
    b.click("#login-submit").await;
    assert!(
        b.wait_for("#home-title", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
}

/// The diagram drawn by bpmn-js: an `svg` in its `.djs-container`, with `g.djs-element`s
/// carrying the BPMN element ids; `canvas.addMarker(id, m)` adds class `m` to that `g`.
fn element(id: &str, marker: &str) -> String {
    format!("#diagram .djs-container svg g.djs-element[data-element-id=\"{id}\"]{marker}")
}

#[tokio::test]
async fn a_case_diagram_is_drawn_by_bpmn_js_with_the_current_step_marked() {
    use super::cases::submit;
    use super::common::login;
    use super::processes::{BARE_PROCESS, DI_PROCESS, complete, upload, use_process};
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-browser-diagram").await;
    let id = created["id"].as_str().unwrap().to_string();
    let number = created["number"].as_str().unwrap().to_string();
    complete(&app, "clerk-370202", &number, "accept").await;

    // The built-in steps: 受理 done, 审查 current, 决定 not reached.
    sign_in(&b, &app, "reviewer-370202").await;
    b.goto(&app.url(&format!("/cases/{id}/diagram"))).await;
    assert!(
        b.wait_for("#diagram[data-state]", Duration::from_secs(15))
            .await,
        "{}",
        b.source().await
    );
    assert!(
        b.exists("#diagram[data-state=\"ready\"]").await,
        "{}",
        b.text("#diagram .diagram-status").await
    );
    assert!(b.exists("#diagram .djs-container svg").await);
    assert!(b.exists(&element("review", ".current")).await);
    assert!(!b.exists(&element("review", ".done")).await);
    assert!(b.exists(&element("accept", ".done")).await);
    assert!(b.exists(&element("submit", ".done")).await);
    assert!(b.exists(&element("decide", "")).await);
    assert!(!b.exists(&element("decide", ".current")).await);
    assert!(!b.exists(&element("decide", ".done")).await);
    assert!(
        b.source().await.contains(">审查<"),
        "the Chinese names are drawn as SVG text"
    );
    b.set_window_size(375, 812).await;
    let shot = std::env::temp_dir().join("shenpi-case-diagram-375.png");
    b.screenshot_png(&shot).await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);

    // An uploaded process (with BPMNDI) drawn on the process management page, and one
    // without BPMNDI explained in Chinese instead of a blank area.
    let admin = login(&app, "admin").await;
    upload(&app, &admin, DI_PROCESS).await;
    upload(&app, &admin, BARE_PROCESS).await;
    use_process(&app, &admin, "permit-review").await;
    let second = submit(&app, &citizen, "k-browser-diagram-2").await;
    let number = second["number"].as_str().unwrap().to_string();
    complete(&app, "clerk-370202", &number, "accept").await;
    complete(&app, "reviewer-370202", &number, "approve").await;
    b.goto(&app.url(&format!(
        "/cases/{}/diagram",
        second["id"].as_str().unwrap()
    )))
    .await;
    assert!(
        b.wait_for("#diagram[data-state=\"ready\"]", Duration::from_secs(15))
            .await,
        "{}",
        b.source().await
    );
    assert!(b.exists(&element("decide", ".current")).await);
    assert!(b.exists(&element("review", ".done")).await);
    assert!(b.exists(&element("start", ".done")).await);
    assert!(!b.exists(&element("end", ".done")).await);

    sign_in(&b, &app, "admin").await;
    b.goto(&app.url("/processes/permit-review/1")).await;
    assert!(
        b.wait_for("#diagram[data-state=\"ready\"]", Duration::from_secs(15))
            .await,
        "{}",
        b.source().await
    );
    assert!(b.exists(&element("review", "")).await);
    assert!(!b.exists("#diagram .djs-element.current").await);
    b.goto(&app.url("/processes/bare-review/1")).await;
    assert!(
        b.wait_for("#diagram[data-state=\"error\"]", Duration::from_secs(15))
            .await
    );
    assert_eq!(
        b.text("#diagram .diagram-status").await,
        "该流程文件不含图形信息（BPMNDI），无法显示流程图"
    );
}

/// The idempotency key the apply form was rendered with.
async fn idempotency_key(b: &Browser) -> serde_json::Value {
    b.execute_async(
        "arguments[0](document.querySelector('input[name=idempotency_key]').value)",
        serde_json::json!([]),
    )
    .await
}

/// Polls until nothing matches `css` (e.g. a form gone after its submission).
pub(crate) async fn wait_gone(b: &Browser, css: &str, timeout: Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while b.exists(css).await {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

/// Completes the signed-in official's only task on the to-do page: outcome (and 退回 target),
/// opinion; waits until the to-do list is empty.
async fn complete_on_to_do_page(
    b: &Browser,
    app: &shenpi_testkit::TestApp,
    outcome: &str,
    target: Option<&str>,
    opinion: &str,
) {
    b.goto(&app.url("/tasks")).await;
    assert!(
        b.wait_for("select[name=\"outcome\"]", Duration::from_secs(10))
            .await,
        "{}",
        b.source().await
    );
    b.click(&format!(
        "select[name=\"outcome\"] option[value=\"{outcome}\"]"
    ))
    .await;
    if let Some(t) = target {
        b.click(&format!("select[name=\"target\"] option[value=\"{t}\"]"))
            .await;
    }
    b.fill("textarea[name=\"opinion\"]", opinion).await;
    b.click("form[action$=\"/complete\"] button[type=\"submit\"]")
        .await;
    assert!(
        b.wait_for(".empty", Duration::from_secs(15)).await,
        "{outcome}: {}",
        b.source().await
    );
}

/// Fetches the notice link whose text contains `title` with the browser's session: (HTTP
/// status, content type, bytes).
async fn fetch_notice(b: &Browser, title: &str) -> (u64, String, Vec<u8>) {
    let script = r#"
        const title = arguments[0];
        const done = arguments[arguments.length - 1];
        const a = [...document.querySelectorAll('a.notice-link')].find(x => x.textContent.includes(title));
        if (!a) { done({error: 'no link ' + title}); return; }
        fetch(a.href, {credentials: 'same-origin'})
          .then(r => r.arrayBuffer().then(buf => done({
              status: r.status,
              type: r.headers.get('content-type'),
              bytes: Array.from(new Uint8Array(buf)),
          })))
          .catch(e => done({error: String(e)}));
    "#;
    let v = b.execute_async(script, serde_json::json!([title])).await;
    assert!(v.get("error").is_none(), "{v}");
    let bytes = v["bytes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| u8::try_from(x.as_u64().unwrap()).unwrap())
        .collect();
    (
        v["status"].as_u64().unwrap(),
        v["type"].as_str().unwrap_or("").to_string(),
        bytes,
    )
}

/// Issue item 9: a citizen applies online with PDF files, the clerk asks for a supplement, the
/// citizen supplies it, the clerk accepts, the reviewer approves, the approver returns the case
/// to the previous step, the reviewer approves again, the approver grants, and the citizen
/// downloads the sealed decision, which verifies and closes the case. Then a second accepted
/// case reaches its promised deadline on the fake clock and e-supervision shows it yellow.
#[tokio::test]
async fn a_citizen_applies_online_and_gets_a_sealed_decision_through_the_workflow_in_chromium() {
    use super::cases::{ITEM, open_task, submit};
    use super::common::{client, login};
    use super::processes::complete;
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    b.set_window_size(390, 844).await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = |name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("%PDF-1.7\n% {name}\n%%EOF\n")).unwrap();
        path
    };
    let (application, contract, fixed) = (
        pdf("申请表.pdf"),
        pdf("施工合同.pdf"),
        pdf("施工合同-补正.pdf"),
    );
    let disguised = dir.path().join("伪装.pdf");
    std::fs::write(&disguised, "MZ not really a PDF").unwrap();

    // The citizen opens the guide, follows 在线申请 and applies.
    sign_in(&b, &app, "citizen").await;
    b.goto(&app.url(&format!("/items/{ITEM}?region=370202")))
        .await;
    assert!(b.wait_for("#apply-online", Duration::from_secs(10)).await);
    assert_eq!(b.text("#apply-online").await, "在线申请");
    b.click("#apply-online").await;
    assert!(
        b.wait_for("#apply-form", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    assert!(
        b.text("#apply-title")
            .await
            .contains("建筑工程施工许可证核发")
    );
    let first_key = idempotency_key(&b).await;
    // A disguised file is refused by its content; the form comes back with the message.
    b.click("#situation option[value=\"renovation\"]").await;
    b.attach("#material-application", &application).await;
    b.attach("#material-contract", &disguised).await;
    // The applicant agrees to the platform fetching the shared-data materials (免提交).
    b.click("#confirm-shared").await;
    b.click("#apply-submit").await;
    assert!(
        b.wait_for("#apply-error", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    assert!(
        b.text("#apply-error").await.contains("只接受 PDF"),
        "{}",
        b.text("#apply-error").await
    );
    assert_eq!(
        idempotency_key(&b).await,
        first_key,
        "the same submission key comes back"
    );
    assert!(
        b.exists("#situation option[value=\"renovation\"][selected]")
            .await
    );
    let citizen = login(&app, "citizen").await;
    let mine: serde_json::Value = super::common::get(&app, &citizen, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        0,
        "no case: {mine}"
    );
    b.attach("#material-application", &application).await;
    b.attach("#material-contract", &contract).await;
    b.click("#confirm-shared").await;
    b.click("#apply-submit").await;
    assert!(
        b.wait_for("#case-number", Duration::from_secs(15)).await,
        "{}",
        b.source().await
    );
    let url = b.current_url().await;
    let case_id = url.rsplit('/').next().unwrap().to_string();
    let number = b.text("#case-number").await;
    assert_eq!(b.text("#case-status").await, "已提交");

    // The clerk asks for a supplement (一次性补正告知).
    sign_in(&b, &app, "clerk-370202").await;
    complete_on_to_do_page(
        &b,
        &app,
        "request_supplement",
        None,
        "施工合同缺少双方盖章页，请补正。",
    )
    .await;

    // The citizen sees the request and its sealed notice, and uploads the supplement.
    sign_in(&b, &app, "citizen").await;
    b.goto(&app.url(&format!("/cases/{case_id}"))).await;
    assert!(
        b.wait_for("#supplement-request", Duration::from_secs(10))
            .await,
        "{}",
        b.source().await
    );
    assert!(
        b.text("#supplement-request")
            .await
            .contains("施工合同缺少双方盖章页")
    );
    assert_eq!(b.text("#case-status").await, "补正中");
    assert!(b.text("#notices").await.contains("一次性补正告知书"));
    let (status, ctype, bytes) = fetch_notice(&b, "一次性补正告知书").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/pdf"), "{ctype}");
    assert!(bytes.starts_with(b"%PDF-"));
    b.attach("#supplement-form #material-contract", &fixed)
        .await;
    b.click("#supplement-submit").await;
    assert!(
        wait_gone(&b, "#supplement-request", Duration::from_secs(15)).await,
        "{}",
        b.source().await
    );
    assert!(b.wait_for("#case-status", Duration::from_secs(10)).await);
    assert_eq!(b.text("#case-status").await, "已提交");

    // Acceptance, review, a return to the previous step, review again, and the grant.
    sign_in(&b, &app, "clerk-370202").await;
    complete_on_to_do_page(&b, &app, "accept", None, "材料齐全，予以受理。").await;
    sign_in(&b, &app, "reviewer-370202").await;
    complete_on_to_do_page(&b, &app, "approve", None, "经审查，符合条件。").await;
    sign_in(&b, &app, "approver-370202").await;
    b.goto(&app.url("/tasks")).await;
    assert!(
        b.wait_for("select[name=\"target\"]", Duration::from_secs(10))
            .await
    );
    assert!(b.text("select[name=\"outcome\"]").await.contains("退回"));
    complete_on_to_do_page(
        &b,
        &app,
        "return",
        Some("previous"),
        "请核对施工合同金额后重新审查。",
    )
    .await;
    sign_in(&b, &app, "reviewer-370202").await;
    complete_on_to_do_page(&b, &app, "approve", None, "已核对合同金额，符合条件。").await;
    sign_in(&b, &app, "approver-370202").await;
    complete_on_to_do_page(
        &b,
        &app,
        "approve",
        None,
        "经审查，申请材料齐全、符合法定形式，准予行政许可。",
    )
    .await;

    // The citizen downloads the sealed decision; it verifies, and the case is closed.
    sign_in(&b, &app, "citizen").await;
    b.goto(&app.url(&format!("/cases/{case_id}"))).await;
    assert!(b.wait_for("#case-status", Duration::from_secs(10)).await);
    assert_eq!(b.text("#case-status").await, "准予许可");
    let (status, ctype, decision) = fetch_notice(&b, "准予行政许可决定书").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/pdf"), "{ctype}");
    assert!(decision.starts_with(b"%PDF-"));
    assert!(
        decision
            .windows(b"%SHENPI-SEAL".len())
            .any(|w| w == b"%SHENPI-SEAL"),
        "the decision carries the seal line"
    );
    let verified: serde_json::Value = client()
        .post(app.url("/api/v1/notices/verify"))
        .header("content-type", "application/pdf")
        .body(decision)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified["valid"], true, "{verified}");
    b.goto(&app.url(&format!("/cases/{case_id}"))).await;
    assert!(b.wait_for("#case-status", Duration::from_secs(10)).await);
    assert_eq!(b.text("#case-status").await, "办结", "{number}");

    // A second case, accepted, reaches the day of its promised deadline: yellow on e-supervision.
    let second = submit(&app, &citizen, "k-browser-deadline").await;
    let second_number = second["number"].as_str().unwrap().to_string();
    complete(&app, "clerk-370202", &second_number, "accept").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let sla = open_task(&app, &reviewer, &second_number).await["sla"].clone();
    assert_eq!(sla["colour"], "green", "{sla}");
    let deadline: chrono::NaiveDate = sla["promised_deadline"].as_str().unwrap().parse().unwrap();
    let today = (shenpi_testkit::start_time() + chrono::Duration::hours(8)).date_naive();
    app.clock
        .set(shenpi_testkit::start_time() + chrono::Duration::days((deadline - today).num_days()));
    sign_in(&b, &app, "deptadmin-370202").await;
    b.goto(&app.url("/supervision")).await;
    assert!(b.wait_for("table.data", Duration::from_secs(10)).await);
    let row = b
        .execute_async(
            r#"const n = arguments[0], done = arguments[arguments.length - 1];
               const tr = [...document.querySelectorAll('table.data tbody tr')].find(r => r.textContent.includes(n));
               const badge = tr && tr.querySelector('.badge');
               done(badge ? {class: badge.className, label: badge.textContent.trim()} : null);"#,
            serde_json::json!([second_number]),
        )
        .await;
    assert_eq!(row["class"], "badge yellow", "{row}");
    assert_eq!(row["label"], "预警", "{row}");
    assert!(
        !b.source().await.contains(&number),
        "the closed case is not supervised any more"
    );
}

/// A business form in Chromium on a phone-sized screen: rendered from its definition, and the
/// conditional field (网站或平台名称) shows only once 网络经营 is answered 是.
#[tokio::test]
async fn a_business_form_shows_its_conditional_field_when_it_applies_in_chromium() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    b.set_window_size(375, 812).await;
    b.goto(&app.url("/login")).await;
    b.fill("#username", "citizen").await;
    b.fill("#password", "Demo#2026").await;
    b.click("#login-submit").await;
    assert!(b.wait_for("#home-title", Duration::from_secs(10)).await);
    b.goto(&app.url("/items/QDSP00101-01/apply?region=370202"))
        .await;
    assert!(
        b.wait_for("#business-form", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    async fn hidden(b: &Browser) -> serde_json::Value {
        b.execute_async(
            "const done = arguments[arguments.length - 1]; \
             const f = document.querySelector('[data-field=\"f:/website\"]'); \
             done(f ? f.hidden : null);",
            serde_json::json!([]),
        )
        .await
    }
    // The script runs after the page loads; wait for it to hide the field.
    let mut now_hidden = serde_json::Value::Null;
    for _ in 0..50 {
        now_hidden = hidden(&b).await;
        if now_hidden == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(now_hidden, true, "hidden until 网络经营 is 是");
    b.click("input[name=\"f:/online\"][value=\"true\"]").await;
    assert_eq!(hidden(&b).await, false, "shown once it applies");
    b.click("input[name=\"f:/online\"][value=\"false\"]").await;
    assert_eq!(hidden(&b).await, true);
    // The group and the region code list are there on the phone layout too; 添加一行 adds
    // row 1 after the blank row 0.
    assert!(b.exists("[name=\"f:/staff/0/name\"]").await);
    assert!(!b.exists("[name=\"f:/staff/1/name\"]").await);
    b.click("button.add-row").await;
    assert!(b.exists("[name=\"f:/staff/1/name\"]").await);
    assert!(b.exists("[name=\"f:/staff/1/health_cert_no\"]").await);
    assert!(b.exists("select[name=\"f:/premises/region\"]").await);
}
