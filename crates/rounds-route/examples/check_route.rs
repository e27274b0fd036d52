//! Checks one route against a benchmark instance with [`rounds_route::check`]: the
//! single referee for every solver's answer in `bench/route/compare.py`.
//!
//! ```text
//! cargo run --release --example check_route -- FILE --format solomon --customers 25 --order '[5, 3, 7]'
//! echo '[2, 5, 9]' | cargo run --release --example check_route -- FILE --format tsptw
//! ```
//!
//! The route is a JSON array of candidate ids, the depot left out: Solomon customer
//! numbers (1..=N) or TSPTW node numbers. It is read from `--order`, or else from
//! standard input. One JSON object is printed:
//!
//! ```text
//! {"feasible": true, "prize": 250, "distance_units": 1646, "distance": 164.6,
//!  "visits": 21, "missing_required": [], "violation": null}
//! ```
//!
//! `distance_units` is in the instance's integer units (Solomon ×10); `distance` is in
//! the file's units (Solomon ÷10). `feasible` is the checker's verdict on times and
//! ids; `missing_required` lists the ids of must-visit candidates the route leaves out
//! (every TSPTW node), which the checker reports without refusing the route. An id
//! that is not a candidate (or the depot) makes the route infeasible.
//!
//! Exit status: 0 whenever a verdict was printed, feasible or not; 2 for bad
//! arguments, an unreadable file, an instance that does not parse or a route that is
//! not a JSON array of integers.

use rounds_route::{Problem, Violation, check, instances};
use std::io::Read;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Solomon,
    Tsptw,
}

#[derive(Debug)]
struct Args {
    file: String,
    format: Format,
    customers: usize,
    order: Option<String>,
}

const USAGE: &str = "usage: check_route FILE --format solomon|tsptw [--customers N] [--order JSON]\n\
     The route is a JSON array of candidate ids (Solomon customer numbers or TSPTW node\n\
     numbers, depot excluded), from --order or standard input.";

fn parse_args(raw: &[String]) -> Result<Args, String> {
    let mut file = None;
    let mut format = None;
    let mut customers = 100;
    let mut order = None;
    let mut it = raw.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().cloned().ok_or(format!("{name} needs a value")),
            }
        };
        match flag {
            "--format" => {
                format = Some(match value("--format")?.as_str() {
                    "solomon" => Format::Solomon,
                    "tsptw" => Format::Tsptw,
                    other => return Err(format!("--format `{other}`: expected solomon or tsptw")),
                });
            }
            "--customers" => {
                let v = value("--customers")?;
                customers = v
                    .parse()
                    .map_err(|_| format!("--customers `{v}` is not a count"))?;
            }
            "--order" => order = Some(value("--order")?),
            "-h" | "--help" => return Err(String::new()),
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown flag {f}")),
            _ if file.is_none() => file = Some(arg.clone()),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(Args {
        file: file.ok_or("missing FILE")?,
        format: format.ok_or("missing --format")?,
        customers,
        order,
    })
}

/// A JSON array of integers, nothing else (the only shape a route takes).
fn parse_id_array(text: &str) -> Result<Vec<i64>, String> {
    let body = text
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or("the route must be a JSON array such as [3, 1, 2]")?;
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    body.split(',')
        .map(|item| {
            let item = item.trim();
            item.parse::<i64>()
                .map_err(|_| format!("route entry `{item}` is not an integer id"))
        })
        .collect()
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The checker's violation, with candidate indices turned back into ids.
fn describe(problem: &Problem, v: &Violation) -> String {
    let id = |index: usize| {
        problem
            .candidates
            .get(index)
            .map_or(format!("#{index}"), |c| c.id.to_string())
    };
    match v {
        Violation::UnknownCandidate { position, .. } => {
            format!("stop {position} is not a candidate")
        }
        Violation::Repeated { candidate } => format!("id {} is visited twice", id(*candidate)),
        Violation::UnknownPlace { location } => format!("location {location} is not in the matrix"),
        Violation::MissedWindows { candidate, arrival } => format!(
            "id {}: arrival at {arrival} is after its window closes",
            id(*candidate)
        ),
        Violation::MissedAppointment {
            candidate,
            arrival,
            appointment,
        } => format!(
            "id {}: arrival at {arrival} is after the appointment at {appointment}",
            id(*candidate)
        ),
        Violation::LateAtEnd { arrival, latest } => {
            format!("reaches the depot at {arrival}, after its latest {latest}")
        }
        Violation::Overflow => "a time or distance sum overflowed".to_string(),
    }
}

fn run(raw: &[String]) -> Result<String, String> {
    let args = parse_args(raw)?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file))?;
    let problem = match args.format {
        Format::Solomon => instances::solomon_optw(&text, args.customers),
        Format::Tsptw => instances::lkh_tsptw(&text),
    }
    .map_err(|e| format!("{}:{e}", args.file))?;
    let route_text = match args.order {
        Some(t) => t,
        None => {
            let mut t = String::new();
            std::io::stdin()
                .read_to_string(&mut t)
                .map_err(|e| format!("cannot read the route from standard input: {e}"))?;
            t
        }
    };
    let ids = parse_id_array(&route_text)?;
    let scale = match args.format {
        Format::Solomon => 10.0,
        Format::Tsptw => 1.0,
    };
    let infeasible = |why: String| {
        format!(
            "{{\"feasible\": false, \"prize\": null, \"distance_units\": null, \"distance\": null, \"visits\": {}, \"missing_required\": null, \"violation\": {}}}",
            ids.len(),
            json_string(&why)
        )
    };
    let mut order = Vec::with_capacity(ids.len());
    for (position, id) in ids.iter().enumerate() {
        match problem.candidates.iter().position(|c| c.id == *id) {
            Some(index) => order.push(index),
            None => {
                return Ok(infeasible(format!(
                    "stop {position}: id {id} is not a candidate of this instance"
                )));
            }
        }
    }
    Ok(match check(&problem, &order) {
        Ok(route) => {
            let missing: Vec<String> = route
                .missing_required
                .iter()
                .map(|&i| problem.candidates[i].id.to_string())
                .collect();
            format!(
                "{{\"feasible\": true, \"prize\": {}, \"distance_units\": {}, \"distance\": {}, \"visits\": {}, \"missing_required\": [{}], \"violation\": null}}",
                route.prize,
                route.distance,
                route.distance as f64 / scale,
                order.len(),
                missing.join(", ")
            )
        }
        Err(v) => infeasible(describe(&problem, &v)),
    })
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    match run(&raw) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            if !message.is_empty() {
                eprintln!("check_route: {message}");
            }
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_id_array;

    #[test]
    fn reads_json_arrays_of_ids() {
        assert_eq!(parse_id_array(" [3, 1,2]\n"), Ok(vec![3, 1, 2]));
        assert_eq!(parse_id_array("[]"), Ok(vec![]));
        assert!(parse_id_array("[1,]").is_err());
        assert!(parse_id_array("1, 2").is_err());
        assert!(parse_id_array("[1.5]").is_err());
    }
}
