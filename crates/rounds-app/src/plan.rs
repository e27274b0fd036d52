//! Plans: a rep's day, and the next proposal for one contact after a touch.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{ContactId, Territory, UserId};
use rounds_core::planner::{self, DayPlan};
use rounds_core::playbook::Playbook;
use rounds_store::Store;

use crate::{Actor, AppError, Result};

/// The rows a rep's plan is computed from, if the rep is in the actor's scope, shared:
/// the store may keep them warm between plans (`Store::shared_territory`). A server
/// runs the (CPU-bound) planner on them off its async workers.
pub async fn territory_for<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    rep: UserId,
) -> Result<Arc<Territory>> {
    rep_in_scope(actor, rep)?;
    Ok(store.shared_territory(actor.org, rep).await?)
}

/// `NotFound` for a rep outside the actor's scope, as for one nobody has.
pub(crate) fn rep_in_scope(actor: &Actor, rep: UserId) -> Result<()> {
    match actor.scope.user(rep) {
        Some(_) => Ok(()),
        None => Err(AppError::not_found("user", rep)),
    }
}

/// Every territory the actor may see, by rep: a rep gets only their own (read alone, so
/// a rep's page never loads the whole organisation), a manager their team's, an
/// administrator or the operator every one.
pub async fn territories_in_scope<S: Store + Sync>(
    store: &S,
    actor: &Actor,
) -> Result<Vec<(UserId, Territory)>> {
    if !actor.scope.is_lead()
        && let Some(me) = &actor.user
    {
        return Ok(vec![(me.id, store.territory(actor.org, me.id).await?)]);
    }
    let mut all = store.all_territories(actor.org).await?;
    all.retain(|(rep, _)| actor.scope.sees_rep(*rep));
    Ok(all)
}

/// The territories of the reps (users with the rep role) a manager, an administrator
/// or the operator leads. A rep leads no team: `NotFound`, as for anything outside
/// their scope.
pub async fn team_territories<S: Store + Sync>(
    store: &S,
    actor: &Actor,
) -> Result<Vec<(UserId, Territory)>> {
    if !actor.scope.is_lead() {
        return Err(AppError::not_found("team", "of a rep"));
    }
    let reps: Vec<UserId> = actor.scope.reps().map(|u| u.id).collect();
    let mut all = territories_in_scope(store, actor).await?;
    all.retain(|(rep, _)| reps.contains(rep));
    Ok(all)
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

/// What comes next for a contact just touched: the next proposed touch and the flags
/// that the day's plan raises on that contact.
#[derive(Debug, Clone)]
pub struct NextForContact {
    /// `None` when nothing is due within [`planner::NEXT_TOUCH_HORIZON_DAYS`].
    pub next: Option<planner::NextTouch>,
    pub flags: Vec<planner::Flag>,
}

/// The next touch with `contact` from `from` on, never starting before `not_before`
/// (the instant just logged), and the flags of `from`'s plan on that contact. The
/// territory is planned once, for `from`; later days evaluate only the contact's
/// account (see [`planner::next_for_contact`] for what that does and does not promise).
pub fn next_for_contact(
    territory: &Territory,
    playbook: &Playbook,
    rep: UserId,
    contact: ContactId,
    from: Date,
    not_before: Timestamp,
) -> NextForContact {
    let day = planner::plan(territory, playbook, rep, from);
    let next = planner::next_for_contact_after(&day, territory, playbook, contact, not_before);
    let flags = day
        .flags
        .into_iter()
        .filter(|f| f.contact == Some(contact))
        .collect();
    NextForContact { next, flags }
}
