//! The plan in the rep's calendar and the rep's calendar in the plan: busy times keep
//! visits, agreed callbacks and remote touches out of their slots (a busy hour, a busy
//! day, an agreed time taken since), and the iCalendar document of the coming working
//! days: events at the plan's local times with their zone, a VTIMEZONE across a
//! daylight-saving change, stable UIDs, DTSTAMP from the clock reading given.

use jiff::civil::{Date, Time, date};
use jiff::{Timestamp, ToSpan};
use rounds_core::ics::{self, BusyOptions, CalendarMeta};
use rounds_core::model::*;
use rounds_core::planner::{DayPlan, PlanItem, plan};
use rounds_core::playbook::Playbook;

mod support;

use support::{REP, TZ, account, contact, local, outbound};

/// A Tuesday with plain e-mail allowed.
const TUESDAY: Date = date(2026, 11, 24);

/// A customer physician last spoken to `quiet` days before `today`, with fresh topics:
/// due, and visited in person (the visiting window is 09:00–11:00).
fn customer(quiet: i64, today: Date) -> Territory {
    let mut t = Territory::default();
    for id in 1..=3 {
        t.topics.push(Topic {
            id: TopicId(id),
            title: format!("Topic {id}"),
            pain_points: vec![],
            specialties: vec![],
            segments: vec![],
            roles: vec![],
            related: vec![],
            available_from: None,
        });
    }
    t.accounts.push(account(1, AccountStatus::Customer));
    t.contacts.push(contact(
        1,
        1,
        ContactRole::Physician,
        Influence::DecisionMaker,
    ));
    let mut last = outbound(
        1,
        ContactId(1),
        AccountId(1),
        local(today.checked_sub(quiet.days()).unwrap(), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    last.topics = vec![TopicId(1)];
    t.touches.push(last);
    t
}

fn busy(t: &mut Territory, uid: &str, start: Timestamp, end: Timestamp, all_day: bool) {
    t.calendar.busy.push(BusyTime {
        rep: REP,
        source: "work.ics".into(),
        uid: uid.into(),
        start,
        end,
        all_day,
    });
}

fn item(p: &DayPlan, contact: i64) -> Option<&PlanItem> {
    p.items.iter().find(|i| i.contact.0 == contact)
}

/// The instants of an item's window.
fn span(i: &PlanItem) -> (Timestamp, Timestamp) {
    let at = |t: Time| {
        i.window
            .date
            .to_datetime(t)
            .to_zoned(i.window.tz.zone())
            .unwrap()
            .timestamp()
    };
    (at(i.window.start), at(i.window.end))
}

/// No planned window overlaps a busy time of the territory.
fn clear_of_busy(t: &Territory, p: &DayPlan) {
    for i in &p.items {
        let (s, e) = span(i);
        for b in &t.calendar.busy {
            assert!(
                !b.overlaps(s, e),
                "{:?} {}–{} overlaps busy {}–{}",
                i.channel,
                i.window.start,
                i.window.end,
                b.start,
                b.end
            );
        }
    }
}

#[test]
fn a_busy_slot_pushes_the_visit_out_of_it() {
    let mut t = customer(20, TUESDAY);
    let free = plan(&t, &Playbook::default(), REP, TUESDAY);
    let visit = item(&free, 1).unwrap();
    assert_eq!(visit.channel, Channel::Visit);
    assert!(visit.window.start < Time::constant(10, 0, 0, 0));
    // A meeting 08:30–10:00 in the rep's own calendar: the visit comes after it.
    busy(
        &mut t,
        "standup",
        local(TUESDAY, 8, 30),
        local(TUESDAY, 10, 0),
        false,
    );
    let p = plan(&t, &Playbook::default(), REP, TUESDAY);
    let visit = item(&p, 1).expect("still planned");
    assert_eq!(visit.channel, Channel::Visit);
    assert!(
        visit.window.start >= Time::constant(10, 0, 0, 0),
        "{:?}",
        visit.window
    );
    assert!(
        visit.window.end <= Time::constant(11, 0, 0, 0),
        "{:?}",
        visit.window
    );
    clear_of_busy(&t, &p);
    let route = p.route.as_ref().unwrap();
    assert!(route.leave_base.time >= Time::constant(10, 0, 0, 0));
}

#[test]
fn a_busy_visiting_window_makes_it_a_remote_touch_outside_the_busy_time() {
    let mut t = customer(20, TUESDAY);
    busy(
        &mut t,
        "training",
        local(TUESDAY, 8, 0),
        local(TUESDAY, 11, 30),
        false,
    );
    let p = plan(&t, &Playbook::default(), REP, TUESDAY);
    let i = item(&p, 1).expect("still touched, remotely");
    assert_ne!(i.channel, Channel::Visit);
    clear_of_busy(&t, &p);
}

#[test]
fn a_whole_busy_day_plans_nothing_in_person() {
    let mut t = customer(20, TUESDAY);
    let zone = jiff::tz::TimeZone::get(TZ).unwrap();
    let start = TUESDAY.to_zoned(zone.clone()).unwrap().timestamp();
    let end = TUESDAY
        .tomorrow()
        .unwrap()
        .to_zoned(zone)
        .unwrap()
        .timestamp();
    busy(&mut t, "conference", start, end, true);
    let p = plan(&t, &Playbook::default(), REP, TUESDAY);
    assert!(p.items.iter().all(|i| i.channel != Channel::Visit));
    assert!(p.route.is_none());
    clear_of_busy(&t, &p);
    // The next day is free again.
    let wednesday = TUESDAY.tomorrow().unwrap();
    let mut free_wednesday = customer(21, wednesday);
    free_wednesday.calendar = t.calendar.clone();
    let next = plan(&free_wednesday, &Playbook::default(), REP, wednesday);
    assert_eq!(item(&next, 1).unwrap().channel, Channel::Visit);
}

#[test]
fn p35_an_agreed_callback_the_reps_calendar_has_taken_moves_and_says_why() {
    let mut t = customer(3, TUESDAY);
    t.touches[0].callback_at = Some(local(TUESDAY, 14, 30));
    let p = plan(&t, &Playbook::default(), REP, TUESDAY);
    assert!(item(&p, 1).unwrap().window.exact);
    busy(
        &mut t,
        "board",
        local(TUESDAY, 14, 0),
        local(TUESDAY, 15, 0),
        false,
    );
    let p = plan(&t, &Playbook::default(), REP, TUESDAY);
    let i = item(&p, 1).expect("the callback is still planned");
    assert!(!i.window.exact);
    assert!(
        i.reasons
            .iter()
            .any(|r| r.rules == ["P35"] && r.text.contains("busy")),
        "{:?}",
        i.reasons
    );
    clear_of_busy(&t, &p);
}

fn meta(now: &str, today: Date) -> CalendarMeta<'static> {
    CalendarMeta {
        org: OrgId(1),
        rep: REP,
        name: "Rounds plan",
        now: now.parse().unwrap(),
        today,
    }
}

/// The demo's first rep over `days` working days from `from`.
fn demo_calendar(from: Date, days: usize, now: &str) -> (Vec<DayPlan>, String) {
    let mut spec = rounds_demo::DemoSpec::new(7, from);
    spec.reps = 1;
    spec.accounts = 40;
    let data = rounds_demo::generate(&spec);
    let rep = rounds_demo::rep_user_id(0);
    let territory = data.territory_of(rep);
    let plans = ics::plan_days(&territory, &Playbook::default(), rep, from, days);
    let mut m = meta(now, from);
    m.rep = rep;
    let text = ics::plan_calendar(&plans, &territory.accounts, &m);
    (plans, text)
}

/// The value of each line of `block` named `name` (parameters included), unfolded.
fn values<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.split("\r\n").filter(|l| l.starts_with(name)).collect()
}

#[test]
fn the_calendar_has_an_event_per_visit_and_agreed_moment_at_the_plans_times() {
    let (plans, text) = demo_calendar(date(2026, 11, 24), 3, "2026-11-24T06:00:00Z");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    let mut own = 0;
    for p in &plans {
        for i in p.items.iter().filter(|i| ics::is_own_event(i)) {
            own += 1;
            let start = format!(
                "DTSTART;TZID={}:{}",
                i.window.tz.as_str(),
                i.window
                    .date
                    .to_datetime(i.window.start)
                    .strftime("%Y%m%dT%H%M%S")
            );
            let end = format!(
                "DTEND;TZID={}:{}",
                i.window.tz.as_str(),
                i.window
                    .date
                    .to_datetime(i.window.end)
                    .strftime("%Y%m%dT%H%M%S")
            );
            assert!(text.contains(&start), "{start}");
            assert!(text.contains(&end), "{end}");
        }
    }
    assert!(own > 0);
    // One summary event per working day with remote touches; every zone described.
    let days_with_remote = plans
        .iter()
        .filter(|p| p.items.iter().any(|i| !ics::is_own_event(i)))
        .count();
    assert_eq!(
        values(&text, "SUMMARY:Remote touches").len(),
        days_with_remote
    );
    for tz in plans
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| i.window.tz.as_str())
    {
        assert!(text.contains(&format!("BEGIN:VTIMEZONE\r\nTZID:{tz}\r\n")));
    }
    // Every DTSTAMP is the clock reading given.
    assert!(
        values(&text, "DTSTAMP")
            .iter()
            .all(|l| *l == "DTSTAMP:20261124T060000Z")
    );
}

#[test]
fn days_off_are_skipped_and_later_days_do_not_repeat_the_first() {
    // Wednesday before Thanksgiving: Thursday and the weekend are off.
    let (plans, _) = demo_calendar(date(2026, 11, 25), 3, "2026-11-25T06:00:00Z");
    let days: Vec<Date> = plans.iter().map(|p| p.date).collect();
    assert_eq!(
        days,
        [date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 30)]
    );
    let first: std::collections::BTreeSet<ContactId> =
        plans[0].items.iter().map(|i| i.contact).collect();
    let again = plans[1]
        .items
        .iter()
        .filter(|i| first.contains(&i.contact))
        .count();
    assert!(
        again * 2 < plans[1].items.len().max(1),
        "{again} of {} planned again the next working day",
        plans[1].items.len()
    );
}

#[test]
fn uids_are_stable_across_refreshes_and_dtstamp_follows_the_clock() {
    let (_, a) = demo_calendar(date(2026, 11, 24), 2, "2026-11-24T06:00:00Z");
    let (_, b) = demo_calendar(date(2026, 11, 24), 2, "2026-11-24T09:30:00Z");
    assert_eq!(values(&a, "UID:"), values(&b, "UID:"));
    assert!(
        values(&b, "DTSTAMP")
            .iter()
            .all(|l| *l == "DTSTAMP:20261124T093000Z")
    );
    // Same inputs, same document.
    let (_, c) = demo_calendar(date(2026, 11, 24), 2, "2026-11-24T06:00:00Z");
    assert_eq!(a, c);
    let uids = values(&a, "UID:");
    let unique: std::collections::BTreeSet<&&str> = uids.iter().collect();
    assert_eq!(unique.len(), uids.len(), "UIDs are unique");
    assert!(
        uids.iter()
            .all(|u| u.ends_with(&format!("@{}", ics::UID_DOMAIN)))
    );
}

#[test]
fn a_dst_week_carries_both_observances_and_the_plans_local_times() {
    // Chicago leaves daylight time on Sunday 2026-11-01: Friday 30 Oct to Tuesday 3 Nov.
    let zone: TzName = TZ.parse().unwrap();
    let tz = ics::vtimezone(&zone, date(2026, 10, 30), date(2026, 11, 3));
    assert!(tz.starts_with("BEGIN:VTIMEZONE\r\nTZID:America/Chicago\r\n"));
    assert!(tz.contains(
        "BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500\r\nTZNAME:CDT\r\nEND:DAYLIGHT"
    ));
    assert!(tz.contains(
        "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600\r\nTZNAME:CST\r\nEND:STANDARD"
    ));
    // Planned across the change, events keep their local times (09:xx before and after).
    let (plans, text) = demo_calendar(date(2026, 10, 30), 3, "2026-10-30T06:00:00Z");
    assert_eq!(plans.last().unwrap().date, date(2026, 11, 3));
    assert!(text.contains("BEGIN:DAYLIGHT") && text.contains("BEGIN:STANDARD"));
    for i in plans
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| ics::is_own_event(i))
    {
        let line = format!(
            "DTSTART;TZID={}:{}",
            i.window.tz.as_str(),
            i.window
                .date
                .to_datetime(i.window.start)
                .strftime("%Y%m%dT%H%M%S")
        );
        assert!(text.contains(&line), "{line}");
    }
}

#[test]
fn the_plans_own_calendar_read_back_blocks_nothing() {
    let (_, text) = demo_calendar(date(2026, 11, 24), 3, "2026-11-24T06:00:00Z");
    let read = ics::read_busy(
        &text,
        &BusyOptions {
            rep: REP,
            source: "subscribed.ics".into(),
            home: TZ.parse().unwrap(),
            from: "2026-11-24T00:00:00Z".parse().unwrap(),
            to: "2026-12-24T00:00:00Z".parse().unwrap(),
        },
    )
    .unwrap();
    assert!(read.busy.is_empty());
    assert!(read.ignored > 0);
}

#[test]
fn busy_times_read_from_a_file_keep_the_plan_clear() {
    let file = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly@example.org\r\nDTSTART;TZID=America/Chicago:20261117T083000\r\n\
DTEND;TZID=America/Chicago:20261117T103000\r\nRRULE:FREQ=WEEKLY;BYDAY=TU\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:offsite@example.org\r\nDTSTART;VALUE=DATE:20261125\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let read = ics::read_busy(
        file,
        &BusyOptions {
            rep: REP,
            source: "work.ics".into(),
            home: TZ.parse().unwrap(),
            from: local(TUESDAY, 0, 0),
            to: local(date(2026, 12, 2), 0, 0),
        },
    )
    .unwrap();
    // Tuesdays 24 Nov and 1 Dec, and Wednesday 25 Nov all day.
    assert_eq!(read.busy.len(), 3);
    assert!(
        read.busy
            .iter()
            .any(|b| b.all_day && b.start == local(date(2026, 11, 25), 0, 0))
    );
    let mut t = customer(20, TUESDAY);
    t.calendar.busy = read.busy;
    let p = plan(&t, &Playbook::default(), REP, TUESDAY);
    let visit = item(&p, 1).unwrap();
    assert_eq!(visit.channel, Channel::Visit);
    assert!(visit.window.start >= Time::constant(10, 30, 0, 0));
    clear_of_busy(&t, &p);
}
