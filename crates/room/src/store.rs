//! The storage: one trait-like pair ([`Sql`] under [`Tx`]) that both backends implement, and
//! the room's every query, written once.
//!
//! Every query is a constant string with numbered placeholders (`$1`, `$2`, ... in order,
//! each once, which SQLite and PostgreSQL both read); every value from outside is a bound
//! parameter, never part of the text. Every change of one operation happens in one
//! transaction ([`crate::Rooms`] opens it), so a crash leaves each change whole or absent.
//!
//! The private rows (a party's inputs and sealed offers) are read and written only with a
//! [`PartyGrant`], which [`crate::access`] makes for the session's own party alone; all
//! parties' inputs only with an [`AssembleGrant`] (the mediator's view).

use crate::access::{AssembleGrant, EraseGrant, Grant, PartyGrant};
use crate::error::Error;
use crate::model::{AuditEntry, RoomId};

/// A bound parameter.
#[derive(Clone, Copy, Debug)]
pub(crate) enum P<'a> {
    I(i64),
    F(f64),
    T(&'a str),
}

/// A value read back.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum V {
    I(i64),
    F(f64),
    T(String),
    Null,
}

impl V {
    fn int(&self) -> Result<i64, Error> {
        match self {
            V::I(i) => Ok(*i),
            other => Err(Error::storage(format!("expected an integer column, got {other:?}"))),
        }
    }

    fn float(&self) -> Result<Option<f64>, Error> {
        match self {
            V::F(x) => Ok(Some(*x)),
            V::I(i) => Ok(Some(*i as f64)),
            V::Null => Ok(None),
            other => Err(Error::storage(format!("expected a number column, got {other:?}"))),
        }
    }

    fn text(self) -> Result<String, Error> {
        match self {
            V::T(s) => Ok(s),
            other => Err(Error::storage(format!("expected a text column, got {other:?}"))),
        }
    }
}

/// What a backend provides inside one transaction: run a statement, run a query.
pub(crate) trait Sql {
    /// Runs a statement; the number of rows changed.
    fn exec(&mut self, sql: &str, params: &[P]) -> Result<u64, Error>;
    /// Runs a query; its rows, each as many values as the query selects.
    fn query(&mut self, sql: &str, params: &[P]) -> Result<Vec<Vec<V>>, Error>;
}

/// A stored session: its room, principal and end, and whether its holder's credential is
/// claimed (every session of a holder was opened with its current credential: a claim and a
/// reissue end the holder's sessions).
pub(crate) struct SessionRow {
    pub(crate) room: String,
    pub(crate) principal: String,
    pub(crate) expires: i64,
    pub(crate) claimed: bool,
}

/// A stored credential: the argon2 hash that signs in, and, once a party claimed its
/// invitation, when, and the hash of the invitation it claimed (to tell its holder that it
/// was claimed already).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CredentialRow {
    pub(crate) hash: String,
    pub(crate) claimed: Option<i64>,
    pub(crate) invitation: Option<String>,
}

/// A stored bidding.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BiddingRow {
    pub(crate) id: i64,
    pub(crate) issue: String,
    pub(crate) low: String,
    pub(crate) high: String,
    pub(crate) settlement: Option<f64>,
}

/// The room's queries inside one transaction.
pub(crate) struct Tx<'a> {
    pub(crate) sql: &'a mut dyn Sql,
}

impl Tx<'_> {
    pub(crate) fn insert_room(
        &mut self,
        room: &RoomId,
        skeleton: &str,
        at: i64,
    ) -> Result<(), Error> {
        self.sql.exec(
            "INSERT INTO rooms (id, skeleton, created) VALUES ($1, $2, $3)",
            &[P::T(room.as_str()), P::T(skeleton), P::I(at)],
        )?;
        Ok(())
    }

    /// Takes the room's write lock for the rest of the transaction (PostgreSQL: the room's
    /// row; SQLite's immediate transactions hold the database's already): every operation
    /// that reads a room's state to change it calls this first. Whether the room exists.
    pub(crate) fn lock_room(&mut self, room: &RoomId) -> Result<bool, Error> {
        let n = self
            .sql
            .exec("UPDATE rooms SET created = created WHERE id = $1", &[P::T(room.as_str())])?;
        Ok(n == 1)
    }

    pub(crate) fn skeleton(&mut self, room: &RoomId) -> Result<Option<String>, Error> {
        let rows =
            self.sql.query("SELECT skeleton FROM rooms WHERE id = $1", &[P::T(room.as_str())])?;
        rows.into_iter().next().map(|mut r| r.swap_remove(0).text()).transpose()
    }

    pub(crate) fn set_skeleton(&mut self, g: &Grant, skeleton: &str) -> Result<(), Error> {
        self.sql.exec(
            "UPDATE rooms SET skeleton = $1 WHERE id = $2",
            &[P::T(skeleton), P::T(g.room().as_str())],
        )?;
        Ok(())
    }

    /// Notes when a draft was added (the mediator's budget of drafts counts them).
    pub(crate) fn insert_draft_added(
        &mut self,
        room: &RoomId,
        draft: &str,
        at: i64,
    ) -> Result<(), Error> {
        self.sql.exec(
            "INSERT INTO drafts_added (room, draft, at) VALUES ($1, $2, $3)",
            &[P::T(room.as_str()), P::T(draft), P::I(at)],
        )?;
        Ok(())
    }

    /// When the room's drafts added after `since` were added.
    pub(crate) fn drafts_added_since(
        &mut self,
        room: &RoomId,
        since: i64,
    ) -> Result<Vec<i64>, Error> {
        let rows = self.sql.query(
            "SELECT at FROM drafts_added WHERE room = $1 AND at > $2",
            &[P::T(room.as_str()), P::I(since)],
        )?;
        rows.iter()
            .map(|r| {
                r.first().map_or(Err(Error::storage("drafts_added: one column expected")), V::int)
            })
            .collect()
    }

    pub(crate) fn insert_credential(
        &mut self,
        room: &RoomId,
        principal: &str,
        hash: &str,
    ) -> Result<(), Error> {
        self.sql.exec(
            "INSERT INTO credentials (room, principal, hash) VALUES ($1, $2, $3)",
            &[P::T(room.as_str()), P::T(principal), P::T(hash)],
        )?;
        Ok(())
    }

    pub(crate) fn credential(
        &mut self,
        room: &RoomId,
        principal: &str,
    ) -> Result<Option<CredentialRow>, Error> {
        let rows = self.sql.query(
            "SELECT hash, claimed, invitation FROM credentials WHERE room = $1 AND principal = $2",
            &[P::T(room.as_str()), P::T(principal)],
        )?;
        let Some(r) = rows.into_iter().next() else { return Ok(None) };
        let [hash, claimed, invitation]: [V; 3] =
            r.try_into().map_err(|_| Error::storage("credentials: three columns expected"))?;
        Ok(Some(CredentialRow {
            hash: hash.text()?,
            claimed: match claimed {
                V::Null => None,
                v => Some(v.int()?),
            },
            invitation: match invitation {
                V::Null => None,
                v => Some(v.text()?),
            },
        }))
    }

    /// Replaces a holder's credential by a new token's hash, unclaimed (a reissue); whether
    /// the holder exists.
    pub(crate) fn set_credential(
        &mut self,
        room: &RoomId,
        principal: &str,
        hash: &str,
    ) -> Result<bool, Error> {
        let n = self.sql.exec(
            "UPDATE credentials SET hash = $1, claimed = NULL, invitation = NULL WHERE room = $2 AND principal = $3",
            &[P::T(hash), P::T(room.as_str()), P::T(principal)],
        )?;
        Ok(n == 1)
    }

    /// Replaces a party's invitation by the hash of the secret it chose, claimed at `at`,
    /// keeping the invitation's hash to recognise it; whether the holder exists.
    pub(crate) fn claim_credential(
        &mut self,
        room: &RoomId,
        principal: &str,
        secret_hash: &str,
        invitation_hash: &str,
        at: i64,
    ) -> Result<bool, Error> {
        let n = self.sql.exec(
            "UPDATE credentials SET hash = $1, invitation = $2, claimed = $3 WHERE room = $4 AND principal = $5",
            &[P::T(secret_hash), P::T(invitation_hash), P::I(at), P::T(room.as_str()), P::T(principal)],
        )?;
        Ok(n == 1)
    }

    /// The principals of a room whose credential is claimed (for the mediator's view: who
    /// has claimed its invitation, who has not).
    pub(crate) fn claimed(&mut self, g: &AssembleGrant) -> Result<Vec<String>, Error> {
        let rows = self.sql.query(
            "SELECT principal FROM credentials WHERE room = $1 AND claimed IS NOT NULL ORDER BY principal",
            &[P::T(g.room().as_str())],
        )?;
        rows.into_iter()
            .map(|r| {
                let [principal]: [V; 1] =
                    r.try_into().map_err(|_| Error::storage("credentials: one column expected"))?;
                principal.text()
            })
            .collect()
    }

    pub(crate) fn insert_session(
        &mut self,
        digest: &str,
        room: &RoomId,
        principal: &str,
        expires: i64,
    ) -> Result<(), Error> {
        self.sql.exec(
            "INSERT INTO sessions (digest, room, principal, expires) VALUES ($1, $2, $3, $4)",
            &[P::T(digest), P::T(room.as_str()), P::T(principal), P::I(expires)],
        )?;
        Ok(())
    }

    pub(crate) fn session(&mut self, digest: &str) -> Result<Option<SessionRow>, Error> {
        let rows = self.sql.query(
            "SELECT s.room, s.principal, s.expires, c.claimed FROM sessions s JOIN credentials c \
             ON c.room = s.room AND c.principal = s.principal WHERE s.digest = $1",
            &[P::T(digest)],
        )?;
        let Some(r) = rows.into_iter().next() else { return Ok(None) };
        let [room, principal, expires, claimed]: [V; 4] =
            r.try_into().map_err(|_| Error::storage("sessions: four columns expected"))?;
        Ok(Some(SessionRow {
            room: room.text()?,
            principal: principal.text()?,
            expires: expires.int()?,
            claimed: claimed != V::Null,
        }))
    }

    pub(crate) fn delete_session(&mut self, digest: &str) -> Result<(), Error> {
        self.sql.exec("DELETE FROM sessions WHERE digest = $1", &[P::T(digest)])?;
        Ok(())
    }

    /// Ends every session of one holder in a room (its token was reissued); how many.
    pub(crate) fn delete_sessions_of(
        &mut self,
        room: &RoomId,
        principal: &str,
    ) -> Result<u64, Error> {
        self.sql.exec(
            "DELETE FROM sessions WHERE room = $1 AND principal = $2",
            &[P::T(room.as_str()), P::T(principal)],
        )
    }

    /// Drops the sessions of a room that ended by `now` (at every sign-in and every lookup
    /// of a session of the room).
    pub(crate) fn delete_expired(&mut self, room: &RoomId, now: i64) -> Result<(), Error> {
        self.sql.exec(
            "DELETE FROM sessions WHERE room = $1 AND expires <= $2",
            &[P::T(room.as_str()), P::I(now)],
        )?;
        Ok(())
    }

    pub(crate) fn put_inputs(&mut self, g: &PartyGrant, body: &str, at: i64) -> Result<(), Error> {
        let changed = self.sql.exec(
            "UPDATE inputs SET body = $1, updated = $2 WHERE room = $3 AND party = $4",
            &[P::T(body), P::I(at), P::T(g.room().as_str()), P::T(g.party())],
        )?;
        if changed == 0 {
            self.sql.exec(
                "INSERT INTO inputs (room, party, body, updated) VALUES ($1, $2, $3, $4)",
                &[P::T(g.room().as_str()), P::T(g.party()), P::T(body), P::I(at)],
            )?;
        }
        Ok(())
    }

    pub(crate) fn inputs(&mut self, g: &PartyGrant) -> Result<Option<String>, Error> {
        let rows = self.sql.query(
            "SELECT body FROM inputs WHERE room = $1 AND party = $2",
            &[P::T(g.room().as_str()), P::T(g.party())],
        )?;
        rows.into_iter().next().map(|mut r| r.swap_remove(0).text()).transpose()
    }

    /// Erases a party's inputs and its sealed offers (a settled bidding keeps its
    /// settlement); how many rows of each.
    pub(crate) fn erase(&mut self, g: &EraseGrant) -> Result<(u64, u64), Error> {
        let (room, party) = (P::T(g.room().as_str()), P::T(g.party()));
        let inputs =
            self.sql.exec("DELETE FROM inputs WHERE room = $1 AND party = $2", &[room, party])?;
        let offers =
            self.sql.exec("DELETE FROM offers WHERE room = $1 AND party = $2", &[room, party])?;
        Ok((inputs, offers))
    }

    pub(crate) fn all_inputs(&mut self, g: &AssembleGrant) -> Result<Vec<(String, String)>, Error> {
        let rows = self.sql.query(
            "SELECT party, body FROM inputs WHERE room = $1 ORDER BY party",
            &[P::T(g.room().as_str())],
        )?;
        rows.into_iter()
            .map(|r| {
                let [party, body]: [V; 2] =
                    r.try_into().map_err(|_| Error::storage("inputs: two columns expected"))?;
                Ok((party.text()?, body.text()?))
            })
            .collect()
    }

    pub(crate) fn append_audit(
        &mut self,
        room: &RoomId,
        at: i64,
        who: &str,
        what: &str,
    ) -> Result<(), Error> {
        self.sql.exec(
            "INSERT INTO audit (room, at, who, what) VALUES ($1, $2, $3, $4)",
            &[P::T(room.as_str()), P::I(at), P::T(who), P::T(what)],
        )?;
        Ok(())
    }

    pub(crate) fn audit(&mut self, g: &Grant) -> Result<Vec<AuditEntry>, Error> {
        let rows = self.sql.query(
            "SELECT seq, at, who, what FROM audit WHERE room = $1 ORDER BY seq",
            &[P::T(g.room().as_str())],
        )?;
        rows.into_iter()
            .map(|r| {
                let [seq, at, who, what]: [V; 4] =
                    r.try_into().map_err(|_| Error::storage("audit: four columns expected"))?;
                Ok(AuditEntry {
                    seq: seq.int()?,
                    at: at.int()?,
                    who: who.text()?,
                    what: what.text()?,
                })
            })
            .collect()
    }

    pub(crate) fn insert_bidding(
        &mut self,
        g: &Grant,
        issue: &str,
        low: &str,
        high: &str,
        at: i64,
    ) -> Result<i64, Error> {
        let room = g.room().as_str();
        let rows = self
            .sql
            .query("SELECT COALESCE(MAX(id), 0) FROM biddings WHERE room = $1", &[P::T(room)])?;
        let id = rows.first().and_then(|r| r.first()).map(V::int).transpose()?.unwrap_or(0) + 1;
        self.sql.exec(
            "INSERT INTO biddings (room, id, issue, low, high, opened) VALUES ($1, $2, $3, $4, $5, $6)",
            &[P::T(room), P::I(id), P::T(issue), P::T(low), P::T(high), P::I(at)],
        )?;
        Ok(id)
    }

    pub(crate) fn biddings(&mut self, room: &RoomId) -> Result<Vec<BiddingRow>, Error> {
        let rows = self.sql.query(
            "SELECT id, issue, low, high, settlement FROM biddings WHERE room = $1 ORDER BY id",
            &[P::T(room.as_str())],
        )?;
        rows.into_iter()
            .map(|r| {
                let [id, issue, low, high, settlement]: [V; 5] =
                    r.try_into().map_err(|_| Error::storage("biddings: five columns expected"))?;
                Ok(BiddingRow {
                    id: id.int()?,
                    issue: issue.text()?,
                    low: low.text()?,
                    high: high.text()?,
                    settlement: settlement.float()?,
                })
            })
            .collect()
    }

    pub(crate) fn settle(&mut self, room: &RoomId, id: i64, value: f64) -> Result<(), Error> {
        self.sql.exec(
            "UPDATE biddings SET settlement = $1 WHERE room = $2 AND id = $3",
            &[P::F(value), P::T(room.as_str()), P::I(id)],
        )?;
        Ok(())
    }

    pub(crate) fn insert_offer(
        &mut self,
        g: &PartyGrant,
        bidding: i64,
        value: f64,
        at: i64,
    ) -> Result<(), Error> {
        let n = self.own_offers(g, bidding)?.len() as i64;
        self.sql.exec(
            "INSERT INTO offers (room, bidding, party, seq, value, at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[P::T(g.room().as_str()), P::I(bidding), P::T(g.party()), P::I(n + 1), P::F(value), P::I(at)],
        )?;
        Ok(())
    }

    /// The party's own offers in a bidding, oldest first: (value, when).
    pub(crate) fn own_offers(
        &mut self,
        g: &PartyGrant,
        bidding: i64,
    ) -> Result<Vec<(f64, i64)>, Error> {
        let rows = self.sql.query(
            "SELECT value, at FROM offers WHERE room = $1 AND bidding = $2 AND party = $3 ORDER BY seq",
            &[P::T(g.room().as_str()), P::I(bidding), P::T(g.party())],
        )?;
        rows.into_iter()
            .map(|r| {
                let [value, at]: [V; 2] =
                    r.try_into().map_err(|_| Error::storage("offers: two columns expected"))?;
                Ok((value.float()?.unwrap_or(f64::NAN), at.int()?))
            })
            .collect()
    }

    /// The latest sealed offer of one side of a bidding: read only by the crossing check
    /// of [`crate::Rooms::offer`], which reduces both sides' to "not yet crossed" or the
    /// settlement before anything leaves the room.
    pub(crate) fn sealed_latest(
        &mut self,
        room: &RoomId,
        bidding: i64,
        party: &str,
    ) -> Result<Option<f64>, Error> {
        let rows = self.sql.query(
            "SELECT value FROM offers WHERE room = $1 AND bidding = $2 AND party = $3 ORDER BY seq DESC LIMIT 1",
            &[P::T(room.as_str()), P::I(bidding), P::T(party)],
        )?;
        Ok(rows.first().and_then(|r| r.first()).map(V::float).transpose()?.flatten())
    }

    /// How many offers each party made in a bidding (what the mediator sees of it).
    pub(crate) fn offer_counts(
        &mut self,
        g: &Grant,
        bidding: i64,
    ) -> Result<Vec<(String, i64)>, Error> {
        let rows = self.sql.query(
            "SELECT party, COUNT(*) FROM offers WHERE room = $1 AND bidding = $2 GROUP BY party ORDER BY party",
            &[P::T(g.room().as_str()), P::I(bidding)],
        )?;
        rows.into_iter()
            .map(|r| {
                let [party, n]: [V; 2] =
                    r.try_into().map_err(|_| Error::storage("offers: two columns expected"))?;
                Ok((party.text()?, n.int()?))
            })
            .collect()
    }
}
