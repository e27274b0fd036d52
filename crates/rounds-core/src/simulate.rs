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
use jiff::civil::{Date, Time, Weekday};
use serde::{Deserialize, Serialize};

use crate::model::{
    AccountId, AccountStatus, Channel, ContactId, Direction, LossReason, Outcome, Territory,
    TouchKind,
};
use crate::planner::{DayPlan, days_between};
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

/// `days` business days (Monday to Friday) after `d`.
pub fn business_days_after(d: Date, days: i64) -> Date {
    let mut out = d;
    let mut left = days;
    while left > 0 {
        out = out.checked_add(1.day()).unwrap_or(out);
        if !is_weekend(out.weekday()) {
            left -= 1;
        }
    }
    out
}

fn is_weekend(w: Weekday) -> bool {
    matches!(w, Weekday::Saturday | Weekday::Sunday)
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
/// history only informs streaks, silences and promises.
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
    let zones: BTreeMap<AccountId, jiff::tz::TimeZone> = territory
        .accounts
        .iter()
        .map(|a| (a.id, a.tz.zone()))
        .collect();
    let status: BTreeMap<AccountId, AccountStatus> = territory
        .accounts
        .iter()
        .map(|a| (a.id, a.status))
        .collect();
    // Every touch with its local date and time, in time order.
    let mut touches: Vec<(&crate::model::Touch, Date, Time)> = territory
        .touches
        .iter()
        .filter_map(|t| {
            let local = zones.get(&t.account)?.to_datetime(t.at);
            Some((t, local.date(), local.time()))
        })
        .collect();
    touches.sort_by_key(|(t, _, _)| (t.at, t.id));
    let period: Vec<_> = touches.iter().filter(|(_, d, _)| in_period(*d)).collect();
    let by_contact = {
        let mut m: BTreeMap<ContactId, Vec<&(&crate::model::Touch, Date, Time)>> = BTreeMap::new();
        for x in &touches {
            m.entry(x.0.contact).or_default().push(x);
        }
        m
    };
    let mut rules = Vec::new();

    // Weekends.
    let weekend = period
        .iter()
        .filter(|(_, d, _)| is_weekend(d.weekday()))
        .count();
    rules.push(RuleCount {
        rule: "weekend".into(),
        what: "touches on a Saturday or Sunday".into(),
        violations: weekend,
        checked: period.len(),
    });

    // P38, P39: outbound e-mail.
    let urgent: BTreeSet<(ContactId, Date)> = plans
        .iter()
        .flat_map(|p| p.items.iter())
        .filter(|i| i.channel == Channel::Email && i.urgent)
        .map(|i| (i.contact, i.window.date))
        .collect();
    let emails: Vec<_> = period
        .iter()
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
    rules.push(RuleCount {
        rule: "P38".into(),
        what: "e-mails outside the e-mail days (urgent ones on the urgent days allowed)".into(),
        violations: p38,
        checked: emails.len(),
    });
    let p39 = emails
        .iter()
        .filter(|(_, _, time)| {
            !within(*time, pb.email_best_hours) && !within(*time, pb.email_next_hours)
        })
        .count();
    rules.push(RuleCount {
        rule: "P39".into(),
        what: "e-mails outside the best and next e-mail hours, local".into(),
        violations: p39,
        checked: emails.len(),
    });

    // P35: callbacks agreed for a moment in the period, planned at that moment.
    let planned_at: BTreeSet<(ContactId, jiff::Timestamp)> = plans
        .iter()
        .flat_map(|p| p.items.iter())
        .map(|i| (i.contact, i.window.start_instant()))
        .collect();
    // The latest agreement for a contact's day stands (it replaces an earlier one for the
    // same day); a callback on an account lost by then is void.
    let lost_on: BTreeMap<AccountId, Date> = territory
        .lost
        .iter()
        .map(|l| (l.account, l.lost_on))
        .collect();
    let mut agreed: BTreeMap<(ContactId, Date), jiff::Timestamp> = BTreeMap::new();
    for (t, _, _) in &touches {
        let Some(at) = t.callback_at else { continue };
        let Some(zone) = zones.get(&t.account) else {
            continue;
        };
        let d = zone.to_datetime(at).date();
        if in_period(d) && lost_on.get(&t.account).is_none_or(|l| *l > d) {
            agreed.insert((t.contact, d), at);
        }
    }
    let callbacks: Vec<(ContactId, jiff::Timestamp)> =
        agreed.into_iter().map(|((c, _), at)| (c, at)).collect();
    rules.push(RuleCount {
        rule: "P35".into(),
        what: "callbacks not planned at the agreed time on their day".into(),
        violations: callbacks.iter().filter(|c| !planned_at.contains(c)).count(),
        checked: callbacks.len(),
    });

    // P23: customer contacts silent longer than the maximum silence.
    let customer_contacts: Vec<ContactId> = territory
        .contacts
        .iter()
        .filter(|c| status.get(&c.account) == Some(&AccountStatus::Customer))
        .map(|c| c.id)
        .collect();
    let mut silences = Vec::new();
    for c in &customer_contacts {
        let dates: Vec<Date> = by_contact
            .get(c)
            .map(|v| v.iter().map(|x| x.1).filter(|d| *d <= last).collect())
            .unwrap_or_default();
        if dates.is_empty() {
            continue;
        }
        silences.push(longest_silence(&dates, from, last));
    }
    rules.push(RuleCount {
        rule: "P23".into(),
        what: format!(
            "customer contacts silent more than {} days in the period",
            pb.max_silence_days
        ),
        violations: silences
            .iter()
            .filter(|s| **s > pb.max_silence_days)
            .count(),
        checked: silences.len(),
    });

    // P16, P17: lost accounts.
    let by_account = {
        let mut m: BTreeMap<AccountId, Vec<(TouchKind, Date)>> = BTreeMap::new();
        for (t, d, _) in &touches {
            m.entry(t.account).or_default().push((t.kind, *d));
        }
        m
    };
    let mut p16 = (0, 0);
    let mut p17 = (0, 0);
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
        if l.lost_on <= last {
            p17.1 += 1;
            let dates: Vec<Date> = std::iter::once(l.lost_on)
                .chain(account.iter().map(|(_, d)| *d).filter(|d| *d >= l.lost_on))
                .filter(|d| *d <= last)
                .collect();
            if longest_silence(&dates, from.max(l.lost_on), last) > pb.nurture_max_days {
                p17.0 += 1;
            }
        }
    }
    rules.push(RuleCount {
        rule: "P16".into(),
        what: format!(
            "lost accounts with no feedback touch within {} days",
            pb.feedback_within_days
        ),
        violations: p16.0,
        checked: p16.1,
    });
    rules.push(RuleCount {
        rule: "P17".into(),
        what: format!(
            "lost accounts with no touch for more than {} days",
            pb.nurture_max_days
        ),
        violations: p17.0,
        checked: p17.1,
    });

    // P20, P29: unanswered attempts on prospects' contacts.
    let mut cadences = 0;
    let mut early = 0;
    let mut beyond = 0;
    let mut p29 = 0;
    let contacts_of: BTreeMap<AccountId, Vec<ContactId>> = {
        let mut m: BTreeMap<AccountId, Vec<ContactId>> = BTreeMap::new();
        for c in &territory.contacts {
            m.entry(c.account).or_default().push(c.id);
        }
        m
    };
    let is_attempt = |t: &crate::model::Touch| {
        t.direction == Direction::Outbound && t.kind != TouchKind::Nurture
    };
    // The unanswered streak of each contact after each touch, to judge P29 at a moment.
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
    for (contact, list) in &by_contact {
        let Some(first) = list.first() else { continue };
        let account = first.0.account;
        let prospect = status.get(&account) == Some(&AccountStatus::Prospect);
        // Split the history into streaks of unanswered attempts.
        let mut streak: Vec<Date> = Vec::new();
        let mut streaks: Vec<(Vec<Date>, bool)> = Vec::new(); // (dates, ended by an answer)
        for (t, d, _) in list.iter().map(|x| **x) {
            if d > last {
                break;
            }
            if t.outcome.answered() {
                if !streak.is_empty() {
                    streaks.push((std::mem::take(&mut streak), true));
                }
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
                }
            }
            streak.push(d);
        }
        if !streak.is_empty() {
            streaks.push((streak, false));
        }
        if !prospect {
            continue;
        }
        for (dates, answered) in &streaks {
            if !dates.iter().any(|d| in_period(*d)) {
                continue;
            }
            cadences += 1;
            let quiet = dates.last().map_or(0, |d| days_between(*d, last));
            let ended = !answered && quiet >= pb.max_silence_days;
            if ended && dates.len() < pb.min_attempts {
                early += 1;
            }
            if dates.len() > pb.max_attempts {
                beyond += 1;
            }
        }
    }
    rules.push(RuleCount {
        rule: "P20-min".into(),
        what: format!(
            "prospect cadences given up before {} unanswered attempts",
            pb.min_attempts
        ),
        violations: early,
        checked: cadences,
    });
    rules.push(RuleCount {
        rule: "P20-max".into(),
        what: format!(
            "prospect cadences with more than {} unanswered attempts",
            pb.max_attempts
        ),
        violations: beyond,
        checked: cadences,
    });
    rules.push(RuleCount {
        rule: "P29".into(),
        what: format!(
            "attempts after {} unanswered in a row while a colleague was still open",
            pb.dead_end_after
        ),
        violations: p29,
        checked: period.iter().filter(|(t, _, _)| is_attempt(t)).count(),
    });

    // Two visits to one account on one day.
    let mut visits: BTreeMap<(AccountId, Date), usize> = BTreeMap::new();
    for (t, d, _) in &period {
        if t.channel == Channel::Visit {
            *visits.entry((t.account, *d)).or_default() += 1;
        }
    }
    rules.push(RuleCount {
        rule: "double-visit".into(),
        what: "visits beyond the first to one account on one day".into(),
        violations: visits.values().map(|n| n - 1).sum(),
        checked: visits.values().sum(),
    });

    // Promises: next steps due in the period.
    let mut promises = Promises::default();
    let mut late_days = Vec::new();
    for (t, _, _) in &touches {
        let Some(step) = &t.next_step else { continue };
        if !in_period(step.due) {
            continue;
        }
        promises.due += 1;
        let after: Option<Date> = by_contact
            .get(&t.contact)
            .and_then(|v| {
                v.iter()
                    .find(|(x, d, _)| x.at > t.at && *d >= step.due && *d <= last)
            })
            .map(|x| x.1);
        match after {
            Some(d) if d == step.due => promises.on_day += 1,
            Some(d) => {
                promises.late += 1;
                late_days.push(days_between(step.due, d));
            }
            None => promises.never += 1,
        }
    }
    promises.late_days_p50 = percentile(&late_days, 50.0);
    promises.late_days_p95 = percentile(&late_days, 95.0);

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
        customer_silence_p95: percentile(&silences, 95.0),
        channels,
    }
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
