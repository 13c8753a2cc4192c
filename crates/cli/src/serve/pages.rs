//! The pages: plain HTML rendered here with the CLI's words (the same functions print the
//! tables), inline SVG for the bars, and the embedded assets (no file is read at run time,
//! nothing is fetched from elsewhere).

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::guard::{self, Refusal};
use super::{App, api, render};

/// The one stylesheet (the report inlines it).
pub const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");

/// The routes of the pages and their assets.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(index))
        .route("/scenarios/{name}", get(overview))
        .route("/scenarios/{name}/proposals/{id}", get(proposal))
        .route("/assets/style.css", get(|| async { asset("text/css", STYLE) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript", SCRIPT) }))
}

fn asset(kind: &'static str, text: &'static str) -> Response {
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
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · detente</title><link rel=\"stylesheet\" href=\"/assets/style.css\">\
<script src=\"/assets/app.js\" defer></script></head>\n<body>\
<header><a href=\"/\">detente</a></header>\n<main>\n{body}</main></body></html>\n",
        esc(title)
    )
}

async fn index(State(app): State<App>) -> Html<String> {
    let mut body = String::from("<h1>Scenarios</h1>\n<ul class=\"scenarios\">\n");
    for e in app.served.entries() {
        let s = &e.s;
        body.push_str(&format!(
            "<li><a href=\"/scenarios/{}\">{}</a>: {} ({}, {}, {})</li>\n",
            seg(&e.name),
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

/// A page computed on a worker within the time limit.
async fn computed(
    app: &App,
    work: impl FnOnce() -> anyhow::Result<(String, String)> + Send + 'static,
) -> Response {
    match guard::run(&app.workers, guard::TIME_LIMIT, work).await {
        Ok((title, body)) => Html(page(&title, &body)).into_response(),
        Err(r) => refused(&r),
    }
}

/// Page 1, "Overview": `/scenarios/{name}`.
async fn overview(State(app): State<App>, path: Result<Path<String>, PathRejection>) -> Response {
    let Ok(Path(name)) = path else { return not_found("the path") };
    let s = match api::scenario(&app, &name) {
        Ok(s) => s,
        Err(r) => return refused(&r),
    };
    computed(&app, move || render::overview(&name, &s)).await
}

/// Page 2, "A proposal": `/scenarios/{name}/proposals/{id}`.
async fn proposal(
    State(app): State<App>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((name, id))) = path else { return not_found("the path") };
    let s = match api::scenario(&app, &name) {
        Ok(s) => s,
        Err(r) => return refused(&r),
    };
    let j = match crate::load::proposal(&s, &id) {
        Ok(j) => j,
        Err(e) => return refused(&Refusal::new(StatusCode::NOT_FOUND, e.0)),
    };
    computed(&app, move || render::proposal(&name, &s, j)).await
}

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
