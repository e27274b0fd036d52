//! `/api/v1/touches`: logging touches and reading a contact's or an account's history.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{AccountId, ContactId, TouchId};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Touch, TouchInput, TouchListing};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct TouchParams {
    /// The contact whose touches to list (this or `account` is required).
    contact: Option<i64>,
    /// The account whose touches to list.
    account: Option<i64>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// One contact's or one account's touches, oldest first.
#[utoipa::path(get, path = "/api/v1/touches", tag = "touches", params(TouchParams),
    responses((status = 200, body = TouchListing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_touches(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<TouchParams>,
) -> ApiResult<Json<TouchListing>> {
    let filter = match (p.contact, p.account) {
        (Some(c), None) => rounds_app::TouchFilter::Contact(ContactId(c)),
        (None, Some(a)) => rounds_app::TouchFilter::Account(AccountId(a)),
        _ => {
            return Err(ApiError::field(
                "contact",
                "give exactly one of `contact` and `account`",
            ));
        }
    };
    let touches = rounds_app::list_touches(state.store(), &ctx.actor(), filter).await?;
    page(touches, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/touches/{id}", tag = "touches", params(("id" = i64, Path)),
    responses((status = 200, body = Touch), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_touch(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Touch>> {
    let touch = rounds_app::get_touch(state.store(), &ctx.actor(), TouchId(id)).await?;
    Ok(Json(touch.into()))
}

/// Logs a touch and returns it as stored.
#[utoipa::path(post, path = "/api/v1/touches", tag = "touches", request_body = TouchInput,
    responses((status = 201, body = Touch, description = "The touch as stored"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn log_touch(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<TouchInput>,
) -> ApiResult<(StatusCode, Json<Touch>)> {
    let touch = rounds_app::log_touch(&ctx.store, &ctx.actor(), input.into(), state.now()).await?;
    Ok((StatusCode::CREATED, Json(touch.into())))
}

/// Deletes a touch logged by mistake.
#[utoipa::path(delete, path = "/api/v1/touches/{id}", tag = "touches", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_touch(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<StatusCode> {
    rounds_app::delete_touch(&ctx.store, &ctx.actor(), TouchId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
