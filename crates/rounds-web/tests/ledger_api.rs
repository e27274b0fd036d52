//! The transfer-of-value ledger through the API (P14), on SQLite and PostgreSQL: a
//! meal recorded with its reported shares, the lists and the export kept to the
//! caller's territories, voiding once, and value per referral refused on its field.

mod common;

use common::*;
use rounds_core::model::UserId;
use rounds_store::{Store, WriteMode};
use rounds_testkit::world::sample_org;
use serde_json::json;

on_both_backends!(p14_transfers_of_value_through_the_api);

async fn p14_transfers_of_value_through_the_api(db: &TestDb) {
    db.store
        .write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    for user in db.store.users(ORG).await.unwrap() {
        db.store
            .set_password(ORG, user.id, &user.email, &PASSWORD_HASH)
            .await
            .unwrap();
    }
    let app = rounds_web::router(state(db.store.clone()));
    let ann = token_for(&db.store, ORG, UserId(1)).await;
    let bob = token_for(&db.store, ORG, UserId(2)).await;
    let meg = token_for(&db.store, ORG, UserId(3)).await;

    // A $200 lunch at Ann's Main Street Practice for eight: Eli (100) is marked a
    // covered recipient, Dana (101) is not, six others ate along.
    let lunch = json!({"account": 10, "date": "2026-11-20", "nature": "meal",
        "description": "Lunch for the office", "total_cents": 20000,
        "attendees": [{"contact": 100, "covered": true}, {"contact": 101}], "others": 6});
    let a = api(&app, &ann, "POST", "/api/v1/ledger", Some(lunch.clone())).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let recorded = a.json();
    let t = &recorded["transfer"];
    assert_eq!(t["shares"], json!([{"contact": 100, "cents": 2500}]));
    assert_eq!(
        t["attendees"],
        json!([{"contact": 100, "covered": true}, {"contact": 101, "covered": false}])
    );
    assert_eq!(
        (t["rep"].as_i64(), t["nature"].as_str()),
        (Some(1), Some("meal"))
    );
    assert_eq!(recorded["warnings"], json!([]));
    let id = t["id"].as_i64().unwrap();

    // Bob, a rep of his own territory, neither sees it nor records at that account.
    let a = api(&app, &bob, "GET", "/api/v1/ledger", None).await;
    assert_eq!(a.json()["total"], 0, "{}", a.body);
    let a = api(&app, &bob, "POST", "/api/v1/ledger", Some(lunch.clone())).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.json()["error"]["field"], "account");
    let a = api(
        &app,
        &bob,
        "POST",
        &format!("/api/v1/ledger/{id}/void"),
        Some(json!({"reason": "x"})),
    )
    .await;
    assert_eq!(a.status, 404, "{}", a.body);
    // Meg, their manager, sees the team's.
    let a = api(&app, &meg, "GET", "/api/v1/ledger?year=2026", None).await;
    assert_eq!(a.json()["items"][0]["id"], id, "{}", a.body);

    // The export: the CSV of the year in the caller's territories.
    let a = api(
        &app,
        &ann,
        "GET",
        "/api/v1/ledger/export.csv?year=2026",
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        a.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("open-payments-2026.csv")
    );
    let lines: Vec<&str> = a.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", a.body);
    assert!(lines[1].starts_with(&format!("{id},100,Eli,,Main Street Practice,10 Main St,Springfield,IL,62701,11/20/2026,25.00,1,In-kind items and services,Food and Beverage,")), "{}", a.body);
    let a = api(
        &app,
        &bob,
        "GET",
        "/api/v1/ledger/export.csv?year=2026",
        None,
    )
    .await;
    assert_eq!(a.body.lines().count(), 1, "{}", a.body);
    let a = api(
        &app,
        &ann,
        "GET",
        "/api/v1/ledger/export.csv?year=1999",
        None,
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.body);
    let a = api(&app, &ann, "GET", "/api/v1/ledger/export.csv", None).await;
    assert_eq!(a.status, 422, "{}", a.body);

    // Value per referral is refused on its field, naming the rule, and nothing is written.
    let mut offer = lunch.clone();
    offer["description"] = json!("Lunch, and a gift card per referral");
    let a = api(&app, &ann, "POST", "/api/v1/ledger", Some(offer)).await;
    assert_eq!(a.status, 422, "{}", a.body);
    let e = &a.json()["error"];
    assert_eq!(e["field"], "description");
    assert_eq!(
        e["message"],
        "offers value per referral (\"gift card per referral\"): refused under P14 (anti-kickback)"
    );
    let topic = json!({"title": "Bonus per patient referred"});
    let a = api(&app, &meg, "POST", "/api/v1/topics", Some(topic)).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.json()["error"]["field"], "title");
    let touch = json!({"contact": 100, "channel": "visit", "outcome": "conversation",
        "note": "Told Eli: $50 per referral"});
    let a = api(&app, &ann, "POST", "/api/v1/touches", Some(touch)).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.json()["error"]["field"], "note");
    let a = api(&app, &ann, "GET", "/api/v1/ledger", None).await;
    assert_eq!(a.json()["total"], 1, "{}", a.body);

    // Voided once; then it counts nowhere but in a list asked for voided ones.
    let void = json!({"reason": "entered twice"});
    let path = format!("/api/v1/ledger/{id}/void");
    let a = api(&app, &ann, "POST", &path, Some(void.clone())).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["void"]["reason"], "entered twice");
    let a = api(&app, &ann, "POST", &path, Some(void)).await;
    assert_eq!(a.status, 409, "{}", a.body);
    assert_eq!(a.json()["error"]["field"], "void");
    let a = api(&app, &ann, "GET", "/api/v1/ledger", None).await;
    assert_eq!(a.json()["total"], 0, "{}", a.body);
    let a = api(&app, &ann, "GET", "/api/v1/ledger?void=true", None).await;
    assert_eq!(a.json()["total"], 1, "{}", a.body);
}
