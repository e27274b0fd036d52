//! Any spreadsheet, through a small mapping file: which column holds which field of an
//! account, a contact or a touch, and how the sheet's words map to Rounds' (roles,
//! statuses, outcomes…). `template` writes a commented starter from a header row.
//!
//! ```toml
//! record = "contact"          # what one row is: account, contact or touch
//! source = "clinic-sheet"     # re-importing with the same source updates the same records
//! [columns]
//! external_id = "ID"
//! account = "Practice ID"     # the account's external_id in the same source
//! name = "Full name"
//! email = "E-mail"
//! [values.role]
//! "Dr" = "physician"
//! ```

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use serde::Deserialize;

use super::salesforce::{blank_account, blank_contact, blank_touch, number};
use super::{
    BookContext, BookProblem, Columns, Draft, Item, Origin, Refs, RowView, Sheet, TouchDraft, When,
    cells, kind_from_name, note_of, role_from_title, zone_for,
};
use crate::model::{
    AccessPolicy, AccountKind, AccountStatus, Channel, ContactRole, Direction, Influence,
    InvalidValue, Outcome, Segment, Specialty, TouchKind, TzName,
};

/// What one row of a mapped file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappedRecord {
    Account,
    Contact,
    Touch,
}

impl MappedRecord {
    fn fields(self) -> &'static [(&'static str, &'static str, &'static str)] {
        // (field, validation path, what it holds)
        match self {
            MappedRecord::Account => &[
                ("external_id", "", "the row's id in the sheet (required)"),
                ("name", "name", "the practice's name (required)"),
                (
                    "owner",
                    "",
                    "the rep: e-mail, Rounds user id, or an owner id of --owner-map",
                ),
                (
                    "kind",
                    "",
                    "practice, clinic, hospital, imaging-centre, therapy-practice, pharmacy, law-firm, other",
                ),
                ("segment", "", "medical-provider, law-firm, other"),
                ("status", "", "prospect or customer"),
                ("access", "", "open, appointment-only, no-vendor-contact"),
                ("specialties", "", "specialties, comma-separated"),
                ("street", "address.street", "street"),
                ("city", "address.city", "city"),
                (
                    "region",
                    "address.region",
                    "state or region (a US state gives the time zone)",
                ),
                ("postal_code", "address.postal_code", "ZIP or postal code"),
                ("lat", "address.lat", "latitude in degrees"),
                ("lon", "address.lon", "longitude in degrees"),
                ("tz", "", "IANA time zone, e.g. America/Chicago"),
                ("phone", "profile.phone", "the office's phone"),
            ],
            MappedRecord::Contact => &[
                ("external_id", "", "the row's id in the sheet (required)"),
                (
                    "account",
                    "",
                    "the account's external_id in the same source (required)",
                ),
                ("name", "name", "full name (or first_name and last_name)"),
                ("first_name", "", "first name"),
                ("last_name", "name", "last name"),
                (
                    "title",
                    "",
                    "job title (gives the role when role is not mapped)",
                ),
                (
                    "role",
                    "",
                    "physician, office-manager, head-nurse, front-desk, practice-administrator, attorney, case-manager, paralegal, other",
                ),
                (
                    "influence",
                    "",
                    "decision-maker, influencer, gatekeeper, user",
                ),
                ("department", "department", "department"),
                ("specialty", "", "specialty"),
                ("email", "channels.email", "e-mail address"),
                ("office_phone", "channels.office_phone", "office phone"),
                ("cell", "channels.cell", "cell phone"),
                ("extension", "channels.extension", "extension"),
                ("linkedin", "channels.linkedin", "LinkedIn address"),
                (
                    "preferred_channel",
                    "preferred_channel",
                    "visit, call, email, text…",
                ),
                (
                    "opt_outs",
                    "",
                    "channels the contact refused, separated by ; or ,",
                ),
                (
                    "opt_out_email",
                    "",
                    "yes when the contact asked for no e-mail",
                ),
                ("do_not_call", "", "yes when the contact asked for no calls"),
            ],
            MappedRecord::Touch => &[
                ("external_id", "", "the row's id in the sheet (required)"),
                (
                    "contact",
                    "",
                    "the contact's external_id in the same source (required)",
                ),
                (
                    "at",
                    "",
                    "date and time (2026-03-04T15:00:00Z, or local 2026-03-04 15:00)",
                ),
                ("date", "", "the date, when there is no at column"),
                (
                    "channel",
                    "",
                    "visit, call, voicemail, email, text, linkedin, handwritten-note, letter, virtual-meeting",
                ),
                ("direction", "", "outbound or inbound"),
                (
                    "outcome",
                    "",
                    "no-response, conversation, positive, negative, referral, order",
                ),
                ("kind", "", "routine, first-meeting, thank-you…"),
                ("subject", "note", "subject (goes first in the note)"),
                ("note", "note", "what was said"),
            ],
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingWire {
    record: String,
    #[serde(default)]
    source: Option<String>,
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

/// A checked mapping file.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub record: MappedRecord,
    /// The ids of this sheet are kept under this name.
    pub source: String,
    columns: BTreeMap<&'static str, String>,
    values: BTreeMap<&'static str, BTreeMap<String, String>>,
}

impl Mapping {
    /// Every problem of the file at once, each naming its key.
    pub fn from_toml(text: &str) -> Result<Mapping, Vec<String>> {
        let wire: MappingWire = toml::from_str(text).map_err(|e| vec![e.message().to_string()])?;
        let record = match wire.record.as_str() {
            "account" => MappedRecord::Account,
            "contact" => MappedRecord::Contact,
            "touch" => MappedRecord::Touch,
            other => {
                return Err(vec![format!(
                    "record: `{other}` is not account, contact or touch"
                )]);
            }
        };
        let fields = record.fields();
        let field = |k: &str| fields.iter().find(|(f, _, _)| *f == k).map(|(f, _, _)| *f);
        let names = || {
            fields
                .iter()
                .map(|(f, _, _)| *f)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut problems = Vec::new();
        let mut columns = BTreeMap::new();
        for (k, v) in wire.columns {
            match field(&k) {
                Some(f) if !v.trim().is_empty() => {
                    columns.insert(f, v.trim().to_string());
                }
                Some(_) => problems.push(format!("columns.{k}: the column's name is empty")),
                None => problems.push(format!(
                    "columns.{k}: not a field of a {}; the fields are: {}",
                    wire.record,
                    names()
                )),
            }
        }
        let mut values = BTreeMap::new();
        for (k, map) in wire.values {
            match field(&k) {
                Some(f) => {
                    values.insert(
                        f,
                        map.into_iter()
                            .map(|(a, b)| (a.trim().to_lowercase(), b))
                            .collect(),
                    );
                }
                None => problems.push(format!(
                    "values.{k}: not a field of a {}; the fields are: {}",
                    wire.record,
                    names()
                )),
            }
        }
        let required: &[&str] = match record {
            MappedRecord::Account => &["external_id", "name"],
            MappedRecord::Contact => &["external_id", "account"],
            MappedRecord::Touch => &["external_id", "contact"],
        };
        for r in required {
            if !columns.contains_key(r) {
                problems.push(format!(
                    "columns.{r}: required; name the column that holds it"
                ));
            }
        }
        if record == MappedRecord::Contact
            && !columns.contains_key("name")
            && !columns.contains_key("last_name")
        {
            problems.push(
                "columns.name: required (or last_name); name the column that holds it".into(),
            );
        }
        if record == MappedRecord::Touch
            && !columns.contains_key("at")
            && !columns.contains_key("date")
        {
            problems.push("columns.at: required (or date); name the column that holds it".into());
        }
        let source = wire.source.unwrap_or_else(|| "spreadsheet".into());
        if source.trim().is_empty() || source.len() > 60 || source.chars().any(char::is_control) {
            problems.push("source: give a short name (at most 60 characters)".into());
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Mapping {
            record,
            source,
            columns,
            values,
        })
    }

    /// A file-level problem for every mapped column the sheet lacks.
    pub fn check_header(&self, sheet: &Sheet) -> Vec<BookProblem> {
        self.columns
            .iter()
            .filter(|(_, c)| !sheet.has(c))
            .map(|(f, c)| {
                BookProblem::file(
                    &sheet.file,
                    format!(
                        "the mapping reads {f} from column \"{c}\", which the header row does not have (it has: {})",
                        sheet.header.join(", ")
                    ),
                )
            })
            .collect()
    }

    pub fn columns(&self, _sheet: &Sheet) -> Columns {
        Arc::new(
            self.record
                .fields()
                .iter()
                .filter(|(_, path, _)| !path.is_empty())
                .filter_map(|(f, path, _)| self.columns.get(f).map(|c| (*path, c.clone())))
                .collect(),
        )
    }

    /// The column a field is read from.
    pub fn column_of(&self, field: &str) -> Option<&str> {
        self.columns.get(field).map(String::as_str)
    }

    fn cell<'a>(&self, v: &RowView<'a>, field: &str) -> Option<&'a str> {
        self.columns.get(field).and_then(|c| v.get(c))
    }

    fn problem(&self, v: &RowView, field: &str, message: impl Into<String>) -> BookProblem {
        v.problem(
            self.columns.get(field).map_or(field, String::as_str),
            message,
        )
    }

    /// The cell of `field` through `[values.field]`, read as `T`.
    fn word<T: FromStr<Err = InvalidValue>>(
        &self,
        v: &RowView,
        field: &str,
        problems: &mut Vec<BookProblem>,
    ) -> Option<T> {
        let cell = self.cell(v, field)?;
        let mapped = self
            .values
            .get(field)
            .and_then(|m| m.get(&cell.to_lowercase()))
            .map_or(cell, String::as_str);
        match mapped.parse() {
            Ok(t) => Some(t),
            Err(InvalidValue(m)) => {
                problems.push(self.problem(
                    v,
                    field,
                    format!("{m} (map the sheet's words under [values.{field}] in the mapping)"),
                ));
                None
            }
        }
    }

    pub fn row(
        &self,
        v: &RowView,
        cx: &BookContext,
        columns: &Columns,
    ) -> Result<Item, Vec<BookProblem>> {
        let origin = Origin::of(v, columns);
        let Some(external_id) = self.cell(v, "external_id") else {
            return Err(vec![self.problem(
                v,
                "external_id",
                "is empty; every row needs one",
            )]);
        };
        let external_id = external_id.to_string();
        let mut problems = Vec::new();
        let item = match self.record {
            MappedRecord::Account => {
                let name = self.cell(v, "name").unwrap_or("");
                let tz: Option<TzName> = self.word(v, "tz", &mut problems);
                let tz = match tz {
                    Some(tz) => Some(tz),
                    None => zone_for(self.cell(v, "region"), cx)
                        .map_err(|m| problems.push(self.problem(v, "region", m)))
                        .ok(),
                };
                let mut a = blank_account(name, tz.unwrap_or_else(|| "UTC".parse().expect("UTC")));
                let (kind, segment) = kind_from_name(name);
                a.kind = self
                    .word::<AccountKind>(v, "kind", &mut problems)
                    .unwrap_or(kind);
                a.segment = self
                    .word::<Segment>(v, "segment", &mut problems)
                    .unwrap_or(segment);
                a.status = self
                    .word::<AccountStatus>(v, "status", &mut problems)
                    .unwrap_or(AccountStatus::Prospect);
                if matches!(a.status, AccountStatus::Lost | AccountStatus::NoFit) {
                    problems.push(self.problem(
                        v,
                        "status",
                        "an account becomes lost or no-fit only by recording why (rounds lost, rounds nofit); import it as a prospect or customer",
                    ));
                }
                a.access = self
                    .word::<AccessPolicy>(v, "access", &mut problems)
                    .unwrap_or(AccessPolicy::Open);
                if let Some(list) = self.cell(v, "specialties") {
                    for s in list.split([',', ';']).filter(|s| !s.trim().is_empty()) {
                        match s.parse::<Specialty>() {
                            Ok(s) => a.specialties.push(s),
                            Err(InvalidValue(m)) => {
                                problems.push(self.problem(v, "specialties", m))
                            }
                        }
                    }
                }
                a.address.street = self.cell(v, "street").unwrap_or("").to_string();
                a.address.city = self.cell(v, "city").unwrap_or("").to_string();
                a.address.region = self.cell(v, "region").unwrap_or("").to_string();
                a.address.postal_code = self.cell(v, "postal_code").unwrap_or("").to_string();
                for (field, slot) in [("lat", &mut a.address.lat), ("lon", &mut a.address.lon)] {
                    if let Some(c) = self.columns.get(field) {
                        *slot = number(v, c).unwrap_or_else(|p| {
                            problems.push(p);
                            0.0
                        });
                    }
                }
                if let Some(phone) = self.cell(v, "phone") {
                    a.profile.insert("phone".into(), phone.to_string());
                }
                Item::Account(Box::new(Draft {
                    origin,
                    external_id,
                    refs: Refs {
                        owner: self.cell(v, "owner").map(str::to_string),
                        ..Refs::default()
                    },
                    record: a,
                }))
            }
            MappedRecord::Contact => {
                let name = match self.cell(v, "name") {
                    Some(n) => n.to_string(),
                    None => [self.cell(v, "first_name"), self.cell(v, "last_name")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" "),
                };
                let title = self.cell(v, "title");
                let role = self
                    .word::<ContactRole>(v, "role", &mut problems)
                    .unwrap_or_else(|| title.map_or(ContactRole::Other, role_from_title));
                let mut c = blank_contact(name, role);
                if let Some(i) = self.word::<Influence>(v, "influence", &mut problems) {
                    c.influence = i;
                }
                c.department = self.cell(v, "department").or(title).map(str::to_string);
                c.specialty = self.word::<Specialty>(v, "specialty", &mut problems);
                c.channels.email = self.cell(v, "email").map(str::to_string);
                c.channels.office_phone = self.cell(v, "office_phone").map(str::to_string);
                c.channels.cell = self.cell(v, "cell").map(str::to_string);
                c.channels.extension = self.cell(v, "extension").map(str::to_string);
                c.channels.linkedin = self.cell(v, "linkedin").map(str::to_string);
                c.preferred_channel = self.word::<Channel>(v, "preferred_channel", &mut problems);
                if let Some(list) = self.cell(v, "opt_outs") {
                    for word in list
                        .split([';', ','])
                        .map(str::trim)
                        .filter(|w| !w.is_empty())
                    {
                        match word.parse::<Channel>() {
                            Ok(ch) if !c.opt_outs.contains(&ch) => c.opt_outs.push(ch),
                            Ok(_) => {}
                            Err(InvalidValue(m)) => problems.push(self.problem(v, "opt_outs", m)),
                        }
                    }
                }
                for (field, channels) in [
                    ("opt_out_email", &[Channel::Email][..]),
                    (
                        "do_not_call",
                        &[Channel::Call, Channel::Voicemail, Channel::Text][..],
                    ),
                ] {
                    match cells::flag(self.cell(v, field)) {
                        Ok(true) => c.opt_outs.extend_from_slice(channels),
                        Ok(false) => {}
                        Err(m) => problems.push(self.problem(v, field, m)),
                    }
                }
                Item::Contact(Box::new(Draft {
                    origin,
                    external_id,
                    refs: Refs {
                        account: self.cell(v, "account").map(str::to_string),
                        ..Refs::default()
                    },
                    record: c,
                }))
            }
            MappedRecord::Touch => {
                let when = match (self.cell(v, "at"), self.cell(v, "date")) {
                    (Some(at), _) => match cells::instant(at, &jiff::tz::TimeZone::UTC) {
                        // An instant with an offset is kept; a local time is placed in
                        // the account's zone once the account is known.
                        Ok(ts)
                            if at.ends_with('Z') || at.contains('+') || at[10..].contains('-') =>
                        {
                            Some(When::At(ts))
                        }
                        Ok(_) => jiff::civil::DateTime::from_str(&at.replace(' ', "T"))
                            .ok()
                            .or_else(|| {
                                cells::date(at).ok().map(|d| {
                                    d.to_datetime(jiff::civil::Time::constant(12, 0, 0, 0))
                                })
                            })
                            .map(When::Local),
                        Err(m) => {
                            problems.push(self.problem(v, "at", m));
                            None
                        }
                    },
                    (None, Some(d)) => match cells::date(d) {
                        Ok(d) => Some(When::Local(
                            d.to_datetime(jiff::civil::Time::constant(12, 0, 0, 0)),
                        )),
                        Err(m) => {
                            problems.push(self.problem(v, "date", m));
                            None
                        }
                    },
                    (None, None) => {
                        problems.push(self.problem(v, "date", "is empty; a touch needs its date"));
                        None
                    }
                };
                let channel = self
                    .word::<Channel>(v, "channel", &mut problems)
                    .unwrap_or(Channel::Call);
                let outcome = self
                    .word::<Outcome>(v, "outcome", &mut problems)
                    .unwrap_or(Outcome::Conversation);
                let mut t = blank_touch(
                    channel,
                    outcome,
                    note_of(self.cell(v, "subject"), self.cell(v, "note")),
                );
                if let Some(d) = self.word::<Direction>(v, "direction", &mut problems) {
                    t.direction = d;
                }
                if let Some(k) = self.word::<TouchKind>(v, "kind", &mut problems) {
                    t.kind = k;
                }
                let day = match when {
                    Some(When::At(ts)) => Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date()),
                    Some(When::Local(dt)) => Some(dt.date()),
                    None => None,
                };
                if day.is_some_and(|d| d > cx.today) && problems.is_empty() {
                    return Ok(Item::LeftOut("touches dated after today"));
                }
                match when {
                    Some(when) if problems.is_empty() => Item::Touch(Box::new(TouchDraft {
                        draft: Draft {
                            origin,
                            external_id,
                            refs: Refs {
                                contact: self.cell(v, "contact").map(str::to_string),
                                ..Refs::default()
                            },
                            record: t,
                        },
                        when,
                    })),
                    _ => return Err(problems),
                }
            }
        };
        if problems.is_empty() {
            Ok(item)
        } else {
            Err(problems)
        }
    }
}

/// A commented starter mapping for a sheet with this header row: each field the
/// header seems to hold is filled in, the rest are commented out.
pub fn template(file: &str, header: &[String]) -> String {
    let norm = |s: &str| {
        s.to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    };
    let headers: Vec<(String, &String)> = header.iter().map(|h| (norm(h), h)).collect();
    let has = |words: &[&str]| {
        headers
            .iter()
            .any(|(n, _)| words.iter().any(|w| n.contains(w)))
    };
    let exactly = |words: &[&str]| headers.iter().any(|(n, _)| words.contains(&n.as_str()));
    let record = if has(&["contact", "who"]) && has(&["date", "when"]) {
        MappedRecord::Touch
    } else if exactly(&[
        "email",
        "emailaddress",
        "firstname",
        "lastname",
        "title",
        "fullname",
    ]) {
        MappedRecord::Contact
    } else {
        MappedRecord::Account
    };
    let synonyms = |field: &str| -> Vec<&'static str> {
        match field {
            "external_id" => vec!["id", "externalid", "recordid", "number"],
            "name" => vec!["name", "fullname", "practice", "accountname"],
            "owner" => vec!["owner", "rep", "ownerid", "repemail"],
            "account" => vec!["account", "accountid", "practiceid", "company"],
            "contact" => vec!["contact", "contactid", "whoid", "person"],
            "first_name" => vec!["firstname", "first", "givenname"],
            "last_name" => vec!["lastname", "last", "surname", "familyname"],
            "email" => vec!["email", "emailaddress", "mail"],
            "office_phone" => vec!["phone", "officephone", "workphone", "telephone"],
            "cell" => vec!["cell", "mobile", "mobilephone", "cellphone"],
            "street" => vec!["street", "address", "address1", "billingstreet"],
            "city" => vec!["city", "town", "billingcity"],
            "region" => vec!["state", "region", "province", "billingstate"],
            "postal_code" => vec![
                "zip",
                "zipcode",
                "postalcode",
                "postcode",
                "billingpostalcode",
            ],
            "lat" => vec!["lat", "latitude"],
            "lon" => vec!["lon", "lng", "longitude"],
            "at" => vec!["at", "datetime", "when", "time"],
            "date" => vec!["date", "day", "activitydate"],
            "note" => vec!["note", "notes", "description", "comments"],
            "subject" => vec!["subject", "topic"],
            _ => vec![],
        }
    };
    let mut out = String::new();
    out.push_str(&format!(
        "# A mapping for {file}: which column holds which field.\n\
         # Use it with: rounds import --mapping THIS-FILE.toml {file} --dry-run\n\
         # Lines starting with # are ignored; remove the # of a field to read it.\n\n\
         # What one row is: account, contact or touch.\n\
         record = \"{}\"\n\
         # The name the sheet's ids are kept under: importing again with the same source\n\
         # updates the records of the last import instead of adding new ones.\n\
         source = \"spreadsheet\"\n\n[columns]\n",
        match record {
            MappedRecord::Account => "account",
            MappedRecord::Contact => "contact",
            MappedRecord::Touch => "touch",
        }
    ));
    let mut used = Vec::new();
    for (field, _, what) in record.fields() {
        let own = norm(field);
        let found = synonyms(field)
            .into_iter()
            .chain([own.as_str()])
            .find_map(|s| {
                headers
                    .iter()
                    .find(|(n, h)| n == s && !used.contains(h))
                    .map(|(_, h)| *h)
            })
            // "Practice No", "Account Number", "Customer ID": a row's own id.
            .or_else(|| {
                (*field == "external_id").then(|| {
                    headers
                        .iter()
                        .find(|(n, _)| ["no", "number", "id"].iter().any(|e| n.ends_with(e)))
                        .map(|(_, h)| *h)
                })?
            });
        match found {
            Some(h) => {
                used.push(h);
                out.push_str(&format!("{field} = {:?}   # {what}\n", h));
            }
            None => out.push_str(&format!("# {field} = \"\"   # {what}\n")),
        }
    }
    let rest: Vec<&String> = header.iter().filter(|h| !used.contains(h)).collect();
    if !rest.is_empty() {
        out.push_str(&format!(
            "\n# Columns not read: {}\n",
            rest.iter()
                .map(|h| format!("{h:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.push_str(
        "\n# Map the sheet's words to Rounds' where they differ, e.g.\n\
         # [values.role]\n# \"Dr\" = \"physician\"\n# \"Office Mgr\" = \"office-manager\"\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_reports_every_unknown_field_and_missing_column() {
        let e = Mapping::from_toml(
            "record = \"contact\"\n[columns]\nexternal_id = \"ID\"\nnmae = \"N\"\n[values.rol]\nx = \"y\"\n",
        )
        .unwrap_err();
        assert!(
            e.iter()
                .any(|p| p.starts_with("columns.nmae: not a field of a contact")),
            "{e:?}"
        );
        assert!(e.iter().any(|p| p.starts_with("values.rol:")), "{e:?}");
        assert!(
            e.iter().any(|p| p.starts_with("columns.account: required")),
            "{e:?}"
        );
    }

    #[test]
    fn a_template_guesses_the_fields_a_header_holds_and_reads_back() {
        let header: Vec<String> = [
            "ID",
            "Practice ID",
            "First Name",
            "Last Name",
            "E-mail",
            "Mobile",
            "Shoe size",
        ]
        .map(String::from)
        .to_vec();
        let t = template("people.csv", &header);
        assert!(t.contains("record = \"contact\""), "{t}");
        assert!(t.contains("email = \"E-mail\""), "{t}");
        assert!(t.contains("cell = \"Mobile\""), "{t}");
        assert!(t.contains("\"Shoe size\""), "{t}");
        let m = Mapping::from_toml(&t).unwrap();
        assert_eq!(m.record, MappedRecord::Contact);
    }
}
