//! The export format: a whole organisation as JSON Lines, one record per line, so that
//! every problem in a file can name its line. Parsing never stops at the first bad
//! record and never touches storage: it returns the records or every problem found.
//! Each record that reads is then checked by its own `validate` (see `values`), the
//! same check every other entry point runs, so an import cannot store what the API
//! and the command line refuse.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{
    Account, Contact, LostAccount, NoFit, Organisation, ReferralCount, StepAction, StepUpdate,
    Territory, Topic, Touch, User, UserId,
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

    /// Parses and cross-checks an export; every problem is reported, none is fatal early,
    /// except a format version this build does not know: then nothing else in the file
    /// can be trusted to mean what this build would read, so that is the one problem.
    pub fn from_jsonl(text: &str) -> Result<OrgData, Vec<Problem>> {
        if let Some(problem) = unknown_format(text) {
            return Err(vec![problem]);
        }
        let mut problems = Vec::new();
        let mut header = None;
        let mut data = OrgData {
            organisation: Organisation {
                id: crate::model::OrgId(1),
                name: String::new(),
                demo: false,
            },
            users: vec![],
            accounts: vec![],
            contacts: vec![],
            topics: vec![],
            touches: vec![],
            referrals: vec![],
            lost: vec![],
            no_fits: vec![],
            step_updates: vec![],
        };
        // Line of each record, for the cross-reference problems found later.
        let mut lines: Vec<(&'static str, usize)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let record = match parse_record(raw) {
                Ok(r) => r,
                Err((field, message)) => {
                    problems.push(Problem {
                        line,
                        field,
                        message,
                    });
                    continue;
                }
            };
            let invalid = validate_record(&record);
            if !invalid.is_empty() {
                problems.extend(invalid.into_iter().map(|p| Problem {
                    line,
                    field: p.field,
                    message: p.message,
                }));
                continue;
            }
            match record {
                Record::Header {
                    format,
                    organisation,
                } => {
                    if format != FORMAT_VERSION {
                        problems.push(Problem {
                            line,
                            field: "format".into(),
                            message: unknown_format_message(&format.to_string()),
                        });
                    }
                    if header.is_some() {
                        problems.push(Problem {
                            line,
                            field: "record".into(),
                            message: "a second header".into(),
                        });
                    }
                    header = Some(line);
                    data.organisation = organisation;
                }
                Record::User(u) => {
                    data.users.push(u);
                    lines.push(("user", line));
                }
                Record::Account(a) => {
                    data.accounts.push(a);
                    lines.push(("account", line));
                }
                Record::Contact(c) => {
                    data.contacts.push(c);
                    lines.push(("contact", line));
                }
                Record::Topic(t) => {
                    data.topics.push(t);
                    lines.push(("topic", line));
                }
                Record::Touch(t) => {
                    data.touches.push(t);
                    lines.push(("touch", line));
                }
                Record::Referral(r) => {
                    data.referrals.push(r);
                    lines.push(("referral", line));
                }
                Record::Lost(l) => {
                    data.lost.push(l);
                    lines.push(("lost", line));
                }
                Record::NoFit(n) => {
                    data.no_fits.push(n);
                    lines.push(("no-fit", line));
                }
                Record::StepUpdate(u) => {
                    data.step_updates.push(u);
                    lines.push(("step-update", line));
                }
            }
        }
        if header.is_none() {
            problems.push(Problem {
                line: 1,
                field: "record".into(),
                message: "no header line; is this a `rounds export` file?".into(),
            });
        }
        // References are checked only in a file whose every line reads: one bad user
        // line would otherwise report each of that user's accounts and touches.
        if problems.is_empty() {
            cross_check(&data, &lines, &mut problems);
        }
        if problems.is_empty() {
            Ok(data)
        } else {
            Err(problems)
        }
    }
}

/// The problem with a file whose first line is a header of a format version other than
/// [`FORMAT_VERSION`], checked before anything else is read: a newer file may have
/// records (even a header) this build would misreport field by field.
fn unknown_format(text: &str) -> Option<Problem> {
    let (i, first) = text
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())?;
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
        line: i + 1,
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
        other => {
            return Err((
                "record".into(),
                format!(
                    "`{other}` is not a record type; one of header, user, account, contact, topic, touch, referral, lost, no-fit, step-update"
                ),
            ));
        }
    })
}

fn cross_check(data: &OrgData, lines: &[(&'static str, usize)], problems: &mut Vec<Problem>) {
    let line_of = |kind: &str, index: usize| {
        lines
            .iter()
            .filter(|(k, _)| *k == kind)
            .nth(index)
            .map(|(_, l)| *l)
            .unwrap_or(0)
    };
    let users: BTreeSet<_> = data.users.iter().map(|u| u.id).collect();
    let accounts: BTreeSet<_> = data.accounts.iter().map(|a| a.id).collect();
    let contacts: BTreeSet<_> = data.contacts.iter().map(|c| c.id).collect();
    let topics: BTreeSet<_> = data.topics.iter().map(|t| t.id).collect();
    let mut report = |kind: &str, i: usize, field: &str, message: String| {
        problems.push(Problem {
            line: line_of(kind, i),
            field: field.into(),
            message,
        })
    };
    let dupes = |ids: Vec<i64>| {
        let mut seen = BTreeSet::new();
        ids.into_iter()
            .enumerate()
            .filter(move |(_, id)| !seen.insert(*id))
            .collect::<Vec<_>>()
    };
    for (i, id) in dupes(data.users.iter().map(|u| u.id.0).collect()) {
        report("user", i, "id", format!("user id {id} appears twice"));
    }
    for (i, id) in dupes(data.accounts.iter().map(|u| u.id.0).collect()) {
        report("account", i, "id", format!("account id {id} appears twice"));
    }
    for (i, id) in dupes(data.contacts.iter().map(|u| u.id.0).collect()) {
        report("contact", i, "id", format!("contact id {id} appears twice"));
    }
    for (i, id) in dupes(data.topics.iter().map(|u| u.id.0).collect()) {
        report("topic", i, "id", format!("topic id {id} appears twice"));
    }
    for (i, id) in dupes(data.touches.iter().map(|u| u.id.0).collect()) {
        report("touch", i, "id", format!("touch id {id} appears twice"));
    }
    for (i, a) in data.accounts.iter().enumerate() {
        if !users.contains(&a.rep) {
            report(
                "account",
                i,
                "rep",
                format!("user {} does not exist", a.rep),
            );
        }
    }
    let account_of: std::collections::BTreeMap<_, _> =
        data.contacts.iter().map(|c| (c.id, c.account)).collect();
    for (i, c) in data.contacts.iter().enumerate() {
        if !accounts.contains(&c.account) {
            report(
                "contact",
                i,
                "account",
                format!("account {} does not exist", c.account),
            );
        }
    }
    for (i, t) in data.touches.iter().enumerate() {
        match account_of.get(&t.contact) {
            None => report(
                "touch",
                i,
                "contact",
                format!("contact {} does not exist", t.contact),
            ),
            Some(a) if *a != t.account => report(
                "touch",
                i,
                "account",
                format!(
                    "contact {} belongs to account {a}, not {}",
                    t.contact, t.account
                ),
            ),
            Some(_) => {}
        }
        if !users.contains(&t.rep) {
            report("touch", i, "rep", format!("user {} does not exist", t.rep));
        }
        for topic in t
            .topics
            .iter()
            .chain(&t.primary_topic)
            .chain(&t.explain_better)
        {
            if !topics.contains(topic) {
                report(
                    "touch",
                    i,
                    "topics",
                    format!("topic {topic} does not exist"),
                );
            }
        }
    }
    for (i, r) in data.referrals.iter().enumerate() {
        if !contacts.contains(&r.contact) {
            report(
                "referral",
                i,
                "contact",
                format!("contact {} does not exist", r.contact),
            );
        }
    }
    for (i, l) in data.lost.iter().enumerate() {
        if !accounts.contains(&l.account) {
            report(
                "lost",
                i,
                "account",
                format!("account {} does not exist", l.account),
            );
        }
    }
    for (i, n) in data.no_fits.iter().enumerate() {
        if !accounts.contains(&n.account) {
            report(
                "no-fit",
                i,
                "account",
                format!("account {} does not exist", n.account),
            );
        }
    }
    let touches: std::collections::BTreeMap<_, _> =
        data.touches.iter().map(|t| (t.id, t)).collect();
    let zones: std::collections::BTreeMap<_, _> =
        data.accounts.iter().map(|a| (a.id, &a.tz)).collect();
    let mut seen = BTreeSet::new();
    for (i, u) in data.step_updates.iter().enumerate() {
        if !seen.insert((u.touch, u.seq)) {
            report(
                "step-update",
                i,
                "seq",
                format!(
                    "update {} of the step of touch {} appears twice",
                    u.seq, u.touch
                ),
            );
        }
        if !users.contains(&u.by) {
            report(
                "step-update",
                i,
                "by",
                format!("user {} does not exist", u.by),
            );
        }
        let Some(t) = touches.get(&u.touch) else {
            report(
                "step-update",
                i,
                "touch",
                format!("touch {} does not exist", u.touch),
            );
            continue;
        };
        if t.next_step.is_none() {
            report(
                "step-update",
                i,
                "touch",
                format!("touch {} set no next step", u.touch),
            );
        }
        if t.account != u.account {
            report(
                "step-update",
                i,
                "account",
                format!(
                    "touch {} belongs to account {}, not {}",
                    t.id, t.account, u.account
                ),
            );
        }
        let due = match &u.action {
            StepAction::Reschedule { due, .. } | StepAction::Edit { due: Some(due), .. } => {
                Some(*due)
            }
            _ => None,
        };
        if let (Some(due), Some(tz)) = (due, zones.get(&t.account)) {
            let set_on = t.at.to_zoned(tz.zone()).date();
            if let Err(e) = StepDue::parse(due, set_on) {
                report("step-update", i, "action.due", e.0);
            }
        }
    }
}
