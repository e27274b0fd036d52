//! `/api/v1/topics`: the organisation's topic library.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::TopicId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Topic, TopicInput, TopicListing};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

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
    let topics = rounds_app::list_topics(state.store(), &ctx.actor(), p.q.as_deref()).await?;
    page(topics, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "topics", params(("id" = i64, Path)),
    responses((status = 200, body = Topic), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Topic>> {
    let topic = rounds_app::get_topic(state.store(), &ctx.actor(), TopicId(id)).await?;
    Ok(Json(topic.into()))
}

/// Adds a topic to the library (managers and administrators).
#[utoipa::path(post, path = "/api/v1/topics", tag = "topics", request_body = TopicInput,
    responses((status = 201, body = Topic), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_topic(
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<TopicInput>,
) -> ApiResult<(StatusCode, Json<Topic>)> {
    let topic = rounds_app::create_topic(&ctx.store, &ctx.actor(), input.into()).await?;
    Ok((StatusCode::CREATED, Json(topic.into())))
}

#[utoipa::path(put, path = "/api/v1/topics/{id}", tag = "topics", params(("id" = i64, Path)), request_body = TopicInput,
    responses((status = 200, body = Topic), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_topic(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<TopicInput>,
) -> ApiResult<Json<Topic>> {
    let topic =
        rounds_app::update_topic(&ctx.store, &ctx.actor(), TopicId(id), input.into()).await?;
    Ok(Json(topic.into()))
}
