//! The web application: server-rendered pages (maud, checked at compile time), plain
//! forms that work without script, one small stylesheet embedded in the binary.
//!
//! Every form that changes something carries the session's CSRF token; sign-in, which
//! has no session yet, uses a double-submit cookie instead.

mod layout;
mod login;
mod today;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

pub use layout::{error_page, not_found_page};

pub const STYLESHEET: &str = include_str!("../../assets/app.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/today") }),
        )
        .route("/assets/app.css", get(stylesheet))
        .merge(login::routes())
        .merge(today::routes())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}
