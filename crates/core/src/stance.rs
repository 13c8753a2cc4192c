//! Stances: a party's preference, red lines and evidence on one issue.

/// How a party values the options of an issue.
#[derive(Clone, Debug, PartialEq)]
pub enum Preference {
    /// One value in `[0, 1]` per option, in the issue's option order (discrete issues).
    Values(Vec<f64>),
    /// An ideal point and a tolerance on a scale: value `max(0, 1 - |x - ideal| / tolerance)`.
    Ideal {
        /// The most preferred point, within the scale's bounds.
        ideal: f64,
        /// Distance from the ideal at which the value reaches 0; `> 0`.
        tolerance: f64,
    },
}

/// What a red line rules out.
#[derive(Clone, Debug, PartialEq)]
pub enum RedLineKind {
    /// These options are never acceptable.
    Forbid(Vec<usize>),
    /// Only these options are acceptable.
    Require(Vec<usize>),
    /// On a scale, only values within these bounds are acceptable.
    Bounds {
        /// Lowest acceptable value, if bounded below.
        min: Option<f64>,
        /// Highest acceptable value, if bounded above.
        max: Option<f64>,
    },
}

/// Which red line: the `index`-th red line of party `party`'s stance on issue `issue`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RedLineRef {
    /// Party index.
    pub party: usize,
    /// Issue index.
    pub issue: usize,
    /// Index into the stance's red lines.
    pub index: usize,
}

/// A line a party will not cross on one issue.
#[derive(Clone, Debug, PartialEq)]
pub struct RedLine {
    /// What it rules out.
    pub kind: RedLineKind,
    /// Why the party holds it, in words (with its evidence in the stance).
    pub reason: Option<String>,
}

impl RedLine {
    /// Whether the option with this index (and, on a scale, this value) keeps the red line.
    pub fn allows(&self, option_idx: usize, scale_value: Option<f64>) -> bool {
        match &self.kind {
            RedLineKind::Forbid(opts) => !opts.contains(&option_idx),
            RedLineKind::Require(opts) => opts.contains(&option_idx),
            RedLineKind::Bounds { min, max } => {
                let Some(x) = scale_value else { return true };
                min.is_none_or(|m| x >= m - 1e-9 * m.abs().max(1.0))
                    && max.is_none_or(|m| x <= m + 1e-9 * m.abs().max(1.0))
            }
        }
    }
}

/// How good a piece of evidence is: A well sourced, B moderately sourced, C weak or inferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    /// Official text, on-record statement, or two independent reputable reports.
    A,
    /// One reputable report, or reputable relays of one leak.
    B,
    /// Aggregator-only, conflicting copies, or the analyst's own inference.
    C,
}

impl Grade {
    /// `A`, `B` or `C`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
        }
    }

    /// Reads `A`, `B` or `C`.
    pub fn parse(s: &str) -> Option<Grade> {
        match s {
            "A" => Some(Grade::A),
            "B" => Some(Grade::B),
            "C" => Some(Grade::C),
            _ => None,
        }
    }
}

/// One piece of evidence behind a stance.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// Index of the source in [`Scenario::sources`](crate::Scenario::sources).
    pub source: usize,
    /// What the source says, in the analyst's words or as a quotation marked as such.
    pub note: Option<String>,
}

/// A party's stance on one issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Stance {
    /// Salience, `>= 0`, relative to the party's other weights.
    pub weight: f64,
    /// How it values the options.
    pub preference: Preference,
    /// Its red lines on this issue.
    pub red_lines: Vec<RedLine>,
    /// The sources behind the numbers.
    pub evidence: Vec<Evidence>,
    /// How sure the analyst is of this stance.
    pub confidence: Option<Grade>,
    /// The stance in words.
    pub summary: Option<String>,
}

impl Stance {
    /// A stance with per-option values, no red lines and no evidence.
    pub fn values(weight: f64, values: Vec<f64>) -> Stance {
        Stance {
            weight,
            preference: Preference::Values(values),
            red_lines: vec![],
            evidence: vec![],
            confidence: None,
            summary: None,
        }
    }

    /// A stance with an ideal point and tolerance, no red lines and no evidence.
    pub fn ideal(weight: f64, ideal: f64, tolerance: f64) -> Stance {
        Stance {
            weight,
            preference: Preference::Ideal { ideal, tolerance },
            red_lines: vec![],
            evidence: vec![],
            confidence: None,
            summary: None,
        }
    }

    /// Adds a red line.
    pub fn with_red_line(mut self, kind: RedLineKind, reason: Option<&str>) -> Stance {
        self.red_lines.push(RedLine { kind, reason: reason.map(str::to_string) });
        self
    }
}
