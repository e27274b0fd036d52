//! `/api/v1/me` and `/api/v1/users`: the caller and the users they can see, and a
//! user's password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{self, Role};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{PasswordInput, PasswordSet, User, UserInput, UserListing};
use super::{Params, RecordId, filter, page};
use crate::AppState;
use crate::app::hash_in_background;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiCtx;
use crate::extract::JsonBody;

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, body = User, description = "The signed-in user"), (status = 401, body = ErrorBody)))]
pub(super) async fn me(ApiCtx(ctx): ApiCtx) -> Json<User> {
    Json(ctx.caller.user.into())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct UserParams {
    /// Only users of this role: rep, manager or admin.
    role: Option<String>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The users the caller can see: a rep themselves, a manager their team, an
/// administrator everyone.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserParams),
    responses((status = 200, body = UserListing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_users(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<UserParams>,
) -> ApiResult<Json<UserListing>> {
    let role: Option<Role> = filter(p.role.as_deref(), "role")?;
    let users: Vec<model::User> = rounds_app::list_users(state.store(), &ctx.actor())
        .await?
        .into_iter()
        .map(|row| row.user)
        .filter(|u| role.is_none_or(|r| u.role == r))
        .collect();
    page(users, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_user(ApiCtx(ctx): ApiCtx, RecordId(id): RecordId) -> ApiResult<Json<User>> {
    let user = rounds_app::find_user(&ctx.actor(), &id.to_string())?;
    Ok(Json(user.into()))
}

/// Adds a user (administrators only).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput,
    responses((status = 201, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    // Refused before the (deliberately slow) hashing; `add_user` decides the same.
    if !ctx.scope.is_admin() {
        return Err(ApiError::forbidden("only administrators may add users"));
    }
    let password_hash = match input.password {
        Some(pw) => Some(hash_in_background(&state, pw).await?),
        None => None,
    };
    let input = rounds_app::UserInput {
        name: input.name,
        email: input.email,
        role: input.role.into(),
        team: input.team,
        password_hash,
        territory_from: None,
    };
    let (user, _) = rounds_app::add_user(&ctx.store, &ctx.actor(), input).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Sets a user's password: the caller's own, or (administrators) another user's of the
/// organisation. Every session of the user ends (the caller's too, for their own) and
/// every API token of theirs is revoked. Needs a signed-in session: a token cannot
/// change a password.
#[utoipa::path(put, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)),
    request_body = PasswordInput,
    responses((status = 200, body = PasswordSet), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn set_password(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<PasswordInput>,
) -> ApiResult<Json<PasswordSet>> {
    // A leaked token must not be able to lock its user out.
    if ctx.caller.session.is_none() {
        return Err(ApiError::forbidden(
            "a password is changed from a signed-in session (or `rounds user passwd`), not with a token",
        ));
    }
    let actor = ctx.actor();
    // Checked before the (deliberately slow) hashing; `set_password` decides the same.
    let target = rounds_app::find_user(&actor, &id.to_string())?;
    if target.id != ctx.caller.user.id && !ctx.scope.is_admin() {
        return Err(ApiError::forbidden(
            "only administrators may set another user's password",
        ));
    }
    let hash = hash_in_background(&state, input.password).await?;
    let (user, tokens_revoked) =
        rounds_app::set_password(&ctx.store, &actor, target.id, &hash).await?;
    Ok(Json(PasswordSet {
        user: user.into(),
        tokens_revoked,
    }))
}
