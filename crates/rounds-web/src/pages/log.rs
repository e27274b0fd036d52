//! Log a touch with any contact in scope, with everything the planner learns from: every
//! topic that came up (P4), what to explain better (P3), the next step and its date
//! (P33), an agreed callback time (P35), and whether the touch did what the contact's
//! open next step promised. The outcome has no default: a rep who did not say what came
//! of a touch must not log a conversation by accident (a conversation closes the open
//! step and resets the cadence).
//!
//! A form with a wrong value comes back as it was sent, with a 422 that names the field;
//! nothing is written until every field reads.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::{Date, DateTime};
use maud::{Markup, html};
use rounds_core::model::{
    AccountId, Channel, ContactId, Direction, NoReferralReason, Outcome, TopicId, TouchKind,
};
use serde::Deserialize;
use std::collections::BTreeMap;

use super::Fields;
use super::layout::{Nav, csrf, page};
use super::redirect::{ReturnPath, with_flash};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/log", get(form).post(submit))
}

/// Past this many contacts a select is unusable on a phone; the form asks for the
/// contact's id instead (the contact's page carries its own form).
const MAX_CHOICES: usize = 1500;

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    contact: Option<i64>,
}

async fn form(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<LogQuery>,
) -> Response {
    let values = Fields(
        q.contact
            .map(|c| vec![("contact".to_string(), c.to_string())])
            .unwrap_or_default(),
    );
    match render(&state, &ctx, &values, None).await {
        Ok(body) => page("Log a touch", Some(&ctx), Nav::Log, None, body).into_response(),
        Err(e) => super::error_page(e),
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    values: &Fields,
    error: Option<&ApiError>,
) -> ApiResult<Markup> {
    let form = log_form_with(state, ctx, values, error).await?;
    Ok(html! { h1 { "Log a touch" } (form) })
}

/// The log form, for the Log page and for a contact's page (`contact` chosen, and the
/// answer returns there).
pub(super) async fn log_form(
    state: &AppState,
    ctx: &Ctx,
    contact: Option<i64>,
    error: Option<&ApiError>,
) -> ApiResult<Markup> {
    let mut values = Vec::new();
    if let Some(c) = contact {
        values.push(("contact".to_string(), c.to_string()));
        values.push(("back".to_string(), format!("/contacts/{c}")));
    }
    log_form_with(state, ctx, &Fields(values), error).await
}

async fn log_form_with(
    state: &AppState,
    ctx: &Ctx,
    v: &Fields,
    error: Option<&ApiError>,
) -> ApiResult<Markup> {
    let actor = ctx.actor();
    let (accounts, mut contacts) =
        rounds_app::accounts_with_contacts(state.store(), &actor).await?;
    let accounts: BTreeMap<AccountId, String> =
        accounts.into_iter().map(|a| (a.id, a.name)).collect();
    contacts.sort_by(|a, b| {
        accounts[&a.account]
            .cmp(&accounts[&b.account])
            .then(a.name.cmp(&b.name))
    });
    let topics = rounds_app::list_topics(state.store(), &actor, None).await?;
    let chosen = v.one("contact").unwrap_or("");
    let picked = |name: &str, value: &str| v.all(name).any(|x| x == value);
    let channel = v.one("channel").unwrap_or("visit");
    let outcome = v.one("outcome").unwrap_or("");
    let direction = v.one("direction").unwrap_or("outbound");
    let kind = v.one("kind").unwrap_or("routine");
    let no_referral = v.one("no_referral_reason").unwrap_or("");
    Ok(html! {
        @if let Some(e) = error {
            p.error role="alert" {
                @if let Some(f) = &e.field { "Check " strong { (field_label(f)) } " (" code { (f) } "): " }
                (e.message)
            }
        }
        form #log-touch method="post" action="/log" {
            input type="hidden" name="csrf" value=(csrf(ctx));
            @if let Some(back) = v.one("back") { input type="hidden" name="back" value=(back); }
            @if contacts.len() > MAX_CHOICES {
                label { "Contact id" input type="number" name="contact" min="1" value=(chosen) required; }
            } @else {
                label { "Contact"
                    select name="contact" required {
                        option value="" { "— choose —" }
                        @for c in &contacts {
                            option value=(c.id.0) selected[chosen == c.id.0.to_string()] {
                                (c.name) " — " (accounts[&c.account])
                            }
                        }
                    }
                }
            }
            div.row {
                label { "Channel" select name="channel" {
                    @for c in Channel::ALL { option value=(c.as_str()) selected[c.as_str() == channel] { (c.as_str()) } } } }
                label { "Direction" select name="direction" {
                    @for d in Direction::ALL { option value=(d.as_str()) selected[d.as_str() == direction] { (d.as_str()) } } } }
                label { "Outcome" select name="outcome" required {
                    option value="" selected[outcome.is_empty()] { "— choose —" }
                    @for o in Outcome::ALL { option value=(o.as_str()) selected[o.as_str() == outcome] { (o.as_str()) } } } }
                label { "Kind" select name="kind" {
                    @for k in TouchKind::ALL { option value=(k.as_str()) selected[k.as_str() == kind] { (k.as_str()) } } } }
            }
            label { "Main topic " small { "(P1)" }
                select name="primary_topic" {
                    option value="" { "— none —" }
                    @for t in &topics { option value=(t.id.0) selected[picked("primary_topic", &t.id.0.to_string())] { (t.title) } } } }
            label { "Other topics that came up " small { "(every one, so none is proposed again as new; P4)" }
                select name="topics" multiple size="6" {
                    @for t in &topics { option value=(t.id.0) selected[picked("topics", &t.id.0.to_string())] { (t.title) } } } }
            label { "Explain better next time " small { "(P3)" }
                select name="explain_better" multiple size="4" {
                    @for t in &topics { option value=(t.id.0) selected[picked("explain_better", &t.id.0.to_string())] { (t.title) } } } }
            div.row {
                label { "Next step " small { "(P33)" } input type="text" name="next_step_what" maxlength="500" value=(v.text("next_step_what")); }
                label { "Due" input type="date" name="next_step_due" value=(v.text("next_step_due")); }
            }
            label.check { input type="checkbox" name="completes_step" value="on" checked[v.one("completes_step").is_some()];
                " This touch completes the contact's open next step " small { "(P33)" } }
            div.row {
                label { "Not referred because " small { "(P10)" }
                    select name="no_referral_reason" {
                        option value="" { "— not asked —" }
                        @for r in NoReferralReason::ALL { option value=(r.as_str()) selected[r.as_str() == no_referral] { (r.as_str()) } } } }
                label { "In their words" input type="text" name="no_referral_text" maxlength="500" value=(v.text("no_referral_text")); }
            }
            label { "Callback agreed for " small { "(the contact's local time; P35)" }
                input type="datetime-local" name="callback_at" value=(v.text("callback_at")); }
            label { "Note" textarea name="note" rows="3" maxlength="4000" { (v.text("note")) } }
            button type="submit" { "Log" }
        }
    })
}

/// The form's words for a field an error names (`topics[0]` is the topics list).
fn field_label(field: &str) -> &'static str {
    match field.split('[').next().unwrap_or(field) {
        "contact" => "Contact",
        "channel" => "Channel",
        "direction" => "Direction",
        "outcome" => "Outcome",
        "kind" => "Kind",
        "primary_topic" => "Main topic",
        "topics" => "Topics",
        "explain_better" => "Explain better",
        "next_step_what" | "next_step.what" => "Next step",
        "next_step_due" | "next_step.due" => "Due",
        "callback_at" => "Callback agreed for",
        "completes_step" => "completes the open next step",
        "no_referral_reason" | "no_referral.reason" => "Not referred because",
        "no_referral_text" | "no_referral.text" => "In their words",
        "note" => "Note",
        _ => "the form",
    }
}

async fn submit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let fields = match form {
        Ok(FormBody(pairs)) => Fields(pairs),
        Err(e) => return super::error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, fields.one("csrf").unwrap_or("")) {
        return refused;
    }
    // Read before the touch is written: a bad target must not cost a saved touch.
    let back = match ReturnPath::from_form(&fields, "/today") {
        Ok(back) => back,
        Err(e) => return super::error_page(e),
    };
    let touch = match read(&state, &ctx, &fields).await {
        Ok(input) => rounds_app::log_touch(&ctx.store, &ctx.actor(), input, state.now())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let touch = match touch {
        Ok(t) => t,
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            return match render(&state, &ctx, &fields, Some(&e)).await {
                Ok(body) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page("Log a touch", Some(&ctx), Nav::Log, None, body),
                )
                    .into_response(),
                Err(e) => super::error_page(e),
            };
        }
        Err(e) => return super::error_page(e),
    };
    let who = rounds_app::get_contact(state.store(), &ctx.actor(), touch.contact)
        .await
        .ok()
        .map(|(c, _)| c.name)
        .unwrap_or_else(|| format!("contact {}", touch.contact));
    let flash = format!("Logged {} with {}: {}", touch.channel, who, touch.outcome);
    with_flash(&state, back.as_str(), &flash)
}

/// The form's fields as rounds-app's touch input: this reads the form (which fields,
/// in which spelling); every rule about the touch is `rounds_app::log_touch`'s, the
/// same as for the API and the command line.
async fn read(state: &AppState, ctx: &Ctx, f: &Fields) -> ApiResult<rounds_app::TouchInput> {
    let contact: i64 = f
        .parse::<i64>("contact")
        .map_err(|_| ApiError::field("contact", "choose a contact"))?;
    let channel: Channel = f.parse("channel")?;
    let direction: Option<Direction> = f.parse_opt("direction")?;
    let outcome: Outcome = f.parse("outcome")?;
    let kind: Option<TouchKind> = f.parse_opt("kind")?;
    // A multi-select sends its choices in list order, not in the order they were
    // picked, so the main topic has a field of its own and goes first (the API's rule).
    let primary: Option<i64> = f.parse_opt("primary_topic")?;
    let mut topics: Vec<i64> = primary.into_iter().collect();
    for t in f.parse_all::<i64>("topics")? {
        if !topics.contains(&t) {
            topics.push(t);
        }
    }
    let explain_better: Vec<i64> = f.parse_all("explain_better")?;
    let next_due: Option<Date> = f.parse_opt("next_step_due")?;
    let callback: Option<DateTime> = f.parse_opt("callback_at")?;
    let callback_at = match callback {
        None => None,
        Some(local) => {
            // The time was agreed in the contact's zone, which is their account's.
            let (_, account) =
                rounds_app::get_contact(state.store(), &ctx.actor(), ContactId(contact))
                    .await
                    .map_err(|_| {
                        ApiError::field("contact", "choose a contact in your territories")
                    })?;
            let zoned = local
                .to_zoned(account.tz.zone())
                .map_err(|e| ApiError::field("callback_at", e.to_string()))?;
            Some(zoned.timestamp())
        }
    };
    Ok(rounds_app::TouchInput {
        contact: ContactId(contact),
        channel,
        direction: direction.unwrap_or(Direction::Outbound),
        outcome,
        kind: kind.unwrap_or(TouchKind::Routine),
        at: None,
        topics: topics.into_iter().map(TopicId).collect(),
        explain_better: explain_better.into_iter().map(TopicId).collect(),
        next_what: f.one("next_step_what").map(str::to_string),
        next_due,
        callback_at,
        note: f.text("note"),
        completes_step: f.one("completes_step").is_some(),
        referrals: f.parse_opt("referrals")?,
        no_referral_reason: f.parse_opt("no_referral_reason")?,
        no_referral_text: f.one("no_referral_text").map(str::to_string),
    })
}
