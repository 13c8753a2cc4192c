//! The confidential negotiation room behind `detente serve --multi-user`: a mediator
//! creates a room from a scenario's skeleton (parties, points, options, drafts, without
//! the parties' numbers), each party claims its invitation by choosing a secret of its own
//! (the mediator, who handed the invitation on, has seen it) and, signed in with that secret,
//! enters its weights, values, red lines and reservation, which only it can read or change; the
//! mediator sees what the analysis needs to steer (who accepts which draft, whether a deal
//! exists and on which points red lines collide, ranked revisions, the Nash point) and no
//! party's number. Blind bidding settles a scale point when sealed offers cross.
//!
//! Unlike the analysis crates, this crate does storage I/O: a room must outlive the
//! server's process and be shared by its users, and keeping the storage here, behind the
//! room's own operations, is what lets access be decided in one place ([`access`]) for
//! every read and write. It reads no clock (times are passed in) and prints nothing.
//!
//! ```
//! use detente_room::{HashCost, Rooms, ViewOptions};
//! let dir = std::env::temp_dir().join(format!("detente-room-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let mut rooms = Rooms::sqlite(&dir)?.with_hash_cost(HashCost::Fast);
//! let tutorial = detente_scenario::shipped::load("tutorial").unwrap()?;
//! let now = 1_700_000_000;
//! let room = rooms.create(&tutorial, now)?;
//! assert_eq!(room.invitations[0].0, "upland");
//! let (id, invitation) = (room.room.as_str(), room.invitations[0].1.expose());
//! // Signed in with its invitation, a party reads the drafts and nothing it could enter.
//! let (_, unclaimed) = rooms.sign_in(id, "upland", invitation, now, 3600)?;
//! assert!(rooms.set_my_inputs(&unclaimed, br#"{"reservation": 0.4}"#, now).is_err());
//! // It claims the invitation with a secret of its own, and is signed in by it.
//! let (_, upland) = rooms.claim(id, "upland", invitation, "four words of mine", 3600, now)?;
//! rooms.set_my_inputs(&upland, br#"{"reservation": 0.4}"#, now)?;
//! // The invitation is spent: it signs in no more, and a second claim is refused.
//! assert!(rooms.sign_in(id, "upland", invitation, now, 3600).is_err());
//! assert!(rooms.claim(id, "upland", invitation, "another secret!", 3600, now).is_err());
//! let (_, mediator) = rooms.sign_in(room.room.as_str(), "mediator", room.mediator.expose(), now, 3600)?;
//! let view = rooms.mediator_view(&mediator, &ViewOptions::default())?;
//! assert_eq!(view.entered, vec!["upland"]);
//! // The mediator may not read a party's inputs.
//! assert!(rooms.my_inputs(&mediator).is_err());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod access;
mod attempts;
mod error;
mod inputs;
mod model;
mod postgres;
mod rooms;
mod secret;
mod sqlite;
mod store;
mod view;

pub use access::{Action, Credential, Resource, Role, Session, decide};
pub use attempts::SignInLimit;
pub use error::{Error, ErrorKind};
pub use inputs::{MAX_INPUTS_BYTES, MAX_REASON, MAX_WEIGHT, PartyInputs};
pub use model::{AuditEntry, DraftBudget, MAX_ID, RoomId, Skeleton, settlement};
pub use rooms::{BiddingView, Created, MAX_SESSION_SECONDS, Reissued, Rooms};
pub use secret::{
    HashCost, MAX_SECRET_BYTES, MIN_SECRET_CHARS, MIN_SECRET_DISTINCT, Secret, check_new_secret,
    csrf_matches, csrf_token,
};
pub use sqlite::FILE as SQLITE_FILE;
pub use view::{
    ChangeView, Deal, DraftVerdicts, MediatorView, NashView, PartyVerdict, PartyView, RevisionView,
    Revisions, ViewOptions,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<Error>();
        is::<Session>();
        is::<MediatorView>();
        is::<PartyView>();
        is::<Skeleton>();
        // A store holds one connection: a server shares it behind a mutex.
        fn send<T: Send>() {}
        send::<Rooms>();
    }
}
