//! `/api/v1/contacts`: the people at the caller's accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{AccountId, ContactId};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Contact, ContactInput, ContactListing};
use super::{Params, RecordId, page};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, JsonBody};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ContactParams {
    /// Only this account's contacts.
    account: Option<i64>,
    /// Only contacts whose name contains this text (any case).
    q: Option<String>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactParams),
    responses((status = 200, body = ContactListing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn list_contacts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<ContactParams>,
) -> ApiResult<Json<ContactListing>> {
    let filter = rounds_app::ContactFilter {
        account: p.account.map(AccountId),
        search: p.q,
    };
    let contacts = rounds_app::list_contacts(state.store(), &ctx.actor(), &filter).await?;
    page(contacts, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = Contact), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_contact(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Contact>> {
    let (contact, _) = rounds_app::get_contact(state.store(), &ctx.actor(), ContactId(id)).await?;
    Ok(Json(contact.into()))
}

/// Adds a contact to an account in the caller's territories.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_contact(
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<ContactInput>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    let contact = rounds_app::create_contact(&ctx.store, &ctx.actor(), input.into()).await?;
    Ok((StatusCode::CREATED, Json(contact.into())))
}

#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 200, body = Contact), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_contact(
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<ContactInput>,
) -> ApiResult<Json<Contact>> {
    let contact =
        rounds_app::update_contact(&ctx.store, &ctx.actor(), ContactId(id), input.into()).await?;
    Ok(Json(contact.into()))
}
