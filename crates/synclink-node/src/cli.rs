//! The command line: every flag has a default and a line of help.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use synclink_core::{LicenseKind, Platform};

use crate::Config;

// No `Debug`: it would print the admin token (`Config` has a redacting one).
#[derive(Parser)]
#[command(
    name = "synclink-node",
    version,
    about = "A synclink instance: REST API, database and admin page"
)]
pub struct Cli {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,

    /// The URL other instances reach this one at [default: http://<listen address>].
    #[arg(long)]
    pub public_url: Option<String>,

    /// The tracker this instance plays: servicenow, jira, zendesk, azure_devops, github or salesforce.
    #[arg(long, default_value = "servicenow", value_parser = parse_platform)]
    pub platform: Platform,

    /// The instance's display name.
    #[arg(long, default_value = "Company A")]
    pub instance_name: String,

    /// The SQLite database file (created when absent).
    #[arg(long, default_value = "synclink-node.db")]
    pub db: PathBuf,

    /// The licence: trial, paid, expired or free.
    #[arg(long, default_value = "trial", value_parser = parse_license)]
    pub license: LicenseKind,

    /// The secret that signs an administrator in [default: generated and printed once].
    #[arg(long, env = "SYNCLINK_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Length of the trial in days, counted from the database's creation.
    #[arg(long, default_value_t = 30)]
    pub trial_days: u32,

    /// Deadline for a whole destination probe, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub probe_timeout_ms: u64,

    /// Deadline for the whole handshake with the initiating instance when accepting, in milliseconds.
    #[arg(long, default_value_t = 10000)]
    pub handshake_timeout_ms: u64,

    /// Deadline for a whole signed call to a connection's other side (status changes, Test
    /// connection), in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub peer_timeout_ms: u64,
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::from_id(s).ok_or_else(|| {
        let ids: Vec<&str> = Platform::ALL.iter().map(|p| p.id()).collect();
        format!("unknown platform {s:?}; use one of {}", ids.join(", "))
    })
}

fn parse_license(s: &str) -> Result<LicenseKind, String> {
    LicenseKind::from_id(s)
        .ok_or_else(|| format!("unknown licence {s:?}; use trial, paid, expired or free"))
}

impl Cli {
    /// The node's configuration, with `admin_token` standing in for a token not given.
    pub fn into_config(self, admin_token: String) -> Config {
        Config {
            listen: self.listen,
            public_url: self.public_url,
            platform: self.platform,
            instance_name: self.instance_name,
            db_path: self.db,
            license: self.license,
            admin_token,
            trial_days: self.trial_days,
            probe_timeout: Duration::from_millis(self.probe_timeout_ms),
            handshake_timeout: Duration::from_millis(self.handshake_timeout_ms),
            peer_timeout: Duration::from_millis(self.peer_timeout_ms),
        }
    }
}

/// A fresh admin token, for a node started without one.
pub fn generate_admin_token() -> Result<String, crate::random::RandomError> {
    crate::random::hex_token::<16>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent_and_parses_ids() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "synclink-node",
            "--platform",
            "azure_devops",
            "--license",
            "free",
        ])
        .unwrap();
        assert_eq!(cli.platform, Platform::AzureDevops);
        assert_eq!(cli.license, LicenseKind::Free);
        assert!(Cli::try_parse_from(["synclink-node", "--platform", "jira2"]).is_err());
    }
}
