//! Forecasts point by point, for scenarios the joint 0-100 run cannot take (discrete
//! points, parties without a stance on some point): each point is forecast on its own, by
//! the counted parties that hold a stance on it with a weight above 0.
//!
//! - A **scale** point, or a discrete point whose options are ordered on an **axis**, is
//!   spatial: each party stands at its ideal (a scale) or at the axis position of its best
//!   option (the mean position of its best options when several tie), mapped onto 0-100
//!   from the lowest to the highest option; its salience is its weight on the point as a
//!   share of its total weight, times 100; its capability is the scenario's. The SMP (when
//!   at least two parties stand on the point), the compromise and the weighted median run
//!   on that one dimension, and each model's outcome is the option nearest its position
//!   (on a tie, the option listed first; on a scale, the nearest grid point, the lower on
//!   a tie). The expected utility model ([`crate::run_eum`], saliences divided by 100, its
//!   own budget and `max_rounds` from the parameters) runs beside them when at least two
//!   parties stand on the point. The SMP's outcome is its expected position (each distinct final position
//!   weighted by its probability of winning); each option's probability is the sum of the
//!   probabilities of the final positions nearest to it.
//! - A discrete point **without an axis** is forecast by the weighted vote of
//!   [`crate::discrete`], with capability x salience as each party's power.
//!
//! The SMP runs share one work budget ([`SmpParams::max_work`]): each point's run gets what
//! the points before it left.

use detente_core::{IssueKind, Preference, Scenario};

use crate::discrete::{Vote, Voter, vote};
use crate::error::{Error, ErrorKind};
use crate::eum::{EumInput, EumParams, EumRun, run_eum};
use crate::input::{Actor, SmpInput};
use crate::model::{SmpRun, run_smp};
use crate::params::SmpParams;
use crate::{compromise, weighted_median};

/// How one point was forecast.
#[derive(Clone, Debug, PartialEq)]
pub enum PointModel {
    /// Spatial models on a scale or an axis.
    Spatial(Box<Spatial>),
    /// The weighted vote over unordered options.
    Vote(Vote),
    /// No counted party holds a stance with a weight above 0 on the point: no forecast.
    Nobody,
}

/// The forecast of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct PointForecast {
    /// The issue's index in the scenario.
    pub issue: usize,
    /// The parties that stand on the point (counted, with a stance of weight above 0), by
    /// index in the scenario, in the scenario's order.
    pub parties: Vec<usize>,
    /// Each party's power (capability x salience, salience on 0-100), in `parties`' order.
    pub power: Vec<f64>,
    /// The model that ran and what it says.
    pub model: PointModel,
}

/// The spatial models on one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Spatial {
    /// One dimension (the issue id), the point's parties as actors (named by party id).
    pub input: SmpInput,
    /// For an axis, each option's position on 0-100; empty for a scale.
    pub options: Vec<f64>,
    /// The SMP's run; `None` when fewer than two parties stand on the point.
    pub smp: Option<SmpRun>,
    /// The expected utility model's run; `None` when fewer than two parties stand on it.
    pub eum: Option<EumRun>,
    /// Where each model puts the outcome, on 0-100: SMP (its expected position; the lone
    /// party's position without a run), compromise, weighted median, expected utility
    /// model (the weighted median of its last positions; the lone party's position).
    pub at: [f64; 4],
    /// The option each model lands on (a grid index for a scale), in the order of `at`.
    pub lands: [usize; 4],
}

/// The names of the spatial models, in the order of [`Spatial::at`].
pub const SPATIAL_MODELS: [&str; 4] = ["smp", "compromise", "median", "eum"];

impl Spatial {
    /// Each option the SMP's final positions land on, with its probability (the sum of
    /// theirs), in option order; empty without a run.
    pub fn probabilities(&self, scenario: &Scenario, issue: usize) -> Vec<(usize, f64)> {
        let Some(run) = &self.smp else { return vec![] };
        let mut p: Vec<(usize, f64)> = Vec::new();
        for c in &run.last().contenders {
            let k = land(scenario, issue, &self.options, c.position[0]);
            match p.iter_mut().find(|(o, _)| *o == k) {
                Some((_, q)) => *q += c.probability,
                None => p.push((k, c.probability)),
            }
        }
        p.sort_by_key(|&(k, _)| k);
        p
    }

    /// Whether the three models land on the same option.
    pub fn agree(&self) -> bool {
        self.lands.iter().all(|&k| k == self.lands[0])
    }
}

/// The option of issue `issue` nearest `x` on 0-100 (`options`: an axis's positions on
/// 0-100; ignored for a scale, whose nearest grid point is taken).
pub fn land(scenario: &Scenario, issue: usize, options: &[f64], x: f64) -> usize {
    let issue = &scenario.issues()[issue];
    match &issue.kind {
        IssueKind::Scale { min, max, step, .. } => {
            let value = min + x / 100.0 * (max - min);
            let n = issue.n_options();
            // The nearer grid point, the lower on a tie.
            let k = ((value - min) / step - 0.5).ceil().max(0.0) as usize;
            k.min(n.saturating_sub(1))
        }
        IssueKind::Discrete { .. } => {
            let mut best = 0;
            for (k, &p) in options.iter().enumerate() {
                if (p - x).abs() < (options[best] - x).abs() {
                    best = k;
                }
            }
            best
        }
    }
}

/// Forecasts every point of `scenario` with the parties at the indices `parties` (the
/// rule is in the [module documentation](self)); `params` drive each SMP run, their work
/// budget shared by all runs.
///
/// Fails when an index names no party, or when a point's SMP run fails (its opening does
/// not fit in what is left of the work budget, a limit); the message names the point.
pub fn forecast_points(
    scenario: &Scenario,
    parties: &[usize],
    params: &SmpParams,
) -> Result<Vec<PointForecast>, Error> {
    if let Some(&p) = parties.iter().find(|&&p| p >= scenario.parties().len()) {
        return Err(Error::new(
            ErrorKind::Unknown,
            format!("party index {p}: the scenario has {} parties", scenario.parties().len()),
        ));
    }
    let mut counted = parties.to_vec();
    counted.sort_unstable();
    counted.dedup();
    let total_weight: Vec<f64> = (0..scenario.parties().len())
        .map(|p| scenario.stances()[p].iter().flatten().map(|s| s.weight).sum())
        .collect();
    let mut used = 0u64;
    let mut out = Vec::with_capacity(scenario.issues().len());
    for (i, issue) in scenario.issues().iter().enumerate() {
        let mut on = Vec::new();
        let mut power = Vec::new();
        let mut salience = Vec::new();
        for &p in &counted {
            let Some(stance) = scenario.stance(p, i) else { continue };
            if !(stance.weight > 0.0 && total_weight[p] > 0.0) {
                continue;
            }
            let s = (stance.weight / total_weight[p] * 100.0).min(100.0);
            on.push(p);
            salience.push(s);
            power.push(scenario.parties()[p].capability * s);
        }
        let axis = issue.axis();
        let model = if on.is_empty() {
            PointModel::Nobody
        } else if issue.is_scale() || axis.is_some() {
            let options = match &axis {
                Some(a) => to_0_100(a),
                None => vec![],
            };
            let positions: Vec<f64> =
                on.iter().map(|&p| position(scenario, p, i, &options)).collect();
            let input = SmpInput {
                actors: on
                    .iter()
                    .map(|&p| Actor {
                        name: scenario.parties()[p].id.clone(),
                        description: String::new(),
                        capability: scenario.parties()[p].capability,
                    })
                    .collect(),
                dimensions: vec![issue.id.clone()],
                positions: positions.iter().map(|&x| vec![x]).collect(),
                salience: salience.iter().map(|&s| vec![s]).collect(),
            };
            let smp = if on.len() >= 2 {
                let mut params = params.clone();
                params.max_work = params.max_work.saturating_sub(used);
                let run = run_smp(&input, &params).map_err(|e| {
                    Error::new(e.kind(), format!("point {:?}: {}", issue.id, e.message()))
                })?;
                used = used.saturating_add(run.work);
                Some(run)
            } else {
                None
            };
            let smp_at = match &smp {
                Some(run) => run.last().expected()[0],
                None => positions[0],
            };
            let eum = if on.len() >= 2 {
                let e = EumInput {
                    positions: positions.clone(),
                    capabilities: on.iter().map(|&p| scenario.parties()[p].capability).collect(),
                    saliences: salience.iter().map(|s| s / 100.0).collect(),
                };
                let eum_params =
                    EumParams { max_rounds: params.max_rounds, ..EumParams::default() };
                Some(run_eum(&e, &eum_params).map_err(|e| {
                    Error::new(e.kind(), format!("point {:?}: {}", issue.id, e.message()))
                })?)
            } else {
                None
            };
            let eum_at = eum.as_ref().map_or(positions[0], EumRun::forecast);
            let at = [smp_at, compromise(&input)[0], weighted_median(&input)[0], eum_at];
            let lands = at.map(|x| land(scenario, i, &options, x));
            PointModel::Spatial(Box::new(Spatial { input, options, smp, eum, at, lands }))
        } else {
            let voters: Vec<Voter> = on
                .iter()
                .zip(&power)
                .map(|(&p, &power)| Voter { power, values: scenario.values(p, i).to_vec() })
                .collect();
            PointModel::Vote(vote(issue.n_options(), &voters))
        };
        out.push(PointForecast { issue: i, parties: on, power, model });
    }
    Ok(out)
}

/// Axis positions mapped onto 0-100, lowest to highest (all at 0 for a single option).
fn to_0_100(axis: &[f64]) -> Vec<f64> {
    let lo = axis.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = axis.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    axis.iter().map(|&x| if hi > lo { (x - lo) / (hi - lo) * 100.0 } else { 0.0 }).collect()
}

/// Party `p`'s position on point `i`, on 0-100: its ideal on a scale, else the mean axis
/// position of its best options.
fn position(scenario: &Scenario, p: usize, i: usize, options: &[f64]) -> f64 {
    let issue = &scenario.issues()[i];
    if let (Some(stance), IssueKind::Scale { min, max, .. }) = (scenario.stance(p, i), &issue.kind)
        && let Preference::Ideal { ideal, .. } = stance.preference
    {
        return if max > min {
            ((ideal - min) / (max - min) * 100.0).clamp(0.0, 100.0)
        } else {
            0.0
        };
    }
    let values = scenario.values(p, i);
    let best = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let at: Vec<f64> =
        options.iter().zip(values).filter(|(_, v)| **v == best).map(|(x, _)| *x).collect();
    if at.is_empty() { 0.0 } else { at.iter().sum::<f64>() / at.len() as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::{Issue, Meta, Party, Role, Stance};

    /// Three parties on an axis a < b < c (listed c, a, b) and an unordered point.
    fn toy() -> Scenario {
        let mut axis = Issue::discrete("ax", "Axis", &["c", "a", "b"]);
        if let IssueKind::Discrete { options } = &mut axis.kind {
            for (o, x) in options.iter_mut().zip([10.0, 0.0, 2.0]) {
                o.position = Some(x);
            }
        }
        let free = Issue::discrete("free", "Free", &["x", "y"]);
        let parties = vec![
            Party::new("p", "P", Role::Principal, 1.0, 0.0),
            Party::new("q", "Q", Role::Principal, 0.5, 0.0),
            Party::new("r", "R", Role::Principal, 0.2, 0.0),
        ];
        let stances = vec![
            vec![
                Some(Stance::values(1.0, vec![0.0, 1.0, 0.5])),
                Some(Stance::values(1.0, vec![1.0, 0.0])),
            ],
            vec![
                Some(Stance::values(3.0, vec![0.0, 0.2, 1.0])),
                Some(Stance::values(1.0, vec![0.0, 1.0])),
            ],
            vec![Some(Stance::values(1.0, vec![1.0, 0.0, 0.0])), None],
        ];
        Scenario::new(Meta::named("t"), parties, vec![axis, free], stances, vec![], vec![]).unwrap()
    }

    #[test]
    fn an_axis_is_spatial_and_lands_on_the_nearest_option() {
        let s = toy();
        let f = forecast_points(&s, &[0, 1, 2], &SmpParams::default()).unwrap();
        let PointModel::Spatial(sp) = &f[0].model else { panic!("{:?}", f[0].model) };
        // Options on 0-100: c = 100, a = 0, b = 20; p at a, q at b, r at c.
        assert_eq!(sp.options, vec![100.0, 0.0, 20.0]);
        assert_eq!(sp.input.positions, vec![vec![0.0], vec![20.0], vec![100.0]]);
        // Saliences: p 50 (1 of 2), q 75 (3 of 4), r 100 (its only stance).
        assert_eq!(sp.input.salience, vec![vec![50.0], vec![75.0], vec![100.0]]);
        assert_eq!(f[0].power, vec![50.0, 37.5, 20.0]);
        // Compromise: (50 x 0 + 37.5 x 20 + 20 x 100) / 107.5 = 25.58: nearest b (20).
        assert!((sp.at[1] - 2750.0 / 107.5).abs() < 1e-9);
        assert_eq!(sp.lands[1], 2);
        // Median: p holds 50 of 107.5, p and q 87.5: at q's 20, option b.
        assert_eq!(sp.lands[2], 2);
        let p: f64 = sp.probabilities(&s, 0).iter().map(|(_, q)| q).sum();
        assert!((p - 1.0).abs() < 1e-9);
        assert!(sp.smp.is_some());
    }

    #[test]
    fn unordered_points_vote_and_parties_without_stance_stay_out() {
        let s = toy();
        let f = forecast_points(&s, &[0, 1, 2], &SmpParams::default()).unwrap();
        assert_eq!(f[1].parties, vec![0, 1]);
        let PointModel::Vote(v) = &f[1].model else { panic!() };
        // p: power 1 x 50 for x; q: 0.5 x 25 for y.
        assert_eq!(v.winners, vec![0]);
        assert_eq!(v.condorcet, Some(0));
        // Counting r alone: it holds no stance on the free point.
        let f = forecast_points(&s, &[2], &SmpParams::default()).unwrap();
        assert_eq!(f[1].model, PointModel::Nobody);
        let PointModel::Spatial(sp) = &f[0].model else { panic!() };
        assert!(sp.smp.is_none());
        assert_eq!(sp.lands, [0, 0, 0, 0]);
        assert!(sp.eum.is_none());
        assert!(forecast_points(&s, &[3], &SmpParams::default()).is_err());
    }

    #[test]
    fn a_tie_lands_on_the_option_listed_first() {
        let s = toy();
        // Options at 100 (c), 0 (a), 20 (b): 10 is as near a as b, 60 as near b as c.
        let axis = [100.0, 0.0, 20.0];
        assert_eq!(land(&s, 0, &axis, 10.0), 1);
        assert_eq!(land(&s, 0, &axis, 60.0), 0);
        assert_eq!(land(&s, 0, &axis, 10.5), 2);
        // A party torn between its two best options stands between them.
        let mut parts = s.into_parts();
        parts.stances[0][0] = Some(Stance::values(1.0, vec![0.0, 1.0, 1.0]));
        let s = Scenario::from_parts(parts).unwrap();
        let f = forecast_points(&s, &[0, 1], &SmpParams::default()).unwrap();
        let PointModel::Spatial(sp) = &f[0].model else { panic!() };
        assert_eq!(sp.input.positions[0], vec![10.0]);
    }

    #[test]
    fn scales_land_on_the_nearest_grid_point() {
        let issue = Issue::scale("s", "S", "u", 20.0, 80.0, 5.0);
        let parties = vec![
            Party::new("p", "P", Role::Principal, 1.0, 0.0),
            Party::new("q", "Q", Role::Principal, 1.0, 0.0),
        ];
        let stances = vec![
            vec![Some(Stance::ideal(1.0, 20.0, 10.0))],
            vec![Some(Stance::ideal(1.0, 35.0, 10.0))],
        ];
        let s =
            Scenario::new(Meta::named("t"), parties, vec![issue], stances, vec![], vec![]).unwrap();
        // 27.5 is halfway between 25 and 30: the lower.
        assert_eq!(land(&s, 0, &[], 12.5), 1);
        assert_eq!(land(&s, 0, &[], 12.6), 2);
        assert_eq!(land(&s, 0, &[], 0.0), 0);
        assert_eq!(land(&s, 0, &[], 100.0), 12);
        let f = forecast_points(&s, &[0, 1], &SmpParams::default()).unwrap();
        let PointModel::Spatial(sp) = &f[0].model else { panic!() };
        // The compromise is 27.5 (12.5 on 0-100): grid point 25.
        assert_eq!(sp.lands[1], 1);
    }
}
