//! Calls between the two nodes of a connection, signed with the secret both hold since the
//! handshake: HMAC-SHA256 over `core::api::peer_signing_input` (method, path, timestamp and the
//! body's SHA-256), in the `X-Synclink-Timestamp` and `X-Synclink-Signature` headers.
//!
//! The other node is untrusted like any probed address: the whole call has a deadline, no
//! redirect is followed, at most [`probe::MAX_BODY`] bytes are read. Neither the secret nor a
//! signature is ever logged.

use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use reqwest::Client;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use sha2::{Digest, Sha256};
use synclink_core::api::{
    self, Envelope, ErrorBody, PEER_MAX_SKEW_SECS, PEER_SIGNATURE_HEADER, PEER_TIMESTAMP_HEADER,
    PeerChange, PeerStatus, PeerStatusChange,
};
use synclink_core::{API_BASE, Status};

use crate::clock;
use crate::probe::{self, Failure};

type HmacSha256 = Hmac<Sha256>;

/// The path a peer call is signed with (and sent to, after the other node's URL).
pub fn path(id: &str, call: &str) -> String {
    format!("{API_BASE}/peer/connections/{id}/{call}")
}

/// Lower-case hex of HMAC-SHA256(secret, signing input).
pub fn sign(
    secret: &[u8; 32],
    method: &str,
    path: &str,
    timestamp: i64,
    body: &[u8],
) -> Option<String> {
    let tag = mac(secret, method, path, timestamp, body)?
        .finalize()
        .into_bytes();
    Some(synclink_core::invitation::hex(&tag))
}

/// The MAC over a call; None only if HMAC refused the key, which it never does (it takes keys
/// of any length).
fn mac(
    secret: &[u8; 32],
    method: &str,
    path: &str,
    timestamp: i64,
    body: &[u8],
) -> Option<HmacSha256> {
    let body_hash = synclink_core::invitation::hex(&Sha256::digest(body));
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret).ok()?;
    mac.update(api::peer_signing_input(method, path, timestamp, &body_hash).as_bytes());
    Some(mac)
}

/// Why a signed call was refused, for the answer's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Stale,
    Mismatch,
}

impl Refusal {
    pub fn detail(self) -> String {
        match self {
            Refusal::Missing => format!(
                "A call between instances needs the {PEER_TIMESTAMP_HEADER} and {PEER_SIGNATURE_HEADER} headers."
            ),
            Refusal::Stale => format!(
                "The {PEER_TIMESTAMP_HEADER} is more than {PEER_MAX_SKEW_SECS} seconds from this instance's clock: check both clocks."
            ),
            Refusal::Mismatch => {
                "The signature does not match this connection's shared secret.".to_string()
            }
        }
    }
}

/// Checks a received call's headers against the connection's secret (None: the connection is
/// unknown here, which is answered like a wrong signature). Constant time in the signature.
pub fn verify(
    secret: Option<&[u8; 32]>,
    method: &str,
    path: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), Refusal> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(Refusal::Missing);
    };
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| Refusal::Missing)?;
    if now.abs_diff(timestamp) > PEER_MAX_SKEW_SECS.unsigned_abs() {
        return Err(Refusal::Stale);
    }
    let given = parse_hex32(signature.trim()).ok_or(Refusal::Mismatch)?;
    let secret = secret.ok_or(Refusal::Mismatch)?;
    mac(secret, method, path, timestamp, body)
        .ok_or(Refusal::Mismatch)?
        .verify_slice(&given)
        .map_err(|_| Refusal::Mismatch)
}

fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// How a call to the other node went wrong.
#[derive(Debug)]
pub enum CallError {
    /// Nothing useful came back: refused, no answer in time, a web page, not synclink…
    Unreachable(Failure),
    /// The other node answered with a refusal (its status and words).
    Refused {
        status: reqwest::StatusCode,
        message: String,
    },
}

impl CallError {
    /// Why, in a few words naming the URL: "connection refused at http://…".
    pub fn cause(&self, url: &str) -> String {
        match self {
            CallError::Unreachable(Failure::Refused) => format!("connection refused at {url}"),
            CallError::Unreachable(Failure::Dns) => format!("host name of {url} not found"),
            CallError::Unreachable(Failure::Timeout(d)) => {
                format!("no answer within {} ms from {url}", d.as_millis())
            }
            CallError::Unreachable(Failure::Unreachable(why)) => format!("{why}, at {url}"),
            CallError::Unreachable(other) => {
                format!("{url} did not answer as synclink: {}", other.message(url))
            }
            CallError::Refused { status, message } => {
                format!("{url} refused with HTTP {}: {message}", status.as_u16())
            }
        }
    }
}

/// Where and how to call the other node of a connection.
pub struct Peer<'a> {
    pub client: &'a Client,
    pub url: &'a str,
    pub id: &'a str,
    pub secret: &'a [u8; 32],
    pub timeout: Duration,
}

impl Peer<'_> {
    /// Tells the other node about this side's change; answers how it now sees the connection.
    pub async fn tell(&self, change: PeerChange) -> Result<Status, CallError> {
        // Serialising an enum cannot fail.
        let body = serde_json::to_vec(&PeerStatusChange { status: change }).unwrap_or_default();
        self.call("status", body).await.map(|(status, _)| status)
    }

    /// An authenticated ping: how the other node sees the connection, and the round trip.
    pub async fn ping(&self) -> Result<(Status, Duration), CallError> {
        self.call("ping", Vec::new()).await
    }

    async fn call(&self, call: &str, body: Vec<u8>) -> Result<(Status, Duration), CallError> {
        let started = Instant::now();
        let (status, answer) = tokio::time::timeout(self.timeout, self.exchange(call, body))
            .await
            .unwrap_or(Err(Failure::Timeout(self.timeout)))
            .map_err(CallError::Unreachable)?;
        let elapsed = started.elapsed();
        if status.is_success() {
            return match serde_json::from_slice::<Envelope<PeerStatus>>(&answer) {
                Ok(Envelope { result }) => Ok((result.status, elapsed)),
                Err(_) => Err(CallError::Unreachable(Failure::NotSynclink)),
            };
        }
        match serde_json::from_slice::<ErrorBody>(&answer) {
            Ok(ErrorBody { error, .. }) => Err(CallError::Refused {
                status,
                message: error.message,
            }),
            Err(_) => Err(CallError::Unreachable(Failure::Status(status))),
        }
    }

    async fn exchange(
        &self,
        call: &str,
        body: Vec<u8>,
    ) -> Result<(reqwest::StatusCode, Vec<u8>), Failure> {
        let path = path(self.id, call);
        let timestamp = clock::now();
        let signature = sign(self.secret, "POST", &path, timestamp, &body)
            .ok_or_else(|| Failure::Unreachable("the call could not be signed".into()))?;
        let mut response = self
            .client
            .post(format!("{}{path}", self.url))
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(PEER_TIMESTAMP_HEADER, timestamp.to_string())
            .header(PEER_SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| probe::classify(&e))?;
        let status = response.status();
        let web_page = probe::is_web_page_type(&response);
        let answer = probe::read_body(&mut response).await?;
        if web_page || probe::starts_with_markup(&answer) {
            return Err(Failure::WebPage);
        }
        Ok((status, answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [7; 32];

    #[test]
    fn a_signature_verifies_once_and_only_unchanged() {
        let path = path(&"a".repeat(32), "status");
        let body = br#"{"status":"Deactivated"}"#;
        let now = 1_800_000_000;
        let sig = sign(&SECRET, "POST", &path, now, body).unwrap();
        assert_eq!(sig.len(), 64);
        let ts = now.to_string();
        let check = |secret: Option<&[u8; 32]>,
                     method,
                     p: &str,
                     ts: Option<&str>,
                     sig: Option<&str>,
                     body: &[u8],
                     at| { verify(secret, method, p, ts, sig, body, at) };
        assert_eq!(
            check(
                Some(&SECRET),
                "POST",
                &path,
                Some(&ts),
                Some(&sig),
                body,
                now
            ),
            Ok(())
        );
        assert_eq!(
            check(
                Some(&SECRET),
                "POST",
                &path,
                Some(&ts),
                Some(&sig),
                body,
                now + 300
            ),
            Ok(())
        );
        assert_eq!(
            check(
                Some(&SECRET),
                "POST",
                &path,
                Some(&ts),
                Some(&sig),
                body,
                now + 301
            ),
            Err(Refusal::Stale)
        );
        assert_eq!(
            check(
                Some(&SECRET),
                "POST",
                &path,
                Some(&ts),
                Some(&sig),
                b"{}",
                now
            ),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            check(
                Some(&[8; 32]),
                "POST",
                &path,
                Some(&ts),
                Some(&sig),
                body,
                now
            ),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            check(
                Some(&SECRET),
                "GET",
                &path,
                Some(&ts),
                Some(&sig),
                body,
                now
            ),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            check(None, "POST", &path, Some(&ts), Some(&sig), body, now),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            check(Some(&SECRET), "POST", &path, None, Some(&sig), body, now),
            Err(Refusal::Missing)
        );
        assert_eq!(
            check(
                Some(&SECRET),
                "POST",
                &path,
                Some(&ts),
                Some(&sig.to_uppercase()),
                body,
                now
            ),
            Err(Refusal::Mismatch)
        );
    }
}
