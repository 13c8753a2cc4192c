//! What one proposal changes against another: term by term and party by party.

use detente_core::{Scenario, Term};

use crate::evaluate::{PartyEvaluation, PointEvaluation, Verdict, evaluate};

/// What proposal `to` changes against proposal `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Index of the earlier proposal.
    pub from: usize,
    /// Index of the later proposal.
    pub to: usize,
    /// Only the issues whose term differs, in issue order.
    pub changes: Vec<PointChange>,
    /// One entry per party, in party order.
    pub parties: Vec<PartyChange>,
}

/// A changed term.
#[derive(Clone, Debug, PartialEq)]
pub struct PointChange {
    /// The issue.
    pub issue: usize,
    /// The term in `from`.
    pub before: Term,
    /// The term in `to`.
    pub after: Term,
    /// Per party: the smallest and largest change of its utility on this issue over the
    /// ways an open term could be settled.
    pub deltas: Vec<(f64, f64)>,
}

/// How a party's view moves from one proposal to the other.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyChange {
    /// Index of the party.
    pub party: usize,
    /// Its evaluation of `from`.
    pub before: PartyEvaluation,
    /// Its evaluation of `to`.
    pub after: PartyEvaluation,
    /// The smallest change of the party's utility over the ways the open points could be
    /// settled (a point open in both proposals settled the same way in both).
    pub delta_min: f64,
    /// The largest such change.
    pub delta_max: f64,
    /// How its verdict moves.
    pub movement: Movement,
    /// Red lines, as `(issue, red_line)`, that a settled term of `to` breaks and `from` did not.
    pub red_lines_newly_broken: Vec<(usize, usize)>,
    /// Red lines, as `(issue, red_line)`, broken in `from` and kept by a settled term of
    /// `to` (a red line on a point `to` leaves open is in neither list).
    pub red_lines_now_kept: Vec<(usize, usize)>,
}

/// How a party's verdict moves between two proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Movement {
    /// The verdict became `Accepts`.
    Joined,
    /// The verdict was `Accepts` and no longer is.
    Left,
    /// `Accepts` both times.
    StillAccepts,
    /// `Rejects` both times.
    StillRejects,
    /// `Depends` both times.
    StillDepends,
    /// Any other move: `Rejects` to `Depends` or back.
    Other,
}

impl Movement {
    /// From the two verdicts.
    pub fn between(before: Verdict, after: Verdict) -> Movement {
        match (before, after) {
            (Verdict::Accepts, Verdict::Accepts) => Movement::StillAccepts,
            (Verdict::Accepts, _) => Movement::Left,
            (_, Verdict::Accepts) => Movement::Joined,
            (Verdict::Rejects, Verdict::Rejects) => Movement::StillRejects,
            (Verdict::Depends, Verdict::Depends) => Movement::StillDepends,
            _ => Movement::Other,
        }
    }

    /// `joined`, `left`, `still-accepts`, `still-rejects`, `still-depends` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Joined => "joined",
            Movement::Left => "left",
            Movement::StillAccepts => "still-accepts",
            Movement::StillRejects => "still-rejects",
            Movement::StillDepends => "still-depends",
            Movement::Other => "other",
        }
    }
}

/// The change of a party's utility on one point, as a range over the ways an open term
/// could be settled: `after - before` for two settled terms, and the lowest and highest
/// value of the open term against the settled one otherwise. (A point open in both is
/// settled the same way in both: it changes nothing.)
fn point_delta(before: &PointEvaluation, after: &PointEvaluation) -> (f64, f64) {
    match (before.term, after.term) {
        (Term::Open, Term::Open) => (0.0, 0.0),
        (Term::Open, Term::Set(_)) => (
            after.contribution_min - before.contribution_max,
            after.contribution_min - before.contribution_min,
        ),
        _ => (
            after.contribution_min - before.contribution_min,
            after.contribution_max - before.contribution_min,
        ),
    }
}

/// Compares proposal `to` against proposal `from` (indices into `s.proposals`).
///
/// # Panics
/// If `from` or `to` is out of range.
pub fn compare(s: &Scenario, from: usize, to: usize) -> Comparison {
    let before = evaluate(s, from);
    let after = evaluate(s, to);
    let terms_before = &s.proposals[from].terms;
    let terms_after = &s.proposals[to].terms;
    let changes = (0..s.issues.len())
        .filter(|&i| terms_before[i] != terms_after[i])
        .map(|i| PointChange {
            issue: i,
            before: terms_before[i],
            after: terms_after[i],
            deltas: before
                .parties
                .iter()
                .zip(&after.parties)
                .map(|(b, a)| point_delta(&b.points[i], &a.points[i]))
                .collect(),
        })
        .collect::<Vec<PointChange>>();
    let parties = before
        .parties
        .into_iter()
        .zip(after.parties)
        .map(|(b, a)| {
            let (delta_min, delta_max) = changes.iter().fold((0.0, 0.0), |(lo, hi), ch| {
                let (d_lo, d_hi) = ch.deltas[b.party];
                (lo + d_lo, hi + d_hi)
            });
            let broken = |e: &PartyEvaluation| -> Vec<(usize, usize)> {
                e.points
                    .iter()
                    .flat_map(|pt| pt.red_lines_broken.iter().map(move |&r| (pt.issue, r)))
                    .collect()
            };
            let (was, now) = (broken(&b), broken(&a));
            let red_lines_newly_broken = now.iter().copied().filter(|x| !was.contains(x)).collect();
            let red_lines_now_kept = was
                .iter()
                .copied()
                .filter(|x| !now.contains(x) && a.points[x.0].term != Term::Open)
                .collect();
            PartyChange {
                party: b.party,
                delta_min,
                delta_max,
                movement: Movement::between(b.verdict, a.verdict),
                red_lines_newly_broken,
                red_lines_now_kept,
                before: b,
                after: a,
            }
        })
        .collect();
    Comparison { from, to, changes, parties }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::tests::river;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn markup_against_draft() {
        let s = river();
        let c = compare(&s, 0, 1);
        let issues: Vec<usize> = c.changes.iter().map(|x| x.issue).collect();
        assert_eq!(issues, vec![0, 2, 3]);
        assert_eq!(c.changes[0].before, Term::Set(3));
        assert_eq!(c.changes[0].after, Term::Set(6));
        assert_eq!(c.changes[2].after, Term::Open);
        // Upland on share: 0.4 * (0.5 - 0.875).
        let (dmin, dmax) = c.changes[0].deltas[0];
        assert!(close(dmin, 0.4 * (0.5 - 0.875)) && close(dmax, dmin));
        // Upland on compensation: 0.2 * 0.6 -> [0, 0.2].
        let (dmin, dmax) = c.changes[2].deltas[0];
        assert!(close(dmin, -0.12) && close(dmax, 0.08));
        // Commission has no stance on share.
        assert_eq!(c.changes[0].deltas[2], (0.0, 0.0));

        let up = &c.parties[0];
        assert_eq!(up.movement, Movement::Left);
        assert!(close(up.delta_min, up.after.utility_min - up.before.utility_min));
        let low = &c.parties[1];
        assert_eq!(low.movement, Movement::Joined);
        assert_eq!(low.red_lines_now_kept, vec![(0, 0)]);
        assert!(low.red_lines_newly_broken.is_empty());
        assert_eq!(c.parties[2].movement, Movement::StillAccepts);

        let back = compare(&s, 1, 0);
        assert_eq!(back.parties[1].red_lines_newly_broken, vec![(0, 0)]);
        assert_eq!(back.parties[1].movement, Movement::Left);
        let same = compare(&s, 1, 1);
        assert!(same.changes.is_empty());
        assert_eq!(same.parties[0].movement, Movement::StillDepends);
    }

    #[test]
    fn movements() {
        use Verdict::*;
        assert_eq!(Movement::between(Rejects, Depends), Movement::Other);
        assert_eq!(Movement::between(Rejects, Rejects), Movement::StillRejects);
        assert_eq!(Movement::between(Depends, Accepts), Movement::Joined);
        assert_eq!(Movement::between(Accepts, Rejects), Movement::Left);
    }
}
