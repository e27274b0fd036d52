//! `rounds today`: a rep's plan for a day.

use anyhow::Result;

use super::{Cx, cli_error, resolve_rep};
use crate::cli::TodayArgs;
use crate::{print_json, render};

pub(crate) async fn run(cx: &Cx<'_>, a: TodayArgs) -> Result<()> {
    let rep = resolve_rep(cx, a.rep.as_deref())?;
    let today = a.date.unwrap_or(cx.s.today);
    let plan = rounds_app::plan_for(cx.store, cx.actor, &cx.s.playbook, rep.id, today)
        .await
        .map_err(cli_error)?;
    if a.json {
        return print_json(&plan);
    }
    if !cx.s.playbook.is_working_day(today) {
        let next = cx.s.playbook.next_working_day(today);
        println!(
            "{today} ({}) is not a working day for {}: nothing is planned.",
            today.strftime("%A"),
            rep.name
        );
        eprintln!(
            "hint: the field week and the days off are `[day] working_days` and `holidays` in the playbook (`rounds playbook show`)"
        );
        if let Some(next) = next {
            eprintln!("hint: `rounds today --date {next}` shows the next working day's plan");
        }
        return Ok(());
    }
    print!(
        "{}",
        render::plan(&plan, &format!("{} <{}>", rep.name, rep.email), a.all_flags)
    );
    Ok(())
}
