//! The CSV export is a contract with a later mapping import and with spreadsheets: the
//! six files of the tiny territory are pinned by a snapshot, each file has a row per
//! record under its header, and every next step is listed with what became of it.

use jiff::Timestamp;
use jiff::civil::date;
use rounds_core::csv_out::CsvTable;
use rounds_core::export::OrgData;
use rounds_core::model::{
    AccountId, ContactId, NextStep, Outcome, StepAction, StepState, StepUpdate, Touch, TouchId,
    UserId,
};
use rounds_core::planner::every_step;

fn file(table: CsvTable, data: &OrgData) -> String {
    let mut bytes = Vec::new();
    table.write(data, &mut bytes, || {}).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn csv_export_of_the_tiny_territory_is_pinned() {
    let data = rounds_demo::tiny();
    let all: String = CsvTable::ALL
        .iter()
        .map(|t| format!("=== {}\n{}", t.file_name(), file(*t, &data)))
        .collect();
    insta::assert_snapshot!(all);
}

#[test]
fn csv_export_has_a_row_per_record_under_each_header() {
    let data = rounds_demo::tiny();
    for table in CsvTable::ALL {
        let mut bytes = Vec::new();
        let mut ticks = 0;
        let rows = table.write(&data, &mut bytes, || ticks += 1).unwrap();
        let name = table.file_name();
        assert_eq!(rows, table.rows(&data), "{name}");
        assert_eq!(ticks, rows, "{name}");
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(header, table.header(), "{name}");
        let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), rows, "{name}");
        assert!(
            records.iter().all(|rec| rec.len() == header.len()),
            "{name}"
        );
    }
    // The lost account's earlier loss is a row of its own.
    assert_eq!(CsvTable::LostAccounts.rows(&data), 2);
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn update(touch: i64, seq: u32, when: &str, action: StepAction) -> StepUpdate {
    StepUpdate {
        touch: TouchId(touch),
        seq,
        account: AccountId(1),
        at: at(when),
        by: UserId(1),
        action,
    }
}

#[test]
fn csv_export_lists_every_step_open_completed_skipped_or_superseded() {
    let mut data = rounds_demo::tiny();
    let base = data.touches[0].clone();
    let touch = |id: i64, contact: i64, when: &str, outcome: Outcome, step: Option<&str>| Touch {
        id: TouchId(id),
        at: at(when),
        contact: ContactId(contact),
        outcome,
        next_step: step.map(|what| NextStep {
            what: what.into(),
            due: date(2026, 12, 1),
        }),
        ..base.clone()
    };
    data.contacts.push(rounds_core::model::Contact {
        id: ContactId(3),
        ..data.contacts[0].clone()
    });
    data.touches = vec![
        // Contact 1: a step replaced by a later one, which stays open after a move.
        touch(
            10,
            1,
            "2026-11-02T15:00:00Z",
            Outcome::Positive,
            Some("send samples"),
        ),
        touch(
            11,
            1,
            "2026-11-09T15:00:00Z",
            Outcome::Positive,
            Some("bring the list"),
        ),
        // Contact 3: a completed step, a skipped one, then one a later answer took up.
        touch(
            20,
            3,
            "2026-11-02T15:00:00Z",
            Outcome::Positive,
            Some("call the nurse"),
        ),
        touch(
            21,
            3,
            "2026-11-05T15:00:00Z",
            Outcome::Positive,
            Some("send a letter"),
        ),
        touch(
            22,
            3,
            "2026-11-10T15:00:00Z",
            Outcome::Positive,
            Some("book lunch"),
        ),
        touch(23, 3, "2026-11-12T15:00:00Z", Outcome::Conversation, None),
    ];
    data.step_updates = vec![
        update(
            11,
            1,
            "2026-11-20T14:00:00Z",
            StepAction::Reschedule {
                due: date(2026, 12, 3),
                reason: "out of office".into(),
            },
        ),
        update(20, 1, "2026-11-03T14:00:00Z", StepAction::Complete),
        update(
            21,
            1,
            "2026-11-06T14:00:00Z",
            StepAction::Edit {
                what: Some("send two letters".into()),
                due: None,
            },
        ),
        update(
            21,
            2,
            "2026-11-07T14:00:00Z",
            StepAction::Skip {
                reason: "they asked for e-mail".into(),
            },
        ),
        // After the skip: changes nothing.
        update(
            21,
            3,
            "2026-11-08T14:00:00Z",
            StepAction::Edit {
                what: Some("too late".into()),
                due: None,
            },
        ),
    ];
    let steps = every_step(&data.accounts, &data.touches, &data.step_updates);
    let seen: Vec<(i64, StepState, &str, String, usize)> = steps
        .iter()
        .map(|s| {
            (
                s.step.0,
                s.state,
                s.what.as_str(),
                s.due.to_string(),
                s.updates,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                10,
                StepState::Superseded,
                "send samples",
                "2026-12-01".into(),
                0
            ),
            (
                11,
                StepState::Open,
                "bring the list",
                "2026-12-03".into(),
                1
            ),
            (
                20,
                StepState::Completed,
                "call the nurse",
                "2026-12-01".into(),
                1
            ),
            (
                21,
                StepState::Skipped,
                "send two letters",
                "2026-12-01".into(),
                3
            ),
            (
                22,
                StepState::Superseded,
                "book lunch",
                "2026-12-01".into(),
                0
            ),
        ]
    );
    assert_eq!(steps[2].closed_at, Some(at("2026-11-03T14:00:00Z")));
    assert_eq!(
        steps[3].skip_reason.as_deref(),
        Some("they asked for e-mail")
    );
    assert_eq!(CsvTable::NextSteps.rows(&data), 5);
    assert!(
        file(CsvTable::NextSteps, &data)
            .contains("11,1,1,1,2026-11-09,bring the list,2026-12-03,open,,,1\n")
    );
}
