//! `rounds timeoff add|list|remove`: a rep's time off; nothing is planned on it.

use anyhow::Result;
use rounds_app::TimeOffInput;
use rounds_core::model::TimeOffId;

use super::{Cx, cli_error, resolve_rep};
use crate::cli::TimeoffCommand;
use crate::print_json;

pub(crate) async fn run(cx: &Cx<'_>, c: TimeoffCommand) -> Result<()> {
    match c {
        TimeoffCommand::Add(a) => {
            let rep = resolve_rep(cx, Some(&a.rep))?;
            let t = rounds_app::add_time_off(
                cx.store,
                cx.actor,
                TimeOffInput {
                    rep: rep.id,
                    from: a.from,
                    to: a.to.unwrap_or(a.from),
                    reason: a.reason,
                },
            )
            .await
            .map_err(cli_error)?;
            outln!(
                "Added time off {} for {}: {} to {} ({}). Nothing is planned for them on those days.",
                t.id,
                rep.name,
                t.from,
                t.to,
                t.reason
            )?;
            Ok(())
        }
        TimeoffCommand::List(a) => {
            let rep = match a.rep.as_deref() {
                Some(r) => Some(resolve_rep(cx, Some(r))?.id),
                None => None,
            };
            let rows = rounds_app::list_time_off(cx.store, cx.actor, rep)
                .await
                .map_err(cli_error)?;
            if a.json {
                return print_json(&rows);
            }
            if rows.is_empty() {
                outln!("No time off recorded.")?;
                eprintln!(
                    "hint: `rounds timeoff add --rep 2 --from 2026-12-21 --to 2026-12-31 --reason vacation`"
                );
            } else {
                out!("{}", super::rep::time_off_table(&rows))?;
            }
            Ok(())
        }
        TimeoffCommand::Remove(a) => {
            let t = rounds_app::remove_time_off(cx.store, cx.actor, TimeOffId(a.id))
                .await
                .map_err(cli_error)?;
            outln!(
                "Removed time off {} ({} to {}); those days are working days again.",
                t.id,
                t.from,
                t.to
            )?;
            Ok(())
        }
    }
}
