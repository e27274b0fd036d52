//! The plan in the rep's calendar through the router, on SQLite and PostgreSQL: the feed
//! made through the API is read by an independent iCalendar parser (Python's
//! `icalendar`, from `.ci/venv`) and every event's start, end and zone equal the plan's;
//! a revoked or replaced address answers 404; the Settings page makes (showing the
//! address once), replaces and revokes it behind its CSRF token.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use rounds_core::ics;
use rounds_core::model::UserId;
use rounds_core::playbook::Playbook;
use rounds_store::Store;

on_both_backends!(
    the_feed_read_by_an_independent_parser_matches_the_plan,
    across_a_daylight_saving_change_the_parser_reads_the_plans_times,
    a_revoked_or_replaced_feed_answers_404,
    only_the_user_or_an_administrator_makes_a_users_feed,
    the_settings_page_makes_shows_once_and_revokes_the_feed_behind_its_csrf_token,
);

const REP: UserId = UserId(1);
const ADMIN: UserId = UserId(6);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether a tool the test needs is installed: under `CI` it must be.
fn tool_ready(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing and CI is set; `bash .ci/tools.sh` installs it");
    }
    eprintln!("notice: {what} is missing; skipping (run `bash .ci/tools.sh`)");
    false
}

async fn get(app: &axum::Router, path: &str) -> Answer {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

/// Makes the user's feed through the API: its address's path.
async fn make_feed(app: &axum::Router, token: &str) -> String {
    let a = api(app, token, "POST", "/api/v1/calendar-feed", None).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.json()["path"].as_str().unwrap().to_string()
}

/// What Python's `icalendar` reads of each event: UID → (start, end, TZID, start and end
/// as UTC instants); dates for all-day events, with no zone.
const READER: &str = r#"
import json, sys, datetime
import icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = {}
for ev in cal.walk('VEVENT'):
    s, e = ev.decoded('DTSTART'), ev.decoded('DTEND')
    if isinstance(s, datetime.datetime):
        utc = datetime.timezone.utc
        out[str(ev['UID'])] = [s.replace(tzinfo=None).isoformat(), e.replace(tzinfo=None).isoformat(),
            str(ev['DTSTART'].params.get('TZID')), s.astimezone(utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            e.astimezone(utc).strftime('%Y-%m-%dT%H:%M:%SZ')]
    else:
        out[str(ev['UID'])] = [s.isoformat(), e.isoformat(), 'DATE', '', '']
print(json.dumps(out))
"#;

async fn the_feed_read_by_an_independent_parser_matches_the_plan(db: &TestDb) {
    seed_demo(&db.store).await;
    feed_matches_the_plan(db, DAY).await;
}

async fn across_a_daylight_saving_change_the_parser_reads_the_plans_times(db: &TestDb) {
    // Friday 30 October: the feed's days run past Sunday 1 November, when the demo's
    // zones leave daylight time.
    let day = jiff::civil::date(2026, 10, 30);
    let data = rounds_demo::generate(&rounds_demo::DemoSpec::new(7, day));
    db.store
        .write_org(&data, rounds_store::WriteMode::Replace)
        .await
        .unwrap();
    let rep = data.users.iter().find(|u| u.id == REP).unwrap();
    db.store
        .set_password(ORG, REP, &rep.email, &PASSWORD_HASH)
        .await
        .unwrap();
    feed_matches_the_plan(db, day).await;
}

/// Makes the rep's feed through the API, reads it back through the router on `day`,
/// and has Python's `icalendar` read every event: start, end and zone as planned.
async fn feed_matches_the_plan(db: &TestDb, day: jiff::civil::Date) {
    let app = rounds_web::router(rounds_web::AppState::new(
        db.store.clone(),
        Playbook::default(),
        String::new(),
        rounds_web::FixedClock(now()),
        rounds_web::Config {
            fixed_date: Some(day),
            ..Default::default()
        },
    ));
    let token = token_for(&db.store, ORG, REP).await;
    let path = make_feed(&app, &token).await;
    // No session, no token: the address is the credential.
    let feed = get(&app, &path).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert!(feed.body.starts_with("BEGIN:VCALENDAR\r\n"));
    // The plan the feed must show: the rep's next working days from the server's day.
    let territory = db.store.territory(ORG, REP).await.unwrap();
    let plans = ics::plan_days(
        &territory,
        &Playbook::default(),
        REP,
        day,
        rounds_app::feed::DEFAULT_DAYS,
    );
    assert_eq!(plans.len(), rounds_app::feed::DEFAULT_DAYS);
    let meta = ics::CalendarMeta {
        org: ORG,
        rep: REP,
        name: "",
        now: now(),
        today: day,
    };
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &plans {
        let mut remote = false;
        for i in &p.items {
            if !ics::is_own_event(i) {
                remote = true;
                continue;
            }
            let w = &i.window;
            let utc = |t| {
                w.date
                    .to_datetime(t)
                    .to_zoned(w.tz.zone())
                    .unwrap()
                    .timestamp()
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
            };
            expected.insert(
                ics::item_uid(&meta, p.date, i),
                vec![
                    w.date
                        .to_datetime(w.start)
                        .strftime("%Y-%m-%dT%H:%M:%S")
                        .to_string(),
                    w.date
                        .to_datetime(w.end)
                        .strftime("%Y-%m-%dT%H:%M:%S")
                        .to_string(),
                    w.tz.as_str().to_string(),
                    utc(w.start),
                    utc(w.end),
                ],
            );
        }
        if remote {
            expected.insert(
                ics::remote_uid(&meta, p.date),
                vec![
                    p.date.to_string(),
                    p.date.tomorrow().unwrap().to_string(),
                    "DATE".into(),
                    String::new(),
                    String::new(),
                ],
            );
        }
    }
    assert!(expected.len() > plans.len(), "visits and agreed moments");
    let python = repo().join(".ci/venv/bin/python");
    if !tool_ready("Python's icalendar (.ci/venv/bin/python)", python.exists()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, &feed.body).unwrap();
    let out = Command::new(&python)
        .arg("-c")
        .arg(READER)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: BTreeMap<String, Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read.len(), expected.len());
    for (uid, want) in &expected {
        assert_eq!(read.get(uid), Some(want), "{uid}");
    }
}

async fn a_revoked_or_replaced_feed_answers_404(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, REP).await;
    let first = make_feed(&app, &token).await;
    assert_eq!(get(&app, &first).await.status, StatusCode::OK);
    // A new address replaces the old one.
    let second = make_feed(&app, &token).await;
    assert_ne!(first, second);
    assert_eq!(get(&app, &first).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, &second).await.status, StatusCode::OK);
    // Revoked: 404, like an address that never was, or one without its suffix.
    let a = api(&app, &token, "DELETE", "/api/v1/calendar-feed", None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    assert_eq!(get(&app, &second).await.status, StatusCode::NOT_FOUND);
    let a = api(&app, &token, "DELETE", "/api/v1/calendar-feed", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let unknown = format!("/calendar/{}.ics", "0".repeat(64));
    assert_eq!(get(&app, &unknown).await.status, StatusCode::NOT_FOUND);
    let bare = second.trim_end_matches(".ics").to_string();
    assert_eq!(get(&app, &bare).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "/calendar/x.ics").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn only_the_user_or_an_administrator_makes_a_users_feed(db: &TestDb) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let rep = token_for(&db.store, ORG, REP).await;
    let a = api(&app, &rep, "POST", "/api/v1/calendar-feed?user=2", None).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert_eq!(
        db.store.calendar_feed_of(ORG, UserId(2)).await.unwrap(),
        None
    );
    let admin = token_for(&db.store, ORG, ADMIN).await;
    let a = api(&app, &admin, "POST", "/api/v1/calendar-feed?user=2", None).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.json()["user"], 2);
    assert!(
        db.store
            .calendar_feed_of(ORG, UserId(2))
            .await
            .unwrap()
            .is_some()
    );
    let a = api(&app, &admin, "DELETE", "/api/v1/calendar-feed?user=2", None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
}

async fn the_settings_page_makes_shows_once_and_revokes_the_feed_behind_its_csrf_token(
    db: &TestDb,
) {
    seed_demo(&db.store).await;
    let app = rounds_web::router(state(db.store.clone()));
    let (cookie, csrf) = session_for(&db.store, REP).await;
    let page = |path: &'static str| {
        let (cookie, app) = (cookie.clone(), app.clone());
        async move {
            send(
                &app,
                Request::get(path)
                    .header(header::COOKIE, format!("rounds_session={cookie}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    let settings = page("/settings").await;
    assert!(settings.body.contains("You have no calendar feed."));
    let forged = form(
        &app,
        &cookie,
        "/settings/calendar-feed",
        &[("csrf", "forged")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(db.store.calendar_feed_of(ORG, REP).await.unwrap(), None);
    let made = form(&app, &cookie, "/settings/calendar-feed", &[("csrf", &csrf)]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.headers[header::CACHE_CONTROL], "no-store");
    let start = made
        .body
        .find("/calendar/")
        .expect("the address on the page");
    let path: String = made.body[start..]
        .chars()
        .take_while(|c| !matches!(c, '<' | '"' | ' '))
        .collect();
    assert!(path.ends_with(".ics"), "{path}");
    assert_eq!(get(&app, &path).await.status, StatusCode::OK);
    // Shown once: the Settings page says a feed exists, never its address.
    let settings = page("/settings").await;
    assert!(
        settings
            .body
            .contains("Your feed was made 2026-11-24 14:30 UTC.")
    );
    assert!(!settings.body.contains(&path));
    let revoked = form(
        &app,
        &cookie,
        "/settings/calendar-feed/revoke",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(revoked.body.contains("its address no longer works"));
    assert_eq!(get(&app, &path).await.status, StatusCode::NOT_FOUND);
}
