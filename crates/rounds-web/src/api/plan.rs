//! `/api/v1/plan`: a rep's plan for a day.

use axum::Json;
use axum::extract::State;
use jiff::civil::Date;
use rounds_core::model::UserId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::Params;
use super::wire::DayPlan;
use crate::AppState;
use crate::app::plan_for;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCtx;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct PlanParams {
    /// Whose plan (default: the caller's).
    rep: Option<i64>,
    /// Which day, YYYY-MM-DD (default: today).
    #[param(value_type = Option<String>, format = Date)]
    date: Option<Date>,
}

/// A rep's plan for a day: whom to contact, how, when, about what and why, the flags,
/// and the route of the day's visits.
#[utoipa::path(get, path = "/api/v1/plan", tag = "plan", params(PlanParams),
    responses((status = 200, body = DayPlan, description = "The day plan"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn day_plan(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<PlanParams>,
) -> ApiResult<Json<DayPlan>> {
    let rep = UserId(p.rep.unwrap_or(ctx.caller.user.id.0));
    let date = p.date.unwrap_or_else(|| state.today());
    let plan = plan_for(&state, &ctx, rep, date).await?;
    Ok(Json(plan.into()))
}
