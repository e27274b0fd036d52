//! `rounds coach`, `rounds template` and `rounds today --drafts` end to end on a
//! temporary SQLite database (P5, P41, P42, P47).

use serde_json::Value;

mod common;
use common::Rounds;

fn demo() -> Rounds {
    let r = Rounds::new();
    r.ok(&["demo", "--seed", "7", "--date", "2026-11-24"]);
    r
}

fn file(r: &Rounds, name: &str, text: &str) -> String {
    let path = r.path(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Runs the coach on `text`: exit code, stdout, stderr.
fn coach(r: &Rounds, text: &str) -> (Option<i32>, String, String) {
    let path = file(r, "draft.txt", text);
    let out = r.run(&["coach", &path]);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn p42_rounds_coach_passes_a_good_draft_and_points_at_each_finding_by_line_and_column() {
    let r = demo();
    let good = "Subject: Fewer prior-auth calls for Riverside\n\nHi Dr. Reyes,\n\nA one-page note on prior authorisations is ready for you.\nShall I drop it off on Thursday?\n\nSam\n";
    let (code, out, _) = coach(&r, good);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("the coach has nothing to add"), "{out}");

    let bad = "Subject: Just checking in\n\nHi Dr. Reyes,\n\nI've tried to reach you several times.\nAre you ready to move forward?\n";
    let (code, out, err) = coach(&r, bad);
    assert_eq!(code, Some(1), "findings exit 1: {out}");
    let path = r.path("draft.txt").display().to_string();
    assert!(
        out.contains(&format!("{path}:1:15: P41 banned-subject: \"checking in\"")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{path}:5:6: P42 guilt: \"tried to reach you\"")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{path}:6:1: P5 ready-question: \"Are you ready\"")),
        "{out}"
    );
    assert!(
        out.contains("    I've tried to reach you several times.\n         ^^^^^^^^^^^^^^^^^^\n"),
        "{out}"
    );
    assert!(err.contains("3 finding(s)"), "{err}");

    // JSON for scripts, and the standard input.
    let out = r.run_with(&["coach", &path, "--json"], &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["banned-subject", "ready-question", "guilt"]);
}

#[test]
fn p42_rounds_coach_reads_the_standard_input_and_refuses_what_is_not_text() {
    let r = demo();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["coach", "-"])
        .env("ROUNDS_DATABASE_URL", &r.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Act now: this is a limited time offer.")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("-:1:1: P42 pressure: \"Act now\""), "{text}");

    let path = r.path("binary.txt");
    std::fs::write(&path, b"Hi\n\xff\xfe").unwrap();
    let err = r.fails(&["coach", path.to_str().unwrap()]);
    assert!(err.contains("binary.txt:2: not UTF-8 text"), "{err}");
    let err = r.fails(&["coach", "no-such-draft.txt"]);
    assert!(
        err.contains("cannot read the draft no-such-draft.txt"),
        "{err}"
    );
}

#[test]
fn p47_rounds_template_shows_sets_and_resets_a_template() {
    let r = demo();
    let list = r.ok(&["template", "list"]);
    assert_eq!(list.lines().count(), 11, "{list}");
    assert!(
        list.contains("breakup") && list.contains("built-in"),
        "{list}"
    );
    let toml = r.ok(&["template", "show", "breakup", "--toml"]);
    let edited = toml.replace("Closing the loop on", "Last note on");
    let path = file(&r, "breakup.toml", &edited);
    let said = r.ok(&["template", "set", &path]);
    assert!(
        said.contains("breakup: your own template is in use"),
        "{said}"
    );
    assert!(
        r.ok(&["template", "list"])
            .lines()
            .any(|l| l.starts_with("breakup") && l.contains(" own "))
    );
    assert!(
        r.ok(&["template", "show", "breakup"])
            .contains("Subject: Last note on {{ topic.title }}")
    );

    let broken = file(
        &r,
        "bad.toml",
        &toml.replace("{{ topic.title }}", "{{ topic.titel }}"),
    );
    let err = r.fails(&["template", "set", &broken]);
    assert!(
        err.contains("bad.toml: subject: line 1: undefined value"),
        "{err}"
    );
    let not_toml = file(&r, "worse.toml", "kind = \"breakup\"\nsubject = \n");
    let err = r.fails(&["template", "set", &not_toml]);
    assert!(err.contains("worse.toml:2:"), "{err}");
    let err = r.fails(&["template", "show", "farewell"]);
    assert!(
        err.contains("`farewell` is not one of") && err.contains("rounds template list"),
        "{err}"
    );

    assert!(
        r.ok(&["template", "reset", "breakup"])
            .contains("built-in template is in use again")
    );
    assert!(
        r.ok(&["template", "reset", "breakup"])
            .contains("nothing changed")
    );
}

#[test]
fn p47_rounds_today_drafts_puts_a_coached_draft_under_each_written_item() {
    let r = demo();
    let plan = r.json(&[
        "today",
        "--rep",
        "1",
        "--date",
        "2026-11-24",
        "--drafts",
        "--json",
    ]);
    let items = plan["plan"]["items"].as_array().unwrap();
    let drafts = plan["drafts"].as_array().unwrap();
    assert_eq!(items.len(), drafts.len());
    let written = ["email", "text", "linkedin", "handwritten-note", "letter"];
    let mut seen = 0;
    for (item, draft) in items.iter().zip(drafts) {
        let is_written = written.contains(&item["channel"].as_str().unwrap());
        assert_eq!(!draft.is_null(), is_written, "{item}");
        if is_written {
            seen += 1;
            assert!(draft["verdict"]["findings"].is_array());
            assert!(!draft["body"].as_str().unwrap().contains("{{"));
        }
    }
    assert!(seen > 0, "the demo day has written touches");
    let text = r.ok(&["today", "--rep", "1", "--date", "2026-11-24", "--drafts"]);
    assert!(
        text.contains("    Draft (") && text.contains("    Coach:   "),
        "{text}"
    );
}
