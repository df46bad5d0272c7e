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
    // 2: who is on the other side once an invitation is accepted. On the initiating instance,
    // the acceptor's instance id tells its retries from another instance's attempt.
    "ALTER TABLE connections ADD COLUMN remote_instance_id TEXT;
    ALTER TABLE connections ADD COLUMN remote_instance_name TEXT;",
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
    /// Kept while the invitation can be shown again: initiated here and `Pending`.
    pub invitation_code: Option<String>,
    pub expires_at: i64,
    /// The other instance's name, when known (on the accepting side, from the handshake).
    pub remote_instance_name: Option<String>,
}

/// A connection with its shared secret, for the handshake's checks.
pub struct WithSecret {
    pub stored: StoredConnection,
    pub secret: [u8; 32],
    pub expires_at: i64,
}

/// The accepting instance, as it introduced itself in the handshake (already checked).
pub struct AcceptorRow {
    pub instance_id: String,
    pub instance_name: String,
    pub platform: Platform,
    pub public_url: Option<String>,
}

/// Where a handshake left a connection initiated here.
pub enum Activation {
    /// It was `Pending` and is now `Active` with this acceptor.
    Activated,
    /// It was already `Active` with this very acceptor: a retry.
    AlreadyActive,
    /// It is `Active` with another instance.
    UsedByAnother,
    Deactivated,
    /// Still `Pending`, but past its expiry.
    Expired,
    /// No such connection initiated here.
    Unknown,
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

    /// The connection with its secret and expiry.
    pub async fn get_with_secret(&self, id: String) -> Result<Option<WithSecret>, DbError> {
        self.call(move |conn| {
            let Some(stored) = select_connection(conn, &id)? else {
                return Ok(None);
            };
            let (secret, expires_at): (Vec<u8>, i64) = conn.query_row(
                "SELECT secret, expires_at FROM connections WHERE id = ?1",
                [&id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let secret = secret
                .try_into()
                .map_err(|_| DbError::Corrupt(format!("the secret of connection {id}")))?;
            Ok(Some(WithSecret {
                stored,
                secret,
                expires_at,
            }))
        })
        .await
    }

    /// Marks a `Pending` connection initiated here `Active` with `acceptor`, unless it has
    /// expired at `now`. The change is one guarded UPDATE: of two acceptors at once, exactly
    /// one finds the row still `Pending`. The invitation code is dropped: it is never shown
    /// again.
    pub async fn activate(
        &self,
        id: String,
        acceptor: AcceptorRow,
        now: i64,
    ) -> Result<Activation, DbError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = tx.execute(
                "UPDATE connections SET status = ?2, remote_instance_id = ?3,
                    remote_instance_name = ?4, remote_platform = ?5,
                    remote_url = COALESCE(?6, remote_url), invitation_code = NULL, updated_at = ?7
                 WHERE id = ?1 AND initiated_here AND status = ?8 AND expires_at > ?7",
                params![
                    id,
                    Status::Active.label(),
                    acceptor.instance_id,
                    acceptor.instance_name,
                    acceptor.platform.id(),
                    acceptor.public_url,
                    now,
                    Status::Pending.label(),
                ],
            )?;
            let found = tx
                .query_row(
                    "SELECT status, initiated_here, remote_instance_id FROM connections
                     WHERE id = ?1",
                    [&id],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, bool>(1)?,
                            row.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .optional()?;
            let outcome = match found {
                None | Some((_, false, _)) => Activation::Unknown,
                Some(_) if changed == 1 => Activation::Activated,
                Some((status, true, accepted_by)) => match Status::from_label(&status) {
                    Some(Status::Pending) => Activation::Expired,
                    Some(Status::Deactivated) => Activation::Deactivated,
                    Some(Status::Active)
                        if accepted_by.as_deref() == Some(acceptor.instance_id.as_str()) =>
                    {
                        Activation::AlreadyActive
                    }
                    Some(Status::Active) => Activation::UsedByAnother,
                    None => return Err(DbError::Corrupt(format!("status {status:?}"))),
                },
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// Stores a connection accepted here, unless one with its id is already stored: then
    /// that one comes back, with `false`.
    pub async fn insert_accepted(&self, row: NewRow) -> Result<(StoredConnection, bool), DbError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(existing) = select_connection(&tx, &row.connection.id)? {
                return Ok((existing, false));
            }
            insert_row(&tx, &row)?;
            tx.commit()?;
            Ok((stored(row), true))
        })
        .await
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
            insert_row(&tx, &row)?;
            if let Some((key, fingerprint)) = &key {
                let c = &row.connection;
                tx.execute(
                    "INSERT INTO idempotency_keys (key, fingerprint, connection_id, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![key, fingerprint, c.id, c.created_at],
                )?;
            }
            tx.commit()?;
            Ok(InsertOutcome::Created(stored(row)))
        })
        .await
    }
}

fn insert_row(conn: &Connection, row: &NewRow) -> Result<(), DbError> {
    let c = &row.connection;
    conn.execute(
        "INSERT INTO connections (id, name, description, local_short_name,
            remote_short_name, remote_url, remote_platform, mode, status, initiated_here,
            secret, invitation_code, expires_at, created_at, updated_at, remote_instance_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
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
            row.remote_instance_name,
        ],
    )?;
    Ok(())
}

/// What a row just inserted reads back as.
fn stored(row: NewRow) -> StoredConnection {
    StoredConnection {
        connection: row.connection,
        invitation_code: row.invitation_code,
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
            invitation_code: Some("code".into()),
            expires_at: created_at + 10,
            remote_instance_name: None,
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
    fn acceptor(instance_id: &str) -> AcceptorRow {
        AcceptorRow {
            instance_id: instance_id.into(),
            instance_name: format!("Instance {instance_id}"),
            platform: Platform::Jira,
            public_url: Some(format!("http://{instance_id}.example")),
        }
    }

    #[tokio::test]
    async fn one_acceptor_activates_and_only_it_may_retry() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = Db::open(dir.path().join("node.db"), "aa".into(), 0)
            .await
            .unwrap();
        let id = "0".repeat(32);
        db.insert_connection(sample(&id, 100), None).await.unwrap();
        let activate = |who: &str, now: i64| db.activate(id.clone(), acceptor(who), now);

        assert!(matches!(
            activate("b", 105).await.unwrap(),
            Activation::Activated
        ));
        assert!(matches!(
            activate("b", 200).await.unwrap(),
            Activation::AlreadyActive
        ));
        assert!(matches!(
            activate("c", 105).await.unwrap(),
            Activation::UsedByAnother
        ));
        let stored = db.get_connection(id.clone()).await.unwrap().unwrap();
        let c = &stored.connection;
        assert_eq!(c.status, Status::Active);
        assert_eq!(c.remote_platform, Some(Platform::Jira));
        assert_eq!(c.remote_url.as_deref(), Some("http://b.example"));
        assert_eq!(c.updated_at, 105);
        assert_eq!(
            stored.invitation_code, None,
            "the code is never shown again"
        );

        // Past its expiry (created at 100, expires at 110), a pending one stays pending.
        let late = "1".repeat(32);
        db.insert_connection(sample(&late, 100), None)
            .await
            .unwrap();
        let outcome = db.activate(late.clone(), acceptor("b"), 110).await.unwrap();
        assert!(matches!(outcome, Activation::Expired));
        let stored = db.get_connection(late).await.unwrap().unwrap();
        assert_eq!(stored.connection.status, Status::Pending);
        assert!(stored.invitation_code.is_some());

        // A private acceptor leaves the remote URL as it was (none for a private remote).
        let private = "2".repeat(32);
        db.insert_connection(sample(&private, 100), None)
            .await
            .unwrap();
        let mut nameless = acceptor("d");
        nameless.public_url = None;
        db.activate(private.clone(), nameless, 101).await.unwrap();
        let stored = db.get_connection(private).await.unwrap().unwrap();
        assert_eq!(stored.connection.remote_url, None);

        let outcome = db
            .activate("3".repeat(32), acceptor("b"), 101)
            .await
            .unwrap();
        assert!(matches!(outcome, Activation::Unknown));
    }

    #[tokio::test]
    async fn an_accepted_connection_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = Db::open(dir.path().join("node.db"), "aa".into(), 0)
            .await
            .unwrap();
        let id = "0".repeat(32);
        let accepted = || {
            let mut row = sample(&id, 100);
            row.connection.status = Status::Active;
            row.connection.initiated_here = false;
            row.invitation_code = None;
            row
        };
        let (first, created) = db.insert_accepted(accepted()).await.unwrap();
        assert!(created);
        let (again, created) = db.insert_accepted(accepted()).await.unwrap();
        assert!(!created);
        assert_eq!(again.connection, first.connection);
        assert_eq!(db.list_connections().await.unwrap().len(), 1);
        let with_secret = db.get_with_secret(id).await.unwrap().unwrap();
        assert_eq!(with_secret.secret, [1; 32]);
        // Accepted here: no handshake can make it Active for anyone.
        let outcome = db
            .activate("0".repeat(32), acceptor("b"), 101)
            .await
            .unwrap();
        assert!(matches!(outcome, Activation::Unknown));
    }
}
