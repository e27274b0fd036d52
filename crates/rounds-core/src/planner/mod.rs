//! The day planner: whom to contact today, how, when, about what, and why.
//!
//! `plan` is a pure function of a territory snapshot, the playbook, the rep and the
//! date. It works in three passes, one module each: summarise each contact's history
//! once (`history`, so the cost is linear in the touches), turn the summaries into
//! candidates that each carry their reasons with rule IDs (`rules`, and the flags of
//! `flags`), then fill the day's capacity in priority order, choosing for every chosen
//! candidate a channel and a local time window that the rules allow (`schedule`, with
//! the visits ordered by `route`).

mod flags;
mod history;
pub mod route;
mod rules;
mod schedule;

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::model::{
    Account, AccountId, Channel, Contact, ContactId, ContactRole, NextStep, Outcome, StepAction,
    StepState, StepUpdate, Territory, Topic, TopicId, Touch, TouchId, TouchKind, TzName, UserId,
};
use crate::playbook::Playbook;

pub use crate::signals::referral_figures;
pub use history::delivered;
pub use route::DayRoute;
pub(crate) use schedule::has_place;
pub use schedule::{email_day, email_hours, visit_windows};

use flags::account_flags;
use history::{
    History, IdSlots, LocalClock, NO_SLOT, ShelfTopic, TouchGroups, account_shelf, current_step,
    fresh_topics, relevant_topics, rows_of, shelf, step_updates_by_touch, summarise,
};
use rules::{Reference, account_candidates, references};
use schedule::{fill_day, territory_centre};

/// Today's plan for one rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayPlan {
    pub rep: UserId,
    pub date: Date,
    pub items: Vec<PlanItem>,
    pub flags: Vec<Flag>,
    /// The in-person visits in driving order, when there are any.
    pub route: Option<DayRoute>,
    /// Next steps so far overdue (`[steps] triage_after_days`) that they are no longer
    /// planned: the rep reschedules or drops each (P33). Oldest due date first.
    #[serde(default)]
    pub triage: Vec<TriageItem>,
    /// Why nothing is planned, on a day off; absent on a working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_off: Option<DayOffNote>,
}

/// A next step waiting for the rep's decision instead of a place in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageItem {
    /// The touch that set the step: the step's id.
    pub step: TouchId,
    pub contact: ContactId,
    pub contact_name: String,
    pub account: AccountId,
    pub account_name: String,
    pub what: String,
    pub due: Date,
    pub days_overdue: i64,
}

/// Why a plan is empty because the day is off, and the day to look at instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOffNote {
    /// `weekend`, `holiday`, `not-the-reps-day` or `time-off`.
    pub kind: String,
    /// The reason in words: `a holiday: Thanksgiving Day`.
    pub why: String,
    /// The rep's next working day, within a year.
    pub next_working_day: Option<Date>,
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
    /// The open next step this touch serves (P33), named by the touch that set it, so
    /// the rep can complete, move or drop it from the plan.
    #[serde(default)]
    pub step: Option<TouchId>,
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

pub(crate) fn reason(rules: &[&str], text: impl Into<String>) -> Reason {
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
    /// The plan of a first meeting (P7); absent on every other touch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda: Option<Agenda>,
}

/// What a first meeting is for (P7): one topic, what it is worth to them, and the
/// question that gets them talking about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    pub topic: PlannedTopic,
    /// The value to the customer: the pain point the topic answers.
    pub value: String,
    /// The question to ask.
    pub question: String,
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
    /// P10: a provider gave no clear reason for not referring.
    PossibleCompetingRelationship,
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

/// Plans one rep's day. Pure and deterministic.
pub fn plan(territory: &Territory, pb: &Playbook, rep: UserId, today: Date) -> DayPlan {
    // A day off (a weekend or a holiday of the playbook, a day outside the rep's own
    // week, their time off) has no plan at all: nothing planned there can be done, and
    // a plan the rep cannot follow teaches them to stop opening it.
    if let Some(off) = crate::calendar::day_off(&territory.calendar, pb, today) {
        return DayPlan {
            rep,
            date: today,
            items: vec![],
            flags: vec![],
            route: None,
            triage: vec![],
            day_off: Some(DayOffNote {
                kind: off.key().to_string(),
                why: off.to_string(),
                next_working_day: crate::calendar::next_working_day(&territory.calendar, pb, today),
            }),
        };
    }
    let accounts: BTreeMap<AccountId, &Account> = territory
        .accounts
        .iter()
        .filter(|a| a.rep == rep)
        .map(|a| (a.id, a))
        .collect();
    let topics: BTreeMap<TopicId, &Topic> = territory.topics.iter().map(|t| (t.id, t)).collect();

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
    let touches = TouchGroups::new(&territory.touches, &contacts);
    let shelf = shelf(&topics, pb, today);

    let mut relevance: HashMap<
        (AccountId, ContactRole, Option<&crate::model::Specialty>),
        Vec<&Topic>,
    > = HashMap::new();
    let mut account_shelves: HashMap<AccountId, Vec<ShelfTopic>> = HashMap::new();
    // A territory has a few zones: a short list is cheaper than hashing each contact's.
    let mut clocks: Vec<(&str, LocalClock)> = Vec::new();
    let step_updates = step_updates_by_touch(&territory.step_updates);
    let histories: Vec<History> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let account = accounts[&c.account];
            let touches = touches.of(i);
            let refs = rows_of(&referrals, c.id, |r| r.0);
            let tz = account.tz.as_str();
            let k = match clocks.iter().position(|(name, _)| *name == tz) {
                Some(k) => k,
                None => {
                    clocks.push((tz, LocalClock::new(account.tz.zone(), today)));
                    clocks.len() - 1
                }
            };
            let clock = &clocks[k].1;
            let mut h = summarise(c, account, clock, touches, refs, pb, today);
            h.attach_step_updates(&step_updates, today);
            // Relevance depends only on these three, shared by most contacts of an account.
            let key = (account.id, c.role, c.specialty.as_ref());
            let relevant = relevance.entry(key).or_insert_with(|| {
                let topics = account_shelves
                    .entry(account.id)
                    .or_insert_with(|| account_shelf(account, &shelf));
                relevant_topics(c, topics)
            });
            h.fresh = fresh_topics(&h, &topics, relevant);
            h
        })
        .collect();

    // Each account's contacts in the histories' order, accounts by id: one sort of
    // pairs rather than a map of growing lists.
    let mut by_account: Vec<(AccountId, usize)> = histories
        .iter()
        .enumerate()
        .map(|(i, h)| (h.account.id, i))
        .collect();
    by_account.sort_unstable();

    let lost: BTreeMap<AccountId, &crate::model::LostAccount> = territory
        .lost
        .iter()
        .filter(|l| accounts.contains_key(&l.account))
        .map(|l| (l.account, l))
        .collect();

    let refs = CustomerRecords::gather(territory, &accounts).references(pb, today);
    let mut candidates = Vec::new();
    let mut flags = Vec::new();
    for members in by_account.chunk_by(|a, b| a.0 == b.0) {
        let account_id = &members[0].0;
        let account = accounts[account_id];
        let hs: Vec<&History> = members.iter().map(|&(_, i)| &histories[i]).collect();
        account_candidates(
            account,
            &hs,
            lost.get(account_id).copied(),
            &refs,
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
    let (items, route) = fill_day(
        candidates,
        last_visit,
        base,
        &topics,
        pb,
        today,
        &territory.calendar,
    );
    DayPlan {
        rep,
        date: today,
        items,
        flags,
        route,
        triage: triage(&histories, pb, today),
        day_off: None,
    }
}

/// The records that make a customer satisfied (P13's threshold), gathered once so that
/// the references a prospect may be offered (P36) can be judged on any day. Read from
/// the territory's records rather than the contacts' histories, so that the next-touch
/// search, which summarises one account only, finds the same ones as the plan.
struct CustomerRecords<'t> {
    /// Per customer with pain points, in account order: its positive outcomes' instants,
    /// sorted, and its first day with a referral.
    customers: Vec<(&'t Account, Vec<Timestamp>, Option<Date>)>,
}

impl<'t> CustomerRecords<'t> {
    /// Nothing is read when no prospect among `accounts` names a pain point a reference
    /// could share.
    fn gather(territory: &'t Territory, accounts: &BTreeMap<AccountId, &'t Account>) -> Self {
        use crate::model::AccountStatus;
        let wanted = accounts
            .values()
            .any(|a| a.status == AccountStatus::Prospect && !a.pain_points.is_empty());
        let mut customers: Vec<(&Account, Vec<Timestamp>, Option<Date>)> = accounts
            .values()
            .filter(|a| wanted && a.status == AccountStatus::Customer && !a.pain_points.is_empty())
            .map(|a| (*a, Vec::new(), None))
            .collect();
        if customers.is_empty() {
            return CustomerRecords { customers };
        }
        // In account order (`accounts` is sorted): a table by id finds a customer
        // faster than hashing its id, once for every positive touch of the territory.
        let ids: Vec<i64> = customers.iter().map(|c| c.0.id.0).collect();
        let slots = IdSlots::new(&ids);
        let index = |id: &AccountId| {
            Some(slots.of(id.0))
                .filter(|k| *k != NO_SLOT)
                .map(|k| k as usize)
        };
        for t in territory.touches.iter().filter(|t| t.outcome.positive()) {
            if let Some(i) = index(&t.account) {
                customers[i].1.push(t.at);
            }
        }
        let mut of: Vec<(ContactId, usize)> = territory
            .contacts
            .iter()
            .filter_map(|c| Some((c.id, index(&c.account)?)))
            .collect();
        // Reversed, then sorted stably: of a repeated id the last comes first and is the
        // one found, as in a map built in the territory's order.
        of.reverse();
        of.sort_by_key(|(c, _)| *c);
        let contact_ids: Vec<i64> = of.iter().map(|(c, _)| c.0).collect();
        let contact_slots = IdSlots::new(&contact_ids);
        for r in territory.referrals.iter().filter(|r| r.count > 0) {
            let k = contact_slots.of(r.contact.0);
            if k != NO_SLOT {
                let i = of[k as usize].1;
                let first = &mut customers[i].2;
                *first = Some(first.map_or(r.day, |d| d.min(r.day)));
            }
        }
        for c in &mut customers {
            c.1.sort_unstable();
        }
        CustomerRecords { customers }
    }

    /// The satisfied customers on `today`: positive outcomes up to the end of `today` in
    /// the account's zone, referrals on days before it (as the contacts' histories count
    /// them).
    fn references(&self, pb: &Playbook, today: Date) -> Vec<Reference<'t>> {
        let on_day = self.customers.iter().filter_map(|(a, positives, first)| {
            let end = today
                .tomorrow()
                .ok()?
                .to_zoned(a.tz.zone())
                .ok()?
                .timestamp();
            let satisfaction = crate::signals::Satisfaction {
                positives: positives.partition_point(|at| *at < end),
                referred: first.is_some_and(|d| d < today),
            };
            Some((*a, satisfaction))
        });
        references(on_day, pb)
    }
}

/// A contact's open next step (P33), as the use cases list and update it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenStep {
    /// The touch that set the step: the step's id.
    pub step: TouchId,
    pub rep: UserId,
    pub contact: ContactId,
    pub contact_name: String,
    pub account: AccountId,
    pub account_name: String,
    /// As its latest update left it.
    pub what: String,
    pub due: Date,
    /// The local date of the touch that set it.
    pub set_on: Date,
    /// Days past due on `today`; 0 on the day, negative before it.
    pub days_overdue: i64,
    /// So late it is on the plan's triage list instead of in the plan.
    pub triage: bool,
}

/// The open step of one contact, from that contact's touches (any order) and the
/// updates of the territory (any order), in the account's zone. Every touch and update
/// counts, whatever `today` (the day `days_overdue` is counted to).
pub fn open_step(
    account: &Account,
    contact: &Contact,
    touches: &[Touch],
    updates: &[crate::model::StepUpdate],
    pb: &Playbook,
    today: Date,
) -> Option<OpenStep> {
    let touches: Vec<&Touch> = touches.iter().filter(|t| t.contact == contact.id).collect();
    let by_touch = step_updates_by_touch(updates);
    open_step_of(account, contact, touches, &by_touch, pb, today)
}

fn open_step_of(
    account: &Account,
    contact: &Contact,
    touches: Vec<&Touch>,
    by_touch: &HashMap<TouchId, Vec<&crate::model::StepUpdate>>,
    pb: &Playbook,
    today: Date,
) -> Option<OpenStep> {
    let zone = account.tz.zone();
    let mut dated: Vec<(&Touch, Date)> = touches
        .into_iter()
        .map(|t| (t, t.at.to_zoned(zone.clone()).date()))
        .collect();
    dated.sort_unstable_by_key(|(t, _)| (t.at, t.id));
    let step_touch = dated
        .iter()
        .rev()
        .find(|(t, _)| t.next_step.is_some())?
        .0
        .id;
    let updates = by_touch.get(&step_touch).into_iter().flatten().copied();
    let current = current_step(&dated, updates)?;
    let days_overdue = days_between(current.step.due, today);
    Some(OpenStep {
        step: current.touch,
        rep: account.rep,
        contact: contact.id,
        contact_name: contact.name.clone(),
        account: account.id,
        account_name: account.name.clone(),
        what: current.step.what,
        due: current.step.due,
        set_on: current.set_on,
        days_overdue,
        triage: days_overdue > pb.step_triage_after_days,
    })
}

/// Every open step of a territory (each contact's, for every account in it), by due
/// date then contact.
pub fn open_steps(territory: &Territory, pb: &Playbook, today: Date) -> Vec<OpenStep> {
    let accounts: BTreeMap<AccountId, &Account> =
        territory.accounts.iter().map(|a| (a.id, a)).collect();
    let mut touches: BTreeMap<ContactId, Vec<&Touch>> = BTreeMap::new();
    for t in &territory.touches {
        touches.entry(t.contact).or_default().push(t);
    }
    let by_touch = step_updates_by_touch(&territory.step_updates);
    let mut out: Vec<OpenStep> = territory
        .contacts
        .iter()
        .filter_map(|c| {
            let account = accounts.get(&c.account)?;
            let ts = touches.remove(&c.id)?;
            open_step_of(account, c, ts, &by_touch, pb, today)
        })
        .collect();
    out.sort_by_key(|s| (s.due, s.contact, s.step));
    out
}

/// One agreed next step, open or closed, as its updates leave it: a line of the CSV
/// export's `next_steps.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    /// The touch that set the step: the step's id.
    pub step: TouchId,
    pub rep: UserId,
    pub account: AccountId,
    pub contact: ContactId,
    /// The local date of the touch that set it.
    pub set_on: Date,
    /// As its updates left it (a closed step: as it stood when it was closed).
    pub what: String,
    pub due: Date,
    pub state: StepState,
    /// When it was completed or skipped.
    pub closed_at: Option<Timestamp>,
    /// Why it was skipped.
    pub skip_reason: Option<String>,
    /// How many updates it has (completions, moves, skips, edits).
    pub updates: usize,
}

/// Every next step set by `touches` (any order), open or closed, by step id. Whether
/// one is open is `current_step`'s answer, the same as the plan's and `open_steps`';
/// touches of an account not in `accounts` are left out.
pub fn every_step(
    accounts: &[Account],
    touches: &[Touch],
    updates: &[StepUpdate],
) -> Vec<StepRecord> {
    let zones: HashMap<AccountId, (jiff::tz::TimeZone, UserId)> = accounts
        .iter()
        .map(|a| (a.id, (a.tz.zone(), a.rep)))
        .collect();
    let by_touch = step_updates_by_touch(updates);
    let mut by_contact: BTreeMap<ContactId, Vec<(&Touch, Date)>> = BTreeMap::new();
    for t in touches {
        if let Some((zone, _)) = zones.get(&t.account) {
            let day = t.at.to_zoned(zone.clone()).date();
            by_contact.entry(t.contact).or_default().push((t, day));
        }
    }
    let mut out = Vec::new();
    for dated in by_contact.values_mut() {
        dated.sort_unstable_by_key(|(t, _)| (t.at, t.id));
        let updates_of = |id: TouchId| by_touch.get(&id).map_or(&[][..], Vec::as_slice);
        let open = dated
            .iter()
            .rev()
            .find(|(t, _)| t.next_step.is_some())
            .and_then(|(t, _)| current_step(&dated[..], updates_of(t.id).iter().copied()))
            .map(|c| c.touch);
        for (t, set_on) in dated.iter() {
            let Some(step) = &t.next_step else { continue };
            let ups = updates_of(t.id);
            let closing = ups.iter().position(|u| u.action.closes());
            // A closed step reads as it stood when it closed; later updates change nothing.
            let before = &ups[..closing.unwrap_or(ups.len())];
            let current = step
                .after_updates(before.iter().copied())
                .unwrap_or_else(|| step.clone());
            let (state, closed_at, skip_reason) = match closing.map(|i| ups[i]) {
                Some(u) => match &u.action {
                    StepAction::Skip { reason } => {
                        (StepState::Skipped, Some(u.at), Some(reason.clone()))
                    }
                    _ => (StepState::Completed, Some(u.at), None),
                },
                None if open == Some(t.id) => (StepState::Open, None, None),
                None => (StepState::Superseded, None, None),
            };
            out.push(StepRecord {
                step: t.id,
                rep: zones.get(&t.account).map_or(t.rep, |(_, rep)| *rep),
                account: t.account,
                contact: t.contact,
                set_on: *set_on,
                what: current.what,
                due: current.due,
                state,
                closed_at,
                skip_reason,
                updates: ups.len(),
            });
        }
    }
    out.sort_unstable_by_key(|s| s.step);
    out
}

/// The open steps overdue past `[steps] triage_after_days`, oldest due date first.
fn triage(histories: &[History], pb: &Playbook, today: Date) -> Vec<TriageItem> {
    let mut out: Vec<TriageItem> = histories
        .iter()
        .filter(|h| h.triage_days(pb, today).is_some())
        .filter_map(|h| {
            let s = h.open_step()?;
            Some(TriageItem {
                step: s.touch,
                contact: h.contact.id,
                contact_name: h.contact.name.clone(),
                account: h.account.id,
                account_name: h.account.name.clone(),
                days_overdue: days_between(s.step.due, today),
                what: s.step.what.clone(),
                due: s.step.due,
            })
        })
        .collect();
    out.sort_by_key(|t| (t.due, t.contact, t.step));
    out
}

pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_secs().div_euclid(86_400)
}

/// How many days `next_for_contact` looks ahead, `from` included: the horizon of the
/// day-by-day search it replaces.
pub const NEXT_TOUCH_HORIZON_DAYS: i64 = 45;

/// The next planned touch with one contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextTouch {
    pub date: Date,
    pub item: PlanItem,
    /// The item comes from the full plan of its day (the first day), capacity included;
    /// otherwise it is the first day the rules make the contact due, and a busy day may
    /// still push it.
    pub planned: bool,
}

/// The next touch with `contact`, from `from` on, without planning every day: for the
/// command that logs a touch and shows what comes next.
///
/// `from` itself is planned in full, once: if the contact is in that plan, the answer is
/// exactly the plan's item. Later days (up to [`NEXT_TOUCH_HORIZON_DAYS`] in all)
/// evaluate only the contact's account: every candidate rule for its contacts on that
/// day, then the contact's candidate placed on an otherwise empty day with the
/// planner's own placement — channel, opt-outs, weekday and email days, office-hours
/// and visit windows, the per-week limits, the minimum days between visits, and the
/// route for a visit.
///
/// What it guarantees: the date is the first day the rules make the contact due and a
/// channel and window allow the touch, and the item is what the planner would propose
/// on that day if it had the room. What it does not: the day's capacity, which the full
/// plan shares among every due contact — on a busy day the contact may be pushed to a
/// later day, or get a remote touch instead of a visit another account took, and a
/// visit's time may move once the route holds the day's other visits. So its date is
/// never later than the first full plan that includes the contact. Where more contacts
/// are due than a day holds, it is often earlier: on the demo territory (seed 7), 13 of
/// 112 sampled contacts got the same answer as the day-by-day plans; 92 are due by the
/// rules but in none of the 45 plans (nothing is executed between those plans, so the
/// same higher priorities fill every day), and 7 appear in them some 15 days later
/// (`tests/next_touch.rs`). `planned` tells the two kinds of answer apart.
///
/// No proposal starts before `not_before` (typically the instant just logged): a window
/// already past moves the touch to the next day the rules allow it.
pub fn next_for_contact(
    territory: &Territory,
    pb: &Playbook,
    rep: UserId,
    contact: ContactId,
    from: Date,
    not_before: Timestamp,
) -> Option<NextTouch> {
    let first = plan(territory, pb, rep, from);
    next_for_contact_after(&first, territory, pb, contact, not_before)
}

/// [`next_for_contact`] for a caller that already holds the full plan of the first day
/// (`first.date`, for `first.rep`), e.g. to show that plan's flags too: the territory is
/// then planned exactly once in all.
pub fn next_for_contact_after(
    first: &DayPlan,
    territory: &Territory,
    pb: &Playbook,
    contact: ContactId,
    not_before: Timestamp,
) -> Option<NextTouch> {
    let (rep, from) = (first.rep, first.date);
    if let Some(item) = first.items.iter().find(|i| i.contact == contact)
        && item.window.start_instant() >= not_before
    {
        return Some(NextTouch {
            date: from,
            item: item.clone(),
            planned: true,
        });
    }
    let wanted = territory.contacts.iter().find(|c| c.id == contact)?;
    let account = territory
        .accounts
        .iter()
        .find(|a| a.id == wanted.account && a.rep == rep)?;
    let topics: BTreeMap<TopicId, &Topic> = territory.topics.iter().map(|t| (t.id, t)).collect();
    let mut contacts: Vec<&Contact> = territory
        .contacts
        .iter()
        .filter(|c| c.account == account.id)
        .collect();
    contacts.sort_by_key(|c| c.id);
    let ids: std::collections::BTreeSet<ContactId> = contacts.iter().map(|c| c.id).collect();
    let mut touches: Vec<&Touch> = territory
        .touches
        .iter()
        .filter(|t| ids.contains(&t.contact))
        .collect();
    touches.sort_unstable_by_key(|t| (t.contact, t.at, t.id));
    let mut referrals: Vec<(ContactId, Date, u32)> = territory
        .referrals
        .iter()
        .filter(|r| ids.contains(&r.contact))
        .map(|r| (r.contact, r.day, r.count))
        .collect();
    referrals.sort_unstable();
    let lost = territory.lost.iter().find(|l| l.account == account.id);
    let step_updates = step_updates_by_touch(&territory.step_updates);
    let base = territory_centre(territory.accounts.iter().filter(|a| a.rep == rep));
    // References matter only to a prospect (P36).
    let rep_accounts: BTreeMap<AccountId, &Account> = territory
        .accounts
        .iter()
        .filter(|a| a.rep == rep && account.status == crate::model::AccountStatus::Prospect)
        .map(|a| (a.id, a))
        .collect();
    let customers = CustomerRecords::gather(territory, &rep_accounts);

    let mut day = from;
    for _ in 1..NEXT_TOUCH_HORIZON_DAYS {
        day = day.tomorrow().ok()?;
        if !crate::calendar::is_working_day(&territory.calendar, pb, day) {
            continue;
        }
        let clock = LocalClock::new(account.tz.zone(), day);
        let shelf = account_shelf(account, &shelf(&topics, pb, day));
        let histories: Vec<History> = contacts
            .iter()
            .map(|c| {
                let ts = rows_of(&touches, c.id, |t| t.contact);
                let rs = rows_of(&referrals, c.id, |r| r.0);
                let rs = &rs[..rs.partition_point(|r| r.1 < day)];
                let mut h = summarise(c, account, &clock, ts, rs, pb, day);
                h.attach_step_updates(&step_updates, day);
                let relevant = relevant_topics(c, &shelf);
                h.fresh = fresh_topics(&h, &topics, &relevant);
                h
            })
            .collect();
        let hs: Vec<&History> = histories.iter().collect();
        let refs = customers.references(pb, day);
        let mut candidates = Vec::new();
        account_candidates(account, &hs, lost, &refs, pb, day, &mut candidates);
        candidates.retain(|c| c.history.contact.id == contact);
        if candidates.is_empty() {
            continue;
        }
        let last_visit: BTreeMap<AccountId, Date> = histories
            .iter()
            .filter_map(|h| {
                h.touches
                    .iter()
                    .rev()
                    .find(|(t, _)| t.channel == Channel::Visit)
                    .map(|(_, d)| *d)
            })
            .max()
            .map(|d| (account.id, d))
            .into_iter()
            .collect();
        let (items, _) = fill_day(
            candidates,
            last_visit,
            base,
            &topics,
            pb,
            day,
            &territory.calendar,
        );
        if let Some(item) = items.into_iter().find(|i| i.contact == contact)
            && item.window.start_instant() >= not_before
        {
            return Some(NextTouch {
                date: day,
                item,
                planned: false,
            });
        }
    }
    None
}
