//! Installs what a fresh Debian machine with only rustup and cargo lacks: the wasm target,
//! clippy and rustfmt, the wasm-bindgen CLI at the version in Cargo.lock, and (through apt)
//! Chromium, chromedriver and binaryen's wasm-opt.

use std::path::PathBuf;
use std::process::Command;

use crate::{Result, cargo, exec, root};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

fn succeeds(cmd: &mut Command) -> bool {
    cmd.output().map(|o| o.status.success()).unwrap_or(false)
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The wasm target and the rustup components the checks use.
pub fn rust() -> Result {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        exec(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    for (component, probe) in [("clippy", "clippy"), ("rustfmt", "fmt")] {
        if !succeeds(cargo().args([probe, "--version"])) {
            exec(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// The wasm-bindgen version the widget is built with, read from Cargo.lock.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

/// The wasm-bindgen CLI (and its test runner) at exactly the crate's version: the two refuse to
/// work together otherwise. `--locked` fails against this registry, so it is not used.
pub fn wasm_bindgen() -> Result {
    let want = wasm_bindgen_version()?;
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) != Some(want.as_str()) {
        eprintln!("Installing wasm-bindgen-cli {want} (about two minutes, once)…");
        exec(cargo().args(["install", "wasm-bindgen-cli", "--version", &want]))?;
    }
    Ok(())
}

pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Chromium and chromedriver from Debian, installed through apt when missing.
pub fn browser() -> Result<Browser> {
    let find = |name: &str| -> Option<PathBuf> {
        let env = std::env::var_os(name.to_uppercase()).map(PathBuf::from);
        env.into_iter()
            .chain([PathBuf::from("/usr/bin").join(name)])
            .find(|p| p.is_file())
    };
    if find("chromium").is_none() || find("chromedriver").is_none() {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    match (find("chromium"), find("chromedriver")) {
        (Some(chromium), Some(chromedriver)) => Ok(Browser {
            chromium,
            chromedriver,
        }),
        _ => Err("Chromium or chromedriver is still missing after apt-get install".into()),
    }
}

/// The oldest wasm-opt that keeps wasm-bindgen's externref table intact. Debian 12's binaryen
/// (108) rewrites it into a funcref table, and the widget then fails to start with
/// "WebAssembly.Table.set(): Argument 1 is invalid for table".
pub const MIN_WASM_OPT: u32 = 116;

/// wasm-opt when a recent enough one is present; the build works without it, a little bigger.
pub fn wasm_opt() -> Option<PathBuf> {
    let version = output(Command::new("wasm-opt").arg("--version"))?;
    // "wasm-opt version 108" or "wasm-opt version 116 (version_116)"
    let number: u32 = version.split_whitespace().nth(2)?.parse().ok()?;
    (number >= MIN_WASM_OPT).then(|| PathBuf::from("wasm-opt"))
}

fn apt_install(packages: &[&str]) -> Result {
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0");
    let sudo = |args: &[&str]| {
        let mut c = if is_root {
            Command::new(args[0])
        } else {
            let mut c = Command::new("sudo");
            c.arg(args[0]);
            c
        };
        c.args(&args[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    eprintln!("Installing {} with apt…", packages.join(", "));
    exec(&mut sudo(&["apt-get", "update", "-q"]))?;
    let mut args = vec!["apt-get", "install", "-y", "-q"];
    args.extend_from_slice(packages);
    exec(&mut sudo(&args))
}
