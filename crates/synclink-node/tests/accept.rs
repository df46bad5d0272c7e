//! Accepting an invitation between real nodes on loopback: the handshake, what each side
//! stores and shows, and every fault the issue lists — the initiating node down, expired and
//! forged codes, a code used by another instance, the same instance confirming twice, two
//! instances at once, and bodies that are not a handshake at all.

mod common;

use std::time::Duration;

use common::*;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use synclink_core::invitation::{self, CodeError, Invitation};
use synclink_core::{LicenseKind, Platform};
use synclink_node::{Config, RunningNode};

const CANNOT_REACH: &str = "The initiating instance could not be reached";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A node with its signed-in administrator.
struct Side {
    node: RunningNode,
    admin: Admin,
    instance_id: String,
}

impl Side {
    async fn start(cfg: Config) -> Side {
        let node = start(cfg).await;
        let admin = Admin::sign_in(&node).await;
        let instance_id = instance_id(&node).await;
        Side {
            node,
            admin,
            instance_id,
        }
    }

    /// Initiates a Script connection (to `remote_url`, or private) and returns it and its code.
    async fn initiate(&self, remote_url: Option<&str>, remote: &str) -> (Value, String) {
        let mut new = private_connection("company_a", remote);
        new["remote_url"] = json!(remote_url);
        let (status, body) = self.admin.post("/connections", &new).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let code = body["result"]["invitation_code"].as_str().unwrap().into();
        (body["result"]["connection"].clone(), code)
    }

    async fn accept(&self, code: &str) -> (StatusCode, Value) {
        self.admin
            .post("/invitations/accept", &json!({ "invitation_code": code }))
            .await
    }

    async fn connection(&self, id: &str) -> Value {
        let (status, body) = self.admin.get(&format!("/connections/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["result"].clone()
    }

    async fn shown_code(&self, id: &str) -> (StatusCode, Value) {
        self.admin
            .get(&format!("/connections/{id}/invitation"))
            .await
    }
}

/// The code with some of its fields changed; the check is recomputed, so it still decodes.
fn altered(code: &str, change: impl FnOnce(&mut Invitation)) -> String {
    let mut inv = Invitation::decode(code).unwrap();
    change(&mut inv);
    inv.encode()
}

/// A handshake body as another node would send it.
fn handshake_body(id: &str, secret: &str, instance_id: &str) -> Value {
    json!({
        "connection_id": id,
        "secret": secret,
        "acceptor": {
            "instance_id": instance_id,
            "instance_name": "Somebody",
            "platform": "jira",
            "public_url": null,
        },
    })
}

async fn handshake(node: &RunningNode, body: &Value) -> (StatusCode, Value) {
    send(client().post(api(node, "/handshake")).json(body)).await
}

/// Asserts a failure answer: its status, message, and a detail containing `detail`.
fn assert_refused(got: &(StatusCode, Value), status: StatusCode, message: &str, detail: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    let (m, d) = failure(&got.1);
    assert_eq!(m, message, "{}", got.1);
    assert!(d.contains(detail), "{d:?} should contain {detail:?}");
}

#[tokio::test]
async fn accepting_makes_both_sides_active_and_the_secret_is_never_shown_again() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Side::start(named(dir_a.path(), "Company A", Platform::ServiceNow)).await;
    let b = Side::start(named(dir_b.path(), "Company B", Platform::Jira)).await;
    let (initiated, code) = b_initiated_by_a(&a, &b).await;
    let id = initiated["id"].as_str().unwrap().to_string();
    let secret = invitation::secret_text(&Invitation::decode(&code).unwrap().secret);

    // While Pending, the initiator shows the same code again.
    let (status, body) = a.shown_code(&id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["invitation_code"], code.as_str());

    // Pasted the way a mail client wraps it.
    let wrapped = format!(" {}\r\n  {}\n", &code[..40], &code[40..]);
    let (status, body) = b.accept(&wrapped).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let accepted = &body["result"];
    assert_eq!(accepted["id"], id.as_str());
    assert_eq!(accepted["status"], "Active");
    assert_eq!(accepted["initiated_here"], false);
    assert_eq!(accepted["name"], "company_a_to_company_b");
    assert_eq!(accepted["description"], "");
    assert_eq!(accepted["local_short_name"], "company_b");
    assert_eq!(accepted["remote_short_name"], "company_a");
    assert_eq!(accepted["remote_url"], a.node.public_url.as_str());
    assert_eq!(accepted["remote_platform"], "servicenow");
    assert_eq!(accepted["mode"], "Script");
    assert_eq!(b.admin.connections().await, vec![accepted.clone()]);

    // The initiator's row is Active and names the acceptor.
    let row = a.connection(&id).await;
    assert_eq!(row["status"], "Active");
    assert_eq!(row["remote_platform"], "jira");
    assert_eq!(row["remote_url"], b.node.public_url.as_str());
    assert_eq!(row["initiated_here"], true);
    assert!(row["updated_at"].as_i64() >= row["created_at"].as_i64());
    for field in ["name", "local_short_name", "remote_short_name", "mode"] {
        assert_eq!(row[field], initiated[field], "{field}");
    }

    // The code is no longer shown, on either side.
    let got = a.shown_code(&id).await;
    assert_refused(
        &got,
        StatusCode::CONFLICT,
        "No invitation to show",
        "Active",
    );
    let got = b.shown_code(&id).await;
    assert_refused(
        &got,
        StatusCode::CONFLICT,
        "No invitation to show",
        "accepted here",
    );
    let got = a.shown_code(&"f".repeat(32)).await;
    assert_eq!(got.0, StatusCode::NOT_FOUND, "{}", got.1);
    // Nor does a replay of the create that made it show it.
    let mut every_answer = vec![
        a.admin.get("/connections").await.1,
        b.admin.get("/connections").await.1,
        a.admin.get(&format!("/connections/{id}")).await.1,
        b.admin.get(&format!("/connections/{id}")).await.1,
        b.accept(&code).await.1,
    ];
    every_answer.push(
        handshake(&a.node, &handshake_body(&id, &secret, &b.instance_id))
            .await
            .1,
    );
    for answer in every_answer {
        let text = answer.to_string();
        assert!(!text.contains(&secret), "{text}");
        assert!(!text.contains(&code[..60]), "{text}");
    }

    // Confirming again, later: the same connection, nothing doubled.
    let (status, again) = b.accept(&code).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(&again["result"], accepted);
    assert_eq!(a.admin.connections().await.len(), 1);
    assert_eq!(b.admin.connections().await.len(), 1);

    // Both sides keep it across a restart, with what authenticates the other side.
    let (a_addr, b_addr) = (a.node.addr, b.node.addr);
    a.node.stop().await;
    b.node.stop().await;
    let mut cfg = named(dir_a.path(), "Company A", Platform::ServiceNow);
    cfg.listen = a_addr;
    let a = Side::start(cfg).await;
    let mut cfg = named(dir_b.path(), "Company B", Platform::Jira);
    cfg.listen = b_addr;
    let b = Side::start(cfg).await;
    assert_eq!(a.connection(&id).await, row);
    assert_eq!(&b.connection(&id).await, accepted);
    for dir in [dir_a.path(), dir_b.path()] {
        let stored: Vec<u8> = rusqlite::Connection::open(dir.join("node.db"))
            .unwrap()
            .query_row("SELECT secret FROM connections WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(invitation::secret_text(&stored.try_into().unwrap()), secret);
    }
    a.node.stop().await;
    b.node.stop().await;
}

/// A initiates to B's URL (probed for real) and gets the code.
async fn b_initiated_by_a(a: &Side, b: &Side) -> (Value, String) {
    let (c, code) = a.initiate(Some(&b.node.public_url), "company_b").await;
    assert_eq!(c["status"], "Pending");
    assert_eq!(c["remote_platform"], "jira");
    (c, code)
}

#[tokio::test]
async fn a_private_instance_accepts_and_the_initiator_shows_its_url_as_unknown() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Side::start(named(dir_a.path(), "Company A", Platform::ServiceNow)).await;
    // B's public URL answers nothing: B is private, and A never calls it.
    let mut cfg = named(dir_b.path(), "Company B", Platform::Zendesk);
    cfg.public_url = Some(closed_port().await);
    let b = Side::start(cfg).await;

    let (c, code) = a.initiate(None, "company_b").await;
    assert_eq!(c["remote_url"], Value::Null);
    let (status, body) = b.accept(&code).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"]["status"], "Active");
    assert_eq!(body["result"]["remote_url"], a.node.public_url.as_str());

    let row = a.connection(c["id"].as_str().unwrap()).await;
    assert_eq!(row["status"], "Active");
    assert_eq!(row["remote_url"], Value::Null);
    assert_eq!(row["remote_platform"], "zendesk");
    a.node.stop().await;
    b.node.stop().await;
}

#[tokio::test]
async fn an_initiating_node_that_is_down_is_named_and_the_code_works_once_it_is_back() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Side::start(named(dir_a.path(), "Company A", Platform::ServiceNow)).await;
    let mut cfg = named(dir_b.path(), "Company B", Platform::Jira);
    cfg.handshake_timeout = Duration::from_millis(500);
    let b = Side::start(cfg).await;
    let (c, code) = a.initiate(None, "company_b").await;
    let id = c["id"].as_str().unwrap();

    let a_addr = a.node.addr;
    let a_url = a.node.public_url.clone();
    a.node.stop().await;
    let got = b.accept(&code).await;
    assert_refused(&got, StatusCode::BAD_GATEWAY, CANNOT_REACH, &a_url);
    assert!(failure(&got.1).1.contains("refused"), "{}", got.1);
    assert!(b.admin.connections().await.is_empty(), "nothing stored");

    // Back on the same address: the same code works.
    let mut cfg = named(dir_a.path(), "Company A", Platform::ServiceNow);
    cfg.listen = a_addr;
    let a = Side::start(cfg).await;
    let (status, body) = b.accept(&code).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(a.connection(id).await["status"], "Active");

    // Codes naming addresses that never answer, or answer as something else.
    let silent = silent_server().await;
    let html = raw_server(|_| {
        http_response(
            "200 OK",
            &[("Content-Type", "text/html".into())],
            b"<html>hello</html>",
        )
    })
    .await;
    let crashed = raw_server(|_| http_response("500 Internal Server Error", &[], b"oops")).await;
    let wrong_json = raw_server(|_| {
        http_response(
            "200 OK",
            &[("Content-Type", "application/json".into())],
            br#"{"result": {"connection_id": "x", "status": "Active", "instance_name": "X"}}"#,
        )
    })
    .await;
    // A 401 from the other side must not read as this admin's session ending.
    let unauthorized = raw_server(|_| {
        http_response(
            "401 Unauthorized",
            &[("Content-Type", "application/json".into())],
            br#"{"error": {"message": "User Not Authenticated", "detail": ""}, "status": "failure"}"#,
        )
    })
    .await;
    let cases = [
        (&silent, "No answer within 0.5 seconds"),
        (&html, "a web page"),
        (&crashed, "HTTP 500"),
        (&wrong_json, "not as a synclink instance"),
        (&unauthorized, "HTTP 401"),
    ];
    for (url, why) in cases {
        let other = altered(&code, |inv| {
            inv.initiator_url = url.clone();
            inv.connection_id = [9; 16];
        });
        let got = b.accept(&other).await;
        assert_refused(&got, StatusCode::BAD_GATEWAY, CANNOT_REACH, url);
        assert!(failure(&got.1).1.contains(why), "{why}: {}", got.1);
    }
    assert_eq!(b.admin.connections().await.len(), 1);
    a.node.stop().await;
    b.node.stop().await;
}

#[tokio::test]
async fn expired_forged_and_unknown_codes_are_refused_and_change_nothing() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Side::start(named(dir_a.path(), "Company A", Platform::ServiceNow)).await;
    let b = Side::start(named(dir_b.path(), "Company B", Platform::Jira)).await;
    let (c, code) = a.initiate(None, "company_b").await;
    let id = c["id"].as_str().unwrap().to_string();
    let real_secret = invitation::secret_text(&Invitation::decode(&code).unwrap().secret);
    let pending = a.connection(&id).await;

    // Expired in the code: refused by the accepting node before any call.
    let past = now() - 60;
    let expired_code = altered(&code, |inv| inv.expires_at = past);
    let shown = CodeError::Expired(synclink_core::time::display(past as i64)).to_string();
    let got = b.accept(&expired_code).await;
    assert_refused(&got, StatusCode::GONE, "Invitation expired", &shown);

    // A forged or altered secret: refused by the initiating node, passed on.
    let forged = altered(&code, |inv| inv.secret[0] ^= 1);
    let got = b.accept(&forged).await;
    assert_refused(
        &got,
        StatusCode::FORBIDDEN,
        "Invitation refused",
        "The invitation secret does not match.",
    );
    // An id the initiating node does not know.
    let unknown = altered(&code, |inv| inv.connection_id = [7; 16]);
    let got = b.accept(&unknown).await;
    assert_refused(&got, StatusCode::NOT_FOUND, "Unknown connection", "");
    // Not a code at all: the codec's own words.
    for (text, error) in [
        (code[..code.len() - 10].to_string(), CodeError::Truncated),
        ("".to_string(), CodeError::Empty),
        (format!("{}!", &code[..20]), CodeError::BadCharacter('!')),
    ] {
        let got = b.accept(&text).await;
        assert_refused(
            &got,
            StatusCode::BAD_REQUEST,
            "Invalid invitation code",
            &error.to_string(),
        );
    }
    // Its own code, pasted on the initiating instance.
    let got = a.accept(&code).await;
    assert_refused(
        &got,
        StatusCode::BAD_REQUEST,
        "Invitation made by this instance",
        "accept it on the other instance",
    );
    // Direct handshakes: a malformed secret, and the acceptor claiming the initiator's id.
    let got = handshake(&a.node, &handshake_body(&id, "short", &b.instance_id)).await;
    assert_refused(&got, StatusCode::FORBIDDEN, "Invitation refused", "");
    let got = handshake(&a.node, &handshake_body(&id, &real_secret, &a.instance_id)).await;
    assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    let mut bad_url = handshake_body(&id, &real_secret, &b.instance_id);
    bad_url["acceptor"]["public_url"] = json!("javascript:alert(1)");
    let got = handshake(&a.node, &bad_url).await;
    assert_refused(
        &got,
        StatusCode::BAD_REQUEST,
        "Invalid accepting instance",
        "http",
    );

    assert!(b.admin.connections().await.is_empty(), "B stored nothing");
    assert_eq!(a.connection(&id).await, pending, "A's stays Pending");

    // Expired on the initiating node (its clock, its stored expiry): refused there too, even
    // with a code whose own expiry the accepting node still accepts.
    let a_db = rusqlite::Connection::open(dir_a.path().join("node.db")).unwrap();
    let stored_expiry = now() as i64 - 5;
    a_db.execute(
        "UPDATE connections SET expires_at = ?1 WHERE id = ?2",
        rusqlite::params![stored_expiry, id],
    )
    .unwrap();
    let shown = CodeError::Expired(synclink_core::time::display(stored_expiry)).to_string();
    let got = b.accept(&code).await;
    assert_refused(&got, StatusCode::GONE, "Invitation expired", &shown);
    let got = handshake(&a.node, &handshake_body(&id, &real_secret, &b.instance_id)).await;
    assert_refused(&got, StatusCode::GONE, "Invitation expired", &shown);
    assert!(b.admin.connections().await.is_empty());
    assert_eq!(a.connection(&id).await["status"], "Pending");
    a.node.stop().await;
    b.node.stop().await;
}

#[tokio::test]
async fn a_code_used_by_another_instance_is_refused_and_the_first_acceptance_stands() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = Side::start(named(dirs[0].path(), "Company A", Platform::ServiceNow)).await;
    let b = Side::start(named(dirs[1].path(), "Company B", Platform::Jira)).await;
    let c = Side::start(named(dirs[2].path(), "Company C", Platform::GitHub)).await;
    let (initiated, code) = b_initiated_by_a(&a, &b).await;
    let id = initiated["id"].as_str().unwrap();

    let (status, body) = b.accept(&code).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first = a.connection(id).await;

    let got = c.accept(&code).await;
    assert_refused(
        &got,
        StatusCode::CONFLICT,
        "Invitation already used",
        "This invitation code was already accepted by another instance.",
    );
    assert!(c.admin.connections().await.is_empty());
    assert_eq!(
        a.connection(id).await,
        first,
        "the first acceptance is untouched"
    );
    assert_eq!(first["remote_url"], b.node.public_url.as_str());
    // B's own retry still succeeds.
    assert_eq!(b.accept(&code).await.0, StatusCode::OK);
    for side in [a, b, c] {
        side.node.stop().await;
    }
}

/// A second code naming a connection id this instance already holds, with another secret and
/// another URL: refused before anything is sent to that URL, and the stored one is untouched.
#[tokio::test]
async fn a_code_reusing_a_held_connection_id_is_refused_without_calling_its_url() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Side::start(named(dir_a.path(), "Company A", Platform::ServiceNow)).await;
    let b = Side::start(named(dir_b.path(), "Company B", Platform::Jira)).await;
    let (initiated, code) = b_initiated_by_a(&a, &b).await;
    let id = initiated["id"].as_str().unwrap();
    assert_eq!(b.accept(&code).await.0, StatusCode::CREATED);
    let held = b.connection(id).await;

    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = calls.clone();
    let impostor = raw_server(move |_| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        http_response("200 OK", &[], b"{}")
    })
    .await;
    let forged = altered(&code, |inv| {
        inv.secret = [9; 32];
        inv.initiator_url = impostor.clone();
    });
    let got = b.accept(&forged).await;
    assert_refused(
        &got,
        StatusCode::CONFLICT,
        "Invitation already used",
        "from a different invitation code",
    );
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing was sent"
    );
    assert_eq!(b.connection(id).await, held);
    a.node.stop().await;
    b.node.stop().await;
}

#[tokio::test]
async fn the_same_instance_confirming_many_times_at_once_gets_one_connection() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Side::start(named(dir_a.path(), "Company A", Platform::ServiceNow)).await;
    let b = Side::start(named(dir_b.path(), "Company B", Platform::Jira)).await;
    let (initiated, code) = b_initiated_by_a(&a, &b).await;

    let clicks: Vec<_> = (0..8)
        .map(|_| {
            let admin = b.admin.clone();
            let code = code.clone();
            tokio::spawn(async move {
                admin
                    .post("/invitations/accept", &json!({ "invitation_code": code }))
                    .await
            })
        })
        .collect();
    let mut created = 0;
    let mut answers = Vec::new();
    for click in clicks {
        let (status, body) = click.await.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
        created += usize::from(status == StatusCode::CREATED);
        answers.push(body["result"].clone());
    }
    assert_eq!(created, 1);
    answers.dedup();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(b.admin.connections().await, answers);
    let listed = a.admin.connections().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], initiated["id"]);
    assert_eq!(listed[0]["status"], "Active");
    a.node.stop().await;
    b.node.stop().await;
}

#[tokio::test]
async fn two_instances_accepting_at_the_same_moment_one_wins() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = Side::start(named(dirs[0].path(), "Company A", Platform::ServiceNow)).await;
    let b = Side::start(named(dirs[1].path(), "Company B", Platform::Jira)).await;
    let c = Side::start(named(dirs[2].path(), "Company C", Platform::Jira)).await;
    for round in 0..5 {
        let (initiated, code) = a.initiate(None, &format!("remote{round}")).await;
        let id = initiated["id"].as_str().unwrap();
        let (got_b, got_c) = tokio::join!(b.accept(&code), c.accept(&code));
        let statuses = [got_b.0, got_c.0];
        assert!(
            statuses.contains(&StatusCode::CREATED) && statuses.contains(&StatusCode::CONFLICT),
            "round {round}: {got_b:?} {got_c:?}"
        );
        let (winner, loser) = if got_b.0 == StatusCode::CREATED {
            (&b, &c)
        } else {
            (&c, &b)
        };
        let row = a.connection(id).await;
        assert_eq!(row["status"], "Active");
        assert_eq!(row["remote_url"], winner.node.public_url.as_str());
        assert_eq!(winner.connection(id).await["status"], "Active");
        let (status, _) = loser.admin.get(&format!("/connections/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the loser stored nothing");
    }
    for side in [a, b, c] {
        side.node.stop().await;
    }
}

#[tokio::test]
async fn the_acceptors_licence_and_platform_must_allow_the_mode() {
    let dirs: Vec<_> = (0..5).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = Side::start(named(dirs[0].path(), "Company A", Platform::Jira)).await;
    let b = Side::start(named(dirs[1].path(), "Company B", Platform::Jira)).await;
    let sn = Side::start(named(dirs[2].path(), "ServiceNow", Platform::ServiceNow)).await;
    let mut cfg = named(dirs[3].path(), "Free", Platform::Jira);
    cfg.license = LicenseKind::Free;
    let free = Side::start(cfg).await;
    let mut cfg = named(dirs[4].path(), "Expired", Platform::Jira);
    cfg.license = LicenseKind::Expired;
    let expired = Side::start(cfg).await;

    // Visual, between two Jira instances.
    let mut new = private_connection("company_a", "company_b");
    new["remote_url"] = json!(b.node.public_url);
    new["mode"] = json!("Visual");
    let (status, body) = a.admin.post("/connections", &new).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let visual = body["result"]["invitation_code"].as_str().unwrap();
    let (_, script) = a.initiate(None, "company_b").await;

    let cases = [
        (&sn, visual, "ServiceNow does not support Visual mode."),
        (
            &free,
            script.as_str(),
            "Your free licence allows Basic mode only.",
        ),
        (&expired, script.as_str(), "Your licence has expired."),
    ];
    for (side, code, reason) in cases {
        let got = side.accept(code).await;
        assert_refused(
            &got,
            StatusCode::FORBIDDEN,
            "Configuration Mode not available",
            reason,
        );
        assert!(side.admin.connections().await.is_empty());
    }
    assert!(
        a.admin
            .connections()
            .await
            .iter()
            .all(|c| c["status"] == "Pending")
    );
    assert_eq!(b.accept(visual).await.0, StatusCode::CREATED);
    for side in [a, b, sn, free, expired] {
        side.node.stop().await;
    }
}

#[tokio::test]
async fn handshake_bodies_that_are_not_a_handshake_get_a_failure_body() {
    let dir = tempfile::tempdir().unwrap();
    let a = Side::start(config(dir.path())).await;
    let (c, code) = a.initiate(None, "company_b").await;
    let id = c["id"].as_str().unwrap().to_string();
    let secret = invitation::secret_text(&Invitation::decode(&code).unwrap().secret);
    let raw: Vec<(&str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "not JSON",
            "application/json",
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong shape",
            "application/json",
            br#"{"connection_id": 5}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong content type",
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "10 MB",
            "application/json",
            vec![b' '; 10 * 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (case, content_type, body, want) in raw {
        let request = client()
            .request(Method::POST, api(&a.node, "/handshake"))
            .header(CONTENT_TYPE, content_type)
            .body(body);
        let (status, body) = send(request).await;
        assert_eq!(status, want, "{case}: {body}");
        failure(&body);
    }
    for unknown in ["0".repeat(32), "not-an-id".into(), "".into()] {
        let got = handshake(&a.node, &handshake_body(&unknown, &secret, &"b".repeat(32))).await;
        assert_refused(&got, StatusCode::NOT_FOUND, "Unknown connection", "");
    }
    let mut bad_id = handshake_body(&id, &secret, "not-hex");
    let got = handshake(&a.node, &bad_id).await;
    assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    bad_id["acceptor"]["instance_id"] = json!("b".repeat(32));
    bad_id["acceptor"]["instance_name"] = json!("two\nlines");
    let got = handshake(&a.node, &bad_id).await;
    assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    let c_now = a.connection(&id).await;
    assert_eq!(c_now, c, "nothing changed");

    // The accept endpoint refuses bodies the same way.
    let request = a
        .admin
        .request(Method::POST, "/invitations/accept")
        .header(CONTENT_TYPE, "application/json")
        .body(vec![b' '; 10 * 1024 * 1024]);
    let (status, body) = send(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    failure(&body);
    let (status, body) = a
        .admin
        .post("/invitations/accept", &json!({"code": 1}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    failure(&body);
    assert_eq!(a.admin.connections().await, vec![c]);
    a.node.stop().await;
}
