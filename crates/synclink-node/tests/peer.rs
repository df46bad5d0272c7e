//! Calls between the two nodes of a connection: Test connection (answered, how fast, how the
//! other side sees it; the other side down), and the signed peer routes refusing every call
//! whose signature does not hold — missing, wrong, made with another secret, stale, or over a
//! body altered after signing — with nothing changed.

mod common;

use common::*;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use synclink_core::API_BASE;
use synclink_core::invitation::{Invitation, hex};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The signature as the contract defines it, computed here independently of the node's code.
fn signature(secret: &[u8], method: &str, path: &str, timestamp: i64, body: &[u8]) -> String {
    let input = format!(
        "{method}\n{path}\n{timestamp}\n{}",
        hex(&Sha256::digest(body))
    );
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// POSTs to a peer route of `node_url` with these headers (None: left out).
async fn peer_call(
    node_url: &str,
    id: &str,
    call: &str,
    timestamp: Option<String>,
    signature: Option<String>,
    body: &[u8],
) -> (StatusCode, Value) {
    let mut request = client()
        .post(format!("{node_url}{API_BASE}/peer/connections/{id}/{call}"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec());
    if let Some(ts) = timestamp {
        request = request.header("X-Synclink-Timestamp", ts);
    }
    if let Some(sig) = signature {
        request = request.header("X-Synclink-Signature", sig);
    }
    send(request).await
}

async fn test_connection(side: &Instance, id: &str) -> Value {
    let (status, body) = side.action(id, "test").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["result"].clone()
}

#[tokio::test]
async fn test_connection_answers_with_the_time_and_the_other_sides_status() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, mut b, id) = connected_pair(dir_a.path(), dir_b.path()).await;

    let t = test_connection(&a, &id).await;
    assert_eq!(t["answered"], true, "{t}");
    assert!(t["round_trip_ms"].is_u64(), "{t}");
    assert_eq!(t["remote_status"], "Active");
    let message = t["message"].as_str().unwrap();
    assert!(message.starts_with("Company B answered in "), "{message}");
    assert!(
        message.ends_with("it sees the connection as Active."),
        "{message}"
    );
    // From B's side too.
    let t = test_connection(&b, &id).await;
    assert_eq!(
        (t["answered"].as_bool(), t["remote_status"].as_str()),
        (Some(true), Some("Active"))
    );

    // B deactivates while A is down (A is not told): A's test shows how B sees it.
    a.stop().await;
    let got = b.action(&id, "deactivate").await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!(got.1["result"]["remote_told"], false);
    let a = Instance::start(named(
        dir_a.path(),
        "Company A",
        synclink_core::Platform::ServiceNow,
    ))
    .await;
    assert_eq!(a.status_of(&id).await, "Active");
    let t = test_connection(&a, &id).await;
    assert_eq!(t["answered"], true, "{t}");
    assert_eq!(t["remote_status"], "Deactivated");
    assert!(
        t["message"].as_str().unwrap().ends_with("as Deactivated."),
        "{t}"
    );
    // B, Deactivated, cannot test.
    let got = b.action(&id, "test").await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "Only an Active connection can be tested",
        "Deactivated",
    );

    // B down: answered false, with the cause naming B's URL.
    let b_url = b.url.clone();
    b.stop().await;
    let t = test_connection(&a, &id).await;
    assert_eq!(t["answered"], false, "{t}");
    assert_eq!(t["round_trip_ms"], Value::Null);
    assert_eq!(t["remote_status"], Value::Null);
    let message = t["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!("Company B could not be reached (connection refused at {b_url}).")
    );
}

#[tokio::test]
async fn peer_calls_without_a_good_signature_are_refused_and_change_nothing() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Instance::start(config(dir_a.path())).await;
    let b = Instance::start(named(
        dir_b.path(),
        "Company B",
        synclink_core::Platform::Jira,
    ))
    .await;
    let (c, code) = a.initiate(Some(&b.url), "Script").await;
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(b.accept(&code).await.0, StatusCode::CREATED);
    // The test holds the secret from the code, as both nodes do.
    let secret = Invitation::decode(&code).unwrap().secret;
    let path = format!("{API_BASE}/peer/connections/{id}/status");
    let body = br#"{"status":"Deactivated"}"#;
    let ts = now();
    let good = signature(&secret, "POST", &path, ts, body);

    // (case, timestamp header, signature header, body sent, what the detail says)
    type Case<'a> = (&'a str, Option<String>, Option<String>, &'a [u8], &'a str);
    let refused: Vec<Case> = vec![
        (
            "no headers",
            None,
            None,
            body,
            "needs the X-Synclink-Timestamp",
        ),
        (
            "no signature",
            Some(ts.to_string()),
            None,
            body,
            "needs the",
        ),
        ("no timestamp", None, Some(good.clone()), body, "needs the"),
        (
            "wrong signature",
            Some(ts.to_string()),
            Some("0".repeat(64)),
            body,
            "does not match",
        ),
        (
            "not hex",
            Some(ts.to_string()),
            Some("zz".repeat(32)),
            body,
            "does not match",
        ),
        (
            "another secret",
            Some(ts.to_string()),
            Some(signature(&[9; 32], "POST", &path, ts, body)),
            body,
            "does not match",
        ),
        (
            "stale",
            Some((ts - 400).to_string()),
            Some(signature(&secret, "POST", &path, ts - 400, body)),
            body,
            "more than 300 seconds",
        ),
        (
            "from the future",
            Some((ts + 400).to_string()),
            Some(signature(&secret, "POST", &path, ts + 400, body)),
            body,
            "more than 300 seconds",
        ),
        (
            "body altered",
            Some(ts.to_string()),
            Some(good.clone()),
            br#"{"status":"Deleted"}"#,
            "does not match",
        ),
        (
            "another method signed",
            Some(ts.to_string()),
            Some(signature(&secret, "GET", &path, ts, body)),
            body,
            "does not match",
        ),
    ];
    for (case, timestamp, sig, sent, detail) in refused {
        let got = peer_call(&b.url, &id, "status", timestamp, sig, sent).await;
        assert_eq!(got.0, StatusCode::UNAUTHORIZED, "{case}: {}", got.1);
        let (message, d) = failure(&got.1);
        assert_eq!(message, "Signature refused", "{case}");
        assert!(d.contains(detail), "{case}: {d}");
        assert_eq!(b.status_of(&id).await, "Active", "{case}");
    }
    // A signature for another connection's id, and an unknown id: refused alike.
    let other = "f".repeat(32);
    let other_path = format!("{API_BASE}/peer/connections/{other}/status");
    let got = peer_call(
        &b.url,
        &id,
        "status",
        Some(ts.to_string()),
        Some(signature(&secret, "POST", &other_path, ts, body)),
        body,
    )
    .await;
    assert_eq!(got.0, StatusCode::UNAUTHORIZED, "{}", got.1);
    let got = peer_call(
        &b.url,
        &other,
        "status",
        Some(ts.to_string()),
        Some(signature(&secret, "POST", &other_path, ts, body)),
        body,
    )
    .await;
    assert_eq!(got.0, StatusCode::UNAUTHORIZED, "{}", got.1);
    let ping_path = format!("{API_BASE}/peer/connections/{id}/ping");
    let got = peer_call(
        &b.url,
        &id,
        "ping",
        Some(ts.to_string()),
        Some(signature(&secret, "POST", &path, ts, b"")),
        b"",
    )
    .await;
    assert_eq!(
        got.0,
        StatusCode::UNAUTHORIZED,
        "a status signature is no ping's: {}",
        got.1
    );
    assert_eq!(b.status_of(&id).await, "Active");
    assert_eq!(a.status_of(&id).await, "Active");

    // Well signed: accepted.
    let got = peer_call(
        &b.url,
        &id,
        "ping",
        Some(ts.to_string()),
        Some(signature(&secret, "POST", &ping_path, ts, b"")),
        b"",
    )
    .await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!(got.1, json!({ "result": { "status": "Active" } }));
    let got = peer_call(
        &b.url,
        &id,
        "status",
        Some(ts.to_string()),
        Some(good),
        body,
    )
    .await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    assert_eq!(got.1, json!({ "result": { "status": "Deactivated" } }));
    assert_eq!(b.status_of(&id).await, "Deactivated");
    // "Deleted" leaves the receiving side Deactivated; a signed body of another shape is 400.
    let deleted = br#"{"status":"Deleted"}"#;
    let got = peer_call(
        &b.url,
        &id,
        "status",
        Some(ts.to_string()),
        Some(signature(&secret, "POST", &path, ts, deleted)),
        deleted,
    )
    .await;
    assert_eq!(got.1, json!({ "result": { "status": "Deactivated" } }));
    let odd = br#"{"status":"Gone"}"#;
    let got = peer_call(
        &b.url,
        &id,
        "status",
        Some(ts.to_string()),
        Some(signature(&secret, "POST", &path, ts, odd)),
        odd,
    )
    .await;
    assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    assert_eq!(b.status_of(&id).await, "Deactivated");
}
