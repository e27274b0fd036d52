//! The rep summaries a page or an API answer needs: those stored for today, and the
//! missing ones computed (on the CPU pool, every core), stored and added. The worker
//! normally leaves nothing missing; a rep added during the day, or a server without a
//! worker pass yet, is computed on first demand and never again that day.

use jiff::Timestamp;
use rounds_app::Actor;
use rounds_core::model::UserId;
use rounds_core::reports::RepSummary;

use crate::AppState;
use crate::error::ApiError;

/// Today's summaries of `reps`, in their order, and the oldest computation instant.
pub async fn summaries_of(
    state: &AppState,
    actor: &Actor,
    reps: &[UserId],
) -> Result<(Vec<RepSummary>, Option<Timestamp>), ApiError> {
    let today = state.today();
    let found = rounds_app::reports::stored_summaries(state.store(), actor, today, reps).await?;
    if found.missing.is_empty() {
        return Ok((found.summaries, found.computed_at));
    }
    let territories =
        rounds_app::reports::territories_of(state.store(), actor, &found.missing).await?;
    let pb = state.playbook().clone();
    let computed = state
        .run_blocking(move || rounds_app::reports::summarise_all(&territories, &pb, today))
        .await?;
    let now = state.now();
    rounds_app::reports::save_summaries(state.store(), actor.org, &computed, now).await?;
    let oldest = found.computed_at.map_or(now, |t| t.min(now));
    Ok((
        rounds_app::reports::merge(reps, found.summaries, computed),
        Some(oldest),
    ))
}

/// Today's summaries of the reps a report covers for `actor` (a lead's team, or a rep
/// alone), and the oldest computation instant.
pub async fn summaries_in_view(
    state: &AppState,
    actor: &Actor,
) -> Result<(Vec<RepSummary>, Option<Timestamp>), ApiError> {
    let reps = rounds_app::reports::report_reps(actor)?;
    summaries_of(state, actor, &reps).await
}
