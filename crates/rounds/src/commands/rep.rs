//! `rounds rep hours|calendar`: a rep's own field week and hours, and a look at their
//! calendar (week and time off).

use anyhow::{Result, anyhow};
use rounds_app::WorkWeekInput;
use rounds_core::model::{TimeRange, parse_weekdays, weekday_key};

use super::{Cx, cli_error, resolve_rep};
use crate::cli::RepCommand;
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, c: RepCommand) -> Result<()> {
    match c {
        RepCommand::Hours(a) => {
            let rep = resolve_rep(cx, Some(&a.rep))?;
            let days = parse_weekdays(&a.days).map_err(|e| anyhow!("--days: {e}"))?;
            let hours = match a.hours.as_deref() {
                Some(h) => Some(
                    h.parse::<TimeRange>()
                        .map_err(|e| anyhow!("--hours: {e}"))?,
                ),
                None => None,
            };
            let week = rounds_app::set_work_week(
                cx.store,
                cx.actor,
                WorkWeekInput {
                    rep: rep.id,
                    days,
                    hours,
                },
            )
            .await
            .map_err(cli_error)?;
            let off: Vec<&str> =
                cx.s.playbook
                    .working_days
                    .iter()
                    .filter(|d| !week.days.contains(d))
                    .map(|d| weekday_key(*d))
                    .collect();
            outln!(
                "{} works {}{}.",
                rep.name,
                days_text(&week.days),
                week.hours
                    .map(|h| format!(", {h}"))
                    .unwrap_or_else(|| " (the playbook's field day)".into())
            )?;
            if !off.is_empty() {
                outln!("Nothing is planned for them on {}.", off.join(", "))?;
            }
            Ok(())
        }
        RepCommand::Calendar(a) => {
            let rep = resolve_rep(cx, Some(&a.rep))?;
            let calendar = rounds_app::calendar_of(cx.store, cx.actor, rep.id)
                .await
                .map_err(cli_error)?;
            if a.json {
                return print_json(&calendar);
            }
            match &calendar.week {
                Some(w) => outln!(
                    "{} works {}{}.",
                    rep.name,
                    days_text(&w.days),
                    w.hours.map(|h| format!(", {h}")).unwrap_or_default()
                )?,
                None => outln!("{} works the playbook's field week.", rep.name)?,
            }
            if calendar.time_off.is_empty() {
                outln!("No time off recorded.")?;
            } else {
                out!("{}", time_off_table(&calendar.time_off))?;
            }
            Ok(())
        }
    }
}

fn days_text(days: &[jiff::civil::Weekday]) -> String {
    days.iter()
        .map(|d| weekday_key(*d))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn time_off_table(rows: &[rounds_core::model::TimeOff]) -> String {
    render::table(
        &["id", "rep", "from", "to", "reason"],
        rows.iter()
            .map(|t| {
                vec![
                    t.id.to_string(),
                    t.rep.to_string(),
                    t.from.to_string(),
                    t.to.to_string(),
                    t.reason.clone(),
                ]
            })
            .collect(),
    )
}
