//! Codat's official OpenAPI files as a test oracle: a response body is checked against the
//! 200 response schema of the operation that serves it.
//!
//! `Codat-Lending.yaml` holds the current accounting operations; `Codat-Accounting.yaml` (2023)
//! is consulted for the paths Lending lacks (items, tax rates, orders, ...). The files are the
//! verbatim copies in `shared/reference/codat` beside the repository
//! (`LEDGERBRIDGE_CODAT_REFERENCE` points elsewhere); without them the tests fail rather than
//! pass vacuously. OpenAPI 3.0's `nullable: true` is rewritten into JSON Schema first, and two
//! slips of the 2023 file are repaired ([`repair_item_type`], [`repair_payment_methods`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value, json};

/// Where Codat's OpenAPI files are: `LEDGERBRIDGE_CODAT_REFERENCE`, else the nearest
/// `shared/reference/codat` beside the crate or one of its parent folders.
fn reference_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LEDGERBRIDGE_CODAT_REFERENCE") {
        return PathBuf::from(dir);
    }
    let crate_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    );
    crate_dir
        .ancestors()
        .map(|dir| dir.join("shared/reference/codat"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| crate_dir.join("../../../shared/reference/codat"))
}

/// Rewrites OpenAPI 3.0's `nullable: true` next to `type: T` into JSON Schema's
/// `type: [T, "null"]`, everywhere in `value`.
fn normalise(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(ty)) = object.get("type").cloned()
            {
                object.insert("type".into(), json!([ty, "null"]));
            }
            object.values_mut().for_each(normalise);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

fn load(file: &str) -> Value {
    let path = reference_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}. These tests need Codat's OpenAPI files; set \
             LEDGERBRIDGE_CODAT_REFERENCE to the folder that holds them.",
            path.display()
        )
    });
    let mut doc: Value =
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    normalise(&mut doc);
    repair_item_type(&mut doc["components"]["schemas"]);
    repair_payment_methods(&mut doc["components"]["schemas"]);
    doc
}

/// The 2023 file's `PaymentMethods` page lists `Bill`s (a copy-paste slip: its get-by-id
/// answers a `PaymentMethod`, and so does every page Codat serves). Point it at
/// `PaymentMethod`.
fn repair_payment_methods(schemas: &mut Value) {
    if let Some(items) =
        schemas.pointer_mut("/PaymentMethods/allOf/0/properties/results/items/$ref")
        && items == "#/components/schemas/Bill"
    {
        *items = json!("#/components/schemas/PaymentMethod");
    }
}

/// The 2023 file nests the item type's schema one level too deep (`itemType: {type: {type:
/// string, enum: [...]}}`), which no validator can compile. Lift it out.
fn repair_item_type(schemas: &mut Value) {
    if let Some(item_type) = schemas.pointer_mut("/Item/definitions/itemType")
        && let Some(inner) = item_type.get("type").filter(|t| t.is_object()).cloned()
    {
        *item_type = inner;
    }
}

/// The spec files, newest first.
fn documents() -> &'static [(&'static str, Value)] {
    static DOCS: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        ["Codat-Lending.yaml", "Codat-Accounting.yaml"]
            .into_iter()
            .map(|file| (file, load(file)))
            .collect()
    })
}

/// A path template with its parameter names erased: `/a/{x}/b` → `/a/{}/b`.
fn shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for ch in template.chars() {
        match ch {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(ch),
        }
    }
    out
}

/// The file and exact template of the newest spec that documents `GET {template}` (parameter
/// names may differ from ours).
pub fn operation(template: &str) -> Option<(&'static str, String)> {
    let wanted = shape(template);
    documents().iter().find_map(|(file, doc)| {
        doc["paths"].as_object()?.iter().find_map(|(path, item)| {
            (shape(path) == wanted && item.get("get").is_some()).then(|| (*file, path.clone()))
        })
    })
}

type Validator = Arc<jsonschema::Validator>;

fn validator(template: &str) -> (String, Validator) {
    static CACHE: OnceLock<Mutex<HashMap<String, (String, Validator)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().expect("cache").get(template) {
        return hit.clone();
    }
    let (file, path) =
        operation(template).unwrap_or_else(|| panic!("no spec documents GET {template}"));
    let doc = &documents()
        .iter()
        .find(|(f, _)| *f == file)
        .expect("loaded")
        .1;
    let schema =
        doc["paths"][&path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone();
    assert!(schema.is_object(), "{file}: no 200 schema for GET {path}");
    let mut root = Map::new();
    root.insert(
        "components".into(),
        json!({ "schemas": doc["components"]["schemas"].clone() }),
    );
    if let Value::Object(s) = schema {
        root.extend(s);
    }
    let compiled = jsonschema::draft202012::options()
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("compiling the schema of {file} GET {path}: {e}"));
    let entry = (format!("{file} GET {path}"), Arc::new(compiled));
    cache
        .lock()
        .expect("cache")
        .insert(template.to_string(), entry.clone());
    entry
}

/// Validates `body` against the 200 response schema of `GET {template}` in the newest spec
/// file that documents the path.
pub fn assert_matches_spec(template: &str, body: &Value) {
    let (operation, validator) = validator(template);
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{operation}: {errors:#?}\n{body}");
}
