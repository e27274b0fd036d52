//! The outbox on [`SqlStore`] (`0010_outbox`): messages from draft to sent, the
//! worker's lease, and the unsubscribe links' secrets (hashes only).
//!
//! A trait of its own rather than more methods on [`Store`](crate::Store): only the
//! SQL store sends mail, and the test doubles of the territory need none of it.
//!
//! Every change of a message is a conditional write: it lands only while the stored
//! state is the one the caller read, so a rep cancelling and the worker sending can
//! never both win, and marking a message sent (with its touch, in one transaction)
//! happens at most once.

use std::future::Future;

use jiff::Timestamp;
use rounds_core::audit::Change;
use rounds_core::model::{ContactId, OrgId, Touch, UserId};
use rounds_core::sending::{OutboxId, OutboxMessage, OutboxState};
use sqlx::{AssertSqlSafe, Row};

use crate::StoreError;
use crate::audit::{self, body_of, change_of};
use crate::sql::{SqlStore, commit, require};
use crate::tables::{Binder, OnConflict, Stored, Table, decode, insert_rows};

impl Stored for OutboxMessage {
    const TABLE: Table = Table {
        name: "outbox",
        what: "outbox message",
        columns: &[
            "id",
            "author_id",
            "contact_id",
            "state",
            "not_before",
            "body",
        ],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
        b.add(self.author.0);
        b.add(self.contact.0);
        b.add(self.state.as_str());
        b.add(self.not_before.map_or(0, |t| t.as_second()));
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "outbox";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

/// Where an unsubscribe link leads: the organisation and contact it opts out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsubscribeTarget {
    pub org: OrgId,
    pub contact: ContactId,
    pub outbox: OutboxId,
}

pub trait Outbox {
    /// Stores a new message (its id from `next_id(IdKind::Outbox)`); its author and
    /// contact must exist.
    fn add_outbox(
        &self,
        org: OrgId,
        message: &OutboxMessage,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn outbox_message(
        &self,
        org: OrgId,
        id: OutboxId,
    ) -> impl Future<Output = Result<Option<OutboxMessage>, StoreError>> + Send;

    /// Messages by id, of these authors only when given, in these states only when
    /// given.
    fn outbox_messages(
        &self,
        org: OrgId,
        authors: Option<&[UserId]>,
        states: Option<&[OutboxState]>,
    ) -> impl Future<Output = Result<Vec<OutboxMessage>, StoreError>> + Send;

    /// Writes `message` over the stored one only while the stored state is `expected`;
    /// `false` (nothing written) when another writer moved it first.
    fn update_outbox(
        &self,
        org: OrgId,
        message: &OutboxMessage,
        expected: OutboxState,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Marks a `sending` message sent and adds its touch, in one transaction: `false`
    /// and nothing written when it is no longer `sending` (it was logged already).
    fn outbox_sent(
        &self,
        org: OrgId,
        message: &OutboxMessage,
        touch: &Touch,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Takes or renews the organisation's sending lease for `holder` until `until`:
    /// `true` if `holder` now holds it, `false` while another's has not expired at `now`.
    fn take_outbox_lease(
        &self,
        org: OrgId,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Gives the lease up (a worker leaving cleanly), if `holder` holds it.
    fn release_outbox_lease(
        &self,
        org: OrgId,
        holder: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores the hash of an unsubscribe link's secret for `message`'s contact.
    fn add_unsubscribe_token(
        &self,
        org: OrgId,
        token_hash: &str,
        message: &OutboxMessage,
        created_at: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Where the link with this secret's hash leads, in any organisation.
    fn unsubscribe_target(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<UnsubscribeTarget>, StoreError>> + Send;
}

impl Outbox for SqlStore {
    async fn add_outbox(&self, org: OrgId, message: &OutboxMessage) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        require(&mut tx, org, "user", "users", message.author.0).await?;
        require(&mut tx, org, "contact", "contacts", message.contact.0).await?;
        insert_rows(
            &mut tx,
            self.backend(),
            org.0,
            std::slice::from_ref(message),
            OnConflict::Fail,
        )
        .await?;
        let after = body_of(&mut tx, org, message).await?;
        let change = change_of(message, None, after);
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "outbox").await
    }

    async fn outbox_message(
        &self,
        org: OrgId,
        id: OutboxId,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT id, body FROM outbox WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::db("reading the outbox"))?;
        row.map(|r| decode("outbox", &r)).transpose()
    }

    async fn outbox_messages(
        &self,
        org: OrgId,
        authors: Option<&[UserId]>,
        states: Option<&[OutboxState]>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut sql = String::from("SELECT id, body FROM outbox WHERE org_id = $1");
        let mut b = Binder::new(1 + authors.map_or(0, <[_]>::len) + states.map_or(0, <[_]>::len));
        b.add(org.0);
        let mut n = 1;
        let mut list = |sql: &mut String, column: &str, count: usize| {
            let marks: Vec<String> = (0..count)
                .map(|_| {
                    n += 1;
                    format!("${n}")
                })
                .collect();
            if marks.is_empty() {
                sql.push_str(" AND 1 = 0");
            } else {
                sql.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
            }
        };
        if let Some(authors) = authors {
            list(&mut sql, "author_id", authors.len());
            for a in authors {
                b.add(a.0);
            }
        }
        if let Some(states) = states {
            list(&mut sql, "state", states.len());
            for s in states {
                b.add(s.as_str());
            }
        }
        sql.push_str(" ORDER BY id");
        let args = b
            .finish()
            .map_err(StoreError::db("encoding the outbox filter"))?;
        let mut conn = self.conn().await?;
        let rows = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::db("reading the outbox"))?;
        rows.iter().map(|r| decode("outbox", r)).collect()
    }

    async fn update_outbox(
        &self,
        org: OrgId,
        message: &OutboxMessage,
        expected: OutboxState,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(change) = conditional_update(&mut tx, org, message, expected).await? else {
            return Ok(false);
        };
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "outbox").await?;
        Ok(true)
    }

    async fn outbox_sent(
        &self,
        org: OrgId,
        message: &OutboxMessage,
        touch: &Touch,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(change) = conditional_update(&mut tx, org, message, OutboxState::Sending).await?
        else {
            return Ok(false);
        };
        insert_rows(
            &mut tx,
            self.backend(),
            org.0,
            std::slice::from_ref(touch),
            OnConflict::Fail,
        )
        .await?;
        let touch_change = change_of(touch, None, body_of(&mut tx, org, touch).await?);
        audit::append(&mut tx, org, self.acting(), vec![change, touch_change]).await?;
        commit(tx, "outbox").await?;
        Ok(true)
    }

    async fn take_outbox_lease(
        &self,
        org: OrgId,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        // One statement: a free organisation gets a row; a held one changes hands only
        // when its holder renews or its time ran out. Whoever's write lands holds it.
        let taken = sqlx::query(
            "INSERT INTO outbox_leases (org_id, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id) DO UPDATE SET holder = excluded.holder, \
             expires_at = excluded.expires_at \
             WHERE outbox_leases.holder = excluded.holder OR outbox_leases.expires_at <= $4",
        )
        .bind(org.0)
        .bind(holder)
        .bind(until.as_second())
        .bind(now.as_second())
        .execute(&mut *self.conn().await?)
        .await
        .map_err(StoreError::db("taking the outbox lease"))?
        .rows_affected();
        Ok(taken == 1)
    }

    async fn release_outbox_lease(&self, org: OrgId, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outbox_leases WHERE org_id = $1 AND holder = $2")
            .bind(org.0)
            .bind(holder)
            .execute(&mut *self.conn().await?)
            .await
            .map_err(StoreError::db("releasing the outbox lease"))?;
        Ok(())
    }

    async fn add_unsubscribe_token(
        &self,
        org: OrgId,
        token_hash: &str,
        message: &OutboxMessage,
        created_at: Timestamp,
    ) -> Result<(), StoreError> {
        // Not a change of the territory (like a session): the opt-out it may later
        // record is, and is logged then.
        sqlx::query(
            "INSERT INTO unsubscribe_tokens (token_hash, org_id, contact_id, outbox_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(org.0)
        .bind(message.contact.0)
        .bind(message.id.0)
        .bind(created_at.as_second())
        .execute(&mut *self.conn().await?)
        .await
        .map_err(StoreError::db("storing an unsubscribe link"))?;
        Ok(())
    }

    async fn unsubscribe_target(
        &self,
        token_hash: &str,
    ) -> Result<Option<UnsubscribeTarget>, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(
            "SELECT org_id, contact_id, outbox_id FROM unsubscribe_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::db("looking up an unsubscribe link"))?;
        row.map(|r| {
            Ok(UnsubscribeTarget {
                org: OrgId(r.try_get(0)?),
                contact: ContactId(r.try_get(1)?),
                outbox: OutboxId(r.try_get(2)?),
            })
        })
        .transpose()
        .map_err(StoreError::db("looking up an unsubscribe link"))
    }
}

/// Rewrites `message`'s row only while its stored state is `expected`; the audit
/// change if it did.
async fn conditional_update(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    message: &OutboxMessage,
    expected: OutboxState,
) -> Result<Option<Change>, StoreError> {
    use crate::body::Body;
    let before = body_of(conn, org, message).await?;
    let body = message.to_body().map_err(|source| StoreError::Encode {
        what: "outbox message",
        id: message.id.to_string(),
        source,
    })?;
    let changed = sqlx::query(
        "UPDATE outbox SET state = $3, not_before = $4, body = $5 \
         WHERE org_id = $1 AND id = $2 AND state = $6",
    )
    .bind(org.0)
    .bind(message.id.0)
    .bind(message.state.as_str())
    .bind(message.not_before.map_or(0, |t| t.as_second()))
    .bind(body)
    .bind(expected.as_str())
    .execute(&mut *conn)
    .await
    .map_err(StoreError::db(format!(
        "updating outbox message {}",
        message.id
    )))?
    .rows_affected();
    if changed == 0 {
        return Ok(None);
    }
    let after = body_of(conn, org, message).await?;
    Ok(Some(
        change_of(message, before, after).with_detail(message.state.as_str()),
    ))
}
