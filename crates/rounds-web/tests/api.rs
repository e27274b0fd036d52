//! The JSON API through the router, on SQLite and PostgreSQL: bad input, sign-in and
//! sessions, the OpenAPI document, and the authorization matrix.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use rounds_core::model::{OrgId, UserId};
use rounds_store::{Store, WriteMode};
use serde_json::json;

on_both_backends!(
    bad_input_names_the_field_and_writes_nothing,
    oversized_and_undeclared_bodies_are_refused,
    credentials_are_required_and_tokens_work,
    p33_logging_a_touch_through_the_api_changes_the_plan,
    p10_a_reason_for_not_referring_through_the_api,
    sign_in_answers_alike_for_unknown_users_and_wrong_passwords,
    sign_in_is_limited_per_account,
    sessions_end_when_idle_and_on_sign_out,
    forms_without_the_csrf_token_are_refused,
    authorization_matrix_never_crosses_a_territory,
    calendar_time_off_and_a_reps_week_through_the_api,
    p15_a_second_loss_through_the_api_needs_replace_and_keeps_the_first,
    p43_text_consent_is_set_and_read_through_the_api,
    p33_steps_are_completed_rescheduled_skipped_and_edited_through_the_api,
    the_audit_log_names_each_api_caller_and_is_for_administrators_only,
);

async fn setup(db: &TestDb) -> axum::Router {
    seed_demo(&db.store).await;
    rounds_web::router(state(db.store.clone()))
}

/// A contact of the rep's territory (the first contact of their first account).
async fn contact_of(store: &rounds_store::SqlStore, rep: i64) -> (i64, i64) {
    let account = store.accounts(ORG, Some(UserId(rep))).await.unwrap()[0].clone();
    let contact = store.contacts(ORG, Some(account.id)).await.unwrap()[0].clone();
    (account.id.0, contact.id.0)
}

async fn bad_input_names_the_field_and_writes_nothing(db: &TestDb) {
    let app = setup(db).await;
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let (_, contact) = contact_of(&db.store, 1).await;
    let before = db.store.row_counts(ORG).await.unwrap();
    let cases = [
        (
            json!({"contact": contact, "channel": "pigeon", "outcome": "conversation"}),
            "channel",
            "unknown variant `pigeon`",
        ),
        (
            json!({"contact": contact, "channel": "call"}),
            ".",
            "missing field `outcome`",
        ),
        (
            json!({"contact": contact, "channel": "call", "outcome": "order", "next_step": {"what": "x", "due": "2026-13-45"}}),
            "next_step.due",
            "",
        ),
        (
            json!({"contact": contact, "channel": "call", "outcome": "order", "topics": [999999]}),
            "topics[0]",
            "no topic 999999",
        ),
        (
            json!({"contact": contact, "channel": "call", "outcome": "order", "colour": "red"}),
            "colour",
            "unknown field",
        ),
        (
            json!({"contact": 999999999, "channel": "call", "outcome": "order"}),
            "contact",
            "no contact 999999999",
        ),
    ];
    for (body, field, words) in cases {
        let a = api(&app, &token, "POST", "/api/v1/touches", Some(body.clone())).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {}",
            short(&a.body)
        );
        let e = &a.json()["error"];
        if field == "." {
            assert!(e["field"].is_null(), "{}", short(&a.body));
        } else {
            assert_eq!(e["field"], field, "{}", short(&a.body));
        }
        assert!(
            e["message"].as_str().unwrap().contains(words),
            "{}",
            short(&a.body)
        );
    }
    let a = api(&app, &token, "GET", "/api/v1/accounts?limit=0", None).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["error"]["field"], "limit");
    let a = api(&app, &token, "GET", "/api/v1/accounts?status=gone", None).await;
    assert_eq!(a.json()["error"]["field"], "status", "{}", short(&a.body));
    let mut req = Request::post("/api/v1/touches")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"contact\": "))
        .unwrap();
    let a = send(
        &app,
        std::mem::replace(&mut req, Request::new(Body::empty())),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    assert_eq!(
        db.store.row_counts(ORG).await.unwrap(),
        before,
        "nothing was written"
    );
}

async fn oversized_and_undeclared_bodies_are_refused(db: &TestDb) {
    let app = setup(db).await;
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let (_, contact) = contact_of(&db.store, 1).await;
    let before = db.store.row_counts(ORG).await.unwrap();
    let huge = "x".repeat(rounds_web::MAX_BODY_BYTES + 1);
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/touches",
        Some(json!({"contact": contact, "channel": "call", "outcome": "order", "note": huge})),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than")
    );
    let req = Request::post("/api/v1/touches")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("contact=1"))
        .unwrap();
    assert_eq!(
        send(&app, req).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let long_note = "y".repeat(4001);
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/touches",
        Some(json!({"contact": contact, "channel": "call", "outcome": "order", "note": long_note})),
    )
    .await;
    assert_eq!(a.json()["error"]["field"], "note");
    assert_eq!(db.store.row_counts(ORG).await.unwrap(), before);
}

async fn credentials_are_required_and_tokens_work(db: &TestDb) {
    let app = setup(db).await;
    let a = send(
        &app,
        Request::get("/api/v1/accounts")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.json()["error"]["message"].is_string());
    let a = api(&app, "not-a-token", "GET", "/api/v1/me", None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let a = api(&app, &token, "GET", "/api/v1/me", None).await;
    assert_eq!(a.json()["id"], 1);
    // Disabling the user kills the token at once.
    db.store.set_disabled(ORG, UserId(1), true).await.unwrap();
    assert_eq!(
        api(&app, &token, "GET", "/api/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The document needs no credentials and is OpenAPI 3.1 with every route.
    let a = send(
        &app,
        Request::get("/api/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let doc = a.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/touches",
        "/api/v1/plan",
        "/api/v1/accounts/{id}",
        "/api/v1/lost",
        "/api/v1/referrals",
        "/api/v1/playbook/check",
        "/api/v1/users",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

async fn p33_logging_a_touch_through_the_api_changes_the_plan(db: &TestDb) {
    let app = setup(db).await;
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let plan = api(&app, &token, "GET", "/api/v1/plan", None).await.json();
    let first = &plan["items"][0];
    let contact = first["contact"].as_i64().unwrap();
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/touches",
        Some(json!({
            "contact": contact, "channel": first["channel"], "outcome": "conversation",
            "at": "2026-11-24T14:00:00Z", "note": "talked"
        })),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", short(&a.body));
    let touch = a.json();
    assert_eq!(touch["rep"], 1);
    assert_eq!(touch["contact"], contact);
    let after = api(&app, &token, "GET", "/api/v1/plan", None).await.json();
    let contacts = |p: &serde_json::Value| -> Vec<i64> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["contact"].as_i64().unwrap())
            .collect()
    };
    assert!(
        !contacts(&after).contains(&contact),
        "a contact just reached is not planned again today"
    );
    // A conversation without a next step is flagged (P33).
    assert!(
        after["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["contact"] == contact && f["rules"].to_string().contains("P33")),
        "{}",
        after["flags"]
    );
    let listed = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/touches?contact={contact}"),
        None,
    )
    .await
    .json();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == touch["id"])
    );
    let gone = api(
        &app,
        &token,
        "DELETE",
        &format!("/api/v1/touches/{}", touch["id"]),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
}

async fn p10_a_reason_for_not_referring_through_the_api(db: &TestDb) {
    let app = setup(db).await;
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let (_, contact) = contact_of(&db.store, 1).await;
    let before = db.store.row_counts(ORG).await.unwrap();
    let cases = [
        (
            json!({"contact": contact, "channel": "call", "outcome": "no-response",
                   "no_referral": {"reason": "vague"}}),
            "no_referral.reason",
            "a touch they answered",
        ),
        (
            json!({"contact": contact, "channel": "call", "outcome": "conversation",
                   "no_referral": {"reason": "other"}}),
            "no_referral.text",
            "`other`",
        ),
        (
            json!({"contact": contact, "channel": "call", "outcome": "conversation",
                   "no_referral": {"reason": "shrug"}}),
            "no_referral.reason",
            "unknown variant `shrug`",
        ),
    ];
    for (body, field, words) in cases {
        let a = api(&app, &token, "POST", "/api/v1/touches", Some(body.clone())).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let e = &a.json()["error"];
        assert_eq!(e["field"], field, "{}", short(&a.body));
        assert!(
            e["message"].as_str().unwrap().contains(words),
            "{}",
            short(&a.body)
        );
    }
    assert_eq!(
        db.store.row_counts(ORG).await.unwrap(),
        before,
        "nothing was written"
    );
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/touches",
        Some(json!({
            "contact": contact, "channel": "call", "outcome": "conversation",
            "kind": "records-check", "at": "2026-11-24T14:00:00Z",
            "no_referral": {"reason": "vague", "text": "we'll see"},
            "next_step": {"what": "drop off the referral pad", "due": "2026-12-03"}
        })),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", short(&a.body));
    assert_eq!(
        a.json()["no_referral"],
        json!({"reason": "vague", "text": "we'll see"})
    );
    let plan = api(&app, &token, "GET", "/api/v1/plan", None).await.json();
    assert!(
        plan["flags"].as_array().unwrap().iter().any(|f| {
            f["kind"] == "possible-competing-relationship"
                && f["contact"] == contact
                && f["rules"] == json!(["P10"])
        }),
        "{}",
        plan["flags"]
    );
}

async fn login(app: &axum::Router, email: &str, password: &str) -> common::Answer {
    let form = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let cookie = form.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let body = format!(
        "email={}&password={}&csrf={csrf}",
        form_urlencoded::byte_serialize(email.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(password.as_bytes()).collect::<String>()
    );
    send(
        app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The start of a body, for assertion messages.
fn short(body: &str) -> &str {
    &body[..body.len().min(300)]
}

fn error_text(a: &common::Answer) -> String {
    let start = a
        .body
        .find("class=\"error\"")
        .expect("an error on the page");
    let rest = &a.body[start..];
    rest[..rest.find("</p>").expect("the error paragraph ends")].to_string()
}

async fn sign_in_answers_alike_for_unknown_users_and_wrong_passwords(db: &TestDb) {
    let app = setup(db).await;
    let wrong = login(
        &app,
        "dana.whitfield@keystone-demo.example",
        "not the password",
    )
    .await;
    let unknown = login(&app, "nobody@keystone-demo.example", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(error_text(&unknown), error_text(&wrong));
    let ok = login(&app, "Dana.Whitfield@keystone-demo.example", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let set: Vec<&str> = ok
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set
        .iter()
        .find(|c| c.starts_with("rounds_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain HTTP here");
}

async fn sign_in_is_limited_per_account(db: &TestDb) {
    let app = setup(db).await;
    for _ in 0..5 {
        assert_eq!(
            login(&app, "priya.raman@keystone-demo.example", "guess guess")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused now, and an unknown name fares the same.
    let blocked = login(&app, "priya.raman@keystone-demo.example", PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    for _ in 0..5 {
        login(&app, "ghost@keystone-demo.example", "guess guess").await;
    }
    assert_eq!(
        login(&app, "ghost@keystone-demo.example", "guess guess")
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts are not locked out by it.
    assert_eq!(
        login(&app, "tom.castellano@keystone-demo.example", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

async fn sessions_end_when_idle_and_on_sign_out(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let (cookie, csrf) = session_for(&db.store, UserId(1)).await;
    let get_today = |c: String| {
        Request::get("/today")
            .header(header::COOKIE, format!("rounds_session={c}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        send(&app, get_today(cookie.clone())).await.status,
        StatusCode::OK
    );
    // 31 minutes later the same cookie is refused.
    let later = rounds_web::AppState::new(
        db.store.clone(),
        rounds_core::playbook::Playbook::default(),
        String::new(),
        rounds_web::FixedClock(now() + jiff::SignedDuration::from_mins(31)),
        rounds_web::Config {
            fixed_date: Some(DAY),
            ..Default::default()
        },
    );
    let later_app = rounds_web::router(later);
    let a = send(&later_app, get_today(cookie.clone())).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers[header::LOCATION], "/login");
    // Sign-out deletes the session on the server.
    let (cookie, csrf2) = session_for(&db.store, UserId(1)).await;
    let _ = csrf;
    let out = send(
        &app,
        Request::post("/logout")
            .header(header::COOKIE, format!("rounds_session={cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf2}")))
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        send(&app, get_today(cookie)).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn forms_without_the_csrf_token_are_refused(db: &TestDb) {
    let app = setup(db).await;
    let (cookie, csrf) = session_for(&db.store, UserId(1)).await;
    let (_, contact) = contact_of(&db.store, 1).await;
    let before = db.store.row_counts(ORG).await.unwrap();
    let post = |token: &str| {
        Request::post("/touches")
            .header(header::COOKIE, format!("rounds_session={cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf={token}&contact={contact}&channel=call&outcome=conversation&note=hi"
            )))
            .unwrap()
    };
    assert_eq!(
        send(&app, post("forged")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(db.store.row_counts(ORG).await.unwrap(), before);
    // A session calling the API must send the token in a header.
    let a = send(
        &app,
        Request::post("/api/v1/touches")
            .header(header::COOKIE, format!("rounds_session={cookie}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"contact": contact, "channel": "call", "outcome": "order"}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // A bad field in the form: 4xx naming it, nothing written.
    let bad = Request::post("/touches")
        .header(header::COOKIE, format!("rounds_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={csrf}&contact={contact}&channel=pigeon&outcome=conversation"
        )))
        .unwrap();
    let a = send(&app, bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("channel"), "{}", short(&a.body));
    assert_eq!(db.store.row_counts(ORG).await.unwrap(), before);
    let ok = send(&app, post(&csrf)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        db.store.row_counts(ORG).await.unwrap().touches,
        before.touches + 1
    );
}

/// One caller's view of one territory: the ids of a record of each kind in it.
#[derive(Debug, Clone, Copy)]
struct Target {
    rep: i64,
    account: i64,
    contact: i64,
    touch: i64,
}

async fn target_in(store: &rounds_store::SqlStore, org: OrgId, rep: i64) -> Target {
    let t = store.territory(org, UserId(rep)).await.unwrap();
    let touch = t.touches.last().unwrap();
    Target {
        rep,
        account: touch.account.0,
        contact: touch.contact.0,
        touch: touch.id.0,
    }
}

/// Every API route × rep, manager and administrator × their own territory and one
/// outside it × read, list, update, delete: outside answers 404 (or a 422 naming the
/// field that points outside) and nothing outside is returned or changed.
async fn authorization_matrix_never_crosses_a_territory(db: &TestDb) {
    let app = setup(db).await;
    let s = &db.store;
    // A second team: rep 4's territory goes to a new rep of team South.
    let south = rounds_core::model::User {
        id: UserId(8),
        name: "Sam South".into(),
        email: "sam@south.example".into(),
        role: rounds_core::model::Role::Rep,
        team: Some("South".into()),
    };
    s.save_user(ORG, &south).await.unwrap();
    s.reassign_accounts(ORG, UserId(4), UserId(8))
        .await
        .unwrap();
    // A second organisation, a copy of rep 1's territory under other ids.
    let t1 = s.territory(ORG, UserId(1)).await.unwrap();
    let mut other = rounds_core::export::OrgData {
        organisation: rounds_core::model::Organisation {
            id: OrgId(2),
            name: "Elsewhere".into(),
            demo: false,
        },
        users: vec![],
        accounts: vec![],
        contacts: vec![],
        topics: vec![],
        touches: vec![],
        referrals: vec![],
        lost: vec![],
        no_fits: vec![],
        step_updates: vec![],
        work_weeks: vec![],
        time_off: vec![],
    };
    other.users = vec![rounds_core::model::User {
        id: UserId(1),
        name: "Olga Other".into(),
        email: "olga@else.example".into(),
        role: rounds_core::model::Role::Rep,
        team: None,
    }];
    other.accounts = t1.accounts.clone();
    other.contacts = t1.contacts.clone();
    other.touches = t1
        .touches
        .iter()
        .map(|t| rounds_core::model::Touch {
            id: rounds_core::model::TouchId(t.id.0 + 50_000_000),
            ..t.clone()
        })
        .collect();
    other.topics = t1.topics.clone();
    for a in &mut other.accounts {
        a.id.0 += 50_000_000;
        a.name = format!("ELSEWHERE {}", a.name);
    }
    for c in &mut other.contacts {
        c.id.0 += 50_000_000;
        c.account.0 += 50_000_000;
    }
    for t in &mut other.touches {
        t.contact.0 += 50_000_000;
        t.account.0 += 50_000_000;
    }
    s.write_org(&other, WriteMode::Replace).await.unwrap();

    let cases = [
        (
            "rep",
            UserId(1),
            target_in(s, ORG, 1).await,
            target_in(s, ORG, 2).await,
        ),
        (
            "manager",
            UserId(5),
            target_in(s, ORG, 3).await,
            target_in(s, ORG, 8).await,
        ),
        (
            "admin",
            UserId(6),
            target_in(s, ORG, 8).await,
            target_in(s, OrgId(2), 1).await,
        ),
    ];
    let snapshot = || async {
        (
            s.export(ORG).await.unwrap(),
            s.export(OrgId(2)).await.unwrap(),
        )
    };
    for (role, user, own, out) in cases {
        let token = token_for(s, ORG, user).await;
        let call = |m: &'static str, uri: String, body: Option<serde_json::Value>| {
            let app = app.clone();
            let token = token.clone();
            async move { api(&app, &token, m, &uri, body).await }
        };
        let reads = |t: Target| {
            vec![
                format!("/api/v1/accounts/{}", t.account),
                format!("/api/v1/contacts/{}", t.contact),
                format!("/api/v1/touches/{}", t.touch),
                format!("/api/v1/touches?account={}", t.account),
                format!("/api/v1/touches?contact={}", t.contact),
                format!("/api/v1/contacts?account={}", t.account),
                format!("/api/v1/referrals?contact={}", t.contact),
                format!("/api/v1/plan?rep={}", t.rep),
                format!("/api/v1/users/{}", t.rep),
            ]
        };
        // Read: own in scope, the other answers 404 with no trace of the record.
        for uri in reads(own) {
            let a = call("GET", uri.clone(), None).await;
            assert_eq!(a.status, StatusCode::OK, "{role} {uri}: {}", short(&a.body));
        }
        for uri in reads(out) {
            let a = call("GET", uri.clone(), None).await;
            if role == "admin" && (uri.contains("/users/") || uri.contains("/plan?")) {
                // Organisation 2's user 1 shares an id with ours: the answer must be ours.
                assert!(!a.body.contains("olga@else.example"), "{role} {uri}");
                continue;
            }
            assert_eq!(
                a.status,
                StatusCode::NOT_FOUND,
                "{role} {uri}: {}",
                short(&a.body)
            );
            assert!(!a.body.contains("ELSEWHERE"), "{role} {uri}");
        }
        // List: every page of every list leaves the other territory out.
        for list in [
            "/api/v1/accounts",
            "/api/v1/contacts",
            "/api/v1/users",
            "/api/v1/lost",
            "/api/v1/topics",
        ] {
            let mut offset = 0;
            loop {
                let a = call("GET", format!("{list}?limit=500&offset={offset}"), None).await;
                assert_eq!(a.status, StatusCode::OK, "{role} {list}");
                let page = a.json();
                for item in page["items"].as_array().unwrap() {
                    assert!(!item.to_string().contains("ELSEWHERE"), "{role} {list}");
                    if list == "/api/v1/accounts" {
                        assert_ne!(
                            item["id"], out.account,
                            "{role} {list} shows another territory"
                        );
                        if role != "admin" {
                            assert_ne!(item["rep"], out.rep, "{role} {list}");
                        }
                    }
                    if list == "/api/v1/contacts" {
                        assert_ne!(item["id"], out.contact, "{role} {list}");
                    }
                }
                offset += 500;
                if offset >= page["total"].as_i64().unwrap() {
                    break;
                }
            }
        }
        // Update and delete: the other territory is untouched.
        let before = snapshot().await;
        let own_account = call("GET", format!("/api/v1/accounts/{}", own.account), None)
            .await
            .json();
        let mut foreign_account = own_account.clone();
        foreign_account["name"] = json!("Renamed");
        let writes = |t: Target| {
            vec![
                (
                    "PUT",
                    format!("/api/v1/accounts/{}", t.account),
                    Some(foreign_account.clone()),
                ),
                (
                    "POST",
                    "/api/v1/touches".to_string(),
                    Some(
                        json!({"contact": t.contact, "channel": "call", "outcome": "conversation"}),
                    ),
                ),
                (
                    "POST",
                    "/api/v1/referrals".to_string(),
                    Some(json!({"contact": t.contact, "day": "2026-11-20", "count": 3})),
                ),
                (
                    "POST",
                    "/api/v1/lost".to_string(),
                    Some(
                        json!({"account": t.account, "lost_on": "2026-11-20", "reason": "pricing"}),
                    ),
                ),
                ("DELETE", format!("/api/v1/touches/{}", t.touch), None),
            ]
        };
        for (m, uri, body) in writes(out) {
            let a = call(m, uri.clone(), body).await;
            assert!(
                matches!(
                    a.status,
                    StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY
                ),
                "{role} {m} {uri}: {} {}",
                a.status,
                short(&a.body)
            );
            assert!(!a.body.contains("ELSEWHERE"), "{role} {m} {uri}");
        }
        // Moving one's own account into the other territory is refused too.
        let mut moved = own_account.clone();
        moved["rep"] = json!(out.rep);
        if role != "admin" {
            let a = call(
                "PUT",
                format!("/api/v1/accounts/{}", own.account),
                Some(moved),
            )
            .await;
            assert_eq!(
                a.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{role}: {}",
                short(&a.body)
            );
            assert_eq!(a.json()["error"]["field"], "rep");
        }
        assert!(
            snapshot().await == before,
            "{role}: a write outside the territory changed something"
        );
        // The same writes inside the territory succeed.
        let mut renamed = own_account.clone();
        renamed["name"] = json!(format!(
            "{} (checked)",
            own_account["name"].as_str().unwrap()
        ));
        let a = call(
            "PUT",
            format!("/api/v1/accounts/{}", own.account),
            Some(renamed),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{role}: {}", short(&a.body));
        let a = call(
            "POST",
            "/api/v1/touches".into(),
            Some(json!({"contact": own.contact, "channel": "call", "outcome": "conversation"})),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{role}: {}", short(&a.body));
        let a = call("DELETE", format!("/api/v1/touches/{}", own.touch), None).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{role}");
        // Pages: the other territory's account and plan answer 404.
        let (cookie, _) = session_for(s, user).await;
        for uri in [format!("/today?rep={}", out.rep)] {
            let a = send(
                &app,
                Request::get(&uri)
                    .header(header::COOKIE, format!("rounds_session={cookie}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            if role == "admin" {
                continue;
            }
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{role} {uri}");
        }
    }
}

/// The first two reps of the demo, by id.
async fn two_reps(store: &rounds_store::SqlStore) -> (i64, i64) {
    let reps: Vec<i64> = store
        .users(ORG)
        .await
        .unwrap()
        .iter()
        .filter(|u| u.role == rounds_core::model::Role::Rep)
        .map(|u| u.id.0)
        .collect();
    (reps[0], reps[1])
}

async fn calendar_time_off_and_a_reps_week_through_the_api(db: &TestDb) {
    let app = setup(db).await;
    let (me, other) = two_reps(&db.store).await;
    let token = token_for(&db.store, ORG, UserId(me)).await;
    let plan = |date: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            api(
                app,
                token,
                "GET",
                &format!("/api/v1/plan?date={date}"),
                None,
            )
            .await
            .json()
        }
    };
    assert!(plan("2026-11-24").await.get("day_off").is_none());
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/time-off",
        Some(json!({"rep": me, "from": "2026-11-24", "to": "2026-11-25", "reason": "training"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let id = a.json()["id"].as_i64().unwrap();
    let p = plan("2026-11-24").await;
    assert_eq!(p["day_off"]["kind"], "time-off");
    assert_eq!(p["day_off"]["next_working_day"], "2026-11-27");
    assert_eq!(p["items"].as_array().unwrap().len(), 0);
    // Thanksgiving is a default holiday, named.
    assert_eq!(
        plan("2026-11-26").await["day_off"]["why"],
        "a holiday: Thanksgiving Day"
    );
    let listed = api(&app, &token, "GET", "/api/v1/time-off", None)
        .await
        .json();
    assert_eq!(listed["total"], 1);
    // Another rep's calendar is out of a rep's scope.
    let a = api(
        &app,
        &token,
        "POST",
        "/api/v1/time-off",
        Some(json!({"rep": other, "from": "2026-11-24", "to": "2026-11-24", "reason": "x"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json()["error"]["field"], "rep");
    let a = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/users/{other}/calendar"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = api(
        &app,
        &token,
        "DELETE",
        &format!("/api/v1/time-off/{id}"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(plan("2026-11-24").await.get("day_off").is_none());
    // Monday to Thursday: Friday is off.
    let uri = format!("/api/v1/users/{me}/week");
    let bad = api(
        &app,
        &token,
        "PUT",
        &uri,
        Some(json!({"days": ["mon-thu"], "hours": "16:00-08:00"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "hours");
    let a = api(
        &app,
        &token,
        "PUT",
        &uri,
        Some(json!({"days": ["mon-thu"], "hours": "08:00-16:00"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["days"], json!(["mon", "tue", "wed", "thu"]));
    assert_eq!(
        plan("2026-11-27").await["day_off"]["kind"],
        "not-the-reps-day"
    );
    let cal = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/users/{me}/calendar"),
        None,
    )
    .await
    .json();
    assert_eq!(cal["week"]["hours"], "08:00-16:00");
}

async fn p15_a_second_loss_through_the_api_needs_replace_and_keeps_the_first(db: &TestDb) {
    let app = setup(db).await;
    let (me, _) = two_reps(&db.store).await;
    let token = token_for(&db.store, ORG, UserId(me)).await;
    let (account, _) = contact_of(&db.store, me).await;
    // The account may already be lost in the demo; the first loss then replaces it.
    let first =
        json!({"account": account, "lost_on": "2026-11-02", "reason": "pricing", "replace": true});
    let a = api(&app, &token, "POST", "/api/v1/lost", Some(first)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let before = db.store.export(ORG).await.unwrap();
    let second = json!({"account": account, "lost_on": "2026-11-20", "reason": "customer-service"});
    let a = api(&app, &token, "POST", "/api/v1/lost", Some(second.clone())).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert_eq!(a.json()["error"]["field"], "replace");
    assert_eq!(db.store.export(ORG).await.unwrap(), before);
    let mut replace = second;
    replace["replace"] = json!(true);
    let a = api(&app, &token, "POST", "/api/v1/lost", Some(replace)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let body = a.json();
    assert_eq!(body["lost_on"], "2026-11-20");
    let earlier = body["earlier"].as_array().unwrap();
    assert_eq!(earlier.last().unwrap()["lost_on"], "2026-11-02");
}

async fn p43_text_consent_is_set_and_read_through_the_api(db: &TestDb) {
    let app = setup(db).await;
    let (me, _) = two_reps(&db.store).await;
    let token = token_for(&db.store, ORG, UserId(me)).await;
    let (_, contact) = contact_of(&db.store, me).await;
    let uri = format!("/api/v1/contacts/{contact}");
    let mut c = api(&app, &token, "GET", &uri, None).await.json();
    let obj = c.as_object_mut().unwrap();
    obj.remove("id");
    obj.insert(
        "text_consent".into(),
        json!({"on": "2026-11-02", "source": " "}),
    );
    let a = api(&app, &token, "PUT", &uri, Some(c.clone())).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(a.json()["error"]["field"], "text_consent.source");
    c["text_consent"] = json!({"on": "2026-11-02", "source": "signed-form"});
    let a = api(&app, &token, "PUT", &uri, Some(c)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let read = api(&app, &token, "GET", &uri, None).await.json();
    assert_eq!(
        read["text_consent"],
        json!({"on": "2026-11-02", "source": "signed-form"})
    );
}

async fn p33_steps_are_completed_rescheduled_skipped_and_edited_through_the_api(db: &TestDb) {
    let app = setup(db).await;
    let token = token_for(&db.store, ORG, UserId(1)).await;
    let listed = api(&app, &token, "GET", "/api/v1/steps?rep=1&limit=500", None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", short(&listed.body));
    let listed = listed.json();
    let items = listed["items"].as_array().unwrap();
    assert!(items.len() >= 3, "the demo has open steps");
    let step = |i: usize| items[i]["step"].as_i64().unwrap();
    let (a, b, c) = (step(0), step(1), step(2));
    let set_on = items[0]["set_on"].as_str().unwrap().to_string();
    let before: jiff::civil::Date = set_on.parse().unwrap();
    let before = before.yesterday().unwrap().to_string();
    let overdue = api(
        &app,
        &token,
        "GET",
        "/api/v1/steps?rep=1&overdue=true&limit=500",
        None,
    )
    .await
    .json();
    assert!(
        overdue["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["days_overdue"].as_i64().unwrap() > 0)
    );

    // Bad values name the HTTP field and write nothing.
    let counts = db.store.row_counts(ORG).await.unwrap();
    for (body, field) in [
        (json!({"due": before, "reason": "moved"}), json!("due")),
        (json!({"due": "2026-12-01", "reason": " "}), json!("reason")),
        // A missing field is named in the message, as for every body.
        (json!({"due": "2026-12-01"}), json!(null)),
        (json!({"due": "2026-13-40", "reason": "x"}), json!("due")),
    ] {
        let uri = format!("/api/v1/steps/{a}/reschedule");
        let r = api(&app, &token, "POST", &uri, Some(body.clone())).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            short(&r.body)
        );
        assert_eq!(
            r.json()["error"]["field"],
            field,
            "{body}: {}",
            short(&r.body)
        );
    }
    let r = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/steps/{a}"),
        Some(json!({})),
    )
    .await;
    assert_eq!(r.json()["error"]["field"], "what", "{}", short(&r.body));
    assert_eq!(db.store.row_counts(ORG).await.unwrap(), counts);
    assert!(
        db.store
            .step_updates(ORG, rounds_core::model::TouchId(a))
            .await
            .unwrap()
            .is_empty()
    );

    let r = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/steps/{a}/reschedule"),
        Some(json!({"due": "2026-12-01", "reason": "the office is closed this week"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", short(&r.body));
    let u = r.json();
    assert_eq!(
        (u["action"].as_str(), u["due"].as_str(), u["seq"].as_i64()),
        (Some("reschedule"), Some("2026-12-01"), Some(1))
    );
    let r = api(
        &app,
        &token,
        "PATCH",
        &format!("/api/v1/steps/{a}"),
        Some(json!({"what": "bring the blister packs"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", short(&r.body));
    let r = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/steps/{b}/complete"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", short(&r.body));
    assert_eq!(r.json()["by"], 1);
    let again = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/steps/{b}/complete"),
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["error"]["field"], "step");
    let r = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/steps/{c}/skip"),
        Some(json!({"reason": "they buy direct now"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", short(&r.body));

    let after = api(&app, &token, "GET", "/api/v1/steps?rep=1&limit=500", None)
        .await
        .json();
    let after = after["items"].as_array().unwrap();
    let of = |id: i64| after.iter().find(|s| s["step"] == id);
    assert!(of(b).is_none() && of(c).is_none());
    let moved = of(a).unwrap();
    assert_eq!(
        (moved["due"].as_str(), moved["what"].as_str()),
        (Some("2026-12-01"), Some("bring the blister packs"))
    );

    // Another rep's step answers like a missing one.
    let other = token_for(&db.store, ORG, UserId(2)).await;
    let r = api(
        &app,
        &other,
        "POST",
        &format!("/api/v1/steps/{a}/complete"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", short(&r.body));
    let r = api(
        &app,
        &token,
        "POST",
        "/api/v1/steps/999999999/complete",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The plan names the step each item serves and lists the triage.
    let plan = api(&app, &token, "GET", "/api/v1/plan", None).await.json();
    assert!(plan["triage"].is_array());
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("step").is_some())
    );
}

/// A write through the API is logged as its caller's at the server's clock; the log and
/// its verdict answer administrators only, page by page, and a row edited behind the
/// server's back turns the verdict.
async fn the_audit_log_names_each_api_caller_and_is_for_administrators_only(db: &TestDb) {
    let app = setup(db).await;
    let s = &db.store;
    let (rep, manager, admin) = (UserId(1), UserId(5), UserId(6));
    let (_, contact) = contact_of(s, 1).await;
    let rep_token = token_for(s, ORG, rep).await;
    let admin_token = token_for(s, ORG, admin).await;
    let a = api(
        &app,
        &rep_token,
        "POST",
        "/api/v1/touches",
        Some(json!({"contact": contact, "channel": "call", "outcome": "conversation"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let touch = a.json()["id"].clone();

    let a = api(&app, &admin_token, "GET", "/api/v1/audit?limit=2", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let page = a.json();
    let newest = &page["items"][0];
    assert_eq!(newest["entity"], "touch");
    assert_eq!(newest["entity_id"], touch.to_string());
    assert_eq!(newest["action"], "create");
    assert_eq!(newest["actor"], "user:1");
    assert_eq!(newest["at"], "2026-11-24T14:30:00Z");
    assert_eq!(newest["before"], "");
    assert_eq!(newest["after"].as_str().unwrap().len(), 64);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let total = page["total"].as_u64().unwrap();
    // The demo (one summary row), a password each, two tokens, the touch.
    assert!(total > 3, "{total}");
    let a = api(
        &app,
        &admin_token,
        "GET",
        "/api/v1/audit?entity=touch",
        None,
    )
    .await;
    assert_eq!(a.json()["total"], 1);
    let a = api(
        &app,
        &admin_token,
        "GET",
        &format!("/api/v1/audit?offset={}", total - 1),
        None,
    )
    .await;
    assert_eq!(a.json()["items"][0]["seq"], 1);
    assert_eq!(a.json()["items"][0]["action"], "replace");
    for bad in ["entity=planet", "limit=0", "since=yesterday"] {
        let a = api(
            &app,
            &admin_token,
            "GET",
            &format!("/api/v1/audit?{bad}"),
            None,
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            a.body
        );
    }

    let a = api(&app, &admin_token, "GET", "/api/v1/audit/verify", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["whole"], true, "{}", a.body);
    assert_eq!(a.json()["rows"].as_u64(), Some(total));

    let manager_token = token_for(s, ORG, manager).await;
    for (who, token) in [("rep", &rep_token), ("manager", &manager_token)] {
        for uri in ["/api/v1/audit", "/api/v1/audit/verify"] {
            let a = api(&app, token, "GET", uri, None).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{who} {uri}");
        }
    }

    db.exec("UPDATE audit_log SET actor = 'user:6' WHERE org_id = 1 AND seq = 2")
        .await;
    let a = api(&app, &admin_token, "GET", "/api/v1/audit/verify", None).await;
    let verdict = a.json();
    assert_eq!(verdict["whole"], false);
    assert_eq!(verdict["breaks"][0]["kind"], "altered");
    assert_eq!(verdict["breaks"][0]["seq"], 2);
}
