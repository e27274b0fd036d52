//! API tokens through the router, on SQLite and PostgreSQL: they expire (401 saying so),
//! are listed with their last use (written at most once a minute), are revoked by their
//! user or an administrator of their organisation only, die with a new password, and
//! are managed on the Settings → API tokens page with its CSRF token.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use jiff::SignedDuration;
use rounds_core::model::{OrgId, UserId};
use rounds_store::{Store, WriteMode};
use serde_json::{Value, json};

on_both_backends!(
    tokens_expire_after_their_life_and_answer_401_saying_so,
    tokens_are_listed_with_their_last_use_at_most_once_a_minute,
    tokens_are_revoked_by_their_user_or_an_admin_of_their_organisation_only,
    a_new_password_revokes_the_users_tokens,
    the_tokens_page_lists_makes_and_revokes_with_the_csrf_token,
);

/// The router on a clock stopped `later` after the tests' `now`.
fn app_at(db: &TestDb, later: SignedDuration) -> axum::Router {
    rounds_web::router(rounds_web::AppState::new(
        db.store.clone(),
        rounds_core::playbook::Playbook::default(),
        String::new(),
        rounds_web::FixedClock(now() + later),
        rounds_web::Config {
            fixed_date: Some(DAY),
            ..Default::default()
        },
    ))
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

/// A browser session of the user: (cookie value, CSRF token).
async fn browser(db: &TestDb, user: i64) -> (String, String) {
    session_for(&db.store, UserId(user)).await
}

/// An API call from a signed-in browser, with its CSRF token in the header.
async fn from_browser(
    app: &axum::Router,
    (cookie, csrf): &(String, String),
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("rounds_session={cookie}"))
        .header("x-csrf-token", csrf.as_str());
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    send(app, req.body(body).unwrap()).await
}

/// Makes a token through the API from the user's browser: (id, secret).
async fn make_token(app: &axum::Router, b: &(String, String), body: Value) -> (String, String) {
    let a = from_browser(app, b, "POST", "/api/v1/tokens", Some(body)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let v = a.json();
    (
        v["token"]["id"].as_str().unwrap().to_string(),
        v["secret"].as_str().unwrap().to_string(),
    )
}

async fn me(app: &axum::Router, secret: &str) -> Answer {
    api(app, secret, "GET", "/api/v1/me", None).await
}

async fn tokens_expire_after_their_life_and_answer_401_saying_so(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let b = browser(db, 1).await;
    let (_, default_life) = make_token(&app, &b, json!({"name": "nightly import"})).await;
    let (_, month) = make_token(
        &app,
        &b,
        json!({"name": "quarter report", "expires_in": "30d"}),
    )
    .await;
    assert_eq!(me(&app, &default_life).await.status, StatusCode::OK);
    assert_eq!(me(&app, &month).await.status, StatusCode::OK);
    // The thirty-day token works to its last second and no further.
    let almost = app_at(db, days(30) - SignedDuration::from_secs(1));
    assert_eq!(me(&almost, &month).await.status, StatusCode::OK);
    let expired = me(&app_at(db, days(30)), &month).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    let challenge = expired.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer ")
            && challenge.contains(r#"error="invalid_token""#)
            && challenge.contains("expired"),
        "{challenge}"
    );
    let message = expired.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("expired at 2026-12-24T14:30:00Z"),
        "{message}"
    );
    // The default life is 90 days.
    assert_eq!(
        me(
            &app_at(db, days(90) - SignedDuration::from_secs(1)),
            &default_life
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        me(&app_at(db, days(90)), &default_life).await.status,
        StatusCode::UNAUTHORIZED
    );
    // An unknown token is told apart from an expired one; no credentials at all get the
    // bare challenge.
    let unknown = me(&app, "not-a-token").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let challenge = unknown.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
    assert!(
        challenge.contains("invalid_token") && !challenge.contains("expired"),
        "{challenge}"
    );
    let nobody = send(
        &app,
        Request::get("/api/v1/me").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        nobody.headers[header::WWW_AUTHENTICATE],
        r#"Bearer realm="rounds""#
    );
    // Lives outside an hour to a year are refused by field; only an administrator may
    // make a token that never expires.
    for bad in ["soon", "10m", "400d"] {
        let a = from_browser(
            &app,
            &b,
            "POST",
            "/api/v1/tokens",
            Some(json!({"name": "x", "expires_in": bad})),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            a.body
        );
        assert_eq!(a.json()["error"]["field"], "expires_in");
    }
    let never = json!({"name": "forever", "expires_in": "never"});
    let a = from_browser(&app, &b, "POST", "/api/v1/tokens", Some(never.clone())).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let admin = browser(db, 6).await;
    let (_, forever) = make_token(&app, &admin, never).await;
    assert_eq!(
        me(&app_at(db, days(3650)), &forever).await.status,
        StatusCode::OK
    );
}

fn listed(a: &Answer) -> Vec<Value> {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json()["items"].as_array().unwrap().clone()
}

async fn tokens_are_listed_with_their_last_use_at_most_once_a_minute(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let b = browser(db, 1).await;
    let (id, secret) = make_token(&app, &b, json!({"name": "nightly import"})).await;
    // Listed by creation time: the second is made ten seconds later.
    let (other_id, _) = make_token(
        &app_at(db, SignedDuration::from_secs(10)),
        &b,
        json!({"name": "spare", "expires_in": "7d"}),
    )
    .await;
    let list = from_browser(&app, &b, "GET", "/api/v1/tokens", None).await;
    assert!(!list.body.contains(&secret), "a listing shows no secret");
    let items = listed(&list);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(id.len(), 8);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(items[0]["name"], "nightly import");
    assert_eq!(items[0]["user"], 1);
    assert_eq!(items[0]["created_at"], "2026-11-24T14:30:00Z");
    assert_eq!(items[0]["expires_at"], "2027-02-22T14:30:00Z");
    assert_eq!(items[0]["last_used_at"], Value::Null);
    assert_eq!(items[0]["expired"], false);
    assert_eq!(items[1]["id"], other_id.as_str());
    assert_eq!(items[1]["expires_at"], "2026-12-01T14:30:10Z");
    // A token lists its user's tokens too; its use is recorded at once...
    let items = listed(&api(&app, &secret, "GET", "/api/v1/tokens", None).await);
    assert_eq!(items[0]["last_used_at"], "2026-11-24T14:30:00Z");
    // ...then not again within the minute (no write per request)...
    let soon = app_at(db, SignedDuration::from_secs(59));
    assert_eq!(me(&soon, &secret).await.status, StatusCode::OK);
    let stored = db.store.api_tokens(ORG, Some(UserId(1))).await.unwrap();
    assert_eq!(stored[0].last_used_at, Some(now().as_second()));
    // ...and again once a minute has passed.
    let later = app_at(db, SignedDuration::from_secs(60));
    let items = listed(&api(&later, &secret, "GET", "/api/v1/tokens", None).await);
    assert_eq!(items[0]["last_used_at"], "2026-11-24T14:31:00Z");
    // Expired tokens stay listed, marked, until revoked.
    let items = listed(&api(&app_at(db, days(8)), &secret, "GET", "/api/v1/tokens", None).await);
    assert_eq!(items[1]["expired"], true);
    // Paging and the user filter: a rep may name only themself.
    let items = listed(
        &api(
            &app,
            &secret,
            "GET",
            "/api/v1/tokens?limit=1&offset=1",
            None,
        )
        .await,
    );
    assert_eq!(items[0]["id"], other_id.as_str());
    let a = api(&app, &secret, "GET", "/api/v1/tokens?user=2", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // A token cannot make tokens (a leaked one would renew itself forever).
    let a = api(
        &app,
        &secret,
        "POST",
        "/api/v1/tokens",
        Some(json!({"name": "child"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
}

/// A second organisation with one administrator who can sign in; their browser.
async fn other_org_admin(db: &TestDb) -> (String, String) {
    let other = rounds_core::export::OrgData {
        users: vec![rounds_core::model::User {
            id: UserId(1),
            name: "Olga Other".into(),
            email: "olga@else.example".into(),
            role: rounds_core::model::Role::Admin,
            team: None,
        }],
        ..rounds_core::export::OrgData::empty(rounds_core::model::Organisation {
            id: OrgId(2),
            name: "Elsewhere".into(),
            demo: false,
        })
    };
    db.store
        .write_org(&other, WriteMode::Replace)
        .await
        .unwrap();
    db.store
        .set_password(OrgId(2), UserId(1), "olga@else.example", &PASSWORD_HASH)
        .await
        .unwrap();
    rounds_testkit::web::session_for(&db.store, OrgId(2), UserId(1)).await
}

async fn tokens_are_revoked_by_their_user_or_an_admin_of_their_organisation_only(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let rep = browser(db, 1).await;
    let (id, secret) = make_token(&app, &rep, json!({"name": "nightly import"})).await;
    let (id2, secret2) = make_token(&app, &rep, json!({"name": "second"})).await;
    // Another rep, the manager of another team and another organisation's administrator
    // neither see nor revoke it: 404, as for a token that does not exist.
    let other_rep = browser(db, 2).await;
    let elsewhere = other_org_admin(db).await;
    for b in [&other_rep, &elsewhere] {
        let items = listed(&from_browser(&app, b, "GET", "/api/v1/tokens", None).await);
        assert!(items.iter().all(|t| t["id"] != id.as_str()), "{items:?}");
        let a = from_browser(&app, b, "DELETE", &format!("/api/v1/tokens/{id}"), None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    }
    let a = from_browser(&app, &rep, "DELETE", "/api/v1/tokens/00000000", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(me(&app, &secret).await.status, StatusCode::OK);
    // Its user revokes it: it stops working at once.
    let a = from_browser(&app, &rep, "DELETE", &format!("/api/v1/tokens/{id}"), None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    let gone = me(&app, &secret).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
    assert!(
        gone.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .contains("revoked")
    );
    // The organisation's administrator sees every token, with its user, and revokes any.
    let admin = browser(db, 6).await;
    let items = listed(&from_browser(&app, &admin, "GET", "/api/v1/tokens", None).await);
    let seen: Vec<(&str, i64)> = items
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["user"].as_i64().unwrap()))
        .collect();
    assert_eq!(seen, [(id2.as_str(), 1)]);
    let items = listed(&from_browser(&app, &admin, "GET", "/api/v1/tokens?user=1", None).await);
    assert_eq!(items.len(), 1);
    let a = from_browser(
        &app,
        &admin,
        "DELETE",
        &format!("/api/v1/tokens/{id2}"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(me(&app, &secret2).await.status, StatusCode::UNAUTHORIZED);
    // An administrator may make a token for another user of the organisation only.
    let (_, for_rep) = make_token(&app, &admin, json!({"name": "for Rita", "user": 1})).await;
    assert_eq!(me(&app, &for_rep).await.json()["id"], 1);
    let a = from_browser(
        &app,
        &elsewhere,
        "POST",
        "/api/v1/tokens",
        Some(json!({"name": "intruder", "user": 2})),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
}

async fn a_new_password_revokes_the_users_tokens(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let rita = token_for(&db.store, ORG, UserId(1)).await;
    let other = token_for(&db.store, ORG, UserId(2)).await;
    assert_eq!(me(&app, &rita).await.status, StatusCode::OK);
    let user = &db.store.users(ORG).await.unwrap()[0];
    db.store
        .set_password(ORG, user.id, &user.email, &PASSWORD_HASH)
        .await
        .unwrap();
    assert_eq!(me(&app, &rita).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &other).await.status, StatusCode::OK);
    // Through the API: from a signed-in session, never with a token; the answer says
    // how many tokens went, and the sessions end too.
    let rita = token_for(&db.store, ORG, UserId(1)).await;
    let b = browser(db, 1).await;
    make_token(&app, &b, json!({"name": "second"})).await;
    let body = json!({"password": "another long passphrase"});
    let a = api(
        &app,
        &rita,
        "PUT",
        "/api/v1/users/1/password",
        Some(body.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let a = from_browser(
        &app,
        &b,
        "PUT",
        "/api/v1/users/2/password",
        Some(body.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "another rep: {}", a.body);
    let a = from_browser(
        &app,
        &b,
        "PUT",
        "/api/v1/users/1/password",
        Some(body.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["tokens_revoked"], 2);
    assert_eq!(me(&app, &rita).await.status, StatusCode::UNAUTHORIZED);
    let signed_out = from_browser(&app, &b, "GET", "/api/v1/me", None).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
    // An administrator sets another user's password of the organisation.
    let admin = browser(db, 6).await;
    let a = from_browser(&app, &admin, "PUT", "/api/v1/users/2/password", Some(body)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["tokens_revoked"], 1);
    assert_eq!(me(&app, &other).await.status, StatusCode::UNAUTHORIZED);
}

fn secret_on(page: &str) -> Option<String> {
    let start = page.find(r#"<code class="secret">"#)? + r#"<code class="secret">"#.len();
    Some(page[start..start + 64].to_string())
}

async fn the_tokens_page_lists_makes_and_revokes_with_the_csrf_token(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let (cookie, csrf) = browser(db, 1).await;
    let page = |path: &'static str| {
        let cookie = cookie.clone();
        let app = app.clone();
        async move {
            send(
                &app,
                Request::get(path)
                    .header(header::COOKIE, format!("rounds_session={cookie}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let shown = page("/settings").await;
    assert!(shown.body.contains(r#"href="/settings/tokens""#));
    assert!(shown.body.contains(r#"href="/settings/password""#));
    let shown = page("/settings/tokens").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("No tokens."), "{}", shown.body);
    // Without the session's CSRF token nothing is made.
    let forged = form(
        &app,
        &cookie,
        "/settings/tokens",
        &[
            ("csrf", "forged"),
            ("name", "nightly"),
            ("expires_in", "30d"),
        ],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(db.store.api_tokens(ORG, None).await.unwrap().is_empty());
    // With it, the secret is shown once, on a page no cache keeps.
    let made = form(
        &app,
        &cookie,
        "/settings/tokens",
        &[("csrf", &csrf), ("name", "nightly"), ("expires_in", "30d")],
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.headers[header::CACHE_CONTROL], "no-store");
    let secret = secret_on(&made.body).expect("the secret on the page");
    assert_eq!(me(&app, &secret).await.status, StatusCode::OK);
    let stored = db.store.api_tokens(ORG, None).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].expires_at, Some((now() + days(30)).as_second()));
    let shown = page("/settings/tokens").await;
    assert!(
        shown.body.contains(&stored[0].id),
        "the list names the token"
    );
    assert!(shown.body.contains("2026-12-24 14:30 UTC"));
    assert_eq!(
        secret_on(&shown.body),
        None,
        "the secret is shown once only"
    );
    // A bad lifetime is answered beside the form; a rep is offered no "never".
    let bad = form(
        &app,
        &cookie,
        "/settings/tokens",
        &[
            ("csrf", &csrf),
            ("name", "x"),
            ("expires_in", "forever-ish"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("expires_in"));
    assert!(!shown.body.contains(r#"value="never""#));
    // Revoking needs the CSRF token too, then the token stops working.
    let revoke_path = format!("/settings/tokens/{}/revoke", stored[0].id);
    let forged = form(&app, &cookie, &revoke_path, &[("csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(me(&app, &secret).await.status, StatusCode::OK);
    let revoked = form(&app, &cookie, &revoke_path, &[("csrf", &csrf)]).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert!(revoked.body.contains("is revoked"));
    assert_eq!(me(&app, &secret).await.status, StatusCode::UNAUTHORIZED);
    // An administrator sees the organisation's tokens, with their users.
    token_for(&db.store, ORG, UserId(2)).await;
    let (admin_cookie, _) = browser(db, 6).await;
    let admin_page = send(
        &app,
        Request::get("/settings/tokens")
            .header(header::COOKIE, format!("rounds_session={admin_cookie}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let rep2 = &db.store.users(ORG).await.unwrap()[1];
    assert!(
        admin_page
            .body
            .contains(&format!("<td>{}</td>", rep2.email)),
        "{}",
        admin_page.body
    );
    assert!(admin_page.body.contains(r#"value="never""#));
    // Setting one's password on the page revokes one's tokens and says so.
    let (_, secret) = make_token(&app, &(cookie.clone(), csrf.clone()), json!({"name": "a"})).await;
    let differ = form(
        &app,
        &cookie,
        "/settings/password",
        &[
            ("csrf", &csrf),
            ("password", "a long new passphrase"),
            ("again", "not the same one"),
        ],
    )
    .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(me(&app, &secret).await.status, StatusCode::OK);
    let set = form(
        &app,
        &cookie,
        "/settings/password",
        &[
            ("csrf", &csrf),
            ("password", "a long new passphrase"),
            ("again", "a long new passphrase"),
        ],
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert!(
        set.body.contains("1 API token(s) were revoked"),
        "{}",
        set.body
    );
    assert_eq!(me(&app, &secret).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(page("/settings/tokens").await.status, StatusCode::SEE_OTHER);
}
