//! The plan lived over weeks: one test per defect a rep met by following it day after
//! day, named after the rule it broke. Each builds a small territory by hand, plans a day
//! and checks what the rule says must happen.

use jiff::civil::{Date, Time, date};
use rounds_core::model::*;
use rounds_core::planner::{DayPlan, FlagKind, PlanItem, plan};
use rounds_core::playbook::Playbook;

mod support;

use support::{REP, account, contact, local, outbound};

/// A Tuesday: plain follow-up e-mails are allowed (P38).
const TUESDAY: Date = date(2026, 11, 24);
/// A Monday: e-mails only when urgent.
const MONDAY: Date = date(2026, 11, 23);

fn days_ago(today: Date, n: i64) -> Date {
    today.checked_sub(jiff::Span::new().days(n)).unwrap()
}

#[derive(Default)]
struct World {
    t: Territory,
}

fn topic(id: i64, title: &str) -> Topic {
    Topic {
        id: TopicId(id),
        title: title.into(),
        pain_points: vec![],
        specialties: vec![],
        segments: vec![],
        roles: vec![],
        related: vec![],
        available_from: None,
    }
}

fn world() -> World {
    let mut w = World::default();
    w.t.topics = vec![
        topic(1, "Prior-authorisation turnaround"),
        topic(2, "Adherence packaging"),
        topic(3, "Fewer pharmacy phone calls"),
    ];
    w
}

/// A physician at `account`, reachable by e-mail and an office line.
fn person(id: i64, account: i64, influence: Influence) -> Contact {
    contact(id, account, ContactRole::Physician, influence)
}

impl World {
    /// Account 1 with one physician, contact 1.
    fn one(&mut self, status: AccountStatus, influence: Influence) {
        self.add(1, status, vec![person(1, 1, influence)]);
    }

    fn add(&mut self, id: i64, status: AccountStatus, contacts: Vec<Contact>) {
        self.t.accounts.push(account(id, status));
        self.t.contacts.extend(contacts);
    }

    fn touch(
        &mut self,
        contact: i64,
        day: Date,
        hour: i8,
        channel: Channel,
        outcome: Outcome,
    ) -> &mut Touch {
        let account = self
            .t
            .contacts
            .iter()
            .find(|c| c.id.0 == contact)
            .unwrap()
            .account;
        let id = self.t.touches.len() as i64 + 1;
        self.t.touches.push(outbound(
            id,
            ContactId(contact),
            account,
            local(day, hour, 0),
            channel,
            outcome,
        ));
        self.t.touches.last_mut().unwrap()
    }

    fn plan(&self, today: Date) -> DayPlan {
        plan(&self.t, &Playbook::default(), REP, today)
    }

    fn plan_with(&self, pb: &Playbook, today: Date) -> DayPlan {
        plan(&self.t, pb, REP, today)
    }
}

fn item(plan: &DayPlan, contact: i64) -> Option<&PlanItem> {
    plan.items.iter().find(|i| i.contact.0 == contact)
}

fn cites(item: &PlanItem, rule: &str) -> bool {
    item.reasons
        .iter()
        .any(|r| r.rules.iter().any(|x| x == rule))
}

/// Thirty customer contacts at their own accounts (ids 101…130), each quiet for 20 days
/// with topics still to bring: more value touches than a day holds.
fn full_day_of_customers(w: &mut World, today: Date) {
    for n in 0..30 {
        let id = 101 + n;
        w.add(
            id,
            AccountStatus::Customer,
            vec![person(id, id, Influence::DecisionMaker)],
        );
        w.touch(
            id,
            days_ago(today, 20),
            10,
            Channel::Call,
            Outcome::Conversation,
        );
    }
}

#[test]
fn p23_customer_silent_past_limit_is_planned_even_on_a_full_day() {
    let mut w = world();
    full_day_of_customers(&mut w, TUESDAY);
    w.one(AccountStatus::Customer, Influence::User);
    // Every topic covered: no new content, the reason is the silence alone.
    w.touch(
        1,
        days_ago(TUESDAY, 31),
        10,
        Channel::Call,
        Outcome::Conversation,
    )
    .topics = vec![TopicId(1), TopicId(2), TopicId(3)];
    // Its priority weight the lowest of all: the reserved layer, not the score, plans it.
    let mut pb = Playbook::default();
    pb.priority.silent_customer = 0.1;
    pb.priority.silent_customer_days_per_point = 1000.0;
    let p = w.plan_with(&pb, TUESDAY);
    assert!(
        p.items.len() >= pb.max_remote,
        "the day is full: {}",
        p.items.len()
    );
    let i = item(&p, 1).expect("silent past the maximum: planned whatever else is due");
    assert!(cites(i, "P23"), "{:?}", i.reasons);
    assert!(
        !i.primary_topic.title.is_empty(),
        "a touch with a purpose (P1, P3)"
    );
    // A content gap is flagged, never silence without a flag (P2).
    assert!(
        p.flags
            .iter()
            .any(|f| f.kind == FlagKind::NoReasonToReturn && f.contact == Some(ContactId(1)))
    );
    // Falling due a week before the limit, planned within the keep-alive share.
    let mut w = world();
    w.one(AccountStatus::Customer, Influence::User);
    w.touch(
        1,
        days_ago(TUESDAY, 24),
        10,
        Channel::Call,
        Outcome::Conversation,
    )
    .topics = vec![TopicId(1), TopicId(2), TopicId(3)];
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("due before the limit");
    assert!(
        i.reasons[0]
            .text
            .contains("keep the relationship alive by 2026-11-30"),
        "{}",
        i.reasons[0].text
    );
    assert!(
        item(&w.plan(days_ago(TUESDAY, 2)), 1).is_none(),
        "not earlier than the lead"
    );
}

/// A prospect contact with `attempts` unanswered calls and e-mails, the last
/// `last_days_ago` days before Tuesday, each at 10:00.
fn prospect(w: &mut World, id: i64, attempts: usize, last_days_ago: i64) {
    for n in 0..attempts {
        let day = days_ago(TUESDAY, last_days_ago + 4 * (attempts - 1 - n) as i64);
        let channel = if n % 2 == 0 {
            Channel::Call
        } else {
            Channel::Email
        };
        w.touch(id, day, 10, channel, Outcome::NoResponse);
    }
}

#[test]
fn p32_breakup_waits_for_an_email_day() {
    let mut w = world();
    w.one(AccountStatus::Prospect, Influence::DecisionMaker);
    prospect(&mut w, 1, 7, 6);
    // Monday is not an e-mail day: the breakup waits rather than going by letter.
    assert!(item(&w.plan(MONDAY), 1).is_none());
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("Tuesday: the breakup e-mail");
    assert_eq!((i.kind, i.channel), (TouchKind::Breakup, Channel::Email));
    assert!(cites(i, "P32") && !i.urgent);
    // Without an e-mail (opted out), by post.
    w.t.contacts[0].opt_outs = vec![Channel::Email];
    let i = w
        .plan(MONDAY)
        .items
        .into_iter()
        .find(|i| i.contact.0 == 1)
        .unwrap();
    assert_eq!(i.kind, TouchKind::Breakup);
    assert!(matches!(
        i.channel,
        Channel::Letter | Channel::HandwrittenNote
    ));
}

#[test]
fn p33_steps_due_today_come_before_older_late_steps() {
    let mut w = world();
    // Fifteen steps one to five days late, then six due today.
    for n in 0..21 {
        let id = 1 + n;
        w.add(
            id,
            AccountStatus::Customer,
            vec![person(id, id, Influence::User)],
        );
        let due = if n < 15 {
            days_ago(TUESDAY, 1 + n % 5)
        } else {
            TUESDAY
        };
        w.touch(
            id,
            days_ago(TUESDAY, 8),
            10,
            Channel::Call,
            Outcome::Conversation,
        )
        .next_step = Some(NextStep {
            what: format!("step {id}"),
            due,
        });
    }
    let pb = Playbook {
        max_visits: 0,
        max_remote: 8,
        ..Playbook::default()
    };
    let p = w.plan_with(&pb, TUESDAY);
    for id in 16..=21 {
        let i = item(&p, id).unwrap_or_else(|| panic!("step {id} due today is planned today"));
        assert!(
            i.reasons[0].text.contains("due today"),
            "{}",
            i.reasons[0].text
        );
        assert!(i.step.is_some());
    }
}

#[test]
fn p33_weekly_cap_does_not_hold_back_an_agreed_step() {
    let mut w = world();
    w.one(AccountStatus::Customer, Influence::User);
    w.touch(
        1,
        days_ago(TUESDAY, 3),
        10,
        Channel::Call,
        Outcome::NoResponse,
    );
    w.touch(
        1,
        days_ago(TUESDAY, 1),
        10,
        Channel::Call,
        Outcome::Conversation,
    )
    .next_step = Some(NextStep {
        what: "Send the PA tracker sample".into(),
        due: TUESDAY,
    });
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("two touches this week, but the step was agreed");
    assert!(cites(i, "P33") && i.step.is_some(), "{:?}", i.reasons);
    assert_eq!(i.prep.open_next_steps[0].what, "Send the PA tracker sample");
}

#[test]
fn p20_an_email_only_cadence_goes_on_when_the_topics_run_out() {
    let mut w = world();
    let mut c = person(1, 1, Influence::DecisionMaker);
    c.channels.office_phone = None;
    c.channels.extension = None;
    w.add(1, AccountStatus::Prospect, vec![c]);
    // Three unanswered e-mails delivered the three relevant topics.
    for (n, t) in [(15, 1), (10, 2), (5, 3)] {
        w.touch(
            1,
            days_ago(TUESDAY, n),
            10,
            Channel::Email,
            Outcome::NoResponse,
        )
        .topics = vec![TopicId(t)];
    }
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("attempt 4 of at least 6");
    assert!(cites(i, "P20"));
    assert!(!i.primary_topic.title.is_empty());
    assert!(p.flags.iter().any(|f| f.kind == FlagKind::NoReasonToReturn));
}

#[test]
fn p29_one_contact_of_a_prospect_at_a_time_and_the_hand_over_at_the_dead_end() {
    let mut w = world();
    w.add(
        1,
        AccountStatus::Prospect,
        vec![
            person(1, 1, Influence::DecisionMaker),
            person(2, 1, Influence::Influencer),
        ],
    );
    let p = w.plan(TUESDAY);
    assert!(
        item(&p, 1).is_some() && item(&p, 2).is_none(),
        "not both in parallel"
    );
    prospect(&mut w, 1, 3, 3);
    let p = w.plan(TUESDAY);
    assert!(item(&p, 1).is_none(), "a dead end after 3");
    let i = item(&p, 2).expect("the colleague takes over");
    assert!(cites(i, "P29") && cites(i, "P44"), "{:?}", i.reasons);
    // The colleague a dead end too: the best contact goes on to the full cadence.
    prospect(&mut w, 2, 3, 2);
    let p = w.plan(days_ago(TUESDAY, -1));
    assert!(item(&p, 2).is_none());
    assert!(
        item(&p, 1).is_some_and(|i| cites(i, "P20")),
        "{:?}",
        p.items
    );
}

#[test]
fn p31_answered_then_silent_is_not_chased_forever() {
    let mut w = world();
    w.one(AccountStatus::Prospect, Influence::DecisionMaker);
    w.touch(
        1,
        days_ago(TUESDAY, 60),
        10,
        Channel::Visit,
        Outcome::Conversation,
    )
    .topics = vec![TopicId(1)];
    // Re-engagement at its own pace: a week between attempts.
    w.touch(
        1,
        days_ago(TUESDAY, 3),
        10,
        Channel::Call,
        Outcome::NoResponse,
    );
    assert!(
        item(&w.plan(TUESDAY), 1).is_none(),
        "three days is no re-engagement pace"
    );
    // The Monday after: nine days on.
    assert!(item(&w.plan(days_ago(TUESDAY, -6)), 1).is_some());
    // After the attempts of re-engagement: nurture, at its own spacing.
    let pb = Playbook::default();
    for n in 1..pb.reengage_attempts {
        w.touch(
            1,
            days_ago(TUESDAY, 3 - n as i64),
            15,
            Channel::Email,
            Outcome::NoResponse,
        );
    }
    let week_later = days_ago(TUESDAY, -8);
    assert!(item(&w.plan(week_later), 1).is_none(), "no more chasing");
    let month_later = days_ago(TUESDAY, -30);
    let p = w.plan(month_later);
    let i = item(&p, 1).expect("low-frequency nurture");
    assert_eq!(i.kind, TouchKind::Nurture);
}

#[test]
fn p29_a_customer_contact_past_the_dead_end_gets_only_what_keeps_it_alive() {
    let mut w = world();
    w.one(AccountStatus::Customer, Influence::DecisionMaker);
    w.touch(
        1,
        days_ago(TUESDAY, 70),
        10,
        Channel::Visit,
        Outcome::Conversation,
    )
    .topics = vec![TopicId(1)];
    for n in [50, 40, 16] {
        w.touch(
            1,
            days_ago(TUESDAY, n),
            10,
            Channel::Call,
            Outcome::NoResponse,
        );
    }
    // Topics left and 16 days quiet: a value touch for anyone answering, not for them.
    assert!(item(&w.plan(TUESDAY), 1).is_none());
    let p = w.plan(days_ago(TUESDAY, -8));
    let i = item(&p, 1).expect("24 days quiet: kept alive (P23)");
    assert!(cites(i, "P23"));
    assert_eq!(i.kind, TouchKind::Nurture);
}

/// Account 1, lost `days` days before Tuesday, with its decision maker (contact 1).
fn lost_account(w: &mut World, days: i64) {
    w.one(AccountStatus::Lost, Influence::DecisionMaker);
    w.t.lost.push(LostAccount {
        account: AccountId(1),
        lost_on: days_ago(TUESDAY, days),
        reason: LossReason::Pricing,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    });
}

#[test]
fn p17_lost_account_presence_is_kept_by_its_limit_on_a_full_day() {
    let mut w = world();
    full_day_of_customers(&mut w, TUESDAY);
    lost_account(&mut w, 120);
    w.touch(
        1,
        days_ago(TUESDAY, 44),
        10,
        Channel::Email,
        Outcome::NoResponse,
    )
    .kind = TouchKind::Nurture;
    let mut pb = Playbook::default();
    pb.priority.lost_nurture = 0.1;
    pb.priority.lost_nurture_overdue = 0.1;
    let p = w.plan_with(&pb, TUESDAY);
    let i = item(&p, 1).expect("the 45th day is tomorrow: today");
    assert!(cites(i, "P17"));
    // Never sooner than 30 days.
    w.t.touches.last_mut().unwrap().at = local(days_ago(TUESDAY, 29), 10, 0);
    assert!(item(&w.plan_with(&pb, TUESDAY), 1).is_none());
}

#[test]
fn p16_feedback_left_out_of_the_route_goes_remote() {
    let mut w = world();
    lost_account(&mut w, 3);
    w.touch(
        1,
        days_ago(TUESDAY, 3),
        10,
        Channel::Visit,
        Outcome::Negative,
    );
    full_day_of_customers(&mut w, TUESDAY);
    // A field day too short for any visit.
    let pb = Playbook {
        day_start: Time::constant(8, 0, 0, 0),
        day_end: Time::constant(8, 5, 0, 0),
        ..Playbook::default()
    };
    let p = w.plan_with(&pb, TUESDAY);
    let i = item(&p, 1).expect("the feedback is asked today");
    assert!(cites(i, "P16"));
    assert_ne!(i.channel, Channel::Visit);
}

#[test]
fn p43_the_cell_rests_for_a_week_when_an_office_line_exists() {
    let mut w = world();
    let mut c = person(1, 1, Influence::DecisionMaker);
    c.channels.cell = Some("+1 312 555 0199".into());
    w.add(1, AccountStatus::Customer, vec![c]);
    w.touch(
        1,
        days_ago(TUESDAY, 3),
        10,
        Channel::Call,
        Outcome::Conversation,
    )
    .next_step = Some(NextStep {
        what: "Call with the carrier's answer".into(),
        due: TUESDAY,
    });
    let pb = Playbook {
        max_visits: 0,
        ..Playbook::default()
    };
    let p = w.plan_with(&pb, TUESDAY);
    let i = item(&p, 1).expect("the step is due");
    if i.channel == Channel::Call {
        assert_ne!(
            i.via.as_deref(),
            Some("+1 312 555 0199"),
            "the office line this week"
        );
    }
    assert_ne!(i.channel, Channel::Text);
}

#[test]
fn p21_an_unanswered_morning_email_is_followed_in_the_afternoon() {
    let mut w = world();
    let mut c = person(1, 1, Influence::DecisionMaker);
    c.channels.office_phone = None;
    c.channels.extension = None;
    w.add(1, AccountStatus::Prospect, vec![c]);
    w.touch(
        1,
        days_ago(TUESDAY, 5),
        10,
        Channel::Email,
        Outcome::NoResponse,
    );
    let i = w
        .plan(TUESDAY)
        .items
        .into_iter()
        .find(|i| i.contact.0 == 1)
        .unwrap();
    if i.channel == Channel::Email {
        assert!(
            i.window.start >= Time::constant(12, 0, 0, 0),
            "{:?}",
            i.window
        );
    }
}

#[test]
fn p8_no_records_check_right_after_a_conversation() {
    let mut w = world();
    w.one(AccountStatus::Customer, Influence::DecisionMaker);
    w.touch(
        1,
        days_ago(TUESDAY, 40),
        10,
        Channel::Visit,
        Outcome::Conversation,
    )
    .kind = TouchKind::ReferralMeeting;
    w.touch(
        1,
        days_ago(TUESDAY, 5),
        10,
        Channel::Call,
        Outcome::Conversation,
    );
    let p = w.plan(TUESDAY);
    assert!(item(&p, 1).is_none_or(|i| i.kind != TouchKind::RecordsCheck));
    let later = w.plan(days_ago(TUESDAY, -10));
    assert!(item(&later, 1).is_some_and(|i| i.kind == TouchKind::RecordsCheck));
}

#[test]
fn p34_referrals_counted_after_a_meeting_bring_a_thank_you() {
    let mut w = world();
    w.one(AccountStatus::Customer, Influence::DecisionMaker);
    w.touch(
        1,
        days_ago(TUESDAY, 6),
        10,
        Channel::Visit,
        Outcome::Conversation,
    )
    .kind = TouchKind::ReferralMeeting;
    w.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 2),
        count: 2,
    });
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("a thank-you");
    assert_eq!(i.kind, TouchKind::ThankYou);
    assert!(cites(i, "P34"), "{:?}", i.reasons);
}

#[test]
fn p13_a_referral_received_brings_the_ask() {
    let mut w = world();
    w.one(AccountStatus::Customer, Influence::DecisionMaker);
    w.touch(
        1,
        days_ago(TUESDAY, 40),
        10,
        Channel::Visit,
        Outcome::Conversation,
    );
    w.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 30),
        count: 1,
    });
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("due");
    assert!(cites(i, "P13"), "{:?}", i.reasons);
    assert_eq!(i.kind, TouchKind::ReferralAsk);
}

#[test]
fn p35_a_callback_without_a_telephone_is_kept_in_person() {
    let mut w = world();
    let mut c = person(1, 1, Influence::DecisionMaker);
    c.channels = ContactChannels::default();
    w.add(1, AccountStatus::Customer, vec![c]);
    // Agreed on yesterday's visit for 09:30 today: the visit gap yields to it.
    w.touch(
        1,
        days_ago(TUESDAY, 1),
        10,
        Channel::Visit,
        Outcome::Conversation,
    )
    .callback_at = Some(local(TUESDAY, 9, 30));
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("the agreed moment");
    assert_eq!(i.channel, Channel::Visit);
    assert!(i.window.exact && i.window.start == Time::constant(9, 30, 0, 0));
}

#[test]
fn calendar_nothing_is_planned_outside_the_reps_own_hours() {
    let mut w = world();
    full_day_of_customers(&mut w, TUESDAY);
    // Offices open 08:00–12:00 and 13:00–17:00; the rep works 13:00–16:00.
    w.t.calendar.week = Some(WorkWeek {
        rep: REP,
        days: vec![
            jiff::civil::Weekday::Monday,
            jiff::civil::Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday,
            jiff::civil::Weekday::Thursday,
            jiff::civil::Weekday::Friday,
        ],
        hours: Some(TimeRange::hm(13, 0, 16, 0)),
    });
    let p = w.plan(TUESDAY);
    assert!(!p.items.is_empty());
    for i in &p.items {
        assert!(
            i.window.start >= Time::constant(13, 0, 0, 0)
                && i.window.end <= Time::constant(16, 0, 0, 0),
            "{} {:?} at {:?}",
            i.contact,
            i.channel,
            i.window
        );
    }
}
