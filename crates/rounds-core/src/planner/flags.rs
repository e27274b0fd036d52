//! Flags: what the rep or manager should fix rather than a touch — no reason to return
//! (P2), a missing next step (P33, P12), no staff contact at a referring practice (P11),
//! a provider who gave no clear reason for not referring (P10).

use jiff::civil::Date;

use super::history::History;
use super::{Flag, FlagKind, days_between};
use crate::model::{Account, AccountStatus, Contact, Segment, TouchKind};
use crate::playbook::Playbook;

pub(super) fn account_flags(
    account: &Account,
    hs: &[&History],
    pb: &Playbook,
    today: Date,
    flags: &mut Vec<Flag>,
) {
    let flag = |kind, rules: &[&str], contact: Option<&Contact>, text: String| Flag {
        kind,
        rules: rules.iter().map(|r| r.to_string()).collect(),
        account: account.id,
        account_name: account.name.clone(),
        contact: contact.map(|c| c.id),
        contact_name: contact.map(|c| c.name.clone()),
        text,
    };
    let active = matches!(
        account.status,
        AccountStatus::Customer | AccountStatus::Prospect
    );
    for h in hs {
        // A contact being worked with nothing new left: the touches go on (a cadence is not
        // cut short, a customer not left silent) but the library needs content.
        if active && (h.ever_answered || h.streak > 0) && h.fresh.is_empty() {
            flags.push(flag(
                FlagKind::NoReasonToReturn,
                &["P2"],
                Some(h.contact),
                format!(
                    "Every relevant topic is covered with {}: add content for {} ({})",
                    h.contact.name, h.contact.role, account.segment
                ),
            ));
        }
        // P33, P12: the latest conversation must carry a next step.
        if let Some((i, (t, day))) = h
            .touches
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (t, _))| t.outcome.conversation())
            && t.next_step.is_none()
            && t.callback_at.is_none()
            && !h.touches[i + 1..].iter().any(|(l, _)| l.outcome.answered())
            && days_between(*day, today) <= pb.max_silence_days
            && active
        {
            let (kind, rules): (FlagKind, &[&str]) = if t.kind == TouchKind::ReferralMeeting {
                (FlagKind::ReferralMeetingWithoutNextStep, &["P12", "P33"])
            } else {
                (FlagKind::MissingNextStep, &["P33"])
            };
            flags.push(flag(
                kind,
                rules,
                Some(h.contact),
                format!(
                    "{} with {} on {day} has no next step: add what and when",
                    t.kind, h.contact.name
                ),
            ));
        }
    }
    // P10: no clear reason for not referring may be a relationship they would rather not
    // name; it stands until they refer or give a reason.
    for h in hs.iter().filter(|_| active) {
        if let Some(n) = crate::signals::not_referring(&h.touches, &h.referral_days)
            && n.possible_competitor
        {
            let said = if n.text.is_empty() {
                String::new()
            } else {
                format!(" (“{}”)", n.text)
            };
            flags.push(flag(
                FlagKind::PossibleCompetingRelationship,
                &["P10"],
                Some(h.contact),
                format!(
                    "{} said on {} they had not referred, with no clear reason{said}: possibly a competing relationship; find out who else they work with",
                    h.contact.name, n.day
                ),
            ));
        }
    }
    let referring = hs.iter().any(|h| {
        !h.referral_days.is_empty() || h.last_of_kind(TouchKind::ReferralMeeting).is_some()
    });
    if account.segment == Segment::MedicalProvider
        && referring
        && active
        && !hs.iter().any(|h| h.contact.role.is_staff())
    {
        flags.push(flag(
            FlagKind::NoStaffContact,
            &["P11"],
            None,
            format!(
                "{} refers to us but we know no office manager, head nurse or administrator there",
                account.name
            ),
        ));
    }
}
