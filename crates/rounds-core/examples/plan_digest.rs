//! Prints a SHA-256 of the JSON of many plans, one line each, so that a change meant
//! only to make the planner faster can be shown to leave every plan byte-identical:
//! run it before and after, then `diff` the two outputs.
//! `cargo run --release -p rounds-core --example plan_digest > digests.txt`
//!
//! The plans: the profiling rep of `rounds-demo`'s `plan_profile` (500 accounts, ~50,000
//! touches) on every day of November 2026 and the first days of December (working days,
//! weekends and a holiday), every rep of the quick-start demo on some of those days, the
//! first rep planned over the whole organisation's records, and the next touch with a
//! sample of contacts.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_core::export::OrgData;
use rounds_core::model::Territory;
use rounds_core::planner::{next_for_contact, plan};
use rounds_core::playbook::Playbook;
use rounds_demo::{self as demo, DemoSpec};
use sha2::{Digest, Sha256};

fn digest(json: &str) -> String {
    Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn days(from: Date, to: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(from), move |d| d.tomorrow().ok().filter(|d| *d <= to))
}

/// The whole organisation as one territory, as a caller without a store might hold it.
fn whole(data: &OrgData) -> Territory {
    Territory {
        accounts: data.accounts.clone(),
        contacts: data.contacts.clone(),
        topics: data.topics.clone(),
        touches: data.touches.clone(),
        referrals: data.referrals.clone(),
        lost: data.lost.clone(),
        no_fits: data.no_fits.clone(),
        step_updates: data.step_updates.clone(),
        calendar: Default::default(),
    }
}

fn main() {
    let pb = Playbook::default();
    let today = date(2026, 11, 24);
    let mut total = Sha256::new();
    let mut line = |name: String, json: String| {
        let d = digest(&json);
        total.update(d.as_bytes());
        println!("{name} {d} {}", json.len());
    };

    let spec = DemoSpec::benchmark_rep(1, today);
    let part = demo::generate_rep(&spec, 0);
    let (_, _, topics) = demo::generate_shared(&spec);
    let bench = Territory {
        topics,
        ..whole(&part)
    };
    let rep = demo::rep_user_id(0);
    for day in days(date(2026, 11, 1), date(2026, 12, 4)) {
        let p = plan(&bench, &pb, rep, day);
        line(format!("bench {day}"), serde_json::to_string(&p).unwrap());
    }

    let data = demo::generate(&DemoSpec::new(7, today));
    let all = whole(&data);
    for r in 0..4 {
        let rep = demo::rep_user_id(r);
        let t = data.territory_of(rep);
        for day in [
            date(2026, 11, 20),
            date(2026, 11, 23),
            date(2026, 11, 24),
            date(2026, 11, 25),
            date(2026, 12, 1),
        ] {
            let p = plan(&t, &pb, rep, day);
            line(
                format!("demo rep{r} {day}"),
                serde_json::to_string(&p).unwrap(),
            );
        }
        if r == 0 {
            let p = plan(&all, &pb, rep, today);
            line(
                format!("whole rep{r} {today}"),
                serde_json::to_string(&p).unwrap(),
            );
        }
        let not_before = Timestamp::from_second(1_795_518_400).unwrap();
        for c in t.contacts.iter().step_by(17) {
            let n = next_for_contact(&t, &pb, rep, c.id, today, not_before);
            line(
                format!("next rep{r} {}", c.id),
                serde_json::to_string(&n).unwrap(),
            );
        }
    }
    let sum = digest(&format!("{:x}", total.finalize()));
    println!("all {sum}");
}
