//! Arbitrary bytes to the Solomon OPTW reader: the first byte picks N (1..=100), the
//! rest is the file (lossy UTF-8). A parse error is fine; a panic is not; a parsed
//! small instance is solved and its route re-checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(first % 100) + 1;
    let text = String::from_utf8_lossy(rest);
    if let Ok(problem) = rounds_route::instances::solomon_optw(&text, n) {
        assert_eq!(problem.candidates.len(), n, "asked for {n} customers");
        common::solve_and_check(&problem);
    }
});
