//! The store's conformance suite: one set of checks, each run against SQLite (a fresh
//! file per test) and against PostgreSQL (a fresh database per test), so the two
//! backends cannot drift apart.
//!
//! PostgreSQL is found at `ROUNDS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test creates its own database
//! there and drops it afterwards, even when the test fails. If the server cannot be
//! reached the PostgreSQL half is skipped with a notice, except under `CI`, where it fails.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::date;
use rounds_core::export::OrgData;
use rounds_core::model::*;
use rounds_store::{
    ApiToken, Credentials, IdKind, Ledger, Rollback, RowCounts, Session, SqlStore, Store,
    StoreError, Summaries, TransferQuery, WriteMode,
};

rounds_testkit::both_backends!(
    replace_round_trips,
    merge_twice_is_idempotent,
    merge_in_parts_equals_the_whole,
    replace_drops_what_is_not_rewritten,
    failed_write_changes_nothing,
    duplicate_keys_are_refused,
    territory_holds_only_the_reps_rows,
    all_territories_partitions_by_rep,
    record_lost_and_no_fit_set_status,
    add_referral_replaces_the_count,
    p9_add_to_referral_sums_concurrent_adds_and_refuses_past_the_limit,
    timestamps_round_trip_exactly,
    single_records_are_saved_and_checked,
    add_touch_checks_its_contact,
    add_new_touch_takes_the_next_id_in_its_write,
    next_id_follows_the_largest,
    organisations_are_isolated,
    p47_own_templates_are_kept_per_organisation_and_replaced_by_kind,
    many_rows_span_batches,
    reconnecting_keeps_data,
    corrupt_rows_are_reported,
    corrupt_packed_rows_name_their_row,
    next_id_is_unique_under_concurrent_callers,
    passwords_sign_ins_and_disabling,
    sessions_expire_and_end,
    api_tokens_are_found_by_hash_only,
    an_api_token_comes_with_its_organisations_users,
    api_tokens_are_listed_used_and_revoked,
    a_new_password_revokes_the_users_api_tokens,
    touches_are_found_and_deleted_by_id,
    reassigning_moves_a_whole_territory,
    replacing_an_organisation_ends_its_sign_ins,
    bodies_written_before_versions_still_read,
    calendars_are_stored_read_and_deleted,
    a_replaced_loss_keeps_its_history,
    step_updates_are_appended_and_read_with_their_account,
    chunked_writes_equal_one_write_and_roll_back_whole,
    a_control_character_in_a_sign_in_name_finds_nobody,
    scoped_reads_filter_by_the_accounts_rep,
    calendar_feeds_are_found_by_hash_replaced_and_revoked,
    busy_times_are_replaced_per_calendar_and_reach_the_territory,
    p14_transfers_are_recorded_listed_by_scope_and_year_and_voided_once,
    rep_summaries_are_stored_per_day_replaced_and_pruned,
    a_kept_territory_follows_every_write,
);

use rounds_testkit::TestDb;
use rounds_testkit::world::*;

use rounds_testkit::ORG;

// ---------------------------------------------------------------------------------------
// Test data, built by hand.

/// A generated organisation of `reps` reps with 50 accounts each, 4 contacts per account
/// and `touches` touches spread over them, every list sorted as an export is.
fn bulk_org(org: OrgId, reps: i64, touches: i64) -> OrgData {
    let mut data = OrgData {
        organisation: Organisation {
            id: org,
            name: format!("Bulk {org}"),
            demo: true,
        },
        users: (1..=reps)
            .map(|r| user(r, &format!("Rep{r}"), Role::Rep))
            .collect(),
        accounts: vec![],
        contacts: vec![],
        topics: (1..=20).map(|t| topic(t, &format!("Topic {t}"))).collect(),
        touches: vec![],
        referrals: vec![],
        lost: vec![],
        no_fits: vec![],
        step_updates: vec![],
        work_weeks: vec![],
        time_off: vec![],
    };
    let accounts = reps * 50;
    for a in 1..=accounts {
        data.accounts
            .push(account(a, (a - 1) % reps + 1, &format!("Account {a}")));
        for c in 0..4 {
            let id = (a - 1) * 4 + c + 1;
            data.contacts.push(contact(id, a, &format!("Contact {id}")));
            data.referrals
                .push(referral(id, date(2024, 1, 1), (id % 5) as u32));
        }
    }
    let start = Timestamp::from_second(1_700_000_000).unwrap();
    for t in 1..=touches {
        let contact = (t * 7919) % (accounts * 4) + 1;
        let account = (contact - 1) / 4 + 1;
        let mut x = touch(
            t,
            "2024-01-01T00:00:00Z",
            (account - 1) % reps + 1,
            contact,
            account,
        );
        x.at = start
            + jiff::SignedDuration::new(t * 613 % 31_536_000, ((t * 7_777) % 1_000_000_000) as i32);
        data.touches.push(x);
    }
    data
}

/// Every list in the order an export gives it.
fn sorted(mut d: OrgData) -> OrgData {
    d.users.sort_by_key(|u| u.id);
    d.accounts.sort_by_key(|a| a.id);
    d.contacts.sort_by_key(|c| c.id);
    d.topics.sort_by_key(|t| t.id);
    d.touches.sort_by_key(|t| t.id);
    d.referrals.sort_by_key(|r| (r.contact, r.day));
    d.lost.sort_by_key(|l| l.account);
    d.no_fits.sort_by_key(|n| n.account);
    d.work_weeks.sort_by_key(|w| w.rep);
    d.time_off.sort_by_key(|t| t.id);
    d.step_updates.sort_by_key(|u| (u.touch, u.seq));
    d
}

fn counts_of(d: &OrgData) -> RowCounts {
    RowCounts {
        users: d.users.len() as u64,
        accounts: d.accounts.len() as u64,
        contacts: d.contacts.len() as u64,
        topics: d.topics.len() as u64,
        touches: d.touches.len() as u64,
        referrals: d.referrals.len() as u64,
        lost: d.lost.len() as u64,
        no_fits: d.no_fits.len() as u64,
    }
}

/// What `territory` must return, computed the obvious way from the written data.
fn expected_territory(d: &OrgData, rep: UserId) -> Territory {
    let d = sorted(d.clone());
    let accounts: BTreeSet<AccountId> = d
        .accounts
        .iter()
        .filter(|a| a.rep == rep)
        .map(|a| a.id)
        .collect();
    let contacts: BTreeSet<ContactId> = d
        .contacts
        .iter()
        .filter(|c| accounts.contains(&c.account))
        .map(|c| c.id)
        .collect();
    let mut touches: Vec<Touch> = d
        .touches
        .iter()
        .filter(|t| accounts.contains(&t.account))
        .cloned()
        .collect();
    touches.sort_by_key(|t| (t.at, t.id));
    Territory {
        accounts: d
            .accounts
            .iter()
            .filter(|a| accounts.contains(&a.id))
            .cloned()
            .collect(),
        contacts: d
            .contacts
            .iter()
            .filter(|c| contacts.contains(&c.id))
            .cloned()
            .collect(),
        topics: d.topics.clone(),
        touches,
        referrals: d
            .referrals
            .iter()
            .filter(|r| contacts.contains(&r.contact))
            .cloned()
            .collect(),
        lost: d
            .lost
            .iter()
            .filter(|l| accounts.contains(&l.account))
            .cloned()
            .collect(),
        no_fits: d
            .no_fits
            .iter()
            .filter(|n| accounts.contains(&n.account))
            .cloned()
            .collect(),
        step_updates: d
            .step_updates
            .iter()
            .filter(|u| accounts.contains(&u.account))
            .cloned()
            .collect(),
        calendar: {
            let mut c = d.calendar_of(rep);
            c.time_off.sort_by_key(|t| (t.from, t.id));
            c
        },
    }
}

/// Only the organisation header, as the benchmark writes it before each rep's part.
fn header_only(d: &OrgData) -> OrgData {
    OrgData::empty(d.organisation.clone())
}

// ---------------------------------------------------------------------------------------
// The checks.

async fn replace_round_trips(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    assert_eq!(s.export(ORG).await.unwrap(), sorted(data.clone()));
    assert_eq!(
        s.organisations().await.unwrap(),
        vec![data.organisation.clone()]
    );
    assert_eq!(s.row_counts(ORG).await.unwrap(), counts_of(&data));
    assert!(matches!(
        s.export(OrgId(99)).await,
        Err(StoreError::NotFound {
            what: "organisation",
            id: 99
        })
    ));
}

async fn merge_twice_is_idempotent(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Merge).await.unwrap();
    let first = s.export(ORG).await.unwrap();
    let counts = s.row_counts(ORG).await.unwrap();
    s.write_org(&data, WriteMode::Merge).await.unwrap();
    assert_eq!(s.export(ORG).await.unwrap(), first);
    assert_eq!(s.row_counts(ORG).await.unwrap(), counts);
    assert_eq!(first, sorted(data.clone()));
    assert_eq!(counts, counts_of(&data));

    // A merge updates what changed and keeps what it does not mention.
    let mut change = header_only(&data);
    let mut renamed = data.accounts[0].clone();
    renamed.name = "Renamed".into();
    change.accounts.push(renamed.clone());
    s.write_org(&change, WriteMode::Merge).await.unwrap();
    assert_eq!(s.account(ORG, renamed.id).await.unwrap(), Some(renamed));
    assert_eq!(s.row_counts(ORG).await.unwrap(), counts);
}

async fn merge_in_parts_equals_the_whole(db: &TestDb) {
    let s = &db.store;
    let whole = sample_org();
    // The benchmark's pattern: the header with users and topics, then each rep's part.
    let mut head = header_only(&whole);
    head.users = whole.users.clone();
    head.topics = whole.topics.clone();
    s.write_org(&head, WriteMode::Merge).await.unwrap();
    for rep in whole.users.iter().map(|u| u.id) {
        let t = expected_territory(&whole, rep);
        let part = OrgData {
            accounts: t.accounts,
            contacts: t.contacts,
            touches: t.touches,
            referrals: t.referrals,
            lost: t.lost,
            no_fits: t.no_fits,
            step_updates: t.step_updates,
            work_weeks: t.calendar.week.into_iter().collect(),
            time_off: t.calendar.time_off,
            ..header_only(&whole)
        };
        s.write_org(&part, WriteMode::Merge).await.unwrap();
    }
    assert_eq!(s.export(ORG).await.unwrap(), sorted(whole));
}

async fn replace_drops_what_is_not_rewritten(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let mut smaller = header_only(&sample_org());
    smaller.organisation.name = "Acme Health (renamed)".into();
    smaller.users = vec![user(1, "Ann", Role::Rep)];
    smaller.topics = vec![topic(3, "Staff training")];
    s.write_org(&smaller, WriteMode::Replace).await.unwrap();
    assert_eq!(s.export(ORG).await.unwrap(), smaller);
    assert_eq!(
        s.organisations().await.unwrap(),
        vec![smaller.organisation.clone()]
    );
}

async fn failed_write_changes_nothing(db: &TestDb) {
    let s = &db.store;
    let good = sample_org();
    s.write_org(&good, WriteMode::Replace).await.unwrap();

    // Enough rows that several statements succeed before the bad one fails.
    let mut bad = bulk_org(ORG, 2, 3_000);
    bad.touches
        .push(touch(1_000_000, "2024-03-05T00:00:00Z", 1, 999_999, 1));
    for mode in [WriteMode::Replace, WriteMode::Merge] {
        let err = s.write_org(&bad, mode).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Database { .. }),
            "{mode:?}: {err:?}"
        );
        assert_eq!(
            s.export(ORG).await.unwrap(),
            sorted(good.clone()),
            "{mode:?}"
        );
    }

    // A failed first write of an organisation leaves not even its header.
    let mut fresh = bad.clone();
    fresh.organisation.id = OrgId(2);
    assert!(s.write_org(&fresh, WriteMode::Replace).await.is_err());
    assert_eq!(
        s.organisations().await.unwrap(),
        vec![good.organisation.clone()]
    );
}

/// An import read while it is written: its chunks in one transaction, the same rows as
/// one write, and a rollback part-way (the file turned out bad) leaves nothing.
async fn chunked_writes_equal_one_write_and_roll_back_whole(db: &TestDb) {
    let s = &db.store;
    let whole = bulk_org(ORG, 2, 3_000);
    // Parents in earlier chunks than their children, as an export file holds them.
    let mut parents = header_only(&whole);
    parents.users = whole.users.clone();
    parents.topics = whole.topics.clone();
    parents.accounts = whole.accounts.clone();
    let mut people = header_only(&whole);
    people.contacts = whole.contacts.clone();
    let mut chunks = vec![parents, people];
    for part in whole.touches.chunks(1_000) {
        let mut c = header_only(&whole);
        c.touches = part.to_vec();
        chunks.push(c);
    }
    let mut rest = header_only(&whole);
    rest.referrals = whole.referrals.clone();
    rest.lost = whole.lost.clone();
    rest.no_fits = whole.no_fits.clone();
    rest.step_updates = whole.step_updates.clone();
    chunks.push(rest);
    let written = s
        .write_org_chunks(WriteMode::Merge, &mut chunks.clone().into_iter().map(Ok))
        .await
        .unwrap();
    assert!(written);
    assert_eq!(s.export(ORG).await.unwrap(), sorted(whole.clone()));
    let counts = s.row_counts(ORG).await.unwrap();
    // Again: nothing changes.
    assert!(
        s.write_org_chunks(WriteMode::Merge, &mut chunks.clone().into_iter().map(Ok))
            .await
            .unwrap()
    );
    assert_eq!(s.row_counts(ORG).await.unwrap(), counts);

    // Another organisation, rolled back after most of its chunks were written.
    let other = OrgId(2);
    let mut moved: Vec<Result<OrgData, Rollback>> = chunks
        .iter()
        .cloned()
        .map(|mut c| {
            c.organisation.id = other;
            Ok(c)
        })
        .collect();
    moved.pop();
    moved.push(Err(Rollback));
    let written = s
        .write_org_chunks(WriteMode::Replace, &mut moved.into_iter())
        .await
        .unwrap();
    assert!(!written);
    let orgs: Vec<OrgId> = s
        .organisations()
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(orgs, vec![ORG], "the rolled-back organisation left rows");
    assert_eq!(s.row_counts(ORG).await.unwrap(), counts);

    // Chunks that name two organisations are refused, and roll back.
    let mut mixed = chunks.clone();
    mixed[1].organisation.id = other;
    let err = s
        .write_org_chunks(WriteMode::Merge, &mut mixed.into_iter().map(Ok))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MixedChunks { .. }), "{err:?}");
}

/// PostgreSQL cannot take a NUL in a text parameter; a sign-in name holding one (or any
/// control character) simply matches nobody, on both backends, instead of failing.
async fn a_control_character_in_a_sign_in_name_finds_nobody(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    for login in ["ann\0@example.org", "ann@example.org\u{7}", "\r\n"] {
        assert_eq!(
            s.credentials_by_login(login).await.unwrap(),
            None,
            "{login:?}"
        );
    }
}

async fn duplicate_keys_are_refused(db: &TestDb) {
    let s = &db.store;
    let mut data = sample_org();
    data.touches.push(data.touches[3].clone());
    for mode in [WriteMode::Replace, WriteMode::Merge] {
        let err = s.write_org(&data, mode).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Duplicate { what: "touch", id } if id == "1003"),
            "{err:?}"
        );
    }
    let mut data = sample_org();
    data.referrals.push(referral(100, date(2024, 3, 1), 9));
    let err = s.write_org(&data, WriteMode::Merge).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                what: "referral count",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(s.organisations().await.unwrap().is_empty());
}

async fn territory_holds_only_the_reps_rows(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    // Another organisation with the same ids must not leak in.
    let mut other = bulk_org(OrgId(2), 4, 500);
    other.organisation.name = "Other".into();
    s.write_org(&other, WriteMode::Replace).await.unwrap();

    for rep in 1..=4 {
        let rep = UserId(rep);
        let got = s.territory(ORG, rep).await.unwrap();
        assert_eq!(got, expected_territory(&data, rep), "rep {rep}");
    }
    let ann = s.territory(ORG, UserId(1)).await.unwrap();
    assert_eq!(
        ann.accounts.iter().map(|a| a.id.0).collect::<Vec<_>>(),
        [10, 11]
    );
    // Touch 1002 was logged by rep 2 but is on Ann's account, so it is hers.
    assert_eq!(
        ann.touches.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        [1002, 1005, 1001, 1004]
    );
    let ray = s.territory(ORG, UserId(4)).await.unwrap();
    assert!(ray.accounts.is_empty() && ray.touches.is_empty());
    assert_eq!(ray.topics.len(), 3);
}

async fn all_territories_partitions_by_rep(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    s.write_org(&bulk_org(OrgId(2), 3, 400), WriteMode::Replace)
        .await
        .unwrap();
    let all = s.all_territories(ORG).await.unwrap();
    // Reps 1, 2 and 4, and the manager 3 only because an account is assigned to them.
    let expected: Vec<(UserId, Territory)> = [1, 2, 3, 4]
        .map(|u| (UserId(u), expected_territory(&data, UserId(u))))
        .into();
    assert_eq!(all, expected);
    for (rep, territory) in &all {
        assert_eq!(territory, &s.territory(ORG, *rep).await.unwrap());
    }
}

async fn record_lost_and_no_fit_set_status(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let lost = LostAccount {
        account: AccountId(10),
        lost_on: date(2024, 4, 1),
        reason: LossReason::CompetitorWonContract,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    };
    s.record_lost(ORG, &lost).await.unwrap();
    assert_eq!(
        s.account(ORG, AccountId(10)).await.unwrap().unwrap().status,
        AccountStatus::Lost
    );
    assert!(s.export(ORG).await.unwrap().lost.contains(&lost));
    assert_eq!(
        s.accounts(ORG, Some(UserId(1))).await.unwrap()[0].status,
        AccountStatus::Lost
    );

    let no_fit = NoFit {
        account: AccountId(11),
        decided_on: date(2024, 4, 2),
        reason: "closed".into(),
    };
    s.record_no_fit(ORG, &no_fit).await.unwrap();
    assert_eq!(
        s.account(ORG, AccountId(11)).await.unwrap().unwrap().status,
        AccountStatus::NoFit
    );
    assert!(
        s.territory(ORG, UserId(1))
            .await
            .unwrap()
            .no_fits
            .contains(&no_fit)
    );

    let before = s.export(ORG).await.unwrap();
    let missing = NoFit {
        account: AccountId(77),
        ..no_fit
    };
    let err = s.record_no_fit(ORG, &missing).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "account",
                id: 77
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.export(ORG).await.unwrap(), before);
}

async fn add_referral_replaces_the_count(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let day = date(2024, 5, 1);
    s.add_referral(ORG, &referral(101, day, 3)).await.unwrap();
    s.add_referral(ORG, &referral(101, day, 5)).await.unwrap();
    s.add_referral(ORG, &referral(101, date(2024, 5, 2), 1))
        .await
        .unwrap();
    let of_101: Vec<ReferralCount> = s
        .export(ORG)
        .await
        .unwrap()
        .referrals
        .into_iter()
        .filter(|r| r.contact == ContactId(101))
        .collect();
    assert_eq!(
        of_101,
        vec![referral(101, day, 5), referral(101, date(2024, 5, 2), 1)]
    );
    let err = s
        .add_referral(ORG, &referral(555, day, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "contact",
                id: 555
            }
        ),
        "{err:?}"
    );
}

async fn timestamps_round_trip_exactly(db: &TestDb) {
    let s = &db.store;
    let mut data = sample_org();
    let extremes = [
        (2001, Timestamp::MIN),
        (2002, Timestamp::MAX),
        (2003, "1969-12-31T23:59:59.999999999Z".parse().unwrap()),
        (2004, "1969-12-31T23:59:58.5Z".parse().unwrap()),
        (2005, "1970-01-01T00:00:00.000000001Z".parse().unwrap()),
        (2006, "1969-12-31T23:59:59Z".parse().unwrap()),
    ];
    for (id, at) in extremes {
        let mut t = touch(id, "2024-01-01T00:00:00Z", 1, 101, 10);
        t.at = at;
        t.callback_at = Some(at);
        data.touches.push(t);
    }
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    let exported = s.export(ORG).await.unwrap();
    assert_eq!(exported, sorted(data.clone()));

    // Ordered by the exact instant, sub-second and pre-1970 included.
    let got: Vec<i64> = s
        .touches_for_contact(ORG, ContactId(101))
        .await
        .unwrap()
        .iter()
        .map(|t| t.id.0)
        .collect();
    assert_eq!(got, [2001, 2004, 2006, 2003, 2005, 1001, 2002]);
    let territory = s.territory(ORG, UserId(1)).await.unwrap();
    assert!(territory.touches.is_sorted_by_key(|t| (t.at, t.id)));

    // export → file → import → export is byte-identical.
    let text = exported.to_jsonl();
    let parsed = OrgData::from_jsonl(&text).unwrap();
    s.write_org(&parsed, WriteMode::Replace).await.unwrap();
    assert_eq!(s.export(ORG).await.unwrap().to_jsonl(), text);
}

async fn single_records_are_saved_and_checked(db: &TestDb) {
    let s = &db.store;
    let err = s
        .save_user(ORG, &user(1, "Ann", Role::Rep))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "organisation",
                id: 1
            }
        ),
        "{err:?}"
    );
    s.write_org(&header_only(&sample_org()), WriteMode::Replace)
        .await
        .unwrap();

    s.save_user(ORG, &user(1, "Ann", Role::Rep)).await.unwrap();
    s.save_user(ORG, &user(1, "Annie", Role::Manager))
        .await
        .unwrap();
    assert_eq!(
        s.users(ORG).await.unwrap(),
        vec![user(1, "Annie", Role::Manager)]
    );

    let err = s
        .save_account(ORG, &account(10, 9, "Nobody's"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "user",
                id: 9
            }
        ),
        "{err:?}"
    );
    s.save_account(ORG, &account(10, 1, "Main")).await.unwrap();
    s.save_account(ORG, &account(11, 1, "North")).await.unwrap();
    s.save_account(ORG, &account(11, 1, "North Clinic"))
        .await
        .unwrap();
    assert_eq!(
        s.account(ORG, AccountId(11)).await.unwrap(),
        Some(account(11, 1, "North Clinic"))
    );
    assert_eq!(s.account(ORG, AccountId(12)).await.unwrap(), None);
    assert_eq!(s.accounts(ORG, None).await.unwrap().len(), 2);
    assert_eq!(s.accounts(ORG, Some(UserId(1))).await.unwrap().len(), 2);
    assert!(s.accounts(ORG, Some(UserId(2))).await.unwrap().is_empty());

    let err = s
        .save_contact(ORG, &contact(100, 99, "Orphan"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "account",
                id: 99
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.contact(ORG, ContactId(100)).await.unwrap(), None);
    s.save_contact(ORG, &contact(101, 11, "Dana"))
        .await
        .unwrap();
    s.save_contact(ORG, &contact(100, 10, "Eli")).await.unwrap();
    assert_eq!(
        s.contact(ORG, ContactId(100)).await.unwrap(),
        Some(contact(100, 10, "Eli"))
    );
    assert_eq!(
        s.contacts(ORG, None).await.unwrap(),
        vec![contact(100, 10, "Eli"), contact(101, 11, "Dana")]
    );
    assert_eq!(
        s.contacts(ORG, Some(AccountId(11))).await.unwrap(),
        vec![contact(101, 11, "Dana")]
    );

    s.save_topic(ORG, &topic(5, "Five")).await.unwrap();
    s.save_topic(ORG, &topic(4, "Four")).await.unwrap();
    assert_eq!(
        s.topic(ORG, TopicId(5)).await.unwrap(),
        Some(topic(5, "Five"))
    );
    assert_eq!(s.topic(ORG, TopicId(6)).await.unwrap(), None);
    assert_eq!(
        s.topics(ORG).await.unwrap(),
        vec![topic(4, "Four"), topic(5, "Five")]
    );
    let err = s
        .save_topic(OrgId(2), &topic(1, "Elsewhere"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "organisation",
                id: 2
            }
        ),
        "{err:?}"
    );
}

async fn add_touch_checks_its_contact(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let err = s
        .add_touch(ORG, &touch(3000, "2024-06-01T10:00:00Z", 1, 999, 10))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "contact",
                id: 999
            }
        ),
        "{err:?}"
    );
    let err = s
        .add_touch(ORG, &touch(3000, "2024-06-01T10:00:00Z", 1, 100, 11))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::AccountMismatch {
                contact: 100,
                belongs_to: 10,
                claimed: 11
            }
        ),
        "{err:?}"
    );
    let err = s
        .add_touch(ORG, &touch(3000, "2024-06-01T10:00:00Z", 42, 100, 10))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "user",
                id: 42
            }
        ),
        "{err:?}"
    );

    let new = touch(3000, "2024-06-01T10:00:00Z", 1, 100, 10);
    s.add_touch(ORG, &new).await.unwrap();
    let of_100 = s.touches_for_contact(ORG, ContactId(100)).await.unwrap();
    assert_eq!(
        of_100.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        [1002, 1004, 3000]
    );
    assert_eq!(of_100.last(), Some(&new));
    let err = s.add_touch(ORG, &new).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Duplicate { what: "touch", id } if id == "3000"),
        "{err:?}"
    );
}

async fn add_new_touch_takes_the_next_id_in_its_write(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    // The same refusals as `add_touch`, and a refused touch takes no id.
    let err = s
        .add_new_touch(ORG, &touch(0, "2024-06-01T10:00:00Z", 1, 100, 11))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AccountMismatch { contact: 100, .. }),
        "{err:?}"
    );
    let err = s
        .add_new_touch(ORG, &touch(0, "2024-06-01T10:00:00Z", 42, 100, 10))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "user",
                id: 42
            }
        ),
        "{err:?}"
    );
    let draft = touch(0, "2024-06-01T10:00:00Z", 1, 100, 10);
    let first = s.add_new_touch(ORG, &draft).await.unwrap();
    assert_eq!(first, TouchId(1007), "above the largest touch id");
    assert_eq!(
        s.touch(ORG, first).await.unwrap(),
        Some(Touch {
            id: first,
            ..draft.clone()
        })
    );
    // Shares the counter with `next_id`: neither hands out the other's ids.
    assert_eq!(s.next_id(ORG, IdKind::Touch).await.unwrap(), 1008);
    assert_eq!(s.add_new_touch(ORG, &draft).await.unwrap(), TouchId(1009));
    // Concurrent writers each get their own id and every touch is stored.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (s, draft) = (s.clone(), draft.clone());
        tasks.spawn(async move { s.add_new_touch(ORG, &draft).await.unwrap() });
    }
    let mut ids = BTreeSet::new();
    while let Some(id) = tasks.join_next().await {
        assert!(ids.insert(id.unwrap()));
    }
    assert_eq!(ids, (1010..1018).map(TouchId).collect());
    assert_eq!(
        s.touches_for_contact(ORG, ContactId(100))
            .await
            .unwrap()
            .len(),
        2 + 2 + 8
    );
}

async fn next_id_follows_the_largest(db: &TestDb) {
    let s = &db.store;
    let kinds = [
        IdKind::User,
        IdKind::Account,
        IdKind::Contact,
        IdKind::Topic,
        IdKind::Touch,
    ];
    for kind in kinds {
        assert_eq!(s.next_id(ORG, kind).await.unwrap(), 1, "{kind:?}");
    }
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let mut got = vec![];
    for kind in kinds {
        got.push(s.next_id(ORG, kind).await.unwrap());
    }
    assert_eq!(got, [5, 14, 105, 4, 1007]);
    assert_eq!(s.next_id(OrgId(2), IdKind::Touch).await.unwrap(), 1);
}

async fn organisations_are_isolated(db: &TestDb) {
    let s = &db.store;
    let one = sample_org();
    let mut two = sample_org();
    two.organisation = Organisation {
        id: OrgId(2),
        name: "Beta Care".into(),
        demo: true,
    };
    two.accounts[0].name = "Beta's own".into();
    s.write_org(&one, WriteMode::Replace).await.unwrap();
    s.write_org(&two, WriteMode::Replace).await.unwrap();
    assert_eq!(
        s.organisations().await.unwrap(),
        vec![one.organisation.clone(), two.organisation.clone()]
    );
    s.write_org(&header_only(&one), WriteMode::Replace)
        .await
        .unwrap();
    assert_eq!(s.export(OrgId(2)).await.unwrap(), sorted(two.clone()));
    assert_eq!(s.row_counts(ORG).await.unwrap(), RowCounts::default());
    s.record_lost(OrgId(2), &sample_org().lost[0])
        .await
        .unwrap();
    assert!(matches!(
        s.record_lost(ORG, &sample_org().lost[0]).await,
        Err(StoreError::NotFound {
            what: "account",
            id: 12
        })
    ));
}

async fn p47_own_templates_are_kept_per_organisation_and_replaced_by_kind(db: &TestDb) {
    use rounds_core::outreach::{TemplateKind, builtin_of};
    let s = &db.store;
    let one = sample_org();
    let mut two = sample_org();
    two.organisation = Organisation {
        id: OrgId(2),
        name: "Beta Care".into(),
        demo: true,
    };
    s.write_org(&one, WriteMode::Replace).await.unwrap();
    s.write_org(&two, WriteMode::Replace).await.unwrap();
    let user = one.users[0].id;
    let mut breakup = builtin_of(TemplateKind::Breakup).clone();
    breakup.body = "Hi {{ contact.first_name }},\n\nShall I check back in spring?".into();
    s.save_template(ORG, &breakup, 1_700_000_000, Some(user))
        .await
        .unwrap();
    let nurture = builtin_of(TemplateKind::Nurture).clone();
    s.save_template(ORG, &nurture, 1_700_000_050, None)
        .await
        .unwrap();
    breakup.short = "Spring?".into();
    s.save_template(ORG, &breakup, 1_700_000_100, Some(user))
        .await
        .unwrap();
    let held = s.templates(ORG).await.unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(held[0].template, breakup);
    assert_eq!(
        (held[0].updated_at, held[0].updated_by),
        (1_700_000_100, Some(user))
    );
    assert_eq!(held[1].template.kind, TemplateKind::Nurture);
    assert_eq!(held[1].updated_by, None);
    assert!(s.templates(OrgId(2)).await.unwrap().is_empty());
    // Another organisation's user cannot sign a change, and a missing kind deletes nothing.
    assert!(matches!(
        s.save_template(OrgId(2), &breakup, 1, Some(UserId(999)))
            .await,
        Err(StoreError::NotFound { what: "user", .. })
    ));
    assert!(s.delete_template(ORG, TemplateKind::Breakup).await.unwrap());
    assert!(!s.delete_template(ORG, TemplateKind::Breakup).await.unwrap());
    assert!(
        !s.delete_template(OrgId(2), TemplateKind::Nurture)
            .await
            .unwrap()
    );
    assert_eq!(s.templates(ORG).await.unwrap().len(), 1);
}

async fn many_rows_span_batches(db: &TestDb) {
    let s = &db.store;
    let data = bulk_org(ORG, 5, 5_000);
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    assert_eq!(s.export(ORG).await.unwrap(), data);
    s.write_org(&data, WriteMode::Merge).await.unwrap();
    assert_eq!(s.row_counts(ORG).await.unwrap(), counts_of(&data));
    let all = s.all_territories(ORG).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(
        all.iter().map(|(_, t)| t.touches.len()).sum::<usize>(),
        5_000
    );
    for (rep, territory) in &all {
        assert_eq!(territory, &expected_territory(&data, *rep), "rep {rep}");
    }
}

async fn corrupt_rows_are_reported(db: &TestDb) {
    use sqlx::Connection;
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE touches SET body = '{\"id\": 1003' WHERE org_id = 1 AND id = 1003")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let is_1003 = |e: StoreError| {
        matches!(
            e,
            StoreError::Corrupt {
                table: "touches",
                id: 1003,
                ..
            }
        )
    };
    assert!(is_1003(s.export(ORG).await.unwrap_err()));
    assert!(is_1003(s.territory(ORG, UserId(2)).await.unwrap_err()));
    assert!(is_1003(s.all_territories(ORG).await.unwrap_err()));
    assert!(is_1003(
        s.touches_for_contact(ORG, ContactId(103))
            .await
            .unwrap_err()
    ));
    // Other reps' territories do not read the bad row.
    assert!(s.territory(ORG, UserId(1)).await.is_ok());
}

/// Territory reads pack bodies without their keys, so a bad body is traced back to its
/// row; that must hold for every packed table, whatever its key column.
async fn corrupt_packed_rows_name_their_row(db: &TestDb) {
    use sqlx::Connection;
    let s = &db.store;
    let cases = [
        (
            "UPDATE referral_counts SET body = '100\tnot a day\t2' \
             WHERE org_id = 1 AND contact_id = 100 AND day = '2024-03-01'",
            "referral_counts",
            100,
        ),
        (
            "UPDATE contacts SET body = '{\"id\": 102' WHERE org_id = 1 AND id = 102",
            "contacts",
            102,
        ),
        (
            "UPDATE accounts SET body = '{}' WHERE org_id = 1 AND id = 11",
            "accounts",
            11,
        ),
    ];
    for (update, table, id) in cases {
        s.write_org(&sample_org(), WriteMode::Replace)
            .await
            .unwrap();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(update))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let is_it = |e: StoreError| matches!(e, StoreError::Corrupt { table: t, id: i, .. } if t == table && i == id);
        assert!(
            is_it(s.territory(ORG, UserId(1)).await.unwrap_err()),
            "{table}"
        );
        assert!(is_it(s.all_territories(ORG).await.unwrap_err()), "{table}");
        assert!(is_it(s.export(ORG).await.unwrap_err()), "{table}");
        assert!(s.territory(ORG, UserId(2)).await.is_ok(), "{table}");
    }
}

/// A database written before bodies carried a format version: every body is rewritten
/// to its unversioned form (the bare JSON record; the text fields without `v1`), and
/// every read still returns the records. A merge then stores them at the current
/// version, and a body of a version this build does not know is reported as corrupt.
async fn bodies_written_before_versions_still_read(db: &TestDb) {
    use sqlx::Connection;
    let s = &db.store;
    let data = rounds_demo::tiny();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let json_tables = [
        "organisations",
        "users",
        "accounts",
        "contacts",
        "topics",
        "lost_accounts",
        "no_fits",
        "step_updates",
    ];
    let text_tables = ["touches", "referral_counts"];
    // `{"v":1,"record":` is 16 characters, then the record, then `}`.
    for table in json_tables {
        let sql = format!(
            "UPDATE {table} SET body = substr(body, 17, length(body) - 17) \
             WHERE body LIKE '{{\"v\":1,\"record\":%'"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
        assert!(done.rows_affected() > 0, "{table}");
    }
    for table in text_tables {
        let sql = format!("UPDATE {table} SET body = substr(body, 4) WHERE body LIKE 'v1%'");
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
        assert!(done.rows_affected() > 0, "{table}");
    }
    let versioned = |table: &str| {
        format!("SELECT COUNT(*) FROM {table} WHERE body LIKE 'v1%' OR body LIKE '{{\"v\":%'")
    };
    for table in json_tables.iter().chain(&text_tables) {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(versioned(table)))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} still has versioned bodies");
    }

    assert_eq!(s.export(ORG).await.unwrap(), sorted(data.clone()));
    assert_eq!(
        s.territory(ORG, UserId(1)).await.unwrap(),
        expected_territory(&data, UserId(1))
    );
    assert_eq!(
        s.touches_for_contact(ORG, ContactId(1)).await.unwrap(),
        expected_territory(&data, UserId(1))
            .touches
            .into_iter()
            .filter(|t| t.contact == ContactId(1))
            .collect::<Vec<_>>()
    );

    // A merge of the same records rewrites the old rows at the current version.
    s.write_org(&data, WriteMode::Merge).await.unwrap();
    for table in json_tables.iter().chain(&text_tables) {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE NOT (body LIKE 'v1%' OR body LIKE '{{\"v\":1,%')"
        );
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} has unversioned bodies after a merge");
    }
    assert_eq!(s.export(ORG).await.unwrap(), sorted(data.clone()));

    // A newer build's body is refused, and the error says which version it was.
    sqlx::query("UPDATE touches SET body = 'v2' || substr(body, 3) WHERE org_id = 1 AND id = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    for e in [
        s.export(ORG).await.unwrap_err(),
        s.territory(ORG, UserId(1)).await.unwrap_err(),
    ] {
        let StoreError::Corrupt {
            table: "touches",
            id: 2,
            source,
        } = &e
        else {
            panic!("not the corrupt touch 2: {e:?}");
        };
        assert!(
            source
                .to_string()
                .starts_with("format version `2` is not known"),
            "{source}"
        );
    }
}

async fn reconnecting_keeps_data(db: &TestDb) {
    db.store
        .write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    // Connecting again runs the migrator again, which must find nothing to do.
    let again = SqlStore::connect(&db.url).await.unwrap();
    assert_eq!(again.export(ORG).await.unwrap(), sorted(sample_org()));
    again.close().await;
}

/// SQLite only: the file is created on first connect and left in WAL mode.
#[tokio::test]
async fn sqlite_file_is_created_in_wal_mode() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let store = SqlStore::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_eq!(store.backend(), rounds_store::Backend::Sqlite);
    assert!(path.exists());
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    store.close().await;
}

/// Timing of bulk writes and reads (on a fresh SQLite file unless `ROUNDS_BULK_URL` is
/// set; `ROUNDS_BULK_TOUCHES` sets the size, default 1,000,000); run with
/// `cargo test -p rounds-store --test conformance -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "takes a while; a measurement, not a check"]
async fn bulk_timing() {
    let touches: i64 = std::env::var("ROUNDS_BULK_TOUCHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let db = TestDb::sqlite().await;
    // ROUNDS_BULK_URL=URL writes there instead (any backend; the database is kept).
    let kept = match std::env::var("ROUNDS_BULK_URL") {
        Ok(url) => Some(SqlStore::connect(&url).await.unwrap()),
        Err(_) => None,
    };
    let s = kept.as_ref().unwrap_or(&db.store);
    let data = bulk_org(ORG, 20, touches);
    let body_bytes: usize = data
        .touches
        .iter()
        .map(|t| serde_json::to_string(t).unwrap().len())
        .sum();
    eprintln!(
        "{touches} touches, {} bytes of touch JSON on average",
        body_bytes / data.touches.len().max(1)
    );
    let time = std::time::Instant::now();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    eprintln!("write_org Replace: {:?}", time.elapsed());
    let time = std::time::Instant::now();
    s.write_org(&data, WriteMode::Merge).await.unwrap();
    eprintln!("write_org Merge of the same data: {:?}", time.elapsed());
    let time = std::time::Instant::now();
    let t = s.territory(ORG, UserId(1)).await.unwrap();
    eprintln!(
        "territory of one rep ({} touches): {:?}",
        t.touches.len(),
        time.elapsed()
    );
    let time = std::time::Instant::now();
    let all = s.all_territories(ORG).await.unwrap();
    eprintln!("all_territories ({} reps): {:?}", all.len(), time.elapsed());
    let time = std::time::Instant::now();
    let exported = s.export(ORG).await.unwrap();
    eprintln!("export: {:?}", time.elapsed());
    assert_eq!(exported.touches.len() as i64, touches);
    let time = std::time::Instant::now();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    eprintln!("write_org Replace over itself: {:?}", time.elapsed());
}

async fn next_id_is_unique_under_concurrent_callers(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let store = s.clone();
        tasks.spawn(async move { store.next_id(ORG, IdKind::Touch).await.unwrap() });
    }
    let mut ids = BTreeSet::new();
    while let Some(id) = tasks.join_next().await {
        assert!(ids.insert(id.unwrap()), "an id was handed out twice");
    }
    assert_eq!(ids.first(), Some(&1007));
    assert_eq!(ids.len(), 24);
    // An import above the counter moves it up.
    let mut more = header_only(&sample_org());
    more.touches = vec![touch(5000, "2024-03-09T10:00:00Z", 1, 100, 10)];
    s.write_org(&more, WriteMode::Merge).await.unwrap();
    assert_eq!(s.next_id(ORG, IdKind::Touch).await.unwrap(), 5001);
}

async fn passwords_sign_ins_and_disabling(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    assert_eq!(
        s.credentials_by_login("ann@acme.example").await.unwrap(),
        None
    );
    s.set_password(ORG, UserId(1), "Ann@Acme.example", "$argon2id$first")
        .await
        .unwrap();
    let want = Credentials {
        org: ORG,
        user: UserId(1),
        login: "ann@acme.example".into(),
        password_hash: "$argon2id$first".into(),
        disabled: false,
    };
    assert_eq!(
        s.credentials_by_login("ANN@acme.example").await.unwrap(),
        Some(want.clone())
    );
    // Another user may not take the same login; the user may change their own password.
    let err = s
        .set_password(ORG, UserId(2), "ann@acme.example", "$argon2id$x")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                what: "sign-in",
                ..
            }
        ),
        "{err:?}"
    );
    let err = s
        .set_password(ORG, UserId(99), "nobody@acme.example", "$argon2id$x")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "user",
                id: 99
            }
        ),
        "{err:?}"
    );
    s.set_password(ORG, UserId(1), "ann@acme.example", "$argon2id$second")
        .await
        .unwrap();
    s.set_disabled(ORG, UserId(1), true).await.unwrap();
    let got = s.credentials(ORG).await.unwrap();
    assert_eq!(
        got,
        [Credentials {
            password_hash: "$argon2id$second".into(),
            disabled: true,
            ..want.clone()
        }]
    );
    // A new password does not re-enable a disabled user; enabling does.
    s.set_password(ORG, UserId(1), "ann@acme.example", "$argon2id$third")
        .await
        .unwrap();
    assert!(s.credentials(ORG).await.unwrap()[0].disabled);
    s.set_disabled(ORG, UserId(1), false).await.unwrap();
    assert!(!s.credentials(ORG).await.unwrap()[0].disabled);
    let err = s.set_disabled(ORG, UserId(2), true).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

fn session(user: i64, at: i64) -> Session {
    Session {
        org: ORG,
        user: UserId(user),
        csrf: format!("csrf-{user}-{at}"),
        created_at: at,
        seen_at: at,
    }
}

async fn sessions_expire_and_end(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    s.set_password(ORG, UserId(1), "ann@acme.example", "h")
        .await
        .unwrap();
    s.set_password(ORG, UserId(2), "bob@acme.example", "h")
        .await
        .unwrap();
    s.create_session("a1", &session(1, 1_000)).await.unwrap();
    s.create_session("a2", &session(1, 5_000)).await.unwrap();
    s.create_session("b1", &session(2, 1_000)).await.unwrap();
    assert_eq!(s.session("a1").await.unwrap(), Some(session(1, 1_000)));
    assert_eq!(s.session("nope").await.unwrap(), None);
    s.touch_session("a1", 4_000).await.unwrap();
    assert_eq!(s.session("a1").await.unwrap().unwrap().seen_at, 4_000);
    // Idle since before 3,000, or started before 500: only b1 goes.
    assert_eq!(s.delete_stale_sessions(3_000, 500).await.unwrap(), 1);
    assert_eq!(s.session("b1").await.unwrap(), None);
    assert_eq!(s.delete_stale_sessions(0, 2_000).await.unwrap(), 1);
    assert_eq!(s.session("a1").await.unwrap(), None);
    s.delete_session("a2").await.unwrap();
    assert_eq!(s.session("a2").await.unwrap(), None);
    // A new password and disabling both end every session of the user.
    s.create_session("a3", &session(1, 6_000)).await.unwrap();
    s.set_password(ORG, UserId(1), "ann@acme.example", "h2")
        .await
        .unwrap();
    assert_eq!(s.session("a3").await.unwrap(), None);
    s.create_session("b2", &session(2, 6_000)).await.unwrap();
    s.set_disabled(ORG, UserId(2), true).await.unwrap();
    assert_eq!(s.session("b2").await.unwrap(), None);
}

async fn api_tokens_are_found_by_hash_only(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    s.create_api_token("hash-0", &api_token("hash-0", 1, 70))
        .await
        .unwrap();
    // No sign-in yet: the token does not work; setting the password revokes it.
    assert_eq!(s.api_token("hash-0").await.unwrap(), None);
    s.set_password(ORG, UserId(1), "ann@acme.example", "h")
        .await
        .unwrap();
    assert_eq!(s.api_tokens(ORG, None).await.unwrap(), []);
    let token = api_token("hash-1", 1, 77);
    s.create_api_token("hash-1", &token).await.unwrap();
    assert_eq!(s.api_token("hash-1").await.unwrap(), Some(token.clone()));
    assert_eq!(s.api_token("hash-2").await.unwrap(), None);
    let err = s
        .create_api_token(
            "hash-3",
            &ApiToken {
                id: "hash-3".into(),
                user: UserId(42),
                ..token.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "user",
                id: 42
            }
        ),
        "{err:?}"
    );
    s.set_disabled(ORG, UserId(1), true).await.unwrap();
    s.set_disabled(ORG, UserId(1), false).await.unwrap();
    assert_eq!(
        s.api_token("hash-1").await.unwrap(),
        None,
        "disabling deletes tokens"
    );
}

async fn an_api_token_comes_with_its_organisations_users(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let token = api_token("hash-1", 1, 77);
    s.set_password(ORG, UserId(1), "ann@acme.example", "h")
        .await
        .unwrap();
    s.create_api_token("hash-1", &token).await.unwrap();
    let everyone = s.users(ORG).await.unwrap();
    assert!(everyone.len() > 1);
    assert_eq!(
        s.api_token_with_users("hash-1").await.unwrap(),
        Some((token.clone(), everyone))
    );
    assert_eq!(s.api_token_with_users("hash-2").await.unwrap(), None);
    // Another organisation's users never come along.
    let mut two = sample_org();
    two.organisation.id = OrgId(2);
    s.write_org(&two, WriteMode::Replace).await.unwrap();
    let (_, users) = s.api_token_with_users("hash-1").await.unwrap().unwrap();
    assert_eq!(users, s.users(ORG).await.unwrap());
    // Answered like `api_token`: nothing once the user is disabled.
    s.set_disabled(ORG, UserId(1), true).await.unwrap();
    assert_eq!(s.api_token_with_users("hash-1").await.unwrap(), None);
}

/// A token of user `user` of [`ORG`] stored under `hash`, named by the hash's first 8
/// characters as the application names them.
fn api_token(hash: &str, user: i64, created_at: i64) -> ApiToken {
    ApiToken {
        id: hash.chars().take(8).collect(),
        org: ORG,
        user: UserId(user),
        name: format!("token {hash}"),
        created_at,
        expires_at: Some(created_at + 90 * 86_400),
        last_used_at: None,
    }
}

async fn api_tokens_are_listed_used_and_revoked(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    for (user, login) in [(1, "ann@acme.example"), (2, "bob@acme.example")] {
        s.set_password(ORG, UserId(user), login, "h").await.unwrap();
    }
    let ann_late = api_token("aaaa0002-late", 1, 500);
    let ann_early = ApiToken {
        expires_at: None,
        ..api_token("aaaa0001-early", 1, 100)
    };
    let bob = api_token("bbbb0001", 2, 300);
    for t in [&ann_late, &ann_early, &bob] {
        s.create_api_token(&format!("{}-hash", t.id), t)
            .await
            .unwrap();
    }
    // By creation time, expired ones included; one user's, or everyone's.
    assert_eq!(
        s.api_tokens(ORG, None).await.unwrap(),
        [ann_early.clone(), bob.clone(), ann_late.clone()]
    );
    assert_eq!(
        s.api_tokens(ORG, Some(UserId(1))).await.unwrap(),
        [ann_early.clone(), ann_late.clone()]
    );
    assert_eq!(s.api_tokens(OrgId(2), None).await.unwrap(), []);
    // An id is unique across organisations: a second token with it is refused.
    let err = s
        .create_api_token("other-hash", &api_token("bbbb0001", 1, 900))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { what: "API token", ref id } if id == "bbbb0001"),
        "{err:?}"
    );
    // Use is recorded under the hash.
    s.touch_api_token("bbbb0001-hash", 4_000).await.unwrap();
    let used = s.api_token("bbbb0001-hash").await.unwrap().unwrap();
    assert_eq!(used.last_used_at, Some(4_000));
    assert!(!used.expired(300 + 90 * 86_400 - 1));
    assert!(used.expired(300 + 90 * 86_400));
    assert!(!ann_early.expired(i64::MAX));
    // Revoking is by id within the organisation: another organisation's id is not found.
    assert!(!s.delete_api_token(OrgId(2), "bbbb0001").await.unwrap());
    assert!(s.delete_api_token(ORG, "bbbb0001").await.unwrap());
    assert!(!s.delete_api_token(ORG, "bbbb0001").await.unwrap());
    assert_eq!(s.api_token("bbbb0001-hash").await.unwrap(), None);
    assert_eq!(
        s.api_tokens(ORG, None).await.unwrap(),
        [ann_early, ann_late]
    );
}

async fn a_new_password_revokes_the_users_api_tokens(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    s.set_password(ORG, UserId(1), "ann@acme.example", "h")
        .await
        .unwrap();
    s.set_password(ORG, UserId(2), "bob@acme.example", "h")
        .await
        .unwrap();
    for (hash, user) in [("ann-1", 1), ("ann-2", 1), ("bob-1", 2)] {
        s.create_api_token(hash, &api_token(hash, user, 100))
            .await
            .unwrap();
    }
    let revoked = s
        .set_password(ORG, UserId(1), "ann@acme.example", "h2")
        .await
        .unwrap();
    assert_eq!(revoked, 2);
    assert_eq!(s.api_token("ann-1").await.unwrap(), None);
    assert_eq!(s.api_token("ann-2").await.unwrap(), None);
    assert!(s.api_token("bob-1").await.unwrap().is_some());
    assert_eq!(
        s.api_tokens(ORG, None).await.unwrap(),
        [api_token("bob-1", 2, 100)]
    );
}

async fn touches_are_found_and_deleted_by_id(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    let want = data.touches.iter().find(|t| t.id == TouchId(1002)).unwrap();
    assert_eq!(
        s.touch(ORG, TouchId(1002)).await.unwrap().as_ref(),
        Some(want)
    );
    assert_eq!(s.touch(OrgId(2), TouchId(1002)).await.unwrap(), None);
    let ids: Vec<i64> = s
        .touches_for_account(ORG, AccountId(10))
        .await
        .unwrap()
        .iter()
        .map(|t| t.id.0)
        .collect();
    assert_eq!(ids, [1002, 1001, 1004]);
    assert!(s.delete_touch(ORG, TouchId(1002)).await.unwrap());
    assert!(!s.delete_touch(ORG, TouchId(1002)).await.unwrap());
    assert!(!s.delete_touch(OrgId(2), TouchId(1001)).await.unwrap());
    assert_eq!(s.touch(ORG, TouchId(1002)).await.unwrap(), None);
    assert_eq!(s.row_counts(ORG).await.unwrap().touches, 5);
}

async fn reassigning_moves_a_whole_territory(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    let before = s.territory(ORG, UserId(1)).await.unwrap();
    assert_eq!(
        s.reassign_accounts(ORG, UserId(1), UserId(4))
            .await
            .unwrap(),
        2
    );
    assert!(
        s.territory(ORG, UserId(1))
            .await
            .unwrap()
            .accounts
            .is_empty()
    );
    let after = s.territory(ORG, UserId(4)).await.unwrap();
    assert_eq!(after.touches, before.touches);
    assert!(after.accounts.iter().all(|a| a.rep == UserId(4)));
    assert_eq!(after.accounts.len(), 2);
    let err = s
        .reassign_accounts(ORG, UserId(4), UserId(77))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "user",
                id: 77
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.accounts(ORG, Some(UserId(4))).await.unwrap().len(), 2);
}

async fn replacing_an_organisation_ends_its_sign_ins(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    s.set_password(ORG, UserId(1), "ann@acme.example", "h")
        .await
        .unwrap();
    s.create_session("a1", &session(1, 1)).await.unwrap();
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    assert_eq!(s.session("a1").await.unwrap(), None);
    assert_eq!(
        s.credentials_by_login("ann@acme.example").await.unwrap(),
        None
    );
}

async fn calendars_are_stored_read_and_deleted(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    // Rep 1's week and time off (by start day) come with the territory and alone.
    let cal = s.calendar(ORG, UserId(1)).await.unwrap();
    let week = cal.week.clone().expect("rep 1 has a week");
    assert_eq!(week.days.len(), 4);
    assert_eq!(
        cal.time_off.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(s.territory(ORG, UserId(1)).await.unwrap().calendar, cal);
    let all = s.all_territories(ORG).await.unwrap();
    let of = |rep: i64| &all.iter().find(|(r, _)| r.0 == rep).unwrap().1.calendar;
    assert_eq!(of(1), &cal);
    assert_eq!(of(2).time_off.len(), 1);
    assert!(of(2).week.is_none());
    assert_eq!(of(4), &RepCalendar::default());
    // Setting the week again replaces it; time off gets ids from the counter.
    let fri = WorkWeek {
        days: vec![jiff::civil::Weekday::Friday],
        hours: None,
        ..week
    };
    s.save_work_week(ORG, &fri).await.unwrap();
    assert_eq!(s.calendar(ORG, UserId(1)).await.unwrap().week, Some(fri));
    let id = s.next_id(ORG, IdKind::TimeOff).await.unwrap();
    assert_eq!(id, 4);
    let t = time_off(id, 4, date(2024, 1, 2), date(2024, 1, 3));
    s.save_time_off(ORG, &t).await.unwrap();
    assert_eq!(
        s.time_off(ORG, Some(UserId(4))).await.unwrap(),
        std::slice::from_ref(&t)
    );
    assert_eq!(s.time_off(ORG, None).await.unwrap().len(), 4);
    // A rep who does not exist is refused, and nothing is written.
    let ghost = time_off(9, 99, date(2024, 1, 2), date(2024, 1, 3));
    assert!(s.save_time_off(ORG, &ghost).await.is_err());
    assert!(s.delete_time_off(ORG, t.id).await.unwrap());
    assert!(!s.delete_time_off(ORG, t.id).await.unwrap());
    assert_eq!(s.time_off(ORG, None).await.unwrap().len(), 3);
    // The export carries both, and a merge of it changes nothing.
    let exported = s.export(ORG).await.unwrap();
    assert_eq!(exported.work_weeks.len(), 1);
    assert_eq!(exported.time_off.len(), 3);
    s.write_org(&exported, WriteMode::Merge).await.unwrap();
    assert_eq!(s.export(ORG).await.unwrap(), exported);
}

async fn a_replaced_loss_keeps_its_history(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let first = s.lost(ORG, AccountId(12)).await.unwrap().expect("a loss");
    let second = LostAccount {
        account: AccountId(12),
        lost_on: date(2024, 9, 1),
        reason: LossReason::CustomerService,
        competitor: None,
        stakeholders: vec![],
        note: "late deliveries".into(),
        earlier: vec![],
    };
    let replaced = first.clone().replaced_by(second);
    s.record_lost(ORG, &replaced).await.unwrap();
    let stored = s.lost(ORG, AccountId(12)).await.unwrap().unwrap();
    assert_eq!(stored, replaced);
    assert_eq!(stored.earlier.len(), 1);
    assert_eq!(stored.earlier[0].lost_on, first.lost_on);
    assert_eq!(stored.earlier[0].reason, first.reason);
    assert!(s.lost(ORG, AccountId(10)).await.unwrap().is_none());
}

/// A step's updates are appended one at a time, numbered; a number already used, a touch
/// that does not exist or is not on the update's account, and an unknown user are
/// refused. The updates are read back with their account's territory and in the export,
/// and merging the export again changes nothing.
async fn step_updates_are_appended_and_read_with_their_account(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    let edit = step_update(
        1004,
        1,
        10,
        StepAction::Edit {
            what: Some("bring the blister packs".into()),
            due: None,
        },
    );
    let done = step_update(1004, 2, 10, StepAction::Complete);
    s.add_step_update(ORG, &edit).await.unwrap();
    s.add_step_update(ORG, &done).await.unwrap();
    assert_eq!(
        s.step_updates(ORG, TouchId(1004)).await.unwrap(),
        vec![edit.clone(), done.clone()]
    );
    let again = s.add_step_update(ORG, &done).await.unwrap_err();
    assert!(matches!(again, StoreError::Duplicate { .. }), "{again:?}");
    for wrong in [
        step_update(9999, 1, 10, StepAction::Complete),
        step_update(1004, 3, 11, StepAction::Complete),
    ] {
        let err = s.add_step_update(ORG, &wrong).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { what: "touch", .. }),
            "{err:?}"
        );
    }
    let mut stranger = step_update(1004, 3, 10, StepAction::Complete);
    stranger.by = UserId(77);
    let err = s.add_step_update(ORG, &stranger).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "user",
                id: 77
            }
        ),
        "{err:?}"
    );

    let ann = s.territory(ORG, UserId(1)).await.unwrap();
    assert_eq!(
        ann.step_updates
            .iter()
            .map(|u| (u.touch.0, u.seq))
            .collect::<Vec<_>>(),
        [(1002, 1), (1004, 1), (1004, 2)]
    );
    let mut expected = data.clone();
    expected.step_updates.extend([edit, done]);
    let exported = s.export(ORG).await.unwrap();
    assert_eq!(exported, sorted(expected.clone()));
    let counts = s.row_counts(ORG).await.unwrap();
    s.write_org(&exported, WriteMode::Merge).await.unwrap();
    assert_eq!(s.export(ORG).await.unwrap(), exported);
    assert_eq!(s.row_counts(ORG).await.unwrap(), counts);
    // The export's text reads back to the same records.
    assert_eq!(OrgData::from_jsonl(&exported.to_jsonl()).unwrap(), exported);
}

async fn scoped_reads_filter_by_the_accounts_rep(db: &TestDb) {
    let s = &db.store;
    let data = sample_org();
    s.write_org(&data, WriteMode::Replace).await.unwrap();
    let (ann, bob, meg) = (UserId(1), UserId(2), UserId(3));
    let account = |id: i64| data.accounts.iter().find(|a| a.id.0 == id).unwrap().clone();
    let contact = |id: i64| data.contacts.iter().find(|c| c.id.0 == id).unwrap().clone();
    let touch = |id: i64| data.touches.iter().find(|t| t.id.0 == id).unwrap().clone();

    for reps in [None, Some(&[ann][..]), Some(&[bob, ann][..])] {
        assert_eq!(
            s.scoped_account(ORG, AccountId(10), reps).await.unwrap(),
            Some(account(10)),
            "{reps:?}"
        );
        assert_eq!(
            s.scoped_contact(ORG, ContactId(100), reps).await.unwrap(),
            Some((contact(100), account(10))),
            "{reps:?}"
        );
        // Bob logged touch 1002, on Ann's account: the account's rep decides.
        assert_eq!(
            s.scoped_touch(ORG, TouchId(1002), reps).await.unwrap(),
            Some((touch(1002), contact(100), account(10))),
            "{reps:?}"
        );
    }
    // Another rep's record, one that does not exist, another organisation's and an empty
    // scope all read as nothing.
    for reps in [Some(&[bob][..]), Some(&[meg, bob][..]), Some(&[][..])] {
        assert_eq!(
            s.scoped_account(ORG, AccountId(10), reps).await.unwrap(),
            None
        );
        assert_eq!(
            s.scoped_contact(ORG, ContactId(100), reps).await.unwrap(),
            None
        );
        assert_eq!(
            s.scoped_touch(ORG, TouchId(1002), reps).await.unwrap(),
            None
        );
    }
    assert_eq!(
        s.scoped_account(ORG, AccountId(999), None).await.unwrap(),
        None
    );
    assert_eq!(
        s.scoped_contact(ORG, ContactId(999), None).await.unwrap(),
        None
    );
    assert_eq!(s.scoped_touch(ORG, TouchId(999), None).await.unwrap(), None);
    assert_eq!(
        s.scoped_account(OrgId(2), AccountId(10), None)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.scoped_contact(OrgId(2), ContactId(100), None)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.scoped_touch(OrgId(2), TouchId(1002), None).await.unwrap(),
        None
    );
    assert_eq!(
        s.scoped_touch(ORG, TouchId(1003), Some(&[bob]))
            .await
            .unwrap(),
        Some((touch(1003), contact(103), account(12)))
    );
}

async fn calendar_feeds_are_found_by_hash_replaced_and_revoked(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    assert_eq!(s.calendar_feed("feed-1").await.unwrap(), None);
    assert_eq!(s.calendar_feed_of(ORG, UserId(1)).await.unwrap(), None);
    // A user without a sign-in (planned from the command line) has a working feed.
    s.save_calendar_feed(ORG, UserId(1), "feed-1", 100)
        .await
        .unwrap();
    let feed = rounds_store::CalendarFeed {
        org: ORG,
        user: UserId(1),
        created_at: 100,
    };
    assert_eq!(s.calendar_feed("feed-1").await.unwrap(), Some(feed.clone()));
    assert_eq!(
        s.calendar_feed_of(ORG, UserId(1)).await.unwrap(),
        Some(feed)
    );
    // A new feed replaces the old one, whose address stops working.
    s.save_calendar_feed(ORG, UserId(1), "feed-2", 200)
        .await
        .unwrap();
    assert_eq!(s.calendar_feed("feed-1").await.unwrap(), None);
    assert_eq!(
        s.calendar_feed("feed-2")
            .await
            .unwrap()
            .map(|f| f.created_at),
        Some(200)
    );
    // Another user's feed is theirs alone; an unknown user is refused.
    s.save_calendar_feed(ORG, UserId(2), "feed-3", 300)
        .await
        .unwrap();
    assert!(
        s.save_calendar_feed(ORG, UserId(99), "feed-4", 300)
            .await
            .is_err()
    );
    assert_eq!(s.calendar_feed("feed-4").await.unwrap(), None);
    // A disabled user's feed is not served.
    s.set_password(ORG, UserId(2), "bob@acme.example", "h")
        .await
        .unwrap();
    assert!(s.calendar_feed("feed-3").await.unwrap().is_some());
    s.set_disabled(ORG, UserId(2), true).await.unwrap();
    assert_eq!(s.calendar_feed("feed-3").await.unwrap(), None);
    // Revoked: gone, and a second revocation finds nothing.
    assert!(s.delete_calendar_feed(ORG, UserId(1)).await.unwrap());
    assert_eq!(s.calendar_feed("feed-2").await.unwrap(), None);
    assert!(!s.delete_calendar_feed(ORG, UserId(1)).await.unwrap());
}

fn busy_time(source: &str, uid: &str, start: i64, minutes: i64) -> BusyTime {
    BusyTime {
        rep: UserId(1),
        source: source.into(),
        uid: uid.into(),
        start: Timestamp::from_second(start).unwrap(),
        end: Timestamp::from_second(start + minutes * 60).unwrap(),
        all_day: false,
    }
}

async fn busy_times_are_replaced_per_calendar_and_reach_the_territory(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let window = (
        Timestamp::from_second(1_000_000).unwrap(),
        Timestamp::from_second(2_000_000).unwrap(),
    );
    let work = vec![
        busy_time("work.ics", "a", 1_100_000, 60),
        busy_time("work.ics", "weekly", 1_200_000, 30),
        busy_time("work.ics", "weekly", 1_804_800, 30),
    ];
    let c = s
        .replace_busy_times(ORG, UserId(1), "work.ics", window, &work)
        .await
        .unwrap();
    assert_eq!((c.added, c.removed, c.unchanged), (3, 0, 0));
    // The same file again changes nothing.
    let c = s
        .replace_busy_times(ORG, UserId(1), "work.ics", window, &work)
        .await
        .unwrap();
    assert_eq!((c.added, c.removed, c.unchanged), (0, 0, 3));
    // Another calendar is kept apart; a past row outside the window stays.
    let home = vec![busy_time("home.ics", "a", 1_100_000, 120)];
    s.replace_busy_times(ORG, UserId(1), "home.ics", window, &home)
        .await
        .unwrap();
    let past = vec![busy_time("work.ics", "old", 500_000, 60)];
    s.replace_busy_times(
        ORG,
        UserId(1),
        "work.ics",
        (
            Timestamp::from_second(0).unwrap(),
            Timestamp::from_second(900_000).unwrap(),
        ),
        &past,
    )
    .await
    .unwrap();
    // The work calendar again, with a meeting moved and one cancelled.
    let moved = vec![
        busy_time("work.ics", "a", 1_103_600, 60),
        busy_time("work.ics", "weekly", 1_200_000, 30),
    ];
    let c = s
        .replace_busy_times(ORG, UserId(1), "work.ics", window, &moved)
        .await
        .unwrap();
    assert_eq!((c.added, c.removed, c.unchanged), (1, 2, 1));
    let held = s.busy_times(ORG, UserId(1)).await.unwrap();
    let keys: Vec<(&str, &str, i64)> = held
        .iter()
        .map(|b| (b.source.as_str(), b.uid.as_str(), b.start.as_second()))
        .collect();
    assert_eq!(
        keys,
        [
            ("work.ics", "old", 500_000),
            ("home.ics", "a", 1_100_000),
            ("work.ics", "a", 1_103_600),
            ("work.ics", "weekly", 1_200_000),
        ]
    );
    // The planner gets them in the rep's calendar, by either read.
    assert_eq!(
        s.territory(ORG, UserId(1)).await.unwrap().calendar.busy,
        held
    );
    assert_eq!(s.calendar(ORG, UserId(1)).await.unwrap().busy, held);
    let all = s.all_territories(ORG).await.unwrap();
    let of = |rep: i64| &all.iter().find(|(r, _)| r.0 == rep).unwrap().1.calendar;
    assert_eq!(of(1).busy, held);
    assert!(of(2).busy.is_empty());
    // An unknown rep is refused, and nothing is written.
    let ghost = vec![BusyTime {
        rep: UserId(99),
        ..busy_time("x.ics", "g", 1_100_000, 60)
    }];
    assert!(
        s.replace_busy_times(ORG, UserId(99), "x.ics", window, &ghost)
            .await
            .is_err()
    );
    // Clearing one calendar, then all.
    assert_eq!(
        s.clear_busy_times(ORG, UserId(1), Some("home.ics"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.clear_busy_times(ORG, UserId(1), None).await.unwrap(), 3);
    assert!(s.busy_times(ORG, UserId(1)).await.unwrap().is_empty());
    assert_eq!(s.clear_busy_times(ORG, UserId(1), None).await.unwrap(), 0);
}

/// Liaisons add referrals as they come (P9): sums, never a lost add when two arrive at
/// once, and nothing written past the plausible limit.
async fn p9_add_to_referral_sums_concurrent_adds_and_refuses_past_the_limit(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let day = date(2024, 5, 1);
    s.add_referral(ORG, &referral(101, day, 3)).await.unwrap();
    let added = s
        .add_to_referral(ORG, ContactId(101), day, 2, 1000)
        .await
        .unwrap();
    assert_eq!(added, Ok(referral(101, day, 5)));
    let fresh = s
        .add_to_referral(ORG, ContactId(101), date(2024, 5, 2), 1, 1000)
        .await
        .unwrap();
    assert_eq!(fresh, Ok(referral(101, date(2024, 5, 2), 1)));
    let adds = (0..8).map(|_| {
        let store = s.clone();
        tokio::spawn(async move {
            store
                .add_to_referral(ORG, ContactId(101), day, 1, 1000)
                .await
        })
    });
    for add in adds.collect::<Vec<_>>() {
        add.await.unwrap().unwrap().unwrap();
    }
    let too_many = s
        .add_to_referral(ORG, ContactId(101), day, 990, 1000)
        .await
        .unwrap();
    assert_eq!(too_many, Err(13), "5 + 8 concurrent adds, then refused");
    let of_101: Vec<ReferralCount> = s
        .export(ORG)
        .await
        .unwrap()
        .referrals
        .into_iter()
        .filter(|r| r.contact == ContactId(101))
        .collect();
    assert_eq!(
        of_101,
        vec![referral(101, day, 13), referral(101, date(2024, 5, 2), 1)]
    );
    assert_eq!(
        s.referral_counts(ORG, &[ContactId(101), ContactId(555)])
            .await
            .unwrap(),
        of_101,
        "the counts of the contacts asked for, by contact and day"
    );
    let err = s
        .add_to_referral(ORG, ContactId(555), day, 1, 1000)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

/// The ledger (P14): transfers round-trip exactly, lists filter by the account's rep, the
/// account and the calendar year (its first and last day included), a transfer naming a
/// contact of another account or a missing one is refused whole, a void lands once, and
/// a Replace of the organisation clears the ledger with it.
async fn p14_transfers_are_recorded_listed_by_scope_and_year_and_voided_once(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let a = transfer(
        1,
        10,
        1,
        date(2024, 1, 1),
        20_000,
        &[(100, true), (101, false)],
        6,
    );
    let b = transfer(2, 12, 2, date(2024, 12, 31), 5_000, &[(103, true)], 0);
    let c = transfer(3, 10, 1, date(2025, 1, 1), 1_000, &[(100, true)], 0);
    for t in [&a, &b, &c] {
        s.add_transfer(ORG, t).await.unwrap();
    }
    assert_eq!(
        s.transfer(ORG, TransferId(1), None).await.unwrap(),
        Some(a.clone())
    );
    assert_eq!(
        s.transfer(ORG, TransferId(1), Some(&[UserId(2)]))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.transfer(ORG, TransferId(2), Some(&[UserId(2)]))
            .await
            .unwrap(),
        Some(b.clone())
    );
    let ids = |q: TransferQuery<'static>| async move {
        s.transfers(ORG, &q)
            .await
            .unwrap()
            .iter()
            .map(|t| t.id.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(TransferQuery::default()).await, [1, 2, 3]);
    let year = |y| TransferQuery {
        year: Some(y),
        ..TransferQuery::default()
    };
    assert_eq!(ids(year(2024)).await, [1, 2]);
    assert_eq!(ids(year(2025)).await, [3]);
    assert_eq!(ids(year(2023)).await, Vec::<i64>::new());
    let account = TransferQuery {
        account: Some(AccountId(10)),
        ..TransferQuery::default()
    };
    assert_eq!(ids(account).await, [1, 3]);
    const REP2: &[UserId] = &[UserId(2)];
    let reps = |reps| TransferQuery {
        reps: Some(reps),
        ..TransferQuery::default()
    };
    assert_eq!(ids(reps(REP2)).await, [2]);
    assert_eq!(ids(reps(&[])).await, Vec::<i64>::new());

    // Refused whole: a contact of another account, a missing contact, a missing
    // account, a used id.
    let elsewhere = transfer(
        4,
        10,
        1,
        date(2024, 5, 1),
        100,
        &[(100, true), (103, true)],
        0,
    );
    assert!(matches!(
        s.add_transfer(ORG, &elsewhere).await,
        Err(StoreError::AccountMismatch {
            contact: 103,
            belongs_to: 12,
            claimed: 10
        })
    ));
    let missing = transfer(4, 10, 1, date(2024, 5, 1), 100, &[(999, true)], 0);
    assert!(matches!(
        s.add_transfer(ORG, &missing).await,
        Err(StoreError::NotFound {
            what: "contact",
            id: 999
        })
    ));
    let nowhere = transfer(4, 99, 1, date(2024, 5, 1), 100, &[], 2);
    assert!(matches!(
        s.add_transfer(ORG, &nowhere).await,
        Err(StoreError::NotFound {
            what: "account",
            id: 99
        })
    ));
    assert!(matches!(
        s.add_transfer(ORG, &a).await,
        Err(StoreError::Duplicate {
            what: "transfer",
            ..
        })
    ));
    assert_eq!(ids(TransferQuery::default()).await, [1, 2, 3]);
    assert_eq!(s.next_id(ORG, IdKind::Transfer).await.unwrap(), 4);

    // A void lands once, and the lists leave it out unless asked.
    let voided = rounds_core::ledger::Transfer {
        void: Some(rounds_core::ledger::Void {
            on: date(2024, 1, 2),
            reason: "entered twice".into(),
        }),
        ..a.clone()
    };
    assert!(s.void_transfer(ORG, &voided).await.unwrap());
    assert!(!s.void_transfer(ORG, &voided).await.unwrap());
    assert_eq!(
        s.transfer(ORG, TransferId(1), None).await.unwrap(),
        Some(voided)
    );
    assert_eq!(ids(year(2024)).await, [2]);
    let with_void = TransferQuery {
        year: Some(2024),
        include_void: true,
        ..TransferQuery::default()
    };
    assert_eq!(ids(with_void).await, [1, 2]);

    // Another organisation sees none of it.
    let mut other = sample_org();
    other.organisation.id = OrgId(2);
    s.write_org(&other, WriteMode::Replace).await.unwrap();
    assert_eq!(
        s.transfers(OrgId(2), &TransferQuery::default())
            .await
            .unwrap(),
        vec![]
    );
    // A Replace rewrites the organisation, ledger included, without tripping a key.
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    assert_eq!(ids(TransferQuery::default()).await, Vec::<i64>::new());
}

async fn rep_summaries_are_stored_per_day_replaced_and_pruned(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let day = date(2026, 11, 24);
    let summary = |rep: i64, day, planned| rounds_core::reports::RepSummary {
        rep: UserId(rep),
        day,
        planned,
        flags: 1,
        coverage: rounds_core::reports::CoverageCount {
            customers: 3,
            covered: 2,
        },
        funnel: rounds_core::reports::Funnel::default(),
        promises: rounds_core::reports::PromiseCount::default(),
        segments: vec![],
        referrals: rounds_core::reports::ReferralTrend::default(),
        losses: vec![],
    };
    let at = |secs| Timestamp::from_second(secs).unwrap();
    let reps = [UserId(1), UserId(2)];
    assert_eq!(s.summaries(ORG, day, &reps).await.unwrap(), vec![]);
    s.put_summaries(ORG, &[summary(1, day, 7)], at(1_000))
        .await
        .unwrap();
    s.put_summaries(ORG, &[summary(1, date(2026, 11, 23), 5)], at(900))
        .await
        .unwrap();
    let found = s.summaries(ORG, day, &reps).await.unwrap();
    assert_eq!(
        found.len(),
        1,
        "only the day asked for, only the reps with one"
    );
    assert_eq!(
        (found[0].summary.planned, found[0].computed_at),
        (7, at(1_000))
    );
    // A newer computation of the same rep and day replaces the row.
    s.put_summaries(ORG, &[summary(1, day, 9)], at(2_000))
        .await
        .unwrap();
    let found = s.summaries(ORG, day, &reps).await.unwrap();
    assert_eq!((found.len(), found[0].summary.planned), (1, 9));
    assert_eq!(found[0].summary, summary(1, day, 9));
    // A rep that does not exist is refused, and nothing of the write lands.
    let refused = s
        .put_summaries(ORG, &[summary(2, day, 4), summary(99, day, 4)], at(3_000))
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::NotFound {
                what: "user",
                id: 99
            })
        ),
        "{refused:?}"
    );
    assert_eq!(s.summaries(ORG, day, &reps).await.unwrap().len(), 1);
    // Another organisation sees none; pruning drops the days before the one given.
    assert_eq!(s.summaries(OrgId(2), day, &reps).await.unwrap(), vec![]);
    assert_eq!(s.prune_summaries(ORG, day).await.unwrap(), 1);
    assert_eq!(
        s.summaries(ORG, date(2026, 11, 23), &reps).await.unwrap(),
        vec![]
    );
    // Replacing the organisation drops its summaries with its users.
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    assert_eq!(s.summaries(ORG, day, &reps).await.unwrap(), vec![]);
}

/// A territory kept warm between plans is the territory a fresh read gives, after writes
/// through this handle and through another connection (another process), whether it was
/// brought up to date row by row or read again whole.
async fn a_kept_territory_follows_every_write(db: &TestDb) {
    let s = &db.store;
    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    let rep = UserId(1);
    let check = |what: &'static str| async move {
        let kept = s.shared_territory(ORG, rep).await.unwrap();
        assert_eq!(*kept, s.territory(ORG, rep).await.unwrap(), "after {what}");
        kept
    };
    let first = check("the first read").await;
    let again = s.shared_territory(ORG, rep).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "nothing written: the kept territory itself is handed out"
    );
    let counts = s.warm_counts();
    assert_eq!((counts.read_whole, counts.current), (1, 1));

    let other = SqlStore::connect(&db.url).await.unwrap();
    // Between two of Ann's touches in time, so it must go in the middle.
    other
        .add_touch(ORG, &touch(2001, "2024-03-04T08:00:00Z", 1, 100, 10))
        .await
        .unwrap();
    // On Bob's account: not Ann's.
    other
        .add_touch(ORG, &touch(2002, "2024-03-04T08:00:00Z", 2, 103, 12))
        .await
        .unwrap();
    other
        .add_step_update(
            ORG,
            &step_update(
                1002,
                2,
                10,
                StepAction::Skip {
                    reason: "done another way".into(),
                },
            ),
        )
        .await
        .unwrap();
    let caught_up = check("touches and a step update from another connection").await;
    assert!(caught_up.touches.iter().any(|t| t.id == TouchId(2001)));
    assert!(!caught_up.touches.iter().any(|t| t.id == TouchId(2002)));
    assert_eq!(s.warm_counts().caught_up, 1);
    drop((first, again, caught_up));

    assert!(s.delete_touch(ORG, TouchId(2001)).await.unwrap());
    check("a deleted touch").await;
    assert_eq!(s.warm_counts().caught_up, 2);

    s.save_contact(ORG, &contact(100, 10, "Eli Moved"))
        .await
        .unwrap();
    check("a contact changed").await;
    assert_eq!(s.warm_counts().read_whole, 2, "a contact is read whole");

    s.write_org(&sample_org(), WriteMode::Replace)
        .await
        .unwrap();
    check("the organisation written anew").await;
    assert_eq!(s.warm_counts().read_whole, 3);
}
