//! `rounds report refresh|show`: the reps' summaries of the day (what the Team page and
//! the reports read) and the reports as tables or CSV. The same pass runs in the
//! background of `rounds serve` and `rounds worker`.

use std::time::Instant;

use anyhow::{Result, anyhow};
use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::OrgId;
use rounds_core::playbook::Playbook;
use rounds_core::reports::{self, Report};
use rounds_store::SqlStore;

use super::{Cx, cli_error};
use crate::cli::{ReportCommand, ReportShowArgs};
use crate::render::table;

/// What a pass did.
pub(crate) struct Pass {
    pub(crate) summarised: usize,
    pub(crate) seconds: f64,
}

/// One pass of [`rounds_app::reports::refresh_org`], timed.
pub(crate) async fn summarise_pass(
    store: &SqlStore,
    org: OrgId,
    pb: &Playbook,
    today: Date,
    now: Timestamp,
) -> Result<Pass> {
    let start = Instant::now();
    let summarised = rounds_app::reports::refresh_org(store, org, pb, today, now)
        .await
        .map_err(|e| anyhow!("the rep summaries: {e}"))?;
    Ok(Pass {
        summarised,
        seconds: start.elapsed().as_secs_f64(),
    })
}

pub(crate) async fn run(cx: &Cx<'_>, c: ReportCommand) -> Result<()> {
    match c {
        ReportCommand::Refresh => {
            let pass =
                summarise_pass(cx.store, cx.s.org, &cx.s.playbook, cx.s.today, cx.s.now).await?;
            outln!(
                "Summarised {} rep{} for {} in {:.2} s.",
                pass.summarised,
                if pass.summarised == 1 { "" } else { "s" },
                cx.s.today,
                pass.seconds
            )?;
            Ok(())
        }
        ReportCommand::Show(a) => show(cx, a).await,
    }
}

async fn show(cx: &Cx<'_>, a: ReportShowArgs) -> Result<()> {
    let report = Report::parse(&a.report).ok_or_else(|| {
        anyhow!(
            "REPORT: `{}` is not a report; choose one of {}",
            a.report,
            Report::ALL.map(Report::as_str).join(", ")
        )
    })?;
    summarise_pass(cx.store, cx.s.org, &cx.s.playbook, cx.s.today, cx.s.now).await?;
    let reps = rounds_app::reports::report_reps(cx.actor).map_err(cli_error)?;
    let found = rounds_app::reports::stored_summaries(cx.store, cx.actor, cx.s.today, &reps)
        .await
        .map_err(cli_error)?;
    let name_of = |id| rounds_app::reports::rep_name(cx.actor, id);
    let t = reports::table(report, &found.summaries, &name_of);
    if a.csv {
        out!("{}", reports::to_csv(&t)?)?;
    } else {
        let header: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        let rows = t
            .rows
            .iter()
            .map(|r| r.iter().map(reports::Cell::plain).collect())
            .collect();
        outln!("{}", table(&header, rows))?;
    }
    Ok(())
}

/// How often the background pass looks for reps without today's summary: a new day, or
/// a rep added, is summarised within this long; a pass with nothing to do is one query.
pub(crate) const SUMMARY_INTERVAL: std::time::Duration = std::time::Duration::from_secs(300);

/// The background pass of `rounds serve` and `rounds worker`, until the process ends.
/// `fixed_date` pins the day (`serve --date`), `pinned` the clock (`--now`).
pub(crate) async fn summaries_forever(
    store: SqlStore,
    org: OrgId,
    pb: Playbook,
    fixed_date: Option<Date>,
    pinned: Option<Timestamp>,
) {
    let store = store.acting_as(rounds_store::AuditActor::System, Timestamp::UNIX_EPOCH);
    loop {
        let now = pinned.unwrap_or_else(crate::settings::clock_now);
        let today = fixed_date.unwrap_or_else(|| now.to_zoned(jiff::tz::TimeZone::system()).date());
        match summarise_pass(&store, org, &pb, today, now).await {
            Ok(p) if p.summarised > 0 => tracing::info!(
                reps = p.summarised,
                seconds = p.seconds,
                %today,
                "rep summaries computed"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("{e:#}"),
        }
        tokio::time::sleep(SUMMARY_INTERVAL).await;
    }
}
