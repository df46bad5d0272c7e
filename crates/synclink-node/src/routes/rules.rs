//! A connection's sync rules on this side: `GET /connections/{id}/rules`, one version, publish
//! and restore. Every publish is checked with core's `rules::check_both` and stored as a new
//! numbered version only if it was made from the current one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use synclink_core::api::{Envelope, PublishRules, RestoreRules, Rules, RulesVersion};
use synclink_core::{Mode, rules, time};

use crate::auth::AdminSession;
use crate::clock;
use crate::db::{Publish, Scripts};
use crate::error::ApiError;
use crate::routes::connections::find;
use crate::routes::extract::{ApiJson, ApiPath, LargeJson};
use crate::state::AppState;

/// Body limit of a publish: two scripts of `MAX_SCRIPT_BYTES` each, with room for JSON escaping.
pub const RULES_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Why the rules of a connection in this mode cannot be edited; None when they can.
pub fn read_only(mode: Mode) -> Option<String> {
    match mode {
        Mode::Basic => {
            Some("Basic mode uses predefined mappings; its rules cannot be edited.".into())
        }
        Mode::Visual => Some("Visual mode rules are edited in the visual editor.".into()),
        Mode::Script => None,
    }
}

pub async fn get(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Envelope<Rules>>, ApiError> {
    let stored = find(&state, id.clone()).await?;
    let (current, versions) = state
        .db
        .rules(id)
        .await?
        .ok_or_else(ApiError::connection_gone)?;
    Ok(Json(Envelope {
        result: Rules {
            current,
            versions,
            read_only: read_only(stored.connection.mode),
        },
    }))
}

pub async fn version(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath((id, n)): ApiPath<(String, u32)>,
) -> Result<Json<Envelope<RulesVersion>>, ApiError> {
    find(&state, id.clone()).await?;
    let version = state
        .db
        .rules_version(id, n)
        .await?
        .ok_or_else(|| no_such_version(n))?;
    Ok(Json(Envelope { result: version }))
}

pub async fn publish(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath(id): ApiPath<String>,
    LargeJson(body): LargeJson<PublishRules, RULES_BODY_LIMIT>,
) -> Result<(StatusCode, Json<Envelope<RulesVersion>>), ApiError> {
    editable(&state, &id).await?;
    let problems = rules::check_both(&body.outgoing, &body.incoming);
    if !problems.is_empty() {
        let detail: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(ApiError::bad_request(
            "The rules have problems",
            detail.join("\n"),
        ));
    }
    let scripts = Scripts::New {
        outgoing: body.outgoing,
        incoming: body.incoming,
    };
    store(&state, id, body.base_version, scripts, None).await
}

pub async fn restore(
    State(state): State<AppState>,
    _admin: AdminSession,
    ApiPath((id, n)): ApiPath<(String, u32)>,
    ApiJson(body): ApiJson<RestoreRules>,
) -> Result<(StatusCode, Json<Envelope<RulesVersion>>), ApiError> {
    editable(&state, &id).await?;
    store(&state, id, body.base_version, Scripts::Restore(n), Some(n)).await
}

/// 404 for an unknown connection, 403 when its mode makes the rules read-only.
async fn editable(state: &AppState, id: &str) -> Result<(), ApiError> {
    let stored = find(state, id.to_string()).await?;
    match read_only(stored.connection.mode) {
        Some(reason) => Err(ApiError::forbidden("The rules cannot be edited", reason)),
        None => Ok(()),
    }
}

async fn store(
    state: &AppState,
    id: String,
    base: u32,
    scripts: Scripts,
    restoring: Option<u32>,
) -> Result<(StatusCode, Json<Envelope<RulesVersion>>), ApiError> {
    match state
        .db
        .publish(id.clone(), base, scripts, clock::now())
        .await?
    {
        Publish::Published(version) => {
            tracing::info!(%id, version = version.version, restored_from = ?version.restored_from, "rules published");
            Ok((StatusCode::CREATED, Json(Envelope { result: version })))
        }
        Publish::Stale(current) => Err(ApiError::conflict(
            "A newer version exists",
            format!(
                "Version {} was published at {}. Review it before you publish over it.",
                current.version,
                time::display(current.published_at)
            ),
        )),
        Publish::Unknown => Err(ApiError::connection_gone()),
        Publish::NoSuchVersion => Err(no_such_version(restoring.unwrap_or(0))),
    }
}

fn no_such_version(n: u32) -> ApiError {
    ApiError::not_found(
        "Version not found",
        format!("This connection has no version {n} of its rules."),
    )
}
