//! Arbitrary bytes as an export file, read the way `rounds import` reads it: line by
//! line through `JsonlReader`. A refusal is fine; a panic is a crash. Two properties on
//! top: reading in chunks of three records gives the same records as reading the file
//! whole, and a file that reads is written back (`to_jsonl`) as a file that reads to the
//! same records.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rounds_core::export::{JsonlReader, OrgData};

fn read(text: &str, chunk: usize) -> Result<OrgData, usize> {
    let mut reader = JsonlReader::new(chunk);
    let mut chunks = Vec::new();
    for (i, line) in text.lines().enumerate() {
        reader.line(i + 1, line);
        while let Some(c) = reader.take_ready() {
            chunks.push(c);
        }
    }
    match reader.finish() {
        Ok(rest) => {
            chunks.extend(rest);
            let mut all = chunks.into_iter();
            let mut data = all.next().expect("a file that reads has a chunk");
            for c in all {
                assert_eq!(c.organisation, data.organisation, "chunks name one organisation");
                data.users.extend(c.users);
                data.accounts.extend(c.accounts);
                data.contacts.extend(c.contacts);
                data.topics.extend(c.topics);
                data.touches.extend(c.touches);
                data.referrals.extend(c.referrals);
                data.lost.extend(c.lost);
                data.no_fits.extend(c.no_fits);
                data.step_updates.extend(c.step_updates);
                data.work_weeks.extend(c.work_weeks);
                data.time_off.extend(c.time_off);
            }
            Ok(data)
        }
        Err(problems) => {
            assert!(problems.total >= problems.listed.len() && problems.total > 0);
            Err(problems.total)
        }
    }
}

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let whole = OrgData::from_jsonl(&text);
    let chunked = read(&text, 3);
    match (&whole, &chunked) {
        (Ok(w), Ok(c)) => assert_eq!(w, c, "chunked and whole reads differ"),
        (Err(w), Err(total)) => assert_eq!(w.len().min(1), (*total).min(1)),
        _ => panic!("chunked and whole reads disagree on whether the file is good"),
    }
    if let Ok(data) = whole {
        let again = OrgData::from_jsonl(&data.to_jsonl()).expect("a written file reads");
        assert_eq!(again, data, "write then read is not the identity");
    }
});
