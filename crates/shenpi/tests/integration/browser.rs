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
    b.click("#create-proposal").await;
    assert!(
        b.wait_for("#submit-proposal", Duration::from_secs(10))
            .await,
        "{}",
        b.source().await
    );
    assert!(
        b.source().await.contains("promised_limit_days"),
        "the diff names the field"
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
    assert!(
        b.wait_for("#proposal-status", Duration::from_secs(10))
            .await
    );
    assert_eq!(b.text("#proposal-status").await, "已发布");

    b.goto(&app.url("/items/T-BROWSER-01")).await;
    assert_eq!(b.text("#guide-version").await, "v1");
    assert!(
        b.source().await.contains("新版本 v2"),
        "the scheduled version is announced"
    );
    app.clock.advance(chrono::Duration::days(1));
    b.goto(&app.url("/items/T-BROWSER-01")).await;
    assert_eq!(b.text("#guide-version").await, "v2");
    assert_eq!(b.text("#promised-limit").await, "2");
}

/// Signs in through the sign-in form (signing out first if someone is signed in).
async fn sign_in(b: &Browser, app: &shenpi_testkit::TestApp, username: &str) {
    b.goto(&app.url("/login")).await;
    if !b.exists("#username").await {
        b.click("form[action=\"/logout\"] button").await;
        b.goto(&app.url("/login")).await;
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
