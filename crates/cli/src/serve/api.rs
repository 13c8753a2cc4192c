//! The routes: the JSON API (docs/api.md) and the pages. Each API handler finds the
//! scenario by name, reads its parameters, and returns the JSON of the report the matching
//! command builds (the bytes `--json` prints); errors are `{"error": message}` with the
//! message the CLI would print.

use std::sync::Arc;

use axum::Router;
use axum::body::HttpBody as _;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use detente_core::Scenario;

use super::guard::{self, Refusal};
use super::{App, MAX_BODY, pages};
use crate::printer::Report;
use crate::{BadInput, load};

/// Every route of the server.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/api/scenarios", get(list))
        .route("/api/scenarios/{name}/{question}", get(question))
        .merge(pages::routes())
        .merge(super::room::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(limit_body))
        .with_state(app)
}

/// Refuses a request whose body is larger than [`MAX_BODY`]: at once when its stated length
/// is, else (a body of unstated length, sent in chunks) once more than that has arrived,
/// whether or not the route reads bodies, so that no route takes one past the limit.
async fn limit_body(req: Request, next: Next) -> Response {
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than the {MAX_BODY} bytes the server takes"),
        )
        .into_response()
    };
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match length {
        Some(n) if n > MAX_BODY as u64 => too_large(),
        None if req.body().size_hint().exact() != Some(0) => {
            let (parts, body) = req.into_parts();
            match axum::body::to_bytes(body, MAX_BODY).await {
                Ok(bytes) => next.run(Request::from_parts(parts, bytes.into())).await,
                Err(_) => too_large(),
            }
        }
        _ => next.run(req).await,
    }
}

async fn not_found(req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") {
        let routes = "GET /api/scenarios, GET /api/scenarios/{name}/analyze, evaluate, compare, deadlock, mediate, frontier, forecast, simulate, tournament";
        Refusal::new(
            StatusCode::NOT_FOUND,
            format!(
                "no such route: {} (routes: {routes}; see docs/api.md)",
                super::served::cut(path)
            ),
        )
        .into_response()
    } else {
        pages::not_found(path)
    }
}

/// `GET /api/scenarios`: the scenarios served, as `detente scenarios --json` lists the
/// shipped ones.
async fn list(State(app): State<App>) -> Response {
    let rows = app.served.entries().iter().map(|e| (e.name.as_str(), e.file.as_str(), &*e.s));
    guard::json_response(
        StatusCode::OK,
        &crate::scenarios::listing(&app.served.default, rows).json(),
    )
}

/// The parameters of a request's query, each named once.
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Reads the query, refusing a malformed one, parameters the route does not take, and
    /// a parameter given twice.
    pub fn read(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
        takes: &[&str],
    ) -> Result<Params, Refusal> {
        let bad = |m: String| Refusal::new(StatusCode::BAD_REQUEST, m);
        let Query(pairs) = query.map_err(|e| bad(format!("the query cannot be read: {e}")))?;
        for (n, (key, _)) in pairs.iter().enumerate() {
            if !takes.contains(&key.as_str()) {
                let takes = if takes.is_empty() { "none".to_string() } else { takes.join(", ") };
                return Err(bad(format!(
                    "unknown parameter {:?} (this route takes: {takes})",
                    super::served::cut(key)
                )));
            }
            if pairs[..n].iter().any(|(k, _)| k == key) {
                return Err(bad(format!("parameter {key:?} is given twice")));
            }
        }
        Ok(Params(pairs))
    }

    /// The value of a parameter, if given.
    pub fn get(&self, key: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    /// The value of a parameter the question needs.
    fn need(&self, key: &str, question: &str) -> Result<String, Refusal> {
        self.get(key).ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("{question}: the parameter {key} is required (see docs/api.md)"),
            )
        })
    }
}

/// Comma-separated party ids (`parties=a,b`), as `--parties` reads them.
fn party_ids(v: Option<String>) -> Option<Vec<String>> {
    v.map(|v| v.split(',').map(str::to_string).collect())
}

/// A whole number parameter.
fn whole(key: &str, v: Option<String>) -> anyhow::Result<Option<usize>> {
    v.map(|v| {
        v.parse::<usize>().map_err(|_| {
            BadInput(format!(
                "{key}: invalid value {:?}: not a whole number",
                super::served::cut(&v)
            ))
            .into()
        })
    })
    .transpose()
}

/// `GET /api/scenarios/{name}/{question}`: a command's `--json` on a served scenario.
async fn question(
    State(app): State<App>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    match answer(app, path, query).await {
        Ok(text) => guard::json_text_response(StatusCode::OK, text),
        Err(r) => r.into_response(),
    }
}

/// The scenario a path names, or 404 with the names served.
pub fn scenario(app: &App, name: &str) -> Result<Arc<Scenario>, Refusal> {
    match app.served.get(name) {
        Some(e) => Ok(e.s.clone()),
        None => Err(Refusal::new(StatusCode::NOT_FOUND, app.served.unknown(name))),
    }
}

async fn answer(
    app: App,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<String, Refusal> {
    let Path((name, q)) =
        path.map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, format!("bad path: {e}")))?;
    let s = scenario(&app, &name)?;
    let takes: &[&str] = match q.as_str() {
        "analyze" => &[],
        "evaluate" => &["proposal"],
        "compare" => &["from", "to"],
        "deadlock" => &["parties"],
        "mediate" => &["from", "max_changes", "parties"],
        "frontier" => &["parties"],
        "forecast" => super::play::FORECAST_TAKES,
        "simulate" => super::play::SIMULATE_TAKES,
        "tournament" => super::play::TOURNAMENT_TAKES,
        _ => {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                format!(
                    "no such question {:?} (questions: analyze, evaluate, compare, deadlock, mediate, frontier, forecast, simulate, tournament)",
                    super::served::cut(&q)
                ),
            ));
        }
    };
    let p = Params::read(query, takes)?;
    // Required parameters are checked before any work; everything else, as the command does.
    let (from, to) = match q.as_str() {
        "compare" => (Some(p.need("from", "compare")?), Some(p.need("to", "compare")?)),
        "mediate" => (Some(p.need("from", "mediate")?), None),
        "simulate" | "tournament" => (Some(p.need("negotiators", &q)?), None),
        _ => (None, None),
    };
    // The text as the command's printer writes it: a report with large lists (a frontier's
    // points) writes them one by one, never as a JSON value a point.
    let work = move || -> anyhow::Result<String> {
        let s = &*s;
        Ok(match q.as_str() {
            "analyze" => {
                crate::analyze::analyze(s, crate::analyze::DEFAULT_SAMPLES, 0)?.json_text()
            }
            "evaluate" => {
                let proposals = match p.get("proposal") {
                    Some(id) => vec![load::proposal(s, &id)?],
                    None => (0..s.proposals().len()).collect(),
                };
                if proposals.is_empty() {
                    let name = &s.meta().name;
                    return Err(BadInput(format!("{name}: the scenario has no proposals")).into());
                }
                crate::evaluate::evaluate(s, &proposals)?.json_text()
            }
            "compare" => {
                let a = load::proposal(s, from.as_deref().unwrap_or_default())?;
                let b = load::proposal(s, to.as_deref().unwrap_or_default())?;
                crate::compare::compare(s, a, b)?.json_text()
            }
            "deadlock" => {
                let parties = load::parties(s, party_ids(p.get("parties")).as_deref())?;
                crate::deadlock::deadlock(s, Some(parties), None)?.json_text()
            }
            "forecast" => super::play::forecast(s, &|k| p.get(k))?.report().json_text(),
            "simulate" => {
                super::play::simulate(s, &|k| p.get(k), crate::sim::TraceArg::Summary)?.json_text()
            }
            "tournament" => {
                let part = |s, args: &crate::sim::TournamentArgs<'_>| {
                    crate::sim::tournament(s, args, None)
                };
                super::play::tournament(s, &|k| p.get(k), part)?.json_text()
            }
            "mediate" => {
                let from = load::proposal(s, from.as_deref().unwrap_or_default())?;
                let parties = load::parties(s, party_ids(p.get("parties")).as_deref())?;
                let flags = crate::mediate::Flags {
                    max_changes: whole("max_changes", p.get("max_changes"))?,
                    ..Default::default()
                };
                let procedure = crate::mediate::Procedure::Search;
                crate::mediate::run(s, from, parties, procedure, &flags)?.json_text()
            }
            _ => {
                let parties = load::parties(s, party_ids(p.get("parties")).as_deref())?;
                let args = crate::bargain::FrontierArgs {
                    max_points: None,
                    sample: None,
                    seed: 0,
                    all: false,
                    plot: None,
                    parties,
                    ignore_red_lines: false,
                    power: None,
                };
                crate::bargain::frontier(s, &args)?.json_text()
            }
        })
    };
    guard::run(&app.workers, guard::TIME_LIMIT, work).await
}
