//! Shared by both targets: solve a parsed instance with a few iterations and let the
//! independent checker referee the route. Any disagreement panics (a fuzz crash).

use rounds_route::{LeftOutReason, Problem, SolveOptions, check, solve};

/// Instances larger than this are only parsed, so each run stays fast.
pub const SOLVE_AT_MOST: usize = 30;

pub fn solve_and_check(problem: &Problem) {
    if problem.candidates.len() > SOLVE_AT_MOST {
        return;
    }
    let options = SolveOptions {
        seed: 1,
        max_iterations: 40,
    };
    // The parsers promise a usable `Problem`: one that fails validation is a bug.
    let solution = match solve(problem, &options) {
        Ok(s) => s,
        // A day no route fits is a legitimate answer; the checker must agree that the
        // empty route is late too.
        Err(rounds_route::ProblemError::NoFeasibleRoute { .. }) => {
            assert!(check(problem, &[]).is_err(), "solver said no route fits, but the empty route checks");
            return;
        }
        Err(e) => panic!("a parsed instance does not validate: {e}"),
    };
    let order = solution.order();
    let checked = check(problem, &order)
        .unwrap_or_else(|v| panic!("the solver's route fails the checker: {v} ({order:?})"));
    assert_eq!(
        (checked.prize, checked.distance),
        (solution.prize, solution.distance),
        "solver and checker disagree on prize/distance for {order:?}"
    );
    assert_eq!(checked.end_time, solution.end_time, "end time differs");
    for missing in &checked.missing_required {
        assert!(
            solution
                .left_out
                .iter()
                .any(|&(i, r)| i == *missing && r == LeftOutReason::MandatoryInfeasible),
            "required candidate #{missing} left out without being reported"
        );
    }
    assert_eq!(
        order.len() + solution.left_out.len(),
        problem.candidates.len(),
        "every candidate is either visited or left out with a reason"
    );
}
