//! Starting and stopping tauri-driver, and a few WebDriver helpers.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// One app window at a time: two WebKit processes on a 2-core machine make timings flaky.
pub static SERIAL: Mutex<()> = Mutex::new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free loopback port")
}

/// A running tauri-driver, stopped with SIGTERM on drop (SIGKILL would orphan
/// WebKitWebDriver, which then keeps the port and the test's pipes open).
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts tauri-driver; the app it launches inherits `INBOXLENS_DB=db`.
    pub fn start(db: &Path) -> Driver {
        let port = free_port();
        let native = free_port();
        let bin = which("tauri-driver");
        let child = Command::new(&bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("INBOXLENS_DB", db)
            .env_remove("INBOXLENS_NAMESERVER")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let d = Driver { child, port };
        d.wait_ready();
        d
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = format!(
                    "GET /status HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                    self.port
                );
                if s.write_all(req.as_bytes()).is_ok() {
                    let mut body = String::new();
                    let _ = s.read_to_string(&mut body);
                    if body.starts_with("HTTP/1.1 200") {
                        return;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("tauri-driver did not become ready on port {}", self.port);
    }

    /// Opens a session: launches the app and returns the WebDriver client.
    pub async fn session(&self) -> Client {
        let app = crate::e2e_app();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.display().to_string() }),
        );
        // WebKitWebDriver can drop the first request while the previous app is still
        // shutting down; a few tries with a pause ride that out.
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut last = None;
        let mut client = None;
        for _ in 0..5 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
        let client = client.unwrap_or_else(|| panic!("WebDriver session with the app: {last:?}"));
        // The page loads its modules and asks the backend; wait for the navigation.
        wait_for(&client, "#nav button[data-view=\"accounts\"]").await;
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Note the driver's descendants (WebKitWebDriver, the app) first: if a test panicked
        // before closing its session, they outlive the driver and must not leak.
        let descendants = descendants(self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for pid in descendants {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Every process below `root` in the process tree, read from /proc (Linux).
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces.
            let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            if let Some(ppid) = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok())
            {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(child, parent) in &parent_of {
            if parent == p && !out.contains(&child) {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}

/// Starts the app on `db`, runs `steps` in its window, then closes the session and the app.
pub async fn in_app(db: &Path, steps: impl AsyncFnOnce(&Client)) {
    let driver = Driver::start(db);
    let c = driver.session().await;
    steps(&c).await;
    close(c).await;
}

/// [`in_app`] on a runtime of its own: one test, one app session.
pub fn with_app(db: &Path, steps: impl AsyncFnOnce(&Client)) {
    runtime().block_on(in_app(db, steps));
}

/// A single-threaded runtime for the WebDriver client.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Ends the session (closes the app) and gives WebKitWebDriver time to let go.
pub async fn close(client: Client) {
    client.close().await.expect("close session");
    tokio::time::sleep(Duration::from_secs(2)).await;
}

fn which(name: &str) -> PathBuf {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let p = home.join(".cargo/bin").join(name);
    assert!(
        p.is_file(),
        "{name} not found on PATH or in ~/.cargo/bin: run `cargo xtask test`, which installs it"
    );
    p
}

/// Waits up to 15 s for `css` to match an element.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css} within 15 s: {e}"))
}

/// Replaces the value of the input or textarea `css` with `text` (WebKitWebDriver drops
/// "\n" in typed text: separate list items with commas).
pub async fn fill(client: &Client, css: &str, text: &str) {
    let el = wait_for(client, css).await;
    el.clear().await.expect("clear");
    if !text.is_empty() {
        el.send_keys(text).await.expect("type");
    }
}

/// The rendered text of every element matching `css`, read in one script call so a
/// re-render between elements cannot leave a stale reference.
pub async fn texts(client: &Client, css: &str) -> Vec<String> {
    let value = client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map((e) => e.innerText ?? e.textContent);",
            vec![serde_json::Value::String(css.to_string())],
        )
        .await
        .expect("read texts");
    serde_json::from_value(value).expect("array of strings")
}

/// Polls until `texts(css)` satisfies `ok`, up to 15 s; returns the last texts.
pub async fn wait_texts(client: &Client, css: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let t = texts(client, css).await;
        if ok(&t) || Instant::now() > deadline {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits for `css`, scrolls it to the middle of the view (the status bar covers the bottom
/// edge) and clicks it.
pub async fn click(client: &Client, css: &str) {
    let el = wait_for(client, css).await;
    let arg = serde_json::to_value(&el).expect("element reference");
    client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![arg],
        )
        .await
        .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
    el.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Hostile text stayed text: the page title is unchanged (no script ran) and the view holds
/// no `img`, `script`, `a`, `style` or `b` element (nothing became markup).
pub async fn assert_nothing_became_markup(client: &Client) {
    assert_eq!(client.title().await.expect("title"), "Inboxlens");
    for css in [
        "#view img",
        "#view script",
        "#view a",
        "#view style",
        "#view b",
    ] {
        assert!(
            client
                .find_all(Locator::Css(css))
                .await
                .expect("find")
                .is_empty(),
            "{css} exists"
        );
    }
}
