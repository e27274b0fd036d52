//! The reports' figures from a hand-built territory with a known answer: the persistence
//! funnel and the seed's figures (P20), promise keeping (P33), coverage by segment
//! (P23), referral trends with the drops (P9) and the vague reasons (P10), losses by
//! reason, competitor and rep (P18), and the CSV every report downloads as.

mod support;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use rounds_core::model::*;
use rounds_core::planner::plan;
use rounds_core::playbook::Playbook;
use rounds_core::reports::{self, Cell, RepSummary, Report, summarise, table, to_csv};
use support::{REP, account, contact, local, outbound};

const TODAY: Date = date(2026, 11, 24);

fn ago(days: i64) -> Date {
    TODAY.checked_sub(days.days()).unwrap()
}

/// Contact `id` of account `account`, touched on each of `days` ago, the last answered
/// when `answered_last`.
fn history(t: &mut Territory, id: i64, account: i64, days: &[i64], answered_last: bool) {
    t.contacts.push(contact(
        id,
        account,
        ContactRole::Physician,
        Influence::DecisionMaker,
    ));
    for (i, d) in days.iter().enumerate() {
        let last = i + 1 == days.len();
        let outcome = if last && answered_last {
            Outcome::Positive
        } else {
            Outcome::NoResponse
        };
        t.touches.push(outbound(
            id * 100 + i as i64,
            ContactId(id),
            AccountId(account),
            local(ago(*d), 10, 0),
            Channel::Call,
            outcome,
        ));
    }
}

fn world() -> Territory {
    let mut t = Territory::default();
    t.accounts.push(account(1, AccountStatus::Prospect));
    let mut clinic = account(2, AccountStatus::Customer);
    clinic.kind = AccountKind::Clinic;
    t.accounts.push(clinic);
    let mut silent = account(3, AccountStatus::Customer);
    silent.kind = AccountKind::Clinic;
    t.accounts.push(silent);
    t.accounts.push(account(4, AccountStatus::Customer));
    // Reached on the first attempt, on the third, and on the ninth.
    history(&mut t, 11, 1, &[20], true);
    history(&mut t, 12, 1, &[30, 25, 20], true);
    history(&mut t, 13, 1, &[60, 55, 50, 45, 40, 35, 30, 25, 20], true);
    // Given up after one attempt (40 days ago) and after two; one still being worked.
    history(&mut t, 14, 1, &[40], false);
    history(&mut t, 15, 1, &[70, 50], false);
    history(&mut t, 16, 1, &[5], false);
    // Customers: account 2 touched 10 days ago, account 3 120 days ago, account 4 never.
    history(&mut t, 21, 2, &[10], true);
    history(&mut t, 31, 3, &[120], true);
    t.contacts.push(contact(
        41,
        4,
        ContactRole::Physician,
        Influence::DecisionMaker,
    ));
    t
}

fn summary_of(t: &Territory) -> RepSummary {
    let pb = Playbook::default();
    let day = plan(t, &pb, REP, TODAY);
    summarise(t, &pb, REP, TODAY, &day)
}

#[test]
fn p20_the_funnel_counts_attempts_until_the_first_answer_and_the_contacts_given_up() {
    let s = summary_of(&world());
    let f = &s.funnel;
    // Slots 1..8 and 9+: reached on attempts 1, 3 and 9 (the prospects) plus the two
    // customers' contacts on their first.
    assert_eq!(f.reached_on_attempt, vec![3, 0, 1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(f.gave_up_after, vec![1, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!((f.in_progress, f.came_inbound), (1, 0));
    assert_eq!(f.attempted(), 8);
    assert_eq!(f.reached_within(1), Some(3.0 / 8.0));
}

#[test]
fn p20_an_answer_before_any_attempt_is_a_contact_who_came_inbound() {
    let mut t = world();
    let mut call_in = outbound(
        9001,
        ContactId(41),
        AccountId(4),
        local(ago(3), 9, 0),
        Channel::Call,
        Outcome::Positive,
    );
    call_in.direction = Direction::Inbound;
    t.touches.push(call_in);
    assert_eq!(summary_of(&t).funnel.came_inbound, 1);
}

#[test]
fn p20_the_funnel_is_set_beside_the_seed_figures() {
    let s = summary_of(&world());
    let seed = s.funnel.against_seed();
    let by = |figure: &str| seed.iter().find(|c| c.figure.starts_with(figure)).unwrap();
    let one = by("given up after one attempt");
    assert_eq!((one.team, one.seed_value, one.of), (Some(0.5), 0.48, 2));
    let sixth = by("reached on the 6th attempt");
    assert_eq!((sixth.team, sixth.seed_value), (Some(1.0 / 5.0), 0.80));
    // (1 + 1 + 1 + 3 + 9) / 5 attempts to reach; (1 + 2) / 2 before giving up.
    assert_eq!(by("attempts to reach").team, Some(3.0));
    assert_eq!(by("attempts before giving up").team, Some(1.5));
    let t = table(Report::Seed, &[s], &|_| "Dana".into());
    assert_eq!(
        t.columns,
        ["figure", "team", "seed", "of_contacts", "seed_says"]
    );
    assert_eq!(t.rows[0][1], Cell::Num(0.5));
}

#[test]
fn p33_promise_keeping_counts_steps_done_on_their_day_late_or_never() {
    let mut t = world();
    let step = |id: i64, set: i64, due: i64| {
        let mut x = outbound(
            id,
            ContactId(21),
            AccountId(2),
            local(ago(set), 9, 0),
            Channel::Visit,
            Outcome::Positive,
        );
        x.next_step = Some(NextStep {
            what: "send the price list".into(),
            due: ago(due),
        });
        x
    };
    // Due 30 days ago, done that day; due 20 days ago, done 2 days late; due 8 days ago
    // (then nothing, though it is the last touch); each closes the step before it.
    t.touches.push(step(5001, 40, 30));
    t.touches.push(outbound(
        5002,
        ContactId(21),
        AccountId(2),
        local(ago(30), 15, 0),
        Channel::Call,
        Outcome::NoResponse,
    ));
    t.touches.push(step(5003, 29, 20));
    t.touches.push(step(5004, 18, 8));
    t.touches.retain(|x| x.id != TouchId(2100));
    let s = summary_of(&t);
    assert_eq!(
        (
            s.promises.due,
            s.promises.on_day,
            s.promises.late,
            s.promises.never
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(s.promises.kept(), Some(1.0 / 3.0));
}

#[test]
fn p23_coverage_by_segment_counts_covered_silent_and_untouched_customers() {
    let s = summary_of(&world());
    let row = |kind| s.segments.iter().find(|r| r.kind == kind).unwrap();
    let clinics = row(AccountKind::Clinic);
    assert_eq!(
        (
            clinics.customers,
            clinics.covered,
            clinics.silent,
            clinics.untouched
        ),
        (2, 1, 1, 0)
    );
    assert_eq!(clinics.longest_silence, Some(120));
    let practices = row(AccountKind::Practice);
    assert_eq!((practices.customers, practices.untouched), (1, 1));
    assert_eq!(s.coverage.customers, 3);
    assert_eq!(s.coverage.covered, 1);
}

#[test]
fn p9_referral_trends_count_per_month_and_list_the_dropping_referrer() {
    let mut t = world();
    // Contact 21 referred 4 a week for months, then nothing in the recent window.
    for w in 5..30 {
        t.referrals.push(ReferralCount {
            contact: ContactId(21),
            day: ago(w * 7),
            count: 4,
        });
    }
    let s = summary_of(&t);
    let r = &s.referrals;
    assert_eq!(r.months.len(), reports::TREND_MONTHS);
    assert_eq!(r.months.last().map(String::as_str), Some("2026-11"));
    assert_eq!(
        r.per_month.iter().sum::<u32>(),
        r.referrers[0].per_month.iter().sum::<u32>()
    );
    assert_eq!(r.referrers.len(), 1);
    assert!(r.referrers[0].dropping, "{:?}", r.referrers[0]);
    assert_eq!(r.referrers[0].recent, 0);
}

#[test]
fn p10_a_vague_reason_shows_the_referrer_as_a_possible_competing_relationship() {
    let mut t = world();
    let mut said = outbound(
        7001,
        ContactId(21),
        AccountId(2),
        local(ago(4), 10, 0),
        Channel::Visit,
        Outcome::Conversation,
    );
    said.no_referral = Some(NoReferral {
        reason: NoReferralReason::Vague,
        text: String::new(),
    });
    t.touches.push(said);
    let s = summary_of(&t);
    assert!(
        s.referrals
            .referrers
            .iter()
            .any(|r| r.contact == ContactId(21) && r.possible_competitor)
    );
}

#[test]
fn p18_losses_are_reported_by_quarter_reason_competitor_and_rep() {
    let mut t = world();
    let lost = |account: i64, on: Date, reason, competitor: Option<&str>| LostAccount {
        account: AccountId(account),
        lost_on: on,
        reason,
        competitor: competitor.map(str::to_string),
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    };
    t.lost.push(lost(
        3,
        date(2026, 10, 2),
        LossReason::Pricing,
        Some("Acme  Rx"),
    ));
    t.lost.push(lost(
        4,
        date(2026, 11, 2),
        LossReason::Pricing,
        Some("acme rx"),
    ));
    // Older than eight quarters: left out.
    t.lost
        .push(lost(2, date(2024, 9, 30), LossReason::Pricing, None));
    let s = summary_of(&t);
    assert_eq!(s.losses.len(), 2);
    let tbl = table(Report::Losses, &[s], &|_| "Dana Whitfield".into());
    assert_eq!(
        tbl.columns,
        ["quarter", "reason", "competitor", "rep_id", "rep", "losses"]
    );
    assert_eq!(
        tbl.rows,
        vec![vec![
            Cell::Text("2026-Q4".into()),
            Cell::Text("pricing".into()),
            Cell::Text("acme rx".into()),
            Cell::Int(REP.0),
            Cell::Text("Dana Whitfield".into()),
            Cell::Int(2),
        ]]
    );
}

#[test]
fn p20_per_rep_reports_end_with_the_team_total_and_download_as_safe_csv() {
    let a = summary_of(&world());
    let mut b = a.clone();
    b.rep = UserId(2);
    let t = table(Report::Funnel, &[a, b], &|id| {
        if id == REP {
            "=HYPERLINK(\"x\")".into()
        } else {
            "Lee".into()
        }
    });
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[2][1], Cell::Text("total".into()));
    assert_eq!(t.rows[2][2], Cell::Int(16));
    let csv = to_csv(&t).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with(
        "rep_id,rep,attempted,reached,given_up,in_progress,came_inbound,reached_on_attempt_1,"
    ));
    // A name a spreadsheet would run as a formula is written as text.
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("1,\"'=HYPERLINK(\"\"x\"\")\",8,5,2,1,0,3,0,1,"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .starts_with(",total,16,10,4,2,0,")
    );
}

#[test]
fn every_report_has_a_name_that_reads_back() {
    for r in Report::ALL {
        assert_eq!(Report::parse(r.as_str()), Some(r));
    }
    assert_eq!(Report::parse("funnels"), None);
}
