//! Following the plan for many days: a seeded outcome model, and the measurements of
//! what the plans and the touches logged by following them did to the playbook's rules.
//!
//! Pure like the rest of the core: the generator is a seeded `fastrand`, every date is
//! an argument. `rounds_app::simulate` drives it (plan, draw an outcome, log the touch,
//! next day); `measure` judges the result from the day plans and the history alone.
//!
//! Playbook settings read by the measurements: `email_days`, `urgent_email_days` (P38),
//! `email_best_hours`, `email_next_hours` (P39), `max_silence_days` (P23),
//! `feedback_within_days` (P16), `nurture_max_days` (P17), `min_attempts`,
//! `max_attempts` (P20; a cadence quiet for `max_silence_days` has ended) and
//! `dead_end_after` (P29).

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::model::{
    AccessPolicy, AccountId, AccountStatus, Channel, ContactId, Direction, LossReason, Outcome,
    Territory, Touch, TouchKind,
};
use crate::planner::{DayPlan, PlanItem, days_between};
use crate::playbook::Playbook;

/// The simulation's seeded generator: `fastrand`'s, whose stream for a seed is stable,
/// so the same seed gives the same outcomes on every machine.
#[derive(Debug, Clone)]
pub struct Rng(fastrand::Rng);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(fastrand::Rng::with_seed(seed))
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0.f64()
    }

    /// A count with Poisson distribution of mean `mean` (Knuth's method; the means here
    /// are a few referrals a day at most).
    pub fn poisson(&mut self, mean: f64) -> u32 {
        if mean <= 0.0 {
            return 0;
        }
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit && k < 1000 {
            k += 1;
            p *= self.unit();
        }
        k
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { self.0.i64(lo..=hi) }
    }
}

/// The share of planned touches ending each way. Drawn in this order; what the shares
/// leave (1 − their sum) ends as a negative answer (they engaged and declined).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OutcomeShares {
    /// No answer, a voicemail, an unanswered e-mail.
    pub no_response: f64,
    /// A conversation with nothing agreed.
    pub conversation: f64,
    /// A conversation with a next step due in 2–14 days (P33).
    pub next_step: f64,
    pub positive: f64,
    /// A callback agreed for an exact time 1–5 business days later (P35).
    pub callback: f64,
    pub referral: f64,
    /// A customer account lost (recorded with a reason, P15); for a prospect, a no.
    pub loss: f64,
}

impl Default for OutcomeShares {
    fn default() -> OutcomeShares {
        OutcomeShares {
            no_response: 0.55,
            conversation: 0.15,
            next_step: 0.14,
            positive: 0.07,
            callback: 0.05,
            referral: 0.03,
            loss: 0.01,
        }
    }
}

/// One drawn outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    NoResponse,
    Conversation,
    /// Next step due this many days after the touch.
    NextStep(i64),
    Positive,
    /// Callback this many business days later, at the same local time.
    Callback(i64),
    Referral,
    Loss(LossReason),
    Negative,
}

impl OutcomeShares {
    /// The shares by name, in the order they are drawn.
    pub fn named(&self) -> [(&'static str, f64); 7] {
        [
            ("no-response", self.no_response),
            ("conversation", self.conversation),
            ("next-step", self.next_step),
            ("positive", self.positive),
            ("callback", self.callback),
            ("referral", self.referral),
            ("loss", self.loss),
        ]
    }

    /// Every share in 0..=1 and their sum at most 1; the error names the share.
    pub fn check(&self) -> Result<(), (String, String)> {
        for (name, v) in self.named() {
            if !(0.0..=1.0).contains(&v) {
                return Err((
                    name.to_string(),
                    format!("{v} is not a share between 0 and 1"),
                ));
            }
        }
        let sum: f64 = self.named().iter().map(|(_, v)| v).sum();
        if sum > 1.0 + 1e-9 {
            return Err((
                "shares".to_string(),
                format!("the shares add up to {sum:.3}, more than 1"),
            ));
        }
        Ok(())
    }

    /// Draws one outcome.
    pub fn draw(&self, rng: &mut Rng) -> Drawn {
        let x = rng.unit();
        let mut edge = 0.0;
        for (i, (_, share)) in self.named().iter().enumerate() {
            edge += share;
            if x < edge {
                return match i {
                    0 => Drawn::NoResponse,
                    1 => Drawn::Conversation,
                    2 => Drawn::NextStep(rng.between(2, 14)),
                    3 => Drawn::Positive,
                    4 => Drawn::Callback(rng.between(1, 5)),
                    5 => Drawn::Referral,
                    _ => {
                        let all = LossReason::ALL;
                        Drawn::Loss(all[rng.between(0, all.len() as i64 - 1) as usize])
                    }
                };
            }
        }
        Drawn::Negative
    }
}

impl Drawn {
    /// The outcome the touch is logged with.
    pub fn outcome(self) -> Outcome {
        match self {
            Drawn::NoResponse => Outcome::NoResponse,
            Drawn::Conversation | Drawn::NextStep(_) | Drawn::Callback(_) => Outcome::Conversation,
            Drawn::Positive => Outcome::Positive,
            Drawn::Referral => Outcome::Referral,
            Drawn::Loss(_) | Drawn::Negative => Outcome::Negative,
        }
    }
}

/// Violations of one rule over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCount {
    /// The rule's id (`P38`; `P20-min` and `P20-max` for its two ends), or `weekend`
    /// and `double-visit`.
    pub rule: String,
    /// What is counted, in a few words.
    pub what: String,
    pub violations: usize,
    /// How many cases were checked (touches, callbacks, accounts…).
    pub checked: usize,
    /// The first few violations (contact or account and day), to look them up.
    pub examples: Vec<String>,
}

/// Next steps due in the period, and when they were acted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Promises {
    /// Next steps with a due day in the period.
    pub due: usize,
    /// The contact was touched on the due day.
    pub on_day: usize,
    /// Touched later, within the period.
    pub late: usize,
    pub late_days_p50: i64,
    pub late_days_p95: i64,
    /// Not touched on or after the due day before the period ended.
    pub never: usize,
    /// Rescheduled or skipped by the rep on or before the due day.
    pub handled: usize,
    /// `(on_day + handled) ÷ due`: the promises kept or explicitly moved.
    pub kept: f64,
    /// The first few steps late or never done.
    pub examples: Vec<String>,
}

/// Everything measured over a simulated period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    pub from: Date,
    pub days: i64,
    /// Touches logged in the period (local dates).
    pub touches: usize,
    pub rules: Vec<RuleCount>,
    pub contacts: usize,
    pub contacts_touched: usize,
    /// `contacts_touched ÷ contacts`.
    pub coverage: f64,
    pub promises: Promises,
    /// Touches in the period per contact touched.
    pub attempts_per_contact: f64,
    /// Unanswered attempts of the prospecting cadences worked in the period (per
    /// account, all its contacts), median and maximum.
    pub cadence_attempts_p50: i64,
    pub cadence_attempts_max: i64,
    /// The longest silence of each customer contact over the period (days since its last
    /// touch, on each day of the period), 95th percentile; contacts never touched left out.
    pub customer_silence_p95: i64,
    /// Touches in the period by channel.
    pub channels: BTreeMap<Channel, usize>,
}

impl Measurements {
    pub fn violations(&self, rule: &str) -> usize {
        self.rules
            .iter()
            .find(|r| r.rule == rule)
            .map_or(0, |r| r.violations)
    }
}

/// Nearest-rank percentile of `values` (`p` in 0..=100); 0 for none.
pub fn percentile(values: &[i64], p: f64) -> i64 {
    if values.is_empty() {
        return 0;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

fn within(t: Time, r: crate::model::TimeRange) -> bool {
    r.start <= t && t < r.end
}

/// Measures a period of `days` days from `from` over `territory` (every record at the end
/// of the period, history before it included) and the day `plans` that were followed.
/// Touches count on their account's local date; only touches in the period are judged,
/// history only informs streaks, silences and promises. The plans say what a touch was
/// for: an agreed moment or next step (exempt from the weekly cap and the visit gap, P23),
/// an urgent e-mail (P38), the number dialled (P43).
pub fn measure(
    territory: &Territory,
    plans: &[DayPlan],
    pb: &Playbook,
    from: Date,
    days: i64,
) -> Measurements {
    let end = from.checked_add(days.days()).unwrap_or(from); // exclusive
    let last = end.checked_sub(1.day()).unwrap_or(from);
    let in_period = |d: Date| from <= d && d < end;
    let zones = account_zones(territory);
    let accounts: BTreeMap<AccountId, &crate::model::Account> =
        territory.accounts.iter().map(|a| (a.id, a)).collect();
    let status = |a: &AccountId| accounts.get(a).map(|a| a.status);
    let contacts: BTreeMap<ContactId, &crate::model::Contact> =
        territory.contacts.iter().map(|c| (c.id, c)).collect();
    // Every touch with its local date and time, in time order.
    let mut touches: Vec<Seen> = territory
        .touches
        .iter()
        .filter_map(|t| {
            let local = zones.get(&t.account)?.to_datetime(t.at);
            Some((t, local.date(), local.time()))
        })
        .collect();
    touches.sort_by_key(|(t, _, _)| (t.at, t.id));
    let period: Vec<&Seen> = touches.iter().filter(|(_, d, _)| in_period(*d)).collect();
    let mut by_contact: BTreeMap<ContactId, Vec<&Seen>> = BTreeMap::new();
    for x in &touches {
        by_contact.entry(x.0.contact).or_default().push(x);
    }
    let items: Vec<&PlanItem> = plans
        .iter()
        .flat_map(|p| p.items.iter())
        .filter(|i| in_period(i.window.date))
        .collect();
    let agreed: BTreeSet<(ContactId, Date)> = items
        .iter()
        .filter(|i| is_agreed(i))
        .map(|i| (i.contact, i.window.date))
        .collect();
    let urgent: BTreeSet<(ContactId, Date)> = items
        .iter()
        .filter(|i| i.urgent)
        .map(|i| (i.contact, i.window.date))
        .collect();
    let mut counts: Vec<(&'static str, String, usize, usize)> = Vec::new();
    let mut examples: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut example = |rule: &'static str, text: String| {
        let v = examples.entry(rule).or_default();
        if v.len() < EXAMPLES {
            v.push(text);
        }
    };

    // Days off: the playbook's, and each rep's own week and time off.
    let mut calendars: BTreeMap<crate::model::UserId, crate::model::RepCalendar> = BTreeMap::new();
    for (t, _, _) in &period {
        calendars
            .entry(t.rep)
            .or_insert_with(|| crate::model::RepCalendar {
                week: territory.calendar.week.clone().filter(|w| w.rep == t.rep),
                time_off: territory
                    .calendar
                    .time_off
                    .iter()
                    .filter(|o| o.rep == t.rep)
                    .cloned()
                    .collect(),
                busy: Vec::new(),
            });
    }
    let off = period
        .iter()
        .filter(|(t, d, _)| {
            calendars
                .get(&t.rep)
                .is_some_and(|c| !crate::calendar::is_working_day(c, pb, *d))
        })
        .count();
    counts.push((
        "day-off",
        "touches on a weekend, a holiday, or a rep's day off".into(),
        off,
        period.len(),
    ));

    // P1: one primary topic, at most the back-up topics the playbook allows.
    let p1 = items
        .iter()
        .filter(|i| {
            i.primary_topic.title.trim().is_empty() || i.backup_topics.len() > pb.backup_topics
        })
        .count();
    counts.push((
        "P1",
        format!(
            "planned touches without one primary topic, or with more than {} back-ups",
            pb.backup_topics
        ),
        p1,
        items.len(),
    ));

    // P6: cold reach at a no-see account; a drop-in where appointments are required.
    let p6 = items
        .iter()
        .filter(|i| match accounts.get(&i.account).map(|a| a.access) {
            // A meeting they agreed is not cold either (P7).
            Some(AccessPolicy::NoVendorContact) => {
                i.channel.is_cold_reach() && !agreed.contains(&(i.contact, i.window.date))
            }
            Some(AccessPolicy::AppointmentOnly) => {
                i.channel == Channel::Visit && !agreed.contains(&(i.contact, i.window.date))
            }
            _ => false,
        })
        .count();
    counts.push((
        "P6",
        "calls or visits nobody agreed at no-see or appointment-only accounts".into(),
        p6,
        items.len(),
    ));

    // P7: a first meeting agreed in answer to a request (with someone not met before) is
    // planned as a first meeting on its day, and nothing but what was agreed comes before.
    let mut planned: BTreeMap<ContactId, Vec<&PlanItem>> = BTreeMap::new();
    for i in &items {
        planned.entry(i.contact).or_default().push(i);
    }
    let (mut p7, mut p7_checked) = (0, 0);
    for seen in by_contact.values() {
        for (k, (t, d, _)) in seen.iter().map(|x| **x).enumerate() {
            let Some(step) = &t.next_step else { continue };
            let met_before = seen[..k].iter().any(|(e, _, _)| {
                e.outcome.answered()
                    && (matches!(e.channel, Channel::Visit | Channel::VirtualMeeting)
                        || matches!(e.kind, TouchKind::FirstMeeting | TouchKind::ReferralMeeting))
            });
            if t.kind != TouchKind::MeetingRequest
                || !t.outcome.answered()
                || met_before
                || !in_period(step.due)
            {
                continue;
            }
            p7_checked += 1;
            let theirs = planned.get(&t.contact).map(Vec::as_slice).unwrap_or(&[]);
            let before = theirs
                .iter()
                .any(|i| d < i.window.date && i.window.date < step.due && !is_agreed(i));
            let on_day: Vec<&&PlanItem> = theirs
                .iter()
                .filter(|i| i.window.date == step.due)
                .collect();
            let unplanned = !on_day.is_empty()
                && !on_day
                    .iter()
                    .any(|i| i.kind == TouchKind::FirstMeeting && i.prep.agenda.is_some());
            if before || unplanned {
                p7 += 1;
                example(
                    "P7",
                    format!(
                        "contact {} meeting agreed on {d} for {}",
                        t.contact, step.due
                    ),
                );
            }
        }
    }
    counts.push((
        "P7",
        "agreed first meetings with a routine touch before them, or planned without an agenda"
            .into(),
        p7,
        p7_checked,
    ));

    // P16, P17: lost accounts.
    let mut by_account: BTreeMap<AccountId, Vec<(TouchKind, Date)>> = BTreeMap::new();
    for (t, d, _) in &touches {
        by_account.entry(t.account).or_default().push((t.kind, *d));
    }
    let (mut p16, mut p17_max, mut p17_min) = ((0, 0), (0, 0), (0, 0));
    for l in &territory.lost {
        let account = by_account.get(&l.account).map(Vec::as_slice).unwrap_or(&[]);
        let deadline = l
            .lost_on
            .checked_add(pb.feedback_within_days.days())
            .unwrap_or(l.lost_on);
        if in_period(deadline) {
            p16.1 += 1;
            let asked = account
                .iter()
                .any(|(k, d)| *k == TouchKind::Feedback && l.lost_on <= *d && *d <= deadline);
            if !asked {
                p16.0 += 1;
            }
        }
        if l.lost_on > last {
            continue;
        }
        p17_max.1 += 1;
        let after: Vec<(TouchKind, Date)> = account
            .iter()
            .copied()
            .filter(|(_, d)| *d >= l.lost_on && *d <= last)
            .collect();
        let dates: Vec<Date> = std::iter::once(l.lost_on)
            .chain(after.iter().map(|(_, d)| *d))
            .collect();
        if longest_silence(&dates, from.max(l.lost_on), last) > pb.nurture_max_days {
            p17_max.0 += 1;
            example(
                "P17-max",
                format!("account {} lost on {}", l.account, l.lost_on),
            );
        }
        // Never more often than the minimum: each presence after the feedback waits.
        for w in after.windows(2) {
            let ((_, a), (kind, b)) = (w[0], w[1]);
            if in_period(b) && a > l.lost_on && kind != TouchKind::Feedback {
                p17_min.1 += 1;
                if days_between(a, b) < pb.nurture_min_days {
                    p17_min.0 += 1;
                }
            }
        }
    }
    counts.push((
        "P16",
        format!(
            "lost accounts with no feedback touch within {} days",
            pb.feedback_within_days
        ),
        p16.0,
        p16.1,
    ));
    counts.push((
        "P17-max",
        format!(
            "lost accounts with no touch for more than {} days",
            pb.nurture_max_days
        ),
        p17_max.0,
        p17_max.1,
    ));
    counts.push((
        "P17-min",
        format!(
            "presence touches at a lost account sooner than {} days after the last",
            pb.nurture_min_days
        ),
        p17_min.0,
        p17_min.1,
    ));

    // P20, P29, P44, P32: unanswered attempts.
    let is_attempt = |t: &Touch| t.direction == Direction::Outbound && t.kind.is_attempt();
    let contacts_of: BTreeMap<AccountId, Vec<ContactId>> = {
        let mut m: BTreeMap<AccountId, Vec<ContactId>> = BTreeMap::new();
        for c in &territory.contacts {
            m.entry(c.account).or_default().push(c.id);
        }
        m
    };
    // The unanswered streak of a contact just before `at`.
    let streak_at = |c: ContactId, at: jiff::Timestamp| -> usize {
        let mut streak = 0;
        for (t, _, _) in by_contact.get(&c).map(Vec::as_slice).unwrap_or(&[]) {
            if t.at >= at {
                break;
            }
            if t.outcome.answered() {
                streak = 0;
            } else if is_attempt(t) {
                streak += 1;
            }
        }
        streak
    };
    let (mut beyond, mut streaks_checked, mut p29) = (0, 0, 0);
    let mut p32 = (0, 0);
    for (contact, list) in &by_contact {
        let Some(first) = list.first() else { continue };
        let account = first.0.account;
        let mut streak: Vec<(&Touch, Date)> = Vec::new();
        let mut runs: Vec<Vec<(&Touch, Date)>> = Vec::new();
        for (t, d, _) in list.iter().map(|x| **x) {
            if d > last {
                break;
            }
            if t.outcome.answered() {
                runs.push(std::mem::take(&mut streak));
                continue;
            }
            if !is_attempt(t) {
                continue;
            }
            if in_period(d) && streak.len() >= pb.dead_end_after {
                let others = contacts_of.get(&account).map(Vec::as_slice).unwrap_or(&[]);
                if others
                    .iter()
                    .any(|o| o != contact && streak_at(*o, t.at) < pb.dead_end_after)
                {
                    p29 += 1;
                    example("P29", format!("contact {contact} on {d}"));
                }
            }
            streak.push((t, d));
        }
        runs.push(streak);
        for run in runs.iter().filter(|r| r.iter().any(|(_, d)| in_period(*d))) {
            streaks_checked += 1;
            if run.len() > pb.max_attempts {
                beyond += 1;
                example(
                    "P20-max",
                    format!(
                        "contact {contact}, {} in a row to {}",
                        run.len(),
                        run.last().map(|x| x.1).unwrap_or(last)
                    ),
                );
            }
            if status(&account) == Some(AccountStatus::Prospect) && run.len() >= pb.max_attempts {
                p32.1 += 1;
                if !run.iter().any(|(t, _)| t.kind == TouchKind::Breakup) {
                    p32.0 += 1;
                    example(
                        "P32",
                        format!("contact {contact}: {} attempts, no breakup", run.len()),
                    );
                }
            }
        }
    }
    // P20's minimum is the account's: its contacts are tried one after another (P29, P44),
    // and the cadence ends when nobody there has answered for the maximum silence.
    let (mut cadences, mut early) = (0, 0);
    let mut cadence_lengths: Vec<i64> = Vec::new();
    for (account, ids) in &contacts_of {
        // A no-see account gets written meeting requests instead of a cadence (P6).
        let no_see = accounts
            .get(account)
            .is_some_and(|a| a.access == AccessPolicy::NoVendorContact);
        if status(account) != Some(AccountStatus::Prospect) || no_see {
            continue;
        }
        let mut all: Vec<&Seen> = ids
            .iter()
            .filter_map(|c| by_contact.get(c))
            .flatten()
            .copied()
            .filter(|(_, d, _)| *d <= last)
            .collect();
        all.sort_by_key(|(t, _, _)| (t.at, t.id));
        // A run of unanswered attempts ends with an answer or goes quiet. Before anyone
        // there answered it is prospecting (at least `min_attempts`); after an answer,
        // re-engagement (at least `reengage_attempts`, P31).
        let mut run: Vec<Date> = Vec::new();
        let mut runs: Vec<(Vec<Date>, bool, usize)> = Vec::new();
        let mut minimum = pb.min_attempts;
        for (t, d, _) in all.iter().map(|x| **x) {
            if t.outcome.answered() {
                runs.push((std::mem::take(&mut run), true, minimum));
                minimum = pb.reengage_attempts;
            } else if is_attempt(t) {
                run.push(d);
            }
        }
        runs.push((run, false, minimum));
        for (dates, answered, minimum) in runs {
            if dates.is_empty() || !dates.iter().any(|d| in_period(*d)) {
                continue;
            }
            cadences += 1;
            cadence_lengths.push(dates.len() as i64);
            let quiet = dates.last().map_or(0, |d| days_between(*d, last));
            if !answered && quiet >= pb.max_silence_days && dates.len() < minimum {
                early += 1;
                example(
                    "P20-min",
                    format!(
                        "account {account}: {} attempts, the last on {}",
                        dates.len(),
                        dates.last().copied().unwrap_or(last)
                    ),
                );
            }
        }
    }
    counts.push((
        "P20-min",
        format!(
            "prospect cadences ended before {} unanswered attempts ({} after an answer)",
            pb.min_attempts, pb.reengage_attempts
        ),
        early,
        cadences,
    ));
    counts.push((
        "P20-max",
        format!(
            "contacts given more than {} unanswered attempts in a row",
            pb.max_attempts
        ),
        beyond,
        streaks_checked,
    ));
    counts.push((
        "P29",
        format!(
            "attempts after {} unanswered in a row while a colleague was still open",
            pb.dead_end_after
        ),
        p29,
        period.iter().filter(|(t, _, _)| is_attempt(t)).count(),
    ));

    // P32: the breakup goes by e-mail on an e-mail day, by letter only without an e-mail.
    for (t, d, _) in period.iter().map(|x| **x) {
        if t.kind != TouchKind::Breakup {
            continue;
        }
        p32.1 += 1;
        let has_email = contacts
            .get(&t.contact)
            .is_some_and(|c| c.can_use(Channel::Email));
        let ok = match t.channel {
            Channel::Email => pb.email_days.contains(&d.weekday()),
            Channel::Letter | Channel::HandwrittenNote => !has_email,
            _ => false,
        };
        if !ok {
            p32.0 += 1;
            example(
                "P32",
                format!("contact {} on {d} by {}", t.contact, t.channel),
            );
        }
    }
    counts.push((
        "P32",
        "breakups not e-mailed on an e-mail day (by post only without e-mail), or cadences run out without one".into(),
        p32.0,
        p32.1,
    ));

    // P35: callbacks agreed for a moment in the period, planned at that moment.
    let planned_at: BTreeSet<(ContactId, jiff::Timestamp)> = items
        .iter()
        .map(|i| (i.contact, i.window.start_instant()))
        .collect();
    // The latest agreement for a contact's day stands (it replaces an earlier one for the
    // same day); a callback on an account lost by then is void.
    let lost_on = lost_days(territory);
    let mut callbacks: BTreeMap<(ContactId, Date), jiff::Timestamp> = BTreeMap::new();
    for (t, _, _) in &touches {
        let Some(at) = t.callback_at else { continue };
        let Some(zone) = zones.get(&t.account) else {
            continue;
        };
        let d = zone.to_datetime(at).date();
        if in_period(d) && lost_on.get(&t.account).is_none_or(|l| *l > d) {
            callbacks.insert((t.contact, d), at);
        }
    }
    let mut p35 = 0;
    for ((c, d), at) in &callbacks {
        if !planned_at.contains(&(*c, *at)) {
            p35 += 1;
            example("P35", format!("contact {c} on {d}"));
        }
    }
    counts.push((
        "P35",
        "callbacks not planned at the agreed time on their day".into(),
        p35,
        callbacks.len(),
    ));

    // P21: after an unanswered attempt, another channel or another time of day.
    let mut p21 = (0, 0);
    for list in by_contact.values() {
        for w in list.windows(2) {
            let ((a, _, at), (b, bd, bt)) = (*w[0], *w[1]);
            if !in_period(bd)
                || a.outcome != Outcome::NoResponse
                || a.direction != Direction::Outbound
                || b.direction != Direction::Outbound
                || !b.kind.is_attempt()
            {
                continue;
            }
            if items
                .iter()
                .any(|i| i.contact == b.contact && i.window.date == bd && i.window.exact)
            {
                continue; // An agreed moment is kept as agreed (P35).
            }
            p21.1 += 1;
            if a.channel == b.channel && (at < NOON) == (bt < NOON) {
                p21.0 += 1;
                example(
                    "P21",
                    format!("contact {} on {bd} by {}", b.contact, b.channel),
                );
            }
        }
    }
    counts.push((
        "P21",
        "attempts after an unanswered touch on the same channel at the same time of day".into(),
        p21.0,
        p21.1,
    ));

    // P23: not too often, not too soon in person, not silent too long.
    let mut week = (0, 0);
    for list in by_contact.values() {
        for (k, (t, d, _)) in list.iter().map(|x| **x).enumerate() {
            if !in_period(d) || agreed.contains(&(t.contact, d)) {
                continue;
            }
            week.1 += 1;
            let since = d.checked_sub(6.days()).unwrap_or(d);
            let before = list[..k]
                .iter()
                .filter(|(_, e, _)| *e >= since && *e <= d)
                .count();
            if before >= pb.max_touches_per_contact_per_week {
                week.0 += 1;
            }
        }
    }
    counts.push((
        "P23-week",
        format!(
            "touches beyond {} per contact in 7 days that nobody agreed",
            pb.max_touches_per_contact_per_week
        ),
        week.0,
        week.1,
    ));
    let mut visits: BTreeMap<AccountId, Vec<(ContactId, Date)>> = BTreeMap::new();
    for (t, d, _) in &touches {
        if t.channel == Channel::Visit && *d <= last {
            visits.entry(t.account).or_default().push((t.contact, *d));
        }
    }
    let mut gap = (0, 0);
    for list in visits.values() {
        for w in list.windows(2) {
            let ((_, a), (c, b)) = (w[0], w[1]);
            if !in_period(b) {
                continue;
            }
            gap.1 += 1;
            let too_soon = a == b
                || (days_between(a, b) < pb.min_days_between_visits && !agreed.contains(&(c, b)));
            if too_soon {
                gap.0 += 1;
            }
        }
    }
    counts.push((
        "P23-visit",
        format!(
            "visits to an account within {} days of the last, not agreed (or two on a day)",
            pb.min_days_between_visits
        ),
        gap.0,
        gap.1,
    ));
    let grace = SILENCE_GRACE_WORKING_DAYS;
    let mut silent = (0, 0);
    let mut silences = Vec::new();
    for c in &territory.contacts {
        let until = match status(&c.account) {
            Some(AccountStatus::Customer) => last,
            Some(AccountStatus::Lost) => match lost_on.get(&c.account) {
                Some(l) if *l > from => l.checked_sub(1.day()).unwrap_or(*l).min(last),
                _ => continue,
            },
            _ => continue,
        };
        let list: Vec<(Date, bool)> = by_contact
            .get(&c.id)
            .map(|v| {
                v.iter()
                    .map(|(t, d, _)| (*d, t.outcome.answered()))
                    .filter(|(d, _)| *d <= until)
                    .collect()
            })
            .unwrap_or_default();
        if list.is_empty() {
            continue;
        }
        silences.push(longest_silence(
            &list.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
            from,
            until,
        ));
        // An active relationship: the contact has answered. Each silence from then on
        // must end by the maximum plus the grace in working days (from the period's
        // start for a silence that began before it).
        let mut answered = false;
        let mut judged = false;
        let mut late = false;
        for (k, (d, a)) in list.iter().enumerate() {
            answered |= *a;
            if !answered {
                continue;
            }
            let next = list.get(k + 1).map(|(n, _)| *n);
            if next.is_some_and(|n| n == *d) {
                continue;
            }
            let limit = d
                .checked_add(pb.max_silence_days.days())
                .unwrap_or(*d)
                .max(from);
            let deadline = working_days_after(pb, limit, grace);
            if deadline > until {
                if next.is_none_or(|n| n >= from) {
                    judged |= limit <= until;
                }
                continue;
            }
            if next.is_none_or(|n| n >= from) {
                judged = true;
                if next.is_none_or(|n| n > deadline) && !late {
                    late = true;
                    example(
                        "P23-silence",
                        format!("contact {} silent from {d}, due by {deadline}", c.id),
                    );
                }
            }
        }
        if judged {
            silent.1 += 1;
            if late {
                silent.0 += 1;
            }
        }
    }
    counts.push((
        "P23-silence",
        format!(
            "customer contacts who answered once, then silent past {} days + {} working days",
            pb.max_silence_days, grace
        ),
        silent.0,
        silent.1,
    ));

    // P38, P39, P40: outbound e-mail.
    let emails: Vec<&Seen> = period
        .iter()
        .copied()
        .filter(|(t, _, _)| t.channel == Channel::Email && t.direction == Direction::Outbound)
        .collect();
    let p38 = emails
        .iter()
        .filter(|(t, d, _)| {
            let wd = d.weekday();
            let plain_day = pb.email_days.contains(&wd);
            let urgent_day =
                urgent.contains(&(t.contact, *d)) && pb.urgent_email_days.contains(&wd);
            !(plain_day || urgent_day)
        })
        .count();
    counts.push((
        "P38",
        "e-mails outside the e-mail days (urgent ones on the urgent days allowed)".into(),
        p38,
        emails.len(),
    ));
    let p39 = emails
        .iter()
        .filter(|(_, _, time)| {
            !within(*time, pb.email_best_hours) && !within(*time, pb.email_next_hours)
        })
        .count();
    counts.push((
        "P39",
        "e-mails outside the best and next e-mail hours, local".into(),
        p39,
        emails.len(),
    ));
    let mut p40 = (0, 0);
    for list in by_contact.values() {
        let sent: Vec<&Seen> = list
            .iter()
            .copied()
            .filter(|(t, _, _)| t.channel == Channel::Email && t.direction == Direction::Outbound)
            .collect();
        for w in sent.windows(2) {
            let ((a, ad, _), (b, bd, _)) = (*w[0], *w[1]);
            if !in_period(bd) {
                continue;
            }
            p40.1 += 1;
            let waited = days_between(ad, bd);
            let unanswered_too_soon = a.outcome == Outcome::NoResponse
                && waited < pb.prospecting_wait_min_days
                && !urgent.contains(&(b.contact, bd));
            if waited < 1 || unanswered_too_soon {
                p40.0 += 1;
            }
        }
    }
    counts.push((
        "P40",
        format!(
            "e-mails within a day of the last, or within {} days of an unanswered one",
            pb.prospecting_wait_min_days
        ),
        p40.0,
        p40.1,
    ));

    // P43: the cell at most so often a week unless they replied on it; texts need consent.
    let on_cell: BTreeSet<(ContactId, Date)> = items
        .iter()
        .filter(|i| {
            i.channel == Channel::Text
                || contacts
                    .get(&i.contact)
                    .is_some_and(|c| c.channels.cell.is_some() && c.channels.cell == i.via)
        })
        .map(|i| (i.contact, i.window.date))
        .collect();
    let mut p43 = (0, 0);
    for (contact, list) in &by_contact {
        let mut replied = false;
        let mut uses: Vec<Date> = Vec::new();
        for (t, d, _) in list.iter().map(|x| **x) {
            let cell = t.channel == Channel::Text || on_cell.contains(&(*contact, d));
            if cell && t.direction == Direction::Outbound && in_period(d) {
                p43.1 += 1;
                let since = d.checked_sub(6.days()).unwrap_or(d);
                let recent = uses.iter().filter(|u| **u >= since).count();
                let consent = contacts
                    .get(contact)
                    .is_some_and(|c| c.can_use(Channel::Text));
                if (!replied && recent >= pb.cell_max_per_week)
                    || (t.channel == Channel::Text && !consent)
                {
                    p43.0 += 1;
                    example("P43", format!("contact {contact} on {d} by {}", t.channel));
                }
                uses.push(d);
            }
            let only_phone = contacts.get(contact).is_some_and(|c| {
                c.channels.office_phone.is_none() && c.channels.extension.is_none()
            });
            let on_the_cell =
                cell || (only_phone && matches!(t.channel, Channel::Call | Channel::Voicemail));
            replied |= on_the_cell && t.outcome.answered();
        }
    }
    counts.push((
        "P43",
        format!(
            "uses of a cell beyond {} a week without a reply on it, or texts without consent",
            pb.cell_max_per_week
        ),
        p43.0,
        p43.1,
    ));

    let promises = promise_keeping(territory, from, end);

    let rules = counts
        .into_iter()
        .map(|(rule, what, violations, checked)| RuleCount {
            rule: rule.into(),
            what,
            violations,
            checked,
            examples: examples.remove(rule).unwrap_or_default(),
        })
        .collect();
    let touched: BTreeSet<ContactId> = period.iter().map(|(t, _, _)| t.contact).collect();
    let mut channels = BTreeMap::new();
    for (t, _, _) in &period {
        *channels.entry(t.channel).or_default() += 1;
    }
    let contacts = territory.contacts.len();
    Measurements {
        from,
        days,
        touches: period.len(),
        rules,
        contacts,
        contacts_touched: touched.len(),
        coverage: ratio(touched.len(), contacts),
        promises,
        attempts_per_contact: ratio(period.len(), touched.len()),
        cadence_attempts_p50: percentile(&cadence_lengths, 50.0),
        cadence_attempts_max: cadence_lengths.iter().copied().max().unwrap_or(0),
        customer_silence_p95: percentile(&silences, 95.0),
        channels,
    }
}

/// How many working days past the maximum silence (P23) a contact may wait before the
/// silence counts as broken: the plan spreads the contacts falling due over the days
/// before the limit, and a day off or a full day may push one a little past it.
pub const SILENCE_GRACE_WORKING_DAYS: i64 = 5;

/// A touch with its local date and time.
type Seen<'a> = (&'a Touch, Date, Time);

/// Violations listed per rule, to look them up.
const EXAMPLES: usize = 20;

const NOON: Time = Time::constant(12, 0, 0, 0);

/// Each account's time zone.
fn account_zones(territory: &Territory) -> BTreeMap<AccountId, jiff::tz::TimeZone> {
    territory
        .accounts
        .iter()
        .map(|a| (a.id, a.tz.zone()))
        .collect()
}

/// The day each lost account was lost.
fn lost_days(territory: &Territory) -> BTreeMap<AccountId, Date> {
    territory
        .lost
        .iter()
        .map(|l| (l.account, l.lost_on))
        .collect()
}

/// Next steps due from `from` up to `end` (exclusive), kept on their day or explicitly
/// moved, judged on the touches of `territory` up to the day before `end`. A step
/// replaced by a newer one or closed by a conversation before its day, or on an account
/// lost by then, is no longer owed. One measure for the simulation and the
/// promise-keeping report.
pub fn promise_keeping(territory: &Territory, from: Date, end: Date) -> Promises {
    let last = end.checked_sub(1.day()).unwrap_or(from);
    let in_period = |d: Date| from <= d && d < end;
    let zones = account_zones(territory);
    let lost_on = lost_days(territory);
    let mut touches: Vec<(&Touch, Date)> = territory
        .touches
        .iter()
        .filter_map(|t| Some((t, zones.get(&t.account)?.to_datetime(t.at).date())))
        .collect();
    touches.sort_by_key(|(t, _)| (t.at, t.id));
    let mut by_contact: BTreeMap<ContactId, Vec<(&Touch, Date)>> = BTreeMap::new();
    for x in &touches {
        by_contact.entry(x.0.contact).or_default().push(*x);
    }
    let mut updates: BTreeMap<crate::model::TouchId, Vec<&crate::model::StepUpdate>> =
        BTreeMap::new();
    for u in &territory.step_updates {
        updates.entry(u.touch).or_default().push(u);
    }
    let mut promises = Promises::default();
    let mut late_days = Vec::new();
    let mut examples = Vec::new();
    for (t, _) in &touches {
        let Some(step) = &t.next_step else { continue };
        if !in_period(step.due) || lost_on.get(&t.account).is_some_and(|l| *l <= step.due) {
            continue;
        }
        let list = by_contact.get(&t.contact).map(Vec::as_slice).unwrap_or(&[]);
        let later = || list.iter().filter(|(x, _)| x.at > t.at);
        if later().any(|(x, d)| *d < step.due && (x.next_step.is_some() || x.outcome.answered())) {
            continue;
        }
        let zone = zones.get(&t.account);
        let moved = updates.get(&t.id).into_iter().flatten().any(|u| {
            !matches!(u.action, crate::model::StepAction::Complete)
                && zone.is_some_and(|z| z.to_datetime(u.at).date() <= step.due)
        });
        promises.due += 1;
        if moved {
            promises.handled += 1;
            continue;
        }
        let after: Option<Date> = later()
            .find(|(_, d)| *d >= step.due && *d <= last)
            .map(|x| x.1);
        let missed = match after {
            Some(d) if d == step.due => {
                promises.on_day += 1;
                None
            }
            Some(d) => {
                promises.late += 1;
                late_days.push(days_between(step.due, d));
                Some(format!(
                    "contact {} due {} touched {d}",
                    t.contact, step.due
                ))
            }
            None => {
                promises.never += 1;
                Some(format!(
                    "contact {} due {} never touched",
                    t.contact, step.due
                ))
            }
        };
        if let Some(text) = missed.filter(|_| examples.len() < EXAMPLES) {
            examples.push(text);
        }
    }
    promises.late_days_p50 = percentile(&late_days, 50.0);
    promises.late_days_p95 = percentile(&late_days, 95.0);
    promises.kept = ratio(promises.on_day + promises.handled, promises.due);
    promises.examples = examples;
    promises
}

/// A touch made at an agreed moment (P35), for an agreed next step (P33), or confirming
/// a referral meeting (P37): what the contact asked for, so the weekly cap and the visit
/// gap do not hold it back (P23).
pub fn is_agreed(i: &PlanItem) -> bool {
    i.window.exact
        || i.reasons.iter().any(|r| {
            r.rules
                .iter()
                .any(|x| x == "P33" || x == "P35" || x == "P37")
        })
}

/// `n` working days of the playbook after `d`.
pub fn working_days_after(pb: &Playbook, d: Date, n: i64) -> Date {
    let mut out = d;
    for _ in 0..n {
        out = pb.next_working_day(out).unwrap_or(out);
    }
    out
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        ((a as f64 / b as f64) * 1000.0).round() / 1000.0
    }
}

/// The longest silence on any day from `from` to `last` (inclusive), given the dates of
/// every touch (any order, none after `last`): days since the latest touch on or before
/// that day. Days before the first touch are not counted.
fn longest_silence(dates: &[Date], from: Date, last: Date) -> i64 {
    let mut sorted = dates.to_vec();
    sorted.sort_unstable();
    let mut longest = 0;
    // The silence grows until the next touch; its peaks are the day before each touch in
    // the period and the last day.
    let mut previous: Option<Date> = None;
    for d in sorted
        .iter()
        .copied()
        .chain(std::iter::once(last.checked_add(1.day()).unwrap_or(last)))
    {
        if let Some(p) = previous
            && d > from
        {
            let peak_day = d.checked_sub(1.day()).unwrap_or(d).min(last);
            if peak_day >= from && peak_day >= p {
                longest = longest.max(days_between(p, peak_day));
            }
        }
        previous = Some(previous.map_or(d, |p: Date| p.max(d)));
        if d > last {
            break;
        }
    }
    longest
}
