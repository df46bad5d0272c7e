//! Embeds the host page's static files (`www/`) and the built widget (`pkg/`) in the binary, so
//! the node runs from any directory. Writes `$OUT_DIR/assets.rs`: one table per folder, each
//! entry with its path, an `include_bytes!` of the file and an ETag computed from its content.
//!
//! A missing `pkg/` (the widget not built yet) is not an error: the table is empty and the admin
//! page says how to build it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let root = manifest_dir.join("../..");
    let www = root.join("www");
    let pkg = root.join("pkg");
    println!("cargo:rerun-if-changed={}", www.display());
    println!("cargo:rerun-if-changed={}", pkg.display());

    let www_files = collect(&www)?;
    let pkg_files = collect(&pkg)?;
    let built = ["synclink.js", "synclink_bg.wasm"]
        .iter()
        .all(|name| pkg_files.iter().any(|(rel, _)| rel == name));

    let mut out = String::new();
    write_table(&mut out, "WWW", &www_files)?;
    write_table(&mut out, "PKG", &pkg_files)?;
    writeln!(
        out,
        "/// True when `pkg/` holds the widget's JavaScript and WebAssembly."
    )
    .map_err(io::Error::other)?;
    writeln!(out, "pub const WIDGET_BUILT: bool = {built};").map_err(io::Error::other)?;

    let out_dir = PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?);
    fs::write(out_dir.join("assets.rs"), out)
}

/// Every regular file under `dir`, as (path relative to `dir` with `/` separators, absolute
/// path), sorted so that the generated code is the same from one build to the next.
fn collect(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut files)?;
    }
    files.sort();
    Ok(files)
}

fn walk(base: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            walk(base, &path, files)?;
        } else if file_type.is_file() {
            let rel = path.strip_prefix(base).map_err(io::Error::other)?;
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let absolute = fs::canonicalize(&path)?;
            files.push((rel.join("/"), absolute));
        }
    }
    Ok(())
}

fn write_table(out: &mut String, name: &str, files: &[(String, PathBuf)]) -> io::Result<()> {
    writeln!(out, "pub static {name}: &[Asset] = &[").map_err(io::Error::other)?;
    for (rel, absolute) in files {
        let bytes = fs::read(absolute)?;
        let absolute = absolute.to_str().ok_or_else(|| {
            io::Error::other(format!("{} is not a UTF-8 path", absolute.display()))
        })?;
        writeln!(
            out,
            "    Asset {{ path: {rel:?}, bytes: include_bytes!({absolute:?}), etag: \"\\\"{:016x}\\\"\" }},",
            fnv1a(&bytes)
        )
        .map_err(io::Error::other)?;
    }
    writeln!(out, "];").map_err(io::Error::other)
}

/// FNV-1a, 64 bits: enough to tell one version of a file from the next for an ETag.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
