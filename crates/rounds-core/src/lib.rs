//! Rounds' domain core: the territory model, the playbook, the day planner and the
//! export format. The demo territory generator is the `rounds-demo` crate.
//!
//! Architecture invariant: nothing here does I/O, reads a clock, the environment or a
//! file; `today` is always an argument. The same inputs give the same plan.

pub mod audit;
pub mod book;
pub mod calendar;
pub mod capture;
pub mod catalogue;
pub mod compliance;
pub mod csv_out;
pub mod export;
pub mod ics;
pub mod ledger;
pub mod model;
pub mod outreach;
pub mod planner;
pub mod playbook;
pub mod referrals;
pub mod reports;
pub mod sending;
pub mod signals;
pub mod simulate;
pub mod values;

/// The field day's route, now part of the planner; the old path still works.
pub use planner::route as day_route;
