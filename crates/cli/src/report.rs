//! `detente report`: one self-contained HTML file to share. The overview (every verdict,
//! the gap per proposal, is any deal possible and what collides), the heat map of one
//! proposal with each cell's stance and sources, and the ranked revisions of that proposal;
//! made of the very pieces the served pages are made of (`serve::render`), with the
//! stylesheet inline, no script and nothing fetched (a Content-Security-Policy forbids it).

use std::fmt::Write as _;
use std::path::Path;

use detente_core::Scenario;
use serde_json::{Value, json};

use crate::BadInput;
use crate::printer::Report;
use crate::serve::pages::{STYLE, esc};
use crate::serve::render::{self, Links};

/// Rules the report adds to the served stylesheet.
const REPORT_STYLE: &str = include_str!("serve/assets/report.css");

/// How to read a cell's details in the report (there is no script).
const HINT: &str =
    "Hover over a cell for its stance and sources; every cell's notes are listed below the table.";

/// The report written: where, and on which proposal.
pub struct Written<'a> {
    s: &'a Scenario,
    path: &'a Path,
    proposal: usize,
    bytes: usize,
}

impl Report for Written<'_> {
    fn text(&self) -> String {
        format!(
            "wrote {}: the report on {} ({}), {}\n",
            self.path.display(),
            self.s.proposals()[self.proposal].id,
            self.s.meta().title,
            detente_words::count(self.bytes, "byte", "bytes")
        )
    }

    fn json(&self) -> Value {
        json!({
            "html": self.path.display().to_string(),
            "scenario": self.s.meta().name,
            "proposal": self.s.proposals()[self.proposal].id,
            "bytes": self.bytes,
        })
    }
}

/// The proposal a report shows: the one named, else the latest draft.
pub fn proposal(s: &Scenario, id: Option<&str>) -> anyhow::Result<usize> {
    match id {
        Some(id) => Ok(crate::load::proposal(s, id)?),
        None => detente_analysis::latest_proposal(s).ok_or_else(|| {
            BadInput(format!(
                "{}: the scenario has no proposals; a report shows one (add a proposal to the file)",
                s.meta().name
            ))
            .into()
        }),
    }
}

/// `detente report`: writes the report on proposal `j` to `path` (checked before).
pub fn write<'a>(
    s: &'a Scenario,
    j: usize,
    what_if: Option<String>,
    later: Option<&crate::load::LeftOut>,
    path: &'a Path,
) -> anyhow::Result<Written<'a>> {
    let page = html(s, j, what_if.as_deref(), later)?;
    crate::output::write_file(path, page.as_bytes())?;
    Ok(Written { s, path, proposal: j, bytes: page.len() })
}

/// The whole file; `later`: what the day (the file's `as_of` or `--as-of`) left out as
/// later, said under the title.
pub fn html(
    s: &Scenario,
    j: usize,
    what_if: Option<&str>,
    later: Option<&crate::load::LeftOut>,
) -> anyhow::Result<String> {
    let title = &s.meta().title;
    let id = &s.proposals()[j].id;
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>{} · detente report</title>\n<style>\n{STYLE}{REPORT_STYLE}</style></head>\n<body class=\"report\"><header><span>detente report</span></header>\n<main>",
        esc(title)
    );
    let _ = writeln!(b, "<h1>{}</h1>\n<p>{}</p>", esc(title), render::facts(&s.meta().name, s));
    if let Some(later) = later {
        b.push_str(&render::left_out(later));
    }
    if let Some(w) = what_if {
        let _ = writeln!(b, "<p class=\"what-if\">{}</p>", esc(w));
    }
    let _ = writeln!(
        b,
        "<nav class=\"contents\"><a href=\"#overview\">Overview</a> · <a href=\"#proposal\">The proposal {}</a> · <a href=\"#mediation\">Mediation</a></nav>",
        esc(id)
    );
    b.push_str("<section id=\"overview\">\n");
    render::overview_sections(&mut b, s, Links::Report(j))?;
    let _ = writeln!(
        b,
        "</section>\n<section id=\"proposal\">\n<h2>The proposal: {}</h2>",
        esc(&crate::prose::proposal_line(s, j))
    );
    render::proposal_sections(&mut b, s, j, "h3", HINT)?;
    render::heat_notes(&mut b, s, j)?;
    let _ = writeln!(
        b,
        "</section>\n<section id=\"mediation\">\n<h2>Mediation: revisions of {} that narrow the gap</h2>",
        esc(id)
    );
    render::mediation(&mut b, s, j, "h3")?;
    let _ = writeln!(
        b,
        "</section>\n<footer class=\"note\">Written by detente {} from the scenario {}. Every verdict, gap and revision is computed from the scenario's numbers as the command line computes them.</footer>\n</main></body></html>",
        env!("CARGO_PKG_VERSION"),
        esc(&s.meta().name)
    );
    Ok(b)
}
