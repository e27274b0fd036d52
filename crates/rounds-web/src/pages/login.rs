//! Sign-in and sign-out. An unknown e-mail and a wrong password get the same answer in
//! the same time; failures are limited per sign-in name and per client address.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use rounds_store::{Session, Store};
use serde::Deserialize;

use super::layout::{Nav, page};
use crate::AppState;
use crate::auth::{
    self, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, new_secret, secret_hash, set_cookie,
};
use crate::extract::PageCtx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

fn login_page(csrf: &str, email: &str, error: Option<&str>) -> Markup {
    page(
        "Sign in",
        None,
        Nav::None,
        None,
        html! {
            section.signin {
                h1 { "Sign in" }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form #login method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "E-mail" input type="email" name="email" value=(email) autocomplete="username" required autofocus; }
                    label { "Password" input type="password" name="password" autocomplete="current-password" required; }
                    button type="submit" { "Sign in" }
                }
            }
        },
    )
}

/// A fresh double-submit token for the sign-in form, set as a cookie and echoed in it.
fn with_login_token(
    state: &AppState,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
) -> Response {
    let token = new_secret();
    let set = set_cookie(
        LOGIN_CSRF_COOKIE,
        &token,
        Some(3600),
        state.config().secure_cookies,
    );
    (
        status,
        [(header::SET_COOKIE, set)],
        login_page(&token, email, error),
    )
        .into_response()
}

async fn login_form(State(state): State<AppState>, req: Request) -> Response {
    let (mut parts, _) = req.into_parts();
    if let Ok(PageCtx(_)) =
        <PageCtx as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await
    {
        return Redirect::to("/today").into_response();
    }
    with_login_token(&state, StatusCode::OK, "", None)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

const WRONG: &str = "Wrong e-mail or password.";

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    let email = form.email.trim().to_lowercase();
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !auth::same_secret(&form.csrf, expected) {
        return with_login_token(
            &state,
            StatusCode::FORBIDDEN,
            &email,
            Some("The sign-in form had expired. Please sign in again."),
        );
    }
    if email.is_empty() || form.password.is_empty() {
        return with_login_token(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &email,
            Some("Give your e-mail and password."),
        );
    }
    let now = state.now().as_second();
    // Counted before the password is checked, so parallel guesses all count.
    if let Err(wait) = state.limiter().attempt(&email, &addr, now) {
        let minutes = (wait + 59) / 60;
        return with_login_token(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &email,
            Some(&format!(
                "Too many failed sign-ins. Try again in {minutes} minute(s)."
            )),
        );
    }
    let found = match state.store().credentials_by_login(&email).await {
        Ok(found) => found,
        Err(e) => return super::error_page(e.into()),
    };
    let password = form.password.clone();
    let hash = found.as_ref().map(|c| c.password_hash.clone());
    // The dummy verification for an unknown name keeps both answers equally slow.
    let verified = match state
        .run_blocking(move || auth::verify_password(&password, hash.as_deref()))
        .await
    {
        Ok(verified) => verified,
        Err(e) => return super::error_page(e),
    };
    let credentials = match found {
        Some(c) if verified && !c.disabled => c,
        _ => return with_login_token(&state, StatusCode::UNAUTHORIZED, &email, Some(WRONG)),
    };
    state.limiter().succeeded(&email, &addr, now);
    let token = new_secret();
    let session = Session {
        org: credentials.org,
        user: credentials.user,
        csrf: new_secret(),
        created_at: now,
        seen_at: now,
    };
    if let Err(e) = state
        .store()
        .create_session(&secret_hash(&token), &session)
        .await
    {
        return super::error_page(e.into());
    }
    let secure = state.config().secure_cookies;
    let mut response = Redirect::to("/today").into_response();
    let h = response.headers_mut();
    for value in [
        set_cookie(SESSION_COOKIE, &token, None, secure),
        set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), secure),
    ] {
        if let Ok(v) = value.parse() {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

async fn logout(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Some(session) = &ctx.caller.session else {
        return Redirect::to("/login").into_response();
    };
    // Read as pairs: a missing or repeated token is a refusal (403), not a bad form.
    let sent = super::single(&pairs, "csrf").unwrap_or("");
    if !auth::same_secret(sent, &session.csrf) {
        return super::error_page(crate::ApiError::new(
            StatusCode::FORBIDDEN,
            "The form had expired; sign out again.",
        ));
    }
    if let Err(e) = state.store().delete_session(&session.hash).await {
        return super::error_page(e.into());
    }
    let clear = set_cookie(SESSION_COOKIE, "", Some(0), state.config().secure_cookies);
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

/// The client's address as text (through the trusted proxies, if any), or "unknown"
/// when the router runs without connection info (handler tests).
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(auth::client_address(
            parts,
            &state.config().trusted_proxies,
        )))
    }
}
