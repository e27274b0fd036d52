//! Settings → API tokens: a user lists, makes and revokes their own tokens; an
//! administrator sees and revokes every token of the organisation and may make one for
//! another user or one that never expires. A new token's secret is shown on the answer
//! to the form, once, on a page that is not cached. Every form carries the CSRF token.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use maud::{Markup, html};
use rounds_app::{AppError, NewToken, TokenInput, TokenLifetime, TokenRow};
use rounds_core::model::UserId;
use serde::Deserialize;

use super::layout::{Nav, csrf, page};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/tokens", get(show).post(create))
        .route("/settings/tokens/{id}/revoke", post(revoke))
}

/// The lifetimes offered, as `TokenLifetime::parse` reads them; the default first.
const LIFETIMES: [(&str, &str); 4] = [
    ("90d", "90 days"),
    ("30d", "30 days"),
    ("7d", "7 days"),
    ("365d", "a year"),
];

/// What the page says after a form.
enum Outcome {
    Made(NewToken),
    Revoked(TokenRow),
    Refused { field: String, message: String },
}

async fn show(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> Response {
    render(&state, &ctx, None).await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in: String,
    user: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let form: CreateForm = match super::csrf_first(&ctx, form) {
        Ok(f) => f,
        Err(refused) => return *refused,
    };
    let user = match form
        .user
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        None => ctx.caller.user.id,
        Some(u) => match u.parse() {
            Ok(id) => UserId(id),
            Err(_) => return super::not_found_page(),
        },
    };
    let made = match TokenLifetime::parse(&form.expires_in) {
        Ok(lifetime) => {
            let input = TokenInput {
                user,
                name: form.name,
                lifetime,
            };
            rounds_app::add_token(&ctx.store, &ctx.actor(), input, state.now()).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(made) => render(&state, &ctx, Some(Outcome::Made(made))).await,
        Err(e) => refused(&state, &ctx, e).await,
    }
}

async fn revoke(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    if let Err(refused) = super::csrf_first::<serde::de::IgnoredAny>(&ctx, form) {
        return *refused;
    }
    match rounds_app::revoke_token(&ctx.store, &ctx.actor(), &id).await {
        Ok(row) => render(&state, &ctx, Some(Outcome::Revoked(row))).await,
        Err(e) => refused(&state, &ctx, e).await,
    }
}

/// A use case's refusal: beside the form when a field is at fault, else the error page.
async fn refused(state: &AppState, ctx: &Ctx, e: AppError) -> Response {
    match e {
        AppError::Invalid { field, message } | AppError::Conflict { field, message } => {
            let mut response = render(state, ctx, Some(Outcome::Refused { field, message })).await;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        AppError::NotFound { .. } => super::not_found_page(),
        other => super::error_page(other.into()),
    }
}

/// An instant to the minute, in UTC as stored.
fn minute(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

async fn render(state: &AppState, ctx: &Ctx, outcome: Option<Outcome>) -> Response {
    let actor = ctx.actor();
    let rows = match rounds_app::list_tokens(state.store(), &actor, None).await {
        Ok(rows) => rows,
        Err(e) => return super::error_page(e.into()),
    };
    let admin = ctx.scope.is_admin();
    let now = state.now();
    let me = ctx.caller.user.id;
    let body = html! {
        h1 { "API tokens" }
        p.muted {
            "A token lets a script use the API as its user: send it as "
            code { "Authorization: Bearer …" } ". It expires (90 days unless you choose "
            "otherwise), stops working when revoked, and every token of a user is revoked "
            "when their password changes."
        }
        @match &outcome {
            Some(Outcome::Made(made)) => {
                section #new-token role="status" {
                    p { "Token " code { (made.made.token.id) } " “" (made.made.token.name) "” for "
                        (made.made.user.email) " — copy it now, it is shown this once:" }
                    p { code.secret { (made.secret) } }
                    p.small { @match made.made.expires_at() {
                        Some(at) => { "It expires " (minute(at)) "." },
                        None => "It never expires; revoke it when it is no longer needed.",
                    } }
                }
            }
            Some(Outcome::Revoked(row)) => {
                p #flash role="status" { "Token " code { (row.token.id) } " “" (row.token.name)
                    "” of " (row.user.email) " is revoked; it no longer works." }
            }
            Some(Outcome::Refused { field, message }) => {
                div.error role="alert" { p { strong { (field) } ": " (message) } }
            }
            None => {}
        }
        section #tokens {
            h2 { @if admin { "The organisation's tokens " } @else { "Your tokens " } small { (rows.len()) } }
            @if rows.is_empty() { p.empty { "No tokens." } }
            @else {
                div.table-wrap {
                    table {
                        thead { tr {
                            th { "Id" } @if admin { th { "User" } } th { "Name" } th { "Created" }
                            th { "Expires" } th { "Last used" } th { "Revoke" }
                        } }
                        tbody {
                            @for r in &rows {
                                tr {
                                    td { code { (r.token.id) } }
                                    @if admin { td { (r.user.email) } }
                                    td { (r.token.name) }
                                    td { (minute(r.created_at())) }
                                    td { @match r.expires_at() {
                                        None => "never",
                                        Some(at) if r.expired(now) => span.urgent { "expired " (minute(at)) },
                                        Some(at) => (minute(at)),
                                    } }
                                    td { (r.last_used_at().map(minute).unwrap_or_else(|| "never".into())) }
                                    td {
                                        form.inline method="post" action={"/settings/tokens/" (r.token.id) "/revoke"} {
                                            input type="hidden" name="csrf" value=(csrf(ctx));
                                            button type="submit" { "Revoke" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section #make {
            h2 { "Make a token" }
            form method="post" action="/settings/tokens" {
                input type="hidden" name="csrf" value=(csrf(ctx));
                label { "What it is for" input type="text" name="name" required maxlength="200" placeholder="nightly import"; }
                @if admin {
                    label { "For"
                        select name="user" {
                            @for u in &ctx.scope.users {
                                option value=(u.id.0) selected[u.id == me] { (u.name) " <" (u.email) ">" }
                            }
                        }
                    }
                }
                label { "Expires after"
                    select name="expires_in" {
                        @for (value, label) in LIFETIMES { option value=(value) { (label) } }
                        @if admin { option value="never" { "never (until revoked)" } }
                    }
                }
                button type="submit" { "Make the token" }
            }
        }
    };
    let mut response = page("API tokens", Some(ctx), Nav::Settings, None, body).into_response();
    // The page may hold a secret shown once: no cache keeps a copy.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// The links to this page and to the password form, for the Settings page.
pub fn link() -> Markup {
    html! {
        section #sign-in {
            h2 { "Your sign-in" }
            ul {
                li { a href="/settings/tokens" { "API tokens" } ": list, make and revoke them" }
                li { a href="/settings/password" { "Password" } ": a new one revokes your API tokens" }
            }
        }
    }
}
