//! Captured mail waiting for a person (P48): mail that no contact matched, or several
//! did, is never put on a contact by a guess. Here someone says whose it is (which logs
//! its touch, as the capture would have) or dismisses it.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use rounds_core::capture::{ReviewReason, ReviewState};
use rounds_core::model::{Account, AccountId, Contact, ContactId, Direction};
use rounds_store::ReviewItem;

use super::layout::{Nav, csrf, error_page, page};
use super::redirect::{Flash, action_answer};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/capture", get(list))
        .route("/capture/{id}/assign", post(assign))
        .route("/capture/{id}/dismiss", post(dismiss))
}

fn candidates(item: &ReviewItem) -> &[ContactId] {
    match &item.reason {
        ReviewReason::SeveralContacts { contacts } => contacts,
        _ => &[],
    }
}

/// The contact choice: the contacts that matched first, then every contact in reach
/// by name.
fn contact_choice(
    item: &ReviewItem,
    contacts: &BTreeMap<ContactId, &Contact>,
    accounts: &BTreeMap<AccountId, &Account>,
) -> Markup {
    let label = |c: &Contact| {
        let account = accounts.get(&c.account).map_or("", |a| a.name.as_str());
        format!("{} · {}", c.name, account)
    };
    let mut by_name: Vec<&&Contact> = contacts.values().collect();
    by_name.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let matched = candidates(item);
    html! {
        select name="contact" required {
            option value="" { "— choose the contact —" }
            @if !matched.is_empty() {
                optgroup label="Matched" {
                    @for id in matched {
                        @if let Some(c) = contacts.get(id) { option value=(id.0) { (label(c)) } }
                    }
                }
            }
            optgroup label="Every contact" {
                @for c in by_name { option value=(c.id.0) { (label(c)) } }
            }
        }
    }
}

async fn list(State(state): State<AppState>, PageCtx(ctx): PageCtx, flash: Flash) -> Response {
    let actor = ctx.actor();
    let items =
        match rounds_app::capture::list_review(&ctx.store, &actor, Some(ReviewState::Open)).await {
            Ok(items) => items,
            Err(e) => return error_page(e.into()),
        };
    let (accounts, contacts) = if items.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        match rounds_app::accounts_with_contacts(&ctx.store, &actor).await {
            Ok(found) => found,
            Err(e) => return error_page(e.into()),
        }
    };
    let accounts: BTreeMap<AccountId, &Account> = accounts.iter().map(|a| (a.id, a)).collect();
    let contacts: BTreeMap<ContactId, &Contact> = contacts.iter().map(|c| (c.id, c)).collect();
    let body = html! {
        h1 { "Captured mail to review" }
        p.muted { "Mail captured by BCC, forwarding or the capture mailbox that matched no contact, or several, waits here: Rounds does not guess [P48]. Put each on its contact (the touch is logged as sent or received) or dismiss it." }
        p { a href="/outbox" { "Outbox" } }
        @if items.is_empty() { p.empty { "Nothing waits for review." } }
        @for item in &items {
            article.capture-item data-id=(item.id) {
                p {
                    strong { @if item.entry.direction == Direction::Inbound { "From " } @else { "To " } }
                    @match &item.entry.party {
                        Some(p) => {
                            @if let Some(n) = &p.name { (n) " " }
                            @if let Some(e) = &p.email { "<" (e) ">" }
                        }
                        None => "no one outside Rounds",
                    }
                    @if let Some(at) = item.entry.at { " · " (at.strftime("%Y-%m-%d %H:%M UTC")) }
                }
                p.subject { "Subject: " (item.entry.subject) }
                p.muted.small { (item.reason) }
                form.assign method="post" action={"/capture/" (item.id) "/assign"} {
                    input type="hidden" name="csrf" value=(csrf(&ctx));
                    label { "Contact " (contact_choice(item, &contacts, &accounts)) }
                    button type="submit" { "Log on this contact" }
                }
                form.dismiss method="post" action={"/capture/" (item.id) "/dismiss"} {
                    input type="hidden" name="csrf" value=(csrf(&ctx));
                    button type="submit" { "Dismiss" }
                }
            }
        }
    };
    flash.shown(
        &state,
        page(
            "Captured mail",
            Some(&ctx),
            Nav::Outbox,
            flash.message(),
            body,
        ),
    )
}

/// A missing item as not found; everything else as every form's action says it.
fn answer(state: &AppState, done: Result<String, ApiError>) -> Response {
    match done {
        Err(e) if e.status == StatusCode::NOT_FOUND => super::not_found_page(),
        done => action_answer(state, "/capture", done),
    }
}

async fn assign(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let f = match super::checked_fields(&ctx, form) {
        Ok(f) => f,
        Err(refused) => return *refused,
    };
    let contact = match f.parse_opt::<i64>("contact") {
        Ok(Some(c)) => ContactId(c),
        Ok(None) => {
            return answer(
                &state,
                Err(ApiError::field(
                    "contact",
                    "choose the contact the mail is with",
                )),
            );
        }
        Err(e) => return answer(&state, Err(e)),
    };
    let done =
        rounds_app::capture::assign_review(&ctx.store, &ctx.actor(), id, contact, state.now())
            .await
            .map_err(ApiError::from);
    let done = match done {
        Ok(touch) => {
            let who = rounds_app::get_contact(&ctx.store, &ctx.actor(), touch.contact)
                .await
                .map_or_else(|_| format!("contact {}", touch.contact), |(c, _)| c.name);
            Ok(format!("Logged the e-mail on {who}"))
        }
        Err(e) => Err(e),
    };
    answer(&state, done)
}

async fn dismiss(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    if let Err(refused) = super::checked_fields(&ctx, form) {
        return *refused;
    }
    let done = rounds_app::capture::dismiss_review(&ctx.store, &ctx.actor(), id)
        .await
        .map(|()| format!("Dismissed captured mail {id}"))
        .map_err(ApiError::from);
    answer(&state, done)
}
