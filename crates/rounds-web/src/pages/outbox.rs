//! The outbox on the pages: an e-mail draft of Today sent (it waits in the queue for its
//! window, P38/P39) or handed to the rep's manager (P42); the manager's review list with
//! approve and return; the rep's own messages with what became of each.
//!
//! Every button calls the rounds-app use case the API and the command line call. A draft
//! refused on Send (an opted-out contact, a word too many in a header) comes back on a
//! page with its text, never lost: the rep fixes it there and sends again.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use maud::{Markup, html};
use rounds_app::outbox::{self, DraftInput, OutboxFilter, ReviewInput};
use rounds_core::model::{Account, Contact, ContactId};
use rounds_core::sending::{OutboxId, OutboxMessage, OutboxState};

use super::Fields;
use super::coach::{Sendable, badge, draft_form, findings_list};
use super::layout::{Nav, csrf, error_page, page};
use super::redirect::{Flash, ReturnPath, action_answer, with_flash};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/outbox", get(list))
        .route("/outbox/send", post(send_new))
        .route("/outbox/review", post(review_new))
        .route("/outbox/{id}/{action}", post(act))
}

/// The states a message is still on its way in: Today shows these instead of a new
/// draft, so an e-mail is not written twice.
pub const UNDER_WAY: [OutboxState; 6] = [
    OutboxState::Draft,
    OutboxState::InReview,
    OutboxState::Returned,
    OutboxState::Approved,
    OutboxState::Queued,
    OutboxState::Sending,
];

/// `at` in the contact's own zone, as the rep reads a window.
fn local(at: Timestamp, account: Option<&Account>) -> String {
    match account {
        Some(a) => at
            .to_zoned(a.tz.zone())
            .strftime("%a %-d %b %H:%M %Z")
            .to_string(),
        None => at.strftime("%a %-d %b %H:%M UTC").to_string(),
    }
}

/// One line on where a message stands, for Today and the list.
pub fn status_line(m: &OutboxMessage, account: Option<&Account>) -> Markup {
    html! {
        span.outbox-state data-state=(m.state.as_str()) {
            @match m.state {
                OutboxState::Draft => "Draft saved",
                OutboxState::InReview => "With the manager for review",
                OutboxState::Returned => "Returned by the manager",
                OutboxState::Approved => "Approved: ready to send",
                OutboxState::Queued => {
                    "Queued: leaves "
                    @if let Some(at) = m.not_before { (local(at, account)) } @else { "at its window" }
                }
                OutboxState::Sending => "Leaving now",
                OutboxState::Sent => {
                    "Sent" @if let Some(at) = m.sent_at { " " (local(at, account)) }
                }
                OutboxState::Failed => {
                    "Not sent" @if let Some(f) = &m.failure { ": " (f) }
                }
                OutboxState::Cancelled => "Cancelled",
            }
        }
    }
}

/// The fields of a draft form as a draft.
fn read_draft(f: &Fields) -> Result<DraftInput, ApiError> {
    let send = Sendable::from_form(f)?.ok_or_else(|| {
        ApiError::field(
            "contact",
            "a message is written to a contact: send it from the contact's plan item",
        )
    })?;
    Ok(DraftInput {
        id: send.id,
        contact: send.contact,
        subject: f.text("subject"),
        // Browsers send a textarea's line breaks as CR LF.
        body: f.text("body").replace("\r\n", "\n"),
        topic: send.topic,
        kind: send.kind,
        urgent: send.urgent,
    })
}

/// A form's fields once its CSRF token is checked, and where it goes back to.
fn checked(
    ctx: &Ctx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Result<(Fields, ReturnPath), Box<Response>> {
    let f = super::checked_fields(ctx, form)?;
    let back = ReturnPath::from_form(&f, "/today").map_err(|e| Box::new(error_page(e)))?;
    Ok((f, back))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NewDraft {
    Send,
    Review,
}

async fn send_new(
    state: State<AppState>,
    ctx: PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    new_draft(state, ctx, form, NewDraft::Send).await
}

async fn review_new(
    state: State<AppState>,
    ctx: PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    new_draft(state, ctx, form, NewDraft::Review).await
}

async fn new_draft(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
    what: NewDraft,
) -> Response {
    let (f, back) = match checked(&ctx, form) {
        Ok(read) => read,
        Err(refused) => return *refused,
    };
    let input = match read_draft(&f) {
        Ok(input) => input,
        Err(e) => return error_page(e),
    };
    let (store, actor, now) = (&ctx.store, ctx.actor(), state.now());
    let done = match what {
        NewDraft::Send => {
            outbox::save_and_queue(store, &actor, input.clone(), state.playbook(), now).await
        }
        NewDraft::Review => outbox::save_for_review(store, &actor, input.clone(), now).await,
    };
    let m = match done {
        Ok(m) => m,
        Err(e) => return refused_draft(&state, &ctx, &input, e.into()).await,
    };
    let account = rounds_app::get_contact(store, &actor, m.contact)
        .await
        .ok()
        .map(|(c, a)| (c.name, a));
    let who = account
        .as_ref()
        .map_or_else(|| format!("contact {}", m.contact), |(n, _)| n.clone());
    let flash = match m.state {
        OutboxState::Queued => format!(
            "E-mail to {who} queued: it leaves {}",
            m.not_before.map_or_else(
                || "at its window".to_string(),
                |at| local(at, account.as_ref().map(|(_, a)| a))
            )
        ),
        _ => format!("E-mail to {who} sent to your manager for review"),
    };
    with_flash(&state, back.as_str(), &flash)
}

/// A draft the use case refused, back on a page with its text and the reason, so
/// nothing typed is lost (422 or 409 keep the form; anything else is an error page).
async fn refused_draft(state: &AppState, ctx: &Ctx, input: &DraftInput, e: ApiError) -> Response {
    if e.status != StatusCode::UNPROCESSABLE_ENTITY && e.status != StatusCode::CONFLICT {
        return error_page(e);
    }
    let send = Sendable {
        contact: input.contact,
        topic: input.topic,
        kind: input.kind,
        urgent: input.urgent,
        id: input.id,
    };
    let verdict = rounds_app::coach_text(
        state.store(),
        &ctx.actor(),
        state.playbook(),
        Some(&input.subject),
        &input.body,
    )
    .await
    .ok();
    let body = html! {
        h1 { "Not sent" }
        p.error role="alert" {
            @if let Some(field) = &e.field { strong { (field) } ": " }
            (e.message)
        }
        @if let Some(v) = &verdict { p { (badge(v)) } (findings_list(v)) }
        (draft_form(ctx, Some(input.contact), Some(&send), Some(&input.subject), &input.body))
        p { a href="/today" { "Back to today" } }
    };
    (
        e.status,
        page("Not sent", Some(ctx), Nav::Outbox, None, body),
    )
        .into_response()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Send,
    Approve,
    Return,
    Cancel,
}

/// Send, approve, return or cancel a saved message: one handler, the action from the
/// path.
async fn act(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path((id, action)): Path<(i64, String)>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let what = match action.as_str() {
        "send" => Act::Send,
        "approve" => Act::Approve,
        "return" => Act::Return,
        "cancel" => Act::Cancel,
        _ => return super::not_found_page(),
    };
    let (f, _) = match checked(&ctx, form) {
        Ok(read) => read,
        Err(refused) => return *refused,
    };
    let (store, actor, pb, now) = (&ctx.store, ctx.actor(), state.playbook(), state.now());
    let id = OutboxId(id);
    let comment = f.text("comment");
    let done = match what {
        Act::Send => outbox::queue(store, &actor, id, pb, now).await,
        Act::Approve => {
            let review = ReviewInput {
                comment,
                queue: true,
            };
            outbox::approve(store, &actor, id, review, pb, now).await
        }
        Act::Return => outbox::return_draft(store, &actor, id, &comment, now).await,
        Act::Cancel => outbox::cancel(store, &actor, id).await,
    };
    let done = match done.map_err(ApiError::from) {
        Ok(m) => Ok(match what {
            Act::Send | Act::Approve => {
                let account = rounds_app::get_contact(store, &actor, m.contact)
                    .await
                    .ok()
                    .map(|(_, a)| a);
                format!(
                    "Message {} queued: it leaves {}",
                    m.id,
                    m.not_before.map_or_else(
                        || "at its window".to_string(),
                        |at| local(at, account.as_ref())
                    )
                )
            }
            Act::Return => format!("Message {} returned to its author", m.id),
            Act::Cancel => format!("Message {} cancelled", m.id),
        }),
        Err(e) if e.status == StatusCode::NOT_FOUND => return super::not_found_page(),
        // Someone else acted first, or the contact cannot be mailed: said on the list.
        Err(e) => Err(e),
    };
    action_answer(&state, "/outbox", done)
}

/// The contacts (and accounts) the messages are to, read once each.
async fn recipients(
    ctx: &Ctx,
    messages: &[OutboxMessage],
) -> BTreeMap<ContactId, (Contact, Account)> {
    let mut out = BTreeMap::new();
    for m in messages {
        if !out.contains_key(&m.contact)
            && let Ok(found) = rounds_app::get_contact(&ctx.store, &ctx.actor(), m.contact).await
        {
            out.insert(m.contact, found);
        }
    }
    out
}

async fn list(State(state): State<AppState>, PageCtx(ctx): PageCtx, flash: Flash) -> Response {
    let actor = ctx.actor();
    let messages = match outbox::list_outbox(&ctx.store, &actor, &OutboxFilter::default()).await {
        Ok(m) => m,
        Err(e) => return error_page(e.into()),
    };
    let to = recipients(&ctx, &messages).await;
    let me = ctx.caller.user.id;
    let (to_review, mine): (Vec<&OutboxMessage>, Vec<&OutboxMessage>) = messages
        .iter()
        .rev()
        .partition(|m| ctx.scope.is_lead() && m.author != me && m.state == OutboxState::InReview);
    let mut verdicts = BTreeMap::new();
    for m in &to_review {
        if let Ok(v) = rounds_app::coach_text(
            state.store(),
            &actor,
            state.playbook(),
            Some(&m.subject),
            &m.body,
        )
        .await
        {
            verdicts.insert(m.id, v);
        }
    }
    let author = |m: &OutboxMessage| {
        ctx.scope
            .user(m.author)
            .map_or_else(|| format!("user {}", m.author), |u| u.name.clone())
    };
    let addressee = |m: &OutboxMessage| -> Markup {
        html! {
            @match to.get(&m.contact) {
                Some((c, a)) => { a href={"/contacts/" (c.id.0)} { (c.name) } " · " (a.name) }
                None => { "contact " (m.contact) }
            }
        }
    };
    let body = html! {
        h1 { "Outbox" }
        p.muted { "E-mail written in Rounds leaves from your own address inside its window (P38, P39) and is logged as a touch when it leaves." }
        p { a href="/capture" { "Captured mail to review" } }
        @if ctx.scope.is_lead() {
            section #review {
                h2 { "For your review (" (to_review.len()) ")" }
                @if to_review.is_empty() { p.empty { "No draft waits for you." } }
                @for m in &to_review {
                    article.outbox-message data-id=(m.id.0) data-state=(m.state.as_str()) {
                        p { "From " strong { (author(m)) } " to " (addressee(m)) }
                        p.subject { "Subject: " (m.subject) }
                        pre.message { (m.body) }
                        @if let Some(v) = verdicts.get(&m.id) { p { (badge(v)) } (findings_list(v)) }
                        form.approve method="post" action={"/outbox/" (m.id.0) "/approve"} {
                            input type="hidden" name="csrf" value=(csrf(&ctx));
                            label { "Comment " small { "(optional)" } input type="text" name="comment" maxlength="2000"; }
                            button type="submit" { "Approve and send in its window" }
                        }
                        form.return method="post" action={"/outbox/" (m.id.0) "/return"} {
                            input type="hidden" name="csrf" value=(csrf(&ctx));
                            label { "What to change" textarea name="comment" rows="2" required maxlength="2000" {} }
                            button type="submit" { "Return to " (author(m)) }
                        }
                    }
                }
            }
        }
        section #messages {
            h2 { "Messages" }
            @if mine.is_empty() { p.empty { "Nothing yet: send an e-mail from a plan item on Today." } }
            @for m in &mine {
                @let account = to.get(&m.contact).map(|(_, a)| a);
                article.outbox-message data-id=(m.id.0) data-state=(m.state.as_str()) {
                    p { (status_line(m, account)) " · to " (addressee(m)) @if m.author != me { " · by " (author(m)) } }
                    p.subject { "Subject: " (m.subject) }
                    @if let Some(r) = m.review.as_ref().filter(|r| !r.comment.is_empty()) {
                        p.review-comment { "Manager: " (r.comment) }
                    }
                    @if m.state.editable() {
                        @let send = Sendable { contact: m.contact, topic: m.topic, kind: m.kind, urgent: m.urgent, id: Some(m.id) };
                        (draft_form(&ctx, Some(m.contact), Some(&send), Some(&m.subject), &m.body))
                    } @else {
                        details { summary { "Message" } pre.message { (m.body) } }
                    }
                    @if m.state == OutboxState::Approved {
                        form method="post" action={"/outbox/" (m.id.0) "/send"} {
                            input type="hidden" name="csrf" value=(csrf(&ctx));
                            button type="submit" { "Send in its window" }
                        }
                    }
                    @if m.state.cancellable() {
                        form method="post" action={"/outbox/" (m.id.0) "/cancel"} {
                            input type="hidden" name="csrf" value=(csrf(&ctx));
                            button type="submit" { "Cancel" }
                        }
                    }
                }
            }
        }
    };
    flash.shown(
        &state,
        page("Outbox", Some(&ctx), Nav::Outbox, flash.message(), body),
    )
}
