//! `rounds route solve`: published route instances through the day-route solver.

use anyhow::{Context, Result, anyhow};

use crate::cli::{RouteFormat, RouteSolveArgs};
use crate::print_json;

/// Solves a published instance; the clock is read only to report the solve time.
#[allow(clippy::disallowed_methods)]
pub(crate) fn solve(a: &RouteSolveArgs) -> Result<()> {
    use rounds_route::{SolveOptions, check, instances, solve_best_of};
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let problem = match a.format {
        RouteFormat::Solomon => instances::solomon_optw(&text, a.customers),
        RouteFormat::Tsptw => instances::lkh_tsptw(&text),
    }
    .map_err(|e| anyhow!("{}:{e}", a.file.display()))?;
    let options = SolveOptions {
        seed: a.seed,
        max_iterations: a.iterations,
    };
    let started = std::time::Instant::now();
    let solution = solve_best_of(&problem, &options, a.starts)
        .map_err(|e| anyhow!("{}: {e}", a.file.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let order = solution.order();
    // Every answer is re-verified from scratch before it is printed.
    let checked = check(&problem, &order)
        .map_err(|v| anyhow!("internal error: the route failed its check: {v:?}"))?;
    let scale = if a.format == RouteFormat::Solomon {
        10.0
    } else {
        1.0
    };
    print_json(&serde_json::json!({
        "file": a.file.display().to_string(),
        "format": format!("{:?}", a.format).to_lowercase(),
        "customers": problem.candidates.len(),
        "prize": checked.prize,
        "distance": checked.distance as f64 / scale,
        "distance_units": checked.distance,
        "visits": order.len(),
        "order": order.iter().map(|&i| problem.candidates[i].id).collect::<Vec<_>>(),
        "missing_required": checked.missing_required.len(),
        "solve_seconds": seconds,
        "seed": a.seed,
        "iterations": a.iterations,
        "starts": a.starts,
    }))
}
