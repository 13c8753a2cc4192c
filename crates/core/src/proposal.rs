//! Proposals: a draft with a term for every issue.

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
