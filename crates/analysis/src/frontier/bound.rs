//! An upper bound on the frontier's size when the programme stops before the last issue.
//!
//! Split the issues at `l`: every frontier point is a prefix the programme kept after issue
//! `l - 1` (its non-dominated partial vectors `A_l`: a dominated prefix's completions are
//! dominated or repeat a point) completed by a suffix of the issues `l..` that no other
//! suffix dominates with a margin. So the frontier has at most `|A_l| x |T_l|` points, `T_l`
//! those suffixes, for every `l` the programme and this search both reach; the bound is the
//! smallest such product (with `T_l` at most the outcomes of the issues `l..`).
//!
//! Why a margin: a point's utilities are summed in issue order from the bias, so a suffix
//! `y` whose own sums beat `z`'s does not make `prefix + y` beat `prefix + z` when the
//! difference is within rounding. Suffix `z` is dropped only when some `y` is above it by
//! `margin[p]` for every party `p` that is not indifferent to the issues `l..` (on those
//! every suffix adds the same numbers in the same order, so the sums are equal to the bit):
//! `margin[p]` is four times the slack of the whole sum (`Prepared::slack`, eight times the
//! rounding error of any ordering of the terms), so `y - z >= margin` in computed suffix sums
//! gives a real difference above twice the error of each point's sum, and `prefix + z` is
//! strictly below `prefix + y` for that party and not above it for any: dominated. Margins
//! add along chains of dropped suffixes, so each dropped one is dominated by one kept.
//! Suffixes are built from the last issue back (`T_l` from `T_(l+1)` and the options of
//! issue `l`), dropping at each issue (a margin between partial suffixes stays one between
//! their completions, up to the rounding the margin covers). Equal suffix sums are both kept
//! (their points could differ by rounding): the bound never undercounts.

use super::dominance::Tree;
use super::{DpLimits, Prepared, candidate_bytes};

/// `|T_l|` for `l` from the last issue back to `from`, as far as the budgets allow:
/// `sizes[l - from]`, `None` for the issues not reached (`sizes[n_issues - from]` is 1, the
/// empty suffix).
pub(super) fn suffix_sizes(prep: &Prepared, from: usize, limits: &DpLimits) -> Vec<Option<usize>> {
    let n_i = prep.n_issues();
    let mut sizes = vec![None; n_i + 1 - from.min(n_i)];
    if from > n_i {
        return sizes;
    }
    sizes[n_i - from] = Some(1);
    let mut suffixes = Suffixes::new(prep, false, None);
    while suffixes.level > from {
        match suffixes.step(limits.max_work, limits.max_bytes) {
            Some(n) => sizes[suffixes.level - from] = Some(n),
            None => break,
        }
    }
    sizes
}

/// The kept suffixes `T_l`, built from the last issue back one issue a step (see the module
/// documentation): their sums (each suffix's contributions added from issue `l` on, in the
/// order `c_l + (c_(l+1) + ...)`) and, when asked, each level's back-pointers to rebuild
/// the suffixes' options.
pub(super) struct Suffixes<'a> {
    prep: &'a Prepared,
    /// The issue the kept suffixes start at (`n_issues` for the empty suffix).
    pub(super) level: usize,
    /// The sums of the kept suffixes of `level..` (stride `n_p`).
    pub(super) sums: Vec<f64>,
    /// With back-pointers kept: `backs[l - level]` for each suffix of `l..`, its option (a
    /// position in `prep.levels[l]`) and its tail's index in the suffixes of `l + 1..`.
    pub(super) backs: Option<Vec<Vec<(u32, u32)>>>,
    /// The steps spent: candidate sums made, the trees' building and their questions.
    pub(super) work: u64,
    margin: Vec<f64>,
    /// Whether each party is indifferent to every issue from `level` on.
    indifferent: Vec<bool>,
    /// With pruning: `lift[l * n_p + p]`, at least party `p`'s utility after any prefix of
    /// the issues `..l` that can be completed to a rational outcome; a suffix of `l..` that
    /// cannot reach some reservation (by more than `tol`) on top of it is dropped.
    lift: Option<Vec<f64>>,
    tol: Vec<f64>,
}

impl<'a> Suffixes<'a> {
    /// The empty suffix, at the last issue's end; `keep_backs`: keep each level's
    /// back-pointers; `lift`: prune the suffixes that cannot reach a reservation on top of
    /// any prefix (see the field), the sizes no longer those of the bound.
    pub(super) fn new(
        prep: &'a Prepared,
        keep_backs: bool,
        lift: Option<Vec<f64>>,
    ) -> Suffixes<'a> {
        let n_p = prep.n_p;
        Suffixes {
            tol: (0..n_p)
                .map(|p| 4.0 * prep.slack(0, p, prep.bias[p], prep.reservation[p]))
                .collect(),
            lift,
            prep,
            level: prep.n_issues(),
            sums: vec![0.0; n_p],
            backs: keep_backs.then(Vec::new),
            work: 0,
            margin: (0..n_p).map(|p| 4.0 * prep.slack(0, p, prep.bias[p], 0.0)).collect(),
            indifferent: vec![true; n_p],
        }
    }

    /// How many suffixes `level..` there are.
    pub(super) fn len(&self) -> usize {
        self.sums.len() / self.prep.n_p
    }

    /// The margin by which a kept suffix beats a dropped one, per party.
    pub(super) fn margin(&self) -> &[f64] {
        &self.margin
    }

    /// One issue back: the kept suffixes of `level - 1..` and their number; `None` (and
    /// nothing changed but the work) when the level is 0 or the work would pass `max_work`
    /// or the candidates `max_bytes`.
    pub(super) fn step(&mut self, max_work: u64, max_bytes: usize) -> Option<usize> {
        let prep = self.prep;
        let n_p = prep.n_p;
        let l = self.level.checked_sub(1)?;
        let lv = &prep.levels[l];
        let k = lv.options.len();
        let indifferent: Vec<bool> = (0..n_p)
            .map(|p| self.indifferent[p] && (1..k).all(|o| lv.c[o * n_p + p] == lv.c[p]))
            .collect();
        let m = self.len();
        let n_cand = m.checked_mul(k)?;
        self.work = self.work.saturating_add(n_cand as u64);
        let bytes = (n_cand as u128) * candidate_bytes(n_p.max(4)) as u128;
        if self.work > max_work || bytes > max_bytes as u128 {
            return None;
        }
        let mut cand: Vec<f64> = Vec::with_capacity(n_cand * n_p);
        // Candidate `t` is option `t % k` before suffix `t / k` (`from[t]` when pruned).
        let mut from: Vec<u32> = vec![];
        for j in 0..m {
            for o in 0..k {
                let at = cand.len();
                for p in 0..n_p {
                    cand.push(lv.c[o * n_p + p] + self.sums[j * n_p + p]);
                }
                if let Some(lift) = &self.lift {
                    let reach = (0..n_p).all(|p| {
                        cand[at + p] + lift[l * n_p + p] >= prep.reservation[p] - self.tol[p]
                    });
                    if reach {
                        from.push((j * k + o) as u32);
                    } else {
                        cand.truncate(at);
                    }
                }
            }
        }
        let n_cand = cand.len() / n_p;
        let back_of = |t: usize| {
            let t = if self.lift.is_some() { from[t] as usize } else { t };
            ((t % k) as u32, (t / k) as u32)
        };
        if n_cand == 0 {
            // Pruned: no suffix reaches every reservation.
            self.sums = cand;
            if let Some(backs) = &mut self.backs {
                backs.insert(0, vec![]);
            }
        } else if indifferent.iter().all(|&x| x) {
            // Every suffix adds the same numbers in the same order: one point.
            cand.truncate(n_p);
            self.sums = cand;
            if let Some(backs) = &mut self.backs {
                backs.insert(0, vec![back_of(0)]);
            }
        } else {
            let mut tree = Tree::new(&cand, n_p, &mut self.work);
            let mut next = Vec::new();
            let mut kept = Vec::new();
            let mut query = vec![0.0; n_p];
            for t in 0..n_cand {
                let v = &cand[t * n_p..(t + 1) * n_p];
                for p in 0..n_p {
                    query[p] = if indifferent[p] { v[p] } else { v[p] + self.margin[p] };
                }
                match tree.reaches(&query, &mut self.work, max_work) {
                    Some(true) => {}
                    Some(false) => {
                        next.extend_from_slice(v);
                        kept.push(back_of(t));
                    }
                    None => return None,
                }
            }
            self.sums = next;
            if let Some(backs) = &mut self.backs {
                backs.insert(0, kept);
            }
        }
        self.indifferent = indifferent;
        self.level = l;
        Some(self.len())
    }

    /// The positions (in `prep.levels`) of the options of suffix `z` of the issues `from..`
    /// (`from >= level`: one of the kept suffixes built on the way), issue `from` first.
    pub(super) fn picks(&self, from: usize, mut z: usize, out: &mut Vec<usize>) {
        out.clear();
        for back in self.backs.iter().flatten().skip(from - self.level) {
            let (o, tail) = back[z];
            out.push(o as usize);
            z = tail as usize;
        }
    }
}

/// The smallest `|A_l| x (outcomes of the issues l..y) x |T_y|` over the issues `l <= y`
/// where both sizes are known (every frontier point is a kept prefix, any options of the
/// issues between, and a kept suffix): `prefix[l]` the number of partial vectors kept after
/// issue `l - 1` (`prefix[0]` is 1; an upper bound is enough), `suffix` from
/// [`suffix_sizes`] with `from`, `options[j]` the options of issue `j`. `None` when no
/// product fits in 128 bits.
pub(super) fn best_split(
    prefix: &[usize],
    suffix: &[Option<usize>],
    from: usize,
    options: &[usize],
) -> Option<u128> {
    let n_i = options.len();
    let mut best: Option<u128> = None;
    for (l, &a) in prefix.iter().enumerate().take(n_i + 1) {
        // `mid`: the outcomes of the issues `l..y`, as `y` rises.
        let mut mid = Some(a as u128);
        for y in l..=n_i {
            let t = y.checked_sub(from).and_then(|x| suffix.get(x).copied().flatten());
            if let Some(b) = t.and_then(|t| mid?.checked_mul(t as u128)) {
                best = Some(best.map_or(b, |x| x.min(b)));
            }
            let k = options.get(y).map_or(1, |&k| k as u128);
            mid = mid.and_then(|m| m.checked_mul(k));
        }
    }
    best
}
