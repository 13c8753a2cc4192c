//! The two pages' HTML, from the library calls the commands make and the CLI's words:
//! "Overview" (every proposal x party verdict, the gap per proposal, is any deal possible)
//! and "A proposal" (the heat map of points x parties).

use std::fmt::Write as _;

use detente_analysis::{self as analysis, DeadlockOptions, Evaluation, Gap, PointVerdict};
use detente_core::{RedLineRef, Scenario, Term};
use detente_words::{count, num, range};

use super::pages::{esc, seg};
use crate::deadlock::{answer_heading, deadlock_answer, deadlock_text, deal_question};
use crate::evaluate::{POINT_LEGEND, point_cell};
use crate::prose::{proposal_line, red_line_reason, term_label, verdict_cell, verdict_sentence};

/// The overview of a scenario: (title, body).
pub fn overview(name: &str, s: &Scenario) -> anyhow::Result<(String, String)> {
    let evals = (0..s.proposals().len())
        .map(|j| analysis::evaluate(s, j))
        .collect::<Result<Vec<_>, _>>()?;
    let gaps =
        (0..s.proposals().len()).map(|j| analysis::gap(s, j)).collect::<Result<Vec<_>, _>>()?;
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&s.meta().title));
    let mut facts = vec![esc(name)];
    if let Some(d) = &s.meta().as_of {
        facts.push(format!("as of {}", esc(&analysis::date_words(d))));
    }
    facts.push(count(s.parties().len(), "party", "parties"));
    facts.push(count(s.issues().len(), "point", "points"));
    facts.push(count(s.proposals().len(), "proposal", "proposals"));
    let _ = writeln!(b, "<p>{}</p>", facts.join(", "));
    verdicts(&mut b, name, s, &evals);
    gap_bars(&mut b, name, s, &gaps);
    deal(&mut b, s)?;
    Ok((s.meta().title.clone(), b))
}

/// Proposals x parties: each cell the verdict and utility (the CLI's cell), coloured.
fn verdicts(b: &mut String, name: &str, s: &Scenario, evals: &[Evaluation]) {
    b.push_str("<h2>Would each party sign?</h2>\n");
    if evals.is_empty() {
        b.push_str("<p>No proposals on the table.</p>\n");
        return;
    }
    b.push_str("<p class=\"note\">The verdict and the utility (a range while points are open); ✗n: n points cross the party's red lines. Hover or click a cell for the reason.</p>\n");
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
        let _ = write!(
            b,
            "<tr><th><a href=\"/scenarios/{}/proposals/{}\">{}</a>",
            seg(name),
            seg(&prop.id),
            esc(&prop.id)
        );
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
    b.push_str("</table></div>\n<p id=\"detail\"></p>\n");
}

/// The gap per proposal as bars: the shortfall below the reservations as the open points
/// are settled (the darker part is the least, the whole bar the most), and who is blocked.
fn gap_bars(b: &mut String, name: &str, s: &Scenario, gaps: &[Gap]) {
    let Some(first) = gaps.first() else { return };
    let _ =
        writeln!(b, "<h2>The gap per proposal, {}</h2>", esc(&deal_question(s, &first.counted)));
    b.push_str("<p class=\"note\">The counted parties' total shortfall below their reservations: the dark part however the open points are settled, the whole bar at worst.</p>\n<table class=\"gaps\">\n");
    let top = gaps.iter().map(|g| g.total_range.1).fold(0.0_f64, f64::max);
    let scale = |x: f64| if top > 0.0 { (x / top * 300.0).clamp(0.0, 300.0) } else { 0.0 };
    for g in gaps {
        let id = &s.proposals()[g.proposal].id;
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
            "<tr><th><a href=\"/scenarios/{}/proposals/{}\">{}</a></th><td><svg width=\"300\" height=\"14\" role=\"img\" aria-label=\"{}\"><rect width=\"300\" height=\"14\" fill=\"#eef0f3\"/><rect width=\"{:.1}\" height=\"14\" fill=\"#e7a59c\"/><rect width=\"{:.1}\" height=\"14\" fill=\"#b8433a\"/></svg></td><td>{}</td></tr>",
            seg(name),
            seg(id),
            esc(id),
            esc(&words),
            scale(hi),
            scale(lo),
            esc(&words)
        );
    }
    b.push_str("</table>\n");
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
    let e = analysis::evaluate(s, j)?;
    let prop = &s.proposals()[j];
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p><a href=\"/scenarios/{}\">{}</a></p>\n<h1>{}</h1>",
        seg(name),
        esc(&s.meta().title),
        esc(&proposal_line(s, j))
    );
    b.push_str("<table class=\"verdicts\"><tr>");
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
    b.push_str("</tr></table>\n<ul class=\"sentences\">\n");
    for pe in &e.parties {
        let _ = writeln!(b, "<li>{}</li>", esc(&verdict_sentence(s, pe)));
    }
    b.push_str("</ul>\n<h2>Point by point</h2>\n");
    let _ = writeln!(
        b,
        "<p class=\"note legend\"><span class=\"accepts\">accepts</span><span class=\"objects\">objects</span><span class=\"rejects\">crosses a red line</span><span class=\"open\">open</span><span class=\"indifferent\">no stance</span> Value of the term to each party: {}. Hover or click a cell for the stance and its sources.</p>",
        esc(POINT_LEGEND)
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
    b.push_str("</table></div>\n<p id=\"detail\"></p>\n");
    Ok((format!("{}: {}", prop.id, s.meta().title), b))
}
