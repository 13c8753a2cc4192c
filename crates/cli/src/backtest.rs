//! `detente backtest`: forecasts of every issue of a DEU file scored against the recorded
//! outcomes. The forecasting crate reads the file and computes; this module reads the
//! bytes, chooses the options and prints.

use std::fmt::Write as _;
use std::path::Path;

use detente_forecast::backtest::{self, Backtest, BacktestModel, BacktestParams, Capability};
use detente_forecast::{DeuFile, parse_deu};
use detente_words::{count, num};
use serde_json::{Value, json};

use crate::BadInput;
use crate::json::num as jnum;
use crate::table::Table;

/// The largest DEU file read (bytes): DEU III whole is about 100 KB.
const MAX_BYTES: u64 = 256 << 20;

/// A model of `detente backtest --model`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Capability x salience weighted mean.
    Compromise,
    /// Capability x salience weighted median.
    Median,
    /// KTAB's Spatial Model of Politics (defaults, deterministic).
    Smp,
    /// Bueno de Mesquita's expected utility model (docs/forecast-eum.md).
    Eum,
    /// detente's tempered compromise: weights capability x salience^gamma, gamma fitted by
    /// cross-validation by proposal.
    Tempered,
}

impl ModelArg {
    fn model(self) -> BacktestModel {
        match self {
            ModelArg::Compromise => BacktestModel::Compromise,
            ModelArg::Median => BacktestModel::Median,
            ModelArg::Smp => BacktestModel::Smp,
            ModelArg::Eum => BacktestModel::Eum,
            ModelArg::Tempered => BacktestModel::Tempered,
        }
    }
}

/// `--capability`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CapabilityArg {
    /// Every actor 1.
    Equal,
    /// The file's weight line (its second line; GDPs in the shared copy).
    Line,
    /// Council votes (Nice Treaty) for the states, 29 for the Commission and Parliament.
    Voting,
}

/// Options of `detente backtest`.
pub struct BacktestArgs<'a> {
    pub models: Option<&'a [ModelArg]>,
    pub capability: CapabilityArg,
    pub folds: Option<usize>,
    pub plot: Option<&'a Path>,
}

/// `detente backtest`.
pub fn run(file: &str, args: &BacktestArgs<'_>) -> anyhow::Result<BacktestReport> {
    let models: Vec<BacktestModel> = match args.models {
        None => BacktestModel::ALL.to_vec(),
        Some(list) => {
            let mut out: Vec<BacktestModel> = vec![];
            for m in list {
                if out.contains(&m.model()) {
                    return Err(BadInput(format!(
                        "--model: {} is named twice",
                        m.model().keyword()
                    ))
                    .into());
                }
                out.push(m.model());
            }
            out
        }
    };
    let capability = match args.capability {
        CapabilityArg::Equal => Capability::Equal,
        CapabilityArg::Line => Capability::Line,
        CapabilityArg::Voting => Capability::Voting,
    };
    let text = read(file)?;
    let deu = parse_deu(file, &text).map_err(|e| BadInput(e.to_string()))?;
    let params = BacktestParams { models, capability, folds: args.folds };
    let result = backtest::backtest(&deu, &params).map_err(|e| BadInput(format!("{file}: {e}")))?;
    if let Some(path) = args.plot {
        let series: Vec<(&str, Vec<(f64, f64)>)> = result
            .models
            .iter()
            .map(|m| {
                (
                    m.model.keyword(),
                    result.outcomes.iter().copied().zip(m.forecasts.iter().copied()).collect(),
                )
            })
            .collect();
        let title = format!("{file}: forecast against outcome, {} issues", result.issues.len());
        let svg = crate::plot::scatter_svg(&title, "outcome", "forecast", &series);
        crate::output::write_file(path, svg.as_bytes())?;
    }
    Ok(BacktestReport { file: file.to_string(), deu, params, result })
}

/// The file's text: refused when unreadable, too large or not UTF-8.
fn read(file: &str) -> Result<String, BadInput> {
    let path = Path::new(file);
    if path.is_dir() {
        return Err(BadInput(format!("{file}: is a directory, not a DEU file")));
    }
    let meta =
        std::fs::metadata(path).map_err(|e| BadInput(format!("{file}: cannot read: {e}")))?;
    if meta.len() > MAX_BYTES {
        return Err(BadInput(format!(
            "{file}: {} bytes, above the {MAX_BYTES} a DEU file may have",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| BadInput(format!("{file}: cannot read: {e}")))?;
    crate::load::utf8(file, bytes)
}

/// What `detente backtest` found.
pub struct BacktestReport {
    file: String,
    deu: DeuFile,
    params: BacktestParams,
    result: Backtest,
}

fn scores_json(s: &backtest::Scores) -> Value {
    json!({ "mae": jnum(s.mae), "rmse": jnum(s.rmse), "within_10": jnum(s.within_10) })
}

impl BacktestReport {
    fn n_proposals(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        self.deu.issues.iter().filter(|i| seen.insert(i.proposal.as_str())).count()
    }

    fn fitted(&self) -> bool {
        self.params.models.iter().any(|m| m.is_fitted())
    }
}

impl crate::printer::Report for BacktestReport {
    fn json(&self) -> Value {
        let BacktestReport { file, deu, params, result } = self;
        let models: Vec<Value> = result
            .models
            .iter()
            .map(|m| {
                let mut v = json!({
                    "model": m.model.keyword(),
                    "cross_validated": m.model.is_fitted(),
                });
                let s = scores_json(&m.scores);
                for k in ["mae", "rmse", "within_10"] {
                    v[k] = s[k].clone();
                }
                if let Some((s, p)) = &m.in_sample {
                    let mut v2 = scores_json(s);
                    v2["parameters"] = p
                        .iter()
                        .map(|(k, x)| (k.clone(), jnum(*x)))
                        .collect::<serde_json::Map<_, _>>()
                        .into();
                    v["in_sample"] = v2;
                }
                v
            })
            .collect();
        let issues: Vec<Value> = result
            .issues
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let issue = &deu.issues[i];
                let forecasts: serde_json::Map<String, Value> = result
                    .models
                    .iter()
                    .map(|m| (m.model.keyword().to_string(), jnum(m.forecasts[k])))
                    .collect();
                json!({
                    "issue": issue.id,
                    "proposal": issue.proposal,
                    "line": issue.line,
                    "actors": issue.stands.len(),
                    "outcome": jnum(issue.outcome),
                    "fold": result.folds[k],
                    "forecasts": forecasts,
                })
            })
            .collect();
        json!({
            "file": file,
            "capability": params.capability.keyword(),
            "folds": result.k,
            "proposals": self.n_proposals(),
            "issues_scored": result.issues.len(),
            "skipped": deu.skipped.iter().map(|s| json!({"line": s.line, "issue": s.id, "reason": s.reason})).collect::<Vec<_>>(),
            "models": models,
            "issues": issues,
        })
    }

    fn text(&self) -> String {
        let BacktestReport { file, deu, params, result } = self;
        let mut out = String::new();
        let _ = write!(
            out,
            "{file}: {} of {} scored against their outcomes, capabilities {}",
            count(result.issues.len(), "issue", "issues"),
            count(self.n_proposals(), "proposal", "proposals"),
            params.capability.keyword(),
        );
        if !deu.skipped.is_empty() {
            let no_outcome = deu.skipped.iter().filter(|s| s.reason == "no outcome").count();
            let no_position = deu.skipped.len() - no_outcome;
            let mut why = vec![];
            if no_outcome > 0 {
                why.push(format!("{no_outcome} without an outcome"));
            }
            if no_position > 0 {
                why.push(format!("{no_position} without any position"));
            }
            let _ = write!(
                out,
                " ({} skipped: {})",
                count(deu.skipped.len(), "row", "rows"),
                why.join(", ")
            );
        }
        out.push_str(".\n\n");
        let mut t =
            Table::new(["model", "MAE", "RMSE", "within 10", "scored"].map(String::from).to_vec());
        for m in &result.models {
            t.row(vec![
                m.model.keyword().to_string(),
                num(m.scores.mae),
                num(m.scores.rmse),
                format!("{}%", num(100.0 * m.scores.within_10)),
                if m.model.is_fitted() {
                    format!("cross-validated, {} folds by proposal", result.k)
                } else {
                    "no parameter fitted".to_string()
                },
            ]);
        }
        out.push_str(&t.render("  "));
        out.push('\n');
        out.push_str(
            "MAE and RMSE in points of the 0-100 scale; within 10: the share of issues forecast at most 10 points from the outcome.",
        );
        if self.fitted() {
            for m in result.models.iter().filter(|m| m.model.is_fitted()) {
                if let Some((s, p)) = &m.in_sample {
                    let _ = write!(
                        out,
                        " {}: fitted on every issue ({}), in-sample MAE {} (optimistic; the table gives the cross-validated error).",
                        m.model.keyword(),
                        p.iter()
                            .map(|(k, x)| format!("{k} {}", num(*x)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        num(s.mae)
                    );
                }
            }
        }
        out.push('\n');
        out
    }
}
