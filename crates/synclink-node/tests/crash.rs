//! Crash safety: the real binary is killed (SIGKILL) while creates are in flight, at a
//! different moment each round. Every create that got its 201 must be there after a restart,
//! and every stored connection must be whole: its row, secret, invitation code and
//! idempotency key, or nothing.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use synclink_core::invitation::Invitation;

const ROUNDS: usize = 5;
const WORKERS: usize = 6;

/// What a create got back: its key, and the body when the answer was a 201.
type Outcome = (String, Option<Value>);

/// Creates connections from several workers until the node stops answering.
async fn fire(admin: &Admin, round: usize, outcomes: Arc<Mutex<Vec<Outcome>>>) {
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let admin = admin.clone();
            let outcomes = Arc::clone(&outcomes);
            tokio::spawn(async move {
                for i in 0.. {
                    let key = format!("round{round}-worker{w}-{i}");
                    let new = private_connection(&format!("local{w}"), &format!("remote{i}"));
                    let sent = admin
                        .request(Method::POST, "/connections")
                        .header("Idempotency-Key", &key)
                        .json(&new)
                        .send()
                        .await;
                    let Ok(response) = sent else {
                        outcomes.lock().unwrap().push((key, None));
                        return;
                    };
                    let status = response.status();
                    let body: Option<Value> = response.json().await.ok();
                    match (status, body) {
                        (StatusCode::CREATED, Some(body)) => {
                            outcomes.lock().unwrap().push((key, Some(body)))
                        }
                        // Killed between the status line and the body: the outcome is unknown.
                        (StatusCode::CREATED, None) => {
                            outcomes.lock().unwrap().push((key, None));
                            return;
                        }
                        (status, body) => panic!("create answered {status}: {body:?}"),
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
}

/// Reads the database file directly: every row whole, and rows and keys one to one.
fn check_database(db: &Path) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT c.id, c.name, c.local_short_name, c.remote_short_name, c.mode, c.status,
                    c.secret, c.invitation_code, c.expires_at, c.created_at, k.key
             FROM connections c LEFT JOIN idempotency_keys k ON k.connection_id = c.id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, Vec<u8>>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, i64>(8)?,
                row.get::<_, i64>(9)?,
                row.get::<_, Option<String>>(10)?,
            ))
        })
        .unwrap();
    let mut count = 0;
    for row in rows {
        let (id, name, local, remote, mode, status, secret, code, expires_at, created_at, key) =
            row.unwrap();
        assert!(key.is_some(), "connection {id} has no idempotency key");
        assert_eq!((mode.as_str(), status.as_str()), ("Script", "Pending"));
        assert_eq!(name, format!("{local}_to_{remote}"));
        let inv = Invitation::decode(&code.expect("a code")).expect("a whole code");
        assert_eq!(inv.connection_id_hex(), id);
        assert_eq!(inv.secret.as_slice(), secret.as_slice());
        assert_eq!(i64::try_from(inv.expires_at).unwrap(), expires_at);
        assert!(expires_at > created_at);
        count += 1;
    }
    let keys: i64 = conn
        .query_row("SELECT count(*) FROM idempotency_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(keys, count as i64, "every key names a stored connection");
    usize::try_from(count).unwrap()
}

/// After a restart: every confirmed create is listed, whole, and replays to the same answer.
async fn check_after_restart(admin: &Admin, confirmed: &[(String, Value)]) {
    let listed = admin.connections().await;
    for c in &listed {
        for field in [
            "id",
            "name",
            "local_short_name",
            "remote_short_name",
            "mode",
            "status",
        ] {
            assert!(
                c[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field} in {c}"
            );
        }
    }
    for (key, body) in confirmed {
        let id = &body["result"]["connection"]["id"];
        assert!(
            listed.iter().any(|c| &c["id"] == id),
            "a confirmed create was lost: {id}"
        );
        let new = private_connection(
            body["result"]["connection"]["local_short_name"]
                .as_str()
                .unwrap(),
            body["result"]["connection"]["remote_short_name"]
                .as_str()
                .unwrap(),
        );
        let (status, replay) = send(
            admin
                .request(Method::POST, "/connections")
                .header("Idempotency-Key", key)
                .json(&new),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{replay}");
        assert_eq!(&replay, body);
    }
}

#[tokio::test]
async fn a_killed_node_keeps_every_confirmed_create_and_no_half_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("node.db");
    let mut confirmed: Vec<(String, Value)> = Vec::new();
    for round in 0..ROUNDS {
        let mut node = spawn_node(&db, "Crash", &[]);
        let admin = Admin::sign_in_at(&format!("http://{}", node.addr)).await;
        check_after_restart(&admin, &confirmed).await;

        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let firing = tokio::spawn({
            let admin = admin.clone();
            let outcomes = Arc::clone(&outcomes);
            async move { fire(&admin, round, outcomes).await }
        });
        // A different moment each round, from almost at once to well into the stream.
        tokio::time::sleep(Duration::from_millis(20 + 90 * round as u64)).await;
        node.child.kill().unwrap();
        node.child.wait().unwrap();
        firing.await.unwrap();

        let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
        confirmed.extend(
            outcomes
                .into_iter()
                .filter_map(|(key, body)| Some((key, body?))),
        );
        let stored = check_database(&db);
        eprintln!(
            "round {round}: {stored} stored, {} confirmed so far",
            confirmed.len()
        );
        assert!(
            stored >= confirmed.len(),
            "{stored} stored, {} confirmed",
            confirmed.len()
        );
    }
    assert!(
        !confirmed.is_empty(),
        "some creates were confirmed before the kills"
    );

    let mut node = spawn_node(&db, "Crash", &[]);
    let admin = Admin::sign_in_at(&format!("http://{}", node.addr)).await;
    check_after_restart(&admin, &confirmed).await;
    node.child.kill().unwrap();
    node.child.wait().unwrap();
}
