//! `/api/v1/users/{id}/calendar`, `/api/v1/users/{id}/week` and `/api/v1/time-off`: a
//! rep's own field week and time off. Nothing is planned on the rep's days off.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{TimeOffId, TimeRange, UserId, parse_weekdays};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Calendar, TimeOff, TimeOffInput, TimeOffListing, WorkWeek, WorkWeekInput};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

/// A rep's own field week (if set) and time off.
#[utoipa::path(get, path = "/api/v1/users/{id}/calendar", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 200, body = Calendar), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_calendar(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Calendar>> {
    let rep = UserId(id);
    let calendar = rounds_app::calendar_of(state.store(), &ctx.actor(), rep).await?;
    Ok(Json(Calendar {
        rep: id,
        week: calendar.week.map(Into::into),
        time_off: calendar.time_off.into_iter().map(Into::into).collect(),
    }))
}

/// Sets a rep's own field week (replacing the one before): the weekdays they work and,
/// optionally, their field hours.
#[utoipa::path(put, path = "/api/v1/users/{id}/week", tag = "calendar", params(("id" = i64, Path)), request_body = WorkWeekInput,
    responses((status = 200, body = WorkWeek), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn set_week(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<WorkWeekInput>,
) -> ApiResult<Json<WorkWeek>> {
    let actor = ctx.actor();
    let rep = UserId(id);
    // A rep outside the caller's scope answers 404, like one that does not exist.
    rounds_app::calendar_of(state.store(), &actor, rep).await?;
    let mut days = Vec::new();
    for (i, d) in input.days.iter().enumerate() {
        days.extend(parse_weekdays(d).map_err(|e| ApiError::field(format!("days[{i}]"), e.0))?);
    }
    let hours = match input.hours.as_deref() {
        None => None,
        Some(h) => Some(
            h.parse::<TimeRange>()
                .map_err(|e| ApiError::field("hours", e.0))?,
        ),
    };
    let week = rounds_app::set_work_week(
        &ctx.store,
        &actor,
        rounds_app::WorkWeekInput { rep, days, hours },
    )
    .await?;
    Ok(Json(week.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct TimeOffParams {
    /// Only this rep's time off.
    #[param(minimum = 1)]
    rep: Option<i64>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// Time off of the reps in the caller's territories, by start day.
#[utoipa::path(get, path = "/api/v1/time-off", tag = "calendar", params(TimeOffParams),
    responses((status = 200, body = TimeOffListing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_time_off(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<TimeOffParams>,
) -> ApiResult<Json<TimeOffListing>> {
    let all = rounds_app::list_time_off(state.store(), &ctx.actor(), p.rep.map(UserId)).await?;
    page(all, p.limit, p.offset)
}

/// Records time off: nothing is planned for the rep from `from` to `to` inclusive.
#[utoipa::path(post, path = "/api/v1/time-off", tag = "calendar", request_body = TimeOffInput,
    responses((status = 201, body = TimeOff), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn add_time_off(
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<TimeOffInput>,
) -> ApiResult<(StatusCode, Json<TimeOff>)> {
    let t = rounds_app::add_time_off(&ctx.store, &ctx.actor(), input.into()).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// Deletes a period of time off; its days become working days again.
#[utoipa::path(delete, path = "/api/v1/time-off/{id}", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn remove_time_off(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<StatusCode> {
    rounds_app::remove_time_off(&ctx.store, &ctx.actor(), TimeOffId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
