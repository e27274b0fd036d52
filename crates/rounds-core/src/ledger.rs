//! The transfer-of-value ledger (P14): meals and other items of value given at an
//! account, split among everyone present and attributed to the covered recipients
//! among them (physicians and the other clinicians the Sunshine Act covers), reported
//! per recipient per calendar year in the shape of CMS Open Payments, with a warning
//! when a recipient's year passes the playbook's cap. Pure: records in, figures and CSV
//! text out.
//!
//! The split: the total is divided by everyone present — the account's contacts who
//! were there and the others who ate along (staff, guests) without being contacts — and
//! only the covered recipients' shares are reported; nobody else's share goes anywhere.
//! A $200 lunch for eight with five physicians reports $25.00 for each of the five.
//!
//! Rounding, in whole cents and deterministic: every share is `total / present` cents,
//! rounded down, and the remainder (fewer cents than people) goes one cent each to the
//! first people in this order: covered recipients by contact id, then the other
//! contacts by contact id, then the others. So the shares of everyone present always
//! add up to the total, a covered recipient is never under-reported by more than a
//! cent, and the same transfer always reports the same amounts.
//!
//! There is no field for anything tied to referrals, and the description goes through
//! the same P14 refusal as every other free text ([`crate::compliance`]).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::str::FromStr;

use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

use crate::compliance::no_value_per_referral;
use crate::csv_out::{CsvError, escape_cell};
use crate::model::{
    Account, AccountId, Contact, ContactId, ContactRole, InvalidValue, TransferId, UserId,
    vocabulary,
};
use crate::values::FieldProblem;

/// The largest transfer recorded, in cents ($1,000,000): more is a typing error.
pub const MAX_TRANSFER_CENTS: i64 = 100_000_000;
/// People present at one transfer, contacts and others together.
pub const MAX_PRESENT: usize = 1_000;
/// What was given, in characters, on one line.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// The earliest date a transfer may carry (Open Payments began in 2013; earlier is a typo).
pub const FIRST_TRANSFER_DAY: Date = date(2000, 1, 1);
/// How a transfer of value at an account is given: in kind, never in cash.
pub const FORM_OF_PAYMENT: &str = "In-kind items and services";

vocabulary!(
    /// What was given (P14).
    Nature {
        Meal => "meal",
        Item => "item",
        Education => "education",
        Other => "other",
    }
);

impl Nature {
    /// The Open Payments "Nature of Payment or Transfer of Value" it is reported under.
    /// CMS defines Gift as anything of value that fits no other category, so items and
    /// anything else go there.
    pub fn open_payments(self) -> &'static str {
        match self {
            Nature::Meal => "Food and Beverage",
            Nature::Education => "Education",
            Nature::Item | Nature::Other => "Gift",
        }
    }
}

/// Specialties (as slugs) of the clinicians the Sunshine Act has covered beside
/// physicians since 2021: physician assistants, nurse practitioners, clinical nurse
/// specialists, nurse anesthetists and anesthesiologist assistants, nurse-midwives.
const COVERED_SPECIALTIES: &[&str] = &[
    "physician-assistant",
    "nurse-practitioner",
    "clinical-nurse-specialist",
    "nurse-anesthetist",
    "certified-registered-nurse-anesthetist",
    "anesthesiologist-assistant",
    "nurse-midwife",
    "certified-nurse-midwife",
];

/// Whether a contact counts as a covered recipient unless the person recording says
/// otherwise: a physician by role, or one of the covered clinicians by specialty.
pub fn covered_by_default(contact: &Contact) -> bool {
    contact.role == ContactRole::Physician
        || contact
            .specialty
            .as_ref()
            .is_some_and(|s| COVERED_SPECIALTIES.contains(&s.as_str()))
}

/// A contact of the account who was present, and whether they are a covered
/// recipient. Decided when the transfer is recorded and kept, so a later change of the
/// contact's role does not rewrite what was reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub contact: ContactId,
    pub covered: bool,
}

/// A transfer recorded in error, kept with why and when it was voided: the ledger is
/// evidence, so nothing is deleted; a voided transfer counts nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Void {
    pub on: Date,
    pub reason: String,
}

/// A transfer of value: a meal, an item, education or anything else of value given at
/// an account on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub id: TransferId,
    pub account: AccountId,
    /// The account's rep when it was recorded, whoever recorded it: like a touch, the
    /// transfer belongs to the territory.
    pub rep: UserId,
    pub date: Date,
    pub nature: Nature,
    pub description: String,
    pub total_cents: i64,
    /// The account's contacts who were present.
    pub attendees: Vec<Attendee>,
    /// People present who are not contacts in Rounds: they take a share that nobody
    /// reports.
    #[serde(default)]
    pub others: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// One person's part of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// `None` for one of the others present.
    pub contact: Option<ContactId>,
    pub covered: bool,
    pub cents: i64,
}

impl Transfer {
    /// Everyone present: the attendees and the others.
    pub fn present(&self) -> usize {
        self.attendees.len() + self.others as usize
    }

    pub fn is_void(&self) -> bool {
        self.void.is_some()
    }

    /// Every person's share, in the order the remainder cents are handed out (see the
    /// module's rounding rule); they add up to the total.
    pub fn split(&self) -> Vec<Share> {
        let present = self.present();
        if present == 0 || self.total_cents <= 0 {
            return vec![];
        }
        let n = present as i64;
        let (base, extra) = (self.total_cents / n, self.total_cents % n);
        let mut people: Vec<(Option<ContactId>, bool)> = self
            .attendees
            .iter()
            .map(|a| (Some(a.contact), a.covered))
            .collect();
        people.sort_by_key(|(contact, covered)| (!*covered, *contact));
        people.extend(std::iter::repeat_n((None, false), self.others as usize));
        people
            .into_iter()
            .zip(0..)
            .map(|((contact, covered), i)| Share {
                contact,
                covered,
                cents: base + i64::from(i < extra),
            })
            .collect()
    }

    /// The covered recipients' shares: what is reported.
    pub fn covered_shares(&self) -> Vec<Share> {
        self.split().into_iter().filter(|s| s.covered).collect()
    }

    /// Every problem with this transfer, by field path. `contacts` are the account's
    /// (a contact elsewhere, or none, is refused on its attendee); `today` is the
    /// recording user's day, since value cannot be given in the future.
    pub fn validate(&self, contacts: &[Contact], today: Date) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let mut problem = |field: String, message: String| {
            out.push(FieldProblem::new(field, message));
        };
        if self.total_cents <= 0 {
            problem(
                "total_cents".into(),
                "give the amount spent; it must be more than $0.00".into(),
            );
        } else if self.total_cents > MAX_TRANSFER_CENTS {
            problem(
                "total_cents".into(),
                format!(
                    "{} is not plausible for one transfer; at most {}",
                    Dollars(self.total_cents),
                    Dollars(MAX_TRANSFER_CENTS)
                ),
            );
        }
        if self.present() == 0 {
            problem(
                "attendees".into(),
                "name at least one person present (a contact, or others)".into(),
            );
        } else if self.present() > MAX_PRESENT {
            problem(
                "others".into(),
                format!(
                    "{} people present is not plausible; at most {MAX_PRESENT}",
                    self.present()
                ),
            );
        }
        for (i, a) in self.attendees.iter().enumerate() {
            let field = format!("attendees[{i}].contact");
            if self.attendees[..i].iter().any(|b| b.contact == a.contact) {
                problem(field, format!("contact {} is listed twice", a.contact));
            } else if !contacts
                .iter()
                .any(|c| c.id == a.contact && c.account == self.account)
            {
                problem(
                    field,
                    format!(
                        "contact {} is not a contact of account {}",
                        a.contact, self.account
                    ),
                );
            }
        }
        if self.date > today {
            problem(
                "date".into(),
                format!(
                    "{} is after today ({today}); record a transfer once it is given",
                    self.date
                ),
            );
        } else if self.date < FIRST_TRANSFER_DAY {
            problem(
                "date".into(),
                format!("{} is before {FIRST_TRANSFER_DAY}", self.date),
            );
        }
        if let Err(e) = description(&self.description) {
            problem("description".into(), e.0);
        }
        if let Some(void) = &self.void
            && let Err(e) = one_line(&void.reason, "why it is voided")
        {
            problem("void.reason".into(), e.0);
        }
        out
    }
}

/// What was given: one line of 1 to 500 characters that offers nothing per referral.
pub fn description(s: &str) -> Result<String, InvalidValue> {
    let t = one_line(s, "what was given (lunch for the office, a textbook…)")?;
    no_value_per_referral(&t)?;
    Ok(t)
}

fn one_line(s: &str, what: &str) -> Result<String, InvalidValue> {
    let t = s.trim();
    if t.is_empty() {
        return Err(InvalidValue(format!("say {what}; it must not be empty")));
    }
    // Counted before trimming, so the limit is the one the API's schema states.
    let n = s.chars().count();
    if n > MAX_DESCRIPTION_CHARS {
        return Err(InvalidValue(format!(
            "{n} characters; at most {MAX_DESCRIPTION_CHARS} are allowed"
        )));
    }
    if let Some(c) = t.chars().find(|c| c.is_control()) {
        return Err(InvalidValue(format!(
            "contains a control character (U+{:04X}); use plain text on one line",
            u32::from(c)
        )));
    }
    Ok(t.to_string())
}

/// An amount in cents, shown as dollars with two decimals and thousands separators
/// (`$1,234.50`), for people; [`plain_dollars`] is the CSV's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dollars(pub i64);

impl fmt::Display for Dollars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        let whole = (cents / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}${grouped}.{:02}", cents % 100)
    }
}

/// Cents as dollars with two decimals and nothing else (`1234.50`), as Open Payments
/// files carry amounts.
pub fn plain_dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Reads an amount of dollars as typed (`200`, `200.5`, `$1,200.00`) into cents, exactly:
/// no floating point, at most two decimals.
pub fn parse_dollars(s: &str) -> Result<i64, InvalidValue> {
    let bad = || {
        InvalidValue(format!(
            "`{s}` is not an amount of dollars (e.g. 200 or 187.50)"
        ))
    };
    let t = s.trim();
    let t = t.strip_prefix('$').unwrap_or(t).trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let whole: String = match whole.split(',').collect::<Vec<_>>().as_slice() {
        [one] => one.to_string(),
        [first, rest @ ..]
            if !first.is_empty() && first.len() <= 3 && rest.iter().all(|g| g.len() == 3) =>
        {
            whole.replace(',', "")
        }
        _ => return Err(bad()),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(&whole) || !digits(frac) || frac.len() > 2 {
        return Err(bad());
    }
    if whole.len() > 12 {
        return Err(InvalidValue(format!(
            "`{s}` is not plausible for one transfer; at most {}",
            Dollars(MAX_TRANSFER_CENTS)
        )));
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    Ok(whole * 100 + frac)
}

/// One covered recipient's share of one transfer: a row of the Open Payments export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub transfer: TransferId,
    pub contact: ContactId,
    pub name: String,
    /// The contact's specialty slug, empty when none is known.
    pub specialty: String,
    pub account: String,
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub date: Date,
    pub cents: i64,
    pub nature: Nature,
    pub description: String,
    /// The recipient's total of the year, repeated on each of their rows.
    pub year_total_cents: i64,
}

/// A covered recipient's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientTotal {
    pub contact: ContactId,
    pub name: String,
    pub cents: i64,
    /// How many transfers it adds up.
    pub transfers: usize,
}

/// A covered recipient whose transfers of value in a year exceed the playbook's cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapWarning {
    pub contact: ContactId,
    pub name: String,
    pub year: i16,
    pub total_cents: i64,
    pub cap_cents: i64,
}

impl fmt::Display for CapWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (contact {}) has received {} in {}, over the yearly cap of {} (P14)",
            self.name,
            self.contact,
            Dollars(self.total_cents),
            self.year,
            Dollars(self.cap_cents)
        )
    }
}

/// A calendar year of the ledger, per covered recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearReport {
    pub year: i16,
    /// By recipient name, contact id, date, then transfer id.
    pub rows: Vec<ReportRow>,
    /// In the order of `rows`.
    pub totals: Vec<RecipientTotal>,
    pub warnings: Vec<CapWarning>,
}

/// Each covered recipient's total and number of transfers in `year`, voided transfers
/// left out.
pub fn year_totals(year: i16, transfers: &[Transfer]) -> BTreeMap<ContactId, (i64, usize)> {
    let mut totals: BTreeMap<ContactId, (i64, usize)> = BTreeMap::new();
    for t in transfers
        .iter()
        .filter(|t| !t.is_void() && t.date.year() == year)
    {
        for share in t.covered_shares() {
            if let Some(contact) = share.contact {
                let e = totals.entry(contact).or_default();
                e.0 += share.cents;
                e.1 += 1;
            }
        }
    }
    totals
}

/// The warnings of `year` for the recipients in `only` (every recipient when `None`):
/// those whose total exceeds `cap_cents`. No cap, no warning.
pub fn cap_warnings(
    year: i16,
    transfers: &[Transfer],
    contacts: &[Contact],
    cap_cents: Option<i64>,
    only: Option<&[ContactId]>,
) -> Vec<CapWarning> {
    let Some(cap) = cap_cents else {
        return vec![];
    };
    let mut warnings: Vec<CapWarning> = year_totals(year, transfers)
        .into_iter()
        .filter(|(c, (cents, _))| *cents > cap && only.is_none_or(|o| o.contains(c)))
        .map(|(contact, (cents, _))| CapWarning {
            contact,
            name: name_of(contacts, contact),
            year,
            total_cents: cents,
            cap_cents: cap,
        })
        .collect();
    warnings.sort_by(|a, b| (&a.name, a.contact).cmp(&(&b.name, b.contact)));
    warnings
}

fn name_of(contacts: &[Contact], id: ContactId) -> String {
    contacts
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| format!("contact {id}"), |c| c.name.clone())
}

/// The year's report: a row per covered recipient per transfer, the recipients'
/// totals and the cap's warnings. `contacts` and `accounts` give names and addresses;
/// transfers of other years and voided ones are left out.
pub fn year_report(
    year: i16,
    transfers: &[Transfer],
    contacts: &[Contact],
    accounts: &[Account],
    cap_cents: Option<i64>,
) -> YearReport {
    let totals = year_totals(year, transfers);
    let contact_of = |id: ContactId| contacts.iter().find(|c| c.id == id);
    let mut rows = Vec::new();
    for t in transfers
        .iter()
        .filter(|t| !t.is_void() && t.date.year() == year)
    {
        let account = accounts.iter().find(|a| a.id == t.account);
        for share in t.covered_shares() {
            let Some(id) = share.contact else { continue };
            let contact = contact_of(id);
            let address = account.map(|a| &a.address);
            let field = |f: fn(&crate::model::Address) -> &String| {
                address.map(|a| f(a).clone()).unwrap_or_default()
            };
            rows.push(ReportRow {
                transfer: t.id,
                contact: id,
                name: name_of(contacts, id),
                specialty: contact
                    .and_then(|c| c.specialty.as_ref())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                account: account.map(|a| a.name.clone()).unwrap_or_default(),
                street: field(|a| &a.street),
                city: field(|a| &a.city),
                region: field(|a| &a.region),
                postal_code: field(|a| &a.postal_code),
                date: t.date,
                cents: share.cents,
                nature: t.nature,
                description: t.description.clone(),
                year_total_cents: totals.get(&id).map_or(0, |(c, _)| *c),
            });
        }
    }
    rows.sort_by(|a, b| {
        (&a.name, a.contact, a.date, a.transfer).cmp(&(&b.name, b.contact, b.date, b.transfer))
    });
    let mut recipients: Vec<RecipientTotal> = Vec::new();
    for r in &rows {
        if recipients.last().is_none_or(|l| l.contact != r.contact) {
            let (cents, transfers) = totals.get(&r.contact).copied().unwrap_or_default();
            recipients.push(RecipientTotal {
                contact: r.contact,
                name: r.name.clone(),
                cents,
                transfers,
            });
        }
    }
    YearReport {
        year,
        warnings: cap_warnings(year, transfers, contacts, cap_cents, None),
        rows,
        totals: recipients,
    }
}

/// The export's header row, in the names of the Open Payments general payment data
/// where one fits. Append columns, never reorder them.
pub const OPEN_PAYMENTS_HEADER: [&str; 16] = [
    "Record_ID",
    "Covered_Recipient_ID",
    "Covered_Recipient_Name",
    "Covered_Recipient_Specialty",
    "Recipient_Account_Name",
    "Recipient_Primary_Business_Street_Address_Line1",
    "Recipient_City",
    "Recipient_State",
    "Recipient_Zip_Code",
    "Date_of_Payment",
    "Total_Amount_of_Payment_USDollars",
    "Number_of_Payments_Included_in_Total_Amount",
    "Form_of_Payment_or_Transfer_of_Value",
    "Nature_of_Payment_or_Transfer_of_Value",
    "Contextual_Information",
    "Recipient_Year_Total_USDollars",
];

/// Writes the year's rows as an Open Payments–style CSV: dates as Open Payments writes
/// them (MM/DD/YYYY), amounts as dollars with two decimals, every text cell escaped
/// against spreadsheet formulas like the CSV export's.
pub fn write_open_payments<W: Write>(report: &YearReport, out: W) -> Result<(), CsvError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(OPEN_PAYMENTS_HEADER)?;
    for r in &report.rows {
        let text = |s: &str| escape_cell(s).into_owned();
        w.write_record([
            r.transfer.to_string(),
            r.contact.to_string(),
            text(&r.name),
            text(&r.specialty),
            text(&r.account),
            text(&r.street),
            text(&r.city),
            text(&r.region),
            text(&r.postal_code),
            r.date.strftime("%m/%d/%Y").to_string(),
            plain_dollars(r.cents),
            "1".to_string(),
            FORM_OF_PAYMENT.to_string(),
            r.nature.open_payments().to_string(),
            text(&r.description),
            plain_dollars(r.year_total_cents),
        ])?;
    }
    w.flush().map_err(csv::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_read_exactly_and_show_two_decimals() {
        assert_eq!(parse_dollars("200"), Ok(20_000));
        assert_eq!(parse_dollars(" $187.5 "), Ok(18_750));
        assert_eq!(parse_dollars("1,200.05"), Ok(120_005));
        assert_eq!(parse_dollars("0.07"), Ok(7));
        for bad in [
            "", "$", "-5", "1.234", "12,00", "1e3", "ten", ".5", "1,2345",
        ] {
            assert!(parse_dollars(bad).is_err(), "{bad:?} read");
        }
        assert_eq!(Dollars(2_500).to_string(), "$25.00");
        assert_eq!(Dollars(123_456_789).to_string(), "$1,234,567.89");
        assert_eq!(Dollars(7).to_string(), "$0.07");
        assert_eq!(plain_dollars(123_456_789), "1234567.89");
    }
}
