//! The PostgreSQL backend (the synchronous `postgres` client), for a team server: each
//! operation one transaction (read committed); an operation that reads a room's state to
//! change it first locks the room's row ([`Tx::lock_room`]), so concurrent servers on one
//! database change a room one at a time, as one server does. A deadlock reported by
//! PostgreSQL is tried again.

use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls};

use crate::error::Error;
use crate::store::{P, Sql, Tx, V};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, skeleton TEXT NOT NULL, created BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (room TEXT NOT NULL REFERENCES rooms(id), principal TEXT NOT NULL,
  hash TEXT NOT NULL, claimed BIGINT, invitation TEXT, PRIMARY KEY (room, principal));
ALTER TABLE credentials ADD COLUMN IF NOT EXISTS claimed BIGINT;
ALTER TABLE credentials ADD COLUMN IF NOT EXISTS invitation TEXT;
CREATE TABLE IF NOT EXISTS sessions (digest TEXT PRIMARY KEY, room TEXT NOT NULL REFERENCES rooms(id),
  principal TEXT NOT NULL, expires BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_holder ON sessions (room, principal);
CREATE TABLE IF NOT EXISTS inputs (room TEXT NOT NULL REFERENCES rooms(id), party TEXT NOT NULL,
  body TEXT NOT NULL, updated BIGINT NOT NULL, PRIMARY KEY (room, party));
CREATE TABLE IF NOT EXISTS audit (seq BIGSERIAL PRIMARY KEY, room TEXT NOT NULL REFERENCES rooms(id),
  at BIGINT NOT NULL, who TEXT NOT NULL, what TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_room ON audit (room, seq);
CREATE OR REPLACE FUNCTION detente_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION detente_audit_append_only();
CREATE TABLE IF NOT EXISTS drafts_added (room TEXT NOT NULL REFERENCES rooms(id), draft TEXT NOT NULL,
  at BIGINT NOT NULL, PRIMARY KEY (room, draft));
CREATE TABLE IF NOT EXISTS biddings (room TEXT NOT NULL REFERENCES rooms(id), id BIGINT NOT NULL,
  issue TEXT NOT NULL, low TEXT NOT NULL, high TEXT NOT NULL, settlement DOUBLE PRECISION,
  opened BIGINT NOT NULL, PRIMARY KEY (room, id));
CREATE TABLE IF NOT EXISTS offers (room TEXT NOT NULL, bidding BIGINT NOT NULL, party TEXT NOT NULL,
  seq BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL,
  PRIMARY KEY (room, bidding, party, seq), FOREIGN KEY (room, bidding) REFERENCES biddings (room, id));
";

/// How many times an operation is tried when PostgreSQL reports a deadlock or a
/// serialization failure.
const TRIES: usize = 8;

/// A room store in a PostgreSQL database.
pub(crate) struct PgStore {
    client: Client,
}

impl PgStore {
    /// Connects (a `postgres://` URL, no TLS: loopback or a private network; TLS to a remote
    /// database belongs in a tunnel) and creates the tables if needed, under an advisory
    /// lock so that servers starting together do not race.
    pub(crate) fn open(url: &str) -> Result<PgStore, Error> {
        let mut client = Client::connect(url, NoTls)
            .map_err(|e| Error::storage(format!("cannot connect to the database: {e}")))?;
        // The schema's statements lock its tables (an index's, a trigger's), the sessions
        // before the audit trail as every operation does; a deadlock with another server's
        // operation all the same is tried again.
        for tried in 1.. {
            let mut tx = client.transaction()?;
            let done = tx
                .execute("SELECT pg_advisory_xact_lock(7471)", &[])
                .and_then(|_| tx.batch_execute(SCHEMA))
                .and_then(|()| tx.commit());
            match done {
                Ok(()) => break,
                Err(e) if is_conflict(&e) && tried < TRIES => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(PgStore { client })
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise;
    /// tried again (up to [`TRIES`] times) on a deadlock or a serialization failure.
    pub(crate) fn with_tx<T>(
        &mut self,
        f: &mut dyn FnMut(&mut Tx) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut last = None;
        for _ in 0..TRIES {
            let mut tx = self.client.transaction()?;
            let mut sql = PgSql { tx: &mut tx, conflict: false };
            let out = f(&mut Tx { sql: &mut sql });
            let conflict = sql.conflict;
            match out {
                Ok(v) => match tx.commit() {
                    Ok(()) => return Ok(v),
                    Err(e) if is_conflict(&e) => last = Some(Error::from(e)),
                    Err(e) => return Err(e.into()),
                },
                Err(e) if conflict => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::storage("serialization failures")))
    }
}

fn is_conflict(e: &postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        *c == postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
            || *c == postgres::error::SqlState::T_R_DEADLOCK_DETECTED
    })
}

struct PgSql<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    /// Whether a statement failed with a serialization failure (the operation is retried).
    conflict: bool,
}

impl PgSql<'_, '_> {
    fn note(&mut self, e: postgres::Error) -> Error {
        self.conflict |= is_conflict(&e);
        e.into()
    }
}

fn bind<'p>(params: &'p [P]) -> Vec<Box<dyn ToSql + Sync + 'p>> {
    params
        .iter()
        .map(|p| -> Box<dyn ToSql + Sync + 'p> {
            match *p {
                P::I(i) => Box::new(i),
                P::F(x) => Box::new(x),
                P::T(s) => Box::new(s),
            }
        })
        .collect()
}

impl Sql for PgSql<'_, '_> {
    fn exec(&mut self, sql: &str, params: &[P]) -> Result<u64, Error> {
        let boxed = bind(params);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        self.tx.execute(sql, &refs).map_err(|e| self.note(e))
    }

    fn query(&mut self, sql: &str, params: &[P]) -> Result<Vec<Vec<V>>, Error> {
        let boxed = bind(params);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let rows = self.tx.query(sql, &refs).map_err(|e| self.note(e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, col) in row.columns().iter().enumerate() {
                let t = col.type_();
                let v = if *t == Type::INT8 {
                    row.try_get::<_, Option<i64>>(i)?.map_or(V::Null, V::I)
                } else if *t == Type::INT4 {
                    row.try_get::<_, Option<i32>>(i)?.map_or(V::Null, |x| V::I(x.into()))
                } else if *t == Type::FLOAT8 {
                    row.try_get::<_, Option<f64>>(i)?.map_or(V::Null, V::F)
                } else if *t == Type::TEXT || *t == Type::VARCHAR {
                    row.try_get::<_, Option<String>>(i)?.map_or(V::Null, V::T)
                } else {
                    return Err(Error::storage(format!("unexpected column type {t}")));
                };
                values.push(v);
            }
            out.push(values);
        }
        Ok(out)
    }
}
