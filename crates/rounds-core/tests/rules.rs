//! One test per playbook rule the planner encodes, named after the rule. Each builds a
//! small territory by hand, plans a day and checks what the rule says must happen.

use jiff::civil::{Date, Time, date};
use rounds_core::model::*;
use rounds_core::planner::{DayPlan, FlagKind, PlanItem, plan};
use rounds_core::playbook::Playbook;

mod support;

use support::{REP, TZ, account, contact, local, outbound};
/// A Tuesday: plain follow-up emails are allowed (P38).
const TUESDAY: Date = date(2026, 11, 24);
/// A Monday: emails only when urgent.
const MONDAY: Date = date(2026, 11, 23);

struct World {
    t: Territory,
    next_touch: i64,
}

fn world() -> World {
    let mut t = Territory::default();
    for (id, title, roles) in [
        (1, "Prior-authorisation turnaround", vec![]),
        (2, "Adherence packaging", vec![]),
        (3, "Fewer pharmacy phone calls", vec![]),
        (
            4,
            "Staff education lunch",
            vec![ContactRole::OfficeManager, ContactRole::HeadNurse],
        ),
    ] {
        t.topics.push(Topic {
            id: TopicId(id),
            title: title.into(),
            pain_points: vec![],
            specialties: vec![],
            segments: vec![],
            roles,
            related: vec![],
            available_from: None,
        });
    }
    World { t, next_touch: 1 }
}

impl World {
    fn add(&mut self, a: Account, contacts: Vec<Contact>) -> &mut Self {
        self.t.accounts.push(a);
        self.t.contacts.extend(contacts);
        self
    }

    /// Adds a touch and returns it for adjustment.
    fn touch(&mut self, contact: i64, day: Date, channel: Channel, outcome: Outcome) -> &mut Touch {
        let account = self
            .t
            .contacts
            .iter()
            .find(|c| c.id.0 == contact)
            .unwrap()
            .account;
        let id = self.next_touch;
        self.next_touch += 1;
        self.t.touches.push(outbound(
            id,
            ContactId(contact),
            account,
            local(day, 10, 0),
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

fn days_ago(today: Date, n: i64) -> Date {
    today.checked_sub(jiff::Span::new().days(n)).unwrap()
}

fn item(plan: &DayPlan, contact: i64) -> Option<&PlanItem> {
    plan.items.iter().find(|i| i.contact.0 == contact)
}

fn cites(item: &PlanItem, rule: &str) -> bool {
    item.reasons
        .iter()
        .any(|r| r.rules.iter().any(|x| x == rule))
}

/// A customer contact we have talked to, last touched `quiet` days ago.
fn customer_world(quiet: i64, today: Date) -> World {
    let mut w = world();
    w.add(
        account(1, AccountStatus::Customer),
        vec![contact(
            1,
            1,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    w.touch(
        1,
        days_ago(today, quiet),
        Channel::Call,
        Outcome::Conversation,
    )
    .topics = vec![TopicId(1)];
    w
}

#[test]
fn p1_one_primary_topic_and_at_most_two_backups() {
    let w = customer_world(20, TUESDAY);
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("a customer quiet for 20 days with new topics is due");
    assert!(i.primary_topic.topic.is_some());
    assert!(i.backup_topics.len() <= 2);
    assert!(
        i.backup_topics
            .iter()
            .all(|b| b.topic != i.primary_topic.topic)
    );
    let pb = Playbook {
        backup_topics: 0,
        ..Playbook::default()
    };
    assert!(
        item(&w.plan_with(&pb, TUESDAY), 1)
            .unwrap()
            .backup_topics
            .is_empty()
    );
}

#[test]
fn p2_contact_with_every_topic_covered_is_flagged_not_dropped() {
    let mut w = customer_world(20, TUESDAY);
    w.touch(
        1,
        days_ago(TUESDAY, 15),
        Channel::Visit,
        Outcome::Conversation,
    )
    .topics = vec![TopicId(2), TopicId(3)];
    let p = w.plan(TUESDAY);
    assert!(
        item(&p, 1).is_none(),
        "nothing new to say: no bare check-in"
    );
    let flag = p
        .flags
        .iter()
        .find(|f| f.kind == FlagKind::NoReasonToReturn && f.contact == Some(ContactId(1)));
    assert!(
        flag.is_some_and(|f| f.rules == vec!["P2".to_string()]),
        "{:?}",
        p.flags
    );
}

#[test]
fn p3_no_item_without_a_reason_and_never_a_covered_topic() {
    let w = customer_world(3, TUESDAY);
    assert!(
        item(&w.plan(TUESDAY), 1).is_none(),
        "touched 3 days ago and nothing due"
    );
    let w = customer_world(20, TUESDAY);
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert!(!i.reasons.is_empty() && i.reasons.iter().all(|r| !r.rules.is_empty()));
    assert_ne!(
        i.primary_topic.topic,
        Some(TopicId(1)),
        "topic 1 was covered"
    );
    assert!(i.backup_topics.iter().all(|b| b.topic != Some(TopicId(1))));
}

#[test]
fn p3_topic_marked_explain_better_comes_back_first() {
    let mut w = customer_world(20, TUESDAY);
    w.t.touches[0].explain_better = vec![TopicId(1)];
    let i = w
        .plan(TUESDAY)
        .items
        .into_iter()
        .find(|i| i.contact.0 == 1)
        .unwrap();
    assert_eq!(i.primary_topic.topic, Some(TopicId(1)));
}

#[test]
fn p4_every_topic_discussed_counts_as_covered() {
    let mut w = customer_world(20, TUESDAY);
    let t = &mut w.t.touches[0];
    t.primary_topic = Some(TopicId(1));
    t.topics = vec![TopicId(1), TopicId(2)];
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert_eq!(i.primary_topic.topic, Some(TopicId(3)));
    assert!(
        i.backup_topics.is_empty(),
        "topic 4 is for staff only; 1 and 2 were discussed"
    );
}

#[test]
fn p6_no_vendor_contact_gets_a_written_meeting_request() {
    let mut w = world();
    let mut a = account(1, AccountStatus::Prospect);
    a.access = AccessPolicy::NoVendorContact;
    w.add(
        a,
        vec![contact(
            1,
            1,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("a meeting request");
    assert!(matches!(i.channel, Channel::Email | Channel::Letter));
    assert_eq!(i.kind, TouchKind::MeetingRequest);
    assert!(cites(i, "P6") && i.reasons[0].text.contains("why they would want"));
    // Appointment-only: no drop-in visit.
    let mut w = customer_world(40, TUESDAY);
    w.t.accounts[0].access = AccessPolicy::AppointmentOnly;
    assert_ne!(item(&w.plan(TUESDAY), 1).unwrap().channel, Channel::Visit);
}

/// A prospect whose decision maker answered a meeting request and agreed a first meeting
/// `lead` days after `asked_days_ago`; the account and topic 1 share a pain point.
fn agreed_meeting_world(access: AccessPolicy, asked: Date, meeting: Date) -> World {
    let mut w = world();
    w.t.topics[0].pain_points = vec!["prior-auths".into()];
    let mut a = account(1, AccountStatus::Prospect);
    a.access = access;
    a.pain_points = vec!["prior-auths".into()];
    w.add(
        a,
        vec![contact(
            1,
            1,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    let t = w.touch(1, asked, Channel::Email, Outcome::Positive);
    t.kind = TouchKind::MeetingRequest;
    t.next_step = Some(NextStep {
        what: "meet about prior-auth turnaround".into(),
        due: meeting,
    });
    w
}

/// P7: an agreed first meeting is planned as a first meeting with an agenda — its topic,
/// the value to the customer, the question to ask — and nothing routine comes before it.
#[test]
fn p7_an_agreed_first_meeting_has_an_agenda_and_routine_touches_wait_for_it() {
    let asked = days_ago(TUESDAY, 20);
    let mut w = agreed_meeting_world(AccessPolicy::Open, asked, TUESDAY);
    // Quiet for longer than the engaged prospect's spacing, and no routine touch before
    // the meeting.
    for back in 1..=5 {
        let day = days_ago(TUESDAY, back);
        assert!(
            item(&w.plan(day), 1).is_none(),
            "{day}: nothing before the meeting"
        );
    }
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("the meeting is planned on its day");
    assert_eq!(i.kind, TouchKind::FirstMeeting, "{:?}", i.reasons);
    assert!(cites(i, "P7") && cites(i, "P33"), "{:?}", i.reasons);
    assert!(matches!(
        i.channel,
        Channel::Visit | Channel::VirtualMeeting | Channel::Call
    ));
    let agenda = i.prep.agenda.as_ref().expect("an agenda");
    assert_eq!(
        agenda.topic.topic,
        Some(TopicId(1)),
        "the account's pain point"
    );
    assert_eq!(i.primary_topic, agenda.topic);
    assert!(
        agenda.value.contains("prior authorisations"),
        "{}",
        agenda.value
    );
    assert!(
        agenda.question.ends_with('?') && agenda.question.contains("prior authorisations"),
        "{}",
        agenda.question
    );
    // Once it took place, routine touches follow, and no second first meeting.
    w.touch(1, TUESDAY, Channel::Visit, Outcome::Positive).kind = TouchKind::FirstMeeting;
    let later = days_ago(TUESDAY, -16);
    let p = w.plan(later);
    let i = item(&p, 1).expect("an engaged prospect gets the next topic");
    assert_eq!(i.kind, TouchKind::Routine);
    assert!(i.prep.agenda.is_none());
}

/// P7: only a first meeting is one; a contact met before gets the agreed meeting as an
/// ordinary agreed step, without an agenda.
#[test]
fn p7_a_meeting_with_someone_already_met_is_not_a_first_meeting() {
    let mut w = agreed_meeting_world(AccessPolicy::Open, days_ago(TUESDAY, 5), TUESDAY);
    w.touch(
        1,
        days_ago(TUESDAY, 60),
        Channel::Visit,
        Outcome::Conversation,
    );
    w.t.touches.sort_by_key(|t| t.at);
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("the agreed meeting");
    assert_ne!(i.kind, TouchKind::FirstMeeting);
    assert!(i.prep.agenda.is_none() && cites(i, "P33"));
}

/// P7, P6: a no-vendor-contact office that agreed a meeting gets that meeting, in person
/// or by phone, not another written request 30 days after the last one.
#[test]
fn p7_an_agreed_meeting_at_a_no_vendor_contact_account_is_that_meeting() {
    let pb = Playbook::default();
    let asked = days_ago(TUESDAY, pb.nurture_min_days + 2);
    let w = agreed_meeting_world(AccessPolicy::NoVendorContact, asked, days_ago(TUESDAY, -7));
    assert!(
        item(&w.plan(TUESDAY), 1).is_none(),
        "no second meeting request while the meeting stands"
    );
    let day = days_ago(TUESDAY, -7);
    let p = w.plan(day);
    let i = item(&p, 1).expect("the agreed meeting on its day");
    assert_eq!(i.kind, TouchKind::FirstMeeting, "{:?}", i.reasons);
    assert!(i.prep.agenda.is_some());
    assert!(
        matches!(
            i.channel,
            Channel::Visit | Channel::VirtualMeeting | Channel::Call
        ),
        "{:?}",
        i.channel
    );
    // An unanswered request agreed nothing: the written request goes on (P6).
    let mut w = agreed_meeting_world(AccessPolicy::NoVendorContact, asked, day);
    w.t.touches[0].outcome = Outcome::NoResponse;
    w.t.touches[0].next_step = None;
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("a meeting request");
    assert_eq!(i.kind, TouchKind::MeetingRequest);
}

#[test]
fn p8_records_check_when_no_referral_follows_a_meeting() {
    let mut w = customer_world(40, TUESDAY);
    let m = w.touch(1, days_ago(TUESDAY, 31), Channel::Visit, Outcome::Positive);
    m.kind = TouchKind::ReferralMeeting;
    m.next_step = Some(NextStep {
        what: "send first referral".into(),
        due: days_ago(TUESDAY, 29),
    });
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert_eq!(i.kind, TouchKind::RecordsCheck);
    assert!(cites(i, "P8") && i.primary_topic.title.contains("records are correct"));
    assert!(!i.primary_topic.title.to_lowercase().contains("why haven"));
    // A referral since the meeting removes the reason.
    w.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 10),
        count: 1,
    });
    assert!(item(&w.plan(TUESDAY), 1).is_none_or(|i| i.kind != TouchKind::RecordsCheck));
}

#[test]
fn p9_referral_drop_against_the_providers_own_baseline_shows_the_figures() {
    // A signal is a reason to talk at the customers' spacing (14 days), not to chase.
    let mut w = customer_world(14, TUESDAY);
    // 180-day baseline of 2 a week, then 1 in the last 30 days.
    for week in 5..30 {
        w.t.referrals.push(ReferralCount {
            contact: ContactId(1),
            day: days_ago(TUESDAY, week * 7),
            count: 2,
        });
    }
    w.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 3),
        count: 1,
    });
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("a drop is a due follow-up");
    let r = i
        .reasons
        .iter()
        .find(|r| r.rules.contains(&"P9".into()))
        .unwrap();
    assert!(
        r.text.contains("fell to 1 in the last 30 days"),
        "{}",
        r.text
    );
    assert!(r.text.contains("%"), "{}", r.text);
    let f = i.prep.referrals.as_ref().unwrap();
    assert_eq!(f.recent, 1);
    assert!(f.change < -0.5);
    // A steady provider raises nothing.
    w.t.referrals.retain(|r| r.day < days_ago(TUESDAY, 30));
    for d in [3, 10, 17, 24] {
        w.t.referrals.push(ReferralCount {
            contact: ContactId(1),
            day: days_ago(TUESDAY, d),
            count: 2,
        });
    }
    // (The customer is still due for a value touch at 14 days, but not for P9.)
    assert!(item(&w.plan(TUESDAY), 1).is_none_or(|i| !cites(i, "P9")));
}

/// A records check (P8) in which the provider said they had not referred, and why.
fn said_not_referring(reason: NoReferralReason, text: &str) -> World {
    let mut w = customer_world(40, TUESDAY);
    let t = w.touch(
        1,
        days_ago(TUESDAY, 3),
        Channel::Call,
        Outcome::Conversation,
    );
    t.kind = TouchKind::RecordsCheck;
    t.next_step = Some(NextStep {
        what: "drop off the referral pad".into(),
        due: days_ago(TUESDAY, -10),
    });
    t.no_referral = Some(NoReferral {
        reason,
        text: text.into(),
    });
    w
}

fn competing(p: &DayPlan) -> Vec<&rounds_core::planner::Flag> {
    p.flags
        .iter()
        .filter(|f| f.kind == FlagKind::PossibleCompetingRelationship)
        .collect()
}

/// P10: the reason a provider gives for not referring is kept; a vague one marks a
/// possible competing relationship on the account, until they refer or give a reason.
#[test]
fn p10_a_vague_reason_for_not_referring_flags_a_possible_competing_relationship() {
    let mut w = said_not_referring(NoReferralReason::Vague, "busy lately, we'll see");
    let p = w.plan(TUESDAY);
    let flags = competing(&p);
    assert_eq!(flags.len(), 1, "{:?}", p.flags);
    let f = flags[0];
    assert_eq!(f.rules, ["P10"]);
    assert_eq!((f.account, f.contact), (AccountId(1), Some(ContactId(1))));
    assert!(
        f.text.contains("no clear reason") && f.text.contains("we'll see"),
        "{}",
        f.text
    );
    // The signal the pages show says the same.
    let touches = rounds_core::signals::touches_by_contact(&w.t, TUESDAY);
    let n = rounds_core::signals::not_referring(&touches[&ContactId(1)], &[]).unwrap();
    assert_eq!(n.reason, NoReferralReason::Vague);
    assert!(n.possible_competitor);
    // A referral since then ends it.
    w.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 1),
        count: 1,
    });
    assert!(competing(&w.plan(TUESDAY)).is_empty());
    // A clear reason is recorded, not flagged.
    let w = said_not_referring(NoReferralReason::NoFittingPatients, "");
    let p = w.plan(TUESDAY);
    assert!(competing(&p).is_empty(), "{:?}", p.flags);
    let touches = rounds_core::signals::touches_by_contact(&w.t, TUESDAY);
    let n = rounds_core::signals::not_referring(&touches[&ContactId(1)], &[]).unwrap();
    assert_eq!(n.reason, NoReferralReason::NoFittingPatients);
    assert!(!n.possible_competitor);
    // A later, clear reason replaces a vague one.
    let mut w = said_not_referring(NoReferralReason::Vague, "");
    w.touch(
        1,
        days_ago(TUESDAY, 1),
        Channel::Call,
        Outcome::Conversation,
    )
    .no_referral = Some(NoReferral {
        reason: NoReferralReason::Insurance,
        text: "their patients' plans exclude us".into(),
    });
    assert!(competing(&w.plan(TUESDAY)).is_empty());
}

/// P10: a reason is what the provider said, so only a touch they answered carries one,
/// and `other` needs their words; each problem names its field.
#[test]
fn p10_a_reason_for_not_referring_is_checked_by_field() {
    let w = said_not_referring(NoReferralReason::Vague, "");
    let good = w.t.touches.last().unwrap().clone();
    assert_eq!(good.validate(), vec![]);
    let fields = |t: &Touch| -> Vec<String> { t.validate().into_iter().map(|p| p.field).collect() };
    let unanswered = Touch {
        outcome: Outcome::NoResponse,
        ..good.clone()
    };
    assert_eq!(fields(&unanswered), ["no_referral.reason"]);
    let referred = Touch {
        outcome: Outcome::Referral,
        ..good.clone()
    };
    assert_eq!(fields(&referred), ["no_referral.reason"]);
    let other = Touch {
        no_referral: Some(NoReferral {
            reason: NoReferralReason::Other,
            text: " ".into(),
        }),
        ..good.clone()
    };
    assert_eq!(fields(&other), ["no_referral.text"]);
    let long = Touch {
        no_referral: Some(NoReferral {
            reason: NoReferralReason::Forgot,
            text: "x".repeat(501),
        }),
        ..good
    };
    assert_eq!(fields(&long), ["no_referral.text"]);
    let names: Vec<&str> = NoReferralReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "no-fitting-patients",
            "referring-elsewhere",
            "forgot",
            "bad-experience",
            "insurance",
            "other",
            "vague"
        ]
    );
}

#[test]
fn p11_referring_practice_without_staff_contact_is_flagged() {
    let mut w = customer_world(10, TUESDAY);
    w.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 5),
        count: 1,
    });
    assert!(
        w.plan(TUESDAY)
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::NoStaffContact && f.rules == vec!["P11"])
    );
    w.t.contacts.push(contact(
        2,
        1,
        ContactRole::OfficeManager,
        Influence::Influencer,
    ));
    let p = w.plan(TUESDAY);
    assert!(!p.flags.iter().any(|f| f.kind == FlagKind::NoStaffContact));
    // Staff get their own topics.
    let staff = item(&p, 2).expect("the new office manager is introduced");
    assert_eq!(staff.primary_topic.topic, Some(TopicId(4)));
}

#[test]
fn p12_referral_meeting_without_next_step_is_flagged_at_once() {
    let mut w = customer_world(10, TUESDAY);
    w.touch(1, TUESDAY, Channel::Visit, Outcome::Positive).kind = TouchKind::ReferralMeeting;
    let p = w.plan(TUESDAY);
    let f = p
        .flags
        .iter()
        .find(|f| f.kind == FlagKind::ReferralMeetingWithoutNextStep)
        .expect("flagged");
    assert!(f.rules.contains(&"P12".to_string()));
}

#[test]
fn p13_ask_for_referrals_after_three_positive_outcomes() {
    let mut w = customer_world(40, TUESDAY);
    for d in [100, 80, 60] {
        w.touch(1, days_ago(TUESDAY, d), Channel::Visit, Outcome::Positive);
    }
    w.t.touches.sort_by_key(|t| t.at);
    w.touch(
        1,
        days_ago(TUESDAY, 20),
        Channel::Call,
        Outcome::Conversation,
    )
    .next_step = Some(NextStep {
        what: "x".into(),
        due: days_ago(TUESDAY, 19),
    });
    let mut w2 = customer_world(20, TUESDAY);
    for d in [100, 80, 60] {
        w2.touch(1, days_ago(TUESDAY, d), Channel::Visit, Outcome::Positive);
    }
    let p = w2.plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert_eq!(i.kind, TouchKind::ReferralAsk, "{:?}", i.reasons);
    assert!(cites(i, "P13"));
    w2.touch(1, days_ago(TUESDAY, 15), Channel::Visit, Outcome::Positive)
        .kind = TouchKind::ReferralAsk;
    assert!(item(&w2.plan(TUESDAY), 1).is_none_or(|i| i.kind != TouchKind::ReferralAsk));
}

/// A satisfied customer (account 1: three positive outcomes) and a prospect (account 2,
/// never touched) that share the pain point of topic 1.
fn reference_world() -> World {
    let mut w = world();
    w.t.topics[0].pain_points = vec!["prior-auths".into()];
    let mut customer = account(1, AccountStatus::Customer);
    customer.pain_points = vec!["patient-phone-calls".into(), "prior-auths".into()];
    let mut prospect = account(2, AccountStatus::Prospect);
    prospect.name = "Lakeside Orthopaedics".into();
    prospect.pain_points = vec!["prior-auths".into()];
    w.add(
        customer,
        vec![contact(
            1,
            1,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    w.add(
        prospect,
        vec![contact(
            2,
            2,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    for d in [100, 80, 60] {
        w.touch(1, days_ago(TUESDAY, d), Channel::Visit, Outcome::Positive);
    }
    w
}

fn reference_reason(p: &DayPlan) -> Option<String> {
    item(p, 2)?
        .reasons
        .iter()
        .find(|r| r.rules == ["P36"])
        .map(|r| r.text.clone())
}

/// P36: a satisfied customer (P13's threshold) is proposed as a reference to a prospect
/// that shares a pain point; the prospect's item names both the reference and the topic.
#[test]
fn p36_a_satisfied_customer_is_offered_as_a_reference_to_a_prospect_with_its_pain_point() {
    let w = reference_world();
    let pb = Playbook::default();
    let p = w.plan(TUESDAY);
    let text = reference_reason(&p).expect("the prospect's touch offers the reference");
    assert!(text.contains("Account 1"), "{text}");
    assert!(text.contains("Prior-authorisation turnaround"), "{text}");
    let i = item(&p, 2).unwrap();
    assert!(
        i.priority >= pb.priority.reference_introduction,
        "{}",
        i.priority
    );
    // The next-touch search (rounds log) finds the same reference.
    let next = rounds_core::planner::next_for_contact(
        &w.t,
        &pb,
        REP,
        ContactId(2),
        TUESDAY,
        local(TUESDAY, 7, 0),
    )
    .unwrap();
    assert!(next.item.reasons.iter().any(|r| r.rules == ["P36"]));

    // Below the threshold, no reference…
    let mut w2 = reference_world();
    w2.t.touches.pop();
    assert_eq!(reference_reason(&w2.plan(TUESDAY)), None);
    // …until a referral counts instead (P13's other way to be satisfied).
    w2.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 10),
        count: 2,
    });
    assert!(reference_reason(&w2.plan(TUESDAY)).is_some_and(|t| t.contains("refers to us")));
    // Nothing shared, nothing proposed.
    let mut w3 = reference_world();
    w3.t.accounts[1].pain_points = vec!["staff-turnover".into()];
    assert_eq!(reference_reason(&w3.plan(TUESDAY)), None);
}

/// P36: a lost or no-fit account is never a reference, and is never offered one.
#[test]
fn p36_never_for_a_lost_or_no_fit_account() {
    for status in [AccountStatus::Lost, AccountStatus::NoFit] {
        let mut w = reference_world();
        w.t.accounts[0].status = status;
        assert_eq!(reference_reason(&w.plan(TUESDAY)), None, "{status}");
        let mut w = reference_world();
        w.t.accounts[1].status = status;
        let p = w.plan(TUESDAY);
        assert!(
            p.items
                .iter()
                .all(|i| i.reasons.iter().all(|r| !r.rules.contains(&"P36".into()))),
            "{status}"
        );
    }
}

#[test]
fn p15_loss_reasons_are_the_playbooks_six() {
    let names: Vec<&str> = LossReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "pricing",
            "lost-contract",
            "competitor-won-contract",
            "product-quality",
            "customer-service",
            "other"
        ]
    );
    assert!("competitor won contract".parse::<LossReason>().is_ok());
    assert!(
        "bad luck"
            .parse::<LossReason>()
            .unwrap_err()
            .0
            .contains("pricing")
    );
}

fn lost_world(lost_days_ago: i64, last_touch_days_ago: i64) -> World {
    let mut w = world();
    w.add(
        account(1, AccountStatus::Lost),
        vec![contact(
            1,
            1,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    w.touch(
        1,
        days_ago(TUESDAY, last_touch_days_ago),
        Channel::Call,
        Outcome::Conversation,
    )
    .next_step = Some(NextStep {
        what: "x".into(),
        due: days_ago(TUESDAY, last_touch_days_ago - 1),
    });
    w.t.lost.push(LostAccount {
        account: AccountId(1),
        lost_on: days_ago(TUESDAY, lost_days_ago),
        reason: LossReason::Pricing,
        competitor: Some("Acme".into()),
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    });
    w
}

#[test]
fn p16_feedback_touch_within_fourteen_days_of_the_loss() {
    let w = lost_world(5, 6);
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("feedback is due");
    assert_eq!(i.kind, TouchKind::Feedback);
    assert!(cites(i, "P16"));
    // Once asked, not again.
    let mut w = lost_world(5, 6);
    w.touch(
        1,
        days_ago(TUESDAY, 2),
        Channel::Call,
        Outcome::Conversation,
    )
    .kind = TouchKind::Feedback;
    assert!(item(&w.plan(TUESDAY), 1).is_none());
}

#[test]
fn p17_lost_accounts_are_nurtured_every_30_to_45_days_never_sooner() {
    assert!(
        item(&lost_world(100, 20).plan(TUESDAY), 1).is_none(),
        "20 days is too soon"
    );
    let p = lost_world(100, 35).plan(TUESDAY);
    let i = item(&p, 1).expect("35 days: time to stay present");
    assert_eq!(i.kind, TouchKind::Nurture);
    assert!(cites(i, "P17"));
    assert!(Playbook::default().nurture_channels.contains(&i.channel));
    assert_ne!(
        i.channel,
        Channel::Call,
        "rotates away from the last channel"
    );
}

#[test]
fn p19_capacity_freed_by_a_loss_goes_to_prospects() {
    let pb = Playbook {
        max_visits: 0,
        max_remote: 2,
        prospecting_share: 0.0,
        ..Playbook::default()
    };
    let mut w = world();
    for id in 1..=2 {
        w.add(
            account(id, AccountStatus::Customer),
            vec![contact(
                id,
                id,
                ContactRole::Physician,
                Influence::DecisionMaker,
            )],
        );
        w.touch(
            id,
            days_ago(TUESDAY, 40),
            Channel::Call,
            Outcome::Conversation,
        );
    }
    w.add(
        account(3, AccountStatus::Prospect),
        vec![contact(
            3,
            3,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    let before = w.plan_with(&pb, TUESDAY);
    assert!(item(&before, 3).is_none(), "the day is full of customers");
    w.t.accounts[0].status = AccountStatus::Lost;
    w.t.lost.push(LostAccount {
        account: AccountId(1),
        lost_on: days_ago(TUESDAY, 60),
        reason: LossReason::Pricing,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    });
    w.touch(
        1,
        days_ago(TUESDAY, 20),
        Channel::Email,
        Outcome::NoResponse,
    )
    .kind = TouchKind::Nurture;
    let after = w.plan_with(&pb, TUESDAY);
    assert!(
        item(&after, 3).is_some(),
        "the freed slot goes to the prospect: {:?}",
        after.items
    );
    assert_eq!(after.items.len(), 2);
}

fn prospect_world(unanswered: usize, last_days_ago: i64) -> World {
    let mut w = world();
    w.add(
        account(1, AccountStatus::Prospect),
        vec![contact(
            1,
            1,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    for n in 0..unanswered {
        let day = days_ago(TUESDAY, last_days_ago + 4 * (unanswered - 1 - n) as i64);
        w.touch(
            1,
            day,
            if n % 2 == 0 {
                Channel::Call
            } else {
                Channel::Email
            },
            Outcome::NoResponse,
        );
    }
    w
}

#[test]
fn p20_cadence_persists_to_six_attempts_and_stops_after_eight() {
    for n in 0..7 {
        let p = prospect_world(n, 3).plan(TUESDAY);
        let i = item(&p, 1).unwrap_or_else(|| panic!("attempt {} must be planned", n + 1));
        assert!(cites(i, "P20"), "{:?}", i.reasons);
    }
    let p = prospect_world(8, 3).plan(TUESDAY);
    assert!(item(&p, 1).is_none(), "after 8 attempts the chase ends");
}

#[test]
fn p21_next_attempt_varies_the_channel_after_no_response() {
    let mut w = prospect_world(0, 3);
    w.touch(1, days_ago(TUESDAY, 3), Channel::Visit, Outcome::NoResponse);
    let i = w
        .plan(TUESDAY)
        .items
        .into_iter()
        .find(|i| i.contact.0 == 1)
        .unwrap();
    assert_ne!(i.channel, Channel::Visit);
    assert!(cites(&i, "P21"));
    let mut w = prospect_world(0, 3);
    w.touch(1, days_ago(TUESDAY, 3), Channel::Call, Outcome::NoResponse);
    assert_ne!(item(&w.plan(TUESDAY), 1).unwrap().channel, Channel::Call);
}

#[test]
fn p22_customers_weigh_more_than_prospects() {
    let pb = Playbook {
        max_visits: 0,
        max_remote: 1,
        prospecting_share: 0.0,
        ..Playbook::default()
    };
    let mut w = world();
    w.add(
        account(1, AccountStatus::Prospect),
        vec![contact(
            1,
            1,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    w.add(
        account(2, AccountStatus::Customer),
        vec![contact(
            2,
            2,
            ContactRole::Physician,
            Influence::DecisionMaker,
        )],
    );
    w.touch(
        2,
        days_ago(TUESDAY, 20),
        Channel::Call,
        Outcome::Conversation,
    );
    w.touch(
        1,
        days_ago(TUESDAY, 20),
        Channel::Call,
        Outcome::Conversation,
    );
    let p = w.plan_with(&pb, TUESDAY);
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].contact, ContactId(2));
}

#[test]
fn p23_not_too_often_and_not_too_late() {
    // Two touches this week: nothing more.
    let mut w = prospect_world(0, 3);
    w.touch(1, days_ago(TUESDAY, 5), Channel::Call, Outcome::NoResponse);
    w.touch(1, days_ago(TUESDAY, 2), Channel::Email, Outcome::NoResponse);
    assert!(item(&w.plan(TUESDAY), 1).is_none());
    // A visit 3 days ago: no visit today.
    let mut w = customer_world(20, TUESDAY);
    w.t.contacts.push(contact(
        2,
        1,
        ContactRole::Physician,
        Influence::DecisionMaker,
    ));
    w.touch(
        2,
        days_ago(TUESDAY, 3),
        Channel::Visit,
        Outcome::Conversation,
    )
    .next_step = Some(NextStep {
        what: "x".into(),
        due: days_ago(TUESDAY, -10),
    });
    assert!(
        w.plan(TUESDAY)
            .items
            .iter()
            .all(|i| i.channel != Channel::Visit)
    );
    // Silent past the limit: due, citing P23.
    let p = customer_world(31, TUESDAY).plan(TUESDAY);
    assert!(cites(item(&p, 1).unwrap(), "P23"));
}

#[test]
fn p26_in_person_first_where_access_allows() {
    let p = customer_world(20, TUESDAY).plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert_eq!(i.channel, Channel::Visit);
    assert!(cites(i, "P26"));
    // A 15-minute visit inside the preferred 09:00-11:00 window, placed by the route.
    assert!(
        i.window.start >= Time::constant(9, 0, 0, 0),
        "{:?}",
        i.window
    );
    assert!(
        i.window.end <= Time::constant(11, 0, 0, 0),
        "{:?}",
        i.window
    );
    let route = p.route.as_ref().expect("a visit makes a route");
    assert_eq!(route.stops.len(), 1);
    assert_eq!(route.stops[0].start, i.window.start);
}

fn minutes(t: Time) -> i32 {
    i32::from(t.hour()) * 60 + i32::from(t.minute())
}

#[test]
fn p26_the_route_orders_visits_without_overlap_and_explains_what_it_leaves_out() {
    let mut w = world();
    // Six customers 1 km apart east-west, each visitable only 09:00-09:30, and a
    // seventh far away (300 km): that half hour holds two 15-minute visits at most.
    for id in 1..=7 {
        let mut a = account(id, AccountStatus::Customer);
        a.visit_windows = vec![TimeRange::hm(9, 0, 9, 30)];
        a.address.lon += if id == 7 { 3.6 } else { 0.012 * id as f64 };
        let mut c = contact(id, id, ContactRole::Physician, Influence::DecisionMaker);
        c.opt_outs = vec![Channel::Call, Channel::Email, Channel::Voicemail];
        w.add(a, vec![c]);
        w.touch(
            id,
            days_ago(TUESDAY, 20),
            Channel::Call,
            Outcome::Conversation,
        );
    }
    let p = w.plan(TUESDAY);
    let route = p.route.as_ref().expect("visits make a route");
    let visits: Vec<&PlanItem> = p
        .items
        .iter()
        .filter(|i| i.channel == Channel::Visit)
        .collect();
    assert_eq!(visits.len(), route.stops.len());
    assert!(route.stops.len() <= 2, "{:?}", route.stops);
    for pair in route.stops.windows(2) {
        assert!(
            minutes(pair[0].leave_by) <= minutes(pair[1].arrive),
            "{:?}",
            route.stops
        );
    }
    for stop in &route.stops {
        assert!(stop.start >= Time::constant(9, 0, 0, 0) && minutes(stop.leave_by) <= 9 * 60 + 30);
    }
    assert!(!route.left_out.is_empty());
    for out in &route.left_out {
        assert!(!out.reason.is_empty() && !out.rules.is_empty());
        if let Some(i) = item(&p, out.contact.0) {
            assert_ne!(
                i.channel,
                Channel::Visit,
                "a left-out visit became a remote touch"
            );
        }
    }
}

#[test]
fn p27_front_desk_blocked_offices_are_visited_at_lunch_or_after_the_last_patient() {
    let mut w = customer_world(20, TUESDAY);
    w.t.accounts[0].front_desk_blocks = true;
    let i = item(&w.plan(TUESDAY), 1).unwrap().clone();
    assert_eq!(i.channel, Channel::Visit);
    let lunch = (Time::constant(12, 0, 0, 0), Time::constant(13, 0, 0, 0));
    let late = (Time::constant(16, 0, 0, 0), Time::constant(17, 0, 0, 0));
    assert!(
        [lunch, late]
            .iter()
            .any(|(from, to)| i.window.start >= *from && i.window.end <= *to),
        "{:?}",
        i.window
    );
}

#[test]
fn p29_a_dead_end_turns_to_someone_else_in_the_department() {
    let mut w = prospect_world(3, 3);
    let mut nurse = contact(2, 1, ContactRole::HeadNurse, Influence::Influencer);
    nurse.department = Some("surgery".into());
    w.t.contacts[0].department = Some("surgery".into());
    w.t.contacts.push(nurse);
    w.t.contacts
        .push(contact(3, 1, ContactRole::FrontDesk, Influence::Gatekeeper));
    let p = w.plan(TUESDAY);
    assert!(item(&p, 1).is_none(), "three unanswered: stop repeating");
    let alt = item(&p, 2).expect("the colleague in the same department");
    assert!(cites(alt, "P29") && alt.reasons[0].text.contains("Contact 1"));
}

#[test]
fn p30_planning_favours_decision_makers() {
    let pb = Playbook {
        max_visits: 0,
        max_remote: 1,
        ..Playbook::default()
    };
    let mut w = world();
    w.add(
        account(1, AccountStatus::Customer),
        vec![
            contact(1, 1, ContactRole::FrontDesk, Influence::Gatekeeper),
            contact(2, 1, ContactRole::Physician, Influence::DecisionMaker),
        ],
    );
    w.touch(
        1,
        days_ago(TUESDAY, 40),
        Channel::Call,
        Outcome::Conversation,
    );
    w.touch(
        2,
        days_ago(TUESDAY, 40),
        Channel::Call,
        Outcome::Conversation,
    );
    let p = w.plan_with(&pb, TUESDAY);
    assert_eq!(p.items[0].contact, ContactId(2));
}

#[test]
fn p31_no_fit_stops_every_cadence_and_finished_cadences_nurture() {
    let mut w = prospect_world(2, 3);
    w.t.accounts[0].status = AccountStatus::NoFit;
    assert!(w.plan(TUESDAY).items.is_empty());
    let p = prospect_world(8, 31).plan(TUESDAY);
    let i = item(&p, 1).expect("nurture after the cadence ended");
    assert_eq!(i.kind, TouchKind::Nurture);
    assert!(cites(i, "P31"));
}

#[test]
fn p32_the_cadence_ends_with_a_polite_breakup_email() {
    let p = prospect_world(7, 3).plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert_eq!(i.kind, TouchKind::Breakup);
    assert_eq!(i.channel, Channel::Email);
    assert!(cites(i, "P32"));
}

#[test]
fn p33_next_steps_due_are_planned_and_missing_ones_flagged() {
    let mut w = customer_world(5, TUESDAY);
    w.t.touches[0].next_step = Some(NextStep {
        what: "bring the adherence samples".into(),
        due: TUESDAY,
    });
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("due next step");
    assert!(cites(i, "P33") && i.reasons[0].text.contains("adherence samples"));
    assert_eq!(i.prep.open_next_steps.len(), 1);
    let w = customer_world(5, TUESDAY);
    assert!(
        w.plan(TUESDAY)
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::MissingNextStep && f.rules == vec!["P33"])
    );
}

#[test]
fn p34_thank_you_after_a_referral_or_order() {
    let mut w = customer_world(20, TUESDAY);
    w.touch(1, days_ago(TUESDAY, 2), Channel::Visit, Outcome::Order)
        .next_step = Some(NextStep {
        what: "x".into(),
        due: days_ago(TUESDAY, -20),
    });
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("gratitude");
    assert_eq!(i.kind, TouchKind::ThankYou);
    assert!(cites(i, "P34"));
    assert!(matches!(
        i.channel,
        Channel::HandwrittenNote | Channel::Email
    ));
}

#[test]
fn p35_agreed_callback_is_planned_at_that_time_exactly() {
    let mut w = customer_world(3, TUESDAY);
    w.t.touches[0].callback_at = Some(local(TUESDAY, 14, 30));
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert_eq!(i.channel, Channel::Call);
    assert!(i.window.exact);
    assert_eq!(i.window.start, Time::constant(14, 30, 0, 0));
    assert_eq!(i.window.tz.as_str(), TZ);
    assert!(cites(i, "P35"));
}

#[test]
fn p37_confirmation_email_within_one_business_day_of_a_referral_meeting() {
    let mut w = customer_world(30, MONDAY);
    let friday = days_ago(MONDAY, 3);
    let m = w.touch(1, friday, Channel::Visit, Outcome::Positive);
    m.kind = TouchKind::ReferralMeeting;
    m.next_step = Some(NextStep {
        what: "first referral".into(),
        due: days_ago(MONDAY, -7),
    });
    let p = w.plan(MONDAY);
    let i = item(&p, 1).expect("confirmation on the next business day, even a Monday");
    assert_eq!(
        (i.kind, i.channel),
        (TouchKind::Confirmation, Channel::Email)
    );
    assert!(i.urgent && cites(i, "P37"));
    w.touch(1, MONDAY, Channel::Email, Outcome::NoResponse).kind = TouchKind::Confirmation;
    assert!(item(&w.plan(MONDAY), 1).is_none_or(|i| i.kind != TouchKind::Confirmation));
}

fn email_only_world(today: Date) -> World {
    let mut w = customer_world(20, today);
    w.t.contacts[0].opt_outs = vec![Channel::Visit, Channel::Call, Channel::Voicemail];
    w
}

#[test]
fn p38_plain_emails_only_on_tuesday_and_thursday() {
    let p = email_only_world(TUESDAY).plan(TUESDAY);
    assert_eq!(item(&p, 1).unwrap().channel, Channel::Email);
    let p = email_only_world(MONDAY).plan(MONDAY);
    assert!(item(&p, 1).is_none_or(|i| i.channel != Channel::Email));
}

#[test]
fn p39_emails_go_at_ten_or_one_never_at_noon_or_near_closing() {
    let i = item(&email_only_world(TUESDAY).plan(TUESDAY), 1)
        .unwrap()
        .clone();
    assert_eq!(
        (i.window.start, i.window.end),
        (Time::constant(10, 0, 0, 0), Time::constant(11, 0, 0, 0))
    );
    // Closing at 11:30: 10-11 is within an hour of closing; 13-14 is after it: no email.
    let mut w = email_only_world(TUESDAY);
    w.t.accounts[0].office_hours = WeekHours::weekdays(&[TimeRange::hm(7, 0, 11, 30)]);
    assert!(item(&w.plan(TUESDAY), 1).is_none_or(|i| i.channel != Channel::Email));
    // Closing at 15:30: the 13-14 slot.
    w.t.accounts[0].office_hours = WeekHours::weekdays(&[TimeRange::hm(11, 0, 15, 30)]);
    let i = item(&w.plan(TUESDAY), 1).unwrap().clone();
    assert_eq!(i.window.start, Time::constant(13, 0, 0, 0));
}

#[test]
fn p40_wait_before_following_up_an_unanswered_email() {
    let mut w = world();
    let mut c = contact(1, 1, ContactRole::Physician, Influence::DecisionMaker);
    c.opt_outs = vec![
        Channel::Visit,
        Channel::Call,
        Channel::Voicemail,
        Channel::HandwrittenNote,
        Channel::Letter,
    ];
    w.add(account(1, AccountStatus::Prospect), vec![c]);
    w.touch(1, days_ago(TUESDAY, 1), Channel::Email, Outcome::NoResponse);
    // Thursday 2026-11-26 is Thanksgiving, a default holiday; this rule is about the
    // wait, so the organisation here works that day.
    let pb = Playbook {
        prospect_attempt_gap_days: 1,
        holidays: vec![],
        ..Playbook::default()
    };
    let p = w.plan_with(&pb, TUESDAY);
    assert!(
        item(&p, 1).is_none_or(|i| i.channel != Channel::Email),
        "an email one day after an unanswered one"
    );
    let p = w.plan_with(&pb, date(2026, 11, 26));
    assert!(
        item(&p, 1).is_some_and(|i| i.channel == Channel::Email),
        "two days later it may go"
    );
}

#[test]
fn p43_preferred_channel_and_the_cell_at_most_once_a_week() {
    let mut w = customer_world(20, TUESDAY);
    w.t.contacts[0].preferred_channel = Some(Channel::Text);
    w.t.contacts[0].channels.cell = Some("+1 312 555 0199".into());
    w.t.contacts[0].text_consent = Some(consent());
    let i = item(&w.plan(TUESDAY), 1).unwrap().clone();
    assert_eq!(i.channel, Channel::Text);
    assert_eq!(i.via.as_deref(), Some("+1 312 555 0199"));
    w.touch(1, days_ago(TUESDAY, 2), Channel::Text, Outcome::NoResponse);
    let p = w.plan(TUESDAY);
    assert!(
        item(&p, 1).is_none_or(|i| i.channel != Channel::Text),
        "cell used this week without reply"
    );
}

#[test]
fn p44_try_someone_else_when_the_target_does_not_answer() {
    let mut w = prospect_world(4, 3);
    w.t.contacts.push(contact(
        2,
        1,
        ContactRole::OfficeManager,
        Influence::Influencer,
    ));
    let p = w.plan(TUESDAY);
    assert!(item(&p, 1).is_none());
    assert!(cites(item(&p, 2).unwrap(), "P44"));
}

#[test]
fn p45_every_channel_of_the_playbook_exists() {
    for name in [
        "visit",
        "call",
        "voicemail",
        "email",
        "text",
        "linkedin",
        "handwritten-note",
        "letter",
        "virtual-meeting",
    ] {
        assert!(name.parse::<Channel>().is_ok(), "{name}");
    }
    assert_eq!(Channel::ALL.len(), 9);
}

#[test]
fn p46_every_item_carries_its_preparation() {
    let mut w = customer_world(20, TUESDAY);
    w.t.touches[0].next_step = Some(NextStep {
        what: "call back about samples".into(),
        due: TUESDAY,
    });
    w.t.touches[0].note = "liked the packaging".into();
    w.t.referrals.push(ReferralCount {
        contact: ContactId(1),
        day: days_ago(TUESDAY, 4),
        count: 2,
    });
    let p = w.plan(TUESDAY);
    let prep = &item(&p, 1).unwrap().prep;
    assert_eq!(prep.recent_touches.len(), 1);
    assert_eq!(prep.recent_touches[0].note, "liked the packaging");
    assert_eq!(
        prep.topics_covered,
        vec!["Prior-authorisation turnaround".to_string()]
    );
    assert_eq!(prep.open_next_steps[0].what, "call back about samples");
    assert_eq!(prep.referrals.as_ref().unwrap().recent, 2);
}

#[test]
fn p28_visits_are_short_and_need_only_a_short_window() {
    // A 10-minute visiting window is too short for the 15-minute visit; 20 minutes fits.
    let mut w = customer_world(20, TUESDAY);
    w.t.accounts[0].visit_windows = vec![TimeRange::hm(9, 0, 9, 10), TimeRange::hm(15, 0, 15, 20)];
    let i = item(&w.plan(TUESDAY), 1).unwrap().clone();
    assert_eq!(i.channel, Channel::Visit);
    assert_eq!(i.window.start, Time::constant(15, 0, 0, 0));
    // An agreed time gets a slot of exactly the visit length.
    w.t.touches[0].callback_at = Some(local(TUESDAY, 11, 0));
    let i = item(&w.plan(TUESDAY), 1).unwrap().clone();
    assert_eq!(
        (i.window.start, i.window.end),
        (Time::constant(11, 0, 0, 0), Time::constant(11, 15, 0, 0))
    );
}

/// The field week and the organisation's days off (`[day] working_days`, `holidays`):
/// a plan the rep cannot follow on a Saturday or a holiday is no plan.
#[test]
fn calendar_nothing_is_planned_on_a_weekend_or_a_holiday() {
    let saturday = days_ago(MONDAY, 2);
    let mut w = customer_world(5, saturday);
    w.t.touches[0].next_step = Some(NextStep {
        what: "bring the adherence samples".into(),
        due: saturday,
    });
    let p = w.plan(saturday);
    assert!(
        p.items.is_empty() && p.flags.is_empty() && p.route.is_none(),
        "{p:?}"
    );
    // The same step on a working day is planned; on a holiday it is not.
    let mut w = customer_world(5, TUESDAY);
    w.t.touches[0].next_step = Some(NextStep {
        what: "bring the adherence samples".into(),
        due: TUESDAY,
    });
    assert!(item(&w.plan(TUESDAY), 1).is_some());
    let holiday = Playbook::from_toml("[day]\nholidays = [\"2026-11-24\"]\n").unwrap();
    assert!(plan(&w.t, &holiday, REP, TUESDAY).items.is_empty());
    assert!(!holiday.is_working_day(TUESDAY));
    assert_eq!(
        holiday.next_working_day(TUESDAY),
        Some(days_ago(TUESDAY, -1))
    );
    // A playbook that works Saturdays plans them.
    let six_days = Playbook::from_toml(
        "[day]\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\n",
    )
    .unwrap();
    assert!(six_days.is_working_day(saturday));
    assert!(Playbook::from_toml("[day]\nworking_days = []\n").is_err());
    assert!(Playbook::from_toml("[day]\nholidays = [\"25 Dec\"]\n").is_err());
}

#[test]
fn calendar_the_next_touch_after_a_log_skips_days_off() {
    let friday = days_ago(MONDAY, -4);
    let w = customer_world(20, friday);
    let pb = Playbook::default();
    // Logged late on Friday: the next touch is never on the weekend.
    let late = local(friday, 23, 0);
    let next = rounds_core::planner::next_for_contact(
        &w.t,
        &pb,
        REP,
        rounds_core::model::ContactId(1),
        friday,
        late,
    )
    .expect("a customer silent for 20 days is due again within the horizon");
    assert!(next.date > friday);
    assert!(pb.is_working_day(next.date), "{}", next.date);
}

/// A customer with a step "bring the adherence samples" agreed 5 days before `today`,
/// due `due`; the step's id is touch 1.
fn step_world(today: Date, due: Date) -> World {
    let mut w = customer_world(5, today);
    w.t.touches[0].next_step = Some(NextStep {
        what: "bring the adherence samples".into(),
        due,
    });
    w
}

fn update(w: &mut World, seq: u32, day: Date, action: StepAction) {
    w.t.step_updates.push(StepUpdate {
        touch: TouchId(1),
        seq,
        account: AccountId(1),
        at: local(day, 8, 0),
        by: REP,
        action,
    });
}

fn serves_the_step(p: &DayPlan) -> bool {
    item(p, 1).is_some_and(|i| cites(i, "P33") && i.step == Some(TouchId(1)))
}

#[test]
fn p33_completed_step_is_no_longer_planned() {
    let mut w = step_world(TUESDAY, TUESDAY);
    assert!(serves_the_step(&w.plan(TUESDAY)));
    update(&mut w, 1, TUESDAY, StepAction::Complete);
    let p = w.plan(TUESDAY);
    assert!(item(&p, 1).is_none_or(|i| !cites(i, "P33") && i.step.is_none()));
    assert!(p.triage.is_empty());
    // Planning an earlier day ignores the later decision.
    let mut w = step_world(MONDAY, MONDAY);
    update(&mut w, 1, TUESDAY, StepAction::Complete);
    assert!(serves_the_step(&w.plan(MONDAY)));
}

#[test]
fn p33_rescheduled_step_is_planned_on_its_new_date() {
    // Friday: Thursday 2026-11-26 is Thanksgiving, a day off by default.
    let friday = days_ago(TUESDAY, -3);
    let mut w = step_world(TUESDAY, days_ago(TUESDAY, 1));
    update(
        &mut w,
        1,
        days_ago(TUESDAY, 1),
        StepAction::Reschedule {
            due: friday,
            reason: "the practice is closed for training".into(),
        },
    );
    assert!(!serves_the_step(&w.plan(TUESDAY)));
    let p = w.plan(friday);
    assert!(serves_the_step(&p), "{:#?}", p.items);
    let i = item(&p, 1).unwrap();
    assert!(
        i.reasons[0].text.contains("due today"),
        "{}",
        i.reasons[0].text
    );
    assert_eq!(i.prep.open_next_steps[0].due, friday);
}

#[test]
fn p33_edited_step_shows_its_new_wording() {
    let mut w = step_world(TUESDAY, TUESDAY);
    update(
        &mut w,
        1,
        MONDAY,
        StepAction::Edit {
            what: Some("bring the blister-pack samples".into()),
            due: None,
        },
    );
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).unwrap();
    assert!(i.reasons[0].text.contains("blister-pack"));
    assert_eq!(
        i.prep.open_next_steps[0].what,
        "bring the blister-pack samples"
    );
    assert_eq!(i.step, Some(TouchId(1)));
}

#[test]
fn p33_skipped_step_leaves_the_plan() {
    let mut w = step_world(TUESDAY, TUESDAY);
    update(
        &mut w,
        1,
        MONDAY,
        StepAction::Skip {
            reason: "they chose another supplier for samples".into(),
        },
    );
    let p = w.plan(TUESDAY);
    assert!(item(&p, 1).is_none_or(|i| !cites(i, "P33") && i.prep.open_next_steps.is_empty()));
    // A later update cannot reopen a closed step.
    update(
        &mut w,
        2,
        MONDAY,
        StepAction::Reschedule {
            due: TUESDAY,
            reason: "x".into(),
        },
    );
    assert!(!serves_the_step(&w.plan(TUESDAY)));
}

#[test]
fn p33_step_overdue_past_triage_goes_to_triage_not_the_plan() {
    let pb = Playbook::default();
    assert_eq!(pb.step_triage_after_days, 7);
    // Seven days late: still planned.
    let w = step_world(TUESDAY, days_ago(TUESDAY, 7));
    let p = w.plan(TUESDAY);
    assert!(serves_the_step(&p) && p.triage.is_empty());
    // Eight days late: on the triage list, with what the rep needs to decide.
    let mut w = customer_world(20, TUESDAY);
    w.t.touches[0].next_step = Some(NextStep {
        what: "bring the adherence samples".into(),
        due: days_ago(TUESDAY, 8),
    });
    let p = w.plan(TUESDAY);
    assert!(item(&p, 1).is_none_or(|i| !cites(i, "P33") && i.step.is_none()));
    assert_eq!(p.triage.len(), 1);
    let t = &p.triage[0];
    assert_eq!(
        (t.step, t.contact, t.account, t.due, t.days_overdue),
        (
            TouchId(1),
            ContactId(1),
            AccountId(1),
            days_ago(TUESDAY, 8),
            8
        )
    );
    assert_eq!(t.what, "bring the adherence samples");
    // The threshold is the playbook's.
    let loose = Playbook::from_toml("[steps]\ntriage_after_days = 30\n").unwrap();
    let p = w.plan_with(&loose, TUESDAY);
    assert!(p.triage.is_empty() && serves_the_step(&p));
    // Rescheduling takes it off the list.
    update(
        &mut w,
        1,
        TUESDAY,
        StepAction::Reschedule {
            due: days_ago(TUESDAY, -2),
            reason: "agreed a new date".into(),
        },
    );
    assert!(w.plan(TUESDAY).triage.is_empty());
}

#[test]
fn p33_a_later_answered_touch_still_closes_the_step() {
    let mut w = step_world(TUESDAY, TUESDAY);
    w.touch(1, MONDAY, Channel::Call, Outcome::Conversation);
    assert!(!serves_the_step(&w.plan(TUESDAY)));
}

fn consent() -> Consent {
    Consent {
        on: date(2026, 11, 2),
        source: "signed-form".into(),
    }
}

/// P43: a cell number is not a permission to text. Without a consent on record no
/// text is planned, even to a contact who prefers texts; with one, it is.
#[test]
fn p43_no_text_without_recorded_consent() {
    let mut w = customer_world(20, TUESDAY);
    w.t.contacts[0].preferred_channel = Some(Channel::Text);
    w.t.contacts[0].channels.cell = Some("+1 312 555 0199".into());
    assert!(!w.t.contacts[0].can_use(Channel::Text));
    let p = w.plan(TUESDAY);
    let i = item(&p, 1).expect("still planned, on another channel");
    assert_ne!(i.channel, Channel::Text);
    // No day of the next two weeks plans a text either.
    let mut day = TUESDAY;
    for _ in 0..14 {
        assert!(
            w.plan(day).items.iter().all(|i| i.channel != Channel::Text),
            "{day}"
        );
        day = day.tomorrow().unwrap();
    }
    w.t.contacts[0].text_consent = Some(consent());
    assert_eq!(item(&w.plan(TUESDAY), 1).unwrap().channel, Channel::Text);
}

fn time_off(from: Date, to: Date) -> TimeOff {
    TimeOff {
        id: TimeOffId(1),
        rep: REP,
        from,
        to,
        reason: "vacation".into(),
    }
}

/// A rep's time off is a day off: nothing planned, the reason said, and the next
/// working day named (the first after the time off).
#[test]
fn calendar_nothing_is_planned_on_a_reps_time_off() {
    let mut w = customer_world(20, TUESDAY);
    assert!(item(&w.plan(TUESDAY), 1).is_some());
    w.t.calendar.time_off = vec![time_off(MONDAY, TUESDAY)];
    let p = w.plan(TUESDAY);
    assert!(p.items.is_empty() && p.flags.is_empty() && p.route.is_none());
    let off = p.day_off.expect("the reason is given");
    assert_eq!(off.kind, "time-off");
    assert!(off.why.contains("vacation"), "{}", off.why);
    assert_eq!(off.next_working_day, Some(date(2026, 11, 25)));
    // The day after the time off is a working day again.
    assert!(item(&w.plan(date(2026, 11, 25)), 1).is_some());
}

/// A rep who works Monday to Thursday has no plan on Fridays, and their next working
/// day after Thursday is Monday; their field hours are theirs, not the playbook's.
#[test]
fn calendar_a_rep_who_works_mon_thu_gets_no_friday_plan() {
    let friday = date(2026, 11, 20);
    let mut w = customer_world(20, friday);
    assert!(item(&w.plan(friday), 1).is_some());
    w.t.calendar.week = Some(WorkWeek {
        rep: REP,
        days: parse_weekdays("mon-thu").unwrap(),
        hours: Some(TimeRange::hm(8, 0, 16, 0)),
    });
    let pb = Playbook::default();
    let p = w.plan(friday);
    assert!(p.items.is_empty());
    assert_eq!(p.day_off.unwrap().kind, "not-the-reps-day");
    assert_eq!(
        rounds_core::calendar::next_working_day(&w.t.calendar, &pb, date(2026, 11, 19)),
        Some(date(2026, 11, 23))
    );
    assert_eq!(
        rounds_core::calendar::working_hours(&w.t.calendar),
        Some(TimeRange::hm(8, 0, 16, 0))
    );
    // Their week cannot add a day the organisation does not work.
    w.t.calendar.week.as_mut().unwrap().days = parse_weekdays("mon-sat").unwrap();
    assert_eq!(
        rounds_core::calendar::day_off(&w.t.calendar, &pb, date(2026, 11, 21))
            .unwrap()
            .key(),
        "weekend"
    );
}

/// The built-in playbook's holidays are the US federal holidays of 2026 and 2027 on
/// their observed dates (always a weekday), each named, so Thanksgiving has no plan
/// and says which holiday it is.
#[test]
fn calendar_us_federal_holidays_are_days_off_by_default() {
    let pb = Playbook::default();
    assert_eq!(pb.holidays.len(), 23);
    for h in &pb.holidays {
        assert!(
            pb.working_days.contains(&h.date.weekday()),
            "{} is observed on a weekday",
            h.date
        );
        assert!(h.name.is_some(), "{} has a name", h.date);
    }
    for (d, name) in [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 7, 3), "Independence Day (observed)"),
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2027, 1, 18), "Martin Luther King Jr. Day"),
        (date(2027, 6, 18), "Juneteenth (observed)"),
        (date(2027, 12, 24), "Christmas Day (observed)"),
    ] {
        let h = pb.holidays.iter().find(|h| h.date == d).expect("listed");
        assert_eq!(h.name.as_deref(), Some(name));
    }
    let thanksgiving = date(2026, 11, 26);
    let w = customer_world(20, thanksgiving);
    let p = w.plan(thanksgiving);
    assert!(p.items.is_empty());
    let off = p.day_off.unwrap();
    assert_eq!(off.kind, "holiday");
    assert_eq!(off.why, "a holiday: Thanksgiving Day");
    assert_eq!(off.next_working_day, Some(date(2026, 11, 27)));
    // A playbook may still list bare dates.
    let bare = Playbook::from_toml("[day]\nholidays = [\"2026-11-24\"]\n").unwrap();
    assert_eq!(bare.holidays[0].name, None);
}

/// `rounds log`'s next touch never lands in the rep's time off.
#[test]
fn calendar_the_next_touch_after_a_log_skips_a_reps_time_off() {
    let friday = days_ago(MONDAY, -4);
    let mut w = customer_world(20, friday);
    w.t.calendar.time_off = vec![time_off(days_ago(MONDAY, -7), days_ago(MONDAY, -9))];
    let pb = Playbook::default();
    let next = rounds_core::planner::next_for_contact(
        &w.t,
        &pb,
        REP,
        ContactId(1),
        friday,
        local(friday, 23, 0),
    )
    .expect("due again within the horizon");
    assert!(
        rounds_core::calendar::is_working_day(&w.t.calendar, &pb, next.date),
        "{}",
        next.date
    );
    assert!(!w.t.calendar.time_off[0].covers(next.date));
}

#[test]
fn p24_each_visit_asks_about_the_first_missing_office_fact_and_shows_completeness() {
    let pb = Playbook::default();
    let facts = pb.profile_facts.clone();
    assert!(facts.len() >= 3, "the playbook lists office facts to learn");
    let mut w = customer_world(20, TUESDAY);
    // The first fact is known, the second is not: the visit asks about the second.
    w.t.accounts[0]
        .profile
        .insert(facts[0].clone(), "Epic".into());
    w.t.accounts[0]
        .profile
        .insert(facts[2].clone(), "Dr. Osei".into());
    let p = w.plan_with(&pb, TUESDAY);
    let visit = item(&p, 1).unwrap();
    assert_eq!(visit.channel, Channel::Visit);
    assert_eq!(visit.prep.ask_about.as_deref(), Some(facts[1].as_str()));
    assert_eq!(
        usize::from(visit.prep.profile_completeness),
        2 * 100 / facts.len()
    );

    // Every fact known: nothing to ask, and the profile is complete.
    for f in &facts {
        w.t.accounts[0].profile.insert(f.clone(), "known".into());
    }
    let p = w.plan_with(&pb, TUESDAY);
    let visit = item(&p, 1).unwrap();
    assert_eq!(visit.prep.ask_about, None);
    assert_eq!(visit.prep.profile_completeness, 100);

    // A remote touch asks nothing about the office: the question is for the visit.
    let mut remote = customer_world(20, TUESDAY);
    remote.t.contacts[0].preferred_channel = Some(Channel::Call);
    let p = remote.plan_with(&pb, TUESDAY);
    let i = item(&p, 1).expect("a remote touch instead of the visit");
    assert_ne!(i.channel, Channel::Visit);
    assert_eq!(i.prep.ask_about, None, "{:?}", i.channel);
}
