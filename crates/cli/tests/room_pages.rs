//! The confidential room's pages (`detente serve --multi-user`), tried as their users would:
//! the built binary on 127.0.0.1 and a free port; every page route by every role and the
//! CSRF field of every form over plain HTTP; then the party's and the mediator's flows in a
//! real browser (Debian's Chromium over the DevTools protocol, `tests/cdp`): signing in,
//! entering preferences through the form, the mediator's view changing, a cross-party
//! attempt refused, no party's numbers in another's page source, and the room end to end
//! for the tutorial and ukraine-2025, its pages against the CLI's analysis of the full file.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use detente_core::{Preference, RedLineKind, Scenario};
use detente_room::{PartyInputs, Skeleton};
use serde_json::{Value, json};

// The dashboard's tests use the rest of the driver.
#[allow(dead_code)]
mod cdp;

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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

impl Server {
    fn start(scenario: &str, tag: &str) -> Server {
        let data =
            std::env::temp_dir().join(format!("detente-room-pages-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
            .args(["serve", "--multi-user", "--data"])
            .arg(&data)
            .args(["--new-room", scenario, "--port", "0"])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut room, mut tokens, mut addr, mut page) = (String::new(), vec![], None, None);
        let mut line = String::new();
        while addr.is_none() && out.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(rest) = line.strip_prefix("detente: room ") {
                room = rest.split_whitespace().next().unwrap_or_default().to_string();
            } else if let Some(rest) = line.strip_prefix("  ") {
                let mut w = rest.split_whitespace();
                let (who, token) = (w.next().unwrap_or_default(), w.next().unwrap_or_default());
                tokens.push((who.to_string(), token.to_string()));
            } else if let Some(rest) =
                line.strip_prefix("detente: each signs in on the room's page, ")
            {
                page = rest.strip_suffix(" here\n").map(str::to_string);
            } else if let Some(rest) = line.split("http://").nth(1) {
                addr = rest.split('/').next().map(str::to_string);
            }
            line.clear();
        }
        let server = Server { child, addr: addr.unwrap_or_default(), room, tokens, data };
        assert!(!server.addr.is_empty(), "the server ended before listening");
        // The sign-in page is printed with the tokens.
        assert_eq!(page, Some(format!("/rooms/{}/", server.room)));
        server
    }

    fn token(&self, who: &str) -> &str {
        &self.tokens.iter().find(|(w, _)| w == who).unwrap().1
    }

    fn parties(&self) -> Vec<String> {
        self.tokens.iter().skip(1).map(|(w, _)| w.clone()).collect()
    }

    /// A path of the room's pages.
    fn at(&self, rest: &str) -> String {
        format!("/rooms/{}/{rest}", self.room)
    }

    fn url(&self, rest: &str) -> String {
        format!("http://{}{}", self.addr, self.at(rest))
    }

    /// One request; status, headers (lower case) and body.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
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
        let _ = stream.write_all(body.as_bytes());
        let mut raw = vec![];
        let _ = stream.read_to_end(&mut raw);
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, head.to_lowercase(), body.to_string())
    }

    /// Signs in as `who` over the JSON routes (the session its cookie, as a page's sign-in
    /// sets it): the mediator with its token, a party by claiming its invitation with its
    /// secret ([`secret_of`]), or with that secret once it has claimed it.
    fn sign_in(&self, who: &str) -> User {
        let (mut status, mut answer) = (0, String::new());
        if who != "mediator" {
            let body = json!({"who": who, "invitation": self.token(who), "secret": secret_of(who)});
            (status, _, answer) = self.request("POST", &self.at("claim"), &[], &body.to_string());
            assert!(status == 200 || status == 409, "{who}: {answer}");
        }
        if status != 200 {
            let token =
                if who == "mediator" { self.token(who).to_string() } else { secret_of(who) };
            let body = json!({"who": who, "token": token}).to_string();
            (status, _, answer) = self.request("POST", &self.at("sign-in"), &[], &body);
        }
        assert_eq!(status, 200, "{who}: {answer}");
        let v: Value = serde_json::from_str(&answer).unwrap();
        User {
            who: who.to_string(),
            session: v["session"].as_str().unwrap().to_string(),
            csrf: v["csrf"].as_str().unwrap().to_string(),
        }
    }

    /// A GET of a page by `u` (its cookie).
    fn get(&self, u: &User, rest: &str) -> (u16, String, String) {
        self.request("GET", &self.at(rest), &[("Cookie", &u.cookie())], "")
    }

    /// A form posted by `u` (its cookie) with these fields (urlencoded here).
    fn post(&self, u: Option<&User>, rest: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let body = urlencoded(fields);
        let cookie = u.map(User::cookie).unwrap_or_default();
        let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
        if u.is_some() {
            headers.push(("Cookie", &cookie));
        }
        self.request("POST", &self.at(rest), &headers, &body)
    }
}

fn urlencoded(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
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

/// The CLI's `--json` answer.
fn json_of(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(args)
        .arg("--json")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "detente {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

// ---- Over plain HTTP

#[test]
fn every_page_route_by_every_role_is_allowed_or_refused_and_forms_need_their_csrf_field() {
    let server = Server::start("tutorial", "routes");
    let who: Vec<String> = server.tokens.iter().map(|(w, _)| w.clone()).collect();
    assert_eq!(who, ["mediator", "upland", "lowland", "commission"]);
    let users: Vec<User> = who.iter().map(|w| server.sign_in(w)).collect();
    let m = &users[0];
    let (s, _, b) = server.post(
        Some(m),
        "mediator/biddings",
        &[("csrf", &m.csrf), ("point", "share"), ("low", "upland"), ("high", "lowland")],
    );
    assert_eq!(s, 303, "{b}");
    // (method, page, form fields but csrf, who may): a page allowed answers 200, a form
    // allowed 303 (to the page that shows its result); refused, 403 saying who may not.
    type May = fn(&str) -> bool;
    let mediator: May = |w| w == "mediator";
    let party: May = |w| w != "mediator";
    type Route<'a> = (&'a str, &'a str, Vec<(&'a str, String)>, May);
    let routes: Vec<Route> = vec![
        ("GET", "party", vec![], party),
        ("POST", "party", vec![("reservation", "0.3".into()), ("w1", "".into())], party),
        ("GET", "mediator", vec![], mediator),
        ("GET", "mediator?from=lowland-markup", vec![], mediator),
        ("POST", "mediator/drafts", vec![("id", "d-WHO".into()), ("title", "t".into())], mediator),
        (
            "POST",
            "mediator/biddings",
            vec![("point", "share".into()), ("low", "upland".into()), ("high", "lowland".into())],
            mediator,
        ),
        ("GET", "biddings/1", vec![], |w| ["mediator", "upland", "lowland"].contains(&w)),
        ("POST", "biddings/1", vec![("value", "VALUE".into())], |w| {
            w == "upland" || w == "lowland"
        }),
    ];
    let trail = |server: &Server| -> usize {
        let (_, _, b) = server.request(
            "GET",
            &server.at("api/audit"),
            &[("Authorization", &format!("Bearer {}", m.session))],
            "",
        );
        serde_json::from_str::<Value>(&b).unwrap().as_array().unwrap().len()
    };
    for u in &users {
        for (method, page, fields, may) in &routes {
            let value = if u.who == "upland" { "30" } else { "70" };
            let fields: Vec<(&str, String)> = fields
                .iter()
                .map(|(k, v)| (*k, v.replace("WHO", &u.who).replace("VALUE", value)))
                .collect();
            let allowed = may(&u.who);
            let (status, _, body) = if *method == "GET" {
                server.get(u, page)
            } else {
                // Without the csrf field, and with another session's: refused, nothing
                // changed (the audit trail says every change).
                let before = trail(&server);
                let mut sent: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let (s, _, b) = server.post(Some(u), page, &sent);
                assert_eq!(s, 403, "{} {page} without csrf: {b}", u.who);
                assert!(b.contains("CSRF"), "{b}");
                let other = users.iter().find(|o| o.who != u.who).unwrap();
                sent.push(("csrf", &other.csrf));
                let (s, _, b) = server.post(Some(u), page, &sent);
                assert_eq!(s, 403, "{} {page} with {}'s csrf: {b}", u.who, other.who);
                assert_eq!(
                    trail(&server),
                    before,
                    "{} {page}: a refused form changed something",
                    u.who
                );
                sent.pop();
                sent.push(("csrf", &u.csrf));
                server.post(Some(u), page, &sent)
            };
            let expect = match (allowed, *method) {
                (false, _) => 403,
                (true, "GET") => 200,
                (true, _) => 303,
            };
            assert_eq!(status, expect, "{} {method} {page}: {body}", u.who);
            if status == 403 {
                assert!(body.contains("may not"), "{} {method} {page}: {body}", u.who);
            }
        }
        // The sign-in page sends a signed-in user to its own page.
        let (s, head, _) = server.get(u, "");
        assert_eq!(s, 303);
        let page = if u.who == "mediator" { "mediator" } else { "party" };
        assert!(head.contains(&format!("location: {}", server.at(page))), "{head}");
    }
    // Every page route: not signed in, 401 (with the sign-in form); a session on another
    // room's path, 404.
    let other = "0123456789abcdef0123456789abcdef";
    for (method, page, _, _) in &routes {
        let (s, _, b) = if *method == "GET" {
            server.request("GET", &server.at(page), &[], "")
        } else {
            server.post(None, page, &[])
        };
        assert_eq!(s, 401, "{method} {page}: {b}");
        assert!(b.contains("id=\"sign-in\""), "{b}");
        let path = format!("/rooms/{other}/{page}");
        for u in &users {
            let cookie = u.cookie();
            let body = urlencoded(&[("csrf", &u.csrf)]);
            let (s, _, b) = server.request(
                method,
                &path,
                &[("Cookie", &cookie), ("Content-Type", "application/x-www-form-urlencoded")],
                &body,
            );
            assert_eq!(s, 404, "{} {method} {path}: {b}", u.who);
        }
    }
    // A lost invitation reissued through the mediator's page: parties may not; without its
    // csrf field the form is refused; the mediator gets the new token once, the old token
    // and the holder's session end.
    for u in &users[1..] {
        let fields = [("csrf", u.csrf.as_str()), ("who", "lowland")];
        let (s, _, b) = server.post(Some(u), "mediator/invitations", &fields);
        assert_eq!(s, 403, "{}: {b}", u.who);
    }
    let (s, _, _) = server.post(Some(m), "mediator/invitations", &[("who", "lowland")]);
    assert_eq!(s, 403);
    let fields = [("csrf", m.csrf.as_str()), ("who", "lowland")];
    let (s, head, b) = server.post(Some(m), "mediator/invitations", &fields);
    assert_eq!(s, 200, "{b}");
    assert!(head.contains("cache-control: no-store"), "{head}");
    let token = between(&b, "data-token=\"lowland\">", "</code>")
        .trim_start_matches("data-token=\"lowland\">")
        .to_string();
    assert_eq!(token.len(), 64, "{b}");
    // Lowland had claimed its invitation: the page says its inputs were erased.
    assert!(b.contains("data-inputs-erased=\"true\"") && b.contains("were erased"), "{b}");
    assert_eq!(server.get(&users[2], "party").0, 404, "lowland's session ended");
    let sign_in = |token: &str| {
        let body = json!({"who": "lowland", "token": token}).to_string();
        server.request("POST", &server.at("sign-in"), &[], &body).0
    };
    assert_eq!(sign_in(server.token("lowland")), 404, "the old token");
    assert_eq!(sign_in(&secret_of("lowland")), 404, "the old secret");
    assert_eq!(sign_in(&token), 200, "the new token");
    // Signing out through the page: its csrf field too, then the cookie is gone and the
    // session opens nothing.
    let last = &users[3];
    let (s, _, _) = server.post(Some(last), "leave", &[]);
    assert_eq!(s, 403);
    let (s, _, _) = server.post(Some(last), "leave", &[("csrf", &users[2].csrf)]);
    assert_eq!(s, 403);
    let (s, head, _) = server.post(Some(last), "leave", &[("csrf", &last.csrf)]);
    assert_eq!(s, 303);
    assert!(head.contains("set-cookie: detente_session=;") && head.contains("max-age=0"), "{head}");
    let (s, _, b) = server.get(last, "party");
    assert_eq!(s, 404, "{b}");
    assert!(b.contains("id=\"sign-in\""));
    // The sign-in form: another site's page may not post it (there is no session yet to
    // hold a CSRF token); this server's may.
    let form = urlencoded(&[("who", "commission"), ("token", &secret_of("commission"))]);
    let kind = ("Content-Type", "application/x-www-form-urlencoded");
    let (s, _, b) =
        server.request("POST", &server.at(""), &[kind, ("Origin", "http://evil.example")], &form);
    assert_eq!(s, 403, "{b}");
    let origin = format!("http://{}", server.addr);
    let (s, head, _) = server.request("POST", &server.at(""), &[kind, ("Origin", &origin)], &form);
    assert_eq!(s, 303);
    assert!(head.contains(&format!("location: {}", server.at("party"))), "{head}");
    assert!(head.contains("httponly") && head.contains("samesite=strict"), "{head}");
    // A wrong token: 404 and the form again, who kept.
    let wrong = urlencoded(&[("who", "commission"), ("token", &"0".repeat(64))]);
    let (s, _, b) = server.request("POST", &server.at(""), &[kind], &wrong);
    assert_eq!(s, 404);
    assert!(b.contains("value=\"commission\"") && b.contains("wrong token"), "{b}");
    // Every room page says how it may be kept and framed.
    let (_, head, _) = server.get(&users[1], "party");
    assert!(head.contains("cache-control: no-store"), "{head}");
    assert!(head.contains("content-security-policy: default-src 'self'"), "{head}");
    assert!(head.contains("x-frame-options: deny"), "{head}");
}

/// The session in a response's `Set-Cookie` (its head, lower-cased: the token is lower-case
/// hexadecimal).
fn session_set(head: &str) -> String {
    let v = head.lines().find_map(|l| l.strip_prefix("set-cookie: detente_session="));
    v.unwrap_or_else(|| panic!("no session cookie: {head}")).split(';').next().unwrap().to_string()
}

#[test]
fn a_partys_first_sign_in_asks_for_its_secret_and_an_unclaimed_session_enters_nothing() {
    let server = Server::start("tutorial", "claim");
    let m = server.sign_in("mediator");
    let kind = ("Content-Type", "application/x-www-form-urlencoded");
    let inv = server.token("upland");
    // The first sign-in, with the invitation: 200 and the page asking for a secret (the
    // invitation carried in a hidden field), with the cookie of a session that may read the
    // drafts only.
    let form = urlencoded(&[("who", "upland"), ("token", inv)]);
    let (s, head, b) = server.request("POST", &server.at(""), &[kind], &form);
    assert_eq!(s, 200, "{b}");
    assert!(b.contains("id=\"claim\"") && b.contains("Choose your own secret"), "{b}");
    assert!(b.contains(&format!("name=\"invitation\" value=\"{inv}\"")), "{b}");
    let held = User { who: "upland".into(), session: session_set(&head), csrf: String::new() };
    // Its page asks for the invitation and a secret and has no inputs' form; a save is
    // refused saying to claim first.
    let (s, _, b) = server.get(&held, "party");
    assert_eq!(s, 200, "{b}");
    assert!(b.contains("id=\"claim\"") && !b.contains("id=\"inputs\""), "{b}");
    assert!(b.contains("name=\"invitation\" type=\"password\""), "{b}");
    let start = "name=\"csrf\" value=\"";
    let at = b.find(start).unwrap() + start.len();
    let csrf = b[at..at + 64].to_string();
    let (s, _, b) = server.post(Some(&held), "party", &[("csrf", &csrf), ("reservation", "0.3")]);
    assert_eq!(s, 403, "{b}");
    assert!(b.contains("claim the invitation first"), "{b}");
    // The mediator's page says who has not claimed.
    let (_, _, b) = server.get(&m, "mediator");
    assert!(b.contains("data-claimed=\"\" data-unclaimed=\"upland,lowland,commission\""), "{b}");
    // Two secrets that differ, or a weak one: 400, the form again with the invitation kept.
    let secret = secret_of("upland");
    for (one, two, says) in [
        (secret.as_str(), "another secret, typed", "the two secrets differ"),
        ("short", "short", "secret: 5 characters, expected at least 12"),
    ] {
        let f = [("who", "upland"), ("invitation", inv), ("secret", one), ("again", two)];
        let (s, _, b) = server.request("POST", &server.at("secret"), &[kind], &urlencoded(&f));
        assert_eq!(s, 400, "{b}");
        assert!(b.contains(says), "{b}");
        assert!(b.contains(&format!("name=\"invitation\" value=\"{inv}\"")), "{b}");
    }
    let f = [("who", "upland"), ("invitation", inv), ("secret", &secret), ("again", &secret)];
    let form = urlencoded(&f);
    // From another site's page: refused.
    let evil = ("Origin", "http://evil.example");
    assert_eq!(server.request("POST", &server.at("secret"), &[kind, evil], &form).0, 403);
    // The claim: on to the party's page, signed in by the secret; the invitation's session
    // has ended.
    let (s, head, b) = server.request("POST", &server.at("secret"), &[kind], &form);
    assert_eq!(s, 303, "{b}");
    assert!(head.contains(&format!("location: {}", server.at("party"))), "{head}");
    let up = User { who: "upland".into(), session: session_set(&head), csrf: String::new() };
    let (s, _, b) = server.get(&up, "party");
    assert_eq!(s, 200);
    assert!(b.contains("id=\"inputs\"") && !b.contains("id=\"claim\""), "{b}");
    assert_eq!(server.get(&held, "party").0, 404);
    // A second claim: 409, saying what to do; the invitation signs in no more, the secret
    // goes straight to the party's page.
    let (s, _, b) = server.request("POST", &server.at("secret"), &[kind], &form);
    assert_eq!(s, 409, "{b}");
    assert!(b.contains("already claimed") && b.contains("ask the mediator for a new invitation"));
    assert_eq!(
        server
            .request(
                "POST",
                &server.at(""),
                &[kind],
                &urlencoded(&[("who", "upland"), ("token", inv)])
            )
            .0,
        404
    );
    let (s, head, _) = server.request(
        "POST",
        &server.at(""),
        &[kind],
        &urlencoded(&[("who", "upland"), ("token", &secret)]),
    );
    assert_eq!(s, 303);
    assert!(head.contains(&format!("location: {}", server.at("party"))), "{head}");
    let (_, _, b) = server.get(&m, "mediator");
    assert!(b.contains("data-claimed=\"upland\" data-unclaimed=\"lowland,commission\""), "{b}");
}

#[test]
fn bad_input_in_the_forms_is_said_at_its_field_and_changes_nothing() {
    let server = Server::start("tutorial", "bad");
    let (m, u) = (server.sign_in("mediator"), server.sign_in("upland"));
    // tutorial: share (point 0, a scale 20-80 by 5), dam (point 1: three options).
    let (s, _, b) = server.post(
        Some(&u),
        "party",
        &[
            ("csrf", &u.csrf),
            ("reservation", "2"),
            ("w0", "1"),
            ("ideal0", "300"),
            ("tol0", "10"),
            ("w1", "heavy"),
            ("v1.0", "1"),
            ("v1.1", "0.5"),
            ("v1.2", "0"),
            ("w2", "1"),
            ("v2.0", "1"),
            ("v2.1", "0.5"),
            ("v2.2", "0"),
            ("r2.0.why", "a reason with no option"),
            ("r3.7.why", "'; DROP TABLE inputs; --<script>"),
        ],
    );
    assert_eq!(s, 400, "{b}");
    for (field, said) in [
        ("reservation", "2 is outside [0, 1]"),
        ("ideal0", "300 is outside the scale [20, 80]"),
        ("w1", "&quot;heavy&quot; is not a number"),
        ("r2.0", "forbid: names no option"),
        ("w3", "missing"),
    ] {
        let at = format!("data-problem=\"{field}\">");
        let i = b.find(&at).unwrap_or_else(|| panic!("no problem at {field}: {b}"));
        assert!(b[i..].contains(said), "{field}: {said}");
    }
    assert!(b.contains("data-problems=\"5\""), "{b}");
    // What was typed is shown again, escaped.
    assert!(b.contains("value=\"heavy\"") && b.contains("value=\"300\""));
    assert!(b.contains("&#39;; DROP TABLE inputs; --&lt;script&gt;") && !b.contains("--<script>"));
    let (_, _, inputs) = server.request(
        "GET",
        &server.at("api/inputs"),
        &[("Authorization", &format!("Bearer {}", u.session))],
        "",
    );
    assert_eq!(inputs.trim(), "null", "nothing was saved");
    // A draft whose id exists: 409, said at the form, what was typed kept.
    let (s, _, b) = server.post(
        Some(&m),
        "mediator/drafts",
        &[("csrf", &m.csrf), ("id", "lowland-markup"), ("title", "again"), ("t1", "joint-board")],
    );
    assert_eq!(s, 409, "{b}");
    assert!(b.contains("data-problem=\"drafts\">draft &quot;lowland-markup&quot; exists"), "{b}");
    assert!(b.contains("value=\"again\"") && b.contains("<option value=\"joint-board\" selected>"));
    // A bidding on a point that is no scale: 400 at its form.
    let (s, _, b) = server.post(
        Some(&m),
        "mediator/biddings",
        &[("csrf", &m.csrf), ("point", "dam"), ("low", "upland"), ("high", "lowland")],
    );
    assert_eq!(s, 400, "{b}");
    assert!(b.contains("data-problem=\"biddings\">bidding: point &quot;dam&quot; is not a scale"));
    // Offers: not a number, off the grid, taking back a concession.
    let (s, _, _) = server.post(
        Some(&m),
        "mediator/biddings",
        &[("csrf", &m.csrf), ("point", "share"), ("low", "upland"), ("high", "lowland")],
    );
    assert_eq!(s, 303);
    let offer = |v: &str| server.post(Some(&u), "biddings/1", &[("csrf", &u.csrf), ("value", v)]);
    for (v, status, said) in [
        ("lots", 400, "value: &quot;lots&quot; is not a number"),
        ("47", 400, "offer: 47 is not a point of the scale"),
        ("40", 303, ""),
        ("35", 409, "offer: 35 takes back your last offer of 40"),
    ] {
        let (s, _, b) = offer(v);
        assert_eq!(s, status, "{v}: {b}");
        assert!(b.contains(said), "{v}: {b}");
    }
    let (_, _, b) = server.get(&u, "biddings/1");
    assert!(b.contains("data-own-offers=\"40\""), "{b}");
    // Unknown biddings and paths: 404 pages, never 5xx.
    for page in ["biddings/99", "biddings/x%27%3B", "nothing"] {
        let (s, _, b) = server.get(&u, page);
        assert_eq!(s, 404, "{page}: {b}");
    }
    // A form body that is no form: 400 (or 415), never 5xx.
    let (s, _, _) = server.request(
        "POST",
        &server.at("party"),
        &[("Cookie", &u.cookie()), ("Content-Type", "application/json")],
        "{}",
    );
    assert!((400..500).contains(&s), "{s}");
}

#[test]
fn several_red_lines_on_one_point_are_entered_in_one_save() {
    let server = Server::start("tutorial", "lines");
    let u = server.sign_in("upland");
    let row = |page: &str, i: usize, j: usize| page.contains(&format!("name=\"r{i}.{j}.why\""));
    // Nothing entered yet: two empty red line rows on each of the four points, no third.
    let (s, _, page) = server.get(&u, "party");
    assert_eq!(s, 200, "{page}");
    for i in 0..4 {
        assert!(row(&page, i, 0) && row(&page, i, 1) && !row(&page, i, 2), "point {i}: {page}");
    }
    // tutorial: share (point 0, a scale 20-80), dam (point 1: upland-only, joint-board,
    // commission-run). Two red lines on each, in one save.
    let fields = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, String)> {
        let mut f: Vec<(&str, String)> = [
            ("w0", "1"),
            ("ideal0", "30"),
            ("tol0", "20"),
            ("r0.0.min", "25"),
            ("r0.0.why", "at least a quarter"),
            ("r0.1.max", "60"),
            ("w1", "2"),
            ("v1.0", "1"),
            ("v1.1", "0.5"),
            ("v1.2", "0"),
            ("r1.0.kind", "forbid"),
            ("r1.0.o2", "on"),
            ("r1.1.kind", "require"),
            ("r1.1.o0", "on"),
            ("r1.1.o1", "on"),
            ("r1.1.why", "ours or shared"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (*k, v.to_string()))
        .collect();
        f.push(("csrf", u.csrf.clone()));
        f
    };
    let post = |f: &[(&str, String)]| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        server.post(Some(&u), "party", &f)
    };
    let (s, _, b) = post(&fields(&[]));
    assert_eq!(s, 303, "{b}");
    // Stored as the room's reader reads the same inputs written apart in its wire format.
    let stored = || {
        let bearer = format!("Bearer {}", u.session);
        server.request("GET", &server.at("api/inputs"), &[("Authorization", &bearer)], "").2
    };
    let skeleton =
        Skeleton::from_scenario(&detente_scenario::shipped::load("tutorial").unwrap().unwrap())
            .unwrap();
    let want = r#"{"reservation": 0, "stances": {
        "share": {"weight": 1, "ideal": 30, "tolerance": 20, "red_lines": [
            {"min": 25, "reason": "at least a quarter"}, {"max": 60}]},
        "dam": {"weight": 2, "values": {"upland-only": 1, "joint-board": 0.5, "commission-run": 0},
            "red_lines": [{"forbid": ["commission-run"]},
                {"require": ["upland-only", "joint-board"], "reason": "ours or shared"}]}}}"#;
    let want = PartyInputs::from_json(&skeleton, want.as_bytes()).unwrap();
    let before = stored();
    assert_eq!(PartyInputs::from_json(&skeleton, before.as_bytes()).unwrap(), want);
    // The form shows them, and two empty rows more, on those points.
    let (_, _, page) = server.get(&u, "party");
    for i in 0..2 {
        assert!((0..4).all(|j| row(&page, i, j)) && !row(&page, i, 4), "point {i}: {page}");
    }
    assert!(row(&page, 2, 1) && !row(&page, 2, 2), "{page}");
    // Two more on the share, the second wrong: said at its row, nothing saved.
    let (s, _, b) = post(&fields(&[("r0.2.min", "30"), ("r0.3.min", "70"), ("r0.3.max", "65")]));
    assert_eq!(s, 400, "{b}");
    assert!(b.contains("data-problem=\"r0.3\">min 70 is above max 65"), "{b}");
    assert!(b.contains("data-problems=\"1\""), "{b}");
    assert_eq!(stored(), before);
}

// ---- In a real browser

/// Debian's Chromium, or None when it is not installed and the test may skip (it may not
/// in CI: `DETENTE_REQUIRE_BROWSER`).
fn browser_or_skip(test: &str) -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()));
    if found.is_none() {
        assert!(
            std::env::var_os("DETENTE_REQUIRE_BROWSER").is_none(),
            "DETENTE_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)"
        );
        eprintln!("SKIPPED {test}: Chromium is not installed (apt-get install chromium)");
    }
    found
}

fn screenshots() -> PathBuf {
    let dir = root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fills the fields of the form `selector` (text, selects and checkboxes, `on` checking
/// one) and submits it as a user's click would; the next page loaded.
fn fill(b: &mut cdp::Browser, selector: &str, fields: &[(String, String)]) {
    let js = format!(
        "(function (sel, fields) {{ var form = document.querySelector(sel); if (!form) throw new Error('no form ' + sel); \
fields.forEach(function (f) {{ var e = form.elements[f[0]]; if (!e) throw new Error('no field ' + f[0]); \
if (e.type === 'checkbox') e.checked = f[1] === 'on'; else e.value = f[1]; }}); form.submit(); }})({}, {})",
        json!(selector),
        json!(fields)
    );
    b.submit(&js);
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A page in the browser must not have complained or fetched anything from elsewhere.
fn clean(b: &cdp::Browser, what: &str) {
    refused_cleanly(b, what, None);
}

/// [`clean`], but for a page refused with `status`, which the browser logs as such (and
/// nothing else).
fn refused_cleanly(b: &cdp::Browser, what: &str, status: Option<u16>) {
    let seen = &b.seen;
    assert!(seen.console.is_empty(), "{what}: console: {:?}", seen.console);
    let expected = |l: &String| status.is_some_and(|s| l.contains(&format!("status of {s} ")));
    let log: Vec<&String> = seen.log.iter().filter(|l| !expected(l)).collect();
    assert!(log.is_empty(), "{what}: browser log: {log:?}");
    if let Some(s) = status {
        assert_eq!(seen.log.len(), 1, "{what}: refused with {s} once: {:?}", seen.log);
    }
    let outside: Vec<&String> = seen.requests.iter().filter(|u| !cdp::local(u)).collect();
    assert!(outside.is_empty(), "{what}: requests leaving the machine: {outside:?}");
}

/// Signs in through the sign-in page as `who`; the session cookie the browser got. A party
/// signs in for the first time, with its invitation, and chooses its secret on the page that
/// asks for it.
fn sign_in_by_form(b: &mut cdp::Browser, server: &Server, who: &str) -> String {
    b.clear_cookies();
    b.visit(&server.url(""));
    clean(b, "the sign-in page");
    fill(b, "#sign-in", &owned(&[("who", who), ("token", server.token(who))]));
    clean(b, "signing in");
    if who != "mediator" {
        assert_eq!(b.eval("location.pathname"), json!(server.at("")), "{who}");
        assert!(b.dom().contains("id=\"claim\""), "{who}: the page asks for a secret");
        let secret = secret_of(who);
        fill(b, "#claim", &owned(&[("secret", &secret), ("again", &secret)]));
        clean(b, "claiming the invitation");
    }
    let expect = if who == "mediator" { "mediator" } else { "party" };
    assert_eq!(b.eval("location.pathname"), json!(server.at(expect)), "{who}");
    b.cookie(&server.url(""), "detente_session").expect("the session cookie")
}

/// Acts as the user of this session cookie.
fn as_user(b: &mut cdp::Browser, server: &Server, cookie: &str) {
    b.clear_cookies();
    b.set_cookie(&server.url(""), "detente_session", cookie);
}

/// Party `p`'s stances of the full scenario as the form's fields, in passes: pass 0 every
/// number and each point's first red line, pass `n` each point's red line `n` (one row at a
/// time, as a party that saves after each red line would). Numbers as Rust writes them, which
/// read back exactly.
fn analyst_fields(s: &Scenario, p: usize) -> Vec<Vec<(String, String)>> {
    let inputs = PartyInputs::of(s, p);
    let lines = inputs.stances.iter().flatten().map(|st| st.red_lines.len()).max().unwrap_or(0);
    let mut passes = vec![vec![("reservation".to_string(), format!("{}", inputs.reservation))]];
    passes.extend((1..lines).map(|_| vec![]));
    for (i, st) in inputs.stances.iter().enumerate() {
        let Some(st) = st else { continue };
        let pass = &mut passes[0];
        pass.push((format!("w{i}"), format!("{}", st.weight)));
        match &st.preference {
            Preference::Values(vs) => {
                for (k, v) in vs.iter().enumerate() {
                    pass.push((format!("v{i}.{k}"), format!("{v}")));
                }
            }
            Preference::Ideal { ideal, tolerance } => {
                pass.push((format!("ideal{i}"), format!("{ideal}")));
                pass.push((format!("tol{i}"), format!("{tolerance}")));
            }
        }
        for (j, r) in st.red_lines.iter().enumerate() {
            let pass = &mut passes[j];
            let row = format!("r{i}.{j}");
            match &r.kind {
                RedLineKind::Forbid(ks) | RedLineKind::Require(ks) => {
                    let kind = if matches!(r.kind, RedLineKind::Require(_)) {
                        "require"
                    } else {
                        "forbid"
                    };
                    pass.push((format!("{row}.kind"), kind.to_string()));
                    for k in ks {
                        pass.push((format!("{row}.o{k}"), "on".to_string()));
                    }
                }
                RedLineKind::Bounds { min, max } => {
                    if let Some(x) = min {
                        pass.push((format!("{row}.min"), format!("{x}")));
                    }
                    if let Some(x) = max {
                        pass.push((format!("{row}.max"), format!("{x}")));
                    }
                }
            }
            if let Some(why) = &r.reason {
                pass.push((format!("{row}.why"), why.clone()));
            }
        }
    }
    passes
}

/// The text between the first `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("no {start} in the page"));
    let rest = &html[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Every value of the attribute `attr` in `html`, in order.
fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let at = format!("{attr}=\"");
    html.split(&at).skip(1).map(|r| r.split('"').next().unwrap_or("").to_string()).collect()
}

/// An option as the CLI's JSON writes it (an id, or a scale's number) and as the room
/// does (text): the same option?
fn same_option(cli: &Value, room: &str) -> bool {
    match cli {
        Value::String(s) => s == room,
        Value::Number(n) => room.parse::<f64>().ok() == n.as_f64(),
        _ => false,
    }
}

/// The mediator's page of a room whose parties entered the analyst's numbers of `name`:
/// the same verdicts, deal answer, revisions and Nash point as the CLI's analysis of the
/// full file.
fn assert_mediator_page_is_the_cli_analysis(dom: &str, name: &str, s: &Scenario) {
    let ev = json_of(&["evaluate", name]);
    for e in ev["evaluations"].as_array().unwrap() {
        for pe in e["parties"].as_array().unwrap() {
            let cell = format!(
                "data-draft=\"{}\" data-party=\"{}\" data-verdict=\"{}\"",
                e["proposal"]["id"].as_str().unwrap(),
                pe["party"].as_str().unwrap(),
                pe["verdict"].as_str().unwrap()
            );
            assert!(dom.contains(&cell), "{name}: the mediator's page has no {cell}");
        }
    }
    let d = &json_of(&["deadlock", name])["deadlock"];
    assert_eq!(d["decided"], true, "{name}");
    let deal = between(dom, "<p class=\"deal", "</p>");
    if d["deal_possible"] == true {
        assert!(deal.contains("data-deal=\"exists\""), "{name}: {deal}");
    } else {
        assert!(deal.contains("data-deal=\"none\""), "{name}: {deal}");
        let conflict = d["conflict"].as_array().unwrap();
        let cli: BTreeSet<String> = conflict
            .iter()
            .filter(|c| c["kind"] == "red_line")
            .map(|c| c["issue"].as_str().unwrap().to_string())
            .collect();
        let room: BTreeSet<String> =
            attr_values(between(dom, "<ul class=\"conflict\">", "</ul>"), "data-point")
                .into_iter()
                .collect();
        assert_eq!(room, cli, "{name}: the points whose red lines collide");
        let reservations = conflict.iter().any(|c| c["kind"] == "reservation");
        assert!(deal.contains(&format!("data-reservations=\"{reservations}\"")), "{deal}");
    }
    let last = s.proposals().last().unwrap().id.clone();
    assert_revisions_are_mediates(dom, name, &last);
    let f = json_of(&["frontier", name]);
    let nash = between(dom, "<h2>The Nash point</h2>", "<h2>Add a draft</h2>");
    match f["nash"]["outcome"].as_object() {
        None => assert!(nash.contains("data-nash=\"none\""), "{name}: {nash}"),
        Some(outcome) => {
            assert!(nash.contains(&format!("data-exact=\"{}\"", f["nash"]["exact"])), "{nash}");
            let points = attr_values(nash, "data-point");
            let options = attr_values(nash, "data-option");
            assert_eq!(points.len(), outcome.len(), "{name}: {nash}");
            for (point, option) in points.iter().zip(&options) {
                assert!(same_option(&outcome[point.as_str()], option), "{name}: {point} {option}");
            }
        }
    }
}

/// The revisions on the mediator's page, revising `from`, are those of `detente mediate
/// --from` on the full file: the same changes in the same rank, each counted party's verdict
/// after, and whether the search is exact.
fn assert_revisions_are_mediates(dom: &str, name: &str, from: &str) {
    let m = json_of(&["mediate", name, "--from", from]);
    let revisions = between(dom, "<h2>Revisions</h2>", "<h2>The Nash point</h2>");
    assert!(revisions.contains(&format!("<option value=\"{from}\" selected")), "{revisions}");
    assert!(revisions.contains(&format!("data-exact=\"{}\"", m["exact"])), "{name}: {revisions}");
    let counted: Vec<&str> =
        m["parties"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    let listed = m["revisions"].as_array().unwrap();
    let (closest, ranks): (Vec<&str>, Vec<&str>) =
        revisions.split("<li data-rank=\"").skip(1).partition(|p| p.starts_with("closest\""));
    assert_eq!(ranks.len(), listed.len(), "{name}: as many revisions as mediate lists");
    for (r, part) in listed.iter().zip(&ranks) {
        assert_revision_is(part, r, &counted, name);
    }
    // With no revision accepted, the closest one, as mediate chooses it.
    match (&m["closest"], closest.as_slice()) {
        (Value::Null, []) => {}
        (r, [part]) if !r.is_null() => assert_revision_is(part, r, &counted, name),
        (r, parts) => panic!("{name}: mediate's closest {r} against the page's {parts:?}"),
    }
}

/// One revision's item on the mediator's page holds the changes of `mediate`'s revision `r`
/// and each counted party's verdict after it.
fn assert_revision_is(part: &str, r: &Value, counted: &[&str], name: &str) {
    let changes = r["changes"].as_array().unwrap();
    let points = attr_values(part, "data-point");
    let to = attr_values(part, "data-to");
    assert_eq!(points.len(), changes.len(), "{name}: {part}");
    for ((c, point), to) in changes.iter().zip(&points).zip(&to) {
        assert_eq!(c["issue"].as_str().unwrap(), point, "{name}");
        assert!(same_option(&c["after"], to), "{name}: {} to {} against {to}", point, c["after"]);
    }
    for p in r["parties"].as_array().unwrap() {
        let party = p["party"].as_str().unwrap();
        if counted.contains(&party) {
            let v = format!(
                "<span data-party=\"{party}\" data-verdict=\"{}\">",
                p["verdict_after"].as_str().unwrap()
            );
            assert!(part.contains(&v), "{name}: no {v} in {part}");
        }
    }
}

#[test]
#[allow(clippy::disallowed_methods)] // the CLI's tests may read the clock
fn the_room_works_end_to_end_through_its_pages_in_a_real_browser() {
    let test = "the_room_works_end_to_end_through_its_pages_in_a_real_browser";
    let Some(browser) = browser_or_skip(test) else { return };
    let started = std::time::Instant::now();
    let shots = screenshots();
    let mut b = cdp::Browser::start(browser, 1280, 900);
    for name in ["tutorial", "ukraine-2025"] {
        // The analyst's numbers as the CLI reads them: as of the file's day (its revisions
        // applied), not its first known state.
        let s = detente_scenario::shipped::load(name).unwrap().unwrap();
        let s = match s.meta().as_of.clone() {
            Some(day) => s.as_of(&day).unwrap().0,
            None => s,
        };
        let skeleton = Skeleton::from_scenario(&s).unwrap();
        let server = Server::start(name, &format!("e2e-{name}"));
        let parties = server.parties();
        let cells = s.proposals().len() * parties.len();
        let ev = json_of(&["evaluate", name]);
        // The CLI's verdict of party `p` on each draft.
        let cli_verdicts = |p: &str| -> Vec<String> {
            ev["evaluations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let pe = e["parties"].as_array().unwrap().iter().find(|x| x["party"] == p);
                    let v = pe.unwrap()["verdict"].as_str().unwrap();
                    format!(
                        "data-draft=\"{}\" data-verdict=\"{v}\"",
                        e["proposal"]["id"].as_str().unwrap()
                    )
                })
                .collect()
        };
        // The mediator signs in: every verdict waits for its party.
        let mediator = sign_in_by_form(&mut b, &server, "mediator");
        let dom = b.dom();
        assert_eq!(dom.matches("data-verdict=\"waiting\"").count(), cells, "{name}");
        assert!(dom.contains("data-deal=\"waiting\"") && dom.contains("data-nash=\"none\""));
        b.screenshot(&shots.join(format!("room-{name}-mediator-waiting.png")));
        let mut cookies = vec![];
        for (p, party) in parties.iter().enumerate() {
            let cookie = sign_in_by_form(&mut b, &server, party);
            if name == "tutorial" && p == 0 {
                // Bad input first: each problem at its field, nothing saved.
                let bad = owned(&[("w0", "1"), ("ideal0", "300"), ("tol0", "10"), ("w1", "abc")]);
                fill(&mut b, "#inputs", &bad);
                refused_cleanly(&b, "a refused form", Some(400));
                let dom = b.dom();
                assert!(dom.contains("data-problems=\"2\""), "{dom}");
                assert!(dom.contains("data-problem=\"ideal0\">300 is outside the scale [20, 80]"));
                assert!(dom.contains("data-problem=\"w1\">\"abc\" is not a number"), "{dom}");
                b.screenshot(&shots.join("room-tutorial-party-problems.png"));
                b.visit(&server.url("party"));
            }
            for pass in analyst_fields(&s, p) {
                fill(&mut b, "#inputs", &pass);
                clean(&b, "saving inputs");
                assert_eq!(
                    b.eval("location.pathname + location.search"),
                    json!(server.at("party?saved=1"))
                );
            }
            // Stored exactly as the analyst's file has them.
            let (_, _, stored) = server.request(
                "GET",
                &server.at("api/inputs"),
                &[("Cookie", &format!("detente_session={cookie}"))],
                "",
            );
            let stored = PartyInputs::from_json(&skeleton, stored.as_bytes()).unwrap();
            assert_eq!(stored, PartyInputs::of(&s, p), "{name}: {party}'s inputs through its form");
            // Its own verdicts, from its inputs alone, are its row of the full evaluation.
            let dom = b.dom();
            for v in cli_verdicts(party) {
                assert!(dom.contains(&v), "{name}: {party}'s page has no {v}");
            }
            if p == 0 {
                b.screenshot(&shots.join(format!("room-{name}-party.png")));
                // The mediator's view changed: this party's verdicts are there, the others'
                // still wait.
                as_user(&mut b, &server, &mediator);
                b.visit(&server.url("mediator"));
                clean(&b, "the mediator's page");
                let dom = b.dom();
                for v in cli_verdicts(party) {
                    let cell = v.replace(
                        "\" data-verdict",
                        &format!("\" data-party=\"{party}\" data-verdict"),
                    );
                    assert!(dom.contains(&cell), "{name}: the mediator's page has no {cell}");
                }
                let waiting = dom.matches("data-verdict=\"waiting\"").count();
                assert_eq!(waiting, cells - s.proposals().len(), "{name}");
                // A party may not open the mediator's page.
                as_user(&mut b, &server, &cookie);
                b.visit(&server.url("mediator"));
                refused_cleanly(&b, "a party on the mediator's page", Some(403));
                let dom = b.dom();
                assert!(dom.contains("data-status=\"403\""), "{dom}");
                assert!(dom.contains(&format!("party {party} may not read the mediator")), "{dom}");
            }
            cookies.push(cookie);
        }
        as_user(&mut b, &server, &mediator);
        b.visit(&server.url("mediator"));
        clean(&b, "the mediator's page");
        let dom = b.dom();
        assert!(!dom.contains("data-verdict=\"waiting\""), "{name}");
        assert_mediator_page_is_the_cli_analysis(&dom, name, &s);
        // And the revisions of every other draft, chosen on the page.
        for prop in &s.proposals()[..s.proposals().len() - 1] {
            b.visit(&format!("{}?from={}", server.url("mediator"), prop.id));
            clean(&b, "the mediator's page revising a draft");
            assert_revisions_are_mediates(&b.dom(), name, &prop.id);
        }
        b.screenshot(&shots.join(format!("room-{name}-mediator.png")));
        // The mediator may not open a party's page.
        b.visit(&server.url("party"));
        refused_cleanly(&b, "the mediator on a party's page", Some(403));
        assert!(b.dom().contains("the mediator may not read the private inputs"));
        if name != "tutorial" {
            continue;
        }
        // A draft added through the form: the Nash point, which both principals accept.
        let nash = between(&dom, "<h2>The Nash point</h2>", "<h2>Add a draft</h2>");
        let mut draft = owned(&[("id", "nash-text"), ("title", "The Nash point as a text")]);
        for (point, option) in
            attr_values(nash, "data-point").iter().zip(attr_values(nash, "data-option"))
        {
            let i = s.issue_index(point).unwrap();
            draft.push((format!("t{i}"), option));
        }
        b.visit(&server.url("mediator"));
        fill(&mut b, "form.draft", &draft);
        clean(&b, "adding a draft");
        assert_eq!(b.eval("location.search"), json!("?from=nash-text"));
        let dom = b.dom();
        for principal in ["upland", "lowland"] {
            let cell = format!(
                "data-draft=\"nash-text\" data-party=\"{principal}\" data-verdict=\"accepts\""
            );
            assert!(dom.contains(&cell), "no {cell}");
        }
        // Blind bidding through the pages: opened by the mediator, sealed offers by the two
        // sides, each seeing only "not yet crossed" until the offers cross.
        fill(
            &mut b,
            "form.bidding",
            &owned(&[("point", "share"), ("low", "upland"), ("high", "lowland")]),
        );
        assert_eq!(b.eval("location.pathname"), json!(server.at("biddings/1")));
        assert!(b.dom().contains("data-state=\"not yet crossed\""));
        let offer = |b: &mut cdp::Browser, cookie: &str, value: &str| -> String {
            as_user(b, &server, cookie);
            b.visit(&server.url("biddings/1"));
            fill(b, "form.offer", &owned(&[("value", value)]));
            clean(b, "an offer");
            b.dom()
        };
        let dom = offer(&mut b, &cookies[0], "60");
        assert!(
            dom.contains("data-state=\"not yet crossed\"")
                && dom.contains("data-own-offers=\"60\"")
        );
        let dom = offer(&mut b, &cookies[1], "65");
        assert!(
            dom.contains("data-state=\"not yet crossed\"")
                && dom.contains("data-own-offers=\"65\"")
        );
        assert!(!dom.contains("data-own-offers=\"60"), "{dom}");
        // Lowland comes down to 55, below Upland's 60: crossed; 57.5 to the grid's even
        // neighbour, 60.
        let dom = offer(&mut b, &cookies[1], "55");
        assert!(dom.contains("data-state=\"settled\" data-settlement=\"60\""), "{dom}");
        as_user(&mut b, &server, &cookies[0]);
        b.visit(&server.url("biddings/1"));
        assert!(b.dom().contains("data-settlement=\"60\""));
        // The commission is no side: refused.
        as_user(&mut b, &server, &cookies[2]);
        b.visit(&server.url("biddings/1"));
        refused_cleanly(&b, "a party on another's bidding", Some(403));
        assert!(b.dom().contains("data-status=\"403\""));
        as_user(&mut b, &server, &mediator);
        b.visit(&server.url("biddings/1"));
        let dom = b.dom();
        assert!(
            dom.contains("data-settlement=\"60\"") && dom.contains("Lowland 2 offers"),
            "{dom}"
        );
        b.visit(&server.url("mediator"));
        b.screenshot(&shots.join("room-tutorial-mediator-after.png"));
        assert!(b.dom().contains("bidding 1 settled at 60"), "the audit trail");
    }
    eprintln!("{test}: {:?}", started.elapsed());
}

#[test]
fn a_partys_pages_never_hold_another_partys_numbers_in_a_real_browser() {
    let test = "a_partys_pages_never_hold_another_partys_numbers_in_a_real_browser";
    let Some(browser) = browser_or_skip(test) else { return };
    let server = Server::start("tutorial", "numbers");
    let parties = server.parties();
    // Distinctive numbers and reasons per party, entered through each party's form.
    let secrets = |k: usize, who: &str| -> Vec<(String, String)> {
        owned(&[
            ("reservation", &format!("0.1234{k}71")),
            ("w0", &format!("3.5{k}1919")),
            ("ideal0", &format!("41.7{k}3")),
            ("tol0", &format!("27.{k}4417")),
            ("r0.0.min", &format!("2{k}.517")),
            ("r0.0.why", &format!("secret of {who}")),
            ("w1", &format!("2.7{k}3331")),
            ("v1.0", &format!("0.{k}13579")),
            ("v1.1", &format!("0.6{k}2468")),
            ("v1.2", &format!("0.9{k}8642")),
        ])
    };
    let mut b = cdp::Browser::start(browser, 1280, 900);
    let mediator = sign_in_by_form(&mut b, &server, "mediator");
    let mut cookies = vec![];
    for (k, party) in parties.iter().enumerate() {
        cookies.push(sign_in_by_form(&mut b, &server, party));
        fill(&mut b, "#inputs", &secrets(k, party));
        clean(&b, "saving inputs");
        let dom = b.dom();
        for (_, x) in secrets(k, party) {
            assert!(dom.contains(&x), "{party}'s own page shows its {x}");
        }
    }
    // Two biddings: Upland and Lowland, Lowland and the commission; an offer each.
    let m = server.sign_in("mediator");
    for (low, high) in [("upland", "lowland"), ("lowland", "commission")] {
        let fields = [("csrf", m.csrf.as_str()), ("point", "share"), ("low", low), ("high", high)];
        assert_eq!(server.post(Some(&m), "mediator/biddings", &fields).0, 303);
    }
    // Every page a party can reach (its own, its biddings, and those it is refused), as the
    // browser has it and as the server sent it: none holds another party's number or reason.
    let pages =
        ["", "party", "party?saved=1", "mediator", "biddings/1", "biddings/2", "biddings/3"];
    for (k, (party, cookie)) in parties.iter().zip(&cookies).enumerate() {
        as_user(&mut b, &server, cookie);
        let u = User { who: party.clone(), session: cookie.clone(), csrf: String::new() };
        for page in pages {
            b.visit(&server.url(page));
            let sources = [b.dom(), server.get(&u, page).2];
            for (j, other) in parties.iter().enumerate().filter(|(j, _)| *j != k) {
                for (_, x) in secrets(j, other) {
                    for source in &sources {
                        assert!(!source.contains(&x), "{party}'s {page} holds {other}'s {x}");
                    }
                }
            }
        }
    }
    // And the mediator's pages hold nobody's.
    as_user(&mut b, &server, &mediator);
    let drafts: Vec<String> = ["commission-draft", "lowland-markup"]
        .iter()
        .map(|d| format!("mediator?from={d}"))
        .collect();
    for page in ["mediator", "biddings/1", "biddings/2", drafts[0].as_str(), drafts[1].as_str()] {
        b.visit(&server.url(page));
        let sources = [b.dom(), server.get(&m, page).2];
        for (j, other) in parties.iter().enumerate() {
            for (_, x) in secrets(j, other) {
                for source in &sources {
                    assert!(!source.contains(&x), "the mediator's {page} holds {other}'s {x}");
                }
            }
        }
    }
    // The check can see a number: the mediator's view changed from waiting to verdicts.
    b.visit(&server.url("mediator"));
    assert!(!b.dom().contains("data-verdict=\"waiting\""));
}
