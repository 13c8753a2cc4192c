//! The exact values at which verdicts flip.
//!
//! A party's verdict on a proposal ([`detente_analysis::evaluate`]) compares two utilities with
//! its reservation `r`: the worst fill of the open points (`utility_min`) and the best fill that
//! keeps its red lines (`best_kept`, `utility_max` when no open point touches a red line). It
//! rejects when a red line is crossed whatever the numbers or `best_kept < r - EPS`; it depends
//! on the open points when some fill falls short (`utility_min < r - EPS`) or could cross a red
//! line; it accepts otherwise. Only the party's own estimates enter these comparisons, so only
//! they can flip its verdict; its capability never does.
//!
//! For one estimate `x` (all else at its point estimate) each utility is a simple function of
//! `x`, and the points where it meets `r - EPS` have a closed form:
//! - a reservation: `r = u + EPS` for each of the two utilities;
//! - a weight, normalised: `u(w) = (A + w c) / (B + w)` (the other issues' weighted values `A`
//!   and weights `B`, the issue's value `c`), monotone in `w`, so `w = (θ B - A) / (c - θ)`
//!   with `θ = r - EPS`; raw: `u(w) = A + w c`, so `w = (θ - A) / c`;
//! - a value of an option: `u = K + W g(v)` with `g(v) = v` (the settled option), `min(v, m)`
//!   or `max(v, M)` (an open point's worst option, or its best option within the red lines),
//!   so `v = (θ - K) / W` (and the kinks `m`, `M`);
//! - an ideal or a tolerance on a scale: a value is `max(0, 1 - d / t)` for the distance `d` of
//!   the point (the settled one, the farthest end of the scale for the worst fill, the nearest
//!   point within the red lines for the best), so `u >= θ` exactly when `d <= t (1 - γ)` with
//!   `γ = (θ - K) / W`: for the ideal, the ends of those intervals around the points (merged
//!   where they overlap); for the tolerance, `t = d / (1 - γ)`.
//!
//! Between consecutive such points the verdict is constant; it is read once per interval at a
//! point inside it (the same comparisons as the evaluation, on the changed numbers). Walking
//! from the point estimate down and up, the first interval with another verdict gives the flip
//! in that direction: its threshold (exact up to the last bits of the double arithmetic; no
//! bisection or sampling is used), the direction, and the new verdict. A verdict that changes
//! only at the very end of the allowed values (a party's only weighted issue falling to a
//! weight of 0, which zeroes every weight) is reported as "falls to" that end.
//!
//! Each flip also carries a number to state in words ([`Flip::stated`], with [`Flip::decimals`]):
//! the shortest decimal with at least two decimals, on the flipped side of the threshold, at
//! which the evaluation itself (the scenario with the estimate set by
//! [`Scenario::set_estimates`], evaluated by [`detente_analysis::evaluate`]) gives the new
//! verdict; so "flips to accept if its reservation falls below 0.52" is true when 0.52 is set.
//!
//! Flips are ranked by the probability, under the estimate's own range
//! ([`detente_core::EstimateRange::spread`]), that the estimate lies beyond the threshold
//! ([`Flip::beyond`]: the distribution function below a "falls below" threshold, one less it
//! above a "rises above" one), highest first; ties (for instance every threshold outside its
//! range, at probability 0) by the distance from the point estimate to the threshold in widths
//! of the range ([`Flip::widths`], nearest first; infinite for an estimate without a range),
//! then by the estimate's place in [`Scenario::estimates`], then falls before rises.

use detente_analysis::{EPS, Evaluation, Reason, Verdict};
use detente_core::{
    Estimate, EstimateRange, IssueKind, Preference, RedLineRef, Scenario, Term, UtilityForm,
    reaches,
};
use detente_words::{DECIMALS, and_list, num_with, possessive};

use crate::Error;

/// Which way an estimate must move to flip a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// The verdict flips when the estimate is below the threshold.
    FallsBelow,
    /// The verdict flips when the estimate is above the threshold.
    RisesAbove,
    /// The verdict flips only at the lowest allowed value, which the threshold is.
    FallsTo,
    /// The verdict flips only at the highest allowed value, which the threshold is.
    RisesTo,
}

impl Direction {
    /// `falls_below`, `rises_above`, `falls_to` or `rises_to` (JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::FallsBelow => "falls_below",
            Direction::RisesAbove => "rises_above",
            Direction::FallsTo => "falls_to",
            Direction::RisesTo => "rises_to",
        }
    }

    /// `falls below`, `rises above`, `falls to` or `rises to` (prose).
    pub fn words(self) -> &'static str {
        match self {
            Direction::FallsBelow => "falls below",
            Direction::RisesAbove => "rises above",
            Direction::FallsTo => "falls to",
            Direction::RisesTo => "rises to",
        }
    }

    /// Whether the estimate must fall (rather than rise) to flip the verdict.
    pub fn falls(self) -> bool {
        matches!(self, Direction::FallsBelow | Direction::FallsTo)
    }
}

/// One value at which one estimate flips a verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flip {
    /// The estimate, with its point estimate and range.
    pub range: EstimateRange,
    /// The value at which the verdict flips.
    pub threshold: f64,
    /// Which way the estimate must move past the threshold.
    pub direction: Direction,
    /// The verdict just past the threshold.
    pub to: Verdict,
    /// Whether the threshold lies strictly inside the estimate's range.
    pub inside: bool,
    /// The probability, under the estimate's range, that it lies beyond the threshold (the
    /// rank measure; 0 for a threshold outside the range).
    pub beyond: f64,
    /// The distance from the point estimate to the threshold, in widths of the range
    /// (`|threshold - point| / (high - low)`; infinite when the range is a single point).
    pub widths: f64,
    /// A short number on the flipped side of the threshold at which the evaluation gives
    /// [`Flip::to`]: the number to write in words.
    pub stated: f64,
    /// The decimals [`Flip::stated`] is written with (at least two).
    pub decimals: usize,
}

impl Flip {
    /// The estimate.
    pub fn estimate(&self) -> Estimate {
        self.range.estimate
    }

    /// [`Flip::stated`] written with its decimals (through `detente-words`).
    pub fn stated_words(&self) -> String {
        num_with(self.stated, self.decimals)
    }
}

/// A red line behind a verdict, with the probability that it holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RedLineHold {
    /// The red line.
    pub red_line: RedLineRef,
    /// The probability that it holds (1 unless the scenario states a doubt on it).
    pub holds: f64,
}

/// How one party's verdict on one proposal can flip.
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictSensitivity {
    /// The party.
    pub party: usize,
    /// The proposal.
    pub proposal: usize,
    /// Its verdict as the scenario stands.
    pub verdict: Verdict,
    /// Its worst utility over the open points.
    pub utility_min: f64,
    /// Its best utility over the open points.
    pub utility_max: f64,
    /// Its reservation.
    pub reservation: f64,
    /// Red lines the proposal crosses whatever the numbers (a settled term, or an open point
    /// every option of which crosses one): when there is one, the verdict is "rejects" and no
    /// estimate flips it.
    pub crossed: Vec<RedLineHold>,
    /// Red lines some way of settling an open point would cross: while there is one, no
    /// estimate makes the party accept.
    pub at_risk: Vec<RedLineHold>,
    /// Every flip of every estimate of the party (at most one each way per estimate),
    /// ranked as the module documentation says.
    pub flips: Vec<Flip>,
    /// The party's estimates that flip nothing within their allowed values.
    pub steady: Vec<Estimate>,
}

impl VerdictSensitivity {
    /// The flip most likely within its range (the first in rank), if any.
    pub fn nearest(&self) -> Option<&Flip> {
        self.flips.first()
    }
}

/// The sensitivity of the verdicts of some parties on one proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct ProposalSensitivity {
    /// The proposal.
    pub proposal: usize,
    /// One per party asked for, in the order asked.
    pub verdicts: Vec<VerdictSensitivity>,
}

/// The sensitivity of each party's verdict in `parties` on proposal `proposal`.
///
/// # Errors
/// If `proposal` or a party is out of range.
pub fn sensitivity(
    s: &Scenario,
    proposal: usize,
    parties: &[usize],
) -> Result<ProposalSensitivity, Error> {
    if let Some(&p) = parties.iter().find(|&&p| p >= s.parties().len()) {
        return Err(Error::new(format!(
            "party index {p} out of range (the scenario has {})",
            s.parties().len()
        )));
    }
    let eval = detente_analysis::evaluate(s, proposal)?;
    let estimates = s.estimates();
    let mut scratch = s.clone();
    let verdicts = parties
        .iter()
        .map(|&p| verdict_sensitivity(s, &mut scratch, &eval, &estimates, p))
        .collect::<Result<_, _>>()?;
    Ok(ProposalSensitivity { proposal, verdicts })
}

/// The sensitivity of party `p`'s verdict in `eval`; `scratch` is a copy of `s` (left as it
/// was) on which stated numbers are checked by the evaluation itself.
fn verdict_sensitivity(
    s: &Scenario,
    scratch: &mut Scenario,
    eval: &Evaluation,
    estimates: &[EstimateRange],
    p: usize,
) -> Result<VerdictSensitivity, Error> {
    let pe = &eval.parties[p];
    let hold = |red_line| RedLineHold { red_line, holds: s.uncertainty().holds(red_line) };
    let mut crossed = vec![];
    let mut at_risk = vec![];
    for r in &pe.reasons {
        match *r {
            Reason::RedLineBroken { issue, red_line } => {
                crossed.push(hold(RedLineRef { party: p, issue, index: red_line }))
            }
            Reason::OpenRedLineCrossed { issue } => {
                crossed.extend(open_red_lines(s, p, issue).into_iter().map(hold))
            }
            Reason::OpenRedLineAtRisk { issue } => {
                at_risk.extend(open_red_lines(s, p, issue).into_iter().map(hold))
            }
            Reason::BelowReservation { .. } => {}
        }
    }
    let model = Model::new(s, p, &s.proposals()[eval.proposal].terms, !crossed.is_empty(), {
        !at_risk.is_empty()
    });
    let mut flips = vec![];
    let mut steady = vec![];
    for (order, range) in estimates.iter().enumerate().filter(|(_, r)| r.estimate.party() == p) {
        let found = model.flips(range.estimate, range.point, pe.verdict);
        let mut any = false;
        for (threshold, direction, to) in found {
            let Some((stated, decimals)) =
                state(s, scratch, eval.proposal, p, &model, range, threshold, direction, to)?
            else {
                continue;
            };
            any = true;
            let (low, high) = (range.spread.low(), range.spread.high());
            let cdf = range.spread.cdf(range.point, threshold);
            let beyond = if direction.falls() { cdf } else { 1.0 - cdf };
            let widths = if high > low {
                (threshold - range.point).abs() / (high - low)
            } else {
                f64::INFINITY
            };
            flips.push((
                order,
                Flip {
                    range: *range,
                    threshold,
                    direction,
                    to,
                    inside: low < threshold && threshold < high,
                    beyond,
                    widths,
                    stated,
                    decimals,
                },
            ));
        }
        if !any {
            steady.push(range.estimate);
        }
    }
    flips.sort_by(|(oa, a), (ob, b)| {
        b.beyond
            .total_cmp(&a.beyond)
            .then(a.widths.total_cmp(&b.widths))
            .then(oa.cmp(ob))
            .then(a.direction.cmp(&b.direction))
    });
    Ok(VerdictSensitivity {
        party: p,
        proposal: eval.proposal,
        verdict: pe.verdict,
        utility_min: pe.utility_min,
        utility_max: pe.utility_max,
        reservation: pe.reservation,
        crossed,
        at_risk,
        flips: flips.into_iter().map(|(_, f)| f).collect(),
        steady,
    })
}

/// The red lines of party `p` on issue `i` that some option of it crosses.
fn open_red_lines(s: &Scenario, p: usize, i: usize) -> Vec<RedLineRef> {
    let mut out: Vec<RedLineRef> = (0..s.issues()[i].n_options())
        .flat_map(|k| s.red_lines_broken(p, i, k))
        .map(|index| RedLineRef { party: p, issue: i, index })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The number to state for a flip: the fewest decimals (two at least) on the flipped side of
/// the threshold at which the evaluation gives the new verdict.
#[allow(clippy::too_many_arguments)]
fn state(
    s: &Scenario,
    scratch: &mut Scenario,
    proposal: usize,
    p: usize,
    model: &Model<'_>,
    range: &EstimateRange,
    threshold: f64,
    direction: Direction,
    to: Verdict,
) -> Result<Option<(f64, usize)>, Error> {
    let e = range.estimate;
    let (lo, hi) = s.bounds(e);
    let mut flips_at = |x: f64| -> Result<bool, Error> {
        let allowed = x >= lo && x <= hi && !(matches!(e, Estimate::Tolerance { .. }) && x <= 0.0);
        if !allowed || model.verdict(e, x) != to {
            return Ok(false);
        }
        let ok = match scratch.set_estimates(&[(e, x)]) {
            Ok(()) => detente_analysis::evaluate(scratch, proposal)?.parties[p].verdict == to,
            Err(_) => false,
        };
        scratch.set_estimates(&[(e, range.point)])?;
        Ok(ok)
    };
    match direction {
        Direction::FallsTo | Direction::RisesTo => {
            return Ok(Some((threshold, decimals_of(threshold))));
        }
        Direction::FallsBelow | Direction::RisesAbove => {}
    }
    let down = direction.falls();
    // The nearest short decimal past the threshold; where the utility is nearly flat in the
    // estimate (a weight far outside its range) the evaluation's double arithmetic blurs the
    // threshold, so numbers a little farther past it are tried too.
    for rel in [0.0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4] {
        let step = rel * threshold.abs().max(1.0);
        let target = if down { threshold - step } else { threshold + step };
        for d in DECIMALS..=15 {
            let x = beyond_at(target, d, down);
            if flips_at(x)? {
                return Ok(Some((x, d)));
            }
        }
    }
    Ok(None)
}

/// The number with `d` decimals nearest `t` strictly below it (`down`) or above it.
fn beyond_at(t: f64, d: usize, down: bool) -> f64 {
    let x: f64 = num_with(t, d).parse().unwrap_or(t);
    if (down && x < t) || (!down && x > t) {
        return x;
    }
    let unit = 10f64.powi(d as i32);
    let k = (x * unit).round() + if down { -1.0 } else { 1.0 };
    num_with(k / unit, d).parse().unwrap_or(t)
}

/// The fewest decimals (two at least) that write `x` so that it reads back exactly.
fn decimals_of(x: f64) -> usize {
    (DECIMALS..=40).find(|&d| num_with(x, d).parse::<f64>() == Ok(x)).unwrap_or(40)
}

/// Party `p`'s verdict on a list of terms as a function of one of its estimates: the same
/// comparisons as the evaluation, on the changed number, without building a scenario.
struct Model<'a> {
    s: &'a Scenario,
    p: usize,
    terms: &'a [Term],
    normalised: bool,
    /// Weights as written (0 where the party has no stance).
    raw_weights: Vec<f64>,
    /// Their sum, in issue order (as the scenario normalises them).
    total: f64,
    /// For each open issue, which options keep the party's red lines.
    allowed: Vec<Vec<bool>>,
    /// A red line is crossed whatever the numbers.
    broken: bool,
    /// Some way of settling an open point would cross a red line.
    risky: bool,
    reservation: f64,
}

impl<'a> Model<'a> {
    fn new(s: &'a Scenario, p: usize, terms: &'a [Term], broken: bool, risky: bool) -> Model<'a> {
        let raw_weights: Vec<f64> =
            s.stances()[p].iter().map(|st| st.as_ref().map_or(0.0, |st| st.weight)).collect();
        let total = s.stances()[p].iter().flatten().map(|st| st.weight).sum();
        let allowed = terms
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                Term::Open => (0..s.issues()[i].n_options()).map(|k| s.allowed(p, i, k)).collect(),
                Term::Set(_) => vec![],
            })
            .collect();
        Model {
            s,
            p,
            terms,
            normalised: s.meta().utility == UtilityForm::Normalised,
            raw_weights,
            total,
            allowed,
            broken,
            risky,
            reservation: s.parties()[p].reservation,
        }
    }

    /// The party's weight of issue `j` with `over` set.
    fn weight(&self, j: usize, over: Option<(Estimate, f64)>) -> f64 {
        match over {
            Some((Estimate::Weight { issue, .. }, x)) => {
                let w = if j == issue { x } else { self.raw_weights[j] };
                if !self.normalised {
                    return w;
                }
                let total = self.total - self.raw_weights[issue] + x;
                if total > 0.0 && self.s.stance(self.p, j).is_some() { w / total } else { 0.0 }
            }
            _ => self.s.weight(self.p, j),
        }
    }

    /// The party's value of option `k` of issue `i` with `over` set.
    fn value(&self, i: usize, k: usize, over: Option<(Estimate, f64)>) -> f64 {
        let Some((e, x)) = over.filter(|(e, _)| e.issue() == Some(i)) else {
            return self.s.value(self.p, i, k);
        };
        let (ideal, tolerance) = match self.s.stance(self.p, i).map(|st| &st.preference) {
            Some(Preference::Ideal { ideal, tolerance }) => (*ideal, *tolerance),
            _ => (0.0, 1.0),
        };
        let scaled = |ideal: f64, tolerance: f64| {
            let at = self.s.issues()[i].scale_value(k).unwrap_or(ideal);
            (1.0 - (at - ideal).abs() / tolerance).max(0.0)
        };
        match e {
            Estimate::Value { option, .. } if option == k => x,
            Estimate::Ideal { .. } => scaled(x, tolerance),
            Estimate::Tolerance { .. } => scaled(ideal, x),
            _ => self.s.value(self.p, i, k),
        }
    }

    /// Issue `i`'s value in the worst fill and in the best fill within the red lines, and
    /// its highest value.
    fn select(&self, i: usize, over: Option<(Estimate, f64)>) -> (f64, f64, f64) {
        match self.terms[i] {
            Term::Set(k) => {
                let v = self.value(i, k, over);
                (v, v, v)
            }
            Term::Open => {
                let (mut lo, mut hi, mut kept) = (f64::INFINITY, f64::NEG_INFINITY, None::<f64>);
                for k in 0..self.s.issues()[i].n_options() {
                    let v = self.value(i, k, over);
                    lo = lo.min(v);
                    hi = hi.max(v);
                    if self.allowed[i][k] {
                        kept = Some(kept.map_or(v, |m| m.max(v)));
                    }
                }
                (lo, kept.unwrap_or(hi), hi)
            }
        }
    }

    /// The worst utility and the best within the red lines, with `over` set, as the
    /// evaluation adds them (issue order; the best kept at most the best).
    fn utilities(&self, over: Option<(Estimate, f64)>) -> (f64, f64) {
        // From the party's bias (0 unless raw), as the evaluation starts.
        let bias = self.s.bias(self.p);
        let (mut lo, mut kept, mut hi) = (bias, bias, bias);
        for i in 0..self.terms.len() {
            let w = self.weight(i, over);
            let (a, b, c) = self.select(i, over);
            lo += w * a;
            kept += w * b;
            hi += w * c;
        }
        (lo, f64::min(kept, hi))
    }

    /// The verdict with estimate `e` set to `x`.
    fn verdict(&self, e: Estimate, x: f64) -> Verdict {
        let (lo, kept) = self.utilities(Some((e, x)));
        let r = if matches!(e, Estimate::Reservation { .. }) { x } else { self.reservation };
        if self.broken || !reaches(kept, r) {
            Verdict::Rejects
        } else if self.risky || !reaches(lo, r) {
            Verdict::Depends
        } else {
            Verdict::Accepts
        }
    }

    /// The party's bias and the other issues' sums for the worst and the best kept utility
    /// (current weights).
    fn others(&self, i: usize) -> (f64, f64) {
        let bias = self.s.bias(self.p);
        let (mut lo, mut kept) = (bias, bias);
        for j in (0..self.terms.len()).filter(|&j| j != i) {
            let w = self.s.weight(self.p, j);
            let (a, b, _) = self.select(j, None);
            lo += w * a;
            kept += w * b;
        }
        (lo, kept)
    }

    /// Every value of `e` at which the worst or the best kept utility may meet the
    /// reservation (a superset: values where nothing happens are harmless).
    fn candidates(&self, e: Estimate) -> Vec<f64> {
        let theta = self.reservation - EPS;
        let mut out = vec![];
        match e {
            Estimate::Capability { .. } => {}
            Estimate::Reservation { .. } => {
                let (lo, kept) = self.utilities(None);
                out.extend([lo + EPS, kept + EPS]);
            }
            Estimate::Weight { issue: i, .. } => {
                let (c_lo, c_kept, _) = self.select(i, None);
                if self.normalised {
                    let (mut a_lo, mut a_kept, mut b) = (0.0, 0.0, 0.0);
                    for j in (0..self.terms.len()).filter(|&j| j != i) {
                        let w = self.raw_weights[j];
                        let (x, y, _) = self.select(j, None);
                        a_lo += w * x;
                        a_kept += w * y;
                        b += w;
                    }
                    for (a, c) in [(a_lo, c_lo), (a_kept, c_kept)] {
                        if c != theta {
                            out.push((theta * b - a) / (c - theta));
                        }
                    }
                } else {
                    let (a_lo, a_kept) = self.others(i);
                    for (a, c) in [(a_lo, c_lo), (a_kept, c_kept)] {
                        if c != 0.0 {
                            out.push((theta - a) / c);
                        }
                    }
                }
            }
            Estimate::Value { issue: i, .. } => {
                let w = self.s.weight(self.p, i);
                if w != 0.0 {
                    let (k_lo, k_kept) = self.others(i);
                    out.extend([(theta - k_lo) / w, (theta - k_kept) / w]);
                    out.extend_from_slice(self.s.values(self.p, i));
                }
            }
            Estimate::Ideal { issue: i, .. } | Estimate::Tolerance { issue: i, .. } => {
                self.scale_candidates(e, i, theta, &mut out);
            }
        }
        out.retain(|x| x.is_finite());
        out
    }

    fn scale_candidates(&self, e: Estimate, i: usize, theta: f64, out: &mut Vec<f64>) {
        let w = self.s.weight(self.p, i);
        let issue = &self.s.issues()[i];
        let Some(Preference::Ideal { ideal, tolerance }) =
            self.s.stance(self.p, i).map(|st| &st.preference)
        else {
            return;
        };
        let IssueKind::Scale { .. } = issue.kind else { return };
        if w <= 0.0 {
            return;
        }
        let n = issue.n_options();
        let at = |k: usize| issue.scale_value(k).unwrap_or(*ideal);
        let (first, last) = (at(0), at(n - 1));
        // The points whose distance decides each utility: worst fill, best kept fill.
        let kept: Vec<f64> = match self.terms[i] {
            Term::Set(k) => vec![at(k)],
            Term::Open => {
                let allowed: Vec<f64> = (0..n).filter(|&k| self.allowed[i][k]).map(at).collect();
                if allowed.is_empty() { (0..n).map(at).collect() } else { allowed }
            }
        };
        let (k_lo, k_kept) = self.others(i);
        for (worst, k) in [(true, k_lo), (false, k_kept)] {
            // u >= theta exactly when the value g >= gamma, i.e. distance <= t (1 - gamma).
            let gamma = (theta - k) / w;
            if !(gamma > 0.0 && gamma <= 1.0) {
                continue;
            }
            match (e, self.terms[i], worst) {
                (Estimate::Ideal { .. }, Term::Set(_), _) => {
                    let reach = tolerance * (1.0 - gamma);
                    out.extend([kept[0] - reach, kept[0] + reach]);
                }
                (Estimate::Ideal { .. }, Term::Open, true) => {
                    // The worst option is the farther end of the grid.
                    let reach = tolerance * (1.0 - gamma);
                    out.extend([last - reach, first + reach]);
                }
                (Estimate::Ideal { .. }, Term::Open, false) => {
                    // The best kept option is the nearest allowed point: the union of the
                    // intervals around them, merged where they overlap.
                    let reach = tolerance * (1.0 - gamma);
                    let mut iter = kept.iter();
                    let Some(&a0) = iter.next() else { continue };
                    let (mut start, mut end) = (a0 - reach, a0 + reach);
                    for &a in iter {
                        if a - reach <= end {
                            end = a + reach;
                        } else {
                            out.extend([start, end]);
                            (start, end) = (a - reach, a + reach);
                        }
                    }
                    out.extend([start, end]);
                }
                (Estimate::Tolerance { .. }, term, worst) => {
                    if gamma >= 1.0 {
                        continue;
                    }
                    let d = match (term, worst) {
                        (Term::Set(_), _) => (kept[0] - ideal).abs(),
                        (Term::Open, true) => f64::max(ideal - first, last - ideal),
                        (Term::Open, false) => {
                            kept.iter().map(|a| (a - ideal).abs()).fold(f64::INFINITY, f64::min)
                        }
                    };
                    if d > 0.0 {
                        out.push(d / (1.0 - gamma));
                    }
                }
                _ => {}
            }
        }
    }

    /// The flips of estimate `e` from its point estimate `x0` (verdict `v0` there): at most
    /// one going down and one going up.
    fn flips(&self, e: Estimate, x0: f64, v0: Verdict) -> Vec<(f64, Direction, Verdict)> {
        if matches!(e, Estimate::Capability { .. }) || self.broken {
            return vec![];
        }
        let (lo, hi) = self.s.bounds(e);
        let lo_allowed = !matches!(e, Estimate::Tolerance { .. });
        let mut cuts: Vec<f64> = self.candidates(e);
        cuts.retain(|&x| x > lo && x < hi && x != x0);
        cuts.push(x0);
        cuts.extend([lo, hi]);
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let here = cuts.iter().position(|&x| x == x0).unwrap_or(0);
        let inside = |a: f64, b: f64| -> f64 {
            match (a.is_finite(), b.is_finite()) {
                (true, true) => a + (b - a) / 2.0,
                (false, true) => b - b.abs().max(1.0),
                (true, false) => a + a.abs().max(1.0),
                (false, false) => 0.0,
            }
        };
        let mut out = vec![];
        // Down.
        let mut found = false;
        for j in (1..=here).rev() {
            let v = self.verdict(e, inside(cuts[j - 1], cuts[j]));
            if v != v0 {
                out.push((cuts[j], Direction::FallsBelow, v));
                found = true;
                break;
            }
        }
        if !found && lo_allowed && lo.is_finite() && x0 > lo {
            let v = self.verdict(e, lo);
            if v != v0 {
                out.push((lo, Direction::FallsTo, v));
            }
        }
        // Up.
        found = false;
        for j in here..cuts.len() - 1 {
            let v = self.verdict(e, inside(cuts[j], cuts[j + 1]));
            if v != v0 {
                out.push((cuts[j], Direction::RisesAbove, v));
                found = true;
                break;
            }
        }
        if !found && hi.is_finite() && x0 < hi {
            let v = self.verdict(e, hi);
            if v != v0 {
                out.push((hi, Direction::RisesTo, v));
            }
        }
        out
    }
}

/// What a verdict flips to, in words: `accept`, `reject`, `depend on the open points`.
pub fn verdict_verb(v: Verdict) -> &'static str {
    match v {
        Verdict::Accepts => "accept",
        Verdict::Rejects => "reject",
        Verdict::Depends => "depend on the open points",
    }
}

/// An estimate in words, as the party's own: `its reservation`, `its weight on SEC-01`,
/// `its value of keep on TER-01`, `its ideal on share`, `its tolerance on share`.
pub fn estimate_words(s: &Scenario, e: Estimate) -> String {
    let issue = |i: usize| &s.issues()[i].id;
    match e {
        Estimate::Reservation { .. } => "its reservation".to_string(),
        Estimate::Capability { .. } => "its capability".to_string(),
        Estimate::Weight { issue: i, .. } => format!("its weight on {}", issue(i)),
        Estimate::Value { issue: i, option, .. } => {
            format!("its value of {} on {}", s.issues()[i].option_id(option), issue(i))
        }
        Estimate::Ideal { issue: i, .. } => format!("its ideal on {}", issue(i)),
        Estimate::Tolerance { issue: i, .. } => format!("its tolerance on {}", issue(i)),
    }
}

/// One flip in words: `flips to accept if its reservation falls below 0.52`.
pub fn flip_words(s: &Scenario, f: &Flip) -> String {
    format!(
        "flips to {} if {} {} {}",
        verdict_verb(f.to),
        estimate_words(s, f.estimate()),
        f.direction.words(),
        f.stated_words()
    )
}

/// Red lines of one party in words: `its red line on SEC-01`, `its red lines on TER-02 and
/// TER-03 (which holds with probability 0.70)`; each issue once.
pub fn red_lines_words(s: &Scenario, holds: &[RedLineHold]) -> String {
    let mut issues: Vec<String> = vec![];
    for h in holds {
        let id = &s.issues()[h.red_line.issue].id;
        let doubt = if h.holds < 1.0 {
            format!(" (which holds with probability {})", detente_words::num(h.holds))
        } else {
            String::new()
        };
        let item = format!("{id}{doubt}");
        if !issues.contains(&item) {
            issues.push(item);
        }
    }
    let noun = if holds.len() == 1 { "red line" } else { "red lines" };
    format!("its {noun} on {}", and_list(&issues))
}

/// A verdict's sensitivity in one sentence, naming at most `most` flips (in rank):
/// "Russia's verdict on us-ua-20 (rejects) flips to accept if its reservation falls below
/// 0.52, or if its weight on SEC-01 falls below 2.10."; "Russia rejects us-ua-20: crosses its
/// red line on TER-01; no estimate flips it."
pub fn sentence(s: &Scenario, v: &VerdictSensitivity, most: usize) -> String {
    let name = &s.parties()[v.party].name;
    let proposal = &s.proposals()[v.proposal].id;
    if !v.crossed.is_empty() {
        return format!(
            "{name} rejects {proposal}: it crosses {}; no estimate flips it.",
            red_lines_words(s, &v.crossed)
        );
    }
    let mut out = format!("{} verdict on {proposal} ({})", possessive(name), v.verdict.as_str());
    if v.flips.is_empty() {
        out.push_str(" flips with no estimate within its allowed values");
    } else {
        let mut last = None;
        for (n, f) in v.flips.iter().take(most).enumerate() {
            if n > 0 {
                out.push_str(", or");
            }
            if last != Some(f.to) {
                out.push_str(&format!(" flips to {}", verdict_verb(f.to)));
                last = Some(f.to);
            }
            out.push_str(&format!(
                " if {} {} {}",
                estimate_words(s, f.estimate()),
                f.direction.words(),
                f.stated_words()
            ));
        }
        if v.flips.len() > most {
            let more = v.flips.len() - most;
            out.push_str(&format!(
                " ({} more {})",
                more,
                detente_words::noun(more, "flip", "flips")
            ));
        }
    }
    if !v.at_risk.is_empty() && v.verdict == Verdict::Depends {
        out.push_str(&format!(
            "; no estimate makes it accept while settling an open point could cross {}",
            red_lines_words(s, &v.at_risk)
        ));
    }
    out.push('.');
    out
}

#[cfg(test)]
mod tests;
