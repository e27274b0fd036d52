//! The web pages through the router: a small demo territory in a temporary SQLite file,
//! sessions written straight into the store (signing in through /login would cost an
//! argon2 hash per test), requests sent with `oneshot`.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_core::export::OrgData;
use rounds_core::model::{ContactId, OrgId, Role, UserId};
use rounds_core::playbook::{DEFAULT_TOML, Playbook};
use rounds_demo::{DemoSpec, generate};
use rounds_store::{Session, SqlStore, Store, WriteMode};
use tower::ServiceExt;

const TODAY: Date = date(2026, 11, 24);

struct App {
    router: Router,
    store: SqlStore,
    data: OrgData,
    org: OrgId,
    _dir: tempfile::TempDir,
}

/// A signed-in browser: its cookie and the CSRF token its forms carry.
struct Browser {
    cookie: String,
    csrf: String,
}

fn now() -> Timestamp {
    "2026-11-24T15:00:00Z".parse().unwrap()
}

async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("pages.db").display()
    );
    let store = SqlStore::connect(&url).await.unwrap();
    let mut spec = DemoSpec::new(11, TODAY);
    spec.reps = 2;
    spec.accounts = 40;
    let data = generate(&spec);
    store.write_org(&data, WriteMode::Replace).await.unwrap();
    let org = data.organisation.id;
    // One hash for everyone: argon2 is slow on purpose, and no test signs in by password.
    let hash = rounds_web::hash_password("correct horse battery").unwrap();
    for u in &data.users {
        store
            .set_password(org, u.id, &u.email, &hash)
            .await
            .unwrap();
    }
    let state = rounds_web::AppState::new(
        store.clone(),
        Playbook::default(),
        DEFAULT_TOML.to_string(),
        rounds_web::FixedClock(now()),
        rounds_web::Config {
            fixed_date: Some(TODAY),
            ..Default::default()
        },
    );
    App {
        router: rounds_web::router(state),
        store,
        data,
        org,
        _dir: dir,
    }
}

impl App {
    fn user(&self, role: Role, nth: usize) -> UserId {
        self.data
            .users
            .iter()
            .filter(|u| u.role == role)
            .nth(nth)
            .unwrap()
            .id
    }

    async fn browser(&self, user: UserId) -> Browser {
        let token = rounds_web::new_secret();
        let csrf = rounds_web::new_secret();
        let at = now().as_second();
        self.store
            .create_session(
                &rounds_web::secret_hash(&token),
                &Session {
                    org: self.org,
                    user,
                    csrf: csrf.clone(),
                    created_at: at,
                    seen_at: at,
                },
            )
            .await
            .unwrap();
        Browser {
            cookie: format!("rounds_session={token}"),
            csrf,
        }
    }

    fn account_of(&self, rep: UserId) -> i64 {
        self.data
            .accounts
            .iter()
            .find(|a| a.rep == rep)
            .unwrap()
            .id
            .0
    }

    fn contact_of(&self, rep: UserId) -> ContactId {
        let account = self.account_of(rep);
        self.data
            .contacts
            .iter()
            .find(|c| c.account.0 == account)
            .unwrap()
            .id
    }

    async fn get(&self, b: &Browser, path: &str) -> (StatusCode, String) {
        let req = Request::get(path)
            .header(header::COOKIE, &b.cookie)
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn post(&self, b: &Browser, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = Request::post(path)
            .header(header::COOKIE, &b.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        // The message a redirect carries to the next page rides in its cookie.
        let flash = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.strip_prefix("rounds_flash="))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
            .next()
            .map(|v| {
                let pair = format!("m={v}");
                form_urlencoded::parse(pair.as_bytes())
                    .next()
                    .map(|(_, m)| m.into_owned())
                    .unwrap_or_default()
            });
        let location = res.headers().get(header::LOCATION).map(|v| {
            let to = v.to_str().unwrap();
            match &flash {
                Some(f) => format!("{to} · {f}"),
                None => to.to_string(),
            }
        });
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        // A redirect's body is empty; its target (and message) is what a test reads.
        (status, location.unwrap_or(body))
    }

    async fn touches_of(&self, contact: ContactId) -> usize {
        self.store
            .touches_for_contact(self.org, contact)
            .await
            .unwrap()
            .len()
    }
}

#[tokio::test]
async fn every_page_renders_for_a_rep() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let account = app.account_of(rep);
    let contact = app.contact_of(rep).0;
    for path in [
        "/today".to_string(),
        "/accounts".to_string(),
        "/accounts?q=a&status=customer".to_string(),
        format!("/accounts/{account}"),
        format!("/contacts/{contact}"),
        "/log".to_string(),
        format!("/log?contact={contact}"),
        "/topics".to_string(),
        "/referrals".to_string(),
        "/lost".to_string(),
        "/calendar".to_string(),
        "/today?date=2026-11-26".to_string(),
        "/settings".to_string(),
    ] {
        let (status, body) = app.get(&b, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(!body.contains("<script"), "{path} needs no script");
    }
}

#[tokio::test]
async fn account_page_shows_timeline_contacts_topics_and_profile() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let (status, body) = app
        .get(&b, &format!("/accounts/{}", app.account_of(rep)))
        .await;
    assert_eq!(status, StatusCode::OK);
    for id in [
        "id=\"timeline\"",
        "id=\"contacts\"",
        "id=\"topics\"",
        "id=\"profile\"",
        "[P24]",
    ] {
        assert!(body.contains(id), "{id} missing");
    }
    assert!(body.contains(&format!("/contacts/{}", app.contact_of(rep).0)));
}

#[tokio::test]
async fn stranger_is_sent_to_sign_in() {
    let app = app().await;
    let req = Request::get("/accounts").body(Body::empty()).unwrap();
    let (status, location) = app.send(req).await;
    assert!(status.is_redirection());
    assert_eq!(location, "/login");
}

#[tokio::test]
async fn team_is_404_for_a_rep_and_shown_to_the_manager() {
    let app = app().await;
    let rep = app.browser(app.user(Role::Rep, 0)).await;
    let (status, _) = app.get(&rep, "/team").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let manager = app.browser(app.user(Role::Manager, 0)).await;
    let (status, body) = app.get(&manager, "/team").await;
    assert_eq!(status, StatusCode::OK);
    for r in app.data.users.iter().filter(|u| u.role == Role::Rep) {
        assert!(
            body.contains(&format!("/today?rep={}", r.id.0)),
            "{} listed",
            r.name
        );
    }
}

#[tokio::test]
async fn another_reps_account_and_contact_answer_404() {
    let app = app().await;
    let me = app.user(Role::Rep, 0);
    let other = app.user(Role::Rep, 1);
    let b = app.browser(me).await;
    let (status, _) = app
        .get(&b, &format!("/accounts/{}", app.account_of(other)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(&b, &format!("/contacts/{}", app.contact_of(other).0))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(&b, "/accounts/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A manager of the team sees both.
    let manager = app.browser(app.user(Role::Manager, 0)).await;
    let (status, _) = app
        .get(&manager, &format!("/accounts/{}", app.account_of(other)))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_post_without_the_right_csrf_is_refused_and_writes_nothing() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let contact = app.contact_of(rep);
    let before = app.touches_of(contact).await;
    let id = contact.0.to_string();
    for csrf in ["", "not-the-token"] {
        let (status, _) = app
            .post(
                &b,
                "/log",
                &[
                    ("csrf", csrf),
                    ("contact", &id),
                    ("channel", "call"),
                    ("outcome", "conversation"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.touches_of(contact).await, before);

    let manager = app.browser(app.user(Role::Manager, 0)).await;
    let topics = app.store.topics(app.org).await.unwrap().len();
    let (status, _) = app
        .post(
            &manager,
            "/topics",
            &[("csrf", &b.csrf), ("title", "Stolen token")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another session's token is refused"
    );
    assert_eq!(app.store.topics(app.org).await.unwrap().len(), topics);
}

#[tokio::test]
async fn a_bad_log_form_answers_422_naming_the_field_and_writes_nothing() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let contact = app.contact_of(rep);
    let before = app.touches_of(contact).await;
    let id = contact.0.to_string();
    let other = app.contact_of(app.user(Role::Rep, 1)).0.to_string();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("contact", &id),
                ("channel", "carrier-pigeon"),
                ("outcome", "conversation"),
            ],
            "channel",
        ),
        (
            vec![("contact", &id), ("channel", "call"), ("outcome", "maybe")],
            "outcome",
        ),
        (
            vec![("channel", "call"), ("outcome", "conversation")],
            "contact",
        ),
        (
            vec![
                ("contact", &other),
                ("channel", "call"),
                ("outcome", "conversation"),
            ],
            "contact",
        ),
        (
            vec![
                ("contact", &id),
                ("channel", "call"),
                ("outcome", "conversation"),
                ("next_step_what", "Send the leaflet"),
            ],
            // The rule is rounds-app's, so the field is named as in the API.
            "next_step.due",
        ),
        (
            vec![
                ("contact", &id),
                ("channel", "call"),
                ("outcome", "conversation"),
                ("next_step_what", "x"),
                ("next_step_due", "tomorrow"),
            ],
            "next_step_due",
        ),
        (
            vec![
                ("contact", &id),
                ("channel", "call"),
                ("outcome", "conversation"),
                ("topics", "999999"),
            ],
            "topics[0]",
        ),
        (
            vec![
                ("contact", &id),
                ("channel", "call"),
                ("outcome", "conversation"),
                ("callback_at", "soon"),
            ],
            "callback_at",
        ),
    ];
    for (mut form, field) in cases {
        form.push(("csrf", &b.csrf));
        let (status, body) = app.post(&b, "/log", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(
            body.contains(&format!("<code>{field}</code>")),
            "{field} named in {body}"
        );
        assert!(body.contains("id=\"log-touch\""), "the form comes back");
    }
    assert_eq!(app.touches_of(contact).await, before);
}

#[tokio::test]
async fn a_good_log_form_writes_every_field_and_returns_to_today() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let contact = app.contact_of(rep);
    let before = app.touches_of(contact).await;
    let topics = app.store.topics(app.org).await.unwrap();
    let (t1, t2) = (topics[0].id.0.to_string(), topics[1].id.0.to_string());
    let id = contact.0.to_string();
    let (status, location) = app
        .post(
            &b,
            "/log",
            &[
                ("csrf", &b.csrf),
                ("contact", &id),
                ("channel", "visit"),
                ("direction", "outbound"),
                ("outcome", "positive"),
                ("kind", "routine"),
                ("primary_topic", &t2),
                ("topics", &t1),
                ("topics", &t2),
                ("explain_better", &t1),
                ("next_step_what", "Bring the outcomes study"),
                ("next_step_due", "2026-12-01"),
                ("callback_at", "2026-11-26T10:30"),
                ("note", "Good talk"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/today · Logged"), "{location}");
    let touches = app
        .store
        .touches_for_contact(app.org, contact)
        .await
        .unwrap();
    assert_eq!(touches.len(), before + 1);
    let t = touches.iter().max_by_key(|t| t.id).unwrap();
    assert_eq!(
        t.topics.iter().map(|x| x.0.to_string()).collect::<Vec<_>>(),
        [t2.clone(), t1.clone()]
    );
    assert_eq!(t.primary_topic.map(|x| x.0.to_string()), Some(t2));
    assert_eq!(t.explain_better.len(), 1);
    assert_eq!(t.next_step.as_ref().map(|s| s.due), Some(date(2026, 12, 1)));
    assert!(t.callback_at.is_some());
    assert_eq!(t.note, "Good talk");
    assert_eq!(t.rep, rep);
}

#[tokio::test]
async fn p10_the_log_form_records_why_they_have_not_referred_and_the_account_page_shows_it() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let contact = app.contact_of(rep);
    let id = contact.0.to_string();
    let form = |outcome: &'static str, reason: &'static str| {
        vec![
            ("csrf", b.csrf.clone()),
            ("contact", id.clone()),
            ("channel", "call".to_string()),
            ("outcome", outcome.to_string()),
            ("kind", "records-check".to_string()),
            ("no_referral_reason", reason.to_string()),
            ("no_referral_text", "been busy, we'll see".to_string()),
            ("next_step_what", "Drop off the referral pad".to_string()),
            ("next_step_due", "2026-12-03".to_string()),
        ]
    };
    let before = app.touches_of(contact).await;
    let bad = form("no-response", "vague");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = app.post(&b, "/log", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Not referred because"), "the field is named");
    assert_eq!(app.touches_of(contact).await, before, "nothing was written");

    let good = form("conversation", "vague");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = app.post(&b, "/log", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let touches = app
        .store
        .touches_for_contact(app.org, contact)
        .await
        .unwrap();
    let t = touches.iter().max_by_key(|t| t.id).unwrap();
    let said = t.no_referral.as_ref().expect("the reason is kept");
    assert_eq!(said.reason.as_str(), "vague");
    assert_eq!(said.text, "been busy, we'll see");
    let (_, page) = app
        .get(&b, &format!("/accounts/{}", app.account_of(rep)))
        .await;
    assert!(page.contains("Why they have not referred"), "{page}");
    assert!(page.contains("possible competing relationship"));
}

#[tokio::test]
async fn reps_read_topics_and_managers_add_them() {
    let app = app().await;
    let rep = app.browser(app.user(Role::Rep, 0)).await;
    let (_, body) = app.get(&rep, "/topics").await;
    assert!(!body.contains("action=\"/topics\""), "no add form for reps");
    let before = app.store.topics(app.org).await.unwrap().len();
    let (status, _) = app
        .post(&rep, "/topics", &[("csrf", &rep.csrf), ("title", "Mine")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let manager = app.browser(app.user(Role::Manager, 0)).await;
    let (_, body) = app.get(&manager, "/topics").await;
    assert!(body.contains("action=\"/topics\""));
    let (status, body) = app
        .post(
            &manager,
            "/topics",
            &[
                ("csrf", &manager.csrf),
                ("title", "Bad"),
                ("roles", "astronaut"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("roles"));
    assert_eq!(app.store.topics(app.org).await.unwrap().len(), before);
    let (status, location) = app
        .post(
            &manager,
            "/topics",
            &[
                ("csrf", &manager.csrf),
                ("title", "Fewer prior authorisations"),
                ("pain_points", "prior-auths"),
                ("specialties", "Pain Management, orthopedics"),
                ("roles", "physician"),
                ("roles", "office-manager"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let topics = app.store.topics(app.org).await.unwrap();
    assert_eq!(topics.len(), before + 1);
    let t = topics
        .iter()
        .find(|t| t.title == "Fewer prior authorisations")
        .unwrap();
    assert_eq!(t.roles.len(), 2);
    assert_eq!(t.specialties[0].as_str(), "pain-management");
}

#[tokio::test]
async fn settings_check_lists_every_problem_and_admins_see_users() {
    let app = app().await;
    let rep = app.browser(app.user(Role::Rep, 0)).await;
    let (status, body) = app
        .post(
            &rep,
            "/settings/playbook/check",
            &[
                ("csrf", &rep.csrf),
                ("toml", "[referrals]\nrecent_days = -3\nno_such_key = 1\n"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("recent_days"), "{body}");
    assert!(body.contains("no_such_key"), "{body}");
    assert!(!body.contains("id=\"users\""), "reps do not see users");
    let (_, body) = app
        .post(
            &rep,
            "/settings/playbook/check",
            &[("csrf", &rep.csrf), ("toml", DEFAULT_TOML)],
        )
        .await;
    assert!(body.contains("no problems"));

    let admin = app.browser(app.user(Role::Admin, 0)).await;
    let (status, body) = app.get(&admin, "/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"users\""));
    for u in &app.data.users {
        assert!(body.contains(&u.email), "{} listed", u.email);
    }
    assert!(body.contains("can sign in"));
}

#[tokio::test]
async fn referrals_and_lost_pages_cite_their_rules_and_chart_with_a_fallback() {
    let app = app().await;
    let manager = app.browser(app.user(Role::Manager, 0)).await;
    let (status, body) = app.get(&manager, "/referrals").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("P8") && body.contains("P9"));
    if body.contains("<svg") {
        assert!(body.contains("role=\"img\"") && body.contains("Figures as a table"));
    }
    let (status, body) = app.get(&manager, "/lost").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("P16") && body.contains("P17"));
    if app.data.lost.iter().any(|l| l.lost_on >= date(2025, 1, 1)) {
        assert!(body.contains("<svg") && body.contains("Loss reasons per quarter"));
    }
}

/// The Calendar page sets a rep's week and time off through forms; the Today page then
/// says why the day is off and links the next working day's plan.
#[tokio::test]
async fn calendar_forms_set_the_week_and_time_off_and_today_says_why() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let other = app.user(Role::Rep, 1);
    let b = app.browser(rep).await;
    let me = rep.0.to_string();
    let (status, location) = app
        .post(
            &b,
            "/calendar/time-off",
            &[
                ("csrf", &b.csrf),
                ("rep", &me),
                ("from", "2026-11-24"),
                ("to", "2026-11-25"),
                ("reason", "training"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains(" · Added time off"), "{location}");
    let (_, today) = app.get(&b, "/today").await;
    assert!(
        today.contains("is not a working day: time off (training, 2026-11-24 to 2026-11-25)"),
        "{today}"
    );
    assert!(today.contains("/today?rep="), "links the next working day");
    assert!(today.contains("date=2026-11-27"), "Thanksgiving is skipped");
    let (_, holiday) = app.get(&b, "/today?date=2026-11-26").await;
    assert!(holiday.contains("a holiday: Thanksgiving Day"));
    // A backwards period is refused with its field; another rep's calendar is not ours.
    let (_, location) = app
        .post(
            &b,
            "/calendar/time-off",
            &[
                ("csrf", &b.csrf),
                ("rep", &me),
                ("from", "2026-12-02"),
                ("to", "2026-12-01"),
                ("reason", "x"),
            ],
        )
        .await;
    assert!(location.contains(" · to:"), "{location}");
    let (status, _) = app.get(&b, &format!("/calendar?rep={}", other.0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Monday to Thursday, 08:00-16:00.
    let mut form = vec![
        ("csrf", b.csrf.as_str()),
        ("rep", me.as_str()),
        ("hours", "08:00-16:00"),
    ];
    for d in ["mon", "tue", "wed", "thu"] {
        form.push(("days", d));
    }
    let (status, _) = app.post(&b, "/calendar/week", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cal = app.store.calendar(app.org, rep).await.unwrap();
    assert_eq!(cal.week.unwrap().days.len(), 4);
    let (_, friday) = app.get(&b, "/today?date=2026-11-27").await;
    assert!(
        friday.contains("the rep does not work on Fridays"),
        "{friday}"
    );
    let (_, page) = app.get(&b, "/calendar").await;
    assert!(page.contains("training") && page.contains("08:00-16:00"));
    // Removing the time off makes the days working days again.
    let id = cal.time_off[0].id.0;
    let (status, _) = app
        .post(
            &b,
            &format!("/calendar/time-off/{id}/remove"),
            &[("csrf", &b.csrf), ("rep", &me)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        app.store
            .calendar(app.org, rep)
            .await
            .unwrap()
            .time_off
            .is_empty()
    );
}

/// P15 and P43 on the pages: a second loss needs the replace box and keeps the first;
/// the contact page records a consent to texts.
#[tokio::test]
async fn the_lost_form_needs_replace_and_the_contact_page_records_consent() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let account = app.account_of(rep).to_string();
    let first = [
        ("csrf", b.csrf.as_str()),
        ("account", &account),
        ("lost_on", "2026-11-02"),
        ("reason", "pricing"),
        ("replace", "1"),
    ];
    let (status, _) = app.post(&b, "/lost", &first).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = [
        ("csrf", b.csrf.as_str()),
        ("account", &account),
        ("lost_on", "2026-11-20"),
        ("reason", "other"),
    ];
    let (_, location) = app.post(&b, "/lost", &second).await;
    assert!(location.contains(" · replace:"), "{location}");
    let mut replace = second.to_vec();
    replace.push(("replace", "1"));
    let (_, location) = app.post(&b, "/lost", &replace).await;
    assert!(location.contains("kept as history"), "{location}");
    let (_, page) = app.get(&b, "/lost").await;
    assert!(page.contains("Earlier losses"));
    let contact = app.contact_of(rep);
    let path = format!("/contacts/{}/text-consent", contact.0);
    let (status, _) = app
        .post(
            &b,
            &path,
            &[
                ("csrf", &b.csrf),
                ("on", "2026-11-02"),
                ("source", "signed-form"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let stored = app.store.contact(app.org, contact).await.unwrap().unwrap();
    assert_eq!(stored.text_consent.unwrap().source, "signed-form");
    let (_, page) = app.get(&b, &format!("/contacts/{}", contact.0)).await;
    assert!(
        page.contains("Consent to texts on record: 2026-11-02 (signed-form)"),
        "{page}"
    );
}

#[tokio::test]
async fn p33_today_offers_step_actions_and_the_quick_log_asks_for_the_outcome() {
    let app = app().await;
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let (status, page) = app.get(&b, "/today").await;
    assert_eq!(status, StatusCode::OK);
    // No outcome is chosen for the rep.
    assert!(
        page.contains("<select name=\"outcome\" required>"),
        "{page}"
    );
    assert!(!page.contains("value=\"conversation\" selected"));
    let steps = rounds_core::planner::open_steps(
        &app.store.territory(app.org, rep).await.unwrap(),
        &Playbook::default(),
        TODAY,
    );
    let on_page: Vec<i64> = steps
        .iter()
        .map(|s| s.step.0)
        .filter(|id| page.contains(&format!("action=\"/steps/{id}/skip\"")))
        .collect();
    assert!(!on_page.is_empty(), "no step forms on Today");
    if steps.iter().any(|s| s.triage) {
        assert!(page.contains("id=\"triage\""));
    }
    let id = on_page[0];

    // A skip without a reason changes nothing and says why beside the plan.
    let path = format!("/steps/{id}/skip");
    let (status, to) = app
        .post(&b, &path, &[("csrf", &b.csrf), ("reason", " ")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.contains("reason"), "{to}");
    let stored = |app: &App| {
        let store = app.store.clone();
        let org = app.org;
        async move {
            store
                .step_updates(org, rounds_core::model::TouchId(id))
                .await
                .unwrap()
        }
    };
    assert!(stored(&app).await.is_empty());
    // Without the CSRF token nothing is written either.
    let (status, _) = app.post(&b, &path, &[("reason", "no longer needed")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, to) = app
        .post(
            &b,
            &path,
            &[("csrf", &b.csrf), ("reason", "no longer needed")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/today · Skipped"), "{to}");
    assert_eq!(stored(&app).await.len(), 1);
    let (_, page) = app.get(&b, "/today").await;
    assert!(!page.contains(&format!("action=\"/steps/{id}/skip\"")));

    // The quick log refuses a touch with no outcome chosen.
    let contact = app.contact_of(rep);
    let before = app.touches_of(contact).await;
    let c = contact.0.to_string();
    let (status, _) = app
        .post(
            &b,
            "/touches",
            &[
                ("csrf", &b.csrf),
                ("contact", &c),
                ("channel", "call"),
                ("outcome", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.touches_of(contact).await, before);
    // It can set a next step.
    let (status, _) = app
        .post(
            &b,
            "/touches",
            &[
                ("csrf", &b.csrf),
                ("contact", &c),
                ("channel", "call"),
                ("outcome", "conversation"),
                ("next_step_what", "send the leaflet"),
                ("next_step_due", "2026-11-27"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let touches = app
        .store
        .touches_for_contact(app.org, contact)
        .await
        .unwrap();
    let last = touches.iter().max_by_key(|t| t.id).unwrap();
    assert_eq!(last.next_step.as_ref().unwrap().what, "send the leaflet");
}

#[tokio::test]
async fn the_audit_page_shows_a_form_write_as_its_author_to_admins_only() {
    let app = app().await;
    // More than a page of changes before the form's.
    for t in app
        .store
        .topics(app.org)
        .await
        .unwrap()
        .iter()
        .cycle()
        .take(50)
    {
        app.store.save_topic(app.org, t).await.unwrap();
    }
    let rep = app.user(Role::Rep, 0);
    let b = app.browser(rep).await;
    let id = app.contact_of(rep).0.to_string();
    let (status, _) = app
        .post(
            &b,
            "/log",
            &[
                ("csrf", &b.csrf),
                ("contact", &id),
                ("channel", "call"),
                ("direction", "outbound"),
                ("outcome", "no-response"),
                ("kind", "routine"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = app.get(&b, "/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, today) = app.get(&b, "/today").await;
    assert!(!today.contains("href=\"/audit\""), "reps get no Audit link");

    let admin = app.browser(app.user(Role::Admin, 0)).await;
    let (status, body) = app.get(&admin, "/audit").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("href=\"/audit\""),
        "admins get the Audit link"
    );
    assert!(body.contains("The chain is whole"), "{body}");
    let newest = body
        .split("<tbody>")
        .nth(1)
        .and_then(|rows| rows.split("</tr>").next())
        .unwrap();
    for cell in [
        format!("user:{}", rep.0),
        "2026-11-24T15:00:00Z".into(),
        "touch ".into(),
        "create".into(),
    ] {
        assert!(newest.contains(&cell), "{cell} missing from {newest}");
    }
    assert!(body.contains("href=\"/audit?page=2\""), "{body}");
    let (status, older) = app.get(&admin, "/audit?page=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(older.contains("rel=\"prev\""));
}

/// P18 on the Lost page: losses per quarter by competitor (however its name was typed)
/// and, for a lead, by rep, each with its total.
#[tokio::test]
async fn p18_the_lost_page_shows_losses_by_competitor_and_by_rep() {
    let app = app().await;
    let admin = app.browser(app.user(Role::Admin, 0)).await;
    let (ann, bob) = (app.user(Role::Rep, 0), app.user(Role::Rep, 1));
    for (rep, competitor) in [(ann, "Zeta Pharma Test"), (bob, "  zeta  pharma test")] {
        let account = app.account_of(rep).to_string();
        let form = [
            ("csrf", admin.csrf.as_str()),
            ("account", &account),
            ("lost_on", "2026-11-02"),
            ("reason", "competitor-won-contract"),
            ("competitor", competitor),
            ("replace", "1"),
        ];
        let (status, _) = app.post(&admin, "/lost", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (_, page) = app.get(&admin, "/lost").await;
    let section = |id: &str| {
        page.split(&format!("<section id=\"{id}\">"))
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or_else(|| panic!("no #{id} on the page"))
            .to_string()
    };
    let competitors = section("by-competitor");
    let row = competitors
        .split("<tr>")
        .find(|r| r.to_lowercase().contains("zeta pharma test"))
        .expect("one row for the competitor");
    assert!(row.contains("<td><strong>2</strong></td>"), "{row}");
    assert_eq!(
        competitors
            .to_lowercase()
            .matches("zeta pharma test")
            .count(),
        1,
        "one group however it was typed: {competitors}"
    );
    let reps = section("by-rep");
    for rep in [ann, bob] {
        let name = &app.data.users.iter().find(|u| u.id == rep).unwrap().name;
        assert!(reps.contains(name.as_str()), "{name} in {reps}");
    }
}
