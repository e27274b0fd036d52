//! The simulation's measurements on small hand-built histories, one test per rule
//! checked (named after it): each shows the case that counts and the one that does not.

use jiff::ToSpan;
use jiff::civil::{Date, date};
use rounds_core::model::*;
use rounds_core::planner::plan;
use rounds_core::playbook::Playbook;
use rounds_core::simulate::{Drawn, OutcomeShares, Rng, measure, percentile};

mod support;

use support::{REP, account, local, outbound};
/// A Monday; the period of every test starts here.
const FROM: Date = date(2026, 11, 23);

/// A physician reachable by e-mail and the office line, without an extension.
fn contact(id: i64, account: i64) -> Contact {
    let mut c = support::contact(
        id,
        account,
        ContactRole::Physician,
        Influence::DecisionMaker,
    );
    c.channels.extension = None;
    c
}

fn day(n: i64) -> Date {
    FROM.checked_add(n.days()).unwrap()
}

/// One account (`status`) with contacts 1 and 2.
fn world(status: AccountStatus) -> Territory {
    Territory {
        accounts: vec![account(1, status)],
        contacts: vec![contact(1, 1), contact(2, 1)],
        ..Territory::default()
    }
}

fn touch(
    t: &mut Territory,
    contact: i64,
    at: jiff::Timestamp,
    channel: Channel,
    outcome: Outcome,
) -> &mut Touch {
    let id = t.touches.len() as i64 + 1;
    t.touches.push(outbound(
        id,
        ContactId(contact),
        AccountId(1),
        at,
        channel,
        outcome,
    ));
    t.touches.last_mut().unwrap()
}

fn violations(t: &Territory, days: i64, rule: &str) -> usize {
    measure(t, &[], &Playbook::default(), FROM, days).violations(rule)
}

#[test]
fn weekend_a_saturday_touch_counts_one_a_monday_touch_none() {
    let mut t = world(AccountStatus::Customer);
    touch(
        &mut t,
        1,
        local(day(0), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    assert_eq!(violations(&t, 7, "day-off"), 0);
    touch(
        &mut t,
        1,
        local(day(5), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    assert_eq!(violations(&t, 7, "day-off"), 1);
    // Outside the period, not judged.
    assert_eq!(violations(&t, 5, "day-off"), 0);
}

#[test]
fn p38_a_plain_monday_email_counts_one_a_tuesday_email_none() {
    let mut t = world(AccountStatus::Customer);
    touch(
        &mut t,
        1,
        local(day(1), 10, 30),
        Channel::Email,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 7, "P38"), 0);
    touch(
        &mut t,
        2,
        local(day(0), 10, 30),
        Channel::Email,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 7, "P38"), 1);
    // A Monday call is not an email.
    touch(
        &mut t,
        1,
        local(day(0), 10, 30),
        Channel::Call,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 7, "P38"), 1);
}

#[test]
fn p39_a_tuesday_email_at_10_30_counts_none_at_12_15_counts_one() {
    let mut t = world(AccountStatus::Customer);
    touch(
        &mut t,
        1,
        local(day(1), 10, 30),
        Channel::Email,
        Outcome::NoResponse,
    );
    touch(
        &mut t,
        2,
        local(day(1), 13, 0),
        Channel::Email,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 7, "P39"), 0);
    touch(
        &mut t,
        1,
        local(day(3), 12, 15),
        Channel::Email,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 7, "P39"), 1);
    // 11:00 is past the best hour.
    touch(
        &mut t,
        2,
        local(day(3), 11, 0),
        Channel::Email,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 7, "P39"), 2);
}

#[test]
fn p35_a_callback_missing_from_the_plans_counts_one_a_planned_one_none() {
    let mut t = world(AccountStatus::Customer);
    let agreed = local(day(2), 14, 30);
    touch(
        &mut t,
        1,
        local(day(0), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    )
    .callback_at = Some(agreed);
    // No plan followed on that day: not kept.
    assert_eq!(violations(&t, 7, "P35"), 1);
    // The planner's own plan of that day has it at the agreed time.
    let pb = Playbook::default();
    let plans = vec![plan(&t, &pb, REP, day(2))];
    assert_eq!(measure(&t, &plans, &pb, FROM, 7).violations("P35"), 0);
    // A callback agreed for after the period is not judged.
    assert_eq!(violations(&t, 2, "P35"), 0);
    // A later agreement for the same day replaces the first: one callback, missed.
    touch(
        &mut t,
        1,
        local(day(1), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    )
    .callback_at = Some(local(day(2), 15, 0));
    assert_eq!(violations(&t, 7, "P35"), 1);
    // A callback on an account lost before its day is void.
    t.lost.push(LostAccount {
        account: AccountId(1),
        lost_on: day(1),
        reason: LossReason::Pricing,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    });
    assert_eq!(violations(&t, 7, "P35"), 0);
}

#[test]
fn p23_a_customer_contact_silent_past_the_maximum_and_the_grace_counts_one() {
    let pb = Playbook::default();
    let mut t = world(AccountStatus::Customer);
    // Last touched 20 days before the period: the limit falls on day 10 (a Thursday),
    // the grace of five working days ends on day 17; 20 quiet days make 40 on day 20.
    touch(
        &mut t,
        1,
        local(FROM.checked_sub(20.days()).unwrap(), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    assert_eq!(violations(&t, 21, "P23-silence"), 1);
    assert_eq!(measure(&t, &[], &pb, FROM, 21).customer_silence_p95, 40);
    // The grace has not run out within 14 days: not judged yet.
    assert_eq!(violations(&t, 14, "P23-silence"), 0);
    // Touched within the grace (day 16): kept.
    touch(
        &mut t,
        1,
        local(day(16), 10, 0),
        Channel::Call,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 21, "P23-silence"), 0);
    // A prospect's contact is not a customer relationship.
    let mut p = world(AccountStatus::Prospect);
    touch(
        &mut p,
        1,
        local(FROM.checked_sub(60.days()).unwrap(), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    assert_eq!(violations(&p, 21, "P23-silence"), 0);
}

fn lost_world(lost_days_before: i64) -> Territory {
    let mut t = world(AccountStatus::Lost);
    t.lost.push(LostAccount {
        account: AccountId(1),
        lost_on: FROM.checked_sub(lost_days_before.days()).unwrap(),
        reason: LossReason::Pricing,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    });
    t
}

#[test]
fn p16_a_loss_without_feedback_within_the_window_counts_one() {
    // Lost 10 days before: the 14-day window closes on day 4.
    let mut t = lost_world(10);
    assert_eq!(violations(&t, 7, "P16"), 1);
    // The window has not closed yet in a 3-day period: not judged.
    assert_eq!(violations(&t, 3, "P16"), 0);
    touch(
        &mut t,
        1,
        local(day(2), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    )
    .kind = TouchKind::Feedback;
    assert_eq!(violations(&t, 7, "P16"), 0);
}

#[test]
fn p17_a_lost_account_quiet_past_the_nurture_maximum_counts_one() {
    let mut t = lost_world(40);
    // 40 days quiet at the start, 46 on day 6.
    assert_eq!(violations(&t, 6, "P17-max"), 0);
    assert_eq!(violations(&t, 7, "P17-max"), 1);
    touch(
        &mut t,
        1,
        local(day(3), 10, 0),
        Channel::Email,
        Outcome::NoResponse,
    )
    .kind = TouchKind::Nurture;
    assert_eq!(violations(&t, 7, "P17-max"), 0);
}

#[test]
fn p20_a_cadence_given_up_early_or_run_too_long_counts_one() {
    let mut t = world(AccountStatus::Prospect);
    // Two unanswered attempts, then nothing for the rest of a 45-day period.
    touch(
        &mut t,
        1,
        local(day(0), 10, 0),
        Channel::Call,
        Outcome::NoResponse,
    );
    touch(
        &mut t,
        1,
        local(day(2), 10, 0),
        Channel::Call,
        Outcome::NoResponse,
    );
    assert_eq!(violations(&t, 45, "P20-min"), 1);
    // Still within the wait: not ended yet.
    assert_eq!(violations(&t, 10, "P20-min"), 0);
    // Nine unanswered attempts in a row: one more than the maximum.
    let mut long = world(AccountStatus::Prospect);
    for i in 0..9 {
        touch(
            &mut long,
            1,
            local(day(i * 3), 10, 0),
            Channel::Call,
            Outcome::NoResponse,
        );
    }
    assert_eq!(violations(&long, 45, "P20-max"), 1);
    assert_eq!(violations(&long, 45, "P20-min"), 0);
    // An answer ends the cadence: nothing to count.
    let mut answered = world(AccountStatus::Prospect);
    touch(
        &mut answered,
        1,
        local(day(0), 10, 0),
        Channel::Call,
        Outcome::NoResponse,
    );
    touch(
        &mut answered,
        1,
        local(day(2), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    assert_eq!(violations(&answered, 45, "P20-min"), 0);
}

#[test]
fn p29_a_fourth_unanswered_attempt_while_a_colleague_is_open_counts_one() {
    let mut t = world(AccountStatus::Prospect);
    for i in 0..4 {
        touch(
            &mut t,
            1,
            local(day(i * 2), 10, 0),
            Channel::Call,
            Outcome::NoResponse,
        );
    }
    assert_eq!(violations(&t, 14, "P29"), 1);
    // Alone at the account: nobody to turn to.
    t.contacts.retain(|c| c.id == ContactId(1));
    assert_eq!(violations(&t, 14, "P29"), 0);
}

#[test]
fn p23_a_second_visit_to_an_account_within_the_gap_counts_one() {
    let mut t = world(AccountStatus::Customer);
    touch(
        &mut t,
        1,
        local(day(1), 9, 0),
        Channel::Visit,
        Outcome::Conversation,
    );
    // A week later: the gap of 7 days is kept.
    touch(
        &mut t,
        2,
        local(day(8), 9, 30),
        Channel::Visit,
        Outcome::Conversation,
    );
    assert_eq!(violations(&t, 14, "P23-visit"), 0);
    // Another contact of the same account on the first day: a second visit that day.
    touch(
        &mut t,
        2,
        local(day(1), 9, 30),
        Channel::Visit,
        Outcome::Conversation,
    );
    assert_eq!(violations(&t, 14, "P23-visit"), 1);
    // Three days later, nobody agreed it: too soon, and the visit of day 8 is now only
    // four days after it.
    touch(
        &mut t,
        1,
        local(day(4), 9, 0),
        Channel::Visit,
        Outcome::Conversation,
    );
    assert_eq!(violations(&t, 14, "P23-visit"), 3);
}

#[test]
fn promises_on_the_day_late_and_never() {
    let pb = Playbook::default();
    let mut t = world(AccountStatus::Customer);
    let step = |due| {
        Some(NextStep {
            what: "send samples".into(),
            due,
        })
    };
    touch(
        &mut t,
        1,
        local(day(0), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    )
    .next_step = step(day(3));
    touch(
        &mut t,
        2,
        local(day(0), 11, 0),
        Channel::Call,
        Outcome::Conversation,
    )
    .next_step = step(day(3));
    touch(
        &mut t,
        1,
        local(day(3), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    let m = measure(&t, &[], &pb, FROM, 14);
    assert_eq!(
        (
            m.promises.due,
            m.promises.on_day,
            m.promises.late,
            m.promises.never
        ),
        (2, 1, 0, 1)
    );
    touch(
        &mut t,
        2,
        local(day(5), 10, 0),
        Channel::Call,
        Outcome::Conversation,
    );
    let m = measure(&t, &[], &pb, FROM, 14);
    assert_eq!(
        (m.promises.on_day, m.promises.late, m.promises.never),
        (1, 1, 0)
    );
    assert_eq!(m.promises.late_days_p95, 2);
    // Coverage, attempts and channel mix over the same touches.
    assert_eq!((m.contacts, m.contacts_touched, m.touches), (2, 2, 4));
    assert_eq!(m.coverage, 1.0);
    assert_eq!(m.attempts_per_contact, 2.0);
    assert_eq!(m.channels.get(&Channel::Call), Some(&4));
}

#[test]
fn percentiles_are_nearest_rank() {
    let v: Vec<i64> = (1..=20).collect();
    assert_eq!(percentile(&v, 50.0), 10);
    assert_eq!(percentile(&v, 95.0), 19);
    assert_eq!(percentile(&[], 95.0), 0);
}

#[test]
fn outcome_shares_draw_in_proportion_and_repeat_for_a_seed() {
    let shares = OutcomeShares::default();
    assert!(shares.check().is_ok());
    let draw = |seed| {
        let mut rng = Rng::new(seed);
        (0..10_000)
            .map(|_| shares.draw(&mut rng))
            .collect::<Vec<_>>()
    };
    let a = draw(1);
    assert_eq!(a, draw(1));
    assert_ne!(a, draw(2));
    let none = a.iter().filter(|d| **d == Drawn::NoResponse).count();
    assert!((5200..5800).contains(&none), "{none}");
    for d in &a {
        if let Drawn::NextStep(n) = d {
            assert!((2..=14).contains(n));
        }
    }
    let bad = OutcomeShares {
        no_response: 1.2,
        ..shares
    };
    assert_eq!(bad.check().unwrap_err().0, "no-response");
    let over = OutcomeShares {
        no_response: 0.9,
        ..shares
    };
    assert_eq!(over.check().unwrap_err().0, "shares");
}
