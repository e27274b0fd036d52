//! Calendar: a rep's own field week and hours, and their time off. Nothing is planned
//! on the rep's days off (see `rounds_core::calendar`); the organisation's field week
//! and holidays are the playbook's, shown here for reference. Reads and writes go
//! through rounds-app, so a rep sees and changes only their own calendar.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use jiff::civil::{Date, Weekday};
use maud::html;
use rounds_app::{AppError, TimeOffInput, WorkWeekInput};
use rounds_core::model::{Role, TimeOffId, TimeRange, UserId, weekday_key};
use serde::Deserialize;

use super::Fields;
use super::layout::{Nav, csrf, page};
use super::redirect::{Flash, with_flash};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(show))
        .route("/calendar/week", post(set_week))
        .route("/calendar/time-off", post(add_time_off))
        .route("/calendar/time-off/{id}/remove", post(remove_time_off))
}

const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    rep: Option<i64>,
}

async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    flash: Flash,
    Query(q): Query<CalendarQuery>,
) -> Response {
    let rep = q.rep.map(UserId).unwrap_or(ctx.caller.user.id);
    let calendar = match rounds_app::calendar_of(state.store(), &ctx.actor(), rep).await {
        Ok(c) => c,
        Err(AppError::NotFound { .. }) => return super::not_found_page(),
        Err(e) => return super::error_page(e.into()),
    };
    let pb = state.playbook();
    let today = state.today();
    let rep_name = ctx.scope.user(rep).map(|u| u.name.as_str()).unwrap_or("?");
    let works = |d: Weekday| match &calendar.week {
        Some(w) => w.days.contains(&d),
        None => pb.working_days.contains(&d),
    };
    let hours = calendar
        .week
        .as_ref()
        .and_then(|w| w.hours)
        .map(|h| h.to_string())
        .unwrap_or_default();
    let upcoming: Vec<_> = pb
        .holidays
        .iter()
        .filter(|h| h.date >= today)
        .take(5)
        .collect();
    let body = html! {
        h1 { "Calendar" small { " " (rep_name) } }
        @if ctx.scope.is_lead() {
            form.pick method="get" action="/calendar" {
                label { "Calendar of "
                    select name="rep" {
                        @for u in ctx.scope.users.iter().filter(|u| u.role == Role::Rep) {
                            option value=(u.id.0) selected[u.id == rep] { (u.name) }
                        }
                    }
                }
                button type="submit" { "Show" }
            }
        }
        p.muted { "Nothing is planned on a day off: outside the field week, on a holiday of the playbook, or during time off." }
        section #week {
            h2 { "Field week" }
            form method="post" action="/calendar/week" {
                input type="hidden" name="csrf" value=(csrf(&ctx));
                input type="hidden" name="rep" value=(rep.0);
                fieldset {
                    legend { "Days worked" }
                    @for d in WEEK {
                        label.check {
                            input type="checkbox" name="days" value=(weekday_key(d)) checked[works(d)]
                                disabled[!pb.working_days.contains(&d)];
                            " " (weekday_key(d))
                        }
                    }
                }
                label { "Field hours (HH:MM-HH:MM, empty for the playbook's day)"
                    input type="text" name="hours" value=(hours) placeholder="08:00-16:00" inputmode="numeric";
                }
                button type="submit" { "Save the week" }
            }
        }
        section #time-off {
            h2 { "Time off" }
            @if calendar.time_off.is_empty() { p.empty { "No time off recorded." } }
            ul.cards {
                @for t in &calendar.time_off {
                    li.card {
                        strong { (t.from) " – " (t.to) } " · " (t.reason)
                        form.inline method="post" action={"/calendar/time-off/" (t.id.0) "/remove"} {
                            input type="hidden" name="csrf" value=(csrf(&ctx));
                            input type="hidden" name="rep" value=(rep.0);
                            button type="submit" { "Remove" }
                        }
                    }
                }
            }
            form method="post" action="/calendar/time-off" {
                input type="hidden" name="csrf" value=(csrf(&ctx));
                input type="hidden" name="rep" value=(rep.0);
                label { "From" input type="date" name="from" required; }
                label { "To (inclusive)" input type="date" name="to" required; }
                label { "Reason" input type="text" name="reason" required placeholder="vacation"; }
                button type="submit" { "Add time off" }
            }
        }
        section #holidays {
            h2 { "Next holidays " small { "(playbook)" } }
            @if upcoming.is_empty() { p.empty { "None listed in the playbook." } }
            ul {
                @for h in upcoming {
                    li { (h.date) " " (h.name.as_deref().unwrap_or("")) }
                }
            }
        }
    };
    let shown = page("Calendar", Some(&ctx), Nav::Calendar, flash.message(), body);
    flash.shown(&state, shown)
}

/// Back to the calendar of `rep` with a message.
fn back(state: &AppState, rep: &str, flash: &str) -> Response {
    let to = format!("/calendar?rep={}", super::urlencode(rep));
    with_flash(state, &to, flash)
}

/// The answer to a form: back to the calendar saying what was done, or what to fix.
fn outcome(state: &AppState, rep: &str, done: Result<String, AppError>) -> Response {
    match done {
        Ok(message) => back(state, rep, &message),
        Err(AppError::Invalid { field, message } | AppError::Conflict { field, message }) => {
            back(state, rep, &format!("{field}: {message}"))
        }
        Err(AppError::NotFound { .. }) => super::not_found_page(),
        Err(e) => super::error_page(e.into()),
    }
}

/// The form's fields and the rep it is about, or the answer that refuses it (boxed:
/// a response is large and this is the rare path).
async fn read_form(
    ctx: &crate::extract::Ctx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Result<(Fields, UserId), Box<Response>> {
    let fields = match form {
        Ok(FormBody(pairs)) => Fields(pairs),
        Err(e) => return Err(Box::new(super::error_page(e))),
    };
    if let Some(refused) = super::csrf_refusal(ctx, fields.one("csrf").unwrap_or("")) {
        return Err(Box::new(refused));
    }
    let rep = fields
        .one("rep")
        .and_then(|r| r.parse().ok())
        .map(UserId)
        .unwrap_or(ctx.caller.user.id);
    Ok((fields, rep))
}

async fn set_week(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let (fields, rep) = match read_form(&ctx, form).await {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let rep_s = rep.0.to_string();
    let days: Result<Vec<Weekday>, _> = fields
        .all("days")
        .map(rounds_core::model::parse_weekday)
        .collect();
    let hours: Result<Option<TimeRange>, _> = fields.one("hours").map(str::parse).transpose();
    let (days, hours) = match (days, hours) {
        (Ok(d), Ok(h)) => (d, h),
        (Err(e), _) => return back(&state, &rep_s, &format!("days: {e}")),
        (_, Err(e)) => return back(&state, &rep_s, &format!("hours: {e}")),
    };
    let input = WorkWeekInput { rep, days, hours };
    let done = rounds_app::set_work_week(&ctx.store, &ctx.actor(), input)
        .await
        .map(|w| {
            let days: Vec<&str> = w.days.iter().map(|d| weekday_key(*d)).collect();
            format!("Saved the field week: {}", days.join(", "))
        });
    outcome(&state, &rep_s, done)
}

async fn add_time_off(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let (fields, rep) = match read_form(&ctx, form).await {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let rep_s = rep.0.to_string();
    let day = |name: &str| -> Result<Date, String> {
        fields
            .one(name)
            .unwrap_or("")
            .parse::<Date>()
            .map_err(|_| format!("{name}: give a day as YYYY-MM-DD"))
    };
    let (from, to) = match (day("from"), day("to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return back(&state, &rep_s, &e),
    };
    let input = TimeOffInput {
        rep,
        from,
        to,
        reason: fields.text("reason"),
    };
    let done = rounds_app::add_time_off(&ctx.store, &ctx.actor(), input)
        .await
        .map(|t| format!("Added time off {} – {} ({})", t.from, t.to, t.reason));
    outcome(&state, &rep_s, done)
}

async fn remove_time_off(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let (_, rep) = match read_form(&ctx, form).await {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let done = rounds_app::remove_time_off(&ctx.store, &ctx.actor(), TimeOffId(id))
        .await
        .map(|t| format!("Removed time off {} – {}", t.from, t.to));
    outcome(&state, &rep.0.to_string(), done)
}
