//! Suppliers: the people and businesses the company buys from.

use serde::{Deserialize, Serialize};

use super::common::{
    ADDRESS_SCHEMA, Address, METADATA_SCHEMA, Metadata, RecordStatus, SUPPLEMENTAL_DATA_SCHEMA,
    SupplementalData, array_of,
};
use super::datetime::CodatDateTime;
use crate::schema::{FieldType, Schema, field};

/// A supplier of the business.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Supplier {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    /// Company registration number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    /// Tax (VAT, GST, EIN, ...) number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    pub status: RecordStatus,
    /// The currency the supplier usually bills in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
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

/// The fields of a supplier that a `query` or `orderBy` may name.
pub static SUPPLIER_SCHEMA: Schema = Schema {
    type_name: "Supplier",
    fields: &[
        field("id", FieldType::String),
        field("supplierName", FieldType::String),
        field("contactName", FieldType::String),
        field("emailAddress", FieldType::String),
        field("phone", FieldType::String),
        field("addresses", array_of(&ADDRESS_SCHEMA)),
        field("registrationNumber", FieldType::String),
        field("taxNumber", FieldType::String),
        field("status", FieldType::Enum(RecordStatus::VALUES)),
        field("defaultCurrency", FieldType::String),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};
