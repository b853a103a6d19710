//! The books in Codat's model: every record maps, reads back as the same Codat type, its
//! references resolve within the data set, the documents' Codat fields add up, and the JSON
//! is byte-identical for one seed.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use ledgerbridge_domain::accounting as codat;
use ledgerbridge_sandbox::codat::{Codat, CodatRecord};
use ledgerbridge_sandbox::{Books, Config, Size};
use rust_decimal::Decimal;
use serde_json::Value;

fn books(seed: u64, size: Size) -> Books {
    Books::new(Config::new(seed, size)).expect("valid configuration")
}

/// Codat JSON of every record, in stream order, with its data type key.
fn codat_json(books: &Books, sync: u32) -> Vec<(&'static str, String)> {
    let mapper = Codat::new(books);
    books
        .at_sync(sync)
        .records()
        .filter_map(|record| {
            let key = record.kind().codat_key();
            mapper
                .map(&record)
                .map(|c| (key, c.to_json().expect("serialises")))
        })
        .collect()
}

fn digest(docs: &[(&'static str, String)]) -> u64 {
    let mut hasher = DefaultHasher::new();
    docs.hash(&mut hasher);
    hasher.finish()
}

#[test]
fn one_seed_gives_byte_identical_codat_json() {
    for size in [Size::Small, Size::Medium] {
        let a = codat_json(&books(42, size), 0);
        let b = codat_json(&books(42, size), 0);
        assert_eq!(a.len(), b.len());
        assert!(a == b, "{size}: two runs differ");
        let c = codat_json(&books(43, size), 0);
        assert_ne!(
            digest(&a),
            digest(&c),
            "{size}: seeds 42 and 43 give the same JSON"
        );
    }
    // A later sync is just as reproducible.
    assert_eq!(
        digest(&codat_json(&books(42, Size::Small), 5)),
        digest(&codat_json(&books(42, Size::Small), 5))
    );
}

fn read_back(key: &str, json: &str) -> bool {
    fn same<T: serde::de::DeserializeOwned + serde::Serialize>(json: &str) -> bool {
        let parsed: T = serde_json::from_str(json).expect("reads back");
        serde_json::to_string(&parsed).expect("serialises") == json
    }
    match key {
        "company" => same::<codat::CompanyInfo>(json),
        "chartOfAccounts" => same::<codat::Account>(json),
        "taxRates" => same::<codat::TaxRate>(json),
        "items" => same::<codat::Item>(json),
        "trackingCategories" => same::<codat::TrackingCategory>(json),
        "paymentMethods" => same::<codat::PaymentMethod>(json),
        "journals" => same::<codat::Journal>(json),
        "customers" => same::<codat::Customer>(json),
        "suppliers" => same::<codat::Supplier>(json),
        "bankAccounts" => same::<codat::BankAccount>(json),
        "invoices" => same::<codat::Invoice>(json),
        "creditNotes" => same::<codat::CreditNote>(json),
        "payments" => same::<codat::Payment>(json),
        "bills" => same::<codat::Bill>(json),
        "billCreditNotes" => same::<codat::BillCreditNote>(json),
        "billPayments" => same::<codat::BillPayment>(json),
        "salesOrders" => same::<codat::SalesOrder>(json),
        "purchaseOrders" => same::<codat::PurchaseOrder>(json),
        "directCosts" => same::<codat::DirectCost>(json),
        "directIncomes" => same::<codat::DirectIncome>(json),
        "transfers" => same::<codat::Transfer>(json),
        "journalEntries" => same::<codat::JournalEntry>(json),
        "bankTransactions" => same::<codat::BankTransaction>(json),
        "accountTransactions" => same::<codat::AccountTransaction>(json),
        "balanceSheet" => same::<codat::BalanceSheetPeriod>(json),
        "profitAndLoss" => same::<codat::ProfitAndLossPeriod>(json),
        "cashFlowStatement" => same::<codat::CashFlowPeriod>(json),
        other => panic!("unexpected data type {other}"),
    }
}

/// Which data type a reference field points at.
fn target(field: &str, object: &serde_json::Map<String, Value>) -> Option<&'static str> {
    Some(match field {
        "customerRef" => "customers",
        "supplierRef" => "suppliers",
        "itemRef" => "items",
        "taxRateRef" => "taxRates",
        "journalRef" => "journals",
        "paymentMethodRef" => "paymentMethods",
        "bankAccountRef" => "bankAccounts",
        "trackingCategoryRefs" | "categoryRefs" => "trackingCategories",
        "accountRef" => match object.get("dataType").and_then(Value::as_str) {
            Some("accounts") | None => "chartOfAccounts",
            Some(_) => return None,
        },
        "contactRef"
        | "recordRef"
        | "recordRefs"
        | "salesOrderRefs"
        | "createdFromRefs"
        | "purchaseOrderLineRef" => match object.get("dataType").and_then(Value::as_str)? {
            "customers" => "customers",
            "suppliers" => "suppliers",
            "trackingCategories" => "trackingCategories",
            "invoices" => "invoices",
            "bills" => "bills",
            "payments" => "payments",
            "billPayments" => "billPayments",
            "creditNotes" => "creditNotes",
            "billCreditNotes" => "billCreditNotes",
            "directCosts" => "directCosts",
            "directIncomes" => "directIncomes",
            "transfers" => "transfers",
            "journalEntries" => "journalEntries",
            "salesOrders" => "salesOrders",
            "purchaseOrders" => "purchaseOrders",
            _ => return None,
        },
        _ => return None,
    })
}

fn collect_refs(value: &Value, field: Option<&str>, out: &mut Vec<(&'static str, String)>) {
    match value {
        Value::Object(map) => {
            if let (Some(field), Some(Value::String(id))) = (field, map.get("id"))
                && let Some(kind) = target(field, map)
            {
                out.push((kind, id.clone()));
            }
            for (key, child) in map {
                collect_refs(child, Some(key), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_refs(item, field, out);
            }
        }
        _ => {}
    }
}

#[test]
fn codat_records_read_back_and_their_references_resolve() {
    for (size, sync) in [(Size::Small, 2), (Size::Medium, 0)] {
        let docs = codat_json(&books(5, size), sync);
        let mut ids: HashMap<&str, HashSet<String>> = HashMap::new();
        let mut refs = Vec::new();
        for (key, json) in &docs {
            assert!(
                read_back(key, json),
                "{key} does not read back as itself: {json}"
            );
            let value: Value = serde_json::from_str(json).expect("json");
            if let Some(Value::String(id)) = value.get("id") {
                assert!(
                    ids.entry(key).or_default().insert(id.clone()),
                    "{key} {id} twice"
                );
            }
            collect_refs(&value, None, &mut refs);
        }
        assert!(
            refs.len() > docs.len(),
            "too few references found: {}",
            refs.len()
        );
        for (kind, id) in refs {
            assert!(
                ids.get(kind).is_some_and(|set| set.contains(&id)),
                "{size}: reference to {kind} {id} does not resolve"
            );
        }
    }
}

fn dec(m: &codat::Money) -> Decimal {
    m.to_decimal().expect("decimal")
}

#[test]
fn codat_documents_add_up() {
    let books = books(9, Size::Medium);
    let mapper = Codat::new(&books);
    let mut invoices = 0;
    for record in books.at_sync(1).records() {
        match mapper.map(&record) {
            Some(CodatRecord::Invoice(i)) => {
                invoices += 1;
                let allocated: Decimal = i
                    .payment_allocations
                    .iter()
                    .flatten()
                    .filter_map(|a| a.allocation.total_amount.as_ref().map(dec))
                    .sum();
                let (total, due) = (dec(&i.total_amount), dec(&i.amount_due));
                match i.status {
                    codat::InvoiceStatus::Void => assert!(due.is_zero() && allocated.is_zero()),
                    codat::InvoiceStatus::Paid => {
                        assert!(due.is_zero() && i.paid_on_date.is_some())
                    }
                    codat::InvoiceStatus::PartiallyPaid => {
                        assert!(due > Decimal::ZERO && due < total)
                    }
                    codat::InvoiceStatus::Submitted | codat::InvoiceStatus::Draft => {
                        assert_eq!(due, total)
                    }
                    other => panic!("unexpected status {other}"),
                }
                if i.status != codat::InvoiceStatus::Void {
                    assert_eq!(due, total - allocated, "invoice {}", i.id);
                }
                let lines = i.line_items.as_deref().unwrap_or_default();
                let sub: Decimal = lines
                    .iter()
                    .filter_map(|l| l.sub_total.as_ref().map(dec))
                    .sum();
                let tax: Decimal = lines
                    .iter()
                    .filter_map(|l| l.tax_amount.as_ref().map(dec))
                    .sum();
                assert_eq!(i.sub_total.as_ref().map(dec), Some(sub));
                assert_eq!(dec(&i.total_tax_amount), tax);
                assert_eq!(total, sub + tax);
                assert!(
                    i.total_amount.as_str().contains('.'),
                    "amounts are written to the cent"
                );
            }
            Some(CodatRecord::JournalEntry(j)) => {
                let sum: Decimal = j
                    .journal_lines
                    .iter()
                    .flatten()
                    .map(|l| dec(&l.net_amount))
                    .sum();
                assert!(sum.is_zero(), "journal entry {} does not balance", j.id);
            }
            Some(CodatRecord::BalanceSheet(s)) => {
                let value = |l: &Option<codat::ReportLine>| {
                    l.as_ref().map_or(Decimal::ZERO, |l| dec(&l.value))
                };
                assert_eq!(value(&s.assets), value(&s.liabilities) + value(&s.equity));
            }
            _ => {}
        }
    }
    assert!(invoices > 1_000);
}

#[test]
fn statements_assemble_newest_first() {
    let books = books(1, Size::Small);
    let mapper = Codat::new(&books);
    let periods: Vec<codat::BalanceSheetPeriod> = books
        .at_sync(0)
        .records()
        .filter_map(|r| match mapper.map(&r) {
            Some(CodatRecord::BalanceSheet(p)) => Some(*p),
            _ => None,
        })
        .collect();
    assert_eq!(periods.len(), 24);
    let sheet = ledgerbridge_sandbox::codat::balance_sheet(periods);
    let first = sheet
        .reports
        .first()
        .and_then(|p| p.date.clone())
        .expect("a date");
    assert_eq!(first.as_str(), "2025-12-31T00:00:00");
    assert_eq!(sheet.most_recent_available_month, Some(first));
}
