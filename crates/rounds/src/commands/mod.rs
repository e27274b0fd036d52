//! One file per command. Each turns its flags into `rounds-app` inputs, calls the use
//! case, and renders the answer; the helpers here are what several share: finding a
//! rep or a contact, reading local times, and saying an `AppError` in terms of flags.

pub(crate) mod account;
pub(crate) mod audit;
pub(crate) mod backup;
pub(crate) mod calendar;
pub(crate) mod capture;
pub(crate) mod coach;
pub(crate) mod contact;
pub(crate) mod demo;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod ledger;
pub(crate) mod log;
pub(crate) mod lost;
pub(crate) mod mail;
pub(crate) mod nofit;
pub(crate) mod playbook;
pub(crate) mod referral;
pub(crate) mod rep;
pub(crate) mod report;
pub(crate) mod route;
pub(crate) mod serve;
pub(crate) mod simulate;
pub(crate) mod step;
pub(crate) mod template;
pub(crate) mod timeoff;
pub(crate) mod today;
pub(crate) mod token;
pub(crate) mod topic;
pub(crate) mod user;
pub(crate) mod worker;

use anyhow::{Result, anyhow, bail};
use jiff::Timestamp;
use jiff::civil::DateTime;
use rounds_app::{Actor, AppError};
use rounds_core::model::{Contact, InvalidValue, Role, TzName, User};
use rounds_store::SqlStore;

use crate::settings::Settings;

/// What every command gets: the store, the settings and the actor (the operator).
pub(crate) struct Cx<'a> {
    pub(crate) store: &'a SqlStore,
    pub(crate) s: &'a Settings,
    pub(crate) actor: &'a Actor,
}

/// The flag that fills a field of an input, so that errors point at what was typed.
fn flag_of(field: &str) -> String {
    let base = field.split('[').next().unwrap_or(field);
    let flag = match base {
        "address.lat" => "--lat",
        "address.lon" => "--lon",
        "address.street" => "--street",
        "address.city" => "--city",
        "address.region" => "--region",
        "address.postal_code" => "--postal-code",
        "channels.email" | "email" => "--email",
        "channels.cell" => "--cell",
        "channels.office_phone" => "--phone",
        "channels.extension" => "--extension",
        "channels.linkedin" => "--linkedin",
        "preferred_channel" => "--preferred",
        "pain_points" => "--pain-point",
        "next_step.what" => "--next",
        "next_step.due" => "--next-date",
        "explain_better" => "--explain-better",
        "stakeholders" => "--stakeholder",
        "day" => "--date",
        "days" => "--days",
        "no-response" => "--no-response",
        "next-step" => "--next-step",
        "shares" => {
            "--no-response, --conversation, --next-step, --positive, --callback, --referral, --loss"
        }
        "conversation" | "positive" | "callback" | "referral" | "loss" => {
            return format!("--{base}");
        }
        "territory_from" => "--territory-from",
        "text_consent.source" | "text_consent" => "--text-consent",
        "completes_step" => "--done",
        "no_referral.reason" => "--no-referral-reason",
        "no_referral.text" => "--reason-text",
        "what" => "--what",
        "due" => "--due",
        "step" => "ID",
        "total_cents" => "--amount",
        "attendees" => "--attendee",
        "void" | "void.reason" => "--reason",
        f if f.starts_with("profile.") => "--fact",
        "name" | "title" | "rep" | "status" | "department" | "related" | "contact" | "account"
        | "note" | "topics" | "count" | "competitor" | "reason" | "team" | "replace" | "from"
        | "to" | "hours" | "entity" | "subject" | "body" | "comment" | "topic" | "kind"
        | "description" | "others" | "year" | "date" => {
            return format!("--{base}");
        }
        other => return other.to_string(),
    };
    flag.to_string()
}

/// Says an `AppError` in the command line's terms: the flag at fault and a hint.
pub(crate) fn cli_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid { field, message } | AppError::Conflict { field, message } => {
            let hint = if field.starts_with("topics") || field.starts_with("explain_better") {
                "\nhint: `rounds topic list` shows the library"
            } else if field.starts_with("pain_points") {
                "\nhint: `rounds topic pain-points` lists the keys"
            } else {
                ""
            };
            anyhow!("{}: {message}{hint}", flag_of(&field))
        }
        AppError::NotFound { what, id } => no_such(what, &id),
        AppError::Forbidden(m) => anyhow!(m),
        AppError::Import { total, .. } | AppError::Book { total, .. } => {
            anyhow!("{total} problem(s)")
        }
        AppError::Store(e) => e.into(),
    }
}

pub(crate) fn no_such(what: &str, id: &str) -> anyhow::Error {
    anyhow!("no {what} with id {id}\nhint: `rounds {what} list` shows the ids")
}

/// `--rep`: a user by id or e-mail, or the first rep when none is named.
pub(crate) fn resolve_rep(cx: &Cx<'_>, wanted: Option<&str>) -> Result<User> {
    let org = cx.s.org;
    let users = &cx.actor.scope.users;
    if users.is_empty() {
        bail!(
            "organisation {org} has no users yet\nhint: run `rounds demo`, or `rounds import FILE`"
        );
    }
    rounds_app::rep_or_default(cx.actor, wanted).map_err(|e| match (e, wanted) {
        (AppError::NotFound { .. }, Some(w)) => {
            let known: Vec<String> = users
                .iter()
                .filter(|u| u.role == Role::Rep)
                .take(8)
                .map(|u| format!("{} ({})", u.id, u.email))
                .collect();
            anyhow!(
                "no user `{w}` in organisation {org}\nhint: reps include {}",
                known.join(", ")
            )
        }
        (AppError::Invalid { .. }, None) => anyhow!("the organisation has no rep; pass --rep"),
        (other, _) => cli_error(other),
    })
}

/// `--contact`: by id, or by a unique part of the name.
pub(crate) async fn find_contact(cx: &Cx<'_>, wanted: &str) -> Result<Contact> {
    rounds_app::find_contact(cx.store, cx.actor, wanted)
        .await
        .map_err(|e| match e {
            AppError::NotFound { id, .. } => anyhow!(
                "no contact with id {id}\nhint: `rounds contact list --search NAME` finds contacts"
            ),
            AppError::Invalid { message, .. } if message.starts_with("no contact matches") => {
                anyhow!(
                    "{message}\nhint: `rounds contact list --search {wanted}` lists contacts by name"
                )
            }
            AppError::Invalid { message, .. } => anyhow!(message),
            other => cli_error(other),
        })
}

/// Reads "YYYY-MM-DD HH:MM" as a local time in the account's zone.
pub(crate) fn local_instant(text: &str, tz: &TzName, flag: &str) -> Result<Timestamp> {
    let dt: DateTime = text.trim().replace('T', " ").parse().map_err(|_| {
        anyhow!("{flag}: `{text}` is not a local date and time; write \"YYYY-MM-DD HH:MM\"")
    })?;
    Ok(dt
        .to_zoned(tz.zone())
        .map_err(|_| anyhow!("{flag}: `{text}` does not exist in {tz}"))?
        .timestamp())
}

pub(crate) fn parse_all<T: std::str::FromStr<Err = InvalidValue>>(
    flag: &str,
    values: &[String],
) -> Result<Vec<T>> {
    values
        .iter()
        .map(|v| v.parse::<T>().map_err(|e| anyhow!("{flag}: {e}")))
        .collect()
}
