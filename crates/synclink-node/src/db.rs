//! The instance's SQLite database: schema migrations, the instance's identity, connections,
//! idempotency keys and each connection's versions of its sync rules.
//!
//! Durability: WAL with `synchronous=FULL`, so a write that returned is on disk before the
//! client hears of it, and every write runs in one transaction, so a crash leaves either all of
//! a connection or none of it. One connection behind a mutex serialises the writes; SQLite
//! calls block, so they run on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use synclink_core::api::{self, RulesVersion, VersionSummary};
use synclink_core::{Mode, Platform, Status, rules};
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

/// A migration's step in code, given this instance's platform.
type MigrationCode = fn(&Connection, Platform) -> Result<(), DbError>;

/// One schema migration: SQL, then (when set) a step in code, in the same transaction.
struct Migration {
    sql: &'static str,
    then: Option<MigrationCode>,
}

/// Schema migrations, in order; `PRAGMA user_version` counts how many have been applied.
/// Append only: a released migration is never edited.
const MIGRATIONS: &[Migration] = &[
    // 1: the instance's identity, connections, idempotency keys.
    Migration {
        sql: "CREATE TABLE instance (
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
        then: None,
    },
    // 2: who is on the other side once an invitation is accepted. On the initiating instance,
    // the acceptor's instance id tells its retries from another instance's attempt.
    Migration {
        sql: "ALTER TABLE connections ADD COLUMN remote_instance_id TEXT;
    ALTER TABLE connections ADD COLUMN remote_instance_name TEXT;",
        then: None,
    },
    // 3: the published versions of each connection's sync rules; the connections that exist
    // get their defaults as version 1.
    Migration {
        sql: "CREATE TABLE rules_versions (
            connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
            version INTEGER NOT NULL CHECK (version >= 1),
            published_at INTEGER NOT NULL,
            restored_from INTEGER,
            outgoing TEXT NOT NULL,
            incoming TEXT NOT NULL,
            PRIMARY KEY (connection_id, version)
        );",
        then: Some(default_rules_for_existing),
    },
];

/// Version 1 (the defaults for this platform and the remote's) for every connection without
/// rules, published when the connection was created.
fn default_rules_for_existing(conn: &Connection, local: Platform) -> Result<(), DbError> {
    let mut stmt = conn.prepare(
        "SELECT id, remote_platform, created_at FROM connections
         WHERE id NOT IN (SELECT connection_id FROM rules_versions)",
    )?;
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (id, remote, created_at) in rows {
        let remote = remote.as_deref().and_then(Platform::from_id);
        let (outgoing, incoming) = rules::default_scripts(local, remote);
        insert_version(conn, &id, 1, created_at, None, &outgoing, &incoming)?;
    }
    Ok(())
}

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
    /// Version 1 of the rules, (outgoing, incoming): stored with the connection.
    pub rules: (String, String),
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

/// A connection with what a call to its other side needs: the shared secret and the other
/// instance's name, when known.
pub struct PeerRow {
    pub stored: StoredConnection,
    pub secret: [u8; 32],
    pub remote_instance_name: Option<String>,
}

/// Where a guarded change left a connection.
pub enum Change<T> {
    Done(T),
    /// No connection with this id (deleted meanwhile, perhaps).
    Unknown,
    /// The connection is not in a state that allows the change; here it is as it stands.
    Refused(StoredConnection),
}

impl Change<PeerRow> {
    /// The same outcome without the secret.
    fn stored(self) -> Change<StoredConnection> {
        match self {
            Change::Done(row) => Change::Done(row.stored),
            Change::Unknown => Change::Unknown,
            Change::Refused(stored) => Change::Refused(stored),
        }
    }
}

/// Where a publish (or a restore) left a connection's rules.
pub enum Publish {
    Published(RulesVersion),
    /// The base version is not the current one: this is the current one.
    Stale(VersionSummary),
    /// No connection with this id.
    Unknown,
    /// A restore of a version that does not exist.
    NoSuchVersion,
}

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating when absent) and migrates the database, and returns its identity. A new
    /// database takes `fresh_instance_id` and `now` as its identity and trial start.
    /// `platform` is this instance's: a migration writing default rules needs it.
    pub async fn open(
        path: PathBuf,
        fresh_instance_id: String,
        now: i64,
        platform: Platform,
    ) -> Result<(Db, InstanceRow), DbError> {
        let (conn, instance) = tokio::task::spawn_blocking(move || {
            let mut conn = Connection::open(&path)?;
            configure(&conn)?;
            migrate(&mut conn, &path, platform)?;
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

/// Sync rules.
impl Db {
    /// The current version and every version's summary, newest first; None for an unknown
    /// connection.
    pub async fn rules(
        &self,
        id: String,
    ) -> Result<Option<(RulesVersion, Vec<VersionSummary>)>, DbError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let Some(current) = select_current(&tx, &id)? else {
                return Ok(None);
            };
            let mut stmt = tx.prepare(
                "SELECT version, published_at, restored_from FROM rules_versions
                 WHERE connection_id = ?1 ORDER BY version DESC",
            )?;
            let versions = stmt
                .query_map([&id], |row| {
                    Ok(VersionSummary {
                        version: row.get(0)?,
                        published_at: row.get(1)?,
                        restored_from: row.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            drop(stmt);
            tx.commit()?;
            Ok(Some((current, versions)))
        })
        .await
    }

    pub async fn rules_version(
        &self,
        id: String,
        version: u32,
    ) -> Result<Option<RulesVersion>, DbError> {
        self.call(move |conn| select_version(conn, &id, version))
            .await
    }

    /// Publishes new scripts made from `base`, or (with `restore`) an earlier version's scripts
    /// again. Reading the current version, comparing and inserting are one IMMEDIATE
    /// transaction: of two publishes from one base, exactly one is stored.
    pub async fn publish(
        &self,
        id: String,
        base: u32,
        scripts: Scripts,
        now: i64,
    ) -> Result<Publish, DbError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if select_connection(&tx, &id)?.is_none() {
                return Ok(Publish::Unknown);
            }
            let Some(current) = select_current(&tx, &id)? else {
                return Err(DbError::Corrupt(format!("connection {id} has no rules")));
            };
            if current.version != base {
                return Ok(Publish::Stale(VersionSummary {
                    version: current.version,
                    published_at: current.published_at,
                    restored_from: current.restored_from,
                }));
            }
            let (outgoing, incoming, restored_from) = match scripts {
                Scripts::New { outgoing, incoming } => (outgoing, incoming, None),
                Scripts::Restore(n) => match select_version(&tx, &id, n)? {
                    Some(v) => (v.outgoing, v.incoming, Some(n)),
                    None => return Ok(Publish::NoSuchVersion),
                },
            };
            let version = current.version.checked_add(1).ok_or_else(|| {
                DbError::Corrupt(format!("connection {id} has too many versions"))
            })?;
            insert_version(&tx, &id, version, now, restored_from, &outgoing, &incoming)?;
            tx.commit()?;
            Ok(Publish::Published(RulesVersion {
                version,
                published_at: now,
                restored_from,
                outgoing,
                incoming,
            }))
        })
        .await
    }
}

/// What a publish stores.
pub enum Scripts {
    New {
        outgoing: String,
        incoming: String,
    },
    /// The scripts of this earlier version.
    Restore(u32),
}

/// The life of a connection: edits, status changes, deletion, invitations.
impl Db {
    /// The connection with its secret and the other instance's name.
    pub async fn peer_row(&self, id: String) -> Result<Option<PeerRow>, DbError> {
        self.call(move |conn| select_peer(conn, &id)).await
    }

    /// Renames a connection and sets its description.
    pub async fn edit(
        &self,
        id: String,
        name: String,
        description: String,
        now: i64,
    ) -> Result<Option<StoredConnection>, DbError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = tx.execute(
                "UPDATE connections SET name = ?2, description = ?3, updated_at = ?4
                 WHERE id = ?1",
                params![id, name, description, now],
            )?;
            let stored = if changed == 1 {
                select_connection(&tx, &id)?
            } else {
                None
            };
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    /// Moves a connection from `from` to `to`, if it is `from`.
    pub async fn set_status(
        &self,
        id: String,
        from: Status,
        to: Status,
        now: i64,
    ) -> Result<Change<PeerRow>, DbError> {
        self.call(move |conn| {
            guarded_update(
                conn,
                &id,
                "UPDATE connections SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2",
                params![id, from.label(), to.label(), now],
            )
        })
        .await
    }

    /// What the other side said about its side: `Active` or `Deactivated` here too. A
    /// `Pending` connection is not changed (the other side cannot know it yet).
    pub async fn peer_change(
        &self,
        id: String,
        to: Status,
        now: i64,
    ) -> Result<Change<StoredConnection>, DbError> {
        self.call(move |conn| {
            guarded_update(
                conn,
                &id,
                "UPDATE connections SET status = ?2, updated_at = ?3
                 WHERE id = ?1 AND status IN (?4, ?5)",
                params![
                    id,
                    to.label(),
                    now,
                    Status::Active.label(),
                    Status::Deactivated.label()
                ],
            )
            .map(Change::stored)
        })
        .await
    }

    /// Removes a connection, its rules, its idempotency keys and its secret in one transaction,
    /// and returns it as it was. With `pending_only`, only a `Pending` connection initiated here
    /// is removed (cancelling its invitation).
    pub async fn delete(&self, id: String, pending_only: bool) -> Result<Change<PeerRow>, DbError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(row) = select_peer(&tx, &id)? else {
                return Ok(Change::Unknown);
            };
            let c = &row.stored.connection;
            if pending_only && !(c.initiated_here && c.status == Status::Pending) {
                return Ok(Change::Refused(row.stored));
            }
            tx.execute("DELETE FROM rules_versions WHERE connection_id = ?1", [&id])?;
            tx.execute(
                "DELETE FROM idempotency_keys WHERE connection_id = ?1",
                [&id],
            )?;
            tx.execute("DELETE FROM connections WHERE id = ?1", [&id])?;
            tx.commit()?;
            Ok(Change::Done(row))
        })
        .await
    }

    /// Gives a `Pending` connection initiated here a new secret, expiry and invitation code:
    /// the old code stops working with this commit.
    pub async fn regenerate(
        &self,
        id: String,
        secret: [u8; 32],
        code: String,
        expires_at: i64,
        now: i64,
    ) -> Result<Change<StoredConnection>, DbError> {
        self.call(move |conn| {
            guarded_update(
                conn,
                &id,
                "UPDATE connections SET secret = ?2, invitation_code = ?3, expires_at = ?4,
                    updated_at = ?5
                 WHERE id = ?1 AND initiated_here AND status = ?6",
                params![
                    id,
                    secret.as_slice(),
                    code,
                    expires_at,
                    now,
                    Status::Pending.label()
                ],
            )
            .map(Change::stored)
        })
        .await
    }
}

/// A guarded UPDATE (its WHERE names the state it expects) and the row read back in the same
/// transaction: Done when the guard held, Refused with the row as it stands otherwise.
fn guarded_update(
    conn: &mut Connection,
    id: &str,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Change<PeerRow>, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(sql, params)?;
    let Some(row) = select_peer(&tx, id)? else {
        return Ok(Change::Unknown);
    };
    tx.commit()?;
    Ok(if changed == 1 {
        Change::Done(row)
    } else {
        Change::Refused(row.stored)
    })
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
    let (outgoing, incoming) = &row.rules;
    insert_version(conn, &c.id, 1, c.created_at, None, outgoing, incoming)?;
    Ok(())
}

fn insert_version(
    conn: &Connection,
    id: &str,
    version: u32,
    published_at: i64,
    restored_from: Option<u32>,
    outgoing: &str,
    incoming: &str,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO rules_versions
            (connection_id, version, published_at, restored_from, outgoing, incoming)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, version, published_at, restored_from, outgoing, incoming],
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

fn migrate(conn: &mut Connection, path: &Path, platform: Platform) -> Result<(), DbError> {
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
    for (i, step) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        tx.execute_batch(step.sql)?;
        if let Some(then) = step.then {
            then(&tx, platform)?;
        }
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

fn select_peer(conn: &Connection, id: &str) -> Result<Option<PeerRow>, DbError> {
    let Some(stored) = select_connection(conn, id)? else {
        return Ok(None);
    };
    let (secret, remote_instance_name): (Vec<u8>, Option<String>) = conn.query_row(
        "SELECT secret, remote_instance_name FROM connections WHERE id = ?1",
        [id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let secret = secret
        .try_into()
        .map_err(|_| DbError::Corrupt(format!("the secret of connection {id}")))?;
    Ok(Some(PeerRow {
        stored,
        secret,
        remote_instance_name,
    }))
}

const VERSION_COLUMNS: &str = "version, published_at, restored_from, outgoing, incoming";

fn read_version(row: &Row<'_>) -> rusqlite::Result<RulesVersion> {
    Ok(RulesVersion {
        version: row.get(0)?,
        published_at: row.get(1)?,
        restored_from: row.get(2)?,
        outgoing: row.get(3)?,
        incoming: row.get(4)?,
    })
}

fn select_current(conn: &Connection, id: &str) -> Result<Option<RulesVersion>, DbError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {VERSION_COLUMNS} FROM rules_versions WHERE connection_id = ?1
                 ORDER BY version DESC LIMIT 1"
            ),
            [id],
            read_version,
        )
        .optional()?)
}

fn select_version(
    conn: &Connection,
    id: &str,
    version: u32,
) -> Result<Option<RulesVersion>, DbError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {VERSION_COLUMNS} FROM rules_versions
                 WHERE connection_id = ?1 AND version = ?2"
            ),
            params![id, version],
            read_version,
        )
        .optional()?)
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
            rules: ("out".into(), "in".into()),
        }
    }

    #[tokio::test]
    async fn migrates_once_and_keeps_identity_and_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.db");
        let (db, first) = Db::open(path.clone(), "aa".into(), 100, Platform::ServiceNow)
            .await
            .unwrap();
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

        let (db, second) = Db::open(path, "bb".into(), 200, Platform::ServiceNow)
            .await
            .unwrap();
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
        let (db, _) = Db::open(
            dir.path().join("node.db"),
            "aa".into(),
            0,
            Platform::ServiceNow,
        )
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
        let (db, _) = Db::open(
            dir.path().join("node.db"),
            "aa".into(),
            0,
            Platform::ServiceNow,
        )
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

    #[tokio::test]
    async fn the_rules_migration_gives_existing_connections_their_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.db");
        // A database as the previous version left it: migrations 1 and 2, one connection.
        {
            let conn = Connection::open(&path).unwrap();
            for step in &MIGRATIONS[..2] {
                conn.execute_batch(step.sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute(
                "INSERT INTO connections (id, name, description, local_short_name,
                    remote_short_name, remote_url, remote_platform, mode, status, initiated_here,
                    secret, invitation_code, expires_at, created_at, updated_at)
                 VALUES (?1, 'n', '', 'a', 'b', NULL, 'jira', 'Script', 'Active', 1, ?2, NULL,
                    0, 42, 42)",
                params!["0".repeat(32), [1u8; 32].as_slice()],
            )
            .unwrap();
        }
        let (db, _) = Db::open(path.clone(), "aa".into(), 0, Platform::ServiceNow)
            .await
            .unwrap();
        let (current, versions) = db.rules("0".repeat(32)).await.unwrap().unwrap();
        let (out, inc) = rules::default_scripts(Platform::ServiceNow, Some(Platform::Jira));
        assert_eq!((current.outgoing, current.incoming), (out, inc));
        assert_eq!((current.version, current.published_at), (1, 42));
        assert_eq!(versions.len(), 1);
        drop(db);
        // Opening again changes nothing.
        let (db, _) = Db::open(path, "aa".into(), 0, Platform::ServiceNow)
            .await
            .unwrap();
        assert_eq!(db.rules("0".repeat(32)).await.unwrap().unwrap().1.len(), 1);
    }
}
