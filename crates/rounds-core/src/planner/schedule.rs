//! Filling the day: capacity (visits, remote touches, room kept for prospects), the
//! channel each chosen candidate goes by, and the local time window the rules allow.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::ToSpan;
use jiff::civil::{Date, Time, Weekday};

use super::history::History;
use super::route::DayRoute;
use super::rules::Candidate;
use super::{LocalWindow, PlanItem, PlannedTopic, Preparation, TouchSummary, days_between, reason};
use crate::model::{
    AccessPolicy, Account, AccountId, Channel, ContactId, Direction, Outcome, TimeRange, Topic,
    TopicId, TouchKind, minutes_of,
};
use crate::playbook::{Playbook, Reach};

pub(super) const MORNING_END: Time = Time::constant(12, 0, 0, 0);

pub(super) type Filter = &'static dyn Fn(&Candidate) -> bool;

/// Day state while the capacity is filled.
pub(super) struct Day {
    pub(super) visits: usize,
    pub(super) remote: usize,
    pub(super) visited: BTreeSet<AccountId>,
    /// The latest visit to each account, by anyone (P23 counts per account).
    pub(super) last_visit: BTreeMap<AccountId, Date>,
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
) -> (Vec<PlanItem>, Option<DayRoute>) {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.history.contact.id.cmp(&b.history.contact.id))
    });
    let reserve = (pb.max_remote as f64 * pb.prospecting_share).floor() as usize;
    let mut day = Day {
        visits: 0,
        remote: 0,
        visited: BTreeSet::new(),
        last_visit,
    };
    let mut items = Vec::new();
    let mut planned: BTreeSet<ContactId> = BTreeSet::new();
    // Agreed and time-bound touches first, then the rest with room kept for prospects
    // (P19, P20), then prospects, then whatever room is left.
    let passes: [(Filter, usize); 4] = [
        (&|c: &Candidate| c.exact_at.is_some() || c.urgent, 0),
        (&|c: &Candidate| !c.prospecting, reserve),
        (&|c: &Candidate| c.prospecting, 0),
        (&|_: &Candidate| true, 0),
    ];
    for (wanted, keep) in passes {
        for c in candidates.iter().filter(|c| wanted(c)) {
            if planned.contains(&c.history.contact.id) {
                continue;
            }
            let forced = c.exact_at.is_some() || c.urgent;
            let remote_room = forced || day.remote + keep < pb.max_remote;
            if let Some(item) = place(c, &mut day, remote_room, topics, pb, today) {
                planned.insert(item.contact);
                items.push(item);
            }
        }
    }
    let route = route_the_day(&mut items, &candidates, &mut day, base, pb, today);
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
                windows: visit_windows(c.history.account, today.weekday(), pb),
                exact_at: c.exact_at,
                priority: items[k].priority,
            }
        })
        .collect();
    let routed = route_visits(&requests, base, pb, today)?;
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
    let mut gone = Vec::new();
    for (r, rules, text) in routed.dropped {
        let k = visits[r];
        let c = by_contact[&items[k].contact];
        day.visits = day.visits.saturating_sub(1);
        day.visited.remove(&c.history.account.id);
        let remote_room = day.remote < pb.max_remote || c.exact_at.is_some();
        let instead = choose_channel(c, day, remote_room, false, pb, today);
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
            None => gone.push(k),
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
    let (channel, window, via) = choose_channel(c, day, remote_room, true, pb, today)?;
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
    let primary = match &c.purpose {
        Some(p) if c.kind != TouchKind::Routine || fresh.is_empty() => PlannedTopic {
            topic: None,
            title: p.clone(),
        },
        _ => topic_iter.next().unwrap_or_else(|| PlannedTopic {
            topic: None,
            title: c.purpose.clone().unwrap_or_default(),
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
        prep: preparation(h, topics, pb, channel, today),
        priority: (c.score * 100.0).round() / 100.0,
        step: h.planned_step(pb, today),
    })
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
    let mut order: Vec<Channel> = Vec::new();
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
    let mut seen = BTreeSet::new();
    order.retain(|ch| seen.insert(*ch));
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
        let agreed = c.exact_at.is_some();
        if ch.is_cold_reach() && account.access == AccessPolicy::NoVendorContact && !agreed {
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
        let hours = account.office_hours.on(weekday);
        let window = match ch {
            Channel::Call | Channel::VirtualMeeting | Channel::Voicemail | Channel::Text => {
                if let Some(at) = c.exact_at {
                    Some(exact_window(at, pb))
                } else {
                    call_window(hours, pb, prefer_afternoon)
                }
            }
            Channel::Email => email_window(c, h, hours, pb, today, weekday),
            _ => hours.first().copied().or(Some(TimeRange::hm(9, 0, 17, 0))),
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
                    (None, None) if cell_open || agreed => contact.channels.cell.clone(),
                    (None, None) => continue, // P43: the cell was used this week already.
                }
            }
            Channel::Email | Channel::VirtualMeeting => contact.channels.email.clone(),
            Channel::Linkedin => contact.channels.linkedin.clone(),
            _ => None,
        };
        return Some((ch, local(today, window, account, c.exact_at.is_some()), via));
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
    if h.touches_this_week >= pb.max_touches_per_contact_per_week {
        return None;
    }
    let recent_visit = day.last_visit.get(&a.id).map(|d| days_between(*d, today));
    if recent_visit.is_some_and(|d| d < pb.min_days_between_visits) && !c.visit_agreed {
        return None; // P23
    }
    if let Some(at) = c.exact_at {
        return Some((
            Channel::Visit,
            local(today, exact_window(at, pb), a, true),
            None,
        ));
    }
    let windows = visit_windows(a, today.weekday(), pb);
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
) -> Option<TimeRange> {
    let plain_day = pb.email_days.contains(&weekday);
    let urgent_day = pb.urgent_email_days.contains(&weekday);
    if !(plain_day || (c.urgent && urgent_day)) {
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
    let close = hours.last().map(|h| minutes_of(h.end))?;
    [pb.email_best_hours, pb.email_next_hours]
        .into_iter()
        .find(|w| {
            hours.iter().any(|h| h.start <= w.start && w.end <= h.end)
                && minutes_of(w.end) <= close - pb.closing_buffer_minutes
                && w.intersect(&pb.email_never_hours).is_none()
        })
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
    }
}
