//! Small hand-built records with every field filled (ids, vocabularies, free text with
//! quotes and non-ASCII, timestamps with nanoseconds), and [`sample_org`], an
//! organisation that touches every table. Tests that need a bigger world use the demo
//! generator.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday, date};
use rounds_core::export::OrgData;
use rounds_core::model::*;

use crate::ORG;

pub fn user(id: i64, name: &str, role: Role) -> User {
    User {
        id: UserId(id),
        name: name.into(),
        email: format!("{}@example.org", name.to_lowercase()),
        role,
        team: Some("north".into()),
    }
}

pub fn account(id: i64, rep: i64, name: &str) -> Account {
    Account {
        id: AccountId(id),
        name: name.into(),
        rep: UserId(rep),
        kind: AccountKind::Clinic,
        segment: Segment::MedicalProvider,
        specialties: vec!["orthopaedics".parse().unwrap()],
        address: Address {
            street: format!("{id} Main St"),
            city: "Springfield".into(),
            region: "IL".into(),
            postal_code: "62701".into(),
            lat: 39.781_721_3 + id as f64 * 0.001,
            lon: -89.650_148_1,
        },
        tz: "America/Chicago".parse().unwrap(),
        office_hours: WeekHours::weekdays(&[
            TimeRange::hm(8, 0, 12, 0),
            TimeRange::hm(13, 0, 17, 0),
        ]),
        visit_windows: vec![TimeRange::hm(12, 0, 13, 0)],
        front_desk_blocks: id % 2 == 0,
        access: AccessPolicy::Open,
        status: AccountStatus::Prospect,
        profile: BTreeMap::from([("ehr".to_string(), "Epic".to_string())]),
        pain_points: vec!["prior-auths".into()],
    }
}

pub fn contact(id: i64, account: i64, name: &str) -> Contact {
    Contact {
        id: ContactId(id),
        account: AccountId(account),
        name: name.into(),
        role: ContactRole::OfficeManager,
        influence: Influence::DecisionMaker,
        department: None,
        specialty: None,
        channels: ContactChannels {
            email: Some(format!("c{id}@clinic.example")),
            ..Default::default()
        },
        preferred_channel: Some(Channel::Email),
        opt_outs: vec![Channel::Text],
        text_consent: None,
    }
}

pub fn topic(id: i64, title: &str) -> Topic {
    Topic {
        id: TopicId(id),
        title: title.into(),
        pain_points: vec!["prior-auths".into()],
        specialties: vec![],
        segments: vec![Segment::MedicalProvider],
        roles: vec![],
        related: vec![],
        available_from: Some(date(2024, 1, 1)),
    }
}

pub fn touch(id: i64, at: &str, rep: i64, contact: i64, account: i64) -> Touch {
    Touch {
        id: TouchId(id),
        at: at.parse().unwrap(),
        rep: UserId(rep),
        contact: ContactId(contact),
        account: AccountId(account),
        channel: Channel::Visit,
        direction: Direction::Outbound,
        outcome: Outcome::Conversation,
        kind: TouchKind::Routine,
        primary_topic: Some(TopicId(1)),
        topics: vec![TopicId(1), TopicId(2)],
        explain_better: vec![TopicId(2)],
        next_step: Some(NextStep {
            what: "bring samples".into(),
            due: date(2024, 3, 12),
        }),
        callback_at: Some("2024-03-06T15:00:00.5Z".parse().unwrap()),
        note: format!("touch {id}: \"quoted\", ünïcode ✓"),
        no_referral: None,
    }
}

pub fn referral(contact: i64, day: Date, count: u32) -> ReferralCount {
    ReferralCount {
        contact: ContactId(contact),
        day,
        count,
    }
}

/// A small organisation touching every table. Lists are deliberately out of order, the
/// manager (3) holds an account, rep 4 holds none, and a touch on rep 1's account was
/// logged by rep 2.
pub fn sample_org() -> OrgData {
    OrgData {
        organisation: Organisation {
            id: ORG,
            name: "Acme Health".into(),
            demo: false,
        },
        users: vec![
            user(2, "Bob", Role::Rep),
            user(1, "Ann", Role::Rep),
            user(3, "Meg", Role::Manager),
            user(4, "Ray", Role::Rep),
        ],
        accounts: vec![
            account(11, 1, "North Clinic"),
            account(10, 1, "Main Street Practice"),
            account(12, 2, "Lakeside Ortho"),
            account(13, 3, "Hilltop Imaging"),
        ],
        contacts: vec![
            contact(101, 10, "Dana"),
            contact(100, 10, "Eli"),
            contact(102, 11, "Fay"),
            contact(103, 12, "Gus"),
            contact(104, 13, "Hal"),
        ],
        topics: vec![
            topic(2, "Formulary"),
            topic(1, "Prior auth help"),
            topic(3, "Staff training"),
        ],
        touches: vec![
            touch(1004, "2024-03-05T14:30:15.123456789Z", 1, 100, 10),
            touch(1001, "2024-03-05T14:30:15.123456788Z", 1, 101, 10),
            touch(1002, "2024-02-01T09:00:00Z", 2, 100, 10),
            touch(1003, "2024-03-01T10:00:00.25Z", 2, 103, 12),
            touch(1005, "2024-03-02T11:00:00Z", 1, 102, 11),
            touch(1006, "2024-03-02T11:00:00Z", 3, 104, 13),
        ],
        referrals: vec![
            referral(100, date(2024, 3, 1), 2),
            referral(100, date(2024, 2, 1), 1),
            referral(103, date(2024, 3, 1), 4),
            referral(104, date(2024, 1, 15), 1),
        ],
        lost: vec![LostAccount {
            account: AccountId(12),
            lost_on: date(2024, 3, 3),
            reason: LossReason::Pricing,
            competitor: Some("Rival Rx".into()),
            stakeholders: vec!["Gus".into()],
            note: "price".into(),
            earlier: vec![],
        }],
        no_fits: vec![NoFit {
            account: AccountId(13),
            decided_on: date(2024, 3, 4),
            reason: "no vendors".into(),
        }],
        step_updates: vec![
            step_update(1002, 1, 10, StepAction::Complete),
            step_update(
                1003,
                1,
                12,
                StepAction::Reschedule {
                    due: date(2024, 3, 20),
                    reason: "the office is closed that week".into(),
                },
            ),
        ],
        work_weeks: vec![WorkWeek {
            rep: UserId(1),
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
            ],
            hours: Some(TimeRange::hm(8, 0, 16, 0)),
        }],
        // Out of order by start day, so that reads show their sort.
        time_off: vec![
            time_off(2, 1, date(2024, 12, 21), date(2024, 12, 31)),
            time_off(1, 1, date(2024, 7, 1), date(2024, 7, 5)),
            time_off(3, 2, date(2024, 8, 10), date(2024, 8, 10)),
        ],
    }
}

/// Time off of `rep` for a vacation.
pub fn time_off(id: i64, rep: i64, from: Date, to: Date) -> TimeOff {
    TimeOff {
        id: TimeOffId(id),
        rep: UserId(rep),
        from,
        to,
        reason: "vacation".into(),
    }
}

/// An update by user 1 of the step set by touch `touch` (on `account`).
pub fn step_update(touch: i64, seq: u32, account: i64, action: StepAction) -> StepUpdate {
    StepUpdate {
        touch: TouchId(touch),
        seq,
        account: AccountId(account),
        at: "2024-03-06T09:00:00.5Z".parse().unwrap(),
        by: UserId(1),
        action,
    }
}

/// A meal at `account` on `day` for the contacts in `attendees` (id, covered
/// recipient) and `others` more.
pub fn transfer(
    id: i64,
    account: i64,
    rep: i64,
    day: Date,
    total_cents: i64,
    attendees: &[(i64, bool)],
    others: u32,
) -> rounds_core::ledger::Transfer {
    rounds_core::ledger::Transfer {
        id: TransferId(id),
        account: AccountId(account),
        rep: UserId(rep),
        date: day,
        nature: rounds_core::ledger::Nature::Meal,
        description: format!("lunch {id}: \"quoted\", ünïcode ✓"),
        total_cents,
        attendees: attendees
            .iter()
            .map(|(c, covered)| rounds_core::ledger::Attendee {
                contact: ContactId(*c),
                covered: *covered,
            })
            .collect(),
        others,
        void: None,
    }
}
