//! `/api/v1/tokens`: API tokens. A user lists, makes and revokes their own; an
//! administrator every token of their organisation. Another organisation's token, or
//! another user's for anyone else, answers 404 like one that does not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rounds_core::model::UserId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{NewToken, Token, TokenInput, TokenListing};
use super::{Params, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct TokenParams {
    /// Only this user's tokens (administrators; anyone else may name only themself).
    user: Option<i64>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The caller's API tokens, or for an administrator the organisation's, by creation
/// time; expired ones are listed (and marked) until revoked.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(TokenParams),
    responses((status = 200, body = TokenListing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(super) async fn list_tokens(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<TokenParams>,
) -> ApiResult<Json<TokenListing>> {
    let rows = rounds_app::list_tokens(state.store(), &ctx.actor(), p.user.map(UserId)).await?;
    let now = state.now();
    page(
        rows.into_iter().map(|r| (r, now)).collect(),
        p.limit,
        p.offset,
    )
}

/// Makes an API token, for the caller or (administrators) another user of the
/// organisation. The secret is in this answer only. Needs a signed-in session (with its
/// `X-CSRF-Token`): a token cannot make tokens.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenInput,
    responses((status = 201, body = NewToken), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_token(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<TokenInput>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    // A token may not make tokens: a leaked one would otherwise renew itself forever.
    if ctx.caller.session.is_none() {
        return Err(ApiError::forbidden(
            "tokens are made from a signed-in session (or `rounds token add`), not with a token",
        ));
    }
    let input = rounds_app::TokenInput {
        user: input.user.map_or(ctx.caller.user.id, UserId),
        name: input.name,
        lifetime: rounds_app::TokenLifetime::parse(input.expires_in.as_deref().unwrap_or(""))?,
    };
    let now = state.now();
    let made = rounds_app::add_token(&ctx.store, &ctx.actor(), input, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            secret: made.secret,
            token: Token::from((made.made, now)),
        }),
    ))
}

/// Revokes an API token: it stops working at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token's id, as listed")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn revoke_token(
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    rounds_app::revoke_token(&ctx.store, &ctx.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
