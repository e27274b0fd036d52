//! `/api/v1/topics`: the organisation's topic library.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::TopicId;
use rounds_store::{IdKind, Store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Topic, TopicInput, TopicListing};
use super::{Params, RecordId, contains_ci, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};
use crate::usecase::{check_topic, leads_only};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct TopicParams {
    /// Only topics whose title contains this text (any case).
    q: Option<String>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The organisation's topic library (shared by every territory).
#[utoipa::path(get, path = "/api/v1/topics", tag = "topics", params(TopicParams),
    responses((status = 200, body = TopicListing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_topics(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<TopicParams>,
) -> ApiResult<Json<TopicListing>> {
    let mut topics = state.store().topics(ctx.caller.org).await?;
    if let Some(q) = p.q.as_deref() {
        topics.retain(|t| contains_ci(&t.title, q));
    }
    page(topics, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "topics", params(("id" = i64, Path)),
    responses((status = 200, body = Topic), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Topic>> {
    state
        .store()
        .topic(ctx.caller.org, TopicId(id))
        .await?
        .map(|t| Json(t.into()))
        .ok_or_else(|| ApiError::not_found("topic"))
}

/// Adds a topic to the library (managers and administrators).
#[utoipa::path(post, path = "/api/v1/topics", tag = "topics", request_body = TopicInput,
    responses((status = 201, body = Topic), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<TopicInput>,
) -> ApiResult<(StatusCode, Json<Topic>)> {
    leads_only(&ctx.scope, "change the topic library")?;
    let topic = input.into_model(TopicId(0));
    check_topic(&topic)?;
    let id = state.store().next_id(ctx.caller.org, IdKind::Topic).await?;
    let topic = rounds_core::model::Topic {
        id: TopicId(id),
        ..topic
    };
    state.store().save_topic(ctx.caller.org, &topic).await?;
    Ok((StatusCode::CREATED, Json(topic.into())))
}

#[utoipa::path(put, path = "/api/v1/topics/{id}", tag = "topics", params(("id" = i64, Path)), request_body = TopicInput,
    responses((status = 200, body = Topic), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<TopicInput>,
) -> ApiResult<Json<Topic>> {
    leads_only(&ctx.scope, "change the topic library")?;
    if state
        .store()
        .topic(ctx.caller.org, TopicId(id))
        .await?
        .is_none()
    {
        return Err(ApiError::not_found("topic"));
    }
    let topic = input.into_model(TopicId(id));
    check_topic(&topic)?;
    state.store().save_topic(ctx.caller.org, &topic).await?;
    Ok(Json(topic.into()))
}
