//! Whole-document tests of the accounting model.
//!
//! Every data type has a realistic sample in `testdata/` that fills every field, written the
//! way `serde_json::to_string_pretty` writes it. The samples must round-trip byte for byte,
//! the record schemas must name exactly the fields the samples have, and the samples must
//! validate against Codat's own JSON schemas (see `spec.rs`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::*;
use crate::data_type::DataType;
use crate::schema::{FieldType, Schema};

/// The text of `testdata/{name}.json`.
macro_rules! sample {
    ($name:literal) => {
        include_str!(concat!("testdata/", $name, ".json"))
    };
}

mod spec;

/// Parses `text` as a `T` and checks that writing it back gives the same bytes.
fn round_trip<T: Serialize + DeserializeOwned>(name: &str, text: &str) -> Value {
    let typed: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = serde_json::to_string_pretty(&typed).expect("serialises");
    assert_eq!(written, text.trim_end(), "{name} did not round-trip");
    serde_json::to_value(&typed).expect("serialises")
}

/// Round-trips the sample of a record type and returns what the type wrote.
fn record_sample(data_type: DataType) -> Value {
    match data_type {
        DataType::Invoices => round_trip::<Invoice>("invoice", sample!("invoice")),
        DataType::Customers => round_trip::<Customer>("customer", sample!("customer")),
        DataType::Suppliers => round_trip::<Supplier>("supplier", sample!("supplier")),
        DataType::ChartOfAccounts => round_trip::<Account>("account", sample!("account")),
        DataType::Bills => round_trip::<Bill>("bill", sample!("bill")),
        DataType::Payments => round_trip::<Payment>("payment", sample!("payment")),
        DataType::BillPayments => {
            round_trip::<BillPayment>("bill_payment", sample!("bill_payment"))
        }
        DataType::CreditNotes => round_trip::<CreditNote>("credit_note", sample!("credit_note")),
        DataType::BillCreditNotes => {
            round_trip::<BillCreditNote>("bill_credit_note", sample!("bill_credit_note"))
        }
        DataType::JournalEntries => {
            round_trip::<JournalEntry>("journal_entry", sample!("journal_entry"))
        }
        DataType::Journals => round_trip::<Journal>("journal", sample!("journal")),
        DataType::Items => round_trip::<Item>("item", sample!("item")),
        DataType::TaxRates => round_trip::<TaxRate>("tax_rate", sample!("tax_rate")),
        DataType::TrackingCategories => {
            round_trip::<TrackingCategory>("tracking_category", sample!("tracking_category"))
        }
        DataType::PaymentMethods => {
            round_trip::<PaymentMethod>("payment_method", sample!("payment_method"))
        }
        DataType::PurchaseOrders => {
            round_trip::<PurchaseOrder>("purchase_order", sample!("purchase_order"))
        }
        DataType::SalesOrders => round_trip::<SalesOrder>("sales_order", sample!("sales_order")),
        DataType::BankAccounts => {
            round_trip::<BankAccount>("bank_account", sample!("bank_account"))
        }
        DataType::BankTransactions => {
            round_trip::<BankTransaction>("bank_transaction", sample!("bank_transaction"))
        }
        DataType::AccountTransactions => {
            round_trip::<AccountTransaction>("account_transaction", sample!("account_transaction"))
        }
        DataType::DirectCosts => round_trip::<DirectCost>("direct_cost", sample!("direct_cost")),
        DataType::DirectIncomes => {
            round_trip::<DirectIncome>("direct_income", sample!("direct_income"))
        }
        DataType::Transfers => round_trip::<Transfer>("transfer", sample!("transfer")),
        other => panic!("{other} is not a record type"),
    }
}

/// The record data types: those with a field schema.
fn record_types() -> impl Iterator<Item = DataType> {
    DataType::ALL
        .into_iter()
        .filter(|d| schema_for(*d).is_some())
}

#[test]
fn every_record_sample_round_trips_byte_for_byte() {
    assert_eq!(record_types().count(), 23);
    for data_type in record_types() {
        record_sample(data_type);
    }
}

/// Round-trips the samples of the single-document types, named by their sample file.
fn document_samples() -> [(&'static str, Value); 6] {
    [
        (
            "company_info",
            round_trip::<CompanyInfo>("company_info", sample!("company_info")),
        ),
        (
            "balance_sheet",
            round_trip::<BalanceSheet>("balance_sheet", sample!("balance_sheet")),
        ),
        (
            "profit_and_loss",
            round_trip::<ProfitAndLoss>("profit_and_loss", sample!("profit_and_loss")),
        ),
        (
            "cash_flow_statement",
            round_trip::<CashFlowStatement>("cash_flow_statement", sample!("cash_flow_statement")),
        ),
        (
            "aged_debtor_report",
            round_trip::<AgedDebtorReport>("aged_debtor_report", sample!("aged_debtor_report")),
        ),
        (
            "aged_creditor_report",
            round_trip::<AgedCreditorReport>(
                "aged_creditor_report",
                sample!("aged_creditor_report"),
            ),
        ),
    ]
}

#[test]
fn documents_round_trip_byte_for_byte() {
    for (name, value) in document_samples() {
        assert!(value.is_object(), "{name}");
    }
}

/// Checks that `value` has every field `schema` names, of the right JSON type, and no field
/// the schema leaves out.
fn check_shape(schema: &Schema, value: &Value, path: &str) {
    let Value::Object(object) = value else {
        panic!("{path}: expected an object for {}", schema.type_name);
    };
    for field in schema.fields {
        let at = format!("{path}.{}", field.name);
        let value = object.get(field.name).unwrap_or_else(|| {
            panic!(
                "{at}: in the {} schema but not serialised",
                schema.type_name
            )
        });
        check_field(field.ty, value, &at);
    }
    // Maps (`supplementalData.content`) have no fixed keys.
    if !schema.fields.is_empty() {
        for key in object.keys() {
            assert!(
                schema.fields.iter().any(|f| f.name == key),
                "{path}.{key}: serialised but missing from the {} schema",
                schema.type_name
            );
        }
    }
}

fn check_field(ty: FieldType, value: &Value, at: &str) {
    match ty {
        FieldType::String => assert!(value.is_string(), "{at}: expected a string"),
        FieldType::Enum(values) => {
            let text = value
                .as_str()
                .unwrap_or_else(|| panic!("{at}: expected a string"));
            assert!(
                values.contains(&text),
                "{at}: `{text}` is not one of {values:?}"
            );
        }
        FieldType::Number => assert!(value.is_number(), "{at}: expected a number"),
        FieldType::Boolean => assert!(value.is_boolean(), "{at}: expected a boolean"),
        FieldType::DateTime => {
            let text = value
                .as_str()
                .unwrap_or_else(|| panic!("{at}: expected a string"));
            assert!(
                CodatDateTime::parse(text).is_ok(),
                "{at}: `{text}` is not a date"
            );
        }
        FieldType::Object(inner) => check_shape(inner, value, at),
        FieldType::Array { item, queryable } => {
            assert!(!queryable, "{at}: Codat cannot query arrays");
            let items = value
                .as_array()
                .unwrap_or_else(|| panic!("{at}: expected an array"));
            assert!(!items.is_empty(), "{at}: the sample should fill the array");
            for (i, element) in items.iter().enumerate() {
                if item.fields.is_empty() {
                    assert!(element.is_string(), "{at}[{i}]: expected a string");
                } else {
                    check_shape(item, element, &format!("{at}[{i}]"));
                }
            }
        }
        FieldType::Map => assert!(value.is_object(), "{at}: expected an object"),
    }
}

#[test]
fn record_schemas_name_exactly_the_serialised_fields() {
    for data_type in record_types() {
        let schema = schema_for(data_type).expect("record type");
        check_shape(schema, &record_sample(data_type), data_type.key());
    }
}

#[test]
fn schemas_use_codats_type_names() {
    let name = |d| schema_for(d).map(|s| s.type_name);
    assert_eq!(name(DataType::Invoices), Some("Invoice"));
    assert_eq!(name(DataType::ChartOfAccounts), Some("Account"));
    assert_eq!(name(DataType::JournalEntries), Some("JournalEntry"));
    assert_eq!(name(DataType::TrackingCategories), Some("TrackingCategory"));
    assert_eq!(name(DataType::Company), None);
    assert_eq!(name(DataType::BalanceSheet), None);
    assert_eq!(name(DataType::CommerceOrders), None);
    for data_type in record_types() {
        let schema = schema_for(data_type).expect("record type");
        assert!(schema.field("id").is_some(), "{data_type} has no id");
        assert!(schema.field("modifiedDate").is_some(), "{data_type}");
    }
}

#[test]
fn absent_and_null_optional_fields_are_not_written() {
    let minimal = r#"{"id":"inv-1","issueDate":"2023-01-31","totalTaxAmount":0,"totalAmount":120.00,"amountDue":120.00,"status":"Submitted"}"#;
    let invoice: Invoice = serde_json::from_str(minimal).expect("parses");
    assert_eq!(invoice.currency, None);
    assert_eq!(
        serde_json::to_string(&invoice).expect("serialises"),
        minimal
    );

    let with_nulls = r#"{"id":"cust-1","customerName":null,"addresses":null,"contacts":[{"name":null,"phone":null,"status":"Active"}],"status":"Active","metadata":{"isDeleted":null},"supplementalData":{"content":null}}"#;
    let customer: Customer = serde_json::from_str(with_nulls).expect("parses");
    assert_eq!(
        serde_json::to_string(&customer).expect("serialises"),
        r#"{"id":"cust-1","contacts":[{"status":"Active"}],"status":"Active","metadata":{},"supplementalData":{}}"#
    );

    let sparse_report = r#"{"reports":[{"netAssets":0}]}"#;
    let sheet: BalanceSheet = serde_json::from_str(sparse_report).expect("parses");
    assert_eq!(
        serde_json::to_string(&sheet).expect("serialises"),
        sparse_report
    );
}

#[test]
fn missing_required_fields_are_refused() {
    for (doc, what) in [
        (
            r#"{"id":"inv-1","totalTaxAmount":0,"totalAmount":1,"amountDue":1,"status":"Paid"}"#,
            "issueDate",
        ),
        (
            r#"{"id":"inv-1","issueDate":"2023-01-31","totalTaxAmount":0,"totalAmount":1,"amountDue":1}"#,
            "status",
        ),
        (
            r#"{"issueDate":"2023-01-31","totalTaxAmount":0,"totalAmount":1,"amountDue":1,"status":"Paid"}"#,
            "id",
        ),
        (
            r#"{"id":"inv-1","issueDate":"2023-01-31","totalTaxAmount":0,"totalAmount":"1","amountDue":1,"status":"Paid"}"#,
            "totalAmount",
        ),
        (
            r#"{"id":"inv-1","issueDate":"31/01/2023","totalTaxAmount":0,"totalAmount":1,"amountDue":1,"status":"Paid"}"#,
            "issueDate",
        ),
    ] {
        let err = serde_json::from_str::<Invoice>(doc)
            .expect_err(what)
            .to_string();
        assert!(
            err.contains(what) || err.contains("date") || err.contains("number"),
            "{what}: {err}"
        );
    }
}

#[test]
fn unknown_enum_values_read_as_unknown() {
    let doc =
        r#"{"id":"cust-1","addresses":[{"type":"HeadOffice","city":"Leeds"}],"status":"Dormant"}"#;
    let customer: Customer = serde_json::from_str(doc).expect("parses");
    assert_eq!(customer.status, RecordStatus::Unknown);
    let addresses = customer.addresses.as_deref().unwrap_or_default();
    assert_eq!(addresses[0].kind, AddressType::Unknown);
    assert_eq!(
        serde_json::to_string(&customer).expect("serialises"),
        r#"{"id":"cust-1","addresses":[{"type":"Unknown","city":"Leeds"}],"status":"Unknown"}"#
    );

    // Spellings are exact: Codat's enums are case-sensitive on the wire.
    assert_eq!(InvoiceStatus::from_wire("paid"), InvoiceStatus::Unknown);
    assert_eq!(InvoiceStatus::from_wire("Paid"), InvoiceStatus::Paid);
    assert_eq!(
        TransactionRecordType::from_wire("directIncomes"),
        TransactionRecordType::DirectIncomes
    );
    assert_eq!(ContactType::from_wire("employees"), ContactType::Unknown);
    assert_eq!(
        serde_json::from_str::<BankTransactionType>(r#""SerChg""#).expect("parses"),
        BankTransactionType::SerChg
    );
    assert!(serde_json::from_str::<InvoiceStatus>("3").is_err());
}

/// Every spelling maps to its own variant and back.
macro_rules! assert_enum_spellings {
    ($($enum:ty),+ $(,)?) => {$(
        for &wire in <$enum>::VALUES {
            let variant = <$enum>::from_wire(wire);
            assert_eq!(variant.as_str(), wire, "{}", stringify!($enum));
            let json = serde_json::to_string(&variant).expect("serialises");
            assert_eq!(json, format!("\"{wire}\""));
        }
        assert!(<$enum>::VALUES.contains(&"Unknown"), "{}", stringify!($enum));
        assert_eq!(<$enum>::default(), <$enum>::Unknown);
    )+};
}

#[test]
fn enum_spellings_round_trip() {
    assert_enum_spellings!(
        AccountStatus,
        AccountType,
        AddressType,
        BankAccountType,
        BankTransactionType,
        BillPaymentLinkType,
        BillStatus,
        ContactType,
        CreditNoteStatus,
        InvoiceStatus,
        InvoicingStatus,
        ItemType,
        LineRefType,
        OrderStatus,
        PayablesBilledTo,
        PaymentLinkType,
        PaymentMethodType,
        PhoneNumberType,
        ReceivablesBilledTo,
        RecordStatus,
        ReportBasis,
        ReportInput,
        SalesOrderRefType,
        TrackingRecordType,
        TransactionRecordType,
        TransactionStatus,
        WebLinkType,
    );
}

#[test]
fn amounts_and_dates_in_records_keep_their_text() {
    let doc = r#"{"id":"pay-1","totalAmount":1772.72,"currencyRate":0.000000000001,"date":"2021-11-15T01:00:00-05:00","lines":[{"amount":0.10,"links":[{"type":"Invoice","id":"inv-1","amount":-0.10,"currencyRate":1}],"allocatedOnDate":"2022-11-10T10:45:18.1950523Z"}],"modifiedDate":"2021-01-01T00:00:00","sourceModifiedDate":"2022-10-23"}"#;
    let payment: Payment = serde_json::from_str(doc).expect("parses");
    assert_eq!(serde_json::to_string(&payment).expect("serialises"), doc);
    assert_eq!(
        payment.date.form(),
        DateTimeForm::Offset(chrono::FixedOffset::west_opt(5 * 3600).expect("valid"),)
    );
    let line = &payment.lines.as_deref().unwrap_or_default()[0];
    assert_eq!(line.amount.as_str(), "0.10");
    let sum = line
        .links
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|l| l.amount.as_ref())
        .try_fold(line.amount.clone(), |acc, a| acc.checked_add(a));
    assert_eq!(sum.map(|m| m.is_zero()), Some(true));
}

#[test]
fn sample_invoice_adds_up() {
    let invoice: Invoice = serde_json::from_str(sample!("invoice")).expect("parses");
    let d = |m: &Money| m.to_decimal().expect("fits");
    let lines = invoice.line_items.as_deref().unwrap_or_default();
    let sub_total: rust_decimal::Decimal = lines
        .iter()
        .map(|l| d(&l.quantity) * d(&l.unit_amount))
        .sum();
    assert_eq!(Some(sub_total), invoice.sub_total.as_ref().map(d));
    assert_eq!(
        sub_total + d(&invoice.total_tax_amount),
        d(&invoice.total_amount)
    );
    let allocated: rust_decimal::Decimal = invoice
        .payment_allocations
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a.allocation.total_amount.as_ref())
        .map(d)
        .sum();
    assert_eq!(d(&invoice.total_amount) - allocated, d(&invoice.amount_due));
    assert_eq!(invoice.status, InvoiceStatus::Paid);
}
