//! Conversions between an [`SmpInput`] and a detente [`Scenario`]: actors are parties,
//! dimensions are 0-100 scale issues, salience is a stance's weight and position its ideal.

use detente_core::{Issue, IssueKind, Meta, Party, Preference, Role, Scenario, Stance};

use crate::error::{Error, ErrorKind};
use crate::input::{Actor, SmpInput};

/// The grid step of the scale issues [`to_scenario`] makes.
pub const SCALE_STEP: f64 = 0.01;
/// The tolerance of the stances [`to_scenario`] makes: a party values the far end of the
/// scale at 0.
pub const TOLERANCE: f64 = 100.0;

/// A scenario with one principal party per actor (its capability, reservation 0, the
/// description if any) and one scale issue `0..=100` step 0.01 per dimension (unit
/// `points`); each stance has weight = salience, ideal = position and tolerance 100.
///
/// Fails (with the first problem) when the input breaks a range of [`SmpInput`].
pub fn to_scenario(input: &SmpInput) -> Result<Scenario, Error> {
    input.validate()?;
    let parties = input
        .actors
        .iter()
        .map(|a| {
            let mut p = Party::new(&a.name, &a.name, Role::Principal, a.capability, 0.0);
            p.description = (!a.description.is_empty()).then(|| a.description.clone());
            p
        })
        .collect();
    let issues = input
        .dimensions
        .iter()
        .map(|d| Issue::scale(d, d, "points", 0.0, 100.0, SCALE_STEP))
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

/// The SMP input of a scenario whose issues are all scales and whose parties all hold an
/// ideal on every issue: capability = party capability, salience = stance weight, position
/// = the ideal mapped linearly from the scale's `[min, max]` onto `0..=100`.
///
/// Fails when an issue is not a scale (or has `min == max`), a party has no stance on an
/// issue, or the result breaks a range of [`SmpInput`] (e.g. weights summing above 100).
pub fn from_scenario(scenario: &Scenario) -> Result<SmpInput, Error> {
    from_scenario_parties(scenario, &(0..scenario.parties.len()).collect::<Vec<_>>())
}

/// [`from_scenario`] with only the parties at the indices `parties` as actors, in that
/// order (the others need no stance). Fails as [`from_scenario`] does, and when an index
/// names no party.
pub fn from_scenario_parties(scenario: &Scenario, parties: &[usize]) -> Result<SmpInput, Error> {
    if let Some(&p) = parties.iter().find(|&&p| p >= scenario.parties.len()) {
        return Err(Error::new(
            ErrorKind::Unknown,
            format!("party index {p}: the scenario has {} parties", scenario.parties.len()),
        ));
    }
    let mut bounds = Vec::new();
    for issue in &scenario.issues {
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
    for (p, party) in parties.iter().map(|&p| (p, &scenario.parties[p])) {
        let mut pos = Vec::new();
        let mut sal = Vec::new();
        for (i, issue) in scenario.issues.iter().enumerate() {
            let Some(stance) = &scenario.stances[p][i] else {
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
            .map(|&p| &scenario.parties[p])
            .map(|p| Actor {
                name: p.id.clone(),
                description: p.description.clone().unwrap_or_default(),
                capability: p.capability,
            })
            .collect(),
        dimensions: scenario.issues.iter().map(|i| i.id.clone()).collect(),
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
        assert_eq!(s.issues[0].n_options(), 10_001);
        assert_eq!(s.parties[1].capability, 20.0);
        assert_eq!(s.parties[0].description.as_deref(), Some("first"));
        assert_eq!(from_scenario(&s).unwrap(), toy());
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
        let mut s = to_scenario(&toy()).unwrap();
        s.parties.push(Party::new("c", "C", Role::Mediator, 1.0, 0.0));
        s.stances.push(vec![None, None]);
        assert_eq!(from_scenario(&s).unwrap_err().kind(), ErrorKind::Unsupported);
        let input = from_scenario_parties(&s, &[1, 0]).unwrap();
        assert_eq!(input.actors[0].name, "b");
        assert_eq!(input.positions, vec![vec![90.0, 0.0], vec![10.3, 55.0]]);
        assert_eq!(from_scenario_parties(&s, &[3]).unwrap_err().kind(), ErrorKind::Unknown);
    }
}
