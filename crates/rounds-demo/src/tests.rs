use crate::data::*;
use crate::rep::*;
use crate::*;
use ContactRole::{
    Attorney, CaseManager, FrontDesk, HeadNurse, OfficeManager, Paralegal, Physician,
    PracticeAdministrator,
};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rounds_core::catalogue;
use rounds_core::model::*;
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

fn today() -> Date {
    Date::constant(2025, 3, 12)
}

fn spec() -> DemoSpec {
    DemoSpec::new(42, today())
}

#[test]
fn same_spec_gives_identical_output() {
    let a = generate(&spec());
    let b = generate(&spec());
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let c = generate(&DemoSpec::new(43, today()));
    assert_ne!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&c).unwrap()
    );
}

#[test]
fn generate_is_shared_plus_every_rep_part() {
    let s = spec();
    let whole = generate(&s);
    let (organisation, users, topics) = generate_shared(&s);
    let mut joined = OrgData {
        users,
        topics,
        ..OrgData::empty(organisation)
    };
    // Generating reps in reverse order must not change any of them.
    let mut parts: Vec<OrgData> = (0..s.reps).rev().map(|r| generate_rep(&s, r)).collect();
    parts.reverse();
    for part in parts {
        assert_eq!(part.organisation, joined.organisation);
        assert!(part.users.is_empty() && part.topics.is_empty());
        joined.accounts.extend(part.accounts);
        joined.contacts.extend(part.contacts);
        joined.touches.extend(part.touches);
        joined.referrals.extend(part.referrals);
        joined.lost.extend(part.lost);
        joined.no_fits.extend(part.no_fits);
    }
    assert_eq!(whole, joined);
    assert!(generate_rep(&s, s.reps).accounts.is_empty());
}

#[test]
fn ids_come_from_each_reps_own_range() {
    let s = spec();
    for r in [0usize, 3] {
        let part = generate_rep(&s, r);
        let r = r as i64;
        assert_eq!(part.accounts[0].id, AccountId(r * ACCOUNT_ID_STRIDE + 1));
        assert_eq!(part.contacts[0].id, ContactId(r * CONTACT_ID_STRIDE + 1));
        assert_eq!(part.touches[0].id, TouchId(r * TOUCH_ID_STRIDE + 1));
        assert!(part.accounts.iter().all(|a| a.rep == UserId(r + 1)));
    }
}

#[test]
fn default_spec_meets_the_minimums() {
    let s = spec();
    assert!(s.validate().is_ok());
    let d = generate(&s);
    assert!(d.organisation.demo && d.organisation.id == ORG_ID);
    assert_eq!(d.users.iter().filter(|u| u.role == Role::Rep).count(), 4);
    assert_eq!(
        d.users.iter().filter(|u| u.role == Role::Manager).count(),
        1
    );
    assert_eq!(d.users.iter().filter(|u| u.role == Role::Admin).count(), 1);
    assert!(d.accounts.len() >= 300, "{} accounts", d.accounts.len());
    assert!(d.contacts.len() >= 1000, "{} contacts", d.contacts.len());
    assert!(d.topics.len() >= 40);
    assert!(d.contacts.len() as f64 / d.accounts.len() as f64 >= 3.0);
    let first = d.touches.iter().map(|t| t.at).min().unwrap();
    let last = d.touches.iter().map(|t| t.at).max().unwrap();
    let tz = TimeZone::get("America/Chicago").unwrap();
    assert!(first.to_zoned(tz.clone()).date() <= today().saturating_sub(330.days()));
    assert!(last.to_zoned(tz).date() < today());
    for s in SPECIALTIES {
        assert!(
            d.accounts
                .iter()
                .any(|a| a.specialties.iter().any(|x| x.as_str() == s)),
            "no account in {s}"
        );
    }
    let law = d
        .accounts
        .iter()
        .filter(|a| a.segment == Segment::LawFirm)
        .count();
    let share = law as f64 / d.accounts.len() as f64;
    assert!((0.1..0.2).contains(&share), "law firms {share}");
    assert!(
        d.accounts
            .iter()
            .all(|a| a.segment != Segment::LawFirm || a.kind == AccountKind::LawFirm)
    );
    for kind in [
        AccountKind::Practice,
        AccountKind::Clinic,
        AccountKind::TherapyPractice,
        AccountKind::ImagingCentre,
        AccountKind::Hospital,
    ] {
        assert!(d.accounts.iter().any(|a| a.kind == kind), "no {kind}");
    }
    let count = |st| d.accounts.iter().filter(|a| a.status == st).count();
    assert!(count(AccountStatus::Customer) > count(AccountStatus::Prospect));
    assert_eq!(count(AccountStatus::Lost), d.lost.len());
    assert_eq!(count(AccountStatus::NoFit), d.no_fits.len());
    assert!(!d.lost.is_empty() && !d.no_fits.is_empty());
    assert!(
        d.accounts
            .iter()
            .any(|a| a.access == AccessPolicy::NoVendorContact)
    );
    assert!(
        d.accounts
            .iter()
            .any(|a| a.access == AccessPolicy::AppointmentOnly)
    );
    assert!(!d.referrals.is_empty());
    // Topics tie into the catalogue and to each other; some content is new.
    let keys: BTreeSet<String> = catalogue::pain_points()
        .into_iter()
        .map(|p| p.key)
        .collect();
    let ids: BTreeSet<TopicId> = d.topics.iter().map(|t| t.id).collect();
    for t in &d.topics {
        assert!(
            !t.pain_points.is_empty() && t.pain_points.iter().all(|p| keys.contains(p)),
            "{}",
            t.title
        );
        assert!(
            t.related.iter().all(|r| ids.contains(r) && *r != t.id),
            "{}",
            t.title
        );
    }
    let fresh = d
        .topics
        .iter()
        .filter(|t| {
            t.available_from.is_some_and(|f| {
                f >= today().saturating_sub(10.days()) && f <= today().saturating_add(7.days())
            })
        })
        .count();
    assert!((2..=3).contains(&fresh));
    assert!(d.topics.iter().any(
        |t| !t.roles.is_empty() && t.roles.iter().all(|r| r.is_staff() || *r == FrontDesk)
    ));
}

#[test]
fn references_are_consistent() {
    let d = generate(&spec());
    let accounts: HashMap<AccountId, &Account> = d.accounts.iter().map(|a| (a.id, a)).collect();
    let contacts: HashMap<ContactId, &Contact> = d.contacts.iter().map(|c| (c.id, c)).collect();
    let topics: BTreeSet<TopicId> = d.topics.iter().map(|t| t.id).collect();
    assert_eq!(accounts.len(), d.accounts.len());
    assert_eq!(contacts.len(), d.contacts.len());
    assert_eq!(
        d.touches
            .iter()
            .map(|t| t.id)
            .collect::<BTreeSet<_>>()
            .len(),
        d.touches.len()
    );
    for t in &d.touches {
        let c = contacts[&t.contact];
        assert_eq!(c.account, t.account);
        assert_eq!(accounts[&t.account].rep, t.rep);
        for topic in t
            .topics
            .iter()
            .chain(&t.primary_topic)
            .chain(&t.explain_better)
        {
            assert!(topics.contains(topic));
        }
        if let Some(p) = t.primary_topic {
            assert!(t.topics.is_empty() || t.topics.contains(&p));
        }
        assert!(t.outcome.answered() || t.topics.is_empty());
        if t.channel == Channel::Text {
            assert!(c.channels.cell.is_some() && !c.opt_outs.contains(&Channel::Text));
        }
        // No cold reach where vendors are not welcome (P6).
        if accounts[&t.account].access == AccessPolicy::NoVendorContact {
            assert!(!t.channel.is_cold_reach(), "{t:?}");
        }
    }
    for r in &d.referrals {
        let c = contacts[&r.contact];
        assert_eq!(c.role, Physician);
        assert!(r.count > 0 && r.day < today());
    }
    for l in &d.lost {
        let days = (today() - l.lost_on).get_days();
        assert!((5..=200).contains(&days));
        assert_eq!(accounts[&l.account].status, AccountStatus::Lost);
        assert!(!l.stakeholders.is_empty());
    }
    for c in &d.contacts {
        let a = accounts[&c.account];
        match a.segment {
            Segment::LawFirm => assert!(matches!(c.role, Attorney | CaseManager | Paralegal)),
            _ => assert!(!matches!(c.role, Attorney | CaseManager | Paralegal)),
        }
    }
    for a in &d.accounts {
        assert!((2..=4).contains(&a.pain_points.len()));
        let seg = catalogue::pain_points();
        assert!(
            a.pain_points
                .iter()
                .all(|k| seg.iter().any(|p| &p.key == k && p.segment == a.segment))
        );
    }
    assert!(OrgData::from_jsonl(&d.to_jsonl()).is_ok());
}

#[test]
fn touches_fall_on_weekdays_inside_office_hours() {
    let d = generate(&spec());
    let accounts: HashMap<AccountId, &Account> = d.accounts.iter().map(|a| (a.id, a)).collect();
    for t in &d.touches {
        let a = accounts[&t.account];
        let local = t.at.to_zoned(a.tz.zone());
        let day = local.date().weekday();
        assert!(!matches!(day, Weekday::Saturday | Weekday::Sunday), "{t:?}");
        let time = local.time();
        assert!(
            a.office_hours.on(day).iter().any(|r| r.contains(time)),
            "{time} at {}",
            a.name
        );
        assert!(local.date() < today());
    }
}

#[test]
fn export_round_trips() {
    let d = generate(&spec());
    let text = d.to_jsonl();
    let back = OrgData::from_jsonl(&text).unwrap_or_else(|p| panic!("{:?}", &p[..p.len().min(5)]));
    assert_eq!(back, d);
}

/// Counts of each staged pattern in one rep's part; the quick start shows rep 0.
#[derive(Debug, Default)]
struct Patterns {
    callbacks_today: usize,
    callbacks_next_week: usize,
    meeting_last_business_day: usize,
    meetings_without_next_step: usize,
    silent_after_meeting: usize,
    recent_referral_or_order: usize,
    dead_ends: usize,
    cadences_over: usize,
    breakups: usize,
    conversations_without_next_step: usize,
    explain_better: usize,
    referral_drops: usize,
    referral_silent: usize,
    recent_losses: usize,
    losses: usize,
    no_fits: usize,
    no_see_accounts: usize,
    appointment_only: usize,
    no_staff_referring_practices: usize,
    nurture_touches: usize,
    feedback_touches: usize,
    first_meetings: usize,
    referral_meetings: usize,
}

fn patterns(d: &OrgData, today: Date) -> Patterns {
    let mut p = Patterns::default();
    let accounts: HashMap<AccountId, &Account> = d.accounts.iter().map(|a| (a.id, a)).collect();
    let mut by_contact: HashMap<ContactId, Vec<&Touch>> = HashMap::new();
    for t in &d.touches {
        by_contact.entry(t.contact).or_default().push(t);
    }
    let last_bd = {
        let mut x = today.yesterday().unwrap();
        while matches!(x.weekday(), Weekday::Saturday | Weekday::Sunday) {
            x = x.yesterday().unwrap();
        }
        x
    };
    let local_date = |t: &Timestamp, a: AccountId| t.to_zoned(accounts[&a].tz.zone()).date();
    let ago = |d: Date| (today - d).get_days();
    for t in &d.touches {
        let day = local_date(&t.at, t.account);
        if let Some(cb) = t.callback_at {
            let local = cb.to_zoned(accounts[&t.account].tz.zone());
            if local.date() == today {
                p.callbacks_today += 1;
            } else if local.date() > today && ago(local.date()) >= -7 {
                p.callbacks_next_week += 1;
            }
        }
        if t.kind == TouchKind::ReferralMeeting {
            p.referral_meetings += 1;
            if t.next_step.is_none() {
                p.meetings_without_next_step += 1;
            }
            if day == last_bd {
                p.meeting_last_business_day += 1;
            }
        }
        if t.outcome.answered() && t.next_step.is_none() {
            p.conversations_without_next_step += 1;
        }
        if matches!(t.outcome, Outcome::Referral | Outcome::Order) && ago(day) <= 5 {
            p.recent_referral_or_order += 1;
        }
        p.explain_better += usize::from(!t.explain_better.is_empty());
        p.nurture_touches += usize::from(t.kind == TouchKind::Nurture);
        p.feedback_touches += usize::from(t.kind == TouchKind::Feedback);
        p.first_meetings += usize::from(t.kind == TouchKind::FirstMeeting);
        p.breakups += usize::from(t.kind == TouchKind::Breakup);
    }
    let mut refs: HashMap<ContactId, Vec<&ReferralCount>> = HashMap::new();
    for r in &d.referrals {
        refs.entry(r.contact).or_default().push(r);
    }
    for (contact, ts) in &by_contact {
        let a = accounts[&ts[0].account];
        let trailing = ts
            .iter()
            .rev()
            .take_while(|t| !t.outcome.answered())
            .count();
        if a.status == AccountStatus::Prospect && (3..8).contains(&trailing) {
            p.dead_ends += 1;
        }
        if trailing >= 8 {
            p.cadences_over += 1;
        }
        let meetings: Vec<&&Touch> = ts
            .iter()
            .filter(|t| t.kind == TouchKind::ReferralMeeting)
            .collect();
        if let Some(m) = meetings.last() {
            let day = local_date(&m.at, m.account);
            let since = refs
                .get(contact)
                .map_or(0, |v| v.iter().filter(|r| r.day > day).count());
            if (30..=60).contains(&ago(day)) && since == 0 {
                p.silent_after_meeting += 1;
            }
        }
    }
    for v in refs.values() {
        let recent: u32 = v.iter().filter(|r| ago(r.day) <= 30).map(|r| r.count).sum();
        let before: u32 = v.iter().filter(|r| ago(r.day) > 30).map(|r| r.count).sum();
        let expected = f64::from(before) / 335.0 * 30.0;
        if expected >= 4.0 && recent == 0 {
            p.referral_silent += 1;
        } else if expected >= 4.0 && f64::from(recent) <= expected * 0.4 {
            p.referral_drops += 1;
        }
    }
    let staffed: BTreeSet<AccountId> = d
        .contacts
        .iter()
        .filter(|c| c.role.is_staff())
        .map(|c| c.account)
        .collect();
    let referring: BTreeSet<AccountId> = d
        .contacts
        .iter()
        .filter(|c| c.role == Physician)
        .map(|c| c.account)
        .collect();
    p.no_staff_referring_practices = d
        .accounts
        .iter()
        .filter(|a| {
            a.status == AccountStatus::Customer
                && referring.contains(&a.id)
                && !staffed.contains(&a.id)
        })
        .count();
    p.losses = d.lost.len();
    p.recent_losses = d.lost.iter().filter(|l| ago(l.lost_on) <= 14).count();
    p.no_fits = d.no_fits.len();
    p.no_see_accounts = d
        .accounts
        .iter()
        .filter(|a| a.access == AccessPolicy::NoVendorContact)
        .count();
    p.appointment_only = d
        .accounts
        .iter()
        .filter(|a| a.access == AccessPolicy::AppointmentOnly)
        .count();
    p
}

#[test]
fn rep_zero_has_every_pattern() {
    // Several dates, so weekday effects (today on a Monday or a Saturday) are covered.
    for (seed, today) in [
        (42, today()),
        (7, Date::constant(2025, 6, 16)),
        (1, Date::constant(2024, 11, 2)),
    ] {
        let s = DemoSpec::new(seed, today);
        let d = generate_rep(&s, 0);
        let p = patterns(&d, today);
        println!("seed {seed}, today {today}: {p:#?}");
        assert!(p.callbacks_today >= 1, "{p:?}");
        assert!(p.callbacks_next_week >= 1, "{p:?}");
        assert!(p.meeting_last_business_day >= 1, "{p:?}");
        assert!(p.meetings_without_next_step >= 1, "{p:?}");
        assert!(p.silent_after_meeting >= 1, "{p:?}");
        assert!(p.recent_referral_or_order >= 1, "{p:?}");
        assert!(p.dead_ends >= 2, "{p:?}");
        assert!(p.cadences_over >= 1 && p.breakups >= 1, "{p:?}");
        assert!(p.conversations_without_next_step >= 1, "{p:?}");
        assert!(p.explain_better >= 1, "{p:?}");
        assert!(p.referral_drops >= 1 && p.referral_silent >= 1, "{p:?}");
        assert!(
            p.recent_losses >= 1 && p.losses >= 2 && p.no_fits >= 1,
            "{p:?}"
        );
        assert!(p.no_see_accounts >= 1 && p.appointment_only >= 1, "{p:?}");
        assert!(p.no_staff_referring_practices >= 1, "{p:?}");
        assert!(p.nurture_touches >= 1 && p.feedback_touches >= 1, "{p:?}");
        assert!(p.first_meetings >= 1, "{p:?}");
    }
}

#[test]
fn callback_today_is_at_the_agreed_local_time() {
    let d = generate_rep(&spec(), 0);
    let zone = d.accounts[0].tz.zone();
    let agreed = d
        .touches
        .iter()
        .filter_map(|t| t.callback_at)
        .map(|cb| cb.to_zoned(zone.clone()))
        .find(|z| z.date() == today() && z.hour() == 14 && z.minute() == 30);
    let agreed = agreed.expect("a callback at 14:30 local today");
    // 14:30 in Chicago in March (CDT) is 19:30 UTC.
    assert_eq!(agreed.timestamp().to_string(), "2025-03-12T19:30:00Z");
}

#[test]
fn contacts_have_plausible_roles_and_channels() {
    let d = generate(&spec());
    let n = d.contacts.len() as f64;
    let share =
        |f: &dyn Fn(&Contact) -> bool| d.contacts.iter().filter(|c| f(c)).count() as f64 / n;
    assert!(share(&|c| c.channels.email.is_some()) > 0.8);
    assert!(share(&|c| c.channels.office_phone.is_some()) > 0.85);
    assert!((0.3..0.5).contains(&share(&|c| c.channels.cell.is_some())));
    assert!((0.2..0.4).contains(&share(&|c| c.channels.linkedin.is_some())));
    assert!(share(&|c| c.preferred_channel.is_some()) > 0.15);
    assert!(share(&|c| !c.opt_outs.is_empty()) > 0.0);
    assert!(
        d.contacts
            .iter()
            .all(|c| c.role != FrontDesk || c.influence == Influence::Gatekeeper)
    );
    assert!(
        d.contacts
            .iter()
            .filter(|c| c.role == Physician)
            .all(|c| c.specialty.is_some())
    );
    for role in [
        Physician,
        OfficeManager,
        HeadNurse,
        FrontDesk,
        PracticeAdministrator,
        Attorney,
        CaseManager,
        Paralegal,
    ] {
        assert!(d.contacts.iter().any(|c| c.role == role), "no {role}");
    }
}

#[test]
fn benchmark_sized_rep_reports_its_time() {
    let s = DemoSpec {
        reps: 1,
        accounts: 500,
        contacts_per_account: 4.0,
        touches_per_contact: 25.0,
        ..DemoSpec::new(9, today())
    };
    assert!(s.validate().is_ok());
    let started = Instant::now();
    let d = generate_rep(&s, 0);
    let elapsed = started.elapsed();
    // A figure for the report, never an assertion on time.
    println!(
        "generate_rep: {} accounts, {} contacts, {} touches, {} referral rows in {:?}",
        d.accounts.len(),
        d.contacts.len(),
        d.touches.len(),
        d.referrals.len(),
        elapsed
    );
    assert_eq!(d.accounts.len(), 500);
    assert!(
        (1_950..=2_050).contains(&d.contacts.len()),
        "{}",
        d.contacts.len()
    );
    assert!(
        (47_500..=52_500).contains(&d.touches.len()),
        "{}",
        d.touches.len()
    );
    // The benchmark's 200-rep organisation streams parts; the last rep's ids still fit.
    let big = DemoSpec {
        reps: 200,
        accounts: 100_000,
        ..s
    };
    assert!(big.validate().is_ok());
    assert!(generate_rep(&big, 199).touches.last().unwrap().id.0 < 200 * TOUCH_ID_STRIDE);
}

#[test]
fn odd_specs_still_give_consistent_data() {
    let odd = [
        DemoSpec {
            reps: 3,
            accounts: 2,
            contacts_per_account: 0.5,
            touches_per_contact: 0.0,
            ..spec()
        },
        DemoSpec {
            reps: 1,
            accounts: 7,
            contacts_per_account: 1.0,
            touches_per_contact: 60.0,
            ..spec()
        },
        DemoSpec {
            reps: 15,
            accounts: 150,
            ..DemoSpec::new(5, Date::constant(2024, 2, 29))
        },
        DemoSpec {
            reps: 2,
            accounts: 0,
            ..spec()
        },
    ];
    for s in odd {
        let d = generate(&s);
        assert_eq!(d.accounts.len(), s.accounts);
        assert!(d.contacts.len() >= d.accounts.len());
        assert_eq!(d.users.len(), s.reps + 2);
        assert!(OrgData::from_jsonl(&d.to_jsonl()).is_ok(), "{s:?}");
    }
}

#[test]
fn validate_rejects_specs_that_would_collide() {
    let mut s = spec();
    s.reps = 0;
    assert!(s.validate().is_err());
    let s = DemoSpec {
        reps: 1,
        accounts: 3_000_000,
        ..spec()
    };
    assert!(s.validate().is_err());
    let s = DemoSpec {
        contacts_per_account: f64::NAN,
        ..spec()
    };
    assert!(s.validate().is_err());
}
