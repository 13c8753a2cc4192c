//! `detente._detente`: the native half of the Python package `detente` (the Python half,
//! `python/detente/__init__.py`, gives the documented API on top of it).
//!
//! Every function here takes a loaded scenario (`Scenario`, an opaque handle) and the
//! command's options, calls `detente_cli::api` (the very functions behind the CLI's
//! `--json`) and returns the JSON text, which the Python half reads with `json.loads`: an
//! answer from Python is the CLI's, byte for byte before parsing.
//!
//! Nothing panics across the boundary: each call runs on a worker thread under
//! `catch_unwind`, and a panic (a bug) becomes `detente.InternalError`. The caller's thread
//! waits without the GIL, and checks for signals every 50 ms, so Ctrl-C raises
//! `KeyboardInterrupt` at once; the abandoned computation finishes on its worker thread
//! within its command's work budget, its answer dropped (no search has a cancellation hook
//! yet).

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use detente_cli::api::{self, ErrorKind, WhatIf};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _detente,
    DetenteError,
    PyException,
    "Every error detente raises: the message is the CLI's (a file's problems located as `file:line:column: field: message`, one a line)."
);
create_exception!(
    _detente,
    ScenarioError,
    DetenteError,
    "A file is not a valid scenario or domain: every problem, located, one a line."
);
create_exception!(
    _detente,
    InputError,
    DetenteError,
    "Bad input other than a file's content: an unknown name or id, an option out of range, a file that cannot be read or written (exit 2 in the CLI)."
);
create_exception!(
    _detente,
    InternalError,
    DetenteError,
    "A bug in detente (exit 1 in the CLI), a panic among them: please report it."
);

fn to_py(e: api::Error) -> PyErr {
    match e.kind {
        ErrorKind::Invalid => ScenarioError::new_err(e.message),
        ErrorKind::BadInput => InputError::new_err(e.message),
        ErrorKind::Internal => InternalError::new_err(e.message),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    format!("internal error (a bug in detente; please report it): {what}")
}

/// How often the waiting thread checks for Ctrl-C.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Runs `work` on a worker thread, the GIL released, a panic caught; Ctrl-C (any signal
/// handler that raises) ends the wait.
fn run<T: Send + 'static>(
    py: Python<'_>,
    work: impl FnOnce() -> api::Result<T> + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("detente".to_string())
        .spawn(move || {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(work)));
        })
        .map_err(|e| InternalError::new_err(format!("cannot start a worker thread: {e}")))?;
    let mut rx = rx;
    loop {
        // The receiver goes into the GIL-free closure and back (it is Send, not Sync).
        let (back, received) = py.detach(move || {
            let received = rx.recv_timeout(SIGNAL_CHECK);
            (rx, received)
        });
        rx = back;
        match received {
            Ok(Ok(result)) => return result.map_err(to_py),
            Ok(Err(panic)) => return Err(InternalError::new_err(panic_message(&*panic))),
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(InternalError::new_err("the worker thread ended without an answer"));
            }
        }
    }
}

/// A loaded scenario (opaque; the Python class `detente.Scenario` wraps it).
#[pyclass(module = "detente._detente", frozen)]
struct Scenario {
    inner: Arc<api::Scenario>,
    /// How messages name it: the path or shipped name it was loaded from, or `<dict>`.
    name: String,
}

#[pymethods]
impl Scenario {
    /// How messages name the scenario (its path, shipped name, or `<dict>`).
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    fn __repr__(&self) -> String {
        format!("<detente scenario {:?}>", self.name)
    }
}

fn loaded(
    py: Python<'_>,
    name: String,
    how: fn(&str) -> api::Result<api::Scenario>,
) -> PyResult<Scenario> {
    let arg = name.clone();
    let s = run(py, move || how(&arg))?;
    Ok(Scenario { inner: Arc::new(s), name })
}

/// A scenario file, a shipped scenario's name, a GENIUS domain folder or a NegMAS JSON
/// domain, as the CLI resolves them.
#[pyfunction]
fn load(py: Python<'_>, path_or_name: String) -> PyResult<Scenario> {
    loaded(py, path_or_name, api::load)
}

/// A NegMAS plain JSON domain.
#[pyfunction]
fn negmas_json(py: Python<'_>, path: String) -> PyResult<Scenario> {
    loaded(py, path, api::negmas_json)
}

/// A GENIUS domain folder.
#[pyfunction]
fn genius(py: Python<'_>, dir: String) -> PyResult<Scenario> {
    loaded(py, dir, api::genius)
}

/// A scenario from the JSON text of the file format (problems located in `name`).
#[pyfunction]
fn parse_json(py: Python<'_>, name: String, text: String) -> PyResult<Scenario> {
    let arg = name.clone();
    let s = run(py, move || api::parse_json(&arg, &text))?;
    Ok(Scenario { inner: Arc::new(s), name })
}

/// The scenario in the file format's JSON text.
#[pyfunction]
fn to_json(py: Python<'_>, scenario: &Scenario) -> PyResult<String> {
    let s = scenario.inner.clone();
    run(py, move || Ok(api::to_json(&s)))
}

/// The shipped scenarios (`detente scenarios --json`).
#[pyfunction]
fn scenarios(py: Python<'_>) -> PyResult<String> {
    run(py, api::scenarios)
}

fn what_if(set: Option<Vec<String>>, as_of: Option<String>) -> WhatIf {
    WhatIf { set: set.unwrap_or_default(), as_of }
}

/// `detente analyze --json`.
#[pyfunction]
#[pyo3(signature = (scenario, samples, seed, set=None, as_of=None))]
fn analyze(
    py: Python<'_>,
    scenario: &Scenario,
    samples: u64,
    seed: u64,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    run(py, move || api::analyze(&s, &w, samples, seed))
}

/// `detente evaluate --json`.
#[pyfunction]
#[pyo3(signature = (scenario, proposal=None, set=None, as_of=None))]
fn evaluate(
    py: Python<'_>,
    scenario: &Scenario,
    proposal: Option<String>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w, name) = (scenario.inner.clone(), what_if(set, as_of), scenario.name.clone());
    run(py, move || api::evaluate(&s, &w, &name, proposal.as_deref()))
}

/// The gap on a proposal (default: the latest), as `analyze --json` has it under `gap`.
#[pyfunction]
#[pyo3(signature = (scenario, proposal=None, set=None, as_of=None))]
fn gap(
    py: Python<'_>,
    scenario: &Scenario,
    proposal: Option<String>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    run(py, move || api::gap(&s, &w, proposal.as_deref()))
}

/// `detente compare A B --json`.
#[pyfunction]
#[pyo3(signature = (scenario, a, b, set=None, as_of=None))]
fn compare(
    py: Python<'_>,
    scenario: &Scenario,
    a: String,
    b: String,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    run(py, move || api::compare(&s, &w, &a, &b))
}

/// `detente deadlock --json`.
#[pyfunction]
#[pyo3(signature = (scenario, parties=None, budget=None, set=None, as_of=None))]
fn deadlock(
    py: Python<'_>,
    scenario: &Scenario,
    parties: Option<Vec<String>>,
    budget: Option<u64>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    run(py, move || api::deadlock(&s, &w, parties.as_deref(), budget))
}

/// `detente mediate --from FROM --json`.
#[pyfunction]
#[pyo3(signature = (scenario, from_, parties=None, procedure=None, objective=None,
    max_changes=None, top=None, budget=None, max_rounds=None, min_probability=None,
    samples=None, seed=None, power=None, set=None, as_of=None))]
#[allow(clippy::too_many_arguments)]
fn mediate(
    py: Python<'_>,
    scenario: &Scenario,
    from_: String,
    parties: Option<Vec<String>>,
    procedure: Option<String>,
    objective: Option<String>,
    max_changes: Option<usize>,
    top: Option<usize>,
    budget: Option<u64>,
    max_rounds: Option<usize>,
    min_probability: Option<f64>,
    samples: Option<u64>,
    seed: Option<u64>,
    power: Option<String>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    let o = api::Mediate {
        parties,
        procedure,
        objective,
        max_changes,
        top,
        budget,
        max_rounds,
        min_probability,
        samples,
        seed,
        power,
    };
    run(py, move || api::mediate(&s, &w, &from_, &o))
}

/// `detente frontier --json`.
#[pyfunction]
#[pyo3(signature = (scenario, parties=None, max_points=None, sample=None, all=false,
    ignore_red_lines=false, power=None, set=None, as_of=None, seed=None))]
#[allow(clippy::too_many_arguments)]
fn frontier(
    py: Python<'_>,
    scenario: &Scenario,
    parties: Option<Vec<String>>,
    max_points: Option<u64>,
    sample: Option<u64>,
    all: bool,
    ignore_red_lines: bool,
    power: Option<String>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
    seed: Option<u64>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    let o = api::Frontier { parties, max_points, sample, seed, all, ignore_red_lines, power };
    run(py, move || api::frontier(&s, &w, &o))
}

/// `detente forecast --json`.
#[pyfunction]
#[pyo3(signature = (scenario, model=None, stochastic=false, seed=None, max_rounds=None,
    max_work=None, parties=None, set=None, as_of=None))]
#[allow(clippy::too_many_arguments)]
fn forecast(
    py: Python<'_>,
    scenario: &Scenario,
    model: Option<String>,
    stochastic: bool,
    seed: Option<u64>,
    max_rounds: Option<usize>,
    max_work: Option<u64>,
    parties: Option<Vec<String>>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w, name) = (scenario.inner.clone(), what_if(set, as_of), scenario.name.clone());
    let o = api::Forecast { model, stochastic, seed, max_rounds, max_work, parties };
    run(py, move || api::forecast(&s, &w, &name, &o))
}

/// `detente simulate --json`.
#[pyfunction]
#[pyo3(signature = (scenario, negotiators, parties=None, mechanism=None, steps=None,
    time_limit=None, seed=0, trace=None, set=None, as_of=None))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    scenario: &Scenario,
    negotiators: Vec<String>,
    parties: Option<Vec<String>>,
    mechanism: Option<String>,
    steps: Option<u32>,
    time_limit: Option<f64>,
    seed: u64,
    trace: Option<String>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    let o = api::Simulate { negotiators, parties, mechanism, steps, time_limit, seed, trace };
    run(py, move || api::simulate(&s, &w, &o))
}

/// Each party's utility as tables (`api::utility_tables`), for `detente.negmas.to_negmas`.
#[pyfunction]
fn utility_tables(py: Python<'_>, scenario: &Scenario) -> PyResult<String> {
    let s = scenario.inner.clone();
    run(py, move || Ok(api::utility_tables(&s)))
}

/// A built-in negotiator playing one party, move by move (`api::Player`): what
/// `detente.negmas.DetenteNegotiator` asks inside NegMAS's SAO mechanism. Each move takes
/// microseconds, so it runs on the caller's thread, holding the GIL, a panic caught.
#[pyclass(module = "detente._detente", frozen)]
struct Player {
    inner: std::sync::Mutex<api::Player>,
}

impl Player {
    fn call<T>(&self, f: impl FnOnce(&mut api::Player) -> api::Result<T>) -> PyResult<T> {
        let mut player = self
            .inner
            .lock()
            .map_err(|_| InternalError::new_err("the negotiator failed in an earlier move"))?;
        match catch_unwind(AssertUnwindSafe(|| f(&mut player))) {
            Ok(result) => result.map_err(to_py),
            Err(panic) => Err(InternalError::new_err(panic_message(&*panic))),
        }
    }
}

#[pymethods]
impl Player {
    /// A built-in negotiator (`negotiator`, as `simulate` names them) for party `party` (its
    /// id) of `scenario`, its generator seeded by `seed` as a session's is.
    #[new]
    #[pyo3(signature = (scenario, party, negotiator, seed=0))]
    fn new(
        py: Python<'_>,
        scenario: &Scenario,
        party: String,
        negotiator: String,
        seed: u64,
    ) -> PyResult<Player> {
        let s = scenario.inner.clone();
        let p = run(py, move || api::player(&s, &party, &negotiator, seed))?;
        Ok(Player { inner: std::sync::Mutex::new(p) })
    }

    /// The number of outcomes (indices run from 0).
    #[getter]
    fn n_outcomes(&self) -> PyResult<u64> {
        self.call(|p| Ok(p.n_outcomes()))
    }

    /// The offer (an outcome index) at `step` and `relative_time`, or `None` to end.
    #[pyo3(signature = (step, relative_time, n_steps=None))]
    fn propose(
        &self,
        step: u32,
        relative_time: f64,
        n_steps: Option<u32>,
    ) -> PyResult<Option<u64>> {
        let at = api::Moment { step, relative_time, n_steps };
        self.call(|p| p.propose(at))
    }

    /// The answer to outcome `offer`: `"accept"`, `"reject"` or `"end"`.
    #[pyo3(signature = (offer, step, relative_time, n_steps=None))]
    fn respond(
        &self,
        offer: u64,
        step: u32,
        relative_time: f64,
        n_steps: Option<u32>,
    ) -> PyResult<&'static str> {
        let at = api::Moment { step, relative_time, n_steps };
        self.call(|p| p.respond(offer, at))
    }
}

/// `detente tournament --json` over loaded scenarios.
#[pyfunction]
#[pyo3(signature = (scenarios, negotiators, parties=None, mechanism=None, steps=None,
    time_limit=None, repetitions=None, seed=0, threads=0, shard=None, out=None, csv=None))]
#[allow(clippy::too_many_arguments)]
fn tournament(
    py: Python<'_>,
    scenarios: Vec<PyRef<'_, Scenario>>,
    negotiators: Vec<String>,
    parties: Option<Vec<String>>,
    mechanism: Option<String>,
    steps: Option<u32>,
    time_limit: Option<f64>,
    repetitions: Option<u32>,
    seed: u64,
    threads: usize,
    shard: Option<String>,
    out: Option<PathBuf>,
    csv: Option<PathBuf>,
) -> PyResult<String> {
    let loaded: Vec<Arc<api::Scenario>> = scenarios.iter().map(|s| s.inner.clone()).collect();
    let o = api::Tournament {
        negotiators,
        parties,
        mechanism,
        steps,
        time_limit,
        repetitions,
        seed,
        threads,
        shard,
        out,
        csv,
    };
    run(py, move || {
        let owned = loaded.iter().map(|s| api::Scenario::clone(s)).collect();
        api::tournament(owned, &o)
    })
}

/// `detente tournament merge PART... --json`.
#[pyfunction]
#[pyo3(signature = (parts, partial=false, out=None))]
fn tournament_merge(
    py: Python<'_>,
    parts: Vec<String>,
    partial: bool,
    out: Option<PathBuf>,
) -> PyResult<String> {
    run(py, move || api::tournament_merge(&parts, partial, out.as_ref()))
}

/// `detente robust --json`.
#[pyfunction]
#[pyo3(signature = (scenario, proposal=None, samples=None, seed=0, parties=None, budget=None,
    threads=0, shard=None, set=None, as_of=None))]
#[allow(clippy::too_many_arguments)]
fn robust(
    py: Python<'_>,
    scenario: &Scenario,
    proposal: Option<String>,
    samples: Option<u64>,
    seed: u64,
    parties: Option<Vec<String>>,
    budget: Option<u64>,
    threads: usize,
    shard: Option<String>,
    set: Option<Vec<String>>,
    as_of: Option<String>,
) -> PyResult<String> {
    let (s, w) = (scenario.inner.clone(), what_if(set, as_of));
    let o = api::Robust { proposal, samples, seed, parties, budget, threads, shard };
    run(py, move || api::robust(&s, &w, &o))
}

/// `detente robust merge PART... --json`.
#[pyfunction]
fn robust_merge(py: Python<'_>, parts: Vec<String>) -> PyResult<String> {
    run(py, move || api::robust_merge(&parts))
}

/// A panic on purpose, to test that none crosses the boundary (it becomes InternalError).
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<String> {
    run(py, || -> api::Result<String> { panic!("a panic on purpose") })
}

/// Sleeps on the worker thread, to test that Ctrl-C ends the wait.
#[pyfunction]
fn _sleep_for_test(py: Python<'_>, seconds: f64) -> PyResult<()> {
    run(py, move || {
        std::thread::sleep(Duration::from_secs_f64(seconds));
        Ok(())
    })
}

/// The native module.
#[pymodule]
fn _detente(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("DetenteError", py.get_type::<DetenteError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_class::<Scenario>()?;
    m.add_class::<Player>()?;
    m.add_function(wrap_pyfunction!(utility_tables, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(negmas_json, m)?)?;
    m.add_function(wrap_pyfunction!(genius, m)?)?;
    m.add_function(wrap_pyfunction!(parse_json, m)?)?;
    m.add_function(wrap_pyfunction!(to_json, m)?)?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(gap, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(deadlock, m)?)?;
    m.add_function(wrap_pyfunction!(mediate, m)?)?;
    m.add_function(wrap_pyfunction!(frontier, m)?)?;
    m.add_function(wrap_pyfunction!(forecast, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(tournament, m)?)?;
    m.add_function(wrap_pyfunction!(tournament_merge, m)?)?;
    m.add_function(wrap_pyfunction!(robust, m)?)?;
    m.add_function(wrap_pyfunction!(robust_merge, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_sleep_for_test, m)?)?;
    Ok(())
}
