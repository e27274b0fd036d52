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
mod feed;
mod headers;
mod pages;
mod server;
mod summaries;

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
pub use ipnet::IpNet;
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
    /// Peers whose `X-Forwarded-For` / `Forwarded` header names the client (reverse
    /// proxies). From anyone else those headers are ignored, so they cannot be forged.
    pub trusted_proxies: Vec<IpNet>,
    /// Timeouts, connection caps and the shutdown grace period.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            fixed_date: None,
            zone: TimeZone::UTC,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// What a client may hold of the server: how long it may take to send a request, how
/// many connections it may keep open, and how long a shutdown waits for requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A request's head (request line and headers) must arrive within this time of
    /// the connection being ready for it, whether new or idle between requests; after
    /// it the connection is closed. One timer serves both because hyper starts it as
    /// soon as it waits for a head.
    pub header_timeout: Duration,
    /// A request's whole body must arrive within this time of its head; after it the
    /// answer is 408 and the connection is closed.
    pub body_timeout: Duration,
    /// Open connections at most; beyond it new ones wait in the listen queue. Keep it
    /// below the open-file limit less the database pool.
    pub max_connections: usize,
    /// Open connections from one client address (an IPv6 /64) at most; more are closed
    /// at once. Trusted proxies are exempt.
    pub max_connections_per_address: usize,
    /// After the shutdown signal, requests in flight get this long to finish.
    pub shutdown_grace: Duration,
    /// CPU-heavy jobs (argon2, planning, playbook checks) running at once, on the
    /// blocking pool; more wait their turn, so the async workers stay free.
    pub cpu_slots: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
            max_connections_per_address: 64,
            shutdown_grace: Duration::from_secs(10),
            cpu_slots: std::thread::available_parallelism().map_or(2, |n| n.get()),
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
    cpu: Arc<tokio::sync::Semaphore>,
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
        let cpu = Arc::new(tokio::sync::Semaphore::new(config.limits.cpu_slots.max(1)));
        AppState(Arc::new(Inner {
            cpu,
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

    /// Runs CPU-heavy work (argon2, planning, a playbook check) on the blocking pool,
    /// at most [`Limits::cpu_slots`] jobs at once: on an async worker it would hold up
    /// every other request, and unbounded it would crowd them out of the CPU.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        // The slot moves into the job, so a client that goes away does not free it
        // while the work still runs.
        let slot = self
            .0
            .cpu
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await
        .map_err(ApiError::internal)
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
        .merge(feed::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            server::body_deadline,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new().compress_when(headers::compress_when()))
        .layer(axum::middleware::from_fn(headers::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(feed::request_span))
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

/// Serves until `shutdown` resolves, then stops accepting and lets requests in flight
/// finish for up to [`Limits::shutdown_grace`]; connections still open then are closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(sweep_sessions(state.clone()));
    let result = server::accept_loop(listener, state, shutdown).await;
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
