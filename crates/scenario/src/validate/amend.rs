//! Amendment resolution: once every proposal is read, circles of amendments are reported
//! and the proposals are ordered so each comes after the one it amends, inheriting the
//! terms it does not state.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use detente_core::{Proposal, Term};

use crate::error::ProblemKind;
use crate::kit::{Cx, key_path};
use crate::tree::Node;

/// A proposal as read, before amendments are resolved.
pub(crate) struct RawProposal<'a> {
    pub(crate) proposal: Proposal,
    pub(crate) path: String,
    /// `Some` when the file has `amends`: the node, and the resolved index if known.
    pub(crate) amends: Option<(&'a Node, Option<usize>)>,
    /// Issue index to term, for the terms the proposal states or opens.
    pub(crate) own: Vec<(usize, Term)>,
}

/// Reports each circle of amendments once, from its first proposal in the file.
pub(crate) fn circles(cx: &mut Cx<'_>, raws: &[RawProposal<'_>], parent: &[Option<usize>]) {
    let mut done = vec![false; raws.len()];
    for start in 0..raws.len() {
        let mut walk: Vec<usize> = Vec::new();
        let mut on_walk: HashSet<usize> = HashSet::new();
        let mut cur = Some(start);
        while let Some(j) = cur {
            if done.get(j).copied().unwrap_or(true) {
                break;
            }
            if on_walk.contains(&j) {
                let from = walk.iter().position(|&x| x == j).unwrap_or(0);
                let cycle = walk.get(from..).unwrap_or(&[]);
                let first = cycle.iter().copied().min().unwrap_or(j);
                let at = cycle.iter().position(|&x| x == first).unwrap_or(0);
                let mut names: Vec<&str> = Vec::new();
                for k in 0..=cycle.len() {
                    if let Some(&p) = cycle.get((at + k) % cycle.len().max(1)) {
                        names.push(raws.get(p).map_or("", |r| r.proposal.id.as_str()));
                    }
                }
                if let Some(raw) = raws.get(first)
                    && let Some((node, _)) = raw.amends
                {
                    cx.push(
                        node.span.start,
                        &key_path(&raw.path, "amends"),
                        ProblemKind::CircularAmendment,
                        format!("circular amendment: {}", names.join(" -> ")),
                    );
                }
                break;
            }
            on_walk.insert(j);
            walk.push(j);
            cur = parent.get(j).copied().flatten();
        }
        for j in walk {
            if let Some(d) = done.get_mut(j) {
                *d = true;
            }
        }
    }
}

/// Orders proposals so each comes after the one it amends (file order otherwise) and fills
/// in inherited terms. Needs resolved, acyclic amendments.
pub(crate) fn resolve(
    raws: Vec<RawProposal<'_>>,
    parent: &[Option<usize>],
    n_issues: usize,
) -> Vec<Proposal> {
    let n = raws.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut ready: BinaryHeap<Reverse<usize>> = BinaryHeap::new();
    for (j, p) in parent.iter().enumerate() {
        match p {
            Some(q) => {
                if let Some(c) = children.get_mut(*q) {
                    c.push(j);
                }
            }
            None => ready.push(Reverse(j)),
        }
    }
    let mut order: Vec<usize> = Vec::with_capacity(n);
    while let Some(Reverse(j)) = ready.pop() {
        order.push(j);
        for &c in children.get(j).map_or(&[][..], |c| c.as_slice()) {
            ready.push(Reverse(c));
        }
    }
    let mut position = vec![usize::MAX; n];
    for (pos, &j) in order.iter().enumerate() {
        if let Some(p) = position.get_mut(j) {
            *p = pos;
        }
    }
    let mut raws: Vec<Option<RawProposal<'_>>> = raws.into_iter().map(Some).collect();
    let mut out: Vec<Proposal> = Vec::with_capacity(n);
    for &j in &order {
        let Some(raw) = raws.get_mut(j).and_then(Option::take) else { continue };
        let mut p = raw.proposal;
        let amended = parent.get(j).copied().flatten().and_then(|q| position.get(q).copied());
        let (mut terms, mut stated) = match amended.and_then(|q| out.get(q)) {
            Some(base) => (base.terms.clone(), vec![false; n_issues]),
            None => (vec![Term::Open; n_issues], vec![false; n_issues]),
        };
        for (i, t) in raw.own {
            if let (Some(slot), Some(s)) = (terms.get_mut(i), stated.get_mut(i)) {
                *slot = t;
                *s = true;
            }
        }
        p.amends = amended;
        p.terms = terms;
        p.stated = stated;
        out.push(p);
    }
    out
}
