//! `detente forecast` point by point, for scenarios whose points are not all 0-100 scales
//! held by every counted party: the spatial models on scales and ordered options, the
//! weighted vote on unordered options (`detente_forecast::forecast_points`), said point by
//! point with where the models disagree.

use std::fmt::Write as _;

use detente_core::{IssueKind, Scenario};
use detente_forecast::{PointForecast, PointModel, SPATIAL_MODELS, SmpParams, Spatial, Stop, Vote};
use detente_words::{and_list, count, num};
use serde_json::{Map, Value, json};

use crate::forecast::Model;
use crate::json::num as jnum;
use crate::printer::Report;
use crate::table::Table;

/// The index in [`Spatial::at`] of the model asked for; `None` for a model that does not
/// run point by point.
pub fn spatial_index(model: Model) -> Option<usize> {
    #[allow(unreachable_patterns)]
    match model {
        Model::Smp => Some(0),
        Model::Compromise => Some(1),
        Model::Median => Some(2),
        Model::Eum => Some(3),
        _ => None,
    }
}

/// Whether `scenario` is forecast point by point with the parties `counted`: some point is
/// discrete, or some counted party holds no stance on some point.
pub fn by_point(scenario: &Scenario, counted: &[usize]) -> bool {
    scenario.issues().iter().any(|i| !i.is_scale())
        || counted.iter().any(|&p| scenario.stances()[p].iter().any(Option::is_none))
}

/// `detente forecast` point by point.
pub struct PointsForecast {
    pub model: Model,
    /// The index of `model` in the spatial models' results.
    pub index: usize,
    pub scenario: Scenario,
    pub counted: Vec<usize>,
    pub params: SmpParams,
    pub points: Vec<PointForecast>,
}

/// The options of largest probability (more than one only on an exact tie).
fn most_likely(p: &[(usize, f64)]) -> Vec<usize> {
    let best = p.iter().map(|&(_, q)| q).fold(f64::NEG_INFINITY, f64::max);
    p.iter().filter(|&&(_, q)| q == best).map(|&(k, _)| k).collect()
}

/// How a point was forecast, as one word.
fn kind(s: &Scenario, f: &PointForecast) -> &'static str {
    let issue = &s.issues()[f.issue];
    match (&f.model, issue.is_scale()) {
        (PointModel::Nobody, _) => "none",
        (_, true) => "scale",
        (PointModel::Spatial(_), false) => "axis",
        (PointModel::Vote(_), false) => "unordered",
    }
}

impl PointsForecast {
    /// The model whose rounds [`PointsForecast::rounds_plot`] draws: the expected utility
    /// model when asked for, else the SMP (the baselines are computed in one step).
    pub fn rounds_model(&self) -> &'static str {
        if self.model == Model::Eum { "eum" } else { "smp" }
    }

    /// The positions round by round on every point that model moved (two parties or more
    /// on a scale or an ordered axis): one panel per point, one line per counted party (a
    /// party with no stance on a point has no line in its panel), a point that stopped
    /// earlier keeping its last positions. `None` when no point has a run.
    pub fn rounds_plot(&self) -> Option<(usize, String)> {
        let eum = self.model == Model::Eum;
        // Per point: its id and its states, `[round][its actor]`.
        let mut runs: Vec<(&PointForecast, String, Vec<Vec<f64>>)> = vec![];
        for f in &self.points {
            let PointModel::Spatial(sp) = &f.model else { continue };
            let states: Vec<Vec<f64>> = match (&sp.smp, &sp.eum) {
                (_, Some(e)) if eum => e.rounds.iter().map(|r| r.positions.clone()).collect(),
                (Some(r), _) if !eum => r
                    .rounds
                    .iter()
                    .map(|r| {
                        r.positions.iter().map(|p| p.first().copied().unwrap_or(f64::NAN)).collect()
                    })
                    .collect(),
                _ => continue,
            };
            runs.push((f, self.scenario.issues()[f.issue].id.clone(), states));
        }
        if runs.is_empty() {
            return None;
        }
        let n_rounds = runs.iter().map(|(_, _, st)| st.len()).max().unwrap_or(1);
        let rounds: Vec<Vec<Vec<f64>>> = (0..n_rounds)
            .map(|t| {
                self.counted
                    .iter()
                    .map(|party| {
                        runs.iter()
                            .map(|(f, _, st)| {
                                let at = f.parties.iter().position(|q| q == party);
                                let state = &st[t.min(st.len() - 1)];
                                at.and_then(|a| state.get(a).copied()).unwrap_or(f64::NAN)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let actors: Vec<String> =
            self.counted.iter().map(|&p| self.scenario.parties()[p].id.clone()).collect();
        let points: Vec<String> = runs.iter().map(|(_, id, _)| id.clone()).collect();
        let title = format!(
            "{}: {} positions by round, point by point",
            self.scenario.meta().name,
            self.rounds_model()
        );
        Some((points.len(), crate::plot::trajectories_svg(&title, &actors, &points, &rounds)))
    }

    /// Each forecast point in the words of the text output (where each model lands, how
    /// likely, whether the SMP converged, where the models disagree): `(point id, words)`.
    pub fn point_words(&self) -> Vec<(String, String)> {
        let s = &self.scenario;
        self.points
            .iter()
            .filter_map(|f| {
                let line = match &f.model {
                    PointModel::Spatial(sp) => self.spatial_line(f, sp),
                    PointModel::Vote(v) => self.vote_line(f, v),
                    PointModel::Nobody => return None,
                };
                Some((s.issues()[f.issue].id.clone(), line))
            })
            .collect()
    }

    fn option(&self, f: &PointForecast, k: usize) -> String {
        self.scenario.issues()[f.issue].option_id(k)
    }

    /// The point's forecast option: the asked model's on a spatial point, the vote's sole
    /// winner on an unordered one.
    fn forecast(&self, f: &PointForecast) -> Option<String> {
        match &f.model {
            PointModel::Spatial(sp) => Some(self.option(f, sp.lands[self.index])),
            PointModel::Vote(v) => match &v.winners[..] {
                [w] => Some(self.option(f, *w)),
                _ => None,
            },
            PointModel::Nobody => None,
        }
    }

    /// Whether the models agree on the point (no disagreement where nothing ran).
    fn agree(f: &PointForecast) -> bool {
        match &f.model {
            PointModel::Spatial(sp) => sp.agree(),
            PointModel::Vote(v) => v.agrees(),
            PointModel::Nobody => true,
        }
    }

    fn ids(&self, parties: &[usize]) -> Vec<&str> {
        parties.iter().map(|&p| self.scenario.parties()[p].id.as_str()).collect()
    }

    /// The spatial models grouped by the option they land on: `smp and compromise:
    /// de-facto-russian; median: no-recognition`.
    fn spatial_split(&self, f: &PointForecast, sp: &Spatial) -> String {
        let mut groups: Vec<(usize, Vec<&str>)> = Vec::new();
        for (m, &k) in sp.lands.iter().enumerate() {
            let name = if m == 2 { "weighted median" } else { SPATIAL_MODELS[m] };
            match groups.iter_mut().find(|(o, _)| *o == k) {
                Some((_, names)) => names.push(name),
                None => groups.push((k, vec![name])),
            }
        }
        groups
            .iter()
            .map(|(k, names)| format!("{}: {}", and_list(names), self.option(f, *k)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn vote_split(&self, f: &PointForecast, v: &Vote) -> String {
        let winners: Vec<String> = v.winners.iter().map(|&k| self.option(f, k)).collect();
        let vote = match &winners[..] {
            [] => "the vote: no winner (no party prefers one option to another)".to_string(),
            [w] => format!("the vote: {w}"),
            many => format!("the vote: a tie between {}", and_list(many)),
        };
        let majority = match v.condorcet {
            Some(c) => format!("pairwise majority: {}", self.option(f, c)),
            None => "pairwise majority: no option beats every other".to_string(),
        };
        format!("{vote}; {majority}")
    }

    fn spatial_line(&self, f: &PointForecast, sp: &Spatial) -> String {
        let issue = &self.scenario.issues()[f.issue];
        // A position as people read it: in the scale's unit, or on the axis's 0-100.
        let at = |x: f64| match &issue.kind {
            IssueKind::Scale { unit, min, max, .. } => {
                format!("at {} {unit}", num(min + x / 100.0 * (max - min)))
            }
            IssueKind::Discrete { .. } => format!("at {} of 100", num(x)),
        };
        let mut parts = Vec::new();
        for (m, (&x, &k)) in sp.at.iter().zip(&sp.lands).enumerate() {
            let name = if m == 2 { "weighted median" } else { SPATIAL_MODELS[m] };
            let option = self.option(f, k);
            let part = match (m, &sp.smp) {
                (0, None) => format!("{name} not run (one party stands on the point)"),
                (3, _) if sp.eum.is_none() => {
                    format!("{name} not run (one party stands on the point)")
                }
                (0, Some(run)) => {
                    let p = sp.probabilities(&self.scenario, f.issue);
                    let p = match &p[..] {
                        [(o, q)] if *o == k => format!("probability {}", num(*q)),
                        many => format!(
                            "probabilities {}",
                            many.iter()
                                .map(|&(o, q)| format!("{} {}", self.option(f, o), num(q)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    let stop = match run.stop {
                        Stop::Converged => "",
                        _ => ", not converged",
                    };
                    let likely = most_likely(&sp.probabilities(&self.scenario, f.issue));
                    let likely = if likely == [k] {
                        String::new()
                    } else {
                        let ids: Vec<String> = likely.iter().map(|&o| self.option(f, o)).collect();
                        format!(
                            "; the expected position lands on {option}, but the most likely {} {}",
                            if ids.len() == 1 { "option is" } else { "options are" },
                            and_list(&ids)
                        )
                    };
                    format!("{name} {option} ({}; {p}{stop}{likely})", at(x))
                }
                _ => format!("{name} {option} ({})", at(x)),
            };
            parts.push(part);
        }
        let verdict = if sp.agree() {
            "The models agree.".to_string()
        } else {
            format!("The models disagree: {}.", self.spatial_split(f, sp))
        };
        format!(
            "{} {} ({}, {}): {}. {verdict}",
            issue.id,
            issue.name,
            kind(&self.scenario, f),
            count(f.parties.len(), "party", "parties"),
            parts.join(", ")
        )
    }

    fn vote_line(&self, f: &PointForecast, v: &Vote) -> String {
        let issue = &self.scenario.issues()[f.issue];
        let mut order: Vec<usize> = (0..v.shares.len()).collect();
        order.sort_by(|&a, &b| v.shares[b].total_cmp(&v.shares[a]).then(a.cmp(&b)));
        let shares: Vec<String> =
            order.iter().map(|&k| format!("{} {}", self.option(f, k), num(v.shares[k]))).collect();
        let verdict = if v.agrees() {
            "The vote's winner also beats every other option by pairwise majority.".to_string()
        } else {
            format!("The models disagree: {}.", self.vote_split(f, v))
        };
        format!(
            "{} {} (unordered, {}): vote shares {}. {verdict}",
            issue.id,
            issue.name,
            count(f.parties.len(), "party", "parties"),
            shares.join(", ")
        )
    }
}

impl Report for PointsForecast {
    fn json(&self) -> Value {
        let s = &self.scenario;
        let points: Vec<Value> = self
            .points
            .iter()
            .map(|f| {
                let issue = &s.issues()[f.issue];
                let mut v = json!({
                    "issue": issue.id,
                    "kind": kind(s, f),
                    "parties": self.ids(&f.parties),
                    "power": f.power.iter().map(|&x| jnum(x)).collect::<Vec<_>>(),
                    "forecast": self.forecast(f),
                    "agree": Self::agree(f),
                });
                match &f.model {
                    PointModel::Spatial(sp) => {
                        v["model"] = json!("spatial");
                        if !sp.options.is_empty() {
                            let axis: Map<String, Value> = sp
                                .options
                                .iter()
                                .enumerate()
                                .map(|(k, &x)| (self.option(f, k), jnum(x)))
                                .collect();
                            v["axis"] = Value::Object(axis);
                        }
                        v["positions"] = json!(
                            sp.input.positions.iter().map(|p| jnum(p[0])).collect::<Vec<_>>()
                        );
                        v["salience"] =
                            json!(sp.input.salience.iter().map(|p| jnum(p[0])).collect::<Vec<_>>());
                        for (m, name) in SPATIAL_MODELS.iter().enumerate() {
                            v[*name] = json!({
                                "at": jnum(sp.at[m]),
                                "option": self.option(f, sp.lands[m]),
                            });
                        }
                        if let Some(run) = &sp.smp {
                            let p: Map<String, Value> = sp
                                .probabilities(s, f.issue)
                                .iter()
                                .map(|&(k, q)| (self.option(f, k), jnum(q)))
                                .collect();
                            v["smp"]["probabilities"] = Value::Object(p);
                            let likely = most_likely(&sp.probabilities(s, f.issue));
                            v["smp"]["most_likely"] = json!(
                                likely.iter().map(|&k| self.option(f, k)).collect::<Vec<_>>()
                            );
                            v["smp"]["rounds"] = json!(run.rounds.len() - 1);
                            v["smp"]["stop"] = json!(crate::forecast::stop_keyword(run.stop));
                            v["smp"]["work"] = json!(run.work);
                        }
                        if let Some(run) = &sp.eum {
                            v["eum"]["rounds"] = json!(run.rounds.len() - 1);
                            v["eum"]["stop"] = json!(crate::forecast::stop_keyword(run.stop));
                        }
                    }
                    PointModel::Vote(vote) => {
                        v["model"] = json!("vote");
                        let shares: Map<String, Value> = vote
                            .shares
                            .iter()
                            .enumerate()
                            .map(|(k, &x)| (self.option(f, k), jnum(x)))
                            .collect();
                        v["shares"] = Value::Object(shares);
                        v["winners"] = json!(
                            vote.winners.iter().map(|&k| self.option(f, k)).collect::<Vec<_>>()
                        );
                        v["condorcet"] = json!(vote.condorcet.map(|k| self.option(f, k)));
                    }
                    PointModel::Nobody => v["model"] = json!("none"),
                }
                v
            })
            .collect();
        let disagree: Vec<&str> = self
            .points
            .iter()
            .filter(|f| !Self::agree(f))
            .map(|f| s.issues()[f.issue].id.as_str())
            .collect();
        json!({
            "model": Model::as_str(self.model),
            "scenario": s.meta().name,
            "by_point": true,
            "parties": self.ids(&self.counted),
            "actors_in_file": s.parties().len(),
            "seed": self.params.seed,
            "transitions": self.params.transitions.keyword(),
            "max_rounds": self.params.max_rounds,
            "max_work": self.params.max_work,
            "points": points,
            "disagree": disagree,
        })
    }

    fn text(&self) -> String {
        let s = &self.scenario;
        let mut out = String::new();
        let n = |k: &str| self.points.iter().filter(|f| kind(s, f) == k).count();
        let (scale, axis, unordered, none) = (n("scale"), n("axis"), n("unordered"), n("none"));
        let mut how = vec![];
        if scale + axis > 0 {
            how.push(format!(
                "{} by the spatial models ({} on a scale, {} on an axis)",
                scale + axis,
                scale,
                axis
            ));
        }
        if unordered > 0 {
            how.push(format!("{unordered} by the weighted vote (unordered options)"));
        }
        if none > 0 {
            how.push(format!("{none} not forecast (no counted party stands on it)"));
        }
        let _ = writeln!(
            out,
            "{}: {}, {}, forecast point by point: {}. Forecast: model {} on the spatial points.",
            s.meta().name,
            count(self.counted.len(), "party", "parties"),
            count(self.points.len(), "point", "points"),
            and_list(&how),
            Model::as_str(self.model),
        );
        if self.counted.len() < s.parties().len() {
            let _ = writeln!(
                out,
                "{} of {} counted ({}): the others are left out of the models.",
                self.counted.len(),
                count(s.parties().len(), "party", "parties"),
                and_list(&self.ids(&self.counted))
            );
        }
        out.push('\n');
        let mut t = Table::new(
            ["point", "how", "parties", "forecast", "models agree"].map(String::from).to_vec(),
        );
        for f in &self.points {
            t.row(vec![
                s.issues()[f.issue].id.clone(),
                kind(s, f).to_string(),
                f.parties.len().to_string(),
                self.forecast(f).unwrap_or_else(|| "-".to_string()),
                match f.model {
                    PointModel::Nobody => "-".to_string(),
                    _ if Self::agree(f) => "yes".to_string(),
                    _ => "no".to_string(),
                },
            ]);
        }
        out.push_str(&t.render("  "));
        out.push('\n');
        if scale + axis > 0 {
            out.push_str(
                "Spatial points: a party stands at its ideal on a scale, at its best option's position on an axis (the mean of its best options' positions on a tie), with its weight on the point as a share of its total weight for salience and its capability; the point's axis runs from 0 (its lowest option) to 100 (its highest). Each model lands on the option nearest its position (on a tie, the option listed first; on a scale, the lower grid point). The SMP's position is its expected one (each final position weighted by its probability of winning); an option's probability is that of the final positions nearest it. The expected utility model's (eum) is the weighted median of its last positions.\n\n",
            );
            for f in &self.points {
                if let PointModel::Spatial(sp) = &f.model {
                    let _ = writeln!(out, "{}", self.spatial_line(f, sp));
                }
            }
            out.push('\n');
        }
        if unordered > 0 {
            out.push_str(
                "Unordered points: a weighted vote. Each party scores the options by its own values rescaled to 0-1 (its best option 1, its worst 0), with capability x salience as its power; an option's share is its score over all scores. The pairwise-majority check says whether the vote's winner also beats every other option one on one (parties weighted by power).\n\n",
            );
            for f in &self.points {
                if let PointModel::Vote(v) = &f.model {
                    let _ = writeln!(out, "{}", self.vote_line(f, v));
                }
            }
            out.push('\n');
        }
        let split: Vec<String> = self
            .points
            .iter()
            .filter(|f| !Self::agree(f))
            .map(|f| {
                let id = &s.issues()[f.issue].id;
                match &f.model {
                    PointModel::Spatial(sp) => format!("{id} ({})", self.spatial_split(f, sp)),
                    PointModel::Vote(v) => format!("{id} ({})", self.vote_split(f, v)),
                    PointModel::Nobody => id.clone(),
                }
            })
            .collect();
        let forecast = self.points.iter().filter(|f| f.model != PointModel::Nobody).count();
        if split.is_empty() {
            let _ = writeln!(out, "The models agree on every point forecast ({forecast}).");
        } else {
            let _ = writeln!(
                out,
                "The models disagree on {} of {}: {}.",
                split.len(),
                count(forecast, "point", "points"),
                split.join("; ")
            );
        }
        out
    }
}
