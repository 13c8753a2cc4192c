//! Outcomes: one option per issue.

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
