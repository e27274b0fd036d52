//! The playbook as data: every tunable default of the follow-up rules, read from TOML.
//!
//! A file only needs the keys it changes; the rest come from the embedded default.
//! Reading goes raw TOML → key and type check against the default → `PlaybookWire`
//! (unknown keys refused) → `Playbook` through one `TryFrom` holding every semantic
//! check, so that `rounds playbook check` can list every problem at once.

use std::fmt;

use jiff::civil::Weekday;
use serde::Deserialize;

use crate::model::{Channel, RepCalendar, TimeRange, parse_weekday};

/// The default playbook, shipped inside the binary.
pub const DEFAULT_TOML: &str = include_str!("../assets/playbook.toml");

/// The longest playbook read, in characters: several times the default file, and small
/// enough that checking one is quick wherever the text comes from (file, form or API).
pub const MAX_PLAYBOOK_CHARS: usize = 32 * 1024;

/// Problems listed before the rest are only counted: a file of a million unknown keys
/// gets a readable answer, in bounded memory.
pub const MAX_PLAYBOOK_PROBLEMS: usize = 50;

/// One thing wrong with a playbook file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookProblem {
    pub key: String,
    pub value: String,
    pub why: String,
}

impl fmt::Display for PlaybookProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}: {}", self.key, self.value, self.why)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the playbook has {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct PlaybookError(pub Vec<PlaybookProblem>);

impl PlaybookError {
    /// The first [`MAX_PLAYBOOK_PROBLEMS`] problems, then one line counting the rest.
    fn capped(mut problems: Vec<PlaybookProblem>) -> PlaybookError {
        if problems.len() > MAX_PLAYBOOK_PROBLEMS {
            let more = problems.len() - MAX_PLAYBOOK_PROBLEMS;
            problems.truncate(MAX_PLAYBOOK_PROBLEMS);
            problems.push(PlaybookProblem {
                key: "(file)".into(),
                value: String::new(),
                why: format!("and {more} more problem(s) not listed"),
            });
        }
        PlaybookError(problems)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaybookWire {
    conversation: ConversationWire,
    referrals: ReferralsWire,
    lost: LostWire,
    cadence: CadenceWire,
    day: DayWire,
    route: RouteWire,
    email: EmailWire,
    coach: CoachWire,
    channels: ChannelsWire,
    priority: PriorityWire,
    profile: ProfileWire,
    steps: StepsWire,
    compliance: ComplianceWire,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComplianceWire {
    per_referral_phrases: Vec<String>,
    ordinary_referral_phrases: Vec<String>,
    yearly_cap_cents: i64,
}

/// Keys a playbook file may repeat but not change: the law, not a preference (P14).
const FIXED_KEYS: &[&str] = &[
    "compliance.per_referral_phrases",
    "compliance.ordinary_referral_phrases",
];

/// The `[compliance]` section (P14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compliance {
    /// Free text offering value per referral: refused at every write.
    pub per_referral_phrases: Vec<String>,
    /// Longer phrases of ordinary referral talk that win over the ones above.
    pub ordinary_referral_phrases: Vec<String>,
    /// Warn when a covered recipient's transfers of value in a calendar year exceed
    /// this many cents; `None` for no warning.
    pub yearly_cap_cents: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepsWire {
    triage_after_days: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationWire {
    backup_topics: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferralsWire {
    records_check_after_days: i64,
    records_check_quiet_days: i64,
    baseline_days: i64,
    recent_days: i64,
    drop_threshold: f64,
    min_baseline_per_recent: f64,
    ask_after_positive_outcomes: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LostWire {
    feedback_within_days: i64,
    nurture_min_days: i64,
    nurture_max_days: i64,
    nurture_channels: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CadenceWire {
    min_attempts: i64,
    max_attempts: i64,
    retention_cost_ratio: Vec<f64>,
    max_touches_per_contact_per_week: i64,
    min_days_between_visits: i64,
    max_silence_days: i64,
    customer_touch_every_days: i64,
    prospect_attempt_gap_days: i64,
    dead_end_after: i64,
    prospecting_share: f64,
    silence_lead_days: i64,
    keep_alive_share: f64,
    reengage_attempts: i64,
    reengage_gap_days: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayWire {
    visit_minutes: i64,
    max_visits: i64,
    max_remote: i64,
    front_desk_end_of_day_minutes: i64,
    thank_you_within_days: i64,
    new_content_days: i64,
    working_days: Vec<String>,
    holidays: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteWire {
    day_start: String,
    day_end: String,
    road_factor: f64,
    speed_kmh: f64,
    iterations: i64,
    seed: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailWire {
    days: Vec<String>,
    urgent_days: Vec<String>,
    best_hours: String,
    next_hours: String,
    never_hours: String,
    closing_buffer_minutes: i64,
    prospecting_wait_min_days: i64,
    prospecting_wait_max_days: i64,
    confirmation_within_business_days: i64,
    max_words: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoachWire {
    banned_subject_phrases: Vec<String>,
    ready_questions: Vec<String>,
    guilt_phrases: Vec<String>,
    anger_phrases: Vec<String>,
    hot_button_words: Vec<String>,
    competitor_terms: Vec<String>,
    disparaging_words: Vec<String>,
    pressure_phrases: Vec<String>,
    call_to_action_phrases: Vec<String>,
}

/// The message coach's word lists (P5, P41, P42): data, so an organisation tunes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoachWords {
    pub banned_subject_phrases: Vec<String>,
    pub ready_questions: Vec<String>,
    pub guilt_phrases: Vec<String>,
    pub anger_phrases: Vec<String>,
    pub hot_button_words: Vec<String>,
    pub competitor_terms: Vec<String>,
    pub disparaging_words: Vec<String>,
    pub pressure_phrases: Vec<String>,
    pub call_to_action_phrases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelsWire {
    quality_rank: Vec<String>,
    cell_max_per_week: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorityWire {
    callback: f64,
    confirmation: f64,
    thank_you: f64,
    records_check: f64,
    next_step_due: f64,
    next_step_per_overdue_day: f64,
    next_step_overdue_days_cap: i64,
    referral_drop: f64,
    referral_drop_per_fall: f64,
    loss_feedback: f64,
    silent_customer: f64,
    silent_customer_days_cap: i64,
    silent_customer_days_per_point: f64,
    explain_better: f64,
    referral_ask: f64,
    new_content: f64,
    customer_value_touch: f64,
    engaged_prospect: f64,
    reference_introduction: f64,
    lost_nurture_overdue: f64,
    prospect_attempt: f64,
    prospect_per_attempt: f64,
    meeting_request: f64,
    lost_nurture: f64,
    prospect_nurture: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileWire {
    facts: Vec<String>,
}

/// A reach of a contact, ranked by quality in P43.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Cell,
    Email,
    Extension,
}

/// The `[priority]` weights: how the planner ranks candidates (see the embedded
/// playbook for why each weighs what it does). A candidate's priority is the weight of
/// its strongest reason times the account's and the contact's weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    /// P35: an agreed callback today.
    pub callback: f64,
    /// P37: confirming a referral meeting.
    pub confirmation: f64,
    /// P34: thanks after a referral or an order.
    pub thank_you: f64,
    /// P8: a records check with a silent referrer.
    pub records_check: f64,
    /// P33: an agreed next step that fell due…
    pub next_step_due: f64,
    /// …plus this much per day overdue…
    pub next_step_per_overdue_day: f64,
    /// …counting at most this many days.
    pub next_step_overdue_days_cap: i64,
    /// P9: referrals fell against the baseline…
    pub referral_drop: f64,
    /// …plus this times the share lost.
    pub referral_drop_per_fall: f64,
    /// P16: feedback on a fresh loss.
    pub loss_feedback: f64,
    /// P23: a customer contact silent too long…
    pub silent_customer: f64,
    /// …plus one point per `silent_customer_days_per_point` days, up to this many days.
    pub silent_customer_days_cap: i64,
    /// Days of silence per extra point (P23).
    pub silent_customer_days_per_point: f64,
    /// P3: a topic marked to explain better.
    pub explain_better: f64,
    /// P13: asking a satisfied account for referrals.
    pub referral_ask: f64,
    /// P3: new content.
    pub new_content: f64,
    /// P3, P19, P30: a customer's value touch or first meeting.
    pub customer_value_touch: f64,
    /// P3, P20: an engaged prospect's next topic.
    pub engaged_prospect: f64,
    /// P36: a prospect's touch that offers a satisfied customer as a reference.
    pub reference_introduction: f64,
    /// P17: a lost account past its nurture window.
    pub lost_nurture_overdue: f64,
    /// P20: a prospecting attempt…
    pub prospect_attempt: f64,
    /// …plus this per attempt already made.
    pub prospect_per_attempt: f64,
    /// P6: a written meeting request.
    pub meeting_request: f64,
    /// P17: a lost account within its nurture window.
    pub lost_nurture: f64,
    /// P31: a finished cadence's nurture.
    pub prospect_nurture: f64,
}

/// The validated playbook the planner reads. Field names follow the TOML keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    pub backup_topics: usize,
    pub records_check_after_days: i64,
    /// P8: no records-check call this soon after a conversation with the provider.
    pub records_check_quiet_days: i64,
    pub baseline_days: i64,
    pub recent_days: i64,
    pub drop_threshold: f64,
    pub min_baseline_per_recent: f64,
    pub ask_after_positive_outcomes: usize,
    pub feedback_within_days: i64,
    pub nurture_min_days: i64,
    pub nurture_max_days: i64,
    pub nurture_channels: Vec<Channel>,
    pub min_attempts: usize,
    pub max_attempts: usize,
    pub retention_cost_ratio: (f64, f64),
    pub max_touches_per_contact_per_week: usize,
    pub min_days_between_visits: i64,
    pub max_silence_days: i64,
    pub customer_touch_every_days: i64,
    pub prospect_attempt_gap_days: i64,
    pub dead_end_after: usize,
    pub prospecting_share: f64,
    /// P23: a silent customer contact falls due this many days before the maximum
    /// silence, so the plan can spread them over the days before the limit.
    pub silence_lead_days: i64,
    /// P22, P23: share of the day's remote touches kept for contacts falling silent.
    pub keep_alive_share: f64,
    /// P20, P31: attempts for a contact who answered once and then went silent.
    pub reengage_attempts: usize,
    /// P21, P23: days between those attempts.
    pub reengage_gap_days: i64,
    pub visit_minutes: i64,
    pub max_visits: usize,
    pub max_remote: usize,
    /// The field week: nothing is planned on other weekdays.
    pub working_days: Vec<Weekday>,
    /// The organisation's days off: nothing is planned on them.
    pub holidays: Vec<Holiday>,
    pub front_desk_end_of_day_minutes: i64,
    pub thank_you_within_days: i64,
    pub new_content_days: i64,
    pub day_start: jiff::civil::Time,
    pub day_end: jiff::civil::Time,
    pub road_factor: f64,
    pub speed_kmh: f64,
    pub route_iterations: u32,
    pub route_seed: u64,
    pub email_days: Vec<Weekday>,
    pub urgent_email_days: Vec<Weekday>,
    pub email_best_hours: TimeRange,
    pub email_next_hours: TimeRange,
    pub email_never_hours: TimeRange,
    pub closing_buffer_minutes: i64,
    pub prospecting_wait_min_days: i64,
    pub prospecting_wait_max_days: i64,
    pub confirmation_within_business_days: i64,
    pub max_words: usize,
    pub coach: CoachWords,
    pub quality_rank: Vec<Reach>,
    pub cell_max_per_week: usize,
    pub profile_facts: Vec<String>,
    pub priority: Priority,
    /// A next step overdue by more than this many days leaves the plan for its triage
    /// list, where the rep reschedules or drops it (P33).
    pub step_triage_after_days: i64,
    /// P14: the refusal of value per referral and the yearly cap on transfers of value.
    pub compliance: Compliance,
}

/// A day off of the whole organisation: `"2026-11-26 Thanksgiving Day"` in the file
/// (the name is optional), so `rounds today` can say which holiday it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: jiff::civil::Date,
    pub name: Option<String>,
}

impl std::str::FromStr for Holiday {
    type Err = crate::model::InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (date, name) = s.split_once(' ').unwrap_or((s, ""));
        let date = date.parse().map_err(|_| {
            crate::model::InvalidValue(format!("`{s}` does not start with a date YYYY-MM-DD"))
        })?;
        let name = name.trim();
        Ok(Holiday {
            date,
            name: (!name.is_empty()).then(|| name.to_string()),
        })
    }
}

impl Default for Playbook {
    fn default() -> Self {
        // The embedded file is checked by a test, so this cannot fail in a release.
        Playbook::from_toml(DEFAULT_TOML).expect("the embedded playbook is valid")
    }
}

impl Playbook {
    /// Whether the organisation works on `day`: one of the `[day] working_days` and not
    /// one of the `holidays`. A rep's own calendar can only take days away
    /// ([`crate::calendar::is_working_day`]).
    pub fn is_working_day(&self, day: jiff::civil::Date) -> bool {
        crate::calendar::is_working_day(&RepCalendar::default(), self, day)
    }

    /// The organisation's first working day after `day`, within a year (`None` if the
    /// playbook leaves none, which its check prevents).
    pub fn next_working_day(&self, day: jiff::civil::Date) -> Option<jiff::civil::Date> {
        crate::calendar::next_working_day(&RepCalendar::default(), self, day)
    }

    /// The customer weight of P22: the midpoint of the retention cost ratio.
    pub fn customer_weight(&self) -> f64 {
        (self.retention_cost_ratio.0 + self.retention_cost_ratio.1) / 2.0
    }

    /// Reads a playbook file; keys it leaves out keep their default.
    pub fn from_toml(text: &str) -> Result<Playbook, PlaybookError> {
        let chars = text.chars().count();
        if chars > MAX_PLAYBOOK_CHARS {
            return Err(PlaybookError(vec![PlaybookProblem {
                key: "(file)".into(),
                value: String::new(),
                why: format!(
                    "{chars} characters; a playbook is at most {MAX_PLAYBOOK_CHARS} (the default file has {})",
                    DEFAULT_TOML.chars().count()
                ),
            }]));
        }
        let user: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            PlaybookError(vec![PlaybookProblem {
                key: "(file)".into(),
                value: String::new(),
                why: format!("not valid TOML: {}", e.message()),
            }])
        })?;
        let mut merged: toml::Table = DEFAULT_TOML.parse().expect("the embedded playbook parses");
        let mut problems = Vec::new();
        for (section, value) in &user {
            let Some(default_section) = merged.get_mut(section).and_then(|v| v.as_table_mut())
            else {
                problems.push(PlaybookProblem {
                    key: section.clone(),
                    value: short(value),
                    why: format!("unknown section; known sections: {}", known_sections()),
                });
                continue;
            };
            let Some(table) = value.as_table() else {
                problems.push(PlaybookProblem {
                    key: section.clone(),
                    value: short(value),
                    why: "must be a section ([name]) of keys".into(),
                });
                continue;
            };
            for (key, v) in table {
                let path = format!("{section}.{key}");
                match default_section.get(key) {
                    None => {
                        let known: Vec<&str> = default_section.keys().map(String::as_str).collect();
                        problems.push(PlaybookProblem {
                            key: path,
                            value: short(v),
                            why: format!("unknown key; keys of [{section}]: {}", known.join(", ")),
                        })
                    }
                    Some(d) if !same_shape(d, v) => problems.push(PlaybookProblem {
                        key: path,
                        value: short(v),
                        why: format!("expected {}, like the default {}", d.type_str(), short(d)),
                    }),
                    Some(d) if FIXED_KEYS.contains(&path.as_str()) && d != v => {
                        problems.push(PlaybookProblem {
                            key: path,
                            value: short(v),
                            why: "fixed by P14 (anti-kickback): every way in refuses with the \
                                  list as shipped, so a playbook may not change it"
                                .into(),
                        })
                    }
                    Some(_) => {
                        default_section.insert(key.clone(), coerce(v));
                    }
                }
            }
        }
        // Keys that were refused kept their defaults in `merged`, so the semantic checks
        // still run and every problem of the file is reported in one go.
        let wire: PlaybookWire =
            toml::Value::Table(merged)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    PlaybookError(vec![PlaybookProblem {
                        key: "(file)".into(),
                        value: String::new(),
                        why: e.to_string(),
                    }])
                })?;
        match Playbook::try_from(wire) {
            Ok(playbook) if problems.is_empty() => Ok(playbook),
            Ok(_) => Err(PlaybookError::capped(problems)),
            Err(PlaybookError(more)) => {
                problems.extend(more);
                Err(PlaybookError::capped(problems))
            }
        }
    }
}

fn known_sections() -> String {
    let t: toml::Table = DEFAULT_TOML.parse().expect("the embedded playbook parses");
    t.keys().cloned().collect::<Vec<_>>().join(", ")
}

/// The value as the problem line shows it: at most 60 characters, cut on a character
/// boundary, and a large array or table described rather than written out.
fn short(v: &toml::Value) -> String {
    const SHOWN: usize = 60;
    let s = match v {
        toml::Value::Array(a) if a.len() > SHOWN => format!("an array of {} values", a.len()),
        toml::Value::Table(t) if t.len() > SHOWN => format!("a table of {} keys", t.len()),
        _ => v.to_string(),
    };
    match s.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// Integers are accepted where a float is expected; everything else must match.
fn same_shape(default: &toml::Value, given: &toml::Value) -> bool {
    use toml::Value::*;
    match (default, given) {
        (Float(_), Integer(_)) => true,
        (Array(d), Array(g)) => match d.first() {
            Some(first) => g.iter().all(|x| same_shape(first, x)),
            None => true,
        },
        _ => std::mem::discriminant(default) == std::mem::discriminant(given),
    }
}

fn coerce(v: &toml::Value) -> toml::Value {
    v.clone()
}

impl TryFrom<PlaybookWire> for Playbook {
    type Error = PlaybookError;

    fn try_from(w: PlaybookWire) -> Result<Self, Self::Error> {
        let mut p = Problems::default();
        let c = &w.cadence;
        let ratio = match c.retention_cost_ratio.as_slice() {
            [lo, hi] if *lo >= 1.0 && lo <= hi => (*lo, *hi),
            _ => {
                p.add(
                    "cadence.retention_cost_ratio",
                    format!("{:?}", c.retention_cost_ratio),
                    "two numbers [low, high], 1 ≤ low ≤ high",
                );
                (6.0, 7.0)
            }
        };
        let min_attempts = p.count("cadence.min_attempts", c.min_attempts, 1, 50);
        let max_attempts = p.count("cadence.max_attempts", c.max_attempts, 1, 50);
        if max_attempts < min_attempts {
            p.add(
                "cadence.max_attempts",
                max_attempts.to_string(),
                "must be at least cadence.min_attempts (P20)",
            );
        }
        let nurture_min_days = p.days("lost.nurture_min_days", w.lost.nurture_min_days, 1);
        let nurture_max_days = p.days("lost.nurture_max_days", w.lost.nurture_max_days, 1);
        if nurture_max_days < nurture_min_days {
            p.add(
                "lost.nurture_max_days",
                nurture_max_days.to_string(),
                "must be at least lost.nurture_min_days (P17)",
            );
        }
        let nurture_channels = p.channels("lost.nurture_channels", &w.lost.nurture_channels);
        let e = &w.email;
        let email_days = p.weekdays("email.days", &e.days);
        let urgent_email_days = p.weekdays("email.urgent_days", &e.urgent_days);
        let wait_min = p.days(
            "email.prospecting_wait_min_days",
            e.prospecting_wait_min_days,
            1,
        );
        let wait_max = p.days(
            "email.prospecting_wait_max_days",
            e.prospecting_wait_max_days,
            1,
        );
        if wait_max < wait_min {
            p.add(
                "email.prospecting_wait_max_days",
                wait_max.to_string(),
                "must be at least prospecting_wait_min_days (P40)",
            );
        }
        let best = p.range("email.best_hours", &e.best_hours);
        let next = p.range("email.next_hours", &e.next_hours);
        let never = p.range("email.never_hours", &e.never_hours);
        for (key, r) in [("email.best_hours", best), ("email.next_hours", next)] {
            if r.intersect(&never).is_some() {
                p.add(key, r.to_string(), "overlaps email.never_hours (P39)");
            }
        }
        let mut quality_rank = Vec::new();
        for s in &w.channels.quality_rank {
            match s.as_str() {
                "cell" => quality_rank.push(Reach::Cell),
                "email" => quality_rank.push(Reach::Email),
                "extension" => quality_rank.push(Reach::Extension),
                other => p.add(
                    "channels.quality_rank",
                    other.to_string(),
                    "each entry is one of: cell, email, extension",
                ),
            }
        }
        let share = w.cadence.prospecting_share;
        if !(0.0..=1.0).contains(&share) {
            p.add(
                "cadence.prospecting_share",
                share.to_string(),
                "a share between 0 and 1",
            );
        }
        let keep_alive = w.cadence.keep_alive_share;
        if !(0.0..=1.0).contains(&keep_alive) {
            p.add(
                "cadence.keep_alive_share",
                keep_alive.to_string(),
                "a share between 0 and 1",
            );
        } else if share + keep_alive > 1.0 {
            p.add(
                "cadence.keep_alive_share",
                keep_alive.to_string(),
                "together with prospecting_share it keeps more than the whole day",
            );
        }
        let r = &w.referrals;
        if !(0.0 < r.drop_threshold && r.drop_threshold < 1.0) {
            p.add(
                "referrals.drop_threshold",
                r.drop_threshold.to_string(),
                "a share between 0 and 1, e.g. 0.5 for a halving (P9)",
            );
        }
        if r.min_baseline_per_recent < 0.0 {
            p.add(
                "referrals.min_baseline_per_recent",
                r.min_baseline_per_recent.to_string(),
                "must not be negative",
            );
        }
        let recent_days = p.days("referrals.recent_days", r.recent_days, 1);
        let baseline_days = p.days("referrals.baseline_days", r.baseline_days, 1);
        if baseline_days < recent_days {
            p.add(
                "referrals.baseline_days",
                baseline_days.to_string(),
                "must be at least referrals.recent_days (P9)",
            );
        }
        let rw = &w.route;
        let day = p.range(
            "route.day_start",
            &format!("{}-{}", rw.day_start, rw.day_end),
        );
        if !(1.0..=3.0).contains(&rw.road_factor) {
            p.add(
                "route.road_factor",
                rw.road_factor.to_string(),
                "a factor from 1.0 to 3.0 (road distance over straight-line distance)",
            );
        }
        if !(1.0..=150.0).contains(&rw.speed_kmh) {
            p.add(
                "route.speed_kmh",
                rw.speed_kmh.to_string(),
                "an average speed from 1 to 150 km/h",
            );
        }
        let route_iterations = p.count("route.iterations", rw.iterations, 1, 1_000_000) as u32;
        if rw.seed < 0 {
            p.add(
                "route.seed",
                rw.seed.to_string(),
                "a whole number, 0 or more",
            );
        }
        let pw = &w.priority;
        let priority = Priority {
            callback: p.weight("priority.callback", pw.callback),
            confirmation: p.weight("priority.confirmation", pw.confirmation),
            thank_you: p.weight("priority.thank_you", pw.thank_you),
            records_check: p.weight("priority.records_check", pw.records_check),
            next_step_due: p.weight("priority.next_step_due", pw.next_step_due),
            next_step_per_overdue_day: p.weight(
                "priority.next_step_per_overdue_day",
                pw.next_step_per_overdue_day,
            ),
            next_step_overdue_days_cap: p.days(
                "priority.next_step_overdue_days_cap",
                pw.next_step_overdue_days_cap,
                0,
            ),
            referral_drop: p.weight("priority.referral_drop", pw.referral_drop),
            referral_drop_per_fall: p
                .weight("priority.referral_drop_per_fall", pw.referral_drop_per_fall),
            loss_feedback: p.weight("priority.loss_feedback", pw.loss_feedback),
            silent_customer: p.weight("priority.silent_customer", pw.silent_customer),
            silent_customer_days_cap: p.days(
                "priority.silent_customer_days_cap",
                pw.silent_customer_days_cap,
                0,
            ),
            silent_customer_days_per_point: p.positive(
                "priority.silent_customer_days_per_point",
                pw.silent_customer_days_per_point,
            ),
            explain_better: p.weight("priority.explain_better", pw.explain_better),
            referral_ask: p.weight("priority.referral_ask", pw.referral_ask),
            new_content: p.weight("priority.new_content", pw.new_content),
            customer_value_touch: p
                .weight("priority.customer_value_touch", pw.customer_value_touch),
            engaged_prospect: p.weight("priority.engaged_prospect", pw.engaged_prospect),
            reference_introduction: p
                .weight("priority.reference_introduction", pw.reference_introduction),
            lost_nurture_overdue: p
                .weight("priority.lost_nurture_overdue", pw.lost_nurture_overdue),
            prospect_attempt: p.weight("priority.prospect_attempt", pw.prospect_attempt),
            prospect_per_attempt: p
                .weight("priority.prospect_per_attempt", pw.prospect_per_attempt),
            meeting_request: p.weight("priority.meeting_request", pw.meeting_request),
            lost_nurture: p.weight("priority.lost_nurture", pw.lost_nurture),
            prospect_nurture: p.weight("priority.prospect_nurture", pw.prospect_nurture),
        };
        let playbook = Playbook {
            backup_topics: p.count(
                "conversation.backup_topics",
                w.conversation.backup_topics,
                0,
                10,
            ),
            records_check_after_days: p.days(
                "referrals.records_check_after_days",
                r.records_check_after_days,
                1,
            ),
            records_check_quiet_days: p.days(
                "referrals.records_check_quiet_days",
                r.records_check_quiet_days,
                0,
            ),
            baseline_days,
            recent_days,
            drop_threshold: r.drop_threshold,
            min_baseline_per_recent: r.min_baseline_per_recent,
            ask_after_positive_outcomes: p.count(
                "referrals.ask_after_positive_outcomes",
                r.ask_after_positive_outcomes,
                1,
                100,
            ),
            feedback_within_days: p.days(
                "lost.feedback_within_days",
                w.lost.feedback_within_days,
                1,
            ),
            nurture_min_days,
            nurture_max_days,
            nurture_channels,
            min_attempts,
            max_attempts,
            retention_cost_ratio: ratio,
            max_touches_per_contact_per_week: p.count(
                "cadence.max_touches_per_contact_per_week",
                c.max_touches_per_contact_per_week,
                1,
                50,
            ),
            min_days_between_visits: p.days(
                "cadence.min_days_between_visits",
                c.min_days_between_visits,
                0,
            ),
            max_silence_days: p.days("cadence.max_silence_days", c.max_silence_days, 1),
            customer_touch_every_days: p.days(
                "cadence.customer_touch_every_days",
                c.customer_touch_every_days,
                1,
            ),
            prospect_attempt_gap_days: p.days(
                "cadence.prospect_attempt_gap_days",
                c.prospect_attempt_gap_days,
                1,
            ),
            dead_end_after: p.count("cadence.dead_end_after", c.dead_end_after, 1, 50),
            prospecting_share: share,
            silence_lead_days: p.days("cadence.silence_lead_days", c.silence_lead_days, 0),
            keep_alive_share: keep_alive,
            reengage_attempts: p.count("cadence.reengage_attempts", c.reengage_attempts, 1, 50),
            reengage_gap_days: p.days("cadence.reengage_gap_days", c.reengage_gap_days, 1),
            visit_minutes: p.minutes("day.visit_minutes", w.day.visit_minutes),
            max_visits: p.count("day.max_visits", w.day.max_visits, 0, 40),
            max_remote: p.count("day.max_remote", w.day.max_remote, 0, 200),
            working_days: {
                if w.day.working_days.is_empty() {
                    p.add(
                        "day.working_days",
                        "[]".into(),
                        "name at least one working day",
                    );
                }
                p.weekdays("day.working_days", &w.day.working_days)
            },
            holidays: w
                .day
                .holidays
                .iter()
                .filter_map(|d| {
                    d.parse::<Holiday>()
                        .map_err(|_| {
                            p.add(
                                "day.holidays",
                                format!("{d:?}"),
                                "write a date as YYYY-MM-DD, then optionally its name",
                            )
                        })
                        .ok()
                })
                .collect(),
            front_desk_end_of_day_minutes: p.minutes(
                "day.front_desk_end_of_day_minutes",
                w.day.front_desk_end_of_day_minutes,
            ),
            thank_you_within_days: p.days(
                "day.thank_you_within_days",
                w.day.thank_you_within_days,
                1,
            ),
            new_content_days: p.days("day.new_content_days", w.day.new_content_days, 1),
            day_start: day.start,
            day_end: day.end,
            road_factor: rw.road_factor,
            speed_kmh: rw.speed_kmh,
            route_iterations,
            route_seed: rw.seed.unsigned_abs(),
            email_days,
            urgent_email_days,
            email_best_hours: best,
            email_next_hours: next,
            email_never_hours: never,
            closing_buffer_minutes: p
                .minutes("email.closing_buffer_minutes", e.closing_buffer_minutes),
            prospecting_wait_min_days: wait_min,
            prospecting_wait_max_days: wait_max,
            confirmation_within_business_days: p.days(
                "email.confirmation_within_business_days",
                e.confirmation_within_business_days,
                1,
            ),
            max_words: p.count("email.max_words", e.max_words, 10, 2000),
            coach: p.coach_words(&w.coach),
            quality_rank,
            cell_max_per_week: p.count(
                "channels.cell_max_per_week",
                w.channels.cell_max_per_week,
                0,
                50,
            ),
            profile_facts: w.profile.facts.clone(),
            priority,
            step_triage_after_days: p.days("steps.triage_after_days", w.steps.triage_after_days, 0),
            compliance: Compliance {
                per_referral_phrases: p.phrases(
                    "compliance.per_referral_phrases",
                    &w.compliance.per_referral_phrases,
                ),
                ordinary_referral_phrases: p.phrases(
                    "compliance.ordinary_referral_phrases",
                    &w.compliance.ordinary_referral_phrases,
                ),
                yearly_cap_cents: {
                    let cap = w.compliance.yearly_cap_cents;
                    if !(0..=crate::ledger::MAX_TRANSFER_CENTS).contains(&cap) {
                        p.add(
                            "compliance.yearly_cap_cents",
                            cap.to_string(),
                            "a number of cents from 0 (no warning) to 100000000 ($1,000,000)",
                        );
                    }
                    (cap > 0).then_some(cap)
                },
            },
        };
        if p.0.is_empty() {
            Ok(playbook)
        } else {
            Err(PlaybookError(p.0))
        }
    }
}

#[derive(Default)]
struct Problems(Vec<PlaybookProblem>);

impl Problems {
    fn add(&mut self, key: &str, value: String, why: &str) {
        self.0.push(PlaybookProblem {
            key: key.into(),
            value,
            why: why.into(),
        });
    }
    /// Each phrase is trimmed, lower-cased and kept only once; an empty one would match
    /// everywhere, so it is a problem.
    fn phrases(&mut self, key: &str, list: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(list.len());
        for phrase in list {
            let clean = phrase
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            if clean.is_empty() {
                self.add(key, format!("{phrase:?}"), "a phrase may not be empty");
            } else if clean.chars().count() > 80 {
                self.add(
                    key,
                    format!("{phrase:?}"),
                    "a phrase of at most 80 characters",
                );
            } else if !out.contains(&clean) {
                out.push(clean);
            }
        }
        out
    }
    fn coach_words(&mut self, c: &CoachWire) -> CoachWords {
        CoachWords {
            banned_subject_phrases: self
                .phrases("coach.banned_subject_phrases", &c.banned_subject_phrases),
            ready_questions: self.phrases("coach.ready_questions", &c.ready_questions),
            guilt_phrases: self.phrases("coach.guilt_phrases", &c.guilt_phrases),
            anger_phrases: self.phrases("coach.anger_phrases", &c.anger_phrases),
            hot_button_words: self.phrases("coach.hot_button_words", &c.hot_button_words),
            competitor_terms: self.phrases("coach.competitor_terms", &c.competitor_terms),
            disparaging_words: self.phrases("coach.disparaging_words", &c.disparaging_words),
            pressure_phrases: self.phrases("coach.pressure_phrases", &c.pressure_phrases),
            call_to_action_phrases: self
                .phrases("coach.call_to_action_phrases", &c.call_to_action_phrases),
        }
    }
    fn count(&mut self, key: &str, v: i64, min: i64, max: i64) -> usize {
        if v < min || v > max {
            self.add(
                key,
                v.to_string(),
                &format!("a whole number from {min} to {max}"),
            );
            return min.max(0) as usize;
        }
        v as usize
    }
    fn days(&mut self, key: &str, v: i64, min: i64) -> i64 {
        if v < min || v > 3650 {
            self.add(
                key,
                v.to_string(),
                &format!("a number of days from {min} to 3650"),
            );
        }
        v
    }
    fn minutes(&mut self, key: &str, v: i64) -> i64 {
        if !(0..=24 * 60).contains(&v) {
            self.add(key, v.to_string(), "a number of minutes from 0 to 1440");
        }
        v
    }
    /// A priority weight: a number from 0 to 10,000.
    fn weight(&mut self, key: &str, v: f64) -> f64 {
        if !(0.0..=10_000.0).contains(&v) {
            self.add(key, v.to_string(), "a weight from 0 to 10000");
        }
        v
    }
    /// A divisor: more than 0 and at most 3650.
    fn positive(&mut self, key: &str, v: f64) -> f64 {
        if !(v > 0.0 && v <= 3650.0) {
            self.add(key, v.to_string(), "a number more than 0 and at most 3650");
            return 1.0;
        }
        v
    }
    fn range(&mut self, key: &str, v: &str) -> TimeRange {
        v.parse().unwrap_or_else(|e: crate::model::InvalidValue| {
            self.add(key, format!("{v:?}"), &e.0);
            TimeRange::hm(0, 0, 0, 1)
        })
    }
    fn weekdays(&mut self, key: &str, v: &[String]) -> Vec<Weekday> {
        v.iter()
            .filter_map(|d| {
                parse_weekday(d)
                    .map_err(|e| self.add(key, format!("{d:?}"), &e.0))
                    .ok()
            })
            .collect()
    }
    fn channels(&mut self, key: &str, v: &[String]) -> Vec<Channel> {
        if v.is_empty() {
            self.add(key, "[]".into(), "name at least one channel");
        }
        v.iter()
            .filter_map(|c| {
                c.parse::<Channel>()
                    .map_err(|e| self.add(key, format!("{c:?}"), &e.0))
                    .ok()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_playbook_is_valid() {
        let p = Playbook::from_toml(DEFAULT_TOML).unwrap();
        assert_eq!(p.backup_topics, 2);
        assert_eq!(p.email_days, vec![Weekday::Tuesday, Weekday::Thursday]);
        assert_eq!(p.visit_minutes, 15);
    }

    #[test]
    fn a_partial_file_keeps_the_other_defaults() {
        let p = Playbook::from_toml("[day]\nmax_visits = 5\n").unwrap();
        assert_eq!(p.max_visits, 5);
        assert_eq!(p.max_attempts, 8);
    }

    #[test]
    fn every_problem_is_listed_with_key_value_and_reason() {
        let text = "[day]\nmax_visitz = 5\nvisit_minutes = \"long\"\n[email]\nbest_hours = \"12:30-11:00\"\n[nonsense]\nx = 1\n";
        let err = Playbook::from_toml(text).unwrap_err();
        let keys: Vec<_> = err.0.iter().map(|p| p.key.as_str()).collect();
        assert!(keys.contains(&"day.max_visitz"), "{keys:?}");
        assert!(keys.contains(&"day.visit_minutes"), "{keys:?}");
        assert!(keys.contains(&"nonsense"), "{keys:?}");
        let semantic = Playbook::from_toml(
            "[email]\nbest_hours = \"12:30-11:00\"\ndays = [\"tue\", \"someday\"]\n",
        )
        .unwrap_err();
        assert_eq!(semantic.0.len(), 2, "{semantic}");
        assert!(semantic.to_string().contains("email.days = \"someday\""));
    }

    #[test]
    fn priority_weights_default_to_the_planners_former_literals() {
        let p = Playbook::default().priority;
        assert_eq!(p.callback, 1000.0);
        assert_eq!(p.confirmation, 300.0);
        assert_eq!(p.next_step_due, 100.0);
        assert_eq!(p.next_step_overdue_days_cap, 30);
        assert_eq!(p.silent_customer_days_per_point, 3.0);
        assert_eq!(p.prospect_nurture, 8.0);
    }

    #[test]
    fn priority_weights_are_checked() {
        let err = Playbook::from_toml(
            "[priority]\ncallback = -1\nsilent_customer_days_per_point = 0\nnext_step_overdue_days_cap = 9999\n",
        )
        .unwrap_err();
        let mut keys: Vec<_> = err.0.iter().map(|p| p.key.as_str()).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "priority.callback",
                "priority.next_step_overdue_days_cap",
                "priority.silent_customer_days_per_point"
            ],
            "{err}"
        );
        assert_eq!(
            Playbook::from_toml("[priority]\nthank_you = 200\n")
                .unwrap()
                .priority
                .thank_you,
            200.0
        );
    }

    #[test]
    fn p14_the_per_referral_list_is_fixed_and_the_cap_tunable() {
        let p = Playbook::default();
        assert!(
            p.compliance
                .per_referral_phrases
                .contains(&"per referral".to_string())
        );
        assert_eq!(p.compliance.yearly_cap_cents, Some(25_000));
        let err = Playbook::from_toml("[compliance]\nper_referral_phrases = [\"kickback\"]\n")
            .unwrap_err();
        assert_eq!(err.0[0].key, "compliance.per_referral_phrases");
        assert!(err.0[0].why.contains("P14"), "{err}");
        let same = format!(
            "[compliance]\nper_referral_phrases = {}\n",
            toml::Value::Array(
                DEFAULT_TOML.parse::<toml::Table>().unwrap()["compliance"]["per_referral_phrases"]
                    .as_array()
                    .unwrap()
                    .clone()
            )
        );
        assert!(Playbook::from_toml(&same).is_ok());
        let off = Playbook::from_toml("[compliance]\nyearly_cap_cents = 0\n").unwrap();
        assert_eq!(off.compliance.yearly_cap_cents, None);
        let bad = Playbook::from_toml("[compliance]\nyearly_cap_cents = -5\n").unwrap_err();
        assert_eq!(bad.0[0].key, "compliance.yearly_cap_cents");
    }

    #[test]
    fn p20_max_attempts_below_min_is_refused() {
        let err =
            Playbook::from_toml("[cadence]\nmin_attempts = 6\nmax_attempts = 4\n").unwrap_err();
        assert_eq!(err.0[0].key, "cadence.max_attempts");
    }
}
