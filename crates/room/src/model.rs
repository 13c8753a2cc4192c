//! The room's model: ids, the skeleton (a scenario without private numbers), the audit
//! trail's entries and the crossing rule of blind bidding. Pure: no I/O, no clock (every
//! time is passed in by the caller, in seconds since the Unix epoch).

use detente_core::{Issue, Scenario, UtilityForm};

use crate::error::Error;

/// The longest text accepted in any id, token or name given to the room (bytes).
pub const MAX_ID: usize = 128;

/// A room's id: 32 lowercase hexadecimal digits (128 random bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(String);

impl RoomId {
    /// Reads a room id, or an error saying what is wrong with it.
    pub fn parse(s: &str) -> Result<RoomId, Error> {
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(RoomId(s.to_string()))
        } else {
            Err(Error::invalid(format!(
                "room id: expected 32 lowercase hexadecimal digits, got {}",
                quote(s)
            )))
        }
    }

    pub(crate) fn from_random(bytes: &[u8; 16]) -> RoomId {
        RoomId(crate::secret::hex(bytes))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RoomId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user's text in an error message: quoted, cut at 40 characters, control characters
/// escaped, so that no input can forge lines of a log or a page.
pub(crate) fn quote(s: &str) -> String {
    let cut: String = s.chars().take(40).collect();
    let more = if cut.len() < s.len() { "..." } else { "" };
    format!("{:?}{more}", cut)
}

/// The public part of a negotiation: parties, points, options and drafts, with no party's
/// weights, values, red lines, reservation, evidence or history.
///
/// It is a [`Scenario`] whose every stance is empty, every reservation, bias and discount
/// zero or none, every capability 1, and which has no sources, stated ranges or dated
/// record: so the analysis functions take it as it is, and a party's inputs are added to
/// it to make the private scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Skeleton(Scenario);

impl Skeleton {
    /// The skeleton of a scenario: its private numbers and everything said about them
    /// dropped. Errors for a scenario with raw utilities (imported domains: a room takes
    /// normalised weights and values in `[0, 1]`).
    pub fn from_scenario(s: &Scenario) -> Result<Skeleton, Error> {
        if s.meta().utility != UtilityForm::Normalised {
            return Err(Error::invalid(
                "a room needs a scenario with normalised utilities, not raw ones",
            ));
        }
        let n_issues = s.issues().len();
        let parties = s
            .parties()
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.reservation = 0.0;
                p.bias = 0.0;
                p.capability = 1.0;
                p.discount = None;
                p
            })
            .collect::<Vec<_>>();
        let stances = vec![vec![None; n_issues]; parties.len()];
        let mut meta = s.meta().clone();
        meta.description = None;
        let proposals = s
            .proposals()
            .iter()
            .map(|p| {
                let mut p = p.clone();
                // A draft keeps its terms; what it amends is resolved already.
                p.amends = None;
                p.stated = vec![true; n_issues];
                p
            })
            .collect();
        let skeleton =
            Scenario::new(meta, parties, s.issues().to_vec(), stances, proposals, vec![])
                .map_err(|e| Error::invalid(format!("skeleton: {e}")))?;
        Ok(Skeleton(skeleton))
    }

    /// The skeleton as a scenario (every stance empty).
    pub fn scenario(&self) -> &Scenario {
        &self.0
    }

    /// Stored form: the scenario format's JSON.
    pub(crate) fn to_json(&self) -> String {
        detente_scenario::to_json(&self.0)
    }

    /// Reads the stored form back.
    pub(crate) fn from_json(text: &str) -> Result<Skeleton, Error> {
        let s = detente_scenario::parse(
            "room skeleton",
            text.as_bytes(),
            detente_scenario::Format::Json,
        )
        .map_err(|e| Error::storage(format!("stored skeleton unreadable: {e}")))?;
        Ok(Skeleton(s))
    }

    /// The index of the party with this id, or a not-found error.
    pub fn party(&self, id: &str) -> Result<usize, Error> {
        self.0.party_index(id).ok_or_else(|| Error::not_found(format!("no party {}", quote(id))))
    }

    /// The index of the issue with this id, or a not-found error.
    pub fn issue(&self, id: &str) -> Result<usize, Error> {
        self.0.issue_index(id).ok_or_else(|| Error::not_found(format!("no point {}", quote(id))))
    }

    /// The index of the draft with this id, or a not-found error.
    pub fn draft(&self, id: &str) -> Result<usize, Error> {
        self.0.proposal_index(id).ok_or_else(|| Error::not_found(format!("no draft {}", quote(id))))
    }
}

/// One entry of the audit trail: who did what, when. The entries say what changed, never
/// a party's number (the mediator reads them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its place in the trail (increasing).
    pub seq: i64,
    /// When, in seconds since the Unix epoch, as the caller gave it.
    pub at: i64,
    /// Who: `mediator`, `party:ID`, `room` (a settlement the room reached itself) or
    /// `operator` (whoever runs the store, reissuing a token outside the room's roles).
    pub who: String,
    /// What, in words.
    pub what: String,
}

/// The mediator's budget of drafts: at most `drafts` drafts in a room in any `window`
/// seconds (a sliding window), the drafts the room was created with counted as added at its
/// creation. Each draft asks every party's verdict on it, a yes/no question about the
/// party's numbers, so the budget bounds how fast the mediator can probe them; it does not
/// stop a patient mediator (docs/security.md, "By inference").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DraftBudget {
    /// Drafts allowed in any window (at least 1).
    pub drafts: usize,
    /// The window, in seconds (at least 1).
    pub window: i64,
}

impl DraftBudget {
    /// The budget of a server: 20 drafts in any 24 hours.
    pub const DEFAULT: DraftBudget = DraftBudget { drafts: 20, window: 24 * 3600 };

    /// The earliest time, `now` or later, at which one more draft fits the budget, given
    /// when the room's drafts were added (any order; times after `now`, from a clock set
    /// back, count as recent).
    pub fn next_allowed(&self, added: &[i64], now: i64) -> i64 {
        next_in_window(self.drafts, self.window, added, now)
    }

    /// Leave to add one more draft at `now`, or a [`crate::ErrorKind::TooMany`] error
    /// saying when the next one fits.
    pub fn check(&self, added: &[i64], now: i64) -> Result<(), Error> {
        let at = self.next_allowed(added, now);
        if at <= now {
            return Ok(());
        }
        Err(spent(
            "the mediator's budget of drafts",
            self.drafts,
            self.window,
            "each draft asks every party's verdict",
            "the next draft may be added",
            at,
            now,
        ))
    }
}

/// The earliest time, `now` or later, at which fewer than `most` of `times` lie in the
/// sliding window of `window` seconds ending then: one more event fits a budget of `most`
/// in any `window` (times after `now`, from a clock set back, count as recent).
pub(crate) fn next_in_window(most: usize, window: i64, times: &[i64], now: i64) -> i64 {
    let most = most.max(1);
    let mut recent: Vec<i64> = times.iter().copied().filter(|&t| t > now - window).collect();
    if recent.len() < most {
        return now;
    }
    // Newest first: the event whose leaving the window frees a place is the `most`-th
    // newest; it leaves when the window has moved past it.
    recent.sort_unstable_by(|a, b| b.cmp(a));
    (recent[most - 1] + window).max(now)
}

/// The refusal of a spent budget (`most` in any `window` seconds), in one wording: what the
/// budget is, why it exists, and when (`at`, after `now`) the next try fits.
pub(crate) fn spent(
    budget: &str,
    most: usize,
    window: i64,
    why: &str,
    next: &str,
    at: i64,
    now: i64,
) -> Error {
    Error::too_many(
        format!(
            "{budget} ({most} in any {}) is spent ({why}; docs/security.md): {next} at {} UTC, in {}",
            span(window),
            detente_core::utc_text(at),
            span(at - now)
        ),
        at,
    )
}

/// A length of time in words, rounded up to the minute past a minute: `24 hours`,
/// `3 h 12 min`, `40 s`.
pub(crate) fn span(secs: i64) -> String {
    let secs = secs.max(0);
    if secs < 60 {
        return format!("{secs} s");
    }
    let minutes = (secs + 59) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (1, 0) => "1 hour".to_string(),
        (h, 0) => format!("{h} hours"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The crossing rule of blind bidding on a scale point.
///
/// The `low` side's offer is the most it will concede (a payer's highest payment, the
/// latest date a party accepts); the `high` side's offer is the least it will take. The
/// offers **cross** when `low >= high`; the settlement is then the midpoint
/// `(low + high) / 2` ("split the difference"), moved to the nearest point of the scale's
/// grid, a midpoint exactly between two grid points going to the one with the even index
/// (so that neither side is favoured by rounding). `None`: not yet crossed.
pub fn settlement(issue: &Issue, low: f64, high: f64) -> Option<f64> {
    if low < high {
        return None;
    }
    let detente_core::IssueKind::Scale { min, max, step, .. } = issue.kind else { return None };
    let mid = low / 2.0 + high / 2.0;
    let x = ((mid - min) / step).clamp(0.0, (max - min) / step);
    let below = x.floor();
    let frac = x - below;
    let k = if (frac - 0.5).abs() < 1e-9 {
        if below % 2.0 == 0.0 { below } else { below + 1.0 }
    } else {
        x.round()
    };
    issue.scale_value(k as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::Issue;

    #[test]
    fn room_ids_are_checked() {
        assert!(RoomId::parse("0123456789abcdef0123456789abcdef").is_ok());
        for bad in ["", "0123", "0123456789ABCDEF0123456789ABCDEF", "'; drop table rooms; --"] {
            let e = RoomId::parse(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
        }
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        assert_eq!(quote(&"x".repeat(50)), format!("{:?}...", "x".repeat(40)));
    }

    #[test]
    fn spans_are_said_in_words() {
        assert_eq!(
            [span(0), span(40), span(60), span(61), span(3600), span(86_400), span(11_520)],
            ["0 s", "40 s", "1 min", "2 min", "1 hour", "24 hours", "3 h 12 min"]
        );
    }

    #[test]
    fn the_draft_budget_frees_a_place_when_the_window_passes_a_draft() {
        // A brute-force oracle: the first second from `now` at which fewer than `drafts`
        // of the added times lie in the window ending then.
        let oracle = |b: &DraftBudget, added: &[i64], now: i64| -> i64 {
            (now..)
                .find(|x| added.iter().filter(|&&t| t > x - b.window).count() < b.drafts)
                .unwrap()
        };
        // Every list of up to four times in 0..7 (each digit of `code` in base 8 a time,
        // 7 none), every `now` from 3 to 9 (times after it: a clock set back), budgets of 1
        // to 3 drafts in windows of 1 to 6 seconds.
        let mut cases = 0;
        for code in 0..8usize.pow(4) {
            let added: Vec<i64> = (0..4)
                .map(|d| (code / 8usize.pow(d)) % 8)
                .filter(|&t| t < 7)
                .map(|t| t as i64)
                .collect();
            for (drafts, window, now) in
                (1..=3).flat_map(|d| (1..=6).flat_map(move |w| (3..=9).map(move |n| (d, w, n))))
            {
                let b = DraftBudget { drafts, window };
                let want = oracle(&b, &added, now);
                assert_eq!(b.next_allowed(&added, now), want, "{b:?} {added:?} {now}");
                assert_eq!(b.check(&added, now).is_ok(), want == now);
                cases += 1;
            }
        }
        assert_eq!(cases, 4096 * 3 * 6 * 7);
        let b = DraftBudget { drafts: 2, window: 24 * 3600 };
        let e = b.check(&[1_764_000_000, 1_764_000_100], 1_764_000_200).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::TooMany);
        assert_eq!(e.retry_at(), Some(1_764_086_400));
        assert_eq!(
            e.message(),
            "the mediator's budget of drafts (2 in any 24 hours) is spent (each draft asks every party's verdict; docs/security.md): the next draft may be added at 2025-11-25 16:00:00 UTC, in 23 h 57 min"
        );
    }

    #[test]
    fn settlement_splits_the_difference_on_the_grid() {
        let sum = Issue::scale("sum", "Sum", "m", 0.0, 100.0, 10.0);
        assert_eq!(settlement(&sum, 30.0, 40.0), None);
        assert_eq!(settlement(&sum, 40.0, 40.0), Some(40.0));
        assert_eq!(settlement(&sum, 60.0, 40.0), Some(50.0));
        // Midpoint 55 lies between 50 (index 5) and 60 (index 6): the even index.
        assert_eq!(settlement(&sum, 70.0, 40.0), Some(60.0));
        // Midpoint 45 between 40 (index 4) and 50: index 4.
        assert_eq!(settlement(&sum, 50.0, 40.0), Some(40.0));
        // Off the grid, nearest point: midpoint 43 -> 40.
        assert_eq!(settlement(&sum, 46.0, 40.0), Some(40.0));
        // A brute-force oracle over every pair of grid offers: the settlement lies between
        // the offers, is a grid point, and is the grid point nearest the midpoint.
        for lo in 0..=10 {
            for hi in 0..=10 {
                let (l, h) = (lo as f64 * 10.0, hi as f64 * 10.0);
                let got = settlement(&sum, l, h);
                if l < h {
                    assert_eq!(got, None);
                    continue;
                }
                let x = got.unwrap();
                assert!(h <= x && x <= l, "{l} {h} {x}");
                let mid = (l + h) / 2.0;
                let best = (0..=10)
                    .map(|k| k as f64 * 10.0)
                    .map(|g| (g - mid).abs())
                    .fold(f64::INFINITY, f64::min);
                assert!(((x - mid).abs() - best).abs() < 1e-9, "{l} {h} {x}");
            }
        }
        let discrete = Issue::discrete("d", "D", &["a", "b"]);
        assert_eq!(settlement(&discrete, 1.0, 0.0), None);
    }

    #[test]
    fn a_skeleton_keeps_no_private_number() {
        let s = detente_scenario::shipped::load("tutorial").unwrap().unwrap();
        let k = Skeleton::from_scenario(&s).unwrap();
        let sk = k.scenario();
        assert_eq!(sk.parties().len(), s.parties().len());
        assert_eq!(sk.issues(), s.issues());
        assert!(sk.stances().iter().flatten().all(Option::is_none));
        assert!(sk.parties().iter().all(|p| p.reservation == 0.0 && p.capability == 1.0));
        assert!(sk.sources().is_empty());
        for (a, b) in sk.proposals().iter().zip(s.proposals()) {
            assert_eq!(a.terms, b.terms);
        }
        // The stored form reads back equal.
        assert_eq!(Skeleton::from_json(&k.to_json()).unwrap(), k);
        // No number of the tutorial's stances is in the stored form.
        let text = k.to_json();
        for needle in ["\"reservation\": 0.45", "0.35", "tolerance", "red_lines", "weight"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }
}
