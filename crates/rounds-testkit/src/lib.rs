//! Test-only helpers, shared so that every crate's tests build their databases and
//! worlds the same way instead of keeping copies that drift:
//!
//! - [`TestDb`]: a fresh, empty database per test — a SQLite file in a temporary
//!   directory, or a PostgreSQL database created for the test and dropped afterwards,
//!   even when the test fails.
//! - [`both_backends!`]: one check, expanded into a SQLite test and a PostgreSQL test of
//!   the same name.
//! - [`DAY`] and [`at`]: pinned dates; no test may read the real clock.
//! - [`world`]: small hand-built records with every field filled.
//! - [`recording`]: a store that notes every call made on it, to compare the work two
//!   requests cause.
//! - [`web`]: the server in process — its state on a fixed clock, sessions and API
//!   tokens stored directly, JSON and form requests through the router.
//!
//! PostgreSQL is found at `ROUNDS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When no server answers, the
//! PostgreSQL half of a test is skipped with a notice, except under `CI`, where it fails:
//! CI must prove both backends.
//!
//! This crate is a dev-dependency only; nothing that ships depends on it.

pub mod recording;
pub mod web;
pub mod world;

use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_store::SqlStore;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

/// The organisation every test world lives in.
pub const ORG: rounds_core::model::OrgId = rounds_core::model::OrgId(1);

/// The pinned planning day of the tests: a Tuesday (e-mail day, P38).
pub const DAY: Date = date(2026, 11, 24);

/// The pinned "now" of the tests: 14:30 UTC on [`DAY`] (08:30 in Chicago).
pub fn now() -> Timestamp {
    at("2026-11-24T14:30:00Z")
}

/// An instant given as RFC 3339 text; panics on a typo, which is a bug in the test.
pub fn at(rfc3339: &str) -> Timestamp {
    rfc3339
        .parse()
        .unwrap_or_else(|e| panic!("test instant {rfc3339:?}: {e}"))
}

/// Which database a [`TestDb`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test.
#[derive(Debug)]
pub struct TestDb {
    pub store: SqlStore,
    /// The URL the store was opened with, for tests that start a binary or a second
    /// connection on the same database.
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A SQLite file in its own temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite:{}?mode=rwc", dir.path().join("rounds.db").display());
        let store = SqlStore::connect(&url).await.expect("open SQLite");
        TestDb {
            store,
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A PostgreSQL database made for this test, or `None` (with a notice) when no server
    /// answers outside CI.
    pub async fn postgres() -> Option<TestDb> {
        sqlx::any::install_default_drivers();
        let admin = admin_url();
        let mut conn = match AnyConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("PostgreSQL not reachable at {admin} and CI is set: {e}")
            }
            Err(e) => {
                eprintln!("notice: PostgreSQL not reachable at {admin} ({e}); skipping");
                return None;
            }
        };
        let name = unique_database_name();
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE");
        conn.close().await.expect("close the admin connection");
        let url = database_url(&admin, &name);
        let store = SqlStore::connect(&url).await.expect("open PostgreSQL");
        Some(TestDb {
            store,
            url,
            backend: Backend::Postgres,
            _dir: None,
            pg: Some((admin, name)),
        })
    }
}

impl TestDb {
    /// Runs one statement on the database behind the store's back, on a connection of
    /// its own: how tests edit what the program would never write (tampering with the
    /// audit log, corrupt rows).
    pub async fn exec(&self, sql: &str) -> u64 {
        let mut conn = AnyConnection::connect(&self.url)
            .await
            .expect("a second connection");
        let done = sqlx::query(AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.expect("close the connection");
        done.rows_affected()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        // Drop runs inside the test's runtime (or while unwinding), where blocking is not
        // allowed, so the database is dropped from a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                let mut conn = AnyConnection::connect(&admin).await?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                conn.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop a test database: {dropped:?}");
        }
    }
}

/// The server URL tests create their databases through.
pub fn admin_url() -> String {
    std::env::var("ROUNDS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// The URL of database `name` on the same server as `admin`.
pub fn database_url(admin: &str, name: &str) -> String {
    let base = admin.split('?').next().unwrap_or(admin);
    match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("{base}/{name}"),
    }
}

/// A database name no other test process or test of this one uses. Random without a
/// clock: std seeds every `RandomState` from the operating system.
pub fn unique_database_name() -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let random =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8);
    format!(
        "rounds_t_{}_{}_{:x}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed),
        random & 0xffff_ffff
    )
}

/// Expands each check — an `async fn name(db: &TestDb)` in the calling module — into
/// `sqlite::name` and `postgres::name` tests, so both backends run the same suite.
/// `both_backends!(multi_thread: a, b)` runs them on a two-worker runtime, for checks
/// that drive the server (it plans and hashes off its async workers).
#[macro_export]
macro_rules! both_backends {
    (multi_thread: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::TestDb::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::TestDb::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = $crate::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_keep_the_server_and_drop_the_query() {
        assert_eq!(
            database_url(
                "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
                "x"
            ),
            "postgres://postgres@127.0.0.1:5432/x"
        );
    }

    #[test]
    fn database_names_are_unique_within_a_process() {
        assert_ne!(unique_database_name(), unique_database_name());
    }
}
