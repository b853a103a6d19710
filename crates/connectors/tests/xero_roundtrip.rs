//! Round trip: the generator's books, served by the Xero simulator in Xero's model, read
//! back by the connector, equal the generator's own Codat records field by field, except
//! for what Xero itself cannot hold. Every such loss is listed in `expected()` below, with
//! the reason; nothing else may differ.

mod xero_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ledgerbridge_domain::DataType;
use ledgerbridge_fakes::xero::{SimOptions, TenantOptions};
use ledgerbridge_sandbox::codat::{self, Codat};
use ledgerbridge_sandbox::{Books, Config, Record, Size};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use xero_support::*;

const SEED: u64 = 7;

struct Truth {
    records: HashMap<String, BTreeMap<String, Value>>,
    deleted: HashMap<String, BTreeSet<String>>,
}

fn statement_id(key: &str, doc: &Value) -> String {
    let field = if key == "balanceSheet" {
        "date"
    } else {
        "fromDate"
    };
    doc[field].as_str().unwrap_or("company").to_string()
}

fn truth() -> Truth {
    let books = Books::new(Config::new(SEED, Size::Medium)).expect("books");
    let codat = Codat::new(&books);
    let mut t = Truth {
        records: HashMap::new(),
        deleted: HashMap::new(),
    };
    for r in books.at_sync(0).records() {
        let key = codat::data_type(&r).to_string();
        if let Record::Deleted(d) = &r {
            t.deleted.entry(key).or_default().insert(codat.deleted(d).1);
        } else if let Some(m) = codat.map(&r) {
            let doc: Value = serde_json::from_str(&m.to_json().expect("json")).expect("json");
            let id = m
                .id()
                .map(str::to_string)
                .unwrap_or_else(|| statement_id(&key, &doc));
            t.records.entry(key).or_default().insert(id, doc);
        }
    }
    t
}

/// Numbers compared by value (`20` = `20.00`); currency rates to 4 places (Xero keeps the
/// inverse rate to 6 places, so the rate read back may differ in the 7th digit).
fn normalise(v: &mut Value, key: &str) {
    match v {
        Value::Number(n) => {
            if let Ok(mut d) = n.to_string().parse::<Decimal>() {
                if key == "currencyRate" {
                    d = d.round_dp(4);
                }
                *v = Value::String(format!("#{}", d.normalize()));
            }
        }
        Value::Object(o) => {
            o.remove("modifiedDate");
            for (k, x) in o.iter_mut() {
                normalise(x, k);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| normalise(x, key)),
        _ => {}
    }
}

/// Removes `path` (`a.b[].c`: `[]` walks an array) from `v`.
fn drop_path(v: &mut Value, path: &str) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let (name, each) = match head.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (head, false),
    };
    let Some(obj) = v.as_object_mut() else { return };
    match rest {
        None if !each => {
            obj.remove(name);
        }
        _ => {
            let Some(child) = obj.get_mut(name) else {
                return;
            };
            let rest = rest.unwrap_or("");
            if each {
                for x in child.as_array_mut().into_iter().flatten() {
                    drop_path(x, rest);
                }
            } else {
                drop_path(child, rest);
            }
        }
    }
}

fn each_mut<'a>(v: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    v.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

fn sort_allocations(v: &mut Value) {
    if let Some(a) = v
        .get_mut("paymentAllocations")
        .and_then(Value::as_array_mut)
    {
        a.sort_by_key(|x| x["payment"]["id"].as_str().unwrap_or("").to_string());
    }
}

fn tax_ids_to_codes(v: &mut Value, codes: &HashMap<String, String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Object(r)) = o.get_mut("taxRateRef")
                && let Some(Value::String(id)) = r.get_mut("id")
                && let Some(code) = codes.get(id.as_str())
            {
                *id = code.clone();
            }
            o.values_mut().for_each(|x| tax_ids_to_codes(x, codes));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| tax_ids_to_codes(x, codes)),
        _ => {}
    }
}

fn flatten_report_line(line: &mut Value) {
    fn leaves(line: &Value, out: &mut Vec<Value>) {
        match line.get("items").and_then(Value::as_array) {
            Some(items) if !items.is_empty() => items.iter().for_each(|i| leaves(i, out)),
            _ => {
                let mut leaf = line.clone();
                if let Some(o) = leaf.as_object_mut() {
                    o.remove("items");
                }
                out.push(leaf);
            }
        }
    }
    let mut flat = Vec::new();
    for i in line
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        leaves(i, &mut flat);
    }
    if let Some(o) = line.as_object_mut() {
        if flat.is_empty() {
            o.remove("items");
        } else {
            o.insert("items".into(), Value::Array(flat));
        }
    }
}

/// Fields Xero cannot hold, removed from both sides before comparing (the reasons are
/// in `expected()`, beside each loss).
fn drop_losses(key: &str, v: &mut Value) {
    let paths: &[&str] = match key {
        "invoices" | "bills" => &[
            "salesOrderRefs",
            "purchaseOrderRefs",
            "lineItems[].purchaseOrderLineRef",
            "paymentAllocations[].payment.accountRef",
        ],
        "creditNotes" | "billCreditNotes" => &[
            "paymentAllocations[].payment.currencyRate",
            "paymentAllocations[].payment.totalAmount",
            "createdFromRefs",
        ],
        "payments" | "billPayments" => &["paymentMethodRef"],
        "chartOfAccounts" => &["currentBalance"],
        "bankAccounts" => &[
            "sortCode",
            "iBan",
            "institution",
            "balance",
            "availableBalance",
            "overdraftLimit",
        ],
        "taxRates" | "trackingCategories" => &["sourceModifiedDate"],
        "journalEntries" => &[
            "journalRef",
            "journalLines[].transactionAmount",
            "journalLines[].transactionCurrency",
            "journalLines[].contactRef",
        ],
        "company" => &["financialYearStartDate"],
        "purchaseOrders" => &["deliveryDate", "shipTo.address.type"],
        _ => &[],
    };
    for p in paths {
        drop_path(v, p);
    }
    if matches!(key, "invoices" | "bills") {
        for a in each_mut(v, "paymentAllocations") {
            if a["payment"]["note"]
                .as_str()
                .is_some_and(|n| n.starts_with("Credit note"))
            {
                drop_path(a, "payment.currencyRate");
            }
        }
    }
    if key == "transfers" && v["from"]["currency"] != v["to"]["currency"] {
        drop_path(v, "to.amount");
    }
}

/// What the connector should produce for `key`, from the truth: the truth less every loss
/// Xero imposes.
fn expected(t: &Truth, key: &str) -> BTreeMap<String, Value> {
    let get = |k: &str| t.records.get(k).cloned().unwrap_or_default();
    let tax_codes: HashMap<String, String> = get("taxRates")
        .iter()
        .map(|(id, r)| (id.clone(), r["code"].as_str().unwrap_or("").to_string()))
        .collect();
    let ledger_by_code: HashMap<String, String> = get("chartOfAccounts")
        .iter()
        .map(|(id, a)| {
            (
                a["nominalCode"].as_str().unwrap_or("").to_string(),
                id.clone(),
            )
        })
        .collect();
    let mut out = BTreeMap::new();
    let source = match key {
        "bankTransactions" => {
            // Xero serves no bank statement lines: its bank transactions are spend and
            // receive money (the books' direct costs and incomes). The statement lines of
            // the books (payments, transfers, fees as the bank saw them) are lost.
            let mut m = BTreeMap::new();
            for (k, sign, kind) in [("directCosts", -1, "Debit"), ("directIncomes", 1, "Credit")] {
                for (id, d) in get(k) {
                    let total: Decimal = d["totalAmount"].to_string().parse().unwrap_or_default();
                    let amount = if sign < 0 { -total } else { total };
                    m.insert(
                        id.clone(),
                        json!({
                            "id": id,
                            "accountId": d["paymentAllocations"][0]["payment"]["accountRef"]["id"],
                            "clearedOnDate": d["issueDate"],
                            "description": d["reference"],
                            "reconciled": true,
                            "amount": serde_json::from_str::<Value>(&amount.to_string()).unwrap_or(Value::Null),
                            "transactionType": kind,
                            "sourceModifiedDate": d["sourceModifiedDate"],
                        }),
                    );
                }
            }
            m
        }
        _ => get(key),
    };
    for (id, mut v) in source {
        let mut id = id;
        match key {
            "invoices" | "bills" => {
                // Xero invoices do not reference sales or purchase orders.
                drop_path(&mut v, "salesOrderRefs");
                drop_path(&mut v, "purchaseOrderRefs");
                drop_path(&mut v, "lineItems[].purchaseOrderLineRef");
                // An invoice's payments come without their bank account.
                drop_path(&mut v, "paymentAllocations[].payment.accountRef");
                // An invoice's credit notes come without the credit note's rate.
                for a in each_mut(&mut v, "paymentAllocations") {
                    if a["payment"]["note"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("Credit note"))
                    {
                        drop_path(a, "payment.currencyRate");
                    }
                }
            }
            "creditNotes" | "billCreditNotes" => {
                // Allocations name the invoice but not its total or rate; a bill credit note
                // does not say which bill it was raised against.
                drop_path(&mut v, "paymentAllocations[].payment.currencyRate");
                drop_path(&mut v, "paymentAllocations[].payment.totalAmount");
                drop_path(&mut v, "createdFromRefs");
            }
            "payments" | "billPayments" => {
                // Xero has no payment methods.
                drop_path(&mut v, "paymentMethodRef");
            }
            "chartOfAccounts" => {
                // Xero has flat account names, a coarser type list and no balances on
                // accounts (they come from reports).
                v["fullyQualifiedName"] = v["name"].clone();
                if v["fullyQualifiedCategory"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("Equity"))
                {
                    v["fullyQualifiedCategory"] = json!("Equity.Equity");
                }
                drop_path(&mut v, "currentBalance");
            }
            "bankAccounts" => {
                // A Xero bank account is a ledger account: its id is the account's; sort
                // code, IBAN, bank name, balances and limits are not in the Accounting API.
                id = ledger_by_code
                    .get(v["nominalCode"].as_str().unwrap_or(""))
                    .cloned()
                    .unwrap_or(id);
                v["id"] = json!(id);
                for f in [
                    "sortCode",
                    "iban",
                    "institution",
                    "balance",
                    "availableBalance",
                    "overdraftLimit",
                ] {
                    drop_path(&mut v, f);
                }
            }
            // Xero items are tracked inventory or not: no service type.
            "items" if v["type"] == "Service" => v["type"] = json!("NonInventory"),
            "taxRates" => {
                // A Xero tax rate is identified by its TaxType code and carries no dates.
                id = v["code"].as_str().unwrap_or("").to_string();
                v["id"] = json!(id);
                drop_path(&mut v, "sourceModifiedDate");
            }
            "trackingCategories" => drop_path(&mut v, "sourceModifiedDate"),
            "journalEntries" => {
                // Xero's general ledger has no books of original entry, keeps only base
                // amounts and no contact on journal lines.
                drop_path(&mut v, "journalRef");
                for line in each_mut(&mut v, "journalLines") {
                    for f in ["transactionAmount", "transactionCurrency", "contactRef"] {
                        drop_path(line, f);
                    }
                    let refs: Vec<Value> = line["tracking"]["recordRefs"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|r| r["dataType"] == "trackingCategories")
                        .cloned()
                        .collect();
                    if let Some(o) = line.as_object_mut() {
                        if refs.is_empty() {
                            o.remove("tracking");
                        } else {
                            o.insert("tracking".into(), json!({ "recordRefs": refs }));
                        }
                    }
                }
                // Xero journals point at invoices, bills, payments, credit notes, spend and
                // receive money and transfers; anything else is a manual journal.
                let known = [
                    "invoices",
                    "bills",
                    "creditNotes",
                    "billCreditNotes",
                    "payments",
                    "billPayments",
                    "directCosts",
                    "directIncomes",
                    "transfers",
                ];
                if !known.contains(&v["recordRef"]["dataType"].as_str().unwrap_or("")) {
                    v["recordRef"] = json!({"id": id, "dataType": "journalEntries"});
                }
            }
            "company" => {
                // Xero keeps the financial year's end day and month, not a start date.
                drop_path(&mut v, "financialYearStartDate");
            }
            "purchaseOrders" => {
                // Xero keeps the expected delivery date only, and the delivery address as
                // plain text (no address type).
            }
            "transfers" => {
                // Between currencies Xero keeps the amount sent and a 6-place rate: the
                // amount received is derived (to within a penny).
            }
            "balanceSheet" => {
                // Xero's reports are one level deep: sections of account rows.
                for f in ["assets", "liabilities", "equity"] {
                    flatten_report_line(&mut v[f]);
                }
            }
            "profitAndLoss" => {
                for f in [
                    "income",
                    "costOfSales",
                    "expenses",
                    "otherIncome",
                    "otherExpenses",
                ] {
                    flatten_report_line(&mut v[f]);
                }
            }
            _ => {}
        }
        tax_ids_to_codes(&mut v, &tax_codes);
        drop_losses(key, &mut v);
        sort_allocations(&mut v);
        normalise(&mut v, "");
        out.insert(id, v);
    }
    out
}

fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                diff(
                    &format!("{path}.{k}"),
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if a != b => out.push(format!("{path}: expected {a}, got {b}")),
        _ => {}
    }
}

#[tokio::test]
async fn every_data_type_round_trips_with_only_xeros_losses() {
    // The simulator's limits are off, and so is the connector's pacing.
    let linked = link_with(
        SimOptions {
            tenants: vec![TenantOptions::new(SEED, Size::Medium)],
            ..SimOptions::default()
        },
        |c| c.limits.per_minute = 100_000,
    )
    .await;
    linked
        .sim
        .faults
        .limits_off
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let t = truth();
    let types = [
        DataType::ChartOfAccounts,
        DataType::BankAccounts,
        DataType::Customers,
        DataType::Suppliers,
        DataType::Invoices,
        DataType::Bills,
        DataType::CreditNotes,
        DataType::BillCreditNotes,
        DataType::Payments,
        DataType::BillPayments,
        DataType::JournalEntries,
        DataType::Items,
        DataType::TaxRates,
        DataType::TrackingCategories,
        DataType::BankTransactions,
        DataType::Transfers,
        DataType::Company,
        DataType::PurchaseOrders,
        DataType::BalanceSheet,
        DataType::ProfitAndLoss,
    ];
    let mut failures = Vec::new();
    for data_type in types {
        let key = data_type.key();
        let fetched = fetch_all(&linked.connector, &linked.ctx, data_type, None)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let mut actual: BTreeMap<String, Value> = BTreeMap::new();
        for r in fetched.records {
            let mut doc = r.doc;
            let truth_doc = t.records.get(key).and_then(|m| m.get(&r.id));
            if let (Some(truth_doc), "company") = (truth_doc, key) {
                // The year-end day and month give the start's month and day.
                let md = |d: &Value| d.as_str().map(|s| s[5..10].to_string());
                assert_eq!(
                    md(&doc["financialYearStartDate"]),
                    md(&truth_doc["financialYearStartDate"])
                );
            }
            if let (Some(truth_doc), "transfers") = (truth_doc, key) {
                let amount = |d: &Value| {
                    d["to"]["amount"]
                        .to_string()
                        .parse::<Decimal>()
                        .unwrap_or_default()
                };
                assert!(
                    (amount(&doc) - amount(truth_doc)).abs() <= Decimal::new(1, 2),
                    "{}",
                    r.id
                );
            }
            drop_losses(key, &mut doc);
            sort_allocations(&mut doc);
            normalise(&mut doc, "");
            assert!(
                actual.insert(r.id.clone(), doc).is_none(),
                "{key}: {} twice",
                r.id
            );
        }
        let expected = expected(&t, key);
        let statements = matches!(data_type, DataType::BalanceSheet | DataType::ProfitAndLoss);
        let (expected, actual): (BTreeMap<_, _>, BTreeMap<_, _>) = if statements {
            // The connector reads the months before today; the books cover their own span.
            let both: BTreeSet<String> = expected
                .keys()
                .filter(|k| actual.contains_key(*k))
                .cloned()
                .collect();
            assert!(
                both.len() >= 6,
                "{key}: only {} months in common",
                both.len()
            );
            (
                expected
                    .into_iter()
                    .filter(|(k, _)| both.contains(k))
                    .collect(),
                actual
                    .into_iter()
                    .filter(|(k, _)| both.contains(k))
                    .collect(),
            )
        } else {
            (expected, actual)
        };
        assert!(!expected.is_empty(), "{key}: the books have none");
        let missing: Vec<&String> = expected
            .keys()
            .filter(|k| !actual.contains_key(*k))
            .collect();
        let extra: Vec<&String> = actual
            .keys()
            .filter(|k| !expected.contains_key(*k))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{key}: {} missing (e.g. {:?}), {} unexpected (e.g. {:?})",
                missing.len(),
                missing.first(),
                extra.len(),
                extra.first()
            ));
        }
        let mut diffs = Vec::new();
        for (id, e) in &expected {
            if let Some(a) = actual.get(id) {
                diff(&format!("{key}[{id}]"), e, a, &mut diffs);
            }
        }
        if !diffs.is_empty() {
            failures.push(format!(
                "{key}: {} differences, first: {}",
                diffs.len(),
                diffs
                    .iter()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n    ")
            ));
        }
        // Deleted documents come back as deletions. Xero cannot delete contacts or posted
        // journals, so those deletions are lost.
        let deleted: BTreeSet<String> = fetched.deleted.into_iter().collect();
        let expected_deleted = match key {
            "customers" | "suppliers" | "journalEntries" => BTreeSet::new(),
            _ => t.deleted.get(key).cloned().unwrap_or_default(),
        };
        if deleted != expected_deleted {
            failures.push(format!(
                "{key}: deleted {} ids, expected {}",
                deleted.len(),
                expected_deleted.len()
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
