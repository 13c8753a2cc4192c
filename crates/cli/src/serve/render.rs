//! The pages' HTML, from the library calls the commands make and the CLI's words:
//! "Overview" (every proposal x party verdict, the gap per proposal, is any deal possible),
//! "A proposal" (the heat map of points x parties) and the ranked revisions of a draft.
//! The served pages and the shareable report (`detente report`) are made of the same
//! pieces; only where a proposal's name links to differs ([`Links`]).

use std::fmt::Write as _;

use detente_analysis::{
    self as analysis, DeadlockOptions, Evaluation, Gap, MediateOptions, PointVerdict, Revision,
};
use detente_core::{RedLineRef, Scenario, Term};
use detente_words::{count, num, range};

use super::pages::{esc, seg};
use crate::deadlock::{answer_heading, deadlock_answer, deadlock_text, deal_question};
use crate::evaluate::{POINT_LEGEND, point_cell};
use crate::prose::{proposal_line, red_line_reason, term_label, verdict_cell, verdict_sentence};

/// How to read a cell's details on a served page (the script shows them on click).
pub const HINT: &str = "Hover or click a cell for the stance and its sources.";

/// Where the name of a proposal links to.
#[derive(Clone, Copy, Debug)]
pub enum Links<'a> {
    /// The served page of the proposal, in the scenario of this name.
    Served(&'a str),
    /// One file: the proposal of this index to its section (`#proposal`), the others nowhere.
    Report(usize),
}

impl Links<'_> {
    /// The proposal's id, linked where the links go.
    fn proposal(self, s: &Scenario, j: usize) -> String {
        let id = &s.proposals()[j].id;
        match self {
            Links::Served(name) => {
                format!(
                    "<a href=\"/scenarios/{}/proposals/{}\">{}</a>",
                    seg(name),
                    seg(id),
                    esc(id)
                )
            }
            Links::Report(shown) if shown == j => format!("<a href=\"#proposal\">{}</a>", esc(id)),
            Links::Report(_) => esc(id),
        }
    }
}

/// The overview of a scenario: (title, body).
pub fn overview(name: &str, s: &Scenario) -> anyhow::Result<(String, String)> {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&s.meta().title));
    let _ = writeln!(b, "<p>{}</p>", facts(name, s));
    overview_sections(&mut b, s, Links::Served(name))?;
    b.push_str("<p id=\"detail\"></p>\n");
    Ok((s.meta().title.clone(), b))
}

/// What a scenario is, in a line: its name, date and sizes.
pub fn facts(name: &str, s: &Scenario) -> String {
    let mut facts = vec![esc(name)];
    if let Some(d) = &s.meta().as_of {
        facts.push(format!("as of {}", esc(&analysis::date_words(d))));
    }
    facts.push(count(s.parties().len(), "party", "parties"));
    facts.push(count(s.issues().len(), "point", "points"));
    facts.push(count(s.proposals().len(), "proposal", "proposals"));
    facts.join(", ")
}

/// The overview's sections: the verdicts, the gap bars, and whether any deal is possible.
pub fn overview_sections(b: &mut String, s: &Scenario, links: Links) -> anyhow::Result<()> {
    let evals = (0..s.proposals().len())
        .map(|j| analysis::evaluate(s, j))
        .collect::<Result<Vec<_>, _>>()?;
    let gaps =
        (0..s.proposals().len()).map(|j| analysis::gap(s, j)).collect::<Result<Vec<_>, _>>()?;
    verdicts(b, s, &evals, links);
    gap_bars(b, s, &gaps, links);
    deal(b, s)
}

/// Proposals x parties: each cell the verdict and utility (the CLI's cell), coloured.
fn verdicts(b: &mut String, s: &Scenario, evals: &[Evaluation], links: Links) {
    b.push_str("<h2>Would each party sign?</h2>\n");
    if evals.is_empty() {
        b.push_str("<p>No proposals on the table.</p>\n");
        return;
    }
    let _ = writeln!(
        b,
        "<p class=\"note\">The verdict and the utility (a range while points are open); ✗n: n points cross the party's red lines. {}</p>",
        match links {
            Links::Served(_) => "Hover or click a cell for the reason.",
            Links::Report(_) => "Hover over a cell for the reason.",
        }
    );
    b.push_str("<div class=\"scroll\"><table class=\"verdicts\"><tr><th>proposal</th>");
    for p in s.parties() {
        let _ = write!(
            b,
            "<th>{}<br><span class=\"note\">reservation {}</span></th>",
            esc(&p.name),
            num(p.reservation)
        );
    }
    b.push_str("</tr>\n");
    for e in evals {
        let prop = &s.proposals()[e.proposal];
        let _ = write!(b, "<tr><th>{}", links.proposal(s, e.proposal));
        if let Some(d) = &prop.date {
            let _ = write!(b, "<br><span class=\"note\">{}</span>", esc(&analysis::date_words(d)));
        }
        b.push_str("</th>");
        for pe in &e.parties {
            let _ = write!(
                b,
                "<td class=\"{}\" data-proposal=\"{}\" data-party=\"{}\" title=\"{}\">{}</td>",
                crate::json::verdict(pe.verdict),
                esc(&prop.id),
                esc(&s.parties()[pe.party].id),
                esc(&verdict_sentence(s, pe)),
                esc(&verdict_cell(pe))
            );
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table></div>\n");
}

/// The gap per proposal as bars: the shortfall below the reservations as the open points
/// are settled (the darker part is the least, the whole bar the most), and who is blocked.
fn gap_bars(b: &mut String, s: &Scenario, gaps: &[Gap], links: Links) {
    let Some(first) = gaps.first() else { return };
    let _ =
        writeln!(b, "<h2>The gap per proposal, {}</h2>", esc(&deal_question(s, &first.counted)));
    b.push_str("<p class=\"note\">The counted parties' total shortfall below their reservations: the dark part however the open points are settled, the whole bar at worst.</p>\n<div class=\"scroll\"><table class=\"gaps\">\n");
    let top = gaps.iter().map(|g| g.total_range.1).fold(0.0_f64, f64::max);
    let scale = |x: f64| if top > 0.0 { (x / top * 300.0).clamp(0.0, 300.0) } else { 0.0 };
    for g in gaps {
        let (lo, hi) = g.total_range;
        let mut words = if hi == 0.0 {
            "no shortfall".to_string()
        } else if g.total_exact {
            format!("shortfall {}", range(lo, hi))
        } else {
            format!("shortfall between {} and {} (bounds)", num(lo), num(hi))
        };
        for &p in &g.counted {
            let pg = &g.parties[p];
            if pg.crossed_whatever() {
                let issues: Vec<String> =
                    pg.issues_crossed().into_iter().map(|i| s.issues()[i].id.clone()).collect();
                let _ = write!(
                    words,
                    "; {} blocked by its red {} on {}",
                    s.parties()[p].name,
                    detente_words::noun(issues.len(), "line", "lines"),
                    detente_words::and_list(&issues)
                );
            }
        }
        let _ = writeln!(
            b,
            "<tr><th>{}</th><td><svg width=\"300\" height=\"14\" viewBox=\"0 0 300 14\" role=\"img\" aria-label=\"{}\"><rect width=\"300\" height=\"14\" fill=\"#eef0f3\"/><rect width=\"{:.1}\" height=\"14\" fill=\"#e7a59c\"/><rect width=\"{:.1}\" height=\"14\" fill=\"#b8433a\"/></svg></td><td>{}</td></tr>",
            links.proposal(s, g.proposal),
            esc(&words),
            scale(hi),
            scale(lo),
            esc(&words)
        );
    }
    b.push_str("</table></div>\n");
}

/// Is any deal possible for the counted parties, and if not what collides, in the CLI's words.
fn deal(b: &mut String, s: &Scenario) -> anyhow::Result<()> {
    let counted = analysis::counted_parties(s);
    let options = DeadlockOptions { parties: Some(counted.clone()), ..DeadlockOptions::default() };
    let d = deadlock_answer(s, &options)?;
    let _ = writeln!(
        b,
        "<h2>Is any deal possible under the red lines and reservations, {}?</h2>",
        esc(&deal_question(s, &counted))
    );
    if !d.decided {
        let mut text = String::new();
        deadlock_text(s, &d, options.max_nodes, &mut text);
        let _ = writeln!(b, "<p class=\"deal undecided\">{}</p>", esc(text.trim_end()));
        return Ok(());
    }
    let class = if d.feasible { "yes" } else { "no" };
    let _ = writeln!(b, "<p class=\"deal {class}\">{}</p>", esc(&answer_heading(s, &d)));
    if d.feasible {
        if let Some(w) = &d.witness {
            b.push_str("<table class=\"witness\"><tr><th>point</th><th>term</th></tr>\n");
            for (i, &k) in w.options().iter().enumerate() {
                let _ = writeln!(
                    b,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    esc(&s.issues()[i].id),
                    esc(&term_label(s, i, Term::Set(k)))
                );
            }
            b.push_str("</table>\n");
        }
    } else if d.minimal {
        b.push_str("<ol class=\"conflict\">\n");
        for c in &d.conflict {
            let _ = writeln!(b, "<li>{}</li>", esc(&analysis::describe_constraint(s, c)));
        }
        b.push_str("</ol>\n");
    }
    if d.feasible || d.minimal {
        for line in crate::deadlock::explanation_lines(s, &d) {
            let _ = writeln!(b, "<p>{}</p>", esc(&line));
        }
    }
    Ok(())
}

/// The class of a point's cell in the heat map.
fn point_class(pe: &analysis::PartyEvaluation, i: usize) -> &'static str {
    match pe.points[i].verdict {
        PointVerdict::Open if pe.no_stake_in_open(i) => "indifferent",
        v => v.as_str(),
    }
}

/// The tooltip of a point's cell: the verdict, the stance summary, red lines and sources.
fn point_detail(s: &Scenario, pe: &analysis::PartyEvaluation, i: usize) -> String {
    let p = pe.party;
    let pt = &pe.points[i];
    let what = match pt.verdict {
        PointVerdict::Rejects => "crosses a red line",
        PointVerdict::Objects => "objects (below its reservation)",
        PointVerdict::Accepts => "accepts",
        PointVerdict::Open => "open",
        PointVerdict::Indifferent => "no stance",
    };
    let mut out = format!(
        "{} on {}: {what}, value {}",
        s.parties()[p].name,
        s.issues()[i].name,
        range(pt.value_min, pt.value_max)
    );
    for &index in &pt.red_lines_broken {
        match red_line_reason(s, RedLineRef { party: p, issue: i, index }) {
            Some(r) => {
                let _ = write!(out, "\nRed line: {r}");
            }
            None => out.push_str("\nRed line crossed"),
        }
    }
    if let Some(st) = s.stance(p, i) {
        if let Some(summary) = &st.summary {
            let _ = write!(out, "\nStance: {summary}");
        }
        for ev in &st.evidence {
            let src = &s.sources()[ev.source];
            let _ = write!(out, "\nSource [{}]: {}", src.id, src.title);
            for extra in [&src.outlet, &src.date, &src.url].into_iter().flatten() {
                let _ = write!(out, ", {extra}");
            }
            if let Some(note) = &ev.note {
                let _ = write!(out, " ({note})");
            }
        }
    }
    out
}

/// One proposal: each party's verdict, then points x parties as a heat map: (title, body).
pub fn proposal(name: &str, s: &Scenario, j: usize) -> anyhow::Result<(String, String)> {
    let prop = &s.proposals()[j];
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p><a href=\"/scenarios/{}\">{}</a></p>\n<h1>{}</h1>",
        seg(name),
        esc(&s.meta().title),
        esc(&proposal_line(s, j))
    );
    proposal_sections(&mut b, s, j, "h2", HINT)?;
    b.push_str("<p id=\"detail\"></p>\n");
    Ok((format!("{}: {}", prop.id, s.meta().title), b))
}

/// A proposal's sections: each party's verdict and sentence, then the heat map under a
/// heading of this tag (`h2` on its page), its legend ending with `hint` (how to read a
/// cell's details).
pub fn proposal_sections(
    b: &mut String,
    s: &Scenario,
    j: usize,
    h: &str,
    hint: &str,
) -> anyhow::Result<()> {
    let e = analysis::evaluate(s, j)?;
    let prop = &s.proposals()[j];
    b.push_str("<div class=\"scroll\"><table class=\"verdicts\"><tr>");
    for pe in &e.parties {
        let _ = write!(b, "<th>{}</th>", esc(&s.parties()[pe.party].name));
    }
    b.push_str("</tr>\n<tr>");
    for pe in &e.parties {
        let _ = write!(
            b,
            "<td class=\"{}\" data-proposal=\"{}\" data-party=\"{}\">{}</td>",
            crate::json::verdict(pe.verdict),
            esc(&prop.id),
            esc(&s.parties()[pe.party].id),
            esc(&verdict_cell(pe))
        );
    }
    b.push_str("</tr></table></div>\n<ul class=\"sentences\">\n");
    for pe in &e.parties {
        let _ = writeln!(b, "<li>{}</li>", esc(&verdict_sentence(s, pe)));
    }
    let _ = writeln!(b, "</ul>\n<{h}>Point by point</{h}>");
    heat_map(b, s, &e, hint);
    Ok(())
}

/// Points x parties: each cell the party's mark and value of the term, coloured by its
/// verdict, its stance, red lines and sources in the tooltip.
fn heat_map(b: &mut String, s: &Scenario, e: &Evaluation, hint: &str) {
    let prop = &s.proposals()[e.proposal];
    let _ = writeln!(
        b,
        "<p class=\"note legend\"><span class=\"accepts\">accepts</span><span class=\"objects\">objects</span><span class=\"rejects\">crosses a red line</span><span class=\"open\">open</span><span class=\"indifferent\">no stance</span> Value of the term to each party: {}. {}</p>",
        esc(POINT_LEGEND),
        esc(hint)
    );
    b.push_str("<div class=\"scroll\"><table class=\"heat\"><tr><th>point</th><th>term</th>");
    for p in s.parties() {
        let _ = write!(b, "<th>{}</th>", esc(&p.id));
    }
    b.push_str("</tr>\n");
    for (i, issue) in s.issues().iter().enumerate() {
        let _ = write!(
            b,
            "<tr><th title=\"{}\">{}</th><td>{}</td>",
            esc(&issue.name),
            esc(&issue.id),
            esc(&term_label(s, i, prop.terms[i]))
        );
        for pe in &e.parties {
            let _ = write!(
                b,
                "<td class=\"{} num\" data-party=\"{}\" data-issue=\"{}\" data-verdict=\"{}\" title=\"{}\">{}</td>",
                point_class(pe, i),
                esc(&s.parties()[pe.party].id),
                esc(&issue.id),
                pe.points[i].verdict.as_str(),
                esc(&point_detail(s, pe, i)),
                esc(point_cell(pe, i).trim())
            );
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table></div>\n");
}

/// Each cell's tooltip written out (for print, and screens without hover): the cells with
/// a stance or a red line crossed, in a collapsed list.
pub fn heat_notes(b: &mut String, s: &Scenario, j: usize) -> anyhow::Result<()> {
    let e = analysis::evaluate(s, j)?;
    let mut notes = vec![];
    for i in 0..s.issues().len() {
        for pe in &e.parties {
            if s.stance(pe.party, i).is_some() || !pe.points[i].red_lines_broken.is_empty() {
                notes.push(point_detail(s, pe, i));
            }
        }
    }
    if notes.is_empty() {
        return Ok(());
    }
    let _ = writeln!(
        b,
        "<details class=\"notes\"><summary>Each cell's stance and sources ({})</summary>\n<ul>",
        count(notes.len(), "note", "notes")
    );
    for n in notes {
        let _ = writeln!(b, "<li>{}</li>", esc(&n).replace('\n', "<br>"));
    }
    b.push_str("</ul></details>\n");
    Ok(())
}

/// The ranked revisions of a draft (the search of `detente mediate`, default limits, the
/// counted parties): each revision's red lines crossed and verdicts changed, its changes
/// and every party before and after; the closest revision when none works; the words.
pub fn mediation(b: &mut String, s: &Scenario, from: usize, h: &str) -> anyhow::Result<()> {
    let options = MediateOptions {
        top: MEDIATION_TOP,
        parties: Some(analysis::counted_parties(s)),
        ..MediateOptions::default()
    };
    let search = crate::mediate::mediate(s, from, &options)?;
    let (m, words) = search.found();
    let _ = writeln!(
        b,
        "<p class=\"note\">{}. {}</p>",
        esc(&crate::mediate::search_heading(s, from, m)),
        esc(&crate::mediate::exact_words(m))
    );
    for (n, r) in m.revisions.iter().enumerate() {
        let _ =
            writeln!(b, "<{h}>{}. {}</{h}>", n + 1, count(r.changes.len(), "change", "changes"));
        revision(b, s, r);
    }
    if m.revisions.is_empty() && !m.feasible {
        let _ = writeln!(
            b,
            "<p>{}</p>",
            if m.exact {
                "No revision within the limit makes every counted party accept."
            } else {
                "No revision every counted party accepts was found within the budget."
            }
        );
    }
    if let Some(c) = &m.closest {
        let _ = writeln!(
            b,
            "<{h}>The closest revision</{h}>\n<p class=\"note\">Fewest red lines crossed or at risk, then least total shortfall.</p>"
        );
        revision(b, s, c);
    }
    for w in words {
        let _ = writeln!(b, "<p>{}</p>", esc(w));
    }
    Ok(())
}

/// How many revisions the mediation lists (as `detente mediate`'s `--top`).
pub const MEDIATION_TOP: usize = 3;

/// One revision as `detente mediate` lists it, in tables.
fn revision(b: &mut String, s: &Scenario, r: &Revision) {
    use crate::mediate::{at_risk_words, crossed_words, gap_cell, moved_words, or_none, u};
    let _ = writeln!(
        b,
        "<p>Red lines crossed: {}. Verdicts changed: {}.</p>",
        esc(&or_none(&crossed_words(s, r))),
        esc(&or_none(&moved_words(s, r)))
    );
    b.push_str("<div class=\"scroll\"><table class=\"changes\"><tr><th>point</th><th>before</th><th>after</th></tr>\n");
    for c in &r.changes {
        let _ = writeln!(
            b,
            "<tr><th title=\"{}\">{}</th><td>{}</td><td>{}</td></tr>",
            esc(&s.issues()[c.issue].name),
            esc(&s.issues()[c.issue].id),
            esc(&term_label(s, c.issue, c.before)),
            esc(&term_label(s, c.issue, Term::Set(c.after)))
        );
    }
    b.push_str("</table></div>\n<div class=\"scroll\"><table class=\"revision\"><tr><th>party</th><th>before</th><th>after</th><th>accepts</th><th>remaining gap</th></tr>\n");
    for (p, party) in s.parties().iter().enumerate() {
        let (before, after) = (r.verdicts_before[p], r.verdicts_after[p]);
        let _ = writeln!(
            b,
            "<tr><th>{}</th><td class=\"{}\">{} {}</td><td class=\"{}\">{} {}</td><td>{}</td><td>{}</td></tr>",
            esc(&party.name),
            crate::json::verdict(before),
            crate::json::verdict(before),
            u(r.utilities_before[p]),
            crate::json::verdict(after),
            crate::json::verdict(after),
            u(r.utilities_after[p]),
            if r.accepts[p] { "yes" } else { "no" },
            esc(&gap_cell(s, r, p))
        );
    }
    b.push_str("</table></div>\n");
    let risky = at_risk_words(s, r);
    if !risky.is_empty() {
        let _ =
            writeln!(b, "<p>Red lines open points put at risk: {}.</p>", esc(&risky.join(", ")));
    }
}
