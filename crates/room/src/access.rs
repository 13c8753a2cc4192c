//! Who may do what: the one place where access is decided.
//!
//! Every operation of [`Rooms`](crate::Rooms) names the resource it touches and the
//! action, and asks [`decide`] through `authorize` before it reads or writes anything.
//! The answer is a table of (role, resource, action), nothing else: no operation decides
//! access by itself, and the tests walk the whole table.
//!
//! The storage reads a party's private inputs and sealed offers only with a grant
//! (`PartyGrant`) that names the party, and a grant is made only here, only for the
//! party of the session that asks: there is no way to write "read party B's inputs for
//! party A" without going through this module, which refuses it. The mediator's one way to
//! the private numbers is `AssembleGrant`, which the view module turns into a view whose
//! types hold no number of any party.

use crate::error::{Error, ErrorKind};
use crate::model::RoomId;

/// Who is acting in a room.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The mediator who created the room.
    Mediator,
    /// A party, by its id in the room's skeleton.
    Party(String),
}

impl Role {
    /// `mediator` or `party:ID`, as the audit trail and the storage write it.
    pub fn principal(&self) -> String {
        match self {
            Role::Mediator => "mediator".to_string(),
            Role::Party(id) => format!("party:{id}"),
        }
    }

    /// Reads [`Role::principal`]'s form back.
    pub fn from_principal(s: &str) -> Option<Role> {
        match s {
            "mediator" => Some(Role::Mediator),
            _ => s.strip_prefix("party:").map(|id| Role::Party(id.to_string())),
        }
    }
}

/// What an operation touches.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The room's skeleton: parties, points, options and drafts (no private number).
    Skeleton,
    /// A party's private inputs: weights, values, red lines, reservation.
    Inputs(String),
    /// A party's own verdicts on the drafts (computed from its inputs alone).
    Verdicts(String),
    /// The mediator's view: verdicts of every party, whether a deal exists, revisions, Nash.
    MediatorView,
    /// The audit trail.
    Audit,
    /// The biddings of the room: opening one (write), and the state of one whose sides
    /// are the two parties named (read: "not yet crossed" or the settlement).
    Bidding {
        /// The side whose offers rise.
        low: String,
        /// The side whose demands fall.
        high: String,
    },
    /// A party's sealed offers.
    Offers(String),
    /// The token of one holder (the mediator or a party): reissuing it (write); nobody
    /// reads a token, the room keeps only its hash.
    Invitation(Role),
}

/// Reading or changing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Reading.
    Read,
    /// Creating or changing.
    Write,
}

/// Whether `role` may do `action` on `resource`: the whole access policy of a room.
///
/// | resource | read | write |
/// |---|---|---|
/// | skeleton | everyone in the room | the mediator (adding a draft) |
/// | inputs of party X | X | X |
/// | verdicts of party X | X | nobody (computed) |
/// | the mediator's view | the mediator | nobody (computed) |
/// | the audit trail | the mediator | nobody (appended by the room itself) |
/// | a bidding between X and Y | the mediator, X, Y | the mediator (opening it) |
/// | sealed offers of party X | X | X |
/// | the token of the mediator or of party X | nobody | the mediator (reissuing it) |
pub fn decide(role: &Role, resource: &Resource, action: Action) -> bool {
    use Action::*;
    let is = |id: &String| matches!(role, Role::Party(p) if p == id);
    let mediator = *role == Role::Mediator;
    match (resource, action) {
        (Resource::Skeleton, Read) => true,
        (Resource::Skeleton, Write) => mediator,
        (Resource::Inputs(x), _) => is(x),
        (Resource::Verdicts(x), Read) => is(x),
        (Resource::Verdicts(_), Write) => false,
        (Resource::MediatorView, Read) => mediator,
        (Resource::MediatorView, Write) => false,
        (Resource::Audit, Read) => mediator,
        (Resource::Audit, Write) => false,
        (Resource::Bidding { low, high }, Read) => mediator || is(low) || is(high),
        (Resource::Bidding { .. }, Write) => mediator,
        (Resource::Offers(x), _) => is(x),
        (Resource::Invitation(_), Read) => false,
        (Resource::Invitation(_), Write) => mediator,
    }
}

/// A signed-in user of one room: made only by [`Rooms::session`](crate::Rooms::session)
/// (or at sign-in) from a live session token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub(crate) room: RoomId,
    pub(crate) role: Role,
    pub(crate) expires: i64,
}

impl Session {
    /// The room.
    pub fn room(&self) -> &RoomId {
        &self.room
    }

    /// Who is acting.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// When the session ends, in seconds since the Unix epoch.
    pub fn expires(&self) -> i64 {
        self.expires
    }
}

/// Leave to do `action` on `resource` in the session's room, or a [`ErrorKind::Forbidden`]
/// error saying who may not do what.
pub(crate) fn authorize(
    session: &Session,
    resource: &Resource,
    action: Action,
) -> Result<Grant, Error> {
    if decide(&session.role, resource, action) {
        Ok(Grant { room: session.room.clone() })
    } else {
        Err(forbidden(&session.role, resource, action))
    }
}

fn forbidden(role: &Role, resource: &Resource, action: Action) -> Error {
    let who = match role {
        Role::Mediator => "the mediator".to_string(),
        Role::Party(id) => format!("party {id}"),
    };
    let verb = match action {
        Action::Read => "read",
        Action::Write => "change",
    };
    let what = match resource {
        Resource::Skeleton => "the room's drafts".to_string(),
        Resource::Inputs(x) => format!("the private inputs of party {x}"),
        Resource::Verdicts(x) => format!("the verdicts of party {x}"),
        Resource::MediatorView => "the mediator's view".to_string(),
        Resource::Audit => "the audit trail".to_string(),
        Resource::Bidding { low, high } => format!("the bidding between {low} and {high}"),
        Resource::Offers(x) => format!("the sealed offers of party {x}"),
        Resource::Invitation(Role::Mediator) => "the mediator's token".to_string(),
        Resource::Invitation(Role::Party(x)) => format!("the invitation of party {x}"),
    };
    Error::new(ErrorKind::Forbidden, format!("{who} may not {verb} {what}"))
}

/// Leave granted for one room (and nothing more): what the storage asks of every call
/// that touches a room's data outside a party's private rows.
#[derive(Debug)]
pub(crate) struct Grant {
    room: RoomId,
}

impl Grant {
    pub(crate) fn room(&self) -> &RoomId {
        &self.room
    }
}

/// Leave to read and write one party's private rows (inputs, sealed offers): made only by
/// [`own`], for the party of the session, so no call can name another party.
#[derive(Debug)]
pub(crate) struct PartyGrant {
    room: RoomId,
    party: String,
}

impl PartyGrant {
    pub(crate) fn room(&self) -> &RoomId {
        &self.room
    }

    pub(crate) fn party(&self) -> &str {
        &self.party
    }
}

/// Leave for the session's own party to do `action` on its inputs (`offers: false`) or its
/// sealed offers (`offers: true`); the mediator is refused.
pub(crate) fn own(session: &Session, offers: bool, action: Action) -> Result<PartyGrant, Error> {
    let party = match &session.role {
        Role::Party(id) => id.clone(),
        Role::Mediator => String::new(),
    };
    let resource =
        if offers { Resource::Offers(party.clone()) } else { Resource::Inputs(party.clone()) };
    if party.is_empty() {
        // The mediator has no inputs or offers of its own: refused by the table.
        return Err(forbidden(&session.role, &resource, action));
    }
    authorize(session, &resource, action)?;
    Ok(PartyGrant { room: session.room.clone(), party })
}

/// Leave to assemble the room's private scenario (every party's inputs), for the
/// mediator's view only; the view made from it holds no number of any party.
#[derive(Debug)]
pub(crate) struct AssembleGrant {
    room: RoomId,
}

impl AssembleGrant {
    pub(crate) fn room(&self) -> &RoomId {
        &self.room
    }
}

/// Leave to assemble, granted to whoever may read the mediator's view.
pub(crate) fn assemble(session: &Session) -> Result<AssembleGrant, Error> {
    authorize(session, &Resource::MediatorView, Action::Read)?;
    Ok(AssembleGrant { room: session.room.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_read_back() {
        for role in [Role::Mediator, Role::Party("russia".into()), Role::Party("a:b".into())] {
            assert_eq!(Role::from_principal(&role.principal()), Some(role));
        }
        assert_eq!(Role::from_principal("someone"), None);
    }

    #[test]
    fn a_party_is_never_granted_another_partys_rows() {
        let room = RoomId::parse("0123456789abcdef0123456789abcdef").unwrap();
        let a = Session { room: room.clone(), role: Role::Party("a".into()), expires: 10 };
        for offers in [false, true] {
            for action in [Action::Read, Action::Write] {
                assert_eq!(own(&a, offers, action).unwrap().party(), "a");
            }
        }
        let m = Session { room, role: Role::Mediator, expires: 10 };
        for offers in [false, true] {
            let e = own(&m, offers, Action::Read).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Forbidden);
        }
        assert!(assemble(&m).is_ok());
        assert_eq!(assemble(&a).unwrap_err().kind(), ErrorKind::Forbidden);
        assert_eq!(assemble(&a).unwrap_err().message(), "party a may not read the mediator's view");
    }
}
