//! Static files embedded at build time (see `build.rs`): `/assets/*` from `www/` and `/pkg/*`
//! from the built widget in `pkg/`. Served with an ETag, revalidated on every load, so a
//! rebuilt node never serves a stale widget from a browser's cache.

use crate::routes::extract::ApiPath;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub struct Asset {
    pub path: &'static str,
    pub bytes: &'static [u8],
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub async fn www(ApiPath(path): ApiPath<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    serve(WWW, &path, &headers)
}

pub async fn pkg(ApiPath(path): ApiPath<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    serve(PKG, &path, &headers)
}

fn serve(table: &[Asset], path: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let asset = table.iter().find(|a| a.path == path).ok_or_else(|| {
        ApiError::not_found(
            "No such file",
            format!("There is no static file named {path:?}."),
        )
    })?;
    let etag = HeaderValue::from_static(asset.etag);
    let revalidate = HeaderValue::from_static("no-cache");
    if headers
        .get(IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == asset.etag.as_bytes())
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(ETAG, etag), (CACHE_CONTROL, revalidate)],
        )
            .into_response());
    }
    let content_type = HeaderValue::from_static(content_type(asset.path));
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (ETAG, etag),
            (CACHE_CONTROL, revalidate),
        ],
        asset.bytes,
    )
        .into_response())
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
    match ext {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "ts" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(content_type("synclink_bg.wasm"), "application/wasm");
        assert_eq!(content_type("boot.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("admin.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x"), "application/octet-stream");
    }

    #[test]
    fn boot_js_is_embedded() {
        assert!(
            WWW.iter()
                .any(|a| a.path == "boot.js" && !a.bytes.is_empty())
        );
    }
}
