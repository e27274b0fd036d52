//! Arbitrary bytes as a CSV sheet, read the way `rounds import` reads one: the header
//! row, the shape it is recognised as, every row through that shape's reader (Salesforce
//! or Veeva) and through the starter mapping `--mapping-template` writes for its header,
//! then Veeva's assembly of what was read. A refusal is fine; a panic is a crash. On
//! top: the template always reads back as a mapping, and every problem names a line
//! within the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rounds_core::book::mapping::{Mapping, template};
use rounds_core::book::{BookContext, FileKind, Item, Sheet, salesforce, veeva};

fuzz_target!(|bytes: &[u8]| {
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    let Ok(mut sheet) = Sheet::from_csv("f.csv", std::io::Cursor::new(bytes.to_vec())) else {
        return;
    };
    let cx = BookContext {
        zone: Some("America/Chicago".parse().unwrap()),
        today: jiff::civil::date(2026, 12, 1),
    };
    let mapping = Mapping::from_toml(&template("f.csv", &sheet.header));
    let kind = FileKind::detect(&sheet);
    let (mut businesses, mut persons, mut addresses) = (vec![], vec![], vec![]);
    while let Some(row) = sheet.next_row() {
        let row = match row {
            Ok(row) => row,
            Err(p) => {
                assert!(p.line <= lines, "a problem past the end: {p}");
                continue;
            }
        };
        assert!(row.line >= 2 && row.line <= lines, "row line {} of {lines}", row.line);
        let v = sheet.view(&row);
        let read = match kind {
            Some(k) if k.source() == "veeva" => Some(veeva::row(k, &v, &cx, &veeva::columns(k, &sheet))),
            Some(k) => Some(salesforce::row(k, &v, &cx, &salesforce::columns(k, &sheet))),
            None => None,
        };
        match read {
            Some(Ok(Item::Business(b))) => businesses.push(*b),
            Some(Ok(Item::Person(p))) => persons.push(*p),
            Some(Ok(Item::Address(a))) => addresses.push(*a),
            Some(Ok(Item::Account(a))) => drop(a.record.validate()),
            Some(Ok(Item::Contact(c))) => drop(c.record.validate()),
            Some(Ok(Item::Touch(t))) => drop(t.draft.record.validate()),
            Some(Err(problems)) => {
                for p in problems {
                    assert_eq!(p.line, row.line, "a row's problem names its line: {p}");
                }
            }
            _ => {}
        }
        if let Ok(m) = &mapping {
            let _ = m.row(&v, &cx, &m.columns(&sheet));
        }
    }
    let (accounts, contacts, _) = veeva::assemble(businesses, persons, addresses, &cx);
    for a in accounts {
        drop(a.record.validate());
    }
    for c in contacts {
        drop(c.record.validate());
    }
});
