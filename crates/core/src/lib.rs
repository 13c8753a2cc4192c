//! The negotiation model of detente: parties, issues, stances, red lines, proposals,
//! outcomes and utility.
//!
//! A [`Scenario`] holds everything an analyst writes down about a negotiation. It is built
//! once through [`Scenario::new`], which checks every structural invariant (indices in range,
//! finite numbers, one stance slot per party and issue), so the analysis code can index
//! without checking. This crate does no I/O and knows no file format: the
//! `detente-scenario` crate reads files, reports located errors and builds a `Scenario`.
//!
//! # Utility
//! Every issue has a finite list of options: the options of a discrete issue, or the grid
//! points `min, min + step, ..., max` of a scale issue. A party's utility of an [`Outcome`]
//! (one option per issue) is additive:
//!
//! ```text
//! U_p(x) = sum_i w_pi * v_pi(x_i) / sum_i w_pi
//! ```
//!
//! with `w_pi >= 0` the weight (salience) of issue `i` to party `p` and `v_pi` in `[0, 1]`
//! its value of an option. On a scale issue the value of a point `x` is
//! `max(0, 1 - |x - ideal| / tolerance)`. A party with no weight anywhere has utility 0.
//! An outcome is acceptable to a party when it breaks none of its red lines and its
//! utility is at least the party's reservation utility.
//!
//! Scenarios imported from automated-negotiation domains (GENIUS, NegMAS) use
//! [`UtilityForm::Raw`] instead: weights are not normalised, values may be any finite
//! number, and `U_p(x) = bias_p + w_p0 * v_p0(x_0) + w_p1 * v_p1(x_1) + ...`, summed left to
//! right from the bias exactly as those tools do, so that utilities agree to the last bit.
//!
//! ```
//! use detente_core::*;
//! let parties = vec![
//!     Party::new("a", "Alpha", Role::Principal, 1.0, 0.5),
//!     Party::new("b", "Beta", Role::Principal, 1.0, 0.4),
//! ];
//! let issues = vec![Issue::discrete("split", "Split", &["a-gets-more", "even", "b-gets-more"])];
//! let stances = vec![
//!     vec![Some(Stance::values(1.0, vec![1.0, 0.6, 0.0]))],
//!     vec![Some(Stance::values(1.0, vec![0.0, 0.6, 1.0]))],
//! ];
//! let scenario = Scenario::new(Meta::named("toy"), parties, issues, stances, vec![], vec![])?;
//! let even = Outcome::new(vec![1]);
//! assert_eq!(scenario.utility(0, &even), 0.6);
//! assert!(scenario.accepts(0, &even) && scenario.accepts(1, &even));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

use std::fmt;

pub mod rng;

pub use rng::{Rng, mix64};

/// The largest number of grid points a scale issue may have.
pub const MAX_SCALE_POINTS: usize = 100_001;

/// An error raised when a [`Scenario`] would break one of its invariants.
///
/// The scenario reader reports file problems with their place; this error is what is left
/// for programs that build scenarios in code.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    message: String,
}

impl Error {
    fn new(message: impl Into<String>) -> Error {
        Error { message: message.into() }
    }

    /// The message, lowercase, without a trailing period.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// What part a party plays in the negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A party whose signature the deal needs.
    Principal,
    /// A party that brokers the deal (it may still have interests of its own).
    Mediator,
    /// A party affected by the deal whose consent is not strictly needed.
    Stakeholder,
}

impl Role {
    /// The name used in files and output: `principal`, `mediator` or `stakeholder`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Principal => "principal",
            Role::Mediator => "mediator",
            Role::Stakeholder => "stakeholder",
        }
    }

    /// Reads the name used in files.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "principal" => Some(Role::Principal),
            "mediator" => Some(Role::Mediator),
            "stakeholder" => Some(Role::Stakeholder),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// A party to the negotiation.
#[derive(Clone, Debug, PartialEq)]
pub struct Party {
    /// Short identifier used in files and on the command line.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Clout, `>= 0` (used by the forecasting models; relative between parties).
    pub capability: f64,
    /// Reservation utility: what the party gets with no deal (its BATNA); in `[0, 1]` for
    /// normalised utilities, any finite number for raw ones.
    pub reservation: f64,
    /// Constant added to the party's utility; only raw utilities may have one.
    pub bias: f64,
    /// A time discount factor per round, in `(0, 1]`, as GENIUS profiles carry it; kept for
    /// simulations, ignored by the static analysis.
    pub discount: Option<f64>,
    /// Free text: who this party stands for.
    pub description: Option<String>,
}

impl Party {
    /// A party with no description.
    pub fn new(id: &str, name: &str, role: Role, capability: f64, reservation: f64) -> Party {
        Party {
            id: id.to_string(),
            name: name.to_string(),
            role,
            capability,
            reservation,
            bias: 0.0,
            discount: None,
            description: None,
        }
    }
}

/// One option of a discrete issue.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueOption {
    /// Short identifier, unique within its issue.
    pub id: String,
    /// What the option says.
    pub label: String,
}

/// Whether an issue has named options or a numeric scale.
#[derive(Clone, Debug, PartialEq)]
pub enum IssueKind {
    /// A choice among named options.
    Discrete {
        /// The options, at least one.
        options: Vec<IssueOption>,
    },
    /// A number on a scale; its options are the grid points `min, min + step, ..., max`.
    Scale {
        /// The unit, e.g. `personnel` or `points`.
        unit: String,
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// Distance between grid points; `(max - min) / step` is a whole number.
        step: f64,
    },
}

/// An issue: one point of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    /// Short identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Options or scale.
    pub kind: IssueKind,
}

impl Issue {
    /// A discrete issue whose option ids and labels are the given strings.
    pub fn discrete(id: &str, name: &str, options: &[&str]) -> Issue {
        Issue {
            id: id.to_string(),
            name: name.to_string(),
            description: None,
            kind: IssueKind::Discrete {
                options: options
                    .iter()
                    .map(|o| IssueOption { id: o.to_string(), label: o.to_string() })
                    .collect(),
            },
        }
    }

    /// A scale issue.
    pub fn scale(id: &str, name: &str, unit: &str, min: f64, max: f64, step: f64) -> Issue {
        Issue {
            id: id.to_string(),
            name: name.to_string(),
            description: None,
            kind: IssueKind::Scale { unit: unit.to_string(), min, max, step },
        }
    }

    /// The number of options (grid points for a scale).
    pub fn n_options(&self) -> usize {
        match &self.kind {
            IssueKind::Discrete { options } => options.len(),
            IssueKind::Scale { min, max, step, .. } => scale_points(*min, *max, *step).unwrap_or(0),
        }
    }

    /// Whether this is a scale issue.
    pub fn is_scale(&self) -> bool {
        matches!(self.kind, IssueKind::Scale { .. })
    }

    /// The numeric value of a grid point of a scale issue; `None` for discrete issues.
    pub fn scale_value(&self, option_idx: usize) -> Option<f64> {
        match &self.kind {
            IssueKind::Discrete { .. } => None,
            IssueKind::Scale { min, max, step, .. } => {
                Some((min + option_idx as f64 * step).min(*max))
            }
        }
    }

    /// The grid index of a scale value, if it lies on the grid (to within a millionth of a step).
    pub fn scale_index(&self, x: f64) -> Option<usize> {
        match &self.kind {
            IssueKind::Discrete { .. } => None,
            IssueKind::Scale { min, max, step, .. } => {
                if !x.is_finite() || x < *min - step * 1e-6 || x > *max + step * 1e-6 {
                    return None;
                }
                let k = ((x - min) / step).round();
                if ((x - min) / step - k).abs() > 1e-6 {
                    return None;
                }
                Some(k as usize)
            }
        }
    }

    /// The option's identifier: the option id, or the grid value written as a number.
    pub fn option_id(&self, option_idx: usize) -> String {
        match &self.kind {
            IssueKind::Discrete { options } => options[option_idx].id.clone(),
            IssueKind::Scale { .. } => format_number(self.scale_value(option_idx).unwrap_or(0.0)),
        }
    }

    /// The option's label: the option label, or the grid value with its unit.
    pub fn option_label(&self, option_idx: usize) -> String {
        match &self.kind {
            IssueKind::Discrete { options } => options[option_idx].label.clone(),
            IssueKind::Scale { unit, .. } => {
                format!("{} {unit}", format_number(self.scale_value(option_idx).unwrap_or(0.0)))
            }
        }
    }

    /// The index of the discrete option with this id. A scan of the options (linear in
    /// their number): to look up many ids, build a map from id to index once, as the
    /// scenario reader does, or a file of 100,000 options takes a quadratic walk.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        match &self.kind {
            IssueKind::Discrete { options } => options.iter().position(|o| o.id == id),
            IssueKind::Scale { .. } => None,
        }
    }
}

/// The number of grid points of a scale, or `None` when the scale is malformed.
pub fn scale_points(min: f64, max: f64, step: f64) -> Option<usize> {
    if !(min.is_finite() && max.is_finite() && step.is_finite()) || step <= 0.0 || max < min {
        return None;
    }
    let n = (max - min) / step;
    let k = n.round();
    if (n - k).abs() > 1e-6 || k + 1.0 > MAX_SCALE_POINTS as f64 {
        return None;
    }
    Some(k as usize + 1)
}

/// Writes a number without a trailing `.0` when it is whole, and with thousands as written.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

/// How a party values the options of an issue.
#[derive(Clone, Debug, PartialEq)]
pub enum Preference {
    /// One value in `[0, 1]` per option, in the issue's option order (discrete issues).
    Values(Vec<f64>),
    /// An ideal point and a tolerance on a scale: value `max(0, 1 - |x - ideal| / tolerance)`.
    Ideal {
        /// The most preferred point, within the scale's bounds.
        ideal: f64,
        /// Distance from the ideal at which the value reaches 0; `> 0`.
        tolerance: f64,
    },
}

/// What a red line rules out.
#[derive(Clone, Debug, PartialEq)]
pub enum RedLineKind {
    /// These options are never acceptable.
    Forbid(Vec<usize>),
    /// Only these options are acceptable.
    Require(Vec<usize>),
    /// On a scale, only values within these bounds are acceptable.
    Bounds {
        /// Lowest acceptable value, if bounded below.
        min: Option<f64>,
        /// Highest acceptable value, if bounded above.
        max: Option<f64>,
    },
}

/// A line a party will not cross on one issue.
#[derive(Clone, Debug, PartialEq)]
pub struct RedLine {
    /// What it rules out.
    pub kind: RedLineKind,
    /// Why the party holds it, in words (with its evidence in the stance).
    pub reason: Option<String>,
}

impl RedLine {
    /// Whether the option with this index (and, on a scale, this value) keeps the red line.
    pub fn allows(&self, option_idx: usize, scale_value: Option<f64>) -> bool {
        match &self.kind {
            RedLineKind::Forbid(opts) => !opts.contains(&option_idx),
            RedLineKind::Require(opts) => opts.contains(&option_idx),
            RedLineKind::Bounds { min, max } => {
                let Some(x) = scale_value else { return true };
                min.is_none_or(|m| x >= m - 1e-9 * m.abs().max(1.0))
                    && max.is_none_or(|m| x <= m + 1e-9 * m.abs().max(1.0))
            }
        }
    }
}

/// How good a piece of evidence is: A well sourced, B moderately sourced, C weak or inferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    /// Official text, on-record statement, or two independent reputable reports.
    A,
    /// One reputable report, or reputable relays of one leak.
    B,
    /// Aggregator-only, conflicting copies, or the analyst's own inference.
    C,
}

impl Grade {
    /// `A`, `B` or `C`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
        }
    }

    /// Reads `A`, `B` or `C`.
    pub fn parse(s: &str) -> Option<Grade> {
        match s {
            "A" => Some(Grade::A),
            "B" => Some(Grade::B),
            "C" => Some(Grade::C),
            _ => None,
        }
    }
}

/// One piece of evidence behind a stance.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// Index of the source in [`Scenario::sources`].
    pub source: usize,
    /// What the source says, in the analyst's words or as a quotation marked as such.
    pub note: Option<String>,
}

/// A party's stance on one issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Stance {
    /// Salience, `>= 0`, relative to the party's other weights.
    pub weight: f64,
    /// How it values the options.
    pub preference: Preference,
    /// Its red lines on this issue.
    pub red_lines: Vec<RedLine>,
    /// The sources behind the numbers.
    pub evidence: Vec<Evidence>,
    /// How sure the analyst is of this stance.
    pub confidence: Option<Grade>,
    /// The stance in words.
    pub summary: Option<String>,
}

impl Stance {
    /// A stance with per-option values, no red lines and no evidence.
    pub fn values(weight: f64, values: Vec<f64>) -> Stance {
        Stance {
            weight,
            preference: Preference::Values(values),
            red_lines: vec![],
            evidence: vec![],
            confidence: None,
            summary: None,
        }
    }

    /// A stance with an ideal point and tolerance, no red lines and no evidence.
    pub fn ideal(weight: f64, ideal: f64, tolerance: f64) -> Stance {
        Stance {
            weight,
            preference: Preference::Ideal { ideal, tolerance },
            red_lines: vec![],
            evidence: vec![],
            confidence: None,
            summary: None,
        }
    }

    /// Adds a red line.
    pub fn with_red_line(mut self, kind: RedLineKind, reason: Option<&str>) -> Stance {
        self.red_lines.push(RedLine { kind, reason: reason.map(str::to_string) });
        self
    }
}

/// Outlet quality: H official or reputable with named sources, M reputable relay or
/// anonymous sources, L mirror, aggregator or state-aligned network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quality {
    /// Official or reputable with named sources.
    High,
    /// Reputable relay or anonymous-sourced.
    Medium,
    /// Mirror, aggregator, or state-aligned network.
    Low,
}

impl Quality {
    /// `H`, `M` or `L`.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::High => "H",
            Quality::Medium => "M",
            Quality::Low => "L",
        }
    }

    /// Reads `H`, `M` or `L`.
    pub fn parse(s: &str) -> Option<Quality> {
        match s {
            "H" => Some(Quality::High),
            "M" => Some(Quality::Medium),
            "L" => Some(Quality::Low),
            _ => None,
        }
    }
}

/// A source of evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Short identifier, e.g. `S01`.
    pub id: String,
    /// Title of the page or document.
    pub title: String,
    /// Where it can be read.
    pub url: Option<String>,
    /// Publication date as written (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    pub date: Option<String>,
    /// The outlet, or the relay and the original.
    pub outlet: Option<String>,
    /// Quality of the outlet.
    pub quality: Option<Quality>,
}

/// A proposal's term on one issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    /// The issue is left open (in brackets, not agreed, or not addressed).
    Open,
    /// The option (or scale grid point) with this index.
    Set(usize),
}

/// A proposal: a draft document with a term for every issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// Short identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// Index of the authoring party, if a party authored it.
    pub author: Option<usize>,
    /// Date as written (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// Index of the proposal it amends.
    pub amends: Option<usize>,
    /// One term per issue, in issue order (terms inherited from the amended proposal included).
    pub terms: Vec<Term>,
    /// Which terms the proposal states itself (false: inherited from the amended proposal).
    pub stated: Vec<bool>,
    /// Free text.
    pub description: Option<String>,
}

impl Proposal {
    /// Indices of the issues left open.
    pub fn open_issues(&self) -> Vec<usize> {
        self.terms.iter().enumerate().filter(|(_, t)| **t == Term::Open).map(|(i, _)| i).collect()
    }
}

/// One option per issue, by index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Outcome(pub Vec<usize>);

impl Outcome {
    /// Wraps option indices, one per issue.
    pub fn new(options: Vec<usize>) -> Outcome {
        Outcome(options)
    }

    /// The option chosen on an issue.
    pub fn option(&self, issue_idx: usize) -> usize {
        self.0[issue_idx]
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
/// have one term per issue and amend only earlier proposals.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    meta: Meta,
    parties: Vec<Party>,
    issues: Vec<Issue>,
    stances: Vec<Vec<Option<Stance>>>,
    proposals: Vec<Proposal>,
    sources: Vec<Source>,
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
}

impl Scenario {
    /// Builds a scenario, checking every invariant listed on [`Scenario`].
    pub fn new(
        meta: Meta,
        parties: Vec<Party>,
        issues: Vec<Issue>,
        stances: Vec<Vec<Option<Stance>>>,
        proposals: Vec<Proposal>,
        sources: Vec<Source>,
    ) -> Result<Scenario, Error> {
        check(meta.utility, &parties, &issues, &stances, &proposals, &sources)?;
        let mut values = Vec::with_capacity(parties.len());
        let mut weights = Vec::with_capacity(parties.len());
        for row in &stances {
            let total: f64 = row.iter().flatten().map(|s| s.weight).sum();
            weights.push(
                row.iter()
                    .map(|s| match (s, meta.utility) {
                        (Some(s), UtilityForm::Raw) => s.weight,
                        (Some(s), UtilityForm::Normalised) if total > 0.0 => s.weight / total,
                        _ => 0.0,
                    })
                    .collect(),
            );
            values.push(
                row.iter()
                    .zip(&issues)
                    .map(|(s, issue)| {
                        (0..issue.n_options())
                            .map(|k| match s {
                                None => 0.0,
                                Some(s) => preference_value(&s.preference, issue, k),
                            })
                            .collect()
                    })
                    .collect(),
            );
        }
        let contributions = values
            .iter()
            .zip(&weights)
            .map(|(vp, wp): (&Vec<Vec<f64>>, &Vec<f64>)| {
                vp.iter().zip(wp).map(|(vi, &w)| vi.iter().map(|&v| w * v).collect()).collect()
            })
            .collect();
        Ok(Scenario {
            meta,
            parties,
            issues,
            stances,
            proposals,
            sources,
            values,
            weights,
            contributions,
        })
    }

    /// Builds a scenario from its parts, checking every invariant as [`Scenario::new`] does.
    pub fn from_parts(parts: ScenarioParts) -> Result<Scenario, Error> {
        let ScenarioParts { meta, parties, issues, stances, proposals, sources } = parts;
        Scenario::new(meta, parties, issues, stances, proposals, sources)
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
        for (i, &k) in outcome.0.iter().enumerate() {
            u += self.contributions[p][i][k];
        }
        u
    }

    /// Whether option `k` of issue `i` keeps every red line of party `p`.
    pub fn allowed(&self, p: usize, i: usize, k: usize) -> bool {
        self.red_lines_broken(p, i, k).is_empty()
    }

    /// The red lines of party `p` on issue `i` that option `k` breaks (indices into the stance's list).
    pub fn red_lines_broken(&self, p: usize, i: usize, k: usize) -> Vec<usize> {
        let Some(stance) = &self.stances[p][i] else { return vec![] };
        let x = self.issues[i].scale_value(k);
        stance
            .red_lines
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.allows(k, x))
            .map(|(j, _)| j)
            .collect()
    }

    /// Whether the outcome keeps every red line of party `p` and gives it at least its reservation.
    pub fn accepts(&self, p: usize, outcome: &Outcome) -> bool {
        outcome.0.iter().enumerate().all(|(i, &k)| self.allowed(p, i, k))
            && self.utility(p, outcome) >= self.parties[p].reservation - 1e-12
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
        if p.discount.is_some_and(|d| !(d > 0.0 && d <= 1.0)) {
            return Err(Error::new(format!("party {}: discount must be in (0, 1]", p.id)));
        }
        if !(p.capability.is_finite() && p.capability >= 0.0) {
            return Err(Error::new(format!("party {}: capability must be finite and >= 0", p.id)));
        }
        match form {
            UtilityForm::Normalised => {
                if !finite_in(p.reservation, 0.0, 1.0) {
                    return Err(Error::new(format!(
                        "party {}: reservation must be in [0, 1]",
                        p.id
                    )));
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
    }
    for issue in issues {
        match &issue.kind {
            IssueKind::Discrete { options } => {
                if options.is_empty() {
                    return Err(Error::new(format!("issue {}: no options", issue.id)));
                }
                unique(options.iter().map(|o| o.id.as_str()), "option")?;
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
            let issue = &issues[i];
            let at = || format!("party {} issue {}", parties[p].id, issue.id);
            if !(s.weight.is_finite() && s.weight >= 0.0) {
                return Err(Error::new(format!("{}: weight must be finite and >= 0", at())));
            }
            match (&s.preference, &issue.kind) {
                (Preference::Values(v), IssueKind::Discrete { options }) => {
                    if v.len() != options.len() {
                        return Err(Error::new(format!(
                            "{}: one value per option is needed",
                            at()
                        )));
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
                        if min.is_some_and(|x| !x.is_finite())
                            || max.is_some_and(|x| !x.is_finite())
                        {
                            return Err(Error::new(format!("{}: bounds must be finite", at())));
                        }
                    }
                }
            }
            if s.evidence.iter().any(|e| e.source >= sources.len()) {
                return Err(Error::new(format!("{}: evidence cites no source", at())));
            }
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
        let o = Outcome::new(vec![0, 3]);
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
        assert!(!s.accepts(1, &Outcome::new(vec![0, 4])));
        assert!(s.accepts(1, &Outcome::new(vec![1, 0])));
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
        assert_eq!(s.utility(0, &Outcome::new(vec![1, 0])).to_bits(), expected.to_bits());
        assert_eq!(s.weight(0, 0), 0.1);
        assert!(s.accepts(0, &Outcome::new(vec![1, 0])));
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
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Scenario>();
        is::<Error>();
    }
}
