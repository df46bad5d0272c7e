//! The public routes the other node of a connection calls, signed with the shared secret
//! (see [`crate::peer`]): `POST /peer/connections/{id}/status` and `…/ping`. An unsigned, stale
//! or wrongly signed call, or one for a connection unknown here, is refused with 401 before
//! anything is read or changed.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use synclink_core::Status;
use synclink_core::api::{
    Envelope, PEER_SIGNATURE_HEADER, PEER_TIMESTAMP_HEADER, PeerChange, PeerStatus,
    PeerStatusChange,
};
use synclink_core::invitation;

use crate::clock;
use crate::db::{Change, PeerRow};
use crate::error::ApiError;
use crate::peer;
use crate::routes::extract::ApiPath;
use crate::state::AppState;

/// The connection, once the call's signature holds for its secret.
async fn authenticated(
    state: &AppState,
    id: &str,
    call: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<PeerRow, ApiError> {
    let row = match invitation::parse_id(id) {
        Some(_) => state.db.peer_row(id.to_string()).await?,
        None => None,
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let checked = peer::verify(
        row.as_ref().map(|r| &r.secret),
        "POST",
        &peer::path(id, call),
        header(PEER_TIMESTAMP_HEADER),
        header(PEER_SIGNATURE_HEADER),
        body,
        clock::now(),
    );
    match (checked, row) {
        (Ok(()), Some(row)) => Ok(row),
        (Err(refusal), _) => {
            tracing::warn!(%id, call, why = ?refusal, "peer call refused");
            Err(ApiError::SignatureRefused {
                detail: refusal.detail(),
            })
        }
        // `verify` refuses a call without a secret; kept for the compiler.
        (Ok(()), None) => Err(ApiError::SignatureRefused {
            detail: peer::Refusal::Mismatch.detail(),
        }),
    }
}

fn answer(status: Status) -> Json<Envelope<PeerStatus>> {
    Json(Envelope {
        result: PeerStatus { status },
    })
}

pub async fn status(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Envelope<PeerStatus>>, ApiError> {
    authenticated(&state, &id, "status", &headers, &body).await?;
    let change: PeerStatusChange = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "Invalid request body",
            format!("Expected {{\"status\": \"Active\" | \"Deactivated\" | \"Deleted\"}}: {e}"),
        )
    })?;
    let to = match change.status {
        PeerChange::Active => Status::Active,
        PeerChange::Deactivated | PeerChange::Deleted => Status::Deactivated,
    };
    match state.db.peer_change(id.clone(), to, clock::now()).await? {
        Change::Done(stored) => {
            tracing::info!(%id, told = ?change.status, status = stored.connection.status.label(), "the other side changed the connection");
            Ok(answer(stored.connection.status))
        }
        Change::Unknown => Err(ApiError::connection_gone()),
        Change::Refused(stored) => Err(ApiError::conflict(
            "The connection cannot change",
            format!(
                "The connection is {} on this instance.",
                stored.connection.status.label()
            ),
        )),
    }
}

pub async fn ping(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Envelope<PeerStatus>>, ApiError> {
    let row = authenticated(&state, &id, "ping", &headers, &body).await?;
    Ok(answer(row.stored.connection.status))
}
