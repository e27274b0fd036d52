//! Fixtures shared by the server's tests: a fresh database per test (SQLite file, or a
//! PostgreSQL database created and dropped around the test), the demo organisation in
//! it, sign-ins, and requests through the router.
#![allow(dead_code)]

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_core::model::{OrgId, UserId};
use rounds_core::playbook::{DEFAULT_TOML, Playbook};
use rounds_demo::{DemoSpec, generate};
use rounds_store::{ApiToken, Session, SqlStore, Store, WriteMode};
use rounds_web::{AppState, Config, FixedClock};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};
use tower::ServiceExt;

pub const ORG: OrgId = OrgId(1);
pub const DAY: Date = date(2026, 11, 24);
pub const PASSWORD: &str = "a long test passphrase";

/// 08:30 UTC on the planning day.
pub fn now() -> Timestamp {
    "2026-11-24T14:30:00Z".parse().unwrap()
}

/// Hashing at full argon2 strength takes a while in a debug build; once is enough.
pub static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| rounds_web::hash_password(PASSWORD).unwrap());

pub struct TestDb {
    pub store: SqlStore,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}?mode=rwc", dir.path().join("rounds.db").display());
    let store = SqlStore::connect(&url).await.unwrap();
    TestDb {
        store,
        url,
        _dir: Some(dir),
        pg: None,
    }
}

/// A fresh PostgreSQL database, or `None` (with a notice) when no server answers and
/// `CI` is unset; under `CI` a missing server fails the test.
pub async fn postgres() -> Option<TestDb> {
    sqlx::any::install_default_drivers();
    let admin = std::env::var("ROUNDS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
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
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let random =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8);
    let name = format!(
        "rounds_w_{}_{}_{:x}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed),
        random & 0xffff_ffff
    );
    sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let base = admin.split('?').next().unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let store = SqlStore::connect(&url).await.unwrap();
    Some(TestDb {
        store,
        url,
        _dir: None,
        pg: Some((admin, name)),
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
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

/// The demo organisation (seed 7) with a password for every user.
pub async fn seed_demo(store: &SqlStore) {
    let data = generate(&DemoSpec::new(7, DAY));
    store.write_org(&data, WriteMode::Replace).await.unwrap();
    for user in store.users(ORG).await.unwrap() {
        store
            .set_password(ORG, user.id, &user.email, &PASSWORD_HASH)
            .await
            .unwrap();
    }
}

pub fn state(store: SqlStore) -> AppState {
    AppState::new(
        store,
        Playbook::default(),
        DEFAULT_TOML.to_string(),
        FixedClock(now()),
        Config {
            fixed_date: Some(DAY),
            ..Config::default()
        },
    )
}

/// An API token for the user, stored directly.
pub async fn token_for(store: &SqlStore, org: OrgId, user: UserId) -> String {
    let token = format!("test-token-{}-{}", org.0, user.0);
    store
        .create_api_token(
            &rounds_web::secret_hash(&token),
            &ApiToken {
                org,
                user,
                name: "tests".into(),
                created_at: now().as_second(),
            },
        )
        .await
        .unwrap();
    token
}

/// A browser session for the user, stored directly: (cookie value, CSRF token).
pub async fn session_for(store: &SqlStore, user: UserId) -> (String, String) {
    let cookie = rounds_web::new_secret();
    let csrf = rounds_web::new_secret();
    store
        .create_session(
            &rounds_web::secret_hash(&cookie),
            &Session {
                org: ORG,
                user,
                csrf: csrf.clone(),
                created_at: now().as_second(),
                seen_at: now().as_second(),
            },
        )
        .await
        .unwrap();
    (cookie, csrf)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn api(
    app: &Router,
    token: &str,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    send(app, req.body(body).unwrap()).await
}

/// Expands each check into a SQLite test and a PostgreSQL test of the same name.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::common::postgres().await else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
}
