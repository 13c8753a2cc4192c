//! The pages: plain HTML rendered here with the CLI's words (the same functions print the
//! tables), inline SVG for the bars, and the embedded assets (no file is read at run time,
//! nothing is fetched from elsewhere).

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::guard::{self, Refusal};
use detente_core::Scenario;

use super::view::{self, View, Viewed};
use super::{App, api, play, render, tools};

/// The one stylesheet (the report inlines it).
pub const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");

/// The routes of the pages and their assets.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(index))
        .route("/scenarios/{name}", get(overview))
        .route("/scenarios/{name}/proposals/{id}", get(proposal))
        .route("/scenarios/{name}/compare", get(compare))
        .route("/scenarios/{name}/mediate", get(mediate))
        .route("/scenarios/{name}/what-if", get(what_if))
        .route("/scenarios/{name}/frontier", get(frontier))
        .route("/scenarios/{name}/forecast", get(forecast))
        .route("/scenarios/{name}/simulate", get(simulate))
        .route("/scenarios/{name}/tournament", get(tournament))
        .route("/scenarios/{name}/scenario.toml", get(save_as))
        .route("/assets/style.css", get(|| async { asset("text/css", STYLE) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript", SCRIPT) }))
}

/// An embedded asset, with its type.
pub fn asset(kind: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-cache")], text).into_response()
}

/// Text made safe for HTML (element content and quoted attributes).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A path segment made safe for a URL (percent-encoding all but unreserved characters).
pub fn seg(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A whole page around `body`.
pub fn page(title: &str, body: &str) -> String {
    page_with(title, "", body)
}

/// A whole page around `body`, with more in its head (a page's own stylesheet).
pub fn page_with(title: &str, head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · detente</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/assets/style.css\">{head}\
<script src=\"/assets/app.js\" defer></script></head>\n<body>\
<header><a href=\"/\">detente</a></header>\n<main>\n{body}</main></body></html>\n",
        esc(title)
    )
}

async fn index(State(app): State<App>) -> Html<String> {
    let mut body = String::from("<h1>Scenarios</h1>\n<ul class=\"scenarios\">\n");
    for e in app.served.entries() {
        let s = &e.s;
        let at = seg(&e.name);
        body.push_str(&format!(
            "<li><a href=\"/scenarios/{at}\">{}</a>: {} ({}, {}, {}); <a href=\"/scenarios/{at}/forecast\">forecast</a>, <a href=\"/scenarios/{at}/simulate\">simulate</a>, <a href=\"/scenarios/{at}/tournament\">tournament</a></li>\n",
            esc(&e.name),
            esc(&s.meta().title),
            detente_words::count(s.parties().len(), "party", "parties"),
            detente_words::count(s.issues().len(), "point", "points"),
            detente_words::count(s.proposals().len(), "proposal", "proposals"),
        ));
    }
    body.push_str("</ul>\n");
    Html(page("Scenarios", &body))
}

/// A page's refusal: its status and the message in a page.
fn refused(r: &Refusal) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/\">The scenarios served</a>.</p>\n",
        r.status.canonical_reason().unwrap_or("Error"),
        esc(r.message())
    );
    (r.status, Html(page("Error", &body))).into_response()
}

/// The query of a page request.
type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// A page of scenario `name` in the view its query gives, with the page's own parameters
/// `takes`: the view is applied and `body` renders on a worker within the time limit; the
/// navigation and what the view changes are put above. `current`: the page's path after
/// `/scenarios/{name}` (`None` for a proposal's page). Bad input is a 400 page with the
/// CLI's message, an unknown scenario a 404 page.
async fn show(
    app: &App,
    name: Option<String>,
    query: Pairs,
    takes: &[&str],
    current: Option<&'static str>,
    body: impl FnOnce(&str, &Scenario, &Viewed, &view::Query) -> anyhow::Result<(String, String)>
    + Send
    + 'static,
) -> Response {
    let Some(name) = name else { return not_found("the path") };
    let s = match api::scenario(app, &name) {
        Ok(s) => s,
        Err(r) => return refused(&r),
    };
    // What the file's as_of left out as later, said above every page of the scenario.
    let later = app
        .served
        .get(&name)
        .and_then(|e| e.later.as_ref())
        .map(render::left_out)
        .unwrap_or_default();
    let q = match query {
        Ok(Query(pairs)) => view::Query::read(pairs, takes),
        Err(e) => {
            Err(Refusal::new(StatusCode::BAD_REQUEST, format!("the query cannot be read: {e}")))
        }
    };
    let q = match q {
        Ok(q) => q,
        Err(r) => return refused(&r),
    };
    let work = move || -> anyhow::Result<(StatusCode, String, String)> {
        let viewed = match q.view.apply(&s) {
            Ok(v) => v,
            // On the what-if page a refused edit is said above its forms, to be fixed.
            Err(e) if current == Some("/what-if") => {
                let plain = View::default();
                let b = tools::what_if_refused(&name, &s, &q.view, &e.0);
                let top = render::nav(&name, &plain, current);
                return Ok((StatusCode::BAD_REQUEST, "What-if".into(), format!("{top}{later}{b}")));
            }
            Err(e) => return Err(e.into()),
        };
        let (title, b) = body(&name, &s, &viewed, &q)?;
        let revision = viewed.revision.map(|r| viewed.s.proposals()[r].id.as_str());
        let top = format!(
            "{}{later}{}",
            render::nav(&name, &q.view, current),
            render::view_banner(&name, &q.view, viewed.what_if.as_deref(), revision)
        );
        Ok((StatusCode::OK, title, format!("{top}{b}")))
    };
    match guard::run(&app.workers, guard::TIME_LIMIT, work).await {
        Ok((status, title, body)) => (status, Html(page(&title, &body))).into_response(),
        Err(r) => refused(&r),
    }
}

/// The scenario name of a page's path (`None` when the path cannot be read).
fn one(path: Result<Path<String>, PathRejection>) -> Option<String> {
    path.ok().map(|Path(name)| name)
}

/// Page 1, "Overview": `/scenarios/{name}`.
async fn overview(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    show(&app, one(path), query, &[], Some(""), |name, _, v, q| {
        render::overview(name, &v.s, &q.view)
    })
    .await
}

/// Page 2, "A proposal": `/scenarios/{name}/proposals/{id}`.
async fn proposal(
    State(app): State<App>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Pairs,
) -> Response {
    let (name, id) = match path {
        Ok(Path(p)) => (Some(p.0), p.1),
        Err(_) => (None, String::new()),
    };
    show(&app, name, query, &[], None, move |name, _, v, q| {
        let j = crate::load::proposal(&v.s, &id).map_err(NotFound)?;
        render::proposal(name, &v.s, &q.view, j)
    })
    .await
}

/// Page 3, "Compare": `/scenarios/{name}/compare[?from=A&to=B]`.
async fn compare(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    show(&app, one(path), query, &["from", "to"], Some("/compare"), |name, _, v, q| {
        tools::compare(name, v, &q.view, q.get("from"), q.get("to"))
    })
    .await
}

/// Page 4, "Mediate": `/scenarios/{name}/mediate[?from=ID&max_changes=K]`.
async fn mediate(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    show(&app, one(path), query, &["from", "max_changes"], Some("/mediate"), |name, _, v, q| {
        tools::mediate(name, v, &q.view, q.get("from"), q.get("max_changes"))
    })
    .await
}

/// Page 5, "What-if": `/scenarios/{name}/what-if[?set=PATH=VALUE...]`.
async fn what_if(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    // The forms' fields become `set`s, so that the URL and the links carry the edits alike.
    let query = query.map(|Query(pairs)| Query(tools::compose(pairs)));
    show(&app, one(path), query, &[], Some("/what-if"), |name, served, v, q| {
        tools::what_if(name, served, v, &q.view)
    })
    .await
}

/// Page 6, "Frontier": `/scenarios/{name}/frontier[?parties=a,b&ignore_red_lines=yes]`.
async fn frontier(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    show(
        &app,
        one(path),
        query,
        &["parties", "ignore_red_lines"],
        Some("/frontier"),
        |name, _, v, q| {
            tools::frontier(name, v, &q.view, q.get("parties"), q.get("ignore_red_lines"))
        },
    )
    .await
}

/// Page 7, "Forecast": `/scenarios/{name}/forecast[?model=M&stochastic=yes&seed=N&max_rounds=R&parties=a,b]`.
async fn forecast(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    show(&app, one(path), query, play::FORECAST_TAKES, Some("/forecast"), |name, _, v, q| {
        play::forecast_page(name, v, &q.view, q)
    })
    .await
}

/// Page 7, "Simulate": `/scenarios/{name}/simulate[?negotiators=a,b&mechanism=M&steps=N&seed=S&parties=a,b]`.
async fn simulate(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    show(&app, one(path), query, play::SIMULATE_PAGE_TAKES, Some("/simulate"), |name, _, v, q| {
        play::simulate_page(name, v, &q.view, q)
    })
    .await
}

/// Page 7, "Tournament": `/scenarios/{name}/tournament[?negotiators=a,b&mechanism=M&steps=N&repetitions=R&seed=S&parties=a,b]`.
async fn tournament(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    show(&app, one(path), query, play::TOURNAMENT_TAKES, Some("/tournament"), |name, _, v, q| {
        play::tournament_page(name, v, &q.view, q)
    })
    .await
}

/// "Save as": the scenario in this view as a TOML file to download (the server writes
/// nothing): `/scenarios/{name}/scenario.toml?set=...`.
async fn save_as(
    State(app): State<App>,
    path: Result<Path<String>, PathRejection>,
    query: Pairs,
) -> Response {
    let Some(name) = one(path) else { return not_found("the path") };
    let s = match api::scenario(&app, &name) {
        Ok(s) => s,
        Err(r) => return refused(&r),
    };
    let q = match query.map_err(|e| {
        Refusal::new(StatusCode::BAD_REQUEST, format!("the query cannot be read: {e}"))
    }) {
        Ok(Query(pairs)) => view::Query::read(pairs, &[]),
        Err(r) => Err(r),
    };
    let q = match q {
        Ok(q) => q,
        Err(r) => return refused(&r),
    };
    let file = format!("{}{}.toml", seg(&name), if q.view.is_plain() { "" } else { "-edited" });
    let work =
        move || -> anyhow::Result<String> { Ok(detente_scenario::to_toml(&q.view.apply(&s)?.s)) };
    match guard::run(&app.workers, guard::TIME_LIMIT, work).await {
        Ok(toml) => (
            [
                (header::CONTENT_TYPE, "application/toml".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            ],
            toml,
        )
            .into_response(),
        Err(r) => refused(&r),
    }
}

/// An unknown id in a page's path: a 404 page with the CLI's message.
#[derive(Debug)]
pub struct NotFound(pub crate::BadInput);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.0)
    }
}

impl std::error::Error for NotFound {}

/// A page's 404.
pub fn not_found(path: &str) -> Response {
    let body = format!(
        "<h1>Not found</h1>\n<p>No page at {}. <a href=\"/\">The scenarios served</a>.</p>\n",
        esc(&super::served::cut(path))
    );
    (StatusCode::NOT_FOUND, Html(page("Not found", &body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_segments_are_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(seg("a b/../ü"), "a%20b%2F..%2F%C3%BC");
    }
}
