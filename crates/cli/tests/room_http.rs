//! The confidential room over HTTP (`detente serve --multi-user`), tried as its users
//! would: the built binary on 127.0.0.1 and a free port, every route by every role, each
//! refusal checked (docs/security.md).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `detente serve --multi-user` with one new room, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
    room: String,
    /// (who, token): the mediator first, then each party.
    tokens: Vec<(String, String)>,
    data: PathBuf,
    /// The PostgreSQL database served instead of `data`'s SQLite file (`--database`).
    database: Option<String>,
    /// Keep the data folder when dropped (for a restart on it).
    keep: bool,
    /// What the server printed, up to the line with its URL.
    printed: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.data);
        }
    }
}

impl Server {
    fn start(scenario: &str, tag: &str) -> Server {
        Server::start_on(scenario, tag, None)
    }

    /// A server with a new room, on a SQLite file of its own or on the PostgreSQL database
    /// at `database`.
    fn start_on(scenario: &str, tag: &str, database: Option<String>) -> Server {
        let data =
            std::env::temp_dir().join(format!("detente-room-http-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let server =
            Server::spawn_on(data, database, &["--new-room", scenario], String::new(), vec![]);
        assert_eq!(server.room.len(), 32, "the room's id is printed");
        server
    }

    /// A new server on the store of a stopped one (no new room): its room and tokens.
    fn restart(prev: &Server) -> Server {
        Server::spawn_on(
            prev.data.clone(),
            prev.database.clone(),
            &[],
            prev.room.clone(),
            prev.tokens.clone(),
        )
    }

    fn spawn(data: PathBuf, extra: &[&str], room: String, tokens: Vec<(String, String)>) -> Server {
        Server::spawn_on(data, None, extra, room, tokens)
    }

    fn spawn_on(
        data: PathBuf,
        database: Option<String>,
        extra: &[&str],
        room: String,
        tokens: Vec<(String, String)>,
    ) -> Server {
        let store = match &database {
            Some(url) => ["--database".to_string(), url.clone()],
            None => ["--data".to_string(), data.display().to_string()],
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
            .args(["serve", "--multi-user"])
            .args(&store)
            .args(extra)
            .args(["--port", "0"])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut room, mut tokens, mut addr) = (room, tokens, String::new());
        let mut printed = vec![];
        let mut line = String::new();
        while addr.is_empty() && out.read_line(&mut line).unwrap_or(0) > 0 {
            printed.push(line.trim_end_matches('\n').to_string());
            if let Some(rest) = line.strip_prefix("detente: room ") {
                room = rest.split_whitespace().next().unwrap_or_default().to_string();
            } else if let Some(rest) = line.strip_prefix("  ") {
                let mut w = rest.split_whitespace();
                let (who, token) = (w.next().unwrap_or_default(), w.next().unwrap_or_default());
                tokens.push((who.to_string(), token.to_string()));
            } else if let Some(rest) = line.split("http://").nth(1) {
                addr = rest.split('/').next().unwrap_or_default().to_string();
            }
            line.clear();
        }
        // Built before any check, so that a failing check still stops the server (Drop).
        let server = Server { child, addr, room, tokens, data, database, keep: false, printed };
        assert!(!server.addr.is_empty(), "the server ended before listening");
        server
    }

    fn token(&self, who: &str) -> &str {
        &self.tokens.iter().find(|(w, _)| w == who).unwrap().1
    }

    /// One request; status, headers (lower case) and body.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
        let mut raw = vec![];
        let _ = stream.read_to_end(&mut raw);
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, head.to_lowercase(), body.to_string())
    }

    /// Signs in as `who`; the session as (cookie header, csrf, bearer header). The mediator
    /// signs in with its token; a party claims its invitation with its secret
    /// ([`secret_of`]), or signs in with that secret once it has claimed it.
    fn sign_in(&self, who: &str) -> User {
        let (mut status, mut head, mut answer) = (0, String::new(), String::new());
        if who != "mediator" {
            let body = json!({"who": who, "invitation": self.token(who), "secret": secret_of(who)});
            (status, head, answer) = self.request(
                "POST",
                &format!("/rooms/{}/claim", self.room),
                &[],
                body.to_string().as_bytes(),
            );
        }
        if status != 200 {
            assert!(status == 0 || status == 409, "{who}: {answer}");
            let token =
                if who == "mediator" { self.token(who).to_string() } else { secret_of(who) };
            let body = json!({"who": who, "token": token}).to_string();
            (status, head, answer) = self.request(
                "POST",
                &format!("/rooms/{}/sign-in", self.room),
                &[],
                body.as_bytes(),
            );
        }
        assert_eq!(status, 200, "{who}: {answer}");
        let v: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["claimed"], json!(true), "{who}: {answer}");
        assert!(head.contains("set-cookie: detente_session="), "{head}");
        assert!(head.contains("httponly") && head.contains("samesite=strict"), "{head}");
        User {
            who: who.to_string(),
            session: v["session"].as_str().unwrap().to_string(),
            csrf: v["csrf"].as_str().unwrap().to_string(),
        }
    }
}

/// The secret a party of the tests chooses when it claims its invitation.
fn secret_of(party: &str) -> String {
    format!("the secret of {party}, chosen by it")
}

struct User {
    who: String,
    session: String,
    csrf: String,
}

impl User {
    fn cookie(&self) -> String {
        format!("detente_session={}", self.session)
    }
}

/// A request by a user signed in by cookie, with its CSRF token.
fn by(server: &Server, u: &User, method: &str, route: &str, body: &str) -> (u16, String) {
    let cookie = u.cookie();
    let path = format!("/rooms/{}/{route}", server.room);
    let (s, _, b) = server.request(
        method,
        &path,
        &[("Cookie", &cookie), ("X-Detente-CSRF", &u.csrf)],
        body.as_bytes(),
    );
    (s, b)
}

#[test]
fn every_route_by_every_role_is_allowed_or_refused_as_the_table_says() {
    let server = Server::start("tutorial", "roles");
    let who: Vec<String> = server.tokens.iter().map(|(w, _)| w.clone()).collect();
    assert_eq!(who, ["mediator", "upland", "lowland", "commission"]);
    let users: Vec<User> = who.iter().map(|w| server.sign_in(w)).collect();
    let m = &users[0];
    let inputs = json!({"reservation": 0.25, "stances": {"share": {"weight": 2, "ideal": 35, "tolerance": 30}}}).to_string();
    let (s, b) = by(
        &server,
        m,
        "POST",
        "api/biddings",
        r#"{"point": "share", "low": "upland", "high": "lowland"}"#,
    );
    assert_eq!(s, 200, "{b}");
    assert_eq!(serde_json::from_str::<Value>(&b).unwrap(), json!({"bidding": 1}));
    for u in &users {
        let mediator = u.who == "mediator";
        let side = u.who == "upland" || u.who == "lowland";
        let expect = |allowed: bool| if allowed { 200 } else { 403 };
        let cases: Vec<(&str, &str, String, u16)> = vec![
            ("GET", "api/skeleton", String::new(), 200),
            ("GET", "api/inputs", String::new(), expect(!mediator)),
            ("PUT", "api/inputs", inputs.clone(), expect(!mediator)),
            ("GET", "api/me", String::new(), expect(!mediator)),
            ("GET", "api/mediator", String::new(), expect(mediator)),
            ("GET", "api/audit", String::new(), expect(mediator)),
            (
                "POST",
                "api/drafts",
                format!(r#"{{"id": "d-{}", "title": "t"}}"#, u.who),
                expect(mediator),
            ),
            (
                "POST",
                "api/biddings",
                r#"{"point": "share", "low": "upland", "high": "lowland"}"#.into(),
                expect(mediator),
            ),
            ("GET", "api/biddings/1", String::new(), expect(mediator || side)),
            (
                "POST",
                "api/biddings/1/offers",
                format!(r#"{{"value": {}}}"#, if u.who == "upland" { 30 } else { 70 }),
                expect(side),
            ),
            // Last: reissuing the mediator's own token ends the mediator's session.
            ("POST", "api/invitations/mediator", String::new(), expect(mediator)),
        ];
        for (method, route, body, status) in cases {
            let (s, b) = by(&server, u, method, route, &body);
            assert_eq!(s, status, "{} {method} {route}: {b}", u.who);
            if s == 403 {
                assert!(b.contains("may not"), "{b}");
            }
        }
    }
    // The mediator's session ended with its old token.
    assert_eq!(by(&server, m, "GET", "api/audit", "").0, 404);
    // Not signed in: 401; another room's path: 404.
    let (s, _, _) =
        server.request("GET", &format!("/rooms/{}/api/skeleton", server.room), &[], b"");
    assert_eq!(s, 401);
    let other = "0123456789abcdef0123456789abcdef";
    let (s, _, b) = server.request(
        "GET",
        &format!("/rooms/{other}/api/skeleton"),
        &[("Cookie", &users[1].cookie())],
        b"",
    );
    assert_eq!(s, 404, "{b}");
    // A change by cookie without the CSRF token is refused; by bearer it needs none.
    let path = format!("/rooms/{}/api/inputs", server.room);
    let (s, _, b) =
        server.request("PUT", &path, &[("Cookie", &users[1].cookie())], inputs.as_bytes());
    assert_eq!(s, 403, "{b}");
    assert!(b.contains("CSRF"), "{b}");
    let (s, _, _) = server.request(
        "PUT",
        &path,
        &[("Cookie", &users[1].cookie()), ("X-Detente-CSRF", &users[2].csrf)],
        inputs.as_bytes(),
    );
    assert_eq!(s, 403, "another session's CSRF token");
    let bearer = format!("Bearer {}", users[1].session);
    let (s, _, _) = server.request("PUT", &path, &[("Authorization", &bearer)], inputs.as_bytes());
    assert_eq!(s, 200);
    // Signed out, the session opens nothing.
    let (s, _) = by(&server, &users[3], "POST", "sign-out", "");
    assert_eq!(s, 200);
    let (s, _) = by(&server, &users[3], "GET", "api/skeleton", "");
    assert_eq!(s, 404);
}

#[test]
fn a_partys_answers_never_hold_another_partys_numbers() {
    let server = Server::start("tutorial", "numbers");
    let users: Vec<User> =
        ["mediator", "upland", "lowland", "commission"].iter().map(|w| server.sign_in(w)).collect();
    // Distinctive numbers per party, entered over HTTP.
    let secret = |k: usize| -> Vec<String> {
        vec![format!("0.1234{k}71"), format!("3.5{k}1919"), format!("41.7{k}3")]
    };
    for (k, u) in users[1..].iter().enumerate() {
        let [r, w, ideal] = <[String; 3]>::try_from(secret(k)).unwrap();
        let body = format!(
            r#"{{"reservation": {r}, "stances": {{"share": {{"weight": {w}, "ideal": {ideal}, "tolerance": 30, "red_lines": [{{"min": 2{k}.5, "reason": "secret of {who}"}}]}}}}}}"#,
            who = u.who
        );
        let (s, b) = by(&server, u, "PUT", "api/inputs", &body);
        assert_eq!(s, 200, "{b}");
    }
    for (k, u) in users[1..].iter().enumerate() {
        for route in ["api/inputs", "api/me", "api/skeleton"] {
            let (s, b) = by(&server, u, "GET", route, "");
            assert_eq!(s, 200);
            for (j, other) in users[1..].iter().enumerate().filter(|(j, _)| *j != k) {
                for x in secret(j).iter().chain([&format!("secret of {}", other.who)]) {
                    assert!(
                        !b.contains(x.as_str()),
                        "{}'s {route} holds {x} of {}",
                        u.who,
                        other.who
                    );
                }
            }
        }
    }
    for route in ["api/mediator", "api/audit", "api/skeleton"] {
        let (s, b) = by(&server, &users[0], "GET", route, "");
        assert_eq!(s, 200, "{b}");
        for (j, u) in users[1..].iter().enumerate() {
            for x in secret(j).iter().chain([&format!("secret of {}", u.who)]) {
                assert!(!b.contains(x.as_str()), "the mediator's {route} holds {x}");
            }
        }
    }
}

#[test]
fn bad_requests_get_4xx_never_5xx() {
    let server = Server::start("tutorial", "bad");
    let u = server.sign_in("upland");
    let m = server.sign_in("mediator");
    let sql = "'; DROP TABLE rooms; --";
    let room = server.room.clone();
    let cases: Vec<(&User, &str, String, String)> = vec![
        (&u, "PUT", "api/inputs".into(), "{".into()),
        (&u, "PUT", "api/inputs".into(), "[1, 2]".into()),
        (&u, "PUT", "api/inputs".into(), format!(r#"{{"stances": {{"{sql}": {{}}}}}}"#)),
        (
            &u,
            "PUT",
            "api/inputs".into(),
            format!(
                r#"{{"stances": {{"share": {{"weight": 1, "ideal": 30, "tolerance": 5, "red_lines": [{{"min": 40, "reason": "{sql}"}}]}}}}}}"#
            ),
        ),
        (&u, "GET", "api/biddings/999".into(), String::new()),
        (&u, "GET", format!("api/biddings/{sql}"), String::new()),
        (&u, "POST", "api/biddings/1/offers".into(), r#"{"value": "x"}"#.into()),
        (&m, "POST", "api/drafts".into(), format!(r#"{{"id": "{sql}", "title": "{sql}"}}"#)),
        (
            &m,
            "POST",
            "api/drafts".into(),
            format!(r#"{{"id": "ok-1", "title": "{sql}", "terms": {{"share": "45"}}}}"#),
        ),
        (&m, "POST", "api/drafts".into(), r#"{"id": 3}"#.into()),
        (
            &m,
            "POST",
            "api/biddings".into(),
            format!(r#"{{"point": "{sql}", "low": "upland", "high": "lowland"}}"#),
        ),
        (&m, "GET", "api/nothing".into(), String::new()),
    ];
    for (user, method, route, body) in &cases {
        let (s, b) = by(&server, user, method, &route.replace(' ', "%20"), body);
        assert!((200..500).contains(&s), "{method} {route} {body}: {s} {b}");
        if s >= 400 && s != 404 {
            assert!(b.contains("\"error\""), "{b}");
        }
    }
    // A body over the server's limit: 413.
    let big = "x".repeat(70 * 1024);
    let (s, _) = by(&server, &u, "PUT", "api/inputs", &big);
    assert_eq!(s, 413);
    // Malformed sign-ins.
    for body in ["{", r#"{"who": "upland"}"#, &format!(r#"{{"who": "{sql}", "token": "{sql}"}}"#)] {
        let (s, _, b) =
            server.request("POST", &format!("/rooms/{room}/sign-in"), &[], body.as_bytes());
        assert!(s == 400 || s == 404, "{body}: {s} {b}");
    }
    // The room still works: the SQL in text fields was text.
    let (s, b) = by(&server, &u, "GET", "api/inputs", "");
    assert_eq!(s, 200);
    assert!(b.contains("DROP TABLE rooms"), "{b}");
}

#[test]
fn rooms_need_a_store_and_are_not_served_without_multi_user() {
    let out = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--multi-user", "--port", "0"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--multi-user needs --data DIR"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--data", "target/x", "--port", "0"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--data alone is a usage error");
    // A plain dashboard has no rooms: 404 with the reason.
    let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "tutorial", "--port", "0"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).unwrap().split('/').next().unwrap().to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    let req = format!(
        "GET /rooms/0123456789abcdef0123456789abcdef/api/skeleton HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(raw.starts_with("HTTP/1.1 404"), "{raw}");
    assert!(raw.contains("--multi-user"), "{raw}");
}

/// A request with a bearer session; the status, or `None` when the connection failed (the
/// server is gone).
fn bearer(
    addr: &str,
    session: &str,
    method: &str,
    path: &str,
    body: &str,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {session}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    let mut raw = vec![];
    stream.read_to_end(&mut raw).ok()?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// The URL of the throwaway PostgreSQL database of `DETENTE_TEST_POSTGRES`; without it the
/// test skips with a message, unless `DETENTE_REQUIRE_POSTGRES=1` (as `.ci/run` sets), where
/// it fails (as crates/room/tests/suite.rs).
fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("DETENTE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("DETENTE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "DETENTE_REQUIRE_POSTGRES=1 but DETENTE_TEST_POSTGRES is not set"
            );
            eprintln!(
                "SKIPPED {test}: DETENTE_TEST_POSTGRES is not set (a postgres:// URL of a \
                 throwaway database; .ci/run starts one)"
            );
            None
        }
    }
}

#[test]
fn a_server_killed_in_the_middle_of_writes_keeps_every_acknowledged_change() {
    killed_in_the_middle_of_writes(None);
}

#[test]
fn a_server_killed_in_the_middle_of_writes_keeps_every_acknowledged_change_on_postgres() {
    if let Some(url) = postgres_url("the crash test on PostgreSQL") {
        killed_in_the_middle_of_writes(Some(url));
    }
}

/// Three parties write as fast as the server answers until it is killed with SIGKILL; a new
/// server on the same store (`database`'s PostgreSQL, or a SQLite file) has every
/// acknowledged change, nothing half-written, and one audit entry per change.
fn killed_in_the_middle_of_writes(database: Option<String>) {
    let tag = if database.is_some() { "crash-postgres" } else { "crash" };
    let mut first = Server::start_on("tutorial", tag, database);
    first.keep = true;
    let parties = ["upland", "lowland", "commission"];
    let users: Vec<User> = parties.iter().map(|p| first.sign_in(p)).collect();
    let mediator = first.sign_in("mediator");
    let room = first.room.clone();
    // Each party writes reservations 0.00001, 0.00002, ... as fast as the server answers,
    // remembering the last one acknowledged (200), until the server dies under it.
    const MOST: u64 = 20_000;
    let acked: Vec<u64> = std::thread::scope(|scope| {
        let writers: Vec<_> = users
            .iter()
            .map(|u| {
                let (addr, room) = (first.addr.clone(), room.clone());
                scope.spawn(move || {
                    let mut last = 0;
                    for k in 1..=MOST {
                        let body = format!(r#"{{"reservation": {}}}"#, k as f64 / 100_000.0);
                        let path = format!("/rooms/{room}/api/inputs");
                        match bearer(&addr, &u.session, "PUT", &path, &body) {
                            Some((200, _)) => last = k,
                            _ => break,
                        }
                    }
                    last
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(400));
        let _ = first.child.kill(); // SIGKILL: no chance to finish anything
        let _ = first.child.wait();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    eprintln!("changes acknowledged before the kill, per party: {acked:?}");
    assert!(acked.iter().all(|&k| k > 0 && k < MOST), "killed in the middle: {acked:?}");
    // The same data, a new server: the room, the sessions and every acknowledged change.
    let second = Server::restart(&first);
    let mut stored = vec![];
    for (u, &k) in users.iter().zip(&acked) {
        let path = format!("/rooms/{room}/api/inputs");
        let (s, b) = bearer(&second.addr, &u.session, "GET", &path, "").unwrap();
        assert_eq!(s, 200, "{b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        let r = (v["reservation"].as_f64().unwrap() * 100_000.0).round() as u64;
        // Acknowledged: there. At most the one write in flight at the kill beyond it.
        assert!(r == k || r == k + 1, "{}: acknowledged {k}, stored {r}", u.who);
        stored.push(r);
    }
    let path = format!("/rooms/{room}/api/audit");
    let (s, b) = bearer(&second.addr, &mediator.session, "GET", &path, "").unwrap();
    assert_eq!(s, 200);
    let trail: Value = serde_json::from_str(&b).unwrap();
    for (u, &r) in users.iter().zip(&stored) {
        let n = trail
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["who"] == format!("party:{}", u.who) && e["what"] == "changed its inputs")
            .count() as u64;
        // Each change and its audit entry are one transaction: as many entries as changes
        // stored, none half-written.
        assert_eq!(n, r, "{}: {n} audit entries for {r} stored changes", u.who);
    }
}

/// Signs in with a token given here (not the one the server printed): status and answer.
fn sign_in_with(server: &Server, room: &str, who: &str, token: &str) -> (u16, Value) {
    let body = json!({"who": who, "token": token}).to_string();
    let (s, _, b) = server.request("POST", &format!("/rooms/{room}/sign-in"), &[], body.as_bytes());
    (s, serde_json::from_str(&b).unwrap_or(Value::Null))
}

/// Claims an invitation with a secret given here: status and answer.
fn claim_with(
    server: &Server,
    room: &str,
    who: &str,
    invitation: &str,
    secret: &str,
) -> (u16, Value) {
    let body = json!({"who": who, "invitation": invitation, "secret": secret}).to_string();
    let (s, _, b) = server.request("POST", &format!("/rooms/{room}/claim"), &[], body.as_bytes());
    (s, serde_json::from_str(&b).unwrap_or(Value::Null))
}

#[test]
fn a_party_claims_its_invitation_once_and_unclaimed_sessions_read_only_the_drafts() {
    let server = Server::start("tutorial", "claim");
    let room = server.room.clone();
    let m = server.sign_in("mediator");
    let up = server.sign_in("upland");
    let (s, b) = by(&server, &up, "PUT", "api/inputs", r#"{"reservation": 0.3125}"#);
    assert_eq!(s, 200, "{b}");
    let (s, b) = by(
        &server,
        &m,
        "POST",
        "api/biddings",
        r#"{"point": "share", "low": "upland", "high": "lowland"}"#,
    );
    assert_eq!(s, 200, "{b}");
    // Lowland signs in with its invitation, unclaimed: the answer says so.
    let (s, v) = sign_in_with(&server, &room, "lowland", server.token("lowland"));
    assert_eq!((s, v["claimed"].as_bool(), v["role"].as_str()), (200, Some(false), Some("party")));
    let low = User {
        who: "lowland".into(),
        session: v["session"].as_str().unwrap().into(),
        csrf: v["csrf"].as_str().unwrap().into(),
    };
    // Every route: the skeleton and its own view (no inputs, `claimed: false`) and nothing
    // else; its inputs and offers refused saying to claim first.
    let (s, b) = by(&server, &low, "GET", "api/me", "");
    assert_eq!(s, 200, "{b}");
    let me: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (me["claimed"].clone(), me["inputs"].clone(), me["verdicts"].clone()),
        (json!(false), Value::Null, json!([]))
    );
    let cases: Vec<(&str, &str, &str, u16, bool)> = vec![
        ("GET", "api/skeleton", "", 200, false),
        ("GET", "api/inputs", "", 403, true),
        ("PUT", "api/inputs", r#"{"reservation": 0.2}"#, 403, true),
        ("GET", "api/mediator", "", 403, false),
        ("GET", "api/audit", "", 403, false),
        ("POST", "api/drafts", r#"{"id": "d-x", "title": "t"}"#, 403, false),
        (
            "POST",
            "api/biddings",
            r#"{"point": "share", "low": "upland", "high": "lowland"}"#,
            403,
            false,
        ),
        ("GET", "api/biddings/1", "", 403, false),
        ("POST", "api/biddings/1/offers", r#"{"value": 70}"#, 403, true),
        ("POST", "api/invitations/lowland", "", 403, false),
    ];
    for (method, route, body, status, claim_first) in cases {
        let (s, b) = by(&server, &low, method, route, body);
        assert_eq!(s, status, "{method} {route}: {b}");
        if claim_first {
            assert!(
                b.contains("with an unclaimed invitation")
                    && b.contains("claim the invitation first"),
                "{b}"
            );
        }
    }
    // The mediator sees who has not claimed.
    let (_, b) = by(&server, &m, "GET", "api/mediator", "");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (v["claimed"].clone(), v["unclaimed"].clone()),
        (json!(["upland"]), json!(["lowland", "commission"]))
    );
    // A weak secret is refused (400, saying why), and changes nothing.
    for (weak, start) in [
        ("short", "secret: 5 characters, expected at least 12"),
        ("llllllllllllllll", "secret: 1 different characters, expected at least 5"),
    ] {
        let (s, v) = claim_with(&server, &room, "lowland", server.token("lowland"), weak);
        assert_eq!(s, 400, "{v}");
        assert!(v["error"].as_str().unwrap().starts_with(start), "{v}");
    }
    let (s, v) =
        claim_with(&server, &room, "lowland", server.token("lowland"), server.token("lowland"));
    assert_eq!(s, 400, "{v}");
    // Malformed claims name the field.
    for (body, start) in [
        (
            r#"{"who": "lowland", "invitation": "x"}"#.to_string(),
            "the body: missing field `secret`",
        ),
        (
            r#"{"who": "lowland", "token": "x", "secret": "y"}"#.to_string(),
            "token: unknown field `token`",
        ),
    ] {
        let (s, _, b) =
            server.request("POST", &format!("/rooms/{room}/claim"), &[], body.as_bytes());
        assert_eq!(s, 400, "{b}");
        assert!(b.contains(start), "{b}");
    }
    // A good secret: one call claims and signs in (cookie and all), the session opened with
    // the invitation ends, the invitation signs in and claims no more.
    let body = json!({"who": "lowland", "invitation": server.token("lowland"), "secret": secret_of("lowland"), "minutes": 30});
    let (s, head, b) =
        server.request("POST", &format!("/rooms/{room}/claim"), &[], body.to_string().as_bytes());
    assert_eq!(s, 200, "{b}");
    assert!(head.contains("set-cookie: detente_session=") && head.contains("httponly"), "{head}");
    assert!(head.contains("max-age=1800"), "{head}");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!((v["claimed"].as_bool(), v["party"].as_str()), (Some(true), Some("lowland")));
    let claimed = User {
        who: "lowland".into(),
        session: v["session"].as_str().unwrap().into(),
        csrf: v["csrf"].as_str().unwrap().into(),
    };
    assert_eq!(
        by(&server, &low, "GET", "api/skeleton", "").0,
        404,
        "the invitation's session ended"
    );
    assert_eq!(sign_in_with(&server, &room, "lowland", server.token("lowland")).0, 404);
    let (s, v) =
        claim_with(&server, &room, "lowland", server.token("lowland"), "a different secret");
    assert_eq!(s, 409, "{v}");
    assert!(v["error"].as_str().unwrap().contains("already claimed: if you did not claim it yourself, someone else who held it did; ask the mediator for a new invitation and tell it this happened"), "{v}");
    // Claimed, it enters and bids; signed in again with its secret, it reads them.
    let (s, b) = by(&server, &claimed, "PUT", "api/inputs", r#"{"reservation": 0.1875}"#);
    assert_eq!(s, 200, "{b}");
    let (s, b) = by(&server, &claimed, "POST", "api/biddings/1/offers", r#"{"value": 70}"#);
    assert_eq!(s, 200, "{b}");
    let again = server.sign_in("lowland");
    let (s, b) = by(&server, &again, "GET", "api/inputs", "");
    assert_eq!(s, 200);
    assert!(b.contains("0.1875"), "{b}");
    // The trail has the claims, never a secret or a token.
    let (_, trail) = by(&server, &m, "GET", "api/audit", "");
    assert!(
        trail.contains("claimed its invitation; 1 session opened with the invitation ended"),
        "{trail}"
    );
    assert!(!trail.contains(&secret_of("lowland")) && !trail.contains(server.token("lowland")));
    // Claiming as the mediator or in another room: refused.
    let (s, _) =
        claim_with(&server, &room, "mediator", server.token("mediator"), "a good secret here");
    assert_eq!(s, 400);
    let (s, _) = claim_with(
        &server,
        "0123456789abcdef0123456789abcdef",
        "commission",
        server.token("commission"),
        "a good secret here",
    );
    assert_eq!(s, 404);
}

#[test]
fn reissuing_an_invitation_ends_the_old_token_and_erases_a_claimed_partys_inputs() {
    let mut first = Server::start("tutorial", "reissue");
    first.keep = true;
    let room = first.room.clone();
    let old_mediator = first.token("mediator").to_string();
    let (m, up, low) =
        (first.sign_in("mediator"), first.sign_in("upland"), first.sign_in("lowland"));
    let (s, b) = by(&first, &up, "PUT", "api/inputs", r#"{"reservation": 0.375}"#);
    assert_eq!(s, 200, "{b}");
    // A party may not reissue a token, its own or another's, nor the mediator's.
    for who in ["upland", "lowland", "mediator"] {
        let (s, b) = by(&first, &low, "POST", &format!("api/invitations/{who}"), "");
        assert_eq!(s, 403, "{who}: {b}");
        assert!(b.contains("party lowland may not change the"), "{b}");
    }
    let (s, _) = by(&first, &m, "POST", "api/invitations/nobody", "");
    assert_eq!(s, 404);
    // By cookie, a reissue is a change: it needs the CSRF token.
    let path = format!("/rooms/{room}/api/invitations/upland");
    let (s, _, b) = first.request("POST", &path, &[("Cookie", &m.cookie())], b"");
    assert_eq!(s, 403, "{b}");
    // The mediator reissues Upland's invitation.
    let (s, b) = by(&first, &m, "POST", "api/invitations/upland", "");
    assert_eq!(s, 200, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (v["who"].as_str(), v["sessions_ended"].as_u64(), v["inputs_erased"].as_bool()),
        (Some("upland"), Some(1), Some(true))
    );
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    assert_ne!(token, first.token("upland"));
    // The old session, the old invitation and Upland's secret open nothing; the new
    // invitation signs in unclaimed and reads no inputs; Lowland's session is untouched.
    let (s, _) = by(&first, &up, "GET", "api/inputs", "");
    assert_eq!(s, 404);
    assert_eq!(sign_in_with(&first, &room, "upland", first.token("upland")).0, 404);
    assert_eq!(sign_in_with(&first, &room, "upland", &secret_of("upland")).0, 404);
    let (s, v) = sign_in_with(&first, &room, "upland", &token);
    assert_eq!((s, v["claimed"].as_bool()), (200, Some(false)), "{v}");
    let held = User {
        who: "upland".into(),
        session: v["session"].as_str().unwrap().into(),
        csrf: v["csrf"].as_str().unwrap().into(),
    };
    let (s, b) = by(&first, &held, "GET", "api/inputs", "");
    assert_eq!(s, 403, "{b}");
    assert!(b.contains("claim the invitation first"), "{b}");
    assert_eq!(by(&first, &low, "GET", "api/me", "").0, 200);
    assert_eq!(sign_in_with(&first, &room, "lowland", &token).0, 404, "upland's token as lowland");
    let (_, trail) = by(&first, &m, "GET", "api/audit", "");
    assert!(
        trail.contains(
            "reissued the invitation of party \\\"upland\\\"; 1 session ended; the party had claimed it: its inputs and sealed offers were erased"
        ),
        "{trail}"
    );
    assert!(!trail.contains(&token));
    // A second room on the same data: room one's mediator session opens nothing of it, and
    // room one's Upland token does not sign in there.
    let data = first.data.clone();
    drop(first);
    let mut second = Server::spawn(data, &["--new-room", "tutorial"], String::new(), vec![]);
    second.keep = true;
    let room2 = second.room.clone();
    assert_ne!(room2, room);
    let path = format!("/rooms/{room2}/api/invitations/upland");
    let bearer = format!("Bearer {}", m.session);
    let (s, _, b) = second.request("POST", &path, &[("Authorization", &bearer)], b"");
    assert_eq!(s, 404, "room one's mediator in room two: {b}");
    assert_eq!(sign_in_with(&second, &room2, "upland", &token).0, 404);
    let m2 = second.sign_in("mediator");
    let path = format!("/rooms/{room}/api/invitations/upland");
    let (s, _, b) =
        second.request("POST", &path, &[("Authorization", &format!("Bearer {}", m2.session))], b"");
    assert_eq!(s, 404, "room two's mediator in room one: {b}");
    assert_eq!(sign_in_with(&second, &room, "upland", &token).0, 200, "room one unchanged");
    // Upland claims the new invitation and finds its inputs erased: it enters them again.
    let (s, v) = claim_with(&second, &room, "upland", &token, "upland's second secret");
    assert_eq!((s, v["claimed"].as_bool()), (200, Some(true)), "{v}");
    let bearer = format!("Bearer {}", v["session"].as_str().unwrap());
    let (s, _, b) = second.request(
        "GET",
        &format!("/rooms/{room}/api/inputs"),
        &[("Authorization", &bearer)],
        b"",
    );
    assert_eq!((s, b.trim()), (200, "null"));
    // The operator's way for a mediator that lost its token: a new one printed at start.
    let data = second.data.clone();
    drop(second);
    let bad = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["serve", "--multi-user", "--data"])
        .arg(&data)
        .args(["--reissue-mediator", "0123456789abcdef0123456789abcdef", "--port", "0"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--reissue-mediator: no such room"), "{err}");
    let third = Server::spawn(data, &["--reissue-mediator", &room], String::new(), vec![]);
    assert_eq!(third.room, room);
    let new = third.token("mediator").to_string();
    assert_eq!(new.len(), 64);
    let bearer = format!("Bearer {}", m.session);
    let (s, _, _) = third.request(
        "GET",
        &format!("/rooms/{room}/api/audit"),
        &[("Authorization", &bearer)],
        b"",
    );
    assert_eq!(s, 404, "the mediator's session ended with its old token");
    assert_eq!(sign_in_with(&third, &room, "mediator", &old_mediator).0, 404);
    let (s, v) = sign_in_with(&third, &room, "mediator", &new);
    assert_eq!(s, 200, "{v}");
    let bearer = format!("Bearer {}", v["session"].as_str().unwrap());
    let (s, _, trail) = third.request(
        "GET",
        &format!("/rooms/{room}/api/audit"),
        &[("Authorization", &bearer)],
        b"",
    );
    assert_eq!(s, 200);
    let trail: Value = serde_json::from_str(&trail).unwrap();
    let last = trail.as_array().unwrap().iter().rev().find(|e| e["who"] == "operator").unwrap();
    assert_eq!(last["what"], "reissued the mediator's token; 1 session ended");
}

#[test]
fn the_mediators_drafts_past_its_budget_get_429_saying_when() {
    let server = Server::start("tutorial", "budget");
    let (m, up) = (server.sign_in("mediator"), server.sign_in("upland"));
    // The default budget, 20 drafts in any 24 hours: the tutorial's two, then 18 more.
    for k in 1..=18 {
        let body = format!(
            r#"{{"id": "m-{k}", "title": "t", "terms": {{"share": "{}"}}}}"#,
            20 + 5 * (k % 13)
        );
        let (s, b) = by(&server, &m, "POST", "api/drafts", &body);
        assert_eq!(s, 200, "draft {k}: {b}");
    }
    let (s, head, b) = server.request(
        "POST",
        &format!("/rooms/{}/api/drafts", server.room),
        &[("Cookie", &m.cookie()), ("X-Detente-CSRF", &m.csrf)],
        br#"{"id": "m-19", "title": "t"}"#,
    );
    assert_eq!(s, 429, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    let error = v["error"].as_str().unwrap();
    assert!(
        error.starts_with("the mediator's budget of drafts (20 in any 24 hours) is spent"),
        "{error}"
    );
    assert!(error.contains(" UTC, in 2"), "{error}");
    let retry: i64 = head
        .lines()
        .find_map(|l| l.strip_prefix("retry-after: "))
        .and_then(|x| x.trim().parse().ok())
        .unwrap_or_else(|| panic!("no retry-after: {head}"));
    assert!((86_000..=86_400).contains(&retry), "{retry}");
    assert!(v["retry_at"].as_i64().is_some(), "{b}");
    // The draft was not added; the parties' changes are not budgeted.
    let (_, b) = by(&server, &m, "GET", "api/skeleton", "");
    assert!(!b.contains("m-19") && b.contains("m-18"));
    let (s, _) = by(&server, &up, "PUT", "api/inputs", r#"{"reservation": 0.3}"#);
    assert_eq!(s, 200);
}

#[test]
fn bodies_are_read_into_their_types_and_errors_name_the_field() {
    let server = Server::start("tutorial", "bodies");
    let (m, up) = (server.sign_in("mediator"), server.sign_in("upland"));
    let (s, b) = by(
        &server,
        &m,
        "POST",
        "api/biddings",
        r#"{"point": "share", "low": "upland", "high": "lowland"}"#,
    );
    assert_eq!(s, 200, "{b}");
    let room = server.room.clone();
    // (route, user, body, the start of the error)
    let cases: Vec<(&str, Option<&User>, &str, &str)> = vec![
        ("sign-in", None, r#"{"who": "upland"}"#, "the body: missing field `token`"),
        (
            "sign-in",
            None,
            r#"{"who": 3, "token": "x"}"#,
            "who: invalid type: integer `3`, expected a string",
        ),
        (
            "sign-in",
            None,
            r#"{"who": "upland", "token": "x", "minutes": 1.5}"#,
            "minutes: invalid type: floating point `1.5`, expected i64",
        ),
        (
            "sign-in",
            None,
            r#"{"who": "upland", "token": "x", "role": "mediator"}"#,
            "role: unknown field `role`, expected one of `who`, `token`, `minutes`",
        ),
        (
            "sign-in",
            None,
            r#"{"who": "upland", "token": "x"} {}"#,
            "the body is not JSON: trailing characters",
        ),
        ("sign-in", None, "{", "the body is not JSON: EOF while parsing an object"),
        (
            "api/drafts",
            Some(&m),
            r#"{"id": 3, "title": "t"}"#,
            "id: invalid type: integer `3`, expected a string",
        ),
        (
            "api/drafts",
            Some(&m),
            r#"{"id": "d", "title": "t", "terms": {"dam": true}}"#,
            "terms.dam: expected an option id (text, or a number on a scale)",
        ),
        (
            "api/drafts",
            Some(&m),
            r#"{"id": "d", "title": "t", "terms": ["dam"]}"#,
            "terms: invalid type: sequence, expected a map",
        ),
        (
            "api/drafts",
            Some(&m),
            r#"{"id": "d", "title": "t", "author": "me"}"#,
            "author: unknown field `author`",
        ),
        ("api/drafts", Some(&m), "[1]", "the body: expected a JSON object"),
        (
            "api/biddings",
            Some(&m),
            r#"{"point": "share", "low": "upland"}"#,
            "the body: missing field `high`",
        ),
        (
            "api/biddings/1/offers",
            Some(&up),
            r#"{"value": "x"}"#,
            "value: invalid type: string \"x\", expected f64",
        ),
        (
            "api/biddings/1/offers",
            Some(&up),
            r#"{"value": 30, "secret": 1}"#,
            "secret: unknown field `secret`, expected `value`",
        ),
    ];
    for (route, user, body, start) in cases {
        let (s, b) = match user {
            Some(u) => by(&server, u, "POST", route, body),
            None => {
                let (s, _, b) =
                    server.request("POST", &format!("/rooms/{room}/{route}"), &[], body.as_bytes());
                (s, b)
            }
        };
        assert_eq!(s, 400, "{route} {body}: {b}");
        let error =
            serde_json::from_str::<Value>(&b).unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.starts_with(start), "{route} {body}: {error}");
    }
    // Nothing refused was done; well-formed bodies, a number for a scale's option
    // included, still are.
    let (_, trail) = by(&server, &m, "GET", "api/audit", "");
    assert!(!trail.contains("added draft") && !trail.contains("sealed offer"), "{trail}");
    let (s, b) = by(
        &server,
        &m,
        "POST",
        "api/drafts",
        r#"{"id": "d", "title": "t", "terms": {"share": 45, "dam": "joint-board"}}"#,
    );
    assert_eq!(s, 200, "{b}");
    let (s, b) = by(&server, &up, "POST", "api/biddings/1/offers", r#"{"value": 30}"#);
    assert_eq!(s, 200, "{b}");
}

/// The value of `Retry-After` in a head (lower case), or a failure saying the head.
fn retry_after(head: &str) -> i64 {
    head.lines()
        .find_map(|l| l.strip_prefix("retry-after: "))
        .and_then(|x| x.trim().parse().ok())
        .unwrap_or_else(|| panic!("no retry-after: {head}"))
}

#[test]
fn failed_sign_ins_past_the_limit_get_429_until_the_window_passes() {
    // Two rooms on one server: room one made by a first server, room two by the one tried,
    // which allows 3 failures on a holder and 30 from an address in any 8 seconds.
    let data = std::env::temp_dir().join(format!("detente-room-http-{}-limit", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut first = Server::spawn(data.clone(), &["--new-room", "tutorial"], String::new(), vec![]);
    first.keep = true;
    let one = first.room.clone();
    first.sign_in("upland");
    let mediator_one = first.token("mediator").to_string();
    drop(first);
    let extra = ["--new-room", "tutorial", "--sign-in-limit", "3/8"];
    let server = Server::spawn(data, &extra, String::new(), vec![]);
    let two = server.room.clone();
    assert_ne!(one, two);
    // Successes are not counted: Upland claims its invitation, then signs in again and again.
    server.sign_in("upland");
    for _ in 0..5 {
        assert_eq!(sign_in_with(&server, &two, "upland", &secret_of("upland")).0, 200);
    }
    // Three failures: two wrong secrets and a wrong claim.
    assert_eq!(sign_in_with(&server, &two, "upland", "a wrong secret, guessed").0, 404);
    assert_eq!(sign_in_with(&server, &two, "upland", "another wrong secret").0, 404);
    let spent = "0".repeat(64);
    assert_eq!(claim_with(&server, &two, "upland", &spent, "a secret of mine").0, 404);
    // Then 429, the right secret included, saying when.
    let body = json!({"who": "upland", "token": secret_of("upland")}).to_string();
    let (s, head, b) =
        server.request("POST", &format!("/rooms/{two}/sign-in"), &[], body.as_bytes());
    assert_eq!(s, 429, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    let error = v["error"].as_str().unwrap();
    assert!(
        error.starts_with(
            "the budget of failed sign-ins and claims of party \"upland\" in this room (3 in any 8 s) is spent (each may be a guess of its secret; docs/security.md): the next sign-in or claim may be tried at "
        ),
        "{error}"
    );
    assert!((1..=8).contains(&retry_after(&head)), "{head}");
    let retry_at = v["retry_at"].as_i64().unwrap();
    let (s, v) = claim_with(&server, &two, "upland", server.token("upland"), "a secret of mine");
    assert_eq!(s, 429, "{v}");
    // The sign-in page says the same.
    let (s, _, page) = server.request(
        "POST",
        &format!("/rooms/{two}/"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("who=upland&token={}", secret_of("upland").replace(' ', "+").replace(',', "%2C"))
            .as_bytes(),
    );
    assert_eq!(s, 429, "{page}");
    assert!(page.contains("the budget of failed sign-ins and claims of party"), "{page}");
    // Another room, and another holder of this one, are not limited.
    assert_eq!(sign_in_with(&server, &one, "upland", &secret_of("upland")).0, 200);
    server.sign_in("lowland");
    server.sign_in("mediator");
    // From one address, 30 failures on anyone (27 more, on holders that do not exist),
    // and every sign-in from it is refused, in any room.
    for k in 0..27 {
        assert_eq!(sign_in_with(&server, &two, &format!("nobody-{k}"), "wrong").0, 404, "{k}");
    }
    let body = json!({"who": "mediator", "token": mediator_one}).to_string();
    let (s, head, b) =
        server.request("POST", &format!("/rooms/{one}/sign-in"), &[], body.as_bytes());
    assert_eq!(s, 429, "{b}");
    assert!(
        b.contains("the budget of failed sign-ins and claims from your address (30 in any 8 s)"),
        "{b}"
    );
    let address_at = serde_json::from_str::<Value>(&b).unwrap()["retry_at"].as_i64().unwrap();
    let wait = retry_after(&head);
    assert!((1..=8).contains(&wait), "{head}");
    // Once the window has passed the failures, the right tokens sign in again: the server's
    // time was `address_at - wait` at its answer, and the later place frees at `until`.
    let until = retry_at.max(address_at);
    std::thread::sleep(Duration::from_secs((until - address_at + wait + 1) as u64));
    assert_eq!(sign_in_with(&server, &two, "upland", &secret_of("upland")).0, 200);
    assert_eq!(sign_in_with(&server, &one, "mediator", &mediator_one).0, 200);
}

#[test]
fn a_new_room_prints_its_tokens_and_how_a_party_claims_its_invitation() {
    let server = Server::start("tutorial", "printout");
    let room = server.room.clone();
    // The tokens masked: each of 64 hexadecimal digits, all different.
    let mut seen = std::collections::BTreeSet::new();
    let masked: Vec<String> = server
        .printed
        .iter()
        .map(|l| match l.strip_prefix("  ").map(|r| r.split_once(' ')) {
            Some(Some((who, token))) => {
                assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{l}");
                assert!(seen.insert(token.to_string()), "{l}");
                format!("  {who} TOKEN")
            }
            _ => l.clone(),
        })
        .collect();
    let (last, printout) = masked.split_last().unwrap();
    assert_eq!(
        printout,
        [
            format!(
                "detente: room {room} created from tutorial; hand the mediator its token and each party its invitation:"
            ),
            "  mediator TOKEN".into(),
            "  upland TOKEN".into(),
            "  lowland TOKEN".into(),
            "  commission TOKEN".into(),
            "detente: each party claims its invitation at its first sign-in by choosing a secret of its own, and signs in with that secret afterwards (the invitation then works no more)".into(),
            format!("detente: each signs in on the room's page, /rooms/{room}/ here"),
        ]
    );
    assert!(last.starts_with("detente: serving ") && last.contains(&server.addr), "{last}");
    // As it says: the invitation signs in unclaimed, is claimed with a secret of the party's
    // own, then works no more, and the secret signs in.
    let invitation = server.token("lowland");
    let (s, v) = sign_in_with(&server, &room, "lowland", invitation);
    assert_eq!((s, v["claimed"].as_bool()), (200, Some(false)), "{v}");
    let (s, v) = claim_with(&server, &room, "lowland", invitation, &secret_of("lowland"));
    assert_eq!((s, v["claimed"].as_bool()), (200, Some(true)), "{v}");
    assert_eq!(sign_in_with(&server, &room, "lowland", invitation).0, 404);
    let (s, v) = sign_in_with(&server, &room, "lowland", &secret_of("lowland"));
    assert_eq!((s, v["claimed"].as_bool()), (200, Some(true)), "{v}");
}
