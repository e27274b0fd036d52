//! A large team on the pages, on SQLite and PostgreSQL: the Team page a page of reps at
//! a time, a rep without customers shown as such (not "100% of 0"), the accounts list
//! paged, and a manager's Today opening on the team.

mod common;

use axum::http::{StatusCode, header};
use common::*;
use rounds_core::model::{Role, UserId};
use rounds_demo::{DemoSpec, generate};
use rounds_store::{Store, WriteMode};

on_both_backends!(
    a_team_of_thirty_one_reps_is_paged_and_a_rep_without_customers_shows_no_percentage,
    a_managers_today_opens_on_the_team,
);

async fn seed(db: &TestDb) {
    let spec = DemoSpec {
        seed: 3,
        reps: 30,
        accounts: 230,
        contacts_per_account: 1.0,
        touches_per_contact: 1.0,
        today: DAY,
    };
    db.store
        .write_org(&generate(&spec), WriteMode::Replace)
        .await
        .unwrap();
    // Only a user who may sign in has a session.
    for user in db.store.users(ORG).await.unwrap() {
        db.store
            .set_password(ORG, user.id, &user.email, &PASSWORD_HASH)
            .await
            .unwrap();
    }
}

async fn a_team_of_thirty_one_reps_is_paged_and_a_rep_without_customers_shows_no_percentage(
    db: &TestDb,
) {
    seed(db).await;
    // A new rep, first by name, with no accounts yet.
    let newcomer = rounds_core::model::User {
        id: UserId(9_000),
        name: "Aaron Newcomer".into(),
        email: "aaron.newcomer@example.org".into(),
        role: Role::Rep,
        team: None,
    };
    db.store.save_user(ORG, &newcomer).await.unwrap();
    db.store
        .set_password(ORG, newcomer.id, &newcomer.email, &PASSWORD_HASH)
        .await
        .unwrap();
    let app = rounds_web::router(state(db.store.clone()));
    let admin = user_with(&db.store, Role::Admin).await;
    let (cookie, _) = session_for(&db.store, admin).await;

    let first = get_page(&app, &cookie, "/team").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body.contains("31 reps · page 1 of 2"),
        "{}",
        first.body
    );
    assert_eq!(first.body.matches("<li class=\"card\">").count(), 25);
    assert!(first.body.contains("href=\"/team?page=2\""));
    let card = first
        .body
        .split("<li class=\"card\">")
        .nth(1)
        .expect("a first card");
    assert!(card.contains("Aaron Newcomer"), "sorted by name: {card}");
    assert!(card.contains("No customers yet"), "{card}");
    assert!(!first.body.contains("(0 of 0 customers)"));

    let second = get_page(&app, &cookie, "/team?page=2").await;
    assert_eq!(second.body.matches("<li class=\"card\">").count(), 6);
    assert!(second.body.contains("href=\"/team?page=1\""));
    assert!(!second.body.contains("Aaron Newcomer"));

    let accounts = get_page(&app, &cookie, "/accounts").await;
    assert!(
        accounts.body.contains("230 accounts · page 1 of 2"),
        "{}",
        accounts.body
    );
    assert_eq!(accounts.body.matches("<li class=\"card\">").count(), 200);
    let rest = get_page(&app, &cookie, "/accounts?q=&status=&page=2").await;
    assert_eq!(rest.body.matches("<li class=\"card\">").count(), 30);
    let past = get_page(&app, &cookie, "/accounts?page=99").await;
    assert!(
        past.body.contains("page 2 of 2"),
        "a page past the end shows the last"
    );
}

async fn a_managers_today_opens_on_the_team(db: &TestDb) {
    seed(db).await;
    let app = rounds_web::router(state(db.store.clone()));
    let manager = user_with(&db.store, Role::Manager).await;
    let (cookie, _) = session_for(&db.store, manager).await;
    let today = get_page(&app, &cookie, "/today").await;
    assert_eq!(today.status, StatusCode::SEE_OTHER);
    assert_eq!(today.headers[header::LOCATION], "/team");
    let rep = user_with(&db.store, Role::Rep).await;
    let (rep_cookie, _) = session_for(&db.store, rep).await;
    assert_eq!(
        get_page(&app, &rep_cookie, "/today").await.status,
        StatusCode::OK
    );
    let of_rep = get_page(&app, &cookie, &format!("/today?rep={}", rep.0)).await;
    assert_eq!(
        of_rep.status,
        StatusCode::OK,
        "a rep's plan is one tap away"
    );
}
