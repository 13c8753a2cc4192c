//! Every computation of the server runs here: on tokio's blocking pool, at most [`WORKERS`]
//! at once, each within its command's work budget and under a wall-clock limit.
//!
//! Past [`TIME_LIMIT`] the request is answered at once, "not exact within budget" (503 with
//! the termination `time_limit`). The thread is not stopped (Rust cannot stop a thread): it
//! finishes the computation within that command's own work budget (every search has one),
//! the answer is dropped, and it holds its worker's permit until then, so runaway requests
//! cannot start more work than [`WORKERS`] threads; later requests wait for a permit within
//! their own time limit.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::BadInput;
use crate::load::LoadError;

/// The most computations run at once (and blocking threads started).
pub const WORKERS: usize = 2;

/// The wall-clock limit of one request's computation, waiting for a worker included.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// An answer that is not the report: its status and JSON body (`{"error": message}`).
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub body: Value,
}

impl Refusal {
    /// A refusal with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Refusal {
        Refusal { status, body: json!({ "error": message.into() }) }
    }

    /// The message.
    pub fn message(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }

    /// A command's error as the CLI would say it (without `detente: `): bad input (the
    /// CLI's exit 2) is 400 (404 for an unknown id in a page's path), anything else an
    /// internal error (500, the CLI's exit 1).
    pub fn from_error(err: &anyhow::Error) -> Refusal {
        if let Some(e) = err.downcast_ref::<super::pages::NotFound>() {
            return Refusal::new(StatusCode::NOT_FOUND, e.to_string());
        }
        let bad =
            err.downcast_ref::<BadInput>().is_some() || err.downcast_ref::<LoadError>().is_some();
        let status = if bad { StatusCode::BAD_REQUEST } else { StatusCode::INTERNAL_SERVER_ERROR };
        Refusal::new(status, format!("{err:#}"))
    }

    fn timed_out(limit: Duration) -> Refusal {
        Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({
                "error": format!(
                    "not exact within budget: the computation did not finish within the server's time limit of {} s",
                    limit.as_secs_f64()
                ),
                "exact": false,
                "termination": { "kind": "time_limit" },
            }),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body)
    }
}

/// A JSON answer: the bytes `--json` prints.
pub fn json_response(status: StatusCode, v: &Value) -> Response {
    json_text_response(status, crate::json::to_json(v))
}

/// A JSON answer already written as text (`Report::json_text`).
pub fn json_text_response(status: StatusCode, text: String) -> Response {
    let headers = [(axum::http::header::CONTENT_TYPE, "application/json")];
    (status, headers, text).into_response()
}

/// Runs `work` on a worker within `limit`.
pub async fn run<T: Send + 'static>(
    workers: &std::sync::Arc<tokio::sync::Semaphore>,
    limit: Duration,
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Refusal> {
    let workers = workers.clone();
    let job = async move {
        let permit = workers.acquire_owned().await.map_err(|e| anyhow::anyhow!(e))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| anyhow::anyhow!("the computation failed: {e}"))?
    };
    match tokio::time::timeout(limit, job).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Refusal::from_error(&e)),
        Err(_) => Err(Refusal::timed_out(limit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // the CLI's tests may read the clock
    fn a_computation_past_the_limit_is_answered_not_exact() {
        let workers = Arc::new(tokio::sync::Semaphore::new(1));
        let rt = runtime();
        let started = std::time::Instant::now();
        let r = rt.block_on(run(&workers, Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_millis(400));
            Ok(1)
        }));
        let e = r.unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(300), "answered at the limit");
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.body["termination"]["kind"], "time_limit");
        assert_eq!(e.body["exact"], false);
        assert!(e.message().starts_with("not exact within budget"), "{}", e.message());
        // The blocked worker keeps its permit until its computation ends: a second request
        // waits for it, within its own limit.
        let r = rt.block_on(run(&workers, Duration::from_millis(20), || Ok(2)));
        assert_eq!(r.unwrap_err().status, StatusCode::SERVICE_UNAVAILABLE);
        let r = rt.block_on(run(&workers, Duration::from_secs(5), || Ok(3)));
        assert_eq!(r.unwrap(), 3);
    }

    #[test]
    fn bad_input_is_400_and_other_errors_500() {
        let workers = Arc::new(tokio::sync::Semaphore::new(1));
        let rt = runtime();
        let bad: anyhow::Result<()> = Err(BadInput("unknown proposal \"x\"".into()).into());
        let e = rt.block_on(run(&workers, TIME_LIMIT, move || bad)).unwrap_err();
        assert_eq!((e.status, e.message()), (StatusCode::BAD_REQUEST, "unknown proposal \"x\""));
        let e = rt
            .block_on(run(&workers, TIME_LIMIT, || -> anyhow::Result<()> {
                Err(anyhow::anyhow!("broken"))
            }))
            .unwrap_err();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
