//! The API's wire types: every request and response body, with its OpenAPI schema, and
//! every conversion between them and the model, in one place.
//!
//! Handlers never serialize a model type: they convert it here first, so a field added
//! to the model reaches the API only when it is added to a wire type (and so to the
//! document, whose snapshot test shows the change). Value types that already read and
//! write one plain string (time zones, specialties, time ranges, jiff dates and
//! times) are carried as they are, so the JSON and its error messages stay the model's.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use rounds_core::day_route;
use rounds_core::ledger;
use rounds_core::model::{self, Specialty, TimeRange, TzName, WeekHours};
use rounds_core::outreach;
use rounds_core::planner;
use rounds_core::reports;
use rounds_core::sending;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::app::PlaybookReport;
use rounds_app as app;

// ---------------------------------------------------------------- vocabularies

/// A closed vocabulary of the model on the wire: the same kebab-case spelling, a named
/// string enum in the document.
macro_rules! vocabulary {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        vocabulary!(@in model: $($(#[$doc])* $name),*);
    };
    (@in $m:ident: $($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $m::$name);

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some($m::$name::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }

        impl From<$m::$name> for $name {
            fn from(v: $m::$name) -> $name {
                $name(v)
            }
        }

        impl From<$name> for $m::$name {
            fn from(v: $name) -> $m::$name {
                v.0
            }
        }
    )*};
}

vocabulary!(
    Role,
    AccountKind,
    Segment,
    AccessPolicy,
    AccountStatus,
    ContactRole,
    Influence,
    Channel,
    Direction,
    Outcome,
    TouchKind,
    LossReason,
    NoReferralReason,
);

vocabulary!(@in outreach: TemplateKind, CheckKind, Part);

vocabulary!(@in ledger:
    /// What was given (P14): a meal, an item, education or anything else of value.
    Nature
);

fn topic_ids(v: &[model::TopicId]) -> Vec<i64> {
    v.iter().map(|id| id.0).collect()
}

fn vocab<M: Copy, W: From<M>>(v: Vec<M>) -> Vec<W> {
    v.into_iter().map(W::from).collect()
}

// ---------------------------------------------------------------- listings

/// Builds one named listing type per kind of record, so each page documents its items.
macro_rules! listings {
    ($($name:ident => $item:ident),* $(,)?) => {$(
        #[doc = concat!("One page of ", stringify!($item), " records.")]
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// The records of this page, in id order unless the operation says otherwise.
            pub items: Vec<$item>,
            /// How many records match, over all pages.
            pub total: u64,
            pub limit: i64,
            pub offset: i64,
        }

        impl super::Listing for $name {
            type Item = $item;
            fn new(p: super::Page<$item>) -> $name {
                $name { items: p.items, total: p.total, limit: p.limit, offset: p.offset }
            }
        }
    )*};
}

listings!(
    UserListing => User,
    AccountListing => Account,
    ContactListing => Contact,
    TopicListing => Topic,
    TouchListing => Touch,
    ReferralListing => ReferralCount,
    LostListing => LostAccount,
    TimeOffListing => TimeOff,
    StepListing => OpenStep,
    TokenListing => Token,
    TemplateListing => Template,
    OutboxListing => OutboxMessage,
    CaptureReviewListing => CaptureReviewItem,
    TransferListing => Transfer,
);

// ---------------------------------------------------------------- health

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

// ---------------------------------------------------------------- users

/// A user of the organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub name: String,
    /// Also the sign-in name.
    pub email: String,
    pub role: Role,
    pub team: Option<String>,
}

impl From<model::User> for User {
    fn from(u: model::User) -> User {
        User {
            id: u.id.0,
            name: u.name,
            email: u.email,
            role: u.role.into(),
            team: u.team,
        }
    }
}

/// A user to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Also the sign-in name.
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    pub role: Role,
    pub team: Option<String>,
    /// At least 10 characters; without one the user cannot sign in until `rounds user passwd`.
    #[schema(min_length = 10, max_length = 200)]
    pub password: Option<String>,
}

/// A new password for a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    #[schema(min_length = 10, max_length = 200)]
    pub password: String,
}

/// What a new password ended: every session of the user and every API token.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordSet {
    pub user: User,
    /// How many of the user's API tokens were revoked.
    pub tokens_revoked: u64,
}

// ---------------------------------------------------------------- API tokens

/// An API token as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    /// The token's id: the first 8 hex digits of its SHA-256.
    #[schema(example = "3f9a1c07")]
    pub id: String,
    /// The user it acts as.
    pub user: i64,
    pub user_email: String,
    /// What it is for.
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// From when it no longer works; null for a token that never expires.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    /// The last request made with it, to the minute; null if never used.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<Timestamp>,
    /// Whether it has expired (as of the request).
    pub expired: bool,
}

/// A token as listed at an instant (which says whether it has expired).
impl From<(app::TokenRow, Timestamp)> for Token {
    fn from((row, now): (app::TokenRow, Timestamp)) -> Token {
        Token {
            expired: row.expired(now),
            created_at: row.created_at(),
            expires_at: row.expires_at(),
            last_used_at: row.last_used_at(),
            id: row.token.id,
            user: row.user.id.0,
            user_email: row.user.email,
            name: row.token.name,
        }
    }
}

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The user it acts as: the caller unless given; administrators may name another user
    /// of their organisation.
    pub user: Option<i64>,
    /// How long it works: a duration such as `30d`, `12h`, `2w` or `P1M`, from an hour to
    /// a year (default 90 days), or `never` (administrators only).
    #[schema(example = "30d")]
    pub expires_in: Option<String>,
}

/// A token just made: its secret is shown this once and cannot be read again.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    /// Send it as `Authorization: Bearer <secret>`.
    pub secret: String,
    pub token: Token,
}

/// A calendar feed just made: its address holds the secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedMade {
    pub user: i64,
    /// The address on this server to subscribe to (prefix the server's origin):
    /// `/calendar/<secret>.ics`.
    pub path: String,
    /// Epoch seconds.
    pub created_at: i64,
}

// ---------------------------------------------------------------- accounts

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// Latitude, degrees.
    #[schema(minimum = -90, maximum = 90)]
    pub lat: f64,
    /// Longitude, degrees.
    #[schema(minimum = -180, maximum = 180)]
    pub lon: f64,
}

impl From<model::Address> for Address {
    fn from(a: model::Address) -> Address {
        Address {
            street: a.street,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            lat: a.lat,
            lon: a.lon,
        }
    }
}

impl From<Address> for model::Address {
    fn from(a: Address) -> model::Address {
        model::Address {
            street: a.street,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            lat: a.lat,
            lon: a.lon,
        }
    }
}

/// An account: an office, clinic, hospital or firm in a rep's territory.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub name: String,
    /// The rep whose territory holds this account.
    pub rep: i64,
    pub kind: AccountKind,
    pub segment: Segment,
    /// Lowercase slugs, e.g. `orthopaedics`.
    #[schema(value_type = Vec<String>)]
    pub specialties: Vec<Specialty>,
    pub address: Address,
    /// An IANA time zone, e.g. `America/Chicago`.
    #[schema(value_type = String, example = "America/Chicago")]
    pub tz: TzName,
    /// Office hours per weekday (`mon` … `sun`), as `HH:MM-HH:MM` ranges.
    #[schema(value_type = BTreeMap<String, Vec<String>>)]
    pub office_hours: WeekHours,
    /// Best times to drop in, every open day (P27), as `HH:MM-HH:MM`.
    #[schema(value_type = Vec<String>)]
    pub visit_windows: Vec<TimeRange>,
    /// The front desk keeps reps out (P27).
    pub front_desk_blocks: bool,
    pub access: AccessPolicy,
    pub status: AccountStatus,
    /// Known facts about the office (P24), e.g. `ehr` → `Epic`.
    pub profile: BTreeMap<String, String>,
    /// Pain points the office has named, as catalogue keys (P25).
    pub pain_points: Vec<String>,
}

impl From<model::Account> for Account {
    fn from(a: model::Account) -> Account {
        Account {
            id: a.id.0,
            name: a.name,
            rep: a.rep.0,
            kind: a.kind.into(),
            segment: a.segment.into(),
            specialties: a.specialties,
            address: a.address.into(),
            tz: a.tz,
            office_hours: a.office_hours,
            visit_windows: a.visit_windows,
            front_desk_blocks: a.front_desk_blocks,
            access: a.access.into(),
            status: a.status.into(),
            profile: a.profile,
            pain_points: a.pain_points,
        }
    }
}

/// An account to add or to replace: an account without `id` (one sent is ignored).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AccountInput {
    #[schema(min_length = 1)]
    pub name: String,
    /// The rep whose territory holds this account; one in the caller's territories.
    pub rep: i64,
    pub kind: AccountKind,
    pub segment: Segment,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub specialties: Vec<Specialty>,
    pub address: Address,
    #[schema(value_type = String, example = "America/Chicago")]
    pub tz: TzName,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, Vec<String>>)]
    pub office_hours: WeekHours,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub visit_windows: Vec<TimeRange>,
    #[serde(default)]
    pub front_desk_blocks: bool,
    pub access: AccessPolicy,
    pub status: AccountStatus,
    #[serde(default)]
    pub profile: BTreeMap<String, String>,
    #[serde(default)]
    pub pain_points: Vec<String>,
}

impl From<AccountInput> for app::AccountInput {
    fn from(a: AccountInput) -> app::AccountInput {
        app::AccountInput {
            name: a.name,
            rep: model::UserId(a.rep),
            kind: a.kind.into(),
            segment: a.segment.into(),
            specialties: a.specialties,
            address: a.address.into(),
            tz: a.tz,
            office_hours: a.office_hours,
            visit_windows: a.visit_windows,
            front_desk_blocks: a.front_desk_blocks,
            access: a.access.into(),
            status: a.status.into(),
            profile: a.profile,
            pain_points: a.pain_points,
        }
    }
}

// ---------------------------------------------------------------- contacts

/// How a contact can be reached.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
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

impl From<model::ContactChannels> for ContactChannels {
    fn from(c: model::ContactChannels) -> ContactChannels {
        ContactChannels {
            cell: c.cell,
            email: c.email,
            office_phone: c.office_phone,
            extension: c.extension,
            linkedin: c.linkedin,
        }
    }
}

impl From<ContactChannels> for model::ContactChannels {
    fn from(c: ContactChannels) -> model::ContactChannels {
        model::ContactChannels {
            cell: c.cell,
            email: c.email,
            office_phone: c.office_phone,
            extension: c.extension,
            linkedin: c.linkedin,
        }
    }
}

/// A person at an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    pub account: i64,
    pub name: String,
    pub role: ContactRole,
    pub influence: Influence,
    pub department: Option<String>,
    #[schema(value_type = Option<String>)]
    pub specialty: Option<Specialty>,
    pub channels: ContactChannels,
    pub preferred_channel: Option<Channel>,
    /// Channels the contact asked not to be reached on.
    pub opt_outs: Vec<Channel>,
    /// Consent to text messages on record (P43); no text is planned without it.
    /// Absent when there is none, as in the export.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_consent: Option<Consent>,
}

/// A consent on record: the day it was given and where it is documented.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    /// Where the consent is recorded: `signed-form`, `text-reply`…
    #[schema(min_length = 1, max_length = 200)]
    pub source: String,
}

impl From<model::Consent> for Consent {
    fn from(c: model::Consent) -> Consent {
        Consent {
            on: c.on,
            source: c.source,
        }
    }
}

impl From<Consent> for model::Consent {
    fn from(c: Consent) -> model::Consent {
        model::Consent {
            on: c.on,
            source: c.source,
        }
    }
}

impl From<model::Contact> for Contact {
    fn from(c: model::Contact) -> Contact {
        Contact {
            id: c.id.0,
            account: c.account.0,
            name: c.name,
            role: c.role.into(),
            influence: c.influence.into(),
            department: c.department,
            specialty: c.specialty,
            channels: c.channels.into(),
            preferred_channel: c.preferred_channel.map(Channel),
            opt_outs: vocab(c.opt_outs),
            text_consent: c.text_consent.map(Into::into),
        }
    }
}

/// A contact to add or to replace: a contact without `id` (one sent is ignored).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactInput {
    /// An account in the caller's territories.
    pub account: i64,
    #[schema(min_length = 1)]
    pub name: String,
    pub role: ContactRole,
    pub influence: Influence,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub specialty: Option<Specialty>,
    #[serde(default)]
    pub channels: ContactChannels,
    #[serde(default)]
    pub preferred_channel: Option<Channel>,
    #[serde(default)]
    pub opt_outs: Vec<Channel>,
    /// Consent to text messages on record (P43); leave out for none.
    #[serde(default)]
    pub text_consent: Option<Consent>,
}

impl From<ContactInput> for app::ContactInput {
    fn from(c: ContactInput) -> app::ContactInput {
        app::ContactInput {
            account: model::AccountId(c.account),
            name: c.name,
            role: c.role.into(),
            influence: c.influence.into(),
            department: c.department,
            specialty: c.specialty,
            channels: c.channels.into(),
            preferred_channel: c.preferred_channel.map(Into::into),
            opt_outs: vocab(c.opt_outs),
            text_consent: c.text_consent.map(Into::into),
        }
    }
}

// ---------------------------------------------------------------- topics

/// A topic of the organisation's library: something worth talking about.
#[derive(Debug, Serialize, ToSchema)]
pub struct Topic {
    pub id: i64,
    pub title: String,
    /// Keys into the pain-point catalogue (P25).
    pub pain_points: Vec<String>,
    /// Empty means every specialty.
    #[schema(value_type = Vec<String>)]
    pub specialties: Vec<Specialty>,
    /// Empty means every segment.
    pub segments: Vec<Segment>,
    /// Empty means every role.
    pub roles: Vec<ContactRole>,
    pub related: Vec<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub available_from: Option<Date>,
}

impl From<model::Topic> for Topic {
    fn from(t: model::Topic) -> Topic {
        Topic {
            id: t.id.0,
            title: t.title,
            pain_points: t.pain_points,
            specialties: t.specialties,
            segments: vocab(t.segments),
            roles: vocab(t.roles),
            related: topic_ids(&t.related),
            available_from: t.available_from,
        }
    }
}

/// A topic to add or to replace: a topic without `id` (one sent is ignored).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TopicInput {
    #[schema(min_length = 1)]
    pub title: String,
    #[serde(default)]
    pub pain_points: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub specialties: Vec<Specialty>,
    #[serde(default)]
    pub segments: Vec<Segment>,
    #[serde(default)]
    pub roles: Vec<ContactRole>,
    #[serde(default)]
    pub related: Vec<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub available_from: Option<Date>,
}

impl From<TopicInput> for app::TopicInput {
    fn from(t: TopicInput) -> app::TopicInput {
        app::TopicInput {
            title: t.title,
            pain_points: t.pain_points,
            specialties: t.specialties,
            segments: vocab(t.segments),
            roles: vocab(t.roles),
            related: t.related.into_iter().map(model::TopicId).collect(),
            available_from: t.available_from,
        }
    }
}

// ---------------------------------------------------------------- touches

/// A next step agreed with a contact (P33).
#[derive(Debug, Serialize, ToSchema)]
pub struct NextStep {
    pub what: String,
    #[schema(value_type = String, format = Date)]
    pub due: Date,
}

impl From<model::NextStep> for NextStep {
    fn from(s: model::NextStep) -> NextStep {
        NextStep {
            what: s.what,
            due: s.due,
        }
    }
}

/// One contact with a contact: a call, a visit, an e-mail …
#[derive(Debug, Serialize, ToSchema)]
pub struct Touch {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The rep whose territory holds the account.
    pub rep: i64,
    pub contact: i64,
    pub account: i64,
    pub channel: Channel,
    pub direction: Direction,
    pub outcome: Outcome,
    pub kind: TouchKind,
    pub primary_topic: Option<i64>,
    /// Every topic that came up (P4).
    pub topics: Vec<i64>,
    /// Topics the contact did not quite get (P3).
    pub explain_better: Vec<i64>,
    pub next_step: Option<NextStep>,
    /// A callback agreed for this exact moment (P35).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub callback_at: Option<Timestamp>,
    pub note: String,
    /// What the provider said when they had not referred (P10); left out when nothing
    /// was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_referral: Option<NoReferral>,
}

/// A provider's reason for not referring (P10): one of the closed list, and their words.
/// `vague` (no clear reason) marks a possible competing relationship.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoReferral {
    pub reason: NoReferralReason,
    /// What they said; required with `other`. Default empty, and then left out.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schema(max_length = 500)]
    pub text: String,
}

impl From<model::NoReferral> for NoReferral {
    fn from(n: model::NoReferral) -> NoReferral {
        NoReferral {
            reason: n.reason.into(),
            text: n.text,
        }
    }
}

impl From<model::Touch> for Touch {
    fn from(t: model::Touch) -> Touch {
        Touch {
            id: t.id.0,
            at: t.at,
            rep: t.rep.0,
            contact: t.contact.0,
            account: t.account.0,
            channel: t.channel.into(),
            direction: t.direction.into(),
            outcome: t.outcome.into(),
            kind: t.kind.into(),
            primary_topic: t.primary_topic.map(|id| id.0),
            topics: topic_ids(&t.topics),
            explain_better: topic_ids(&t.explain_better),
            next_step: t.next_step.map(Into::into),
            callback_at: t.callback_at,
            note: t.note,
            no_referral: t.no_referral.map(Into::into),
        }
    }
}

/// A touch to log. The server fills in the id, the account (the contact's), the rep
/// (the account's owner, whoever logs it) and, unless given, the time (now).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchInput {
    #[schema(minimum = 1)]
    pub contact: i64,
    pub channel: Channel,
    /// Default outbound.
    #[serde(default = "outbound")]
    pub direction: Direction,
    pub outcome: Outcome,
    /// Default routine.
    #[serde(default = "routine")]
    pub kind: TouchKind,
    /// When it happened, RFC 3339 (default now).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<Timestamp>,
    /// Every topic that came up; the first is the primary one (P4).
    #[serde(default)]
    pub topics: Vec<i64>,
    /// Topics the contact did not quite get (P3).
    #[serde(default)]
    pub explain_better: Vec<i64>,
    /// The next step agreed (P33).
    #[serde(default)]
    pub next_step: Option<NextStepInput>,
    /// A callback agreed for this exact moment, RFC 3339 (P35).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub callback_at: Option<Timestamp>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub note: String,
    /// This touch did what the contact's open next step promised: complete that step
    /// (P33; e.g. logging the confirmation e-mail completes "send the confirmation").
    /// Default false.
    #[serde(default)]
    pub completes_step: bool,
    /// Referrals received with this touch, added to the contact's count for the
    /// touch's day (P9). Only with the outcome `referral`, where it defaults to 1.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000)]
    pub referrals: Option<u64>,
    /// The provider said they have not referred: why (P10). Only on a touch they
    /// answered.
    #[serde(default)]
    pub no_referral: Option<NoReferral>,
}

fn outbound() -> Direction {
    Direction(model::Direction::Outbound)
}

fn routine() -> TouchKind {
    TouchKind(model::TouchKind::Routine)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextStepInput {
    #[schema(min_length = 1, max_length = 500)]
    pub what: String,
    #[schema(value_type = String, format = Date)]
    pub due: Date,
}

impl From<TouchInput> for app::TouchInput {
    fn from(t: TouchInput) -> app::TouchInput {
        let (next_what, next_due) = match t.next_step {
            Some(s) => (Some(s.what), Some(s.due)),
            None => (None, None),
        };
        app::TouchInput {
            contact: model::ContactId(t.contact),
            channel: t.channel.into(),
            direction: t.direction.into(),
            outcome: t.outcome.into(),
            kind: t.kind.into(),
            at: t.at,
            topics: t.topics.into_iter().map(model::TopicId).collect(),
            explain_better: t.explain_better.into_iter().map(model::TopicId).collect(),
            next_what,
            next_due,
            callback_at: t.callback_at,
            note: t.note,
            completes_step: t.completes_step,
            referrals: t.referrals,
            no_referral_reason: t.no_referral.as_ref().map(|n| n.reason.into()),
            no_referral_text: t.no_referral.map(|n| n.text),
        }
    }
}

// ---------------------------------------------------------------- next steps

/// An open next step (P33). Its id is the id of the touch that set it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenStep {
    pub step: i64,
    pub rep: i64,
    pub contact: i64,
    pub contact_name: String,
    pub account: i64,
    pub account_name: String,
    /// As its latest update left it.
    pub what: String,
    #[schema(value_type = String, format = Date)]
    pub due: Date,
    /// The day the step was agreed.
    #[schema(value_type = String, format = Date)]
    pub set_on: Date,
    /// Days past due; 0 on the day, negative before it.
    pub days_overdue: i64,
    /// So late it is on the plan's triage list instead of in the plan.
    pub triage: bool,
}

impl From<planner::OpenStep> for OpenStep {
    fn from(s: planner::OpenStep) -> OpenStep {
        OpenStep {
            step: s.step.0,
            rep: s.rep.0,
            contact: s.contact.0,
            contact_name: s.contact_name,
            account: s.account.0,
            account_name: s.account_name,
            what: s.what,
            due: s.due,
            set_on: s.set_on,
            days_overdue: s.days_overdue,
            triage: s.triage,
        }
    }
}

/// What a step update did.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StepActionKind {
    Complete,
    Reschedule,
    Skip,
    Edit,
}

/// One update of a next step, as stored: the step's history is kept, never rewritten.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepUpdate {
    /// The step: the id of the touch that set it.
    pub step: i64,
    /// 1 for the step's first update, then 2, …
    pub seq: u32,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The user who made it.
    pub by: i64,
    pub action: StepActionKind,
    /// The new due date (reschedule, edit).
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    /// The new wording (edit).
    pub what: Option<String>,
    /// Why (reschedule, skip).
    pub reason: Option<String>,
}

impl From<model::StepUpdate> for StepUpdate {
    fn from(u: model::StepUpdate) -> StepUpdate {
        let (action, due, what, reason) = match u.action {
            model::StepAction::Complete => (StepActionKind::Complete, None, None, None),
            model::StepAction::Reschedule { due, reason } => {
                (StepActionKind::Reschedule, Some(due), None, Some(reason))
            }
            model::StepAction::Skip { reason } => (StepActionKind::Skip, None, None, Some(reason)),
            model::StepAction::Edit { what, due } => (StepActionKind::Edit, due, what, None),
        };
        StepUpdate {
            step: u.touch.0,
            seq: u.seq,
            at: u.at,
            by: u.by.0,
            action,
            due,
            what,
            reason,
        }
    }
}

/// Moves a next step to a new date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepReschedule {
    /// Not before the day the step was agreed.
    #[schema(value_type = String, format = Date)]
    pub due: Date,
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Drops a next step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSkip {
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Rewords a next step, moves it, or both (at least one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepEdit {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 500)]
    pub what: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
}

// ---------------------------------------------------------------- referrals

/// Referrals received from one referring contact on one day (counts only).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralCount {
    pub contact: i64,
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    pub count: u32,
}

impl From<model::ReferralCount> for ReferralCount {
    fn from(r: model::ReferralCount) -> ReferralCount {
        ReferralCount {
            contact: r.contact.0,
            day: r.day,
            count: r.count,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    #[schema(minimum = 1)]
    pub contact: i64,
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    /// Referrals that day; a later count for the same day replaces it. Counts only:
    /// never who the patients were.
    #[schema(minimum = 0, maximum = 1000)]
    pub count: u64,
}

impl From<ReferralInput> for app::ReferralInput {
    fn from(r: ReferralInput) -> app::ReferralInput {
        app::ReferralInput {
            contact: model::ContactId(r.contact),
            day: r.day,
            count: r.count,
        }
    }
}

// ---------------------------------------------------------------- lost accounts

/// Why and when an account was lost (P15–P17).
#[derive(Debug, Serialize, ToSchema)]
pub struct LostAccount {
    pub account: i64,
    #[schema(value_type = String, format = Date)]
    pub lost_on: Date,
    pub reason: LossReason,
    pub competitor: Option<String>,
    /// Who was involved, to win back later (P15).
    pub stakeholders: Vec<String>,
    pub note: String,
    /// Losses recorded before this one and replaced by it, oldest first; absent when
    /// there are none, as in the export.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<EarlierLoss>,
}

impl From<model::LostAccount> for LostAccount {
    fn from(l: model::LostAccount) -> LostAccount {
        LostAccount {
            account: l.account.0,
            lost_on: l.lost_on,
            reason: l.reason.into(),
            competitor: l.competitor,
            stakeholders: l.stakeholders,
            note: l.note,
            earlier: l.earlier.into_iter().map(Into::into).collect(),
        }
    }
}

/// A loss of the account that a later loss replaced, kept as history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EarlierLoss {
    #[schema(value_type = String, format = Date)]
    pub lost_on: Date,
    pub reason: LossReason,
    pub competitor: Option<String>,
    pub stakeholders: Vec<String>,
    pub note: String,
}

impl From<model::EarlierLoss> for EarlierLoss {
    fn from(l: model::EarlierLoss) -> EarlierLoss {
        EarlierLoss {
            lost_on: l.lost_on,
            reason: l.reason.into(),
            competitor: l.competitor,
            stakeholders: l.stakeholders,
            note: l.note,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LostInput {
    #[schema(minimum = 1)]
    pub account: i64,
    #[schema(value_type = String, format = Date)]
    pub lost_on: Date,
    pub reason: LossReason,
    #[serde(default)]
    pub competitor: Option<String>,
    /// Who was involved, to win back later (P15).
    #[serde(default)]
    pub stakeholders: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub note: String,
    /// Replace a loss already recorded for the account (kept as history); without it a
    /// second loss is refused with 409 naming `replace`.
    #[serde(default)]
    pub replace: bool,
}

impl From<LostInput> for app::LostInput {
    fn from(l: LostInput) -> app::LostInput {
        app::LostInput {
            account: model::AccountId(l.account),
            lost_on: l.lost_on,
            reason: l.reason.into(),
            competitor: l.competitor,
            stakeholders: l.stakeholders,
            note: l.note,
            replace: l.replace,
        }
    }
}

// ---------------------------------------------------------------- the ledger (P14)

/// A contact present at a transfer of value, and whether they are a covered recipient
/// (a physician, or a clinician the Sunshine Act covers), whose share is reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferAttendee {
    pub contact: i64,
    pub covered: bool,
}

/// What a covered recipient is reported for a transfer: their share of it, in cents.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferShare {
    pub contact: i64,
    pub cents: i64,
}

/// Why and when a transfer recorded in error was voided; it counts nowhere since.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferVoid {
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    pub reason: String,
}

/// A transfer of value given at an account (P14): the total is divided by everyone
/// present (the attendees and `others`) and only the covered recipients' shares are
/// reported; remainder cents go one each to covered recipients first, by contact id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Transfer {
    pub id: i64,
    pub account: i64,
    /// The account's rep when it was recorded.
    pub rep: i64,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub nature: Nature,
    pub description: String,
    pub total_cents: i64,
    pub attendees: Vec<TransferAttendee>,
    /// People present who are not contacts: they take a share nobody reports.
    pub others: u32,
    pub void: Option<TransferVoid>,
    /// The covered recipients' shares, as reported.
    pub shares: Vec<TransferShare>,
}

impl From<ledger::Transfer> for Transfer {
    fn from(t: ledger::Transfer) -> Transfer {
        let shares = t
            .covered_shares()
            .into_iter()
            .filter_map(|s| {
                s.contact.map(|c| TransferShare {
                    contact: c.0,
                    cents: s.cents,
                })
            })
            .collect();
        Transfer {
            id: t.id.0,
            account: t.account.0,
            rep: t.rep.0,
            date: t.date,
            nature: t.nature.into(),
            description: t.description,
            total_cents: t.total_cents,
            attendees: t
                .attendees
                .into_iter()
                .map(|a| TransferAttendee {
                    contact: a.contact.0,
                    covered: a.covered,
                })
                .collect(),
            others: t.others,
            void: t.void.map(|v| TransferVoid {
                on: v.on,
                reason: v.reason,
            }),
            shares,
        }
    }
}

/// A contact present; `covered` says whether they are a covered recipient, and when left
/// out it follows their role (physician) or specialty (physician assistant, nurse
/// practitioner, nurse anesthetist, nurse-midwife).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferAttendeeInput {
    #[schema(minimum = 1)]
    pub contact: i64,
    #[serde(default)]
    pub covered: Option<bool>,
}

/// A transfer of value to record. Text offering value per referral is refused (P14).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    #[schema(minimum = 1)]
    pub account: i64,
    /// The day it was given; today when left out. Not after today.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<Date>,
    pub nature: Nature,
    #[schema(max_length = 500)]
    pub description: String,
    /// The total spent, in cents, more than 0.
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub total_cents: i64,
    #[serde(default)]
    pub attendees: Vec<TransferAttendeeInput>,
    /// People present who are not contacts.
    #[serde(default)]
    #[schema(maximum = 1000)]
    pub others: u32,
}

impl TransferInput {
    pub fn into_app(self, today: Date) -> app::TransferInput {
        app::TransferInput {
            account: model::AccountId(self.account),
            date: self.date.unwrap_or(today),
            nature: self.nature.into(),
            description: self.description,
            total_cents: self.total_cents,
            attendees: self
                .attendees
                .into_iter()
                .map(|a| app::AttendeeInput {
                    contact: model::ContactId(a.contact),
                    covered: a.covered,
                })
                .collect(),
            others: self.others,
        }
    }
}

/// A covered recipient whose transfers of value in a year exceed the playbook's
/// `[compliance] yearly_cap_cents`: a warning, the transfer is recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapWarning {
    pub contact: i64,
    pub name: String,
    pub year: i16,
    pub total_cents: i64,
    pub cap_cents: i64,
    /// The warning as a sentence.
    pub message: String,
}

impl From<ledger::CapWarning> for CapWarning {
    fn from(w: ledger::CapWarning) -> CapWarning {
        CapWarning {
            message: w.to_string(),
            contact: w.contact.0,
            name: w.name,
            year: w.year,
            total_cents: w.total_cents,
            cap_cents: w.cap_cents,
        }
    }
}

/// A transfer as recorded, with the cap's warnings for its recipients.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferRecorded {
    pub transfer: Transfer,
    pub warnings: Vec<CapWarning>,
}

impl From<app::Recorded> for TransferRecorded {
    fn from(r: app::Recorded) -> TransferRecorded {
        TransferRecorded {
            transfer: r.transfer.into(),
            warnings: r.warnings.into_iter().map(CapWarning::from).collect(),
        }
    }
}

/// Why a transfer recorded in error is voided.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferVoidInput {
    #[schema(max_length = 500)]
    pub reason: String,
}

// ---------------------------------------------------------------- calendars

/// A rep's own calendar: their field week, if set, and their time off.
#[derive(Debug, Serialize, ToSchema)]
pub struct Calendar {
    pub rep: i64,
    pub week: Option<WorkWeek>,
    pub time_off: Vec<TimeOff>,
}

/// The weekdays a rep works and their field hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkWeek {
    pub rep: i64,
    /// Weekdays as `mon` … `sun`.
    pub days: Vec<String>,
    /// Field hours, local time, `HH:MM-HH:MM`; absent for the playbook's day.
    pub hours: Option<String>,
}

impl From<model::WorkWeek> for WorkWeek {
    fn from(w: model::WorkWeek) -> WorkWeek {
        WorkWeek {
            rep: w.rep.0,
            days: w
                .days
                .iter()
                .map(|d| model::weekday_key(*d).to_string())
                .collect(),
            hours: w.hours.map(|h| h.to_string()),
        }
    }
}

/// A rep's field week to set (replacing the one before).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkWeekInput {
    /// Weekdays as `mon` … `sun` (at least one).
    #[schema(min_items = 1)]
    pub days: Vec<String>,
    /// Field hours, local time, `HH:MM-HH:MM`; leave out for the playbook's day.
    #[serde(default)]
    pub hours: Option<String>,
}

/// Days a rep is away; nothing is planned for them from `from` to `to` inclusive.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeOff {
    pub id: i64,
    pub rep: i64,
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    pub reason: String,
}

impl From<model::TimeOff> for TimeOff {
    fn from(t: model::TimeOff) -> TimeOff {
        TimeOff {
            id: t.id.0,
            rep: t.rep.0,
            from: t.from,
            to: t.to,
            reason: t.reason,
        }
    }
}

/// Time off to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffInput {
    /// A rep in the caller's territories.
    #[schema(minimum = 1)]
    pub rep: i64,
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    /// Inclusive.
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// Why: vacation, training, sick leave…
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

impl From<TimeOffInput> for app::TimeOffInput {
    fn from(t: TimeOffInput) -> app::TimeOffInput {
        app::TimeOffInput {
            rep: model::UserId(t.rep),
            from: t.from,
            to: t.to,
            reason: t.reason,
        }
    }
}

// ---------------------------------------------------------------- the plan

/// A rep's plan for one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayPlan {
    pub rep: i64,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub items: Vec<PlanItem>,
    pub flags: Vec<Flag>,
    /// The in-person visits in driving order, when there are any.
    pub route: Option<DayRoute>,
    /// Why nothing is planned, when the day is a day off for the rep; absent on a
    /// working day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_off: Option<DayOff>,
    /// Next steps so late they are no longer planned: reschedule or drop each (P33).
    pub triage: Vec<TriageItem>,
}

/// Why a day is off for the rep, and their next working day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayOff {
    /// `weekend`, `holiday`, `not-the-reps-day` or `time-off`.
    pub kind: String,
    /// The reason in words, e.g. `a holiday: Thanksgiving Day`.
    pub why: String,
    /// The rep's next working day; ask for its plan with `?date=`.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_working_day: Option<Date>,
}

/// A next step overdue past the playbook's `[steps] triage_after_days`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriageItem {
    /// The step: the id of the touch that set it.
    pub step: i64,
    pub contact: i64,
    pub contact_name: String,
    pub account: i64,
    pub account_name: String,
    pub what: String,
    #[schema(value_type = String, format = Date)]
    pub due: Date,
    pub days_overdue: i64,
}

/// One planned touch.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItem {
    pub contact: i64,
    pub contact_name: String,
    pub role: ContactRole,
    pub account: i64,
    pub account_name: String,
    pub channel: Channel,
    /// The number, address or handle to use, when the channel needs one.
    pub via: Option<String>,
    pub kind: TouchKind,
    pub window: LocalWindow,
    /// Allowed outside the usual e-mail days (P38).
    pub urgent: bool,
    pub primary_topic: PlannedTopic,
    pub backup_topics: Vec<PlannedTopic>,
    pub reasons: Vec<Reason>,
    pub prep: Preparation,
    pub priority: f64,
    /// The open next step this touch serves (the id of the touch that set it), to
    /// complete, reschedule or skip through `/api/v1/steps/{id}/…`.
    pub step: Option<i64>,
}

/// A time window in the contact's own time zone; times are `HH:MM:SS`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalWindow {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    #[schema(value_type = String, example = "09:30:00")]
    pub start: Time,
    #[schema(value_type = String, example = "10:00:00")]
    pub end: Time,
    #[schema(value_type = String, example = "America/Chicago")]
    pub tz: TzName,
    /// An agreed time to keep to the minute (P35).
    pub exact: bool,
}

/// What to talk about: a library topic, or the purpose of the touch when it has none.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedTopic {
    pub topic: Option<i64>,
    pub title: String,
}

/// Why a touch is planned, citing the playbook rules behind it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reason {
    pub rules: Vec<String>,
    pub text: String,
}

/// What to read before the touch (P46).
#[derive(Debug, Serialize, ToSchema)]
pub struct Preparation {
    pub recent_touches: Vec<TouchSummary>,
    pub topics_covered: Vec<String>,
    pub open_next_steps: Vec<NextStep>,
    pub referrals: Option<ReferralFigures>,
    /// Share of the playbook's profile facts known for the account, percent (P24).
    pub profile_completeness: u8,
    /// One missing fact to ask about on this visit (P24).
    pub ask_about: Option<String>,
    /// The plan of a first meeting (P7); left out on every other touch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda: Option<Agenda>,
}

/// What a first meeting is for (P7).
#[derive(Debug, Serialize, ToSchema)]
pub struct Agenda {
    pub topic: PlannedTopic,
    /// The value to the customer: the pain point the topic answers.
    pub value: String,
    /// The question to ask.
    pub question: String,
}

/// A past touch, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct TouchSummary {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub channel: Channel,
    pub outcome: Outcome,
    pub kind: TouchKind,
    pub topics: Vec<String>,
    pub note: String,
}

/// A referring provider's counts against their own baseline (P9).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralFigures {
    pub recent_days: i64,
    pub recent: u32,
    /// Baseline referrals scaled to one recent window.
    pub baseline_per_recent: f64,
    /// Relative change, −1.0 = fell to nothing.
    pub change: f64,
}

/// What a flag is about.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    NoReasonToReturn,
    MissingNextStep,
    ReferralMeetingWithoutNextStep,
    NoStaffContact,
    PossibleCompetingRelationship,
}

/// Something the rep or manager should fix; not a touch.
#[derive(Debug, Serialize, ToSchema)]
pub struct Flag {
    pub kind: FlagKind,
    pub rules: Vec<String>,
    pub account: i64,
    pub account_name: String,
    pub contact: Option<i64>,
    pub contact_name: Option<String>,
    pub text: String,
}

/// The in-person part of the day, in driving order.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayRoute {
    /// Where the day starts and ends, `[lat, lon]`: the rep's base.
    #[schema(value_type = Vec<f64>, min_items = 2, max_items = 2)]
    pub base: (f64, f64),
    pub leave_base: LocalTime,
    pub back_at_base: LocalTime,
    pub stops: Vec<RouteStop>,
    pub drive_minutes: i64,
    pub distance_km: f64,
    /// Visits the planner wanted that the day could not hold.
    pub left_out: Vec<LeftOutVisit>,
}

/// A local time (`HH:MM:SS`) with its zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalTime {
    #[schema(value_type = String, example = "08:00:00")]
    pub time: Time,
    #[schema(value_type = String, example = "America/Chicago")]
    pub tz: TzName,
}

/// One visit of the route; times are local, `HH:MM:SS`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RouteStop {
    pub order: u32,
    pub contact: i64,
    pub contact_name: String,
    pub account: i64,
    pub account_name: String,
    #[schema(value_type = String)]
    pub arrive: Time,
    #[schema(value_type = String)]
    pub start: Time,
    #[schema(value_type = String)]
    pub leave_by: Time,
    #[schema(value_type = String)]
    pub tz: TzName,
    pub wait_minutes: i64,
    pub drive_minutes_before: i64,
    /// Latitude and longitude of the visit, `[lat, lon]` (the base for an office
    /// without coordinates).
    #[schema(value_type = Vec<f64>, min_items = 2, max_items = 2)]
    pub at: (f64, f64),
}

/// A visit the day could not hold.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeftOutVisit {
    pub contact: i64,
    pub contact_name: String,
    pub account: i64,
    pub account_name: String,
    pub rules: Vec<String>,
    pub reason: String,
    /// The remote touch planned instead, if one was possible.
    pub instead: Option<Channel>,
}

impl From<planner::DayPlan> for DayPlan {
    fn from(p: planner::DayPlan) -> DayPlan {
        DayPlan {
            rep: p.rep.0,
            date: p.date,
            items: p.items.into_iter().map(Into::into).collect(),
            flags: p.flags.into_iter().map(Into::into).collect(),
            route: p.route.map(Into::into),
            day_off: p.day_off.map(|d| DayOff {
                kind: d.kind,
                why: d.why,
                next_working_day: d.next_working_day,
            }),
            triage: p
                .triage
                .into_iter()
                .map(|t| TriageItem {
                    step: t.step.0,
                    contact: t.contact.0,
                    contact_name: t.contact_name,
                    account: t.account.0,
                    account_name: t.account_name,
                    what: t.what,
                    due: t.due,
                    days_overdue: t.days_overdue,
                })
                .collect(),
        }
    }
}

impl From<planner::PlanItem> for PlanItem {
    fn from(i: planner::PlanItem) -> PlanItem {
        PlanItem {
            contact: i.contact.0,
            contact_name: i.contact_name,
            role: i.role.into(),
            account: i.account.0,
            account_name: i.account_name,
            channel: i.channel.into(),
            via: i.via,
            kind: i.kind.into(),
            window: LocalWindow {
                date: i.window.date,
                start: i.window.start,
                end: i.window.end,
                tz: i.window.tz,
                exact: i.window.exact,
            },
            urgent: i.urgent,
            primary_topic: i.primary_topic.into(),
            backup_topics: i.backup_topics.into_iter().map(Into::into).collect(),
            reasons: i
                .reasons
                .into_iter()
                .map(|r| Reason {
                    rules: r.rules,
                    text: r.text,
                })
                .collect(),
            prep: i.prep.into(),
            priority: i.priority,
            step: i.step.map(|s| s.0),
        }
    }
}

impl From<planner::PlannedTopic> for PlannedTopic {
    fn from(t: planner::PlannedTopic) -> PlannedTopic {
        PlannedTopic {
            topic: t.topic.map(|id| id.0),
            title: t.title,
        }
    }
}

impl From<planner::Preparation> for Preparation {
    fn from(p: planner::Preparation) -> Preparation {
        Preparation {
            recent_touches: p
                .recent_touches
                .into_iter()
                .map(|t| TouchSummary {
                    date: t.date,
                    channel: t.channel.into(),
                    outcome: t.outcome.into(),
                    kind: t.kind.into(),
                    topics: t.topics,
                    note: t.note,
                })
                .collect(),
            topics_covered: p.topics_covered,
            open_next_steps: p.open_next_steps.into_iter().map(Into::into).collect(),
            referrals: p.referrals.map(|r| ReferralFigures {
                recent_days: r.recent_days,
                recent: r.recent,
                baseline_per_recent: r.baseline_per_recent,
                change: r.change,
            }),
            profile_completeness: p.profile_completeness,
            ask_about: p.ask_about,
            agenda: p.agenda.map(|a| Agenda {
                topic: a.topic.into(),
                value: a.value,
                question: a.question,
            }),
        }
    }
}

impl From<planner::Flag> for Flag {
    fn from(f: planner::Flag) -> Flag {
        Flag {
            kind: match f.kind {
                planner::FlagKind::NoReasonToReturn => FlagKind::NoReasonToReturn,
                planner::FlagKind::MissingNextStep => FlagKind::MissingNextStep,
                planner::FlagKind::ReferralMeetingWithoutNextStep => {
                    FlagKind::ReferralMeetingWithoutNextStep
                }
                planner::FlagKind::NoStaffContact => FlagKind::NoStaffContact,
                planner::FlagKind::PossibleCompetingRelationship => {
                    FlagKind::PossibleCompetingRelationship
                }
            },
            rules: f.rules,
            account: f.account.0,
            account_name: f.account_name,
            contact: f.contact.map(|id| id.0),
            contact_name: f.contact_name,
            text: f.text,
        }
    }
}

impl From<day_route::DayRoute> for DayRoute {
    fn from(r: day_route::DayRoute) -> DayRoute {
        let local = |t: day_route::LocalTime| LocalTime {
            time: t.time,
            tz: t.tz,
        };
        DayRoute {
            base: r.base,
            leave_base: local(r.leave_base),
            back_at_base: local(r.back_at_base),
            stops: r
                .stops
                .into_iter()
                .map(|s| RouteStop {
                    order: u32::try_from(s.order).unwrap_or(u32::MAX),
                    contact: s.contact.0,
                    contact_name: s.contact_name,
                    account: s.account.0,
                    account_name: s.account_name,
                    arrive: s.arrive,
                    start: s.start,
                    leave_by: s.leave_by,
                    tz: s.tz,
                    wait_minutes: s.wait_minutes,
                    drive_minutes_before: s.drive_minutes_before,
                    at: s.at,
                })
                .collect(),
            drive_minutes: r.drive_minutes,
            distance_km: r.distance_km,
            left_out: r
                .left_out
                .into_iter()
                .map(|l| LeftOutVisit {
                    contact: l.contact.0,
                    contact_name: l.contact_name,
                    account: l.account.0,
                    account_name: l.account_name,
                    rules: l.rules,
                    reason: l.reason,
                    instead: l.instead.map(Channel),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- the playbook

/// A playbook file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaybookText {
    /// A playbook file, TOML; keys left out keep their defaults.
    #[schema(max_length = 32768)]
    pub toml: String,
}

/// The outcome of checking a playbook file.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookCheck {
    pub ok: bool,
    /// Every problem, as `key = value: why`.
    pub problems: Vec<String>,
}

impl From<PlaybookReport> for PlaybookCheck {
    fn from(r: PlaybookReport) -> PlaybookCheck {
        PlaybookCheck {
            ok: r.problems.is_empty(),
            problems: r.problems,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The wire types were introduced without changing what clients see: for the demo
    //! organisation, each record and a day plan serialize exactly as the model's own
    //! JSON did. When the wire is changed on purpose, change this test with it.

    use jiff::civil::date;
    use rounds_core::model::{self, Territory};
    use rounds_core::planner;
    use rounds_core::playbook::{DEFAULT_TOML, Playbook};
    use rounds_demo::{DemoSpec, generate};
    use serde::Serialize;

    fn same<M: Serialize + Clone, W: Serialize + From<M>>(what: &str, records: &[M]) {
        assert!(!records.is_empty(), "no {what} in the demo");
        for record in records {
            let model = serde_json::to_value(record).unwrap();
            let wire = serde_json::to_value(W::from(record.clone())).unwrap();
            assert_eq!(model, wire, "{what}");
        }
    }

    #[test]
    fn wire_json_is_the_model_json() {
        let today = date(2026, 11, 24);
        let data = generate(&DemoSpec::new(7, today));
        same::<model::User, super::User>("users", &data.users);
        same::<model::Account, super::Account>("accounts", &data.accounts);
        same::<model::Contact, super::Contact>("contacts", &data.contacts);
        same::<model::Topic, super::Topic>("topics", &data.topics);
        same::<model::Touch, super::Touch>("touches", &data.touches);
        same::<model::ReferralCount, super::ReferralCount>("referrals", &data.referrals);
        same::<model::LostAccount, super::LostAccount>("lost accounts", &data.lost);

        let playbook = Playbook::from_toml(DEFAULT_TOML).unwrap();
        let mut plans = Vec::new();
        for rep in data.users.iter().filter(|u| u.role == model::Role::Rep) {
            let accounts: Vec<model::Account> = data
                .accounts
                .iter()
                .filter(|a| a.rep == rep.id)
                .cloned()
                .collect();
            let ids: Vec<model::AccountId> = accounts.iter().map(|a| a.id).collect();
            let contacts: Vec<model::Contact> = data
                .contacts
                .iter()
                .filter(|c| ids.contains(&c.account))
                .cloned()
                .collect();
            let people: Vec<model::ContactId> = contacts.iter().map(|c| c.id).collect();
            let territory = Territory {
                accounts,
                contacts,
                topics: data.topics.clone(),
                touches: data
                    .touches
                    .iter()
                    .filter(|t| ids.contains(&t.account))
                    .cloned()
                    .collect(),
                referrals: data
                    .referrals
                    .iter()
                    .filter(|r| people.contains(&r.contact))
                    .cloned()
                    .collect(),
                lost: data
                    .lost
                    .iter()
                    .filter(|l| ids.contains(&l.account))
                    .cloned()
                    .collect(),
                no_fits: vec![],
                step_updates: vec![],
                calendar: Default::default(),
            };
            plans.push(planner::plan(&territory, &playbook, rep.id, today));
        }
        assert!(
            plans
                .iter()
                .any(|p| p.route.is_some() && !p.flags.is_empty())
        );
        same::<planner::DayPlan, super::DayPlan>("plans", &plans);
    }
}

// ---------------------------------------------------------------- audit

/// One change in the audit log: who made it, when, to which record, and the digests of
/// the record before and after.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// The row's number in the organisation's chain: 1, 2, 3…
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// `user:ID`, `operator` (the command line) or `system`.
    pub actor: String,
    /// The kind of record: account, contact, touch, sign-in, organisation (a bulk
    /// write's summary)…
    pub entity: String,
    /// The record's key: its id, or `contact/day`, `touch/seq`.
    pub entity_id: String,
    /// create, update, delete, password, disable, enable; replace or merge for a bulk
    /// write.
    pub action: String,
    /// Hex SHA-256 of the record's stored body before the change; empty if it did not
    /// exist.
    pub before: String,
    /// Hex SHA-256 of the record's stored body after the change; empty if it was
    /// deleted.
    pub after: String,
    /// What else belongs to the change (a bulk write's counts).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<rounds_store::AuditEntry> for AuditEntry {
    fn from(e: rounds_store::AuditEntry) -> AuditEntry {
        AuditEntry {
            seq: e.seq,
            // A time no clock could give (an edited row) shows as the epoch; `verify`
            // reports the row.
            at: Timestamp::from_second(e.at).unwrap_or(Timestamp::UNIX_EPOCH),
            actor: e.actor,
            entity: e.entity,
            entity_id: e.entity_id,
            action: e.action,
            before: e.before,
            after: e.after,
            detail: e.detail,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditListing {
    /// The rows of this page, newest (highest `seq`) first.
    pub items: Vec<AuditEntry>,
    /// How many rows match, over all pages.
    pub total: u64,
    pub limit: i64,
    pub offset: i64,
}

/// The verdict on the organisation's audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerification {
    /// True when no break was found.
    pub whole: bool,
    /// Rows read.
    pub rows: u64,
    /// The chain's recorded head: its last row and that row's hash.
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
    /// Every break found, by row.
    pub breaks: Vec<AuditBreak>,
}

/// One break in the chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBreak {
    /// The row where it shows.
    pub seq: i64,
    /// altered, out-of-order, missing, broken-link, beyond-head, head or record.
    pub kind: String,
    pub message: String,
}

impl From<rounds_store::AuditReport> for AuditVerification {
    fn from(r: rounds_store::AuditReport) -> AuditVerification {
        AuditVerification {
            whole: r.is_whole(),
            rows: r.rows,
            head_seq: r.head.as_ref().map(|h| h.seq),
            head_hash: r.head.map(|h| h.hash),
            breaks: r
                .breaks
                .iter()
                .map(|b| AuditBreak {
                    seq: b.seq(),
                    kind: b.kind().to_string(),
                    message: b.to_string(),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- templates and the coach

/// A message template (P47): Jinja text with placeholders such as
/// `{{ contact.first_name }}`, `{{ topic.title }}`, `{{ next_step.what }}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Template {
    pub kind: TemplateKind,
    /// Used by e-mails and letters.
    pub subject: String,
    /// Used by e-mails, letters and notes.
    pub body: String,
    /// Used by texts and LinkedIn messages.
    pub short: String,
    /// The organisation's own, in place of the built-in one.
    pub custom: bool,
    /// When the organisation's own was saved, epoch seconds.
    pub updated_at: Option<i64>,
    pub updated_by: Option<i64>,
}

impl From<app::TemplateView> for Template {
    fn from(v: app::TemplateView) -> Template {
        Template {
            kind: v.template.kind.into(),
            subject: v.template.subject,
            body: v.template.body,
            short: v.template.short,
            custom: v.custom,
            updated_at: v.updated_at,
            updated_by: v.updated_by.map(|u| u.0),
        }
    }
}

/// A template's text; the kind is in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    #[schema(max_length = 300)]
    pub subject: String,
    #[schema(max_length = 8000)]
    pub body: String,
    #[schema(max_length = 1000)]
    pub short: String,
}

/// A draft for the coach to read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoachInput {
    /// An e-mail's or letter's subject; leave it out for a text, LinkedIn message or note.
    #[schema(max_length = 20000)]
    pub subject: Option<String>,
    #[schema(max_length = 20000)]
    pub body: String,
}

/// Byte offsets into the part, end exclusive.
#[derive(Debug, Serialize, ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One thing the coach would change, with the rule and the words behind it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Finding {
    pub kind: CheckKind,
    /// The playbook rule: P5, P41 or P42.
    pub rule: String,
    pub part: Part,
    pub span: Option<Span>,
    pub excerpt: String,
    pub why: String,
}

/// The coach's reading of a draft: no findings means it passes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verdict {
    pub passes: bool,
    pub words: usize,
    pub max_words: usize,
    pub findings: Vec<Finding>,
}

impl From<outreach::Verdict> for Verdict {
    fn from(v: outreach::Verdict) -> Verdict {
        Verdict {
            passes: v.passes(),
            words: v.words,
            max_words: v.max_words,
            findings: v
                .findings
                .into_iter()
                .map(|f| Finding {
                    kind: f.kind.into(),
                    rule: f.rule,
                    part: f.part.into(),
                    span: f.span.map(|s| Span {
                        start: s.start,
                        end: s.end,
                    }),
                    excerpt: f.excerpt,
                    why: f.why,
                })
                .collect(),
        }
    }
}

/// The draft of one written item of a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDraft {
    /// The item's place in the plan's `items`, from 0.
    pub item: usize,
    pub contact: i64,
    pub channel: Channel,
    pub template: TemplateKind,
    pub subject: Option<String>,
    pub body: String,
    pub verdict: Verdict,
}

/// The drafts of a plan's written items (e-mails, texts, LinkedIn messages, notes,
/// letters); visits and calls have none.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDrafts {
    pub rep: i64,
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub drafts: Vec<PlanDraft>,
}

impl PlanDrafts {
    pub fn new(plan: &planner::DayPlan, drafts: Vec<Option<outreach::ItemDraft>>) -> PlanDrafts {
        PlanDrafts {
            rep: plan.rep.0,
            date: plan.date,
            drafts: drafts
                .into_iter()
                .enumerate()
                .filter_map(|(n, d)| {
                    let d = d?;
                    Some(PlanDraft {
                        item: n,
                        contact: plan.items[n].contact.0,
                        channel: d.channel.into(),
                        template: d.template.into(),
                        subject: d.subject,
                        body: d.body,
                        verdict: d.verdict.into(),
                    })
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------- outbox

/// Where a message of the outbox stands: `draft` → `in-review` → `returned` (with the
/// reviewer's comment) or `approved`; `queued` (waiting for its window) → `sending` →
/// `sent`; `failed` (refused for good, see `failure`); `cancelled`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OutboxState {
    Draft,
    InReview,
    Returned,
    Approved,
    Queued,
    Sending,
    Sent,
    Failed,
    Cancelled,
}

impl From<sending::OutboxState> for OutboxState {
    fn from(s: sending::OutboxState) -> OutboxState {
        use sending::OutboxState as S;
        match s {
            S::Draft => OutboxState::Draft,
            S::InReview => OutboxState::InReview,
            S::Returned => OutboxState::Returned,
            S::Approved => OutboxState::Approved,
            S::Queued => OutboxState::Queued,
            S::Sending => OutboxState::Sending,
            S::Sent => OutboxState::Sent,
            S::Failed => OutboxState::Failed,
            S::Cancelled => OutboxState::Cancelled,
        }
    }
}

impl From<OutboxState> for sending::OutboxState {
    fn from(s: OutboxState) -> sending::OutboxState {
        use sending::OutboxState as S;
        match s {
            OutboxState::Draft => S::Draft,
            OutboxState::InReview => S::InReview,
            OutboxState::Returned => S::Returned,
            OutboxState::Approved => S::Approved,
            OutboxState::Queued => S::Queued,
            OutboxState::Sending => S::Sending,
            OutboxState::Sent => S::Sent,
            OutboxState::Failed => S::Failed,
            OutboxState::Cancelled => S::Cancelled,
        }
    }
}

/// A manager's verdict on a draft (P42).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxReview {
    /// The reviewer.
    pub by: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub comment: String,
}

/// A mail from its draft to the touch it became.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    /// The rep it leaves from (the owner of the contact's account).
    pub author: i64,
    pub contact: i64,
    pub account: i64,
    pub subject: String,
    pub body: String,
    pub topic: Option<i64>,
    pub kind: TouchKind,
    /// Monday, Wednesday and Friday allowed too (P38).
    pub urgent: bool,
    pub state: OutboxState,
    pub review: Option<OutboxReview>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub queued_at: Option<Timestamp>,
    /// When it may leave: the start of its next window (P38, P39).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub not_before: Option<Timestamp>,
    pub message_id: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<Timestamp>,
    /// The touch logged when it was sent.
    pub touch: Option<i64>,
    /// Why it was not sent.
    pub failure: Option<String>,
}

impl From<sending::OutboxMessage> for OutboxMessage {
    fn from(m: sending::OutboxMessage) -> OutboxMessage {
        OutboxMessage {
            id: m.id.0,
            author: m.author.0,
            contact: m.contact.0,
            account: m.account.0,
            subject: m.subject,
            body: m.body,
            topic: m.topic.map(|t| t.0),
            kind: m.kind.into(),
            urgent: m.urgent,
            state: m.state.into(),
            review: m.review.map(|r| OutboxReview {
                by: r.by.0,
                at: r.at,
                comment: r.comment,
            }),
            created_at: m.created_at,
            queued_at: m.queued_at,
            not_before: m.not_before,
            message_id: m.message_id,
            sent_at: m.sent_at,
            touch: m.touch.map(|t| t.0),
            failure: m.failure,
        }
    }
}

/// A draft as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    pub contact: i64,
    /// One line.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    #[serde(default)]
    pub topic: Option<i64>,
    /// Default `routine`.
    #[serde(default)]
    pub kind: Option<TouchKind>,
    #[serde(default)]
    pub urgent: bool,
}

/// Approving a draft in review.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboxApproval {
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub comment: String,
    /// Queue it at once for its next window (default true); false leaves it approved
    /// for the author to send.
    #[serde(default)]
    pub queue: Option<bool>,
}

/// Returning a draft in review: what to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboxReturn {
    #[schema(min_length = 1, max_length = 4000)]
    pub comment: String,
}

// ---------------------------------------------------------------- capture review (P48)

/// Where a captured mail no contact (or several) matched stands: `open` until someone
/// assigns it to a contact (which logs its touch) or dismisses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CaptureReviewState {
    Open,
    Assigned,
    Dismissed,
}

impl From<rounds_core::capture::ReviewState> for CaptureReviewState {
    fn from(s: rounds_core::capture::ReviewState) -> CaptureReviewState {
        use rounds_core::capture::ReviewState as S;
        match s {
            S::Open => CaptureReviewState::Open,
            S::Assigned => CaptureReviewState::Assigned,
            S::Dismissed => CaptureReviewState::Dismissed,
        }
    }
}

impl From<CaptureReviewState> for rounds_core::capture::ReviewState {
    fn from(s: CaptureReviewState) -> rounds_core::capture::ReviewState {
        use rounds_core::capture::ReviewState as S;
        match s {
            CaptureReviewState::Open => S::Open,
            CaptureReviewState::Assigned => S::Assigned,
            CaptureReviewState::Dismissed => S::Dismissed,
        }
    }
}

/// A captured mail waiting for a person to say whose it is. The body is not kept
/// (it may hold patient data): the subject and the unmatched party are.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureReviewItem {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    pub message_id: String,
    /// `inbound` for mail from the party, `outbound` for mail a user sent.
    pub direction: Direction,
    /// The mail's date.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<Timestamp>,
    pub subject: String,
    /// The party no contact matched, as the mail names them.
    pub party_name: Option<String>,
    pub party_email: Option<String>,
    /// Why it is here, in words.
    pub reason: String,
    /// The contacts that matched when several did.
    pub candidates: Vec<i64>,
    pub state: CaptureReviewState,
    /// Once assigned: the contact chosen and the touch logged.
    pub contact: Option<i64>,
    pub touch: Option<i64>,
}

impl From<rounds_store::ReviewItem> for CaptureReviewItem {
    fn from(i: rounds_store::ReviewItem) -> CaptureReviewItem {
        let candidates = match &i.reason {
            rounds_core::capture::ReviewReason::SeveralContacts { contacts } => {
                contacts.iter().map(|c| c.0).collect()
            }
            _ => Vec::new(),
        };
        let (party_name, party_email) = i
            .entry
            .party
            .clone()
            .map_or((None, None), |p| (p.name, p.email));
        CaptureReviewItem {
            id: i.id,
            received_at: i.received_at,
            message_id: i.message_id,
            direction: Direction(i.entry.direction),
            at: i.entry.at,
            subject: i.entry.subject,
            party_name,
            party_email,
            reason: i.reason.to_string(),
            candidates,
            state: i.state.into(),
            contact: i.contact.map(|c| c.0),
            touch: i.touch.map(|t| t.0),
        }
    }
}

/// The contact a captured mail is put on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureAssign {
    pub contact: i64,
}

// ---------------------------------------------------------------- reports

vocabulary!(@in reports:
    /// A report's name: `funnel`, `seed`, `promises`, `coverage`, `liaisons`, `referrers`,
    /// `losses`.
    Report
);

/// One cell of a report: a count, a share (0–1) or average, a text, or null when there is
/// nothing to count.
#[derive(Debug)]
pub struct ReportCell;

impl PartialSchema for ReportCell {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::Number,
                Type::String,
                Type::Null,
            ]))
            .into()
    }
}

impl ToSchema for ReportCell {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ReportCell")
    }
}

/// A report as a table, the same rows as its CSV: per-rep reports end with a `total`
/// row whose `rep_id` is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTable {
    pub report: Report,
    /// The day of the figures.
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    /// When the oldest of the reps' figures was computed (once a day per rep).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub computed_at: Option<Timestamp>,
    /// The reps covered: the caller's team, or the caller.
    pub reps: usize,
    /// Column names (snake_case; new columns are only ever appended).
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Vec<ReportCell>>)]
    pub rows: Vec<Vec<reports::Cell>>,
}

/// A report as CSV text: a header row of the columns, then the rows, as downloaded from
/// the Reports page.
#[derive(Debug)]
pub struct ReportCsv;

impl PartialSchema for ReportCsv {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).into()
    }
}

impl ToSchema for ReportCsv {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ReportCsv")
    }
}
