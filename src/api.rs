//! The node's REST API as the widget calls it.
//!
//! [`ApiError`] is plain data, so the page and wizard state machines can hold it and native tests
//! can make one. The calls themselves (`Api`, wasm only) use gloo-net's `fetch` wrapper, read
//! bodies with the browser's `Response.json()` and serde-wasm-bindgen, and write them with
//! `JSON.stringify`: no JSON library in the wasm.

use thiserror::Error;

/// Everything that can go wrong with one call, in words an administrator can act on.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `fetch` itself failed: the node is down, the network is gone, or the page went offline.
    #[error("synclink could not be reached. Check that this instance is running, then try again.")]
    Unreachable(String),
    /// No complete answer within the time limit.
    #[error("synclink did not answer within {0} seconds.")]
    Timeout(u32),
    /// HTTP 401: the admin session is over.
    #[error("Your session has ended. Reload the page to sign in again.")]
    SessionEnded,
    /// The node refused, with ServiceNow's error body.
    #[error("{message}")]
    Status {
        status: u16,
        message: String,
        detail: String,
    },
    /// An answer that is not what the API promises (a proxy's HTML page, cut-off JSON, …).
    #[error("synclink sent an answer this page cannot read (HTTP {status}).")]
    Unreadable { status: u16, detail: String },
    /// Cancelled by the widget (the administrator pressed Cancel). Never shown.
    #[error("The request was cancelled.")]
    Aborted,
}

impl ApiError {
    /// The second line shown under the message; empty when there is none.
    pub fn detail(&self) -> &str {
        match self {
            ApiError::Unreachable(d)
            | ApiError::Status { detail: d, .. }
            | ApiError::Unreadable { detail: d, .. } => d,
            _ => "",
        }
    }

    /// The error for a non-2xx answer whose body was read (`body` is None when it was not JSON
    /// in ServiceNow's error shape).
    pub fn from_status(status: u16, body: Option<synclink_core::api::ErrorBody>) -> ApiError {
        match (status, body) {
            (401, _) => ApiError::SessionEnded,
            (_, Some(b)) if !b.error.message.trim().is_empty() => ApiError::Status {
                status,
                message: b.error.message,
                detail: b.error.detail,
            },
            _ => ApiError::Unreadable {
                status,
                detail: String::new(),
            },
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use web::Api;

#[cfg(target_arch = "wasm32")]
mod web {
    use gloo_net::http::{Request, RequestBuilder};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use std::future::Future;
    use std::pin::Pin;
    use synclink_core::api::{
        AcceptInvitation, Connection, CreatedConnection, Envelope, ErrorBody,
        IDEMPOTENCY_KEY_HEADER, InstanceStatus, InvitationCode, NewConnection, ProbeRequest,
        ProbeResult, PublishRules, Rules, RulesVersion, USER_TOKEN_HEADER,
    };
    use synclink_core::invitation;

    use crate::page::{Action, Answer};
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortSignal, RequestCredentials};

    use super::ApiError;

    /// Time limits, in seconds. The node's own probe gives up after about 5 s, and creating a
    /// connection probes the destination again.
    const READ_TIMEOUT: u32 = 15;
    const PROBE_TIMEOUT: u32 = 12;
    const CREATE_TIMEOUT: u32 = 20;
    /// Accepting waits for the initiating instance, which the node gives about 10 s.
    const ACCEPT_TIMEOUT: u32 = 25;
    /// Actions may wait for the remote instance (the node gives it about 10 s).
    const ACTION_TIMEOUT: u32 = 25;

    /// The node's admin API under `base` (the root element's `data-api-base`).
    pub struct Api {
        base: String,
    }

    impl Api {
        pub fn new(base: &str) -> Api {
            Api {
                base: base.trim_end_matches('/').to_string(),
            }
        }

        pub async fn instance(&self) -> Result<InstanceStatus, ApiError> {
            let req = Request::get(&self.url("/instance"));
            send(req, None, None, READ_TIMEOUT).await
        }

        pub async fn connections(&self) -> Result<Vec<Connection>, ApiError> {
            let req = Request::get(&self.url("/connections"));
            send(req, None, None, READ_TIMEOUT).await
        }

        /// `cancel` aborts the request when the administrator presses Cancel.
        pub async fn probe(
            &self,
            url: &str,
            cancel: &AbortSignal,
        ) -> Result<ProbeResult, ApiError> {
            let body = to_json(&ProbeRequest {
                url: url.to_string(),
            })?;
            let req = Request::post(&self.url("/destinations/probe"));
            send(req, Some(body), Some(cancel), PROBE_TIMEOUT).await
        }

        /// The same `idempotency_key` for every try of one wizard, so that a retry after a lost
        /// answer gets the same connection back instead of a second one.
        pub async fn create(
            &self,
            body: &NewConnection,
            idempotency_key: &str,
        ) -> Result<CreatedConnection, ApiError> {
            let body = to_json(body)?;
            let req = Request::post(&self.url("/connections"))
                .header(IDEMPOTENCY_KEY_HEADER, idempotency_key);
            send(req, Some(body), None, CREATE_TIMEOUT).await
        }

        /// `POST /invitations/accept`: the node calls the initiating instance and answers with
        /// the new `Active` connection (or the one it already has for this code).
        pub async fn accept(&self, invitation_code: &str) -> Result<Connection, ApiError> {
            let body = to_json(&AcceptInvitation {
                invitation_code: invitation_code.to_string(),
            })?;
            let req = Request::post(&self.url("/invitations/accept"));
            send(req, Some(body), None, ACCEPT_TIMEOUT).await
        }

        /// `GET /connections/{id}/invitation`: a `Pending` connection's code, once more.
        pub async fn invitation(&self, connection_id: &str) -> Result<InvitationCode, ApiError> {
            // Ids come from the node's own list (32 hex digits); anything else never reaches a
            // URL path.
            let req = Request::get(&self.at(connection_id, "/invitation")?);
            send(req, None, None, READ_TIMEOUT).await
        }

        /// `GET /connections/{id}`.
        pub async fn connection(&self, id: &str) -> Result<Connection, ApiError> {
            send(Request::get(&self.at(id, "")?), None, None, READ_TIMEOUT).await
        }

        /// An action on a connection; the remote instance is told where the API says so.
        pub async fn act(&self, id: &str, action: &Action) -> Result<Answer, ApiError> {
            let post = |tail: &str| self.at(id, tail).map(|u| Request::post(&u));
            match action {
                Action::Edit(body) => {
                    let body = to_json(body)?;
                    let req = Request::patch(&self.at(id, "")?);
                    send(req, Some(body), None, ACTION_TIMEOUT)
                        .await
                        .map(Answer::Done)
                }
                Action::Regenerate => {
                    send(post("/regenerate-invitation")?, None, None, ACTION_TIMEOUT)
                        .await
                        .map(Answer::Regenerated)
                }
                Action::Test => send(post("/test")?, None, None, ACTION_TIMEOUT)
                    .await
                    .map(Answer::Tested),
                other => {
                    let req = match other {
                        Action::Deactivate => post("/deactivate")?,
                        Action::Activate => post("/activate")?,
                        Action::CancelInvitation => post("/cancel-invitation")?,
                        _ => Request::delete(&self.at(id, "")?),
                    };
                    send(req, None, None, ACTION_TIMEOUT)
                        .await
                        .map(Answer::Done)
                }
            }
        }

        pub async fn rules(&self, id: &str) -> Result<Rules, ApiError> {
            send(
                Request::get(&self.at(id, "/rules")?),
                None,
                None,
                READ_TIMEOUT,
            )
            .await
        }

        pub async fn version(&self, id: &str, n: u32) -> Result<RulesVersion, ApiError> {
            let mut tail = String::from("/rules/versions/");
            tail.push_str(&n.to_string());
            send(Request::get(&self.at(id, &tail)?), None, None, READ_TIMEOUT).await
        }

        pub async fn publish(
            &self,
            id: &str,
            body: &PublishRules,
        ) -> Result<RulesVersion, ApiError> {
            let body = to_json(body)?;
            let req = Request::post(&self.at(id, "/rules")?);
            send(req, Some(body), None, ACTION_TIMEOUT).await
        }

        pub async fn restore(&self, id: &str, n: u32, base: u32) -> Result<RulesVersion, ApiError> {
            let mut tail = String::from("/rules/versions/");
            tail.push_str(&n.to_string());
            tail.push_str("/restore");
            let mut body = String::from("{\"base_version\":");
            body.push_str(&base.to_string());
            body.push('}');
            let req = Request::post(&self.at(id, &tail)?);
            send(req, Some(body), None, ACTION_TIMEOUT).await
        }

        /// `/connections/{id}{tail}`. Ids come from the node (32 hex digits); anything else
        /// never reaches a URL path.
        fn at(&self, id: &str, tail: &str) -> Result<String, ApiError> {
            if invitation::parse_id(id).is_none() {
                return Err(ApiError::Unreadable {
                    status: 0,
                    detail: String::new(),
                });
            }
            let mut path = String::from("/connections/");
            path.push_str(id);
            path.push_str(tail);
            Ok(self.url(&path))
        }

        fn url(&self, path: &str) -> String {
            let mut s = String::with_capacity(self.base.len() + path.len());
            s.push_str(&self.base);
            s.push_str(path);
            s
        }
    }

    /// ServiceNow pages keep the session's anti-CSRF token in `window.g_ck`; read it for every
    /// call, so a page that renews it is followed.
    fn user_token() -> String {
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("g_ck"))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }

    fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
        let js = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| ApiError::Unreadable {
                status: 0,
                detail: e.to_string(),
            })?;
        js_sys::JSON::stringify(&js)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(ApiError::Unreadable {
                status: 0,
                detail: String::new(),
            })
    }

    fn has_abort_signal_any() -> bool {
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("AbortSignal"))
            .and_then(|ctor| js_sys::Reflect::has(&ctor, &JsValue::from_str("any")))
            .unwrap_or(false)
    }

    /// Sorts a rejection from `fetch` or `Response.json()` by the DOMException's name.
    fn from_js(err: &JsValue, timeout: u32, status: u16) -> ApiError {
        let field = |name: &str| {
            js_sys::Reflect::get(err, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        match field("name").as_str() {
            "TimeoutError" => ApiError::Timeout(timeout),
            "AbortError" => ApiError::Aborted,
            // Reading the body failed after an answer came: it was not JSON.
            _ if status != 0 => ApiError::Unreadable {
                status,
                detail: field("message"),
            },
            _ => ApiError::Unreachable(field("message")),
        }
    }

    async fn send<T: DeserializeOwned>(
        req: RequestBuilder,
        body: Option<String>,
        cancel: Option<&AbortSignal>,
        timeout: u32,
    ) -> Result<T, ApiError> {
        let (status, v) = fetch(req, body, cancel.cloned(), timeout).await?;
        serde_wasm_bindgen::from_value::<Envelope<T>>(v)
            .map(|e| e.result)
            .map_err(|e| ApiError::Unreadable {
                status,
                detail: e.to_string(),
            })
    }

    /// A 2xx answer's status and JSON, or the error.
    type Fetched = Pin<Box<dyn Future<Output = Result<(u16, JsValue), ApiError>>>>;

    /// Everything a call does but reading its particular answer: one copy in the wasm, behind a
    /// box, however many answer types there are. Gives the JSON of a 2xx answer.
    fn fetch(
        req: RequestBuilder,
        body: Option<String>,
        cancel: Option<AbortSignal>,
        timeout: u32,
    ) -> Fetched {
        Box::pin(async move {
            let timer = AbortSignal::timeout_with_u32(timeout * 1000);
            let signal = match cancel {
                Some(c) if has_abort_signal_any() => {
                    AbortSignal::any(&js_sys::Array::of2(&c, &timer))
                }
                // Browsers before AbortSignal.any (2023): Cancel still works, the time limit is
                // the node's own.
                Some(c) => c,
                None => timer,
            };
            let req = req
                .credentials(RequestCredentials::SameOrigin)
                .header("Accept", "application/json")
                .header(USER_TOKEN_HEADER, &user_token())
                .abort_signal(Some(&signal));
            let req = match body {
                Some(b) => req.header("Content-Type", "application/json").body(b),
                None => req.build(),
            };
            let req = req.map_err(|e| ApiError::Unreachable(e.to_string()))?;
            let resp = match req.send().await {
                Ok(r) => r,
                Err(gloo_net::Error::JsError(e)) if e.name == "TimeoutError" => {
                    return Err(ApiError::Timeout(timeout));
                }
                Err(gloo_net::Error::JsError(e)) if e.name == "AbortError" => {
                    return Err(ApiError::Aborted);
                }
                Err(e) => return Err(ApiError::Unreachable(e.to_string())),
            };
            let status = resp.status();
            let raw: web_sys::Response = resp.into();
            let json = match raw.json() {
                Ok(p) => JsFuture::from(p).await,
                Err(e) => Err(e),
            };
            let json = match json {
                Ok(v) => Ok(v),
                Err(e) => Err(from_js(&e, timeout, status)),
            };
            if (200..300).contains(&status) {
                Ok((status, json?))
            } else {
                let body = match json {
                    Ok(v) => serde_wasm_bindgen::from_value::<ErrorBody>(v).ok(),
                    Err(ApiError::Timeout(t)) if status != 401 => {
                        return Err(ApiError::Timeout(t));
                    }
                    Err(_) => None,
                };
                Err(ApiError::from_status(status, body))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use synclink_core::api::ErrorBody;

    #[test]
    fn statuses_become_errors_with_the_node_message() {
        let e = ApiError::from_status(
            400,
            Some(ErrorBody::new("Invalid short name", "Start with a letter.")),
        );
        assert_eq!(e.to_string(), "Invalid short name");
        assert_eq!(e.detail(), "Start with a letter.");
        assert_eq!(
            ApiError::from_status(401, Some(ErrorBody::new("User Not Authenticated", "")))
                .to_string(),
            "Your session has ended. Reload the page to sign in again."
        );
        let proxy = ApiError::from_status(502, None);
        assert_eq!(
            proxy.to_string(),
            "synclink sent an answer this page cannot read (HTTP 502)."
        );
        assert_eq!(
            ApiError::from_status(500, Some(ErrorBody::new(" ", "x"))),
            proxy_500()
        );
        assert_eq!(
            ApiError::Timeout(12).to_string(),
            "synclink did not answer within 12 seconds."
        );
        assert_eq!(
            ApiError::Unreachable("Failed to fetch".into()).detail(),
            "Failed to fetch"
        );
    }

    fn proxy_500() -> ApiError {
        ApiError::Unreadable {
            status: 500,
            detail: String::new(),
        }
    }
}
