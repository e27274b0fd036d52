//! One touch, three doors. The command line, the JSON API and the log form are adapters
//! over the same `rounds_app::log_touch`, so the same touch logged through each is stored
//! byte for byte alike: same rep (the account's owner, whoever logs it), same trimming
//! and line endings, same topics and next step. Both backends.

use std::process::Command;

use rounds_core::model::{ContactId, Role, Touch, TouchId};
use rounds_demo::{DemoSpec, generate};
use rounds_store::{SqlStore, Store, WriteMode};
use rounds_testkit::web::{api, form, session_for, state, token_for};
use rounds_testkit::{DAY, ORG, TestDb, now};
use serde_json::json;

rounds_testkit::both_backends!(
    multi_thread: the_same_touch_through_the_cli_the_api_and_the_form_is_stored_alike
);

/// The stored row as the export writes it, id left out (each door takes a new one).
fn stored_line(touch: &Touch) -> String {
    let mut t = touch.clone();
    t.id = TouchId(0);
    serde_json::to_string(&t).unwrap()
}

async fn newest_touch(store: &SqlStore, contact: ContactId) -> Touch {
    let touches = store.touches_for_contact(ORG, contact).await.unwrap();
    touches.into_iter().max_by_key(|t| t.id).unwrap()
}

async fn the_same_touch_through_the_cli_the_api_and_the_form_is_stored_alike(db: &TestDb) {
    let data = generate(&DemoSpec::new(7, DAY));
    db.store.write_org(&data, WriteMode::Replace).await.unwrap();
    // A manager logs for a contact of one of their reps: attribution must not follow
    // the caller.
    let users = db.store.users(ORG).await.unwrap();
    let manager = users
        .iter()
        .find(|u| u.role == Role::Manager && u.team.is_some())
        .unwrap();
    let rep = users
        .iter()
        .find(|u| u.role == Role::Rep && u.team == manager.team)
        .unwrap();
    let account = db.store.accounts(ORG, Some(rep.id)).await.unwrap()[0].clone();
    let contact = db.store.contacts(ORG, Some(account.id)).await.unwrap()[0].clone();
    let topics = db.store.topics(ORG).await.unwrap();
    let (t1, t2) = (topics[0].id.0, topics[1].id.0);
    let what = "  Bring the formulary sheet  ";

    // The command line: the operator, at the instant the server's clock reads.
    let local_now = now()
        .to_zoned(account.tz.zone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["--database-url", &db.url, "log"])
        .args(["--contact", &contact.id.0.to_string()])
        .args(["--channel", "visit", "--direction", "inbound"])
        .args(["--outcome", "positive", "--kind", "referral-meeting"])
        .args([
            "--topics",
            &format!("{t1},{t2}"),
            "--explain-better",
            &t2.to_string(),
        ])
        .args(["--next", what, "--next-date", "2026-12-01"])
        .args(["--note", "Met the office manager.\nShe asked for samples."])
        .args(["--at", &local_now])
        .env_remove("ROUNDS_PLAYBOOK")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rounds log failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_cli = newest_touch(&db.store, contact.id).await;

    // Only users who can sign in (a credentials row, not disabled) are served.
    let hash = rounds_web::hash_password("a long test passphrase").unwrap();
    db.store
        .set_password(ORG, manager.id, &manager.email, &hash)
        .await
        .unwrap();
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, manager.id).await;
    let answer = api(
        &app,
        &token,
        "POST",
        "/api/v1/touches",
        Some(json!({
            "contact": contact.id.0, "channel": "visit", "direction": "inbound",
            "outcome": "positive", "kind": "referral-meeting",
            "topics": [t1, t2], "explain_better": [t2],
            "next_step": {"what": what, "due": "2026-12-01"},
            "note": "Met the office manager.\nShe asked for samples."
        })),
    )
    .await;
    assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    let by_api = newest_touch(&db.store, contact.id).await;

    let (cookie, csrf) = session_for(&db.store, ORG, manager.id).await;
    let (c, t1s, t2s) = (contact.id.0.to_string(), t1.to_string(), t2.to_string());
    let answer = form(
        &app,
        &cookie,
        "/log",
        &[
            ("csrf", &csrf),
            ("contact", &c),
            ("channel", "visit"),
            ("direction", "inbound"),
            ("outcome", "positive"),
            ("kind", "referral-meeting"),
            ("primary_topic", &t1s),
            ("topics", &t2s),
            ("explain_better", &t2s),
            ("next_step_what", what),
            ("next_step_due", "2026-12-01"),
            // A browser sends CR LF inside a textarea.
            ("note", "Met the office manager.\r\nShe asked for samples."),
        ],
    )
    .await;
    assert_eq!(answer.status.as_u16(), 303, "{}", answer.body);
    let by_form = newest_touch(&db.store, contact.id).await;

    let ids = [by_cli.id, by_api.id, by_form.id];
    assert!(
        ids[0] < ids[1] && ids[1] < ids[2],
        "three new rows: {ids:?}"
    );
    assert_eq!(
        by_cli.rep, account.rep,
        "the account's owner, not the caller"
    );
    assert_eq!(by_cli.at, now());
    assert_eq!(stored_line(&by_cli), stored_line(&by_api), "CLI and API");
    assert_eq!(stored_line(&by_api), stored_line(&by_form), "API and form");
}
