//! Playbook signals, computed once: pure functions over model records, the playbook and
//! `today`. The planner acts on them and the pages show them, so a page never holds a
//! second definition of a rule.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::model::ContactId;
use crate::planner::ReferralFigures;
use crate::playbook::Playbook;

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
