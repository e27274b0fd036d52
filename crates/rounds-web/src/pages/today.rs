//! Today: the plan with its reasons and preparation, a quick-log form on each item, and
//! the flags. Managers and administrators pick whose plan to see.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use rounds_core::model::{Channel, ContactId, Outcome, TopicId, UserId};
use rounds_core::planner::{DayPlan, PlanItem};
use serde::Deserialize;

use super::layout::{Nav, csrf, page};
use crate::AppState;
use crate::app::plan_for;
use crate::auth;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/today", get(today))
        .route("/touches", post(quick_log))
}

#[derive(Debug, Deserialize)]
pub struct TodayQuery {
    rep: Option<i64>,
    /// Another day's plan (the next working day, from a day off).
    date: Option<jiff::civil::Date>,
    flash: Option<String>,
}

async fn today(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<TodayQuery>,
) -> Response {
    let rep = q.rep.map(UserId).unwrap_or(ctx.caller.user.id);
    let date = q.date.unwrap_or_else(|| state.today());
    // rounds-app answers a rep outside the caller's scope as not found.
    let plan = match plan_for(&state, &ctx, rep, date).await {
        Ok(p) => p,
        Err(e) if e.status == StatusCode::NOT_FOUND => return super::not_found_page(),
        Err(e) => return super::error_page(e),
    };
    let rep_name = ctx.scope.user(rep).map(|u| u.name.as_str()).unwrap_or("?");
    let title = format!("Today · {}", date.strftime("%A %-d %B %Y"));
    let body = html! {
        h1 { "Today" small { " " (date.strftime("%a %-d %b")) } }
        @if ctx.scope.is_lead() {
            form.pick method="get" action="/today" {
                label { "Plan of "
                    select name="rep" {
                        @for u in ctx.scope.users.iter().filter(|u| u.role == rounds_core::model::Role::Rep || u.id == ctx.caller.user.id) {
                            option value=(u.id.0) selected[u.id == rep] { (u.name) }
                        }
                    }
                }
                button type="submit" { "Show" }
            }
            p.muted { (rep_name) "’s plan" }
        }
        (plan_view(&ctx, &plan))
    };
    page(&title, Some(&ctx), Nav::Today, q.flash.as_deref(), body).into_response()
}

fn plan_view(ctx: &Ctx, plan: &DayPlan) -> Markup {
    html! {
        @if let Some(off) = &plan.day_off {
            section #day-off {
                p.empty { (plan.date.strftime("%A %-d %B")) " is not a working day: " (off.why) ". Nothing is planned." }
                @if let Some(next) = off.next_working_day {
                    p { a href={"/today?rep=" (plan.rep.0) "&date=" (next)} { "Show the plan of the next working day, " (next.strftime("%A %-d %B")) } }
                }
            }
        } @else if plan.items.is_empty() {
            p.empty { "Nothing planned today. Add accounts and contacts, or log touches, and the plan fills." }
        }
        ol #plan {
            @for item in &plan.items {
                (item_view(ctx, item))
            }
        }
        @if let Some(route) = &plan.route {
            section.route {
                h2 { "Route" }
                p { (route.stops.len()) " stops · " (route.drive_minutes) " min driving · " (format!("{:.1}", route.distance_km)) " km" }
            }
        }
        @if !plan.flags.is_empty() {
            section.flags {
                h2 { "Flags" }
                ul {
                    @for f in &plan.flags {
                        li { span.rules { "[" (f.rules.join(" ")) "] " } (f.text) " — " a href={"/accounts/" (f.account.0)} { (f.account_name) } }
                    }
                }
            }
        }
    }
}

fn item_view(ctx: &Ctx, item: &PlanItem) -> Markup {
    let w = &item.window;
    html! {
        li.plan-item data-contact-id=(item.contact.0) data-account-id=(item.account.0) {
            div.when {
                (w.start.strftime("%H:%M")) @if !w.exact { "–" (w.end.strftime("%H:%M")) } " " small { (w.tz) }
                " " span.channel { (item.channel) } @if item.urgent { " " span.urgent { "urgent" } }
            }
            div.who {
                a href={"/contacts/" (item.contact.0)} { (item.contact_name) } " (" (item.role) ") · "
                a href={"/accounts/" (item.account.0)} { (item.account_name) }
            }
            div.topic { "About: " strong { (item.primary_topic.title) } }
            details.why {
                summary { "Why" }
                ul { @for r in &item.reasons { li { span.rules { "[" (r.rules.join(" ")) "] " } (r.text) } } }
                @if !item.prep.topics_covered.is_empty() {
                    p { "Covered already: " (item.prep.topics_covered.join(", ")) }
                }
                @if let Some(ask) = &item.prep.ask_about { p { "Ask about: " (ask) } }
                @for t in item.prep.recent_touches.iter().take(3) {
                    p.small { (t.date) " " (t.channel) " " (t.outcome) @if !t.note.is_empty() { " — " (t.note) } }
                }
            }
            form.quick-log method="post" action="/touches" {
                input type="hidden" name="csrf" value=(csrf(ctx));
                input type="hidden" name="contact" value=(item.contact.0);
                @if let Some(t) = item.primary_topic.topic { input type="hidden" name="topic" value=(t.0); }
                label { "How"
                    select name="channel" {
                        @for c in Channel::ALL { option value=(c.as_str()) selected[*c == item.channel] { (c.as_str()) } }
                    }
                }
                label { "Outcome"
                    select name="outcome" {
                        @for o in Outcome::ALL { option value=(o.as_str()) selected[*o == Outcome::Conversation] { (o.as_str()) } }
                    }
                }
                label.note { "Note" textarea name="note" rows="2" maxlength="4000" {} }
                button type="submit" { "Log" }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct QuickLog {
    csrf: String,
    contact: i64,
    channel: Channel,
    outcome: Outcome,
    #[serde(default)]
    topic: Option<i64>,
    #[serde(default)]
    note: String,
    /// Where to go back to (a page of this site).
    #[serde(default)]
    back: Option<String>,
}

async fn quick_log(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<QuickLog>, crate::ApiError>,
) -> Response {
    let FormBody(form) = match form {
        Ok(f) => f,
        Err(e) => return super::error_page(e),
    };
    if !ctx
        .caller
        .session
        .as_ref()
        .is_some_and(|s| auth::same_secret(&form.csrf, &s.csrf))
    {
        return super::error_page(crate::ApiError::new(
            StatusCode::FORBIDDEN,
            "The form had expired; reload the page and log again.",
        ));
    }
    let input = rounds_app::TouchInput {
        topics: form.topic.map(TopicId).into_iter().collect(),
        note: form.note,
        ..rounds_app::TouchInput::new(ContactId(form.contact), form.channel, form.outcome)
    };
    let touch = match rounds_app::log_touch(state.store(), &ctx.actor(), input, state.now()).await {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    let contact = rounds_app::get_contact(state.store(), &ctx.actor(), touch.contact)
        .await
        .ok();
    let who = contact
        .map(|(c, _)| c.name)
        .unwrap_or_else(|| format!("contact {}", touch.contact));
    let flash = format!("Logged {} with {}: {}", touch.channel, who, touch.outcome);
    let back = form
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or_else(|| "/today".into());
    let sep = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{back}{sep}flash={}", urlencode(&flash))).into_response()
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
