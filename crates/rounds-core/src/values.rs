//! Validated values and the one validation of each record.
//!
//! Every entry point (command line, API, forms, import) takes free text and numbers
//! from outside; this module is where they become values the rest of Rounds may trust.
//! Each value type can only be built by `parse`, which says why a value is refused, and
//! each record has one `validate` listing every problem by its JSON field path
//! (`address.lat`, `channels.email`, `stakeholders[1]`), so that a limit is written
//! once and the CLI, the API and `rounds import` cannot drift apart.
//!
//! The model keeps plain `String`/`f64` fields (its serde shapes are the export format
//! and the stored bodies, which must not change); `validate` is the gate in front of
//! every write instead.
//!
//! E-mail syntax is checked with the `email_address` crate (RFC 5321/5322 local parts
//! and domains, maintained, no dependencies) rather than a hand-written test; on top of
//! it a domain must have a dot (`maria@clinic.example`), since reps type addresses of
//! real offices, never of local hosts.

use std::fmt;

use jiff::civil::{Date, date};

use crate::model::{
    Account, Contact, InvalidValue, LostAccount, NextStep, NoFit, NoReferral, NoReferralReason,
    Outcome, ReferralCount, StepAction, StepUpdate, TimeOff, Topic, Touch, User, WorkWeek,
};

/// Names (accounts, contacts, users) and topic titles, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Free notes on touches and lost accounts, in characters.
pub const MAX_NOTE_CHARS: usize = 4_000;
/// The "what" of a next step, and the reason an account is no fit, in characters.
pub const MAX_STEP_CHARS: usize = 500;
/// Short optional text: address lines, departments, teams, profile facts, competitors.
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
/// Longer single-line text: LinkedIn addresses.
pub const MAX_LINK_CHARS: usize = 500;
/// A phone number or extension, as typed.
pub const MAX_PHONE_CHARS: usize = 40;
/// E-mail addresses, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Referrals from one provider on one day; more is a typing error, not a busy day.
pub const MAX_REFERRALS_PER_DAY: u32 = 1_000;
/// Referral days Rounds accepts.
pub const FIRST_REFERRAL_DAY: Date = date(2000, 1, 1);
pub const LAST_REFERRAL_DAY: Date = date(2100, 12, 31);

/// One thing wrong with a record: the field's path as in the JSON, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldProblem {
        FieldProblem {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn invalid(message: impl Into<String>) -> InvalidValue {
    InvalidValue(message.into())
}

/// Checks one line of text: trimmed length within `min..=max` characters and no control
/// characters. Returns the trimmed text.
fn line_text(s: &str, min: usize, max: usize, what: &str) -> Result<String, InvalidValue> {
    let t = s.trim();
    let n = t.chars().count();
    if n < min {
        return Err(invalid(format!("give {what}; it must not be empty")));
    }
    if n > max {
        return Err(invalid(format!(
            "{what} is {n} characters long; at most {max} are allowed"
        )));
    }
    if let Some(c) = t.chars().find(|c| c.is_control()) {
        return Err(invalid(format!(
            "{what} contains a control character (U+{:04X}); use plain text on one line",
            u32::from(c)
        )));
    }
    Ok(t.to_string())
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

text_value!(
    /// The name of an account, a contact or a user: trimmed, 1 to 200 characters, one
    /// line without control characters.
    Name
);
text_value!(
    /// A topic's title: the same rules as a [`Name`].
    Title
);
text_value!(
    /// A free note: up to 4,000 characters; newlines and tabs are allowed, other control
    /// characters are not. Windows line ends become `\n`.
    Note
);
text_value!(
    /// What the next step is (P33): trimmed, 1 to 500 characters, one line.
    StepText
);
text_value!(
    /// Why a next step was moved or dropped (P33): trimmed, 1 to 500 characters, one line.
    StepReason
);
text_value!(
    /// What a provider said when they had not referred (P10), in their words: trimmed, at
    /// most 500 characters, one line; may be empty unless the reason is `other`.
    NoReferralText
);
text_value!(
    /// A syntactically valid e-mail address with a dotted domain, lower-cased for
    /// comparison only when the caller asks ([`EmailAddress::login`]).
    EmailAddress
);
text_value!(
    /// A LinkedIn address: an `https` URL on `linkedin.com` or `www.linkedin.com`, at
    /// most 500 characters, without a user name, password or port. Pages may show it as
    /// a link, so no other scheme (`javascript:`, `data:`) or host gets in.
    LinkedInUrl
);
text_value!(
    /// A phone number or extension as typed: at least one digit, at most 40 characters
    /// of digits, spaces, `+ - ( ) . / # * , ;` and the letters of `ext`/`x`.
    Phone
);

impl Name {
    pub fn parse(s: &str) -> Result<Name, InvalidValue> {
        line_text(s, 1, MAX_NAME_CHARS, "a name").map(Name)
    }
}

impl Title {
    pub fn parse(s: &str) -> Result<Title, InvalidValue> {
        line_text(s, 1, MAX_NAME_CHARS, "a title").map(Title)
    }
}

impl StepText {
    pub fn parse(s: &str) -> Result<StepText, InvalidValue> {
        line_text(s, 1, MAX_STEP_CHARS, "what the next step is").map(StepText)
    }
}

impl NoReferralText {
    pub fn parse(s: &str) -> Result<NoReferralText, InvalidValue> {
        line_text(s, 0, MAX_STEP_CHARS, "what they said").map(NoReferralText)
    }
}

impl StepReason {
    pub fn parse(s: &str) -> Result<StepReason, InvalidValue> {
        line_text(s, 1, MAX_STEP_CHARS, "the reason").map(StepReason)
    }
}

/// A next step's new due date: not before the day the step was agreed, since a promise
/// cannot fall due before it was made (a typo of the year is the usual cause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepDue(Date);

impl StepDue {
    /// `set_on` is the local date of the touch that set the step.
    pub fn parse(due: Date, set_on: Date) -> Result<StepDue, InvalidValue> {
        if due < set_on {
            return Err(invalid(format!(
                "{due} is before {set_on}, the day the step was agreed; give a date on or after it"
            )));
        }
        Ok(StepDue(due))
    }

    pub fn get(self) -> Date {
        self.0
    }
}

impl Note {
    pub fn parse(s: &str) -> Result<Note, InvalidValue> {
        // Forms send `\r\n`; the stored note keeps one spelling of a line end.
        let text = if s.contains('\r') {
            s.replace("\r\n", "\n")
        } else {
            s.to_string()
        };
        let n = text.chars().count();
        if n > MAX_NOTE_CHARS {
            return Err(invalid(format!(
                "the note is {n} characters long; at most {MAX_NOTE_CHARS} are allowed"
            )));
        }
        if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && *c != '\n' && *c != '\t')
        {
            return Err(invalid(format!(
                "the note contains a control character (U+{:04X}); only line breaks and tabs are allowed",
                u32::from(c)
            )));
        }
        Ok(Note(text))
    }
}

impl EmailAddress {
    pub fn parse(s: &str) -> Result<EmailAddress, InvalidValue> {
        let t = s.trim();
        let bad = || {
            invalid(format!(
                "`{t}` is not an e-mail address (e.g. maria@clinic.example)"
            ))
        };
        // A quoted local part may hold almost anything; control characters never belong
        // in an address (PostgreSQL cannot even store a NUL).
        if let Some(c) = t.chars().find(|c| c.is_control()) {
            return Err(invalid(format!(
                "the e-mail address contains a control character (U+{:04X})",
                u32::from(c)
            )));
        }
        if t.is_empty() || t.len() > MAX_EMAIL_BYTES || t.chars().any(|c| c.is_whitespace()) {
            return Err(bad());
        }
        let options = email_address::Options::default()
            .with_required_tld()
            .without_display_text()
            .without_domain_literal();
        email_address::EmailAddress::parse_with_options(t, options).map_err(|_| bad())?;
        Ok(EmailAddress(t.to_string()))
    }

    /// The address lower-cased: the sign-in name, unique across organisations.
    pub fn login(&self) -> String {
        self.0.to_lowercase()
    }
}

impl Phone {
    pub fn parse(s: &str) -> Result<Phone, InvalidValue> {
        let t = s.trim();
        if !t.chars().any(|c| c.is_ascii_digit()) {
            return Err(invalid(format!("`{t}` has no digits; give a phone number")));
        }
        if t.chars().count() > MAX_PHONE_CHARS {
            return Err(invalid(format!(
                "a phone number is at most {MAX_PHONE_CHARS} characters"
            )));
        }
        let allowed = |c: char| c.is_ascii_digit() || c == ' ' || "+-().#*/,;extEXT".contains(c);
        if let Some(c) = t.chars().find(|c| !allowed(*c)) {
            return Err(invalid(format!(
                "`{t}` is not a phone number (`{c}` is not allowed; digits, spaces and + - ( ) . are)"
            )));
        }
        Ok(Phone(t.to_string()))
    }
}

impl LinkedInUrl {
    pub fn parse(s: &str) -> Result<LinkedInUrl, InvalidValue> {
        let t = line_text(s, 1, MAX_LINK_CHARS, "the LinkedIn address")?;
        let example = "give it as https://www.linkedin.com/in/…";
        // Read as a browser reads it (WHATWG rules: `\` as `/`, tabs dropped, hosts
        // lower-cased), so the host checked is the host a click would open.
        let url = url::Url::parse(&t)
            .map_err(|e| invalid(format!("`{t}` is not a web address ({e}); {example}")))?;
        if url.scheme() != "https" {
            return Err(invalid(format!(
                "a LinkedIn address starts with https://, not {}:; {example}",
                url.scheme()
            )));
        }
        if !matches!(url.host_str(), Some("linkedin.com" | "www.linkedin.com")) {
            return Err(invalid(format!(
                "a LinkedIn address is on linkedin.com or www.linkedin.com; {example}"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() || url.port().is_some() {
            return Err(invalid(format!(
                "a LinkedIn address has no user name, password or port; {example}"
            )));
        }
        Ok(LinkedInUrl(t))
    }
}

/// A latitude and longitude in degrees: finite, latitude −90…90, longitude −180…180.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    lat: f64,
    lon: f64,
}

/// Which half of a pair of coordinates is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoordinatesError {
    #[error("{0}")]
    Lat(InvalidValue),
    #[error("{0}")]
    Lon(InvalidValue),
}

impl CoordinatesError {
    /// The field's name: `lat` or `lon`.
    pub fn field(&self) -> &'static str {
        match self {
            CoordinatesError::Lat(_) => "lat",
            CoordinatesError::Lon(_) => "lon",
        }
    }
    pub fn message(&self) -> &str {
        match self {
            CoordinatesError::Lat(e) | CoordinatesError::Lon(e) => &e.0,
        }
    }
}

impl Coordinates {
    pub fn parse(lat: f64, lon: f64) -> Result<Coordinates, CoordinatesError> {
        Coordinates::latitude(lat).map_err(CoordinatesError::Lat)?;
        Coordinates::longitude(lon).map_err(CoordinatesError::Lon)?;
        Ok(Coordinates { lat, lon })
    }
    /// Checks a latitude alone (a form or flag may give one half).
    pub fn latitude(lat: f64) -> Result<f64, InvalidValue> {
        if lat.is_finite() && (-90.0..=90.0).contains(&lat) {
            Ok(lat)
        } else {
            Err(invalid(format!("{lat} is not a latitude (−90 to 90)")))
        }
    }
    /// Checks a longitude alone.
    pub fn longitude(lon: f64) -> Result<f64, InvalidValue> {
        if lon.is_finite() && (-180.0..=180.0).contains(&lon) {
            Ok(lon)
        } else {
            Err(invalid(format!("{lon} is not a longitude (−180 to 180)")))
        }
    }
    pub fn lat(&self) -> f64 {
        self.lat
    }
    pub fn lon(&self) -> f64 {
        self.lon
    }
}

/// Referrals from one provider on one day: 0 to 1,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReferralCountValue(u32);

impl ReferralCountValue {
    /// Takes a wide integer so that a count beyond `u32` is refused with the reason,
    /// not wrapped or turned into a type error.
    pub fn parse(n: u64) -> Result<ReferralCountValue, InvalidValue> {
        match u32::try_from(n) {
            Ok(v) if v <= MAX_REFERRALS_PER_DAY => Ok(ReferralCountValue(v)),
            _ => Err(invalid(format!(
                "{n} referrals in a day is not plausible; at most {MAX_REFERRALS_PER_DAY}"
            ))),
        }
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A day a referral count may be recorded for: 2000-01-01 to 2100-12-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReferralDay(Date);

impl ReferralDay {
    pub fn parse(day: Date) -> Result<ReferralDay, InvalidValue> {
        if (FIRST_REFERRAL_DAY..=LAST_REFERRAL_DAY).contains(&day) {
            Ok(ReferralDay(day))
        } else {
            Err(invalid(format!(
                "{day} is outside {FIRST_REFERRAL_DAY} to {LAST_REFERRAL_DAY}"
            )))
        }
    }
    pub fn get(self) -> Date {
        self.0
    }
}

/// Collects problems while checking one record.
/// What in `text` looks like a patient identifier, if anything: a date of birth (a
/// "DOB", "date of birth" or "born" followed closely by a date), a medical record
/// number (an "MRN", "medical record", "chart" or "patient id" followed closely by a
/// number of four digits or more) or a social security number (`123-45-6789`).
/// Rounds keeps referral counts and business notes, never patient data (P9): a note
/// that names a patient this way is refused rather than stored. Ordinary dates, phone
/// numbers and counts pass.
pub fn patient_identifier(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let after = |keys: &[&str], wanted: &dyn Fn(&str) -> bool| {
        keys.iter().any(|key| {
            lower.match_indices(key).any(|(at, _)| {
                let before_ok = lower[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
                let rest = &lower[at + key.len()..];
                let word_ends = rest.chars().next().is_none_or(|c| !c.is_alphabetic());
                let window: String = rest.chars().take(24).collect();
                before_ok && word_ends && wanted(&window)
            })
        })
    };
    let has_date = |w: &str| {
        w.split(|c: char| c.is_whitespace() || c == ',' || c == ':' || c == ';')
            .any(|token| {
                let digits = token.chars().filter(char::is_ascii_digit).count();
                let separators = token
                    .chars()
                    .filter(|c| matches!(c, '/' | '-' | '.'))
                    .count();
                digits >= 4
                    && separators >= 2
                    && token
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | '.'))
            })
    };
    let has_number = |w: &str| {
        w.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|token| token.chars().filter(char::is_ascii_digit).count() >= 4)
    };
    if after(&["dob", "d.o.b", "date of birth", "born"], &has_date) {
        return Some("a date of birth");
    }
    if after(
        &[
            "mrn",
            "medical record",
            "chart",
            "patient id",
            "patient #",
            "pt id",
        ],
        &has_number,
    ) {
        return Some("a medical record number");
    }
    let bytes = text.as_bytes();
    let ssn = bytes.windows(11).enumerate().any(|(i, w)| {
        let shape = w.iter().enumerate().all(|(k, b)| match k {
            3 | 6 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
        let alone = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 11).is_none_or(|b| !b.is_ascii_digit());
        shape && alone
    });
    ssn.then_some("a social security number")
}

/// The refusal of a text field holding a patient identifier.
fn no_patient_data(c: &mut Check, field: &str, text: &str) {
    if let Some(what) = patient_identifier(text) {
        c.0.push(FieldProblem::new(
            field,
            format!(
                "looks like it holds {what}: Rounds records referral counts and business notes, never patient data (P9); leave the patient out"
            ),
        ));
    }
}

struct Check(Vec<FieldProblem>);

impl Check {
    fn new() -> Check {
        Check(Vec::new())
    }
    fn field<T>(&mut self, field: impl Into<String>, r: Result<T, InvalidValue>) {
        if let Err(e) = r {
            self.0.push(FieldProblem::new(field, e.0));
        }
    }
    fn short(&mut self, field: impl Into<String>, text: &str, what: &str) {
        let field = field.into();
        if !text.trim().is_empty() {
            self.field(field, line_text(text, 0, MAX_SHORT_TEXT_CHARS, what));
        }
    }
    /// P14: free text that offers value per referral is refused, naming the rule. Only
    /// checked once the text is otherwise valid, so a field gets one reason at a time.
    fn no_value_per_referral(&mut self, field: &str, text: &str) {
        if self.0.iter().any(|p| p.field == field) {
            return;
        }
        self.field(field, crate::compliance::no_value_per_referral(text));
    }
    fn pain_points(&mut self, field: &str, keys: &[String]) {
        for (i, key) in keys.iter().enumerate() {
            if crate::catalogue::pain_point(key).is_none() {
                self.0.push(FieldProblem::new(
                    format!("{field}[{i}]"),
                    format!("`{key}` is not in the pain-point catalogue"),
                ));
            }
        }
    }
    fn done(self) -> Vec<FieldProblem> {
        self.0
    }
}

impl Account {
    /// Every problem with this account, by field path; empty when it may be stored.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        c.field("name", Name::parse(&self.name));
        c.field("address.lat", Coordinates::latitude(self.address.lat));
        c.field("address.lon", Coordinates::longitude(self.address.lon));
        c.short("address.street", &self.address.street, "the street");
        c.short("address.city", &self.address.city, "the city");
        c.short("address.region", &self.address.region, "the region");
        c.short(
            "address.postal_code",
            &self.address.postal_code,
            "the postal code",
        );
        for (k, v) in &self.profile {
            c.field(
                format!("profile.{k}"),
                line_text(k, 1, MAX_SHORT_TEXT_CHARS, "a profile key"),
            );
            c.short(format!("profile.{k}"), v, "a profile fact");
        }
        c.pain_points("pain_points", &self.pain_points);
        c.done()
    }
}

impl Contact {
    /// Every problem with this contact, by field path.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        c.field("name", Name::parse(&self.name));
        if let Some(d) = &self.department {
            c.short("department", d, "the department");
        }
        let ch = &self.channels;
        if let Some(e) = &ch.email {
            c.field("channels.email", EmailAddress::parse(e));
        }
        for (field, value) in [
            ("channels.cell", &ch.cell),
            ("channels.office_phone", &ch.office_phone),
            ("channels.extension", &ch.extension),
        ] {
            if let Some(v) = value {
                c.field(field, Phone::parse(v));
            }
        }
        if let Some(l) = &ch.linkedin {
            c.field("channels.linkedin", LinkedInUrl::parse(l));
        }
        if let Some(consent) = &self.text_consent {
            if consent.source.trim().is_empty() {
                c.0.push(FieldProblem::new(
                    "text_consent.source",
                    "say where the consent is recorded (signed-form, text-reply…)",
                ));
            } else {
                c.short(
                    "text_consent.source",
                    &consent.source,
                    "where the consent is recorded",
                );
            }
        }
        if let Some(p) = self.preferred_channel
            && self.opt_outs.contains(&p)
        {
            c.0.push(FieldProblem::new(
                "preferred_channel",
                format!("the contact opted out of {p}"),
            ));
        }
        c.done()
    }
}

impl Topic {
    /// Every problem with this topic, by field path.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        c.field("title", Title::parse(&self.title));
        c.no_value_per_referral("title", &self.title);
        c.pain_points("pain_points", &self.pain_points);
        c.done()
    }
}

impl NextStep {
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        c.field("what", StepText::parse(&self.what));
        c.no_value_per_referral("what", &self.what);
        c.done()
    }
}

impl Touch {
    /// Every problem with this touch that can be seen without the store (that its
    /// topics exist is checked against the library by whoever writes it).
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        if let Some(step) = &self.next_step {
            c.field("next_step.what", StepText::parse(&step.what));
            no_patient_data(&mut c, "next_step.what", &step.what);
            c.no_value_per_referral("next_step.what", &step.what);
        }
        c.field("note", Note::parse(&self.note));
        no_patient_data(&mut c, "note", &self.note);
        c.no_value_per_referral("note", &self.note);
        if let Some(nr) = &self.no_referral {
            c.0.extend(nr.validate(self.outcome));
        }
        c.done()
    }
}

impl NoReferral {
    /// Every problem with this reason on a touch with `outcome`, by its path in the
    /// touch (`no_referral.reason`, `no_referral.text`).
    pub fn validate(&self, outcome: Outcome) -> Vec<FieldProblem> {
        let mut c = Check::new();
        // A reason is what the provider said: only a touch they answered carries one, and
        // a touch that brought a referral cannot say there was none (P10).
        if !outcome.answered() || outcome == Outcome::Referral {
            c.0.push(FieldProblem::new(
                "no_referral.reason",
                format!(
                    "a reason for not referring is what the provider said; record it on a touch they answered \
                     (conversation, positive, negative or order), not on one with outcome `{outcome}`"
                ),
            ));
        }
        c.field("no_referral.text", NoReferralText::parse(&self.text));
        if self.reason == NoReferralReason::Other && self.text.trim().is_empty() {
            c.0.push(FieldProblem::new(
                "no_referral.text",
                "say in a few words what they said when the reason is `other`",
            ));
        }
        c.done()
    }
}

impl StepUpdate {
    /// Every problem with this update that can be seen without its step; the date
    /// against the step's own day is [`StepDue`]'s, checked by whoever holds the touch.
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        if self.seq == 0 {
            c.0.push(FieldProblem::new("seq", "a step's updates count from 1"));
        }
        match &self.action {
            StepAction::Complete => {}
            StepAction::Reschedule { reason, .. } | StepAction::Skip { reason } => {
                c.field("action.reason", StepReason::parse(reason));
            }
            StepAction::Edit { what, due } => {
                if let Some(what) = what {
                    c.field("action.what", StepText::parse(what));
                    c.no_value_per_referral("action.what", what);
                }
                if what.is_none() && due.is_none() {
                    c.0.push(FieldProblem::new(
                        "action.what",
                        "an edit changes what the step is, its due date, or both",
                    ));
                }
            }
        }
        c.done()
    }
}

impl ReferralCount {
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        c.field("day", ReferralDay::parse(self.day));
        c.field("count", ReferralCountValue::parse(u64::from(self.count)));
        c.done()
    }
}

impl LostAccount {
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        if let Some(comp) = &self.competitor {
            c.short("competitor", comp, "the competitor");
        }
        for (i, s) in self.stakeholders.iter().enumerate() {
            c.field(format!("stakeholders[{i}]"), Name::parse(s));
        }
        c.field("note", Note::parse(&self.note));
        for (i, e) in self.earlier.iter().enumerate() {
            if let Some(comp) = &e.competitor {
                c.short(format!("earlier[{i}].competitor"), comp, "the competitor");
            }
            for (j, s) in e.stakeholders.iter().enumerate() {
                c.field(format!("earlier[{i}].stakeholders[{j}]"), Name::parse(s));
            }
            c.field(format!("earlier[{i}].note"), Note::parse(&e.note));
        }
        c.done()
    }
}

impl WorkWeek {
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        if self.days.is_empty() {
            c.0.push(FieldProblem::new(
                "days",
                "name at least one working day (e.g. mon-thu)",
            ));
        }
        c.done()
    }
}

impl TimeOff {
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        if self.to < self.from {
            c.0.push(FieldProblem::new(
                "to",
                format!(
                    "the time off ends ({}) before it starts ({})",
                    self.to, self.from
                ),
            ));
        }
        if self.reason.trim().is_empty() {
            c.0.push(FieldProblem::new(
                "reason",
                "say why (vacation, training, sick leave…)",
            ));
        } else {
            c.short("reason", &self.reason, "the reason");
        }
        c.done()
    }
}

impl NoFit {
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        if self.reason.trim().is_empty() {
            c.0.push(FieldProblem::new("reason", "say why the account is no fit"));
        } else {
            c.field(
                "reason",
                line_text(&self.reason, 1, MAX_STEP_CHARS, "the reason"),
            );
        }
        c.done()
    }
}

impl User {
    pub fn validate(&self) -> Vec<FieldProblem> {
        let mut c = Check::new();
        c.field("name", Name::parse(&self.name));
        c.field("email", EmailAddress::parse(&self.email));
        if let Some(t) = &self.team {
            c.short("team", t, "the team");
        }
        c.done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason<T: fmt::Debug>(r: Result<T, InvalidValue>) -> String {
        r.expect_err("should be refused").0
    }

    #[test]
    fn names_are_trimmed_non_empty_bounded_and_on_one_line() {
        assert_eq!(Name::parse("  Dr. Reyes ").unwrap().as_str(), "Dr. Reyes");
        assert!(reason(Name::parse("   ")).contains("must not be empty"));
        assert!(Name::parse(&"a".repeat(200)).is_ok());
        assert!(reason(Name::parse(&"a".repeat(201))).contains("at most 200"));
        assert!(reason(Name::parse("a\nb")).contains("control character"));
        assert!(Name::parse("Ærø Ünïcode — ok").is_ok());
        assert!(Title::parse("Prior auths").is_ok());
        assert!(Title::parse("").is_err());
    }

    #[test]
    fn linkedin_addresses_are_https_urls_on_linkedin_only() {
        for ok in [
            "https://www.linkedin.com/in/ada-moreno",
            " https://linkedin.com/company/lakeside ",
            "https://WWW.LinkedIn.com/in/x?trk=1#top",
        ] {
            assert!(LinkedInUrl::parse(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("javascript:alert(document.cookie)", "starts with https://"),
            (
                "JavaScript://www.linkedin.com/%0aalert(1)",
                "starts with https://",
            ),
            (
                "data:text/html,<script>alert(1)</script>",
                "starts with https://",
            ),
            ("http://www.linkedin.com/in/x", "starts with https://"),
            (
                "https://www.linkedin.com.evil.example/in/x",
                "on linkedin.com",
            ),
            ("https://evil.example/www.linkedin.com", "on linkedin.com"),
            ("https:\\\\evil.example\\in", "on linkedin.com"),
            ("https://www.linkedin.com@evil.example/", "on linkedin.com"),
            ("https://user@www.linkedin.com/in/x", "no user name"),
            ("https://www.linkedin.com:8443/in/x", "no user name"),
            ("in/ada-moreno", "not a web address"),
            ("", "must not be empty"),
        ] {
            assert!(reason(LinkedInUrl::parse(bad)).contains(why), "{bad}");
        }
    }

    #[test]
    fn notes_allow_line_breaks_and_tabs_up_to_4000_characters() {
        assert_eq!(Note::parse("a\r\nb\tc").unwrap().as_str(), "a\nb\tc");
        assert!(Note::parse("").is_ok());
        assert!(Note::parse(&"é".repeat(4000)).is_ok());
        assert!(reason(Note::parse(&"x".repeat(4001))).contains("at most 4000"));
        assert!(reason(Note::parse("bell\u{7}")).contains("U+0007"));
    }

    #[test]
    fn step_text_is_1_to_500_characters() {
        assert!(StepText::parse("send samples").is_ok());
        assert!(StepText::parse(" ").is_err());
        assert!(StepText::parse(&"x".repeat(500)).is_ok());
        assert!(StepText::parse(&"x".repeat(501)).is_err());
    }

    #[test]
    fn email_addresses_need_a_local_part_and_a_dotted_domain() {
        assert!(EmailAddress::parse("maria@lakeside.example").is_ok());
        assert!(EmailAddress::parse("first.last+tag@sub.clinic.example").is_ok());
        for bad in [
            "maria@",
            "@clinic.example",
            "maria",
            "maria@localhost",
            "ma ria@clinic.example",
            "Maria <maria@clinic.example>",
            "",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} accepted");
        }
        let long = format!("{}@clinic.example", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
        assert_eq!(
            EmailAddress::parse("Ann@X.Example").unwrap().login(),
            "ann@x.example"
        );
    }

    #[test]
    fn phones_need_digits_and_only_phone_characters() {
        assert!(Phone::parse("+1 (312) 555-0142").is_ok());
        assert!(Phone::parse("12").is_ok());
        assert!(Phone::parse("555 0100 ext. 4").is_ok());
        assert!(reason(Phone::parse("call me")).contains("no digits"));
        assert!(Phone::parse("555<script>").is_err());
        assert!(Phone::parse(&"1".repeat(41)).is_err());
    }

    #[test]
    fn coordinates_are_finite_and_on_the_globe() {
        assert!(Coordinates::parse(41.88, -87.63).is_ok());
        assert!(Coordinates::parse(90.0, 180.0).is_ok());
        assert_eq!(Coordinates::parse(1000.0, 0.0).unwrap_err().field(), "lat");
        assert_eq!(Coordinates::parse(0.0, -180.5).unwrap_err().field(), "lon");
        assert!(Coordinates::parse(f64::NAN, 0.0).is_err());
        assert!(Coordinates::parse(0.0, f64::INFINITY).is_err());
    }

    #[test]
    fn referral_counts_and_days_are_plausible() {
        assert_eq!(ReferralCountValue::parse(0).unwrap().get(), 0);
        assert_eq!(ReferralCountValue::parse(1000).unwrap().get(), 1000);
        assert!(ReferralCountValue::parse(1001).is_err());
        assert!(reason(ReferralCountValue::parse(1 << 32)).contains("4294967296"));
        assert!(ReferralCountValue::parse(u64::from(u32::MAX)).is_err());
        assert!(ReferralDay::parse(date(2000, 1, 1)).is_ok());
        assert!(ReferralDay::parse(date(2100, 12, 31)).is_ok());
        assert!(ReferralDay::parse(date(1999, 12, 31)).is_err());
        assert!(ReferralDay::parse(date(2101, 1, 1)).is_err());
    }
}
