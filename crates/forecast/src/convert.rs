//! Conversions between an [`SmpInput`] and a detente [`Scenario`]: actors are parties,
//! dimensions are 0-100 scale issues, salience is a stance's weight and position its ideal.

use std::collections::{HashMap, HashSet};

use detente_core::{Issue, IssueKind, Meta, Party, Preference, Role, Scenario, Stance};

use crate::error::{Error, ErrorKind};
use crate::input::{Actor, SmpInput};

/// The grid step of the scale issues [`to_scenario`] makes.
pub const SCALE_STEP: f64 = 0.01;
/// The tolerance of the stances [`to_scenario`] makes: a party values the far end of the
/// scale at 0.
pub const TOLERANCE: f64 = 100.0;

/// The smallest non-zero weight a scenario holds (smaller ones lose precision when the
/// weights are normalised; the scenario reader refuses them).
const MIN_WEIGHT: f64 = 1e-9;

/// A scenario with one principal party per actor (its capability, reservation 0, the
/// description if any) and one scale issue `0..=100` step 0.01 per dimension (unit
/// `points`); each stance has weight = salience, ideal = position and tolerance 100.
///
/// Parties and issues are named as the actors and dimensions are; their ids are those
/// names where a name is an id (ASCII letters, digits, `-`, `_`, `.`), else the name with
/// each run of other characters made one `-` (`Policy Position` becomes
/// `Policy-Position`), `actor` or `dimension` when nothing is left, and `-2`, `-3`, ...
/// appended to an id already given: the scenario reads back as written.
///
/// Fails (with the first problem) when the input breaks a range of [`SmpInput`], or when a
/// salience is above 0 but below 1e-9 (the smallest weight a scenario holds).
pub fn to_scenario(input: &SmpInput) -> Result<Scenario, Error> {
    input.validate()?;
    for (i, a) in input.actors.iter().enumerate() {
        for (d, &s) in input.salience[i].iter().enumerate() {
            if s > 0.0 && s < MIN_WEIGHT {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "actor {:?} dimension {:?}: salience {s:e} is below 1e-9, the smallest weight a scenario holds (use 0 or at least 1e-9)",
                        a.name, input.dimensions[d]
                    ),
                ));
            }
        }
    }
    let mut ids = Ids::default();
    let parties = input
        .actors
        .iter()
        .map(|a| {
            let id = ids.id(&a.name, "actor");
            let mut p = Party::new(&id, &a.name, Role::Principal, a.capability, 0.0);
            p.description = (!a.description.is_empty()).then(|| a.description.clone());
            p
        })
        .collect();
    let mut ids = Ids::default();
    let issues = input
        .dimensions
        .iter()
        .map(|d| Issue::scale(&ids.id(d, "dimension"), d, "points", 0.0, 100.0, SCALE_STEP))
        .collect();
    let stances = (0..input.n_actors())
        .map(|i| {
            (0..input.n_dims())
                .map(|d| {
                    Some(Stance::ideal(input.salience[i][d], input.positions[i][d], TOLERANCE))
                })
                .collect()
        })
        .collect();
    Scenario::new(Meta::named("smp"), parties, issues, stances, vec![], vec![])
        .map_err(|e| Error::new(ErrorKind::Unsupported, e.message()))
}

/// Ids made from names ([`to_scenario`]); each base id remembers the next suffix to try,
/// so that many equal names take linear time.
#[derive(Default)]
struct Ids {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    fn id(&mut self, name: &str, fallback: &str) -> String {
        let mut base = String::with_capacity(name.len());
        let mut gap = false;
        for c in name.chars() {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                if gap && !base.is_empty() {
                    base.push('-');
                }
                gap = false;
                base.push(c);
            } else {
                gap = true;
            }
        }
        if base.is_empty() {
            base = fallback.to_string();
        }
        if self.taken.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// The SMP input of a scenario whose issues are all scales and whose parties all hold an
/// ideal on every issue: capability = party capability, salience = stance weight, position
/// = the ideal mapped linearly from the scale's `[min, max]` onto `0..=100`.
///
/// Fails when an issue is not a scale (or has `min == max`), a party has no stance on an
/// issue, or the result breaks a range of [`SmpInput`] (e.g. weights summing above 100).
pub fn from_scenario(scenario: &Scenario) -> Result<SmpInput, Error> {
    from_scenario_parties(scenario, &(0..scenario.parties().len()).collect::<Vec<_>>())
}

/// [`from_scenario`] with only the parties at the indices `parties` as actors, in that
/// order (the others need no stance). Fails as [`from_scenario`] does, and when an index
/// names no party.
pub fn from_scenario_parties(scenario: &Scenario, parties: &[usize]) -> Result<SmpInput, Error> {
    if let Some(&p) = parties.iter().find(|&&p| p >= scenario.parties().len()) {
        return Err(Error::new(
            ErrorKind::Unknown,
            format!("party index {p}: the scenario has {} parties", scenario.parties().len()),
        ));
    }
    let mut bounds = Vec::new();
    for issue in scenario.issues() {
        match issue.kind {
            IssueKind::Scale { min, max, .. } if max > min => bounds.push((min, max)),
            IssueKind::Scale { .. } => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("issue {:?}: its scale has no width (min = max)", issue.id),
                ));
            }
            IssueKind::Discrete { .. } => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "issue {:?} is discrete; smp needs every issue to be a scale",
                        issue.id
                    ),
                ));
            }
        }
    }
    let mut positions = Vec::new();
    let mut salience = Vec::new();
    for (p, party) in parties.iter().map(|&p| (p, &scenario.parties()[p])) {
        let mut pos = Vec::new();
        let mut sal = Vec::new();
        for (i, issue) in scenario.issues().iter().enumerate() {
            let Some(stance) = &scenario.stances()[p][i] else {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("party {:?} has no stance on issue {:?}", party.id, issue.id),
                ));
            };
            let Preference::Ideal { ideal, .. } = stance.preference else {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("party {:?} issue {:?}: the stance has no ideal", party.id, issue.id),
                ));
            };
            let (min, max) = bounds[i];
            let x = if min == 0.0 && max == 100.0 {
                ideal
            } else {
                ((ideal - min) * 100.0 / (max - min)).clamp(0.0, 100.0)
            };
            pos.push(x);
            sal.push(stance.weight);
        }
        positions.push(pos);
        salience.push(sal);
    }
    let input = SmpInput {
        actors: parties
            .iter()
            .map(|&p| &scenario.parties()[p])
            .map(|p| Actor {
                name: p.id.clone(),
                description: p.description.clone().unwrap_or_default(),
                capability: p.capability,
            })
            .collect(),
        dimensions: scenario.issues().iter().map(|i| i.id.clone()).collect(),
        positions,
        salience,
    };
    input.validate()?;
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> SmpInput {
        SmpInput {
            actors: vec![
                Actor { name: "a".into(), description: "first".into(), capability: 10.0 },
                Actor { name: "b".into(), description: String::new(), capability: 20.0 },
            ],
            dimensions: vec!["x".into(), "y".into()],
            positions: vec![vec![10.3, 55.0], vec![90.0, 0.0]],
            salience: vec![vec![50.0, 20.0], vec![30.0, 30.0]],
        }
    }

    #[test]
    fn round_trip() {
        let s = to_scenario(&toy()).unwrap();
        assert_eq!(s.issues()[0].n_options(), 10_001);
        assert_eq!(s.parties()[1].capability, 20.0);
        assert_eq!(s.parties()[0].description.as_deref(), Some("first"));
        assert_eq!(from_scenario(&s).unwrap(), toy());
    }

    #[test]
    fn names_that_are_not_ids_get_ids_and_keep_their_names() {
        let mut input = toy();
        input.actors[0].name = "Xi Jinping".into();
        input.actors[1].name = "Xi-Jinping".into();
        input.dimensions = vec!["Policy Position".into(), " ¿? ".into()];
        let s = to_scenario(&input).unwrap();
        let ids: Vec<&str> = s.parties().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["Xi-Jinping", "Xi-Jinping-2"]);
        assert_eq!(s.parties()[0].name, "Xi Jinping");
        let ids: Vec<&str> = s.issues().iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["Policy-Position", "dimension"]);
        assert_eq!(s.issues()[1].name, " ¿? ");
        // Names that are ids stay as they are.
        assert_eq!(to_scenario(&toy()).unwrap().parties()[0].id, "a");
        let mut ids = Ids::default();
        let many: HashSet<String> = (0..1000).map(|_| ids.id("x y", "actor")).collect();
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn saliences_a_scenario_cannot_hold_are_refused() {
        let mut input = toy();
        input.salience[1][0] = 1e-12;
        let e = to_scenario(&input).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(
            e.message().starts_with("actor \"b\" dimension \"x\": salience 1e-12 is below 1e-9")
        );
        input.salience[1][0] = 0.0;
        assert!(to_scenario(&input).is_ok());
    }

    #[test]
    fn scales_are_mapped_and_discrete_issues_refused() {
        let parties = vec![
            Party::new("a", "A", Role::Principal, 1.0, 0.0),
            Party::new("b", "B", Role::Principal, 1.0, 0.0),
        ];
        let issues = vec![Issue::scale("army", "Army", "k", 100.0, 300.0, 50.0)];
        let stances = vec![
            vec![Some(Stance::ideal(1.0, 150.0, 100.0))],
            vec![Some(Stance::ideal(1.0, 300.0, 100.0))],
        ];
        let s = Scenario::new(Meta::named("t"), parties.clone(), issues, stances, vec![], vec![])
            .unwrap();
        let input = from_scenario(&s).unwrap();
        assert_eq!(input.positions, vec![vec![25.0], vec![100.0]]);
        let issues = vec![Issue::discrete("x", "X", &["p", "q"])];
        let stances = vec![
            vec![Some(Stance::values(1.0, vec![1.0, 0.0]))],
            vec![Some(Stance::values(1.0, vec![0.0, 1.0]))],
        ];
        let s = Scenario::new(Meta::named("t"), parties, issues, stances, vec![], vec![]).unwrap();
        let e = from_scenario(&s).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert_eq!(e.message(), "issue \"x\" is discrete; smp needs every issue to be a scale");
    }

    #[test]
    fn a_choice_of_parties_needs_stances_of_those_only() {
        let mut parts = to_scenario(&toy()).unwrap().into_parts();
        parts.parties.push(Party::new("c", "C", Role::Mediator, 1.0, 0.0));
        parts.stances.push(vec![None, None]);
        let s = Scenario::from_parts(parts).unwrap();
        assert_eq!(from_scenario(&s).unwrap_err().kind(), ErrorKind::Unsupported);
        let input = from_scenario_parties(&s, &[1, 0]).unwrap();
        assert_eq!(input.actors[0].name, "b");
        assert_eq!(input.positions, vec![vec![90.0, 0.0], vec![10.3, 55.0]]);
        assert_eq!(from_scenario_parties(&s, &[3]).unwrap_err().kind(), ErrorKind::Unknown);
    }
}
