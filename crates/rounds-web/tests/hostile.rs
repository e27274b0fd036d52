//! Hostile input at the handlers, on SQLite and PostgreSQL: return targets that would
//! split a header or leave the site, messages smuggled in through the URL, the browser
//! security headers, forms without their CSRF token, passwords and LinkedIn addresses
//! that must be refused, records named across a territory, and ids outside the scope
//! that must cost exactly what a missing id costs.

mod common;

use std::future::Future;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use rounds_app::{Actor, AppError, ContactFilter, TouchFilter};
use rounds_core::model::{AccountId, ContactId, LossReason, TouchId, UserId};
use rounds_store::{SqlStore, Store};
use rounds_testkit::recording::Recording;
use serde_json::json;

on_both_backends!(
    a_bad_return_target_is_refused_before_anything_is_written,
    a_good_return_target_is_followed_and_the_flash_travels_in_a_cookie,
    the_flash_is_never_read_from_the_url,
    security_headers_on_a_page_an_api_answer_and_a_static_asset,
    a_form_without_its_csrf_field_is_refused_with_403,
    blank_and_space_edged_passwords_are_refused_by_the_api,
    only_https_linkedin_addresses_on_linkedin_are_accepted,
    a_record_asked_for_is_404_and_a_record_referred_to_is_422,
    an_id_outside_the_scope_is_answered_and_worked_like_a_missing_one,
);

/// Rep 1 is the caller in every test; rep 2's records lie outside their scope.
const ME: UserId = UserId(1);
const OTHER: UserId = UserId(2);
const ADMIN: UserId = UserId(6);
/// No record of the demo has this id.
const MISSING: i64 = 999_999_999;

async fn setup(db: &TestDb) -> axum::Router {
    seed_demo(&db.store).await;
    rounds_web::router(state(db.store.clone()))
}

/// The first account of the rep and its first contact.
async fn contact_of(store: &SqlStore, rep: UserId) -> (i64, i64) {
    let account = store.accounts(ORG, Some(rep)).await.unwrap()[0].clone();
    let contact = store.contacts(ORG, Some(account.id)).await.unwrap()[0].clone();
    (account.id.0, contact.id.0)
}

/// A touch of the rep's territory that set a next step (open or not), and one that did
/// not.
async fn touches_of(store: &SqlStore, rep: UserId) -> (TouchId, TouchId) {
    let territory = store.territory(ORG, rep).await.unwrap();
    let with = territory.touches.iter().find(|t| t.next_step.is_some());
    let without = territory.touches.iter().find(|t| t.next_step.is_none());
    (with.unwrap().id, without.unwrap().id)
}

/// An open step of the rep, from the API.
async fn open_step(app: &axum::Router, store: &SqlStore, rep: UserId) -> i64 {
    let token = token_for(store, ORG, rep).await;
    let listed = api(app, &token, "GET", "/api/v1/steps?limit=1", None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    listed.json()["items"][0]["step"].as_i64().unwrap()
}

fn get(path: &str, cookies: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap()
}

fn header_of(a: &Answer, name: header::HeaderName) -> &str {
    a.headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn a_bad_return_target_is_refused_before_anything_is_written(db: &TestDb) {
    let app = setup(db).await;
    let (cookie, csrf) = session_for(&db.store, ME).await;
    let (_, contact) = contact_of(&db.store, ME).await;
    let contact = contact.to_string();
    let step = open_step(&app, &db.store, ME).await;
    let step_form = format!("/steps/{step}/complete");
    let touches = db.store.row_counts(ORG).await.unwrap().touches;
    let updates = db
        .store
        .step_updates(ORG, TouchId(step))
        .await
        .unwrap()
        .len();
    for back in [
        // A split header: before, the touch was saved and then the answer was a 500.
        "/today\r\nSet-Cookie: planted=1",
        "/today\n",
        "/to\0day",
        // Browsers drop the tab or read `\` as `/`: both were `//evil.example`.
        "/\t/evil.example",
        "/\\evil.example",
        "//evil.example",
        "https://evil.example/",
        "/today%zz",
    ] {
        let touch = [
            ("csrf", csrf.as_str()),
            ("contact", &contact),
            ("channel", "call"),
            ("outcome", "conversation"),
            ("back", back),
        ];
        for (path, fields) in [
            ("/log", &touch[..]),
            ("/touches", &touch[..]),
            (
                step_form.as_str(),
                &[("csrf", csrf.as_str()), ("back", back)][..],
            ),
        ] {
            let a = form(&app, &cookie, path, fields).await;
            assert_eq!(
                a.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} with back={back:?}"
            );
            assert!(a.body.contains("back"), "{path}: the field is named");
            assert!(a.headers.get(header::LOCATION).is_none(), "{path}");
        }
    }
    assert_eq!(db.store.row_counts(ORG).await.unwrap().touches, touches);
    assert_eq!(
        db.store
            .step_updates(ORG, TouchId(step))
            .await
            .unwrap()
            .len(),
        updates,
        "the step is unchanged"
    );
}

async fn a_good_return_target_is_followed_and_the_flash_travels_in_a_cookie(db: &TestDb) {
    let app = setup(db).await;
    let (cookie, csrf) = session_for(&db.store, ME).await;
    let (_, contact) = contact_of(&db.store, ME).await;
    let back = format!("/contacts/{contact}");
    let contact = contact.to_string();
    let a = form(
        &app,
        &cookie,
        "/log",
        &[
            ("csrf", &csrf),
            ("contact", &contact),
            ("channel", "call"),
            ("outcome", "conversation"),
            ("back", &back),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(
        header_of(&a, header::LOCATION),
        back,
        "no message in the URL"
    );
    let set = header_of(&a, header::SET_COOKIE);
    assert!(set.starts_with("rounds_flash="), "{set}");
    for part in ["HttpOnly", "SameSite=Strict", "Max-Age=60", "Path=/"] {
        assert!(set.contains(part), "{part} in {set}");
    }
    let flash = set.split(';').next().unwrap();
    let shown = send(
        &app,
        get(&back, &format!("rounds_session={cookie}; {flash}")),
    )
    .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("id=\"flash\""), "the message is shown");
    assert!(
        shown.body.contains("Logged call with"),
        "and says what was done"
    );
    let cleared = header_of(&shown, header::SET_COOKIE);
    assert!(
        cleared.starts_with("rounds_flash=;") && cleared.contains("Max-Age=0"),
        "shown once: {cleared}"
    );
    // Without the cookie there is nothing to say.
    let again = send(&app, get(&back, &format!("rounds_session={cookie}"))).await;
    assert!(!again.body.contains("id=\"flash\""));
}

async fn the_flash_is_never_read_from_the_url(db: &TestDb) {
    let app = setup(db).await;
    let (cookie, _) = session_for(&db.store, ME).await;
    let (_, contact) = contact_of(&db.store, ME).await;
    let lure = "Your+session+expired%3A+sign+in+again+at+evil.example";
    for path in ["/today", "/lost", "/topics", "/calendar"]
        .map(String::from)
        .into_iter()
        .chain([format!("/contacts/{contact}")])
    {
        let a = send(
            &app,
            get(
                &format!("{path}?flash={lure}"),
                &format!("rounds_session={cookie}"),
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert!(
            !a.body.contains("evil.example"),
            "{path} repeats the URL's text"
        );
        assert!(!a.body.contains("id=\"flash\""), "{path}");
    }
}

async fn security_headers_on_a_page_an_api_answer_and_a_static_asset(db: &TestDb) {
    let app = setup(db).await;
    let (cookie, _) = session_for(&db.store, ME).await;
    let token = token_for(&db.store, ORG, ME).await;
    let with = |req: Request<Body>| {
        let mut req = req;
        req.headers_mut()
            .insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
        req
    };
    let page = send(
        &app,
        with(get("/today", &format!("rounds_session={cookie}"))),
    )
    .await;
    let lost = send(
        &app,
        with(get("/lost", &format!("rounds_session={cookie}"))),
    )
    .await;
    let sign_in = send(&app, with(get("/login", ""))).await;
    let missing = send(&app, with(get("/no-such-page", ""))).await;
    let api_answer = send(
        &app,
        with(
            Request::get("/api/v1/accounts?limit=500")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        ),
    )
    .await;
    let asset = send(&app, with(get("/assets/app.css", ""))).await;
    for (what, a) in [
        ("page", &page),
        ("lost page", &lost),
        ("sign-in page", &sign_in),
        ("not-found page", &missing),
        ("API answer", &api_answer),
        ("stylesheet", &asset),
    ] {
        let csp = header_of(a, header::CONTENT_SECURITY_POLICY);
        for part in [
            "default-src 'none'",
            "style-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(part), "{what}: {part} in {csp:?}");
        }
        assert!(!csp.contains("unsafe"), "{what}: {csp}");
        assert_eq!(header_of(a, header::X_FRAME_OPTIONS), "DENY", "{what}");
        assert_eq!(
            header_of(a, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{what}"
        );
        assert_eq!(
            header_of(a, header::REFERRER_POLICY),
            "same-origin",
            "{what}"
        );
    }
    for (what, a) in [("page", &page), ("API answer", &api_answer)] {
        assert_eq!(a.status, StatusCode::OK, "{what}");
        assert_eq!(header_of(a, header::CACHE_CONTROL), "no-store", "{what}");
    }
    assert!(header_of(&asset, header::CACHE_CONTROL).starts_with("public"));
    // The policy allows no inline script or style, so the pages must have none.
    for (what, a) in [("page", &page), ("lost page", &lost)] {
        assert!(!a.body.contains("<script"), "{what}");
        assert!(!a.body.contains(" style="), "{what} has an inline style");
        assert!(!a.body.contains(" onclick="), "{what}");
    }
    // BREACH: a page carries the CSRF token beside echoed text, so it goes out
    // uncompressed; the API's lists, which carry no token, stay compressed.
    for (what, a) in [("page", &page), ("sign-in page", &sign_in)] {
        assert_eq!(header_of(a, header::CONTENT_ENCODING), "", "{what}");
        assert!(a.body.contains("name=\"csrf\""), "{what} carries a token");
    }
    assert_eq!(header_of(&api_answer, header::CONTENT_ENCODING), "gzip");
}

async fn a_form_without_its_csrf_field_is_refused_with_403(db: &TestDb) {
    let app = setup(db).await;
    let (cookie, _) = session_for(&db.store, ME).await;
    let (account, contact) = contact_of(&db.store, ME).await;
    let (account, contact) = (account.to_string(), contact.to_string());
    let step = open_step(&app, &db.store, ME).await;
    let before = db.store.row_counts(ORG).await.unwrap();
    let touch = [
        ("contact", contact.as_str()),
        ("channel", "call"),
        ("outcome", "conversation"),
    ];
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/touches".into(), touch.to_vec()),
        // Even with every other field wrong, the missing token is what is answered.
        ("/touches".into(), vec![("channel", "pigeon")]),
        ("/touches".into(), vec![]),
        ("/log".into(), touch.to_vec()),
        (format!("/steps/{step}/complete"), vec![]),
        ("/topics".into(), vec![("title", "Planted")]),
        (
            "/lost".into(),
            vec![("account", account.as_str()), ("reason", "price")],
        ),
        (
            format!("/contacts/{contact}/text-consent"),
            vec![("withdraw", "1")],
        ),
        (
            "/calendar/time-off".into(),
            vec![("from", "2026-12-01"), ("to", "2026-12-02")],
        ),
        // A repeated field used to be refused as a bad form (422) before the token.
        (
            "/settings/playbook/check".into(),
            vec![("toml", "a = 1"), ("toml", "b = 2")],
        ),
        ("/settings/playbook/check".into(), vec![]),
        ("/logout".into(), vec![("csrf", "x"), ("csrf", "y")]),
        ("/logout".into(), vec![]),
        (
            "/settings/password".into(),
            vec![("password", "a long one"), ("password", "twice")],
        ),
        (
            "/settings/tokens".into(),
            vec![("name", "a"), ("name", "b")],
        ),
        ("/settings/tokens/abcdef12/revoke".into(), vec![]),
        ("/settings/calendar-feed".into(), vec![]),
        ("/settings/calendar-feed/revoke".into(), vec![]),
    ];
    for (path, fields) in &forms {
        let a = form(&app, &cookie, path, fields).await;
        assert_eq!(
            a.status,
            StatusCode::FORBIDDEN,
            "{path} {fields:?}: {}",
            a.body
        );
    }
    // A body that is not a form at all is refused the same way.
    let a = send(
        &app,
        Request::post("/touches")
            .header(header::COOKIE, format!("rounds_session={cookie}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"contact": 1}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert_eq!(db.store.row_counts(ORG).await.unwrap(), before);
}

async fn blank_and_space_edged_passwords_are_refused_by_the_api(db: &TestDb) {
    let app = setup(db).await;
    let admin = token_for(&db.store, ORG, ADMIN).await;
    let users = db.store.users(ORG).await.unwrap().len();
    for (i, (password, why)) in [
        ("          ", "blank or only spaces"),
        ("\t \t \t \t \t ", "blank or only spaces"),
        (" correct horse battery", "begins or ends with a space"),
        ("correct horse battery  ", "begins or ends with a space"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({
            "name": "Nia New", "email": format!("nia{i}@clinic.example"), "role": "rep",
            "password": password,
        });
        let a = api(&app, &admin, "POST", "/api/v1/users", Some(body)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{password:?}");
        assert_eq!(a.json()["error"]["field"], "password", "{password:?}");
        let message = a.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(why), "{password:?}: {message}");
    }
    assert_eq!(db.store.users(ORG).await.unwrap().len(), users);
}

async fn only_https_linkedin_addresses_on_linkedin_are_accepted(db: &TestDb) {
    let app = setup(db).await;
    let token = token_for(&db.store, ORG, ME).await;
    let (account, _) = contact_of(&db.store, ME).await;
    let contacts = db.store.row_counts(ORG).await.unwrap().contacts;
    let add = |linkedin: &str| {
        json!({"account": account, "name": "Lee Link", "role": "physician", "influence": "user",
            "channels": {"linkedin": linkedin}})
    };
    for bad in [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "http://www.linkedin.com/in/lee",
        "https://linkedin.com.evil.example/in/lee",
        "https://www.linkedin.com@evil.example/in/lee",
    ] {
        let a = api(&app, &token, "POST", "/api/v1/contacts", Some(add(bad))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(a.json()["error"]["field"], "channels.linkedin", "{bad}");
    }
    assert_eq!(db.store.row_counts(ORG).await.unwrap().contacts, contacts);
    let good = add("https://www.linkedin.com/in/lee-link");
    let a = api(&app, &token, "POST", "/api/v1/contacts", Some(good)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
}

/// A request body naming the record with the id given.
type BodyOf = fn(i64) -> serde_json::Value;

async fn a_record_asked_for_is_404_and_a_record_referred_to_is_422(db: &TestDb) {
    let app = setup(db).await;
    let token = token_for(&db.store, ORG, ME).await;
    let (other_account, other_contact) = contact_of(&db.store, OTHER).await;
    let before = db.store.row_counts(ORG).await.unwrap();
    // Named in a body: 422 on that field, in the same words for another territory's
    // record and for one that does not exist.
    let cases: [(&str, &str, i64, BodyOf); 5] = [
        (
            "/api/v1/touches",
            "contact",
            other_contact,
            |id| json!({"contact": id, "channel": "call", "outcome": "conversation"}),
        ),
        (
            "/api/v1/contacts",
            "account",
            other_account,
            |id| json!({"account": id, "name": "Cross Over", "role": "physician", "influence": "user"}),
        ),
        (
            "/api/v1/referrals",
            "contact",
            other_contact,
            |id| json!({"contact": id, "day": "2026-11-20", "count": 2}),
        ),
        (
            "/api/v1/lost",
            "account",
            other_account,
            |id| json!({"account": id, "lost_on": "2026-11-20", "reason": "pricing"}),
        ),
        (
            "/api/v1/time-off",
            "rep",
            OTHER.0,
            |id| json!({"rep": id, "from": "2026-12-01", "to": "2026-12-02", "reason": "Leave"}),
        ),
    ];
    let words = |a: &Answer, id: i64| {
        a.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .replace(&id.to_string(), "ID")
    };
    for (path, field, outside, body) in cases {
        let o = api(&app, &token, "POST", path, Some(body(outside))).await;
        let m = api(&app, &token, "POST", path, Some(body(MISSING))).await;
        assert_eq!(
            o.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            o.body
        );
        assert_eq!(
            m.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            m.body
        );
        assert_eq!(o.json()["error"]["field"], field, "{path}");
        assert_eq!(m.json()["error"]["field"], field, "{path}");
        assert_eq!(words(&o, outside), words(&m, MISSING), "{path}");
    }
    assert_eq!(db.store.row_counts(ORG).await.unwrap(), before);
    // Asked for, in the path or the query string: 404, alike.
    for (outside, missing) in [
        (
            format!("/api/v1/contacts/{other_contact}"),
            format!("/api/v1/contacts/{MISSING}"),
        ),
        (
            format!("/api/v1/touches?contact={other_contact}"),
            format!("/api/v1/touches?contact={MISSING}"),
        ),
        (
            format!("/api/v1/time-off?rep={}", OTHER.0),
            format!("/api/v1/time-off?rep={MISSING}"),
        ),
    ] {
        let o = api(&app, &token, "GET", &outside, None).await;
        let m = api(&app, &token, "GET", &missing, None).await;
        assert_eq!(o.status, StatusCode::NOT_FOUND, "{outside}: {}", o.body);
        assert_eq!((o.status, &o.body), (m.status, &m.body), "{outside}");
    }
}

/// What a use case did: the store calls it made, and its answer with ids left out.
type Work = (Vec<&'static str>, String);

async fn work<T, F: Future<Output = rounds_app::Result<T>>>(rec: &Recording<'_>, f: F) -> Work {
    rec.take();
    let answer = match f.await {
        Ok(_) => "ok".to_string(),
        Err(AppError::NotFound { what, .. }) => format!("not found: {what}"),
        Err(AppError::Invalid { field, .. }) => format!("invalid: {field}"),
        Err(e) => format!("other: {e}"),
    };
    (rec.take(), answer)
}

/// The ids one round of use cases is given.
#[derive(Debug, Clone, Copy)]
struct Ids {
    account: AccountId,
    contact: ContactId,
    /// A touch that set a next step.
    step: TouchId,
    /// A touch that did not.
    plain: TouchId,
}

/// Every use case that takes an id, on `ids`, with what each did.
async fn each_use_case(r: &Recording<'_>, a: &Actor, ids: Ids) -> Vec<(&'static str, Work)> {
    let pb = rounds_core::playbook::Playbook::default();
    let Ids {
        account,
        contact,
        step,
        plain,
    } = ids;
    let loss = rounds_app::LostInput {
        account,
        lost_on: DAY,
        reason: LossReason::Pricing,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        replace: false,
    };
    let touch = rounds_app::TouchInput::new(
        contact,
        rounds_core::model::Channel::Call,
        rounds_core::model::Outcome::Conversation,
    );
    let of_account = ContactFilter {
        account: Some(account),
        search: None,
    };
    let renamed = rounds_app::ContactInput::new(AccountId(1), "Renamed");
    vec![
        (
            "get_account",
            work(r, rounds_app::get_account(r, a, account)).await,
        ),
        (
            "get_contact",
            work(r, rounds_app::get_contact(r, a, contact)).await,
        ),
        (
            "get_touch",
            work(r, rounds_app::get_touch(r, a, plain)).await,
        ),
        (
            "delete_touch",
            work(r, rounds_app::delete_touch(r, a, plain)).await,
        ),
        (
            "get_step",
            work(r, rounds_app::get_step(r, a, &pb, step, DAY)).await,
        ),
        (
            "complete_step",
            work(r, rounds_app::complete_step(r, a, &pb, step, now())).await,
        ),
        (
            "list_touches",
            work(
                r,
                rounds_app::list_touches(r, a, TouchFilter::Contact(contact)),
            )
            .await,
        ),
        (
            "list_contacts",
            work(r, rounds_app::list_contacts(r, a, &of_account)).await,
        ),
        (
            "list_referrals",
            work(r, rounds_app::list_referrals(r, a, contact)).await,
        ),
        (
            "update_contact",
            work(r, rounds_app::update_contact(r, a, contact, renamed)).await,
        ),
        (
            "log_touch",
            work(r, rounds_app::log_touch(r, a, touch, now())).await,
        ),
        (
            "record_loss",
            work(r, rounds_app::record_loss(r, a, loss)).await,
        ),
    ]
}

async fn an_id_outside_the_scope_is_answered_and_worked_like_a_missing_one(db: &TestDb) {
    let app = setup(db).await;
    let store = &db.store;
    let (account, contact) = contact_of(store, OTHER).await;
    let (step, plain) = touches_of(store, OTHER).await;
    let everyone = store.users(ORG).await.unwrap();
    let me = everyone.iter().find(|u| u.id == ME).unwrap().clone();
    let actor = Actor::user(ORG, me, everyone);
    let rec = Recording::new(store);
    let outside = Ids {
        account: AccountId(account),
        contact: ContactId(contact),
        step,
        plain,
    };
    let missing = Ids {
        account: AccountId(MISSING),
        contact: ContactId(MISSING),
        step: TouchId(MISSING),
        plain: TouchId(MISSING),
    };
    let outside_work = each_use_case(&rec, &actor, outside).await;
    let missing_work = each_use_case(&rec, &actor, missing).await;
    for ((case, o), (_, m)) in outside_work.iter().zip(&missing_work) {
        assert_eq!(o, m, "{case}: outside the scope vs missing");
        assert!(o.1 != "ok", "{case} let the caller in");
    }
    // The API answers the two alike, byte for byte.
    let token = token_for(store, ORG, ME).await;
    let plain = plain.0;
    let step = step.0;
    for (method, outside, missing) in [
        (
            "GET",
            format!("/api/v1/accounts/{account}"),
            format!("/api/v1/accounts/{MISSING}"),
        ),
        (
            "GET",
            format!("/api/v1/contacts/{contact}"),
            format!("/api/v1/contacts/{MISSING}"),
        ),
        (
            "GET",
            format!("/api/v1/touches/{plain}"),
            format!("/api/v1/touches/{MISSING}"),
        ),
        (
            "DELETE",
            format!("/api/v1/touches/{plain}"),
            format!("/api/v1/touches/{MISSING}"),
        ),
        (
            "POST",
            format!("/api/v1/steps/{step}/complete"),
            format!("/api/v1/steps/{MISSING}/complete"),
        ),
    ] {
        let o = api(&app, &token, method, &outside, None).await;
        let m = api(&app, &token, method, &missing, None).await;
        assert_eq!(
            o.status,
            StatusCode::NOT_FOUND,
            "{method} {outside}: {}",
            o.body
        );
        assert_eq!(
            (o.status, &o.body),
            (m.status, &m.body),
            "{method} {outside}"
        );
    }
}
