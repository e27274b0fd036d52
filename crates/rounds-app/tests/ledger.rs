//! P14 through the use cases, on both backends: the ledger (recording the golden meal,
//! scope, validation with nothing written, the cap's warning, voiding, the yearly
//! report) and the refusal of value per referral at every way text is written.

use jiff::civil::{Date, date};
use rounds_app::{
    Actor, AppError, AttendeeInput, LedgerFilter, TopicInput, TouchInput, TransferInput,
};
use rounds_core::ledger::{Nature, write_open_payments};
use rounds_core::model::{AccountId, Channel, ContactId, OrgId, Outcome, TouchKind, TransferId};
use rounds_core::outreach::{TemplateKind, builtin_of};
use rounds_core::playbook::Playbook;
use rounds_store::Store;
use rounds_testkit::{TestDb, both_backends, now};

both_backends!(
    p14_a_rep_records_the_golden_meal_and_each_covered_recipient_gets_25_dollars,
    p14_the_ledger_keeps_to_the_actors_scope,
    p14_a_refused_transfer_writes_nothing,
    p14_a_recipient_over_the_yearly_cap_is_warned_on_recording,
    p14_a_transfer_is_voided_once_and_counts_nowhere,
    p14_the_yearly_report_covers_the_year_in_scope,
    p14_refuses_value_per_referral_at_every_way_text_is_written,
);

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Mo Manager","email":"mo@example.org","role":"manager","team":"north"}
{"record":"user","id":3,"name":"Sam South","email":"sam@example.org","role":"rep","team":"south"}
{"record":"account","id":1,"name":"Lakeside Orthopaedics","rep":1,"kind":"practice","segment":"medical-provider","address":{"street":"1 Lake St","city":"Chicago","region":"IL","postal_code":"60601","lat":41.88,"lon":-87.63},"tz":"America/Chicago","access":"open","status":"customer"}
{"record":"account","id":2,"name":"Southside Pain","rep":3,"kind":"practice","segment":"medical-provider","address":{"street":"9 South St","city":"Chicago","region":"IL","postal_code":"60609","lat":41.80,"lon":-87.63},"tz":"America/Chicago","access":"open","status":"customer"}
{"record":"contact","id":1,"account":1,"name":"Dr. Ada Reyes","role":"physician","influence":"decision-maker","specialty":"orthopaedics","channels":{"email":"ada@lakeside.example"}}
{"record":"contact","id":2,"account":1,"name":"Dr. Ben Cho","role":"physician","influence":"influencer","channels":{}}
{"record":"contact","id":3,"account":1,"name":"Dee Evans","role":"other","influence":"influencer","specialty":"nurse-practitioner","channels":{}}
{"record":"contact","id":4,"account":1,"name":"Dr. Cal Diaz","role":"physician","influence":"influencer","channels":{}}
{"record":"contact","id":5,"account":1,"name":"Dr. Eve Fox","role":"physician","influence":"influencer","channels":{}}
{"record":"contact","id":6,"account":1,"name":"Fay Gold","role":"office-manager","influence":"gatekeeper","channels":{}}
{"record":"contact","id":7,"account":1,"name":"Gus Hale","role":"front-desk","influence":"gatekeeper","channels":{}}
{"record":"contact","id":8,"account":2,"name":"Dr. Hal Ito","role":"physician","influence":"decision-maker","channels":{"email":"hal@southside.example"}}
"#;

const ORG: OrgId = OrgId(1);
const TODAY: Date = date(2026, 11, 24);

async fn operator(db: &TestDb) -> Actor {
    let empty = Actor::operator(ORG, vec![]);
    rounds_app::import(&db.store, &empty, SEED).await.unwrap();
    Actor::load(&db.store, ORG, None).await.unwrap()
}

async fn as_user(db: &TestDb, id: i64) -> Actor {
    let everyone = db.store.users(ORG).await.unwrap();
    let me = everyone.iter().find(|u| u.id.0 == id).unwrap().clone();
    Actor::user(ORG, me, everyone)
}

/// A meal at account 1 for `attendees` (covered by their role or specialty) and
/// `others` more.
fn meal(total_cents: i64, attendees: &[i64], others: u32) -> TransferInput {
    TransferInput {
        account: AccountId(1),
        date: date(2026, 11, 20),
        nature: Nature::Meal,
        description: "Lunch for the office".into(),
        total_cents,
        attendees: attendees
            .iter()
            .map(|c| AttendeeInput {
                contact: ContactId(*c),
                covered: None,
            })
            .collect(),
        others,
    }
}

fn invalid_field(e: AppError) -> (String, String) {
    match e {
        AppError::Invalid { field, message } => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn p14_a_rep_records_the_golden_meal_and_each_covered_recipient_gets_25_dollars(db: &TestDb) {
    operator(db).await;
    let rita = as_user(db, 1).await;
    let pb = Playbook::default();
    let recorded = rounds_app::record_transfer(
        &db.store,
        &rita,
        &pb,
        meal(20_000, &[1, 2, 3, 4, 5, 6, 7], 1),
        TODAY,
    )
    .await
    .unwrap();
    let shares: Vec<(i64, i64)> = recorded
        .shares
        .iter()
        .map(|s| (s.contact.unwrap().0, s.cents))
        .collect();
    assert_eq!(
        shares,
        [(1, 2500), (2, 2500), (3, 2500), (4, 2500), (5, 2500)]
    );
    assert_eq!(recorded.warnings, vec![]);
    let t = &recorded.transfer;
    assert_eq!((t.id, t.rep.0, t.present()), (TransferId(1), 1, 8));
    // The office manager and the front desk were present and are not covered.
    let covered: Vec<bool> = t.attendees.iter().map(|a| a.covered).collect();
    assert_eq!(covered, [true, true, true, true, true, false, false]);
    let stored = rounds_app::get_transfer(&db.store, &rita, t.id)
        .await
        .unwrap();
    assert_eq!(&stored, t);
}

async fn p14_the_ledger_keeps_to_the_actors_scope(db: &TestDb) {
    let op = operator(db).await;
    let pb = Playbook::default();
    let rita = as_user(db, 1).await;
    let sam = as_user(db, 3).await;
    let mo = as_user(db, 2).await;
    // Another territory's account answers like a missing one, on the field.
    let (field, message) = invalid_field(
        rounds_app::record_transfer(&db.store, &rita, &pb, meal_at(2, &[8]), TODAY)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "account");
    assert_eq!(message, "no account 2 in your territories");
    let ours = rounds_app::record_transfer(&db.store, &rita, &pb, meal(9_000, &[1], 2), TODAY)
        .await
        .unwrap()
        .transfer;
    let theirs = rounds_app::record_transfer(&db.store, &sam, &pb, meal_at(2, &[8]), TODAY)
        .await
        .unwrap()
        .transfer;
    let listed = |actor: Actor| async move {
        rounds_app::list_transfers(&db.store, &actor, LedgerFilter::default())
            .await
            .unwrap()
            .iter()
            .map(|t| t.id.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(rita.clone()).await, [ours.id.0]);
    assert_eq!(listed(sam.clone()).await, [theirs.id.0]);
    assert_eq!(listed(mo.clone()).await, [ours.id.0]);
    assert_eq!(listed(op.clone()).await, [ours.id.0, theirs.id.0]);
    assert!(matches!(
        rounds_app::get_transfer(&db.store, &sam, ours.id).await,
        Err(AppError::NotFound {
            what: "transfer",
            ..
        })
    ));
    assert!(matches!(
        rounds_app::void_transfer(&db.store, &sam, ours.id, "mine now", TODAY).await,
        Err(AppError::NotFound {
            what: "transfer",
            ..
        })
    ));
    let other_account = LedgerFilter {
        account: Some(AccountId(2)),
        ..LedgerFilter::default()
    };
    assert!(matches!(
        rounds_app::list_transfers(&db.store, &rita, other_account).await,
        Err(AppError::NotFound {
            what: "account",
            ..
        })
    ));
}

fn meal_at(account: i64, attendees: &[i64]) -> TransferInput {
    TransferInput {
        account: AccountId(account),
        ..meal(6_000, attendees, 0)
    }
}

async fn p14_a_refused_transfer_writes_nothing(db: &TestDb) {
    let op = operator(db).await;
    let pb = Playbook::default();
    let cases: Vec<(TransferInput, &str, &str)> = vec![
        (meal(0, &[1], 0), "total_cents", "more than $0.00"),
        (meal(10_000, &[], 0), "attendees", "at least one person"),
        (
            meal(10_000, &[1, 8], 0),
            "attendees[1].contact",
            "not a contact of account 1",
        ),
        (
            meal(10_000, &[1, 1], 0),
            "attendees[1].contact",
            "listed twice",
        ),
        (
            TransferInput {
                date: date(2026, 11, 25),
                ..meal(10_000, &[1], 0)
            },
            "date",
            "after today",
        ),
        (
            TransferInput {
                description: "Lunch, and a gift card per referral".into(),
                ..meal(10_000, &[1], 0)
            },
            "description",
            "refused under P14",
        ),
    ];
    for (input, want_field, want_message) in cases {
        let (field, message) = invalid_field(
            rounds_app::record_transfer(&db.store, &op, &pb, input, TODAY)
                .await
                .unwrap_err(),
        );
        assert_eq!(field, want_field);
        assert!(message.contains(want_message), "{field}: {message}");
    }
    let all = LedgerFilter {
        include_void: true,
        ..LedgerFilter::default()
    };
    assert_eq!(
        rounds_app::list_transfers(&db.store, &op, all)
            .await
            .unwrap(),
        vec![]
    );
    // No id was used up either.
    let first = rounds_app::record_transfer(&db.store, &op, &pb, meal(1_000, &[1], 0), TODAY)
        .await
        .unwrap();
    assert_eq!(first.transfer.id, TransferId(1));
}

async fn p14_a_recipient_over_the_yearly_cap_is_warned_on_recording(db: &TestDb) {
    let op = operator(db).await;
    let pb = Playbook::from_toml("[compliance]\nyearly_cap_cents = 5000\n").unwrap();
    // $40.00 for Dr. Reyes alone: under the $50.00 cap.
    let first = rounds_app::record_transfer(&db.store, &op, &pb, meal(4_000, &[1], 0), TODAY)
        .await
        .unwrap();
    assert_eq!(first.warnings, vec![]);
    // $30.00 for two: $15.00 more for her, over the cap; Dr. Cho at $15.00 is not.
    let second = rounds_app::record_transfer(&db.store, &op, &pb, meal(3_000, &[1, 2], 0), TODAY)
        .await
        .unwrap();
    let warnings: Vec<String> = second.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "Dr. Ada Reyes (contact 1) has received $55.00 in 2026, over the yearly cap of $50.00 (P14)"
        ]
    );
    // A transfer of another year starts from nothing.
    let next_year = TransferInput {
        date: date(2025, 12, 31),
        ..meal(4_000, &[1], 0)
    };
    let earlier = rounds_app::record_transfer(&db.store, &op, &pb, next_year, TODAY)
        .await
        .unwrap();
    assert_eq!(earlier.warnings, vec![]);
}

async fn p14_a_transfer_is_voided_once_and_counts_nowhere(db: &TestDb) {
    let op = operator(db).await;
    let pb = Playbook::default();
    let t = rounds_app::record_transfer(&db.store, &op, &pb, meal(8_000, &[1, 6], 0), TODAY)
        .await
        .unwrap()
        .transfer;
    let (field, _) = invalid_field(
        rounds_app::void_transfer(&db.store, &op, t.id, "  ", TODAY)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "reason");
    let voided = rounds_app::void_transfer(&db.store, &op, t.id, "entered twice", TODAY)
        .await
        .unwrap();
    assert_eq!(voided.void.as_ref().unwrap().reason, "entered twice");
    match rounds_app::void_transfer(&db.store, &op, t.id, "again", TODAY).await {
        Err(AppError::Conflict { field, message }) => {
            assert_eq!(field, "void");
            assert!(
                message.contains("voided on 2026-11-24 (entered twice)"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rounds_app::list_transfers(&db.store, &op, LedgerFilter::default())
            .await
            .unwrap(),
        vec![]
    );
    let report = rounds_app::ledger_year(&db.store, &op, &pb, 2026)
        .await
        .unwrap();
    assert_eq!(report.rows, vec![]);
}

async fn p14_the_yearly_report_covers_the_year_in_scope(db: &TestDb) {
    let op = operator(db).await;
    let pb = Playbook::default();
    let sam = as_user(db, 3).await;
    rounds_app::record_transfer(
        &db.store,
        &op,
        &pb,
        meal(20_000, &[1, 2, 3, 4, 5, 6, 7], 1),
        TODAY,
    )
    .await
    .unwrap();
    rounds_app::record_transfer(&db.store, &op, &pb, meal_at(2, &[8]), TODAY)
        .await
        .unwrap();
    let report = rounds_app::ledger_year(&db.store, &op, &pb, 2026)
        .await
        .unwrap();
    let mut csv = Vec::new();
    write_open_payments(&report, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 6, "{csv}");
    assert!(lines[1].starts_with("1,3,Dee Evans,nurse-practitioner,Lakeside Orthopaedics,1 Lake St,Chicago,IL,60601,11/20/2026,25.00,1,In-kind items and services,Food and Beverage,"), "{csv}");
    assert!(
        lines[6].starts_with("2,8,Dr. Hal Ito,,Southside Pain,9 South St,"),
        "{csv}"
    );
    assert!(
        lines[6].ends_with(
            ",60.00,1,In-kind items and services,Food and Beverage,Lunch for the office,60.00"
        ),
        "{csv}"
    );
    // Sam's report holds his own account only.
    let his = rounds_app::ledger_year(&db.store, &sam, &pb, 2026)
        .await
        .unwrap();
    assert_eq!(his.rows.len(), 1);
    assert_eq!(his.rows[0].contact, ContactId(8));
    assert_eq!(
        rounds_app::ledger_year(&db.store, &op, &pb, 2025)
            .await
            .unwrap()
            .rows,
        vec![]
    );
    assert_eq!(
        invalid_field(
            rounds_app::ledger_year(&db.store, &op, &pb, 1999)
                .await
                .unwrap_err()
        )
        .0,
        "year"
    );
    let typo = LedgerFilter {
        year: Some(2206),
        ..LedgerFilter::default()
    };
    let refused = rounds_app::list_transfers(&db.store, &op, typo).await;
    assert_eq!(invalid_field(refused.unwrap_err()).0, "year");
}

/// The refusal's reason after the field: the rule named, the words quoted.
fn p14_refusal(message: &str, excerpt: &str) {
    assert_eq!(
        message,
        format!("offers value per referral (\"{excerpt}\"): refused under P14 (anti-kickback)")
    );
}

async fn p14_refuses_value_per_referral_at_every_way_text_is_written(db: &TestDb) {
    let op = operator(db).await;
    let pb = Playbook::default();

    // A topic of the library.
    let topic = TopicInput {
        title: "Gift card per referral".into(),
        ..TopicInput::default()
    };
    let (field, message) = invalid_field(
        rounds_app::create_topic(&db.store, &op, topic)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "title");
    p14_refusal(&message, "Gift card per referral");
    assert_eq!(db.store.topics(ORG).await.unwrap(), vec![]);

    // A touch's note, and its next step.
    let mut touch = TouchInput::new(ContactId(1), Channel::Visit, Outcome::Conversation);
    touch.note = "Offered a $50 gift card per referral".into();
    let (field, message) = invalid_field(
        rounds_app::log_touch(&db.store, &op, touch.clone(), now())
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "note");
    p14_refusal(&message, "gift card per referral");
    touch.note = "Thanked her for the referral".into();
    touch.next_what = Some("Drop off lunch for every referral".into());
    touch.next_due = Some(date(2026, 12, 1));
    let (field, _) = invalid_field(
        rounds_app::log_touch(&db.store, &op, touch.clone(), now())
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "next_step.what");
    assert_eq!(
        db.store
            .touches_for_contact(ORG, ContactId(1))
            .await
            .unwrap(),
        vec![]
    );
    // Ordinary referral talk goes through.
    touch.next_what = Some("Records check on referrals".into());
    let logged = rounds_app::log_touch(&db.store, &op, touch, now())
        .await
        .unwrap();

    // Rewording the step the touch set.
    let (field, _) = invalid_field(
        rounds_app::edit_step(
            &db.store,
            &op,
            &pb,
            logged.id,
            Some("Bonus per patient referred"),
            None,
            now(),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(field, "what");

    // A message template of the organisation.
    let mut template = builtin_of(TemplateKind::ThankYou).clone();
    template.short = "Thanks! A coffee card for each referral, as always.".into();
    let (field, message) = invalid_field(
        rounds_app::save_template(&db.store, &op, template, now())
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "short");
    p14_refusal(&message, "coffee card for each referral");
    assert_eq!(db.store.templates(ORG).await.unwrap(), vec![]);

    // A draft in the outbox.
    let draft = rounds_app::outbox::DraftInput {
        id: None,
        contact: ContactId(1),
        subject: "Our referral bonus".into(),
        body: "Would Tuesday suit you?".into(),
        topic: None,
        kind: TouchKind::ThankYou,
        urgent: false,
    };
    let (field, message) = invalid_field(
        rounds_app::outbox::save_draft(&db.store, &op, draft, now())
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "subject");
    p14_refusal(&message, "Our referral bonus");
}
