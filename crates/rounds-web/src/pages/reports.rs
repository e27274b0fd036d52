//! Reports for managers (and a rep's own): the persistence funnel against the seed's
//! figures (P20), promise keeping (P33), coverage and silence by segment (P23), referral
//! trends per liaison and per referrer with the drops (P9) and the possible competing
//! relationships (P10), and losses by reason, competitor and rep (P18). Every section
//! has its chart, its table and its CSV (`/reports/{report}.csv`); the API serves the
//! same tables (`/api/v1/reports/{report}`).
//!
//! Everything comes from the reps' stored summaries of the day, so a team of two
//! hundred is two hundred small rows, not a scan of every touch.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use rounds_core::model::{LossReason, UserId};
use rounds_core::reports::{self, Cell, FUNNEL_ATTEMPTS, RepSummary, Report, ReportTable};

use super::layout::{Nav, page};
use super::lost::{counts_table, legend};
use crate::AppState;
use crate::charts;
use crate::error::ApiError;
use crate::extract::PageCtx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(reports_page))
        .route("/reports/{file}", get(csv_file))
}

/// The name a report gives a rep.
pub(crate) fn name_of(actor: &rounds_app::Actor) -> impl Fn(UserId) -> String + '_ {
    move |id| rounds_app::reports::rep_name(actor, id)
}

async fn csv_file(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(file): Path<String>,
) -> Response {
    let Some(report) = file.strip_suffix(".csv").and_then(Report::parse) else {
        return super::not_found_page();
    };
    let actor = ctx.actor();
    let found = crate::summaries::summaries_in_view(&state, &actor).await;
    let (summaries, _) = match found {
        Ok(f) => f,
        Err(e) => return super::error_page(e),
    };
    csv_answer(
        &reports::table(report, &summaries, &name_of(&actor)),
        state.today(),
    )
}

/// A report table as a CSV download named after the report and the day.
pub(crate) fn csv_answer(table: &ReportTable, day: jiff::civil::Date) -> Response {
    match reports::to_csv(table) {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-{day}.csv\"",
                        table.report.as_str()
                    ),
                ),
            ],
            text,
        )
            .into_response(),
        Err(e) => super::error_page(ApiError::internal(e)),
    }
}

async fn reports_page(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> Response {
    let actor = ctx.actor();
    let found = crate::summaries::summaries_in_view(&state, &actor).await;
    let (summaries, computed_at) = match found {
        Ok(f) => f,
        Err(e) => return super::error_page(e),
    };
    let name = name_of(&actor);
    let today = state.today();
    let totals = reports::team_totals(&summaries);
    let body = html! {
        h1 { "Reports " small { (today) } }
        p.muted {
            (summaries.len()) " rep" @if summaries.len() != 1 { "s" }
            @if let Some(at) = computed_at {
                " · figures computed at " (at.to_zoned(state.config().zone.clone()).strftime("%H:%M %Z")) " (once a day per rep)"
            }
        }
        nav.toc {
            a href="#funnel" { "Persistence" } " · " a href="#promises" { "Promises" } " · "
            a href="#coverage" { "Coverage" } " · " a href="#referrals" { "Referrals" } " · " a href="#losses" { "Losses" }
        }
        (funnel_section(&summaries, &totals, &name))
        (promises_section(&summaries, &name))
        (coverage_section(&totals, &summaries, &name))
        (referrals_section(&summaries, &totals, &name))
        (losses_section(&summaries, &name))
    };
    page("Reports", Some(&ctx), Nav::Reports, None, body).into_response()
}

fn csv_link(report: Report) -> Markup {
    html! { p.csv { a href={"/reports/" (report.as_str()) ".csv"} download { "Download " (report.as_str()) ".csv" } } }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{:.0}%", x * 100.0))
}

/// A report table as HTML, cells as the CSV has them.
fn html_table(t: &ReportTable) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead { tr { @for c in &t.columns { th { (c) } } } }
                tbody { @for row in &t.rows { tr { @for c in row { td { (c.plain()) } } } } }
            }
        }
    }
}

fn funnel_section(
    summaries: &[RepSummary],
    totals: &reports::TeamTotals,
    name: &dyn Fn(UserId) -> String,
) -> Markup {
    let f = &totals.funnel;
    let labels: Vec<String> = (1..=FUNNEL_ATTEMPTS)
        .map(|k| k.to_string())
        .chain(std::iter::once(format!("{}+", FUNNEL_ATTEMPTS + 1)))
        .collect();
    let as_u32 = |v: &[usize]| {
        v.iter()
            .map(|n| u32::try_from(*n).unwrap_or(u32::MAX))
            .collect::<Vec<_>>()
    };
    let series = vec![
        (
            "reached on this attempt".to_string(),
            as_u32(&f.reached_on_attempt),
        ),
        (
            "given up after this many".to_string(),
            as_u32(&f.gave_up_after),
        ),
    ];
    let seed = reports::table(Report::Seed, summaries, name);
    html! {
        section #funnel {
            h2 { "Persistence " small { "[P20]" } }
            p.muted { "Every contact with a touch, in order: attempts (outbound cadence touches) until the first answer. Not answered and no attempt for "
                (reports::GAVE_UP_AFTER_DAYS) " days: given up. " (f.attempted()) " contacts attempted, " (f.reached()) " reached, "
                (f.given_up()) " given up, " (f.in_progress) " still being worked; " (f.came_inbound) " came to us first." }
            p { "Reached within 1 attempt: " strong { (pct(f.reached_within(1))) } " · within 3: " strong { (pct(f.reached_within(3))) }
                " · within " (FUNNEL_ATTEMPTS) ": " strong { (pct(f.reached_within(FUNNEL_ATTEMPTS))) } }
            (legend(&series))
            (super::chart_figure(
                charts::stacked_bars("Contacts by attempts", &labels, &series),
                "Contacts reached on each attempt, and given up after each number of attempts",
                counts_table("Attempts", &labels, &series),
            ))
            h3 { "Against the seed's figures" }
            div.table-wrap {
                table #seed {
                    thead { tr { th { "Figure" } th { "Team" } th { "Seed" } th { "Over" } } }
                    tbody {
                        @for row in &seed.rows {
                            @let shown = |c: &Cell, share: bool| match c { Cell::Num(x) if share => format!("{:.0}%", x * 100.0), Cell::Num(x) => format!("{x:.1}"), other => other.plain() };
                            @let share = !row[0].plain().contains("average");
                            tr { td { (row[0].plain()) br; small.muted { (row[4].plain()) } }
                                 td { strong { (match &row[1] { Cell::Empty(_) => "–".to_string(), c => shown(c, share) }) } }
                                 td { (shown(&row[2], share)) } td { (row[3].plain()) " contacts" } }
                        }
                    }
                }
            }
            details { summary { "By rep" } (html_table(&reports::table(Report::Funnel, summaries, name))) }
            (csv_link(Report::Funnel)) (csv_link(Report::Seed))
        }
    }
}

fn promises_section(summaries: &[RepSummary], name: &dyn Fn(UserId) -> String) -> Markup {
    let t = reports::table(Report::Promises, summaries, name);
    html! {
        section #promises {
            h2 { "Promise keeping " small { "[P33]" } }
            p.muted { "Next steps due in the last " (reports::PROMISE_DAYS) " days: done on their day, moved by the rep in time, done late or never. Kept = on the day or moved in time." }
            (html_table(&t))
            (csv_link(Report::Promises))
        }
    }
}

fn coverage_section(
    totals: &reports::TeamTotals,
    summaries: &[RepSummary],
    name: &dyn Fn(UserId) -> String,
) -> Markup {
    let labels: Vec<String> = totals
        .segments
        .iter()
        .map(|r| format!("{} {}", r.segment, r.kind))
        .collect();
    let col = |f: fn(&reports::SegmentCoverage) -> usize| {
        totals
            .segments
            .iter()
            .map(|r| u32::try_from(f(r)).unwrap_or(u32::MAX))
            .collect::<Vec<_>>()
    };
    let series = vec![
        ("covered".to_string(), col(|r| r.covered)),
        ("silent".to_string(), col(|r| r.silent)),
        ("never touched".to_string(), col(|r| r.untouched)),
    ];
    html! {
        section #coverage {
            h2 { "Coverage and silence by segment " small { "[P23]" } }
            @if totals.segments.is_empty() { p.empty { "No customer accounts yet." } } @else {
                (legend(&series))
                (super::chart_figure(
                    charts::stacked_bars("Customer accounts by segment", &labels, &series),
                    "Customer accounts by segment and kind: covered, silent past the playbook's maximum, never touched",
                    html_table(&reports::table(Report::Coverage, summaries, name)),
                ))
            }
            (csv_link(Report::Coverage))
        }
    }
}

/// Referrers listed by name on the page; the CSV has them all (a page of a 200-rep team
/// stays readable on a phone).
const LISTED: usize = 50;

fn referrals_section(
    summaries: &[RepSummary],
    totals: &reports::TeamTotals,
    name: &dyn Fn(UserId) -> String,
) -> Markup {
    let series = vec![("referrals".to_string(), totals.referrals_per_month.clone())];
    let mut drops = Vec::new();
    let mut competing = Vec::new();
    for s in summaries {
        for r in &s.referrals.referrers {
            if r.dropping {
                drops.push((s.rep, r));
            }
            if r.possible_competitor {
                competing.push((s.rep, r));
            }
        }
    }
    // The steepest falls first: the referrers most worth a visit.
    drops.sort_by(|a, b| {
        (f64::from(a.1.recent) - a.1.baseline_per_recent)
            .total_cmp(&(f64::from(b.1.recent) - b.1.baseline_per_recent))
    });
    let (drops_total, competing_total) = (drops.len(), competing.len());
    drops.truncate(LISTED);
    competing.truncate(LISTED);
    html! {
        section #referrals {
            h2 { "Referral trends " small { "[P9]" } }
            (super::chart_figure(
                charts::stacked_bars("Referrals per month", &totals.months, &series),
                &format!("Referrals per month over the last {} months", totals.months.len()),
                html_table(&reports::table(Report::Liaisons, summaries, name)),
            ))
            (csv_link(Report::Liaisons))
            h3 #drops { "Dropping referrers " small { (drops_total) } }
            @if drops.is_empty() { p.empty { "No referrer is dropping against their own baseline." } } @else {
                div.table-wrap { table {
                    thead { tr { th { "Referrer" } th { "Rep" } th { "Recent" } th { "Baseline" } } }
                    tbody { @for (rep, r) in &drops {
                        tr { td { a href={"/contacts/" (r.contact.0)} { (r.name) } br; small.muted { (r.account) } }
                             td { (name(*rep)) } td { (r.recent) } td { (format!("{:.1}", r.baseline_per_recent)) } }
                    } }
                } }
            }
            h3 #competing { "Possible competing relationships " small { "[P10] " (competing_total) } }
            @if drops_total > drops.len() { p.muted { "The " (drops.len()) " steepest shown; all " (drops_total) " in referrers.csv (column dropping)." } }
            @if competing.is_empty() { p.empty { "No vague reasons for not referring stand." } } @else {
                ul { @for (rep, r) in &competing { li { a href={"/contacts/" (r.contact.0)} { (r.name) } " · " (r.account) " · " (name(*rep)) } } }
            }
            @if competing_total > competing.len() { p.muted { (competing.len()) " of " (competing_total) " shown; all in referrers.csv (column possible_competitor)." } }
            (csv_link(Report::Referrers))
        }
    }
}

fn losses_section(summaries: &[RepSummary], name: &dyn Fn(UserId) -> String) -> Markup {
    let quarters: Vec<String> = summaries
        .iter()
        .flat_map(|s| {
            s.losses
                .iter()
                .map(|l| rounds_core::signals::quarter(l.lost_on))
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(y, q)| format!("{y}-Q{q}"))
        .collect();
    let index = |y: i16, q: i8| quarters.iter().position(|x| *x == format!("{y}-Q{q}"));
    let mut by_reason: BTreeMap<LossReason, Vec<u32>> = BTreeMap::new();
    let mut by_competitor: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut by_rep: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for s in summaries {
        for l in &s.losses {
            let (y, q) = rounds_core::signals::quarter(l.lost_on);
            let Some(i) = index(y, q) else { continue };
            let n = quarters.len();
            by_reason.entry(l.reason).or_insert_with(|| vec![0; n])[i] += 1;
            let who = l.competitor.clone().unwrap_or_else(|| "none named".into());
            by_competitor.entry(who).or_insert_with(|| vec![0; n])[i] += 1;
            by_rep.entry(name(s.rep)).or_insert_with(|| vec![0; n])[i] += 1;
        }
    }
    let series: Vec<(String, Vec<u32>)> = by_reason
        .into_iter()
        .map(|(r, v)| (r.to_string(), v))
        .collect();
    let named = |m: BTreeMap<String, Vec<u32>>| m.into_iter().collect::<Vec<_>>();
    html! {
        section #losses {
            h2 { "Losses " small { "[P18]" } }
            @if quarters.is_empty() { p.empty { "No losses in the last " (reports::LOSS_QUARTERS) " quarters." } } @else {
                (legend(&series))
                (super::chart_figure(
                    charts::stacked_bars("Losses per quarter by reason", &quarters, &series),
                    "Lost accounts per quarter by reason",
                    counts_table("Reason", &quarters, &series),
                ))
                h3 { "By competitor" } div.table-wrap { (counts_table("Competitor", &quarters, &named(by_competitor))) }
                h3 { "By rep" } div.table-wrap { (counts_table("Rep", &quarters, &named(by_rep))) }
            }
            p.muted { "A loss records no product, so there is no product view. Each loss and its win-back: " a href="/lost" { "Lost accounts" } "." }
            (csv_link(Report::Losses))
        }
    }
}
