//! The confidential room's pages (`detente serve --multi-user`, issue 17): the sign-in page,
//! the claim of a party's invitation (its first sign-in asks for a secret of its own), a
//! party's page (its own inputs in a form, the drafts, its own verdicts), the mediator's
//! page (every party's verdicts without a number, whether any deal exists and on which
//! points red lines collide, ranked revisions, the Nash point, adding a draft, blind
//! bidding, the audit trail) and a bidding's page. Plain HTML rendered here, every text
//! escaped; the forms need no script.
//!
//! Every page calls the same `detente_room::Rooms` operations as the JSON routes
//! ([`super::room`]), after the same session check (`room::session_for`): access stays
//! decided in one place, `detente_room::decide`, and a page shows what its operation
//! returned, nothing more. A form that changes something carries the session's CSRF token
//! in a hidden field `csrf`, checked by that same function as the JSON routes' header. The
//! sign-in form, which has no session yet, is refused when the browser says it comes from
//! another site's page (`Origin`). Pages are sent with `Cache-Control: no-store` (a party's
//! numbers stay out of caches), a Content-Security-Policy that allows nothing but this
//! server and forbids framing, and no referrer beyond this server (`same-origin`: a form keeps its `Origin`).

mod inputs_form;

use std::fmt::Write as _;

use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use detente_analysis::{Verdict, counted_parties};
use detente_core::{Scenario, Term};
use detente_room::{
    AuditEntry, BiddingView, Credential, Deal, ErrorKind, MIN_SECRET_CHARS, MIN_SECRET_DISTINCT,
    MediatorView, PartyView, RevisionView, Role, Rooms, Session, Skeleton, ViewOptions,
};
use detente_words::{and_list, count};

use self::inputs_form::{InputsForm, Problems};
use super::App;
use super::guard::Refusal;
use super::pages::{esc, page_with, seg};
use super::room;
use crate::prose::{VERDICT_MEANINGS, proposal_line, term_label, verdict_sentence};

/// The pages' routes (the JSON routes are `/rooms/{room}/api/...`, sign-in and sign-out).
pub fn routes() -> Router<App> {
    Router::new()
        .route("/rooms/{room}", get(to_sign_in))
        .route("/rooms/{room}/", get(sign_in_page).post(sign_in))
        .route("/rooms/{room}/secret", post(claim))
        .route("/rooms/{room}/party", get(party_page).post(save_inputs))
        .route("/rooms/{room}/mediator", get(mediator_page))
        .route("/rooms/{room}/mediator/drafts", post(add_draft))
        .route("/rooms/{room}/mediator/biddings", post(open_bidding))
        .route("/rooms/{room}/mediator/invitations", post(reissue))
        .route("/rooms/{room}/biddings/{id}", get(bidding_page).post(offer))
        .route("/rooms/{room}/leave", post(sign_out))
        .route("/assets/room.css", get(|| async { super::pages::asset("text/css", STYLE) }))
}

/// The room's pages' own rules, beside the one stylesheet.
const STYLE: &str = include_str!("assets/room.css");

/// The Content-Security-Policy of the room's pages: this server's stylesheet and script, the
/// page's empty icon, forms posted here only, never in a frame.
pub const POLICY: &str = "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A room page: the HTML and the headers every room page has.
fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let head = "<link rel=\"stylesheet\" href=\"/assets/room.css\">";
    let mut r = (status, Html(page_with(title, head, body))).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    r
}

/// 303 See Other to `location` (after a form: the page to show), with a cookie to set.
fn see_other(location: &str, cookie: Option<String>) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(header::LOCATION, v);
    }
    if let Some(v) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::SET_COOKIE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// What a signed-in page's work answers.
enum Answer {
    Page {
        status: StatusCode,
        title: String,
        body: String,
    },
    /// 303 to the page `to`, setting `cookie` if any.
    Redirect {
        to: String,
        cookie: Option<String>,
    },
}

impl Answer {
    fn page(status: StatusCode, title: impl Into<String>, body: String) -> Answer {
        Answer::Page { status, title: title.into(), body }
    }

    fn redirect(to: String) -> Answer {
        Answer::Redirect { to, cookie: None }
    }

    fn into_response(self) -> Response {
        match self {
            Answer::Page { status, title, body } => html(status, &title, &body),
            Answer::Redirect { to, cookie } => see_other(&to, cookie),
        }
    }
}

/// The room and the session's CSRF token, for the links and forms of a page.
struct Signed {
    room: String,
    csrf: String,
    /// The session's token, to end it (signing out).
    token: String,
}

impl Signed {
    /// A path of this room's pages.
    fn at(&self, rest: &str) -> String {
        format!("/rooms/{}/{rest}", seg(&self.room))
    }

    /// A form that posts to `rest` with the session's CSRF token, around `fields`.
    fn form(&self, rest: &str, class: &str, fields: &str) -> String {
        format!(
            "<form method=\"post\" action=\"{}\" class=\"{class}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">{fields}</form>",
            esc(&self.at(rest)),
            esc(&self.csrf)
        )
    }

    /// Who is signed in, and the sign-out button.
    fn bar(&self, s: &Session, k: &Skeleton) -> String {
        let who = match s.role() {
            Role::Mediator => "the mediator".to_string(),
            Role::Party(id) => format!("party {}", party_name(k, id)),
        };
        format!(
            "<div class=\"room-bar\"><p>Room <code>{}</code> ({}), signed in as <strong data-role=\"{}\">{}</strong>.</p>{}</div>\n",
            esc(&self.room),
            esc(&k.scenario().meta().title),
            esc(&s.role().principal()),
            esc(&who),
            self.form("leave", "leave", "<button type=\"submit\">Sign out</button>")
        )
    }
}

/// A party's name in the skeleton (its id if unknown).
fn party_name(k: &Skeleton, id: &str) -> String {
    k.party(id).map_or_else(|_| id.to_string(), |p| k.scenario().parties()[p].name.clone())
}

/// A refusal as a page: its status and message; where the session is missing or over, the
/// sign-in form below.
fn refused(room_id: &str, r: &Refusal) -> Response {
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"error\" data-status=\"{}\">{}</p>\n",
        r.status.canonical_reason().unwrap_or("Refused"),
        r.status.as_u16(),
        esc(r.message())
    );
    if matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND) {
        body.push_str(&sign_in_form(room_id, ""));
    } else {
        let _ = writeln!(
            body,
            "<p><a href=\"/rooms/{}/\">Your page in this room</a>.</p>",
            seg(room_id)
        );
    }
    html(r.status, "Refused", &body)
}

/// Runs `work` for the signed-in session of the request, on a worker (the operations do
/// storage I/O), and answers its page or redirect; a refusal (no session, another room's,
/// a role that may not, a change without the CSRF token) is its page. `form_csrf`: the
/// request is a form that changes something, with its `csrf` field.
async fn signed_in(
    app: App,
    room_id: String,
    headers: HeaderMap,
    form_csrf: Option<Option<String>>,
    work: impl FnOnce(&mut Rooms, &Session, &Signed) -> Result<Answer, detente_room::Error>
    + Send
    + 'static,
) -> Response {
    let cred = match room::shared(&app).and_then(|_| room::credentials(&headers)) {
        Ok(c) => c,
        Err(r) => return refused(&room_id, &r),
    };
    let change = form_csrf.is_some();
    let cred = match form_csrf {
        Some(field) => cred.with_form_csrf(field),
        None => cred,
    };
    let signed = Signed {
        room: room_id.clone(),
        csrf: detente_room::csrf_token(&cred.token),
        token: cred.token.clone(),
    };
    let answer = room::with_rooms(&app, move |rooms| {
        let s = room::session_for(rooms, &signed.room, &cred, change)?;
        work(rooms, &s, &signed)
    })
    .await;
    match answer {
        Ok(a) => a.into_response(),
        Err(r) => refused(&room_id, &r),
    }
}

/// A form that changes something, for the signed-in session of the request: its fields read
/// (a form that cannot be read is refused, 400), its `csrf` field checked as the session's
/// CSRF token, and `work` run with them as by [`signed_in`].
async fn form_signed_in(
    app: App,
    room_id: String,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
    work: impl FnOnce(&mut Rooms, &Session, &Signed, Fields) -> Result<Answer, detente_room::Error>
    + Send
    + 'static,
) -> Response {
    let f = match fields(form) {
        Ok(f) => f,
        Err(r) => return refused(&room_id, &r),
    };
    let csrf = f.get("csrf");
    signed_in(app, room_id, headers, Some(csrf), move |rooms, s, g| work(rooms, s, g, f)).await
}

/// The answer of a mediator's form `name` (`drafts`, `biddings`, `invitations`): what its
/// operation `done` answered, or the operation's refusal shown at the form on the mediator's
/// page with what was entered, at the refusal's status; a role that may not (403) gets the
/// refusal's own page.
fn at_form(
    rooms: &mut Rooms,
    s: &Session,
    g: &Signed,
    name: &'static str,
    f: Fields,
    done: Result<Answer, detente_room::Error>,
) -> Result<Answer, detente_room::Error> {
    match done {
        Err(e) if e.kind() != ErrorKind::Forbidden => {
            let status = room::refusal(&e).status;
            let entered = Entered { form: name, fields: f.0, problem: e.message().into() };
            mediator_answer(rooms, s, g, None, &entered, status)
        }
        done => done,
    }
}

/// The fields of a submitted form, or its refusal (400).
fn fields(form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Result<Fields, Refusal> {
    form.map(|Form(f)| Fields(f))
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, format!("the form cannot be read: {e}")))
}

/// A form's fields.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }
}

/// A page's query: its parameters (unknown ones ignored).
fn query(q: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Fields {
    Fields(q.map(|Query(p)| p).unwrap_or_default())
}

/// The page of a role in the room.
fn home(room_id: &str, role: &Role) -> String {
    match role {
        Role::Mediator => format!("/rooms/{}/mediator", seg(room_id)),
        Role::Party(_) => format!("/rooms/{}/party", seg(room_id)),
    }
}

// ---- Signing in and out

/// `GET /rooms/{room}`: the sign-in page is `/rooms/{room}/` (the session cookie's path).
async fn to_sign_in(Path(room_id): Path<String>) -> Response {
    see_other(&format!("/rooms/{}/", seg(&room_id)), None)
}

fn sign_in_form(room_id: &str, who: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/rooms/{}/\" id=\"sign-in\">\
<p><label for=\"who\">Who you are</label>: <code>mediator</code>, or your party's id <input id=\"who\" name=\"who\" value=\"{}\" autocomplete=\"username\" required></p>\
<p><label for=\"token\">Your token</label> <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required size=\"50\"></p>\
<p><button type=\"submit\">Sign in</button></p></form>\n\
<p class=\"note\">The session lasts {} hours, in a cookie that only this server's pages of this room receive (HttpOnly, SameSite=Strict).</p>\n",
        seg(room_id),
        esc(who),
        room::DEFAULT_MINUTES / 60
    )
}

fn sign_in_body(room_id: &str, who: &str) -> String {
    format!(
        "<h1>Sign in to the room</h1>\n<p>Room <code>{}</code>. The mediator signs in with its token; a party signs in with its own secret, or, the first time, with the invitation the mediator gave it, and then chooses its secret.</p>\n{}",
        esc(room_id),
        sign_in_form(room_id, who)
    )
}

/// `GET /rooms/{room}/`: the sign-in form; a live session of this room goes to its page.
async fn sign_in_page(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    if let Err(r) = room::shared(&app) {
        return refused(&room_id, &r);
    }
    if let Ok(cred) = room::credentials(&headers) {
        let id = room_id.clone();
        let live = room::with_rooms(&app, move |rooms| {
            room::session_for(rooms, &id, &cred, false).map(|s| s.role().clone())
        })
        .await;
        if let Ok(role) = live {
            return see_other(&home(&room_id, &role), None);
        }
    }
    let who = query(q).text("who");
    html(StatusCode::OK, "Sign in", &sign_in_body(&room_id, &who))
}

/// Whether a form comes from another site's page, as the browser says (`Origin` against
/// `Host`): a sign-in has no session yet, so no CSRF token to check.
fn from_another_site(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, h)| h.trim_end_matches('/'));
    origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host)
}

/// A form sent before any session (`what`: a sign-in or a claim): its fields, or the
/// refusal when the server serves no rooms, when the browser says the form comes from
/// another site's page (`verb` says what to do instead), or when it cannot be read.
fn unsigned_form(
    app: &App,
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
    what: &str,
    verb: &str,
) -> Result<Fields, Refusal> {
    room::shared(app)?;
    if from_another_site(headers) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "{what} sent from another site's page is refused: {verb} on this server's own page"
            ),
        ));
    }
    fields(form)
}

/// `POST /rooms/{room}/` (the sign-in form: `who`, `token`): the session cookie, and on to
/// the role's page.
async fn sign_in(
    State(app): State<App>,
    Path(room_id): Path<String>,
    client: room::Client,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let f = match unsigned_form(&app, &headers, form, "a sign-in", "sign in") {
        Ok(f) => f,
        Err(r) => return refused(&room_id, &r),
    };
    let (who, token) = (f.text("who"), f.text("token"));
    let (id, w) = (room_id.clone(), who.clone());
    let seconds = room::DEFAULT_MINUTES * 60;
    let client = room::address(client);
    let answer = room::with_rooms(&app, move |rooms| {
        rooms.sign_in_from(client, &id, &w, &token, room::now(), seconds)
    })
    .await;
    match answer {
        Ok((session, s)) if s.credential() == Credential::Invitation => {
            // A party's first sign-in, with its invitation: it chooses its secret here (the
            // session opened reads the drafts only, and ends with the claim).
            let cookie = room::session_cookie(s.room().as_str(), session.expose(), seconds);
            let mut r = html(
                StatusCode::OK,
                "Choose your secret",
                &claim_body(&room_id, &who, Some(&f.text("token")), None),
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok((session, s)) => {
            let cookie = room::session_cookie(s.room().as_str(), session.expose(), seconds);
            see_other(&home(s.room().as_str(), s.role()), Some(cookie))
        }
        Err(r) => {
            let body = format!(
                "<p class=\"error\" data-status=\"{}\">{}</p>\n{}",
                r.status.as_u16(),
                esc(r.message()),
                sign_in_body(&room_id, &who)
            );
            html(r.status, "Sign in", &body)
        }
    }
}

/// The form by which a party claims its invitation: `invitation` given, it is carried in a
/// hidden field (the party has just typed it), else asked for.
fn claim_form(room_id: &str, who: &str, invitation: Option<&str>) -> String {
    let invitation = match invitation {
        Some(t) => format!("<input type=\"hidden\" name=\"invitation\" value=\"{}\">", esc(t)),
        None => "<p><label for=\"invitation\">The invitation the mediator gave you</label> <input id=\"invitation\" name=\"invitation\" type=\"password\" autocomplete=\"off\" required size=\"50\"></p>".to_string(),
    };
    format!(
        "<form method=\"post\" action=\"/rooms/{}/secret\" id=\"claim\"><input type=\"hidden\" name=\"who\" value=\"{}\">{invitation}\
<p><label for=\"secret\">Your secret</label> <input id=\"secret\" name=\"secret\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{MIN_SECRET_CHARS}\" size=\"40\"></p>\
<p><label for=\"again\">Your secret again</label> <input id=\"again\" name=\"again\" type=\"password\" autocomplete=\"new-password\" required size=\"40\"></p>\
<p><button type=\"submit\">Claim my invitation</button></p></form>\n",
        seg(room_id),
        esc(who)
    )
}

/// The page that asks a party for its secret: why, the rules, the form; `problem`: why the
/// last try was refused.
fn claim_body(
    room_id: &str,
    who: &str,
    invitation: Option<&str>,
    problem: Option<&Refusal>,
) -> String {
    let mut b = String::from("<h1>Choose your own secret</h1>\n");
    if let Some(r) = problem {
        let _ = writeln!(
            b,
            "<p class=\"error\" data-status=\"{}\">{}</p>",
            r.status.as_u16(),
            esc(r.message())
        );
    }
    let _ = writeln!(
        b,
        "<p>Party <strong>{}</strong> of room <code>{}</code>: the invitation you signed in with was made by the room and handed to you by the mediator, who has seen it, so it opens nothing you enter. Choose a secret that nobody else knows: at least {MIN_SECRET_CHARS} characters, of at least {MIN_SECRET_DISTINCT} different ones (a few words in a row will do). Your invitation then stops working; from now on you sign in with your secret, and only a session opened with it reads or changes your inputs.</p>\n<p class=\"note\">If the room answers that your invitation is claimed already, someone else who held it claimed it: ask the mediator for a new invitation and tell it this happened.</p>",
        esc(who),
        esc(room_id)
    );
    b.push_str(&claim_form(room_id, who, invitation));
    b
}

/// `POST /rooms/{room}/secret` (the claim form: `who`, `invitation`, `secret`, `again`): the
/// invitation claimed, the session cookie of the secret, and on to the party's page; else the
/// form again with the reason (a weak secret, two that differ, an invitation claimed
/// already or wrong).
async fn claim(
    State(app): State<App>,
    Path(room_id): Path<String>,
    client: room::Client,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let f = match unsigned_form(&app, &headers, form, "a claim", "claim") {
        Ok(f) => f,
        Err(r) => return refused(&room_id, &r),
    };
    let (who, invitation, secret) = (f.text("who"), f.text("invitation"), f.text("secret"));
    let again_page = |r: Refusal, keep: bool| {
        let kept = keep.then_some(invitation.as_str());
        html(r.status, "Choose your secret", &claim_body(&room_id, &who, kept, Some(&r)))
    };
    if secret != f.text("again") {
        let r = Refusal::new(
            StatusCode::BAD_REQUEST,
            "the two secrets differ: type the same secret twice",
        );
        return again_page(r, true);
    }
    let (id, w, inv) = (room_id.clone(), who.clone(), invitation.clone());
    let seconds = room::DEFAULT_MINUTES * 60;
    let client = room::address(client);
    let answer = room::with_rooms(&app, move |rooms| {
        rooms.claim_from(client, &id, &w, &inv, &secret, seconds, room::now())
    })
    .await;
    match answer {
        Ok((session, s)) => {
            let cookie = room::session_cookie(s.room().as_str(), session.expose(), seconds);
            see_other(&home(s.room().as_str(), s.role()), Some(cookie))
        }
        // A weak secret: the same invitation may try another.
        Err(r)
            if r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::PAYLOAD_TOO_LARGE =>
        {
            again_page(r, true)
        }
        Err(r) => again_page(r, false),
    }
}

/// `POST /rooms/{room}/leave` (with `csrf`): ends the session, removes the cookie.
async fn sign_out(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let to = format!("/rooms/{}/", seg(&room_id));
    let cookie = Some(room::session_cookie(&room_id, "", 0));
    form_signed_in(app, room_id, headers, form, move |rooms, _, g, _| {
        rooms.sign_out(&g.token, room::now())?;
        Ok(Answer::Redirect { to, cookie })
    })
    .await
}

// ---- A party's page

/// `GET /rooms/{room}/party[?saved=1]`: the party's own page.
async fn party_page(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let saved = query(q).get("saved").is_some();
    signed_in(app, room_id, headers, None, move |rooms, s, g| {
        let view = rooms.party_view(s)?;
        let k = rooms.skeleton(s)?;
        if !view.claimed {
            // Signed in with its invitation: nothing to show or enter until it claims it.
            let mut body = g.bar(s, &k);
            body.push_str(&claim_body(&g.room, &view.party, None, None));
            return Ok(Answer::page(StatusCode::OK, "Choose your secret", body));
        }
        let biddings = rooms.biddings(s)?;
        let form = InputsForm::of(&k, view.inputs.as_ref());
        let body = party_body(s, g, &k, &view, &biddings, &form, &Problems::default(), saved)?;
        Ok(Answer::page(StatusCode::OK, format!("{}: your page", view.party), body))
    })
    .await
}

/// `POST /rooms/{room}/party` (the inputs form): saved, or the form again with each problem
/// at its field (400, nothing saved).
async fn save_inputs(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    form_signed_in(app, room_id, headers, form, move |rooms, s, g, f| {
        // Asked first, so that the mediator is refused before its form is read.
        let view = rooms.party_view(s)?;
        let k = rooms.skeleton(s)?;
        let form = InputsForm::read(&k, &f.0);
        let (inputs, mut problems) = form.check(&k);
        if problems.is_empty() {
            match rooms.set_my_inputs(s, inputs.to_string().as_bytes(), room::now()) {
                Ok(()) => return Ok(Answer::redirect(g.at("party?saved=1"))),
                Err(e) if matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::TooLarge) => {
                    problems.whole.push(e.message().to_string());
                }
                Err(e) => return Err(e),
            }
        }
        let biddings = rooms.biddings(s)?;
        let body = party_body(s, g, &k, &view, &biddings, &form, &problems, false)?;
        Ok(Answer::page(StatusCode::BAD_REQUEST, format!("{}: your page", view.party), body))
    })
    .await
}

/// The party's page: its verdicts on the drafts (from its own inputs alone), its biddings,
/// and its inputs' form.
#[allow(clippy::too_many_arguments)] // one page's parts, each used once
fn party_body(
    s: &Session,
    g: &Signed,
    k: &Skeleton,
    view: &PartyView,
    biddings: &[BiddingView],
    form: &InputsForm,
    problems: &Problems,
    saved: bool,
) -> Result<String, detente_room::Error> {
    let sk = k.scenario();
    let p = k.party(&view.party)?;
    let mut b = g.bar(s, k);
    let _ = writeln!(
        b,
        "<h1>{}: your page</h1>\n<p class=\"note\">Only you can read or change your inputs below. The mediator sees your verdict on each draft, not your numbers; the other parties see nothing of yours (docs/security.md says exactly what each role can learn).</p>",
        esc(&sk.parties()[p].name)
    );
    if saved {
        b.push_str(
            "<p class=\"saved\">Your inputs are saved; your verdicts below follow from them.</p>\n",
        );
    }
    if !problems.is_empty() {
        let n = problems.fields.len() + problems.whole.len();
        // One line: the box keeps white space as written.
        let _ = write!(
            b,
            "<div class=\"error\" data-problems=\"{n}\">{}, marked at {} below; nothing was saved.",
            count(n, "problem", "problems"),
            if n == 1 { "its field" } else { "their fields" }
        );
        for w in &problems.whole {
            let _ = write!(b, " {}", esc(w));
        }
        b.push_str("</div>\n");
    }
    b.push_str("<h2>Your verdicts on the drafts</h2>\n");
    let own = match &view.inputs {
        Some(inputs) => Some(inputs.scenario(k, p)?),
        None => {
            b.push_str("<p>You have not entered your inputs yet: enter them below, and your verdict on each draft follows from them alone.</p>\n");
            None
        }
    };
    for (j, prop) in sk.proposals().iter().enumerate() {
        let shown: &Scenario = own.as_ref().unwrap_or(sk);
        let _ = writeln!(
            b,
            "<h3 id=\"draft-{}\">{}</h3>",
            esc(&prop.id),
            esc(&proposal_line(shown, j))
        );
        let e = view.verdicts.iter().find(|(d, _)| *d == prop.id).map(|(_, e)| e);
        if let (Some(e), Some(own)) = (e, &own) {
            let _ = writeln!(
                b,
                "<p class=\"verdict {v}\" data-draft=\"{}\" data-verdict=\"{v}\">{}</p>",
                esc(&prop.id),
                esc(&verdict_sentence(own, e)),
                v = e.verdict.as_str()
            );
        }
        b.push_str("<div class=\"scroll\"><table class=\"points\"><tr><th>point</th><th>term</th>");
        if e.is_some() {
            b.push_str("<th>your value</th>");
        }
        b.push_str("</tr>\n");
        for (i, issue) in sk.issues().iter().enumerate() {
            let _ = write!(
                b,
                "<tr><th title=\"{}\">{}</th><td>{}</td>",
                esc(&issue.name),
                esc(&issue.id),
                esc(&term_label(sk, i, prop.terms[i]))
            );
            if let Some(e) = e {
                let _ = write!(
                    b,
                    "<td class=\"{} num\">{}</td>",
                    e.points[i].verdict.as_str(),
                    esc(crate::evaluate::point_cell(e, i).trim())
                );
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</table></div>\n");
    }
    if own.is_some() {
        let _ = writeln!(
            b,
            "<p class=\"note legend\">Your value of each term: {}.</p>",
            esc(crate::evaluate::POINT_LEGEND)
        );
    }
    if !biddings.is_empty() {
        b.push_str("<h2>Your blind biddings</h2>\n<ul class=\"biddings\">\n");
        for v in biddings {
            let _ = writeln!(
                b,
                "<li><a href=\"{}\">Bidding {} on {}</a>: {}</li>",
                esc(&g.at(&format!("biddings/{}", v.id))),
                v.id,
                esc(&v.point),
                esc(&bidding_state(k, v))
            );
        }
        b.push_str("</ul>\n");
    }
    b.push_str("<h2>Your inputs</h2>\n");
    b.push_str(&form.html(k, problems, &g.at("party"), &g.csrf));
    Ok(b)
}

// ---- The mediator's page

/// `GET /rooms/{room}/mediator[?from=DRAFT]`: the mediator's page, revising `from` (the
/// last draft by default).
async fn mediator_page(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let from = query(q).get("from").filter(|f| !f.is_empty());
    signed_in(app, room_id, headers, None, move |rooms, s, g| {
        mediator_answer(rooms, s, g, from, &Entered::default(), StatusCode::OK)
    })
    .await
}

/// What the mediator entered in a form that was refused, shown again with the refusal.
#[derive(Default)]
struct Entered {
    /// `drafts` or `biddings`: the form refused.
    form: &'static str,
    fields: Vec<(String, String)>,
    problem: String,
}

impl Entered {
    fn get(&self, form: &str, name: &str) -> String {
        if self.form != form {
            return String::new();
        }
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn problem(&self, form: &str) -> String {
        if self.form == form && !self.problem.is_empty() {
            format!("<p class=\"error\" data-problem=\"{form}\">{}</p>", esc(&self.problem))
        } else {
            String::new()
        }
    }
}

fn mediator_answer(
    rooms: &mut Rooms,
    s: &Session,
    g: &Signed,
    from: Option<String>,
    entered: &Entered,
    status: StatusCode,
) -> Result<Answer, detente_room::Error> {
    let options = ViewOptions { from, ..ViewOptions::default() };
    let view = rooms.mediator_view(s, &options)?;
    let k = rooms.skeleton(s)?;
    let trail = rooms.audit(s)?;
    let biddings = rooms.biddings(s)?;
    let body = mediator_body(s, g, &k, &view, &options, &trail, &biddings, entered);
    Ok(Answer::page(status, "The mediator's page", body))
}

/// A verdict as the mediator's table shows it (`waiting`: the party has entered nothing).
fn verdict_cell(draft: &str, party: &str, v: Option<Verdict>) -> String {
    let word = v.map_or("waiting", Verdict::as_str);
    format!(
        "<td class=\"{word}\" data-draft=\"{}\" data-party=\"{}\" data-verdict=\"{word}\">{word}</td>",
        esc(draft),
        esc(party)
    )
}

fn names(k: &Skeleton, ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| party_name(k, id)).collect()
}

#[allow(clippy::too_many_arguments)] // one page's parts, each used once
fn mediator_body(
    s: &Session,
    g: &Signed,
    k: &Skeleton,
    v: &MediatorView,
    options: &ViewOptions,
    trail: &[AuditEntry],
    biddings: &[BiddingView],
    entered: &Entered,
) -> String {
    let sk = k.scenario();
    let mut b = g.bar(s, k);
    b.push_str("<h1>The mediator's page</h1>\n<p class=\"note\">You see each party's verdict on each draft, whether any deal exists and on which points red lines collide, ranked revisions and the Nash point: never a party's weights, values, red lines or reservation (docs/security.md says what each role can learn, and what can be inferred).</p>\n");
    // Who has claimed its invitation, who has entered.
    let _ = writeln!(
        b,
        "<p data-claimed=\"{}\" data-unclaimed=\"{}\">Claimed their invitation with a secret of their own: {}. Not yet (they can enter nothing until they do): {}.</p>",
        esc(&v.claimed.join(",")),
        esc(&v.unclaimed.join(",")),
        esc(&or_nobody(&names(k, &v.claimed))),
        esc(&or_nobody(&names(k, &v.unclaimed)))
    );
    let _ = writeln!(
        b,
        "<p data-entered=\"{}\" data-waiting=\"{}\">Entered their inputs: {}. Waiting for: {}.</p>",
        esc(&v.entered.join(",")),
        esc(&v.waiting.join(",")),
        esc(&or_nobody(&names(k, &v.entered))),
        esc(&or_nobody(&names(k, &v.waiting)))
    );
    // The verdicts.
    b.push_str(
        "<h2>The drafts</h2>\n<div class=\"scroll\"><table class=\"verdicts\"><tr><th>draft</th>",
    );
    for p in sk.parties() {
        let _ = write!(b, "<th>{}</th>", esc(&p.name));
    }
    b.push_str("</tr>\n");
    for d in &v.drafts {
        let _ = write!(
            b,
            "<tr><th><a href=\"{}\">{}</a></th>",
            esc(&format!("{}?from={}", g.at("mediator"), seg(&d.draft))),
            esc(&d.draft)
        );
        for pv in &d.parties {
            b.push_str(&verdict_cell(&d.draft, &pv.party, pv.verdict));
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table></div>\n<ul class=\"drafts\">\n");
    for (j, prop) in sk.proposals().iter().enumerate() {
        let open: Vec<&str> =
            prop.open_issues().into_iter().map(|i| sk.issues()[i].id.as_str()).collect();
        let open =
            if open.is_empty() { String::new() } else { format!("; open: {}", and_list(&open)) };
        let _ = writeln!(b, "<li>{}{}</li>", esc(&proposal_line(sk, j)), esc(&open));
    }
    b.push_str("</ul>\n<p class=\"note\">");
    for (word, meaning) in VERDICT_MEANINGS {
        let _ = write!(b, "<strong>{word}</strong>: {}. ", esc(meaning));
    }
    b.push_str("<strong>waiting</strong>: the party has not entered its inputs yet.</p>\n");
    // Whether any deal exists.
    let counted: Vec<usize> = counted_parties(sk)
        .into_iter()
        .filter(|&p| v.entered.contains(&sk.parties()[p].id))
        .collect();
    deal_section(&mut b, sk, &counted, &v.deal, options);
    // The revisions.
    revisions_section(&mut b, g, k, v, options);
    nash_section(&mut b, sk, v);
    add_draft_section(&mut b, g, sk, entered);
    biddings_section(&mut b, g, k, biddings, entered);
    reissue_section(&mut b, g, sk, entered);
    audit_section(&mut b, k, trail);
    b
}

fn or_nobody(names: &[String]) -> String {
    if names.is_empty() { "nobody".to_string() } else { and_list(names) }
}

fn deal_section(
    b: &mut String,
    sk: &Scenario,
    counted: &[usize],
    deal: &Deal,
    options: &ViewOptions,
) {
    let question = if counted.is_empty() {
        "counting the parties who have entered their inputs".to_string()
    } else {
        crate::deadlock::deal_question(sk, counted)
    };
    let _ = writeln!(b, "<h2>Is any deal possible, {}?</h2>", esc(&question));
    let point = |id: &str| {
        let name = sk.issue_index(id).map(|i| sk.issues()[i].name.as_str()).unwrap_or("");
        format!("<li data-point=\"{}\">{} ({})</li>", esc(id), esc(id), esc(name))
    };
    match deal {
        Deal::Waiting => {
            b.push_str("<p class=\"deal\" data-deal=\"waiting\">Not yet known: no party counted has entered its inputs.</p>\n");
        }
        Deal::Undecided => {
            let _ = writeln!(
                b,
                "<p class=\"deal\" data-deal=\"undecided\">Not decided ({}).</p>",
                esc(&crate::deadlock::undecided_words(options.deadlock_nodes))
            );
        }
        Deal::Exists => {
            b.push_str("<p class=\"deal yes\" data-deal=\"exists\">Yes: some outcome keeps every counted party's red lines and gives each at least its reservation.</p>\n");
        }
        Deal::None { minimal: false, .. } => {
            let _ = writeln!(
                b,
                "<p class=\"deal no\" data-deal=\"none\">No. {}</p>",
                esc(crate::deadlock::NOT_MINIMAL)
            );
        }
        Deal::None { points, reservations, .. } => {
            let why = match (points.is_empty(), reservations) {
                (true, _) => {
                    "the counted parties' reservations cannot all be met by one outcome".to_string()
                }
                (false, false) => format!(
                    "red lines collide on {}; dropping any one of the colliding red lines makes a deal possible",
                    count(points.len(), "point", "points")
                ),
                (false, true) => format!(
                    "red lines on {} collide with the counted parties' reservations; dropping any one of the colliding constraints makes a deal possible",
                    count(points.len(), "point", "points")
                ),
            };
            let _ = writeln!(
                b,
                "<p class=\"deal no\" data-deal=\"none\" data-reservations=\"{reservations}\">No: {}. The room says on which points, not whose red lines they are or where they lie.</p>",
                esc(&why)
            );
            if !points.is_empty() {
                b.push_str("<ul class=\"conflict\">");
                for p in points {
                    b.push_str(&point(p));
                }
                b.push_str("</ul>\n");
            }
        }
    }
}

fn revisions_section(
    b: &mut String,
    g: &Signed,
    k: &Skeleton,
    v: &MediatorView,
    options: &ViewOptions,
) {
    let sk = k.scenario();
    b.push_str("<h2>Revisions</h2>\n");
    let Some(r) = &v.revisions else {
        b.push_str("<p data-revisions=\"none\">No revisions yet: they need a draft and a counted party's inputs.</p>\n");
        return;
    };
    let from = sk.proposal_index(&r.from);
    let mut choose = String::new();
    for prop in sk.proposals() {
        let _ = write!(
            choose,
            "<option value=\"{}\"{}>{}</option>",
            esc(&prop.id),
            if prop.id == r.from { " selected" } else { "" },
            esc(&prop.id)
        );
    }
    let _ = writeln!(
        b,
        "<form method=\"get\" action=\"{}\"><p><label for=\"from\">Revise</label> <select id=\"from\" name=\"from\">{choose}</select> <button type=\"submit\">Show</button></p></form>",
        esc(&g.at("mediator"))
    );
    let _ = writeln!(
        b,
        "<p>The revisions of {} that bring the most counted parties to accept, the fewest changes first; each changes the points shown and keeps the rest.</p>",
        esc(&from.map_or_else(|| r.from.clone(), |j| proposal_line(sk, j)))
    );
    let _ = writeln!(
        b,
        "<p class=\"exact {}\" data-exact=\"{}\">{}</p>",
        if r.exact { "yes" } else { "no" },
        r.exact,
        esc(&crate::mediate::exact_sentence(r.exact, Some(options.mediate_budget)))
    );
    if r.revisions.is_empty() {
        let _ = writeln!(
            b,
            "<p data-revisions=\"none\">{}</p>",
            if r.feasible {
                "The draft needs no change: every counted party accepts it."
            } else {
                super::render::no_revision_words(r.exact)
            }
        );
        if let Some(rv) = &r.closest {
            b.push_str("<p>The closest revision (the fewest of the counted parties' red lines crossed or at risk, then the smallest total shortfall below their reservations):</p>\n<ol class=\"revisions closest\">\n");
            revision_item(b, k, "closest", rv);
            b.push_str("</ol>\n");
        }
        return;
    }
    if !r.feasible {
        b.push_str("<p>No revision makes every counted party accept; these come closest.</p>\n");
    }
    b.push_str("<ol class=\"revisions\">\n");
    for (n, rv) in r.revisions.iter().enumerate() {
        revision_item(b, k, &(n + 1).to_string(), rv);
    }
    b.push_str("</ol>\n");
}

/// One revision as an item of a list: its changes and the counted parties' verdicts after it.
fn revision_item(b: &mut String, k: &Skeleton, rank: &str, rv: &RevisionView) {
    let sk = k.scenario();
    {
        let _ = write!(
            b,
            "<li data-rank=\"{rank}\"><p>{}</p><div class=\"scroll\"><table class=\"changes\"><tr><th>point</th><th>in the draft</th><th>revised</th></tr>",
            count(rv.changes.len(), "change", "changes")
        );
        for c in &rv.changes {
            let i = sk.issue_index(&c.point);
            let label = |t: Term| i.map_or_else(String::new, |i| term_label(sk, i, t));
            let before = i
                .zip(c.from.as_deref())
                .and_then(|(i, o)| option_term(sk, i, o))
                .unwrap_or(Term::Open);
            let after = i.and_then(|i| option_term(sk, i, &c.to)).unwrap_or(Term::Open);
            let _ = write!(
                b,
                "<tr data-point=\"{}\" data-to=\"{}\"><th>{}</th><td>{}</td><td>{}</td></tr>",
                esc(&c.point),
                esc(&c.to),
                esc(&c.point),
                esc(&label(before)),
                esc(&label(after))
            );
        }
        b.push_str("</table></div><p>After it: ");
        let verdicts: Vec<String> = rv
            .verdicts
            .iter()
            .map(|pv| {
                let word = pv.verdict.map_or("waiting", Verdict::as_str);
                format!(
                    "<span data-party=\"{}\" data-verdict=\"{word}\">{} {word}</span>",
                    esc(&pv.party),
                    esc(&party_name(k, &pv.party))
                )
            })
            .collect();
        let _ = writeln!(b, "{}.</p></li>", and_list(&verdicts));
    }
}

/// The term of option `id` on point `i` (an option's id, or a scale's value as written).
fn option_term(sk: &Scenario, i: usize, id: &str) -> Option<Term> {
    (0..sk.issues()[i].n_options()).find(|&k| sk.issues()[i].option_id(k) == id).map(Term::Set)
}

fn nash_section(b: &mut String, sk: &Scenario, v: &MediatorView) {
    b.push_str("<h2>The Nash point</h2>\n");
    let Some(n) = &v.nash else {
        let why = match v.deal {
            Deal::Waiting => "no party counted has entered its inputs",
            _ => "no outcome keeps every counted party's red lines and reservation",
        };
        let _ = writeln!(b, "<p data-nash=\"none\">None: {why}.</p>");
        return;
    };
    let _ = writeln!(
        b,
        "<p>The outcome that maximises the product of the counted parties' gains over their reservations (their utilities are not shown). <span class=\"exact {}\" data-exact=\"{}\">{}</span></p>",
        if n.exact { "yes" } else { "no" },
        n.exact,
        if n.exact {
            "Exact: proved the best."
        } else {
            "Not exact: the search stopped at its budget; this is the best found."
        }
    );
    b.push_str(
        "<div class=\"scroll\"><table class=\"nash\"><tr><th>point</th><th>term</th></tr>\n",
    );
    for (point, option) in &n.terms {
        let i = sk.issue_index(point);
        let label = i
            .and_then(|i| option_term(sk, i, option).map(|t| term_label(sk, i, t)))
            .unwrap_or_else(|| option.clone());
        let _ = writeln!(
            b,
            "<tr data-point=\"{}\" data-option=\"{}\"><th>{}</th><td>{}</td></tr>",
            esc(point),
            esc(option),
            esc(point),
            esc(&label)
        );
    }
    b.push_str("</table></div>\n");
}

fn add_draft_section(b: &mut String, g: &Signed, sk: &Scenario, entered: &Entered) {
    b.push_str("<h2>Add a draft</h2>\n");
    b.push_str(&entered.problem("drafts"));
    let mut fields = format!(
        "<p><label for=\"draft-id\">Id</label> <input id=\"draft-id\" name=\"id\" value=\"{}\" required> <label for=\"draft-title\">title</label> <input id=\"draft-title\" name=\"title\" value=\"{}\" size=\"50\" required></p><div class=\"scroll\"><table class=\"terms\"><tr><th>point</th><th>term</th></tr>",
        esc(&entered.get("drafts", "id")),
        esc(&entered.get("drafts", "title"))
    );
    for (i, issue) in sk.issues().iter().enumerate() {
        let chosen = entered.get("drafts", &format!("t{i}"));
        let mut select = String::from("<option value=\"\">(left open)</option>");
        for k in 0..issue.n_options() {
            let id = issue.option_id(k);
            let _ = write!(
                select,
                "<option value=\"{}\"{}>{}</option>",
                esc(&id),
                if chosen == id { " selected" } else { "" },
                esc(&issue.option_label(k))
            );
        }
        let _ = write!(
            fields,
            "<tr><th title=\"{}\"><label for=\"t{i}\">{}</label></th><td><select id=\"t{i}\" name=\"t{i}\">{select}</select></td></tr>",
            esc(&issue.name),
            esc(&issue.id)
        );
    }
    fields.push_str("</table></div><p><button type=\"submit\">Add the draft</button></p>");
    b.push_str(&g.form("mediator/drafts", "draft", &fields));
    b.push('\n');
}

/// A bidding's state in words (what its viewer may know).
fn bidding_state(k: &Skeleton, v: &BiddingView) -> String {
    let unit = k
        .issue(&v.point)
        .ok()
        .and_then(|i| match &k.scenario().issues()[i].kind {
            detente_core::IssueKind::Scale { unit, .. } => Some(unit.clone()),
            detente_core::IssueKind::Discrete { .. } => None,
        })
        .unwrap_or_default();
    match v.settlement {
        Some(x) => format!(
            "settled at {} {unit}: the offers crossed, and the settlement splits the difference between the two last offers, on the scale's grid",
            detente_core::format_number(x)
        ),
        None => "not yet crossed".to_string(),
    }
}

fn biddings_section(
    b: &mut String,
    g: &Signed,
    k: &Skeleton,
    biddings: &[BiddingView],
    entered: &Entered,
) {
    let sk = k.scenario();
    b.push_str("<h2>Blind bidding</h2>\n<p class=\"note\">Two parties make sealed offers on a scale point; the room reveals a settlement only when the offers cross (split the difference, on the scale's grid), and until then tells each side only that they have not crossed. You see how many offers each side made, never their amounts.</p>\n");
    if !biddings.is_empty() {
        b.push_str("<ul class=\"biddings\">\n");
        for v in biddings {
            let counts: Vec<String> = v
                .offer_counts
                .iter()
                .map(|(p, n)| {
                    format!("{} {}", party_name(k, p), count(*n as usize, "offer", "offers"))
                })
                .collect();
            let _ = writeln!(
                b,
                "<li data-bidding=\"{}\"><a href=\"{}\">Bidding {} on {}</a> between {} (wants it low) and {} (wants it high): {}; {}.</li>",
                v.id,
                esc(&g.at(&format!("biddings/{}", v.id))),
                v.id,
                esc(&v.point),
                esc(&party_name(k, &v.low)),
                esc(&party_name(k, &v.high)),
                esc(&bidding_state(k, v)),
                esc(&if counts.is_empty() {
                    "no offers yet".to_string()
                } else {
                    and_list(&counts)
                })
            );
        }
        b.push_str("</ul>\n");
    }
    let scales: Vec<&detente_core::Issue> = sk.issues().iter().filter(|i| i.is_scale()).collect();
    if scales.is_empty() {
        b.push_str("<p>No point of this room is a scale, and blind bidding needs one.</p>\n");
        return;
    }
    b.push_str(&entered.problem("biddings"));
    let select = |name: &str, items: Vec<(String, String)>| {
        let chosen = entered.get("biddings", name);
        let mut out = format!("<select id=\"bid-{name}\" name=\"{name}\">");
        for (value, label) in items {
            let _ = write!(
                out,
                "<option value=\"{}\"{}>{}</option>",
                esc(&value),
                if chosen == value { " selected" } else { "" },
                esc(&label)
            );
        }
        out.push_str("</select>");
        out
    };
    let parties: Vec<(String, String)> =
        sk.parties().iter().map(|p| (p.id.clone(), p.name.clone())).collect();
    let fields = format!(
        "<p><label for=\"bid-point\">Open a bidding on</label> {} <label for=\"bid-low\">between</label> {} (its offers rise: it wants the value low) <label for=\"bid-high\">and</label> {} (its demands fall: it wants the value high) <button type=\"submit\">Open</button></p>",
        select(
            "point",
            scales.iter().map(|i| (i.id.clone(), format!("{} ({})", i.id, i.name))).collect()
        ),
        select("low", parties.clone()),
        select("high", parties.into_iter().rev().collect())
    );
    b.push_str(&g.form("mediator/biddings", "bidding", &fields));
    b.push('\n');
}

fn reissue_section(b: &mut String, g: &Signed, sk: &Scenario, entered: &Entered) {
    b.push_str("<h2>A lost token</h2>\n<p class=\"note\">A new invitation for a party that lost its secret or its invitation (or a new token for you): the old one stops working at once and its sessions end. A party that had claimed its invitation has its inputs and sealed offers erased, since the new invitation passes through your hands; it claims the new one and enters them again. The new token is shown once, to hand over yourself.</p>\n");
    b.push_str(&entered.problem("invitations"));
    let mut options = String::new();
    for p in sk.parties() {
        let _ = write!(options, "<option value=\"{}\">{}</option>", esc(&p.id), esc(&p.name));
    }
    options
        .push_str("<option value=\"mediator\">you, the mediator (you will sign in again)</option>");
    let fields = format!(
        "<p><label for=\"reissue-who\">Reissue the token of</label> <select id=\"reissue-who\" name=\"who\">{options}</select> <button type=\"submit\">Reissue</button></p>"
    );
    b.push_str(&g.form("mediator/invitations", "reissue", &fields));
    b.push('\n');
}

/// The most entries of the audit trail a page lists (the latest).
pub const AUDIT_SHOWN: usize = 500;

fn audit_section(b: &mut String, k: &Skeleton, trail: &[AuditEntry]) {
    let shown = &trail[trail.len().saturating_sub(AUDIT_SHOWN)..];
    let _ = writeln!(
        b,
        "<h2>The audit trail</h2>\n<p class=\"note\">Every change, sign-in and sign-out in the room, append-only; it says what changed, never a party's number.{}</p>",
        if shown.len() < trail.len() {
            format!(" The latest {} of {}.", shown.len(), trail.len())
        } else {
            String::new()
        }
    );
    b.push_str("<div class=\"scroll\"><table class=\"audit\"><tr><th>#</th><th>when (UTC)</th><th>who</th><th>what</th></tr>\n");
    for e in shown.iter().rev() {
        let who = match Role::from_principal(&e.who) {
            Some(Role::Mediator) => "the mediator".to_string(),
            Some(Role::Party(id)) => party_name(k, &id),
            None => format!("the {}", e.who),
        };
        let _ = writeln!(
            b,
            "<tr data-seq=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            e.seq,
            detente_core::utc_text(e.at),
            esc(&who),
            esc(&e.what)
        );
    }
    b.push_str("</table></div>\n");
}

/// `POST /rooms/{room}/mediator/drafts` (`id`, `title`, `t{i}`: an option of point `i`, or
/// empty for open): the draft added, and its revisions shown.
async fn add_draft(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    form_signed_in(app, room_id, headers, form, move |rooms, s, g, f| {
        let k = rooms.skeleton(s)?;
        let (id, title) = (f.text("id"), f.text("title"));
        let terms: Vec<(String, String)> = k
            .scenario()
            .issues()
            .iter()
            .enumerate()
            .filter_map(|(i, issue)| {
                f.get(&format!("t{i}")).filter(|o| !o.is_empty()).map(|o| (issue.id.clone(), o))
            })
            .collect();
        let t: Vec<(&str, &str)> = terms.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let done = rooms
            .add_draft(s, &id, &title, &t, room::now())
            .map(|()| Answer::redirect(format!("{}?from={}", g.at("mediator"), seg(&id))));
        at_form(rooms, s, g, "drafts", f, done)
    })
    .await
}

/// `POST /rooms/{room}/mediator/biddings` (`point`, `low`, `high`): the bidding opened,
/// and its page.
async fn open_bidding(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    form_signed_in(app, room_id, headers, form, move |rooms, s, g, f| {
        let (point, low, high) = (f.text("point"), f.text("low"), f.text("high"));
        let done = rooms
            .open_bidding(s, &point, &low, &high, room::now())
            .map(|id| Answer::redirect(g.at(&format!("biddings/{id}"))));
        at_form(rooms, s, g, "biddings", f, done)
    })
    .await
}

/// `POST /rooms/{room}/mediator/invitations` (`who`): a new token for a holder, shown once
/// on the answer (no redirect: the token is in no URL, and the page is not kept).
async fn reissue(
    State(app): State<App>,
    Path(room_id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    form_signed_in(app, room_id, headers, form, move |rooms, s, g, f| {
        let who = f.text("who");
        let k = rooms.skeleton(s)?;
        let done = rooms.reissue(s, &who, room::now()).map(|r| {
                let holder = if r.who == "mediator" {
                    "you, the mediator".to_string()
                } else {
                    format!("party {}", party_name(&k, &r.who))
                };
                let kept = if r.who == "mediator" {
                    ""
                } else if r.inputs_erased {
                    " The party had claimed its invitation: its inputs and sealed offers were erased (whoever holds the new invitation must not find them); it claims the new one with a secret of its own and enters them again."
                } else {
                    " The party had not claimed its invitation: nothing it entered was there to erase; it claims the new one with a secret of its own."
                };
                let mut b = format!(
                    "<h1>A new token</h1>\n<p>The new token of {}, shown this once: hand it over yourself, by a way only its holder reads.</p>\n<p><code data-token=\"{}\">{}</code></p>\n<p data-inputs-erased=\"{}\">The old token no longer signs in; {} ended.{kept}</p>\n",
                    esc(&holder),
                    esc(&r.who),
                    esc(r.token.expose()),
                    r.inputs_erased,
                    count(r.sessions_ended as usize, "session", "sessions")
                );
                let _ = writeln!(
                    b,
                    "<p><a href=\"{}\">{}</a>.</p>",
                    esc(&g.at(if r.who == "mediator" { "" } else { "mediator" })),
                    if r.who == "mediator" { "Sign in with it" } else { "The mediator's page" }
                );
                Answer::page(StatusCode::OK, "A new token", b)
        });
        at_form(rooms, s, g, "invitations", f, done)
    })
    .await
}

// ---- A bidding's page

/// A bidding's number from the path (404 when it is none).
fn bidding_number(id: &str) -> Result<i64, Refusal> {
    id.parse::<i64>().map_err(|_| {
        Refusal::new(StatusCode::NOT_FOUND, format!("no bidding {:?}", super::served::cut(id)))
    })
}

/// `GET /rooms/{room}/biddings/{id}`: a bidding as the viewer may see it.
async fn bidding_page(
    State(app): State<App>,
    Path((room_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let id = match bidding_number(&id) {
        Ok(id) => id,
        Err(r) => return refused(&room_id, &r),
    };
    signed_in(app, room_id, headers, None, move |rooms, s, g| {
        bidding_answer(rooms, s, g, id, "", "", StatusCode::OK)
    })
    .await
}

/// `POST /rooms/{room}/biddings/{id}` (`value`): a sealed offer; the bidding's page again.
async fn offer(
    State(app): State<App>,
    Path((room_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let id = match bidding_number(&id) {
        Ok(id) => id,
        Err(r) => return refused(&room_id, &r),
    };
    form_signed_in(app, room_id, headers, form, move |rooms, s, g, f| {
        let text = f.text("value");
        let value = match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => x,
            _ => {
                // Asked first, so that who may not offer is refused as such.
                rooms.bidding(s, id)?;
                let cut: String = text.chars().take(40).collect();
                let problem = format!("value: {cut:?} is not a number");
                return bidding_answer(rooms, s, g, id, &text, &problem, StatusCode::BAD_REQUEST);
            }
        };
        match rooms.offer(s, id, value, room::now()) {
            Ok(_) => Ok(Answer::redirect(g.at(&format!("biddings/{id}")))),
            Err(e) if matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::Conflict) => {
                let status = room::refusal(&e).status;
                bidding_answer(rooms, s, g, id, &text, e.message(), status)
            }
            Err(e) => Err(e),
        }
    })
    .await
}

fn bidding_answer(
    rooms: &mut Rooms,
    s: &Session,
    g: &Signed,
    id: i64,
    value: &str,
    problem: &str,
    status: StatusCode,
) -> Result<Answer, detente_room::Error> {
    let v = rooms.bidding(s, id)?;
    let k = rooms.skeleton(s)?;
    let sk = k.scenario();
    let issue = &sk.issues()[k.issue(&v.point)?];
    let mut b = g.bar(s, &k);
    let _ = writeln!(
        b,
        "<h1>Bidding {} on {}</h1>\n<p>{}: between {} (its offers rise: it wants the value low) and {} (its demands fall: it wants the value high).</p>",
        v.id,
        esc(&v.point),
        esc(&issue.name),
        esc(&party_name(&k, &v.low)),
        esc(&party_name(&k, &v.high))
    );
    let _ = writeln!(
        b,
        "<p class=\"state\" data-state=\"{}\" data-settlement=\"{}\"><strong>{}</strong>.</p>",
        if v.settlement.is_some() { "settled" } else { "not yet crossed" },
        v.settlement.map(detente_core::format_number).unwrap_or_default(),
        esc(&capitalised(&bidding_state(&k, &v)))
    );
    match s.role() {
        Role::Mediator => {
            let counts: Vec<String> = v
                .offer_counts
                .iter()
                .map(|(p, n)| {
                    format!("{} {}", party_name(&k, p), count(*n as usize, "offer", "offers"))
                })
                .collect();
            let _ = writeln!(
                b,
                "<p>Offers made: {}. Their amounts are sealed: you see them only as the settlement, once they cross.</p>\n<p><a href=\"{}\">The mediator's page</a>.</p>",
                esc(&if counts.is_empty() { "none yet".to_string() } else { and_list(&counts) }),
                esc(&g.at("mediator"))
            );
        }
        Role::Party(me) => {
            let low = *me == v.low;
            let offers: Vec<String> =
                v.own_offers.iter().map(|&x| detente_core::format_number(x)).collect();
            let _ = writeln!(
                b,
                "<p>Your offers, oldest first: <span data-own-offers=\"{}\">{}</span>. The other side's are sealed: until the offers cross you learn only that they have not.</p>",
                esc(&offers.join(",")),
                esc(&if offers.is_empty() { "none yet".to_string() } else { and_list(&offers) })
            );
            if v.settlement.is_none() {
                let (min, max, step, unit) = match &issue.kind {
                    detente_core::IssueKind::Scale { min, max, step, unit } => {
                        (*min, *max, *step, unit.as_str())
                    }
                    detente_core::IssueKind::Discrete { .. } => (0.0, 0.0, 0.0, ""),
                };
                let rule = if low {
                    "you want the value low: each offer is the most you will concede, and may not be lower than your last"
                } else {
                    "you want the value high: each offer is the least you will take, and may not be higher than your last"
                };
                if !problem.is_empty() {
                    let _ = writeln!(
                        b,
                        "<p class=\"error\" data-problem=\"value\">{}</p>",
                        esc(problem)
                    );
                }
                let fields = format!(
                    "<p><label for=\"value\">Your sealed offer</label> <input id=\"value\" name=\"value\" value=\"{}\" inputmode=\"decimal\" size=\"10\"> {} <button type=\"submit\">Offer</button></p><p class=\"note\">A point of the scale from {} to {} in steps of {}; {rule}.</p>",
                    esc(value),
                    esc(unit),
                    detente_core::format_number(min),
                    detente_core::format_number(max),
                    detente_core::format_number(step),
                );
                b.push_str(&g.form(&format!("biddings/{}", v.id), "offer", &fields));
                b.push('\n');
            }
            let _ = writeln!(b, "<p><a href=\"{}\">Your page</a>.</p>", esc(&g.at("party")));
        }
    }
    Ok(Answer::page(status, format!("Bidding {} on {}", v.id, v.point), b))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_from_another_site_is_told_apart() {
        let h = |pairs: &[(&str, &str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(
                    header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                );
            }
            m
        };
        assert!(!from_another_site(&h(&[("host", "127.0.0.1:7878")])));
        assert!(!from_another_site(&h(&[
            ("host", "127.0.0.1:7878"),
            ("origin", "http://127.0.0.1:7878")
        ])));
        assert!(from_another_site(&h(&[
            ("host", "127.0.0.1:7878"),
            ("origin", "https://evil.example")
        ])));
        assert!(from_another_site(&h(&[("host", "127.0.0.1:7878"), ("origin", "null")])));
    }
}
