//! Who is asking: passwords (argon2id), session cookies, CSRF tokens, API tokens and the
//! sign-in rate limit. Secrets are random 256-bit values shown to the client once;
//! the store keeps only their SHA-256.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use axum::http::request::Parts;
use rounds_core::model::{OrgId, User};
use rounds_store::Store;

use crate::AppState;

/// Idle sessions end after 30 minutes, every session after 12 hours.
pub const IDLE_TIMEOUT_S: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_S: i64 = 12 * 60 * 60;
/// A session's last-seen time and a token's last use are written at most this often,
/// so that a page or a script full of requests costs one write, not one each.
const SEEN_RESOLUTION_S: i64 = 60;

pub const SESSION_COOKIE: &str = "rounds_session";
pub const LOGIN_CSRF_COOKIE: &str = "rounds_login";

/// Hashing and secrets are shared with the command line: one implementation in rounds-app.
pub use rounds_app::auth::{
    PasswordError, hash_password, new_secret, same_secret, secret_hash, verify_password,
};

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The signed-in user behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub org: OrgId,
    pub user: User,
    /// Present for a browser session: the session's key and its CSRF token.
    pub session: Option<SessionKey>,
}

#[derive(Debug, Clone)]
pub struct SessionKey {
    pub hash: String,
    pub csrf: String,
}

/// Who a request comes from, or why it is nobody.
#[derive(Debug, Clone)]
pub enum Authenticated {
    Caller(Caller),
    /// Neither a bearer token nor a live session.
    Nobody,
    /// A bearer token that is unknown, revoked, or whose user may not sign in.
    BadToken,
    /// A bearer token past its expiry: said apart so a script's owner knows to renew it.
    ExpiredToken(jiff::Timestamp),
}

/// Finds the caller from a bearer token or the session cookie (unknown, expired, or
/// the user disabled: not a caller). A token's last use is recorded at most once a
/// minute, like a session's.
pub async fn authenticate(
    state: &AppState,
    parts: &Parts,
) -> Result<Authenticated, rounds_store::StoreError> {
    let store = state.store();
    let now = state.now().as_second();
    if let Some(auth) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let Some(token) = auth.strip_prefix("Bearer ").map(str::trim) else {
            return Ok(Authenticated::BadToken);
        };
        let hash = secret_hash(token);
        let Some(found) = store.api_token(&hash).await? else {
            return Ok(Authenticated::BadToken);
        };
        if found.expired(now) {
            let at = found
                .expires_at
                .and_then(|at| jiff::Timestamp::from_second(at).ok())
                .unwrap_or_default();
            return Ok(Authenticated::ExpiredToken(at));
        }
        if found
            .last_used_at
            .is_none_or(|used| now - used >= SEEN_RESOLUTION_S)
        {
            store.touch_api_token(&hash, now).await?;
        }
        return Ok(load_user(state, found.org, found.user.0).await?.map_or(
            Authenticated::BadToken,
            |user| {
                Authenticated::Caller(Caller {
                    org: found.org,
                    user,
                    session: None,
                })
            },
        ));
    }
    let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(Authenticated::Nobody);
    };
    let hash = secret_hash(value);
    let Some(session) = store.session(&hash).await? else {
        return Ok(Authenticated::Nobody);
    };
    if now - session.seen_at > IDLE_TIMEOUT_S || now - session.created_at > ABSOLUTE_TIMEOUT_S {
        store.delete_session(&hash).await?;
        return Ok(Authenticated::Nobody);
    }
    if now - session.seen_at >= SEEN_RESOLUTION_S {
        store.touch_session(&hash, now).await?;
    }
    Ok(load_user(state, session.org, session.user.0)
        .await?
        .map_or(Authenticated::Nobody, |user| {
            Authenticated::Caller(Caller {
                org: session.org,
                user,
                session: Some(SessionKey {
                    hash,
                    csrf: session.csrf,
                }),
            })
        }))
}

/// The 401 answer to an API request without a caller, with the `WWW-Authenticate`
/// challenge of RFC 6750: `invalid_token` for a token that does not work, and a
/// description and message saying so when it has expired.
pub fn unauthorized(why: &Authenticated) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (challenge, message) = match why {
        Authenticated::ExpiredToken(at) => (
            r#"Bearer realm="rounds", error="invalid_token", error_description="The API token expired""#,
            format!(
                "the API token expired at {at}; make a new one (`rounds token add`, POST /api/v1/tokens, or the Tokens page)"
            ),
        ),
        Authenticated::BadToken => (
            r#"Bearer realm="rounds", error="invalid_token", error_description="The API token is unknown or revoked""#,
            "the API token is unknown or revoked, or its user may not sign in".to_string(),
        ),
        Authenticated::Nobody | Authenticated::Caller(_) => (
            r#"Bearer realm="rounds""#,
            crate::ApiError::unauthorized().message,
        ),
    };
    let mut response =
        crate::ApiError::new(axum::http::StatusCode::UNAUTHORIZED, message).into_response();
    response.headers_mut().insert(
        axum::http::header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static(challenge),
    );
    response
}

async fn load_user(
    state: &AppState,
    org: OrgId,
    id: i64,
) -> Result<Option<User>, rounds_store::StoreError> {
    Ok(state
        .store()
        .users(org)
        .await?
        .into_iter()
        .find(|u| u.id.0 == id))
}

/// Failed sign-ins per login name and per client address in a sliding window. Kept in
/// memory: it protects this process, and a restart forgets at most one window.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

pub const LOGIN_WINDOW_S: i64 = 15 * 60;
pub const MAX_FAILURES_PER_LOGIN: usize = 5;
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;

impl LoginLimiter {
    /// Seconds until the next attempt is allowed for this login or address, if either
    /// has used up its failures.
    pub fn blocked_for(&self, login: &str, address: &str, now: i64) -> Option<i64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for (key, max) in [
            (
                format!("login:{}", login.to_lowercase()),
                MAX_FAILURES_PER_LOGIN,
            ),
            (format!("addr:{address}"), MAX_FAILURES_PER_ADDRESS),
        ] {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now - t < LOGIN_WINDOW_S);
                if times.len() >= max {
                    let until = times[times.len() - max] + LOGIN_WINDOW_S;
                    wait = Some(wait.unwrap_or(0).max(until - now));
                }
            }
        }
        wait
    }

    pub fn failed(&self, login: &str, address: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in [
            format!("login:{}", login.to_lowercase()),
            format!("addr:{address}"),
        ] {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn succeeded(&self, login: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("login:{}", login.to_lowercase()));
    }
}

/// The client's address, for the per-address limit; "unknown" when the server was not
/// started with connection info (handler tests).
pub fn client_address(parts_ext: &axum::http::Extensions) -> String {
    parts_ext
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_blocks_a_login_after_five_failures_and_an_address_after_twenty() {
        let l = LoginLimiter::default();
        for i in 0..5 {
            assert_eq!(l.blocked_for("ann@x", "1.2.3.4", 100 + i), None);
            l.failed("ann@x", "1.2.3.4", 100 + i);
        }
        assert_eq!(
            l.blocked_for("ANN@x", "5.6.7.8", 110),
            Some(LOGIN_WINDOW_S - 10)
        );
        assert_eq!(
            l.blocked_for("ann@x", "5.6.7.8", 100 + LOGIN_WINDOW_S),
            None
        );
        for i in 0..15 {
            l.failed(&format!("u{i}@x"), "1.2.3.4", 200);
        }
        assert!(l.blocked_for("new@x", "1.2.3.4", 201).is_some());
        assert_eq!(l.blocked_for("new@x", "9.9.9.9", 201), None);
    }
}
