//! `/api/v1/lost`: lost accounts and why they were lost.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::LossReason;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{LostAccount, LostInput, LostListing};
use super::{Params, filter, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct LostParams {
    /// Only losses for this reason.
    reason: Option<String>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// Lost accounts in the caller's territories, by account id.
#[utoipa::path(get, path = "/api/v1/lost", tag = "lost", params(LostParams),
    responses((status = 200, body = LostListing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_lost(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<LostParams>,
) -> ApiResult<Json<LostListing>> {
    let reason: Option<LossReason> = filter(p.reason.as_deref(), "reason")?;
    let lost = rounds_app::list_lost(state.store(), &ctx.actor(), reason).await?;
    page(lost, p.limit, p.offset)
}

/// Records why an account was lost; its status becomes lost and the win-back schedule
/// (feedback P16, nurture P17) starts. An account already lost answers 409 naming
/// `replace` unless `replace` is true; then the earlier loss is kept in `earlier`.
#[utoipa::path(post, path = "/api/v1/lost", tag = "lost", request_body = LostInput,
    responses((status = 201, body = LostAccount), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The account already has a loss recorded; send `replace: true` to replace it"),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn record_lost(
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<LostInput>,
) -> ApiResult<(StatusCode, Json<LostAccount>)> {
    let lost = rounds_app::record_loss(&ctx.store, &ctx.actor(), input.into()).await?;
    Ok((StatusCode::CREATED, Json(lost.into())))
}
