//! Templates, drafts and the message coach through the router, on SQLite and
//! PostgreSQL (P5, P41, P42, P47): the API's answers, who may change a template, and
//! Today's drafts with the coach's verdict.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use rounds_core::model::UserId;
use rounds_core::outreach::TemplateKind;
use rounds_store::Store;
use serde_json::json;

on_both_backends!(
    p42_the_coach_api_names_each_finding_with_its_rule_and_span,
    p47_managers_replace_and_reset_templates_and_reps_may_not,
    p47_a_template_with_an_unknown_placeholder_is_refused_naming_part_and_line,
    p47_the_plans_written_items_have_drafts_from_their_templates,
    p47_today_shows_the_draft_and_verdict_under_each_written_item,
);

const REP: UserId = UserId(1);
const MANAGER: UserId = UserId(5);

async fn p42_the_coach_api_names_each_finding_with_its_rule_and_span(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, REP).await;
    let body = "Hi Ana,\n\nI've tried to reach you several times. Are you ready to move forward?";
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/coach",
        Some(json!({"subject": "Just checking in", "body": body})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v = a.json();
    assert_eq!(v["passes"], false);
    let finding = |kind: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {v}"))
            .clone()
    };
    let subject = finding("banned-subject");
    assert_eq!(
        (subject["rule"].as_str(), subject["part"].as_str()),
        (Some("P41"), Some("subject"))
    );
    assert_eq!(subject["span"], json!({"start": 5, "end": 16}));
    let guilt = finding("guilt");
    let (s, e) = (
        guilt["span"]["start"].as_u64().unwrap() as usize,
        guilt["span"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&body[s..e], "tried to reach you");
    assert_eq!(finding("ready-question")["rule"], "P5");

    let good = api(
        &app,
        &token,
        "POST",
        "/api/v1/coach",
        Some(json!({"body": "Hi Ana, a one-page note on prior authorisations is ready for you. Shall I drop it off on Thursday?"})),
    )
    .await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(
        good.json()["findings"].as_array().unwrap().len(),
        0,
        "{}",
        good.body
    );

    let unknown = api(
        &app,
        &token,
        "POST",
        "/api/v1/coach",
        Some(json!({"body": "x", "tone": "kind"})),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    let huge = "word ".repeat(5000);
    let too_long = api(
        &app,
        &token,
        "POST",
        "/api/v1/coach",
        Some(json!({"body": huge})),
    )
    .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.json()["error"]["field"], "body");
}

async fn p47_managers_replace_and_reset_templates_and_reps_may_not(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let rep = token_for(&db.store, ORG, REP).await;
    let manager = token_for(&db.store, ORG, MANAGER).await;
    let list = api(&app, &rep, "GET", "/api/v1/templates", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.json()["items"].as_array().unwrap().len(),
        TemplateKind::ALL.len()
    );
    assert_eq!(list.json()["total"], TemplateKind::ALL.len());

    let mine = json!({
        "subject": "Last note on {{ topic.title }}",
        "body": "Hi {{ contact.first_name }},\n\nI'll stop writing about {{ topic.title }}. Shall I check back in spring?\n\n{{ rep.name }}",
        "short": "Hi {{ contact.first_name }}, shall I check back in spring?"
    });
    let refused = api(
        &app,
        &rep,
        "PUT",
        "/api/v1/templates/breakup",
        Some(mine.clone()),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let saved = api(
        &app,
        &manager,
        "PUT",
        "/api/v1/templates/breakup",
        Some(mine),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json()["custom"], true);
    assert_eq!(saved.json()["updated_by"], MANAGER.0);
    let shown = api(&app, &rep, "GET", "/api/v1/templates/breakup", None).await;
    assert_eq!(shown.json()["subject"], "Last note on {{ topic.title }}");
    // The audit log names the change.
    let log = db.store.audit_log(ORG, &Default::default()).await.unwrap();
    assert!(
        log.entries
            .iter()
            .any(|e| e.entity == "template" && e.entity_id == "breakup")
    );

    assert_eq!(
        api(&app, &rep, "DELETE", "/api/v1/templates/breakup", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let reset = api(&app, &manager, "DELETE", "/api/v1/templates/breakup", None).await;
    assert_eq!(reset.status, StatusCode::OK);
    assert_eq!(reset.json()["custom"], false);
    assert_eq!(
        api(&app, &rep, "GET", "/api/v1/templates/no-such-kind", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let report = db.store.audit_verify(ORG).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
}

async fn p47_a_template_with_an_unknown_placeholder_is_refused_naming_part_and_line(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let manager = token_for(&db.store, ORG, MANAGER).await;
    let bad = json!({
        "subject": "About {{ topic.title }}",
        "body": "Hi {{ contact.first_name }},\n\n{{ contact.nickname }}?",
        "short": "Hi"
    });
    let a = api(
        &app,
        &manager,
        "PUT",
        "/api/v1/templates/follow-up",
        Some(bad),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(a.json()["error"]["field"], "body");
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 3: undefined value"),
        "{}",
        a.body
    );
    assert!(
        rounds_store::Store::templates(&db.store, ORG)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn p47_the_plans_written_items_have_drafts_from_their_templates(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, REP).await;
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
    .await;
    assert_eq!(drafts.status, StatusCode::OK, "{}", drafts.body);
    let drafts = drafts.json();
    let written = ["email", "text", "linkedin", "handwritten-note", "letter"];
    let items = plan["items"].as_array().unwrap();
    let expected: Vec<usize> = (0..items.len())
        .filter(|&n| written.contains(&items[n]["channel"].as_str().unwrap()))
        .collect();
    let got: Vec<usize> = drafts["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["item"].as_u64().unwrap() as usize)
        .collect();
    assert!(!expected.is_empty(), "the demo day plans written touches");
    assert_eq!(got, expected);
    for d in drafts["drafts"].as_array().unwrap() {
        let item = &items[d["item"].as_u64().unwrap() as usize];
        assert_eq!(d["contact"], item["contact"]);
        assert_eq!(d["channel"], item["channel"]);
        let first = item["contact_name"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        assert!(
            d["body"]
                .as_str()
                .unwrap()
                .contains(first.trim_end_matches('.')),
            "{d}"
        );
        assert_eq!(
            d["subject"].is_string(),
            matches!(item["channel"].as_str(), Some("email" | "letter"))
        );
        assert!(d["verdict"]["findings"].is_array());
    }
}

async fn p47_today_shows_the_draft_and_verdict_under_each_written_item(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let (cookie, csrf) = session_for(&db.store, REP).await;
    let today = send(
        &app,
        Request::get(format!("/today?date={DAY}"))
            .header(header::COOKIE, format!("rounds_session={cookie}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(
        today.body.contains("details class=\"draft\""),
        "no draft on Today"
    );
    assert!(today.body.contains("coach: "), "no verdict on Today");
    assert!(today.body.contains("Check with the coach"));

    let checked = form(
        &app,
        &cookie,
        "/coach",
        &[
            ("csrf", &csrf),
            ("subject", "Following up"),
            ("body", "I've tried to reach you several times."),
        ],
    )
    .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(
        checked.body.contains("<mark>Following up</mark>"),
        "{}",
        checked.body
    );
    assert!(
        checked.body.contains("<mark>tried to reach you</mark>"),
        "{}",
        checked.body
    );
    assert!(checked.body.contains("data-kind=\"guilt\""));
    let forged = form(
        &app,
        &cookie,
        "/coach",
        &[("csrf", "forged"), ("body", "x")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}
