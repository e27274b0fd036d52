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
    /// A meeting the contact agreed (P6, P7): in person or by phone even where the office
    /// takes no vendor visits or calls, since nothing about it is cold.
    pub(super) meeting_agreed: bool,
    /// The due day of the agreed next step this touch serves (P33).
    pub(super) step_due: Option<Date>,
    /// The step was tried on or after its day already, unanswered.
    pub(super) step_retry: bool,
    /// A relationship kept alive: to be planned by this day at the latest (P23, P17).
    pub(super) keep_alive_by: Option<Date>,
}

impl Candidate<'_> {
    /// The contact asked for this touch (a callback, a next step, the confirmation of a
    /// referral meeting): the weekly cap and the visit gap do not hold it back (P23).
    pub(super) fn agreed(&self) -> bool {
        self.exact_at.is_some()
            || (self.step_due.is_some() && !self.step_retry)
            || self.kind == TouchKind::Confirmation
    }
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
        meeting_agreed: false,
        step_due: None,
        step_retry: false,
        keep_alive_by: None,
    }
}

pub(super) fn account_candidates<'a>(
    account: &Account,
    hs: &[&'a History<'a>],
    lost: Option<&crate::model::LostAccount>,
    references: &[Reference],
    pb: &Playbook,
    today: Date,
    out: &mut Vec<Candidate<'a>>,
) {
    let first = out.len();
    contact_candidates(account, hs, lost, pb, today, out);
    if account.status == AccountStatus::Prospect
        && let Some((r, key)) = reference_for(account, references)
    {
        for c in &mut out[first..] {
            offer_reference(c, r, key, pb);
        }
    }
}

fn contact_candidates<'a>(
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
        // A request that was answered with something agreed needs no second request while
        // that stands: the agreed meeting or step is planned instead (P6, P7).
        let agreed = hs.iter().any(|h| {
            h.open_step()
                .is_some_and(|s| days_between(s.step.due, today) <= pb.step_triage_after_days)
        });
        if !agreed {
            no_see_candidate(account, hs, pb, today, out);
        }
        for h in hs {
            // Agreed callbacks still stand: the contact asked for them.
            if let Some(c) = callback(h, pb, today) {
                out.push(c);
                continue;
            }
            let Some(mut c) = contact_candidate(h, hs, None, pb, today) else {
                continue;
            };
            // The meeting they agreed to is that meeting, in person or by phone (P6, P7).
            if c.meeting_agreed {
                out.push(c);
                continue;
            }
            // Other promises, and a customer's relationships, are kept in writing (P6,
            // P23, P33).
            let customer = account.status == AccountStatus::Customer;
            if c.step_due.is_some() || (customer && c.keep_alive_by.is_some()) {
                let written = [Channel::Email, Channel::Letter, Channel::HandwrittenNote];
                let only: Vec<Channel> = match c.only.take() {
                    Some(o) => o.into_iter().filter(|ch| written.contains(ch)).collect(),
                    None => written.to_vec(),
                };
                if !only.is_empty() {
                    c.only = Some(only);
                    out.push(c);
                }
            }
        }
        return;
    }
    let cadence = match account.status {
        AccountStatus::Prospect => account_cadence(hs, pb),
        _ => None,
    };
    for h in hs {
        if let Some(c) = contact_candidate(h, hs, cadence.as_ref(), pb, today) {
            out.push(c);
        }
    }
}

/// Where a prospect account's cadence stands: the contacts are worked one at a time (P29,
/// P44), so the account goes on until the cadence of its last contact ends.
pub(super) enum Cadence<'a> {
    /// Someone there answered their last touch: the relationship is running (P3).
    Engaged,
    /// The one contact the cadence works on now.
    Working(&'a History<'a>),
    /// Every contact had their attempts: low-frequency nurture of the best one (P31).
    Ended(&'a History<'a>),
}

/// How many unanswered attempts a contact gets: a full prospecting cadence for someone
/// never reached (P20), fewer for someone who answered once and went quiet.
pub(super) fn attempt_cap(h: &History, pb: &Playbook) -> usize {
    if h.ever_answered {
        pb.reengage_attempts
    } else {
        pb.max_attempts
    }
}

pub(super) fn account_cadence<'a>(hs: &[&'a History<'a>], pb: &Playbook) -> Option<Cadence<'a>> {
    if hs.iter().any(|h| h.ever_answered && h.streak == 0) {
        return Some(Cadence::Engaged);
    }
    // First every contact up to the dead end, the one already being worked first, then
    // those who answered once, then by influence; then the best one to the full cadence.
    let working = hs
        .iter()
        .copied()
        .filter(|h| h.streak < pb.dead_end_after && h.streak < attempt_cap(h, pb))
        .max_by(|a, b| {
            a.streak
                .cmp(&b.streak)
                .then(a.ever_answered.cmp(&b.ever_answered))
                .then(
                    a.contact
                        .influence
                        .weight()
                        .total_cmp(&b.contact.influence.weight()),
                )
                .then(b.contact.id.cmp(&a.contact.id))
        });
    let open: Vec<&History> = hs
        .iter()
        .copied()
        .filter(|h| h.streak < attempt_cap(h, pb))
        .collect();
    match working.or_else(|| best_contact(&open)) {
        Some(h) => Some(Cadence::Working(h)),
        None => best_contact(hs).map(Cadence::Ended),
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
    let Some(lost) = lost else { return };
    // Whom to ask: the best placed of those the week's cap and the dead ends leave open.
    let reachable: Vec<&History> = hs
        .iter()
        .copied()
        .filter(|h| {
            h.touches_this_week < pb.max_touches_per_contact_per_week
                && h.streak < pb.dead_end_after
        })
        .collect();
    // Someone capped this week waits for next week rather than the question going to a
    // dead end (P29); the feedback window is two weeks.
    let open: Vec<&History> = hs
        .iter()
        .copied()
        .filter(|h| h.streak < pb.dead_end_after)
        .collect();
    let Some(h) = best_contact(&reachable)
        .or_else(|| best_contact(&open))
        .or_else(|| best_contact(hs))
    else {
        return;
    };
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
        // Rotate through the nurture channels so the presence is felt in several ways
        // (P17): the last one used goes last, still there for a contact it is the only
        // way to reach.
        let mut channels: Vec<Channel> = pb.nurture_channels.clone();
        channels.sort_by_key(|c| Some(*c) == last_channel);
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
        c.keep_alive_by = Some(w.nurture_by);
        if h.fresh.is_empty() {
            // Presence does not wait for new content: an article or a note will do (P17).
            c.purpose = Some("Stay present: an article, a newsletter or a short note".into());
        }
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
    // By telephone; where they have none, the agreed moment is met in person.
    c.only = Some(vec![Channel::Call, Channel::VirtualMeeting, Channel::Visit]);
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
    meeting_agreed: bool,
    step_due: Option<Date>,
    step_retry: bool,
    keep_alive_by: Option<Date>,
    /// The rules need no library topic: the purpose carries the touch.
    no_topic_needed: bool,
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
            meeting_agreed: false,
            step_due: None,
            step_retry: false,
            keep_alive_by: None,
            no_topic_needed: false,
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
        c.needs_topic = self.purpose.is_none() && !self.no_topic_needed;
        c.purpose = self.purpose;
        c.visit_agreed = self.visit_agreed;
        c.meeting_agreed = self.meeting_agreed;
        c.prospecting = prospecting;
        c.step_due = self.step_due;
        c.step_retry = self.step_retry;
        c.keep_alive_by = self.keep_alive_by;
        Some(c)
    }
}

/// The reasons one contact is due today, if any (P3: never a bare check-in). The steps
/// run in a fixed order; a step that sets the kind of touch only does so while no
/// earlier step has claimed it. What the contact agreed to (callbacks, next steps,
/// confirmations, thanks) always stands; chasing stops at the dead end (P29): a contact
/// with that many unanswered attempts gets only what keeps the relationship alive.
pub(super) fn contact_candidate<'a>(
    h: &'a History<'a>,
    colleagues: &[&'a History<'a>],
    cadence: Option<&Cadence<'a>>,
    pb: &Playbook,
    today: Date,
) -> Option<Candidate<'a>> {
    if let Some(c) = callback(h, pb, today) {
        return Some(c);
    }
    let weight = base(h, pb);
    let open = h.streak < pb.dead_end_after;
    let mut due = Due::new();
    after_referral_meeting(h, pb, today, &mut due);
    thank_you(h, pb, today, &mut due);
    next_step_due(h, pb, today, &mut due);
    agreed_meeting(h, today, &mut due);
    // Before an agreed first meeting, nothing but what they agreed to: the meeting opens
    // the relationship, routine touches come after it (P7).
    if h.first_meeting_ahead(today) {
        return if due.open() {
            None
        } else {
            due.into_candidate(h, weight, false)
        };
    }
    if open {
        referral_drop(h, pb, today, &mut due);
        referral_ask(h, colleagues, pb, &mut due);
    }
    match h.account.status {
        AccountStatus::Customer => customer_cadence(h, pb, today, &mut due),
        AccountStatus::Prospect => {
            if let Some(cadence) = cadence
                && prospect_cadence(h, colleagues, cadence, pb, today, &mut due)
            {
                return due.into_candidate(h, weight, true);
            }
        }
        AccountStatus::Lost | AccountStatus::NoFit => return None,
    }
    if open {
        fresh_content(h, pb, today, &mut due);
    }
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
    // A records check is a conversation to have, not a chase past the dead end (P29).
    if !due.open() || h.streak >= pb.dead_end_after {
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

/// P34: gratitude after a meeting that produced a referral or an order: logged as the
/// touch's outcome, or as a referral count recorded within the thank-you window after a
/// meeting with the provider.
fn thank_you(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let logged = h
        .touches
        .iter()
        .rev()
        .find(|(t, _)| matches!(t.outcome, Outcome::Referral | Outcome::Order))
        .map(|(t, d)| {
            let what = if t.outcome == Outcome::Referral {
                "A referral"
            } else {
                "An order"
            };
            (t.at, *d, format!("{what} on {d}"))
        });
    let counted = h
        .touches
        .iter()
        .rev()
        .find(|(t, _)| t.outcome.conversation() && t.kind != TouchKind::ThankYou)
        .and_then(|(meeting, met)| {
            let first = h
                .referral_days
                .iter()
                .copied()
                .filter(|d| *d >= *met && days_between(*met, *d) <= pb.thank_you_within_days)
                .min()?;
            Some((
                meeting.at,
                first,
                format!("Referrals counted on {first} after the meeting on {met}"),
            ))
        });
    let Some((at, day, what)) = [logged, counted]
        .into_iter()
        .flatten()
        .max_by_key(|(_, d, _)| *d)
    else {
        return;
    };
    if days_between(day, today) <= pb.thank_you_within_days
        && !h.any_since(TouchKind::ThankYou, at)
        && due.open()
    {
        due.add(
            reason(&["P34"], format!("{what}: say thank you")),
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
    // A contact at the dead end is not called again for an old promise either (P29); the
    // step waits for the rep's decision on the triage list.
    if h.streak >= pb.dead_end_after {
        return;
    }
    // Tried on or after its day without an answer: a retry is an attempt like any other,
    // held to the weekly cap (P23).
    let retried = h
        .touches
        .iter()
        .any(|(t, d)| *d >= step.due && t.direction == crate::model::Direction::Outbound);
    due.step_retry = retried;
    let late = days_between(step.due, today);
    let text = if late == 0 {
        format!("Next step agreed on {set_on}, due today: {}", step.what)
    } else {
        format!(
            "Next step agreed on {set_on}, due {} ({late} days late): {}",
            step.due, step.what
        )
    };
    due.add(
        reason(&["P33", "P3"], text),
        pr.next_step_due
            + late.min(pr.next_step_overdue_days_cap) as f64 * pr.next_step_per_overdue_day,
    );
    if due.purpose.is_none() {
        due.purpose = Some(step.what.clone());
    }
    due.visit_agreed = true;
    // A promise has a day: it may go by e-mail on the urgent days too (P38).
    due.urgent = true;
    due.step_due = Some(step.due);
}

/// P7, P6: the step due today is a meeting the contact agreed in answer to a request. The
/// first one with someone not yet met is planned as a first meeting, with its agenda
/// (the scheduler writes it); any agreed meeting is held in person or by phone, even at
/// an office that takes no vendor visits or calls, since nobody is dropping in on them.
fn agreed_meeting(h: &History, today: Date, due: &mut Due) {
    if due.step_due.is_none() || due.kind != TouchKind::Routine {
        return;
    }
    let Some(s) = h.open_meeting() else { return };
    due.meeting_agreed = true;
    due.only = Some(vec![Channel::Visit, Channel::VirtualMeeting, Channel::Call]);
    let late = days_between(s.step.due, today);
    let when = if late == 0 {
        "today".to_string()
    } else {
        format!("for {} ({late} days late)", s.step.due)
    };
    if h.met {
        due.add(
            reason(
                &["P6", "P33"],
                format!("Meeting agreed on {} {when}: hold it as agreed", s.set_on),
            ),
            due.score,
        );
        return;
    }
    due.kind = TouchKind::FirstMeeting;
    due.purpose = Some(format!("First meeting: {}", s.step.what));
    due.add(
        reason(
            &["P7", "P33"],
            format!(
                "First meeting with {}, agreed on {} {when}: go with an agenda (the topic, its value to them, the question to ask)",
                h.contact.name, s.set_on
            ),
        ),
        due.score,
    );
}

/// A satisfied customer of the rep's territory (P13's threshold) that can vouch for us to
/// prospects with the same pain points (P36).
pub(super) struct Reference<'a> {
    pub(super) account: &'a Account,
    pub(super) satisfaction: signals::Satisfaction,
    /// The account's pain points as a set of catalogue positions, when all are in the
    /// catalogue: every prospect is compared with every reference, and comparing the
    /// keys as text was most of the cost of a prospect's candidates.
    pains: Option<u64>,
}

/// `keys` as a set of catalogue positions, when every one is in the catalogue.
fn pain_set<S: AsRef<str>>(keys: &[S]) -> Option<u64> {
    keys.iter().try_fold(0u64, |set, k| {
        let i = crate::catalogue::position(k.as_ref())?;
        (i < 64).then(|| set | 1 << i)
    })
}

/// The satisfied customers among `accounts` (each with every touch up to today with its
/// contacts, and whether they referred), in account order. Lost and no-fit accounts
/// never vouch for anyone.
pub(super) fn references<'a>(
    accounts: impl IntoIterator<Item = (&'a Account, signals::Satisfaction)>,
    pb: &Playbook,
) -> Vec<Reference<'a>> {
    accounts
        .into_iter()
        .filter(|(a, s)| {
            a.status == AccountStatus::Customer && !a.pain_points.is_empty() && s.satisfied(pb)
        })
        .map(|(account, satisfaction)| Reference {
            account,
            satisfaction,
            pains: pain_set(&account.pain_points),
        })
        .collect()
}

/// The reference for a prospect (P36): the satisfied customer sharing most of its pain
/// points, then the most satisfied, then the lowest id; with the first shared pain point
/// in the prospect's own order.
fn reference_for<'r, 'k>(
    prospect: &'k Account,
    references: &'r [Reference<'r>],
) -> Option<(&'r Reference<'r>, &'k str)> {
    // The prospect's pain points as catalogue positions, repeats kept (each counts).
    let positions: Option<Vec<usize>> = prospect
        .pain_points
        .iter()
        .map(|p| crate::catalogue::position(p).filter(|i| *i < 64))
        .collect();
    let shared = |r: &Reference| match (r.pains, &positions) {
        (Some(set), Some(positions)) => positions.iter().filter(|i| set >> **i & 1 == 1).count(),
        _ => prospect
            .pain_points
            .iter()
            .filter(|p| r.account.pain_points.contains(p))
            .count(),
    };
    // Each reference's share counted once, not again in every comparison.
    let (_, best) = references
        .iter()
        .filter(|r| r.account.id != prospect.id)
        .map(|r| (shared(r), r))
        .filter(|(n, _)| *n > 0)
        .max_by(|(na, a), (nb, b)| {
            na.cmp(nb)
                .then(a.satisfaction.referred.cmp(&b.satisfaction.referred))
                .then(a.satisfaction.positives.cmp(&b.satisfaction.positives))
                .then(b.account.id.cmp(&a.account.id))
        })?;
    let key = prospect
        .pain_points
        .iter()
        .find(|p| best.account.pain_points.contains(p))?;
    Some((best, key.as_str()))
}

/// P36: a prospect's touch that reaches out anyway offers the reference, naming it and
/// the topic both share. Not the breakup, which closes the file, nor nurture, whose pace
/// a stronger priority would break (P31).
fn offer_reference(c: &mut Candidate, r: &Reference, key: &str, pb: &Playbook) {
    if !matches!(
        c.kind,
        TouchKind::Routine | TouchKind::FirstMeeting | TouchKind::MeetingRequest
    ) {
        return;
    }
    let topic = c
        .history
        .fresh
        .iter()
        .find(|t| t.pain_points.iter().any(|p| p == key));
    let concern = crate::catalogue::pain_point(key)
        .map(|p| super::schedule::lower_first(&p.title))
        .unwrap_or_else(|| key.replace('-', " "));
    let why = if r.satisfaction.referred {
        "refers to us".to_string()
    } else {
        format!("{} positive outcomes", r.satisfaction.positives)
    };
    let on = topic.map_or(String::new(), |t| format!(" on “{}”", t.title));
    c.reasons.push(reason(
        &["P36"],
        format!(
            "{} is a satisfied customer ({why}) who shares their concern, {concern}: offer an introduction as a reference{on}",
            r.account.name
        ),
    ));
    c.score = c
        .score
        .max(pb.priority.reference_introduction * base(c.history, pb));
}

/// P9: referrals fell against the provider's own baseline.
fn referral_drop(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    // A signal is a reason to talk, not to chase: at the customers' spacing (P3, P23).
    if let Some(f) = &h.referrals
        && signals::is_dropping(f, pb)
        && h.days_since_last(today)
            .is_none_or(|d| d >= pb.customer_touch_every_days)
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
    // The cheap tests first: most contacts are not their account's decision maker.
    if h.account.status != AccountStatus::Customer
        || h.contact.influence != crate::model::Influence::DecisionMaker
        || !due.open()
        || best_contact(colleagues).is_none_or(|b| b.contact.id != h.contact.id)
    {
        return;
    }
    let asked = colleagues
        .iter()
        .any(|c| c.last_of_kind(TouchKind::ReferralAsk).is_some());
    if asked {
        return;
    }
    let satisfaction = signals::Satisfaction::of(
        colleagues
            .iter()
            .flat_map(|c| c.touches.iter().map(|(t, _)| *t)),
        colleagues.iter().any(|c| !c.referral_days.is_empty()),
    );
    if !satisfaction.satisfied(pb) {
        return;
    }
    let positives = satisfaction.positives;
    due.add(
        reason(
            &["P13"],
            if positives >= pb.ask_after_positive_outcomes {
                format!("{positives} positive outcomes at this account: ask for referrals and warm introductions")
            } else {
                "Referrals received from this account: ask for warm introductions too".to_string()
            },
        ),
        pb.priority.referral_ask,
    );
    due.kind = TouchKind::ReferralAsk;
    due.purpose = Some("Referrals and warm introductions".to_string());
}

/// P23, P22: a customer contact who answered once falls due before the maximum silence
/// (`silence_lead_days` ahead, planned by the limit at the latest); otherwise P3, P19,
/// P30, P11: a value touch at the customer's spacing, or a first meeting with someone not
/// yet met — while the contact is not a dead end (P29). Past the dead end only the
/// silence rule stays, as low-frequency presence (P31).
fn customer_cadence(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let pr = &pb.priority;
    let quiet = h.days_since_last(today);
    let open = h.streak < pb.dead_end_after;
    let keep_alive_from = (pb.max_silence_days - pb.silence_lead_days).max(1);
    let limit = h.last().and_then(|(_, last)| {
        last.checked_add(jiff::Span::new().days(pb.max_silence_days))
            .ok()
    });
    // An agreed step due by the limit breaks the silence itself.
    let step_first = h
        .open_next_step()
        .is_some_and(|(s, _)| limit.is_some_and(|by| s.due <= by) && s.due > today);
    if h.ever_answered
        && let Some(by) = limit
        && quiet.is_some_and(|q| q >= keep_alive_from)
        && !step_first
    {
        let silent = quiet.unwrap_or_default();
        due.add(
            reason(
                &["P23", "P22"],
                format!(
                    "Customer contact silent for {silent} days: keep the relationship alive by {by} (limit {} days)",
                    pb.max_silence_days
                ),
            ),
            pr.silent_customer
                + silent.min(pr.silent_customer_days_cap) as f64
                    / pr.silent_customer_days_per_point,
        );
        due.keep_alive_by = Some(by);
        due.no_topic_needed = true;
        if !open && due.kind == TouchKind::Routine && due.step_due.is_none() {
            due.kind = TouchKind::Nurture;
        }
    } else if open && quiet.is_none_or(|d| d >= pb.customer_touch_every_days) && due.open() {
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

/// The account's prospecting cadence as it concerns this contact. Returns whether this
/// is a prospecting step, which ends the contact's evaluation.
fn prospect_cadence(
    h: &History,
    colleagues: &[&History],
    cadence: &Cadence,
    pb: &Playbook,
    today: Date,
    due: &mut Due,
) -> bool {
    let Some((s, r, k, prospecting)) = prospect_reasons(h, colleagues, cadence, pb, today) else {
        return false;
    };
    if due.open() {
        due.kind = k;
    }
    due.reasons.extend(r);
    due.score = due.score.max(s);
    // The cadence goes on when the new topics run out: the flag of P2 asks for content.
    due.no_topic_needed = true;
    if due.kind == TouchKind::Breakup {
        // An e-mail on an e-mail day; a letter only where no e-mail exists (P32, P38).
        let by = if h.contact.can_use(Channel::Email) {
            Channel::Email
        } else {
            Channel::Letter
        };
        due.only = Some(vec![by]);
        due.purpose = Some("A polite breakup: close the file, leave the door open".to_string());
    }
    prospecting
}

/// P3: new content, or a topic to explain better, is a reason on its own.
fn fresh_content(h: &History, pb: &Playbook, today: Date, due: &mut Due) {
    let Some(t) = h.fresh.first() else { return };
    let quiet = h.days_since_last(today);
    // Unanswered since the last conversation: content waits for the re-engagement pace.
    let gap = if h.streak == 0 {
        pb.prospect_attempt_gap_days
    } else {
        pb.reengage_gap_days
    };
    if h.explain_better.contains(&t.id) && quiet.is_none_or(|d| d >= gap) {
        due.add(
            reason(&["P3"], format!("Marked to explain better: {}", t.title)),
            pb.priority.explain_better,
        );
    } else if is_new(t, pb, today) && h.ever_answered && quiet.is_none_or(|d| d >= gap) {
        due.add(
            reason(
                &["P3"],
                format!("New content since the last touch: {}", t.title),
            ),
            pb.priority.new_content,
        );
    }
}

/// The prospecting cadence of P20 for one contact of a prospect account: attempts while
/// the account's cadence works on this contact, with the hand-over of P29 and P44, the
/// breakup of P32 as the last attempt, and the nurture of P31 once every contact had
/// theirs. Someone engaged gets value touches at the customers' spacing (P3). Returns
/// score, reasons, kind and whether it is a prospecting step.
pub(super) fn prospect_reasons(
    h: &History,
    colleagues: &[&History],
    cadence: &Cadence,
    pb: &Playbook,
    today: Date,
) -> Option<(f64, Vec<Reason>, TouchKind, bool)> {
    let quiet = h.days_since_last(today);
    match cadence {
        Cadence::Engaged => {
            // An engaged prospect is worked like a customer, with value touches (P3).
            let engaged = h.ever_answered && h.streak == 0;
            return (engaged && quiet.is_none_or(|d| d >= pb.customer_touch_every_days)).then(
                || {
                    (
                        pb.priority.engaged_prospect,
                        vec![reason(
                            &["P3", "P20"],
                            "Engaged prospect: bring the next topic",
                        )],
                        TouchKind::Routine,
                        false,
                    )
                },
            );
        }
        Cadence::Ended(best) => {
            if best.contact.id != h.contact.id {
                return None;
            }
            // P31: after the last attempt, nurture rather than chase.
            return quiet.is_none_or(|d| d >= pb.nurture_min_days).then(|| {
                (
                    pb.priority.prospect_nurture,
                    vec![reason(
                        &["P31", "P17"],
                        format!(
                            "Cadence ended after {} attempts: low-frequency nurture",
                            h.streak
                        ),
                    )],
                    TouchKind::Nurture,
                    false,
                )
            });
        }
        Cadence::Working(target) if target.contact.id != h.contact.id => return None,
        Cadence::Working(_) => {}
    }
    let cap = attempt_cap(h, pb);
    let attempts = h.streak;
    // The pace of the account, not only of the contact: a hand-over is no reason to
    // call the next person the day after their colleague (P21, P23).
    let gap = if h.ever_answered {
        pb.reengage_gap_days
    } else {
        pb.prospect_attempt_gap_days
    };
    let account_quiet = colleagues
        .iter()
        .filter_map(|c| c.last_unanswered_attempt().map(|(_, d)| d))
        .max()
        .map(|d| days_between(d, today));
    if quiet.is_some_and(|d| d < gap) || account_quiet.is_some_and(|d| d < gap) {
        return None;
    }
    let mut reasons = Vec::new();
    if let Some(dead) = colleagues
        .iter()
        .filter(|o| o.contact.id != h.contact.id && o.streak >= pb.dead_end_after)
        .max_by_key(|o| o.last().map(|(t, _)| t.at))
        && attempts == 0
    {
        reasons.push(reason(
            &["P29", "P44"],
            format!(
                "{} did not answer {} attempts: try {} instead",
                dead.contact.name, dead.streak, h.contact.name
            ),
        ));
    }
    let kind = if attempts + 1 == cap {
        TouchKind::Breakup
    } else {
        TouchKind::Routine
    };
    let text = match attempts {
        0 if h.ever_answered => "Answered before, then quiet: bring something new".to_string(),
        0 => "First attempt of the prospecting cadence".to_string(),
        n if n + 1 == cap => format!(
            "Attempt {} of {}: the last one, a polite breakup (P32)",
            n + 1,
            cap
        ),
        n if n + 1 < pb.min_attempts && !h.ever_answered => format!(
            "Attempt {} of at least {}: most sales need {}+ attempts; vary the channel or time",
            n + 1,
            pb.min_attempts,
            pb.min_attempts
        ),
        n => format!("Attempt {} of up to {}", n + 1, cap),
    };
    let rules: &[&str] = if kind == TouchKind::Breakup {
        &["P20", "P32"]
    } else if attempts > 0 {
        &["P20", "P21"]
    } else {
        &["P20"]
    };
    reasons.push(reason(rules, text));
    // A cadence waiting past its pace moves up, so a busy month delays it but does not
    // end it (P20): a day over the pace counts like half an attempt, for a month at most.
    let waited = account_quiet
        .or(quiet)
        .map_or(0, |d| (d - gap).clamp(0, pb.max_silence_days));
    let score = pb.priority.prospect_attempt
        + attempts as f64 * pb.priority.prospect_per_attempt
        + waited as f64 * pb.priority.prospect_per_attempt / 2.0;
    Some((score, reasons, kind, true))
}

pub(super) fn business_days_between(from: Date, to: Date) -> i64 {
    // Every whole week holds five business days: only the days after the last one are
    // walked, so a meeting a year back costs no more than one last week.
    let weeks = days_between(from, to).max(0) / 7;
    let (mut n, mut d) = match from.checked_add(jiff::Span::new().days(weeks * 7)) {
        Ok(start) => (weeks * 5, start),
        Err(_) => (0, from),
    };
    while d < to {
        d = d.tomorrow().unwrap_or(to);
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            n += 1;
        }
    }
    n
}
