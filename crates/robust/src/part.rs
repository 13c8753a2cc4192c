//! A study's part: what `detente robust --shard K/N --json` writes and `robust merge` reads
//! ([`to_json`], [`read_part`], [`merge_named`]).
//!
//! A part holds the study's identity ([`Study`]: the scenario's name and fingerprint, its
//! parties, issues and the proposals studied by id, the parties counted, how many estimates
//! vary, samples, seed and budget), the shards it holds, and the [`Tally`] of its draws:
//! counts, the minimal conflicts met, and every draw's gap on every proposal, exact (the
//! bits of each float), so that merged parts give exactly the bytes of one run. The gaps of
//! a proposal are sorted; the zeros are counted and the others written as the differences
//! of their bits (an ascending list of positive floats has ascending bits) in LEB128,
//! base64: about 5 bytes a draw instead of 20.
//!
//! [`read_part`] trusts nothing it reads: every field is checked (type, range, agreement
//! with the rest: the draws of its shards, counts that add up to them, gaps that decode to
//! exactly as many finite, ascending numbers), and a problem is reported with the path of
//! the field, e.g. `proposals[1].verdicts[0].rejects: expected a whole number >= 0`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::Error;
use crate::monte_carlo::{
    Collider, DealTally, Inputs, MAX_GAP_VALUES, MAX_SAMPLES, ProposalTally, Shard, Tally,
};
use detente_core::RedLineRef;

/// The format's version, written as `"robust_part"`.
pub const VERSION: u64 = 1;

/// A party as a study names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyLabel {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// Everything that identifies a study (and names its parts for people): parts of one study
/// have equal studies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Study {
    /// The scenario's name.
    pub scenario: String,
    /// [`Scenario::fingerprint`](detente_core::Scenario::fingerprint) of the scenario.
    pub fingerprint: u64,
    /// Every party, in order.
    pub parties: Vec<PartyLabel>,
    /// Every issue's id, in order.
    pub issues: Vec<String>,
    /// The ids of the proposals studied, in the order of the tally's.
    pub proposals: Vec<String>,
    /// The parties counted (indices into `parties`, ascending).
    pub counted: Vec<usize>,
    /// Who they are: `everyone`, `principals` or `others`.
    pub whose: String,
    /// How many estimates vary and where their ranges come from.
    pub inputs: Inputs,
    /// Draws of the whole study.
    pub samples: u64,
    /// The seed.
    pub seed: u64,
    /// The node budget of each draw's deadlock search (`None`: unlimited).
    pub budget: Option<u64>,
}

/// A study's identity and what (part of) it counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// The study.
    pub study: Study,
    /// The counts of the draws held.
    pub tally: Tally,
}

fn constraint_json(study: &Study, c: &Collider) -> Value {
    let party = |p: usize| study.parties.get(p).map(|x| x.id.clone());
    match *c {
        Collider::RedLine(r) => json!({
            "kind": "red_line",
            "party": party(r.party),
            "issue": study.issues.get(r.issue),
            "index": r.index,
        }),
        Collider::Reservation(p) => json!({"kind": "reservation", "party": party(p)}),
    }
}

/// The part as JSON (see `docs/cli.md`, `robust`).
pub fn to_json(part: &Part) -> Value {
    let (st, t) = (&part.study, &part.tally);
    json!({
        "robust_part": VERSION,
        "study": {
            "scenario": st.scenario,
            "fingerprint": format!("{:016x}", st.fingerprint),
            "parties": st.parties.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>(),
            "issues": st.issues,
            "proposals": st.proposals,
            "counted": st.counted.iter().map(|&p| st.parties[p].id.clone()).collect::<Vec<_>>(),
            "whose": st.whose,
            "inputs": inputs_json(&st.inputs),
            "samples": st.samples,
            "seed": st.seed,
            "budget": st.budget,
        },
        "shards": { "count": t.shard_count, "held": t.held },
        "draws": t.draws,
        "proposals": t.proposals.iter().zip(&st.proposals).map(|(p, id)| json!({
            "id": id,
            "verdicts": p.verdicts.iter().zip(&st.parties).map(|(v, party)| json!({
                "party": party.id, "accepts": v[0], "depends": v[1], "rejects": v[2],
            })).collect::<Vec<_>>(),
            "all_accept": p.all_accept,
            "gaps": encode_gaps(&p.gaps),
        })).collect::<Vec<_>>(),
        "deal": {
            "exists": t.deal.exists,
            "none": t.deal.none,
            "none_unexplained": t.deal.none_unexplained,
            "undecided": t.deal.undecided,
            "conflicts": t.deal.conflicts.iter().map(|(set, n)| json!({
                "constraints": set.iter().map(|c| constraint_json(st, c)).collect::<Vec<_>>(),
                "draws": n,
            })).collect::<Vec<_>>(),
        },
    })
}

/// The estimate counts as JSON: `{ "varying", "stated", "grade_a", "grade_b", "grade_c",
/// "fixed", "doubts" }`.
pub fn inputs_json(i: &Inputs) -> Value {
    json!({
        "varying": i.varying(),
        "stated": i.stated,
        "grade_a": i.by_grade[0],
        "grade_b": i.by_grade[1],
        "grade_c": i.by_grade[2],
        "fixed": i.fixed,
        "doubts": i.doubts,
    })
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * j)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for (q, quad) in s.chunks(4).enumerate() {
        let last = q + 1 == s.len() / 4;
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            let v = B64.iter().position(|&x| x == c)? as u32;
            n = (n << 6) | v;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        // Canonical: the bits under the padding are zero.
        if bytes[3 - pad..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Sorted gaps as `{ "zeros": n, "others": n, "bits": base64 }`.
fn encode_gaps(gaps: &[f64]) -> Value {
    let zeros = gaps.iter().take_while(|&&g| g == 0.0).count();
    let mut bytes = Vec::new();
    let mut prev = 0u64;
    for g in &gaps[zeros..] {
        let bits = g.to_bits();
        let mut d = bits.wrapping_sub(prev);
        prev = bits;
        loop {
            let low = (d & 0x7f) as u8;
            d >>= 7;
            if d == 0 {
                bytes.push(low);
                break;
            }
            bytes.push(low | 0x80);
        }
    }
    json!({"zeros": zeros, "others": gaps.len() - zeros, "bits": base64(&bytes)})
}

fn decode_gaps(at: At<'_, '_>, expected: u64) -> Result<Vec<f64>, Error> {
    let zeros = get(at, "zeros", |a| a.u64())?;
    let others = get(at, "others", |a| a.u64())?;
    if zeros.checked_add(others) != Some(expected) {
        return fail(at.path, format!("zeros + others must be the part's {expected} draws"));
    }
    let text = get(at, "bits", |a| a.str())?;
    let path = format!("{}.bits", at.path);
    let bytes = unbase64(text).map_or_else(|| fail(&path, "not canonical base64"), Ok)?;
    let mut out = Vec::with_capacity(expected as usize);
    out.resize(zeros as usize, 0.0);
    let (mut prev, mut d, mut shift) = (0u64, 0u64, 0u32);
    for &b in &bytes {
        if shift > 63 || (shift == 63 && b > 1) {
            return fail(&path, "a difference longer than 64 bits");
        }
        d |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            let Some(bits) = prev.checked_add(d) else {
                return fail(&path, "the gaps must be ascending");
            };
            let g = f64::from_bits(bits);
            if !(g.is_finite() && g > 0.0) {
                return fail(&path, "a gap that is not a finite number above 0");
            }
            if out.len() as u64 == expected {
                return fail(&path, format!("more than {others} gaps"));
            }
            out.push(g);
            (prev, d, shift) = (bits, 0, 0);
        }
    }
    if shift != 0 || out.len() as u64 != expected {
        return fail(
            &path,
            format!("expected {others} gaps, found {}", out.len() - zeros as usize),
        );
    }
    Ok(out)
}

/// A field being read: its value and its path for messages.
#[derive(Clone, Copy)]
struct At<'v, 'p> {
    v: &'v Value,
    path: &'p str,
}

fn fail<T>(path: &str, what: impl std::fmt::Display) -> Result<T, Error> {
    let place = if path.is_empty() { "the part".to_string() } else { path.to_string() };
    Err(Error::new(format!("{place}: {what}")))
}

impl<'v> At<'v, '_> {
    fn object(self) -> Result<&'v Map<String, Value>, Error> {
        self.v.as_object().map_or_else(|| fail(self.path, "expected an object"), Ok)
    }

    fn array(self) -> Result<&'v Vec<Value>, Error> {
        self.v.as_array().map_or_else(|| fail(self.path, "expected a list"), Ok)
    }

    fn u64(self) -> Result<u64, Error> {
        self.v.as_u64().map_or_else(|| fail(self.path, "expected a whole number >= 0"), Ok)
    }

    fn usize(self) -> Result<usize, Error> {
        usize::try_from(self.u64()?).or_else(|_| fail(self.path, "too large"))
    }

    fn str(self) -> Result<&'v str, Error> {
        self.v.as_str().map_or_else(|| fail(self.path, "expected a string"), Ok)
    }

    fn string(self) -> Result<String, Error> {
        self.str().map(str::to_string)
    }
}

/// Reads each element of a list field with `f(element)`.
fn list<'v, T>(
    at: At<'v, '_>,
    mut f: impl FnMut(At<'v, '_>) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    let items = at.array()?;
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let path = format!("{}[{i}]", at.path);
        out.push(f(At { v, path: &path })?);
    }
    Ok(out)
}

/// Reads a field with `f`.
fn get<'v, T>(
    at: At<'v, '_>,
    key: &str,
    f: impl FnOnce(At<'v, '_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let map = at.object()?;
    let path = if at.path.is_empty() { key.to_string() } else { format!("{}.{key}", at.path) };
    match map.get(key) {
        Some(v) => f(At { v, path: &path }),
        None => fail(&path, "missing"),
    }
}

/// The index of `id` among `ids`.
fn index_of(at: At<'_, '_>, ids: &[String], what: &str) -> Result<usize, Error> {
    let id = at.str()?;
    ids.iter().position(|x| x == id).map_or_else(|| fail(at.path, format!("no {what} {id:?}")), Ok)
}

fn unique(at: At<'_, '_>, ids: &[String]) -> Result<(), Error> {
    let mut sorted: Vec<&String> = ids.iter().collect();
    sorted.sort_unstable();
    match sorted.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => fail(at.path, format!("{:?} twice", w[0])),
        None => Ok(()),
    }
}

fn read_study(at: At<'_, '_>) -> Result<Study, Error> {
    let scenario = get(at, "scenario", |a| a.string())?;
    let fingerprint = get(at, "fingerprint", |a| {
        let s = a.str()?;
        match u64::from_str_radix(s, 16) {
            Ok(x) if s.len() == 16 => Ok(x),
            _ => fail(a.path, "expected 16 hexadecimal digits"),
        }
    })?;
    let parties = get(at, "parties", |a| {
        let ps = list(a, |p| {
            Ok(PartyLabel {
                id: get(p, "id", |a| a.string())?,
                name: get(p, "name", |a| a.string())?,
            })
        })?;
        if ps.is_empty() {
            return fail(a.path, "at least one party");
        }
        unique(a, &ps.iter().map(|p| p.id.clone()).collect::<Vec<_>>())?;
        Ok(ps)
    })?;
    let party_ids: Vec<String> = parties.iter().map(|p| p.id.clone()).collect();
    let issues = get(at, "issues", |a| {
        let ids = list(a, |a| a.string())?;
        unique(a, &ids)?;
        Ok(ids)
    })?;
    let proposals = get(at, "proposals", |a| {
        let ids = list(a, |a| a.string())?;
        if ids.is_empty() {
            return fail(a.path, "at least one proposal");
        }
        unique(a, &ids)?;
        Ok(ids)
    })?;
    let counted = get(at, "counted", |a| {
        let c = list(a, |p| index_of(p, &party_ids, "party"))?;
        if c.is_empty() || c.windows(2).any(|w| w[0] >= w[1]) {
            return fail(a.path, "at least one party, each once, in party order");
        }
        Ok(c)
    })?;
    let whose = get(at, "whose", |a| match a.str()? {
        w @ ("everyone" | "principals" | "others") => Ok(w.to_string()),
        _ => fail(a.path, "expected \"everyone\", \"principals\" or \"others\""),
    })?;
    let inputs = get(at, "inputs", |a| {
        let n = |key: &str| get(a, key, |a| a.u64());
        let i = Inputs {
            stated: n("stated")?,
            by_grade: [n("grade_a")?, n("grade_b")?, n("grade_c")?],
            fixed: n("fixed")?,
            doubts: n("doubts")?,
        };
        let sum = i.by_grade.iter().try_fold(i.stated, |s, &g| s.checked_add(g));
        if sum != Some(n("varying")?) {
            return fail(a.path, "varying must be stated + grade_a + grade_b + grade_c");
        }
        Ok(i)
    })?;
    let samples = get(at, "samples", |a| match a.u64()? {
        n @ 1..=MAX_SAMPLES => Ok(n),
        _ => fail(a.path, format!("expected 1 to {MAX_SAMPLES}")),
    })?;
    if samples.saturating_mul(proposals.len() as u64) > MAX_GAP_VALUES {
        return fail(at.path, format!("more than {MAX_GAP_VALUES} gaps (samples x proposals)"));
    }
    let seed = get(at, "seed", |a| a.u64())?;
    let budget = get(at, "budget", |a| if a.v.is_null() { Ok(None) } else { a.u64().map(Some) })?;
    Ok(Study {
        scenario,
        fingerprint,
        parties,
        issues,
        proposals,
        counted,
        whose,
        inputs,
        samples,
        seed,
        budget,
    })
}

fn read_collider(at: At<'_, '_>, st: &Study) -> Result<Collider, Error> {
    let ids: Vec<String> = st.parties.iter().map(|p| p.id.clone()).collect();
    let party = get(at, "party", |a| index_of(a, &ids, "party"))?;
    match get(at, "kind", |a| a.str())? {
        "red_line" => Ok(Collider::RedLine(RedLineRef {
            party,
            issue: get(at, "issue", |a| index_of(a, &st.issues, "issue"))?,
            index: get(at, "index", |a| a.usize())?,
        })),
        "reservation" => Ok(Collider::Reservation(party)),
        _ => fail(&format!("{}.kind", at.path), "expected \"red_line\" or \"reservation\""),
    }
}

/// Reads a part, checking every field (see the module's documentation).
pub fn read_part(text: &str) -> Result<Part, Error> {
    let v: Value = serde_json::from_str(text).map_err(|e| Error::new(format!("not JSON: {e}")))?;
    let root = At { v: &v, path: "" };
    let version = get(root, "robust_part", |a| a.u64())?;
    if version != VERSION {
        return fail("robust_part", format!("version {version}; this detente reads {VERSION}"));
    }
    let study = get(root, "study", read_study)?;
    let (shard_count, held) = get(root, "shards", |a| {
        let count = get(a, "count", |a| a.u64())?;
        if count == 0 || count > study.samples {
            return fail(a.path, format!("count must be 1 to the study's {} draws", study.samples));
        }
        let held = get(a, "held", |h| {
            let held = list(h, |a| a.u64())?;
            if held.is_empty()
                || held.windows(2).any(|w| w[0] >= w[1])
                || held.iter().any(|&k| k >= count)
            {
                return fail(h.path, "shards below count, each once, ascending");
            }
            Ok(held)
        })?;
        Ok((count, held))
    })?;
    let draws = get(root, "draws", |a| {
        let n = a.u64()?;
        let expected: u64 = held
            .iter()
            .map(|&index| Shard { index, count: shard_count }.draws_of(study.samples))
            .sum();
        if n != expected {
            return fail(a.path, format!("{n}, but the shards held have {expected} draws"));
        }
        Ok(n)
    })?;
    let n_parties = study.parties.len();
    let proposals = get(root, "proposals", |a| {
        let ps = list(a, |p| {
            let id = get(p, "id", |a| a.string())?;
            let verdicts = get(p, "verdicts", |vs| {
                let v = list(vs, |x| {
                    let count = |key: &str| get(x, key, |a| a.u64());
                    let c = [count("accepts")?, count("depends")?, count("rejects")?];
                    if c.iter().try_fold(0u64, |s, &y| s.checked_add(y)) != Some(draws) {
                        return fail(x.path, format!("the verdicts must add up to {draws} draws"));
                    }
                    Ok((get(x, "party", |a| a.string())?, c))
                })?;
                if v.len() != n_parties
                    || v.iter().zip(&study.parties).any(|((id, _), p)| *id != p.id)
                {
                    return fail(vs.path, "one entry per party of the study, in order");
                }
                Ok(v.into_iter().map(|(_, c)| c).collect::<Vec<_>>())
            })?;
            let all_accept = get(p, "all_accept", |x| match x.u64()? {
                k if k <= draws => Ok(k),
                _ => fail(x.path, format!("more than the {draws} draws")),
            })?;
            let gaps = get(p, "gaps", |g| decode_gaps(g, draws))?;
            Ok((id, ProposalTally { proposal: 0, verdicts, all_accept, gaps }))
        })?;
        if ps.len() != study.proposals.len()
            || ps.iter().zip(&study.proposals).any(|((id, _), want)| id != want)
        {
            return fail(a.path, "one entry per proposal of the study, in order");
        }
        Ok(ps
            .into_iter()
            .enumerate()
            .map(|(j, (_, p))| ProposalTally { proposal: j, ..p })
            .collect::<Vec<_>>())
    })?;
    let deal = get(root, "deal", |a| {
        let n = |key: &str| get(a, key, |a| a.u64());
        let mut deal = DealTally {
            exists: n("exists")?,
            none: n("none")?,
            none_unexplained: n("none_unexplained")?,
            undecided: n("undecided")?,
            conflicts: BTreeMap::new(),
        };
        let sets = get(a, "conflicts", |c| {
            list(c, |x| {
                let mut set = get(x, "constraints", |cs| list(cs, |y| read_collider(y, &study)))?;
                let len = set.len();
                set.sort_unstable();
                set.dedup();
                if set.is_empty() || set.len() != len {
                    return fail(x.path, "a conflict has constraints, each once");
                }
                Ok((set, get(x, "draws", |a| a.u64())?))
            })
        })?;
        for (set, k) in sets {
            if deal.conflicts.insert(set, k).is_some() {
                return fail(&format!("{}.conflicts", a.path), "a conflict listed twice");
            }
        }
        Ok(deal)
    })?;
    let tally = Tally {
        samples: study.samples,
        seed: study.seed,
        shard_count,
        held,
        draws,
        proposals,
        deal,
    };
    tally.check_counts()?;
    Ok(Part { study, tally })
}

/// Combines parts of one study (shards, in any order, each named for messages) into one;
/// merging all the shards gives exactly the part of one unsharded run, but for its
/// [`Tally::held`] and [`Tally::shard_count`] (see [`Tally::missing`]).
///
/// # Errors
/// No parts; parts of different studies (naming the first field that differs); a shard
/// given twice.
pub fn merge_named(parts: &[(&str, &Part)]) -> Result<Part, Error> {
    let Some(&(first_name, first)) = parts.first() else {
        return Err(Error::new("nothing to merge"));
    };
    for &(name, part) in &parts[1..] {
        let (a, b) = (&first.study, &part.study);
        let differs = [
            ("scenario", a.scenario != b.scenario),
            ("scenario fingerprint", a.fingerprint != b.fingerprint),
            ("samples", a.samples != b.samples),
            ("seed", a.seed != b.seed),
            ("budget", a.budget != b.budget),
            ("proposals", a.proposals != b.proposals),
            ("counted parties", a.counted != b.counted),
            ("shard count", first.tally.shard_count != part.tally.shard_count),
            ("study", a != b),
        ]
        .into_iter()
        .find(|d| d.1);
        if let Some((field, _)) = differs {
            return Err(Error::new(format!(
                "{name} and {first_name} are parts of different studies (they differ in {field})"
            )));
        }
    }
    let tallies: Vec<Tally> = parts.iter().map(|(_, p)| p.tally.clone()).collect();
    let tally = Tally::merge(&tallies).map_err(|e| {
        // Name the part whose shard repeats.
        let msg = e.to_string();
        match parts.iter().enumerate().skip(1).find(|(j, (_, p))| {
            p.tally.held.iter().any(|k| parts[..*j].iter().any(|(_, q)| q.tally.held.contains(k)))
        }) {
            Some((_, (name, _))) => Error::new(format!("{name}: {msg}")),
            None => e,
        }
    })?;
    Ok(Part { study: first.study.clone(), tally })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monte_carlo::tests::talks;
    use crate::monte_carlo::{Options, run};

    fn study_of(s: &detente_core::Scenario, o: &Options) -> Study {
        Study {
            scenario: s.meta().name.clone(),
            fingerprint: s.fingerprint(),
            parties: s
                .parties()
                .iter()
                .map(|p| PartyLabel { id: p.id.clone(), name: p.name.clone() })
                .collect(),
            issues: s.issues().iter().map(|i| i.id.clone()).collect(),
            proposals: o.proposals.iter().map(|&j| s.proposals()[j].id.clone()).collect(),
            counted: o.counted.clone(),
            whose: "principals".into(),
            inputs: Inputs::of(s),
            samples: o.samples,
            seed: o.seed,
            budget: o.max_nodes,
        }
    }

    #[test]
    fn parts_written_and_read_back_merge_into_one_run() {
        let s = talks();
        let o = Options { threads: 1, ..Options::new(&s, 300, 5) };
        let one = run(&s, &o, &|_, _| {}).unwrap();
        let texts: Vec<String> = (0..3)
            .map(|index| {
                let o = Options { shard: Shard { index, count: 3 }, ..o.clone() };
                let tally = run(&s, &o, &|_, _| {}).unwrap();
                to_json(&Part { study: study_of(&s, &o), tally }).to_string()
            })
            .collect();
        let parts: Vec<Part> = texts.iter().map(|t| read_part(t).unwrap()).collect();
        for order in [[2, 0, 1], [0, 1, 2]] {
            let named: Vec<(&str, &Part)> = order.iter().map(|&j| ("p", &parts[j])).collect();
            let merged = merge_named(&named).unwrap();
            assert!(merged.tally.missing().is_empty());
            assert_eq!(merged.study, study_of(&s, &o));
            let t = merged.tally;
            assert_eq!((t.draws, &t.deal), (one.draws, &one.deal));
            for (a, b) in t.proposals.iter().zip(&one.proposals) {
                assert_eq!(
                    (&a.verdicts, a.all_accept, &a.gaps),
                    (&b.verdicts, b.all_accept, &b.gaps)
                );
            }
        }
        // A part of another study (seed) is refused naming the field; a repeated shard too.
        let o2 = Options { seed: 6, shard: Shard { index: 1, count: 3 }, ..o.clone() };
        let other = Part { study: study_of(&s, &o2), tally: run(&s, &o2, &|_, _| {}).unwrap() };
        let err = merge_named(&[("a", &parts[0]), ("b", &other)]).unwrap_err().to_string();
        assert!(
            err.contains("b and a are parts of different studies (they differ in seed)"),
            "{err}"
        );
        let err = merge_named(&[("a", &parts[0]), ("b", &parts[0])]).unwrap_err().to_string();
        assert!(err.contains("b: shard 0/3 is given twice"), "{err}");
    }

    #[test]
    fn a_malformed_part_is_refused_with_the_path_of_the_field() {
        let s = talks();
        let o = Options { shard: Shard { index: 0, count: 2 }, ..Options::new(&s, 40, 1) };
        let tally = run(&s, &o, &|_, _| {}).unwrap();
        let good = to_json(&Part { study: study_of(&s, &o), tally });
        let broken = |change: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            change(&mut v);
            read_part(&v.to_string()).unwrap_err().to_string()
        };
        type Change = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|v| v["draws"] = json!(21)), "draws: 21, but the shards held have 20 draws"),
            (
                Box::new(|v| v["proposals"][1]["verdicts"][0]["rejects"] = json!(-1)),
                "proposals[1].verdicts[0].rejects: expected a whole number",
            ),
            (
                Box::new(|v| v["proposals"][0]["verdicts"][2]["accepts"] = json!(0)),
                "proposals[0].verdicts[2]: the verdicts must add up to 20 draws",
            ),
            (
                Box::new(|v| v["proposals"][0]["gaps"]["bits"] = json!("!!!!")),
                "proposals[0].gaps.bits: not canonical base64",
            ),
            (
                Box::new(|v| v["proposals"][0]["gaps"]["zeros"] = json!(1000)),
                "proposals[0].gaps: zeros + others",
            ),
            (
                Box::new(|v| v["study"]["counted"] = json!(["nobody"])),
                "study.counted[0]: no party \"nobody\"",
            ),
            (Box::new(|v| v["study"]["samples"] = json!(0)), "study.samples: expected 1 to"),
            (Box::new(|v| v["shards"]["held"] = json!([2])), "shards.held: shards below count"),
            (
                Box::new(|v| v["deal"]["exists"] = json!(1000)),
                "deadlock answers do not count every draw once",
            ),
            (Box::new(|v| v["robust_part"] = json!(2)), "robust_part: version 2"),
            (
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("deal");
                }),
                "deal: missing",
            ),
        ];
        for (change, want) in cases {
            let err = broken(&*change);
            assert!(err.contains(want), "{err} (wanted {want})");
        }
        assert!(read_part("[1, 2").unwrap_err().to_string().starts_with("not JSON"));
    }

    #[test]
    fn base64_round_trips_and_refuses_what_is_not_canonical() {
        for n in 0..10 {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 77 + 3) as u8).collect();
            assert_eq!(unbase64(&base64(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert!(unbase64("TWF").is_none());
        assert!(unbase64("TWF=").is_none(), "bits under the padding");
        assert!(unbase64("T===").is_none());
        assert!(unbase64("TW=u").is_none());
        assert!(unbase64("TW!u").is_none());
    }

    #[test]
    fn gaps_round_trip_exactly() {
        let gaps = vec![0.0, 0.0, 1e-300, 0.1, 0.1, 0.30000000000000004, 2.5, 1e10];
        let v = encode_gaps(&gaps);
        let at = At { v: &v, path: "gaps" };
        assert_eq!(decode_gaps(at, gaps.len() as u64).unwrap(), gaps);
        let err = decode_gaps(at, 9).unwrap_err().to_string();
        assert!(err.contains("zeros + others"), "{err}");
        // A difference longer than 64 bits; then one that passes the largest bits.
        let bad = json!({"zeros": 0, "others": 1, "bits": base64(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])});
        let err = decode_gaps(At { v: &bad, path: "g" }, 1).unwrap_err().to_string();
        assert!(err.contains("longer than 64 bits"), "{err}");
        let bad = json!({"zeros": 0, "others": 2, "bits": base64(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])});
        let err = decode_gaps(At { v: &bad, path: "g" }, 2).unwrap_err().to_string();
        assert!(err.contains("g.bits"), "{err}");
    }
}
