//! [`Rooms`]: the operations of the room, each one transaction, each asking
//! [`crate::access`] first.

use std::net::IpAddr;
use std::path::Path;

use detente_core::{Proposal, Scenario, Term};

use crate::access::{self, Action, Credential, Resource, Role, Session};
use crate::attempts::{Failures, SignInLimit};
use crate::error::{Error, ErrorKind};
use crate::inputs::PartyInputs;
use crate::model::{AuditEntry, DraftBudget, MAX_ID, RoomId, Skeleton, quote, settlement};
use crate::postgres::PgStore;
use crate::secret::{self, HashCost, Secret};
use crate::sqlite::SqliteStore;
use crate::store::Tx;
use crate::view::{self, MediatorView, PartyView, ViewOptions};

/// The longest session accepted, in seconds (a week).
pub const MAX_SESSION_SECONDS: i64 = 7 * 24 * 3600;

/// A new room: its id and the tokens to hand out, each shown only here.
#[derive(Debug)]
pub struct Created {
    /// The room's id.
    pub room: RoomId,
    /// The mediator's token.
    pub mediator: Secret,
    /// One invitation per party of the skeleton, in its order: (party id, token).
    pub invitations: Vec<(String, Secret)>,
}

/// A token reissued: the holder's new token, shown only here, how many of the holder's
/// sessions ended with the old one, and whether the party's inputs were erased.
#[derive(Debug)]
pub struct Reissued {
    /// `mediator` or the party's id.
    pub who: String,
    /// The new token; the old one no longer signs in.
    pub token: Secret,
    /// How many live or expired sessions of the holder were ended.
    pub sessions_ended: u64,
    /// Whether the party had claimed its invitation, so that its inputs and sealed offers
    /// were erased (the new invitation's holders, the mediator first, must not find them):
    /// the party claims the new invitation and enters them again.
    pub inputs_erased: bool,
}

/// A bidding as one who may see it sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct BiddingView {
    /// Its number in the room.
    pub id: i64,
    /// The scale point bid on.
    pub point: String,
    /// The side whose offers rise (it wants the value low).
    pub low: String,
    /// The side whose demands fall (it wants the value high).
    pub high: String,
    /// The settlement once the offers crossed; `None`: not yet crossed.
    pub settlement: Option<f64>,
    /// The viewer's own offers, oldest first (empty for the mediator).
    pub own_offers: Vec<f64>,
    /// How many offers each side made (what the mediator sees; empty for a party).
    pub offer_counts: Vec<(String, i64)>,
}

enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// The holder a sign-in or a reissue names: `mediator`, or a party's id.
fn holder(who: &str) -> Result<Role, Error> {
    if who.len() > MAX_ID {
        return Err(Error::new(ErrorKind::TooLarge, format!("who: longer than {MAX_ID} bytes")));
    }
    Ok(if who == "mediator" { Role::Mediator } else { Role::Party(who.to_string()) })
}

/// A session's length checked: 1 to [`MAX_SESSION_SECONDS`].
fn check_ttl(ttl: i64) -> Result<(), Error> {
    if !(1..=MAX_SESSION_SECONDS).contains(&ttl) {
        return Err(Error::invalid(format!(
            "session length: {ttl} s, expected 1 to {MAX_SESSION_SECONDS}"
        )));
    }
    Ok(())
}

/// The refusal of a second claim of one invitation.
fn already_claimed(party: &str) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!(
            "the invitation of party {} is already claimed: if you did not claim it yourself, someone else who held it did; ask the mediator for a new invitation and tell it this happened",
            quote(party)
        ),
    )
}

/// The rooms of one store.
pub struct Rooms {
    backend: Backend,
    cost: HashCost,
    budget: DraftBudget,
    /// The failed sign-ins and claims in the window, in memory ([`SignInLimit`]).
    failures: Failures,
}

impl Rooms {
    /// Rooms in `DIR/detente-room.sqlite` (created if needed).
    pub fn sqlite(dir: &Path) -> Result<Rooms, Error> {
        Ok(Rooms::on(Backend::Sqlite(SqliteStore::open(dir)?)))
    }

    /// Rooms in a PostgreSQL database (`postgres://user@host:port/db`).
    pub fn postgres(url: &str) -> Result<Rooms, Error> {
        Ok(Rooms::on(Backend::Postgres(PgStore::open(url)?)))
    }

    fn on(backend: Backend) -> Rooms {
        Rooms {
            backend,
            cost: HashCost::Standard,
            budget: DraftBudget::DEFAULT,
            failures: Failures::new(SignInLimit::DEFAULT),
        }
    }

    /// The same rooms, with this limit of failed sign-ins and claims (the default:
    /// [`SignInLimit::DEFAULT`]), counting from none. Errors for a limit of no failure or no
    /// time.
    pub fn with_sign_in_limit(mut self, limit: SignInLimit) -> Result<Rooms, Error> {
        if limit.failures == 0 || limit.per_address == 0 || limit.window <= 0 {
            return Err(Error::invalid(format!(
                "sign-in limit: {} failures per holder and {} per address in {} s, expected at least 1 failure in at least 1 s",
                limit.failures, limit.per_address, limit.window
            )));
        }
        self.failures = Failures::new(limit);
        Ok(self)
    }

    /// The same rooms, with this budget of the mediator's drafts (the default:
    /// [`DraftBudget::DEFAULT`]). Errors for a budget of no draft or no time.
    pub fn with_draft_budget(mut self, budget: DraftBudget) -> Result<Rooms, Error> {
        if budget.drafts == 0 || budget.window <= 0 {
            return Err(Error::invalid(format!(
                "draft budget: {} drafts in {} s, expected at least 1 draft in at least 1 s",
                budget.drafts, budget.window
            )));
        }
        self.budget = budget;
        Ok(self)
    }

    /// The same rooms, hashing new tokens at this cost (tests use [`HashCost::Fast`]).
    pub fn with_hash_cost(mut self, cost: HashCost) -> Rooms {
        self.cost = cost;
        self
    }

    fn tx<T>(&mut self, mut f: impl FnMut(&mut Tx) -> Result<T, Error>) -> Result<T, Error> {
        match &mut self.backend {
            Backend::Sqlite(s) => s.with_tx(&mut f),
            Backend::Postgres(p) => p.with_tx(&mut f),
        }
    }

    /// Creates a room from a scenario's skeleton (its private numbers dropped), with one
    /// invitation per party and a mediator's token.
    pub fn create(&mut self, scenario: &Scenario, now: i64) -> Result<Created, Error> {
        let skeleton = Skeleton::from_scenario(scenario)?;
        let drafts: Vec<String> =
            skeleton.scenario().proposals().iter().map(|p| p.id.clone()).collect();
        if drafts.len() > self.budget.drafts {
            return Err(Error::invalid(format!(
                "a room starts with at most {} drafts (the mediator's budget of drafts; docs/security.md), and {} has {}",
                self.budget.drafts,
                quote(&skeleton.scenario().meta().name),
                drafts.len()
            )));
        }
        let room = RoomId::from_random(&secret::random::<16>()?);
        let mediator = secret::token()?;
        let mut hashes =
            vec![("mediator".to_string(), secret::hash(mediator.expose(), self.cost)?)];
        let mut invitations = vec![];
        for p in skeleton.scenario().parties() {
            let t = secret::token()?;
            hashes.push((
                Role::Party(p.id.clone()).principal(),
                secret::hash(t.expose(), self.cost)?,
            ));
            invitations.push((p.id.clone(), t));
        }
        let text = skeleton.to_json();
        let what = format!(
            "created the room from {} with {} parties",
            quote(&skeleton.scenario().meta().name),
            invitations.len()
        );
        self.tx(|tx| {
            tx.insert_room(&room, &text, now)?;
            for (principal, hash) in &hashes {
                tx.insert_credential(&room, principal, hash)?;
            }
            for d in &drafts {
                tx.insert_draft_added(&room, d, now)?;
            }
            tx.append_audit(&room, now, "mediator", &what)
        })?;
        Ok(Created { room, mediator, invitations })
    }

    /// Signs in to a room as `who` (`mediator` or a party's id) with its token, or a party's
    /// secret once it claimed its invitation: a session token valid for `ttl` seconds (1 to
    /// [`MAX_SESSION_SECONDS`]). A session opened with an unclaimed invitation may read the
    /// skeleton only ([`Credential::Invitation`]): claim it first ([`Rooms::claim`]). An
    /// unknown room, an unknown `who` and a wrong token give the same not-found error.
    ///
    /// Past the limit of failed sign-ins and claims on this holder ([`SignInLimit`]), every
    /// sign-in is refused with [`ErrorKind::TooMany`], the right token included, until the
    /// window frees a place; [`Rooms::sign_in_from`] also counts the client's address.
    pub fn sign_in(
        &mut self,
        room: &str,
        who: &str,
        token: &str,
        now: i64,
        ttl: i64,
    ) -> Result<(Secret, Session), Error> {
        self.sign_in_from(None, room, who, token, now, ttl)
    }

    /// [`Rooms::sign_in`] from a client at this address, when the caller knows it: failures
    /// are also counted by address ([`SignInLimit::per_address`]).
    pub fn sign_in_from(
        &mut self,
        client: Option<IpAddr>,
        room: &str,
        who: &str,
        token: &str,
        now: i64,
        ttl: i64,
    ) -> Result<(Secret, Session), Error> {
        check_ttl(ttl)?;
        let room = RoomId::parse(room)?;
        let role = holder(who)?;
        self.failures.check(&room, who, client, now)?;
        let answer = self.sign_in_checked(&room, role, token, now, ttl);
        if answer.as_ref().is_err_and(|e| e.kind() == ErrorKind::NotFound) {
            self.failures.failed(&room, who, client, now);
        }
        answer
    }

    fn sign_in_checked(
        &mut self,
        room: &RoomId,
        role: Role,
        token: &str,
        now: i64,
        ttl: i64,
    ) -> Result<(Secret, Session), Error> {
        let principal = role.principal();
        let refused = || Error::not_found("no such room, or a wrong token for it");
        if !secret::presentable(token) {
            return Err(refused());
        }
        let stored = self.tx(|tx| tx.credential(room, &principal))?;
        let verified = match stored {
            Some(c) if secret::verify(token, &c.hash) => c,
            _ => return Err(refused()),
        };
        let credential = match (&role, verified.claimed) {
            (Role::Party(_), None) => Credential::Invitation,
            _ => Credential::Own,
        };
        self.open_session(room, role, credential, now, ttl, |tx| {
            // The token was checked outside the transaction (argon2 is slow): if it was
            // reissued or claimed since, the old one opens no session.
            if tx.credential(room, &principal)?.as_ref() != Some(&verified) {
                return Err(refused());
            }
            tx.append_audit(room, now, &principal, "signed in")
        })
    }

    /// Opens a session of `role` in `room` in one transaction with `first` (which checks the
    /// credential and changes what it must), under the room's lock.
    fn open_session(
        &mut self,
        room: &RoomId,
        role: Role,
        credential: Credential,
        now: i64,
        ttl: i64,
        mut first: impl FnMut(&mut Tx) -> Result<(), Error>,
    ) -> Result<(Secret, Session), Error> {
        let session_token = secret::token()?;
        let digest = secret::digest(session_token.expose());
        let expires = now.saturating_add(ttl);
        let principal = role.principal();
        self.tx(|tx| {
            if !tx.lock_room(room)? {
                return Err(Error::not_found("no such room, or a wrong token for it"));
            }
            first(tx)?;
            tx.delete_expired(room, now)?;
            tx.insert_session(&digest, room, &principal, expires)
        })?;
        Ok((session_token, Session { room: room.clone(), role, credential, expires }))
    }

    /// A party claims its invitation: it chooses its own `secret` (see
    /// [`secret::check_new_secret`](crate::check_new_secret): at least
    /// [`MIN_SECRET_CHARS`](crate::MIN_SECRET_CHARS) characters), whose argon2 hash replaces
    /// the invitation's, so the invitation signs in no more, at once, and every session
    /// opened with it ends; and it is signed in, as by [`Rooms::sign_in`] with the secret.
    /// Afterwards the party signs in with its secret, and only a session opened with it
    /// reads or changes the party's inputs and sealed offers. Audited (`claimed its
    /// invitation`).
    ///
    /// An invitation is claimed once: claiming it again is refused with
    /// [`ErrorKind::Conflict`] (whoever claimed it first, the mediator who handed it on
    /// included, holds the party's place: the party asks the mediator for a new invitation
    /// and tells it). A wrong invitation, an unknown room or party: not found, as at sign-in.
    ///
    /// A wrong invitation counts as a failed sign-in of the party ([`SignInLimit`]): past the
    /// limit, claims are refused as sign-ins are ([`ErrorKind::TooMany`]).
    pub fn claim(
        &mut self,
        room: &str,
        party: &str,
        invitation: &str,
        secret: &str,
        ttl: i64,
        now: i64,
    ) -> Result<(Secret, Session), Error> {
        self.claim_from(None, room, party, invitation, secret, ttl, now)
    }

    /// [`Rooms::claim`] from a client at this address, when the caller knows it: failures
    /// are also counted by address ([`SignInLimit::per_address`]).
    #[allow(clippy::too_many_arguments)] // the claim's own, and where it comes from
    pub fn claim_from(
        &mut self,
        client: Option<IpAddr>,
        room: &str,
        party: &str,
        invitation: &str,
        secret: &str,
        ttl: i64,
        now: i64,
    ) -> Result<(Secret, Session), Error> {
        check_ttl(ttl)?;
        let room = RoomId::parse(room)?;
        let role = holder(party)?;
        if role == Role::Mediator {
            return Err(Error::invalid(
                "who: the mediator's token is its own already; a party claims its invitation",
            ));
        }
        self.failures.check(&room, party, client, now)?;
        let answer = self.claim_checked(room.clone(), role, party, invitation, secret, ttl, now);
        if answer.as_ref().is_err_and(|e| e.kind() == ErrorKind::NotFound) {
            self.failures.failed(&room, party, client, now);
        }
        answer
    }

    #[allow(clippy::too_many_arguments)] // as claim_from's
    fn claim_checked(
        &mut self,
        room: RoomId,
        role: Role,
        party: &str,
        invitation: &str,
        secret: &str,
        ttl: i64,
        now: i64,
    ) -> Result<(Secret, Session), Error> {
        let refused = || Error::not_found("no such room, or a wrong invitation for it");
        if !secret::well_formed(invitation) {
            return Err(refused());
        }
        secret::check_new_secret(secret, invitation)?;
        let principal = role.principal();
        let stored = self.tx(|tx| tx.credential(&room, &principal))?.ok_or_else(refused)?;
        if stored.claimed.is_some() {
            return match &stored.invitation {
                Some(h) if secret::verify(invitation, h) => Err(already_claimed(party)),
                _ => Err(refused()),
            };
        }
        if !secret::verify(invitation, &stored.hash) {
            return Err(refused());
        }
        let secret_hash = secret::hash(secret, self.cost)?;
        let Role::Party(id) = &role else { return Err(refused()) };
        let erase = access::erasure(&room, id);
        self.open_session(&room, role.clone(), Credential::Own, now, ttl, |tx| {
            // Checked outside the transaction (argon2 is slow): claimed or reissued since,
            // the invitation claims nothing.
            match tx.credential(&room, &principal)? {
                Some(c) if c == stored => {}
                Some(c) if c.claimed.is_some() && c.invitation.as_ref() == Some(&stored.hash) => {
                    return Err(already_claimed(party));
                }
                _ => return Err(refused()),
            }
            tx.claim_credential(&room, &principal, &secret_hash, &stored.hash, now)?;
            let n = tx.delete_sessions_of(&room, &principal)?;
            // Nothing is entered under an invitation (the access table refuses it); a store
            // written before claims existed may hold some, which its holders could have
            // read: it goes.
            let (inputs, offers) = tx.erase(&erase)?;
            let mut what = "claimed its invitation".to_string();
            if n > 0 {
                let s = if n == 1 { "" } else { "s" };
                what.push_str(&format!("; {n} session{s} opened with the invitation ended"));
            }
            if inputs + offers > 0 {
                what.push_str("; the inputs and offers entered under the invitation were erased");
            }
            tx.append_audit(&room, now, &principal, &what)
        })
    }

    /// A new token for `who` (`mediator` or a party's id) of the session's room, asked by
    /// the mediator (a party may not): the old token stops signing in at once and every
    /// session opened with it ends, the mediator's own included when it reissues its own.
    /// A party that had claimed its invitation gets a new, unclaimed one, and its inputs and
    /// sealed offers are erased in the same transaction, since the new invitation passes
    /// through the mediator's hands ([`Reissued::inputs_erased`]); an unclaimed party's
    /// reissue changes nothing else. One audit entry.
    pub fn reissue(&mut self, s: &Session, who: &str, now: i64) -> Result<Reissued, Error> {
        let role = holder(who)?;
        let g = access::authorize(s, &Resource::Invitation(role.clone()), Action::Write)?;
        self.reissue_in(g.room(), role, "mediator", now)
    }

    /// [`Rooms::reissue`] by whoever operates the store, outside the room's roles: for a
    /// mediator that lost its own token (the operator can read the database anyway, so this
    /// grants nothing it does not have). Audited as by `operator`.
    pub fn reissue_as_operator(
        &mut self,
        room: &str,
        who: &str,
        now: i64,
    ) -> Result<Reissued, Error> {
        let room = RoomId::parse(room)?;
        self.reissue_in(&room, holder(who)?, "operator", now)
    }

    fn reissue_in(
        &mut self,
        room: &RoomId,
        role: Role,
        by: &str,
        now: i64,
    ) -> Result<Reissued, Error> {
        let token = secret::token()?;
        let hash = secret::hash(token.expose(), self.cost)?;
        let principal = role.principal();
        let whom = match &role {
            Role::Mediator => "the mediator's token".to_string(),
            Role::Party(p) => format!("the invitation of party {}", quote(p)),
        };
        let (sessions_ended, inputs_erased) = self.tx(|tx| {
            let skeleton = Self::lock(tx, room)?;
            if let Role::Party(p) = &role {
                skeleton.party(p)?;
            }
            let claimed = tx.credential(room, &principal)?.is_some_and(|c| c.claimed.is_some());
            if !tx.set_credential(room, &principal, &hash)? {
                return Err(Error::not_found(format!("no holder {}", quote(&principal))));
            }
            let n = tx.delete_sessions_of(room, &principal)?;
            let ended = if n == 1 { "1 session".to_string() } else { format!("{n} sessions") };
            let mut what = format!("reissued {whom}; {ended} ended");
            let erased = match (&role, claimed) {
                (Role::Party(p), true) => {
                    tx.erase(&access::erasure(room, p))?;
                    what.push_str(
                        "; the party had claimed it: its inputs and sealed offers were erased",
                    );
                    true
                }
                _ => false,
            };
            tx.append_audit(room, now, by, &what)?;
            Ok((n, erased))
        })?;
        let who = match role {
            Role::Mediator => "mediator".to_string(),
            Role::Party(p) => p,
        };
        Ok(Reissued { who, token, sessions_ended, inputs_erased })
    }

    /// The session of a session token, if it is live at `now`. Every call (every
    /// authenticated request) also ends the expired sessions of the token's room, as a
    /// sign-in does, so that no session outlives its end in the store by more than the
    /// room's next request.
    pub fn session(&mut self, token: &str, now: i64) -> Result<Session, Error> {
        let refused = || Error::not_found("no such session: sign in");
        if !secret::well_formed(token) {
            return Err(refused());
        }
        let digest = secret::digest(token);
        let row = self
            .tx(|tx| {
                let row = tx.session(&digest)?;
                if let Some(r) = &row {
                    // The session's own row too, when it has expired: read above, it is
                    // answered as expired below.
                    tx.delete_expired(&RoomId::parse(&r.room)?, now)?;
                }
                Ok(row)
            })?
            .ok_or_else(refused)?;
        if now >= row.expires {
            return Err(Error::new(ErrorKind::Expired, "the session has expired: sign in again"));
        }
        let room = RoomId::parse(&row.room)?;
        let role = Role::from_principal(&row.principal)
            .ok_or_else(|| Error::storage(format!("stored principal {}", quote(&row.principal))))?;
        let credential = match (&role, row.claimed) {
            (Role::Party(_), false) => Credential::Invitation,
            _ => Credential::Own,
        };
        Ok(Session { room, role, credential, expires: row.expires })
    }

    /// Ends a session.
    pub fn sign_out(&mut self, token: &str, now: i64) -> Result<(), Error> {
        let s = self.session(token, now)?;
        let digest = secret::digest(token);
        self.tx(|tx| {
            tx.delete_session(&digest)?;
            tx.append_audit(&s.room, now, &s.role.principal(), "signed out")
        })
    }

    /// Locks the room for a change (see `Tx::lock_room`) and reads its skeleton.
    fn lock(tx: &mut Tx, room: &RoomId) -> Result<Skeleton, Error> {
        if !tx.lock_room(room)? {
            return Err(Error::not_found("no such room"));
        }
        Self::load_skeleton(tx, room)
    }

    fn load_skeleton(tx: &mut Tx, room: &RoomId) -> Result<Skeleton, Error> {
        let text = tx.skeleton(room)?.ok_or_else(|| Error::not_found("no such room"))?;
        Skeleton::from_json(&text)
    }

    /// The room's skeleton: parties, points, options, drafts.
    pub fn skeleton(&mut self, s: &Session) -> Result<Skeleton, Error> {
        let g = access::authorize(s, &Resource::Skeleton, Action::Read)?;
        self.tx(|tx| Self::load_skeleton(tx, g.room()))
    }

    /// The session's party's inputs (none before it enters them).
    pub fn my_inputs(&mut self, s: &Session) -> Result<Option<PartyInputs>, Error> {
        let g = access::own(s, false, Action::Read)?;
        self.tx(|tx| {
            let skeleton = Self::load_skeleton(tx, g.room())?;
            tx.inputs(&g)?.map(|t| PartyInputs::from_json(&skeleton, t.as_bytes())).transpose()
        })
    }

    /// Sets the session's party's inputs from their wire format (see [`PartyInputs`]).
    pub fn set_my_inputs(&mut self, s: &Session, body: &[u8], now: i64) -> Result<(), Error> {
        let g = access::own(s, false, Action::Write)?;
        self.tx(|tx| {
            let skeleton = Self::lock(tx, g.room())?;
            let inputs = PartyInputs::from_json(&skeleton, body)?;
            tx.put_inputs(&g, &inputs.to_json(&skeleton).to_string(), now)?;
            tx.append_audit(g.room(), now, &s.role.principal(), "changed its inputs")
        })
    }

    /// The session's party's view: its inputs, the drafts' ids and its own verdicts. With an
    /// unclaimed invitation, the drafts' ids only (and `claimed: false`): its inputs are
    /// neither read nor shown.
    pub fn party_view(&mut self, s: &Session) -> Result<PartyView, Error> {
        let party = match &s.role {
            Role::Party(p) if !s.may(&Resource::Inputs(p.clone()), Action::Read) => p.clone(),
            _ => return self.claimed_party_view(s),
        };
        let g = access::authorize(s, &Resource::Skeleton, Action::Read)?;
        let skeleton = self.tx(|tx| Self::load_skeleton(tx, g.room()))?;
        let mut v = view::party_view(&skeleton, skeleton.party(&party)?, None)?;
        v.claimed = false;
        Ok(v)
    }

    fn claimed_party_view(&mut self, s: &Session) -> Result<PartyView, Error> {
        let g = access::own(s, false, Action::Read)?;
        access::authorize(s, &Resource::Verdicts(g.party().to_string()), Action::Read)?;
        let (skeleton, inputs) = self.tx(|tx| {
            let skeleton = Self::load_skeleton(tx, g.room())?;
            let inputs = tx
                .inputs(&g)?
                .map(|t| PartyInputs::from_json(&skeleton, t.as_bytes()))
                .transpose()?;
            Ok((skeleton, inputs))
        })?;
        let p = skeleton.party(g.party())?;
        view::party_view(&skeleton, p, inputs)
    }

    /// The mediator's view (see [`MediatorView`]).
    pub fn mediator_view(
        &mut self,
        s: &Session,
        options: &ViewOptions,
    ) -> Result<MediatorView, Error> {
        let g = access::assemble(s)?;
        let (skeleton, rows, claimed) = self.tx(|tx| {
            Ok((Self::load_skeleton(tx, g.room())?, tx.all_inputs(&g)?, tx.claimed(&g)?))
        })?;
        let mut inputs = vec![];
        for (party, body) in rows {
            let p = skeleton.party(&party)?;
            inputs.push((p, PartyInputs::from_json(&skeleton, body.as_bytes())?));
        }
        inputs.sort_by_key(|(p, _)| *p);
        let mut claimed_idx = vec![];
        for principal in claimed {
            if let Some(Role::Party(p)) = Role::from_principal(&principal) {
                claimed_idx.push(skeleton.party(&p)?);
            }
        }
        view::mediator_view(&skeleton, &inputs, &claimed_idx, options)
    }

    /// The audit trail, oldest first.
    pub fn audit(&mut self, s: &Session) -> Result<Vec<AuditEntry>, Error> {
        let g = access::authorize(s, &Resource::Audit, Action::Read)?;
        self.tx(|tx| tx.audit(&g))
    }

    /// Adds a draft (the mediator): `terms` gives (point id, option id) for the points it
    /// settles; the others are open. Refused with [`ErrorKind::TooMany`] past the
    /// mediator's budget of drafts ([`DraftBudget`]), saying when the next one fits.
    pub fn add_draft(
        &mut self,
        s: &Session,
        id: &str,
        title: &str,
        terms: &[(&str, &str)],
        now: i64,
    ) -> Result<(), Error> {
        let g = access::authorize(s, &Resource::Skeleton, Action::Write)?;
        if id.is_empty() || id.len() > MAX_ID || title.len() > 1000 {
            return Err(Error::invalid("draft: id of 1 to 128 bytes and a title of at most 1000"));
        }
        let budget = self.budget;
        self.tx(|tx| {
            let skeleton = Self::lock(tx, g.room())?;
            budget.check(&tx.drafts_added_since(g.room(), now - budget.window)?, now)?;
            let sk = skeleton.scenario();
            if sk.proposal_index(id).is_some() {
                return Err(Error::new(ErrorKind::Conflict, format!("draft {} exists", quote(id))));
            }
            let mut t = vec![Term::Open; sk.issues().len()];
            for (point, option) in terms {
                let i = skeleton.issue(point)?;
                let issue = &sk.issues()[i];
                let k = match issue.option_index(option) {
                    Some(k) => k,
                    None => {
                        option.parse::<f64>().ok().and_then(|x| issue.scale_index(x)).ok_or_else(
                            || {
                                Error::invalid(format!(
                                    "draft: no option {} on point {}",
                                    quote(option),
                                    quote(point)
                                ))
                            },
                        )?
                    }
                };
                t[i] = Term::Set(k);
            }
            let n = t.len();
            let draft = Proposal {
                id: id.to_string(),
                title: title.to_string(),
                author: None,
                date: None,
                amends: None,
                terms: t,
                stated: vec![true; n],
                description: None,
            };
            let next = sk
                .clone()
                .edit(|parts| parts.proposals.push(draft))
                .map_err(|e| Error::invalid(format!("draft: {e}")))?;
            let next = Skeleton::from_scenario(&next)?;
            let text = next.to_json();
            // The stored form must read back: the scenario format's rules (ids of letters,
            // digits, '-', '_' and '.') decide, as for a draft written in a file.
            Skeleton::from_json(&text).map_err(|e| {
                Error::invalid(format!("draft: {}", e.message().trim_start_matches("storage: ")))
            })?;
            tx.set_skeleton(&g, &text)?;
            tx.insert_draft_added(g.room(), id, now)?;
            tx.append_audit(g.room(), now, "mediator", &format!("added draft {}", quote(id)))
        })
    }

    /// Opens a blind bidding on a scale point between two parties (the mediator): `low`
    /// wants the value low (its offers rise), `high` wants it high (its demands fall).
    pub fn open_bidding(
        &mut self,
        s: &Session,
        point: &str,
        low: &str,
        high: &str,
        now: i64,
    ) -> Result<i64, Error> {
        let resource = Resource::Bidding { low: low.to_string(), high: high.to_string() };
        let g = access::authorize(s, &resource, Action::Write)?;
        self.tx(|tx| {
            let skeleton = Self::lock(tx, g.room())?;
            let i = skeleton.issue(point)?;
            if !skeleton.scenario().issues()[i].is_scale() {
                return Err(Error::invalid(format!(
                    "bidding: point {} is not a scale",
                    quote(point)
                )));
            }
            skeleton.party(low)?;
            skeleton.party(high)?;
            if low == high {
                return Err(Error::invalid("bidding: the two sides must be different parties"));
            }
            let id = tx.insert_bidding(&g, point, low, high, now)?;
            let what = format!(
                "opened bidding {id} on {} between {} (low) and {} (high)",
                quote(point),
                quote(low),
                quote(high)
            );
            tx.append_audit(g.room(), now, "mediator", &what)?;
            Ok(id)
        })
    }

    fn find_bidding(
        tx: &mut Tx,
        room: &RoomId,
        id: i64,
    ) -> Result<crate::store::BiddingRow, Error> {
        tx.biddings(room)?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| Error::not_found(format!("no bidding {id}")))
    }

    /// A party's sealed offer in a bidding; the bidding as the party may see it after:
    /// settled if the offers crossed, else only "not yet crossed". An offer must be on the
    /// point's scale and may not take back a concession (the low side's offers never fall,
    /// the high side's never rise), so that offers cannot probe the other side's.
    pub fn offer(
        &mut self,
        s: &Session,
        bidding: i64,
        value: f64,
        now: i64,
    ) -> Result<BiddingView, Error> {
        let g = access::own(s, true, Action::Write)?;
        self.tx(|tx| {
            let skeleton = Self::lock(tx, g.room())?;
            let b = Self::find_bidding(tx, g.room(), bidding)?;
            let resource = Resource::Bidding { low: b.low.clone(), high: b.high.clone() };
            access::authorize(s, &resource, Action::Read)?;
            let is_low = g.party() == b.low;
            if b.settlement.is_some() {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("bidding {bidding} is settled"),
                ));
            }
            let issue = &skeleton.scenario().issues()[skeleton.issue(&b.issue)?];
            if !value.is_finite() || issue.scale_index(value).is_none() {
                return Err(Error::invalid(format!(
                    "offer: {value} is not a point of the scale of {}",
                    quote(&b.issue)
                )));
            }
            if let Some(&(last, _)) = tx.own_offers(&g, bidding)?.last()
                && ((is_low && value < last) || (!is_low && value > last))
            {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("offer: {value} takes back your last offer of {last}"),
                ));
            }
            tx.insert_offer(&g, bidding, value, now)?;
            tx.append_audit(
                g.room(),
                now,
                &s.role.principal(),
                &format!("made a sealed offer in bidding {bidding}"),
            )?;
            let low = tx.sealed_latest(g.room(), bidding, &b.low)?;
            let high = tx.sealed_latest(g.room(), bidding, &b.high)?;
            if let (Some(l), Some(h)) = (low, high)
                && let Some(x) = settlement(issue, l, h)
            {
                tx.settle(g.room(), bidding, x)?;
                tx.append_audit(
                    g.room(),
                    now,
                    "room",
                    &format!("bidding {bidding} settled at {x}"),
                )?;
            }
            Self::bidding_in(tx, s, bidding)
        })
    }

    fn bidding_in(tx: &mut Tx, s: &Session, bidding: i64) -> Result<BiddingView, Error> {
        let b = Self::find_bidding(tx, &s.room, bidding)?;
        let resource = Resource::Bidding { low: b.low.clone(), high: b.high.clone() };
        let g = access::authorize(s, &resource, Action::Read)?;
        let (own_offers, offer_counts) = match &s.role {
            Role::Party(_) => {
                let pg = access::own(s, true, Action::Read)?;
                (tx.own_offers(&pg, bidding)?.into_iter().map(|(v, _)| v).collect(), vec![])
            }
            Role::Mediator => (vec![], tx.offer_counts(&g, bidding)?),
        };
        Ok(BiddingView {
            id: b.id,
            point: b.issue,
            low: b.low,
            high: b.high,
            settlement: b.settlement,
            own_offers,
            offer_counts,
        })
    }

    /// A bidding as the session may see it.
    pub fn bidding(&mut self, s: &Session, bidding: i64) -> Result<BiddingView, Error> {
        self.tx(|tx| Self::bidding_in(tx, s, bidding))
    }

    /// Every bidding of the room the session may see, oldest first: all of them for the
    /// mediator, those it is a side of for a party (each as [`Rooms::bidding`] shows it).
    pub fn biddings(&mut self, s: &Session) -> Result<Vec<BiddingView>, Error> {
        access::authorize(s, &Resource::Skeleton, Action::Read)?;
        self.tx(|tx| {
            let mut seen = vec![];
            for b in tx.biddings(&s.room)? {
                let resource = Resource::Bidding { low: b.low, high: b.high };
                if s.may(&resource, Action::Read) {
                    seen.push(Self::bidding_in(tx, s, b.id)?);
                }
            }
            Ok(seen)
        })
    }
}
