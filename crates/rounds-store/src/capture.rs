//! Captured mail on [`SqlStore`] (`0011_capture`): `captured_mail`, one row per
//! Message-ID, which makes a second capture of a message a no-op, and `capture_review`,
//! the parties no contact (or several) matched.
//!
//! A capture is one transaction: the Message-ID's row is inserted first (`ON CONFLICT
//! DO NOTHING`, so of two captures at once the second finds it and writes nothing),
//! then the touches, the steps they complete and the review items, then the audit rows.

use jiff::Timestamp;
use rounds_core::audit::{Change, body_digest};
use rounds_core::capture::{ReviewEntry, ReviewState};
use rounds_core::model::{ContactId, OrgId, StepUpdate, Touch, TouchId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, body_of, change_of};
use crate::sql::{SqlStore, commit, require};
use crate::tables::{OnConflict, insert_rows};
use crate::{CaptureWrite, NewReview, ReviewItem, ReviewResolution, StoreError};

const REVIEW_COLUMNS: &str = "id, received_at, message_id, user_id, summary, reason, state, \
    contact_id, touch_id";

fn review_of(row: &AnyRow) -> Result<ReviewItem, sqlx::Error> {
    let decode = |e: String| sqlx::Error::Decode(e.into());
    let summary: String = row.try_get(4)?;
    let reason: String = row.try_get(5)?;
    let state: String = row.try_get(6)?;
    Ok(ReviewItem {
        id: row.try_get(0)?,
        received_at: Timestamp::from_second(row.try_get(1)?).map_err(|e| decode(e.to_string()))?,
        message_id: row.try_get(2)?,
        user: row.try_get::<Option<i64>, _>(3)?.map(UserId),
        entry: serde_json::from_str(&summary).map_err(|e| decode(e.to_string()))?,
        reason: serde_json::from_str(&reason).map_err(|e| decode(e.to_string()))?,
        state: state
            .parse()
            .map_err(|e: rounds_core::model::InvalidValue| decode(e.0))?,
        contact: row.try_get::<Option<i64>, _>(7)?.map(ContactId),
        touch: row.try_get::<Option<i64>, _>(8)?.map(TouchId),
    })
}

/// What an audit row says of a review item: its state and the mail and party it holds.
fn review_digest(message_id: &str, entry: &ReviewEntry, state: ReviewState) -> String {
    let party = entry
        .party
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    body_digest(&format!("{message_id}\t{party}\t{}", state.as_str()))
}

fn touch_list(touches: &[TouchId]) -> String {
    touches
        .iter()
        .map(|t| t.0.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes touches (checked like `add_touch`) and step updates inside `tx`, returning
/// their audit rows.
async fn write_touches(
    store: &SqlStore,
    tx: &mut AnyConnection,
    org: OrgId,
    touches: &[Touch],
    steps: &[StepUpdate],
) -> Result<Vec<Change>, StoreError> {
    let mut changes = Vec::new();
    for touch in touches {
        let belongs_to: Option<i64> =
            sqlx::query("SELECT account_id FROM contacts WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(touch.contact.0)
                .fetch_optional(&mut *tx)
                .await
                .and_then(|row| row.map(|r| r.try_get(0)).transpose())
                .map_err(StoreError::db(format!(
                    "looking up contact {}",
                    touch.contact
                )))?;
        match belongs_to {
            None => {
                return Err(StoreError::NotFound {
                    what: "contact",
                    id: touch.contact.0,
                });
            }
            Some(a) if a != touch.account.0 => {
                return Err(StoreError::AccountMismatch {
                    contact: touch.contact.0,
                    belongs_to: a,
                    claimed: touch.account.0,
                });
            }
            Some(_) => {}
        }
        require(tx, org, "user", "users", touch.rep.0).await?;
    }
    insert_rows(tx, store.backend(), org.0, touches, OnConflict::Fail).await?;
    for touch in touches {
        changes.push(change_of(touch, None, body_of(tx, org, touch).await?));
    }
    insert_rows(tx, store.backend(), org.0, steps, OnConflict::Fail).await?;
    for step in steps {
        changes.push(change_of(step, None, body_of(tx, org, step).await?));
    }
    Ok(changes)
}

async fn insert_review(
    tx: &mut AnyConnection,
    org: OrgId,
    at: Timestamp,
    message_id: &str,
    item: &NewReview,
) -> Result<Change, StoreError> {
    let encode = |source| StoreError::Encode {
        what: "capture review item",
        id: item.id.to_string(),
        source,
    };
    let summary = serde_json::to_string(&item.entry).map_err(encode)?;
    let reason = serde_json::to_string(&item.reason).map_err(encode)?;
    sqlx::query(
        "INSERT INTO capture_review (org_id, id, received_at, message_id, user_id, summary, \
         reason, state, contact_id, touch_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
    )
    .bind(org.0)
    .bind(item.id)
    .bind(at.as_second())
    .bind(message_id)
    .bind(item.user.map(|u| u.0))
    .bind(summary)
    .bind(reason)
    .bind(ReviewState::Open.as_str())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::db("adding to the capture review list"))?;
    Ok(Change::write(
        "capture-review",
        item.id,
        None,
        Some(review_digest(message_id, &item.entry, ReviewState::Open)),
    ))
}

impl SqlStore {
    pub(crate) async fn q_captured_mail(
        &self,
        org: OrgId,
        message_id: &str,
    ) -> Result<Option<Vec<TouchId>>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT touches FROM captured_mail WHERE org_id = $1 AND message_id = $2",
        )
        .bind(org.0)
        .bind(message_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::db("looking up a captured message"))?;
        Ok(row.map(|(list,)| {
            list.split_whitespace()
                .filter_map(|t| t.parse().ok().map(TouchId))
                .collect()
        }))
    }

    pub(crate) async fn q_write_capture(
        &self,
        org: OrgId,
        capture: &CaptureWrite,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let ids: Vec<TouchId> = capture.touches.iter().map(|t| t.id).collect();
        let inserted = sqlx::query(
            "INSERT INTO captured_mail (org_id, message_id, captured_at, touches) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, message_id) DO NOTHING",
        )
        .bind(org.0)
        .bind(capture.message_id.as_str())
        .bind(capture.at.as_second())
        .bind(touch_list(&ids))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db("recording a captured message"))?
        .rows_affected();
        if inserted == 0 {
            // Captured before (or by a capture that committed while this one waited).
            tx.rollback()
                .await
                .map_err(StoreError::db("rolling back a duplicate capture"))?;
            return Ok(false);
        }
        let mut changes =
            write_touches(self, &mut tx, org, &capture.touches, &capture.steps).await?;
        for item in &capture.review {
            changes.push(insert_review(&mut tx, org, capture.at, &capture.message_id, item).await?);
        }
        audit::append(&mut tx, org, self.acting(), changes).await?;
        commit(tx, "captured_mail").await?;
        Ok(true)
    }

    pub(crate) async fn q_review_items(
        &self,
        org: OrgId,
        state: Option<ReviewState>,
    ) -> Result<Vec<ReviewItem>, StoreError> {
        let mut conn = self.conn().await?;
        let filter = if state.is_some() {
            " AND state = $2"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM capture_review WHERE org_id = $1{filter} ORDER BY id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.0);
        if let Some(state) = state {
            query = query.bind(state.as_str());
        }
        let rows = query
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::db("reading the capture review list"))?;
        rows.iter()
            .map(review_of)
            .collect::<Result<_, _>>()
            .map_err(StoreError::db("reading the capture review list"))
    }

    pub(crate) async fn q_review_item(
        &self,
        org: OrgId,
        id: i64,
    ) -> Result<Option<ReviewItem>, StoreError> {
        let mut conn = self.conn().await?;
        let sql =
            format!("SELECT {REVIEW_COLUMNS} FROM capture_review WHERE org_id = $1 AND id = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org.0)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .and_then(|row| row.as_ref().map(review_of).transpose())
            .map_err(StoreError::db("reading a capture review item"))
    }

    pub(crate) async fn q_resolve_review(
        &self,
        org: OrgId,
        id: i64,
        resolution: &ReviewResolution,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let (state, contact, touch) = match resolution {
            ReviewResolution::Assign { touch, .. } => (
                ReviewState::Assigned,
                Some(touch.contact.0),
                Some(touch.id.0),
            ),
            ReviewResolution::Dismiss => (ReviewState::Dismissed, None, None),
        };
        // Only an open item moves, so two people resolving it at once cannot both.
        let row: Option<(String, String)> = sqlx::query_as(
            "UPDATE capture_review SET state = $3, contact_id = $4, touch_id = $5 \
             WHERE org_id = $1 AND id = $2 AND state = 'open' RETURNING message_id, summary",
        )
        .bind(org.0)
        .bind(id)
        .bind(state.as_str())
        .bind(contact)
        .bind(touch)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::db("resolving a capture review item"))?;
        let Some((message_id, summary)) = row else {
            return Ok(false);
        };
        let entry: ReviewEntry =
            serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt {
                table: "capture_review",
                id,
                source: crate::BodyError::Json(e),
            })?;
        let mut changes = Vec::new();
        if let ReviewResolution::Assign { touch, step } = resolution {
            changes = write_touches(
                self,
                &mut tx,
                org,
                std::slice::from_ref(&**touch),
                step.as_slice(),
            )
            .await?;
            // The touch answers to its Message-ID too, so a reply to it finds its step.
            let (list,): (String,) = sqlx::query_as(
                "SELECT touches FROM captured_mail WHERE org_id = $1 AND message_id = $2",
            )
            .bind(org.0)
            .bind(message_id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::db("reading a captured message"))?;
            let joined = if list.is_empty() {
                touch.id.0.to_string()
            } else {
                format!("{list} {}", touch.id.0)
            };
            sqlx::query(
                "UPDATE captured_mail SET touches = $3 WHERE org_id = $1 AND message_id = $2",
            )
            .bind(org.0)
            .bind(message_id.as_str())
            .bind(joined)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("linking a touch to its message"))?;
        }
        changes.push(Change::write(
            "capture-review",
            id,
            Some(review_digest(&message_id, &entry, ReviewState::Open)),
            Some(review_digest(&message_id, &entry, state)),
        ));
        audit::append(&mut tx, org, self.acting(), changes).await?;
        commit(tx, "capture_review").await?;
        Ok(true)
    }
}
