//! The input of the Spatial Model of Politics: actors with a capability, a position and a
//! salience on every 0-100 dimension ([`SmpInput`]), and its validation.

use std::collections::HashSet;

use crate::error::{Error, ErrorKind};

/// The largest capability KTAB's CSV reader accepts (its XML schema stops at 1000).
pub const MAX_CAPABILITY: f64 = 1e8;

/// One actor of an SMP problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    /// Name, unique among the actors.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Clout, in `[0, 1e8]`; only ratios between actors matter.
    pub capability: f64,
}

/// An SMP problem: actors, dimensions, and each actor's position and salience on each
/// dimension, all on KTAB's 0-100 scale.
///
/// Ranges (checked by [`SmpInput::validate`]): at least two actors and one dimension;
/// unique actor and dimension names; capabilities finite in `[0, 1e8]`; positions and
/// saliences finite in `[0, 100]`; each actor's saliences sum to at most 100 and are not
/// all 0.
#[derive(Clone, Debug, PartialEq)]
pub struct SmpInput {
    /// The actors.
    pub actors: Vec<Actor>,
    /// The dimension names.
    pub dimensions: Vec<String>,
    /// `positions[actor][dim]`, in `[0, 100]`.
    pub positions: Vec<Vec<f64>>,
    /// `salience[actor][dim]`, in `[0, 100]`, summing to at most 100 per actor.
    pub salience: Vec<Vec<f64>>,
}

impl SmpInput {
    /// The number of actors.
    pub fn n_actors(&self) -> usize {
        self.actors.len()
    }

    /// The number of dimensions.
    pub fn n_dims(&self) -> usize {
        self.dimensions.len()
    }

    /// A random valid input for tests and benchmarks, reproducible from `seed`: capabilities
    /// in `[1, 200)`, positions uniform on `[0, 100]` and saliences in `[1, 100 / n_dims]`,
    /// both with 2 decimals as in KTAB's examples; actors `A001, A002, ...`, dimensions
    /// `D1, D2, ...`.
    pub fn random(seed: u64, n_actors: usize, n_dims: usize) -> SmpInput {
        let mut rng = detente_core::Rng::new(seed);
        let mut two_decimals =
            |lo: f64, hi: f64| ((lo + rng.unit() * (hi - lo)) * 100.0).round() / 100.0;
        let mut actors = Vec::with_capacity(n_actors);
        let mut positions = Vec::with_capacity(n_actors);
        let mut salience = Vec::with_capacity(n_actors);
        let max_sal = 100.0 / n_dims.max(1) as f64;
        for i in 0..n_actors {
            let capability = two_decimals(1.0, 200.0);
            actors.push(Actor {
                name: format!("A{:03}", i + 1),
                description: String::new(),
                capability,
            });
            positions.push((0..n_dims).map(|_| two_decimals(0.0, 100.0)).collect());
            salience.push((0..n_dims).map(|_| two_decimals(1.0, max_sal).min(max_sal)).collect());
        }
        let dimensions = (1..=n_dims).map(|d| format!("D{d}")).collect();
        SmpInput { actors, dimensions, positions, salience }
    }

    /// The input of the actors at the indices `keep` only, in that order.
    ///
    /// # Panics
    /// When an index is not an actor's.
    pub fn restrict(&self, keep: &[usize]) -> SmpInput {
        SmpInput {
            actors: keep.iter().map(|&i| self.actors[i].clone()).collect(),
            dimensions: self.dimensions.clone(),
            positions: keep.iter().map(|&i| self.positions[i].clone()).collect(),
            salience: keep.iter().map(|&i| self.salience[i].clone()).collect(),
        }
    }

    /// Checks every range listed on [`SmpInput`]; the first problem found is returned,
    /// naming the actor and dimension.
    pub fn validate(&self) -> Result<(), Error> {
        let n = self.actors.len();
        let k = self.dimensions.len();
        let bad = |kind, msg: String| Err(Error::new(kind, msg));
        if n < 2 {
            return bad(ErrorKind::Count, format!("smp needs at least 2 actors, found {n}"));
        }
        if k == 0 {
            return bad(ErrorKind::Count, "smp needs at least 1 dimension, found 0".into());
        }
        let mut seen = HashSet::with_capacity(k);
        for d in &self.dimensions {
            if !seen.insert(d.as_str()) {
                return bad(ErrorKind::Duplicate, format!("duplicate dimension name {d:?}"));
            }
        }
        if self.positions.len() != n || self.salience.len() != n {
            return bad(
                ErrorKind::Count,
                format!(
                    "one row of positions and saliences per actor is needed: {n} actors, {} position rows, {} salience rows",
                    self.positions.len(),
                    self.salience.len()
                ),
            );
        }
        let mut seen = HashSet::with_capacity(n);
        for (i, a) in self.actors.iter().enumerate() {
            let name = &a.name;
            if !seen.insert(name.as_str()) {
                return bad(ErrorKind::Duplicate, format!("duplicate actor name {name:?}"));
            }
            if !(a.capability.is_finite() && (0.0..=MAX_CAPABILITY).contains(&a.capability)) {
                return bad(
                    ErrorKind::OutOfRange,
                    format!(
                        "actor {name:?}: capability {} outside [0, {MAX_CAPABILITY:e}]",
                        a.capability
                    ),
                );
            }
            if self.positions[i].len() != k || self.salience[i].len() != k {
                return bad(
                    ErrorKind::Count,
                    format!(
                        "actor {name:?}: {k} positions and saliences expected, found {} and {}",
                        self.positions[i].len(),
                        self.salience[i].len()
                    ),
                );
            }
            for (d, dim) in self.dimensions.iter().enumerate() {
                let x = self.positions[i][d];
                if !(x.is_finite() && (0.0..=100.0).contains(&x)) {
                    return bad(
                        ErrorKind::OutOfRange,
                        format!("actor {name:?} dimension {dim:?}: position {x} outside [0, 100]"),
                    );
                }
                let s = self.salience[i][d];
                if !(s.is_finite() && (0.0..=100.0).contains(&s)) {
                    return bad(
                        ErrorKind::OutOfRange,
                        format!("actor {name:?} dimension {dim:?}: salience {s} outside [0, 100]"),
                    );
                }
            }
            let total: f64 = self.salience[i].iter().sum();
            if total > 100.0 * (1.0 + 1e-9) {
                return bad(
                    ErrorKind::OutOfRange,
                    format!("actor {name:?}: saliences sum to {total}, above 100"),
                );
            }
            if total <= 0.0 {
                return bad(
                    ErrorKind::OutOfRange,
                    format!("actor {name:?}: every salience is 0 (at least one must be > 0)"),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn toy() -> SmpInput {
        SmpInput {
            actors: vec![
                Actor { name: "a".into(), description: String::new(), capability: 1.0 },
                Actor { name: "b".into(), description: String::new(), capability: 2.0 },
            ],
            dimensions: vec!["x".into()],
            positions: vec![vec![10.0], vec![90.0]],
            salience: vec![vec![50.0], vec![50.0]],
        }
    }

    #[test]
    fn random_inputs_are_valid_and_reproducible() {
        for (n, k) in [(2, 1), (7, 3), (40, 6)] {
            let a = SmpInput::random(9, n, k);
            assert!(a.validate().is_ok());
            assert_eq!(a, SmpInput::random(9, n, k));
            assert_ne!(a, SmpInput::random(10, n, k));
        }
    }

    #[test]
    fn ranges_are_checked_and_named() {
        assert!(toy().validate().is_ok());
        let mut t = toy();
        t.positions[1][0] = 101.0;
        let e = t.validate().unwrap_err();
        assert_eq!(e.message(), "actor \"b\" dimension \"x\": position 101 outside [0, 100]");
        assert_eq!(e.kind(), ErrorKind::OutOfRange);
        let mut t = toy();
        t.salience[0][0] = f64::NAN;
        assert!(t.validate().unwrap_err().message().contains("salience NaN"));
        let mut t = toy();
        t.salience[0][0] = 0.0;
        assert!(t.validate().unwrap_err().message().contains("every salience is 0"));
        let mut t = toy();
        t.actors[1].name = "a".into();
        assert_eq!(t.validate().unwrap_err().kind(), ErrorKind::Duplicate);
        let mut t = toy();
        t.actors[0].capability = -1.0;
        assert!(t.validate().unwrap_err().message().contains("capability -1"));
        let mut t = toy();
        t.positions.pop();
        assert_eq!(t.validate().unwrap_err().kind(), ErrorKind::Count);
    }
}
