//! Settings → Password: a signed-in user sets their own password. Every session of the
//! user ends (this one too) and every API token of theirs is revoked, and the answer
//! says so. Administrators set other users' passwords with `rounds user passwd` or the
//! API.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use serde::Deserialize;

use super::layout::{Nav, csrf, page};
use crate::AppState;
use crate::app::hash_in_background;
use crate::auth::{SESSION_COOKIE, set_cookie};
use crate::error::ApiError;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings/password", get(show).post(change))
}

async fn show(PageCtx(ctx): PageCtx) -> Response {
    form_page(&ctx, None)
}

fn form_page(ctx: &Ctx, refused: Option<&ApiError>) -> Response {
    let body = html! {
        h1 { "Password" }
        p.muted { "A new password signs you out everywhere, this browser too, and revokes "
            "every API token of yours; scripts need new ones." }
        @if let Some(e) = refused {
            div.error role="alert" { p {
                @if let Some(field) = &e.field { strong { (field) } ": " }
                (e.message)
            } }
        }
        form method="post" action="/settings/password" {
            input type="hidden" name="csrf" value=(csrf(ctx));
            label { "New password (at least 10 characters)"
                input type="password" name="password" required minlength="10" maxlength="200" autocomplete="new-password";
            }
            label { "Once more"
                input type="password" name="again" required minlength="10" maxlength="200" autocomplete="new-password";
            }
            button type="submit" { "Set the password" }
        }
    };
    let status = refused.map_or(StatusCode::OK, |e| e.status);
    (
        status,
        page("Password", Some(ctx), Nav::Settings, None, body),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

async fn change(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    let form: PasswordForm = match super::csrf_first(&ctx, form) {
        Ok(f) => f,
        Err(refused) => return *refused,
    };
    if form.password != form.again {
        return form_page(
            &ctx,
            Some(&ApiError::field("again", "the two passwords differ")),
        );
    }
    let hash = match hash_in_background(&state, form.password).await {
        Ok(h) => h,
        Err(e) if e.field.is_some() => return form_page(&ctx, Some(&e)),
        Err(e) => return super::error_page(e),
    };
    let me = ctx.caller.user.id;
    let revoked = match rounds_app::set_password(&ctx.store, &ctx.actor(), me, &hash).await {
        Ok((_, revoked)) => revoked,
        Err(e) => return super::error_page(e.into()),
    };
    let body = html! {
        h1 { "Password changed" }
        p #flash role="status" { "Your password is changed. Every session of yours has ended and "
            (revoked) " API token(s) were revoked." }
        p { a href="/login" { "Sign in again" } }
    };
    let secure = state.config().secure_cookies;
    (
        [(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), secure),
        )],
        page("Password changed", None, Nav::None, None, body),
    )
        .into_response()
}
