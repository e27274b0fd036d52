//! Imports from other systems on both backends: records linked by (source, kind,
//! external id), decided by their digest, given ids from the counters with their
//! provisional references rewritten, counted the same when dry, and rolled back whole.

use rounds_core::book::{ExternalChunk, ExternalKind, Imported, Tally};
use rounds_core::model::{AccountId, ContactId};
use rounds_store::{Rollback, Store, WriteMode};
use rounds_testkit::world::{account, contact, touch, user};
use rounds_testkit::{ORG, TestDb};

rounds_testkit::both_backends!(imported_records_are_linked_decided_by_digest_and_numbered);

fn imported<T>(external_id: &str, digest: &str, record: T) -> Imported<T> {
    Imported {
        external_id: external_id.into(),
        digest: digest.into(),
        record,
    }
}

/// An account, its contact and a touch, all new: provisional ids −1 and −2, touch 0.
fn book(contact_digest: &str) -> ExternalChunk {
    ExternalChunk {
        topics: vec![],
        accounts: vec![imported("001A", "a1", account(-1, 1, "Lakeside"))],
        contacts: vec![imported(
            "003A",
            contact_digest,
            contact(-2, -1, "Maria Lopez"),
        )],
        touches: vec![imported(
            "00TA",
            "t1",
            touch(0, "2026-11-02T15:00:00Z", 1, -2, -1),
        )],
    }
}

const ADDED: Tally = Tally {
    added: 1,
    changed: 0,
    unchanged: 0,
};
const SAME: Tally = Tally {
    added: 0,
    changed: 0,
    unchanged: 1,
};

async fn imported_records_are_linked_decided_by_digest_and_numbered(db: &TestDb) {
    let s = &db.store;
    let mut org = rounds_testkit::world::sample_org();
    org.accounts.clear();
    org.contacts.clear();
    org.touches.clear();
    org.referrals.clear();
    org.lost.clear();
    org.no_fits.clear();
    org.step_updates.clear();
    org.users = vec![user(1, "Ann", rounds_core::model::Role::Rep)];
    org.work_weeks.clear();
    org.time_off.clear();
    s.write_org(&org, WriteMode::Replace).await.unwrap();
    let before = s.row_counts(ORG).await.unwrap();

    let dry = s
        .write_external(ORG, "salesforce", true, &mut [Ok(book("c1"))].into_iter())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (dry.accounts, dry.contacts, dry.touches),
        (ADDED, ADDED, ADDED)
    );
    assert_eq!(
        s.row_counts(ORG).await.unwrap(),
        before,
        "a dry run writes nothing"
    );
    assert!(
        s.external_ids(ORG, "salesforce", ExternalKind::Account)
            .await
            .unwrap()
            .is_empty()
    );

    let rolled = s
        .write_external(
            ORG,
            "salesforce",
            false,
            &mut [Ok(book("c1")), Err(Rollback)].into_iter(),
        )
        .await
        .unwrap();
    assert_eq!(rolled, None);
    assert_eq!(
        s.row_counts(ORG).await.unwrap(),
        before,
        "a rollback writes nothing"
    );

    let real = s
        .write_external(ORG, "salesforce", false, &mut [Ok(book("c1"))].into_iter())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (real.accounts, real.contacts, real.touches),
        (ADDED, ADDED, ADDED)
    );
    let links = |kind| s.external_ids(ORG, "salesforce", kind);
    let a = links(ExternalKind::Account).await.unwrap();
    let c = links(ExternalKind::Contact).await.unwrap();
    let t = links(ExternalKind::Touch).await.unwrap();
    assert_eq!((a.len(), c.len(), t.len()), (1, 1, 1));
    assert!(
        a[0].local > 0 && c[0].local > 0 && t[0].local > 0,
        "real ids"
    );
    let stored = s
        .contact(ORG, ContactId(c[0].local))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.account,
        AccountId(a[0].local),
        "the provisional reference rewritten"
    );
    let touches = s.touches_for_contact(ORG, stored.id).await.unwrap();
    assert_eq!(touches.len(), 1);
    assert_eq!(
        (touches[0].account.0, touches[0].contact.0),
        (a[0].local, c[0].local)
    );
    // The counter moved past the new ids: the next account added by hand gets another.
    assert!(s.next_id(ORG, rounds_store::IdKind::Account).await.unwrap() > a[0].local);

    let again = s
        .write_external(ORG, "salesforce", false, &mut [Ok(book("c1"))].into_iter())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.accounts, again.contacts, again.touches),
        (SAME, SAME, SAME)
    );
    let changed = s
        .write_external(ORG, "salesforce", false, &mut [Ok(book("c2"))].into_iter())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.contacts.changed, 1);
    assert_eq!((changed.accounts, changed.touches), (SAME, SAME));
    let after = s.row_counts(ORG).await.unwrap();
    assert_eq!((after.accounts, after.contacts, after.touches), (1, 1, 1));
    // Another source's ids are another namespace.
    assert!(
        s.external_ids(ORG, "veeva", ExternalKind::Account)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.audit_verify(ORG).await.unwrap().breaks.is_empty());
}
