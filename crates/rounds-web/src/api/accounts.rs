//! `/api/v1/accounts`: the accounts in the caller's territories.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{AccountId, AccountStatus, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Account, AccountInput, AccountListing};
use super::{Params, RecordId, filter, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct AccountParams {
    /// Only this rep's accounts.
    rep: Option<i64>,
    /// Only accounts of this status: prospect, customer, lost or no-fit.
    status: Option<String>,
    /// Only accounts whose name contains this text (any case).
    q: Option<String>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The accounts in the caller's territories, by id.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountParams),
    responses((status = 200, body = AccountListing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_accounts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<AccountParams>,
) -> ApiResult<Json<AccountListing>> {
    let filter = rounds_app::AccountFilter {
        rep: p.rep.map(UserId),
        status: filter::<AccountStatus>(p.status.as_deref(), "status")?,
        search: p.q,
    };
    let accounts = rounds_app::list_accounts(state.store(), &ctx.actor(), &filter).await?;
    page(accounts, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Account>> {
    let account = rounds_app::get_account(state.store(), &ctx.actor(), AccountId(id)).await?;
    Ok(Json(account.into()))
}

/// Adds an account. Its `rep` must be in the caller's territories.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = Account), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_account(
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<AccountInput>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let account = rounds_app::create_account(&ctx.store, &ctx.actor(), input.into()).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// Replaces an account. Moving it to another rep needs that rep in scope too.
#[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = AccountInput,
    responses((status = 200, body = Account), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_account(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<AccountInput>,
) -> ApiResult<Json<Account>> {
    let account =
        rounds_app::update_account(&ctx.store, &ctx.actor(), AccountId(id), input.into()).await?;
    Ok(Json(account.into()))
}
