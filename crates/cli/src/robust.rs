//! `detente robust`: Monte Carlo over the ranges of a scenario's estimates (how likely each
//! verdict, the gap and a deal are), its shards (`--shard K/N`, a part as JSON) and
//! `robust merge` (exactly the one-run result from the parts).
//!
//! The one run and a merge build the same report from the same two values (the study and
//! its tally, `detente_robust::part`), so a merge of every part prints the bytes of one run.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::Mutex;

use detente_analysis::{Whose, whose};
use detente_core::Scenario;
use detente_robust::monte_carlo::{self as mc, Collider, Inputs, Options, Shard, Tally};
use detente_robust::part::{self, Part, PartyLabel, Study};
use detente_words::{and_list, count, num, num_with, possessive};
use serde_json::{Value, json};

use crate::BadInput;
use crate::json::num as jnum;
use crate::printer::Report;
use crate::table::Table;

/// Draws when `--samples` is not given.
pub const DEFAULT_SAMPLES: u64 = 10_000;
/// The largest part file `robust merge` reads (a part of the largest study is about 5 bytes
/// a draw and proposal, at most about 250 MB).
pub const MAX_PART_BYTES: u64 = 1 << 30;

/// Options of `detente robust`.
pub struct RobustArgs<'a> {
    pub proposal: Option<&'a str>,
    pub samples: u64,
    pub seed: u64,
    pub parties: Option<&'a [String]>,
    pub budget: Option<u64>,
    pub threads: usize,
    pub shard: Option<&'a str>,
}

fn bad(e: detente_robust::Error) -> anyhow::Error {
    BadInput(e.to_string()).into()
}

/// A progress bar on stderr when it is a terminal, redrawn when its percentage changes.
fn progress_bar() -> impl Fn(u64, u64) + Sync {
    let on_terminal = std::io::stderr().is_terminal();
    let last: Mutex<Option<u64>> = Mutex::new(None);
    move |done: u64, total: u64| {
        if !on_terminal || total == 0 {
            return;
        }
        let Ok(mut last) = last.lock() else { return };
        let pct = done.min(total) * 100 / total;
        if *last == Some(pct) && done != total {
            return;
        }
        *last = Some(pct);
        let filled = (pct * 30 / 100) as usize;
        let mut frame =
            format!("\r[{}{}] {done}/{total} draws", "#".repeat(filled), ".".repeat(30 - filled));
        if done == total {
            frame.push('\n');
        }
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(frame.as_bytes());
        let _ = err.flush();
    }
}

/// `detente robust FILE ...`.
pub fn robust(s: &Scenario, args: &RobustArgs<'_>) -> anyhow::Result<Robust> {
    if args.samples == 0 || args.samples > mc::MAX_SAMPLES {
        return Err(BadInput(format!(
            "--samples {}: must be 1 to {} (10^7)",
            args.samples,
            mc::MAX_SAMPLES
        ))
        .into());
    }
    if args.threads > mc::MAX_THREADS {
        return Err(BadInput(format!(
            "--threads {}: at most {} (the result does not depend on the thread count)",
            args.threads,
            mc::MAX_THREADS
        ))
        .into());
    }
    let shard = match args.shard {
        None => Shard::ALL,
        Some(k) => match Shard::parse(k) {
            Some(sh) if sh.count <= args.samples => sh,
            Some(_) => {
                return Err(BadInput(format!(
                    "--shard {k}: at most as many shards as --samples ({})",
                    args.samples
                ))
                .into());
            }
            None => {
                return Err(BadInput(format!(
                    "--shard {k:?}: expected K/N with 0 <= K < N, e.g. 0/4"
                ))
                .into());
            }
        },
    };
    let proposals = match args.proposal {
        Some(id) => vec![crate::load::proposal(s, id)?],
        None => (0..s.proposals().len()).collect(),
    };
    if proposals.is_empty() {
        return Err(
            BadInput(format!("{}: the scenario has no proposals to study", s.meta().name)).into()
        );
    }
    let counted = crate::load::parties(s, args.parties)?;
    let values = args.samples.saturating_mul(proposals.len() as u64);
    if values > mc::MAX_GAP_VALUES {
        return Err(BadInput(format!(
            "--samples {}: {} draws of {} proposals keep {values} gaps, more than {} (fewer samples, or one --proposal)",
            args.samples,
            args.samples,
            proposals.len(),
            mc::MAX_GAP_VALUES
        ))
        .into());
    }
    let options = Options {
        samples: args.samples,
        seed: args.seed,
        proposals: proposals.clone(),
        counted: counted.clone(),
        max_nodes: Some(args.budget.unwrap_or(mc::DEFAULT_DRAW_NODES)),
        threads: args.threads,
        shard,
    };
    let study = Study {
        scenario: s.meta().name.clone(),
        fingerprint: s.fingerprint(),
        parties: s
            .parties()
            .iter()
            .map(|p| PartyLabel { id: p.id.clone(), name: p.name.clone() })
            .collect(),
        issues: s.issues().iter().map(|i| i.id.clone()).collect(),
        proposals: proposals.iter().map(|&j| s.proposals()[j].id.clone()).collect(),
        counted: counted.clone(),
        whose: match whose(s, &counted) {
            Whose::Everyone => "everyone",
            Whose::Principals => "principals",
            Whose::Others => "others",
        }
        .to_string(),
        inputs: Inputs::of(s),
        samples: args.samples,
        seed: args.seed,
        budget: options.max_nodes,
    };
    let tally = mc::run(s, &options, &progress_bar()).map_err(bad)?;
    Ok(Robust { part: Part { study, tally }, shard: args.shard.is_some() })
}

/// `detente robust merge PART...`.
pub fn merge(files: &[String]) -> anyhow::Result<Robust> {
    let mut parts: Vec<Part> = vec![];
    for f in files {
        let size =
            std::fs::metadata(f).map_err(|e| BadInput(format!("{f}: cannot read: {e}")))?.len();
        if size > MAX_PART_BYTES {
            return Err(BadInput(format!(
                "{f}: {size} bytes, larger than any part of a study (at most {MAX_PART_BYTES})"
            ))
            .into());
        }
        let text =
            std::fs::read_to_string(f).map_err(|e| BadInput(format!("{f}: cannot read: {e}")))?;
        let p = part::read_part(&text)
            .map_err(|e| BadInput(format!("{f}: not a part of a robust study: {e}")))?;
        parts.push(p);
    }
    let named: Vec<(&str, &Part)> = files.iter().map(String::as_str).zip(parts.iter()).collect();
    let merged = part::merge_named(&named).map_err(bad)?;
    let missing = merged.tally.missing();
    if !missing.is_empty() {
        let names: Vec<String> =
            missing.iter().map(|k| format!("shard {k}/{}", merged.tally.shard_count)).collect();
        return Err(BadInput(format!(
            "{} {} missing: give every part of the study",
            and_list(&names),
            if names.len() == 1 { "is" } else { "are" }
        ))
        .into());
    }
    Ok(Robust { part: merged, shard: false })
}

/// A study's result (or, with `shard`, one part of it).
pub struct Robust {
    part: Part,
    /// Whether this is one shard of a split study: the JSON is the part, the text says so.
    shard: bool,
}

/// A share of `n` draws with its count and Monte Carlo standard error, in JSON.
pub(crate) fn share_json(k: u64, n: u64) -> Value {
    let p = k as f64 / n as f64;
    json!({"count": k, "share": jnum(p), "standard_error": jnum(standard_error(k, n))})
}

fn standard_error(k: u64, n: u64) -> f64 {
    let p = k as f64 / n as f64;
    (p * (1.0 - p) / n as f64).sqrt()
}

/// The largest standard error a share of `n` draws can have (at p = 1/2).
fn max_standard_error(n: u64) -> f64 {
    0.5 / (n as f64).sqrt()
}

/// A share for a table: two decimals, never `0.00` or `1.00` for a share that is not
/// exactly 0 or 1, and `± se` when the standard error shows at two decimals.
fn share_cell(k: u64, n: u64) -> String {
    let p = k as f64 / n as f64;
    let mut s = num(p);
    if k > 0 && s == "0.00" {
        s = "<0.01".to_string();
    } else if k < n && s == "1.00" {
        s = ">0.99".to_string();
    }
    let se = standard_error(k, n);
    if se >= 0.005 {
        let _ = write!(s, " ± {}", num(se));
    }
    s
}

/// A share in a sentence, as a percentage: `83%`, `under 1%` or `over 99%` for shares that
/// are not 0 or 1 but would print so.
pub(crate) fn percent(k: u64, n: u64) -> String {
    let x = 100.0 * k as f64 / n as f64;
    if k == 0 {
        "0%".to_string()
    } else if k == n {
        "100%".to_string()
    } else if x < 0.5 {
        "under 1%".to_string()
    } else if x >= 99.5 {
        "over 99%".to_string()
    } else {
        format!("{}%", num_with(x, 0))
    }
}

fn party_name(st: &Study, p: usize) -> &str {
    st.parties.get(p).map_or("?", |x| x.name.as_str())
}

fn collider_words(st: &Study, c: &Collider) -> String {
    match *c {
        Collider::RedLine(r) => {
            let issue = st.issues.get(r.issue).map_or("?", String::as_str);
            if r.index == 0 {
                format!("{} red line on {issue}", possessive(party_name(st, r.party)))
            } else {
                format!(
                    "{} red line {} on {issue}",
                    possessive(party_name(st, r.party)),
                    r.index + 1
                )
            }
        }
        Collider::Reservation(p) => format!("{} reservation", possessive(party_name(st, p))),
    }
}

fn collider_json(st: &Study, c: &Collider) -> Value {
    let id = |p: usize| st.parties.get(p).map(|x| x.id.clone());
    match *c {
        Collider::RedLine(r) => json!({
            "kind": "red_line", "party": id(r.party), "issue": st.issues.get(r.issue), "index": r.index,
        }),
        Collider::Reservation(p) => json!({"kind": "reservation", "party": id(p)}),
    }
}

/// The parties counted, in words.
fn counted_words(st: &Study) -> String {
    let names: Vec<&str> = st.counted.iter().map(|&p| party_name(st, p)).collect();
    match st.whose.as_str() {
        "everyone" => "every party".to_string(),
        "principals" => format!("the principals ({})", and_list(&names)),
        _ => and_list(&names),
    }
}

/// Where the ranges come from, in words.
pub(crate) fn inputs_words(i: &Inputs) -> String {
    let mut from = vec![];
    if i.stated > 0 {
        from.push(format!("{} stated in the file", i.stated));
    }
    for (g, &n) in i.by_grade.iter().enumerate() {
        if n > 0 {
            from.push(format!("{n} from confidence grade {}", Inputs::grade(g).as_str()));
        }
    }
    let varying = i.varying();
    let mut out = if varying == 0 {
        "No estimate has a range".to_string()
    } else {
        format!(
            "{} {} a range ({})",
            count(varying as usize, "estimate", "estimates"),
            if varying == 1 { "has" } else { "have" },
            and_list(&from)
        )
    };
    let _ = write!(
        out,
        "; {} {} fixed. ",
        count(i.fixed as usize, "estimate", "estimates"),
        if i.fixed == 1 { "is" } else { "are" }
    );
    if i.doubts == 0 {
        out.push_str("Every red line holds in every draw (none is marked as doubtful).");
    } else {
        let _ = write!(
            out,
            "{} may not hold: each holds in a draw with the probability the file gives it.",
            count(i.doubts as usize, "red line", "red lines")
        );
    }
    out
}

const LEVEL_NAMES: [&str; 7] = ["min", "5%", "25%", "median", "75%", "95%", "max"];
const LEVEL_KEYS: [&str; 7] = ["min", "p5", "p25", "median", "p75", "p95", "max"];

impl Report for Robust {
    fn json(&self) -> Value {
        if self.shard {
            return part::to_json(&self.part);
        }
        let (st, t) = (&self.part.study, &self.part.tally);
        let n = t.draws;
        let proposals: Vec<Value> = t
            .proposals
            .iter()
            .zip(&st.proposals)
            .map(|(p, id)| {
                let mut gap = serde_json::Map::new();
                if let (Some(q), Some(mean)) = (p.quantiles(), p.mean()) {
                    for (key, x) in LEVEL_KEYS.iter().zip(q) {
                        gap.insert(key.to_string(), jnum(x));
                    }
                    gap.insert("mean".to_string(), jnum(mean));
                }
                json!({
                    "id": id,
                    "parties": p.verdicts.iter().zip(&st.parties).map(|(v, party)| json!({
                        "party": party.id,
                        "accepts": share_json(v[0], n),
                        "depends": share_json(v[1], n),
                        "rejects": share_json(v[2], n),
                    })).collect::<Vec<_>>(),
                    "all_accept": share_json(p.all_accept, n),
                    "gap": gap,
                })
            })
            .collect();
        let d = &t.deal;
        let mut conflicts: Vec<(&Vec<Collider>, u64)> =
            d.conflicts.iter().map(|(s, &k)| (s, k)).collect();
        conflicts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut by: Vec<(Collider, u64)> = d.by_collider().into_iter().collect();
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        json!({
            "scenario": st.scenario,
            "samples": st.samples,
            "seed": st.seed,
            "budget": st.budget,
            "parties": st.counted.iter().map(|&p| st.parties[p].id.clone()).collect::<Vec<_>>(),
            "whose": st.whose,
            "inputs": part::inputs_json(&st.inputs),
            "proposals": proposals,
            "deal": {
                "exists": share_json(d.exists, n),
                "none": share_json(d.none + d.none_unexplained, n),
                "not_exact": share_json(d.not_exact(), n),
                "undecided": d.undecided,
                "none_unexplained": d.none_unexplained,
                "conflicts": conflicts.iter().map(|(set, k)| {
                    let mut v = share_json(*k, n);
                    v["constraints"] = set.iter().map(|c| collider_json(st, c)).collect();
                    v
                }).collect::<Vec<_>>(),
                "constraints": by.iter().map(|(c, k)| {
                    let mut v = collider_json(st, c);
                    v["draws"] = share_json(*k, n);
                    v
                }).collect::<Vec<_>>(),
            },
        })
    }

    fn text(&self) -> String {
        let (st, t) = (&self.part.study, &self.part.tally);
        let n = t.draws;
        let mut out = String::new();
        if self.shard {
            let _ = writeln!(
                out,
                "Shard {} of a robust study of {}: {} of {} (seed {}). This is one part: write it with --json and combine every part with `detente robust merge`.",
                t.held
                    .iter()
                    .map(|k| format!("{k}/{}", t.shard_count))
                    .collect::<Vec<_>>()
                    .join(", "),
                st.scenario,
                count(n as usize, "draw", "draws"),
                st.samples,
                st.seed
            );
            return out;
        }
        let _ = writeln!(
            out,
            "How sure are the verdicts on {}? {} of the estimates' ranges (seed {}), counting {}.",
            st.scenario,
            count(n as usize, "draw", "draws"),
            st.seed,
            counted_words(st)
        );
        let _ = writeln!(out, "{}", inputs_words(&st.inputs));
        let se = max_standard_error(n);
        let _ = writeln!(
            out,
            "A share is a count of draws over {n}; its Monte Carlo standard error is about sqrt(p(1 - p) / {n}), at most {}{}.",
            num_with(se, 4),
            if se >= 0.005 {
                ", written as ± where it shows at two decimals"
            } else {
                ", below the last decimal shown"
            }
        );
        for (p, id) in t.proposals.iter().zip(&st.proposals) {
            let _ = writeln!(out, "\n{id}:\n");
            let mut table =
                Table::new(["party", "accepts", "depends", "rejects"].map(String::from).to_vec());
            for (v, party) in p.verdicts.iter().zip(&st.parties) {
                table.row(vec![
                    party.name.clone(),
                    share_cell(v[0], n),
                    share_cell(v[1], n),
                    share_cell(v[2], n),
                ]);
            }
            out.push_str(&table.render("  "));
            let _ = writeln!(
                out,
                "\n  Every counted party accepts in {} of the draws ({} of {n}).",
                share_cell(p.all_accept, n),
                p.all_accept
            );
            if let (Some(q), Some(mean)) = (p.quantiles(), p.mean()) {
                let _ = writeln!(
                    out,
                    "  The gap (the counted parties' total shortfall below their reservations), over the draws:\n"
                );
                let mut table = Table::new(
                    LEVEL_NAMES.iter().map(|s| s.to_string()).chain(["mean".to_string()]).collect(),
                );
                table.row(q.iter().chain([&mean]).map(|&x| num(x)).collect());
                out.push_str(&table.render("    "));
            }
        }
        deal_text(st, t, &mut out);
        out
    }
}

/// The paragraph on whether a deal exists and what collides.
fn deal_text(st: &Study, t: &Tally, out: &mut String) {
    let (n, d) = (t.draws, &t.deal);
    let _ = writeln!(
        out,
        "\nIs any deal possible? An outcome every counted party accepts exists in {} of the draws ({} of {n}).",
        share_cell(d.exists, n),
        d.exists
    );
    if d.not_exact() > 0 {
        let budget = st.budget.map_or("no".to_string(), |b| b.to_string());
        let _ = writeln!(
            out,
            "Not exact: in {} the search stopped at its budget of {budget} nodes ({} undecided, {} with no deal but no minimal conflict found), so the share of draws with a deal is between {} and {} (a larger --budget searches further).",
            count(d.not_exact() as usize, "draw", "draws"),
            d.undecided,
            d.none_unexplained,
            num(d.exists as f64 / n as f64),
            num((d.exists + d.undecided) as f64 / n as f64),
        );
    }
    if d.conflicts.is_empty() {
        return;
    }
    let mut sets: Vec<(&Vec<Collider>, u64)> = d.conflicts.iter().map(|(s, &k)| (s, k)).collect();
    sets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "Where there is none, these constraints collide (a minimal conflict):");
    const SHOWN: usize = 10;
    for (set, k) in sets.iter().take(SHOWN) {
        let words: Vec<String> = set.iter().map(|c| collider_words(st, c)).collect();
        let verb = if set.len() == 1 { "rules out every outcome" } else { "collide" };
        let _ = writeln!(
            out,
            "- {} {verb} in {} of the draws ({k} of {n}).",
            and_list(&words),
            percent(*k, n)
        );
    }
    if sets.len() > SHOWN {
        let rest: u64 = sets[SHOWN..].iter().map(|x| x.1).sum();
        let _ = writeln!(
            out,
            "- {} other {} in {} of the draws ({rest} of {n}).",
            sets.len() - SHOWN,
            if sets.len() - SHOWN == 1 { "conflict" } else { "conflicts" },
            percent(rest, n)
        );
    }
    if sets.len() > 1 {
        let mut by: Vec<(Collider, u64)> = d.by_collider().into_iter().collect();
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let _ = writeln!(out, "\nEach constraint's share of the draws in which it collides:\n");
        let mut table = Table::new(vec!["constraint".to_string(), "draws".to_string()]);
        for (c, k) in by {
            table.row(vec![collider_words(st, &c), share_cell(k, n)]);
        }
        out.push_str(&table.render("  "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_never_print_as_what_they_are_not() {
        assert_eq!(share_cell(0, 100_000), "0.00");
        assert_eq!(share_cell(1, 100_000), "<0.01");
        assert_eq!(share_cell(99_999, 100_000), ">0.99");
        assert_eq!(share_cell(100_000, 100_000), "1.00");
        assert_eq!(share_cell(50_000, 100_000), "0.50");
        assert_eq!(share_cell(62, 100), "0.62 ± 0.05");
        assert_eq!(percent(83, 100), "83%");
        assert_eq!(percent(1, 1000), "under 1%");
        assert_eq!(percent(999, 1000), "over 99%");
        assert_eq!(percent(0, 10), "0%");
    }
}
