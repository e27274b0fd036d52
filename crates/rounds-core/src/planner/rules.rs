//! Candidates and their reasons: which rules make a contact due today, with what
//! priority, kind of touch and purpose, each reason citing its rule IDs.

use jiff::civil::{Date, Time, Weekday};

use super::history::{History, is_new};
use super::{Reason, days_between, reason};
use crate::model::{AccessPolicy, Account, AccountStatus, Channel, Outcome, Touch, TouchKind};
use crate::playbook::Playbook;
use crate::signals;

pub(super) struct Candidate<'a> {
    pub(super) history: &'a History<'a>,
    pub(super) score: f64,
    pub(super) reasons: Vec<Reason>,
    pub(super) kind: TouchKind,
    /// An agreed time to keep exactly (P35).
    pub(super) exact_at: Option<Time>,
    /// Time-bound touches may use the urgent email days (P38).
    pub(super) urgent: bool,
    /// Only channels in this list, when set.
    pub(super) only: Option<Vec<Channel>>,
    /// The purpose stands in for a topic when no library topic fits (P1).
    pub(super) purpose: Option<String>,
    /// Needs a new library topic to be worth a touch (P3).
    pub(super) needs_topic: bool,
    pub(super) prospecting: bool,
    pub(super) visit_agreed: bool,
}

pub(super) fn base(history: &History, pb: &Playbook) -> f64 {
    let status = match history.account.status {
        AccountStatus::Customer => pb.customer_weight(),
        _ => 1.0,
    };
    status * history.contact.influence.weight()
}

pub(super) fn candidate<'a>(
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

pub(super) fn account_candidates<'a>(
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
            lost_candidates(hs, lost, pb, today, out);
            return;
        }
        AccountStatus::Prospect | AccountStatus::Customer => {}
    }
    if account.access == AccessPolicy::NoVendorContact {
        no_see_candidate(account, hs, pb, today, out);
        // Agreed callbacks still stand: the contact asked for them.
        for h in hs {
            if let Some(c) = callback(h, pb, today) {
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

pub(super) fn best_contact<'a>(hs: &[&'a History<'a>]) -> Option<&'a History<'a>> {
    hs.iter().copied().max_by(|a, b| {
        a.contact
            .influence
            .weight()
            .total_cmp(&b.contact.influence.weight())
            .then(b.contact.id.cmp(&a.contact.id))
    })
}

pub(super) fn lost_candidates<'a>(
    hs: &[&'a History<'a>],
    lost: Option<&crate::model::LostAccount>,
    pb: &Playbook,
    today: Date,
    out: &mut Vec<Candidate<'a>>,
) {
    let Some(h) = best_contact(hs) else { return };
    let Some(lost) = lost else { return };
    let touches: Vec<(&Touch, Date)> = hs.iter().flat_map(|h| h.touches.iter().copied()).collect();
    let w = signals::win_back(lost, &touches, pb, today);
    if w.feedback_now {
        let mut c = candidate(
            h,
            TouchKind::Feedback,
            pb.priority.loss_feedback,
            vec![reason(
                &["P16", "P15"],
                format!(
                    "Lost {} days ago ({}); ask what we could have done better while it is fresh",
                    w.days_since_loss, lost.reason
                ),
            )],
        );
        c.purpose = Some(format!("Feedback on the loss ({})", lost.reason));
        c.urgent = true;
        out.push(c);
        return;
    }
    if w.nurture_now {
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
            if w.nurture_overdue {
                pb.priority.lost_nurture_overdue
            } else {
                pb.priority.lost_nurture
            },
            vec![reason(
                &["P17", "P19"],
                format!(
                    "Lost account, {} days since the last touch: stay present every {}–{} days",
                    w.quiet_days.unwrap_or(w.days_since_loss),
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

pub(super) fn no_see_candidate<'a>(
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
        pb.priority.meeting_request * base(h, pb),
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

pub(super) fn callback<'a>(
    h: &'a History<'a>,
    pb: &Playbook,
    today: Date,
) -> Option<Candidate<'a>> {
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
        pb.priority.callback,
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

pub(super) fn at_date(t: &Touch, h: &History) -> Date {
    t.at.to_zoned(h.account.tz.zone()).date()
}

/// What the rules found so far for one contact: the strongest score, every reason, and
/// the kind, purpose and channels of the touch set by the first rule that claimed it.
struct Due {
    reasons: Vec<Reason>,
    score: f64,
    kind: TouchKind,
    urgent: bool,
    purpose: Option<String>,
    only: Option<Vec<Channel>>,
    visit_agreed: bool,
}

impl Due {
    fn new() -> Due {
        Due {
            reasons: Vec::new(),
            score: 0.0,
            kind: TouchKind::Routine,
            urgent: false,
            purpose: None,
            only: None,
            visit_agreed: false,
        }
    }

    /// No rule has claimed the touch yet.
    fn open(&self) -> bool {
        self.reasons.is_empty()
    }

    fn add(&mut self, why: Reason, score: f64) {
        self.reasons.push(why);
        self.score = self.score.max(score);
    }

    fn into_candidate<'a>(
        self,
        h: &'a History<'a>,
        weight: f64,
        prospecting: bool,
    ) -> Option<Candidate<'a>> {
        let mut c = candidate(h, self.kind, self.score * weight, self.reasons);
        c.urgent = self.urgent;
        c.only = self.only;
        c.needs_topic = self.purpose.is_none();
        c.purpose = self.purpose;
        c.visit_agreed = self.visit_agreed;
        c.prospecting = prospecting;
        Some(c)
    }
}

/// The reasons one contact is due today, if any (P3: never a bare check-in). The steps
/// run in a fixed order; a step that sets the kind of touch only does so while no
/// earlier step has claimed it.
pub(super) fn contact_candidate<'a>(
    h: &'a History<'a>,
    colleagues: &[&'a History<'a>],
    pb: &Playbook,
    today: Date,
) -> Option<Candidate<'a>> {
    if let Some(c) = callback(h, pb, today) {
        return Some(c);
    }
    let weight = base(h, pb);
    let mut due = Due::new();
    after_referral_meeting(h, pb, today, &mut due);
    thank_you(h, pb, today, &mut due);
    next_step_due(h, pb, today, &mut due);
    referral_drop(h, pb, today, &mut due);
    referral_ask(h, colleagues, pb, &mut due);
    match h.account.status {
        AccountStatus::Customer => customer_cadence(h, pb, today, &mut due),
        AccountStatus::Prospect => {
            if prospect_cadence(h, colleagues, pb, today, &mut due) {
                return due.into_candidate(h, weight, true);
            }
        }
        AccountStatus::Lost | AccountStatus::NoFit => return None,
    }
    fresh_content(h, pb, today, &mut due);
    if due.open() {
        return None;
    }
    due.into_candidate(h, weight, false)
}

/// P37: confirmation email within one business day of a referral meeting; P8: met, and
/// no referral since, for the records-check period.
fn after_referral_meeting(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let Some((meeting, day)) = h.last_of_kind(TouchKind::ReferralMeeting) else {
        return;
    };
    let business_days = business_days_between(day, today);
    if business_days <= pb.confirmation_within_business_days
        && !h.any_since(TouchKind::Confirmation, meeting.at)
    {
        due.add(
            reason(
                &["P37"],
                format!(
                    "Referral meeting on {day}: confirm how they will use us and the next steps"
                ),
            ),
            pb.priority.confirmation,
        );
        due.kind = TouchKind::Confirmation;
        due.urgent = true;
        due.only = Some(vec![Channel::Email, Channel::Letter]);
        due.purpose = Some("Confirmation: how you will use us, and the next steps".to_string());
    }
    if !due.open() {
        return;
    }
    if let Some(silent) = signals::silent_referrer(&h.touches, &h.referral_days, pb, today) {
        let (since, day) = (silent.days_since, silent.meeting);
        due.add(
            reason(
                &["P8"],
                format!("Referral meeting {since} days ago ({day}) and no referral since: call to make sure our records are correct"),
            ),
            pb.priority.records_check,
        );
        due.kind = TouchKind::RecordsCheck;
        due.only = Some(vec![Channel::Call, Channel::Visit, Channel::Email]);
        due.purpose = Some("Records check: making sure our records are correct".to_string());
    }
}

/// P34: gratitude after a referral or an order.
fn thank_you(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let Some((t, day)) = h
        .touches
        .iter()
        .rev()
        .find(|(t, _)| matches!(t.outcome, Outcome::Referral | Outcome::Order))
        .copied()
    else {
        return;
    };
    if days_between(day, today) <= pb.thank_you_within_days
        && !h.any_since(TouchKind::ThankYou, t.at)
        && due.open()
    {
        due.add(
            reason(
                &["P34"],
                format!(
                    "{} on {day}: say thank you",
                    if t.outcome == Outcome::Referral {
                        "A referral"
                    } else {
                        "An order"
                    }
                ),
            ),
            pb.priority.thank_you,
        );
        due.kind = TouchKind::ThankYou;
        due.only = Some(vec![
            Channel::HandwrittenNote,
            Channel::Email,
            Channel::Visit,
        ]);
        due.purpose = Some("Thank you".to_string());
    }
}

/// P33: an agreed next step falls due; the longer overdue, the higher.
fn next_step_due(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let pr = &pb.priority;
    let Some((step, set_on)) = h.open_next_step() else {
        return;
    };
    if step.due > today || days_between(step.due, today) > pb.step_triage_after_days {
        return; // Not yet due, or so late it goes to the plan's triage list instead.
    }
    due.add(
        reason(
            &["P33", "P3"],
            format!(
                "Next step agreed on {set_on}, due {}: {}",
                step.due, step.what
            ),
        ),
        pr.next_step_due
            + days_between(step.due, today).min(pr.next_step_overdue_days_cap) as f64
                * pr.next_step_per_overdue_day,
    );
    if due.purpose.is_none() {
        due.purpose = Some(step.what.clone());
    }
    due.visit_agreed = true;
}

/// P9: referrals fell against the provider's own baseline.
fn referral_drop(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    if let Some(f) = &h.referrals
        && signals::is_dropping(f, pb)
        && h.days_since_last(today)
            .is_none_or(|d| d >= pb.prospect_attempt_gap_days)
    {
        due.add(
            reason(
                &["P9"],
                format!(
                    "Referrals fell to {} in the last {} days against a baseline of {:.1} per {} days ({:+.0}%)",
                    f.recent,
                    f.recent_days,
                    f.baseline_per_recent,
                    f.recent_days,
                    f.change * 100.0
                ),
            ),
            pb.priority.referral_drop + (-f.change) * pb.priority.referral_drop_per_fall,
        );
    }
}

/// P13: a satisfied account is asked for referrals and introductions, by its decision
/// maker, once.
fn referral_ask(h: &History, colleagues: &[&History], pb: &Playbook, due: &mut Due) {
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
        && due.open()
    {
        due.add(
            reason(
                &["P13"],
                format!("{positives} positive outcomes at this account: ask for referrals and warm introductions"),
            ),
            pb.priority.referral_ask,
        );
        due.kind = TouchKind::ReferralAsk;
        due.purpose = Some("Referrals and warm introductions".to_string());
    }
}

/// P23, P22: a customer contact silent too long; otherwise P3, P19, P30, P11: a value
/// touch at the customer's spacing, or a first meeting with someone not yet met.
fn customer_cadence(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let pr = &pb.priority;
    let quiet = h.days_since_last(today);
    if h.ever_answered
        && let Some(silent) = signals::silence(h.last().map(|(_, d)| d), pb, today)
    {
        due.add(
            reason(
                &["P23", "P22"],
                format!(
                    "Customer contact silent for {silent} days (limit {})",
                    pb.max_silence_days
                ),
            ),
            pr.silent_customer
                + silent.min(pr.silent_customer_days_cap) as f64
                    / pr.silent_customer_days_per_point,
        );
    } else if quiet.is_none_or(|d| d >= pb.customer_touch_every_days) && due.open() {
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
        due.add(why, pb.priority.customer_value_touch);
    }
}

/// The prospecting cadence (P20 and the rules of `prospect_reasons`). Returns whether
/// this is a prospecting step, which ends the contact's evaluation.
fn prospect_cadence(
    h: &History,
    colleagues: &[&History],
    pb: &Playbook,
    today: Date,
    due: &mut Due,
) -> bool {
    let Some((s, r, k, prospecting)) = prospect_reasons(h, colleagues, pb, today) else {
        return false;
    };
    if due.open() {
        due.kind = k;
    }
    due.reasons.extend(r);
    due.score = due.score.max(s);
    if due.kind == TouchKind::Breakup {
        due.only = Some(vec![Channel::Email, Channel::Letter]);
        due.purpose = Some("A polite breakup: close the file, leave the door open".to_string());
    }
    prospecting
}

/// P3: new content, or a topic to explain better, is a reason on its own.
fn fresh_content(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let Some(t) = h.fresh.first() else { return };
    let quiet = h.days_since_last(today);
    if h.explain_better.contains(&t.id) && quiet.is_none_or(|d| d >= pb.prospect_attempt_gap_days) {
        due.add(
            reason(&["P3"], format!("Marked to explain better: {}", t.title)),
            pb.priority.explain_better,
        );
    } else if is_new(t, pb, today)
        && h.ever_answered
        && quiet.is_none_or(|d| d >= pb.prospect_attempt_gap_days)
    {
        due.add(
            reason(
                &["P3"],
                format!("New content since the last touch: {}", t.title),
            ),
            pb.priority.new_content,
        );
    }
}

/// The prospecting cadence of P20, with dead ends (P29, P44), breakup (P32) and
/// nurture (P31). Returns score, reasons, kind and whether it is a prospecting step.
pub(super) fn prospect_reasons(
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
                    pb.priority.engaged_prospect,
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
                pb.priority.prospect_nurture,
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
    let score = pb.priority.prospect_attempt + attempts as f64 * pb.priority.prospect_per_attempt;
    Some((score, reasons, kind, true))
}

/// Someone else at the account to try when a contact is a dead end: same department
/// first, then anyone in the office who is not a dead end too.
pub(super) fn alternative<'a>(
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

pub(super) fn business_days_between(from: Date, to: Date) -> i64 {
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
