//! A minimal W3C WebDriver client for browser tests, driving Debian's `chromedriver` and
//! headless `chromium`.
//!
//! [`Browser::start`] launches a private `chromedriver` on a free loopback port, opens one session
//! with a fresh Chromium profile in a temporary directory, and returns a handle whose methods are
//! the few WebDriver commands our page tests need (navigate, fill, click, read text, wait,
//! screenshot). Every WebDriver error panics with the command and the driver's message: this is
//! test code, and a failing step should fail the test where it happened.
//!
//! When Chromium or chromedriver is not installed, `start` returns `None` and the test should
//! return early, so `cargo test` works on a bare machine. CI sets `SHENPI_REQUIRE_BROWSER=1` to
//! turn that skip into a panic.
//!
//! Dropping the [`Browser`] ends the session (which makes chromedriver quit Chromium), kills
//! chromedriver and removes the profile directory.
//!
//! This module knows nothing about shenpi's pages; it must stay a thin, generic driver.
//!
//! Environment:
//! - `SHENPI_CHROMIUM`: the Chromium binary (default `/usr/bin/chromium`).
//! - `SHENPI_CHROMEDRIVER`: the chromedriver binary (default `/usr/bin/chromedriver`).
//! - `SHENPI_REQUIRE_BROWSER=1`: panic instead of skipping when either is missing.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const READY_TIMEOUT: Duration = Duration::from_secs(10);
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A headless Chromium session driven through a private chromedriver process.
pub struct Browser {
    client: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`, the prefix of every session command.
    session_url: String,
    session_id: String,
    // Dropped after `Browser::drop` has ended the session: kills chromedriver, removes the profile.
    driver: Driver,
}

impl Browser {
    /// Starts chromedriver and opens a headless Chromium session.
    ///
    /// Returns `None` (saying why on stderr) when Chromium or chromedriver is missing, unless
    /// `SHENPI_REQUIRE_BROWSER=1`, in which case it panics with the same message.
    pub async fn start() -> Option<Browser> {
        let chromium = env_path("SHENPI_CHROMIUM", DEFAULT_CHROMIUM);
        let chromedriver = env_path("SHENPI_CHROMEDRIVER", DEFAULT_CHROMEDRIVER);
        for (name, path) in [("chromium", &chromium), ("chromedriver", &chromedriver)] {
            if !path.is_file() {
                let why = format!(
                    "{name} not found at {}: browser test skipped; \
                     install with apt-get install chromium chromium-driver",
                    path.display()
                );
                if std::env::var("SHENPI_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                    panic!("{why} (SHENPI_REQUIRE_BROWSER=1)");
                }
                eprintln!("{why}");
                return None;
            }
        }
        let client = reqwest::Client::builder()
            .no_proxy() // CI machines often set http_proxy; chromedriver is on loopback.
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_else(|e| panic!("cannot build HTTP client: {e}"));
        let driver = Driver::launch(&chromedriver, &client).await;
        let session_id = new_session(&client, &driver, &chromium).await;
        let session_url = format!("{}/session/{session_id}", driver.base_url());
        Some(Browser {
            client,
            session_url,
            session_id,
            driver,
        })
    }

    /// Navigates to `url` and waits for the page load to finish.
    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    /// The URL of the current page (after redirects).
    pub async fn current_url(&self) -> String {
        as_string(self.get("/url").await, "current url")
    }

    /// Clears the first element matching `css` and types `text` into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/clear"), json!({}))
            .await;
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Attaches a local file to the first `<input type="file">` matching `css` (WebDriver sends
    /// the absolute path as the input's keys; the input is not cleared first).
    pub async fn attach(&self, css: &str, file: &Path) {
        let element = self.find(css).await;
        let path = file
            .canonicalize()
            .unwrap_or_else(|e| panic!("cannot attach {}: {e}", file.display()));
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": path.to_string_lossy() }),
        )
        .await;
    }

    /// Runs `script` in the page as an asynchronous WebDriver script: its last argument is the
    /// callback to call with the result, which is returned here as JSON.
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// The visible (rendered) text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        as_string(self.get(&format!("/element/{element}/text")).await, css)
    }

    /// The current `value` property of the first form field matching `css` (what a submit
    /// would send, unlike the `value` attribute, which keeps the page's initial value).
    pub async fn value(&self, css: &str) -> String {
        let element = self.find(css).await;
        let v = self
            .get(&format!("/element/{element}/property/value"))
            .await;
        as_string(v, css)
    }

    /// Whether at least one element matches `css` now.
    pub async fn exists(&self, css: &str) -> bool {
        let found = self.post("/elements", css_locator(css)).await;
        found
            .as_array()
            .is_some_and(|elements| !elements.is_empty())
    }

    /// The serialized DOM of the current page.
    pub async fn source(&self) -> String {
        as_string(self.get("/source").await, "page source")
    }

    /// Polls until an element matches `css`; `false` if none did within `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.exists(css).await {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Polls until the first element matching `css` shows `text` (a click that submits a form
    /// may return before the next page has loaded, while the old page still has the element);
    /// the text last seen otherwise, after `timeout`.
    pub async fn wait_for_text(&self, css: &str, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = if self.exists(css).await {
                self.text(css).await
            } else {
                String::new()
            };
            if seen == text || Instant::now() >= deadline {
                return seen;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Saves a PNG screenshot of the viewport to `path`, creating parent directories.
    pub async fn screenshot_png(&self, path: &Path) {
        let encoded = as_string(self.get("/screenshot").await, "screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_bytes())
            .unwrap_or_else(|e| panic!("WebDriver screenshot is not base64: {e}"));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        tokio::fs::write(path, png)
            .await
            .unwrap_or_else(|e| panic!("cannot write screenshot {}: {e}", path.display()));
    }

    /// Resizes the browser window (outer size, in CSS pixels).
    pub async fn set_window_size(&self, w: u32, h: u32) {
        self.post("/window/rect", json!({ "width": w, "height": h }))
            .await;
    }

    /// The WebDriver element id of the first element matching `css`; panics if there is none.
    async fn find(&self, css: &str) -> String {
        let found = self.post("/element", css_locator(css)).await;
        found
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("WebDriver find {css:?}: no element reference in {found}"))
    }

    async fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.session_url);
        command(&self.client, Method::GET, &url, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.session_url);
        command(&self.client, Method::POST, &url, Some(body)).await
    }
}

impl Drop for Browser {
    /// Ends the session so chromedriver quits Chromium (killing chromedriver alone can leave
    /// Chromium running). Drop cannot await, so this is a blocking request with short timeouts.
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session_id);
        let _ = blocking_delete(self.driver.port, &path);
    }
}

/// The chromedriver child process and the Chromium profile directory it owns.
struct Driver {
    child: Child,
    port: u16,
    profile_dir: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until `/status` reports ready. The port is
    /// found by binding port 0 and releasing it, which can race; a driver that exits early is
    /// retried on a new port.
    async fn launch(chromedriver: &Path, client: &reqwest::Client) -> Driver {
        let mut last_failure = String::new();
        for _attempt in 0..3 {
            let mut driver = Driver::spawn(chromedriver);
            match driver.wait_ready(client).await {
                Ok(()) => return driver,
                Err(failure) => last_failure = failure,
            }
        }
        panic!(
            "chromedriver at {} did not start: {last_failure}",
            chromedriver.display()
        );
    }

    fn spawn(chromedriver: &Path) -> Driver {
        let port = free_port();
        let profile_dir = fresh_profile_dir();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", chromedriver.display()));
        Driver {
            child,
            port,
            profile_dir,
        }
    }

    async fn wait_ready(&mut self, client: &reqwest::Client) -> Result<(), String> {
        let url = format!("{}/status", self.base_url());
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "it exited with {status} (port {} taken?)",
                    self.port
                ));
            }
            let ready = client
                .get(&url)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(response) = ready {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                if body["value"]["ready"] == Value::Bool(true) {
                    return Ok(());
                }
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        Err(format!(
            "GET {url} did not report ready within {READY_TIMEOUT:?}"
        ))
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

/// Opens a WebDriver session running headless Chromium with a fresh profile; returns its id.
async fn new_session(client: &reqwest::Client, driver: &Driver, chromium: &Path) -> String {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--window-size=1280,900",
    ]
    .map(str::to_owned)
    .into_iter()
    .chain([format!("--user-data-dir={}", driver.profile_dir.display())])
    .collect::<Vec<_>>();
    let capabilities = json!({
        "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium.display().to_string(), "args": args },
        }}
    });
    let url = format!("{}/session", driver.base_url());
    let created = command(client, Method::POST, &url, Some(capabilities)).await;
    created
        .get("sessionId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("WebDriver new session: no sessionId in {created}"))
}

/// Sends one WebDriver command and returns its `value`; panics on any error.
async fn command(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Value {
    let what = format!("WebDriver {method} {url}");
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let status = response.status();
    let mut reply: Value = response
        .json()
        .await
        .unwrap_or_else(|e| panic!("{what}: HTTP {status} with a non-JSON body: {e}"));
    let value = reply
        .get_mut("value")
        .map(Value::take)
        .unwrap_or(Value::Null);
    if !status.is_success() || value.get("error").is_some() {
        let error = value["error"].as_str().unwrap_or("unknown error");
        let message = value["message"].as_str().unwrap_or("");
        panic!("{what} failed (HTTP {status}): {error}: {message}");
    }
    value
}

/// A blocking `DELETE` to chromedriver, for use in `Drop`.
fn blocking_delete(port: u16, path: &str) -> std::io::Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "DELETE {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    // The reply comes once Chromium has quit. chromedriver answers `Connection: close` but keeps
    // the socket open, so read up to the end of the body rather than to EOF.
    let mut reply = Vec::new();
    let mut chunk = [0u8; 512];
    while !http_reply_complete(&reply) {
        match stream.read(&mut chunk)? {
            0 => break,
            n => reply.extend_from_slice(&chunk[..n]),
        }
    }
    Ok(())
}

/// Whether `reply` holds a whole HTTP response: headers plus `Content-Length` bytes of body.
fn http_reply_complete(reply: &[u8]) -> bool {
    let Some(header_end) = reply.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let headers = String::from_utf8_lossy(&reply[..header_end]);
    let length = headers
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    reply.len() >= header_end + 4 + length
}

fn css_locator(css: &str) -> Value {
    json!({ "using": "css selector", "value": css })
}

fn as_string(value: Value, what: &str) -> String {
    match value {
        Value::String(s) => s,
        other => panic!("WebDriver {what}: expected a string, got {other}"),
    }
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map_or_else(|| default.into(), PathBuf::from)
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("cannot find a free loopback port: {e}"))
}

/// A new, empty directory under the system temp dir for one Chromium profile.
fn fresh_profile_dir() -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "shenpi-chromium-{}-{n}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot create profile dir {}: {e}", dir.display()));
    dir
}

#[cfg(test)]
mod tests {
    use super::http_reply_complete;

    #[test]
    fn http_reply_is_complete_once_the_declared_body_has_arrived() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Length:14\r\nConnection:close\r\n\r\n";
        let full = [&head[..], b"{\"value\":null}"].concat();
        assert!(!http_reply_complete(&head[..head.len() - 2]));
        assert!(!http_reply_complete(&full[..full.len() - 1]));
        assert!(http_reply_complete(&full));
    }
}
