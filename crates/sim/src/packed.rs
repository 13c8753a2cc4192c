//! A session record packed in bytes, about a quarter of its text in a part (at most 152
//! bytes for two parties, without an error message): so that a tournament can keep its
//! sessions until its scores are known (they come first in a part) without writing 54 MB of
//! text for 100,000 sessions, and write their text at the end on every thread
//! ([`crate::PartText::write_packed`]).
//!
//! The bytes are this process's own (a temporary file it wrote, or memory): not a format
//! for files kept or exchanged. Every number is kept exactly (floats by their bits).

use crate::{SessionRecord, Termination};

/// Little-endian writes and reads of the fields.
struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u8(&mut self, x: u8) {
        self.0.push(x);
    }

    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    /// A `usize` as 8 bytes (a record's indices are far below 2^64 on every platform).
    fn usize(&mut self, x: usize) {
        self.u64(x as u64);
    }

    fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }

    fn opt_f64(&mut self, x: Option<f64>) {
        match x {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                self.f64(x);
            }
        }
    }

    fn len(&mut self, n: usize) {
        self.usize(n);
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[b]| b)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn f64(&mut self) -> Option<f64> {
        self.u64().map(f64::from_bits)
    }

    fn opt_f64(&mut self) -> Option<Option<f64>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.f64().map(Some),
            _ => None,
        }
    }

    /// A count of items of `size` bytes each that the bytes left can hold (so that a
    /// corrupt count cannot ask for more memory than the input has).
    fn len(&mut self, size: usize) -> Option<usize> {
        let n = self.usize()?;
        (n <= self.0.len() / size).then_some(n)
    }

    /// A list of items of `size` bytes each into `into` (cleared first).
    fn list<T>(
        &mut self,
        into: &mut Vec<T>,
        size: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<()> {
        let n = self.len(size)?;
        into.clear();
        for _ in 0..n {
            into.push(item(self)?);
        }
        Some(())
    }
}

impl SessionRecord {
    /// Appends the record packed in bytes, read back exactly by
    /// [`SessionRecord::unpack_from`]:
    /// its length (4 bytes), then its fields.
    pub fn pack(&self, out: &mut Vec<u8>) {
        let start = out.len();
        let mut w = Writer(out);
        w.u32(0);
        w.usize(self.index);
        w.usize(self.scenario);
        w.usize(self.combination);
        w.len(self.negotiators.len());
        self.negotiators.iter().for_each(|&n| w.usize(n));
        w.u32(self.repetition);
        w.u64(self.seed);
        match &self.termination {
            Termination::Agreement => w.u8(0),
            Termination::Deadline => w.u8(1),
            Termination::EndedBy(p) => {
                w.u8(2);
                w.usize(*p);
            }
            Termination::NegotiatorError { party, message } => {
                w.u8(3);
                w.usize(*party);
                w.len(message.len());
                w.0.extend_from_slice(message.as_bytes());
            }
        }
        match self.agreement {
            None => w.u8(0),
            Some(id) => {
                w.u8(1);
                w.u64(id);
            }
        }
        w.len(self.utilities.len());
        self.utilities.iter().for_each(|&u| w.f64(u));
        w.len(self.reservations.len());
        self.reservations.iter().for_each(|&u| w.f64(u));
        w.u32(self.steps);
        w.opt_f64(self.pareto_distance);
        w.opt_f64(self.nash_distance);
        // A record longer than 4 GB (a negotiator's error message that long) is not packed
        // whole: its length says so, and `unpack` refuses it.
        let len = u32::try_from(out.len() - start - 4).unwrap_or(u32::MAX);
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// The length of the record packed at the start of `bytes`, when `bytes` hold it whole
    /// (as [`SessionRecord::pack`] wrote it; whether it is a record is for
    /// [`SessionRecord::unpack_from`] to say).
    pub fn packed_len(bytes: &[u8]) -> Option<usize> {
        let len = 4 + u32::from_le_bytes(*bytes.first_chunk::<4>()?) as usize;
        (bytes.len() >= len).then_some(len)
    }

    /// A record of zeros, empty lists and a deadline, to [`SessionRecord::unpack_from`] into.
    pub fn blank() -> SessionRecord {
        SessionRecord {
            index: 0,
            scenario: 0,
            combination: 0,
            negotiators: Vec::new(),
            repetition: 0,
            seed: 0,
            termination: Termination::Deadline,
            agreement: None,
            utilities: Vec::new(),
            reservations: Vec::new(),
            steps: 0,
            pareto_distance: None,
            nash_distance: None,
        }
    }

    /// The record packed at the start of `bytes` into this one (its lists' memory reused):
    /// the number of bytes it took, or `None` (and this record unspecified) when `bytes` do
    /// not start with a whole record (too short, or not a record).
    pub fn unpack_from(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut r = Reader(bytes);
        let len = r.u32()? as usize;
        let mut r = Reader(r.0.get(..len)?);
        self.index = r.usize()?;
        self.scenario = r.usize()?;
        self.combination = r.usize()?;
        r.list(&mut self.negotiators, 8, Reader::usize)?;
        self.repetition = r.u32()?;
        self.seed = r.u64()?;
        self.termination = match r.u8()? {
            0 => Termination::Agreement,
            1 => Termination::Deadline,
            2 => Termination::EndedBy(r.usize()?),
            3 => {
                let party = r.usize()?;
                let n = r.len(1)?;
                let (text, rest) = r.0.split_at(n);
                r.0 = rest;
                let message = std::str::from_utf8(text).ok()?.to_string();
                Termination::NegotiatorError { party, message }
            }
            _ => return None,
        };
        self.agreement = match r.u8()? {
            0 => None,
            1 => Some(r.u64()?),
            _ => return None,
        };
        r.list(&mut self.utilities, 8, Reader::f64)?;
        r.list(&mut self.reservations, 8, Reader::f64)?;
        self.steps = r.u32()?;
        self.pareto_distance = r.opt_f64()?;
        self.nash_distance = r.opt_f64()?;
        r.0.is_empty().then_some(4 + len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rng;

    /// A record with every field drawn, every variant and the edge values of floats.
    fn record(rng: &mut Rng, k: usize) -> SessionRecord {
        let n = 1 + k % 4;
        let floats =
            [0.0, -0.0, 1.0 / 3.0, f64::MIN_POSITIVE, f64::MAX, -1e-300, f64::NAN, f64::INFINITY];
        let float = |rng: &mut Rng| floats[rng.below(floats.len() as u64) as usize] * rng.unit();
        SessionRecord {
            index: rng.next_u64() as usize,
            scenario: k % 7,
            combination: k,
            negotiators: (0..n).map(|_| rng.below(9) as usize).collect(),
            repetition: rng.next_u64() as u32,
            seed: rng.next_u64(),
            termination: match k % 4 {
                0 => Termination::Agreement,
                1 => Termination::Deadline,
                2 => Termination::EndedBy(k % n),
                _ => Termination::NegotiatorError {
                    party: k % n,
                    message: "offered outcome 99 \u{e9}\n".repeat(k % 3),
                },
            },
            agreement: (!k.is_multiple_of(3)).then(|| rng.next_u64()),
            utilities: (0..n).map(|_| float(rng)).collect(),
            reservations: (0..n).map(|_| float(rng)).collect(),
            steps: rng.next_u64() as u32,
            pareto_distance: k.is_multiple_of(2).then(|| float(rng)),
            nash_distance: (!k.is_multiple_of(5)).then(|| float(rng)),
        }
    }

    /// Equal, floats compared by their bits (NaN included).
    fn same(a: &SessionRecord, b: &SessionRecord) -> bool {
        let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let opt = |x: Option<f64>| x.map(f64::to_bits);
        a.index == b.index
            && a.scenario == b.scenario
            && a.combination == b.combination
            && a.negotiators == b.negotiators
            && a.repetition == b.repetition
            && a.seed == b.seed
            && a.termination == b.termination
            && a.agreement == b.agreement
            && bits(&a.utilities) == bits(&b.utilities)
            && bits(&a.reservations) == bits(&b.reservations)
            && a.steps == b.steps
            && opt(a.pareto_distance) == opt(b.pareto_distance)
            && opt(a.nash_distance) == opt(b.nash_distance)
    }

    #[test]
    fn records_packed_one_after_another_unpack_exactly() {
        let mut rng = Rng::new(7);
        let records: Vec<SessionRecord> = (0..400).map(|k| record(&mut rng, k)).collect();
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        for r in &records {
            r.pack(&mut bytes);
            ends.push(bytes.len());
        }
        let mut at = 0;
        let mut reused = records[records.len() - 1].clone();
        for (r, &end) in records.iter().zip(&ends) {
            let mut back = SessionRecord::blank();
            let used = back.unpack_from(&bytes[at..]).expect("a whole record");
            assert!(same(r, &back), "{r:?} != {back:?}");
            assert_eq!(SessionRecord::packed_len(&bytes[at..]), Some(used));
            // Into a record that held another, the same.
            assert_eq!(reused.unpack_from(&bytes[at..]), Some(used));
            assert!(same(r, &reused), "{r:?} != {reused:?}");
            at += used;
            assert_eq!(at, end);
            // Cut anywhere inside, it is not a whole record.
            let start = end - used;
            for cut in [start, start + 1, start + 4, end - 1] {
                assert!(SessionRecord::blank().unpack_from(&bytes[start..cut]).is_none(), "{cut}");
                assert!(SessionRecord::packed_len(&bytes[start..cut]).is_none(), "{cut}");
            }
        }
        assert_eq!(at, bytes.len());
    }

    #[test]
    fn two_parties_pack_in_at_most_152_bytes_without_an_error_message() {
        let mut rng = Rng::new(3);
        let mut r = record(&mut rng, 1);
        (r.negotiators, r.utilities, r.reservations) = (vec![0, 1], vec![0.5; 2], vec![0.1; 2]);
        (r.agreement, r.pareto_distance, r.nash_distance) = (Some(9), Some(0.0), Some(0.5));
        for termination in [Termination::Agreement, Termination::EndedBy(1)] {
            r.termination = termination;
            let mut bytes = Vec::new();
            r.pack(&mut bytes);
            assert!(bytes.len() <= 152, "{}", bytes.len());
        }
    }

    #[test]
    fn bytes_that_are_not_a_record_are_refused_without_a_panic() {
        let mut rng = Rng::new(11);
        let mut bytes = Vec::new();
        record(&mut rng, 3).pack(&mut bytes);
        // A length longer than the body, a count beyond the bytes, a bad tag, noise.
        let mut long = bytes.clone();
        long[0] = long[0].wrapping_add(1);
        assert!(SessionRecord::blank().unpack_from(&long).is_none());
        let mut count = bytes.clone();
        count[4 + 24..4 + 32].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(SessionRecord::blank().unpack_from(&count).is_none());
        for _ in 0..2000 {
            let n = rng.below(120) as usize;
            let mut noise: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            if n >= 4 {
                noise[..4].copy_from_slice(&((n - 4) as u32).to_le_bytes());
            }
            let _ = SessionRecord::blank().unpack_from(&noise);
        }
    }
}
