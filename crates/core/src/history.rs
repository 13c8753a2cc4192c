//! The negotiation over time: dated revisions of stances and reservations, and dated events
//! (meetings, statements) that may change no number. A scenario's stances are its first
//! known state; [`Scenario::as_of`] gives the scenario as it was known on a day.

use crate::{Error, Evidence, Preference, RedLine, Scenario};

/// A day as `(year, month, day)`.
pub type Day = (u32, u32, u32);

/// A date written `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as the first and last day it stands for
/// (a month stands for days 1 to 31 of it; the bound is only compared, never shown). `None`
/// for a date that cannot be read.
pub fn date_span(date: &str) -> Option<(Day, Day)> {
    let parts: Vec<&str> = date.split('-').collect();
    let n = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    match parts.as_slice() {
        [y] => {
            let y = n(y)?;
            Some(((y, 1, 1), (y, 12, 31)))
        }
        [y, m] => {
            let (y, m) = (n(y)?, n(m)?);
            (1..=12).contains(&m).then_some(((y, m, 1), (y, m, 31)))
        }
        [y, m, d] => {
            let day = (n(y)?, n(m)?, n(d)?);
            ((1..=12).contains(&day.1) && (1..=31).contains(&day.2)).then_some((day, day))
        }
        _ => None,
    }
}

/// A single day `YYYY-MM-DD`, or `None`.
pub fn day(date: &str) -> Option<Day> {
    match date_span(date) {
        Some((a, b)) if a == b => Some(a),
        _ => None,
    }
}

/// Whether something dated `date` is surely later than day `d` (its first day is after it).
/// An unreadable date is never later.
pub fn surely_after(date: &str, d: Day) -> bool {
    date_span(date).is_some_and(|(first, _)| first > d)
}

/// Days since 1970-01-01 of a day of the proleptic Gregorian calendar (negative before it;
/// Howard Hinnant's algorithm over eras of 400 years).
pub fn days_from_civil((y, m, d): Day) -> i64 {
    let (y, m, d) = (i64::from(y), i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day `days` after 1970-01-01 (before it if negative), with its year unbounded.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

/// The day `days` after 1970-01-01 (before it if negative), its year held to 0..=9999.
pub fn civil_from_days(days: i64) -> Day {
    let (y, m, d) = civil(days);
    (y.clamp(0, 9999) as u32, m, d)
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS` in UTC (proleptic Gregorian).
pub fn utc_text(seconds: i64) -> String {
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// A dated change to one party's stance on one issue, or to its reservation: from `date`
/// on, the fields it gives replace the stance's (or the party's).
#[derive(Clone, Debug, PartialEq)]
pub struct StanceRevision {
    /// Index of the party.
    pub party: usize,
    /// Index of the issue whose stance changes; `None` for a change of the party's
    /// reservation alone.
    pub issue: Option<usize>,
    /// The day it takes effect, `YYYY-MM-DD`.
    pub date: String,
    /// The new weight.
    pub weight: Option<f64>,
    /// The new values (or ideal and tolerance).
    pub preference: Option<Preference>,
    /// The new red lines (all of them: an empty list drops every red line).
    pub red_lines: Option<Vec<RedLine>>,
    /// The party's new reservation (only with no issue).
    pub reservation: Option<f64>,
    /// The stance in words from then on.
    pub summary: Option<String>,
    /// The sources of the change (at least one).
    pub evidence: Vec<Evidence>,
}

impl StanceRevision {
    /// The names of the fields it changes, in a fixed order.
    pub fn changes(&self) -> Vec<&'static str> {
        let mut out = vec![];
        if self.weight.is_some() {
            out.push("weight");
        }
        if let Some(p) = &self.preference {
            out.push(match p {
                Preference::Values(_) => "values",
                Preference::Ideal { .. } => "ideal",
            });
        }
        if self.red_lines.is_some() {
            out.push("red_lines");
        }
        if self.reservation.is_some() {
            out.push("reservation");
        }
        if self.summary.is_some() {
            out.push("summary");
        }
        out
    }
}

/// A dated event of the talks (a meeting, a statement, a leak) with the parties involved
/// and the points touched; it may change no number.
#[derive(Clone, Debug, PartialEq)]
pub struct TalksEvent {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// What happened, in a line.
    pub title: String,
    /// The parties involved, by index.
    pub parties: Vec<usize>,
    /// The points (issues) touched, by index.
    pub issues: Vec<usize>,
    /// The sources (at least one).
    pub evidence: Vec<Evidence>,
}

/// A scenario's dated record: revisions and events, in file order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct History {
    /// Dated changes of stances and reservations.
    pub revisions: Vec<StanceRevision>,
    /// Dated events.
    pub events: Vec<TalksEvent>,
}

impl History {
    /// Whether the record holds nothing (a format v1 file without history).
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty() && self.events.is_empty()
    }
}

/// What a snapshot left out as later than its day.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Later {
    /// The day of the snapshot, `YYYY-MM-DD`.
    pub date: String,
    /// The revisions dated after it, by index into the full scenario's history.
    pub revisions: Vec<usize>,
    /// The events dated after it, by index.
    pub events: Vec<usize>,
    /// The proposals dated after it, by index into the full scenario's proposals.
    pub proposals: Vec<usize>,
}

impl Later {
    /// Whether nothing was left out.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty() && self.events.is_empty() && self.proposals.is_empty()
    }
}

impl Scenario {
    /// The scenario as it was known on day `date` (`YYYY-MM-DD`): every revision dated on
    /// or before it applied in date order (file order among equals), the proposals dated
    /// after it left out (with those that amend them), and the history after it dropped;
    /// `as_of` becomes `date`. Stated ranges and doubts of a revised number or red line are
    /// dropped (they described the number before the revision). Also says what was left
    /// out as later.
    pub fn as_of(&self, date: &str) -> Result<(Scenario, Later), Error> {
        let d = day(date)
            .ok_or_else(|| Error::new(format!("as of {date:?}: a day is written YYYY-MM-DD")))?;
        let mut later = Later { date: date.to_string(), ..Later::default() };
        let mut parts = self.clone().into_parts();
        parts.meta.as_of = Some(date.to_string());
        // Revisions up to the day, in date order.
        let mut order: Vec<usize> = (0..self.history().revisions.len()).collect();
        order.sort_by_key(|&j| day(&self.history().revisions[j].date));
        for j in order {
            let r = &self.history().revisions[j];
            if surely_after(&r.date, d) {
                later.revisions.push(j);
                continue;
            }
            apply(&mut parts, r);
        }
        later.revisions.sort_unstable();
        let history = &mut parts.history;
        let keep: Vec<bool> = history.revisions.iter().map(|r| !surely_after(&r.date, d)).collect();
        let mut k = keep.iter();
        history.revisions.retain(|_| *k.next().unwrap_or(&true));
        for (j, e) in self.history().events.iter().enumerate() {
            if surely_after(&e.date, d) {
                later.events.push(j);
            }
        }
        history.events.retain(|e| !surely_after(&e.date, d));
        // Proposals after the day, and those amending them, are left out; the rest are
        // renumbered.
        let n = parts.proposals.len();
        let mut gone = vec![false; n];
        for j in 0..n {
            let p = &parts.proposals[j];
            gone[j] = p.date.as_deref().is_some_and(|x| surely_after(x, d))
                || p.amends.is_some_and(|a| gone[a]);
            if gone[j] {
                later.proposals.push(j);
            }
        }
        if !later.proposals.is_empty() {
            let mut new_index = vec![None; n];
            let mut next = 0;
            for j in 0..n {
                if !gone[j] {
                    new_index[j] = Some(next);
                    next += 1;
                }
            }
            let old = std::mem::take(&mut parts.proposals);
            for (j, mut p) in old.into_iter().enumerate() {
                if gone[j] {
                    continue;
                }
                p.amends = p.amends.and_then(|a| new_index[a]);
                parts.proposals.push(p);
            }
        }
        Ok((Scenario::from_parts(parts)?, later))
    }
}

/// Applies one revision to the parts, dropping the stated ranges and doubts it supersedes.
fn apply(parts: &mut crate::ScenarioParts, r: &StanceRevision) {
    use crate::Estimate;
    let u = &mut parts.uncertainty;
    if let Some(x) = r.reservation
        && let Some(party) = parts.parties.get_mut(r.party)
    {
        party.reservation = x;
        u.ranges.retain(|s| s.estimate != Estimate::Reservation { party: r.party });
    }
    let Some(i) = r.issue else { return };
    let Some(Some(stance)) = parts.stances.get_mut(r.party).and_then(|row| row.get_mut(i)) else {
        return;
    };
    if let Some(w) = r.weight {
        stance.weight = w;
        u.ranges.retain(|s| s.estimate != Estimate::Weight { party: r.party, issue: i });
    }
    if let Some(p) = &r.preference {
        stance.preference = p.clone();
        u.ranges.retain(|s| {
            !(s.estimate.party() == r.party
                && s.estimate.issue() == Some(i)
                && !matches!(s.estimate, Estimate::Weight { .. }))
        });
    }
    if let Some(lines) = &r.red_lines {
        stance.red_lines = lines.clone();
        u.doubts.retain(|x| !(x.red_line.party == r.party && x.red_line.issue == i));
    }
    if let Some(s) = &r.summary {
        stance.summary = Some(s.clone());
    }
    // The revision's sources back the stance from then on.
    for e in &r.evidence {
        if !stance.evidence.contains(e) {
            stance.evidence.push(e.clone());
        }
    }
}

/// Checks the history against the rest of the scenario: indices in range, a revision of a
/// stance names a stance that exists and changes only what a stance has, a reservation
/// revision names no issue, every number as the scenario's own, days well formed, at least
/// one source each.
pub(crate) fn check(s: &crate::ScenarioParts) -> Result<(), Error> {
    let h = &s.history;
    for (j, r) in h.revisions.iter().enumerate() {
        let at = || format!("revision {} ({})", j + 1, r.date);
        day(&r.date).ok_or_else(|| Error::new(format!("{}: date must be YYYY-MM-DD", at())))?;
        let party = s
            .parties
            .get(r.party)
            .ok_or_else(|| Error::new(format!("{}: party out of range", at())))?;
        if r.evidence.is_empty() {
            return Err(Error::new(format!("{}: a revision needs a source", at())));
        }
        if r.evidence.iter().any(|e| e.source >= s.sources.len()) {
            return Err(Error::new(format!("{}: evidence cites no source", at())));
        }
        if r.changes().is_empty() || r.changes() == ["summary"] && r.issue.is_none() {
            return Err(Error::new(format!("{}: changes nothing", at())));
        }
        match r.issue {
            None => {
                if r.weight.is_some() || r.preference.is_some() || r.red_lines.is_some() {
                    return Err(Error::new(format!(
                        "{}: a revision with no issue changes only the reservation",
                        at()
                    )));
                }
                if r.summary.is_some() {
                    return Err(Error::new(format!("{}: a summary needs an issue", at())));
                }
            }
            Some(i) => {
                if r.reservation.is_some() {
                    return Err(Error::new(format!(
                        "{}: a reservation is revised without an issue",
                        at()
                    )));
                }
                let Some(Some(stance)) = s.stances.get(r.party).and_then(|row| row.get(i)) else {
                    return Err(Error::new(format!(
                        "{}: party {} has no stance on issue {} to revise",
                        at(),
                        party.id,
                        i
                    )));
                };
                let mut revised = stance.clone();
                if let Some(w) = r.weight {
                    revised.weight = w;
                }
                if let Some(p) = &r.preference {
                    revised.preference = p.clone();
                }
                if let Some(l) = &r.red_lines {
                    revised.red_lines = l.clone();
                }
                crate::scenario::check_stance(
                    s.meta.utility,
                    &s.issues[i],
                    &revised,
                    s.sources.len(),
                    &at(),
                )?;
            }
        }
        if let Some(x) = r.reservation {
            let mut p = party.clone();
            p.reservation = x;
            crate::scenario::check_party(s.meta.utility, &p)?;
        }
    }
    for (j, e) in h.events.iter().enumerate() {
        let at = || format!("event {} ({})", j + 1, e.date);
        day(&e.date).ok_or_else(|| Error::new(format!("{}: date must be YYYY-MM-DD", at())))?;
        if e.parties.iter().any(|&p| p >= s.parties.len()) {
            return Err(Error::new(format!("{}: party out of range", at())));
        }
        if e.issues.iter().any(|&i| i >= s.issues.len()) {
            return Err(Error::new(format!("{}: issue out of range", at())));
        }
        if e.evidence.is_empty() || e.evidence.iter().any(|x| x.source >= s.sources.len()) {
            return Err(Error::new(format!("{}: an event needs sources that exist", at())));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_are_those_of_another_calendar() {
        // Each pair as Python's datetime.fromtimestamp(t, timezone.utc) writes it.
        for (t, text) in [
            (0, "1970-01-01 00:00:00"),
            (-1, "1969-12-31 23:59:59"),
            (1_764_000_000, "2025-11-24 16:00:00"),
            (951_782_400, "2000-02-29 00:00:00"),
            (4_102_444_800, "2100-01-01 00:00:00"),
            (-86_400, "1969-12-31 00:00:00"),
            (1_709_211_661, "2024-02-29 13:01:01"),
            (253_402_300_799, "9999-12-31 23:59:59"),
        ] {
            assert_eq!(utc_text(t), text, "{t}");
        }
        // Every day of 1600..2400 back and forth.
        let (first, last) = (days_from_civil((1600, 1, 1)), days_from_civil((2399, 12, 31)));
        for z in first..=last {
            assert_eq!(days_from_civil(civil_from_days(z)), z);
        }
        assert_eq!(last - first + 1, 2 * 146_097, "two eras of 400 years");
        assert_eq!(civil_from_days(days_from_civil((2025, 3, 1)) - 1), (2025, 2, 28));
    }
    use crate::{Evidence, Meta, Party, Proposal, Role, Source, Stance, Term};

    fn toy() -> crate::ScenarioParts {
        let issue = crate::Issue::discrete("i", "I", &["a", "b"]);
        let stance = Stance::values(1.0, vec![1.0, 0.0]);
        let source = |id: &str, date: &str| Source {
            id: id.into(),
            title: id.into(),
            url: None,
            date: Some(date.into()),
            outlet: None,
            quality: None,
        };
        let proposal = |id: &str, date: &str, k: usize| Proposal {
            id: id.into(),
            title: id.into(),
            author: None,
            date: Some(date.into()),
            amends: None,
            terms: vec![Term::Set(k)],
            stated: vec![true],
            description: None,
        };
        let mut meta = Meta::named("toy");
        meta.as_of = Some("2025-12-01".into());
        crate::ScenarioParts {
            meta,
            parties: vec![Party::new("p", "P", Role::Principal, 1.0, 0.5)],
            issues: vec![issue],
            stances: vec![vec![Some(stance)]],
            proposals: vec![proposal("d1", "2025-11-20", 0), proposal("d2", "2025-12-23", 1)],
            sources: vec![source("S1", "2025-11-20"), source("S2", "2025-12-16")],
            uncertainty: Default::default(),
            history: History {
                revisions: vec![StanceRevision {
                    party: 0,
                    issue: Some(0),
                    date: "2025-12-16".into(),
                    weight: None,
                    preference: Some(Preference::Values(vec![0.2, 1.0])),
                    red_lines: None,
                    reservation: None,
                    summary: Some("changed".into()),
                    evidence: vec![Evidence { source: 1, note: None }],
                }],
                events: vec![TalksEvent {
                    date: "2025-12-02".into(),
                    title: "a meeting".into(),
                    parties: vec![0],
                    issues: vec![0],
                    evidence: vec![Evidence { source: 0, note: None }],
                }],
            },
        }
    }

    #[test]
    fn snapshots_apply_revisions_up_to_the_day() {
        let s = Scenario::from_parts(toy()).unwrap();
        let (before, later) = s.as_of("2025-12-15").unwrap();
        assert_eq!(before.value(0, 0, 1), 0.0);
        assert_eq!(before.proposals().len(), 1);
        assert_eq!(later.revisions, vec![0]);
        assert_eq!(later.proposals, vec![1]);
        assert!(later.events.is_empty());
        assert_eq!(before.meta().as_of.as_deref(), Some("2025-12-15"));
        let (after, later) = s.as_of("2025-12-16").unwrap();
        assert_eq!(after.value(0, 0, 1), 1.0);
        assert_eq!(after.stance(0, 0).unwrap().summary.as_deref(), Some("changed"));
        assert_eq!(after.proposals().len(), 1);
        assert_eq!(later.proposals, vec![1]);
        assert!(later.revisions.is_empty());
        let (all, later) = s.as_of("2026-01-01").unwrap();
        assert_eq!(all.proposals().len(), 2);
        assert!(later.is_empty());
        assert!(s.as_of("2025-12").is_err());
    }

    #[test]
    fn history_is_checked() {
        let mut p = toy();
        p.history.revisions[0].preference = Some(Preference::Values(vec![2.0, 1.0]));
        assert!(Scenario::from_parts(p).is_err());
        let mut p = toy();
        p.history.revisions[0].evidence.clear();
        assert!(Scenario::from_parts(p).is_err());
        let mut p = toy();
        p.history.revisions[0].reservation = Some(0.3);
        assert!(Scenario::from_parts(p).is_err());
        let mut p = toy();
        p.history.events[0].issues = vec![3];
        assert!(Scenario::from_parts(p).is_err());
        let mut p = toy();
        p.history.revisions[0].date = "2025-12".into();
        assert!(Scenario::from_parts(p).is_err());
    }

    #[test]
    fn dates_span_days() {
        assert_eq!(date_span("2025-12"), Some(((2025, 12, 1), (2025, 12, 31))));
        assert_eq!(day("2025-12-03"), Some((2025, 12, 3)));
        assert_eq!(day("2025"), None);
        assert!(surely_after("2026", (2025, 12, 31)));
        assert!(!surely_after("2025-12", (2025, 12, 3)));
        assert!(!surely_after("soon", (2025, 12, 3)));
    }
}
