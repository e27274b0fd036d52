//! The frame of every page: header with navigation and sign-out, flash message, footer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use crate::error::ApiError;
use crate::extract::Ctx;

/// Which navigation entry is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Today,
    Accounts,
    Log,
    Outbox,
    Topics,
    Referrals,
    Lost,
    Team,
    Reports,
    Calendar,
    Settings,
    Audit,
    None,
}

pub fn page(title: &str, ctx: Option<&Ctx>, nav: Nav, flash: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Rounds" }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/assets/app.css";
            }
            body {
                header.top {
                    a.brand href="/today" { "Rounds" }
                    @if let Some(ctx) = ctx {
                        nav {
                            (nav_link("/today", "Today", nav == Nav::Today))
                            (nav_link("/accounts", "Accounts", nav == Nav::Accounts))
                            (nav_link("/log", "Log", nav == Nav::Log))
                            (nav_link("/outbox", "Mail", nav == Nav::Outbox))
                            (nav_link("/topics", "Topics", nav == Nav::Topics))
                            (nav_link("/referrals", "Referrals", nav == Nav::Referrals))
                            (nav_link("/lost", "Lost", nav == Nav::Lost))
                            @if ctx.scope.is_lead() {
                                (nav_link("/team", "Team", nav == Nav::Team))
                            }
                            (nav_link("/reports", "Reports", nav == Nav::Reports))
                            (nav_link("/calendar", "Calendar", nav == Nav::Calendar))
                            (nav_link("/settings", "Settings", nav == Nav::Settings))
                            @if ctx.scope.is_admin() {
                                (nav_link("/audit", "Audit", nav == Nav::Audit))
                            }
                        }
                        form #logout method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(csrf(ctx));
                            span.who { (ctx.caller.user.name) " · " (ctx.caller.user.role) }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main {
                    @if let Some(f) = flash {
                        p #flash role="status" { (f) }
                    }
                    (body)
                }
            }
        }
    }
}

fn nav_link(href: &str, label: &str, current: bool) -> Markup {
    html! {
        @if current { a href=(href) aria-current="page" { (label) } }
        @else { a href=(href) { (label) } }
    }
}

/// The session's CSRF token, for hidden form fields.
pub fn csrf(ctx: &Ctx) -> &str {
    ctx.caller
        .session
        .as_ref()
        .map(|s| s.csrf.as_str())
        .unwrap_or("")
}

pub fn error_page(e: ApiError) -> Response {
    let body = html! {
        h1 { "Something went wrong" }
        p.error role="alert" {
            @if let Some(field) = &e.field { strong { (field) } ": " }
            (e.message)
        }
        p { a href="/today" { "Back to Today" } }
    };
    (e.status, page("Error", None, Nav::None, None, body)).into_response()
}

pub fn not_found_page() -> Response {
    let body = html! {
        h1 { "Not found" }
        p { "There is nothing here, or it is outside your territory." }
        p { a href="/today" { "Back to Today" } }
    };
    (
        StatusCode::NOT_FOUND,
        page("Not found", None, Nav::None, None, body),
    )
        .into_response()
}
