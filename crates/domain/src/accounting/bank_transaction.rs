//! Bank transactions: the statement lines of one bank account (served per connection and
//! bank account).

use serde::{Deserialize, Serialize};

use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// One line of a bank account's statement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankTransaction {
    /// The record's id in the accounting platform.
    pub id: String,
    /// The bank account the line belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// When the money actually moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared_on_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the line has been matched to a ledger transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciled: Option<bool>,
    /// Money in (positive) or out (negative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// The account's balance after this line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<BankTransactionType>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

codat_enum! {
    /// The kind of a bank transaction (the OFX transaction types).
    pub enum BankTransactionType {
        Unknown = "Unknown",
        Credit = "Credit",
        Debit = "Debit",
        Int = "Int",
        Div = "Div",
        Fee = "Fee",
        SerChg = "SerChg",
        Dep = "Dep",
        Atm = "Atm",
        Pos = "Pos",
        Xfer = "Xfer",
        Check = "Check",
        Payment = "Payment",
        Cash = "Cash",
        DirectDep = "DirectDep",
        DirectDebit = "DirectDebit",
        RepeatPmt = "RepeatPmt",
        Other = "Other",
    }
}

/// The fields of a bank transaction that a `query` or `orderBy` may name.
pub static BANK_TRANSACTION_SCHEMA: Schema = Schema {
    type_name: "BankTransaction",
    fields: &[
        field("id", FieldType::String),
        field("accountId", FieldType::String),
        field("clearedOnDate", FieldType::DateTime),
        field("description", FieldType::String),
        field("reconciled", FieldType::Boolean),
        field("amount", FieldType::Number),
        field("balance", FieldType::Number),
        field(
            "transactionType",
            FieldType::Enum(BankTransactionType::VALUES),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};
