//! The web application: server-rendered pages (maud, checked at compile time), plain
//! forms that work without script, one small stylesheet embedded in the binary.
//!
//! Every form that changes something carries the session's CSRF token; sign-in, which
//! has no session yet, uses a double-submit cookie instead.

mod accounts;
mod audit;
mod calendar;
mod calendar_feed;
mod capture;
mod coach;
mod contacts;
mod layout;
mod log;
mod login;
mod lost;
mod outbox;
mod password;
mod redirect;
mod referrals;
pub(crate) mod reports;
mod route;
mod settings;
mod steps;
mod team;
mod templates;
mod today;
mod tokens;
mod topics;
mod unsubscribe;

use std::collections::BTreeMap;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use maud::{Markup, PreEscaped, html};
use rounds_core::model::{ContactId, ReferralCount, Territory};

use crate::charts::ChartError;
use crate::error::{ApiError, ApiResult};
use crate::extract::Ctx;
use crate::{AppState, auth};

pub use layout::{error_page, not_found_page};

pub const STYLESHEET: &str = include_str!("../../assets/app.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/today") }),
        )
        .route("/assets/app.css", get(stylesheet))
        .merge(login::routes())
        .merge(today::routes())
        .merge(route::routes())
        .merge(coach::routes())
        .merge(outbox::routes())
        .merge(capture::routes())
        .merge(templates::routes())
        .merge(steps::routes())
        .merge(accounts::routes())
        .merge(contacts::routes())
        .merge(log::routes())
        .merge(topics::routes())
        .merge(referrals::routes())
        .merge(lost::routes())
        .merge(team::routes())
        .merge(reports::routes())
        .merge(settings::routes())
        .merge(calendar::routes())
        .merge(audit::routes())
        .merge(tokens::routes())
        .merge(calendar_feed::routes())
        .merge(password::routes())
        .merge(unsubscribe::routes())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// The 403 answer for a form whose CSRF token is not the session's; `None` when it is.
/// The one value of `name` in a form read as pairs; `None` when it is missing or sent
/// more than once (a form from this site sends each of these fields once).
fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut values = pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    match (values.next(), values.next()) {
        (Some(v), None) => Some(v),
        _ => None,
    }
}

/// A form whose CSRF token is checked before anything else of it is read (a form from
/// elsewhere gets 403 whatever its shape), then read into `T`: a field sent twice is a
/// 422 naming it. For forms of text fields (the values stay strings).
fn csrf_first<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    form: Result<crate::extract::FormBody<Vec<(String, String)>>, ApiError>,
) -> Result<T, Box<Response>> {
    let crate::extract::FormBody(pairs) = form.map_err(|e| Box::new(error_page(e)))?;
    if let Some(refused) = csrf_refusal(ctx, single(&pairs, "csrf").unwrap_or("")) {
        return Err(Box::new(refused));
    }
    let fields =
        serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(pairs.into_iter());
    T::deserialize(fields).map_err(|e| {
        Box::new(error_page(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.to_string(),
        )))
    })
}

/// A form read as name–value pairs once its CSRF token is checked (before any other
/// field is judged); otherwise the page that answers instead.
fn checked_fields(
    ctx: &Ctx,
    form: Result<crate::extract::FormBody<Vec<(String, String)>>, ApiError>,
) -> Result<Fields, Box<Response>> {
    let f = match form {
        Ok(crate::extract::FormBody(pairs)) => Fields(pairs),
        Err(e) => return Err(Box::new(error_page(e))),
    };
    match csrf_refusal(ctx, f.one("csrf").unwrap_or("")) {
        Some(refused) => Err(Box::new(refused)),
        None => Ok(f),
    }
}

fn csrf_refusal(ctx: &Ctx, sent: &str) -> Option<Response> {
    let ok = ctx
        .caller
        .session
        .as_ref()
        .is_some_and(|s| auth::same_secret(sent, &s.csrf));
    (!ok).then(|| {
        error_page(ApiError::new(
            StatusCode::FORBIDDEN,
            "The form had expired; reload the page and send it again.",
        ))
    })
}

/// A chart with its figures as a table beneath: the table is what a screen reader, a
/// printer or a failed drawing falls back to.
fn chart_figure(svg: Result<String, ChartError>, caption: &str, table: Markup) -> Markup {
    let svg = match svg {
        Ok(svg) => Some(svg),
        Err(e) => {
            tracing::warn!(error = %e, "chart not drawn");
            None
        }
    };
    html! {
        figure.chart {
            @if let Some(svg) = &svg { (PreEscaped(svg)) }
            figcaption { (caption) }
            details open[svg.is_none()] {
                summary { "Figures as a table" }
                div.table-wrap { (table) }
            }
        }
    }
}

/// Sums one contact's (or several contacts') daily counts into `weeks` weeks ending on
/// `today`, oldest first, each with its first day.
fn weekly_counts<'a>(
    counts: impl IntoIterator<Item = &'a ReferralCount>,
    today: Date,
    weeks: i64,
) -> Vec<(Date, u32)> {
    let first = today
        .checked_sub(jiff::Span::new().days(7 * weeks - 1))
        .unwrap_or(today);
    let mut out: Vec<(Date, u32)> = (0..weeks)
        .map(|i| {
            (
                first
                    .checked_add(jiff::Span::new().days(7 * i))
                    .unwrap_or(first),
                0,
            )
        })
        .collect();
    for r in counts {
        if r.day < first || r.day > today {
            continue;
        }
        let days = (r.day - first).get_days();
        if let Some(w) = out.get_mut((days / 7) as usize) {
            w.1 += r.count;
        }
    }
    out
}

/// Each referring contact's rows, as the planner's figures take them.
fn referral_rows(territory: &Territory) -> BTreeMap<ContactId, Vec<(ContactId, Date, u32)>> {
    let mut by_contact: BTreeMap<ContactId, Vec<(ContactId, Date, u32)>> = BTreeMap::new();
    for r in &territory.referrals {
        by_contact
            .entry(r.contact)
            .or_default()
            .push((r.contact, r.day, r.count));
    }
    by_contact
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A form read as name–value pairs. Multi-selects send a name once per choice, which
/// `serde_urlencoded` cannot put in a struct; reading pairs keeps every choice, and each
/// parse below names its field when the value is wrong.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn text(&self, name: &str) -> String {
        self.one(name).unwrap_or("").to_string()
    }

    /// A required value, parsed; the error names the field.
    fn parse<T: std::str::FromStr>(&self, name: &str) -> ApiResult<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.one(name) {
            None => Err(ApiError::field(name, "choose or enter a value")),
            Some(v) => v
                .parse()
                .map_err(|e: T::Err| ApiError::field(name, e.to_string())),
        }
    }

    /// An optional value, parsed when present.
    fn parse_opt<T: std::str::FromStr>(&self, name: &str) -> ApiResult<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        self.one(name)
            .map(|v| {
                v.parse()
                    .map_err(|e: T::Err| ApiError::field(name, e.to_string()))
            })
            .transpose()
    }

    fn parse_all<T: std::str::FromStr>(&self, name: &str) -> ApiResult<Vec<T>>
    where
        T::Err: std::fmt::Display,
    {
        self.all(name)
            .map(|v| {
                v.parse()
                    .map_err(|e: T::Err| ApiError::field(name, e.to_string()))
            })
            .collect()
    }
}

/// Small territories for the pages' rule tests.
#[cfg(test)]
pub(crate) mod fixture {
    use jiff::Timestamp;
    use jiff::civil::Date;
    use rounds_core::model::{
        AccessPolicy, Account, AccountId, AccountKind, AccountStatus, Address, Channel, Contact,
        ContactId, ContactRole, Direction, Influence, Outcome, ReferralCount, Segment, Touch,
        TouchId, TouchKind, UserId,
    };

    pub fn account(id: i64, status: AccountStatus) -> Account {
        Account {
            id: AccountId(id),
            name: format!("Account {id}"),
            rep: UserId(1),
            kind: AccountKind::Practice,
            segment: Segment::MedicalProvider,
            specialties: vec![],
            address: Address {
                street: "1 Main St".into(),
                city: "Springfield".into(),
                region: "IL".into(),
                postal_code: "62701".into(),
                lat: 39.8,
                lon: -89.6,
            },
            tz: "America/Chicago".parse().unwrap(),
            office_hours: Default::default(),
            visit_windows: vec![],
            front_desk_blocks: false,
            access: AccessPolicy::Open,
            status,
            profile: Default::default(),
            pain_points: vec![],
        }
    }

    pub fn contact(id: i64, account: i64) -> Contact {
        Contact {
            id: ContactId(id),
            account: AccountId(account),
            name: format!("Contact {id}"),
            role: ContactRole::Physician,
            influence: Influence::DecisionMaker,
            department: None,
            specialty: None,
            channels: Default::default(),
            preferred_channel: None,
            opt_outs: vec![],
            text_consent: None,
        }
    }

    /// A touch at noon (Chicago) on `day`.
    pub fn touch(id: i64, contact: i64, account: i64, day: Date, kind: TouchKind) -> Touch {
        Touch {
            id: TouchId(id),
            at: day
                .at(12, 0, 0, 0)
                .in_tz("America/Chicago")
                .map(|z| z.timestamp())
                .unwrap_or(Timestamp::UNIX_EPOCH),
            rep: UserId(1),
            contact: ContactId(contact),
            account: AccountId(account),
            channel: Channel::Visit,
            direction: Direction::Outbound,
            outcome: Outcome::Conversation,
            kind,
            primary_topic: None,
            topics: vec![],
            explain_better: vec![],
            next_step: None,
            callback_at: None,
            note: String::new(),
            no_referral: None,
        }
    }

    pub fn referral(contact: i64, day: Date, count: u32) -> ReferralCount {
        ReferralCount {
            contact: ContactId(contact),
            day,
            count,
        }
    }
}
