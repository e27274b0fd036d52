//! The team (managers and administrators): each rep's plan size and flags today, and how
//! well their customers are covered, a page of reps at a time, from the reps' stored
//! summaries of the day (`crate::summaries`): the page plans nobody once the worker has
//! run. Reps get 404, as for any page outside their scope.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use rounds_core::model::Role;

use super::layout::{Nav, page};
use crate::AppState;
use crate::extract::PageCtx;

pub fn routes() -> Router<AppState> {
    Router::new().route("/team", get(team))
}

/// Reps per page: a phone screen or two of cards, and a bounded amount of planning per
/// request.
const PER_PAGE: usize = 25;

#[derive(Debug, serde::Deserialize)]
pub struct TeamQuery {
    page: Option<usize>,
}

async fn team(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<TeamQuery>,
) -> Response {
    let page_no = q.page.unwrap_or(1).max(1);
    let actor = ctx.actor();
    let (reps, total) = match rounds_app::reports::team_reps(&actor, Some((page_no, PER_PAGE))) {
        Ok(r) => r,
        Err(rounds_app::AppError::NotFound { .. }) => return super::not_found_page(),
        Err(e) => return super::error_page(e.into()),
    };
    // Stored once a day per rep (the worker), so a page of a large team plans nobody.
    let (rows, computed_at) = match crate::summaries::summaries_of(&state, &actor, &reps).await {
        Ok(found) => found,
        Err(e) => return super::error_page(e),
    };
    let today = state.today();
    let silence = state.playbook().max_silence_days;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let body = html! {
        h1 { "Team " small { (today) } }
        p.muted { (total) " rep" @if total != 1 { "s" } @if pages > 1 { " · page " (page_no) " of " (pages) } }
        @if let Some(at) = computed_at {
            p.muted #computed { "Figures of today's plans, computed at " (at.to_zoned(state.config().zone.clone()).strftime("%H:%M %Z")) "." }
        }
        p.muted { "Coverage: customers whose last touch is less than " (silence) " days old (not yet silent by the playbook's maximum silence, P23, as the plan counts it), out of all customers." }
        @if rows.is_empty() { p.empty { "No reps in your team." } }
        ul.cards #team {
            @for r in &rows {
                @let name = ctx.scope.user(r.rep).filter(|u| u.role == Role::Rep).map(|u| u.name.as_str()).unwrap_or("?");
                li.card {
                    a href={"/today?rep=" (r.rep.0)} { strong { (name) } }
                    div { (r.planned) " planned today · " (r.flags) " flags" }
                    @match (r.coverage.covered * 100).checked_div(r.coverage.customers) {
                        // No customers yet: a percentage of nothing would read as "all covered".
                        None => div.muted { "No customers yet" },
                        Some(pct) => div { "Coverage " strong { (pct) "%" } " "
                            small { "(" (r.coverage.covered) " of " (r.coverage.customers) " customers)" }
                            meter min="0" max="100" value=(pct) { (pct) "%" } },
                    }
                }
            }
        }
    };
    let body = html! {
        (body)
        @if pages > 1 {
            nav.pager {
                @if page_no > 1 { a rel="prev" href={"/team?page=" (page_no - 1)} { "← Previous" } " " }
                @if page_no < pages { a rel="next" href={"/team?page=" (page_no + 1)} { "Next →" } }
            }
        }
    };
    page("Team", Some(&ctx), Nav::Team, None, body).into_response()
}
