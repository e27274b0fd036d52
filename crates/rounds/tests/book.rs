//! Moving in from Salesforce, Veeva or a spreadsheet through the `rounds` executable:
//! the round trip at the size of a real book on SQLite and PostgreSQL (import, plan,
//! import again: nothing changes), the table of bad rows (file, row and column named,
//! exit 1, nothing written), mappings and their template, and the CSV export read back
//! through the mapping path.

mod common;

use std::path::{Path, PathBuf};

use common::Rounds;
use rounds_demo::crm::{CrmSpec, SalesforceFiles, VeevaFiles, write_salesforce, write_veeva};
use rounds_testkit::TestDb;

/// The day the tests import on: activities after it have not happened.
const AS_OF: &str = "2026-12-01";

const SEED: &str = r#"{"record":"header","format":1,"organisation":{"id":1,"name":"Test Org","demo":false}}
{"record":"user","id":1,"name":"Nina Reyes","email":"nina@clinic.example","role":"rep","team":"north"}
{"record":"user","id":2,"name":"Omar Haddad","email":"omar@clinic.example","role":"rep","team":"north"}
"#;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/book")
        .join(relative)
}

fn seeded(r: &Rounds) {
    let seed = r.path("seed.jsonl");
    std::fs::write(&seed, SEED).unwrap();
    r.ok(&["import", seed.to_str().unwrap()]);
}

/// The numbers of a summary line: `  touches   40000   0   0` → [40000, 0, 0].
fn counts(out: &str, what: &str) -> Vec<u64> {
    let line = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some(what))
        .unwrap_or_else(|| panic!("no `{what}` line in:\n{out}"));
    line.split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect()
}

fn held(out: &str) -> String {
    out.lines()
        .find(|l| l.starts_with("The organisation holds"))
        .unwrap_or_else(|| panic!("no row count in:\n{out}"))
        .to_string()
}

fn spec() -> CrmSpec {
    CrmSpec {
        seed: 7,
        owners: vec!["nina@clinic.example".into(), "omar@clinic.example".into()],
        accounts: 1_000,
        contacts: 4_000,
        activities: 40_000,
        today: jiff::civil::date(2026, 12, 1),
    }
}

fn salesforce_book(dir: &Path) {
    let file = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
    write_salesforce(
        &spec(),
        SalesforceFiles {
            users: file("User.csv"),
            accounts: file("Account.csv"),
            contacts: file("Contact.csv"),
            tasks: file("Task.csv"),
        },
    )
    .unwrap();
}

fn veeva_book(dir: &Path) {
    let file = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
    write_veeva(
        &spec(),
        VeevaFiles {
            accounts: file("Account.csv"),
            addresses: file("Address_vod__c.csv"),
            calls: file("Call2_vod__c.csv"),
        },
    )
    .unwrap();
}

/// Import, plan, import again (dry and for real: nothing changes), then one edited row
/// changes one record.
fn round_trip(r: &Rounds, book: &Path, extra: &[&str], expected: [(&str, u64); 3]) {
    seeded(r);
    let dir = book.to_str().unwrap();
    let mut args = vec!["import", dir, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    let first = r.ok(&args);
    for (what, n) in expected {
        assert_eq!(counts(&first, what)[0], n, "{what} added:\n{first}");
    }
    let holds = held(&first);
    let plan = r.json(&["today", "--rep", "1", "--date", "2026-12-02", "--json"]);
    assert!(
        !plan["items"].as_array().unwrap().is_empty(),
        "the imported book plans a day: {plan}"
    );
    let mut dry = args.clone();
    dry.push("--dry-run");
    let again = r.ok(&dry);
    assert!(again.starts_with("Dry run"), "{again}");
    for (what, n) in expected {
        assert_eq!(
            counts(&again, what),
            [0, 0, n],
            "{what} on the dry re-import:\n{again}"
        );
    }
    assert_eq!(held(&again), holds);
    let real = r.ok(&args);
    for (what, n) in expected {
        assert_eq!(
            counts(&real, what),
            [0, 0, n],
            "{what} on the re-import:\n{real}"
        );
    }
    assert_eq!(held(&real), holds, "a re-import adds no row");
}

async fn salesforce_round_trip(r: &Rounds) {
    let book = r.path("sf");
    std::fs::create_dir(&book).unwrap();
    salesforce_book(&book);
    round_trip(
        r,
        &book,
        &[],
        [
            ("accounts", 1_000),
            ("contacts", 4_000),
            ("touches", 40_000),
        ],
    );
    // One contact's e-mail address changes in Salesforce: one contact changes here.
    let path = book.join("Contact.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let old = text
        .lines()
        .nth(17)
        .unwrap()
        .split(',')
        .nth(7)
        .unwrap()
        .to_string();
    std::fs::write(
        &path,
        text.replacen(&old, "new.address@practice.example", 1),
    )
    .unwrap();
    let out = r.ok(&[
        "import",
        book.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--dry-run",
    ]);
    assert_eq!(counts(&out, "contacts"), [0, 1, 3_999], "{out}");
    assert_eq!(counts(&out, "touches"), [0, 0, 40_000], "{out}");
    let out = r.ok(&["import", book.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(counts(&out, "contacts"), [0, 1, 3_999], "{out}");
    let found = r.ok(&["contact", "list", "--json"]);
    assert!(found.contains("new.address@practice.example"));
}

async fn veeva_round_trip(r: &Rounds) {
    let book = r.path("veeva");
    std::fs::create_dir(&book).unwrap();
    veeva_book(&book);
    // 1,000 organisations and an office for each of the 400 professionals without one.
    round_trip(
        r,
        &book,
        &["--rep", "nina@clinic.example"],
        [
            ("accounts", 1_400),
            ("contacts", 4_000),
            ("touches", 40_000),
        ],
    );
}

#[test]
fn a_salesforce_book_round_trips_on_sqlite() {
    let r = Rounds::new();
    tokio_block(salesforce_round_trip(&r));
}

#[test]
fn a_veeva_book_round_trips_on_sqlite() {
    let r = Rounds::new();
    tokio_block(veeva_round_trip(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_salesforce_book_round_trips_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let r = Rounds::on(&db.url);
    salesforce_round_trip(&r).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_veeva_book_round_trips_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let r = Rounds::on(&db.url);
    veeva_round_trip(&r).await;
}

fn tokio_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn the_small_salesforce_export_lands_on_the_right_people_and_leaves_out_what_did_not_happen() {
    let r = Rounds::new();
    seeded(&r);
    let out = r.ok(&[
        "import",
        fixture("salesforce").to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(counts(&out, "accounts"), [3, 0, 0], "{out}");
    assert_eq!(counts(&out, "contacts"), [5, 0, 0], "{out}");
    assert_eq!(counts(&out, "touches"), [6, 0, 0], "{out}");
    for left in [
        "left out: 1 open tasks (not done yet)",
        "left out: 1 activities with leads",
        "left out: 1 activities with no contact",
        "left out: 1 meetings after today",
    ] {
        assert!(out.contains(left), "{left}:\n{out}");
    }
    let accounts = r.json(&["account", "list", "--json"]);
    let eastgate = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Eastgate Imaging Center")
        .unwrap();
    assert_eq!(eastgate["rep"], 2, "owned by Omar through User.csv");
    assert_eq!(eastgate["tz"], "America/Chicago", "Texas");
    assert_eq!(eastgate["kind"], "imaging-centre");
    let contacts = r.json(&["contact", "list", "--json"]);
    let tom = contacts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Tom Baker")
        .unwrap();
    assert_eq!(tom["role"], "office-manager");
    assert_eq!(
        tom["opt_outs"],
        serde_json::json!(["email"]),
        "HasOptedOutOfEmail"
    );
    let export = r.ok(&["export"]);
    assert!(
        export.contains("Discussed the turnaround.\\nShe wants the one-page guide."),
        "a two-line description stays whole"
    );
    assert!(
        export.contains(r#""channel":"voicemail","direction":"outbound","outcome":"no-response""#)
    );
    assert!(
        export.contains(r#""channel":"virtual-meeting""#),
        "a meeting on Zoom"
    );
}

#[test]
fn the_small_veeva_export_places_professionals_under_their_parent_or_their_office() {
    let r = Rounds::new();
    seeded(&r);
    let out = r.ok(&[
        "import",
        fixture("veeva").to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--rep",
        "1",
    ]);
    assert_eq!(counts(&out, "accounts"), [2, 0, 0], "{out}");
    assert_eq!(
        counts(&out, "topics"),
        [2, 0, 0],
        "two detailed products:\n{out}"
    );
    assert!(
        out.contains("left out: 1 planned calls (not done yet)"),
        "{out}"
    );
    assert!(
        out.contains("left out: 1 activities on an organisation, not a person"),
        "{out}"
    );
    let accounts = r.ok(&["account", "list"]);
    assert!(
        accounts.contains("Northside Cardiology Group"),
        "{accounts}"
    );
    assert!(
        accounts.contains("50 Oak St, Chicago"),
        "the shared office:\n{accounts}"
    );
}

/// One bad input per row of the table: the file written, and the start of the message.
#[test]
fn bad_rows_name_file_row_and_column_exit_1_and_write_nothing() {
    let account = "Id,Name,BillingState,OwnerId\n001A,Lakeside Orthopaedics,IL,\n";
    let contact_head = "Id,AccountId,FirstName,LastName,Email\n";
    let cases: &[(&str, &str, &[u8], &str)] = &[
        (
            "bad e-mail",
            "Contact.csv",
            b"Id,AccountId,FirstName,LastName,Email\n003A,001A,Maria,Lopez,maria@\n",
            "Contact.csv:2: Email: `maria@` is not an e-mail address",
        ),
        (
            "unknown account id",
            "Contact.csv",
            b"Id,AccountId,FirstName,LastName,Email\n003A,001ZZZ,Maria,Lopez,\n",
            "Contact.csv:2: AccountId: `001ZZZ` is not an account of this import nor of an earlier one from salesforce",
        ),
        (
            "bad date",
            "Task.csv",
            b"Id,WhoId,WhatId,Subject,ActivityDate,Status,TaskSubtype\n00TA,003B,001A,Call,31/02/2026,Completed,Call\n",
            "Task.csv:2: ActivityDate: `31/02/2026` is not a date",
        ),
        (
            "formula cell",
            "Contact.csv",
            b"Id,AccountId,FirstName,LastName,Email\n003A,001A,Maria,\"=HYPERLINK(\"\"http://x.example\"\")\",\n",
            "Contact.csv:2: LastName: `=HYPERLINK(\"http://x.example\")` is a spreadsheet formula",
        ),
        (
            "duplicate external id",
            "Contact.csv",
            b"Id,AccountId,FirstName,LastName,Email\n003A,001A,Maria,Lopez,\n003A,001A,Tom,Baker,\n",
            "Contact.csv:3: Id: the contact `003A` appears twice (first at ",
        ),
        (
            "wrong encoding",
            "Contact.csv",
            b"Id,AccountId,FirstName,LastName,Email\n003A,001A,Jos\xe9,Lopez,\n",
            "Contact.csv:2: FirstName: is not UTF-8 text (byte 0xE9); save the file as \"CSV UTF-8\"",
        ),
        (
            "byte-order mark",
            "Contact.csv",
            b"\xef\xbb\xbfId,AccountId,FirstName,LastName,Email\n,001A,Maria,Lopez,\n",
            "Contact.csv:2: Id: is empty; every row needs one",
        ),
        (
            "semicolon-separated",
            "Contact.csv",
            b"Id;AccountId;FirstName;LastName;Email\n003A;001A;Maria;Lopez;maria@@x.example\n",
            "Contact.csv:2: Email: `maria@@x.example` is not an e-mail address",
        ),
    ];
    assert!(contact_head.starts_with("Id,"));
    for (what, file, content, expected) in cases {
        let r = Rounds::new();
        seeded(&r);
        let before = r.ok(&["export"]);
        let dir = r.path("book");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("Account.csv"), account).unwrap();
        if *file == "Task.csv" {
            std::fs::write(
                dir.join("Contact.csv"),
                "Id,AccountId,FirstName,LastName\n003B,001A,Tom,Baker\n",
            )
            .unwrap();
        }
        std::fs::write(dir.join(file), content).unwrap();
        let out = r.run(&[
            "import",
            dir.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--rep",
            "1",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: exit 1\n{stderr}");
        let expected = format!("{}/{expected}", dir.display());
        assert!(
            stderr.lines().any(|l| l.starts_with(&expected)),
            "{what}: expected a line starting\n  {expected}\ngot:\n{stderr}"
        );
        assert!(stderr.contains("nothing was imported"), "{what}: {stderr}");
        assert_eq!(r.ok(&["export"]), before, "{what}: nothing written");
    }
}

#[test]
fn an_owner_without_a_rounds_user_is_named_once_and_mapped_with_owner_map() {
    let r = Rounds::new();
    seeded(&r);
    let dir = r.path("book");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("Account.csv"),
        "Id,Name,BillingState,OwnerId\n001A,One,IL,005X\n001B,Two,IL,005X\n",
    )
    .unwrap();
    let err = r.fails(&["import", dir.to_str().unwrap(), "--as-of", AS_OF]);
    assert!(
        err.contains("Account.csv:2: OwnerId: `005X` is not a Rounds user")
            && err.contains("(2 rows name this owner)"),
        "{err}"
    );
    let map = r.path("owners.csv");
    std::fs::write(&map, "owner,rep\n005X,omar@clinic.example\n").unwrap();
    let out = r.ok(&[
        "import",
        dir.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--owner-map",
        map.to_str().unwrap(),
    ]);
    assert_eq!(counts(&out, "accounts"), [2, 0, 0], "{out}");
    let accounts = r.json(&["account", "list", "--json"]);
    assert!(accounts.as_array().unwrap().iter().all(|a| a["rep"] == 2));
}

#[test]
fn a_mapping_template_reads_back_and_a_mapped_sheet_imports_once() {
    let r = Rounds::new();
    seeded(&r);
    let sheet = fixture("sheet/practices.csv");
    let template = r.ok(&["import", "--mapping-template", sheet.to_str().unwrap()]);
    assert!(template.contains("record = \"account\""), "{template}");
    assert!(template.contains("name = \"Practice\""), "{template}");
    let mapping = fixture("sheet/practices.toml");
    let args = [
        "import",
        "--mapping",
        mapping.to_str().unwrap(),
        sheet.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ];
    let out = r.ok(&args);
    assert_eq!(counts(&out, "accounts"), [2, 0, 0], "{out}");
    let again = r.ok(&args);
    assert_eq!(counts(&again, "accounts"), [0, 0, 2], "{again}");
    let accounts = r.json(&["account", "list", "--json"]);
    let riverbend = &accounts[0];
    assert_eq!(riverbend["status"], "customer", "[values.status] Active");
    assert_eq!(riverbend["tz"], "America/Chicago", "Oklahoma");
    let bad = r.path("bad.toml");
    std::fs::write(
        &bad,
        "record = \"account\"\n[columns]\nexternal_id = \"Practice No\"\nnmae = \"Practice\"\n",
    )
    .unwrap();
    let err = r.fails(&[
        "import",
        "--mapping",
        bad.to_str().unwrap(),
        sheet.to_str().unwrap(),
    ]);
    assert!(
        err.contains("columns.nmae: not a field of a account"),
        "{err}"
    );
    assert!(err.contains("columns.name: required"), "{err}");
}

/// The CSV export of one organisation, read back into another through the mapping path.
#[test]
fn the_csv_export_reads_back_through_mappings() {
    let from = Rounds::new();
    seeded(&from);
    from.ok(&[
        "import",
        fixture("salesforce").to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    let csv = from.path("csv");
    from.ok(&[
        "export",
        "--format",
        "csv",
        "--dir",
        csv.to_str().unwrap(),
        "--quiet",
    ]);
    let to = Rounds::new();
    seeded(&to);
    for (mapping, file) in [
        ("rounds-accounts.toml", "accounts.csv"),
        ("rounds-contacts.toml", "contacts.csv"),
        ("rounds-touches.toml", "touches.csv"),
    ] {
        let m = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/mappings")
            .join(mapping);
        to.ok(&[
            "import",
            "--mapping",
            m.to_str().unwrap(),
            csv.join(file).to_str().unwrap(),
            "--as-of",
            AS_OF,
        ]);
    }
    let fields = |r: &Rounds, what: &str, keys: &[&str]| -> Vec<String> {
        let list = r.json(&[what, "list", "--json"]);
        let mut rows: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                keys.iter()
                    .map(|k| v[*k].to_string())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(
        fields(&to, "account", &["name", "rep", "tz", "status", "kind"]),
        fields(&from, "account", &["name", "rep", "tz", "status", "kind"])
    );
    assert_eq!(
        fields(&to, "contact", &["name", "role", "opt_outs", "channels"]),
        fields(&from, "contact", &["name", "role", "opt_outs", "channels"])
    );
    let touches = |r: &Rounds| {
        let e = r.ok(&["export"]);
        e.lines()
            .filter(|l| l.contains(r#""record":"touch""#))
            .count()
    };
    assert_eq!(touches(&to), touches(&from));
}

#[test]
fn a_workbook_imports_like_its_csv_twin() {
    let r = Rounds::new();
    seeded(&r);
    let mapping = fixture("sheet/practices.toml");
    let csv = r.ok(&[
        "import",
        "--mapping",
        mapping.to_str().unwrap(),
        fixture("sheet/practices.csv").to_str().unwrap(),
    ]);
    assert_eq!(counts(&csv, "accounts"), [2, 0, 0], "{csv}");
    // The same practices from the workbook: the same records, nothing to change.
    let xlsx = r.ok(&[
        "import",
        "--mapping",
        mapping.to_str().unwrap(),
        fixture("sheet/practices.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(counts(&xlsx, "accounts"), [0, 0, 2], "{xlsx}");
    let template = r.ok(&[
        "import",
        "--mapping-template",
        fixture("sheet/practices.xlsx").to_str().unwrap(),
    ]);
    assert!(
        template.contains("external_id = \"Practice No\""),
        "{template}"
    );
    let missing = r.fails(&[
        "import",
        "--mapping",
        mapping.to_str().unwrap(),
        fixture("sheet/practices.xlsx").to_str().unwrap(),
        "--sheet",
        "Leads",
    ]);
    assert!(
        missing.contains("has no sheet `Leads` (it has: Practices)"),
        "{missing}"
    );
}

#[test]
fn vcards_from_a_phone_become_contacts_once() {
    let r = Rounds::new();
    seeded(&r);
    r.ok(&[
        "import",
        fixture("salesforce").to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    let vcf = fixture("phone.vcf");
    let err = r.fails(&["import", vcf.to_str().unwrap()]);
    assert!(
        err.contains("phone.vcf:11: ORG: the card names no organisation; give --account"),
        "{err}"
    );
    let before = r.ok(&["contact", "list", "--account", "1", "--json"]);
    let out = r.ok(&["import", vcf.to_str().unwrap(), "--account", "1"]);
    // Maria Lopez is in Rounds already (from Salesforce, same e-mail): her card adds
    // her cell to her record instead of a twin.
    assert!(
        out.contains("1 contacts added, 1 changed, 0 unchanged"),
        "{out}"
    );
    let again = r.ok(&["import", vcf.to_str().unwrap(), "--account", "1"]);
    assert!(
        again.contains("0 contacts added, 0 changed, 2 unchanged"),
        "{again}"
    );
    let after = r.json(&["contact", "list", "--account", "1", "--json"]);
    let names: Vec<&str> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Ellis Grant"), "{names:?}");
    assert_ne!(
        before,
        r.ok(&["contact", "list", "--account", "1", "--json"])
    );
    let grant = after
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Ellis Grant")
        .unwrap();
    assert_eq!(grant["role"], "front-desk");
    assert_eq!(grant["channels"]["office_phone"], "(847) 555-0150");
    let marias: Vec<&serde_json::Value> = after
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "Dr. Maria Lopez")
        .collect();
    assert_eq!(marias.len(), 1, "no twin");
    assert_eq!(marias[0]["channels"]["cell"], "+1 847 555 0199");
}
