//! synclink-node: one instance's connection service. It serves the REST API the widget calls
//! (under [`synclink_core::API_BASE`], in ServiceNow's conventions), keeps connections in an
//! embedded SQLite database, probes other instances, and serves the admin page that hosts the
//! widget.
//!
//! Architecture invariants: the rules (validation, modes, invitation codes) come from
//! `synclink-core` and are never restated here; only `error.rs` turns errors into HTTP answers.

mod assets;
mod auth;
pub mod cli;
mod clock;
mod db;
mod error;
mod handshake;
mod license;
mod page;
mod peer;
mod probe;
mod random;
mod routes;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use synclink_core::{LicenseKind, Platform};
use thiserror::Error;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use db::DbError;

/// Largest request body accepted (larger → 413).
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long `stop` waits for requests in flight before it cuts them off.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Everything a node needs to run.
#[derive(Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The URL other instances reach this one at; `http://<bound address>` when None.
    pub public_url: Option<String>,
    pub platform: Platform,
    pub instance_name: String,
    pub db_path: PathBuf,
    pub license: LicenseKind,
    /// The secret that signs an administrator in.
    pub admin_token: String,
    /// Length of the trial, counted from the database's creation.
    pub trial_days: u32,
    /// Deadline for a whole destination probe.
    pub probe_timeout: Duration,
    /// Deadline for the whole handshake with the initiating instance, when accepting.
    pub handshake_timeout: Duration,
    /// Deadline for a whole signed call to the other side of a connection (status changes,
    /// Test connection).
    pub peer_timeout: Duration,
}

// The admin token must never reach a log through `{:?}`.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("platform", &self.platform)
            .field("instance_name", &self.instance_name)
            .field("db_path", &self.db_path)
            .field("license", &self.license)
            .field("admin_token", &"<redacted>")
            .field("trial_days", &self.trial_days)
            .field("probe_timeout", &self.probe_timeout)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("peer_timeout", &self.peer_timeout)
            .finish()
    }
}

impl Config {
    /// A ServiceNow instance "Company A" on a free loopback port, with a 30-day trial that
    /// starts with the database, a 5-second probe timeout, a 10-second handshake timeout and a
    /// 5-second timeout for calls to a connection's other side: change the fields as needed.
    pub fn new(db_path: impl Into<PathBuf>, admin_token: impl Into<String>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            platform: Platform::ServiceNow,
            instance_name: "Company A".to_string(),
            db_path: db_path.into(),
            license: LicenseKind::Trial,
            admin_token: admin_token.into(),
            trial_days: 30,
            probe_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(10),
            peer_timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Error)]
pub enum StartError {
    #[error("the admin token must not be empty")]
    EmptyAdminToken,
    /// Other instances check the name with the rule for connection names when it reaches them.
    #[error("the instance name is not usable: {0}")]
    InstanceName(String),
    #[error("the public URL {url:?} is not usable: {why}")]
    PublicUrl { url: String, why: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Database { path: PathBuf, source: DbError },
    #[error("cannot set up the HTTP client: {0}")]
    HttpClient(String),
    #[error(transparent)]
    Random(#[from] random::RandomError),
}

/// A node serving requests in the background. Dropping it shuts the server down too; `stop`
/// also waits until it has.
pub struct RunningNode {
    /// The address it listens on (with the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The URL it tells other instances, normalised.
    pub public_url: String,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl RunningNode {
    /// Stops taking requests, lets those in flight finish (up to a grace period) and closes
    /// the database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let mut server = self.server;
        match tokio::time::timeout(STOP_GRACE, &mut server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the server stopped with an error"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the server task failed"),
            Err(_) => {
                tracing::warn!("requests still running after the grace period; cutting them off");
                server.abort();
            }
        }
    }
}

/// Installs ring as rustls's crypto provider, once per process: reqwest is built without one
/// so that no C toolchain beyond a compiler is needed.
fn install_crypto_provider() {
    // An error means a provider is already installed, which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Opens (or creates) the database, binds the address and serves in the background.
pub async fn start(config: Config) -> Result<RunningNode, StartError> {
    install_crypto_provider();
    if config.admin_token.is_empty() {
        return Err(StartError::EmptyAdminToken);
    }
    let instance_name = synclink_core::validate::connection_name(&config.instance_name)
        .map_err(|e| StartError::InstanceName(e.to_string()))?;

    let fresh_id = random::hex_token::<16>()?;
    let (db, instance) = db::Db::open(
        config.db_path.clone(),
        fresh_id,
        clock::now(),
        config.platform,
    )
    .await
    .map_err(|source| StartError::Database {
        path: config.db_path.clone(),
        source,
    })?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen,
        source,
    })?;

    let raw_public = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let public_url = synclink_core::validate::destination_url(&raw_public).map_err(|e| {
        StartError::PublicUrl {
            url: raw_public.clone(),
            why: e.to_string(),
        }
    })?;

    let client = probe::http_client().map_err(|e| StartError::HttpClient(e.to_string()))?;
    let prober = probe::Prober::new(client.clone(), config.probe_timeout);
    let state = state::AppState::new(state::Shared {
        platform: config.platform,
        instance_name,
        sessions: auth::Sessions::new(&instance.instance_id, public_url.starts_with("https://")),
        instance_id: instance.instance_id,
        public_url: public_url.clone(),
        license: config.license,
        trial_days: config.trial_days,
        created_at: instance.created_at,
        admin_token: config.admin_token,
        db,
        prober,
        client,
        handshake_timeout: config.handshake_timeout,
        peer_timeout: config.peer_timeout,
    });

    let (shutdown, stopped) = oneshot::channel::<()>();
    let app = routes::router(state);
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(%addr, public_url, "serving");
    Ok(RunningNode {
        addr,
        public_url,
        shutdown,
        server,
    })
}
