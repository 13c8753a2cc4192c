//! Dates in a scenario: which proposals and sources are dated after the day the scenario
//! describes (`as_of`), one rule for every command that says so.
//!
//! Dates are written `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; a month or a year stands for every
//! day in it. An item is dated after `as_of` when its first day comes after the last day of
//! `as_of` (`certain`), or when only some of its days do (`2025-12` against `2025-12-03`:
//! it may be after). A date that cannot be read is left out.

use detente_core::{Scenario, date_span};

/// What a dated item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatedKind {
    /// A proposal, by index.
    Proposal(usize),
    /// A source of evidence, by index.
    Source(usize),
}

/// A proposal or source dated after the scenario's `as_of`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatedAfter {
    /// The item.
    pub kind: DatedKind,
    /// Its date as written.
    pub date: String,
    /// Whether every day the date stands for is after `as_of` (false: only some are).
    pub certain: bool,
}

/// Whether `date` is after `as_of`: `Some(true)` surely, `Some(false)` possibly (a month or
/// year that straddles it), `None` not (or a date that cannot be read).
pub fn after(date: &str, as_of: &str) -> Option<bool> {
    let (first, last) = date_span(date)?;
    let (_, as_of_last) = date_span(as_of)?;
    if first > as_of_last {
        Some(true)
    } else if last > as_of_last {
        Some(false)
    } else {
        None
    }
}

/// Every proposal, then every source, dated after `s.meta().as_of` (none when the scenario
/// has no `as_of`), in file order.
pub fn dated_after_as_of(s: &Scenario) -> Vec<DatedAfter> {
    let Some(as_of) = s.meta().as_of.as_deref() else { return vec![] };
    let proposals =
        s.proposals().iter().enumerate().map(|(j, p)| (DatedKind::Proposal(j), &p.date));
    let sources = s.sources().iter().enumerate().map(|(j, x)| (DatedKind::Source(j), &x.date));
    proposals
        .chain(sources)
        .filter_map(|(kind, date)| {
            let date = date.as_deref()?;
            let certain = after(date, as_of)?;
            Some(DatedAfter { kind, date: date.to_string(), certain })
        })
        .collect()
}

/// The proposal a report focuses on, "the latest draft": the latest by date as written
/// (compared as text, so `2025-12` comes before `2025-12-03`; an undated proposal before
/// any dated one), the last listed among equals. `None` when there is no proposal.
pub fn latest_proposal(s: &Scenario) -> Option<usize> {
    (0..s.proposals().len()).max_by(|&a, &b| {
        let da = s.proposals()[a].date.as_deref().unwrap_or("");
        let db = s.proposals()[b].date.as_deref().unwrap_or("");
        da.cmp(db).then(a.cmp(&b))
    })
}

/// Sources dated after `as_of` taken together: those surely after, or those possibly
/// after, with the range of their dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LateSources<'a> {
    /// Whether these are surely after `as_of` (false: possibly).
    pub certain: bool,
    /// The earliest date among them, as written.
    pub first: &'a str,
    /// The latest date among them, as written.
    pub last: &'a str,
    /// The sources, by index, in file order.
    pub sources: Vec<usize>,
}

/// The sources among `late` in at most two groups, those surely after `as_of` first, then
/// those possibly after; a group with no source is left out.
pub fn late_sources(late: &[DatedAfter]) -> Vec<LateSources<'_>> {
    [true, false]
        .into_iter()
        .filter_map(|certain| {
            let group: Vec<&DatedAfter> = late
                .iter()
                .filter(|d| matches!(d.kind, DatedKind::Source(_)) && d.certain == certain)
                .collect();
            let first = group.iter().map(|d| d.date.as_str()).min()?;
            let last = group.iter().map(|d| d.date.as_str()).max()?;
            let sources = group
                .iter()
                .filter_map(|d| match d.kind {
                    DatedKind::Source(j) => Some(j),
                    DatedKind::Proposal(_) => None,
                })
                .collect();
            Some(LateSources { certain, first, last, sources })
        })
        .collect()
}

/// A date in words: `2025-12-23` as `23 Dec 2025`, `2025-12` as `Dec 2025`, `2025` as is;
/// a date that cannot be read as written.
pub fn date_words(date: &str) -> String {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let parts: Vec<&str> = date.split('-').collect();
    let month = |m: &str| m.parse::<usize>().ok().and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match (parts.as_slice(), date_span(date)) {
        ([y], Some(_)) => (*y).to_string(),
        ([y, m], Some(_)) => match month(m) {
            Some(m) => format!("{m} {y}"),
            None => date.to_string(),
        },
        ([y, m, d], Some(((_, _, day), _))) => match month(m) {
            Some(m) if !d.is_empty() => format!("{day} {m} {y}"),
            _ => date.to_string(),
        },
        _ => date.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::tests::river;
    use detente_core::Source;

    #[test]
    fn after_as_of() {
        assert_eq!(after("2025-12-23", "2025-12-03"), Some(true));
        assert_eq!(after("2025-12-03", "2025-12-03"), None);
        assert_eq!(after("2025-12-02", "2025-12-03"), None);
        assert_eq!(after("2025-12", "2025-12-03"), Some(false));
        assert_eq!(after("2026", "2025-12-03"), Some(true));
        assert_eq!(after("2025", "2025-12-03"), Some(false));
        assert_eq!(after("2025-12-20", "2025-12"), None);
        assert_eq!(after("2026-01-01", "2025-12"), Some(true));
        assert_eq!(after("soon", "2025-12"), None);
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(date_words("2025-12-03"), "3 Dec 2025");
        assert_eq!(date_words("2025-12"), "Dec 2025");
        assert_eq!(date_words("2025"), "2025");
        assert_eq!(date_words("2025-13"), "2025-13");
        assert_eq!(date_words("x"), "x");
    }

    #[test]
    fn lists_proposals_then_sources() {
        let s = river();
        assert!(dated_after_as_of(&s).is_empty());
        let s = s
            .edit(|s| {
                s.proposals[1].date = Some("2026-03-10".into());
                s.proposals[0].date = Some("2026-03-01".into());
                s.sources.push(Source {
                    id: "S1".into(),
                    title: "t".into(),
                    url: None,
                    date: Some("2026-03".into()),
                    outlet: None,
                    quality: None,
                });
            })
            .unwrap();
        assert!(dated_after_as_of(&s).is_empty(), "no as_of, nothing is late");
        let s = s.edit(|s| s.meta.as_of = Some("2026-03-05".into())).unwrap();
        assert_eq!(
            dated_after_as_of(&s),
            vec![
                DatedAfter {
                    kind: DatedKind::Proposal(1),
                    date: "2026-03-10".into(),
                    certain: true
                },
                DatedAfter { kind: DatedKind::Source(0), date: "2026-03".into(), certain: false },
            ]
        );
    }

    #[test]
    fn the_latest_draft_is_the_last_dated_then_the_last_listed() {
        let mut s = river();
        assert_eq!(latest_proposal(&s), Some(1), "undated: the last listed");
        s = s.edit(|s| s.proposals[0].date = Some("2025-12-03".into())).unwrap();
        assert_eq!(latest_proposal(&s), Some(0), "a dated draft comes after an undated one");
        s = s.edit(|s| s.proposals[1].date = Some("2025-12".into())).unwrap();
        assert_eq!(latest_proposal(&s), Some(0), "a month comes before its days");
        s = s.edit(|s| s.proposals[1].date = Some("2025-12-03".into())).unwrap();
        assert_eq!(latest_proposal(&s), Some(1), "equal dates: the last listed");
        s = s.edit(|s| s.proposals.clear()).unwrap();
        assert_eq!(latest_proposal(&s), None);
    }

    #[test]
    fn late_sources_group_by_certainty_with_their_range() {
        let source = |j: usize, date: &str, certain: bool| DatedAfter {
            kind: DatedKind::Source(j),
            date: date.into(),
            certain,
        };
        let late = vec![
            DatedAfter { kind: DatedKind::Proposal(0), date: "2026-01".into(), certain: true },
            source(0, "2026-02-01", true),
            source(1, "2025-12", false),
            source(2, "2026-01-05", true),
        ];
        assert_eq!(
            late_sources(&late),
            vec![
                LateSources {
                    certain: true,
                    first: "2026-01-05",
                    last: "2026-02-01",
                    sources: vec![0, 2]
                },
                LateSources { certain: false, first: "2025-12", last: "2025-12", sources: vec![1] },
            ]
        );
        assert!(late_sources(&late[..1]).is_empty());
    }
}
