//! `/api/v1/lost`: lost accounts and why they were lost.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{self, AccountId, LossReason};
use rounds_store::Store;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{LostAccount, LostInput, LostListing};
use super::{Params, filter, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};
use crate::usecase::{lost_in_scope, scoped_account};

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
    let mut lost = lost_in_scope(&state, &ctx).await?;
    lost.retain(|l| reason.is_none_or(|r| l.reason == r));
    page(lost, p.limit, p.offset)
}

/// Records why an account was lost; its status becomes lost and the win-back schedule
/// (feedback P16, nurture P17) starts.
#[utoipa::path(post, path = "/api/v1/lost", tag = "lost", request_body = LostInput,
    responses((status = 201, body = LostAccount), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn record_lost(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<LostInput>,
) -> ApiResult<(StatusCode, Json<LostAccount>)> {
    scoped_account(&state, &ctx, input.account)
        .await
        .map_err(|_| {
            ApiError::field(
                "account",
                format!("no account {} in your territories", input.account),
            )
        })?;
    if input.note.chars().count() > 4000 {
        return Err(ApiError::field("note", "at most 4,000 characters"));
    }
    let lost = model::LostAccount {
        account: AccountId(input.account),
        lost_on: input.lost_on,
        reason: input.reason.into(),
        competitor: input
            .competitor
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        stakeholders: input.stakeholders,
        note: input.note,
    };
    state.store().record_lost(ctx.caller.org, &lost).await?;
    Ok((StatusCode::CREATED, Json(lost.into())))
}
