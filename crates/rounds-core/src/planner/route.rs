//! The field day's route: the planner's chosen in-person visits handed to the route
//! solver, which decides their order and times against each office's visiting windows
//! (P27: lunch or after the last patient where the front desk blocks), keeps agreed
//! appointments at their time (P35), and leaves out what does not fit, with the reason.
//!
//! Times go to the solver as whole minutes on one axis (minutes since midnight UTC of
//! the day before), so offices in different zones share one clock; they come back as
//! each office's local time.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use rounds_route::{
    Candidate, Endpoint, LatLon, LeftOutReason, Problem, RoadModel, SolveOptions, TravelMatrix,
};
use serde::{Deserialize, Serialize};

use crate::model::{Account, AccountId, ContactId, TzName};
use crate::playbook::Playbook;

/// The in-person part of the day, in driving order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayRoute {
    /// Where the day starts and ends: the rep's base (the centre of the territory).
    pub base: (f64, f64),
    pub leave_base: LocalTime,
    pub back_at_base: LocalTime,
    pub stops: Vec<RouteStop>,
    pub drive_minutes: i64,
    pub distance_km: f64,
    /// Visits the planner wanted that the day could not hold.
    pub left_out: Vec<LeftOutVisit>,
}

/// A local time with its zone, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTime {
    pub time: Time,
    pub tz: TzName,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteStop {
    pub order: usize,
    pub contact: ContactId,
    pub contact_name: String,
    pub account: AccountId,
    pub account_name: String,
    pub arrive: Time,
    pub start: Time,
    pub leave_by: Time,
    pub tz: TzName,
    pub wait_minutes: i64,
    pub drive_minutes_before: i64,
    /// Where the visit is (latitude, longitude): the office, or the base for an office
    /// without coordinates, as the route was driven. For a map of the day.
    #[serde(default)]
    pub at: (f64, f64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOutVisit {
    pub contact: ContactId,
    pub contact_name: String,
    pub account: AccountId,
    pub account_name: String,
    pub rules: Vec<String>,
    pub reason: String,
    /// The remote touch planned instead, if one was possible.
    pub instead: Option<crate::model::Channel>,
}

/// One visit the planner chose, as the router needs it.
pub(crate) struct VisitRequest<'a> {
    pub contact: ContactId,
    pub contact_name: String,
    pub account: &'a Account,
    pub windows: Vec<crate::model::TimeRange>,
    pub exact_at: Option<Time>,
    pub priority: f64,
}

/// What the router decided for each request, by index into the requests.
pub(crate) struct Routed {
    pub route: DayRoute,
    /// (request index, local start, local end) in driving order.
    pub kept: Vec<(usize, Time, Time)>,
    /// (request index, rules, reason) for the requests left out.
    pub dropped: Vec<(usize, Vec<String>, String)>,
}

fn axis_origin(today: Date) -> Timestamp {
    today
        .checked_sub(1.day())
        .ok()
        .and_then(|d| d.to_zoned(TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn minutes(origin: Timestamp, at: Timestamp) -> i64 {
    at.duration_since(origin).as_secs().div_euclid(60)
}

fn instant(date: Date, time: Time, tz: &TzName) -> Option<Timestamp> {
    date.to_datetime(time)
        .to_zoned(tz.zone())
        .ok()
        .map(|z| z.timestamp())
}

fn local(origin: Timestamp, minute: i64, tz: &TzName) -> Time {
    let at = origin
        .checked_add(SignedDuration::from_mins(minute))
        .unwrap_or(origin);
    tz.zone().to_datetime(at).time()
}

/// Orders the visits; `base` is where the day starts and ends.
pub(crate) fn route_visits(
    requests: &[VisitRequest],
    base: LatLon,
    pb: &Playbook,
    today: Date,
    busy: &[(Timestamp, Timestamp)],
) -> Option<Routed> {
    let home_tz = requests.first()?.account.tz.clone();
    let origin = axis_origin(today);
    let mut points = vec![base];
    let mut candidates = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        // An office without coordinates is placed at the base rather than at 0°/0°.
        points.push(if crate::planner::has_place(r.account) {
            LatLon {
                lat: r.account.address.lat,
                lon: r.account.address.lon,
            }
        } else {
            base
        });
        let tz = &r.account.tz;
        let windows: Vec<(i64, i64)> = r
            .windows
            .iter()
            .filter_map(|w| {
                let start = minutes(origin, instant(today, w.start, tz)?);
                // A window bounds the whole visit; the solver wants the latest start.
                let end = minutes(origin, instant(today, w.end, tz)?) - pb.visit_minutes;
                (start <= end).then_some((start, end))
            })
            .collect();
        let mandatory = r
            .exact_at
            .and_then(|t| instant(today, t, tz))
            .map(|t| minutes(origin, t));
        candidates.push(Candidate {
            id: i as i64,
            location: i + 1,
            prize: (r.priority * 100.0).round().max(1.0) as i64,
            service: pb.visit_minutes,
            windows,
            mandatory,
            required: false,
        });
    }
    let road = RoadModel {
        road_factor: pb.road_factor,
        speed_kmh: pb.speed_kmh,
        seconds_per_unit: 60.0,
    };
    let matrix = TravelMatrix::from_coordinates(&points, road).ok()?;
    let mut day_start = minutes(origin, instant(today, pb.day_start, &home_tz)?);
    let mut day_end = minutes(origin, instant(today, pb.day_end, &home_tz)?);
    // The rep's own calendar at either end of the day: leave after it, be back before
    // it (busy times are sorted by start, so one pass moves the start past a chain).
    for &(s, e) in busy {
        let e = e.checked_add(SignedDuration::from_secs(59)).unwrap_or(e);
        let (s, e) = (minutes(origin, s), minutes(origin, e));
        if s <= day_start && day_start < e {
            day_start = e;
        }
    }
    for &(s, e) in busy.iter().rev() {
        let e = e.checked_add(SignedDuration::from_secs(59)).unwrap_or(e);
        let (s, e) = (minutes(origin, s), minutes(origin, e));
        if s < day_end && day_end <= e {
            day_end = s;
        }
    }
    let day_end = day_end.max(day_start);
    let problem = Problem {
        start: Endpoint {
            location: 0,
            time: day_start,
        },
        end: Endpoint {
            location: 0,
            time: day_end,
        },
        candidates,
        matrix,
    };
    let solution = rounds_route::solve(
        &problem,
        &SolveOptions {
            seed: pb.route_seed,
            max_iterations: pb.route_iterations,
        },
    )
    .ok()?;
    let mut stops = Vec::new();
    let mut kept = Vec::new();
    let mut previous = 0;
    let mut drive = 0;
    for (order, v) in solution.visits.iter().enumerate() {
        let r = &requests[v.candidate];
        let location = v.candidate + 1;
        let leg = problem.matrix.time(previous, location).unwrap_or(0);
        drive += leg;
        previous = location;
        let tz = &r.account.tz;
        stops.push(RouteStop {
            order: order + 1,
            contact: r.contact,
            contact_name: r.contact_name.clone(),
            account: r.account.id,
            account_name: r.account.name.clone(),
            arrive: local(origin, v.arrival, tz),
            start: local(origin, v.start, tz),
            leave_by: local(origin, v.departure, tz),
            tz: tz.clone(),
            wait_minutes: v.wait,
            drive_minutes_before: leg,
            at: (points[location].lat, points[location].lon),
        });
        kept.push((
            v.candidate,
            local(origin, v.start, tz),
            local(origin, v.departure, tz),
        ));
    }
    drive += problem.matrix.time(previous, 0).unwrap_or(0);
    let dropped = solution
        .left_out
        .iter()
        .map(|(i, why)| {
            let (rules, reason): (&[&str], &str) = match why {
                LeftOutReason::NoFeasibleWindow => (
                    &["P27"],
                    "its visiting windows today cannot be reached within the working day",
                ),
                LeftOutReason::MandatoryInfeasible => (
                    &["P35"],
                    "the agreed time cannot be kept together with the day's other appointments",
                ),
                LeftOutReason::NoRoom | LeftOutReason::NotWorthIt => (
                    &["P26"],
                    "no room left in the day's route; higher-priority visits fill it",
                ),
            };
            (
                *i,
                rules.iter().map(|r| r.to_string()).collect(),
                reason.to_string(),
            )
        })
        .collect();
    let route = DayRoute {
        base: (base.lat, base.lon),
        leave_base: LocalTime {
            time: local(origin, solution.start_departure, &home_tz),
            tz: home_tz.clone(),
        },
        back_at_base: LocalTime {
            time: local(origin, solution.end_time, &home_tz),
            tz: home_tz,
        },
        stops,
        drive_minutes: drive,
        distance_km: (solution.distance as f64 / 100.0).round() / 10.0,
        left_out: Vec::new(),
    };
    Some(Routed {
        route,
        kept,
        dropped,
    })
}
