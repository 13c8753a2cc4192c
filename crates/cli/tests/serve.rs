//! `detente serve`, tested as a user would: the built binary on 127.0.0.1 and a free port,
//! real HTTP requests over a tiny client (std's `TcpStream`), answers compared with the
//! CLI's `--json` for the same question.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `detente serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// One request; the status and the body.
    fn request(&self, head: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let request = format!("{head}\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr);
        stream.write_all(request.as_bytes()).unwrap();
        // The server may answer (and close) before reading a refused body.
        let _ = stream.write_all(body);
        let mut raw = vec![];
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8(raw).unwrap();
        let (headers, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{text:?}"));
        let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
        let body = if headers.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            unchunk(body)
        } else {
            body.to_string()
        };
        (status, body)
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.request(&format!("GET {path} HTTP/1.1"), b"")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// The CLI: exit code, stdout, stderr.
fn detente(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_route_answers_the_json_of_its_command() {
    let server = Server::start(&[]);
    let cases: [(&str, &[&str]); 12] = [
        ("/api/scenarios", &["scenarios"]),
        ("/api/scenarios/tutorial/analyze", &["analyze", "tutorial"]),
        ("/api/scenarios/ukraine-2025/analyze", &["analyze", "ukraine-2025"]),
        ("/api/scenarios/tutorial/evaluate", &["evaluate", "tutorial"]),
        (
            "/api/scenarios/tutorial/evaluate?proposal=lowland-markup",
            &["evaluate", "tutorial", "--proposal", "lowland-markup"],
        ),
        (
            "/api/scenarios/tutorial/compare?from=commission-draft&to=lowland-markup",
            &["compare", "tutorial", "commission-draft", "lowland-markup"],
        ),
        ("/api/scenarios/tutorial/deadlock", &["deadlock", "tutorial"]),
        (
            "/api/scenarios/tutorial/deadlock?parties=upland,commission",
            &["deadlock", "tutorial", "--parties", "upland,commission"],
        ),
        (
            "/api/scenarios/tutorial/mediate?from=commission-draft",
            &["mediate", "tutorial", "--from", "commission-draft"],
        ),
        (
            "/api/scenarios/tutorial/mediate?from=commission-draft&max_changes=1",
            &["mediate", "tutorial", "--from", "commission-draft", "--max-changes", "1"],
        ),
        ("/api/scenarios/tutorial/frontier", &["frontier", "tutorial"]),
        (
            "/api/scenarios/tutorial/frontier?parties=upland%2Ccommission",
            &["frontier", "tutorial", "--parties", "upland,commission"],
        ),
    ];
    for (path, args) in cases {
        let (status, body) = server.get(path);
        let mut args = args.to_vec();
        args.push("--json");
        let (code, json, err) = detente(&args);
        assert_eq!(code, 0, "detente {args:?}: {err}");
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body, json, "{path} against detente {args:?}");
    }
}

#[test]
fn bad_names_and_parameters_get_the_cli_message() {
    let server = Server::start(&[]);
    let (status, body) = server.get("/api/scenarios/nope/analyze");
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains(r#""error": "unknown scenario \"nope\" (served: ukraine-2025, tutorial)""#),
        "{body}"
    );
    // The same words as the CLI's message, without its `detente: `.
    let cases: [(&str, &[&str]); 4] = [
        ("/api/scenarios/tutorial/evaluate?proposal=nope", &["evaluate", "tutorial", "-p", "nope"]),
        (
            "/api/scenarios/tutorial/compare?from=nope&to=lowland-markup",
            &["compare", "tutorial", "nope", "lowland-markup"],
        ),
        (
            "/api/scenarios/tutorial/deadlock?parties=upland,upland",
            &["deadlock", "tutorial", "--parties", "upland,upland"],
        ),
        (
            "/api/scenarios/tutorial/frontier?parties=nobody",
            &["frontier", "tutorial", "--parties", "nobody"],
        ),
    ];
    for (path, args) in cases {
        let (status, body) = server.get(path);
        let (code, _, err) = detente(args);
        assert_eq!(code, 2, "detente {args:?}");
        assert_eq!(status, 400, "{path}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let said = err.trim_end().strip_prefix("detente: ").unwrap();
        assert_eq!(v["error"], said, "{path}");
    }
    for (path, status, words) in [
        (
            "/api/scenarios/tutorial/compare?from=commission-draft",
            400,
            "the parameter to is required",
        ),
        ("/api/scenarios/tutorial/analyze?x=1", 400, "unknown parameter \\\"x\\\""),
        (
            "/api/scenarios/tutorial/mediate?from=commission-draft&max_changes=-1",
            400,
            "not a whole number",
        ),
        ("/api/scenarios/tutorial/evaluate?proposal=a&proposal=b", 400, "given twice"),
        ("/api/scenarios/tutorial/guess", 404, "no such question"),
        ("/api/nothing", 404, "no such route"),
    ] {
        let (got, body) = server.get(path);
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.contains(words), "{path}: {body}");
        assert!(body.starts_with("{\n  \"error\": "), "{path}: {body}");
    }
}

#[test]
fn no_path_from_a_request_reaches_the_file_system() {
    let server = Server::start(&["scenarios/tutorial.toml"]);
    for path in [
        "/api/scenarios/..%2F..%2Fetc%2Fpasswd/analyze",
        "/api/scenarios/%2Fetc%2Fpasswd/analyze",
        "/api/scenarios/scenarios%2Fukraine-2025.toml/analyze",
        "/api/scenarios/ukraine-2025/analyze",
        "/api/scenarios/tutorial.toml/analyze",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body.contains("unknown scenario") && body.contains("(served: tutorial)"), "{body}");
        assert!(!body.contains("root:"), "{body}");
    }
    let (status, body) = server.get("/../../etc/passwd");
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains("root:"), "{body}");
    assert_eq!(server.get("/api/scenarios/tutorial/deadlock").0, 200);
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let server = Server::start(&["tutorial"]);
    let big = vec![b'x'; 200 * 1024];
    let head =
        format!("POST /api/scenarios/tutorial/analyze HTTP/1.1\r\nContent-Length: {}", big.len());
    let (status, body) = server.request(&head, &big);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("larger than the 65536 bytes"), "{body}");
    // A small body on a GET route is not a reason to refuse; the server still answers.
    let (status, _) = server.request("GET /api/scenarios HTTP/1.1\r\nContent-Length: 2", b"{}");
    assert_eq!(status, 200);
}

#[test]
fn pages_and_their_assets_are_served() {
    let server = Server::start(&[]);
    let (status, index) = server.get("/");
    assert_eq!(status, 200);
    assert!(index.contains("href=\"/scenarios/tutorial\""), "{index}");
    assert!(index.contains("/assets/style.css") && index.contains("/assets/app.js"));
    for asset in ["/assets/style.css", "/assets/app.js"] {
        let (status, body) = server.get(asset);
        assert_eq!(status, 200, "{asset}");
        assert!(body.len() > 100, "{asset}: {body}");
    }
    // Nothing is fetched from elsewhere: no absolute URL in a page or an asset.
    assert!(!index.contains("http://") && !index.contains("https://"), "{index}");
    let (status, body) = server.get("/no/such/page");
    assert_eq!(status, 404);
    assert!(body.contains("<h1>Not found</h1>"), "{body}");
}

#[test]
fn a_folder_serves_every_scenario_in_it() {
    let dir = std::env::temp_dir().join(format!("detente-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join("scenarios/tutorial.toml"), dir.join("a.toml")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a scenario").unwrap();
    let server = Server::start(&[dir.to_str().unwrap()]);
    let (status, body) = server.get("/api/scenarios");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["default"], "tutorial");
    assert_eq!(v["scenarios"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(v["scenarios"][0]["file"], dir.join("a.toml").to_str().unwrap());
    drop(server);
    // Two scenarios of one name cannot both be addressed by it.
    std::fs::copy(root().join("scenarios/tutorial.toml"), dir.join("b.toml")).unwrap();
    let (code, _, err) = detente(&["serve", dir.to_str().unwrap(), "--port", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("two scenarios are named \"tutorial\""), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_are_refused_before_listening() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, out, err) = detente(&["serve", "--port", &port]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(
        err,
        format!(
            "detente: --port {port}: the port is in use on 127.0.0.1 (choose another, or --port 0 for a free one)\n"
        )
    );
    let (code, _, err) = detente(&["serve", "--host", "somewhere", "--port", "0"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("detente: --host \"somewhere\": not an IP address"), "{err}");
    let (code, _, err) = detente(&["serve", "no-such-file.toml", "--port", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-file.toml: no such file"), "{err}");
}

/// Text as the pages write it in HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The verdict cells `detente analyze --json` implies: `<td class="verdict"
/// data-proposal="id" data-party="id"`, as the overview writes them.
fn verdict_cells(scenario: &str) -> Vec<String> {
    let (code, out, err) = detente(&["analyze", scenario, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut cells = vec![];
    for e in v["evaluations"].as_array().unwrap() {
        for pe in e["parties"].as_array().unwrap() {
            cells.push(format!(
                "<td class=\"{}\" data-proposal=\"{}\" data-party=\"{}\"",
                pe["verdict"].as_str().unwrap(),
                e["proposal"]["id"].as_str().unwrap(),
                pe["party"].as_str().unwrap()
            ));
        }
    }
    assert!(!cells.is_empty());
    cells
}

#[test]
fn the_pages_show_the_verdicts_and_words_of_the_cli() {
    let server = Server::start(&[]);
    for name in ["tutorial", "ukraine-2025"] {
        let (status, html) = server.get(&format!("/scenarios/{name}"));
        assert_eq!(status, 200, "{html}");
        for cell in verdict_cells(name) {
            assert!(html.contains(&cell), "{name}: no {cell}");
        }
        // Is any deal possible: the answer and the colliding constraints in the words of
        // `detente deadlock`.
        let (_, out, _) = detente(&["deadlock", name, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let d = &v["deadlock"];
        for c in d["conflict"].as_array().unwrap() {
            let text = esc(c["text"].as_str().unwrap());
            assert!(html.contains(&format!("<li>{text}</li>")), "{name}: no {text}");
        }
        // The explanation, its first sentence left out after a "No." that says it, as the
        // CLI's text does.
        let skip = usize::from(d["deal_possible"] == false);
        for line in d["explanation"].as_array().unwrap().iter().skip(skip) {
            let line = esc(line.as_str().unwrap());
            assert!(html.contains(&format!("<p>{line}</p>")), "{name}: no {line}");
        }
        let (class, answer) =
            if d["deal_possible"] == true { ("yes", "Yes. For example") } else { ("no", "No. ") };
        let said = format!("<p class=\"deal {class}\">{answer}");
        assert!(html.contains(&said), "{name}: no {said}");
        assert!(html.contains("<svg"), "{name}: the gap bars");
    }
    // A proposal: each party's point verdicts as `detente evaluate --json` gives them.
    let (status, html) = server.get("/scenarios/tutorial/proposals/lowland-markup");
    assert_eq!(status, 200, "{html}");
    let (_, out, _) = detente(&["evaluate", "tutorial", "-p", "lowland-markup", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut shown = 0;
    for pe in v["evaluations"][0]["parties"].as_array().unwrap() {
        for pt in pe["points"].as_array().unwrap() {
            let verdict = pt["verdict"].as_str().unwrap();
            let cell = format!(
                "data-party=\"{}\" data-issue=\"{}\" data-verdict=\"{verdict}\"",
                pe["party"].as_str().unwrap(),
                pt["issue"].as_str().unwrap()
            );
            assert!(html.contains(&cell), "no {cell}");
            shown += 1;
        }
        let verdict = format!(
            "<td class=\"{}\" data-proposal=\"lowland-markup\" data-party=\"{}\">",
            pe["verdict"].as_str().unwrap(),
            pe["party"].as_str().unwrap()
        );
        assert!(html.contains(&verdict), "no {verdict}");
    }
    assert_eq!(shown, 12, "3 parties x 4 points");
    assert!(html.contains("Source ["), "the sources in the tooltips");
    let (status, html) = server.get("/scenarios/tutorial/proposals/nope");
    assert_eq!(status, 404);
    assert!(html.contains("unknown proposal &quot;nope&quot; in scenario tutorial"), "{html}");
    let (status, html) = server.get("/scenarios/..%2Fetc%2Fpasswd");
    assert_eq!(status, 404);
    assert!(html.contains("unknown scenario"), "{html}");
}

/// Debian's Chromium, if installed.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Runs headless Chromium on `url` with `args` (fresh profile, no network of its own), at
/// most 90 s; its standard output.
fn browse(browser: &str, args: &[&str], url: &str) -> String {
    let profile = std::env::temp_dir().join(format!("detente-chromium-{}", std::process::id()));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    for _ in 0..900 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&profile);
    reader.join().unwrap()
}

#[test]
fn a_real_browser_renders_the_verdict_table() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("DETENTE_REQUIRE_BROWSER").is_none(),
            "DETENTE_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)"
        );
        eprintln!(
            "SKIPPED a_real_browser_renders_the_verdict_table: Chromium is not installed (apt-get install chromium)"
        );
        return;
    };
    let server = Server::start(&[]);
    let url = format!("http://{}/scenarios/tutorial", server.addr);
    let dom = browse(browser, &["--dump-dom"], &url);
    assert!(dom.contains("<table class=\"verdicts\">"), "{dom}");
    for cell in verdict_cells("tutorial") {
        assert!(dom.contains(&cell), "the DOM has no {cell}:\n{dom}");
    }
    // Screenshots for review (not compared).
    let shots = root().join("target/serve-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (file, path) in [
        ("overview-ukraine-2025.png", "/scenarios/ukraine-2025"),
        ("proposal-ukraine-2025.png", "/scenarios/ukraine-2025/proposals/us-28"),
    ] {
        let shot = shots.join(file);
        let arg = format!("--screenshot={}", shot.display());
        browse(
            browser,
            &[&arg, "--window-size=1280,1400"],
            &format!("http://{}{path}", server.addr),
        );
        assert!(shot.exists(), "{}", shot.display());
    }
}
