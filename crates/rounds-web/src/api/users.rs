//! `/api/v1/me` and `/api/v1/users`: the caller and the users they can see.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{self, Role, UserId};
use rounds_store::{IdKind, Store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{User, UserInput, UserListing};
use super::{Params, RecordId, filter, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiCtx;
use crate::usecase::{conflict, hash_in_background, valid_email};

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
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<UserParams>,
) -> ApiResult<Json<UserListing>> {
    let role: Option<Role> = filter(p.role.as_deref(), "role")?;
    let users: Vec<model::User> = ctx
        .scope
        .users
        .into_iter()
        .filter(|u| role.is_none_or(|r| u.role == r))
        .collect();
    page(users, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_user(ApiCtx(ctx): ApiCtx, RecordId(id): RecordId) -> ApiResult<Json<User>> {
    ctx.scope
        .user(UserId(id))
        .cloned()
        .map(|u| Json(u.into()))
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Adds a user (administrators only).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput,
    responses((status = 201, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    crate::extract::JsonBody(input): crate::extract::JsonBody<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    if !ctx.scope.is_admin() {
        return Err(ApiError::forbidden("only administrators may add users"));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::field(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    let email = input.email.trim().to_lowercase();
    if !valid_email(&email) {
        return Err(ApiError::field("email", "not an e-mail address"));
    }
    let everyone = state.store().users(ctx.caller.org).await?;
    if everyone
        .iter()
        .any(|u| u.email.eq_ignore_ascii_case(&email))
        || state.store().credentials_by_login(&email).await?.is_some()
    {
        return Err(conflict(format!("a user with e-mail {email} exists")));
    }
    let hash = match &input.password {
        Some(pw) => Some(hash_in_background(pw.clone()).await?),
        None => None,
    };
    let user = model::User {
        id: UserId(state.store().next_id(ctx.caller.org, IdKind::User).await?),
        name: name.to_string(),
        email: email.clone(),
        role: input.role.into(),
        team: input
            .team
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
    };
    state.store().save_user(ctx.caller.org, &user).await?;
    if let Some(hash) = hash {
        state
            .store()
            .set_password(ctx.caller.org, user.id, &email, &hash)
            .await?;
    }
    Ok((StatusCode::CREATED, Json(user.into())))
}
