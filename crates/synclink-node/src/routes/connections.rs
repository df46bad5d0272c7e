//! `GET/POST /connections`, `GET /connections/{id}` and `GET /connections/{id}/invitation`:
//! listing connections, initiating one, and showing a pending one's invitation code again.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use synclink_core::api::{
    self, CreatedConnection, Envelope, IDEMPOTENCY_KEY_HEADER, InvitationCode, NewConnection,
};
use synclink_core::invitation::{self, INVITATION_TTL_SECS, Invitation};
use synclink_core::modes::{self, Destination};
use synclink_core::{Mode, Platform, Status, rules, validate};

use crate::auth::AdminSession;
use crate::db::{InsertOutcome, KeyRecord, NewRow, StoredConnection};
use crate::error::ApiError;
use crate::probe::Found;
use crate::routes::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::{clock, random};

pub async fn list(
    State(state): State<AppState>,
    _admin: AdminSession,
) -> Result<Json<Envelope<Vec<api::Connection>>>, ApiError> {
    Ok(Json(Envelope {
        result: state.db.list_connections().await?,
    }))
}

pub async fn get_one(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Envelope<api::Connection>>, ApiError> {
    Ok(Json(Envelope {
        result: find(&state, id).await?.connection,
    }))
}

/// `GET /connections/{id}/invitation`: the code of a `Pending` connection initiated here, to
/// copy again.
pub async fn invitation(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Envelope<InvitationCode>>, ApiError> {
    let stored = find(&state, id).await?;
    let c = &stored.connection;
    match stored.invitation_code {
        Some(invitation_code) if c.initiated_here && c.status == Status::Pending => {
            Ok(Json(Envelope {
                result: InvitationCode { invitation_code },
            }))
        }
        _ => Err(ApiError::conflict(
            "No invitation to show",
            if c.initiated_here {
                format!(
                    "The connection is {}: its invitation code is no longer shown.",
                    c.status.label()
                )
            } else {
                "This connection was accepted here from another instance's invitation; the code is not shown again.".to_string()
            },
        )),
    }
}

/// The stored connection with this id, or 404 "Connection no longer exists".
pub async fn find(state: &AppState, id: String) -> Result<StoredConnection, ApiError> {
    known_id(&id)?;
    state
        .db
        .get_connection(id)
        .await?
        .ok_or_else(ApiError::connection_gone)
}

/// A path's `{id}`: one that is not 32 hexadecimal characters names no connection.
pub fn known_id(id: &str) -> Result<(), ApiError> {
    match invitation::parse_id(id) {
        Some(_) => Ok(()),
        None => Err(ApiError::connection_gone()),
    }
}

/// A `NewConnection` after every field passed core's rules: what gets stored, and what the
/// idempotency fingerprint is made of.
#[derive(Serialize)]
struct Valid {
    remote_url: Option<String>,
    mode: Mode,
    local_short_name: String,
    remote_short_name: String,
    name: String,
    description: String,
}

impl Valid {
    fn check(new: &NewConnection) -> Result<Valid, ApiError> {
        fn invalid(label: &str, why: impl ToString) -> ApiError {
            ApiError::bad_request(format!("Invalid {label}"), why.to_string())
        }
        let remote_url = match &new.remote_url {
            None => None,
            Some(url) => Some(
                validate::destination_url(url)
                    .map_err(|e| invalid("Destination Instance URL", e))?,
            ),
        };
        Ok(Valid {
            remote_url,
            mode: new.mode,
            local_short_name: validate::short_name(&new.local_short_name)
                .map_err(|e| invalid("Local instance short name", e))?,
            remote_short_name: validate::short_name(&new.remote_short_name)
                .map_err(|e| invalid("Remote instance short name", e))?,
            name: validate::connection_name(&new.name)
                .map_err(|e| invalid("Connection name", e))?,
            description: validate::description(&new.description)
                .map_err(|e| invalid("Description", e))?,
        })
    }

    /// The request as stored with its idempotency key: the same key must come with the same
    /// request. The cleaned values are compared, so white space around a field does not count.
    fn fingerprint(&self) -> String {
        // Serialising plain strings and enums cannot fail; an empty fingerprint would only make
        // a replay look like a different request.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters, at most once.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = |why: &str| ApiError::bad_request("Invalid Idempotency-Key header", why);
    if values.next().is_some() {
        return Err(invalid("Send the Idempotency-Key header once."));
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(invalid(
            "An Idempotency-Key is 1 to 255 visible ASCII characters.",
        ));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

pub async fn create(
    State(state): State<AppState>,
    _admin: AdminSession,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewConnection>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let valid = Valid::check(&new)?;
    let fingerprint = valid.fingerprint();

    // A replay gets the first answer again, whatever has changed since.
    if let Some(key) = &key
        && let Some(record) = state.db.find_key(key.clone()).await?
    {
        return replay(record, &fingerprint);
    }

    let status = state.instance_status().await;
    if !status.initiate_blocked.is_empty() {
        return Err(ApiError::forbidden(
            "Initiate is not available",
            status.initiate_blocked.join(" "),
        ));
    }

    // The mode must be one the pair can use: re-checked here, from the probe the wizard made
    // (or a new one), whatever the browser said.
    let probed = match &valid.remote_url {
        Some(url) => Some(state.prober.cached_or_probe(url, &state.instance_id).await),
        None => None,
    };
    let (destination, remote_platform) = match &probed {
        None => (Destination::Private, None),
        Some(p) => match &p.found {
            Found::Itself(_) => {
                return Err(ApiError::bad_request(
                    "Invalid Destination Instance URL",
                    "That URL is this instance itself: a connection needs another instance.",
                ));
            }
            Found::Synclink(info) => (p.destination(), Some(info.platform)),
            Found::Failed(_) => (p.destination(), None),
        },
    };
    if let Some(reason) =
        modes::why_not(state.platform, status.license.kind, destination, valid.mode)
    {
        return Err(ApiError::bad_request(
            "Configuration Mode not available",
            reason,
        ));
    }

    let row = new_row(&state.public_url, state.platform, valid, remote_platform)?;
    let created = state
        .db
        .insert_connection(row, key.map(|k| (k, fingerprint.clone())))
        .await?;
    match created {
        InsertOutcome::Created(stored) => {
            tracing::info!(id = %stored.connection.id, mode = ?stored.connection.mode, "connection initiated");
            answer(StatusCode::CREATED, stored)
        }
        // Another request with the same key got there first.
        InsertOutcome::KeyExists(record) => replay(record, &fingerprint),
    }
}

fn new_row(
    public_url: &str,
    platform: Platform,
    valid: Valid,
    remote_platform: Option<Platform>,
) -> Result<NewRow, ApiError> {
    let id_bytes = random::bytes::<{ invitation::ID_LEN }>()?;
    let now = clock::now();
    let connection = api::Connection {
        id: invitation::hex(&id_bytes),
        name: valid.name,
        description: valid.description,
        local_short_name: valid.local_short_name,
        remote_short_name: valid.remote_short_name,
        remote_url: valid.remote_url,
        remote_platform,
        mode: valid.mode,
        status: Status::Pending,
        initiated_here: true,
        created_at: now,
        updated_at: now,
    };
    let minted = mint_invitation(public_url, platform, id_bytes, &connection, now)?;
    Ok(NewRow {
        connection,
        secret: minted.secret,
        invitation_code: Some(minted.code),
        expires_at: minted.expires_at,
        remote_instance_name: None,
        rules: rules::default_scripts(platform, remote_platform),
    })
}

/// A new invitation for a connection initiated here: its secret, expiry and code.
pub struct Minted {
    pub secret: [u8; invitation::SECRET_LEN],
    pub code: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Draws a fresh secret and expiry for `connection` (initiated here, whose id is
/// `connection_id`) and encodes its invitation code: at creation and when regenerating.
pub fn mint_invitation(
    public_url: &str,
    platform: Platform,
    connection_id: [u8; invitation::ID_LEN],
    connection: &api::Connection,
    now: i64,
) -> Result<Minted, ApiError> {
    let secret = random::bytes::<{ invitation::SECRET_LEN }>()?;
    let expires_at = u64::try_from(now)
        .unwrap_or(0)
        .saturating_add(INVITATION_TTL_SECS);
    let code = Invitation {
        initiator_url: public_url.to_string(),
        initiator_platform: platform,
        initiator_short_name: connection.local_short_name.clone(),
        connection_id,
        connection_name: connection.name.clone(),
        remote_short_name: connection.remote_short_name.clone(),
        mode: connection.mode,
        expires_at,
        secret,
    }
    .encode();
    Ok(Minted {
        secret,
        code,
        expires_at: i64::try_from(expires_at).unwrap_or(i64::MAX),
    })
}

fn replay(record: KeyRecord, fingerprint: &str) -> Result<Response, ApiError> {
    if record.fingerprint != fingerprint {
        return Err(ApiError::unprocessable(
            "Idempotency-Key already used",
            "This Idempotency-Key was used for a different request; use a new key for a new connection.",
        ));
    }
    answer(StatusCode::OK, record.stored)
}

fn answer(status: StatusCode, stored: StoredConnection) -> Result<Response, ApiError> {
    let invitation_code = stored.invitation_code.ok_or_else(|| {
        ApiError::unprocessable(
            "Invitation code no longer available",
            "The invitation of this connection was already used.",
        )
    })?;
    let body = Envelope {
        result: CreatedConnection {
            connection: stored.connection,
            invitation_code,
        },
    };
    Ok((status, Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        let mut headers = HeaderMap::new();
        assert_eq!(idempotency_key(&headers).unwrap(), None);
        headers.insert(IDEMPOTENCY_KEY_HEADER, HeaderValue::from_static("abc-123"));
        assert_eq!(
            idempotency_key(&headers).unwrap().as_deref(),
            Some("abc-123")
        );
        for bad in ["", "a b", &"k".repeat(256)] {
            headers.insert(IDEMPOTENCY_KEY_HEADER, HeaderValue::from_str(bad).unwrap());
            assert!(idempotency_key(&headers).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fingerprint_ignores_surrounding_white_space() {
        let new = |name: &str| NewConnection {
            remote_url: Some("HTTP://Example.com/".into()),
            mode: Mode::Script,
            local_short_name: "a".into(),
            remote_short_name: "b".into(),
            name: name.into(),
            description: String::new(),
        };
        let a = Valid::check(&new("x")).unwrap().fingerprint();
        assert_eq!(a, Valid::check(&new("  x ")).unwrap().fingerprint());
        assert_ne!(a, Valid::check(&new("y")).unwrap().fingerprint());
    }
}
