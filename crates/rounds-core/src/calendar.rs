//! A rep's working days: the playbook's field week and holidays, narrowed by the rep's
//! own week and time off. The planner plans nothing on a day off, and the next-touch
//! search skips them, because a plan the rep cannot follow teaches them to stop opening
//! it; the same answer tells `rounds today`, the Today page and the API why a day is
//! off.

use std::fmt;

use jiff::civil::{Date, Weekday};

use crate::model::{RepCalendar, TimeRange};
use crate::playbook::Playbook;

/// Why a day is not a working day for a rep, in the order it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayOff {
    /// Not one of the playbook's `[day] working_days` (a weekend).
    Weekend(Weekday),
    /// One of the playbook's holidays, by name when the playbook gives one.
    Holiday(Option<String>),
    /// A weekday the rep does not work (their own week).
    NotTheRepsDay(Weekday),
    /// Within the rep's time off.
    TimeOff {
        reason: String,
        from: Date,
        to: Date,
    },
}

impl DayOff {
    /// A kebab-case key for scripts: `weekend`, `holiday`, `not-the-reps-day`, `time-off`.
    pub fn key(&self) -> &'static str {
        match self {
            DayOff::Weekend(_) => "weekend",
            DayOff::Holiday(_) => "holiday",
            DayOff::NotTheRepsDay(_) => "not-the-reps-day",
            DayOff::TimeOff { .. } => "time-off",
        }
    }
}

impl fmt::Display for DayOff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayOff::Weekend(d) => write!(f, "{d:?} is not in the field week (a weekend)"),
            DayOff::Holiday(Some(name)) => write!(f, "a holiday: {name}"),
            DayOff::Holiday(None) => f.write_str("a holiday of the organisation"),
            DayOff::NotTheRepsDay(d) => write!(f, "the rep does not work on {d:?}s"),
            DayOff::TimeOff { reason, from, to } => {
                write!(f, "time off ({reason}, {from} to {to})")
            }
        }
    }
}

/// Why `day` is a day off for the rep of `calendar`, or `None` on a working day: not a
/// playbook working day, a playbook holiday, not one of the rep's own days, or within
/// their time off.
pub fn day_off(calendar: &RepCalendar, pb: &Playbook, day: Date) -> Option<DayOff> {
    let weekday = day.weekday();
    if !pb.working_days.contains(&weekday) {
        return Some(DayOff::Weekend(weekday));
    }
    if let Some(h) = pb.holidays.iter().find(|h| h.date == day) {
        return Some(DayOff::Holiday(h.name.clone()));
    }
    if let Some(week) = &calendar.week
        && !week.days.contains(&weekday)
    {
        return Some(DayOff::NotTheRepsDay(weekday));
    }
    calendar
        .time_off
        .iter()
        .find(|t| t.covers(day))
        .map(|t| DayOff::TimeOff {
            reason: t.reason.clone(),
            from: t.from,
            to: t.to,
        })
}

/// Whether the rep of `calendar` works on `day` (see [`day_off`]).
pub fn is_working_day(calendar: &RepCalendar, pb: &Playbook, day: Date) -> bool {
    day_off(calendar, pb, day).is_none()
}

/// The first working day after `day`, within a year; `None` if there is none (a rep on
/// leave for longer, or a week with no day in common with the playbook's).
pub fn next_working_day(calendar: &RepCalendar, pb: &Playbook, day: Date) -> Option<Date> {
    let mut d = day;
    for _ in 0..366 {
        d = d.tomorrow().ok()?;
        if is_working_day(calendar, pb, d) {
            return Some(d);
        }
    }
    None
}

/// The rep's own field hours (local time), if they set them; `None` means the
/// playbook's `[route] day_start`/`day_end`. The scheduler clips a day's windows to
/// them.
pub fn working_hours(calendar: &RepCalendar) -> Option<TimeRange> {
    calendar.week.as_ref().and_then(|w| w.hours)
}

/// The `n`th working day of the rep after `day` (`day` itself for `n` = 0): where a
/// promise made "in three business days" lands, never on a holiday or in time off.
/// Stops after a year of days off, at the day reached.
pub fn working_days_after(calendar: &RepCalendar, pb: &Playbook, day: Date, n: u32) -> Date {
    let mut d = day;
    for _ in 0..n {
        match next_working_day(calendar, pb, d) {
            Some(next) => d = next,
            None => break,
        }
    }
    d
}
