//! `rounds capture FILE|-`, `rounds capture --imap-url URL [--once]` and `rounds capture
//! review list|assign|dismiss`: e-mail logged as touches without retyping (P48).

use std::io::Read;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use rounds_app::{AppError, CaptureSummary};
use rounds_core::capture::ReviewState;
use rounds_store::{AuditActor, ReviewItem};
use serde::Serialize;

use super::{Cx, cli_error};
use crate::cli::{CaptureArgs, CaptureCommand, ReviewCommand};
use crate::imap::ImapUrl;
use crate::print_json;

/// Problems listed before "… and N more".
const MAX_LISTED: usize = 50;

/// The largest message or mbox read: far above any mail with attachments a server
/// accepts, and a bound on what a stray file can make the command hold in memory.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Default, Serialize)]
struct Summary {
    messages: usize,
    logged: usize,
    touches: Vec<i64>,
    steps_completed: Vec<i64>,
    duplicates: usize,
    to_review: Vec<i64>,
}

impl Summary {
    fn add(&mut self, s: &CaptureSummary) {
        self.messages += s.messages;
        self.logged += s.logged.len();
        self.touches.extend(s.logged.iter().map(|t| t.id.0));
        self.steps_completed.extend(s.completed.iter().map(|t| t.0));
        self.duplicates += s.duplicates;
        self.to_review.extend(s.review.iter().copied());
    }

    fn print(&self, json: bool) -> Result<()> {
        if json {
            return print_json(self);
        }
        outln!(
            "{} message(s): {} touch(es) logged, {} duplicate(s) ignored, {} to review",
            self.messages,
            self.logged,
            self.duplicates,
            self.to_review.len()
        )?;
        if !self.steps_completed.is_empty() {
            outln!(
                "Replies completed {} next step(s).",
                self.steps_completed.len()
            )?;
        }
        if !self.to_review.is_empty() {
            outln!("See them with `rounds capture review list`.")?;
        }
        Ok(())
    }
}

pub(crate) async fn run(cx: &Cx<'_>, a: CaptureArgs) -> Result<()> {
    if let Some(CaptureCommand::Review(c)) = a.review {
        return review(cx, c).await;
    }
    if let Some(url) = &a.imap_url {
        let target = ImapUrl::parse(url)?;
        return imap(cx, &target, a.once, a.every, a.json).await;
    }
    let Some(path) = a.file else {
        bail!(
            "say what to capture: FILE (.eml or .mbox), - for standard input, or --imap-url URL\n\
             hint: `rounds capture --help` has examples"
        );
    };
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        ("<stdin>".to_string(), bytes)
    } else {
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut bytes = Vec::new();
        file.take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        (path.display().to_string(), bytes)
    };
    if bytes.len() as u64 > MAX_BYTES {
        bail!(
            "{name}: larger than {} MiB; split the mbox",
            MAX_BYTES >> 20
        );
    }
    let done = capture(cx, &name, &bytes, cx.s.now).await?;
    let mut summary = Summary::default();
    summary.add(&done);
    summary.print(a.json)
}

/// Captures `bytes`, saying each problem as `NAME:LINE: message N: why`.
async fn capture(
    cx: &Cx<'_>,
    name: &str,
    bytes: &[u8],
    now: jiff::Timestamp,
) -> Result<CaptureSummary> {
    match rounds_app::capture_mail(cx.store, cx.actor, bytes, now).await {
        Ok(done) => Ok(done),
        Err(AppError::Import { problems, total }) => {
            for p in problems.iter().take(MAX_LISTED) {
                eprintln!("{name}:{}: {}: {}", p.line, p.field, p.message);
            }
            if total > MAX_LISTED {
                eprintln!("… and {} more", total - MAX_LISTED);
            }
            Err(anyhow!(
                "{name}: {total} message(s) could not be read; nothing was captured"
            ))
        }
        Err(other) => Err(cli_error(other)),
    }
}

async fn imap(cx: &Cx<'_>, target: &ImapUrl, once: bool, every: u64, json: bool) -> Result<()> {
    loop {
        // A poller runs for days: each round reads the clock, and its changes are
        // logged at that reading.
        let now = crate::settings::clock_now();
        let store = cx.store.clone().acting_as(AuditActor::Operator, now);
        let round = Cx {
            store: &store,
            s: cx.s,
            actor: cx.actor,
        };
        let round = &round;
        let polled = crate::imap::poll(target, |uid, bytes| async move {
            let name = format!("{target} message uid {uid}");
            capture(round, &name, &bytes, now).await
        })
        .await;
        match polled {
            Ok(p) => {
                let mut summary = Summary::default();
                for done in &p.captured {
                    summary.add(done);
                }
                summary.print(json)?;
                for (uid, why) in &p.refused {
                    eprintln!("message uid {uid} left unseen: {why}");
                }
                if once {
                    if !p.refused.is_empty() {
                        bail!(
                            "{} message(s) could not be captured and were left unseen",
                            p.refused.len()
                        );
                    }
                    return Ok(());
                }
            }
            Err(e) if once => return Err(e),
            Err(e) => eprintln!("error: {e:#} (trying again in {every} s)"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(every)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

async fn review(cx: &Cx<'_>, c: ReviewCommand) -> Result<()> {
    match c {
        ReviewCommand::List(a) => {
            let state = (!a.all).then_some(ReviewState::Open);
            let items = rounds_app::list_review(cx.store, cx.actor, state)
                .await
                .map_err(cli_error)?;
            if a.json {
                let rows: Vec<ReviewRow> = items.iter().map(ReviewRow::of).collect();
                return print_json(&rows);
            }
            if items.is_empty() {
                outln!("Nothing to review.")?;
                return Ok(());
            }
            let rows = items
                .iter()
                .map(|i| {
                    vec![
                        i.id.to_string(),
                        i.received_at.strftime("%Y-%m-%d %H:%M").to_string(),
                        i.state.as_str().to_string(),
                        i.entry.direction.as_str().to_string(),
                        i.entry
                            .party
                            .as_ref()
                            .map_or_else(|| "-".into(), ToString::to_string),
                        i.entry.subject.clone(),
                        i.reason.to_string(),
                    ]
                })
                .collect();
            let header = ["ID", "RECEIVED", "STATE", "DIR", "PARTY", "SUBJECT", "WHY"];
            outln!("{}", crate::render::table(&header, rows))?;
            Ok(())
        }
        ReviewCommand::Assign(a) => {
            let contact = rounds_app::find_contact(cx.store, cx.actor, &a.contact)
                .await
                .map_err(cli_error)?;
            let touch = rounds_app::assign_review(cx.store, cx.actor, a.id, contact.id, cx.s.now)
                .await
                .map_err(review_error)?;
            outln!(
                "Logged touch {} on {} ({}); review item {} assigned.",
                touch.id,
                contact.name,
                contact.id,
                a.id
            )?;
            Ok(())
        }
        ReviewCommand::Dismiss(a) => {
            rounds_app::dismiss_review(cx.store, cx.actor, a.id)
                .await
                .map_err(review_error)?;
            outln!("Review item {} dismissed.", a.id)?;
            Ok(())
        }
    }
}

fn review_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound { id, .. } => {
            anyhow!("no review item with id {id}\nhint: `rounds capture review list` shows the ids")
        }
        AppError::Conflict { message, .. } => anyhow!("ID: {message}"),
        other => cli_error(other),
    }
}

#[derive(Debug, Serialize)]
struct ReviewRow<'a> {
    id: i64,
    received_at: String,
    state: &'static str,
    direction: &'static str,
    party: Option<String>,
    subject: &'a str,
    why: String,
    message_id: &'a str,
    contact: Option<i64>,
    touch: Option<i64>,
}

impl<'a> ReviewRow<'a> {
    fn of(i: &'a ReviewItem) -> ReviewRow<'a> {
        ReviewRow {
            id: i.id,
            received_at: i.received_at.to_string(),
            state: i.state.as_str(),
            direction: i.entry.direction.as_str(),
            party: i.entry.party.as_ref().map(ToString::to_string),
            subject: &i.entry.subject,
            why: i.reason.to_string(),
            message_id: &i.message_id,
            contact: i.contact.map(|c| c.0),
            touch: i.touch.map(|t| t.0),
        }
    }
}
