//! The SQLite backend: one database file under the data directory, in WAL mode with full
//! synchronisation (a change acknowledged is on disk), each operation one immediate
//! transaction (it takes the write lock at its start, so two writers never deadlock).

use std::path::Path;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use crate::error::Error;
use crate::store::{P, Sql, Tx, V};

/// The database file's name inside the data directory.
pub const FILE: &str = "detente-room.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, skeleton TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (room TEXT NOT NULL REFERENCES rooms(id), principal TEXT NOT NULL,
  hash TEXT NOT NULL, claimed INTEGER, invitation TEXT, PRIMARY KEY (room, principal));
CREATE TABLE IF NOT EXISTS sessions (digest TEXT PRIMARY KEY, room TEXT NOT NULL REFERENCES rooms(id),
  principal TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_holder ON sessions (room, principal);
CREATE TABLE IF NOT EXISTS inputs (room TEXT NOT NULL REFERENCES rooms(id), party TEXT NOT NULL,
  body TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (room, party));
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL REFERENCES rooms(id),
  at INTEGER NOT NULL, who TEXT NOT NULL, what TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_room ON audit (room, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS drafts_added (room TEXT NOT NULL REFERENCES rooms(id), draft TEXT NOT NULL,
  at INTEGER NOT NULL, PRIMARY KEY (room, draft));
CREATE TABLE IF NOT EXISTS biddings (room TEXT NOT NULL REFERENCES rooms(id), id INTEGER NOT NULL,
  issue TEXT NOT NULL, low TEXT NOT NULL, high TEXT NOT NULL, settlement REAL, opened INTEGER NOT NULL,
  PRIMARY KEY (room, id));
CREATE TABLE IF NOT EXISTS offers (room TEXT NOT NULL, bidding INTEGER NOT NULL, party TEXT NOT NULL,
  seq INTEGER NOT NULL, value REAL NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (room, bidding, party, seq),
  FOREIGN KEY (room, bidding) REFERENCES biddings (room, id));
";

/// A room store in one SQLite file.
pub(crate) struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) `DIR/detente-room.sqlite`.
    pub(crate) fn open(dir: &Path) -> Result<SqliteStore, Error> {
        let path = dir.join(FILE);
        let mut conn = Connection::open(&path)
            .map_err(|e| Error::storage(format!("{}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if mode != "wal" {
            return Err(Error::storage(format!("{}: WAL mode refused ({mode})", path.display())));
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        conn.execute_batch(SCHEMA)?;
        // A store made before parties claimed their invitations: its credentials, all
        // unclaimed, get the two columns (SQLite has no `ADD COLUMN IF NOT EXISTS`; the
        // immediate transaction keeps two servers opening it together from both adding them).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let has: i64 = tx.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('credentials') WHERE name = 'claimed'",
            [],
            |r| r.get(0),
        )?;
        if has == 0 {
            tx.execute_batch(
                "ALTER TABLE credentials ADD COLUMN claimed INTEGER; \
                 ALTER TABLE credentials ADD COLUMN invitation TEXT;",
            )?;
        }
        tx.commit()?;
        Ok(SqliteStore { conn })
    }

    /// Runs `f` in one immediate transaction: committed when it returns `Ok`, rolled back
    /// otherwise.
    pub(crate) fn with_tx<T>(
        &mut self,
        f: &mut dyn FnMut(&mut Tx) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut sql = SqliteSql { tx: &tx };
        let out = f(&mut Tx { sql: &mut sql })?;
        tx.commit()?;
        Ok(out)
    }
}

struct SqliteSql<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

fn bind(params: &[P]) -> Vec<SqlValue> {
    params
        .iter()
        .map(|p| match *p {
            P::I(i) => SqlValue::Integer(i),
            P::F(x) => SqlValue::Real(x),
            P::T(s) => SqlValue::Text(s.to_string()),
        })
        .collect()
}

impl Sql for SqliteSql<'_> {
    fn exec(&mut self, sql: &str, params: &[P]) -> Result<u64, Error> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(bind(params)))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[P]) -> Result<Vec<Vec<V>>, Error> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(bind(params)))?;
        let mut out = vec![];
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(n);
            for i in 0..n {
                values.push(match row.get_ref(i)? {
                    ValueRef::Null => V::Null,
                    ValueRef::Integer(i) => V::I(i),
                    ValueRef::Real(x) => V::F(x),
                    ValueRef::Text(t) => V::T(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => return Err(Error::storage("unexpected blob column")),
                });
            }
            out.push(values);
        }
        Ok(out)
    }
}
