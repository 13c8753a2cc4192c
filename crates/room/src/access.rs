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

/// What opened a session: the property of its credential that access turns on.
///
/// A party's invitation is made by the room and handed out by the mediator, who has seen it;
/// so a session opened with an invitation not yet claimed may be anyone's who held it (the
/// mediator first), and may read the room's drafts and nothing a party entered. Claiming
/// the invitation ([`Rooms::claim`](crate::Rooms::claim)) replaces it with a secret the party
/// chose, which nobody else has seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Credential {
    /// A secret of the holder's own: a party's claimed secret, or the mediator's token.
    Own,
    /// A party's invitation, not yet claimed.
    Invitation,
}

/// Reading or changing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Reading.
    Read,
    /// Creating or changing.
    Write,
}

/// Whether `role`, signed in with `credential`, may do `action` on `resource`: the whole
/// access policy of a room.
///
/// With an unclaimed invitation ([`Credential::Invitation`]) a role may read the skeleton
/// and nothing else (it may claim the invitation, which needs no session). With a secret of
/// its own ([`Credential::Own`]):
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
pub fn decide(role: &Role, credential: Credential, resource: &Resource, action: Action) -> bool {
    use Action::*;
    if credential == Credential::Invitation {
        return (resource, action) == (&Resource::Skeleton, Read);
    }
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
    pub(crate) credential: Credential,
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

    /// What opened it: a secret of the holder's own, or an unclaimed invitation (which may
    /// read the skeleton only: claim it first).
    pub fn credential(&self) -> Credential {
        self.credential
    }

    /// Whether it may do `action` on `resource` ([`decide`] for its role and credential).
    pub fn may(&self, resource: &Resource, action: Action) -> bool {
        decide(&self.role, self.credential, resource, action)
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
    if session.may(resource, action) {
        Ok(Grant { room: session.room.clone() })
    } else {
        Err(forbidden(&session.role, session.credential, resource, action))
    }
}

fn forbidden(role: &Role, credential: Credential, resource: &Resource, action: Action) -> Error {
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
    if credential == Credential::Invitation && decide(role, Credential::Own, resource, action) {
        // Allowed once claimed: say so, and how.
        return Error::new(
            ErrorKind::Forbidden,
            format!(
                "{who} may not {verb} {what} with an unclaimed invitation (the mediator has seen it): claim the invitation first with a secret of your own, then sign in with that secret"
            ),
        );
    }
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
        return Err(forbidden(&session.role, session.credential, &resource, action));
    }
    authorize(session, &resource, action)?;
    Ok(PartyGrant { room: session.room.clone(), party })
}

/// Leave to erase one party's private rows (inputs, sealed offers), reading nothing: made
/// only by [`erasure`], when the party's claimed secret is replaced by a new invitation
/// (whose holder must not find what the party entered) or when an invitation is claimed.
#[derive(Debug)]
pub(crate) struct EraseGrant {
    room: RoomId,
    party: String,
}

impl EraseGrant {
    pub(crate) fn room(&self) -> &RoomId {
        &self.room
    }

    pub(crate) fn party(&self) -> &str {
        &self.party
    }
}

/// Leave to erase `party`'s private rows in `room`: given by the operations that change the
/// party's credential (a reissue, which [`authorize`] allowed, or the party's own claim).
pub(crate) fn erasure(room: &RoomId, party: &str) -> EraseGrant {
    EraseGrant { room: room.clone(), party: party.to_string() }
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
        let a = Session {
            room: room.clone(),
            role: Role::Party("a".into()),
            credential: Credential::Own,
            expires: 10,
        };
        for offers in [false, true] {
            for action in [Action::Read, Action::Write] {
                assert_eq!(own(&a, offers, action).unwrap().party(), "a");
            }
        }
        let m = Session {
            room: room.clone(),
            role: Role::Mediator,
            credential: Credential::Own,
            expires: 10,
        };
        for offers in [false, true] {
            let e = own(&m, offers, Action::Read).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Forbidden);
        }
        assert!(assemble(&m).is_ok());
        assert_eq!(assemble(&a).unwrap_err().kind(), ErrorKind::Forbidden);
        assert_eq!(assemble(&a).unwrap_err().message(), "party a may not read the mediator's view");
        // With its invitation unclaimed, a party is granted nothing of its own rows, and told
        // to claim it.
        let a = Session { credential: Credential::Invitation, ..a };
        for offers in [false, true] {
            for action in [Action::Read, Action::Write] {
                let e = own(&a, offers, action).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::Forbidden);
                assert!(e.message().contains("claim the invitation first"), "{e}");
            }
        }
        assert!(authorize(&a, &Resource::Skeleton, Action::Read).is_ok());
        let e = authorize(&a, &Resource::Audit, Action::Read).unwrap_err();
        assert_eq!(e.message(), "party a may not read the audit trail");
    }
}
