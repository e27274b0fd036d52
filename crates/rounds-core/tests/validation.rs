//! Every record of the demo validates, and a bad record names its JSON field: the one
//! validation that import, the API, the pages and the command line all run.

use jiff::civil::date;
use rounds_core::model::*;

#[test]
fn every_record_of_the_demo_territory_validates() {
    let spec = rounds_demo::DemoSpec::new(7, date(2026, 11, 24));
    let data = rounds_demo::generate(&spec);
    for u in &data.users {
        assert_eq!(u.validate(), vec![], "{u:?}");
    }
    for a in &data.accounts {
        assert_eq!(a.validate(), vec![], "{a:?}");
    }
    for c in &data.contacts {
        assert_eq!(c.validate(), vec![], "{c:?}");
    }
    for t in &data.topics {
        assert_eq!(t.validate(), vec![], "{t:?}");
    }
    for t in &data.touches {
        assert_eq!(t.validate(), vec![], "{t:?}");
    }
    for r in &data.referrals {
        assert_eq!(r.validate(), vec![], "{r:?}");
    }
    for l in &data.lost {
        assert_eq!(l.validate(), vec![], "{l:?}");
    }
    for n in &data.no_fits {
        assert_eq!(n.validate(), vec![], "{n:?}");
    }
}

#[test]
fn record_problems_name_the_json_field() {
    let spec = rounds_demo::DemoSpec::new(7, date(2026, 11, 24));
    let data = rounds_demo::generate(&spec);
    let mut a = data.accounts[0].clone();
    a.address.lat = 1000.0;
    a.name = " ".into();
    let fields: Vec<String> = a.validate().into_iter().map(|p| p.field).collect();
    assert_eq!(fields, ["name", "address.lat"]);
    let mut c = data.contacts[0].clone();
    c.channels.email = Some("maria@".into());
    assert_eq!(c.validate()[0].field, "channels.email");
    let mut l = data.lost.first().cloned().unwrap_or(LostAccount {
        account: a.id,
        lost_on: date(2026, 1, 1),
        reason: rounds_core::model::LossReason::Other,
        competitor: None,
        stakeholders: vec![],
        note: String::new(),
        earlier: vec![],
    });
    l.stakeholders = vec!["ok".into(), "".into()];
    assert_eq!(l.validate()[0].field, "stakeholders[1]");
}

#[test]
fn an_email_address_with_a_control_character_is_refused_even_when_quoted() {
    use rounds_core::values::EmailAddress;
    for bad in [
        "\"ann\u{0}lee\"@clinic.example",
        "\"ann\u{7}\"@clinic.example",
        "ann\u{0}@clinic.example",
    ] {
        let err = EmailAddress::parse(bad).unwrap_err();
        assert!(err.0.contains("control character"), "{bad:?}: {}", err.0);
    }
    assert!(EmailAddress::parse("\"ann lee\"@clinic.example").is_err());
    assert!(EmailAddress::parse("ann.lee@clinic.example").is_ok());
}
