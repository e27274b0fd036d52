//! `/api/v1/outbox`: e-mail from Rounds. Drafts, the manager's review (P42), sending
//! (the mail waits in the queue for its window, P38/P39) and cancelling. A rep sees
//! their own messages, a manager their team's; reviewing needs the author's manager or
//! an administrator (403 for anyone else who sees the message).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_app::outbox::{self, OutboxFilter, ReviewInput};
use rounds_core::model::{ContactId, TopicId, TouchKind};
use rounds_core::sending::OutboxId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{
    DraftInput, OutboxApproval, OutboxListing, OutboxMessage, OutboxReturn, OutboxState,
};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct OutboxParams {
    /// Only messages in this state.
    state: Option<OutboxState>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

fn draft(id: Option<OutboxId>, input: DraftInput) -> outbox::DraftInput {
    outbox::DraftInput {
        id,
        contact: ContactId(input.contact),
        subject: input.subject,
        body: input.body,
        topic: input.topic.map(TopicId),
        kind: input.kind.map_or(TouchKind::Routine, Into::into),
        urgent: input.urgent,
    }
}

/// The caller's messages (a manager's: the team's), by id.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "outbox", params(OutboxParams),
    responses((status = 200, body = OutboxListing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_outbox(
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<OutboxParams>,
) -> ApiResult<Json<OutboxListing>> {
    let filter = OutboxFilter {
        states: p.state.map(|s| vec![s.into()]),
    };
    let rows = outbox::list_outbox(&ctx.store, &ctx.actor(), &filter).await?;
    page(rows, p.limit, p.offset)
}

/// Writes a draft to a contact in the caller's territories.
#[utoipa::path(post, path = "/api/v1/outbox", tag = "outbox", request_body = DraftInput,
    responses((status = 201, body = OutboxMessage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_draft(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<DraftInput>,
) -> ApiResult<(StatusCode, Json<OutboxMessage>)> {
    let m = outbox::save_draft(&ctx.store, &ctx.actor(), draft(None, input), state.now()).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// One message.
#[utoipa::path(get, path = "/api/v1/outbox/{id}", tag = "outbox", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxMessage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_message(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<OutboxMessage>> {
    let m = outbox::get_outbox(&ctx.store, &ctx.actor(), OutboxId(id)).await?;
    Ok(Json(m.into()))
}

/// Rewrites a draft (still a draft, or returned: it becomes a draft again).
#[utoipa::path(put, path = "/api/v1/outbox/{id}", tag = "outbox", params(("id" = i64, Path)), request_body = DraftInput,
    responses((status = 200, body = OutboxMessage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "No longer editable"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_draft(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<DraftInput>,
) -> ApiResult<Json<OutboxMessage>> {
    let m = outbox::save_draft(
        &ctx.store,
        &ctx.actor(),
        draft(Some(OutboxId(id)), input),
        state.now(),
    )
    .await?;
    Ok(Json(m.into()))
}

/// Hands a draft to the author's manager for review (P42).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/review", tag = "outbox", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxMessage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not a draft")))]
pub(super) async fn submit(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<OutboxMessage>> {
    let m = outbox::submit_for_review(&ctx.store, &ctx.actor(), OutboxId(id)).await?;
    Ok(Json(m.into()))
}

/// Approves a draft in review (the author's manager, or an administrator); queued for
/// its next window unless `queue` is false.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/approve", tag = "outbox", params(("id" = i64, Path)),
    request_body = OutboxApproval,
    responses((status = 200, body = OutboxMessage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not in review"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn approve(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<OutboxApproval>,
) -> ApiResult<Json<OutboxMessage>> {
    let m = outbox::approve(
        &ctx.store,
        &ctx.actor(),
        OutboxId(id),
        ReviewInput {
            comment: input.comment,
            queue: input.queue.unwrap_or(true),
        },
        state.playbook(),
        state.now(),
    )
    .await?;
    Ok(Json(m.into()))
}

/// Returns a draft in review to its author with a comment.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/return", tag = "outbox", params(("id" = i64, Path)),
    request_body = OutboxReturn,
    responses((status = 200, body = OutboxMessage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not in review"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn return_draft(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<OutboxReturn>,
) -> ApiResult<Json<OutboxMessage>> {
    let m = outbox::return_draft(
        &ctx.store,
        &ctx.actor(),
        OutboxId(id),
        &input.comment,
        state.now(),
    )
    .await?;
    Ok(Json(m.into()))
}

/// Sends a draft (never reviewed, or approved): it waits in the queue for its next
/// window; `not_before` says when. 422 on `contact` for an opted-out contact or one
/// without an e-mail address.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/send", tag = "outbox", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxMessage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not a draft or approved"), (status = 422, body = ErrorBody)))]
pub(super) async fn send(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<OutboxMessage>> {
    let m = outbox::queue(
        &ctx.store,
        &ctx.actor(),
        OutboxId(id),
        state.playbook(),
        state.now(),
    )
    .await?;
    Ok(Json(m.into()))
}

/// Withdraws a message that has not left.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/cancel", tag = "outbox", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxMessage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already leaving or gone")))]
pub(super) async fn cancel(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<OutboxMessage>> {
    let m = outbox::cancel(&ctx.store, &ctx.actor(), OutboxId(id)).await?;
    Ok(Json(m.into()))
}
