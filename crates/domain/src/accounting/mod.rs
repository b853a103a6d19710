//! Codat's unified accounting data model: one Rust type per data type, as the accounting read
//! API serves it.
//!
//! Field names, nesting and enum spellings follow Codat's current `Accounting*` schemas (the
//! Lending API's copy); items, tax rates, purchase and sales orders come from the 2023
//! Accounting API, the newest that has them.
//!
//! Conventions shared by every type here:
//! - Optional fields are `Option`s that are left out of the JSON when empty: a `null` is
//!   accepted on input but never written.
//! - Amounts, rates and quantities are [`Money`]: exact decimals that keep the digits they
//!   were written with. Dates are [`CodatDateTime`], which keeps the form it was written in.
//! - Enums keep Codat's spellings and read anything else as `Unknown`.
//! - Every record type has an `id`, required here although Codat's schemas leave it
//!   optional: records are stored and fetched by it.
//! - Struct fields are declared in Codat's order, so documents serialise in that order.
//!
//! [`schema_for`] gives the field schema the query language checks a record type's `query`
//! and `orderBy` against, and [`endpoint()`] where a data type is served.

#[macro_use]
mod macros;

pub mod account;
pub mod account_transaction;
pub mod aged_report;
pub mod balance_sheet;
pub mod bank_account;
pub mod bank_transaction;
pub mod bill;
pub mod bill_credit_note;
pub mod bill_payment;
pub mod cash_flow_statement;
pub mod common;
pub mod company_info;
pub mod credit_note;
pub mod customer;
pub mod datetime;
pub mod direct_cost;
pub mod direct_income;
pub mod endpoint;
pub mod invoice;
pub mod item;
pub mod journal;
pub mod journal_entry;
pub mod money;
pub mod payment;
pub mod payment_method;
pub mod profit_and_loss;
pub mod purchase_order;
pub mod report;
pub mod sales_order;
pub mod supplier;
pub mod tax_rate;
pub mod tracking_category;
pub mod transfer;

#[cfg(test)]
mod tests;

pub use account::*;
pub use account_transaction::*;
pub use aged_report::*;
pub use balance_sheet::*;
pub use bank_account::*;
pub use bank_transaction::*;
pub use bill::*;
pub use bill_credit_note::*;
pub use bill_payment::*;
pub use cash_flow_statement::*;
pub use common::*;
pub use company_info::*;
pub use credit_note::*;
pub use customer::*;
pub use datetime::{CodatDateTime, DateTimeError, DateTimeForm};
pub use direct_cost::*;
pub use direct_income::*;
pub use endpoint::{Endpoint, Level, Shape, endpoint, endpoints};
pub use invoice::*;
pub use item::*;
pub use journal::*;
pub use journal_entry::*;
pub use money::{Money, MoneyError};
pub use payment::*;
pub use payment_method::*;
pub use profit_and_loss::*;
pub use purchase_order::*;
pub use report::*;
pub use sales_order::*;
pub use supplier::*;
pub use tax_rate::*;
pub use tracking_category::*;
pub use transfer::*;

use crate::data_type::DataType;
use crate::schema::Schema;

/// The field schema of a record data type, for type-checking `query` and `orderBy`.
///
/// `None` for types that are not lists of records: company info, the financial statements,
/// and data types outside the accounting API.
pub fn schema_for(data_type: DataType) -> Option<&'static Schema> {
    let schema = match data_type {
        DataType::Invoices => &INVOICE_SCHEMA,
        DataType::Customers => &CUSTOMER_SCHEMA,
        DataType::Suppliers => &SUPPLIER_SCHEMA,
        DataType::ChartOfAccounts => &ACCOUNT_SCHEMA,
        DataType::Bills => &BILL_SCHEMA,
        DataType::Payments => &PAYMENT_SCHEMA,
        DataType::BillPayments => &BILL_PAYMENT_SCHEMA,
        DataType::CreditNotes => &CREDIT_NOTE_SCHEMA,
        DataType::BillCreditNotes => &BILL_CREDIT_NOTE_SCHEMA,
        DataType::JournalEntries => &JOURNAL_ENTRY_SCHEMA,
        DataType::Journals => &JOURNAL_SCHEMA,
        DataType::Items => &ITEM_SCHEMA,
        DataType::TaxRates => &TAX_RATE_SCHEMA,
        DataType::TrackingCategories => &TRACKING_CATEGORY_SCHEMA,
        DataType::PaymentMethods => &PAYMENT_METHOD_SCHEMA,
        DataType::PurchaseOrders => &PURCHASE_ORDER_SCHEMA,
        DataType::SalesOrders => &SALES_ORDER_SCHEMA,
        DataType::BankAccounts => &BANK_ACCOUNT_SCHEMA,
        DataType::BankTransactions => &BANK_TRANSACTION_SCHEMA,
        DataType::AccountTransactions => &ACCOUNT_TRANSACTION_SCHEMA,
        DataType::DirectCosts => &DIRECT_COST_SCHEMA,
        DataType::DirectIncomes => &DIRECT_INCOME_SCHEMA,
        DataType::Transfers => &TRANSFER_SCHEMA,
        _ => return None,
    };
    Some(schema)
}
