//! Arbitrary bytes as a calendar file (`rounds calendar busy import` reads through
//! `ics::read_busy`). A refusal is fine; a panic is a crash. A refusal names at least one
//! problem, each on a line of the file; busy times that read lie within the horizon, end
//! after they start, and come sorted by start.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rounds_core::ics::{BusyOptions, read_busy};
use rounds_core::model::UserId;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let opts = BusyOptions {
        rep: UserId(1),
        source: "fuzz.ics".into(),
        home: "America/Chicago".parse().unwrap(),
        from: "2026-03-01T00:00:00Z".parse().unwrap(),
        to: "2026-07-01T00:00:00Z".parse().unwrap(),
    };
    let lines = text.split('\n').count();
    match read_busy(&text, &opts) {
        Err(problems) => {
            assert!(!problems.is_empty(), "a refusal names a problem");
            for p in &problems {
                assert!(p.line >= 1 && p.line <= lines, "line {} of {lines}", p.line);
            }
        }
        Ok(read) => {
            for b in &read.busy {
                assert!(b.start < b.end, "{b:?}");
                assert!(b.end > opts.from && b.start < opts.to, "{b:?}");
            }
            assert!(read.busy.windows(2).all(|w| w[0].start <= w[1].start));
        }
    }
});
