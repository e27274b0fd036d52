//! Solves every benchmark instance in a folder laid out like `bench/route/` and prints
//! a table against the reference figures.
//!
//! ```text
//! cargo run --release --example bench_all -- bench/route/instances [iterations] [seed]
//! ```
//!
//! Solomon files are read as one-rep days over the first 25, 50 and 100 customers;
//! TSPTW files are compared with the length in their `.tour` file's name. Time is the
//! median of five runs (same seed, so the same route each time).

use rounds_route::{Problem, SolveOptions, check, instances, solve};
use std::path::Path;
use std::time::Instant;

/// PyVRP-10 s figures from the README, proven optimal: (instance, N, prize, distance ×10).
const SOLOMON_REFERENCE: &[(&str, usize, i64, i64)] = &[
    ("C101", 25, 250, 1646),
    ("C101", 50, 270, 1787),
    ("C101", 100, 320, 2083),
    ("R101", 25, 82, 1117),
    ("R101", 50, 126, 1124),
    ("R101", 100, 198, 1358),
    ("RC101", 25, 170, 1154),
    ("RC101", 50, 180, 1163),
    ("RC101", 100, 219, 1207),
    ("C201", 25, 450, 2978),
    ("C201", 50, 660, 3521),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(folder) = args.get(1) else {
        eprintln!("usage: bench_all FOLDER [iterations] [seed]");
        std::process::exit(2);
    };
    let iterations = match args.get(2) {
        Some(s) => s.parse()?,
        None => SolveOptions::DEFAULT_ITERATIONS,
    };
    let seed = match args.get(3) {
        Some(s) => s.parse()?,
        None => 1,
    };
    let options = SolveOptions {
        seed,
        max_iterations: iterations,
    };
    let folder = Path::new(folder);
    println!("iterations {iterations}, seed {seed}");
    println!(
        "{:<16} {:>4} {:>7} {:>9} {:>9} {:>9}  verdict",
        "instance", "N", "prize", "distance", "ms", "ref"
    );
    let files = sorted_files(&folder.join("solomon"), "txt")?;
    for file in &files {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let text = std::fs::read_to_string(file)?;
        for n in [25, 50, 100] {
            let problem = instances::solomon_optw(&text, n)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let (prize, distance, ms) = run(&problem, &options)?;
            let reference = SOLOMON_REFERENCE.iter().find(|r| r.0 == name && r.1 == n);
            let (ref_text, verdict) = match reference {
                Some(&(_, _, p, d)) => {
                    let verdict = match (prize.cmp(&p), distance.cmp(&d)) {
                        (std::cmp::Ordering::Equal, std::cmp::Ordering::Equal) => {
                            "= optimum".to_string()
                        }
                        (std::cmp::Ordering::Equal, _) => {
                            format!(
                                "prize =, distance {:+.2}%",
                                100.0 * (distance - d) as f64 / d as f64
                            )
                        }
                        (std::cmp::Ordering::Less, _) => format!("prize {} short", p - prize),
                        (std::cmp::Ordering::Greater, _) => "prize above ref?!".to_string(),
                    };
                    (format!("{p}/{:.1}", d as f64 / 10.0), verdict)
                }
                None => ("-".to_string(), String::new()),
            };
            println!(
                "{:<16} {:>4} {:>7} {:>9.1} {:>9.2} {:>9}  {}",
                name,
                n,
                prize,
                distance as f64 / 10.0,
                ms,
                ref_text,
                verdict
            );
        }
    }
    for file in sorted_files(&folder.join("tsptw"), "tsptw")? {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let text = std::fs::read_to_string(&file)?;
        let problem =
            instances::lkh_tsptw(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let best_known = best_known_tour(folder, &name)?;
        let (_, distance, ms) = run(&problem, &options)?;
        let solution = solve(&problem, &options)?;
        let missing = solution.left_out.len();
        let verdict = match best_known {
            _ if missing > 0 => format!("{missing} required left out"),
            Some(b) if distance == b => "= best known".to_string(),
            Some(b) => format!("{:+}", distance - b),
            None => String::new(),
        };
        let best = best_known.map_or("-".to_string(), |b| b.to_string());
        println!(
            "{:<16} {:>4} {:>7} {:>9} {:>9.2} {:>9}  {}",
            name,
            problem.candidates.len(),
            "-",
            distance,
            ms,
            best,
            verdict
        );
    }
    Ok(())
}

fn sorted_files(
    dir: &Path,
    ext: &str,
) -> Result<Vec<std::path::PathBuf>, Box<dyn std::error::Error>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    Ok(files)
}

/// `n20w20.001` → the number in `n20w20.001.378.tour`.
fn best_known_tour(folder: &Path, name: &str) -> Result<Option<i64>, Box<dyn std::error::Error>> {
    for file in sorted_files(&folder.join("tsptw"), "tour")? {
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if let Some(rest) = stem.strip_prefix(name).and_then(|r| r.strip_prefix('.')) {
            return Ok(rest.parse().ok());
        }
    }
    Ok(None)
}

/// Solves five times; checks the route independently; returns prize, distance and the
/// median time in milliseconds.
fn run(
    problem: &Problem,
    options: &SolveOptions,
) -> Result<(i64, i64, f64), Box<dyn std::error::Error>> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let clock = Instant::now();
        let solution = solve(problem, options)?;
        times.push(clock.elapsed().as_secs_f64() * 1000.0);
        last = Some(solution);
    }
    let solution = last.ok_or("no run")?;
    let checked = check(problem, &solution.order())?;
    if checked.prize != solution.prize || checked.distance != solution.distance {
        return Err(format!(
            "solver says {}/{} but the checker {}/{}",
            solution.prize, solution.distance, checked.prize, checked.distance
        )
        .into());
    }
    times.sort_by(f64::total_cmp);
    Ok((solution.prize, solution.distance, times[2]))
}
