//! Rounds as a service: the JSON API (`/api/v1/…`, described by `/api/openapi.json`)
//! and the server-rendered web application, over one [`SqlStore`].
//!
//! The crate reads no clock and no environment: the binary hands it a [`Clock`] and a
//! [`Config`], so every handler test runs on a fixed date.

pub mod api;
mod app;
pub mod auth;
mod charts;
mod error;
mod extract;
mod headers;
mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rounds_core::playbook::Playbook;
use rounds_store::SqlStore;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use auth::{PasswordError, hash_password, new_secret, secret_hash};
pub use error::{ApiError, ErrorBody};
pub use rounds_app::Scope;

/// The largest request body accepted, API or form; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Where the server gets the time. The binary passes the system clock; tests a fixed one.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// A clock stopped at one instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Plan this day instead of today (demos, tests).
    pub fixed_date: Option<Date>,
    /// The zone in which "today" is decided when no date is fixed.
    pub zone: TimeZone,
    /// Mark cookies Secure: the server is reached over TLS (directly or behind a proxy).
    pub secure_cookies: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            fixed_date: None,
            zone: TimeZone::UTC,
            secure_cookies: false,
        }
    }
}

struct Inner {
    store: SqlStore,
    playbook: Playbook,
    playbook_toml: String,
    clock: Box<dyn Clock>,
    config: Config,
    limiter: auth::LoginLimiter,
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.0.store.backend())
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// `playbook_toml` is the text the playbook was read from (shown in Settings).
    pub fn new(
        store: SqlStore,
        playbook: Playbook,
        playbook_toml: String,
        clock: impl Clock,
        config: Config,
    ) -> AppState {
        AppState(Arc::new(Inner {
            store,
            playbook,
            playbook_toml,
            clock: Box::new(clock),
            config,
            limiter: auth::LoginLimiter::default(),
        }))
    }

    pub fn store(&self) -> &SqlStore {
        &self.0.store
    }

    pub fn playbook(&self) -> &Playbook {
        &self.0.playbook
    }

    pub fn playbook_toml(&self) -> &str {
        &self.0.playbook_toml
    }

    pub fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn limiter(&self) -> &auth::LoginLimiter {
        &self.0.limiter
    }

    /// The day plans are made for.
    pub fn today(&self) -> Date {
        self.0
            .config
            .fixed_date
            .unwrap_or_else(|| self.now().to_zoned(self.0.config.zone.clone()).date())
    }
}

/// Every route of the service: the API, its document, the pages and their assets.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new().compress_when(headers::compress_when()))
        .layer(axum::middleware::from_fn(headers::security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// An unknown path: a JSON 404 under `/api/`, the not-found page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        api::not_found(uri.path())
    } else {
        pages::not_found_page()
    }
}

/// Serves until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(sweep_sessions(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    result
}

/// Deletes expired sessions every ten minutes, so the table holds live ones only.
async fn sweep_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = state.now().as_second();
        if let Err(e) = rounds_store::Store::delete_stale_sessions(
            state.store(),
            now - auth::IDLE_TIMEOUT_S,
            now - auth::ABSOLUTE_TIMEOUT_S,
        )
        .await
        {
            tracing::warn!(error = %e, "could not remove stale sessions");
        }
    }
}
