//! `/api/v1/referrals`: daily referral counts of referring contacts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::ContactId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{ReferralCount, ReferralInput, ReferralListing};
use super::{Params, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ReferralParams {
    /// The referring contact.
    contact: i64,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// A referring contact's daily referral counts, oldest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(ReferralParams),
    responses((status = 200, body = ReferralListing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_referrals(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<ReferralParams>,
) -> ApiResult<Json<ReferralListing>> {
    let counts =
        rounds_app::list_referrals(state.store(), &ctx.actor(), ContactId(p.contact)).await?;
    page(counts, p.limit, p.offset)
}

/// Records a day's referral count for a referring contact.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", request_body = ReferralInput,
    responses((status = 201, body = ReferralCount), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn add_referral(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<ReferralInput>,
) -> ApiResult<(StatusCode, Json<ReferralCount>)> {
    let count =
        rounds_app::add_referral(&ctx.store, &ctx.actor(), input.into(), state.today()).await?;
    Ok((StatusCode::CREATED, Json(count.into())))
}
