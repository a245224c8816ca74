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
