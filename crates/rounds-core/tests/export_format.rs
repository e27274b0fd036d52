//! The export format is a contract with every file already written: its lines are pinned
//! by a snapshot of a tiny territory holding every record type, and a file of a format
//! version this build does not know is refused with one problem naming line 1 and the
//! field `format`.

use rounds_core::export::{FORMAT_VERSION, OrgData, Problem};

#[test]
fn export_format_v1_is_pinned() {
    assert_eq!(
        FORMAT_VERSION, 1,
        "a new format version needs a new snapshot"
    );
    let text = rounds_demo::tiny().to_jsonl();
    insta::assert_snapshot!(text);
}

#[test]
fn tiny_export_reads_back_exactly() {
    let data = rounds_demo::tiny();
    assert_eq!(OrgData::from_jsonl(&data.to_jsonl()).unwrap(), data);
}

fn with_header_format(format: &str) -> String {
    let text = rounds_demo::tiny().to_jsonl();
    let (header, rest) = text.split_once('\n').unwrap();
    let header = header.replacen("\"format\":1,", &format!("\"format\":{format},"), 1);
    assert!(
        header.contains(&format!("\"format\":{format},")),
        "{header}"
    );
    format!("{header}\n{rest}")
}

#[test]
fn unknown_export_format_names_line_1_and_field_format() {
    for version in ["0", "2", "17"] {
        let problems = OrgData::from_jsonl(&with_header_format(version)).unwrap_err();
        assert_eq!(
            problems,
            vec![Problem {
                line: 1,
                field: "format".into(),
                message: format!(
                    "format version {version} is not known; this build reads format 1 \
                     (a file from a newer rounds needs that version to import it)"
                ),
            }],
            "format {version}"
        );
        assert!(
            problems[0].to_string().starts_with(&format!(
                "line 1: format: format version {version} is not known"
            )),
            "{}",
            problems[0]
        );
    }
}

/// A newer file may change any record, even the header's organisation; only the
/// version is reported, not every line this build would misread.
#[test]
fn unknown_export_format_is_the_only_problem_reported() {
    let text = with_header_format("2").replacen(
        "\"name\":\"Tiny Pharmacy\"",
        "\"title\":\"Tiny Pharmacy\"",
        1,
    ) + "{\"record\":\"visit-plan\",\"id\":1}\n";
    let problems = OrgData::from_jsonl(&text).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (problems[0].line, problems[0].field.as_str()),
        (1, "format")
    );
}

/// Blank lines before the header do not move the problem off the header's line; a
/// format that is not a number is a field error like any other.
#[test]
fn format_problems_name_the_header_line() {
    let problems = OrgData::from_jsonl(&format!("\n{}", with_header_format("3"))).unwrap_err();
    assert_eq!(
        (problems[0].line, problems[0].field.as_str()),
        (2, "format")
    );
    let problems = OrgData::from_jsonl(&with_header_format("\"1\"")).unwrap_err();
    assert_eq!(
        (problems[0].line, problems[0].field.as_str()),
        (1, "format")
    );
}
