//! Arbitrary bytes as a `.vcf` file from a phone, read the way `rounds import` reads
//! one. A refusal is fine; a panic is a crash. On top: every card read names a line
//! within the file, and its contact goes through the same validation as any other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rounds_core::book::vcard;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let lines = text.lines().count().max(1);
    match vcard::read("f.vcf", &text) {
        Ok(drafts) => {
            for d in drafts {
                assert!(d.origin.line >= 1 && d.origin.line <= lines);
                drop(d.record.validate());
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in problems {
                assert!(p.line <= lines, "a problem past the end: {p}");
            }
        }
    }
});
