//! The plan in the rep's own calendar: the iCalendar feed (a secret address per user,
//! made, shown once and revoked), the one-off export, and the busy times read from the
//! rep's calendar export, which the planner keeps free.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rounds_core::export::Problem;
use rounds_core::ics::{self, BusyOptions, BusyRead, CalendarMeta};
use rounds_core::model::{BusyTime, OrgId, Territory, TzName, UserId};
use rounds_core::playbook::Playbook;
use rounds_store::{BusyChange, CalendarFeed, Store};

use crate::people::self_or_admin;
use crate::{Actor, AppError, Result};

/// Working days a feed or an export covers unless told otherwise.
pub const DEFAULT_DAYS: usize = 14;

/// The most working days one calendar covers: each later day is a forecast.
pub const MAX_DAYS: usize = 60;

/// How far ahead busy times are read from a calendar file (repeating events expanded),
/// in days from today; the past is not read at all.
pub const BUSY_HORIZON_DAYS: i64 = 120;

/// A feed just made: the secret goes into the address and is never shown again.
#[derive(Debug, Clone)]
pub struct NewFeed {
    pub secret: String,
    pub feed: CalendarFeed,
}

/// The path of a feed's address on the web server.
pub fn feed_path(secret: &str) -> String {
    format!("/calendar/{secret}.ics")
}

/// Makes `user`'s calendar feed (the actor's own, or anyone's for administrators and
/// the operator), replacing the one before, whose address stops working.
pub async fn new_calendar_feed<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    user: UserId,
    now: Timestamp,
) -> Result<NewFeed> {
    let target = self_or_admin(actor, user, "make calendar feeds for other users")?;
    let secret = crate::auth::new_secret();
    let hash = crate::auth::secret_hash(&secret);
    store
        .save_calendar_feed(actor.org, target.id, &hash, now.as_second())
        .await?;
    Ok(NewFeed {
        secret,
        feed: CalendarFeed {
            org: actor.org,
            user: target.id,
            created_at: now.as_second(),
        },
    })
}

/// `user`'s feed, if they have one (never its secret, which is not stored).
pub async fn calendar_feed_of<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    user: UserId,
) -> Result<Option<CalendarFeed>> {
    let target = self_or_admin(actor, user, "see other users' calendar feeds")
        .map_err(|_| AppError::not_found("user", user))?;
    Ok(store.calendar_feed_of(actor.org, target.id).await?)
}

/// Revokes `user`'s feed: its address answers 404 from now on.
pub async fn revoke_calendar_feed<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    user: UserId,
) -> Result<()> {
    let target = self_or_admin(actor, user, "revoke other users' calendar feeds")?;
    if !store.delete_calendar_feed(actor.org, target.id).await? {
        return Err(AppError::not_found(
            "calendar feed",
            format!("of user {user}"),
        ));
    }
    Ok(())
}

/// The feed whose address holds `secret`, with the territory its plan is made from;
/// `None` for an unknown or revoked secret (no actor: the secret is the credential).
pub async fn feed_territory<S: Store + Sync>(
    store: &S,
    secret: &str,
) -> Result<Option<(CalendarFeed, Territory)>> {
    // A secret is 64 hex digits; anything else is not looked up at all.
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = crate::auth::secret_hash(&secret.to_ascii_lowercase());
    let Some(feed) = store.calendar_feed(&hash).await? else {
        return Ok(None);
    };
    let territory = store.territory(feed.org, feed.user).await?;
    Ok(Some((feed, territory)))
}

/// The zone a rep's day is reckoned in: the zone most of their accounts are in (ties to
/// the first by name), UTC for a rep without accounts.
pub fn home_zone(territory: &Territory, rep: UserId) -> TzName {
    let mut counts: std::collections::BTreeMap<&TzName, usize> = Default::default();
    for a in territory.accounts.iter().filter(|a| a.rep == rep) {
        *counts.entry(&a.tz).or_default() += 1;
    }
    let best = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    match best {
        Some((tz, _)) => (*tz).clone(),
        None => "UTC"
            .parse()
            .unwrap_or_else(|_| unreachable!("UTC is a zone")),
    }
}

/// The rep's day at `now`, in their home zone.
pub fn rep_today(territory: &Territory, rep: UserId, now: Timestamp) -> Date {
    home_zone(territory, rep).zone().to_datetime(now).date()
}

/// The calendar of `rep`'s next `days` working days from `from`, as iCalendar text.
/// CPU-bound (one plan a day): a server runs it off its async workers.
pub fn calendar_text(
    territory: &Territory,
    pb: &Playbook,
    org: OrgId,
    rep: UserId,
    from: Date,
    days: usize,
    now: Timestamp,
) -> String {
    let plans = ics::plan_days(territory, pb, rep, from, days.min(MAX_DAYS));
    let meta = CalendarMeta {
        org,
        rep,
        name: "Rounds plan",
        now,
        today: from,
    };
    ics::plan_calendar(&plans, &territory.accounts, &meta)
}

/// Checks a number of working days given by a caller.
pub fn check_days(days: usize) -> Result<usize> {
    if days == 0 || days > MAX_DAYS {
        return Err(AppError::invalid(
            "days",
            format!("give 1 to {MAX_DAYS} working days"),
        ));
    }
    Ok(days)
}

/// The one-off export: `rep`'s calendar for `days` working days from `from`.
pub async fn export_calendar<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    pb: &Playbook,
    rep: UserId,
    from: Date,
    days: usize,
    now: Timestamp,
) -> Result<String> {
    let days = check_days(days)?;
    let territory = crate::plan::territory_for(store, actor, rep).await?;
    Ok(calendar_text(
        &territory, pb, actor.org, rep, from, days, now,
    ))
}

/// A calendar file to read busy times from.
#[derive(Debug, Clone)]
pub struct BusyInput {
    pub rep: UserId,
    /// The file's name: busy times are kept per file, so importing it again replaces
    /// what it held and leaves another calendar's alone.
    pub source: String,
    pub text: String,
    /// The zone of floating times and all-day events; the rep's home zone if `None`.
    pub zone: Option<TzName>,
    /// The first day read (the rep's today at `now` if `None`); the horizon runs
    /// [`BUSY_HORIZON_DAYS`] from its start.
    pub from: Option<Date>,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct BusyImport {
    pub read: BusyRead,
    pub change: BusyChange,
    pub zone: TzName,
    pub from: Timestamp,
    pub to: Timestamp,
}

/// The rep `rep` if the actor may change their calendar; otherwise a problem on `rep`.
fn rep_in_scope(actor: &Actor, rep: UserId) -> Result<()> {
    match actor.scope.user(rep) {
        Some(_) if actor.scope.sees_rep(rep) => Ok(()),
        _ => Err(AppError::invalid(
            "rep",
            format!("no rep {rep} in your territories"),
        )),
    }
}

/// Reads a calendar file's busy times from the start of the first day (the rep's today) over
/// [`BUSY_HORIZON_DAYS`] and stores them for the rep, replacing what the same file held
/// in that window. A file with problems writes nothing and names each problem's line.
pub async fn import_busy<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: BusyInput,
    now: Timestamp,
) -> Result<BusyImport> {
    rep_in_scope(actor, input.rep)?;
    let source = input.source.trim();
    if source.is_empty() || source.len() > 200 || source.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "source",
            "name the calendar (its file name, 1 to 200 characters)",
        ));
    }
    let territory = store.territory(actor.org, input.rep).await?;
    let zone = match input.zone {
        Some(z) => z,
        None => home_zone(&territory, input.rep),
    };
    let today = input
        .from
        .unwrap_or_else(|| zone.zone().to_datetime(now).date());
    let from = today
        .to_zoned(zone.zone())
        .map(|z| z.timestamp())
        .unwrap_or(now);
    let to = from
        .checked_add(SignedDuration::from_hours(24 * BUSY_HORIZON_DAYS))
        .unwrap_or(from);
    let opts = BusyOptions {
        rep: input.rep,
        source: source.to_string(),
        home: zone.clone(),
        from,
        to,
    };
    let read = ics::read_busy(&input.text, &opts).map_err(|problems| AppError::Import {
        total: problems.len(),
        problems: problems
            .into_iter()
            .map(|p| Problem {
                line: p.line,
                field: p.field,
                message: p.message,
            })
            .collect(),
    })?;
    let change = store
        .replace_busy_times(actor.org, input.rep, source, (from, to), &read.busy)
        .await?;
    Ok(BusyImport {
        read,
        change,
        zone,
        from,
        to,
    })
}

/// A rep's busy times, by start.
pub async fn list_busy<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    rep: UserId,
) -> Result<Vec<BusyTime>> {
    rep_in_scope(actor, rep)?;
    Ok(store.busy_times(actor.org, rep).await?)
}

/// Forgets a rep's busy times, of one file or all; how many went.
pub async fn clear_busy<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    rep: UserId,
    source: Option<&str>,
) -> Result<u64> {
    rep_in_scope(actor, rep)?;
    Ok(store.clear_busy_times(actor.org, rep, source).await?)
}
