//! Plans one benchmark-sized rep (500 accounts, 2,000 contacts, ~50,000 touches) many
//! times, for profiling the planner alone: `cargo run --release --example plan_profile`.

#![allow(clippy::disallowed_methods)] // Profiling reads the clock.

use jiff::civil::date;
use rounds_core::model::Territory;
use rounds_core::planner::plan;
use rounds_core::playbook::Playbook;
use rounds_demo::{self as demo, DemoSpec};

fn main() {
    let today = date(2026, 11, 24);
    let spec = DemoSpec::benchmark_rep(1, today);
    let part = demo::generate_rep(&spec, 0);
    let (_, _, topics) = demo::generate_shared(&spec);
    let t = Territory {
        accounts: part.accounts,
        contacts: part.contacts,
        topics,
        touches: part.touches,
        referrals: part.referrals,
        lost: part.lost,
        no_fits: part.no_fits,
        step_updates: part.step_updates,
        calendar: Default::default(),
    };
    let pb = Playbook::default();
    let rep = demo::rep_user_id(0);
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..runs {
        let s = std::time::Instant::now();
        items = plan(&t, &pb, rep, today).items.len();
        times.push(s.elapsed());
    }
    times.sort();
    println!(
        "{} touches, {items} items, plan median {:?}",
        t.touches.len(),
        times[times.len() / 2]
    );
}
