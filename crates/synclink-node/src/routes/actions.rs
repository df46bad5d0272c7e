//! The life of a connection: `PATCH /connections/{id}` (name and description), activate,
//! deactivate, delete, cancel and regenerate a pending invitation, and Test connection.
//!
//! A change the other side should hear about is committed here first, then told to the other
//! node with a signed call ([`crate::peer`]); when that call fails the local change holds and
//! the answer says why the other side was not told.

use axum::Json;
use axum::extract::State;
use synclink_core::api::{
    ActionResult, CreatedConnection, EditConnection, Envelope, PeerChange, TestResult,
};
use synclink_core::invitation;
use synclink_core::{Status, validate};

use crate::auth::AdminSession;
use crate::clock;
use crate::db::{Change, PeerRow, StoredConnection};
use crate::error::ApiError;
use crate::peer::{CallError, Peer};
use crate::routes::connections::{self, find, known_id};
use crate::routes::extract::{ApiJson, ApiPath};
use crate::state::AppState;

type Answer<T> = Result<Json<Envelope<T>>, ApiError>;

fn ok<T>(result: T) -> Answer<T> {
    Ok(Json(Envelope { result }))
}

/// `PATCH /connections/{id}`: name and description; the mode is chosen once.
pub async fn edit(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<EditConnection>,
) -> Answer<ActionResult> {
    let stored = find(&state, id.clone()).await?;
    if body.mode.is_some_and(|m| m != stored.connection.mode) {
        return Err(ApiError::conflict(
            "The mode cannot be changed",
            "A connection's Configuration Mode is chosen once. Create a new connection to use another mode.",
        ));
    }
    let name = validate::connection_name(&body.name)
        .map_err(|e| ApiError::bad_request("Invalid Connection name", e.to_string()))?;
    let description = validate::description(&body.description)
        .map_err(|e| ApiError::bad_request("Invalid Description", e.to_string()))?;
    let stored = state
        .db
        .edit(id, name, description, clock::now())
        .await?
        .ok_or_else(ApiError::connection_gone)?;
    ok(ActionResult {
        connection: Some(stored.connection),
        remote_told: false,
        remote_message: "Only this instance's copy was renamed.".into(),
    })
}

pub async fn deactivate(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Answer<ActionResult> {
    change_status(&state, id, Status::Active, Status::Deactivated).await
}

pub async fn activate(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Answer<ActionResult> {
    change_status(&state, id, Status::Deactivated, Status::Active).await
}

async fn change_status(
    state: &AppState,
    id: String,
    from: Status,
    to: Status,
) -> Answer<ActionResult> {
    known_id(&id)?;
    let row = match state
        .db
        .set_status(id.clone(), from, to, clock::now())
        .await?
    {
        Change::Done(row) => row,
        Change::Unknown => return Err(ApiError::connection_gone()),
        Change::Refused(stored) => return Err(cannot_change(&stored, to)),
    };
    tracing::info!(%id, status = to.label(), "connection status changed");
    let change = match to {
        Status::Active => PeerChange::Active,
        _ => PeerChange::Deactivated,
    };
    let (remote_told, remote_message) = tell(state, &row, change).await;
    ok(ActionResult {
        connection: Some(row.stored.connection),
        remote_told,
        remote_message,
    })
}

fn cannot_change(stored: &StoredConnection, to: Status) -> ApiError {
    let status = stored.connection.status;
    let detail = match (status, to) {
        (Status::Pending, Status::Deactivated) => {
            "A Pending connection cannot be deactivated: cancel its invitation instead.".to_string()
        }
        (Status::Pending, _) => {
            "A Pending connection becomes Active when the other side accepts its invitation."
                .to_string()
        }
        (s, t) if s == t => format!("The connection is already {}.", s.label()),
        (s, t) => format!("A {} connection cannot become {}.", s.label(), t.label()),
    };
    let message = match to {
        Status::Active => "The connection cannot be activated",
        _ => "The connection cannot be deactivated",
    };
    ApiError::conflict(message, detail)
}

/// `DELETE /connections/{id}`: the row, its rules and its secret go in one transaction; the
/// other side is told first-hand with the secret just read.
pub async fn delete(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Answer<ActionResult> {
    known_id(&id)?;
    let row = match state.db.delete(id.clone(), false).await? {
        Change::Done(row) => row,
        Change::Unknown | Change::Refused(_) => return Err(ApiError::connection_gone()),
    };
    tracing::info!(%id, "connection deleted");
    let (remote_told, remote_message) = if row.stored.connection.status == Status::Pending {
        (
            false,
            "The invitation was never accepted: there was no other side to tell.".to_string(),
        )
    } else {
        tell(&state, &row, PeerChange::Deleted).await
    };
    ok(ActionResult {
        connection: None,
        remote_told,
        remote_message,
    })
}

fn not_a_pending_invitation(stored: &StoredConnection) -> ApiError {
    let c = &stored.connection;
    let detail = if c.initiated_here {
        format!(
            "The connection is {}: only a Pending invitation can be cancelled or regenerated.",
            c.status.label()
        )
    } else {
        "This connection was accepted here from another instance's invitation: only the initiating instance manages it.".to_string()
    };
    ApiError::conflict("No pending invitation", detail)
}

/// `POST /connections/{id}/cancel-invitation`: the pending connection is removed; its code then
/// meets an unknown connection at the handshake.
pub async fn cancel_invitation(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Answer<ActionResult> {
    known_id(&id)?;
    match state.db.delete(id.clone(), true).await? {
        Change::Done(_) => {}
        Change::Unknown => return Err(ApiError::connection_gone()),
        Change::Refused(stored) => return Err(not_a_pending_invitation(&stored)),
    }
    tracing::info!(%id, "invitation cancelled");
    ok(ActionResult {
        connection: None,
        remote_told: false,
        remote_message: "The invitation was never accepted: there was no other side to tell."
            .into(),
    })
}

/// `POST /connections/{id}/regenerate-invitation`: a new secret, expiry and code for the same
/// pending connection; the old code stops working with the commit.
pub async fn regenerate_invitation(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Answer<CreatedConnection> {
    let stored = find(&state, id.clone()).await?;
    let c = &stored.connection;
    if !(c.initiated_here && c.status == Status::Pending) {
        return Err(not_a_pending_invitation(&stored));
    }
    let connection_id = invitation::parse_id(&c.id).ok_or_else(ApiError::connection_gone)?;
    let now = clock::now();
    let minted =
        connections::mint_invitation(&state.public_url, state.platform, connection_id, c, now)?;
    match state
        .db
        .regenerate(
            id.clone(),
            minted.secret,
            minted.code.clone(),
            minted.expires_at,
            now,
        )
        .await?
    {
        Change::Done(stored) => {
            tracing::info!(%id, "invitation regenerated");
            ok(CreatedConnection {
                connection: stored.connection,
                invitation_code: minted.code,
            })
        }
        Change::Unknown => Err(ApiError::connection_gone()),
        Change::Refused(stored) => Err(not_a_pending_invitation(&stored)),
    }
}

/// `POST /connections/{id}/test`: a signed ping to the other side.
pub async fn test(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Answer<TestResult> {
    known_id(&id)?;
    let row = state
        .db
        .peer_row(id)
        .await?
        .ok_or_else(ApiError::connection_gone)?;
    let c = &row.stored.connection;
    if c.status != Status::Active {
        return Err(ApiError::conflict(
            "Only an Active connection can be tested",
            format!("The connection is {}.", c.status.label()),
        ));
    }
    let name = remote_name(&row);
    let Some(url) = &c.remote_url else {
        return ok(TestResult {
            answered: false,
            round_trip_ms: None,
            remote_status: None,
            message: "The remote instance has no URL, so it cannot be tested from here.".into(),
        });
    };
    let result = match peer(&state, &row, url).ping().await {
        Ok((status, elapsed)) => {
            let ms = u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX);
            TestResult {
                answered: true,
                round_trip_ms: Some(ms),
                remote_status: Some(status),
                message: format!(
                    "{name} answered in {ms} ms; it sees the connection as {}.",
                    status.label()
                ),
            }
        }
        Err(e) => TestResult {
            answered: false,
            round_trip_ms: None,
            remote_status: None,
            message: match &e {
                CallError::Unreachable(_) => {
                    format!("{name} could not be reached ({}).", e.cause(url))
                }
                CallError::Refused { .. } => format!("{name} refused the test ({}).", e.cause(url)),
            },
        },
    };
    ok(result)
}

/// The other instance's name as the handshake told it, or a description of it.
fn remote_name(row: &PeerRow) -> String {
    row.remote_instance_name
        .clone()
        .unwrap_or_else(|| "The remote instance".to_string())
}

fn peer<'a>(state: &'a AppState, row: &'a PeerRow, url: &'a str) -> Peer<'a> {
    Peer {
        client: &state.client,
        url,
        id: &row.stored.connection.id,
        secret: &row.secret,
        timeout: state.peer_timeout,
    }
}

/// Tells the other side; (told, one sentence for the administrator).
async fn tell(state: &AppState, row: &PeerRow, change: PeerChange) -> (bool, String) {
    let name = remote_name(row);
    let Some(url) = &row.stored.connection.remote_url else {
        return (
            false,
            "The remote instance has no URL: it was not told.".to_string(),
        );
    };
    let id = &row.stored.connection.id;
    match peer(state, row, url).tell(change).await {
        Ok(_) => (true, format!("{name} was told.")),
        Err(e) => {
            tracing::warn!(%id, cause = %e.cause(url), "the other side was not told");
            let message = match &e {
                CallError::Unreachable(_) => {
                    format!(
                        "{name} could not be reached ({}): it was not told.",
                        e.cause(url)
                    )
                }
                CallError::Refused { .. } => {
                    format!(
                        "{name} refused the change ({}): it was not told.",
                        e.cause(url)
                    )
                }
            };
            (false, message)
        }
    }
}
