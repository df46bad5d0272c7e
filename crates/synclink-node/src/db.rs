//! The instance's SQLite database: schema migrations, the instance's identity, connections and
//! idempotency keys.
//!
//! Durability: WAL with `synchronous=FULL`, so a write that returned is on disk before the
//! client hears of it, and every write runs in one transaction, so a crash leaves either all of
//! a connection or none of it. One connection behind a mutex serialises the writes; SQLite
//! calls block, so they run on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use synclink_core::api;
use synclink_core::{Mode, Platform, Status};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database at {path} has schema version {found}; this synclink-node knows up to {known}"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
    #[error("a database task stopped unexpectedly")]
    Task,
}

/// Schema migrations, in order; `PRAGMA user_version` counts how many have been applied.
/// Append only: a released migration is never edited.
const MIGRATIONS: &[&str] = &[
    // 1: the instance's identity, connections, idempotency keys.
    "CREATE TABLE instance (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        instance_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE connections (
        id TEXT PRIMARY KEY CHECK (length(id) = 32),
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        local_short_name TEXT NOT NULL,
        remote_short_name TEXT NOT NULL,
        remote_url TEXT,
        remote_platform TEXT,
        mode TEXT NOT NULL,
        status TEXT NOT NULL,
        initiated_here INTEGER NOT NULL,
        secret BLOB NOT NULL CHECK (length(secret) = 32),
        invitation_code TEXT,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX connections_newest ON connections (created_at DESC);
    CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        connection_id TEXT NOT NULL REFERENCES connections (id),
        created_at INTEGER NOT NULL
    );",
];

/// The instance's identity, fixed when the database is created.
#[derive(Clone, Debug)]
pub struct InstanceRow {
    pub instance_id: String,
    /// Unix seconds; the trial starts here.
    pub created_at: i64,
}

/// Everything stored for a new connection.
pub struct NewRow {
    pub connection: api::Connection,
    pub secret: [u8; 32],
    pub invitation_code: String,
    pub expires_at: i64,
}

/// A connection with the invitation code kept for it.
#[derive(Clone, Debug)]
pub struct StoredConnection {
    pub connection: api::Connection,
    pub invitation_code: Option<String>,
}

/// What an `Idempotency-Key` names: the request's fingerprint and the connection it created.
pub struct KeyRecord {
    pub fingerprint: String,
    pub stored: StoredConnection,
}

pub enum InsertOutcome {
    Created(StoredConnection),
    /// The key was used before; the caller compares fingerprints.
    KeyExists(KeyRecord),
}

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating when absent) and migrates the database, and returns its identity. A new
    /// database takes `fresh_instance_id` and `now` as its identity and trial start.
    pub async fn open(
        path: PathBuf,
        fresh_instance_id: String,
        now: i64,
    ) -> Result<(Db, InstanceRow), DbError> {
        let (conn, instance) = tokio::task::spawn_blocking(move || {
            let mut conn = Connection::open(&path)?;
            configure(&conn)?;
            migrate(&mut conn, &path)?;
            let instance = ensure_instance(&mut conn, &fresh_instance_id, now)?;
            Ok::<_, DbError>((conn, instance))
        })
        .await
        .map_err(|_| DbError::Task)??;
        Ok((
            Db {
                conn: Arc::new(Mutex::new(conn)),
            },
            instance,
        ))
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn call<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while the lock was held cannot leave a half transaction behind (dropping
            // a rusqlite transaction rolls it back), so a poisoned lock is safe to take.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| DbError::Task)?
    }

    /// All connections, newest first.
    pub async fn list_connections(&self) -> Result<Vec<api::Connection>, DbError> {
        self.call(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM connections ORDER BY created_at DESC, rowid DESC"
            ))?;
            let rows = stmt.query_map([], read_row)?;
            let mut out = Vec::new();
            for row in rows {
                out.push(row??.connection);
            }
            Ok(out)
        })
        .await
    }

    pub async fn get_connection(&self, id: String) -> Result<Option<StoredConnection>, DbError> {
        self.call(move |conn| select_connection(conn, &id)).await
    }

    pub async fn find_key(&self, key: String) -> Result<Option<KeyRecord>, DbError> {
        self.call(move |conn| select_key(conn, &key)).await
    }

    /// Stores a new connection and, when given, its idempotency key with the request's
    /// fingerprint, in one transaction. A key that is already stored wins: nothing is written
    /// and the earlier record comes back.
    pub async fn insert_connection(
        &self,
        row: NewRow,
        key: Option<(String, String)>,
    ) -> Result<InsertOutcome, DbError> {
        self.call(move |conn| {
            // IMMEDIATE takes the write lock first, so the key check and the insert cannot
            // interleave with another writer's.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some((key, _)) = &key
                && let Some(existing) = select_key(&tx, key)?
            {
                return Ok(InsertOutcome::KeyExists(existing));
            }
            let c = &row.connection;
            tx.execute(
                "INSERT INTO connections (id, name, description, local_short_name,
                    remote_short_name, remote_url, remote_platform, mode, status, initiated_here,
                    secret, invitation_code, expires_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    c.id,
                    c.name,
                    c.description,
                    c.local_short_name,
                    c.remote_short_name,
                    c.remote_url,
                    c.remote_platform.map(Platform::id),
                    c.mode.label(),
                    c.status.label(),
                    c.initiated_here,
                    row.secret.as_slice(),
                    row.invitation_code,
                    row.expires_at,
                    c.created_at,
                    c.updated_at,
                ],
            )?;
            if let Some((key, fingerprint)) = &key {
                tx.execute(
                    "INSERT INTO idempotency_keys (key, fingerprint, connection_id, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![key, fingerprint, c.id, c.created_at],
                )?;
            }
            tx.commit()?;
            Ok(InsertOutcome::Created(StoredConnection {
                connection: row.connection,
                invitation_code: Some(row.invitation_code),
            }))
        })
        .await
    }
}

fn configure(conn: &Connection) -> Result<(), DbError> {
    // Another process (a node being restarted) may still hold the lock for a moment.
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DbError::Corrupt(format!(
            "journal mode {mode} instead of WAL"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), DbError> {
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > known {
        return Err(DbError::TooNew {
            path: path.display().to_string(),
            found: version,
            known,
        });
    }
    // Each step and the version that records it commit together.
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn ensure_instance(
    conn: &mut Connection,
    fresh_id: &str,
    now: i64,
) -> Result<InstanceRow, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT OR IGNORE INTO instance (singleton, instance_id, created_at) VALUES (1, ?1, ?2)",
        params![fresh_id, now],
    )?;
    let row = tx.query_row(
        "SELECT instance_id, created_at FROM instance WHERE singleton = 1",
        [],
        |row| {
            Ok(InstanceRow {
                instance_id: row.get(0)?,
                created_at: row.get(1)?,
            })
        },
    )?;
    tx.commit()?;
    Ok(row)
}

const COLUMNS: &str = "id, name, description, local_short_name, remote_short_name, remote_url, \
     remote_platform, mode, status, initiated_here, invitation_code, created_at, updated_at";

fn select_connection(conn: &Connection, id: &str) -> Result<Option<StoredConnection>, DbError> {
    let found = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM connections WHERE id = ?1"),
            [id],
            read_row,
        )
        .optional()?;
    found.transpose()
}

fn select_key(conn: &Connection, key: &str) -> Result<Option<KeyRecord>, DbError> {
    let found = conn
        .query_row(
            "SELECT fingerprint, connection_id FROM idempotency_keys WHERE key = ?1",
            [key],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()?;
    let Some((fingerprint, connection_id)) = found else {
        return Ok(None);
    };
    let stored = select_connection(conn, &connection_id)?.ok_or_else(|| {
        DbError::Corrupt(format!(
            "idempotency key names a missing connection {connection_id}"
        ))
    })?;
    Ok(Some(KeyRecord {
        fingerprint,
        stored,
    }))
}

/// Reads one row of [`COLUMNS`]. The outer error is SQLite's; the inner one a stored value this
/// version cannot read.
fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredConnection, DbError>> {
    let mode: String = row.get(7)?;
    let status: String = row.get(8)?;
    let platform: Option<String> = row.get(6)?;
    let Some(mode) = Mode::from_label(&mode) else {
        return Ok(Err(DbError::Corrupt(format!("mode {mode:?}"))));
    };
    let Some(status) = Status::from_label(&status) else {
        return Ok(Err(DbError::Corrupt(format!("status {status:?}"))));
    };
    let remote_platform = match platform {
        None => None,
        Some(id) => match Platform::from_id(&id) {
            Some(p) => Some(p),
            None => return Ok(Err(DbError::Corrupt(format!("platform {id:?}")))),
        },
    };
    Ok(Ok(StoredConnection {
        connection: api::Connection {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            local_short_name: row.get(3)?,
            remote_short_name: row.get(4)?,
            remote_url: row.get(5)?,
            remote_platform,
            mode,
            status,
            initiated_here: row.get(9)?,
            created_at: row.get(11)?,
            updated_at: row.get(12)?,
        },
        invitation_code: row.get(10)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str, created_at: i64) -> NewRow {
        NewRow {
            connection: api::Connection {
                id: id.into(),
                name: "a_to_b".into(),
                description: String::new(),
                local_short_name: "a".into(),
                remote_short_name: "b".into(),
                remote_url: None,
                remote_platform: None,
                mode: Mode::Script,
                status: Status::Pending,
                initiated_here: true,
                created_at,
                updated_at: created_at,
            },
            secret: [1; 32],
            invitation_code: "code".into(),
            expires_at: created_at + 10,
        }
    }

    #[tokio::test]
    async fn migrates_once_and_keeps_identity_and_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.db");
        let (db, first) = Db::open(path.clone(), "aa".into(), 100).await.unwrap();
        assert_eq!((first.instance_id.as_str(), first.created_at), ("aa", 100));
        let id = "0".repeat(32);
        let key = Some(("k".to_string(), "fp".to_string()));
        assert!(matches!(
            db.insert_connection(sample(&id, 5), key.clone())
                .await
                .unwrap(),
            InsertOutcome::Created(_)
        ));
        let again = db
            .insert_connection(sample(&"1".repeat(32), 6), key)
            .await
            .unwrap();
        let InsertOutcome::KeyExists(record) = again else {
            panic!("key not found")
        };
        assert_eq!(record.fingerprint, "fp");
        assert_eq!(record.stored.connection.id, id);
        drop(db);

        let (db, second) = Db::open(path, "bb".into(), 200).await.unwrap();
        assert_eq!(
            (second.instance_id.as_str(), second.created_at),
            ("aa", 100)
        );
        let all = db.list_connections().await.unwrap();
        assert_eq!(all.len(), 1);
        let stored = db.get_connection(id).await.unwrap().unwrap();
        assert_eq!(stored.invitation_code.as_deref(), Some("code"));
    }
}
