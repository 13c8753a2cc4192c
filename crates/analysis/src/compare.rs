//! What one proposal changes against another: term by term and party by party.

use detente_core::{RedLineRef, Scenario, Term};

use crate::evaluate::{PartyEvaluation, PointEvaluation, Verdict, evaluate};
use crate::mediate::{RedLineMove, RedLineState};

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
    /// Red lines crossed in `to` (however its open points are
    /// settled) and not in `from`: kept or at risk there.
    pub red_lines_newly_broken: Vec<RedLineRef>,
    /// Red lines crossed in `from` and kept in `to` (a red line on
    /// a point `to` leaves open is at risk there, not kept: see `red_line_moves`).
    pub red_lines_now_kept: Vec<RedLineRef>,
    /// Every red line of the party whose standing changes, in issue order.
    pub red_line_moves: Vec<RedLineMove>,
}

impl PartyChange {
    /// The issues of the party's red lines that move from `before` to `after`, each once, in
    /// issue order.
    pub fn issues_moving(&self, before: RedLineState, after: RedLineState) -> Vec<usize> {
        let mut issues: Vec<usize> = self
            .red_line_moves
            .iter()
            .filter(|m| m.before == before && m.after == after)
            .map(|m| m.red_line.issue)
            .collect();
        issues.dedup();
        issues
    }
}

/// Where red line `r` of party `p` on issue `i` stands under the term `t`: crossed however
/// the open points are settled (a settled term breaks it, or it is on an open point every
/// option of which breaks one of the party's red lines), at risk (on an open point some
/// options of which break it), or kept. The one rule for compare, mediate and the gap.
pub fn red_line_state(s: &Scenario, p: usize, i: usize, r: usize, t: Term) -> RedLineState {
    let Some(line) = s.stances()[p][i].as_ref().and_then(|st| st.red_lines.get(r)) else {
        return RedLineState::Kept;
    };
    let issue = &s.issues()[i];
    let rules_out = |k: usize| !line.allows(k, issue.scale_value(k));
    match t {
        Term::Set(k) if rules_out(k) => RedLineState::Crossed,
        Term::Set(_) => RedLineState::Kept,
        Term::Open => {
            let n = issue.n_options();
            if !(0..n).any(rules_out) {
                RedLineState::Kept
            } else if (0..n).all(|k| !s.allowed(p, i, k)) {
                RedLineState::Crossed
            } else {
                RedLineState::AtRisk
            }
        }
    }
}

/// How a party's verdict moves between two proposals: one variant per pair of verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Movement {
    /// `Rejects`, then `Accepts`.
    Joined,
    /// `Accepts`, then `Rejects`.
    Left,
    /// `Accepts` both times.
    StillAccepts,
    /// `Rejects` both times.
    StillRejects,
    /// `Depends` both times.
    StillDepends,
    /// `Accepts`, then `Depends`: it no longer accepts however the open points go, but may.
    AcceptsToDepends,
    /// `Depends`, then `Accepts`.
    DependsToAccepts,
    /// `Rejects`, then `Depends`.
    RejectsToDepends,
    /// `Depends`, then `Rejects`.
    DependsToRejects,
}

impl Movement {
    /// From the two verdicts.
    pub fn between(before: Verdict, after: Verdict) -> Movement {
        use Verdict::*;
        match (before, after) {
            (Accepts, Accepts) => Movement::StillAccepts,
            (Rejects, Rejects) => Movement::StillRejects,
            (Depends, Depends) => Movement::StillDepends,
            (Rejects, Accepts) => Movement::Joined,
            (Accepts, Rejects) => Movement::Left,
            (Accepts, Depends) => Movement::AcceptsToDepends,
            (Depends, Accepts) => Movement::DependsToAccepts,
            (Rejects, Depends) => Movement::RejectsToDepends,
            (Depends, Rejects) => Movement::DependsToRejects,
        }
    }

    /// `joined`, `left`, `still_accepts`, `still_rejects`, `still_depends`,
    /// `accepts_to_depends`, `depends_to_accepts`, `rejects_to_depends` or
    /// `depends_to_rejects`.
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Joined => "joined",
            Movement::Left => "left",
            Movement::StillAccepts => "still_accepts",
            Movement::StillRejects => "still_rejects",
            Movement::StillDepends => "still_depends",
            Movement::AcceptsToDepends => "accepts_to_depends",
            Movement::DependsToAccepts => "depends_to_accepts",
            Movement::RejectsToDepends => "rejects_to_depends",
            Movement::DependsToRejects => "depends_to_rejects",
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

/// Compares proposal `to` against proposal `from` (indices into `s.proposals()`).
///
/// # Errors
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `from` or `to` is out of range.
pub fn compare(s: &Scenario, from: usize, to: usize) -> Result<Comparison, crate::Error> {
    let before = evaluate(s, from)?;
    let after = evaluate(s, to)?;
    let terms_before = &s.proposals()[from].terms;
    let terms_after = &s.proposals()[to].terms;
    let changes = (0..s.issues().len())
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
            let p = b.party;
            let red_line_moves: Vec<RedLineMove> = (0..s.issues().len())
                .flat_map(|i| {
                    let n = s.stances()[p][i].as_ref().map_or(0, |st| st.red_lines.len());
                    (0..n).map(move |r| (i, r))
                })
                .filter_map(|(i, r)| {
                    let before = red_line_state(s, p, i, r, terms_before[i]);
                    let after = red_line_state(s, p, i, r, terms_after[i]);
                    (before != after).then_some(RedLineMove {
                        red_line: RedLineRef { party: p, issue: i, index: r },
                        before,
                        after,
                    })
                })
                .collect();
            let red_lines_newly_broken = red_line_moves
                .iter()
                .filter(|m| m.after == RedLineState::Crossed)
                .map(|m| m.red_line)
                .collect();
            let red_lines_now_kept = red_line_moves
                .iter()
                .filter(|m| m.before == RedLineState::Crossed && m.after == RedLineState::Kept)
                .map(|m| m.red_line)
                .collect();
            PartyChange {
                party: b.party,
                delta_min,
                delta_max,
                movement: Movement::between(b.verdict, a.verdict),
                red_lines_newly_broken,
                red_lines_now_kept,
                red_line_moves,
                before: b,
                after: a,
            }
        })
        .collect();
    Ok(Comparison { from, to, changes, parties })
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
        let c = compare(&s, 0, 1).unwrap();
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
        assert_eq!(up.movement, Movement::AcceptsToDepends);
        // Settled before, compensation open after: the change is a range.
        assert!(close(up.delta_min, up.after.utility_min - up.before.utility_min));
        assert!(close(up.delta_max, up.after.utility_max - up.before.utility_min));
        let low = &c.parties[1];
        assert_eq!(low.movement, Movement::Joined);
        assert_eq!(low.red_lines_now_kept, vec![RedLineRef { party: 1, issue: 0, index: 0 }]);
        assert!(low.red_lines_newly_broken.is_empty());
        assert_eq!(c.parties[2].movement, Movement::StillAccepts);

        let back = compare(&s, 1, 0).unwrap();
        assert_eq!(
            back.parties[1].red_lines_newly_broken,
            vec![RedLineRef { party: 1, issue: 0, index: 0 }]
        );
        assert_eq!(back.parties[1].movement, Movement::Left);
        let same = compare(&s, 1, 1).unwrap();
        assert!(same.changes.is_empty());
        assert_eq!(same.parties[0].movement, Movement::StillDepends);
    }

    #[test]
    fn red_lines_move_between_crossed_at_risk_and_kept() {
        let s = river();
        // Draft -> markup: Lowland's share red line (min 40) goes from crossed (35) to kept
        // (50); Upland's compensation red line (no fund-50m) from kept (fund-10m) to at risk
        // (open).
        let c = compare(&s, 0, 1).unwrap();
        assert_eq!(
            c.parties[1].red_line_moves,
            vec![RedLineMove {
                red_line: RedLineRef { party: 1, issue: 0, index: 0 },
                before: RedLineState::Crossed,
                after: RedLineState::Kept
            }]
        );
        assert_eq!(
            c.parties[0].red_line_moves,
            vec![RedLineMove {
                red_line: RedLineRef { party: 0, issue: 3, index: 0 },
                before: RedLineState::Kept,
                after: RedLineState::AtRisk
            }]
        );
        assert_eq!(c.parties[0].movement, Movement::AcceptsToDepends);
        // A draft that crosses Upland's line on compensation, then the open markup: from
        // crossed to at risk, so not "now kept".
        let s2 = s.clone().edit(|s| s.proposals[0].terms[3] = Term::Set(2)).unwrap();
        let c = compare(&s2, 0, 1).unwrap();
        assert!(c.parties[0].red_lines_now_kept.is_empty());
        assert_eq!(c.parties[0].red_line_moves[0].before, RedLineState::Crossed);
        assert_eq!(c.parties[0].red_line_moves[0].after, RedLineState::AtRisk);
        assert_eq!(c.parties[0].movement, Movement::RejectsToDepends);
    }

    #[test]
    fn movements() {
        use Verdict::*;
        assert_eq!(Movement::between(Rejects, Depends), Movement::RejectsToDepends);
        assert_eq!(Movement::between(Accepts, Depends), Movement::AcceptsToDepends);
        assert_eq!(Movement::between(Rejects, Rejects), Movement::StillRejects);
        assert_eq!(Movement::between(Depends, Accepts), Movement::DependsToAccepts);
        assert_eq!(Movement::between(Rejects, Accepts), Movement::Joined);
        assert_eq!(Movement::between(Accepts, Rejects), Movement::Left);
    }

    #[test]
    fn issues_whose_red_lines_move_one_way() {
        let s = river();
        let c = compare(&s, 0, 1).unwrap();
        use RedLineState::{AtRisk, Crossed, Kept};
        assert_eq!(c.parties[1].issues_moving(Crossed, Kept), vec![0]);
        assert!(c.parties[1].issues_moving(Kept, Crossed).is_empty());
        assert_eq!(c.parties[0].issues_moving(Kept, AtRisk), vec![3]);
        // Two red lines on one issue moving alike name the issue once.
        let mut pc = c.parties[0].clone();
        let mut second = pc.red_line_moves[0];
        second.red_line.index = 1;
        pc.red_line_moves.push(second);
        assert_eq!(pc.issues_moving(Kept, AtRisk), vec![3]);
    }
}
