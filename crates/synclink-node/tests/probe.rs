//! The destination probe against real servers: a second node, the node itself, and small servers
//! that refuse, hang, answer a web page, answer too much or redirect in a loop.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use synclink_core::Platform;

async fn probe(admin: &Admin, url: &str) -> Value {
    let (status, body) = admin
        .post("/destinations/probe", &json!({ "url": url }))
        .await;
    assert_eq!(status, StatusCode::OK, "{url}: {body}");
    body["result"].clone()
}

fn available(result: &Value) -> Vec<&str> {
    result["modes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["available"] == true)
        .map(|m| m["mode"].as_str().unwrap())
        .collect()
}

/// An address that did not answer as synclink: Script only, each other mode with its reason.
fn assert_script_only(result: &Value) {
    assert_eq!(available(result), vec!["Script"], "{result}");
    for m in result["modes"].as_array().unwrap() {
        assert_eq!(m["reason"].is_string(), m["available"] == false, "{m}");
    }
    assert_eq!(result["remote"], Value::Null);
}

#[tokio::test]
async fn a_second_node_answers_as_synclink_and_a_connection_to_it_is_created() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let node_a = start(config(dir_a.path())).await;
    let mut cfg_b = config(dir_b.path());
    cfg_b.platform = Platform::Jira;
    cfg_b.instance_name = "Company B".into();
    let node_b = start(cfg_b).await;
    let admin = Admin::sign_in(&node_a).await;

    // Typed with a trailing slash and upper case: probed and shown normalised.
    let typed = format!("{}/", node_b.public_url.replace("http://", "HTTP://"));
    let result = probe(&admin, &typed).await;
    assert_eq!(result["url"], node_b.public_url.as_str());
    assert_eq!(result["reachable"], true);
    assert_eq!(
        result["remote"],
        json!({"instance_name": "Company B", "platform": "jira", "version": synclink_core::VERSION})
    );
    assert_eq!(
        result["message"],
        format!(
            "Company B answered: a Jira instance running synclink {}.",
            synclink_core::VERSION
        )
    );
    assert_eq!(available(&result), vec!["Basic", "Script"]);
    assert_eq!(result["modes"][1]["mode"], "Visual");
    assert_eq!(
        result["modes"][1]["reason"],
        "ServiceNow does not support Visual mode."
    );

    // Creating re-checks the mode against that probe: Visual refused, Basic created.
    let b_url = node_b.public_url.clone();
    let new = |mode: &str| {
        json!({
            "remote_url": b_url,
            "mode": mode,
            "local_short_name": "company_a",
            "remote_short_name": "company_b",
            "name": "company_a_to_company_b",
            "description": "Incidents to Jira",
        })
    };
    let (status, body) = admin.post("/connections", &new("Visual")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        failure(&body),
        (
            "Configuration Mode not available".to_string(),
            "ServiceNow does not support Visual mode.".to_string()
        )
    );
    let (status, body) = admin.post("/connections", &new("Basic")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let c = &body["result"]["connection"];
    assert_eq!(c["remote_url"], b_url.as_str());
    assert_eq!(c["remote_platform"], "jira");
    assert_eq!(c["mode"], "Basic");

    // Once B is gone, the cached probe still decides; a URL never probed is probed at create
    // time, and a silent one offers Script only.
    node_b.stop().await;
    let (status, body) = admin.post("/connections", &new("Basic")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let gone = closed_port().await;
    let mut to_gone = new("Basic");
    to_gone["remote_url"] = json!(gone);
    let (status, body) = admin.post("/connections", &to_gone).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        failure(&body).1,
        "Basic mode needs a destination that answers as a synclink instance."
    );
    to_gone["mode"] = json!("Script");
    let (status, body) = admin.post("/connections", &to_gone).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["result"]["connection"]["remote_platform"], Value::Null);
    assert_eq!(admin.connections().await.len(), 3);
    node_a.stop().await;
}

#[tokio::test]
async fn the_node_itself_is_recognised_and_offers_no_mode() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(config(dir.path())).await;
    let admin = Admin::sign_in(&node).await;
    let result = probe(&admin, &node.public_url).await;
    assert_eq!(result["reachable"], true);
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("is this instance (Company A) itself")
    );
    assert!(available(&result).is_empty(), "{result}");
    let mut new = private_connection("a", "b");
    new["remote_url"] = json!(node.public_url);
    let (status, body) = admin.post("/connections", &new).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(failure(&body).1.contains("this instance itself"));
    assert!(admin.connections().await.is_empty());
    node.stop().await;
}

#[tokio::test]
async fn addresses_that_do_not_answer_as_synclink_are_told_apart() {
    // The default deadline, so that a busy machine cannot turn a slow answer into a timeout.
    let dir = tempfile::tempdir().unwrap();
    let node = start(config(dir.path())).await;
    let admin = Admin::sign_in(&node).await;

    // Nothing listens.
    let closed = closed_port().await;
    let result = probe(&admin, &closed).await;
    assert_eq!(result["reachable"], false);
    assert_eq!(
        result["message"],
        format!("The connection to {closed} was refused: nothing is listening there.")
    );
    assert_script_only(&result);

    // A web page.
    let html = raw_server(|_| {
        let page = b"<!doctype html><html><body>Welcome</body></html>";
        http_response(
            "200 OK",
            &[
                ("Content-Type", "text/html".into()),
                ("Content-Length", page.len().to_string()),
            ],
            page,
        )
    })
    .await;
    let result = probe(&admin, &html).await;
    assert_eq!(result["reachable"], true);
    assert_eq!(
        result["message"],
        format!("{html} answered with a web page, not as a synclink instance.")
    );
    assert_script_only(&result);

    // 10 MB, announced or streamed without a length.
    let ten_mb = vec![b' '; 10 * 1024 * 1024];
    let announced = {
        let body = ten_mb.clone();
        raw_server(move |_| {
            http_response(
                "200 OK",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Content-Length", body.len().to_string()),
                ],
                &body,
            )
        })
        .await
    };
    let streamed = raw_server(move |_| {
        http_response(
            "200 OK",
            &[("Content-Type", "application/json".into())],
            &ten_mb,
        )
    })
    .await;
    for url in [announced, streamed] {
        let result = probe(&admin, &url).await;
        assert_eq!(result["reachable"], true);
        assert_eq!(
            result["message"],
            format!("{url} answered with more than 64 KB, not as a synclink instance.")
        );
        assert_script_only(&result);
    }

    // Redirects in a loop: /info → /elsewhere → /info.
    let looping = raw_server(|head| {
        let to = if request_path(head).ends_with("/info") {
            "/elsewhere"
        } else {
            "/api/x_synclink/v1/info"
        };
        http_response(
            "302 Found",
            &[("Location", to.into()), ("Content-Length", "0".into())],
            b"",
        )
    })
    .await;
    let result = probe(&admin, &looping).await;
    assert_eq!(result["reachable"], true);
    assert_eq!(result["message"], format!("{looping} redirects in a loop."));
    assert_script_only(&result);

    // Redirects that never end without looping: more than 5 is too many.
    let endless = raw_server(|head| {
        let n: u32 = request_path(head)
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        http_response(
            "307 Temporary Redirect",
            &[
                ("Location", format!("/hop/{}", n + 1)),
                ("Content-Length", "0".into()),
            ],
            b"",
        )
    })
    .await;
    let result = probe(&admin, &endless).await;
    assert_eq!(
        result["message"],
        format!("{endless} redirected more than 5 times, not as a synclink instance.")
    );

    // An API that is not synclink's, and an error status.
    let other_json = raw_server(|_| {
        let body = br#"{"result": {"product": "other"}}"#;
        http_response(
            "200 OK",
            &[
                ("Content-Type", "application/json".into()),
                ("Content-Length", body.len().to_string()),
            ],
            body,
        )
    })
    .await;
    let result = probe(&admin, &other_json).await;
    assert_eq!(
        result["message"],
        format!("{other_json} answered, but not as a synclink instance.")
    );
    assert_script_only(&result);
    let missing =
        raw_server(|_| http_response("404 Not Found", &[("Content-Length", "0".into())], b""))
            .await;
    let result = probe(&admin, &missing).await;
    assert_eq!(
        result["message"],
        format!("{missing} answered with HTTP 404 Not Found, not as a synclink instance.")
    );
    assert_eq!(result["reachable"], true);

    // A host name that does not resolve (.invalid never does).
    let result = probe(&admin, "http://no-such-host.invalid").await;
    assert_eq!(result["reachable"], false);
    assert_eq!(
        result["message"],
        "The host name of http://no-such-host.invalid could not be found (DNS)."
    );
    assert_script_only(&result);
    node.stop().await;
}

#[tokio::test]
async fn a_destination_that_never_answers_meets_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.probe_timeout = SHORT_PROBE;
    let node = start(cfg).await;
    let admin = Admin::sign_in(&node).await;
    // Accepts the connection, never answers.
    let silent = silent_server().await;
    let result = probe(&admin, &silent).await;
    assert_eq!(result["reachable"], false);
    assert_eq!(
        result["message"],
        format!("No answer within 0.4 seconds from {silent}.")
    );
    assert_script_only(&result);
    node.stop().await;
}

#[tokio::test]
async fn redirects_to_a_synclink_instance_are_followed() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let node_a = start(config(dir_a.path())).await;
    let mut cfg_b = config(dir_b.path());
    cfg_b.platform = Platform::Zendesk;
    cfg_b.instance_name = "Helpdesk".into();
    let node_b = start(cfg_b).await;
    let target = format!("{}/api/x_synclink/v1/info", node_b.public_url);
    let front = raw_server(move |_| {
        http_response(
            "301 Moved Permanently",
            &[("Location", target.clone()), ("Content-Length", "0".into())],
            b"",
        )
    })
    .await;
    let admin = Admin::sign_in(&node_a).await;
    let result = probe(&admin, &front).await;
    assert_eq!(result["url"], front.as_str());
    assert_eq!(result["remote"]["instance_name"], "Helpdesk");
    assert_eq!(available(&result), vec!["Basic", "Script"]);
    node_b.stop().await;
    node_a.stop().await;
}
