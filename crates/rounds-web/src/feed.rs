//! `GET /calendar/{secret}.ics`: the plan as a calendar subscription. No session and no
//! token: the 256-bit secret in the address is the credential, so an unknown or revoked
//! one answers 404 exactly like a path that does not exist. The plan is made on the
//! blocking pool like every other plan.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// The request's tracing span, as tower-http's default makes it but with a feed's
/// secret (or an unsubscribe link's) left out of the path, so no log line carries it.
pub fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let path = req.uri().path();
    let uri = if path.starts_with("/calendar/") {
        "/calendar/…".to_string()
    } else if path.starts_with("/unsubscribe/") {
        "/unsubscribe/…".to_string()
    } else {
        req.uri().to_string()
    };
    tracing::debug_span!("request", method = %req.method(), uri = %uri, version = ?req.version())
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/calendar/{file}", get(feed))
}

async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(secret) = file.strip_suffix(".ics") else {
        return crate::pages::not_found_page();
    };
    let found = match rounds_app::feed_territory(state.store(), secret).await {
        Ok(Some(found)) => found,
        Ok(None) => return crate::pages::not_found_page(),
        Err(e) => return crate::pages::error_page(e.into()),
    };
    let (feed, territory) = found;
    let pb = state.playbook().clone();
    let (now, today) = (state.now(), state.today());
    let text = state
        .run_blocking(move || {
            rounds_app::calendar_text(
                &territory,
                &pb,
                feed.org,
                feed.user,
                today,
                rounds_app::feed::DEFAULT_DAYS,
                now,
            )
        })
        .await;
    match text {
        Ok(text) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
