//! Referral counts from the command line (P9): a touch logged with the outcome
//! `referral` adds to the day's count, a CSV sets many counts all or nothing and is safe
//! to repeat, and nothing that looks like a patient identifier gets in.

mod common;
use common::Rounds;

const NOW: &str = "2026-11-24T17:00:00-06:00";

fn demo() -> Rounds {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "7", "--date", "2026-11-24"]);
    r
}

/// The referral counts of the export, as `contact day count` lines, sorted.
fn counts(r: &Rounds) -> Vec<String> {
    let mut out: Vec<String> = r
        .export()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["record"] == "referral")
        .map(|v| {
            format!(
                "{} {} {}",
                v["contact"],
                v["day"].as_str().unwrap(),
                v["count"]
            )
        })
        .collect();
    out.sort();
    out
}

fn count_of(r: &Rounds, contact: i64, day: &str) -> Option<u64> {
    counts(r).iter().find_map(|l| {
        let mut parts = l.split(' ');
        let (c, d, n) = (parts.next()?, parts.next()?, parts.next()?);
        (c == contact.to_string() && d == day).then(|| n.parse().unwrap())
    })
}

#[test]
fn p9_a_referral_logged_with_a_touch_is_counted_once() {
    let r = demo();
    let before = count_of(&r, 1, "2026-11-24").unwrap_or(0);
    let out = r.ok(&[
        "--now",
        NOW,
        "log",
        "--contact",
        "1",
        "--channel",
        "visit",
        "--outcome",
        "referral",
        "--count",
        "2",
    ]);
    assert!(out.contains("Added 2 referrals to"), "{out}");
    assert_eq!(count_of(&r, 1, "2026-11-24"), Some(before + 2));
    r.ok(&[
        "--now",
        NOW,
        "log",
        "--contact",
        "1",
        "--channel",
        "call",
        "--outcome",
        "referral",
    ]);
    assert_eq!(
        count_of(&r, 1, "2026-11-24"),
        Some(before + 3),
        "one by default"
    );

    let err = r.fails(&[
        "--now",
        NOW,
        "log",
        "--contact",
        "1",
        "--outcome",
        "positive",
        "--count",
        "2",
    ]);
    assert!(
        err.contains("referrals") && err.contains("outcome `referral`"),
        "{err}"
    );
    let err = r.fails(&[
        "--now",
        NOW,
        "log",
        "--contact",
        "1",
        "--outcome",
        "referral",
        "--count",
        "5000",
    ]);
    assert!(err.contains("not plausible"), "{err}");
    assert_eq!(
        count_of(&r, 1, "2026-11-24"),
        Some(before + 3),
        "refused: nothing added"
    );
}

#[test]
fn p9_a_note_naming_a_patient_is_refused() {
    let r = demo();
    let touches_before = r.export().matches("\"record\":\"touch\"").count();
    for note in [
        "Referred Jane Doe, DOB 03/14/1962, for a knee MRI",
        "Patient MRN 00482913 needs a follow-up",
        "Her SSN is 123-45-6789",
    ] {
        let err = r.fails(&[
            "--now",
            NOW,
            "log",
            "--contact",
            "1",
            "--outcome",
            "referral",
            "--note",
            note,
        ]);
        assert!(
            err.contains("note") && err.contains("never patient data (P9)"),
            "{note}: {err}"
        );
    }
    assert_eq!(
        r.export().matches("\"record\":\"touch\"").count(),
        touches_before,
        "nothing written"
    );
    r.ok(&[
        "--now",
        NOW,
        "log",
        "--contact",
        "1",
        "--outcome",
        "conversation",
        "--note",
        "Met on 2026-11-20; call (312) 555-0101 about the 2 referrals",
    ]);
}

#[test]
fn p9_a_referral_csv_sets_counts_all_or_nothing_and_is_safe_to_repeat() {
    let r = demo();
    let email = r
        .export()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["record"] == "contact" && v["id"] == 2)
        .and_then(|v| v["channels"]["email"].as_str().map(str::to_string))
        .expect("contact 2 has an e-mail address");
    let good = r.path("november.csv");
    std::fs::write(
        &good,
        format!("contact,day,count\n1,2026-11-20,4\n{email},2026-11-21,1\n"),
    )
    .unwrap();
    let good = good.to_str().unwrap();
    let out = r.ok(&["--now", NOW, "referral", "import", good]);
    assert!(out.contains("2 count(s) read, 2 new or changed"), "{out}");
    assert_eq!(count_of(&r, 1, "2026-11-20"), Some(4));
    assert_eq!(count_of(&r, 2, "2026-11-21"), Some(1));
    let out = r.ok(&["--now", NOW, "referral", "import", good]);
    assert!(out.contains("0 new or changed, 2 already so"), "{out}");

    let before = counts(&r);
    let bad = r.path("bad.csv");
    std::fs::write(&bad, "contact,day,count,patient\n1,2026-11-22,1,Jane Doe\n").unwrap();
    let bad = bad.to_str().unwrap();
    let err = r.fails(&["--now", NOW, "referral", "import", bad]);
    assert!(
        err.contains(&format!("{bad}:1: patient: not a column")) && err.contains("(P9)"),
        "{err}"
    );
    let worse = r.path("worse.csv");
    std::fs::write(
        &worse,
        "contact,day,count\n1,2026-11-22,2\n999999,2026-11-22,1\n1,2026-12-30,1\n1,DOB 1/2/1960,1\n",
    )
    .unwrap();
    let worse = worse.to_str().unwrap();
    let err = r.fails(&["--now", NOW, "referral", "import", worse]);
    assert!(err.contains(&format!("{worse}:5: day:")), "{err}");
    assert!(err.contains("never patient data"), "{err}");
    // The line-level problems of the rows that parsed are reported once the file reads.
    let contacts = r.path("contacts.csv");
    std::fs::write(
        &contacts,
        "contact,day,count\n1,2026-11-22,2\n999999,2026-11-22,1\n1,2026-12-30,1\n",
    )
    .unwrap();
    let contacts = contacts.to_str().unwrap();
    let err = r.fails(&["--now", NOW, "referral", "import", contacts]);
    assert!(
        err.contains(&format!("{contacts}:3: contact: no contact 999999")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{contacts}:4: day: 2026-12-30 is in the future")),
        "{err}"
    );
    assert_eq!(counts(&r), before, "nothing was imported");
}
