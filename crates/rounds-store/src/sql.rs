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
//! Territories and exports are read account by account, one row per account with each
//! child table's bodies packed into one text value (see [`ACCOUNT_ROWS`]), because
//! per-row overhead in the driver, not the databases, was what limited them. One query
//! serves a rep's territory, every territory and the export, so they share one decoding
//! path.

use std::cmp::Reverse;
use std::collections::binary_heap::PeekMut;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt;
use std::future::poll_fn;
use std::str::FromStr;
use std::sync::Arc;

use rounds_core::book::{ExternalChunk, ExternalCounts, ExternalId, ExternalKind};
use rounds_core::export::OrgData;
use rounds_core::model::{
    Account, AccountId, AccountStatus, BusyTime, Contact, ContactId, LostAccount, NoFit, OrgId,
    Organisation, ReferralCount, RepCalendar, Role, StepUpdate, Territory, TimeOff, TimeOffId,
    Topic, TopicId, Touch, TouchId, User, UserId, WorkWeek,
};
use sqlx::any::{AnyArguments, AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Row, SqlSafeStr, Transaction};

use jiff::Timestamp;
use rounds_core::audit::{AuditActor, AuditReport, BodyHasher, Change, body_digest};

use crate::audit::{self, Acting, AuditPage, AuditQuery, body_of, change_of};
use crate::body::Body;
use crate::error::BodyError;
use crate::tables::{
    OnConflict, Stored, check_unique, decode, decode_at, insert_rows, insert_rows_hashed,
};
use crate::warm::WarmTerritories;
use crate::{
    ApiToken, BusyChange, CalendarFeed, Credentials, IdKind, Rollback, RowCounts, Session, Store,
    StoreError, WriteMode,
};

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
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "people",
        include_str!("../migrations/sqlite/0002_people.sql"),
    ),
    (
        3,
        "calendar",
        include_str!("../migrations/sqlite/0003_calendar.sql"),
    ),
    (
        4,
        "step_updates",
        include_str!("../migrations/sqlite/0004_step_updates.sql"),
    ),
    (
        5,
        "token_lifetimes",
        include_str!("../migrations/sqlite/0005_token_lifetimes.sql"),
    ),
    (
        6,
        "audit",
        include_str!("../migrations/sqlite/0006_audit.sql"),
    ),
    (
        7,
        "external_ids",
        include_str!("../migrations/sqlite/0007_external_ids.sql"),
    ),
    (
        8,
        "calendar_feed",
        include_str!("../migrations/sqlite/0008_calendar_feed.sql"),
    ),
    (
        9,
        "templates",
        include_str!("../migrations/sqlite/0009_templates.sql"),
    ),
    (
        10,
        "outbox",
        include_str!("../migrations/sqlite/0010_outbox.sql"),
    ),
    (
        11,
        "capture",
        include_str!("../migrations/sqlite/0011_capture.sql"),
    ),
    (
        12,
        "ledger",
        include_str!("../migrations/sqlite/0012_ledger.sql"),
    ),
    (
        13,
        "rep_summaries",
        include_str!("../migrations/sqlite/0013_rep_summaries.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "people",
        include_str!("../migrations/postgres/0002_people.sql"),
    ),
    (
        3,
        "calendar",
        include_str!("../migrations/postgres/0003_calendar.sql"),
    ),
    (
        4,
        "step_updates",
        include_str!("../migrations/postgres/0004_step_updates.sql"),
    ),
    (
        5,
        "token_lifetimes",
        include_str!("../migrations/postgres/0005_token_lifetimes.sql"),
    ),
    (
        6,
        "audit",
        include_str!("../migrations/postgres/0006_audit.sql"),
    ),
    (
        7,
        "external_ids",
        include_str!("../migrations/postgres/0007_external_ids.sql"),
    ),
    (
        8,
        "calendar_feed",
        include_str!("../migrations/postgres/0008_calendar_feed.sql"),
    ),
    (
        9,
        "templates",
        include_str!("../migrations/postgres/0009_templates.sql"),
    ),
    (
        10,
        "outbox",
        include_str!("../migrations/postgres/0010_outbox.sql"),
    ),
    (
        11,
        "capture",
        include_str!("../migrations/postgres/0011_capture.sql"),
    ),
    (
        12,
        "ledger",
        include_str!("../migrations/postgres/0012_ledger.sql"),
    ),
    (
        13,
        "rep_summaries",
        include_str!("../migrations/postgres/0013_rep_summaries.sql"),
    ),
];

/// Set on every SQLite connection. WAL lets the planner read while a write is under way;
/// NORMAL sync is durable across application crashes and only risks the last commits on
/// power loss, which WAL makes safe to accept; foreign keys are off in SQLite unless
/// asked for; the busy timeout makes a second writer wait instead of failing at once;
/// the larger page cache (`SQLITE_CACHE`) keeps index pages hot during bulk writes.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// Every SQLite connection's page cache: 64 MiB.
pub(crate) const SQLITE_CACHE: &str = "PRAGMA cache_size = -65536";

/// A connection pool to one Rounds database, SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    /// Where write transactions start. On a SQLite file, a pool of one connection, so
    /// concurrent writers wait their turn in the pool's queue, woken as soon as the
    /// writer before them commits, rather than in SQLite's busy handler, which sleeps
    /// 1, 2, 5, 10… ms between tries and leaves the database idle meanwhile. Elsewhere
    /// the same pool as `pool`.
    writer: AnyPool,
    backend: Backend,
    /// Who the rows this handle appends to the audit log name, and when.
    acting: Acting,
    /// Territories kept between plans, shared by every handle on the same pool.
    warm: Arc<WarmTerritories>,
}

impl SqlStore {
    /// Connects to `sqlite:PATH` (the file is created if missing) or
    /// `postgres://USER@HOST/DB`, and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let (url, options, writer_options) = match backend {
            Backend::Sqlite => {
                let (url, options) = sqlite_pool(url, 4);
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let writer = (!in_memory).then(|| sqlite_pool(&url, 1).1);
                (url, options, writer)
            }
            Backend::Postgres => (
                url.to_string(),
                AnyPoolOptions::new().max_connections(8),
                None,
            ),
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
        let writer = match writer_options {
            Some(options) => options
                .connect(&url)
                .await
                .map_err(|source| StoreError::Connect {
                    url: redact(&url),
                    source,
                })?,
            None => pool.clone(),
        };
        Ok(SqlStore {
            pool,
            writer,
            backend,
            acting: Acting::UNBOUND,
            warm: Arc::default(),
        })
    }

    /// A handle on the same pool whose writes are logged as made by `actor` at `at`
    /// (the caller's clock: the web binds one per request, the command line one per
    /// run). A handle never bound logs `system` at 0.
    pub fn acting_as(&self, actor: AuditActor, at: Timestamp) -> SqlStore {
        SqlStore {
            acting: Acting::new(actor, at),
            ..self.clone()
        }
    }

    pub(crate) fn warm(&self) -> &WarmTerritories {
        &self.warm
    }

    /// Who and when this handle's writes are logged as.
    pub fn acting(&self) -> Acting {
        self.acting
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection, waiting for those in use; needed before a database can
    /// be dropped. On SQLite the write-ahead log is first folded into the main file and
    /// emptied, so the `.db` file alone holds everything (a plain copy is a backup).
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            // Best effort: a failed checkpoint leaves the WAL beside the file, which
            // SQLite replays on the next open, so nothing is lost and closing goes on.
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
                .ok();
        }
        self.writer.close().await;
        self.pool.close().await;
    }

    /// Writes a consistent copy of the whole SQLite database to `path` while it stays in
    /// use (`VACUUM INTO`: one read transaction, the copy compacted and self-contained).
    /// The file must not exist yet. PostgreSQL is backed up with its own tools
    /// (`pg_dump`), which this refuses with that advice.
    pub async fn backup(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BackupUnsupported);
        }
        let target = path.to_str().ok_or(StoreError::BackupPath)?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string())
            .execute(&self.pool)
            .await
            .map_err(StoreError::db("copying the database"))?;
        Ok(())
    }

    pub(crate) async fn write_tx(&self) -> Result<Transaction<'static, Any>, StoreError> {
        self.writer
            .begin_with(self.backend.begin_write())
            .await
            .map_err(StoreError::db("starting a write transaction"))
    }

    pub(crate) async fn read_tx(&self) -> Result<Transaction<'static, Any>, StoreError> {
        self.pool
            .begin_with(self.backend.begin_read())
            .await
            .map_err(StoreError::db("starting a read transaction"))
    }

    /// A connection for a write of one statement outside a transaction (see `writer`).
    pub(crate) async fn write_conn(&self) -> Result<sqlx::pool::PoolConnection<Any>, StoreError> {
        self.writer
            .acquire()
            .await
            .map_err(StoreError::db("taking a connection from the pool"))
    }

    pub(crate) async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>, StoreError> {
        self.pool
            .acquire()
            .await
            .map_err(StoreError::db("taking a connection from the pool"))
    }

    /// One row of a lookup by id (`$1` the organisation, `$2` the id, `a` the accounts
    /// alias) narrowed to the reps' accounts: one query whether the record is missing or
    /// out of scope, so the two cannot be told apart by the work done.
    async fn scoped_row(
        &self,
        select: &str,
        org: OrgId,
        id: i64,
        reps: Option<&[UserId]>,
        table: &'static str,
    ) -> Result<Option<AnyRow>, StoreError> {
        let sql = format!("{select}{}", rep_filter(reps));
        let query = bind_reps(sqlx::query(AssertSqlSafe(sql)).bind(org.0).bind(id), reps);
        let mut conn = self.conn().await?;
        query
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::db(format!("reading {table}")))
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
        let before = body_of(&mut tx, org, record).await?;
        insert_rows(
            &mut tx,
            self.backend,
            org.0,
            std::slice::from_ref(record),
            OnConflict::Update,
        )
        .await?;
        let after = body_of(&mut tx, org, record).await?;
        let change = change_of(record, before, after);
        audit::append(&mut tx, org, self.acting, vec![change]).await?;
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
        let account_before: Option<String> = row
            .try_get(1)
            .map_err(StoreError::db("reading an account"))?;
        stored.status = status;
        let record_before = body_of(&mut tx, org, record).await?;
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
        let changes = vec![
            change_of(
                &stored,
                account_before,
                body_of(&mut tx, org, &stored).await?,
            )
            .with_detail(format!("status {}", status.as_str())),
            change_of(record, record_before, body_of(&mut tx, org, record).await?),
        ];
        audit::append(&mut tx, org, self.acting, changes).await?;
        commit(tx, T::TABLE.name).await
    }
}

/// [`Store::add_touch`]'s checks: the contact exists in the touch's account, the rep
/// exists.
async fn check_touch(
    conn: &mut AnyConnection,
    org: OrgId,
    touch: &Touch,
) -> Result<(), StoreError> {
    let belongs_to: i64 =
        sqlx::query("SELECT account_id FROM contacts WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(touch.contact.0)
            .fetch_optional(&mut *conn)
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
    require(conn, org, "user", "users", touch.rep.0).await
}

impl SqlStore {
    /// Inserts a checked touch and appends its audit row, in the caller's transaction.
    async fn write_touch(
        &self,
        conn: &mut AnyConnection,
        org: OrgId,
        touch: &Touch,
    ) -> Result<(), StoreError> {
        insert_rows(
            conn,
            self.backend,
            org.0,
            std::slice::from_ref(touch),
            OnConflict::Fail,
        )
        .await?;
        let change = change_of(touch, None, body_of(conn, org, touch).await?);
        audit::append(conn, org, self.acting, vec![change]).await
    }
}

/// Normalises a SQLite URL (create the file if missing) and sizes the pool.
fn sqlite_pool(url: &str, connections: u32) -> (String, AnyPoolOptions) {
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
                sqlx::raw_sql(SQLITE_PRAGMAS).execute(&mut *conn).await?;
                sqlx::raw_sql(SQLITE_CACHE).execute(&mut *conn).await?;
                Ok(())
            })
        })
        .max_connections(connections);
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

pub(crate) async fn commit(
    tx: Transaction<'static, Any>,
    table: &'static str,
) -> Result<(), StoreError> {
    tx.commit()
        .await
        .map_err(StoreError::db(format!("committing a write to {table}")))
}

/// Fails with `NotFound` unless `table` has row `id` in the organisation (`organisations`
/// is keyed by `id` alone).
pub(crate) async fn require(
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
async fn scan<T: Body>(
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

async fn fetch_all<T: Body>(
    conn: &mut AnyConnection,
    query: Query<'_, Any, AnyArguments>,
    table: &'static str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    scan(conn, query, table, |t| out.push(t)).await?;
    Ok(out)
}

/// The condition of a scoped read on the account's rep (`a.rep_id`), its values bound
/// from `$3` on by [`bind_reps`]; nothing for `None` (every rep), and a condition no row
/// meets for an empty list.
fn rep_filter(reps: Option<&[UserId]>) -> String {
    match reps {
        None => String::new(),
        Some([]) => " AND 1 = 0".to_string(),
        Some(reps) => {
            let marks: Vec<String> = (0..reps.len()).map(|i| format!("${}", i + 3)).collect();
            format!(" AND a.rep_id IN ({})", marks.join(", "))
        }
    }
}

fn bind_reps<'q>(
    mut query: Query<'q, Any, AnyArguments>,
    reps: Option<&[UserId]>,
) -> Query<'q, Any, AnyArguments> {
    for rep in reps.unwrap_or_default() {
        query = query.bind(rep.0);
    }
    query
}

async fn fetch_one<T: Body>(
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

/// Separator of the bodies packed into one text value; no body holds a raw newline (JSON
/// escapes it, and so does the text form of `body`). A `char`, so that splitting on it
/// is a memchr, not a substring search.
const PACK_SEPARATOR: char = '\n';

/// Every account of an organisation with everything stored under it, one row per
/// account: the account's body, then its contacts, touches and referral counts each
/// packed by `string_agg` into one value, then its lost and no-fit records and its
/// packed step updates.
///
/// Why this shape: sqlx's SQLite driver hands each row from its worker thread to the
/// caller through a channel of 50 rows, and per-row hand-offs (thread wake-ups, copies)
/// cost more than SQLite's own work, so child rows are packed. One row per account keeps
/// every value small, bounds memory however large the organisation, and makes the whole
/// read one pipeline: the caller parses an account's rows while SQLite's worker reads
/// the next accounts. The correlated subqueries walk the child tables' account indexes
/// (on SQLite, the touches' clustered key) with no sort, on either database. Bodies are
/// packed without their ids: prefixing each cost a third of SQLite's time; see
/// [`corrupt`] for how a bad body is traced back to its row. The `CROSS JOIN` keeps
/// SQLite's join order as written (see `territory`).
const ACCOUNT_ROWS: &str = "SELECT a.body, \
    (SELECT string_agg(x.body, $2) FROM contacts x \
     WHERE x.org_id = a.org_id AND x.account_id = a.id), \
    (SELECT string_agg(x.body, $2) FROM touches x \
     WHERE x.org_id = a.org_id AND x.account_id = a.id), \
    (SELECT string_agg(x.body, $2) FROM contacts c CROSS JOIN referral_counts x \
     WHERE c.org_id = a.org_id AND c.account_id = a.id \
     AND x.org_id = c.org_id AND x.contact_id = c.id), \
    (SELECT x.body FROM lost_accounts x WHERE x.org_id = a.org_id AND x.account_id = a.id), \
    (SELECT x.body FROM no_fits x WHERE x.org_id = a.org_id AND x.account_id = a.id), \
    (SELECT string_agg(x.body, $2) FROM step_updates x \
     WHERE x.org_id = a.org_id AND x.account_id = a.id) \
    FROM accounts a WHERE a.org_id = $1";

/// Which accounts [`scan_accounts`] reads.
#[derive(Debug, Clone, Copy)]
enum Accounts {
    OfRep(UserId),
    All,
}

/// Where [`scan_accounts`] puts what it reads: one territory for everything (a rep's
/// territory, or an export), or one per rep, created as reps turn up.
#[derive(Debug)]
struct Gather {
    slots: Vec<(UserId, Territory)>,
    /// `None` when everything goes into the one slot.
    slot_of_rep: Option<HashMap<UserId, usize>>,
}

impl Gather {
    fn one(territory: Territory) -> Self {
        Gather {
            slots: vec![(UserId(0), territory)],
            slot_of_rep: None,
        }
    }

    fn by_rep(reps: impl IntoIterator<Item = UserId>) -> Self {
        let slots: Vec<(UserId, Territory)> = reps
            .into_iter()
            .map(|rep| (rep, Territory::default()))
            .collect();
        let slot_of_rep = slots
            .iter()
            .enumerate()
            .map(|(i, (rep, _))| (*rep, i))
            .collect();
        Gather {
            slots,
            slot_of_rep: Some(slot_of_rep),
        }
    }

    /// The slot of `rep`'s territory.
    fn slot(&mut self, rep: UserId) -> usize {
        let Gather { slots, slot_of_rep } = self;
        match slot_of_rep {
            None => 0,
            Some(slot_of_rep) => *slot_of_rep.entry(rep).or_insert_with(|| {
                slots.push((rep, Territory::default()));
                slots.len() - 1
            }),
        }
    }

    fn into_one(self) -> Territory {
        self.slots
            .into_iter()
            .next()
            .map(|(_, t)| t)
            .unwrap_or_default()
    }
}

/// A body that did not parse: (table, the table's id column, body, why).
type Failure = (&'static str, &'static str, String, BodyError);

/// What can stop [`scan_accounts`] part-way.
#[derive(Debug)]
enum Fault {
    Database(sqlx::Error),
    Body(Failure),
}

impl From<sqlx::Error> for Fault {
    fn from(e: sqlx::Error) -> Self {
        Fault::Database(e)
    }
}

impl From<Failure> for Fault {
    fn from(failure: Failure) -> Self {
        Fault::Body(failure)
    }
}

/// Reads [`ACCOUNT_ROWS`] for `accounts` into `gather`, each account's records into the
/// territory of the account's rep. Touches come back sorted by `touch_key`; the other
/// records unsorted.
async fn scan_accounts<K: Ord>(
    conn: &mut AnyConnection,
    org: OrgId,
    accounts: Accounts,
    gather: &mut Gather,
    touch_key: impl Fn(&Touch) -> K + Copy,
) -> Result<(), StoreError> {
    let query = match accounts {
        Accounts::OfRep(rep) => {
            sqlx::query(AssertSqlSafe(format!("{ACCOUNT_ROWS} AND a.rep_id = $3")))
                .bind(org.0)
                .bind(String::from(PACK_SEPARATOR))
                .bind(rep.0)
        }
        Accounts::All => sqlx::query(ACCOUNT_ROWS)
            .bind(org.0)
            .bind(String::from(PACK_SEPARATOR)),
    };
    let result = async {
        let mut touches = Runs::new();
        let mut rows = query.fetch(&mut *conn);
        while let Some(row) = poll_fn(|cx| rows.as_mut().poll_next(cx)).await {
            gather_account(&row?, gather, &mut touches)?;
        }
        for (slot, runs) in touches.into_iter().enumerate() {
            gather.slots[slot].1.touches = merge_runs(runs, touch_key);
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(()),
        Err(Fault::Database(e)) => Err(StoreError::db("reading accounts")(e)),
        Err(Fault::Body((table, id_column, body, source))) => {
            Err(corrupt(conn, org, (table, id_column), &body, source).await)
        }
    }
}

/// Each territory slot's touches as they were read: one run per account.
type Runs = Vec<Vec<Vec<Touch>>>;

/// Parses one row of [`ACCOUNT_ROWS`] into the territory of the account's rep, its
/// touches as one more run of that territory's `touches`.
fn gather_account(row: &AnyRow, gather: &mut Gather, touches: &mut Runs) -> Result<(), Fault> {
    let account: Option<&str> = row.try_get(0)?;
    let contacts = row.try_get(1)?;
    let packed_touches: Option<&str> = row.try_get(2)?;
    let referrals = row.try_get(3)?;
    let lost = row.try_get(4)?;
    let no_fit = row.try_get(5)?;
    let step_updates = row.try_get(6)?;
    // Never NULL: `body` is NOT NULL.
    let account: Account = parse(account.unwrap_or_default())?;
    let slot = gather.slot(account.rep);
    let t = &mut gather.slots[slot].1;
    t.accounts.push(account);
    unpack_into(contacts, &mut t.contacts)?;
    unpack_into(referrals, &mut t.referrals)?;
    unpack_into(lost, &mut t.lost)?;
    unpack_into(no_fit, &mut t.no_fits)?;
    unpack_into(step_updates, &mut t.step_updates)?;
    if let Some(packed) = packed_touches {
        // Sized exactly, so that no run is ever moved to grow.
        let count = 1 + packed
            .bytes()
            .map(|b| usize::from(b == PACK_SEPARATOR as u8))
            .sum::<usize>();
        let mut run = Vec::with_capacity(count);
        unpack_into(Some(packed), &mut run)?;
        if touches.len() <= slot {
            touches.resize_with(slot + 1, Vec::new);
        }
        touches[slot].push(run);
    }
    Ok(())
}

/// Merges runs into one list sorted by `key`, allocated once, receiving each record
/// once. Each run is sorted first, which is a linear check for the runs SQLite returns
/// (in id order, which is almost always time order). Sorting the concatenated touches
/// instead, by cached key, moved every 200-byte record several times and took half as
/// long again.
fn merge_runs<T, K: Ord>(mut runs: Vec<Vec<T>>, key: impl Fn(&T) -> K) -> Vec<T> {
    for run in &mut runs {
        sort_by(run, &key);
    }
    let mut merged = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    let mut runs: Vec<std::vec::IntoIter<T>> = runs.into_iter().map(Vec::into_iter).collect();
    // The key of each run's next record, smallest on top.
    let mut heads: BinaryHeap<Reverse<(K, usize)>> = runs
        .iter()
        .enumerate()
        .filter_map(|(i, run)| run.as_slice().first().map(|t| Reverse((key(t), i))))
        .collect();
    while let Some(mut head) = heads.peek_mut() {
        let run = head.0.1;
        merged.extend(runs[run].next());
        match runs[run].as_slice().first() {
            Some(next) => head.0.0 = key(next),
            None => {
                PeekMut::pop(head);
            }
        }
    }
    merged
}

/// Parses packed bodies (NULL for none) onto `out`.
fn unpack_into<T: Stored>(packed: Option<&str>, out: &mut Vec<T>) -> Result<(), Failure> {
    if let Some(packed) = packed {
        for body in packed.split(PACK_SEPARATOR) {
            out.push(parse(body)?);
        }
    }
    Ok(())
}

fn parse<T: Stored>(body: &str) -> Result<T, Failure> {
    T::from_body(body).map_err(|e| {
        let table = &T::TABLE;
        (table.name, table.id_column(), body.to_string(), e)
    })
}

/// The error for a packed body that did not parse. Packed values hold bodies alone, so
/// the row is found again by its body: a second query, but only on this path; id 0 if
/// even that fails.
async fn corrupt(
    conn: &mut AnyConnection,
    org: OrgId,
    (table, id_column): (&'static str, &'static str),
    body: &str,
    source: BodyError,
) -> StoreError {
    let sql = format!("SELECT {id_column} FROM {table} WHERE org_id = $1 AND body = $2");
    let id = sqlx::query(AssertSqlSafe(sql))
        .bind(org.0)
        .bind(body)
        .fetch_optional(conn)
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get(0).ok())
        .unwrap_or_default();
    StoreError::Corrupt { table, id, source }
}

/// Sorts by key unless already sorted, which the `ORDER BY` of most queries makes the
/// common case. The cached-key sort moves each (large) record once instead of at every
/// comparison step.
fn sort_by<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    if !items.is_sorted_by_key(&key) {
        items.sort_by_cached_key(key);
    }
}

/// The order of a territory's touches, (at, id), as plain integers: whole seconds and
/// the sub-second part, which carries the sign, order exactly as the timestamp does, and
/// compare more cheaply than jiff's `Timestamp` (a sixth of a merge's time).
pub(crate) fn time_order(t: &Touch) -> (i64, i32, TouchId) {
    (t.at.as_second(), t.at.subsec_nanosecond(), t.id)
}

fn sort_territory(t: &mut Territory) {
    sort_by(&mut t.accounts, |a| a.id);
    sort_by(&mut t.contacts, |c| c.id);
    sort_by(&mut t.topics, |t| t.id);
    sort_by(&mut t.touches, time_order);
    sort_by(&mut t.referrals, |r| (r.contact, r.day));
    sort_by(&mut t.lost, |l| l.account);
    sort_by(&mut t.no_fits, |n| n.account);
    sort_by(&mut t.step_updates, |u| (u.touch, u.seq));
}

/// The calendars (own week, time off by start day) of one rep or of every rep that has
/// either, by rep id, read in the caller's transaction.
async fn calendar_in(
    conn: &mut AnyConnection,
    org: OrgId,
    rep: Option<UserId>,
) -> Result<Vec<(UserId, RepCalendar)>, StoreError> {
    let rep_filter = if rep.is_some() {
        " AND rep_id = $2"
    } else {
        ""
    };
    let weeks_sql = format!(
        "SELECT rep_id, body FROM work_weeks WHERE org_id = $1{rep_filter} ORDER BY rep_id"
    );
    let off_sql = format!(
        "SELECT id, body FROM time_off WHERE org_id = $1{rep_filter} ORDER BY from_day, id"
    );
    let bind = |sql: String| {
        let q = sqlx::query(AssertSqlSafe(sql)).bind(org.0);
        match rep {
            Some(rep) => q.bind(rep.0),
            None => q,
        }
    };
    let weeks: Vec<WorkWeek> = fetch_all(&mut *conn, bind(weeks_sql), "work_weeks").await?;
    let time_off: Vec<TimeOff> = fetch_all(&mut *conn, bind(off_sql), "time_off").await?;
    let mut calendars: BTreeMap<UserId, RepCalendar> = BTreeMap::new();
    for week in weeks {
        let rep = week.rep;
        calendars.entry(rep).or_default().week = Some(week);
    }
    for t in time_off {
        calendars.entry(t.rep).or_default().time_off.push(t);
    }
    for b in crate::feeds::busy_in(&mut *conn, org, rep).await? {
        calendars.entry(b.rep).or_default().busy.push(b);
    }
    Ok(calendars.into_iter().collect())
}

/// Children before parents, so that deleting never trips a foreign key.
const DELETE_ORDER: &[&str] = &[
    "rep_summaries",
    "unsubscribe_tokens",
    "outbox_leases",
    "outbox",
    "external_ids",
    "captured_mail",
    "capture_review",
    "calendar_feeds",
    "busy_times",
    "sessions",
    "api_tokens",
    "credentials",
    "id_counters",
    "transfer_attendees",
    "transfers",
    "work_weeks",
    "time_off",
    "step_updates",
    "touches",
    "referral_counts",
    "lost_accounts",
    "no_fits",
    "contacts",
    "accounts",
    "topics",
    "users",
];

/// What a bulk write held, for its summary row: records per kind, in writing order.
fn bulk_counts(data: &OrgData) -> String {
    let mut counts = [0usize; 11];
    add_counts(&mut counts, data);
    counts_text(&counts)
}

const BULK_KINDS: [&str; 11] = [
    "users",
    "topics",
    "accounts",
    "contacts",
    "touches",
    "referrals",
    "lost",
    "no-fits",
    "work-weeks",
    "time-off",
    "step-updates",
];

fn add_counts(counts: &mut [usize; 11], data: &OrgData) {
    let these = [
        data.users.len(),
        data.topics.len(),
        data.accounts.len(),
        data.contacts.len(),
        data.touches.len(),
        data.referrals.len(),
        data.lost.len(),
        data.no_fits.len(),
        data.work_weeks.len(),
        data.time_off.len(),
        data.step_updates.len(),
    ];
    for (total, n) in counts.iter_mut().zip(these) {
        *total += n;
    }
}

fn counts_text(counts: &[usize; 11]) -> String {
    BULK_KINDS
        .iter()
        .zip(counts)
        .map(|(what, n)| format!("{what}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The one audit row of a bulk write: the digest of every body written, and the counts.
fn bulk_summary(org: OrgId, mode: WriteMode, digest: BodyHasher, counts: &str) -> Change {
    Change::write("organisation", org, None, Some(digest.finish()))
        .named(match mode {
            WriteMode::Replace => "replace",
            WriteMode::Merge => "merge",
        })
        .with_detail(counts.to_string())
}

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
        check_chunk(data)?;
        let org = &data.organisation;
        let mut tx = self.write_tx().await?;
        let (on_conflict, mut digest) = start_org(&mut tx, org, mode).await?;
        write_chunk(&mut tx, self.backend, data, on_conflict, &mut digest).await?;
        let summary = bulk_summary(org.id, mode, digest, &bulk_counts(data));
        audit::append(&mut tx, org.id, self.acting, vec![summary]).await?;
        tx.commit().await.map_err(StoreError::db(format!(
            "committing organisation {}",
            org.id
        )))
    }

    async fn write_org_chunks<I>(&self, mode: WriteMode, chunks: &mut I) -> Result<bool, StoreError>
    where
        I: Iterator<Item = Result<OrgData, Rollback>> + Send,
    {
        let first = match chunks.next() {
            None => return Ok(true),
            Some(Err(Rollback)) => return Ok(false),
            Some(Ok(first)) => first,
        };
        let org = first.organisation.clone();
        check_chunk(&first)?;
        let mut tx = self.write_tx().await?;
        let (on_conflict, mut digest) = start_org(&mut tx, &org, mode).await?;
        let mut counts = [0usize; 11];
        add_counts(&mut counts, &first);
        write_chunk(&mut tx, self.backend, &first, on_conflict, &mut digest).await?;
        drop(first);
        for chunk in chunks {
            let Ok(chunk) = chunk else {
                // Dropping the transaction rolls it back.
                return Ok(false);
            };
            if chunk.organisation.id != org.id {
                return Err(StoreError::MixedChunks {
                    writing: org.id.0,
                    found: chunk.organisation.id.0,
                });
            }
            check_chunk(&chunk)?;
            add_counts(&mut counts, &chunk);
            write_chunk(&mut tx, self.backend, &chunk, on_conflict, &mut digest).await?;
        }
        let summary = bulk_summary(org.id, mode, digest, &counts_text(&counts));
        audit::append(&mut tx, org.id, self.acting, vec![summary]).await?;
        tx.commit().await.map_err(StoreError::db(format!(
            "committing organisation {}",
            org.id
        )))?;
        Ok(true)
    }

    async fn external_ids(
        &self,
        org: OrgId,
        source: &str,
        kind: ExternalKind,
    ) -> Result<Vec<ExternalId>, StoreError> {
        self.q_external_ids(org, source, kind).await
    }

    async fn write_external<I>(
        &self,
        org: OrgId,
        source: &str,
        dry_run: bool,
        chunks: &mut I,
    ) -> Result<Option<ExternalCounts>, StoreError>
    where
        I: Iterator<Item = Result<ExternalChunk, Rollback>> + Send,
    {
        self.q_write_external(org, source, dry_run, chunks).await
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
        let users = all!(
            "SELECT id, body FROM users WHERE org_id = $1 ORDER BY id",
            "users"
        );
        let topics = all!(
            "SELECT id, body FROM topics WHERE org_id = $1 ORDER BY id",
            "topics"
        );
        let work_weeks = all!(
            "SELECT rep_id, body FROM work_weeks WHERE org_id = $1 ORDER BY rep_id",
            "work_weeks"
        );
        let time_off = all!(
            "SELECT id, body FROM time_off WHERE org_id = $1 ORDER BY id",
            "time_off"
        );
        let mut gather = Gather::one(Territory::default());
        scan_accounts(&mut tx, org, Accounts::All, &mut gather, |t| t.id).await?;
        tx.commit()
            .await
            .map_err(StoreError::db("ending the export's read transaction"))?;
        let t = gather.into_one();
        let mut data = OrgData {
            organisation,
            users,
            accounts: t.accounts,
            contacts: t.contacts,
            topics,
            touches: t.touches,
            referrals: t.referrals,
            lost: t.lost,
            no_fits: t.no_fits,
            step_updates: t.step_updates,
            work_weeks,
            time_off,
        };
        // Records come account by account; each sort is a linear check when they happen
        // to be in order already.
        sort_by(&mut data.accounts, |a| a.id);
        sort_by(&mut data.contacts, |c| c.id);
        sort_by(&mut data.touches, |t| t.id);
        sort_by(&mut data.referrals, |r| (r.contact, r.day));
        sort_by(&mut data.lost, |l| l.account);
        sort_by(&mut data.no_fits, |n| n.account);
        sort_by(&mut data.step_updates, |u| (u.touch, u.seq));
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
        let topics = fetch_all(
            &mut tx,
            sqlx::query("SELECT id, body FROM topics WHERE org_id = $1 ORDER BY id").bind(org.0),
            "topics",
        )
        .await?;
        let calendar = calendar_in(&mut tx, org, Some(rep))
            .await?
            .pop()
            .map(|(_, c)| c)
            .unwrap_or_default();
        let mut gather = Gather::one(Territory {
            topics,
            calendar,
            ..Territory::default()
        });
        scan_accounts(&mut tx, org, Accounts::OfRep(rep), &mut gather, time_order).await?;
        tx.commit()
            .await
            .map_err(StoreError::db("ending the territory's read transaction"))?;
        let mut territory = gather.into_one();
        sort_territory(&mut territory);
        Ok(territory)
    }

    async fn shared_territory(
        &self,
        org: OrgId,
        rep: UserId,
    ) -> Result<Arc<Territory>, StoreError> {
        self.warm_territory(org, rep).await
    }

    async fn all_territories(&self, org: OrgId) -> Result<Vec<(UserId, Territory)>, StoreError> {
        let mut tx = self.read_tx().await?;
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
        // Every rep has a territory, if an empty one; anyone else holding accounts gets
        // one as their first account turns up.
        let mut gather = Gather::by_rep(users.iter().filter(|u| u.role == Role::Rep).map(|u| u.id));
        scan_accounts(&mut tx, org, Accounts::All, &mut gather, time_order).await?;
        let mut calendars: HashMap<UserId, RepCalendar> =
            calendar_in(&mut tx, org, None).await?.into_iter().collect();
        tx.commit()
            .await
            .map_err(StoreError::db("ending the territories' read transaction"))?;
        let mut slots = gather.slots;
        for (rep, territory) in &mut slots {
            territory.topics = topics.clone();
            territory.calendar = calendars.remove(rep).unwrap_or_default();
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
        check_touch(&mut tx, org, touch).await?;
        self.write_touch(&mut tx, org, touch).await?;
        commit(tx, "touches").await
    }

    async fn add_new_touch(&self, org: OrgId, touch: &Touch) -> Result<TouchId, StoreError> {
        let mut tx = self.write_tx().await?;
        check_touch(&mut tx, org, touch).await?;
        // Reserved after the checks: on PostgreSQL the counter's row stays locked until
        // the commit, and concurrent writers wait on it only for the insert.
        let id = crate::people::next_id_in(&mut tx, self.backend, org, IdKind::Touch).await?;
        let touch = Touch {
            id: TouchId(id),
            ..touch.clone()
        };
        self.write_touch(&mut tx, org, &touch).await?;
        commit(tx, "touches").await?;
        Ok(touch.id)
    }

    async fn add_step_update(&self, org: OrgId, update: &StepUpdate) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let found =
            sqlx::query("SELECT 1 FROM touches WHERE org_id = $1 AND id = $2 AND account_id = $3")
                .bind(org.0)
                .bind(update.touch.0)
                .bind(update.account.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::db(format!("looking up touch {}", update.touch)))?;
        if found.is_none() {
            return Err(StoreError::NotFound {
                what: "touch",
                id: update.touch.0,
            });
        }
        require(&mut tx, org, "user", "users", update.by.0).await?;
        insert_rows(
            &mut tx,
            self.backend,
            org.0,
            std::slice::from_ref(update),
            OnConflict::Fail,
        )
        .await?;
        let change = change_of(update, None, body_of(&mut tx, org, update).await?);
        audit::append(&mut tx, org, self.acting, vec![change]).await?;
        commit(tx, "step_updates").await
    }

    async fn step_updates(
        &self,
        org: OrgId,
        touch: TouchId,
    ) -> Result<Vec<StepUpdate>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query(
            "SELECT touch_id, body FROM step_updates WHERE org_id = $1 AND touch_id = $2 ORDER BY seq",
        )
        .bind(org.0)
        .bind(touch.0);
        fetch_all(&mut conn, query, "step_updates").await
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

    async fn referral_counts(
        &self,
        org: OrgId,
        contacts: &[ContactId],
    ) -> Result<Vec<ReferralCount>, StoreError> {
        // Well under either backend's limit on bound parameters.
        const PER_QUERY: usize = 1_000;
        let mut conn = self.conn().await?;
        let mut out = Vec::new();
        for chunk in contacts.chunks(PER_QUERY) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT contact_id, body FROM referral_counts \
                 WHERE org_id = $1 AND contact_id IN ({})",
                marks.join(", ")
            );
            let mut b = crate::tables::Binder::new(chunk.len() + 1);
            b.add(org.0);
            for c in chunk {
                b.add(c.0);
            }
            let args = b
                .finish()
                .map_err(StoreError::db("encoding a list of contacts"))?;
            let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::db("reading referral counts"))?;
            for row in rows {
                let (contact, body): (i64, String) = row
                    .try_get(0)
                    .and_then(|c| Ok((c, row.try_get(1)?)))
                    .map_err(StoreError::db("reading a referral count"))?;
                let count =
                    ReferralCount::from_body(&body).map_err(|source| StoreError::Corrupt {
                        table: "referral_counts",
                        id: contact,
                        source,
                    })?;
                out.push(count);
            }
        }
        out.sort_by_key(|r| (r.contact, r.day));
        Ok(out)
    }

    async fn add_to_referral(
        &self,
        org: OrgId,
        contact: ContactId,
        day: jiff::civil::Date,
        add: u32,
        most: u32,
    ) -> Result<Result<ReferralCount, u32>, StoreError> {
        let mut tx = self.write_tx().await?;
        require(&mut tx, org, "contact", "contacts", contact.0).await?;
        // SQLite's write transaction holds the database already; PostgreSQL's must hold
        // this (contact, day) so that a second sum waits for the first instead of
        // reading the same count.
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .bind(i32::try_from(contact.0 % i64::from(i32::MAX)).unwrap_or(0))
                .bind(format!("referral {} {} {day}", org.0, contact.0))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::db("locking a referral count"))?;
        }
        let current: Option<i64> = sqlx::query(
            "SELECT count FROM referral_counts WHERE org_id = $1 AND contact_id = $2 AND day = $3",
        )
        .bind(org.0)
        .bind(contact.0)
        .bind(day.to_string())
        .fetch_optional(&mut *tx)
        .await
        .and_then(|r| r.map(|r| r.try_get(0)).transpose())
        .map_err(StoreError::db("reading a referral count"))?;
        let current = u32::try_from(current.unwrap_or(0)).unwrap_or(u32::MAX);
        let total = current.saturating_add(add);
        if total > most {
            return Ok(Err(current));
        }
        let record = ReferralCount {
            contact,
            day,
            count: total,
        };
        let before = body_of(&mut tx, org, &record).await?;
        insert_rows(
            &mut tx,
            self.backend,
            org.0,
            std::slice::from_ref(&record),
            OnConflict::Update,
        )
        .await?;
        let after = body_of(&mut tx, org, &record).await?;
        let change = change_of(&record, before, after);
        audit::append(&mut tx, org, self.acting, vec![change]).await?;
        commit(tx, "referral_counts").await?;
        Ok(Ok(record))
    }

    async fn record_lost(&self, org: OrgId, lost: &LostAccount) -> Result<(), StoreError> {
        self.close_account(org, lost, lost.account, AccountStatus::Lost)
            .await
    }

    async fn record_no_fit(&self, org: OrgId, no_fit: &NoFit) -> Result<(), StoreError> {
        self.close_account(org, no_fit, no_fit.account, AccountStatus::NoFit)
            .await
    }

    async fn lost(
        &self,
        org: OrgId,
        account: AccountId,
    ) -> Result<Option<LostAccount>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query(
            "SELECT account_id, body FROM lost_accounts WHERE org_id = $1 AND account_id = $2",
        )
        .bind(org.0)
        .bind(account.0);
        fetch_one(&mut conn, query, "lost_accounts").await
    }

    async fn calendar(&self, org: OrgId, rep: UserId) -> Result<RepCalendar, StoreError> {
        let mut tx = self.read_tx().await?;
        let calendar = calendar_in(&mut tx, org, Some(rep)).await?.pop();
        commit(tx, "time_off").await?;
        Ok(calendar.map(|(_, c)| c).unwrap_or_default())
    }

    async fn save_work_week(&self, org: OrgId, week: &WorkWeek) -> Result<(), StoreError> {
        self.save_one(org, week, ("user", "users", week.rep.0))
            .await
    }

    async fn save_time_off(&self, org: OrgId, time_off: &TimeOff) -> Result<(), StoreError> {
        self.save_one(org, time_off, ("user", "users", time_off.rep.0))
            .await
    }

    async fn time_off(&self, org: OrgId, rep: Option<UserId>) -> Result<Vec<TimeOff>, StoreError> {
        let mut conn = self.conn().await?;
        let query = match rep {
            Some(rep) => sqlx::query(
                "SELECT id, body FROM time_off WHERE org_id = $1 AND rep_id = $2 \
                 ORDER BY from_day, id",
            )
            .bind(org.0)
            .bind(rep.0),
            None => {
                sqlx::query("SELECT id, body FROM time_off WHERE org_id = $1 ORDER BY from_day, id")
                    .bind(org.0)
            }
        };
        fetch_all(&mut conn, query, "time_off").await
    }

    async fn delete_time_off(&self, org: OrgId, id: TimeOffId) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let before = sqlx::query("SELECT body FROM time_off WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .and_then(|r| r.map(|r| r.try_get::<String, _>(0)).transpose())
            .map_err(StoreError::db(format!("reading time off {id}")))?;
        let Some(before) = before else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM time_off WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::db(format!("deleting time off {id}")))?;
        let change = Change::write("time-off", id, Some(body_digest(&before)), None);
        audit::append(&mut tx, org, self.acting, vec![change]).await?;
        commit(tx, "time_off").await?;
        Ok(true)
    }

    async fn next_id(&self, org: OrgId, kind: IdKind) -> Result<i64, StoreError> {
        self.q_next_id(org, kind).await
    }

    async fn scoped_account(
        &self,
        org: OrgId,
        id: AccountId,
        reps: Option<&[UserId]>,
    ) -> Result<Option<Account>, StoreError> {
        let select = "SELECT a.id, a.body FROM accounts a WHERE a.org_id = $1 AND a.id = $2";
        let row = self.scoped_row(select, org, id.0, reps, "accounts").await?;
        row.map(|row| decode_at("accounts", &row, 0)).transpose()
    }

    async fn scoped_contact(
        &self,
        org: OrgId,
        id: ContactId,
        reps: Option<&[UserId]>,
    ) -> Result<Option<(Contact, Account)>, StoreError> {
        let select = "SELECT c.id, c.body, a.id, a.body FROM contacts c \
             JOIN accounts a ON a.org_id = c.org_id AND a.id = c.account_id \
             WHERE c.org_id = $1 AND c.id = $2";
        let row = self.scoped_row(select, org, id.0, reps, "contacts").await?;
        row.map(|row| {
            Ok((
                decode_at("contacts", &row, 0)?,
                decode_at("accounts", &row, 2)?,
            ))
        })
        .transpose()
    }

    async fn scoped_touch(
        &self,
        org: OrgId,
        id: TouchId,
        reps: Option<&[UserId]>,
    ) -> Result<Option<(Touch, Contact, Account)>, StoreError> {
        let select = "SELECT t.id, t.body, c.id, c.body, a.id, a.body FROM touches t \
             JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id \
             JOIN accounts a ON a.org_id = t.org_id AND a.id = t.account_id \
             WHERE t.org_id = $1 AND t.id = $2";
        let row = self.scoped_row(select, org, id.0, reps, "touches").await?;
        row.map(|row| {
            Ok((
                decode_at("touches", &row, 0)?,
                decode_at("contacts", &row, 2)?,
                decode_at("accounts", &row, 4)?,
            ))
        })
        .transpose()
    }

    async fn touch(&self, org: OrgId, id: TouchId) -> Result<Option<Touch>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query("SELECT id, body FROM touches WHERE org_id = $1 AND id = $2")
            .bind(org.0)
            .bind(id.0);
        fetch_one(&mut conn, query, "touches").await
    }

    async fn touches_for_account(
        &self,
        org: OrgId,
        account: AccountId,
    ) -> Result<Vec<Touch>, StoreError> {
        let mut conn = self.conn().await?;
        let query = sqlx::query(
            "SELECT id, body FROM touches WHERE org_id = $1 AND account_id = $2 ORDER BY at, at_nanos, id",
        )
        .bind(org.0)
        .bind(account.0);
        fetch_all(&mut conn, query, "touches").await
    }

    async fn delete_touch(&self, org: OrgId, id: TouchId) -> Result<bool, StoreError> {
        self.q_delete_touch(org, id).await
    }

    async fn reassign_accounts(
        &self,
        org: OrgId,
        from: UserId,
        to: UserId,
    ) -> Result<u64, StoreError> {
        self.q_reassign_accounts(org, from, to).await
    }

    async fn credentials_by_login(&self, login: &str) -> Result<Option<Credentials>, StoreError> {
        self.q_credentials_by_login(login).await
    }

    async fn credentials(&self, org: OrgId) -> Result<Vec<Credentials>, StoreError> {
        self.q_credentials(org).await
    }

    async fn set_password(
        &self,
        org: OrgId,
        user: UserId,
        login: &str,
        password_hash: &str,
    ) -> Result<u64, StoreError> {
        self.q_set_password(org, user, login, password_hash).await
    }

    async fn set_disabled(
        &self,
        org: OrgId,
        user: UserId,
        disabled: bool,
    ) -> Result<(), StoreError> {
        self.q_set_disabled(org, user, disabled).await
    }

    async fn create_session(&self, token_hash: &str, session: &Session) -> Result<(), StoreError> {
        self.q_create_session(token_hash, session).await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        self.q_session(token_hash).await
    }

    async fn touch_session(&self, token_hash: &str, seen_at: i64) -> Result<(), StoreError> {
        self.q_touch_session(token_hash, seen_at).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.q_delete_session(token_hash).await
    }

    async fn delete_stale_sessions(
        &self,
        seen_before: i64,
        created_before: i64,
    ) -> Result<u64, StoreError> {
        self.q_delete_stale_sessions(seen_before, created_before)
            .await
    }

    async fn create_api_token(&self, token_hash: &str, token: &ApiToken) -> Result<(), StoreError> {
        self.q_create_api_token(token_hash, token).await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        self.q_api_token(token_hash).await
    }

    async fn api_token_with_users(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Vec<User>)>, StoreError> {
        self.q_api_token_with_users(token_hash).await
    }

    async fn audit_log(&self, org: OrgId, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        self.q_audit_log(org, query).await
    }

    async fn audit_verify(&self, org: OrgId) -> Result<AuditReport, StoreError> {
        self.q_audit_verify(org).await
    }

    async fn api_tokens(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> Result<Vec<ApiToken>, StoreError> {
        self.q_api_tokens(org, user).await
    }

    async fn touch_api_token(&self, token_hash: &str, used_at: i64) -> Result<(), StoreError> {
        self.q_touch_api_token(token_hash, used_at).await
    }

    async fn delete_api_token(&self, org: OrgId, id: &str) -> Result<bool, StoreError> {
        self.q_delete_api_token(org, id).await
    }

    async fn save_calendar_feed(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        created_at: i64,
    ) -> Result<(), StoreError> {
        self.q_save_calendar_feed(org, user, token_hash, created_at)
            .await
    }

    async fn calendar_feed(&self, token_hash: &str) -> Result<Option<CalendarFeed>, StoreError> {
        self.q_calendar_feed(token_hash).await
    }

    async fn calendar_feed_of(
        &self,
        org: OrgId,
        user: UserId,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        self.q_calendar_feed_of(org, user).await
    }

    async fn delete_calendar_feed(&self, org: OrgId, user: UserId) -> Result<bool, StoreError> {
        self.q_delete_calendar_feed(org, user).await
    }

    async fn templates(&self, org: OrgId) -> Result<Vec<crate::StoredTemplate>, StoreError> {
        self.q_templates(org).await
    }

    async fn save_template(
        &self,
        org: OrgId,
        template: &rounds_core::outreach::Template,
        at: i64,
        by: Option<UserId>,
    ) -> Result<(), StoreError> {
        self.q_save_template(org, template, at, by).await
    }

    async fn delete_template(
        &self,
        org: OrgId,
        kind: rounds_core::outreach::TemplateKind,
    ) -> Result<bool, StoreError> {
        self.q_delete_template(org, kind).await
    }

    async fn replace_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: &str,
        window: (Timestamp, Timestamp),
        busy: &[BusyTime],
    ) -> Result<BusyChange, StoreError> {
        self.q_replace_busy_times(org, rep, source, window.0, window.1, busy)
            .await
    }

    async fn busy_times(&self, org: OrgId, rep: UserId) -> Result<Vec<BusyTime>, StoreError> {
        let mut conn = self.conn().await?;
        crate::feeds::busy_in(&mut conn, org, Some(rep)).await
    }

    async fn clear_busy_times(
        &self,
        org: OrgId,
        rep: UserId,
        source: Option<&str>,
    ) -> Result<u64, StoreError> {
        self.q_clear_busy_times(org, rep, source).await
    }

    async fn captured_mail(
        &self,
        org: OrgId,
        message_id: &str,
    ) -> Result<Option<Vec<TouchId>>, StoreError> {
        self.q_captured_mail(org, message_id).await
    }

    async fn write_capture(
        &self,
        org: OrgId,
        capture: &crate::CaptureWrite,
    ) -> Result<bool, StoreError> {
        self.q_write_capture(org, capture).await
    }

    async fn review_items(
        &self,
        org: OrgId,
        state: Option<rounds_core::capture::ReviewState>,
    ) -> Result<Vec<crate::ReviewItem>, StoreError> {
        self.q_review_items(org, state).await
    }

    async fn review_item(
        &self,
        org: OrgId,
        id: i64,
    ) -> Result<Option<crate::ReviewItem>, StoreError> {
        self.q_review_item(org, id).await
    }

    async fn resolve_review(
        &self,
        org: OrgId,
        id: i64,
        resolution: &crate::ReviewResolution,
    ) -> Result<bool, StoreError> {
        self.q_resolve_review(org, id, resolution).await
    }
}

/// Moves every account of `from` to `to` inside `tx`. The body is the stored copy of the
/// rep, so each account is rewritten, not only its `rep_id` column.
pub(crate) async fn reassign_in(
    tx: &mut AnyConnection,
    backend: Backend,
    acting: Acting,
    org: OrgId,
    from: UserId,
    to: UserId,
) -> Result<u64, StoreError> {
    let query =
        sqlx::query("SELECT id, body FROM accounts WHERE org_id = $1 AND rep_id = $2 ORDER BY id")
            .bind(org.0)
            .bind(from.0);
    let mut accounts: Vec<Account> = fetch_all(tx, query, "accounts").await?;
    let mut before = Vec::with_capacity(accounts.len());
    for account in &mut accounts {
        before.push(body_of(tx, org, account).await?);
        account.rep = to;
    }
    insert_rows(tx, backend, org.0, &accounts, OnConflict::Update).await?;
    let mut changes = Vec::with_capacity(accounts.len());
    for (account, before) in accounts.iter().zip(before) {
        let after = body_of(tx, org, account).await?;
        changes.push(change_of(account, before, after).with_detail(format!("rep {from} to {to}")));
    }
    audit::append(tx, org, acting, changes).await?;
    Ok(accounts.len() as u64)
}

/// Refuses a chunk with two records of the same key before anything of it is written.
fn check_chunk(data: &OrgData) -> Result<(), StoreError> {
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
    check_unique(
        "work week of rep",
        &data.work_weeks,
        |w| w.rep,
        |k| k.to_string(),
    )?;
    check_unique("time off", &data.time_off, |t| t.id, |k| k.to_string())?;
    check_unique(
        "step update",
        &data.step_updates,
        |u| (u.touch, u.seq),
        |(t, s)| format!("{s} of the step of touch {t}"),
    )?;

    Ok(())
}

/// Upserts the organisation's row and, for [`WriteMode::Replace`], deletes everything it
/// held; returns how the records that follow are to be inserted.
async fn start_org(
    tx: &mut Transaction<'static, Any>,
    org: &Organisation,
    mode: WriteMode,
) -> Result<(OnConflict, BodyHasher), StoreError> {
    let body = org.to_body().map_err(|source| StoreError::Encode {
        what: "organisation",
        id: org.id.to_string(),
        source,
    })?;
    // Every body written goes into one digest, the write's summary row in the audit log.
    let mut digest = BodyHasher::default();
    digest.add(&body);
    sqlx::query(ORG_UPSERT)
        .bind(org.id.0)
        .bind(org.name.as_str())
        .bind(i64::from(org.demo))
        .bind(body)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::db(format!("writing organisation {}", org.id)))?;
    let on_conflict = match mode {
        WriteMode::Replace => {
            for table in DELETE_ORDER {
                let sql = format!("DELETE FROM {table} WHERE org_id = $1");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(org.id.0)
                    .execute(&mut **tx)
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
    Ok((on_conflict, digest))
}

/// Inserts one chunk's records, parents before children for the foreign keys.
async fn write_chunk(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    data: &OrgData,
    on_conflict: OnConflict,
    digest: &mut BodyHasher,
) -> Result<(), StoreError> {
    let id = data.organisation.id.0;
    let c = on_conflict;
    insert_rows_hashed(tx, backend, id, &data.users, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.topics, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.accounts, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.contacts, c, Some(&mut *digest)).await?;
    // Grouped by account, so that each account's touches are stored together: on
    // SQLite they are appended to the clustered key instead of landing all over the
    // table (a million touches over a thousand accounts took twice as long to write
    // in id order), and PostgreSQL's heap keeps them in the order written (territory
    // reads about twice as fast there). The price, on PostgreSQL only, is that an
    // upsert of unchanged data probes the primary key out of order: about 40% slower.
    let mut touches: Vec<&Touch> = data.touches.iter().collect();
    touches.sort_unstable_by_key(|t| (t.account, t.id));
    insert_rows_hashed::<Touch, _>(tx, backend, id, &touches, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.referrals, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.lost, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.no_fits, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.work_weeks, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.time_off, c, Some(&mut *digest)).await?;
    insert_rows_hashed(tx, backend, id, &data.step_updates, c, Some(&mut *digest)).await?;
    Ok(())
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
    fn merging_runs_sorts_and_keeps_every_record() {
        let runs = vec![
            vec![(3, 'a'), (1, 'b'), (8, 'c')],
            vec![],
            vec![(2, 'd'), (9, 'e')],
            vec![(0, 'f'), (2, 'g'), (5, 'h'), (7, 'i')],
        ];
        let mut expected: Vec<(i32, char)> = runs.concat();
        expected.sort();
        assert_eq!(merge_runs(runs, |r| *r), expected);
        assert_eq!(merge_runs::<(i32, char), _>(vec![], |r| *r), []);
        assert_eq!(merge_runs(vec![vec![(1, 'x')]], |r| *r), [(1, 'x')]);
    }

    #[test]
    fn time_order_is_the_timestamps_order() {
        let mut at: Vec<jiff::Timestamp> = [
            "1969-12-31T23:59:58.5Z",
            "1969-12-31T23:59:59Z",
            "1969-12-31T23:59:59.999999999Z",
            "1970-01-01T00:00:00Z",
            "1970-01-01T00:00:00.000000001Z",
            "2024-03-05T14:30:15.123456789Z",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        at.extend([jiff::Timestamp::MIN, jiff::Timestamp::MAX]);
        for a in &at {
            for b in &at {
                let key = |t: &jiff::Timestamp| (t.as_second(), t.subsec_nanosecond());
                assert_eq!(a.cmp(b), key(a).cmp(&key(b)), "{a} vs {b}");
            }
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
