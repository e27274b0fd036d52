//! Settings: the playbook the server plans with, a checker for a changed copy (nothing
//! is applied from the page), and for administrators the users and their sign-ins.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use rounds_app::{SignIn, UserRow};

use super::layout::{Nav, csrf, page};
use crate::AppState;
use crate::app::{PlaybookReport, check_playbook};
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(settings))
        .route("/settings/playbook/check", post(check))
}

async fn settings(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> Response {
    respond(&state, &ctx, state.playbook_toml(), None).await
}

struct CheckForm {
    toml: String,
}

async fn check(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, crate::ApiError>,
) -> Response {
    // Read as pairs so that the CSRF token is checked before the rest of the form: a
    // form from elsewhere gets 403 whatever its shape.
    let pairs = match form {
        Ok(FormBody(pairs)) => pairs,
        Err(e) => return super::error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, super::single(&pairs, "csrf").unwrap_or("")) {
        return refused;
    }
    let Some(toml) = super::single(&pairs, "toml") else {
        return super::error_page(crate::ApiError::field(
            "toml",
            "send the playbook's text once, in the field `toml`",
        ));
    };
    let form = CheckForm {
        toml: toml.to_string(),
    };
    match check_playbook(&state, form.toml.clone()).await {
        Ok(result) => respond(&state, &ctx, &form.toml, Some(&result)).await,
        // Too long to read: said where the problems are listed, with the text kept.
        Err(e) if e.field.is_some() => {
            let refused = PlaybookReport {
                problems: vec![e.message],
            };
            let page = respond(&state, &ctx, &form.toml, Some(&refused)).await;
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => super::error_page(e),
    }
}

async fn respond(
    state: &AppState,
    ctx: &Ctx,
    draft: &str,
    result: Option<&PlaybookReport>,
) -> Response {
    // Only administrators manage users; for anyone else the section is left out.
    let users = match rounds_app::administered_users(state.store(), &ctx.actor()).await {
        Ok(users) => Some(users_section(&users)),
        Err(rounds_app::AppError::Forbidden(_)) => None,
        Err(e) => return super::error_page(e.into()),
    };
    let feed =
        match rounds_app::calendar_feed_of(state.store(), &ctx.actor(), ctx.caller.user.id).await {
            Ok(feed) => feed.map(|f| f.created_at),
            Err(e) => return super::error_page(e.into()),
        };
    let body = html! {
        h1 { "Settings" }
        section #playbook {
            h2 { "Playbook in use" }
            p.muted { "Every rule default (P1–P48) the planner follows. Change it in the file the server is started with." }
            details {
                summary { "Show the playbook (TOML)" }
                pre.toml { (state.playbook_toml()) }
            }
        }
        section #check {
            h2 { "Check a playbook" }
            @if let Some(r) = result {
                @if r.ok() {
                    p #flash role="status" { "The playbook reads: no problems." }
                } @else {
                    div.error role="alert" {
                        p { (r.problems.len()) " problem(s):" }
                        ul.problems { @for p in &r.problems { li { code { (p) } } } }
                    }
                }
            }
            form method="post" action="/settings/playbook/check" {
                input type="hidden" name="csrf" value=(csrf(ctx));
                label { "Playbook (TOML; keys left out keep their defaults)"
                    textarea name="toml" rows="14" spellcheck="false" { (draft) } }
                button type="submit" { "Check" }
            }
        }
        section #templates {
            h2 { "Message templates" }
            p { a href="/templates" { "The templates drafts are written from" } " [P47]" @if ctx.scope.is_lead() { ": see them, replace them with your own." } @else { "." } }
        }
        (super::calendar_feed::section(ctx, feed))
        (super::tokens::link())
        @if let Some(users) = users { (users) }
    };
    page("Settings", Some(ctx), Nav::Settings, None, body).into_response()
}

fn users_section(users: &[UserRow]) -> Markup {
    html! {
        section #users {
            h2 { "Users " small { (users.len()) } }
            div.table-wrap {
                table {
                    thead { tr { th { "Name" } th { "E-mail" } th { "Role" } th { "Team" } th { "Sign-in" } } }
                    tbody {
                        @for row in users {
                            @let u = &row.user;
                            tr {
                                td { (u.name) }
                                td { (u.email) }
                                td { (u.role) }
                                td { (u.team.as_deref().unwrap_or("—")) }
                                td { @match row.sign_in {
                                    SignIn::NoPassword => span.muted { "no password" },
                                    SignIn::Disabled => span.urgent { "disabled" },
                                    SignIn::Yes => "can sign in",
                                } }
                            }
                        }
                    }
                }
            }
            p.small { "Add users and set passwords with " code { "rounds user" } " or the API." }
        }
    }
}
