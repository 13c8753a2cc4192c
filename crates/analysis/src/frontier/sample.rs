//! A uniform sample of a frontier the programme could not count (it stopped before the last
//! issue), by rejection from a product that contains it.
//!
//! Split the issues at `l`: every frontier point is `fold(a, z)`, a partial vector `a` the
//! programme kept after issue `l - 1` (the set `A_l`) completed by a suffix `z` of the
//! issues `l..` that no other suffix beats by a margin (the set `T_l` of `bound`), its
//! options' contributions added to `a` in issue order (so `fold(a, z)` is the outcome's
//! utility vector to the bit). So the frontier is contained in the image of `A_l x T_l`.
//! A pair `(a, z)` drawn uniformly from `A_l x T_l` is *accepted* when
//!
//! - `fold(a, z)` is rational (every utility at least its reservation, exactly; red lines
//!   are kept by construction, the forbidden options are not in the levels), and
//! - no pair `(a', z')` has `fold(a', z') >= fold(a, z)` in every coordinate with
//!   `fold(a', z') != fold(a, z)` (then a rational outcome dominates it) or, for an equal
//!   vector, `(a', z') < (a, z)` (the first pair reaching a point stands for it).
//!
//! Any dominating rational outcome `x` has a prefix that some `a' in A_l` weakly dominates
//! (what the programme drops is dominated by what it keeps, and rounding is monotone) and a
//! suffix that some `z' in T_l` beats by the margin or equals, so `fold(a', z')` weakly
//! dominates `x`'s vector: asking within `A_l x T_l` is enough. Each frontier point has
//! exactly one accepted pair, so an accepted draw is uniform on the frontier's points; the
//! distinct points of the accepted draws, drawn until `k` are found, are a uniform sample
//! without replacement (every set of `k` points equally likely).
//!
//! The question is asked of two k-d trees at once (over `A_l` and over the suffixes' sums):
//! a pair of boxes is skipped when the sum of their upper corners falls short of the drawn
//! vector by more than the rounding margin somewhere; pairs that pass are checked exactly
//! with `fold`. The split is the issue `l` with the smallest `|A_l| x |T_l|` among those the
//! suffixes reach within the budget (the acceptance rate is the frontier's size over it).
//!
//! Budgets: at most `max_draws` draws, fixed before drawing, so that which points are drawn
//! cannot depend on how long each took to check (a cap on time would favour the points
//! quicker to check); and `max_work` steps for everything (the suffixes, the trees and the
//! checks), past which no sample is returned at all, never a biased one.

use std::collections::HashSet;

use detente_core::Rng;

use super::bound::Suffixes;
use super::dominance::Tree;
use super::{Back, FrontierPoint, FrontierPoints, Prepared, sort_points, weakly_dominates};

/// The draws of the pilot that sets how many draws the budget allows.
const PILOT: u64 = 1000;

/// The budgets of [`draw`].
#[derive(Clone, Copy, Debug)]
pub(super) struct SampleLimits {
    /// The most draws from the product.
    pub(super) max_draws: u64,
    /// The most steps (suffixes, trees and checks together).
    pub(super) max_work: u64,
    /// The most bytes of one issue's suffix candidates.
    pub(super) max_bytes: usize,
}

/// A uniform sample drawn by [`draw`].
pub(super) struct Drawn {
    /// The points drawn (at most the number asked), in the frontier's order.
    pub(super) points: FrontierPoints,
    /// How many pairs were drawn, and how many of them were accepted (repeats counted).
    pub(super) draws: u64,
    pub(super) accepted: u64,
    /// `|A_l| x |T_l|`, the combinations drawn from, and the split `l`.
    pub(super) combinations: u128,
    pub(super) split: usize,
    /// The most draws allowed: `max_draws`, or fewer when the pilot's cost per draw said
    /// the budget could not pay for them.
    pub(super) max_draws: u64,
    /// Whether every pair of the product was decided: then `points` is the whole frontier
    /// (when no more were asked).
    pub(super) exhausted: bool,
}

/// Draws `k` frontier points uniformly without replacement (see the module documentation),
/// given the back-pointers of the issues the programme finished (`backs[j]` for issue `j`).
/// `Err`: why no uniform sample could be drawn within the budget.
pub(super) fn draw(
    prep: &Prepared,
    backs: &[Back],
    (k, seed): (usize, u64),
    limits: &SampleLimits,
) -> Result<Drawn, String> {
    let (n_p, n_i) = (prep.n_p, prep.n_issues());
    let done = backs.len();
    let prefix_len = |l: usize| if l == 0 { 1 } else { backs[l - 1].parent.len() };
    // The split: the suffixes built back from the last issue until they meet the prefixes
    // the programme kept, then further while `|A_l| x |T_l|` can still fall.
    // Above every prefix of the issues `..l` that can be completed to a rational outcome:
    // the largest of the partial points kept (`l <= done`), then each issue's best option.
    let mut lift = vec![f64::NEG_INFINITY; (n_i + 1) * n_p];
    let mut vals = prep.bias.clone();
    for l in 0..=n_i {
        if l <= done {
            if l > 0 {
                vals = advance(prep, &vals, &backs[l - 1], l - 1);
            }
            for (t, &x) in vals.iter().enumerate() {
                let m = &mut lift[l * n_p + t % n_p];
                *m = m.max(x);
            }
        } else {
            let c = &prep.levels[l - 1].c;
            for p in 0..n_p {
                let best = c.iter().skip(p).step_by(n_p).copied().fold(f64::NEG_INFINITY, f64::max);
                lift[l * n_p + p] = lift[(l - 1) * n_p + p] + best;
            }
        }
    }
    let mut suffixes = Suffixes::new(prep, true, Some(lift));
    let mut best: Option<(u128, usize, Vec<f64>)> = None;
    // The suffixes may take half the budget; past the meeting, a hundredth.
    let (suffix_work, beyond_work) = (limits.max_work / 2, limits.max_work / 100);
    let mut steps: Vec<u64> = vec![];
    let mut projected = None;
    loop {
        let l = suffixes.level;
        if l <= done {
            let product = prefix_len(l) as u128 * suffixes.len() as u128;
            if best.as_ref().is_none_or(|b| product < b.0) {
                best = Some((product, l, suffixes.sums.clone()));
            }
            if best.as_ref().is_some_and(|b| suffixes.len() as u128 >= b.0)
                || suffixes.work > beyond_work
            {
                break;
            }
        }
        let before = suffixes.work;
        if l == 0 || suffixes.step(suffix_work, limits.max_bytes).is_none() {
            break;
        }
        // Once the steps cost something, each is taken to grow by the mean growth of the
        // last three: give up at once when the meeting is projected past the suffixes' share.
        steps.push((suffixes.work - before).max(1));
        if suffixes.level > done && suffixes.work > suffix_work / 50 && steps.len() > 3 {
            let last = steps[steps.len() - 1] as f64;
            let growth = (last / steps[steps.len() - 4] as f64).powf(1.0 / 3.0).max(1.0);
            let levels = (suffixes.level - done) as i32;
            let rest = last * (1..=levels).map(|j| growth.powi(j)).sum::<f64>();
            if suffixes.work as f64 + rest > suffix_work as f64 {
                projected = Some(suffixes.work as f64 + rest);
                break;
            }
        }
    }
    let mut work = suffixes.work;
    let Some((combinations, split, sums)) = best else {
        let why = match projected {
            Some(x) => format!("about {} steps projected", about(x)),
            None => format!("{} steps spent", suffixes.work),
        };
        return Err(format!(
            "the non-dominated suffixes, built back from the last issue, would not meet \
             the {done} issues the programme finished within half the sampler's {} steps \
             ({why}, {} issues built)",
            limits.max_work,
            n_i - suffixes.level
        ));
    };
    // `A_l`, summed exactly as the programme summed it.
    let mut vals = prep.bias.clone();
    for (j, back) in backs.iter().enumerate().take(split) {
        vals = advance(prep, &vals, back, j);
        work += back.parent.len() as u64;
    }
    let s = Sampler {
        prep,
        backs: &backs[..split],
        suffixes: &suffixes,
        split,
        a: &vals,
        t: &sums,
        ta: Tree::new(&vals, n_p, &mut work),
        tt: Tree::new(&sums, n_p, &mut work),
    };
    let (n_a, n_t) = (vals.len() / n_p, sums.len() / n_p);
    if n_a == 0 || n_t == 0 {
        let points = FrontierPoints::new(n_p, n_i, prep.max_options());
        let (draws, accepted, max_draws, exhausted) = (0, 0, 0, true);
        return Ok(Drawn { points, draws, accepted, combinations, split, max_draws, exhausted });
    }
    let spent = |draws: u64, found: usize| {
        format!(
            "the sampler's {} steps were spent after {draws} draws ({found} points found)",
            limits.max_work
        )
    };
    let draw_pair = |rng: &mut Rng| (rng.below(n_a as u64) as u32, rng.below(n_t as u64) as u32);
    // A pilot on a stream of its own sets how many draws the budget allows, before any
    // draw of the sample: the sample's stream never decides when it stops.
    let mut pilot = Rng::derive(seed, &[1]);
    let n_pilot = PILOT.min(limits.max_draws).min(combinations.min(u64::MAX as u128) as u64);
    let before = work;
    for d in 0..n_pilot {
        let Some(_) = s.decide(draw_pair(&mut pilot), &mut work, limits.max_work) else {
            return Err(spent(d, 0));
        };
    }
    let per_draw = ((work - before) as f64 / n_pilot.max(1) as f64).max(1.0);
    let allowed = (limits.max_work.saturating_sub(work) as f64 * 0.8 / per_draw) as u64;
    let max_draws = limits.max_draws.min(allowed);
    let mut rng = Rng::new(seed);
    // The pairs decided, and those accepted.
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut taken: HashSet<(u32, u32)> = HashSet::new();
    let mut chosen: Vec<(u32, u32, Vec<f64>)> = Vec::new();
    let (mut draws, mut accepted) = (0u64, 0u64);
    // Until `k` are found, the draws run out, or every pair is decided (then every
    // frontier point is found).
    while chosen.len() < k && draws < max_draws && (seen.len() as u128) < combinations {
        let pair = draw_pair(&mut rng);
        draws += 1;
        if !seen.insert(pair) {
            // Decided before: an accepted pair is counted again (the draw is the same point).
            accepted += u64::from(taken.contains(&pair));
            continue;
        }
        match s.decide(pair, &mut work, limits.max_work) {
            None => return Err(spent(draws, chosen.len())),
            Some(None) => {}
            Some(Some(u)) => {
                accepted += 1;
                taken.insert(pair);
                chosen.push((pair.0, pair.1, u));
            }
        }
    }
    let mut points: Vec<FrontierPoint> = chosen
        .into_iter()
        .map(|(a, z, utilities)| FrontierPoint { utilities, outcome: s.outcome((a, z)) })
        .collect();
    sort_points(&mut points);
    let mut out = FrontierPoints::new(n_p, n_i, prep.max_options());
    out.reserve(points.len());
    for pt in &points {
        out.push(&pt.utilities, pt.outcome.options().iter().copied());
    }
    let exhausted = seen.len() as u128 == combinations;
    Ok(Drawn { points: out, draws, accepted, combinations, split, max_draws, exhausted })
}

/// The partial points kept after issue `j` from those kept before it (`vals`) and the
/// issue's back-pointers, summed as the programme summed them.
fn advance(prep: &Prepared, vals: &[f64], back: &Back, j: usize) -> Vec<f64> {
    let n_p = prep.n_p;
    let c = &prep.levels[j].c;
    let mut next = Vec::with_capacity(back.parent.len() * n_p);
    for (&parent, &o) in back.parent.iter().zip(&back.option) {
        let (parent, o) = (parent as usize, o as usize);
        next.extend((0..n_p).map(|p| vals[parent * n_p + p] + c[o * n_p + p]));
    }
    next
}

/// The product `A_l x T_l` and its trees.
struct Sampler<'a> {
    prep: &'a Prepared,
    /// The back-pointers of the issues before the split.
    backs: &'a [Back],
    suffixes: &'a Suffixes<'a>,
    split: usize,
    /// `A_l` and the sums of `T_l` (stride `n_p`).
    a: &'a [f64],
    t: &'a [f64],
    ta: Tree<'a>,
    tt: Tree<'a>,
}

impl Sampler<'_> {
    /// Whether pair `(a, z)` is accepted: `Some(Some(u))`, its fold `u`, when it is the
    /// pair standing for a frontier point, `Some(None)` when not, `None` when `work` passed
    /// `max_work` first.
    fn decide(&self, pair: (u32, u32), work: &mut u64, max_work: u64) -> Option<Option<Vec<f64>>> {
        let mut u = vec![0.0; self.prep.n_p];
        self.fold(pair, &mut u, &mut Vec::new());
        *work += (self.prep.n_issues() - self.split) as u64;
        if !u.iter().zip(&self.prep.reservation).all(|(x, r)| x >= r) {
            return Some(None);
        }
        let blocked = self.blocked(&u, pair, self.suffixes.margin(), work, max_work)?;
        Some((!blocked).then_some(u))
    }

    /// `fold(a, z)` into `u`: suffix `z`'s contributions added to `a` in issue order.
    fn fold(&self, (a, z): (u32, u32), u: &mut [f64], picks: &mut Vec<usize>) {
        let n_p = self.prep.n_p;
        u.copy_from_slice(&self.a[a as usize * n_p..(a as usize + 1) * n_p]);
        self.suffixes.picks(self.split, z as usize, picks);
        for (j, &o) in picks.iter().enumerate() {
            let row = &self.prep.levels[self.split + j].c[o * n_p..(o + 1) * n_p];
            for p in 0..n_p {
                u[p] += row[p];
            }
        }
    }

    /// The outcome of pair `(a, z)`: the prefix's options by the programme's back-pointers,
    /// the suffix's by its own.
    fn outcome(&self, (a, z): (u32, u32)) -> detente_core::Outcome {
        let n_i = self.prep.n_issues();
        let mut options = vec![0; n_i];
        let mut at = a as usize;
        for j in (0..self.split).rev() {
            options[j] = self.prep.levels[j].options[self.backs[j].option[at] as usize];
            at = self.backs[j].parent[at] as usize;
        }
        let mut picks = Vec::new();
        self.suffixes.picks(self.split, z as usize, &mut picks);
        for (j, &o) in picks.iter().enumerate() {
            options[self.split + j] = self.prep.levels[self.split + j].options[o];
        }
        detente_core::Outcome::new_unchecked(options)
    }

    /// Whether some pair other than `pair` reaching `u` (its fold) rules it out: its fold is
    /// at least `u` everywhere and differs from it, or equals it and the pair comes first.
    /// `None` when `work` passes `max_work` first (one step per pair of boxes and per pair
    /// of vectors looked at, and a fold's issues).
    fn blocked(
        &self,
        u: &[f64],
        pair: (u32, u32),
        margin: &[f64],
        work: &mut u64,
        max_work: u64,
    ) -> Option<bool> {
        let n_p = self.prep.n_p;
        let fold_cost = (self.prep.n_issues() - self.split) as u64;
        // A pair's fold is within the margin of the sum of its two vectors.
        let low: Vec<f64> = (0..n_p).map(|p| u[p] - margin[p]).collect();
        let mut w = vec![0.0; n_p];
        let mut picks = Vec::new();
        let mut stack: Vec<(u32, u32)> = vec![(0, 0)];
        while let Some((x, y)) = stack.pop() {
            *work += 1;
            if *work > max_work {
                return None;
            }
            let (na, nt) = (self.ta.node(x), self.tt.node(y));
            let (ha, ca, ma) = (na.hi, na.children, na.members);
            let (ht, ct, mt) = (nt.hi, nt.children, nt.members);
            if (0..n_p).any(|p| ha[p] + ht[p] < low[p]) {
                continue;
            }
            // Split the larger node; the upper halves are popped first.
            let split_a = match (ca, ct) {
                (None, None) => {
                    for &a2 in ma {
                        let av = &self.a[a2 as usize * n_p..(a2 as usize + 1) * n_p];
                        if (0..n_p).any(|p| av[p] + ht[p] < low[p]) {
                            continue;
                        }
                        for &z2 in mt {
                            *work += 1;
                            let tv = &self.t[z2 as usize * n_p..(z2 as usize + 1) * n_p];
                            if (0..n_p).any(|p| av[p] + tv[p] < low[p]) {
                                continue;
                            }
                            *work += fold_cost;
                            self.fold((a2, z2), &mut w, &mut picks);
                            if weakly_dominates(&w, u) && (w != u || (a2, z2) < pair) {
                                return Some(true);
                            }
                        }
                    }
                    continue;
                }
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(_), Some(_)) => ma.len() >= mt.len(),
            };
            let pairs = match (split_a, ca, ct) {
                (true, Some((l, r)), _) => [(l, y), (r, y)],
                (false, _, Some((l, r))) => [(x, l), (x, r)],
                _ => continue,
            };
            // The pair whose corners clear `u` by more everywhere is asked first: a
            // dominator is likelier there. A pair that cannot reach `u` is not kept.
            let room = |(x, y): (u32, u32)| {
                let (ha, ht) = (self.ta.node(x).hi, self.tt.node(y).hi);
                (0..n_p).map(|p| ha[p] + ht[p] - low[p]).fold(f64::INFINITY, f64::min)
            };
            let (r0, r1) = (room(pairs[0]), room(pairs[1]));
            let order = if r0 > r1 { [1, 0] } else { [0, 1] };
            for i in order {
                if [r0, r1][i] >= 0.0 {
                    stack.push(pairs[i]);
                }
            }
        }
        Some(false)
    }
}

/// How a sample of `asked` points was drawn by rejection, for [`super::Frontier::sample_note`]:
/// the draws, the acceptance rate and the frontier's size it estimates (the accepted share
/// of the draws times the combinations, with its standard error), and why fewer points were
/// drawn than asked.
pub(super) fn note(d: &Drawn, asked: usize, max_draws: u64) -> String {
    let n = d.points.len();
    let mut out = format!(
        "drawn by rejection: {} of {} draws from {} combinations (partial outcomes of {} \
         with suffixes of the others) were frontier points",
        d.accepted,
        d.draws,
        d.combinations,
        if d.split == 1 {
            "the first issue".to_string()
        } else {
            format!("the first {} issues", d.split)
        }
    );
    if d.draws > 0 {
        let rate = d.accepted as f64 / d.draws as f64;
        let size = rate * d.combinations as f64;
        let se = (rate * (1.0 - rate) / d.draws as f64).sqrt() * d.combinations as f64;
        out.push_str(&format!(
            ", which estimates the frontier's size at {} (standard error {})",
            about(size),
            about(se)
        ));
    }
    if n < asked && d.exhausted {
        out.push_str(&format!(
            "; {n} of the {asked} asked: every combination was decided, so these are all the \
             frontier's points"
        ));
    } else if n < asked {
        let allowed = if d.max_draws < max_draws {
            format!("the {} draws the work budget allowed", d.max_draws)
        } else {
            format!("the {max_draws} draws allowed")
        };
        out.push_str(&format!(
            "; {n} of the {asked} asked: {allowed} ran out (the frontier may have no more \
             points)"
        ));
    }
    out
}

/// A positive number for people: whole below a million, else three significant digits.
fn about(x: f64) -> String {
    if x < 1e6 { format!("{}", x.round()) } else { format!("{x:.2e}") }
}
