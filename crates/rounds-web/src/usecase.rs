//! What the API and the pages both do: scoped lookups, logging a touch, planning a day,
//! checking a playbook. Neither imports the other; both call these.
//!
//! Inputs here are plain drafts, not wire types: the API converts its JSON bodies
//! (`api::wire`) and the pages their forms into the same draft, so one set of checks
//! serves both.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{
    Account, AccountId, Channel, Contact, ContactId, Direction, LostAccount, NextStep, Outcome,
    Topic, TopicId, Touch, TouchId, TouchKind, UserId,
};
use rounds_core::planner;
use rounds_core::playbook::Playbook;
use rounds_store::{IdKind, Store};

use crate::error::{ApiError, ApiResult};
use crate::extract::Ctx;
use crate::{AppState, Scope};

/// A touch to log, as the caller gave it.
#[derive(Debug, Clone)]
pub(crate) struct TouchDraft {
    pub contact: i64,
    pub channel: Channel,
    pub direction: Direction,
    pub outcome: Outcome,
    pub kind: TouchKind,
    /// When it happened (default now).
    pub at: Option<Timestamp>,
    /// Every topic that came up; the first is the primary one (P4).
    pub topics: Vec<i64>,
    pub explain_better: Vec<i64>,
    pub next_step: Option<NextStepDraft>,
    pub callback_at: Option<Timestamp>,
    pub note: String,
}

#[derive(Debug, Clone)]
pub(crate) struct NextStepDraft {
    pub what: String,
    pub due: Date,
}

impl TouchDraft {
    /// The quick-log form of the Today page.
    pub(crate) fn quick(
        contact: i64,
        channel: Channel,
        outcome: Outcome,
        topic: Option<i64>,
        note: String,
    ) -> TouchDraft {
        TouchDraft {
            contact,
            channel,
            direction: Direction::Outbound,
            outcome,
            kind: TouchKind::Routine,
            at: None,
            topics: topic.into_iter().collect(),
            explain_better: vec![],
            next_step: None,
            callback_at: None,
            note,
        }
    }
}

// ---------------------------------------------------------------- scope lookups

/// The account if it exists and the caller may see it; otherwise 404.
pub(crate) async fn scoped_account(state: &AppState, ctx: &Ctx, id: i64) -> ApiResult<Account> {
    match state.store().account(ctx.caller.org, AccountId(id)).await? {
        Some(a) if ctx.scope.sees_account(&a) => Ok(a),
        _ => Err(ApiError::not_found("account")),
    }
}

/// The contact and its account if the caller may see them; otherwise 404.
pub(crate) async fn scoped_contact(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> ApiResult<(Contact, Account)> {
    let Some(contact) = state.store().contact(ctx.caller.org, ContactId(id)).await? else {
        return Err(ApiError::not_found("contact"));
    };
    match state
        .store()
        .account(ctx.caller.org, contact.account)
        .await?
    {
        Some(a) if ctx.scope.sees_account(&a) => Ok((contact, a)),
        _ => Err(ApiError::not_found("contact")),
    }
}

pub(crate) async fn scoped_accounts(state: &AppState, ctx: &Ctx) -> ApiResult<Vec<Account>> {
    let mut accounts = state.store().accounts(ctx.caller.org, None).await?;
    accounts.retain(|a| ctx.scope.sees_account(a));
    Ok(accounts)
}

pub(crate) async fn scoped_touch(state: &AppState, ctx: &Ctx, id: i64) -> ApiResult<Touch> {
    let Some(touch) = state.store().touch(ctx.caller.org, TouchId(id)).await? else {
        return Err(ApiError::not_found("touch"));
    };
    scoped_account(state, ctx, touch.account.0)
        .await
        .map_err(|_| ApiError::not_found("touch"))?;
    Ok(touch)
}

/// A rep named in a body must be one the caller may see; otherwise the field is wrong
/// (phrased as for an unknown user, to reveal nothing).
pub(crate) fn rep_in_scope(scope: &Scope, rep: UserId, field: &str) -> ApiResult<()> {
    if scope.user(rep).is_some() {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            format!("no user {rep} in your territories"),
        ))
    }
}

pub(crate) fn leads_only(scope: &Scope, what: &str) -> ApiResult<()> {
    if scope.is_lead() {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "only managers and administrators may {what}"
        )))
    }
}

pub(crate) async fn lost_in_scope(state: &AppState, ctx: &Ctx) -> ApiResult<Vec<LostAccount>> {
    let mut lost = Vec::new();
    for (rep, territory) in state.store().all_territories(ctx.caller.org).await? {
        if ctx.scope.sees_rep(rep) {
            lost.extend(territory.lost);
        }
    }
    lost.sort_by_key(|l| l.account);
    Ok(lost)
}

// ---------------------------------------------------------------- record checks

pub(crate) fn check_account(a: &Account) -> ApiResult<()> {
    if a.name.trim().is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    if !(-90.0..=90.0).contains(&a.address.lat) {
        return Err(ApiError::field("address.lat", "must be between -90 and 90"));
    }
    if !(-180.0..=180.0).contains(&a.address.lon) {
        return Err(ApiError::field(
            "address.lon",
            "must be between -180 and 180",
        ));
    }
    Ok(())
}

pub(crate) fn check_contact(c: &Contact) -> ApiResult<()> {
    if c.name.trim().is_empty() {
        return Err(ApiError::field("name", "must not be empty"));
    }
    if let Some(email) = &c.channels.email
        && !valid_email(email)
    {
        return Err(ApiError::field("channels.email", "not an e-mail address"));
    }
    Ok(())
}

pub(crate) fn check_topic(t: &Topic) -> ApiResult<()> {
    if t.title.trim().is_empty() {
        return Err(ApiError::field("title", "must not be empty"));
    }
    Ok(())
}

/// A plausible e-mail address: something@domain.tld, no spaces, at most 254 bytes.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

/// argon2 takes tens of milliseconds of CPU on purpose; keep it off the async workers.
pub(crate) async fn hash_in_background(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || crate::auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| match e {
            crate::auth::PasswordError::Hash(_) => ApiError::internal(e),
            other => ApiError::field("password", other.to_string()),
        })
}

// ---------------------------------------------------------------- touches

/// Checks a touch to log against the store and the caller's scope, and builds it.
pub(crate) async fn new_touch(state: &AppState, ctx: &Ctx, input: TouchDraft) -> ApiResult<Touch> {
    let (contact, account) = scoped_contact(state, ctx, input.contact)
        .await
        .map_err(|_| {
            ApiError::field(
                "contact",
                format!("no contact {} in your territories", input.contact),
            )
        })?;
    if input.note.chars().count() > 4000 {
        return Err(ApiError::field("note", "at most 4,000 characters"));
    }
    // The library is only needed to check named topics; most touches name none.
    let library: BTreeSet<i64> = if input.topics.is_empty() && input.explain_better.is_empty() {
        BTreeSet::new()
    } else {
        state
            .store()
            .topics(ctx.caller.org)
            .await?
            .iter()
            .map(|t| t.id.0)
            .collect()
    };
    for (field, ids) in [
        ("topics", &input.topics),
        ("explain_better", &input.explain_better),
    ] {
        if let Some((i, id)) = ids.iter().enumerate().find(|(_, id)| !library.contains(id)) {
            return Err(ApiError::field(
                format!("{field}[{i}]"),
                format!("no topic {id} in the library"),
            ));
        }
    }
    if let Some(step) = &input.next_step {
        let what = step.what.trim();
        if what.is_empty() || what.chars().count() > 500 {
            return Err(ApiError::field(
                "next_step.what",
                "say what the next step is, in 1 to 500 characters",
            ));
        }
    }
    let topics: Vec<TopicId> = input.topics.iter().map(|t| TopicId(*t)).collect();
    Ok(Touch {
        id: TouchId(state.store().next_id(ctx.caller.org, IdKind::Touch).await?),
        at: input.at.unwrap_or_else(|| state.now()),
        rep: ctx.caller.user.id,
        contact: contact.id,
        account: account.id,
        channel: input.channel,
        direction: input.direction,
        outcome: input.outcome,
        kind: input.kind,
        primary_topic: topics.first().copied(),
        topics,
        explain_better: input.explain_better.iter().map(|t| TopicId(*t)).collect(),
        next_step: input.next_step.map(|s| NextStep {
            what: s.what.trim().to_string(),
            due: s.due,
        }),
        callback_at: input.callback_at,
        note: input.note,
    })
}

// ---------------------------------------------------------------- plan and playbook

pub(crate) async fn plan_for(
    state: &AppState,
    ctx: &Ctx,
    rep: UserId,
    date: Date,
) -> ApiResult<planner::DayPlan> {
    let territory = state.store().territory(ctx.caller.org, rep).await?;
    let playbook = state.playbook().clone();
    // Planning (with the route search) is CPU work of tens of milliseconds.
    tokio::task::spawn_blocking(move || planner::plan(&territory, &playbook, rep, date))
        .await
        .map_err(ApiError::internal)
}

/// Every problem in a playbook file; none means it reads.
#[derive(Debug, Clone)]
pub(crate) struct PlaybookReport {
    pub problems: Vec<String>,
}

impl PlaybookReport {
    pub(crate) fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Eight times the default playbook; within the body limit even if every character
/// arrives as a six-byte JSON escape.
pub(crate) const MAX_PLAYBOOK_CHARS: usize = 32 * 1024;

pub(crate) fn check_playbook_text(toml: &str) -> PlaybookReport {
    match Playbook::from_toml(toml) {
        Ok(_) => PlaybookReport { problems: vec![] },
        Err(e) => PlaybookReport {
            problems: e.0.iter().map(|p| p.to_string()).collect(),
        },
    }
}

/// A 409: the record would clash with one that exists.
pub(crate) fn conflict(message: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, message)
}
