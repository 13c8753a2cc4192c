//! Frontier points stored compactly: the utilities of every point in one flat array and the
//! outcomes as option indices packed in the narrowest integer that holds every issue's
//! options, so that a listed point costs `8 n_parties + n_issues` bytes (one byte an issue
//! when no issue has more than 256 options), not the few hundred bytes of a vector each.

use detente_core::Outcome;

use super::FrontierPoint;

/// Option indices, one per issue and point, in the narrowest integer that holds them.
#[derive(Clone, Debug, PartialEq)]
enum Packed {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

/// A list of frontier points: utilities (one per party, `8 n_parties` bytes a point) and
/// outcomes (one option index per issue, 1, 2 or 4 bytes each); [`FrontierPoints::get`]
/// gives a point as a [`FrontierPoint`].
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierPoints {
    n_parties: usize,
    n_issues: usize,
    utilities: Vec<f64>,
    options: Packed,
}

impl FrontierPoints {
    /// An empty list for outcomes of `n_issues` issues whose option indices are all below
    /// `max_options`, with utilities of `n_parties` parties.
    pub fn new(n_parties: usize, n_issues: usize, max_options: usize) -> FrontierPoints {
        let options = if max_options <= 1 << 8 {
            Packed::U8(vec![])
        } else if max_options <= 1 << 16 {
            Packed::U16(vec![])
        } else {
            Packed::U32(vec![])
        };
        FrontierPoints { n_parties, n_issues, utilities: vec![], options }
    }

    /// Room for `n` more points.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.utilities.reserve(n * self.n_parties);
        match &mut self.options {
            Packed::U8(v) => v.reserve(n * self.n_issues),
            Packed::U16(v) => v.reserve(n * self.n_issues),
            Packed::U32(v) => v.reserve(n * self.n_issues),
        }
    }

    /// Adds a point: `utilities` (one per party) and the option of each issue.
    pub(crate) fn push(&mut self, utilities: &[f64], options: impl Iterator<Item = usize>) {
        debug_assert_eq!(utilities.len(), self.n_parties);
        self.utilities.extend_from_slice(utilities);
        // The width was chosen from the largest option count, so no index is cut.
        match &mut self.options {
            Packed::U8(v) => v.extend(options.map(|k| k as u8)),
            Packed::U16(v) => v.extend(options.map(|k| k as u16)),
            Packed::U32(v) => v.extend(options.map(|k| k as u32)),
        }
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        let options = match &self.options {
            Packed::U8(v) => v.len(),
            Packed::U16(v) => v.len(),
            Packed::U32(v) => v.len(),
        };
        self.utilities
            .len()
            .checked_div(self.n_parties)
            .or_else(|| options.checked_div(self.n_issues))
            .unwrap_or(0)
    }

    /// Whether there is no point.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The utilities of point `i` (one per party). Panics if `i >= len()`.
    pub fn utilities(&self, i: usize) -> &[f64] {
        &self.utilities[i * self.n_parties..(i + 1) * self.n_parties]
    }

    /// The outcome of point `i`. Panics if `i >= len()`.
    pub fn outcome(&self, i: usize) -> Outcome {
        let range = i * self.n_issues..(i + 1) * self.n_issues;
        Outcome::new_unchecked(match &self.options {
            Packed::U8(v) => v[range].iter().map(|&k| usize::from(k)).collect(),
            Packed::U16(v) => v[range].iter().map(|&k| usize::from(k)).collect(),
            Packed::U32(v) => v[range].iter().map(|&k| k as usize).collect(),
        })
    }

    /// Point `i` as a [`FrontierPoint`]. Panics if `i >= len()`.
    pub fn get(&self, i: usize) -> FrontierPoint {
        FrontierPoint { utilities: self.utilities(i).to_vec(), outcome: self.outcome(i) }
    }

    /// The first point, if any.
    pub fn first(&self) -> Option<FrontierPoint> {
        (!self.is_empty()).then(|| self.get(0))
    }

    /// Every point in order, each as a [`FrontierPoint`].
    pub fn iter(&self) -> impl ExactSizeIterator<Item = FrontierPoint> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Every point as a [`FrontierPoint`], in order (a vector each: for few points).
    pub fn to_vec(&self) -> Vec<FrontierPoint> {
        self.iter().collect()
    }

    /// An empty list of the same shape (parties, issues, width of the option indices).
    pub(crate) fn empty_like(&self) -> FrontierPoints {
        FrontierPoints {
            n_parties: self.n_parties,
            n_issues: self.n_issues,
            utilities: vec![],
            options: match self.options {
                Packed::U8(_) => Packed::U8(vec![]),
                Packed::U16(_) => Packed::U16(vec![]),
                Packed::U32(_) => Packed::U32(vec![]),
            },
        }
    }

    /// Adds point `i` of `other`, a list of the same shape, copying its packed options.
    pub(crate) fn push_from(&mut self, other: &FrontierPoints, i: usize) {
        self.utilities.extend_from_slice(other.utilities(i));
        let range = i * self.n_issues..(i + 1) * self.n_issues;
        match (&mut self.options, &other.options) {
            (Packed::U8(a), Packed::U8(b)) => a.extend_from_slice(&b[range]),
            (Packed::U16(a), Packed::U16(b)) => a.extend_from_slice(&b[range]),
            (Packed::U32(a), Packed::U32(b)) => a.extend_from_slice(&b[range]),
            // Another width: through the option indices.
            (_, _) => {
                let o = other.outcome(i);
                match &mut self.options {
                    Packed::U8(v) => v.extend(o.options().iter().map(|&k| k as u8)),
                    Packed::U16(v) => v.extend(o.options().iter().map(|&k| k as u16)),
                    Packed::U32(v) => v.extend(o.options().iter().map(|&k| k as u32)),
                }
            }
        }
    }

    /// The points at `indices` (in that order).
    pub fn select(&self, indices: &[usize]) -> FrontierPoints {
        let mut out = self.empty_like();
        out.reserve(indices.len());
        for &i in indices {
            out.push_from(self, i);
        }
        out
    }

    /// The bytes the points take on the heap (the arrays' lengths, not their capacities).
    pub fn heap_bytes(&self) -> usize {
        8 * self.utilities.len()
            + match &self.options {
                Packed::U8(v) => v.len(),
                Packed::U16(v) => 2 * v.len(),
                Packed::U32(v) => 4 * v.len(),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_round_trip_in_the_narrowest_width() {
        for (max_options, width) in [(3, 1), (256, 1), (257, 2), (65_536, 2), (65_537, 4)] {
            let mut pts = FrontierPoints::new(2, 3, max_options);
            let a = [0, max_options - 1, 1];
            pts.push(&[0.5, -1.0], a.iter().copied());
            pts.push(&[0.25, 2.0], [max_options - 1, 0, 0].into_iter());
            assert_eq!(pts.len(), 2);
            assert_eq!(pts.heap_bytes(), 2 * (16 + 3 * width));
            assert_eq!(pts.get(0).outcome.options(), a);
            assert_eq!(pts.utilities(1), [0.25, 2.0]);
            let mut back = FrontierPoints::new(2, 3, max_options);
            for p in pts.iter() {
                back.push(&p.utilities, p.outcome.options().iter().copied());
            }
            assert_eq!(back, pts);
            assert_eq!(pts.select(&[1, 0]).to_vec(), [pts.get(1), pts.get(0)]);
        }
        let none = FrontierPoints::new(0, 0, 1);
        assert!(none.is_empty() && none.first().is_none());
    }
}
