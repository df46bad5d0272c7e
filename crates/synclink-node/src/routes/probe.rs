//! `POST /destinations/probe`: asks the destination, from this server (no CORS involved),
//! whether a synclink instance answers there, and which modes the pair may use.

use axum::Json;
use axum::extract::State;
use synclink_core::api::{Envelope, ProbeRequest, ProbeResult};
use synclink_core::validate;

use crate::auth::AdminSession;
use crate::error::ApiError;
use crate::routes::extract::ApiJson;
use crate::state::AppState;

pub async fn post(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiJson(request): ApiJson<ProbeRequest>,
) -> Result<Json<Envelope<ProbeResult>>, ApiError> {
    let url = validate::destination_url(&request.url)
        .map_err(|e| ApiError::bad_request("Invalid Destination Instance URL", e.to_string()))?;
    let probed = state.prober.probe(&url, &state.instance_id).await;
    let license = state.current_license();
    Ok(Json(Envelope {
        result: probed.result(state.platform, license.kind),
    }))
}
