//! The plan's JSON (what `rounds today --json` prints and the API returns) is a
//! contract: a small pinned demo territory's plan is kept as a snapshot, so any change
//! of its shape or of the planner's choices shows as a diff to review.

use jiff::civil::date;
use rounds_core::model::Territory;
use rounds_core::planner::plan;
use rounds_core::playbook::Playbook;
use rounds_demo::DemoSpec;

#[test]
fn plan_json_of_the_small_demo_is_pinned() {
    let today = date(2026, 11, 24);
    let spec = DemoSpec {
        reps: 1,
        accounts: 40,
        ..DemoSpec::new(7, today)
    };
    let data = rounds_demo::generate(&spec);
    let territory = Territory {
        accounts: data.accounts,
        contacts: data.contacts,
        topics: data.topics,
        touches: data.touches,
        referrals: data.referrals,
        lost: data.lost,
        no_fits: data.no_fits,
        step_updates: data.step_updates,
    };
    let day = plan(
        &territory,
        &Playbook::default(),
        rounds_demo::rep_user_id(0),
        today,
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(&day).unwrap());
}
