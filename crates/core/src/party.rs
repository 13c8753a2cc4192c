//! Parties and their roles.

use std::fmt;

/// What part a party plays in the negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A party whose signature the deal needs.
    Principal,
    /// A party that brokers the deal (it may still have interests of its own).
    Mediator,
    /// A party affected by the deal whose consent is not strictly needed.
    Stakeholder,
}

impl Role {
    /// The name used in files and output: `principal`, `mediator` or `stakeholder`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Principal => "principal",
            Role::Mediator => "mediator",
            Role::Stakeholder => "stakeholder",
        }
    }

    /// Reads the name used in files.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "principal" => Some(Role::Principal),
            "mediator" => Some(Role::Mediator),
            "stakeholder" => Some(Role::Stakeholder),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A party to the negotiation.
#[derive(Clone, Debug, PartialEq)]
pub struct Party {
    /// Short identifier used in files and on the command line.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Clout, `>= 0` (used by the forecasting models; relative between parties).
    pub capability: f64,
    /// Reservation utility: what the party gets with no deal (its BATNA); in `[0, 1]` for
    /// normalised utilities, any finite number for raw ones.
    pub reservation: f64,
    /// Constant added to the party's utility; only raw utilities may have one.
    pub bias: f64,
    /// A time discount factor per round, in `(0, 1]`, as GENIUS profiles carry it; kept for
    /// simulations, ignored by the static analysis.
    pub discount: Option<f64>,
    /// Free text: who this party stands for.
    pub description: Option<String>,
    /// Other names the news uses for it ("the Kremlin", "Ushakov"), for `detente ingest`;
    /// no analysis reads them.
    pub aliases: Vec<String>,
}

impl Party {
    /// A party with no description.
    pub fn new(id: &str, name: &str, role: Role, capability: f64, reservation: f64) -> Party {
        Party {
            id: id.to_string(),
            name: name.to_string(),
            role,
            capability,
            reservation,
            bias: 0.0,
            discount: None,
            description: None,
            aliases: Vec::new(),
        }
    }
}
