//! The state a page is shown in, carried in its URL's query string so that a view can be
//! linked, bookmarked and reloaded: what-if edits (`set=PATH=VALUE`, read and checked as
//! `--set` is, by `detente_scenario::what_if`) and a revision of a draft (`revise=ID` with
//! `change=ISSUE=TERM` for each changed point, as `detente mediate` lists revisions), added
//! to the scenario as one more proposal. Both are size-limited and checked against the
//! scenario served; neither is ever a path.

use axum::http::StatusCode;
use detente_core::{Proposal, Scenario};

use super::guard::Refusal;
use super::pages::{esc, seg};
use crate::BadInput;

/// The most edits (`set`) and changes (`change`) a view takes, each.
pub const MAX_EDITS: usize = 64;

/// The longest edit or change, in bytes.
pub const MAX_EDIT_LEN: usize = 300;

/// The parameters that make a view (every page takes them besides its own).
pub const VIEW_KEYS: &[&str] = &["set", "revise", "change"];

/// A view's edits and revision, as given (checked against the scenario by [`View::apply`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    /// What-if settings, `PATH=VALUE`, in order.
    pub sets: Vec<String>,
    /// The draft revised.
    pub revise: Option<String>,
    /// The revision's changes, `ISSUE=TERM`.
    pub changes: Vec<String>,
}

/// A page's query: the view and the page's own parameters (each at most once).
pub struct Query {
    pub view: View,
    own: Vec<(String, String)>,
}

impl Query {
    /// Reads a query's pairs: the view's (`set` and `change` repeatable, at most
    /// [`MAX_EDITS`] of [`MAX_EDIT_LEN`] bytes each) and the page's own (`takes`, each once).
    pub fn read(pairs: Vec<(String, String)>, takes: &[&str]) -> Result<Query, Refusal> {
        let bad = |m: String| Refusal::new(StatusCode::BAD_REQUEST, m);
        let mut view = View::default();
        let mut own: Vec<(String, String)> = vec![];
        for (key, value) in pairs {
            match key.as_str() {
                "set" | "change" => {
                    if value.len() > MAX_EDIT_LEN {
                        return Err(bad(format!(
                            "{key} {}: longer than the {MAX_EDIT_LEN} bytes an edit may be",
                            super::served::cut(&value)
                        )));
                    }
                    let list = if key == "set" { &mut view.sets } else { &mut view.changes };
                    if list.len() == MAX_EDITS {
                        return Err(bad(format!(
                            "more than {MAX_EDITS} {key} parameters (a view takes at most {MAX_EDITS} of each)"
                        )));
                    }
                    // An empty edit (a form's blank field) is no edit.
                    if !value.trim().is_empty() {
                        list.push(value.trim().to_string());
                    }
                }
                "revise" if view.revise.is_some() => {
                    return Err(bad("parameter \"revise\" is given twice".to_string()));
                }
                "revise" => view.revise = Some(value),
                k if takes.contains(&k) => {
                    if own.iter().any(|(o, _)| *o == key) {
                        return Err(bad(format!("parameter {key:?} is given twice")));
                    }
                    own.push((key, value));
                }
                _ => {
                    let mut all: Vec<&str> = takes.to_vec();
                    all.extend_from_slice(VIEW_KEYS);
                    return Err(bad(format!(
                        "unknown parameter {:?} (this page takes: {})",
                        super::served::cut(&key),
                        all.join(", ")
                    )));
                }
            }
        }
        if view.revise.is_none() && !view.changes.is_empty() {
            return Err(bad("change goes with revise=PROPOSAL (the draft it revises)".into()));
        }
        Ok(Query { view, own })
    }

    /// The value of one of the page's own parameters, if given (a blank one is not given).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.own.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str())
    }
}

/// A scenario as a view shows it.
pub struct Viewed {
    /// The scenario with the edits made and the revision added.
    pub s: Scenario,
    /// The edits as `detente --set` says them (`What-if: russia.reservation 0.60 -> 0.50.`),
    /// or `None` without edits.
    pub what_if: Option<String>,
    /// The revised draft's index in `s`.
    pub revision: Option<usize>,
}

impl View {
    /// Whether the view is the scenario as served.
    pub fn is_plain(&self) -> bool {
        self.sets.is_empty() && self.revise.is_none()
    }

    /// The scenario with the edits made (checked as `--set` checks them) and the revision
    /// added as a proposal amending the draft it revises (each change an option id, a grid
    /// value or `open`, checked as a `--set` of that draft's term would be). Every problem
    /// is bad input, in words naming the edit.
    pub fn apply(&self, s: &Scenario) -> Result<Viewed, BadInput> {
        let (s, what_if) = if self.sets.is_empty() {
            (s.clone(), None)
        } else {
            let (s, shown) = crate::what_if::apply(s.clone(), &self.sets).map_err(|e| {
                BadInput(e.0.replace("\ndetente: --set ", "\nset ").replacen("--set ", "set ", 1))
            })?;
            (s, Some(shown.line()))
        };
        let Some(from_id) = &self.revise else { return Ok(Viewed { s, what_if, revision: None }) };
        let from =
            crate::load::proposal(&s, from_id).map_err(|e| BadInput(format!("revise: {}", e.0)))?;
        let texts: Vec<String> = self.changes.iter().map(|c| format!("{from_id}.{c}")).collect();
        let changed = detente_scenario::what_if::apply_texts(s.clone(), &texts).map_err(|e| {
            let lines: Vec<String> = e
                .problems()
                .iter()
                .map(|p| {
                    let given = p.file.strip_prefix("--set ").unwrap_or(&p.file);
                    let given = given.strip_prefix(&format!("{from_id}.")).unwrap_or(given);
                    format!("change {given}: {}", p.message)
                })
                .collect();
            BadInput(lines.join("\n"))
        })?;
        let terms = changed.scenario.proposals()[from].terms.clone();
        let base = &s.proposals()[from];
        let stated: Vec<bool> = terms.iter().zip(&base.terms).map(|(a, b)| a != b).collect();
        let n = stated.iter().filter(|&&x| x).count();
        let mut id = format!("{from_id}-revised");
        let mut k = 2;
        while s.proposal_index(&id).is_some() {
            id = format!("{from_id}-revised-{k}");
            k += 1;
        }
        let proposal = Proposal {
            id,
            title: format!(
                "{}, revised ({})",
                base.title,
                detente_words::count(n, "change", "changes")
            ),
            author: None,
            date: None,
            amends: Some(from),
            terms,
            stated,
            description: None,
        };
        let revision = s.proposals().len();
        let s = s
            .edit(|parts| parts.proposals.push(proposal))
            .map_err(|e| BadInput(format!("revise {from_id}: {e}")))?;
        Ok(Viewed { s, what_if, revision: Some(revision) })
    }

    /// The view's query pairs, in order.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> =
            self.sets.iter().map(|x| ("set", x.as_str())).collect();
        if let Some(r) = &self.revise {
            out.push(("revise", r));
            out.extend(self.changes.iter().map(|x| ("change", x.as_str())));
        }
        out
    }

    /// A link to `path` in this view with the page's own parameters `extra` first, ready
    /// for an `href` attribute (percent-encoded and HTML-escaped).
    pub fn href(&self, path: &str, extra: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = extra
            .iter()
            .copied()
            .chain(self.pairs())
            .map(|(k, v)| format!("{k}={}", seg(v)))
            .collect();
        if pairs.is_empty() { esc(path) } else { esc(&format!("{path}?{}", pairs.join("&"))) }
    }

    /// The view as hidden form fields (a form's GET keeps the view).
    pub fn hidden(&self) -> String {
        self.pairs()
            .into_iter()
            .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v)))
            .collect()
    }
}

/// The changes of a revision as a view's `change` values (`ISSUE=OPTION`).
pub fn change_params(s: &Scenario, changes: &[detente_analysis::Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("{}={}", s.issues()[c.issue].id, s.issues()[c.issue].option_id(c.after)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn tutorial() -> Scenario {
        detente_scenario::shipped::load("tutorial").unwrap().unwrap()
    }

    #[test]
    fn a_query_is_read_and_limited() {
        let q = Query::read(
            pairs(&[("set", "lowland.reservation=0.5"), ("from", "a"), ("set", " ")]),
            &["from"],
        )
        .unwrap();
        assert_eq!(q.view.sets, ["lowland.reservation=0.5"]);
        assert_eq!(q.get("from"), Some("a"));
        let e = Query::read(pairs(&[("x", "1")]), &["from"]).err().unwrap();
        assert!(
            e.message()
                .contains("unknown parameter \"x\" (this page takes: from, set, revise, change)"),
            "{}",
            e.message()
        );
        let long = "x".repeat(MAX_EDIT_LEN + 1);
        let e = Query::read(pairs(&[("set", &long)]), &[]).err().unwrap();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let many: Vec<(&str, &str)> = vec![("set", "a=1"); MAX_EDITS + 1];
        let e = Query::read(pairs(&many), &[]).err().unwrap();
        assert!(e.message().starts_with("more than 64 set parameters"), "{}", e.message());
        let e = Query::read(pairs(&[("change", "dam=none")]), &[]).err().unwrap();
        assert!(e.message().contains("goes with revise"), "{}", e.message());
    }

    #[test]
    fn edits_and_a_revision_are_checked_against_the_scenario() {
        let view = View {
            sets: vec!["lowland.reservation=0.5".into()],
            revise: Some("commission-draft".into()),
            changes: vec!["dam=upland-only".into()],
        };
        let v = view.apply(&tutorial()).unwrap();
        assert_eq!(v.what_if.as_deref(), Some("What-if: lowland.reservation 0.35 -> 0.50."));
        let r = v.revision.unwrap();
        let p = &v.s.proposals()[r];
        assert_eq!(p.id, "commission-draft-revised");
        assert_eq!(p.stated.iter().filter(|&&x| x).count(), 1);
        assert_eq!(v.s.parties()[1].reservation, 0.5);
        let bad = View { changes: vec!["dam=nowhere".into()], ..view.clone() };
        let e = bad.apply(&tutorial()).err().unwrap().0;
        assert!(e.starts_with("change dam=nowhere: unknown option \"nowhere\""), "{e}");
        let bad = View { sets: vec!["lowland.reservation=2".into()], ..View::default() };
        let e = bad.apply(&tutorial()).err().unwrap().0;
        assert!(e.starts_with("set lowland.reservation=2: "), "{e}");
        let bad = View { revise: Some("nope".into()), ..View::default() };
        let e = bad.apply(&tutorial()).err().unwrap().0;
        assert!(e.starts_with("revise: unknown proposal \"nope\""), "{e}");
        assert_eq!(
            view.href("/scenarios/tutorial", &[("from", "a b")]),
            "/scenarios/tutorial?from=a%20b&amp;set=lowland.reservation%3D0.5&amp;revise=commission-draft&amp;change=dam%3Dupland-only"
        );
    }
}
