//! Builders shared by the core's integration tests (rules and simulation), so a field
//! added to the model is filled in one place.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rounds_core::model::*;

/// The one rep of the hand-built worlds.
pub const REP: UserId = UserId(1);
/// Their accounts' zone.
pub const TZ: &str = "America/Chicago";

/// An open practice in Chicago with weekday office hours and a morning visit window.
pub fn account(id: i64, status: AccountStatus) -> Account {
    Account {
        id: AccountId(id),
        name: format!("Account {id}"),
        rep: REP,
        kind: AccountKind::Practice,
        segment: Segment::MedicalProvider,
        specialties: vec!["orthopaedics".parse().unwrap()],
        address: Address {
            street: "1 Main St".into(),
            city: "Chicago".into(),
            region: "IL".into(),
            postal_code: "60601".into(),
            lat: 41.88,
            lon: -87.63,
        },
        tz: TZ.parse().unwrap(),
        office_hours: WeekHours::weekdays(&[
            TimeRange::hm(8, 0, 12, 0),
            TimeRange::hm(13, 0, 17, 0),
        ]),
        visit_windows: vec![TimeRange::hm(9, 0, 11, 0)],
        front_desk_blocks: false,
        access: AccessPolicy::Open,
        status,
        profile: BTreeMap::new(),
        pain_points: vec![],
    }
}

/// `h:m` on `day` in [`TZ`].
pub fn local(day: Date, h: i8, m: i8) -> jiff::Timestamp {
    day.at(h, m, 0, 0)
        .to_zoned(TimeZone::get(TZ).unwrap())
        .unwrap()
        .timestamp()
}

/// An outbound routine touch by [`REP`] with nothing else recorded, for the builders of
/// each test file to adjust.
pub fn outbound(
    id: i64,
    contact: ContactId,
    account: AccountId,
    at: jiff::Timestamp,
    channel: Channel,
    outcome: Outcome,
) -> Touch {
    Touch {
        id: TouchId(id),
        at,
        rep: REP,
        contact,
        account,
        channel,
        direction: Direction::Outbound,
        outcome,
        kind: TouchKind::Routine,
        primary_topic: None,
        topics: vec![],
        explain_better: vec![],
        next_step: None,
        callback_at: None,
        note: String::new(),
        no_referral: None,
    }
}

/// A contact of `account` reachable by e-mail and an office line with an extension.
pub fn contact(id: i64, account: i64, role: ContactRole, influence: Influence) -> Contact {
    Contact {
        id: ContactId(id),
        account: AccountId(account),
        name: format!("Contact {id}"),
        role,
        influence,
        department: None,
        specialty: None,
        channels: ContactChannels {
            cell: None,
            email: Some(format!("c{id}@example.org")),
            office_phone: Some("+1 312 555 0100".into()),
            extension: Some(format!("{id}")),
            linkedin: None,
        },
        preferred_channel: None,
        opt_outs: vec![],
        text_consent: None,
    }
}
