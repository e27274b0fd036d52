//! `rounds mail draft|review|approve|return|send|cancel|list`: the outbox from the
//! command line, thin calls into `rounds_app::outbox`.

use std::io::Read;

use anyhow::{Context, Result, anyhow};
use comfy_table::Table;
use rounds_app::Actor;
use rounds_app::outbox::{self, DraftInput, OutboxFilter, ReviewInput};
use rounds_core::model::{TopicId, TouchKind};
use rounds_core::sending::{OutboxId, OutboxMessage, OutboxState};

use super::{Cx, cli_error, find_contact};
use crate::cli::MailCommand;
use crate::print_json;

pub(crate) async fn run(cx: &Cx<'_>, c: MailCommand) -> Result<()> {
    let (s, store, actor) = (cx.s, cx.store, cx.actor);
    match c {
        MailCommand::Draft(a) => {
            let contact = find_contact(cx, &a.contact).await?;
            let body = match (a.body, a.body_file) {
                (Some(b), _) => b,
                (None, Some(path)) if path.as_os_str() == "-" => {
                    let mut b = String::new();
                    std::io::stdin()
                        .read_to_string(&mut b)
                        .context("--body-file -: cannot read standard input as UTF-8 text")?;
                    b
                }
                (None, Some(path)) => std::fs::read_to_string(&path)
                    .with_context(|| format!("--body-file: cannot read {}", path.display()))?,
                (None, None) => String::new(),
            };
            let kind: TouchKind = a.kind.parse().map_err(|e| anyhow!("--kind: {e}"))?;
            let m = outbox::save_draft(
                store,
                actor,
                DraftInput {
                    id: a.id.map(OutboxId),
                    contact: contact.id,
                    subject: a.subject,
                    body,
                    topic: a.topic.map(TopicId),
                    kind,
                    urgent: a.urgent,
                },
                s.now,
            )
            .await
            .map_err(cli_error)?;
            say(&m, a.json, || {
                format!(
                    "Draft {} to {} saved.\nNext: `rounds mail send {}` (or `rounds mail review {}` to ask your manager first).",
                    m.id, contact.name, m.id, m.id
                )
            })
        }
        MailCommand::Review(a) => {
            let m = outbox::submit_for_review(store, actor, OutboxId(a.id))
                .await
                .map_err(cli_error)?;
            say(&m, a.json, || {
                format!("Draft {} is with your manager for review.", m.id)
            })
        }
        MailCommand::Approve(a) => {
            let reviewer = as_user(cx, &a.reviewer).await?;
            let m = outbox::approve(
                store,
                &reviewer,
                OutboxId(a.id),
                ReviewInput {
                    comment: a.comment,
                    queue: !a.hold,
                },
                &s.playbook,
                s.now,
            )
            .await
            .map_err(cli_error)?;
            say(&m, a.json, || match m.state {
                OutboxState::Queued => format!("Approved; {}", leaves(&m)),
                _ => format!(
                    "Approved; the author sends it with `rounds mail send {}`.",
                    m.id
                ),
            })
        }
        MailCommand::Return(a) => {
            let reviewer = as_user(cx, &a.reviewer).await?;
            let m = outbox::return_draft(store, &reviewer, OutboxId(a.id), &a.comment, s.now)
                .await
                .map_err(cli_error)?;
            say(&m, a.json, || {
                format!("Returned draft {} to its author with your comment.", m.id)
            })
        }
        MailCommand::Send(a) => {
            let m = outbox::queue(store, actor, OutboxId(a.id), &s.playbook, s.now)
                .await
                .map_err(cli_error)?;
            say(&m, a.json, || leaves(&m))
        }
        MailCommand::Cancel(a) => {
            let m = outbox::cancel(store, actor, OutboxId(a.id))
                .await
                .map_err(cli_error)?;
            say(&m, a.json, || format!("Cancelled mail {}.", m.id))
        }
        MailCommand::List(a) => {
            let states = if a.state.is_empty() {
                None
            } else {
                Some(
                    a.state
                        .iter()
                        .map(|x| {
                            x.parse::<OutboxState>()
                                .map_err(|e| anyhow!("--state: {e}"))
                        })
                        .collect::<Result<Vec<_>>>()?,
                )
            };
            let rows = outbox::list_outbox(store, actor, &OutboxFilter { states })
                .await
                .map_err(cli_error)?;
            if a.json {
                return print_json(&rows);
            }
            if rows.is_empty() {
                outln!("The outbox is empty.")?;
                eprintln!("hint: `rounds mail draft --contact ID --subject … --body …`");
                return Ok(());
            }
            let mut t = Table::new();
            t.set_header([
                "id",
                "state",
                "author",
                "contact",
                "subject",
                "leaves / sent",
            ]);
            for m in &rows {
                let when = m
                    .sent_at
                    .or(m.not_before)
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                t.add_row([
                    m.id.to_string(),
                    m.state.to_string(),
                    m.author.to_string(),
                    m.contact.to_string(),
                    m.subject.clone(),
                    when,
                ]);
            }
            outln!("{t}")?;
            Ok(())
        }
    }
}

/// `--as`: the command line acting as one of the organisation's users (a reviewer names
/// themself in the review).
async fn as_user(cx: &Cx<'_>, wanted: &str) -> Result<Actor> {
    let users = &cx.actor.scope.users;
    let w = wanted.trim();
    let me = users
        .iter()
        .find(|u| u.id.to_string() == w || u.email.eq_ignore_ascii_case(w))
        .cloned()
        .ok_or_else(|| anyhow!("--as: no user `{w}` in organisation {}", cx.s.org))?;
    Ok(Actor::user(cx.s.org, me, users.clone()))
}

fn leaves(m: &OutboxMessage) -> String {
    match m.not_before {
        Some(t) => format!(
            "mail {} is queued and leaves at {t} (its next window, P38/P39).",
            m.id
        ),
        None => format!("mail {} is queued.", m.id),
    }
}

fn say(m: &OutboxMessage, json: bool, text: impl FnOnce() -> String) -> Result<()> {
    if json {
        return print_json(m);
    }
    outln!("{}", text())?;
    Ok(())
}
