//! Day routes for one field rep: which candidates to visit, in what order, when.
//!
//! Two problems share one solver:
//! * **orienteering with time windows** (prize-collecting TSPTW): every candidate has
//!   a prize and the route collects as much prize as fits between the start and the
//!   end times, then drives as little as possible (lexicographic objective);
//! * **plain TSPTW**: every candidate is `required`, so the solver minimises distance.
//!
//! Candidates may have several windows (an office open in the morning and the
//! afternoon around a lunch gap) and fixed appointments. The crate does no I/O, reads
//! no clock and is deterministic: the same [`Problem`] and [`SolveOptions`] give the
//! same [`Solution`] (the search is bounded by iterations, not by time).
//!
//! * [`problem`] — the input types and the travel matrix (given, or from coordinates);
//! * [`solve()`] — the search (algorithm and its reasons in the module docs of `solve`);
//! * [`check`](mod@check) — an independent feasibility checker, the referee for tests;
//! * [`instances`] — parsers for the Solomon and LKH-3 TSPTW benchmark files.
//!
//! **Architecture invariant:** no dependency but `std`; nothing here reads files,
//! clocks or the environment.

pub mod check;
pub mod instances;
pub mod problem;
mod rng;
mod solve;

pub use check::{CheckedRoute, Violation, check};
pub use problem::{
    Candidate, DEFAULT_SERVICE_MINUTES, Endpoint, LatLon, Problem, ProblemError, RoadModel,
    TravelMatrix,
};
pub use solve::{LeftOutReason, Solution, SolveOptions, Visit, solve, solve_best_of};
