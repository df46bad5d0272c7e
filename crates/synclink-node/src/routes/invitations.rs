//! `POST /invitations/accept` (admin, on the accepting instance): the administrator pasted an
//! invitation code; this node checks it, makes the handshake with the instance that made it,
//! and stores the connection as `Active`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use synclink_core::api::{self, AcceptInvitation, Acceptor, Envelope, HandshakeRequest};
use synclink_core::invitation::{self, CodeError, Invitation};
use synclink_core::modes::{self, Destination};
use synclink_core::{Status, rules, validate};

use crate::auth::{AdminSession, same_secret};
use crate::db::NewRow;
use crate::error::ApiError;
use crate::routes::extract::ApiJson;
use crate::state::AppState;
use crate::{clock, handshake};

const MADE_HERE: &str =
    "This invitation was made by this instance: accept it on the other instance.";

/// The refusal of a code made by this very instance.
pub fn made_here() -> ApiError {
    ApiError::bad_request("Invitation made by this instance", MADE_HERE)
}

/// The refusal of an invitation past its expiry, in the codec's words.
pub fn expired(error: CodeError) -> ApiError {
    ApiError::gone("Invitation expired", error.to_string())
}

fn invalid_code(detail: impl ToString) -> ApiError {
    ApiError::bad_request("Invalid invitation code", detail.to_string())
}

pub async fn accept(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiJson(body): ApiJson<AcceptInvitation>,
) -> Result<Response, ApiError> {
    // The codec also passes every field through core's rules for typed input.
    let inv = Invitation::decode(&body.invitation_code).map_err(invalid_code)?;
    let id = inv.connection_id_hex();

    let existing = state.db.get_with_secret(id.clone()).await?;
    if inv.initiator_url == state.public_url
        || existing
            .as_ref()
            .is_some_and(|e| e.stored.connection.initiated_here)
    {
        return Err(made_here());
    }
    // This instance accepted this very code before (a double click, a retry after a lost
    // answer): the connection it holds, even if the code has expired since.
    if let Some(e) = existing {
        if same_secret(&e.secret, &inv.secret) {
            return Ok(answer(StatusCode::OK, e.stored.connection));
        }
        // Same id, another secret: not this invitation. Nothing is sent to the URL it names.
        return Err(ApiError::conflict(
            "Invitation already used",
            "This instance already holds a connection with this id, from a different invitation code.",
        ));
    }

    let now = clock::now();
    inv.check_expiry(u64::try_from(now).unwrap_or(0))
        .map_err(expired)?;
    let license = state.current_license();
    let initiator = Destination::Synclink {
        platform: inv.initiator_platform,
        modes: inv.initiator_platform.supported_modes(),
    };
    if let Some(reason) = modes::why_not(state.platform, license.kind, initiator, inv.mode) {
        return Err(ApiError::forbidden(
            "Configuration Mode not available",
            reason,
        ));
    }

    // A private instance (its public URL does not answer as itself) makes every call itself.
    let public = state
        .prober
        .self_check(&state.public_url, &state.instance_id)
        .await;
    let request = HandshakeRequest {
        connection_id: id.clone(),
        secret: invitation::secret_text(&inv.secret),
        acceptor: Acceptor {
            instance_id: state.instance_id.clone(),
            instance_name: state.instance_name.clone(),
            platform: state.platform,
            public_url: public.ok.then(|| state.public_url.clone()),
        },
    };
    let result = handshake::send(
        &state.client,
        &inv.initiator_url,
        &request,
        state.handshake_timeout,
    )
    .await?;

    let row = NewRow {
        connection: api::Connection {
            id,
            name: inv.connection_name.clone(),
            description: String::new(),
            local_short_name: inv.remote_short_name.clone(),
            remote_short_name: inv.initiator_short_name.clone(),
            remote_url: Some(inv.initiator_url.clone()),
            remote_platform: Some(inv.initiator_platform),
            mode: inv.mode,
            status: Status::Active,
            initiated_here: false,
            created_at: now,
            updated_at: now,
        },
        secret: inv.secret,
        invitation_code: None,
        expires_at: i64::try_from(inv.expires_at).unwrap_or(i64::MAX),
        // Another instance's words: stored only when they pass the rule for names.
        remote_instance_name: validate::connection_name(&result.instance_name).ok(),
        rules: rules::default_scripts(state.platform, Some(inv.initiator_platform)),
    };
    let (stored, created) = state.db.insert_accepted(row).await?;
    if stored.connection.initiated_here {
        return Err(made_here());
    }
    if created {
        tracing::info!(id = %stored.connection.id, "invitation accepted");
        Ok(answer(StatusCode::CREATED, stored.connection))
    } else {
        Ok(answer(StatusCode::OK, stored.connection))
    }
}

fn answer(status: StatusCode, connection: api::Connection) -> Response {
    (status, Json(Envelope { result: connection })).into_response()
}
