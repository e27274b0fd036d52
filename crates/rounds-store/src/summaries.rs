//! Stored rep summaries (`0013_rep_summaries`): one row per rep and day with the JSON
//! body of a [`RepSummary`]. Derived from the records, so writing one is not audited and
//! a newer computation replaces the row; the Team page and the reports read a page of
//! them instead of planning every rep.
//!
//! A trait of its own, like the ledger: the test doubles of the territory need none of it.

use std::future::Future;

use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{OrgId, UserId};
use rounds_core::reports::RepSummary;
use sqlx::{AssertSqlSafe, Row};

use crate::sql::{SqlStore, commit};
use crate::tables::Binder;
use crate::{BodyError, StoreError};

/// A stored summary and when it was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSummary {
    pub computed_at: Timestamp,
    pub summary: RepSummary,
}

pub trait Summaries {
    /// Stores `summaries` (each for its own rep and day) in one transaction, replacing any
    /// stored for the same rep and day.
    fn put_summaries(
        &self,
        org: OrgId,
        summaries: &[RepSummary],
        computed_at: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The summaries stored for `day` of those of `reps` that have one, by rep id.
    fn summaries(
        &self,
        org: OrgId,
        day: Date,
        reps: &[UserId],
    ) -> impl Future<Output = Result<Vec<StoredSummary>, StoreError>> + Send;

    /// Deletes the summaries of days before `before`; how many rows went.
    fn prune_summaries(
        &self,
        org: OrgId,
        before: Date,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Reps per `IN (…)` list: well under both backends' limits on bound parameters.
const CHUNK: usize = 500;

impl Summaries for SqlStore {
    async fn put_summaries(
        &self,
        org: OrgId,
        summaries: &[RepSummary],
        computed_at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for s in summaries {
            let body = serde_json::to_string(s).map_err(|e| StoreError::Encode {
                what: "rep summary",
                id: format!("{}/{}", s.rep, s.day),
                source: e,
            })?;
            sqlx::query(
                "INSERT INTO rep_summaries (org_id, rep_id, day, computed_at, body) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (org_id, day, rep_id) DO UPDATE SET \
                 computed_at = excluded.computed_at, body = excluded.body",
            )
            .bind(org.0)
            .bind(s.rep.0)
            .bind(s.day.to_string())
            .bind(computed_at.to_string())
            .bind(body)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e.as_database_error() {
                Some(d) if d.is_foreign_key_violation() => StoreError::NotFound {
                    what: "user",
                    id: s.rep.0,
                },
                _ => StoreError::Database {
                    doing: format!("storing the summary of rep {} for {}", s.rep, s.day).into(),
                    source: e,
                },
            })?;
        }
        commit(tx, "rep summaries").await
    }

    async fn summaries(
        &self,
        org: OrgId,
        day: Date,
        reps: &[UserId],
    ) -> Result<Vec<StoredSummary>, StoreError> {
        let mut out = Vec::with_capacity(reps.len());
        let mut conn = self.conn().await?;
        for chunk in reps.chunks(CHUNK) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT rep_id, computed_at, body FROM rep_summaries \
                 WHERE org_id = $1 AND day = $2 AND rep_id IN ({}) ORDER BY rep_id",
                marks.join(", ")
            );
            let mut b = Binder::new(chunk.len() + 2);
            b.add(org.0);
            b.add(day.to_string());
            for r in chunk {
                b.add(r.0);
            }
            let args = b
                .finish()
                .map_err(StoreError::db("encoding a summary query"))?;
            let rows = sqlx::query_with(AssertSqlSafe(sql), args)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::db("reading rep summaries"))?;
            for row in rows {
                out.push(decode(&row)?);
            }
        }
        out.sort_by_key(|s| s.summary.rep);
        Ok(out)
    }

    async fn prune_summaries(&self, org: OrgId, before: Date) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let gone = sqlx::query("DELETE FROM rep_summaries WHERE org_id = $1 AND day < $2")
            .bind(org.0)
            .bind(before.to_string())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db("pruning rep summaries"))?
            .rows_affected();
        commit(tx, "rep summaries").await?;
        Ok(gone)
    }
}

fn decode(row: &sqlx::any::AnyRow) -> Result<StoredSummary, StoreError> {
    let rep: i64 = row
        .try_get(0)
        .map_err(StoreError::db("reading a rep summary"))?;
    let corrupt = |field: &'static str, problem: String| StoreError::Corrupt {
        table: "rep_summaries",
        id: rep,
        source: BodyError::Field { field, problem },
    };
    let at: String = row
        .try_get(1)
        .map_err(StoreError::db("reading a rep summary"))?;
    let body: String = row
        .try_get(2)
        .map_err(StoreError::db("reading a rep summary"))?;
    Ok(StoredSummary {
        computed_at: at
            .parse()
            .map_err(|e| corrupt("computed_at", format!("`{at}`: {e}")))?,
        summary: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
            table: "rep_summaries",
            id: rep,
            source: BodyError::Json(e),
        })?,
    })
}
