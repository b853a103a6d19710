//! Bank accounts as the accounting platform records them (served per connection).

use serde::{Deserialize, Serialize};

use super::common::{
    AccountStatus, METADATA_SCHEMA, Metadata, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// A bank account as the accounting platform records it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankAccount {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<BankAccountType>,
    /// Code of the ledger account behind the bank account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nominal_code: Option<String>,
    /// UK sort code, or the local equivalent routing number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    /// International bank account number.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "iBan")]
    pub iban: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Balance in the accounting platform at the last sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Money>,
    /// The bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// Balance plus any overdraft, as the platform reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_balance: Option<Money>,
    /// The agreed overdraft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdraft_limit: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AccountStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplemental_data: Option<SupplementalData>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

codat_enum! {
    /// Whether a bank account normally holds money (`Debit`) or owes it (`Credit`).
    pub enum BankAccountType {
        Unknown = "Unknown",
        Credit = "Credit",
        Debit = "Debit",
    }
}

/// The fields of a bank account that a `query` or `orderBy` may name.
pub static BANK_ACCOUNT_SCHEMA: Schema = Schema {
    type_name: "BankAccount",
    fields: &[
        field("id", FieldType::String),
        field("accountName", FieldType::String),
        field("accountType", FieldType::Enum(BankAccountType::VALUES)),
        field("nominalCode", FieldType::String),
        field("sortCode", FieldType::String),
        field("accountNumber", FieldType::String),
        field("iBan", FieldType::String),
        field("currency", FieldType::String),
        field("balance", FieldType::Number),
        field("institution", FieldType::String),
        field("availableBalance", FieldType::Number),
        field("overdraftLimit", FieldType::Number),
        field("status", FieldType::Enum(AccountStatus::VALUES)),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};
