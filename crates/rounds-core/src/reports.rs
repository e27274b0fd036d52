//! The figures of the manager's reports, one [`RepSummary`] per rep and day, and how a
//! team's summaries add up. A summary is computed from the rep's territory and the day's
//! plan once (by the background worker, or on first demand) and stored, so a report over
//! two hundred reps adds up two hundred small records instead of reading millions of
//! touches.
//!
//! What each figure means, in one place:
//! - **Persistence funnel** (P20, the seed's figures): every contact with at least one
//!   touch, in the order of its touches. An *attempt* is an outbound touch that counts
//!   toward a cadence (`TouchKind::is_attempt`); a contact is *reached* by its first
//!   answered touch, after the attempts made up to and including it. A contact never
//!   reached whose last attempt is [`GAVE_UP_AFTER_DAYS`] old or more was *given up*
//!   after the attempts it had; otherwise it is still being worked.
//! - **Promise keeping** (P33): [`simulate::promise_keeping`] over the
//!   [`PROMISE_DAYS`] days before `today`.
//! - **Coverage and silence** (P23): customer accounts by segment and kind, covered as
//!   [`signals::coverage`] counts them.
//! - **Referral trends** (P9, P10): referrals per calendar month over [`TREND_MONTHS`]
//!   months ending with today's, per referring contact and per rep (the liaison), with
//!   the P9 figures and the P10 "possible competing relationship".

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{
    AccountKind, AccountStatus, ContactId, Direction, LossReason, Segment, Territory, UserId,
};
use crate::planner::{DayPlan, days_between};
use crate::playbook::Playbook;
use crate::signals;
use crate::simulate;

/// Attempts counted one by one in the funnel (P20's most, 8); more land in one last slot.
pub const FUNNEL_ATTEMPTS: usize = 8;
/// A contact not reached and not attempted for this long has been given up: the P20
/// cadence spaces attempts at most a few working days apart, so a month without one
/// means nobody is trying.
pub const GAVE_UP_AFTER_DAYS: i64 = 30;
/// The period promise keeping is judged over, before today.
pub const PROMISE_DAYS: i64 = 90;
/// Calendar months in a referral trend, today's month last.
pub const TREND_MONTHS: usize = 12;
/// Quarters of losses kept in a summary, today's last: older losses say little about
/// what to change now.
pub const LOSS_QUARTERS: usize = 8;

/// One rep's figures on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepSummary {
    pub rep: UserId,
    pub day: Date,
    /// Items in the day's plan, and its flags.
    pub planned: usize,
    pub flags: usize,
    pub coverage: CoverageCount,
    pub funnel: Funnel,
    pub promises: PromiseCount,
    /// Customer accounts by segment and kind, in that order.
    pub segments: Vec<SegmentCoverage>,
    pub referrals: ReferralTrend,
    /// Losses of the last [`LOSS_QUARTERS`] quarters (P18).
    pub losses: Vec<LossNote>,
}

/// One loss as the reports group it (P18): no account, no note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossNote {
    pub lost_on: Date,
    pub reason: LossReason,
    /// [`signals::competitor_key`]: one spelling however it was typed.
    pub competitor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CoverageCount {
    pub customers: usize,
    pub covered: usize,
}

/// The persistence funnel of one rep or a team (see the module's definitions). Each
/// vector has [`FUNNEL_ATTEMPTS`] + 1 slots: slot `k - 1` counts contacts at `k`
/// attempts, the last slot more than [`FUNNEL_ATTEMPTS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    pub reached_on_attempt: Vec<usize>,
    pub gave_up_after: Vec<usize>,
    /// Not reached yet, last attempt recent.
    pub in_progress: usize,
    /// Answered before any attempt: the contact came to the rep.
    pub came_inbound: usize,
}

impl Default for Funnel {
    fn default() -> Self {
        Funnel {
            reached_on_attempt: vec![0; FUNNEL_ATTEMPTS + 1],
            gave_up_after: vec![0; FUNNEL_ATTEMPTS + 1],
            in_progress: 0,
            came_inbound: 0,
        }
    }
}

fn slot(attempts: usize) -> usize {
    attempts.clamp(1, FUNNEL_ATTEMPTS + 1) - 1
}

impl Funnel {
    pub fn add(&mut self, other: &Funnel) {
        for (a, b) in self
            .reached_on_attempt
            .iter_mut()
            .zip(&other.reached_on_attempt)
        {
            *a += b;
        }
        for (a, b) in self.gave_up_after.iter_mut().zip(&other.gave_up_after) {
            *a += b;
        }
        self.in_progress += other.in_progress;
        self.came_inbound += other.came_inbound;
    }

    pub fn reached(&self) -> usize {
        self.reached_on_attempt.iter().sum()
    }

    pub fn given_up(&self) -> usize {
        self.gave_up_after.iter().sum()
    }

    /// Contacts attempted at least once.
    pub fn attempted(&self) -> usize {
        self.reached() + self.given_up() + self.in_progress
    }

    /// Share of attempted contacts reached within `k` attempts (the funnel's curve).
    pub fn reached_within(&self, k: usize) -> Option<f64> {
        let within: usize = self
            .reached_on_attempt
            .iter()
            .take(k.min(FUNNEL_ATTEMPTS))
            .sum();
        share(within, self.attempted())
    }

    /// The funnel beside the seed's figures, each as (the team's share, the seed's).
    pub fn against_seed(&self) -> Vec<SeedComparison> {
        let reached = self.reached();
        let given_up = self.given_up();
        let weighted =
            |v: &[usize]| -> usize { v.iter().enumerate().map(|(i, n)| (i + 1) * n).sum() };
        vec![
            SeedComparison {
                figure: "given up after one attempt",
                seed: "48% of reps give up after the first attempt",
                seed_value: 0.48,
                team: share(self.gave_up_after[0], given_up),
                of: given_up,
            },
            SeedComparison {
                figure: "given up after 3+ follow-ups (4+ attempts)",
                seed: "only 12% of reps make 3+ follow-up calls",
                seed_value: 0.12,
                team: share(self.gave_up_after.iter().skip(3).sum(), given_up),
                of: given_up,
            },
            SeedComparison {
                figure: "reached on the 6th attempt or later",
                seed: "80% of sales need 6+ attempts",
                seed_value: 0.80,
                team: share(self.reached_on_attempt.iter().skip(5).sum(), reached),
                of: reached,
            },
            SeedComparison {
                figure: "attempts to reach a contact, on average",
                seed: "8 cold-call attempts on average to reach a prospect",
                seed_value: 8.0,
                team: (reached > 0)
                    .then(|| weighted(&self.reached_on_attempt) as f64 / reached as f64),
                of: reached,
            },
            SeedComparison {
                figure: "attempts before giving up, on average",
                seed: "the average rep makes 2 attempts",
                seed_value: 2.0,
                team: (given_up > 0)
                    .then(|| weighted(&self.gave_up_after) as f64 / given_up as f64),
                of: given_up,
            },
        ]
    }
}

/// One line of the funnel against the seed: shares are fractions (0.48), averages
/// counts; `team` is `None` when there is nothing to count (`of` is 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedComparison {
    pub figure: &'static str,
    pub seed: &'static str,
    pub seed_value: f64,
    pub team: Option<f64>,
    /// The contacts the team's figure is taken over.
    pub of: usize,
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Promise keeping (P33) without the examples: next steps due in the period and what
/// became of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PromiseCount {
    pub due: usize,
    pub on_day: usize,
    pub late: usize,
    pub never: usize,
    /// Rescheduled or skipped by the rep on or before the day.
    pub handled: usize,
}

impl PromiseCount {
    pub fn add(&mut self, o: &PromiseCount) {
        self.due += o.due;
        self.on_day += o.on_day;
        self.late += o.late;
        self.never += o.never;
        self.handled += o.handled;
    }

    /// Kept on the day or moved in time, out of those due.
    pub fn kept(&self) -> Option<f64> {
        share(self.on_day + self.handled, self.due)
    }
}

/// Customer accounts of one segment and kind (P23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCoverage {
    pub segment: Segment,
    pub kind: AccountKind,
    pub customers: usize,
    /// Touched less than the playbook's maximum silence ago.
    pub covered: usize,
    /// Touched, but that long ago or longer.
    pub silent: usize,
    /// Never touched.
    pub untouched: usize,
    /// The longest silence among them, in days (touched ones).
    pub longest_silence: Option<i64>,
}

impl SegmentCoverage {
    fn add(&mut self, o: &SegmentCoverage) {
        self.customers += o.customers;
        self.covered += o.covered;
        self.silent += o.silent;
        self.untouched += o.untouched;
        self.longest_silence = self.longest_silence.max(o.longest_silence);
    }
}

/// Referrals per calendar month, today's month last.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReferralTrend {
    /// The months, as `YYYY-MM`.
    pub months: Vec<String>,
    /// The rep's referring contacts together, per month.
    pub per_month: Vec<u32>,
    /// Each contact with a referral in the months, or with a reason for not referring
    /// that still stands.
    pub referrers: Vec<ReferrerTrend>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferrerTrend {
    pub contact: ContactId,
    pub name: String,
    pub account: String,
    pub per_month: Vec<u32>,
    /// P9: referrals in the recent window, and the baseline scaled to it.
    pub recent: u32,
    pub baseline_per_recent: f64,
    /// P9: a significant drop against the contact's own baseline.
    pub dropping: bool,
    /// P10: a vague reason for not referring stands.
    pub possible_competitor: bool,
}

/// The first day of each of the [`TREND_MONTHS`] months ending with `today`'s.
fn trend_months(today: Date) -> Vec<Date> {
    let first = today.first_of_month();
    (0..TREND_MONTHS as i64)
        .rev()
        .filter_map(|back| first.checked_sub(back.months()).ok())
        .collect()
}

fn month_index(months: &[Date], d: Date) -> Option<usize> {
    let m = d.first_of_month();
    months.iter().position(|x| *x == m)
}

/// One rep's summary for `today`, from their territory and the day's plan.
pub fn summarise(
    t: &Territory,
    pb: &Playbook,
    rep: UserId,
    today: Date,
    plan: &DayPlan,
) -> RepSummary {
    let cov = signals::coverage(t, pb, today);
    let by_contact = signals::touches_by_contact(t, today);
    RepSummary {
        rep,
        day: today,
        planned: plan.items.len(),
        flags: plan.flags.len(),
        coverage: CoverageCount {
            customers: cov.customers,
            covered: cov.covered,
        },
        funnel: funnel(&by_contact, today),
        promises: promises(t, today),
        segments: segments(t, &by_contact, pb, today),
        referrals: referrals(t, &by_contact, pb, today),
        losses: losses(t, today),
    }
}

/// The first quarter a summary keeps losses from.
fn first_loss_quarter(today: Date) -> signals::Quarter {
    let (mut y, mut q) = signals::quarter(today);
    for _ in 1..LOSS_QUARTERS {
        q -= 1;
        if q == 0 {
            q = 4;
            y -= 1;
        }
    }
    (y, q)
}

fn losses(t: &Territory, today: Date) -> Vec<LossNote> {
    let from = first_loss_quarter(today);
    let mut out: Vec<LossNote> = t
        .lost
        .iter()
        .filter(|l| l.lost_on <= today && signals::quarter(l.lost_on) >= from)
        .map(|l| LossNote {
            lost_on: l.lost_on,
            reason: l.reason,
            competitor: signals::competitor_key(l),
        })
        .collect();
    out.sort_by_key(|l| l.lost_on);
    out
}

fn funnel(
    by_contact: &BTreeMap<ContactId, Vec<(&crate::model::Touch, Date)>>,
    today: Date,
) -> Funnel {
    let mut f = Funnel::default();
    for touches in by_contact.values() {
        let mut attempts = 0;
        let mut last_attempt = None;
        let mut reached = false;
        for (t, d) in touches {
            let attempt = t.direction == Direction::Outbound && t.kind.is_attempt();
            if attempt {
                attempts += 1;
                last_attempt = Some(*d);
            }
            if t.outcome.answered() {
                if attempts == 0 {
                    f.came_inbound += 1;
                } else {
                    f.reached_on_attempt[slot(attempts)] += 1;
                }
                reached = true;
                break;
            }
        }
        if reached {
            continue;
        }
        match last_attempt {
            None => {}
            Some(d) if days_between(d, today) >= GAVE_UP_AFTER_DAYS => {
                f.gave_up_after[slot(attempts)] += 1;
            }
            Some(_) => f.in_progress += 1,
        }
    }
    f
}

fn promises(t: &Territory, today: Date) -> PromiseCount {
    let from = today.checked_sub(PROMISE_DAYS.days()).unwrap_or(today);
    let p = simulate::promise_keeping(t, from, today);
    PromiseCount {
        due: p.due,
        on_day: p.on_day,
        late: p.late,
        never: p.never,
        handled: p.handled,
    }
}

fn segments(
    t: &Territory,
    by_contact: &BTreeMap<ContactId, Vec<(&crate::model::Touch, Date)>>,
    pb: &Playbook,
    today: Date,
) -> Vec<SegmentCoverage> {
    let mut last: BTreeMap<crate::model::AccountId, Date> = BTreeMap::new();
    for (x, d) in by_contact.values().flatten() {
        let slot = last.entry(x.account).or_insert(*d);
        if *d > *slot {
            *slot = *d;
        }
    }
    let mut rows: BTreeMap<(Segment, AccountKind), SegmentCoverage> = BTreeMap::new();
    for a in t
        .accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Customer)
    {
        let row = rows.entry((a.segment, a.kind)).or_insert(SegmentCoverage {
            segment: a.segment,
            kind: a.kind,
            customers: 0,
            covered: 0,
            silent: 0,
            untouched: 0,
            longest_silence: None,
        });
        row.customers += 1;
        match last.get(&a.id) {
            None => row.untouched += 1,
            Some(d) => {
                let quiet = days_between(*d, today);
                row.longest_silence = row.longest_silence.max(Some(quiet));
                if signals::silence(Some(*d), pb, today).is_some() {
                    row.silent += 1;
                } else {
                    row.covered += 1;
                }
            }
        }
    }
    rows.into_values().collect()
}

fn referrals(
    t: &Territory,
    by_contact: &BTreeMap<ContactId, Vec<(&crate::model::Touch, Date)>>,
    pb: &Playbook,
    today: Date,
) -> ReferralTrend {
    let months = trend_months(today);
    let mut rows: BTreeMap<ContactId, Vec<(ContactId, Date, u32)>> = BTreeMap::new();
    for r in &t.referrals {
        rows.entry(r.contact)
            .or_default()
            .push((r.contact, r.day, r.count));
    }
    let accounts: BTreeMap<_, _> = t.accounts.iter().map(|a| (a.id, a.name.as_str())).collect();
    let mut per_month = vec![0u32; months.len()];
    let mut referrers = Vec::new();
    for c in &t.contacts {
        let days = rows.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
        let mut mine = vec![0u32; months.len()];
        for (_, d, n) in days.iter().filter(|(_, d, _)| *d <= today) {
            if let Some(i) = month_index(&months, *d) {
                mine[i] += n;
            }
        }
        let touches = by_contact.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
        let who = signals::referrer(touches, days, pb, today);
        let possible_competitor = who
            .not_referring
            .as_ref()
            .is_some_and(|n| n.possible_competitor);
        if mine.iter().all(|n| *n == 0) && !possible_competitor {
            continue;
        }
        for (a, b) in per_month.iter_mut().zip(&mine) {
            *a += b;
        }
        referrers.push(ReferrerTrend {
            contact: c.id,
            name: c.name.clone(),
            account: accounts.get(&c.account).copied().unwrap_or("").to_string(),
            per_month: mine,
            recent: who.figures.as_ref().map_or(0, |f| f.recent),
            baseline_per_recent: who.figures.as_ref().map_or(0.0, |f| f.baseline_per_recent),
            dropping: who.dropping,
            possible_competitor,
        });
    }
    ReferralTrend {
        months: months
            .iter()
            .map(|m| format!("{:04}-{:02}", m.year(), m.month()))
            .collect(),
        per_month,
        referrers,
    }
}

/// A team's summaries added up: what every report shows above its per-rep table.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TeamTotals {
    pub reps: usize,
    pub coverage: CoverageCount,
    pub funnel: Funnel,
    pub promises: PromiseCount,
    /// By segment and kind, over the team.
    pub segments: Vec<SegmentCoverage>,
    /// The months of the trends (the latest summary's), and the team's referrals per month.
    pub months: Vec<String>,
    pub referrals_per_month: Vec<u32>,
}

/// Adds up `summaries` (one per rep). Referral months are taken from the first summary;
/// summaries of another day count toward every total but the monthly series.
pub fn team_totals(summaries: &[RepSummary]) -> TeamTotals {
    let mut out = TeamTotals {
        reps: summaries.len(),
        ..TeamTotals::default()
    };
    let mut segments: BTreeMap<(Segment, AccountKind), SegmentCoverage> = BTreeMap::new();
    if let Some(first) = summaries.first() {
        out.months = first.referrals.months.clone();
        out.referrals_per_month = vec![0; out.months.len()];
    }
    for s in summaries {
        out.coverage.customers += s.coverage.customers;
        out.coverage.covered += s.coverage.covered;
        out.funnel.add(&s.funnel);
        out.promises.add(&s.promises);
        for row in &s.segments {
            segments
                .entry((row.segment, row.kind))
                .and_modify(|r| r.add(row))
                .or_insert_with(|| row.clone());
        }
        if s.referrals.months == out.months {
            for (a, b) in out
                .referrals_per_month
                .iter_mut()
                .zip(&s.referrals.per_month)
            {
                *a += b;
            }
        }
    }
    out.segments = segments.into_values().collect();
    out
}

/// One cell of a report table: the same value on the page, in the CSV and in the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Int(i64),
    /// A share (0–1) or an average, rounded to three decimals.
    Num(f64),
    Text(String),
    /// Nothing to count (a share of no contacts).
    Empty(Option<()>),
}

impl Cell {
    fn count(n: usize) -> Cell {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
    fn num(x: Option<f64>) -> Cell {
        match x {
            Some(x) => Cell::Num((x * 1000.0).round() / 1000.0),
            None => Cell::Empty(None),
        }
    }
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// As a CSV cell or a table cell reads it: shares as written (0.482), nothing as "".
    pub fn plain(&self) -> String {
        match self {
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => x.to_string(),
            Cell::Text(s) => s.clone(),
            Cell::Empty(_) => String::new(),
        }
    }
}

/// A report as a table: the columns (snake_case, never renamed; new ones are appended)
/// and the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportTable {
    pub report: Report,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The reports, each one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Report {
    /// Per rep: contacts reached on attempt 1…8 and 9+, given up after 1…8 and 9+.
    Funnel,
    /// The team's funnel against the seed's figures.
    Seed,
    /// Per rep: next steps due over the last 90 days and what became of them.
    Promises,
    /// Customer accounts by segment and kind: covered, silent, never touched.
    Coverage,
    /// Per rep (the liaison): referrals per month.
    Liaisons,
    /// Per referring contact: referrals per month, the P9 figures and drop, the P10 flag.
    Referrers,
    /// Losses per quarter by reason, competitor and rep.
    Losses,
}

impl Report {
    pub const ALL: [Report; 7] = [
        Report::Funnel,
        Report::Seed,
        Report::Promises,
        Report::Coverage,
        Report::Liaisons,
        Report::Referrers,
        Report::Losses,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Report::Funnel => "funnel",
            Report::Seed => "seed",
            Report::Promises => "promises",
            Report::Coverage => "coverage",
            Report::Liaisons => "liaisons",
            Report::Referrers => "referrers",
            Report::Losses => "losses",
        }
    }

    pub fn parse(s: &str) -> Option<Report> {
        Report::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

fn slots(prefix: &str) -> impl Iterator<Item = String> + '_ {
    (1..=FUNNEL_ATTEMPTS)
        .map(move |k| format!("{prefix}_{k}"))
        .chain(std::iter::once(format!(
            "{prefix}_{}_plus",
            FUNNEL_ATTEMPTS + 1
        )))
}

/// `report` over `summaries` (one per rep, in the order the rows should take), with each
/// rep's name from `name_of`. Per-rep tables end with a `total` row (rep id empty).
pub fn table(
    report: Report,
    summaries: &[RepSummary],
    name_of: &dyn Fn(UserId) -> String,
) -> ReportTable {
    let totals = team_totals(summaries);
    let rep_cells = |s: &RepSummary| vec![Cell::Int(s.rep.0), Cell::text(name_of(s.rep))];
    let total_cells = || vec![Cell::Empty(None), Cell::text("total")];
    let cols = |names: &[&str]| names.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let (columns, rows) = match report {
        Report::Funnel => {
            let mut columns = cols(&[
                "rep_id",
                "rep",
                "attempted",
                "reached",
                "given_up",
                "in_progress",
                "came_inbound",
            ]);
            columns.extend(slots("reached_on_attempt"));
            columns.extend(slots("given_up_after"));
            let row = |mut head: Vec<Cell>, f: &Funnel| {
                head.extend(
                    [
                        f.attempted(),
                        f.reached(),
                        f.given_up(),
                        f.in_progress,
                        f.came_inbound,
                    ]
                    .map(Cell::count),
                );
                head.extend(f.reached_on_attempt.iter().map(|n| Cell::count(*n)));
                head.extend(f.gave_up_after.iter().map(|n| Cell::count(*n)));
                head
            };
            let mut rows: Vec<_> = summaries
                .iter()
                .map(|s| row(rep_cells(s), &s.funnel))
                .collect();
            rows.push(row(total_cells(), &totals.funnel));
            (columns, rows)
        }
        Report::Seed => (
            cols(&["figure", "team", "seed", "of_contacts", "seed_says"]),
            totals
                .funnel
                .against_seed()
                .into_iter()
                .map(|c| {
                    vec![
                        Cell::text(c.figure),
                        Cell::num(c.team),
                        Cell::num(Some(c.seed_value)),
                        Cell::count(c.of),
                        Cell::text(c.seed),
                    ]
                })
                .collect(),
        ),
        Report::Promises => {
            let columns = cols(&[
                "rep_id",
                "rep",
                "due",
                "on_day",
                "moved_in_time",
                "late",
                "never",
                "kept",
            ]);
            let row = |mut head: Vec<Cell>, p: &PromiseCount| {
                head.extend([p.due, p.on_day, p.handled, p.late, p.never].map(Cell::count));
                head.push(Cell::num(p.kept()));
                head
            };
            let mut rows: Vec<_> = summaries
                .iter()
                .map(|s| row(rep_cells(s), &s.promises))
                .collect();
            rows.push(row(total_cells(), &totals.promises));
            (columns, rows)
        }
        Report::Coverage => (
            cols(&[
                "segment",
                "kind",
                "customers",
                "covered",
                "silent",
                "untouched",
                "covered_share",
                "longest_silence_days",
            ]),
            totals
                .segments
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(r.segment.as_str()),
                        Cell::text(r.kind.as_str()),
                        Cell::count(r.customers),
                        Cell::count(r.covered),
                        Cell::count(r.silent),
                        Cell::count(r.untouched),
                        Cell::num(share(r.covered, r.customers)),
                        r.longest_silence.map_or(Cell::Empty(None), Cell::Int),
                    ]
                })
                .collect(),
        ),
        Report::Liaisons => {
            let mut columns = cols(&["rep_id", "rep"]);
            columns.extend(totals.months.iter().map(|m| format!("m_{m}")));
            columns.push("total".into());
            let row = |mut head: Vec<Cell>, months: &[u32]| {
                head.extend(months.iter().map(|n| Cell::Int(i64::from(*n))));
                head.push(Cell::Int(months.iter().map(|n| i64::from(*n)).sum()));
                head
            };
            let mut rows: Vec<_> = summaries
                .iter()
                .filter(|s| s.referrals.months == totals.months)
                .map(|s| row(rep_cells(s), &s.referrals.per_month))
                .collect();
            rows.push(row(total_cells(), &totals.referrals_per_month));
            (columns, rows)
        }
        Report::Referrers => {
            let mut columns = cols(&["rep_id", "rep", "contact_id", "contact", "account"]);
            columns.extend(totals.months.iter().map(|m| format!("m_{m}")));
            columns.extend(cols(&[
                "recent",
                "baseline_per_recent",
                "dropping",
                "possible_competitor",
            ]));
            let rows = summaries
                .iter()
                .filter(|s| s.referrals.months == totals.months)
                .flat_map(|s| s.referrals.referrers.iter().map(move |r| (s, r)))
                .map(|(s, r)| {
                    let mut row = rep_cells(s);
                    row.extend([
                        Cell::Int(r.contact.0),
                        Cell::text(&r.name),
                        Cell::text(&r.account),
                    ]);
                    row.extend(r.per_month.iter().map(|n| Cell::Int(i64::from(*n))));
                    row.extend([
                        Cell::Int(i64::from(r.recent)),
                        Cell::num(Some(r.baseline_per_recent)),
                        Cell::text(if r.dropping { "yes" } else { "no" }),
                        Cell::text(if r.possible_competitor { "yes" } else { "no" }),
                    ]);
                    row
                })
                .collect();
            (columns, rows)
        }
        Report::Losses => {
            let mut counts: BTreeMap<(signals::Quarter, LossReason, String, UserId), usize> =
                BTreeMap::new();
            for s in summaries {
                for l in &s.losses {
                    let key = (
                        signals::quarter(l.lost_on),
                        l.reason,
                        l.competitor.clone().unwrap_or_default(),
                        s.rep,
                    );
                    *counts.entry(key).or_default() += 1;
                }
            }
            (
                cols(&["quarter", "reason", "competitor", "rep_id", "rep", "losses"]),
                counts
                    .into_iter()
                    .map(|(((y, q), reason, competitor, rep), n)| {
                        vec![
                            Cell::text(format!("{y}-Q{q}")),
                            Cell::text(reason.as_str()),
                            Cell::text(competitor),
                            Cell::Int(rep.0),
                            Cell::text(name_of(rep)),
                            Cell::count(n),
                        ]
                    })
                    .collect(),
            )
        }
    };
    ReportTable {
        report,
        columns,
        rows,
    }
}

/// The table as CSV text: a header of the columns, then the rows; text cells guarded
/// against spreadsheet formulas as the export guards them.
pub fn to_csv(table: &ReportTable) -> Result<String, crate::csv_out::CsvError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&table.columns)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => crate::csv_out::escape_cell(s).into_owned(),
            other => other.plain(),
        }))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| crate::csv_out::CsvError::from(csv::Error::from(e.into_error())))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
