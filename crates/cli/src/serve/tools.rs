//! The mediator's tools, as pages: compare two proposals (page 3), the ranked revisions of
//! a draft (page 4), what-if edits (page 5) and the frontier with the bargaining solutions
//! (page 6). Each computes with the library calls of its command (so its numbers are those
//! of the command's `--json`) and writes with the CLI's words.

use std::fmt::Write as _;

use detente_analysis::{self as analysis, MediateOptions, Objective, RedLineState, Revision};
use detente_core::Scenario;
use detente_words::{count, num, range, signed_range};
use serde_json::Value;

use super::pages::{esc, seg};
use super::render::{self, Mark, data_num, delta_class, proposal_href};
use super::view::{self, View, Viewed};
use crate::BadInput;
use crate::json as j;
use crate::prose::{proposal_line, term_cell, verdict_cell};

/// `<option>`s of the proposals, `selected` chosen.
fn proposal_options(s: &Scenario, selected: usize) -> String {
    let mut b = String::new();
    for (j, p) in s.proposals().iter().enumerate() {
        let _ = write!(
            b,
            "<option value=\"{}\"{}>{}</option>",
            esc(&p.id),
            if j == selected { " selected" } else { "" },
            esc(&p.id)
        );
    }
    b
}

/// The draft a page starts from when none is named: the last proposal of the file (not
/// the view's revision).
fn last_draft(v: &Viewed) -> usize {
    v.s.proposals().len() - 1 - usize::from(v.revision.is_some())
}

/// Page 3: what `to` changes against `from` (default: the last proposal against the one it
/// amends, or the first), in the numbers of `detente compare --json`.
pub fn compare(
    name: &str,
    v: &Viewed,
    view: &View,
    from: Option<&str>,
    to: Option<&str>,
) -> anyhow::Result<(String, String)> {
    let s = &v.s;
    let title = format!("Compare: {}", s.meta().title);
    let mut b = String::from("<h1>Compare two proposals</h1>\n");
    let n = s.proposals().len();
    if n < 2 && (from.is_none() || to.is_none()) {
        b.push_str("<p>The scenario has fewer than two proposals to compare.</p>\n");
        return Ok((title, b));
    }
    let to = match to {
        Some(id) => crate::load::proposal(s, id)?,
        None => v.revision.unwrap_or(n - 1),
    };
    let from = match from {
        Some(id) => crate::load::proposal(s, id)?,
        None => s.proposals()[to].amends.unwrap_or(if to == 0 { 1 } else { 0 }),
    };
    let c = analysis::compare(s, from, to)?;
    let sure = render::shares_for(s, &[from, to])?;
    let _ = writeln!(
        b,
        "<form method=\"get\" action=\"/scenarios/{}/compare\">{}<label>from <select name=\"from\">{}</select></label> <label>to <select name=\"to\">{}</select></label> <button>Compare</button></form>",
        seg(name),
        view.hidden(),
        proposal_options(s, from),
        proposal_options(s, to)
    );
    let _ = writeln!(
        b,
        "<p>From <a href=\"{}\">{}</a><br>to <a href=\"{}\">{}</a></p>",
        proposal_href(name, &s.proposals()[from].id, view),
        esc(&proposal_line(s, from)),
        proposal_href(name, &s.proposals()[to].id, view),
        esc(&proposal_line(s, to))
    );
    b.push_str("<h2>Who gains, who moves</h2>\n<ul class=\"sentences\">\n");
    for line in crate::compare::words(s, &c) {
        let _ = writeln!(b, "<li>{}</li>", esc(&line));
    }
    b.push_str("</ul>\n<table class=\"moves\"><tr><th>party</th><th>before</th><th>after</th><th>change</th><th>movement</th></tr>\n");
    for pc in &c.parties {
        let movement = j::movement(pc.movement);
        let share_before = render::share_of(&sure, from, pc.party, pc.before.verdict);
        let share_after = render::share_of(&sure, to, pc.party, pc.after.verdict);
        let _ = writeln!(
            b,
            "<tr data-party=\"{}\" data-before=\"{}\" data-after=\"{}\" data-delta=\"{} {}\" data-movement=\"{movement}\"><th>{}</th><td class=\"{}\">{}{}</td><td class=\"{}\">{}{}</td><td class=\"{} num\">{}</td><td>{}</td></tr>",
            esc(&s.parties()[pc.party].id),
            j::verdict(pc.before.verdict),
            j::verdict(pc.after.verdict),
            data_num(pc.delta_min),
            data_num(pc.delta_max),
            esc(&s.parties()[pc.party].name),
            j::verdict(pc.before.verdict),
            esc(&verdict_cell(&pc.before)),
            share_before.unwrap_or_default(),
            j::verdict(pc.after.verdict),
            esc(&verdict_cell(&pc.after)),
            share_after.unwrap_or_default(),
            delta_class(pc.delta_min, pc.delta_max),
            esc(&signed_range(pc.delta_min, pc.delta_max)),
            esc(&movement.replace('_', " "))
        );
    }
    let _ = writeln!(
        b,
        "</table>\n<p class=\"note\">The verdict and utility on each text (✗n: n points cross the party's red lines) with the share of {} draws of the estimates' ranges (seed 0) that give it, as <code>detente analyze</code> counts it; and the change of utility.</p>",
        sure.draws
    );
    let _ = writeln!(b, "<h2>What changed: {}</h2>", count(c.changes.len(), "point", "points"));
    if c.changes.is_empty() {
        b.push_str("<p>The two proposals set every point the same way.</p>\n");
    } else {
        b.push_str("<p class=\"note\">Each point that changes, and the change of each party's utility it makes.</p>\n<div class=\"scroll\"><table class=\"changes\"><tr><th>point</th><th>before</th><th>after</th>");
        for p in s.parties() {
            let _ = write!(b, "<th>{}</th>", esc(&p.id));
        }
        b.push_str("</tr>\n");
        for ch in &c.changes {
            let issue = &s.issues()[ch.issue];
            let _ = write!(
                b,
                "<tr data-issue=\"{}\"><th title=\"{}\">{}</th><td>{}</td><td>{}</td>",
                esc(&issue.id),
                esc(&issue.name),
                esc(&issue.id),
                esc(&term_cell(s, ch.issue, ch.before)),
                esc(&term_cell(s, ch.issue, ch.after))
            );
            for &(lo, hi) in &ch.deltas {
                let _ = write!(
                    b,
                    "<td class=\"{} num\">{}</td>",
                    delta_class(lo, hi),
                    esc(&signed_range(lo, hi))
                );
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</table></div>\n");
    }
    Ok((title, b))
}

/// The revisions a page lists (`top`), as `detente mediate` lists them by default.
pub const MEDIATE_TOP: usize = 3;

/// The draws behind each revision's share of draws in which every counted party accepts
/// (as `detente mediate --min-probability 0` with its default samples and seed).
pub const MEDIATE_SAMPLES: u64 = crate::mediate::DEFAULT_SAMPLES;

/// Page 4: the ranked revisions of a draft (`detente mediate --from ID [--max-changes K]`),
/// each with the share of draws in which every counted party accepts it, and links that show
/// it in the other pages.
pub fn mediate(
    name: &str,
    v: &Viewed,
    view: &View,
    from: Option<&str>,
    max_changes: Option<&str>,
) -> anyhow::Result<(String, String)> {
    let s = &v.s;
    let title = format!("Mediate: {}", s.meta().title);
    let mut b = String::from("<h1>Mediate: the revisions that narrow the gap</h1>\n");
    if s.proposals().is_empty() {
        b.push_str("<p>No proposals on the table to revise.</p>\n");
        return Ok((title, b));
    }
    let from = match from {
        Some(id) => crate::load::proposal(s, id)?,
        None => last_draft(v),
    };
    let max_changes = match max_changes {
        None => None,
        Some(k) => Some(k.parse::<usize>().map_err(|_| {
            BadInput(format!(
                "max_changes: invalid value {:?}: not a whole number",
                super::served::cut(k)
            ))
        })?),
    };
    crate::mediate::check_max_changes(s, max_changes)?;
    let parties = crate::load::parties(s, None)?;
    let options = MediateOptions {
        objective: Objective::FewestChanges,
        max_changes,
        top: MEDIATE_TOP,
        budget: Some(analysis::DEFAULT_BUDGET),
        parties: Some(parties.clone()),
        power: None,
    };
    let m = analysis::mediate(s, from, &options).map_err(|e| BadInput(e.to_string()))?;
    let words = analysis::mediation_words(s, &m);
    let _ = writeln!(
        b,
        "<form method=\"get\" action=\"/scenarios/{}/mediate\">{}<label>revise <select name=\"from\">{}</select></label> <label>at most <input name=\"max_changes\" size=\"3\" inputmode=\"numeric\" value=\"{}\"> changes</label> <button>Mediate</button></form>",
        seg(name),
        view.hidden(),
        proposal_options(s, from),
        max_changes.map(|k| k.to_string()).unwrap_or_default()
    );
    let _ = writeln!(
        b,
        "<p>Revising <a href=\"{}\">{}</a>, the fewest changes first, within {}; counted: {}.</p>",
        proposal_href(name, &s.proposals()[from].id, view),
        esc(&proposal_line(s, from)),
        count(m.max_changes, "change", "changes"),
        esc(&crate::prose::counted_words(s, &m.parties))
    );
    let _ = writeln!(
        b,
        "<p class=\"exact {}\" data-exact=\"{}\">{}</p>",
        if m.exact { "yes" } else { "no" },
        m.exact,
        crate::mediate::exact_sentence(m.exact, m.budget)
    );
    let listed: Vec<(&str, &Revision)> = if m.revisions.is_empty() {
        m.closest.iter().map(|r| ("The closest revision (no revision is accepted)", r)).collect()
    } else {
        m.revisions.iter().map(|r| ("", r)).collect()
    };
    let drafts: Vec<Vec<detente_core::Term>> =
        listed.iter().map(|(_, r)| r.terms.clone()).collect();
    let shares = detente_robust::drafts::all_accept(s, &drafts, &m.parties, MEDIATE_SAMPLES, 0)?;
    b.push_str("<ol class=\"revisions\">\n");
    for (k, ((head, r), share)) in listed.iter().zip(&shares).enumerate() {
        revision_item(&mut b, name, s, view, from, k, head, r, (*share, MEDIATE_SAMPLES));
    }
    b.push_str("</ol>\n");
    b.push_str("<h2>In words</h2>\n");
    for line in &words {
        let _ = writeln!(b, "<p>{}</p>", esc(line));
    }
    Ok((title, b))
}

/// One revision of page 4: its changes, each party before and after, how likely every
/// counted party is to accept it, and links to it in the other pages.
#[allow(clippy::too_many_arguments)]
fn revision_item(
    b: &mut String,
    name: &str,
    s: &Scenario,
    view: &View,
    from: usize,
    k: usize,
    head: &str,
    r: &Revision,
    (accepting, draws): (u64, u64),
) {
    let shown = View {
        sets: view.sets.clone(),
        revise: Some(s.proposals()[from].id.clone()),
        changes: view::change_params(s, &r.changes),
    };
    // The revision's id once added to the scenario (as `View::apply` names it).
    let id = {
        let from_id = &s.proposals()[from].id;
        let mut id = format!("{from_id}-revised");
        let mut n = 2;
        while s.proposal_index(&id).is_some() {
            id = format!("{from_id}-revised-{n}");
            n += 1;
        }
        id
    };
    let _ = write!(b, "<li class=\"revision\" data-rank=\"{}\">", k + 1);
    if !head.is_empty() {
        let _ = write!(b, "<p><strong>{}</strong></p>", esc(head));
    }
    let crossed: Vec<String> = r
        .red_lines
        .iter()
        .filter(|m| m.after == RedLineState::Crossed)
        .map(|m| {
            format!("{} on {}", s.parties()[m.red_line.party].id, s.issues()[m.red_line.issue].id)
        })
        .collect();
    let _ = write!(
        b,
        "<p>{}: {}. Red lines crossed: {}. Every counted party accepts it in <span class=\"share\" data-count=\"{accepting}\" data-samples=\"{draws}\">{} of {} draws</span> of the estimates' ranges (seed 0).</p>",
        count(r.changes.len(), "change", "changes"),
        esc(&r
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{} {} → {}",
                    s.issues()[c.issue].id,
                    term_cell(s, c.issue, c.before),
                    s.issues()[c.issue].option_id(c.after)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")),
        if crossed.is_empty() { "none".to_string() } else { esc(&crossed.join(", ")) },
        crate::robust::percent(accepting, draws),
        draws
    );
    b.push_str("<table class=\"moves\"><tr><th>party</th><th>before</th><th>after</th><th>remaining gap</th></tr>\n");
    for (p, party) in s.parties().iter().enumerate() {
        let before = j::verdict(r.verdicts_before[p]);
        let after = j::verdict(r.verdicts_after[p]);
        let gap = if r.shortfalls[p] > 0.0 {
            range(r.shortfalls_best[p], r.shortfalls[p])
        } else {
            "-".to_string()
        };
        let _ = writeln!(
            b,
            "<tr data-party=\"{}\" data-before=\"{before}\" data-after=\"{after}\"><th>{}</th><td class=\"{before}\">{before} {}</td><td class=\"{after}\">{after} {}</td><td class=\"num\">{}</td></tr>",
            esc(&party.id),
            esc(&party.name),
            range(r.utilities_before[p].0, r.utilities_before[p].1),
            range(r.utilities_after[p].0, r.utilities_after[p].1),
            esc(&gap)
        );
    }
    let _ = writeln!(
        b,
        "</table><p class=\"links\">Show it: <a class=\"show\" href=\"{}\">in the overview</a> · <a href=\"{}\">as a heat map</a> · <a href=\"{}\">compared with {}</a> · <a href=\"{}\">edit it (what-if)</a></p></li>",
        shown.href(&format!("/scenarios/{}", seg(name)), &[]),
        proposal_href(name, &id, &shown),
        shown.href(
            &format!("/scenarios/{}/compare", seg(name)),
            &[("from", &s.proposals()[from].id), ("to", &id)]
        ),
        esc(&s.proposals()[from].id),
        shown.href(&format!("/scenarios/{}/what-if", seg(name)), &[]),
    );
}

/// The edits page 5's forms give, as `set` values: `(fields, how the setting is written)`.
const FORMS: &[(&[&str], &str)] = &[
    (&["term_proposal", "term_issue", "term"], "{0}.{1}={2}"),
    (&["reservation_party", "reservation"], "{0}.reservation={1}"),
    (&["weight_party", "weight_issue", "weight"], "{0}.{1}.weight={2}"),
    (&["value_party", "value_issue", "value_option", "value"], "{0}.{1}.{2}={3}"),
    (&["red_lines_party", "red_lines_issue"], "{0}.{1}.red_lines=none"),
];

/// Turns page 5's form fields into `set` parameters (a form with a blank field is no
/// edit), leaving every other pair as it is, so that the page's URL and its links carry
/// the edits in one form.
pub fn compose(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut fields: Vec<(String, String)> = vec![];
    for (k, v) in pairs {
        if FORMS.iter().any(|(names, _)| names.contains(&k.as_str())) {
            fields.push((k, v));
        } else {
            out.push((k, v));
        }
    }
    for (names, pattern) in FORMS {
        let values: Vec<Option<&str>> = names
            .iter()
            .map(|n| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim()))
            .collect();
        if values.iter().all(|v| v.is_some_and(|v| !v.is_empty())) {
            let mut set = pattern.to_string();
            for (k, v) in values.iter().enumerate() {
                set = set.replace(&format!("{{{k}}}"), v.unwrap_or_default());
            }
            out.push(("set".to_string(), set));
        }
    }
    out
}

/// `<option>`s of ids.
fn id_options<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|id| format!("<option>{}</option>", esc(id))).collect()
}

/// Page 5's forms, each adding one edit to the view.
fn what_if_forms(b: &mut String, name: &str, s: &Scenario, view: &View) {
    let parties = id_options(s.parties().iter().map(|p| p.id.as_str()));
    let issues = id_options(s.issues().iter().map(|i| i.id.as_str()));
    let proposals = id_options(s.proposals().iter().map(|p| p.id.as_str()));
    // The points some party holds a red line on.
    let red_issues = id_options(s.issues().iter().enumerate().filter_map(|(i, issue)| {
        (0..s.parties().len())
            .any(|p| s.stance(p, i).is_some_and(|st| !st.red_lines.is_empty()))
            .then_some(issue.id.as_str())
    }));
    let action = format!("/scenarios/{}/what-if", seg(name));
    let hidden = view.hidden();
    let _ = writeln!(
        b,
        "<div class=\"forms\">\
<form method=\"get\" action=\"{action}\">{hidden}<p><strong>A draft's term</strong></p><select name=\"term_proposal\">{proposals}</select> <select name=\"term_issue\">{issues}</select> <input name=\"term\" size=\"18\" placeholder=\"option id, value or open\" maxlength=\"200\"> <button>Set</button></form>\
<form method=\"get\" action=\"{action}\">{hidden}<p><strong>A party's reservation</strong></p><select name=\"reservation_party\">{parties}</select> <input name=\"reservation\" size=\"6\" placeholder=\"0 to 1\" maxlength=\"40\"> <button>Set</button></form>\
<form method=\"get\" action=\"{action}\">{hidden}<p><strong>A party's weight on a point</strong></p><select name=\"weight_party\">{parties}</select> <select name=\"weight_issue\">{issues}</select> <input name=\"weight\" size=\"6\" placeholder=\"weight\" maxlength=\"40\"> <button>Set</button></form>\
<form method=\"get\" action=\"{action}\">{hidden}<p><strong>A party's value of an option</strong></p><select name=\"value_party\">{parties}</select> <select name=\"value_issue\">{issues}</select> <input name=\"value_option\" size=\"14\" placeholder=\"option id\" maxlength=\"100\"> <input name=\"value\" size=\"6\" placeholder=\"0 to 1\" maxlength=\"40\"> <button>Set</button></form>\
<form method=\"get\" action=\"{action}\">{hidden}<p><strong>A party's red lines on a point</strong></p><select name=\"red_lines_party\">{parties}</select> <select name=\"red_lines_issue\">{red_issues}</select> <button>Drop them</button></form>\
<form method=\"get\" action=\"{action}\">{hidden}<p><strong>Any setting</strong> (<code>PATH=VALUE</code>, as <code>detente --set</code>)</p><input name=\"set\" size=\"34\" placeholder=\"party.issue.red_lines=none\" maxlength=\"300\"> <button>Set</button></form>\
</div>"
    );
}

/// The edits of a view, each with a link that takes it back.
fn edit_list(b: &mut String, name: &str, view: &View) {
    if view.sets.is_empty() {
        b.push_str("<p>No edit yet: the scenario as served.</p>\n");
        return;
    }
    b.push_str("<ul class=\"edits\">\n");
    for (k, set) in view.sets.iter().enumerate() {
        let mut without = view.clone();
        without.sets.remove(k);
        let _ = writeln!(
            b,
            "<li><code>{}</code> <a href=\"{}\">take back</a></li>",
            esc(set),
            without.href(&format!("/scenarios/{}/what-if", seg(name)), &[])
        );
    }
    b.push_str("</ul>\n");
}

/// Page 5: the forms, the edits made, the verdicts they change (against the scenario as
/// served) and the overview of the edited scenario.
pub fn what_if(
    name: &str,
    served: &Scenario,
    v: &Viewed,
    view: &View,
) -> anyhow::Result<(String, String)> {
    let s = &v.s;
    let mut b = String::from(
        "<h1>What if?</h1>\n<p class=\"note\">Each edit changes one estimate or term, checked as <code>detente --set</code> checks it; every page linked from here shows the edited scenario. Nothing is written on the server: \"Save as TOML\" downloads the edited file.</p>\n",
    );
    what_if_forms(&mut b, name, s, view);
    b.push_str("<h2>The edits</h2>\n");
    edit_list(&mut b, name, view);
    // The verdicts the edits change.
    if !view.sets.is_empty() && !served.proposals().is_empty() {
        b.push_str("<h2>The verdicts the edits change</h2>\n");
        let mut rows = String::new();
        for j in 0..served.proposals().len() {
            let before = analysis::evaluate(served, j)?;
            let after = analysis::evaluate(s, j)?;
            for (pb, pa) in before.parties.iter().zip(&after.parties) {
                if pb.verdict != pa.verdict {
                    let _ = writeln!(
                        rows,
                        "<tr data-proposal=\"{}\" data-party=\"{}\" data-before=\"{}\" data-after=\"{}\"><th>{}</th><th>{}</th><td class=\"{}\">{}</td><td class=\"{}\">{}</td></tr>",
                        esc(&served.proposals()[j].id),
                        esc(&served.parties()[pb.party].id),
                        j::verdict(pb.verdict),
                        j::verdict(pa.verdict),
                        esc(&served.proposals()[j].id),
                        esc(&served.parties()[pb.party].name),
                        j::verdict(pb.verdict),
                        esc(&verdict_cell(pb)),
                        j::verdict(pa.verdict),
                        esc(&verdict_cell(pa))
                    );
                }
            }
        }
        if rows.is_empty() {
            b.push_str("<p>No verdict changes.</p>\n");
        } else {
            let _ = write!(
                b,
                "<table class=\"moves\"><tr><th>proposal</th><th>party</th><th>as served</th><th>edited</th></tr>\n{rows}</table>\n"
            );
        }
    }
    // Without the shares of draws (the overview has them): a what-if answers at once.
    let (_, overview) = render::overview_with(name, s, view, None)?;
    b.push_str("<h2>The edited scenario</h2>\n");
    b.push_str(&overview.replacen("<h1>", "<h3 class=\"title\">", 1).replacen("</h1>", "</h3>", 1));
    Ok((format!("What-if: {}", s.meta().title), b))
}

/// Page 5 when an edit is refused: the message, the forms and the edits, so that the
/// edit can be fixed or taken back (the scenario as served underneath).
pub fn what_if_refused(name: &str, s: &Scenario, view: &View, message: &str) -> String {
    let mut b = String::from("<h1>What if?</h1>\n");
    let _ =
        writeln!(b, "<p class=\"error\" role=\"alert\">{}</p>", esc(message).replace('\n', "<br>"));
    what_if_forms(&mut b, name, s, &View::default());
    b.push_str("<h2>The edits</h2>\n");
    edit_list(&mut b, name, view);
    b
}

/// The colours of the four bargaining solutions.
const SOLUTIONS: [(&str, &str, &str); 4] = [
    ("nash", "Nash", "#d62728"),
    ("egalitarian", "egalitarian", "#2ca02c"),
    ("kalai_smorodinsky", "Kalai-Smorodinsky", "#9467bd"),
    ("max_welfare", "max welfare", "#ff7f0e"),
];

/// The points a frontier page plots at most (a uniform sample with seed 0, as `--sample`).
pub const FRONTIER_SAMPLE: usize = 300;

/// Page 6: the frontier of the counted parties and the four bargaining solutions, from the
/// JSON of `detente frontier NAME [--parties a,b] [--ignore-red-lines] --sample 300`: a
/// scatter for two parties, parallel coordinates for more; "not exact" where a search stopped.
pub fn frontier(
    name: &str,
    v: &Viewed,
    view: &View,
    parties: Option<&str>,
    ignore: Option<&str>,
) -> anyhow::Result<(String, String)> {
    let s = &v.s;
    let ids: Option<Vec<String>> = parties.map(|p| p.split(',').map(str::to_string).collect());
    let counted = crate::load::parties(s, ids.as_deref())?;
    let ignore_red_lines = match ignore {
        None | Some("no") => false,
        Some("yes") => true,
        Some(x) => {
            return Err(BadInput(format!(
                "ignore_red_lines: invalid value {:?}: yes or no",
                super::served::cut(x)
            ))
            .into());
        }
    };
    let args = crate::bargain::FrontierArgs {
        max_points: None,
        sample: Some(FRONTIER_SAMPLE),
        seed: 0,
        all: false,
        plot: None,
        parties: counted.clone(),
        ignore_red_lines,
        power: None,
    };
    let f = crate::printer::Report::json(&crate::bargain::frontier(s, &args)?);
    let title = format!("Frontier: {}", s.meta().title);
    let mut b = String::from("<h1>The Pareto frontier and the bargaining solutions</h1>\n");
    let party_ids: Vec<&str> = s.parties().iter().map(|p| p.id.as_str()).collect();
    let chosen: Vec<&str> = counted.iter().map(|&p| party_ids[p]).collect();
    let _ = writeln!(
        b,
        "<form method=\"get\" action=\"/scenarios/{}/frontier\">{}<label>parties <input name=\"parties\" size=\"30\" value=\"{}\" placeholder=\"{}\"></label> <label><input type=\"checkbox\" name=\"ignore_red_lines\" value=\"yes\"{}> set the red lines aside</label> <button>Show</button></form>",
        seg(name),
        view.hidden(),
        esc(&chosen.join(",")),
        esc(&party_ids.join(",")),
        if ignore_red_lines { " checked" } else { "" }
    );
    let names: Vec<&str> = counted.iter().map(|&p| s.parties()[p].name.as_str()).collect();
    let size = f["frontier_size"].as_u64().unwrap_or(0);
    let complete = f["frontier_complete"] == true;
    let exact = f["exact"] == true;
    let _ = writeln!(
        b,
        "<p>Counted: {}. The rational outcomes: every counted party at or above its reservation{}. The frontier has {}{}{}; {} plotted.</p>",
        esc(&crate::prose::counted_words(s, &counted)),
        if ignore_red_lines { ", the red lines set aside" } else { ", every red line kept" },
        if complete { "" } else { "at least " },
        count(size as usize, "point", "points"),
        if complete { "" } else { " (not exact: the enumeration stopped at its limit)" },
        count(f["frontier"].as_array().map_or(0, Vec::len), "point is", "points are")
    );
    let _ = writeln!(
        b,
        "<p class=\"exact {}\" data-exact=\"{exact}\">{}</p>",
        if exact { "yes" } else { "no" },
        if exact {
            "Exact: the frontier and every solution were found exactly."
        } else {
            "Not exact: a search stopped at its budget; the points marked \"not exact\" are the best found."
        }
    );
    let points: Vec<Vec<f64>> =
        f["frontier"].as_array().map(|a| a.iter().map(floats).collect()).unwrap_or_default();
    let reservations = floats(&f["reservations"]);
    // Each solution found: (its JSON key, label, colour, utilities, exact, note).
    type Solved<'a> = (&'a str, &'a str, &'a str, Vec<f64>, bool, Option<String>);
    let solved: Vec<Solved<'_>> = SOLUTIONS
        .iter()
        .filter_map(|&(key, label, colour)| {
            let sol = &f[key];
            let at = floats(&sol["utilities"]);
            let note = sol["note"].as_str().map(str::to_string);
            (!at.is_empty()).then(|| (key, label, colour, at, sol["exact"] == true, note))
        })
        .collect();
    let marks: Vec<Mark<'_>> = solved
        .iter()
        .map(|(_, label, colour, at, exact, _)| Mark { label, at, colour, exact: *exact })
        .collect();
    if points.is_empty() && marks.is_empty() {
        let _ = writeln!(
            b,
            "<p class=\"deal no\">No rational outcome: no outcome gives every counted party its reservation{}.{}</p>",
            if ignore_red_lines { "" } else { " and keeps every red line" },
            if ignore_red_lines {
                String::new()
            } else {
                format!(
                    " <a href=\"{}\">Set the red lines aside</a> to see what the reservations alone allow.",
                    view.href(
                        &format!("/scenarios/{}/frontier", seg(name)),
                        &[("parties", &chosen.join(",")), ("ignore_red_lines", "yes")]
                    )
                )
            }
        );
    } else if counted.len() == 2 {
        let pts: Vec<[f64; 2]> = points.iter().map(|p| [p[0], p[1]]).collect();
        b.push_str(&render::scatter_svg(
            [names[0], names[1]],
            &pts,
            [reservations[0], reservations[1]],
            &marks,
        ));
        b.push('\n');
    } else {
        b.push_str("<div class=\"scroll\">");
        b.push_str(&render::parallel_svg(&names, &points, &reservations, &marks));
        b.push_str("</div>\n");
    }
    if !solved.is_empty() {
        b.push_str("<table class=\"solutions\"><tr><th>solution</th>");
        for n in &names {
            let _ = write!(b, "<th>{}</th>", esc(n));
        }
        b.push_str("<th>exact</th></tr>\n");
        for (key, label, colour, at, exact, note) in &solved {
            // The utilities as the JSON writes them.
            let said: Vec<String> = f[*key]["utilities"]
                .as_array()
                .map(|a| a.iter().map(Value::to_string).collect())
                .unwrap_or_default();
            let _ = write!(
                b,
                "<tr data-solution=\"{key}\" data-utilities=\"{}\" data-exact=\"{exact}\"><th><span class=\"swatch\" style=\"background:{colour}\"></span>{}</th>",
                said.join(" "),
                esc(label)
            );
            for &x in at {
                let _ = write!(b, "<td class=\"num\">{}</td>", num(x));
            }
            let _ = writeln!(
                b,
                "<td>{}</td></tr>",
                if *exact {
                    "exact".to_string()
                } else {
                    format!(
                        "not exact{}",
                        note.as_ref().map(|n| format!(": {}", esc(n))).unwrap_or_default()
                    )
                }
            );
        }
        b.push_str("</table>\n");
    }
    let res: Vec<String> =
        names.iter().zip(&reservations).map(|(n, &r)| format!("{n} {}", num(r))).collect();
    let _ = writeln!(b, "<p class=\"note\">Reservations (dashed): {}.</p>", esc(&res.join(", ")));
    Ok((title, b))
}

/// The numbers of a JSON array (empty for anything else).
fn floats(v: &Value) -> Vec<f64> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
}
