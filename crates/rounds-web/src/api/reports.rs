//! `/api/v1/reports/{report}`: the reports of the Reports page as tables (JSON, or CSV
//! with `format=csv`), from the reps' stored summaries of the day.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use rounds_core::reports;
use serde::Deserialize;
use utoipa::IntoParams;

use super::Params;
use super::wire::{Report, ReportCsv, ReportTable};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiCtx;
use crate::pages::reports::{csv_answer, name_of};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ReportParams {
    /// `json` (the default) or `csv`.
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// One report over the caller's team (a manager's or an administrator's reps), or the
/// caller's own figures for a rep: `funnel` (contacts reached on each attempt, given up
/// after each number, P20), `seed` (the team against the seed's figures), `promises`
/// (next steps of the last 90 days kept, P33), `coverage` (customer accounts by segment
/// and kind, P23), `liaisons` (referrals per month per rep), `referrers` (per referring
/// contact, with the P9 drop and the P10 flag), `losses` (per quarter by reason,
/// competitor and rep, P18).
#[utoipa::path(get, path = "/api/v1/reports/{report}", tag = "reports",
    params(("report" = Report, Path, description = "Which report"), ReportParams),
    responses((status = 200, description = "The table as JSON; with `format=csv` the same rows as CSV",
            content((ReportTable = "application/json"), (ReportCsv = "text/csv"))),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn report(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(name): Path<String>,
    Params(p): Params<ReportParams>,
) -> ApiResult<Response> {
    let report = reports::Report::parse(&name).ok_or_else(|| ApiError::not_found("report"))?;
    let csv = match p.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::field("format", "give `json` or `csv`"));
        }
    };
    let actor = ctx.actor();
    let (summaries, computed_at) = crate::summaries::summaries_in_view(&state, &actor).await?;
    let table = reports::table(report, &summaries, &name_of(&actor));
    if csv {
        return Ok(csv_answer(&table, state.today()));
    }
    Ok(Json(ReportTable {
        report: Report(report),
        day: state.today(),
        computed_at,
        reps: summaries.len(),
        columns: table.columns,
        rows: table.rows,
    })
    .into_response())
}
