//! [`SqlStore`]: the [`Store`] over SQLite or PostgreSQL through sqlx's `Any` driver.
//!
//! Migrations: the per-dialect files in `migrations/sqlite/` and `migrations/postgres/`
//! are embedded with `include_str!` and run at connect by sqlx's own migrator
//! (`Migrator::with_migrations`), which records them in `_sqlx_migrations` with their
//! checksums exactly as `sqlx::migrate!` would. We build the list by hand because
//! `migrate!` needs sqlx's `macros` feature, which the workspace does not enable; a unit
//! test checks the list against the directories so a new file cannot be forgotten.
//!
//! Reads that span several queries (territories, export) run in one read transaction,
//! REPEATABLE READ on PostgreSQL, so they see one snapshot. Writes on SQLite start with
//! `BEGIN IMMEDIATE` to take the write lock up front: a deferred transaction that reads
//! and then writes can fail with "database is locked" without waiting out the busy
//! timeout.
//!
//! Large reads (touches, contacts, accounts) come back packed, many records to one text
//! value (see [`scan_packed`]), because per-row overhead in the driver, not the
//! databases, was what limited them.

use std::collections::HashMap;
use std::fmt;
use std::future::poll_fn;
use std::str::FromStr;
use std::sync::Arc;

use rounds_core::export::OrgData;
use rounds_core::model::{
    Account, AccountId, AccountStatus, Contact, ContactId, LostAccount, NoFit, OrgId, Organisation,
    ReferralCount, Role, Territory, Topic, TopicId, Touch, User, UserId,
};
use serde::de::DeserializeOwned;
use sqlx::any::{AnyArguments, AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Row, SqlSafeStr, Transaction};

use crate::tables::{OnConflict, Stored, check_unique, decode, insert_rows};
use crate::{IdKind, RowCounts, Store, StoreError, WriteMode};

/// The database behind a [`SqlStore`], decided by the URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite:` → SQLite; `postgres:` or `postgresql:` → PostgreSQL.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url
            .split_once(':')
            .map_or("", |(s, _)| s)
            .to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl { scheme }),
        }
    }

    fn migrator(self) -> Migrator {
        let files: &[(i64, &str, &'static str)] = match self {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        Migrator::with_migrations(
            files
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        (*description).into(),
                        MigrationType::Simple,
                        sql.into_sql_str(),
                        false,
                    )
                })
                .collect(),
        )
    }

    /// Starts a transaction that will write.
    fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Starts a transaction that only reads, from one snapshot. (SQLite's WAL mode gives
    /// a deferred transaction a snapshot at its first read.)
    fn begin_read(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// (version, description, SQL); the file names follow sqlx's `VERSION_DESCRIPTION.sql`.
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "initial",
    include_str!("../migrations/sqlite/0001_initial.sql"),
)];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "initial",
    include_str!("../migrations/postgres/0001_initial.sql"),
)];

/// Set on every SQLite connection. WAL lets the planner read while a write is under way;
/// NORMAL sync is durable across application crashes and only risks the last commits on
/// power loss, which WAL makes safe to accept; foreign keys are off in SQLite unless
/// asked for; the busy timeout makes a second writer wait instead of failing at once;
/// the larger page cache (64 MiB) keeps index pages hot during bulk writes.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536;";

/// A connection pool to one Rounds database, SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlStore {
    /// Connects to `sqlite:PATH` (the file is created if missing) or
    /// `postgres://USER@HOST/DB`, and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let (url, options) = match backend {
            Backend::Sqlite => sqlite_pool(url),
            Backend::Postgres => (url.to_string(), AnyPoolOptions::new().max_connections(8)),
        };
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact(&url),
                source,
            })?;
        backend
            .migrator()
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { backend, source })?;
        Ok(SqlStore { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection, waiting for those in use; needed before a database can
    /// be dropped, and flushes SQLite's WAL into the main file.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Any>, StoreError> {
        self.pool
            .begin_with(self.backend.begin_write())
            .await
            .map_err(StoreError::db("starting a write transaction"))
    }

    async fn read_tx(&self) -> Result<Transaction<'static, Any>, StoreError> {
        self.pool
            .begin_with(self.backend.begin_read())
            .await
            .map_err(StoreError::db("starting a read transaction"))
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>, StoreError> {
        self.pool
            .acquire()
            .await
            .map_err(StoreError::db("taking a connection from the pool"))
    }

    /// Upserts one record after checking, in the same transaction, that its parent row
    /// exists. `parent` is (what, table, id) of the parent.
    async fn save_one<T: Stored>(
        &self,
        org: OrgId,
        record: &T,
        parent: (&'static str, &'static str, i64),
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        require(&mut tx, org, parent.0, parent.1, parent.2).await?;
        insert_rows(
            &mut tx,
            self.backend,
            org.0,
            std::slice::from_ref(record),
            OnConflict::Update,
        )
        .await?;
        commit(tx, T::TABLE.name).await
    }

    /// Stores a lost or no-fit record and the account's new status in one transaction.
    async fn close_account<T: Stored>(
        &self,
        org: OrgId,
        record: &T,
        account: AccountId,
        status: AccountStatus,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT id, body FROM accounts WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(account.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::db("reading an account"))?
            .ok_or(StoreError::NotFound {
                what: "account",
                id: account.0,
            })?;
        let mut stored: Account = decode("accounts", &row)?;
        stored.status = status;
        insert_rows(
            &mut tx,
            self.backend,
            org.0,
            std::slice::from_ref(&stored),
            OnConflict::Update,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend,
            org.0,
            std::slice::from_ref(record),
            OnConflict::Update,
        )
        .await?;
        commit(tx, T::TABLE.name).await
    }
}

/// Normalises a SQLite URL (create the file if missing) and sizes the pool.
fn sqlite_pool(url: &str) -> (String, AnyPoolOptions) {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let url = if in_memory || url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    let mut options = AnyPoolOptions::new()
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::raw_sql(SQLITE_PRAGMAS).execute(conn).await?;
                Ok(())
            })
        })
        .max_connections(4);
    if in_memory {
        // Each connection to `:memory:` is a database of its own, so keep exactly one,
        // forever.
        options = options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    (url, options)
}

/// The URL with any password replaced, fit for messages.
fn redact(url: &str) -> String {
    match AnyConnectOptions::from_str(url) {
        Ok(options) => {
            let mut u = options.database_url;
            if u.password().is_some() {
                let _ = u.set_password(Some("********"));
            }
            u.to_string()
        }
        Err(_) => "the database (unparseable URL)".to_string(),
    }
}

async fn commit(tx: Transaction<'static, Any>, table: &'static str) -> Result<(), StoreError> {
    tx.commit()
        .await
        .map_err(StoreError::db(format!("committing a write to {table}")))
}

/// Fails with `NotFound` unless `table` has row `id` in the organisation (`organisations`
/// is keyed by `id` alone).
async fn require(
    conn: &mut AnyConnection,
    org: OrgId,
    what: &'static str,
    table: &'static str,
    id: i64,
) -> Result<(), StoreError> {
    let query = if table == "organisations" {
        sqlx::query("SELECT 1 FROM organisations WHERE id = $1").bind(id)
    } else {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT 1 FROM {table} WHERE org_id = $1 AND id = $2"
        )))
        .bind(org.0)
        .bind(id)
    };
    let found = query
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::db(format!("looking up {what} {id}")))?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound { what, id }),
    }
}

/// Streams the rows of `query` (each `id, body`) into `sink` as they arrive, so a scan of
/// millions of rows never holds more than one row's raw text at a time.
async fn scan<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    query: Query<'_, Any, AnyArguments>,
    table: &'static str,
    mut sink: impl FnMut(T),
) -> Result<(), StoreError> {
    let mut rows = query.fetch(conn);
    // `poll_next` is callable on the boxed `dyn Stream` without importing the trait,
    // which spares this crate a futures dependency for one loop.
    while let Some(row) = poll_fn(|cx| rows.as_mut().poll_next(cx)).await {
        let row = row.map_err(StoreError::db(format!("reading {table}")))?;
        sink(decode(table, &row)?);
    }
    Ok(())
}

async fn fetch_all<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    query: Query<'_, Any, AnyArguments>,
    table: &'static str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    scan(conn, query, table, |t| out.push(t)).await?;
    Ok(out)
}

async fn fetch_one<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    query: Query<'_, Any, AnyArguments>,
    table: &'static str,
) -> Result<Option<T>, StoreError> {
    match query
        .fetch_optional(conn)
        .await
        .map_err(StoreError::db(format!("reading {table}")))?
    {
        Some(row) => decode(table, &row).map(Some),
        None => Ok(None),
    }
}

/// Separator of the records packed into one text value; JSON written by serde_json never
/// contains a raw newline. A `char`, so that splitting on it is a memchr, not a substring
/// search.
const PACK_SEPARATOR: char = '\n';

/// Records per round trip in [`scan_packed`].
const PAGE_ROWS: usize = 2_000;

/// Reads every row of an organisation's `id`-keyed table, in id order, a page per query
/// with the page's `id body` lines packed by `string_agg` into one text value.
///
/// Why packed: sqlx's SQLite driver hands each row from its worker thread to the caller
/// through a channel of 50 rows, and at millions of rows those hand-offs (thread wake-ups
/// and copies) cost more than SQLite's own work; one value per page makes them
/// negligible. Paging by key (`id > last`) keeps each query a short index range scan on
/// both databases and bounds memory.
async fn scan_packed<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    table: &'static str,
    org: OrgId,
    mut sink: impl FnMut(T),
) -> Result<(), StoreError> {
    let sql: Arc<str> = format!(
        "SELECT MAX(id), string_agg(CAST(id AS TEXT) || ' ' || body, $3) FROM \
         (SELECT id, body FROM {table} WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT {PAGE_ROWS}) page"
    )
    .into();
    let mut after = i64::MIN;
    loop {
        let row = sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(org.0)
            .bind(after)
            .bind(String::from(PACK_SEPARATOR))
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::db(format!("reading {table}")))?;
        let (last, packed): (Option<i64>, Option<&str>) = row
            .try_get(0)
            .and_then(|last| Ok((last, row.try_get(1)?)))
            .map_err(StoreError::db(format!("reading {table}")))?;
        let (Some(last), Some(packed)) = (last, packed) else {
            return Ok(());
        };
        unpack(table, packed, &mut sink)?;
        after = last;
    }
}

/// Reads the rows of an account-keyed child table (`contacts`, `touches`) for each of a
/// rep's accounts, packed into one value per account as in [`scan_packed`]. The
/// correlated subquery walks the child's (org_id, account_id) index once per account,
/// with no sort, on either database.
async fn scan_by_account<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    table: &'static str,
    org: OrgId,
    rep: UserId,
    mut sink: impl FnMut(T),
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT a.id, (SELECT string_agg(CAST(c.id AS TEXT) || ' ' || c.body, $3) FROM {table} c \
         WHERE c.org_id = a.org_id AND c.account_id = a.id) \
         FROM accounts a WHERE a.org_id = $1 AND a.rep_id = $2"
    );
    let mut rows = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(rep.0)
        .bind(String::from(PACK_SEPARATOR))
        .fetch(conn);
    while let Some(row) = poll_fn(|cx| rows.as_mut().poll_next(cx)).await {
        let row = row.map_err(StoreError::db(format!("reading {table}")))?;
        let packed: Option<&str> = row
            .try_get(1)
            .map_err(StoreError::db(format!("reading {table}")))?;
        // NULL for an account without rows.
        if let Some(packed) = packed {
            unpack(table, packed, &mut sink)?;
        }
    }
    Ok(())
}

/// Parses packed `id body` lines.
fn unpack<T: DeserializeOwned>(
    table: &'static str,
    packed: &str,
    sink: &mut impl FnMut(T),
) -> Result<(), StoreError> {
    for line in packed.split(PACK_SEPARATOR) {
        let (id, body) = line.split_once(' ').unwrap_or(("0", line));
        let record = serde_json::from_str(body).map_err(|source| StoreError::Corrupt {
            table,
            id: id.parse().unwrap_or_default(),
            source,
        })?;
        sink(record);
    }
    Ok(())
}

/// Sorts by key unless already sorted, which the `ORDER BY` of most queries makes the
/// common case. The cached-key sort moves each (large) record once instead of at every
/// comparison step.
fn sort_by<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    if !items.is_sorted_by_key(&key) {
        items.sort_by_cached_key(key);
    }
}

fn sort_territory(t: &mut Territory) {
    sort_by(&mut t.accounts, |a| a.id);
    sort_by(&mut t.contacts, |c| c.id);
    sort_by(&mut t.topics, |t| t.id);
    sort_by(&mut t.touches, |t| (t.at, t.id));
    sort_by(&mut t.referrals, |r| (r.contact, r.day));
    sort_by(&mut t.lost, |l| l.account);
    sort_by(&mut t.no_fits, |n| n.account);
}

/// Children before parents, so that deleting never trips a foreign key.
const DELETE_ORDER: &[&str] = &[
    "touches",
    "referral_counts",
    "lost_accounts",
    "no_fits",
    "contacts",
    "accounts",
    "topics",
    "users",
];

const ORG_UPSERT: &str = "INSERT INTO organisations (id, name, demo, body) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, demo = excluded.demo, body = excluded.body \
    WHERE organisations.body <> excluded.body";

impl Store for SqlStore {
    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query("SELECT id, body FROM organisations ORDER BY id");
        fetch_all(&mut conn, query, "organisations").await
    }

    async fn write_org(&self, data: &OrgData, mode: WriteMode) -> Result<(), StoreError> {
        check_unique("user", &data.users, |u| u.id, |k| k.to_string())?;
        check_unique("account", &data.accounts, |a| a.id, |k| k.to_string())?;
        check_unique("contact", &data.contacts, |c| c.id, |k| k.to_string())?;
        check_unique("topic", &data.topics, |t| t.id, |k| k.to_string())?;
        check_unique("touch", &data.touches, |t| t.id, |k| k.to_string())?;
        check_unique(
            "referral count",
            &data.referrals,
            |r| (r.contact, r.day),
            |(c, d)| format!("of contact {c} on {d}"),
        )?;
        check_unique(
            "lost record of account",
            &data.lost,
            |l| l.account,
            |k| k.to_string(),
        )?;
        check_unique(
            "no-fit record of account",
            &data.no_fits,
            |n| n.account,
            |k| k.to_string(),
        )?;

        let org = &data.organisation;
        let body = serde_json::to_string(org).map_err(|source| StoreError::Encode {
            what: "organisation",
            id: org.id.to_string(),
            source,
        })?;
        let mut tx = self.write_tx().await?;
        sqlx::query(ORG_UPSERT)
            .bind(org.id.0)
            .bind(org.name.as_str())
            .bind(i64::from(org.demo))
            .bind(body)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db(format!("writing organisation {}", org.id)))?;
        let on_conflict = match mode {
            WriteMode::Replace => {
                for table in DELETE_ORDER {
                    let sql = format!("DELETE FROM {table} WHERE org_id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(org.id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::db(format!(
                            "clearing {table} of organisation {}",
                            org.id
                        )))?;
                }
                // Everything of this organisation is gone, so plain inserts suffice and
                // skip the conflict checks.
                OnConflict::Fail
            }
            WriteMode::Merge => OnConflict::Update,
        };
        // Parents before children, for the foreign keys.
        let id = org.id.0;
        insert_rows(&mut tx, self.backend, id, &data.users, on_conflict).await?;
        insert_rows(&mut tx, self.backend, id, &data.topics, on_conflict).await?;
        insert_rows(&mut tx, self.backend, id, &data.accounts, on_conflict).await?;
        insert_rows(&mut tx, self.backend, id, &data.contacts, on_conflict).await?;
        insert_rows(&mut tx, self.backend, id, &data.touches, on_conflict).await?;
        insert_rows(&mut tx, self.backend, id, &data.referrals, on_conflict).await?;
        insert_rows(&mut tx, self.backend, id, &data.lost, on_conflict).await?;
        insert_rows(&mut tx, self.backend, id, &data.no_fits, on_conflict).await?;
        tx.commit().await.map_err(StoreError::db(format!(
            "committing organisation {}",
            org.id
        )))
    }

    async fn export(&self, org: OrgId) -> Result<OrgData, StoreError> {
        let mut tx = self.read_tx().await?;
        let organisation: Organisation = fetch_one(
            &mut tx,
            sqlx::query("SELECT id, body FROM organisations WHERE id = $1").bind(org.0),
            "organisations",
        )
        .await?
        .ok_or(StoreError::NotFound {
            what: "organisation",
            id: org.0,
        })?;
        macro_rules! all {
            ($sql:literal, $table:literal) => {
                fetch_all(&mut tx, sqlx::query($sql).bind(org.0), $table).await?
            };
        }
        macro_rules! packed {
            ($table:literal) => {{
                let mut out = Vec::new();
                scan_packed(&mut tx, $table, org, |r| out.push(r)).await?;
                out
            }};
        }
        let mut data = OrgData {
            organisation,
            users: all!(
                "SELECT id, body FROM users WHERE org_id = $1 ORDER BY id",
                "users"
            ),
            accounts: packed!("accounts"),
            contacts: packed!("contacts"),
            topics: all!(
                "SELECT id, body FROM topics WHERE org_id = $1 ORDER BY id",
                "topics"
            ),
            touches: packed!("touches"),
            referrals: all!(
                "SELECT contact_id, body FROM referral_counts WHERE org_id = $1 ORDER BY contact_id, day",
                "referral_counts"
            ),
            lost: all!(
                "SELECT account_id, body FROM lost_accounts WHERE org_id = $1 ORDER BY account_id",
                "lost_accounts"
            ),
            no_fits: all!(
                "SELECT account_id, body FROM no_fits WHERE org_id = $1 ORDER BY account_id",
                "no_fits"
            ),
        };
        tx.commit()
            .await
            .map_err(StoreError::db("ending the export's read transaction"))?;
        // Pages come in id order but `string_agg` need not keep it within a page; and
        // `day` sorts as text in SQL. Both sorts are a linear check when already in order.
        sort_by(&mut data.accounts, |a| a.id);
        sort_by(&mut data.contacts, |c| c.id);
        sort_by(&mut data.touches, |t| t.id);
        sort_by(&mut data.referrals, |r| (r.contact, r.day));
        Ok(data)
    }

    async fn row_counts(&self, org: OrgId) -> Result<RowCounts, StoreError> {
        let mut tx = self.read_tx().await?;
        let mut counts = [0u64; 8];
        let tables = [
            "users",
            "accounts",
            "contacts",
            "topics",
            "touches",
            "referral_counts",
            "lost_accounts",
            "no_fits",
        ];
        for (count, table) in counts.iter_mut().zip(tables) {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1");
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.0)
                .fetch_one(&mut *tx)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(StoreError::db(format!("counting {table}")))?;
            *count = n.unsigned_abs();
        }
        tx.commit()
            .await
            .map_err(StoreError::db("ending the count's read transaction"))?;
        let [
            users,
            accounts,
            contacts,
            topics,
            touches,
            referrals,
            lost,
            no_fits,
        ] = counts;
        Ok(RowCounts {
            users,
            accounts,
            contacts,
            topics,
            touches,
            referrals,
            lost,
            no_fits,
        })
    }

    async fn users(&self, org: OrgId) -> Result<Vec<User>, StoreError> {
        let mut conn = self.conn().await?;
        let query =
            sqlx::query("SELECT id, body FROM users WHERE org_id = $1 ORDER BY id").bind(org.0);
        fetch_all(&mut conn, query, "users").await
    }

    async fn save_user(&self, org: OrgId, user: &User) -> Result<(), StoreError> {
        self.save_one(org, user, ("organisation", "organisations", org.0))
            .await
    }

    async fn territory(&self, org: OrgId, rep: UserId) -> Result<Territory, StoreError> {
        let mut tx = self.read_tx().await?;
        // Each query reaches the rep's rows through accounts (org_id, rep_id) and the
        // child tables' (org_id, account_id) indexes: no id lists are sent back.
        // `CROSS JOIN` makes SQLite keep `accounts` as the outer loop; without
        // statistics its planner may otherwise scan every row of the organisation
        // (seconds instead of milliseconds at 1M touches). PostgreSQL treats it as a
        // plain inner join and plans as usual. The join conditions sit in WHERE because
        // PostgreSQL allows no ON after CROSS JOIN.
        macro_rules! rep_rows {
            ($sql:literal, $table:literal) => {
                fetch_all(&mut tx, sqlx::query($sql).bind(org.0).bind(rep.0), $table).await?
            };
        }
        macro_rules! by_account {
            ($table:literal) => {{
                let mut out = Vec::new();
                scan_by_account(&mut tx, $table, org, rep, |r| out.push(r)).await?;
                out
            }};
        }
        let mut territory = Territory {
            accounts: rep_rows!(
                "SELECT id, body FROM accounts WHERE org_id = $1 AND rep_id = $2 ORDER BY id",
                "accounts"
            ),
            contacts: by_account!("contacts"),
            topics: fetch_all(
                &mut tx,
                sqlx::query("SELECT id, body FROM topics WHERE org_id = $1 ORDER BY id")
                    .bind(org.0),
                "topics",
            )
            .await?,
            // Sorted in Rust: a SQL sort would copy every body through a temporary b-tree.
            touches: by_account!("touches"),
            referrals: rep_rows!(
                "SELECT r.contact_id, r.body FROM accounts a \
                 CROSS JOIN contacts c \
                 CROSS JOIN referral_counts r \
                 WHERE a.org_id = $1 AND a.rep_id = $2 \
                 AND c.org_id = a.org_id AND c.account_id = a.id \
                 AND r.org_id = c.org_id AND r.contact_id = c.id",
                "referral_counts"
            ),
            lost: rep_rows!(
                "SELECT l.account_id, l.body FROM accounts a \
                 CROSS JOIN lost_accounts l \
                 WHERE a.org_id = $1 AND a.rep_id = $2 \
                 AND l.org_id = a.org_id AND l.account_id = a.id ORDER BY l.account_id",
                "lost_accounts"
            ),
            no_fits: rep_rows!(
                "SELECT n.account_id, n.body FROM accounts a \
                 CROSS JOIN no_fits n \
                 WHERE a.org_id = $1 AND a.rep_id = $2 \
                 AND n.org_id = a.org_id AND n.account_id = a.id ORDER BY n.account_id",
                "no_fits"
            ),
        };
        tx.commit()
            .await
            .map_err(StoreError::db("ending the territory's read transaction"))?;
        sort_territory(&mut territory);
        Ok(territory)
    }

    async fn all_territories(&self, org: OrgId) -> Result<Vec<(UserId, Territory)>, StoreError> {
        let mut tx = self.read_tx().await?;
        macro_rules! scan_all {
            ($sql:literal, $table:literal, $sink:expr) => {
                scan(&mut tx, sqlx::query($sql).bind(org.0), $table, $sink).await?
            };
        }
        let users: Vec<User> = fetch_all(
            &mut tx,
            sqlx::query("SELECT id, body FROM users WHERE org_id = $1 ORDER BY id").bind(org.0),
            "users",
        )
        .await?;
        let topics: Vec<Topic> = fetch_all(
            &mut tx,
            sqlx::query("SELECT id, body FROM topics WHERE org_id = $1 ORDER BY id").bind(org.0),
            "topics",
        )
        .await?;

        // Territories by slot; records are routed to a slot through these maps.
        let mut slots: Vec<(UserId, Territory)> = Vec::new();
        let mut slot_of_user: HashMap<UserId, usize> = HashMap::new();
        for u in users.iter().filter(|u| u.role == Role::Rep) {
            slot_of_user.insert(u.id, slots.len());
            slots.push((u.id, Territory::default()));
        }
        let mut slot_of_account: HashMap<AccountId, usize> = HashMap::new();
        scan_packed(&mut tx, "accounts", org, |a: Account| {
            let slot = *slot_of_user.entry(a.rep).or_insert_with(|| {
                slots.push((a.rep, Territory::default()));
                slots.len() - 1
            });
            slot_of_account.insert(a.id, slot);
            slots[slot].1.accounts.push(a);
        })
        .await?;
        // Foreign keys guarantee every child's account exists; a miss would mean a
        // concurrent write outside this snapshot, which the transaction rules out.
        let mut slot_of_contact: HashMap<ContactId, usize> = HashMap::new();
        scan_packed(&mut tx, "contacts", org, |c: Contact| {
            if let Some(&slot) = slot_of_account.get(&c.account) {
                slot_of_contact.insert(c.id, slot);
                slots[slot].1.contacts.push(c);
            }
        })
        .await?;
        scan_packed(&mut tx, "touches", org, |t: Touch| {
            if let Some(&slot) = slot_of_account.get(&t.account) {
                slots[slot].1.touches.push(t);
            }
        })
        .await?;
        scan_all!(
            "SELECT contact_id, body FROM referral_counts WHERE org_id = $1",
            "referral_counts",
            |r: ReferralCount| {
                if let Some(&slot) = slot_of_contact.get(&r.contact) {
                    slots[slot].1.referrals.push(r);
                }
            }
        );
        scan_all!(
            "SELECT account_id, body FROM lost_accounts WHERE org_id = $1",
            "lost_accounts",
            |l: LostAccount| {
                if let Some(&slot) = slot_of_account.get(&l.account) {
                    slots[slot].1.lost.push(l);
                }
            }
        );
        scan_all!(
            "SELECT account_id, body FROM no_fits WHERE org_id = $1",
            "no_fits",
            |n: NoFit| {
                if let Some(&slot) = slot_of_account.get(&n.account) {
                    slots[slot].1.no_fits.push(n);
                }
            }
        );
        tx.commit()
            .await
            .map_err(StoreError::db("ending the territories' read transaction"))?;

        for (_, territory) in &mut slots {
            territory.topics = topics.clone();
            sort_territory(territory);
        }
        slots.sort_by_key(|(user, _)| *user);
        Ok(slots)
    }

    async fn accounts(&self, org: OrgId, rep: Option<UserId>) -> Result<Vec<Account>, StoreError> {
        let mut conn = self.conn().await?;
        let query = match rep {
            Some(rep) => sqlx::query(
                "SELECT id, body FROM accounts WHERE org_id = $1 AND rep_id = $2 ORDER BY id",
            )
            .bind(org.0)
            .bind(rep.0),
            None => sqlx::query("SELECT id, body FROM accounts WHERE org_id = $1 ORDER BY id")
                .bind(org.0),
        };
        fetch_all(&mut conn, query, "accounts").await
    }

    async fn account(&self, org: OrgId, id: AccountId) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query("SELECT id, body FROM accounts WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0);
        fetch_one(&mut conn, query, "accounts").await
    }

    async fn save_account(&self, org: OrgId, account: &Account) -> Result<(), StoreError> {
        self.save_one(org, account, ("user", "users", account.rep.0))
            .await
    }

    async fn contacts(
        &self,
        org: OrgId,
        account: Option<AccountId>,
    ) -> Result<Vec<Contact>, StoreError> {
        let mut conn = self.conn().await?;
        let query = match account {
            Some(account) => sqlx::query(
                "SELECT id, body FROM contacts WHERE org_id = $1 AND account_id = $2 ORDER BY id",
            )
            .bind(org.0)
            .bind(account.0),
            None => sqlx::query("SELECT id, body FROM contacts WHERE org_id = $1 ORDER BY id")
                .bind(org.0),
        };
        fetch_all(&mut conn, query, "contacts").await
    }

    async fn contact(&self, org: OrgId, id: ContactId) -> Result<Option<Contact>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query("SELECT id, body FROM contacts WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0);
        fetch_one(&mut conn, query, "contacts").await
    }

    async fn save_contact(&self, org: OrgId, contact: &Contact) -> Result<(), StoreError> {
        self.save_one(org, contact, ("account", "accounts", contact.account.0))
            .await
    }

    async fn topics(&self, org: OrgId) -> Result<Vec<Topic>, StoreError> {
        let mut conn = self.conn().await?;
        let query =
            sqlx::query("SELECT id, body FROM topics WHERE org_id = $1 ORDER BY id").bind(org.0);
        fetch_all(&mut conn, query, "topics").await
    }

    async fn topic(&self, org: OrgId, id: TopicId) -> Result<Option<Topic>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query("SELECT id, body FROM topics WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0);
        fetch_one(&mut conn, query, "topics").await
    }

    async fn save_topic(&self, org: OrgId, topic: &Topic) -> Result<(), StoreError> {
        self.save_one(org, topic, ("organisation", "organisations", org.0))
            .await
    }

    async fn add_touch(&self, org: OrgId, touch: &Touch) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let belongs_to: i64 =
            sqlx::query("SELECT account_id FROM contacts WHERE org_id = $1 AND id = $2")
                .bind(org.0)
                .bind(touch.contact.0)
                .fetch_optional(&mut *tx)
                .await
                .and_then(|row| row.map(|r| r.try_get(0)).transpose())
                .map_err(StoreError::db(format!(
                    "looking up contact {}",
                    touch.contact
                )))?
                .ok_or(StoreError::NotFound {
                    what: "contact",
                    id: touch.contact.0,
                })?;
        if belongs_to != touch.account.0 {
            return Err(StoreError::AccountMismatch {
                contact: touch.contact.0,
                belongs_to,
                claimed: touch.account.0,
            });
        }
        require(&mut tx, org, "user", "users", touch.rep.0).await?;
        insert_rows(
            &mut tx,
            self.backend,
            org.0,
            std::slice::from_ref(touch),
            OnConflict::Fail,
        )
        .await?;
        commit(tx, "touches").await
    }

    async fn touches_for_contact(
        &self,
        org: OrgId,
        contact: ContactId,
    ) -> Result<Vec<Touch>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query(
            "SELECT id, body FROM touches WHERE org_id = $1 AND contact_id = $2 ORDER BY at, at_nanos, id",
        )
        .bind(org.0)
        .bind(contact.0);
        fetch_all(&mut conn, query, "touches").await
    }

    async fn add_referral(&self, org: OrgId, referral: &ReferralCount) -> Result<(), StoreError> {
        self.save_one(org, referral, ("contact", "contacts", referral.contact.0))
            .await
    }

    async fn record_lost(&self, org: OrgId, lost: &LostAccount) -> Result<(), StoreError> {
        self.close_account(org, lost, lost.account, AccountStatus::Lost)
            .await
    }

    async fn record_no_fit(&self, org: OrgId, no_fit: &NoFit) -> Result<(), StoreError> {
        self.close_account(org, no_fit, no_fit.account, AccountStatus::NoFit)
            .await
    }

    async fn next_id(&self, org: OrgId, kind: IdKind) -> Result<i64, StoreError> {
        let sql = match kind {
            IdKind::User => "SELECT COALESCE(MAX(id), 0) + 1 FROM users WHERE org_id = $1",
            IdKind::Account => "SELECT COALESCE(MAX(id), 0) + 1 FROM accounts WHERE org_id = $1",
            IdKind::Contact => "SELECT COALESCE(MAX(id), 0) + 1 FROM contacts WHERE org_id = $1",
            IdKind::Topic => "SELECT COALESCE(MAX(id), 0) + 1 FROM topics WHERE org_id = $1",
            IdKind::Touch => "SELECT COALESCE(MAX(id), 0) + 1 FROM touches WHERE org_id = $1",
        };
        let mut conn = self.conn().await?;
        sqlx::query(sql)
            .bind(org.0)
            .fetch_one(&mut *conn)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(StoreError::db(format!("finding the next {kind:?} id")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every migration file is embedded, in order, and nothing else is.
    #[test]
    fn embedded_migrations_match_the_directories() {
        for (dir, list) in [
            ("sqlite", SQLITE_MIGRATIONS),
            ("postgres", POSTGRES_MIGRATIONS),
        ] {
            let path = format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<(String, String)> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read_to_string(&p).unwrap(),
                    )
                })
                .collect();
            files.sort();
            let embedded: Vec<(String, String)> = list
                .iter()
                .map(|(v, d, sql)| {
                    (
                        format!("{v:04}_{}.sql", d.replace(' ', "_")),
                        sql.to_string(),
                    )
                })
                .collect();
            assert_eq!(
                files, embedded,
                "migrations/{dir} and the embedded list differ"
            );
        }
    }

    #[test]
    fn backend_from_url() {
        assert_eq!(
            Backend::from_url("sqlite:rounds.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(matches!(
            Backend::from_url("mysql://x"),
            Err(StoreError::UnsupportedUrl { .. })
        ));
    }

    #[test]
    fn redact_hides_passwords() {
        sqlx::any::install_default_drivers();
        let shown = redact("postgres://rounds:hunter2@db.example:5432/rounds");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example"), "{shown}");
    }
}
