//! `rounds calendar` end to end on a temporary SQLite database: the plan exported as
//! iCalendar, the feed's address made and revoked, and busy times imported from a
//! calendar file (again without change, a bad file refused by line with nothing stored)
//! that the next plans keep clear of.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde_json::Value;

mod common;
use common::Rounds;

/// The demo of seed 7 on 2026-11-24, the territory every check here plans.
fn demo() -> Rounds {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "7", "--date", "2026-11-24"]);
    r
}

/// Runs a command that must fail with status 1: its stderr.
fn fails(r: &Rounds, args: &[&str]) -> String {
    let out = r.run(args);
    assert_eq!(out.status.code(), Some(1), "rounds {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

/// Writes a file beside the database: its path.
fn file(r: &Rounds, name: &str, text: &str) -> String {
    let path = r.path(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn uids(ics: &str) -> Vec<&str> {
    ics.split("\r\n")
        .filter(|l| l.starts_with("UID:"))
        .collect()
}

#[test]
fn calendar_export_prints_the_working_days_plans_as_icalendar() {
    let r = demo();
    let args = [
        "calendar",
        "export",
        "--rep",
        "1",
        "--from",
        "2026-11-24",
        "--days",
        "3",
    ];
    let ics = r.ok(&args);
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{ics}"
    );
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:America/"));
    assert!(ics.contains("SUMMARY:Visit: "));
    // Wednesday, then Friday and Monday: Thanksgiving and the weekend are off.
    for day in ["20261124", "20261125", "20261127"] {
        assert!(ics.contains(&format!("UID:{day}-")), "{day}");
    }
    assert!(!ics.contains("UID:20261126-"));
    // The same plan, the same events.
    assert_eq!(uids(&r.ok(&args)), uids(&ics));
    let err = fails(&r, &["calendar", "export", "--rep", "1", "--days", "0"]);
    assert!(err.contains("--days"), "{err}");
}

#[test]
fn calendar_feed_new_prints_its_address_once_and_revoke_ends_it() {
    let r = demo();
    let out = r.ok(&[
        "calendar",
        "feed",
        "new",
        "--rep",
        "1",
        "--base-url",
        "https://rounds.example.com/",
    ]);
    let address = out.trim();
    let secret = address
        .strip_prefix("https://rounds.example.com/calendar/")
        .and_then(|s| s.strip_suffix(".ics"))
        .unwrap_or_else(|| panic!("{address}"));
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    r.ok(&["calendar", "feed", "revoke", "--rep", "1"]);
    let err = fails(&r, &["calendar", "feed", "revoke", "--rep", "1"]);
    assert!(err.contains("no calendar feed"), "{err}");
}

/// A morning meeting on Tuesday 24 November (Chicago time), an all-day off-site on
/// Wednesday, a cancelled meeting and one marked free.
const BUSY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Calendar//EN\r\n\
BEGIN:VEVENT\r\nUID:qbr@example.org\r\nSUMMARY:Quarterly review\r\n\
DTSTART;TZID=America/Chicago:20261124T080000\r\nDTEND;TZID=America/Chicago:20261124T120000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:offsite@example.org\r\nSUMMARY:Off-site\r\nDTSTART;VALUE=DATE:20261125\r\nDTEND;VALUE=DATE:20261126\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:gone@example.org\r\nSTATUS:CANCELLED\r\nDTSTART:20261124T200000Z\r\nDTEND:20261124T210000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:free@example.org\r\nTRANSP:TRANSPARENT\r\nDTSTART:20261124T200000Z\r\nDTEND:20261124T210000Z\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

fn instant(date: &Value, time: &Value, tz: &Value) -> Timestamp {
    let d: Date = date.as_str().unwrap().parse().unwrap();
    let t: Time = time.as_str().unwrap().parse().unwrap();
    d.to_datetime(t)
        .to_zoned(jiff::tz::TimeZone::get(tz.as_str().unwrap()).unwrap())
        .unwrap()
        .timestamp()
}

#[test]
fn busy_times_imported_from_a_calendar_file_keep_the_plan_clear() {
    let r = demo();
    let file = file(&r, "work.ics", BUSY);
    let import = [
        "calendar",
        "busy",
        "import",
        &file,
        "--rep",
        "1",
        "--from",
        "2026-11-24",
        "--tz",
        "America/Chicago",
    ];
    let out = r.ok(&import);
    assert!(out.contains("2 added, 0 removed, 0 unchanged"), "{out}");
    assert!(out.contains("2 event(s) skipped"), "{out}");
    // The same file again changes nothing.
    let out = r.ok(&import);
    assert!(out.contains("0 added, 0 removed, 2 unchanged"), "{out}");
    let listed: Value =
        serde_json::from_str(&r.ok(&["calendar", "busy", "list", "--rep", "1", "--json"])).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    // Tuesday: nothing planned in the meeting. Wednesday: nothing in person.
    let meeting = (
        "2026-11-24T14:00:00Z".parse::<Timestamp>().unwrap(),
        "2026-11-24T18:00:00Z".parse::<Timestamp>().unwrap(),
    );
    let plan: Value =
        serde_json::from_str(&r.ok(&["today", "--rep", "1", "--date", "2026-11-24", "--json"]))
            .unwrap();
    let items = plan["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for i in items {
        let w = &i["window"];
        let (s, e) = (
            instant(&w["date"], &w["start"], &w["tz"]),
            instant(&w["date"], &w["end"], &w["tz"]),
        );
        assert!(e <= meeting.0 || s >= meeting.1, "{w}");
    }
    let plan: Value =
        serde_json::from_str(&r.ok(&["today", "--rep", "1", "--date", "2026-11-25", "--json"]))
            .unwrap();
    assert!(
        plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["channel"] != "visit")
    );
    assert!(plan["route"].is_null());
    // Cleared, the morning is free again.
    let out = r.ok(&[
        "calendar", "busy", "clear", "--rep", "1", "--source", "work.ics",
    ]);
    assert!(out.contains("Removed 2 busy time(s)"), "{out}");
}

#[test]
fn a_bad_calendar_file_is_refused_by_line_and_nothing_is_stored() {
    let r = demo();
    let good = file(&r, "work.ics", BUSY);
    r.ok(&[
        "calendar",
        "busy",
        "import",
        &good,
        "--rep",
        "1",
        "--from",
        "2026-11-24",
    ]);
    let before = r.ok(&["calendar", "busy", "list", "--rep", "1", "--json"]);
    // The same calendar with the meeting moved (to be replaced) and a broken start on
    // line 13, in the second event.
    let broken = BUSY
        .replace("20261124T080000", "20261124T090000")
        .replace("DTSTART;VALUE=DATE:20261125", "DTSTART:2026-11-25");
    assert!(
        broken
            .split("\r\n")
            .nth(12)
            .unwrap()
            .starts_with("DTSTART:2026-11-25")
    );
    let bad = file(&r, "work.ics", &broken);
    let err = fails(
        &r,
        &[
            "calendar",
            "busy",
            "import",
            &bad,
            "--rep",
            "1",
            "--from",
            "2026-11-24",
        ],
    );
    assert!(
        err.contains(&format!("{bad}:13: DTSTART: `2026-11-25` is not a date")),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(
        r.ok(&["calendar", "busy", "list", "--rep", "1", "--json"]),
        before
    );
    // Not a calendar at all.
    let junk = file(&r, "notes.ics", "hello\n");
    let err = fails(&r, &["calendar", "busy", "import", &junk, "--rep", "1"]);
    assert!(
        err.contains(&format!("{junk}:1: not an iCalendar file")),
        "{err}"
    );
}
