//! Mail captured without retyping (P48), pure: a message's headers read by the
//! `mail-parser` crate into a [`CapturedMail`] (never its body, which may hold patient
//! data; only a forwarded original's header block is looked for in it), an mbox split
//! into its messages with the number and line of each, and the decision of who the mail
//! was with and which way it went ([`decide`]).
//!
//! The rules of [`decide`]:
//! - sent by a Rounds user (BCC'd to the capture address, or a copy of sent mail) →
//!   outbound, to the contacts in To and Cc;
//! - sent by a user with a forwarded original inside (an attached message, or an inline
//!   "Forwarded message" / "Original Message" block) → the original's direction and
//!   party: outbound to its recipients if a user wrote it, else inbound from its sender;
//! - anything else → inbound from its sender (a reply).
//!
//! A party is matched to a contact by e-mail address (case-insensitive), and only when
//! no contact has the address, by display name (whitespace and case normalised) when
//! exactly one contact has that name. No match, or several, goes to the review list
//! with the reason: a capture never guesses.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::DateTime;
use mail_parser::{Address, HeaderValue, Message, MessageParser, PartType};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{Contact, ContactId, Direction, User};

/// Addresses kept per header: a mail to a whole list is not a touch on each member,
/// and a hostile header must not make the summary unbounded.
pub const MAX_ADDRESSES: usize = 50;

/// The longest subject kept (characters); longer ones are cut, as a note's limit asks.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// How much of a text body is searched for an inline forwarded block: the block comes
/// first in a forward, and a long body must not cost a long search.
const INLINE_SEARCH_BYTES: usize = 64 * 1024;

/// Message-IDs kept from In-Reply-To and References.
const MAX_REFERENCES: usize = 50;

/// One address of a header: the display name and the address, either possibly absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl fmt::Display for MailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) => write!(f, "{n} <{e}>"),
            (Some(n), None) => f.write_str(n),
            (None, Some(e)) => f.write_str(e),
            (None, None) => f.write_str("(no address)"),
        }
    }
}

/// The headers of a forwarded original, as far as they could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Original {
    pub from: Vec<MailAddress>,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub date: Option<Timestamp>,
    pub subject: Option<String>,
}

/// What Rounds keeps of a captured message: headers only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapturedMail {
    /// The Message-ID without angle brackets; for a message without one, a digest of
    /// its bytes (`sha256-…@capture.invalid`), so the same message twice is still
    /// recognised.
    pub message_id: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub date: Option<Timestamp>,
    pub from: Vec<MailAddress>,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<Original>,
}

impl CapturedMail {
    /// The Message-IDs this mail answers, nearest first: In-Reply-To, then References
    /// from the last (the parent) back to the first (the thread's start).
    pub fn answers(&self) -> impl Iterator<Item = &str> {
        self.in_reply_to
            .iter()
            .chain(self.references.iter().rev())
            .map(String::as_str)
    }
}

/// One message of a file that could not be read, by its number in the file (1 for a
/// single message) and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailProblem {
    pub message: usize,
    pub line: usize,
    pub why: String,
}

impl fmt::Display for MailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "message {} (line {}): {}",
            self.message, self.line, self.why
        )
    }
}

/// A message of a file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedMail {
    pub number: usize,
    pub line: usize,
    pub mail: CapturedMail,
}

/// Whether the bytes are an mbox (they start with a `From ` separator line) rather
/// than one message (whose first header would be `From:`).
pub fn is_mbox(bytes: &[u8]) -> bool {
    bytes.starts_with(b"From ")
}

/// One message cut out of an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxMessage {
    /// 1 for the first message of the file.
    pub number: usize,
    /// The line of its `From ` separator, 1-based.
    pub line: usize,
    pub bytes: Vec<u8>,
}

/// Splits an mbox by the `From ` line rule: a line starting `From ` at the start of the
/// file or after an empty line starts a message; `>From `, `>>From `… lose one `>`
/// (mboxrd). mail-parser's own iterator does the same but cannot say on which line a
/// message starts, which a problem must name. Anything before the first separator is
/// not a message and is dropped.
pub fn split_mbox(bytes: &[u8]) -> Vec<MboxMessage> {
    let mut out: Vec<MboxMessage> = Vec::new();
    let mut previous_empty = true;
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let bare = line.strip_suffix(b"\n").unwrap_or(line);
        let bare = bare.strip_suffix(b"\r").unwrap_or(bare);
        if previous_empty && line.starts_with(b"From ") {
            if let Some(last) = out.last_mut() {
                // The empty line before a separator belongs to the format, not the mail.
                trim_one_newline(&mut last.bytes);
            }
            out.push(MboxMessage {
                number: out.len() + 1,
                line: i + 1,
                bytes: Vec::new(),
            });
        } else if let Some(current) = out.last_mut() {
            let quoted = line.iter().take_while(|&&b| b == b'>').count();
            if quoted > 0 && line[quoted..].starts_with(b"From ") {
                current.bytes.extend_from_slice(&line[1..]);
            } else {
                current.bytes.extend_from_slice(line);
            }
        }
        previous_empty = bare.is_empty();
    }
    out
}

fn trim_one_newline(bytes: &mut Vec<u8>) {
    if bytes.ends_with(b"\r\n") {
        bytes.truncate(bytes.len() - 2);
    } else if bytes.ends_with(b"\n") {
        bytes.truncate(bytes.len() - 1);
    }
}

/// Reads a file of one message or an mbox: every message, or every problem (then
/// nothing is to be written).
pub fn read_mails(bytes: &[u8]) -> Result<Vec<NumberedMail>, Vec<MailProblem>> {
    let mut mails = Vec::new();
    let mut problems = Vec::new();
    let mut keep = |number: usize, line: usize, raw: &[u8]| match read_mail(raw) {
        Ok(mail) => mails.push(NumberedMail { number, line, mail }),
        Err(why) => problems.push(MailProblem {
            message: number,
            line,
            why,
        }),
    };
    if is_mbox(bytes) {
        for m in split_mbox(bytes) {
            keep(m.number, m.line, &m.bytes);
        }
    } else {
        keep(1, 1, bytes);
    }
    if problems.is_empty() {
        Ok(mails)
    } else {
        Err(problems)
    }
}

/// Reads one message's headers. A message must have a sender's address and a header
/// block; everything else may be missing.
pub fn read_mail(bytes: &[u8]) -> Result<CapturedMail, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the message is empty".into());
    }
    // mail-parser 0.11 asserts (debug builds only) on a nested message whose multipart
    // boundary is broken (found by the fuzz target): such a message is refused rather
    // than ending the run. Release builds never panic there and read it as it comes.
    let parsed = std::panic::catch_unwind(|| MessageParser::default().parse(bytes))
        .map_err(|_| "the message's MIME structure is broken".to_string())?;
    let message = parsed.ok_or("no mail header could be read")?;
    let from = addresses(message.from());
    if !from.iter().any(|a| a.email.is_some()) {
        return Err(if message.headers().is_empty() {
            "no mail header could be read (is this an e-mail message?)".into()
        } else {
            "no sender: the From: header has no address".into()
        });
    }
    let message_id = match message.message_id().map(clean_id) {
        Some(id) if !id.is_empty() => id,
        _ => {
            let digest = Sha256::digest(bytes);
            let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256-{hex}@capture.invalid")
        }
    };
    let date = date_of(&message);
    let subject = subject_of(message.subject());
    let forwarded = forwarded_part(&message).or_else(|| inline_forward(&message));
    Ok(CapturedMail {
        message_id,
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        date,
        from,
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        subject,
        forwarded,
    })
}

fn clean_id(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    id.chars().filter(|c| !c.is_control()).take(500).collect()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<String> = match value {
        HeaderValue::Text(t) => vec![clean_id(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| clean_id(t)).collect(),
        _ => vec![],
    };
    list.into_iter()
        .filter(|s| !s.is_empty())
        .take(MAX_REFERENCES)
        .collect()
}

fn text(s: &str, max: usize) -> String {
    let mut out = String::new();
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.chars().filter(|c| !c.is_control()).take(max).collect()
}

fn subject_of(subject: Option<&str>) -> String {
    subject.map_or_else(String::new, |s| text(s, MAX_SUBJECT_CHARS))
}

fn addresses(address: Option<&Address<'_>>) -> Vec<MailAddress> {
    let Some(address) = address else {
        return vec![];
    };
    address
        .iter()
        .filter_map(|a| {
            let name = a.name().map(|n| text(n, 200)).filter(|n| !n.is_empty());
            let email = a
                .address()
                .map(|e| text(e, 254))
                .filter(|e| e.contains('@'));
            (name.is_some() || email.is_some()).then_some(MailAddress { name, email })
        })
        .take(MAX_ADDRESSES)
        .collect()
}

fn date_of(message: &Message<'_>) -> Option<Timestamp> {
    message
        .date()
        .filter(|d| d.is_valid())
        .and_then(|d| Timestamp::from_second(d.to_timestamp()).ok())
}

/// The first attached message (`message/rfc822`): how most clients forward "as
/// attachment".
fn forwarded_part(message: &Message<'_>) -> Option<Original> {
    message
        .parts
        .iter()
        .skip(1)
        .find_map(|part| match &part.body {
            PartType::Message(inner) => Some(Original {
                from: addresses(inner.from()),
                to: addresses(inner.to()),
                cc: addresses(inner.cc()),
                date: date_of(inner),
                subject: inner.subject().map(|s| text(s, MAX_SUBJECT_CHARS)),
            }),
            _ => None,
        })
}

/// The markers clients put above an inline forward or a quoted original.
fn is_marker(line: &str) -> bool {
    let l = line
        .trim()
        .trim_start_matches('>')
        .trim()
        .to_ascii_lowercase();
    (l.starts_with("-----") && (l.contains("forwarded message") || l.contains("original message")))
        || l == "begin forwarded message:"
}

/// An inline forward: the header block under a marker line in the first text body
/// ("From:", "Sent:"/"Date:", "To:", "Cc:", "Subject:"), read by mail-parser as a
/// header block. Outlook's `Name [mailto:a@b]` becomes `Name <a@b>`. A date in a
/// client's display form (Gmail's "Mon, Nov 23, 2026 at 10:00 AM") is read on the
/// wall clock of the outer Date's offset, which is the forwarder's own.
fn inline_forward(message: &Message<'_>) -> Option<Original> {
    let body = message.body_text(0)?;
    let end = floor_char_boundary(&body, INLINE_SEARCH_BYTES);
    let body = &body[..end];
    let mut lines = body.lines();
    lines.by_ref().find(|l| is_marker(l))?;
    let mut block = String::new();
    let mut display_date = None;
    let mut started = false;
    for raw in lines.take(40) {
        let line = raw.trim_start_matches('>').trim();
        if line.is_empty() {
            if started {
                break;
            }
            continue;
        }
        started = true;
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim().replace("[mailto:", "<").replace(']', ">");
        let header = match name.as_str() {
            "from" => "From",
            "to" => "To",
            "cc" => "Cc",
            "subject" => "Subject",
            "date" | "sent" => {
                display_date = Some(value.clone());
                "Date"
            }
            _ => continue,
        };
        block.push_str(header);
        block.push_str(": ");
        block.push_str(&value);
        block.push_str("\r\n");
    }
    if block.is_empty() {
        return None;
    }
    block.push_str("\r\n");
    let headers = MessageParser::default().parse_headers(block.as_bytes())?;
    let from = addresses(headers.from());
    if from.is_empty() {
        return None;
    }
    let date = date_of(&headers).or_else(|| {
        let offset = message.date().filter(|d| d.is_valid()).map(|d| {
            let secs = i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60;
            if d.tz_before_gmt { -secs } else { secs }
        })?;
        display_date
            .as_deref()
            .and_then(|d| display_instant(d, offset))
    });
    Some(Original {
        from,
        to: addresses(headers.to()),
        cc: addresses(headers.cc()),
        date,
        subject: headers.subject().map(|s| text(s, MAX_SUBJECT_CHARS)),
    })
}

fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

/// A date as mail clients display it above a forward, on a wall clock `offset`
/// seconds east of UTC.
fn display_instant(text: &str, offset: i32) -> Option<Timestamp> {
    let text = text.replace('\u{202f}', " ");
    let text = text.trim();
    const FORMATS: &[&str] = &[
        "%a, %b %d, %Y at %I:%M %p",
        "%A, %B %d, %Y %I:%M %p",
        "%A, %B %d, %Y at %I:%M %p",
        "%a, %b %d, %Y, %I:%M %p",
        "%B %d, %Y at %I:%M:%S %p",
        "%B %d, %Y at %I:%M %p",
    ];
    let local = FORMATS
        .iter()
        .find_map(|f| DateTime::strptime(f, text).ok())?;
    let offset = jiff::tz::Offset::from_seconds(offset).ok()?;
    offset.to_timestamp(local).ok()
}

/// Why a mail, or one party of it, went to the review list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ReviewReason {
    /// No contact has the address, nor (if the party has a name) that name.
    NoContact,
    /// Several contacts have the address or the name.
    SeveralContacts { contacts: Vec<ContactId> },
    /// Sent by a user to nobody outside Rounds' users.
    NoCounterpart,
}

impl fmt::Display for ReviewReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewReason::NoContact => f.write_str("no contact has this address or name"),
            ReviewReason::SeveralContacts { contacts } => {
                let ids: Vec<String> = contacts.iter().map(|c| c.to_string()).collect();
                write!(f, "several contacts match: {}", ids.join(", "))
            }
            ReviewReason::NoCounterpart => {
                f.write_str("sent by a user to no one but users: nobody to log it on")
            }
        }
    }
}

/// A party of the mail that could not be put on a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    pub party: Option<MailAddress>,
    pub why: ReviewReason,
}

/// What a captured mail means: which way it went, with whom, when, about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub direction: Direction,
    /// When it was written: a forward's original date, else the mail's.
    pub at: Option<Timestamp>,
    pub subject: String,
    /// The user who sent the mail, or (inbound) the first user it was sent to.
    pub user: Option<User>,
    /// Each matched contact once, in header order, with the party matched.
    pub matched: Vec<(ContactId, MailAddress)>,
    pub review: Vec<Unmatched>,
}

fn same_email(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn user_of<'u>(users: &'u [User], a: &MailAddress) -> Option<&'u User> {
    let email = a.email.as_deref()?;
    users.iter().find(|u| same_email(&u.email, email))
}

/// A name as compared: words separated by one space, lower case.
pub fn normalise_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The contact a party is, by address, then by a name only one contact has.
pub fn match_contact(party: &MailAddress, contacts: &[Contact]) -> Result<ContactId, ReviewReason> {
    if let Some(email) = party.email.as_deref() {
        let hits: Vec<ContactId> = contacts
            .iter()
            .filter(|c| {
                c.channels
                    .email
                    .as_deref()
                    .is_some_and(|e| same_email(e, email))
            })
            .map(|c| c.id)
            .collect();
        match hits.len() {
            0 => {}
            1 => return Ok(hits[0]),
            _ => return Err(ReviewReason::SeveralContacts { contacts: hits }),
        }
    }
    let Some(name) = party.name.as_deref().map(normalise_name) else {
        return Err(ReviewReason::NoContact);
    };
    if name.is_empty() {
        return Err(ReviewReason::NoContact);
    }
    let hits: Vec<ContactId> = contacts
        .iter()
        .filter(|c| normalise_name(&c.name) == name)
        .map(|c| c.id)
        .collect();
    match hits.len() {
        0 => Err(ReviewReason::NoContact),
        1 => Ok(hits[0]),
        _ => Err(ReviewReason::SeveralContacts { contacts: hits }),
    }
}

fn strip_forward_prefix(subject: &str) -> Cow<'_, str> {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let Some(n) = ["fwd:", "fw:"]
            .iter()
            .find(|p| lower.starts_with(**p))
            .map(|p| p.len())
        else {
            break;
        };
        s = s[n..].trim_start();
    }
    Cow::Borrowed(s)
}

/// Decides direction and counterparts (see the module's rules). `contacts` are those
/// the capturing actor may log on.
pub fn decide(mail: &CapturedMail, users: &[User], contacts: &[Contact]) -> Decision {
    let sender = mail.from.iter().find_map(|a| user_of(users, a));
    let (direction, parties, at, subject, user): (_, Vec<&MailAddress>, _, String, _) =
        match (sender, &mail.forwarded) {
            (Some(me), Some(original)) => {
                let subject = original
                    .subject
                    .clone()
                    .unwrap_or_else(|| strip_forward_prefix(&mail.subject).into_owned());
                let at = original.date.or(mail.date);
                match original.from.iter().find_map(|a| user_of(users, a)) {
                    Some(writer) => (
                        Direction::Outbound,
                        original.to.iter().chain(&original.cc).collect(),
                        at,
                        subject,
                        Some(writer),
                    ),
                    None => (
                        Direction::Inbound,
                        original.from.iter().collect(),
                        at,
                        subject,
                        Some(me),
                    ),
                }
            }
            (Some(me), None) => (
                Direction::Outbound,
                mail.to.iter().chain(&mail.cc).collect(),
                mail.date,
                mail.subject.clone(),
                Some(me),
            ),
            (None, _) => (
                Direction::Inbound,
                mail.from.iter().collect(),
                mail.date,
                mail.subject.clone(),
                mail.to
                    .iter()
                    .chain(&mail.cc)
                    .find_map(|a| user_of(users, a)),
            ),
        };
    let mut seen: Vec<String> = Vec::new();
    let mut matched: Vec<(ContactId, MailAddress)> = Vec::new();
    let mut review = Vec::new();
    for party in parties {
        if user_of(users, party).is_some() {
            continue;
        }
        let key = party
            .email
            .as_deref()
            .map(str::to_ascii_lowercase)
            .or_else(|| party.name.as_deref().map(normalise_name))
            .unwrap_or_default();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        match match_contact(party, contacts) {
            Ok(id) => {
                if !matched.iter().any(|(c, _)| *c == id) {
                    matched.push((id, party.clone()));
                }
            }
            Err(why) => review.push(Unmatched {
                party: Some(party.clone()),
                why,
            }),
        }
    }
    if matched.is_empty() && review.is_empty() {
        review.push(Unmatched {
            party: None,
            why: ReviewReason::NoCounterpart,
        });
    }
    Decision {
        direction,
        at,
        subject,
        user: user.cloned(),
        matched,
        review,
    }
}

/// Where an item of the review list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    Open,
    /// Put on a contact by hand, which logged its touch.
    Assigned,
    Dismissed,
}

impl ReviewState {
    pub const ALL: [ReviewState; 3] = [
        ReviewState::Open,
        ReviewState::Assigned,
        ReviewState::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Open => "open",
            ReviewState::Assigned => "assigned",
            ReviewState::Dismissed => "dismissed",
        }
    }
}

impl std::str::FromStr for ReviewState {
    type Err = crate::model::InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReviewState::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                crate::model::InvalidValue(format!(
                    "`{s}` is not one of: open, assigned, dismissed"
                ))
            })
    }
}

/// What the review list keeps of a mail for one party: enough to log the touch once
/// someone says on which contact (headers only, never the body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEntry {
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    pub subject: String,
    /// The party that could not be matched (none when nobody but users took part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<MailAddress>,
    pub mail: CapturedMail,
}

impl Decision {
    /// The review list's entries of this decision, one per unmatched party.
    pub fn review_entries(&self, mail: &CapturedMail) -> Vec<(ReviewEntry, ReviewReason)> {
        self.review
            .iter()
            .map(|u| {
                (
                    ReviewEntry {
                        direction: self.direction,
                        at: self.at,
                        subject: self.subject.clone(),
                        party: u.party.clone(),
                        mail: mail.clone(),
                    },
                    u.why.clone(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_lines_and_quoted_from() {
        let mbox = b"From a@b Mon Nov 23 10:00:00 2026\nFrom: a@b\n\n>From here\nhi\n\nFrom c@d Mon Nov 23 11:00:00 2026\nFrom: c@d\n\nbody\n";
        let parts = split_mbox(mbox);
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].number, parts[0].line), (1, 1));
        assert_eq!((parts[1].number, parts[1].line), (2, 7));
        assert_eq!(parts[0].bytes, b"From: a@b\n\nFrom here\nhi\n");
    }

    #[test]
    fn a_from_line_inside_a_paragraph_is_text() {
        let mbox = b"From a@b x\nFrom: a@b\n\nline\nFrom me to you\n";
        assert_eq!(split_mbox(mbox).len(), 1);
    }

    #[test]
    fn display_dates_on_the_forwarders_clock() {
        let t = display_instant("Mon, Nov 23, 2026 at 10:00 AM", -6 * 3600).unwrap();
        assert_eq!(t.to_string(), "2026-11-23T16:00:00Z");
        let t = display_instant("Monday, November 23, 2026 9:15 PM", 0).unwrap();
        assert_eq!(t.to_string(), "2026-11-23T21:15:00Z");
    }

    #[test]
    fn forward_prefixes_go() {
        assert_eq!(strip_forward_prefix("Fwd: FW: Samples"), "Samples");
    }

    #[test]
    fn a_message_without_an_id_gets_one_from_its_bytes() {
        let raw = b"From: a@b.example\r\nSubject: x\r\n\r\nhi\r\n";
        let one = read_mail(raw).unwrap();
        assert!(one.message_id.starts_with("sha256-"));
        assert_eq!(one.message_id, read_mail(raw).unwrap().message_id);
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert!(read_mail(b"").is_err());
        assert!(read_mail(b"\x00\x01\x02 not a mail").is_err());
    }
}
