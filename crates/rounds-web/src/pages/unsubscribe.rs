//! `GET /unsubscribe/{secret}` (a confirm button) and `POST /unsubscribe/{secret}` (the
//! e-mail opt-out recorded on the contact), the link every mail from the outbox carries
//! in its body and its `List-Unsubscribe` header. No session and no CSRF token: the
//! 256-bit secret in the address is the credential, and a mail client's one-click POST
//! (RFC 8058) carries nothing else. An unknown secret answers 404 like any other path.
//! The GET changes nothing, so a scanner following links cannot unsubscribe anyone.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;

use super::layout::{Nav, page};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/unsubscribe/{secret}", get(confirm).post(record))
}

async fn confirm(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    match rounds_app::outbox::unsubscribe_contact(state.store(), &secret).await {
        Ok(Some(contact)) => {
            let body = html! {
                h1 { "Unsubscribe" }
                p { "Stop e-mail to " strong { (contact.channels.email.as_deref().unwrap_or(&contact.name)) } "?" }
                form method="post" action=(rounds_app::outbox::unsubscribe_path(&secret)) {
                    button type="submit" { "Unsubscribe" }
                }
            };
            page("Unsubscribe", None, Nav::None, None, body).into_response()
        }
        Ok(None) => super::not_found_page(),
        Err(e) => super::error_page(e.into()),
    }
}

async fn record(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    // The opt-out is logged as the system's: nobody is signed in.
    let store = state
        .store()
        .acting_as(rounds_store::AuditActor::System, state.now());
    match rounds_app::outbox::unsubscribe(&store, &secret).await {
        Ok(Some(_)) => {
            let body = html! {
                h1 { "Unsubscribed" }
                p role="status" { "You will receive no more e-mail from us." }
            };
            page("Unsubscribed", None, Nav::None, None, body).into_response()
        }
        Ok(None) => super::not_found_page(),
        Err(e) => super::error_page(e.into()),
    }
}
