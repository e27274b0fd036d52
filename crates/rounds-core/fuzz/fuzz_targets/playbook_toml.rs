//! Arbitrary bytes as a playbook file (`rounds playbook check`, the Settings page and the
//! API all read through `Playbook::from_toml`). A refusal is fine; a panic is a crash;
//! a refusal lists at most the cap of problems plus the line counting the rest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rounds_core::playbook::{MAX_PLAYBOOK_PROBLEMS, Playbook};

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Err(e) = Playbook::from_toml(&text) {
        assert!(!e.0.is_empty(), "a refusal names a problem");
        assert!(e.0.len() <= MAX_PLAYBOOK_PROBLEMS + 1, "{} problems listed", e.0.len());
    }
});
