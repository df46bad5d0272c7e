//! `cargo xtask test`: every check, in the order that fails fastest.

use std::time::Instant;

use crate::tools::{self, WASM_TARGET};
use crate::{Result, build, cargo, exec};

pub fn run() -> Result {
    let started = Instant::now();
    let mut steps: Vec<(&str, f64)> = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result| -> Result {
        eprintln!("\n== {name}");
        let t = Instant::now();
        f()?;
        steps.push((name, t.elapsed().as_secs_f64()));
        Ok(())
    };

    step("tools", &mut || {
        tools::rust()?;
        tools::wasm_bindgen()?;
        tools::browser().map(|_| ())
    })?;
    let browser = tools::browser()?;
    step("format", &mut || {
        exec(cargo().args(["fmt", "--all", "--check"]))
    })?;
    step("clippy (native)", &mut || {
        exec(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("clippy (wasm)", &mut || {
        let wasm_clippy = |what: &[&str]| {
            exec(cargo().arg("clippy").args(what).args([
                "--target",
                WASM_TARGET,
                "--",
                "-D",
                "warnings",
            ]))
        };
        wasm_clippy(&["-p", "synclink", "--all-targets"])?;
        // Core's own tests use proptest, which does not build for wasm; its library does.
        wasm_clippy(&["-p", "synclink-core", "--lib"])
    })?;
    // The node embeds pkg/, and the end-to-end tests load it in Chromium: build it first.
    step("build widget", &mut build::widget)?;
    step(
        "native tests (core, widget logic, node, end to end)",
        &mut || {
            exec(
                cargo()
                    .args(["test", "--workspace", "--exclude", "xtask"])
                    .env("CHROMIUM", &browser.chromium)
                    .env("CHROMEDRIVER", &browser.chromedriver),
            )
        },
    )?;
    step(
        "browser tests (wasm-bindgen-test in headless Chromium)",
        &mut || {
            exec(
                cargo()
                    .args(["test", "-p", "synclink", "--target", WASM_TARGET])
                    .env("CHROMEDRIVER", &browser.chromedriver),
            )
        },
    )?;

    eprintln!(
        "\nAll checks passed in {:.0} s:",
        started.elapsed().as_secs_f64()
    );
    for (name, secs) in steps {
        eprintln!("  {secs:>6.1} s  {name}");
    }
    Ok(())
}
