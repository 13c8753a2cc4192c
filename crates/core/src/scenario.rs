//! The scenario: everything together, checked once, with its derived tables.

use crate::{
    Error, Estimate, EstimateRange, Grade, History, Issue, IssueKind, IssueOption,
    MAX_SCALE_POINTS, Origin, Outcome, Party, Preference, Proposal, RedLine, RedLineKind,
    RedLineRef, Source, Spread, Stance, Term, Uncertainty, scale_points,
};

/// How a party's stances add up to its utility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum UtilityForm {
    /// Weights normalised to sum to 1, values in `[0, 1]`: utilities in `[0, 1]`.
    #[default]
    Normalised,
    /// Raw weights and values, plus each party's bias, summed left to right (GENIUS and
    /// NegMAS semantics).
    Raw,
}

impl UtilityForm {
    /// The name used in files: `normalised` or `raw`.
    pub fn as_str(self) -> &'static str {
        match self {
            UtilityForm::Normalised => "normalised",
            UtilityForm::Raw => "raw",
        }
    }

    /// Reads the name used in files.
    pub fn parse(s: &str) -> Option<UtilityForm> {
        match s {
            "normalised" => Some(UtilityForm::Normalised),
            "raw" => Some(UtilityForm::Raw),
            _ => None,
        }
    }
}

/// Scenario-wide settings and descriptions.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Meta {
    /// How stances add up to utilities.
    pub utility: UtilityForm,
    /// Short name, e.g. `ukraine-2025`.
    pub name: String,
    /// Title.
    pub title: String,
    /// Free text.
    pub description: Option<String>,
    /// The date the scenario describes the talks as of.
    pub as_of: Option<String>,
}

impl Meta {
    /// Meta with a name and the same title.
    pub fn named(name: &str) -> Meta {
        Meta { name: name.to_string(), title: name.to_string(), ..Meta::default() }
    }
}

/// A whole negotiation: parties, issues, stances, proposals and sources.
///
/// Invariants (checked by [`Scenario::new`]): at least one party and one issue; ids unique;
/// `stances[p][i]` exists for every party `p` and issue `i`; every index in range; every
/// number finite; weights `>= 0`; values and reservations in `[0, 1]`; scale grids well formed
/// with at most [`MAX_SCALE_POINTS`] points; preferences match their issue's kind; proposals
/// have one term per issue and amend only earlier proposals; every stated range and doubt
/// names an estimate or red line that exists, holds its point estimate and stays within the
/// estimate's allowed values.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    meta: Meta,
    parties: Vec<Party>,
    issues: Vec<Issue>,
    stances: Vec<Vec<Option<Stance>>>,
    proposals: Vec<Proposal>,
    sources: Vec<Source>,
    uncertainty: Uncertainty,
    /// The dated record: revisions and events.
    history: History,
    /// Red lines taken as not holding (a draw of their doubts), sorted; empty unless set by
    /// [`Scenario::suspend_red_lines`].
    suspended: Vec<RedLineRef>,
    /// `values[p][i][k]`: party p's value of option k of issue i (0 when no stance).
    values: Vec<Vec<Vec<f64>>>,
    /// `weights[p][i]`: normalised weight (sums to 1 over issues, or all 0), or raw weight.
    weights: Vec<Vec<f64>>,
    /// `contributions[p][i][k] = weights[p][i] * values[p][i][k]`.
    contributions: Vec<Vec<Vec<f64>>>,
}

/// The parts of a [`Scenario`], taken apart to be changed and checked again.
///
/// A scenario's fields are private so that what exists is valid and its derived tables
/// (values, weights, contributions) cannot go stale. Code that must change a scenario (an
/// importer, a revision, a test building a bad case) takes it apart with
/// [`Scenario::into_parts`], changes the parts, and builds it again with
/// [`Scenario::from_parts`], which checks every invariant as [`Scenario::new`] does.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioParts {
    /// Descriptive fields.
    pub meta: Meta,
    /// The parties.
    pub parties: Vec<Party>,
    /// The issues.
    pub issues: Vec<Issue>,
    /// `stances[party_idx][issue_idx]`; `None` when no stance is recorded (weight 0).
    pub stances: Vec<Vec<Option<Stance>>>,
    /// The proposals, each amending only earlier ones.
    pub proposals: Vec<Proposal>,
    /// The sources cited by the evidence.
    pub sources: Vec<Source>,
    /// How sure the numbers are (no stated range or doubt by default).
    pub uncertainty: Uncertainty,
    /// The dated record: revisions of stances and reservations, and events (none by
    /// default). The stances above are the first known state.
    pub history: History,
}

impl Scenario {
    /// Builds a scenario, checking every invariant listed on [`Scenario`]; its numbers have no
    /// stated range (see [`Scenario::from_parts`] for one with an [`Uncertainty`]).
    pub fn new(
        meta: Meta,
        parties: Vec<Party>,
        issues: Vec<Issue>,
        stances: Vec<Vec<Option<Stance>>>,
        proposals: Vec<Proposal>,
        sources: Vec<Source>,
    ) -> Result<Scenario, Error> {
        let uncertainty = Uncertainty::default();
        Scenario::from_parts(ScenarioParts {
            meta,
            parties,
            issues,
            stances,
            proposals,
            sources,
            uncertainty,
            history: History::default(),
        })
    }

    /// Builds a scenario from its parts, checking every invariant listed on [`Scenario`].
    pub fn from_parts(parts: ScenarioParts) -> Result<Scenario, Error> {
        check(
            parts.meta.utility,
            &parts.parties,
            &parts.issues,
            &parts.stances,
            &parts.proposals,
            &parts.sources,
        )?;
        crate::history::check(&parts)?;
        let ScenarioParts {
            meta,
            parties,
            issues,
            stances,
            proposals,
            sources,
            uncertainty,
            history,
        } = parts;
        let mut s = Scenario {
            meta,
            parties,
            issues,
            stances,
            proposals,
            sources,
            uncertainty: Uncertainty::default(),
            history,
            suspended: vec![],
            values: vec![],
            weights: vec![],
            contributions: vec![],
        };
        for p in 0..s.parties.len() {
            s.values.push(vec![]);
            s.weights.push(vec![]);
            s.contributions.push(vec![]);
            s.derive(p);
        }
        s.check_uncertainty(&uncertainty)?;
        s.uncertainty = uncertainty;
        Ok(s)
    }

    /// Computes party `p`'s derived tables (values, weights, contributions) from its stances,
    /// in place (reusing the tables' memory: a Monte Carlo draw calls it for every party).
    pub(crate) fn derive(&mut self, p: usize) {
        let row = &self.stances[p];
        let total: f64 = row.iter().flatten().map(|s| s.weight).sum();
        let form = self.meta.utility;
        let weights = &mut self.weights[p];
        weights.clear();
        weights.extend(row.iter().map(|s| match (s, form) {
            (Some(s), UtilityForm::Raw) => s.weight,
            (Some(s), UtilityForm::Normalised) if total > 0.0 => s.weight / total,
            _ => 0.0,
        }));
        let values = &mut self.values[p];
        values.resize_with(self.issues.len(), Vec::new);
        for ((vi, s), issue) in values.iter_mut().zip(row).zip(&self.issues) {
            vi.clear();
            vi.extend((0..issue.n_options()).map(|k| match s {
                None => 0.0,
                Some(s) => preference_value(&s.preference, issue, k),
            }));
        }
        let contributions = &mut self.contributions[p];
        contributions.resize_with(self.issues.len(), Vec::new);
        for ((ci, vi), &w) in contributions.iter_mut().zip(values.iter()).zip(weights.iter()) {
            ci.clear();
            ci.extend(vi.iter().map(|&v| w * v));
        }
    }

    /// Takes the scenario apart (to change it and build it again with [`Scenario::from_parts`]).
    pub fn into_parts(self) -> ScenarioParts {
        ScenarioParts {
            meta: self.meta,
            parties: self.parties,
            issues: self.issues,
            stances: self.stances,
            proposals: self.proposals,
            sources: self.sources,
            uncertainty: self.uncertainty,
            history: self.history,
        }
    }

    /// The scenario changed by `change` and checked again (as [`Scenario::from_parts`]): the
    /// one way to change a scenario in place, so that no change skips the checks or leaves
    /// the derived tables stale.
    pub fn edit(self, change: impl FnOnce(&mut ScenarioParts)) -> Result<Scenario, Error> {
        let mut parts = self.into_parts();
        change(&mut parts);
        Scenario::from_parts(parts)
    }

    /// Descriptive fields and the utility form.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The parties.
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// The issues.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Every stance: `stances()[party_idx][issue_idx]`, `None` when no stance is recorded
    /// (weight 0). One row per party, one slot per issue.
    pub fn stances(&self) -> &[Vec<Option<Stance>>] {
        &self.stances
    }

    /// Party `p`'s stance on issue `i`, if one is recorded.
    pub fn stance(&self, p: usize, i: usize) -> Option<&Stance> {
        self.stances[p][i].as_ref()
    }

    /// The proposals, each amending only earlier ones.
    pub fn proposals(&self) -> &[Proposal] {
        &self.proposals
    }

    /// The sources cited by the evidence.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The dated record: revisions of stances and reservations, and events.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The red line `r` names, if it exists.
    pub fn red_line(&self, r: RedLineRef) -> Option<&RedLine> {
        self.stances.get(r.party)?.get(r.issue)?.as_ref()?.red_lines.get(r.index)
    }

    /// How sure the numbers are: stated ranges, doubts on red lines, widths by grade.
    pub fn uncertainty(&self) -> &Uncertainty {
        &self.uncertainty
    }

    /// Index of the party with this id.
    pub fn party_index(&self, id: &str) -> Option<usize> {
        self.parties.iter().position(|p| p.id == id)
    }

    /// Index of the issue with this id.
    pub fn issue_index(&self, id: &str) -> Option<usize> {
        self.issues.iter().position(|i| i.id == id)
    }

    /// Index of the proposal with this id.
    pub fn proposal_index(&self, id: &str) -> Option<usize> {
        self.proposals.iter().position(|p| p.id == id)
    }

    /// Party `p`'s value of option `k` of issue `i` (in `[0, 1]` for normalised utilities).
    pub fn value(&self, p: usize, i: usize, k: usize) -> f64 {
        self.values[p][i][k]
    }

    /// Party `p`'s values of every option of issue `i`.
    pub fn values(&self, p: usize, i: usize) -> &[f64] {
        &self.values[p][i]
    }

    /// Party `p`'s weight of issue `i`: normalised (a party's weights sum to 1, or are all
    /// 0) for normalised utilities, as written for raw ones.
    pub fn weight(&self, p: usize, i: usize) -> f64 {
        self.weights[p][i]
    }

    /// `weight(p, i) * value(p, i, k)`: what option `k` of issue `i` adds to party `p`'s utility.
    pub fn contribution(&self, p: usize, i: usize, k: usize) -> f64 {
        self.contributions[p][i][k]
    }

    /// Party `p`'s contributions of every option of issue `i`.
    pub fn contributions(&self, p: usize, i: usize) -> &[f64] {
        &self.contributions[p][i]
    }

    /// The constant in party `p`'s utility (0 for normalised utilities).
    pub fn bias(&self, p: usize) -> f64 {
        self.parties[p].bias
    }

    /// Party `p`'s utility of an outcome: its bias plus the contributions of the chosen
    /// options, added in issue order (in `[0, 1]` for normalised utilities).
    pub fn utility(&self, p: usize, outcome: &Outcome) -> f64 {
        let mut u = self.parties[p].bias;
        for (c, &k) in self.contributions[p].iter().zip(outcome.options()) {
            u += c[k];
        }
        u
    }

    /// Whether option `k` of issue `i` keeps every red line of party `p`.
    pub fn allowed(&self, p: usize, i: usize, k: usize) -> bool {
        self.red_lines_broken(p, i, k).is_empty()
    }

    /// The red lines of party `p` on issue `i` that option `k` breaks (indices into the
    /// stance's list); a red line suspended by [`Scenario::suspend_red_lines`] breaks nothing.
    pub fn red_lines_broken(&self, p: usize, i: usize, k: usize) -> Vec<usize> {
        let Some(stance) = &self.stances[p][i] else { return vec![] };
        let x = self.issues[i].scale_value(k);
        stance
            .red_lines
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.allows(k, x))
            .map(|(j, _)| j)
            .filter(|&index| {
                self.suspended.is_empty()
                    || self
                        .suspended
                        .binary_search(&RedLineRef { party: p, issue: i, index })
                        .is_err()
            })
            .collect()
    }

    /// Whether the outcome keeps every red line of party `p` and gives it at least its
    /// reservation (by [`reaches`]).
    pub fn accepts(&self, p: usize, outcome: &Outcome) -> bool {
        outcome.options().iter().enumerate().all(|(i, &k)| self.allowed(p, i, k))
            && reaches(self.utility(p, outcome), self.parties[p].reservation)
    }
}

/// How far below a reservation a utility may fall and still reach it: room for rounding in
/// sums of weights times values (far above it, far below any difference a person reads),
/// not a margin of judgement.
pub const RESERVATION_TOLERANCE: f64 = 1e-9;

/// Whether `utility` reaches `reservation`: detente's one rule of "acceptable" by the
/// numbers (`utility >= reservation - RESERVATION_TOLERANCE`), used by every verdict, gap,
/// deadlock and mediation. Only where detente reproduces a peer's answers bit for bit (the
/// frontier's rational outcomes and the simulated negotiators, NegMAS's `u >= reserved_value`)
/// is the comparison exact, as the peer's.
pub fn reaches(utility: f64, reservation: f64) -> bool {
    utility >= reservation - RESERVATION_TOLERANCE
}

impl Scenario {
    /// A 64-bit hash of the scenario's whole description (every party, issue, stance,
    /// proposal, source and the history), for telling apart the parts of a sharded study or
    /// tournament run on different scenarios: equal scenarios give equal fingerprints in
    /// the same build; any difference, even in a summary, almost surely changes it.
    pub fn fingerprint(&self) -> u64 {
        let text = format!("{self:?}");
        let mut h = crate::rng::mix64(text.len() as u64);
        for chunk in text.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h = crate::rng::mix64(h ^ u64::from_le_bytes(word));
        }
        h
    }
}

/// What the numbers of a scenario may be, and how sure they are.
impl Scenario {
    /// The allowed values of an estimate (inclusive bounds; a tolerance must also stay above
    /// 0): what [`Scenario::new`] accepts for it.
    pub fn bounds(&self, e: Estimate) -> (f64, f64) {
        let raw = self.meta.utility == UtilityForm::Raw;
        match e {
            Estimate::Weight { .. } | Estimate::Capability { .. } | Estimate::Tolerance { .. } => {
                (0.0, f64::INFINITY)
            }
            Estimate::Value { .. } | Estimate::Reservation { .. } if raw => {
                (f64::NEG_INFINITY, f64::INFINITY)
            }
            Estimate::Value { .. } | Estimate::Reservation { .. } => (0.0, 1.0),
            Estimate::Ideal { issue, .. } => match self.issues[issue].kind {
                IssueKind::Scale { min, max, .. } => (min, max),
                IssueKind::Discrete { .. } => (0.0, 0.0),
            },
        }
    }

    /// The number the scenario holds for `e` (its point estimate), or `None` when `e` names
    /// nothing in this scenario (a party, issue or option out of range, no stance, or a
    /// field the stance does not have).
    pub fn point(&self, e: Estimate) -> Option<f64> {
        let party = self.parties.get(e.party())?;
        let stance = match e.issue() {
            Some(i) => Some(self.stances[e.party()].get(i)?.as_ref()?),
            None => None,
        };
        match (e, stance.map(|s| &s.preference)) {
            (Estimate::Reservation { .. }, _) => Some(party.reservation),
            (Estimate::Capability { .. }, _) => Some(party.capability),
            (Estimate::Weight { .. }, _) => stance.map(|s| s.weight),
            (Estimate::Value { option, .. }, Some(Preference::Values(v))) => v.get(option).copied(),
            (Estimate::Ideal { .. }, Some(Preference::Ideal { ideal, .. })) => Some(*ideal),
            (Estimate::Tolerance { .. }, Some(Preference::Ideal { tolerance, .. })) => {
                Some(*tolerance)
            }
            _ => None,
        }
    }

    /// The grade that derives the ranges of party `p`'s estimates: its stance's grade on
    /// issue `i` for the stance's numbers; for the party's reservation and capability
    /// (`i = None`), the widest grade among its stances. A stance without a grade counts as
    /// [`Uncertainty::ungraded`]; `None` when no grade applies.
    pub fn grade_of(&self, p: usize, i: Option<usize>) -> Option<Grade> {
        let graded = |s: &Stance| s.confidence.or(self.uncertainty.ungraded);
        match i {
            Some(i) => self.stances[p][i].as_ref().and_then(graded),
            None => self.stances[p].iter().flatten().filter_map(graded).max(),
        }
    }

    /// Every estimate of the scenario with its point estimate and range, in a fixed order
    /// (party by party: reservation, capability, then each stance's weight and values, or
    /// ideal and tolerance). A range stated in the file wins; otherwise the grade's widths
    /// derive a triangular range around the point, cut to the estimate's allowed values.
    pub fn estimates(&self) -> Vec<EstimateRange> {
        // The stated ranges by estimate, found in constant time: linear in the estimates
        // however many ranges the file states.
        let stated: std::collections::HashMap<Estimate, Spread> =
            self.uncertainty.ranges.iter().map(|r| (r.estimate, r.spread)).collect();
        let mut out = vec![];
        for p in 0..self.parties.len() {
            let mut list =
                vec![Estimate::Reservation { party: p }, Estimate::Capability { party: p }];
            for (i, st) in self.stances[p].iter().enumerate() {
                let Some(st) = st else { continue };
                list.push(Estimate::Weight { party: p, issue: i });
                match &st.preference {
                    Preference::Values(v) => {
                        list.extend((0..v.len()).map(|option| Estimate::Value {
                            party: p,
                            issue: i,
                            option,
                        }))
                    }
                    Preference::Ideal { .. } => {
                        list.push(Estimate::Ideal { party: p, issue: i });
                        list.push(Estimate::Tolerance { party: p, issue: i });
                    }
                }
            }
            out.extend(list.into_iter().map(|e| self.range_of(e, stated.get(&e).copied())));
        }
        out
    }

    /// One estimate with its point estimate and range (see [`Scenario::estimates`]).
    ///
    /// # Panics
    /// If `e` names nothing in this scenario ([`Scenario::point`] is `None`).
    pub fn estimate_range(&self, e: Estimate) -> EstimateRange {
        self.range_of(e, self.uncertainty.stated(e))
    }

    /// [`Scenario::estimate_range`], given the range stated for `e` (if any).
    fn range_of(&self, e: Estimate, stated: Option<Spread>) -> EstimateRange {
        let point = self.point(e).expect("an estimate of this scenario");
        if let Some(spread) = stated {
            return EstimateRange { estimate: e, point, spread, origin: Origin::Stated };
        }
        let fixed = EstimateRange {
            estimate: e,
            point,
            spread: Spread::Triangular { low: point, high: point },
            origin: Origin::Fixed,
        };
        let Some(g) = self.grade_of(e.party(), e.issue()) else { return fixed };
        let w = self.uncertainty.widths_of(g).of(e);
        let relative = matches!(
            e,
            Estimate::Weight { .. } | Estimate::Tolerance { .. } | Estimate::Capability { .. }
        ) || self.meta.utility == UtilityForm::Raw;
        let half = match e {
            Estimate::Ideal { .. } => {
                let (lo, hi) = self.bounds(e);
                w * (hi - lo)
            }
            _ if relative => w * point.abs(),
            _ => w,
        };
        let (lo, hi) = self.bounds(e);
        let (low, high) = ((point - half).max(lo), (point + half).min(hi));
        if low == high {
            return fixed;
        }
        EstimateRange {
            estimate: e,
            point,
            spread: Spread::Triangular { low, high },
            origin: Origin::Grade(g),
        }
    }

    /// Sets estimates to new numbers in place (a draw, a what-if) and updates the derived
    /// tables of the parties touched; nothing else changes (stated ranges stay as they are,
    /// so a draw outside one is allowed).
    ///
    /// # Errors
    /// If an estimate names nothing in this scenario or a number is not finite or outside
    /// the estimate's allowed values ([`Scenario::bounds`]); the scenario is then unchanged.
    pub fn set_estimates(&mut self, changes: &[(Estimate, f64)]) -> Result<(), Error> {
        for &(e, x) in changes {
            self.check_number(e, x)?;
        }
        let mut touched = vec![false; self.parties.len()];
        for &(e, x) in changes {
            touched[e.party()] = true;
            if let Some(slot) = self.slot_mut(e) {
                *slot = x;
            }
        }
        for p in (0..touched.len()).filter(|&p| touched[p]) {
            self.derive(p);
        }
        Ok(())
    }

    /// Where the scenario holds estimate `e` (`None` when `e` names nothing in it, as for
    /// [`Scenario::point`]). Whoever writes through it calls [`Scenario::derive`] for the
    /// party before the scenario is read again.
    pub(crate) fn slot_mut(&mut self, e: Estimate) -> Option<&mut f64> {
        let p = e.party();
        let stance = match e.issue() {
            Some(i) => self.stances.get_mut(p)?.get_mut(i)?.as_mut(),
            None => None,
        };
        match (e, stance) {
            (Estimate::Reservation { .. }, _) => Some(&mut self.parties.get_mut(p)?.reservation),
            (Estimate::Capability { .. }, _) => Some(&mut self.parties.get_mut(p)?.capability),
            (Estimate::Weight { .. }, Some(st)) => Some(&mut st.weight),
            (Estimate::Value { option, .. }, Some(st)) => match &mut st.preference {
                Preference::Values(v) => v.get_mut(option),
                Preference::Ideal { .. } => None,
            },
            (Estimate::Ideal { .. }, Some(st)) => match &mut st.preference {
                Preference::Ideal { ideal, .. } => Some(ideal),
                Preference::Values(_) => None,
            },
            (Estimate::Tolerance { .. }, Some(st)) => match &mut st.preference {
                Preference::Ideal { tolerance, .. } => Some(tolerance),
                Preference::Values(_) => None,
            },
            _ => None,
        }
    }

    /// Sets the red lines taken as not holding without checking them: for a list checked
    /// once against this scenario's structure (a [`crate::Sampler`]'s doubts), sorted.
    pub(crate) fn set_suspended_checked(&mut self, sorted: impl Iterator<Item = RedLineRef>) {
        self.suspended.clear();
        self.suspended.extend(sorted);
    }

    /// Takes exactly these red lines as not holding (a draw of their doubts); every other red
    /// line holds. An empty list restores them all.
    ///
    /// # Errors
    /// If a red line does not exist; the scenario is then unchanged.
    pub fn suspend_red_lines(&mut self, red_lines: &[RedLineRef]) -> Result<(), Error> {
        for r in red_lines {
            self.red_line_exists(*r)?;
        }
        self.suspended.clear();
        self.suspended.extend_from_slice(red_lines);
        self.suspended.sort_unstable();
        self.suspended.dedup();
        Ok(())
    }

    /// The red lines taken as not holding (see [`Scenario::suspend_red_lines`]), sorted.
    pub fn suspended_red_lines(&self) -> &[RedLineRef] {
        &self.suspended
    }

    fn red_line_exists(&self, r: RedLineRef) -> Result<(), Error> {
        if self.red_line(r).is_some() {
            Ok(())
        } else {
            Err(Error::new(format!("no red line {r:?} in this scenario")))
        }
    }

    fn check_number(&self, e: Estimate, x: f64) -> Result<(), Error> {
        if self.point(e).is_none() {
            return Err(Error::new(format!("{e:?} names nothing in this scenario")));
        }
        let (lo, hi) = self.bounds(e);
        let positive = !matches!(e, Estimate::Tolerance { .. }) || x > 0.0;
        if !(x.is_finite() && x >= lo && x <= hi && positive) {
            return Err(Error::new(format!(
                "{}: {} {x} is outside its allowed values",
                self.estimate_name(e),
                e.field()
            )));
        }
        Ok(())
    }

    /// Where an estimate lives, for messages: `party russia`, `party russia issue TER-01`,
    /// `party russia issue TER-01 option keep`.
    pub fn estimate_name(&self, e: Estimate) -> String {
        let party = &self.parties[e.party()].id;
        match e {
            Estimate::Value { issue, option, .. } => format!(
                "party {party} issue {} option {}",
                self.issues[issue].id,
                self.issues[issue].option_id(option)
            ),
            _ => match e.issue() {
                Some(i) => format!("party {party} issue {}", self.issues[i].id),
                None => format!("party {party}"),
            },
        }
    }

    fn check_uncertainty(&self, u: &Uncertainty) -> Result<(), Error> {
        u.check_widths().map_err(Error::new)?;
        let mut seen = std::collections::HashSet::new();
        for r in &u.ranges {
            let e = r.estimate;
            let Some(point) = self.point(e) else {
                return Err(Error::new(format!("a stated range names no estimate ({e:?})")));
            };
            let at = || format!("{}: {}", self.estimate_name(e), e.field());
            if !seen.insert(e) {
                return Err(Error::new(format!("{}: two ranges for one estimate", at())));
            }
            let (low, high) = (r.spread.low(), r.spread.high());
            if !(low.is_finite() && high.is_finite() && low <= point && point <= high) {
                return Err(Error::new(format!(
                    "{}: the range needs finite low <= value <= high (low {low}, value {point}, high {high})",
                    at()
                )));
            }
            self.check_number(e, low).and(self.check_number(e, high)).map_err(|_| {
                Error::new(format!("{}: the range {low} to {high} leaves the allowed values", at()))
            })?;
        }
        let mut seen = std::collections::HashSet::new();
        for d in &u.doubts {
            self.red_line_exists(d.red_line)?;
            if !seen.insert(d.red_line) {
                return Err(Error::new(format!("two doubts for one red line ({:?})", d.red_line)));
            }
        }
        Ok(())
    }
}

fn preference_value(pref: &Preference, issue: &Issue, k: usize) -> f64 {
    match pref {
        Preference::Values(v) => v[k],
        Preference::Ideal { ideal, tolerance } => {
            let x = issue.scale_value(k).unwrap_or(*ideal);
            (1.0 - (x - ideal).abs() / tolerance).max(0.0)
        }
    }
}

fn finite_in(x: f64, lo: f64, hi: f64) -> bool {
    x.is_finite() && x >= lo && x <= hi
}

/// One party's numbers.
pub(crate) fn check_party(form: UtilityForm, p: &Party) -> Result<(), Error> {
    if p.discount.is_some_and(|d| !(d > 0.0 && d <= 1.0)) {
        return Err(Error::new(format!("party {}: discount must be in (0, 1]", p.id)));
    }
    if !(p.capability.is_finite() && p.capability >= 0.0) {
        return Err(Error::new(format!("party {}: capability must be finite and >= 0", p.id)));
    }
    match form {
        UtilityForm::Normalised => {
            if !finite_in(p.reservation, 0.0, 1.0) {
                return Err(Error::new(format!("party {}: reservation must be in [0, 1]", p.id)));
            }
            if p.bias != 0.0 {
                return Err(Error::new(format!(
                    "party {}: only raw utilities may have a bias",
                    p.id
                )));
            }
        }
        UtilityForm::Raw => {
            if !p.reservation.is_finite() || !p.bias.is_finite() {
                return Err(Error::new(format!(
                    "party {}: reservation and bias must be finite",
                    p.id
                )));
            }
        }
    }
    Ok(())
}

/// One stance's numbers against its issue (`at`: where, for messages).
pub(crate) fn check_stance(
    form: UtilityForm,
    issue: &Issue,
    s: &Stance,
    n_sources: usize,
    at: &str,
) -> Result<(), Error> {
    let at = || at.to_string();
    if !(s.weight.is_finite() && s.weight >= 0.0) {
        return Err(Error::new(format!("{}: weight must be finite and >= 0", at())));
    }
    match (&s.preference, &issue.kind) {
        (Preference::Values(v), IssueKind::Discrete { options }) => {
            if v.len() != options.len() {
                return Err(Error::new(format!("{}: one value per option is needed", at())));
            }
            let ok = |x: f64| match form {
                UtilityForm::Normalised => finite_in(x, 0.0, 1.0),
                UtilityForm::Raw => x.is_finite(),
            };
            if !v.iter().all(|&x| ok(x)) {
                return Err(Error::new(format!(
                    "{}: values must be {}",
                    at(),
                    match form {
                        UtilityForm::Normalised => "in [0, 1]",
                        UtilityForm::Raw => "finite",
                    }
                )));
            }
        }
        (Preference::Ideal { ideal, tolerance }, IssueKind::Scale { min, max, .. }) => {
            if !finite_in(*ideal, *min, *max) {
                return Err(Error::new(format!("{}: ideal outside the scale", at())));
            }
            if !(tolerance.is_finite() && *tolerance > 0.0) {
                return Err(Error::new(format!("{}: tolerance must be > 0", at())));
            }
        }
        _ => {
            return Err(Error::new(format!(
                "{}: preference does not match the issue's kind",
                at()
            )));
        }
    }
    for r in &s.red_lines {
        match &r.kind {
            RedLineKind::Forbid(o) | RedLineKind::Require(o) => {
                if o.iter().any(|&k| k >= issue.n_options()) {
                    return Err(Error::new(format!("{}: red line names no option", at())));
                }
            }
            RedLineKind::Bounds { min, max } => {
                if !issue.is_scale() {
                    return Err(Error::new(format!("{}: bounds need a scale issue", at())));
                }
                if min.is_some_and(|x| !x.is_finite()) || max.is_some_and(|x| !x.is_finite()) {
                    return Err(Error::new(format!("{}: bounds must be finite", at())));
                }
            }
        }
    }
    if s.evidence.iter().any(|e| e.source >= n_sources) {
        return Err(Error::new(format!("{}: evidence cites no source", at())));
    }
    Ok(())
}

fn check(
    form: UtilityForm,
    parties: &[Party],
    issues: &[Issue],
    stances: &[Vec<Option<Stance>>],
    proposals: &[Proposal],
    sources: &[Source],
) -> Result<(), Error> {
    if parties.is_empty() {
        return Err(Error::new("a scenario needs at least one party"));
    }
    if issues.is_empty() {
        return Err(Error::new("a scenario needs at least one issue"));
    }
    unique(parties.iter().map(|p| p.id.as_str()), "party")?;
    unique(issues.iter().map(|i| i.id.as_str()), "issue")?;
    unique(proposals.iter().map(|p| p.id.as_str()), "proposal")?;
    unique(sources.iter().map(|s| s.id.as_str()), "source")?;
    for p in parties {
        check_party(form, p)?;
    }
    for issue in issues {
        match &issue.kind {
            IssueKind::Discrete { options } => {
                if options.is_empty() {
                    return Err(Error::new(format!("issue {}: no options", issue.id)));
                }
                unique(options.iter().map(|o| o.id.as_str()), "option")?;
                check_axis(&issue.id, options)?;
            }
            IssueKind::Scale { min, max, step, .. } => {
                if scale_points(*min, *max, *step).is_none() {
                    return Err(Error::new(format!(
                        "issue {}: scale needs finite min <= max and a step > 0 dividing max - min into at most {} points",
                        issue.id,
                        MAX_SCALE_POINTS - 1
                    )));
                }
            }
        }
    }
    if stances.len() != parties.len() {
        return Err(Error::new("one row of stances per party is needed"));
    }
    for (p, row) in stances.iter().enumerate() {
        if row.len() != issues.len() {
            return Err(Error::new(format!(
                "party {}: one stance slot per issue is needed",
                parties[p].id
            )));
        }
        for (i, s) in row.iter().enumerate() {
            let Some(s) = s else { continue };
            let at = format!("party {} issue {}", parties[p].id, issues[i].id);
            check_stance(form, &issues[i], s, sources.len(), &at)?;
        }
    }
    for (j, prop) in proposals.iter().enumerate() {
        if prop.terms.len() != issues.len() || prop.stated.len() != issues.len() {
            return Err(Error::new(format!("proposal {}: one term per issue is needed", prop.id)));
        }
        if prop.author.is_some_and(|a| a >= parties.len()) {
            return Err(Error::new(format!("proposal {}: author out of range", prop.id)));
        }
        if prop.amends.is_some_and(|a| a >= j) {
            return Err(Error::new(format!(
                "proposal {}: may amend only a proposal listed before it",
                prop.id
            )));
        }
        for (i, t) in prop.terms.iter().enumerate() {
            if let Term::Set(k) = t
                && *k >= issues[i].n_options()
            {
                return Err(Error::new(format!(
                    "proposal {} issue {}: term out of range",
                    prop.id, issues[i].id
                )));
            }
        }
    }
    Ok(())
}

/// An issue's axis: every option placed or none, at finite and distinct positions.
fn check_axis(issue: &str, options: &[IssueOption]) -> Result<(), Error> {
    let placed = options.iter().filter(|o| o.position.is_some()).count();
    if placed == 0 {
        return Ok(());
    }
    if placed < options.len() {
        return Err(Error::new(format!(
            "issue {issue}: its axis places {placed} of {} options (place every option or none)",
            options.len()
        )));
    }
    let mut at: Vec<(f64, &str)> =
        options.iter().map(|o| (o.position.unwrap_or(0.0), o.id.as_str())).collect();
    if let Some((x, id)) = at.iter().find(|(x, _)| !x.is_finite()) {
        return Err(Error::new(format!(
            "issue {issue}: option {id:?} has a position that is not finite ({x})"
        )));
    }
    at.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some(w) = at.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::new(format!(
            "issue {issue}: options {:?} and {:?} share the position {} on its axis",
            w[0].1, w[1].1, w[0].0
        )));
    }
    Ok(())
}

fn unique<'a>(ids: impl Iterator<Item = &'a str>, what: &str) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(Error::new(format!("duplicate {what} id {id:?}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    #[test]
    fn axes_place_every_option_at_distinct_finite_positions() {
        let build = |positions: &[Option<f64>]| {
            let mut issue = Issue::discrete("x", "X", &["a", "b"]);
            if let IssueKind::Discrete { options } = &mut issue.kind {
                for (o, &p) in options.iter_mut().zip(positions) {
                    o.position = p;
                }
            }
            let parties = vec![
                Party::new("p", "P", Role::Principal, 1.0, 0.0),
                Party::new("q", "Q", Role::Principal, 1.0, 0.0),
            ];
            Scenario::new(
                Meta::named("t"),
                parties,
                vec![issue],
                vec![vec![None], vec![None]],
                vec![],
                vec![],
            )
        };
        assert_eq!(
            build(&[Some(2.0), Some(-1.0)]).unwrap().issues()[0].axis(),
            Some(vec![2.0, -1.0])
        );
        assert_eq!(build(&[None, None]).unwrap().issues()[0].axis(), None);
        let e = build(&[Some(1.0), None]).unwrap_err();
        assert!(e.message().contains("places 1 of 2 options"), "{}", e.message());
        let e = build(&[Some(1.0), Some(f64::NAN)]).unwrap_err();
        assert!(e.message().contains("not finite"), "{}", e.message());
        let e = build(&[Some(1.0), Some(1.0)]).unwrap_err();
        assert!(e.message().contains("share the position 1"), "{}", e.message());
    }

    fn toy() -> Scenario {
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, 0.5),
            Party::new("b", "B", Role::Principal, 2.0, 0.0),
        ];
        let issues = vec![
            Issue::discrete("x", "X", &["x0", "x1"]),
            Issue::scale("army", "Army", "personnel", 0.0, 1000.0, 250.0),
        ];
        let stances = vec![
            vec![
                Some(Stance::values(3.0, vec![1.0, 0.0])),
                Some(Stance::ideal(1.0, 1000.0, 500.0).with_red_line(
                    RedLineKind::Bounds { min: Some(500.0), max: None },
                    Some("needs a real army"),
                )),
            ],
            vec![
                Some(
                    Stance::values(1.0, vec![0.0, 1.0])
                        .with_red_line(RedLineKind::Forbid(vec![0]), None),
                ),
                None,
            ],
        ];
        Scenario::new(Meta::named("toy"), parties, issues, stances, vec![], vec![]).unwrap()
    }

    #[test]
    fn utility_is_normalised_weighted_sum() {
        let s = toy();
        // a: 0.75 * 1 + 0.25 * (1 - 250/500) = 0.875
        let o = Outcome::new(&s, vec![0, 3]).unwrap();
        assert!((s.utility(0, &o) - 0.875).abs() < 1e-12);
        assert_eq!(s.utility(1, &o), 0.0);
        assert_eq!(s.weight(1, 1), 0.0);
        assert_eq!(s.weight(1, 0), 1.0);
    }

    #[test]
    fn scale_grid_and_red_lines() {
        let s = toy();
        assert_eq!(s.issues()[1].n_options(), 5);
        assert_eq!(s.issues()[1].scale_index(750.0), Some(3));
        assert_eq!(s.issues()[1].scale_index(700.0), None);
        assert_eq!(s.issues()[1].option_label(4), "1000 personnel");
        assert!(!s.allowed(0, 1, 1));
        assert!(s.allowed(0, 1, 2));
        assert!(!s.allowed(1, 0, 0));
        assert!(!s.accepts(1, &Outcome::new(&s, vec![0, 4]).unwrap()));
        assert!(s.accepts(1, &Outcome::new(&s, vec![1, 0]).unwrap()));
    }

    #[test]
    fn invariants_are_checked() {
        let parties = vec![Party::new("a", "A", Role::Principal, 1.0, f64::NAN)];
        let issues = vec![Issue::discrete("x", "X", &["x0"])];
        let err =
            Scenario::new(Meta::named("t"), parties, issues, vec![vec![None]], vec![], vec![])
                .unwrap_err();
        assert_eq!(err.message(), "party a: reservation must be in [0, 1]");
        assert!(scale_points(0.0, 10.0, 3.0).is_none());
        assert_eq!(scale_points(0.0, 10.0, 2.5), Some(5));
        assert!(scale_points(0.0, 1e9, 1.0).is_none());
    }

    #[test]
    fn raw_utilities_add_left_to_right_from_the_bias() {
        let mut meta = Meta::named("raw");
        meta.utility = UtilityForm::Raw;
        let mut party = Party::new("a", "A", Role::Principal, 1.0, -3.0);
        party.bias = 0.5;
        let issues =
            vec![Issue::discrete("x", "X", &["x0", "x1"]), Issue::discrete("y", "Y", &["y0"])];
        let stances = vec![vec![
            Some(Stance::values(0.1, vec![30.0, -2.0])),
            Some(Stance::values(0.7, vec![0.3])),
        ]];
        let s = Scenario::new(meta, vec![party], issues, stances, vec![], vec![]).unwrap();
        let expected: f64 = 0.5 + 0.1 * -2.0 + 0.7 * 0.3;
        assert_eq!(
            s.utility(0, &Outcome::new(&s, vec![1, 0]).unwrap()).to_bits(),
            expected.to_bits()
        );
        assert_eq!(s.weight(0, 0), 0.1);
        assert!(s.accepts(0, &Outcome::new(&s, vec![1, 0]).unwrap()));
    }

    #[test]
    fn bias_needs_raw_utilities() {
        let mut party = Party::new("a", "A", Role::Principal, 1.0, 0.0);
        party.bias = 1.0;
        let issues = vec![Issue::discrete("x", "X", &["x0"])];
        let err =
            Scenario::new(Meta::named("t"), vec![party], issues, vec![vec![None]], vec![], vec![])
                .unwrap_err();
        assert_eq!(err.message(), "party a: only raw utilities may have a bias");
    }

    #[test]
    fn an_edit_is_checked_again_and_refreshes_the_tables() {
        let s = toy();
        // A weight changed through the parts is seen by the utility (no stale table).
        let heavier = s.clone().edit(|p| p.stances[0][0].as_mut().unwrap().weight = 1.0).unwrap();
        assert_eq!(heavier.weight(0, 0), 0.5);
        assert_eq!(heavier.stance(0, 0).unwrap().weight, 1.0);
        // An edit that breaks an invariant is refused.
        let err = s.clone().edit(|p| p.parties[0].reservation = 2.0).unwrap_err();
        assert_eq!(err.message(), "party a: reservation must be in [0, 1]");
        assert_eq!(Scenario::from_parts(s.clone().into_parts()).unwrap(), s);
    }

    #[test]
    fn an_outcome_fits_its_scenario() {
        let s = toy();
        assert_eq!(Outcome::new(&s, vec![1, 4]).unwrap().options(), &[1, 4]);
        let short = Outcome::new(&s, vec![1]).unwrap_err();
        assert_eq!(short.message(), "an outcome needs one option per issue (2), found 1");
        let long = Outcome::new(&s, vec![1, 4, 0]).unwrap_err();
        assert_eq!(long.message(), "an outcome needs one option per issue (2), found 3");
        let out = Outcome::new(&s, vec![0, 5]).unwrap_err();
        assert_eq!(out.message(), "issue army: option index 5 out of range (the issue has 5)");
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Scenario>();
        is::<Error>();
    }

    #[test]
    fn estimates_cover_every_number_with_ranges_from_grades_or_the_file() {
        let s = toy();
        let est = s.estimates();
        // a: reservation, capability, weight x, 2 values, weight army, ideal, tolerance;
        // b: reservation, capability, weight x, 2 values.
        assert_eq!(est.len(), 8 + 5);
        // Ungraded stances count as B: a's weight of x (3) spreads by 25% either side.
        let w = s.estimate_range(Estimate::Weight { party: 0, issue: 0 });
        assert_eq!(w.origin, Origin::Grade(Grade::B));
        assert_eq!((w.spread.low(), w.spread.high()), (2.25, 3.75));
        // Values are cut to [0, 1]: 1 - 0.1 to 1.
        let v = s.estimate_range(Estimate::Value { party: 0, issue: 0, option: 0 });
        assert_eq!((v.spread.low(), v.spread.high()), (0.9, 1.0));
        // The ideal at the scale's top spreads 10% of the span below it only.
        let i = s.estimate_range(Estimate::Ideal { party: 0, issue: 1 });
        assert_eq!((i.spread.low(), i.spread.high()), (900.0, 1000.0));
        // b's reservation 0 spreads to 0.1 above it.
        let r = s.estimate_range(Estimate::Reservation { party: 1 });
        assert_eq!((r.spread.low(), r.spread.high()), (0.0, 0.1));
        // A stated range wins; with no grade for ungraded stances the others are fixed.
        let stated = Spread::Uniform { low: 0.4, high: 0.7 };
        let s = s
            .edit(|p| {
                p.uncertainty.ranges.push(StatedRange {
                    estimate: Estimate::Reservation { party: 0 },
                    spread: stated,
                });
                p.uncertainty.ungraded = None;
            })
            .unwrap();
        let r = s.estimate_range(Estimate::Reservation { party: 0 });
        assert_eq!((r.spread, r.origin), (stated, Origin::Stated));
        let w = s.estimate_range(Estimate::Weight { party: 0, issue: 0 });
        assert_eq!(w.origin, Origin::Fixed);
        assert!(w.spread.is_point());
        // A graded stance still spreads; the party's own numbers take its widest grade.
        let s = s.edit(|p| p.stances[1][0].as_mut().unwrap().confidence = Some(Grade::C)).unwrap();
        let c = s.estimate_range(Estimate::Capability { party: 1 });
        assert_eq!(c.origin, Origin::Grade(Grade::C));
        assert_eq!((c.spread.low(), c.spread.high()), (1.0, 3.0));
    }

    #[test]
    fn stated_ranges_and_doubts_are_checked() {
        let bad = |change: &dyn Fn(&mut ScenarioParts)| {
            let mut parts = toy().into_parts();
            change(&mut parts);
            Scenario::from_parts(parts).unwrap_err().to_string()
        };
        let range = |estimate, low, high| StatedRange {
            estimate,
            spread: Spread::Triangular { low, high },
        };
        let res = Estimate::Reservation { party: 0 };
        let e = bad(&|p| p.uncertainty.ranges.push(range(res, 0.6, 0.8)));
        assert!(e.contains("party a: reservation: the range needs"), "{e}");
        let e = bad(&|p| p.uncertainty.ranges.push(range(res, 0.2, 1.5)));
        assert!(e.contains("leaves the allowed values"), "{e}");
        let e = bad(&|p| p.uncertainty.ranges.extend([range(res, 0.4, 0.6); 2]));
        assert!(e.contains("two ranges for one estimate"), "{e}");
        let e = bad(&|p| {
            p.uncertainty.ranges.push(range(Estimate::Ideal { party: 1, issue: 1 }, 0.0, 1.0))
        });
        assert!(e.contains("names no estimate"), "{e}");
        let e = bad(&|p| {
            p.uncertainty.ranges.push(range(
                Estimate::Value { party: 0, issue: 0, option: 2 },
                0.0,
                1.0,
            ))
        });
        assert!(e.contains("names no estimate"), "{e}");
        let e = bad(&|p| {
            p.uncertainty
                .doubts
                .push(Doubt { red_line: RedLineRef { party: 1, issue: 0, index: 1 }, holds: 0.5 })
        });
        assert!(e.contains("no red line"), "{e}");
        let e = bad(&|p| {
            p.uncertainty
                .doubts
                .push(Doubt { red_line: RedLineRef { party: 1, issue: 0, index: 0 }, holds: 1.5 })
        });
        assert!(e.contains("probability that a red line holds"), "{e}");
    }

    #[test]
    fn setting_estimates_in_place_equals_building_again() {
        let mut s = toy();
        let changes = [
            (Estimate::Weight { party: 0, issue: 0 }, 1.0),
            (Estimate::Tolerance { party: 0, issue: 1 }, 250.0),
            (Estimate::Value { party: 1, issue: 0, option: 0 }, 0.5),
            (Estimate::Reservation { party: 1 }, 0.3),
        ];
        s.set_estimates(&changes).unwrap();
        let built = toy()
            .edit(|p| {
                p.stances[0][0].as_mut().unwrap().weight = 1.0;
                p.stances[0][1].as_mut().unwrap().preference =
                    Preference::Ideal { ideal: 1000.0, tolerance: 250.0 };
                p.stances[1][0].as_mut().unwrap().preference = Preference::Values(vec![0.5, 1.0]);
                p.parties[1].reservation = 0.3;
            })
            .unwrap();
        assert_eq!(s, built);
        for (e, x) in changes {
            assert_eq!(s.point(e), Some(x));
        }
        // Out of bounds, not finite, or naming nothing: an error, and nothing changes.
        for (e, x) in [
            (Estimate::Reservation { party: 0 }, 1.5),
            (Estimate::Weight { party: 0, issue: 0 }, f64::NAN),
            (Estimate::Tolerance { party: 0, issue: 1 }, 0.0),
            (Estimate::Ideal { party: 0, issue: 1 }, 1250.0),
            (Estimate::Weight { party: 1, issue: 1 }, 1.0),
            (Estimate::Capability { party: 2 }, 1.0),
        ] {
            let before = s.clone();
            assert!(s.set_estimates(&[(Estimate::Reservation { party: 0 }, 0.1), (e, x)]).is_err());
            assert_eq!(s, before);
        }
    }

    #[test]
    fn a_suspended_red_line_breaks_nothing() {
        let mut s = toy();
        assert_eq!(s.red_lines_broken(1, 0, 0), vec![0]);
        let r = RedLineRef { party: 1, issue: 0, index: 0 };
        s.suspend_red_lines(&[r]).unwrap();
        assert!(s.red_lines_broken(1, 0, 0).is_empty() && s.allowed(1, 0, 0));
        assert_eq!(s.suspended_red_lines(), &[r]);
        assert!(s.suspend_red_lines(&[RedLineRef { party: 0, issue: 0, index: 0 }]).is_err());
        assert_eq!(s.suspended_red_lines(), &[r], "unchanged after an error");
        s.suspend_red_lines(&[]).unwrap();
        assert_eq!(s.red_lines_broken(1, 0, 0), vec![0]);
    }
}
