//! `/api/v1/contacts`: the people at the caller's accounts.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rounds_core::model::{self, AccountId, ContactId};
use rounds_store::{IdKind, Store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::wire::{Contact, ContactInput, ContactListing};
use super::{Params, RecordId, contains_ci, page};
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, Ctx, JsonBody};
use crate::usecase::{check_contact, scoped_account, scoped_accounts, scoped_contact};

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
    let org = ctx.caller.org;
    let mut contacts = match p.account {
        Some(id) => {
            scoped_account(&state, &ctx, id).await?;
            state.store().contacts(org, Some(AccountId(id))).await?
        }
        None => {
            let visible: BTreeSet<AccountId> = scoped_accounts(&state, &ctx)
                .await?
                .iter()
                .map(|a| a.id)
                .collect();
            let mut all = state.store().contacts(org, None).await?;
            all.retain(|c| visible.contains(&c.account));
            all
        }
    };
    if let Some(q) = p.q.as_deref() {
        contacts.retain(|c| contains_ci(&c.name, q));
    }
    page(contacts, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = Contact), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn get_contact(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Contact>> {
    let (contact, _) = scoped_contact(&state, &ctx, id).await?;
    Ok(Json(contact.into()))
}

/// Adds a contact to an account in the caller's territories.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_contact(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<ContactInput>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    let contact = input.into_model(ContactId(0));
    check_contact(&contact)?;
    account_in_scope(&state, &ctx, contact.account).await?;
    let id = state
        .store()
        .next_id(ctx.caller.org, IdKind::Contact)
        .await?;
    let contact = model::Contact {
        id: ContactId(id),
        ..contact
    };
    state.store().save_contact(ctx.caller.org, &contact).await?;
    Ok((StatusCode::CREATED, Json(contact.into())))
}

#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 200, body = Contact), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_contact(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(input): JsonBody<ContactInput>,
) -> ApiResult<Json<Contact>> {
    scoped_contact(&state, &ctx, id).await?;
    let contact = input.into_model(ContactId(id));
    check_contact(&contact)?;
    account_in_scope(&state, &ctx, contact.account).await?;
    state.store().save_contact(ctx.caller.org, &contact).await?;
    Ok(Json(contact.into()))
}

/// The account a contact body names must be in scope; otherwise that field is wrong.
async fn account_in_scope(state: &AppState, ctx: &Ctx, account: AccountId) -> ApiResult<()> {
    scoped_account(state, ctx, account.0)
        .await
        .map(|_| ())
        .map_err(|_| {
            ApiError::field(
                "account",
                format!("no account {account} in your territories"),
            )
        })
}
