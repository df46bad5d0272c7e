//! The REST API over real HTTP: happy paths and what is stored, auth refusals, bad input,
//! preconditions and idempotency.

mod common;

use common::*;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use synclink_core::LicenseKind;
use synclink_core::invitation::{self, INVITATION_TTL_SECS, Invitation};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Every field of a connection as the API shows it, checked against what was asked for.
fn assert_connection(c: &Value, asked: &Value) {
    assert_eq!(c["id"].as_str().map(str::len), Some(32), "{c}");
    assert!(invitation::parse_id(c["id"].as_str().unwrap()).is_some());
    for field in [
        "name",
        "description",
        "local_short_name",
        "remote_short_name",
    ] {
        assert_eq!(c[field], asked[field], "{field} in {c}");
    }
    assert_eq!(c["mode"], asked["mode"]);
    assert_eq!(c["status"], "Pending");
    assert_eq!(c["initiated_here"], true);
    assert!(c["created_at"].as_i64().unwrap() > 1_600_000_000);
    assert_eq!(c["created_at"], c["updated_at"]);
    assert!(c.get("secret").is_none(), "the secret never shows: {c}");
}

#[tokio::test]
async fn every_endpoint_answers_and_what_it_stores_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(config(dir.path())).await;

    // GET /info: public, for any origin.
    let response = client().get(api(&node, "/info")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let info: Value = response.json().await.unwrap();
    let info = &info["result"];
    assert_eq!(info["product"], "synclink");
    assert_eq!(info["instance_name"], "Company A");
    assert_eq!(info["platform"], "servicenow");
    assert_eq!(info["version"], synclink_core::VERSION);
    assert_eq!(info["modes"], json!(["Basic", "Script"]));
    let instance_id = info["instance_id"].as_str().unwrap().to_string();
    assert_eq!(instance_id.len(), 32);
    let preflight = client()
        .request(Method::OPTIONS, api(&node, "/info"))
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");

    let admin = Admin::sign_in(&node).await;

    // GET /instance: public, on a trial with every day left, Initiate enabled.
    let (status, body) = admin.get("/instance").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let inst = &body["result"];
    assert_eq!(inst["instance_name"], "Company A");
    assert_eq!(inst["public_url"], node.public_url.as_str());
    assert_eq!(inst["public"]["ok"], true, "{inst}");
    assert_eq!(
        inst["public"]["message"],
        format!(
            "This instance answers at its public URL, {}.",
            node.public_url
        )
    );
    assert_eq!(inst["license"], json!({"kind": "trial", "days_left": 30}));
    assert_eq!(inst["initiate_blocked"], json!([]));

    // POST /connections, twice; the answer carries the invitation code, this once.
    let first = private_connection("company_a", "company_b");
    let mut second = private_connection("company_a", "company_c");
    second["description"] = json!("Second one\nwith two lines");
    let mut created = Vec::new();
    for asked in [&first, &second] {
        let (status, body) = admin.post("/connections", asked).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let c = &body["result"]["connection"];
        assert_connection(c, asked);
        assert_eq!(c["remote_url"], Value::Null);
        assert_eq!(c["remote_platform"], Value::Null);
        let code = body["result"]["invitation_code"].as_str().unwrap();
        let inv = Invitation::decode(code).expect("a valid invitation code");
        assert_eq!(inv.initiator_url, node.public_url);
        assert_eq!(inv.initiator_platform, synclink_core::Platform::ServiceNow);
        assert_eq!(inv.initiator_short_name, "company_a");
        assert_eq!(inv.connection_id_hex(), c["id"].as_str().unwrap());
        assert_eq!(inv.connection_name, asked["name"].as_str().unwrap());
        assert_eq!(
            inv.remote_short_name,
            asked["remote_short_name"].as_str().unwrap()
        );
        assert_eq!(inv.mode, synclink_core::Mode::Script);
        let ttl = inv.expires_at - now();
        assert!(
            ttl <= INVITATION_TTL_SECS && ttl > INVITATION_TTL_SECS - 600,
            "{ttl}"
        );
        assert_ne!(inv.secret, [0; 32]);
        created.push(c.clone());
    }

    // GET /connections: newest first. GET /connections/{id}: each one.
    let list = admin.connections().await;
    assert_eq!(list, vec![created[1].clone(), created[0].clone()]);
    for c in &created {
        let (status, body) = admin
            .get(&format!("/connections/{}", c["id"].as_str().unwrap()))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&body["result"], c);
    }
    for unknown in ["0".repeat(32), "not-an-id".to_string()] {
        let (status, body) = admin.get(&format!("/connections/{unknown}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        failure(&body);
    }
    node.stop().await;

    // The same database, a new process life: the identity and the connections are still there.
    let node = start(config(dir.path())).await;
    let info: Value = client()
        .get(api(&node, "/info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["result"]["instance_id"], instance_id.as_str());
    let admin = Admin::sign_in(&node).await;
    assert_eq!(
        admin.connections().await,
        vec![created[1].clone(), created[0].clone()]
    );
    let (_, body) = admin
        .get(&format!(
            "/connections/{}",
            created[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(body["result"], created[0]);
    node.stop().await;
}

#[tokio::test]
async fn admin_calls_need_a_session_and_its_user_token() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(config(dir.path())).await;
    let admin = Admin::sign_in(&node).await;
    let other = Admin::sign_in(&node).await;
    let c = client();
    let new = private_connection("a", "b");
    let probe = json!({"url": "http://127.0.0.1:1"});
    let accept = json!({"invitation_code": "AQ"});

    let calls: Vec<(Method, &str, Option<&Value>)> = vec![
        (Method::GET, "/instance", None),
        (Method::GET, "/connections", None),
        (Method::POST, "/connections", Some(&new)),
        (
            Method::GET,
            "/connections/00000000000000000000000000000000",
            None,
        ),
        (Method::POST, "/destinations/probe", Some(&probe)),
        (Method::POST, "/invitations/accept", Some(&accept)),
        (
            Method::GET,
            "/connections/00000000000000000000000000000000/invitation",
            None,
        ),
    ];
    // This instance's cookie name with a value no session has.
    let forged_cookie = format!("{}=forged", admin.cookie.split('=').next().unwrap());
    for (method, path, body) in calls {
        let with_body = |r: reqwest::RequestBuilder| match body {
            Some(b) => r.json(b),
            None => r,
        };
        let url = api(&node, path);
        let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode)> = vec![
            (
                "no cookie",
                c.request(method.clone(), &url),
                StatusCode::UNAUTHORIZED,
            ),
            (
                "no cookie but a user token",
                c.request(method.clone(), &url)
                    .header("X-UserToken", &admin.token),
                StatusCode::UNAUTHORIZED,
            ),
            (
                "bad cookie",
                c.request(method.clone(), &url)
                    .header(COOKIE, forged_cookie.as_str())
                    .header("X-UserToken", &admin.token),
                StatusCode::UNAUTHORIZED,
            ),
            (
                "cookie without X-UserToken",
                c.request(method.clone(), &url)
                    .header(COOKIE, &admin.cookie),
                StatusCode::FORBIDDEN,
            ),
            (
                "wrong X-UserToken",
                c.request(method.clone(), &url)
                    .header(COOKIE, &admin.cookie)
                    .header("X-UserToken", "0".repeat(64)),
                StatusCode::FORBIDDEN,
            ),
            (
                "another session's X-UserToken",
                c.request(method.clone(), &url)
                    .header(COOKIE, &admin.cookie)
                    .header("X-UserToken", &other.token),
                StatusCode::FORBIDDEN,
            ),
        ];
        for (case, request, want) in cases {
            let (status, body) = send(with_body(request)).await;
            assert_eq!(status, want, "{method} {path}, {case}: {body}");
            let (message, detail) = failure(&body);
            if want == StatusCode::UNAUTHORIZED {
                assert_eq!(message, "User Not Authenticated");
                assert_eq!(detail, "Required to provide Auth information");
            }
        }
    }
    assert!(admin.connections().await.is_empty(), "nothing was created");

    // A wrong admin token at sign-in: the page again, with the reason, and no session.
    let response = c
        .post(format!("{}/login", base(&node)))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("token=wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get("set-cookie").is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains("That admin token is not right."));
    assert!(page.contains("Admin token"));

    // Another site's form can neither sign in nor sign out: nothing changes.
    let response = c
        .post(format!("{}/login", base(&node)))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("Sec-Fetch-Site", "cross-site")
        .body(format!("token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("set-cookie").is_none());
    let response = c
        .post(format!("{}/logout", base(&node)))
        .header(COOKIE, &admin.cookie)
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(
        admin.get("/connections").await.0,
        StatusCode::OK,
        "still signed in"
    );

    // Signing out ends the session: its cookie and token no longer work.
    let response = c
        .post(format!("{}/logout", base(&node)))
        .header(COOKIE, &admin.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let (status, body) = admin.get("/connections").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(other.connections().await.len(), 0, "other sessions live on");
    node.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_with_the_rule_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(config(dir.path())).await;
    let admin = Admin::sign_in(&node).await;

    let long = format!("http://example.com/{}", "a".repeat(5000));
    let bad_urls = [
        "javascript:alert(1)",
        "ftp://x",
        "http://user:pw@host",
        "not a url",
        "",
        long.as_str(),
    ];
    for url in bad_urls {
        let (status, body) = admin
            .post("/destinations/probe", &json!({ "url": url }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url:?}: {body}");
        let (message, detail) = failure(&body);
        assert_eq!(message, "Invalid Destination Instance URL");
        let rule = synclink_core::validate::destination_url(url)
            .unwrap_err()
            .to_string();
        assert_eq!(detail, rule);

        let mut new = private_connection("a", "b");
        new["remote_url"] = json!(url);
        let (status, body) = admin.post("/connections", &new).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url:?}: {body}");
        assert_eq!(
            failure(&body),
            ("Invalid Destination Instance URL".to_string(), rule)
        );
    }

    let field_cases: Vec<(&str, Value, &str)> = vec![
        (
            "local_short_name",
            json!(""),
            "Invalid Local instance short name",
        ),
        (
            "local_short_name",
            json!("1abc"),
            "Invalid Local instance short name",
        ),
        (
            "local_short_name",
            json!("<img src=x onerror=alert(1)>"),
            "Invalid Local instance short name",
        ),
        (
            "remote_short_name",
            json!("a b"),
            "Invalid Remote instance short name",
        ),
        (
            "remote_short_name",
            json!("a".repeat(33)),
            "Invalid Remote instance short name",
        ),
        ("name", json!("   "), "Invalid Connection name"),
        ("name", json!("x".repeat(256)), "Invalid Connection name"),
        ("name", json!("a\u{0}b"), "Invalid Connection name"),
        (
            "description",
            json!("x".repeat(4001)),
            "Invalid Description",
        ),
        ("description", json!("bell\u{7}"), "Invalid Description"),
    ];
    for (field, value, want) in field_cases {
        let mut new = private_connection("a", "b");
        new[field] = value.clone();
        let (status, body) = admin.post("/connections", &new).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field} = {value}: {body}");
        let (message, detail) = failure(&body);
        assert_eq!(message, want);
        assert!(!detail.is_empty());
    }

    // Bodies that are not a NewConnection at all.
    let raw_cases: Vec<(&str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "not JSON",
            "application/json",
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong shape",
            "application/json",
            br#"{"mode": "Turbo"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong content type",
            "text/plain",
            br#"{}"#.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "10 MB",
            "application/json",
            vec![b' '; 10 * 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for path in ["/connections", "/destinations/probe"] {
        for (case, content_type, body, want) in &raw_cases {
            let request = admin
                .request(Method::POST, path)
                .header(CONTENT_TYPE, *content_type)
                .body(body.clone());
            let (status, body) = send(request).await;
            assert_eq!(status, *want, "{path}, {case}: {body}");
            failure(&body);
        }
    }

    // Unknown paths and methods get the failure body too.
    let (status, body) = admin.get("/nothing/here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    failure(&body);
    let (status, body) = send(admin.request(Method::DELETE, "/connections")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    failure(&body);

    assert!(admin.connections().await.is_empty(), "nothing was created");

    // Markup in a name or description is text: stored and returned exactly as typed.
    let html = "<img src=x onerror=alert(1)>";
    let mut new = private_connection("a", "b");
    new["name"] = json!(html);
    new["description"] = json!(format!("{html}\n<script>alert(2)</script>"));
    let (status, body) = admin.post("/connections", &new).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let listed = admin.connections().await;
    assert_eq!(listed[0]["name"], html);
    assert_eq!(listed[0]["description"], new["description"]);
    node.stop().await;
}

#[tokio::test]
async fn initiate_needs_a_licence_and_a_public_url() {
    let dir = tempfile::tempdir().unwrap();

    // An expired licence, or a trial past its end.
    for (license, trial_days) in [(LicenseKind::Expired, 30), (LicenseKind::Trial, 0)] {
        let mut cfg = config(dir.path());
        cfg.license = license;
        cfg.trial_days = trial_days;
        let node = start(cfg).await;
        let admin = Admin::sign_in(&node).await;
        let (_, body) = admin.get("/instance").await;
        let inst = &body["result"];
        assert_eq!(inst["license"]["kind"], "expired", "{inst}");
        let blocked = inst["initiate_blocked"].as_array().unwrap();
        assert_eq!(blocked.len(), 1, "{inst}");
        let (status, body) = admin
            .post("/connections", &private_connection("a", "b"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (_, detail) = failure(&body);
        assert_eq!(detail, blocked[0].as_str().unwrap());
        assert!(admin.connections().await.is_empty());
        node.stop().await;
    }

    // A public URL where nothing answers.
    let mut cfg = config(dir.path());
    cfg.public_url = Some(closed_port().await);
    let node = start(cfg).await;
    let admin = Admin::sign_in(&node).await;
    let (_, body) = admin.get("/instance").await;
    let inst = &body["result"];
    assert_eq!(inst["public"]["ok"], false, "{inst}");
    assert!(
        inst["public"]["message"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{inst}"
    );
    assert_eq!(inst["license"]["kind"], "trial");
    let (status, body) = admin
        .post("/connections", &private_connection("a", "b"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(failure(&body).1.contains("not public"), "{body}");
    assert!(admin.connections().await.is_empty());
    node.stop().await;

    // A free licence initiates Basic only, which a private remote cannot use.
    let mut cfg = config(dir.path());
    cfg.license = LicenseKind::Free;
    let node = start(cfg).await;
    let admin = Admin::sign_in(&node).await;
    let (_, body) = admin.get("/instance").await;
    assert_eq!(body["result"]["initiate_blocked"], json!([]));
    let (status, body) = admin
        .post("/connections", &private_connection("a", "b"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (message, detail) = failure(&body);
    assert_eq!(message, "Configuration Mode not available");
    assert_eq!(detail, "Your free licence allows Basic mode only.");
    node.stop().await;
}

#[tokio::test]
async fn an_idempotency_key_creates_one_connection() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(config(dir.path())).await;
    let admin = Admin::sign_in(&node).await;
    let new = private_connection("a", "b");
    let post = |key: &str, body: &Value| {
        send(
            admin
                .request(Method::POST, "/connections")
                .header("Idempotency-Key", key)
                .json(body),
        )
    };

    // The same key twice: one row, the same connection and code.
    let (status, first) = post("key-1", &new).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = post("key-1", &new).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, first);
    assert_eq!(admin.connections().await.len(), 1);

    // The same key with another request: refused, nothing more stored.
    let (status, body) = post("key-1", &private_connection("a", "c")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(failure(&body).1.contains("different request"));
    assert_eq!(admin.connections().await.len(), 1);

    // Ten at once with one key: one row, and every answer names it.
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let admin = admin.clone();
            let new = new.clone();
            tokio::spawn(async move {
                send(
                    admin
                        .request(Method::POST, "/connections")
                        .header("Idempotency-Key", "key-2")
                        .json(&new),
                )
                .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    let mut codes = Vec::new();
    let mut created = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
        created += usize::from(status == StatusCode::CREATED);
        ids.push(body["result"]["connection"]["id"].clone());
        codes.push(body["result"]["invitation_code"].clone());
    }
    assert_eq!(created, 1);
    ids.dedup();
    codes.dedup();
    assert_eq!((ids.len(), codes.len()), (1, 1));
    assert_eq!(admin.connections().await.len(), 2);

    // Keys must be 1 to 255 visible ASCII characters.
    for bad in ["", "has space", &"k".repeat(256)] {
        let (status, body) = post(bad, &new).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
        assert_eq!(failure(&body).0, "Invalid Idempotency-Key header");
    }
    assert_eq!(admin.connections().await.len(), 2);

    // The key is stored: after a restart, a replay still gets the first answer.
    node.stop().await;
    let node = start(config(dir.path())).await;
    let admin = Admin::sign_in(&node).await;
    let (status, replay) = send(
        admin
            .request(Method::POST, "/connections")
            .header("Idempotency-Key", "key-1")
            .json(&new),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replay, first);
    node.stop().await;
}

const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'";

fn assert_page_headers(response: &reqwest::Response) {
    let h = response.headers();
    assert_eq!(h["content-security-policy"], CSP);
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn pages_sign_in_then_host_the_widget() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.instance_name = r#"<b>"A&B"</b>"#.to_string();
    let node = start(cfg).await;
    let c = client();

    // Without a session: the sign-in form.
    let response = c.get(base(&node)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_page_headers(&response);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(r#"<form method="post" action="/login""#),
        "{page}"
    );
    assert!(page.contains(r#"<label for="admin-token">Admin token</label>"#));
    assert!(page.contains(r#"type="password" id="admin-token""#));
    assert!(page.contains(">Sign in</button>"));
    assert!(page.contains("&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"));
    assert!(!page.contains("<b>"));
    assert!(!page.contains("<style") && !page.contains("<script>"));

    // With one: the admin page around the widget, with the session's token as g_ck.
    let admin = Admin::sign_in(&node).await;
    let response = c
        .get(base(&node))
        .header(COOKIE, &admin.cookie)
        .send()
        .await
        .unwrap();
    assert_page_headers(&response);
    let page = response.text().await.unwrap();
    assert!(page.contains("<title>Connections | &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</title>"));
    assert_eq!(meta_g_ck(&page).as_deref(), Some(admin.token.as_str()));
    assert!(page.contains(r#"<link rel="stylesheet" href="/assets/admin.css">"#));
    assert!(page.contains(">ServiceNow<"));
    assert!(page.contains(r#"<form method="post" action="/logout""#));
    assert!(page.contains(">Sign out</button>"));
    assert!(page.contains(">Connections</a>"));
    assert!(!page.contains("<b>"));
    assert!(!page.contains("<style") && !page.contains("<script>"));
    let widget = c
        .get(format!("{}/pkg/synclink.js", base(&node)))
        .send()
        .await
        .unwrap();
    if widget.status() == StatusCode::OK {
        assert!(page.contains(
            r#"<div id="synclink-root" data-api-base="/api/x_synclink/v1" data-stylesheet="/assets/widget.css"></div>"#
        ));
        assert!(page.contains(r#"<script type="module" src="/assets/boot.js"></script>"#));
        let wasm = c
            .get(format!("{}/pkg/synclink_bg.wasm", base(&node)))
            .send()
            .await
            .unwrap();
        assert_eq!(wasm.headers()["content-type"], "application/wasm");
    } else {
        assert!(page.contains("The widget is not built: run cargo xtask build"));
    }

    // Static files, with their types and an ETag that revalidates.
    for (path, content_type) in [
        ("/assets/boot.js", "text/javascript; charset=utf-8"),
        ("/assets/admin.css", "text/css; charset=utf-8"),
    ] {
        let response = c
            .get(format!("{}{path}", base(&node)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], content_type);
        let etag = response.headers()["etag"].clone();
        assert!(!response.bytes().await.unwrap().is_empty());
        let again = c
            .get(format!("{}{path}", base(&node)))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }
    let (status, body) = send(c.get(format!("{}/assets/nothing.js", base(&node)))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    failure(&body);
    node.stop().await;
}
