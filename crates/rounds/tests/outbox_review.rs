//! The manager's review of a draft (P42) through the use cases, on SQLite and
//! PostgreSQL: who may approve or return, what each does to the message, and that every
//! step is in the audit log.

use rounds_app::outbox::{self, DraftInput, OutboxFilter, ReviewInput};
use rounds_app::{Actor, AppError};
use rounds_core::model::{ContactId, Role, TopicId, TouchKind, User, UserId};
use rounds_core::playbook::Playbook;
use rounds_core::sending::{OutboxId, OutboxState};
use rounds_store::{AuditQuery, Store, WriteMode};
use rounds_testkit::world::{sample_org, user};
use rounds_testkit::{ORG, TestDb, at, both_backends};

fn people() -> Vec<User> {
    let mut data = sample_org();
    let mut south = user(5, "Sam", Role::Manager);
    south.team = Some("south".into());
    data.users.push(south);
    data.users.push(user(6, "Ada", Role::Admin));
    data.users
}

fn actor(id: i64) -> Actor {
    let everyone = people();
    let me = everyone
        .iter()
        .find(|u| u.id == UserId(id))
        .unwrap()
        .clone();
    Actor::user(ORG, me, everyone)
}

async fn world(db: &TestDb) {
    let mut data = sample_org();
    data.users = people();
    db.store.write_org(&data, WriteMode::Replace).await.unwrap();
}

fn draft(subject: &str) -> DraftInput {
    DraftInput {
        id: None,
        // Eli, at Ann's (user 1) Main Street Practice.
        contact: ContactId(100),
        subject: subject.into(),
        body: "Would a one-page prior-auth form help your front desk?".into(),
        topic: Some(TopicId(1)),
        kind: TouchKind::Routine,
        urgent: false,
    }
}

async fn p42_manager_approves_or_returns_a_draft(db: &TestDb) {
    world(db).await;
    let s = &db.store;
    let pb = Playbook::default();
    let (ann, meg) = (actor(1), actor(3));
    // 2026-11-17 is a Tuesday: 16:00 in Chicago is past both e-mail windows.
    let now = at("2026-11-17T22:00:00Z");

    let m = outbox::save_draft(s, &ann, draft("A shorter prior-auth form"), now)
        .await
        .unwrap();
    assert_eq!((m.state, m.author), (OutboxState::Draft, UserId(1)));
    // Not in review yet: nothing to approve.
    let e = outbox::approve(s, &meg, m.id, ReviewInput::default(), &pb, now)
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Conflict { ref field, .. } if field == "state"),
        "{e:?}"
    );
    outbox::submit_for_review(s, &ann, m.id).await.unwrap();

    // The author approves nothing; another team's manager does not even see it; a rep
    // of the same team does not either.
    let e = outbox::approve(s, &ann, m.id, ReviewInput::default(), &pb, now)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    for other in [5, 2] {
        let e = outbox::approve(s, &actor(other), m.id, ReviewInput::default(), &pb, now)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::NotFound { .. }),
            "user {other}: {e:?}"
        );
    }
    // Returning needs a comment.
    let e = outbox::return_draft(s, &meg, m.id, "  ", now)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("comment"));

    let back = outbox::return_draft(s, &meg, m.id, "One topic only, and end on a question", now)
        .await
        .unwrap();
    assert_eq!(back.state, OutboxState::Returned);
    let review = back.review.clone().unwrap();
    assert_eq!((review.by, review.at), (UserId(3), now));
    assert_eq!(review.comment, "One topic only, and end on a question");
    // A returned draft is not sent as it is.
    let e = outbox::queue(s, &ann, m.id, &pb, now).await.unwrap_err();
    assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");

    // Edited, it is a draft again (the comment stays to read), and goes back to review.
    let edited = outbox::save_draft(
        s,
        &ann,
        DraftInput {
            id: Some(m.id),
            ..draft("Prior auths in one page?")
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(edited.state, OutboxState::Draft);
    assert_eq!(edited.review, back.review);
    outbox::submit_for_review(s, &ann, m.id).await.unwrap();
    // Approval queues it for the next window: Thursday 10:00 in Chicago.
    let ok = outbox::approve(
        s,
        &meg,
        m.id,
        ReviewInput {
            comment: "Good".into(),
            queue: true,
        },
        &pb,
        now,
    )
    .await
    .unwrap();
    assert_eq!(ok.state, OutboxState::Queued);
    assert_eq!(ok.not_before, Some(at("2026-11-19T16:00:00Z")));
    assert_eq!(ok.review.unwrap().by, UserId(3));
    let stored = s.outbox_message_for_test(m.id).await;
    assert_eq!(stored.state, OutboxState::Queued);

    // An administrator may review too; approving without queueing leaves it for the rep.
    let m2 = outbox::save_draft(s, &ann, draft("Second note"), now)
        .await
        .unwrap();
    outbox::submit_for_review(s, &ann, m2.id).await.unwrap();
    let held = outbox::approve(s, &actor(6), m2.id, ReviewInput::default(), &pb, now)
        .await
        .unwrap();
    assert_eq!(held.state, OutboxState::Approved);
    let sent = outbox::queue(s, &ann, m2.id, &pb, now).await.unwrap();
    assert_eq!(sent.state, OutboxState::Queued);

    // Lists are scoped: the rep's own, the manager's team; the other team sees none.
    let all = OutboxFilter::default();
    assert_eq!(outbox::list_outbox(s, &ann, &all).await.unwrap().len(), 2);
    assert_eq!(outbox::list_outbox(s, &meg, &all).await.unwrap().len(), 2);
    assert!(
        outbox::list_outbox(s, &actor(5), &all)
            .await
            .unwrap()
            .is_empty()
    );

    // Every step is in the audit log, and the chain and the bodies verify.
    let log = s
        .audit_log(
            ORG,
            &AuditQuery {
                entity: Some("outbox".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log.total, 10, "{:?}", log.entries);
    let report = s.audit_verify(ORG).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
}

/// Reads a message back through the store's trait.
trait ForTest {
    async fn outbox_message_for_test(&self, id: OutboxId) -> rounds_core::sending::OutboxMessage;
}

impl ForTest for rounds_store::SqlStore {
    async fn outbox_message_for_test(&self, id: OutboxId) -> rounds_core::sending::OutboxMessage {
        use rounds_store::Outbox;
        self.outbox_message(ORG, id).await.unwrap().unwrap()
    }
}

both_backends!(p42_manager_approves_or_returns_a_draft);
