//! E-mail on the pages and the capture review list through the API, on SQLite and
//! PostgreSQL: a draft of Today handed to the manager, returned with a comment, fixed
//! and sent into its window (P42, P38, P39); a refused send keeps the text; captured
//! mail nobody matched put on a contact or dismissed (P48).

mod common;

use axum::http::{StatusCode, header};
use common::*;
use rounds_app::Actor;
use rounds_core::model::{ContactId, UserId};
use rounds_store::Store;
use serde_json::{Value, json};

on_both_backends!(
    p42_an_email_draft_of_today_goes_to_the_manager_comes_back_and_leaves_in_its_window,
    p48_captured_mail_nobody_matched_is_put_on_a_contact_or_dismissed,
);

const REP: UserId = UserId(1);
const MANAGER: UserId = UserId(5);

fn location(a: &Answer) -> &str {
    a.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn p42_an_email_draft_of_today_goes_to_the_manager_comes_back_and_leaves_in_its_window(
    db: &TestDb,
) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, REP).await;
    let (rep, rep_csrf) = session_for(&db.store, REP).await;
    let (manager, manager_csrf) = session_for(&db.store, MANAGER).await;

    let plan = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/plan?date={DAY}"),
        None,
    )
    .await
    .json();
    let drafts = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/drafts?date={DAY}"),
        None,
    )
    .await
    .json();
    let draft: &Value = drafts["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["channel"] == "email")
        .expect("the demo day plans an e-mail");
    let item = &plan["items"][draft["item"].as_u64().unwrap() as usize];
    let contact = item["contact"].as_i64().unwrap().to_string();
    let kind = item["kind"].as_str().unwrap().to_string();
    let topic = item["primary_topic"]["topic"]
        .as_i64()
        .map(|t| t.to_string())
        .unwrap_or_default();
    let subject = draft["subject"].as_str().unwrap().to_string();
    let body = draft["body"].as_str().unwrap().to_string();

    let today = get_page(&app, &rep, &format!("/today?date={DAY}")).await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(
        today.body.contains("formaction=\"/outbox/send\""),
        "no Send on Today"
    );
    assert!(today.body.contains("Ask my manager"));

    let mut fields = vec![
        ("csrf", rep_csrf.as_str()),
        ("contact", contact.as_str()),
        ("kind", kind.as_str()),
        ("subject", subject.as_str()),
        ("body", body.as_str()),
    ];
    if !topic.is_empty() {
        fields.push(("topic", topic.as_str()));
    }
    let asked = form(&app, &rep, "/outbox/review", &fields).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert_eq!(location(&asked), "/today");
    let listed = api(&app, &token, "GET", "/api/v1/outbox", None)
        .await
        .json();
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["state"], "in-review");
    assert_eq!(listed["items"][0]["body"], body.as_str());
    let id = listed["items"][0]["id"].as_i64().unwrap();

    // Today shows where the e-mail stands instead of a second draft to the contact.
    let today = get_page(&app, &rep, &format!("/today?date={DAY}")).await;
    let li = today
        .body
        .split("<li class=\"plan-item\"")
        .find(|li| li.contains(&format!("data-contact-id=\"{contact}\"")))
        .expect("the item is still planned");
    assert!(li.contains("data-state=\"in-review\""), "{li}");
    assert!(!li.contains("formaction=\"/outbox/send\""), "{li}");

    // The author may not approve her own draft; her manager sees it waiting.
    let own = form(
        &app,
        &rep,
        &format!("/outbox/{id}/approve"),
        &[("csrf", &rep_csrf)],
    )
    .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    let waiting = get_page(&app, &manager, "/outbox").await;
    assert!(
        waiting.body.contains("For your review (1)"),
        "{}",
        waiting.body
    );
    assert!(
        waiting
            .body
            .contains(&format!("action=\"/outbox/{id}/return\""))
    );
    let returned = form(
        &app,
        &manager,
        &format!("/outbox/{id}/return"),
        &[("csrf", &manager_csrf), ("comment", "End on a question")],
    )
    .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.body);
    let mine = get_page(&app, &rep, "/outbox").await;
    assert!(
        mine.body.contains("Manager: End on a question"),
        "{}",
        mine.body
    );
    assert!(mine.body.contains(&format!("name=\"id\" value=\"{id}\"")));

    // A header with a line break is refused on its field, the text kept, nothing written.
    let id_text = id.to_string();
    let mut bad = fields.clone();
    bad.retain(|(k, _)| *k != "subject");
    bad.extend([
        ("id", id_text.as_str()),
        ("subject", "Hi\r\nBcc: x@evil.example"),
    ]);
    let refused = form(&app, &rep, "/outbox/send", &bad).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Not sent"));
    assert!(
        refused.body.contains("<strong>subject</strong>"),
        "{}",
        refused.body
    );
    let first_line = body.lines().next().unwrap();
    assert!(refused.body.contains(first_line), "the text is kept");
    let m = api(&app, &token, "GET", &format!("/api/v1/outbox/{id}"), None)
        .await
        .json();
    assert_eq!(m["state"], "returned", "{m}");

    let fixed = format!("{body}\n\nWould Thursday suit you?");
    let mut again = fields.clone();
    again.retain(|(k, _)| *k != "body");
    again.extend([
        ("id", id_text.as_str()),
        ("body", fixed.as_str()),
        ("back", "/outbox"),
    ]);
    let sent = form(&app, &rep, "/outbox/send", &again).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(location(&sent), "/outbox");
    let m = api(&app, &token, "GET", &format!("/api/v1/outbox/{id}"), None)
        .await
        .json();
    assert_eq!(m["state"], "queued", "{m}");
    assert_eq!(m["body"], fixed.as_str());
    let not_before: jiff::Timestamp = m["not_before"].as_str().unwrap().parse().unwrap();
    assert!(
        not_before >= now(),
        "it leaves at a window, never before now"
    );
    let listed = api(&app, &token, "GET", "/api/v1/outbox", None)
        .await
        .json();
    assert_eq!(listed["total"], 1, "the send rewrote the draft: {listed}");

    let forged = form(
        &app,
        &rep,
        "/outbox/send",
        &[("csrf", "forged"), ("contact", &contact)],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

/// A mail from someone no contact is, to the rep.
fn stranger_mail(n: u32, rep_email: &str) -> Vec<u8> {
    format!(
        "From: Pat Unknown <pat{n}@elsewhere.example>\r\nTo: {rep_email}\r\nSubject: About the forms {n}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <stranger-{n}@elsewhere.example>\r\n\r\nHello\r\n"
    )
    .into_bytes()
}

async fn p48_captured_mail_nobody_matched_is_put_on_a_contact_or_dismissed(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, REP).await;
    let (rep, csrf) = session_for(&db.store, REP).await;
    let users = db.store.users(ORG).await.unwrap();
    let rep_email = users.iter().find(|u| u.id == REP).unwrap().email.clone();
    let op = Actor::load(&db.store, ORG, None).await.unwrap();
    for n in 1..=3 {
        let done = rounds_app::capture_mail(&db.store, &op, &stranger_mail(n, &rep_email), now())
            .await
            .unwrap();
        assert_eq!(done.review.len(), 1, "mail {n} is not guessed");
    }
    let open = api(
        &app,
        &token,
        "GET",
        "/api/v1/capture/review?state=open",
        None,
    )
    .await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    let open = open.json();
    assert_eq!(open["total"], 3, "{open}");
    let first = &open["items"][0];
    assert_eq!(first["party_email"], "pat1@elsewhere.example");
    assert_eq!(first["direction"], "inbound");
    assert_eq!(first["state"], "open");
    let ids: Vec<i64> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();

    let contacts = api(&app, &token, "GET", "/api/v1/contacts?limit=1", None)
        .await
        .json();
    let contact = contacts["items"][0]["id"].as_i64().unwrap();
    let assigned = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/capture/review/{}/assign", ids[0]),
        Some(json!({"contact": contact})),
    )
    .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.body);
    let touch = assigned.json();
    assert_eq!(touch["contact"], contact);
    assert_eq!(touch["channel"], "email");
    assert_eq!(touch["outcome"], "conversation", "a reply from the contact");
    let again = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/capture/review/{}/assign", ids[0]),
        Some(json!({"contact": contact})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let unknown_contact = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/capture/review/{}/assign", ids[1]),
        Some(json!({"contact": 999_999})),
    )
    .await;
    assert_eq!(unknown_contact.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_contact.json()["error"]["field"], "contact");

    // The page lists what is still open and works through it.
    let listed = get_page(&app, &rep, "/capture").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(listed.body.contains("About the forms 2"));
    assert!(!listed.body.contains("About the forms 1"), "assigned: gone");
    let contact_text = contact.to_string();
    let on_page = form(
        &app,
        &rep,
        &format!("/capture/{}/assign", ids[1]),
        &[("csrf", &csrf), ("contact", &contact_text)],
    )
    .await;
    assert_eq!(on_page.status, StatusCode::SEE_OTHER, "{}", on_page.body);
    let dismissed = form(
        &app,
        &rep,
        &format!("/capture/{}/dismiss", ids[2]),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(dismissed.status, StatusCode::SEE_OTHER);
    let open = api(
        &app,
        &token,
        "GET",
        "/api/v1/capture/review?state=open",
        None,
    )
    .await
    .json();
    assert_eq!(open["total"], 0, "{open}");
    let all = api(&app, &token, "GET", "/api/v1/capture/review", None)
        .await
        .json();
    let states: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["assigned", "assigned", "dismissed"]);
    let touches = db
        .store
        .touches_for_contact(ORG, ContactId(contact))
        .await
        .unwrap();
    assert_eq!(
        touches
            .iter()
            .filter(|t| t.note.starts_with("About the forms"))
            .count(),
        2
    );
}
