//! What each role sees, computed from the private scenario with the analysis crate's own
//! functions. Pure: functions of scenarios, no I/O.
//!
//! [`MediatorView`] is built from every entered party's inputs, and its types hold **no
//! number at all** (verdicts, ids, booleans): no field can carry a party's weight, value,
//! red-line bound, reservation or utility, whatever a later change writes into it. What the
//! mediator can still infer from these aggregates is written down in docs/security.md.
//! [`PartyView`] is built from the skeleton and that party's inputs alone, so nothing of
//! another party can reach it.

use detente_analysis::{
    Constraint, DeadlockOptions, FrontierOptions, MediateOptions, PartyEvaluation, Verdict,
    bargaining_scenario, counted_parties, deadlock, evaluate, frontier, mediate,
};
use detente_core::{Scenario, Term};
use serde_json::{Value, json};

use crate::error::Error;
use crate::inputs::{PartyInputs, assemble};
use crate::model::Skeleton;

/// How much the mediator's view may compute.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewOptions {
    /// The draft revised by `mediate` (by id); `None`: the last draft.
    pub from: Option<String>,
    /// How many revisions to list (at least 1).
    pub top: usize,
    /// The work budget of `mediate` (see `MediateOptions::budget`).
    pub mediate_budget: u64,
    /// The search budget of the deadlock question, in nodes.
    pub deadlock_nodes: u64,
}

impl Default for ViewOptions {
    fn default() -> ViewOptions {
        ViewOptions { from: None, top: 3, mediate_budget: 100_000_000, deadlock_nodes: 200_000 }
    }
}

/// A party's verdict on a draft as the mediator sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyVerdict {
    /// The party's id.
    pub party: String,
    /// Its verdict; `None` while it has not entered its inputs.
    pub verdict: Option<Verdict>,
}

/// Every party's verdict on one draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftVerdicts {
    /// The draft's id.
    pub draft: String,
    /// One per party, in the skeleton's order.
    pub parties: Vec<PartyVerdict>,
}

/// Whether any deal exists for the parties counted (the principals who entered inputs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deal {
    /// No counted party has entered inputs yet.
    Waiting,
    /// The search budget ran out before the question was decided.
    Undecided,
    /// Some complete outcome keeps every counted party's red lines and reservation.
    Exists,
    /// None does. `points`: the points whose red lines are in a minimal conflict (no
    /// party named, no number); `reservations`: whether reservations are part of it;
    /// `minimal`: false when the search proved no deal but ran out before a minimal
    /// conflict (then `points` is empty).
    None {
        /// The points whose red lines collide, by id, in the skeleton's order.
        points: Vec<String>,
        /// Whether the conflict needs some reservation too.
        reservations: bool,
        /// Whether the conflict is minimal.
        minimal: bool,
    },
}

/// One change of a revision: on `point`, from the draft's term to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeView {
    /// The point's id.
    pub point: String,
    /// The draft's option id there (`None`: open).
    pub from: Option<String>,
    /// The revision's option id.
    pub to: String,
}

/// A revision ranked by `mediate`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionView {
    /// Its changes.
    pub changes: Vec<ChangeView>,
    /// Each counted party's verdict on the revised draft.
    pub verdicts: Vec<PartyVerdict>,
}

/// The revisions of one draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revisions {
    /// The draft revised.
    pub from: String,
    /// Whether some revision makes every counted party accept.
    pub feasible: bool,
    /// Whether the search finished within its budget (the ranking is then exact).
    pub exact: bool,
    /// Best first.
    pub revisions: Vec<RevisionView>,
    /// When no revision makes every counted party accept: the one that comes closest (the
    /// fewest of their red lines crossed or at risk, then the smallest total shortfall
    /// below their reservations), as `detente mediate` chooses it.
    pub closest: Option<RevisionView>,
}

/// The Nash point of the counted parties: the outcome, point by point (no utility).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NashView {
    /// (point id, option id) for every point.
    pub terms: Vec<(String, String)>,
    /// Whether it is proved optimal.
    pub exact: bool,
}

/// What the mediator sees. Holds no number: see the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediatorView {
    /// The parties that have claimed their invitation (chosen a secret of their own).
    pub claimed: Vec<String>,
    /// The parties that have not yet: they cannot enter inputs until they do.
    pub unclaimed: Vec<String>,
    /// The parties that have entered their inputs.
    pub entered: Vec<String>,
    /// The parties that have not yet.
    pub waiting: Vec<String>,
    /// Every draft's verdicts.
    pub drafts: Vec<DraftVerdicts>,
    /// Whether any deal exists.
    pub deal: Deal,
    /// The ranked revisions of the chosen draft (`None` with no draft or no counted party).
    pub revisions: Option<Revisions>,
    /// The Nash point (`None` with no counted party or no outcome every counted party
    /// accepts).
    pub nash: Option<NashView>,
}

/// What a party sees: its inputs, the drafts and its own verdicts.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyView {
    /// The party's id.
    pub party: String,
    /// Whether the session was opened with the party's own secret; `false`: with its
    /// unclaimed invitation, and then the view holds no inputs and no verdicts (claim first).
    pub claimed: bool,
    /// Its inputs, if entered.
    pub inputs: Option<PartyInputs>,
    /// Its evaluation of each draft (from its own inputs alone), when it has inputs.
    pub verdicts: Vec<(String, PartyEvaluation)>,
}

fn verdict_name(v: Option<Verdict>) -> Value {
    v.map_or(Value::Null, |v| json!(v.as_str()))
}

fn term_id(s: &Scenario, i: usize, t: Term) -> Option<String> {
    match t {
        Term::Set(k) => Some(s.issues()[i].option_id(k)),
        Term::Open => None,
    }
}

/// The mediator's view of a room: `inputs` are the entered parties' (by party index),
/// `claimed` the parties that claimed their invitation.
pub(crate) fn mediator_view(
    skeleton: &Skeleton,
    inputs: &[(usize, PartyInputs)],
    claimed: &[usize],
    options: &ViewOptions,
) -> Result<MediatorView, Error> {
    let from = match &options.from {
        Some(id) => Some(skeleton.draft(id)?),
        None => skeleton.scenario().proposals().len().checked_sub(1),
    };
    let refs: Vec<(usize, &PartyInputs)> = inputs.iter().map(|(p, i)| (*p, i)).collect();
    let s = assemble(skeleton, &refs)?;
    let entered_idx: Vec<usize> = inputs.iter().map(|(p, _)| *p).collect();
    let party_ids = |ps: &[usize]| ps.iter().map(|&p| s.parties()[p].id.clone()).collect();
    let entered: Vec<String> = party_ids(&entered_idx);
    let waiting_idx: Vec<usize> =
        (0..s.parties().len()).filter(|p| !entered_idx.contains(p)).collect();
    let claimed_idx: Vec<usize> = (0..s.parties().len()).filter(|p| claimed.contains(p)).collect();
    let unclaimed_idx: Vec<usize> =
        (0..s.parties().len()).filter(|p| !claimed.contains(p)).collect();
    let (claimed, unclaimed) = (party_ids(&claimed_idx), party_ids(&unclaimed_idx));
    let analysis = |e: detente_analysis::Error| Error::invalid(format!("analysis: {e}"));
    let mut drafts = vec![];
    for (d, prop) in s.proposals().iter().enumerate() {
        let ev = evaluate(&s, d).map_err(analysis)?;
        let parties = ev
            .parties
            .iter()
            .map(|pe| PartyVerdict {
                party: s.parties()[pe.party].id.clone(),
                verdict: entered_idx.contains(&pe.party).then_some(pe.verdict),
            })
            .collect();
        drafts.push(DraftVerdicts { draft: prop.id.clone(), parties });
    }
    let counted: Vec<usize> =
        counted_parties(&s).into_iter().filter(|p| entered_idx.contains(p)).collect();
    if counted.is_empty() {
        return Ok(MediatorView {
            claimed,
            unclaimed,
            entered,
            waiting: party_ids(&waiting_idx),
            drafts,
            deal: Deal::Waiting,
            revisions: None,
            nash: None,
        });
    }
    let d = deadlock(
        &s,
        &DeadlockOptions {
            parties: Some(counted.clone()),
            max_nodes: Some(options.deadlock_nodes),
        },
    )
    .map_err(analysis)?;
    let deal = if !d.decided {
        Deal::Undecided
    } else if d.feasible {
        Deal::Exists
    } else {
        let mut issues: Vec<usize> = d
            .conflict
            .iter()
            .filter_map(|c| match *c {
                Constraint::RedLine { issue, .. } => Some(issue),
                Constraint::Reservation { .. } => None,
            })
            .collect();
        issues.sort_unstable();
        issues.dedup();
        Deal::None {
            points: issues.iter().map(|&i| s.issues()[i].id.clone()).collect(),
            reservations: d.conflict.iter().any(|c| matches!(c, Constraint::Reservation { .. })),
            minimal: d.minimal,
        }
    };
    let revisions = match from {
        None => None,
        Some(from) => {
            let m = mediate(
                &s,
                from,
                &MediateOptions {
                    top: options.top.max(1),
                    budget: Some(options.mediate_budget),
                    parties: Some(counted.clone()),
                    ..MediateOptions::default()
                },
            )
            .map_err(analysis)?;
            let terms = &s.proposals()[from].terms;
            let view = |r: &detente_analysis::Revision| RevisionView {
                changes: r
                    .changes
                    .iter()
                    .map(|c| ChangeView {
                        point: s.issues()[c.issue].id.clone(),
                        from: term_id(&s, c.issue, terms[c.issue]),
                        to: s.issues()[c.issue].option_id(c.after),
                    })
                    .collect(),
                verdicts: m
                    .parties
                    .iter()
                    .zip(&r.verdicts_after)
                    .map(|(&p, &v)| PartyVerdict {
                        party: s.parties()[p].id.clone(),
                        verdict: Some(v),
                    })
                    .collect(),
            };
            let revisions = m.revisions.iter().map(view).collect();
            let closest = m.closest.as_ref().map(view);
            Some(Revisions {
                from: s.proposals()[from].id.clone(),
                feasible: m.feasible,
                exact: m.exact,
                revisions,
                closest,
            })
        }
    };
    let bargain = bargaining_scenario(&s, &counted, false).map_err(analysis)?;
    let f = frontier(&bargain, &FrontierOptions::default()).map_err(analysis)?;
    let nash = f.nash.points.first().map(|pt| NashView {
        terms: pt
            .outcome
            .options()
            .iter()
            .enumerate()
            .map(|(i, &k)| (s.issues()[i].id.clone(), s.issues()[i].option_id(k)))
            .collect(),
        exact: f.nash.exact,
    });
    Ok(MediatorView {
        claimed,
        unclaimed,
        entered,
        waiting: party_ids(&waiting_idx),
        drafts,
        deal,
        revisions,
        nash,
    })
}

/// A party's view: its inputs and its own verdicts, from the skeleton and its inputs alone.
pub(crate) fn party_view(
    skeleton: &Skeleton,
    party: usize,
    inputs: Option<PartyInputs>,
) -> Result<PartyView, Error> {
    let s = skeleton.scenario();
    let mut verdicts = vec![];
    if let Some(inp) = &inputs {
        let own = inp.scenario(skeleton, party)?;
        for (d, prop) in own.proposals().iter().enumerate() {
            let mut ev = evaluate(&own, d).map_err(|e| Error::invalid(format!("analysis: {e}")))?;
            verdicts.push((prop.id.clone(), ev.parties.swap_remove(party)));
        }
    }
    Ok(PartyView { party: s.parties()[party].id.clone(), claimed: true, inputs, verdicts })
}

impl MediatorView {
    /// The view as JSON (the server's answer).
    pub fn to_json(&self) -> Value {
        let pv = |v: &[PartyVerdict]| -> Value {
            v.iter()
                .map(|p| json!({"party": p.party, "verdict": verdict_name(p.verdict)}))
                .collect()
        };
        let deal = match &self.deal {
            Deal::Waiting => json!({"state": "waiting"}),
            Deal::Undecided => json!({"state": "undecided"}),
            Deal::Exists => json!({"state": "exists"}),
            Deal::None { points, reservations, minimal } => json!({
                "state": "none", "points": points, "reservations": reservations, "minimal": minimal
            }),
        };
        json!({
            "claimed": self.claimed,
            "unclaimed": self.unclaimed,
            "entered": self.entered,
            "waiting": self.waiting,
            "drafts": self.drafts.iter().map(|d| json!({"draft": d.draft, "parties": pv(&d.parties)})).collect::<Vec<_>>(),
            "deal": deal,
            "revisions": self.revisions.as_ref().map(|r| {
                let rv = |rv: &RevisionView| json!({
                    "changes": rv.changes.iter().map(|c| json!({"point": c.point, "from": c.from, "to": c.to})).collect::<Vec<_>>(),
                    "verdicts": pv(&rv.verdicts),
                });
                json!({
                    "from": r.from, "feasible": r.feasible, "exact": r.exact,
                    "revisions": r.revisions.iter().map(rv).collect::<Vec<_>>(),
                    "closest": r.closest.as_ref().map(rv),
                })
            }),
            "nash": self.nash.as_ref().map(|n| json!({
                "terms": n.terms.iter().map(|(p, o)| json!({"point": p, "option": o})).collect::<Vec<_>>(),
                "exact": n.exact,
            })),
        })
    }
}

impl PartyView {
    /// The view as JSON (the server's answer), its inputs in their wire format.
    pub fn to_json(&self, skeleton: &Skeleton) -> Value {
        let s = skeleton.scenario();
        json!({
            "party": self.party,
            "claimed": self.claimed,
            "inputs": self.inputs.as_ref().map(|i| i.to_json(skeleton)),
            "verdicts": self.verdicts.iter().map(|(d, e)| json!({
                "draft": d,
                "verdict": e.verdict.as_str(),
                "utility_min": e.utility_min,
                "utility_max": e.utility_max,
                "reservation": e.reservation,
                "points": e.points.iter().map(|pt| json!({
                    "point": s.issues()[pt.issue].id,
                    "verdict": pt.verdict.as_str(),
                    "value_min": pt.value_min,
                    "value_max": pt.value_max,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}
