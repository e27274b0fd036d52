//! Mail captured without retyping (P48): a message (or an mbox of them) becomes a touch
//! on each contact it was with, and what no contact (or several) matched goes to the
//! review list, where someone assigns it to a contact or dismisses it.
//!
//! The rules, on top of `rounds_core::capture::decide`: a touch by e-mail, its rep the
//! account's owner (as `log_touch` does), its note the subject only (bodies may hold
//! patient data), its time the mail's date (a forward's original's), never later than
//! `now`. Outbound mail is an unanswered attempt (`no-response`); mail from a contact
//! is a reply (`conversation`), which makes the contact answered — its prospecting
//! cadence ends in the next plan — and completes the open next step it answers: the
//! step set by the touch whose Message-ID it names in In-Reply-To/References, if
//! Rounds logged that touch; else the contact's open step. A Message-ID captured
//! before is ignored and counted. Each message is written in one transaction; a file
//! with any unreadable message writes nothing.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rounds_core::capture::{
    CapturedMail, Decision, ReviewEntry, ReviewReason, ReviewState, decide, read_mails,
};
use rounds_core::export::Problem;
use rounds_core::model::{
    Account, Channel, Contact, ContactId, Direction, Outcome, StepAction, StepUpdate, Touch,
    TouchId, TouchKind,
};
use rounds_core::playbook::Playbook;
use rounds_core::values::Note;
use rounds_store::{CaptureWrite, IdKind, NewReview, ReviewItem, ReviewResolution, Store};

use crate::accounts::{contact_field, get_contact, list_contacts};
use crate::steps::open_step_of_contact;
use crate::{Actor, AppError, ContactFilter, Result};

/// What a capture did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureSummary {
    /// Messages read.
    pub messages: usize,
    /// Touches logged, in message order.
    pub logged: Vec<Touch>,
    /// Steps the replies completed (the touches that set them).
    pub completed: Vec<TouchId>,
    /// Messages whose Message-ID was captured before: nothing written.
    pub duplicates: usize,
    /// Review items added.
    pub review: Vec<i64>,
}

impl CaptureSummary {
    fn add(&mut self, other: CaptureSummary) {
        self.messages += other.messages;
        self.logged.extend(other.logged);
        self.completed.extend(other.completed);
        self.duplicates += other.duplicates;
        self.review.extend(other.review);
    }
}

/// Captures every message of `bytes` (one message, or an mbox). A file with any
/// message that cannot be read is refused whole: `AppError::Import`, each problem
/// naming the message's number and line, nothing written.
pub async fn capture_mail<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    bytes: &[u8],
    now: Timestamp,
) -> Result<CaptureSummary> {
    let mails = read_mails(bytes).map_err(|problems| {
        let total = problems.len();
        AppError::Import {
            problems: problems
                .into_iter()
                .map(|p| Problem {
                    line: p.line,
                    field: format!("message {}", p.message),
                    message: p.why,
                })
                .collect(),
            total,
        }
    })?;
    let users = store.users(actor.org).await?;
    let contacts = list_contacts(store, actor, &ContactFilter::default()).await?;
    let mut summary = CaptureSummary::default();
    for m in mails {
        let one = capture_one(store, actor, &users, &contacts, &m.mail, now).await?;
        summary.add(one);
    }
    Ok(summary)
}

async fn capture_one<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    users: &[rounds_core::model::User],
    contacts: &[Contact],
    mail: &CapturedMail,
    now: Timestamp,
) -> Result<CaptureSummary> {
    let mut summary = CaptureSummary {
        messages: 1,
        ..Default::default()
    };
    // Cheap early exit; the write's own check is the one that holds under concurrency.
    if store
        .captured_mail(actor.org, &mail.message_id)
        .await?
        .is_some()
    {
        summary.duplicates = 1;
        return Ok(summary);
    }
    let decision = decide(mail, users, contacts);
    let at = decision.at.map_or(now, |at| at.min(now));
    let mut touches = Vec::new();
    let mut steps = Vec::new();
    for (id, _) in &decision.matched {
        let (contact, account) = get_contact(store, actor, *id).await?;
        let step = if decision.direction == Direction::Inbound {
            answered_step(store, actor, mail, &contact, &account, at).await?
        } else {
            None
        };
        let touch = touch_for(store, actor, &decision, &contact, &account, at).await?;
        if let Some(step) = step {
            let seq = store.step_updates(actor.org, step).await?.len() as u32 + 1;
            steps.push(StepUpdate {
                touch: step,
                seq,
                account: account.id,
                at,
                by: actor.user.as_ref().map_or(account.rep, |u| u.id),
                action: StepAction::Complete,
            });
        }
        touches.push(touch);
    }
    let mut review = Vec::new();
    for (entry, reason) in decision.review_entries(mail) {
        review.push(NewReview {
            id: store.next_id(actor.org, IdKind::CaptureReview).await?,
            user: decision.user.as_ref().map(|u| u.id),
            entry,
            reason,
        });
    }
    let write = CaptureWrite {
        message_id: mail.message_id.clone(),
        at: now,
        touches,
        steps,
        review,
    };
    if store.write_capture(actor.org, &write).await? {
        summary.completed = write.steps.iter().map(|s| s.touch).collect();
        summary.review = write.review.iter().map(|r| r.id).collect();
        summary.logged = write.touches;
    } else {
        summary.duplicates = 1;
    }
    Ok(summary)
}

/// The touch a captured mail makes on one contact.
async fn touch_for<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    decision: &Decision,
    contact: &Contact,
    account: &Account,
    at: Timestamp,
) -> Result<Touch> {
    // A subject naming a patient is not kept: the touch is logged without it (P9).
    let note = match rounds_core::values::patient_identifier(&decision.subject) {
        Some(what) => format!("(subject not kept: it looked like it held {what})"),
        None => Note::parse(&decision.subject)
            .map_err(|e| AppError::invalid("subject", e.0))?
            .into_string(),
    };
    Ok(Touch {
        id: TouchId(store.next_id(actor.org, IdKind::Touch).await?),
        at,
        // The account's owner, whoever sent or forwarded it: the touch belongs to the
        // territory.
        rep: account.rep,
        contact: contact.id,
        account: account.id,
        channel: Channel::Email,
        direction: decision.direction,
        outcome: match decision.direction {
            Direction::Outbound => Outcome::NoResponse,
            Direction::Inbound => Outcome::Conversation,
        },
        kind: TouchKind::Routine,
        primary_topic: None,
        topics: vec![],
        explain_better: vec![],
        next_step: None,
        callback_at: None,
        note,
        no_referral: None,
    })
}

/// The open step a reply completes (see the module's rules), read before the reply is
/// written: once an answered touch is logged, the step it answers is no longer open.
async fn answered_step<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    mail: &CapturedMail,
    contact: &Contact,
    account: &Account,
    at: Timestamp,
) -> Result<Option<TouchId>> {
    let today = at.to_zoned(account.tz.zone()).date();
    let playbook = Playbook::default();
    let open = open_step_of_contact(store, actor, contact, account, &playbook, today)
        .await?
        .map(|o| o.step);
    let mine: BTreeMap<TouchId, bool> = store
        .touches_for_contact(actor.org, contact.id)
        .await?
        .iter()
        .map(|t| (t.id, t.next_step.is_some()))
        .collect();
    for id in mail.answers() {
        let Some(logged) = store.captured_mail(actor.org, id).await? else {
            continue;
        };
        // The mail it answers set a step on this contact: that step, if still open.
        if let Some(setter) = logged.iter().find(|t| mine.get(t) == Some(&true)) {
            return Ok((open == Some(*setter)).then_some(*setter));
        }
    }
    Ok(open)
}

/// Who may see a review item: the user the mail came from or went to, within the
/// actor's scope; items with no user, administrators and the operator only.
fn sees(actor: &Actor, item: &ReviewItem) -> bool {
    match item.user {
        Some(user) => actor.scope.sees_rep(user) || actor.scope.is_admin(),
        None => actor.scope.is_admin(),
    }
}

/// The review list in one state (all when `None`), oldest first, as far as the actor
/// may see it.
pub async fn list_review<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    state: Option<ReviewState>,
) -> Result<Vec<ReviewItem>> {
    Ok(store
        .review_items(actor.org, state)
        .await?
        .into_iter()
        .filter(|i| sees(actor, i))
        .collect())
}

/// One review item; `NotFound` if missing or out of the actor's sight.
pub async fn get_review<S: Store + Sync>(store: &S, actor: &Actor, id: i64) -> Result<ReviewItem> {
    store
        .review_item(actor.org, id)
        .await?
        .filter(|i| sees(actor, i))
        .ok_or_else(|| AppError::not_found("review item", id))
}

fn must_be_open(item: &ReviewItem) -> Result<()> {
    if item.state == ReviewState::Open {
        Ok(())
    } else {
        Err(AppError::Conflict {
            field: "id".into(),
            message: format!("review item {} is already {}", item.id, item.state.as_str()),
        })
    }
}

/// Puts a review item on `contact` (which must be in the actor's scope): logs its touch
/// as a capture would have, completing the step a reply answers.
pub async fn assign_review<S: Store + Sync>(
    store: &S,
    actor: &Actor,
    id: i64,
    contact: ContactId,
    now: Timestamp,
) -> Result<Touch> {
    let item = get_review(store, actor, id).await?;
    must_be_open(&item)?;
    let (contact, account) = contact_field(store, actor, contact, "contact").await?;
    let ReviewEntry {
        direction,
        at,
        subject,
        mail,
        ..
    } = item.entry;
    let decision = Decision {
        direction,
        at,
        subject,
        user: None,
        matched: vec![],
        review: vec![],
    };
    let at = at.map_or(now, |at| at.min(now));
    let step = if direction == Direction::Inbound {
        answered_step(store, actor, &mail, &contact, &account, at).await?
    } else {
        None
    };
    let touch = touch_for(store, actor, &decision, &contact, &account, at).await?;
    let step = match step {
        Some(step) => Some(StepUpdate {
            touch: step,
            seq: store.step_updates(actor.org, step).await?.len() as u32 + 1,
            account: account.id,
            at,
            by: actor.user.as_ref().map_or(account.rep, |u| u.id),
            action: StepAction::Complete,
        }),
        None => None,
    };
    let resolution = ReviewResolution::Assign {
        touch: Box::new(touch.clone()),
        step,
    };
    if store.resolve_review(actor.org, id, &resolution).await? {
        Ok(touch)
    } else {
        Err(AppError::Conflict {
            field: "id".into(),
            message: format!("review item {id} was resolved meanwhile"),
        })
    }
}

/// Dismisses a review item (not a contact's mail, or not worth a touch).
pub async fn dismiss_review<S: Store + Sync>(store: &S, actor: &Actor, id: i64) -> Result<()> {
    let item = get_review(store, actor, id).await?;
    must_be_open(&item)?;
    if store
        .resolve_review(actor.org, id, &ReviewResolution::Dismiss)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::Conflict {
            field: "id".into(),
            message: format!("review item {id} was resolved meanwhile"),
        })
    }
}

/// A review reason in words, for adapters.
pub fn reason_text(reason: &ReviewReason) -> String {
    reason.to_string()
}
