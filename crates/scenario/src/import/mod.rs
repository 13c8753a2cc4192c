//! Importers of automated-negotiation domains: GENIUS XML folders ([`genius()`]) and NegMAS
//! plain JSON domains ([`negmas_json()`]), read into scenarios with
//! [`detente_core::UtilityForm::Raw`] utilities that equal NegMAS's to the last bit.
//!
//! No file I/O happens here: callers pass the bytes of the files. Problems are reported as
//! for scenario files, located (`file:line:column: path: message`), all at once, and
//! reading never panics.
//!
//! # The mapping
//! A NegMAS domain has issues (each a list of values) and parties (each with one weight
//! and one list of value utilities per issue, a bias and a reserved value), and party `p`'s
//! utility of an outcome is `bias + weights[0] * value_utils[0][k0] + weights[1] * ...`,
//! added left to right. The scenario has:
//!
//! - one discrete issue per NegMAS issue: its id a slug of the name (lowercase ASCII letters,
//!   digits, `-`, `_`, `.`; runs of other characters become one `-`), made unique with `-2`,
//!   `-3`, ...; its name the original; its options' ids slugs of the values, unique within
//!   the issue, and their labels the values as written;
//! - one party per NegMAS party (GENIUS profile): id a slug of the name, name the original,
//!   role principal, capability 1, reservation the reserved value, bias the bias, and for
//!   GENIUS the discount factor;
//! - one stance per party and issue with weight `|w|` and values `sign(w) * value_utils`
//!   (exact: `(-w) * (-v) == w * v` in floating point), so every utility is the same `f64`.
//!
//! ```
//! use detente_core::Outcome;
//! use detente_scenario::import::negmas_json;
//!
//! let json = r#"{
//!   "name": "toy",
//!   "issues": [{"name": "Price", "values": ["$4.37", "$3.98"]}, {"name": "Days", "values": [30, 60]}],
//!   "parties": [{"name": "buyer", "weights": [0.7, 0.3], "value_utils": [[0, 100], [30, 10]],
//!                "bias": 0.5, "reserved_value": 20},
//!               {"name": "seller", "weights": [0.5, 0.5], "value_utils": [[100, 0], [0, 30]]}]
//! }"#;
//! let s = negmas_json("toy.json", json.as_bytes())?;
//! assert_eq!(s.issues()[0].option_id(0), "4.37");
//! assert_eq!(s.issues()[1].option_label(1), "60");
//! let u = s.utility(0, &Outcome::new(&s, vec![1, 0])?);
//! assert_eq!(u.to_bits(), (0.5 + 0.7 * 100.0 + 0.3 * 30.0_f64).to_bits());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod genius;
mod negmas;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use detente_core::{
    Issue, IssueKind, IssueOption, Meta, Party, Role, Scenario, Stance, UtilityForm,
};

use crate::error::{Error, Problem, ProblemKind, RawProblem, locate};

/// A NegMAS plain JSON domain (the `NAME.json` files of `FORMAT.md`) as a raw-utility
/// [`Scenario`]. `file` names the file in messages, and its stem names the scenario when the
/// JSON has no `name`.
///
/// Read: `name` (optional), `issues` (each `name` and `values`, strings or numbers), and
/// `parties` (each `name`, `weights` and `value_utils`, one per issue, and optional `bias` and
/// `reserved_value`, 0 when absent); `n_outcomes`, when present, is a whole number of any size
/// (in digits or with an exponent: `1e19`, `9.2e+18`) that must be the product of the issues'
/// sizes (compared exactly whenever the product has at most 10,000 digits). Other keys are ignored. `NaN` and `Infinity` (which Python writes) are
/// rejected: every number must be finite.
pub fn negmas_json(file: &str, bytes: &[u8]) -> Result<Scenario, Error> {
    negmas::read(file, bytes)
}

/// A GENIUS domain folder: `files` are (file name, bytes) of every `.xml` in the folder; the
/// domain file (root `<negotiation_template>`, or a `<utility_space>` without weights or
/// evaluations) and one utility profile per party are recognised by content. `folder` names
/// the scenario (its last path component) and prefixes the file names in messages.
///
/// The result is what NegMAS 0.16 loads with `Scenario.from_genius_folder(ignore_discount=True)`
/// (checked against its JSON exports):
///
/// - parties are the profiles in file-name order, each named after its file's stem;
/// - issues are the domain's `<issue>` elements in `index` order; an index between 1 and
///   the largest that no issue has becomes an issue `DUMMY_ISSUE` with the single value
///   `1`, to which every party gives weight 1 and value 1 (so it adds 1 to every utility);
/// - discrete issues take their values from the domain's `<item value>`s; a profile's
///   `<item value evaluation>` is the raw value utility, **not** divided by the issue's
///   largest evaluation (a value given twice: the last counts);
/// - integer issues have the values `lowerbound..=upperbound`, and a profile's
///   `<evaluator ftype="linear" offset slope>` gives `offset + slope * x`;
///   real-valued issues and other evaluators are reported as unsupported;
/// - weights are the profile's `<weight value>`s as written (not normalised);
/// - the reservation is `<reservation value>`, 0 when absent; `<discount_factor value>`
///   becomes [`Party::discount`](detente_core::Party::discount) when it is in `(0, 1]`,
///   and none when it is absent or outside (GENIUS reads 0 and values above 1 as "no
///   discount"); it does not enter utilities.
pub fn genius(folder: &str, files: &[(String, Vec<u8>)]) -> Result<Scenario, Error> {
    genius::read(folder, files)
}

/// A domain as read, before it becomes a scenario.
struct Domain {
    /// The domain's name (the scenario's title; its slug is the scenario's name).
    name: String,
    /// Where it comes from, in words (the scenario's description).
    source: String,
    issues: Vec<DomainIssue>,
    parties: Vec<DomainParty>,
}

struct DomainIssue {
    name: String,
    /// The values as written.
    values: Vec<String>,
}

struct DomainParty {
    name: String,
    description: Option<String>,
    /// One per issue.
    weights: Vec<f64>,
    /// One list per issue, one utility per value.
    value_utils: Vec<Vec<f64>>,
    bias: f64,
    reserved: f64,
    discount: Option<f64>,
}

impl Domain {
    /// The scenario; the readers check every dimension and number before, so an error here
    /// is a bug, reported as [`ProblemKind::Internal`].
    fn build(self, file: &str) -> Result<Scenario, Error> {
        let mut meta =
            Meta::named(&unique(slug(&self.name, false), "imported", &mut Taken::default()));
        meta.title = if self.name.trim().is_empty() { meta.name.clone() } else { self.name };
        meta.description = Some(self.source);
        meta.utility = UtilityForm::Raw;

        let mut issue_ids = Taken::default();
        let issues: Vec<Issue> = self
            .issues
            .iter()
            .enumerate()
            .map(|(i, issue)| {
                let id =
                    unique(slug(&issue.name, true), &format!("issue-{}", i + 1), &mut issue_ids);
                let mut option_ids = Taken::default();
                let options = issue
                    .values
                    .iter()
                    .enumerate()
                    .map(|(k, v)| IssueOption {
                        id: unique(slug(v, true), &format!("v{}", k + 1), &mut option_ids),
                        label: v.clone(),
                        position: None,
                    })
                    .collect();
                Issue {
                    id,
                    name: issue.name.clone(),
                    description: None,
                    kind: IssueKind::Discrete { options },
                    aliases: Vec::new(),
                }
            })
            .collect();

        let mut party_ids = Taken::default();
        let mut parties = Vec::new();
        let mut stances = Vec::new();
        for (p, dp) in self.parties.into_iter().enumerate() {
            let id = unique(slug(&dp.name, true), &format!("party-{}", p + 1), &mut party_ids);
            let mut party = Party::new(&id, &dp.name, Role::Principal, 1.0, dp.reserved);
            party.bias = dp.bias;
            party.discount = dp.discount;
            party.description = dp.description;
            parties.push(party);
            let row = dp
                .weights
                .iter()
                .zip(dp.value_utils)
                .map(|(&w, values)| {
                    Some(if w < 0.0 {
                        Stance::values(-w, values.into_iter().map(|v| -v).collect())
                    } else {
                        Stance::values(w, values)
                    })
                })
                .collect();
            stances.push(row);
        }
        Scenario::new(meta, parties, issues, stances, vec![], vec![]).map_err(|e| {
            Error::new(vec![Problem {
                file: file.to_string(),
                line: 1,
                column: 1,
                path: String::new(),
                kind: ProblemKind::Internal,
                message: format!(
                    "internal error, please report: the model rejected the import: {e}"
                ),
            }])
        })
    }
}

/// A slug: ASCII letters (lowercased), digits, `-`, `_` and (when `dot`) `.` kept, every run
/// of other characters one `-`, none at either end.
fn slug(s: &str, dot: bool) -> String {
    let mut out = String::new();
    let mut pending = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' || (dot && c == '.') {
            if pending && !out.is_empty() {
                out.push('-');
            }
            pending = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending = true;
        }
    }
    out
}

/// The ids given so far, and for each base id the next suffix to try, so that a thousand
/// equal names take linear time, not quadratic.
#[derive(Default)]
struct Taken {
    ids: HashSet<String>,
    next: HashMap<String, usize>,
}

/// `id`, or `fallback` when it is empty, with `-2`, `-3`, ... appended until it is not
/// taken; then taken. (Each suffix tried for a base is tried once: a taken `base-n` stays
/// taken, so the search for that base resumes after it next time.)
fn unique(id: String, fallback: &str, taken: &mut Taken) -> String {
    let base = if id.is_empty() { fallback.to_string() } else { id };
    if taken.ids.insert(base.clone()) {
        return base;
    }
    let n = taken.next.entry(base.clone()).or_insert(2);
    loop {
        let id = format!("{base}-{n}");
        *n += 1;
        if taken.ids.insert(id.clone()) {
            return id;
        }
    }
}

/// Problems found in one text file, by byte offset.
struct Problems<'a> {
    file: String,
    text: &'a str,
    raw: Vec<RawProblem>,
    /// For the XML reader: per element (by node id), its position among the same-named
    /// element children of its parent and their number, filled one parent at a time so that
    /// naming many elements in messages takes linear time.
    places: RefCell<HashMap<usize, (usize, usize)>>,
}

impl<'a> Problems<'a> {
    fn new(file: &str, text: &'a str) -> Problems<'a> {
        Problems { file: file.to_string(), text, raw: Vec::new(), places: RefCell::default() }
    }

    fn push(&mut self, offset: usize, path: &str, kind: ProblemKind, message: impl Into<String>) {
        self.raw.push(RawProblem { offset, path: path.to_string(), kind, message: message.into() });
    }

    /// The located problems, in file order.
    fn located(self) -> Vec<Problem> {
        if self.raw.is_empty() {
            return Vec::new();
        }
        locate(&self.file, self.text, self.raw).problems().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("0:00-2:59 prices [cents/kWh]", true), "0-00-2-59-prices-cents-kwh");
        assert_eq!(slug("$4.37", true), "4.37");
        assert_eq!(slug("$4.37", false), "4-37");
        assert_eq!(slug("19'' LCD", true), "19-lcd");
        assert_eq!(slug("-5", true), "-5");
        assert_eq!(slug("  Größe  ", true), "gr-e");
        assert_eq!(slug("€", true), "");
    }

    #[test]
    fn unique_ids() {
        let mut taken = Taken::default();
        assert_eq!(unique("a".into(), "x", &mut taken), "a");
        assert_eq!(unique("a".into(), "x", &mut taken), "a-2");
        assert_eq!(unique("a-2".into(), "x", &mut taken), "a-2-2");
        assert_eq!(unique(String::new(), "x", &mut taken), "x");
        assert_eq!(unique(String::new(), "x", &mut taken), "x-2");
        assert_eq!(unique("a".into(), "x", &mut taken), "a-3");
        assert_eq!(unique("a-3".into(), "x", &mut taken), "a-3-2");
        assert_eq!(unique("a".into(), "x", &mut taken), "a-4");
    }
}
