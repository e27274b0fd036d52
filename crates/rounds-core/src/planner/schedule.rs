//! Filling the day: capacity (visits, remote touches, room kept for prospects), the
//! channel each chosen candidate goes by, and the local time window the rules allow.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::{Date, Time, Weekday};
use jiff::{Timestamp, ToSpan};

use super::history::History;
use super::route::DayRoute;
use super::rules::Candidate;
use super::{LocalWindow, PlanItem, PlannedTopic, Preparation, TouchSummary, days_between, reason};
use crate::model::{
    AccessPolicy, Account, AccountId, Channel, ContactId, Direction, Outcome, RepCalendar,
    TimeRange, Topic, TopicId, TouchKind, TzName, minutes_of,
};
use crate::playbook::{Playbook, Reach};

pub(super) const MORNING_END: Time = Time::constant(12, 0, 0, 0);

pub(super) type Filter<'f> = &'f dyn Fn(&Candidate) -> bool;

/// How far a layer of the day may take the remote touches.
enum Room {
    Forced,
    UpTo(usize),
    Share(usize),
}

/// Placed whatever the day's capacity: an agreed moment (P35) or a time-bound touch that
/// cannot wait (P37 confirmation, P16 feedback). Next steps are time-bound too but share
/// the day: a day truly full of steps due today pushes one (P33).
pub(super) fn forced(c: &Candidate) -> bool {
    c.exact_at.is_some() || (c.urgent && c.step_due.is_none())
}

/// Day state while the capacity is filled.
pub(super) struct Day {
    pub(super) visits: usize,
    pub(super) remote: usize,
    pub(super) visited: BTreeSet<AccountId>,
    /// The latest visit to each account, by anyone (P23 counts per account).
    pub(super) last_visit: BTreeMap<AccountId, Date>,
    /// The rep's own field hours, when set: no touch is planned outside them.
    pub(super) rep_hours: Option<TimeRange>,
    /// The busy times of the rep's own calendar around the day, as instants: no window
    /// overlaps one.
    pub(super) busy: Vec<(Timestamp, Timestamp)>,
}

/// The busy times that may touch `today` in any zone (a day and a half either side of
/// its UTC midnight covers every offset).
pub(super) fn busy_around(calendar: &RepCalendar, today: Date) -> Vec<(Timestamp, Timestamp)> {
    let Ok(midnight) = today.to_zoned(jiff::tz::TimeZone::UTC) else {
        return Vec::new();
    };
    let midnight = midnight.timestamp();
    let reach = jiff::SignedDuration::from_hours(36);
    let (from, to) = (
        midnight.checked_sub(reach).unwrap_or(midnight),
        midnight.checked_add(reach).unwrap_or(midnight),
    );
    let mut busy: Vec<(Timestamp, Timestamp)> = (calendar.busy.iter())
        .filter(|b| b.overlaps(from, to))
        .map(|b| (b.start, b.end))
        .collect();
    busy.sort();
    busy
}

/// `ranges` (local times in `tz` on `date`) within the rep's hours and outside every
/// busy time of their calendar: what is left of each range, pieces in order.
pub(super) fn open_ranges(
    ranges: &[TimeRange],
    day: &Day,
    date: Date,
    tz: &TzName,
) -> Vec<TimeRange> {
    let mut open = within_rep_hours(ranges, day.rep_hours);
    for &(start, end) in &day.busy {
        let Some(blocked) = local_span(start, end, date, tz) else {
            continue;
        };
        open = open
            .into_iter()
            .flat_map(|r| subtract(r, blocked))
            .filter(|r| r.start < r.end)
            .collect();
    }
    open
}

/// The part of `[start, end)` that falls on `date` in `tz`, as local times.
fn local_span(start: Timestamp, end: Timestamp, date: Date, tz: &TzName) -> Option<TimeRange> {
    let zone = tz.zone();
    let (from, to) = (zone.to_datetime(start), zone.to_datetime(end));
    if from.date() > date || to.date() < date {
        return None;
    }
    let start = if from.date() < date {
        Time::MIN
    } else {
        from.time()
    };
    let end = if to.date() > date {
        Time::MAX
    } else {
        to.time()
    };
    (start < end).then_some(TimeRange { start, end })
}

/// `r` less `b`: none, one or two ranges.
fn subtract(r: TimeRange, b: TimeRange) -> Vec<TimeRange> {
    if b.end <= r.start || r.end <= b.start {
        return vec![r];
    }
    let mut out = Vec::new();
    if r.start < b.start {
        out.push(TimeRange {
            start: r.start,
            end: b.start,
        });
    }
    if b.end < r.end {
        out.push(TimeRange {
            start: b.end,
            end: r.end,
        });
    }
    out
}

/// Whether the local window `w` on `date` in `tz` overlaps a busy time of the day.
pub(super) fn is_busy(day: &Day, date: Date, w: TimeRange, tz: &TzName) -> bool {
    let at = |t: Time| {
        date.to_datetime(t)
            .to_zoned(tz.zone())
            .ok()
            .map(|z| z.timestamp())
    };
    let (Some(start), Some(end)) = (at(w.start), at(w.end)) else {
        return false;
    };
    day.busy.iter().any(|&(s, e)| s < end && start < e)
}

/// `ranges` within the rep's hours, when they have set theirs.
pub(super) fn within_rep_hours(ranges: &[TimeRange], rep: Option<TimeRange>) -> Vec<TimeRange> {
    match rep {
        Some(r) => ranges.iter().filter_map(|x| x.intersect(&r)).collect(),
        None => ranges.to_vec(),
    }
}

/// Where the field day starts and ends: the centre of the accounts with coordinates.
pub(super) fn territory_centre<'a>(
    accounts: impl Iterator<Item = &'a Account>,
) -> rounds_route::LatLon {
    let (mut lat, mut lon, mut n) = (0.0, 0.0, 0.0);
    for a in accounts.filter(|a| has_place(a)) {
        lat += a.address.lat;
        lon += a.address.lon;
        n += 1.0;
    }
    if n > 0.0 {
        rounds_route::LatLon {
            lat: lat / n,
            lon: lon / n,
        }
    } else {
        rounds_route::LatLon { lat: 0.0, lon: 0.0 }
    }
}

/// Accounts added without coordinates carry 0/0, which is no place a rep drives to.
pub(crate) fn has_place(a: &Account) -> bool {
    a.address.lat != 0.0 || a.address.lon != 0.0
}

pub(super) fn fill_day(
    mut candidates: Vec<Candidate>,
    last_visit: BTreeMap<AccountId, Date>,
    base: rounds_route::LatLon,
    topics: &BTreeMap<TopicId, &Topic>,
    pb: &Playbook,
    today: Date,
    calendar: &RepCalendar,
) -> (Vec<PlanItem>, Option<DayRoute>) {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.history.contact.id.cmp(&b.history.contact.id))
    });
    let share = |x: f64| (pb.max_remote as f64 * x).floor() as usize;
    let for_prospects = share(pb.prospecting_share);
    let for_keep_alive = share(pb.keep_alive_share);
    let mut day = Day {
        visits: 0,
        remote: 0,
        visited: BTreeSet::new(),
        last_visit,
        rep_hours: crate::calendar::working_hours(calendar),
        busy: busy_around(calendar, today),
    };
    let mut items = Vec::new();
    let mut planned: BTreeSet<ContactId> = BTreeSet::new();
    // The day in reserved layers (P22, P23, P33, P35): agreed moments and time-bound
    // touches, then the steps due today, then the late ones oldest first, then the
    // contacts at their maximum silence; a share for those falling silent soon (nearest
    // limit first); then the rest by priority with room kept for prospects (P19, P20),
    // then prospects, then whatever room is left. Each layer says how far the remote
    // touches may go.
    let order = |wanted: Filter, by: Option<fn(&Candidate) -> Option<Date>>| -> Vec<usize> {
        let mut v: Vec<usize> = (0..candidates.len())
            .filter(|&k| wanted(&candidates[k]))
            .collect();
        if let Some(key) = by {
            v.sort_by_key(|&k| key(&candidates[k]));
        }
        v
    };
    let step_due: fn(&Candidate) -> Option<Date> = |c| c.step_due;
    let keep_alive_by: fn(&Candidate) -> Option<Date> = |c| c.keep_alive_by;
    let all = pb.max_remote;
    // At the limit: it falls before the next working day, so today is the last chance.
    let next_working_day = pb.next_working_day(today).unwrap_or(today);
    let past_limit = move |c: &Candidate| c.keep_alive_by.is_some_and(|d| d < next_working_day);
    let layers: [(Vec<usize>, Room); 8] = [
        (order(&|c: &Candidate| forced(c), None), Room::Forced),
        (
            order(&move |c: &Candidate| c.step_due == Some(today), None),
            Room::UpTo(all),
        ),
        (order(&past_limit, Some(keep_alive_by)), Room::UpTo(all)),
        (
            order(
                &move |c: &Candidate| c.step_due.is_some_and(|d| d < today),
                Some(step_due),
            ),
            Room::UpTo(all),
        ),
        (
            order(
                &|c: &Candidate| c.keep_alive_by.is_some(),
                Some(keep_alive_by),
            ),
            Room::Share(for_keep_alive),
        ),
        (
            order(&|c: &Candidate| !c.prospecting, None),
            Room::UpTo(all - for_prospects),
        ),
        (order(&|c: &Candidate| c.prospecting, None), Room::UpTo(all)),
        (order(&|_: &Candidate| true, None), Room::UpTo(all)),
    ];
    for (layer, room) in &layers {
        let limit = match room {
            Room::Forced => None,
            Room::UpTo(n) => Some(*n),
            // A share counts from where its layer starts, and leaves the prospects theirs.
            Room::Share(n) => Some((day.remote + n).min(all - for_prospects)),
        };
        for &i in layer {
            let c = &candidates[i];
            if planned.contains(&c.history.contact.id) {
                continue;
            }
            let remote_room = limit.is_none_or(|l| day.remote < l) || forced(c);
            if let Some(item) = place(c, &mut day, remote_room, topics, pb, today) {
                planned.insert(item.contact);
                items.push(item);
            }
        }
    }
    // The field day is the rep's own when they set their hours.
    let own_day;
    let route_pb = match day.rep_hours {
        Some(h) => {
            own_day = Playbook {
                day_start: h.start,
                day_end: h.end,
                ..pb.clone()
            };
            &own_day
        }
        None => pb,
    };
    let route = route_the_day(&mut items, &candidates, &mut day, base, route_pb, today);
    items.sort_by(|a, b| {
        a.window
            .start_instant()
            .cmp(&b.window.start_instant())
            .then(b.priority.total_cmp(&a.priority))
            .then(a.contact.cmp(&b.contact))
    });
    (items, route)
}

/// Hands the chosen visits to the route solver (P26, P27, P28, P35): kept visits get
/// their place in the driving order and their times; a visit that does not fit becomes
/// a remote touch where one is allowed, and is listed with the reason either way.
pub(super) fn route_the_day(
    items: &mut Vec<PlanItem>,
    candidates: &[Candidate],
    day: &mut Day,
    base: rounds_route::LatLon,
    pb: &Playbook,
    today: Date,
) -> Option<DayRoute> {
    use super::route::{LeftOutVisit, VisitRequest, route_visits};
    let visits: Vec<usize> = (0..items.len())
        .filter(|&k| items[k].channel == Channel::Visit)
        .collect();
    if visits.is_empty() {
        return None;
    }
    let by_contact: HashMap<ContactId, &Candidate> = candidates
        .iter()
        .map(|c| (c.history.contact.id, c))
        .collect();
    let requests: Vec<VisitRequest> = visits
        .iter()
        .map(|&k| {
            let c = by_contact[&items[k].contact];
            VisitRequest {
                contact: items[k].contact,
                contact_name: items[k].contact_name.clone(),
                account: c.history.account,
                windows: open_ranges(
                    &visit_windows(c.history.account, today.weekday(), pb),
                    day,
                    today,
                    &c.history.account.tz,
                ),
                exact_at: c.exact_at,
                priority: items[k].priority,
            }
        })
        .collect();
    let routed = route_visits(&requests, base, pb, today, &day.busy)?;
    let mut route = routed.route;
    for (r, start, end) in routed.kept {
        let item = &mut items[visits[r]];
        item.window.start = start;
        item.window.end = end;
        let account = requests[r].account;
        for why in item
            .reasons
            .iter_mut()
            .filter(|why| why.rules == ["P26", "P27"])
        {
            why.text = visit_reason(account, &item.window);
        }
    }
    let mut gone: BTreeSet<usize> = BTreeSet::new();
    for (r, rules, text) in routed.dropped {
        let k = visits[r];
        let c = by_contact[&items[k].contact];
        day.visits = day.visits.saturating_sub(1);
        day.visited.remove(&c.history.account.id);
        let remote_room = day.remote < pb.max_remote || forced(c) || c.step_due.is_some();
        // A full day of remote touches gives way: the one placed last (the lowest layer,
        // the lowest priority) leaves for tomorrow, rather than this contact, chosen
        // before it, leaving every day its visit does not fit.
        let evicted = (!remote_room)
            .then(|| {
                (k + 1..items.len()).rev().find(|&j| {
                    !gone.contains(&j)
                        && items[j].channel != Channel::Visit
                        && by_contact
                            .get(&items[j].contact)
                            .is_some_and(|o| !forced(o) && o.step_due.is_none())
                })
            })
            .flatten();
        let instead = match evicted {
            Some(_) => choose_channel(c, day, true, false, pb, today),
            None => choose_channel(c, day, remote_room, false, pb, today),
        };
        if let (Some(j), Some(_)) = (evicted, &instead) {
            gone.insert(j);
            day.remote = day.remote.saturating_sub(1);
        }
        let item = &mut items[k];
        route.left_out.push(LeftOutVisit {
            contact: item.contact,
            contact_name: item.contact_name.clone(),
            account: item.account,
            account_name: item.account_name.clone(),
            rules: rules.clone(),
            reason: text.clone(),
            instead: instead.as_ref().map(|(ch, _, _)| *ch),
        });
        match instead {
            Some((channel, window, via)) => {
                day.remote += 1;
                item.reasons.retain(|why| why.rules != ["P26", "P27"]);
                let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
                item.reasons.push(reason(
                    &rules,
                    format!("In person did not fit today ({text}): {channel} instead"),
                ));
                item.channel = channel;
                item.window = window;
                item.via = via;
            }
            None => {
                gone.insert(k);
            }
        }
    }
    for k in gone.into_iter().rev() {
        items.remove(k);
    }
    Some(route)
}

pub(super) fn place(
    c: &Candidate,
    day: &mut Day,
    remote_room: bool,
    topics: &BTreeMap<TopicId, &Topic>,
    pb: &Playbook,
    today: Date,
) -> Option<PlanItem> {
    let h = c.history;
    let fresh = &h.fresh;
    if c.needs_topic && fresh.is_empty() {
        return None; // P2: flagged as "no reason to return", never a bare check-in (P3).
    }
    // The channel first: most candidates of a full day get none, and need no purpose.
    let (channel, window, via) = choose_channel(c, day, remote_room, true, pb, today)?;
    let fallback = (fresh.is_empty() && c.purpose.is_none()).then(|| without_new_topic(h, pb));
    let purpose = c.purpose.clone().or(fallback);
    if channel == Channel::Visit {
        day.visits += 1;
        day.visited.insert(h.account.id);
    } else {
        day.remote += 1;
    }
    let mut topic_iter = fresh.iter().map(|t| PlannedTopic {
        topic: Some(t.id),
        title: t.title.clone(),
    });
    let primary = match &purpose {
        // A first meeting is about a topic of theirs, whatever its purpose (P7).
        Some(_) if c.kind == TouchKind::FirstMeeting && !fresh.is_empty() => {
            topic_iter.next().unwrap_or_else(|| PlannedTopic {
                topic: None,
                title: purpose.clone().unwrap_or_default(),
            })
        }
        Some(p) if c.kind != TouchKind::Routine || fresh.is_empty() => PlannedTopic {
            topic: None,
            title: p.clone(),
        },
        _ => topic_iter.next().unwrap_or_else(|| PlannedTopic {
            topic: None,
            title: purpose.clone().unwrap_or_default(),
        }),
    };
    let backup_topics: Vec<PlannedTopic> = topic_iter.take(pb.backup_topics).collect();
    let mut reasons = c.reasons.clone();
    if channel == Channel::Visit
        && !c
            .only
            .as_ref()
            .is_some_and(|o| o.contains(&Channel::Visit) && o.len() == 1)
    {
        reasons.push(reason(&["P26", "P27"], visit_reason(h.account, &window)));
    }
    if let Some(at) = c.exact_at.filter(|_| !window.exact) {
        reasons.push(reason(
            &["P35"],
            format!(
                "Agreed for {}, but your own calendar is busy then: the first free time instead; say why",
                at.strftime("%H:%M")
            ),
        ));
    }
    let mut prep = preparation(h, topics, pb, channel, today);
    if c.kind == TouchKind::FirstMeeting {
        prep.agenda = Some(agenda(h, &primary, topics));
    }
    Some(PlanItem {
        contact: h.contact.id,
        contact_name: h.contact.name.clone(),
        role: h.contact.role,
        account: h.account.id,
        account_name: h.account.name.clone(),
        channel,
        via,
        kind: c.kind,
        window,
        urgent: c.urgent,
        primary_topic: primary,
        backup_topics,
        reasons,
        prep,
        priority: (c.score * 100.0).round() / 100.0,
        step: h.planned_step(pb, today),
    })
}

/// The agenda of a first meeting (P7): its topic, the value to the customer — the pain
/// point of theirs the topic answers (the topic's own when the account named none of
/// them, the account's first without a topic) — and an open question about it, never
/// whether they are ready to decide (P5).
pub(super) fn agenda(
    h: &History,
    topic: &PlannedTopic,
    topics: &BTreeMap<TopicId, &Topic>,
) -> super::Agenda {
    let keys: &[String] = topic
        .topic
        .and_then(|id| topics.get(&id))
        .map_or(&[], |t| t.pain_points.as_slice());
    let pain = keys
        .iter()
        .find(|k| h.account.pain_points.contains(k))
        .or(keys.first())
        .or(h.account.pain_points.first())
        .and_then(|k| crate::catalogue::pain_point(k));
    let (value, question) = match pain {
        Some(p) => {
            let what = lower_first(&p.title);
            (
                format!("Help with {what}"),
                format!("How does {what} affect your office today?"),
            )
        }
        None => (
            format!(
                "What {} changes for their office",
                lower_first(&topic.title)
            ),
            format!(
                "Where does {} cost your team time today?",
                lower_first(&topic.title)
            ),
        ),
    };
    super::Agenda {
        topic: topic.clone(),
        value,
        question,
    }
}

/// `s` with its first letter in lower case, for a title inside a sentence; a word in
/// capitals (an acronym) is kept.
pub(super) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

/// What a touch that must happen is about when no library topic is left (the content gap
/// is flagged, P2): a fact about the office still to learn (P24), a pain point the office
/// named (P25), or what changed since the last conversation.
pub(super) fn without_new_topic(h: &History, pb: &Playbook) -> String {
    if let Some(fact) = pb
        .profile_facts
        .iter()
        .find(|f| !h.account.profile.contains_key(*f))
    {
        return format!("Learn their {}", fact.replace('-', " "));
    }
    if let Some(p) = h
        .account
        .pain_points
        .first()
        .and_then(|p| crate::catalogue::pain_point(p))
    {
        return format!("How peers handle it: {}", p.title.to_lowercase());
    }
    match h.last_answer {
        Some(d) => format!("What changed for them since we spoke on {d}"),
        None => "What would make a first conversation worth their time".to_string(),
    }
}

pub(super) fn visit_reason(a: &Account, w: &LocalWindow) -> String {
    let when = format!("{}–{}", w.start.strftime("%H:%M"), w.end.strftime("%H:%M"));
    if a.front_desk_blocks {
        format!(
            "In person first; the front desk blocks, so arrive {when} (lunch or after the last patient)"
        )
    } else {
        format!("In person first, in the office's best visiting time {when}")
    }
}

pub(super) type Choice = (Channel, LocalWindow, Option<String>);

pub(super) fn choose_channel(
    c: &Candidate,
    day: &Day,
    remote_room: bool,
    allow_visit: bool,
    pb: &Playbook,
    today: Date,
) -> Option<Choice> {
    let h = c.history;
    let contact = h.contact;
    let account = h.account;
    let weekday = today.weekday();
    let last_unanswered = h.last_unanswered_attempt();
    let prefer_afternoon =
        last_unanswered.is_some_and(|(t, _)| t.at.to_zoned(account.tz.zone()).time() < MORNING_END);
    let mut order: Vec<Channel> = Vec::with_capacity(16);
    if let Some(p) = contact.preferred_channel {
        order.push(p); // P43: their preferred means of communication.
    }
    order.push(Channel::Visit); // P26: in person first where it is allowed.
    for reach in &pb.quality_rank {
        match reach {
            Reach::Cell => order.extend([Channel::Call, Channel::Text]),
            Reach::Email => order.push(Channel::Email),
            Reach::Extension => order.push(Channel::Call),
        }
    }
    order.extend([Channel::Linkedin, Channel::HandwrittenNote, Channel::Letter]);
    if let Some(only) = &c.only {
        order = only.clone();
    }
    // Each channel once, where it first comes; the list is short enough to scan.
    let mut seen: Vec<Channel> = Vec::with_capacity(order.len());
    order.retain(|ch| {
        let new = !seen.contains(ch);
        if new {
            seen.push(*ch);
        }
        new
    });
    // P21: after an unanswered attempt, another channel first; the same one only as a
    // last resort, and then at another time of day.
    if let Some((t, _)) = last_unanswered
        && c.exact_at.is_none()
    {
        order.sort_by_key(|ch| *ch == t.channel);
    }
    for ch in order {
        if !contact.can_use(ch) {
            continue; // Opted out, or no address for it.
        }
        let agreed = c.agreed();
        if ch.is_cold_reach()
            && account.access == AccessPolicy::NoVendorContact
            && c.exact_at.is_none()
            && !c.meeting_agreed
        {
            continue; // P6
        }
        if ch == Channel::Visit {
            if !allow_visit {
                continue;
            }
            if let Some(w) = visit_choice(c, day, pb, today, prefer_afternoon) {
                return Some(w);
            }
            continue;
        }
        if !remote_room {
            return None;
        }
        let uses_cell = ch == Channel::Text
            || (ch == Channel::Call
                && contact.channels.cell.is_some()
                && pb.quality_rank.first() == Some(&Reach::Cell));
        let cell_open = h.replied_on_cell || h.cell_uses_this_week < pb.cell_max_per_week;
        if ch == Channel::Text && !cell_open {
            continue; // P43
        }
        if h.touches_this_week >= pb.max_touches_per_contact_per_week && !agreed {
            return None; // P23: not too often.
        }
        let hours = &open_ranges(account.office_hours.on(weekday), day, today, &account.tz);
        // An agreed moment the rep's own calendar has since taken: the first free time
        // instead, and the item says why (P35).
        let exact_at = c
            .exact_at
            .filter(|at| !is_busy(day, today, exact_window(*at, pb), &account.tz));
        let window = match ch {
            Channel::Call | Channel::VirtualMeeting | Channel::Voicemail | Channel::Text => {
                if let Some(at) = exact_at {
                    Some(exact_window(at, pb))
                } else {
                    call_window(hours, pb, prefer_afternoon)
                }
            }
            Channel::Email => email_window(c, h, hours, pb, today, weekday, prefer_afternoon),
            _ => hours.first().copied().or_else(|| {
                // No office hours known: a nominal day, still clear of the rep's busy times.
                open_ranges(&[TimeRange::hm(9, 0, 17, 0)], day, today, &account.tz)
                    .first()
                    .copied()
            }),
        };
        let Some(window) = window else { continue };
        let via = match ch {
            Channel::Call | Channel::Voicemail | Channel::Text if uses_cell && cell_open => {
                contact.channels.cell.clone()
            }
            Channel::Call | Channel::Voicemail => {
                match (&contact.channels.office_phone, &contact.channels.extension) {
                    (Some(p), Some(x)) => Some(format!("{p} ext. {x}")),
                    (Some(p), None) => Some(p.clone()),
                    (None, Some(x)) => Some(format!("ext. {x}")),
                    (None, None) if cell_open || c.exact_at.is_some() => {
                        contact.channels.cell.clone()
                    }
                    (None, None) => continue, // P43: the cell was used this week already.
                }
            }
            Channel::Email | Channel::VirtualMeeting => contact.channels.email.clone(),
            Channel::Linkedin => contact.channels.linkedin.clone(),
            _ => None,
        };
        return Some((ch, local(today, window, account, exact_at.is_some()), via));
    }
    None
}

pub(super) fn exact_window(at: Time, pb: &Playbook) -> TimeRange {
    let end = at
        .checked_add((pb.visit_minutes.max(1)).minutes())
        .unwrap_or(at);
    TimeRange {
        start: at,
        end: end.max(at),
    }
}

pub(super) fn local(date: Date, w: TimeRange, a: &Account, exact: bool) -> LocalWindow {
    LocalWindow {
        date,
        start: w.start,
        end: w.end,
        tz: a.tz.clone(),
        exact,
    }
}

pub(super) fn visit_choice(
    c: &Candidate,
    day: &Day,
    pb: &Playbook,
    today: Date,
    prefer_afternoon: bool,
) -> Option<Choice> {
    let h = c.history;
    let a = h.account;
    if day.visits >= pb.max_visits || day.visited.contains(&a.id) {
        return None; // One visit per account a day, and the day has room (P23, P26).
    }
    if a.access != AccessPolicy::Open && !c.visit_agreed {
        return None; // P6: no drop-in where appointments are required.
    }
    if h.touches_this_week >= pb.max_touches_per_contact_per_week && !c.agreed() {
        return None;
    }
    let recent_visit = day.last_visit.get(&a.id).map(|d| days_between(*d, today));
    if recent_visit.is_some_and(|d| d < pb.min_days_between_visits)
        && !c.visit_agreed
        && !c.agreed()
    {
        return None; // P23
    }
    if let Some(at) = c.exact_at {
        let w = exact_window(at, pb);
        if is_busy(day, today, w, &a.tz) {
            return None; // The rep's calendar holds the agreed time: a remote touch instead.
        }
        return Some((Channel::Visit, local(today, w, a, true), None));
    }
    let windows = open_ranges(&visit_windows(a, today.weekday(), pb), day, today, &a.tz);
    let w = if prefer_afternoon {
        windows.last()
    } else {
        windows.first()
    }?;
    Some((Channel::Visit, local(today, *w, a, false), None))
}

/// When to drop in (P27): at lunch or after the last patient where the front desk blocks,
/// otherwise in the preferred visit windows, within office hours, long enough for a visit.
pub fn visit_windows(a: &Account, weekday: Weekday, pb: &Playbook) -> Vec<TimeRange> {
    let hours = a.office_hours.on(weekday);
    let Some(last) = hours.last() else {
        return vec![];
    };
    let mut out = Vec::new();
    if a.front_desk_blocks {
        out.extend(a.office_hours.gaps(weekday));
        if out.is_empty() {
            // No lunch gap in the hours: the preferred lunch window, if any, stands in.
            out.extend(a.visit_windows.iter().copied().filter(|w| {
                w.start >= Time::constant(11, 0, 0, 0) && w.end <= Time::constant(14, 0, 0, 0)
            }));
        }
        let close = minutes_of(last.end);
        let start = (close - pb.front_desk_end_of_day_minutes).max(minutes_of(last.start));
        out.push(TimeRange {
            start: time_of(start),
            end: last.end,
        });
    } else {
        for w in &a.visit_windows {
            out.extend(hours.iter().filter_map(|h| h.intersect(w)));
        }
        if out.is_empty() {
            out.extend(hours.iter().copied());
        }
    }
    out.retain(|w| w.minutes() >= pb.visit_minutes);
    out.sort();
    out.dedup();
    out
}

pub(super) fn time_of(minutes: i64) -> Time {
    let m = minutes.clamp(0, 24 * 60 - 1);
    Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).unwrap_or(Time::MIN)
}

pub(super) fn call_window(
    hours: &[TimeRange],
    pb: &Playbook,
    prefer_afternoon: bool,
) -> Option<TimeRange> {
    // Calls avoid the lunch hour as emails do (P39).
    let mut open: Vec<TimeRange> = Vec::new();
    for h in hours {
        let never = pb.email_never_hours;
        if let Some(before) = h.intersect(&TimeRange {
            start: Time::MIN,
            end: never.start,
        }) {
            open.push(before);
        }
        if let Some(after) = h.intersect(&TimeRange {
            start: never.end,
            end: Time::MAX,
        }) {
            open.push(after);
        }
    }
    open.retain(|w| w.minutes() >= 15);
    if prefer_afternoon {
        open.last().copied()
    } else {
        open.first().copied()
    }
}

/// P38, P39, P40: the days, hours and waits of follow-up email.
pub(super) fn email_window(
    c: &Candidate,
    h: &History,
    hours: &[TimeRange],
    pb: &Playbook,
    today: Date,
    weekday: Weekday,
    prefer_afternoon: bool,
) -> Option<TimeRange> {
    if !email_day(weekday, c.urgent, pb) {
        return None;
    }
    let last_email = h
        .touches
        .iter()
        .rev()
        .find(|(t, _)| t.channel == Channel::Email && t.direction == Direction::Outbound);
    if let Some((t, d)) = last_email {
        let waited = days_between(*d, today);
        if waited < 1 {
            return None; // P40: never within a day.
        }
        if t.outcome == Outcome::NoResponse && waited < pb.prospecting_wait_min_days && !c.urgent {
            return None; // P40: wait before following up an unanswered email.
        }
    }
    let mut windows = email_hours(hours, pb);
    // P21: after an unanswered morning attempt, the afternoon window first.
    if prefer_afternoon {
        windows.sort_by_key(|w| w.start < MORNING_END);
    }
    windows.first().copied()
}

/// P38: whether plain follow-up email may go on `weekday` (or, when `urgent`, an urgent
/// one). Shared by the planner and the outbox's send time (`crate::sending`).
pub fn email_day(weekday: Weekday, urgent: bool, pb: &Playbook) -> bool {
    pb.email_days.contains(&weekday) || (urgent && pb.urgent_email_days.contains(&weekday))
}

/// P39: within a day's office `hours`, the parts of the best then the next-best e-mail
/// window the office is open for (a lunch break may cut into the next-best hour), each
/// long enough to send in and clear of lunch and of the closing buffer. In the
/// playbook's order (best first); empty when the office is closed. Shared by the
/// planner and the outbox's send time (`crate::sending`).
pub fn email_hours(hours: &[TimeRange], pb: &Playbook) -> Vec<TimeRange> {
    let Some(close) = hours.last().map(|h| minutes_of(h.end)) else {
        return vec![];
    };
    [pb.email_best_hours, pb.email_next_hours]
        .into_iter()
        .filter_map(|w| {
            hours.iter().filter_map(|h| h.intersect(&w)).find(|open| {
                open.minutes() >= 15
                    && minutes_of(open.end) <= close - pb.closing_buffer_minutes
                    && open.intersect(&pb.email_never_hours).is_none()
            })
        })
        .collect()
}

pub(super) fn preparation(
    h: &History,
    topics: &BTreeMap<TopicId, &Topic>,
    pb: &Playbook,
    channel: Channel,
    today: Date,
) -> Preparation {
    let title = |id: &TopicId| {
        topics
            .get(id)
            .map(|t| t.title.clone())
            .unwrap_or_else(|| format!("topic {id}"))
    };
    let recent_touches = h
        .touches
        .iter()
        .rev()
        .take(5)
        .map(|(t, d)| TouchSummary {
            date: *d,
            channel: t.channel,
            outcome: t.outcome,
            kind: t.kind,
            topics: t.topics.iter().map(title).collect(),
            note: t.note.clone(),
        })
        .collect();
    let topics_covered = h.covered.iter().map(title).collect();
    let open_next_steps = h
        .open_next_step()
        .map(|(s, _)| vec![s.clone()])
        .unwrap_or_default();
    let facts = &pb.profile_facts;
    let known = facts
        .iter()
        .filter(|f| h.account.profile.contains_key(*f))
        .count();
    let profile_completeness = if facts.is_empty() {
        100
    } else {
        (known * 100 / facts.len()) as u8
    };
    let ask_about = (channel == Channel::Visit)
        .then(|| {
            facts
                .iter()
                .find(|f| !h.account.profile.contains_key(*f))
                .cloned()
        })
        .flatten();
    let _ = today;
    Preparation {
        recent_touches,
        topics_covered,
        open_next_steps,
        referrals: h.referrals.clone(),
        profile_completeness,
        ask_about,
        agenda: None,
    }
}
