//! The audit log (administrators): the verdict on the hash chain, then every change,
//! newest first, a page at a time. Anyone else gets 403, as from the API.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use maud::html;
use rounds_app::AuditFilter;
use serde::Deserialize;

use super::layout::{Nav, page};
use crate::AppState;
use crate::extract::PageCtx;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

const PER_PAGE: u64 = 50;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// 1 for the newest rows.
    page: Option<u64>,
}

fn short(digest: &str) -> String {
    if digest.is_empty() {
        "—".into()
    } else {
        digest.chars().take(12).collect()
    }
}

async fn audit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(query): Query<AuditQuery>,
) -> Response {
    let number = query.page.unwrap_or(1).max(1);
    let actor = ctx.actor();
    let report = match rounds_app::verify_audit(state.store(), &actor).await {
        Ok(r) => r,
        Err(e) => return super::error_page(e.into()),
    };
    let filter = AuditFilter {
        limit: Some(PER_PAGE),
        offset: (number - 1).saturating_mul(PER_PAGE),
        ..AuditFilter::default()
    };
    let rows = match rounds_app::audit_log(state.store(), &actor, filter).await {
        Ok(p) => p,
        Err(e) => return super::error_page(e.into()),
    };
    let pages = rows.total.div_ceil(PER_PAGE).max(1);
    let body = html! {
        h1 { "Audit log" }
        section #verify {
            @if report.is_whole() {
                p #flash role="status" {
                    "The chain is whole: " (report.rows) " rows."
                    @if let Some(head) = &report.head {
                        " Head: row " (head.seq) ", hash " code { (head.hash) }
                    }
                }
            } @else {
                div.error role="alert" {
                    p { "The chain is broken in " (report.breaks.len()) " place(s):" }
                    ul.problems {
                        @for b in &report.breaks { li { code { (b.kind()) } " " (b) } }
                    }
                }
            }
        }
        section #changes {
            h2 { "Changes " small { (rows.total) } }
            @if rows.entries.is_empty() {
                p.muted { "No changes recorded." }
            } @else {
                div.table-wrap {
                    table {
                        thead { tr {
                            th { "#" } th { "When (UTC)" } th { "Who" } th { "Record" }
                            th { "Action" } th { "Before" } th { "After" } th { "Detail" }
                        } }
                        tbody {
                            @for e in &rows.entries {
                                tr {
                                    td { (e.seq) }
                                    td { (Timestamp::from_second(e.at).map_or_else(|_| e.at.to_string(), |t| t.to_string())) }
                                    td { (e.actor) }
                                    td { (e.entity) " " (e.entity_id) }
                                    td { (e.action) }
                                    td { code title=(e.before) { (short(&e.before)) } }
                                    td { code title=(e.after) { (short(&e.after)) } }
                                    td.muted { (e.detail) }
                                }
                            }
                        }
                    }
                }
                nav.pager aria-label="Pages" {
                    @if number > 1 { a href=(format!("/audit?page={}", number - 1)) rel="prev" { "Newer" } " " }
                    span.muted { "Page " (number) " of " (pages) }
                    @if number < pages { " " a href=(format!("/audit?page={}", number + 1)) rel="next" { "Older" } }
                }
            }
        }
    };
    page("Audit log", Some(&ctx), Nav::Audit, None, body).into_response()
}
