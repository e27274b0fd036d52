//! Arbitrary bytes (lossy UTF-8) to the LKH-3 TSPTW reader. A parse error is fine; a
//! panic is not; a parsed small instance is solved and its route re-checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(problem) = rounds_route::instances::lkh_tsptw(&text) {
        common::solve_and_check(&problem);
    }
});
