//! The day planner: whom to contact today, how, when, about what, and why.
//!
//! `plan` is a pure function of a territory snapshot, the playbook, the rep and the
//! date. It works in three passes: summarise each contact's history once (so the cost
//! is linear in the touches), turn the summaries into candidates that each carry their
//! reasons with rule IDs, then fill the day's capacity in priority order, choosing for
//! every chosen candidate a channel and a local time window that the rules allow.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::{Date, Time, Weekday};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::model::{
    AccessPolicy, Account, AccountId, AccountStatus, Channel, Contact, ContactId, ContactRole,
    Direction, NextStep, Outcome, Segment, Territory, TimeRange, Topic, TopicId, Touch, TouchKind,
    TzName, UserId, minutes_of,
};
use crate::playbook::{Playbook, Reach};

/// Today's plan for one rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayPlan {
    pub rep: UserId,
    pub date: Date,
    pub items: Vec<PlanItem>,
    pub flags: Vec<Flag>,
    /// The in-person visits in driving order, when there are any.
    pub route: Option<crate::day_route::DayRoute>,
}

/// One planned touch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub contact: ContactId,
    pub contact_name: String,
    pub role: ContactRole,
    pub account: AccountId,
    pub account_name: String,
    pub channel: Channel,
    /// The number, address or handle to use, when the channel needs one.
    pub via: Option<String>,
    pub kind: TouchKind,
    pub window: LocalWindow,
    /// Allowed outside the usual email days (P38).
    pub urgent: bool,
    pub primary_topic: PlannedTopic,
    pub backup_topics: Vec<PlannedTopic>,
    pub reasons: Vec<Reason>,
    pub prep: Preparation,
    pub priority: f64,
}

/// A time window in the contact's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalWindow {
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub tz: TzName,
    /// An agreed time to keep to the minute (P35).
    pub exact: bool,
}

impl LocalWindow {
    pub fn start_instant(&self) -> Timestamp {
        self.date
            .to_datetime(self.start)
            .to_zoned(self.tz.zone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// What to talk about: a library topic, or the purpose of the touch when it has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTopic {
    pub topic: Option<TopicId>,
    pub title: String,
}

/// Why a touch is planned, citing the playbook rules behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub rules: Vec<String>,
    pub text: String,
}

fn reason(rules: &[&str], text: impl Into<String>) -> Reason {
    Reason {
        rules: rules.iter().map(|r| r.to_string()).collect(),
        text: text.into(),
    }
}

/// What to read before the touch (P46).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preparation {
    pub recent_touches: Vec<TouchSummary>,
    pub topics_covered: Vec<String>,
    pub open_next_steps: Vec<NextStep>,
    pub referrals: Option<ReferralFigures>,
    /// Share of the playbook's profile facts known for the account (P24).
    pub profile_completeness: u8,
    /// One missing fact to ask about on this visit (P24).
    pub ask_about: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TouchSummary {
    pub date: Date,
    pub channel: Channel,
    pub outcome: Outcome,
    pub kind: TouchKind,
    pub topics: Vec<String>,
    pub note: String,
}

/// A referring provider's counts against their own baseline (P9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralFigures {
    pub recent_days: i64,
    pub recent: u32,
    /// Baseline referrals scaled to one recent window.
    pub baseline_per_recent: f64,
    /// Relative change, −1.0 = fell to nothing.
    pub change: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    NoReasonToReturn,
    MissingNextStep,
    ReferralMeetingWithoutNextStep,
    NoStaffContact,
}

/// Something the rep or manager should fix; not a touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub rules: Vec<String>,
    pub account: AccountId,
    pub account_name: String,
    pub contact: Option<ContactId>,
    pub contact_name: Option<String>,
    pub text: String,
}

/// Local dates of instants in one zone, read from a short table of the zone's offsets
/// around `today`: evaluating the daylight-saving rule for every touch took a fifth of
/// the planner's time.
struct LocalClock {
    zone: jiff::tz::TimeZone,
    from: Timestamp,
    until: Timestamp,
    changes: Vec<(Timestamp, jiff::tz::Offset)>,
}

impl LocalClock {
    fn new(zone: jiff::tz::TimeZone, today: Date) -> LocalClock {
        let instant = |d: Option<Date>| {
            d.and_then(|d| d.to_zoned(zone.clone()).ok())
                .map(|z| z.timestamp())
                .unwrap_or(Timestamp::UNIX_EPOCH)
        };
        let from = instant(today.checked_sub(800.days()).ok());
        let until = instant(today.checked_add(2.days()).ok());
        let mut changes = vec![(from, zone.to_offset(from))];
        for t in zone.following(from) {
            if t.timestamp() > until {
                break;
            }
            changes.push((t.timestamp(), t.offset()));
        }
        LocalClock {
            zone,
            from,
            until,
            changes,
        }
    }

    fn date(&self, at: Timestamp) -> Date {
        if at < self.from || at > self.until {
            return self.zone.to_datetime(at).date();
        }
        let i = self.changes.partition_point(|(t, _)| *t <= at);
        self.changes[i.saturating_sub(1)].1.to_datetime(at).date()
    }
}

const MORNING_END: Time = Time::constant(12, 0, 0, 0);

fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_secs().div_euclid(86_400)
}

/// A contact's history, summarised once.
struct History<'a> {
    contact: &'a Contact,
    account: &'a Account,
    /// Touches up to the end of `today`, oldest first, with their local date.
    touches: Vec<(&'a Touch, Date)>,
    /// Unanswered outbound attempts since the last answer.
    streak: usize,
    ever_answered: bool,
    covered: BTreeSet<TopicId>,
    explain_better: Vec<TopicId>,
    touches_this_week: usize,
    cell_uses_this_week: usize,
    replied_on_cell: bool,
    referrals: Option<ReferralFigures>,
    referral_days: Vec<Date>,
    /// Relevant topics not yet covered, best first; computed once (P1, P3).
    fresh: Vec<&'a Topic>,
}

impl<'a> History<'a> {
    fn last(&self) -> Option<(&'a Touch, Date)> {
        self.touches.last().copied()
    }
    fn days_since_last(&self, today: Date) -> Option<i64> {
        self.last().map(|(_, d)| days_between(d, today))
    }
    fn last_of_kind(&self, kind: TouchKind) -> Option<(&'a Touch, Date)> {
        self.touches
            .iter()
            .rev()
            .find(|(t, _)| t.kind == kind)
            .copied()
    }
    fn any_since(&self, kind: TouchKind, since: Timestamp) -> bool {
        self.touches
            .iter()
            .any(|(t, _)| t.kind == kind && t.at >= since)
    }
    fn last_unanswered_attempt(&self) -> Option<(&'a Touch, Date)> {
        self.last()
            .filter(|(t, _)| t.outcome == Outcome::NoResponse && t.direction == Direction::Outbound)
    }
    /// The next step of the latest conversation, unless a later conversation followed.
    fn open_next_step(&self) -> Option<(&'a NextStep, Date)> {
        let (i, step, day) = self
            .touches
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, (t, d))| t.next_step.as_ref().map(|s| (i, s, *d)))?;
        let superseded = self.touches[i + 1..]
            .iter()
            .any(|(later, _)| later.outcome.answered());
        (!superseded).then_some((step, day))
    }
}

struct Candidate<'a> {
    history: &'a History<'a>,
    score: f64,
    reasons: Vec<Reason>,
    kind: TouchKind,
    /// An agreed time to keep exactly (P35).
    exact_at: Option<Time>,
    /// Time-bound touches may use the urgent email days (P38).
    urgent: bool,
    /// Only channels in this list, when set.
    only: Option<Vec<Channel>>,
    /// The purpose stands in for a topic when no library topic fits (P1).
    purpose: Option<String>,
    /// Needs a new library topic to be worth a touch (P3).
    needs_topic: bool,
    prospecting: bool,
    visit_agreed: bool,
}

/// Plans one rep's day. Pure and deterministic.
pub fn plan(territory: &Territory, pb: &Playbook, rep: UserId, today: Date) -> DayPlan {
    let accounts: BTreeMap<AccountId, &Account> = territory
        .accounts
        .iter()
        .filter(|a| a.rep == rep)
        .map(|a| (a.id, a))
        .collect();
    let topics: BTreeMap<TopicId, &Topic> = territory.topics.iter().map(|t| (t.id, t)).collect();

    // One sort by contact, then a slice per contact: cheaper than a map of growing
    // vectors. Rows of other reps' contacts are sorted too but never looked at.
    let mut touches: Vec<&Touch> = territory.touches.iter().collect();
    touches.sort_unstable_by_key(|t| (t.contact, t.at, t.id));
    let mut referrals: Vec<(ContactId, Date, u32)> = territory
        .referrals
        .iter()
        .filter(|r| r.day < today)
        .map(|r| (r.contact, r.day, r.count))
        .collect();
    referrals.sort_unstable();
    let mut contacts: Vec<&Contact> = territory
        .contacts
        .iter()
        .filter(|c| accounts.contains_key(&c.account))
        .collect();
    contacts.sort_by_key(|c| c.id);

    let mut relevance: HashMap<
        (AccountId, ContactRole, Option<&crate::model::Specialty>),
        Vec<&Topic>,
    > = HashMap::new();
    let mut clocks: HashMap<&str, LocalClock> = HashMap::new();
    let histories: Vec<History> = contacts
        .iter()
        .map(|c| {
            let account = accounts[&c.account];
            let touches = rows_of(&touches, c.id, |t| t.contact);
            let refs = rows_of(&referrals, c.id, |r| r.0);
            let clock = clocks
                .entry(account.tz.as_str())
                .or_insert_with(|| LocalClock::new(account.tz.zone(), today));
            let mut h = summarise(c, account, clock, touches, refs, pb, today);
            // Relevance depends only on these three, shared by most contacts of an account.
            let key = (account.id, c.role, c.specialty.as_ref());
            let relevant = relevance
                .entry(key)
                .or_insert_with(|| relevant_topics(&h, &topics, pb, today));
            h.fresh = fresh_topics(&h, &topics, relevant);
            h
        })
        .collect();

    let mut by_account: BTreeMap<AccountId, Vec<usize>> = BTreeMap::new();
    for (i, h) in histories.iter().enumerate() {
        by_account.entry(h.account.id).or_default().push(i);
    }

    let lost: BTreeMap<AccountId, &crate::model::LostAccount> = territory
        .lost
        .iter()
        .filter(|l| accounts.contains_key(&l.account))
        .map(|l| (l.account, l))
        .collect();

    let mut candidates = Vec::new();
    let mut flags = Vec::new();
    for (account_id, members) in &by_account {
        let account = accounts[account_id];
        let hs: Vec<&History> = members.iter().map(|&i| &histories[i]).collect();
        account_candidates(
            account,
            &hs,
            lost.get(account_id).copied(),
            pb,
            today,
            &mut candidates,
        );
        account_flags(account, &hs, pb, today, &mut flags);
    }

    let mut last_visit: BTreeMap<AccountId, Date> = BTreeMap::new();
    for h in &histories {
        if let Some((_, d)) = h
            .touches
            .iter()
            .rev()
            .find(|(t, _)| t.channel == Channel::Visit)
        {
            let e = last_visit.entry(h.account.id).or_insert(*d);
            *e = (*e).max(*d);
        }
    }
    let base = territory_centre(accounts.values().copied());
    let (items, route) = fill_day(candidates, last_visit, base, &topics, pb, today);
    DayPlan {
        rep,
        date: today,
        items,
        flags,
        route,
    }
}

fn summarise<'a>(
    contact: &'a Contact,
    account: &'a Account,
    clock: &LocalClock,
    raw: &[&'a Touch],
    referrals: &[(ContactId, Date, u32)],
    pb: &Playbook,
    today: Date,
) -> History<'a> {
    let touches: Vec<(&Touch, Date)> = raw
        .iter()
        .map(|t| (*t, clock.date(t.at)))
        .filter(|(_, d)| *d <= today)
        .collect();
    let mut streak = 0;
    let mut ever_answered = false;
    // Last mention of each topic decides: explained, or to be explained better (P3, P4).
    let mut last_mention: BTreeMap<TopicId, bool> = BTreeMap::new();
    let week_start = today.checked_sub(6.days()).unwrap_or(today);
    let mut touches_this_week = 0;
    let mut cell_uses_this_week = 0;
    let mut replied_on_cell = false;
    let cell_only_phone = contact.channels.cell.is_some()
        && contact.channels.office_phone.is_none()
        && contact.channels.extension.is_none();
    for (t, d) in &touches {
        if t.outcome.answered() {
            ever_answered = true;
            streak = 0;
        } else if t.direction == Direction::Outbound {
            streak += 1;
        }
        if delivered(t) {
            for topic in t.topics.iter().chain(&t.primary_topic) {
                last_mention.insert(*topic, false);
            }
            for topic in &t.explain_better {
                last_mention.insert(*topic, true);
            }
        }
        let on_cell = t.channel == Channel::Text || (t.channel == Channel::Call && cell_only_phone);
        if *d >= week_start {
            touches_this_week += 1;
            if on_cell && t.direction == Direction::Outbound {
                cell_uses_this_week += 1;
            }
        }
        if on_cell && t.outcome.answered() {
            replied_on_cell = true;
        }
    }
    let covered = last_mention
        .iter()
        .filter(|(_, again)| !**again)
        .map(|(t, _)| *t)
        .collect();
    let explain_better = last_mention
        .iter()
        .filter(|(_, again)| **again)
        .map(|(t, _)| *t)
        .collect();
    let referral_days = referrals
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(_, d, _)| *d)
        .collect();
    let figures = referral_figures(referrals, pb, today);
    History {
        contact,
        account,
        touches,
        streak,
        ever_answered,
        covered,
        explain_better,
        touches_this_week,
        cell_uses_this_week,
        replied_on_cell,
        referrals: figures,
        referral_days,
        fresh: Vec::new(),
    }
}

/// A topic reached the contact: they engaged, or it arrived in writing. Public so that
/// reports count a topic as covered exactly as the planner does.
pub fn delivered(t: &Touch) -> bool {
    t.outcome.answered()
        || matches!(
            t.channel,
            Channel::Email
                | Channel::Letter
                | Channel::HandwrittenNote
                | Channel::Linkedin
                | Channel::Text
        )
}

/// The run of `rows` (sorted by key) whose key is `id`.
fn rows_of<T, K: Ord>(rows: &[T], id: K, key: impl Fn(&T) -> K) -> &[T] {
    let start = rows.partition_point(|r| key(r) < id);
    let len = rows[start..].partition_point(|r| key(r) == id);
    &rows[start..start + len]
}

/// One contact's referral counts (`days`: that contact's rows) against their own
/// baseline (P9). Public so that reports show the figures the planner acts on.
pub fn referral_figures(
    days: &[(ContactId, Date, u32)],
    pb: &Playbook,
    today: Date,
) -> Option<ReferralFigures> {
    if days.is_empty() {
        return None;
    }
    let recent_from = today.checked_sub(pb.recent_days.days()).ok()?;
    let baseline_from = recent_from.checked_sub(pb.baseline_days.days()).ok()?;
    let recent: u32 = days
        .iter()
        .filter(|(_, d, _)| *d >= recent_from)
        .map(|(_, _, n)| n)
        .sum();
    let baseline: u32 = days
        .iter()
        .filter(|(_, d, _)| *d >= baseline_from && *d < recent_from)
        .map(|(_, _, n)| n)
        .sum();
    let baseline_per_recent = f64::from(baseline) * pb.recent_days as f64 / pb.baseline_days as f64;
    let change = if baseline_per_recent > 0.0 {
        f64::from(recent) / baseline_per_recent - 1.0
    } else {
        0.0
    };
    Some(ReferralFigures {
        recent_days: pb.recent_days,
        recent,
        baseline_per_recent,
        change,
    })
}

/// Topics that fit the contact (P1, P25), best first, ignoring coverage.
fn relevant_topics<'t>(
    h: &History,
    topics: &BTreeMap<TopicId, &'t Topic>,
    pb: &Playbook,
    today: Date,
) -> Vec<&'t Topic> {
    let a = h.account;
    let c = h.contact;
    let mut scored: Vec<(i64, &Topic)> = topics
        .values()
        .filter(|t| t.available_from.is_none_or(|d| d <= today))
        .filter(|t| t.segments.is_empty() || t.segments.contains(&a.segment))
        .filter(|t| {
            t.specialties.is_empty()
                || t.specialties
                    .iter()
                    .any(|s| a.specialties.contains(s) || c.specialty.as_ref() == Some(s))
        })
        // Topics for named roles go only to those roles; staff topics rank first for staff (P11).
        .filter(|t| t.roles.is_empty() || t.roles.contains(&c.role))
        .map(|t| {
            let mut s = 0;
            if t.pain_points.iter().any(|p| a.pain_points.contains(p)) {
                s += 4;
            }
            if !t.specialties.is_empty() {
                s += 2;
            }
            if !t.roles.is_empty() {
                s += 2;
            }
            if is_new(t, pb, today) {
                s += 3;
            }
            (s, *t)
        })
        .collect();
    scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.id.cmp(&y.1.id)));
    scored.into_iter().map(|(_, t)| t).collect()
}

fn is_new(t: &Topic, pb: &Playbook, today: Date) -> bool {
    t.available_from
        .is_some_and(|d| d <= today && days_between(d, today) <= pb.new_content_days)
}

/// Relevant topics not yet covered with this contact: pending "explain better" first.
fn fresh_topics<'t>(
    h: &History,
    topics: &BTreeMap<TopicId, &'t Topic>,
    relevant: &[&'t Topic],
) -> Vec<&'t Topic> {
    let mut out: Vec<&Topic> = h
        .explain_better
        .iter()
        .filter_map(|id| topics.get(id).copied())
        .collect();
    for t in relevant {
        if !h.covered.contains(&t.id) && !out.iter().any(|o| o.id == t.id) {
            out.push(t);
        }
    }
    out
}

fn base(history: &History, pb: &Playbook) -> f64 {
    let status = match history.account.status {
        AccountStatus::Customer => pb.customer_weight(),
        _ => 1.0,
    };
    status * history.contact.influence.weight()
}

fn candidate<'a>(
    h: &'a History<'a>,
    kind: TouchKind,
    score: f64,
    reasons: Vec<Reason>,
) -> Candidate<'a> {
    Candidate {
        history: h,
        score,
        reasons,
        kind,
        exact_at: None,
        urgent: false,
        only: None,
        purpose: None,
        needs_topic: false,
        prospecting: false,
        visit_agreed: false,
    }
}

fn account_candidates<'a>(
    account: &Account,
    hs: &[&'a History<'a>],
    lost: Option<&crate::model::LostAccount>,
    pb: &Playbook,
    today: Date,
    out: &mut Vec<Candidate<'a>>,
) {
    match account.status {
        AccountStatus::NoFit => return, // P31: a no-fit pursuit stops every cadence.
        AccountStatus::Lost => {
            lost_candidates(account, hs, lost, pb, today, out);
            return;
        }
        AccountStatus::Prospect | AccountStatus::Customer => {}
    }
    if account.access == AccessPolicy::NoVendorContact {
        no_see_candidate(account, hs, pb, today, out);
        // Agreed callbacks still stand: the contact asked for them.
        for h in hs {
            if let Some(c) = callback(h, today) {
                out.push(c);
            }
        }
        return;
    }
    for h in hs {
        if let Some(c) = contact_candidate(h, hs, pb, today) {
            out.push(c);
        }
    }
}

fn best_contact<'a>(hs: &[&'a History<'a>]) -> Option<&'a History<'a>> {
    hs.iter().copied().max_by(|a, b| {
        a.contact
            .influence
            .weight()
            .total_cmp(&b.contact.influence.weight())
            .then(b.contact.id.cmp(&a.contact.id))
    })
}

fn lost_candidates<'a>(
    account: &Account,
    hs: &[&'a History<'a>],
    lost: Option<&crate::model::LostAccount>,
    pb: &Playbook,
    today: Date,
    out: &mut Vec<Candidate<'a>>,
) {
    let Some(h) = best_contact(hs) else { return };
    let Some(lost) = lost else { return };
    let since_loss = days_between(lost.lost_on, today);
    let lost_at = lost
        .lost_on
        .to_zoned(account.tz.zone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let last_account_touch = hs.iter().filter_map(|h| h.last().map(|(_, d)| d)).max();
    if since_loss <= pb.feedback_within_days
        && !hs.iter().any(|h| h.any_since(TouchKind::Feedback, lost_at))
    {
        let mut c = candidate(
            h,
            TouchKind::Feedback,
            60.0,
            vec![reason(
                &["P16", "P15"],
                format!(
                    "Lost {} days ago ({}); ask what we could have done better while it is fresh",
                    since_loss, lost.reason
                ),
            )],
        );
        c.purpose = Some(format!("Feedback on the loss ({})", lost.reason));
        c.urgent = true;
        out.push(c);
        return;
    }
    let quiet = last_account_touch
        .map(|d| days_between(d, today))
        .unwrap_or(i64::MAX);
    if quiet >= pb.nurture_min_days
        && since_loss >= pb.feedback_within_days.min(pb.nurture_min_days)
    {
        let overdue = quiet >= pb.nurture_max_days;
        let last_channel = hs
            .iter()
            .filter_map(|h| h.last())
            .max_by_key(|(t, _)| t.at)
            .map(|(t, _)| t.channel);
        // Rotate through the nurture channels so the presence is felt in several ways (P17).
        let mut channels: Vec<Channel> = pb
            .nurture_channels
            .iter()
            .copied()
            .filter(|c| Some(*c) != last_channel)
            .collect();
        if channels.is_empty() {
            channels = pb.nurture_channels.clone();
        }
        let mut c = candidate(
            h,
            TouchKind::Nurture,
            if overdue { 20.0 } else { 12.0 },
            vec![reason(
                &["P17", "P19"],
                format!(
                    "Lost account, {} days since the last touch: stay present every {}–{} days",
                    if quiet == i64::MAX { since_loss } else { quiet },
                    pb.nurture_min_days,
                    pb.nurture_max_days
                ),
            )],
        );
        c.only = Some(channels);
        c.needs_topic = true;
        out.push(c);
    }
}

fn no_see_candidate<'a>(
    account: &Account,
    hs: &[&'a History<'a>],
    pb: &Playbook,
    today: Date,
    out: &mut Vec<Candidate<'a>>,
) {
    let Some(h) = best_contact(hs) else { return };
    let quiet = hs
        .iter()
        .filter_map(|h| h.days_since_last(today))
        .min()
        .unwrap_or(i64::MAX);
    if quiet < pb.nurture_min_days {
        return;
    }
    let value = h
        .fresh
        .first()
        .and_then(|t| t.pain_points.first())
        .and_then(|p| crate::catalogue::pain_point(p))
        .map(|p| p.title)
        .unwrap_or_else(|| "a problem their office has named".into());
    let mut c = candidate(
        h,
        TouchKind::MeetingRequest,
        15.0 * base(h, pb),
        vec![reason(
            &["P6"],
            format!(
                "{} accepts no vendor visits or calls: request a meeting in writing that says why they would want it ({})",
                account.name,
                value.to_lowercase()
            ),
        )],
    );
    c.only = Some(vec![Channel::Email, Channel::Letter]);
    c.needs_topic = true;
    out.push(c);
}

fn callback<'a>(h: &'a History<'a>, today: Date) -> Option<Candidate<'a>> {
    let tz = h.account.tz.zone();
    let (t, at) = h.touches.iter().rev().find_map(|(t, _)| {
        let at = t.callback_at?.to_zoned(tz.clone());
        (at.date() == today).then_some((t, at))
    })?;
    let agreed = t.callback_at?;
    // Kept already if the rep touched the contact at or after the agreed time.
    if h.touches.iter().any(|(later, _)| later.at >= agreed) {
        return None;
    }
    let mut c = candidate(
        h,
        TouchKind::Routine,
        1000.0,
        vec![reason(
            &["P35"],
            format!(
                "Callback agreed on {} for {} exactly",
                at_date(t, h),
                at.time().strftime("%H:%M")
            ),
        )],
    );
    c.exact_at = Some(at.time());
    c.urgent = true;
    c.only = Some(vec![Channel::Call, Channel::VirtualMeeting]);
    c.purpose = t
        .next_step
        .as_ref()
        .map(|s| s.what.clone())
        .or_else(|| Some("The agreed callback".into()));
    Some(c)
}

fn at_date(t: &Touch, h: &History) -> Date {
    t.at.to_zoned(h.account.tz.zone()).date()
}

/// The reasons one contact is due today, if any (P3: never a bare check-in).
fn contact_candidate<'a>(
    h: &'a History<'a>,
    colleagues: &[&'a History<'a>],
    pb: &Playbook,
    today: Date,
) -> Option<Candidate<'a>> {
    if let Some(c) = callback(h, today) {
        return Some(c);
    }
    let weight = base(h, pb);
    let mut reasons = Vec::new();
    let mut score: f64 = 0.0;
    let mut kind = TouchKind::Routine;
    let mut urgent = false;
    let mut purpose = None;
    let mut only = None;
    let mut visit_agreed = false;

    // P37: confirmation email within one business day of a referral meeting.
    if let Some((meeting, day)) = h.last_of_kind(TouchKind::ReferralMeeting) {
        let business_days = business_days_between(day, today);
        if business_days <= pb.confirmation_within_business_days
            && !h.any_since(TouchKind::Confirmation, meeting.at)
        {
            reasons.push(reason(
                &["P37"],
                format!(
                    "Referral meeting on {day}: confirm how they will use us and the next steps"
                ),
            ));
            score = score.max(300.0);
            kind = TouchKind::Confirmation;
            urgent = true;
            only = Some(vec![Channel::Email, Channel::Letter]);
            purpose = Some("Confirmation: how you will use us, and the next steps".to_string());
        }
        // P8: met, and no referral since, for the records-check period.
        let since = days_between(day, today);
        let referred_since = h.referral_days.iter().any(|d| *d >= day);
        if since >= pb.records_check_after_days
            && !referred_since
            && !h.any_since(TouchKind::RecordsCheck, meeting.at)
            && reasons.is_empty()
        {
            reasons.push(reason(
                &["P8"],
                format!("Referral meeting {since} days ago ({day}) and no referral since: call to make sure our records are correct"),
            ));
            score = score.max(120.0);
            kind = TouchKind::RecordsCheck;
            only = Some(vec![Channel::Call, Channel::Visit, Channel::Email]);
            purpose = Some("Records check: making sure our records are correct".to_string());
        }
    }
    // P34: gratitude after a referral or an order.
    if let Some((t, day)) = h
        .touches
        .iter()
        .rev()
        .find(|(t, _)| matches!(t.outcome, Outcome::Referral | Outcome::Order))
        .copied()
        && days_between(day, today) <= pb.thank_you_within_days
        && !h.any_since(TouchKind::ThankYou, t.at)
        && reasons.is_empty()
    {
        reasons.push(reason(
            &["P34"],
            format!(
                "{} on {day}: say thank you",
                if t.outcome == Outcome::Referral {
                    "A referral"
                } else {
                    "An order"
                }
            ),
        ));
        score = score.max(150.0);
        kind = TouchKind::ThankYou;
        only = Some(vec![
            Channel::HandwrittenNote,
            Channel::Email,
            Channel::Visit,
        ]);
        purpose = Some("Thank you".to_string());
    }
    // P33: an agreed next step falls due.
    if let Some((step, set_on)) = h.open_next_step()
        && step.due <= today
    {
        reasons.push(reason(
            &["P33", "P3"],
            format!(
                "Next step agreed on {set_on}, due {}: {}",
                step.due, step.what
            ),
        ));
        score = score.max(100.0 + days_between(step.due, today).min(30) as f64);
        if purpose.is_none() {
            purpose = Some(step.what.clone());
        }
        visit_agreed = true;
    }
    // P9: referrals fell against the provider's own baseline.
    if let Some(f) = &h.referrals
        && f.baseline_per_recent >= pb.min_baseline_per_recent
        && -f.change >= pb.drop_threshold
        && h.days_since_last(today)
            .is_none_or(|d| d >= pb.prospect_attempt_gap_days)
    {
        reasons.push(reason(
            &["P9"],
            format!(
                "Referrals fell to {} in the last {} days against a baseline of {:.1} per {} days ({:+.0}%)",
                f.recent,
                f.recent_days,
                f.baseline_per_recent,
                f.recent_days,
                f.change * 100.0
            ),
        ));
        score = score.max(90.0 + (-f.change) * 20.0);
    }
    // P13: a satisfied account is asked for referrals and introductions.
    let positives = colleagues
        .iter()
        .flat_map(|c| c.touches.iter())
        .filter(|(t, _)| t.outcome.positive())
        .count();
    let asked = colleagues
        .iter()
        .any(|c| c.last_of_kind(TouchKind::ReferralAsk).is_some());
    if h.account.status == AccountStatus::Customer
        && positives >= pb.ask_after_positive_outcomes
        && !asked
        && h.contact.influence == crate::model::Influence::DecisionMaker
        && best_contact(colleagues).is_some_and(|b| b.contact.id == h.contact.id)
        && reasons.is_empty()
    {
        reasons.push(reason(&["P13"], format!("{positives} positive outcomes at this account: ask for referrals and warm introductions")));
        score = score.max(40.0);
        kind = TouchKind::ReferralAsk;
        purpose = Some("Referrals and warm introductions".to_string());
    }

    let quiet = h.days_since_last(today);
    match h.account.status {
        AccountStatus::Customer => {
            if h.ever_answered && quiet.is_some_and(|d| d >= pb.max_silence_days) {
                reasons.push(reason(
                    &["P23", "P22"],
                    format!(
                        "Customer contact silent for {} days (limit {})",
                        quiet.unwrap_or_default(),
                        pb.max_silence_days
                    ),
                ));
                score = score.max(50.0 + quiet.unwrap_or_default().min(90) as f64 / 3.0);
            } else if quiet.is_none_or(|d| d >= pb.customer_touch_every_days) && reasons.is_empty()
            {
                let why = if quiet.is_none() {
                    if h.contact.role.is_staff() {
                        reason(
                            &["P11", "P30"],
                            "Practice staff we have not met yet: build the relationship with the office",
                        )
                    } else {
                        reason(
                            &["P30", "P19"],
                            "Not yet met at an active customer: introduce a topic that fits",
                        )
                    }
                } else {
                    reason(
                        &["P3", "P19"],
                        format!(
                            "{} days since the last touch and a topic not yet covered",
                            quiet.unwrap_or_default()
                        ),
                    )
                };
                reasons.push(why);
                score = score.max(25.0);
            }
        }
        AccountStatus::Prospect => {
            if let Some(c) = prospect_reasons(h, colleagues, pb, today) {
                let (s, r, k, p) = c;
                if reasons.is_empty() {
                    kind = k;
                }
                reasons.extend(r);
                score = score.max(s);
                if kind == TouchKind::Breakup {
                    only = Some(vec![Channel::Email, Channel::Letter]);
                    purpose =
                        Some("A polite breakup: close the file, leave the door open".to_string());
                }
                if p {
                    return finish(
                        h,
                        reasons,
                        score * weight,
                        kind,
                        urgent,
                        only,
                        purpose,
                        visit_agreed,
                        true,
                    );
                }
            }
        }
        AccountStatus::Lost | AccountStatus::NoFit => return None,
    }
    // P3: new content or a topic to explain better is a reason on its own.
    let fresh = &h.fresh;
    if let Some(t) = fresh.first() {
        if h.explain_better.contains(&t.id)
            && quiet.is_none_or(|d| d >= pb.prospect_attempt_gap_days)
        {
            reasons.push(reason(
                &["P3"],
                format!("Marked to explain better: {}", t.title),
            ));
            score = score.max(45.0);
        } else if is_new(t, pb, today)
            && h.ever_answered
            && quiet.is_none_or(|d| d >= pb.prospect_attempt_gap_days)
        {
            reasons.push(reason(
                &["P3"],
                format!("New content since the last touch: {}", t.title),
            ));
            score = score.max(35.0);
        }
    }
    if reasons.is_empty() {
        return None;
    }
    finish(
        h,
        reasons,
        score * weight,
        kind,
        urgent,
        only,
        purpose,
        visit_agreed,
        false,
    )
}

#[allow(clippy::too_many_arguments)]
fn finish<'a>(
    h: &'a History<'a>,
    reasons: Vec<Reason>,
    score: f64,
    kind: TouchKind,
    urgent: bool,
    only: Option<Vec<Channel>>,
    purpose: Option<String>,
    visit_agreed: bool,
    prospecting: bool,
) -> Option<Candidate<'a>> {
    let mut c = candidate(h, kind, score, reasons);
    c.urgent = urgent;
    c.only = only;
    c.needs_topic = purpose.is_none();
    c.purpose = purpose;
    c.visit_agreed = visit_agreed;
    c.prospecting = prospecting;
    Some(c)
}

/// The prospecting cadence of P20, with dead ends (P29, P44), breakup (P32) and
/// nurture (P31). Returns score, reasons, kind and whether it is a prospecting step.
fn prospect_reasons(
    h: &History,
    colleagues: &[&History],
    pb: &Playbook,
    today: Date,
) -> Option<(f64, Vec<Reason>, TouchKind, bool)> {
    if h.ever_answered {
        // An engaged prospect is worked like a customer, with value touches (P3).
        let quiet = h.days_since_last(today);
        return quiet
            .is_none_or(|d| d >= pb.customer_touch_every_days)
            .then(|| {
                (
                    22.0,
                    vec![reason(
                        &["P3", "P20"],
                        "Engaged prospect: bring the next topic",
                    )],
                    TouchKind::Routine,
                    false,
                )
            });
    }
    let attempts = h.streak;
    let quiet = h.days_since_last(today);
    if attempts >= pb.max_attempts {
        // P31: after the last attempt, nurture rather than chase.
        return quiet.is_some_and(|d| d >= pb.nurture_min_days).then(|| {
            (
                8.0,
                vec![reason(
                    &["P31", "P17"],
                    format!("Cadence ended after {attempts} attempts: low-frequency nurture"),
                )],
                TouchKind::Nurture,
                false,
            )
        });
    }
    if quiet.is_some_and(|d| d < pb.prospect_attempt_gap_days) {
        return None;
    }
    // P29, P44: a dead end hands over to someone else in the department or office.
    if attempts >= pb.dead_end_after && alternative(h, colleagues, pb).is_some() {
        return None;
    }
    let mut reasons = Vec::new();
    if let Some(dead) = colleagues
        .iter()
        .filter(|o| {
            o.contact.id != h.contact.id && !o.ever_answered && o.streak >= pb.dead_end_after
        })
        .find(|o| alternative(o, colleagues, pb).is_some_and(|alt| alt.contact.id == h.contact.id))
    {
        reasons.push(reason(
            &["P29", "P44"],
            format!(
                "{} did not answer {} attempts: try {} instead",
                dead.contact.name, dead.streak, h.contact.name
            ),
        ));
    }
    let kind = if attempts + 1 == pb.max_attempts {
        TouchKind::Breakup
    } else {
        TouchKind::Routine
    };
    let text = match attempts {
        0 => "First attempt of the prospecting cadence".to_string(),
        n if n + 1 == pb.max_attempts => format!(
            "Attempt {} of {}: the last one, a polite breakup (P32)",
            n + 1,
            pb.max_attempts
        ),
        n if n + 1 < pb.min_attempts => format!(
            "Attempt {} of at least {}: most sales need {}+ attempts; vary the channel or time",
            n + 1,
            pb.min_attempts,
            pb.min_attempts
        ),
        n => format!("Attempt {} of up to {}", n + 1, pb.max_attempts),
    };
    let rules: &[&str] = if kind == TouchKind::Breakup {
        &["P20", "P32"]
    } else if attempts > 0 {
        &["P20", "P21"]
    } else {
        &["P20"]
    };
    reasons.push(reason(rules, text));
    Some((18.0 + attempts as f64, reasons, kind, true))
}

/// Someone else at the account to try when a contact is a dead end: same department
/// first, then anyone in the office who is not a dead end too.
fn alternative<'a>(
    h: &History,
    colleagues: &[&'a History<'a>],
    pb: &Playbook,
) -> Option<&'a History<'a>> {
    let others = colleagues
        .iter()
        .copied()
        .filter(|o| o.contact.id != h.contact.id && o.streak < pb.dead_end_after);
    let (same, rest): (Vec<_>, Vec<_>) = others.partition(|o| {
        o.contact.department.is_some() && o.contact.department == h.contact.department
    });
    let pick = |v: Vec<&'a History<'a>>| {
        v.into_iter().max_by(|a, b| {
            a.contact
                .influence
                .weight()
                .total_cmp(&b.contact.influence.weight())
                .then(b.contact.id.cmp(&a.contact.id))
        })
    };
    pick(same).or_else(|| pick(rest))
}

fn business_days_between(from: Date, to: Date) -> i64 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.tomorrow().unwrap_or(to);
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            n += 1;
        }
    }
    n
}

fn account_flags(
    account: &Account,
    hs: &[&History],
    pb: &Playbook,
    today: Date,
    flags: &mut Vec<Flag>,
) {
    let flag = |kind, rules: &[&str], contact: Option<&Contact>, text: String| Flag {
        kind,
        rules: rules.iter().map(|r| r.to_string()).collect(),
        account: account.id,
        account_name: account.name.clone(),
        contact: contact.map(|c| c.id),
        contact_name: contact.map(|c| c.name.clone()),
        text,
    };
    let active = matches!(
        account.status,
        AccountStatus::Customer | AccountStatus::Prospect
    );
    for h in hs {
        if active && h.ever_answered && h.fresh.is_empty() {
            flags.push(flag(
                FlagKind::NoReasonToReturn,
                &["P2"],
                Some(h.contact),
                format!(
                    "Every relevant topic is covered with {}: add content for {} ({})",
                    h.contact.name, h.contact.role, account.segment
                ),
            ));
        }
        // P33, P12: the latest conversation must carry a next step.
        if let Some((i, (t, day))) = h
            .touches
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (t, _))| t.outcome.conversation())
            && t.next_step.is_none()
            && t.callback_at.is_none()
            && !h.touches[i + 1..].iter().any(|(l, _)| l.outcome.answered())
            && days_between(*day, today) <= pb.max_silence_days
            && active
        {
            let (kind, rules): (FlagKind, &[&str]) = if t.kind == TouchKind::ReferralMeeting {
                (FlagKind::ReferralMeetingWithoutNextStep, &["P12", "P33"])
            } else {
                (FlagKind::MissingNextStep, &["P33"])
            };
            flags.push(flag(
                kind,
                rules,
                Some(h.contact),
                format!(
                    "{} with {} on {day} has no next step: add what and when",
                    t.kind, h.contact.name
                ),
            ));
        }
    }
    let referring = hs.iter().any(|h| {
        !h.referral_days.is_empty() || h.last_of_kind(TouchKind::ReferralMeeting).is_some()
    });
    if account.segment == Segment::MedicalProvider
        && referring
        && active
        && !hs.iter().any(|h| h.contact.role.is_staff())
    {
        flags.push(flag(
            FlagKind::NoStaffContact,
            &["P11"],
            None,
            format!(
                "{} refers to us but we know no office manager, head nurse or administrator there",
                account.name
            ),
        ));
    }
}

type Filter = &'static dyn Fn(&Candidate) -> bool;

/// Day state while the capacity is filled.
struct Day {
    visits: usize,
    remote: usize,
    visited: BTreeSet<AccountId>,
    /// The latest visit to each account, by anyone (P23 counts per account).
    last_visit: BTreeMap<AccountId, Date>,
}

/// Where the field day starts and ends: the centre of the accounts with coordinates.
fn territory_centre<'a>(accounts: impl Iterator<Item = &'a Account>) -> rounds_route::LatLon {
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

fn fill_day(
    mut candidates: Vec<Candidate>,
    last_visit: BTreeMap<AccountId, Date>,
    base: rounds_route::LatLon,
    topics: &BTreeMap<TopicId, &Topic>,
    pb: &Playbook,
    today: Date,
) -> (Vec<PlanItem>, Option<crate::day_route::DayRoute>) {
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
fn route_the_day(
    items: &mut Vec<PlanItem>,
    candidates: &[Candidate],
    day: &mut Day,
    base: rounds_route::LatLon,
    pb: &Playbook,
    today: Date,
) -> Option<crate::day_route::DayRoute> {
    use crate::day_route::{LeftOutVisit, VisitRequest, route_visits};
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

fn place(
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
    })
}

fn visit_reason(a: &Account, w: &LocalWindow) -> String {
    let when = format!("{}–{}", w.start.strftime("%H:%M"), w.end.strftime("%H:%M"));
    if a.front_desk_blocks {
        format!(
            "In person first; the front desk blocks, so arrive {when} (lunch or after the last patient)"
        )
    } else {
        format!("In person first, in the office's best visiting time {when}")
    }
}

type Choice = (Channel, LocalWindow, Option<String>);

fn choose_channel(
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

fn exact_window(at: Time, pb: &Playbook) -> TimeRange {
    let end = at
        .checked_add((pb.visit_minutes.max(1)).minutes())
        .unwrap_or(at);
    TimeRange {
        start: at,
        end: end.max(at),
    }
}

fn local(date: Date, w: TimeRange, a: &Account, exact: bool) -> LocalWindow {
    LocalWindow {
        date,
        start: w.start,
        end: w.end,
        tz: a.tz.clone(),
        exact,
    }
}

fn visit_choice(
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

fn time_of(minutes: i64) -> Time {
    let m = minutes.clamp(0, 24 * 60 - 1);
    Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).unwrap_or(Time::MIN)
}

fn call_window(hours: &[TimeRange], pb: &Playbook, prefer_afternoon: bool) -> Option<TimeRange> {
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
fn email_window(
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

fn preparation(
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
