//! Next steps as tasks through the use cases (P33, P37): listed with their marks,
//! completed, rescheduled, skipped and edited, each checked for its field and its scope.
//! SQLite is enough here: the store's conformance suite runs both backends.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_app::{Actor, AppError, StepFilter, TouchInput};
use rounds_core::model::{Channel, ContactId, OrgId, Outcome, StepAction, TouchId, TouchKind};
use rounds_core::playbook::Playbook;
use rounds_store::{SqlStore, Store};

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Mo Manager","email":"mo@example.org","role":"manager","team":"north"}
{"record":"user","id":3,"name":"Sam South","email":"sam@example.org","role":"rep","team":"south"}
{"record":"account","id":1,"name":"Lakeside Orthopaedics","rep":1,"kind":"practice","segment":"medical-provider","address":{"street":"1 Lake St","city":"Chicago","region":"IL","postal_code":"60601","lat":41.88,"lon":-87.63},"tz":"America/Chicago","access":"open","status":"customer"}
{"record":"contact","id":1,"account":1,"name":"Maria Lopez","role":"office-manager","influence":"influencer","channels":{"email":"maria@lakeside.example"}}
"#;

/// Tuesday 2026-11-24, 09:00 in Chicago: no test reads the clock.
fn now() -> Timestamp {
    "2026-11-24T15:00:00Z".parse().unwrap()
}
const TODAY: Date = date(2026, 11, 24);

struct World {
    _dir: tempfile::TempDir,
    store: SqlStore,
    operator: Actor,
    pb: Playbook,
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
        pb: Playbook::default(),
    }
}

impl World {
    async fn as_user(&self, id: i64) -> Actor {
        let everyone = self.store.users(OrgId(1)).await.unwrap();
        let me = everyone.iter().find(|u| u.id.0 == id).unwrap().clone();
        Actor::user(OrgId(1), me, everyone)
    }

    /// Logs a touch with Maria on `day` that sets the step `what`, due `due`.
    async fn promise(&self, day: Date, what: &str, due: Date, kind: TouchKind) -> TouchId {
        let mut t = TouchInput::new(ContactId(1), Channel::Visit, Outcome::Positive);
        t.kind = kind;
        t.at = Some(
            day.at(10, 0, 0, 0)
                .in_tz("America/Chicago")
                .unwrap()
                .timestamp(),
        );
        t.next_what = Some(what.into());
        t.next_due = Some(due);
        rounds_app::log_touch(&self.store, &self.operator, t, now())
            .await
            .unwrap()
            .id
    }

    async fn open(&self) -> Vec<rounds_core::planner::OpenStep> {
        rounds_app::list_steps(
            &self.store,
            &self.operator,
            &self.pb,
            StepFilter::default(),
            TODAY,
        )
        .await
        .unwrap()
    }
}

fn field(e: AppError) -> String {
    match e {
        AppError::Invalid { field, .. } | AppError::Conflict { field, .. } => field,
        other => panic!("not a field error: {other:?}"),
    }
}

#[tokio::test]
async fn p33_a_step_is_listed_rescheduled_edited_and_completed() {
    let w = world().await;
    let set_on = date(2026, 11, 20);
    let id = w
        .promise(
            set_on,
            "bring the adherence samples",
            TODAY,
            TouchKind::Routine,
        )
        .await;
    let open = w.open().await;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].step, open[0].due, open[0].days_overdue),
        (id, TODAY, 0)
    );
    assert!(!open[0].triage);
    let (s, a, pb) = (&w.store, &w.operator, &w.pb);

    // Each bad value names its field and writes nothing.
    let early = rounds_app::reschedule_step(s, a, pb, id, date(2026, 11, 19), "x", now());
    assert_eq!(field(early.await.unwrap_err()), "due");
    let blank = rounds_app::reschedule_step(s, a, pb, id, date(2026, 12, 1), " ", now());
    assert_eq!(field(blank.await.unwrap_err()), "reason");
    let nothing = rounds_app::edit_step(s, a, pb, id, None, None, now());
    assert_eq!(field(nothing.await.unwrap_err()), "what");
    let long = "x".repeat(501);
    let long = rounds_app::edit_step(s, a, pb, id, Some(&long), None, now());
    assert_eq!(field(long.await.unwrap_err()), "what");
    assert!(s.step_updates(OrgId(1), id).await.unwrap().is_empty());

    let moved = rounds_app::reschedule_step(
        s,
        a,
        pb,
        id,
        date(2026, 12, 1),
        "the office manager is away",
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        (moved.seq, moved.by.0),
        (1, 1),
        "the operator acts for the owner"
    );
    rounds_app::edit_step(s, a, pb, id, Some("bring the blister packs"), None, now())
        .await
        .unwrap();
    let open = w.open().await;
    assert_eq!(
        (open[0].what.as_str(), open[0].due),
        ("bring the blister packs", date(2026, 12, 1))
    );
    rounds_app::complete_step(s, a, pb, id, now())
        .await
        .unwrap();
    assert!(w.open().await.is_empty());
    let again = rounds_app::complete_step(s, a, pb, id, now()).await;
    assert_eq!(field(again.unwrap_err()), "step");
    // History is kept: three updates, in order.
    let kinds: Vec<&str> = s
        .step_updates(OrgId(1), id)
        .await
        .unwrap()
        .iter()
        .map(|u| u.action.as_str())
        .collect();
    assert_eq!(kinds, ["reschedule", "edit", "complete"]);
}

#[tokio::test]
async fn p33_a_skipped_step_is_closed_with_its_reason() {
    let w = world().await;
    let id = w
        .promise(
            date(2026, 11, 2),
            "send the price list",
            date(2026, 11, 10),
            TouchKind::Routine,
        )
        .await;
    let overdue = rounds_app::list_steps(
        &w.store,
        &w.operator,
        &w.pb,
        StepFilter {
            rep: None,
            overdue: true,
        },
        TODAY,
    )
    .await
    .unwrap();
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0].triage && overdue[0].days_overdue == 14);
    let plan = rounds_app::plan_for(
        &w.store,
        &w.operator,
        &w.pb,
        rounds_core::model::UserId(1),
        TODAY,
    )
    .await
    .unwrap();
    assert_eq!(plan.triage.len(), 1);
    let u = rounds_app::skip_step(
        &w.store,
        &w.operator,
        &w.pb,
        id,
        "they buy direct now",
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        u.action,
        StepAction::Skip {
            reason: "they buy direct now".into()
        }
    );
    assert!(w.open().await.is_empty());
    let plan = rounds_app::plan_for(
        &w.store,
        &w.operator,
        &w.pb,
        rounds_core::model::UserId(1),
        TODAY,
    )
    .await
    .unwrap();
    assert!(plan.triage.is_empty());
}

#[tokio::test]
async fn p33_a_rep_acts_on_own_steps_and_a_manager_on_the_team() {
    let w = world().await;
    let id = w
        .promise(
            date(2026, 11, 20),
            "call about the audit",
            TODAY,
            TouchKind::Routine,
        )
        .await;
    let sam = w.as_user(3).await;
    let err = rounds_app::complete_step(&w.store, &sam, &w.pb, id, now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::NotFound { what: "step", .. }),
        "{err:?}"
    );
    let listed = rounds_app::list_steps(&w.store, &sam, &w.pb, StepFilter::default(), TODAY)
        .await
        .unwrap();
    assert!(listed.is_empty());
    let unknown = rounds_app::complete_step(&w.store, &w.operator, &w.pb, TouchId(999), now());
    assert!(matches!(
        unknown.await.unwrap_err(),
        AppError::NotFound { .. }
    ));
    let mo = w.as_user(2).await;
    let u = rounds_app::complete_step(&w.store, &mo, &w.pb, id, now())
        .await
        .unwrap();
    assert_eq!(u.by.0, 2, "attributed to who acted");
}

#[tokio::test]
async fn p37_logging_the_confirmation_with_done_closes_the_step() {
    let w = world().await;
    let monday = date(2026, 11, 23);
    let id = w
        .promise(
            monday,
            "Send the confirmation",
            TODAY,
            TouchKind::ReferralMeeting,
        )
        .await;
    // An e-mail is not answered, so without `completes_step` the step would stay open.
    let mut mail = TouchInput::new(ContactId(1), Channel::Email, Outcome::NoResponse);
    mail.kind = TouchKind::Confirmation;
    mail.at = Some(now());
    mail.completes_step = true;
    let logged = rounds_app::log_touch(&w.store, &w.operator, mail.clone(), now())
        .await
        .unwrap();
    assert!(w.open().await.is_empty());
    let updates = w.store.step_updates(OrgId(1), id).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(
        (updates[0].action.clone(), updates[0].at),
        (StepAction::Complete, logged.at)
    );
    // With no open step left, asking to complete one names the field and logs nothing.
    let before = w.store.export(OrgId(1)).await.unwrap();
    let err = rounds_app::log_touch(&w.store, &w.operator, mail, now())
        .await
        .unwrap_err();
    assert_eq!(field(err), "completes_step");
    assert_eq!(w.store.export(OrgId(1)).await.unwrap(), before);
}
