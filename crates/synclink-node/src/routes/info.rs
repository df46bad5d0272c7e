//! `GET /info`: public, what another instance (or a browser on another origin) learns about
//! this one when it probes it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE,
};
use axum::response::IntoResponse;
use synclink_core::api::{Envelope, InstanceInfo, PRODUCT};

use crate::state::AppState;

pub async fn get(State(state): State<AppState>) -> impl IntoResponse {
    let info = InstanceInfo {
        product: PRODUCT.to_string(),
        instance_id: state.instance_id.clone(),
        instance_name: state.instance_name.clone(),
        platform: state.platform,
        version: synclink_core::VERSION.to_string(),
        modes: state.platform.supported_modes().to_vec(),
    };
    (
        [(ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        Json(Envelope { result: info }),
    )
}

/// The CORS preflight a browser sends before a cross-origin GET with custom headers.
pub async fn preflight() -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        [
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS"),
            (ACCESS_CONTROL_ALLOW_HEADERS, "Accept, Content-Type"),
            (ACCESS_CONTROL_MAX_AGE, "600"),
        ],
    )
}
