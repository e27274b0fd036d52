//! Fixtures of the server's tests. The database per test, the server's state on the
//! pinned clock, sessions, tokens and requests come from `rounds-testkit` (shared with
//! the other crates' tests); what is only the server's lives here: the demo with a
//! password for everyone, and the both-backend macro on a two-worker runtime.
#![allow(dead_code)]

use std::sync::LazyLock;

use rounds_demo::{DemoSpec, generate};
use rounds_store::{SqlStore, Store, WriteMode};

// Each test binary uses its own part of the kit.
#[allow(unused_imports)]
pub use rounds_testkit::web::{Answer, api, form, send, state, token_for};
#[allow(unused_imports)]
pub use rounds_testkit::{DAY, ORG, TestDb, now};

pub const PASSWORD: &str = "a long test passphrase";

/// Hashing at full argon2 strength takes a while in a debug build; once is enough.
pub static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| rounds_web::hash_password(PASSWORD).unwrap());

pub async fn sqlite() -> TestDb {
    TestDb::sqlite().await
}

/// A fresh PostgreSQL database, or `None` (with a notice) when no server answers and
/// `CI` is unset; under `CI` a missing server fails the test.
pub async fn postgres() -> Option<TestDb> {
    TestDb::postgres().await
}

/// A browser session for the user, stored directly: (cookie value, CSRF token).
pub async fn session_for(store: &SqlStore, user: rounds_core::model::UserId) -> (String, String) {
    rounds_testkit::web::session_for(store, ORG, user).await
}

/// A page as the signed-in browser with this session cookie gets it.
pub async fn get_page(app: &axum::Router, cookie: &str, path: &str) -> Answer {
    send(
        app,
        axum::http::Request::get(path)
            .header(
                axum::http::header::COOKIE,
                format!("rounds_session={cookie}"),
            )
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

/// The first user with `role` in the test organisation.
pub async fn user_with(
    store: &SqlStore,
    role: rounds_core::model::Role,
) -> rounds_core::model::UserId {
    store
        .users(ORG)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.role == role)
        .unwrap_or_else(|| panic!("the organisation has a {role}"))
        .id
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
