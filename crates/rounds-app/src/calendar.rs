//! A rep's own calendar: the weekdays and hours they work, and their time off. The
//! planner plans nothing on a day off ([`rounds_core::calendar`]); these use cases set
//! and read what it needs, for reps in the actor's scope (a rep their own, a manager
//! their team's, an administrator or the operator everyone's).

use jiff::civil::{Date, Weekday};
use rounds_core::model::{RepCalendar, TimeOff, TimeOffId, TimeRange, User, UserId, WorkWeek};
use rounds_store::{IdKind, Store};

use crate::error::first_problem;
use crate::{Actor, AppError, Result};

/// The rep `rep`, if the actor may see and change their calendar; otherwise the
/// problem names `field`, as for any other reference to a missing record.
fn rep_field(actor: &Actor, rep: UserId, field: &str) -> Result<User> {
    match actor.scope.user(rep) {
        Some(u) if actor.scope.sees_rep(rep) => Ok(u.clone()),
        _ => Err(AppError::invalid(
            field,
            format!("no rep {rep} in your territories"),
        )),
    }
}

/// A rep's own week, as a caller gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkWeekInput {
    pub rep: UserId,
    /// The weekdays the rep works; days outside the playbook's week stay off.
    pub days: Vec<Weekday>,
    /// The rep's field hours, local time; `None` keeps the playbook's day.
    pub hours: Option<TimeRange>,
}

/// Sets a rep's own week (replacing the one before).
pub async fn set_work_week<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: WorkWeekInput,
) -> Result<WorkWeek> {
    rep_field(actor, input.rep, "rep")?;
    let mut days = input.days;
    days.sort_by_key(|d| d.to_monday_zero_offset());
    days.dedup();
    let week = WorkWeek {
        rep: input.rep,
        days,
        hours: input.hours,
    };
    first_problem(week.validate())?;
    store.save_work_week(actor.org, &week).await?;
    Ok(week)
}

/// A rep's own week and time off.
pub async fn calendar_of<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    rep: UserId,
) -> Result<RepCalendar> {
    if actor.scope.user(rep).is_none() || !actor.scope.sees_rep(rep) {
        return Err(AppError::not_found("user", rep));
    }
    Ok(store.calendar(actor.org, rep).await?)
}

/// A period of time off, as a caller gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOffInput {
    pub rep: UserId,
    pub from: Date,
    /// Inclusive.
    pub to: Date,
    pub reason: String,
}

/// Records time off: nothing is planned for the rep from `from` to `to`.
pub async fn add_time_off<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: TimeOffInput,
) -> Result<TimeOff> {
    rep_field(actor, input.rep, "rep")?;
    let draft = TimeOff {
        id: TimeOffId(0),
        rep: input.rep,
        from: input.from,
        to: input.to,
        reason: input.reason.trim().to_string(),
    };
    // Checked before an id is reserved, so a refused period uses up none.
    first_problem(draft.validate())?;
    let time_off = TimeOff {
        id: TimeOffId(store.next_id(actor.org, IdKind::TimeOff).await?),
        ..draft
    };
    store.save_time_off(actor.org, &time_off).await?;
    Ok(time_off)
}

/// Time off of the reps in the actor's scope (or of one of them), by start day.
pub async fn list_time_off<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    rep: Option<UserId>,
) -> Result<Vec<TimeOff>> {
    // A rep asked for (not a record a write refers to) answers like a missing one: 404.
    if let Some(rep) = rep
        && !(actor.scope.user(rep).is_some() && actor.scope.sees_rep(rep))
    {
        return Err(AppError::not_found("user", rep));
    }
    let mut all = store.time_off(actor.org, rep).await?;
    all.retain(|t| actor.scope.sees_rep(t.rep));
    Ok(all)
}

/// Deletes a period of time off; the days become working days again.
pub async fn remove_time_off<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: TimeOffId,
) -> Result<TimeOff> {
    let found = store
        .time_off(actor.org, None)
        .await?
        .into_iter()
        .find(|t| t.id == id && actor.scope.sees_rep(t.rep))
        .ok_or_else(|| AppError::not_found("time off", id))?;
    if !store.delete_time_off(actor.org, id).await? {
        return Err(AppError::not_found("time off", id));
    }
    Ok(found)
}
