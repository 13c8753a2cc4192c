//! Forecasts scored against real outcomes: every issue of a DEU file ([`crate::parse_deu`]) is
//! forecast by each model from the actors' positions, saliences and capabilities, and the
//! forecasts are compared with the recorded outcomes (mean absolute error, root mean square
//! error, share within 10 points).
//!
//! Each issue is one 0-100 dimension with the actors that took a position on it. A salience
//! of 0 or an empty one counts as 1 (in DEU, 0 often means "not recorded"; the baselines of
//! `../shared/peers/deu/README.md` use the same rule). Capabilities are equal, the file's
//! weight line, or Council votes ([`Capability`]).
//!
//! A model with fitted parameters is scored by k-fold cross-validation **by proposal**:
//! the proposals (not the issues, which share a proposal's actors and context) are dealt
//! into k folds in file order (the i-th distinct proposal goes to fold `i mod k`); each
//! fold's issues are forecast with the parameters fitted on the other folds. The headline
//! score is that cross-validated one; the in-sample score (parameters fitted on every
//! issue) is reported beside it, never instead.

use crate::deu::{DeuFile, DeuIssue};
use crate::error::{Error, ErrorKind};
use crate::eum::{EumInput, EumParams};
use crate::input::{Actor, SmpInput};
use crate::model::{Threads, try_par_map};
use crate::params::SmpParams;

/// How actors' capabilities are set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// Every actor 1.
    Equal,
    /// The file's weight line (the derived copy's GDPs).
    Line,
    /// Council votes under the Nice Treaty (2004-2014) for the member states; the
    /// Commission and the Parliament, which have no Council votes, each as much as the
    /// largest state (29). See [`council_votes`].
    Voting,
}

impl Capability {
    /// The keyword (`equal`, `line`, `voting`).
    pub fn keyword(self) -> &'static str {
        match self {
            Capability::Equal => "equal",
            Capability::Line => "line",
            Capability::Voting => "voting",
        }
    }
}

/// The Council votes of a DEU actor under the Nice Treaty (weights of 2004-2014, Croatia's
/// from 2013), and 29 for `com` and `ep` (an open choice: as much as the largest state).
/// These are the votes, not their Shapley-Shubik power.
pub fn council_votes(actor: &str) -> Option<f64> {
    let v = match actor {
        "de" | "fr" | "it" | "uk" | "com" | "ep" => 29,
        "es" | "pl" => 27,
        "ro" => 14,
        "nl" => 13,
        "be" | "cz" | "el" | "hu" | "pt" => 12,
        "at" | "bu" | "se" => 10,
        "dk" | "ie" | "lt" | "sk" | "fi" | "cr" => 7,
        "cy" | "ee" | "lv" | "lu" | "si" => 4,
        "mt" => 3,
        _ => return None,
    };
    Some(f64::from(v))
}

/// A model the backtest can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BacktestModel {
    /// Capability x salience weighted mean ([`crate::compromise`]).
    Compromise,
    /// Capability x salience weighted median ([`crate::weighted_median`]).
    Median,
    /// KTAB's SMP with its defaults, deterministic; the forecast is the last state's
    /// expected outcome ([`crate::Round::expected`]).
    Smp,
    /// Bueno de Mesquita's expected utility model ([`crate::run_eum`], defaults); the
    /// forecast is the weighted median of the last positions.
    Eum,
    /// detente's own: the compromise with each salience raised to a power `γ` in `[0, 1]`
    /// fitted by cross-validation (weights `c_i s_i^γ`; `γ = 1` is the compromise model,
    /// `γ = 0` ignores salience). See [`tempered`].
    Tempered,
}

impl BacktestModel {
    /// Every model, in the order reports list them.
    pub const ALL: [BacktestModel; 5] = [
        BacktestModel::Compromise,
        BacktestModel::Median,
        BacktestModel::Smp,
        BacktestModel::Eum,
        BacktestModel::Tempered,
    ];

    /// The keyword (`compromise`, `median`, `smp`).
    pub fn keyword(self) -> &'static str {
        match self {
            BacktestModel::Compromise => "compromise",
            BacktestModel::Median => "median",
            BacktestModel::Smp => "smp",
            BacktestModel::Eum => "eum",
            BacktestModel::Tempered => "tempered",
        }
    }

    /// Whether the model has parameters fitted by cross-validation.
    pub fn is_fitted(self) -> bool {
        self == BacktestModel::Tempered
    }
}

/// One issue as the models see it: the actors that took a position, with capability and
/// salience (0-100, an empty or 0 salience as 1).
#[derive(Clone, Debug, PartialEq)]
pub struct IssueActors {
    /// Index into [`DeuFile::actors`] of each.
    pub actors: Vec<usize>,
    /// Positions, 0-100.
    pub positions: Vec<f64>,
    /// Capabilities, at least 0.
    pub capabilities: Vec<f64>,
    /// Saliences, in (0, 100].
    pub saliences: Vec<f64>,
}

impl IssueActors {
    /// The issue as a one-dimensional SMP input (actors named as in the file).
    pub fn smp_input(&self, names: &[String]) -> SmpInput {
        SmpInput {
            actors: self
                .actors
                .iter()
                .zip(&self.capabilities)
                .map(|(&a, &c)| Actor {
                    name: names[a].clone(),
                    description: String::new(),
                    capability: c,
                })
                .collect(),
            dimensions: vec!["issue".into()],
            positions: self.positions.iter().map(|&x| vec![x]).collect(),
            salience: self.saliences.iter().map(|&s| vec![s]).collect(),
        }
    }
}

/// The actors of `issue` with their capabilities under `capability`.
pub fn issue_actors(
    file: &DeuFile,
    issue: &DeuIssue,
    capability: Capability,
) -> Result<IssueActors, Error> {
    let mut out = IssueActors {
        actors: Vec::with_capacity(issue.stands.len()),
        positions: Vec::with_capacity(issue.stands.len()),
        capabilities: Vec::with_capacity(issue.stands.len()),
        saliences: Vec::with_capacity(issue.stands.len()),
    };
    for st in &issue.stands {
        let name = &file.actors[st.actor];
        let c = match capability {
            Capability::Equal => 1.0,
            Capability::Line => {
                let w = file.weights.as_ref().ok_or_else(|| {
                    Error::new(ErrorKind::Missing, "capability line: the file has no weight line (its second line)")
                })?;
                w[st.actor].ok_or_else(|| {
                    Error::new(
                        ErrorKind::Missing,
                        format!("capability line: actor {name:?} has no weight on the weight line (issue {}, line {})", issue.id, issue.line),
                    )
                })?
            }
            Capability::Voting => council_votes(name).ok_or_else(|| {
                Error::new(
                    ErrorKind::Unknown,
                    format!("capability voting: actor {name:?} has no Council votes (the DEU actors are com, ep and the member states' codes)"),
                )
            })?,
        };
        out.actors.push(st.actor);
        out.positions.push(st.position);
        out.capabilities.push(c);
        out.saliences.push(match st.salience {
            Some(s) if s > 0.0 => s,
            _ => 1.0,
        });
    }
    Ok(out)
}

/// How forecasts compare with outcomes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scores {
    /// Mean absolute error, in points of the 0-100 scale.
    pub mae: f64,
    /// Root mean square error.
    pub rmse: f64,
    /// Share of issues whose forecast is within 10 points of the outcome (at most 10 off).
    pub within_10: f64,
}

/// The scores of `forecasts` against `outcomes` (same length, at least one).
pub fn scores(forecasts: &[f64], outcomes: &[f64]) -> Scores {
    let n = forecasts.len().max(1) as f64;
    let (mut abs, mut sq, mut within) = (0.0, 0.0, 0usize);
    for (f, o) in forecasts.iter().zip(outcomes) {
        let e = (f - o).abs();
        abs += e;
        sq += e * e;
        within += usize::from(e <= 10.0);
    }
    Scores { mae: abs / n, rmse: (sq / n).sqrt(), within_10: within as f64 / n }
}

/// One model's backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelResult {
    /// The model.
    pub model: BacktestModel,
    /// The forecast of each issue (cross-validated for a fitted model), in
    /// [`Backtest::issues`] order.
    pub forecasts: Vec<f64>,
    /// The headline scores (cross-validated for a fitted model).
    pub scores: Scores,
    /// For a fitted model: the scores with parameters fitted on every issue (in-sample,
    /// optimistic), and those parameters.
    pub in_sample: Option<(Scores, Vec<(String, f64)>)>,
}

/// The options of a backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestParams {
    /// The models, in report order.
    pub models: Vec<BacktestModel>,
    /// How capabilities are set.
    pub capability: Capability,
    /// Folds of the cross-validation by proposal (2 to the number of proposals); `None`:
    /// [`DEFAULT_FOLDS`], or every proposal its own fold when there are fewer.
    pub folds: Option<usize>,
}

impl Default for BacktestParams {
    fn default() -> Self {
        BacktestParams {
            models: BacktestModel::ALL.to_vec(),
            capability: Capability::Equal,
            folds: None,
        }
    }
}

/// A backtest: the issues scored and each model's forecasts and scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    /// Indices into [`DeuFile::issues`] of the issues scored (every one).
    pub issues: Vec<usize>,
    /// Outcomes, in the same order.
    pub outcomes: Vec<f64>,
    /// Each model's result, in [`BacktestParams::models`] order.
    pub models: Vec<ModelResult>,
    /// The cross-validation fold of each issue.
    pub folds: Vec<usize>,
    /// The number of folds.
    pub k: usize,
}

/// The folds of the cross-validation when none are asked for.
pub const DEFAULT_FOLDS: usize = 10;

/// The fold of each issue: the i-th distinct proposal (in file order) goes to fold
/// `i mod k`.
pub fn proposal_folds(file: &DeuFile, k: usize) -> Vec<usize> {
    let mut index = std::collections::HashMap::new();
    file.issues
        .iter()
        .map(|i| {
            let n = index.len();
            *index.entry(i.proposal.as_str()).or_insert(n) % k.max(1)
        })
        .collect()
}

/// Forecasts every issue of `file` with each model and scores the forecasts. The issues
/// are forecast on the machine's cores (the SMP and EUM runs; the result does not depend
/// on the number of threads).
pub fn backtest(file: &DeuFile, params: &BacktestParams) -> Result<Backtest, Error> {
    backtest_on(file, params, crate::model::cores())
}

/// [`backtest`] on up to `threads` threads.
fn backtest_on(file: &DeuFile, params: &BacktestParams, threads: usize) -> Result<Backtest, Error> {
    if file.issues.is_empty() {
        return Err(Error::new(
            ErrorKind::Count,
            "no issue to score (none has both an outcome and a position)",
        ));
    }
    let n_proposals = {
        let mut seen = std::collections::HashSet::new();
        file.issues.iter().filter(|i| seen.insert(i.proposal.as_str())).count()
    };
    let k = params.folds.unwrap_or(DEFAULT_FOLDS.min(n_proposals));
    if params.models.iter().any(|m| m.is_fitted()) && !(2..=n_proposals).contains(&k) {
        return Err(Error::new(
            ErrorKind::Params,
            match params.folds {
                Some(k) => {
                    format!("folds: {k} asked, between 2 and the {n_proposals} proposals needed")
                }
                None => format!(
                    "a fitted model is cross-validated by proposal, which needs at least 2 proposals (the file has {n_proposals})"
                ),
            },
        ));
    }
    let prepared: Vec<IssueActors> = file
        .issues
        .iter()
        .map(|i| issue_actors(file, i, params.capability))
        .collect::<Result<_, _>>()?;
    let outcomes: Vec<f64> = file.issues.iter().map(|i| i.outcome).collect();
    let folds = proposal_folds(file, k);
    // The issues are spread over the threads, each run on one (a run's result is the same
    // on any number of threads; an issue's run is too short to share).
    let smp_params = SmpParams { threads: 1, ..SmpParams::default() };
    let eum_params = EumParams::default();
    let threads = Threads { count: threads, min_chunk: 8 };
    let each = |f: &(dyn Fn(&IssueActors) -> Result<f64, Error> + Sync)| {
        try_par_map(threads, prepared.len(), |i| f(&prepared[i]))
    };
    let mut models = vec![];
    for &model in &params.models {
        if model == BacktestModel::Tempered {
            models.push(tempered_cv(&prepared, &outcomes, &folds, k));
            continue;
        }
        let forecasts: Vec<f64> = match model {
            BacktestModel::Compromise => prepared.iter().map(compromise_1d).collect(),
            BacktestModel::Median => prepared.iter().map(median_1d).collect(),
            BacktestModel::Smp => each(&|a| smp_1d(a, &file.actors, &smp_params))?,
            BacktestModel::Eum => each(&|a| eum_1d(a, &eum_params))?,
            BacktestModel::Tempered => unreachable!("fitted above"),
        };
        let scores = scores(&forecasts, &outcomes);
        models.push(ModelResult { model, forecasts, scores, in_sample: None });
    }
    Ok(Backtest { issues: (0..file.issues.len()).collect(), outcomes, models, folds, k })
}

/// The capability x salience weighted mean of one issue.
pub fn compromise_1d(a: &IssueActors) -> f64 {
    crate::compromise(&a.smp_input_unnamed())[0]
}

/// The capability x salience weighted (lower) median of one issue.
pub fn median_1d(a: &IssueActors) -> f64 {
    crate::weighted_median(&a.smp_input_unnamed())[0]
}

/// The expected utility model's forecast on one issue (saliences divided by 100; an issue
/// with one actor: its position).
pub fn eum_1d(a: &IssueActors, params: &EumParams) -> Result<f64, Error> {
    if a.actors.len() < 2 {
        return Ok(a.positions[0]);
    }
    let input = EumInput {
        positions: a.positions.clone(),
        capabilities: a.capabilities.clone(),
        saliences: a.saliences.iter().map(|s| s / 100.0).collect(),
    };
    Ok(crate::eum::run_eum(&input, params)?.forecast())
}

/// The grid of `γ` the tempered model is fitted on: 0, 0.1, ..., 1.
pub const TEMPERED_GRID: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// The tempered compromise of one issue: the mean of the positions weighted by
/// `c_i s_i^γ` (the plain mean when every weight is 0).
pub fn tempered(a: &IssueActors, gamma: f64) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for ((&x, &c), &s) in a.positions.iter().zip(&a.capabilities).zip(&a.saliences) {
        let w = c * (s / 100.0).powf(gamma);
        num += w * x;
        den += w;
    }
    if den > 0.0 { num / den } else { a.positions.iter().sum::<f64>() / a.positions.len() as f64 }
}

/// The `γ` of [`TEMPERED_GRID`] with the least mean absolute error on the issues `train`
/// (the smaller `γ` on a tie).
fn fit_tempered(table: &[Vec<f64>], outcomes: &[f64], train: &[usize]) -> usize {
    let mut best = (f64::INFINITY, 0);
    for (g, row) in table.iter().enumerate() {
        let err: f64 = train.iter().map(|&i| (row[i] - outcomes[i]).abs()).sum();
        if err < best.0 {
            best = (err, g);
        }
    }
    best.1
}

/// The tempered model cross-validated by proposal: each fold forecast with the `γ` fitted
/// on the others; in-sample, the `γ` fitted on every issue.
fn tempered_cv(
    prepared: &[IssueActors],
    outcomes: &[f64],
    folds: &[usize],
    k: usize,
) -> ModelResult {
    // table[g][i]: issue i's forecast with the g-th γ.
    let table: Vec<Vec<f64>> =
        TEMPERED_GRID.iter().map(|&g| prepared.iter().map(|a| tempered(a, g)).collect()).collect();
    let mut forecasts = vec![0.0; prepared.len()];
    for f in 0..k {
        let train: Vec<usize> = (0..prepared.len()).filter(|&i| folds[i] != f).collect();
        let g = fit_tempered(&table, outcomes, &train);
        for i in (0..prepared.len()).filter(|&i| folds[i] == f) {
            forecasts[i] = table[g][i];
        }
    }
    let all: Vec<usize> = (0..prepared.len()).collect();
    let g = fit_tempered(&table, outcomes, &all);
    let in_sample = scores(&table[g], outcomes);
    ModelResult {
        model: BacktestModel::Tempered,
        scores: scores(&forecasts, outcomes),
        forecasts,
        in_sample: Some((in_sample, vec![("gamma".to_string(), TEMPERED_GRID[g])])),
    }
}

/// SMP's expected outcome on one issue (an issue with one actor: its position).
fn smp_1d(a: &IssueActors, names: &[String], params: &SmpParams) -> Result<f64, Error> {
    if a.actors.len() < 2 {
        return Ok(a.positions[0]);
    }
    let run = crate::run_smp(&a.smp_input(names), params)?;
    Ok(run.last().expected()[0])
}

impl IssueActors {
    fn smp_input_unnamed(&self) -> SmpInput {
        SmpInput {
            actors: self
                .capabilities
                .iter()
                .map(|&c| Actor { name: String::new(), description: String::new(), capability: c })
                .collect(),
            dimensions: vec![String::new()],
            positions: self.positions.iter().map(|&x| vec![x]).collect(),
            salience: self.saliences.iter().map(|&s| vec![s]).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deu::parse_deu;

    const TOY: &str = "prnr\tisnr\tpcom\tpde\tpmt\tscom\tsde\tsmt\tout\n\
                       \t\t5\t3\t1\t\t\t\t\n\
                       a\ta1\t0\t100\t\t50\t0\t\t60\n\
                       a\ta2\t20\t20\t80\t10\t10\t20\t40\n\
                       b\tb1\t\t70\t\t\t40\t\t70\n";

    #[test]
    fn scores_are_mae_rmse_and_share_within_10() {
        let s = scores(&[10.0, 50.0, 0.0], &[0.0, 50.0, 30.0]);
        assert!((s.mae - 40.0 / 3.0).abs() < 1e-12);
        assert!((s.rmse - (1000.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((s.within_10 - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn capabilities_and_saliences_follow_the_rules() {
        let f = parse_deu("t.tsv", TOY).unwrap();
        let a = issue_actors(&f, &f.issues[0], Capability::Equal).unwrap();
        // de's salience 0 counts as 1.
        assert_eq!(a.saliences, [50.0, 1.0]);
        assert_eq!(a.capabilities, [1.0, 1.0]);
        let a = issue_actors(&f, &f.issues[1], Capability::Line).unwrap();
        assert_eq!(a.capabilities, [5.0, 3.0, 1.0]);
        assert!(issue_actors(&f, &f.issues[1], Capability::Line).is_ok());
        let mut g = f.clone();
        g.weights.as_mut().unwrap()[2] = None;
        let e = issue_actors(&g, &g.issues[1], Capability::Line).unwrap_err();
        assert!(e.message().contains("actor \"mt\" has no weight"), "{e}");
        let a = issue_actors(&f, &f.issues[1], Capability::Voting).unwrap();
        assert_eq!(a.capabilities, [29.0, 29.0, 3.0]);
    }

    #[test]
    fn baselines_forecast_each_issue() {
        let f = parse_deu("t.tsv", TOY).unwrap();
        let b = backtest(&f, &BacktestParams::default()).unwrap();
        assert_eq!(b.outcomes, [60.0, 40.0, 70.0]);
        let comp = &b.models[0];
        // (50*0 + 1*100)/51; (10*20 + 10*20 + 20*80)/40; the one actor's position.
        assert!((comp.forecasts[0] - 100.0 / 51.0).abs() < 1e-12);
        assert!((comp.forecasts[1] - 50.0).abs() < 1e-12);
        assert_eq!(comp.forecasts[2], 70.0);
        assert_eq!(b.models[1].forecasts, [0.0, 20.0, 70.0]);
        // SMP with one actor: its position.
        assert_eq!(b.models[2].forecasts[2], 70.0);
        assert_eq!(b.folds, [0, 0, 1]);
    }

    #[test]
    fn the_tempered_model_is_scored_out_of_sample() {
        // Two proposals; fitted on one, scored on the other. Issue a: the salient actor
        // is right (γ = 1 best); issue b: the salient actor is wrong (γ = 0 best).
        let text = "prnr\tisnr\tpcom\tpde\tscom\tsde\tout\n\
                    a\ta1\t0\t100\t90\t10\t10\n\
                    b\tb1\t0\t100\t90\t10\t50\n";
        let f = parse_deu("t.tsv", text).unwrap();
        let params = BacktestParams {
            models: vec![BacktestModel::Tempered],
            capability: Capability::Equal,
            folds: Some(2),
        };
        let b = backtest(&f, &params).unwrap();
        let m = &b.models[0];
        // Issue a is forecast with b's γ (0: the plain mean 50), b with a's (1: 10).
        assert!((m.forecasts[0] - 50.0).abs() < 1e-9, "{:?}", m.forecasts);
        assert!((m.forecasts[1] - 10.0).abs() < 1e-9, "{:?}", m.forecasts);
        assert!((m.scores.mae - 40.0).abs() < 1e-9);
        // In-sample the best single γ does better, and is reported apart.
        let (s, p) = m.in_sample.as_ref().unwrap();
        assert!(s.mae <= m.scores.mae);
        assert_eq!(p[0].0, "gamma");
        // Folds must be between 2 and the number of proposals.
        let e = backtest(&f, &BacktestParams { folds: Some(3), ..params }).unwrap_err();
        assert!(e.message().contains("between 2 and the 2 proposals"), "{e}");
    }

    #[test]
    fn the_threads_change_no_forecast() {
        // 40 issues of 20 proposals, 6 actors with varied positions and saliences.
        let mut text =
            String::from("prnr\tisnr\tpa\tpb\tpc\tpd\tpe\tpf\tsa\tsb\tsc\tsd\tse\tsf\tout\n");
        let mut rng = detente_core::Rng::new(3);
        for i in 0..40 {
            text.push_str(&format!("p{}\ti{i}", i / 2));
            for _ in 0..12 {
                text.push_str(&format!("\t{}", (rng.unit() * 10.0).floor() * 10.0));
            }
            text.push_str(&format!("\t{}\n", (rng.unit() * 100.0).floor()));
        }
        let f = parse_deu("t.tsv", &text).unwrap();
        let params = BacktestParams::default();
        let one = backtest_on(&f, &params, 1).unwrap();
        for threads in [2, 3, 7] {
            assert_eq!(backtest_on(&f, &params, threads).unwrap(), one, "{threads} threads");
        }
        assert_eq!(backtest(&f, &params).unwrap(), one);
    }

    #[test]
    fn eum_forecasts_each_issue() {
        let f = parse_deu("t.tsv", TOY).unwrap();
        let params =
            BacktestParams { models: vec![BacktestModel::Eum], ..BacktestParams::default() };
        let b = backtest(&f, &params).unwrap();
        let x = &b.models[0].forecasts;
        assert_eq!(x[2], 70.0);
        // Between the extreme positions of each issue.
        assert!((0.0..=100.0).contains(&x[0]) && (20.0..=80.0).contains(&x[1]), "{x:?}");
    }
}
