//! Account transactions: money moving in or out of a bank account, with the records it
//! settles.

use serde::{Deserialize, Serialize};

use super::common::{
    BANK_ACCOUNT_REF_SCHEMA, BankAccountRef, METADATA_SCHEMA, Metadata,
    TRANSACTION_RECORD_REF_SCHEMA, TransactionRecordRef, TransactionStatus, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// Money moving into or out of a bank account, with the records it settles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountTransaction {
    /// The record's id in the accounting platform.
    pub id: String,
    /// Id of the underlying transaction in the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account_ref: Option<BankAccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TransactionStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the transaction currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<AccountTransactionLine>>,
    /// Sum of the lines, in the transaction currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

/// One record an account transaction settles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountTransactionLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_ref: Option<TransactionRecordRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}

/// The fields of an account transaction that a `query` or `orderBy` may name.
pub static ACCOUNT_TRANSACTION_SCHEMA: Schema = Schema {
    type_name: "AccountTransaction",
    fields: &[
        field("id", FieldType::String),
        field("transactionId", FieldType::String),
        field("note", FieldType::String),
        field(
            "bankAccountRef",
            FieldType::Object(&BANK_ACCOUNT_REF_SCHEMA),
        ),
        field("date", FieldType::DateTime),
        field("status", FieldType::Enum(TransactionStatus::VALUES)),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lines", array_of(&ACCOUNT_TRANSACTION_LINE_SCHEMA)),
        field("totalAmount", FieldType::Number),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static ACCOUNT_TRANSACTION_LINE_SCHEMA: Schema = Schema {
    type_name: "AccountTransactionLine",
    fields: &[
        field("description", FieldType::String),
        field(
            "recordRef",
            FieldType::Object(&TRANSACTION_RECORD_REF_SCHEMA),
        ),
        field("amount", FieldType::Number),
    ],
};
