//! How each model record maps onto its table: the columns derived from it, its key,
//! and the batched multi-row `INSERT` (or upsert) that writes many of them per statement.
//! Reading goes the other way through [`decode`]: only `body` is read back, in the
//! record's body format (`crate::body`).

use std::borrow::Borrow;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;

use rounds_core::audit::BodyHasher;
use rounds_core::model::{
    Account, Contact, LostAccount, NoFit, ReferralCount, StepUpdate, TimeOff, Topic, Touch, User,
    WorkWeek,
};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection, Arguments, AssertSqlSafe, Encode, Row, Type};

use crate::StoreError;
use crate::body::Body;
use crate::sql::Backend;

/// At most this many bind parameters per statement: well under SQLite's 32766 and
/// PostgreSQL's 65535, and large enough that per-statement overhead is amortised.
const MAX_PARAMS: usize = 8_000;

/// One table of an organisation's records. `columns` excludes `org_id`, which every
/// table has first and which is bound once per statement as `$1`; `key` is the
/// primary key including `org_id`.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    /// Singular, for messages: "touch 7 appears twice".
    pub what: &'static str,
    pub columns: &'static [&'static str],
    pub key: &'static [&'static str],
}

impl Table {
    /// The column that names a row in messages: the key column after `org_id`.
    pub fn id_column(&self) -> &'static str {
        self.key[1]
    }
}

/// What to do when a row's key is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnConflict {
    /// Fail the statement (and so the transaction).
    Fail,
    /// Overwrite the stored row, but only if its body differs, so that rewriting the
    /// same data does not churn pages (or, on PostgreSQL, leave dead tuples behind).
    Update,
}

/// A model record that lives in a table of its own.
pub(crate) trait Stored: Body {
    const TABLE: Table;
    /// The key columns and the other derived columns, in `TABLE.columns` order, all but
    /// the trailing `body`.
    fn bind_columns(&self, args: &mut Binder);
    /// The record's key, for messages.
    fn key(&self) -> String;
    /// The record's kind in the audit log (one of `rounds_core::audit::ENTITIES`).
    const ENTITY: &'static str;
    /// The record's key in the audit log: its id, or `a/b` for a two-part key.
    fn audit_id(&self) -> String;
    /// The key columns after `org_id`, in `TABLE.key` order.
    fn bind_key(&self, args: &mut Binder);
}

/// Collects bind values; encoding integers and strings for `Any` cannot fail, but the
/// API returns a `Result`, so the first error (if ever) is kept and reported at the end.
pub(crate) struct Binder {
    args: AnyArguments,
    error: Option<sqlx::error::BoxDynError>,
}

impl Binder {
    pub fn new(capacity: usize) -> Self {
        let mut args = AnyArguments::default();
        args.reserve(capacity, 0);
        Binder { args, error: None }
    }

    pub fn add<'q, T: Encode<'q, Any> + Type<Any>>(&mut self, value: T) {
        if let Err(e) = self.args.add(value) {
            self.error.get_or_insert(e);
        }
    }

    pub fn finish(self) -> Result<AnyArguments, sqlx::Error> {
        match self.error {
            None => Ok(self.args),
            Some(e) => Err(sqlx::Error::Encode(e)),
        }
    }
}

impl Stored for User {
    const TABLE: Table = Table {
        name: "users",
        what: "user",
        columns: &["id", "role", "body"],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
        b.add(self.role.as_str());
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "user";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

impl Stored for Account {
    const TABLE: Table = Table {
        name: "accounts",
        what: "account",
        columns: &["id", "rep_id", "status", "name", "body"],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
        b.add(self.rep.0);
        b.add(self.status.as_str());
        b.add(self.name.as_str());
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "account";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

impl Stored for Contact {
    const TABLE: Table = Table {
        name: "contacts",
        what: "contact",
        columns: &["id", "account_id", "name", "body"],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
        b.add(self.account.0);
        b.add(self.name.as_str());
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "contact";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

impl Stored for Topic {
    const TABLE: Table = Table {
        name: "topics",
        what: "topic",
        columns: &["id", "body"],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "topic";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

impl Stored for Touch {
    const TABLE: Table = Table {
        name: "touches",
        what: "touch",
        columns: &[
            "id",
            "account_id",
            "contact_id",
            "rep_id",
            "at",
            "at_nanos",
            "body",
        ],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
        b.add(self.account.0);
        b.add(self.contact.0);
        b.add(self.rep.0);
        b.add(self.at.as_second());
        b.add(i64::from(self.at.subsec_nanosecond()));
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "touch";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

impl Stored for ReferralCount {
    const TABLE: Table = Table {
        name: "referral_counts",
        what: "referral count",
        columns: &["contact_id", "day", "count", "body"],
        key: &["org_id", "contact_id", "day"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.contact.0);
        b.add(self.day.to_string());
        b.add(i64::from(self.count));
    }
    fn key(&self) -> String {
        format!("of contact {} on {}", self.contact, self.day)
    }
    const ENTITY: &'static str = "referral";
    fn audit_id(&self) -> String {
        format!("{}/{}", self.contact, self.day)
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.contact.0);
        b.add(self.day.to_string());
    }
}

impl Stored for LostAccount {
    const TABLE: Table = Table {
        name: "lost_accounts",
        what: "lost record of account",
        columns: &["account_id", "body"],
        key: &["org_id", "account_id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.account.0);
    }
    fn key(&self) -> String {
        self.account.to_string()
    }
    const ENTITY: &'static str = "lost";
    fn audit_id(&self) -> String {
        self.account.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.account.0);
    }
}

impl Stored for NoFit {
    const TABLE: Table = Table {
        name: "no_fits",
        what: "no-fit record of account",
        columns: &["account_id", "body"],
        key: &["org_id", "account_id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.account.0);
    }
    fn key(&self) -> String {
        self.account.to_string()
    }
    const ENTITY: &'static str = "no-fit";
    fn audit_id(&self) -> String {
        self.account.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.account.0);
    }
}

impl Stored for WorkWeek {
    const TABLE: Table = Table {
        name: "work_weeks",
        what: "work week of rep",
        columns: &["rep_id", "body"],
        key: &["org_id", "rep_id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.rep.0);
    }
    fn key(&self) -> String {
        self.rep.to_string()
    }
    const ENTITY: &'static str = "work-week";
    fn audit_id(&self) -> String {
        self.rep.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.rep.0);
    }
}

impl Stored for TimeOff {
    const TABLE: Table = Table {
        name: "time_off",
        what: "time off",
        columns: &["id", "rep_id", "from_day", "to_day", "body"],
        key: &["org_id", "id"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.id.0);
        b.add(self.rep.0);
        b.add(self.from.to_string());
        b.add(self.to.to_string());
    }
    fn key(&self) -> String {
        self.id.to_string()
    }
    const ENTITY: &'static str = "time-off";
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.id.0);
    }
}

impl Stored for StepUpdate {
    const TABLE: Table = Table {
        name: "step_updates",
        what: "step update",
        columns: &["touch_id", "seq", "account_id", "body"],
        key: &["org_id", "touch_id", "seq"],
    };
    fn bind_columns(&self, b: &mut Binder) {
        b.add(self.touch.0);
        b.add(i64::from(self.seq));
        b.add(self.account.0);
    }
    fn key(&self) -> String {
        format!("{} of the step of touch {}", self.seq, self.touch)
    }
    const ENTITY: &'static str = "step-update";
    fn audit_id(&self) -> String {
        format!("{}/{}", self.touch, self.seq)
    }
    fn bind_key(&self, b: &mut Binder) {
        b.add(self.touch.0);
        b.add(i64::from(self.seq));
    }
}

/// `INSERT INTO t (org_id, …) VALUES (…), (…) …` for `rows` rows, with the upsert
/// clause if asked.
///
/// The placeholders are the one thing in this crate written per dialect. PostgreSQL gets
/// `$1, $2, …` with the organisation shared by all rows as `$1`. SQLite gets anonymous
/// `?` and the organisation bound on every row: for a numbered parameter sqlx asks SQLite
/// for its name (`sqlite3_bind_parameter_name`), a linear search, so binding a statement
/// of n numbered parameters costs n², and at 8,000 parameters that was 60% of a bulk
/// write's time. Anonymous parameters are bound by position without the search.
pub(crate) fn insert_sql(
    table: &Table,
    rows: usize,
    on_conflict: OnConflict,
    backend: Backend,
) -> String {
    let per_row = table.columns.len();
    let mut sql = format!(
        "INSERT INTO {} (org_id, {}) VALUES ",
        table.name,
        table.columns.join(", ")
    );
    let mut param = 2;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        match backend {
            Backend::Postgres => {
                sql.push_str("($1");
                for _ in 0..per_row {
                    sql.push_str(", $");
                    sql.push_str(&param.to_string());
                    param += 1;
                }
            }
            Backend::Sqlite => {
                sql.push_str("(?");
                for _ in 0..per_row {
                    sql.push_str(", ?");
                }
            }
        }
        sql.push(')');
    }
    if on_conflict == OnConflict::Update {
        let set: Vec<String> = table
            .columns
            .iter()
            .filter(|c| !table.key.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        // Every non-key column is derived from `body`, so comparing bodies is enough.
        sql.push_str(&format!(
            " ON CONFLICT ({}) DO UPDATE SET {} WHERE {}.body <> excluded.body",
            table.key.join(", "),
            set.join(", "),
            table.name
        ));
    }
    sql
}

/// How many rows of a table go into one statement.
pub(crate) fn rows_per_statement(table: &Table) -> usize {
    // `+ 1` for the organisation, which SQLite binds on every row.
    MAX_PARAMS / (table.columns.len() + 1)
}

/// Writes `rows` (records, or references to them) of one organisation in as few
/// statements as the parameter limit allows. The caller owns the transaction.
pub(crate) async fn insert_rows<T: Stored, R: Borrow<T>>(
    conn: &mut AnyConnection,
    backend: Backend,
    org: i64,
    rows: &[R],
    on_conflict: OnConflict,
) -> Result<(), StoreError> {
    insert_rows_hashed(conn, backend, org, rows, on_conflict, None).await
}

/// [`insert_rows`], also feeding every body written to `hasher`, so a bulk write's
/// audit digest costs no second encoding of its records.
pub(crate) async fn insert_rows_hashed<T: Stored, R: Borrow<T>>(
    conn: &mut AnyConnection,
    backend: Backend,
    org: i64,
    rows: &[R],
    on_conflict: OnConflict,
    mut hasher: Option<&mut BodyHasher>,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let table = &T::TABLE;
    let batch = rows_per_statement(table);
    // The full-batch text is built once and shared, so every full batch reuses one
    // prepared statement from the connection's cache.
    let full_sql: Arc<str> = insert_sql(table, batch.min(rows.len()), on_conflict, backend).into();
    let mut chunks = rows.chunks(batch);
    let mut pending = encode_next(&mut chunks, backend, org, hasher.as_deref_mut());
    while let Some((chunk, args)) = pending.take() {
        let sql: Arc<str> = if chunk.len() == batch || chunk.len() == rows.len() {
            full_sql.clone()
        } else {
            insert_sql(table, chunk.len(), on_conflict, backend).into()
        };
        let mut execute = pin!(sqlx::query_with(AssertSqlSafe(sql), args?).execute(&mut *conn));
        // Encode the next batch while the database inserts this one (on sqlx's worker
        // thread for SQLite, in the server for PostgreSQL), so that a bulk write keeps
        // two cores busy: the first poll sends the statement, and the encoding runs
        // before the second.
        let mut next = None;
        let result = poll_fn(|cx| {
            let polled = execute.as_mut().poll(cx);
            if polled.is_pending() && next.is_none() {
                next = Some(encode_next(
                    &mut chunks,
                    backend,
                    org,
                    hasher.as_deref_mut(),
                ));
                return execute.as_mut().poll(cx);
            }
            polled
        })
        .await;
        result.map_err(|e| {
            let is_duplicate = e
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation());
            if is_duplicate && chunk.len() == 1 {
                StoreError::Duplicate {
                    what: table.what,
                    id: chunk[0].borrow().key(),
                }
            } else {
                StoreError::Database {
                    doing: format!("writing {} of organisation {org}", table.name).into(),
                    source: e,
                }
            }
        })?;
        pending = match next {
            Some(next) => next,
            None => encode_next(&mut chunks, backend, org, hasher.as_deref_mut()),
        };
    }
    Ok(())
}

/// The next chunk and its bind values.
fn encode_next<'r, T: Stored, R: Borrow<T>>(
    chunks: &mut std::slice::Chunks<'r, R>,
    backend: Backend,
    org: i64,
    hasher: Option<&mut BodyHasher>,
) -> Option<(&'r [R], Result<AnyArguments, StoreError>)> {
    chunks
        .next()
        .map(|chunk| (chunk, encode(chunk, backend, org, hasher)))
}

/// The bind values of one statement's rows: the organisation (once for PostgreSQL's
/// shared `$1`, on every row for SQLite), the derived columns and the body.
fn encode<T: Stored, R: Borrow<T>>(
    chunk: &[R],
    backend: Backend,
    org: i64,
    mut hasher: Option<&mut BodyHasher>,
) -> Result<AnyArguments, StoreError> {
    let table = &T::TABLE;
    let mut b = Binder::new(chunk.len() * (table.columns.len() + 1));
    if backend == Backend::Postgres {
        b.add(org);
    }
    for row in chunk {
        let row: &T = row.borrow();
        if backend == Backend::Sqlite {
            b.add(org);
        }
        row.bind_columns(&mut b);
        let body = row.to_body().map_err(|source| StoreError::Encode {
            what: table.what,
            id: row.key(),
            source,
        })?;
        if let Some(h) = hasher.as_deref_mut() {
            h.add(&body);
        }
        b.add(body);
    }
    b.finish()
        .map_err(StoreError::db(format!("encoding {}", table.name)))
}

/// Parses the record of a row whose first column is its id (for messages) and second
/// its body.
pub(crate) fn decode<T: Body>(table: &'static str, row: &AnyRow) -> Result<T, StoreError> {
    decode_at(table, row, 0)
}

/// Parses the record whose id is in column `at` and body in the next one (a row that
/// joins several tables).
pub(crate) fn decode_at<T: Body>(
    table: &'static str,
    row: &AnyRow,
    at: usize,
) -> Result<T, StoreError> {
    let body: &str = row
        .try_get(at + 1)
        .map_err(StoreError::db(format!("reading the body of a {table} row")))?;
    T::from_body(body).map_err(|source| StoreError::Corrupt {
        table,
        id: row.try_get(at).unwrap_or_default(),
        source,
    })
}

/// Refuses a write that holds two records with one key, before anything is written.
/// Without this, SQLite would keep the last of them on a merge while PostgreSQL fails;
/// with it, both backends behave alike.
pub(crate) fn check_unique<T, K: Ord + Copy>(
    what: &'static str,
    rows: &[T],
    key: impl Fn(&T) -> K,
    show: impl Fn(K) -> String,
) -> Result<(), StoreError> {
    // Exports and generated data come sorted, so the common case is one linear pass.
    if rows.windows(2).all(|w| key(&w[0]) < key(&w[1])) {
        return Ok(());
    }
    let mut keys: Vec<K> = rows.iter().map(key).collect();
    keys.sort_unstable();
    match keys.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(StoreError::Duplicate {
            what,
            id: show(w[0]),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_shares_the_organisation_parameter() {
        let sql = insert_sql(&Topic::TABLE, 2, OnConflict::Fail, Backend::Postgres);
        assert_eq!(
            sql,
            "INSERT INTO topics (org_id, id, body) VALUES ($1, $2, $3), ($1, $4, $5)"
        );
    }

    #[test]
    fn sqlite_binds_by_position() {
        let sql = insert_sql(&Topic::TABLE, 2, OnConflict::Fail, Backend::Sqlite);
        assert_eq!(
            sql,
            "INSERT INTO topics (org_id, id, body) VALUES (?, ?, ?), (?, ?, ?)"
        );
    }

    #[test]
    fn upsert_updates_only_non_key_columns() {
        let sql = insert_sql(
            &ReferralCount::TABLE,
            1,
            OnConflict::Update,
            Backend::Postgres,
        );
        assert_eq!(
            sql,
            "INSERT INTO referral_counts (org_id, contact_id, day, count, body) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, contact_id, day) DO UPDATE SET count = excluded.count, body = excluded.body \
             WHERE referral_counts.body <> excluded.body"
        );
    }

    #[test]
    fn batches_stay_under_the_parameter_limits() {
        for table in [
            &User::TABLE,
            &Account::TABLE,
            &Contact::TABLE,
            &Topic::TABLE,
            &Touch::TABLE,
            &ReferralCount::TABLE,
            &LostAccount::TABLE,
            &NoFit::TABLE,
            &WorkWeek::TABLE,
            &TimeOff::TABLE,
            &StepUpdate::TABLE,
        ] {
            let params = rows_per_statement(table) * (table.columns.len() + 1);
            assert!(
                params <= MAX_PARAMS && MAX_PARAMS < 32_766,
                "{}",
                table.name
            );
        }
    }
}
