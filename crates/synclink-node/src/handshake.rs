//! The accepting side of the handshake: this node proves to the initiating instance that it
//! holds the invitation secret, says who it is, and reads the answer.
//!
//! The initiating instance is untrusted like any probed address: the whole exchange has a
//! deadline, no redirect is followed, and at most [`probe::MAX_BODY`] bytes are read. Its
//! refusals that this API also answers with (400, 403, 404, 409, 410) are passed on with their
//! status and words; anything else is a 502 naming the URL and the cause.

use std::time::Duration;

use reqwest::Client;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use synclink_core::API_BASE;
use synclink_core::Status;
use synclink_core::api::{Envelope, ErrorBody, HandshakeRequest, HandshakeResult};

use crate::error::ApiError;
use crate::probe::{self, Failure};

/// The message of every 502 the accept answers with.
pub const UNREACHABLE: &str = "The initiating instance could not be reached";

/// POSTs `request` to `{base}/api/x_synclink/v1/handshake` and reads the answer.
pub async fn send(
    client: &Client,
    base: &str,
    request: &HandshakeRequest,
    timeout: Duration,
) -> Result<HandshakeResult, ApiError> {
    let unreachable = |failure: Failure| ApiError::bad_gateway(UNREACHABLE, failure.message(base));
    let (status, body) = tokio::time::timeout(timeout, exchange(client, base, request))
        .await
        .unwrap_or(Err(Failure::Timeout(timeout)))
        .map_err(unreachable)?;
    if status.is_success() {
        return match serde_json::from_slice::<Envelope<HandshakeResult>>(&body) {
            Ok(Envelope { result })
                if result.connection_id == request.connection_id
                    && result.status == Status::Active =>
            {
                Ok(result)
            }
            _ => Err(unreachable(Failure::NotSynclink)),
        };
    }
    let Ok(ErrorBody { error, .. }) = serde_json::from_slice::<ErrorBody>(&body) else {
        return Err(unreachable(Failure::Status(status)));
    };
    let detail = format!("{base} answered with HTTP {status}: {}", error.message);
    Err(ApiError::passed_on(status, error.message, error.detail)
        .unwrap_or_else(|| ApiError::bad_gateway(UNREACHABLE, detail)))
}

async fn exchange(
    client: &Client,
    base: &str,
    request: &HandshakeRequest,
) -> Result<(reqwest::StatusCode, Vec<u8>), Failure> {
    // Serialising strings and enums cannot fail.
    let json = serde_json::to_vec(request).unwrap_or_default();
    let mut response = client
        .post(format!("{base}{API_BASE}/handshake"))
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json")
        .body(json)
        .send()
        .await
        .map_err(|e| probe::classify(&e))?;
    let status = response.status();
    let web_page = probe::is_web_page_type(&response);
    let body = probe::read_body(&mut response).await?;
    if web_page || probe::starts_with_markup(&body) {
        return Err(Failure::WebPage);
    }
    Ok((status, body))
}
