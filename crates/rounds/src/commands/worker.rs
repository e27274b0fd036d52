//! `rounds worker` (and the worker task of `rounds serve`): sends the organisation's
//! queued mail through its SMTP server, in passes of `rounds_app::outbox::work_once`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use jiff::{SignedDuration, Timestamp};
use rounds_app::outbox::{WorkReport, WorkerSettings, stop_worker, work_once};
use rounds_core::model::OrgId;
use rounds_store::{AuditActor, SqlStore};

use crate::cli::{SmtpArgs, WorkerArgs};
use crate::settings::{Settings, clock_now};
use crate::smtp::Smtp;

/// How long a lease lasts without renewal: a worker killed mid-pass blocks others (with
/// other names) for at most this long.
const LEASE: SignedDuration = SignedDuration::from_secs(120);

/// A ready worker: its transport, its settings and its clock.
pub(crate) struct Worker {
    smtp: Smtp,
    settings: WorkerSettings,
    org: OrgId,
    pinned: Option<Timestamp>,
}

impl Worker {
    /// `None` when no SMTP server is set (the server then sends nothing).
    pub(crate) fn from_args(a: &SmtpArgs, s: &Settings) -> Result<Option<Worker>> {
        let Some(url) = a.smtp_url.as_deref() else {
            return Ok(None);
        };
        let domain = a.mail_from_domain.clone().ok_or_else(|| {
            anyhow!(
                "--mail-from-domain: give the domain of the Message-IDs (e.g. clinic-sales.example)"
            )
        })?;
        if domain.is_empty()
            || !domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            bail!(
                "--mail-from-domain: `{domain}` is not a domain name (letters, digits, dots and hyphens)"
            );
        }
        let public = a.public_url.clone().ok_or_else(|| {
            anyhow!("--public-url: give the address people reach this server at, for the unsubscribe link (https://rounds.example)")
        })?;
        if !(public.starts_with("https://") || public.starts_with("http://"))
            || public.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            bail!("--public-url: `{public}` is not an http(s) address");
        }
        let holder = a.worker_id.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_string())
                .unwrap_or_else(|_| "localhost".into());
            format!("{host}-{}", std::process::id())
        });
        Ok(Some(Worker {
            smtp: Smtp::from_url(url)?,
            settings: WorkerSettings {
                holder,
                mail_from_domain: domain,
                public_url: public.trim_end_matches('/').to_string(),
                lease: LEASE,
            },
            org: s.org,
            pinned: s.pinned_now,
        }))
    }

    fn now(&self) -> Timestamp {
        self.pinned.unwrap_or_else(clock_now)
    }

    /// One pass; the store handle is bound to the worker at the pass's clock reading.
    pub(crate) async fn pass(&self, store: &SqlStore) -> Result<WorkReport> {
        let store = store.acting_as(AuditActor::System, self.now());
        let clock = || self.now();
        work_once(&store, &self.smtp, self.org, &self.settings, &clock)
            .await
            .map_err(|e| anyhow!("the outbox worker: {e}"))
    }

    pub(crate) async fn stop(&self, store: &SqlStore) {
        if let Err(e) = stop_worker(store, self.org, &self.settings).await {
            tracing::warn!("could not release the outbox lease: {e}");
        }
    }

    /// Passes every `interval` until the process ends (the task of `rounds serve`).
    pub(crate) async fn forever(self: Arc<Self>, store: SqlStore, interval: Duration) {
        loop {
            match self.pass(&store).await {
                Ok(r) if r.sent + r.failed + r.refused > 0 || r.deferred => tracing::info!(
                    sent = r.sent,
                    failed = r.failed,
                    refused = r.refused,
                    deferred = r.deferred,
                    "outbox pass"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("{e:#}"),
            }
            tokio::time::sleep(interval).await;
        }
    }
}

pub(crate) async fn run(store: SqlStore, s: &Settings, a: WorkerArgs) -> Result<()> {
    let worker = Worker::from_args(&a.smtp, s)?.ok_or_else(|| {
        anyhow!("--smtp-url: give the SMTP server to send through (or set ROUNDS_SMTP_URL)")
    })?;
    let interval = Duration::from_secs(a.smtp.worker_interval.max(1));
    if a.once {
        let r = worker.pass(&store).await?;
        worker.stop(&store).await;
        report(&r)?;
        if r.not_leased {
            bail!("another worker holds this organisation's sending lease; nothing was sent");
        }
        if r.deferred {
            bail!("the SMTP server could not take a mail now; it stays queued for the next run");
        }
        return Ok(());
    }
    let mut stop = Box::pin(tokio::signal::ctrl_c());
    // The reps' daily summaries (Team page, reports) are the worker's too.
    let summaries = tokio::spawn(super::report::summaries_forever(
        store.clone(),
        s.org,
        s.playbook.clone(),
        None,
        s.pinned_now,
    ));
    loop {
        let r = worker.pass(&store).await?;
        if r.sent + r.failed + r.refused > 0 {
            report(&r)?;
        }
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(interval) => {}
        }
    }
    summaries.abort();
    worker.stop(&store).await;
    Ok(())
}

fn report(r: &WorkReport) -> Result<()> {
    outln!(
        "Sent {}, failed {}, refused {}{}.",
        r.sent,
        r.failed,
        r.refused,
        if r.deferred {
            "; the rest waits for the server"
        } else {
            ""
        }
    )
    .context("writing the report")
}
