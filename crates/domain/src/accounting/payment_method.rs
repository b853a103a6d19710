//! Payment methods: how money was paid or received (cash, card, transfer, ...).

use serde::{Deserialize, Serialize};

use super::common::{METADATA_SCHEMA, Metadata, RecordStatus};
use super::datetime::CodatDateTime;
use crate::schema::{FieldType, Schema, field};

/// A way money is paid or received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<PaymentMethodType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RecordStatus>,
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
    /// The kind of a payment method.
    pub enum PaymentMethodType {
        Unknown = "Unknown",
        Cash = "Cash",
        Check = "Check",
        CreditCard = "CreditCard",
        DebitCard = "DebitCard",
        BankTransfer = "BankTransfer",
        Other = "Other",
    }
}

/// The fields of a payment method that a `query` or `orderBy` may name.
pub static PAYMENT_METHOD_SCHEMA: Schema = Schema {
    type_name: "PaymentMethod",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
        field("type", FieldType::Enum(PaymentMethodType::VALUES)),
        field("status", FieldType::Enum(RecordStatus::VALUES)),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};
