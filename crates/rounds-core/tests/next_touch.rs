//! `planner::next_for_contact` against the search it replaces: planning every day from
//! the touch's day until one includes the contact (up to 45 days).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_core::model::{ContactId, Territory, UserId};
use rounds_core::planner::{NEXT_TOUCH_HORIZON_DAYS, NextTouch, next_for_contact, plan};
use rounds_core::playbook::Playbook;
use rounds_demo::{self as demo, DemoSpec};

/// One rep's territory of the demo, as the store would load it.
fn demo_territory(seed: u64, today: Date, rep: UserId) -> Territory {
    demo::generate(&DemoSpec::new(seed, today)).territory_of(rep)
}

/// The old answer for every contact at once: the first of the day-by-day plans that
/// includes it (each plan computed once and shared).
fn day_by_day(t: &Territory, pb: &Playbook, rep: UserId, from: Date) -> BTreeMap<ContactId, Date> {
    let mut first = BTreeMap::new();
    let mut day = from;
    for _ in 0..NEXT_TOUCH_HORIZON_DAYS {
        for item in plan(t, pb, rep, day).items {
            first.entry(item.contact).or_insert(day);
        }
        day = day.tomorrow().unwrap();
    }
    first
}

#[test]
fn next_touch_is_the_first_day_due_never_later_than_the_day_by_day_plans() {
    let pb = Playbook::default();
    let rep = demo::rep_user_id(0);
    let today = date(2026, 11, 24);
    let t = demo_territory(7, today, rep);
    let mut contacts: Vec<ContactId> = t.contacts.iter().map(|c| c.id).collect();
    contacts.sort();
    // A Tuesday (plain email day) and a Friday (a weekend ahead).
    let (mut same, mut earlier, mut compared) = (0, 0, 0);
    let (mut never_planned, mut days_earlier) = (0, 0);
    for from in [today, date(2026, 11, 27)] {
        let old = day_by_day(&t, &pb, rep, from);
        for &c in contacts.iter().step_by(5) {
            let new = next_for_contact(&t, &pb, rep, c, from, Timestamp::MIN);
            compared += 1;
            match (old.get(&c), &new) {
                (None, None) => same += 1,
                (Some(d), Some(NextTouch { date, item, .. })) => {
                    assert!(date <= d, "{c}: {date} after the plans' {d}");
                    assert_eq!(item.contact, c);
                    if date == d {
                        // The same rules fired: same kind of touch, same purpose.
                        let full = plan(&t, &pb, rep, *d);
                        let theirs = full.items.iter().find(|i| i.contact == c).unwrap();
                        assert_eq!(item.kind, theirs.kind, "{c} on {d}");
                        assert_eq!(item.primary_topic, theirs.primary_topic, "{c} on {d}");
                        same += 1;
                    } else {
                        earlier += 1;
                        days_earlier += (*d - *date).get_days();
                    }
                }
                // Due by the rules but never given room by the full plans.
                (None, Some(_)) => {
                    earlier += 1;
                    never_planned += 1;
                }
                (Some(d), None) => panic!("{c}: planned on {d} but not found"),
            }
            if let Some(n) = &new {
                assert_eq!(n.planned, n.date == from);
            }
            if let Some(n) = &new
                && n.date == from
            {
                // The first day is the full plan itself.
                let p = plan(&t, &pb, rep, from);
                assert_eq!(p.items.iter().find(|i| i.contact == c), Some(&n.item));
            }
        }
    }
    // Where they differ, the day-by-day plans had no room for the contact yet: the demo
    // has more contacts due than a day holds, and nothing is executed between those
    // plans, so the same higher priorities fill each day. Measured: 13 of 112 the same,
    // 92 due but in none of the 45 plans, 7 in them about 15 days later.
    eprintln!(
        "{compared} compared: {same} same day, {earlier} earlier (capacity): {never_planned} \
         never in the 45 plans, the rest {days_earlier} days earlier in all"
    );
    assert!(compared > 80, "{compared}");
    assert!(
        same > 0 && same + earlier == compared,
        "{same} {earlier} {compared}"
    );
}

#[test]
fn next_touch_never_proposes_a_time_already_past_on_the_day_logged() {
    let pb = Playbook::default();
    let rep = demo::rep_user_id(0);
    let today = date(2026, 11, 24);
    let t = demo_territory(7, today, rep);
    let p = plan(&t, &pb, rep, today);
    let mut checked = 0;
    for item in p.items.iter().take(12) {
        let start = item.window.start_instant();
        // Logged one second after today's window opened: today's proposal is gone.
        let later = start
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap();
        let next = next_for_contact(&t, &pb, rep, item.contact, today, later);
        if let Some(n) = &next {
            assert!(n.date > today, "{}: {:?}", item.contact, n);
            assert!(n.item.window.start_instant() >= later);
        }
        // Logged before it opened: today's item stands, exactly.
        let earlier = start
            .checked_sub(jiff::SignedDuration::from_secs(60))
            .unwrap();
        let same = next_for_contact(&t, &pb, rep, item.contact, today, earlier).unwrap();
        assert_eq!((same.date, &same.item), (today, item));
        checked += 1;
    }
    assert!(checked > 5);
}
