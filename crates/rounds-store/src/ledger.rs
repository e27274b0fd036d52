//! The transfer-of-value ledger (P14) on [`SqlStore`] (`0012_ledger`): one row per
//! transfer with its JSON body, and a row per contact present.
//!
//! A trait of its own rather than more methods on [`Store`](crate::Store), like the
//! outbox: the test doubles of the territory need none of it. Transfers are never
//! deleted; a transfer recorded in error is voided, once, by a conditional write.

use std::future::Future;

use rounds_core::ledger::Transfer;
use rounds_core::model::{AccountId, OrgId, TransferId, UserId};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::StoreError;
use crate::audit::{self, body_of, change_of};
use crate::sql::{SqlStore, commit, require};
use crate::tables::{Binder, OnConflict, Stored, Table, decode, insert_rows};

impl Stored for Transfer {
    const TABLE: Table = Table {
        name: "transfers",
        what: "transfer",
        columns: &["id", "account_id", "day", "voided", "body"],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
        b.add(self.account.0);
        b.add(self.date.to_string());
        b.add(i64::from(self.is_void()));
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "transfer";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

/// Which transfers [`Ledger::transfers`] lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransferQuery<'a> {
    /// Only at accounts of these reps (`None`: any rep), by the account's rep now.
    pub reps: Option<&'a [UserId]>,
    pub account: Option<AccountId>,
    /// Only those dated in this calendar year.
    pub year: Option<i16>,
    /// Voided transfers too.
    pub include_void: bool,
}

pub trait Ledger {
    /// Records a new transfer (its id from `next_id(IdKind::Transfer)`): its account and
    /// rep must exist, and every attendee must be a contact of that account
    /// (`AccountMismatch` otherwise); an id already used is refused (`Duplicate`).
    fn add_transfer(
        &self,
        org: OrgId,
        transfer: &Transfer,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One transfer, if its account's rep is one of `reps` (`None`: any rep): one
    /// query, like the scoped reads of [`Store`](crate::Store).
    fn transfer(
        &self,
        org: OrgId,
        id: TransferId,
        reps: Option<&[UserId]>,
    ) -> impl Future<Output = Result<Option<Transfer>, StoreError>> + Send;

    /// Transfers by date, then id.
    fn transfers(
        &self,
        org: OrgId,
        query: &TransferQuery<'_>,
    ) -> impl Future<Output = Result<Vec<Transfer>, StoreError>> + Send;

    /// Writes `voided` (the stored transfer with its `void` set) over the stored one,
    /// only while that one is not voided yet: `false`, and nothing written, otherwise.
    fn void_transfer(
        &self,
        org: OrgId,
        voided: &Transfer,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

impl Ledger for SqlStore {
    async fn add_transfer(&self, org: OrgId, transfer: &Transfer) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        require(&mut tx, org, "account", "accounts", transfer.account.0).await?;
        require(&mut tx, org, "user", "users", transfer.rep.0).await?;
        for a in &transfer.attendees {
            check_attendee(&mut tx, org, a.contact.0, transfer.account.0).await?;
        }
        insert_rows(
            &mut tx,
            self.backend(),
            org.0,
            std::slice::from_ref(transfer),
            OnConflict::Fail,
        )
        .await?;
        for a in &transfer.attendees {
            sqlx::query(
                "INSERT INTO transfer_attendees (org_id, transfer_id, contact_id, covered) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(org.0)
            .bind(transfer.id.0)
            .bind(a.contact.0)
            .bind(i64::from(a.covered))
            .execute(&mut *tx)
            .await
            .map_err(|e| match e.as_database_error() {
                Some(d) if d.is_unique_violation() => StoreError::Duplicate {
                    what: "attendee",
                    id: format!("{}/{}", transfer.id, a.contact),
                },
                _ => StoreError::Database {
                    doing: "writing the attendees of a transfer".into(),
                    source: e,
                },
            })?;
        }
        let after = body_of(&mut tx, org, transfer).await?;
        let change = change_of(transfer, None, after);
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "transfers").await
    }

    async fn transfer(
        &self,
        org: OrgId,
        id: TransferId,
        reps: Option<&[UserId]>,
    ) -> Result<Option<Transfer>, StoreError> {
        let query = TransferQuery {
            reps,
            include_void: true,
            ..TransferQuery::default()
        };
        let (sql, mut b) = select(org, &query);
        let sql = format!("{sql} AND t.id = ${}", b.1 + 1);
        b.0.add(id.0);
        let args =
            b.0.finish()
                .map_err(StoreError::db("encoding a transfer query"))?;
        let mut conn = self.conn().await?;
        let row = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::db("reading transfers"))?;
        row.map(|r| decode("transfers", &r)).transpose()
    }

    async fn transfers(
        &self,
        org: OrgId,
        query: &TransferQuery<'_>,
    ) -> Result<Vec<Transfer>, StoreError> {
        let (sql, b) = select(org, query);
        let sql = format!("{sql} ORDER BY t.day, t.id");
        let args =
            b.0.finish()
                .map_err(StoreError::db("encoding a transfer query"))?;
        let mut conn = self.conn().await?;
        let rows = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::db("reading transfers"))?;
        rows.iter().map(|r| decode("transfers", r)).collect()
    }

    async fn void_transfer(&self, org: OrgId, voided: &Transfer) -> Result<bool, StoreError> {
        let body = encode(voided)?;
        let mut tx = self.write_tx().await?;
        let before = body_of(&mut tx, org, voided).await?;
        let done = sqlx::query(
            "UPDATE transfers SET voided = 1, body = $3 \
             WHERE org_id = $1 AND id = $2 AND voided = 0",
        )
        .bind(org.0)
        .bind(voided.id.0)
        .bind(body.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db(format!("voiding transfer {}", voided.id)))?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        let after = body_of(&mut tx, org, voided).await?;
        let change = change_of(voided, before, after);
        audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "transfers").await?;
        Ok(true)
    }
}

fn encode(t: &Transfer) -> Result<String, StoreError> {
    crate::body::Body::to_body(t).map_err(|source| StoreError::Encode {
        what: "transfer",
        id: t.id.to_string(),
        source,
    })
}

/// The attendee must be a contact of the transfer's account.
async fn check_attendee(
    conn: &mut AnyConnection,
    org: OrgId,
    contact: i64,
    account: i64,
) -> Result<(), StoreError> {
    let belongs_to: i64 =
        sqlx::query("SELECT account_id FROM contacts WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(contact)
            .fetch_optional(&mut *conn)
            .await
            .and_then(|row| row.map(|r| r.try_get(0)).transpose())
            .map_err(StoreError::db(format!("looking up contact {contact}")))?
            .ok_or(StoreError::NotFound {
                what: "contact",
                id: contact,
            })?;
    if belongs_to != account {
        return Err(StoreError::AccountMismatch {
            contact,
            belongs_to,
            claimed: account,
        });
    }
    Ok(())
}

/// The `SELECT` of transfers matching `query` (without ordering), its arguments, and
/// how many placeholders it used.
fn select(org: OrgId, query: &TransferQuery<'_>) -> (String, (Binder, usize)) {
    let mut sql = String::from(
        "SELECT t.id, t.body FROM transfers t \
         JOIN accounts a ON a.org_id = t.org_id AND a.id = t.account_id \
         WHERE t.org_id = $1",
    );
    let mut b = Binder::new(8 + query.reps.map_or(0, <[_]>::len));
    b.add(org.0);
    let mut n = 1;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if let Some(reps) = query.reps {
        if reps.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let marks: Vec<String> = reps.iter().map(|_| next()).collect();
            sql.push_str(&format!(" AND a.rep_id IN ({})", marks.join(", ")));
            for r in reps {
                b.add(r.0);
            }
        }
    }
    if let Some(account) = query.account {
        sql.push_str(&format!(" AND t.account_id = {}", next()));
        b.add(account.0);
    }
    if let Some(year) = query.year {
        // ISO dates order as text, so a year is a range of the indexed column.
        sql.push_str(&format!(" AND t.day >= {} AND t.day < {}", next(), next()));
        b.add(format!("{year:04}-01-01"));
        b.add(format!("{:04}-01-01", i32::from(year) + 1));
    }
    if !query.include_void {
        sql.push_str(" AND t.voided = 0");
    }
    (sql, (b, n))
}
