//! The CSV export: a book of business as six spreadsheet files (accounts, contacts,
//! touches, next steps, referral counts, lost accounts), written so that a mapping
//! importer can read them back. Pure formatting over any `Write`; the binary owns the
//! files.
//!
//! The shape every file keeps: one header row of snake_case column names that never
//! change meaning (new columns are appended), ids as plain numbers, dates and instants
//! in ISO 8601 (`2026-11-24`, `2026-11-24T15:30:00Z`), closed vocabularies in their
//! kebab-case spelling, lists joined with `;`, an empty cell for a value not set.
//!
//! Formula injection (OWASP): a spreadsheet runs a cell that begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return as a formula, so such a cell is written with a single
//! quote before it (`'=HYPERLINK(…)`, `'+1 312 555 0100`). A cell that begins with a
//! quote gets one more, so the importer's rule is simply "drop one leading quote".
//! Numbers the export writes itself (a longitude of `-87.6298`) are left alone: a plain
//! decimal is never a formula, and a quote would turn it into text.

use std::collections::BTreeMap;
use std::io::Write;

use crate::export::OrgData;
use crate::model::{Account, Contact, LostAccount, ReferralCount, Touch};
use crate::planner::{StepRecord, every_step};

/// The characters a spreadsheet reads as the start of a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A failed write of a CSV file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write CSV: {0}")]
pub struct CsvError(#[from] csv::Error);

/// One file of the CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CsvTable {
    Accounts,
    Contacts,
    Touches,
    NextSteps,
    ReferralCounts,
    LostAccounts,
}

impl CsvTable {
    /// Every file, in the order they are written (the order of the JSON Lines export).
    pub const ALL: [CsvTable; 6] = [
        CsvTable::Accounts,
        CsvTable::Contacts,
        CsvTable::Touches,
        CsvTable::NextSteps,
        CsvTable::ReferralCounts,
        CsvTable::LostAccounts,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            CsvTable::Accounts => "accounts.csv",
            CsvTable::Contacts => "contacts.csv",
            CsvTable::Touches => "touches.csv",
            CsvTable::NextSteps => "next_steps.csv",
            CsvTable::ReferralCounts => "referral_counts.csv",
            CsvTable::LostAccounts => "lost_accounts.csv",
        }
    }

    /// The header row: the file's contract with the importer. Append, never reorder.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            CsvTable::Accounts => &[
                "id",
                "name",
                "rep",
                "kind",
                "segment",
                "specialties",
                "street",
                "city",
                "region",
                "postal_code",
                "lat",
                "lon",
                "tz",
                "office_hours",
                "visit_windows",
                "front_desk_blocks",
                "access",
                "status",
                "profile",
                "pain_points",
            ],
            CsvTable::Contacts => &[
                "id",
                "account",
                "name",
                "role",
                "influence",
                "department",
                "specialty",
                "cell",
                "email",
                "office_phone",
                "extension",
                "linkedin",
                "preferred_channel",
                "opt_outs",
                "text_consent_on",
                "text_consent_source",
            ],
            CsvTable::Touches => &[
                "id",
                "at",
                "rep",
                "account",
                "contact",
                "channel",
                "direction",
                "outcome",
                "kind",
                "primary_topic",
                "topics",
                "explain_better",
                "next_step_what",
                "next_step_due",
                "callback_at",
                "note",
                "no_referral_reason",
                "no_referral_text",
            ],
            CsvTable::NextSteps => &[
                "step",
                "rep",
                "account",
                "contact",
                "set_on",
                "what",
                "due",
                "state",
                "closed_at",
                "skip_reason",
                "updates",
            ],
            CsvTable::ReferralCounts => &["contact", "day", "count"],
            CsvTable::LostAccounts => &[
                "account",
                "lost_on",
                "reason",
                "competitor",
                "stakeholders",
                "note",
                "current",
            ],
        }
    }

    /// How many rows (besides the header) the file of `data` has: a lost account has a
    /// row for each earlier loss as well as its current one.
    pub fn rows(self, data: &OrgData) -> usize {
        match self {
            CsvTable::Accounts => data.accounts.len(),
            CsvTable::Contacts => data.contacts.len(),
            CsvTable::Touches => data.touches.len(),
            CsvTable::NextSteps => data
                .touches
                .iter()
                .filter(|t| t.next_step.is_some())
                .count(),
            CsvTable::ReferralCounts => data.referrals.len(),
            CsvTable::LostAccounts => data.lost.iter().map(|l| 1 + l.earlier.len()).sum(),
        }
    }

    /// Writes the file of `data` to `out`, header first, calling `on_row` after each
    /// row; returns the number of rows (without the header).
    pub fn write<W: Write>(
        self,
        data: &OrgData,
        out: W,
        mut on_row: impl FnMut(),
    ) -> Result<usize, CsvError> {
        let mut w = RowWriter {
            csv: csv::Writer::from_writer(out),
            rows: 0,
        };
        w.csv.write_record(self.header())?;
        let mut row = |w: &mut RowWriter<W>, cells: &[String]| -> Result<(), CsvError> {
            w.row(cells)?;
            on_row();
            Ok(())
        };
        match self {
            CsvTable::Accounts => {
                for a in &data.accounts {
                    row(&mut w, &account_row(a))?;
                }
            }
            CsvTable::Contacts => {
                for c in &data.contacts {
                    row(&mut w, &contact_row(c))?;
                }
            }
            CsvTable::Touches => {
                for t in &data.touches {
                    row(&mut w, &touch_row(t))?;
                }
            }
            CsvTable::NextSteps => {
                for s in every_step(&data.accounts, &data.touches, &data.step_updates) {
                    row(&mut w, &step_row(&s))?;
                }
            }
            CsvTable::ReferralCounts => {
                for r in &data.referrals {
                    row(&mut w, &referral_row(r))?;
                }
            }
            CsvTable::LostAccounts => {
                for l in &data.lost {
                    for cells in lost_rows(l) {
                        row(&mut w, &cells)?;
                    }
                }
            }
        }
        w.csv.flush().map_err(csv::Error::from)?;
        Ok(w.rows)
    }
}

struct RowWriter<W: Write> {
    csv: csv::Writer<W>,
    rows: usize,
}

impl<W: Write> RowWriter<W> {
    fn row(&mut self, cells: &[String]) -> Result<(), CsvError> {
        self.csv
            .write_record(cells.iter().map(|c| escape_cell(c).into_owned()))?;
        self.rows += 1;
        Ok(())
    }
}

/// The cell as written: `value` with a single quote before it when a spreadsheet would
/// read it as a formula (it begins with one of [`FORMULA_TRIGGERS`]) or when it begins
/// with a quote itself; a plain decimal number (`-87.6298`) as it is. Quoting for commas,
/// quotes and line ends is the CSV writer's.
pub fn escape_cell(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = value.starts_with(FORMULA_TRIGGERS) || value.starts_with('\'');
    if risky && !is_plain_number(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// `-?digits(.digits)?`: how the export writes coordinates, never a formula.
fn is_plain_number(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    match unsigned.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(unsigned),
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn list<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

/// A map as one JSON object: keys and values are free text, which no separator
/// character could split safely.
fn map(m: &BTreeMap<String, String>) -> String {
    if m.is_empty() {
        return String::new();
    }
    // A map of strings always serialises.
    serde_json::to_string(m).unwrap_or_default()
}

fn account_row(a: &Account) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.name.clone(),
        a.rep.to_string(),
        a.kind.to_string(),
        a.segment.to_string(),
        list(&a.specialties),
        a.address.street.clone(),
        a.address.city.clone(),
        a.address.region.clone(),
        a.address.postal_code.clone(),
        a.address.lat.to_string(),
        a.address.lon.to_string(),
        a.tz.to_string(),
        a.office_hours.to_string(),
        list(&a.visit_windows),
        a.front_desk_blocks.to_string(),
        a.access.to_string(),
        a.status.to_string(),
        map(&a.profile),
        list(&a.pain_points),
    ]
}

fn contact_row(c: &Contact) -> Vec<String> {
    let ch = &c.channels;
    vec![
        c.id.to_string(),
        c.account.to_string(),
        c.name.clone(),
        c.role.to_string(),
        c.influence.to_string(),
        opt(&c.department),
        opt(&c.specialty),
        opt(&ch.cell),
        opt(&ch.email),
        opt(&ch.office_phone),
        opt(&ch.extension),
        opt(&ch.linkedin),
        opt(&c.preferred_channel),
        list(&c.opt_outs),
        opt(&c.text_consent.as_ref().map(|k| k.on)),
        opt(&c.text_consent.as_ref().map(|k| k.source.clone())),
    ]
}

fn touch_row(t: &Touch) -> Vec<String> {
    vec![
        t.id.to_string(),
        t.at.to_string(),
        t.rep.to_string(),
        t.account.to_string(),
        t.contact.to_string(),
        t.channel.to_string(),
        t.direction.to_string(),
        t.outcome.to_string(),
        t.kind.to_string(),
        opt(&t.primary_topic),
        list(&t.topics),
        list(&t.explain_better),
        opt(&t.next_step.as_ref().map(|s| s.what.clone())),
        opt(&t.next_step.as_ref().map(|s| s.due)),
        opt(&t.callback_at),
        t.note.clone(),
        opt(&t.no_referral.as_ref().map(|n| n.reason)),
        opt(&t.no_referral.as_ref().map(|n| n.text.clone())),
    ]
}

fn step_row(s: &StepRecord) -> Vec<String> {
    vec![
        s.step.to_string(),
        s.rep.to_string(),
        s.account.to_string(),
        s.contact.to_string(),
        s.set_on.to_string(),
        s.what.clone(),
        s.due.to_string(),
        s.state.to_string(),
        opt(&s.closed_at),
        opt(&s.skip_reason),
        s.updates.to_string(),
    ]
}

fn referral_row(r: &ReferralCount) -> Vec<String> {
    vec![
        r.contact.to_string(),
        r.day.to_string(),
        r.count.to_string(),
    ]
}

/// The earlier losses of an account, oldest first, then its current one.
fn lost_rows(l: &LostAccount) -> Vec<Vec<String>> {
    let row = |lost_on: &jiff::civil::Date,
               reason: &crate::model::LossReason,
               competitor: &Option<String>,
               stakeholders: &[String],
               note: &str,
               current: bool| {
        vec![
            l.account.to_string(),
            lost_on.to_string(),
            reason.to_string(),
            opt(competitor),
            list(stakeholders),
            note.to_string(),
            current.to_string(),
        ]
    };
    l.earlier
        .iter()
        .map(|e| {
            row(
                &e.lost_on,
                &e.reason,
                &e.competitor,
                &e.stakeholders,
                &e.note,
                false,
            )
        })
        .chain(std::iter::once(row(
            &l.lost_on,
            &l.reason,
            &l.competitor,
            &l.stakeholders,
            &l.note,
            true,
        )))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes one row of `cells` and reads the file back with the csv reader.
    fn round_trip(cells: &[&str]) -> (String, Vec<String>) {
        let mut w = RowWriter {
            csv: csv::Writer::from_writer(Vec::new()),
            rows: 0,
        };
        let owned: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        w.row(&owned).unwrap();
        let bytes = w.csv.into_inner().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let record = r.records().next().unwrap().unwrap();
        (text, record.iter().map(str::to_string).collect())
    }

    #[test]
    fn csv_export_escapes_formula_cells() {
        let cases: &[(&str, &str)] = &[
            // Every trigger character at the start.
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1 312 555 0100", "'+1 312 555 0100"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-", "'-"),
            ("-5 mg", "'-5 mg"),
            ("-1e5", "'-1e5"),
            // A leading quote is doubled, so dropping one quote always gives the value.
            ("'quoted", "''quoted"),
            // Harmless: a trigger character inside the cell, a plain number, empty.
            ("follow-up call", "follow-up call"),
            ("a=b", "a=b"),
            ("Dr. O'Neil", "Dr. O'Neil"),
            (" =1", " =1"),
            ("-87.6298", "-87.6298"),
            ("-12", "-12"),
            ("41.88", "41.88"),
            ("", ""),
        ];
        for (value, written) in cases {
            assert_eq!(escape_cell(value), *written, "escaping {value:?}");
            let (_, read) = round_trip(&[value]);
            assert_eq!(read, vec![written.to_string()], "reading back {value:?}");
        }
    }

    #[test]
    fn csv_export_quotes_line_ends_commas_and_quotes_inside_a_cell() {
        let cells = [
            "line one\r\nline two",
            "first\nsecond",
            "Smith, Jones & Co",
            "the \"best\" office",
        ];
        let (text, read) = round_trip(&cells);
        assert_eq!(read, cells.map(str::to_string).to_vec());
        assert_eq!(
            text,
            "\"line one\r\nline two\",\"first\nsecond\",\"Smith, Jones & Co\",\"the \"\"best\"\" office\"\n"
        );
    }
}
