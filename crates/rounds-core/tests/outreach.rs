//! The message coach and the templates (P5, P41, P42, P47), on real drafts: one that
//! passes, then one per kind of failure, each checked for the rule, the part and the
//! words it points at.

use rounds_core::model::Channel;
use rounds_core::outreach::{
    CheckKind, Coach, Draft, Known, Part, Placeholders, Template, TemplateKind, Verdict, builtin,
    builtin_of,
};
use rounds_core::playbook::Playbook;

fn topics() -> Vec<String> {
    vec![
        "Prior authorisation support".to_string(),
        "Patient phone line".to_string(),
        "Home delivery".to_string(),
    ]
}

fn coach(subject: &str, body: &str) -> Verdict {
    let playbook = Playbook::default();
    let topics = topics();
    Coach::new(&playbook).check(
        Draft {
            subject: Some(subject),
            body,
        },
        Known {
            topics: &topics,
            value_terms: &[],
        },
    )
}

const GOOD_SUBJECT: &str = "Fewer prior-auth calls for Riverside";
const GOOD_BODY: &str = "Hi Dr. Reyes,

Offices like yours lose hours a week to prior authorisations. Our Prior authorisation support team files them for you and calls you only when a payer asks for something new.

Would a ten-minute call on Thursday be useful to see whether it fits Riverside?

Best regards,
Sam Carter";

/// The one finding of `kind`, which must be the only kind found.
fn only(v: &Verdict, kind: CheckKind) -> &rounds_core::outreach::Finding {
    let kinds: Vec<CheckKind> = v.findings.iter().map(|f| f.kind).collect();
    assert!(
        kinds.iter().all(|k| *k == kind) && !kinds.is_empty(),
        "expected only {kind}, got {:#?}",
        v.findings
    );
    &v.findings[0]
}

#[test]
fn p42_a_short_single_topic_draft_closing_with_a_question_passes() {
    let v = coach(GOOD_SUBJECT, GOOD_BODY);
    assert!(v.passes(), "{:#?}", v.findings);
    assert_eq!(v.max_words, 150);
    assert_eq!(v.words, 51);
}

#[test]
fn p42_a_draft_over_the_word_limit_marks_the_words_past_it() {
    let filler = "We also answer the phone line for you on weekends and holidays. ".repeat(12);
    let body = GOOD_BODY.replace("Would a ten-minute", &format!("{filler}Would a ten-minute"));
    let v = coach(GOOD_SUBJECT, &body);
    let f = only(&v, CheckKind::OverWordLimit);
    assert_eq!((f.rule.as_str(), f.part), ("P42", Part::Body));
    assert!(v.words > 150);
    let span = f.span.unwrap();
    // The span starts at the 151st word and runs to the last.
    let before = &body[..span.start];
    assert_eq!(before.split_whitespace().count(), 150);
    assert!(body[span.start..span.end].ends_with("Carter"));
    assert!(f.why.contains("keep it to 150"), "{}", f.why);
}

#[test]
fn p42_the_word_limit_comes_from_the_playbook() {
    let playbook = Playbook::from_toml("[email]\nmax_words = 40\n").unwrap();
    let v = Coach::new(&playbook).check(
        Draft {
            subject: Some(GOOD_SUBJECT),
            body: GOOD_BODY,
        },
        Known::default(),
    );
    assert!(v.has(CheckKind::OverWordLimit) && v.max_words == 40);
}

#[test]
fn p42_a_draft_naming_two_topics_is_told_to_keep_to_one() {
    let body = GOOD_BODY.replace(
        "calls you only when a payer asks for something new.",
        "calls you only when a payer asks for something new. Our Home delivery service ships refills too.",
    );
    let v = coach(GOOD_SUBJECT, &body);
    let f = only(&v, CheckKind::SeveralTopics);
    assert_eq!(f.excerpt, "Home delivery");
    assert!(
        f.why.contains("Prior authorisation support, Home delivery"),
        "{}",
        f.why
    );
}

#[test]
fn p42_a_draft_for_a_planned_touch_that_names_neither_its_topic_nor_a_pain_point_is_flagged() {
    let playbook = Playbook::default();
    let topics = topics();
    let value = vec![
        "Prior authorisation support".to_string(),
        "Dealing with prior authorisations".to_string(),
    ];
    let check = |body: &str| {
        Coach::new(&playbook).check(
            Draft {
                subject: Some("Riverside"),
                body,
            },
            Known {
                topics: &topics,
                value_terms: &value,
            },
        )
    };
    let empty = check(
        "Hi Dr. Reyes,\n\nI will be in your area on Thursday. Could we meet for ten minutes?\n\nSam",
    );
    let f = only(&empty, CheckKind::NoValue);
    assert_eq!(f.span, None);
    assert!(f.why.contains("Prior authorisation support"), "{}", f.why);
    assert!(check(GOOD_BODY).passes());
    let pain = check(
        "Hi Dr. Reyes,\n\nDealing with prior authorisations eats your week. Could we meet for ten minutes?",
    );
    assert!(pain.passes(), "{:#?}", pain.findings);
}

#[test]
fn p42_a_draft_that_asks_for_nothing_has_no_call_to_action_nor_closing_question() {
    let body = GOOD_BODY.replace(
        "Would a ten-minute call on Thursday be useful to see whether it fits Riverside?",
        "It works for most offices of your size.",
    );
    let v = coach(GOOD_SUBJECT, &body);
    let kinds: Vec<CheckKind> = v.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [CheckKind::NoCallToAction, CheckKind::NoClosingQuestion],
        "{:#?}",
        v.findings
    );
    let closing = &v.findings[1];
    assert_eq!(closing.excerpt, "It works for most offices of your size.");
}

#[test]
fn p42_a_draft_with_a_call_to_action_that_does_not_close_with_a_question() {
    let body = GOOD_BODY.replace(
        "Would a ten-minute call on Thursday be useful to see whether it fits Riverside?",
        "Let me know a time that suits you on Thursday.",
    );
    let v = coach(GOOD_SUBJECT, &body);
    let f = only(&v, CheckKind::NoClosingQuestion);
    assert_eq!(f.excerpt, "Let me know a time that suits you on Thursday.");
    assert_eq!(f.rule, "P42");
}

#[test]
fn p41_checking_in_following_up_and_touching_base_subjects_are_flagged() {
    for (subject, words) in [
        ("Just checking in", "checking in"),
        ("Following up on our call", "Following up"),
        ("Touching base re: Riverside", "Touching base"),
        ("Quick follow-up", "follow-up"),
    ] {
        let v = coach(subject, GOOD_BODY);
        let f = only(&v, CheckKind::BannedSubject);
        assert_eq!((f.rule.as_str(), f.part), ("P41", Part::Subject));
        let span = f.span.unwrap();
        assert_eq!(&subject[span.start..span.end], words);
    }
    // The same words in the body are not a subject line.
    let v = coach(
        GOOD_SUBJECT,
        &GOOD_BODY.replace("Hi Dr. Reyes,", "Hi Dr. Reyes, following up,"),
    );
    assert!(!v.has(CheckKind::BannedSubject));
}

#[test]
fn p41_an_email_needs_a_subject() {
    let v = coach("  ", GOOD_BODY);
    assert_eq!(only(&v, CheckKind::NoSubject).rule, "P41");
}

#[test]
fn p41_the_banned_phrases_are_playbook_data() {
    let playbook =
        Playbook::from_toml("[coach]\nbanned_subject_phrases = [\"Quick Question\"]\n").unwrap();
    let check = |subject: &str| {
        Coach::new(&playbook).check(
            Draft {
                subject: Some(subject),
                body: GOOD_BODY,
            },
            Known::default(),
        )
    };
    assert!(check("A quick question").has(CheckKind::BannedSubject));
    assert!(!check("Just checking in").has(CheckKind::BannedSubject));
    let bad = Playbook::from_toml("[coach]\nbanned_subject_phrases = [\" \"]\n").unwrap_err();
    assert!(
        bad.to_string().contains("coach.banned_subject_phrases"),
        "{bad}"
    );
}

#[test]
fn p5_are_you_ready_yet_questions_are_flagged() {
    for (question, words) in [
        (
            "Are you ready to move forward with Riverside?",
            "Are you ready",
        ),
        (
            "Is the practice ready to move forward?",
            "ready to move forward",
        ),
        (
            "Have you decided on the Prior authorisation support trial?",
            "Have you decided",
        ),
        ("Any decision yet?", "Any decision"),
    ] {
        let body = GOOD_BODY.replace(
            "Would a ten-minute call on Thursday be useful to see whether it fits Riverside?",
            question,
        );
        let v = coach(GOOD_SUBJECT, &body);
        let f = only(&v, CheckKind::ReadyQuestion);
        assert_eq!(f.rule, "P5");
        let span = f.span.unwrap();
        assert_eq!(&body[span.start..span.end], words, "{question}");
    }
}

fn one_body_finding(insert: &str, kind: CheckKind, words: &str) {
    let body = GOOD_BODY.replace(
        "Would a ten-minute",
        &format!("{insert} Would a ten-minute"),
    );
    let v = coach(GOOD_SUBJECT, &body);
    let f = only(&v, kind);
    assert_eq!((f.rule.as_str(), f.part), ("P42", Part::Body), "{insert}");
    let span = f.span.unwrap();
    assert_eq!(&body[span.start..span.end], words, "{insert}");
    assert!(f.why.starts_with(&format!("\"{words}\"")), "{}", f.why);
}

#[test]
fn p42_guilt_is_flagged() {
    one_body_finding(
        "I've tried to reach you several times.",
        CheckKind::Guilt,
        "tried to reach you",
    );
    one_body_finding(
        "I still haven't heard back.",
        CheckKind::Guilt,
        "haven't heard back",
    );
}

#[test]
fn p42_anger_is_flagged() {
    one_body_finding(
        "Frankly, the delay is unacceptable.",
        CheckKind::Anger,
        "unacceptable",
    );
}

#[test]
fn p42_hot_button_topics_are_flagged() {
    one_body_finding(
        "Whatever the election brings, payers will not change.",
        CheckKind::HotButton,
        "election",
    );
}

#[test]
fn p42_disparaging_a_competitor_is_flagged_but_naming_one_is_not() {
    one_body_finding(
        "Your current vendor is unreliable.",
        CheckKind::Disparaging,
        "unreliable",
    );
    // Either word alone is fine.
    let fair = GOOD_BODY.replace(
        "Would a ten-minute",
        "Unlike your current vendor, we file on weekends. Would a ten-minute",
    );
    assert!(coach(GOOD_SUBJECT, &fair).passes());
    let own = GOOD_BODY.replace(
        "Would a ten-minute",
        "Old forms are outdated. Would a ten-minute",
    );
    assert!(coach(GOOD_SUBJECT, &own).passes());
}

#[test]
fn p42_pressure_is_flagged() {
    one_body_finding(
        "This is a limited time offer.",
        CheckKind::Pressure,
        "limited time",
    );
}

#[test]
fn p42_every_finding_names_its_rule_and_the_words_within_the_text() {
    let subject = "Following up: are you ready yet?";
    let body = "I've tried to reach you several times!! Act now, before it's too late. Your current vendor is inferior.";
    let v = coach(subject, body);
    assert!(v.findings.len() >= 7, "{:#?}", v.findings);
    for f in &v.findings {
        assert_eq!(f.rule, f.kind.rule());
        if let Some(span) = f.span {
            let text = if f.part == Part::Subject {
                subject
            } else {
                body
            };
            assert!(span.start < span.end && span.end <= text.len());
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }
}

#[test]
fn p47_every_kind_has_a_built_in_template_that_passes_the_coach_on_every_written_channel() {
    assert_eq!(builtin().len(), TemplateKind::ALL.len());
    let playbook = Playbook::default();
    let coach = Coach::new(&playbook);
    let values = Placeholders::sample();
    let topics = vec![values.topic.title.clone()];
    for t in builtin() {
        t.check().unwrap_or_else(|p| panic!("{}: {p:?}", t.kind));
        for channel in [
            Channel::Email,
            Channel::Letter,
            Channel::HandwrittenNote,
            Channel::Text,
            Channel::Linkedin,
        ] {
            let r = t.render(channel, &values).unwrap();
            assert_eq!(
                r.subject.is_some(),
                matches!(channel, Channel::Email | Channel::Letter)
            );
            let v = coach.check(
                Draft {
                    subject: r.subject.as_deref(),
                    body: &r.body,
                },
                Known {
                    topics: &topics,
                    value_terms: &topics,
                },
            );
            assert!(
                v.passes(),
                "{} by {channel}:\n{}\n{:#?}",
                t.kind,
                r.body,
                v.findings
            );
            assert!(
                !r.body.contains("{{") && !r.body.contains("\n\n\n"),
                "{}",
                r.body
            );
        }
    }
}

#[test]
fn p47_the_records_check_asks_about_records_never_why_they_have_not_referred() {
    let r = builtin_of(TemplateKind::RecordsCheck)
        .render(Channel::Email, &Placeholders::sample())
        .unwrap();
    assert!(
        r.body.contains("making sure our records are correct"),
        "{}",
        r.body
    );
    assert!(!r.body.to_lowercase().contains("why"), "{}", r.body);
}

#[test]
fn p47_placeholders_fill_from_the_values_and_a_subject_stays_one_line() {
    let mut values = Placeholders::sample();
    values.account.name = "Lakeside\r\nBcc: x@example.com".into();
    let r = builtin_of(TemplateKind::MeetingRequest)
        .render(Channel::Email, &values)
        .unwrap();
    let subject = r.subject.unwrap();
    assert_eq!(
        subject,
        "Dealing with prior authorisations: an idea for Lakeside Bcc: x@example.com"
    );
    assert!(!subject.contains(['\r', '\n']));
    assert!(r.body.starts_with("Dear Dr. Reyes,"), "{}", r.body);
    assert!(r.body.ends_with("Sam Carter"), "{}", r.body);
}

#[test]
fn p47_a_template_with_an_unknown_placeholder_or_bad_syntax_is_refused_by_part_and_line() {
    let mut t: Template = builtin_of(TemplateKind::Breakup).clone();
    t.body = "Hi {{ contact.first_name }},\n\nAbout {{ topic.titel }}?".into();
    t.subject = "{% if %}".into();
    let problems = t.check().unwrap_err();
    let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 2, "{shown:?}");
    assert!(
        shown[0].starts_with("subject, line 1: syntax error"),
        "{shown:?}"
    );
    assert!(
        shown[1].starts_with("body, line 3: undefined value"),
        "{shown:?}"
    );
}

#[test]
fn p47_a_template_cannot_loop_forever() {
    let mut t: Template = builtin_of(TemplateKind::Nurture).clone();
    t.short =
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}".into();
    let problems = t.check().unwrap_err();
    assert_eq!(problems[0].part, "short");
    assert!(
        problems[0].message.contains("fuel"),
        "{}",
        problems[0].message
    );
}
