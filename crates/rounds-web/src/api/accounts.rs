//! `/api/v1/accounts`: the accounts in the caller's territories.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{AccountId, AccountStatus};
use rounds_store::{IdKind, Store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Account, AccountInput, AccountListing};
use super::{Params, RecordId, contains_ci, filter, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};
use crate::usecase::{check_account, rep_in_scope, scoped_account, scoped_accounts};

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
    let status: Option<AccountStatus> = filter(p.status.as_deref(), "status")?;
    let mut accounts = scoped_accounts(&state, &ctx).await?;
    accounts.retain(|a| {
        p.rep.is_none_or(|r| a.rep.0 == r)
            && status.is_none_or(|s| a.status == s)
            && p.q.as_deref().is_none_or(|q| contains_ci(&a.name, q))
    });
    page(accounts, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Account>> {
    Ok(Json(scoped_account(&state, &ctx, id).await?.into()))
}

/// Adds an account. Its `rep` must be in the caller's territories.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = Account), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<AccountInput>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let account = input.into_model(AccountId(0));
    check_account(&account)?;
    rep_in_scope(&ctx.scope, account.rep, "rep")?;
    let id = state
        .store()
        .next_id(ctx.caller.org, IdKind::Account)
        .await?;
    let account = rounds_core::model::Account {
        id: AccountId(id),
        ..account
    };
    state.store().save_account(ctx.caller.org, &account).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// Replaces an account. Moving it to another rep needs that rep in scope too.
#[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = AccountInput,
    responses((status = 200, body = Account), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<AccountInput>,
) -> ApiResult<Json<Account>> {
    scoped_account(&state, &ctx, id).await?;
    let account = input.into_model(AccountId(id));
    check_account(&account)?;
    rep_in_scope(&ctx.scope, account.rep, "rep")?;
    state.store().save_account(ctx.caller.org, &account).await?;
    Ok(Json(account.into()))
}
