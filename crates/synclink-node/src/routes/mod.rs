//! The HTTP surface: which path goes to which handler, and what every answer carries.

mod actions;
mod connections;
pub mod extract;
mod handshake;
mod info;
mod instance;
mod invitations;
mod pages;
mod peer;
mod probe;
mod rules;

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use synclink_core::API_BASE;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{BODY_LIMIT, assets};

/// No inline script or style anywhere; WebAssembly allowed; never framed.
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/info", get(info::get).options(info::preflight))
        .route("/instance", get(instance::get))
        .route("/destinations/probe", post(probe::post))
        .route(
            "/connections",
            get(connections::list).post(connections::create),
        )
        .route(
            "/connections/{id}",
            get(connections::get_one)
                .patch(actions::edit)
                .delete(actions::delete),
        )
        .route("/connections/{id}/invitation", get(connections::invitation))
        .route(
            "/connections/{id}/rules",
            get(rules::get)
                .post(rules::publish)
                .layer(DefaultBodyLimit::max(rules::RULES_BODY_LIMIT)),
        )
        .route("/connections/{id}/rules/versions/{n}", get(rules::version))
        .route(
            "/connections/{id}/rules/versions/{n}/restore",
            post(rules::restore),
        )
        .route("/connections/{id}/activate", post(actions::activate))
        .route("/connections/{id}/deactivate", post(actions::deactivate))
        .route(
            "/connections/{id}/cancel-invitation",
            post(actions::cancel_invitation),
        )
        .route(
            "/connections/{id}/regenerate-invitation",
            post(actions::regenerate_invitation),
        )
        .route("/connections/{id}/test", post(actions::test))
        .route("/invitations/accept", post(invitations::accept))
        .route("/handshake", post(handshake::post))
        .route("/peer/connections/{id}/status", post(peer::status))
        .route("/peer/connections/{id}/ping", post(peer::ping));
    Router::new()
        .route("/", get(pages::home))
        .route("/login", post(pages::login).get(pages::to_home))
        .route("/logout", post(pages::logout))
        .route("/assets/{*path}", get(assets::www))
        .route("/pkg/{*path}", get(assets::pkg))
        .nest(API_BASE, api)
        .fallback(not_found)
        // After every route is added: it is set on each route that exists at this point.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::map_response(security_headers))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(
        "Requested URI does not represent any resource",
        format!("Nothing is served at {}.", uri.path()),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages and API answers carry a session's token or live data: never cache them. Static
    // files set their own policy.
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// One line per request: method, path (never the query or headers, which may hold secrets),
/// status and time taken.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
