//! Playbook signals, computed once: pure functions over model records, the playbook and
//! `today`. The planner acts on them and the pages show them, so no page holds a second
//! definition of a rule.
//!
//! Conventions shared by every signal: a touch counts on its local date in its
//! account's zone, and only up to the end of `today`; referral counts count on complete
//! days, before `today` (a referral logged today counts from tomorrow); "days since"
//! is whole calendar days.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;

use crate::model::{
    AccountId, AccountStatus, ContactId, LossReason, LostAccount, NoReferralReason, Territory,
    Touch, TouchKind,
};
use crate::planner::{ReferralFigures, days_between};
use crate::playbook::Playbook;

/// One contact's referral counts (`days`: that contact's rows, any order) against their
/// own baseline (P9): the recent window is the `recent_days` complete days before
/// `today`, the baseline the `baseline_days` before that. `None` without a row before
/// `today`.
pub fn referral_figures(
    days: &[(ContactId, Date, u32)],
    pb: &Playbook,
    today: Date,
) -> Option<ReferralFigures> {
    if !days.iter().any(|(_, d, _)| *d < today) {
        return None;
    }
    let recent_from = today.checked_sub(pb.recent_days.days()).ok()?;
    let baseline_from = recent_from.checked_sub(pb.baseline_days.days()).ok()?;
    let recent: u32 = days
        .iter()
        .filter(|(_, d, _)| *d >= recent_from && *d < today)
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

/// P9: the figures show a significant drop — a baseline big enough to judge, and a fall
/// of at least the playbook's threshold.
pub fn is_dropping(f: &ReferralFigures, pb: &Playbook) -> bool {
    f.baseline_per_recent >= pb.min_baseline_per_recent && -f.change >= pb.drop_threshold
}

/// A referring contact met and silent since (P8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilentReferrer {
    /// The local day of the last referral meeting.
    pub meeting: Date,
    pub days_since: i64,
}

/// P8: the contact's last referral meeting was at least `records_check_after_days` ago,
/// no referral came on or after its day, no records check followed it, and no conversation
/// with them in the last `records_check_quiet_days`.
///
/// `touches`: the contact's touches up to `today`, oldest first, with their local date;
/// `referral_days`: days before `today` with at least one referral.
pub fn silent_referrer(
    touches: &[(&Touch, Date)],
    referral_days: &[Date],
    pb: &Playbook,
    today: Date,
) -> Option<SilentReferrer> {
    let (meeting, day) = touches
        .iter()
        .rev()
        .find(|(t, _)| t.kind == TouchKind::ReferralMeeting)?;
    let since = days_between(*day, today);
    let referred_since = referral_days.iter().any(|d| d >= day);
    let checked = touches
        .iter()
        .any(|(t, _)| t.kind == TouchKind::RecordsCheck && t.at >= meeting.at);
    // They just talked with us: a records check now would read as a reproach.
    let talked_lately = touches.iter().any(|(t, d)| {
        t.outcome.answered() && *d <= today && days_between(*d, today) < pb.records_check_quiet_days
    });
    (since >= pb.records_check_after_days && !referred_since && !checked && !talked_lately)
        .then_some(SilentReferrer {
            meeting: *day,
            days_since: since,
        })
}

/// What a provider last said about not referring (P10), while it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReferring {
    /// The local day it was said.
    pub day: Date,
    pub reason: NoReferralReason,
    /// Their words, as recorded (may be empty).
    pub text: String,
    /// No clear reason was given: possibly a competing relationship (P10).
    pub possible_competitor: bool,
}

/// P10: the reason the contact last gave for not referring — the latest touch carrying
/// one — unless a referral came on or after the day it was given (then it no longer
/// stands). `touches`: the contact's, up to `today`, oldest first, with local dates;
/// `referral_days`: days before `today` with at least one referral.
pub fn not_referring(touches: &[(&Touch, Date)], referral_days: &[Date]) -> Option<NotReferring> {
    let (t, day) = touches
        .iter()
        .rev()
        .find(|(t, _)| t.no_referral.is_some())?;
    let said = t.no_referral.as_ref()?;
    if referral_days.iter().any(|d| d >= day) {
        return None;
    }
    Some(NotReferring {
        day: *day,
        reason: said.reason,
        text: said.text.clone(),
        possible_competitor: said.is_vague(),
    })
}

/// What makes an account satisfied (P13, P36): its positive outcomes, and whether its
/// providers have referred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Satisfaction {
    /// Touches with the account's contacts that ended positive, in a referral or an
    /// order.
    pub positives: usize,
    /// At least one referral was counted from its contacts.
    pub referred: bool,
}

impl Satisfaction {
    /// From every touch with the account's contacts and whether any of them referred.
    pub fn of<'t>(touches: impl IntoIterator<Item = &'t Touch>, referred: bool) -> Satisfaction {
        Satisfaction {
            positives: touches.into_iter().filter(|t| t.outcome.positive()).count(),
            referred,
        }
    }

    /// The playbook's threshold: `ask_after_positive_outcomes` positive outcomes, or a
    /// referral received. Whether the account is a customer is the caller's to check.
    pub fn satisfied(&self, pb: &Playbook) -> bool {
        self.positives >= pb.ask_after_positive_outcomes || self.referred
    }
}

/// What the referrals page shows of one contact (P8, P9, P10).
#[derive(Debug, Clone, PartialEq)]
pub struct Referrer {
    pub figures: Option<ReferralFigures>,
    /// The last day before `today` with a referral.
    pub last_referral: Option<Date>,
    pub silent: Option<SilentReferrer>,
    /// P9: `figures` show a significant drop.
    pub dropping: bool,
    /// P10: the reason last given for not referring, while it stands.
    pub not_referring: Option<NotReferring>,
}

/// P8, P9 and P10 for one contact, from its touches (up to `today`, oldest first, with local
/// dates) and its referral rows (any order).
pub fn referrer(
    touches: &[(&Touch, Date)],
    referrals: &[(ContactId, Date, u32)],
    pb: &Playbook,
    today: Date,
) -> Referrer {
    let days = referral_days(referrals, today);
    let figures = referral_figures(referrals, pb, today);
    Referrer {
        dropping: figures.as_ref().is_some_and(|f| is_dropping(f, pb)),
        figures,
        last_referral: days.iter().max().copied(),
        silent: silent_referrer(touches, &days, pb, today),
        not_referring: not_referring(touches, &days),
    }
}

/// Days before `today` with at least one referral, in row order.
pub fn referral_days(referrals: &[(ContactId, Date, u32)], today: Date) -> Vec<Date> {
    let mut days = Vec::with_capacity(referrals.len());
    days.extend(
        referrals
            .iter()
            .filter(|(_, d, n)| *n > 0 && *d < today)
            .map(|(_, d, _)| *d),
    );
    days
}

/// Where a lost account stands in its win-back schedule (P16, P17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinBack {
    pub days_since_loss: i64,
    /// P16: ask for feedback by this day…
    pub feedback_due: Date,
    /// …and the first day it was asked since the loss, if it was.
    pub feedback_done: Option<Date>,
    /// P16: feedback is to be asked today (within the window, not asked yet).
    pub feedback_now: bool,
    /// The last touch on the account up to today, before or after the loss.
    pub last_touch: Option<Date>,
    /// Days since `last_touch`.
    pub quiet_days: Option<i64>,
    /// P17: the next nurture touch is due from this day…
    pub nurture_from: Date,
    /// …and overdue from this one.
    pub nurture_by: Date,
    /// P17: a nurture touch is due today (the feedback of P16 comes first while due).
    pub nurture_now: bool,
    /// P17: the account has been quiet for `nurture_max_days` or more (or never touched).
    pub nurture_overdue: bool,
}

/// P16 and P17 for one lost account. `touches`: every touch on the account up to
/// `today`, any order, with their local date.
///
/// Feedback is due within `feedback_within_days` of the loss unless a feedback touch
/// came on or after the loss day. Nurture is due once the account has been quiet for
/// `nurture_min_days` (counting from its last touch, before or after the loss) and at
/// least `min(feedback_within_days, nurture_min_days)` days have passed since the
/// loss; it is overdue after `nurture_max_days` of quiet.
pub fn win_back(
    lost: &LostAccount,
    touches: &[(&Touch, Date)],
    pb: &Playbook,
    today: Date,
) -> WinBack {
    let add = |d: Date, days: i64| d.checked_add(days.days()).unwrap_or(d);
    let since_loss = days_between(lost.lost_on, today);
    let feedback_done = touches
        .iter()
        .filter(|(t, d)| t.kind == TouchKind::Feedback && *d >= lost.lost_on)
        .map(|(_, d)| *d)
        .min();
    let last_touch = touches.iter().map(|(_, d)| *d).max();
    let quiet_days = last_touch.map(|d| days_between(d, today));
    let quiet = quiet_days.unwrap_or(i64::MAX);
    let first_wait = pb.feedback_within_days.min(pb.nurture_min_days);
    let earliest = add(lost.lost_on, first_wait);
    let nurture_from = last_touch.map_or(earliest, |d| add(d, pb.nurture_min_days).max(earliest));
    let nurture_by = last_touch.map_or(nurture_from, |d| {
        add(d, pb.nurture_max_days).max(nurture_from)
    });
    WinBack {
        days_since_loss: since_loss,
        feedback_due: add(lost.lost_on, pb.feedback_within_days),
        feedback_done,
        feedback_now: since_loss <= pb.feedback_within_days && feedback_done.is_none(),
        last_touch,
        quiet_days,
        nurture_from,
        nurture_by,
        nurture_now: quiet >= pb.nurture_min_days && since_loss >= first_wait,
        nurture_overdue: quiet >= pb.nurture_max_days,
    }
}

/// P23: how long a relationship has been silent, when that is at least the playbook's
/// maximum silence. `last_touch`: the local day of the last touch up to `today`.
pub fn silence(last_touch: Option<Date>, pb: &Playbook, today: Date) -> Option<i64> {
    let quiet = days_between(last_touch?, today);
    (quiet >= pb.max_silence_days).then_some(quiet)
}

/// Customer accounts, and those of them not silent by P23.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub customers: usize,
    /// Customers touched up to `today`, less than `max_silence_days` ago.
    pub covered: usize,
}

/// P23 over a territory: how many customer accounts had a touch, up to `today`, less than
/// the playbook's maximum silence ago.
pub fn coverage(t: &Territory, pb: &Playbook, today: Date) -> Coverage {
    let mut last: BTreeMap<AccountId, Option<Date>> = t
        .accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Customer)
        .map(|a| (a.id, None))
        .collect();
    let zones: BTreeMap<AccountId, jiff::tz::TimeZone> = t
        .accounts
        .iter()
        .filter(|a| last.contains_key(&a.id))
        .map(|a| (a.id, a.tz.zone()))
        .collect();
    for x in &t.touches {
        let (Some(slot), Some(zone)) = (last.get_mut(&x.account), zones.get(&x.account)) else {
            continue;
        };
        let d = zone.to_datetime(x.at).date();
        if d <= today && slot.is_none_or(|l| d > l) {
            *slot = Some(d);
        }
    }
    Coverage {
        customers: last.len(),
        covered: last
            .values()
            .filter(|l| l.is_some() && silence(**l, pb, today).is_none())
            .count(),
    }
}

/// A calendar quarter: (year, 1–4).
pub type Quarter = (i16, i8);

/// P18: lost accounts per reason per quarter, for the `quarters` quarters up to
/// today's (oldest first). Only reasons that occur get a series, in `LossReason::ALL`
/// order.
pub fn loss_reasons_per_quarter<'a>(
    lost: impl Iterator<Item = &'a LostAccount>,
    today: Date,
    quarters: usize,
) -> (Vec<Quarter>, Vec<(LossReason, Vec<u32>)>) {
    let (keys, mut counts) = losses_per_quarter(lost.map(|l| (l.reason, l)), today, quarters);
    let series = LossReason::ALL
        .iter()
        .filter_map(|r| counts.remove(r).map(|c| (*r, c)))
        .collect();
    (keys, series)
}

/// P18 by any grouping (the competitor, the rep): lost accounts per group per quarter
/// for the `quarters` quarters up to today's, oldest first; groups with no loss in
/// those quarters are left out.
pub fn losses_per_quarter<'a, K: Ord>(
    lost: impl Iterator<Item = (K, &'a LostAccount)>,
    today: Date,
    quarters: usize,
) -> (Vec<Quarter>, BTreeMap<K, Vec<u32>>) {
    let mut keys: Vec<Quarter> = Vec::new();
    let (mut y, mut q) = quarter(today);
    for _ in 0..quarters {
        keys.push((y, q));
        (y, q) = if q == 1 { (y - 1, 4) } else { (y, q - 1) };
    }
    keys.reverse();
    let mut counts: BTreeMap<K, Vec<u32>> = BTreeMap::new();
    for (group, l) in lost {
        if let Some(i) = keys.iter().position(|k| *k == quarter(l.lost_on)) {
            counts.entry(group).or_insert_with(|| vec![0; keys.len()])[i] += 1;
        }
    }
    (keys, counts)
}

/// The competitor a loss names, as one group however it was typed ("Acme Rx", "acme
/// rx "), or `None` when the loss names none.
pub fn competitor_key(l: &LostAccount) -> Option<String> {
    l.competitor
        .as_deref()
        .map(|c| {
            c.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .filter(|c| !c.is_empty())
}

/// The calendar quarter of a day.
pub fn quarter(d: Date) -> Quarter {
    (d.year(), (d.month() - 1) / 3 + 1)
}

/// The inputs of the signals, shaped once: each contact's touches up to `today`, oldest
/// first (by instant, then id), with their local date in the account's zone. Touches of
/// contacts whose account is not in the territory are left out.
pub fn touches_by_contact(t: &Territory, today: Date) -> BTreeMap<ContactId, Vec<(&Touch, Date)>> {
    let zones: BTreeMap<AccountId, jiff::tz::TimeZone> =
        t.accounts.iter().map(|a| (a.id, a.tz.zone())).collect();
    let mut out: BTreeMap<ContactId, Vec<(&Touch, Date)>> = BTreeMap::new();
    for x in &t.touches {
        let Some(zone) = zones.get(&x.account) else {
            continue;
        };
        let d = zone.to_datetime(x.at).date();
        if d <= today {
            out.entry(x.contact).or_default().push((x, d));
        }
    }
    for v in out.values_mut() {
        v.sort_by_key(|(x, _)| (x.at, x.id));
    }
    out
}

/// Every touch on each account up to `today`, oldest first, with its local date.
pub fn touches_by_account(t: &Territory, today: Date) -> BTreeMap<AccountId, Vec<(&Touch, Date)>> {
    let mut out: BTreeMap<AccountId, Vec<(&Touch, Date)>> = BTreeMap::new();
    for (x, d) in touches_by_contact(t, today).into_values().flatten() {
        out.entry(x.account).or_default().push((x, d));
    }
    for v in out.values_mut() {
        v.sort_by_key(|(x, _)| (x.at, x.id));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, Direction, Outcome, TouchId, UserId};
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn ago(n: i64) -> Date {
        TODAY.checked_sub(n.days()).unwrap()
    }

    /// A touch at noon UTC on `day` (the tests pass its date alongside, as the planner does).
    fn touch(id: i64, day: Date, kind: TouchKind) -> Touch {
        Touch {
            id: TouchId(id),
            at: day
                .at(12, 0, 0, 0)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .unwrap()
                .timestamp(),
            rep: UserId(1),
            contact: ContactId(10),
            account: AccountId(1),
            channel: Channel::Call,
            direction: Direction::Outbound,
            outcome: Outcome::Conversation,
            kind,
            primary_topic: None,
            topics: vec![],
            explain_better: vec![],
            next_step: None,
            callback_at: None,
            note: String::new(),
            no_referral: None,
        }
    }

    fn dated(ts: &[Touch]) -> Vec<(&Touch, Date)> {
        ts.iter()
            .map(|t| (t, t.at.to_zoned(jiff::tz::TimeZone::UTC).date()))
            .collect()
    }

    #[test]
    fn p8_silent_after_the_records_check_period_unless_referred_or_checked() {
        let pb = Playbook::default();
        let n = pb.records_check_after_days;
        let met = [touch(1, ago(n), TouchKind::ReferralMeeting)];
        let s = silent_referrer(&dated(&met), &[], &pb, TODAY).unwrap();
        assert_eq!((s.meeting, s.days_since), (ago(n), n));
        let soon = [touch(1, ago(n - 1), TouchKind::ReferralMeeting)];
        assert_eq!(silent_referrer(&dated(&soon), &[], &pb, TODAY), None);
        assert_eq!(silent_referrer(&dated(&met), &[ago(3)], &pb, TODAY), None);
        let checked = [
            touch(1, ago(n + 5), TouchKind::ReferralMeeting),
            touch(2, ago(2), TouchKind::RecordsCheck),
        ];
        assert_eq!(silent_referrer(&dated(&checked), &[], &pb, TODAY), None);
    }

    #[test]
    fn p9_a_drop_is_judged_on_complete_days_against_the_providers_own_baseline() {
        let pb = Playbook::default();
        let c = ContactId(10);
        // Three a week in the baseline, one in the recent window: a drop.
        let mut rows: Vec<_> = (0..pb.baseline_days / 7)
            .map(|w| (c, ago(pb.recent_days + 1 + 7 * w), 3))
            .collect();
        rows.push((c, ago(1), 1));
        let r = referrer(&[], &rows, &pb, TODAY);
        let f = r.figures.as_ref().unwrap();
        assert!(r.dropping, "{f:?}");
        assert_eq!(f.recent, 1);
        assert_eq!(r.last_referral, Some(ago(1)));
        // A referral logged today counts from tomorrow: the same figures.
        rows.push((c, TODAY, 40));
        assert_eq!(referral_figures(&rows, &pb, TODAY).unwrap().recent, 1);
        // A baseline too small to judge is not a drop.
        let small = [(c, ago(pb.recent_days + 10), 1)];
        assert!(!referrer(&[], &small, &pb, TODAY).dropping);
    }

    fn lost(on: Date) -> LostAccount {
        LostAccount {
            account: AccountId(1),
            lost_on: on,
            reason: LossReason::Pricing,
            competitor: None,
            stakeholders: vec![],
            note: String::new(),
            earlier: vec![],
        }
    }

    #[test]
    fn p16_feedback_is_due_within_the_window_until_asked() {
        let pb = Playbook::default();
        let l = lost(ago(3));
        let w = win_back(&l, &[], &pb, TODAY);
        assert!(w.feedback_now && !w.nurture_now);
        assert_eq!(w.feedback_due, ago(3 - pb.feedback_within_days));
        let asked = [touch(1, ago(1), TouchKind::Feedback)];
        let w = win_back(&l, &dated(&asked), &pb, TODAY);
        assert_eq!(w.feedback_done, Some(ago(1)));
        assert!(!w.feedback_now);
        let late = win_back(&lost(ago(pb.feedback_within_days + 1)), &[], &pb, TODAY);
        assert!(!late.feedback_now);
    }

    #[test]
    fn p17_nurture_every_min_to_max_days_from_the_last_touch() {
        let pb = Playbook::default();
        let l = lost(ago(200));
        let quiet = |n: i64| [touch(1, ago(n), TouchKind::Nurture)];
        let w = win_back(&l, &dated(&quiet(pb.nurture_min_days - 1)), &pb, TODAY);
        assert!(!w.nurture_now);
        let w = win_back(&l, &dated(&quiet(pb.nurture_min_days)), &pb, TODAY);
        assert!(w.nurture_now && !w.nurture_overdue);
        assert_eq!(
            (w.nurture_from, w.nurture_by),
            (TODAY, ago(pb.nurture_min_days - pb.nurture_max_days))
        );
        let w = win_back(&l, &dated(&quiet(pb.nurture_max_days)), &pb, TODAY);
        assert!(w.nurture_now && w.nurture_overdue);
    }

    #[test]
    fn p23_silence_starts_at_the_playbooks_maximum() {
        let pb = Playbook::default();
        let max = pb.max_silence_days;
        assert_eq!(silence(Some(ago(max - 1)), &pb, TODAY), None);
        assert_eq!(silence(Some(ago(max)), &pb, TODAY), Some(max));
        assert_eq!(silence(None, &pb, TODAY), None);
    }

    #[test]
    fn p18_loss_reasons_are_counted_per_quarter() {
        let ls = [
            lost(date(2026, 10, 2)),
            lost(date(2026, 11, 2)),
            lost(date(2020, 1, 1)),
        ];
        let (keys, series) = loss_reasons_per_quarter(ls.iter(), TODAY, 4);
        assert_eq!(keys, [(2026, 1), (2026, 2), (2026, 3), (2026, 4)]);
        assert_eq!(series, [(LossReason::Pricing, vec![0, 0, 0, 2])]);
    }

    #[test]
    fn p18_losses_are_grouped_by_competitor_and_by_rep_per_quarter() {
        let named = |d, c: Option<&str>| LostAccount {
            competitor: c.map(str::to_string),
            ..lost(d)
        };
        let ls = [
            named(date(2026, 4, 2), Some("Acme Rx")),
            named(date(2026, 10, 2), Some(" acme  RX ")),
            named(date(2026, 11, 2), Some("Borealis")),
            named(date(2026, 11, 3), None),
            named(date(2019, 11, 3), Some("Acme Rx")),
        ];
        let (keys, by_competitor) =
            losses_per_quarter(ls.iter().map(|l| (competitor_key(l), l)), TODAY, 4);
        assert_eq!(keys.len(), 4);
        assert_eq!(
            by_competitor.into_iter().collect::<Vec<_>>(),
            [
                (None, vec![0, 0, 0, 1]),
                (Some("acme rx".to_string()), vec![0, 1, 0, 1]),
                (Some("borealis".to_string()), vec![0, 0, 0, 1]),
            ]
        );
        let reps = [1, 2, 1, 1, 2];
        let (_, by_rep) = losses_per_quarter(reps.iter().zip(ls.iter()), TODAY, 4);
        assert_eq!(
            by_rep.into_iter().collect::<Vec<_>>(),
            [(&1, vec![0, 1, 0, 2]), (&2, vec![0, 0, 0, 1])]
        );
    }
}
