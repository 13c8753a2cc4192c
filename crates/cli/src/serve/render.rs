//! The pages' HTML, from the library calls the commands make and the CLI's words:
//! "Overview" (every proposal x party verdict, the gap per proposal, is any deal possible),
//! "A proposal" (the heat map of points x parties) and the ranked revisions of a draft.
//! The served pages and the shareable report (`detente report`) are made of the same
//! pieces; only where a proposal's name links to differs ([`Links`]). The small pure pieces
//! of the other pages (navigation, the view's banner, SVG plots) are here too; their bodies
//! are in `tools`.

use std::fmt::Write as _;

use detente_analysis::{
    self as analysis, DeadlockOptions, Evaluation, Gap, MediateOptions, PointVerdict, Revision,
};
use detente_core::{RedLineRef, Scenario, Term};
use detente_words::{count, num, possessive, range};

use super::pages::{esc, seg};
use super::view::View;
use crate::deadlock::{answer_heading, deadlock_answer, deadlock_text, deal_question};
use crate::evaluate::{POINT_LEGEND, point_cell};
use crate::prose::{proposal_line, red_line_reason, term_label, verdict_cell, verdict_sentence};
use detente_robust::monte_carlo::{self, Tally};

/// How to read a cell's details on a served page (the script shows them on click).
pub const HINT: &str = "Hover or click a cell for the stance and its sources.";

/// Where the name of a proposal links to.
#[derive(Clone, Copy, Debug)]
pub enum Links<'a> {
    /// The served page of the proposal, in the scenario of this name, in this view (what-if
    /// edits and a revision, kept by every link).
    Served(&'a str, &'a View),
    /// One file: the proposal of this index to its section (`#proposal`), the others nowhere.
    Report(usize),
}

impl Links<'_> {
    /// The proposal's id, linked where the links go.
    fn proposal(self, s: &Scenario, j: usize) -> String {
        let id = &s.proposals()[j].id;
        match self {
            Links::Served(name, view) => {
                format!("<a href=\"{}\">{}</a>", proposal_href(name, id, view), esc(id))
            }
            Links::Report(shown) if shown == j => format!("<a href=\"#proposal\">{}</a>", esc(id)),
            Links::Report(_) => esc(id),
        }
    }
}

/// The overview of a scenario: (title, body).
/// Each verdict says how sure it is (the share of draws that give it).
pub fn overview(name: &str, s: &Scenario, view: &View) -> anyhow::Result<(String, String)> {
    let sure = shares(s)?;
    overview_with(name, s, view, sure.as_ref())
}

/// The overview of a scenario, each verdict with its share of draws when `sure` is given.
pub fn overview_with(
    name: &str,
    s: &Scenario,
    view: &View,
    sure: Option<&Tally>,
) -> anyhow::Result<(String, String)> {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&s.meta().title));
    let _ = writeln!(b, "<p>{}</p>", facts(name, s));
    overview_sections_sure(&mut b, s, Links::Served(name, view), sure)?;
    b.push_str("<p id=\"detail\"></p>\n");
    Ok((s.meta().title.clone(), b))
}

/// What the day's snapshot left out as later (the file's `as_of`, or `--as-of` in the
/// report): the counted sentence and, collapsed, each proposal, revision and event with its
/// date.
pub fn left_out(later: &crate::load::LeftOut) -> String {
    let mut b = format!("<div class=\"left-out\"><p>{}</p>", esc(&later.words));
    if !later.items.is_empty() {
        b.push_str("<details><summary>What is later, by date</summary><ul>");
        for x in &later.items {
            let _ = write!(
                b,
                "<li>{}, {}: {}</li>",
                esc(&analysis::date_words(&x.date)),
                x.kind,
                esc(&x.what)
            );
        }
        b.push_str("</ul></details>");
    }
    b.push_str("</div>\n");
    b
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
    overview_sections_sure(b, s, links, None)
}

/// The draws behind the share of each verdict on the served overview (as `analyze`'s
/// default, seed 0).
pub const SURE_SAMPLES: u64 = crate::analyze::DEFAULT_SAMPLES;

/// How many of [`SURE_SAMPLES`] draws of the estimates' ranges give each verdict (the Monte
/// Carlo study of `detente analyze` and `robust`, on one thread: the server's workers are
/// its threads); `None` without proposals. Only the verdicts are read, and they do not
/// depend on the deadlock search each draw makes, so that search gets one node (the
/// verdicts' counts are those of `analyze`, in a fraction of its time).
pub fn shares(s: &Scenario) -> anyhow::Result<Option<Tally>> {
    if s.proposals().is_empty() {
        return Ok(None);
    }
    let options = monte_carlo::Options {
        threads: 1,
        max_nodes: Some(1),
        ..monte_carlo::Options::new(s, SURE_SAMPLES, 0)
    };
    Ok(Some(monte_carlo::run(s, &options, &|_, _| {})?))
}

/// How many of [`SURE_SAMPLES`] draws give party `p` verdict `v` on proposal `j` (`None`
/// when the study left the proposal out), as [`share_span`] writes it.
pub fn share_of(t: &Tally, j: usize, p: usize, v: analysis::Verdict) -> Option<String> {
    let pt = t.proposals.iter().find(|pt| pt.proposal == j)?;
    Some(share_span(pt.verdicts[p][monte_carlo::verdict_index(v)], t.draws))
}

/// [`shares`] of some proposals only (indices, any order).
pub fn shares_for(s: &Scenario, proposals: &[usize]) -> anyhow::Result<Tally> {
    let mut proposals = proposals.to_vec();
    proposals.sort_unstable();
    proposals.dedup();
    let options = monte_carlo::Options {
        threads: 1,
        max_nodes: Some(1),
        proposals,
        ..monte_carlo::Options::new(s, SURE_SAMPLES, 0)
    };
    Ok(monte_carlo::run(s, &options, &|_, _| {})?)
}

/// The overview's sections, each verdict with the share of draws that give it when `sure`
/// is given.
pub fn overview_sections_sure(
    b: &mut String,
    s: &Scenario,
    links: Links,
    sure: Option<&Tally>,
) -> anyhow::Result<()> {
    let evals = (0..s.proposals().len())
        .map(|j| analysis::evaluate(s, j))
        .collect::<Result<Vec<_>, _>>()?;
    let gaps =
        (0..s.proposals().len()).map(|j| analysis::gap(s, j)).collect::<Result<Vec<_>, _>>()?;
    verdicts(b, s, &evals, links, sure);
    gap_bars(b, s, &gaps, links);
    deal(b, s)
}

/// Proposals x parties: each cell the verdict and utility (the CLI's cell), coloured.
fn verdicts(
    b: &mut String,
    s: &Scenario,
    evals: &[Evaluation],
    links: Links,
    sure: Option<&Tally>,
) {
    b.push_str("<h2>Would each party sign?</h2>\n");
    if evals.is_empty() {
        b.push_str("<p>No proposals on the table.</p>\n");
        return;
    }
    let _ = writeln!(
        b,
        "<p class=\"note\">The verdict and the utility (a range while points are open); ✗n: n points cross the party's red lines. {}</p>",
        match links {
            Links::Served(..) => "Hover or click a cell for the reason.",
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
            let share = sure.map(|t| {
                let k = t.proposals[e.proposal].verdicts[pe.party]
                    [monte_carlo::verdict_index(pe.verdict)];
                share_span(k, t.draws)
            });
            let _ = write!(
                b,
                "<td class=\"{}\" data-proposal=\"{}\" data-party=\"{}\" title=\"{}\">{}{}</td>",
                crate::json::verdict(pe.verdict),
                esc(&prop.id),
                esc(&s.parties()[pe.party].id),
                esc(&verdict_sentence(s, pe)),
                esc(&verdict_cell(pe)),
                share.unwrap_or_default()
            );
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</table></div>\n");
    if let Some(t) = sure {
        let _ = writeln!(
            b,
            "<p class=\"note\">Under each verdict, the share of {} draws of the estimates' ranges (seed 0) that give it, as <code>detente analyze</code> counts it (<code>detente robust</code> says more).</p>",
            t.draws
        );
    }
}

/// The share of `n` draws that give a verdict, with its count: `97% of 1000 draws`.
pub fn share_span(k: u64, n: u64) -> String {
    format!(
        "<br><span class=\"sure\" data-count=\"{k}\" data-samples=\"{n}\">{} of {n} draws</span>",
        crate::robust::percent(k, n)
    )
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
pub fn proposal(
    name: &str,
    s: &Scenario,
    view: &View,
    j: usize,
) -> anyhow::Result<(String, String)> {
    let prop = &s.proposals()[j];
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p><a href=\"{}\">{}</a></p>\n<h1>{}</h1>",
        view.href(&format!("/scenarios/{}", seg(name)), &[]),
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
        let _ = writeln!(b, "<p>{}</p>", no_revision_words(m.exact));
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

/// Why no revision is listed, in a sentence: none exists within the limit (`exact`), or
/// none was found within the budget.
pub fn no_revision_words(exact: bool) -> &'static str {
    if exact {
        "No revision within the limit makes every counted party accept."
    } else {
        "No revision every counted party accepts was found within the budget."
    }
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

/// A link to a proposal's page in this view, ready for `href`.
pub fn proposal_href(name: &str, id: &str, view: &View) -> String {
    view.href(&format!("/scenarios/{}/proposals/{}", seg(name), seg(id)), &[])
}

/// The pages of a scenario, as (path after `/scenarios/{name}`, label).
pub const PAGES: [(&str, &str); 8] = [
    ("", "Overview"),
    ("/compare", "Compare"),
    ("/mediate", "Mediate"),
    ("/what-if", "What-if"),
    ("/frontier", "Frontier"),
    ("/forecast", "Forecast"),
    ("/simulate", "Simulate"),
    ("/tournament", "Tournament"),
];

/// The navigation between a scenario's pages, in this view (`current`: the path after
/// `/scenarios/{name}` of the page shown, or `None` for a proposal's page).
pub fn nav(name: &str, view: &View, current: Option<&str>) -> String {
    let mut b = String::from("<nav class=\"pages\">");
    for (path, label) in PAGES {
        let href = view.href(&format!("/scenarios/{}{path}", seg(name)), &[]);
        if current == Some(path) {
            let _ = write!(b, "<a href=\"{href}\" aria-current=\"page\">{label}</a>");
        } else {
            let _ = write!(b, "<a href=\"{href}\">{label}</a>");
        }
    }
    b.push_str("</nav>\n");
    b
}

/// What a view changes, said above the page: the what-if edits (as `--set` says them) and
/// the revised draft, with links back to the scenario as served and to the edited file.
pub fn view_banner(
    name: &str,
    view: &View,
    what_if: Option<&str>,
    revision: Option<&str>,
) -> String {
    if view.is_plain() {
        return String::new();
    }
    let mut b = String::from("<div class=\"view\">");
    if let Some(line) = what_if {
        let _ = write!(b, "<p>{}</p>", esc(line));
    }
    if let Some(id) = revision {
        let _ = write!(
            b,
            "<p>Revised draft: <a href=\"{}\">{}</a> ({}), shown as one more proposal.</p>",
            proposal_href(name, id, view),
            esc(id),
            esc(&view.changes.join(", "))
        );
    }
    let _ = writeln!(
        b,
        "<p><a href=\"/scenarios/{}\">The scenario as served</a> · <a href=\"{}\" download>Save as TOML</a> (the edited scenario as a file, downloaded; nothing is written on the server)</p></div>",
        seg(name),
        view.href(&format!("/scenarios/{}/scenario.toml", seg(name)), &[])
    );
    b
}

/// The class of a change of utility: `gain`, `loss`, `mixed` (a range across 0) or `same`
/// (printing as 0.00, as `compare` says no change).
pub fn delta_class(lo: f64, hi: f64) -> &'static str {
    let zero = |x: f64| num(x) == num(0.0);
    if !zero(lo) && lo > 0.0 {
        "gain"
    } else if !zero(hi) && hi < 0.0 {
        "loss"
    } else if !zero(lo) && !zero(hi) && lo < 0.0 && hi > 0.0 {
        "mixed"
    } else {
        "same"
    }
}

/// A number for a `data-` attribute: as the JSON writes it (12 decimals at most).
pub fn data_num(x: f64) -> String {
    crate::json::num(x).to_string()
}

/// A marked point of a plot: a bargaining solution.
pub struct Mark<'a> {
    pub label: &'a str,
    /// One utility per plotted party.
    pub at: &'a [f64],
    pub colour: &'a str,
    /// Whether the search proved it.
    pub exact: bool,
}

/// Two parties' utilities as a scatter (x: the first, y: the second, both 0 to 1 unless a
/// point lies outside): the frontier points joined in x order, the reservations as dashed
/// lines, and the marks, each with a `<title>` for hover.
pub fn scatter_svg(
    names: [&str; 2],
    points: &[[f64; 2]],
    reservations: [f64; 2],
    marks: &[Mark<'_>],
) -> String {
    const W: f64 = 560.0;
    const H: f64 = 420.0;
    const L: f64 = 56.0;
    const B: f64 = 44.0;
    const T: f64 = 12.0;
    const R: f64 = 16.0;
    let mut lo = [0.0_f64, 0.0];
    let mut hi = [1.0_f64, 1.0];
    for p in points.iter().copied().chain(marks.iter().map(|m| [m.at[0], m.at[1]])) {
        for k in 0..2 {
            if p[k].is_finite() {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
    }
    let x = |u: f64| L + (u - lo[0]) / (hi[0] - lo[0]) * (W - L - R);
    let y = |u: f64| H - B - (u - lo[1]) / (hi[1] - lo[1]) * (H - B - T);
    let mut b = format!(
        "<svg class=\"plot\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{} (x) and {} (y): utilities on the frontier\">",
        esc(names[0]),
        esc(names[1])
    );
    let _ = write!(
        b,
        "<rect x=\"{L}\" y=\"{T}\" width=\"{}\" height=\"{}\" fill=\"#fafbfc\" stroke=\"#d0d4da\"/>",
        W - L - R,
        H - B - T
    );
    for k in 0..=4 {
        let t = k as f64 / 4.0;
        let (u, v) = (lo[0] + t * (hi[0] - lo[0]), lo[1] + t * (hi[1] - lo[1]));
        let _ = write!(
            b,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{}</text>",
            x(u),
            H - B + 16.0,
            num(u),
            L - 6.0,
            y(v) + 4.0,
            num(v)
        );
    }
    let _ = write!(
        b,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">{}</text>",
        (L + W - R) / 2.0,
        H - 8.0,
        esc(names[0]),
        (T + H - B) / 2.0,
        (T + H - B) / 2.0,
        esc(names[1])
    );
    // The reservations.
    let _ = write!(
        b,
        "<line class=\"reservation\" x1=\"{0:.1}\" y1=\"{T}\" x2=\"{0:.1}\" y2=\"{1:.1}\"><title>{2} reservation {3}</title></line><line class=\"reservation\" x1=\"{L}\" y1=\"{4:.1}\" x2=\"{5:.1}\" y2=\"{4:.1}\"><title>{6} reservation {7}</title></line>",
        x(reservations[0]),
        H - B,
        esc(&possessive(names[0])),
        num(reservations[0]),
        y(reservations[1]),
        W - R,
        esc(&possessive(names[1])),
        num(reservations[1])
    );
    let mut sorted: Vec<[f64; 2]> = points.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]));
    if sorted.len() > 1 {
        let path: Vec<String> =
            sorted.iter().map(|p| format!("{:.1},{:.1}", x(p[0]), y(p[1]))).collect();
        let _ = write!(b, "<polyline class=\"frontier\" points=\"{}\"/>", path.join(" "));
    }
    for p in &sorted {
        let _ = write!(
            b,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{} {}, {} {}</title></circle>",
            x(p[0]),
            y(p[1]),
            esc(names[0]),
            num(p[0]),
            esc(names[1]),
            num(p[1])
        );
    }
    for m in marks {
        let _ = write!(
            b,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"7\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{}><title>{}: {} {}, {} {}{}</title></circle>",
            x(m.at[0]),
            y(m.at[1]),
            m.colour,
            if m.exact { "" } else { " stroke-dasharray=\"3 2\"" },
            esc(m.label),
            esc(names[0]),
            num(m.at[0]),
            esc(names[1]),
            num(m.at[1]),
            if m.exact { "" } else { " (not exact)" }
        );
    }
    b.push_str("</svg>");
    b
}

/// Several parties' utilities as parallel coordinates: one vertical axis per party (0 at
/// the bottom, 1 at the top), each frontier point a grey line across them, each mark a
/// coloured one, and each party's reservation a tick on its axis.
pub fn parallel_svg(
    names: &[&str],
    points: &[Vec<f64>],
    reservations: &[f64],
    marks: &[Mark<'_>],
) -> String {
    let n = names.len().max(2);
    let w = 120.0 * n as f64 + 40.0;
    const H: f64 = 380.0;
    const T: f64 = 16.0;
    const B: f64 = 48.0;
    let x = |k: usize| 60.0 + 120.0 * k as f64;
    let y = |u: f64| H - B - u.clamp(0.0, 1.0) * (H - B - T);
    let mut b = format!(
        "<svg class=\"plot\" viewBox=\"0 0 {w} {H}\" width=\"{w}\" height=\"{H}\" role=\"img\" aria-label=\"utilities of {} on the frontier, one axis per party\">",
        esc(&names.join(", "))
    );
    for (k, name) in names.iter().enumerate() {
        let _ = write!(
            b,
            "<line class=\"axis\" x1=\"{0:.1}\" y1=\"{T}\" x2=\"{0:.1}\" y2=\"{1:.1}\"/><text x=\"{0:.1}\" y=\"{2:.1}\" text-anchor=\"middle\">{3}</text><text x=\"{4:.1}\" y=\"{5:.1}\" class=\"tick\" text-anchor=\"end\">0</text><text x=\"{4:.1}\" y=\"{6:.1}\" class=\"tick\" text-anchor=\"end\">1</text>",
            x(k),
            H - B,
            H - B + 20.0,
            esc(name),
            x(k) - 4.0,
            H - B + 4.0,
            T + 4.0
        );
        if let Some(&r) = reservations.get(k) {
            let _ = write!(
                b,
                "<line class=\"reservation\" x1=\"{0:.1}\" y1=\"{2:.1}\" x2=\"{1:.1}\" y2=\"{2:.1}\"><title>{3} reservation {4}</title></line>",
                x(k) - 10.0,
                x(k) + 10.0,
                y(r),
                esc(name),
                num(r)
            );
        }
    }
    let line = |u: &[f64]| -> String {
        u.iter()
            .enumerate()
            .map(|(k, &v)| format!("{:.1},{:.1}", x(k), y(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for p in points {
        let said: Vec<String> =
            names.iter().zip(p).map(|(n, &v)| format!("{n} {}", num(v))).collect();
        let _ = write!(
            b,
            "<polyline class=\"point-line\" points=\"{}\"><title>{}</title></polyline>",
            line(p),
            esc(&said.join(", "))
        );
    }
    for m in marks {
        let said: Vec<String> =
            names.iter().zip(m.at).map(|(n, &v)| format!("{n} {}", num(v))).collect();
        let _ = write!(
            b,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{}><title>{}: {}{}</title></polyline>",
            line(m.at),
            m.colour,
            if m.exact { "" } else { " stroke-dasharray=\"4 3\"" },
            esc(m.label),
            esc(&said.join(", ")),
            if m.exact { "" } else { " (not exact)" }
        );
    }
    b.push_str("</svg>");
    b
}
