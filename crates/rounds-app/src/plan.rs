//! Plans: a rep's day, and the next proposal for one contact after a touch.

use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{ContactId, Territory, UserId};
use rounds_core::planner::{self, DayPlan};
use rounds_core::playbook::Playbook;
use rounds_store::Store;

use crate::{Actor, AppError, Result};

/// How far ahead `next_for_contact` looks.
pub const NEXT_PROPOSAL_DAYS: usize = 45;

/// The rows a rep's plan is computed from, if the rep is in the actor's scope. A server
/// runs the (CPU-bound) planner on them off its async workers.
pub async fn territory_for<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    rep: UserId,
) -> Result<Territory> {
    if actor.scope.user(rep).is_none() {
        return Err(AppError::not_found("user", rep));
    }
    Ok(store.territory(actor.org, rep).await?)
}

/// A rep's plan for a day.
pub async fn plan_for<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    rep: UserId,
    date: Date,
) -> Result<DayPlan> {
    let territory = territory_for(store, actor, rep).await?;
    Ok(planner::plan(&territory, playbook, rep, date))
}

/// The first plan from `from` on (within 45 days) that includes the contact, reduced to
/// that contact's item, with its day.
///
/// This is the single place that finds the next proposal: it plans day after day
/// today. `rounds_core::planner::next_for_contact(territory, playbook, rep, contact,
/// from, not_before)`, which plans at most once, replaces the loop below in one line
/// when it lands; `not_before` is passed through for it.
pub fn next_for_contact(
    territory: &Territory,
    playbook: &Playbook,
    rep: UserId,
    contact: ContactId,
    from: Date,
    not_before: Timestamp,
) -> Option<(Date, DayPlan)> {
    let _ = not_before;
    next_by_planning_each_day(territory, playbook, rep, contact, from)
}

fn next_by_planning_each_day(
    territory: &Territory,
    playbook: &Playbook,
    rep: UserId,
    contact: ContactId,
    from: Date,
) -> Option<(Date, DayPlan)> {
    let mut day = from;
    for _ in 0..NEXT_PROPOSAL_DAYS {
        let mut p = planner::plan(territory, playbook, rep, day);
        if let Some(pos) = p.items.iter().position(|i| i.contact == contact) {
            let item = p.items.remove(pos);
            p.items = vec![item];
            return Some((day, p));
        }
        day = day.tomorrow().ok()?;
    }
    None
}
