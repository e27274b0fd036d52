//! Following the plan for many days: each day, each rep's plan; each planned touch
//! logged with a seeded outcome through [`log_touch`], as a rep would log it; losses
//! through [`record_loss`]. Then the measurements of `rounds_core::simulate` over what
//! happened.
//!
//! It writes to the store it is given: adapters run it on a copy of the organisation.

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::Date;
use rounds_core::calendar::{next_working_day, working_days_after};
use rounds_core::model::{
    AccountId, AccountStatus, Channel, ContactId, Direction, RepCalendar, Territory, TouchId,
    UserId,
};
use rounds_core::planner::{DayPlan, PlanItem};
use rounds_core::playbook::Playbook;
use rounds_core::simulate::{Drawn, Measurements, OutcomeShares, Rng, measure};
use rounds_store::Store;
use serde::Serialize;

use crate::{
    Actor, AppError, LostInput, ReferralInput, Result, TouchInput, add_referral, log_touch,
    plan_for, record_loss, reschedule_step, skip_step, territory_for,
};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimulationInput {
    /// The reps whose plans are followed; empty for every rep in the actor's scope.
    pub reps: Vec<UserId>,
    pub from: Date,
    pub days: i64,
    pub shares: OutcomeShares,
    pub seed: u64,
}

/// What a simulation did and what it measured.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationReport {
    pub from: Date,
    pub days: i64,
    pub seed: u64,
    pub reps: Vec<UserId>,
    pub shares: OutcomeShares,
    /// Touches planned, all of them logged.
    pub planned: usize,
    /// Accounts lost through a drawn loss.
    pub losses: usize,
    pub measurements: Measurements,
}

/// Follows the plans of `input.reps` for `input.days` days from `input.from`, writing
/// every touch and loss to `store`, and measures the result.
pub async fn simulate<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    playbook: &Playbook,
    input: SimulationInput,
) -> Result<SimulationReport> {
    if let Err((field, message)) = input.shares.check() {
        return Err(AppError::invalid(field, message));
    }
    if input.days < 1 {
        return Err(AppError::invalid("days", "simulate at least one day"));
    }
    let mut reps = input.reps.clone();
    if reps.is_empty() {
        reps = actor.scope.reps().map(|u| u.id).collect();
    }
    reps.sort();
    reps.dedup();
    if reps.is_empty() {
        return Err(AppError::invalid(
            "rep",
            "the organisation has no rep to simulate",
        ));
    }
    let mut status: BTreeMap<AccountId, AccountStatus> = BTreeMap::new();
    // A rep agrees a callback only with someone they can call, and never for a moment
    // they have promised someone else.
    let mut callable: BTreeSet<ContactId> = BTreeSet::new();
    let mut promised: BTreeSet<(UserId, jiff::Timestamp)> = BTreeSet::new();
    let mut calendars: BTreeMap<UserId, RepCalendar> = BTreeMap::new();
    let mut rescheduled: BTreeSet<TouchId> = BTreeSet::new();
    // Referring providers keep referring at their recent rate (the 30 days before the
    // first day), so the business signals (P8, P9, P13, P34) stay those of a live
    // territory rather than a sudden drop to nothing everywhere.
    let mut rates: BTreeMap<ContactId, (AccountId, f64)> = BTreeMap::new();
    let window = input.from.checked_sub(30.days()).unwrap_or(input.from);
    for rep in &reps {
        let t = territory_for(store, actor, *rep).await?;
        calendars.insert(*rep, t.calendar.clone());
        for a in &t.accounts {
            status.insert(a.id, a.status);
        }
        callable.extend(
            t.contacts
                .iter()
                .filter(|c| c.can_use(Channel::Call) || c.can_use(Channel::VirtualMeeting))
                .map(|c| c.id),
        );
        let account_of: BTreeMap<ContactId, AccountId> =
            t.contacts.iter().map(|c| (c.id, c.account)).collect();
        for r in t
            .referrals
            .iter()
            .filter(|r| r.day >= window && r.day < input.from)
        {
            if let Some(a) = account_of.get(&r.contact) {
                rates.entry(r.contact).or_insert((*a, 0.0)).1 += f64::from(r.count) / 30.0;
            }
        }
    }
    let mut rng = Rng::new(input.seed);
    let mut plans: Vec<DayPlan> = Vec::new();
    let mut planned = 0;
    let mut losses = 0;
    for n in 0..input.days {
        let day = input
            .from
            .checked_add(n.days())
            .map_err(|e| AppError::invalid("days", e.to_string()))?;
        for rep in &reps {
            let plan = plan_for(store, actor, playbook, *rep, day).await?;
            for item in &plan.items {
                planned += 1;
                let mut drawn = input.shares.draw(&mut rng);
                if matches!(drawn, Drawn::Callback(_)) && !callable.contains(&item.contact) {
                    drawn = Drawn::Conversation;
                }
                let calendar = calendars.get(rep).cloned().unwrap_or_default();
                let mut touch = touch_for(item, drawn, &calendar, playbook);
                // The step the item serves is what the rep did, answered or not (P33).
                touch.completes_step = item.step.is_some();
                if let Some(at) = touch.callback_at {
                    let mut at = at;
                    while !promised.insert((*rep, at)) {
                        at = at
                            .checked_add(jiff::SignedDuration::from_mins(30))
                            .map_err(|e| AppError::invalid("days", e.to_string()))?;
                    }
                    touch.callback_at = Some(at);
                }
                let at = item.window.start_instant();
                log_touch(store, actor, touch, at).await?;
                if let Drawn::Loss(reason) = drawn
                    && status.get(&item.account) == Some(&AccountStatus::Customer)
                {
                    record_loss(
                        store,
                        actor,
                        LostInput {
                            account: item.account,
                            lost_on: item.window.date,
                            reason,
                            competitor: None,
                            stakeholders: vec![item.contact_name.clone()],
                            note: "simulated".into(),
                            // A customer won back after an earlier loss can be lost
                            // again; the earlier loss stays as history.
                            replace: true,
                        },
                    )
                    .await?;
                    status.insert(item.account, AccountStatus::Lost);
                    losses += 1;
                }
            }
            // The triage list is decided the same day: a step that went late in the
            // period gets one new date, then is dropped; the backlog found on the
            // first day is dropped at once (P33).
            let evening = day
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_err(|e| AppError::invalid("days", e.to_string()))?
                .timestamp()
                + jiff::SignedDuration::from_hours(23);
            let calendar = calendars.get(rep).cloned().unwrap_or_default();
            for t in &plan.triage {
                let fresh = t.due >= input.from;
                let done = if fresh && rescheduled.insert(t.step) {
                    let due = next_working_day(&calendar, playbook, day).unwrap_or(day);
                    let why = "Moved to a day with room";
                    reschedule_step(store, actor, playbook, t.step, due, why, evening).await
                } else {
                    let why = "No room twice: dropped";
                    skip_step(store, actor, playbook, t.step, why, evening).await
                };
                match done {
                    // A conversation logged since the morning took the step up already.
                    Ok(_) | Err(AppError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            plans.push(plan);
        }
        for (contact, (account, rate)) in &rates {
            let count = rng.poisson(*rate);
            if count == 0 || status.get(account) == Some(&AccountStatus::Lost) {
                continue;
            }
            let input = ReferralInput {
                contact: *contact,
                day,
                count: u64::from(count),
            };
            add_referral(store, actor, input, day).await?;
        }
    }
    let mut all = Territory::default();
    for rep in &reps {
        let t = std::sync::Arc::unwrap_or_clone(territory_for(store, actor, *rep).await?);
        all.accounts.extend(t.accounts);
        all.contacts.extend(t.contacts);
        all.touches.extend(t.touches);
        all.lost.extend(t.lost);
        all.no_fits.extend(t.no_fits);
        all.step_updates.extend(t.step_updates);
        // Every rep's time off; the measurements read each touch against its rep's.
        all.calendar.time_off.extend(t.calendar.time_off);
        if t.calendar.week.is_some() {
            all.calendar.week = t.calendar.week;
        }
    }
    let measurements = measure(&all, &plans, playbook, input.from, input.days);
    Ok(SimulationReport {
        from: input.from,
        days: input.days,
        seed: input.seed,
        reps,
        shares: input.shares,
        planned,
        losses,
        measurements,
    })
}

/// The touch a rep logs for a planned item with the drawn outcome: at the window's start,
/// on the planned channel, about the planned topic when they answered; a next step or a
/// callback is agreed for a day the rep works.
fn touch_for(item: &PlanItem, drawn: Drawn, calendar: &RepCalendar, pb: &Playbook) -> TouchInput {
    let outcome = drawn.outcome();
    let mut t = TouchInput::new(item.contact, item.channel, outcome);
    t.direction = Direction::Outbound;
    t.kind = item.kind;
    t.at = Some(item.window.start_instant());
    if outcome.answered() {
        t.topics = item.primary_topic.topic.into_iter().collect();
    }
    match drawn {
        Drawn::NextStep(days) => {
            t.next_what = Some("follow up as agreed".into());
            // Agreed for a day the rep works, as a rep agrees it.
            t.next_due = item
                .window
                .date
                .checked_add((days - 1).days())
                .ok()
                .and_then(|d| next_working_day(calendar, pb, d));
        }
        Drawn::Callback(days) => {
            let on = working_days_after(
                calendar,
                pb,
                item.window.date,
                u32::try_from(days).unwrap_or(1),
            );
            t.callback_at = on
                .to_datetime(item.window.start)
                .to_zoned(item.window.tz.zone())
                .ok()
                .map(|z| z.timestamp());
        }
        _ => {}
    }
    t
}
