//! Transfers of money between two of the business's accounts.

use serde::{Deserialize, Serialize};

use super::common::{
    CONTACT_REF_SCHEMA, ContactRef, METADATA_SCHEMA, Metadata, RECORD_REF_SCHEMA, RecordRef,
    SUPPLEMENTAL_DATA_SCHEMA, SupplementalData, TRACKING_CATEGORY_REF_SCHEMA, TrackingCategoryRef,
    TransactionStatus, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// Money moved between two of the business's accounts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The customer or supplier the transfer relates to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_ref: Option<ContactRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<CodatDateTime>,
    /// Where the money left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<TransferAccount>,
    /// Where the money arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<TransferAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TransactionStatus>,
    /// Tracking categories the transfer is tagged with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_category_refs: Option<Vec<TrackingCategoryRef>>,
    /// Payments or other records deposited by this transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposited_record_refs: Option<Vec<RecordRef>>,
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

/// One side of a transfer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferAccount {
    /// The account on this side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<RecordRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Amount on this side, in its currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}

/// The fields of a transfer that a `query` or `orderBy` may name.
pub static TRANSFER_SCHEMA: Schema = Schema {
    type_name: "Transfer",
    fields: &[
        field("id", FieldType::String),
        field("description", FieldType::String),
        field("contactRef", FieldType::Object(&CONTACT_REF_SCHEMA)),
        field("date", FieldType::DateTime),
        field("from", FieldType::Object(&TRANSFER_ACCOUNT_SCHEMA)),
        field("to", FieldType::Object(&TRANSFER_ACCOUNT_SCHEMA)),
        field("status", FieldType::Enum(TransactionStatus::VALUES)),
        field(
            "trackingCategoryRefs",
            array_of(&TRACKING_CATEGORY_REF_SCHEMA),
        ),
        field("depositedRecordRefs", array_of(&RECORD_REF_SCHEMA)),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static TRANSFER_ACCOUNT_SCHEMA: Schema = Schema {
    type_name: "TransferAccount",
    fields: &[
        field("accountRef", FieldType::Object(&RECORD_REF_SCHEMA)),
        field("currency", FieldType::String),
        field("amount", FieldType::Number),
    ],
};
