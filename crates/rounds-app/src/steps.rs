//! Next steps as tasks (P33): list the open ones, and complete, reschedule, skip or edit
//! one — the one way for the command line, the API and the pages.
//!
//! A step is named by the touch that set it; each contact has at most one open step, the
//! latest touch's (see `rounds_core::planner::open_step`). Every change is a
//! `StepUpdate` appended to the step's history, never an edit of the touch. The rules,
//! the same whoever acts: only an open step can change (a closed one is a `Conflict` on
//! `step`); a reason is 1–500 characters (`reason`); a new wording follows the limits
//! of a step's text (`what`); a new date is not before the day the step was agreed
//! (`due`). The update is attributed to the signed-in user, or for the local operator
//! to the account's owner, as touches are.

use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{Account, Contact, StepAction, StepUpdate, Touch, TouchId, UserId};
use rounds_core::planner::{self, OpenStep};
use rounds_core::playbook::Playbook;
use rounds_core::values::{StepDue, StepReason, StepText};
use rounds_store::{Store, StoreError};

use crate::plan::{territories_in_scope, territory_for};
use crate::{Actor, AppError, Result};

/// Which open steps to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepFilter {
    /// One rep's; `None` for every territory in the actor's scope.
    pub rep: Option<UserId>,
    /// Only the steps past their due date.
    pub overdue: bool,
}

/// The open steps in the actor's scope, by due date, each marked with how late it is
/// and whether it is on the triage list.
pub async fn list_steps<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    filter: StepFilter,
    today: Date,
) -> Result<Vec<OpenStep>> {
    let territories = match filter.rep {
        Some(rep) => vec![territory_for(store, actor, rep).await?],
        None => territories_in_scope(store, actor)
            .await?
            .into_iter()
            .map(|(_, t)| std::sync::Arc::new(t))
            .collect(),
    };
    let mut steps: Vec<OpenStep> = territories
        .iter()
        .flat_map(|t| planner::open_steps(t, playbook, today))
        .filter(|s| !filter.overdue || s.days_overdue > 0)
        .collect();
    steps.sort_by_key(|s| (s.due, s.contact, s.step));
    Ok(steps)
}

/// One open step, if the actor may see it; `NotFound` for an unknown step or one
/// outside the scope, `Conflict` on `step` for one already closed.
pub async fn get_step<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    id: TouchId,
    today: Date,
) -> Result<OpenStep> {
    let (_, contact, account) = step_touch(store, actor, id).await?;
    open_step_of(store, actor, playbook, id, &contact, &account, today).await
}

/// The touch that set step `id`, with its contact and account, if it set a step and the
/// actor may see it: one scoped query, so an unknown step and another territory's
/// answer alike and cost alike.
async fn step_touch<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: TouchId,
) -> Result<(Touch, Contact, Account)> {
    let reps = actor.scope.rep_list();
    match store.scoped_touch(actor.org, id, reps.as_deref()).await? {
        Some(found) if found.0.next_step.is_some() => Ok(found),
        _ => Err(AppError::not_found("step", id)),
    }
}

/// Step `id` of `contact` if it is still open; `Conflict` on `step` if it is closed.
async fn open_step_of<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    id: TouchId,
    contact: &Contact,
    account: &Account,
    today: Date,
) -> Result<OpenStep> {
    let touches = store.touches_for_contact(actor.org, contact.id).await?;
    let updates = store.step_updates(actor.org, id).await?;
    match planner::open_step(account, contact, &touches, &updates, playbook, today) {
        Some(open) if open.step == id => Ok(open),
        _ => Err(AppError::Conflict {
            field: "step".into(),
            message: format!(
                "the step set by touch {id} is closed: it was completed or skipped, a later \
                 touch was answered, or a later touch set a new step"
            ),
        }),
    }
}

/// Marks the step done.
pub async fn complete_step<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    id: TouchId,
    now: Timestamp,
) -> Result<StepUpdate> {
    update_step(store, actor, playbook, id, StepAction::Complete, now).await
}

/// Moves the step to `due`, saying why.
pub async fn reschedule_step<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    id: TouchId,
    due: Date,
    reason: &str,
    now: Timestamp,
) -> Result<StepUpdate> {
    let reason = parse_reason(reason)?;
    let action = StepAction::Reschedule { due, reason };
    update_step(store, actor, playbook, id, action, now).await
}

/// Drops the step, saying why.
pub async fn skip_step<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    id: TouchId,
    reason: &str,
    now: Timestamp,
) -> Result<StepUpdate> {
    let reason = parse_reason(reason)?;
    update_step(store, actor, playbook, id, StepAction::Skip { reason }, now).await
}

/// Rewords the step, moves it, or both; at least one must be given (`what`).
pub async fn edit_step<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    id: TouchId,
    what: Option<&str>,
    due: Option<Date>,
    now: Timestamp,
) -> Result<StepUpdate> {
    if what.is_none() && due.is_none() {
        return Err(AppError::invalid(
            "what",
            "say what the step becomes, its new due date, or both",
        ));
    }
    let what = what
        .map(|w| StepText::parse(w).map_err(|e| AppError::invalid("what", e.0)))
        .transpose()?
        .map(|w| w.into_string());
    update_step(
        store,
        actor,
        playbook,
        id,
        StepAction::Edit { what, due },
        now,
    )
    .await
}

/// The contact's open step, if any, for logging a touch that completes it
/// (`completes_step` of `TouchInput`).
pub(crate) async fn open_step_of_contact<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    contact: &rounds_core::model::Contact,
    account: &rounds_core::model::Account,
    playbook: &Playbook,
    today: Date,
) -> Result<Option<OpenStep>> {
    let touches = store.touches_for_contact(actor.org, contact.id).await?;
    let Some(latest) = touches.iter().rev().find(|t| t.next_step.is_some()) else {
        return Ok(None);
    };
    let updates = store.step_updates(actor.org, latest.id).await?;
    Ok(planner::open_step(
        account, contact, &touches, &updates, playbook, today,
    ))
}

fn parse_reason(reason: &str) -> Result<String> {
    StepReason::parse(reason)
        .map(|r| r.into_string())
        .map_err(|e| AppError::invalid("reason", e.0))
}

/// Appends `action` to the open step `id`.
async fn update_step<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    id: TouchId,
    action: StepAction,
    now: Timestamp,
) -> Result<StepUpdate> {
    let (_, contact, account) = step_touch(store, actor, id).await?;
    let today = now.to_zoned(account.tz.zone()).date();
    let open = open_step_of(store, actor, playbook, id, &contact, &account, today).await?;
    let new_due = match &action {
        StepAction::Reschedule { due, .. } | StepAction::Edit { due: Some(due), .. } => Some(*due),
        _ => None,
    };
    if let Some(due) = new_due {
        StepDue::parse(due, open.set_on).map_err(|e| AppError::invalid("due", e.0))?;
    }
    let seq = store.step_updates(actor.org, id).await?.len() as u32 + 1;
    let update = StepUpdate {
        touch: id,
        seq,
        account: account.id,
        at: now,
        // Whoever acts; the local operator acts for the account's owner.
        by: actor.user.as_ref().map_or(account.rep, |u| u.id),
        action,
    };
    if let Some(p) = update.validate().into_iter().next() {
        return Err(AppError::invalid(
            p.field.trim_start_matches("action."),
            p.message,
        ));
    }
    match store.add_step_update(actor.org, &update).await {
        Ok(()) => Ok(update),
        // Another update of this step was written since its history was read.
        Err(StoreError::Duplicate { .. }) => Err(AppError::Conflict {
            field: "step".into(),
            message: format!("the step set by touch {id} changed meanwhile; look again"),
        }),
        Err(e) => Err(e.into()),
    }
}
