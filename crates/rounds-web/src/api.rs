//! The JSON API, `/api/v1/…`, and its OpenAPI 3.1 document at `/api/openapi.json`,
//! generated from these handlers' annotations.
//!
//! Every record is reached through the caller's [`Scope`](crate::Scope): an id outside it
//! answers 404 exactly like an id that does not exist. Lists page with `limit` (1–500,
//! default 50) and `offset`, and say the `total`.

use std::collections::BTreeSet;

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{
    Account, AccountId, AccountStatus, Channel, Contact, ContactId, Direction, LossReason,
    LostAccount, NextStep, Outcome, ReferralCount, Role, Topic, TopicId, Touch, TouchId, TouchKind,
    User, UserId,
};
use rounds_core::planner;
use rounds_core::playbook::Playbook;
use rounds_store::{IdKind, Store};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiCtx, Ctx, JsonBody};
use crate::{AppState, Scope};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/v1/me", get(me))
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}", get(get_user))
        .route("/api/v1/accounts", get(list_accounts).post(create_account))
        .route(
            "/api/v1/accounts/{id}",
            get(get_account).put(update_account),
        )
        .route("/api/v1/contacts", get(list_contacts).post(create_contact))
        .route(
            "/api/v1/contacts/{id}",
            get(get_contact).put(update_contact),
        )
        .route("/api/v1/topics", get(list_topics).post(create_topic))
        .route("/api/v1/topics/{id}", get(get_topic).put(update_topic))
        .route("/api/v1/touches", get(list_touches).post(log_touch))
        .route("/api/v1/touches/{id}", get(get_touch).delete(delete_touch))
        .route("/api/v1/plan", get(day_plan))
        .route("/api/v1/referrals", get(list_referrals).post(add_referral))
        .route("/api/v1/lost", get(list_lost).post(record_lost))
        .route("/api/v1/playbook", get(playbook))
        .route("/api/v1/playbook/check", post(check_playbook))
        .fallback(api_not_found)
}

async fn api_not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no API route {}", uri.path()),
        )
        .into_response()
    } else {
        crate::pages::not_found_page()
    }
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Rounds API",
        description = "Plans, accounts, contacts, touches, referrals, lost accounts and the playbook of a Rounds organisation. Authenticate with `Authorization: Bearer <token>` (`rounds token add`). Ids outside your territory answer 404.",
        version = "1"
    ),
    paths(
        healthz, me, list_users, create_user, get_user, list_accounts, create_account,
        get_account, update_account, list_contacts, create_contact, get_contact,
        update_contact, list_topics, create_topic, get_topic, update_topic, list_touches,
        log_touch, get_touch, delete_touch, day_plan, list_referrals, add_referral,
        list_lost, record_lost, playbook, check_playbook
    ),
    components(schemas(ErrorBody, Listing, TouchInput, NextStepInput, ReferralInput, UserInput, PlaybookText, PlaybookCheck, Health)),
    modifiers(&BearerAuth, &CommonResponses),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Answers every operation can give besides its own: 401 without valid credentials;
/// for those with a body, 400 (not JSON), 413 (too large), 415 (not declared JSON) and
/// 422 (a field is wrong); for those with an id in the path, 404.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::ResponseBuilder;
        use utoipa::openapi::content::ContentBuilder;
        let error = || {
            ResponseBuilder::new()
                .description("An error, naming the field at fault if one is")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = path == "/healthz";
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let mut codes: Vec<&str> = Vec::new();
                if !public {
                    codes.push("401");
                }
                if op.request_body.is_some() {
                    codes.extend(["400", "413", "415", "422"]);
                }
                if path.contains('{') {
                    codes.push("404");
                }
                if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    codes.push("422");
                }
                for code in codes {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error().into());
                }
            }
        }
    }
}

/// The OpenAPI document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

#[derive(Serialize, ToSchema)]
struct Health {
    status: String,
}

/// Liveness: answers while the server runs. Needs no credentials.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

// ---------------------------------------------------------------- query strings

/// A query string read through `serde_path_to_error`: a bad parameter is answered as a
/// JSON 4xx that names it, like a bad body field.
struct Params<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Params)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                if path == "." {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
                } else {
                    ApiError::field(path, message)
                }
            })
    }
}

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Listing {
    /// The records of this page, in id order unless the operation says otherwise.
    #[schema(value_type = Vec<Object>)]
    items: Vec<serde_json::Value>,
    /// How many records match, over all pages.
    total: u64,
    limit: i64,
    offset: i64,
}

fn page<T: Serialize>(
    records: Vec<T>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> ApiResult<Json<Listing>> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if offset.is_some_and(|o| o < 0) {
        return Err(ApiError::field("offset", "must not be negative"));
    }
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let offset = offset.unwrap_or(0);
    let total = records.len() as u64;
    let items = records
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|r| serde_json::to_value(r).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(Listing {
        items,
        total,
        limit,
        offset,
    }))
}

/// A filter naming one of a closed vocabulary; a wrong value is the parameter's error.
fn filter<T: std::str::FromStr<Err = rounds_core::model::InvalidValue>>(
    value: Option<&str>,
    field: &str,
) -> ApiResult<Option<T>> {
    value
        .map(|v| {
            v.parse()
                .map_err(|e: rounds_core::model::InvalidValue| ApiError::field(field, e.0))
        })
        .transpose()
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

// ---------------------------------------------------------------- scope lookups

/// The account if it exists and the caller may see it; otherwise 404.
pub(crate) async fn scoped_account(state: &AppState, ctx: &Ctx, id: i64) -> ApiResult<Account> {
    match state.store().account(ctx.caller.org, AccountId(id)).await? {
        Some(a) if ctx.scope.sees_account(&a) => Ok(a),
        _ => Err(ApiError::not_found("account")),
    }
}

pub(crate) async fn scoped_contact(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> ApiResult<(Contact, Account)> {
    let Some(contact) = state.store().contact(ctx.caller.org, ContactId(id)).await? else {
        return Err(ApiError::not_found("contact"));
    };
    match state
        .store()
        .account(ctx.caller.org, contact.account)
        .await?
    {
        Some(a) if ctx.scope.sees_account(&a) => Ok((contact, a)),
        _ => Err(ApiError::not_found("contact")),
    }
}

async fn scoped_accounts(state: &AppState, ctx: &Ctx) -> ApiResult<Vec<Account>> {
    let mut accounts = state.store().accounts(ctx.caller.org, None).await?;
    accounts.retain(|a| ctx.scope.sees_account(a));
    Ok(accounts)
}

/// A rep named in a body must be one the caller may see; otherwise the field is wrong
/// (phrased as for an unknown user, to reveal nothing).
fn rep_in_scope(scope: &Scope, rep: UserId, field: &str) -> ApiResult<()> {
    if scope.user(rep).is_some() {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            format!("no user {rep} in your territories"),
        ))
    }
}

fn leads_only(scope: &Scope, what: &str) -> ApiResult<()> {
    if scope.is_lead() {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "only managers and administrators may {what}"
        )))
    }
}

/// Reads a whole record from a JSON object, with the id taken from the path or handed
/// out by the store, so errors name the body's own fields.
fn with_id<T: DeserializeOwned>(mut body: serde_json::Value, id: i64) -> ApiResult<T> {
    let serde_json::Value::Object(map) = &mut body else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be a JSON object",
        ));
    };
    map.insert("id".into(), serde_json::Value::from(id));
    let bytes = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    crate::extract::parse_json(&bytes)
}

// ---------------------------------------------------------------- me and users

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, body = Object, description = "The signed-in user"), (status = 401, body = ErrorBody)))]
async fn me(ApiCtx(ctx): ApiCtx) -> Json<User> {
    Json(ctx.caller.user)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UserParams {
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
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_users(
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<UserParams>,
) -> ApiResult<Json<Listing>> {
    let role: Option<Role> = filter(p.role.as_deref(), "role")?;
    let users: Vec<User> = ctx
        .scope
        .users
        .into_iter()
        .filter(|u| role.is_none_or(|r| u.role == r))
        .collect();
    page(users, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_user(ApiCtx(ctx): ApiCtx, RecordId(id): RecordId) -> ApiResult<Json<User>> {
    ctx.scope
        .user(UserId(id))
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("user"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    /// Also the sign-in name.
    #[schema(min_length = 3, max_length = 254)]
    email: String,
    /// rep, manager or admin.
    #[schema(value_type = String, example = "rep")]
    role: Role,
    team: Option<String>,
    /// At least 10 characters; without one the user cannot sign in until `rounds user passwd`.
    #[schema(min_length = 10, max_length = 200)]
    password: Option<String>,
}

/// Adds a user (administrators only).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput,
    responses((status = 201, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<UserInput>,
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
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("a user with e-mail {email} exists"),
        ));
    }
    let hash = match &input.password {
        Some(pw) => Some(hash_in_background(pw.clone()).await?),
        None => None,
    };
    let user = User {
        id: UserId(state.store().next_id(ctx.caller.org, IdKind::User).await?),
        name: name.to_string(),
        email: email.clone(),
        role: input.role,
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
    Ok((StatusCode::CREATED, Json(user)))
}

/// A plausible e-mail address: something@domain.tld, no spaces, at most 254 bytes.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

/// argon2 takes tens of milliseconds of CPU on purpose; keep it off the async workers.
pub(crate) async fn hash_in_background(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| match e {
            crate::auth::PasswordError::Hash(_) => ApiError::internal(e),
            other => ApiError::field("password", other.to_string()),
        })
}

// ---------------------------------------------------------------- accounts

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AccountParams {
    /// Only this rep's accounts.
    rep: Option<i64>,
    /// Only accounts of this status: prospect, customer, lost or no-fit.
    status: Option<String>,
    /// Only accounts whose name contains this text (any case).
    q: Option<String>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The accounts in the caller's territories, by id.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountParams),
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_accounts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<AccountParams>,
) -> ApiResult<Json<Listing>> {
    let status: Option<AccountStatus> = filter(p.status.as_deref(), "status")?;
    let mut accounts = scoped_accounts(&state, &ctx).await?;
    accounts.retain(|a| {
        p.rep.is_none_or(|r| a.rep.0 == r)
            && status.is_none_or(|s| a.status == s)
            && p.q.as_deref().is_none_or(|q| contains_ci(&a.name, q))
    });
    page(accounts, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Account>> {
    scoped_account(&state, &ctx, id).await.map(Json)
}

/// Adds an account. The body is an account without `id`; its `rep` must be in the
/// caller's territories.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = Object,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let account: Account = with_id(body, 0)?;
    check_account(&account)?;
    rep_in_scope(&ctx.scope, account.rep, "rep")?;
    let account = Account {
        id: AccountId(
            state
                .store()
                .next_id(ctx.caller.org, IdKind::Account)
                .await?,
        ),
        ..account
    };
    state.store().save_account(ctx.caller.org, &account).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

fn check_account(a: &Account) -> ApiResult<()> {
    if a.name.trim().is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    if !(-90.0..=90.0).contains(&a.address.lat) {
        return Err(ApiError::field("address.lat", "must be between -90 and 90"));
    }
    if !(-180.0..=180.0).contains(&a.address.lon) {
        return Err(ApiError::field(
            "address.lon",
            "must be between -180 and 180",
        ));
    }
    Ok(())
}

/// Replaces an account. Moving it to another rep needs that rep in scope too.
#[utoipa::path(put, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_account(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Account>> {
    scoped_account(&state, &ctx, id).await?;
    let account: Account = with_id(body, id)?;
    check_account(&account)?;
    rep_in_scope(&ctx.scope, account.rep, "rep")?;
    state.store().save_account(ctx.caller.org, &account).await?;
    Ok(Json(account))
}

// ---------------------------------------------------------------- contacts

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ContactParams {
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
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_contacts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<ContactParams>,
) -> ApiResult<Json<Listing>> {
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
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_contact(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Contact>> {
    scoped_contact(&state, &ctx, id).await.map(|(c, _)| Json(c))
}

/// Adds a contact to an account in the caller's territories. The body is a contact
/// without `id`.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = Object,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_contact(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    let contact: Contact = with_id(body, 0)?;
    check_contact(&contact)?;
    scoped_account(&state, &ctx, contact.account.0)
        .await
        .map_err(|_| {
            ApiError::field(
                "account",
                format!("no account {} in your territories", contact.account),
            )
        })?;
    let contact = Contact {
        id: ContactId(
            state
                .store()
                .next_id(ctx.caller.org, IdKind::Contact)
                .await?,
        ),
        ..contact
    };
    state.store().save_contact(ctx.caller.org, &contact).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

fn check_contact(c: &Contact) -> ApiResult<()> {
    if c.name.trim().is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    if let Some(email) = &c.channels.email
        && !valid_email(email)
    {
        return Err(ApiError::field("channels.email", "not an e-mail address"));
    }
    Ok(())
}

#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_contact(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Contact>> {
    scoped_contact(&state, &ctx, id).await?;
    let contact: Contact = with_id(body, id)?;
    check_contact(&contact)?;
    scoped_account(&state, &ctx, contact.account.0)
        .await
        .map_err(|_| {
            ApiError::field(
                "account",
                format!("no account {} in your territories", contact.account),
            )
        })?;
    state.store().save_contact(ctx.caller.org, &contact).await?;
    Ok(Json(contact))
}

// ---------------------------------------------------------------- topics

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TopicParams {
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
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_topics(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<TopicParams>,
) -> ApiResult<Json<Listing>> {
    let mut topics = state.store().topics(ctx.caller.org).await?;
    if let Some(q) = p.q.as_deref() {
        topics.retain(|t| contains_ci(&t.title, q));
    }
    page(topics, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "topics", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Topic>> {
    state
        .store()
        .topic(ctx.caller.org, TopicId(id))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("topic"))
}

/// Adds a topic to the library (managers and administrators). The body is a topic
/// without `id`.
#[utoipa::path(post, path = "/api/v1/topics", tag = "topics", request_body = Object,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Topic>)> {
    leads_only(&ctx.scope, "change the topic library")?;
    let topic: Topic = with_id(body, 0)?;
    check_topic(&topic)?;
    let topic = Topic {
        id: TopicId(state.store().next_id(ctx.caller.org, IdKind::Topic).await?),
        ..topic
    };
    state.store().save_topic(ctx.caller.org, &topic).await?;
    Ok((StatusCode::CREATED, Json(topic)))
}

fn check_topic(t: &Topic) -> ApiResult<()> {
    if t.title.trim().is_empty() {
        return Err(ApiError::field("title", "must not be empty"));
    }
    Ok(())
}

#[utoipa::path(put, path = "/api/v1/topics/{id}", tag = "topics", params(("id" = i64, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
    JsonBody(body): JsonBody<serde_json::Value>,
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
    let topic: Topic = with_id(body, id)?;
    check_topic(&topic)?;
    state.store().save_topic(ctx.caller.org, &topic).await?;
    Ok(Json(topic))
}

// ---------------------------------------------------------------- touches

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TouchParams {
    /// The contact whose touches to list (this or `account` is required).
    contact: Option<i64>,
    /// The account whose touches to list.
    account: Option<i64>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// One contact's or one account's touches, oldest first.
#[utoipa::path(get, path = "/api/v1/touches", tag = "touches", params(TouchParams),
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_touches(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<TouchParams>,
) -> ApiResult<Json<Listing>> {
    let org = ctx.caller.org;
    let touches = match (p.contact, p.account) {
        (Some(c), None) => {
            scoped_contact(&state, &ctx, c).await?;
            state.store().touches_for_contact(org, ContactId(c)).await?
        }
        (None, Some(a)) => {
            scoped_account(&state, &ctx, a).await?;
            state.store().touches_for_account(org, AccountId(a)).await?
        }
        _ => {
            return Err(ApiError::field(
                "contact",
                "give exactly one of `contact` and `account`",
            ));
        }
    };
    page(touches, p.limit, p.offset)
}

#[utoipa::path(get, path = "/api/v1/touches/{id}", tag = "touches", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_touch(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<Json<Touch>> {
    scoped_touch(&state, &ctx, id).await.map(Json)
}

async fn scoped_touch(state: &AppState, ctx: &Ctx, id: i64) -> ApiResult<Touch> {
    let Some(touch) = state.store().touch(ctx.caller.org, TouchId(id)).await? else {
        return Err(ApiError::not_found("touch"));
    };
    scoped_account(state, ctx, touch.account.0)
        .await
        .map_err(|_| ApiError::not_found("touch"))?;
    Ok(touch)
}

/// Deletes a touch logged by mistake.
#[utoipa::path(delete, path = "/api/v1/touches/{id}", tag = "touches", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_touch(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    RecordId(id): RecordId,
) -> ApiResult<StatusCode> {
    scoped_touch(&state, &ctx, id).await?;
    state
        .store()
        .delete_touch(ctx.caller.org, TouchId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A record id from the path. Anything that is not an id of ours (letters, a number
/// beyond 64 bits) names no record, so it answers 404 like an unknown id.
struct RecordId(i64);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("record"))?;
        raw.parse::<i64>()
            .map(RecordId)
            .map_err(|_| ApiError::not_found("record"))
    }
}

macro_rules! vocabulary_schema {
    ($($fn_name:ident => $ty:ty),* $(,)?) => {$(
        fn $fn_name() -> Schema {
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(<$ty>::ALL.iter().map(|v| v.as_str())))
                    .build(),
            )
        }
    )*};
}

vocabulary_schema!(
    channel_schema => Channel,
    direction_schema => Direction,
    outcome_schema => Outcome,
    touch_kind_schema => TouchKind,
    loss_reason_schema => LossReason,
);

/// A touch to log. The server fills in the id, the account (the contact's), the rep
/// (the caller) and, unless given, the time (now).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchInput {
    #[schema(minimum = 1)]
    pub(crate) contact: i64,
    #[schema(schema_with = channel_schema)]
    pub(crate) channel: Channel,
    /// Default outbound.
    #[serde(default = "outbound")]
    #[schema(schema_with = direction_schema)]
    pub(crate) direction: Direction,
    #[schema(schema_with = outcome_schema)]
    pub(crate) outcome: Outcome,
    /// Default routine.
    #[serde(default = "routine")]
    #[schema(schema_with = touch_kind_schema)]
    pub(crate) kind: TouchKind,
    /// When it happened, RFC 3339 (default now).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub(crate) at: Option<Timestamp>,
    /// Every topic that came up; the first is the primary one (P4).
    #[serde(default)]
    pub(crate) topics: Vec<i64>,
    /// Topics the contact did not quite get (P3).
    #[serde(default)]
    pub(crate) explain_better: Vec<i64>,
    /// The next step agreed (P33).
    #[serde(default)]
    pub(crate) next_step: Option<NextStepInput>,
    /// A callback agreed for this exact moment, RFC 3339 (P35).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub(crate) callback_at: Option<Timestamp>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub(crate) note: String,
}

fn outbound() -> Direction {
    Direction::Outbound
}

fn routine() -> TouchKind {
    TouchKind::Routine
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextStepInput {
    #[schema(min_length = 1, max_length = 500)]
    pub(crate) what: String,
    #[schema(value_type = String, format = Date)]
    pub(crate) due: Date,
}

/// Logs a touch and returns it as stored.
#[utoipa::path(post, path = "/api/v1/touches", tag = "touches", request_body = TouchInput,
    responses((status = 201, body = Object, description = "The touch as stored"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_touch(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<TouchInput>,
) -> ApiResult<(StatusCode, Json<Touch>)> {
    let touch = new_touch(&state, &ctx, input).await?;
    state.store().add_touch(ctx.caller.org, &touch).await?;
    Ok((StatusCode::CREATED, Json(touch)))
}

/// Checks a touch to log against the store and the caller's scope, and builds it.
pub(crate) async fn new_touch(state: &AppState, ctx: &Ctx, input: TouchInput) -> ApiResult<Touch> {
    let (contact, account) = scoped_contact(state, ctx, input.contact)
        .await
        .map_err(|_| {
            ApiError::field(
                "contact",
                format!("no contact {} in your territories", input.contact),
            )
        })?;
    if input.note.chars().count() > 4000 {
        return Err(ApiError::field("note", "at most 4,000 characters"));
    }
    // The library is only needed to check named topics; most touches name none.
    let library: BTreeSet<i64> = if input.topics.is_empty() && input.explain_better.is_empty() {
        BTreeSet::new()
    } else {
        state
            .store()
            .topics(ctx.caller.org)
            .await?
            .iter()
            .map(|t| t.id.0)
            .collect()
    };
    for (field, ids) in [
        ("topics", &input.topics),
        ("explain_better", &input.explain_better),
    ] {
        if let Some((i, id)) = ids.iter().enumerate().find(|(_, id)| !library.contains(id)) {
            return Err(ApiError::field(
                format!("{field}[{i}]"),
                format!("no topic {id} in the library"),
            ));
        }
    }
    if let Some(step) = &input.next_step {
        let what = step.what.trim();
        if what.is_empty() || what.chars().count() > 500 {
            return Err(ApiError::field(
                "next_step.what",
                "say what the next step is, in 1 to 500 characters",
            ));
        }
    }
    let topics: Vec<TopicId> = input.topics.iter().map(|t| TopicId(*t)).collect();
    Ok(Touch {
        id: TouchId(state.store().next_id(ctx.caller.org, IdKind::Touch).await?),
        at: input.at.unwrap_or_else(|| state.now()),
        rep: ctx.caller.user.id,
        contact: contact.id,
        account: account.id,
        channel: input.channel,
        direction: input.direction,
        outcome: input.outcome,
        kind: input.kind,
        primary_topic: topics.first().copied(),
        topics,
        explain_better: input.explain_better.iter().map(|t| TopicId(*t)).collect(),
        next_step: input.next_step.map(|s| NextStep {
            what: s.what.trim().to_string(),
            due: s.due,
        }),
        callback_at: input.callback_at,
        note: input.note,
    })
}

impl TouchInput {
    /// The quick-log form of the Today page, in the API's terms.
    pub(crate) fn quick(
        contact: i64,
        channel: Channel,
        outcome: Outcome,
        topic: Option<i64>,
        note: String,
    ) -> TouchInput {
        TouchInput {
            contact,
            channel,
            direction: Direction::Outbound,
            outcome,
            kind: TouchKind::Routine,
            at: None,
            topics: topic.into_iter().collect(),
            explain_better: vec![],
            next_step: None,
            callback_at: None,
            note,
        }
    }
}

// ---------------------------------------------------------------- the plan

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PlanParams {
    /// Whose plan (default: the caller's).
    rep: Option<i64>,
    /// Which day, YYYY-MM-DD (default: today).
    #[param(value_type = Option<String>, format = Date)]
    date: Option<Date>,
}

/// A rep's plan for a day: whom to contact, how, when, about what and why, the flags,
/// and the route of the day's visits.
#[utoipa::path(get, path = "/api/v1/plan", tag = "plan", params(PlanParams),
    responses((status = 200, body = Object, description = "The day plan"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn day_plan(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<PlanParams>,
) -> ApiResult<Response> {
    let rep = UserId(p.rep.unwrap_or(ctx.caller.user.id.0));
    if ctx.scope.user(rep).is_none() {
        return Err(ApiError::not_found("user"));
    }
    let date = p.date.unwrap_or_else(|| state.today());
    let plan = plan_for(&state, &ctx, rep, date).await?;
    Ok(Json(plan).into_response())
}

pub(crate) async fn plan_for(
    state: &AppState,
    ctx: &Ctx,
    rep: UserId,
    date: Date,
) -> ApiResult<planner::DayPlan> {
    let territory = state.store().territory(ctx.caller.org, rep).await?;
    let playbook = state.playbook().clone();
    // Planning (with the route search) is CPU work of tens of milliseconds.
    tokio::task::spawn_blocking(move || planner::plan(&territory, &playbook, rep, date))
        .await
        .map_err(ApiError::internal)
}

// ---------------------------------------------------------------- referrals

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReferralParams {
    /// The referring contact.
    contact: i64,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// A referring contact's daily referral counts, oldest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(ReferralParams),
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_referrals(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<ReferralParams>,
) -> ApiResult<Json<Listing>> {
    let (contact, account) = scoped_contact(&state, &ctx, p.contact).await?;
    let territory = state.store().territory(ctx.caller.org, account.rep).await?;
    let counts: Vec<ReferralCount> = territory
        .referrals
        .into_iter()
        .filter(|r| r.contact == contact.id)
        .collect();
    page(counts, p.limit, p.offset)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    #[schema(minimum = 1)]
    contact: i64,
    #[schema(value_type = String, format = Date)]
    day: Date,
    /// Referrals that day; a later count for the same day replaces it. Counts only:
    /// never who the patients were.
    #[schema(minimum = 0, maximum = 10000)]
    count: u32,
}

#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", request_body = ReferralInput,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_referral(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<ReferralInput>,
) -> ApiResult<(StatusCode, Json<ReferralCount>)> {
    scoped_contact(&state, &ctx, input.contact)
        .await
        .map_err(|_| {
            ApiError::field(
                "contact",
                format!("no contact {} in your territories", input.contact),
            )
        })?;
    if input.count > 10_000 {
        return Err(ApiError::field("count", "at most 10,000 a day"));
    }
    let count = ReferralCount {
        contact: ContactId(input.contact),
        day: input.day,
        count: input.count,
    };
    state.store().add_referral(ctx.caller.org, &count).await?;
    Ok((StatusCode::CREATED, Json(count)))
}

// ---------------------------------------------------------------- lost accounts

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LostParams {
    /// Only losses for this reason.
    reason: Option<String>,
    /// Largest number of items to return, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// Lost accounts in the caller's territories, by account id.
#[utoipa::path(get, path = "/api/v1/lost", tag = "lost", params(LostParams),
    responses((status = 200, body = Listing), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_lost(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Params(p): Params<LostParams>,
) -> ApiResult<Json<Listing>> {
    let reason: Option<LossReason> = filter(p.reason.as_deref(), "reason")?;
    let mut lost = lost_in_scope(&state, &ctx).await?;
    lost.retain(|l| reason.is_none_or(|r| l.reason == r));
    page(lost, p.limit, p.offset)
}

pub(crate) async fn lost_in_scope(state: &AppState, ctx: &Ctx) -> ApiResult<Vec<LostAccount>> {
    let mut lost = Vec::new();
    for (rep, territory) in state.store().all_territories(ctx.caller.org).await? {
        if ctx.scope.sees_rep(rep) {
            lost.extend(territory.lost);
        }
    }
    lost.sort_by_key(|l| l.account);
    Ok(lost)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LostInput {
    #[schema(minimum = 1)]
    account: i64,
    #[schema(value_type = String, format = Date)]
    lost_on: Date,
    #[schema(schema_with = loss_reason_schema)]
    reason: LossReason,
    #[serde(default)]
    competitor: Option<String>,
    /// Who was involved, to win back later (P15).
    #[serde(default)]
    stakeholders: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    note: String,
}

/// Records why an account was lost; its status becomes lost and the win-back schedule
/// (feedback P16, nurture P17) starts.
#[utoipa::path(post, path = "/api/v1/lost", tag = "lost", request_body = LostInput,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_lost(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(input): JsonBody<LostInput>,
) -> ApiResult<(StatusCode, Json<LostAccount>)> {
    scoped_account(&state, &ctx, input.account)
        .await
        .map_err(|_| {
            ApiError::field(
                "account",
                format!("no account {} in your territories", input.account),
            )
        })?;
    if input.note.chars().count() > 4000 {
        return Err(ApiError::field("note", "at most 4,000 characters"));
    }
    let lost = LostAccount {
        account: AccountId(input.account),
        lost_on: input.lost_on,
        reason: input.reason,
        competitor: input
            .competitor
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        stakeholders: input.stakeholders,
        note: input.note,
    };
    state.store().record_lost(ctx.caller.org, &lost).await?;
    Ok((StatusCode::CREATED, Json(lost)))
}

// ---------------------------------------------------------------- the playbook

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaybookText {
    /// A playbook file, TOML; keys left out keep their defaults.
    #[schema(max_length = 32768)]
    toml: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookCheck {
    ok: bool,
    /// Every problem, as `key = value: why`.
    problems: Vec<String>,
}

impl PlaybookCheck {
    pub(crate) fn ok(&self) -> bool {
        self.ok
    }

    pub(crate) fn problems(&self) -> &[String] {
        &self.problems
    }
}

/// The playbook the server plans with, as TOML.
#[utoipa::path(get, path = "/api/v1/playbook", tag = "playbook",
    responses((status = 200, body = PlaybookText), (status = 401, body = ErrorBody)))]
async fn playbook(State(state): State<AppState>, ApiCtx(_): ApiCtx) -> Json<PlaybookText> {
    Json(PlaybookText {
        toml: state.playbook_toml().to_string(),
    })
}

/// Checks a playbook file and lists every problem in it (nothing is changed).
#[utoipa::path(post, path = "/api/v1/playbook/check", tag = "playbook", request_body = PlaybookText,
    responses((status = 200, body = PlaybookCheck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check_playbook(
    ApiCtx(_): ApiCtx,
    JsonBody(input): JsonBody<PlaybookText>,
) -> ApiResult<Json<PlaybookCheck>> {
    if input.toml.chars().count() > MAX_PLAYBOOK_CHARS {
        return Err(ApiError::field(
            "toml",
            format!("a playbook is at most {MAX_PLAYBOOK_CHARS} characters"),
        ));
    }
    Ok(Json(check_playbook_text(&input.toml)))
}

/// Eight times the default playbook; within the body limit even if every character
/// arrives as a six-byte JSON escape.
const MAX_PLAYBOOK_CHARS: usize = 32 * 1024;

pub(crate) fn check_playbook_text(toml: &str) -> PlaybookCheck {
    match Playbook::from_toml(toml) {
        Ok(_) => PlaybookCheck {
            ok: true,
            problems: vec![],
        },
        Err(e) => PlaybookCheck {
            ok: false,
            problems: e.0.iter().map(|p| p.to_string()).collect(),
        },
    }
}
