//! P14: the transfer-of-value ledger (the split, its rounding, validation, the yearly
//! Open Payments CSV against a golden ledger, the cap's warnings) and the refusal of
//! value offered per referral wherever text is written.

mod support;

use jiff::Timestamp;
use jiff::civil::{Date, date};
use rounds_core::ledger::*;
use rounds_core::model::*;
use rounds_core::outreach::{Template, TemplateKind, builtin_of};
use rounds_core::sending::{OutboxId, OutboxMessage, OutboxState};
use support::account;

const TODAY: Date = date(2026, 11, 24);
const ACCOUNT: i64 = 10;

fn person(id: i64, name: &str, role: ContactRole, specialty: Option<&str>) -> Contact {
    let mut c = support::contact(id, ACCOUNT, role, Influence::Influencer);
    c.name = name.into();
    c.specialty = specialty.map(|s| s.parse().unwrap());
    c
}

/// The office of the golden ledger: four physicians, a nurse practitioner, an office
/// manager and the front desk.
fn office() -> (Account, Vec<Contact>) {
    let mut a = account(ACCOUNT, AccountStatus::Customer);
    a.name = "Lakeside Orthopaedics".into();
    let contacts = vec![
        person(
            101,
            "Dr. Ada Reyes",
            ContactRole::Physician,
            Some("orthopaedics"),
        ),
        person(
            102,
            "Dr. Ben Cho",
            ContactRole::Physician,
            Some("sports-medicine"),
        ),
        person(103, "Dr. Cal Diaz", ContactRole::Physician, None),
        person(
            104,
            "Dee Evans, NP",
            ContactRole::Other,
            Some("nurse-practitioner"),
        ),
        person(
            105,
            "Dr. Eve Fox",
            ContactRole::Physician,
            Some("pain-management"),
        ),
        person(106, "Fay Gold", ContactRole::OfficeManager, None),
        person(107, "Gus Hale", ContactRole::FrontDesk, None),
    ];
    (a, contacts)
}

/// A transfer at the office whose attendees are covered by their role or specialty.
fn transfer(
    id: i64,
    day: Date,
    nature: Nature,
    description: &str,
    total_cents: i64,
    attendees: &[i64],
    others: u32,
) -> Transfer {
    let (_, contacts) = office();
    Transfer {
        id: TransferId(id),
        account: AccountId(ACCOUNT),
        rep: support::REP,
        date: day,
        nature,
        description: description.into(),
        total_cents,
        attendees: attendees
            .iter()
            .map(|c| Attendee {
                contact: ContactId(*c),
                covered: covered_by_default(contacts.iter().find(|x| x.id.0 == *c).unwrap()),
            })
            .collect(),
        others,
        void: None,
    }
}

/// The golden case: a $200 lunch, eight people present, five of them covered.
fn golden_meal() -> Transfer {
    transfer(
        1,
        date(2026, 3, 10),
        Nature::Meal,
        "Lunch for the office",
        20_000,
        &[101, 102, 103, 104, 105, 106, 107],
        1,
    )
}

#[test]
fn p14_meal_split_golden_case_200_dollars_8_eaters_5_covered_25_each() {
    let meal = golden_meal();
    assert_eq!(meal.present(), 8);
    let (_, contacts) = office();
    assert_eq!(meal.validate(&contacts, TODAY), vec![]);
    let reported: Vec<(i64, i64)> = meal
        .covered_shares()
        .iter()
        .map(|s| (s.contact.unwrap().0, s.cents))
        .collect();
    assert_eq!(
        reported,
        [
            (101, 2500),
            (102, 2500),
            (103, 2500),
            (104, 2500),
            (105, 2500)
        ]
    );
    let all = meal.split();
    assert_eq!(all.len(), 8);
    assert_eq!(all.iter().map(|s| s.cents).sum::<i64>(), 20_000);
    assert_eq!(all.iter().filter(|s| !s.covered).count(), 3);
}

#[test]
fn p14_split_rounding_hands_the_remainder_cents_covered_recipients_first() {
    // $100.00 among 3: 33.34 for the covered recipient, 33.33 for the other two.
    let t = transfer(
        2,
        date(2026, 6, 2),
        Nature::Meal,
        "Breakfast",
        10_000,
        &[106, 101],
        1,
    );
    let split: Vec<(Option<i64>, i64)> = t
        .split()
        .iter()
        .map(|s| (s.contact.map(|c| c.0), s.cents))
        .collect();
    assert_eq!(split, [(Some(101), 3334), (Some(106), 3333), (None, 3333)]);
    // Every total over every head count: the shares add up, and differ by a cent at most.
    for total in [1, 7, 99, 100, 101, 19_999, 20_000, 20_001, 123_457] {
        for others in 0..12u32 {
            let t = transfer(3, TODAY, Nature::Meal, "x", total, &[101, 102, 106], others);
            let cents: Vec<i64> = t.split().iter().map(|s| s.cents).collect();
            assert_eq!(
                cents.iter().sum::<i64>(),
                total,
                "{total} among {}",
                t.present()
            );
            let (lo, hi) = (cents.iter().min().unwrap(), cents.iter().max().unwrap());
            assert!(hi - lo <= 1, "{total} among {}: {cents:?}", t.present());
            assert!(cents.windows(2).all(|w| w[0] >= w[1]), "{cents:?}");
        }
    }
}

#[test]
fn p14_a_transfer_is_validated_field_by_field() {
    let (_, contacts) = office();
    let fields = |t: &Transfer| -> Vec<String> {
        t.validate(&contacts, TODAY)
            .into_iter()
            .map(|p| p.field)
            .collect()
    };
    let mut t = golden_meal();
    t.total_cents = 0;
    assert_eq!(fields(&t), ["total_cents"]);
    t.total_cents = MAX_TRANSFER_CENTS + 1;
    assert_eq!(fields(&t), ["total_cents"]);

    let mut t = golden_meal();
    t.attendees.clear();
    t.others = 0;
    assert_eq!(fields(&t), ["attendees"]);

    let mut t = golden_meal();
    t.attendees.push(Attendee {
        contact: ContactId(101),
        covered: true,
    });
    t.attendees.push(Attendee {
        contact: ContactId(999),
        covered: true,
    });
    assert_eq!(fields(&t), ["attendees[7].contact", "attendees[8].contact"]);
    let problems = t.validate(&contacts, TODAY);
    assert!(problems[0].message.contains("listed twice"), "{problems:?}");
    assert!(
        problems[1].message.contains("not a contact of account 10"),
        "{problems:?}"
    );

    let mut t = golden_meal();
    t.date = TODAY.tomorrow().unwrap();
    assert_eq!(fields(&t), ["date"]);
    t.date = TODAY;
    assert_eq!(fields(&t), Vec::<String>::new());

    let mut t = golden_meal();
    t.description = "  ".into();
    assert_eq!(fields(&t), ["description"]);
    t.description = "Lunch\u{7}".into();
    assert_eq!(fields(&t), ["description"]);
}

/// The golden ledger of 2026 at the office, with a voided transfer and one of 2025 that
/// the report leaves out.
fn golden_ledger() -> Vec<Transfer> {
    let mut voided = transfer(
        5,
        date(2026, 4, 1),
        Nature::Meal,
        "Dinner",
        50_000,
        &[101],
        0,
    );
    voided.void = Some(Void {
        on: date(2026, 4, 2),
        reason: "entered twice".into(),
    });
    vec![
        golden_meal(),
        transfer(
            2,
            date(2026, 6, 2),
            Nature::Meal,
            "Breakfast, in-service",
            10_000,
            &[101, 106],
            1,
        ),
        transfer(
            3,
            date(2026, 9, 15),
            Nature::Item,
            "Anatomy atlas",
            8_950,
            &[101],
            0,
        ),
        transfer(
            4,
            date(2026, 10, 1),
            Nature::Education,
            "@home study kit",
            15_000,
            &[102],
            0,
        ),
        voided,
        transfer(
            6,
            date(2025, 12, 20),
            Nature::Meal,
            "Holiday lunch",
            30_000,
            &[101],
            0,
        ),
        transfer(
            7,
            date(2026, 11, 20),
            Nature::Other,
            "Conference registration",
            12_000,
            &[101],
            0,
        ),
    ]
}

const GOLDEN_CSV: &str = "\
Record_ID,Covered_Recipient_ID,Covered_Recipient_Name,Covered_Recipient_Specialty,Recipient_Account_Name,Recipient_Primary_Business_Street_Address_Line1,Recipient_City,Recipient_State,Recipient_Zip_Code,Date_of_Payment,Total_Amount_of_Payment_USDollars,Number_of_Payments_Included_in_Total_Amount,Form_of_Payment_or_Transfer_of_Value,Nature_of_Payment_or_Transfer_of_Value,Contextual_Information,Recipient_Year_Total_USDollars
1,104,\"Dee Evans, NP\",nurse-practitioner,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,03/10/2026,25.00,1,In-kind items and services,Food and Beverage,Lunch for the office,25.00
1,101,Dr. Ada Reyes,orthopaedics,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,03/10/2026,25.00,1,In-kind items and services,Food and Beverage,Lunch for the office,267.84
2,101,Dr. Ada Reyes,orthopaedics,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,06/02/2026,33.34,1,In-kind items and services,Food and Beverage,\"Breakfast, in-service\",267.84
3,101,Dr. Ada Reyes,orthopaedics,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,09/15/2026,89.50,1,In-kind items and services,Gift,Anatomy atlas,267.84
7,101,Dr. Ada Reyes,orthopaedics,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,11/20/2026,120.00,1,In-kind items and services,Gift,Conference registration,267.84
1,102,Dr. Ben Cho,sports-medicine,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,03/10/2026,25.00,1,In-kind items and services,Food and Beverage,Lunch for the office,175.00
4,102,Dr. Ben Cho,sports-medicine,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,10/01/2026,150.00,1,In-kind items and services,Education,'@home study kit,175.00
1,103,Dr. Cal Diaz,,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,03/10/2026,25.00,1,In-kind items and services,Food and Beverage,Lunch for the office,25.00
1,105,Dr. Eve Fox,pain-management,Lakeside Orthopaedics,1 Main St,Chicago,IL,60601,03/10/2026,25.00,1,In-kind items and services,Food and Beverage,Lunch for the office,25.00
";

#[test]
fn p14_open_payments_csv_matches_the_golden_ledger() {
    let (a, contacts) = office();
    let report = year_report(2026, &golden_ledger(), &contacts, &[a], Some(25_000));
    let mut out = Vec::new();
    write_open_payments(&report, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text, GOLDEN_CSV);

    let totals: Vec<(i64, i64, usize)> = report
        .totals
        .iter()
        .map(|t| (t.contact.0, t.cents, t.transfers))
        .collect();
    assert_eq!(
        totals,
        [
            (104, 2_500, 1),
            (101, 26_784, 4),
            (102, 17_500, 2),
            (103, 2_500, 1),
            (105, 2_500, 1)
        ]
    );
}

#[test]
fn p14_yearly_cap_warnings_name_the_recipient_the_total_and_the_cap() {
    let (a, contacts) = office();
    let ledger = golden_ledger();
    let report = year_report(2026, &ledger, &contacts, &[a], Some(25_000));
    assert_eq!(report.warnings.len(), 1);
    let w = &report.warnings[0];
    assert_eq!(
        (w.contact, w.total_cents, w.cap_cents),
        (ContactId(101), 26_784, 25_000)
    );
    assert_eq!(
        w.to_string(),
        "Dr. Ada Reyes (contact 101) has received $267.84 in 2026, over the yearly cap of $250.00 (P14)"
    );
    // A lower cap catches Dr. Cho too; no cap, no warning; only the recipients asked for.
    assert_eq!(
        cap_warnings(2026, &ledger, &contacts, Some(17_499), None).len(),
        2
    );
    assert_eq!(cap_warnings(2026, &ledger, &contacts, None, None), vec![]);
    assert_eq!(
        cap_warnings(
            2026,
            &ledger,
            &contacts,
            Some(17_499),
            Some(&[ContactId(102)][..])
        )[0]
        .contact,
        ContactId(102)
    );
    // Exactly at the cap is not over it.
    assert_eq!(
        cap_warnings(2026, &ledger, &contacts, Some(26_784), None),
        vec![]
    );
}

#[test]
fn p14_covered_recipients_by_role_or_specialty() {
    let (_, contacts) = office();
    let covered: Vec<i64> = contacts
        .iter()
        .filter(|c| covered_by_default(c))
        .map(|c| c.id.0)
        .collect();
    assert_eq!(covered, [101, 102, 103, 104, 105]);
}

// ---------------------------------------------------------------------------------------
// The refusal of value per referral (P14).

/// Texts that offer value per referral, and the excerpt the refusal quotes.
const OFFERS: &[(&str, &str)] = &[
    ("A gift card per referral", "gift card per referral"),
    ("We pay $50 per referral.", "pay $50 per referral"),
    ("$25/referral, paid monthly", "$25/referral"),
    (
        "Gift card for each referral you send",
        "Gift card for each referral",
    ),
    (
        "A bonus per patient referred",
        "A bonus per patient referred",
    ),
    (
        "Dinner FOR EVERY REFERRAL this quarter",
        "Dinner FOR EVERY REFERRAL",
    ),
    (
        "Spa voucher for every patient you refer",
        "Spa voucher for every patient you refer",
    ),
    ("Ask about our referral bonus", "about our referral bonus"),
];

/// Ordinary referral talk: never refused.
const ORDINARY: &[&str] = &[
    "Thank you for the referral!",
    "Thanks for the referrals last month",
    "Records check on referrals",
    "Referral counts are down since June",
    "Referral counts per referral source, weekly",
    "Ask for referrals from satisfied accounts (P13)",
    "Discussed the referral form and prior auths",
    "She referred two patients; lunch on Tuesday",
];

fn refusal(excerpt: &str) -> String {
    format!("offers value per referral (\"{excerpt}\"): refused under P14 (anti-kickback)")
}

#[test]
fn p14_refuses_a_topic_offering_value_per_referral() {
    for (text, excerpt) in OFFERS {
        let mut t = Topic {
            id: TopicId(1),
            title: text.to_string(),
            pain_points: vec![],
            specialties: vec![],
            segments: vec![],
            roles: vec![],
            related: vec![],
            available_from: None,
        };
        let problems = t.validate();
        assert_eq!(problems.len(), 1, "{text}: {problems:?}");
        assert_eq!(problems[0].field, "title");
        assert_eq!(problems[0].message, refusal(excerpt));
        assert_eq!(
            problems[0].to_string(),
            format!("title: {}", refusal(excerpt))
        );
        t.title = "Prior authorisations".into();
        assert_eq!(t.validate(), vec![]);
    }
}

fn touch_with(note: &str, next: Option<&str>) -> Touch {
    let mut t = support::outbound(
        1,
        ContactId(101),
        AccountId(ACCOUNT),
        support::local(TODAY, 10, 0),
        Channel::Visit,
        Outcome::Conversation,
    );
    t.note = note.into();
    t.next_step = next.map(|what| NextStep {
        what: what.into(),
        due: TODAY,
    });
    t
}

#[test]
fn p14_refuses_a_note_or_next_step_offering_value_per_referral() {
    let problems = touch_with("Told her: a gift card per referral", None).validate();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].to_string(),
        "note: offers value per referral (\"gift card per referral\"): refused under P14 (anti-kickback)"
    );
    let problems = touch_with("", Some("Send $50 per referral voucher")).validate();
    assert_eq!(problems[0].field, "next_step.what");
    assert!(problems[0].message.contains("P14"), "{problems:?}");
    let edit = StepUpdate {
        touch: TouchId(1),
        seq: 1,
        account: AccountId(ACCOUNT),
        at: Timestamp::from_second(1_790_000_000).unwrap(),
        by: support::REP,
        action: StepAction::Edit {
            what: Some("Offer lunch for every referral".into()),
            due: None,
        },
    };
    assert_eq!(edit.validate()[0].field, "action.what");
}

#[test]
fn p14_refuses_a_template_offering_value_per_referral() {
    let mut t: Template = builtin_of(TemplateKind::ThankYou).clone();
    assert_eq!(t.check(), Ok(()));
    t.body = format!(
        "{}\n\nRemember: a $20 gift card for every referral!",
        t.body
    );
    let problems = t.check().unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].part, "body");
    assert_eq!(problems[0].message, refusal("gift card for every referral"));
}

#[test]
fn p14_refuses_an_outbox_draft_offering_value_per_referral() {
    let mut m = OutboxMessage {
        id: OutboxId(1),
        author: support::REP,
        contact: ContactId(101),
        account: AccountId(ACCOUNT),
        subject: "Lunch on us".into(),
        body: "Would Tuesday suit you for lunch?".into(),
        topic: None,
        kind: TouchKind::Routine,
        urgent: false,
        state: OutboxState::Draft,
        review: None,
        created_at: Timestamp::from_second(1_790_000_000).unwrap(),
        queued_at: None,
        not_before: None,
        message_id: None,
        sent_at: None,
        touch: None,
        failure: None,
    };
    assert_eq!(m.validate(), vec![]);
    m.subject = "A gift card per referral".into();
    m.body = "Lunch is on us for each referral you send.".into();
    let fields: Vec<String> = m.validate().into_iter().map(|p| p.to_string()).collect();
    assert_eq!(
        fields,
        [
            format!("subject: {}", refusal("gift card per referral")),
            format!("body: {}", refusal("on us for each referral")),
        ]
    );
}

#[test]
fn p14_refuses_a_transfer_described_as_value_per_referral() {
    let (_, contacts) = office();
    let mut t = golden_meal();
    t.description = "Lunch, plus a gift card per referral".into();
    let problems = t.validate(&contacts, TODAY);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "description");
    assert_eq!(problems[0].message, refusal("gift card per referral"));
}

#[test]
fn p14_ordinary_referral_talk_is_never_refused() {
    for text in ORDINARY {
        assert_eq!(touch_with(text, Some(text)).validate(), vec![], "{text}");
        assert_eq!(
            rounds_core::compliance::no_value_per_referral(text),
            Ok(()),
            "{text}"
        );
    }
}

/// No record Rounds keeps has a field that could model an incentive tied to referral
/// volume: every key of every record of the demo's export, and of a transfer.
#[test]
fn p14_no_field_models_an_incentive_per_referral() {
    let data = rounds_demo::tiny();
    let mut keys = std::collections::BTreeSet::new();
    fn walk(v: &serde_json::Value, keys: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    keys.insert(k.clone());
                    walk(v, keys);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, keys)),
            _ => {}
        }
    }
    for line in data.to_jsonl().lines() {
        walk(&serde_json::from_str(line).unwrap(), &mut keys);
    }
    walk(&serde_json::to_value(golden_meal()).unwrap(), &mut keys);
    assert!(
        keys.contains("note") && keys.contains("total_cents"),
        "{keys:?}"
    );
    for k in &keys {
        for word in [
            "incentive",
            "bonus",
            "reward",
            "kickback",
            "commission",
            "per_referral",
            "referral_fee",
        ] {
            assert!(
                !k.to_lowercase().contains(word),
                "field `{k}` looks like {word}"
            );
        }
    }
}
