//! Sync rules between two real nodes on loopback: the defaults each side gets at creation,
//! publish, history, view and restore, stale and concurrent publishes, scripts the checker
//! refuses (and that are then never stored), huge and binary bodies, and read-only modes.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use synclink_core::rules::MAX_SCRIPT_BYTES;

async fn rules(side: &Instance, id: &str) -> Value {
    let (status, body) = side.admin.get(&format!("/connections/{id}/rules")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["result"].clone()
}

async fn publish(
    side: &Instance,
    id: &str,
    base: u64,
    out: &str,
    inc: &str,
) -> (StatusCode, Value) {
    side.post(
        &format!("/connections/{id}/rules"),
        &json!({ "base_version": base, "outgoing": out, "incoming": inc }),
    )
    .await
}

fn versions(rules: &Value) -> Vec<u64> {
    rules["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn defaults_at_creation_then_publish_view_and_restore() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b, id) = connected_pair(dir_a.path(), dir_b.path()).await;

    // Each side's defaults name its own platform's fields, written for the other's.
    let ra = rules(&a, &id).await;
    assert_eq!(ra["current"]["version"], 1);
    assert_eq!(ra["read_only"], Value::Null);
    let out_a = ra["current"]["outgoing"].as_str().unwrap();
    assert!(out_a.contains("entity.short_description"), "{out_a}");
    assert!(out_a.contains("to Jira"), "{out_a}");
    let rb = rules(&b, &id).await;
    assert_eq!(rb["current"]["version"], 1);
    let inc_b = rb["current"]["incoming"].as_str().unwrap();
    assert!(
        inc_b.contains("entity.summary = replica.summary"),
        "{inc_b}"
    );
    assert!(
        rb["current"]["outgoing"]
            .as_str()
            .unwrap()
            .contains("ServiceNow")
    );
    assert_eq!(versions(&ra), [1]);

    // Publish: version 2, newest first in the history; version 1 still readable.
    let out2 = "replica.summary = entity.short_description\n";
    let (status, body) = publish(
        &a,
        &id,
        1,
        out2,
        "entity.short_description = replica.summary\n",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"]["version"], 2);
    assert_eq!(body["result"]["restored_from"], Value::Null);
    let ra = rules(&a, &id).await;
    assert_eq!(versions(&ra), [2, 1]);
    assert_eq!(ra["current"]["outgoing"], out2);
    let (status, v1) = a
        .admin
        .get(&format!("/connections/{id}/rules/versions/1"))
        .await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    assert_eq!(v1["result"]["outgoing"], out_a);
    let got = a
        .admin
        .get(&format!("/connections/{id}/rules/versions/9"))
        .await;
    assert_failure(
        &got,
        StatusCode::NOT_FOUND,
        "Version not found",
        "version 9",
    );
    // B's rules are its own: unchanged.
    assert_eq!(versions(&rules(&b, &id).await), [1]);

    // Restore 1 → version 3 with version 1's scripts.
    let restore = |n: u64, base: u64| {
        let a = &a;
        let id = &id;
        async move {
            a.post(
                &format!("/connections/{id}/rules/versions/{n}/restore"),
                &json!({ "base_version": base }),
            )
            .await
        }
    };
    let (status, body) = restore(1, 2).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"]["version"], 3);
    assert_eq!(body["result"]["restored_from"], 1);
    assert_eq!(body["result"]["outgoing"], out_a);
    let ra = rules(&a, &id).await;
    assert_eq!(versions(&ra), [3, 2, 1]);
    assert_eq!(ra["versions"][0]["restored_from"], 1);
    // A restore from a stale base, or of a version that does not exist: refused.
    let got = restore(2, 2).await;
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "A newer version exists",
        "Version 3 was published at ",
    );
    let got = restore(7, 3).await;
    assert_failure(
        &got,
        StatusCode::NOT_FOUND,
        "Version not found",
        "version 7",
    );
    assert_eq!(versions(&rules(&a, &id).await), [3, 2, 1]);

    // The history survives a restart.
    let mut a = a;
    a.stop().await;
    let a = Instance::start(named(
        dir_a.path(),
        "Company A",
        synclink_core::Platform::ServiceNow,
    ))
    .await;
    assert_eq!(versions(&rules(&a, &id).await), [3, 2, 1]);
}

#[tokio::test]
async fn stale_and_concurrent_publishes_keep_every_version_in_order() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, _b, id) = connected_pair(dir_a.path(), dir_b.path()).await;

    let (status, body) = publish(&a, &id, 1, "a = 1\n", "b = 1\n").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let published_at = body["result"]["published_at"].as_i64().unwrap();
    let got = publish(&a, &id, 1, "a = 2\n", "b = 2\n").await;
    let when = synclink_core::time::display(published_at);
    assert_failure(
        &got,
        StatusCode::CONFLICT,
        "A newer version exists",
        &format!("Version 2 was published at {when}. Review it before you publish over it."),
    );

    // Two admins from the same base at once: one 201, one 409.
    let (x, y) = tokio::join!(
        publish(&a, &id, 2, "first = 1\n", "x\n"),
        publish(&a, &id, 2, "second = 1\n", "y\n"),
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{} {}",
        x.1,
        y.1
    );
    let (winner, loser) = if x.0 == StatusCode::CREATED {
        (x, y)
    } else {
        (y, x)
    };
    assert_eq!(winner.1["result"]["version"], 3);
    assert!(
        failure(&loser.1).1.contains("Version 3 was published"),
        "{}",
        loser.1
    );
    // The second admin reviews version 3 and publishes over it: both kept, in order.
    let (status, body) = publish(&a, &id, 3, "second = 2\n", "y\n").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"]["version"], 4);
    let ra = rules(&a, &id).await;
    assert_eq!(versions(&ra), [4, 3, 2, 1]);
    let (_, v3) = a
        .admin
        .get(&format!("/connections/{id}/rules/versions/3"))
        .await;
    assert_eq!(v3["result"]["outgoing"], winner.1["result"]["outgoing"]);
}

#[tokio::test]
async fn scripts_the_checker_refuses_are_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let a = Instance::start(config(dir.path())).await;
    let (c, _) = a.initiate(None, "Script").await;
    let id = c["id"].as_str().unwrap().to_string();
    let ok_in = "entity.summary = replica.summary\n";

    // 1 MB: under the route's 2 MB limit, so the checker answers with the size.
    let big = "x".repeat(1024 * 1024);
    let got = publish(&a, &id, 1, &big, ok_in).await;
    assert_failure(
        &got,
        StatusCode::BAD_REQUEST,
        "The rules have problems",
        &format!(
            "Outgoing sync, line 1, column 1: The script is 1024 KB; at most {} KB can be published.",
            MAX_SCRIPT_BYTES / 1024
        ),
    );
    // Over the route's limit: 413, naming it.
    let huge = "x".repeat(2 * 1024 * 1024 + 1);
    let got = publish(&a, &id, 1, &huge, ok_in).await;
    assert_failure(
        &got,
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request body too large",
        "2048 KB",
    );
    // Other admin routes keep the 64 KB limit.
    let got = a
        .patch(
            &id,
            &json!({ "name": "x", "description": "d".repeat(70 * 1024) }),
        )
        .await;
    assert_failure(
        &got,
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request body too large",
        "64 KB",
    );

    // Binary junk (as JSON escapes, and as raw bytes that are not UTF-8).
    let junk: String = (0u8..=255).map(char::from).cycle().take(4096).collect();
    let got = publish(&a, &id, 1, ok_in, &junk).await;
    assert_failure(
        &got,
        StatusCode::BAD_REQUEST,
        "The rules have problems",
        "Incoming sync, line 1, column 1: A control character (U+0000) is not allowed.",
    );
    let mut raw = br#"{"base_version": 1, "outgoing": ""#.to_vec();
    raw.extend([0xff, 0xfe, 0x00, 0x80]);
    raw.extend(br#"", "incoming": ""}"#);
    let got = send(
        a.admin
            .request(reqwest::Method::POST, &format!("/connections/{id}/rules"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(raw),
    )
    .await;
    assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    failure(&got.1);

    // Unbalanced brackets, an unterminated string: each with its line and column.
    let got = publish(&a, &id, 1, "if (a {\n}\n", "x = \"open\ny = 2\n").await;
    assert_failure(
        &got,
        StatusCode::BAD_REQUEST,
        "The rules have problems",
        "Outgoing sync, line 1, column 4: '(' is never closed.\nIncoming sync, line 1, column 5: This string is never closed with \".",
    );

    // Nothing of the above was stored.
    let r = rules(&a, &id).await;
    assert_eq!(versions(&r), [1]);

    // 10,000 lines: a normal save.
    let long = "replica.summary = entity.short_description\n".repeat(10_000);
    let (status, body) = publish(&a, &id, 1, &long, ok_in).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"]["version"], 2);
    let r = rules(&a, &id).await;
    assert_eq!(
        r["current"]["outgoing"].as_str().unwrap().lines().count(),
        10_000
    );

    // Unknown and deleted connections.
    let gone = "0".repeat(32);
    for got in [
        a.admin.get(&format!("/connections/{gone}/rules")).await,
        publish(&a, &gone, 1, "", "").await,
        a.admin.get("/connections/nope/rules").await,
    ] {
        assert_failure(
            &got,
            StatusCode::NOT_FOUND,
            "Connection no longer exists",
            "It was deleted, perhaps in another tab or by the other instance.",
        );
    }
}

#[tokio::test]
async fn basic_and_visual_mode_rules_are_read_only() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Instance::start(config(dir_a.path())).await;
    let b = Instance::start(named(
        dir_b.path(),
        "Company B",
        synclink_core::Platform::Jira,
    ))
    .await;
    let (c, code) = a.initiate(Some(&b.url), "Basic").await;
    let id = c["id"].as_str().unwrap().to_string();
    let (status, body) = b.accept(&code).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for side in [&a, &b] {
        let r = rules(side, &id).await;
        assert_eq!(
            r["read_only"],
            "Basic mode uses predefined mappings; its rules cannot be edited."
        );
        assert_eq!(r["current"]["version"], 1);
    }
    let got = publish(&a, &id, 1, "a\n", "b\n").await;
    assert_failure(
        &got,
        StatusCode::FORBIDDEN,
        "The rules cannot be edited",
        "Basic mode uses predefined mappings",
    );
    let got = a
        .post(
            &format!("/connections/{id}/rules/versions/1/restore"),
            &json!({ "base_version": 1 }),
        )
        .await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
    assert_eq!(versions(&rules(&a, &id).await), [1]);

    // Visual, between two Jira instances: edited in the visual editor, not here.
    let dir_c = tempfile::tempdir().unwrap();
    let c = Instance::start(named(
        dir_c.path(),
        "Company C",
        synclink_core::Platform::Jira,
    ))
    .await;
    let (conn, code) = c.initiate(Some(&b.url), "Visual").await;
    let visual = conn["id"].as_str().unwrap().to_string();
    assert_eq!(b.accept(&code).await.0, StatusCode::CREATED);
    for side in [&b, &c] {
        let r = rules(side, &visual).await;
        assert_eq!(
            r["read_only"],
            "Visual mode rules are edited in the visual editor."
        );
        let got = publish(side, &visual, 1, "a\n", "b\n").await;
        assert_failure(
            &got,
            StatusCode::FORBIDDEN,
            "The rules cannot be edited",
            "visual editor",
        );
    }
}
