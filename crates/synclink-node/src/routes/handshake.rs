//! `POST /handshake` (public, on the initiating instance): another instance proves it holds an
//! invitation's secret and says who it is; the connection becomes `Active` with it.

use axum::Json;
use axum::extract::State;
use synclink_core::api::{Acceptor, Envelope, HandshakeRequest, HandshakeResult};
use synclink_core::invitation::{self, CodeError};
use synclink_core::{Status, time, validate};

use crate::auth::same_secret;
use crate::clock;
use crate::db::{AcceptorRow, Activation};
use crate::error::ApiError;
use crate::routes::extract::ApiJson;
use crate::routes::invitations::{expired, made_here};
use crate::state::AppState;

fn unknown() -> ApiError {
    ApiError::not_found(
        "Unknown connection",
        "The initiating instance has no invitation with this connection id.",
    )
}

fn invalid_acceptor(detail: impl Into<String>) -> ApiError {
    ApiError::bad_request("Invalid accepting instance", detail)
}

/// The acceptor's self-description, checked: it is stored and shown.
fn check(acceptor: &Acceptor, own_instance_id: &str) -> Result<AcceptorRow, ApiError> {
    if invitation::parse_id(&acceptor.instance_id).is_none() {
        return Err(invalid_acceptor(
            "The instance id must be 32 hexadecimal characters.",
        ));
    }
    if acceptor.instance_id == own_instance_id {
        return Err(made_here());
    }
    let instance_name = validate::connection_name(&acceptor.instance_name).map_err(|_| {
        invalid_acceptor("The instance name must be 1 to 255 characters on one line.")
    })?;
    let public_url = match &acceptor.public_url {
        None => None,
        Some(url) => Some(
            validate::destination_url(url)
                .map_err(|e| invalid_acceptor(format!("The public URL is not usable: {e}")))?,
        ),
    };
    Ok(AcceptorRow {
        instance_id: acceptor.instance_id.clone(),
        instance_name,
        platform: acceptor.platform,
        public_url,
    })
}

pub async fn post(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<HandshakeRequest>,
) -> Result<Json<Envelope<HandshakeResult>>, ApiError> {
    let id = request.connection_id;
    if invitation::parse_id(&id).is_none() {
        return Err(unknown());
    }
    let found = state
        .db
        .get_with_secret(id.clone())
        .await?
        .filter(|f| f.stored.connection.initiated_here)
        .ok_or_else(unknown)?;
    let matches = invitation::parse_secret(&request.secret)
        .is_some_and(|given| same_secret(&given, &found.secret));
    if !matches {
        tracing::warn!(%id, "handshake refused: the secret does not match");
        return Err(ApiError::forbidden(
            "Invitation refused",
            "The invitation secret does not match.",
        ));
    }
    let acceptor = check(&request.acceptor, &state.instance_id)?;
    let mode = found.stored.connection.mode;
    if let Err(reason) = acceptor.platform.supports(mode) {
        return Err(ApiError::forbidden(
            "Configuration Mode not available",
            reason,
        ));
    }

    let acceptor_name = acceptor.instance_name.clone();
    let outcome = state
        .db
        .activate(id.clone(), acceptor, clock::now())
        .await?;
    match outcome {
        Activation::Activated => {
            tracing::info!(%id, acceptor = %acceptor_name, "invitation accepted by the other instance");
        }
        Activation::AlreadyActive => {}
        Activation::UsedByAnother => {
            return Err(ApiError::conflict(
                "Invitation already used",
                "This invitation code was already accepted by another instance.",
            ));
        }
        Activation::Deactivated => {
            return Err(ApiError::conflict(
                "Connection deactivated",
                "The initiating instance has deactivated this connection.",
            ));
        }
        Activation::Expired => {
            return Err(expired(CodeError::Expired(time::display(found.expires_at))));
        }
        Activation::Unknown => return Err(unknown()),
    }
    Ok(Json(Envelope {
        result: HandshakeResult {
            connection_id: id,
            status: Status::Active,
            instance_name: state.instance_name.clone(),
        },
    }))
}
