//! The team (managers and administrators): each rep's plan size and flags today, and how
//! well their customers are covered. Reps get 404, as for any page outside their scope.

use axum::Router;
use axum::extract::State;
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

struct RepRow {
    rep: UserId,
    planned: usize,
    flags: usize,
    customers: usize,
    covered: usize,
}

async fn team(State(state): State<AppState>, PageCtx(ctx): PageCtx) -> Response {
    let territories = match rounds_app::team_territories(state.store(), &ctx.actor()).await {
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
    let body = html! {
        h1 { "Team " small { (today) } }
        p.muted { "Coverage: customers whose last touch is less than " (silence) " days old (not yet silent by the playbook's maximum silence, P23, as the plan counts it), out of all customers." }
        @if rows.is_empty() { p.empty { "No reps in your team." } }
        ul.cards #team {
            @for r in &rows {
                @let name = ctx.scope.user(r.rep).filter(|u| u.role == Role::Rep).map(|u| u.name.as_str()).unwrap_or("?");
                @let pct = (r.covered * 100).checked_div(r.customers).unwrap_or(100);
                li.card {
                    a href={"/today?rep=" (r.rep.0)} { strong { (name) } }
                    div { (r.planned) " planned today · " (r.flags) " flags" }
                    div { "Coverage " strong { (pct) "%" } " "
                        small { "(" (r.covered) " of " (r.customers) " customers)" }
                        meter min="0" max="100" value=(pct) { (pct) "%" } }
                }
            }
        }
    };
    page("Team", Some(&ctx), Nav::Team, None, body).into_response()
}
