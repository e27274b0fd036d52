//! Invariants over random small days: every route the solver returns is feasible by
//! the independent checker, appointments are kept or reported, the seed fixes the
//! route, lunch gaps are respected, and tiny days are solved to optimality.

use proptest::prelude::*;
use rounds_route::{
    Candidate, Endpoint, LeftOutReason, Problem, Solution, SolveOptions, TravelMatrix, check, solve,
};

/// What a random candidate looks like before it becomes a [`Candidate`].
#[derive(Debug, Clone)]
struct Draft {
    x: i64,
    y: i64,
    prize: i64,
    service: i64,
    open: i64,
    width: i64,
    /// Lunch gap and afternoon width; `None` for one window.
    second: Option<(i64, i64)>,
    /// 0: optional, 1: required, 2: fixed appointment at `open`.
    kind: u8,
}

fn draft() -> impl Strategy<Value = Draft> {
    (
        (0i64..60, 0i64..60, 0i64..12, 0i64..25),
        (
            0i64..250,
            0i64..80,
            proptest::option::weighted(0.4, (1i64..60, 0i64..80)),
        ),
        prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
    )
        .prop_map(
            |((x, y, prize, service), (open, width, second), kind)| Draft {
                x,
                y,
                prize,
                service,
                open,
                width,
                second,
                kind,
            },
        )
}

fn build(home: (i64, i64), horizon: i64, drafts: &[Draft]) -> Problem {
    let mut points = vec![home];
    points.extend(drafts.iter().map(|d| (d.x, d.y)));
    let rows: Vec<Vec<i64>> = points
        .iter()
        .map(|a| {
            points
                .iter()
                .map(|b| {
                    (((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)) as f64)
                        .sqrt()
                        .floor() as i64
                })
                .collect()
        })
        .collect();
    let candidates = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut windows = vec![(d.open, d.open + d.width)];
            if let Some((gap, width)) = d.second {
                let opens = d.open + d.width + gap;
                windows.push((opens, opens + width));
            }
            Candidate {
                id: i as i64 + 100,
                location: i + 1,
                prize: d.prize,
                service: d.service,
                windows,
                mandatory: (d.kind == 2).then_some(d.open),
                required: d.kind == 1,
            }
        })
        .collect();
    Problem {
        start: Endpoint {
            location: 0,
            time: 0,
        },
        end: Endpoint {
            location: 0,
            time: horizon,
        },
        candidates,
        matrix: TravelMatrix::from_rows(&rows).unwrap(),
    }
}

fn day(max: usize) -> impl Strategy<Value = Problem> {
    (
        (0i64..60, 0i64..60),
        50i64..400,
        proptest::collection::vec(draft(), 1..=max),
    )
        .prop_map(|(home, horizon, drafts)| build(home, horizon, &drafts))
}

fn options(seed: u64) -> SolveOptions {
    SolveOptions {
        seed,
        max_iterations: 300,
    }
}

/// Everything a returned solution must satisfy, whatever the instance.
fn assert_sound(problem: &Problem, solution: &Solution) {
    let order = solution.order();
    let checked =
        check(problem, &order).unwrap_or_else(|v| panic!("infeasible route {order:?}: {v}"));
    assert_eq!(checked.prize, solution.prize);
    assert_eq!(checked.distance, solution.distance);
    assert!(solution.end_time <= problem.end.time);
    // The reported schedule is itself consistent, from the reported departure.
    let mut clock = solution.start_departure;
    let mut here = problem.start.location;
    assert!(clock >= problem.start.time);
    for v in &solution.visits {
        let c = &problem.candidates[v.candidate];
        assert_eq!(
            v.arrival,
            clock + problem.matrix.time(here, c.location).unwrap()
        );
        assert_eq!(v.wait, v.start - v.arrival);
        assert!(v.wait >= 0);
        match c.mandatory {
            Some(t) => assert_eq!(v.start, t, "appointment moved"),
            None => assert!(
                c.windows
                    .iter()
                    .any(|&(lo, hi)| lo <= v.start && v.start <= hi)
            ),
        }
        assert_eq!(v.departure, v.start + c.service);
        clock = v.departure;
        here = c.location;
    }
    assert_eq!(
        solution.end_time,
        clock + problem.matrix.time(here, problem.end.location).unwrap()
    );
    // Every candidate is either visited or explained, never both.
    let mut seen = vec![0; problem.candidates.len()];
    for &i in &order {
        seen[i] += 1;
    }
    for &(i, _) in &solution.left_out {
        seen[i] += 1;
    }
    assert!(seen.iter().all(|&s| s == 1), "{seen:?}");
    // Must-visits left out are exactly those reported as impossible.
    let impossible: Vec<usize> = solution
        .left_out
        .iter()
        .filter(|(_, r)| *r == LeftOutReason::MandatoryInfeasible)
        .map(|(i, _)| *i)
        .collect();
    assert_eq!(checked.missing_required, impossible);
}

/// Best (must-visits, prize, -distance) by exhaustive search, for tiny days.
fn brute_force(problem: &Problem) -> (usize, i64, i64) {
    fn go(p: &Problem, order: &mut Vec<usize>, used: &mut Vec<bool>, best: &mut (usize, i64, i64)) {
        let Ok(c) = check(p, order) else { return };
        let musts =
            p.candidates.iter().filter(|c| c.must_visit()).count() - c.missing_required.len();
        *best = (*best).max((musts, c.prize, -c.distance));
        for i in 0..p.candidates.len() {
            if !used[i] {
                used[i] = true;
                order.push(i);
                go(p, order, used, best);
                order.pop();
                used[i] = false;
            }
        }
    }
    let mut best = (0, i64::MIN, i64::MIN);
    go(
        problem,
        &mut Vec::new(),
        &mut vec![false; problem.candidates.len()],
        &mut best,
    );
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_route_is_feasible_by_the_checker(problem in day(12), seed in any::<u64>()) {
        let solution = solve(&problem, &options(seed)).unwrap();
        assert_sound(&problem, &solution);
    }

    #[test]
    fn the_same_seed_gives_the_same_route(problem in day(12), seed in any::<u64>()) {
        let a = solve(&problem, &options(seed)).unwrap();
        let b = solve(&problem, &options(seed)).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn tiny_days_are_solved_to_optimality(problem in day(6)) {
        let solution = solve(&problem, &options(7)).unwrap();
        let musts = problem.candidates.iter().filter(|c| c.must_visit()).count()
            - solution.left_out.iter().filter(|(_, r)| *r == LeftOutReason::MandatoryInfeasible).count();
        prop_assert_eq!((musts, solution.prize, -solution.distance), brute_force(&problem));
    }
}

/// Offices open 9:00–12:00 and 14:00–17:00 (minutes from midnight); travel is long
/// enough that some visits land in the lunch gap unless the solver waits.
#[test]
fn two_window_offices_are_never_visited_at_lunch() {
    let lunch = (720, 840);
    for seed in 0..40u64 {
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = |m: i64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % m as u64) as i64
        };
        let drafts: Vec<Draft> = (0..10)
            .map(|_| Draft {
                x: next(60),
                y: next(60),
                prize: 1 + next(9),
                service: 15 + next(30),
                open: 540,
                width: 180,
                second: Some((lunch.1 - lunch.0, 180)),
                kind: 0,
            })
            .collect();
        let mut problem = build((30, 30), 1080, &drafts);
        problem.start.time = 480;
        // Slow roads: one grid unit is two minutes.
        let rows: Vec<Vec<i64>> = (0..problem.matrix.len())
            .map(|a| {
                (0..problem.matrix.len())
                    .map(|b| 2 * problem.matrix.time(a, b).unwrap())
                    .collect()
            })
            .collect();
        problem.matrix = TravelMatrix::from_rows(&rows).unwrap();
        let solution = solve(&problem, &options(seed)).unwrap();
        assert_sound(&problem, &solution);
        for v in &solution.visits {
            assert!(
                !(v.start > lunch.0 && v.start < lunch.1),
                "visit starts at {} in the lunch gap",
                v.start
            );
        }
        assert!(
            solution.visits.iter().any(|v| v.start >= lunch.1),
            "seed {seed}: nothing in the afternoon"
        );
    }
}

#[test]
fn an_appointment_is_kept_at_its_time() {
    let drafts = vec![
        Draft {
            x: 10,
            y: 0,
            prize: 1,
            service: 10,
            open: 100,
            width: 0,
            second: None,
            kind: 2,
        },
        Draft {
            x: 0,
            y: 10,
            prize: 5,
            service: 10,
            open: 0,
            width: 300,
            second: None,
            kind: 0,
        },
    ];
    let problem = build((0, 0), 400, &drafts);
    let solution = solve(&problem, &SolveOptions::default()).unwrap();
    assert_sound(&problem, &solution);
    let appointment = solution.visits.iter().find(|v| v.candidate == 0).unwrap();
    assert_eq!(appointment.start, 100);
}

#[test]
fn clashing_appointments_are_reported_not_moved() {
    // Two appointments at the same time in different places: one must be dropped.
    let drafts = vec![
        Draft {
            x: 10,
            y: 0,
            prize: 1,
            service: 10,
            open: 100,
            width: 0,
            second: None,
            kind: 2,
        },
        Draft {
            x: 0,
            y: 10,
            prize: 1,
            service: 10,
            open: 100,
            width: 0,
            second: None,
            kind: 2,
        },
        Draft {
            x: 50,
            y: 50,
            prize: 1,
            service: 10,
            open: 10,
            width: 5,
            second: None,
            kind: 0,
        },
    ];
    let problem = build((0, 0), 400, &drafts);
    let solution = solve(&problem, &SolveOptions::default()).unwrap();
    assert_sound(&problem, &solution);
    assert_eq!(solution.visits.len(), 1);
    assert!(
        solution
            .left_out
            .contains(&(2, LeftOutReason::NoFeasibleWindow))
    );
    assert_eq!(
        solution
            .left_out
            .iter()
            .filter(|(_, r)| *r == LeftOutReason::MandatoryInfeasible)
            .count(),
        1
    );
}

#[test]
fn p28_a_visit_lasts_fifteen_minutes_by_default() {
    let c = Candidate::optional_minutes(7, 1, 3, vec![(540, 1020)]);
    assert_eq!(c.service, 15);
    assert_eq!(rounds_route::DEFAULT_SERVICE_MINUTES, 15);
}

#[test]
fn a_place_that_cannot_fit_even_alone_says_so() {
    let drafts = vec![Draft {
        x: 50,
        y: 50,
        prize: 9,
        service: 10,
        open: 0,
        width: 10,
        second: None,
        kind: 0,
    }];
    let problem = build((0, 0), 400, &drafts);
    let solution = solve(&problem, &SolveOptions::default()).unwrap();
    assert_eq!(
        solution.left_out,
        vec![(0, LeftOutReason::NoFeasibleWindow)]
    );
}
