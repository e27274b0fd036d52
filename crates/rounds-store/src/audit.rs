//! The audit log on [`SqlStore`]: appending a change's rows inside the change's own
//! transaction, reading the log, and verifying its chain and the records it describes.
//!
//! **Invariant:** every write method of the [`Store`](crate::Store) gathers the
//! [`Change`]s it made and calls [`append`] once, last, in its own transaction, so no
//! change can be committed without its rows and no row without its change. A new write
//! method does the same: read the record's stored body before ([`body_of`]) and after,
//! and append. Sessions and id counters are not changes of the territory and are not
//! logged.
//!
//! Appending serialises on the organisation's row in `audit_heads`: on PostgreSQL the
//! `UPDATE … RETURNING` takes its row lock, which the next writer of the organisation
//! waits for until this transaction ends; on SQLite the write transaction already holds
//! the database's write lock. The head is the last lock a write takes, so two writers
//! never wait on each other in opposite orders.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rounds_core::audit::{
    self, AuditActor, AuditEntry, AuditReport, Change, GENESIS, Head, body_digest,
};
use rounds_core::model::{OrgId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::StoreError;
use crate::sql::SqlStore;
use crate::tables::{Binder, Stored};

/// Who writes through a store handle, and when: the acting user and the caller's clock
/// reading. The store reads no clock of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acting {
    pub actor: AuditActor,
    /// Epoch seconds.
    pub at: i64,
}

impl Acting {
    /// A handle nobody bound: tests and benchmarks. Its rows say `system` at 0.
    pub const UNBOUND: Acting = Acting {
        actor: AuditActor::System,
        at: 0,
    };

    pub fn new(actor: AuditActor, at: Timestamp) -> Acting {
        Acting {
            actor,
            at: at.as_second(),
        }
    }
}

/// Which rows [`Store::audit_log`](crate::Store::audit_log) returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only rows about this kind of record.
    pub entity: Option<String>,
    /// Only rows about this record (with `entity`).
    pub entity_id: Option<String>,
    /// Only rows at or after this instant (epoch seconds).
    pub since: Option<i64>,
    /// At most this many rows (all if `None`).
    pub limit: Option<u64>,
    /// Rows to skip, newest first.
    pub offset: u64,
}

/// A page of the log, newest first, and how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub total: u64,
}

/// Appends `changes` to the organisation's chain inside the caller's transaction.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    org: OrgId,
    acting: Acting,
    changes: Vec<Change>,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let n = changes.len() as i64;
    sqlx::query(
        "INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 0, $2) \
         ON CONFLICT (org_id) DO NOTHING",
    )
    .bind(org.0)
    .bind(GENESIS)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::db("starting the audit chain"))?;
    let (last, prev): (i64, String) =
        sqlx::query("UPDATE audit_heads SET seq = seq + $2 WHERE org_id = $1 RETURNING seq, hash")
            .bind(org.0)
            .bind(n)
            .fetch_one(&mut *conn)
            .await
            .and_then(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .map_err(StoreError::db("taking the audit chain's head"))?;
    let rows = audit::chain(org, acting.at, acting.actor, last - n, &prev, changes);
    for e in &rows {
        sqlx::query(
            "INSERT INTO audit_log (org_id, seq, at, actor, entity, entity_id, action, \
             before_digest, after_digest, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(org.0)
        .bind(e.seq)
        .bind(e.at)
        .bind(e.actor.as_str())
        .bind(e.entity.as_str())
        .bind(e.entity_id.as_str())
        .bind(e.action.as_str())
        .bind(e.before.as_str())
        .bind(e.after.as_str())
        .bind(e.detail.as_str())
        .bind(e.prev_hash.as_str())
        .bind(e.hash.as_str())
        .execute(&mut *conn)
        .await
        .map_err(StoreError::db(format!("appending audit row {}", e.seq)))?;
    }
    let head = rows.last().map(|e| e.hash.as_str()).unwrap_or(GENESIS);
    sqlx::query("UPDATE audit_heads SET hash = $2 WHERE org_id = $1")
        .bind(org.0)
        .bind(head)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::db("moving the audit chain's head"))?;
    Ok(())
}

/// The stored body of `record`'s row (found by its key), if there is one.
pub(crate) async fn body_of<T: Stored>(
    conn: &mut AnyConnection,
    org: OrgId,
    record: &T,
) -> Result<Option<String>, StoreError> {
    let table = &T::TABLE;
    let filter: Vec<String> = table.key[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT body FROM {} WHERE org_id = $1 AND {}",
        table.name,
        filter.join(" AND ")
    );
    let mut b = Binder::new(table.key.len());
    b.add(org.0);
    record.bind_key(&mut b);
    let args = b
        .finish()
        .map_err(StoreError::db(format!("encoding a key of {}", table.name)))?;
    sqlx::query_with(AssertSqlSafe(sql), args)
        .fetch_optional(&mut *conn)
        .await
        .and_then(|r| r.map(|r| r.try_get(0)).transpose())
        .map_err(StoreError::db(format!("reading a {} row", table.what)))
}

/// The organisation's audit head; `None` before its first write.
pub(crate) async fn head_of(
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<Option<Head>, StoreError> {
    sqlx::query("SELECT seq, hash FROM audit_heads WHERE org_id = $1")
        .bind(org.0)
        .fetch_optional(&mut *conn)
        .await
        .and_then(|r| {
            r.map(|r| {
                Ok(Head {
                    seq: r.try_get(0)?,
                    hash: r.try_get(1)?,
                })
            })
            .transpose()
        })
        .map_err(StoreError::db("reading the audit chain's head"))
}

/// The change that writing `record` makes, given its body before and after.
pub(crate) fn change_of<T: Stored>(
    record: &T,
    before: Option<String>,
    after: Option<String>,
) -> Change {
    Change::write(
        T::ENTITY,
        record.audit_id(),
        before.as_deref().map(body_digest),
        after.as_deref().map(body_digest),
    )
}

/// A sign-in's stored state as one text, for its digest: login, password hash and the
/// disabled flag. (The digest of an argon2id hash reveals nothing the hash does not.)
pub(crate) async fn sign_in_body(
    conn: &mut AnyConnection,
    org: OrgId,
    user: UserId,
) -> Result<Option<String>, StoreError> {
    sqlx::query(
        "SELECT login, password_hash, disabled FROM credentials WHERE org_id = $1 AND user_id = $2",
    )
    .bind(org.0)
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await
    .and_then(|r| {
        r.map(|r| {
            let login: String = r.try_get(0)?;
            let hash: String = r.try_get(1)?;
            let disabled: i64 = r.try_get(2)?;
            Ok(format!("{login}\t{hash}\t{disabled}"))
        })
        .transpose()
    })
    .map_err(StoreError::db(format!(
        "reading the sign-in of user {user}"
    )))
}

/// A table's key columns after `org_id`; `true` marks an integer column.
type KeyColumns = &'static [(&'static str, bool)];

/// The table and key columns of each kind of record whose body `verify` rechecks.
const RECORD_TABLES: &[(&str, &str, KeyColumns)] = &[
    ("user", "users", &[("id", true)]),
    ("account", "accounts", &[("id", true)]),
    ("contact", "contacts", &[("id", true)]),
    ("topic", "topics", &[("id", true)]),
    ("touch", "touches", &[("id", true)]),
    (
        "step-update",
        "step_updates",
        &[("touch_id", true), ("seq", true)],
    ),
    (
        "referral",
        "referral_counts",
        &[("contact_id", true), ("day", false)],
    ),
    ("lost", "lost_accounts", &[("account_id", true)]),
    ("no-fit", "no_fits", &[("account_id", true)]),
    ("work-week", "work_weeks", &[("rep_id", true)]),
    ("time-off", "time_off", &[("id", true)]),
    ("template", "message_templates", &[("kind", false)]),
    ("outbox", "outbox", &[("id", true)]),
    ("transfer", "transfers", &[("id", true)]),
];

/// The digest of the record's current body (`None` if it no longer exists, or its key
/// cannot even name a row).
async fn current_digest(
    conn: &mut AnyConnection,
    org: OrgId,
    entity: &str,
    entity_id: &str,
) -> Result<Option<String>, StoreError> {
    if entity == "sign-in" {
        let Ok(user) = entity_id.parse() else {
            return Ok(None);
        };
        let body = sign_in_body(conn, org, UserId(user)).await?;
        return Ok(body.as_deref().map(body_digest));
    }
    let Some((_, table, columns)) = RECORD_TABLES.iter().find(|(e, _, _)| *e == entity) else {
        return Ok(None);
    };
    let parts: Vec<&str> = entity_id.split('/').collect();
    if parts.len() != columns.len() {
        return Ok(None);
    }
    let mut b = Binder::new(columns.len() + 1);
    b.add(org.0);
    for (part, (_, integer)) in parts.iter().zip(columns.iter()) {
        if *integer {
            let Ok(n) = part.parse::<i64>() else {
                return Ok(None);
            };
            b.add(n);
        } else {
            b.add(part.to_string());
        }
    }
    let filter: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT body FROM {table} WHERE org_id = $1 AND {}",
        filter.join(" AND ")
    );
    let args = b
        .finish()
        .map_err(StoreError::db(format!("encoding a key of {table}")))?;
    let body: Option<String> = sqlx::query_with(AssertSqlSafe(sql), args)
        .fetch_optional(&mut *conn)
        .await
        .and_then(|r| r.map(|r| r.try_get(0)).transpose())
        .map_err(StoreError::db(format!("reading {entity} {entity_id}")))?;
    Ok(body.as_deref().map(body_digest))
}

const ENTRY_COLUMNS: &str = "org_id, seq, at, actor, entity, entity_id, action, \
    before_digest, after_digest, detail, prev_hash, hash";

fn entry_of(r: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        org: OrgId(r.try_get(0)?),
        seq: r.try_get(1)?,
        at: r.try_get(2)?,
        actor: r.try_get(3)?,
        entity: r.try_get(4)?,
        entity_id: r.try_get(5)?,
        action: r.try_get(6)?,
        before: r.try_get(7)?,
        after: r.try_get(8)?,
        detail: r.try_get(9)?,
        prev_hash: r.try_get(10)?,
        hash: r.try_get(11)?,
    })
}

impl SqlStore {
    pub(crate) async fn q_audit_log(
        &self,
        org: OrgId,
        query: &AuditQuery,
    ) -> Result<AuditPage, StoreError> {
        let mut filter = String::from("org_id = $1");
        let mut n = 1;
        for (present, column, op) in [
            (query.entity.is_some(), "entity", "="),
            (query.entity_id.is_some(), "entity_id", "="),
            (query.since.is_some(), "at", ">="),
        ] {
            if present {
                n += 1;
                filter.push_str(&format!(" AND {column} {op} ${n}"));
            }
        }
        // The same values for the count and the page.
        let args = || {
            let mut b = Binder::new(4);
            b.add(org.0);
            if let Some(entity) = &query.entity {
                b.add(entity.clone());
            }
            if let Some(id) = &query.entity_id {
                b.add(id.clone());
            }
            if let Some(since) = query.since {
                b.add(since);
            }
            b.finish()
                .map_err(StoreError::db("encoding the audit filter"))
        };
        let limit = query
            .limit
            .map(|l| format!(" LIMIT {l}"))
            .unwrap_or_default();
        let offset = if query.offset > 0 {
            // PostgreSQL takes OFFSET alone; SQLite only after a LIMIT.
            let limit = if limit.is_empty() { " LIMIT -1" } else { "" };
            match self.backend() {
                crate::Backend::Sqlite => format!("{limit} OFFSET {}", query.offset),
                crate::Backend::Postgres => format!(" OFFSET {}", query.offset),
            }
        } else {
            String::new()
        };
        let mut tx = self.read_tx().await?;
        let total: i64 = sqlx::query_with(
            AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_log WHERE {filter}")),
            args()?,
        )
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(StoreError::db("counting audit rows"))?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE {filter} ORDER BY seq DESC{limit}{offset}"
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), args()?)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::db("reading the audit log"))?;
        tx.commit()
            .await
            .map_err(StoreError::db("ending the audit log's read transaction"))?;
        let entries = rows
            .iter()
            .map(entry_of)
            .collect::<Result<_, _>>()
            .map_err(StoreError::db("reading the audit log"))?;
        Ok(AuditPage {
            entries,
            total: total.unsigned_abs(),
        })
    }

    pub(crate) async fn q_audit_verify(&self, org: OrgId) -> Result<AuditReport, StoreError> {
        let mut tx = self.read_tx().await?;
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE org_id = $1 ORDER BY seq");
        let entries: Vec<AuditEntry> = sqlx::query(AssertSqlSafe(sql))
            .bind(org.0)
            .fetch_all(&mut *tx)
            .await
            .and_then(|rows| rows.iter().map(entry_of).collect())
            .map_err(StoreError::db("reading the audit log"))?;
        let head = head_of(&mut tx, org).await?;
        let mut breaks = audit::verify(&entries, head.as_ref());
        let last = audit::last_rows(&entries);
        let mut current = BTreeMap::new();
        for (entity, id) in last.keys() {
            let digest = current_digest(&mut tx, org, entity, id).await?;
            current.insert((entity.clone(), id.clone()), digest);
        }
        tx.commit()
            .await
            .map_err(StoreError::db("ending the audit check's read transaction"))?;
        breaks.extend(audit::check_records(&last, &current));
        breaks.sort_by_key(|b| b.seq());
        Ok(AuditReport {
            rows: entries.len() as u64,
            head,
            breaks,
        })
    }
}
