//! The JSON API, `/api/v1/…`, and its OpenAPI 3.1 document at `/api/openapi.json`,
//! generated from the handlers' annotations.
//!
//! One module per resource holds its handlers; [`wire`] holds every request and
//! response body and the conversions from and to the model, so no model type is
//! serialized here. Every record is reached through the caller's
//! [`Scope`](crate::Scope): an id outside it answers 404 exactly like an id that does
//! not exist. Lists page with `limit` (1–500, default 50) and `offset`, and say the
//! `total`.

mod accounts;
mod audit;
mod calendar;
mod calendar_feed;
mod capture;
mod contacts;
mod health;
mod ledger;
mod lost;
mod outbox;
mod outreach;
mod plan;
mod playbook;
mod referrals;
mod reports;
mod steps;
mod tokens;
mod topics;
mod touches;
mod users;
pub mod wire;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/v1/me", get(users::me))
        .route(
            "/api/v1/users",
            get(users::list_users).post(users::create_user),
        )
        .route("/api/v1/users/{id}", get(users::get_user))
        .route("/api/v1/users/{id}/password", put(users::set_password))
        .route(
            "/api/v1/tokens",
            get(tokens::list_tokens).post(tokens::create_token),
        )
        .route(
            "/api/v1/tokens/{id}",
            axum::routing::delete(tokens::revoke_token),
        )
        .route(
            "/api/v1/calendar-feed",
            post(calendar_feed::make_feed).delete(calendar_feed::revoke_feed),
        )
        .route("/api/v1/users/{id}/calendar", get(calendar::get_calendar))
        .route("/api/v1/users/{id}/week", put(calendar::set_week))
        .route(
            "/api/v1/time-off",
            get(calendar::list_time_off).post(calendar::add_time_off),
        )
        .route(
            "/api/v1/time-off/{id}",
            axum::routing::delete(calendar::remove_time_off),
        )
        .route(
            "/api/v1/accounts",
            get(accounts::list_accounts).post(accounts::create_account),
        )
        .route(
            "/api/v1/accounts/{id}",
            get(accounts::get_account).put(accounts::update_account),
        )
        .route(
            "/api/v1/contacts",
            get(contacts::list_contacts).post(contacts::create_contact),
        )
        .route(
            "/api/v1/contacts/{id}",
            get(contacts::get_contact).put(contacts::update_contact),
        )
        .route(
            "/api/v1/topics",
            get(topics::list_topics).post(topics::create_topic),
        )
        .route(
            "/api/v1/topics/{id}",
            get(topics::get_topic).put(topics::update_topic),
        )
        .route(
            "/api/v1/touches",
            get(touches::list_touches).post(touches::log_touch),
        )
        .route(
            "/api/v1/touches/{id}",
            get(touches::get_touch).delete(touches::delete_touch),
        )
        .route("/api/v1/plan", get(plan::day_plan))
        .route("/api/v1/steps", get(steps::list_steps))
        .route("/api/v1/steps/{id}", patch(steps::edit_step))
        .route("/api/v1/steps/{id}/complete", post(steps::complete_step))
        .route(
            "/api/v1/steps/{id}/reschedule",
            post(steps::reschedule_step),
        )
        .route("/api/v1/steps/{id}/skip", post(steps::skip_step))
        .route(
            "/api/v1/referrals",
            get(referrals::list_referrals).post(referrals::add_referral),
        )
        .route("/api/v1/lost", get(lost::list_lost).post(lost::record_lost))
        .route(
            "/api/v1/ledger",
            get(ledger::list_transfers).post(ledger::record_transfer),
        )
        .route("/api/v1/ledger/export.csv", get(ledger::export_csv))
        .route("/api/v1/reports/{report}", get(reports::report))
        .route("/api/v1/ledger/{id}/void", post(ledger::void_transfer))
        .route("/api/v1/templates", get(outreach::list_templates))
        .route(
            "/api/v1/templates/{kind}",
            get(outreach::get_template)
                .put(outreach::put_template)
                .delete(outreach::reset_template),
        )
        .route("/api/v1/coach", post(outreach::coach))
        .route("/api/v1/drafts", get(outreach::plan_drafts))
        .route("/api/v1/playbook", get(playbook::playbook))
        .route("/api/v1/playbook/check", post(playbook::check_playbook))
        .route("/api/v1/audit", get(audit::audit_log))
        .route("/api/v1/audit/verify", get(audit::verify_audit))
        .route(
            "/api/v1/outbox",
            get(outbox::list_outbox).post(outbox::create_draft),
        )
        .route(
            "/api/v1/outbox/{id}",
            get(outbox::get_message).put(outbox::update_draft),
        )
        .route("/api/v1/outbox/{id}/review", post(outbox::submit))
        .route("/api/v1/outbox/{id}/approve", post(outbox::approve))
        .route("/api/v1/outbox/{id}/return", post(outbox::return_draft))
        .route("/api/v1/outbox/{id}/send", post(outbox::send))
        .route("/api/v1/outbox/{id}/cancel", post(outbox::cancel))
        .route("/api/v1/capture/review", get(capture::list_review))
        .route("/api/v1/capture/review/{id}", get(capture::get_review))
        .route(
            "/api/v1/capture/review/{id}/assign",
            post(capture::assign_review),
        )
        .route(
            "/api/v1/capture/review/{id}/dismiss",
            post(capture::dismiss_review),
        )
}

/// The answer to an unknown path under `/api/`.
pub fn not_found(path: &str) -> Response {
    ApiError::new(StatusCode::NOT_FOUND, format!("no API route {path}")).into_response()
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Rounds API",
        description = "Plans, next steps, accounts, contacts, touches, referrals, lost accounts, the transfer-of-value ledger (P14), reps' calendars, the outbox (e-mail drafts, review, sending), captured mail waiting for review, the managers' reports (persistence, promises, coverage, referral trends, losses), the playbook and the audit log of a Rounds organisation. Authenticate with `Authorization: Bearer <token>` (`rounds token add`, or POST /api/v1/tokens when signed in); a token expires (90 days unless asked otherwise) and an expired one answers 401 saying so. A record that does not exist and one outside your territories are answered alike: named in the path or the query string (the record asked for), 404; named in a request body (a touch's `contact`, a contact's `account`, a loss's `account`, a referral's `contact`, an account's or a period of time off's `rep`, a touch's `topics[i]`), 422 naming that field.",
        version = "1"
    ),
    paths(
        health::healthz, users::me, users::list_users, users::create_user, users::get_user,
        accounts::list_accounts, accounts::create_account, accounts::get_account,
        accounts::update_account, contacts::list_contacts, contacts::create_contact,
        contacts::get_contact, contacts::update_contact, topics::list_topics,
        topics::create_topic, topics::get_topic, topics::update_topic,
        touches::list_touches, touches::log_touch, touches::get_touch, touches::delete_touch,
        plan::day_plan, steps::list_steps, steps::complete_step, steps::reschedule_step,
        steps::skip_step, steps::edit_step, referrals::list_referrals, referrals::add_referral,
        lost::list_lost, lost::record_lost, ledger::list_transfers, ledger::record_transfer,
        ledger::void_transfer, ledger::export_csv, playbook::playbook, playbook::check_playbook,
        calendar::get_calendar, calendar::set_week, calendar::list_time_off,
        calendar::add_time_off, calendar::remove_time_off,
        audit::audit_log, audit::verify_audit,
        tokens::list_tokens, tokens::create_token, tokens::revoke_token, users::set_password,
        calendar_feed::make_feed, calendar_feed::revoke_feed,
        outreach::list_templates, outreach::get_template, outreach::put_template,
        outreach::reset_template, outreach::coach, outreach::plan_drafts,
        outbox::list_outbox, outbox::create_draft, outbox::get_message, outbox::update_draft,
        outbox::submit, outbox::approve, outbox::return_draft, outbox::send, outbox::cancel,
        capture::list_review, capture::get_review, capture::assign_review, capture::dismiss_review,
        reports::report
    ),
    components(schemas(
        ErrorBody, wire::Health, wire::Report, wire::ReportCell, wire::ReportTable, wire::ReportCsv,
        wire::User, wire::UserInput, wire::UserListing,
        wire::Account, wire::AccountInput, wire::AccountListing,
        wire::Contact, wire::ContactInput, wire::ContactListing,
        wire::Topic, wire::TopicInput, wire::TopicListing,
        wire::Touch, wire::TouchInput, wire::NextStepInput, wire::TouchListing,
        wire::DayPlan, wire::DayOff,
        wire::Calendar, wire::WorkWeek, wire::WorkWeekInput,
        wire::TimeOff, wire::TimeOffInput, wire::TimeOffListing,
        wire::Consent, wire::EarlierLoss,
        wire::OpenStep, wire::StepListing, wire::StepUpdate, wire::StepReschedule, wire::StepSkip,
        wire::StepEdit,
        wire::ReferralCount, wire::ReferralInput, wire::ReferralListing,
        wire::LostAccount, wire::LostInput, wire::LostListing,
        wire::Transfer, wire::TransferAttendee, wire::TransferShare, wire::TransferVoid,
        wire::TransferInput, wire::TransferAttendeeInput, wire::TransferListing,
        wire::TransferRecorded, wire::CapWarning, wire::TransferVoidInput, wire::Nature,
        wire::PlaybookText, wire::PlaybookCheck,
        wire::AuditEntry, wire::AuditListing, wire::AuditVerification, wire::AuditBreak,
        wire::Token, wire::TokenInput, wire::NewToken, wire::TokenListing,
        wire::PasswordInput, wire::PasswordSet,
        wire::CalendarFeedMade,
        wire::Template, wire::TemplateInput, wire::TemplateListing, wire::TemplateKind,
        wire::CoachInput, wire::Verdict, wire::Finding, wire::Span, wire::CheckKind, wire::Part,
        wire::PlanDraft, wire::PlanDrafts,
        wire::OutboxMessage, wire::OutboxReview, wire::OutboxState, wire::OutboxListing,
        wire::DraftInput, wire::OutboxApproval, wire::OutboxReturn,
        wire::CaptureReviewItem, wire::CaptureReviewListing, wire::CaptureReviewState,
        wire::CaptureAssign,
    )),
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

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

/// One page of records, already on the wire.
#[derive(Debug)]
pub struct Page<W> {
    items: Vec<W>,
    total: u64,
    limit: i64,
    offset: i64,
}

/// A listing type of [`wire`]: one page of one kind of record.
pub trait Listing {
    type Item;
    fn new(page: Page<Self::Item>) -> Self;
}

/// Cuts one page out of `records` and converts it to its listing.
fn page<M, L>(records: Vec<M>, limit: Option<i64>, offset: Option<i64>) -> ApiResult<Json<L>>
where
    L: Listing,
    L::Item: From<M>,
{
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
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .map(L::Item::from)
        .collect();
    Ok(Json(L::new(Page {
        items,
        total,
        limit,
        offset,
    })))
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
