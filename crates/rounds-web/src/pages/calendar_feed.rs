//! Settings → your plan in your calendar: make the calendar feed's address (shown once,
//! on an answer no cache keeps), replace it, or revoke it. Forms carry the CSRF token,
//! checked before anything else.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use maud::{Markup, html};

use super::layout::{Nav, csrf, page};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Ctx, FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/calendar-feed", get(show).post(make))
        .route("/settings/calendar-feed/revoke", post(revoke))
}

enum Outcome {
    Made(String),
    Revoked,
}

async fn show(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> Response {
    render(&state, &ctx, None).await
}

async fn make(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    headers: HeaderMap,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    if let Err(refused) = super::csrf_first::<serde::de::IgnoredAny>(&ctx, form) {
        return *refused;
    }
    let me = ctx.caller.user.id;
    match rounds_app::new_calendar_feed(&ctx.store, &ctx.actor(), me, state.now()).await {
        Ok(made) => {
            let path = rounds_app::feed_path(&made.secret);
            let address = match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
                Some(host) => {
                    let scheme = if state.config().secure_cookies {
                        "https"
                    } else {
                        "http"
                    };
                    format!("{scheme}://{host}{path}")
                }
                None => path,
            };
            render(&state, &ctx, Some(Outcome::Made(address))).await
        }
        Err(e) => super::error_page(e.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    if let Err(refused) = super::csrf_first::<serde::de::IgnoredAny>(&ctx, form) {
        return *refused;
    }
    let me = ctx.caller.user.id;
    match rounds_app::revoke_calendar_feed(&ctx.store, &ctx.actor(), me).await {
        Ok(()) => render(&state, &ctx, Some(Outcome::Revoked)).await,
        Err(rounds_app::AppError::NotFound { .. }) => render(&state, &ctx, None).await,
        Err(e) => super::error_page(e.into()),
    }
}

async fn render(state: &AppState, ctx: &Ctx, outcome: Option<Outcome>) -> Response {
    let me = ctx.caller.user.id;
    let feed = match rounds_app::calendar_feed_of(state.store(), &ctx.actor(), me).await {
        Ok(f) => f,
        Err(e) => return super::error_page(e.into()),
    };
    let body = html! {
        h1 { "Your plan in your calendar" }
        @match &outcome {
            Some(Outcome::Made(address)) => {
                section #new-feed role="status" {
                    p { "Subscribe to this address in your calendar — copy it now, it is shown this once:" }
                    p { code.secret { (address) } }
                    p.small { "Outlook: Add calendar › From internet. Google Calendar: Other calendars › From URL. "
                        "Apple Calendar: File › New Calendar Subscription." }
                }
            }
            Some(Outcome::Revoked) => {
                p #flash role="status" { "Your calendar feed is revoked; its address no longer works." }
            }
            None => {}
        }
        (section(ctx, feed.as_ref().map(|f| f.created_at)))
    };
    let mut response = page(
        "Your plan in your calendar",
        Some(ctx),
        Nav::Settings,
        None,
        body,
    )
    .into_response();
    // The answer may hold the secret address: no cache keeps a copy.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// The Settings section: whether the caller has a feed, and the forms to make, replace
/// or revoke it.
pub fn section(ctx: &Ctx, made_at: Option<i64>) -> Markup {
    html! {
        section #calendar-feed {
            h2 { "Your plan in your calendar" }
            p.muted {
                "A private address your calendar subscribes to: the next working days' visits and "
                "agreed calls as events at their local times, each day's other touches as one "
                "all-day summary. Anyone with the address can read your plan; make a new one if it leaks."
            }
            @match made_at.and_then(|at| Timestamp::from_second(at).ok()) {
                Some(at) => p { "Your feed was made " (at.strftime("%Y-%m-%d %H:%M UTC")) "." },
                None => p.empty { "You have no calendar feed." },
            }
            form.inline method="post" action="/settings/calendar-feed" {
                input type="hidden" name="csrf" value=(csrf(ctx));
                button type="submit" { @if made_at.is_some() { "Make a new address (the old one stops working)" } @else { "Make the address" } }
            }
            @if made_at.is_some() {
                form.inline method="post" action="/settings/calendar-feed/revoke" {
                    input type="hidden" name="csrf" value=(csrf(ctx));
                    button type="submit" { "Revoke" }
                }
            }
        }
    }
}
