//! Message templates (P47): one per kind of written touch, built in and replaceable per
//! organisation, filled from the contact, account, topic and next step.
//!
//! Rendering uses minijinja with undefined placeholders as errors, so a typo in a
//! template is refused when it is saved (against sample values), not discovered in a
//! customer's inbox; fuel bounds the work one template may do.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

use crate::model::{Channel, InvalidValue, vocabulary};

vocabulary!(
    /// The kinds of written touch the playbook names a technique for (P47, P6, P8, P13,
    /// P16, P17, P32, P34, P37).
    TemplateKind {
        FollowUp => "follow-up",
        ForgotToMention => "forgot-to-mention",
        RecordsCheck => "records-check",
        Confirmation => "confirmation",
        Breakup => "breakup",
        MeetingRequest => "meeting-request",
        TopOfficerLetter => "top-officer-letter",
        ThankYou => "thank-you",
        LossFeedback => "loss-feedback",
        Nurture => "nurture",
        ReferralAsk => "referral-ask",
    }
);

/// The built-in templates, shipped inside the binary.
pub const BUILTIN_TOML: &str = include_str!("../../assets/templates.toml");

/// The longest template text kept, per part, in characters.
pub const MAX_SUBJECT_CHARS: usize = 300;
pub const MAX_BODY_CHARS: usize = 8_000;
pub const MAX_SHORT_CHARS: usize = 1_000;

/// Rendering steps one template may take: far more than any letter needs, far less
/// than a loop that would hold a server thread.
const FUEL: u64 = 50_000;

/// A template: Jinja text for the subject (e-mails, letters), the body (e-mails,
/// letters, notes) and the short form (texts, LinkedIn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub kind: TemplateKind,
    pub subject: String,
    pub body: String,
    pub short: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltinFile {
    template: Vec<Template>,
}

/// Every built-in template, in the order of [`TemplateKind::ALL`].
pub fn builtin() -> &'static [Template] {
    static BUILTIN: OnceLock<Vec<Template>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let file: BuiltinFile =
            toml::from_str(BUILTIN_TOML).expect("the built-in templates are valid TOML");
        TemplateKind::ALL
            .iter()
            .map(|k| {
                file.template
                    .iter()
                    .find(|t| t.kind == *k)
                    .cloned()
                    .unwrap_or_else(|| panic!("no built-in template for {k}"))
            })
            .collect()
    })
}

pub fn builtin_of(kind: TemplateKind) -> &'static Template {
    builtin()
        .iter()
        .find(|t| t.kind == kind)
        .expect("every kind has a built-in template")
}

/// The values a template may name. Every field is present (empty when unknown), so a
/// template only fails on a name that is not here at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholders {
    pub contact: ContactValues,
    pub account: AccountValues,
    pub topic: TopicValues,
    pub next_step: Option<StepValues>,
    pub rep: RepValues,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactValues {
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
}

impl ContactValues {
    /// Splits a full name the way a letter greets: a leading title ("Dr.") is kept with
    /// the last name, never used as a first name.
    pub fn from_name(name: &str, role: &str) -> ContactValues {
        let parts: Vec<&str> = name.split_whitespace().collect();
        let titled = parts.first().is_some_and(|p| {
            matches!(
                p.trim_end_matches('.').to_ascii_lowercase().as_str(),
                "dr" | "mr" | "mrs" | "ms" | "prof"
            )
        });
        let (first, last) = match (titled, parts.as_slice()) {
            (_, []) => (String::new(), String::new()),
            (true, [title, rest @ ..]) if !rest.is_empty() => (
                format!("{title} {}", rest[rest.len() - 1]),
                rest[rest.len() - 1].to_string(),
            ),
            (_, [only]) => (only.to_string(), only.to_string()),
            (_, [first, .., last]) => (first.to_string(), last.to_string()),
        };
        ContactValues {
            name: name.split_whitespace().collect::<Vec<_>>().join(" "),
            first_name: first,
            last_name: last,
            role: role.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountValues {
    pub name: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicValues {
    pub title: String,
    /// In running text ("phone calls from patients"); the topic's title when it names no
    /// pain point.
    pub pain_point: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepValues {
    pub what: String,
    /// Written out for a reader ("Thursday, 3 December").
    pub due: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepValues {
    pub name: String,
    pub first_name: String,
    pub email: String,
}

impl Placeholders {
    /// Made-up values every field filled, used to check a template before it is saved.
    pub fn sample() -> Placeholders {
        Placeholders {
            contact: ContactValues::from_name("Dr. Ana Reyes", "physician"),
            account: AccountValues {
                name: "Riverside Family Practice".into(),
                city: "Springfield".into(),
            },
            topic: TopicValues {
                title: "Prior authorisation support".into(),
                pain_point: "dealing with prior authorisations".into(),
            },
            next_step: Some(StepValues {
                what: "send the pricing sheet".into(),
                due: "Thursday, 3 December".into(),
            }),
            rep: RepValues {
                name: "Sam Carter".into(),
                first_name: "Sam".into(),
                email: "sam.carter@example.com".into(),
            },
        }
    }
}

/// A template filled in for one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// For e-mails and letters; one line (line breaks in the values become spaces, so
    /// nothing a contact's name holds can start a header line).
    pub subject: Option<String>,
    pub body: String,
}

/// One problem with a template's text, by part and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}{}: {message}", .line.map(|l| format!(", line {l}")).unwrap_or_default())]
pub struct TemplateProblem {
    /// `subject`, `body` or `short`.
    pub part: &'static str,
    pub line: Option<usize>,
    pub message: String,
}

/// Channels written out in full (subject and body) rather than as a short message.
pub fn is_written(channel: Channel) -> bool {
    matches!(
        channel,
        Channel::Email
            | Channel::Text
            | Channel::Linkedin
            | Channel::HandwrittenNote
            | Channel::Letter
    )
}

fn uses_short(channel: Channel) -> bool {
    matches!(channel, Channel::Text | Channel::Linkedin)
}

fn uses_subject(channel: Channel) -> bool {
    matches!(channel, Channel::Email | Channel::Letter)
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_keep_trailing_newline(false);
    env
}

fn render_part(
    env: &Environment<'_>,
    part: &'static str,
    text: &str,
    values: &Placeholders,
) -> Result<String, TemplateProblem> {
    env.render_str(text, values).map_err(|e| TemplateProblem {
        part,
        line: e.line(),
        message: match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        },
    })
}

impl Template {
    /// Fills the template in for `channel`: the short form for texts and LinkedIn, a
    /// subject for e-mails and letters.
    pub fn render(
        &self,
        channel: Channel,
        values: &Placeholders,
    ) -> Result<Rendered, TemplateProblem> {
        let env = environment();
        let body = if uses_short(channel) {
            render_part(&env, "short", &self.short, values)?
        } else {
            render_part(&env, "body", &self.body, values)?
        };
        let subject = if uses_subject(channel) {
            let line = render_part(&env, "subject", &self.subject, values)?;
            Some(line.split_whitespace().collect::<Vec<_>>().join(" "))
        } else {
            None
        };
        Ok(Rendered {
            subject,
            body: tidy_body(&body),
        })
    }

    /// Every problem a template has: lengths, then each part rendered against sample
    /// values (an unknown placeholder, a syntax error, a loop out of fuel).
    pub fn check(&self) -> Result<(), Vec<TemplateProblem>> {
        let mut problems = Vec::new();
        let env = environment();
        for (part, text, max) in [
            ("subject", &self.subject, MAX_SUBJECT_CHARS),
            ("body", &self.body, MAX_BODY_CHARS),
            ("short", &self.short, MAX_SHORT_CHARS),
        ] {
            let chars = text.chars().count();
            if chars > max {
                problems.push(TemplateProblem {
                    part,
                    line: None,
                    message: format!("{chars} characters; at most {max}"),
                });
                continue;
            }
            if text.trim().is_empty() {
                problems.push(TemplateProblem {
                    part,
                    line: None,
                    message: "may not be empty".into(),
                });
                continue;
            }
            if let Err(p) = render_part(&env, part, text, &Placeholders::sample()) {
                problems.push(p);
            } else if let Err(e) = crate::compliance::no_value_per_referral(text) {
                // P14: a template offering value per referral would put the offer in
                // every message made from it.
                problems.push(TemplateProblem {
                    part,
                    line: None,
                    message: e.0,
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Blank lines left by an `{% if %}` that was false collapse to one, and the text is
/// trimmed, so a template's layout survives missing values.
fn tidy_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_for_a_greeting() {
        let c = ContactValues::from_name("Dr. Ana  Reyes", "physician");
        assert_eq!(
            (c.first_name.as_str(), c.last_name.as_str()),
            ("Dr. Reyes", "Reyes")
        );
        let c = ContactValues::from_name("Maria Lopez", "office-manager");
        assert_eq!(
            (c.first_name.as_str(), c.name.as_str()),
            ("Maria", "Maria Lopez")
        );
    }

    #[test]
    fn a_missing_next_step_leaves_no_gap() {
        let mut v = Placeholders::sample();
        v.next_step = None;
        let r = builtin_of(TemplateKind::Confirmation)
            .render(Channel::Email, &v)
            .unwrap();
        assert!(!r.body.contains("\n\n\n"), "{}", r.body);
        assert!(!r.body.contains("Next step"));
    }
}
