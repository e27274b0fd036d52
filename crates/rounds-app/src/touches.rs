//! Logging a touch — the one way for the command line, the API and the forms — and
//! reading, finding and deleting touches.
//!
//! The rules, the same whoever logs: the touch's `rep` is the account's owner (the rep
//! whose territory it is), so a manager logging for their rep puts the touch in that
//! rep's history; the time defaults to `now`; every topic must be in the library
//! (`topics[i]`, `explain_better[i]`); a next step needs both what and when
//! (`next_step.what`, `next_step.due`); the note and the next step's text keep the
//! limits of `rounds_core::values`; a touch that completes the contact's open step
//! (`completes_step`) needs one to be open; a reason for not referring
//! (`no_referral.reason`, `no_referral.text`, P10) goes only on a touch the provider
//! answered, with their words when the reason is `other`.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use rounds_core::model::{
    AccountId, Channel, Contact, ContactId, Direction, NextStep, NoReferral, NoReferralReason,
    Outcome, StepAction, StepUpdate, TopicId, Touch, TouchId, TouchKind,
};
use rounds_core::values::{NoReferralText, Note, ReferralCountValue, StepText};
use rounds_store::Store;

use crate::accounts::{contact_field, get_account, get_contact, list_contacts};
use crate::error::first_problem;
use crate::records::add_to_day;
use crate::steps::open_step_of_contact;
use crate::{Actor, AppError, ContactFilter, Result};

/// A touch to log. The use case fills in the id, the account (the contact's), the rep
/// (the account's owner) and, unless given, the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchInput {
    pub contact: ContactId,
    pub channel: Channel,
    pub direction: Direction,
    pub outcome: Outcome,
    pub kind: TouchKind,
    /// When it happened; `None` for now.
    pub at: Option<Timestamp>,
    /// Every topic that came up; the first is the primary one (P4).
    pub topics: Vec<TopicId>,
    /// Topics the contact did not quite get (P3).
    pub explain_better: Vec<TopicId>,
    /// The next step agreed (P33): what, and when it is due. Both or neither.
    pub next_what: Option<String>,
    pub next_due: Option<Date>,
    /// A callback agreed for this exact moment (P35).
    pub callback_at: Option<Timestamp>,
    pub note: String,
    /// This touch did what the contact's open next step promised (P33, P37: logging the
    /// confirmation e-mail completes "send the confirmation"): the step is completed
    /// at the touch's time.
    pub completes_step: bool,
    /// Referrals received with this touch, added to the contact's count for the day;
    /// only with the outcome `referral`, where it defaults to 1.
    pub referrals: Option<u64>,
    /// The provider said they have not referred: the reason from the closed list (P10)…
    pub no_referral_reason: Option<NoReferralReason>,
    /// …and what they said. Only with a reason; required with `other`.
    pub no_referral_text: Option<String>,
}

impl TouchInput {
    /// An outbound routine touch with nothing else said: the quick log.
    pub fn new(contact: ContactId, channel: Channel, outcome: Outcome) -> TouchInput {
        TouchInput {
            contact,
            channel,
            direction: Direction::Outbound,
            outcome,
            kind: TouchKind::Routine,
            at: None,
            topics: vec![],
            explain_better: vec![],
            next_what: None,
            next_due: None,
            callback_at: None,
            note: String::new(),
            completes_step: false,
            referrals: None,
            no_referral_reason: None,
            no_referral_text: None,
        }
    }
}

/// Logs a touch and returns it as stored.
pub async fn log_touch<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    input: TouchInput,
    now: Timestamp,
) -> Result<Touch> {
    let (contact, account) = contact_field(store, actor, input.contact, "contact").await?;
    let note = Note::parse(&input.note).map_err(|e| AppError::invalid("note", e.0))?;
    let next_step = match (input.next_what, input.next_due) {
        (None, None) => None,
        (Some(what), Some(due)) => Some(NextStep {
            what: StepText::parse(&what)
                .map_err(|e| AppError::invalid("next_step.what", e.0))?
                .into_string(),
            due,
        }),
        (Some(_), None) => {
            return Err(AppError::invalid(
                "next_step.due",
                "say when the next step is due, as well as what it is (P33)",
            ));
        }
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "next_step.what",
                "say what the next step is, as well as when it is due (P33)",
            ));
        }
    };
    let no_referral = match (input.no_referral_reason, input.no_referral_text) {
        (None, None) => None,
        (Some(reason), text) => {
            let said = NoReferral {
                reason,
                text: NoReferralText::parse(text.as_deref().unwrap_or_default())
                    .map_err(|e| AppError::invalid("no_referral.text", e.0))?
                    .into_string(),
            };
            // Judged before an id is taken: a refused touch leaves no trace (P10).
            crate::error::first_problem(said.validate(input.outcome))?;
            Some(said)
        }
        (None, Some(_)) => {
            let choices: Vec<&str> = NoReferralReason::ALL.iter().map(|r| r.as_str()).collect();
            return Err(AppError::invalid(
                "no_referral.reason",
                format!(
                    "say why they have not referred ({}), as well as what they said (P10)",
                    choices.join(", ")
                ),
            ));
        }
    };
    // The library is only read when the touch names topics; most touches name none.
    if !input.topics.is_empty() || !input.explain_better.is_empty() {
        let library: BTreeSet<TopicId> = store
            .topics(actor.org)
            .await?
            .iter()
            .map(|t| t.id)
            .collect();
        for (field, ids) in [
            ("topics", &input.topics),
            ("explain_better", &input.explain_better),
        ] {
            if let Some((i, id)) = ids.iter().enumerate().find(|(_, id)| !library.contains(id)) {
                return Err(AppError::invalid(
                    format!("{field}[{i}]"),
                    format!("no topic {id} in the library"),
                ));
            }
        }
    }
    let at = input.at.unwrap_or(now);
    // A referral logged is a referral counted (P9): the liaison records it once.
    let referrals = match (input.outcome, input.referrals) {
        (Outcome::Referral, n) => Some(
            ReferralCountValue::parse(n.unwrap_or(1))
                .map_err(|e| AppError::invalid("referrals", e.0))?
                .get(),
        ),
        (_, None) => None,
        (other, Some(_)) => {
            return Err(AppError::invalid(
                "referrals",
                format!("a count of referrals goes with the outcome `referral`, not `{other}`"),
            ));
        }
    };
    let completes = if input.completes_step {
        // Only the step's identity is needed here, not its triage mark, so the
        // playbook's defaults do.
        let today = at.to_zoned(account.tz.zone()).date();
        let playbook = rounds_core::playbook::Playbook::default();
        match open_step_of_contact(store, actor, &contact, &account, &playbook, today).await? {
            Some(open) => Some(open.step),
            None => {
                return Err(AppError::invalid(
                    "completes_step",
                    format!("{} has no open next step to complete", contact.name),
                ));
            }
        }
    } else {
        None
    };
    let mut touch = Touch {
        id: TouchId(0),
        at,
        // The account's owner, whoever logs it: the touch belongs to the territory.
        rep: account.rep,
        contact: contact.id,
        account: account.id,
        channel: input.channel,
        direction: input.direction,
        outcome: input.outcome,
        kind: input.kind,
        primary_topic: input.topics.first().copied(),
        topics: input.topics,
        explain_better: input.explain_better,
        next_step,
        callback_at: input.callback_at,
        note: note.into_string(),
        no_referral,
    };
    // The record's own validation, as an import's: P9 refuses a patient identifier and
    // P14 a note or a next step offering value per referral.
    first_problem(touch.validate())?;
    if let Some(n) = referrals {
        // Counted before the touch is written: a day's total refused as implausible
        // leaves no touch behind to log again.
        let day = at.to_zoned(account.tz.zone()).date();
        add_to_day(store, actor, contact.id, day, n).await?;
    }
    touch.id = store.add_new_touch(actor.org, &touch).await?;
    if let Some(step) = completes {
        let seq = store.step_updates(actor.org, step).await?.len() as u32 + 1;
        let done = StepUpdate {
            touch: step,
            seq,
            account: account.id,
            at,
            by: actor.user.as_ref().map_or(account.rep, |u| u.id),
            action: StepAction::Complete,
        };
        store.add_step_update(actor.org, &done).await?;
    }
    Ok(touch)
}

/// Whose touches to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TouchFilter {
    Contact(ContactId),
    Account(AccountId),
}

/// One contact's or one account's touches, oldest first.
pub async fn list_touches<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    filter: TouchFilter,
) -> Result<Vec<Touch>> {
    Ok(match filter {
        TouchFilter::Contact(id) => {
            get_contact(store, actor, id).await?;
            store.touches_for_contact(actor.org, id).await?
        }
        TouchFilter::Account(id) => {
            get_account(store, actor, id).await?;
            store.touches_for_account(actor.org, id).await?
        }
    })
}

/// One touch, if the actor may see its account: one scoped query, like
/// [`get_account`].
pub async fn get_touch<S: Store + Sync>(store: &S, actor: &Actor, id: TouchId) -> Result<Touch> {
    let reps = actor.scope.rep_list();
    store
        .scoped_touch(actor.org, id, reps.as_deref())
        .await?
        .map(|(touch, _, _)| touch)
        .ok_or_else(|| AppError::not_found("touch", id))
}

/// Deletes a touch logged by mistake.
pub async fn delete_touch<S: Store + Sync>(store: &S, actor: &Actor, id: TouchId) -> Result<()> {
    get_touch(store, actor, id).await?;
    if store.delete_touch(actor.org, id).await? {
        Ok(())
    } else {
        Err(AppError::not_found("touch", id))
    }
}

/// Finds a contact by id, or by a part of the name that matches exactly one contact.
/// An unknown id is `NotFound`; a name matching none or several is `Invalid` on
/// `contact`, listing up to five matches.
pub async fn find_contact<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    wanted: &str,
) -> Result<Contact> {
    if let Ok(id) = wanted.parse::<ContactId>() {
        return get_contact(store, actor, id).await.map(|(c, _)| c);
    }
    let matches = list_contacts(
        store,
        actor,
        &ContactFilter {
            account: None,
            search: Some(wanted.to_string()),
        },
    )
    .await?;
    match matches.len() {
        1 => Ok(matches.into_iter().next().unwrap_or_else(|| unreachable!())),
        0 => Err(AppError::invalid(
            "contact",
            format!("no contact matches `{wanted}`"),
        )),
        n => {
            let some: Vec<String> = matches
                .iter()
                .take(5)
                .map(|c| format!("{} {}", c.id, c.name))
                .collect();
            Err(AppError::invalid(
                "contact",
                format!(
                    "`{wanted}` matches {n} contacts ({}…); pass the id",
                    some.join(", ")
                ),
            ))
        }
    }
}
