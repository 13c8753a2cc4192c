//! Outcomes: one option per issue.

use crate::{Error, Scenario};

/// One option per issue, by index, that fits the scenario it was made for: one index per
/// issue, each naming one of that issue's options (or grid points).
///
/// An outcome is made by [`Outcome::new`], which checks it against the scenario, or, where
/// the caller built the indices from the scenario's own option counts (an enumeration, a
/// search, a decoder), by [`Outcome::new_unchecked`]. So [`Scenario::utility`] and the
/// other readers of an outcome index the scenario's tables without checking again.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Outcome(Vec<usize>);

impl Outcome {
    /// The outcome choosing `options[i]` on issue `i`, checked against `s`: one option per
    /// issue, each in range.
    pub fn new(s: &Scenario, options: Vec<usize>) -> Result<Outcome, Error> {
        if options.len() != s.issues().len() {
            return Err(Error::new(format!(
                "an outcome needs one option per issue ({}), found {}",
                s.issues().len(),
                options.len()
            )));
        }
        for (issue, &k) in s.issues().iter().zip(&options) {
            if k >= issue.n_options() {
                return Err(Error::new(format!(
                    "issue {}: option index {k} out of range (the issue has {})",
                    issue.id,
                    issue.n_options()
                )));
            }
        }
        Ok(Outcome(options))
    }

    /// The outcome choosing `options[i]` on issue `i`, not checked: only for indices the
    /// caller built from the scenario's own option counts (an enumeration of the outcomes, a
    /// search over them, a decoder of outcome numbers), where a check would only repeat the
    /// construction. Anything read from outside goes through [`Outcome::new`].
    pub fn new_unchecked(options: Vec<usize>) -> Outcome {
        Outcome(options)
    }

    /// The option chosen on an issue.
    pub fn option(&self, issue_idx: usize) -> usize {
        self.0[issue_idx]
    }

    /// The options chosen, one per issue in issue order.
    pub fn options(&self) -> &[usize] {
        &self.0
    }

    /// The options chosen, one per issue in issue order.
    pub fn into_options(self) -> Vec<usize> {
        self.0
    }
}
