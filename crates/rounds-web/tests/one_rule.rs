//! One rule, whichever door, for what only the web has: the forms. The API and the forms
//! are adapters over rounds-app, so the same bad input names the same field and writes
//! nothing. Both backends. (The same touch stored alike through the command line, the
//! API and the log form, and the same bad values through `rounds import`, a command and
//! the API, are proved in the `rounds` crate's `tests/three_doors.rs`, where the binary
//! is built.)

mod common;

use axum::http::StatusCode;
use common::*;
use rounds_core::model::{AccountId, ContactId, Role, UserId};
use rounds_store::{SqlStore, Store};
use serde_json::json;

on_both_backends!(bad_values_name_the_same_field_through_every_door_and_write_nothing);

/// A manager and a contact in an account owned by one of their reps.
async fn manager_and_their_reps_contact(store: &SqlStore) -> (UserId, ContactId, AccountId) {
    let users = store.users(ORG).await.unwrap();
    let manager = users
        .iter()
        .find(|u| u.role == Role::Manager && u.team.is_some())
        .unwrap();
    let rep = users
        .iter()
        .find(|u| u.role == Role::Rep && u.team == manager.team)
        .unwrap();
    let account = store.accounts(ORG, Some(rep.id)).await.unwrap()[0].clone();
    let contact = store.contacts(ORG, Some(account.id)).await.unwrap()[0].clone();
    (manager.id, contact.id, account.id)
}

/// One bad value: what the API is sent, what the form is sent (if a form takes it), and
/// the field both must name.
struct Case {
    what: &'static str,
    api: (&'static str, serde_json::Value),
    form: Option<(&'static str, Vec<(&'static str, String)>)>,
    field: &'static str,
}

/// Everything an attempt could have written, to compare before and after.
async fn everything(store: &SqlStore) -> String {
    let mut touches = Vec::new();
    for c in store.contacts(ORG, None).await.unwrap() {
        touches.extend(store.touches_for_contact(ORG, c.id).await.unwrap());
    }
    format!(
        "{:?}{:?}{:?}{:?}{:?}",
        store.accounts(ORG, None).await.unwrap(),
        store.contacts(ORG, None).await.unwrap(),
        store.topics(ORG).await.unwrap(),
        touches,
        store
            .all_territories(ORG)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, t)| t.referrals)
            .collect::<Vec<_>>(),
    )
}

async fn bad_values_name_the_same_field_through_every_door_and_write_nothing(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let (manager, contact, account) = manager_and_their_reps_contact(&db.store).await;
    let rep = db.store.account(ORG, account).await.unwrap().unwrap().rep;
    let token = token_for(&db.store, ORG, manager).await;
    let (cookie, csrf) = session_for(&db.store, manager).await;
    let good_account =
        serde_json::to_value(db.store.account(ORG, account).await.unwrap().unwrap()).unwrap();
    let good_contact =
        serde_json::to_value(db.store.contact(ORG, contact).await.unwrap().unwrap()).unwrap();
    let with = |mut v: serde_json::Value, pointer: &str, value: serde_json::Value| {
        *v.pointer_mut(pointer).unwrap() = value;
        v
    };
    let c = contact.0.to_string();
    let touch_form = |extra: Vec<(&'static str, String)>| {
        let mut f = vec![
            ("contact", c.clone()),
            ("channel", "call".to_string()),
            ("outcome", "conversation".to_string()),
        ];
        f.extend(extra);
        Some(("/log", f))
    };
    let note = "n".repeat(4_001);
    let cases = vec![
        Case {
            what: "latitude 1000",
            api: (
                "/api/v1/accounts",
                with(good_account.clone(), "/address/lat", json!(1000.0)),
            ),
            form: None,
            field: "address.lat",
        },
        Case {
            what: "an empty account name",
            api: (
                "/api/v1/accounts",
                with(good_account.clone(), "/name", json!("   ")),
            ),
            form: None,
            field: "name",
        },
        Case {
            what: "an empty topic title",
            api: ("/api/v1/topics", json!({"title": "   "})),
            form: Some(("/topics", vec![("title", "   ".to_string())])),
            field: "title",
        },
        Case {
            what: "e-mail maria@",
            api: (
                "/api/v1/contacts",
                with(good_contact.clone(), "/channels/email", json!("maria@")),
            ),
            form: None,
            field: "channels.email",
        },
        Case {
            // A 1 MB note is refused by the body limit (413) before any field is read,
            // through both doors; 4,001 characters reach the rule.
            what: "a note of 4,001 characters",
            api: (
                "/api/v1/touches",
                json!({"contact": contact.0, "channel": "call", "outcome": "conversation", "note": note}),
            ),
            form: touch_form(vec![("note", note.clone())]),
            field: "note",
        },
        Case {
            what: "a next step without its text",
            api: (
                "/api/v1/touches",
                json!({"contact": contact.0, "channel": "call", "outcome": "conversation", "next_step": {"what": " ", "due": "2026-12-01"}}),
            ),
            form: touch_form(vec![
                ("next_step_what", " ".into()),
                ("next_step_due", "2026-12-01".into()),
            ]),
            field: "next_step.what",
        },
        Case {
            what: "a referral count of 2^32",
            api: (
                "/api/v1/referrals",
                json!({"contact": contact.0, "day": "2026-11-20", "count": 4_294_967_296u64}),
            ),
            form: None,
            field: "count",
        },
    ];
    let before = everything(&db.store).await;
    let actor = rounds_app::Actor::load(
        &db.store,
        ORG,
        db.store
            .users(ORG)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.id == manager),
    )
    .await
    .unwrap();
    for case in cases {
        let (path, body) = case.api;
        let answer = api(&app, &token, "POST", path, Some(body.clone())).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            case.what,
            answer.body
        );
        assert_eq!(
            answer.json()["error"]["field"],
            case.field,
            "{}: {}",
            case.what,
            answer.body
        );
        if let Some((path, fields)) = case.form {
            let mut fields: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fields.push(("csrf", &csrf));
            let answer = form(&app, &cookie, path, &fields).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{} (form)",
                case.what
            );
            assert!(
                answer
                    .body
                    .contains(&format!("<code>{}</code>", case.field)),
                "{} (form) names {}: {}",
                case.what,
                case.field,
                &answer.body[..answer.body.len().min(600)]
            );
        } else {
            // No form takes this record: compare with the use case the command line calls.
            let refused = match path {
                "/api/v1/accounts" => {
                    let mut a: rounds_core::model::Account =
                        serde_json::from_value(with(body, "/id", json!(0))).unwrap();
                    a.rep = rep;
                    rounds_app::create_account(&db.store, &actor, a.into())
                        .await
                        .map(|_| ())
                }
                "/api/v1/contacts" => {
                    let c: rounds_core::model::Contact =
                        serde_json::from_value(with(body, "/id", json!(0))).unwrap();
                    rounds_app::create_contact(
                        &db.store,
                        &actor,
                        rounds_app::ContactInput {
                            account: c.account,
                            name: c.name,
                            role: c.role,
                            influence: c.influence,
                            department: c.department,
                            specialty: c.specialty,
                            channels: c.channels,
                            preferred_channel: c.preferred_channel,
                            opt_outs: c.opt_outs,
                            text_consent: c.text_consent,
                        },
                    )
                    .await
                    .map(|_| ())
                }
                "/api/v1/referrals" => rounds_app::add_referral(
                    &db.store,
                    &actor,
                    rounds_app::ReferralInput {
                        contact,
                        day: jiff::civil::date(2026, 11, 20),
                        count: 1 << 32,
                    },
                    DAY,
                )
                .await
                .map(|_| ()),
                other => unreachable!("{other}"),
            };
            let e = refused.expect_err(case.what);
            assert_eq!(e.field(), Some(case.field), "{}: {e}", case.what);
        }
    }
    assert_eq!(everything(&db.store).await, before, "nothing was written");

    // A 1 MB note: both doors refuse the body before reading it.
    let huge = "x".repeat(1 << 20);
    let answer = api(&app, &token, "POST", "/api/v1/touches", Some(json!({"contact": contact.0, "channel": "call", "outcome": "conversation", "note": huge}))).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let answer = form(
        &app,
        &cookie,
        "/log",
        &[
            ("csrf", &csrf),
            ("contact", &c),
            ("channel", "call"),
            ("outcome", "conversation"),
            ("note", &huge),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(everything(&db.store).await, before, "nothing was written");
}
