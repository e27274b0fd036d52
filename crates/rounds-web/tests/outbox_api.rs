//! The outbox through the API, on SQLite and PostgreSQL: a draft, the review (P42),
//! sending into the queue with the time it leaves, and the refusals by field.

mod common;

use common::*;
use rounds_core::model::{Channel, ContactId, UserId};
use rounds_store::{Store, WriteMode};
use rounds_testkit::world::sample_org;
use serde_json::json;

on_both_backends!(p42_drafts_are_reviewed_and_queued_through_the_api);

async fn p42_drafts_are_reviewed_and_queued_through_the_api(db: &TestDb) {
    db.store
        .write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    // Tokens work for users who may sign in.
    for user in db.store.users(ORG).await.unwrap() {
        db.store
            .set_password(ORG, user.id, &user.email, &PASSWORD_HASH)
            .await
            .unwrap();
    }
    let app = rounds_web::router(state(db.store.clone()));
    let ann = token_for(&db.store, ORG, UserId(1)).await;
    let meg = token_for(&db.store, ORG, UserId(3)).await;
    let bob = token_for(&db.store, ORG, UserId(2)).await;

    // Eli (100) is at Ann's Main Street Practice.
    let draft = json!({"contact": 100, "subject": "A one-page prior-auth form",
        "body": "Would it help your front desk?", "topic": 1});
    let a = api(&app, &ann, "POST", "/api/v1/outbox", Some(draft.clone())).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let m = a.json();
    assert_eq!(
        (m["state"].as_str(), m["author"].as_i64()),
        (Some("draft"), Some(1))
    );
    let id = m["id"].as_i64().unwrap();

    // A subject with a line break is refused on its field.
    let mut bad = draft.clone();
    bad["subject"] = json!("Hi\r\nBcc: x@evil.example");
    let a = api(&app, &ann, "POST", "/api/v1/outbox", Some(bad)).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("subject"), "{}", a.body);

    // Another rep does not see it.
    let a = api(&app, &bob, "GET", &format!("/api/v1/outbox/{id}"), None).await;
    assert_eq!(a.status, 404);

    let a = api(
        &app,
        &ann,
        "POST",
        &format!("/api/v1/outbox/{id}/review"),
        None,
    )
    .await;
    assert_eq!(a.json()["state"], "in-review");
    // The author may not approve her own draft.
    let a = api(
        &app,
        &ann,
        "POST",
        &format!("/api/v1/outbox/{id}/approve"),
        Some(json!({})),
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.body);
    let a = api(
        &app,
        &meg,
        "POST",
        &format!("/api/v1/outbox/{id}/return"),
        Some(json!({"comment": "End on a question"})),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["review"]["comment"], "End on a question");
    let a = api(
        &app,
        &ann,
        "PUT",
        &format!("/api/v1/outbox/{id}"),
        Some(draft.clone()),
    )
    .await;
    assert_eq!(a.json()["state"], "draft");
    api(
        &app,
        &ann,
        "POST",
        &format!("/api/v1/outbox/{id}/review"),
        None,
    )
    .await;
    let a = api(
        &app,
        &meg,
        "POST",
        &format!("/api/v1/outbox/{id}/approve"),
        Some(json!({"comment": "Good"})),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let m = a.json();
    assert_eq!(m["state"], "queued");
    assert!(m["not_before"].is_string());

    // An opted-out contact is refused on `contact` when sent.
    let mut eli = db
        .store
        .contact(ORG, ContactId(101))
        .await
        .unwrap()
        .unwrap();
    eli.opt_outs.push(Channel::Email);
    db.store.save_contact(ORG, &eli).await.unwrap();
    let a = api(
        &app,
        &ann,
        "POST",
        "/api/v1/outbox",
        Some(json!({"contact": 101, "subject": "Hello", "body": "Hi"})),
    )
    .await;
    let other = a.json()["id"].as_i64().unwrap();
    let a = api(
        &app,
        &ann,
        "POST",
        &format!("/api/v1/outbox/{other}/send"),
        None,
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("contact"), "{}", a.body);
    let a = api(
        &app,
        &ann,
        "POST",
        &format!("/api/v1/outbox/{other}/cancel"),
        None,
    )
    .await;
    assert_eq!(a.json()["state"], "cancelled");

    let a = api(&app, &meg, "GET", "/api/v1/outbox?state=queued", None).await;
    assert_eq!(a.json()["total"], 1, "{}", a.body);
}
