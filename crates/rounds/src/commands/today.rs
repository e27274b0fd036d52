//! `rounds today`: a rep's plan for a day.

use anyhow::Result;

use super::{Cx, cli_error, resolve_rep};
use crate::cli::TodayArgs;
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, a: TodayArgs) -> Result<()> {
    let rep = resolve_rep(cx, a.rep.as_deref())?;
    let today = a.date.unwrap_or(cx.s.today);
    let mut plan = rounds_app::plan_for(cx.store, cx.actor, &cx.s.playbook, rep.id, today)
        .await
        .map_err(cli_error)?;
    if let Some(off) = plan.day_off.clone() {
        let said = format!(
            "{today} ({}) is not a working day for {}: {}. Nothing is planned.",
            today.strftime("%A"),
            rep.name,
            off.why
        );
        match off.next_working_day {
            Some(next) if a.next_working_day => {
                // The day off is said on stderr, so `--json` output stays one plan.
                eprintln!("{said}\nShowing the next working day, {next}.");
                plan = rounds_app::plan_for(cx.store, cx.actor, &cx.s.playbook, rep.id, next)
                    .await
                    .map_err(cli_error)?;
            }
            next => {
                if a.json {
                    return print_json(&plan);
                }
                outln!("{said}")?;
                if let Some(next) = next {
                    eprintln!(
                        "hint: `rounds today --next-working-day` (or `--date {next}`) shows the plan of the next working day, {next}"
                    );
                }
                eprintln!(
                    "hint: the field week and holidays are `[day] working_days` and `holidays` in the playbook (`rounds playbook show`); a rep's own week and time off are `rounds rep calendar`"
                );
                return Ok(());
            }
        }
    }
    let drafts = if a.drafts {
        let territory = rounds_app::territory_for(cx.store, cx.actor, rep.id)
            .await
            .map_err(cli_error)?;
        let templates = rounds_app::templates_in_use(cx.store, cx.actor)
            .await
            .map_err(cli_error)?;
        rounds_app::drafts_for_plan(&territory, &plan, &cx.s.playbook, &rep, &templates)
    } else {
        vec![]
    };
    if a.json {
        if a.drafts {
            return print_json(&serde_json::json!({ "plan": plan, "drafts": drafts }));
        }
        return print_json(&plan);
    }
    out!(
        "{}",
        render::plan_with_drafts(
            &plan,
            &format!("{} <{}>", rep.name, rep.email),
            a.all_flags,
            &drafts
        )
    )?;
    Ok(())
}
