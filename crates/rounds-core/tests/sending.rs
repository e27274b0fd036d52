//! When a queued mail may leave (P38, P39): the planner's windows, in the recipient's
//! zone, on the organisation's working days.

use jiff::Timestamp;
use rounds_core::model::{TimeRange, TzName, WeekHours};
use rounds_core::playbook::Playbook;
use rounds_core::sending::next_send_at;

fn chicago() -> TzName {
    "America/Chicago".parse().unwrap()
}

fn office() -> WeekHours {
    WeekHours::weekdays(&[TimeRange::hm(8, 0, 12, 0), TimeRange::hm(13, 0, 17, 0)])
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn next(after: &str, urgent: bool) -> String {
    let t = next_send_at(
        at(after),
        &chicago(),
        &office(),
        urgent,
        &Playbook::default(),
    )
    .expect("a window");
    t.to_zoned(chicago().zone())
        .strftime("%a %Y-%m-%d %H:%M")
        .to_string()
}

#[test]
fn p39_approved_tuesday_16_00_leaves_thursday_10_00() {
    // 2026-11-17 is a Tuesday; 16:00 in Chicago is past both windows and within the
    // closing buffer, and Wednesday is not a plain e-mail day (P38).
    assert_eq!(
        next("2026-11-17T16:00:00-06:00", false),
        "Thu 2026-11-19 10:00"
    );
}

#[test]
fn p38_thanksgiving_thursday_is_skipped_to_next_tuesday() {
    // 2026-11-26 is Thanksgiving, a holiday of the built-in playbook.
    assert_eq!(
        next("2026-11-24T16:00:00-06:00", false),
        "Tue 2026-12-01 10:00"
    );
}

#[test]
fn p38_urgent_mail_may_go_on_wednesday() {
    assert_eq!(
        next("2026-11-17T16:00:00-06:00", true),
        "Wed 2026-11-18 10:00"
    );
}

#[test]
fn p39_inside_the_best_window_leaves_at_once() {
    assert_eq!(
        next("2026-11-17T10:20:00-06:00", false),
        "Tue 2026-11-17 10:20"
    );
}

#[test]
fn p39_after_the_best_window_waits_for_the_next_never_at_lunch() {
    assert_eq!(
        next("2026-11-17T11:30:00-06:00", false),
        "Tue 2026-11-17 13:00"
    );
    assert_eq!(
        next("2026-11-17T12:10:00-06:00", false),
        "Tue 2026-11-17 13:00"
    );
}

#[test]
fn p39_windows_are_the_recipients_local_time() {
    // 15:00 UTC on a Tuesday is 09:00 in Chicago: the window at 10:00 there.
    let t = next_send_at(
        at("2026-11-17T15:00:00Z"),
        &chicago(),
        &office(),
        false,
        &Playbook::default(),
    )
    .unwrap();
    assert_eq!(t, at("2026-11-17T16:00:00Z"));
}

#[test]
fn p39_closing_buffer_removes_a_window_of_an_early_closing_office() {
    // Closing at 14:00: the 13:00–14:00 window is within the hour before closing.
    let mut hours = WeekHours::default();
    for d in [
        jiff::civil::Weekday::Tuesday,
        jiff::civil::Weekday::Thursday,
    ] {
        hours.set(d, vec![TimeRange::hm(8, 0, 14, 0)]);
    }
    let t = next_send_at(
        at("2026-11-17T11:30:00-06:00"),
        &chicago(),
        &hours,
        false,
        &Playbook::default(),
    )
    .unwrap();
    assert_eq!(t, at("2026-11-19T10:00:00-06:00"));
}

#[test]
fn an_office_without_hours_has_no_window() {
    assert!(
        next_send_at(
            at("2026-11-17T11:30:00-06:00"),
            &chicago(),
            &WeekHours::default(),
            false,
            &Playbook::default(),
        )
        .is_none()
    );
}
