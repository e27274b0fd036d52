//! `/api/v1/referrals`: daily referral counts of referring contacts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{self, ContactId};
use rounds_store::Store;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{ReferralCount, ReferralInput, ReferralListing};
use super::{Params, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};
use crate::usecase::scoped_contact;

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
    let (contact, account) = scoped_contact(&state, &ctx, p.contact).await?;
    let territory = state.store().territory(ctx.caller.org, account.rep).await?;
    let counts: Vec<model::ReferralCount> = territory
        .referrals
        .into_iter()
        .filter(|r| r.contact == contact.id)
        .collect();
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
    scoped_contact(&state, &ctx, input.contact)
        .await
        .map_err(|_| {
            ApiError::field(
                "contact",
                format!("no contact {} in your territories", input.contact),
            )
        })?;
    if input.count > 10_000 {
        return Err(ApiError::field("count", "at most 10,000 a day"));
    }
    let count = model::ReferralCount {
        contact: ContactId(input.contact),
        day: input.day,
        count: input.count,
    };
    state.store().add_referral(ctx.caller.org, &count).await?;
    Ok((StatusCode::CREATED, Json(count.into())))
}
