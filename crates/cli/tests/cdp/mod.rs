//! A tiny Chrome DevTools Protocol client for the browser tests: Debian's Chromium,
//! headless, with a fresh profile and `--remote-debugging-port=0`; one page driven over a
//! WebSocket (the handful of frames the protocol needs, over std's `TcpStream`). It records
//! what a page does that the tests forbid: console messages, uncaught exceptions, the
//! browser's own error log (a resource that failed, a blocked request) and every request
//! the page makes, and it takes screenshots.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// A headless Chromium and one page of it, closed when dropped.
pub struct Browser {
    child: Child,
    profile: PathBuf,
    ws: TcpStream,
    next_id: u64,
    /// Everything the page did since the last [`Browser::visit`].
    pub seen: Seen,
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

impl Browser {
    /// Starts Chromium (the flags of the issue: headless, no sandbox, no GPU, no background
    /// networking or component updates, a fresh profile) and attaches to its page.
    pub fn start(browser: &str, width: u32, height: u32) -> Browser {
        let profile = std::env::temp_dir().join(format!(
            "detente-cdp-{}-{}",
            std::process::id(),
            PROFILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut child = Command::new(browser)
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
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID"
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let addr = loop {
            line.clear();
            if stderr.read_line(&mut line).unwrap() == 0 {
                panic!("Chromium ended without a DevTools address");
            }
            if let Some(rest) = line.trim().strip_prefix("DevTools listening on ws://") {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        // Drain the rest of stderr so that Chromium never blocks on it.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        let targets: Value = serde_json::from_str(&http_get(&addr, "/json/list")).unwrap();
        let page = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target");
        let url = page["webSocketDebuggerUrl"].as_str().unwrap();
        let path = &url[url.find("/devtools/").unwrap()..];
        let ws = websocket(&addr, path);
        let mut b = Browser { child, profile, ws, next_id: 0, seen: Seen::default() };
        for method in ["Runtime.enable", "Log.enable", "Network.enable", "Page.enable"] {
            b.call(method, json!({}));
        }
        b
    }

    /// Loads `url` and waits for its load event and a moment after (for late errors);
    /// [`Browser::seen`] then holds what the page did.
    pub fn visit(&mut self, url: &str) {
        self.seen = Seen::default();
        self.call("Page.navigate", json!({ "url": url }));
        self.ws.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        while !self.next_message().is_some_and(|m| m["method"] == "Page.loadEventFired") {}
        self.ws.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        while self.next_message().is_some() {}
    }

    /// Saves a screenshot of the whole page as PNG.
    pub fn screenshot(&mut self, file: &Path) {
        let v = self.call("Page.captureScreenshot", json!({ "captureBeyondViewport": true }));
        let png = base64(v["data"].as_str().unwrap());
        std::fs::write(file, png).unwrap();
    }

    /// Makes the viewport a phone's (`width` CSS pixels, twice as many device pixels).
    pub fn phone(&mut self, width: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 844, "deviceScaleFactor": 2, "mobile": true }),
        );
    }

    /// Prints the page as PDF (A4), as a reader would print it.
    pub fn pdf(&mut self, file: &Path) {
        let v = self.call("Page.printToPDF", json!({ "paperWidth": 8.27, "paperHeight": 11.69 }));
        std::fs::write(file, base64(v["data"].as_str().unwrap())).unwrap();
    }

    /// Evaluates a JavaScript expression in the page; its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let v = self
            .call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true }));
        v["result"]["value"].clone()
    }

    /// Sends a command and waits for its answer, recording the events met on the way.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        send_text(&mut self.ws, &text);
        self.ws.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        loop {
            let m = self.next_message().unwrap_or_else(|| panic!("no answer to {method}"));
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
        }
    }

    /// The next message (None when none came within the read timeout), its events recorded.
    fn next_message(&mut self) -> Option<Value> {
        let text = read_text(&mut self.ws)?;
        let m: Value = serde_json::from_str(&text).unwrap();
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
        Some(m)
    }
}

static PROFILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

/// A GET of the DevTools HTTP endpoint; the body (of its stated length).
fn http_get(addr: &str, path: &str) -> String {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut r = BufReader::new(s);
    write!(r.get_mut(), "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let (mut line, mut length) = (String::new(), 0);
    loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

/// Opens a WebSocket (RFC 6455) to `path`.
fn websocket(addr: &str, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ZGV0ZW50ZS10ZXN0LWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    // The answer's head, byte by byte so as not to read into the first frame.
    let mut head = vec![];
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    s
}

/// Sends a text frame (masked, as a client must; the mask is zeros).
fn send_text(s: &mut TcpStream, text: &str) {
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
    s.write_all(&frame).unwrap();
}

/// Reads one whole text message (continuation frames joined; pings skipped); None when
/// nothing came within the read timeout.
fn read_text(s: &mut TcpStream) -> Option<String> {
    let mut message = vec![];
    loop {
        let mut h = [0u8; 2];
        match s.read_exact(&mut h) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) && message.is_empty() =>
            {
                return None;
            }
            Err(e) => panic!("DevTools connection: {e}"),
        }
        // Once a frame has begun, wait for the rest of it.
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let (fin, opcode) = (h[0] & 0x80 != 0, h[0] & 0x0F);
        let mut n = u64::from(h[1] & 0x7F);
        if n == 126 {
            let mut b = [0u8; 2];
            s.read_exact(&mut b).unwrap();
            n = u64::from(u16::from_be_bytes(b));
        } else if n == 127 {
            let mut b = [0u8; 8];
            s.read_exact(&mut b).unwrap();
            n = u64::from_be_bytes(b);
        }
        let mut payload = vec![0u8; usize::try_from(n).unwrap()];
        s.read_exact(&mut payload).unwrap();
        match opcode {
            0x8 => panic!("DevTools closed the connection"),
            0x9 | 0xA => continue,
            _ => message.extend(payload),
        }
        if fin {
            return Some(String::from_utf8(message).unwrap());
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
