//! The life of a connection between two real nodes on loopback: edit, deactivate and activate
//! (told to the other side, or not when it is down), delete, actions on a deleted connection,
//! and cancelling or regenerating a pending invitation.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const GONE: &str = "It was deleted, perhaps in another tab or by the other instance.";

fn result(got: &(StatusCode, Value)) -> &Value {
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    &got.1["result"]
}

#[tokio::test]
async fn edit_renames_this_side_only_and_never_changes_the_mode() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b, id) = connected_pair(dir_a.path(), dir_b.path()).await;

    let got = a
        .patch(
            &id,
            &json!({ "name": "  Renamed ", "description": "Incidents to issues" }),
        )
        .await;
    let r = result(&got);
    assert_eq!(r["connection"]["name"], "Renamed");
    assert_eq!(r["connection"]["description"], "Incidents to issues");
    assert_eq!(r["remote_told"], false);
    assert_eq!(
        r["remote_message"],
        "Only this instance's copy was renamed."
    );
    assert_eq!(a.connection(&id).await["name"], "Renamed");
    assert_eq!(b.connection(&id).await["name"], "company_a_to_company_b");

    // The same mode may be sent back; another one is refused.
    let got = a
        .patch(&id, &json!({ "name": "Again", "mode": "Script" }))
        .await;
    assert_eq!(result(&got)["connection"]["name"], "Again");
    let got = a
        .patch(&id, &json!({ "name": "Other", "mode": "Basic" }))
        .await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "The mode cannot be changed",
        "A connection's Configuration Mode is chosen once. Create a new connection to use another mode.",
    );
    let got = a.patch(&id, &json!({ "name": "   " })).await;
    assert_failure(&got, StatusCode::BAD_REQUEST, "Invalid Connection name", "");
    let got = a.patch(&id, &json!({ "name": "two\nlines" })).await;
    assert_failure(&got, StatusCode::BAD_REQUEST, "Invalid Connection name", "");
    let got = a
        .patch(
            &id,
            &json!({ "name": "x", "description": "d".repeat(5000) }),
        )
        .await;
    assert_failure(&got, StatusCode::BAD_REQUEST, "Invalid Description", "");
    let c = a.connection(&id).await;
    assert_eq!(
        (c["name"].as_str(), c["mode"].as_str()),
        (Some("Again"), Some("Script"))
    );
}

#[tokio::test]
async fn deactivate_and_activate_are_told_to_the_other_side() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b, id) = connected_pair(dir_a.path(), dir_b.path()).await;

    let got = a.action(&id, "deactivate").await;
    let r = result(&got);
    assert_eq!(r["connection"]["status"], "Deactivated");
    assert_eq!(r["remote_told"], true, "{r}");
    assert_eq!(r["remote_message"], "Company B was told.");
    assert_eq!(b.status_of(&id).await, "Deactivated");
    // Twice: refused, nothing changes.
    let got = a.action(&id, "deactivate").await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "The connection cannot be deactivated",
        "already Deactivated",
    );

    // Activated from B's side this time: A hears of it.
    let got = b.action(&id, "activate").await;
    let r = result(&got);
    assert_eq!(r["connection"]["status"], "Active");
    assert_eq!(r["remote_told"], true, "{r}");
    assert_eq!(r["remote_message"], "Company A was told.");
    assert_eq!(a.status_of(&id).await, "Active");
    let got = a.action(&id, "activate").await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "The connection cannot be activated",
        "already Active",
    );
}

#[tokio::test]
async fn with_the_other_side_down_the_local_change_holds() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, mut b, id) = connected_pair(dir_a.path(), dir_b.path()).await;
    let b_url = b.url.clone();
    b.stop().await;

    let got = a.action(&id, "deactivate").await;
    let r = result(&got);
    assert_eq!(r["connection"]["status"], "Deactivated");
    assert_eq!(r["remote_told"], false);
    let message = r["remote_message"].as_str().unwrap();
    assert!(
        message.starts_with("Company B could not be reached ("),
        "{message}"
    );
    assert!(
        message.contains(&format!("connection refused at {b_url}")),
        "{message}"
    );
    assert!(message.ends_with(": it was not told."), "{message}");
    assert_eq!(a.status_of(&id).await, "Deactivated");

    // B, back, never heard of it.
    let b = Instance::start(named(
        dir_b.path(),
        "Company B",
        synclink_core::Platform::Jira,
    ))
    .await;
    assert_eq!(b.status_of(&id).await, "Active");
}

#[tokio::test]
async fn delete_removes_this_side_and_deactivates_the_other() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b, id) = connected_pair(dir_a.path(), dir_b.path()).await;

    let got = a.delete(&id).await;
    let r = result(&got);
    assert_eq!(r["connection"], Value::Null);
    assert_eq!(r["remote_told"], true, "{r}");
    assert_eq!(r["remote_message"], "Company B was told.");
    let got = a.admin.get(&format!("/connections/{id}")).await;
    assert_failure(
        &got,
        StatusCode::NOT_FOUND,
        "Connection no longer exists",
        GONE,
    );
    assert!(a.admin.connections().await.is_empty());
    assert_eq!(b.status_of(&id).await, "Deactivated");

    // Every action on the deleted id (another tab): 404, the same words.
    let patch = a.patch(&id, &json!({ "name": "x" })).await;
    let mut answers = vec![patch, a.delete(&id).await];
    for action in [
        "activate",
        "deactivate",
        "test",
        "cancel-invitation",
        "regenerate-invitation",
    ] {
        answers.push(a.action(&id, action).await);
    }
    answers.push(a.admin.get(&format!("/connections/{id}/rules")).await);
    answers.push(a.admin.get(&format!("/connections/{id}/invitation")).await);
    for got in &answers {
        assert_failure(
            got,
            StatusCode::NOT_FOUND,
            "Connection no longer exists",
            GONE,
        );
    }

    // B can still act on its side; A no longer knows the connection and refuses the call.
    let got = b.action(&id, "activate").await;
    let r = result(&got);
    assert_eq!(r["connection"]["status"], "Active");
    assert_eq!(r["remote_told"], false);
    let message = r["remote_message"].as_str().unwrap();
    assert!(
        message.starts_with("Company A refused the change ("),
        "{message}"
    );
    assert!(message.contains("Signature refused"), "{message}");
}

#[tokio::test]
async fn a_pending_invitation_can_be_cancelled_or_regenerated() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Instance::start(config(dir_a.path())).await;
    let b = Instance::start(named(
        dir_b.path(),
        "Company B",
        synclink_core::Platform::Jira,
    ))
    .await;

    // Cancel: the connection goes, and its code meets an unknown connection at the handshake.
    let (c, code) = a.initiate(Some(&b.url), "Script").await;
    let id = c["id"].as_str().unwrap().to_string();
    // A Pending connection cannot be deactivated or activated, nor tested.
    let got = a.action(&id, "deactivate").await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "The connection cannot be deactivated",
        "cancel its invitation",
    );
    let got = a.action(&id, "activate").await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "The connection cannot be activated",
        "accepts its invitation",
    );
    let got = a.action(&id, "test").await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "Only an Active connection can be tested",
        "Pending",
    );
    let got = a.action(&id, "cancel-invitation").await;
    let r = result(&got);
    assert_eq!(r["connection"], Value::Null);
    assert_eq!(r["remote_told"], false);
    let got = a.admin.get(&format!("/connections/{id}")).await;
    assert_failure(
        &got,
        StatusCode::NOT_FOUND,
        "Connection no longer exists",
        GONE,
    );
    let got = b.accept(&code).await;
    assert_failure(
        &got,
        StatusCode::NOT_FOUND,
        "Unknown connection",
        "no invitation with this connection id",
    );
    assert!(b.admin.connections().await.is_empty());

    // Regenerate: same connection, new code and expiry; the old code is refused at once.
    let (c, old_code) = a.initiate(Some(&b.url), "Script").await;
    let id = c["id"].as_str().unwrap().to_string();
    let got = a.action(&id, "regenerate-invitation").await;
    let r = result(&got).clone();
    assert_eq!(r["connection"]["id"], id.as_str());
    assert_eq!(r["connection"]["status"], "Pending");
    let new_code = r["invitation_code"].as_str().unwrap().to_string();
    assert_ne!(new_code, old_code);
    let old = synclink_core::invitation::Invitation::decode(&old_code).unwrap();
    let new = synclink_core::invitation::Invitation::decode(&new_code).unwrap();
    assert_ne!(old.secret, new.secret);
    assert!(new.expires_at >= old.expires_at);
    assert_eq!(new.connection_id, old.connection_id);
    let (status, shown) = a.admin.get(&format!("/connections/{id}/invitation")).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["result"]["invitation_code"], new_code.as_str());
    let got = b.accept(&old_code).await;
    assert_failure(
        &got,
        StatusCode::FORBIDDEN,
        "Invitation refused",
        "does not match",
    );
    let (status, body) = b.accept(&new_code).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(a.status_of(&id).await, "Active");

    // Once Active (or on the accepting side): neither cancel nor regenerate.
    for side in [&a, &b] {
        for action in ["cancel-invitation", "regenerate-invitation"] {
            let got = side.action(&id, action).await;
            assert_failure(&got, StatusCode::CONFLICT, "No pending invitation", "");
        }
    }
    assert_eq!(a.status_of(&id).await, "Active");
    assert_eq!(b.status_of(&id).await, "Active");
}
