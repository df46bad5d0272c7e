//! Asking another address whether a synclink instance answers there: the destination probe
//! (`POST /destinations/probe`) and the instance's check of its own public URL.
//!
//! Whatever answers is untrusted: the whole exchange has a deadline, redirects are followed by
//! hand (at most [`MAX_REDIRECTS`], loops detected), and at most [`MAX_BODY`] bytes are read.

use std::collections::HashMap;
use std::error::Error as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use reqwest::{Client, StatusCode, Url};
use synclink_core::api::{Envelope, InstanceInfo, ModeOption, ProbeResult, RemoteInstance};
use synclink_core::modes::{self, Destination};
use synclink_core::{API_BASE, LicenseKind, Mode, Platform};

pub const MAX_REDIRECTS: usize = 5;
/// More than any `/info` answer needs; a bigger answer is not from a synclink instance.
pub const MAX_BODY: usize = 64 * 1024;
/// How long a probe result stays good for the create that follows it.
const CACHE_TTL: Duration = Duration::from_secs(10 * 60);
/// Bound on remembered probes, so that probing many URLs cannot grow memory without end.
const CACHE_MAX: usize = 1024;
/// The instance's check of its own public URL.
const SELF_CHECK_TIMEOUT: Duration = Duration::from_secs(3);
const SELF_CHECK_TTL: Duration = Duration::from_secs(30);

/// Why an address did not answer as a synclink instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Refused,
    Dns,
    Timeout(Duration),
    Unreachable(String),
    TooManyRedirects,
    RedirectLoop,
    BadRedirect,
    Status(StatusCode),
    WebPage,
    TooLarge,
    NotSynclink,
}

impl Failure {
    /// True when something answered at all.
    pub fn answered(&self) -> bool {
        !matches!(
            self,
            Failure::Refused | Failure::Dns | Failure::Timeout(_) | Failure::Unreachable(_)
        )
    }

    /// One sentence naming the address.
    pub fn message(&self, url: &str) -> String {
        match self {
            Failure::Refused => {
                format!("The connection to {url} was refused: nothing is listening there.")
            }
            Failure::Dns => format!("The host name of {url} could not be found (DNS)."),
            Failure::Timeout(d) => format!("No answer within {} from {url}.", seconds(*d)),
            Failure::Unreachable(why) => format!("{url} could not be reached: {why}."),
            Failure::TooManyRedirects => {
                format!(
                    "{url} redirected more than {MAX_REDIRECTS} times, not as a synclink instance."
                )
            }
            Failure::RedirectLoop => format!("{url} redirects in a loop."),
            Failure::BadRedirect => {
                format!("{url} redirected to an address that is not http or https.")
            }
            Failure::Status(status) => {
                format!("{url} answered with HTTP {status}, not as a synclink instance.")
            }
            Failure::WebPage => {
                format!("{url} answered with a web page, not as a synclink instance.")
            }
            Failure::TooLarge => format!(
                "{url} answered with more than {} KB, not as a synclink instance.",
                MAX_BODY / 1024
            ),
            Failure::NotSynclink => format!("{url} answered, but not as a synclink instance."),
        }
    }
}

/// "5 seconds", "1 second", "0.3 seconds".
fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        1000 => "1 second".to_string(),
        _ if ms.is_multiple_of(1000) => format!("{} seconds", ms / 1000),
        _ => format!("{} seconds", d.as_secs_f64()),
    }
}

/// What a probe found at a destination.
#[derive(Debug, Clone)]
pub enum Found {
    Synclink(InstanceInfo),
    /// This very instance answered.
    Itself(InstanceInfo),
    Failed(Failure),
}

/// One probe's outcome, kept for the create that follows.
#[derive(Debug, Clone)]
pub struct Probed {
    /// The normalised URL.
    pub url: String,
    pub found: Found,
}

impl Probed {
    pub fn destination(&self) -> Destination<'_> {
        match &self.found {
            Found::Synclink(info) => Destination::Synclink {
                platform: info.platform,
                modes: &info.modes,
            },
            Found::Itself(_) => Destination::Unknown,
            Found::Failed(f) if f.answered() => Destination::Unknown,
            Found::Failed(_) => Destination::Unreachable,
        }
    }

    /// The modes the local instance may choose with this destination.
    pub fn modes(&self, local: Platform, license: LicenseKind) -> Vec<ModeOption> {
        if let Found::Itself(_) = self.found {
            return Mode::ALL
                .into_iter()
                .map(|mode| ModeOption {
                    mode,
                    available: false,
                    reason: Some("A connection needs another instance, not this one.".into()),
                })
                .collect();
        }
        modes::suggest(local, license, self.destination())
    }

    pub fn result(&self, local: Platform, license: LicenseKind) -> ProbeResult {
        let (reachable, remote, message) = match &self.found {
            Found::Synclink(info) => (
                true,
                Some(remote(info)),
                format!(
                    "{} answered: a {} instance running synclink {}.",
                    info.instance_name,
                    info.platform.label(),
                    info.version
                ),
            ),
            Found::Itself(info) => (
                true,
                Some(remote(info)),
                format!(
                    "{} is this instance ({}) itself: a connection needs another instance.",
                    self.url, info.instance_name
                ),
            ),
            Found::Failed(f) => (f.answered(), None, f.message(&self.url)),
        };
        ProbeResult {
            url: self.url.clone(),
            reachable,
            remote,
            message,
            modes: self.modes(local, license),
        }
    }
}

fn remote(info: &InstanceInfo) -> RemoteInstance {
    RemoteInstance {
        instance_name: info.instance_name.clone(),
        platform: info.platform,
        version: info.version.clone(),
    }
}

/// The client for every call to another instance (probes, self-checks, handshakes): it
/// follows no redirect by itself, uses no proxy, and keeps no idle connection.
pub fn http_client() -> Result<Client, reqwest::Error> {
    Client::builder()
        // Redirects are followed by hand, to count them and spot loops.
        .redirect(reqwest::redirect::Policy::none())
        // The call goes straight to the address the administrator typed or pasted.
        .no_proxy()
        .user_agent(concat!("synclink-node/", env!("CARGO_PKG_VERSION")))
        .pool_max_idle_per_host(0)
        .build()
}

/// The probing client, with the last result per URL and the last self-check.
pub struct Prober {
    client: Client,
    timeout: Duration,
    cache: Mutex<HashMap<String, (Instant, Probed)>>,
    self_check: Mutex<Option<(Instant, SelfCheck)>>,
}

/// Whether this instance answers at its public URL, with the sentence the administrator reads.
#[derive(Debug, Clone)]
pub struct SelfCheck {
    pub ok: bool,
    pub message: String,
}

impl Prober {
    pub fn new(client: Client, timeout: Duration) -> Prober {
        Prober {
            client,
            timeout,
            cache: Mutex::new(HashMap::new()),
            self_check: Mutex::new(None),
        }
    }

    /// Probes `url` (already normalised) and remembers the result.
    pub async fn probe(&self, url: &str, own_instance_id: &str) -> Probed {
        let found = match fetch_info(&self.client, url, self.timeout).await {
            Ok(info) if info.instance_id == own_instance_id => Found::Itself(info),
            Ok(info) => Found::Synclink(info),
            Err(failure) => Found::Failed(failure),
        };
        let probed = Probed {
            url: url.to_string(),
            found,
        };
        tracing::info!(url, outcome = ?outcome_kind(&probed.found), "probed a destination");
        let mut cache = lock(&self.cache);
        let now = Instant::now();
        cache.retain(|_, (at, _)| now.duration_since(*at) < CACHE_TTL);
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(url.to_string(), (now, probed.clone()));
        probed
    }

    /// The remembered result for `url` when it is recent, else a new probe.
    pub async fn cached_or_probe(&self, url: &str, own_instance_id: &str) -> Probed {
        let cached = lock(&self.cache)
            .get(url)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, probed)| probed.clone());
        match cached {
            Some(probed) => probed,
            None => self.probe(url, own_instance_id).await,
        }
    }

    /// Whether this instance answers at `public_url` as itself; remembered for a while so that
    /// every page load does not cost a request.
    pub async fn self_check(&self, public_url: &str, own_instance_id: &str) -> SelfCheck {
        if let Some((at, check)) = lock(&self.self_check).as_ref()
            && at.elapsed() < SELF_CHECK_TTL
        {
            return check.clone();
        }
        let check = match fetch_info(&self.client, public_url, SELF_CHECK_TIMEOUT).await {
            Ok(info) if info.instance_id == own_instance_id => SelfCheck {
                ok: true,
                message: format!("This instance answers at its public URL, {public_url}."),
            },
            Ok(info) => SelfCheck {
                ok: false,
                message: format!(
                    "Another synclink instance ({}) answers at this instance's public URL, {public_url}: check the --public-url setting.",
                    info.instance_name
                ),
            },
            Err(failure) => SelfCheck {
                ok: false,
                message: format!(
                    "This instance does not answer at its public URL. {}",
                    failure.message(public_url)
                ),
            },
        };
        *lock(&self.self_check) = Some((Instant::now(), check.clone()));
        check
    }
}

fn outcome_kind(found: &Found) -> &'static str {
    match found {
        Found::Synclink(_) => "synclink",
        Found::Itself(_) => "itself",
        Found::Failed(f) if f.answered() => "not synclink",
        Found::Failed(_) => "unreachable",
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded maps hold no invariant a panic could break halfway.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// GET `{base}/api/x_synclink/v1/info` and read it as a synclink instance's answer, within
/// `timeout` for the whole exchange.
async fn fetch_info(
    client: &Client,
    base: &str,
    timeout: Duration,
) -> Result<InstanceInfo, Failure> {
    match tokio::time::timeout(timeout, fetch_info_inner(client, base)).await {
        Ok(result) => result,
        Err(_) => Err(Failure::Timeout(timeout)),
    }
}

async fn fetch_info_inner(client: &Client, base: &str) -> Result<InstanceInfo, Failure> {
    let mut target = Url::parse(&format!("{base}{API_BASE}/info"))
        .map_err(|e| Failure::Unreachable(format!("the address is not usable ({e})")))?;
    let mut visited = vec![target.clone()];
    let mut response = loop {
        let response = client
            .get(target.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| classify(&e))?;
        if !response.status().is_redirection() {
            break response;
        }
        let next = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|location| target.join(location).ok())
            .ok_or(Failure::Status(response.status()))?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(Failure::BadRedirect);
        }
        if visited.contains(&next) {
            return Err(Failure::RedirectLoop);
        }
        if visited.len() > MAX_REDIRECTS {
            return Err(Failure::TooManyRedirects);
        }
        visited.push(next.clone());
        target = next;
    };
    let status = response.status();
    if is_web_page_type(&response) {
        return Err(Failure::WebPage);
    }
    if !status.is_success() {
        return Err(Failure::Status(status));
    }
    let body = read_body(&mut response).await?;
    if starts_with_markup(&body) {
        return Err(Failure::WebPage);
    }
    let envelope: Envelope<InstanceInfo> =
        serde_json::from_slice(&body).map_err(|_| Failure::NotSynclink)?;
    if envelope.result.product != synclink_core::api::PRODUCT {
        return Err(Failure::NotSynclink);
    }
    Ok(envelope.result)
}

/// True when the answer says it is a web page.
pub fn is_web_page_type(response: &reqwest::Response) -> bool {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    content_type.starts_with("text/html") || content_type.starts_with("application/xhtml")
}

/// True when a body is markup (a web page whatever its type says), not JSON.
pub fn starts_with_markup(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// Reads an answer's body, at most [`MAX_BODY`] bytes of it.
pub async fn read_body(response: &mut reqwest::Response) -> Result<Vec<u8>, Failure> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Tells a refused connection from a failed name lookup from anything else, by the causes
/// reqwest chains together.
pub fn classify(error: &reqwest::Error) -> Failure {
    if error.is_timeout() {
        // The deadline is ours (tokio's timeout); reqwest only times out if one is ever set.
        return Failure::Unreachable("the request timed out".into());
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = error.source();
    let mut texts = Vec::new();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Failure::Refused,
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    return Failure::Unreachable(
                        "the connection was closed without an answer".into(),
                    );
                }
                _ => {}
            }
        }
        texts.push(cause.to_string());
        source = cause.source();
    }
    if texts
        .iter()
        .any(|t| t.contains("dns error") || t.contains("failed to lookup address"))
    {
        return Failure::Dns;
    }
    if error.is_connect() {
        let why = texts
            .last()
            .cloned()
            .unwrap_or_else(|| "the connection failed".into());
        return Failure::Unreachable(why);
    }
    if error.is_body() || error.is_request() {
        return Failure::Unreachable("the connection was closed without a complete answer".into());
    }
    Failure::Unreachable(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(seconds(Duration::from_secs(5)), "5 seconds");
        assert_eq!(seconds(Duration::from_secs(1)), "1 second");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3 seconds");
    }

    #[test]
    fn itself_offers_no_mode() {
        let info = InstanceInfo {
            product: "synclink".into(),
            instance_id: "x".into(),
            instance_name: "A".into(),
            platform: Platform::Jira,
            version: "0".into(),
            modes: vec![Mode::Basic],
        };
        let probed = Probed {
            url: "http://a".into(),
            found: Found::Itself(info),
        };
        let result = probed.result(Platform::ServiceNow, LicenseKind::Paid);
        assert!(result.modes.iter().all(|m| !m.available));
        assert!(result.message.contains("this instance"));
    }
}
