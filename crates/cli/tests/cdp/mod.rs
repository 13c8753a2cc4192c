//! A tiny Chrome DevTools Protocol client for the browser tests: Debian's Chromium,
//! headless, with a fresh profile and `--remote-debugging-port=0`; one page driven over a
//! WebSocket (the handful of frames the protocol needs, over std's `TcpStream`). It records
//! what a page does that the tests forbid: console messages, uncaught exceptions, the
//! browser's own error log (a resource that failed, a blocked request) and every request
//! the page makes, and it takes screenshots.
//!
//! **Every wait is bounded**: a test fails with a message, it never hangs. The WebSocket is
//! read by a thread of its own that hands each message over a channel, and every wait on
//! that channel (or on Chromium's start) has a deadline: [`START_LIMIT`] for Chromium to
//! say where it listens, [`CALL_LIMIT`] for the answer to a command, [`Browser::load_limit`]
//! for a page's load event, and at most [`SETTLE_LIMIT`] for the late messages after it.
//! A navigation the browser does not turn into a page (a download, a refused address) is
//! an error at once, with the browser's reason.
//!
//! Browsers are started one at a time in a test process (the tests run in parallel; two
//! Chromiums on a 2-core machine only slow each other down): [`Browser`] holds a lock
//! until dropped.

// The deadlines read the clock (tests may; the library code may not).
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long Chromium may take to start and say where its DevTools listen.
pub const START_LIMIT: Duration = Duration::from_secs(30);

/// How long a command may take to be answered (a screenshot of a long page included).
pub const CALL_LIMIT: Duration = Duration::from_secs(30);

/// How long a page may take to load by default (the server's own time limit is 10 s).
pub const LOAD_LIMIT: Duration = Duration::from_secs(30);

/// After the load event, messages are taken until 300 ms pass without one, at most this
/// long (late console errors are caught; a page that never goes quiet does not hold us).
pub const SETTLE_LIMIT: Duration = Duration::from_secs(3);

/// One browser at a time in this test process.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A headless Chromium and one page of it, closed when dropped.
pub struct Browser {
    child: Killed,
    profile: PathBuf,
    ws: TcpStream,
    messages: Receiver<Result<String, String>>,
    next_id: u64,
    /// The longest a page may take to load ([`LOAD_LIMIT`] unless changed).
    pub load_limit: Duration,
    /// Everything the page did since the last [`Browser::visit`].
    pub seen: Seen,
    _turn: MutexGuard<'static, ()>,
}

/// What a page did while it loaded.
#[derive(Debug, Default)]
pub struct Seen {
    /// Every URL the page requested (documents, styles, scripts, images, fetches).
    pub requests: Vec<String>,
    /// Console messages (`error: text`) and uncaught exceptions.
    pub console: Vec<String>,
    /// The browser's log at level error or warning (`error: text (url)`).
    pub log: Vec<String>,
}

/// Kills a child process when dropped (a browser whose start failed half-way included).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// Starts Chromium (the flags of the issue: headless, no sandbox, no GPU, no background
    /// networking or component updates, a fresh profile) and attaches to its page; panics
    /// with what Chromium said when it does not start within [`START_LIMIT`].
    pub fn start(browser: &str, width: u32, height: u32) -> Browser {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let profile = std::env::temp_dir().join(format!(
            "detente-cdp-{}-{}",
            std::process::id(),
            PROFILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut child = Killed(
            Command::new(browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--remote-debugging-port=0",
                    // Offline: no name but this machine's resolves, whoever asks (the page or
                    // the browser's own services).
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                ])
                .arg(format!("--window-size={width},{height}"))
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg("about:blank")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {browser}: {e}")),
        );
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr, read by
        // a thread that then drains the rest (so that Chromium never blocks on a full pipe).
        let stderr = child.0.stderr.take().expect("piped");
        let (tx, lines) = channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + START_LIMIT;
        let mut said = vec![];
        let addr = loop {
            match lines.recv_timeout(left(deadline)) {
                Ok(line) => {
                    if let Some(rest) = line.trim().strip_prefix("DevTools listening on ws://") {
                        break rest.split('/').next().unwrap_or_default().to_string();
                    }
                    said.push(line);
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "Chromium did not say where its DevTools listen within {START_LIMIT:?}; it said: {said:?}"
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("Chromium ended without a DevTools address; it said: {said:?}")
                }
            }
        };
        drop(lines);
        // The page target (Chromium may list it a moment after it listens).
        let path = loop {
            let targets: Value = serde_json::from_str(&http_get(&addr, "/json/list"))
                .unwrap_or_else(|e| panic!("DevTools /json/list is not JSON: {e}"));
            let page = targets.as_array().into_iter().flatten().find(|t| t["type"] == "page");
            if let Some(url) = page.and_then(|p| p["webSocketDebuggerUrl"].as_str()) {
                break url[url.find("/devtools/").expect("a DevTools URL")..].to_string();
            }
            assert!(Instant::now() < deadline, "Chromium lists no page target: {targets}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let ws = websocket(&addr, &path);
        // The WebSocket's reader: each whole message, or the error that ended it.
        let mut reader = ws.try_clone().expect("a second handle on the DevTools socket");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let m = read_text(&mut reader);
                let end = m.is_err();
                if tx.send(m).is_err() || end {
                    return;
                }
            }
        });
        let mut b = Browser {
            child,
            profile,
            ws,
            messages,
            next_id: 0,
            load_limit: LOAD_LIMIT,
            seen: Seen::default(),
            _turn: turn,
        };
        for method in ["Runtime.enable", "Log.enable", "Network.enable", "Page.enable"] {
            b.call(method, json!({}));
        }
        b
    }

    /// Loads `url`, waits for its load event and a moment after (for late errors);
    /// [`Browser::seen`] then holds what the page did. Panics when it does not load.
    pub fn visit(&mut self, url: &str) {
        if let Err(e) = self.try_visit(url) {
            panic!("{e}");
        }
    }

    /// [`Browser::visit`], saying why the page did not load (the browser refused it, or no
    /// load event came within [`Browser::load_limit`]) instead of panicking.
    pub fn try_visit(&mut self, url: &str) -> Result<(), String> {
        self.seen = Seen::default();
        let limit = self.load_limit;
        let deadline = Instant::now() + limit;
        // The navigation is answered once the page's answer has come (never, from a server
        // that does not answer).
        let r =
            self.try_call_by("Page.navigate", json!({ "url": url }), deadline).map_err(|e| {
                format!(
                    "{url}: not loaded within {limit:?}: {e} (requests: {:?})",
                    self.seen.requests
                )
            })?;
        if let Some(e) = r.get("errorText") {
            return Err(format!("{url}: the browser did not load it as a page: {e}"));
        }
        loop {
            match self.next_message(deadline)? {
                Some(m) if m["method"] == "Page.loadEventFired" => break,
                Some(_) => {}
                None => {
                    return Err(format!(
                        "{url}: not loaded within {limit:?}: no load event (requests: {:?}, console: {:?})",
                        self.seen.requests, self.seen.console
                    ));
                }
            }
        }
        let end = Instant::now() + SETTLE_LIMIT;
        while Instant::now() < end {
            let quiet = (Instant::now() + Duration::from_millis(300)).min(end);
            if self.next_message(quiet)?.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// The page's whole HTML, as the browser has it now (after its scripts ran).
    pub fn dom(&mut self) -> String {
        let v = self.eval("document.documentElement.outerHTML");
        v.as_str().unwrap_or_else(|| panic!("the DOM is not a string: {v}")).to_string()
    }

    /// Saves a screenshot of the whole page as PNG.
    pub fn screenshot(&mut self, file: &Path) {
        let v = self.call("Page.captureScreenshot", json!({ "captureBeyondViewport": true }));
        let png = base64(v["data"].as_str().expect("screenshot data"));
        std::fs::write(file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }

    /// Makes the viewport a phone's (`width` CSS pixels, twice as many device pixels).
    pub fn phone(&mut self, width: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 844, "deviceScaleFactor": 2, "mobile": true }),
        );
    }

    /// Makes the viewport the window's again (after [`Browser::phone`]).
    pub fn screen(&mut self) {
        self.call("Emulation.clearDeviceMetricsOverride", json!({}));
    }

    /// Prints the page as PDF (A4), as a reader would print it.
    pub fn pdf(&mut self, file: &Path) {
        let v = self.call("Page.printToPDF", json!({ "paperWidth": 8.27, "paperHeight": 11.69 }));
        let pdf = base64(v["data"].as_str().expect("PDF data"));
        std::fs::write(file, pdf).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }

    /// Evaluates a JavaScript expression in the page; its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let v = self
            .call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true }));
        v["result"]["value"].clone()
    }

    /// Sends a command and waits for its answer; panics when it fails or none comes within
    /// [`CALL_LIMIT`].
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.try_call(method, params).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sends a command and waits for its answer (at most [`CALL_LIMIT`]), recording the
    /// events met on the way.
    fn try_call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.try_call_by(method, params, Instant::now() + CALL_LIMIT).map_err(|e| {
            if e.ends_with("no answer") { format!("{e} within {CALL_LIMIT:?}") } else { e }
        })
    }

    /// Sends a command and waits for its answer until `deadline`.
    fn try_call_by(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        send_text(&mut self.ws, &text).map_err(|e| format!("{method}: cannot send: {e}"))?;
        loop {
            let Some(m) = self.next_message(deadline)? else {
                return Err(format!("{method}: no answer"));
            };
            if m["id"] == id {
                if let Some(e) = m.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(m["result"].clone());
            }
        }
    }

    /// The next message, its events recorded; `None` when none came by `deadline`, an error
    /// when the connection ended.
    fn next_message(&mut self, deadline: Instant) -> Result<Option<Value>, String> {
        let text = match self.messages.recv_timeout(left(deadline)) {
            Ok(Ok(text)) => text,
            Ok(Err(e)) => return Err(format!("the DevTools connection ended: {e}")),
            Err(RecvTimeoutError::Timeout) => return Ok(None),
            Err(RecvTimeoutError::Disconnected) => {
                return Err("the DevTools connection ended".to_string());
            }
        };
        let m: Value =
            serde_json::from_str(&text).map_err(|e| format!("DevTools sent no JSON: {e}"))?;
        let p = &m["params"];
        match m["method"].as_str() {
            Some("Network.requestWillBeSent") => {
                self.seen.requests.push(p["request"]["url"].as_str().unwrap_or("").to_string());
            }
            Some("Runtime.consoleAPICalled") => {
                let args: Vec<String> = p["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| a.get("value").unwrap_or(&a["description"]).to_string())
                    .collect();
                self.seen.console.push(format!("{}: {}", p["type"], args.join(" ")));
            }
            Some("Runtime.exceptionThrown") => {
                let d = &p["exceptionDetails"];
                self.seen
                    .console
                    .push(format!("exception: {} {}", d["text"], d["exception"]["description"]));
            }
            Some("Log.entryAdded") => {
                let e = &p["entry"];
                if e["level"] == "error" || e["level"] == "warning" {
                    self.seen.log.push(format!("{}: {} ({})", e["level"], e["text"], e["url"]));
                }
            }
            _ => {}
        }
        Ok(Some(m))
    }
}

// Driving forms and sessions: the room's page tests (tests/room_pages.rs) use these, the
// dashboard's (tests/serve.rs) do not.
#[allow(dead_code)]
impl Browser {
    /// Runs `expression` in the page, which must navigate (submit a form, follow a link),
    /// and waits for the next page's load event and a moment after, as [`Browser::visit`]
    /// does; panics when the expression throws or no page loads within
    /// [`Browser::load_limit`].
    pub fn submit(&mut self, expression: &str) {
        self.seen = Seen::default();
        let limit = self.load_limit;
        let deadline = Instant::now() + limit;
        self.next_id += 1;
        let id = self.next_id;
        let params = json!({ "expression": expression, "returnByValue": true });
        let text = json!({ "id": id, "method": "Runtime.evaluate", "params": params }).to_string();
        send_text(&mut self.ws, &text).unwrap_or_else(|e| panic!("cannot send: {e}"));
        // The answer and the load event may come in either order.
        let (mut answered, mut loaded) = (false, false);
        while !(answered && loaded) {
            let m = match self.next_message(deadline) {
                Ok(Some(m)) => m,
                Ok(None) => panic!(
                    "{expression}: no page loaded within {limit:?} (requests: {:?}, console: {:?})",
                    self.seen.requests, self.seen.console
                ),
                Err(e) => panic!("{expression}: {e}"),
            };
            if m["id"] == id {
                let thrown = &m["result"]["exceptionDetails"];
                assert!(m.get("error").is_none() && thrown.is_null(), "{expression}: {m}");
                answered = true;
            }
            loaded |= m["method"] == "Page.loadEventFired";
        }
        let end = Instant::now() + SETTLE_LIMIT;
        while Instant::now() < end {
            let quiet = (Instant::now() + Duration::from_millis(300)).min(end);
            match self.next_message(quiet) {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// The value of the cookie `name` the browser would send to `url` (`HttpOnly` ones
    /// included: the protocol sees them, a page's script does not).
    pub fn cookie(&mut self, url: &str, name: &str) -> Option<String> {
        let v = self.call("Network.getCookies", json!({ "urls": [url] }));
        v["cookies"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_str())
            .map(str::to_string)
    }

    /// Sets the cookie `name` for `url` (its path: the URL's), `HttpOnly` and
    /// `SameSite=Strict`, as a server's sign-in sets it: to act as another user of a site
    /// without signing in again.
    pub fn set_cookie(&mut self, url: &str, name: &str, value: &str) {
        let path = url.splitn(4, '/').nth(3).map_or("/".to_string(), |p| format!("/{p}"));
        let v = self.call(
            "Network.setCookie",
            json!({ "name": name, "value": value, "url": url, "path": path, "httpOnly": true, "sameSite": "Strict" }),
        );
        assert!(v["success"] != false, "Network.setCookie: {v}");
    }

    /// Forgets every cookie.
    pub fn clear_cookies(&mut self) {
        self.call("Network.clearBrowserCookies", json!({}));
    }
}

/// The time left until `deadline` (zero once past).
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

static PROFILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.shutdown(Shutdown::Both);
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Whether a URL stays on this machine: loopback HTTP, a file, or data.
pub fn local(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")) else {
        return url.starts_with("file://") || url.starts_with("data:") || url == "about:blank";
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    host == "127.0.0.1" || host == "localhost" || host == "[::1]"
}

/// A connection to the DevTools at `addr`, every read and write bounded.
fn connect(addr: &str) -> TcpStream {
    let at = addr.parse().unwrap_or_else(|e| panic!("DevTools address {addr:?}: {e}"));
    let s = TcpStream::connect_timeout(&at, CALL_LIMIT)
        .unwrap_or_else(|e| panic!("cannot connect to DevTools at {addr}: {e}"));
    s.set_read_timeout(Some(CALL_LIMIT)).unwrap();
    s.set_write_timeout(Some(CALL_LIMIT)).unwrap();
    s
}

/// A GET of the DevTools HTTP endpoint; the body (of its stated length).
fn http_get(addr: &str, path: &str) -> String {
    let fail = |e: std::io::Error| -> ! { panic!("DevTools GET {path}: {e}") };
    let mut r = BufReader::new(connect(addr));
    write!(r.get_mut(), "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap_or_else(|e| fail(e));
    let (mut line, mut length) = (String::new(), 0);
    loop {
        line.clear();
        r.read_line(&mut line).unwrap_or_else(|e| fail(e));
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().expect("a length");
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).unwrap_or_else(|e| fail(e));
    String::from_utf8(body).expect("UTF-8")
}

/// Opens a WebSocket (RFC 6455) to `path`; its reads then wait without a limit (the
/// reader thread's), its writes at most [`CALL_LIMIT`].
fn websocket(addr: &str, path: &str) -> TcpStream {
    let mut s = connect(addr);
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ZGV0ZW50ZS10ZXN0LWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap_or_else(|e| panic!("DevTools WebSocket: {e}"));
    // The answer's head, byte by byte so as not to read into the first frame.
    let mut head = vec![];
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap_or_else(|e| panic!("DevTools WebSocket: {e}"));
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    s.set_read_timeout(None).unwrap();
    s
}

/// Sends a text frame (masked, as a client must; the mask is zeros).
fn send_text(s: &mut TcpStream, text: &str) -> std::io::Result<()> {
    let n = text.len();
    let mut frame = vec![0x81u8];
    if n < 126 {
        frame.push(0x80 | n as u8);
    } else if n <= 0xFFFF {
        frame.push(0x80 | 126);
        frame.extend((n as u16).to_be_bytes());
    } else {
        frame.push(0x80 | 127);
        frame.extend((n as u64).to_be_bytes());
    }
    frame.extend([0u8; 4]);
    frame.extend(text.as_bytes());
    s.write_all(&frame)
}

/// Reads one whole text message (continuation frames joined; pings skipped), or says why
/// the connection ended.
fn read_text(s: &mut impl Read) -> Result<String, String> {
    let mut message = vec![];
    let mut read = |buf: &mut [u8]| s.read_exact(buf).map_err(|e| e.to_string());
    loop {
        let mut h = [0u8; 2];
        read(&mut h)?;
        let (fin, opcode) = (h[0] & 0x80 != 0, h[0] & 0x0F);
        let mut n = u64::from(h[1] & 0x7F);
        if n == 126 {
            let mut b = [0u8; 2];
            read(&mut b)?;
            n = u64::from(u16::from_be_bytes(b));
        } else if n == 127 {
            let mut b = [0u8; 8];
            read(&mut b)?;
            n = u64::from_be_bytes(b);
        }
        let mut payload = vec![0u8; usize::try_from(n).map_err(|e| e.to_string())?];
        read(&mut payload)?;
        match opcode {
            0x8 => return Err("DevTools closed the connection".to_string()),
            0x9 | 0xA => continue,
            _ => message.extend(payload),
        }
        if fin {
            return String::from_utf8(message).map_err(|e| e.to_string());
        }
    }
}

/// Standard base64 decoded.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let mut out = vec![];
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()) {
        acc = (acc << 6) | u32::from(value(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(base64("aGVsbG8gd29ybGQ="), b"hello world");
    assert_eq!(base64("YQ=="), b"a");
}

#[test]
fn local_urls_stay_on_this_machine() {
    assert!(local("http://127.0.0.1:7878/scenarios/x"));
    assert!(local("file:///tmp/r.html") && local("data:image/png;base64,AA"));
    assert!(!local("https://fonts.googleapis.com/css") && !local("http://127.0.0.1.example.org/"));
}

#[test]
fn a_message_in_frames_is_joined_and_a_cut_connection_is_an_error() {
    // "he" then "llo" (a continuation, final), a ping between.
    let frames: &[u8] = &[0x01, 2, b'h', b'e', 0x89, 0, 0x80, 3, b'l', b'l', b'o', 0x81, 1];
    let mut r = frames;
    assert_eq!(read_text(&mut r).unwrap(), "hello");
    // The next frame stops after its head: an error, not a wait.
    assert!(read_text(&mut r).is_err());
}
