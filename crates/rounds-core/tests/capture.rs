//! Reading captured mail and deciding who it was with (P48), pure: the headers kept, the
//! forwarded original found (attached, Gmail's and Outlook's inline blocks), the
//! direction, and contacts matched by address, then by a name only one contact has,
//! never guessed.

use rounds_core::capture::{
    MailAddress, ReviewReason, decide, match_contact, read_mail, read_mails,
};
use rounds_core::model::*;

fn user(id: i64, email: &str) -> User {
    User {
        id: UserId(id),
        name: format!("User {id}"),
        email: email.into(),
        role: Role::Rep,
        team: None,
    }
}

fn contact(id: i64, name: &str, email: Option<&str>) -> Contact {
    Contact {
        id: ContactId(id),
        account: AccountId(1),
        name: name.into(),
        role: ContactRole::OfficeManager,
        influence: Influence::User,
        department: None,
        specialty: None,
        channels: ContactChannels {
            email: email.map(Into::into),
            ..Default::default()
        },
        preferred_channel: None,
        opt_outs: vec![],
        text_consent: None,
    }
}

fn directory() -> (Vec<User>, Vec<Contact>) {
    (
        vec![user(1, "Rita@Example.org"), user(2, "mo@example.org")],
        vec![
            contact(1, "Maria Lopez", Some("maria@lakeside.example")),
            contact(2, "John Smith", Some("js1@lakeside.example")),
            contact(3, " john   SMITH ", Some("js2@lakeside.example")),
            contact(4, "Ann Lee", None),
            contact(5, "Front Desk", Some("desk@lakeside.example")),
            contact(6, "Front Desk Two", Some("desk@lakeside.example")),
        ],
    )
}

fn addr(name: Option<&str>, email: Option<&str>) -> MailAddress {
    MailAddress {
        name: name.map(Into::into),
        email: email.map(Into::into),
    }
}

fn raw(headers: &str, body: &str) -> Vec<u8> {
    format!(
        "{}\r\n\r\n{}",
        headers.replace('\n', "\r\n"),
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

#[test]
fn p48_headers_are_kept_and_the_body_is_not() {
    let m = read_mail(&raw(
        "From: \"Rita Rep\" <rita@example.org>\nTo: a@x.example, \"B\" <b@x.example>\nCc: c@x.example\n\
         Subject: =?utf-8?q?Caf=C3=A9?= talk\nDate: Tue, 24 Nov 2026 10:15:00 -0600\n\
         Message-ID: <id-1@x>\nIn-Reply-To: <p@x>\nReferences: <r1@x> <p@x>",
        "secret patient data",
    ))
    .unwrap();
    assert_eq!(m.message_id, "id-1@x");
    assert_eq!(m.subject, "Café talk");
    assert_eq!(m.date.unwrap().to_string(), "2026-11-24T16:15:00Z");
    assert_eq!(
        m.from,
        vec![addr(Some("Rita Rep"), Some("rita@example.org"))]
    );
    assert_eq!(m.to.len(), 2);
    assert_eq!(m.cc, vec![addr(None, Some("c@x.example"))]);
    assert_eq!(m.in_reply_to, vec!["p@x"]);
    assert_eq!(m.answers().collect::<Vec<_>>(), vec!["p@x", "p@x", "r1@x"]);
    let json = serde_json::to_string(&m).unwrap();
    assert!(!json.contains("patient"), "{json}");
}

#[test]
fn p48_sent_mail_is_outbound_to_the_contacts_not_to_users() {
    let (users, contacts) = directory();
    let m = read_mail(&raw(
        "From: rita@example.org\nTo: maria@LAKESIDE.example\nCc: mo@example.org, js1@lakeside.example",
        "",
    ))
    .unwrap();
    let d = decide(&m, &users, &contacts);
    assert_eq!(d.direction, Direction::Outbound);
    assert_eq!(d.user.unwrap().id, UserId(1));
    let ids: Vec<ContactId> = d.matched.iter().map(|(c, _)| *c).collect();
    assert_eq!(ids, vec![ContactId(1), ContactId(2)]);
    assert!(d.review.is_empty());
}

#[test]
fn p48_mail_from_a_contact_is_an_inbound_reply() {
    let (users, contacts) = directory();
    let m = read_mail(&raw(
        "From: Maria <maria@lakeside.example>\nTo: rita@example.org",
        "",
    ))
    .unwrap();
    let d = decide(&m, &users, &contacts);
    assert_eq!(d.direction, Direction::Inbound);
    assert_eq!(d.matched[0].0, ContactId(1));
    assert_eq!(d.user.unwrap().id, UserId(1), "the user it was sent to");
}

#[test]
fn p48_names_match_only_when_one_contact_has_the_name() {
    let (_, contacts) = directory();
    // Ann has no address on file: her name, whitespace and case aside, finds her.
    assert_eq!(
        match_contact(&addr(Some("ann  LEE"), Some("ann@home.example")), &contacts),
        Ok(ContactId(4))
    );
    // Two John Smiths: not guessed.
    assert_eq!(
        match_contact(
            &addr(Some("John Smith"), Some("john@home.example")),
            &contacts
        ),
        Err(ReviewReason::SeveralContacts {
            contacts: vec![ContactId(2), ContactId(3)]
        })
    );
    // An address two contacts share: not guessed either, whatever the name says.
    assert_eq!(
        match_contact(
            &addr(Some("Maria Lopez"), Some("desk@lakeside.example")),
            &contacts
        ),
        Err(ReviewReason::SeveralContacts {
            contacts: vec![ContactId(5), ContactId(6)]
        })
    );
    // The address wins over a name that would point elsewhere.
    assert_eq!(
        match_contact(
            &addr(Some("Ann Lee"), Some("maria@lakeside.example")),
            &contacts
        ),
        Ok(ContactId(1))
    );
    assert_eq!(
        match_contact(&addr(Some("Dr. Ann Lee"), Some("x@y.example")), &contacts),
        Err(ReviewReason::NoContact)
    );
    assert_eq!(
        match_contact(&addr(None, Some("x@y.example")), &contacts),
        Err(ReviewReason::NoContact)
    );
}

#[test]
fn p48_mail_among_users_only_goes_to_review() {
    let (users, contacts) = directory();
    let m = read_mail(&raw("From: rita@example.org\nTo: mo@example.org", "")).unwrap();
    let d = decide(&m, &users, &contacts);
    assert!(d.matched.is_empty());
    assert_eq!(d.review.len(), 1);
    assert_eq!(d.review[0].why, ReviewReason::NoCounterpart);
    assert_eq!(d.review_entries(&m).len(), 1);
}

#[test]
fn p48_an_outlook_inline_forward_of_a_contacts_mail_is_inbound() {
    let (users, contacts) = directory();
    let m = read_mail(&raw(
        "From: rita@example.org\nTo: capture@rounds.example\nSubject: FW: Order\nDate: Tue, 24 Nov 2026 10:00:00 +0000",
        "see below\n\n-----Original Message-----\nFrom: Maria Lopez [mailto:maria@lakeside.example]\n\
         Sent: Monday, November 23, 2026 9:15 AM\nTo: Rita Rep\nSubject: Order\n\nTwo boxes please.\n",
    ))
    .unwrap();
    let original = m.forwarded.clone().expect("the inline block is read");
    assert_eq!(original.subject.as_deref(), Some("Order"));
    assert_eq!(original.date.unwrap().to_string(), "2026-11-23T09:15:00Z");
    let d = decide(&m, &users, &contacts);
    assert_eq!(d.direction, Direction::Inbound);
    assert_eq!(d.matched[0].0, ContactId(1));
    assert_eq!(d.subject, "Order");
}

#[test]
fn p48_a_quoted_reply_is_not_taken_for_a_forward() {
    let m = read_mail(&raw(
        "From: maria@lakeside.example\nTo: rita@example.org\nSubject: Re: x",
        "Fine.\n\nOn Mon, Rita wrote:\n> From: someone\n",
    ))
    .unwrap();
    assert!(m.forwarded.is_none());
}

#[test]
fn p48_every_message_of_a_file_or_every_problem() {
    let mbox = b"From a Tue Nov 24 10:00:00 2026\nFrom: rita@example.org\n\nhi\n\n\
                 From b Tue Nov 24 10:00:00 2026\nSubject: nobody sent this\n\nx\n\n\
                 From c Tue Nov 24 10:00:00 2026\n\n";
    let problems = read_mails(mbox).unwrap_err();
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        vec![
            "message 2 (line 6): no sender: the From: header has no address",
            "message 3 (line 11): the message is empty",
        ]
    );
    assert_eq!(read_mails(b"From: a@b.example\n\nx").unwrap().len(), 1);
}

/// Found by the fuzz target: a forwarded message/rfc822 part inside a multipart whose
/// boundary breaks mid-header trips a debug assertion of mail-parser 0.11. Read or
/// refused, it must not end the run.
#[test]
fn p48_a_broken_nested_message_is_refused_not_a_panic() {
    let bytes = include_bytes!("capture-nested-boundary.eml");
    match read_mail(bytes) {
        Ok(m) => assert!(!m.message_id.is_empty()),
        Err(why) => assert!(why.contains("MIME"), "{why}"),
    }
}
