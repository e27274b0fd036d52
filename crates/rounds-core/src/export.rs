//! The export format: a whole organisation as JSON Lines, one record per line, so that
//! every problem in a file can name its line. Parsing never stops at the first bad
//! record and never touches storage: it returns the records or every problem found.
//! Each record that reads is then checked by its own `validate` (see `values`), the
//! same check every other entry point runs, so an import cannot store what the API
//! and the command line refuse.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{
    Account, AccountId, Contact, LostAccount, NoFit, Organisation, ReferralCount, RepCalendar,
    StepAction, StepUpdate, Territory, TimeOff, Topic, Touch, TzName, User, UserId, WorkWeek,
};
use crate::values::{FieldProblem, Name, StepDue};

/// The version in the header line (`{"record":"header","format":1,…}`). A file of any
/// other version is refused as a whole, with one problem naming the header's line and
/// its field `format`.
pub const FORMAT_VERSION: u32 = 1;

/// One line of an export file.
// Records are built one at a time while reading or writing, so their size is harmless.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub enum Record {
    Header {
        format: u32,
        organisation: Organisation,
    },
    User(User),
    Account(Account),
    Contact(Contact),
    Topic(Topic),
    Touch(Touch),
    Referral(ReferralCount),
    Lost(LostAccount),
    NoFit(NoFit),
    StepUpdate(StepUpdate),
    WorkWeek(WorkWeek),
    TimeOff(TimeOff),
}

/// A whole organisation, as exported and imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgData {
    pub organisation: Organisation,
    pub users: Vec<User>,
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub topics: Vec<Topic>,
    pub touches: Vec<Touch>,
    pub referrals: Vec<ReferralCount>,
    pub lost: Vec<LostAccount>,
    pub no_fits: Vec<NoFit>,
    /// What was done with the next steps of these touches; a file written before steps
    /// could be updated has none.
    #[serde(default)]
    pub step_updates: Vec<StepUpdate>,
    /// Reps' own field weeks, one per rep at most.
    #[serde(default)]
    pub work_weeks: Vec<WorkWeek>,
    #[serde(default)]
    pub time_off: Vec<TimeOff>,
}

/// One thing wrong with an input file, located well enough to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

impl OrgData {
    /// One rep's territory, as `Store::territory` loads it from a database: the rep's
    /// accounts and everything hanging off them, and the whole topic library. For
    /// benchmarks and tests that plan on generated data without a store.
    pub fn territory_of(&self, rep: UserId) -> Territory {
        let accounts: Vec<Account> = self
            .accounts
            .iter()
            .filter(|a| a.rep == rep)
            .cloned()
            .collect();
        let ids: BTreeSet<_> = accounts.iter().map(|a| a.id).collect();
        let contacts: Vec<Contact> = self
            .contacts
            .iter()
            .filter(|c| ids.contains(&c.account))
            .cloned()
            .collect();
        let people: BTreeSet<_> = contacts.iter().map(|c| c.id).collect();
        Territory {
            touches: (self.touches.iter())
                .filter(|t| people.contains(&t.contact))
                .cloned()
                .collect(),
            referrals: (self.referrals.iter())
                .filter(|r| people.contains(&r.contact))
                .cloned()
                .collect(),
            lost: (self.lost.iter())
                .filter(|l| ids.contains(&l.account))
                .cloned()
                .collect(),
            no_fits: (self.no_fits.iter())
                .filter(|n| ids.contains(&n.account))
                .cloned()
                .collect(),
            step_updates: (self.step_updates.iter())
                .filter(|u| ids.contains(&u.account))
                .cloned()
                .collect(),
            accounts,
            contacts,
            topics: self.topics.clone(),
            calendar: self.calendar_of(rep),
        }
    }

    /// One rep's own week and time off, as the planner reads them.
    pub fn calendar_of(&self, rep: UserId) -> RepCalendar {
        RepCalendar {
            week: self.work_weeks.iter().find(|w| w.rep == rep).cloned(),
            time_off: (self.time_off.iter())
                .filter(|t| t.rep == rep)
                .cloned()
                .collect(),
            busy: Vec::new(),
        }
    }

    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        let header = Record::Header {
            format: FORMAT_VERSION,
            organisation: self.organisation.clone(),
        };
        std::iter::once(header)
            .chain(self.users.iter().cloned().map(Record::User))
            .chain(self.topics.iter().cloned().map(Record::Topic))
            .chain(self.accounts.iter().cloned().map(Record::Account))
            .chain(self.contacts.iter().cloned().map(Record::Contact))
            .chain(self.touches.iter().cloned().map(Record::Touch))
            .chain(self.referrals.iter().cloned().map(Record::Referral))
            .chain(self.lost.iter().cloned().map(Record::Lost))
            .chain(self.no_fits.iter().cloned().map(Record::NoFit))
            .chain(self.step_updates.iter().cloned().map(Record::StepUpdate))
            .chain(self.work_weeks.iter().cloned().map(Record::WorkWeek))
            .chain(self.time_off.iter().cloned().map(Record::TimeOff))
    }

    /// Writes the JSON Lines text of the export.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for r in self.records() {
            // Serialising plain data to a String cannot fail.
            out.push_str(&serde_json::to_string(&r).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// Parses and cross-checks a whole export held in memory (tests, small files): the
    /// same reading as [`JsonlReader`], its chunks gathered into one.
    pub fn from_jsonl(text: &str) -> Result<OrgData, Vec<Problem>> {
        let mut reader = JsonlReader::new(usize::MAX);
        for (i, raw) in text.lines().enumerate() {
            reader.line(i + 1, raw);
        }
        match reader.finish() {
            Ok(mut chunks) => {
                let mut data = chunks
                    .next()
                    .unwrap_or_else(|| OrgData::empty(no_organisation()));
                for chunk in chunks {
                    data.append(chunk);
                }
                Ok(data)
            }
            Err(problems) => Err(problems.listed),
        }
    }

    /// No records, for `organisation`.
    pub fn empty(organisation: Organisation) -> OrgData {
        OrgData {
            organisation,
            users: vec![],
            accounts: vec![],
            contacts: vec![],
            topics: vec![],
            touches: vec![],
            referrals: vec![],
            lost: vec![],
            no_fits: vec![],
            step_updates: vec![],
            work_weeks: vec![],
            time_off: vec![],
        }
    }

    /// How many records of every kind, the header left out.
    pub fn record_count(&self) -> usize {
        self.users.len()
            + self.accounts.len()
            + self.contacts.len()
            + self.topics.len()
            + self.touches.len()
            + self.referrals.len()
            + self.lost.len()
            + self.no_fits.len()
            + self.step_updates.len()
            + self.work_weeks.len()
            + self.time_off.len()
    }

    fn append(&mut self, mut other: OrgData) {
        self.users.append(&mut other.users);
        self.accounts.append(&mut other.accounts);
        self.contacts.append(&mut other.contacts);
        self.topics.append(&mut other.topics);
        self.touches.append(&mut other.touches);
        self.referrals.append(&mut other.referrals);
        self.lost.append(&mut other.lost);
        self.no_fits.append(&mut other.no_fits);
        self.step_updates.append(&mut other.step_updates);
        self.work_weeks.append(&mut other.work_weeks);
        self.time_off.append(&mut other.time_off);
    }
}

/// Problems kept to be listed; past this they are only counted, so a file of a million
/// bad lines is read in bounded memory and still says how bad it is.
pub const MAX_KEPT_PROBLEMS: usize = 1000;

/// Every problem of a file: the first [`MAX_KEPT_PROBLEMS`] in file order, and how many
/// there were in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    pub listed: Vec<Problem>,
    pub total: usize,
}

/// Reads an export file line by line in one pass, in memory bounded by the number of
/// records (their ids, not their bodies): each line is parsed, validated by its record's
/// own `validate`, and checked against the records above it, so references must point
/// up the file (as `rounds export` writes it: users and topics, accounts, contacts,
/// touches, then what hangs off them). Valid records are handed out in chunks to be
/// written while the rest is read; once a problem is found no more chunks are handed
/// out, reading goes on to report every problem, and the caller rolls back.
///
/// Duplicate ids are found through hash sets, so the check is linear in the file.
#[derive(Debug)]
pub struct JsonlReader {
    chunk_records: usize,
    chunk: Option<OrgData>,
    ready: Vec<OrgData>,
    organisation: Option<Organisation>,
    /// A header of an unknown format version: nothing else in the file is read.
    unknown_format: bool,
    first_line_seen: bool,
    problems: Vec<Problem>,
    total_problems: usize,
    /// Lines that did not read or validate: references are only checked while none did.
    unread_lines: usize,
    users: HashSet<i64>,
    topics: HashSet<i64>,
    accounts: HashMap<i64, TzName>,
    contact_account: HashMap<i64, i64>,
    touches: HashSet<i64>,
    /// The touches that set a next step: their account and when they were made, for the
    /// step updates below them.
    step_touches: HashMap<i64, (i64, jiff::Timestamp)>,
    step_updates: HashSet<(i64, u32)>,
    referrals: HashSet<(i64, jiff::civil::Date)>,
    lost: HashSet<i64>,
    no_fits: HashSet<i64>,
    work_weeks: HashSet<i64>,
    time_off: HashSet<i64>,
}

impl JsonlReader {
    /// Hands out a chunk every `chunk_records` valid records (`usize::MAX`: one chunk).
    pub fn new(chunk_records: usize) -> JsonlReader {
        JsonlReader {
            chunk_records: chunk_records.max(1),
            chunk: None,
            ready: Vec::new(),
            organisation: None,
            unknown_format: false,
            first_line_seen: false,
            problems: Vec::new(),
            total_problems: 0,
            unread_lines: 0,
            users: HashSet::new(),
            topics: HashSet::new(),
            accounts: HashMap::new(),
            contact_account: HashMap::new(),
            touches: HashSet::new(),
            step_touches: HashMap::new(),
            step_updates: HashSet::new(),
            referrals: HashSet::new(),
            lost: HashSet::new(),
            no_fits: HashSet::new(),
            work_weeks: HashSet::new(),
            time_off: HashSet::new(),
        }
    }

    /// Whether every line so far was good (chunks are only handed out while it is).
    pub fn is_clean(&self) -> bool {
        self.total_problems == 0
    }

    fn problem(&mut self, line: usize, field: impl Into<String>, message: impl Into<String>) {
        self.total_problems += 1;
        if self.problems.len() < MAX_KEPT_PROBLEMS {
            self.problems.push(Problem {
                line,
                field: field.into(),
                message: message.into(),
            });
        }
    }

    /// A line that could not be read as text (not UTF-8, an I/O error).
    pub fn unreadable(&mut self, line: usize, why: &str) {
        self.problem(line, "record", format!("cannot be read: {why}"));
    }

    /// A chunk of valid records ready to write, if one is full.
    pub fn take_ready(&mut self) -> Option<OrgData> {
        if self.ready.is_empty() {
            None
        } else {
            Some(self.ready.remove(0))
        }
    }

    /// Reads line `line` (1-based) of the file.
    pub fn line(&mut self, line: usize, raw: &str) {
        if self.unknown_format || raw.trim().is_empty() {
            return;
        }
        if !self.first_line_seen {
            self.first_line_seen = true;
            if let Some(problem) = unknown_format(line, raw) {
                self.unknown_format = true;
                self.total_problems += 1;
                self.problems = vec![problem];
                return;
            }
        }
        let record = match parse_record(raw) {
            Ok(r) => r,
            Err((field, message)) => {
                self.unread_lines += 1;
                return self.problem(line, field, message);
            }
        };
        let invalid = validate_record(&record);
        if !invalid.is_empty() {
            self.unread_lines += 1;
            for p in invalid {
                self.problem(line, p.field, p.message);
            }
            return;
        }
        if let Record::Header {
            format,
            organisation,
        } = record
        {
            if format != FORMAT_VERSION {
                self.problem(line, "format", unknown_format_message(&format.to_string()));
            }
            if self.organisation.is_some() {
                self.problem(line, "record", "a second header");
            } else {
                self.organisation = Some(organisation);
            }
            return;
        }
        if self.organisation.is_none() {
            self.problem(
                line,
                "record",
                "no header line before the first record; is this a `rounds export` file?",
            );
            // One such problem says it all.
            self.unread_lines += 1;
            self.organisation = Some(no_organisation());
        }
        // References are checked only while every line so far has read: one bad user
        // line would otherwise report each of that user's accounts and touches.
        if self.unread_lines == 0 {
            self.cross_check(line, &record);
        }
        if self.is_clean() {
            self.keep(record);
        } else {
            self.remember_ids(&record);
        }
    }

    /// The end of the file: the remaining chunks, or every problem.
    pub fn finish(mut self) -> Result<std::vec::IntoIter<OrgData>, Problems> {
        if self.organisation.is_none() && self.total_problems == 0 {
            self.problem(
                1,
                "record",
                "no header line; is this a `rounds export` file?",
            );
        }
        if self.total_problems > 0 {
            return Err(Problems {
                listed: self.problems,
                total: self.total_problems,
            });
        }
        if let Some(chunk) = self.chunk.take() {
            self.ready.push(chunk);
        }
        if self.ready.is_empty()
            && let Some(org) = self.organisation.take()
        {
            // A file with a header only still names its organisation.
            self.ready.push(OrgData::empty(org));
        }
        Ok(self.ready.into_iter())
    }

    fn keep(&mut self, record: Record) {
        self.remember_ids(&record);
        let organisation = self.organisation.clone().unwrap_or_else(no_organisation);
        let chunk = self
            .chunk
            .get_or_insert_with(|| OrgData::empty(organisation));
        match record {
            Record::Header { .. } => return,
            Record::User(r) => chunk.users.push(r),
            Record::Account(r) => chunk.accounts.push(r),
            Record::Contact(r) => chunk.contacts.push(r),
            Record::Topic(r) => chunk.topics.push(r),
            Record::Touch(r) => chunk.touches.push(r),
            Record::Referral(r) => chunk.referrals.push(r),
            Record::Lost(r) => chunk.lost.push(r),
            Record::NoFit(r) => chunk.no_fits.push(r),
            Record::StepUpdate(r) => chunk.step_updates.push(r),
            Record::WorkWeek(r) => chunk.work_weeks.push(r),
            Record::TimeOff(r) => chunk.time_off.push(r),
        }
        if chunk.record_count() >= self.chunk_records
            && let Some(full) = self.chunk.take()
        {
            self.ready.push(full);
        }
    }

    fn remember_ids(&mut self, record: &Record) {
        match record {
            Record::Header { .. } => {}
            Record::User(u) => {
                self.users.insert(u.id.0);
            }
            Record::Topic(t) => {
                self.topics.insert(t.id.0);
            }
            Record::Account(a) => {
                self.accounts.insert(a.id.0, a.tz.clone());
            }
            Record::Contact(c) => {
                self.contact_account.insert(c.id.0, c.account.0);
            }
            Record::Touch(t) => {
                self.touches.insert(t.id.0);
                if t.next_step.is_some() {
                    self.step_touches.insert(t.id.0, (t.account.0, t.at));
                }
            }
            Record::Referral(r) => {
                self.referrals.insert((r.contact.0, r.day));
            }
            Record::Lost(l) => {
                self.lost.insert(l.account.0);
            }
            Record::NoFit(n) => {
                self.no_fits.insert(n.account.0);
            }
            Record::StepUpdate(u) => {
                self.step_updates.insert((u.touch.0, u.seq));
            }
            Record::WorkWeek(w) => {
                self.work_weeks.insert(w.rep.0);
            }
            Record::TimeOff(t) => {
                self.time_off.insert(t.id.0);
            }
        }
    }

    fn user_exists(&mut self, line: usize, field: &str, user: UserId) {
        if !self.users.contains(&user.0) {
            self.problem(line, field, not_above("user", user.0));
        }
    }

    fn account_exists(&mut self, line: usize, account: AccountId) {
        if !self.accounts.contains_key(&account.0) {
            self.problem(line, "account", not_above("account", account.0));
        }
    }

    fn cross_check(&mut self, line: usize, record: &Record) {
        match record {
            Record::Header { .. } => {}
            Record::User(u) => {
                if self.users.contains(&u.id.0) {
                    self.problem(line, "id", format!("user id {} appears twice", u.id));
                }
            }
            Record::Topic(t) => {
                if self.topics.contains(&t.id.0) {
                    self.problem(line, "id", format!("topic id {} appears twice", t.id));
                }
            }
            Record::Account(a) => {
                if self.accounts.contains_key(&a.id.0) {
                    self.problem(line, "id", format!("account id {} appears twice", a.id));
                }
                self.user_exists(line, "rep", a.rep);
            }
            Record::Contact(c) => {
                if self.contact_account.contains_key(&c.id.0) {
                    self.problem(line, "id", format!("contact id {} appears twice", c.id));
                }
                self.account_exists(line, c.account);
            }
            Record::Touch(t) => {
                if self.touches.contains(&t.id.0) {
                    self.problem(line, "id", format!("touch id {} appears twice", t.id));
                }
                match self.contact_account.get(&t.contact.0).copied() {
                    None => self.problem(line, "contact", not_above("contact", t.contact.0)),
                    Some(a) if a != t.account.0 => self.problem(
                        line,
                        "account",
                        format!(
                            "contact {} belongs to account {a}, not {}",
                            t.contact, t.account
                        ),
                    ),
                    Some(_) => {}
                }
                self.user_exists(line, "rep", t.rep);
                for topic in t
                    .topics
                    .iter()
                    .chain(&t.primary_topic)
                    .chain(&t.explain_better)
                {
                    if !self.topics.contains(&topic.0) {
                        self.problem(line, "topics", not_above("topic", topic.0));
                    }
                }
            }
            Record::Referral(r) => {
                if self.referrals.contains(&(r.contact.0, r.day)) {
                    self.problem(
                        line,
                        "day",
                        format!(
                            "the count of contact {} on {} appears twice",
                            r.contact, r.day
                        ),
                    );
                }
                if !self.contact_account.contains_key(&r.contact.0) {
                    self.problem(line, "contact", not_above("contact", r.contact.0));
                }
            }
            Record::Lost(l) => {
                if self.lost.contains(&l.account.0) {
                    self.problem(
                        line,
                        "account",
                        format!("account {} has a second lost record", l.account),
                    );
                }
                self.account_exists(line, l.account);
            }
            Record::NoFit(n) => {
                if self.no_fits.contains(&n.account.0) {
                    self.problem(
                        line,
                        "account",
                        format!("account {} has a second no-fit record", n.account),
                    );
                }
                self.account_exists(line, n.account);
            }
            Record::StepUpdate(u) => self.check_step_update(line, u),
            Record::WorkWeek(w) => {
                if self.work_weeks.contains(&w.rep.0) {
                    self.problem(line, "rep", format!("rep {} has a second work week", w.rep));
                }
                self.user_exists(line, "rep", w.rep);
            }
            Record::TimeOff(t) => {
                if self.time_off.contains(&t.id.0) {
                    self.problem(line, "id", format!("time-off id {} appears twice", t.id));
                }
                self.user_exists(line, "rep", t.rep);
            }
        }
    }

    fn check_step_update(&mut self, line: usize, u: &StepUpdate) {
        if self.step_updates.contains(&(u.touch.0, u.seq)) {
            self.problem(
                line,
                "seq",
                format!(
                    "update {} of the step of touch {} appears twice",
                    u.seq, u.touch
                ),
            );
        }
        self.user_exists(line, "by", u.by);
        let Some((account, at)) = self.step_touches.get(&u.touch.0).copied() else {
            let why = if self.touches.contains(&u.touch.0) {
                format!("touch {} set no next step", u.touch)
            } else {
                not_above("touch", u.touch.0)
            };
            return self.problem(line, "touch", why);
        };
        if account != u.account.0 {
            self.problem(
                line,
                "account",
                format!(
                    "touch {} belongs to account {account}, not {}",
                    u.touch, u.account
                ),
            );
        }
        let due = match &u.action {
            StepAction::Reschedule { due, .. } | StepAction::Edit { due: Some(due), .. } => {
                Some(*due)
            }
            _ => None,
        };
        if let (Some(due), Some(tz)) = (due, self.accounts.get(&account)) {
            let set_on = at.to_zoned(tz.zone()).date();
            if let Err(e) = StepDue::parse(due, set_on) {
                self.problem(line, "action.due", e.0);
            }
        }
    }
}

/// The organisation of a file without a header, which is refused anyway.
fn no_organisation() -> Organisation {
    Organisation {
        id: crate::model::OrgId(1),
        name: String::new(),
        demo: false,
    }
}

/// A reference to a record the file has not defined (yet): records must come after
/// those they refer to, as `rounds export` writes them.
fn not_above(kind: &str, id: i64) -> String {
    format!(
        "{kind} {id} does not exist (above this line; a record must come after those it refers to)"
    )
}

/// The problem with a file whose first line is a header of a format version other than
/// [`FORMAT_VERSION`], checked before anything else is read: a newer file may have
/// records (even a header) this build would misreport field by field.
fn unknown_format(line: usize, first: &str) -> Option<Problem> {
    let value: serde_json::Value = serde_json::from_str(first).ok()?;
    if value.get("record")?.as_str()? != "header" {
        return None;
    }
    let format = value.get("format")?;
    if format.as_u64() == Some(u64::from(FORMAT_VERSION)) || !format.is_number() {
        // A non-number is reported by the typed read, as any other bad field.
        return None;
    }
    Some(Problem {
        line,
        field: "format".into(),
        message: unknown_format_message(&format.to_string()),
    })
}

fn unknown_format_message(found: &str) -> String {
    format!(
        "format version {found} is not known; this build reads format {FORMAT_VERSION} \
         (a file from a newer rounds needs that version to import it)"
    )
}

/// The record's own validation, as every entry point runs it.
pub fn validate_record(record: &Record) -> Vec<FieldProblem> {
    match record {
        Record::Header { organisation, .. } => match Name::parse(&organisation.name) {
            Ok(_) => vec![],
            Err(e) => vec![FieldProblem::new("organisation.name", e.0)],
        },
        Record::User(u) => u.validate(),
        Record::Account(a) => a.validate(),
        Record::Contact(c) => c.validate(),
        Record::Topic(t) => t.validate(),
        Record::Touch(t) => t.validate(),
        Record::Referral(r) => r.validate(),
        Record::Lost(l) => l.validate(),
        Record::NoFit(n) => n.validate(),
        Record::StepUpdate(u) => u.validate(),
        Record::WorkWeek(w) => w.validate(),
        Record::TimeOff(t) => t.validate(),
    }
}

/// Reads one line in two steps, JSON first and then the record type's own fields, so
/// that a problem names the field it is in (`channels.email`, `touches[2]`), not only
/// the line.
fn parse_record(raw: &str) -> Result<Record, (String, String)> {
    let value: serde_json::Value = serde_json::from_str(raw)
        .map_err(|e| ("record".to_string(), format!("not valid JSON: {e}")))?;
    let kind = value
        .get("record")
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .to_string();
    fn typed<T: serde::de::DeserializeOwned>(
        value: serde_json::Value,
    ) -> Result<T, (String, String)> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." {
                "record".to_string()
            } else {
                path
            };
            (field, e.into_inner().to_string())
        })
    }
    Ok(match kind.as_str() {
        "header" => {
            #[derive(Deserialize)]
            struct Header {
                format: u32,
                organisation: Organisation,
            }
            let h: Header = typed(value)?;
            Record::Header {
                format: h.format,
                organisation: h.organisation,
            }
        }
        "user" => Record::User(typed(value)?),
        "account" => Record::Account(typed(value)?),
        "contact" => Record::Contact(typed(value)?),
        "topic" => Record::Topic(typed(value)?),
        "touch" => Record::Touch(typed(value)?),
        "referral" => Record::Referral(typed(value)?),
        "lost" => Record::Lost(typed(value)?),
        "no-fit" => Record::NoFit(typed(value)?),
        "step-update" => Record::StepUpdate(typed(value)?),
        "work-week" => Record::WorkWeek(typed(value)?),
        "time-off" => Record::TimeOff(typed(value)?),
        other => {
            return Err((
                "record".into(),
                format!(
                    "`{other}` is not a record type; one of header, user, account, contact, topic, touch, referral, lost, no-fit, step-update, work-week, time-off"
                ),
            ));
        }
    })
}
