//! The same bad values, fed to `import` and to the use cases, are refused with the same
//! field named, and nothing is written. SQLite is enough here: the store's conformance
//! suite already runs both backends.

use jiff::Timestamp;
use jiff::civil::date;
use rounds_app::{
    AccountInput, Actor, AppError, ContactInput, ReferralInput, TouchInput, UserInput,
};
use rounds_core::model::{
    AccountId, Channel, ContactId, NoReferralReason, OrgId, Outcome, Role, TopicId, UserId,
};
use rounds_store::{SqlStore, Store};
use serde_json::Value;

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Mo Manager","email":"mo@example.org","role":"manager","team":"north"}
{"record":"topic","id":1,"title":"Prior-authorisation turnaround","pain_points":["prior-auths"]}
{"record":"account","id":1,"name":"Lakeside Orthopaedics","rep":1,"kind":"practice","segment":"medical-provider","address":{"street":"1 Lake St","city":"Chicago","region":"IL","postal_code":"60601","lat":41.88,"lon":-87.63},"tz":"America/Chicago","access":"open","status":"customer"}
{"record":"contact","id":1,"account":1,"name":"Maria Lopez","role":"office-manager","influence":"influencer","channels":{"email":"maria@lakeside.example"}}
"#;

/// A fixed instant: no test reads the clock.
fn now() -> Timestamp {
    "2026-11-24T15:00:00Z".parse().unwrap()
}

struct World {
    _dir: tempfile::TempDir,
    store: SqlStore,
    operator: Actor,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = SqlStore::connect(&url).await.unwrap();
    let empty = Actor::operator(OrgId(1), vec![]);
    rounds_app::import(&store, &empty, SEED).await.unwrap();
    let operator = Actor::load(&store, OrgId(1), None).await.unwrap();
    World {
        _dir: dir,
        store,
        operator,
    }
}

async fn snapshot(w: &World) -> String {
    w.store.export(OrgId(1)).await.unwrap().to_jsonl()
}

/// The seed's line of a record kind, with `id` changed and one JSON field replaced.
fn bad_line(kind: &str, id_field: Option<&str>, pointer: &str, value: Value) -> String {
    let line = SEED
        .lines()
        .find(|l| l.contains(&format!("\"record\":\"{kind}\"")))
        .unwrap();
    let mut v: Value = serde_json::from_str(line).unwrap();
    if let Some(f) = id_field {
        v[f] = Value::from(99);
    }
    match v.pointer_mut(pointer) {
        Some(slot) => *slot = value,
        None => {
            let key = pointer.trim_start_matches('/');
            v[key] = value;
        }
    }
    serde_json::to_string(&v).unwrap()
}

/// Imports the seed plus one bad line; returns the fields named at that line.
async fn import_fields(w: &World, line: &str) -> Vec<String> {
    let text = format!("{SEED}{line}\n");
    let bad_line = SEED.lines().count() + 1;
    match rounds_app::import(&w.store, &w.operator, &text).await {
        Err(AppError::Import { problems, .. }) => {
            assert!(problems.iter().all(|p| p.line == bad_line), "{problems:?}");
            problems.into_iter().map(|p| p.field).collect()
        }
        other => panic!("import should fail: {other:?}"),
    }
}

fn field_of<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(e) => e
            .field()
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no field in {e:?}")),
        Ok(v) => panic!("should be refused: {v:?}"),
    }
}

fn account_input() -> AccountInput {
    AccountInput::new(
        "Northside Clinic",
        UserId(1),
        "America/Chicago".parse().unwrap(),
    )
}

#[tokio::test]
async fn the_same_bad_values_are_refused_by_import_and_by_every_use_case() {
    let w = world().await;
    let before = snapshot(&w).await;
    let a = &w.operator;
    let s = &w.store;
    let one_mb = "x".repeat(1 << 20);

    // Latitude 1000.
    let f = import_fields(
        &w,
        &bad_line("account", Some("id"), "/address/lat", 1000.0.into()),
    )
    .await;
    assert_eq!(f, ["address.lat"]);
    let mut input = account_input();
    input.address.lat = 1000.0;
    assert_eq!(
        field_of(rounds_app::create_account(s, a, input.clone()).await),
        "address.lat"
    );
    assert_eq!(
        field_of(rounds_app::update_account(s, a, AccountId(1), input).await),
        "address.lat"
    );

    // An empty name.
    let f = import_fields(&w, &bad_line("account", Some("id"), "/name", "  ".into())).await;
    assert_eq!(f, ["name"]);
    let mut input = account_input();
    input.name = "  ".into();
    assert_eq!(
        field_of(rounds_app::create_account(s, a, input).await),
        "name"
    );
    let f = import_fields(&w, &bad_line("contact", Some("id"), "/name", "".into())).await;
    assert_eq!(f, ["name"]);
    let input = ContactInput::new(AccountId(1), "");
    assert_eq!(
        field_of(rounds_app::create_contact(s, a, input).await),
        "name"
    );

    // A malformed e-mail address.
    let f = import_fields(
        &w,
        &bad_line("contact", Some("id"), "/channels/email", "maria@".into()),
    )
    .await;
    assert_eq!(f, ["channels.email"]);
    let mut input = ContactInput::new(AccountId(1), "Maria Two");
    input.channels.email = Some("maria@".into());
    assert_eq!(
        field_of(rounds_app::create_contact(s, a, input).await),
        "channels.email"
    );
    let f = import_fields(&w, &bad_line("user", Some("id"), "/email", "maria@".into())).await;
    assert_eq!(f, ["email"]);
    let user = UserInput {
        name: "Maria".into(),
        email: "maria@".into(),
        role: Role::Rep,
        team: None,
        password_hash: None,
        territory_from: None,
    };
    assert_eq!(field_of(rounds_app::add_user(s, a, user).await), "email");

    // A 1 MB note.
    let touch = format!(
        r#"{{"record":"touch","id":99,"at":"2026-11-20T15:00:00Z","rep":1,"contact":1,"account":1,"channel":"call","direction":"outbound","outcome":"conversation","note":"{one_mb}"}}"#
    );
    assert_eq!(import_fields(&w, &touch).await, ["note"]);
    let mut input = TouchInput::new(ContactId(1), Channel::Call, Outcome::Conversation);
    input.note = one_mb.clone();
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, input, now()).await),
        "note"
    );

    // P10: a reason for not referring on a touch nobody answered, and `other` without
    // their words.
    let touch = r#"{"record":"touch","id":99,"at":"2026-11-20T15:00:00Z","rep":1,"contact":1,"account":1,"channel":"call","direction":"outbound","outcome":"no-response","no_referral":{"reason":"vague"}}"#;
    assert_eq!(import_fields(&w, touch).await, ["no_referral.reason"]);
    let mut input = TouchInput::new(ContactId(1), Channel::Call, Outcome::NoResponse);
    input.no_referral_reason = Some(NoReferralReason::Vague);
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, input, now()).await),
        "no_referral.reason"
    );
    let touch = r#"{"record":"touch","id":99,"at":"2026-11-20T15:00:00Z","rep":1,"contact":1,"account":1,"channel":"call","direction":"outbound","outcome":"conversation","no_referral":{"reason":"other"}}"#;
    assert_eq!(import_fields(&w, touch).await, ["no_referral.text"]);
    let mut input = TouchInput::new(ContactId(1), Channel::Call, Outcome::Conversation);
    input.no_referral_reason = Some(NoReferralReason::Other);
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, input, now()).await),
        "no_referral.text"
    );

    // A referral count of 2^32, and of 2^32 − 1 (which fits the type but is no count).
    for count in [1u64 << 32, u64::from(u32::MAX)] {
        let line =
            format!(r#"{{"record":"referral","contact":1,"day":"2026-11-20","count":{count}}}"#);
        assert_eq!(import_fields(&w, &line).await, ["count"], "{count}");
        let input = ReferralInput {
            contact: ContactId(1),
            day: date(2026, 11, 20),
            count,
        };
        assert_eq!(
            field_of(rounds_app::add_referral(s, a, input, date(2026, 11, 24)).await),
            "count"
        );
    }
    // A referral day outside 2000–2100.
    let line = r#"{"record":"referral","contact":1,"day":"1999-12-31","count":1}"#;
    assert_eq!(import_fields(&w, line).await, ["day"]);

    assert_eq!(before, snapshot(&w).await, "a refused value was written");
}

#[tokio::test]
async fn a_touch_belongs_to_the_accounts_rep_whoever_logs_it() {
    let w = world().await;
    let users = w.store.users(OrgId(1)).await.unwrap();
    let manager = users
        .iter()
        .find(|u| u.role == Role::Manager)
        .unwrap()
        .clone();
    let actor = Actor::user(OrgId(1), manager.clone(), users.clone());
    let mut input = TouchInput::new(ContactId(1), Channel::Visit, Outcome::Positive);
    input.topics = vec![TopicId(1)];
    let touch = rounds_app::log_touch(&w.store, &actor, input, now())
        .await
        .unwrap();
    assert_eq!(touch.rep, UserId(1), "the account's rep, not the manager");
    assert_eq!(touch.at, now(), "the time defaults to now");
    assert_eq!(touch.primary_topic, Some(TopicId(1)));
}

#[tokio::test]
async fn touch_rules_name_their_fields() {
    let w = world().await;
    let before = snapshot(&w).await;
    let (s, a) = (&w.store, &w.operator);
    let base = || TouchInput::new(ContactId(1), Channel::Call, Outcome::Conversation);
    let mut i = base();
    i.topics = vec![TopicId(1), TopicId(42)];
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, i, now()).await),
        "topics[1]"
    );
    let mut i = base();
    i.explain_better = vec![TopicId(42)];
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, i, now()).await),
        "explain_better[0]"
    );
    let mut i = base();
    i.next_what = Some("send samples".into());
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, i, now()).await),
        "next_step.due"
    );
    let mut i = base();
    i.next_due = Some(date(2026, 12, 1));
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, i, now()).await),
        "next_step.what"
    );
    let mut i = base();
    i.next_what = Some("x".repeat(501));
    i.next_due = Some(date(2026, 12, 1));
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, i, now()).await),
        "next_step.what"
    );
    let mut i = base();
    i.contact = ContactId(77);
    assert_eq!(
        field_of(rounds_app::log_touch(s, a, i, now()).await),
        "contact"
    );
    assert_eq!(before, snapshot(&w).await);
}

#[tokio::test]
async fn records_outside_the_scope_answer_like_missing_ones() {
    let w = world().await;
    let (s, everyone) = (&w.store, w.store.users(OrgId(1)).await.unwrap());
    // A second rep, in another team, sees none of rep 1's territory.
    let other = rounds_core::model::User {
        id: UserId(3),
        name: "Otto Other".into(),
        email: "otto@example.org".into(),
        role: Role::Rep,
        team: Some("south".into()),
    };
    let mut all = everyone.clone();
    all.push(other.clone());
    let outsider = Actor::user(OrgId(1), other, all);
    let missing = rounds_app::get_account(s, &outsider, AccountId(12345)).await;
    let hidden = rounds_app::get_account(s, &outsider, AccountId(1)).await;
    assert!(matches!(
        missing,
        Err(AppError::NotFound {
            what: "account",
            ..
        })
    ));
    assert!(matches!(
        hidden,
        Err(AppError::NotFound {
            what: "account",
            ..
        })
    ));
    assert!(matches!(
        rounds_app::get_contact(s, &outsider, ContactId(1)).await,
        Err(AppError::NotFound {
            what: "contact",
            ..
        })
    ));
    let listed = rounds_app::list_accounts(s, &outsider, &Default::default())
        .await
        .unwrap();
    assert!(listed.is_empty());
    // And a rep may not change the shared library.
    let input = rounds_app::TopicInput {
        title: "Mine".into(),
        ..Default::default()
    };
    assert!(matches!(
        rounds_app::create_topic(s, &outsider, input).await,
        Err(AppError::Forbidden(_))
    ));
}
