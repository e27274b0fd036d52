//! Control characters (a NUL above all, which PostgreSQL cannot store) are refused in
//! every text field of every record, naming the field, by the one validation every
//! entry point runs. Checked over the tiny territory, which holds every record type:
//! each string in each record gets a NUL (then a bell, an escape and a CR/LF pair) in
//! its middle, and the file must be refused at that line. The one exception is a line
//! break in a multi-line note (a browser's text area sends CR/LF), and a value read into
//! something other than text (a time range such as `08:00-12:00`), where the break must
//! not survive into what is stored.

use rounds_core::export::OrgData;
use serde_json::Value;

/// Every path to a string inside `value`, as a list of object keys and array indexes.
fn string_paths(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::String(_) => out.push(path.clone()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Value::from(i));
                string_paths(item, path, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Value::from(k.as_str()));
                string_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

#[test]
fn every_text_field_of_every_record_refuses_control_characters() {
    let text = rounds_demo::tiny().to_jsonl();
    let lines: Vec<&str> = text.lines().collect();
    let mut tried = 0;
    let mut accepted = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record: Value = serde_json::from_str(line).unwrap();
        let mut paths = Vec::new();
        string_paths(&record, &mut Vec::new(), &mut paths);
        for path in paths {
            if path == [Value::from("record")] {
                continue;
            }
            for bad in ["\u{0}", "\u{7}", "\u{1b}", "\r\n"] {
                let mut changed = record.clone();
                let field = at(&mut changed, &path);
                let old = field.as_str().unwrap().to_string();
                let cut = old
                    .char_indices()
                    .nth(old.chars().count() / 2)
                    .map_or(old.len(), |(b, _)| b);
                *field = Value::from(format!("{}{bad}{}", &old[..cut], &old[cut..]));
                let mut file: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                file[i] = changed.to_string();
                tried += 1;
                match OrgData::from_jsonl(&file.join("\n")) {
                    Ok(data) => {
                        let note = path.last() == Some(&Value::from("note"));
                        let stored = data.to_jsonl();
                        let survived = stored.contains("\\r") && !note;
                        if bad != "\r\n" || survived {
                            accepted.push(format!("line {}: {path:?} with {bad:?}", i + 1));
                        }
                    }
                    Err(problems) => assert!(
                        problems.iter().any(|p| p.line == i + 1),
                        "line {}: {path:?}: refused elsewhere: {problems:?}",
                        i + 1
                    ),
                }
            }
        }
    }
    assert!(tried > 200, "only {tried} strings tried");
    assert!(
        accepted.is_empty(),
        "{} of {tried} accepted:\n{}",
        accepted.len(),
        accepted.join("\n")
    );
}
