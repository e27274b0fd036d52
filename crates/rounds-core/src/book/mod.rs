//! Moving in from another system: a rep's book of business as Salesforce or Veeva CRM
//! export it, or as any spreadsheet described by a mapping file, read into drafts of
//! Rounds records that still name each other by the other system's ids.
//!
//! Pure: the files arrive as [`Sheet`]s (rows read on demand), and what comes out are
//! [`Draft`]s. Resolving the other system's ids to Rounds ids, and deciding what is new,
//! changed or unchanged since the last import, needs the store and happens in
//! `rounds-app`; the store keeps each record's `(source, kind, external id)` and the
//! digest of what was imported, so a repeated import changes nothing.

pub mod cells;
pub mod mapping;
pub mod salesforce;
pub mod sheet;
pub mod vcard;
pub mod veeva;

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{
    Account, AccountKind, Channel, Contact, ContactRole, Influence, Segment, Topic, Touch, TzName,
};
pub use sheet::{Row, RowView, Sheet};

/// One thing wrong with an input file: `Contact.csv:17: Email: "maria@" is not …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookProblem {
    pub file: String,
    /// The line the row starts on (the header is line 1); 0 for the whole file.
    pub line: usize,
    /// The column's header as the file spells it; empty for the whole row or file.
    pub column: String,
    pub message: String,
}

impl BookProblem {
    pub fn at(file: &str, line: usize, column: &str, message: impl Into<String>) -> Self {
        BookProblem {
            file: file.to_string(),
            line,
            column: column.to_string(),
            message: message.into(),
        }
    }
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        BookProblem::at(file, 0, "", message)
    }
}

impl fmt::Display for BookProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if !self.column.is_empty() {
            write!(f, ": {}", self.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// At most `n` characters of `s`, with `…` when cut.
pub(crate) fn shorten(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The kinds of record an import keeps the other system's ids of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExternalKind {
    Account,
    Contact,
    Topic,
    Touch,
}

impl ExternalKind {
    pub const ALL: [ExternalKind; 4] = [
        ExternalKind::Account,
        ExternalKind::Contact,
        ExternalKind::Topic,
        ExternalKind::Touch,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ExternalKind::Account => "account",
            ExternalKind::Contact => "contact",
            ExternalKind::Topic => "topic",
            ExternalKind::Touch => "touch",
        }
    }
    pub fn parse(s: &str) -> Option<ExternalKind> {
        ExternalKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A stored link from another system's record to a Rounds record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalId {
    pub source: String,
    pub kind: ExternalKind,
    pub external_id: String,
    /// The Rounds id.
    pub local: i64,
    /// [`digest`] of the record as last imported.
    pub digest: String,
}

/// A record ready to be written, with the other system's id and the digest of what was
/// imported. New records carry a provisional id below zero (references between new
/// records use it) or, for touches, which nothing refers to, zero; the store gives them
/// real ids inside the import's transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported<T> {
    pub external_id: String,
    pub digest: String,
    pub record: T,
}

/// A part of an import handed to the store: parents before children, so every
/// reference is to a record in this chunk, an earlier one, or already stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExternalChunk {
    pub topics: Vec<Imported<Topic>>,
    pub accounts: Vec<Imported<Account>>,
    pub contacts: Vec<Imported<Contact>>,
    pub touches: Vec<Imported<Touch>>,
}

impl ExternalChunk {
    pub fn len(&self) -> usize {
        self.topics.len() + self.accounts.len() + self.contacts.len() + self.touches.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What an import did (or, dry, would do) with one kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// What an import did with each kind of record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExternalCounts {
    pub accounts: Tally,
    pub contacts: Tally,
    pub topics: Tally,
    pub touches: Tally,
}

impl ExternalCounts {
    pub fn of(&mut self, kind: ExternalKind) -> &mut Tally {
        match kind {
            ExternalKind::Account => &mut self.accounts,
            ExternalKind::Contact => &mut self.contacts,
            ExternalKind::Topic => &mut self.topics,
            ExternalKind::Touch => &mut self.touches,
        }
    }
    pub fn total(&self) -> Tally {
        let mut t = Tally::default();
        for k in [self.accounts, self.contacts, self.topics, self.touches] {
            t.added += k.added;
            t.changed += k.changed;
            t.unchanged += k.unchanged;
        }
        t
    }
}

/// The SHA-256 (first 128 bits, hex) of a record as imported and the other system's ids
/// it names: equal digests mean nothing the import writes has changed.
pub fn digest<T: Serialize>(record: &T, refs: &Refs) -> String {
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(record).unwrap_or_default());
    for r in [&refs.owner, &refs.account, &refs.contact] {
        h.update([0]);
        h.update(r.as_deref().unwrap_or("").as_bytes());
    }
    for t in &refs.topics {
        h.update([1]);
        h.update(t.as_bytes());
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The other system's ids a draft names, resolved by the importer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs {
    /// The owner's id in the other system, or an e-mail address.
    pub owner: Option<String>,
    pub account: Option<String>,
    pub contact: Option<String>,
    pub topics: Vec<String>,
}

/// When a touch happened, as the file says it: an instant, or a local date (and time)
/// placed in the account's zone once the account is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(Timestamp),
    Local(DateTime),
}

/// Which column holds each field, by the field's validation path.
pub type Columns = Arc<Vec<(&'static str, String)>>;

/// Where a draft came from, and which column holds each field (by the field's path in
/// the record's validation), so a problem found later names the column.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: usize,
    pub columns: Columns,
}

impl Origin {
    /// The origin of the row `v`.
    pub fn of(v: &RowView, columns: &Columns) -> Origin {
        Origin {
            file: v.sheet.file.clone(),
            line: v.line(),
            columns: columns.clone(),
        }
    }

    /// The columns of `pairs` (field path, column) as `sheet` spells them.
    pub fn columns(pairs: &[(&'static str, &str)], sheet: &Sheet) -> Columns {
        Arc::new(pairs.iter().map(|(f, c)| (*f, sheet.spelled(c))).collect())
    }

    pub fn problem(&self, field: &str, message: impl Into<String>) -> BookProblem {
        let column = self
            .columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| field.to_string());
        BookProblem::at(&self.file, self.line, &column, message)
    }
}

/// A record read from a row: the other system's id for it and for what it names.
#[derive(Debug, Clone)]
pub struct Draft<T> {
    pub origin: Origin,
    pub external_id: String,
    pub refs: Refs,
    pub record: T,
}

/// A touch read from a row, placed in time once its account is known.
#[derive(Debug, Clone)]
pub struct TouchDraft {
    pub draft: Draft<Touch>,
    pub when: When,
}

/// What one row turned into.
#[derive(Debug, Clone)]
pub enum Item {
    /// A user of the other system: its id and e-mail address, to find the Rounds rep.
    Owner {
        external_id: String,
        email: String,
    },
    Account(Box<Draft<Account>>),
    Contact(Box<Draft<Contact>>),
    /// A topic named by touches (Veeva's detailed products).
    Topic(Box<Draft<Topic>>),
    Touch(Box<TouchDraft>),
    /// Veeva: an organisation, placed once its address is known.
    Business(Box<veeva::Business>),
    /// Veeva: a person account, a contact of the account it is affiliated with.
    Person(Box<veeva::Person>),
    /// Veeva: an address of an account.
    Address(Box<veeva::Address>),
    /// A row that is not something Rounds keeps, and why (counted, not an error).
    LeftOut(&'static str),
}

/// The shapes of file the importer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    SalesforceUser,
    SalesforceAccount,
    SalesforceContact,
    SalesforceTask,
    SalesforceEvent,
    VeevaAccount,
    VeevaAddress,
    VeevaCall,
    Mapped,
}

impl FileKind {
    /// Which system the file comes from: the `source` its ids are kept under.
    pub fn source(self) -> &'static str {
        match self {
            FileKind::SalesforceUser
            | FileKind::SalesforceAccount
            | FileKind::SalesforceContact
            | FileKind::SalesforceTask
            | FileKind::SalesforceEvent => "salesforce",
            FileKind::VeevaAccount | FileKind::VeevaAddress | FileKind::VeevaCall => "veeva",
            FileKind::Mapped => "mapping",
        }
    }
    /// Activities come last and are streamed; everything else is read first, whole.
    pub fn is_activity(self) -> bool {
        matches!(
            self,
            FileKind::SalesforceTask | FileKind::SalesforceEvent | FileKind::VeevaCall
        )
    }
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::SalesforceUser => "Salesforce users",
            FileKind::SalesforceAccount => "Salesforce accounts",
            FileKind::SalesforceContact => "Salesforce contacts",
            FileKind::SalesforceTask => "Salesforce tasks",
            FileKind::SalesforceEvent => "Salesforce events",
            FileKind::VeevaAccount => "Veeva accounts",
            FileKind::VeevaAddress => "Veeva addresses",
            FileKind::VeevaCall => "Veeva calls",
            FileKind::Mapped => "mapped rows",
        }
    }

    /// The shape of a file, from its header row.
    pub fn detect(sheet: &Sheet) -> Option<FileKind> {
        let has = |c: &str| sheet.has(c);
        if has("Call_Date_vod__c") || has("Call_Datetime_vod__c") {
            Some(FileKind::VeevaCall)
        } else if has("Account_vod__c") && (has("City_vod__c") || has("Zip_vod__c")) {
            Some(FileKind::VeevaAddress)
        } else if has("Id")
            && (has("Specialty_1_vod__c") || has("IsPersonAccount") || has("Primary_Parent_vod__c"))
        {
            Some(FileKind::VeevaAccount)
        } else if has("WhoId") && (has("StartDateTime") || has("DurationInMinutes")) {
            Some(FileKind::SalesforceEvent)
        } else if has("WhoId") && has("ActivityDate") {
            Some(FileKind::SalesforceTask)
        } else if has("AccountId") && has("LastName") {
            Some(FileKind::SalesforceContact)
        } else if has("Id")
            && has("Name")
            && (has("BillingStreet") || has("BillingCity") || has("OwnerId"))
        {
            Some(FileKind::SalesforceAccount)
        } else if has("Id") && has("Email") && (has("Username") || has("IsActive")) {
            Some(FileKind::SalesforceUser)
        } else {
            None
        }
    }
}

/// Settings of one import that the files do not carry.
#[derive(Debug, Clone)]
pub struct BookContext {
    /// The zone of an account whose state does not give one.
    pub zone: Option<TzName>,
    /// Activities after this day have not happened: they are left out.
    pub today: Date,
}

/// The zone of an account: its state's, else the import's default.
pub(crate) fn zone_for(state: Option<&str>, cx: &BookContext) -> Result<TzName, String> {
    if let Some(zone) = state.and_then(cells::us_state_zone) {
        return zone.parse().map_err(|e: crate::model::InvalidValue| e.0);
    }
    cx.zone.clone().ok_or_else(|| match state {
        Some(s) => format!(
            "`{s}` is not a US state, so the account's time zone is unknown; give one with --tz (e.g. --tz America/Chicago)"
        ),
        None => "no state, so the account's time zone is unknown; give one with --tz (e.g. --tz America/Chicago)".to_string(),
    })
}

/// A contact's role from a job title, as reps write them.
pub fn role_from_title(title: &str) -> ContactRole {
    let t = format!(
        " {} ",
        title.to_ascii_lowercase().replace([',', '.', '/'], " ")
    );
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if any(&["office manager", "practice manager", "clinic manager"]) {
        ContactRole::OfficeManager
    } else if any(&["administrator", "director", "ceo", "coo", "owner"]) {
        ContactRole::PracticeAdministrator
    } else if any(&["nurse", " rn ", " lpn ", " np "]) {
        ContactRole::HeadNurse
    } else if any(&["front desk", "receptionist", "scheduler", "front office"]) {
        ContactRole::FrontDesk
    } else if any(&[
        "physician",
        "doctor",
        " md ",
        " do ",
        "surgeon",
        "dr ",
        "chief of",
    ]) {
        ContactRole::Physician
    } else if any(&["paralegal"]) {
        ContactRole::Paralegal
    } else if any(&["case manager"]) {
        ContactRole::CaseManager
    } else if any(&["attorney", "lawyer", "partner", "counsel"]) {
        ContactRole::Attorney
    } else {
        ContactRole::Other
    }
}

/// How much a role can move the account, by default (P30).
pub fn influence_of(role: ContactRole) -> Influence {
    match role {
        ContactRole::Physician | ContactRole::PracticeAdministrator | ContactRole::Attorney => {
            Influence::DecisionMaker
        }
        ContactRole::OfficeManager | ContactRole::HeadNurse | ContactRole::CaseManager => {
            Influence::Influencer
        }
        ContactRole::FrontDesk => Influence::Gatekeeper,
        ContactRole::Paralegal | ContactRole::Other => Influence::User,
    }
}

/// What kind of place an account is, from its name or type.
pub fn kind_from_name(name: &str) -> (AccountKind, Segment) {
    let n = name.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if any(&["law", "llp", "attorney", "legal"]) {
        (AccountKind::LawFirm, Segment::LawFirm)
    } else if any(&[
        "hospital",
        "medical center",
        "medical centre",
        "health system",
    ]) {
        (AccountKind::Hospital, Segment::MedicalProvider)
    } else if any(&["pharmacy", "drug"]) {
        (AccountKind::Pharmacy, Segment::MedicalProvider)
    } else if any(&["imaging", "radiology", "mri"]) {
        (AccountKind::ImagingCentre, Segment::MedicalProvider)
    } else if any(&["therapy", "rehab", "physio"]) {
        (AccountKind::TherapyPractice, Segment::MedicalProvider)
    } else if any(&["clinic", "urgent care"]) {
        (AccountKind::Clinic, Segment::MedicalProvider)
    } else {
        (AccountKind::Practice, Segment::MedicalProvider)
    }
}

/// The channel of an activity type as CRMs name them; `None` for a to-do that reached
/// nobody.
pub fn channel_from(kind: &str) -> Option<Channel> {
    let k = kind.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    let k = k.trim_end_matches(" vod").trim();
    let any = |words: &[&str]| words.iter().any(|w| k.contains(w));
    if any(&["voicemail", "voice mail"]) {
        Some(Channel::Voicemail)
    } else if any(&[
        "video",
        "virtual",
        "zoom",
        "teams",
        "webex",
        "remote detail",
    ]) {
        Some(Channel::VirtualMeeting)
    } else if any(&[
        "face to face",
        "in person",
        "visit",
        "meeting",
        "lunch",
        "detail",
    ]) {
        Some(Channel::Visit)
    } else if any(&["call", "phone"]) {
        Some(Channel::Call)
    } else if any(&["email", "e mail", "mail"]) {
        Some(Channel::Email)
    } else if any(&["sms", "text", "message"]) {
        Some(Channel::Text)
    } else if any(&["linkedin", "inmail"]) {
        Some(Channel::Linkedin)
    } else if any(&["letter"]) {
        Some(Channel::Letter)
    } else if any(&["note", "card"]) {
        Some(Channel::HandwrittenNote)
    } else {
        None
    }
}

/// A touch's note: the subject, then the description, cut to the note's limit (an
/// activity's description can be far longer than a note; the cut is marked).
pub fn note_of(subject: Option<&str>, description: Option<&str>) -> String {
    let text = match (subject, description) {
        (Some(s), Some(d)) => format!("{s} — {d}"),
        (Some(s), None) => s.to_string(),
        (None, Some(d)) => d.to_string(),
        (None, None) => String::new(),
    };
    // Most notes need none of these passes; each is skipped when it would change nothing.
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    let odd = |c: char| c.is_control() && c != '\n' && c != '\t';
    let text = if text.chars().any(odd) {
        text.chars().map(|c| if odd(c) { ' ' } else { c }).collect()
    } else {
        text
    };
    if text.len() < crate::values::MAX_NOTE_CHARS {
        return text;
    }
    shorten(&text, crate::values::MAX_NOTE_CHARS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_channels_and_kinds_from_what_crms_write() {
        assert_eq!(
            role_from_title("Office Manager"),
            ContactRole::OfficeManager
        );
        assert_eq!(
            role_from_title("Orthopaedic Surgeon"),
            ContactRole::Physician
        );
        assert_eq!(role_from_title("Charge Nurse, RN"), ContactRole::HeadNurse);
        assert_eq!(role_from_title("Billing"), ContactRole::Other);
        assert_eq!(channel_from("Face_to_face_vod"), Some(Channel::Visit));
        assert_eq!(channel_from("Video_vod"), Some(Channel::VirtualMeeting));
        assert_eq!(channel_from("Call"), Some(Channel::Call));
        assert_eq!(channel_from("ListEmail"), Some(Channel::Email));
        assert_eq!(channel_from("Task"), None);
        assert_eq!(kind_from_name("Eastgate Hospital").0, AccountKind::Hospital);
    }

    #[test]
    fn a_long_description_is_cut_to_a_note() {
        let long = "x".repeat(10_000);
        let note = note_of(Some("Call"), Some(&long));
        assert!(crate::values::Note::parse(&note).is_ok());
        assert!(note.ends_with('…'));
    }
}
