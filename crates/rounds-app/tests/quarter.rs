//! The plan lived over weeks: the demo territory's plans followed for a month, every
//! planned touch logged through the same use case as `rounds log`, with seeded outcomes.
//! The rules a rep can hold the plan to must hold every day, not only on the first.
//! (`rounds simulate --days 90` runs the same for a quarter; SQLite is enough here, the
//! store's conformance suite runs both backends.)

use jiff::civil::date;
use rounds_app::{Actor, SimulationInput};
use rounds_core::model::OrgId;
use rounds_core::playbook::Playbook;
use rounds_core::simulate::OutcomeShares;
use rounds_demo::DemoSpec;
use rounds_store::{SqlStore, Store, WriteMode};

#[tokio::test]
async fn p23_p33_p35_a_month_of_the_demo_plan_breaks_no_rule_and_keeps_its_promises() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let store = SqlStore::connect(&url).await.unwrap();
    // The demo as of a Monday; the month starts the next day.
    let data = rounds_demo::generate(&DemoSpec::new(7, date(2026, 11, 23)));
    store.write_org(&data, WriteMode::Replace).await.unwrap();
    let org = data.organisation.id;
    assert_eq!(org, OrgId(1));
    let actor = Actor::load(&store, org, None).await.unwrap();
    let report = rounds_app::simulate(
        &store,
        &actor,
        &Playbook::default(),
        SimulationInput {
            reps: vec![],
            from: date(2026, 11, 24),
            days: 30,
            shares: OutcomeShares::default(),
            seed: 1,
        },
    )
    .await
    .unwrap();
    let m = &report.measurements;
    assert!(m.touches > 1000, "the plans were followed: {}", m.touches);
    let broken: Vec<String> = m
        .rules
        .iter()
        .filter(|r| r.violations > 0)
        .map(|r| format!("{} ×{}: {}", r.rule, r.violations, r.examples.join("; ")))
        .collect();
    assert!(broken.is_empty(), "rules broken: {broken:#?}");
    // Every rule the acceptance names was judged, on real cases.
    for rule in [
        "day-off",
        "P1",
        "P6",
        "P16",
        "P17-max",
        "P17-min",
        "P20-min",
        "P20-max",
        "P21",
        "P23-week",
        "P23-visit",
        "P23-silence",
        "P29",
        "P32",
        "P35",
        "P38",
        "P39",
        "P40",
        "P43",
    ] {
        assert!(m.rules.iter().any(|r| r.rule == rule), "{rule} is measured");
    }
    for rule in ["P1", "P21", "P23-week", "P23-silence", "P35", "P38", "P43"] {
        let r = m.rules.iter().find(|r| r.rule == rule).unwrap();
        assert!(r.checked > 0, "{rule} judged no case");
    }
    let p = &m.promises;
    assert!(p.due > 50, "next steps fell due: {}", p.due);
    assert!(
        p.kept >= 0.95,
        "{} of {} steps kept on their day or moved: {:?}",
        p.on_day + p.handled,
        p.due,
        p.examples
    );
}
