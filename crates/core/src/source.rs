//! Sources of evidence and the quality of their outlets.

/// Outlet quality: H official or reputable with named sources, M reputable relay or
/// anonymous sources, L mirror, aggregator or state-aligned network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quality {
    /// Official or reputable with named sources.
    High,
    /// Reputable relay or anonymous-sourced.
    Medium,
    /// Mirror, aggregator, or state-aligned network.
    Low,
}

impl Quality {
    /// `H`, `M` or `L`.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::High => "H",
            Quality::Medium => "M",
            Quality::Low => "L",
        }
    }

    /// Reads `H`, `M` or `L`.
    pub fn parse(s: &str) -> Option<Quality> {
        match s {
            "H" => Some(Quality::High),
            "M" => Some(Quality::Medium),
            "L" => Some(Quality::Low),
            _ => None,
        }
    }
}

/// A source of evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Short identifier, e.g. `S01`.
    pub id: String,
    /// Title of the page or document.
    pub title: String,
    /// Where it can be read.
    pub url: Option<String>,
    /// Publication date as written (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    pub date: Option<String>,
    /// The outlet, or the relay and the original.
    pub outlet: Option<String>,
    /// Quality of the outlet.
    pub quality: Option<Quality>,
}
