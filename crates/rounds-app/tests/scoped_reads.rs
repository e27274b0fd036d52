//! The scoped reads the pages need: which territories, which team, which users each
//! kind of caller gets. SQLite is enough here: the store's conformance suite already
//! runs both backends.

use rounds_app::{Actor, AppError, SignIn};
use rounds_core::model::{AccountId, OrgId, UserId};
use rounds_store::{SqlStore, Store};

/// A north team (rep 1, manager 2, who also holds an account), a south rep (3) and an
/// administrator (4), each rep or manager with one account.
const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Mo Manager","email":"mo@example.org","role":"manager","team":"north"}
{"record":"user","id":3,"name":"Sam South","email":"sam@example.org","role":"rep","team":"south"}
{"record":"user","id":4,"name":"Ada Admin","email":"ada@example.org","role":"admin"}
{"record":"account","id":1,"name":"Lakeside Orthopaedics","rep":1,"kind":"practice","segment":"medical-provider","address":{"street":"1 Lake St","city":"Chicago","region":"IL","postal_code":"60601","lat":41.88,"lon":-87.63},"tz":"America/Chicago","access":"open","status":"customer"}
{"record":"account","id":2,"name":"Southside Spine","rep":3,"kind":"practice","segment":"medical-provider","address":{"street":"2 South St","city":"Chicago","region":"IL","postal_code":"60609","lat":41.80,"lon":-87.65},"tz":"America/Chicago","access":"open","status":"prospect"}
{"record":"account","id":3,"name":"Northside Clinic","rep":2,"kind":"practice","segment":"medical-provider","address":{"street":"3 North St","city":"Chicago","region":"IL","postal_code":"60614","lat":41.92,"lon":-87.65},"tz":"America/Chicago","access":"open","status":"prospect"}
"#;

struct World {
    _dir: tempfile::TempDir,
    store: SqlStore,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = SqlStore::connect(&url).await.unwrap();
    let empty = Actor::operator(OrgId(1), vec![]);
    rounds_app::import(&store, &empty, SEED).await.unwrap();
    World { _dir: dir, store }
}

/// The actor of user `id`, signed in.
async fn as_user(w: &World, id: i64) -> Actor {
    let everyone = w.store.users(OrgId(1)).await.unwrap();
    let me = everyone
        .iter()
        .find(|u| u.id == UserId(id))
        .unwrap()
        .clone();
    Actor::user(OrgId(1), me, everyone)
}

fn reps_and_accounts(
    territories: &[(UserId, rounds_core::model::Territory)],
) -> Vec<(i64, Vec<i64>)> {
    territories
        .iter()
        .map(|(rep, t)| (rep.0, t.accounts.iter().map(|a| a.id.0).collect()))
        .collect()
}

#[tokio::test]
async fn a_rep_gets_their_own_territory_a_lead_every_one_in_scope() {
    let w = world().await;
    let rep = rounds_app::territories_in_scope(&w.store, &as_user(&w, 1).await)
        .await
        .unwrap();
    assert_eq!(reps_and_accounts(&rep), vec![(1, vec![1])]);
    let manager = rounds_app::territories_in_scope(&w.store, &as_user(&w, 2).await)
        .await
        .unwrap();
    assert_eq!(
        reps_and_accounts(&manager),
        vec![(1, vec![1]), (2, vec![3])]
    );
    let admin = rounds_app::territories_in_scope(&w.store, &as_user(&w, 4).await)
        .await
        .unwrap();
    assert_eq!(
        reps_and_accounts(&admin),
        vec![(1, vec![1]), (2, vec![3]), (3, vec![2])]
    );
    let operator = Actor::load(&w.store, OrgId(1), None).await.unwrap();
    let all = rounds_app::territories_in_scope(&w.store, &operator)
        .await
        .unwrap();
    assert_eq!(reps_and_accounts(&all), reps_and_accounts(&admin));
}

#[tokio::test]
async fn a_team_is_the_reps_a_lead_sees_and_a_rep_has_none() {
    let w = world().await;
    let manager = rounds_app::team_territories(&w.store, &as_user(&w, 2).await)
        .await
        .unwrap();
    assert_eq!(reps_and_accounts(&manager), vec![(1, vec![1])]);
    let admin = rounds_app::team_territories(&w.store, &as_user(&w, 4).await)
        .await
        .unwrap();
    assert_eq!(reps_and_accounts(&admin), vec![(1, vec![1]), (3, vec![2])]);
    let rep = rounds_app::team_territories(&w.store, &as_user(&w, 1).await).await;
    assert!(matches!(rep, Err(AppError::NotFound { .. })), "{rep:?}");
}

#[tokio::test]
async fn only_administrators_get_the_users_to_manage() {
    let w = world().await;
    let hash = rounds_app::auth::hash_password("correct horse battery staple").unwrap();
    w.store
        .set_password(OrgId(1), UserId(3), "sam@example.org", &hash)
        .await
        .unwrap();
    let rows = rounds_app::administered_users(&w.store, &as_user(&w, 4).await)
        .await
        .unwrap();
    let seen: Vec<(i64, SignIn)> = rows.iter().map(|r| (r.user.id.0, r.sign_in)).collect();
    assert_eq!(
        seen,
        vec![
            (1, SignIn::NoPassword),
            (2, SignIn::NoPassword),
            (3, SignIn::Yes),
            (4, SignIn::NoPassword),
        ]
    );
    for id in [1, 2] {
        let refused = rounds_app::administered_users(&w.store, &as_user(&w, id).await).await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn a_territory_outside_the_scope_is_not_found() {
    let w = world().await;
    let rep = as_user(&w, 1).await;
    let own = rounds_app::territory_for(&w.store, &rep, UserId(1))
        .await
        .unwrap();
    assert_eq!(
        own.accounts.iter().map(|a| a.id).collect::<Vec<_>>(),
        [AccountId(1)]
    );
    let other = rounds_app::territory_for(&w.store, &rep, UserId(3)).await;
    assert!(matches!(other, Err(AppError::NotFound { .. })), "{other:?}");
}
