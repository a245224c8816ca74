//! Drives real headless Chromium against a one-page HTTP server; skipped when Chromium is absent.

use std::time::Duration;

use shenpi_testkit::browser::Browser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>smoke</title></head>
<body>
<form onsubmit="return false">
  <input id="q" value="old text">
  <button id="go" type="button"
    onclick="document.getElementById('out').textContent=document.getElementById('q').value">Go</button>
</form>
<p id="out"></p>
</body></html>"#;

/// Serves `PAGE` for every request on a free loopback port; returns the base URL.
async fn serve_page() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("cannot bind the page server: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("page server has no address: {e}"));
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                    PAGE.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{addr}/")
}

#[tokio::test]
async fn browser_fills_a_field_clicks_and_reads_the_result() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let url = serve_page().await;

    browser.set_window_size(1024, 768).await;
    browser.goto(&url).await;
    assert_eq!(browser.current_url().await, url);
    assert!(browser.wait_for("#q", Duration::from_secs(5)).await);
    assert!(browser.exists("#go").await);
    assert!(!browser.exists("#missing").await);
    assert!(browser.source().await.contains(r#"id="out""#));

    browser.fill("#q", "申请 shenpi 123").await;
    browser.click("#go").await;
    assert_eq!(browser.text("#out").await, "申请 shenpi 123");

    let shot = std::env::temp_dir().join(format!("shenpi-smoke-{}.png", std::process::id()));
    browser.screenshot_png(&shot).await;
    let png = std::fs::read(&shot).unwrap();
    let _ = std::fs::remove_file(&shot);
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "screenshot is not a PNG"
    );
}
