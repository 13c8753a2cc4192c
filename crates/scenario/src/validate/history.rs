//! The dated record: `[[revisions]]` (dated changes of a stance or a reservation, each with
//! its sources) and `[[events]]` (meetings and statements, with the parties and points they
//! touch), read with every problem located.

use detente_core::{Evidence, History, Stance, StanceRevision, TalksEvent, date_span, day};

use super::{Read, candidate, evidence, evidence_of, preference, red_lines};
use crate::error::ProblemKind;
use crate::kit::{Cx, Range, Tab, items, open, reference};
use crate::tree::Kind;

pub(super) const REVISION: &[&str] = &[
    "party",
    "issue",
    "date",
    "weight",
    "values",
    "ideal",
    "tolerance",
    "red_lines",
    "reservation",
    "summary",
    "evidence",
];
pub(super) const EVENT: &[&str] = &["date", "title", "parties", "issues", "evidence", "candidate"];

/// Reads `revisions` and `events` (`stances`: the stances read, to check that a revision
/// names one).
pub(super) fn history(
    cx: &mut Cx<'_>,
    top: &Tab<'_>,
    read: &Read,
    stances: &[Vec<Option<Stance>>],
) -> History {
    let mut h = History::default();
    for (idx, node) in top.array(cx, "revisions", None).iter().enumerate() {
        let path = format!("revisions[{idx}]");
        let Some(t) = open(cx, node, &path, REVISION) else { continue };
        let party = t
            .req(cx, "party")
            .and_then(|n| reference(cx, &read.party_ids, "party", "parties", n, &t.path("party")));
        let issue = t
            .get("issue")
            .and_then(|n| reference(cx, &read.issue_ids, "issue", "issues", n, &t.path("issue")));
        let date = if t.get("date").is_none() {
            t.req(cx, "date");
            None
        } else {
            t.date(cx, "date", true)
        };
        let mut ranges = vec![];
        let weight = t.estimate(cx, "weight", false, Range::Weight).map(|(w, spread)| {
            ranges.extend(spread.map(|_| "weight"));
            w
        });
        let known = issue.and_then(|i| read.known(i));
        let has_preference = ["values", "ideal", "tolerance"].iter().any(|k| t.get(k).is_some());
        let mut pref_ranges = vec![];
        let pref = if has_preference {
            preference(cx, &t, known, read.value_range(), &mut pref_ranges)
        } else {
            None
        };
        let mut holds = vec![];
        let lines = match t.get("red_lines") {
            Some(_) => {
                red_lines(cx, &t, known, party.and_then(|p| read.parties.get(p)), &mut holds)
            }
            None => None,
        };
        if !ranges.is_empty() || !pref_ranges.is_empty() || !holds.is_empty() {
            cx.push(
                t.start,
                &path,
                ProblemKind::Unsupported,
                "a revision's numbers and red lines are points: a range or a doubt (holds) is stated on the stance only",
            );
        }
        let reservation = t.number(cx, "reservation", false, read.value_range());
        let summary = t.string(cx, "summary", false);
        let ev = evidence(cx, &t, read);
        if t.get("evidence").is_none() {
            cx.push(
                t.start,
                &path,
                ProblemKind::MissingField,
                "missing field \"evidence\" (a revision cites at least one source)",
            );
        }
        // What the revision may change: a stance's fields with an issue, the reservation
        // without one.
        match issue {
            Some(_) => {
                if let Some(n) = t.get("reservation") {
                    cx.push(
                        n.span.start,
                        &t.path("reservation"),
                        ProblemKind::InvalidValue,
                        "a reservation belongs to the party: revise it in a revision without an issue",
                    );
                }
            }
            None if t.get("issue").is_none() => {
                for k in ["weight", "values", "ideal", "tolerance", "red_lines", "summary"] {
                    if let Some(n) = t.get(k) {
                        cx.push(
                            n.span.start,
                            &t.path(k),
                            ProblemKind::MissingField,
                            format!("{k} belongs to a stance: name its issue"),
                        );
                    }
                }
            }
            None => {}
        }
        let changes_something =
            ["weight", "values", "ideal", "tolerance", "red_lines", "reservation", "summary"]
                .iter()
                .any(|k| t.get(k).is_some());
        if !changes_something {
            cx.push(
                t.start,
                &path,
                ProblemKind::Empty,
                "a revision changes nothing (give weight, values, ideal and tolerance, red_lines, summary or reservation; a dated event that changes no number is an [[events]] entry)",
            );
        }
        if let (Some(p), Some(i)) = (party, issue)
            && stances.get(p).and_then(|row| row.get(i)).is_some_and(Option::is_none)
        {
            cx.push(
                t.get("issue").map_or(t.start, |n| n.span.start),
                &t.path("issue"),
                ProblemKind::UnknownReference,
                format!(
                    "party {} has no stance on issue {} to revise (write the stance first)",
                    read.parties.get(p).map_or("", |x| x.id.as_str()),
                    read.issues.get(i).map_or("", |x| x.id.as_str()),
                ),
            );
        }
        if let Some(d) = &date {
            source_dates(cx, &t, read, d, &ev, "revision");
        }
        if let (Some(party), Some(date)) = (party, date) {
            h.revisions.push(StanceRevision {
                party,
                issue,
                date,
                weight,
                preference: pref,
                red_lines: lines,
                reservation,
                summary,
                evidence: ev,
            });
        }
    }
    for (idx, node) in top.array(cx, "events", None).iter().enumerate() {
        let path = format!("events[{idx}]");
        let Some(t) = open(cx, node, &path, EVENT) else { continue };
        let is_candidate = candidate(cx, &t);
        let date = if t.get("date").is_none() {
            t.req(cx, "date");
            None
        } else {
            t.date(cx, "date", true)
        };
        let title = t.string(cx, "title", true);
        let parties = ids(cx, &t, "parties", |cx, n, p| {
            reference(cx, &read.party_ids, "party", "parties", n, p)
        });
        let issues = ids(cx, &t, "issues", |cx, n, p| {
            reference(cx, &read.issue_ids, "issue", "issues", n, p)
        });
        let ev = evidence_of(cx, &t, read, is_candidate);
        if t.get("evidence").is_none() {
            cx.push(
                t.start,
                &path,
                ProblemKind::MissingField,
                "missing field \"evidence\" (an event cites at least one source)",
            );
        }
        // An unconfirmed candidate is checked, then left out: no command sees it.
        if is_candidate {
            continue;
        }
        if let (Some(date), Some(title)) = (date, title) {
            h.events.push(TalksEvent { date, title, parties, issues, evidence: ev });
        }
    }
    h
}

/// A list of ids (`parties`, `issues`), each resolved.
fn ids(
    cx: &mut Cx<'_>,
    t: &Tab<'_>,
    key: &str,
    resolve: impl Fn(&mut Cx<'_>, &crate::tree::Node, &str) -> Option<usize>,
) -> Vec<usize> {
    let Some(node) = t.get(key) else { return vec![] };
    let path = t.path(key);
    let Some(list) = items(cx, node, &path, None) else { return vec![] };
    let mut out = vec![];
    for (k, n) in list.iter().enumerate() {
        if let Some(i) = resolve(cx, n, &format!("{path}[{k}]"))
            && !out.contains(&i)
        {
            out.push(i);
        }
    }
    out
}

/// A revision's sources must not be later than it: a stance cannot be known to change from
/// what was published after the day (an event may be reported the day after it happened) (a source dated by month or year only is later when its
/// first day is).
fn source_dates(
    cx: &mut Cx<'_>,
    t: &Tab<'_>,
    read: &Read,
    date: &str,
    ev: &[Evidence],
    what: &str,
) {
    let Some(d) = day(date) else { return };
    let nodes: Vec<&crate::tree::Node> = t
        .get("evidence")
        .and_then(|n| match &n.kind {
            Kind::Array(items) => Some(items.iter().collect()),
            _ => None,
        })
        .unwrap_or_default();
    for (k, e) in ev.iter().enumerate() {
        let Some(source) = read.sources.get(e.source) else { continue };
        let Some(sdate) = source.date.as_deref() else { continue };
        let Some((first, _)) = date_span(sdate) else { continue };
        if first > d {
            let at = nodes.get(k).map_or(t.start, |n| n.span.start);
            cx.push(
                at,
                &format!("{}[{k}].source", t.path("evidence")),
                ProblemKind::Date,
                format!(
                    "this {what} is dated {date} but its source {} is dated {sdate}, later: date the {what} on or after its source",
                    source.id
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, parse, parse_auto, to_json, to_toml};

    const BASE: &str = r#"
version = 1
[scenario]
name = "toy"
title = "Toy"
as_of = "2025-12-03"

[[parties]]
id = "a"
name = "A"
role = "principal"
reservation = 0.4

[[parties]]
id = "b"
name = "B"
role = "principal"

[[issues]]
id = "land"
name = "Land"
options = [{ id = "keep", label = "Keep" }, { id = "cede", label = "Cede" }]

[[stances]]
party = "a"
issue = "land"
weight = 1
values = { keep = 1.0, cede = 0.0 }

[[proposals]]
id = "d1"
title = "Draft"
date = "2025-11-20"
terms = { land = "cede" }

[[sources]]
id = "S1"
title = "Statement"
date = "2025-12-16"
"#;

    const HISTORY: &str = r#"
[[revisions]]
party = "a"
issue = "land"
date = "2025-12-16"
red_lines = [{ forbid = ["cede"], reason = "no" }]
summary = "Hardened"
evidence = [{ source = "S1", note = "said so" }]

[[revisions]]
party = "a"
date = "2025-12-16"
reservation = 0.5
evidence = [{ source = "S1" }]

[[events]]
date = "2025-12-16"
title = "A statement"
parties = ["a"]
issues = ["land"]
evidence = [{ source = "S1" }]
"#;

    #[test]
    fn history_reads_and_round_trips() {
        let text = format!("{BASE}{HISTORY}");
        let s = parse("toy.toml", text.as_bytes(), Format::Toml).unwrap();
        assert_eq!(s.history().revisions.len(), 2);
        assert_eq!(s.history().events.len(), 1);
        assert_eq!(s.history().revisions[1].reservation, Some(0.5));
        assert_eq!(parse_auto("toy.json", to_json(&s).as_bytes()).unwrap(), s);
        assert_eq!(parse_auto("toy.toml", to_toml(&s).as_bytes()).unwrap(), s);
        // A file without history reads as before.
        let v1 = parse("toy.toml", BASE.as_bytes(), Format::Toml).unwrap();
        assert!(v1.history().is_empty());
    }

    fn problems(text: &str) -> Vec<String> {
        let err = parse("toy.toml", text.as_bytes(), Format::Toml).unwrap_err();
        err.problems().iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn dates_are_checked_and_located() {
        let early = HISTORY.replacen("date = \"2025-12-16\"", "date = \"2025-12-10\"", 1);
        let p = problems(&format!("{BASE}{early}"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("toy.toml:") && p[0].contains("revisions[0].evidence[0].source: this revision is dated 2025-12-10 but its source S1 is dated 2025-12-16"),
            "{p:?}"
        );
        let later = format!(
            "{BASE}\n[[proposals]]\nid = \"d0\"\ntitle = \"Earlier\"\ndate = \"2025-11-01\"\namends = \"d1\"\nterms = {{}}\n"
        );
        let p = problems(&later);
        assert!(p.iter().any(|x| x.contains("proposals[1].amends: proposal d0 of 2025-11-01 amends d1 of 2025-11-20, a later one")), "{p:?}");
    }

    #[test]
    fn bad_revisions_are_located() {
        let bad = HISTORY.replace("reservation = 0.5", "reservation = 0.5\nweight = 2").replacen(
            "issue = \"land\"\n",
            "issue = \"sea\"\n",
            1,
        );
        let p = problems(&format!("{BASE}{bad}"));
        assert!(p.iter().any(|x| x.contains("revisions[0].issue: unknown issue \"sea\"")), "{p:?}");
        assert!(
            p.iter().any(|x| x.contains("revisions[1].weight: weight belongs to a stance")),
            "{p:?}"
        );
        let nothing = "\n[[revisions]]\nparty = \"a\"\nissue = \"land\"\ndate = \"2025-12-16\"\n";
        let p = problems(&format!("{BASE}{nothing}"));
        assert!(p.iter().any(|x| x.contains("a revision changes nothing")), "{p:?}");
        assert!(p.iter().any(|x| x.contains("missing field \"evidence\"")), "{p:?}");
    }

    const CANDIDATES: &str = r#"
[[sources]]
id = "ART"
title = "An article"
date = "2025-12-17"
candidate = true

[[events]]
candidate = true
date = "2025-12-17"
title = "A said no"
parties = ["a"]
issues = ["land"]
evidence = [{ source = "ART", note = "\u201cno\u201d" }]
"#;

    #[test]
    fn unconfirmed_candidates_are_checked_and_left_out() {
        let plain = parse("toy.toml", format!("{BASE}{HISTORY}").as_bytes(), Format::Toml).unwrap();
        let with = format!("{BASE}{HISTORY}{CANDIDATES}");
        let s = parse("toy.toml", with.as_bytes(), Format::Toml).unwrap();
        assert_eq!(s, plain, "an unconfirmed candidate (and its source) changes nothing");
        // Confirming the event alone cites a source that is still a candidate.
        let half = with.replacen(
            "candidate = true
date",
            "date",
            1,
        );
        let p = problems(&half);
        assert!(
            p.iter().any(|x| x.contains(
                "events[1].evidence[0].source: source \"ART\" is an unconfirmed candidate"
            )),
            "{p:?}"
        );
        // Confirming both: one more source and one more event.
        let both = with.replace("candidate = true\n", "");
        let s = parse("toy.toml", both.as_bytes(), Format::Toml).unwrap();
        assert_eq!((s.sources().len(), s.history().events.len()), (2, 2));
        // A candidate is checked like the rest: an unknown party is located.
        let bad = with.replace("parties = [\"a\"]\nissues", "parties = [\"z\"]\nissues");
        let p = problems(&bad);
        assert!(p.iter().any(|x| x.contains("events[1].parties[0]: unknown party \"z\"")), "{p:?}");
        let p = problems(&with.replacen("candidate = true", "candidate = \"yes\"", 1));
        assert!(p.iter().any(|x| x.contains("sources[1].candidate: must be true")), "{p:?}");
    }

    #[test]
    fn aliases_read_round_trip_and_are_checked() {
        let text = BASE
            .replacen(
                "name = \"A\"\n",
                "name = \"A\"\naliases = [\"the Kremlin\", \"Ushakov\"]\n",
                1,
            )
            .replacen("name = \"Land\"\n", "name = \"Land\"\naliases = [\"Donbas\"]\n", 1);
        let s = parse("toy.toml", text.as_bytes(), Format::Toml).unwrap();
        assert_eq!(s.parties()[0].aliases, ["the Kremlin", "Ushakov"]);
        assert_eq!(s.issues()[0].aliases, ["Donbas"]);
        assert_eq!(parse_auto("toy.json", to_json(&s).as_bytes()).unwrap(), s);
        assert_eq!(parse_auto("toy.toml", to_toml(&s).as_bytes()).unwrap(), s);
        let bad = text.replace("\"Ushakov\"]", "\"ushakov\", \"USHAKOV\", \" \"]");
        let p = problems(&bad);
        assert!(
            p.iter()
                .any(|x| x.contains("parties[0].aliases[2]: alias \"USHAKOV\" is listed twice")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|x| x.contains("parties[0].aliases[3]: an alias is a name or a keyword")),
            "{p:?}"
        );
    }
}
