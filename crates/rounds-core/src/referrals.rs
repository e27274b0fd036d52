//! Referral counts in bulk (P9): a CSV of counts per referring contact and day, as a
//! liaison's spreadsheet or a practice system's report holds them. Counts only: a
//! column the format does not know is refused by name (a patient's name or date of
//! birth must never reach Rounds), and so is any cell that looks like a patient
//! identifier.
//!
//! ```text
//! contact,day,count
//! 12,2026-11-20,2
//! dr.reyes@lakeside.example,2026-11-20,1
//! ```

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::export::Problem;
use crate::values::{ReferralCountValue, patient_identifier};

/// The columns of the file, in any order; all three are needed.
pub const COLUMNS: [&str; 3] = ["contact", "day", "count"];

/// One row as read: the contact as written (an id or an e-mail address, resolved by
/// whoever holds the contacts), the day and the count it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub line: usize,
    pub contact: String,
    pub day: Date,
    pub count: u32,
}

/// Every row of `text`, or every problem (by line and column) when any row is wrong. A
/// contact and day given twice is a problem: which count would be meant?
pub fn read_referral_csv(text: &str) -> Result<Vec<ReferralRow>, Vec<Problem>> {
    let problem = |line: usize, field: &str, message: String| Problem {
        line,
        field: field.to_string(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(e) => return Err(vec![problem(1, "header", e.to_string())]),
    };
    let mut problems = Vec::new();
    for name in &header {
        if !COLUMNS.contains(&name.as_str()) {
            problems.push(problem(
                1,
                name,
                "not a column of a referral count file (contact, day, count): Rounds keeps counts per provider and day, never patient data (P9); remove the column".to_string(),
            ));
        }
    }
    let index = |name: &str| header.iter().position(|h| h == name);
    let (Some(ci), Some(di), Some(ni)) = (index("contact"), index("day"), index("count")) else {
        for name in COLUMNS {
            if index(name).is_none() {
                problems.push(problem(1, name, "the column is missing".to_string()));
            }
        }
        return Err(problems);
    };
    let mut rows = Vec::new();
    let mut seen: BTreeMap<(String, Date), usize> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(problem(line, "row", e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let mut ok = true;
        for (name, cell) in header.iter().zip(record.iter()) {
            if let Some(what) = patient_identifier(cell) {
                problems.push(problem(
                    line,
                    name,
                    format!("looks like it holds {what}: never patient data (P9)"),
                ));
                ok = false;
            }
        }
        let contact = record.get(ci).unwrap_or_default().to_string();
        if contact.is_empty() {
            problems.push(problem(
                line,
                "contact",
                "say whose referrals these are".into(),
            ));
            ok = false;
        }
        let day = match record.get(di).unwrap_or_default().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(problem(
                    line,
                    "day",
                    format!(
                        "`{}` is not a date; write YYYY-MM-DD",
                        record.get(di).unwrap_or_default()
                    ),
                ));
                None
            }
        };
        let count = match record.get(ni).unwrap_or_default().parse::<u64>() {
            Ok(n) => match ReferralCountValue::parse(n) {
                Ok(v) => Some(v.get()),
                Err(e) => {
                    problems.push(problem(line, "count", e.0));
                    None
                }
            },
            Err(_) => {
                problems.push(problem(
                    line,
                    "count",
                    format!(
                        "`{}` is not a whole number of referrals",
                        record.get(ni).unwrap_or_default()
                    ),
                ));
                None
            }
        };
        let (Some(day), Some(count), true) = (day, count, ok) else {
            continue;
        };
        let key = (contact.to_lowercase(), day);
        if let Some(first) = seen.insert(key, line) {
            problems.push(problem(
                line,
                "contact",
                format!(
                    "{contact} on {day} is already on line {first}: one count per contact and day"
                ),
            ));
            continue;
        }
        rows.push(ReferralRow {
            line,
            contact,
            day,
            count,
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}
