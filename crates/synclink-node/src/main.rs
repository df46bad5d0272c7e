//! `synclink-node`: parses the command line, starts the node, and stops it on Ctrl-C or SIGTERM.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use synclink_node::cli::{self, Cli};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let cli = Cli::parse();
    let admin_token = match cli.admin_token.clone().filter(|t| !t.is_empty()) {
        Some(token) => token,
        None => match cli::generate_admin_token() {
            Ok(token) => {
                // The one place a secret is shown: the operator needs it to sign in.
                println!("Admin token: {token}");
                token
            }
            Err(e) => {
                eprintln!("synclink-node: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let config = cli.into_config(admin_token);
    let (name, platform) = (config.instance_name.clone(), config.platform);
    let node = match synclink_node::start(config).await {
        Ok(node) => node,
        Err(e) => {
            eprintln!("synclink-node: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "synclink-node listening on http://{} ({name}, {})",
        node.addr,
        platform.label()
    );

    shutdown_signal().await;
    tracing::info!("stopping");
    node.stop().await;
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
