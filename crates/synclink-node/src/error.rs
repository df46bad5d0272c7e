//! The one place where errors become HTTP answers: a status and ServiceNow's failure body
//! `{"error": {"message", "detail"}, "status": "failure"}`. Handlers, extractors and fallbacks
//! return [`ApiError`]; nothing else builds an error response.

use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use synclink_core::api::ErrorBody;
use thiserror::Error;

use crate::db::DbError;
use crate::random::RandomError;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{message}: {detail}")]
    BadRequest { message: String, detail: String },
    #[error("not signed in")]
    Unauthenticated,
    /// A call from another node whose signature does not hold.
    #[error("signature refused: {detail}")]
    SignatureRefused { detail: String },
    #[error("{message}: {detail}")]
    Forbidden { message: String, detail: String },
    #[error("{message}: {detail}")]
    NotFound { message: String, detail: String },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{message}: {detail}")]
    Conflict { message: String, detail: String },
    #[error("{message}: {detail}")]
    Gone { message: String, detail: String },
    #[error("{message}: {detail}")]
    Unprocessable { message: String, detail: String },
    /// Another instance this one called failed to answer usefully.
    #[error("{message}: {detail}")]
    BadGateway { message: String, detail: String },
    /// An axum extractor refused the request (bad JSON, content type, body size…).
    #[error("request refused by {status}: {detail}")]
    Rejected { status: StatusCode, detail: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Random(#[from] RandomError),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            detail: detail.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Forbidden {
            message: message.into(),
            detail: detail.into(),
        }
    }

    pub fn not_found(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::NotFound {
            message: message.into(),
            detail: detail.into(),
        }
    }

    /// A connection id that names nothing (any more): deleted, perhaps in another tab.
    pub fn connection_gone() -> Self {
        ApiError::not_found(
            "Connection no longer exists",
            "It was deleted, perhaps in another tab or by the other instance.",
        )
    }

    /// A JSON body refused on a route whose body limit is `limit` bytes.
    pub fn from_json_rejection(rejection: JsonRejection, limit: usize) -> Self {
        match ApiError::from(rejection) {
            ApiError::Rejected { status, .. } if status == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::Rejected {
                    status,
                    detail: body_limit_detail(limit),
                }
            }
            other => other,
        }
    }

    pub fn conflict(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            message: message.into(),
            detail: detail.into(),
        }
    }

    pub fn gone(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Gone {
            message: message.into(),
            detail: detail.into(),
        }
    }

    pub fn unprocessable(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Unprocessable {
            message: message.into(),
            detail: detail.into(),
        }
    }

    pub fn bad_gateway(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::BadGateway {
            message: message.into(),
            detail: detail.into(),
        }
    }

    /// Another instance's refusal, passed on with its status when it is one this API answers
    /// with too; None for any other status.
    pub fn passed_on(status: StatusCode, message: String, detail: String) -> Option<Self> {
        let error = match status {
            StatusCode::BAD_REQUEST => ApiError::BadRequest { message, detail },
            StatusCode::FORBIDDEN => ApiError::Forbidden { message, detail },
            StatusCode::NOT_FOUND => ApiError::NotFound { message, detail },
            StatusCode::CONFLICT => ApiError::Conflict { message, detail },
            StatusCode::GONE => ApiError::Gone { message, detail },
            _ => return None,
        };
        Some(error)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated | ApiError::SignatureRefused { .. } => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Gone { .. } => StatusCode::GONE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadGateway { .. } => StatusCode::BAD_GATEWAY,
            ApiError::Rejected { status, .. } => *status,
            ApiError::Db(_) | ApiError::Random(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::BadRequest { message, detail }
            | ApiError::Forbidden { message, detail }
            | ApiError::NotFound { message, detail }
            | ApiError::Conflict { message, detail }
            | ApiError::Gone { message, detail }
            | ApiError::Unprocessable { message, detail }
            | ApiError::BadGateway { message, detail } => ErrorBody::new(message, detail),
            // ServiceNow's own words for a call without a session.
            ApiError::Unauthenticated => ErrorBody::new(
                "User Not Authenticated",
                "Required to provide Auth information",
            ),
            ApiError::SignatureRefused { detail } => {
                ErrorBody::new("Signature refused", detail.clone())
            }
            ApiError::MethodNotAllowed => ErrorBody::new(
                "Method not Supported",
                "This HTTP method is not supported for the requested resource.",
            ),
            ApiError::Rejected { status, detail } => {
                let message = match *status {
                    StatusCode::PAYLOAD_TOO_LARGE => "Request body too large",
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported content type",
                    _ => "Invalid request body",
                };
                ErrorBody::new(message, detail.clone())
            }
            // The cause goes to the log, not to the client.
            ApiError::Db(_) | ApiError::Random(_) => ErrorBody::new(
                "Internal error",
                "The instance could not complete the request; see its log.",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            // The other instance's trouble, not this one's: worth a line, not an alarm.
            ApiError::BadGateway { .. } => tracing::warn!(error = %self, "request failed"),
            _ if status.is_server_error() => tracing::error!(error = %self, "request failed"),
            _ => {}
        }
        (status, Json(self.body())).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = match rejection.status() {
            // A body that is JSON but not the expected shape is a bad request like any other.
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            other => other,
        };
        let detail = match status {
            StatusCode::PAYLOAD_TOO_LARGE => body_limit_detail(crate::BODY_LIMIT),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "Send the body as JSON, with Content-Type: application/json.".to_string()
            }
            _ => rejection.body_text(),
        };
        ApiError::Rejected { status, detail }
    }
}

impl From<FormRejection> for ApiError {
    fn from(rejection: FormRejection) -> Self {
        let status = rejection.status();
        let detail = match status {
            StatusCode::PAYLOAD_TOO_LARGE => body_limit_detail(crate::BODY_LIMIT),
            _ => rejection.body_text(),
        };
        ApiError::Rejected { status, detail }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::Rejected {
            status: StatusCode::BAD_REQUEST,
            detail: rejection.body_text(),
        }
    }
}

fn body_limit_detail(limit: usize) -> String {
    format!("A request body may have at most {} KB.", limit / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_failure_body() {
        let errors = [
            ApiError::bad_request("Invalid X", "why"),
            ApiError::Unauthenticated,
            ApiError::forbidden("No", "why"),
            ApiError::not_found("Not found", "why"),
            ApiError::MethodNotAllowed,
            ApiError::conflict("Conflict", "why"),
            ApiError::gone("Gone", "why"),
            ApiError::unprocessable("Conflict", "why"),
            ApiError::SignatureRefused {
                detail: "why".into(),
            },
            ApiError::Rejected {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                detail: "big".into(),
            },
        ];
        for e in errors {
            let body = e.body();
            assert_eq!(body.status, "failure");
            assert!(!body.error.message.is_empty());
            assert!(e.status().is_client_error());
        }
        let gateway = ApiError::bad_gateway("Unreachable", "why");
        assert_eq!(gateway.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(gateway.body().error.detail, "why");
    }

    #[test]
    fn only_statuses_of_this_api_are_passed_on() {
        for status in [400, 403, 404, 409, 410] {
            let status = StatusCode::from_u16(status).unwrap();
            let e = ApiError::passed_on(status, "m".into(), "d".into()).unwrap();
            assert_eq!(e.status(), status);
            assert_eq!(e.body(), ErrorBody::new("m", "d"));
        }
        // A 401 from the other instance must not read as "this session ended".
        for status in [401, 405, 413, 422, 500] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(ApiError::passed_on(status, "m".into(), "d".into()).is_none());
        }
    }
}
