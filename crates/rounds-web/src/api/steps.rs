//! `/api/v1/steps`: the open next steps (P33), and completing, rescheduling, skipping and
//! editing one. A step's id is the id of the touch that set it.

use axum::Json;
use axum::extract::State;
use jiff::civil::Date;
use rounds_core::model::{TouchId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{StepEdit, StepListing, StepReschedule, StepSkip, StepUpdate};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct StepParams {
    /// Only this rep's steps (default: every territory the caller sees).
    rep: Option<i64>,
    /// Only the steps past their due date (default false).
    overdue: Option<bool>,
    /// Count lateness to this day, YYYY-MM-DD (default: today).
    #[param(value_type = Option<String>, format = Date)]
    date: Option<Date>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The open next steps in the caller's territories, by due date, each with how late it
/// is and whether it is on the triage list.
#[utoipa::path(get, path = "/api/v1/steps", tag = "steps", params(StepParams),
    responses((status = 200, body = StepListing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_steps(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<StepParams>,
) -> ApiResult<Json<StepListing>> {
    let filter = rounds_app::StepFilter {
        rep: p.rep.map(UserId),
        overdue: p.overdue.unwrap_or(false),
    };
    let today = p.date.unwrap_or_else(|| state.today());
    let steps =
        rounds_app::list_steps(state.store(), &ctx.actor(), state.playbook(), filter, today)
            .await?;
    page(steps, p.limit, p.offset)
}

/// Marks a next step done.
#[utoipa::path(post, path = "/api/v1/steps/{id}/complete", tag = "steps", params(("id" = i64, Path)),
    responses((status = 200, body = StepUpdate, description = "The update as stored"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The step is closed")))]
pub(super) async fn complete_step(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<StepUpdate>> {
    let u = rounds_app::complete_step(
        &ctx.store,
        &ctx.actor(),
        state.playbook(),
        TouchId(id),
        state.now(),
    )
    .await?;
    Ok(Json(u.into()))
}

/// Moves a next step to a new date, saying why.
#[utoipa::path(post, path = "/api/v1/steps/{id}/reschedule", tag = "steps", params(("id" = i64, Path)),
    request_body = StepReschedule,
    responses((status = 200, body = StepUpdate, description = "The update as stored"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The step is closed"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn reschedule_step(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<StepReschedule>,
) -> ApiResult<Json<StepUpdate>> {
    let u = rounds_app::reschedule_step(
        &ctx.store,
        &ctx.actor(),
        state.playbook(),
        TouchId(id),
        input.due,
        &input.reason,
        state.now(),
    )
    .await?;
    Ok(Json(u.into()))
}

/// Drops a next step, saying why.
#[utoipa::path(post, path = "/api/v1/steps/{id}/skip", tag = "steps", params(("id" = i64, Path)),
    request_body = StepSkip,
    responses((status = 200, body = StepUpdate, description = "The update as stored"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The step is closed"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn skip_step(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<StepSkip>,
) -> ApiResult<Json<StepUpdate>> {
    let u = rounds_app::skip_step(
        &ctx.store,
        &ctx.actor(),
        state.playbook(),
        TouchId(id),
        &input.reason,
        state.now(),
    )
    .await?;
    Ok(Json(u.into()))
}

/// Rewords a next step, moves it, or both.
#[utoipa::path(patch, path = "/api/v1/steps/{id}", tag = "steps", params(("id" = i64, Path)),
    request_body = StepEdit,
    responses((status = 200, body = StepUpdate, description = "The update as stored"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The step is closed"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn edit_step(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<StepEdit>,
) -> ApiResult<Json<StepUpdate>> {
    let u = rounds_app::edit_step(
        &ctx.store,
        &ctx.actor(),
        state.playbook(),
        TouchId(id),
        input.what.as_deref(),
        input.due,
        state.now(),
    )
    .await?;
    Ok(Json(u.into()))
}
