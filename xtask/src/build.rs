//! `cargo xtask build`: the widget to `pkg/` (wasm, wasm-bindgen glue, wasm-opt when present),
//! then the node, which embeds `pkg/` and `www/`; prints the widget's size.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{self, MIN_WASM_OPT, WASM_TARGET};
use crate::{Result, cargo, exec, root};

/// Where the built node binary is.
pub struct Built {
    pub node: PathBuf,
}

pub fn run() -> Result<Built> {
    tools::rust()?;
    tools::wasm_bindgen()?;
    widget()?;
    exec(cargo().args(["build", "--release", "-p", "synclink-node"]))?;
    report_size()?;
    Ok(Built {
        node: root().join("target/release/synclink-node"),
    })
}

/// Builds the widget into `pkg/`.
pub fn widget() -> Result {
    exec(cargo().args([
        "build",
        "-p",
        "synclink",
        "--lib",
        "--target",
        WASM_TARGET,
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = root()
        .join("target")
        .join(WASM_TARGET)
        .join("wasm-release/synclink.wasm");
    let pkg = root().join("pkg");
    exec(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-name-section",
            ])
            .args(["--remove-producers-section", "--out-dir"])
            .arg(&pkg)
            .arg(&wasm),
    )?;
    match tools::wasm_opt() {
        Some(wasm_opt) => {
            let out = pkg.join("synclink_bg.wasm");
            // rustc already emits these features; binaryen must be told it may keep them.
            exec(
                Command::new(wasm_opt)
                    .args([
                        "-Oz",
                        "--enable-bulk-memory",
                        "--enable-nontrapping-float-to-int",
                        "--enable-sign-ext",
                        "--enable-mutable-globals",
                        "--enable-reference-types",
                        "-o",
                    ])
                    .arg(&out)
                    .arg(&out),
            )?;
        }
        None => {
            eprintln!("wasm-opt {MIN_WASM_OPT} or newer not found: the widget is built without it.")
        }
    }
    Ok(())
}

fn report_size() -> Result {
    let files = [
        ("wasm", root().join("pkg/synclink_bg.wasm")),
        ("JS glue", root().join("pkg/synclink.js")),
        ("JS boot", root().join("www/boot.js")),
        ("CSS", root().join("www/widget.css")),
    ];
    println!("\nWidget size        raw      gzip");
    let (mut raw_total, mut gz_total) = (0, 0);
    for (label, path) in &files {
        let (raw, gz) = sizes(path)?;
        raw_total += raw;
        gz_total += gz;
        println!("  {label:<10} {:>9} {:>9}", kb(raw), kb(gz));
    }
    println!(
        "  {:<10} {:>9} {:>9}\n",
        "total",
        kb(raw_total),
        kb(gz_total)
    );
    Ok(())
}

fn sizes(path: &Path) -> Result<(usize, usize)> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let compressed = gz.finish().map_err(|e| e.to_string())?;
    Ok((bytes.len(), compressed.len()))
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
