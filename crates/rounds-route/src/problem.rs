//! The problem a caller hands to the solver: where the day starts and ends, the
//! candidates with their prizes and windows, and the travel matrix between places.
//!
//! All times are plain integers in one unit the caller chooses (minutes, seconds, or
//! the ×10 units of the Solomon benchmark). Nothing here knows about clocks or dates,
//! which keeps the crate pure and lets the benchmarks use their own units exactly.

use std::fmt;

/// The visit length a field rep plans when nothing else is known (P28), in minutes.
pub const DEFAULT_SERVICE_MINUTES: i64 = 15;

/// Largest magnitude accepted for any time, duration, prize or matrix entry.
///
/// Sums of a few hundred of these stay far inside `i64`, so the solver can add
/// without checking every step once [`Problem::validate`] has passed.
pub const VALUE_LIMIT: i64 = 1 << 40;

/// Where and when the day starts or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// Row/column of the place in the [`TravelMatrix`].
    pub location: usize,
    /// For the start: the earliest departure. For the end: the latest arrival.
    pub time: i64,
}

/// One place the rep may (or must) visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The caller's id, carried through untouched.
    pub id: i64,
    /// Row/column of the place in the [`TravelMatrix`].
    pub location: usize,
    /// What the visit is worth; the solver maximises the sum first. Not negative.
    pub prize: i64,
    /// How long the visit lasts once started.
    pub service: i64,
    /// Windows in which the visit may *start*: sorted, disjoint, each `start <= end`.
    /// Arriving between two windows means waiting for the next one to open.
    pub windows: Vec<(i64, i64)>,
    /// A fixed appointment: the visit must start exactly at this time, and must be
    /// made. It replaces `windows` (the appointment was agreed with the office).
    pub mandatory: Option<i64>,
    /// The visit must be made, at any time inside `windows` (plain TSPTW).
    pub required: bool,
}

impl Candidate {
    /// An optional visit of [`DEFAULT_SERVICE_MINUTES`] with the given windows
    /// (for callers whose unit is minutes).
    pub fn optional_minutes(
        id: i64,
        location: usize,
        prize: i64,
        windows: Vec<(i64, i64)>,
    ) -> Self {
        Self {
            id,
            location,
            prize,
            service: DEFAULT_SERVICE_MINUTES,
            windows,
            mandatory: None,
            required: false,
        }
    }

    /// The visit has to be in the route (fixed appointment or required).
    pub fn must_visit(&self) -> bool {
        self.required || self.mandatory.is_some()
    }

    /// The windows the visit may start in, with a fixed appointment taking over.
    pub fn effective_windows(&self) -> Vec<(i64, i64)> {
        match self.mandatory {
            Some(t) => vec![(t, t)],
            None => self.windows.clone(),
        }
    }
}

/// A single-rep day: leave `start`, visit some candidates, reach `end` in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Place and earliest departure.
    pub start: Endpoint,
    /// Place and latest arrival.
    pub end: Endpoint,
    /// The places that may (or must) be visited; solutions refer to them by index.
    pub candidates: Vec<Candidate>,
    /// Travel times and distances between all places.
    pub matrix: TravelMatrix,
}

/// Why a [`Problem`] or [`TravelMatrix`] cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemError {
    /// The matrix is not square, or the time and distance matrices differ in size.
    MatrixShape {
        /// What was wrong.
        detail: String,
    },
    /// A matrix entry is negative or too large.
    MatrixEntry {
        /// Row.
        from: usize,
        /// Column.
        to: usize,
        /// The value found.
        value: i64,
    },
    /// A coordinate is not a latitude/longitude, or the road model is unusable.
    Coordinates {
        /// What was wrong.
        detail: String,
    },
    /// The start, the end or a candidate points past the matrix.
    Location {
        /// Which place (`start`, `end` or `candidate #i`).
        what: String,
        /// The location given.
        location: usize,
        /// The matrix size.
        size: usize,
    },
    /// A candidate field is out of range or its windows are not sorted and disjoint.
    Candidate {
        /// Index in `candidates`.
        index: usize,
        /// What was wrong.
        detail: String,
    },
    /// The start or end time is out of range.
    Time {
        /// What was wrong.
        detail: String,
    },
    /// Even the best route found misses the end time (for example, the drive from the
    /// start to the end alone is longer than the day).
    NoFeasibleRoute {
        /// When the best route reaches the end.
        end_time: i64,
        /// The latest arrival allowed.
        latest: i64,
    },
}

impl fmt::Display for ProblemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MatrixShape { detail } => write!(f, "travel matrix: {detail}"),
            Self::MatrixEntry { from, to, value } => write!(
                f,
                "travel matrix entry {from}→{to} is {value}; expected 0..={VALUE_LIMIT}"
            ),
            Self::Coordinates { detail } => write!(f, "coordinates: {detail}"),
            Self::Location {
                what,
                location,
                size,
            } => write!(
                f,
                "{what} is at location {location} but the matrix has {size} places"
            ),
            Self::Candidate { index, detail } => write!(f, "candidate #{index}: {detail}"),
            Self::Time { detail } => write!(f, "{detail}"),
            Self::NoFeasibleRoute { end_time, latest } => write!(
                f,
                "no route reaches the end in time: the best one arrives at {end_time}, after the latest {latest}"
            ),
        }
    }
}

impl std::error::Error for ProblemError {}

fn in_range(v: i64) -> bool {
    (-VALUE_LIMIT..=VALUE_LIMIT).contains(&v)
}

impl Problem {
    /// Checks every bound the solver and the checker rely on. [`crate::solve`] calls it.
    pub fn validate(&self) -> Result<(), ProblemError> {
        let size = self.matrix.len();
        for (what, ep) in [("start", &self.start), ("end", &self.end)] {
            if ep.location >= size {
                return Err(ProblemError::Location {
                    what: what.into(),
                    location: ep.location,
                    size,
                });
            }
            if !in_range(ep.time) {
                return Err(ProblemError::Time {
                    detail: format!("{what} time {} is out of range", ep.time),
                });
            }
        }
        for (index, c) in self.candidates.iter().enumerate() {
            let bad = |detail: String| Err(ProblemError::Candidate { index, detail });
            if c.location >= size {
                return Err(ProblemError::Location {
                    what: format!("candidate #{index}"),
                    location: c.location,
                    size,
                });
            }
            if !(0..=VALUE_LIMIT).contains(&c.prize) {
                return bad(format!("prize {} is not in 0..={VALUE_LIMIT}", c.prize));
            }
            if !(0..=VALUE_LIMIT).contains(&c.service) {
                return bad(format!(
                    "service time {} is not in 0..={VALUE_LIMIT}",
                    c.service
                ));
            }
            if let Some(t) = c.mandatory
                && !in_range(t)
            {
                return bad(format!("appointment time {t} is out of range"));
            }
            let mut previous_end: Option<i64> = None;
            for &(lo, hi) in &c.windows {
                if !in_range(lo) || !in_range(hi) {
                    return bad(format!("window {lo}..{hi} is out of range"));
                }
                if lo > hi {
                    return bad(format!("window {lo}..{hi} ends before it starts"));
                }
                if previous_end.is_some_and(|p| p >= lo) {
                    return bad(format!(
                        "window {lo}..{hi} overlaps or precedes the one before"
                    ));
                }
                previous_end = Some(hi);
            }
            if c.windows.is_empty() && c.mandatory.is_none() {
                return bad("no time window".into());
            }
        }
        Ok(())
    }
}

/// Travel times (for feasibility) and distances (for the objective) between places.
///
/// Both are integers in caller-chosen units. Built from a given matrix or from
/// coordinates; never with hidden defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravelMatrix {
    size: usize,
    time: Vec<i64>,
    distance: Vec<i64>,
}

/// A point on the earth in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    /// Degrees north, -90..=90.
    pub lat: f64,
    /// Degrees east, -180..=180.
    pub lon: f64,
}

/// How straight-line distance becomes road distance and time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadModel {
    /// Road distance ÷ great-circle distance (typically 1.2–1.4).
    pub road_factor: f64,
    /// Average speed on the road.
    pub speed_kmh: f64,
    /// Seconds per time unit of the problem: 60 for minutes, 1 for seconds.
    pub seconds_per_unit: f64,
}

/// Mean earth radius (IUGG), km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

fn haversine_km(a: LatLon, b: LatLon) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

impl TravelMatrix {
    /// One matrix used both as travel time and as distance (the benchmark case).
    pub fn from_rows(rows: &[Vec<i64>]) -> Result<Self, ProblemError> {
        Self::from_time_and_distance(rows, rows)
    }

    /// Separate time and distance matrices of the same size.
    pub fn from_time_and_distance(
        time: &[Vec<i64>],
        distance: &[Vec<i64>],
    ) -> Result<Self, ProblemError> {
        let size = time.len();
        if distance.len() != size {
            return Err(ProblemError::MatrixShape {
                detail: format!("{size} time rows but {} distance rows", distance.len()),
            });
        }
        let mut t = Vec::with_capacity(size * size);
        let mut d = Vec::with_capacity(size * size);
        for (source, out) in [(time, &mut t), (distance, &mut d)] {
            for (from, row) in source.iter().enumerate() {
                if row.len() != size {
                    return Err(ProblemError::MatrixShape {
                        detail: format!("row {from} has {} entries, expected {size}", row.len()),
                    });
                }
                for (to, &value) in row.iter().enumerate() {
                    if !(0..=VALUE_LIMIT).contains(&value) {
                        return Err(ProblemError::MatrixEntry { from, to, value });
                    }
                    out.push(value);
                }
            }
        }
        Ok(Self {
            size,
            time: t,
            distance: d,
        })
    }

    /// Great-circle distance × road factor; time = that ÷ speed, rounded *up* to whole
    /// units so a planned route is never tighter than the estimate. Distance is in
    /// metres, rounded to the nearest metre.
    pub fn from_coordinates(points: &[LatLon], road: RoadModel) -> Result<Self, ProblemError> {
        let usable = |v: f64| v.is_finite() && v > 0.0;
        if !usable(road.road_factor) || !usable(road.speed_kmh) || !usable(road.seconds_per_unit) {
            return Err(ProblemError::Coordinates {
                detail: "road factor, speed and seconds per unit must be positive numbers".into(),
            });
        }
        for (i, p) in points.iter().enumerate() {
            if !(p.lat.is_finite()
                && p.lon.is_finite()
                && p.lat.abs() <= 90.0
                && p.lon.abs() <= 180.0)
            {
                return Err(ProblemError::Coordinates {
                    detail: format!(
                        "point {i} ({}, {}) is not a latitude/longitude",
                        p.lat, p.lon
                    ),
                });
            }
        }
        let size = points.len();
        let mut time = vec![vec![0; size]; size];
        let mut distance = vec![vec![0; size]; size];
        for (i, &a) in points.iter().enumerate() {
            for (j, &b) in points.iter().enumerate() {
                let km = haversine_km(a, b) * road.road_factor;
                let units = (km / road.speed_kmh * 3600.0 / road.seconds_per_unit).ceil();
                if !(units.is_finite() && units <= VALUE_LIMIT as f64) {
                    return Err(ProblemError::Coordinates {
                        detail: format!("travel {i}→{j} is too long for the time unit"),
                    });
                }
                time[i][j] = units as i64;
                distance[i][j] = (km * 1000.0).round() as i64;
            }
        }
        Self::from_time_and_distance(&time, &distance)
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.size
    }

    /// No places at all.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Travel time from `a` to `b`; `None` if either is not a place.
    pub fn time(&self, a: usize, b: usize) -> Option<i64> {
        (a < self.size && b < self.size).then(|| self.time[a * self.size + b])
    }

    /// Distance from `a` to `b`; `None` if either is not a place.
    pub fn distance(&self, a: usize, b: usize) -> Option<i64> {
        (a < self.size && b < self.size).then(|| self.distance[a * self.size + b])
    }
}
