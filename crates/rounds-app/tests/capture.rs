//! Mail captured without retyping (P48), through the use cases on both backends: BCC'd,
//! forwarded and reply mail logged on the right contact, replies ending the cadence and
//! completing the step, the review list, duplicates, mboxes and broken files.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_app::{Actor, AppError, StepFilter, TouchInput};
use rounds_core::capture::{ReviewReason, ReviewState};
use rounds_core::model::{
    Channel, ContactId, Direction, OrgId, Outcome, StepAction, Touch, TouchId, UserId,
};
use rounds_core::playbook::Playbook;
use rounds_store::Store;
use rounds_testkit::{TestDb, at, both_backends, now};

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Mo Manager","email":"mo@example.org","role":"manager","team":"north"}
{"record":"account","id":1,"name":"Lakeside Orthopaedics","rep":1,"kind":"practice","segment":"medical-provider","address":{"street":"1 Lake St","city":"Chicago","region":"IL","postal_code":"60601","lat":41.88,"lon":-87.63},"tz":"America/Chicago","access":"open","status":"prospect"}
{"record":"contact","id":1,"account":1,"name":"Maria Lopez","role":"office-manager","influence":"decision-maker","channels":{"email":"Maria@Lakeside.example"}}
{"record":"contact","id":2,"account":1,"name":"John Smith","role":"physician","influence":"influencer","channels":{"email":"js1@lakeside.example"}}
{"record":"contact","id":3,"account":1,"name":"John  smith","role":"front-desk","influence":"gatekeeper","channels":{"email":"js2@lakeside.example"}}
{"record":"contact","id":4,"account":1,"name":"Ann Lee","role":"head-nurse","influence":"user","channels":{}}
"#;

const ORG: OrgId = OrgId(1);

async fn operator(db: &TestDb) -> Actor {
    let empty = Actor::operator(ORG, vec![]);
    rounds_app::import(&db.store, &empty, SEED).await.unwrap();
    Actor::load(&db.store, ORG, None).await.unwrap()
}

/// A message from header lines and a body, with CRLF line ends as on the wire.
fn mail(headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut m = String::new();
    for (k, v) in headers {
        m.push_str(&format!("{k}: {v}\r\n"));
    }
    m.push_str("\r\n");
    m.push_str(&body.replace('\n', "\r\n"));
    m.into_bytes()
}

async fn touches(db: &TestDb, contact: i64) -> Vec<Touch> {
    db.store
        .touches_for_contact(ORG, ContactId(contact))
        .await
        .unwrap()
}

async fn p48_bcc_mail_is_logged_on_the_contact(db: &TestDb) {
    let op = operator(db).await;
    let sent = mail(
        &[
            ("From", "Rita Rep <rita@example.org>"),
            ("To", "Maria Lopez <maria@lakeside.example>"),
            ("Cc", "Mo Manager <MO@example.org>"),
            ("Subject", "Prior authorisations: the two-minute version"),
            ("Date", "Tue, 24 Nov 2026 08:15:00 -0600"),
            ("Message-ID", "<bcc-1@mail.example.org>"),
        ],
        "Dear Maria,\nthe patient in room 4 ...\n",
    );
    let done = rounds_app::capture_mail(&db.store, &op, &sent, now())
        .await
        .unwrap();
    assert_eq!((done.messages, done.duplicates), (1, 0));
    assert!(
        done.review.is_empty(),
        "the manager in Cc is a user, not a party"
    );
    let logged = touches(db, 1).await;
    assert_eq!(logged.len(), 1);
    let t = &logged[0];
    assert_eq!(t.channel, Channel::Email);
    assert_eq!(t.direction, Direction::Outbound);
    assert_eq!(t.outcome, Outcome::NoResponse);
    assert_eq!(t.rep, UserId(1), "the account's owner");
    assert_eq!(t.at, at("2026-11-24T14:15:00Z"));
    // The subject only: a body may hold patient data.
    assert_eq!(t.note, "Prior authorisations: the two-minute version");
}

async fn p48_forwarded_mail_lands_on_the_original_party(db: &TestDb) {
    let op = operator(db).await;
    // Forwarded as an attachment: the original came from Maria, so it is her reply.
    let original = "From: Maria Lopez <maria@lakeside.example>\r\nTo: rita@example.org\r\n\
                    Subject: Re: samples\r\nDate: Mon, 23 Nov 2026 09:00:00 -0600\r\n\
                    Message-ID: <orig-1@lakeside.example>\r\n\r\nYes please.\r\n";
    let attached = format!(
        "From: Rita Rep <rita@example.org>\r\nTo: capture@rounds.example\r\n\
         Subject: Fwd: Re: samples\r\nDate: Tue, 24 Nov 2026 08:00:00 -0600\r\n\
         Message-ID: <fwd-1@mail.example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nFYI\r\n\
         --b1\r\nContent-Type: message/rfc822\r\n\r\n{original}\r\n--b1--\r\n"
    );
    rounds_app::capture_mail(&db.store, &op, attached.as_bytes(), now())
        .await
        .unwrap();
    let maria = touches(db, 1).await;
    assert_eq!(maria.len(), 1);
    assert_eq!(maria[0].direction, Direction::Inbound);
    assert_eq!(maria[0].outcome, Outcome::Conversation);
    assert_eq!(
        maria[0].at,
        at("2026-11-23T15:00:00Z"),
        "the original's date"
    );
    assert_eq!(maria[0].note, "Re: samples");

    // Forwarded inline (Gmail's block): Rita wrote the original to Ann, known by name.
    let inline = mail(
        &[
            ("From", "rita@example.org"),
            ("To", "capture@rounds.example"),
            ("Subject", "Fwd: Staffing"),
            ("Date", "Tue, 24 Nov 2026 08:30:00 -0600"),
            ("Message-ID", "<fwd-2@mail.example.org>"),
        ],
        "\n---------- Forwarded message ---------\nFrom: Rita Rep <rita@example.org>\n\
         Date: Mon, Nov 23, 2026 at 4:05 PM\nSubject: Staffing\nTo: Ann Lee <ann.lee@gmail.example>\n\n\
         Hi Ann,\n",
    );
    rounds_app::capture_mail(&db.store, &op, &inline, now())
        .await
        .unwrap();
    let ann = touches(db, 4).await;
    assert_eq!(ann.len(), 1, "matched by the one contact named Ann Lee");
    assert_eq!(ann[0].direction, Direction::Outbound);
    assert_eq!(ann[0].outcome, Outcome::NoResponse);
    assert_eq!(ann[0].note, "Staffing");
    // 4:05 PM on the forwarder's clock (-06:00).
    assert_eq!(ann[0].at, at("2026-11-23T22:05:00Z"));
}

/// The first day from `from` whose plan has a prospecting attempt on Maria.
async fn attempt_day(db: &TestDb, op: &Actor, from: Date) -> Option<Date> {
    let pb = Playbook::default();
    let mut day = from;
    for _ in 0..21 {
        let plan = rounds_app::plan_for(&db.store, op, &pb, UserId(1), day)
            .await
            .unwrap();
        if attempts_on_maria(&plan) {
            return Some(day);
        }
        day = day.tomorrow().unwrap();
    }
    None
}

fn attempts_on_maria(plan: &rounds_core::planner::DayPlan) -> bool {
    plan.items.iter().any(|i| {
        i.contact == ContactId(1)
            && i.reasons.iter().any(|r| {
                r.rules.iter().any(|x| x == "P20") && r.text.to_lowercase().contains("attempt")
            })
    })
}

async fn p48_reply_stops_the_cadence_in_the_next_plan(db: &TestDb) {
    let op = operator(db).await;
    let first = mail(
        &[
            ("From", "rita@example.org"),
            ("To", "maria@lakeside.example"),
            ("Subject", "Intro"),
            ("Date", "Tue, 10 Nov 2026 10:00:00 -0600"),
            ("Message-ID", "<intro@mail.example.org>"),
        ],
        "",
    );
    rounds_app::capture_mail(&db.store, &op, &first, now())
        .await
        .unwrap();
    let day = attempt_day(db, &op, date(2026, 11, 11))
        .await
        .expect("the unanswered e-mail leaves Maria in the cadence");
    let reply = mail(
        &[
            ("From", "Maria Lopez <maria@lakeside.example>"),
            ("To", "Rita Rep <rita@example.org>"),
            ("Subject", "Re: Intro"),
            ("Date", "Wed, 11 Nov 2026 08:00:00 -0600"),
            ("Message-ID", "<reply@lakeside.example>"),
            ("In-Reply-To", "<intro@mail.example.org>"),
            ("References", "<intro@mail.example.org>"),
        ],
        "",
    );
    rounds_app::capture_mail(&db.store, &op, &reply, now())
        .await
        .unwrap();
    let pb = Playbook::default();
    let after = rounds_app::plan_for(&db.store, &op, &pb, UserId(1), day)
        .await
        .unwrap();
    assert!(
        !attempts_on_maria(&after),
        "a reply ends the prospecting cadence: {:#?}",
        after.items
    );
    let t = touches(db, 1).await;
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].outcome, Outcome::Conversation);
}

async fn p48_reply_completes_the_open_step(db: &TestDb) {
    let op = operator(db).await;
    let mut promise = TouchInput::new(ContactId(1), Channel::Visit, Outcome::Positive);
    promise.at = Some(at("2026-11-20T16:00:00Z"));
    promise.next_what = Some("send the pricing sheet".into());
    promise.next_due = Some(date(2026, 11, 27));
    let set = rounds_app::log_touch(&db.store, &op, promise, now())
        .await
        .unwrap();
    let reply = mail(
        &[
            ("From", "maria@lakeside.example"),
            ("To", "rita@example.org"),
            ("Subject", "Re: pricing"),
            ("Date", "Mon, 23 Nov 2026 09:00:00 -0600"),
            ("Message-ID", "<r2@lakeside.example>"),
            ("In-Reply-To", "<unknown@elsewhere.example>"),
        ],
        "",
    );
    let done = rounds_app::capture_mail(&db.store, &op, &reply, now())
        .await
        .unwrap();
    assert_eq!(done.completed, vec![set.id]);
    let updates = db.store.step_updates(ORG, set.id).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].action, StepAction::Complete);
    let open = rounds_app::list_steps(
        &db.store,
        &op,
        &Playbook::default(),
        StepFilter::default(),
        date(2026, 11, 24),
    )
    .await
    .unwrap();
    assert!(open.is_empty(), "{open:?}");
}

async fn p48_unmatched_mail_goes_to_review_never_guessed(db: &TestDb) {
    let op = operator(db).await;
    let stranger = mail(
        &[
            ("From", "Pat Unknown <pat@nowhere.example>"),
            ("To", "rita@example.org"),
            ("Subject", "Hello"),
            ("Message-ID", "<s1@nowhere.example>"),
        ],
        "",
    );
    let two_johns = mail(
        &[
            ("From", "rita@example.org"),
            (
                "To",
                "John Smith <john@private.example>, maria@lakeside.example",
            ),
            ("Subject", "Lunch"),
            ("Message-ID", "<s2@mail.example.org>"),
        ],
        "",
    );
    let a = rounds_app::capture_mail(&db.store, &op, &stranger, now())
        .await
        .unwrap();
    let b = rounds_app::capture_mail(&db.store, &op, &two_johns, now())
        .await
        .unwrap();
    assert!(a.logged.is_empty());
    assert_eq!(a.review.len(), 1);
    assert_eq!(
        b.logged.len(),
        1,
        "Maria is matched; the Johns are not guessed"
    );
    assert_eq!(b.review.len(), 1);
    assert!(touches(db, 2).await.is_empty() && touches(db, 3).await.is_empty());
    let open = rounds_app::list_review(&db.store, &op, Some(ReviewState::Open))
        .await
        .unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].reason, ReviewReason::NoContact);
    assert_eq!(
        open[1].reason,
        ReviewReason::SeveralContacts {
            contacts: vec![ContactId(2), ContactId(3)]
        }
    );
    // The rep sees the items of mail to or from her.
    let rita = Actor::load(&db.store, ORG, Some(op.scope.users[0].clone()))
        .await
        .unwrap();
    assert_eq!(
        rounds_app::list_review(&db.store, &rita, None)
            .await
            .unwrap()
            .len(),
        2
    );

    // Someone decides: the Johns' mail was for contact 2; the stranger's is dismissed.
    let touch = rounds_app::assign_review(&db.store, &op, open[1].id, ContactId(2), now())
        .await
        .unwrap();
    assert_eq!(touch.contact, ContactId(2));
    assert_eq!(touch.direction, Direction::Outbound);
    assert_eq!(touches(db, 2).await, vec![touch.clone()]);
    rounds_app::dismiss_review(&db.store, &op, open[0].id)
        .await
        .unwrap();
    assert!(
        rounds_app::list_review(&db.store, &op, Some(ReviewState::Open))
            .await
            .unwrap()
            .is_empty()
    );
    let again = rounds_app::dismiss_review(&db.store, &op, open[1].id).await;
    assert!(matches!(again, Err(AppError::Conflict { .. })), "{again:?}");
    let all = rounds_app::list_review(&db.store, &op, None).await.unwrap();
    assert_eq!(all[1].state, ReviewState::Assigned);
    assert_eq!(all[1].touch, Some(touch.id));
    assert_eq!(all[0].state, ReviewState::Dismissed);
    let missing = rounds_app::assign_review(&db.store, &op, 999, ContactId(2), now()).await;
    assert!(matches!(missing, Err(AppError::NotFound { .. })));
}

async fn p48_same_message_id_twice_is_ignored(db: &TestDb) {
    let op = operator(db).await;
    let m = mail(
        &[
            ("From", "rita@example.org"),
            ("To", "maria@lakeside.example, pat@nowhere.example"),
            ("Subject", "Once"),
            ("Message-ID", "<once@mail.example.org>"),
        ],
        "",
    );
    let first = rounds_app::capture_mail(&db.store, &op, &m, now())
        .await
        .unwrap();
    assert_eq!((first.logged.len(), first.review.len()), (1, 1));
    let second = rounds_app::capture_mail(&db.store, &op, &m, now())
        .await
        .unwrap();
    assert_eq!(second.duplicates, 1);
    assert!(second.logged.is_empty() && second.review.is_empty());
    assert_eq!(touches(db, 1).await.len(), 1);
    assert_eq!(
        rounds_app::list_review(&db.store, &op, None)
            .await
            .unwrap()
            .len(),
        1
    );
}

fn mbox_of(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        out.extend_from_slice(b"From sender@example.org Tue Nov 24 10:00:00 2026\n");
        // As a writer quotes a body line that would read as a separator.
        let text = String::from_utf8(m.clone()).unwrap();
        out.extend_from_slice(text.replace("\nFrom ", "\n>From ").as_bytes());
        out.extend_from_slice(b"\n");
    }
    out
}

async fn p48_an_mbox_logs_each_message(db: &TestDb) {
    let op = operator(db).await;
    let one = |id: &str, to: &str| {
        mail(
            &[
                ("From", "rita@example.org"),
                ("To", to),
                ("Subject", "Monthly note"),
                ("Message-ID", id),
            ],
            "From the desk of Rita\n",
        )
    };
    let file = mbox_of(&[
        one("<m1@x>", "maria@lakeside.example"),
        one("<m2@x>", "js1@lakeside.example"),
        one("<m3@x>", "maria@lakeside.example"),
    ]);
    let done = rounds_app::capture_mail(&db.store, &op, &file, now())
        .await
        .unwrap();
    assert_eq!(done.messages, 3);
    assert_eq!(done.logged.len(), 3);
    assert_eq!(touches(db, 1).await.len(), 2);
    assert_eq!(touches(db, 2).await.len(), 1);
}

async fn p48_a_broken_message_is_refused_with_its_number_and_line(db: &TestDb) {
    let op = operator(db).await;
    let good = mail(
        &[
            ("From", "rita@example.org"),
            ("To", "maria@lakeside.example"),
            ("Message-ID", "<good@x>"),
        ],
        "",
    );
    let no_sender = mail(&[("To", "maria@lakeside.example"), ("Subject", "?")], "");
    let file = mbox_of(&[good.clone(), no_sender]);
    let err = rounds_app::capture_mail(&db.store, &op, &file, now())
        .await
        .unwrap_err();
    let AppError::Import { problems, total } = err else {
        panic!("{err:?}")
    };
    assert_eq!(total, 1);
    assert_eq!(problems[0].field, "message 2");
    // Message 1: its separator, three header lines, the blank line after them and the
    // one before the next separator.
    assert_eq!(problems[0].line, 7);
    assert!(
        problems[0].message.contains("From:"),
        "{}",
        problems[0].message
    );
    assert!(touches(db, 1).await.is_empty(), "nothing written");
    let garbage = rounds_app::capture_mail(&db.store, &op, b"\x00\x01garbage", now()).await;
    assert!(matches!(garbage, Err(AppError::Import { .. })));
}

async fn p48_touch_ids_answer_their_message(db: &TestDb) {
    let op = operator(db).await;
    let m = mail(
        &[
            ("From", "rita@example.org"),
            ("To", "maria@lakeside.example, js1@lakeside.example"),
            ("Message-ID", "<two@x>"),
        ],
        "",
    );
    let done = rounds_app::capture_mail(&db.store, &op, &m, now())
        .await
        .unwrap();
    let ids: Vec<TouchId> = done.logged.iter().map(|t| t.id).collect();
    assert_eq!(
        db.store.captured_mail(ORG, "two@x").await.unwrap(),
        Some(ids)
    );
    assert_eq!(db.store.captured_mail(ORG, "none@x").await.unwrap(), None);
    let _: Timestamp = now();
}

both_backends!(
    p48_bcc_mail_is_logged_on_the_contact,
    p48_forwarded_mail_lands_on_the_original_party,
    p48_reply_stops_the_cadence_in_the_next_plan,
    p48_reply_completes_the_open_step,
    p48_unmatched_mail_goes_to_review_never_guessed,
    p48_same_message_id_twice_is_ignored,
    p48_an_mbox_logs_each_message,
    p48_a_broken_message_is_refused_with_its_number_and_line,
    p48_touch_ids_answer_their_message,
);
