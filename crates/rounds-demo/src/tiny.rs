//! A tiny hand-written organisation with every kind of record, for the tests that pin a
//! format (the export lines, the stored bodies). It is written out field by field rather
//! than drawn from the generator, so a change to the generator never shows as a change
//! of format, and every optional value appears both present and absent.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use rounds_core::export::OrgData;
use rounds_core::model::{
    AccessPolicy, Account, AccountId, AccountKind, AccountStatus, Address, Channel, Consent,
    Contact, ContactChannels, ContactId, ContactRole, Direction, EarlierLoss, Influence,
    LossReason, LostAccount, NextStep, NoFit, NoReferral, NoReferralReason, OrgId, Organisation,
    Outcome, ReferralCount, Role, Segment, StepAction, StepUpdate, TimeOff, TimeOffId, TimeRange,
    Topic, TopicId, Touch, TouchId, TouchKind, User, UserId, WeekHours, WorkWeek,
};

fn at(text: &str) -> Timestamp {
    text.parse()
        .expect("the tiny territory's instants are valid")
}

fn day(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).expect("the tiny territory's dates are valid")
}

/// Organisation 1 with one rep and one manager, two topics, three accounts (a customer,
/// a lost account and a no-fit), two contacts, three touches and two referral days.
/// Pinned: nothing in it depends on a clock or a seed.
pub fn tiny() -> OrgData {
    let rep = UserId(1);
    let mut hours = WeekHours::weekdays(&[TimeRange::hm(8, 0, 12, 0), TimeRange::hm(13, 0, 17, 0)]);
    hours.set(Weekday::Saturday, vec![TimeRange::hm(9, 0, 12, 0)]);
    let address = |street: &str, lat: f64, lon: f64| Address {
        street: street.into(),
        city: "Evanston".into(),
        region: "IL".into(),
        postal_code: "60201".into(),
        lat,
        lon,
    };
    let clinic = Account {
        id: AccountId(1),
        name: "Lakeside Orthopaedics".into(),
        rep,
        kind: AccountKind::Practice,
        segment: Segment::MedicalProvider,
        specialties: vec!["orthopaedics".parse().expect("a valid specialty")],
        address: address("120 Davis St", 42.046_12, -87.681_23),
        tz: "America/Chicago".parse().expect("a bundled zone"),
        office_hours: hours,
        visit_windows: vec![TimeRange::hm(12, 0, 13, 0)],
        front_desk_blocks: true,
        access: AccessPolicy::AppointmentOnly,
        status: AccountStatus::Customer,
        profile: BTreeMap::from([("ehr".to_string(), "Epic".to_string())]),
        pain_points: vec!["payer-contracts".into()],
    };
    let lost = Account {
        id: AccountId(2),
        name: "Ridge & Vale, Attorneys at Law".into(),
        kind: AccountKind::LawFirm,
        segment: Segment::LawFirm,
        specialties: vec![],
        address: address("9 Church St", 42.048, -87.68),
        office_hours: WeekHours::default(),
        visit_windows: vec![],
        front_desk_blocks: false,
        access: AccessPolicy::Open,
        status: AccountStatus::Lost,
        profile: BTreeMap::new(),
        pain_points: vec![],
        ..clinic.clone()
    };
    let no_fit = Account {
        id: AccountId(3),
        name: "Northside Imaging".into(),
        kind: AccountKind::ImagingCentre,
        segment: Segment::MedicalProvider,
        access: AccessPolicy::NoVendorContact,
        status: AccountStatus::NoFit,
        ..lost.clone()
    };
    let physician = Contact {
        id: ContactId(1),
        account: AccountId(1),
        name: "Dr. Ada Moreno".into(),
        role: ContactRole::Physician,
        influence: Influence::DecisionMaker,
        department: Some("Spine".into()),
        specialty: Some("orthopaedics".parse().expect("a valid specialty")),
        channels: ContactChannels {
            cell: Some("+1 312 555 0101".into()),
            email: Some("ada.moreno@lakeside.example".into()),
            office_phone: Some("+1 312 555 0100".into()),
            extension: Some("12".into()),
            linkedin: Some("https://www.linkedin.com/in/ada-moreno".into()),
        },
        preferred_channel: Some(Channel::Email),
        opt_outs: vec![Channel::Text],
        // Given with the intake form, withdrawn later by the opt-out: both stay on record.
        text_consent: Some(Consent {
            on: day(2026, 1, 12),
            source: "signed-form".into(),
        }),
    };
    let paralegal = Contact {
        id: ContactId(2),
        account: AccountId(2),
        name: "Sam Ortiz".into(),
        role: ContactRole::Paralegal,
        influence: Influence::Gatekeeper,
        department: None,
        specialty: None,
        channels: ContactChannels::default(),
        preferred_channel: None,
        opt_outs: vec![],
        text_consent: None,
    };
    let visit = Touch {
        id: TouchId(1),
        at: at("2026-11-17T18:05:00Z"),
        rep,
        contact: ContactId(1),
        account: AccountId(1),
        channel: Channel::Visit,
        direction: Direction::Outbound,
        outcome: Outcome::Positive,
        kind: TouchKind::ReferralMeeting,
        primary_topic: Some(TopicId(1)),
        topics: vec![TopicId(1), TopicId(2)],
        explain_better: vec![TopicId(2)],
        next_step: Some(NextStep {
            what: "bring the formulary list".into(),
            due: day(2026, 11, 24),
        }),
        callback_at: Some(at("2026-11-24T15:30:00.25Z")),
        note: "Asked about \"prior auth\"\tturnaround;\nback\\slash and ünïcode ✓".into(),
        no_referral: Some(NoReferral {
            reason: NoReferralReason::Forgot,
            text: "meant to send \"two\" last week".into(),
        }),
    };
    let call = Touch {
        id: TouchId(2),
        at: at("2026-11-19T16:00:00Z"),
        channel: Channel::Call,
        direction: Direction::Inbound,
        outcome: Outcome::NoResponse,
        kind: TouchKind::Routine,
        primary_topic: None,
        topics: vec![],
        explain_better: vec![],
        next_step: None,
        callback_at: None,
        note: String::new(),
        no_referral: None,
        ..visit.clone()
    };
    let letter = Touch {
        id: TouchId(3),
        at: at("2026-06-02T14:00:00Z"),
        contact: ContactId(2),
        account: AccountId(2),
        channel: Channel::Letter,
        kind: TouchKind::Feedback,
        note: "Feedback letter after the loss".into(),
        ..call.clone()
    };
    OrgData {
        organisation: Organisation {
            id: OrgId(1),
            name: "Tiny Pharmacy".into(),
            demo: false,
        },
        users: vec![
            User {
                id: rep,
                name: "Dana Whitfield".into(),
                email: "dana@tiny.example".into(),
                role: Role::Rep,
                team: Some("Field".into()),
            },
            User {
                id: UserId(2),
                name: "Ian Mercer".into(),
                email: "ian@tiny.example".into(),
                role: Role::Manager,
                team: None,
            },
        ],
        topics: vec![
            Topic {
                id: TopicId(1),
                title: "Prior authorisation in 24 hours".into(),
                pain_points: vec!["payer-contracts".into()],
                specialties: vec!["orthopaedics".parse().expect("a valid specialty")],
                segments: vec![Segment::MedicalProvider],
                roles: vec![ContactRole::Physician, ContactRole::OfficeManager],
                related: vec![TopicId(2)],
                available_from: None,
            },
            Topic {
                id: TopicId(2),
                title: "Case status by text".into(),
                pain_points: vec![],
                specialties: vec![],
                segments: vec![],
                roles: vec![],
                related: vec![],
                available_from: Some(day(2026, 12, 1)),
            },
        ],
        accounts: vec![clinic, lost, no_fit],
        contacts: vec![physician, paralegal],
        touches: vec![visit, call, letter],
        referrals: vec![
            ReferralCount {
                contact: ContactId(1),
                day: day(2026, 11, 2),
                count: 3,
            },
            ReferralCount {
                contact: ContactId(1),
                day: day(2026, 11, 16),
                count: 1,
            },
        ],
        lost: vec![LostAccount {
            account: AccountId(2),
            lost_on: day(2026, 5, 28),
            reason: LossReason::CompetitorWonContract,
            competitor: Some("MedRx Direct".into()),
            stakeholders: vec!["Sam Ortiz".into()],
            note: "Lost the carrier contract".into(),
            earlier: vec![EarlierLoss {
                lost_on: day(2025, 9, 3),
                reason: LossReason::Pricing,
                competitor: None,
                stakeholders: vec![],
                note: "Won back in January".into(),
            }],
        }],
        no_fits: vec![NoFit {
            account: AccountId(3),
            decided_on: day(2026, 3, 9),
            reason: "Imaging only; no prescriptions".into(),
        }],
        step_updates: vec![StepUpdate {
            touch: TouchId(1),
            seq: 1,
            account: AccountId(1),
            at: at("2026-11-20T14:00:00Z"),
            by: rep,
            action: StepAction::Reschedule {
                due: day(2026, 11, 26),
                reason: "The pharmacist is out until Thursday".into(),
            },
        }],
        work_weeks: vec![WorkWeek {
            rep,
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
            ],
            hours: Some(TimeRange::hm(8, 0, 16, 0)),
        }],
        time_off: vec![TimeOff {
            id: TimeOffId(1),
            rep,
            from: day(2026, 12, 21),
            to: day(2026, 12, 31),
            reason: "vacation".into(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_territory_exports_and_reads_back() {
        let data = tiny();
        let text = data.to_jsonl();
        assert_eq!(OrgData::from_jsonl(&text).unwrap(), data);
    }
}
