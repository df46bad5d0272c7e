//! The initiating node killed with SIGKILL mid-handshake. The real binary runs behind a proxy
//! that keeps its URL (the one in the codes) stable across restarts. Whatever the moment of the
//! kill, a retry of the same code from the same instance ends with one connection on each side,
//! both `Active`.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use synclink_core::Platform;
use synclink_node::RunningNode;

/// The initiating node's row, read from its database file: (status, acceptor's instance id).
fn initiator_row(db: &Path, id: &str) -> (String, Option<String>) {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT status, remote_instance_id FROM connections WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

/// An accepting node (Jira, in this process) and its administrator.
async fn acceptor(dir: &Path) -> (RunningNode, Admin) {
    let mut cfg = config(dir);
    cfg.instance_name = "Company B".into();
    cfg.platform = Platform::Jira;
    cfg.handshake_timeout = Duration::from_secs(5);
    let node = start(cfg).await;
    let admin = Admin::sign_in(&node).await;
    (node, admin)
}

/// The initiating binary on `db`, reachable at the proxy's URL.
fn initiator(db: &Path, proxy: &Proxy) -> Spawned {
    let node = spawn_node(db, "Company A", &["--public-url", &proxy.url]);
    proxy.forward_to(node.addr);
    node
}

async fn accept(admin: &Admin, code: &str) -> (StatusCode, Value) {
    admin
        .post("/invitations/accept", &json!({ "invitation_code": code }))
        .await
}

async fn initiate(admin: &Admin, remote: &str) -> (String, String) {
    let (status, body) = admin
        .post("/connections", &private_connection("company_a", remote))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["result"]["connection"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
        body["result"]["invitation_code"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

#[tokio::test]
async fn killed_after_committing_and_before_answering_the_retry_completes_it() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db = dir_a.path().join("node.db");
    let proxy = Proxy::start().await;
    let a = initiator(&db, &proxy);
    let admin_a = Admin::sign_in_at(&format!("http://{}", a.addr)).await;
    let (id, code) = initiate(&admin_a, "company_b").await;
    let (b, admin_b) = acceptor(dir_b.path()).await;
    let b_id = instance_id(&b).await;

    // The handshake reaches A, A commits and starts answering: SIGKILL, and the answer is lost.
    let child = Arc::new(Mutex::new(a.child));
    let fired = Arc::new(AtomicBool::new(false));
    proxy.arm({
        let (child, fired) = (Arc::clone(&child), Arc::clone(&fired));
        move || {
            let mut child = child.lock().unwrap();
            child.kill().unwrap();
            child.wait().unwrap();
            fired.store(true, Ordering::SeqCst);
        }
    });
    let (status, body) = accept(&admin_b, &code).await;
    assert!(
        fired.load(Ordering::SeqCst),
        "the kill happened mid-handshake"
    );
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    let (message, detail) = failure(&body);
    assert_eq!(message, "The initiating instance could not be reached");
    assert!(detail.contains(&proxy.url), "{detail}");
    assert!(admin_b.connections().await.is_empty(), "B stored nothing");
    // A had committed before it died.
    assert_eq!(
        initiator_row(&db, &id),
        ("Active".to_string(), Some(b_id.clone()))
    );

    // A restarts; B confirms again with the same code: one connection each, both Active.
    let mut a = initiator(&db, &proxy);
    let (status, body) = accept(&admin_b, &code).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"]["status"], "Active");
    let admin_a = Admin::sign_in_at(&format!("http://{}", a.addr)).await;
    let listed = admin_a.connections().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["status"], "Active");
    assert_eq!(listed[0]["remote_url"], b.public_url.as_str());
    assert_eq!(admin_b.connections().await.len(), 1);
    assert_eq!(initiator_row(&db, &id), ("Active".to_string(), Some(b_id)));
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    b.stop().await;
}

#[tokio::test]
async fn killed_at_any_moment_of_many_handshakes_every_retry_ends_active_once() {
    const ROUNDS: u64 = 4;
    const PER_ROUND: usize = 8;
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let db = dir_a.path().join("node.db");
    let proxy = Proxy::start().await;
    let (b, admin_b) = acceptor(dir_b.path()).await;
    let b_id = instance_id(&b).await;
    let mut all: Vec<(String, String)> = Vec::new();

    for round in 0..ROUNDS {
        let mut a = initiator(&db, &proxy);
        let admin_a = Admin::sign_in_at(&format!("http://{}", a.addr)).await;
        let mut codes = Vec::new();
        for i in 0..PER_ROUND {
            codes.push(initiate(&admin_a, &format!("r{round}c{i}")).await);
        }
        all.extend(codes.iter().cloned());
        // Every code of this round accepted at once; A killed at a different moment each round.
        let accepting: Vec<_> = codes
            .iter()
            .map(|(_, code)| {
                let (admin, code) = (admin_b.clone(), code.clone());
                tokio::spawn(async move { accept(&admin, &code).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1 + 8 * round)).await;
        a.child.kill().unwrap();
        a.child.wait().unwrap();
        let mut succeeded = 0;
        for task in accepting {
            let (status, body) = task.await.unwrap();
            match status {
                StatusCode::CREATED | StatusCode::OK => succeeded += 1,
                StatusCode::BAD_GATEWAY => {}
                other => panic!("accept answered {other}: {body}"),
            }
        }
        eprintln!("round {round}: {succeeded} of {PER_ROUND} accepted before the kill");
    }

    // A is back for good; B retries every code.
    let mut a = initiator(&db, &proxy);
    for (_, code) in &all {
        let (status, body) = accept(&admin_b, code).await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
    }
    let admin_a = Admin::sign_in_at(&format!("http://{}", a.addr)).await;
    let listed_a = admin_a.connections().await;
    let listed_b = admin_b.connections().await;
    assert_eq!(listed_a.len(), all.len());
    assert_eq!(listed_b.len(), all.len());
    for (id, _) in &all {
        for listed in [&listed_a, &listed_b] {
            let found: Vec<_> = listed.iter().filter(|c| c["id"] == id.as_str()).collect();
            assert_eq!(found.len(), 1, "{id}");
            assert_eq!(found[0]["status"], "Active", "{id}");
        }
        assert_eq!(
            initiator_row(&db, id),
            ("Active".to_string(), Some(b_id.clone()))
        );
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    b.stop().await;
}
