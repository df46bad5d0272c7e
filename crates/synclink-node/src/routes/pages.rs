//! The pages: `GET /` (admin page, or the sign-in page without a session), sign-in and sign-out.

use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::same_secret;
use crate::error::ApiError;
use crate::routes::extract::ApiForm;
use crate::state::AppState;
use crate::{assets, page};

const HTML: &str = "text/html; charset=utf-8";

fn html(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, HTML)], body).into_response()
}

fn see_other(cookie: Option<String>) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, "/")]).into_response();
    if let Some(cookie) = cookie
        && let Ok(value) = cookie.parse()
    {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = state
        .sessions
        .id_from(&headers)
        .and_then(|id| state.sessions.user_token(&id));
    let body = match token {
        Some(token) => page::admin(
            &state.instance_name,
            state.platform,
            &token,
            assets::WIDGET_BUILT,
        ),
        None => page::sign_in(&state.instance_name, state.platform, None),
    };
    html(StatusCode::OK, body)
}

/// `GET /login` (a reload after a failed sign-in): back to the page.
pub async fn to_home() -> Response {
    see_other(None)
}

#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    token: String,
}

/// Sign-in and sign-out come from this instance's own page. The session cookie is
/// SameSite=Strict, but a form on another site could still post to `/logout` and clear it, or
/// sign the browser in to a session of the other site's choosing: browsers say where a request
/// comes from in `Sec-Fetch-Site`.
fn refuse_cross_site(headers: &HeaderMap) -> Result<(), ApiError> {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return Err(ApiError::forbidden(
            "Cross-site request refused",
            "Sign in and sign out from this instance's own page.",
        ));
    }
    Ok(())
}

/// How long a wrong admin token waits for its answer: guessing one token after another
/// becomes slow, while an administrator who mistyped barely notices.
const WRONG_TOKEN_DELAY: std::time::Duration = std::time::Duration::from_millis(400);

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiForm(form): ApiForm<SignIn>,
) -> Result<Response, ApiError> {
    refuse_cross_site(&headers)?;
    if !same_secret(form.token.as_bytes(), state.admin_token.as_bytes()) {
        tracing::info!("sign-in refused: wrong admin token");
        tokio::time::sleep(WRONG_TOKEN_DELAY).await;
        let body = page::sign_in(
            &state.instance_name,
            state.platform,
            Some("That admin token is not right."),
        );
        return Ok(html(StatusCode::UNAUTHORIZED, body));
    }
    let (id, _user_token) = state.sessions.create()?;
    tracing::info!("administrator signed in");
    Ok(see_other(Some(state.sessions.cookie(&id))))
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    refuse_cross_site(&headers)?;
    if let Some(id) = state.sessions.id_from(&headers) {
        state.sessions.remove(&id);
    }
    Ok(see_other(Some(state.sessions.clear_cookie())))
}
