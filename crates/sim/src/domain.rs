//! The outcome space of a scenario as negotiators see it: outcome ids, utilities, red
//! lines, and "an outcome worth about `u` to me".
//!
//! A [`Domain`] is built once per scenario and shared (behind an `Arc`) by every session
//! of a tournament, so its precomputation is paid once per (scenario, party).
//!
//! # Outcome ids
//! An outcome is one option per issue; its [`OutcomeId`] is the mixed-radix number with
//! issue 0 as the most significant digit: `id = ((k_0 * r_1 + k_1) * r_2 + k_2) ...` with
//! `r_i` the number of options of issue `i`. Ids run over `0..n_outcomes`, and sorting ids
//! sorts outcomes lexicographically. Scenarios with more than `u64::MAX` outcomes are
//! refused.
//!
//! # Utilities
//! [`Domain::utility`] equals [`Scenario::utility`] to the last bit (the bias plus the
//! contributions added in issue order). An outcome is *allowed* for a party when it keeps
//! the party's red lines, and *acceptable* when it is allowed and worth at least the
//! party's reservation (exactly `u >= reservation`, as NegMAS compares).
//!
//! # Inverting utility
//! Up to [`DomainOptions::table_limit`] outcomes (default 1,000,000) each party gets a
//! table: every outcome's utility and its allowed outcomes sorted by utility (ties by id),
//! so "the outcomes worth between `a` and `b`" is two binary searches. Beyond the limit,
//! [`Domain::outcome_at_least`] and [`Domain::closest_at_least`] use a documented
//! approximation over the additive structure: start from the party's best outcome, visit
//! the issues (in a random order, or in issue order for the deterministic variant), and on
//! each issue move to the allowed option with the lowest contribution that keeps the
//! utility at or above the target. The result is worth at least the target (up to the
//! rounding of the running sum) but not necessarily the least such outcome.

use std::sync::{Arc, OnceLock};

use detente_analysis::{FrontierOptions, FrontierSize, frontier};
use detente_core::{Outcome, Scenario};

use crate::{Error, ErrorKind, Rng};

/// An outcome as a mixed-radix number (see the module documentation).
pub type OutcomeId = u64;

/// Limits of [`Domain::with_options`].
#[derive(Clone, Debug, PartialEq)]
pub struct DomainOptions {
    /// Outcome spaces up to this size get per-party sorted utility tables; larger ones use
    /// the approximate additive inverter. Default 1,000,000.
    pub table_limit: u64,
    /// The budgets of the frontier and Nash point agreements are measured against
    /// ([`Domain::reference`]). Default: [`FrontierOptions::default`].
    pub frontier: FrontierOptions,
}

impl Default for DomainOptions {
    fn default() -> DomainOptions {
        DomainOptions { table_limit: 1_000_000, frontier: FrontierOptions::default() }
    }
}

/// The negotiation among some of a scenario's parties (indices, in the order given): the
/// same issues and stances, only these parties, and no proposals (a proposal may name a
/// party left out). Errors when `parties` is empty, repeats a party or is out of range.
pub fn among(s: &Scenario, parties: &[usize]) -> Result<Scenario, Error> {
    let bad = |m: String| Err(Error::new(ErrorKind::InvalidConfig, m));
    if parties.is_empty() {
        return bad("a negotiation needs at least one party".to_string());
    }
    let mut seen = vec![false; s.parties().len()];
    for &p in parties {
        match seen.get_mut(p) {
            None => return bad(format!("party {p} is out of range")),
            Some(x) if *x => return bad(format!("party {p} is named twice")),
            Some(x) => *x = true,
        }
    }
    Scenario::new(
        s.meta().clone(),
        parties.iter().map(|&p| s.parties()[p].clone()).collect(),
        s.issues().to_vec(),
        parties.iter().map(|&p| s.stances()[p].clone()).collect(),
        vec![],
        s.sources().to_vec(),
    )
    .map_err(|e| Error::new(ErrorKind::InvalidConfig, e.to_string()))
}

/// The exact reference points agreements are measured against, computed once per domain by
/// [`detente_analysis::frontier`].
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The utility vectors of the Pareto frontier of the rational outcomes, when the frontier
    /// could be listed exactly (`None` when it is too large to list or failed).
    pub frontier: Option<Vec<Vec<f64>>>,
    /// The Nash bargaining points (all ties), each with an outcome reaching it; empty when no
    /// outcome is rational for every party, or when the search stopped at its budget
    /// (`nash_exact` false): a point that may not be the Nash point is not used.
    pub nash: Vec<(Vec<f64>, OutcomeId)>,
    /// Whether `nash` is exactly the Nash solution (false: the search stopped at its
    /// budget, or the frontier failed).
    pub nash_exact: bool,
    /// Why the frontier could not be computed, if it could not.
    pub error: Option<String>,
}

impl Reference {
    /// The smallest Euclidean distance from `point` to a frontier point, if the frontier is
    /// listed and not empty.
    pub fn frontier_distance(&self, point: &[f64]) -> Option<f64> {
        let pts = self.frontier.as_ref()?;
        pts.iter().map(|f| distance(f, point)).min_by(f64::total_cmp)
    }

    /// The smallest Euclidean distance from `point` to a Nash point, if there is one.
    pub fn nash_distance(&self, point: &[f64]) -> Option<f64> {
        self.nash.iter().map(|(f, _)| distance(f, point)).min_by(f64::total_cmp)
    }
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// What one party's utility looks like over the outcome space.
#[derive(Debug)]
struct PartyView {
    bias: f64,
    reservation: f64,
    /// `contributions[i][k]`.
    contributions: Vec<Vec<f64>>,
    /// `allowed[i][k]`, or `None` when the party has no red line.
    allowed: Option<Vec<Vec<bool>>>,
    /// Per issue, the allowed options sorted by contribution ascending (ties by index).
    ladder: Vec<Vec<usize>>,
    /// Its best allowed outcome (per issue the allowed option with the highest
    /// contribution, lowest index on ties) and utility; `None` when nothing is allowed.
    best: Option<(OutcomeId, f64)>,
    /// The lowest utility of an allowed outcome.
    worst: f64,
    table: Option<Table>,
}

#[derive(Debug)]
struct Table {
    /// Utility of every outcome, by id.
    utils: Vec<f64>,
    /// Allowed outcome ids, ascending by utility then id.
    sorted_ids: Vec<u32>,
    /// Their utilities.
    sorted_utils: Vec<f64>,
}

/// A scenario prepared for simulation: outcome ids, per-party utility tables and the
/// reference points (frontier, Nash), shared by every session on it.
///
/// ```
/// use std::sync::Arc;
/// use detente_core::*;
/// use detente_sim::Domain;
/// let parties = vec![
///     Party::new("a", "A", Role::Principal, 1.0, 0.0),
///     Party::new("b", "B", Role::Principal, 1.0, 0.0),
/// ];
/// let issues = vec![Issue::discrete("x", "X", &["x0", "x1", "x2"])];
/// let stances = vec![
///     vec![Some(Stance::values(1.0, vec![1.0, 0.5, 0.0]))],
///     vec![Some(Stance::values(1.0, vec![0.0, 0.5, 1.0]))],
/// ];
/// let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![])?;
/// let d = Domain::new(Arc::new(s))?;
/// assert_eq!(d.n_outcomes(), 3);
/// assert_eq!(d.utility(0, 1), 0.5);
/// assert_eq!(d.best_outcome(1), Some(2));
/// assert_eq!(d.closest_at_least(0, 0.4), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Domain {
    scenario: Arc<Scenario>,
    radices: Vec<u64>,
    n_outcomes: u64,
    parties: Vec<PartyView>,
    reference: OnceLock<Reference>,
    frontier_options: FrontierOptions,
}

impl Domain {
    /// Prepares a scenario with the default [`DomainOptions`].
    pub fn new(scenario: Arc<Scenario>) -> Result<Domain, Error> {
        Domain::with_options(scenario, &DomainOptions::default())
    }

    /// Prepares a scenario: fails only when it has more than `u64::MAX` outcomes.
    pub fn with_options(scenario: Arc<Scenario>, options: &DomainOptions) -> Result<Domain, Error> {
        let radices: Vec<u64> = scenario.issues().iter().map(|i| i.n_options() as u64).collect();
        let mut n_outcomes: u64 = 1;
        for &r in &radices {
            n_outcomes = n_outcomes.checked_mul(r).ok_or_else(|| {
                Error::new(
                    ErrorKind::TooLarge,
                    "the outcome space has more than 2^64 outcomes, too many to simulate",
                )
            })?;
        }
        let tabulate = n_outcomes <= options.table_limit && n_outcomes <= u32::MAX as u64;
        let n_issues = radices.len();
        let parties = (0..scenario.parties().len())
            .map(|p| {
                let contributions: Vec<Vec<f64>> =
                    (0..n_issues).map(|i| scenario.contributions(p, i).to_vec()).collect();
                let has_red_lines =
                    scenario.stances()[p].iter().flatten().any(|s| !s.red_lines.is_empty());
                let allowed = has_red_lines.then(|| {
                    (0..n_issues)
                        .map(|i| {
                            (0..radices[i] as usize).map(|k| scenario.allowed(p, i, k)).collect()
                        })
                        .collect::<Vec<Vec<bool>>>()
                });
                let ladder: Vec<Vec<usize>> = (0..n_issues)
                    .map(|i| {
                        let mut opts: Vec<usize> = (0..radices[i] as usize)
                            .filter(|&k| allowed.as_ref().is_none_or(|a| a[i][k]))
                            .collect();
                        opts.sort_by(|&a, &b| {
                            contributions[i][a].total_cmp(&contributions[i][b]).then(a.cmp(&b))
                        });
                        opts
                    })
                    .collect();
                let bias = scenario.bias(p);
                let best = if ladder.iter().any(Vec::is_empty) {
                    None
                } else {
                    let mut id = 0u64;
                    let mut u = bias;
                    for i in 0..n_issues {
                        let top = *ladder[i].last().unwrap_or(&0);
                        let c = contributions[i][top];
                        // the lowest index among the options tied at the top
                        let k = ladder[i]
                            .iter()
                            .copied()
                            .filter(|&k| contributions[i][k] == c)
                            .min()
                            .unwrap_or(top);
                        id = id * radices[i] + k as u64;
                        u += c;
                    }
                    Some((id, u))
                };
                let worst = ladder.iter().enumerate().fold(bias, |u, (i, l)| {
                    u + l.first().map(|&k| contributions[i][k]).unwrap_or(0.0)
                });
                let mut view = PartyView {
                    bias,
                    reservation: scenario.parties()[p].reservation,
                    contributions,
                    allowed,
                    ladder,
                    best,
                    worst,
                    table: None,
                };
                if tabulate {
                    view.table = Some(build_table(&view, &radices));
                }
                view
            })
            .collect();
        Ok(Domain {
            scenario,
            radices,
            n_outcomes,
            parties,
            reference: OnceLock::new(),
            frontier_options: options.frontier.clone(),
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// The number of parties.
    pub fn n_parties(&self) -> usize {
        self.parties.len()
    }

    /// The number of outcomes (the product of the option counts).
    pub fn n_outcomes(&self) -> u64 {
        self.n_outcomes
    }

    /// Whether the parties' utilities are tabulated (exact inversion) rather than inverted
    /// approximately.
    pub fn is_tabulated(&self) -> bool {
        self.parties.first().is_some_and(|v| v.table.is_some())
    }

    /// The id of an outcome, or `None` if it does not fit the issues.
    pub fn encode(&self, outcome: &Outcome) -> Option<OutcomeId> {
        if outcome.options().len() != self.radices.len() {
            return None;
        }
        let mut id = 0u64;
        for (&k, &r) in outcome.options().iter().zip(&self.radices) {
            if k as u64 >= r {
                return None;
            }
            id = id * r + k as u64;
        }
        Some(id)
    }

    /// The outcome with this id (`id < n_outcomes`; larger ids wrap around).
    pub fn decode(&self, id: OutcomeId) -> Outcome {
        let mut options = vec![0usize; self.radices.len()];
        self.decode_into(id, &mut options);
        Outcome::new_unchecked(options)
    }

    fn decode_into(&self, mut id: OutcomeId, options: &mut [usize]) {
        for (slot, &r) in options.iter_mut().zip(&self.radices).rev() {
            *slot = (id % r) as usize;
            id /= r;
        }
    }

    /// Party `p`'s utility of an outcome, bit for bit [`Scenario::utility`].
    pub fn utility(&self, p: usize, id: OutcomeId) -> f64 {
        let v = &self.parties[p];
        if let Some(t) = &v.table {
            return t.utils[id as usize];
        }
        let mut digits = [0usize; 64];
        let n = self.radices.len();
        if n <= 64 {
            self.decode_into(id, &mut digits[..n]);
            additive(v, &digits[..n])
        } else {
            additive(v, self.decode(id).options())
        }
    }

    /// Whether the outcome keeps every red line of party `p`.
    pub fn allowed(&self, p: usize, id: OutcomeId) -> bool {
        let Some(allowed) = &self.parties[p].allowed else { return true };
        let mut id = id;
        for (i, &r) in self.radices.iter().enumerate().rev() {
            if !allowed[i][(id % r) as usize] {
                return false;
            }
            id /= r;
        }
        true
    }

    /// Whether the outcome keeps every red line of party `p` and is worth at least its
    /// reservation (`u >= reservation`, no tolerance).
    pub fn acceptable(&self, p: usize, id: OutcomeId) -> bool {
        self.allowed(p, id) && self.utility(p, id) >= self.parties[p].reservation
    }

    /// Party `p`'s reservation utility (what it gets with no agreement; NegMAS's
    /// `reserved_value`). See also [`Domain::concession_floor`].
    pub fn reservation(&self, p: usize) -> f64 {
        self.parties[p].reservation
    }

    /// Party `p`'s best allowed outcome (per issue the allowed option contributing most,
    /// the lowest index on ties), or `None` when its red lines allow no outcome.
    pub fn best_outcome(&self, p: usize) -> Option<OutcomeId> {
        self.parties[p].best.map(|b| b.0)
    }

    /// Party `p`'s highest utility over its allowed outcomes (its bias if none is allowed).
    pub fn best_utility(&self, p: usize) -> f64 {
        self.parties[p].best.map_or(self.parties[p].bias, |b| b.1)
    }

    /// Party `p`'s lowest utility over its allowed outcomes.
    pub fn worst_utility(&self, p: usize) -> f64 {
        self.parties[p].worst
    }

    /// The floor of the concession curves: `max(reservation, worst utility)`, the least a
    /// time-based negotiator ever asks for. Not the reservation itself
    /// ([`Domain::reservation`], NegMAS's `reserved_value`), which may lie below every
    /// outcome.
    pub fn concession_floor(&self, p: usize) -> f64 {
        let v = &self.parties[p];
        if v.reservation > v.worst { v.reservation } else { v.worst }
    }

    /// A uniformly random outcome of the whole space.
    pub fn random_outcome(&self, rng: &mut Rng) -> OutcomeId {
        rng.below(self.n_outcomes)
    }

    /// A random outcome acceptable to party `p`: uniform over its acceptable outcomes when
    /// tabulated; otherwise up to 64 uniform draws, then [`Domain::outcome_at_least`] at
    /// its reservation. `None` when nothing is allowed for `p`.
    pub fn random_acceptable(&self, p: usize, rng: &mut Rng) -> Option<OutcomeId> {
        let v = &self.parties[p];
        v.best?;
        if let Some(t) = &v.table {
            let lo = t.sorted_utils.partition_point(|&u| u < v.reservation);
            if lo == t.sorted_ids.len() {
                return self.best_outcome(p);
            }
            let j = lo + rng.below((t.sorted_ids.len() - lo) as u64) as usize;
            return Some(t.sorted_ids[j] as u64);
        }
        for _ in 0..64 {
            let id = self.random_outcome(rng);
            if self.acceptable(p, id) {
                return Some(id);
            }
        }
        self.outcome_at_least(p, v.reservation, 0.0, rng)
    }

    /// An allowed outcome worth at least `target` to party `p`, chosen at random among
    /// those worth at most `target + band` (exact when tabulated); when there is none in
    /// the band, the least outcome worth at least `target`; when `target` is above the
    /// best utility, the best outcome. Beyond the table limit, the approximate inverter
    /// (module documentation) with a random issue order. `None` only when party `p`'s red
    /// lines allow no outcome.
    pub fn outcome_at_least(
        &self,
        p: usize,
        target: f64,
        band: f64,
        rng: &mut Rng,
    ) -> Option<OutcomeId> {
        let v = &self.parties[p];
        let (best_id, best_u) = v.best?;
        if target >= best_u {
            return Some(best_id);
        }
        if let Some(t) = &v.table {
            let lo = t.sorted_utils.partition_point(|&u| u < target);
            if lo == t.sorted_ids.len() {
                return Some(best_id);
            }
            let hi = lo + t.sorted_utils[lo..].partition_point(|&u| u <= target + band);
            let j = if hi > lo + 1 { lo + rng.below((hi - lo) as u64) as usize } else { lo };
            return Some(t.sorted_ids[j] as u64);
        }
        let mut order: Vec<usize> = (0..self.radices.len()).collect();
        for i in (1..order.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        Some(self.greedy_down(p, target, &order))
    }

    /// The allowed outcome worth the least among those worth at least `target` to party
    /// `p` (ties by lowest id), deterministic; the best outcome when `target` is above
    /// it. Beyond the table limit, the approximate inverter with issues in order.
    pub fn closest_at_least(&self, p: usize, target: f64) -> Option<OutcomeId> {
        let v = &self.parties[p];
        let (best_id, best_u) = v.best?;
        if target >= best_u {
            return Some(best_id);
        }
        if let Some(t) = &v.table {
            let lo = t.sorted_utils.partition_point(|&u| u < target);
            return Some(if lo == t.sorted_ids.len() { best_id } else { t.sorted_ids[lo] as u64 });
        }
        let order: Vec<usize> = (0..self.radices.len()).collect();
        Some(self.greedy_down(p, target, &order))
    }

    fn greedy_down(&self, p: usize, target: f64, order: &[usize]) -> OutcomeId {
        let v = &self.parties[p];
        let (best_id, best_u) = v.best.unwrap_or((0, v.bias));
        let mut digits = self.decode(best_id).into_options();
        let mut u = best_u;
        for &i in order {
            let cur = v.contributions[i][digits[i]];
            let slack = u - target;
            // the lowest contribution c with c >= cur - slack
            let ladder = &v.ladder[i];
            let j = ladder.partition_point(|&k| v.contributions[i][k] < cur - slack);
            if let Some(&k) = ladder.get(j)
                && v.contributions[i][k] < cur
            {
                digits[i] = k;
                u = u - cur + v.contributions[i][k];
            }
        }
        let mut id = 0u64;
        for (&k, &r) in digits.iter().zip(&self.radices) {
            id = id * r + k as u64;
        }
        id
    }

    /// A neighbour of an outcome for the mediator: one issue with more than one option,
    /// chosen uniformly, moved to a different option chosen uniformly. The outcome itself
    /// when every issue has a single option.
    pub fn neighbour(&self, id: OutcomeId, rng: &mut Rng) -> OutcomeId {
        let movable: Vec<usize> =
            (0..self.radices.len()).filter(|&i| self.radices[i] > 1).collect();
        if movable.is_empty() {
            return id;
        }
        let i = movable[rng.below(movable.len() as u64) as usize];
        let mut digits = self.decode(id).into_options();
        let r = self.radices[i];
        let step = 1 + rng.below(r - 1);
        digits[i] = ((digits[i] as u64 + step) % r) as usize;
        let mut out = 0u64;
        for (&k, &r) in digits.iter().zip(&self.radices) {
            out = out * r + k as u64;
        }
        out
    }

    /// The frontier and Nash reference, computed on first use (exactly, by
    /// [`detente_analysis::frontier`] with its default limits) and kept.
    pub fn reference(&self) -> &Reference {
        self.reference.get_or_init(|| match frontier(&self.scenario, &self.frontier_options) {
            Ok(f) => Reference {
                frontier: match f.size {
                    FrontierSize::Exact(_) if f.listed_all() => {
                        Some(f.points.iter().map(|pt| pt.utilities).collect())
                    }
                    FrontierSize::Exact(_) | FrontierSize::AtLeast(_) => None,
                },
                nash: if f.nash.exact {
                    f.nash
                        .points
                        .iter()
                        .filter_map(|pt| Some((pt.utilities.clone(), self.encode(&pt.outcome)?)))
                        .collect()
                } else {
                    vec![]
                },
                nash_exact: f.nash.exact,
                error: None,
            },
            Err(e) => Reference {
                frontier: None,
                nash: vec![],
                nash_exact: false,
                error: Some(e.to_string()),
            },
        })
    }
}

fn additive(v: &PartyView, digits: &[usize]) -> f64 {
    let mut u = v.bias;
    for (i, &k) in digits.iter().enumerate() {
        u += v.contributions[i][k];
    }
    u
}

fn build_table(v: &PartyView, radices: &[u64]) -> Table {
    // Expand issue by issue from the bias: the sums are formed in issue order, exactly as
    // `Scenario::utility` forms them, and ids come out in ascending order.
    let mut utils = vec![v.bias];
    let mut ok = v.allowed.as_ref().map(|_| vec![true]);
    for (i, &r) in radices.iter().enumerate() {
        let c = &v.contributions[i];
        let mut next = Vec::with_capacity(utils.len() * r as usize);
        for &u in &utils {
            for &ck in c {
                next.push(u + ck);
            }
        }
        utils = next;
        if let (Some(ok_prev), Some(allowed)) = (&ok, &v.allowed) {
            let mut next = Vec::with_capacity(ok_prev.len() * r as usize);
            for &o in ok_prev {
                for &a in &allowed[i] {
                    next.push(o && a);
                }
            }
            ok = Some(next);
        }
    }
    let mut sorted_ids: Vec<u32> = match &ok {
        Some(ok) => (0..utils.len() as u32).filter(|&j| ok[j as usize]).collect(),
        None => (0..utils.len() as u32).collect(),
    };
    sorted_ids.sort_by(|&a, &b| utils[a as usize].total_cmp(&utils[b as usize]).then(a.cmp(&b)));
    let sorted_utils = sorted_ids.iter().map(|&j| utils[j as usize]).collect();
    Table { utils, sorted_ids, sorted_utils }
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_testkit::{GenConfig, random_scenario};

    fn domains(seed: u64) -> (Domain, Domain) {
        let s = Arc::new(random_scenario(seed, &GenConfig::new(2, 3, 4)));
        let tab = Domain::new(s.clone()).unwrap();
        let approx =
            Domain::with_options(s, &DomainOptions { table_limit: 0, ..DomainOptions::default() })
                .unwrap();
        (tab, approx)
    }

    #[test]
    fn a_nash_point_not_found_exactly_is_not_measured_against() {
        let cfg = GenConfig { red_line_chance: 0.0, ..GenConfig::new(2, 6, 6) };
        let s = Arc::new(random_scenario(3, &cfg));
        let tight = FrontierOptions {
            max_points: 1,
            max_work: 1,
            max_nodes: 1,
            max_search_work: 1,
            ..FrontierOptions::default()
        };
        let d = Domain::with_options(
            s.clone(),
            &DomainOptions { frontier: tight, ..DomainOptions::default() },
        )
        .unwrap();
        let r = d.reference();
        assert!(!r.nash_exact, "a one-node budget cannot prove the Nash point");
        assert!(r.nash.is_empty());
        assert_eq!(r.nash_distance(&[0.5, 0.5]), None);
        assert_eq!(r.frontier, None);
        let full = Domain::new(s).unwrap();
        assert!(full.reference().nash_exact);
        assert!(!full.reference().nash.is_empty());
    }

    #[test]
    fn ids_round_trip_and_utilities_match_the_scenario_bit_for_bit() {
        for seed in 0..20 {
            let (tab, approx) = domains(seed);
            assert!(tab.is_tabulated() && !approx.is_tabulated());
            let s = tab.scenario().clone();
            for id in 0..tab.n_outcomes() {
                let o = tab.decode(id);
                assert_eq!(tab.encode(&o), Some(id));
                for p in 0..2 {
                    let u = s.utility(p, &o);
                    assert_eq!(tab.utility(p, id).to_bits(), u.to_bits());
                    assert_eq!(approx.utility(p, id).to_bits(), u.to_bits());
                    let allowed = o.options().iter().enumerate().all(|(i, &k)| s.allowed(p, i, k));
                    assert_eq!(tab.allowed(p, id), allowed);
                }
            }
        }
    }

    #[test]
    fn inversion_finds_the_least_outcome_above_the_target() {
        for seed in 0..20 {
            let (tab, approx) = domains(seed);
            for p in 0..2 {
                let Some(best) = tab.best_outcome(p) else {
                    assert!(approx.best_outcome(p).is_none());
                    continue;
                };
                assert_eq!(approx.best_outcome(p), Some(best));
                for step in 0..=10 {
                    // the top target may round above the best utility: then the best is given
                    let target = tab.worst_utility(p)
                        + (tab.best_utility(p) - tab.worst_utility(p)) * step as f64 / 10.0;
                    let exact = (0..tab.n_outcomes())
                        .filter(|&id| tab.allowed(p, id) && tab.utility(p, id) >= target)
                        .min_by(|&a, &b| {
                            tab.utility(p, a).total_cmp(&tab.utility(p, b)).then(a.cmp(&b))
                        })
                        .unwrap_or(best);
                    assert_eq!(tab.closest_at_least(p, target), Some(exact));
                    let a = approx.closest_at_least(p, target).unwrap();
                    assert!(approx.allowed(p, a));
                    assert!(approx.utility(p, a) >= target.min(approx.best_utility(p)) - 1e-9);
                    let mut rng = Rng::new(seed);
                    let r = tab.outcome_at_least(p, target, 0.1, &mut rng).unwrap();
                    assert!(
                        tab.allowed(p, r) && tab.utility(p, r) >= target.min(tab.best_utility(p))
                    );
                    let r = approx.outcome_at_least(p, target, 0.1, &mut rng).unwrap();
                    assert!(
                        approx.allowed(p, r)
                            && approx.utility(p, r) >= target.min(approx.best_utility(p)) - 1e-9
                    );
                }
            }
        }
    }

    #[test]
    fn too_many_outcomes_are_refused() {
        let s = random_scenario(1, &GenConfig { scale_chance: 0.0, ..GenConfig::new(2, 70, 2) });
        let err = Domain::new(Arc::new(s)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge);
    }

    #[test]
    fn neighbours_differ_in_one_issue() {
        let (tab, _) = domains(3);
        let mut rng = Rng::new(1);
        for id in 0..tab.n_outcomes() {
            let n = tab.neighbour(id, &mut rng);
            let (a, b) = (tab.decode(id).into_options(), tab.decode(n).into_options());
            assert_eq!(a.iter().zip(&b).filter(|(x, y)| x != y).count(), 1);
        }
    }
}
