//! Today: the plan with its reasons and preparation, a quick-log form on each item, the
//! actions on the next step an item serves (complete, reschedule, skip; `steps.rs`), the
//! triage list of steps too late to plan, and the flags. Each written item (e-mail,
//! text, LinkedIn, note, letter) shows its draft and the coach's verdict (`coach.rs`). Managers and administrators
//! pick whose plan to see.
//!
//! The quick log makes the rep choose the outcome: a default of "conversation" logged
//! conversations that never happened, which closed open steps and reset cadences.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use jiff::civil::Date;
use maud::{Markup, html};
use rounds_core::model::{Channel, ContactId, Outcome, TopicId, TouchId, UserId};
use rounds_core::outreach::ItemDraft;
use rounds_core::planner::{DayPlan, PlanItem, TriageItem};
use rounds_core::sending::OutboxMessage;
use serde::Deserialize;

use super::Fields;
use super::layout::{Nav, csrf, page};
use super::redirect::{Flash, ReturnPath, with_flash};
use crate::AppState;
use crate::app::plan_with_drafts;
use crate::error::ApiError;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/today", get(today))
        .route("/touches", post(quick_log))
}

#[derive(Debug, Deserialize)]
pub struct TodayQuery {
    pub(super) rep: Option<i64>,
    /// Another day's plan (the next working day, from a day off).
    pub(super) date: Option<jiff::civil::Date>,
}

async fn today(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    flash: Flash,
    Query(q): Query<TodayQuery>,
) -> Response {
    // A manager's own plan is empty (the accounts are the reps'): the morning starts on
    // the team, from which each rep's plan is one tap.
    if q.rep.is_none()
        && q.date.is_none()
        && ctx.caller.user.role == rounds_core::model::Role::Manager
    {
        return axum::response::IntoResponse::into_response(axum::response::Redirect::to("/team"));
    }
    let rep = q.rep.map(UserId).unwrap_or(ctx.caller.user.id);
    let date = q.date.unwrap_or_else(|| state.today());
    // rounds-app answers a rep outside the caller's scope as not found.
    let (plan, drafts) = match plan_with_drafts(&state, &ctx, rep, date).await {
        Ok(p) => p,
        Err(e) if e.status == StatusCode::NOT_FOUND => return super::not_found_page(),
        Err(e) => return super::error_page(e),
    };
    // An e-mail already written to a contact shows where it stands, not a second draft.
    let filter = rounds_app::outbox::OutboxFilter {
        states: Some(super::outbox::UNDER_WAY.to_vec()),
    };
    let under_way: BTreeMap<ContactId, OutboxMessage> =
        match rounds_app::outbox::list_outbox(&ctx.store, &ctx.actor(), &filter).await {
            Ok(ms) => ms
                .into_iter()
                .filter(|m| m.author == rep)
                .map(|m| (m.contact, m))
                .collect(),
            Err(e) => return super::error_page(e.into()),
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
        (plan_view(&ctx, &plan, &drafts, &under_way))
    };
    flash.shown(
        &state,
        page(&title, Some(&ctx), Nav::Today, flash.message(), body),
    )
}

fn plan_view(
    ctx: &Ctx,
    plan: &DayPlan,
    drafts: &[Option<ItemDraft>],
    under_way: &BTreeMap<ContactId, OutboxMessage>,
) -> Markup {
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
            @for (n, item) in plan.items.iter().enumerate() {
                @let sent = under_way.get(&item.contact).filter(|_| item.channel == Channel::Email);
                (item_view(ctx, item, drafts.get(n).and_then(Option::as_ref), sent))
            }
        }
        @if !plan.triage.is_empty() {
            // Closed at first: the day's plan stays on top, and a long list of old
            // promises is one tap away rather than pages of scrolling.
            section #triage .triage {
                details {
                    summary { "Triage (" (plan.triage.len()) ")" }
                    p.muted { "Next steps so late they are no longer planned [P33]: reschedule or drop each." }
                    ul {
                        @for t in &plan.triage { (triage_view(ctx, t)) }
                    }
                }
            }
        }
        @if let Some(route) = &plan.route {
            (super::route::route_section(route, plan.rep, plan.date, false))
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

fn item_view(
    ctx: &Ctx,
    item: &PlanItem,
    draft: Option<&ItemDraft>,
    sent: Option<&OutboxMessage>,
) -> Markup {
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
            @if let Some(a) = &item.prep.agenda {
                div.agenda {
                    "First meeting agenda " small { "[P7]" }
                    ul {
                        li { "Topic: " (a.topic.title) }
                        li { "Value to them: " (a.value) }
                        li { "Ask: " (a.question) }
                    }
                }
            }
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
            @if let Some(m) = sent {
                p.outbox { "E-mail: " (super::outbox::status_line(m, None)) " · " a href="/outbox" { "Outbox" } }
            } @else if let Some(d) = draft {
                (super::coach::draft_view(ctx, item, d))
            }
            @if let (Some(step), Some(s)) = (item.step, item.prep.open_next_steps.first()) {
                div.step data-step-id=(step.0) {
                    p { "Next step: " strong { (s.what) } " · due " (s.due) }
                    (step_actions(ctx, step, s.due))
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
                    select name="outcome" required {
                        option value="" selected { "— choose —" }
                        @for o in Outcome::ALL { option value=(o.as_str()) { (o.as_str()) } }
                    }
                }
                @if item.step.is_some() {
                    label.check { input type="checkbox" name="completes_step" value="on"; " Did the next step" }
                }
                label { "Next step " small { "(P33)" } input type="text" name="next_step_what" maxlength="500"; }
                label { "Due" input type="date" name="next_step_due"; }
                label.note { "Note" textarea name="note" rows="2" maxlength="4000" {} }
                button type="submit" { "Log" }
            }
        }
    }
}

/// Complete, reschedule (date and reason) and skip (reason) for one step.
fn step_actions(ctx: &Ctx, step: TouchId, due: Date) -> Markup {
    let id = step.0;
    html! {
        div.step-actions {
            form.step-complete method="post" action={"/steps/" (id) "/complete"} {
                input type="hidden" name="csrf" value=(csrf(ctx));
                button type="submit" { "Complete" }
            }
            form.step-reschedule method="post" action={"/steps/" (id) "/reschedule"} {
                input type="hidden" name="csrf" value=(csrf(ctx));
                label { "New date" input type="date" name="due" required value=(due); }
                label { "Reason" input type="text" name="reason" required maxlength="500"; }
                button type="submit" { "Reschedule" }
            }
            form.step-skip method="post" action={"/steps/" (id) "/skip"} {
                input type="hidden" name="csrf" value=(csrf(ctx));
                label { "Reason" input type="text" name="reason" required maxlength="500"; }
                button type="submit" { "Skip" }
            }
        }
    }
}

fn triage_view(ctx: &Ctx, t: &TriageItem) -> Markup {
    html! {
        li.triage-item data-step-id=(t.step.0) {
            div.who {
                a href={"/contacts/" (t.contact.0)} { (t.contact_name) } " · "
                a href={"/accounts/" (t.account.0)} { (t.account_name) }
            }
            p { strong { (t.what) } " · due " (t.due) " (" (t.days_overdue) " days late)" }
            (step_actions(ctx, t.step, t.due))
        }
    }
}

async fn quick_log(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let f = match form {
        Ok(FormBody(pairs)) => Fields(pairs),
        Err(e) => return super::error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, f.one("csrf").unwrap_or("")) {
        return refused;
    }
    // Read before the touch is written: a bad target must not cost a saved touch.
    let back = match ReturnPath::from_form(&f, "/today") {
        Ok(back) => back,
        Err(e) => return super::error_page(e),
    };
    let touch = match read(&f) {
        Ok(input) => rounds_app::log_touch(&ctx.store, &ctx.actor(), input, state.now())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let touch = match touch {
        Ok(t) => t,
        Err(e) => return super::error_page(e),
    };
    let contact = rounds_app::get_contact(state.store(), &ctx.actor(), touch.contact)
        .await
        .ok();
    let who = contact
        .map(|(c, _)| c.name)
        .unwrap_or_else(|| format!("contact {}", touch.contact));
    let flash = format!("Logged {} with {}: {}", touch.channel, who, touch.outcome);
    with_flash(&state, back.as_str(), &flash)
}

/// The quick log's fields as rounds-app's touch input; every rule is `log_touch`'s.
fn read(f: &Fields) -> Result<rounds_app::TouchInput, ApiError> {
    let contact: i64 = f.parse("contact")?;
    let channel: Channel = f.parse("channel")?;
    // No default: the rep says what came of the touch.
    let outcome: Outcome = f
        .one("outcome")
        .ok_or_else(|| ApiError::field("outcome", "choose what came of the touch"))?
        .parse()
        .map_err(|e: rounds_core::model::InvalidValue| ApiError::field("outcome", e.to_string()))?;
    let topic: Option<i64> = f.parse_opt("topic")?;
    let mut input = rounds_app::TouchInput::new(ContactId(contact), channel, outcome);
    input.topics = topic.map(TopicId).into_iter().collect();
    input.note = f.text("note");
    input.next_what = f.one("next_step_what").map(str::to_string);
    input.next_due = f.parse_opt("next_step_due")?;
    input.completes_step = f.one("completes_step").is_some();
    Ok(input)
}
