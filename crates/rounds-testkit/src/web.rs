//! The server in process, for tests that talk to it as a client would: its state on the
//! pinned clock, a session or an API token for any user (stored directly, so a test
//! does not pay for argon2 at every sign-in), and requests through the router.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use rounds_core::model::{OrgId, UserId};
use rounds_core::playbook::{DEFAULT_TOML, Playbook};
use rounds_store::{ApiToken, Session, SqlStore, Store};
use rounds_web::{AppState, Config, FixedClock};
use tower::ServiceExt;

use crate::{DAY, now};

/// The server's state on `store`, with the built-in playbook, the clock stopped at
/// [`now`] and the plans made for [`DAY`].
pub fn state(store: SqlStore) -> AppState {
    AppState::new(
        store,
        Playbook::default(),
        DEFAULT_TOML.to_string(),
        FixedClock(now()),
        Config {
            fixed_date: Some(DAY),
            ..Config::default()
        },
    )
}

/// An API token for the user, stored directly.
pub async fn token_for(store: &SqlStore, org: OrgId, user: UserId) -> String {
    let token = format!("test-token-{}-{}", org.0, user.0);
    let hash = rounds_web::secret_hash(&token);
    store
        .create_api_token(
            &hash,
            &ApiToken {
                id: hash[..8].to_string(),
                org,
                user,
                name: "tests".into(),
                created_at: now().as_second(),
                expires_at: None,
                last_used_at: None,
            },
        )
        .await
        .expect("store an API token");
    token
}

/// A browser session for the user, stored directly: (cookie value, CSRF token).
pub async fn session_for(store: &SqlStore, org: OrgId, user: UserId) -> (String, String) {
    let cookie = rounds_web::new_secret();
    let csrf = rounds_web::new_secret();
    store
        .create_session(
            &rounds_web::secret_hash(&cookie),
            &Session {
                org,
                user,
                csrf: csrf.clone(),
                created_at: now().as_second(),
                seen_at: now().as_second(),
            },
        )
        .await
        .expect("store a session");
    (cookie, csrf)
}

/// What the server answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request through the router.
pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.expect("the router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("a whole body");
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// An API call with a bearer token and an optional JSON body.
pub async fn api(
    app: &Router,
    token: &str,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    send(app, req.body(body).expect("a request")).await
}

/// A form post with a session cookie, as a browser sends it.
pub async fn form(app: &Router, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let req = Request::post(path)
        .header(header::COOKIE, format!("rounds_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("a request");
    send(app, req).await
}
