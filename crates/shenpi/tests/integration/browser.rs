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
