//! Salesforce's data export (Setup › Data Export): `User.csv`, `Account.csv`,
//! `Contact.csv`, `Task.csv` and `Event.csv`, one row a record, ids of 15 or 18
//! characters whose first three name the object (`001` account, `003` contact, `00Q`
//! lead, `005` user).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Time;

use super::{
    BookContext, BookProblem, Columns, Draft, FileKind, Item, Origin, Refs, RowView, Sheet,
    TouchDraft, When, cells, channel_from, influence_of, kind_from_name, note_of, role_from_title,
    zone_for,
};
use crate::model::{
    Account, AccountId, AccountStatus, Channel, Contact, ContactChannels, ContactId, ContactRole,
    Direction, Outcome, Touch, TouchId, TouchKind, UserId,
};

/// The columns each field comes from, by the field's validation path.
pub fn columns(kind: FileKind, sheet: &Sheet) -> Columns {
    let pairs: &[(&str, &str)] = match kind {
        FileKind::SalesforceAccount => &[
            ("name", "Name"),
            ("address.street", "BillingStreet"),
            ("address.city", "BillingCity"),
            ("address.region", "BillingState"),
            ("address.postal_code", "BillingPostalCode"),
            ("address.lat", "BillingLatitude"),
            ("address.lon", "BillingLongitude"),
            ("profile.phone", "Phone"),
        ],
        FileKind::SalesforceContact => &[
            ("name", "LastName"),
            ("department", "Department"),
            ("channels.email", "Email"),
            ("channels.office_phone", "Phone"),
            ("channels.cell", "MobilePhone"),
        ],
        _ => &[("note", "Description")],
    };
    Origin::columns(pairs, sheet)
}

/// One row of a Salesforce file.
pub fn row(
    kind: FileKind,
    v: &RowView,
    cx: &BookContext,
    columns: &Columns,
) -> Result<Item, Vec<BookProblem>> {
    let origin = Origin::of(v, columns);
    match kind {
        FileKind::SalesforceUser => {
            let id = required(v, "Id")?;
            let email = required(v, "Email")?;
            Ok(Item::Owner {
                external_id: id.to_string(),
                email: email.to_string(),
            })
        }
        FileKind::SalesforceAccount => account(v, cx, origin),
        FileKind::SalesforceContact => contact(v, origin),
        FileKind::SalesforceTask | FileKind::SalesforceEvent => activity(kind, v, cx, origin),
        _ => Err(vec![BookProblem::at(
            &v.sheet.file,
            v.line(),
            "",
            "not a Salesforce file",
        )]),
    }
}

pub(crate) fn required<'a>(v: &RowView<'a>, column: &str) -> Result<&'a str, Vec<BookProblem>> {
    v.get(column)
        .ok_or_else(|| vec![v.problem(column, "is empty; every row needs one")])
}

pub(crate) fn number(v: &RowView, column: &str) -> Result<f64, BookProblem> {
    match v.get(column) {
        None => Ok(0.0),
        Some(s) => s
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| v.problem(column, format!("`{s}` is not a number"))),
    }
}

fn account(v: &RowView, cx: &BookContext, origin: Origin) -> Result<Item, Vec<BookProblem>> {
    let id = required(v, "Id")?;
    let name = required(v, "Name")?;
    let mut problems = Vec::new();
    let state = v.get("BillingState");
    let tz = zone_for(state, cx).map_err(|m| vec![v.problem("BillingState", m)])?;
    let lat = number(v, "BillingLatitude").unwrap_or_else(|p| {
        problems.push(p);
        0.0
    });
    let lon = number(v, "BillingLongitude").unwrap_or_else(|p| {
        problems.push(p);
        0.0
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let kind_text = [Some(name), v.get("Type"), v.get("Industry")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let (kind, segment) = kind_from_name(&kind_text);
    let status = match v.get("Type") {
        Some(t) if t.to_ascii_lowercase().contains("customer") => AccountStatus::Customer,
        _ => AccountStatus::Prospect,
    };
    let mut profile = BTreeMap::new();
    if let Some(phone) = v.get("Phone") {
        profile.insert("phone".to_string(), phone.to_string());
    }
    let mut account = blank_account(name, tz);
    account.kind = kind;
    account.segment = segment;
    account.status = status;
    account.profile = profile;
    account.address.street = v.get("BillingStreet").unwrap_or("").replace('\n', ", ");
    account.address.city = v.get("BillingCity").unwrap_or("").to_string();
    account.address.region = state.unwrap_or("").to_string();
    account.address.postal_code = v.get("BillingPostalCode").unwrap_or("").to_string();
    account.address.lat = lat;
    account.address.lon = lon;
    Ok(Item::Account(Box::new(Draft {
        origin,
        external_id: id.to_string(),
        refs: Refs {
            owner: v.get("OwnerId").map(str::to_string),
            ..Refs::default()
        },
        record: account,
    })))
}

/// An account with the defaults of `rounds account add`, to be filled from a row.
pub(crate) fn blank_account(name: &str, tz: crate::model::TzName) -> Account {
    Account::prospect(AccountId(0), name, UserId(0), tz)
}

/// A contact with no channels, to be filled from a row.
pub(crate) fn blank_contact(name: String, role: ContactRole) -> Contact {
    Contact {
        id: ContactId(0),
        account: AccountId(0),
        name,
        role,
        influence: influence_of(role),
        department: None,
        specialty: None,
        channels: ContactChannels::default(),
        preferred_channel: None,
        opt_outs: vec![],
        text_consent: None,
    }
}

fn contact(v: &RowView, origin: Origin) -> Result<Item, Vec<BookProblem>> {
    let id = required(v, "Id")?;
    let Some(account) = v.get("AccountId") else {
        return Err(vec![v.problem(
            "AccountId",
            "is empty: Rounds keeps every contact under an account (a practice, clinic or firm)",
        )]);
    };
    let last = required(v, "LastName")?;
    let name = [v.get("Salutation"), v.get("FirstName"), Some(last)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut problems = Vec::new();
    let mut flag = |column: &str| {
        cells::flag(v.get(column)).unwrap_or_else(|m| {
            problems.push(v.problem(column, m));
            false
        })
    };
    let no_email = flag("HasOptedOutOfEmail");
    let no_call = flag("DoNotCall");
    if !problems.is_empty() {
        return Err(problems);
    }
    let title = v.get("Title").unwrap_or("");
    let doctor = v
        .get("Salutation")
        .is_some_and(|s| s.trim_end_matches('.').eq_ignore_ascii_case("dr"));
    let role = match role_from_title(title) {
        ContactRole::Other if doctor => ContactRole::Physician,
        role => role,
    };
    let mut c = blank_contact(name, role);
    c.department = v.get("Department").or(v.get("Title")).map(str::to_string);
    c.channels.email = v.get("Email").map(str::to_string);
    c.channels.office_phone = v.get("Phone").map(str::to_string);
    c.channels.cell = v.get("MobilePhone").map(str::to_string);
    if no_email {
        c.opt_outs.push(Channel::Email);
    }
    if no_call {
        c.opt_outs
            .extend([Channel::Call, Channel::Voicemail, Channel::Text]);
    }
    Ok(Item::Contact(Box::new(Draft {
        origin,
        external_id: id.to_string(),
        refs: Refs {
            account: Some(account.to_string()),
            ..Refs::default()
        },
        record: c,
    })))
}

/// A touch with placeholders for what resolving fills in (ids, time).
pub(crate) fn blank_touch(channel: Channel, outcome: Outcome, note: String) -> Touch {
    Touch {
        id: TouchId(0),
        at: Timestamp::UNIX_EPOCH,
        rep: UserId(0),
        contact: ContactId(0),
        account: AccountId(0),
        channel,
        direction: Direction::Outbound,
        outcome,
        kind: TouchKind::Routine,
        primary_topic: None,
        topics: vec![],
        explain_better: vec![],
        next_step: None,
        callback_at: None,
        note,
        no_referral: None,
    }
}

/// What came of an activity, from its call result; a written message without one went
/// unanswered, a call or meeting without one was a conversation.
pub fn outcome_from(result: Option<&str>, channel: Channel) -> (Outcome, Channel) {
    let silent = |c: Channel| {
        matches!(
            c,
            Channel::Email
                | Channel::Linkedin
                | Channel::Letter
                | Channel::Text
                | Channel::HandwrittenNote
                | Channel::Voicemail
        )
    };
    let default = if silent(channel) {
        Outcome::NoResponse
    } else {
        Outcome::Conversation
    };
    let Some(r) = result.map(str::to_ascii_lowercase) else {
        return (default, channel);
    };
    let any = |words: &[&str]| words.iter().any(|w| r.contains(w));
    if any(&[
        "voicemail",
        "voice mail",
        "left message",
        "left a message",
        "left vm",
    ]) {
        let ch = if channel == Channel::Call {
            Channel::Voicemail
        } else {
            channel
        };
        (Outcome::NoResponse, ch)
    } else if any(&["not interested", "declined", "refused", "do not"]) {
        (Outcome::Negative, channel)
    } else if any(&[
        "no answer",
        "busy",
        "unavailable",
        "not available",
        "wrong number",
        "no response",
        "bounced",
        "unreached",
    ]) {
        (Outcome::NoResponse, channel)
    } else if any(&["order"]) {
        (Outcome::Order, channel)
    } else if any(&["referral", "referred"]) {
        (Outcome::Referral, channel)
    } else if any(&[
        "meeting set",
        "appointment",
        "interested",
        "positive",
        "booked",
    ]) {
        (Outcome::Positive, channel)
    } else if any(&[
        "connected",
        "spoke",
        "reached",
        "conversation",
        "discussed",
        "replied",
    ]) {
        (Outcome::Conversation, channel)
    } else {
        (default, channel)
    }
}

fn activity(
    kind: FileKind,
    v: &RowView,
    cx: &BookContext,
    origin: Origin,
) -> Result<Item, Vec<BookProblem>> {
    let id = required(v, "Id")?;
    let event = kind == FileKind::SalesforceEvent;
    if !event
        && let Some(status) = v.get("Status")
        && !matches!(
            status.to_ascii_lowercase().as_str(),
            "completed" | "closed" | "done"
        )
    {
        return Ok(Item::LeftOut("open tasks (not done yet)"));
    }
    let Some(who) = v.get("WhoId") else {
        return Ok(Item::LeftOut("activities with no contact"));
    };
    if who.starts_with("00Q") {
        return Ok(Item::LeftOut("activities with leads"));
    }
    let channel = [v.get("TaskSubtype"), v.get("Type"), v.get("Subject")]
        .into_iter()
        .flatten()
        .find_map(channel_from)
        .or(event.then_some(Channel::Visit));
    let Some(channel) = channel else {
        return Ok(Item::LeftOut(
            "to-dos that reached nobody (no call, e-mail or meeting)",
        ));
    };
    let channel = match (channel, v.get("Location")) {
        (Channel::Visit, Some(l)) if channel_from(l) == Some(Channel::VirtualMeeting) => {
            Channel::VirtualMeeting
        }
        (c, _) => c,
    };
    let when = when_of(
        v,
        &["CompletedDateTime", "StartDateTime", "ActivityDateTime"],
        "ActivityDate",
    )?;
    let day = match when {
        When::At(t) => t.to_zoned(jiff::tz::TimeZone::UTC).date(),
        When::Local(dt) => dt.date(),
    };
    if day > cx.today {
        return Ok(Item::LeftOut(if event {
            "meetings after today"
        } else {
            "tasks dated after today"
        }));
    }
    let (outcome, channel) = outcome_from(v.get("CallDisposition"), channel);
    let mut touch = blank_touch(
        channel,
        outcome,
        note_of(v.get("Subject"), v.get("Description")),
    );
    if v.get("CallType")
        .is_some_and(|t| t.eq_ignore_ascii_case("inbound"))
    {
        touch.direction = Direction::Inbound;
    }
    let account = v.get("WhatId").filter(|w| w.starts_with("001"));
    Ok(Item::Touch(Box::new(TouchDraft {
        draft: Draft {
            origin,
            external_id: id.to_string(),
            refs: Refs {
                contact: Some(who.to_string()),
                account: account.map(str::to_string),
                ..Refs::default()
            },
            record: touch,
        },
        when,
    })))
}

/// The moment of an activity: the first instant column filled, else its date (noon,
/// local); a missing or unreadable date is a problem of the date's column.
pub(crate) fn when_of(
    v: &RowView,
    instants: &[&str],
    date_column: &str,
) -> Result<When, Vec<BookProblem>> {
    for column in instants {
        if let Some(cell) = v.get(column) {
            return cells::instant(cell, &jiff::tz::TimeZone::UTC)
                .map(When::At)
                .map_err(|m| vec![v.problem(column, m)]);
        }
    }
    let Some(cell) = v.get(date_column) else {
        return Err(vec![
            v.problem(date_column, "is empty; an activity needs its date"),
        ]);
    };
    cells::date(cell)
        .map(|d| When::Local(d.to_datetime(Time::constant(12, 0, 0, 0))))
        .map_err(|m| vec![v.problem(date_column, m)])
}
