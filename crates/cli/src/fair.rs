//! `detente divide --method mnw|maximin`: fair division of indivisible items among any
//! number of parties, with the fairness report.

use std::fmt::Write as _;

use detente_analysis::adjusted_winner;
use detente_analysis::fair::{
    self, Division, FairOptions, Fairness, Method, PartyFairness, Valuations,
};
use detente_core::Scenario;
use detente_words as words;
use serde_json::{Value, json};

use crate::BadInput;
use crate::json as j;
use crate::printer::Report;
use crate::table::Table;

/// `--method` of `detente divide`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Adjusted Winner: two parties, divisible items.
    Aw,
    /// The maximum Nash welfare allocation of indivisible items.
    Mnw,
    /// The allocation that maximises the smallest share.
    Maximin,
}

impl MethodArg {
    fn method(self) -> Option<Method> {
        match self {
            MethodArg::Aw => None,
            MethodArg::Mnw => Some(Method::MaxNashWelfare),
            MethodArg::Maximin => Some(Method::Maximin),
        }
    }
}

/// The number of parties of a points table, read from its header, when the file reads as
/// a table at all (the reader of the method then says what else is wrong).
pub fn csv_parties(file: &str, text: &str) -> Option<usize> {
    adjusted_winner::read_valuations_csv(file, text).ok().map(|t| t.parties.len())
}

/// `detente divide --method mnw|maximin` on a points table.
pub fn divide_csv(
    file: &str,
    text: &str,
    method: MethodArg,
    budget: Option<u64>,
) -> anyhow::Result<FairReport> {
    let t =
        adjusted_winner::read_valuations_csv(file, text).map_err(|e| BadInput(e.to_string()))?;
    let values = t.points.iter().map(|row| row.iter().map(|x| x.to_f64()).collect()).collect();
    let v = Valuations::new(t.items, t.parties, values)
        .map_err(|e| BadInput(format!("{file}: {e}")))?;
    divide(file.to_string(), v, method, budget, None)
}

/// `detente divide --method mnw|maximin` on a scenario, among the counted `parties`.
pub fn divide_scenario(
    s: &Scenario,
    parties: &[usize],
    method: MethodArg,
    budget: Option<u64>,
) -> anyhow::Result<FairReport> {
    let v = Valuations::from_scenario(s, parties)
        .map_err(|e| BadInput(format!("{}: {e}", s.meta().name)))?;
    let counted = (parties.len() < s.parties().len()).then(|| v.parties().to_vec());
    divide(s.meta().name.clone(), v, method, budget, counted)
}

fn divide(
    name: String,
    v: Valuations,
    method: MethodArg,
    budget: Option<u64>,
    counted: Option<Vec<String>>,
) -> anyhow::Result<FairReport> {
    let options = FairOptions { max_work: budget.unwrap_or(fair::DEFAULT_MAX_WORK) };
    let d = match method.method() {
        Some(Method::MaxNashWelfare) => fair::max_nash_welfare(&v, &options),
        Some(Method::Maximin) => fair::maximin(&v, &options),
        None => anyhow::bail!("Adjusted Winner is not a fair division search"),
    };
    let f = fair::fairness(&v, &d.owner, &options)?;
    Ok(FairReport { name, v, d, f, counted, max_work: options.max_work })
}

/// A division of indivisible items and its fairness report.
pub struct FairReport {
    name: String,
    v: Valuations,
    d: Division,
    f: Fairness,
    /// The counted parties, when not every party of the scenario.
    counted: Option<Vec<String>>,
    max_work: u64,
}

fn procedure(m: Method) -> (&'static str, &'static str) {
    match m {
        Method::MaxNashWelfare => ("max_nash_welfare", "Maximum Nash welfare"),
        Method::Maximin => ("maximin", "Maximin"),
    }
}

/// `Some(true)` yes, `Some(false)` no, `None` not decided.
fn yes_no(x: Option<bool>) -> &'static str {
    match x {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not decided",
    }
}

impl FairReport {
    fn bundle(&self, p: usize) -> Vec<&str> {
        let items = self.v.items();
        (0..items.len()).filter(|&i| self.d.owner[i] == p).map(|i| items[i].as_str()).collect()
    }

    fn mms_words(pf: &PartyFairness) -> String {
        let m = pf.maximin_share;
        if m.termination.is_exact() { words::num(m.lo) } else { words::range(m.lo, m.hi) }
    }

    /// The sentences of the report.
    fn explanation(&self) -> Vec<String> {
        let (v, d, f) = (&self.v, &self.d, &self.f);
        let n = v.parties().len();
        let names = v.parties();
        let mut out = vec![];
        for (p, name) in names.iter().enumerate() {
            let bundle = self.bundle(p);
            let what =
                if bundle.is_empty() { "nothing".to_string() } else { words::and_list(&bundle) };
            out.push(if v.values_nothing(p) {
                format!("{name} gets {what} (it values no item).")
            } else {
                format!("{name} gets {what}: {} of what it values in all.", words::num(d.shares[p]))
            });
        }
        let stopped = |what: &str, bound: f64| {
            format!(
                "Not exact: the search stopped at its budget of {} units of work; no allocation has {what} above {} (--budget N for more).",
                self.max_work,
                words::num(bound)
            )
        };
        match d.method {
            Method::MaxNashWelfare if d.exact() => out.push(format!(
                "No other allocation gives a positive share to more parties ({} of {n}) or a larger product of their shares (geometric mean {}).",
                d.positive,
                words::num(d.nash_welfare)
            )),
            Method::MaxNashWelfare => out.push(stopped("a geometric mean of shares", d.bound)),
            Method::Maximin if d.exact() => out.push(format!(
                "No other allocation gives the worst-off party more than {} of its own total.",
                words::num(d.min_share)
            )),
            Method::Maximin => out.push(stopped("a smallest share", d.bound)),
        }
        let fraction = format!("1/{n}");
        let short: Vec<String> = (0..n)
            .filter(|&p| !f.parties[p].proportional)
            .map(|p| format!("{} ({})", names[p], words::num(f.parties[p].share)))
            .collect();
        out.push(if short.is_empty() {
            format!("Proportional: every party gets at least {fraction} of what it values in all.")
        } else {
            format!("Not proportional: {} get less than {fraction}.", words::and_list(&short))
        });
        let envies: Vec<String> = (0..n)
            .flat_map(|p| {
                f.parties[p]
                    .envies
                    .iter()
                    .map(move |&q| format!("{} envies {}", names[p], names[q]))
            })
            .collect();
        out.push(if envies.is_empty() {
            "Envy-free: no party values another's bundle above its own.".to_string()
        } else if f.ef1 {
            format!(
                "Not envy-free ({}), but envy-free up to one item: each envy goes once the item the envious party values most leaves the other's bundle.",
                words::and_list(&envies)
            )
        } else {
            format!(
                "Not envy-free ({}), and not envy-free up to one item.",
                words::and_list(&envies)
            )
        });
        let below: Vec<String> = (0..n)
            .filter(|&p| f.parties[p].gets_maximin_share == Some(false))
            .map(|p| {
                format!(
                    "{} ({} against {})",
                    names[p],
                    words::num(f.parties[p].share),
                    Self::mms_words(&f.parties[p])
                )
            })
            .collect();
        let open: Vec<&str> = (0..n)
            .filter(|&p| f.parties[p].gets_maximin_share.is_none())
            .map(|p| names[p].as_str())
            .collect();
        if below.is_empty() && open.is_empty() {
            out.push("Every party gets at least its maximin share (the best it could secure by splitting the items into as many bundles as there are parties and taking the worst).".to_string());
        } else {
            if !below.is_empty() {
                out.push(format!("Below its maximin share: {}.", words::and_list(&below)));
            }
            if !open.is_empty() {
                out.push(format!(
                    "Not decided within the budget whether {} get(s) the maximin share: the share lies within the range found.",
                    words::and_list(&open)
                ));
            }
        }
        out
    }
}

impl Report for FairReport {
    fn json(&self) -> Value {
        let (v, d, f) = (&self.v, &self.d, &self.f);
        let names = v.parties();
        let exact = d.exact();
        json!({
            "scenario": self.name,
            "procedure": procedure(d.method).0,
            "parties": names,
            "items": (0..v.items().len()).map(|i| json!({
                "item": v.items()[i],
                "values": (0..names.len()).map(|p| j::num(v.value(p, i))).collect::<Vec<_>>(),
                "to": names[d.owner[i]],
            })).collect::<Vec<_>>(),
            "shares": d.shares.iter().map(|&x| j::num(x)).collect::<Vec<_>>(),
            "positive_parties": d.positive,
            "nash_welfare": j::num(d.nash_welfare),
            "min_share": j::num(d.min_share),
            "bound": j::num(d.bound),
            "exact": exact,
            "termination": j::termination(d.termination),
            "nodes": d.nodes,
            "fairness": {
                "proportional": f.proportional,
                "envy_free": f.envy_free,
                "ef1": f.ef1,
                "maximin_shares": f.maximin_shares,
                "parties": f.parties.iter().enumerate().map(|(p, pf)| json!({
                    "party": names[p],
                    "share": j::num(pf.share),
                    "values_nothing": pf.values_nothing,
                    "proportional": pf.proportional,
                    "envies": pf.envies.iter().map(|&q| names[q].clone()).collect::<Vec<_>>(),
                    "ef1": pf.ef1,
                    "maximin_share": [j::num(pf.maximin_share.lo), j::num(pf.maximin_share.hi)],
                    "maximin_share_exact": pf.maximin_share.termination.is_exact(),
                    "gets_maximin_share": pf.gets_maximin_share,
                })).collect::<Vec<_>>(),
            },
            "explanation": self.explanation(),
        })
    }

    fn text(&self) -> String {
        let (v, d, f) = (&self.v, &self.d, &self.f);
        let names = v.parties();
        let n = names.len();
        let mut out = format!(
            "{} on {}: {}, {} ({})\n",
            procedure(d.method).1,
            self.name,
            words::count(n, "party", "parties"),
            words::count(v.items().len(), "item", "items"),
            if d.exact() { "exact" } else { "not exact" }
        );
        if let Some(counted) = &self.counted {
            let _ = writeln!(out, "Parties counted: {}.", words::and_list(counted));
        }
        out.push('\n');
        let mut header = vec!["item".to_string()];
        header.extend(names.iter().cloned());
        header.push("goes to".to_string());
        let mut t = Table::new(header);
        for i in 0..v.items().len() {
            let mut row = vec![v.items()[i].clone()];
            row.extend((0..n).map(|p| words::num(v.value(p, i))));
            row.push(names[d.owner[i]].clone());
            t.row(row);
        }
        out.push_str(&t.render_fit("  ", 1));
        out.push('\n');
        let mut t = Table::new(
            ["party", "items", "share", "proportional", "envies", "maximin share", "gets it"]
                .map(String::from)
                .to_vec(),
        );
        for (p, pf) in f.parties.iter().enumerate() {
            let envies: Vec<&str> = pf.envies.iter().map(|&q| names[q].as_str()).collect();
            t.row(vec![
                names[p].clone(),
                self.bundle(p).len().to_string(),
                if pf.values_nothing { "-".to_string() } else { words::num(pf.share) },
                yes_no(Some(pf.proportional)).to_string(),
                if envies.is_empty() { "-".to_string() } else { envies.join(", ") },
                Self::mms_words(pf),
                yes_no(pf.gets_maximin_share).to_string(),
            ]);
        }
        out.push_str(&t.render("  "));
        out.push('\n');
        for line in self.explanation() {
            let _ = writeln!(out, "{line}");
        }
        out
    }
}
