//! `/api/v1/calendar-feed`: the caller's calendar feed (or, for an administrator, another
//! user's): POST makes one, replacing the one before, and answers its address this once;
//! DELETE revokes it. The feed itself is `GET /calendar/{secret}.ics`, outside the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::UserId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::Params;
use super::wire::CalendarFeedMade;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiCtx;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct FeedParams {
    /// Whose feed (administrators; anyone else may name only themself). Default: the caller.
    user: Option<i64>,
}

/// Makes the user's calendar feed, replacing the one before (whose address stops
/// working). The secret address is in this answer only.
#[utoipa::path(post, path = "/api/v1/calendar-feed", tag = "calendar", params(FeedParams),
    responses((status = 201, body = CalendarFeedMade), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn make_feed(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<FeedParams>,
) -> ApiResult<(StatusCode, Json<CalendarFeedMade>)> {
    let user = p.user.map_or(ctx.caller.user.id, UserId);
    let made = rounds_app::new_calendar_feed(&ctx.store, &ctx.actor(), user, state.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarFeedMade {
            user: made.feed.user.0,
            path: rounds_app::feed_path(&made.secret),
            created_at: made.feed.created_at,
        }),
    ))
}

/// Revokes the user's calendar feed: its address answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/calendar-feed", tag = "calendar", params(FeedParams),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn revoke_feed(
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<FeedParams>,
) -> ApiResult<StatusCode> {
    let user = p.user.map_or(ctx.caller.user.id, UserId);
    rounds_app::revoke_calendar_feed(&ctx.store, &ctx.actor(), user).await?;
    Ok(StatusCode::NO_CONTENT)
}
