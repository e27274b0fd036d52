//! The audit log on both backends: every write method appends its rows in its own
//! transaction, concurrent writers leave one unbroken chain, and `audit_verify` detects
//! every kind of tampering — each row of a 60-row chain altered in one field, deleted,
//! and swapped with its neighbour, and records changed behind the log's back — one case
//! at a time, the database restored after each.

use std::collections::BTreeMap;

use jiff::civil::date;
use rounds_core::model::*;
use rounds_store::{
    AuditActor, AuditBreak, AuditEntry, AuditQuery, Ledger, SqlStore, Store, StoreError, WriteMode,
};
use rounds_testkit::world::*;
use rounds_testkit::{ORG, TestDb, at};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

// On two workers, so the concurrent writers really run at once.
rounds_testkit::both_backends!(
    multi_thread: every_write_method_appends_its_rows,
    a_failed_write_appends_nothing,
    rows_name_the_bound_actor_and_time,
    every_tampering_of_a_chain_is_detected,
    records_changed_without_a_row_are_detected,
    a_replace_keeps_the_log,
    concurrent_writers_leave_one_unbroken_chain,
);

/// Everything of `sample_org` but its records: the organisation alone.
fn org_only() -> rounds_core::export::OrgData {
    let mut d = sample_org();
    d.users.clear();
    d.accounts.clear();
    d.contacts.clear();
    d.topics.clear();
    d.touches.clear();
    d.referrals.clear();
    d.lost.clear();
    d.no_fits.clear();
    d.step_updates.clear();
    d.work_weeks.clear();
    d.time_off.clear();
    d
}

/// The whole log, oldest first.
async fn log(s: &SqlStore) -> Vec<AuditEntry> {
    let mut rows = s
        .audit_log(ORG, &AuditQuery::default())
        .await
        .unwrap()
        .entries;
    rows.reverse();
    rows
}

/// (entity, entity_id, action) of each row appended after the first `from` rows.
async fn appended(s: &SqlStore, from: usize) -> Vec<(String, String, String)> {
    log(s)
        .await
        .into_iter()
        .skip(from)
        .map(|e| (e.entity, e.entity_id, e.action))
        .collect()
}

fn rows(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

async fn assert_whole(s: &SqlStore) -> u64 {
    let report = s.audit_verify(ORG).await.unwrap();
    assert_eq!(report.breaks, [], "the chain should be whole");
    report.rows
}

/// Each write method, called once, and the rows it must append: one per record it
/// created, changed or deleted, and one summary row per bulk write.
async fn every_write_method_appends_its_rows(db: &TestDb) {
    let s = &db.store;
    s.write_org(&org_only(), WriteMode::Replace).await.unwrap();
    assert_eq!(
        appended(s, 0).await,
        rows(&[("organisation", "1", "replace")])
    );
    let mut seen = 1;
    macro_rules! step {
        ($call:expr, $expected:expr) => {{
            $call.await.unwrap();
            let got = appended(s, seen).await;
            assert_eq!(got, rows($expected), "{}", stringify!($call));
            seen += got.len();
        }};
    }
    step!(
        s.save_user(ORG, &user(1, "Ann", Role::Rep)),
        &[("user", "1", "create")]
    );
    step!(
        s.save_user(ORG, &user(1, "Annie", Role::Rep)),
        &[("user", "1", "update")]
    );
    step!(
        s.save_user(ORG, &user(2, "Bob", Role::Rep)),
        &[("user", "2", "create")]
    );
    step!(
        s.save_topic(ORG, &topic(1, "Prior auth")),
        &[("topic", "1", "create")]
    );
    step!(
        s.save_topic(ORG, &topic(2, "Formulary")),
        &[("topic", "2", "create")]
    );
    step!(
        s.save_account(ORG, &account(10, 1, "Main")),
        &[("account", "10", "create")]
    );
    step!(
        s.save_account(ORG, &account(11, 1, "North")),
        &[("account", "11", "create")]
    );
    step!(
        s.save_contact(ORG, &contact(100, 10, "Eli")),
        &[("contact", "100", "create")]
    );
    step!(
        s.add_touch(ORG, &touch(1000, "2024-03-05T14:30:00Z", 1, 100, 10)),
        &[("touch", "1000", "create")]
    );
    step!(
        s.add_step_update(ORG, &step_update(1000, 1, 10, StepAction::Complete)),
        &[("step-update", "1000/1", "create")]
    );
    step!(
        s.add_referral(ORG, &referral(100, date(2024, 3, 1), 2)),
        &[("referral", "100/2024-03-01", "create")]
    );
    step!(
        s.add_referral(ORG, &referral(100, date(2024, 3, 1), 3)),
        &[("referral", "100/2024-03-01", "update")]
    );
    step!(
        async {
            let sum = s.add_to_referral(ORG, ContactId(100), date(2024, 3, 1), 2, 1000);
            sum.await.map(|added| assert!(added.is_ok()))
        },
        &[("referral", "100/2024-03-01", "update")]
    );
    step!(
        s.record_lost(
            ORG,
            &LostAccount {
                account: AccountId(10),
                lost_on: date(2024, 3, 3),
                reason: LossReason::Pricing,
                competitor: None,
                stakeholders: vec![],
                note: String::new(),
                earlier: vec![],
            }
        ),
        &[("account", "10", "update"), ("lost", "10", "create")]
    );
    step!(
        s.record_no_fit(
            ORG,
            &NoFit {
                account: AccountId(11),
                decided_on: date(2024, 3, 4),
                reason: "no vendors".into(),
            }
        ),
        &[("account", "11", "update"), ("no-fit", "11", "create")]
    );
    step!(
        s.save_work_week(
            ORG,
            &WorkWeek {
                rep: UserId(1),
                days: vec![jiff::civil::Weekday::Monday],
                hours: None,
            }
        ),
        &[("work-week", "1", "create")]
    );
    step!(
        s.save_time_off(ORG, &time_off(5, 1, date(2024, 7, 1), date(2024, 7, 5))),
        &[("time-off", "5", "create")]
    );
    step!(
        s.delete_time_off(ORG, TimeOffId(5)),
        &[("time-off", "5", "delete")]
    );
    step!(s.delete_time_off(ORG, TimeOffId(5)), &[]);
    step!(
        s.reassign_accounts(ORG, UserId(1), UserId(2)),
        &[("account", "10", "update"), ("account", "11", "update")]
    );
    step!(
        s.set_password(ORG, UserId(1), "ann@example.org", "$argon2id$x"),
        &[("sign-in", "1", "password")]
    );
    step!(
        s.set_password(ORG, UserId(1), "ann@example.org", "$argon2id$y"),
        &[("sign-in", "1", "password")]
    );
    step!(
        s.create_api_token(
            &"ab".repeat(32),
            &rounds_store::ApiToken {
                id: "abababab".into(),
                org: ORG,
                user: UserId(1),
                name: "nightly".into(),
                created_at: 1_700_000_000,
                expires_at: Some(1_707_776_000),
                last_used_at: None,
            }
        ),
        &[("api-token", "abababab", "create")]
    );
    // Its use is not a change; its revocation is.
    step!(s.touch_api_token(&"ab".repeat(32), 1_700_000_100), &[]);
    step!(
        s.delete_api_token(ORG, "abababab"),
        &[("api-token", "abababab", "revoke")]
    );
    step!(s.delete_api_token(ORG, "abababab"), &[]);
    step!(
        s.save_calendar_feed(ORG, UserId(1), &"ef".repeat(32), 1_700_000_000),
        &[("calendar-feed", "1", "create")]
    );
    step!(
        s.save_calendar_feed(ORG, UserId(1), &"fe".repeat(32), 1_700_000_100),
        &[("calendar-feed", "1", "update")]
    );
    step!(
        s.delete_calendar_feed(ORG, UserId(1)),
        &[("calendar-feed", "1", "revoke")]
    );
    step!(s.delete_calendar_feed(ORG, UserId(1)), &[]);
    let mut own =
        rounds_core::outreach::builtin_of(rounds_core::outreach::TemplateKind::Breakup).clone();
    own.subject = "Closing the file on {{ topic.title }}".into();
    step!(
        s.save_template(ORG, &own, 1_700_000_000, Some(UserId(1))),
        &[("template", "breakup", "create")]
    );
    own.short = "Shall I check back in spring?".into();
    step!(
        s.save_template(ORG, &own, 1_700_000_100, None),
        &[("template", "breakup", "update")]
    );
    step!(
        s.delete_template(ORG, own.kind),
        &[("template", "breakup", "delete")]
    );
    step!(s.delete_template(ORG, own.kind), &[]);
    // The ledger (P14): a transfer recorded, then voided once.
    let given = transfer(1, 10, 1, date(2024, 3, 5), 20_000, &[(100, true)], 7);
    step!(s.add_transfer(ORG, &given), &[("transfer", "1", "create")]);
    let voided = rounds_core::ledger::Transfer {
        void: Some(rounds_core::ledger::Void {
            on: date(2024, 3, 6),
            reason: "entered twice".into(),
        }),
        ..given
    };
    step!(
        s.void_transfer(ORG, &voided),
        &[("transfer", "1", "update")]
    );
    step!(s.void_transfer(ORG, &voided), &[]);
    let window = (
        jiff::Timestamp::from_second(1_700_000_000).unwrap(),
        jiff::Timestamp::from_second(1_710_000_000).unwrap(),
    );
    let busy = [BusyTime {
        rep: UserId(1),
        source: "work.ics".into(),
        uid: "standup".into(),
        start: jiff::Timestamp::from_second(1_700_003_600).unwrap(),
        end: jiff::Timestamp::from_second(1_700_005_400).unwrap(),
        all_day: false,
    }];
    step!(
        s.replace_busy_times(ORG, UserId(1), "work.ics", window, &busy),
        &[("busy-times", "1/work.ics", "create")]
    );
    // The same calendar again is no change.
    step!(
        s.replace_busy_times(ORG, UserId(1), "work.ics", window, &busy),
        &[]
    );
    step!(
        s.clear_busy_times(ORG, UserId(1), None),
        &[("busy-times", "1/*", "clear")]
    );
    step!(s.clear_busy_times(ORG, UserId(1), None), &[]);
    step!(
        s.set_disabled(ORG, UserId(1), true),
        &[("sign-in", "1", "disable")]
    );
    step!(
        s.set_disabled(ORG, UserId(1), false),
        &[("sign-in", "1", "enable")]
    );
    step!(
        s.delete_touch(ORG, TouchId(1000)),
        &[
            ("step-update", "1000/1", "delete"),
            ("touch", "1000", "delete")
        ]
    );
    step!(s.delete_touch(ORG, TouchId(1000)), &[]);
    step!(
        s.write_org(&sample_org(), WriteMode::Merge),
        &[("organisation", "1", "merge")]
    );
    // An import read in chunks: one summary row for the whole transaction, none when it
    // is rolled back.
    step!(
        s.write_org_chunks(
            WriteMode::Merge,
            &mut [Ok(org_only()), Ok(sample_org())].into_iter()
        ),
        &[("organisation", "1", "merge")]
    );
    step!(
        s.write_org_chunks(
            WriteMode::Merge,
            &mut [Ok(sample_org()), Err(rounds_store::Rollback)].into_iter()
        ),
        &[]
    );
    // An import from another system: one summary row when it changed something, none
    // when dry or when nothing changed.
    let chunk = || rounds_core::book::ExternalChunk {
        accounts: vec![rounds_core::book::Imported {
            external_id: "001A".into(),
            digest: "d".into(),
            record: rounds_testkit::world::account(-1, 1, "From elsewhere"),
        }],
        ..Default::default()
    };
    step!(
        s.write_external(ORG, "salesforce", true, &mut [Ok(chunk())].into_iter()),
        &[]
    );
    step!(
        s.write_external(ORG, "salesforce", false, &mut [Ok(chunk())].into_iter()),
        &[("organisation", "1", "import")]
    );
    step!(
        s.write_external(ORG, "salesforce", false, &mut [Ok(chunk())].into_iter()),
        &[]
    );
    // A captured mail (P48): its touch and its review item in one write; the same
    // Message-ID again writes nothing; a review item dismissed is an update.
    let review = rounds_store::NewReview {
        id: 7,
        user: Some(UserId(1)),
        entry: rounds_core::capture::ReviewEntry {
            direction: rounds_core::model::Direction::Inbound,
            at: None,
            subject: "Hello".into(),
            party: None,
            mail: rounds_core::capture::read_mail(b"From: pat@nowhere.example\r\n\r\n").unwrap(),
        },
        reason: rounds_core::capture::ReviewReason::NoContact,
    };
    let captured = rounds_store::CaptureWrite {
        message_id: "m1@capture.example".into(),
        at: rounds_testkit::now(),
        touches: vec![rounds_testkit::world::touch(
            2000,
            "2026-11-20T10:00:00Z",
            1,
            100,
            10,
        )],
        steps: vec![],
        review: vec![review],
    };
    step!(
        s.write_capture(ORG, &captured),
        &[
            ("touch", "2000", "create"),
            ("capture-review", "7", "create")
        ]
    );
    step!(s.write_capture(ORG, &captured), &[]);
    step!(
        s.resolve_review(ORG, 7, &rounds_store::ReviewResolution::Dismiss),
        &[("capture-review", "7", "update")]
    );
    step!(
        s.resolve_review(ORG, 7, &rounds_store::ReviewResolution::Dismiss),
        &[]
    );
    // Not changes of the territory: sign-ins' sessions and id counters.
    step!(s.next_id(ORG, rounds_store::IdKind::Touch), &[]);
    // The id reserved inside the write: one row, for the touch, under the next id.
    step!(
        async {
            let draft = touch(0, "2026-11-21T10:00:00Z", 1, 100, 10);
            let id = s.add_new_touch(ORG, &draft).await;
            id.map(|id| assert_eq!(id, TouchId(2002)))
        },
        &[("touch", "2002", "create")]
    );
    step!(
        s.create_session(
            &"cd".repeat(32),
            &rounds_store::Session {
                org: ORG,
                user: UserId(1),
                csrf: "x".into(),
                created_at: 1,
                seen_at: 1,
            }
        ),
        &[]
    );
    let whole = assert_whole(s).await;
    assert_eq!(whole as usize, seen);

    // The chunked merge: before the import's row, the three of the captured mail and
    // the new touch's.
    let merge = &log(s).await[seen - 6];
    assert!(
        merge.detail.starts_with("users=4 topics=3 accounts=4"),
        "{}",
        merge.detail
    );
    assert_eq!(merge.before, "");
    assert_eq!(merge.after.len(), 64);
}

async fn a_failed_write_appends_nothing(db: &TestDb) {
    let s = &db.store;
    s.write_org(&org_only(), WriteMode::Replace).await.unwrap();
    let err = s
        .save_account(ORG, &account(10, 9, "Nobody's"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let mut dup = sample_org();
    dup.touches.push(dup.touches[0].clone());
    assert!(s.write_org(&dup, WriteMode::Merge).await.is_err());
    assert_eq!(log(s).await.len(), 1);
    assert_whole(s).await;
}

async fn rows_name_the_bound_actor_and_time(db: &TestDb) {
    let s = &db.store;
    s.write_org(&org_only(), WriteMode::Replace).await.unwrap();
    let noon = at("2026-11-24T12:00:00Z");
    let ann = s.acting_as(AuditActor::User(UserId(1)), noon);
    ann.save_user(ORG, &user(1, "Ann", Role::Admin))
        .await
        .unwrap();
    s.acting_as(AuditActor::Operator, noon)
        .save_topic(ORG, &topic(1, "Prior auth"))
        .await
        .unwrap();
    let got: Vec<(String, i64)> = log(s).await.into_iter().map(|e| (e.actor, e.at)).collect();
    let noon = noon.as_second();
    assert_eq!(
        got,
        [
            ("system".to_string(), 0),
            ("user:1".to_string(), noon),
            ("operator".to_string(), noon)
        ]
    );
    // The bound handle shares the pool: what it wrote, the plain one reads.
    assert_eq!(s.users(ORG).await.unwrap().len(), 1);
}

/// A 60-row chain: every row of a real run of writes.
async fn chain_of_sixty(s: &SqlStore) {
    s.write_org(&org_only(), WriteMode::Replace).await.unwrap();
    s.save_user(ORG, &user(1, "Ann", Role::Rep)).await.unwrap();
    s.save_account(ORG, &account(10, 1, "Main")).await.unwrap();
    for i in 0..57 {
        let who = s.acting_as(
            AuditActor::User(UserId(1)),
            at("2026-11-24T12:00:00Z") + jiff::SignedDuration::from_mins(i),
        );
        who.save_topic(ORG, &topic(i % 20 + 1, &format!("Topic {i}")))
            .await
            .unwrap();
    }
}

async fn conn(db: &TestDb) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&db.url).await.unwrap()
}

async fn exec(c: &mut AnyConnection, sql: String) {
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut *c)
        .await
        .unwrap();
}

/// How each column of a row is edited: a text column gets a character appended, `at`
/// and `seq`-free numbers move by one.
const FIELDS: &[(&str, bool)] = &[
    ("at", true),
    ("actor", false),
    ("entity", false),
    ("entity_id", false),
    ("action", false),
    ("before_digest", false),
    ("after_digest", false),
    ("detail", false),
    ("prev_hash", false),
    ("hash", false),
];

async fn every_tampering_of_a_chain_is_detected(db: &TestDb) {
    let s = &db.store;
    chain_of_sixty(s).await;
    let original = log(s).await;
    assert_eq!(original.len(), 60);
    assert_eq!(assert_whole(s).await, 60);
    let mut c = conn(db).await;
    let mut tried = 0;
    let mut detected = 0;
    let mut tally = BTreeMap::<&str, (u32, u32)>::new();
    let mut judge =
        |kind: &'static str, breaks: Vec<AuditBreak>, expect: &dyn Fn(&AuditBreak) -> bool| {
            tried += 1;
            let t = tally.entry(kind).or_default();
            t.0 += 1;
            if breaks.iter().any(expect) {
                detected += 1;
                t.1 += 1;
            } else {
                eprintln!("{kind}: not detected as expected: {breaks:?}");
            }
        };
    for e in &original {
        let seq = e.seq;
        // One field of the row altered.
        let (field, numeric) = FIELDS[(seq as usize) % FIELDS.len()];
        let edit = if numeric {
            format!("{field} = {field} + 1")
        } else {
            format!("{field} = {field} || 'x'")
        };
        exec(
            &mut c,
            format!("UPDATE audit_log SET {edit} WHERE org_id = 1 AND seq = {seq}"),
        )
        .await;
        let breaks = s.audit_verify(ORG).await.unwrap().breaks;
        judge("altered", breaks, &|b| *b == AuditBreak::Altered { seq });
        restore(&mut c, e).await;

        // The row deleted.
        exec(
            &mut c,
            format!("DELETE FROM audit_log WHERE org_id = 1 AND seq = {seq}"),
        )
        .await;
        let breaks = s.audit_verify(ORG).await.unwrap().breaks;
        judge("deleted", breaks, &|b| {
            *b == AuditBreak::Missing { from: seq, to: seq }
        });
        insert(&mut c, e).await;

        // The row swapped with the next one (the last with the one before it).
        let other = if seq == 60 { 59 } else { seq + 1 };
        exec(
            &mut c,
            format!("UPDATE audit_log SET seq = -1 WHERE org_id = 1 AND seq = {seq}"),
        )
        .await;
        exec(
            &mut c,
            format!("UPDATE audit_log SET seq = {seq} WHERE org_id = 1 AND seq = {other}"),
        )
        .await;
        exec(
            &mut c,
            format!("UPDATE audit_log SET seq = {other} WHERE org_id = 1 AND seq = -1"),
        )
        .await;
        let breaks = s.audit_verify(ORG).await.unwrap().breaks;
        judge("reordered", breaks, &|b| {
            *b == AuditBreak::OutOfOrder {
                seq: other,
                belongs_at: seq,
            }
        });
        exec(
            &mut c,
            format!("DELETE FROM audit_log WHERE org_id = 1 AND seq IN ({seq}, {other})"),
        )
        .await;
        insert(&mut c, e).await;
        insert(&mut c, &original[(other - 1) as usize]).await;

        assert_eq!(log(s).await, original, "restored after row {seq}");
    }
    assert_eq!(assert_whole(s).await, 60);
    eprintln!(
        "tamper cases on {:?}: {detected}/{tried} detected ({tally:?})",
        db.backend
    );
    assert_eq!(detected, tried);
    assert_eq!(tried, 180);
}

async fn restore(c: &mut AnyConnection, e: &AuditEntry) {
    sqlx::query("DELETE FROM audit_log WHERE org_id = $1 AND seq = $2")
        .bind(e.org.0)
        .bind(e.seq)
        .execute(&mut *c)
        .await
        .unwrap();
    insert(c, e).await;
}

async fn insert(c: &mut AnyConnection, e: &AuditEntry) {
    sqlx::query(
        "INSERT INTO audit_log (org_id, seq, at, actor, entity, entity_id, action, \
         before_digest, after_digest, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.org.0)
    .bind(e.seq)
    .bind(e.at)
    .bind(e.actor.as_str())
    .bind(e.entity.as_str())
    .bind(e.entity_id.as_str())
    .bind(e.action.as_str())
    .bind(e.before.as_str())
    .bind(e.after.as_str())
    .bind(e.detail.as_str())
    .bind(e.prev_hash.as_str())
    .bind(e.hash.as_str())
    .execute(&mut *c)
    .await
    .unwrap();
}

/// Each kind of record written through the store, then edited, deleted or inserted
/// behind its back: `verify` names the record.
async fn records_changed_without_a_row_are_detected(db: &TestDb) {
    let s = &db.store;
    s.write_org(&org_only(), WriteMode::Replace).await.unwrap();
    s.save_user(ORG, &user(1, "Ann", Role::Rep)).await.unwrap();
    s.save_topic(ORG, &topic(1, "Prior auth")).await.unwrap();
    s.save_account(ORG, &account(10, 1, "Main")).await.unwrap();
    s.save_contact(ORG, &contact(100, 10, "Eli")).await.unwrap();
    s.add_touch(ORG, &touch(1000, "2024-03-05T14:30:00Z", 1, 100, 10))
        .await
        .unwrap();
    s.add_step_update(ORG, &step_update(1000, 1, 10, StepAction::Complete))
        .await
        .unwrap();
    s.add_referral(ORG, &referral(100, date(2024, 3, 1), 2))
        .await
        .unwrap();
    s.save_time_off(ORG, &time_off(5, 1, date(2024, 7, 1), date(2024, 7, 5)))
        .await
        .unwrap();
    s.set_password(ORG, UserId(1), "ann@example.org", "$argon2id$x")
        .await
        .unwrap();
    s.add_transfer(
        ORG,
        &transfer(1, 10, 1, date(2024, 3, 5), 5_000, &[(100, true)], 1),
    )
    .await
    .unwrap();
    assert_whole(s).await;
    let mut c = conn(db).await;
    let cases: &[(&str, &str, &str, &str)] = &[
        ("user", "1", "users", "id = 1"),
        ("topic", "1", "topics", "id = 1"),
        ("account", "10", "accounts", "id = 10"),
        ("contact", "100", "contacts", "id = 100"),
        ("touch", "1000", "touches", "id = 1000"),
        (
            "step-update",
            "1000/1",
            "step_updates",
            "touch_id = 1000 AND seq = 1",
        ),
        (
            "referral",
            "100/2024-03-01",
            "referral_counts",
            "contact_id = 100 AND day = '2024-03-01'",
        ),
        ("time-off", "5", "time_off", "id = 5"),
        ("transfer", "1", "transfers", "id = 1"),
    ];
    let mut tried = 0;
    for (entity, id, table, key) in cases {
        let body: String = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT body FROM {table} WHERE org_id = 1 AND {key}"
        )))
        .fetch_one(&mut c)
        .await
        .unwrap();
        exec(
            &mut c,
            format!("UPDATE {table} SET body = body || ' ' WHERE org_id = 1 AND {key}"),
        )
        .await;
        let breaks = s.audit_verify(ORG).await.unwrap().breaks;
        assert!(
            breaks.iter().any(|b| matches!(b, AuditBreak::Record { entity: e, entity_id: i, .. } if e == entity && i == id)),
            "{entity} {id} edited: {breaks:?}"
        );
        tried += 1;
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET body = $1 WHERE org_id = 1 AND {key}"
        )))
        .bind(body)
        .execute(&mut c)
        .await
        .unwrap();
    }
    assert_whole(s).await;

    // A sign-in's password changed behind the log's back.
    exec(
        &mut c,
        "UPDATE credentials SET password_hash = 'stolen' WHERE org_id = 1 AND user_id = 1".into(),
    )
    .await;
    let breaks = s.audit_verify(ORG).await.unwrap().breaks;
    assert!(
        breaks
            .iter()
            .any(|b| matches!(b, AuditBreak::Record { entity, .. } if entity == "sign-in")),
        "{breaks:?}"
    );
    tried += 1;
    exec(
        &mut c,
        "UPDATE credentials SET password_hash = '$argon2id$x' WHERE org_id = 1 AND user_id = 1"
            .into(),
    )
    .await;

    // A record deleted behind the log's back.
    exec(
        &mut c,
        "DELETE FROM time_off WHERE org_id = 1 AND id = 5".into(),
    )
    .await;
    let breaks = s.audit_verify(ORG).await.unwrap().breaks;
    assert!(
        breaks
            .iter()
            .any(|b| matches!(b, AuditBreak::Record { entity, .. } if entity == "time-off")),
        "{breaks:?}"
    );
    tried += 1;
    eprintln!("record cases on {:?}: {tried}/{tried} detected", db.backend);
}

/// A Replace rewrites every record of the organisation but keeps the log, whose next
/// row follows on.
async fn a_replace_keeps_the_log(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    s.save_topic(ORG, &topic(9, "New")).await.unwrap();
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let rows = log(s).await;
    assert_eq!(rows.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    // The same data gives the same digest.
    assert_eq!(rows[0].after, rows[2].after);
    assert_whole(s).await;
}

/// 8 writers × 25 changes each, at once, on one organisation.
async fn concurrent_writers_leave_one_unbroken_chain(db: &TestDb) {
    let s = db.store.clone();
    s.write_org(&org_only(), WriteMode::Replace).await.unwrap();
    s.save_user(ORG, &user(1, "Ann", Role::Rep)).await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..8i64 {
        let s = s.acting_as(AuditActor::User(UserId(1)), at("2026-11-24T12:00:00Z"));
        tasks.push(tokio::spawn(async move {
            for i in 0..25i64 {
                s.save_topic(ORG, &topic(1000 + w * 100 + i, &format!("w{w} t{i}")))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rows = log(&s).await;
    assert_eq!(rows.len(), 2 + 200);
    assert_eq!(
        rows.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=202).collect::<Vec<_>>()
    );
    assert_eq!(assert_whole(&s).await, 202);
}
