//! `rounds ledger` end to end (P14): the golden meal recorded and split, the list, the
//! Open Payments export to stdout and to a file, the cap's warning on stderr, voiding,
//! and refusals naming the flag and the rule.

mod common;

use common::Rounds;

/// Noon UTC: 2026-11-24 in every zone a test machine may be in.
const NOW: &str = "2026-11-24T12:00:00Z";

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Rita Rep","email":"rita@example.org","role":"rep","team":"north"}
{"record":"account","id":1,"name":"Lakeside Orthopaedics","rep":1,"kind":"practice","segment":"medical-provider","address":{"street":"1 Lake St","city":"Chicago","region":"IL","postal_code":"60601","lat":41.88,"lon":-87.63},"tz":"America/Chicago","access":"open","status":"customer"}
{"record":"contact","id":1,"account":1,"name":"Dr. Ada Reyes","role":"physician","influence":"decision-maker","specialty":"orthopaedics","channels":{}}
{"record":"contact","id":2,"account":1,"name":"Dr. Ben Cho","role":"physician","influence":"influencer","channels":{}}
{"record":"contact","id":3,"account":1,"name":"Dee Evans, NP","role":"other","influence":"influencer","specialty":"nurse-practitioner","channels":{}}
{"record":"contact","id":4,"account":1,"name":"Dr. Cal Diaz","role":"physician","influence":"influencer","channels":{}}
{"record":"contact","id":5,"account":1,"name":"Dr. Eve Fox","role":"physician","influence":"influencer","channels":{}}
{"record":"contact","id":6,"account":1,"name":"Fay Gold","role":"office-manager","influence":"gatekeeper","channels":{}}
{"record":"contact","id":7,"account":1,"name":"Gus Hale","role":"front-desk","influence":"gatekeeper","channels":{}}
"#;

fn seeded() -> Rounds {
    let r = Rounds::new();
    let file = r.path("seed.jsonl");
    std::fs::write(&file, SEED).unwrap();
    r.ok(&["import", file.to_str().unwrap()]);
    r
}

fn add_golden_meal(r: &Rounds, extra: &[&str]) -> std::process::Output {
    add_meal(r, "Lunch for the office", extra)
}

fn add_meal(r: &Rounds, description: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--now",
        NOW,
        "ledger",
        "add",
        "--account",
        "1",
        "--date",
        "2026-11-20",
        "--nature",
        "meal",
        "--amount",
        "$200",
        "--description",
        description,
        "--attendee",
        "1",
        "--attendee",
        "Dr. Ben",
        "--attendee",
        "3",
        "--attendee",
        "4",
        "--attendee",
        "5:covered",
        "--attendee",
        "6",
        "--attendee",
        "7:not-covered",
        "--others",
        "1",
    ];
    args.extend_from_slice(extra);
    r.run(&args)
}

#[test]
fn p14_ledger_add_splits_the_golden_meal_and_exports_open_payments_csv() {
    let r = seeded();
    let out = add_golden_meal(&r, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "Recorded transfer 1: $200.00 meal at account 1 on 2026-11-20, 8 present.\n  \
         $25.00 to covered recipient 1\n  $25.00 to covered recipient 2\n  \
         $25.00 to covered recipient 3\n  $25.00 to covered recipient 4\n  \
         $25.00 to covered recipient 5\n"
    );
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");

    let list = r.ok(&["--now", NOW, "ledger", "list", "--year", "2026"]);
    assert!(
        list.contains("$200.00") && list.contains("Lunch for the office"),
        "{list}"
    );
    let json = r.json(&["--now", NOW, "ledger", "list", "--json"]);
    assert_eq!(json[0]["total_cents"], 20_000);
    assert_eq!(json[0]["attendees"].as_array().unwrap().len(), 7);

    let csv = r.ok(&["--now", NOW, "ledger", "export", "--year", "2026"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(lines[0].starts_with("Record_ID,Covered_Recipient_ID,Covered_Recipient_Name,"));
    assert_eq!(
        lines[1],
        "1,3,\"Dee Evans, NP\",nurse-practitioner,Lakeside Orthopaedics,1 Lake St,Chicago,IL,60601,\
         11/20/2026,25.00,1,In-kind items and services,Food and Beverage,Lunch for the office,25.00"
    );
    assert!(
        lines[2].starts_with("1,1,Dr. Ada Reyes,orthopaedics,"),
        "{csv}"
    );

    let file = r.path("open-payments-2026.csv");
    let out = r.run(&[
        "--now",
        NOW,
        "ledger",
        "export",
        "--year",
        "2026",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert_eq!(out.stdout, b"");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .starts_with("5 row(s) for 5 covered recipient(s) in 2026, $125.00 in all, written to"),
        "{stderr}"
    );
}

#[test]
fn p14_ledger_warns_over_the_yearly_cap_on_add_and_export() {
    let r = seeded();
    let playbook = r.path("playbook.toml");
    std::fs::write(&playbook, "[compliance]\nyearly_cap_cents = 2000\n").unwrap();
    let pb = playbook.to_str().unwrap();
    let out = add_golden_meal(&r, &["--playbook", pb]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 5, "{stderr}");
    assert!(
        stderr.contains(
            "warning: Dr. Ada Reyes (contact 1) has received $25.00 in 2026, over the yearly cap of $20.00 (P14)"
        ),
        "{stderr}"
    );
    let out = r.run(&[
        "--now",
        NOW,
        "--playbook",
        pb,
        "ledger",
        "export",
        "--year",
        "2026",
    ]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("warning: ").count(), 5, "{stderr}");
    // The built-in cap ($250.00) is far above a $25.00 share.
    let out = r.run(&["--now", NOW, "ledger", "export", "--year", "2026"]);
    assert!(!String::from_utf8(out.stderr).unwrap().contains("warning"));
}

#[test]
fn p14_ledger_void_keeps_the_transfer_out_of_lists_and_exports() {
    let r = seeded();
    assert!(add_golden_meal(&r, &[]).status.success());
    let said = r.ok(&[
        "--now",
        NOW,
        "ledger",
        "void",
        "1",
        "--reason",
        "entered twice",
    ]);
    assert!(
        said.starts_with("Voided transfer 1 ($200.00 on 2026-11-20)"),
        "{said}"
    );
    let again = r.fails(&["--now", NOW, "ledger", "void", "1", "--reason", "again"]);
    assert!(
        again.contains("transfer 1 was voided on 2026-11-24 (entered twice)"),
        "{again}"
    );
    assert!(
        r.ok(&["--now", NOW, "ledger", "list"])
            .contains("No transfers of value")
    );
    let all = r.ok(&["--now", NOW, "ledger", "list", "--void"]);
    assert!(all.contains("VOID 2026-11-24 (entered twice)"), "{all}");
    let csv = r.ok(&["--now", NOW, "ledger", "export", "--year", "2026"]);
    assert_eq!(csv.lines().count(), 1, "{csv}");
}

#[test]
fn p14_refuses_value_per_referral_on_the_command_line_naming_flag_and_rule() {
    let r = seeded();
    let out = add_meal(&r, "Lunch, and a gift card per referral", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "--description: offers value per referral (\"gift card per referral\"): refused under P14 (anti-kickback)"
        ),
        "{stderr}"
    );
    let stderr = r.fails(&[
        "--now",
        NOW,
        "log",
        "--contact",
        "1",
        "--note",
        "Offered $50 per referral",
    ]);
    assert!(
        stderr.contains("--note: offers value per referral (\"Offered $50 per referral\")"),
        "{stderr}"
    );
    assert!(
        r.ok(&["--now", NOW, "ledger", "list"])
            .contains("No transfers")
    );
    // Ordinary referral talk is logged.
    r.ok(&[
        "--now",
        NOW,
        "log",
        "--contact",
        "1",
        "--note",
        "Thanked her for the referral; records check on referrals next week",
    ]);
}

#[test]
fn p14_ledger_add_names_the_flag_of_a_bad_value() {
    let r = seeded();
    let stderr = r.fails(&[
        "--now",
        NOW,
        "ledger",
        "add",
        "--account",
        "1",
        "--nature",
        "meal",
        "--amount",
        "12.345",
        "--description",
        "Coffee",
        "--attendee",
        "1",
    ]);
    assert!(
        stderr.contains("--amount: `12.345` is not an amount of dollars"),
        "{stderr}"
    );
    let stderr = r.fails(&[
        "--now",
        NOW,
        "ledger",
        "add",
        "--account",
        "1",
        "--nature",
        "meal",
        "--amount",
        "12",
        "--description",
        "Coffee",
        "--attendee",
        "1",
        "--date",
        "2026-12-01",
    ]);
    assert!(
        stderr.contains("--date: 2026-12-01 is after today (2026-11-24)"),
        "{stderr}"
    );
    let stderr = r.fails(&[
        "--now",
        NOW,
        "ledger",
        "add",
        "--account",
        "1",
        "--nature",
        "meal",
        "--amount",
        "12",
        "--description",
        "Coffee",
    ]);
    assert!(
        stderr.contains("--attendee: name at least one person present"),
        "{stderr}"
    );
    let stderr = r.fails(&[
        "--now",
        NOW,
        "ledger",
        "add",
        "--account",
        "1",
        "--nature",
        "meal",
        "--amount",
        "12",
        "--description",
        "Coffee",
        "--attendee",
        "1:maybe",
    ]);
    assert!(
        stderr.contains("neither `covered` nor `not-covered`"),
        "{stderr}"
    );
    let help = r.ok(&["ledger", "add", "--help"]);
    assert!(
        help.contains("Examples:") && help.contains("--others 3"),
        "{help}"
    );
}
