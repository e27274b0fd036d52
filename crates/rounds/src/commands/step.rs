//! `rounds step`: the open next steps (P33) and what the rep decides about each —
//! complete, reschedule, skip, edit — through `rounds_app::steps`, the same rules as the
//! API and the Today page. A step's id is the id of the touch that set it.

use anyhow::Result;
use rounds_app::{AppError, StepFilter};
use rounds_core::model::{StepAction, StepUpdate, TouchId};

use super::{Cx, cli_error, resolve_rep};
use crate::cli::StepCommand;
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, c: StepCommand) -> Result<()> {
    let (store, actor, pb, now) = (cx.store, cx.actor, &cx.s.playbook, cx.s.now);
    let update = match c {
        StepCommand::List(a) => {
            let rep = match a.rep.as_deref() {
                Some(r) => Some(resolve_rep(cx, Some(r))?.id),
                None => None,
            };
            let today = a.date.unwrap_or(cx.s.today);
            let filter = StepFilter {
                rep,
                overdue: a.overdue,
            };
            let steps = rounds_app::list_steps(store, actor, pb, filter, today)
                .await
                .map_err(cli_error)?;
            if a.json {
                return print_json(&steps);
            }
            if steps.is_empty() {
                outln!("No open next steps.")?;
                return Ok(());
            }
            let rows = steps
                .iter()
                .map(|s| {
                    let late = match s.days_overdue {
                        d if d > 0 && s.triage => format!("{d} days late · triage"),
                        d if d > 0 => format!("{d} days late"),
                        0 => "due today".into(),
                        d => format!("in {} days", -d),
                    };
                    vec![
                        s.step.to_string(),
                        s.due.to_string(),
                        late,
                        s.contact_name.clone(),
                        s.account_name.clone(),
                        s.what.clone(),
                    ]
                })
                .collect();
            outln!(
                "{}",
                render::table(&["step", "due", "", "contact", "account", "what"], rows)
            )?;
            return Ok(());
        }
        StepCommand::Complete(a) => rounds_app::complete_step(store, actor, pb, TouchId(a.id), now)
            .await
            .map_err(cli_error)?,
        StepCommand::Reschedule(a) => {
            rounds_app::reschedule_step(store, actor, pb, TouchId(a.id), a.to, &a.reason, now)
                .await
                .map_err(|e| match e {
                    // The new date is `--to` here, `--due` for an edit.
                    AppError::Invalid { field, message } if field == "due" => {
                        anyhow::anyhow!("--to: {message}")
                    }
                    other => cli_error(other),
                })?
        }
        StepCommand::Skip(a) => {
            rounds_app::skip_step(store, actor, pb, TouchId(a.id), &a.reason, now)
                .await
                .map_err(cli_error)?
        }
        StepCommand::Edit(a) => rounds_app::edit_step(
            store,
            actor,
            pb,
            TouchId(a.id),
            a.what.as_deref(),
            a.due,
            now,
        )
        .await
        .map_err(cli_error)?,
    };
    outln!("{}", said(&update))?;
    Ok(())
}

/// One line saying what was done.
fn said(u: &StepUpdate) -> String {
    let step = u.touch;
    match &u.action {
        StepAction::Complete => format!("Completed step {step}."),
        StepAction::Reschedule { due, reason } => {
            format!("Moved step {step} to {due} ({reason}).")
        }
        StepAction::Skip { reason } => format!("Skipped step {step} ({reason})."),
        StepAction::Edit { what, due } => {
            let mut parts = Vec::new();
            if let Some(w) = what {
                parts.push(format!("now \"{w}\""));
            }
            if let Some(d) = due {
                parts.push(format!("due {d}"));
            }
            format!("Edited step {step}: {}.", parts.join(", "))
        }
    }
}
