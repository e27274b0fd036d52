//! `/api/v1/audit`: the organisation's audit log and the verdict on its hash chain, for
//! administrators (anyone else gets 403).

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{AuditEntry, AuditListing, AuditVerification};
use super::{DEFAULT_LIMIT, MAX_LIMIT, Params};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiCtx;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditParams {
    /// Only changes of this kind of record (`account`), or of one record (`account/12`).
    entity: Option<String>,
    /// Only changes at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    since: Option<Timestamp>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip, newest first (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The audit log, newest first: every change, who made it and when, with the digests of
/// the record before and after. Administrators only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditListing), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn audit_log(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<AuditParams>,
) -> ApiResult<Json<AuditListing>> {
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let offset = p.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::field("offset", "must not be negative"));
    }
    let page = rounds_app::audit_log(
        state.store(),
        &ctx.actor(),
        rounds_app::AuditFilter {
            entity: p.entity,
            since: p.since,
            limit: Some(limit.unsigned_abs()),
            offset: offset.unsigned_abs(),
        },
    )
    .await?;
    Ok(Json(AuditListing {
        items: page.entries.into_iter().map(AuditEntry::from).collect(),
        total: page.total,
        limit,
        offset,
    }))
}

/// Walks the audit chain and rechecks the records it describes: `whole`, or every
/// altered, missing or renumbered row and every record changed without a row.
/// Administrators only.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = AuditVerification), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub(super) async fn verify_audit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<AuditVerification>> {
    let report = rounds_app::verify_audit(state.store(), &ctx.actor()).await?;
    Ok(Json(report.into()))
}
