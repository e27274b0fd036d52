//! `rounds calendar export|feed|busy`: the plan in the rep's own calendar (a one-off
//! .ics on stdout, or a secret feed address), and the rep's busy times read from their
//! calendar's export, which the planner keeps free.

use anyhow::{Context, Result, bail};
use rounds_app::{AppError, BusyInput};
use rounds_core::model::TzName;

use super::{Cx, cli_error, resolve_rep};
use crate::cli::{CalendarBusyCommand, CalendarCommand, CalendarFeedCommand};
use crate::{print_json, render};

/// Problems listed before "… and N more".
const MAX_LISTED: usize = 50;

pub(crate) async fn run(cx: &Cx<'_>, c: CalendarCommand) -> Result<()> {
    match c {
        CalendarCommand::Export(a) => {
            let rep = resolve_rep(cx, a.rep.as_deref())?;
            let from = a.from.unwrap_or(cx.s.today);
            let text = rounds_app::export_calendar(
                cx.store,
                cx.actor,
                &cx.s.playbook,
                rep.id,
                from,
                a.days,
                cx.s.now,
            )
            .await
            .map_err(cli_error)?;
            // The crate ends every line with CRLF, as RFC 5545 asks; written as is.
            out!("{text}")?;
            Ok(())
        }
        CalendarCommand::Feed(CalendarFeedCommand::New(a)) => {
            let user = resolve_rep(cx, a.rep.as_deref())?;
            let made = rounds_app::new_calendar_feed(cx.store, cx.actor, user.id, cx.s.now)
                .await
                .map_err(cli_error)?;
            let base = a.base_url.trim_end_matches('/');
            outln!("{base}{}", rounds_app::feed_path(&made.secret))?;
            eprintln!(
                "The calendar feed of {} ({}). The address is shown only this once; anyone who has \
                 it can read the plan. A new one replaces it; `rounds calendar feed revoke --rep {}` \
                 ends it.",
                user.name, user.email, user.id
            );
            Ok(())
        }
        CalendarCommand::Feed(CalendarFeedCommand::Revoke(a)) => {
            let user = resolve_rep(cx, a.rep.as_deref())?;
            rounds_app::revoke_calendar_feed(cx.store, cx.actor, user.id)
                .await
                .map_err(cli_error)?;
            outln!(
                "Revoked the calendar feed of {}; its address no longer works.",
                user.name
            )?;
            Ok(())
        }
        CalendarCommand::Busy(CalendarBusyCommand::Import(a)) => {
            let rep = resolve_rep(cx, a.rep.as_deref())?;
            let zone = match a.tz.as_deref() {
                Some(z) => Some(
                    z.parse::<TzName>()
                        .map_err(|e| anyhow::anyhow!("--tz: {e}"))?,
                ),
                None => None,
            };
            let bytes = std::fs::read(&a.file)
                .with_context(|| format!("cannot read {}", a.file.display()))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow::anyhow!(
                    "{}: not UTF-8 text (byte {}); export the calendar as .ics again",
                    a.file.display(),
                    e.utf8_error().valid_up_to()
                )
            })?;
            let source = a
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| a.file.display().to_string());
            let input = BusyInput {
                rep: rep.id,
                source,
                text,
                zone,
                from: a.from,
            };
            let done = match rounds_app::import_busy(cx.store, cx.actor, input, cx.s.now).await {
                Ok(d) => d,
                Err(AppError::Import { problems, total }) => {
                    for p in problems.iter().take(MAX_LISTED) {
                        if p.field.is_empty() {
                            eprintln!("{}:{}: {}", a.file.display(), p.line, p.message);
                        } else {
                            eprintln!(
                                "{}:{}: {}: {}",
                                a.file.display(),
                                p.line,
                                p.field,
                                p.message
                            );
                        }
                    }
                    if total > MAX_LISTED {
                        eprintln!("… and {} more", total - MAX_LISTED);
                    }
                    bail!(
                        "{}: {} problem(s); nothing was imported",
                        a.file.display(),
                        total
                    );
                }
                Err(other) => return Err(cli_error(other)),
            };
            let c = done.change;
            outln!(
                "Read {} busy time(s) for {} from {} ({} to {}, floating times in {}): {} added, {} removed, {} unchanged; {} event(s) skipped (free, cancelled or the plan's own), {} outside those days.",
                done.read.busy.len(),
                rep.name,
                a.file.display(),
                done.from.to_zoned(done.zone.zone()).date(),
                done.to.to_zoned(done.zone.zone()).date(),
                done.zone.as_str(),
                c.added,
                c.removed,
                c.unchanged,
                done.read.ignored,
                done.read.outside
            )?;
            Ok(())
        }
        CalendarCommand::Busy(CalendarBusyCommand::List(a)) => {
            let rep = resolve_rep(cx, a.rep.as_deref())?;
            let rows = rounds_app::list_busy(cx.store, cx.actor, rep.id)
                .await
                .map_err(cli_error)?;
            if a.json {
                return print_json(&rows);
            }
            if rows.is_empty() {
                outln!("No busy times for {}.", rep.name)?;
                eprintln!(
                    "hint: `rounds calendar busy import outlook.ics --rep {}`",
                    rep.id
                );
                return Ok(());
            }
            let table = render::table(
                &["start (UTC)", "end (UTC)", "all day", "calendar", "event"],
                rows.iter()
                    .map(|b| {
                        vec![
                            b.start.strftime("%Y-%m-%d %H:%M").to_string(),
                            b.end.strftime("%Y-%m-%d %H:%M").to_string(),
                            if b.all_day { "yes" } else { "" }.to_string(),
                            b.source.clone(),
                            b.uid.clone(),
                        ]
                    })
                    .collect(),
            );
            out!("{table}")?;
            Ok(())
        }
        CalendarCommand::Busy(CalendarBusyCommand::Clear(a)) => {
            let rep = resolve_rep(cx, a.rep.as_deref())?;
            let gone = rounds_app::clear_busy(cx.store, cx.actor, rep.id, a.source.as_deref())
                .await
                .map_err(cli_error)?;
            outln!("Removed {gone} busy time(s) of {}.", rep.name)?;
            Ok(())
        }
    }
}
