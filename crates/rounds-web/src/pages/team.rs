//! The team (managers and administrators): each rep's plan size and flags today, and how
//! well their customers are covered, a page of reps at a time (only the page's reps are
//! read and planned). Reps get 404, as for any page outside their scope.

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use rounds_core::model::{Role, UserId};
use rounds_core::planner;
use rounds_core::signals::{self, Coverage};

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

struct RepRow {
    rep: UserId,
    planned: usize,
    flags: usize,
    customers: usize,
    covered: usize,
}

async fn team(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<TeamQuery>,
) -> Response {
    let page_no = q.page.unwrap_or(1).max(1);
    let found = rounds_app::team_page(state.store(), &ctx.actor(), page_no, PER_PAGE).await;
    let (territories, total) = match found {
        Ok(t) => t,
        Err(rounds_app::AppError::NotFound { .. }) => return super::not_found_page(),
        Err(e) => return super::error_page(e.into()),
    };
    let pb = state.playbook().clone();
    let today = state.today();
    // Planning every rep is CPU work (a route search each); keep it off the async workers.
    let rows = state
        .run_blocking(move || {
            territories
                .into_iter()
                .map(|(rep, t)| {
                    let plan = planner::plan(&t, &pb, rep, today);
                    let Coverage { customers, covered } = signals::coverage(&t, &pb, today);
                    RepRow {
                        rep,
                        planned: plan.items.len(),
                        flags: plan.flags.len(),
                        customers,
                        covered,
                    }
                })
                .collect::<Vec<_>>()
        })
        .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return super::error_page(e),
    };
    let silence = state.playbook().max_silence_days;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let body = html! {
        h1 { "Team " small { (today) } }
        p.muted { (total) " rep" @if total != 1 { "s" } @if pages > 1 { " · page " (page_no) " of " (pages) } }
        p.muted { "Coverage: customers whose last touch is less than " (silence) " days old (not yet silent by the playbook's maximum silence, P23, as the plan counts it), out of all customers." }
        @if rows.is_empty() { p.empty { "No reps in your team." } }
        ul.cards #team {
            @for r in &rows {
                @let name = ctx.scope.user(r.rep).filter(|u| u.role == Role::Rep).map(|u| u.name.as_str()).unwrap_or("?");
                li.card {
                    a href={"/today?rep=" (r.rep.0)} { strong { (name) } }
                    div { (r.planned) " planned today · " (r.flags) " flags" }
                    @match (r.covered * 100).checked_div(r.customers) {
                        // No customers yet: a percentage of nothing would read as "all covered".
                        None => div.muted { "No customers yet" },
                        Some(pct) => div { "Coverage " strong { (pct) "%" } " "
                            small { "(" (r.covered) " of " (r.customers) " customers)" }
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
