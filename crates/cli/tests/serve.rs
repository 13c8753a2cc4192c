//! `detente serve`, tested as a user would: the built binary on 127.0.0.1 and a free port,
//! real HTTP requests over a tiny client (std's `TcpStream`), answers compared with the
//! CLI's `--json` for the same question.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod cdp;

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

    /// A client of the server at `addr` (a thread of its own may hold one).
    fn client(addr: &str) -> Client {
        Client { addr: addr.to_string() }
    }

    /// One request; the status and the body.
    fn request(&self, head: &str, body: &[u8]) -> (u16, String) {
        Server::client(&self.addr).request(head, body)
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.request(&format!("GET {path} HTTP/1.1"), b"")
    }

    /// A GET's status, headers (lower case) and body.
    fn get_with_headers(&self, path: &str) -> (u16, String, String) {
        Server::client(&self.addr).get_with_headers(path)
    }
}

/// Requests to a server, over a new connection each.
struct Client {
    addr: String,
}

impl Client {
    /// One request; the status and the body.
    fn request(&self, head: &str, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let request = format!("{head}\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr);
        // The server may answer (and close) before reading a refused head or body.
        let _ = stream.write_all(request.as_bytes());
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

    /// A GET's status, headers (lower case) and body.
    fn get_with_headers(&self, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr);
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = vec![];
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8(raw).unwrap();
        let (headers, body) = text.split_once("\r\n\r\n").unwrap();
        let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
        let headers = headers.to_ascii_lowercase();
        let body = if headers.contains("transfer-encoding: chunked") {
            unchunk(body)
        } else {
            body.to_string()
        };
        (status, headers, body)
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
    let (status, _) = server
        .request("GET /api/scenarios HTTP/1.1\r\nTransfer-Encoding: chunked", &chunked(b"{}"));
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
fn negmas_and_genius_domains_are_served_as_frontier_reads_them() {
    let data =
        |f: &str| root().join("crates/cli/tests/data").join(f).to_string_lossy().into_owned();
    for (arg, folder) in [(data("fishing.json"), false), (data("genius-fishing"), true)] {
        let server = Server::start(&[&arg]);
        let (status, body) = server.get("/api/scenarios");
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let name = v["default"].as_str().unwrap().to_string();
        let (status, body) = server.get(&format!("/api/scenarios/{name}/frontier"));
        assert_eq!(status, 200, "{arg}: {body}");
        assert_eq!(body, stdout_of(&["frontier", &arg, "--json"]), "{arg}");
        let (status, html) = server.get(&format!("/scenarios/{name}"));
        assert_eq!(status, 200, "{arg}: {html}");
        assert!(html.contains("No proposals on the table."), "{arg}");
        drop(server);
        // In a folder of scenarios, a NegMAS domain is served too.
        if !folder {
            let dir = std::env::temp_dir().join(format!("detente-serve-nm-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(&arg, dir.join("fishing.json")).unwrap();
            std::fs::copy(root().join("scenarios/tutorial.toml"), dir.join("t.toml")).unwrap();
            let server = Server::start(&[dir.to_str().unwrap()]);
            let (_, body) = server.get("/api/scenarios");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["scenarios"].as_array().unwrap().len(), 2, "{body}");
            drop(server);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// What a command prints on stdout (it must succeed).
fn stdout_of(args: &[&str]) -> String {
    let (code, out, err) = detente(args);
    assert_eq!(code, 0, "detente {args:?}: {err}");
    out
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

/// The JSON a command prints.
fn json_of(args: &[&str]) -> serde_json::Value {
    let mut args = args.to_vec();
    args.push("--json");
    let (code, out, err) = detente(&args);
    assert_eq!(code, 0, "detente {args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// The rows of the party table of a compare page must say what `compare --json` says.
fn assert_compare_rows(html: &str, c: &serde_json::Value, what: &str) {
    for pc in c["comparison"]["parties"].as_array().unwrap() {
        let row = format!(
            "<tr data-party=\"{}\" data-before=\"{}\" data-after=\"{}\" data-delta=\"{} {}\" data-movement=\"{}\">",
            pc["party"].as_str().unwrap(),
            pc["before"]["verdict"].as_str().unwrap(),
            pc["after"]["verdict"].as_str().unwrap(),
            pc["delta"][0],
            pc["delta"][1],
            pc["movement"].as_str().unwrap()
        );
        assert!(html.contains(&row), "{what}: no {row}");
    }
    for ch in c["comparison"]["changes"].as_array().unwrap() {
        let row = format!("<tr data-issue=\"{}\">", ch["issue"].as_str().unwrap());
        assert!(html.contains(&row), "{what}: no {row}");
    }
}

#[test]
fn the_compare_page_shows_the_numbers_of_compare() {
    let server = Server::start(&[]);
    for (name, from, to) in
        [("tutorial", "commission-draft", "lowland-markup"), ("ukraine-2025", "us-28", "e3-markup")]
    {
        let (status, html) = server.get(&format!("/scenarios/{name}/compare?from={from}&to={to}"));
        assert_eq!(status, 200, "{html}");
        let c = json_of(&["compare", name, from, to]);
        assert_compare_rows(&html, &c, name);
        assert!(html.contains("<li>Moving from "), "{name}: the words of compare");
        // Each verdict with the share of analyze's draws that give it, and their count.
        let a = json_of(&["analyze", name]);
        for ps in a["how_sure"]["proposals"].as_array().unwrap() {
            let j = ps["proposal"].as_str().unwrap();
            if j != from && j != to {
                continue;
            }
            for v in ps["parties"].as_array().unwrap() {
                let said = format!(
                    "data-count=\"{}\" data-samples=\"{}\">",
                    v["same_verdict"]["count"], a["how_sure"]["samples"]
                );
                assert!(html.contains(&said), "{name} {j}: no {said}");
            }
        }
    }
    // Linked from the overview; by default the last proposal against the one it amends.
    let (_, overview) = server.get("/scenarios/tutorial");
    assert!(overview.contains("href=\"/scenarios/tutorial/compare\""), "{overview}");
    let (status, html) = server.get("/scenarios/tutorial/compare");
    assert_eq!(status, 200);
    let c = json_of(&["compare", "tutorial", "commission-draft", "lowland-markup"]);
    assert_compare_rows(&html, &c, "default");
    let (status, html) = server.get("/scenarios/tutorial/compare?from=nope");
    assert_eq!(status, 400);
    assert!(html.contains("unknown proposal &quot;nope&quot; in scenario tutorial"), "{html}");
    let (status, _) = server.get("/scenarios/tutorial/compare?from=a&from=b");
    assert_eq!(status, 400);
}

/// The part of a page about revision `rank` (from 1) of a mediate page.
fn revision_part(html: &str, rank: u64) -> &str {
    let start = format!("<li class=\"revision\" data-rank=\"{rank}\">");
    let at = html.find(&start).unwrap_or_else(|| panic!("no revision {rank}"));
    let rest = &html[at..];
    &rest[..rest.find("</li>").unwrap()]
}

/// An `href` as the pages write it, decoded enough to be requested again.
fn unescape_href(href: &str) -> String {
    href.replace("&amp;", "&")
}

#[test]
fn the_mediate_page_lists_the_revisions_of_mediate_and_shows_them() {
    let server = Server::start(&[]);
    let (status, html) = server.get("/scenarios/tutorial/mediate?from=commission-draft");
    assert_eq!(status, 200, "{html}");
    let m = json_of(&["mediate", "tutorial", "--from", "commission-draft"]);
    assert!(html.contains(&format!("data-exact=\"{}\"", m["exact"])), "{html}");
    let revisions = m["revisions"].as_array().unwrap();
    assert!(!revisions.is_empty());
    for (k, r) in revisions.iter().enumerate() {
        let part = revision_part(&html, k as u64 + 1);
        for p in r["parties"].as_array().unwrap() {
            let row = format!(
                "<tr data-party=\"{}\" data-before=\"{}\" data-after=\"{}\">",
                p["party"].as_str().unwrap(),
                p["verdict_before"].as_str().unwrap(),
                p["verdict_after"].as_str().unwrap()
            );
            assert!(part.contains(&row), "revision {}: no {row}", k + 1);
        }
    }
    // How likely every counted party is to accept each: as `--min-probability 0` counts it,
    // with its sample count.
    let ranked =
        json_of(&["mediate", "tutorial", "--from", "commission-draft", "--min-probability", "0"]);
    for r in ranked["revisions"].as_array().unwrap() {
        let part = revision_part(&html, r["rank_by_objective"].as_u64().unwrap());
        let share = format!(
            "data-count=\"{}\" data-samples=\"{}\"",
            r["all_accept"]["count"], ranked["samples"]
        );
        assert!(part.contains(&share), "no {share} in {part}");
        assert!(part.contains(" of 1000 draws"), "{part}");
    }
    // Clicking the first shows the revised draft in the overview: one more row, its
    // verdicts those the search predicts.
    let part = revision_part(&html, 1);
    let link = part.split("<a class=\"show\" href=\"").nth(1).unwrap();
    let link = unescape_href(&link[..link.find('"').unwrap()]);
    assert!(link.contains("revise=commission-draft&change="), "{link}");
    let (status, overview) = server.get(&link);
    assert_eq!(status, 200, "{link}: {overview}");
    for p in revisions[0]["parties"].as_array().unwrap() {
        let cell = format!(
            "<td class=\"{}\" data-proposal=\"commission-draft-revised\" data-party=\"{}\"",
            p["verdict_after"].as_str().unwrap(),
            p["party"].as_str().unwrap()
        );
        assert!(overview.contains(&cell), "no {cell}");
    }
    assert!(overview.contains("Revised draft: "), "the banner says which");
    // And in the heat map, with every changed point's term.
    let heat = link.replacen(
        "/scenarios/tutorial?",
        "/scenarios/tutorial/proposals/commission-draft-revised?",
        1,
    );
    let (status, page) = server.get(&heat);
    assert_eq!(status, 200, "{page}");
    for c in revisions[0]["changes"].as_array().unwrap() {
        assert!(page.contains(&format!("data-issue=\"{}\"", c["issue"].as_str().unwrap())));
    }
    // A revision is checked against the scenario, never a path.
    for (q, words) in [
        (
            "revise=commission-draft&change=dam%3Dnowhere",
            "change dam=nowhere: unknown option &quot;nowhere&quot;",
        ),
        ("revise=..%2F..%2Fetc%2Fpasswd", "revise: unknown proposal"),
        ("change=dam%3Djoint-board", "change goes with revise"),
    ] {
        let (status, page) = server.get(&format!("/scenarios/tutorial?{q}"));
        assert_eq!(status, 400, "{q}: {page}");
        assert!(page.contains(words), "{q}: {page}");
    }
    // Ukraine: no revision is accepted; the closest is shown, and the search says if exact.
    let (status, html) = server.get("/scenarios/ukraine-2025/mediate?from=us-28&max_changes=3");
    assert_eq!(status, 200, "{html}");
    let m = json_of(&["mediate", "ukraine-2025", "--from", "us-28", "--max-changes", "3"]);
    assert!(html.contains(&format!("data-exact=\"{}\"", m["exact"])));
    if m["revisions"].as_array().unwrap().is_empty() {
        assert!(html.contains("The closest revision"), "{html}");
    }
}

#[test]
fn a_what_if_edit_changes_every_view_as_the_library_predicts() {
    let server = Server::start(&[]);
    let set = ["russia.reservation=0.9", "us-28.TER-03=contact-line"];
    // The forms' fields become settings.
    let (status, html) = server.get(
        "/scenarios/ukraine-2025/what-if?reservation_party=russia&reservation=0.9&term_proposal=us-28&term_issue=TER-03&term=contact-line",
    );
    assert_eq!(status, 200, "{html}");
    let a = json_of(&["analyze", "ukraine-2025", "--set", set[0], "--set", set[1]]);
    let plain = json_of(&["analyze", "ukraine-2025"]);
    let mut changed = 0;
    for (e, e0) in
        a["evaluations"].as_array().unwrap().iter().zip(plain["evaluations"].as_array().unwrap())
    {
        let j = e["proposal"]["id"].as_str().unwrap();
        for (pe, pe0) in
            e["parties"].as_array().unwrap().iter().zip(e0["parties"].as_array().unwrap())
        {
            let p = pe["party"].as_str().unwrap();
            let cell = format!(
                "<td class=\"{}\" data-proposal=\"{j}\" data-party=\"{p}\"",
                pe["verdict"].as_str().unwrap()
            );
            assert!(html.contains(&cell), "no {cell}");
            if pe["verdict"] != pe0["verdict"] {
                changed += 1;
                let row = format!(
                    "<tr data-proposal=\"{j}\" data-party=\"{p}\" data-before=\"{}\" data-after=\"{}\">",
                    pe0["verdict"].as_str().unwrap(),
                    pe["verdict"].as_str().unwrap()
                );
                assert!(html.contains(&row), "no {row}");
            }
        }
    }
    assert!(changed > 0, "the edits change some verdict");
    // Said first, the forms' edits in the order of the forms (a draft's term first).
    assert!(
        html.contains("What-if: us-28.TER-03 unilateral-withdrawal -&gt; contact-line; russia.reservation 0.60 -&gt; 0.90."),
        "the edits said first"
    );
    // Every view carries the edits: the heat map, compare and the frontier.
    let q = "set=us-28.TER-03%3Dcontact-line&set=russia.reservation%3D0.9";
    assert!(html.contains(&format!(
        "href=\"/scenarios/ukraine-2025/compare?{}\"",
        q.replace('&', "&amp;")
    )));
    let (_, page) = server.get(&format!("/scenarios/ukraine-2025/proposals/us-28?{q}"));
    let e = json_of(&["evaluate", "ukraine-2025", "-p", "us-28", "--set", set[0], "--set", set[1]]);
    for pe in e["evaluations"][0]["parties"].as_array().unwrap() {
        for pt in pe["points"].as_array().unwrap() {
            let cell = format!(
                "data-party=\"{}\" data-issue=\"{}\" data-verdict=\"{}\"",
                pe["party"].as_str().unwrap(),
                pt["issue"].as_str().unwrap(),
                pt["verdict"].as_str().unwrap()
            );
            assert!(page.contains(&cell), "no {cell}");
        }
    }
    let (_, page) =
        server.get(&format!("/scenarios/ukraine-2025/compare?from=us-28&to=e3-markup&{q}"));
    let c = json_of(&[
        "compare",
        "ukraine-2025",
        "us-28",
        "e3-markup",
        "--set",
        set[0],
        "--set",
        set[1],
    ]);
    assert_compare_rows(&page, &c, "compare with the edits");
    // A bad edit is said on the page (400, never a 5xx), in the CLI's words.
    let (status, html) = server.get("/scenarios/ukraine-2025/what-if?set=russia.reservation%3D2");
    assert_eq!(status, 400, "{html}");
    let (code, _, err) = detente(&["analyze", "ukraine-2025", "--set", "russia.reservation=2"]);
    assert_eq!(code, 2);
    let said = err.trim_end().strip_prefix("detente: --").unwrap();
    assert!(
        html.contains(&format!("<p class=\"error\" role=\"alert\">{}</p>", esc(said))),
        "{html}"
    );
    assert!(html.contains("<form"), "the forms, to fix it");
    for q in [
        "set=x%3D1&set=",
        "set=rusia.reservation%3D0.5",
        "set=russia.reservation%3DNaN",
        "set=russia.reservation%3D1e400",
    ] {
        let (status, html) = server.get(&format!("/scenarios/ukraine-2025/what-if?{q}"));
        assert_eq!(status, 400, "{q}: {html}");
        assert!(html.contains("class=\"error\""), "{q}: {html}");
    }
    // Edits are size-limited.
    let long = format!("set={}", "x".repeat(400));
    let (status, html) = server.get(&format!("/scenarios/ukraine-2025/what-if?{long}"));
    assert_eq!(status, 400);
    assert!(html.contains("longer than the 300 bytes"), "{html}");
    let many = vec!["set=russia.reservation%3D0.5"; 65].join("&");
    let (status, html) = server.get(&format!("/scenarios/ukraine-2025/what-if?{many}"));
    assert_eq!(status, 400);
    assert!(html.contains("more than 64 set parameters"), "{html}");
}

#[test]
fn save_as_downloads_the_edited_scenario_and_writes_nothing() {
    let server = Server::start(&[]);
    let (status, headers, toml) =
        server.get_with_headers("/scenarios/tutorial/scenario.toml?set=lowland.reservation%3D0.5");
    assert_eq!(status, 200, "{toml}");
    assert!(
        headers.contains("content-disposition: attachment; filename=\"tutorial-edited.toml\""),
        "{headers}"
    );
    let file = std::env::temp_dir().join(format!("detente-save-as-{}.toml", std::process::id()));
    std::fs::write(&file, &toml).unwrap();
    let saved = json_of(&["evaluate", file.to_str().unwrap()]);
    let edited = json_of(&["evaluate", "tutorial", "--set", "lowland.reservation=0.5"]);
    assert_eq!(saved["evaluations"], edited["evaluations"]);
    let _ = std::fs::remove_file(&file);
    let (status, _, body) =
        server.get_with_headers("/scenarios/tutorial/scenario.toml?set=nope%3D1");
    assert_eq!(status, 400, "{body}");
}

#[test]
fn the_frontier_page_shows_the_solutions_of_frontier() {
    let server = Server::start(&[]);
    let (status, html) = server.get("/scenarios/tutorial/frontier");
    assert_eq!(status, 200, "{html}");
    let f = json_of(&["frontier", "tutorial", "--sample", "300"]);
    assert_eq!(f["parties"].as_array().unwrap().len(), 2, "a scatter");
    assert!(html.contains("<svg class=\"plot\""), "{html}");
    assert!(html.contains("<polyline class=\"frontier\""), "{html}");
    assert!(html.contains("class=\"reservation\""), "{html}");
    for key in ["nash", "egalitarian", "kalai_smorodinsky", "max_welfare"] {
        let u: Vec<String> =
            f[key]["utilities"].as_array().unwrap().iter().map(|x| x.to_string()).collect();
        let row = format!(
            "<tr data-solution=\"{key}\" data-utilities=\"{}\" data-exact=\"{}\">",
            u.join(" "),
            f[key]["exact"]
        );
        assert!(html.contains(&row), "no {row}");
    }
    assert!(html.contains(&format!("data-exact=\"{}\"", f["exact"])));
    // More parties: parallel coordinates.
    let (status, html) =
        server.get("/scenarios/tutorial/frontier?parties=upland,lowland,commission");
    assert_eq!(status, 200, "{html}");
    let f = json_of(&[
        "frontier",
        "tutorial",
        "--sample",
        "300",
        "--parties",
        "upland,lowland,commission",
    ]);
    assert!(html.contains("class=\"point-line\"") || f["frontier"].as_array().unwrap().is_empty());
    // Ukraine: no rational outcome under the red lines, said; set aside, a frontier.
    let (status, html) = server.get("/scenarios/ukraine-2025/frontier");
    assert_eq!(status, 200);
    assert!(html.contains("No rational outcome"), "{html}");
    let (status, html) = server.get("/scenarios/ukraine-2025/frontier?ignore_red_lines=yes");
    assert_eq!(status, 200);
    let f = json_of(&["frontier", "ukraine-2025", "--sample", "300", "--ignore-red-lines"]);
    let u: Vec<String> =
        f["nash"]["utilities"].as_array().unwrap().iter().map(|x| x.to_string()).collect();
    assert!(
        html.contains(&format!("data-solution=\"nash\" data-utilities=\"{}\"", u.join(" "))),
        "{html}"
    );
    let (status, html) = server.get("/scenarios/tutorial/frontier?parties=nobody");
    assert_eq!(status, 400);
    assert!(html.contains("unknown party &quot;nobody&quot;"), "{html}");
}

/// A body in HTTP chunks of 8 KiB.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    for c in body.chunks(8192) {
        out.extend(format!("{:x}\r\n", c.len()).bytes());
        out.extend(c);
        out.extend(b"\r\n");
    }
    out.extend(b"0\r\n\r\n");
    out
}

#[test]
fn bad_requests_under_concurrency_get_4xx_and_the_server_keeps_serving() {
    let mut server = Server::start(&[]);
    let big = vec![b'x'; 200 * 1024];
    let long_name = "n".repeat(60 * 1024);
    // (request head, body, the statuses allowed)
    let cases: Vec<(String, Vec<u8>, &[u16])> = vec![
        (
            format!(
                "POST /api/scenarios/tutorial/analyze HTTP/1.1\r\nContent-Length: {}",
                big.len()
            ),
            big.clone(),
            &[413],
        ),
        (
            format!("GET /api/scenarios HTTP/1.1\r\nContent-Length: {}", big.len()),
            big.clone(),
            &[413],
        ),
        // The same, in chunks of unstated length: refused once past the limit.
        ("GET /api/scenarios HTTP/1.1\r\nTransfer-Encoding: chunked".into(), chunked(&big), &[413]),
        ("GET /api/scenarios/nope/analyze HTTP/1.1".into(), vec![], &[404]),
        ("GET /api/scenarios/nope/mediate?from=x HTTP/1.1".into(), vec![], &[404]),
        (format!("GET /api/scenarios/{long_name}/deadlock HTTP/1.1"), vec![], &[404]),
        ("GET /scenarios/nope HTTP/1.1".into(), vec![], &[404]),
        ("GET /scenarios/ukraine-2025/proposals/nope HTTP/1.1".into(), vec![], &[404]),
        ("GET /api/scenarios/tutorial/evaluate?proposal=nope HTTP/1.1".into(), vec![], &[400]),
        ("GET /api/scenarios/tutorial/mediate?from=%ZZ HTTP/1.1".into(), vec![], &[400]),
        ("DELETE /api/scenarios HTTP/1.1".into(), vec![], &[405]),
        // A header larger than the server reads: refused by hyper before any handler.
        (format!("GET /api/scenarios HTTP/1.1\r\nX-Big: {}", "h".repeat(1 << 20)), vec![], &[431]),
    ];
    let cases = std::sync::Arc::new(cases);
    let addr = server.addr.clone();
    let threads: Vec<_> = (0..40)
        .map(|t| {
            let (cases, addr) = (cases.clone(), addr.clone());
            std::thread::spawn(move || {
                let probe = Server::client(&addr);
                let mut seen = vec![];
                for k in 0..cases.len() * 2 {
                    let (head, body, allowed) = &cases[(t + k) % cases.len()];
                    let (status, _) = probe.request(head, body);
                    assert!(allowed.contains(&status), "{}: {status}", &head[..head.len().min(80)]);
                    seen.push(status);
                }
                seen
            })
        })
        .collect();
    let mut n = 0;
    for t in threads {
        n += t.join().expect("every bad request got its 4xx").len();
    }
    assert_eq!(n, 40 * 2 * cases.len());
    assert!(server.child.try_wait().unwrap().is_none(), "the server is still running");
    assert_eq!(server.get("/api/scenarios/tutorial/deadlock").0, 200);
}

#[test]
fn the_overview_says_how_sure_each_verdict_is() {
    let server = Server::start(&[]);
    for name in ["tutorial", "ukraine-2025"] {
        let (status, html) = server.get(&format!("/scenarios/{name}"));
        assert_eq!(status, 200, "{html}");
        let a = json_of(&["analyze", name]);
        let sure = &a["how_sure"];
        let n = sure["samples"].as_u64().unwrap();
        for ps in sure["proposals"].as_array().unwrap() {
            for v in ps["parties"].as_array().unwrap() {
                let cell = format!(
                    "<td class=\"{}\" data-proposal=\"{}\" data-party=\"{}\"",
                    v["verdict"].as_str().unwrap(),
                    ps["proposal"].as_str().unwrap(),
                    v["party"].as_str().unwrap()
                );
                let at = html.find(&cell).unwrap_or_else(|| panic!("{name}: no {cell}"));
                let td = &html[at..at + html[at..].find("</td>").unwrap()];
                // Never a share without its count of draws.
                let said =
                    format!("data-count=\"{}\" data-samples=\"{n}\">", v["same_verdict"]["count"]);
                assert!(td.contains(&said), "{name}: {td} lacks {said}");
                assert!(td.contains(&format!(" of {n} draws</span>")), "{td}");
            }
        }
    }
}

#[test]
fn a_party_can_drop_a_red_line_on_the_what_if_page() {
    let server = Server::start(&[]);
    let (status, html) =
        server.get("/scenarios/ukraine-2025/what-if?red_lines_party=russia&red_lines_issue=TER-03");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("russia.TER-03.red_lines"), "the edit said");
    let a = json_of(&["analyze", "ukraine-2025", "--set", "russia.TER-03.red_lines=none"]);
    for e in a["evaluations"].as_array().unwrap() {
        for pe in e["parties"].as_array().unwrap() {
            let cell = format!(
                "<td class=\"{}\" data-proposal=\"{}\" data-party=\"{}\"",
                pe["verdict"].as_str().unwrap(),
                e["proposal"]["id"].as_str().unwrap(),
                pe["party"].as_str().unwrap()
            );
            assert!(html.contains(&cell), "no {cell}");
        }
    }
    // Is any deal possible now: the page says what deadlock says with the red lines dropped.
    let d = json_of(&["deadlock", "ukraine-2025", "--set", "russia.TER-03.red_lines=none"]);
    let answer = if d["deadlock"]["deal_possible"] == true { "deal yes" } else { "deal no" };
    assert!(html.contains(&format!("<p class=\"{answer}\">")), "{answer}");
}

// ---- In a real browser: Debian's Chromium, driven over the DevTools protocol (tests/cdp).

/// Debian's Chromium, if installed.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Chromium, or None when it is not installed and the test may skip (it may not in CI).
fn browser_or_skip(test: &str) -> Option<&'static str> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("DETENTE_REQUIRE_BROWSER").is_none(),
            "DETENTE_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)"
        );
        eprintln!("SKIPPED {test}: Chromium is not installed (apt-get install chromium)");
    }
    found
}

/// Where the browser tests save their screenshots for review (not compared).
fn screenshots() -> PathBuf {
    let dir = root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file name for a page's screenshot: its path and query, made safe.
fn shot_name(page: &str) -> String {
    let name: String = page
        .trim_matches('/')
        .trim_start_matches("scenarios/")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    let name = if name.is_empty() { "index".to_string() } else { name };
    format!("{}.png", &name[..name.len().min(120)])
}

/// The links of a page to other pages of the server (`href="/..."`), without fragments.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//") && !h.starts_with("/assets/"))
        .map(|h| h.split('#').next().unwrap_or(h).replace("&amp;", "&"))
        .collect()
}

/// A page's kind: its path with the ids past the scenario's name made `*`
/// (`/scenarios/*/proposals/*`); the query (a view, the page's own choices) is not part of it.
fn kind(path: &str) -> String {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    path.split('/')
        .enumerate()
        .map(|(i, s)| if i >= 2 && i % 2 == 0 { "*" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// One page of every kind the pages of scenario `name` link to (HTML pages only: a
/// download, such as "save as", is no page to load), found by following the links from its
/// overview, besides those `known`.
fn crawl(server: &Server, name: &str, known: &[String]) -> Vec<String> {
    let home = format!("/scenarios/{name}");
    let mut kinds: std::collections::BTreeSet<String> = known.iter().map(|p| kind(p)).collect();
    let mut pages = vec![home.clone()];
    kinds.insert(kind(&home));
    let mut k = 0;
    while k < pages.len() {
        let (status, headers, html) = server.get_with_headers(&pages[k]);
        assert_eq!(status, 200, "{}: {html}", pages[k]);
        assert!(headers.contains("content-type: text/html"), "{}: {headers}", pages[k]);
        for link in links(&html) {
            if link.starts_with(&format!("{home}/")) && !kinds.contains(&kind(&link)) {
                let (_, headers, _) = server.get_with_headers(&link);
                kinds.insert(kind(&link));
                if headers.contains("content-type: text/html") {
                    pages.push(link);
                }
            }
        }
        k += 1;
    }
    pages
}

/// A NegMAS domain to serve: the repository's own (a NegMAS JSON domain of two parties).
fn negmas_domain() -> String {
    let file = root().join("crates/cli/tests/data/fishing.json");
    assert!(file.exists(), "{}", file.display());
    file.to_string_lossy().into_owned()
}

#[test]
#[allow(clippy::disallowed_methods)] // the CLI's tests may read the clock
fn the_browser_checks_catch_console_errors_outside_requests_and_pages_that_never_load() {
    let test = "the_browser_checks_catch_console_errors_outside_requests_and_pages_that_never_load";
    let Some(browser) = browser_or_skip(test) else { return };
    // A page that does everything the pages must not: the checks below must see it all.
    let file = std::env::temp_dir().join(format!("detente-bad-page-{}.html", std::process::id()));
    std::fs::write(
        &file,
        "<!DOCTYPE html><html><body><p>bad</p><img src=\"http://detente.invalid/x.png\">\
<script>console.error('an error'); fetch('https://fonts.example.invalid/f.css').catch(function () {}); notDefined();</script></body></html>",
    )
    .unwrap();
    let mut b = cdp::Browser::start(browser, 800, 600);
    b.visit(&format!("file://{}", file.display()));
    let seen = std::mem::take(&mut b.seen);
    let _ = std::fs::remove_file(&file);
    assert!(seen.console.iter().any(|c| c.contains("an error")), "{seen:?}");
    assert!(seen.console.iter().any(|c| c.contains("notDefined")), "{seen:?}");
    let outside: Vec<&String> = seen.requests.iter().filter(|u| !cdp::local(u)).collect();
    assert_eq!(outside.len(), 2, "{seen:?}");
    assert!(!seen.log.is_empty(), "the failed loads are logged: {seen:?}");
    // A server that never answers: the visit fails within its limit, saying so (it once
    // waited forever for a load event that never came).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<TcpStream> = silent.incoming().take(8).flatten().collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    b.load_limit = Duration::from_secs(2);
    let started = std::time::Instant::now();
    let e = b.try_visit(&format!("http://{addr}/")).unwrap_err();
    assert!(e.contains("not loaded within 2s"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2 + 30), "{:?}", started.elapsed());
    // A download (save as) is no page: said at once, with the browser's reason.
    let server = Server::start(&["tutorial"]);
    b.load_limit = cdp::LOAD_LIMIT;
    let e = b
        .try_visit(&format!("http://{}/scenarios/tutorial/scenario.toml", server.addr))
        .unwrap_err();
    assert!(e.contains("did not load it as a page"), "{e}");
    // And the browser still works after both.
    b.visit(&format!("http://{}/", server.addr));
    assert!(b.dom().contains("tutorial"));
}

/// What a page must show, checked in the browser's DOM: (page, check).
type Check = (String, Box<dyn Fn(&str)>);

/// The pages whose numbers the browser test compares with the CLI's `--json`: the verdicts
/// of the overview, compare and mediate, a what-if edit's verdicts, the frontier.
fn checks() -> Vec<Check> {
    let mut checks: Vec<Check> = vec![];
    for name in ["tutorial", "ukraine-2025"] {
        let cells = verdict_cells(name);
        checks.push((
            format!("/scenarios/{name}"),
            Box::new(move |dom: &str| {
                assert!(dom.contains("<table class=\"verdicts\">"), "{dom}");
                for cell in &cells {
                    assert!(dom.contains(cell), "the overview in a browser has no {cell}");
                }
            }),
        ));
    }
    let c = json_of(&["compare", "ukraine-2025", "us-28", "e3-markup"]);
    checks.push((
        "/scenarios/ukraine-2025/compare?from=us-28&to=e3-markup".into(),
        Box::new(move |dom: &str| assert_compare_rows(dom, &c, "compare in a browser")),
    ));
    let m = json_of(&["mediate", "tutorial", "--from", "commission-draft"]);
    checks.push((
        "/scenarios/tutorial/mediate?from=commission-draft".into(),
        Box::new(move |dom: &str| {
            for p in m["revisions"][0]["parties"].as_array().unwrap() {
                let row = format!(
                    "<tr data-party=\"{}\" data-before=\"{}\" data-after=\"{}\">",
                    p["party"].as_str().unwrap(),
                    p["verdict_before"].as_str().unwrap(),
                    p["verdict_after"].as_str().unwrap()
                );
                assert!(revision_part(dom, 1).contains(&row), "mediate in a browser: no {row}");
            }
        }),
    ));
    // A what-if edit: the verdicts the library predicts for the edited scenario, and they
    // differ from the scenario's as served.
    let edited = json_of(&["analyze", "tutorial", "--set", "lowland.reservation=0.9"]);
    let cells = |a: &serde_json::Value| -> Vec<String> {
        let mut cells = vec![];
        for e in a["evaluations"].as_array().unwrap() {
            for pe in e["parties"].as_array().unwrap() {
                cells.push(format!(
                    "<td class=\"{}\" data-proposal=\"{}\" data-party=\"{}\"",
                    pe["verdict"].as_str().unwrap(),
                    e["proposal"]["id"].as_str().unwrap(),
                    pe["party"].as_str().unwrap()
                ));
            }
        }
        cells
    };
    let (after, before) = (cells(&edited), verdict_cells("tutorial"));
    assert_ne!(after, before, "the edit must change a verdict for the check to mean anything");
    checks.push((
        "/scenarios/tutorial/what-if?set=lowland.reservation%3D0.9".into(),
        Box::new(move |dom: &str| {
            for cell in &after {
                assert!(dom.contains(cell), "what-if in a browser: no {cell}");
            }
        }),
    ));
    checks.push((
        "/scenarios/tutorial/frontier?parties=upland,lowland,commission".into(),
        Box::new(|dom: &str| {
            assert!(dom.contains("<tr data-solution=\"nash\""), "frontier in a browser:\n{dom}");
            assert!(dom.contains("<svg class=\"plot\""), "frontier in a browser:\n{dom}");
        }),
    ));
    checks
}

#[test]
#[allow(clippy::disallowed_methods)] // the CLI's tests may read the clock
fn every_page_loads_in_a_real_browser_with_the_numbers_of_the_cli_and_nothing_from_outside() {
    let test =
        "every_page_loads_in_a_real_browser_with_the_numbers_of_the_cli_and_nothing_from_outside";
    let Some(browser) = browser_or_skip(test) else { return };
    let started = std::time::Instant::now();
    // The shipped scenarios and a NegMAS domain: every kind of page of each.
    let negmas = negmas_domain();
    let server = Server::start(&["ukraine-2025", "tutorial", &negmas]);
    let checks = checks();
    let mut pages: Vec<String> = vec!["/".into()];
    pages.extend(checks.iter().map(|(p, _)| p.clone()));
    for name in ["tutorial", "ukraine-2025", "fishing"] {
        let known: Vec<String> = pages
            .iter()
            .filter(|p| p.starts_with(&format!("/scenarios/{name}")))
            .cloned()
            .collect();
        for page in crawl(&server, name, &known) {
            if !pages.contains(&page) {
                pages.push(page);
            }
        }
    }
    for name in ["tutorial", "ukraine-2025", "fishing"] {
        let kinds: Vec<String> = pages
            .iter()
            .filter(|p| p.starts_with(&format!("/scenarios/{name}")))
            .map(|p| kind(p))
            .collect();
        for page in [
            "",
            "/compare",
            "/mediate",
            "/what-if",
            "/frontier",
            "/forecast",
            "/simulate",
            "/tournament",
        ] {
            let want = kind(&format!("/scenarios/{name}{page}"));
            assert!(kinds.contains(&want), "{name}: no {want} among {kinds:?}");
        }
    }
    let shots = screenshots();
    let mut b = cdp::Browser::start(browser, 1280, 900);
    for page in &pages {
        let url = format!("http://{}{page}", server.addr);
        b.visit(&url);
        let seen = &b.seen;
        assert!(seen.console.is_empty(), "{page}: console: {:?}", seen.console);
        assert!(seen.log.is_empty(), "{page}: browser log: {:?}", seen.log);
        assert!(seen.requests.contains(&url), "{page}: {:?}", seen.requests);
        let outside: Vec<&String> = seen.requests.iter().filter(|u| !cdp::local(u)).collect();
        assert!(outside.is_empty(), "{page}: requests leaving the machine: {outside:?}");
        if let Some((_, check)) = checks.iter().find(|(p, _)| p == page) {
            check(&b.dom());
        }
        b.screenshot(&shots.join(shot_name(page)));
    }
    eprintln!("{test}: {} pages in {:?}", pages.len(), started.elapsed());
}

#[test]
fn the_report_opens_offline_in_a_real_browser_on_a_screen_a_phone_and_paper() {
    let test = "the_report_opens_offline_in_a_real_browser_on_a_screen_a_phone_and_paper";
    let Some(browser) = browser_or_skip(test) else { return };
    let shots = screenshots();
    let mut b = cdp::Browser::start(browser, 1280, 900);
    for name in ["tutorial", "ukraine-2025"] {
        let file = shots.join(format!("report-{name}.html"));
        let (code, _, err) = detente(&["report", name, "--html", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let url = format!("file://{}", file.canonicalize().unwrap().display());
        for (width, suffix) in [(1280, "screen"), (390, "phone")] {
            if width < 600 {
                b.phone(width);
            } else {
                b.screen();
            }
            b.visit(&url);
            let seen = &b.seen;
            assert!(seen.console.is_empty() && seen.log.is_empty(), "{name}: {seen:?}");
            assert_eq!(seen.requests, std::slice::from_ref(&url), "{name}: only the file itself");
            // The verdicts and the heat map are there, and nothing is wider than the screen
            // (wide tables scroll in their own box).
            let cells = b.eval("document.querySelectorAll('table.heat td[data-verdict]').length");
            assert!(cells.as_u64().unwrap() >= 12, "{name}: {cells}");
            let fits = b.eval("document.documentElement.scrollWidth <= window.innerWidth");
            assert_eq!(fits, true, "{name} on a {suffix}: the page is wider than the screen");
            b.screenshot(&shots.join(format!("report-{name}-{suffix}.png")));
            if width > 600 {
                let pdf = shots.join(format!("report-{name}.pdf"));
                b.pdf(&pdf);
                assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"), "{}", pdf.display());
            }
        }
    }
}

/// The NegMAS domain imported as a scenario file (`detente import json`), for the commands
/// that read scenarios only (forecast): the scenario the server serves for it.
fn negmas_imported() -> Removed {
    let file = std::env::temp_dir().join(format!("detente-fishing-{}.toml", std::process::id()));
    std::fs::write(&file, stdout_of(&["import", "json", &negmas_domain()])).unwrap();
    Removed(file)
}

/// A file removed when dropped.
struct Removed(PathBuf);

impl Removed {
    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Removed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn forecast_simulate_and_tournament_answer_the_json_of_their_commands() {
    let negmas = negmas_domain();
    let imported = negmas_imported();
    let server = Server::start(&["tutorial", "ukraine-2025", &negmas]);
    let cases: [(&str, &[&str]); 10] = [
        ("/api/scenarios/tutorial/forecast", &["forecast", "tutorial"]),
        (
            "/api/scenarios/ukraine-2025/forecast?model=eum&max_rounds=20",
            &["forecast", "ukraine-2025", "--model", "eum", "--max-rounds", "20"],
        ),
        (
            "/api/scenarios/tutorial/forecast?stochastic=yes&seed=7&max_rounds=5&parties=upland,lowland",
            &[
                "forecast",
                "tutorial",
                "--stochastic",
                "--seed",
                "7",
                "--max-rounds",
                "5",
                "--parties",
                "upland,lowland",
            ],
        ),
        (
            "/api/scenarios/fishing/forecast?model=median",
            &["forecast", imported.arg(), "--model", "median"],
        ),
        (
            "/api/scenarios/tutorial/simulate?negotiators=boulware,conceder",
            &["simulate", "tutorial", "--negotiators", "boulware,conceder"],
        ),
        (
            "/api/scenarios/ukraine-2025/simulate?negotiators=aspiration,tit-for-tat&seed=3&steps=60&trace=full&mechanism=sao",
            &[
                "simulate",
                "ukraine-2025",
                "--negotiators",
                "aspiration,tit-for-tat",
                "--seed",
                "3",
                "--steps",
                "60",
                "--trace",
                "full",
                "--mechanism",
                "sao",
            ],
        ),
        (
            "/api/scenarios/fishing/simulate?negotiators=linear,nash&mechanism=veto",
            &["simulate", &negmas, "--negotiators", "linear,nash", "--mechanism", "veto"],
        ),
        (
            "/api/scenarios/tutorial/tournament?negotiators=boulware,conceder,linear&seed=2",
            &["tournament", "tutorial", "--negotiators", "boulware,conceder,linear", "--seed", "2"],
        ),
        // (ukraine-2025's tournament differs: `detente tournament` reads the file as
        // written, not as known on its as_of as the server and every other command do.)
        (
            "/api/scenarios/tutorial/tournament?negotiators=boulware,random&repetitions=3&steps=50",
            &[
                "tournament",
                "tutorial",
                "--negotiators",
                "boulware,random",
                "--repetitions",
                "3",
                "--steps",
                "50",
            ],
        ),
        (
            "/api/scenarios/fishing/tournament?negotiators=hardliner,conceder&mechanism=hill-climbing",
            &[
                "tournament",
                &negmas,
                "--negotiators",
                "hardliner,conceder",
                "--mechanism",
                "hill-climbing",
            ],
        ),
    ];
    for (path, args) in cases {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        let mut args = args.to_vec();
        args.push("--json");
        assert_eq!(body, stdout_of(&args), "{path} against detente {args:?}");
        // Decided by (scenario, parameters, seed): the same again.
        assert_eq!(server.get(path).1, body, "{path} twice");
    }
}

#[test]
fn forecast_simulate_and_tournament_refuse_bad_parameters_and_sizes_too_large() {
    let server = Server::start(&["tutorial"]);
    let eight = "boulware,linear,conceder,aspiration,tit-for-tat,random,hardliner,nash";
    let cases = [
        ("forecast?max_rounds=1001", "max_rounds 1001: the server runs at most 1000 rounds"),
        (
            "forecast?model=oracle",
            "model: invalid value \"oracle\": smp, compromise, median or eum",
        ),
        ("forecast?seed=7", "--seed applies to stochastic runs only"),
        ("forecast?stochastic=maybe", "stochastic: invalid value \"maybe\": yes or no"),
        ("forecast?parties=upland", "--parties: name at least 2 actors"),
        ("forecast?max_work=5", "unknown parameter \"max_work\""),
        ("simulate", "simulate: the parameter negotiators is required"),
        (
            "simulate?negotiators=boulware,conceder&steps=10001",
            "steps 10001: the server runs sessions of at most 10000 steps",
        ),
        (
            "simulate?negotiators=boulware,conceder&steps=99999999999",
            "steps: invalid value \"99999999999\": not a whole number",
        ),
        ("simulate?negotiators=boulware,conceder&seed=-1", "seed: invalid value \"-1\""),
        ("simulate?negotiators=boulware,oracle", "oracle"),
        ("simulate?negotiators=boulware", "1 negotiator given for 2 parties"),
        (
            "simulate?negotiators=boulware,conceder&mechanism=auction",
            "mechanism: invalid value \"auction\"",
        ),
        ("simulate?negotiators=boulware,conceder&trace=all", "trace: invalid value \"all\""),
        ("tournament", "tournament: the parameter negotiators is required"),
        (
            "tournament?negotiators=boulware,conceder&repetitions=251",
            "the tournament asks for 1004 sessions",
        ),
        (
            "tournament?negotiators=boulware,conceder&repetitions=100&steps=10000",
            "the tournament asks for 400 sessions of 10000 steps",
        ),
        ("tournament?negotiators=boulware,conceder&repetitions=0", "at least one repetition"),
        (
            "tournament?negotiators=boulware,conceder&repetitions=4294967296",
            "repetitions: invalid value",
        ),
        ("tournament?negotiators=boulware,conceder&parties=upland,nobody", "nobody"),
    ];
    for (q, words) in cases {
        let (status, body) = server.get(&format!("/api/scenarios/tutorial/{q}"));
        assert_eq!(status, 400, "{q}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(v["error"].as_str().unwrap().contains(words), "{q}: {body}");
    }
    // The pages refuse them alike, in a page.
    let (status, page) =
        server.get(&format!("/scenarios/tutorial/tournament?negotiators={eight}&repetitions=20"));
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("the tournament asks for 1280 sessions"), "{page}");
    let (status, page) = server.get("/scenarios/tutorial/simulate?steps=20000");
    assert_eq!(status, 400, "{page}");
    let (status, page) = server.get("/scenarios/tutorial/forecast?trace=full");
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("unknown parameter"), "{page}");
}

#[test]
fn the_forecast_simulate_and_tournament_pages_show_the_numbers_of_the_cli() {
    let negmas = negmas_domain();
    let server = Server::start(&["tutorial", "ukraine-2025", &negmas]);
    // Linked from the index and from every page of a scenario.
    let (_, index) = server.get("/");
    for name in ["tutorial", "ukraine-2025", "fishing"] {
        for page in ["forecast", "simulate", "tournament"] {
            assert!(index.contains(&format!("href=\"/scenarios/{name}/{page}\"")), "{name} {page}");
        }
    }
    let (_, overview) = server.get("/scenarios/tutorial/compare");
    assert!(overview.contains("href=\"/scenarios/tutorial/forecast\">Forecast</a>"), "{overview}");
    // Forecast: each point's forecast, and the positions round by round.
    let imported = negmas_imported();
    for (name, arg) in
        [("tutorial", "tutorial"), ("ukraine-2025", "ukraine-2025"), ("fishing", imported.arg())]
    {
        let (status, html) = server.get(&format!("/scenarios/{name}/forecast"));
        assert_eq!(status, 200, "{html}");
        let f = json_of(&["forecast", arg]);
        for pt in f["points"].as_array().unwrap() {
            let row = format!(
                "<tr data-issue=\"{}\" data-forecast=\"{}\">",
                esc(pt["issue"].as_str().unwrap()),
                esc(pt["forecast"].as_str().unwrap_or("-"))
            );
            assert!(html.contains(&row), "{name}: no {row}");
        }
        let moved =
            f["points"].as_array().unwrap().iter().any(|p| p["smp"]["rounds"].as_u64().is_some());
        assert_eq!(html.contains("smp positions by round, point by point"), moved, "{name}");
    }
    // A search stopped short says so, in the words of `detente forecast`.
    let (status, html) = server.get("/scenarios/tutorial/forecast?max_rounds=3");
    assert_eq!(status, 200, "{html}");
    let text = stdout_of(&["forecast", "tutorial", "--max-rounds", "3"]);
    assert!(text.contains("1.00, not converged"), "{text}");
    assert!(html.contains("1.00, not converged"), "{html}");
    // Simulate: each party's utility, the session drawn, how it ended.
    let (status, html) =
        server.get("/scenarios/tutorial/simulate?negotiators=boulware,conceder&seed=4");
    assert_eq!(status, 200, "{html}");
    let sim = json_of(&[
        "simulate",
        "tutorial",
        "--negotiators",
        "boulware,conceder",
        "--seed",
        "4",
        "--trace",
        "full",
    ]);
    for (p, u) in
        sim["parties"].as_array().unwrap().iter().zip(sim["utilities"].as_array().unwrap())
    {
        let row = format!("<tr data-party=\"{}\" data-utility=\"{u}\">", p.as_str().unwrap());
        assert!(html.contains(&row), "no {row}");
    }
    let offers =
        sim["trace"].as_array().unwrap().iter().filter(|e| !e["outcome"].is_null()).count();
    assert!(html.matches("<circle").count() >= offers, "every offer marked");
    assert_eq!(html.contains(">agreement</text>"), !sim["agreement"].is_null());
    assert!(html.contains("<polyline"), "a line per party");
    // The default negotiators: one per counted party, from the registry, named on the page.
    let (status, html) = server.get("/scenarios/ukraine-2025/simulate");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("value=\"boulware,linear\""), "{html}");
    // Tournament: each negotiator's row as the command's scores.
    let (status, html) = server
        .get("/scenarios/fishing/tournament?negotiators=boulware,conceder,linear&repetitions=2");
    assert_eq!(status, 200, "{html}");
    let t = json_of(&[
        "tournament",
        &negmas,
        "--negotiators",
        "boulware,conceder,linear",
        "--repetitions",
        "2",
    ]);
    for sc in t["scenario_scores"][0]["scores"].as_array().unwrap() {
        let row = format!(
            "<tr data-negotiator=\"{}\" data-agreements=\"{}\" data-utility=\"{}\">",
            sc["negotiator"].as_str().unwrap(),
            sc["agreements"],
            sc["mean_utility"]
        );
        assert!(html.contains(&row), "no {row}");
    }
    let (status, html) = server.get("/scenarios/tutorial/tournament");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Tournament: 12 negotiators on 1 scenario, 144 sessions"), "{html}");
}

/// A scenario served as known on its file's `as_of` says on every page what that day left
/// out as later, each item with its date (as `report` and the commands' JSON do).
#[test]
fn the_pages_say_what_the_files_as_of_left_out() {
    let dir = std::env::temp_dir().join(format!("detente-serve-later-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join("crates/cli/tests/data/timeline.toml")).unwrap();
    let file = dir.join("t.toml");
    std::fs::write(&file, text.replace("as_of = \"2025-12-20\"", "as_of = \"2025-12-10\""))
        .unwrap();
    let server = Server::start(&[file.to_str().unwrap()]);
    for path in ["/scenarios/timeline-toy", "/scenarios/timeline-toy/compare"] {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains(
                "As of 10 Dec 2025 (the file&#39;s as_of): left out as later 1 proposal (d2)"
            ) || body.contains(
                "As of 10 Dec 2025 (the file's as_of): left out as later 1 proposal (d2)"
            ),
            "{path}: {body}"
        );
        assert!(body.contains("<li>15 Dec 2025, proposal: d2 (Second draft)</li>"), "{path}");
    }
    drop(server);
    // The file's own as_of leaves nothing out: nothing is said.
    let server = Server::start(&["crates/cli/tests/data/timeline.toml"]);
    let (_, body) = server.get("/scenarios/timeline-toy");
    assert!(!body.contains("left-out"), "{body}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
