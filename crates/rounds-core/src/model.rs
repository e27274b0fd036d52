//! The territory: organisations, people, accounts, contacts, topics, touches and
//! business signals. Every type here is plain data that can only hold valid values;
//! raw input is parsed into these types at the edges (CLI, import, storage).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// A value that failed validation at a boundary; the caller adds the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map($name)
                    .ok_or_else(|| InvalidValue(format!("`{s}` is not an id (a positive whole number)")))
            }
        }
    };
}

id_type!(
    /// Every stored row carries its organisation, so data can later be sharded by it.
    OrgId
);
id_type!(UserId);
id_type!(AccountId);
id_type!(ContactId);
id_type!(TopicId);
id_type!(TouchId);
id_type!(
    /// A period of time off of one rep.
    TimeOffId
);
id_type!(
    /// A transfer of value recorded in the ledger (P14).
    TransferId
);

/// Declares a closed vocabulary with a kebab-case spelling used everywhere: CLI, TOML,
/// JSON and the database, so that one parser serves every boundary.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let choices: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        InvalidValue(format!("`{s}` is not one of: {}", choices.join(", ")))
                    })
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// What a user may see and do.
    Role { Rep => "rep", Manager => "manager", Admin => "admin" }
);
vocabulary!(
    /// What kind of place an account is.
    AccountKind {
        Practice => "practice",
        Clinic => "clinic",
        Hospital => "hospital",
        ImagingCentre => "imaging-centre",
        TherapyPractice => "therapy-practice",
        Pharmacy => "pharmacy",
        LawFirm => "law-firm",
        Other => "other",
    }
);
vocabulary!(
    /// The market segment, which decides which pain points apply (P25).
    Segment { MedicalProvider => "medical-provider", LawFirm => "law-firm", Other => "other" }
);
vocabulary!(
    /// Whether vendors may drop in or call (P6).
    AccessPolicy { Open => "open", AppointmentOnly => "appointment-only", NoVendorContact => "no-vendor-contact" }
);
vocabulary!(
    /// Where the relationship stands (P15, P22, P31).
    AccountStatus { Prospect => "prospect", Customer => "customer", Lost => "lost", NoFit => "no-fit" }
);
vocabulary!(
    /// A contact's job in the office.
    ContactRole {
        Physician => "physician",
        OfficeManager => "office-manager",
        HeadNurse => "head-nurse",
        FrontDesk => "front-desk",
        PracticeAdministrator => "practice-administrator",
        Attorney => "attorney",
        CaseManager => "case-manager",
        Paralegal => "paralegal",
        Other => "other",
    }
);
vocabulary!(
    /// How much a contact can move the account (P30).
    Influence { DecisionMaker => "decision-maker", Influencer => "influencer", Gatekeeper => "gatekeeper", User => "user" }
);
vocabulary!(
    /// The channels of P45.
    Channel {
        Visit => "visit",
        Call => "call",
        Voicemail => "voicemail",
        Email => "email",
        Text => "text",
        Linkedin => "linkedin",
        HandwrittenNote => "handwritten-note",
        Letter => "letter",
        VirtualMeeting => "virtual-meeting",
    }
);
vocabulary!(
    /// Who started the touch.
    Direction { Outbound => "outbound", Inbound => "inbound" }
);
vocabulary!(
    /// What came of a touch. `NoResponse` is an unanswered attempt (no answer, a
    /// voicemail left, an email without reply); everything else means they engaged.
    Outcome {
        NoResponse => "no-response",
        Conversation => "conversation",
        Positive => "positive",
        Negative => "negative",
        Referral => "referral",
        Order => "order",
    }
);
vocabulary!(
    /// What a touch was for, where it matters to a rule.
    TouchKind {
        Routine => "routine",
        FirstMeeting => "first-meeting",
        ReferralMeeting => "referral-meeting",
        RecordsCheck => "records-check",
        Confirmation => "confirmation",
        ThankYou => "thank-you",
        ReferralAsk => "referral-ask",
        Feedback => "feedback",
        Nurture => "nurture",
        Breakup => "breakup",
        MeetingRequest => "meeting-request",
    }
);
vocabulary!(
    /// Why an account was lost (P15).
    LossReason {
        Pricing => "pricing",
        LostContract => "lost-contract",
        CompetitorWonContract => "competitor-won-contract",
        ProductQuality => "product-quality",
        CustomerService => "customer-service",
        Other => "other",
    }
);

vocabulary!(
    /// Why a provider says they have not referred (P10), as the rep heard it. `vague`
    /// (no clear reason) is the answer that hints at a competing relationship;
    /// `referring-elsewhere` names one outright.
    NoReferralReason {
        NoFittingPatients => "no-fitting-patients",
        ReferringElsewhere => "referring-elsewhere",
        Forgot => "forgot",
        BadExperience => "bad-experience",
        Insurance => "insurance",
        Other => "other",
        Vague => "vague",
    }
);

vocabulary!(
    /// What became of an agreed next step (P33): still open, completed, skipped, or
    /// superseded (a later touch was answered or set a new step, and nobody closed it).
    StepState { Open => "open", Completed => "completed", Skipped => "skipped", Superseded => "superseded" }
);

impl TouchKind {
    /// An attempt to reach the contact, counted by the cadences (P20, P29): not the
    /// low-frequency presence of nurture (P17, P31) or of a no-see account's written
    /// meeting requests (P6).
    pub fn is_attempt(self) -> bool {
        !matches!(self, TouchKind::Nurture | TouchKind::MeetingRequest)
    }
}

impl Outcome {
    /// The contact engaged: anything but an unanswered attempt.
    pub fn answered(self) -> bool {
        self != Outcome::NoResponse
    }
    /// Counts toward the "satisfied account" threshold of P13.
    pub fn positive(self) -> bool {
        matches!(self, Outcome::Positive | Outcome::Referral | Outcome::Order)
    }
    /// A real conversation took place, so a next step is owed (P33).
    pub fn conversation(self) -> bool {
        self.answered()
    }
}

impl Channel {
    /// Channels that reach a person live and need the office to accept vendors (P6).
    pub fn is_cold_reach(self) -> bool {
        matches!(
            self,
            Channel::Visit | Channel::Call | Channel::Voicemail | Channel::Text
        )
    }
    pub fn uses_cell(self) -> bool {
        matches!(self, Channel::Text)
    }
}

impl Influence {
    /// Planning favours those who can move the account (P30).
    pub fn weight(self) -> f64 {
        match self {
            Influence::DecisionMaker => 1.5,
            Influence::Influencer => 1.25,
            Influence::User => 1.0,
            Influence::Gatekeeper => 0.8,
        }
    }
}

impl ContactRole {
    /// Practice staff whose relationship P11 asks us to build.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            ContactRole::OfficeManager
                | ContactRole::HeadNurse
                | ContactRole::PracticeAdministrator
        )
    }
}

/// A lowercase slug naming a medical or legal speciality, e.g. `orthopaedics`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Specialty(String);

impl Specialty {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Specialty {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
impl From<Specialty> for String {
    fn from(s: Specialty) -> String {
        s.0
    }
}
impl FromStr for Specialty {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let slug = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        if slug.is_empty()
            || !slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(InvalidValue(format!(
                "`{s}` is not a specialty name (letters, digits and dashes, e.g. `pain-management`)"
            )));
        }
        Ok(Specialty(slug))
    }
}
impl fmt::Display for Specialty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone name that the bundled database knows, e.g. `America/Chicago`.
/// The resolved zone is kept beside the name so that conversions never look it up again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TzName {
    name: String,
    zone: TimeZone,
}

impl PartialEq for TzName {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for TzName {}
impl PartialOrd for TzName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for TzName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name.cmp(&other.name)
    }
}
impl std::hash::Hash for TzName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state)
    }
}

impl TzName {
    pub fn as_str(&self) -> &str {
        &self.name
    }
    pub fn zone(&self) -> TimeZone {
        self.zone.clone()
    }
}
impl FromStr for TzName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        TimeZone::get(s)
            .map(|zone| TzName {
                name: s.to_string(),
                zone,
            })
            .map_err(|_| {
                InvalidValue(format!(
                    "`{s}` is not an IANA time zone (e.g. `America/Chicago`)"
                ))
            })
    }
}
impl TryFrom<String> for TzName {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
impl From<TzName> for String {
    fn from(t: TzName) -> String {
        t.name
    }
}
impl fmt::Display for TzName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A half-open local time range `start..end` within one day, written `09:00-12:30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeRange {
    pub start: Time,
    pub end: Time,
}

impl TimeRange {
    pub fn new(start: Time, end: Time) -> Result<Self, InvalidValue> {
        if start >= end {
            return Err(InvalidValue(format!(
                "time range {}-{} ends before it starts",
                start.strftime("%H:%M"),
                end.strftime("%H:%M")
            )));
        }
        Ok(TimeRange { start, end })
    }
    pub fn hm(sh: i8, sm: i8, eh: i8, em: i8) -> Self {
        TimeRange {
            start: Time::constant(sh, sm, 0, 0),
            end: Time::constant(eh, em, 0, 0),
        }
    }
    pub fn minutes(&self) -> i64 {
        minutes_of(self.end) - minutes_of(self.start)
    }
    pub fn contains(&self, t: Time) -> bool {
        self.start <= t && t < self.end
    }
    /// The overlap of two ranges, if they share at least one minute.
    pub fn intersect(&self, other: &TimeRange) -> Option<TimeRange> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(TimeRange { start, end })
    }
}

pub fn minutes_of(t: Time) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

impl FromStr for TimeRange {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidValue(format!("`{s}` is not a time range like `09:00-12:30`"));
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let start: Time = a.trim().parse().map_err(|_| bad())?;
        let end: Time = b.trim().parse().map_err(|_| bad())?;
        TimeRange::new(start, end)
    }
}
impl TryFrom<String> for TimeRange {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
impl From<TimeRange> for String {
    fn from(r: TimeRange) -> String {
        r.to_string()
    }
}
impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M")
        )
    }
}

/// Parses `mon`, `Tuesday`, `thu` … into a weekday.
pub fn parse_weekday(s: &str) -> Result<Weekday, InvalidValue> {
    let w = s.trim().to_ascii_lowercase();
    let day = match w.get(..3).unwrap_or("") {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => {
            return Err(InvalidValue(format!(
                "`{s}` is not a weekday (mon, tue, … sun)"
            )));
        }
    };
    Ok(day)
}

pub fn weekday_key(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

/// Office hours per weekday; a day may have several ranges (a lunch gap between them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, Vec<TimeRange>>",
    into = "BTreeMap<String, Vec<TimeRange>>"
)]
pub struct WeekHours {
    days: [Vec<TimeRange>; 7],
}

impl WeekHours {
    pub fn on(&self, day: Weekday) -> &[TimeRange] {
        &self.days[day.to_monday_zero_offset() as usize]
    }
    pub fn set(&mut self, day: Weekday, mut ranges: Vec<TimeRange>) {
        ranges.sort();
        self.days[day.to_monday_zero_offset() as usize] = ranges;
    }
    /// The same hours Monday to Friday, closed at the weekend.
    pub fn weekdays(ranges: &[TimeRange]) -> Self {
        let mut h = WeekHours::default();
        for d in 0..5 {
            h.days[d] = ranges.to_vec();
        }
        h
    }
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(|d| d.is_empty())
    }
    /// Gaps between consecutive ranges on a day: the lunch break, for P27.
    pub fn gaps(&self, day: Weekday) -> Vec<TimeRange> {
        self.on(day)
            .windows(2)
            .filter_map(|w| TimeRange::new(w[0].end, w[1].start).ok())
            .collect()
    }
}

impl TryFrom<BTreeMap<String, Vec<TimeRange>>> for WeekHours {
    type Error = InvalidValue;
    fn try_from(map: BTreeMap<String, Vec<TimeRange>>) -> Result<Self, Self::Error> {
        let mut h = WeekHours::default();
        for (k, v) in map {
            let day = parse_weekday(&k)?;
            let mut sorted = v.clone();
            sorted.sort();
            if sorted.windows(2).any(|w| w[0].end > w[1].start) {
                return Err(InvalidValue(format!("office hours on {k} overlap")));
            }
            h.set(day, sorted);
        }
        Ok(h)
    }
}
impl From<WeekHours> for BTreeMap<String, Vec<TimeRange>> {
    fn from(h: WeekHours) -> Self {
        let mut m = BTreeMap::new();
        for (i, ranges) in h.days.iter().enumerate() {
            if !ranges.is_empty() {
                let day = Weekday::from_monday_zero_offset(i as i8).unwrap_or(Weekday::Monday);
                m.insert(weekday_key(day).to_string(), ranges.clone());
            }
        }
        m
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    /// Demo territories may be replaced by `rounds demo`; real ones never are.
    #[serde(default)]
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    /// The rep whose territory holds this account.
    pub rep: UserId,
    pub kind: AccountKind,
    pub segment: Segment,
    #[serde(default)]
    pub specialties: Vec<Specialty>,
    pub address: Address,
    pub tz: TzName,
    #[serde(default)]
    pub office_hours: WeekHours,
    /// Best times to drop in, every open day (P27).
    #[serde(default)]
    pub visit_windows: Vec<TimeRange>,
    /// The front desk keeps reps out; visit at lunch or after the last patient (P27).
    #[serde(default)]
    pub front_desk_blocks: bool,
    pub access: AccessPolicy,
    pub status: AccountStatus,
    /// Known facts about the office (P24), e.g. `ehr` → `Epic`.
    #[serde(default)]
    pub profile: BTreeMap<String, String>,
    /// Pain points the office has named, as catalogue keys (P25).
    #[serde(default)]
    pub pain_points: Vec<String>,
}

impl Account {
    /// A new prospect with weekday office hours 08:00–12:00 and 13:00–17:00 and nothing
    /// else known: what `rounds account add` and an import start from.
    pub fn prospect(id: AccountId, name: impl Into<String>, rep: UserId, tz: TzName) -> Account {
        Account {
            id,
            name: name.into(),
            rep,
            kind: AccountKind::Practice,
            segment: Segment::MedicalProvider,
            specialties: vec![],
            address: Address {
                street: String::new(),
                city: String::new(),
                region: String::new(),
                postal_code: String::new(),
                lat: 0.0,
                lon: 0.0,
            },
            tz,
            office_hours: WeekHours::weekdays(&[
                TimeRange::hm(8, 0, 12, 0),
                TimeRange::hm(13, 0, 17, 0),
            ]),
            visit_windows: vec![],
            front_desk_blocks: false,
            access: AccessPolicy::Open,
            status: AccountStatus::Prospect,
            profile: BTreeMap::new(),
            pain_points: vec![],
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChannels {
    #[serde(default)]
    pub cell: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub office_phone: Option<String>,
    #[serde(default)]
    pub extension: Option<String>,
    #[serde(default)]
    pub linkedin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub account: AccountId,
    pub name: String,
    pub role: ContactRole,
    pub influence: Influence,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub specialty: Option<Specialty>,
    #[serde(default)]
    pub channels: ContactChannels,
    #[serde(default)]
    pub preferred_channel: Option<Channel>,
    #[serde(default)]
    pub opt_outs: Vec<Channel>,
    /// The contact's consent to text messages, as recorded (P43): without it no text
    /// is planned, whatever cell number is known. Left out of the body when absent, so
    /// records without consent keep their stored and exported form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_consent: Option<Consent>,
}

/// A consent on record: the day it was given and where it is documented (a signed
/// form, a reply by text…), so it can be shown when asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub on: Date,
    pub source: String,
}

impl FromStr for Consent {
    type Err = InvalidValue;
    /// Reads `2026-11-02:signed-form` (the day, a colon, the source).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            InvalidValue(format!(
                "`{s}` is not a consent like `2026-11-02:signed-form` (the day, a colon, where it is recorded)"
            ))
        };
        let (day, source) = s.split_once(':').ok_or_else(bad)?;
        let on: Date = day.trim().parse().map_err(|_| bad())?;
        let source = source.trim();
        if source.is_empty() {
            return Err(bad());
        }
        Ok(Consent {
            on,
            source: source.to_string(),
        })
    }
}

impl fmt::Display for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.on, self.source)
    }
}

impl Contact {
    /// The channels this contact can be reached on at all (an address known, not opted out).
    pub fn can_use(&self, channel: Channel) -> bool {
        if self.opt_outs.contains(&channel) {
            return false;
        }
        let c = &self.channels;
        match channel {
            Channel::Visit | Channel::HandwrittenNote | Channel::Letter => true,
            Channel::Call | Channel::Voicemail => {
                c.cell.is_some() || c.office_phone.is_some() || c.extension.is_some()
            }
            // A number is not a permission: texts need the consent on record (P43).
            Channel::Text => c.cell.is_some() && self.text_consent.is_some(),
            Channel::Email | Channel::VirtualMeeting => c.email.is_some(),
            Channel::Linkedin => c.linkedin.is_some(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PainPoint {
    pub key: String,
    pub segment: Segment,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: TopicId,
    pub title: String,
    /// Keys into the pain-point catalogue (P25).
    #[serde(default)]
    pub pain_points: Vec<String>,
    /// Empty means every specialty.
    #[serde(default)]
    pub specialties: Vec<Specialty>,
    /// Empty means every segment.
    #[serde(default)]
    pub segments: Vec<Segment>,
    /// Empty means every role; staff topics name office managers and nurses (P11).
    #[serde(default)]
    pub roles: Vec<ContactRole>,
    #[serde(default)]
    pub related: Vec<TopicId>,
    #[serde(default)]
    pub available_from: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub what: String,
    pub due: Date,
}

impl NextStep {
    /// The step as its updates leave it, `None` once completed or skipped. `updates` are
    /// the step's own, oldest first; an update after the step closed changes nothing
    /// (the use cases refuse to write one, an import might still hold one).
    pub fn after_updates<'a>(
        &self,
        updates: impl IntoIterator<Item = &'a StepUpdate>,
    ) -> Option<NextStep> {
        let mut step = self.clone();
        for u in updates {
            match &u.action {
                StepAction::Complete | StepAction::Skip { .. } => return None,
                StepAction::Reschedule { due, .. } => step.due = *due,
                StepAction::Edit { what, due } => {
                    if let Some(what) = what {
                        step.what.clone_from(what);
                    }
                    if let Some(due) = due {
                        step.due = *due;
                    }
                }
            }
        }
        Some(step)
    }
}

/// One thing done with an agreed next step (P33): completed, moved, dropped or
/// reworded. A step is named by the touch that set it. Updates are appended and never
/// rewritten, so a step's history (who moved it, when, why) stays readable and a
/// manager can see promises that keep sliding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpdate {
    /// The touch that set the step.
    pub touch: TouchId,
    /// 1 for the step's first update, then 2, …; with `touch`, the record's key, so
    /// two writers updating one step at once cannot both succeed unnoticed.
    pub seq: u32,
    /// The account of that touch: updates are stored and read with the account's
    /// records, like its touches.
    pub account: AccountId,
    pub at: Timestamp,
    pub by: UserId,
    pub action: StepAction,
}

/// What a [`StepUpdate`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum StepAction {
    Complete,
    Reschedule {
        due: Date,
        reason: String,
    },
    Skip {
        reason: String,
    },
    /// A new wording, a new date, or both.
    Edit {
        #[serde(default)]
        what: Option<String>,
        #[serde(default)]
        due: Option<Date>,
    },
}

impl StepAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            StepAction::Complete => "complete",
            StepAction::Reschedule { .. } => "reschedule",
            StepAction::Skip { .. } => "skip",
            StepAction::Edit { .. } => "edit",
        }
    }

    /// Whether the step is closed after this action.
    pub fn closes(&self) -> bool {
        matches!(self, StepAction::Complete | StepAction::Skip { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    pub id: TouchId,
    pub at: Timestamp,
    pub rep: UserId,
    pub contact: ContactId,
    pub account: AccountId,
    pub channel: Channel,
    pub direction: Direction,
    pub outcome: Outcome,
    #[serde(default = "routine")]
    pub kind: TouchKind,
    #[serde(default)]
    pub primary_topic: Option<TopicId>,
    /// Every topic that came up, not only the planned one (P4).
    #[serde(default)]
    pub topics: Vec<TopicId>,
    /// Topics the contact did not quite get; they become a reason to return (P3).
    #[serde(default)]
    pub explain_better: Vec<TopicId>,
    #[serde(default)]
    pub next_step: Option<NextStep>,
    /// A callback agreed for this exact moment (P35).
    #[serde(default)]
    pub callback_at: Option<Timestamp>,
    #[serde(default)]
    pub note: String,
    /// What the provider said when they had not referred (P10). Left out of the JSON
    /// when absent, so touches without one keep their exported form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_referral: Option<NoReferral>,
}

/// A provider's answer to "have you referred?" when it is no (P10): the reason from the
/// closed list, and what they said in their words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoReferral {
    pub reason: NoReferralReason,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl NoReferral {
    /// No clear reason given: possibly a competing relationship they would rather not
    /// name (P10).
    pub fn is_vague(&self) -> bool {
        self.reason == NoReferralReason::Vague
    }
}

fn routine() -> TouchKind {
    TouchKind::Routine
}

/// Referrals (or transactions) received from one referring contact on one day. Counts
/// only: Rounds never stores who the patients were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralCount {
    pub contact: ContactId,
    pub day: Date,
    /// Read through [`crate::values::ReferralCountValue`], so a count too large for the
    /// field is refused with the same reason as every other implausible count, not as
    /// a type error.
    #[serde(deserialize_with = "plausible_count")]
    pub count: u32,
}

fn plausible_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let wide = u64::deserialize(d)?;
    crate::values::ReferralCountValue::parse(wide)
        .map(|v| v.get())
        .map_err(|e| serde::de::Error::custom(e.0))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostAccount {
    pub account: AccountId,
    pub lost_on: Date,
    pub reason: LossReason,
    #[serde(default)]
    pub competitor: Option<String>,
    #[serde(default)]
    pub stakeholders: Vec<String>,
    #[serde(default)]
    pub note: String,
    /// The losses recorded before this one, oldest first: a second loss replaces the
    /// first only when asked to, and the first is kept here rather than forgotten.
    /// Left out of the body when empty, so a first loss keeps its stored form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<EarlierLoss>,
}

/// A loss of an account that a later loss replaced: what it said, kept as history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierLoss {
    pub lost_on: Date,
    pub reason: LossReason,
    #[serde(default)]
    pub competitor: Option<String>,
    #[serde(default)]
    pub stakeholders: Vec<String>,
    #[serde(default)]
    pub note: String,
}

impl LostAccount {
    /// This loss replaced by `next`: `next`, carrying this one (and its own history)
    /// as its earlier losses.
    pub fn replaced_by(self, mut next: LostAccount) -> LostAccount {
        let mut earlier = self.earlier;
        earlier.push(EarlierLoss {
            lost_on: self.lost_on,
            reason: self.reason,
            competitor: self.competitor,
            stakeholders: self.stakeholders,
            note: self.note,
        });
        earlier.append(&mut next.earlier);
        next.earlier = earlier;
        next
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoFit {
    pub account: AccountId,
    pub decided_on: Date,
    pub reason: String,
}

/// Everything one rep's plan is computed from. Loaded by the store, built by tests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Territory {
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub topics: Vec<Topic>,
    pub touches: Vec<Touch>,
    pub referrals: Vec<ReferralCount>,
    pub lost: Vec<LostAccount>,
    pub no_fits: Vec<NoFit>,
    /// What was done with the agreed next steps of these touches (P33).
    #[serde(default)]
    pub step_updates: Vec<StepUpdate>,
    /// The rep's own field week and time off; empty means the playbook's week alone.
    #[serde(default)]
    pub calendar: RepCalendar,
}

/// A rep's own field week: the weekdays they work (within the playbook's; a part-time
/// rep who works Monday to Thursday) and, if set, the hours of their field day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkWeek {
    pub rep: UserId,
    #[serde(with = "weekday_keys")]
    pub days: Vec<Weekday>,
    #[serde(default)]
    pub hours: Option<TimeRange>,
}

/// Days a rep is away (vacation, training, sick leave), `from` to `to` inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOff {
    pub id: TimeOffId,
    pub rep: UserId,
    pub from: Date,
    pub to: Date,
    pub reason: String,
}

impl TimeOff {
    pub fn covers(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }
}

/// What the planner knows of one rep's calendar beyond the playbook's working days and
/// holidays: their own week, if set, and their time off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepCalendar {
    #[serde(default)]
    pub week: Option<WorkWeek>,
    #[serde(default)]
    pub time_off: Vec<TimeOff>,
    /// Busy times from the rep's own calendar: the planner keeps them free.
    #[serde(default)]
    pub busy: Vec<BusyTime>,
}

/// A slot the rep's own calendar holds (a meeting, an appointment, a whole day away),
/// read from their calendar's export: no visit, callback or remote touch goes there.
/// Only the times are kept, not the title: the planner needs no more, and a private
/// calendar's titles are not the organisation's business.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BusyTime {
    pub rep: UserId,
    /// The file it was read from (its name), so importing one calendar again replaces
    /// that calendar's busy times and leaves another's alone.
    #[serde(default)]
    pub source: String,
    /// The event's UID in the rep's calendar; with `source` and `start` the key, so
    /// importing the same file again changes nothing and each occurrence of a repeating
    /// event is its own row.
    pub uid: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// A whole day away (an all-day event): nothing in person that day.
    #[serde(default)]
    pub all_day: bool,
}

impl BusyTime {
    /// Whether `[start, end)` overlaps this busy time.
    pub fn overlaps(&self, start: Timestamp, end: Timestamp) -> bool {
        self.start < end && start < self.end
    }
}

/// Weekdays as their keys (`["mon", "tue"]`), the spelling of the playbook and the CLI.
mod weekday_keys {
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        let keys: Vec<&str> = days.iter().map(|d| super::weekday_key(*d)).collect();
        keys.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        let keys = Vec::<String>::deserialize(d)?;
        keys.iter()
            .map(|k| super::parse_weekday(k).map_err(|e| serde::de::Error::custom(e.0)))
            .collect()
    }
}

/// Reads `mon-thu`, `mon,wed,fri` or `mon-wed,fri` into weekdays, Monday first.
pub fn parse_weekdays(s: &str) -> Result<Vec<Weekday>, InvalidValue> {
    let mut days = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (a, b) = (
                    parse_weekday(from)?.to_monday_zero_offset(),
                    parse_weekday(to)?.to_monday_zero_offset(),
                );
                if a > b {
                    return Err(InvalidValue(format!(
                        "`{part}` runs backwards; write e.g. `mon-thu`"
                    )));
                }
                days.extend((a..=b).filter_map(|i| Weekday::from_monday_zero_offset(i).ok()));
            }
            None => days.push(parse_weekday(part)?),
        }
    }
    if days.is_empty() {
        return Err(InvalidValue(format!(
            "`{s}` names no weekday; write e.g. `mon-thu` or `mon,wed,fri`"
        )));
    }
    days.sort_by_key(|d| d.to_monday_zero_offset());
    days.dedup();
    Ok(days)
}

impl FromStr for WeekHours {
    type Err = InvalidValue;
    /// Reads `mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut hours = WeekHours::default();
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (days, ranges) = part.split_once(' ').ok_or_else(|| {
                InvalidValue(format!(
                    "`{part}` needs days and times, e.g. `mon-fri 08:00-12:00,13:00-17:00`"
                ))
            })?;
            let ranges: Vec<TimeRange> = ranges
                .split(',')
                .map(|r| r.trim().parse())
                .collect::<Result<_, _>>()?;
            let days: Vec<Weekday> = match days.split_once('-') {
                Some((from, to)) => {
                    let (from, to) = (parse_weekday(from)?, parse_weekday(to)?);
                    let (a, b) = (from.to_monday_zero_offset(), to.to_monday_zero_offset());
                    if a > b {
                        return Err(InvalidValue(format!(
                            "`{days}` runs backwards; write e.g. `mon-fri`"
                        )));
                    }
                    (a..=b)
                        .filter_map(|i| Weekday::from_monday_zero_offset(i).ok())
                        .collect()
                }
                None => vec![parse_weekday(days)?],
            };
            let mut sorted = ranges.clone();
            sorted.sort();
            if sorted.windows(2).any(|w| w[0].end > w[1].start) {
                return Err(InvalidValue(format!("the times in `{part}` overlap")));
            }
            for d in days {
                hours.set(d, sorted.clone());
            }
        }
        Ok(hours)
    }
}

impl fmt::Display for WeekHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (i, ranges) in self.days.iter().enumerate() {
            if ranges.is_empty() {
                continue;
            }
            let day = Weekday::from_monday_zero_offset(i as i8).unwrap_or(Weekday::Monday);
            let r: Vec<String> = ranges.iter().map(|r| r.to_string()).collect();
            parts.push(format!("{} {}", weekday_key(day), r.join(",")));
        }
        f.write_str(&parts.join("; "))
    }
}
