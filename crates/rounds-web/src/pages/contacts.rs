//! One contact: who they are, how to reach them (and how not to), their touches, their
//! referral figures, and a form to log a touch with them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use maud::html;
use rounds_app::{AppError, ContactInput, TouchFilter};
use rounds_core::model::{Consent, ContactId, Touch};
use rounds_core::planner;

use super::layout::{Nav, csrf, page};
use super::redirect::{Flash, with_flash};
use crate::AppState;
use crate::charts;
use crate::error::ApiError;
use crate::extract::{FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts/{id}", get(detail))
        .route("/contacts/{id}/text-consent", post(text_consent))
        .route("/contacts/{id}/referrals", post(add_referrals))
}

/// Adds referrals to the contact's count for a day (today unless another is chosen):
/// a liaison on a phone opens the contact and taps once (P9). Counts only.
async fn add_referrals(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let fields = match super::checked_fields(&ctx, form) {
        Ok(f) => f,
        Err(refused) => return *refused,
    };
    let back = |flash: &str| with_flash(&state, &format!("/contacts/{id}#referral-figures"), flash);
    let today = state.today();
    let input = match (
        fields.parse_opt::<u64>("count"),
        fields.parse_opt::<jiff::civil::Date>("day"),
    ) {
        (Ok(count), Ok(day)) => rounds_app::ReferralInput {
            contact: ContactId(id),
            day: day.unwrap_or(today),
            count: count.unwrap_or(1),
        },
        (Err(e), _) | (_, Err(e)) => {
            return back(&format!(
                "Not added — {}: {}",
                e.field.as_deref().unwrap_or("form"),
                e.message
            ));
        }
    };
    match rounds_app::add_referrals(&ctx.store, &ctx.actor(), input, today).await {
        Ok(total) => back(&format!(
            "Added {} referral{}: {} on {}",
            input.count,
            if input.count == 1 { "" } else { "s" },
            total.count,
            total.day
        )),
        Err(AppError::Invalid { field, message }) if field != "contact" => {
            back(&format!("Not added — {field}: {message}"))
        }
        Err(AppError::NotFound { .. } | AppError::Invalid { .. }) => super::not_found_page(),
        Err(e) => super::error_page(e.into()),
    }
}

/// Records (or, with `withdraw`, removes) the contact's consent to text messages (P43).
async fn text_consent(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let fields = match form {
        Ok(FormBody(pairs)) => super::Fields(pairs),
        Err(e) => return super::error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, fields.one("csrf").unwrap_or("")) {
        return refused;
    }
    let actor = ctx.actor();
    let back = |flash: &str| with_flash(&state, &format!("/contacts/{id}#channels"), flash);
    let (contact, _) = match rounds_app::get_contact(state.store(), &actor, ContactId(id)).await {
        Ok(found) => found,
        Err(AppError::NotFound { .. }) => return super::not_found_page(),
        Err(e) => return super::error_page(e.into()),
    };
    let mut input = ContactInput::from(contact);
    if fields.one("withdraw").is_some() {
        input.text_consent = None;
    } else {
        let Some(on) = fields.one("on").and_then(|d| d.parse().ok()) else {
            return back("text_consent.on: give the day of the consent as YYYY-MM-DD");
        };
        input.text_consent = Some(Consent {
            on,
            source: fields.text("source"),
        });
    }
    match rounds_app::update_contact(&ctx.store, &actor, ContactId(id), input).await {
        Ok(c) => back(match c.text_consent {
            Some(_) => "Consent to text messages recorded",
            None => "Consent to text messages removed: no texts are planned",
        }),
        Err(AppError::Invalid { field, message }) => back(&format!("{field}: {message}")),
        Err(e) => super::error_page(e.into()),
    }
}

async fn detail(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    flash: Flash,
) -> Response {
    let found = rounds_app::get_contact(state.store(), &ctx.actor(), ContactId(id)).await;
    let (contact, account) = match found.map_err(crate::ApiError::from) {
        Ok(found) => found,
        Err(e) if e.status == StatusCode::NOT_FOUND => return super::not_found_page(),
        Err(e) => return super::error_page(e),
    };
    let actor = ctx.actor();
    let territory = match rounds_app::territory_for(state.store(), &actor, account.rep).await {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    // Every touch with this contact, including any on a former account of theirs.
    let filter = TouchFilter::Contact(contact.id);
    let mut touches = match rounds_app::list_touches(state.store(), &actor, filter).await {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    touches.sort_by(|x, y| y.at.cmp(&x.at).then(y.id.cmp(&x.id)));
    let today = state.today();
    let pb = state.playbook();
    let rows = super::referral_rows(&territory)
        .remove(&contact.id)
        .unwrap_or_default();
    let figures = planner::referral_figures(&rows, pb, today);
    let weeks = super::weekly_counts(
        territory
            .referrals
            .iter()
            .filter(|r| r.contact == contact.id),
        today,
        26,
    );
    let title_of = |id| {
        territory
            .topics
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.title.as_str())
            .unwrap_or("(removed topic)")
    };
    let zone = account.tz.zone();
    let day_of = |x: &Touch| x.at.to_zoned(zone.clone()).date();
    let ch = &contact.channels;
    let log_form = match super::log::log_form(&state, &ctx, Some(contact.id.0), None).await {
        Ok(f) => f,
        Err(e) => return super::error_page(e),
    };
    let body = html! {
        h1 { (contact.name) }
        p.muted { (contact.role) " · " (contact.influence) " at "
            a href={"/accounts/" (account.id.0)} { (account.name) }
            @if let Some(d) = &contact.department { " · " (d) }
            @if let Some(s) = &contact.specialty { " · " (s) } }

        section #channels {
            h2 { "How to reach" }
            ul {
                @if let Some(v) = &ch.email { li { "E-mail: " a href={"mailto:" (v)} { (v) } } }
                @if let Some(v) = &ch.cell { li { "Cell: " a href={"tel:" (v)} { (v) } " " small { "[P43: at most " (pb.cell_max_per_week) " a week unless they reply on it]" } } }
                @if let Some(v) = &ch.office_phone { li { "Office: " a href={"tel:" (v)} { (v) } @if let Some(x) = &ch.extension { " ext. " (x) } } }
                @if let Some(v) = &ch.linkedin { li { "LinkedIn: " (v) } }
                @if let Some(p) = contact.preferred_channel { li { "Prefers: " strong { (p) } } }
            }
            @match &contact.text_consent {
                Some(c) => {
                    p.small { "Consent to texts on record: " (c.on) " (" (c.source) ")." }
                    form.inline method="post" action={"/contacts/" (contact.id.0) "/text-consent"} {
                        input type="hidden" name="csrf" value=(csrf(&ctx));
                        input type="hidden" name="withdraw" value="1";
                        button type="submit" { "Remove the consent" }
                    }
                },
                None => {
                    p.small { "No consent to texts on record: no text is planned [P43]." }
                    form method="post" action={"/contacts/" (contact.id.0) "/text-consent"} {
                        input type="hidden" name="csrf" value=(csrf(&ctx));
                        label { "Consent given on" input type="date" name="on" required; }
                        label { "Recorded where" input type="text" name="source" required placeholder="signed-form"; }
                        button type="submit" { "Record consent to texts" }
                    }
                },
            }
            @if contact.opt_outs.is_empty() {
                p.small { "No opt-outs." }
            } @else {
                p.error { "Opted out of: " (super::accounts::join(contact.opt_outs.iter().map(|c| c.as_str()))) " — never planned on these." }
            }
        }

        section #referral-figures {
            h2 { "Referrals " small { "[P8, P9]" } }
            form #add-referrals .inline method="post" action={"/contacts/" (contact.id.0) "/referrals"} {
                input type="hidden" name="csrf" value=(csrf(&ctx));
                label { "Referrals" input type="number" name="count" value="1" min="1" max="1000" required inputmode="numeric"; }
                label { "Day" input type="date" name="day" value=(today) max=(today) required; }
                button type="submit" { "Add" }
            }
            p.small.muted { "Counts only, per day: never a patient's name or details." }
            @if let Some(n) = territory.referrals.iter().find(|r| r.contact == contact.id && r.day == today).map(|r| r.count) {
                p { "Today so far: " strong #referrals-today { (n) } }
            }
            @match &figures {
                None => { p.empty { "No referral counts recorded for this contact." } },
                Some(f) => {
                    p { strong { (f.recent) } " in the last " (f.recent_days) " days against a baseline of "
                        (format!("{:.1}", f.baseline_per_recent)) " per " (f.recent_days) " days ("
                        (format!("{:+.0}%", f.change * 100.0)) ")" }
                    (super::chart_figure(
                        charts::weekly_referrals(&format!("Referrals per week from {}", contact.name), &weeks),
                        "Referrals per week, last 26 weeks",
                        super::accounts::weeks_table(&weeks),
                    ))
                },
            }
        }

        section #log {
            h2 { "Log a touch" }
            (log_form)
        }

        section #timeline {
            h2 { "Touches " small { (touches.len()) ", newest first" } }
            @if touches.is_empty() { p.empty { "No touches yet." } }
            ol.timeline {
                @for x in &touches {
                    li.card {
                        div { strong { (day_of(x)) } " " span.channel { (x.channel) } " " (x.direction) " · " (x.outcome)
                            @if x.kind != rounds_core::model::TouchKind::Routine { " · " (x.kind) } }
                        @if !x.topics.is_empty() {
                            div.small { "Topics: " (super::accounts::join(x.topics.iter().map(|id| title_of(*id)))) }
                        }
                        @if !x.explain_better.is_empty() {
                            div.small { "Explain better: " (super::accounts::join(x.explain_better.iter().map(|id| title_of(*id)))) }
                        }
                        @if !x.note.is_empty() { p.note { (x.note) } }
                        @if let Some(s) = &x.next_step { div.small { "Next step: " (s.what) " by " (s.due) } }
                    }
                }
            }
        }
    };
    let shown = page(
        &contact.name,
        Some(&ctx),
        Nav::Accounts,
        flash.message(),
        body,
    );
    flash.shown(&state, shown)
}
