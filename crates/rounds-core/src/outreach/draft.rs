//! A draft for each written item of a day's plan: the template its purpose calls for,
//! filled from the item, then read by the coach.

use serde::{Deserialize, Serialize};

use super::coach::{Coach, Draft, Known, Verdict};
use super::template::{
    AccountValues, ContactValues, Placeholders, RepValues, StepValues, Template, TemplateKind,
    TemplateProblem, TopicValues, is_written,
};
use crate::catalogue;
use crate::model::{Account, Channel, Topic, TouchKind, User};
use crate::planner::PlanItem;

/// A plan item's message, ready for the rep to edit and send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDraft {
    pub template: TemplateKind,
    pub channel: Channel,
    pub subject: Option<String>,
    pub body: String,
    pub verdict: Verdict,
}

/// Days within which a written touch after a conversation is the "forgot to mention"
/// follow-up rather than a fresh one.
const FORGOT_TO_MENTION_DAYS: i32 = 7;

/// Which template an item calls for, or `None` for a touch that is not written (a
/// visit, a call).
pub fn template_for(item: &PlanItem) -> Option<TemplateKind> {
    if !is_written(item.channel) {
        return None;
    }
    let kind = match item.kind {
        TouchKind::RecordsCheck => TemplateKind::RecordsCheck,
        TouchKind::Confirmation => TemplateKind::Confirmation,
        TouchKind::ThankYou => TemplateKind::ThankYou,
        TouchKind::Feedback => TemplateKind::LossFeedback,
        TouchKind::Nurture => TemplateKind::Nurture,
        TouchKind::Breakup => TemplateKind::Breakup,
        TouchKind::ReferralAsk => TemplateKind::ReferralAsk,
        TouchKind::MeetingRequest | TouchKind::FirstMeeting if item.channel == Channel::Letter => {
            TemplateKind::TopOfficerLetter
        }
        TouchKind::MeetingRequest | TouchKind::FirstMeeting => TemplateKind::MeetingRequest,
        TouchKind::Routine | TouchKind::ReferralMeeting if item.channel == Channel::Letter => {
            TemplateKind::TopOfficerLetter
        }
        TouchKind::Routine | TouchKind::ReferralMeeting => {
            let talked_lately = item.prep.recent_touches.iter().any(|t| {
                t.outcome.answered()
                    && (item.window.date - t.date).get_days() <= FORGOT_TO_MENTION_DAYS
                    && t.date <= item.window.date
            });
            if talked_lately {
                TemplateKind::ForgotToMention
            } else {
                TemplateKind::FollowUp
            }
        }
    };
    Some(kind)
}

/// The placeholder values of one plan item. `topic` is the library topic of the item's
/// primary topic, when it has one; its pain point is the one the account shares, else
/// its first.
pub fn placeholders_for(
    item: &PlanItem,
    account: Option<&Account>,
    topic: Option<&Topic>,
    rep: &User,
) -> Placeholders {
    let pain_point = topic
        .and_then(|t| {
            let shared =
                account.and_then(|a| t.pain_points.iter().find(|p| a.pain_points.contains(p)));
            shared.or(t.pain_points.first())
        })
        .map(|key| {
            catalogue::pain_point(key)
                .map(|p| p.title)
                .unwrap_or_else(|| key.replace('-', " "))
        })
        .unwrap_or_else(|| item.primary_topic.title.clone());
    Placeholders {
        contact: ContactValues::from_name(&item.contact_name, item.role.as_str()),
        account: AccountValues {
            name: item.account_name.clone(),
            city: account.map(|a| a.address.city.clone()).unwrap_or_default(),
        },
        topic: TopicValues {
            title: item.primary_topic.title.clone(),
            pain_point: in_running_text(&pain_point),
        },
        next_step: item.prep.open_next_steps.first().map(|s| StepValues {
            what: s.what.clone(),
            due: s.due.strftime("%A, %-d %B").to_string(),
        }),
        rep: RepValues {
            name: rep.name.clone(),
            first_name: rep
                .name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
            email: rep.email.clone(),
        },
    }
}

/// "Phone calls from patients" reads as "phone calls from patients" mid-sentence; an
/// acronym ("ER wait times") keeps its capitals.
fn in_running_text(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(title.chars().skip(1)).collect()
        }
        _ => title.to_string(),
    }
}

/// Fills `template` for the item and has the coach read the result.
pub fn draft_item(
    item: &PlanItem,
    template: &Template,
    values: &Placeholders,
    coach: &Coach,
    known: Known<'_>,
) -> Result<ItemDraft, TemplateProblem> {
    let rendered = template.render(item.channel, values)?;
    let verdict = coach.check(
        Draft {
            subject: rendered.subject.as_deref(),
            body: &rendered.body,
        },
        known,
    );
    Ok(ItemDraft {
        template: template.kind,
        channel: item.channel,
        subject: rendered.subject,
        body: rendered.body,
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pain_points_read_mid_sentence() {
        assert_eq!(
            in_running_text("Phone calls from patients"),
            "phone calls from patients"
        );
        assert_eq!(in_running_text("ER wait times"), "ER wait times");
    }
}
