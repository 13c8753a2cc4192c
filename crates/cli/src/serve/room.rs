//! The confidential room over HTTP (`detente serve --multi-user`, issue 17): the routes of
//! `crates/room`'s operations, as JSON (docs/api.md, "The room"; docs/security.md).
//!
//! A party first claims its invitation with a secret of its own (`POST .../claim`), which
//! signs it in; afterwards it signs in with that secret (a session opened with an unclaimed
//! invitation reads the drafts only).
//! A user signs in to a room with its token and gets a session, sent back as an `HttpOnly`,
//! `SameSite=Strict` cookie scoped to the room's path, and in the answer for clients that
//! send it as `Authorization: Bearer`. A request that changes something and is signed in by
//! the cookie must carry the session's CSRF token in `X-Detente-CSRF` (a page's form, as a
//! hidden field `csrf`): another site's page cannot read it, so it cannot forge the change.
//! Access is the room's: every route calls one operation of `detente_room::Rooms`, which asks
//! `detente_room::decide`; no route names a party, so no route can ask for another party's
//! inputs. Each operation does storage I/O, so it runs on the blocking pool ([`guard::run`])
//! under the server's time limit, one at a time behind the store's lock.

use std::sync::{Arc, Mutex};

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use detente_room::{Credential, ErrorKind, Role, Rooms, Secret, Session, ViewOptions};
use serde_json::{Value, json};

use super::App;
use super::guard::{self, Refusal};

/// The session cookie's name.
pub const COOKIE: &str = "detente_session";

/// The header that carries the CSRF token of a cookie-signed change.
pub const CSRF_HEADER: &str = "x-detente-csrf";

/// A session's length when sign-in does not say (8 hours).
pub const DEFAULT_MINUTES: i64 = 8 * 60;

/// The rooms served, behind one lock (one connection to the store).
pub type Shared = Arc<Mutex<Rooms>>;

/// The room's routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/rooms/{room}/sign-in", post(sign_in))
        .route("/rooms/{room}/claim", post(claim))
        .route("/rooms/{room}/sign-out", post(sign_out))
        .route("/rooms/{room}/api/skeleton", get(skeleton))
        .route("/rooms/{room}/api/inputs", get(inputs).put(set_inputs))
        .route("/rooms/{room}/api/me", get(me))
        .route("/rooms/{room}/api/mediator", get(mediator))
        .route("/rooms/{room}/api/audit", get(audit))
        .route("/rooms/{room}/api/drafts", post(add_draft))
        .route("/rooms/{room}/api/biddings", post(open_bidding))
        .route("/rooms/{room}/api/biddings/{id}", get(bidding))
        .route("/rooms/{room}/api/biddings/{id}/offers", post(offer))
        .route("/rooms/{room}/api/invitations/{who}", post(reissue))
        .merge(super::room_pages::routes())
}

/// The clock: the room's model takes time from its caller, and the server is that caller.
#[allow(clippy::disallowed_methods)] // the server reads the clock for sessions and the audit trail
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The client's address, as the server sees it (a reverse proxy's own, behind one), when
/// the server was started with it (`detente serve` is): the room counts failed sign-ins and
/// claims by it.
pub(super) type Client = Option<Extension<ConnectInfo<std::net::SocketAddr>>>;

/// The address of [`Client`].
pub(super) fn address(client: Client) -> Option<std::net::IpAddr> {
    client.map(|Extension(ConnectInfo(a))| a.ip())
}

/// A room error as an HTTP answer.
pub(super) fn refusal(e: &detente_room::Error) -> Refusal {
    let status = match e.kind() {
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Expired => StatusCode::UNAUTHORIZED,
        ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut r = Refusal::new(status, e.message());
    if let Some(at) = e.retry_at() {
        r.body["retry_at"] = json!(at);
    }
    r
}

/// A refusal as an answer; one with `retry_at` (a spent budget) also says `Retry-After`.
pub(super) fn refused(r: Refusal) -> Response {
    let retry = r.body.get("retry_at").and_then(Value::as_i64);
    let mut response = r.into_response();
    if let Some(at) = retry
        && let Ok(v) = HeaderValue::from_str(&(at - now()).max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn bad(message: impl Into<String>) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, message)
}

/// The rooms, or 404 when the server was not started with `--multi-user`.
pub(super) fn shared(app: &App) -> Result<Shared, Refusal> {
    app.rooms.clone().ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_FOUND,
            "no rooms here: the server serves rooms with --multi-user (docs/security.md)",
        )
    })
}

/// Runs `work` with the rooms on a worker, under the time limit.
pub(super) async fn with_rooms<T: Send + 'static>(
    app: &App,
    work: impl FnOnce(&mut Rooms) -> Result<T, detente_room::Error> + Send + 'static,
) -> Result<T, Refusal> {
    let rooms = shared(app)?;
    let out = guard::run(&app.workers, guard::TIME_LIMIT, move || {
        let mut rooms = rooms.lock().map_err(|_| anyhow::anyhow!("the room store is poisoned"))?;
        Ok(work(&mut rooms))
    })
    .await?;
    out.map_err(|e| refusal(&e))
}

/// How a request is signed in: the session token, whether it came in the cookie, and the
/// CSRF token it carries (the header's, or a form's field: [`Credentials::with_form_csrf`]).
pub(super) struct Credentials {
    pub(super) token: String,
    by_cookie: bool,
    csrf: Option<String>,
}

impl Credentials {
    /// The same credentials with the CSRF token a page's form carries in its `csrf` field
    /// (a form cannot set a header): [`session_for`] checks it as it checks the header's.
    pub(super) fn with_form_csrf(self, csrf: Option<String>) -> Credentials {
        Credentials { csrf, ..self }
    }
}

/// The session cookie of `token` for `room`, lasting `seconds` (0: the cookie is removed).
pub(super) fn session_cookie(room: &str, token: &str, seconds: i64) -> String {
    format!("{COOKIE}={token}; Path=/rooms/{room}/; HttpOnly; SameSite=Strict; Max-Age={seconds}")
}

pub(super) fn credentials(headers: &HeaderMap) -> Result<Credentials, Refusal> {
    let csrf = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(token) = auth.strip_prefix("Bearer ")
    {
        return Ok(Credentials { token: token.trim().to_string(), by_cookie: false, csrf });
    }
    for cookie in headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()) {
        for pair in cookie.split(';') {
            if let Some(token) = pair.trim().strip_prefix(&format!("{COOKIE}=")) {
                return Ok(Credentials { token: token.to_string(), by_cookie: true, csrf });
            }
        }
    }
    Err(Refusal::new(StatusCode::UNAUTHORIZED, "not signed in: POST /rooms/ROOM/sign-in first"))
}

/// The live session of the request for the room in its path; `change`: the request changes
/// something, so a cookie-signed one must carry the CSRF token (one check for the header of
/// the JSON routes and the field of the pages' forms).
pub(super) fn session_for(
    rooms: &mut Rooms,
    room: &str,
    cred: &Credentials,
    change: bool,
) -> Result<Session, detente_room::Error> {
    let s = rooms.session(&cred.token, now())?;
    if s.room().as_str() != room {
        // A session of another room opens nothing here, and says nothing of this one.
        return Err(detente_room::Error::new(ErrorKind::NotFound, "no such session: sign in"));
    }
    if change && cred.by_cookie && !detente_room::csrf_matches(&cred.token, cred.csrf.as_deref()) {
        return Err(detente_room::Error::new(
            ErrorKind::Forbidden,
            "a change signed in by the session cookie needs the session's CSRF token (in X-Detente-CSRF, or a form's csrf field)",
        ));
    }
    Ok(s)
}

/// Runs a signed-in operation and answers its JSON.
async fn op(
    app: App,
    room: String,
    headers: HeaderMap,
    change: bool,
    work: impl FnOnce(&mut Rooms, &Session) -> Result<Value, detente_room::Error> + Send + 'static,
) -> Response {
    if let Err(r) = shared(&app) {
        return r.into_response();
    }
    let cred = match credentials(&headers) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let answer = with_rooms(&app, move |rooms| {
        let s = session_for(rooms, &room, &cred, change)?;
        work(rooms, &s)
    })
    .await;
    match answer {
        Ok(v) => guard::json_response(StatusCode::OK, &v),
        Err(r) => refused(r),
    }
}

/// A route's JSON body read into its type: a JSON object, with no field the type does not
/// have; every error names the field (`terms.dam: expected an option id ...`).
fn body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Refusal> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    if !v.is_object() {
        // Not even as a list of the fields in order, which serde would read into a struct.
        return Err(bad("the body: expected a JSON object"));
    }
    serde_path_to_error::deserialize(v).map_err(|e| {
        if e.path().iter().next().is_none() {
            bad(format!("the body: {}", e.inner()))
        } else {
            bad(format!("{}: {}", e.path(), e.inner()))
        }
    })
}

/// The body of a sign-in.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    who: String,
    token: String,
    minutes: Option<i64>,
}

/// The body of a claim: the party, its invitation and the secret it chooses.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Claim {
    who: String,
    invitation: String,
    secret: String,
    minutes: Option<i64>,
}

/// The body of a new draft: the option of each point it settles.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewDraft {
    id: String,
    title: String,
    #[serde(default)]
    terms: std::collections::BTreeMap<String, OptionId>,
}

/// An option's id, or a point of a scale written as a number.
#[derive(serde::Deserialize)]
#[serde(try_from = "Value")]
struct OptionId(String);

impl TryFrom<Value> for OptionId {
    type Error = String;

    fn try_from(v: Value) -> Result<OptionId, String> {
        match v {
            Value::String(s) => Ok(OptionId(s)),
            Value::Number(n) => Ok(OptionId(n.to_string())),
            _ => Err("expected an option id (text, or a number on a scale)".to_string()),
        }
    }
}

/// The body of a new bidding.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBidding {
    point: String,
    low: String,
    high: String,
}

/// The body of a sealed offer.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Offer {
    value: f64,
}

/// `POST /rooms/{room}/sign-in` with `{"who", "token", "minutes"?}`.
async fn sign_in(
    State(app): State<App>,
    Path(room): Path<String>,
    client: Client,
    body: Bytes,
) -> Response {
    if let Err(r) = shared(&app) {
        return r.into_response();
    }
    let SignIn { who, token, minutes } = match self::body(&body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let minutes = minutes.unwrap_or(DEFAULT_MINUTES);
    let client = address(client);
    let answer = with_rooms(&app, move |rooms| {
        rooms.sign_in_from(client, &room, &who, &token, now(), minutes.saturating_mul(60))
    })
    .await;
    match answer {
        Ok((session, s)) => session_answer(&session, &s, minutes),
        Err(r) => refused(r),
    }
}

/// `POST /rooms/{room}/claim` with `{"who", "invitation", "secret", "minutes"?}`: the party
/// claims its invitation with a secret of its own, and is signed in, answered as a sign-in.
async fn claim(
    State(app): State<App>,
    Path(room): Path<String>,
    client: Client,
    body: Bytes,
) -> Response {
    if let Err(r) = shared(&app) {
        return r.into_response();
    }
    let Claim { who, invitation, secret, minutes } = match self::body(&body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let minutes = minutes.unwrap_or(DEFAULT_MINUTES);
    let client = address(client);
    let answer = with_rooms(&app, move |rooms| {
        let ttl = minutes.saturating_mul(60);
        rooms.claim_from(client, &room, &who, &invitation, &secret, ttl, now())
    })
    .await;
    match answer {
        Ok((session, s)) => session_answer(&session, &s, minutes),
        Err(r) => refused(r),
    }
}

/// The answer of a sign-in or a claim: the session in the JSON, with its CSRF token and
/// whether it was opened with a claimed secret, and as the room's cookie.
fn session_answer(session: &Secret, s: &Session, minutes: i64) -> Response {
    let (role, party) = match s.role() {
        Role::Mediator => ("mediator", None),
        Role::Party(p) => ("party", Some(p.clone())),
    };
    let body = json!({
        "room": s.room().as_str(),
        "role": role,
        "party": party,
        "claimed": s.credential() == Credential::Own,
        "expires": s.expires(),
        "session": session.expose(),
        "csrf": detente_room::csrf_token(session.expose()),
    });
    let cookie = session_cookie(s.room().as_str(), session.expose(), minutes.saturating_mul(60));
    let mut response = guard::json_response(StatusCode::OK, &body);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// `POST /rooms/{room}/sign-out`.
async fn sign_out(
    State(app): State<App>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = shared(&app) {
        return r.into_response();
    }
    let cred = match credentials(&headers) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let answer = with_rooms(&app, move |rooms| {
        session_for(rooms, &room, &cred, true)?;
        rooms.sign_out(&cred.token, now())
    })
    .await;
    match answer {
        Ok(()) => guard::json_response(StatusCode::OK, &json!({"signed_out": true})),
        Err(r) => r.into_response(),
    }
}

/// `GET /rooms/{room}/api/skeleton`: parties, points, options and drafts, in the scenario
/// format's JSON (no stance, every reservation 0).
async fn skeleton(
    State(app): State<App>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> Response {
    op(app, room, headers, false, |rooms, s| {
        let k = rooms.skeleton(s)?;
        serde_json::from_str(&detente_scenario::to_json(k.scenario()))
            .map_err(|e| detente_room::Error::new(ErrorKind::Storage, format!("skeleton: {e}")))
    })
    .await
}

/// `GET /rooms/{room}/api/inputs`: the signed-in party's inputs (`null` before it enters any).
async fn inputs(State(app): State<App>, Path(room): Path<String>, headers: HeaderMap) -> Response {
    op(app, room, headers, false, |rooms, s| {
        let k = rooms.skeleton(s)?;
        Ok(rooms.my_inputs(s)?.map_or(Value::Null, |i| i.to_json(&k)))
    })
    .await
}

/// `PUT /rooms/{room}/api/inputs`: sets the signed-in party's inputs (their wire format).
async fn set_inputs(
    State(app): State<App>,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    op(app, room, headers, true, move |rooms, s| {
        rooms.set_my_inputs(s, &body, now())?;
        let k = rooms.skeleton(s)?;
        Ok(rooms.my_inputs(s)?.map_or(Value::Null, |i| i.to_json(&k)))
    })
    .await
}

/// `GET /rooms/{room}/api/me`: the signed-in party's view.
async fn me(State(app): State<App>, Path(room): Path<String>, headers: HeaderMap) -> Response {
    op(app, room, headers, false, |rooms, s| {
        let v = rooms.party_view(s)?;
        let k = rooms.skeleton(s)?;
        Ok(v.to_json(&k))
    })
    .await
}

/// `GET /rooms/{room}/api/mediator`: the mediator's view.
async fn mediator(
    State(app): State<App>,
    Path(room): Path<String>,
    headers: HeaderMap,
) -> Response {
    op(app, room, headers, false, |rooms, s| {
        Ok(rooms.mediator_view(s, &ViewOptions::default())?.to_json())
    })
    .await
}

/// `GET /rooms/{room}/api/audit`: the audit trail.
async fn audit(State(app): State<App>, Path(room): Path<String>, headers: HeaderMap) -> Response {
    op(app, room, headers, false, |rooms, s| {
        let trail = rooms.audit(s)?;
        Ok(trail
            .iter()
            .map(|e| json!({"seq": e.seq, "at": e.at, "who": e.who, "what": e.what}))
            .collect())
    })
    .await
}

/// `POST /rooms/{room}/api/drafts` with `{"id", "title", "terms": {point: option}}`.
async fn add_draft(
    State(app): State<App>,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let NewDraft { id, title, terms } = match self::body(&body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    op(app, room, headers, true, move |rooms, s| {
        let t: Vec<(&str, &str)> = terms.iter().map(|(a, b)| (a.as_str(), b.0.as_str())).collect();
        rooms.add_draft(s, &id, &title, &t, now())?;
        Ok(json!({"draft": id}))
    })
    .await
}

/// `POST /rooms/{room}/api/biddings` with `{"point", "low", "high"}`.
async fn open_bidding(
    State(app): State<App>,
    Path(room): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let NewBidding { point, low, high } = match self::body(&body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    op(app, room, headers, true, move |rooms, s| {
        let id = rooms.open_bidding(s, &point, &low, &high, now())?;
        Ok(json!({"bidding": id}))
    })
    .await
}

fn bidding_json(b: &detente_room::BiddingView) -> Value {
    json!({
        "bidding": b.id,
        "point": b.point,
        "low": b.low,
        "high": b.high,
        "state": if b.settlement.is_some() { "settled" } else { "not yet crossed" },
        "settlement": b.settlement,
        "own_offers": b.own_offers,
        "offer_counts": b.offer_counts.iter().map(|(p, n)| json!({"party": p, "offers": n})).collect::<Vec<_>>(),
    })
}

fn bidding_id(id: &str) -> Result<i64, Refusal> {
    id.parse::<i64>().map_err(|_| {
        Refusal::new(StatusCode::NOT_FOUND, format!("no bidding {:?}", super::served::cut(id)))
    })
}

/// `GET /rooms/{room}/api/biddings/{id}`.
async fn bidding(
    State(app): State<App>,
    Path((room, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let id = match bidding_id(&id) {
        Ok(id) => id,
        Err(r) => return r.into_response(),
    };
    op(app, room, headers, false, move |rooms, s| Ok(bidding_json(&rooms.bidding(s, id)?))).await
}

/// `POST /rooms/{room}/api/biddings/{id}/offers` with `{"value"}`.
async fn offer(
    State(app): State<App>,
    Path((room, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = bidding_id(&id).and_then(|id| Ok((id, self::body::<Offer>(&body)?.value)));
    let (id, value) = match parsed {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    op(app, room, headers, true, move |rooms, s| {
        Ok(bidding_json(&rooms.offer(s, id, value, now())?))
    })
    .await
}

/// `POST /rooms/{room}/api/invitations/{who}` (the mediator; `who`: a party's id or
/// `mediator`): a new token for `who`; the old one and its sessions end at once, and a party
/// that had claimed its invitation has its inputs and sealed offers erased.
async fn reissue(
    State(app): State<App>,
    Path((room, who)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    op(app, room, headers, true, move |rooms, s| {
        let r = rooms.reissue(s, &who, now())?;
        Ok(json!({
            "who": r.who,
            "token": r.token.expose(),
            "sessions_ended": r.sessions_ended,
            "inputs_erased": r.inputs_erased,
        }))
    })
    .await
}
