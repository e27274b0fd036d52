//! `/api/v1/playbook`: the playbook the server plans with, and checking a new one.

use axum::Json;
use axum::extract::State;

use super::wire::{PlaybookCheck, PlaybookText};
use crate::AppState;
use crate::app;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

/// The playbook the server plans with, as TOML.
#[utoipa::path(get, path = "/api/v1/playbook", tag = "playbook",
    responses((status = 200, body = PlaybookText), (status = 401, body = ErrorBody)))]
pub(super) async fn playbook(
    State(state): State<AppState>,
    ApiCtx(_): ApiCtx,
) -> Json<PlaybookText> {
    Json(PlaybookText {
        toml: state.playbook_toml().to_string(),
    })
}

/// Checks a playbook file and lists every problem in it (nothing is changed).
#[utoipa::path(post, path = "/api/v1/playbook/check", tag = "playbook", request_body = PlaybookText,
    responses((status = 200, body = PlaybookCheck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn check_playbook(
    State(state): State<AppState>,
    ApiCtx(_): ApiCtx,
    JsonBody(input): JsonBody<PlaybookText>,
) -> ApiResult<Json<PlaybookCheck>> {
    Ok(Json(app::check_playbook(&state, input.toml).await?.into()))
}
