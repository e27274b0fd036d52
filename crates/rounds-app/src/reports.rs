//! Rep summaries (a day's plan size, coverage, funnel, promises, segments and referral
//! trends of one rep) and the team views built on them: the Team page and the reports.
//!
//! A summary is computed once per rep and day — by the background worker for the whole
//! organisation, or on first demand for the reps a page shows — and stored, so a view of
//! two hundred reps reads two hundred small rows instead of planning two hundred
//! territories. Computing is CPU work done by [`summarise_all`] (every core); the async
//! functions here only read and write, so an adapter can run the computing where its
//! CPU work belongs.

use jiff::Timestamp;
use jiff::civil::Date;
use rayon::prelude::*;
use rounds_core::model::{OrgId, Role, Territory, User, UserId};
use rounds_core::planner;
use rounds_core::playbook::Playbook;
use rounds_core::reports::{self, RepSummary};
use rounds_store::{Store, Summaries};

use crate::{Actor, AppError, Result};

/// Plans and summarises each territory for `today`, on every core: territories differ
/// in size, so the pool balances them.
pub fn summarise_all(
    territories: &[(UserId, Territory)],
    pb: &Playbook,
    today: Date,
) -> Vec<RepSummary> {
    territories
        .par_iter()
        .map(|(rep, t)| {
            let plan = planner::plan(t, pb, *rep, today);
            reports::summarise(t, pb, *rep, today, &plan)
        })
        .collect()
}

/// The reps a lead's views cover, by name then id, and how many there are; a page
/// (`page` from 1, `per_page` reps) or all of them. A rep leads no team: `NotFound`.
pub fn team_reps(actor: &Actor, page: Option<(usize, usize)>) -> Result<(Vec<UserId>, usize)> {
    if !actor.scope.is_lead() {
        return Err(AppError::not_found("team", "of a rep"));
    }
    let mut reps: Vec<&User> = actor.scope.reps().collect();
    reps.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let total = reps.len();
    let ids = reps.into_iter().map(|u| u.id);
    let ids = match page {
        Some((page, per_page)) => ids
            .skip(page.saturating_sub(1).saturating_mul(per_page))
            .take(per_page)
            .collect(),
        None => ids.collect(),
    };
    Ok((ids, total))
}

/// The reps a report covers: a lead's team, or a rep alone.
pub fn report_reps(actor: &Actor) -> Result<Vec<UserId>> {
    if actor.scope.is_lead() {
        return Ok(team_reps(actor, None)?.0);
    }
    match &actor.user {
        Some(me) => Ok(vec![me.id]),
        None => Err(AppError::not_found("report", "without a user")),
    }
}

/// The name a report gives a rep: theirs, or "user ID" for one no longer listed.
pub fn rep_name(actor: &Actor, id: UserId) -> String {
    actor
        .scope
        .user(id)
        .map_or_else(|| format!("user {id}"), |u| u.name.clone())
}

/// What is stored for `reps` on `day`, in the order of `reps`, and the reps without a
/// summary yet. The oldest computation instant of those found is returned too, so a page
/// can say how fresh its figures are.
#[derive(Debug)]
pub struct Found {
    pub summaries: Vec<RepSummary>,
    pub missing: Vec<UserId>,
    pub computed_at: Option<Timestamp>,
}

pub async fn stored_summaries<S: Summaries + Sync>(
    store: &S,
    actor: &Actor,
    day: Date,
    reps: &[UserId],
) -> Result<Found> {
    if let Some(r) = reps.iter().find(|r| !actor.scope.sees_rep(**r)) {
        return Err(AppError::not_found("user", r));
    }
    let stored = store.summaries(actor.org, day, reps).await?;
    let computed_at = stored.iter().map(|s| s.computed_at).min();
    let mut by_rep: std::collections::BTreeMap<UserId, RepSummary> = stored
        .into_iter()
        .map(|s| (s.summary.rep, s.summary))
        .collect();
    let mut summaries = Vec::with_capacity(reps.len());
    let mut missing = Vec::new();
    for r in reps {
        match by_rep.remove(r) {
            Some(s) => summaries.push(s),
            None => missing.push(*r),
        }
    }
    Ok(Found {
        summaries,
        missing,
        computed_at,
    })
}

/// The territories of `reps` (each in the actor's scope), read one rep at a time.
pub async fn territories_of<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    reps: &[UserId],
) -> Result<Vec<(UserId, Territory)>> {
    let mut out = Vec::with_capacity(reps.len());
    for r in reps {
        // Read, not kept warm: summarised once a day, they would only push out the
        // territories kept for the reps' own plans.
        crate::plan::rep_in_scope(actor, *r)?;
        out.push((*r, store.territory(actor.org, *r).await?));
    }
    Ok(out)
}

/// Stores freshly computed summaries.
pub async fn save_summaries<S: Summaries + Sync>(
    store: &S,
    org: OrgId,
    summaries: &[RepSummary],
    now: Timestamp,
) -> Result<()> {
    Ok(store.put_summaries(org, summaries, now).await?)
}

/// Puts `computed` among `found` in the order of `reps`.
pub fn merge(
    reps: &[UserId],
    found: Vec<RepSummary>,
    computed: Vec<RepSummary>,
) -> Vec<RepSummary> {
    let mut all: std::collections::BTreeMap<UserId, RepSummary> = found
        .into_iter()
        .chain(computed)
        .map(|s| (s.rep, s))
        .collect();
    reps.iter().filter_map(|r| all.remove(r)).collect()
}

/// The organisation's reps (users with the rep role, enabled or not: a disabled rep's
/// accounts are still someone's to cover), by id: what the worker summarises.
pub async fn org_reps<S: Store + Sync>(store: &S, org: OrgId) -> Result<Vec<UserId>> {
    let mut reps: Vec<UserId> = store
        .users(org)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Rep)
        .map(|u| u.id)
        .collect();
    reps.sort();
    Ok(reps)
}

/// The reps of `org` without a summary for `day`: what a worker pass still has to do.
pub async fn reps_to_summarise<S: Store + Summaries + Sync>(
    store: &S,
    org: OrgId,
    day: Date,
) -> Result<Vec<UserId>> {
    let reps = org_reps(store, org).await?;
    let done: std::collections::BTreeSet<UserId> = store
        .summaries(org, day, &reps)
        .await?
        .into_iter()
        .map(|s| s.summary.rep)
        .collect();
    Ok(reps.into_iter().filter(|r| !done.contains(r)).collect())
}

/// The territories of `reps` for the worker, which acts for the organisation itself.
pub async fn org_territories<S: Store + Sync>(
    store: &S,
    org: OrgId,
    reps: &[UserId],
) -> Result<Vec<(UserId, Territory)>> {
    let mut out = Vec::with_capacity(reps.len());
    for r in reps {
        out.push((*r, store.territory(org, *r).await?));
    }
    Ok(out)
}

/// Reps read per batch by [`refresh_org`]: each batch is planned on every core while the
/// next is read.
pub const BATCH: usize = 16;

/// Summarises, for `today`, every rep of `org` without a summary for that day, and
/// returns how many: rows read a batch at a time, each batch planned on every core (on
/// rayon's pool, off the caller's async workers) while the next batch is read, then
/// stored. A rep already done is left alone, so a pass after the first of the day costs
/// one query. What the background worker runs, and `rounds report refresh`.
pub async fn refresh_org<S: Store + Summaries + Sync>(
    store: &S,
    org: OrgId,
    pb: &Playbook,
    today: Date,
    now: Timestamp,
) -> Result<usize> {
    type Planned = std::thread::Result<Vec<RepSummary>>;
    let todo = reps_to_summarise(store, org, today).await?;
    let mut planning: Option<tokio::sync::oneshot::Receiver<Planned>> = None;
    for batch in todo.chunks(BATCH) {
        let territories = org_territories(store, org, batch).await?;
        if let Some(done) = planning.take() {
            save_planned(store, org, done, now).await?;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let pb = pb.clone();
        rayon::spawn(move || {
            let planned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                summarise_all(&territories, &pb, today)
            }));
            let _ = tx.send(planned);
        });
        planning = Some(rx);
    }
    if let Some(done) = planning.take() {
        save_planned(store, org, done, now).await?;
    }
    Ok(todo.len())
}

async fn save_planned<S: Summaries + Sync>(
    store: &S,
    org: OrgId,
    planned: tokio::sync::oneshot::Receiver<std::thread::Result<Vec<RepSummary>>>,
    now: Timestamp,
) -> Result<()> {
    match planned.await {
        Ok(Ok(summaries)) => save_summaries(store, org, &summaries, now).await,
        // A panic in the planner is a bug: it reaches the caller as one, not as an
        // answer that looks like data.
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => unreachable!("the planning job always answers before it ends"),
    }
}
