//! Sending e-mail: drafts, the manager's review (P42), the queue that holds a mail until
//! its window (P38, P39), the worker that sends and logs it, and the unsubscribe link.
//!
//! A message is always written by the rep who owns the contact's account (the author,
//! whose address and name it leaves under), whoever typed it, as a touch's rep is. A
//! rep sees and acts on their own messages, a manager their team's; anything else
//! answers `NotFound`. Reviewing needs a manager of the author's team or an
//! administrator: anyone else who can see the message gets `Forbidden`.
//!
//! The worker is transport-agnostic ([`MailTransport`]): the binary hands it the SMTP
//! client and a clock. Delivery is at least once: the Message-ID is stored before the
//! SMTP transaction, a message found `sending` after a crash goes again under the same
//! id, and marking it sent adds its touch in the same transaction, conditionally, so
//! the touch is logged exactly once.

use std::future::Future;

use jiff::{SignedDuration, Timestamp};
use rounds_core::model::{
    Channel, Contact, ContactId, Direction, OrgId, Outcome, Role, TopicId, Touch, TouchId,
    TouchKind, User,
};
use rounds_core::playbook::Playbook;
use rounds_core::sending::{
    self, OutboxId, OutboxMessage, OutboxState, Review, header_safe, next_send_at,
};
use rounds_core::values::EmailAddress;
use rounds_store::{IdKind, Outbox, Store};

use crate::accounts::contact_field;
use crate::{Actor, AppError, Result};

/// A draft as typed: a new one (`id: None`) or changes to one still editable.
#[derive(Debug, Clone)]
pub struct DraftInput {
    pub id: Option<OutboxId>,
    pub contact: ContactId,
    pub subject: String,
    pub body: String,
    pub topic: Option<TopicId>,
    pub kind: TouchKind,
    pub urgent: bool,
}

/// A reviewer's verdict: the comment (required to return a draft) and, when
/// approving, whether the approval also queues the mail.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub comment: String,
    pub queue: bool,
}

/// Which messages [`list_outbox`] returns.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub states: Option<Vec<OutboxState>>,
}

/// A message the actor may see, or `NotFound`.
pub async fn get_outbox<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    id: OutboxId,
) -> Result<OutboxMessage> {
    match store.outbox_message(actor.org, id).await? {
        Some(m) if actor.scope.sees_rep(m.author) => Ok(m),
        _ => Err(AppError::not_found("outbox message", id)),
    }
}

/// The actor's messages (a rep their own, a manager their team's), by id.
pub async fn list_outbox<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    filter: &OutboxFilter,
) -> Result<Vec<OutboxMessage>> {
    let authors = actor.scope.rep_list();
    Ok(store
        .outbox_messages(actor.org, authors.as_deref(), filter.states.as_deref())
        .await?)
}

fn invalid_problems(message: &OutboxMessage) -> Result<()> {
    match message.validate().into_iter().next() {
        Some(p) => Err(p.into()),
        None => Ok(()),
    }
}

fn conflict(m: &OutboxMessage, doing: &str) -> AppError {
    AppError::Conflict {
        field: "state".into(),
        message: format!("message {} is {}; it cannot be {doing}", m.id, m.state),
    }
}

/// Writes the change unless someone moved the message first (then a conflict).
async fn transition<S: Outbox + Sync>(
    store: &S,
    org: OrgId,
    next: &OutboxMessage,
    from: OutboxState,
) -> Result<()> {
    if store.update_outbox(org, next, from).await? {
        Ok(())
    } else {
        Err(AppError::Conflict {
            field: "state".into(),
            message: format!("message {} changed meanwhile; look at it again", next.id),
        })
    }
}

/// Saves a new draft, or new text for one still a draft or returned (it becomes a
/// draft again, keeping the reviewer's comment to read).
pub async fn save_draft<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    input: DraftInput,
    now: Timestamp,
) -> Result<OutboxMessage> {
    let (m, before) = drafted(store, actor, input, now).await?;
    write_drafted(store, actor.org, &m, before).await?;
    Ok(m)
}

/// Saves a draft and sends it in one step (the "Send" of a page): every check of
/// [`queue`] runs before anything is written, so a refused mail leaves no stray draft.
pub async fn save_and_queue<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    input: DraftInput,
    pb: &Playbook,
    now: Timestamp,
) -> Result<OutboxMessage> {
    let (m, before) = drafted(store, actor, input, now).await?;
    let m = ready_to_queue(store, actor.org, m, pb, now).await?;
    write_drafted(store, actor.org, &m, before).await?;
    Ok(m)
}

/// Saves a draft and hands it to the author's manager in one step (P42).
pub async fn save_for_review<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    input: DraftInput,
    now: Timestamp,
) -> Result<OutboxMessage> {
    let (m, before) = drafted(store, actor, input, now).await?;
    let m = OutboxMessage {
        state: OutboxState::InReview,
        ..m
    };
    write_drafted(store, actor.org, &m, before).await?;
    Ok(m)
}

/// The draft `input` describes, checked, and the state of the message it replaces
/// (`None` for a new one); nothing written.
async fn drafted<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    input: DraftInput,
    now: Timestamp,
) -> Result<(OutboxMessage, Option<OutboxState>)> {
    let (contact, account) = contact_field(store, actor, input.contact, "contact").await?;
    let subject =
        sending::subject(&input.subject).map_err(|e| AppError::invalid("subject", e.0))?;
    let body = sending::body(&input.body).map_err(|e| AppError::invalid("body", e.0))?;
    if let Some(t) = input.topic
        && store.topic(actor.org, t).await?.is_none()
    {
        return Err(AppError::invalid(
            "topic",
            format!("no topic {t} in the library"),
        ));
    }
    let (m, before) = match input.id {
        None => {
            let id = OutboxId(store.next_id(actor.org, IdKind::Outbox).await?);
            let m = OutboxMessage {
                id,
                author: account.rep,
                contact: contact.id,
                account: account.id,
                subject,
                body,
                topic: input.topic,
                kind: input.kind,
                urgent: input.urgent,
                state: OutboxState::Draft,
                review: None,
                created_at: now,
                queued_at: None,
                not_before: None,
                message_id: None,
                sent_at: None,
                touch: None,
                failure: None,
            };
            (m, None)
        }
        Some(id) => {
            let old = get_outbox(store, actor, id).await?;
            if !old.state.editable() {
                return Err(conflict(&old, "edited"));
            }
            let m = OutboxMessage {
                author: account.rep,
                contact: contact.id,
                account: account.id,
                subject,
                body,
                topic: input.topic,
                kind: input.kind,
                urgent: input.urgent,
                state: OutboxState::Draft,
                ..old.clone()
            };
            (m, Some(old.state))
        }
    };
    invalid_problems(&m)?;
    Ok((m, before))
}

async fn write_drafted<S: Outbox + Sync>(
    store: &S,
    org: OrgId,
    m: &OutboxMessage,
    before: Option<OutboxState>,
) -> Result<()> {
    match before {
        None => Ok(store.add_outbox(org, m).await?),
        Some(from) => transition(store, org, m, from).await,
    }
}

/// The rep hands a draft to their manager (P42).
pub async fn submit_for_review<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    id: OutboxId,
) -> Result<OutboxMessage> {
    let old = get_outbox(store, actor, id).await?;
    if !old.state.editable() {
        return Err(conflict(&old, "sent for review"));
    }
    let m = OutboxMessage {
        state: OutboxState::InReview,
        ..old.clone()
    };
    transition(store, actor.org, &m, old.state).await?;
    Ok(m)
}

/// The reviewer: a manager of the author's team, or an administrator.
fn reviewer(actor: &Actor, author: &User) -> Result<User> {
    let forbidden = || {
        AppError::Forbidden(
            "only the author's manager (a manager of the same team) or an administrator reviews a draft"
                .into(),
        )
    };
    let me = actor.user.as_ref().ok_or_else(|| {
        AppError::Forbidden(
            "a review names its reviewer: sign in (or pass --as) as the manager or an administrator"
                .into(),
        )
    })?;
    let allowed = match me.role {
        Role::Admin => true,
        Role::Manager => me.id != author.id && me.team.is_some() && me.team == author.team,
        Role::Rep => false,
    };
    if allowed {
        Ok(me.clone())
    } else {
        Err(forbidden())
    }
}

async fn author_of<S: Store + Sync>(store: &S, org: OrgId, m: &OutboxMessage) -> Result<User> {
    store
        .users(org)
        .await?
        .into_iter()
        .find(|u| u.id == m.author)
        .ok_or_else(|| AppError::not_found("user", m.author))
}

/// The manager approves a draft in review; with `queue` it goes to the queue at once
/// (leaving at its next window), otherwise it waits, approved, for the rep to send.
pub async fn approve<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    id: OutboxId,
    input: ReviewInput,
    pb: &Playbook,
    now: Timestamp,
) -> Result<OutboxMessage> {
    let old = get_outbox(store, actor, id).await?;
    let author = author_of(store, actor.org, &old).await?;
    let by = reviewer(actor, &author)?;
    if old.state != OutboxState::InReview {
        return Err(conflict(&old, "approved"));
    }
    let comment =
        sending::comment(&input.comment).map_err(|e| AppError::invalid("comment", e.0))?;
    let mut m = OutboxMessage {
        state: OutboxState::Approved,
        review: Some(Review {
            by: by.id,
            at: now,
            comment,
        }),
        ..old.clone()
    };
    if input.queue {
        m = ready_to_queue(store, actor.org, m, pb, now).await?;
    }
    transition(store, actor.org, &m, old.state).await?;
    Ok(m)
}

/// The manager returns a draft in review with a comment saying what to change.
pub async fn return_draft<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    id: OutboxId,
    comment: &str,
    now: Timestamp,
) -> Result<OutboxMessage> {
    let old = get_outbox(store, actor, id).await?;
    let author = author_of(store, actor.org, &old).await?;
    let by = reviewer(actor, &author)?;
    if old.state != OutboxState::InReview {
        return Err(conflict(&old, "returned"));
    }
    let comment = sending::comment(comment).map_err(|e| AppError::invalid("comment", e.0))?;
    if comment.is_empty() {
        return Err(AppError::invalid(
            "comment",
            "say what to change: a returned draft carries the reviewer's comment",
        ));
    }
    let m = OutboxMessage {
        state: OutboxState::Returned,
        review: Some(Review {
            by: by.id,
            at: now,
            comment,
        }),
        ..old.clone()
    };
    transition(store, actor.org, &m, old.state).await?;
    Ok(m)
}

/// The checks every queued message passes, and its window: a contact with an e-mail
/// address who has not opted out of e-mail, an author whose name and address can head
/// a mail, text within limits.
async fn ready_to_queue<S: Store + Sync>(
    store: &S,
    org: OrgId,
    m: OutboxMessage,
    pb: &Playbook,
    now: Timestamp,
) -> Result<OutboxMessage> {
    invalid_problems(&m)?;
    let contact = store
        .contact(org, m.contact)
        .await?
        .ok_or_else(|| AppError::invalid("contact", format!("no contact {}", m.contact)))?;
    sendable_to(&contact).map_err(|why| AppError::invalid("contact", why))?;
    let account = store
        .account(org, contact.account)
        .await?
        .ok_or_else(|| AppError::invalid("contact", format!("no account {}", contact.account)))?;
    let author = author_of(store, org, &m).await?;
    if !header_safe(&author.name) {
        return Err(AppError::invalid(
            "author",
            format!(
                "the name of user {} contains a control character",
                author.id
            ),
        ));
    }
    EmailAddress::parse(&author.email).map_err(|e| {
        AppError::invalid(
            "author",
            format!("user {}'s e-mail address: {}", author.id, e.0),
        )
    })?;
    let not_before = next_send_at(now, &account.tz, &account.office_hours, m.urgent, pb)
        .ok_or_else(|| {
            AppError::invalid(
                "contact",
                format!(
                    "{}'s office hours leave no e-mail window (P38, P39) in the next year",
                    account.name
                ),
            )
        })?;
    Ok(OutboxMessage {
        state: OutboxState::Queued,
        queued_at: Some(now),
        not_before: Some(not_before),
        failure: None,
        ..m
    })
}

/// Why a contact may not be mailed, if so.
fn sendable_to(contact: &Contact) -> std::result::Result<&str, String> {
    if contact.opt_outs.contains(&Channel::Email) {
        return Err(format!("{} opted out of e-mail", contact.name));
    }
    match contact.channels.email.as_deref() {
        Some(address) if EmailAddress::parse(address).is_ok() => Ok(address),
        Some(address) => Err(format!(
            "{}'s e-mail address `{address}` is not valid",
            contact.name
        )),
        None => Err(format!("{} has no e-mail address", contact.name)),
    }
}

/// The rep sends a draft (never reviewed, or approved): it waits in the queue for its
/// next window (P38, P39).
pub async fn queue<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    id: OutboxId,
    pb: &Playbook,
    now: Timestamp,
) -> Result<OutboxMessage> {
    let old = get_outbox(store, actor, id).await?;
    if !matches!(old.state, OutboxState::Draft | OutboxState::Approved) {
        return Err(conflict(&old, "sent"));
    }
    let m = ready_to_queue(store, actor.org, old.clone(), pb, now).await?;
    transition(store, actor.org, &m, old.state).await?;
    Ok(m)
}

/// Withdraws a message the worker has not taken yet.
pub async fn cancel<S: Store + Outbox + Sync>(
    store: &S,
    actor: &Actor,
    id: OutboxId,
) -> Result<OutboxMessage> {
    let old = get_outbox(store, actor, id).await?;
    if !old.state.cancellable() {
        return Err(conflict(&old, "cancelled"));
    }
    let m = OutboxMessage {
        state: OutboxState::Cancelled,
        ..old.clone()
    };
    transition(store, actor.org, &m, old.state).await?;
    Ok(m)
}

// ---------------------------------------------------------------------------------
// The worker

/// A mail ready for the wire. Every text comes from the store; the transport builds
/// the headers from these fields with typed headers only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// With its angle brackets.
    pub message_id: String,
    pub from_name: String,
    pub from_address: String,
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    /// The body as written, then the unsubscribe line.
    pub body: String,
    /// For `List-Unsubscribe` (RFC 8058: one click).
    pub unsubscribe_url: String,
}

/// Why a transport did not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// The server refused the mail for good (5xx): it is marked failed with the reason.
    Permanent(String),
    /// Try again later (a 4xx answer, a connection that failed): the message stays
    /// `sending` under its Message-ID and the pass ends.
    Temporary(String),
}

pub trait MailTransport {
    fn send(
        &self,
        mail: &OutgoingMail,
    ) -> impl Future<Output = std::result::Result<(), SendFailure>> + Send;
}

/// What a worker needs besides the store and the transport.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Names this worker in the lease (host and process, say).
    pub holder: String,
    /// The domain of the Message-IDs.
    pub mail_from_domain: String,
    /// The server's public address, for the unsubscribe link (no trailing slash).
    pub public_url: String,
    /// How long a lease lasts without renewal; renewed before each message.
    pub lease: SignedDuration,
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkReport {
    /// Another worker holds the lease: nothing was done.
    pub not_leased: bool,
    pub sent: usize,
    pub failed: usize,
    /// Refused at send time (opted out since it was queued, text that cannot head a mail).
    pub refused: usize,
    /// A temporary failure ended the pass early.
    pub deferred: bool,
}

/// The path of an unsubscribe link on the web server.
pub fn unsubscribe_path(secret: &str) -> String {
    format!("/unsubscribe/{secret}")
}

/// One pass over the organisation's due messages: takes (or renews) the lease, sends
/// what is due at `clock()` in id order — messages left `sending` by a crash first,
/// under their stored Message-ID — and logs each as a touch. `nonce` makes the random
/// part of new Message-IDs.
pub async fn work_once<S, T>(
    store: &S,
    transport: &T,
    org: OrgId,
    settings: &WorkerSettings,
    clock: &(dyn Fn() -> Timestamp + Sync),
) -> Result<WorkReport>
where
    S: Store + Outbox + Sync,
    T: MailTransport + Sync,
{
    let mut report = WorkReport::default();
    let lease = |now: Timestamp| {
        let until = now.checked_add(settings.lease).unwrap_or(now);
        store.take_outbox_lease(org, &settings.holder, now, until)
    };
    let now = clock();
    if !lease(now).await? {
        report.not_leased = true;
        return Ok(report);
    }
    let mut due = store
        .outbox_messages(
            org,
            None,
            Some(&[OutboxState::Sending, OutboxState::Queued]),
        )
        .await?;
    due.retain(|m| m.state == OutboxState::Sending || m.not_before.is_some_and(|t| t <= now));
    due.sort_by_key(|m| (m.state != OutboxState::Sending, m.id));
    let users = store.users(org).await?;
    for m in due {
        let now = clock();
        if !lease(now).await? {
            report.not_leased = true;
            break;
        }
        match send_one(store, transport, org, settings, &users, m, now).await? {
            Sent::Yes => report.sent += 1,
            Sent::Refused => report.refused += 1,
            Sent::Failed => report.failed += 1,
            Sent::Skipped => {}
            Sent::Later => {
                report.deferred = true;
                break;
            }
        }
    }
    Ok(report)
}

/// Gives the lease up, so a restarted worker need not wait for it to expire.
pub async fn stop_worker<S: Outbox + Sync>(
    store: &S,
    org: OrgId,
    settings: &WorkerSettings,
) -> Result<()> {
    Ok(store.release_outbox_lease(org, &settings.holder).await?)
}

enum Sent {
    Yes,
    Refused,
    Failed,
    Skipped,
    Later,
}

async fn send_one<S, T>(
    store: &S,
    transport: &T,
    org: OrgId,
    settings: &WorkerSettings,
    users: &[User],
    m: OutboxMessage,
    now: Timestamp,
) -> Result<Sent>
where
    S: Store + Outbox + Sync,
    T: MailTransport + Sync,
{
    let stop = |m: &OutboxMessage, state: OutboxState, why: String| OutboxMessage {
        state,
        failure: Some(why),
        ..m.clone()
    };
    // Opt-outs are read again now: one recorded after queueing wins, even over a mail
    // a crash left half sent.
    let contact = store.contact(org, m.contact).await?;
    let author = users.iter().find(|u| u.id == m.author);
    let problem = match (&contact, author) {
        (None, _) => Some(format!("contact {} no longer exists", m.contact)),
        (_, None) => Some(format!("user {} no longer exists", m.author)),
        (Some(c), Some(a)) => match sendable_to(c) {
            Err(why) => Some(why),
            Ok(_) if !header_safe(&a.name) || !header_safe(&c.name) => {
                Some("a name contains a line break or another control character".into())
            }
            Ok(_) if sending::subject(&m.subject).as_deref() != Ok(m.subject.as_str()) => {
                Some("the subject is not one plain line".into())
            }
            Ok(_) => None,
        },
    };
    if let Some(why) = problem {
        let failed = stop(&m, OutboxState::Failed, format!("not sent: {why}"));
        store.update_outbox(org, &failed, m.state).await?;
        return Ok(Sent::Refused);
    }
    let (Some(contact), Some(author)) = (contact, author) else {
        return Ok(Sent::Skipped);
    };
    // The Message-ID is stored before the SMTP transaction, and kept for every later
    // attempt.
    let m = if m.state == OutboxState::Queued {
        let nonce = crate::auth::new_secret();
        let id = sending::message_id(org, m.id, &nonce[..16], &settings.mail_from_domain);
        let taken = OutboxMessage {
            state: OutboxState::Sending,
            message_id: Some(id),
            ..m.clone()
        };
        if !store
            .update_outbox(org, &taken, OutboxState::Queued)
            .await?
        {
            return Ok(Sent::Skipped); // Cancelled meanwhile.
        }
        taken
    } else {
        m
    };
    let Some(message_id) = m.message_id.clone() else {
        let failed = stop(&m, OutboxState::Failed, "no Message-ID was stored".into());
        store.update_outbox(org, &failed, m.state).await?;
        return Ok(Sent::Failed);
    };
    let secret = crate::auth::new_secret();
    store
        .add_unsubscribe_token(org, &crate::auth::secret_hash(&secret), &m, now)
        .await?;
    let unsubscribe_url = format!("{}{}", settings.public_url, unsubscribe_path(&secret));
    let mail = OutgoingMail {
        message_id,
        from_name: author.name.clone(),
        from_address: author.email.clone(),
        to_name: contact.name.clone(),
        to_address: contact.channels.email.clone().unwrap_or_default(),
        subject: m.subject.clone(),
        body: format!(
            "{}\n\n--\nTo receive no more e-mail from us: {unsubscribe_url}\n",
            m.body
        ),
        unsubscribe_url,
    };
    match transport.send(&mail).await {
        Ok(()) => {
            let touch = Touch {
                id: TouchId(store.next_id(org, IdKind::Touch).await?),
                at: now,
                rep: m.author,
                contact: contact.id,
                account: contact.account,
                channel: Channel::Email,
                direction: Direction::Outbound,
                outcome: Outcome::NoResponse,
                kind: m.kind,
                primary_topic: m.topic,
                topics: m.topic.into_iter().collect(),
                explain_better: vec![],
                next_step: None,
                callback_at: None,
                note: m.subject.clone(),
                no_referral: None,
            };
            let sent = OutboxMessage {
                state: OutboxState::Sent,
                sent_at: Some(now),
                touch: Some(touch.id),
                ..m
            };
            store.outbox_sent(org, &sent, &touch).await?;
            Ok(Sent::Yes)
        }
        Err(SendFailure::Permanent(why)) => {
            let failed = stop(&m, OutboxState::Failed, why);
            store
                .update_outbox(org, &failed, OutboxState::Sending)
                .await?;
            Ok(Sent::Failed)
        }
        Err(SendFailure::Temporary(_)) => Ok(Sent::Later),
    }
}

// ---------------------------------------------------------------------------------
// Unsubscribe links

/// Whom an unsubscribe link opts out: the contact's name and address, for the confirm
/// page. `None` for a secret that is malformed or unknown (the page answers 404).
pub async fn unsubscribe_contact<S: Store + Outbox + Sync>(
    store: &S,
    secret: &str,
) -> Result<Option<Contact>> {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(target) = store
        .unsubscribe_target(&crate::auth::secret_hash(secret))
        .await?
    else {
        return Ok(None);
    };
    Ok(store.contact(target.org, target.contact).await?)
}

/// Records the e-mail opt-out the link stands for (no sign-in: the secret is the
/// credential). `None` for an unknown link; a contact already opted out stays so.
pub async fn unsubscribe<S: Store + Outbox + Sync>(
    store: &S,
    secret: &str,
) -> Result<Option<Contact>> {
    let Some(mut contact) = unsubscribe_contact(store, secret).await? else {
        return Ok(None);
    };
    let target = store
        .unsubscribe_target(&crate::auth::secret_hash(secret))
        .await?
        .ok_or_else(|| AppError::not_found("unsubscribe link", "given"))?;
    if !contact.opt_outs.contains(&Channel::Email) {
        contact.opt_outs.push(Channel::Email);
        store.save_contact(target.org, &contact).await?;
    }
    Ok(Some(contact))
}
