//! `/api/v1/templates`, `/api/v1/coach` and `/api/v1/drafts`: what a rep writes (P5,
//! P41, P42, P47).

use axum::Json;
use axum::extract::{Path, State};
use jiff::civil::Date;
use rounds_core::model::UserId;
use rounds_core::outreach::TemplateKind as Kind;
use serde::Deserialize;
use utoipa::IntoParams;

use super::Params;
use super::wire::{CoachInput, PlanDrafts, Template, TemplateInput, TemplateListing, Verdict};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

fn kind_of(text: &str) -> Result<Kind, ApiError> {
    text.parse::<Kind>()
        .map_err(|_| ApiError::not_found("template"))
}

/// Every kind's template in use: the organisation's own where it has one, else the
/// built-in one (`custom` says which).
#[utoipa::path(get, path = "/api/v1/templates", tag = "outreach",
    responses((status = 200, body = TemplateListing), (status = 401, body = ErrorBody)))]
pub(super) async fn list_templates(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Json<TemplateListing>> {
    let all: Vec<Template> = rounds_app::list_templates(state.store(), &ctx.actor())
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let total = all.len() as u64;
    Ok(Json(TemplateListing {
        limit: all.len() as i64,
        items: all,
        total,
        offset: 0,
    }))
}

#[utoipa::path(get, path = "/api/v1/templates/{kind}", tag = "outreach", params(("kind" = String, Path)),
    responses((status = 200, body = Template), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_template(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(kind): Path<String>,
) -> ApiResult<Json<Template>> {
    let v = rounds_app::get_template(state.store(), &ctx.actor(), kind_of(&kind)?).await?;
    Ok(Json(v.into()))
}

/// Replaces a kind's template with the organisation's own (managers and
/// administrators). Checked against sample values first: an unknown placeholder or a
/// syntax error answers 422 naming the part (`subject`, `body`, `short`) and line.
#[utoipa::path(put, path = "/api/v1/templates/{kind}", tag = "outreach", params(("kind" = String, Path)),
    request_body = TemplateInput,
    responses((status = 200, body = Template), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(super) async fn put_template(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(kind): Path<String>,
    JsonBody(input): JsonBody<TemplateInput>,
) -> ApiResult<Json<Template>> {
    let template = rounds_core::outreach::Template {
        kind: kind_of(&kind)?,
        subject: input.subject,
        body: input.body,
        short: input.short,
    };
    let v = rounds_app::save_template(&ctx.store, &ctx.actor(), template, state.now()).await?;
    Ok(Json(v.into()))
}

/// Brings the built-in template of a kind back (managers and administrators); answers
/// the template now in use.
#[utoipa::path(delete, path = "/api/v1/templates/{kind}", tag = "outreach", params(("kind" = String, Path)),
    responses((status = 200, body = Template), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(super) async fn reset_template(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(kind): Path<String>,
) -> ApiResult<Json<Template>> {
    let kind = kind_of(&kind)?;
    let actor = ctx.actor();
    rounds_app::reset_template(&ctx.store, &actor, kind).await?;
    Ok(Json(
        rounds_app::get_template(state.store(), &actor, kind)
            .await?
            .into(),
    ))
}

/// The message coach on a draft (P5, P41, P42): every finding with its rule, the part
/// and the byte span of the words behind it. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/coach", tag = "outreach", request_body = CoachInput,
    responses((status = 200, body = Verdict), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn coach(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<CoachInput>,
) -> ApiResult<Json<Verdict>> {
    let v = rounds_app::coach_text(
        state.store(),
        &ctx.actor(),
        state.playbook(),
        input.subject.as_deref(),
        &input.body,
    )
    .await?;
    Ok(Json(v.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct DraftParams {
    /// Whose plan (default: the caller's).
    rep: Option<i64>,
    /// Which day, YYYY-MM-DD (default: today).
    #[param(value_type = Option<String>, format = Date)]
    date: Option<Date>,
}

/// A draft for each written item of a rep's plan (e-mail, text, LinkedIn, note,
/// letter), from the template its purpose calls for, with the coach's verdict.
#[utoipa::path(get, path = "/api/v1/drafts", tag = "outreach", params(DraftParams),
    responses((status = 200, body = PlanDrafts), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn plan_drafts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<DraftParams>,
) -> ApiResult<Json<PlanDrafts>> {
    let rep = UserId(p.rep.unwrap_or(ctx.caller.user.id.0));
    let date = p.date.unwrap_or_else(|| state.today());
    let (plan, drafts) = crate::app::plan_with_drafts(&state, &ctx, rep, date).await?;
    Ok(Json(PlanDrafts::new(&plan, drafts)))
}
