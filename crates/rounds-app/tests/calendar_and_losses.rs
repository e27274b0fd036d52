//! Use cases of the work calendar and of loss records: a second loss of an account
//! needs `replace` and keeps the first as history; time off and a rep's week are set
//! through the operator and a rep's own scope, and the plan follows them. SQLite is
//! enough here: the store's conformance suite runs both backends.

use jiff::civil::{Date, Weekday, date};
use rounds_app::{Actor, AppError, LostInput, TimeOffInput, WorkWeekInput};
use rounds_core::model::{AccountId, LossReason, OrgId, TimeOffId, TimeRange, UserId};
use rounds_core::playbook::Playbook;
use rounds_store::{SqlStore, Store};

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Ray Rep","email":"ray@example.org","role":"rep","team":"south"}
{"record":"topic","id":1,"title":"Prior-authorisation turnaround","pain_points":["prior-auths"]}
{"record":"account","id":1,"name":"Lakeside Orthopaedics","rep":1,"kind":"practice","segment":"medical-provider","address":{"street":"1 Lake St","city":"Chicago","region":"IL","postal_code":"60601","lat":41.88,"lon":-87.63},"tz":"America/Chicago","office_hours":{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"]},"access":"open","status":"customer"}
{"record":"contact","id":1,"account":1,"name":"Maria Lopez","role":"office-manager","influence":"influencer","channels":{"email":"maria@lakeside.example","office_phone":"+1 312 555 0100"}}
"#;

/// A Tuesday, not a holiday.
const TUESDAY: Date = date(2026, 11, 24);

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

fn loss(day: Date, reason: LossReason, replace: bool) -> LostInput {
    LostInput {
        account: AccountId(1),
        lost_on: day,
        reason,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        replace,
    }
}

/// P15: a loss records why. A second loss of the same account would overwrite the
/// first, so it is refused naming `replace`; with it, the first is kept as history and
/// the win-back schedule follows the latest.
#[tokio::test]
async fn p15_second_loss_needs_replace_and_keeps_the_first() {
    let w = world().await;
    let first = date(2026, 9, 1);
    rounds_app::record_loss(
        &w.store,
        &w.operator,
        loss(first, LossReason::Pricing, false),
    )
    .await
    .unwrap();
    let before = w.store.export(OrgId(1)).await.unwrap();
    let second = date(2026, 11, 16);
    let refused = rounds_app::record_loss(
        &w.store,
        &w.operator,
        loss(second, LossReason::CustomerService, false),
    )
    .await
    .unwrap_err();
    match refused {
        AppError::Conflict { field, message } => {
            assert_eq!(field, "replace");
            assert!(message.contains("2026-09-01"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.store.export(OrgId(1)).await.unwrap(), before);
    let replaced = rounds_app::record_loss(
        &w.store,
        &w.operator,
        loss(second, LossReason::CustomerService, true),
    )
    .await
    .unwrap();
    assert_eq!(replaced.lost_on, second);
    assert_eq!(replaced.earlier.len(), 1);
    assert_eq!(replaced.earlier[0].lost_on, first);
    assert_eq!(replaced.earlier[0].reason, LossReason::Pricing);
    let listed = rounds_app::list_lost(&w.store, &w.operator, None)
        .await
        .unwrap();
    assert_eq!(listed, std::slice::from_ref(&replaced));
    // The export keeps both, and importing it again changes nothing.
    let text = w.store.export(OrgId(1)).await.unwrap().to_jsonl();
    assert!(text.contains("\"earlier\":[{\"lost_on\":\"2026-09-01\""));
    rounds_app::import(&w.store, &w.operator, &text)
        .await
        .unwrap();
    assert_eq!(w.store.export(OrgId(1)).await.unwrap().to_jsonl(), text);
    // The planner follows the latest loss: feedback (P16) is due within 14 days of it.
    let plan = rounds_app::plan_for(
        &w.store,
        &w.operator,
        &Playbook::default(),
        UserId(1),
        TUESDAY,
    )
    .await
    .unwrap();
    assert!(
        plan.items
            .iter()
            .any(|i| i.reasons.iter().any(|r| r.rules.iter().any(|x| x == "P16"))),
        "{plan:?}"
    );
}

#[tokio::test]
async fn calendar_time_off_and_a_reps_week_empty_their_days() {
    let w = world().await;
    let pb = Playbook::default();
    let plan = |actor: Actor, day: Date| {
        let store = &w.store;
        let pb = &pb;
        async move {
            rounds_app::plan_for(store, &actor, pb, UserId(1), day)
                .await
                .unwrap()
        }
    };
    assert!(plan(w.operator.clone(), TUESDAY).await.day_off.is_none());
    let t = rounds_app::add_time_off(
        &w.store,
        &w.operator,
        TimeOffInput {
            rep: UserId(1),
            from: date(2026, 11, 23),
            to: TUESDAY,
            reason: " vacation ".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(t.reason, "vacation");
    let p = plan(w.operator.clone(), TUESDAY).await;
    assert!(p.items.is_empty());
    assert_eq!(p.day_off.unwrap().kind, "time-off");
    // Backwards periods are refused by field, and use no id.
    let bad = rounds_app::add_time_off(
        &w.store,
        &w.operator,
        TimeOffInput {
            rep: UserId(1),
            from: TUESDAY,
            to: date(2026, 11, 20),
            reason: "vacation".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(bad, AppError::Invalid { ref field, .. } if field == "to"),
        "{bad:?}"
    );
    // A rep sees and changes only their own calendar.
    let rita = rounds_app::find_user(&w.operator, "1").unwrap();
    let everyone = w.store.users(OrgId(1)).await.unwrap();
    let as_rita = Actor::user(OrgId(1), rita, everyone);
    let ray_off = TimeOffInput {
        rep: UserId(2),
        from: TUESDAY,
        to: TUESDAY,
        reason: "training".into(),
    };
    assert!(matches!(
        rounds_app::add_time_off(&w.store, &as_rita, ray_off).await,
        Err(AppError::Invalid { ref field, .. }) if field == "rep"
    ));
    assert_eq!(
        rounds_app::list_time_off(&w.store, &as_rita, None)
            .await
            .unwrap(),
        std::slice::from_ref(&t)
    );
    rounds_app::remove_time_off(&w.store, &as_rita, t.id)
        .await
        .unwrap();
    assert!(matches!(
        rounds_app::remove_time_off(&w.store, &as_rita, TimeOffId(t.id.0)).await,
        Err(AppError::NotFound { .. })
    ));
    assert!(plan(w.operator.clone(), TUESDAY).await.day_off.is_none());
    // Monday to Thursday, 08:00-16:00: Friday is off.
    let week = rounds_app::set_work_week(
        &w.store,
        &as_rita,
        WorkWeekInput {
            rep: UserId(1),
            days: vec![
                Weekday::Thursday,
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
            ],
            hours: Some(TimeRange::hm(8, 0, 16, 0)),
        },
    )
    .await
    .unwrap();
    assert_eq!(week.days[0], Weekday::Monday);
    let friday = date(2026, 11, 27);
    let p = plan(w.operator.clone(), friday).await;
    assert_eq!(
        p.day_off.unwrap().next_working_day,
        Some(date(2026, 11, 30))
    );
    let cal = rounds_app::calendar_of(&w.store, &w.operator, UserId(1))
        .await
        .unwrap();
    assert_eq!(cal.week, Some(week));
}
