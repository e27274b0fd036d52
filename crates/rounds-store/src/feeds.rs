//! The plan in the rep's calendar on [`SqlStore`]: each user's calendar feed (the
//! SHA-256 of its secret only, like API tokens) and the busy times read from reps' own
//! calendars, which the territory read hands the planner in `RepCalendar::busy`.

use std::collections::BTreeSet;

use jiff::Timestamp;
use rounds_core::audit::{Change, body_digest};
use rounds_core::model::{BusyTime, OrgId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit;
use crate::sql::{SqlStore, commit, require};
use crate::{BusyChange, CalendarFeed, StoreError};

const FEED_COLUMNS: &str = "f.org_id, f.user_id, f.created_at";

fn feed_of(row: &AnyRow) -> Result<CalendarFeed, sqlx::Error> {
    Ok(CalendarFeed {
        org: OrgId(row.try_get(0)?),
        user: UserId(row.try_get(1)?),
        created_at: row.try_get(2)?,
    })
}

/// The columns [`busy_of`] reads.
pub(crate) const BUSY_COLUMNS: &str = "rep_id, source, uid, start_at, end_at, all_day";

pub(crate) fn busy_of(row: &AnyRow) -> Result<BusyTime, sqlx::Error> {
    let instant =
        |secs: i64| Timestamp::from_second(secs).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    Ok(BusyTime {
        rep: UserId(row.try_get(0)?),
        source: row.try_get(1)?,
        uid: row.try_get(2)?,
        start: instant(row.try_get(3)?)?,
        end: instant(row.try_get(4)?)?,
        all_day: row.try_get::<i64, _>(5)? != 0,
    })
}

/// The busy times of one rep, or of every rep, by start; read in the caller's
/// transaction.
pub(crate) async fn busy_in(
    conn: &mut AnyConnection,
    org: OrgId,
    rep: Option<UserId>,
) -> Result<Vec<BusyTime>, StoreError> {
    let rep_filter = if rep.is_some() {
        " AND rep_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {BUSY_COLUMNS} FROM busy_times WHERE org_id = $1{rep_filter} \
         ORDER BY rep_id, start_at, source, uid"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.0);
    if let Some(rep) = rep {
        query = query.bind(rep.0);
    }
    let rows = query
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::db("reading busy times"))?;
    rows.iter()
        .map(busy_of)
        .collect::<Result<_, _>>()
        .map_err(StoreError::db("reading busy times"))
}

/// What an audit row says of a set of busy times: their count and a digest of the
/// keys and times, so two rows of the same set read alike.
fn busy_digest(busy: &[BusyTime]) -> String {
    let text: Vec<String> = busy
        .iter()
        .map(|b| {
            format!(
                "{}\t{}\t{}\t{}\t{}",
                b.source,
                b.uid,
                b.start.as_second(),
                b.end.as_second(),
                b.all_day
            )
        })
        .collect();
    body_digest(&text.join("\n"))
}

impl SqlStore {
    pub(crate) async fn q_save_calendar_feed(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        created_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        require(&mut tx, org, "user", "users", user.0).await?;
        let before: Option<(i64,)> = sqlx::query_as(
            "DELETE FROM calendar_feeds WHERE org_id = $1 AND user_id = $2 RETURNING created_at",
        )
        .bind(org.0)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::db("replacing a calendar feed"))?;
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, org_id, user_id, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(org.0)
        .bind(user.0)
        .bind(created_at)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db("storing a calendar feed"))?;
        // The digest names the feed by its user and age, never by its secret.
        let digest = |at: i64| body_digest(&format!("{user}\t{at}"));
        let change = Change::write(
            "calendar-feed",
            user,
            before.map(|(at,)| digest(at)),
            Some(digest(created_at)),
        );
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "calendar_feeds").await
    }

    pub(crate) async fn q_calendar_feed(
        &self,
        token_hash: &str,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let mut conn = self.conn().await?;
        // A feed works while its user may sign in: a disabled user's plan is not served.
        // A user without a sign-in (a rep planned from the command line) keeps theirs.
        let sql = format!(
            "SELECT {FEED_COLUMNS} FROM calendar_feeds f \
             LEFT JOIN credentials c ON c.org_id = f.org_id AND c.user_id = f.user_id \
             WHERE f.token_hash = $1 AND (c.disabled IS NULL OR c.disabled = 0)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await
            .and_then(|row| row.as_ref().map(feed_of).transpose())
            .map_err(StoreError::db("looking up a calendar feed"))
    }

    pub(crate) async fn q_calendar_feed_of(
        &self,
        org: OrgId,
        user: UserId,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "SELECT {FEED_COLUMNS} FROM calendar_feeds f WHERE f.org_id = $1 AND f.user_id = $2"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org.0)
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await
            .and_then(|row| row.as_ref().map(feed_of).transpose())
            .map_err(StoreError::db("reading a calendar feed"))
    }

    pub(crate) async fn q_delete_calendar_feed(
        &self,
        org: OrgId,
        user: UserId,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let gone: Option<(i64,)> = sqlx::query_as(
            "DELETE FROM calendar_feeds WHERE org_id = $1 AND user_id = $2 RETURNING created_at",
        )
        .bind(org.0)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::db("revoking a calendar feed"))?;
        let Some((created_at,)) = gone else {
            return Ok(false);
        };
        let digest = body_digest(&format!("{user}\t{created_at}"));
        let change = Change::write("calendar-feed", user, Some(digest), None).named("revoke");
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "calendar_feeds").await?;
        Ok(true)
    }

    pub(crate) async fn q_replace_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: &str,
        from: Timestamp,
        to: Timestamp,
        busy: &[BusyTime],
    ) -> Result<BusyChange, StoreError> {
        let mut tx = self.write_tx().await?;
        require(&mut tx, org, "user", "users", rep.0).await?;
        // What the source holds within the window now; rows outside it (past days,
        // beyond the horizon) stay as they are.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {BUSY_COLUMNS} FROM busy_times WHERE org_id = $1 AND rep_id = $2 \
             AND source = $3 AND end_at > $4 AND start_at < $5 ORDER BY start_at, uid"
        )))
        .bind(org.0)
        .bind(rep.0)
        .bind(source)
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::db("reading busy times"))?;
        let held: Vec<BusyTime> = rows
            .iter()
            .map(busy_of)
            .collect::<Result<_, _>>()
            .map_err(StoreError::db("reading busy times"))?;
        let wanted: BTreeSet<&BusyTime> = busy.iter().collect();
        let have: BTreeSet<&BusyTime> = held.iter().collect();
        let removed: Vec<&BusyTime> = held.iter().filter(|b| !wanted.contains(b)).collect();
        let added: Vec<&BusyTime> = busy.iter().filter(|b| !have.contains(b)).collect();
        for b in &removed {
            delete_busy(&mut tx, org, rep, b, "removing a busy time").await?;
        }
        for b in &added {
            // A row of the same key outside the window (an event that grew into it)
            // gives way to the file's.
            delete_busy(&mut tx, org, rep, b, "replacing a busy time").await?;
            sqlx::query(
                "INSERT INTO busy_times (org_id, rep_id, source, uid, start_at, end_at, all_day) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org.0)
            .bind(rep.0)
            .bind(b.source.as_str())
            .bind(b.uid.as_str())
            .bind(b.start.as_second())
            .bind(b.end.as_second())
            .bind(i64::from(b.all_day))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("storing a busy time"))?;
        }
        let change = BusyChange {
            added: added.len(),
            removed: removed.len(),
            unchanged: busy.len() - added.len(),
        };
        if change.added + change.removed > 0 {
            // One row for the set: a calendar holds hundreds of stretches, and what the
            // log must show is that this rep's calendar was read again, and by whom.
            let key = format!("{rep}/{source}");
            let before = (!held.is_empty()).then(|| busy_digest(&held));
            let after = (!busy.is_empty()).then(|| busy_digest(busy));
            let row = Change::write("busy-times", key, before, after).with_detail(format!(
                "{} added, {} removed",
                change.added, change.removed
            ));
            audit::append(&mut tx, org, self.acting(), vec![row]).await?;
        }
        commit(tx, "busy_times").await?;
        Ok(change)
    }

    pub(crate) async fn q_clear_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: Option<&str>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let held: Vec<BusyTime> = busy_in(&mut tx, org, Some(rep))
            .await?
            .into_iter()
            .filter(|b| source.is_none_or(|s| b.source == s))
            .collect();
        if held.is_empty() {
            commit(tx, "busy_times").await?;
            return Ok(0);
        }
        let mut q = String::from("DELETE FROM busy_times WHERE org_id = $1 AND rep_id = $2");
        if source.is_some() {
            q.push_str(" AND source = $3");
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(q)).bind(org.0).bind(rep.0);
        if let Some(s) = source {
            query = query.bind(s.to_string());
        }
        let gone = query
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("clearing busy times"))?
            .rows_affected();
        let key = format!("{rep}/{}", source.unwrap_or("*"));
        let row = Change::write("busy-times", key, Some(busy_digest(&held)), None)
            .named("clear")
            .with_detail(format!("{gone} removed"));
        audit::append(&mut tx, org, self.acting(), vec![row]).await?;
        commit(tx, "busy_times").await?;
        Ok(gone)
    }
}

/// Deletes the stored busy time with `b`'s key (rep, calendar, event, start).
async fn delete_busy(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrgId,
    rep: UserId,
    b: &BusyTime,
    what: &'static str,
) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM busy_times WHERE org_id = $1 AND rep_id = $2 AND source = $3 \
         AND uid = $4 AND start_at = $5",
    )
    .bind(org.0)
    .bind(rep.0)
    .bind(b.source.as_str())
    .bind(b.uid.as_str())
    .bind(b.start.as_second())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::db(what))?;
    Ok(())
}
