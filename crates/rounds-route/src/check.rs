//! An independent route checker: it recomputes a route's times, prize and distance
//! from the [`Problem`] alone, sharing no code with the solver's incremental
//! bookkeeping, so tests can trust it as the referee.

use crate::problem::Problem;
use std::fmt;

/// What a feasible route adds up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRoute {
    /// Sum of the prizes visited.
    pub prize: i64,
    /// Sum of the distances driven, start to end.
    pub distance: i64,
    /// Arrival at the end when leaving at the start time and starting each visit as
    /// early as its windows allow.
    pub end_time: i64,
    /// Must-visit candidates (appointments, required) that the route leaves out.
    /// Reported, not refused: the solver may say some cannot fit.
    pub missing_required: Vec<usize>,
}

/// Why a route is not feasible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The route names a candidate index that does not exist.
    UnknownCandidate {
        /// Position in the route.
        position: usize,
        /// The index given.
        candidate: usize,
    },
    /// A candidate appears twice.
    Repeated {
        /// The candidate index.
        candidate: usize,
    },
    /// A place is not in the matrix.
    UnknownPlace {
        /// The location.
        location: usize,
    },
    /// The rep arrives after every window of the candidate has closed.
    MissedWindows {
        /// The candidate index.
        candidate: usize,
        /// When the rep arrives.
        arrival: i64,
    },
    /// The rep arrives after a fixed appointment time.
    MissedAppointment {
        /// The candidate index.
        candidate: usize,
        /// When the rep arrives.
        arrival: i64,
        /// The appointment.
        appointment: i64,
    },
    /// The rep reaches the end after its latest time.
    LateAtEnd {
        /// When the rep arrives.
        arrival: i64,
        /// The latest allowed.
        latest: i64,
    },
    /// A sum overflowed (only with absurd inputs).
    Overflow,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCandidate {
                position,
                candidate,
            } => {
                write!(
                    f,
                    "stop {position} names candidate #{candidate}, which does not exist"
                )
            }
            Self::Repeated { candidate } => write!(f, "candidate #{candidate} is visited twice"),
            Self::UnknownPlace { location } => {
                write!(f, "location {location} is not in the matrix")
            }
            Self::MissedWindows { candidate, arrival } => {
                write!(
                    f,
                    "candidate #{candidate}: arrival at {arrival} is after its last window"
                )
            }
            Self::MissedAppointment {
                candidate,
                arrival,
                appointment,
            } => write!(
                f,
                "candidate #{candidate}: arrival at {arrival} is after the appointment at {appointment}"
            ),
            Self::LateAtEnd { arrival, latest } => {
                write!(f, "reaches the end at {arrival}, after the latest {latest}")
            }
            Self::Overflow => write!(f, "a time or distance sum overflowed"),
        }
    }
}

impl std::error::Error for Violation {}

/// Drives `order` (candidate indices) from the start to the end and checks every
/// window, appointment and the end time.
pub fn check(problem: &Problem, order: &[usize]) -> Result<CheckedRoute, Violation> {
    let m = &problem.matrix;
    let leg = |from: usize, to: usize| -> Result<(i64, i64), Violation> {
        let t = m.time(from, to).ok_or(Violation::UnknownPlace {
            location: from.max(to),
        })?;
        let d = m.distance(from, to).ok_or(Violation::UnknownPlace {
            location: from.max(to),
        })?;
        Ok((t, d))
    };
    let mut seen = vec![false; problem.candidates.len()];
    let mut clock = problem.start.time;
    let mut here = problem.start.location;
    let mut prize: i64 = 0;
    let mut distance: i64 = 0;
    for (position, &index) in order.iter().enumerate() {
        let c = problem
            .candidates
            .get(index)
            .ok_or(Violation::UnknownCandidate {
                position,
                candidate: index,
            })?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(Violation::Repeated { candidate: index });
        }
        let (t, d) = leg(here, c.location)?;
        let arrival = clock.checked_add(t).ok_or(Violation::Overflow)?;
        let start = match c.mandatory {
            Some(appointment) if arrival <= appointment => appointment,
            Some(appointment) => {
                return Err(Violation::MissedAppointment {
                    candidate: index,
                    arrival,
                    appointment,
                });
            }
            None => {
                // Windows are sorted: the first one still open is where service starts.
                let open = c.windows.iter().find(|&&(_, close)| arrival <= close);
                match open {
                    Some(&(opening, _)) => arrival.max(opening),
                    None => {
                        return Err(Violation::MissedWindows {
                            candidate: index,
                            arrival,
                        });
                    }
                }
            }
        };
        clock = start.checked_add(c.service).ok_or(Violation::Overflow)?;
        prize = prize.checked_add(c.prize).ok_or(Violation::Overflow)?;
        distance = distance.checked_add(d).ok_or(Violation::Overflow)?;
        here = c.location;
    }
    let (t, d) = leg(here, problem.end.location)?;
    let end_time = clock.checked_add(t).ok_or(Violation::Overflow)?;
    distance = distance.checked_add(d).ok_or(Violation::Overflow)?;
    if end_time > problem.end.time {
        return Err(Violation::LateAtEnd {
            arrival: end_time,
            latest: problem.end.time,
        });
    }
    let missing_required = problem
        .candidates
        .iter()
        .enumerate()
        .filter(|(i, c)| c.must_visit() && !seen[*i])
        .map(|(i, _)| i)
        .collect();
    Ok(CheckedRoute {
        prize,
        distance,
        end_time,
        missing_required,
    })
}
