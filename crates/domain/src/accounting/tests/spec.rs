//! Validates what the types write against the JSON schemas in Codat's own OpenAPI files.
//!
//! The files are the verbatim copies in the shared reference folder
//! (`shared/reference/codat/`, beside the repository; `LEDGERBRIDGE_CODAT_REFERENCE` points
//! elsewhere). Without them these tests fail rather than pass vacuously.
//!
//! `Codat-Lending.yaml` holds the current `Accounting*` schemas; items, tax rates and orders
//! are checked against the 2023 `Codat-Accounting.yaml`, the newest that has them.
//!
//! Two things are rewritten before compiling: OpenAPI 3.0's `nullable: true`, which JSON
//! Schema does not know (see [`normalise`]), and one schema in the 2023 file whose `type` is
//! itself a schema (see [`repair_item_type`]).

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::*;

/// Where Codat's OpenAPI files are: `LEDGERBRIDGE_CODAT_REFERENCE`, else the nearest
/// `shared/reference/codat` beside the crate or one of its parent folders.
fn reference_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LEDGERBRIDGE_CODAT_REFERENCE") {
        return PathBuf::from(dir);
    }
    // `cargo test` sets the variable at run time too; prefer that over the build's value.
    let crate_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    );
    crate_dir
        .ancestors()
        .map(|dir| dir.join("shared/reference/codat"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| crate_dir.join("../../../shared/reference/codat"))
}

/// `components.schemas` of one OpenAPI file, normalised, as the root of a JSON Schema
/// document (so `#/components/schemas/...` references resolve).
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
    let mut schemas = doc["components"]["schemas"].take();
    assert!(
        schemas.is_object(),
        "{} has no components.schemas",
        path.display()
    );
    normalise(&mut schemas);
    repair_item_type(&mut schemas);
    json!({ "components": { "schemas": schemas } })
}

fn lending() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| load("Codat-Lending.yaml"))
}

fn accounting_2023() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| load("Codat-Accounting.yaml"))
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

/// The 2023 file nests the item type's schema one level too deep (`itemType: {type: {type:
/// string, enum: [...]}}`), which no validator can compile. Lift it out.
fn repair_item_type(schemas: &mut Value) {
    let item_type = &mut schemas["Item"]["definitions"]["itemType"];
    if let Some(inner) = item_type.get("type").filter(|t| t.is_object()).cloned() {
        *item_type = inner;
    }
}

/// The errors from validating `instance` against `components.schemas.{name}` of `doc`.
fn errors(doc: &Value, name: &str, instance: &Value) -> Vec<String> {
    let mut root: Map<String, Value> = doc.as_object().cloned().unwrap_or_default();
    root.insert(
        "$ref".into(),
        Value::String(format!("#/components/schemas/{name}")),
    );
    let validator = jsonschema::draft202012::options()
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("compiling {name}: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid(doc: &Value, name: &str, instance: &Value) {
    let errors = errors(doc, name, instance);
    assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    let extra = undeclared_in(doc, name, instance);
    assert!(extra.is_empty(), "not in Codat's schema: {extra:?}");
}

/// Follows `$ref` (a JSON pointer into `doc`) until reaching a schema that is not a bare
/// reference.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(pointer) = schema.get("$ref").and_then(Value::as_str) {
        schema = pointer
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .unwrap_or_else(|| panic!("unresolvable $ref {pointer}"));
    }
    schema
}

/// The properties a schema declares, through `$ref` and `allOf`.
fn declared_properties<'a>(doc: &'a Value, schema: &'a Value, out: &mut Map<String, Value>) {
    let schema = resolve(doc, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in properties {
            out.entry(name.clone()).or_insert_with(|| sub.clone());
        }
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        declared_properties(doc, part, out);
    }
}

/// The paths in `instance` that are not properties Codat declares, recursively. JSON Schema
/// lets undeclared properties through, so the validator alone would not notice a field we
/// made up or misspelt.
fn undeclared(doc: &Value, schema: &Value, instance: &Value, path: &str, out: &mut Vec<String>) {
    match instance {
        Value::Object(object) => {
            let mut declared = Map::new();
            declared_properties(doc, schema, &mut declared);
            if declared.is_empty() {
                return; // a map, such as `supplementalData.content`
            }
            for (key, value) in object {
                let at = format!("{path}.{key}");
                match declared.get(key) {
                    Some(sub) => undeclared(doc, sub, value, &at, out),
                    None => out.push(at),
                }
            }
        }
        Value::Array(items) => {
            let item = resolve(doc, schema).get("items").unwrap_or(&Value::Null);
            for (i, value) in items.iter().enumerate() {
                undeclared(doc, item, value, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn undeclared_in(doc: &Value, name: &str, instance: &Value) -> Vec<String> {
    let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
    let mut out = Vec::new();
    undeclared(doc, &schema, instance, name, &mut out);
    out
}

/// Codat's schema name for each record type's sample.
const RECORD_SCHEMAS: &[(DataType, &str)] = &[
    (DataType::Invoices, "AccountingInvoice"),
    (DataType::Customers, "AccountingCustomer"),
    (DataType::Suppliers, "AccountingSupplier"),
    (DataType::ChartOfAccounts, "AccountingAccount"),
    (DataType::Bills, "AccountingBill"),
    (DataType::Payments, "AccountingPayment"),
    (DataType::BillPayments, "AccountingBillPayment"),
    (DataType::CreditNotes, "AccountingCreditNote"),
    (DataType::BillCreditNotes, "AccountingBillCreditNote"),
    (DataType::JournalEntries, "AccountingJournalEntry"),
    (DataType::Journals, "AccountingJournal"),
    (DataType::TrackingCategories, "AccountingTrackingCategory"),
    (DataType::PaymentMethods, "AccountingPaymentMethod"),
    (DataType::BankAccounts, "AccountingBankAccount"),
    (DataType::BankTransactions, "AccountingBankTransaction"),
    (
        DataType::AccountTransactions,
        "AccountingAccountTransaction",
    ),
    (DataType::DirectCosts, "AccountingDirectCost"),
    (DataType::DirectIncomes, "AccountingDirectIncome"),
    (DataType::Transfers, "AccountingTransfer"),
];

/// Record types only the 2023 Accounting file describes.
const RECORD_SCHEMAS_2023: &[(DataType, &str)] = &[
    (DataType::Items, "Item"),
    (DataType::TaxRates, "TaxRate"),
    (DataType::PurchaseOrders, "PurchaseOrder"),
    (DataType::SalesOrders, "SalesOrder"),
];

#[test]
fn record_samples_match_codats_schemas() {
    let covered = RECORD_SCHEMAS.len() + RECORD_SCHEMAS_2023.len();
    assert_eq!(
        covered,
        record_types().count(),
        "a record type has no spec check"
    );
    for &(data_type, name) in RECORD_SCHEMAS {
        assert_valid(lending(), name, &record_sample(data_type));
    }
    for &(data_type, name) in RECORD_SCHEMAS_2023 {
        assert_valid(accounting_2023(), name, &record_sample(data_type));
    }
}

#[test]
fn documents_match_codats_schemas() {
    for (file, instance) in document_samples() {
        let name = match file {
            "company_info" => "AccountingCompanyInfo",
            "balance_sheet" => "AccountingBalanceSheet",
            "profit_and_loss" => "AccountingProfitAndLossReport",
            "cash_flow_statement" => "AccountingCashFlowStatement",
            "aged_debtor_report" => "AccountingAgedDebtorReport",
            "aged_creditor_report" => "AccountingAgedCreditorReport",
            other => panic!("no Codat schema for {other}"),
        };
        assert_valid(lending(), name, &instance);
    }
}

#[test]
fn minimal_records_match_codats_schemas() {
    // Only the fields each type requires: what our required fields write must be enough.
    let invoice: Invoice = serde_json::from_str(
        r#"{"id":"i","issueDate":"2023-01-31","totalTaxAmount":0,"totalAmount":0,"amountDue":0,"status":"Draft"}"#,
    )
    .expect("parses");
    let bill: Bill = serde_json::from_str(
        r#"{"id":"b","issueDate":"2023-01-31","status":"Open","subTotal":0,"taxAmount":0,"totalAmount":0}"#,
    )
    .expect("parses");
    let payment: Payment =
        serde_json::from_str(r#"{"id":"p","date":"2023-01-31"}"#).expect("parses");
    let customer: Customer =
        serde_json::from_str(r#"{"id":"c","status":"Active"}"#).expect("parses");
    for (name, value) in [
        ("AccountingInvoice", serde_json::to_value(&invoice)),
        ("AccountingBill", serde_json::to_value(&bill)),
        ("AccountingPayment", serde_json::to_value(&payment)),
        ("AccountingCustomer", serde_json::to_value(&customer)),
    ] {
        assert_valid(lending(), name, &value.expect("serialises"));
    }
}

#[test]
fn the_validator_rejects_what_codat_would() {
    // Guards the tests above: a validator that accepted anything would pass them too.
    let mut invoice = record_sample(DataType::Invoices);
    invoice["status"] = json!("Settled");
    invoice["lineItems"][0]["quantity"] = json!("2");
    invoice
        .as_object_mut()
        .expect("object")
        .remove("totalAmount");
    let found = errors(lending(), "AccountingInvoice", &invoice);
    assert_eq!(found.len(), 3, "{found:#?}");

    let mut customer = record_sample(DataType::Customers);
    customer["addresses"][0]["city"] = Value::Null;
    assert!(errors(lending(), "AccountingCustomer", &customer).is_empty());
    customer["status"] = Value::Null;
    assert!(!errors(lending(), "AccountingCustomer", &customer).is_empty());

    let mut bill = record_sample(DataType::Bills);
    bill["lineItems"][0]["unitPrice"] = json!(1);
    assert_eq!(
        undeclared_in(lending(), "AccountingBill", &bill),
        ["AccountingBill.lineItems[0].unitPrice"]
    );
}
