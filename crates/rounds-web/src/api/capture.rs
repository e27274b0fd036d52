//! `/api/v1/capture/review`: captured mail that no contact (or several) matched (P48),
//! waiting for a person to put it on a contact (which logs its touch, and for a reply
//! completes the step it answers) or to dismiss it. A rep sees the mail of their own
//! users and contacts, a manager the team's.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::ContactId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{
    CaptureAssign, CaptureReviewItem, CaptureReviewListing, CaptureReviewState, Touch,
};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ReviewParams {
    /// Only items in this state (default: every state).
    state: Option<CaptureReviewState>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The review list, oldest first.
#[utoipa::path(get, path = "/api/v1/capture/review", tag = "capture", params(ReviewParams),
    responses((status = 200, body = CaptureReviewListing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_review(
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<ReviewParams>,
) -> ApiResult<Json<CaptureReviewListing>> {
    let rows =
        rounds_app::capture::list_review(&ctx.store, &ctx.actor(), p.state.map(Into::into)).await?;
    page(rows, p.limit, p.offset)
}

/// One item of the review list.
#[utoipa::path(get, path = "/api/v1/capture/review/{id}", tag = "capture", params(("id" = i64, Path)),
    responses((status = 200, body = CaptureReviewItem), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_review(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<CaptureReviewItem>> {
    let item = rounds_app::capture::get_review(&ctx.store, &ctx.actor(), id).await?;
    Ok(Json(item.into()))
}

/// Puts an open item on a contact of the caller's territories: its touch is logged as a
/// capture would have logged it. 409 when it was assigned or dismissed already.
#[utoipa::path(post, path = "/api/v1/capture/review/{id}/assign", tag = "capture", params(("id" = i64, Path)),
    request_body = CaptureAssign,
    responses((status = 201, body = Touch), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Already resolved"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn assign_review(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<CaptureAssign>,
) -> ApiResult<(StatusCode, Json<Touch>)> {
    let touch = rounds_app::capture::assign_review(
        &ctx.store,
        &ctx.actor(),
        id,
        ContactId(input.contact),
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(touch.into())))
}

/// Dismisses an open item: not a contact's mail, or not worth a touch.
#[utoipa::path(post, path = "/api/v1/capture/review/{id}/dismiss", tag = "capture", params(("id" = i64, Path)),
    responses((status = 204, description = "Dismissed"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already resolved")))]
pub(super) async fn dismiss_review(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<StatusCode> {
    rounds_app::capture::dismiss_review(&ctx.store, &ctx.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
