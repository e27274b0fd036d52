//! End-to-end tests of the `rounds` executable on a temporary SQLite database: the demo,
//! today's plan, logging touches and how the next plan changes (P2, P29, P33, P35, P40),
//! export/import, and bad input that must change nothing.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;
use common::Rounds;

fn items_for(plan: &Value, contact: i64) -> Vec<&Value> {
    plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["contact"] == contact)
        .collect()
}

fn cites(item: &Value, rule: &str) -> bool {
    item["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rules"].as_array().unwrap().iter().any(|x| x == rule))
}

#[test]
fn demo_prints_a_full_plan_and_repeats_it_exactly() {
    let r = Rounds::new();
    let first = r.ok(&["demo", "--seed", "7", "--date", "2026-11-24"]);
    let second = r.ok(&["demo", "--seed", "7", "--date", "2026-11-24"]);
    assert_eq!(first, second);
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    let items = plan["items"].as_array().unwrap();
    assert!(items.len() >= 8, "{} items", items.len());
    for i in items {
        for field in ["channel", "contact_name", "account_name"] {
            assert!(
                i[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field} in {i}"
            );
        }
        assert!(i["window"]["start"].is_string());
        assert!(
            i["primary_topic"]["title"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        assert!(
            i["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| !r["rules"].as_array().unwrap().is_empty())
        );
    }
}

#[test]
fn today_json_keeps_email_hours_opt_outs_and_covered_topics() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-23"]);
    let export = r.export();
    let mut contacts = std::collections::HashMap::new();
    let mut covered: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for line in export.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["record"].as_str().unwrap() {
            "contact" => {
                contacts.insert(v["id"].as_i64().unwrap(), v);
            }
            "touch"
                if v["outcome"] != "no-response"
                    && v["explain_better"].as_array().unwrap().is_empty() =>
            {
                let ids = v["topics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_i64().unwrap());
                covered
                    .entry(v["contact"].as_i64().unwrap())
                    .or_default()
                    .extend(ids);
            }
            _ => {}
        }
    }
    // Tuesday, Thursday, Friday; Thursday 2026-11-26 is Thanksgiving, a default holiday
    // with no plan, so the Thursday checked is the next one.
    for date in ["2026-11-24", "2026-12-03", "2026-11-27"] {
        for rep in ["1", "2"] {
            let plan = r.json(&["today", "--rep", rep, "--date", date, "--json"]);
            let weekday = jiff::civil::Date::strptime("%Y-%m-%d", date)
                .unwrap()
                .weekday();
            for i in plan["items"].as_array().unwrap() {
                let c = &contacts[&i["contact"].as_i64().unwrap()];
                assert!(
                    !c["opt_outs"].as_array().unwrap().contains(&i["channel"]),
                    "opted out: {i}"
                );
                if i["channel"] == "email" {
                    let window = (
                        i["window"]["start"].as_str().unwrap(),
                        i["window"]["end"].as_str().unwrap(),
                    );
                    assert!(
                        [("10:00:00", "11:00:00"), ("13:00:00", "14:00:00")].contains(&window),
                        "P39 email hours: {window:?}"
                    );
                    if i["urgent"] == false {
                        assert!(
                            matches!(
                                weekday,
                                jiff::civil::Weekday::Tuesday | jiff::civil::Weekday::Thursday
                            ),
                            "P38: plain email on {weekday:?}"
                        );
                    }
                }
                let done = covered
                    .get(&i["contact"].as_i64().unwrap())
                    .cloned()
                    .unwrap_or_default();
                for t in std::iter::once(&i["primary_topic"])
                    .chain(i["backup_topics"].as_array().unwrap())
                {
                    if let Some(id) = t["topic"].as_i64() {
                        assert!(!done.contains(&id), "P3: topic {id} already covered in {i}");
                    }
                }
            }
        }
    }
}

#[test]
fn p2_logging_the_last_topic_leaves_no_reason_to_return() {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &["--influence", "decision-maker", "--email", "a@x.org"],
        )],
    );
    let out = r.ok(&[
        "log",
        "--contact",
        "Reyes",
        "--channel",
        "visit",
        "--outcome",
        "positive",
        "--topics",
        "1",
        "--next",
        "send the study",
        "--next-date",
        "2026-12-17",
        "--at",
        "2026-11-23 10:00",
    ]);
    assert!(
        out.contains("Next for Dr. Alan Reyes — 2026-12-17"),
        "the due step is the next reason: {out}"
    );
    assert!(
        out.contains("[P2]"),
        "the content gap is shown at once: {out}"
    );
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    assert!(
        plan["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "no-reason-to-return" && f["contact"] == 1)
    );
    // New content gives a reason again, named by the planner.
    r.ok(&["topic", "add", "--title", "Adherence packaging"]);
    let plan = r.json(&["today", "--date", "2026-12-17", "--json"]);
    let item = items_for(&plan, 1);
    assert_eq!(item[0]["primary_topic"]["topic"], 2, "{plan}");
}

#[test]
fn p29_three_unanswered_attempts_turn_to_someone_else() {
    let r = Rounds::new();
    r.small_territory(
        "prospect",
        &[
            (
                "Dr. Ana Silva",
                "physician",
                &[
                    "--influence",
                    "decision-maker",
                    "--phone",
                    "+1 312 555 0100",
                ],
            ),
            (
                "Maria Lopez",
                "office-manager",
                &["--influence", "influencer", "--phone", "+1 312 555 0101"],
            ),
        ],
    );
    for at in ["2026-11-10 10:00", "2026-11-13 14:00", "2026-11-18 10:00"] {
        r.ok(&[
            "log",
            "--contact",
            "1",
            "--channel",
            "call",
            "--outcome",
            "no-response",
            "--at",
            at,
        ]);
    }
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    assert!(items_for(&plan, 1).is_empty(), "dead end: {plan}");
    let alt = items_for(&plan, 2);
    assert!(cites(alt[0], "P29"), "{plan}");
}

#[test]
fn p33_a_conversation_without_next_step_is_flagged_until_one_is_set() {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &["--phone", "+1 312 555 0100"],
        )],
    );
    let out = r.run(&[
        "log",
        "--contact",
        "1",
        "--outcome",
        "conversation",
        "--at",
        "2026-11-19 10:00",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no next step"));
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    assert!(
        plan["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "missing-next-step")
    );
    r.ok(&[
        "log",
        "--contact",
        "1",
        "--outcome",
        "conversation",
        "--next",
        "bring samples",
        "--next-date",
        "2026-11-27",
        "--at",
        "2026-11-23 15:00",
    ]);
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    assert!(
        !plan["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "missing-next-step")
    );
    let due = r.json(&["today", "--date", "2026-11-27", "--json"]);
    assert!(cites(items_for(&due, 1)[0], "P33"), "{due}");
}

#[test]
fn p7_a_meeting_agreed_through_rounds_log_is_planned_as_a_first_meeting_with_an_agenda() {
    let r = Rounds::new();
    r.small_territory(
        "prospect",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &[
                "--phone",
                "+1 312 555 0100",
                "--email",
                "reyes@lakeside.example",
            ],
        )],
    );
    r.ok(&[
        "log",
        "--contact",
        "1",
        "--channel",
        "email",
        "--outcome",
        "positive",
        "--kind",
        "meeting-request",
        "--next",
        "first meeting",
        "--next-date",
        "2026-11-30",
        "--at",
        "2026-11-20 10:00",
    ]);
    let plan = r.json(&["today", "--date", "2026-11-30", "--json"]);
    let item = items_for(&plan, 1)[0];
    assert_eq!(item["kind"], "first-meeting", "{item}");
    assert!(cites(item, "P7"));
    let agenda = &item["prep"]["agenda"];
    assert_eq!(agenda["topic"]["title"], "Prior-authorisation turnaround");
    assert!(
        agenda["question"]
            .as_str()
            .is_some_and(|q| q.contains("prior authorisations") && q.ends_with('?')),
        "{agenda}"
    );
    let text = r.ok(&["today", "--date", "2026-11-30"]);
    assert!(
        text.contains("Agenda:  Prior-authorisation turnaround · value to them: "),
        "{text}"
    );
}

#[test]
fn p10_rounds_log_records_why_a_provider_has_not_referred() {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &["--phone", "+1 312 555 0100"],
        )],
    );
    let before = r.export();
    let log = |extra: &[&str]| {
        let mut args = vec!["log", "--contact", "1", "--at", "2026-11-23 10:00"];
        args.extend_from_slice(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let refused = |extra: &[&str], flag: &str| {
        let args = log(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = r.fails(&args);
        assert!(err.contains(flag), "{args:?}: {err}");
        assert_unchanged(&r, &before);
    };
    // Only what they said in a conversation; `other` needs their words; words need a reason.
    refused(
        &["--outcome", "no-response", "--no-referral-reason", "vague"],
        "--no-referral-reason",
    );
    refused(
        &["--outcome", "conversation", "--no-referral-reason", "other"],
        "--reason-text",
    );
    refused(
        &["--outcome", "conversation", "--reason-text", "busy"],
        "--no-referral-reason",
    );
    refused(
        &["--outcome", "conversation", "--no-referral-reason", "shrug"],
        "shrug",
    );

    let args = log(&[
        "--outcome",
        "conversation",
        "--kind",
        "records-check",
        "--no-referral-reason",
        "vague",
        "--reason-text",
        "been busy, we'll see",
        "--next",
        "drop off the referral pad",
        "--next-date",
        "2026-12-03",
        "--json",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let logged = r.json(&args);
    assert_eq!(logged["touch"]["no_referral"]["reason"], "vague");
    assert_eq!(
        logged["touch"]["no_referral"]["text"],
        "been busy, we'll see"
    );
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    let flag = plan["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "possible-competing-relationship")
        .unwrap_or_else(|| panic!("flagged: {plan}"));
    assert_eq!(flag["rules"], serde_json::json!(["P10"]));
    assert_eq!(flag["contact"], 1);
    let text = r.ok(&["today", "--date", "2026-11-24"]);
    assert!(
        text.contains("1 possible competing relationship [P10]"),
        "{text}"
    );
    // The reason travels with the touch through export and import.
    let export = r.export();
    assert!(
        export.contains(r#""no_referral":{"reason":"vague","text":"been busy, we'll see"}"#),
        "{export}"
    );
}

#[test]
fn p35_an_agreed_callback_is_planned_at_that_exact_time() {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &["--phone", "+1 312 555 0100"],
        )],
    );
    let out = r.ok(&[
        "log",
        "--contact",
        "1",
        "--outcome",
        "conversation",
        "--callback",
        "2026-11-25 14:30",
        "--next",
        "call back",
        "--next-date",
        "2026-11-25",
        "--at",
        "2026-11-23 10:00",
    ]);
    assert!(
        out.contains("14:30"),
        "the log shows the next proposal: {out}"
    );
    let plan = r.json(&["today", "--date", "2026-11-25", "--json"]);
    let item = items_for(&plan, 1)[0];
    assert_eq!(item["window"]["start"], "14:30:00");
    assert_eq!(item["window"]["exact"], true);
    assert!(cites(item, "P35"));
}

#[test]
fn p40_an_unanswered_email_waits_before_the_follow_up() {
    let r = Rounds::new();
    r.small_territory(
        "prospect",
        &[(
            "Dr. Ana Silva",
            "physician",
            &[
                "--email",
                "ana@x.org",
                "--opt-out",
                "visit",
                "--opt-out",
                "call",
                "--opt-out",
                "voicemail",
                "--opt-out",
                "handwritten-note",
                "--opt-out",
                "letter",
            ],
        )],
    );
    r.ok(&[
        "log",
        "--contact",
        "1",
        "--channel",
        "email",
        "--outcome",
        "no-response",
        "--at",
        "2026-12-01 10:15",
    ]);
    // A Tuesday, then Wednesday and Thursday (the week after Thanksgiving's).
    let next_day = r.json(&["today", "--date", "2026-12-02", "--json"]);
    assert!(items_for(&next_day, 1).is_empty(), "{next_day}");
    let thursday = r.json(&["today", "--date", "2026-12-03", "--json"]);
    assert_eq!(items_for(&thursday, 1)[0]["channel"], "email", "{thursday}");
}

#[test]
fn export_then_import_is_lossless_and_idempotent() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "5", "--date", "2026-11-24"]);
    let file = r.path("territory.jsonl");
    r.ok(&["export", "--output", file.to_str().unwrap()]);
    let other = Rounds::new();
    other.ok(&["import", file.to_str().unwrap()]);
    other.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), other.export());
}

/// A CSV file of the export read back with the csv reader: its header and rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(Result::unwrap).collect();
    (header, rows)
}

#[test]
fn csv_export_writes_six_files_with_the_records_of_the_jsonl_export() {
    use rounds_core::csv_out::CsvTable;
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-24"]);
    let added = r.ok(&[
        "contact",
        "add",
        "--account",
        "1",
        "--name",
        "=HYPERLINK(\"http://x\")",
        "--role",
        "front-desk",
        "--cell",
        "+1 312 555 0100",
    ]);
    // "Added contact ID NAME"
    let id = added.split_whitespace().nth(2).unwrap().to_string();

    // What the JSON Lines export holds, by record type.
    let jsonl: Vec<Value> = r
        .export()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |kind: &str| jsonl.iter().filter(|v| v["record"] == kind).count();
    let steps = jsonl
        .iter()
        .filter(|v| v["record"] == "touch" && !v["next_step"].is_null())
        .count();
    let losses: usize = jsonl
        .iter()
        .filter(|v| v["record"] == "lost")
        .map(|v| 1 + v["earlier"].as_array().map_or(0, Vec::len))
        .sum();

    let dir = r.path("book");
    let out = r.run(&["export", "--format", "csv", "--dir", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "stdout stays empty");
    let stderr = String::from_utf8(out.stderr).unwrap();

    // The columns are pinned by the core's snapshot of the tiny territory's files.
    let expected = [
        ("accounts.csv", count("account"), CsvTable::Accounts),
        ("contacts.csv", count("contact"), CsvTable::Contacts),
        ("touches.csv", count("touch"), CsvTable::Touches),
        ("next_steps.csv", steps, CsvTable::NextSteps),
        (
            "referral_counts.csv",
            count("referral"),
            CsvTable::ReferralCounts,
        ),
        ("lost_accounts.csv", losses, CsvTable::LostAccounts),
    ];
    for (name, rows, table) in expected {
        assert!(rows > 0, "the demo has {name} rows");
        let (header, records) = read_csv(&dir.join(name));
        assert_eq!(header, table.header(), "{name}");
        assert_eq!(records.len(), rows, "{name}");
        assert!(
            stderr.contains(&format!("{name} ({rows} rows)")),
            "{name} in {stderr}"
        );
        assert!(!dir.join(format!("{name}.partial")).exists());
    }
    assert_eq!(stderr.lines().count(), 6, "{stderr}");

    let (_, contacts) = read_csv(&dir.join("contacts.csv"));
    let row = contacts.iter().find(|c| &c[0] == id.as_str()).unwrap();
    assert_eq!(&row[2], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&row[7], "'+1 312 555 0100");
    // Coordinates stay numbers, west of Greenwich too.
    let (_, accounts) = read_csv(&dir.join("accounts.csv"));
    assert!(accounts.iter().all(|a| a[11].parse::<f64>().is_ok()), "lon");
    // Every open step of `rounds step list` is an open row of next_steps.csv.
    let open = r.json(&["step", "list", "--date", "2026-11-24", "--json"]);
    let (_, next_steps) = read_csv(&dir.join("next_steps.csv"));
    let mut open_rows: Vec<String> = next_steps
        .iter()
        .filter(|s| &s[7] == "open")
        .map(|s| s[0].to_string())
        .collect();
    let mut listed: Vec<String> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].to_string())
        .collect();
    open_rows.sort();
    listed.sort();
    assert!(!listed.is_empty());
    assert_eq!(open_rows, listed);
}

#[test]
fn csv_export_refuses_a_dir_holding_its_files_unless_forced_and_is_quiet_when_asked() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-24"]);
    let dir = r.path("book");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("touches.csv"), "mine\n").unwrap();
    let d = dir.to_str().unwrap();
    let err = r.fails(&["export", "--format", "csv", "--dir", d]);
    assert!(
        err.contains("touches.csv") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("touches.csv")).unwrap(),
        "mine\n"
    );
    assert!(!dir.join("accounts.csv").exists(), "nothing written");

    let out = r.run(&[
        "export", "--format", "csv", "--dir", d, "--force", "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "--quiet");
    let (header, _) = read_csv(&dir.join("touches.csv"));
    assert_eq!(header[0], "id");

    let err = r.fails(&["export", "--format", "csv"]);
    assert!(err.contains("--dir"), "{err}");
}

fn assert_unchanged(r: &Rounds, before: &str) {
    assert_eq!(before, r.export(), "bad input changed the database");
}

#[test]
fn bad_input_names_the_problem_exits_non_zero_and_changes_nothing() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "9", "--date", "2026-11-24"]);
    let before = r.export();

    let err = r.fails(&["log", "--contact", "999999999", "--outcome", "conversation"]);
    assert!(err.contains("no contact with id 999999999"), "{err}");
    let err = r.fails(&[
        "log",
        "--contact",
        "Nobody Atall",
        "--outcome",
        "conversation",
    ]);
    assert!(err.contains("no contact matches `Nobody Atall`"), "{err}");
    let err = r.fails(&["today", "--date", "2026-13-45"]);
    assert!(
        err.contains("2026-13-45") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    let err = r.fails(&["log", "--contact", "1", "--at", "yesterday-ish"]);
    assert!(
        err.contains("--at") && err.contains("yesterday-ish"),
        "{err}"
    );

    let playbook = r.path("playbook.toml");
    std::fs::write(
        &playbook,
        "[day]\nmax_visitz = 3\n[email]\ndays = [\"tue\", \"funday\"]\n",
    )
    .unwrap();
    let out = r.run(&["playbook", "check", playbook.to_str().unwrap()]);
    assert!(!out.status.success());
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("day.max_visitz") && listed.contains("unknown key"),
        "{listed}"
    );
    let err = r.fails(&["--playbook", playbook.to_str().unwrap(), "today"]);
    assert!(err.contains("max_visitz"), "{err}");

    let corrupt = r.path("corrupt.jsonl");
    let mut text = before.clone();
    text = text.replacen("\"role\":\"physician\"", "\"role\":\"wizard\"", 1);
    text.push_str("{\"record\":\"touch\", this is not json\n");
    std::fs::write(&corrupt, text).unwrap();
    let err = r.fails(&["import", corrupt.to_str().unwrap()]);
    assert!(
        err.contains("corrupt.jsonl:") && err.contains("nothing was imported"),
        "{err}"
    );
    assert!(
        err.contains(": role: unknown variant `wizard`"),
        "names the field: {err}"
    );
    let last_line = before.lines().count() + 1;
    assert!(
        err.contains(&format!("corrupt.jsonl:{last_line}:")),
        "names the line: {err}"
    );
    assert_unchanged(&r, &before);
}

#[test]
fn playbook_show_prints_a_file_that_checks_clean() {
    let r = Rounds::new();
    let text = r.ok(&["playbook", "show"]);
    assert!(text.contains("\"2026-11-26 Thanksgiving Day\""), "{text}");
    assert!(text.contains("working_days = "));
    let file = r.path("pb.toml");
    std::fs::write(&file, &text).unwrap();
    assert!(
        r.ok(&["playbook", "check", file.to_str().unwrap()])
            .contains("valid")
    );
    let _ = Path::new(&file);
}

/// The same seed and date give byte-identical plans on SQLite and PostgreSQL. Needs the
/// PostgreSQL server on 127.0.0.1:5432; outside CI it skips with a notice when absent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_give_byte_identical_plans() {
    let Some(db) = rounds_testkit::TestDb::postgres().await else {
        return;
    };
    let sqlite = Rounds::new();
    let pg = Rounds {
        dir: tempfile::tempdir().unwrap(),
        url: db.url.clone(),
    };
    let args = ["demo", "--seed", "11", "--date", "2026-11-24", "--json"];
    let (a, b) = (sqlite.ok(&args), pg.ok(&args));
    let today = ["today", "--rep", "2", "--date", "2026-11-25", "--json"];
    let (c, d) = (sqlite.ok(&today), pg.ok(&today));
    let exports = (sqlite.export(), pg.export());
    assert_eq!(a, b, "demo plans differ between backends");
    assert_eq!(c, d, "today --json differs between backends");
    assert_eq!(exports.0, exports.1, "exports differ between backends");
}

/// The CSV files of one demo are byte-identical from SQLite and from PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_export_is_byte_identical_on_sqlite_and_postgres() {
    let Some(db) = rounds_testkit::TestDb::postgres().await else {
        return;
    };
    let sqlite = Rounds::new();
    let pg = Rounds {
        dir: tempfile::tempdir().unwrap(),
        url: db.url.clone(),
    };
    // The tiny territory has a moved step and an earlier loss; the demo has volume.
    let tiny = sqlite.path("tiny.jsonl");
    std::fs::write(&tiny, rounds_demo::tiny().to_jsonl()).unwrap();
    for r in [&sqlite, &pg] {
        r.ok(&["import", tiny.to_str().unwrap()]);
        r.ok(&[
            "export",
            "--format",
            "csv",
            "--dir",
            r.path("tiny").to_str().unwrap(),
        ]);
        r.ok(&["demo", "--seed", "3", "--date", "2026-11-24", "--replace"]);
        r.ok(&[
            "export",
            "--format",
            "csv",
            "--dir",
            r.path("demo").to_str().unwrap(),
        ]);
    }
    for dir in ["tiny", "demo"] {
        for name in [
            "accounts.csv",
            "contacts.csv",
            "touches.csv",
            "next_steps.csv",
            "referral_counts.csv",
            "lost_accounts.csv",
        ] {
            let a = std::fs::read(sqlite.path(dir).join(name)).unwrap();
            let b = std::fs::read(pg.path(dir).join(name)).unwrap();
            assert!(a == b, "{dir}/{name} differs between backends");
        }
    }
}

fn bench_file(relative: &str) -> String {
    format!(
        "{}/../../bench/route/instances/{relative}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn route_solve_reproduces_the_published_values() {
    let r = Rounds::new();
    let c101 = r.json(&[
        "route",
        "solve",
        &bench_file("solomon/C101.txt"),
        "--format",
        "solomon",
        "--customers",
        "25",
    ]);
    assert_eq!(
        (c101["prize"].as_i64(), c101["distance_units"].as_i64()),
        (Some(250), Some(1646)),
        "{c101}"
    );
    let n20 = r.json(&[
        "route",
        "solve",
        &bench_file("tsptw/n20w20.001.tsptw"),
        "--format",
        "tsptw",
    ]);
    assert_eq!(n20["distance_units"], 378, "{n20}");
    assert_eq!(n20["missing_required"], 0);
    let bad = r.path("bad.txt");
    std::fs::write(&bad, "C101\n\nVEHICLE\nNUMBER     CAPACITY\n  25         200\n\nCUSTOMER\nCUST NO.  XCOORD.\n 0 forty\n").unwrap();
    let err = r.fails(&[
        "route",
        "solve",
        bad.to_str().unwrap(),
        "--format",
        "solomon",
        "--customers",
        "5",
    ]);
    assert!(err.contains("bad.txt:line 9"), "names the line: {err}");
}

#[test]
fn the_same_bad_values_are_refused_by_import_and_by_each_command() {
    let r = Rounds::new();
    r.small_territory("customer", &[("Maria Lopez", "office-manager", &[])]);
    let before = r.export();
    let header_and = |line: &str| {
        let file = r.path("bad.jsonl");
        std::fs::write(&file, format!("{before}{line}\n")).unwrap();
        let err = r.fails(&["import", file.to_str().unwrap()]);
        let at = format!("bad.jsonl:{}:", before.lines().count() + 1);
        assert!(err.contains(&at), "names the line: {err}");
        assert!(err.contains("nothing was imported"), "{err}");
        err
    };
    let account = before
        .lines()
        .find(|l| l.contains("\"record\":\"account\""))
        .unwrap();
    let contact = before
        .lines()
        .find(|l| l.contains("\"record\":\"contact\""))
        .unwrap();
    let with = |line: &str, pointer: &str, value: Value| {
        let mut v: Value = serde_json::from_str(line).unwrap();
        v["id"] = Value::from(99);
        *v.pointer_mut(pointer).unwrap() = value;
        serde_json::to_string(&v).unwrap()
    };

    // Latitude 1000.
    let err = header_and(&with(account, "/address/lat", 1000.0.into()));
    assert!(
        err.contains(": address.lat: 1000 is not a latitude"),
        "{err}"
    );
    let err = r.fails(&[
        "account",
        "add",
        "--name",
        "North",
        "--tz",
        "America/Chicago",
        "--lat",
        "1000",
    ]);
    assert!(err.contains("--lat: 1000 is not a latitude"), "{err}");

    // An empty name.
    let err = header_and(&with(account, "/name", " ".into()));
    assert!(err.contains(": name: "), "{err}");
    let err = r.fails(&["account", "add", "--name", " ", "--tz", "America/Chicago"]);
    assert!(err.contains("--name: "), "{err}");
    let err = r.fails(&["contact", "add", "--account", "1", "--name", ""]);
    assert!(err.contains("--name: "), "{err}");

    // A malformed e-mail address.
    let err = header_and(&with(contact, "/channels/email", "maria@".into()));
    assert!(
        err.contains(": channels.email: `maria@` is not an e-mail address"),
        "{err}"
    );
    let err = r.fails(&[
        "contact",
        "add",
        "--account",
        "1",
        "--name",
        "Maria Two",
        "--email",
        "maria@",
    ]);
    assert!(
        err.contains("--email: `maria@` is not an e-mail address"),
        "{err}"
    );

    // A 1 MB note.
    let note = "x".repeat(1 << 20);
    let touch = format!(
        r#"{{"record":"touch","id":99,"at":"2026-11-20T15:00:00Z","rep":1,"contact":1,"account":1,"channel":"call","direction":"outbound","outcome":"conversation","note":"{note}"}}"#
    );
    let err = header_and(&touch);
    assert!(
        err.contains(": note: the note is 1048576 characters long"),
        "{err}"
    );
    // A command line cannot carry 1 MB (the kernel limits one argument); 10,000 is as wrong.
    let err = r.fails(&["log", "--contact", "1", "--note", &note[..10_000]]);
    assert!(
        err.contains("--note: the note is 10000 characters long"),
        "{err}"
    );

    // A referral count of 2^32.
    let line = r#"{"record":"referral","contact":1,"day":"2026-11-20","count":4294967296}"#;
    let err = header_and(line);
    assert!(err.contains(": count: "), "{err}");
    let err = header_and(&line.replace("4294967296", "4294967295"));
    assert!(
        err.contains(": count: 4294967295 referrals in a day"),
        "{err}"
    );
    let err = r.fails(&[
        "referral",
        "add",
        "--contact",
        "1",
        "--date",
        "2026-11-20",
        "--count",
        "4294967296",
    ]);
    assert!(
        err.contains("--count: 4294967296 referrals in a day"),
        "{err}"
    );

    assert_unchanged(&r, &before);
}

#[test]
fn simulate_follows_the_demo_plan_on_a_copy_and_repeats_for_a_seed() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-23"]);
    let before = r.export();
    let args = [
        "simulate",
        "--days",
        "14",
        "--seed",
        "1",
        "--from",
        "2026-11-24",
        "--json",
    ];
    let first = r.ok(&args);
    // The simulation runs on a copy: the organisation is unchanged.
    assert_unchanged(&r, &before);
    assert_eq!(first, r.ok(&args), "the same seed gives the same report");
    let report: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(report["days"], 14);
    assert_eq!(report["from"], "2026-11-24");
    assert!(report["planned"].as_u64().unwrap() > 0);
    let m = &report["measurements"];
    assert_eq!(m["touches"], report["planned"]);
    let rules: Vec<&str> = m["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "day-off",
        "P1",
        "P6",
        "P16",
        "P17-max",
        "P17-min",
        "P20-min",
        "P20-max",
        "P21",
        "P23-week",
        "P23-visit",
        "P23-silence",
        "P29",
        "P32",
        "P35",
        "P38",
        "P39",
        "P40",
        "P43",
    ] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    let violations = |rule: &str| {
        m["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["rule"] == rule)
            .unwrap()["violations"]
            .as_u64()
            .unwrap()
    };
    // What the planner guarantees today (see ARCHITECTURE.md's invariants).
    assert_eq!(violations("P38"), 0);
    assert_eq!(violations("P39"), 0);
    assert_eq!(violations("P23-visit"), 0);
    assert_eq!(violations("P35"), 0);
    for key in [
        "coverage",
        "attempts_per_contact",
        "customer_silence_p95",
        "channels",
        "promises",
    ] {
        assert!(!m[key].is_null(), "{key}");
    }
    assert!(m["promises"]["due"].as_u64().is_some());
    // Another seed, other outcomes.
    let other = r.ok(&[
        "simulate",
        "--days",
        "14",
        "--seed",
        "2",
        "--from",
        "2026-11-24",
        "--json",
    ]);
    assert_ne!(first, other);
    // Bad shares are refused by flag.
    let err = r.fails(&["simulate", "--days", "2", "--loss", "1.5"]);
    assert!(err.contains("--loss"), "{err}");
    let err = r.fails(&["simulate", "--days", "2", "--no-response", "0.9"]);
    assert!(err.contains("more than 1"), "{err}");
}

/// A rep's own week and time off, set on the command line, empty their days; `rounds
/// today` says why a day is off and shows the next working day's plan on request.
#[test]
fn calendar_rep_hours_and_timeoff_empty_the_plan_and_today_says_why() {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &["--phone", "+1 312 555 0100"],
        )],
    );
    r.ok(&[
        "log",
        "--contact",
        "1",
        "--outcome",
        "conversation",
        "--at",
        "2026-11-02 10:00",
    ]);
    assert!(!items_for(&r.json(&["today", "--date", "2026-11-27", "--json"]), 1).is_empty());
    let out = r.ok(&[
        "rep",
        "hours",
        "--rep",
        "1",
        "--days",
        "mon-thu",
        "--hours",
        "08:00-16:00",
    ]);
    assert!(out.contains("mon, tue, wed, thu, 08:00-16:00"), "{out}");
    let friday = r.ok(&["today", "--date", "2026-11-27"]);
    assert!(
        friday.contains("is not a working day for Rita Rep: the rep does not work on Fridays"),
        "{friday}"
    );
    assert!(
        r.fails(&["rep", "hours", "--rep", "1", "--days", "someday"])
            .contains("--days:")
    );
    assert!(
        r.fails(&[
            "rep", "hours", "--rep", "1", "--days", "mon", "--hours", "9-5"
        ])
        .contains("--hours:")
    );

    let out = r.ok(&[
        "timeoff",
        "add",
        "--rep",
        "1",
        "--from",
        "2026-11-30",
        "--to",
        "2026-12-01",
        "--reason",
        "vacation",
    ]);
    assert!(out.contains("Added time off 1"), "{out}");
    let off = r.json(&["today", "--date", "2026-11-30", "--json"]);
    assert_eq!(off["day_off"]["kind"], "time-off");
    assert_eq!(off["day_off"]["next_working_day"], "2026-12-02");
    let next = r.json(&[
        "today",
        "--date",
        "2026-11-30",
        "--next-working-day",
        "--json",
    ]);
    assert_eq!(next["date"], "2026-12-02");
    assert!(next.get("day_off").is_none());
    let said = r.run(&["today", "--date", "2026-11-30", "--next-working-day"]);
    assert!(
        String::from_utf8_lossy(&said.stderr)
            .contains("time off (vacation, 2026-11-30 to 2026-12-01)")
    );
    assert!(String::from_utf8_lossy(&said.stdout).contains("2026-12-02"));
    let holiday = r.ok(&["today", "--date", "2026-11-26"]);
    assert!(holiday.contains("a holiday: Thanksgiving Day"), "{holiday}");

    let bad = r.fails(&[
        "timeoff",
        "add",
        "--rep",
        "1",
        "--from",
        "2026-12-10",
        "--to",
        "2026-12-09",
        "--reason",
        "x",
    ]);
    assert!(bad.contains("--to:"), "{bad}");
    let list = r.ok(&["timeoff", "list"]);
    assert!(
        list.contains("vacation") && list.contains("2026-11-30"),
        "{list}"
    );
    let cal = r.json(&["rep", "calendar", "--rep", "1", "--json"]);
    assert_eq!(cal["week"]["hours"], "08:00-16:00");
    r.ok(&["timeoff", "remove", "1"]);
    assert!(
        r.json(&["today", "--date", "2026-11-30", "--json"])
            .get("day_off")
            .is_none()
    );
    assert!(r.fails(&["timeoff", "remove", "1"]).contains("no time off"));
    // Both travel with the export.
    let export = r.export();
    assert!(export.contains("\"record\":\"work-week\""), "{export}");
}

/// P15: a second `rounds lost` for an account is refused, naming `--replace`; with it
/// the first loss is kept as history.
#[test]
fn p15_a_second_lost_needs_replace_and_keeps_the_first() {
    let r = Rounds::new();
    r.small_territory("customer", &[("Dr. Alan Reyes", "physician", &[])]);
    r.ok(&[
        "lost",
        "--account",
        "1",
        "--reason",
        "pricing",
        "--date",
        "2026-11-02",
    ]);
    let before = r.export();
    let refused = r.fails(&[
        "lost",
        "--account",
        "1",
        "--reason",
        "customer-service",
        "--date",
        "2026-11-20",
    ]);
    assert!(
        refused.contains("--replace:") && refused.contains("2026-11-02"),
        "{refused}"
    );
    assert_unchanged(&r, &before);
    let out = r.ok(&[
        "lost",
        "--account",
        "1",
        "--reason",
        "customer-service",
        "--date",
        "2026-11-20",
        "--replace",
    ]);
    assert!(out.contains("kept as history"), "{out}");
    let export = r.export();
    let lost = export
        .lines()
        .find(|l| l.contains("\"record\":\"lost\""))
        .unwrap();
    assert!(
        lost.contains("\"lost_on\":\"2026-11-20\"")
            && lost.contains("\"earlier\":[{\"lost_on\":\"2026-11-02\""),
        "{lost}"
    );
}

/// P43: `--text-consent DAY:SOURCE` records the consent that texts need.
#[test]
fn p43_text_consent_is_set_on_the_command_line() {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &["--cell", "+1 312 555 0199", "--preferred", "text"],
        )],
    );
    r.ok(&[
        "log",
        "--contact",
        "1",
        "--outcome",
        "conversation",
        "--at",
        "2026-11-02 10:00",
    ]);
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    assert!(
        items_for(&plan, 1).iter().all(|i| i["channel"] != "text"),
        "{plan}"
    );
    assert!(
        r.fails(&["contact", "edit", "1", "--text-consent", "yesterday"])
            .contains("--text-consent:")
    );
    r.ok(&[
        "contact",
        "edit",
        "1",
        "--text-consent",
        "2026-11-02:signed-form",
    ]);
    let shown = r.json(&["contact", "show", "1", "--json"]);
    assert_eq!(
        shown["contact"]["text_consent"]["source"], "signed-form",
        "{shown}"
    );
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    assert_eq!(items_for(&plan, 1)[0]["channel"], "text", "{plan}");
    r.ok(&["contact", "edit", "1", "--no-text-consent"]);
    let plan = r.json(&["today", "--date", "2026-11-24", "--json"]);
    assert!(
        items_for(&plan, 1).iter().all(|i| i["channel"] != "text"),
        "{plan}"
    );
}

/// A customer with two contacts, each with a step agreed in a conversation: contact 1's
/// (touch 1) due 2026-11-20, contact 2's (touch 2) due 2026-11-26.
fn two_steps() -> Rounds {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[
            (
                "Dr. Alan Reyes",
                "physician",
                &["--phone", "+1 312 555 0100"],
            ),
            (
                "Maria Lopez",
                "office-manager",
                &["--email", "maria@lakeside.example"],
            ),
        ],
    );
    for (contact, what, due, at) in [
        ("1", "bring samples", "2026-11-20", "2026-11-12 10:00"),
        ("2", "send the price list", "2026-11-26", "2026-11-19 10:00"),
    ] {
        r.ok(&[
            "log",
            "--contact",
            contact,
            "--outcome",
            "conversation",
            "--next",
            what,
            "--next-date",
            due,
            "--at",
            at,
        ]);
    }
    r
}

fn step_ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_i64().unwrap())
        .collect()
}

#[test]
fn p33_steps_are_listed_rescheduled_edited_skipped_and_completed_from_the_command_line() {
    let r = two_steps();
    let list = r.json(&["step", "list", "--date", "2026-11-24", "--json"]);
    assert_eq!(step_ids(&list), [1, 2]);
    assert_eq!(
        (
            list[0]["days_overdue"].as_i64(),
            list[0]["triage"].as_bool()
        ),
        (Some(4), Some(false))
    );
    let overdue = r.json(&[
        "step",
        "list",
        "--overdue",
        "--date",
        "2026-11-24",
        "--json",
    ]);
    assert_eq!(step_ids(&overdue), [1]);
    let table = r.ok(&["step", "list", "--date", "2026-11-24"]);
    assert!(
        table.contains("4 days late") && table.contains("send the price list"),
        "{table}"
    );

    // Eleven days late on 2026-12-01: on the triage list, not in the plan (P33).
    let later = r.ok(&["today", "--date", "2026-12-01"]);
    assert!(
        later.contains("Triage (1)") && later.contains("step 1 · due 2026-11-20 (11 days late)"),
        "{later}"
    );
    let json = r.json(&["today", "--date", "2026-12-01", "--json"]);
    assert_eq!(json["triage"][0]["step"], 1);
    assert!(items_for(&json, 1).iter().all(|i| !cites(i, "P33")));

    // Each bad value names its flag, exits non-zero and changes nothing.
    let before = r.export();
    let early = r.fails(&[
        "step",
        "reschedule",
        "1",
        "--to",
        "2026-11-01",
        "--reason",
        "x",
    ]);
    assert!(
        early.contains("--to:") && early.contains("2026-11-12"),
        "{early}"
    );
    let blank = r.fails(&[
        "step",
        "reschedule",
        "1",
        "--to",
        "2026-12-03",
        "--reason",
        " ",
    ]);
    assert!(blank.contains("--reason:"), "{blank}");
    let nothing = r.fails(&["step", "edit", "2"]);
    assert!(nothing.contains("--what:"), "{nothing}");
    let unknown = r.fails(&["step", "complete", "99"]);
    assert!(
        unknown.contains("no step with id 99") && unknown.contains("rounds step list"),
        "{unknown}"
    );
    assert_unchanged(&r, &before);

    let moved = r.ok(&[
        "step",
        "reschedule",
        "1",
        "--to",
        "2026-12-03",
        "--reason",
        "the doctor is away",
    ]);
    assert!(moved.contains("Moved step 1 to 2026-12-03"), "{moved}");
    let edited = r.ok(&["step", "edit", "2", "--what", "send the new price list"]);
    assert!(edited.contains("send the new price list"), "{edited}");
    let list = r.json(&["step", "list", "--date", "2026-11-24", "--json"]);
    assert_eq!(step_ids(&list), [2, 1], "by due date");
    assert_eq!(list[0]["what"], "send the new price list");
    assert_eq!(list[1]["due"], "2026-12-03");
    r.ok(&["step", "skip", "2", "--reason", "they buy direct now"]);
    let closed = r.fails(&["step", "complete", "2"]);
    assert!(closed.contains("is closed"), "{closed}");
    r.ok(&["step", "complete", "1"]);
    assert!(
        r.json(&["step", "list", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The history stays: four updates in the export.
    assert_eq!(r.export().matches("\"record\":\"step-update\"").count(), 4);
}

#[test]
fn p37_rounds_log_done_completes_the_confirmation_step() {
    let r = Rounds::new();
    r.small_territory(
        "customer",
        &[(
            "Dr. Alan Reyes",
            "physician",
            &[
                "--phone",
                "+1 312 555 0100",
                "--email",
                "reyes@lakeside.example",
            ],
        )],
    );
    r.ok(&[
        "log",
        "--contact",
        "1",
        "--channel",
        "visit",
        "--outcome",
        "positive",
        "--kind",
        "referral-meeting",
        "--next",
        "Send the confirmation",
        "--next-date",
        "2026-11-24",
        "--at",
        "2026-11-23 10:00",
    ]);
    assert_eq!(step_ids(&r.json(&["step", "list", "--json"])), [1]);
    let out = r.ok(&[
        "log",
        "--contact",
        "1",
        "--channel",
        "email",
        "--outcome",
        "no-response",
        "--kind",
        "confirmation",
        "--done",
        "--at",
        "2026-11-24 09:00",
    ]);
    assert!(out.contains("Completed the open next step"), "{out}");
    assert!(
        r.json(&["step", "list", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let before = r.export();
    let again = r.fails(&[
        "log",
        "--contact",
        "1",
        "--channel",
        "email",
        "--outcome",
        "no-response",
        "--done",
    ]);
    assert!(again.contains("--done:"), "{again}");
    assert_unchanged(&r, &before);
}

#[test]
fn step_help_has_examples() {
    let r = Rounds::new();
    let help = r.ok(&["step", "--help"]);
    for word in ["list", "complete", "reschedule", "skip", "edit"] {
        assert!(help.contains(word), "{help}");
    }
    let help = r.ok(&["step", "reschedule", "--help"]);
    assert!(
        help.contains("Example") && help.contains("--to") && help.contains("--reason"),
        "{help}"
    );
    assert!(r.ok(&["log", "--help"]).contains("--done"));
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-24"]);
    // `rounds export | head -c 100` and `rounds contact list | head -2`: the reader goes
    // away while the command still has lines to write.
    for args in [&["export"][..], &["contact", "list"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rounds"))
            .args(args)
            .env("ROUNDS_DATABASE_URL", &r.url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "rounds {args:?} | head: {:?}\n{stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn the_database_file_alone_holds_everything_after_a_command_and_backup_copies_it() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-24"]);
    let before = r.export();
    // A plain copy of the `.db` file, without anything beside it, is the whole database.
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.db");
    std::fs::copy(r.path("t.db"), &copy).unwrap();
    let wal = r.path("t.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "a write-ahead log was left beside the database"
    );
    let copied = Rounds {
        dir: tempfile::tempdir().unwrap(),
        url: format!("sqlite://{}", copy.display()),
    };
    assert_eq!(copied.export(), before);

    let backup = r.path("backup.db");
    let said = r.ok(&["backup", backup.to_str().unwrap()]);
    assert!(said.contains("Backed up the database to"), "{said}");
    let restored = Rounds {
        dir: tempfile::tempdir().unwrap(),
        url: format!("sqlite://{}", backup.display()),
    };
    assert_eq!(restored.export(), before);
    let err = r.fails(&["backup", backup.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn playbook_check_caps_its_problems_and_the_size_it_reads() {
    let r = Rounds::new();
    let file = r.path("playbook.toml");
    // 200 unknown keys: the first 50 are listed, the rest counted.
    let keys: String = (0..200).map(|i| format!("unknown_{i} = 1\n")).collect();
    std::fs::write(&file, format!("[day]\n{keys}")).unwrap();
    let out = r.run(&["playbook", "check", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), 51, "{listed}");
    assert!(
        listed.contains("and 150 more problem(s) not listed"),
        "{listed}"
    );

    // A value shown in a problem is cut on a character boundary, not inside one.
    std::fs::write(&file, format!("[day]\nunknown = \"{}\"\n", "é".repeat(80))).unwrap();
    let out = r.run(&["playbook", "check", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("day.unknown"),
        "{stderr}"
    );

    // Larger than any playbook needs: one problem, said before anything is parsed.
    std::fs::write(&file, format!("# {}\n", "x".repeat(40_000))).unwrap();
    let out = r.run(&["playbook", "check", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("a playbook is at most 32768"), "{listed}");
    // Far larger: refused from its size, without being read whole.
    std::fs::write(&file, "#".repeat(2_000_000)).unwrap();
    let err = r.fails(&["playbook", "check", file.to_str().unwrap()]);
    assert!(
        err.contains("2000000 bytes; a playbook is at most 32768"),
        "{err}"
    );
}

#[test]
fn an_import_with_a_problem_past_its_first_chunks_writes_nothing_and_counts_every_problem() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-24"]);
    let file = r.path("territory.jsonl");
    r.ok(&["export", "--output", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    let records = text.lines().count();
    assert!(
        records > rounds_app::IMPORT_CHUNK_RECORDS * 2,
        "the demo export has {records} records; the test needs several chunks"
    );

    // A bad last line: the chunks before it were written inside the transaction, and
    // are rolled back with it.
    let bad = r.path("bad.jsonl");
    let last_touch = text
        .lines()
        .rfind(|l| l.starts_with(r#"{"record":"touch""#))
        .unwrap();
    std::fs::write(&bad, format!("{text}{last_touch}\n")).unwrap();
    let fresh = Rounds::new();
    let err = fresh.fails(&["import", bad.to_str().unwrap()]);
    assert!(
        err.contains(&format!("bad.jsonl:{}: id: touch id", records + 1))
            && err.contains("appears twice"),
        "{err}"
    );
    let err = fresh.fails(&["export"]);
    assert!(err.contains("organisation"), "{err}");

    // Every touch twice: the first 50 problems listed, all of them counted.
    let touches: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(r#"{"record":"touch""#))
        .collect();
    let doubled = r.path("doubled.jsonl");
    std::fs::write(&doubled, format!("{text}{}\n", touches.join("\n"))).unwrap();
    let err = fresh.fails(&["import", doubled.to_str().unwrap()]);
    assert_eq!(err.matches("appears twice").count(), 50, "{err}");
    assert!(
        err.contains(&format!("… and {} more", touches.len() - 50))
            && err.contains(&format!(
                "{} problem(s); nothing was imported",
                touches.len()
            )),
        "{err}"
    );

    // A reference to what comes later in the file names the order rule.
    let mut lines: Vec<&str> = text.lines().collect();
    let contact = lines
        .iter()
        .position(|l| l.starts_with(r#"{"record":"contact""#))
        .unwrap();
    let moved = lines.remove(contact);
    lines.push(moved);
    let reordered = r.path("reordered.jsonl");
    std::fs::write(&reordered, lines.join("\n")).unwrap();
    let err = fresh.fails(&["import", reordered.to_str().unwrap()]);
    assert!(err.contains("above this line"), "{err}");
}

/// Runs one statement on the test database behind the program's back.
fn tamper(r: &Rounds, sql: &str) {
    let url = r.url.clone();
    let sql = sql.to_string();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        });
}

#[test]
fn audit_verify_exits_0_on_a_whole_chain_and_1_on_each_kind_of_tampering() {
    let r = Rounds::new();
    r.small_territory("customer", &[("Dr. Reyes", "physician", &[])]);
    r.ok(&[
        "log",
        "--contact",
        "1",
        "--channel",
        "call",
        "--outcome",
        "no-response",
    ]);
    let rows = r.json(&["audit", "list", "--json"]);
    let rows = rows.as_array().unwrap();
    // import (summary row), account add, account edit, topic add, contact add, touch.
    let what: Vec<(&str, &str)> = rows
        .iter()
        .map(|e| (e["entity"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        what,
        [
            ("touch", "create"),
            ("contact", "create"),
            ("topic", "create"),
            ("account", "update"),
            ("account", "create"),
            ("organisation", "merge"),
        ]
    );
    assert!(rows.iter().all(|e| e["actor"] == "operator"), "{rows:?}");
    assert!(rows.iter().all(|e| e["at"].as_str().unwrap() > "2000"));
    let touches = r.json(&["audit", "list", "--entity", "touch", "--json"]);
    assert_eq!(touches.as_array().unwrap().len(), 1);
    let err = r.fails(&["audit", "list", "--entity", "planet"]);
    assert!(
        err.contains("--entity: `planet` is not a kind of record"),
        "{err}"
    );

    let out = r.ok(&["audit", "verify"]);
    assert!(out.contains("The audit chain is whole: 6 rows."), "{out}");
    let verdict = r.json(&["audit", "verify", "--json"]);
    assert_eq!(verdict["whole"], true);
    assert_eq!(verdict["head_seq"], 6);

    let cases = [
        (
            "UPDATE audit_log SET actor = 'user:1' WHERE seq = 3",
            "UPDATE audit_log SET actor = 'operator' WHERE seq = 3",
            "row 3 was altered",
        ),
        (
            "UPDATE audit_log SET seq = 7 WHERE seq = 6",
            "UPDATE audit_log SET seq = 6 WHERE seq = 7",
            "row 7 is out of order: it was written as row 6",
        ),
        (
            "UPDATE accounts SET body = body || ' ' WHERE id = 1",
            "UPDATE accounts SET body = substr(body, 1, length(body) - 1) WHERE id = 1",
            "account 1 was changed without a row",
        ),
    ];
    for (break_it, mend_it, said) in cases {
        tamper(&r, break_it);
        let out = r.run(&["audit", "verify"]);
        assert_eq!(out.status.code(), Some(1), "{break_it}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(said), "{break_it}: {stdout}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("the audit chain is broken"), "{stderr}");
        tamper(&r, mend_it);
        r.ok(&["audit", "verify"]);
    }
    // A row removed for good.
    tamper(&r, "DELETE FROM audit_log WHERE seq = 4");
    let out = r.run(&["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["whole"], false);
    assert_eq!(verdict["breaks"][0]["kind"], "missing");
    assert_eq!(verdict["breaks"][0]["seq"], 4);
}

/// Rita (user 1) of `small_territory` with a password, so tokens can be made for her.
fn rita_signs_in(r: &Rounds) {
    r.small_territory("customer", &[]);
    let out = r.run_with(
        &["user", "passwd", "1"],
        &[("ROUNDS_PASSWORD", "a long test passphrase")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn epoch(v: &Value) -> i64 {
    v.as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
}

#[test]
fn tokens_are_made_with_an_expiry_listed_and_revoked_from_the_command_line() {
    let r = Rounds::new();
    rita_signs_in(&r);
    let out = r.run(&[
        "token",
        "add",
        "--user",
        "rita@example.org",
        "--name",
        "nightly",
    ]);
    assert!(out.status.success());
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(secret.len(), 64, "only the secret on stdout: {secret}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("expires "));
    r.ok(&[
        "token",
        "create",
        "--user",
        "1",
        "--name",
        "report",
        "--expires-in",
        "30d",
    ]);
    r.ok(&[
        "token",
        "add",
        "--user",
        "1",
        "--name",
        "forever",
        "--no-expiry",
    ]);
    let list = r.json(&["token", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    // Made within one second, so found by name (the list is by creation time, then id).
    let named = |name: &str| list.iter().find(|t| t["name"] == name).unwrap();
    let life = |t: &Value| (epoch(&t["expires_at"]) - epoch(&t["created_at"])) / 86_400;
    assert_eq!(life(named("nightly")), 90, "the default life");
    assert_eq!(life(named("report")), 30);
    assert_eq!(named("forever")["expires_at"], Value::Null);
    for t in list {
        assert_eq!(t["user"]["email"], "rita@example.org");
        assert_eq!(t["last_used_at"], Value::Null);
        assert_eq!(t["expired"], false);
        let id = t["id"].as_str().unwrap();
        assert!(
            id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
    }
    let table = r.ok(&["token", "list", "--user", "rita@example.org"]);
    assert!(!table.contains(&secret), "a list never shows a secret");
    for header in ["id", "user", "name", "created", "expires", "last used"] {
        assert!(table.contains(header), "{table}");
    }
    let report = named("report")["id"].as_str().unwrap();
    assert!(table.contains(report) && table.contains("never"), "{table}");
    // Revoked by id; a second time there is none.
    let said = r.ok(&["token", "revoke", report]);
    assert!(
        said.contains("Revoked API token") && said.contains("report"),
        "{said}"
    );
    let ids: Vec<String> = r
        .json(&["token", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.iter().any(|i| i == report));
    let err = r.fails(&["token", "revoke", report]);
    assert!(
        err.contains("no API token") && err.contains("rounds token list"),
        "{err}"
    );
    // A life outside an hour to a year names the flag and makes nothing.
    for bad in ["soon", "400d", "10m"] {
        let err = r.fails(&[
            "token",
            "add",
            "--user",
            "1",
            "--name",
            "x",
            "--expires-in",
            bad,
        ]);
        assert!(err.contains("--expires-in"), "{bad}: {err}");
    }
    assert_eq!(
        r.json(&["token", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn user_passwd_revokes_the_users_tokens_and_says_so() {
    let r = Rounds::new();
    rita_signs_in(&r);
    r.ok(&["token", "add", "--user", "1", "--name", "nightly"]);
    r.ok(&["token", "add", "--user", "1", "--name", "report"]);
    let out = r.run_with(
        &["user", "passwd", "rita@example.org"],
        &[("ROUNDS_PASSWORD", "another long passphrase")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("2 API token(s) were revoked"), "{said}");
    assert_eq!(r.json(&["token", "list", "--json"]), serde_json::json!([]));
}

#[test]
fn a_blank_or_space_edged_password_is_refused_by_user_passwd() {
    let r = Rounds::new();
    r.small_territory("prospect", &[]);
    let passwd = |password: &str| {
        Command::new(env!("CARGO_BIN_EXE_rounds"))
            .args(["user", "passwd", "1"])
            .env("ROUNDS_DATABASE_URL", &r.url)
            .env("ROUNDS_PASSWORD", password)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    for (password, why) in [
        ("          ", "blank or only spaces"),
        ("  correct horse", "begins or ends with a space"),
        ("correct horse battery ", "begins or ends with a space"),
    ] {
        let out = passwd(password);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{password:?} was accepted");
        assert!(stderr.contains(why), "{password:?}: {stderr}");
    }
    let out = passwd("correct horse battery");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// SIGTERM while clients hold half-sent requests: the server stops accepting, gives
/// them the grace period, then exits cleanly instead of waiting for them forever.
#[test]
fn sigterm_stops_serve_within_the_grace_period_despite_half_open_requests() {
    use std::io::{BufRead, BufReader, Write};
    let r = Rounds::new();
    let mut server = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--shutdown-grace",
            "1",
            "--header-timeout",
            "600",
        ])
        .env("ROUNDS_DATABASE_URL", &r.url)
        .env("ROUNDS_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let half_open: Vec<_> = (0..6)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.write_all(b"POST /api/v1/touches HTTP/1.1\r\nHost: x\r\nContent-Le")
                .unwrap();
            s
        })
        .collect();
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Far beyond the one-second grace period: still running then means it hangs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            server.kill().unwrap();
            panic!("rounds serve still runs after SIGTERM with half-open requests");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    drop(half_open);
}

#[test]
fn serve_refuses_a_trusted_proxy_that_is_not_an_address() {
    let r = Rounds::new();
    let out = r.run(&["serve", "--trusted-proxy", "proxy.example"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not an address or CIDR block"), "{err}");
}

#[test]
fn an_import_reads_past_a_byte_order_mark_and_names_a_line_that_is_not_utf8() {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "3", "--date", "2026-11-24"]);
    let text = r.export();
    let fresh = Rounds::new();
    let with_bom = fresh.path("bom.jsonl");
    std::fs::write(&with_bom, format!("\u{feff}{text}")).unwrap();
    fresh.ok(&["import", with_bom.to_str().unwrap()]);
    assert_eq!(fresh.export(), text);

    let mut bytes = text.as_bytes().to_vec();
    bytes.extend_from_slice(b"{\"record\":\"topic\",\"title\":\"caf\xe9\"}\n");
    let latin1 = fresh.path("latin1.jsonl");
    std::fs::write(&latin1, bytes).unwrap();
    let other = Rounds::new();
    let err = other.fails(&["import", latin1.to_str().unwrap()]);
    let line = text.lines().count() + 1;
    assert!(
        err.contains(&format!("latin1.jsonl:{line}: record: cannot be read")),
        "{err}"
    );
    assert!(other.fails(&["export"]).contains("organisation"));
}
