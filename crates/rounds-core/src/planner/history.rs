//! A contact's history, summarised once per plan: local dates of touches, the streak of
//! unanswered attempts, topics covered and still fresh, cell use, referral figures.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::{ReferralFigures, days_between};
use crate::model::{
    Account, Channel, Contact, ContactId, Direction, NextStep, Outcome, StepUpdate, Topic, TopicId,
    Touch, TouchId, TouchKind,
};
use crate::playbook::Playbook;

/// Local dates of instants in one zone, read from a short table of the zone's offsets
/// around `today`: evaluating the daylight-saving rule for every touch took a fifth of
/// the planner's time.
pub(super) struct LocalClock {
    pub(super) zone: jiff::tz::TimeZone,
    pub(super) from: Timestamp,
    pub(super) until: Timestamp,
    pub(super) changes: Vec<(Timestamp, jiff::tz::Offset)>,
    /// The local date of every day number (days since 1970-01-01 in local time) from
    /// `first_day` on, over `from..=until`: turning a day number into a civil date was
    /// most of what was left of the cost of a touch's date.
    first_day: i64,
    days: Vec<Date>,
    from_second: i64,
    until_second: i64,
    change_seconds: Vec<i64>,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl LocalClock {
    pub(super) fn new(zone: jiff::tz::TimeZone, today: Date) -> LocalClock {
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
        let offsets = changes.iter().map(|(_, o)| i64::from(o.seconds()));
        let (low, high) = (
            offsets.clone().min().unwrap_or(0),
            offsets.max().unwrap_or(0),
        );
        let first_day = (from.as_second() + low).div_euclid(SECONDS_PER_DAY);
        let last_day = (until.as_second() + high).div_euclid(SECONDS_PER_DAY);
        let mut days = Vec::new();
        let whole = |t: &Timestamp| t.subsec_nanosecond() == 0;
        // Only instants after 1970 use the table (see `date`), so earlier days need none;
        // nor does a clock whose bounds are not whole seconds (none is).
        if from.as_second() >= 0
            && whole(&from)
            && whole(&until)
            && changes.iter().all(|(t, _)| whole(t))
        {
            let mut day = Date::constant(1970, 1, 1)
                .checked_add(first_day.days())
                .ok();
            for _ in first_day..=last_day {
                let Some(d) = day else { break };
                days.push(d);
                day = d.tomorrow().ok();
            }
        }
        LocalClock {
            zone,
            from_second: from.as_second(),
            until_second: until.as_second(),
            change_seconds: changes.iter().map(|(t, _)| t.as_second()).collect(),
            from,
            until,
            changes,
            first_day,
            days,
        }
    }

    pub(super) fn date(&self, at: Timestamp) -> Date {
        let second = at.as_second();
        // In whole seconds, as `from`, `until` and the changes are: comparing timestamps
        // costs more than the rest. Only from 1970 on, where `as_second` (which truncates
        // towards zero) is the floor.
        if second >= 0 && !self.days.is_empty() {
            let past_until = second > self.until_second
                || (second == self.until_second && at.subsec_nanosecond() > 0);
            if second >= self.from_second && !past_until {
                let i = self.change_seconds.partition_point(|t| *t <= second);
                let offset = self.changes[i.saturating_sub(1)].1;
                let day = (second + i64::from(offset.seconds())).div_euclid(SECONDS_PER_DAY);
                if let Some(d) = usize::try_from(day - self.first_day)
                    .ok()
                    .and_then(|k| self.days.get(k))
                {
                    return *d;
                }
            }
        }
        if at < self.from || at > self.until {
            return self.zone.to_datetime(at).date();
        }
        let i = self.changes.partition_point(|(t, _)| *t <= at);
        self.changes[i.saturating_sub(1)].1.to_datetime(at).date()
    }
}

/// A contact's history, summarised once.
pub(super) struct History<'a> {
    pub(super) contact: &'a Contact,
    pub(super) account: &'a Account,
    /// Touches up to the end of `today`, oldest first, with their local date.
    pub(super) touches: Vec<(&'a Touch, Date)>,
    /// Unanswered outbound attempts since the last answer (nurture touches and the
    /// written meeting requests of no-see accounts are presence, not attempts).
    pub(super) streak: usize,
    pub(super) ever_answered: bool,
    /// Sorted.
    pub(super) covered: Vec<TopicId>,
    pub(super) explain_better: Vec<TopicId>,
    pub(super) touches_this_week: usize,
    /// Outbound calls, voicemails and texts in the last seven days to a contact with a
    /// cell: any of them may have used it, so the cell stays closed after one (P43).
    pub(super) cell_uses_this_week: usize,
    /// The day of the latest conversation (an answered touch), if any.
    pub(super) last_answer: Option<Date>,
    /// We have met them: an answered visit or virtual meeting, or a first or referral
    /// meeting that took place (P7).
    pub(super) met: bool,
    pub(super) replied_on_cell: bool,
    pub(super) referrals: Option<ReferralFigures>,
    pub(super) referral_days: Vec<Date>,
    /// Relevant topics not yet covered, best first; computed once (P1, P3).
    pub(super) fresh: Vec<&'a Topic>,
    /// The updates, up to `today`, of the step set by the latest touch that set one
    /// (P33), oldest first; see [`History::attach_step_updates`].
    pub(super) step_updates: Vec<&'a StepUpdate>,
    /// [`History::open_step`], worked out on first use: the rules ask for it many times
    /// per contact, and each answer cloned the step's text.
    open: std::cell::OnceCell<Option<CurrentStep>>,
}

/// An open next step as its updates leave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CurrentStep {
    /// The touch that set it: the step's id.
    pub(super) touch: TouchId,
    pub(super) step: NextStep,
    /// The local date of that touch.
    pub(super) set_on: Date,
}

/// The latest touch of `touches` (one contact's, oldest first, with local dates) that
/// set a next step, with its index and local date.
fn step_touch<'a>(touches: &[(&'a Touch, Date)]) -> Option<(usize, &'a Touch, Date)> {
    touches
        .iter()
        .enumerate()
        .rev()
        .find(|(_, (t, _))| t.next_step.is_some())
        .map(|(i, (t, d))| (i, *t, *d))
}

/// The contact's open step: the step of the latest touch that set one, unless a later
/// touch was answered (the conversation took it up), with `updates` (that step's, oldest
/// first) applied: none once completed or skipped.
pub(super) fn current_step<'a>(
    touches: &[(&Touch, Date)],
    updates: impl IntoIterator<Item = &'a StepUpdate>,
) -> Option<CurrentStep> {
    let (i, t, set_on) = step_touch(touches)?;
    let superseded = touches[i + 1..]
        .iter()
        .any(|(later, _)| later.outcome.answered());
    if superseded {
        return None;
    }
    let step = t.next_step.as_ref()?.after_updates(updates)?;
    Some(CurrentStep {
        touch: t.id,
        step,
        set_on,
    })
}

/// Every step update of a territory by the touch whose step it updates, each step's
/// oldest first.
pub(super) fn step_updates_by_touch(updates: &[StepUpdate]) -> HashMap<TouchId, Vec<&StepUpdate>> {
    let mut by_touch: HashMap<TouchId, Vec<&StepUpdate>> = HashMap::new();
    for u in updates {
        by_touch.entry(u.touch).or_default().push(u);
    }
    for v in by_touch.values_mut() {
        v.sort_unstable_by_key(|u| u.seq);
    }
    by_touch
}

impl<'a> History<'a> {
    pub(super) fn last(&self) -> Option<(&'a Touch, Date)> {
        self.touches.last().copied()
    }
    pub(super) fn days_since_last(&self, today: Date) -> Option<i64> {
        self.last().map(|(_, d)| days_between(d, today))
    }
    pub(super) fn last_of_kind(&self, kind: TouchKind) -> Option<(&'a Touch, Date)> {
        self.touches
            .iter()
            .rev()
            .find(|(t, _)| t.kind == kind)
            .copied()
    }
    pub(super) fn any_since(&self, kind: TouchKind, since: Timestamp) -> bool {
        self.touches
            .iter()
            .any(|(t, _)| t.kind == kind && t.at >= since)
    }
    pub(super) fn last_unanswered_attempt(&self) -> Option<(&'a Touch, Date)> {
        self.last()
            .filter(|(t, _)| t.outcome == Outcome::NoResponse && t.direction == Direction::Outbound)
    }
    fn step_touch(&self) -> Option<(usize, &'a Touch, Date)> {
        step_touch(&self.touches)
    }

    /// Takes the updates of this contact's open step from `by_touch` (up to `today` in
    /// the account's zone, so that planning an earlier day ignores later decisions).
    pub(super) fn attach_step_updates(
        &mut self,
        by_touch: &HashMap<TouchId, Vec<&'a StepUpdate>>,
        today: Date,
    ) {
        self.open = std::cell::OnceCell::new();
        let Some((_, t, _)) = self.step_touch() else {
            return;
        };
        if let Some(updates) = by_touch.get(&t.id) {
            let zone = self.account.tz.zone();
            self.step_updates = updates
                .iter()
                .filter(|u| u.at.to_zoned(zone.clone()).date() <= today)
                .copied()
                .collect();
        }
    }

    /// The next step of the latest touch that set one, as its updates leave it: closed
    /// once completed or skipped, or once a later touch was answered; otherwise with its
    /// latest wording and date.
    pub(super) fn open_step(&self) -> Option<&CurrentStep> {
        self.open
            .get_or_init(|| current_step(&self.touches, self.step_updates.iter().copied()))
            .as_ref()
    }

    /// The open step, when it is a meeting: the answer to a meeting request agreed it
    /// (the touch that set it is a `meeting-request` the contact answered), P6, P7.
    pub(super) fn open_meeting(&self) -> Option<&CurrentStep> {
        let s = self.open_step()?;
        self.touches
            .iter()
            .any(|(t, _)| {
                t.id == s.touch && t.kind == TouchKind::MeetingRequest && t.outcome.answered()
            })
            .then_some(s)
    }

    /// A first meeting agreed and still ahead (P7): until it happens, the contact gets
    /// only what they agreed to, no cadence touches.
    pub(super) fn first_meeting_ahead(&self, today: Date) -> bool {
        !self.met && self.open_meeting().is_some_and(|s| s.step.due > today)
    }

    /// The open step and the day it was agreed.
    pub(super) fn open_next_step(&self) -> Option<(&NextStep, Date)> {
        self.open_step().map(|s| (&s.step, s.set_on))
    }

    /// Days the open step is past its due date, when it is so late that the rep should
    /// reschedule or drop it rather than have it planned ([steps] triage_after_days).
    pub(super) fn triage_days(&self, pb: &Playbook, today: Date) -> Option<i64> {
        let s = self.open_step()?;
        let late = days_between(s.step.due, today);
        (late > pb.step_triage_after_days).then_some(late)
    }

    /// The open step a touch planned today serves: one that is due and not in triage.
    pub(super) fn planned_step(&self, pb: &Playbook, today: Date) -> Option<TouchId> {
        let s = self.open_step()?;
        let late = days_between(s.step.due, today);
        (0..=pb.step_triage_after_days)
            .contains(&late)
            .then_some(s.touch)
    }
}

pub(super) fn summarise<'a>(
    contact: &'a Contact,
    account: &'a Account,
    clock: &LocalClock,
    raw: &[&'a Touch],
    referrals: &[(ContactId, Date, u32)],
    pb: &Playbook,
    today: Date,
) -> History<'a> {
    let mut touches: Vec<(&Touch, Date)> = Vec::with_capacity(raw.len());
    touches.extend(
        raw.iter()
            .map(|t| (*t, clock.date(t.at)))
            .filter(|(_, d)| *d <= today),
    );
    let mut streak = 0;
    let mut ever_answered = false;
    let mut last_answer = None;
    let mut met = false;
    // Last mention of each topic decides: explained, or to be explained better (P3, P4).
    // A contact hears of a handful of topics: a short list beats a map's nodes.
    let mut last_mention: Vec<(TopicId, bool)> = Vec::with_capacity(16);
    let mut mention =
        |topic: TopicId, again: bool| match last_mention.iter_mut().find(|(t, _)| *t == topic) {
            Some(m) => m.1 = again,
            None => last_mention.push((topic, again)),
        };
    // Six days back a day at a time: span arithmetic costs more, once per contact.
    let week_start = (0..6)
        .try_fold(today, |d, _| d.yesterday())
        .unwrap_or(today);
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
        } else if t.direction == Direction::Outbound && t.kind.is_attempt() {
            streak += 1;
        }
        if t.outcome.answered() {
            last_answer = Some(*d);
            met |= matches!(t.channel, Channel::Visit | Channel::VirtualMeeting)
                || matches!(t.kind, TouchKind::FirstMeeting | TouchKind::ReferralMeeting);
        }
        if delivered(t) {
            for topic in t.topics.iter().chain(&t.primary_topic) {
                mention(*topic, false);
            }
            for topic in &t.explain_better {
                mention(*topic, true);
            }
        }
        let on_cell = t.channel == Channel::Text || (t.channel == Channel::Call && cell_only_phone);
        let maybe_cell = contact.channels.cell.is_some()
            && matches!(
                t.channel,
                Channel::Call | Channel::Voicemail | Channel::Text
            );
        if *d >= week_start {
            touches_this_week += 1;
            if maybe_cell && t.direction == Direction::Outbound {
                cell_uses_this_week += 1;
            }
        }
        if on_cell && t.outcome.answered() {
            replied_on_cell = true;
        }
    }
    last_mention.sort_unstable_by_key(|(t, _)| *t);
    let again = last_mention.iter().filter(|(_, again)| *again).count();
    let mut covered = Vec::with_capacity(last_mention.len() - again);
    let mut explain_better = Vec::with_capacity(again);
    for &(t, again) in &last_mention {
        if again {
            explain_better.push(t);
        } else {
            covered.push(t);
        }
    }
    let referral_days = crate::signals::referral_days(referrals, today);
    let figures = crate::signals::referral_figures(referrals, pb, today);
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
        last_answer,
        met,
        replied_on_cell,
        referrals: figures,
        referral_days,
        fresh: Vec::new(),
        step_updates: Vec::new(),
        open: std::cell::OnceCell::new(),
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

/// The touches of `contacts` (sorted by id), grouped by contact in that order, each group
/// oldest first (by instant, then id); the touches of anyone else are left out. A
/// counting sort by contact instead of a sort of every touch: the groups are small and,
/// as the touches usually arrive in time order, most are already sorted.
pub(super) struct TouchGroups<'t> {
    touches: Vec<&'t Touch>,
    /// The group of the contact at position `i` is `touches[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    ids: Vec<i64>,
}

impl<'t> TouchGroups<'t> {
    pub(super) fn new(all: &'t [Touch], contacts: &[&Contact]) -> Self {
        let ids: Vec<i64> = contacts.iter().map(|c| c.id.0).collect();
        let slots = IdSlots::new(&ids);
        let slot: Vec<u32> = all.iter().map(|t| slots.of(t.contact.0)).collect();
        let mut starts = vec![0usize; ids.len() + 1];
        for &k in slot.iter().filter(|k| **k != NO_SLOT) {
            starts[k as usize + 1] += 1;
        }
        for i in 0..ids.len() {
            starts[i + 1] += starts[i];
        }
        let Some(first) = all.first() else {
            return TouchGroups {
                touches: Vec::new(),
                starts,
                ids,
            };
        };
        let mut next = starts.clone();
        let mut touches = vec![first; starts[ids.len()]];
        for (t, &k) in all.iter().zip(&slot) {
            if k != NO_SLOT {
                touches[next[k as usize]] = t;
                next[k as usize] += 1;
            }
        }
        for w in starts.windows(2) {
            let group = &mut touches[w[0]..w[1]];
            if !group.is_sorted_by_key(|t| (t.at, t.id)) {
                group.sort_by_key(|t| (t.at, t.id));
            }
        }
        TouchGroups {
            touches,
            starts,
            ids,
        }
    }

    /// The touches of the contact at position `i` of `contacts`.
    pub(super) fn of(&self, i: usize) -> &[&'t Touch] {
        // A repeated id shares the group of its first position.
        let first = self.ids.partition_point(|id| *id < self.ids[i]);
        &self.touches[self.starts[first]..self.starts[first + 1]]
    }
}

pub(super) const NO_SLOT: u32 = u32::MAX;

/// The first position of an id in sorted `ids`: a table indexed by id where the ids are
/// dense (each rep's ids are a range of their own), a binary search otherwise.
pub(super) struct IdSlots<'i> {
    ids: &'i [i64],
    min: i64,
    table: Vec<u32>,
}

impl<'i> IdSlots<'i> {
    pub(super) fn new(ids: &'i [i64]) -> Self {
        let (Some(&min), Some(&max)) = (ids.first(), ids.last()) else {
            return IdSlots {
                ids,
                min: 0,
                table: Vec::new(),
            };
        };
        let span = i128::from(max) - i128::from(min) + 1;
        let mut table = Vec::new();
        if span <= 16 * ids.len() as i128 + 1024 && ids.len() < NO_SLOT as usize {
            table = vec![NO_SLOT; span as usize];
            for (i, id) in ids.iter().enumerate().rev() {
                table[(id - min) as usize] = i as u32;
            }
        }
        IdSlots { ids, min, table }
    }

    /// The position, or `NO_SLOT`.
    pub(super) fn of(&self, id: i64) -> u32 {
        if !self.table.is_empty() {
            return id
                .checked_sub(self.min)
                .and_then(|k| usize::try_from(k).ok())
                .and_then(|k| self.table.get(k).copied())
                .unwrap_or(NO_SLOT);
        }
        let p = self.ids.partition_point(|x| *x < id);
        if self.ids.get(p) == Some(&id) && p < NO_SLOT as usize {
            p as u32
        } else {
            NO_SLOT
        }
    }
}

/// The run of `rows` (sorted by key) whose key is `id`.
pub(super) fn rows_of<T, K: Ord>(rows: &[T], id: K, key: impl Fn(&T) -> K) -> &[T] {
    let start = rows.partition_point(|r| key(r) < id);
    let len = rows[start..].partition_point(|r| key(r) == id);
    &rows[start..start + len]
}

/// The topics available on `today`, in id order, each with whether it is new: what
/// every contact's relevant topics are chosen from, worked out once per plan.
pub(super) fn shelf<'t>(
    topics: &BTreeMap<TopicId, &'t Topic>,
    pb: &Playbook,
    today: Date,
) -> Vec<(&'t Topic, bool)> {
    topics
        .values()
        .filter(|t| t.available_from.is_none_or(|d| d <= today))
        .map(|t| (*t, is_new(t, pb, today)))
        .collect()
}

/// A topic of the shelf that may fit an account's contacts, with what about it depends on
/// the account alone: worked out once per account, the text comparisons (specialties,
/// pain points) are not repeated for each of its contacts.
pub(super) struct ShelfTopic<'t> {
    topic: &'t Topic,
    /// The score without the contact: the account's pain points, named specialties or
    /// roles, new content.
    score: i64,
    /// Meant for every specialty, or for one of the account's.
    fits_account: bool,
}

/// The topics of `shelf` for the account's segment (P25), in the shelf's order.
pub(super) fn account_shelf<'t>(a: &Account, shelf: &[(&'t Topic, bool)]) -> Vec<ShelfTopic<'t>> {
    shelf
        .iter()
        .filter(|(t, _)| t.segments.is_empty() || t.segments.contains(&a.segment))
        .map(|&(t, new)| {
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
            if new {
                s += 3;
            }
            ShelfTopic {
                topic: t,
                score: s,
                fits_account: t.specialties.is_empty()
                    || t.specialties.iter().any(|s| a.specialties.contains(s)),
            }
        })
        .collect()
}

/// Topics of the account's shelf that fit the contact (P1, P25), best first, ignoring
/// coverage.
pub(super) fn relevant_topics<'t>(c: &Contact, shelf: &[ShelfTopic<'t>]) -> Vec<&'t Topic> {
    let mut scored: Vec<(i64, &Topic)> = Vec::with_capacity(shelf.len());
    scored.extend(
        shelf
            .iter()
            // Topics for named roles go only to those roles; staff topics rank first for
            // staff (P11).
            .filter(|s| s.topic.roles.is_empty() || s.topic.roles.contains(&c.role))
            .filter(|s| {
                s.fits_account
                    || c.specialty
                        .as_ref()
                        .is_some_and(|cs| s.topic.specialties.contains(cs))
            })
            .map(|s| (s.score, s.topic)),
    );
    // The shelf is in id order and a stable sort keeps it within a score: best first,
    // then the lowest id.
    scored.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    scored.into_iter().map(|(_, t)| t).collect()
}

pub(super) fn is_new(t: &Topic, pb: &Playbook, today: Date) -> bool {
    t.available_from
        .is_some_and(|d| d <= today && days_between(d, today) <= pb.new_content_days)
}

/// Relevant topics not yet covered with this contact: pending "explain better" first.
pub(super) fn fresh_topics<'t>(
    h: &History,
    topics: &BTreeMap<TopicId, &'t Topic>,
    relevant: &[&'t Topic],
) -> Vec<&'t Topic> {
    let mut out: Vec<&Topic> = Vec::with_capacity(h.explain_better.len() + relevant.len());
    out.extend(
        h.explain_better
            .iter()
            .filter_map(|id| topics.get(id).copied()),
    );
    // `relevant` names each topic once (it comes from the shelf, by id): only the topics
    // to explain better can repeat one.
    let first = out.len();
    for t in relevant {
        if h.covered.binary_search(&t.id).is_err() && !out[..first].iter().any(|o| o.id == t.id) {
            out.push(t);
        }
    }
    out
}
