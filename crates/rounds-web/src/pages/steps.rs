//! The forms that act on a next step (P33) from the Today page: complete, reschedule
//! (date and reason), skip (reason). Each calls the rounds-app use case, the same as
//! the API and the command line, and goes back to the page it came from with a note of
//! what was done.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use jiff::civil::Date;
use rounds_core::model::{StepAction, TouchId};

use super::Fields;
use super::layout::error_page;
use super::redirect::{ReturnPath, action_answer};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{FormBody, PageCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/steps/{id}/complete", post(complete))
        .route("/steps/{id}/reschedule", post(reschedule))
        .route("/steps/{id}/skip", post(skip))
}

async fn complete(
    state: State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    act(state, ctx, id, form, Act::Complete).await
}

async fn reschedule(
    state: State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    act(state, ctx, id, form, Act::Reschedule).await
}

async fn skip(
    state: State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
) -> Response {
    act(state, ctx, id, form, Act::Skip).await
}

#[derive(Debug, Clone, Copy)]
enum Act {
    Complete,
    Reschedule,
    Skip,
}

async fn act(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    id: i64,
    form: Result<FormBody<Vec<(String, String)>>, ApiError>,
    what: Act,
) -> Response {
    let f = match form {
        Ok(FormBody(pairs)) => Fields(pairs),
        Err(e) => return error_page(e),
    };
    if let Some(refused) = super::csrf_refusal(&ctx, f.one("csrf").unwrap_or("")) {
        return refused;
    }
    // Read before the step is changed: a bad target must not cost a half-done request.
    let back = match ReturnPath::from_form(&f, "/today") {
        Ok(back) => back,
        Err(e) => return error_page(e),
    };
    let (store, actor, pb, now) = (&ctx.store, ctx.actor(), state.playbook(), state.now());
    let step = TouchId(id);
    let done = match what {
        Act::Complete => rounds_app::complete_step(store, &actor, pb, step, now)
            .await
            .map_err(ApiError::from),
        Act::Reschedule => match f.parse::<Date>("due") {
            Ok(due) => {
                rounds_app::reschedule_step(store, &actor, pb, step, due, &f.text("reason"), now)
                    .await
                    .map_err(ApiError::from)
            }
            Err(e) => Err(e),
        },
        Act::Skip => rounds_app::skip_step(store, &actor, pb, step, &f.text("reason"), now)
            .await
            .map_err(ApiError::from),
    };
    // A wrong date or a missing reason goes back to the plan, said beside it.
    let done = done.map(|u| match u.action {
        StepAction::Reschedule { due, .. } => format!("Moved the step to {due}"),
        StepAction::Skip { .. } => "Skipped the step".to_string(),
        _ => "Completed the step".to_string(),
    });
    action_answer(&state, back.as_str(), done)
}
