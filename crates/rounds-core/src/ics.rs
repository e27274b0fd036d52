//! The plan in the rep's own calendar, and the rep's calendar in the plan: an
//! iCalendar (RFC 5545) document of the coming working days' plans, and the busy times
//! read from the rep's calendar export, which the planner keeps free.
//!
//! Pure like the rest of the core: the clock reading (`now`, for DTSTAMP) and `today`
//! are arguments. Events are written by the `icalendar` crate (escaping, line folding);
//! files are read by its parser and repeating events expanded by the `rrule` crate.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use icalendar::{Component, Event, Property};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, ToSpan};

use crate::calendar::day_off;
use crate::model::{
    Account, AccountId, BusyTime, Channel, Direction, OrgId, Outcome, Territory, Touch, TouchId,
    TzName, UserId,
};
use crate::planner::{DayPlan, PlanItem, plan};
use crate::playbook::Playbook;

/// The domain every UID this module writes ends with; a calendar export read back as
/// busy times skips these events, so the plan never blocks its own slots.
pub const UID_DOMAIN: &str = "rounds.plan";

/// The plans of the rep's next `working_days` working days from `from` (days off
/// skipped, `from` included when it is one), at most a year of days looked at. Each
/// later day is planned as if the days before had gone as planned (every planned touch
/// made and answered), so a contact is not proposed again every day of the forecast.
pub fn plan_days(
    territory: &Territory,
    pb: &Playbook,
    rep: UserId,
    from: Date,
    working_days: usize,
) -> Vec<DayPlan> {
    let mut projected = territory.clone();
    let mut next_id = (projected.touches.iter())
        .map(|t| t.id.0)
        .max()
        .unwrap_or(0)
        .saturating_add(1);
    let mut plans = Vec::new();
    let mut day = from;
    for _ in 0..366 {
        if plans.len() >= working_days {
            break;
        }
        if day_off(&projected.calendar, pb, day).is_none() {
            let p = plan(&projected, pb, rep, day);
            for item in &p.items {
                projected
                    .touches
                    .push(assumed_touch(item, rep, TouchId(next_id)));
                next_id = next_id.saturating_add(1);
            }
            plans.push(p);
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    plans
}

fn assumed_touch(item: &PlanItem, rep: UserId, id: TouchId) -> Touch {
    Touch {
        id,
        at: item.window.start_instant(),
        rep,
        contact: item.contact,
        account: item.account,
        channel: item.channel,
        direction: Direction::Outbound,
        outcome: Outcome::Conversation,
        kind: item.kind,
        primary_topic: item.primary_topic.topic,
        topics: item.primary_topic.topic.into_iter().collect(),
        explain_better: vec![],
        next_step: None,
        callback_at: None,
        note: String::new(),
        no_referral: None,
    }
}

/// What the calendar document needs beyond the plans.
#[derive(Debug, Clone)]
pub struct CalendarMeta<'a> {
    pub org: OrgId,
    pub rep: UserId,
    /// The calendar's display name (`X-WR-CALNAME`).
    pub name: &'a str,
    /// The clock reading the document is made at: every DTSTAMP.
    pub now: Timestamp,
    /// The day the plans start: its events are confirmed, later ones tentative (the
    /// forecast changes as the rep logs what happened).
    pub today: Date,
}

/// The stable UID of a planned touch: one contact on one day, whatever its channel or
/// time, so a refreshed feed moves the event rather than adding another.
pub fn item_uid(meta: &CalendarMeta, date: Date, item: &PlanItem) -> String {
    format!(
        "{}-o{}-r{}-c{}@{UID_DOMAIN}",
        date.strftime("%Y%m%d"),
        meta.org,
        meta.rep,
        item.contact
    )
}

/// The stable UID of a day's summary of remote touches.
pub fn remote_uid(meta: &CalendarMeta, date: Date) -> String {
    format!(
        "{}-o{}-r{}-remote@{UID_DOMAIN}",
        date.strftime("%Y%m%d"),
        meta.org,
        meta.rep
    )
}

/// Whether an item is its own event (a visit, or an agreed moment: P35) rather than a
/// line of the day's remote summary.
pub fn is_own_event(item: &PlanItem) -> bool {
    item.channel == Channel::Visit || item.window.exact
}

fn local_stamp(d: Date, t: Time) -> String {
    d.to_datetime(t).strftime("%Y%m%dT%H%M%S").to_string()
}

fn utc_stamp(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The plans as one iCalendar document: visits and agreed moments as events at their
/// local times with their zone's TZID (a VTIMEZONE for each zone used, covering the
/// days), each day's other touches as one all-day, transparent summary event.
pub fn plan_calendar(plans: &[DayPlan], accounts: &[Account], meta: &CalendarMeta) -> String {
    let by_id: BTreeMap<AccountId, &Account> = accounts.iter().map(|a| (a.id, a)).collect();
    let mut cal = icalendar::Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//Rounds//Plan//EN"));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.append_property(Property::new("X-WR-CALNAME", meta.name));
    // Calendar clients poll a subscription at this interval when they honour it.
    cal.append_property(
        Property::new("REFRESH-INTERVAL", "PT1H")
            .add_parameter("VALUE", "DURATION")
            .done(),
    );
    cal.append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    let stamp = utc_stamp(meta.now);
    let mut zones: BTreeSet<TzName> = BTreeSet::new();
    let mut span: Option<(Date, Date)> = None;
    for p in plans.iter().filter(|p| p.day_off.is_none()) {
        span = Some(match span {
            Some((a, b)) => (a.min(p.date), b.max(p.date)),
            None => (p.date, p.date),
        });
        let status = if p.date == meta.today {
            "CONFIRMED"
        } else {
            "TENTATIVE"
        };
        let mut remote: Vec<&PlanItem> = Vec::new();
        for item in &p.items {
            if !is_own_event(item) {
                remote.push(item);
                continue;
            }
            let w = &item.window;
            zones.insert(w.tz.clone());
            let mut ev = Event::new();
            ev.add_property("UID", item_uid(meta, p.date, item));
            ev.add_property("DTSTAMP", stamp.clone());
            ev.append_property(
                Property::new("DTSTART", local_stamp(w.date, w.start))
                    .add_parameter("TZID", w.tz.as_str())
                    .done(),
            );
            ev.append_property(
                Property::new("DTEND", local_stamp(w.date, w.end.max(w.start)))
                    .add_parameter("TZID", w.tz.as_str())
                    .done(),
            );
            ev.add_property("SUMMARY", item_summary(item));
            ev.add_property("DESCRIPTION", item_description(item));
            if item.channel == Channel::Visit
                && let Some(a) = by_id.get(&item.account)
            {
                ev.add_property("LOCATION", address_line(a));
            }
            ev.add_property("STATUS", status);
            ev.add_property("TRANSP", "OPAQUE");
            ev.add_property("CATEGORIES", item.channel.as_str());
            cal.push(ev);
        }
        if !remote.is_empty() {
            let mut ev = Event::new();
            ev.add_property("UID", remote_uid(meta, p.date));
            ev.add_property("DTSTAMP", stamp.clone());
            ev.append_property(
                Property::new("DTSTART", p.date.strftime("%Y%m%d").to_string())
                    .add_parameter("VALUE", "DATE")
                    .done(),
            );
            let next = p.date.tomorrow().unwrap_or(p.date);
            ev.append_property(
                Property::new("DTEND", next.strftime("%Y%m%d").to_string())
                    .add_parameter("VALUE", "DATE")
                    .done(),
            );
            let n = remote.len();
            ev.add_property(
                "SUMMARY",
                format!(
                    "Remote touches: {n} {}",
                    if n == 1 { "contact" } else { "contacts" }
                ),
            );
            let lines: Vec<String> = remote.iter().map(|i| remote_line(i)).collect();
            ev.add_property("DESCRIPTION", lines.join("\n"));
            ev.add_property("STATUS", status);
            // The summary stands for work spread over the day: it blocks no time.
            ev.add_property("TRANSP", "TRANSPARENT");
            cal.push(ev);
        }
    }
    let text = cal.to_string();
    // The crate writes a DTSTAMP and a random UID into every component that lacks
    // them, VTIMEZONE included, where RFC 5545 allows neither; the zones (short lines
    // of our own values, nothing to escape or fold) go in after the header instead.
    let timezones: String = match span {
        Some((first, last)) => zones.iter().map(|z| vtimezone(z, first, last)).collect(),
        None => String::new(),
    };
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{}{}", &text[..at], timezones, &text[at..]),
        None => text,
    }
}

fn item_summary(item: &PlanItem) -> String {
    let what = match item.channel {
        Channel::Visit => "Visit",
        Channel::Call => "Call",
        Channel::Text => "Text",
        Channel::Email => "Email",
        Channel::VirtualMeeting => "Video meeting",
        Channel::Voicemail => "Voicemail",
        Channel::Linkedin => "LinkedIn",
        Channel::HandwrittenNote => "Handwritten note",
        Channel::Letter => "Letter",
    };
    let agreed = if item.window.exact { " (agreed)" } else { "" };
    format!(
        "{what}{agreed}: {} — {}",
        item.contact_name, item.account_name
    )
}

fn item_description(item: &PlanItem) -> String {
    let mut lines = vec![format!("About: {}", item.primary_topic.title)];
    if let Some(via) = &item.via {
        lines.push(format!("Via: {via}"));
    }
    for r in &item.reasons {
        lines.push(format!("Why ({}): {}", r.rules.join(", "), r.text));
    }
    lines.join("\n")
}

fn remote_line(item: &PlanItem) -> String {
    let w = &item.window;
    format!(
        "{}–{} {} {}: {} — {} ({})",
        w.start.strftime("%H:%M"),
        w.end.strftime("%H:%M"),
        w.tz.as_str(),
        item.channel,
        item.contact_name,
        item.account_name,
        item.primary_topic.title
    )
}

fn address_line(a: &Account) -> String {
    let ad = &a.address;
    [
        ad.street.as_str(),
        ad.city.as_str(),
        ad.region.as_str(),
        ad.postal_code.as_str(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(", ")
}

/// A VTIMEZONE for `tz` covering `first` to `last`: the observance in force at the
/// start and every transition until the end, from jiff's bundled database, so a client
/// without that zone (or with an older rule) shows the same local times.
pub fn vtimezone(tz: &TzName, first: Date, last: Date) -> String {
    let zone = tz.zone();
    let at = |d: Date| {
        d.to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    };
    let from = at(first.checked_sub(1.day()).unwrap_or(first));
    let to = at(last.checked_add(2.days()).unwrap_or(last));
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.as_str());
    let mut observances = Vec::new();
    // The transition in force at the start, and the one before it for its offset from.
    let mut earlier = zone.preceding(from);
    match earlier.next() {
        Some(t) => {
            let before = earlier.next().map(|b| b.offset()).unwrap_or(t.offset());
            observances.push((
                t.timestamp(),
                before,
                t.offset(),
                t.abbreviation().to_string(),
                t.dst().is_dst(),
            ));
        }
        None => {
            let info = zone.to_offset_info(from);
            let o = info.offset();
            observances.push((
                Timestamp::UNIX_EPOCH,
                o,
                o,
                info.abbreviation().to_string(),
                info.dst().is_dst(),
            ));
        }
    }
    let mut offset = observances[0].2;
    for t in zone.following(from) {
        if t.timestamp() > to {
            break;
        }
        observances.push((
            t.timestamp(),
            offset,
            t.offset(),
            t.abbreviation().to_string(),
            t.dst().is_dst(),
        ));
        offset = t.offset();
    }
    for (when, off_from, off_to, name, dst) in observances {
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART is the local time of the change in the offset it changes from.
        let local = off_from.to_datetime(when).strftime("%Y%m%dT%H%M%S");
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{local}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nTZNAME:{name}\r\nEND:{kind}\r\n",
            ical_offset(off_from),
            ical_offset(off_to)
        ));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

fn ical_offset(o: jiff::tz::Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    if a.is_multiple_of(60) {
        format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", a / 3600, (a % 3600) / 60, a % 60)
    }
}

// ---------------------------------------------------------------------------------
// Reading the rep's busy times.

/// A problem with a calendar file: the line (1-based, in the file as written), the
/// property and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsProblem {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for IcsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.line, self.message)
        } else {
            write!(f, "{}: {}: {}", self.line, self.field, self.message)
        }
    }
}

/// What a calendar file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusyRead {
    /// The busy times within the horizon, by start then UID.
    pub busy: Vec<BusyTime>,
    /// Events that block nothing: free (TRANSP:TRANSPARENT), cancelled, or this plan's
    /// own events read back from a subscribed calendar.
    pub ignored: usize,
    /// Events, or occurrences of repeating ones, wholly outside the horizon.
    pub outside: usize,
}

/// How a calendar file is read.
#[derive(Debug, Clone)]
pub struct BusyOptions {
    pub rep: UserId,
    /// The file's name, kept with each busy time.
    pub source: String,
    /// The zone of times without one (floating times, all-day events): the rep's.
    pub home: TzName,
    /// Only busy times overlapping `[from, to)` are kept; repeating events are
    /// expanded over it.
    pub from: Timestamp,
    pub to: Timestamp,
}

/// At most this many occurrences of one repeating event within the horizon.
const MAX_OCCURRENCES: u16 = 2_000;

/// Reads the VEVENTs of a calendar file into busy times: DTSTART/DTEND (or DURATION)
/// with a TZID (IANA, or the Windows names Outlook writes), in UTC or floating (the
/// rep's zone); an all-day event makes the whole day busy; TRANSP:TRANSPARENT and
/// STATUS:CANCELLED events are skipped; RRULE/RDATE/EXDATE are expanded over the
/// horizon, and a RECURRENCE-ID replaces the occurrence it names. Every problem is
/// reported with its line, and none means nothing is read.
pub fn read_busy(text: &str, opts: &BusyOptions) -> Result<BusyRead, Vec<IcsProblem>> {
    let lines = unfold(text);
    let unfolded: String = lines.iter().map(|(_, l)| format!("{l}\r\n")).collect();
    let first = lines.first().map(|(_, l)| l.trim().to_ascii_uppercase());
    if first.as_deref() != Some("BEGIN:VCALENDAR") {
        return Err(vec![IcsProblem {
            line: lines.first().map(|(n, _)| *n).unwrap_or(1),
            field: String::new(),
            message: "not an iCalendar file: it must start with BEGIN:VCALENDAR (export your calendar as .ics)".into(),
        }]);
    }
    let parsed = match icalendar::parser::read_calendar(&unfolded) {
        Ok(c) => c,
        Err(e) => {
            let line = parse_error_line(&e)
                .and_then(|n| lines.get(n.saturating_sub(1)).map(|(l, _)| *l))
                .unwrap_or(1);
            let why = e
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("unreadable")
                .trim();
            return Err(vec![IcsProblem {
                line,
                field: String::new(),
                message: format!("not a well-formed iCalendar file ({why})"),
            }]);
        }
    };
    let blocks = event_blocks(&lines);
    let zones = file_zones(&parsed.components, opts);
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let mut ignored = 0;
    let vevents = parsed
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"));
    for (k, c) in vevents.enumerate() {
        let block = blocks.get(k).cloned().unwrap_or_default();
        match read_event(c, &block, opts, &zones) {
            Ok(Some(e)) => events.push(e),
            Ok(None) => ignored += 1,
            Err(p) => problems.push(p),
        }
    }
    // The events that read are expanded even after a problem, so one run reports
    // every problem of the file.
    match expand(events, opts) {
        Ok(mut read) if problems.is_empty() => {
            read.ignored += ignored;
            Ok(read)
        }
        Ok(_) => Err(problems),
        Err(more) => {
            problems.extend(more);
            problems.sort_by_key(|p| p.line);
            Err(problems)
        }
    }
}

/// Unfolds content lines (RFC 5545 3.1), keeping each one's first line number.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t'])
            && let Some(last) = out.last_mut()
        {
            last.1.push_str(rest);
            continue;
        }
        if raw.trim().is_empty() {
            continue;
        }
        out.push((i + 1, raw.to_string()));
    }
    out
}

fn parse_error_line(e: &str) -> Option<usize> {
    let at = e.find("line ")?;
    let digits: String = e[at + 5..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Each top-level VEVENT's content lines: (line number, property name).
fn event_blocks(lines: &[(usize, String)]) -> Vec<Vec<(usize, String)>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<(usize, String)>> = None;
    let mut depth = 0usize;
    for (n, l) in lines {
        let upper = l.trim().to_ascii_uppercase();
        if upper == "BEGIN:VEVENT" && current.is_none() {
            current = Some(vec![(*n, "BEGIN".to_string())]);
            depth = 0;
            continue;
        }
        let Some(block) = current.as_mut() else {
            continue;
        };
        if upper.starts_with("BEGIN:") {
            depth += 1;
        } else if upper.starts_with("END:") {
            if depth == 0 {
                blocks.push(current.take().unwrap_or_default());
                continue;
            }
            depth -= 1;
        } else if depth == 0 {
            let name = upper.split([';', ':']).next().unwrap_or("").to_string();
            block.push((*n, name));
        }
    }
    blocks
}

fn line_of(block: &[(usize, String)], name: &str) -> usize {
    block
        .iter()
        .find(|(_, n)| n == name)
        .or_else(|| block.first())
        .map(|(l, _)| *l)
        .unwrap_or(1)
}

/// A date or a date-time as the file gave it.
#[derive(Debug, Clone, PartialEq)]
enum When {
    Date(Date),
    /// A local time in a zone (TZID, or the rep's for a floating time).
    Local(DateTime, TimeZone),
    Utc(Timestamp),
}

impl When {
    fn instant(&self, home: &TimeZone) -> Option<Timestamp> {
        match self {
            When::Date(d) => d.to_zoned(home.clone()).ok().map(|z| z.timestamp()),
            When::Local(dt, tz) => dt.to_zoned(tz.clone()).ok().map(|z| z.timestamp()),
            When::Utc(t) => Some(*t),
        }
    }
}

struct ReadEvent {
    uid: String,
    start: When,
    /// The event's length.
    length: SignedDuration,
    all_day: bool,
    rrule: Option<String>,
    rdates: Vec<When>,
    exdates: Vec<When>,
    recurrence_id: Option<When>,
    line: usize,
    /// The line of RRULE, or of the event when it has none.
    rrule_line: usize,
}

fn prop<'a>(
    c: &'a icalendar::parser::Component<'a>,
    name: &str,
) -> Option<&'a icalendar::parser::Property<'a>> {
    c.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'a>(p: &'a icalendar::parser::Property<'a>, name: &str) -> Option<&'a str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(name))
        .and_then(|x| x.val.as_ref().map(|v| v.as_str()))
}

fn read_event(
    c: &icalendar::parser::Component<'_>,
    block: &[(usize, String)],
    opts: &BusyOptions,
    zones: &FileZones,
) -> Result<Option<ReadEvent>, IcsProblem> {
    let problem = |field: &str, message: String| IcsProblem {
        line: line_of(block, field),
        field: field.to_string(),
        message,
    };
    let value_of = |name: &str| prop(c, name).map(|p| p.val.as_str().trim().to_ascii_uppercase());
    let uid = prop(c, "UID")
        .map(|p| p.val.as_str().trim().to_string())
        .unwrap_or_default();
    if value_of("TRANSP").as_deref() == Some("TRANSPARENT")
        || value_of("STATUS").as_deref() == Some("CANCELLED")
        || uid.ends_with(&format!("@{UID_DOMAIN}"))
    {
        return Ok(None);
    }
    let Some(dtstart) = prop(c, "DTSTART") else {
        return Err(problem(
            "DTSTART",
            "missing: every event needs its start".into(),
        ));
    };
    let home = opts.home.zone();
    let start = read_when(dtstart, &home, zones).map_err(|m| problem("DTSTART", m))?;
    let all_day = matches!(start, When::Date(_));
    let length = if let Some(dtend) = prop(c, "DTEND") {
        let end = read_when(dtend, &home, zones).map_err(|m| problem("DTEND", m))?;
        if matches!(start, When::Date(_)) != matches!(end, When::Date(_)) {
            return Err(problem(
                "DTEND",
                "a date where DTSTART has a date and time, or the other way round".into(),
            ));
        }
        let (Some(s), Some(e)) = (start.instant(&home), end.instant(&home)) else {
            return Err(problem(
                "DTEND",
                "not a time that exists in its zone".into(),
            ));
        };
        if e < s {
            return Err(problem(
                "DTEND",
                format!("{} is before DTSTART", dtend.val.as_str()),
            ));
        }
        e.duration_since(s)
    } else if let Some(d) = prop(c, "DURATION") {
        let span: Span = d.val.as_str().trim().parse().map_err(|e| {
            problem(
                "DURATION",
                format!("`{}` is not a duration ({e})", d.val.as_str()),
            )
        })?;
        let anchor = start
            .instant(&home)
            .ok_or_else(|| problem("DTSTART", "not a time that exists in its zone".into()))?;
        let end = anchor
            .to_zoned(home.clone())
            .checked_add(span)
            .map_err(|e| problem("DURATION", format!("out of range ({e})")))?;
        end.timestamp().duration_since(anchor)
    } else if all_day {
        SignedDuration::from_hours(24)
    } else {
        SignedDuration::ZERO
    };
    let many = |name: &str| -> Result<Vec<When>, IcsProblem> {
        let mut out = Vec::new();
        for p in c
            .properties
            .iter()
            .filter(|p| p.name.as_str().eq_ignore_ascii_case(name))
        {
            for v in p.val.as_str().split(',') {
                let one = icalendar::parser::Property {
                    name: p.name.clone(),
                    val: v.into(),
                    params: p.params.clone(),
                };
                if param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD")) {
                    return Err(problem(
                        name,
                        "periods are not read; list the start times".into(),
                    ));
                }
                out.push(read_when(&one, &home, zones).map_err(|m| problem(name, m))?);
            }
        }
        Ok(out)
    };
    let recurrence_id = match prop(c, "RECURRENCE-ID") {
        Some(p) => Some(read_when(p, &home, zones).map_err(|m| problem("RECURRENCE-ID", m))?),
        None => None,
    };
    Ok(Some(ReadEvent {
        uid,
        start,
        length,
        all_day,
        rrule: prop(c, "RRULE").map(|p| p.val.as_str().trim().to_string()),
        rdates: many("RDATE")?,
        exdates: many("EXDATE")?,
        recurrence_id,
        line: line_of(block, "BEGIN"),
        rrule_line: line_of(block, "RRULE"),
    }))
}

fn read_when(
    p: &icalendar::parser::Property<'_>,
    home: &TimeZone,
    zones: &FileZones,
) -> Result<When, String> {
    let v = p.val.as_str().trim();
    let is_date = param(p, "VALUE").is_some_and(|x| x.eq_ignore_ascii_case("DATE"))
        || (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()));
    if is_date {
        return Date::strptime("%Y%m%d", v)
            .map(When::Date)
            .map_err(|_| format!("`{v}` is not a date (YYYYMMDD)"));
    }
    let (local, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(rest) => (rest, true),
        None => (v, false),
    };
    let dt = DateTime::strptime("%Y%m%dT%H%M%S", local)
        .map_err(|_| format!("`{v}` is not a date and time (YYYYMMDDTHHMMSS, Z for UTC)"))?;
    if utc {
        return dt
            .to_zoned(TimeZone::UTC)
            .map(|z| When::Utc(z.timestamp()))
            .map_err(|e| format!("`{v}`: {e}"));
    }
    match param(p, "TZID") {
        Some(id) => zone_named(id)
            .or_else(|| zones.get(id.trim().trim_matches('"')).cloned())
            .map(|tz| When::Local(dt, tz))
            .ok_or_else(|| {
                format!(
                    "time zone `{id}` is not known, and the file's VTIMEZONE does not match a \
                     known zone; use an IANA name such as America/Chicago"
                )
            }),
        None => Ok(When::Local(dt, home.clone())),
    }
}

/// A TZID as calendars write it: an IANA name (possibly quoted or behind a vendor
/// prefix such as `/mozilla.org/20050126_1/`), or one of the Windows names Outlook uses.
fn zone_named(id: &str) -> Option<TimeZone> {
    let id = id.trim().trim_matches('"');
    if let Ok(tz) = jiff::tz::db().get(id) {
        return Some(tz);
    }
    let parts: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    for k in (1..parts.len()).rev() {
        if let Ok(tz) = jiff::tz::db().get(&parts[k - 1..].join("/")) {
            return Some(tz);
        }
    }
    WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(id))
        .and_then(|(_, iana)| jiff::tz::db().get(iana).ok())
}

/// The zones a file defines itself (VTIMEZONE) under names no database knows, such as
/// Outlook's "Customized Time Zone": by their `X-LIC-LOCATION` when they give one, else
/// the first zone of [`WINDOWS_ZONES`] whose winter and summer offsets (in the horizon's
/// first year) are the file's, else a fixed offset when the file gives only one.
type FileZones = BTreeMap<String, TimeZone>;

fn file_zones(components: &[icalendar::parser::Component<'_>], opts: &BusyOptions) -> FileZones {
    let mut zones = FileZones::new();
    let year = opts.from.to_zoned(TimeZone::UTC).year();
    let offsets_of = |tz: &TimeZone| -> Option<BTreeSet<i32>> {
        let at = |m: i8| {
            jiff::civil::date(year, m, 15)
                .to_zoned(TimeZone::UTC)
                .ok()
                .map(|z| tz.to_offset(z.timestamp()).seconds())
        };
        Some([at(1)?, at(7)?].into_iter().collect())
    };
    for c in components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VTIMEZONE"))
    {
        let Some(id) = prop(c, "TZID").map(|p| p.val.as_str().trim().trim_matches('"').to_string())
        else {
            continue;
        };
        if zone_named(&id).is_some() {
            continue;
        }
        if let Some(tz) = prop(c, "X-LIC-LOCATION").and_then(|p| zone_named(p.val.as_str())) {
            zones.insert(id, tz);
            continue;
        }
        let offsets: BTreeSet<i32> = (c.components.iter())
            .filter_map(|o| prop(o, "TZOFFSETTO"))
            .filter_map(|p| offset_seconds(p.val.as_str()))
            .collect();
        let matched = (WINDOWS_ZONES.iter())
            .filter_map(|(_, iana)| jiff::tz::db().get(iana).ok())
            .find(|tz| offsets_of(tz).is_some_and(|o| o == offsets));
        let zone = match (matched, offsets.len()) {
            (Some(tz), _) => Some(tz),
            (None, 1) => offsets
                .first()
                .and_then(|s| jiff::tz::Offset::from_seconds(*s).ok())
                .map(TimeZone::fixed),
            _ => None,
        };
        if let Some(tz) = zone {
            zones.insert(id, tz);
        }
    }
    zones
}

/// `+HHMM`, `-HHMM` or `±HHMMSS` in seconds.
fn offset_seconds(v: &str) -> Option<i32> {
    let v = v.trim();
    let (sign, digits) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i32>().ok());
    let secs = n(0..2)? * 3600 + n(2..4)? * 60 + if digits.len() == 6 { n(4..6)? } else { 0 };
    Some(sign * secs)
}

/// The Windows zone names of Outlook exports, for the zones Rounds' users are in
/// (CLDR's windowsZones, territory 001).
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central Standard Time", "America/Chicago"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("Canada Central Standard Time", "America/Regina"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("India Standard Time", "Asia/Calcutta"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
];

/// Occurrences of every event within the horizon, overrides (RECURRENCE-ID) in place
/// of the occurrences they name.
fn expand(events: Vec<ReadEvent>, opts: &BusyOptions) -> Result<BusyRead, Vec<IcsProblem>> {
    let home = opts.home.zone();
    let mut read = BusyRead::default();
    // Occurrences moved or cancelled by an override: (uid, original start).
    let replaced: BTreeSet<(String, Timestamp)> = (events.iter())
        .filter_map(|e| Some((e.uid.clone(), e.recurrence_id.as_ref()?.instant(&home)?)))
        .collect();
    let mut seen: BTreeSet<(String, Timestamp)> = BTreeSet::new();
    let mut problems = Vec::new();
    for e in &events {
        let starts: Vec<Timestamp> = if e.rrule.is_some() || !e.rdates.is_empty() {
            match occurrences(e, opts) {
                Ok(starts) => starts
                    .into_iter()
                    .filter(|t| {
                        e.recurrence_id.is_some() || !replaced.contains(&(e.uid.clone(), *t))
                    })
                    .collect(),
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            }
        } else {
            let Some(s) = e.start.instant(&home) else {
                problems.push(IcsProblem {
                    line: e.line,
                    field: "DTSTART".into(),
                    message: "not a time that exists in its zone".into(),
                });
                continue;
            };
            vec![s]
        };
        for s in starts {
            let Some(end) = s.checked_add(e.length).ok() else {
                continue;
            };
            if end <= s {
                read.ignored += 1; // A moment, not a stretch of time: it blocks nothing.
                continue;
            }
            if end <= opts.from || s >= opts.to {
                read.outside += 1;
                continue;
            }
            let uid = if e.uid.is_empty() {
                format!("line-{}", e.line)
            } else {
                e.uid.clone()
            };
            if seen.insert((uid.clone(), s)) {
                read.busy.push(BusyTime {
                    rep: opts.rep,
                    source: opts.source.clone(),
                    uid,
                    start: s,
                    end,
                    all_day: e.all_day,
                });
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    read.busy
        .sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    Ok(read)
}

/// The starts of a repeating event's occurrences within the horizon, expanded by
/// `rrule` on the event's wall clock (a daily 9:00 stays at 9:00 across a DST change)
/// and turned into instants in the event's zone.
fn occurrences(e: &ReadEvent, opts: &BusyOptions) -> Result<Vec<Timestamp>, IcsProblem> {
    use chrono::TimeZone as _;
    let home = opts.home.zone();
    let problem = |field: &str, message: String| IcsProblem {
        line: if field == "RRULE" {
            e.rrule_line
        } else {
            e.line
        },
        field: field.to_string(),
        message,
    };
    let (wall_zone, wall_start) = match &e.start {
        When::Date(d) => (home.clone(), d.to_datetime(Time::midnight())),
        When::Local(dt, tz) => (tz.clone(), *dt),
        When::Utc(t) => (TimeZone::UTC, TimeZone::UTC.to_datetime(*t)),
    };
    // The wall clock as if it were UTC: rrule then repeats local times exactly.
    let wall = |w: &When| -> Option<DateTime> {
        match w {
            When::Date(d) => Some(d.to_datetime(wall_start.time())),
            When::Local(dt, tz) => dt
                .to_zoned(tz.clone())
                .ok()
                .map(|z| wall_zone.to_datetime(z.timestamp())),
            When::Utc(t) => Some(wall_zone.to_datetime(*t)),
        }
    };
    let stamp = |dt: DateTime| dt.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut text = format!("DTSTART:{}", stamp(wall_start));
    if let Some(rule) = &e.rrule {
        // RFC 5545's recurrence grammar is ASCII letters, digits and `=;,+-`; anything
        // else is refused here, before it reaches `rrule`'s parser (which slices its
        // input by byte and panics inside a multi-byte character).
        if let Some(bad) = rule
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "=;,+-".contains(*c)))
        {
            return Err(problem(
                "RRULE",
                format!("`{bad}` has no place in a recurrence rule"),
            ));
        }
        // UNTIL in UTC is moved onto the same wall clock as the start.
        let parts: Vec<String> = rule
            .split(';')
            .map(|part| match part.split_once('=') {
                Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") && v.ends_with(['Z', 'z']) => {
                    let until = DateTime::strptime("%Y%m%dT%H%M%S", &v[..v.len() - 1])
                        .ok()
                        .and_then(|dt| dt.to_zoned(TimeZone::UTC).ok())
                        .map(|z| stamp(wall_zone.to_datetime(z.timestamp())));
                    format!("UNTIL={}", until.unwrap_or_else(|| v.to_string()))
                }
                Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") && v.len() == 8 => {
                    format!("UNTIL={v}T235959Z")
                }
                Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") => format!("UNTIL={v}Z"),
                _ => part.to_string(),
            })
            .collect();
        text.push_str(&format!("\nRRULE:{}", parts.join(";")));
    }
    for (name, list) in [("RDATE", &e.rdates), ("EXDATE", &e.exdates)] {
        let stamps: Vec<String> = list.iter().filter_map(wall).map(stamp).collect();
        if !stamps.is_empty() {
            text.push_str(&format!("\n{name}:{}", stamps.join(",")));
        }
    }
    let set: rrule::RRuleSet = text
        .parse()
        .map_err(|err: rrule::RRuleError| problem("RRULE", format!("cannot be expanded: {err}")))?;
    let pseudo = |t: Timestamp| {
        let w = wall_zone.to_datetime(t);
        rrule::Tz::UTC
            .with_ymd_and_hms(
                i32::from(w.year()),
                w.month() as u32,
                w.day() as u32,
                w.hour() as u32,
                w.minute() as u32,
                w.second() as u32,
            )
            .single()
    };
    // A day's margin either side: the horizon is in instants, the expansion on the wall.
    let margin = SignedDuration::from_hours(48);
    let from = e
        .length
        .checked_add(margin)
        .and_then(|m| opts.from.checked_sub(m).ok())
        .unwrap_or(opts.from);
    let to = opts.to.checked_add(margin).unwrap_or(opts.to);
    let (Some(after), Some(before)) = (pseudo(from), pseudo(to)) else {
        return Err(problem("DTSTART", "out of range".into()));
    };
    let result = set.after(after).before(before).all(MAX_OCCURRENCES);
    if result.limited && result.dates.len() >= usize::from(MAX_OCCURRENCES) {
        return Err(problem(
            "RRULE",
            format!("repeats more than {MAX_OCCURRENCES} times within the horizon"),
        ));
    }
    let mut out = Vec::new();
    for d in result.dates {
        let naive = d.naive_utc();
        let local = DateTime::strptime(
            "%Y%m%dT%H%M%S",
            naive.format("%Y%m%dT%H%M%S").to_string().as_str(),
        )
        .map_err(|err| problem("RRULE", format!("an occurrence out of range ({err})")))?;
        if let Ok(z) = local.to_zoned(wall_zone.clone()) {
            out.push(z.timestamp());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> BusyOptions {
        let tz: TzName = "America/Chicago".parse().unwrap();
        BusyOptions {
            rep: UserId(1),
            source: "busy.ics".into(),
            home: tz,
            from: "2026-03-01T00:00:00Z".parse().unwrap(),
            to: "2026-04-01T00:00:00Z".parse().unwrap(),
        }
    }

    fn cal(body: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{body}END:VCALENDAR\r\n")
    }

    #[test]
    fn a_timed_event_in_its_zone() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=America/New_York:20260310T090000\r\nDTEND;TZID=America/New_York:20260310T100000\r\nEND:VEVENT\r\n",
        );
        let read = read_busy(&text, &opts()).unwrap();
        assert_eq!(read.busy.len(), 1);
        assert_eq!(read.busy[0].start, "2026-03-10T13:00:00Z".parse().unwrap());
        assert_eq!(read.busy[0].end, "2026-03-10T14:00:00Z".parse().unwrap());
    }

    #[test]
    fn a_weekly_meeting_keeps_its_wall_clock_across_dst() {
        // Chicago moves to daylight time on 2026-03-08.
        let text = cal(
            "BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Central Standard Time:20260302T090000\r\nDTEND;TZID=Central Standard Time:20260302T093000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE;TZID=Central Standard Time:20260316T090000\r\nEND:VEVENT\r\n",
        );
        let read = read_busy(&text, &opts()).unwrap();
        let starts: Vec<String> = read.busy.iter().map(|b| b.start.to_string()).collect();
        assert_eq!(starts, ["2026-03-02T15:00:00Z", "2026-03-09T14:00:00Z"]);
    }

    #[test]
    fn free_cancelled_and_own_events_block_nothing() {
        let text = cal(&format!(
            "BEGIN:VEVENT\r\nUID:f\r\nTRANSP:TRANSPARENT\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:c\r\nSTATUS:CANCELLED\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:x@{UID_DOMAIN}\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nEND:VEVENT\r\n"
        ));
        let read = read_busy(&text, &opts()).unwrap();
        assert!(read.busy.is_empty());
        assert_eq!(read.ignored, 3);
    }

    #[test]
    fn an_old_daily_meeting_is_expanded_within_the_horizon_only() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;TZID=America/Chicago:20100104T083000\r\nDURATION:PT15M\r\nRRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR\r\nEND:VEVENT\r\n",
        );
        let read = read_busy(&text, &opts()).unwrap();
        // March 2026 has 22 weekdays; the 8th is the first day of daylight time.
        assert_eq!(read.busy.len(), 22);
        assert_eq!(read.busy[0].start, "2026-03-02T14:30:00Z".parse().unwrap());
        assert_eq!(read.busy[5].start, "2026-03-09T13:30:00Z".parse().unwrap());
        assert!(
            read.busy
                .iter()
                .all(|b| b.end.duration_since(b.start).as_secs() == 900)
        );
    }

    #[test]
    fn a_moved_occurrence_replaces_the_one_it_names() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:m\r\nDTSTART:20260302T150000Z\r\nDTEND:20260302T160000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20260316T150000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:m\r\nRECURRENCE-ID:20260309T150000Z\r\nDTSTART:20260310T170000Z\r\nDTEND:20260310T180000Z\r\nEND:VEVENT\r\n",
        );
        let read = read_busy(&text, &opts()).unwrap();
        let starts: Vec<String> = read.busy.iter().map(|b| b.start.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2026-03-02T15:00:00Z",
                "2026-03-10T17:00:00Z",
                "2026-03-16T15:00:00Z"
            ]
        );
    }

    #[test]
    fn a_rule_with_a_character_no_rule_has_is_refused_not_a_panic() {
        // Found by the `busy_ics` fuzz target: a multi-byte character in BYDAY made the
        // rrule crate slice inside it.
        let text = cal(
            "BEGIN:VEVENT\r\nUID:w\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T093000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=M\u{fffd}\u{fffd}E\r\nEND:VEVENT\r\n",
        );
        let err = read_busy(&text, &opts()).unwrap_err();
        assert_eq!((err[0].line, err[0].field.as_str()), (8, "RRULE"));
    }

    #[test]
    fn a_zone_the_file_defines_itself_is_matched_by_its_offsets() {
        let text = cal(
            "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16011104T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010311T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=\"Customized Time Zone\":20260310T090000\r\nDTEND;TZID=\"Customized Time Zone\":20260310T100000\r\nEND:VEVENT\r\n",
        );
        let read = read_busy(&text, &opts()).unwrap();
        // Eastern time, daylight from 8 March: 13:00 UTC.
        assert_eq!(read.busy[0].start, "2026-03-10T13:00:00Z".parse().unwrap());
    }

    #[test]
    fn a_bad_start_names_its_line() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:long\r\n  folded\r\nDTSTART:2026-03-10\r\nEND:VEVENT\r\n",
        );
        let err = read_busy(&text, &opts()).unwrap_err();
        assert_eq!(err[0].line, 8);
        assert_eq!(err[0].field, "DTSTART");
    }
}
