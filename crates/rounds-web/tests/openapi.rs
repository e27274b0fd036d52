//! The API contract: the OpenAPI document is a committed snapshot, so any change to it
//! shows as a diff in review (`cargo insta review` to accept one), and every body the
//! API reads or writes is a named schema.

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(rounds_web::api::openapi()).unwrap()
}

#[test]
fn the_openapi_document_is_the_committed_one() {
    insta::assert_json_snapshot!("openapi", document());
}

/// The name a `$ref` points to under `#/components/schemas/`, if it does.
fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

#[test]
fn every_body_is_a_named_schema() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut bodies = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(content) = op.pointer("/requestBody/content") {
                for (kind, c) in content.as_object().unwrap() {
                    bodies.push((
                        format!("{method} {path} request {kind}"),
                        c["schema"].clone(),
                    ));
                }
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                let Some(content) = response.get("content") else {
                    continue;
                };
                for (kind, c) in content.as_object().unwrap() {
                    bodies.push((
                        format!("{method} {path} {status} {kind}"),
                        c["schema"].clone(),
                    ));
                }
            }
        }
    }
    assert!(bodies.len() > 50, "{} bodies only", bodies.len());
    for (what, schema) in bodies {
        // A body is a named schema, or an array of one.
        let named = ref_name(&schema).or_else(|| {
            (schema["type"] == "array")
                .then(|| ref_name(&schema["items"]))
                .flatten()
        });
        let Some(name) = named else {
            panic!("{what}: not a named schema: {schema}");
        };
        let Some(component) = schemas.get(name) else {
            panic!("{what}: `{name}` is not in components/schemas");
        };
        // A named JSON schema says what it holds: not a bare `object`. (A CSV body is text:
        // its schema names it, its columns are the JSON twin's.)
        if what.ends_with("text/csv") {
            continue;
        }
        assert!(
            component.get("properties").is_some() || component.get("enum").is_some(),
            "{what}: `{name}` does not describe its fields: {component}"
        );
    }
}

#[test]
fn listings_name_their_items() {
    let doc = document();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if name.ends_with("Listing") {
            let items = &schema["properties"]["items"];
            assert_eq!(items["type"], "array", "{name}");
            assert!(ref_name(&items["items"]).is_some(), "{name}: {items}");
        }
    }
}

#[test]
fn no_schema_is_a_bare_object() {
    // A property typed only `object` (or a schema with no type at all) would let any
    // JSON through unchecked; maps must say what their values are.
    fn walk(at: &str, v: &Value, problems: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if map.get("type") == Some(&Value::from("object"))
                    && !map.contains_key("properties")
                    && !map.contains_key("additionalProperties")
                {
                    problems.push(at.to_string());
                }
                for (k, child) in map {
                    walk(&format!("{at}/{k}"), child, problems);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(&format!("{at}/{i}"), child, problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    walk("", &document()["components"], &mut problems);
    assert!(problems.is_empty(), "bare objects at {problems:#?}");
}
