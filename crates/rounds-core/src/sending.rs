//! Sending e-mail from Rounds, pure: the outbox record (a message from its draft to the
//! touch it became), its states, the limits on what a rep may put in a header, and
//! when a queued message may leave (P38, P39).
//!
//! The windows are the planner's own (`planner::email_day`, `planner::email_hours`),
//! so a mail the outbox holds leaves exactly when the plan would have proposed it.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use crate::calendar;
use crate::model::{
    AccountId, ContactId, InvalidValue, OrgId, RepCalendar, TopicId, TouchId, TouchKind, TzName,
    UserId, WeekHours,
};
use crate::planner::{email_day, email_hours};
use crate::playbook::Playbook;
use crate::values::{FieldProblem, Title};

/// A mail body, in characters: a long letter, far above the coach's word limit (P42),
/// which is advice; this is the limit of what is stored and sent.
pub const MAX_BODY_CHARS: usize = 20_000;

/// How far ahead [`next_send_at`] looks for an allowed window before giving up.
pub const SEARCH_DAYS: i64 = 366;

/// One message of the outbox, by its number in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OutboxId(pub i64);

impl fmt::Display for OutboxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for OutboxId {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(OutboxId)
            .ok_or_else(|| InvalidValue(format!("`{s}` is not an id (a positive whole number)")))
    }
}

/// Where a message stands. A draft goes to review (P42) or straight to the queue; the
/// worker alone moves a queued message on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutboxState {
    Draft,
    InReview,
    /// The manager sent it back with a comment; the rep edits it and may submit again.
    Returned,
    Approved,
    /// Waiting for its window (`not_before`).
    Queued,
    /// Handed to the SMTP server under its Message-ID; not yet known to have arrived.
    Sending,
    Sent,
    /// The server refused it for good; the reason is kept.
    Failed,
    Cancelled,
}

impl OutboxState {
    pub const ALL: &'static [OutboxState] = &[
        OutboxState::Draft,
        OutboxState::InReview,
        OutboxState::Returned,
        OutboxState::Approved,
        OutboxState::Queued,
        OutboxState::Sending,
        OutboxState::Sent,
        OutboxState::Failed,
        OutboxState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Draft => "draft",
            OutboxState::InReview => "in-review",
            OutboxState::Returned => "returned",
            OutboxState::Approved => "approved",
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    /// The rep may still change the text: nobody has approved or queued it.
    pub fn editable(self) -> bool {
        matches!(self, OutboxState::Draft | OutboxState::Returned)
    }

    /// It may still be queued by the rep (an approved draft, or one never reviewed).
    pub fn queueable(self) -> bool {
        matches!(
            self,
            OutboxState::Draft | OutboxState::Returned | OutboxState::Approved
        )
    }

    /// It may still be cancelled: anything the worker has not taken.
    pub fn cancellable(self) -> bool {
        matches!(
            self,
            OutboxState::Draft
                | OutboxState::InReview
                | OutboxState::Returned
                | OutboxState::Approved
                | OutboxState::Queued
        )
    }
}

impl fmt::Display for OutboxState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutboxState {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        OutboxState::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == wanted)
            .ok_or_else(|| {
                let all: Vec<&str> = OutboxState::ALL.iter().map(|v| v.as_str()).collect();
                InvalidValue(format!("`{s}` is not one of: {}", all.join(", ")))
            })
    }
}

/// A manager's verdict on a draft (P42): who, when, and what they said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub by: UserId,
    pub at: Timestamp,
    #[serde(default)]
    pub comment: String,
}

/// A message from its draft to the touch it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: OutboxId,
    /// The rep who wrote it; it leaves from their address and name.
    pub author: UserId,
    pub contact: ContactId,
    pub account: AccountId,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub topic: Option<TopicId>,
    pub kind: TouchKind,
    /// Monday, Wednesday and Friday allowed too (P38).
    #[serde(default)]
    pub urgent: bool,
    pub state: OutboxState,
    #[serde(default)]
    pub review: Option<Review>,
    pub created_at: Timestamp,
    #[serde(default)]
    pub queued_at: Option<Timestamp>,
    /// The first moment it may leave: the start of its window, from [`next_send_at`].
    #[serde(default)]
    pub not_before: Option<Timestamp>,
    /// Stored before the SMTP transaction and reused for every attempt, so a receiver
    /// (and our own capture) can drop a second copy.
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub sent_at: Option<Timestamp>,
    /// The touch logged for it, in the transaction that marked it sent.
    #[serde(default)]
    pub touch: Option<TouchId>,
    /// Why the server refused it, or why the worker would not send it.
    #[serde(default)]
    pub failure: Option<String>,
}

impl OutboxMessage {
    /// Every problem of the text a rep wrote, by field.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        // P14: a mail that offers value per referral is refused like any other text.
        let offer = |text: String| crate::compliance::no_value_per_referral(&text);
        if let Err(e) = subject(&self.subject).and_then(offer) {
            out.push(FieldProblem::new("subject", e.0));
        }
        if let Err(e) = body(&self.body).and_then(offer) {
            out.push(FieldProblem::new("body", e.0));
        }
        if let Some(r) = &self.review
            && let Err(e) = comment(&r.comment)
        {
            out.push(FieldProblem::new("comment", e.0));
        }
        out
    }
}

/// A subject line: one line (no CR, LF or other control character, so it can never
/// start a header of its own), 1 to 200 characters; trimmed.
pub fn subject(s: &str) -> Result<String, InvalidValue> {
    Title::parse(s)
        .map(Title::into_string)
        .map_err(|e| InvalidValue(e.0.replace("a title", "the subject")))
}

/// A mail body: 1 to 20,000 characters; newlines and tabs allowed, other control
/// characters not; Windows line ends become `\n`.
pub fn body(s: &str) -> Result<String, InvalidValue> {
    let t = s.replace("\r\n", "\n");
    let t = t.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(InvalidValue(
            "give the body of the mail; it must not be empty".into(),
        ));
    }
    if n > MAX_BODY_CHARS {
        return Err(InvalidValue(format!(
            "the body is {n} characters long; at most {MAX_BODY_CHARS} are allowed"
        )));
    }
    if let Some(c) = t
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(InvalidValue(format!(
            "the body contains a control character (U+{:04X})",
            u32::from(c)
        )));
    }
    Ok(t.to_string())
}

/// A reviewer's comment: free text like a note, at most 4,000 characters, may be empty.
pub fn comment(s: &str) -> Result<String, InvalidValue> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    crate::values::Note::parse(s).map(|n| n.into_string())
}

/// Whether `s` may go into a header as a display name or a subject: no control
/// character at all (CR and LF above all). The worker checks stored text again with
/// this before it builds a mail, whatever the entry point checked.
pub fn header_safe(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// The Message-ID of an outbox message: `<outbox-{org}-{id}.{nonce}@{domain}>`. The
/// nonce keeps ids unguessable across databases that reuse numbers; the prefix lets
/// capture recognise our own mail.
pub fn message_id(org: OrgId, id: OutboxId, nonce: &str, domain: &str) -> String {
    format!("<outbox-{org}-{id}.{nonce}@{domain}>")
}

/// The first moment at or after `after` when a mail may leave for an office in `tz`
/// with `hours` (P38, P39): a working day of the organisation (weekend and holidays,
/// `calendar::day_off` with no rep's own calendar: the mail goes out whether or not the
/// rep works that day), a day allowed for e-mail (`[email] days`, or `urgent_days` too
/// when `urgent`), inside the best or the next-best window the office's hours leave
/// (never at lunch nor within the closing buffer). `None` when no such moment comes
/// within [`SEARCH_DAYS`] (an office with no hours at all).
pub fn next_send_at(
    after: Timestamp,
    tz: &TzName,
    hours: &WeekHours,
    urgent: bool,
    pb: &Playbook,
) -> Option<Timestamp> {
    let zone = tz.zone();
    let start = after.to_zoned(zone.clone()).datetime();
    let no_rep = RepCalendar::default();
    let mut day: Date = start.date();
    for _ in 0..SEARCH_DAYS {
        let weekday = day.weekday();
        if calendar::day_off(&no_rep, pb, day).is_none() && email_day(weekday, urgent, pb) {
            let mut windows = email_hours(hours.on(weekday), pb);
            windows.sort();
            for w in windows {
                let from = day.to_datetime(w.start);
                let to: DateTime = day.to_datetime(w.end);
                if to <= start {
                    continue;
                }
                let at = from.max(start);
                // A local time skipped by a daylight-saving change moves forward with it.
                let t = zone.to_ambiguous_timestamp(at).compatible().ok()?;
                return Some(t.max(after));
            }
        }
        day = day.tomorrow().ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_refuses_line_breaks() {
        assert!(subject("Hello\r\nBcc: x@evil.example").is_err());
        assert!(subject("Hello\nthere").is_err());
        assert_eq!(
            subject("  Fewer denied claims ").unwrap(),
            "Fewer denied claims"
        );
        assert!(!header_safe("Ann\r\nBcc: x@evil.example"));
        assert!(header_safe("Ann O'Neil, MD"));
    }

    #[test]
    fn body_keeps_lines_and_refuses_other_controls() {
        assert_eq!(body("a\r\nb").unwrap(), "a\nb");
        assert!(body("a\u{7}b").is_err());
        assert!(body("   ").is_err());
        assert!(body(&"x".repeat(MAX_BODY_CHARS + 1)).is_err());
    }

    #[test]
    fn states_read_and_write_alike() {
        for s in OutboxState::ALL {
            assert_eq!(s.as_str().parse::<OutboxState>().unwrap(), *s);
        }
        assert_eq!(
            "in_review".parse::<OutboxState>().unwrap(),
            OutboxState::InReview
        );
    }
}
