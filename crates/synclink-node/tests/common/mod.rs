//! Helpers for the node's tests: start a node on a temp database (in this process, or the real
//! binary as a child process to kill), sign in as its administrator over real HTTP, and stand up
//! small misbehaving servers and a proxy for the probe and the handshake to meet.

#![allow(dead_code)] // Each test binary uses its own subset.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use synclink_core::API_BASE;
use synclink_node::{Config, RunningNode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const TOKEN: &str = "test-admin-token";

pub fn config(dir: &Path) -> Config {
    Config::new(dir.join("node.db"), TOKEN)
}

pub async fn start(config: Config) -> RunningNode {
    synclink_node::start(config).await.expect("the node starts")
}

pub fn client() -> Client {
    // reqwest is built without a TLS provider; tests may build a client before any node starts.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("a client")
}

pub fn base(node: &RunningNode) -> String {
    format!("http://{}", node.addr)
}

pub fn api(node: &RunningNode, path: &str) -> String {
    format!("http://{}{API_BASE}{path}", node.addr)
}

/// The node's instance id, as `GET /info` tells it.
pub async fn instance_id(node: &RunningNode) -> String {
    let info: Value = client()
        .get(api(node, "/info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    info["result"]["instance_id"].as_str().unwrap().to_string()
}

/// A signed-in administrator: the session cookie and the page's user token.
#[derive(Clone)]
pub struct Admin {
    pub client: Client,
    pub base: String,
    pub cookie: String,
    pub token: String,
}

impl Admin {
    pub async fn sign_in(node: &RunningNode) -> Admin {
        Admin::sign_in_at(&base(node)).await
    }

    pub async fn sign_in_at(base: &str) -> Admin {
        let client = client();
        let response = client
            .post(format!("{base}/login"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("token={TOKEN}"))
            .send()
            .await
            .expect("sign-in answers");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[LOCATION], "/");
        let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set_cookie.contains(attribute), "{set_cookie}");
        }
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        assert!(cookie.starts_with("synclink_session_"), "{cookie}");
        let page = client
            .get(format!("{base}/"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = meta_g_ck(&page).expect("the admin page carries g_ck");
        Admin {
            client,
            base: base.to_string(),
            cookie,
            token,
        }
    }

    /// A request with the session cookie and the X-UserToken header.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{API_BASE}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header("X-UserToken", &self.token)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn connections(&self) -> Vec<Value> {
        let (status, body) = self.get("/connections").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["result"].as_array().expect("a list").clone()
    }
}

pub fn meta_g_ck(page: &str) -> Option<String> {
    let start =
        page.find(r#"<meta name="g_ck" content=""#)? + r#"<meta name="g_ck" content=""#.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_string())
}

/// Sends and reads the answer as JSON (Null when the body is not JSON).
pub async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the node answers");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts a ServiceNow failure body and returns (message, detail).
pub fn failure(body: &Value) -> (String, String) {
    assert_eq!(body["status"], "failure", "{body}");
    let message = body["error"]["message"]
        .as_str()
        .expect("a message")
        .to_string();
    let detail = body["error"]["detail"]
        .as_str()
        .expect("a detail")
        .to_string();
    assert!(!message.is_empty(), "{body}");
    (message, detail)
}

pub fn private_connection(local: &str, remote: &str) -> Value {
    json!({
        "remote_url": null,
        "mode": "Script",
        "local_short_name": local,
        "remote_short_name": remote,
        "name": format!("{local}_to_{remote}"),
        "description": "",
    })
}

/// A server that answers every connection with `respond(request head)` and closes.
pub async fn raw_server<F>(respond: F) -> String
where
    F: Fn(&str) -> Vec<u8> + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let respond = std::sync::Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let respond = respond.clone();
            tokio::spawn(async move {
                let head = read_head(&mut stream).await;
                let answer = respond(&head);
                // The other side may hang up early (a capped read): not an error here.
                let _ = stream.write_all(&answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The path of a request head: "GET /x HTTP/1.1" gives "/x".
pub fn request_path(head: &str) -> &str {
    head.split_whitespace().nth(1).unwrap_or("")
}

pub fn http_response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A server that accepts connections and never answers.
pub async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    format!("http://{addr}")
}

/// An address where nothing listens: a port that was just bound and released.
pub async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

pub const SHORT_PROBE: Duration = Duration::from_millis(400);

/// The real binary, running as a child process.
pub struct Spawned {
    pub child: Child,
    pub addr: SocketAddr,
}

/// Starts the binary on `db` with a free port and `args`, and waits for its "listening on" line.
pub fn spawn_node(db: &Path, instance_name: &str, args: &[&str]) -> Spawned {
    let mut child = Command::new(env!("CARGO_BIN_EXE_synclink-node"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin-token",
            TOKEN,
            "--instance-name",
            instance_name,
        ])
        .args(args)
        .arg("--db")
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("a line before the end").unwrap();
        if let Some(rest) = line.strip_prefix("synclink-node listening on http://") {
            assert!(rest.contains(&format!("({instance_name}, ")), "{line}");
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    // Keep the pipe drained so the node never blocks on a full stdout.
    std::thread::spawn(move || for _ in lines {});
    Spawned { child, addr }
}

type Trap = Box<dyn FnOnce() + Send>;

/// A TCP proxy in front of a node: a stable address while the node behind it is killed and
/// restarted on another port, and a trap that fires when the answer to a handshake starts to
/// come back (so the node has committed) and then drops that answer.
pub struct Proxy {
    pub url: String,
    upstream: Arc<Mutex<SocketAddr>>,
    trap: Arc<Mutex<Option<Trap>>>,
}

impl Proxy {
    pub async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = Arc::new(Mutex::new(SocketAddr::from(([127, 0, 0, 1], 1))));
        let trap: Arc<Mutex<Option<Trap>>> = Arc::default();
        let (up, tr) = (Arc::clone(&upstream), Arc::clone(&trap));
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let target = *up.lock().unwrap();
                tokio::spawn(relay(client, target, Arc::clone(&tr)));
            }
        });
        Proxy {
            url,
            upstream,
            trap,
        }
    }

    pub fn forward_to(&self, addr: SocketAddr) {
        *self.upstream.lock().unwrap() = addr;
    }

    /// Runs `f` once, when the next handshake's answer starts, and drops that answer.
    pub fn arm(&self, f: impl FnOnce() + Send + 'static) {
        *self.trap.lock().unwrap() = Some(Box::new(f));
    }
}

async fn relay(mut client: TcpStream, target: SocketAddr, trap: Arc<Mutex<Option<Trap>>>) {
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        return;
    };
    // The request line tells a handshake from anything else.
    let mut first = Vec::new();
    let mut buf = [0u8; 4096];
    while !first.windows(2).any(|w| w == b"\r\n") {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => first.extend_from_slice(&buf[..n]),
        }
    }
    let handshake = first.starts_with(format!("POST {API_BASE}/handshake ").as_bytes());
    if upstream.write_all(&first).await.is_err() {
        return;
    }
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut upstream_write).await;
    });
    let armed = if handshake {
        trap.lock().unwrap().take()
    } else {
        None
    };
    if let Some(fire) = armed {
        let mut byte = [0u8; 1];
        let _ = upstream_read.read(&mut byte).await;
        fire();
        // Dropping the write half closes the client's side without an answer.
        return;
    }
    let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
}

/// A config for an instance with this name and platform.
pub fn named(dir: &Path, name: &str, platform: synclink_core::Platform) -> Config {
    let mut cfg = config(dir);
    cfg.instance_name = name.into();
    cfg.platform = platform;
    cfg
}

/// A running node with its signed-in administrator, stoppable mid-test.
pub struct Instance {
    pub node: Option<RunningNode>,
    pub admin: Admin,
    pub url: String,
}

impl Instance {
    pub async fn start(cfg: Config) -> Instance {
        let node = start(cfg).await;
        let admin = Admin::sign_in(&node).await;
        let url = node.public_url.clone();
        Instance {
            node: Some(node),
            admin,
            url,
        }
    }

    pub async fn stop(&mut self) {
        if let Some(node) = self.node.take() {
            node.stop().await;
        }
    }

    /// The connection as this side shows it; panics unless 200.
    pub async fn connection(&self, id: &str) -> Value {
        let (status, body) = self.admin.get(&format!("/connections/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["result"].clone()
    }

    pub async fn status_of(&self, id: &str) -> String {
        self.connection(id).await["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.admin.post(path, body).await
    }

    pub async fn action(&self, id: &str, action: &str) -> (StatusCode, Value) {
        self.admin
            .post(&format!("/connections/{id}/{action}"), &json!({}))
            .await
    }

    pub async fn delete(&self, id: &str) -> (StatusCode, Value) {
        send(
            self.admin
                .request(Method::DELETE, &format!("/connections/{id}")),
        )
        .await
    }

    pub async fn patch(&self, id: &str, body: &Value) -> (StatusCode, Value) {
        send(
            self.admin
                .request(Method::PATCH, &format!("/connections/{id}"))
                .json(body),
        )
        .await
    }

    /// Initiates a connection of `mode` to `remote_url` (None: private); (connection, code).
    pub async fn initiate(&self, remote_url: Option<&str>, mode: &str) -> (Value, String) {
        let mut new = private_connection("company_a", "company_b");
        new["remote_url"] = json!(remote_url);
        new["mode"] = json!(mode);
        let (status, body) = self.admin.post("/connections", &new).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let code = body["result"]["invitation_code"].as_str().unwrap().into();
        (body["result"]["connection"].clone(), code)
    }

    pub async fn accept(&self, code: &str) -> (StatusCode, Value) {
        self.admin
            .post("/invitations/accept", &json!({ "invitation_code": code }))
            .await
    }
}

/// "Company A" (ServiceNow) and "Company B" (Jira) connected in Script mode through a real
/// handshake: initiated on A with B's URL, accepted on B. Returns both and the connection id.
pub async fn connected_pair(dir_a: &Path, dir_b: &Path) -> (Instance, Instance, String) {
    use synclink_core::Platform;
    let a = Instance::start(named(dir_a, "Company A", Platform::ServiceNow)).await;
    let b = Instance::start(named(dir_b, "Company B", Platform::Jira)).await;
    let (initiated, code) = a.initiate(Some(&b.url), "Script").await;
    let id = initiated["id"].as_str().unwrap().to_string();
    let (status, body) = b.accept(&code).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(a.status_of(&id).await, "Active");
    assert_eq!(b.status_of(&id).await, "Active");
    (a, b, id)
}

/// Asserts a failure answer: its status, message, and a detail containing `detail`.
pub fn assert_failure(got: &(StatusCode, Value), status: StatusCode, message: &str, detail: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    let (m, d) = failure(&got.1);
    assert_eq!(m, message, "{}", got.1);
    assert!(d.contains(detail), "{d:?} should contain {detail:?}");
}
