//! Solves one benchmark instance and prints the route as JSON: the same call and the
//! same answer as `rounds route solve` (which only adds reading the file and printing),
//! without building the whole binary. `bench/route/run` uses it.
//!
//! ```text
//! cargo run --release -p rounds-route --example solve_route -- FILE --format solomon \
//!     [--customers N] [--iterations 3000] [--seed 1] [--starts 4]
//! ```
//!
//! `--customers` defaults to every customer in the file. The answer is re-checked with
//! [`rounds_route::check`] before it is printed; the time is the solver's alone
//! (parsing and checking excluded). One JSON object:
//!
//! ```text
//! {"prize": 250, "distance_units": 1646, "visits": 9, "order": [13, 25, …],
//!  "solve_seconds": 0.05, "seed": 1, "iterations": 3000, "starts": 4}
//! ```

use rounds_route::{SolveOptions, check, instances, solve_best_of};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: solve_route FILE --format solomon|tsptw [--customers N] \
                     [--iterations N] [--seed N] [--starts N]";

struct Args {
    file: String,
    tsptw: bool,
    customers: Option<usize>,
    iterations: u32,
    seed: u64,
    starts: u32,
}

fn parse_args(raw: &[String]) -> Result<Args, String> {
    let mut args = Args {
        file: String::new(),
        tsptw: false,
        customers: None,
        iterations: SolveOptions::DEFAULT_ITERATIONS,
        seed: 1,
        starts: 4,
    };
    let mut format = None;
    let mut it = raw.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        };
        match arg.as_str() {
            "--format" => format = Some(value("--format")?),
            "--customers" => {
                args.customers = Some(number("--customers", value("--customers")?)? as usize);
            }
            "--iterations" => {
                let n = number("--iterations", value("--iterations")?)?;
                args.iterations = u32::try_from(n).map_err(|_| "--iterations too large")?;
            }
            "--seed" => args.seed = number("--seed", value("--seed")?)?,
            "--starts" => {
                let n = number("--starts", value("--starts")?)?;
                args.starts = u32::try_from(n).map_err(|_| "--starts too large")?;
            }
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
            file if args.file.is_empty() => args.file = file.to_string(),
            extra => return Err(format!("unexpected argument {extra}")),
        }
    }
    if args.file.is_empty() {
        return Err("no instance file".into());
    }
    args.tsptw = match format.as_deref() {
        Some("solomon") => false,
        Some("tsptw") => true,
        other => return Err(format!("--format must be solomon or tsptw, not {other:?}")),
    };
    Ok(args)
}

fn run(args: &Args) -> Result<String, String> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file))?;
    let problem = if args.tsptw {
        instances::lkh_tsptw(&text)
    } else {
        // Every customer in the file unless told otherwise: count the data rows.
        let all = text
            .lines()
            .filter(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() == 7 && f[0].parse::<u64>().is_ok()
            })
            .count()
            .saturating_sub(1);
        instances::solomon_optw(&text, args.customers.unwrap_or(all))
    }
    .map_err(|e| format!("{}:{e}", args.file))?;
    let options = SolveOptions {
        seed: args.seed,
        max_iterations: args.iterations,
    };
    let started = Instant::now();
    let solution = solve_best_of(&problem, &options, args.starts)
        .map_err(|e| format!("{}: {e}", args.file))?;
    let seconds = started.elapsed().as_secs_f64();
    let order = solution.order();
    let checked = check(&problem, &order)
        .map_err(|v| format!("internal error: the route failed its check: {v:?}"))?;
    let ids: Vec<String> = order
        .iter()
        .map(|&i| problem.candidates[i].id.to_string())
        .collect();
    Ok(format!(
        "{{\"prize\": {}, \"distance_units\": {}, \"visits\": {}, \"order\": [{}], \
         \"missing_required\": {}, \"solve_seconds\": {seconds}, \"seed\": {}, \
         \"iterations\": {}, \"starts\": {}}}",
        checked.prize,
        checked.distance,
        order.len(),
        ids.join(", "),
        checked.missing_required.len(),
        args.seed,
        args.iterations,
        args.starts
    ))
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&raw) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("solve_route: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("solve_route: {e}");
            ExitCode::FAILURE
        }
    }
}
