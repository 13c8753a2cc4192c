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
    let (n_p, n_i) = (prep.n_p, prep.n_issues());
    let mut sizes = vec![None; n_i + 1 - from.min(n_i)];
    if from > n_i {
        return sizes;
    }
    sizes[n_i - from] = Some(1);
    let margin: Vec<f64> = (0..n_p).map(|p| 4.0 * prep.slack(0, p, prep.bias[p], 0.0)).collect();
    // Whether each party is indifferent to every issue from `l` on (updated as `l` falls).
    let mut indifferent = vec![true; n_p];
    let mut cur: Vec<f64> = vec![0.0; n_p];
    let mut work: u64 = 0;
    let mut cand: Vec<f64> = vec![];
    let mut query = vec![0.0; n_p];
    for l in (from..n_i).rev() {
        let lv = &prep.levels[l];
        let k = lv.options.len();
        for (p, ind) in indifferent.iter_mut().enumerate() {
            *ind &= (1..k).all(|o| lv.c[o * n_p + p] == lv.c[p]);
        }
        let m = cur.len() / n_p;
        let Some(n_cand) = m.checked_mul(k) else { break };
        work = work.saturating_add(n_cand as u64);
        let bytes = (n_cand as u128) * candidate_bytes(n_p.max(4)) as u128;
        if work > limits.max_work || bytes > limits.max_bytes as u128 {
            break;
        }
        cand.clear();
        cand.reserve(n_cand * n_p);
        for j in 0..m {
            for o in 0..k {
                for p in 0..n_p {
                    cand.push(lv.c[o * n_p + p] + cur[j * n_p + p]);
                }
            }
        }
        if indifferent.iter().all(|&x| x) {
            // Every suffix adds the same numbers in the same order: one point.
            cur.truncate(n_p);
            cur.copy_from_slice(&cand[..n_p]);
            sizes[l - from] = Some(1);
            continue;
        }
        let mut tree = Tree::new(&cand, n_p, &mut work);
        let mut next = Vec::new();
        let mut stopped = false;
        for t in 0..n_cand {
            let v = &cand[t * n_p..(t + 1) * n_p];
            for p in 0..n_p {
                query[p] = if indifferent[p] { v[p] } else { v[p] + margin[p] };
            }
            match tree.reaches(&query, &mut work, limits.max_work) {
                Some(true) => {}
                Some(false) => next.extend_from_slice(v),
                None => {
                    stopped = true;
                    break;
                }
            }
        }
        if stopped {
            break;
        }
        sizes[l - from] = Some(next.len() / n_p);
        cur = next;
    }
    sizes
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
