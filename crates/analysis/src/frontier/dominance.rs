//! Which of many vectors no other one dominates, for 4 parties and more: a static k-d tree
//! over all the vectors of one issue of the frontier programme, asked once per vector
//! whether some other vector weakly dominates it.
//!
//! The programme keeps a vector `v` (index `t`) when no other vector `u` (index `s`) has
//! `u >= v` in every coordinate with `u != v` or, for equal vectors, `s < t` (the first of
//! equal vectors stays). This is the rule of the sweep in descending welfare it replaces
//! (the sweep's order extends weak dominance, and dominance is transitive), so the same
//! vectors are kept; unlike the sweep, which compared each vector with every kept one, a
//! question here visits only the boxes of the tree that could hold a dominator: those whose
//! upper corner is at least `v` in every coordinate. A box whose lower corner already
//! dominates `v` strictly somewhere answers at once.

/// Points per leaf.
const LEAF: usize = 12;

/// A node: its points are `perm[start..end]`; `left == 0` marks a leaf (node 0 is the root,
/// never a child).
#[derive(Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    left: u32,
    right: u32,
}

/// A node of a [`Tree`] seen from outside: the upper corner of its box, its children (`None`
/// for a leaf; the second holds the larger values of the coordinate split) and the indices
/// of its vectors.
pub(super) struct NodeView<'a> {
    pub(super) hi: &'a [f64],
    pub(super) children: Option<(u32, u32)>,
    pub(super) members: &'a [u32],
}

/// A k-d tree over `n` vectors of `d` coordinates (`v`, stride `d`), with the bounding box
/// of every node.
pub(super) struct Tree<'a> {
    d: usize,
    v: &'a [f64],
    perm: Vec<u32>,
    nodes: Vec<Node>,
    /// `lo[node * d + c]`, `hi[node * d + c]`: the box of a node's points.
    lo: Vec<f64>,
    hi: Vec<f64>,
    stack: Vec<u32>,
    /// The last dominator found: it often dominates the next vector asked about too.
    last: Option<u32>,
}

/// The bytes a tree over `n` vectors of `d` coordinates holds (for the programme's memory
/// budget): the permutation and the nodes with their boxes.
pub(super) fn tree_bytes(n: usize, d: usize) -> usize {
    let nodes = 2 * n.div_ceil(LEAF / 2).max(1);
    4 * n + nodes * (16 + 16 * d)
}

impl<'a> Tree<'a> {
    /// Builds the tree (`O(n d log n)`); `work` counts one unit per vector per level.
    pub(super) fn new(v: &'a [f64], d: usize, work: &mut u64) -> Tree<'a> {
        let n = v.len() / d;
        let mut t = Tree {
            d,
            v,
            perm: (0..n as u32).collect(),
            nodes: Vec::with_capacity(2 * n.div_ceil(LEAF / 2).max(1)),
            lo: vec![],
            hi: vec![],
            stack: vec![],
            last: None,
        };
        t.nodes.push(Node { start: 0, end: n as u32, left: 0, right: 0 });
        let mut todo = vec![0u32];
        while let Some(k) = todo.pop() {
            let Node { start, end, .. } = t.nodes[k as usize];
            let (start, end) = (start as usize, end as usize);
            let (mut lo, mut hi) = (vec![f64::INFINITY; d], vec![f64::NEG_INFINITY; d]);
            for &p in &t.perm[start..end] {
                let x = &v[p as usize * d..(p as usize + 1) * d];
                for c in 0..d {
                    lo[c] = lo[c].min(x[c]);
                    hi[c] = hi[c].max(x[c]);
                }
            }
            *work += (end - start) as u64;
            let at = k as usize * d;
            if t.lo.len() < at + d {
                t.lo.resize(at + d, 0.0);
                t.hi.resize(at + d, 0.0);
            }
            t.lo[at..at + d].copy_from_slice(&lo);
            t.hi[at..at + d].copy_from_slice(&hi);
            if end - start <= LEAF {
                continue;
            }
            let c =
                (0..d).max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b]))).unwrap_or(0);
            if hi[c] <= lo[c] {
                // Every coordinate is constant: all the vectors are equal; one leaf.
                continue;
            }
            let mid = start + (end - start) / 2;
            t.perm[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                v[a as usize * d + c].total_cmp(&v[b as usize * d + c])
            });
            let left = t.nodes.len() as u32;
            t.nodes.push(Node { start: start as u32, end: mid as u32, left: 0, right: 0 });
            t.nodes.push(Node { start: mid as u32, end: end as u32, left: 0, right: 0 });
            t.nodes[k as usize].left = left;
            t.nodes[k as usize].right = left + 1;
            todo.push(left);
            todo.push(left + 1);
        }
        t
    }

    /// Node `k` (0 is the root), for searches over pairs of trees.
    pub(super) fn node(&self, k: u32) -> NodeView<'_> {
        let d = self.d;
        let at = k as usize * d;
        let n = self.nodes[k as usize];
        NodeView {
            hi: &self.hi[at..at + d],
            children: (n.left != 0).then_some((n.left, n.right)),
            members: &self.perm[n.start as usize..n.end as usize],
        }
    }

    #[inline]
    fn at(&self, p: u32) -> &[f64] {
        &self.v[p as usize * self.d..(p as usize + 1) * self.d]
    }

    /// Whether `u` (index `s`) beats `v` (index `t`): `u >= v` everywhere, and `u != v` or
    /// `s < t`.
    #[inline]
    fn beats(&self, s: u32, t: u32) -> bool {
        if s == t {
            return false;
        }
        let (u, v) = (self.at(s), self.at(t));
        let mut strict = false;
        for c in 0..self.d {
            if u[c] < v[c] {
                return false;
            }
            strict |= u[c] > v[c];
        }
        strict || s < t
    }

    /// Whether some vector beats vector `t`; `None` when `work` passed `max_work` first (one
    /// unit per node and per vector looked at).
    pub(super) fn beaten(&mut self, t: u32, work: &mut u64, max_work: u64) -> Option<bool> {
        if let Some(s) = self.last
            && self.beats(s, t)
        {
            return Some(true);
        }
        let d = self.d;
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(0);
        let mut found = false;
        let mut visits = 0u64;
        'search: while let Some(k) = stack.pop() {
            visits += 1;
            let at = k as usize * d;
            let (lo, hi) = (&self.lo[at..at + d], &self.hi[at..at + d]);
            let v = self.at(t);
            if (0..d).any(|c| hi[c] < v[c]) {
                continue;
            }
            let node = self.nodes[k as usize];
            if (0..d).all(|c| lo[c] >= v[c]) && (0..d).any(|c| lo[c] > v[c]) {
                // Every vector of the box is at least `v` and differs from it.
                self.last = Some(self.perm[node.start as usize]);
                found = true;
                break;
            }
            if node.left == 0 {
                for i in node.start..node.end {
                    let s = self.perm[i as usize];
                    visits += 1;
                    if self.beats(s, t) {
                        self.last = Some(s);
                        found = true;
                        break 'search;
                    }
                }
                continue;
            }
            // The upper half first: a dominator is more likely there.
            stack.push(node.left);
            stack.push(node.right);
            if visits & 1023 == 0 && *work + visits > max_work {
                break;
            }
        }
        self.stack = stack;
        *work += visits;
        if !found && *work > max_work {
            return None;
        }
        Some(found)
    }
}

impl Tree<'_> {
    /// Whether some vector is at least `q` in every coordinate; `None` when `work` passed
    /// `max_work` first (one unit per node and per vector looked at).
    pub(super) fn reaches(&mut self, q: &[f64], work: &mut u64, max_work: u64) -> Option<bool> {
        let d = self.d;
        let covers = |u: &[f64]| (0..d).all(|c| u[c] >= q[c]);
        if let Some(s) = self.last
            && covers(self.at(s))
        {
            return Some(true);
        }
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(0);
        let mut found = false;
        let mut visits = 0u64;
        'search: while let Some(k) = stack.pop() {
            visits += 1;
            let at = k as usize * d;
            let (lo, hi) = (&self.lo[at..at + d], &self.hi[at..at + d]);
            if (0..d).any(|c| hi[c] < q[c]) {
                continue;
            }
            let node = self.nodes[k as usize];
            if covers(lo) {
                self.last = Some(self.perm[node.start as usize]);
                found = true;
                break;
            }
            if node.left == 0 {
                for i in node.start..node.end {
                    let s = self.perm[i as usize];
                    visits += 1;
                    if covers(self.at(s)) {
                        self.last = Some(s);
                        found = true;
                        break 'search;
                    }
                }
                continue;
            }
            stack.push(node.left);
            stack.push(node.right);
            if visits & 1023 == 0 && *work + visits > max_work {
                break;
            }
        }
        self.stack = stack;
        *work += visits;
        if !found && *work > max_work {
            return None;
        }
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::Rng;

    /// The brute-force rule, quadratic.
    fn brute(v: &[f64], d: usize) -> Vec<bool> {
        let n = v.len() / d;
        let at = |t: usize| &v[t * d..(t + 1) * d];
        (0..n)
            .map(|t| {
                (0..n).any(|s| {
                    s != t
                        && at(s).iter().zip(at(t)).all(|(a, b)| a >= b)
                        && (at(s) != at(t) || s < t)
                })
            })
            .collect()
    }

    #[test]
    fn the_tree_answers_as_brute_force() {
        for seed in 0..40u64 {
            let mut rng = Rng::new(seed);
            let d = 4 + (seed % 3) as usize;
            let n = 1 + (rng.next_u64() % 400) as usize;
            // Few distinct values, so that ties and equal vectors are common.
            let levels = 2 + rng.next_u64() % 6;
            let v: Vec<f64> =
                (0..n * d).map(|_| (rng.next_u64() % levels) as f64 * 0.25 - 0.5).collect();
            let want = brute(&v, d);
            let mut work = 0;
            let mut tree = Tree::new(&v, d, &mut work);
            for (t, &w) in want.iter().enumerate() {
                assert_eq!(tree.beaten(t as u32, &mut work, u64::MAX), Some(w), "seed {seed}");
            }
            let mut tree = Tree::new(&v, d, &mut 0);
            let mut small = 0;
            let stopped = (0..n as u32).any(|t| tree.beaten(t, &mut small, 5).is_none());
            assert!(stopped || small <= 5 + 2048);
        }
        assert!(tree_bytes(100, 4) > 400);
    }
}
