//! `rounds serve`: the web application and the JSON API, with request logs and a
//! graceful shutdown on Ctrl-C or SIGTERM.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use rounds_core::playbook::DEFAULT_TOML;
use rounds_store::SqlStore;

use crate::cli::{LogFormat, ServeArgs};
use crate::settings::{Settings, clock_now};

/// The system clock, for the server; the only other place the time is read.
struct SystemClock;

impl rounds_web::Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        clock_now()
    }
}

pub(crate) async fn run(
    store: SqlStore,
    s: &Settings,
    playbook: Option<&Path>,
    a: ServeArgs,
) -> Result<()> {
    // The server shows the playbook's text as well as planning with it.
    let toml = match playbook {
        Some(path) => crate::settings::read_playbook(path)?,
        None => DEFAULT_TOML.to_string(),
    };
    init_logs(a.log_format);
    let listener = tokio::net::TcpListener::bind(&a.listen)
        .await
        .with_context(|| format!("--listen: cannot listen on {}", a.listen))?;
    let address = listener.local_addr()?;
    let config = rounds_web::Config {
        fixed_date: a.date,
        zone: jiff::tz::TimeZone::system(),
        secure_cookies: a.secure_cookies,
        trusted_proxies: a.trusted_proxies.clone(),
        limits: rounds_web::Limits {
            header_timeout: Duration::from_secs(a.header_timeout),
            body_timeout: Duration::from_secs(a.body_timeout),
            max_connections: usize::try_from(a.max_connections).unwrap_or(usize::MAX),
            max_connections_per_address: usize::try_from(a.max_connections_per_address)
                .unwrap_or(usize::MAX),
            shutdown_grace: Duration::from_secs(a.shutdown_grace),
            ..rounds_web::Limits::default()
        },
    };
    let state =
        rounds_web::AppState::new(store.clone(), s.playbook.clone(), toml, SystemClock, config);
    // The outbox worker runs beside the server when mail can go out.
    let worker = match super::worker::Worker::from_args(&a.smtp, s)? {
        Some(w) => {
            let w = std::sync::Arc::new(w);
            let interval = Duration::from_secs(a.smtp.worker_interval.max(1));
            Some((w.clone(), tokio::spawn(w.forever(store.clone(), interval))))
        }
        None => None,
    };
    // Each rep's day is summarised once, in the background, for the Team page and the
    // reports.
    let summaries = tokio::spawn(super::report::summaries_forever(
        store.clone(),
        s.org,
        s.playbook.clone(),
        a.date,
        s.pinned_now,
    ));
    let stop = shutdown_signal()?;
    // The address goes to stdout, so scripts that start on port 0 can read it.
    outln!("Rounds is serving on http://{address} (Ctrl-C to stop)")?;
    use std::io::Write;
    std::io::stdout().flush().ok();
    rounds_web::serve(listener, state, stop)
        .await
        .context("the server stopped with an error")?;
    summaries.abort();
    if let Some((w, task)) = worker {
        task.abort();
        w.stop(&store).await;
    }
    store.close().await;
    eprintln!("Rounds stopped.");
    Ok(())
}

fn init_logs(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ROUNDS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Resolves on Ctrl-C or SIGTERM, so that requests in flight finish. The handlers are
/// installed here, before the address is announced: a signal that came before the
/// future is first polled would otherwise end the process on the spot.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let stop = {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
    };
    #[cfg(not(unix))]
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(async move {
        stop.await;
        tracing::info!("shutting down: finishing requests in flight (up to the grace period)");
    })
}
