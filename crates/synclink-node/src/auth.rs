//! Sign-in with the admin token, sessions, and the check every admin API call passes: the
//! session cookie AND the `X-UserToken` header holding that session's token (ServiceNow's
//! `g_ck`), so that a cross-site request carrying the cookie alone changes nothing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::random::{self, RandomError};
use crate::state::AppState;

/// The session cookie's name starts with this and ends with the instance id's first
/// characters: cookies are shared by every port of a host, and two instances side by side on
/// 127.0.0.1 must not sign each other out.
pub const SESSION_COOKIE_PREFIX: &str = "synclink_session_";
pub use synclink_core::api::USER_TOKEN_HEADER;
/// A session lasts a working day from sign-in.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 60 * 60);
/// Bound on live sessions: signing in again and again cannot grow memory without end.
const MAX_SESSIONS: usize = 10_000;

/// Live sessions, in memory: a restart signs everyone out, which is acceptable for an admin page.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    cookie_name: String,
    /// Mark the cookie `Secure` (the public URL is https).
    secure: bool,
}

struct Session {
    user_token: String,
    expires: Instant,
}

impl Sessions {
    pub fn new(instance_id: &str, secure: bool) -> Sessions {
        let suffix: String = instance_id.chars().take(12).collect();
        Sessions {
            map: Mutex::default(),
            cookie_name: format!("{SESSION_COOKIE_PREFIX}{suffix}"),
            secure,
        }
    }

    /// Starts a session: returns its id (for the cookie) and its user token (for the page).
    pub fn create(&self) -> Result<(String, String), RandomError> {
        let id = random::hex_token::<32>()?;
        let user_token = random::hex_token::<32>()?;
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS {
            // Drop the session closest to its end rather than refuse a sign-in.
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(id, _)| id.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(
            id.clone(),
            Session {
                user_token: user_token.clone(),
                expires: now + SESSION_TTL,
            },
        );
        Ok((id, user_token))
    }

    /// The user token of a live session.
    pub fn user_token(&self, id: &str) -> Option<String> {
        let map = self.lock();
        // The map hashes the given id with a per-process random key before any comparison, so
        // lookup timing tells nothing useful about stored ids (256 random bits each).
        map.get(id)
            .filter(|s| s.expires > Instant::now())
            .map(|s| s.user_token.clone())
    }

    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Compares two secrets in time that depends on their lengths only, not on where they differ.
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, &e) in expected.iter().enumerate() {
        diff |= e ^ given.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

impl Sessions {
    /// The session id from this instance's session cookie, if the request has one.
    pub fn id_from(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie_name)
            .map(|(_, value)| value.trim().to_string())
    }

    /// The `Set-Cookie` value that starts a session.
    pub fn cookie(&self, id: &str) -> String {
        format!(
            "{}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
            self.cookie_name,
            SESSION_TTL.as_secs(),
            self.secure_attr()
        )
    }

    /// The `Set-Cookie` value that ends a session.
    pub fn clear_cookie(&self) -> String {
        format!(
            "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
            self.cookie_name,
            self.secure_attr()
        )
    }

    fn secure_attr(&self) -> &'static str {
        if self.secure { "; Secure" } else { "" }
    }
}

/// Proof that an admin API call comes from a signed-in administrator's page.
pub struct AdminSession;

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user_token = state
            .sessions
            .id_from(&parts.headers)
            .and_then(|id| state.sessions.user_token(&id))
            .ok_or(ApiError::Unauthenticated)?;
        let given = parts.headers.get(USER_TOKEN_HEADER).map(|v| v.as_bytes());
        match given {
            Some(given) if same_secret(given, user_token.as_bytes()) => Ok(AdminSession),
            Some(_) => Err(ApiError::forbidden(
                "Invalid X-UserToken",
                "The X-UserToken header does not match this session; reload the page.",
            )),
            None => Err(ApiError::forbidden(
                "Missing X-UserToken",
                "Admin calls need the X-UserToken header with the page's g_ck token.",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"abcd", b"abc"));
        assert!(!same_secret(b"", b"abc"));
        assert!(same_secret(b"", b""));
    }

    #[test]
    fn finds_this_instances_session_cookie_among_others() {
        let sessions = Sessions::new("0123456789abcdef0123456789abcdef", false);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static(
                "a=1; synclink_session_ffffffffffff=other; synclink_session_0123456789ab=xyz; b=2",
            ),
        );
        assert_eq!(sessions.id_from(&headers).as_deref(), Some("xyz"));
        headers.insert(
            COOKIE,
            HeaderValue::from_static("synclink_session_0123456789abx=1"),
        );
        assert_eq!(sessions.id_from(&headers), None);
        assert!(
            sessions
                .cookie("id")
                .starts_with("synclink_session_0123456789ab=id; HttpOnly; SameSite=Strict")
        );
        assert!(
            Sessions::new("ab", true)
                .clear_cookie()
                .ends_with("; Secure")
        );
    }

    #[test]
    fn sessions_live_until_removed() {
        let sessions = Sessions::new("0123456789abcdef", false);
        let (id, token) = sessions.create().unwrap();
        assert_eq!(sessions.user_token(&id), Some(token));
        assert_eq!(sessions.user_token("nope"), None);
        sessions.remove(&id);
        assert_eq!(sessions.user_token(&id), None);
    }
}
