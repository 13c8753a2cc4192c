//! The built-in negotiators and the name registry.
//!
//! | name | type | offers | accepts |
//! |---|---|---|---|
//! | `boulware` | [`TimeBased`] `e = 0.25` | random outcome worth `target(t)` to `target(t) + band` | `u >= target(t)` |
//! | `linear` | [`TimeBased`] `e = 1` | same | same |
//! | `conceder` | [`TimeBased`] `e = 4` | same | same |
//! | `aspiration` | [`Aspiration`] `e = 0.25` | the least outcome worth `target(t)` (deterministic) | `u >= target(t)` |
//! | `boulware-negmas` | [`NegmasTimeBased`] `e = 0.25` | the least rational outcome worth `target(t) - tol` (deterministic) | `u >= target(t) - tol` |
//! | `linear-negmas` | [`NegmasTimeBased`] `e = 1` | same | same |
//! | `conceder-negmas` | [`NegmasTimeBased`] `e = 4` | same | same |
//! | `aspiration-negmas` | [`NegmasTimeBased`] `e = 0.25`, NegMAS's `AspirationNegotiator` tolerance | same | same |
//! | `tit-for-tat` | [`TitForTat`] | the least outcome worth `max - mirrored concession` | `u >=` its target |
//! | `random` | [`RandomNegotiator`] | a uniform acceptable outcome | an acceptable offer with probability 1/2 |
//! | `hardliner` | [`Hardliner`] | its best outcome, always | only its best utility |
//! | `nash` | [`NashSeeker`] | the Nash bargaining outcome, always | `u >=` its Nash utility |
//!
//! Every built-in negotiator accepts only *acceptable* offers (keeping its red lines and
//! worth at least its reservation, `u >= reservation`), and ends the session when its red
//! lines allow no outcome at all.
//!
//! # The concession curve
//! The time-dependent tactics of Faratin, Sierra and Jennings (1998):
//!
//! ```text
//! target(t) = r + (max - r) * (1 - t^(1/e))
//! ```
//!
//! with `t` the relative time, `max` the party's best utility and `r = max(reservation,
//! worst utility)` its concession floor
//! ([`Domain::concession_floor`](crate::Domain::concession_floor); not its reservation,
//! NegMAS's `reserved_value`, which may lie below every outcome). `e < 1` is Boulware
//! (holds firm, concedes at the end), `e = 1` Linear, `e > 1` Conceder (concedes early). Note `t` reaches `1` only at
//! the deadline itself: in the last step of an `n`-step session `t = (n - 1) / n`.
//!
//! # NegMAS-compatible negotiators
//! `boulware-negmas`, `linear-negmas`, `conceder-negmas` and `aspiration-negmas`
//! ([`NegmasTimeBased`]) behave as NegMAS 0.16's `BoulwareTBNegotiator`,
//! `LinearTBNegotiator`, `ConcederTBNegotiator` and `AspirationNegotiator` (their NegMAS
//! class names name them too), as observed by running NegMAS as a black box on the shared
//! domains (`crates/python/tests/test_negmas_sessions.py` checks it against NegMAS live):
//! - the same curve, `target(t) = r + (max - r) * (1 - t^(1/e))` with `r = max(reserved
//!   value, worst utility)`, at NegMAS's relative time (the `negmas-sao` mechanism gives it:
//!   `(step + 1) / (n + 1)`);
//! - NegMAS widens the band by a tolerance `tol`, in utility units: `1.01e-4` for the
//!   time-based negotiators (their `eps`, `1e-4`, plus `1e-6`) and `1.001e-3` for
//!   `AspirationNegotiator` (its `tolerance`, `1e-3`, plus `1e-6`), both found by experiment;
//! - the offer is the least outcome worth at least `max(target(t) - tol, reserved value)`
//!   (never one below the reserved value; its best outcome when none is), deterministic;
//! - an offer is accepted when it is acceptable (`u >= reserved value`) and worth at least
//!   `target(t) - tol` (every answer NegMAS gave in the recorded sessions fits this rule;
//!   it is also "worth at least what it would offer itself");
//! - among outcomes of exactly the same utility ours takes the lowest id. NegMAS takes
//!   the first in the order of NumPy's (unstable) sort, which changes with the processor's
//!   vector instructions (`NPY_DISABLE_CPU_FEATURES` changes its choices), and its inverter
//!   is documented to cycle through outcomes whose utilities differ by less than about
//!   `1e-6` when asked again (one offer in random_2p_1e5 was 1.3e-6 above the least):
//!   where such ties decide an offer, no reimplementation can follow NegMAS on every
//!   machine, and sessions may part there.
//!
//! These negotiators use no opponent model, in NegMAS as here: they never look at the
//! offers they receive except to accept or reject them.
//!
//! # Differences from NegMAS (0.16) of the other negotiators
//! - `boulware`, `linear` and `conceder` use NegMAS's curves (`max - (max - r) * t^x` with
//!   `x = 4, 1, 0.25`, the same as ours with `e = 1/x`), but offer a uniformly random
//!   outcome in the band `[target, target + band]`, `band = 1%` of the party's utility range,
//!   where NegMAS offers the least outcome at or above (a tolerance below) the target, and
//!   under `sao` the relative time is `step / n` where NegMAS's is `(step + 1) / (n + 1)`.
//!   The `-negmas` variants above follow NegMAS.
//! - `aspiration` offers the least outcome at or above its aspiration level, as
//!   `aspiration-negmas` does, but without NegMAS's tolerance.
//! - `tit-for-tat` is NegMAS's `NaiveTitForTatNegotiator` idea (concede what the opponent
//!   conceded, measured in my own utility) without its kindness term: two of them never
//!   concede to each other.
//! - NegMAS's `RandomNegotiator` offers any outcome and may accept anything or end the
//!   session at random; ours offers only outcomes acceptable to itself, accepts acceptable
//!   offers with probability 1/2 and never ends.
//! - `hardliner` is NegMAS's `ToughNegotiator` (alias `tough`).
//! - `nash` has complete information (it reads every party's utility from the scenario)
//!   and insists on the exact Nash bargaining outcome; NegMAS has no direct equivalent.
//!   With no rational outcome it behaves as `hardliner`.
//! - NegMAS class names (`BoulwareTBNegotiator`, `AspirationNegotiator`, ...) are accepted
//!   as aliases, case-insensitively; the time-based ones and `AspirationNegotiator` name the
//!   `-negmas` variants.

use crate::{Action, Error, ErrorKind, Negotiator, Nmi, OutcomeId, Response, Rng};

/// A built-in negotiator in the registry: its name, the other names it answers to, what it
/// does in a line, and how to make a fresh one. [`builtins`] is the one table from which
/// [`names`], [`negotiator()`] and the command line's help derive.
#[derive(Clone, Copy)]
pub struct Builtin {
    /// The name, as [`names`] lists it.
    pub name: &'static str,
    /// Other names accepted (NegMAS class names among them), lowercase, `-` for `_`.
    pub aliases: &'static [&'static str],
    /// What it does, in a line.
    pub summary: &'static str,
    make: fn() -> Box<dyn Negotiator>,
}

impl Builtin {
    /// A fresh negotiator of this kind.
    pub fn make(&self) -> Box<dyn Negotiator> {
        (self.make)()
    }

    /// Whether `key` (lowercase, `-` for `_`) names this negotiator.
    fn answers_to(&self, key: &str) -> bool {
        self.name == key || self.aliases.contains(&key)
    }
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builtin")
            .field("name", &self.name)
            .field("aliases", &self.aliases)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

const BUILTINS: [Builtin; 12] = [
    Builtin {
        name: "boulware",
        aliases: &[],
        summary: "concedes late (time-based, e = 0.25)",
        make: || Box::new(TimeBased::boulware()),
    },
    Builtin {
        name: "linear",
        aliases: &[],
        summary: "concedes steadily (time-based, e = 1)",
        make: || Box::new(TimeBased::linear()),
    },
    Builtin {
        name: "conceder",
        aliases: &[],
        summary: "concedes early (time-based, e = 4)",
        make: || Box::new(TimeBased::conceder()),
    },
    Builtin {
        name: "aspiration",
        aliases: &[],
        summary: "the Boulware curve, offering deterministically",
        make: || Box::new(Aspiration::default()),
    },
    Builtin {
        name: "tit-for-tat",
        aliases: &["tft", "naive-tit-for-tat", "naivetitfortatnegotiator"],
        summary: "concedes as much as the others have",
        make: || Box::new(TitForTat::default()),
    },
    Builtin {
        name: "random",
        aliases: &["randomnegotiator"],
        summary: "random acceptable offers, accepts half of the acceptable ones",
        make: || Box::new(RandomNegotiator::default()),
    },
    Builtin {
        name: "hardliner",
        aliases: &["tough", "toughnegotiator"],
        summary: "never concedes",
        make: || Box::new(Hardliner),
    },
    Builtin {
        name: "nash",
        aliases: &["nash-seeker"],
        summary: "insists on the Nash bargaining outcome",
        make: || Box::new(NashSeeker::default()),
    },
    Builtin {
        name: "boulware-negmas",
        aliases: &["boulwaretbnegotiator"],
        summary: "NegMAS's BoulwareTBNegotiator (use with --mechanism negmas-sao)",
        make: || Box::new(NegmasTimeBased::boulware()),
    },
    Builtin {
        name: "linear-negmas",
        aliases: &["lineartbnegotiator"],
        summary: "NegMAS's LinearTBNegotiator (use with --mechanism negmas-sao)",
        make: || Box::new(NegmasTimeBased::linear()),
    },
    Builtin {
        name: "conceder-negmas",
        aliases: &["concedertbnegotiator"],
        summary: "NegMAS's ConcederTBNegotiator (use with --mechanism negmas-sao)",
        make: || Box::new(NegmasTimeBased::conceder()),
    },
    Builtin {
        name: "aspiration-negmas",
        aliases: &["aspirationnegotiator"],
        summary: "NegMAS's AspirationNegotiator (use with --mechanism negmas-sao)",
        make: || Box::new(NegmasTimeBased::aspiration()),
    },
];

const NAMES: [&str; BUILTINS.len()] = {
    let mut names = [""; BUILTINS.len()];
    let mut i = 0;
    while i < BUILTINS.len() {
        names[i] = BUILTINS[i].name;
        i += 1;
    }
    names
};

/// The built-in negotiators, in the order [`names`] lists them.
pub fn builtins() -> &'static [Builtin] {
    &BUILTINS
}

/// The names of the built-in negotiators, as [`negotiator`] accepts them.
pub fn names() -> &'static [&'static str] {
    &NAMES
}

/// A fresh built-in negotiator by name (see [`names`]; NegMAS class names and a few
/// aliases are also accepted, case-insensitively).
///
/// ```
/// use detente_sim::{names, negotiator};
/// for name in names() {
///     assert!(negotiator(name).is_ok());
/// }
/// assert!(negotiator("BoulwareTBNegotiator").is_ok());
/// assert_eq!(negotiator("nope").err().unwrap().to_string(),
///     "unknown negotiator \"nope\" (known: boulware, linear, conceder, aspiration, \
///      tit-for-tat, random, hardliner, nash, boulware-negmas, linear-negmas, \
///      conceder-negmas, aspiration-negmas)");
/// ```
pub fn negotiator(name: &str) -> Result<Box<dyn Negotiator>, Error> {
    let key = name.to_ascii_lowercase().replace('_', "-");
    match BUILTINS.iter().find(|b| b.answers_to(&key)) {
        Some(b) => Ok(b.make()),
        None => Err(Error::new(
            ErrorKind::UnknownNegotiator,
            format!("unknown negotiator {name:?} (known: {})", names().join(", ")),
        )),
    }
}

/// The Faratin concession curve `r + (max - r) * (1 - t^(1/e))` (see the module
/// documentation); `max` when `max <= r`. For the built-in exponents (`0.25`, `1`, `4`)
/// `t^(1/e)` is computed by multiplications or square roots only, so the curve is
/// bit-identical on every platform; other exponents use `powf`.
pub fn concession(t: f64, e: f64, max: f64, r: f64) -> f64 {
    if max <= r {
        return max;
    }
    let t = t.clamp(0.0, 1.0);
    r + (max - r) * (1.0 - root(t, e))
}

/// `t^(1/e)`, computed with correctly rounded operations only (so the same on every
/// platform) when `1/e` is a whole number up to 16 (repeated multiplication) or `e` is 2,
/// 4, 8 or 16 (repeated square roots); `powf` otherwise.
fn root(t: f64, e: f64) -> f64 {
    let inv = 1.0 / e;
    if inv.fract() == 0.0 && (1.0..=16.0).contains(&inv) {
        let mut f = t;
        for _ in 1..inv as u32 {
            f *= t;
        }
        return f;
    }
    if let Some(k) = [2.0, 4.0, 8.0, 16.0].iter().position(|&x| x == e) {
        let mut f = t;
        for _ in 0..=k {
            f = f.sqrt();
        }
        return f;
    }
    t.powf(inv)
}

fn accept_if(ok: bool) -> Response {
    if ok { Response::Accept } else { Response::Reject }
}

/// A time-dependent tactic (Faratin et al.): concedes along
/// `target(t) = r + (max - r) * (1 - t^(1/e))`, offers a uniformly random outcome worth
/// between `target(t)` and `target(t) + band * (max - worst)`, accepts an acceptable offer
/// worth at least `target(t)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeBased {
    /// The concession exponent `e`: `< 1` Boulware, `1` Linear, `> 1` Conceder.
    pub exponent: f64,
    /// The width of the offering band as a fraction of the utility range.
    pub band: f64,
}

impl TimeBased {
    /// Boulware: `e = 0.25`.
    pub fn boulware() -> TimeBased {
        TimeBased { exponent: 0.25, band: 0.01 }
    }

    /// Linear: `e = 1`.
    pub fn linear() -> TimeBased {
        TimeBased { exponent: 1.0, band: 0.01 }
    }

    /// Conceder: `e = 4`.
    pub fn conceder() -> TimeBased {
        TimeBased { exponent: 4.0, band: 0.01 }
    }

    /// The target utility at the negotiator's current time.
    pub fn target(&self, nmi: &Nmi) -> f64 {
        let d = nmi.domain;
        concession(
            nmi.relative_time,
            self.exponent,
            d.best_utility(nmi.party),
            d.concession_floor(nmi.party),
        )
    }
}

impl Negotiator for TimeBased {
    fn propose(&mut self, nmi: &Nmi, rng: &mut Rng) -> Action {
        let d = nmi.domain;
        let p = nmi.party;
        let band = self.band * (d.best_utility(p) - d.worst_utility(p));
        match d.outcome_at_least(p, self.target(nmi), band, rng) {
            Some(id) => Action::Offer(id),
            None => Action::End,
        }
    }

    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, _rng: &mut Rng) -> Response {
        accept_if(nmi.acceptable(offer) && nmi.utility(offer) >= self.target(nmi))
    }
}

/// An aspiration negotiator: the same curve as [`TimeBased`] (default `e = 0.25`, the
/// Boulware shape), but it offers the least outcome worth at least its aspiration level
/// (deterministic, no randomness), and accepts an acceptable offer worth at least it.
#[derive(Clone, Debug, PartialEq)]
pub struct Aspiration {
    /// The concession exponent `e`.
    pub exponent: f64,
}

impl Default for Aspiration {
    fn default() -> Aspiration {
        Aspiration { exponent: 0.25 }
    }
}

impl Aspiration {
    fn target(&self, nmi: &Nmi) -> f64 {
        let d = nmi.domain;
        concession(
            nmi.relative_time,
            self.exponent,
            d.best_utility(nmi.party),
            d.concession_floor(nmi.party),
        )
    }
}

impl Negotiator for Aspiration {
    fn propose(&mut self, nmi: &Nmi, _rng: &mut Rng) -> Action {
        match nmi.domain.closest_at_least(nmi.party, self.target(nmi)) {
            Some(id) => Action::Offer(id),
            None => Action::End,
        }
    }

    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, _rng: &mut Rng) -> Response {
        accept_if(nmi.acceptable(offer) && nmi.utility(offer) >= self.target(nmi))
    }
}

/// The tolerance, in utility units, by which NegMAS 0.16's time-based negotiators
/// (`BoulwareTBNegotiator`, `LinearTBNegotiator`, `ConcederTBNegotiator`) widen their band
/// below the target: their `eps` (`1e-4`) plus `1e-6`, found by experiment (see the module
/// documentation).
pub const NEGMAS_TB_TOLERANCE: f64 = 1.01e-4;

/// The tolerance of NegMAS 0.16's `AspirationNegotiator`: its `tolerance` (`1e-3`) plus
/// `1e-6`, found by experiment.
pub const NEGMAS_ASPIRATION_TOLERANCE: f64 = 1.001e-3;

/// A time-based negotiator as NegMAS 0.16 plays it (see the module documentation, "NegMAS-
/// compatible negotiators"): the curve `target(t) = r + (max - r) * (1 - t^(1/e))`, the
/// level `target(t) - tolerance`; it offers the least outcome worth at least the level and
/// the reserved value (ties by lowest id; its best outcome when none is), and accepts an
/// acceptable offer worth at least the level. Deterministic: it draws nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct NegmasTimeBased {
    /// The concession exponent `e` (NegMAS's exponent is `1/e`): `0.25` Boulware, `1`
    /// Linear, `4` Conceder.
    pub exponent: f64,
    /// How far below the target (utility units) offers and acceptances reach.
    pub tolerance: f64,
}

impl NegmasTimeBased {
    /// NegMAS's `BoulwareTBNegotiator`: `e = 0.25`.
    pub fn boulware() -> NegmasTimeBased {
        NegmasTimeBased { exponent: 0.25, tolerance: NEGMAS_TB_TOLERANCE }
    }

    /// NegMAS's `LinearTBNegotiator`: `e = 1`.
    pub fn linear() -> NegmasTimeBased {
        NegmasTimeBased { exponent: 1.0, tolerance: NEGMAS_TB_TOLERANCE }
    }

    /// NegMAS's `ConcederTBNegotiator`: `e = 4`.
    pub fn conceder() -> NegmasTimeBased {
        NegmasTimeBased { exponent: 4.0, tolerance: NEGMAS_TB_TOLERANCE }
    }

    /// NegMAS's `AspirationNegotiator` with its defaults: the Boulware curve (`e = 0.25`)
    /// and its own tolerance.
    pub fn aspiration() -> NegmasTimeBased {
        NegmasTimeBased { exponent: 0.25, tolerance: NEGMAS_ASPIRATION_TOLERANCE }
    }

    /// The level at the negotiator's current time: `target(t) - tolerance`. Offers and
    /// acceptances are judged against it.
    pub fn level(&self, nmi: &Nmi) -> f64 {
        let d = nmi.domain;
        let target = concession(
            nmi.relative_time,
            self.exponent,
            d.best_utility(nmi.party),
            d.concession_floor(nmi.party),
        );
        target - self.tolerance
    }
}

impl Negotiator for NegmasTimeBased {
    fn propose(&mut self, nmi: &Nmi, _rng: &mut Rng) -> Action {
        let floor = self.level(nmi).max(nmi.reservation());
        match nmi.domain.closest_at_least(nmi.party, floor) {
            Some(id) => Action::Offer(id),
            None => Action::End,
        }
    }

    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, _rng: &mut Rng) -> Response {
        accept_if(nmi.acceptable(offer) && nmi.utility(offer) >= self.level(nmi))
    }
}

/// Naive tit-for-tat: concedes exactly as much as the others have conceded, measured in
/// its own utility: `target = max - (best offer received - first offer received)`
/// (utilities to itself), never below its concession floor. It offers the least outcome
/// worth at least its target and accepts an acceptable offer worth at least it (after
/// counting that offer's concession).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TitForTat {
    first: Option<f64>,
    best: f64,
}

impl TitForTat {
    /// The current target utility.
    pub fn target(&self, nmi: &Nmi) -> f64 {
        let d = nmi.domain;
        let max = d.best_utility(nmi.party);
        let conceded = self.first.map_or(0.0, |f| (self.best - f).max(0.0));
        (max - conceded).max(d.concession_floor(nmi.party)).min(max)
    }
}

impl Negotiator for TitForTat {
    fn propose(&mut self, nmi: &Nmi, _rng: &mut Rng) -> Action {
        match nmi.domain.closest_at_least(nmi.party, self.target(nmi)) {
            Some(id) => Action::Offer(id),
            None => Action::End,
        }
    }

    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, _rng: &mut Rng) -> Response {
        let u = nmi.utility(offer);
        match self.first {
            None => {
                self.first = Some(u);
                self.best = u;
            }
            Some(_) => self.best = self.best.max(u),
        }
        accept_if(nmi.acceptable(offer) && u >= self.target(nmi))
    }
}

/// Offers a uniformly random outcome acceptable to itself (its best outcome if none is),
/// and accepts an acceptable offer with probability `p_accept` (default 1/2).
#[derive(Clone, Debug, PartialEq)]
pub struct RandomNegotiator {
    /// The probability of accepting an acceptable offer.
    pub p_accept: f64,
}

impl Default for RandomNegotiator {
    fn default() -> RandomNegotiator {
        RandomNegotiator { p_accept: 0.5 }
    }
}

impl Negotiator for RandomNegotiator {
    fn propose(&mut self, nmi: &Nmi, rng: &mut Rng) -> Action {
        match nmi.domain.random_acceptable(nmi.party, rng) {
            Some(id) => Action::Offer(id),
            None => Action::End,
        }
    }

    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, rng: &mut Rng) -> Response {
        accept_if(nmi.acceptable(offer) && rng.chance(self.p_accept))
    }
}

/// Never concedes: offers its best outcome every time and accepts only an acceptable offer
/// worth its best utility.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hardliner;

impl Negotiator for Hardliner {
    fn propose(&mut self, nmi: &Nmi, _rng: &mut Rng) -> Action {
        match nmi.domain.best_outcome(nmi.party) {
            Some(id) => Action::Offer(id),
            None => Action::End,
        }
    }

    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, _rng: &mut Rng) -> Response {
        accept_if(nmi.acceptable(offer) && nmi.utility(offer) >= nmi.domain.best_utility(nmi.party))
    }
}

/// Seeks the Nash bargaining outcome: with complete information it takes the exact Nash
/// point of the scenario ([`Domain::reference`](crate::Domain::reference), the first in
/// descending welfare when tied), offers it every time and accepts any acceptable offer
/// worth at least its own Nash utility. With no rational outcome it behaves as
/// [`Hardliner`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NashSeeker {
    goal: Option<(OutcomeId, f64)>,
}

impl Negotiator for NashSeeker {
    fn on_start(&mut self, nmi: &Nmi) {
        self.goal = nmi.domain.reference().nash.first().map(|(u, id)| (*id, u[nmi.party]));
    }

    fn propose(&mut self, nmi: &Nmi, rng: &mut Rng) -> Action {
        match self.goal {
            Some((id, _)) => Action::Offer(id),
            None => Hardliner.propose(nmi, rng),
        }
    }

    fn respond(&mut self, nmi: &Nmi, offer: OutcomeId, rng: &mut Rng) -> Response {
        match self.goal {
            Some((_, u)) => accept_if(nmi.acceptable(offer) && nmi.utility(offer) >= u),
            None => Hardliner.respond(nmi, offer, rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use detente_core::{Issue, Meta, Party, Role, Scenario, Stance};

    use super::*;
    use crate::Domain;

    /// Two parties split 0..=10 units of one issue linearly and oppositely.
    fn split(reservation: f64) -> Domain {
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, reservation),
            Party::new("b", "B", Role::Principal, 1.0, reservation),
        ];
        let opts: Vec<String> = (0..=10).map(|k| k.to_string()).collect();
        let opts: Vec<&str> = opts.iter().map(String::as_str).collect();
        let issues = vec![Issue::discrete("x", "X", &opts)];
        let stances = vec![
            vec![Some(Stance::values(1.0, (0..=10).map(|k| k as f64 / 10.0).collect()))],
            vec![Some(Stance::values(1.0, (0..=10).map(|k| 1.0 - k as f64 / 10.0).collect()))],
        ];
        let s = Scenario::new(Meta::named("split"), parties, issues, stances, vec![], vec![])
            .expect("valid");
        Domain::new(Arc::new(s)).expect("domain")
    }

    fn at(d: &Domain, party: usize, t: f64) -> Nmi<'_> {
        Nmi { domain: d, party, step: (t * 100.0) as u32, relative_time: t, n_steps: Some(100) }
    }

    #[test]
    fn curves_order_boulware_linear_conceder() {
        let d = split(0.0);
        let nmi = at(&d, 0, 0.5);
        let (b, l, c) = (
            TimeBased::boulware().target(&nmi),
            TimeBased::linear().target(&nmi),
            TimeBased::conceder().target(&nmi),
        );
        assert!((b - 0.9375).abs() < 1e-12, "{b}");
        assert!((l - 0.5).abs() < 1e-12);
        assert!((c - (1.0 - 0.5f64.powf(0.25))).abs() < 1e-12);
        assert!(b > l && l > c);
        for t in [0.0, 0.1, 0.37, 0.5, 0.99, 1.0] {
            for e in [0.25, 0.5, 1.0, 2.0, 4.0, 0.3] {
                assert!((root(t, e) - f64::powf(t, 1.0 / e)).abs() < 1e-15, "{t} {e}");
            }
        }
        // every curve starts at the best utility and ends at the concession floor
        for e in [0.25, 1.0, 4.0] {
            assert_eq!(concession(0.0, e, 1.0, 0.2), 1.0);
            assert!((concession(1.0, e, 1.0, 0.2) - 0.2).abs() < 1e-15);
        }
    }

    #[test]
    fn time_based_offers_at_or_above_its_target_and_accepts_from_it() {
        let d = split(0.3);
        let mut rng = Rng::new(1);
        for t in [0.0, 0.3, 0.6, 0.9, 0.99] {
            let nmi = at(&d, 0, t);
            let mut neg = TimeBased::linear();
            let target = neg.target(&nmi);
            let Action::Offer(id) = neg.propose(&nmi, &mut rng) else { panic!("offers") };
            assert!(d.utility(0, id) >= target);
            // an offer just at the target is accepted, one below it is not
            let hit = d.closest_at_least(0, target).unwrap();
            assert_eq!(neg.respond(&nmi, hit, &mut rng), Response::Accept);
            // party 0's utility of outcome k is k / 10
            if hit > 0 && d.utility(0, hit - 1) < target {
                assert_eq!(neg.respond(&nmi, hit - 1, &mut rng), Response::Reject);
            }
        }
        // never below the reservation, even at the deadline
        let nmi = at(&d, 0, 1.0);
        assert_eq!(TimeBased::conceder().respond(&nmi, 2, &mut rng), Response::Reject);
        assert_eq!(TimeBased::conceder().respond(&nmi, 3, &mut rng), Response::Accept);
    }

    /// The NegMAS-compatible negotiators against a brute-force scan of every outcome: the
    /// level from the scanned best and worst utilities, the offer the least (then lowest id)
    /// allowed outcome worth at least the level and the reservation, and every response.
    #[test]
    fn negmas_time_based_offer_the_least_outcome_above_their_level_as_a_scan_finds() {
        use detente_testkit::{GenConfig, random_scenario};
        let variants = [
            ("boulware-negmas", 0.25, NEGMAS_TB_TOLERANCE),
            ("linear-negmas", 1.0, NEGMAS_TB_TOLERANCE),
            ("conceder-negmas", 4.0, NEGMAS_TB_TOLERANCE),
            ("aspiration-negmas", 0.25, NEGMAS_ASPIRATION_TOLERANCE),
        ];
        let mut checked = 0;
        for seed in 0..30 {
            // coarse values make exact ties, red lines make outcomes not allowed
            let cfg = GenConfig { reservation_max: 0.8, ..GenConfig::new(2, 3, 4) };
            let d = Domain::new(Arc::new(random_scenario(seed, &cfg))).expect("domain");
            let s = d.scenario().clone();
            for p in 0..2 {
                let allowed: Vec<u64> =
                    (0..d.n_outcomes()).filter(|&id| d.allowed(p, id)).collect();
                if allowed.is_empty() {
                    continue;
                }
                let u = |id: u64| s.utility(p, &d.decode(id));
                let max = allowed.iter().map(|&id| u(id)).fold(f64::NEG_INFINITY, f64::max);
                let worst = allowed.iter().map(|&id| u(id)).fold(f64::INFINITY, f64::min);
                let rv = s.parties()[p].reservation;
                let r = rv.max(worst);
                for (name, e, tol) in variants {
                    for k in 0..=20 {
                        let t = k as f64 / 20.0;
                        let target =
                            if max <= r { max } else { r + (max - r) * (1.0 - t.powf(1.0 / e)) };
                        let level = target - tol;
                        let floor = level.max(rv);
                        let best = *allowed
                            .iter()
                            .filter(|&&id| u(id) >= floor)
                            .min_by(|&&a, &&b| u(a).total_cmp(&u(b)).then(a.cmp(&b)))
                            .unwrap_or(&d.best_outcome(p).expect("allowed"));
                        let nmi = at(&d, p, t);
                        let mut neg = negotiator(name).expect("listed");
                        // deterministic: the generator does not matter
                        for rng_seed in [1, 2] {
                            let got = neg.propose(&nmi, &mut Rng::new(rng_seed));
                            assert_eq!(
                                got,
                                Action::Offer(best),
                                "{name} seed {seed} party {p} t {t}"
                            );
                        }
                        for id in 0..d.n_outcomes() {
                            let accept = d.allowed(p, id) && u(id) >= rv && u(id) >= level;
                            let want = if accept { Response::Accept } else { Response::Reject };
                            assert_eq!(neg.respond(&nmi, id, &mut Rng::new(seed)), want, "{name}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn negmas_names_name_the_negmas_compatible_variants() {
        let pairs = [
            ("BoulwareTBNegotiator", NegmasTimeBased::boulware()),
            ("LinearTBNegotiator", NegmasTimeBased::linear()),
            ("ConcederTBNegotiator", NegmasTimeBased::conceder()),
            ("AspirationNegotiator", NegmasTimeBased::aspiration()),
        ];
        let d = split(0.25);
        for (name, neg) in pairs {
            let b = builtins()
                .iter()
                .find(|b| b.answers_to(&name.to_ascii_lowercase()))
                .expect("an alias");
            assert!(b.name.ends_with("-negmas"), "{name} names {}", b.name);
            // the same offers as the variant made directly
            for t in [0.1, 0.5, 0.9] {
                let nmi = at(&d, 0, t);
                assert_eq!(
                    negotiator(name).expect("known").propose(&nmi, &mut Rng::new(1)),
                    neg.clone().propose(&nmi, &mut Rng::new(1))
                );
            }
        }
    }

    #[test]
    fn hardliner_never_concedes() {
        let d = split(0.0);
        let mut rng = Rng::new(1);
        let mut h = Hardliner;
        for t in [0.0, 0.5, 0.99, 1.0] {
            assert_eq!(h.propose(&at(&d, 1, t), &mut rng), Action::Offer(0));
            assert_eq!(h.respond(&at(&d, 1, t), 1, &mut rng), Response::Reject);
            assert_eq!(h.respond(&at(&d, 1, t), 0, &mut rng), Response::Accept);
        }
    }

    #[test]
    fn tit_for_tat_mirrors_the_opponents_concession() {
        let d = split(0.0);
        let mut rng = Rng::new(1);
        let mut tft = TitForTat::default();
        let nmi = at(&d, 0, 0.1);
        // first move: its best
        assert_eq!(tft.propose(&nmi, &mut rng), Action::Offer(10));
        // the opponent opens with 1 unit for me, then concedes to 3: I concede 0.2
        assert_eq!(tft.respond(&nmi, 1, &mut rng), Response::Reject);
        assert_eq!(tft.propose(&nmi, &mut rng), Action::Offer(10));
        assert_eq!(tft.respond(&nmi, 3, &mut rng), Response::Reject);
        assert!((tft.target(&nmi) - 0.8).abs() < 1e-12);
        assert_eq!(tft.propose(&nmi, &mut rng), Action::Offer(8));
        // a retreat does not undo the concession already mirrored
        assert_eq!(tft.respond(&nmi, 0, &mut rng), Response::Reject);
        assert_eq!(tft.propose(&nmi, &mut rng), Action::Offer(8));
        // time alone changes nothing
        assert_eq!(tft.propose(&at(&d, 0, 0.99), &mut rng), Action::Offer(8));
    }

    #[test]
    fn aspiration_is_deterministic_and_boulware_shaped() {
        let d = split(0.0);
        let mut a = Aspiration::default();
        let mut r1 = Rng::new(1);
        let mut r2 = Rng::new(2);
        for t in [0.0, 0.5, 0.8, 0.95] {
            let nmi = at(&d, 0, t);
            let (x, y) = (a.propose(&nmi, &mut r1), a.propose(&nmi, &mut r2));
            assert_eq!(x, y);
            let Action::Offer(id) = x else { panic!("offers") };
            assert_eq!(Some(id), d.closest_at_least(0, concession(t, 0.25, 1.0, 0.0)));
        }
    }

    #[test]
    fn random_offers_only_acceptable_outcomes() {
        let d = split(0.45);
        let mut rng = Rng::new(9);
        let mut r = RandomNegotiator::default();
        let nmi = at(&d, 1, 0.5);
        let mut accepted = 0;
        for _ in 0..200 {
            let Action::Offer(id) = r.propose(&nmi, &mut rng) else { panic!("offers") };
            assert!(d.acceptable(1, id));
            assert_eq!(r.respond(&nmi, 9, &mut rng), Response::Reject);
            accepted += usize::from(r.respond(&nmi, 2, &mut rng) == Response::Accept);
        }
        assert!((60..140).contains(&accepted), "{accepted}");
    }

    #[test]
    fn nash_seeker_insists_on_the_nash_outcome() {
        let d = split(0.0);
        let mut n = NashSeeker::default();
        let mut rng = Rng::new(1);
        let nmi = at(&d, 0, 0.0);
        n.on_start(&nmi);
        assert_eq!(n.propose(&nmi, &mut rng), Action::Offer(5));
        assert_eq!(n.propose(&at(&d, 0, 0.99), &mut rng), Action::Offer(5));
        assert_eq!(n.respond(&nmi, 4, &mut rng), Response::Reject);
        assert_eq!(n.respond(&nmi, 6, &mut rng), Response::Accept);
    }

    #[test]
    fn every_name_is_known_and_aliases_work() {
        for name in names() {
            assert!(negotiator(name).is_ok(), "{name}");
        }
        for alias in ["Boulware", "LinearTBNegotiator", "tough", "tft", "naive_tit_for_tat"] {
            assert!(negotiator(alias).is_ok(), "{alias}");
        }
        assert_eq!(negotiator("x").err().map(|e| e.kind()), Some(ErrorKind::UnknownNegotiator));
    }

    #[test]
    fn the_registry_names_each_negotiator_once() {
        let mut keys: Vec<&str> = vec![];
        for b in builtins() {
            assert!(!b.summary.is_empty(), "{}", b.name);
            for &key in std::iter::once(&b.name).chain(b.aliases) {
                assert_eq!(key, key.to_ascii_lowercase().replace('_', "-"), "{key} is not a key");
                assert!(!keys.contains(&key), "{key} names two negotiators");
                keys.push(key);
            }
        }
        assert_eq!(names(), builtins().iter().map(|b| b.name).collect::<Vec<_>>());
    }

    #[test]
    fn every_listed_negotiator_constructs_and_plays_every_mechanism() {
        use crate::{Deadline, EntryKind, Reply, SessionConfig, Termination, replay, run};
        let d = split(0.3);
        for b in builtins() {
            for &mechanism in crate::mechanisms() {
                for first in [true, false] {
                    // the negotiator plays each side against linear, by its name and its aliases
                    for key in std::iter::once(&b.name).chain(b.aliases) {
                        let mine = negotiator(key).expect("listed");
                        let other = negotiator("linear").expect("listed");
                        let me = usize::from(!first);
                        let mut negs = if first { vec![mine, other] } else { vec![other, mine] };
                        let config = SessionConfig { mechanism, deadline: Deadline::steps(20) };
                        let r = run(&d, &config, &mut negs, 5).expect("runs");
                        let what = format!("{key} ({}) under {}", b.name, mechanism.name());
                        assert!(
                            !matches!(r.termination, Termination::NegotiatorError { .. }),
                            "{what}: {r:?}"
                        );
                        // it made a move: an offer, a reply or a vote
                        let t = &r.trace;
                        let moved = t.entries.iter().enumerate().any(|(e, entry)| {
                            (entry.kind == EntryKind::Offer && entry.proposer == Some(me as u32))
                                || t.replies_of(e)[me] != Reply::None
                        });
                        assert!(moved, "{what} made no move");
                        assert_eq!(replay(&d, t).expect("replays"), r, "{what}");
                    }
                }
            }
        }
    }
}
