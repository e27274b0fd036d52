//! `rounds audit verify|list`: the audit log of every change and the check of its hash
//! chain. A broken chain exits 1, so a cron job or CI step notices.

use anyhow::{Result, bail};
use jiff::Timestamp;
use rounds_app::AuditFilter;
use rounds_store::{AuditEntry, AuditReport};
use serde::Serialize;

use super::{Cx, cli_error};
use crate::cli::AuditCommand;
use crate::{print_json, render};

/// One row as `--json` prints it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    seq: i64,
    at: String,
    actor: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    action: &'a str,
    before: &'a str,
    after: &'a str,
    detail: &'a str,
    hash: &'a str,
}

fn when(at: i64) -> String {
    Timestamp::from_second(at).map_or_else(|_| at.to_string(), |t| t.to_string())
}

fn row(e: &AuditEntry) -> Row<'_> {
    Row {
        seq: e.seq,
        at: when(e.at),
        actor: &e.actor,
        entity: &e.entity,
        entity_id: &e.entity_id,
        action: &e.action,
        before: &e.before,
        after: &e.after,
        detail: &e.detail,
        hash: &e.hash,
    }
}

/// A digest shortened for a table; `--json` has it whole.
fn short(digest: &str) -> String {
    if digest.is_empty() {
        "-".into()
    } else {
        digest.chars().take(12).collect()
    }
}

#[derive(Debug, Serialize)]
struct Verdict {
    whole: bool,
    rows: u64,
    head_seq: Option<i64>,
    head_hash: Option<String>,
    breaks: Vec<Break>,
}

#[derive(Debug, Serialize)]
struct Break {
    seq: i64,
    kind: &'static str,
    message: String,
}

fn verdict(report: &AuditReport) -> Verdict {
    Verdict {
        whole: report.is_whole(),
        rows: report.rows,
        head_seq: report.head.as_ref().map(|h| h.seq),
        head_hash: report.head.as_ref().map(|h| h.hash.clone()),
        breaks: report
            .breaks
            .iter()
            .map(|b| Break {
                seq: b.seq(),
                kind: b.kind(),
                message: b.to_string(),
            })
            .collect(),
    }
}

pub(crate) async fn run(cx: &Cx<'_>, c: AuditCommand) -> Result<()> {
    match c {
        AuditCommand::Verify(a) => {
            let report = rounds_app::verify_audit(cx.store, cx.actor)
                .await
                .map_err(cli_error)?;
            if a.json {
                print_json(&verdict(&report))?;
            } else if report.is_whole() {
                outln!("The audit chain is whole: {} rows.", report.rows)?;
                if let Some(head) = &report.head {
                    // Written down elsewhere, the head also exposes a chain rewritten
                    // from some row on with fresh hashes.
                    outln!("Head: row {}, hash {}", head.seq, head.hash)?;
                }
            } else {
                for b in &report.breaks {
                    outln!("{b}")?;
                }
            }
            if !report.is_whole() {
                bail!(
                    "the audit chain is broken in {} place(s) ({} rows read)\nhint: restore the database from a backup taken before the first break",
                    report.breaks.len(),
                    report.rows
                );
            }
            Ok(())
        }
        AuditCommand::List(a) => {
            let page = rounds_app::audit_log(
                cx.store,
                cx.actor,
                AuditFilter {
                    entity: a.entity,
                    since: a.since,
                    limit: a.limit,
                    offset: 0,
                },
            )
            .await
            .map_err(cli_error)?;
            if a.json {
                let rows: Vec<Row<'_>> = page.entries.iter().map(row).collect();
                return print_json(&rows);
            }
            if page.entries.is_empty() {
                outln!("No changes recorded.")?;
                return Ok(());
            }
            outln!(
                "{}",
                render::table(
                    &[
                        "seq", "at", "actor", "record", "action", "before", "after", "detail"
                    ],
                    page.entries
                        .iter()
                        .map(|e| vec![
                            e.seq.to_string(),
                            when(e.at),
                            e.actor.clone(),
                            format!("{} {}", e.entity, e.entity_id),
                            e.action.clone(),
                            short(&e.before),
                            short(&e.after),
                            e.detail.clone(),
                        ])
                        .collect(),
                )
            )?;
            if page.total > page.entries.len() as u64 {
                eprintln!(
                    "{} of {} rows shown, newest first.",
                    page.entries.len(),
                    page.total
                );
            }
            Ok(())
        }
    }
}
