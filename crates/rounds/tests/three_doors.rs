//! One rule, three doors. The command line (and `rounds import`), the JSON API and the
//! pages are adapters over the same `rounds-app` use cases and `rounds-core` value
//! types, so
//! - the same touch logged through the command line, the API and the log form is stored
//!   byte for byte alike: same rep (the account's owner, whoever logs it), same trimming
//!   and line endings, same topics and next step;
//! - the same bad value fed to `rounds import`, to a command and to the API is refused
//!   with the same field and the same reason, and nothing is written;
//! - the same next-step action (a reschedule with its reason) through the command line,
//!   the API and the Today page's form is stored alike.
//!
//! Both backends.

use std::process::Command;

use rounds_core::model::{ContactId, Role, Touch, TouchId};
use rounds_demo::{DemoSpec, generate};
use rounds_store::{SqlStore, Store, WriteMode};
use rounds_testkit::web::{api, form, session_for, state, token_for};
use rounds_testkit::{DAY, ORG, TestDb, now};
use serde_json::json;

rounds_testkit::both_backends!(
    multi_thread: the_same_touch_through_the_cli_the_api_and_the_form_is_stored_alike,
    the_same_bad_values_get_the_same_refusal_from_import_the_cli_and_the_api,
    p33_the_same_step_reschedule_through_the_cli_the_api_and_the_form_is_stored_alike,
);

/// The stored row as the export writes it, id left out (each door takes a new one).
fn stored_line(touch: &Touch) -> String {
    let mut t = touch.clone();
    t.id = TouchId(0);
    serde_json::to_string(&t).unwrap()
}

async fn newest_touch(store: &SqlStore, contact: ContactId) -> Touch {
    let touches = store.touches_for_contact(ORG, contact).await.unwrap();
    touches.into_iter().max_by_key(|t| t.id).unwrap()
}

async fn the_same_touch_through_the_cli_the_api_and_the_form_is_stored_alike(db: &TestDb) {
    let data = generate(&DemoSpec::new(7, DAY));
    db.store.write_org(&data, WriteMode::Replace).await.unwrap();
    // A manager logs for a contact of one of their reps: attribution must not follow
    // the caller.
    let users = db.store.users(ORG).await.unwrap();
    let manager = users
        .iter()
        .find(|u| u.role == Role::Manager && u.team.is_some())
        .unwrap();
    let rep = users
        .iter()
        .find(|u| u.role == Role::Rep && u.team == manager.team)
        .unwrap();
    let account = db.store.accounts(ORG, Some(rep.id)).await.unwrap()[0].clone();
    let contact = db.store.contacts(ORG, Some(account.id)).await.unwrap()[0].clone();
    let topics = db.store.topics(ORG).await.unwrap();
    let (t1, t2) = (topics[0].id.0, topics[1].id.0);
    let what = "  Bring the formulary sheet  ";

    // The command line: the operator, at the instant the server's clock reads.
    let local_now = now()
        .to_zoned(account.tz.zone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["--database-url", &db.url, "log"])
        .args(["--contact", &contact.id.0.to_string()])
        .args(["--channel", "visit", "--direction", "inbound"])
        .args(["--outcome", "positive", "--kind", "referral-meeting"])
        .args([
            "--topics",
            &format!("{t1},{t2}"),
            "--explain-better",
            &t2.to_string(),
        ])
        .args(["--next", what, "--next-date", "2026-12-01"])
        .args(["--note", "Met the office manager.\nShe asked for samples."])
        .args(["--at", &local_now])
        .env_remove("ROUNDS_PLAYBOOK")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rounds log failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_cli = newest_touch(&db.store, contact.id).await;

    // Only users who can sign in (a credentials row, not disabled) are served.
    let hash = rounds_web::hash_password("a long test passphrase").unwrap();
    db.store
        .set_password(ORG, manager.id, &manager.email, &hash)
        .await
        .unwrap();
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, manager.id).await;
    let answer = api(
        &app,
        &token,
        "POST",
        "/api/v1/touches",
        Some(json!({
            "contact": contact.id.0, "channel": "visit", "direction": "inbound",
            "outcome": "positive", "kind": "referral-meeting",
            "topics": [t1, t2], "explain_better": [t2],
            "next_step": {"what": what, "due": "2026-12-01"},
            "note": "Met the office manager.\nShe asked for samples."
        })),
    )
    .await;
    assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    let by_api = newest_touch(&db.store, contact.id).await;

    let (cookie, csrf) = session_for(&db.store, ORG, manager.id).await;
    let (c, t1s, t2s) = (contact.id.0.to_string(), t1.to_string(), t2.to_string());
    let answer = form(
        &app,
        &cookie,
        "/log",
        &[
            ("csrf", &csrf),
            ("contact", &c),
            ("channel", "visit"),
            ("direction", "inbound"),
            ("outcome", "positive"),
            ("kind", "referral-meeting"),
            ("primary_topic", &t1s),
            ("topics", &t2s),
            ("explain_better", &t2s),
            ("next_step_what", what),
            ("next_step_due", "2026-12-01"),
            // A browser sends CR LF inside a textarea.
            ("note", "Met the office manager.\r\nShe asked for samples."),
        ],
    )
    .await;
    assert_eq!(answer.status.as_u16(), 303, "{}", answer.body);
    let by_form = newest_touch(&db.store, contact.id).await;

    let ids = [by_cli.id, by_api.id, by_form.id];
    assert!(
        ids[0] < ids[1] && ids[1] < ids[2],
        "three new rows: {ids:?}"
    );
    assert_eq!(
        by_cli.rep, account.rep,
        "the account's owner, not the caller"
    );
    assert_eq!(by_cli.at, now());
    assert_eq!(stored_line(&by_cli), stored_line(&by_api), "CLI and API");
    assert_eq!(stored_line(&by_api), stored_line(&by_form), "API and form");
}

/// One bad value, as each door takes it, and the field every door must name.
struct Case {
    what: &'static str,
    /// The export line to import (with the file's header before it).
    import_line: String,
    /// The command after `rounds --database-url URL`.
    cli: Vec<String>,
    /// The command line names the field by its flag.
    flag: &'static str,
    /// Method, path and body of the API call.
    api: (&'static str, String, serde_json::Value),
    field: &'static str,
}

fn rounds(db: &TestDb, args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["--database-url", &db.url])
        .args(args)
        .env_remove("ROUNDS_PLAYBOOK")
        .output()
        .unwrap()
}

/// `line` with `pointer` set to `value` and a new id, so an import would add a record.
fn with(line: &str, pointer: &str, value: serde_json::Value) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    if v.get("id").is_some() {
        v["id"] = json!(999_999);
    }
    *v.pointer_mut(pointer).unwrap() = value;
    v.to_string()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

async fn the_same_bad_values_get_the_same_refusal_from_import_the_cli_and_the_api(db: &TestDb) {
    let data = generate(&DemoSpec::new(7, DAY));
    db.store.write_org(&data, WriteMode::Replace).await.unwrap();
    let admin = data.users.iter().find(|u| u.role == Role::Admin).unwrap();
    let hash = rounds_web::hash_password("a long test passphrase").unwrap();
    db.store
        .set_password(ORG, admin.id, &admin.email, &hash)
        .await
        .unwrap();
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, admin.id).await;

    let export = String::from_utf8(rounds(db, &args(&["export"])).stdout).unwrap();
    let line_of = |record: &str| {
        export
            .lines()
            .find(|l| l.contains(&format!("\"record\":\"{record}\"")))
            .unwrap()
            .to_string()
    };
    let (header, account, contact) = (line_of("header"), line_of("account"), line_of("contact"));
    let account_json: serde_json::Value = serde_json::from_str(&account).unwrap();
    let contact_json: serde_json::Value = serde_json::from_str(&contact).unwrap();
    let (a, c) = (account_json["id"].clone(), contact_json["id"].clone());
    let (a_s, c_s) = (a.to_string(), c.to_string());
    let mut account_body = account_json.clone();
    for key in ["record", "id"] {
        account_body.as_object_mut().unwrap().remove(key);
    }
    let mut contact_body = contact_json.clone();
    for key in ["record", "id"] {
        contact_body.as_object_mut().unwrap().remove(key);
    }
    let body_with = |body: &serde_json::Value, pointer: &str, value: serde_json::Value| {
        let mut b = body.clone();
        *b.pointer_mut(pointer).unwrap() = value;
        b
    };
    // A command line cannot carry a 1 MB argument (the kernel caps one at 128 KiB), and
    // the API refuses a 1 MB body as a whole (413) before reading fields; 100,000
    // characters are as wrong for both, and the import gets the full megabyte.
    let long_note = "x".repeat(100_000);
    let touch_line = |note: &str| {
        json!({"record": "touch", "id": 999_999, "at": "2026-11-20T15:00:00Z",
            "rep": account_json["rep"], "contact": c, "account": a, "channel": "call",
            "direction": "outbound", "outcome": "conversation", "note": note})
        .to_string()
    };
    let cases = vec![
        Case {
            what: "latitude 1000",
            import_line: with(&account, "/address/lat", json!(1000.0)),
            cli: args(&["account", "edit", &a_s, "--lat", "1000"]),
            flag: "--lat",
            api: (
                "PUT",
                format!("/api/v1/accounts/{a}"),
                body_with(&account_body, "/address/lat", json!(1000.0)),
            ),
            field: "address.lat",
        },
        Case {
            what: "an empty account name",
            import_line: with(&account, "/name", json!(" ")),
            cli: args(&["account", "edit", &a_s, "--name", " "]),
            flag: "--name",
            api: (
                "PUT",
                format!("/api/v1/accounts/{a}"),
                body_with(&account_body, "/name", json!(" ")),
            ),
            field: "name",
        },
        Case {
            what: "a malformed e-mail address",
            import_line: with(&contact, "/channels/email", json!("maria@")),
            cli: args(&["contact", "edit", &c_s, "--email", "maria@"]),
            flag: "--email",
            api: (
                "PUT",
                format!("/api/v1/contacts/{c}"),
                body_with(&contact_body, "/channels/email", json!("maria@")),
            ),
            field: "channels.email",
        },
        Case {
            what: "a note over 4,000 characters",
            import_line: touch_line(&"x".repeat(1 << 20)),
            cli: args(&["log", "--contact", &c_s, "--note", &long_note]),
            flag: "--note",
            api: (
                "POST",
                "/api/v1/touches".into(),
                json!({"contact": c, "channel": "call", "outcome": "conversation", "note": long_note}),
            ),
            field: "note",
        },
        Case {
            what: "a referral count of 2^32",
            import_line: json!({"record": "referral", "contact": c, "day": "2026-11-20",
                "count": 4_294_967_296_u64})
            .to_string(),
            cli: args(&[
                "referral",
                "add",
                "--contact",
                &c_s,
                "--date",
                "2026-11-20",
                "--count",
                "4294967296",
            ]),
            flag: "--count",
            api: (
                "POST",
                "/api/v1/referrals".into(),
                json!({"contact": c, "day": "2026-11-20", "count": 4_294_967_296_u64}),
            ),
            field: "count",
        },
    ];

    for case in cases {
        let what = case.what;
        // The API: 422 naming the field, with the reason.
        let (method, path, body) = case.api;
        let answer = api(&app, &token, method, &path, Some(body)).await;
        assert_eq!(answer.status.as_u16(), 422, "{what}: API: {}", answer.body);
        let error = &answer.json()["error"];
        assert_eq!(
            error["field"], case.field,
            "{what}: API names the field: {}",
            answer.body
        );
        let reason = error["message"].as_str().unwrap().to_string();

        // The import: file, line and field, then the same reason; nothing imported.
        let file = std::env::temp_dir().join(format!("rounds-bad-{}.jsonl", std::process::id()));
        std::fs::write(&file, format!("{header}\n{}\n", case.import_line)).unwrap();
        let out = rounds(db, &args(&["import", file.to_str().unwrap()]));
        let _ = std::fs::remove_file(&file);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{what}: import must fail");
        assert!(
            err.contains(&format!(":2: {}: ", case.field)),
            "{what}: import names line 2 and the field: {err}"
        );

        // The command line: the field as its flag, non-zero exit.
        let out = rounds(db, &case.cli);
        let cli_err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{what}: the command must fail");
        assert!(
            cli_err.contains(&format!("{}: ", case.flag)),
            "{what}: the command names {}: {cli_err}",
            case.flag
        );

        // The same reason through every door, apart from the size the door could carry.
        if case.field != "note" {
            assert!(
                err.contains(&reason),
                "{what}: import says {err:?}, API {reason:?}"
            );
            assert!(
                cli_err.contains(&reason),
                "{what}: command says {cli_err:?}, API {reason:?}"
            );
        }
    }
    let after = String::from_utf8(rounds(db, &args(&["export"])).stdout).unwrap();
    assert_eq!(export, after, "nothing was written by any refused input");
}

async fn p33_the_same_step_reschedule_through_the_cli_the_api_and_the_form_is_stored_alike(
    db: &TestDb,
) {
    let data = generate(&DemoSpec::new(7, DAY));
    db.store.write_org(&data, WriteMode::Replace).await.unwrap();
    let users = db.store.users(ORG).await.unwrap();
    let manager = users
        .iter()
        .find(|u| u.role == Role::Manager && u.team.is_some())
        .unwrap();
    let rep = users
        .iter()
        .find(|u| u.role == Role::Rep && u.team == manager.team)
        .unwrap();
    let territory = db.store.territory(ORG, rep.id).await.unwrap();
    let pb = rounds_core::playbook::Playbook::default();
    let open = rounds_core::planner::open_steps(&territory, &pb, DAY);
    assert!(open.len() >= 3, "the demo rep has open steps");
    let (by_cli, by_api, by_form) = (open[0].step.0, open[1].step.0, open[2].step.0);
    let reason = "  The office is closed for training  ";

    let out = Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["--database-url", &db.url, "step", "reschedule"])
        .arg(by_cli.to_string())
        .args(["--to", "2026-12-10", "--reason", reason])
        .env_remove("ROUNDS_PLAYBOOK")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rounds step reschedule failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let hash = rounds_web::hash_password("a long test passphrase").unwrap();
    db.store
        .set_password(ORG, manager.id, &manager.email, &hash)
        .await
        .unwrap();
    let app = rounds_web::router(state(db.store.clone()));
    let token = token_for(&db.store, ORG, manager.id).await;
    let answer = api(
        &app,
        &token,
        "POST",
        &format!("/api/v1/steps/{by_api}/reschedule"),
        Some(json!({"due": "2026-12-10", "reason": reason})),
    )
    .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);

    let (cookie, csrf) = session_for(&db.store, ORG, manager.id).await;
    let answer = form(
        &app,
        &cookie,
        &format!("/steps/{by_form}/reschedule"),
        &[("csrf", &csrf), ("due", "2026-12-10"), ("reason", reason)],
    )
    .await;
    assert_eq!(answer.status.as_u16(), 303, "{}", answer.body);

    let mut stored = Vec::new();
    for id in [by_cli, by_api, by_form] {
        let updates = db.store.step_updates(ORG, TouchId(id)).await.unwrap();
        assert_eq!(updates.len(), 1, "step {id}");
        stored.push(updates[0].clone());
    }
    // Same action, same trimming, same numbering; only the step, the time and who
    // acted differ (the command line acts for the account's owner).
    let action =
        |u: &rounds_core::model::StepUpdate| serde_json::to_string(&(u.seq, &u.action)).unwrap();
    assert_eq!(action(&stored[0]), action(&stored[1]), "CLI and API");
    assert_eq!(action(&stored[1]), action(&stored[2]), "API and form");
    assert_eq!(
        stored[0].action,
        rounds_core::model::StepAction::Reschedule {
            due: jiff::civil::date(2026, 12, 10),
            reason: "The office is closed for training".into()
        }
    );
    assert_eq!(stored[0].by, rep.id);
    assert_eq!((stored[1].by, stored[2].by), (manager.id, manager.id));
    assert_eq!((stored[1].at, stored[2].at), (now(), now()));
}
