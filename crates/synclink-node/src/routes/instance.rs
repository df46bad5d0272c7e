//! `GET /instance`: the preconditions of Initiate, for the administrator.

use axum::Json;
use axum::extract::State;
use synclink_core::api::{Envelope, InstanceStatus};

use crate::auth::AdminSession;
use crate::state::AppState;

pub async fn get(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Json<Envelope<InstanceStatus>> {
    Json(Envelope {
        result: state.instance_status().await,
    })
}
