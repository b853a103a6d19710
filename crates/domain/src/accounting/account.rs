//! Accounts of the chart of accounts (`chartOfAccounts`, served at `/data/accounts`).

use serde::{Deserialize, Serialize};

use super::common::{
    AccountStatus, METADATA_SCHEMA, Metadata, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData,
    VALID_DATA_TYPE_LINKS_SCHEMA, ValidDataTypeLinks, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// An account of the chart of accounts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The record's id in the accounting platform.
    pub id: String,
    /// The account's code in the chart, e.g. `4000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nominal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Type and category path, e.g. `Asset.Current`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_category: Option<String>,
    /// Category path and name, e.g. `Asset.Current.Accounts Receivable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Balance at the last sync, in the account's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_balance: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<AccountType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AccountStatus>,
    /// Whether the account is a bank account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_bank_account: Option<bool>,
    /// Which fields of which data types may point at this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_datatype_links: Option<Vec<ValidDataTypeLinks>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplemental_data: Option<SupplementalData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

codat_enum! {
    /// The top-level category of an account.
    pub enum AccountType {
        Unknown = "Unknown",
        Asset = "Asset",
        Expense = "Expense",
        Income = "Income",
        Liability = "Liability",
        Equity = "Equity",
    }
}

/// The fields of an account that a `query` or `orderBy` may name.
pub static ACCOUNT_SCHEMA: Schema = Schema {
    type_name: "Account",
    fields: &[
        field("id", FieldType::String),
        field("nominalCode", FieldType::String),
        field("name", FieldType::String),
        field("description", FieldType::String),
        field("fullyQualifiedCategory", FieldType::String),
        field("fullyQualifiedName", FieldType::String),
        field("currency", FieldType::String),
        field("currentBalance", FieldType::Number),
        field("type", FieldType::Enum(AccountType::VALUES)),
        field("status", FieldType::Enum(AccountStatus::VALUES)),
        field("isBankAccount", FieldType::Boolean),
        field(
            "validDatatypeLinks",
            array_of(&VALID_DATA_TYPE_LINKS_SCHEMA),
        ),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};
