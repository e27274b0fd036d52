//! The benchmark figures the issue names, reproduced exactly from the shared files.

use rounds_route::{SolveOptions, check, instances, solve};

const C101: &str = include_str!("../../../bench/route/instances/solomon/C101.txt");
const N20W20_001: &str = include_str!("../../../bench/route/instances/tsptw/n20w20.001.tsptw");
const N20W20_001_TOUR: &str =
    include_str!("../../../bench/route/instances/tsptw/n20w20.001.378.tour");

#[test]
fn c101_with_25_customers_collects_250_over_164_6() {
    let problem = instances::solomon_optw(C101, 25).unwrap();
    let solution = solve(&problem, &SolveOptions::default()).unwrap();
    assert_eq!((solution.prize, solution.distance), (250, 1646));
    let checked = check(&problem, &solution.order()).unwrap();
    assert_eq!((checked.prize, checked.distance), (250, 1646));
}

#[test]
fn n20w20_001_reaches_the_best_known_378() {
    let problem = instances::lkh_tsptw(N20W20_001).unwrap();
    let solution = solve(&problem, &SolveOptions::default()).unwrap();
    assert!(solution.left_out.is_empty(), "{:?}", solution.left_out);
    assert_eq!(solution.distance, 378);
    let checked = check(&problem, &solution.order()).unwrap();
    assert_eq!(checked.distance, 378);
    assert!(checked.missing_required.is_empty());
}

/// The LKH tour is feasible and 378 long by the checker: the parser and the checker
/// agree with LKH-3 on what the file means.
#[test]
fn the_published_n20w20_001_tour_checks_at_378() {
    let problem = instances::lkh_tsptw(N20W20_001).unwrap();
    let nodes: Vec<i64> = N20W20_001_TOUR
        .lines()
        .skip_while(|l| l.trim() != "TOUR_SECTION")
        .skip(1)
        .map_while(|l| l.trim().parse::<i64>().ok())
        .take_while(|&v| v != -1)
        .collect();
    assert_eq!(nodes.first(), Some(&1));
    let order: Vec<usize> = nodes[1..]
        .iter()
        .map(|id| problem.candidates.iter().position(|c| c.id == *id).unwrap())
        .collect();
    let checked = check(&problem, &order).unwrap();
    assert_eq!(checked.distance, 378);
}

#[test]
fn solomon_scaling_follows_the_readme() {
    let problem = instances::solomon_optw(C101, 25).unwrap();
    assert_eq!(problem.candidates.len(), 25);
    assert_eq!((problem.start.time, problem.end.time), (0, 12360));
    // Customer 1: (45, 68), demand 10, window 912..967, service 90; depot at (40, 50).
    let first = &problem.candidates[0];
    assert_eq!((first.id, first.prize, first.service), (1, 10, 900));
    assert_eq!(first.windows, vec![(9120, 9670)]);
    // ⌊10 × √(5² + 18²)⌋ = ⌊186.8…⌋.
    assert_eq!(problem.matrix.time(0, 1), Some(186));
}

/// Restarts from several seeds keep the best route, the same one whatever the threads
/// do, and never worse than the first seed alone.
#[test]
fn best_of_several_seeds_is_deterministic_and_no_worse_than_one() {
    let problem = instances::solomon_optw(C101, 25).unwrap();
    let options = SolveOptions {
        seed: 7,
        max_iterations: 300,
    };
    let single = solve(&problem, &options).unwrap();
    let first = rounds_route::solve_best_of(&problem, &options, 4).unwrap();
    let again = rounds_route::solve_best_of(&problem, &options, 4).unwrap();
    assert_eq!(first, again);
    assert!((first.prize, -first.distance) >= (single.prize, -single.distance));
    check(&problem, &first.order()).unwrap();
}

/// Found by fuzzing: when even the drive from the start to the end misses the end time,
/// the solver says so instead of returning a route the checker rejects.
#[test]
fn a_day_too_short_for_any_route_is_an_error_not_a_late_route() {
    use rounds_route::{Candidate, Endpoint, Problem, ProblemError, TravelMatrix};
    let problem = Problem {
        start: Endpoint {
            location: 0,
            time: 0,
        },
        end: Endpoint {
            location: 1,
            time: 5,
        },
        candidates: vec![Candidate::optional_minutes(7, 0, 3, vec![(0, 100)])],
        matrix: TravelMatrix::from_rows(&[vec![0, 10], vec![10, 0]]).unwrap(),
    };
    assert!(check(&problem, &[]).is_err());
    let err = solve(&problem, &SolveOptions::default()).unwrap_err();
    assert!(
        matches!(err, ProblemError::NoFeasibleRoute { latest: 5, .. }),
        "{err}"
    );
    let file = include_str!("../fuzz/regressions/tsptw-late-empty-route.tsptw");
    let problem = instances::lkh_tsptw(file).unwrap();
    assert!(matches!(
        solve(&problem, &SolveOptions::default()),
        Err(ProblemError::NoFeasibleRoute { .. })
    ));
}
