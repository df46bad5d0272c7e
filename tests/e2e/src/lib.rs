//! Helpers for the end-to-end tests: real nodes on loopback and a real headless Chromium driven
//! over WebDriver. Elements are found the way an administrator finds them: by the text of a
//! button or link, or by the label of a field.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use synclink_core::{LicenseKind, Platform};
use tempfile::TempDir;

pub const ADMIN_TOKEN: &str = "e2e-admin-token";

/// How long any single expectation may take before the test fails. A bound against hangs,
/// not a speed check: the machines are shared and noisy.
const PATIENCE: Duration = Duration::from_secs(20);

/// A node running in this process with its own temporary database.
pub struct Instance {
    pub node: synclink_node::RunningNode,
    pub url: String,
    _dir: TempDir,
}

impl Instance {
    pub async fn start(name: &str, platform: Platform) -> Instance {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = synclink_node::Config::new(dir.path().join("synclink.db"), ADMIN_TOKEN);
        config.instance_name = name.to_string();
        config.platform = platform;
        config.license = LicenseKind::Trial;
        let node = synclink_node::start(config).await.expect("node starts");
        let url = node.public_url.clone();
        Instance {
            node,
            url,
            _dir: dir,
        }
    }
}

/// A headless Chromium under chromedriver, with a fresh profile.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn tool(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

impl Browser {
    /// Starts Chromium. `clipboard_origins` may read the clipboard (so a test can check what
    /// Copy put there).
    pub async fn start(clipboard_origins: &[&str]) -> Browser {
        let port = free_port();
        let driver = Command::new(tool("CHROMEDRIVER", "/usr/bin/chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (run `cargo xtask test`, which installs it)");
        let profile = tempfile::tempdir().expect("temp dir");
        let mut exceptions = serde_json::Map::new();
        for origin in clipboard_origins {
            exceptions.insert(format!("{origin},*"), json!({ "setting": 1 }));
        }
        let caps = json!({
            "goog:chromeOptions": {
                "binary": tool("CHROMIUM", "/usr/bin/chromium"),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "profile.content_settings.exceptions.clipboard": exceptions,
                },
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&webdriver)
                .await;
            match attempt {
                Ok(client) => break client,
                Err(e) if started.elapsed() > PATIENCE => panic!("chromedriver: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    /// Opens the instance's admin page and signs in with the admin token.
    pub async fn sign_in(&self, instance: &Instance) {
        self.client
            .goto(&instance.url)
            .await
            .expect("open the admin page");
        let token = self.wait_for_page_field("Admin token").await;
        token.send_keys(ADMIN_TOKEN).await.expect("type the token");
        self.wait_for_page_button("Sign in")
            .await
            .click()
            .await
            .expect("click Sign in");
        self.wait_for_button("Initiate connection").await;
    }

    /// Walks the Initiate connection wizard with its suggestions (Script mode) and returns the
    /// invitation code it shows; `destination` None ticks "I don't have a URL". The wizard is
    /// left on its last step.
    pub async fn initiate(&self, destination: Option<&str>, remote_short_name: &str) -> String {
        self.wait_for_button("Initiate connection")
            .await
            .click()
            .await
            .expect("click");
        match destination {
            Some(url) => {
                let field = self.wait_for_field("Destination Instance URL").await;
                field.send_keys(url).await.expect("type the URL");
            }
            None => {
                let no_url = self.wait_for_field("I don't have a URL").await;
                no_url.click().await.expect("tick I don't have a URL");
            }
        }
        self.wait_for_button("Next")
            .await
            .click()
            .await
            .expect("click Next");
        self.wait_for_text("Configuration Mode").await;
        let script = self.wait_for_field("Script").await;
        assert_eq!(
            script.prop("checked").await.expect("radio").as_deref(),
            Some("true")
        );
        self.wait_for_button("Next")
            .await
            .click()
            .await
            .expect("click Next");
        self.wait_for_text("Connection information").await;
        let remote = self.wait_for_field("Remote instance short name").await;
        remote.clear().await.expect("clear");
        remote.send_keys(remote_short_name).await.expect("type");
        self.wait_for_button("Next")
            .await
            .click()
            .await
            .expect("click Next");
        self.wait_for_text("Use the following invitation code:")
            .await;
        let code = self.wait_for_field("Invitation code").await;
        code.prop("value")
            .await
            .expect("read the code")
            .expect("a code is shown")
    }

    /// Runs `script` until it returns an element, or fails the test after a while.
    async fn wait_for_element(&self, what: &str, script: &str, args: Vec<Value>) -> Element {
        let started = Instant::now();
        loop {
            let found = self.client.execute(script, args.clone()).await;
            if let Ok(Value::Object(map)) = &found
                && let Some(Value::String(id)) = map.values().next()
            {
                return Element::from_element_id(self.client.clone(), ElementRef::from(id.clone()));
            }
            if started.elapsed() > PATIENCE {
                let text = self.widget_text().await;
                panic!("{what} did not appear; the widget shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A button or link in the widget whose text is `label`.
    pub async fn wait_for_button(&self, label: &str) -> Element {
        self.wait_for_element(
            &format!("button {label:?}"),
            FIND_BUTTON,
            vec![json!(true), json!(label)],
        )
        .await
    }

    /// The button `label` in the list item or table row that shows `text` (e.g. **Restore** on
    /// the line of "Version 1").
    pub async fn wait_for_button_in_row(&self, text: &str, label: &str) -> Element {
        self.wait_for_element(
            &format!("button {label:?} next to {text:?}"),
            FIND_BUTTON_IN_ROW,
            vec![json!(text), json!(label)],
        )
        .await
    }

    /// Signs in to `instance` in a new tab and accepts `code` there; stays on that tab.
    pub async fn accept_in_new_tab(
        &self,
        instance: &Instance,
        code: &str,
    ) -> fantoccini::wd::WindowHandle {
        let tab = self.client.new_window(true).await.expect("new tab").handle;
        self.client
            .switch_to_window(tab.clone())
            .await
            .expect("switch tab");
        self.sign_in(instance).await;
        self.wait_for_button("Accept invitation")
            .await
            .click()
            .await
            .expect("click");
        let field = self.wait_for_field("Invitation code").await;
        field.send_keys(code).await.expect("paste the code");
        self.wait_for_button("Next")
            .await
            .click()
            .await
            .expect("click Next");
        self.wait_for_button("Confirm")
            .await
            .click()
            .await
            .expect("click Confirm");
        self.wait_for_text("The connection is Active.").await;
        self.wait_for_button("Done")
            .await
            .click()
            .await
            .expect("click Done");
        tab
    }

    /// A field in the widget whose label reads `label` (a trailing `*` is ignored).
    pub async fn wait_for_field(&self, label: &str) -> Element {
        self.wait_for_element(
            &format!("field {label:?}"),
            FIND_FIELD,
            vec![json!(true), json!(label)],
        )
        .await
    }

    /// A button on the host page itself (outside the widget).
    pub async fn wait_for_page_button(&self, label: &str) -> Element {
        self.wait_for_element(
            &format!("button {label:?}"),
            FIND_BUTTON,
            vec![json!(false), json!(label)],
        )
        .await
    }

    pub async fn wait_for_page_field(&self, label: &str) -> Element {
        self.wait_for_element(
            &format!("field {label:?}"),
            FIND_FIELD,
            vec![json!(false), json!(label)],
        )
        .await
    }

    /// Everything the widget shows, as text.
    pub async fn widget_text(&self) -> String {
        let script = "const r = document.getElementById('synclink-root')?.shadowRoot; \
                      return r ? r.textContent : document.body.innerText;";
        match self.client.execute(script, vec![]).await {
            Ok(Value::String(s)) => s,
            other => format!("{other:?}"),
        }
    }

    /// Waits until the widget shows `text`.
    pub async fn wait_for_text(&self, text: &str) {
        let started = Instant::now();
        loop {
            let shown = self.widget_text().await;
            if shown.contains(text) {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!("the widget never showed {text:?}; it shows:\n{shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The rows of the Connections table, each as its cells' texts.
    pub async fn table_rows(&self) -> Vec<Vec<String>> {
        let script = "const r = document.getElementById('synclink-root')?.shadowRoot; \
            if (!r) return []; \
            return [...r.querySelectorAll('table tbody tr')].map(tr => \
                [...tr.querySelectorAll('td')].map(td => td.textContent.trim()));";
        let rows = self
            .client
            .execute(script, vec![])
            .await
            .expect("read the table");
        serde_json::from_value(rows).unwrap_or_default()
    }

    /// Waits until the table's row named `name` shows `status`.
    pub async fn wait_for_row_status(&self, name: &str, status: &str) {
        let started = Instant::now();
        loop {
            let rows = self.table_rows().await;
            let row = rows
                .iter()
                .find(|r| r.first().map(String::as_str) == Some(name));
            if row.is_some_and(|r| r.iter().any(|c| c == status)) {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!("row {name:?} never showed {status:?}; the table is {rows:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text currently on the clipboard (needs the origin to be allowed in `start`).
    pub async fn clipboard(&self) -> String {
        let script = "const done = arguments[arguments.length - 1]; \
            navigator.clipboard.readText().then(done, e => done('clipboard error: ' + e));";
        match self.client.execute_async(script, vec![]).await {
            Ok(Value::String(s)) => s,
            other => panic!("cannot read the clipboard: {other:?}"),
        }
    }

    /// Number of `<img>` elements in the page and the widget: a name such as
    /// `<img src=x onerror=alert(1)>` must never become one.
    pub async fn img_count(&self) -> u64 {
        let script = "const r = document.getElementById('synclink-root')?.shadowRoot; \
            return document.querySelectorAll('img').length + (r ? r.querySelectorAll('img').length : 0);";
        self.client
            .execute(script, vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(0)
    }
}

/// arguments: [inWidget, label]
const FIND_BUTTON: &str = "
    const [inWidget, label] = arguments;
    const root = inWidget ? document.getElementById('synclink-root')?.shadowRoot : document;
    if (!root) return null;
    const norm = s => s.replace(/\\s+/g, ' ').trim();
    return [...root.querySelectorAll('button, a, input[type=submit]')]
        .find(e => norm(e.textContent || e.value || '') === label && e.offsetParent !== null) ?? null;
";

/// arguments: [text, label]
const FIND_BUTTON_IN_ROW: &str = "
    const [text, label] = arguments;
    const root = document.getElementById('synclink-root')?.shadowRoot;
    if (!root) return null;
    const norm = s => s.replace(/\\s+/g, ' ').trim();
    for (const row of root.querySelectorAll('li, tr')) {
        if (!norm(row.textContent).includes(text)) continue;
        const b = [...row.querySelectorAll('button, a')].find(e => norm(e.textContent) === label);
        if (b) return b;
    }
    return null;
";

/// arguments: [inWidget, label]
const FIND_FIELD: &str = "
    const [inWidget, label] = arguments;
    const root = inWidget ? document.getElementById('synclink-root')?.shadowRoot : document;
    if (!root) return null;
    const norm = s => s.replace(/\\s+/g, ' ').replace(/\\s*\\*\\s*$/, '').trim();
    const l = [...root.querySelectorAll('label')].find(l => norm(l.textContent) === label);
    if (!l) return null;
    return l.control ?? (l.htmlFor ? root.getElementById(l.htmlFor) : null);
";
