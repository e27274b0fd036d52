//! `/api/v1/ledger`: transfers of value given at accounts and the yearly Open Payments
//! export (P14).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rounds_app::LedgerFilter;
use rounds_core::ledger::write_open_payments;
use rounds_core::model::{AccountId, TransferId};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Transfer, TransferInput, TransferListing, TransferRecorded, TransferVoidInput};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct LedgerParams {
    /// Only transfers dated in this calendar year.
    #[param(minimum = 2000, maximum = 2100)]
    year: Option<i16>,
    /// Only this account's.
    account: Option<i64>,
    /// Voided transfers too (default false).
    void: Option<bool>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// Transfers of value in the caller's territories, by date then id.
#[utoipa::path(get, path = "/api/v1/ledger", tag = "ledger", params(LedgerParams),
    responses((status = 200, body = TransferListing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_transfers(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<LedgerParams>,
) -> ApiResult<Json<TransferListing>> {
    let filter = LedgerFilter {
        year: p.year,
        account: p.account.map(AccountId),
        include_void: p.void.unwrap_or(false),
    };
    let transfers = rounds_app::list_transfers(state.store(), &ctx.actor(), filter).await?;
    page(transfers, p.limit, p.offset)
}

/// Records a transfer of value given at an account in the caller's territories. The
/// answer carries the warnings of recipients whose year is now over the playbook's cap.
/// A description offering value per referral is refused (422, P14).
#[utoipa::path(post, path = "/api/v1/ledger", tag = "ledger", request_body = TransferInput,
    responses((status = 201, body = TransferRecorded), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn record_transfer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<TransferInput>,
) -> ApiResult<(StatusCode, Json<TransferRecorded>)> {
    let today = state.today();
    let recorded = rounds_app::record_transfer(
        &ctx.store,
        &ctx.actor(),
        state.playbook(),
        input.into_app(today),
        today,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(recorded.into())))
}

/// Voids a transfer recorded in error; it stays in the ledger and counts nowhere. A
/// transfer already voided answers 409 naming `void`.
#[utoipa::path(post, path = "/api/v1/ledger/{id}/void", tag = "ledger", request_body = TransferVoidInput,
    params(("id" = i64, Path, description = "The transfer's id")),
    responses((status = 200, body = Transfer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Already voided"),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn void_transfer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<TransferVoidInput>,
) -> ApiResult<Json<Transfer>> {
    let voided = rounds_app::void_transfer(
        &ctx.store,
        &ctx.actor(),
        TransferId(id),
        &input.reason,
        state.today(),
    )
    .await?;
    Ok(Json(voided.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ExportParams {
    /// The calendar year.
    #[param(minimum = 2000, maximum = 2100)]
    year: i16,
}

/// The year's Open Payments–style CSV (`text/csv`) over the caller's territories: one
/// row per covered recipient per transfer, voided transfers left out, with the
/// recipient's yearly total on each row. Dates MM/DD/YYYY, amounts in dollars with two
/// decimals; the header names the columns.
#[utoipa::path(get, path = "/api/v1/ledger/export.csv", tag = "ledger", params(ExportParams),
    responses((status = 200, description = "The CSV, as `text/csv; charset=utf-8`, offered as `open-payments-YEAR.csv`"),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn export_csv(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<ExportParams>,
) -> ApiResult<Response> {
    let report =
        rounds_app::ledger_year(state.store(), &ctx.actor(), state.playbook(), p.year).await?;
    let mut csv = Vec::new();
    write_open_payments(&report, &mut csv).map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"open-payments-{}.csv\"", p.year),
            ),
        ],
        csv,
    )
        .into_response())
}
