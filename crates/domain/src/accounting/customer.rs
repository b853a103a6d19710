//! Customers: the people and businesses the company sells to.

use serde::{Deserialize, Serialize};

use super::common::{
    ADDRESS_SCHEMA, Address, METADATA_SCHEMA, Metadata, PHONE_NUMBER_SCHEMA, PhoneNumber,
    RecordStatus, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData, array_of,
};
use super::datetime::CodatDateTime;
use crate::schema::{FieldType, Schema, field};

/// A customer of the business.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// The currency the customer is usually invoiced in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    /// People at the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
    /// Company registration number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    /// Tax (VAT, GST, EIN, ...) number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    pub status: RecordStatus,
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

/// A person at a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The person's phone numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Vec<PhoneNumber>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    pub status: RecordStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
}

/// The fields of a customer that a `query` or `orderBy` may name.
pub static CUSTOMER_SCHEMA: Schema = Schema {
    type_name: "Customer",
    fields: &[
        field("id", FieldType::String),
        field("customerName", FieldType::String),
        field("contactName", FieldType::String),
        field("emailAddress", FieldType::String),
        field("defaultCurrency", FieldType::String),
        field("phone", FieldType::String),
        field("addresses", array_of(&ADDRESS_SCHEMA)),
        field("contacts", array_of(&CONTACT_SCHEMA)),
        field("registrationNumber", FieldType::String),
        field("taxNumber", FieldType::String),
        field("status", FieldType::Enum(RecordStatus::VALUES)),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static CONTACT_SCHEMA: Schema = Schema {
    type_name: "Contact",
    fields: &[
        field("name", FieldType::String),
        field("email", FieldType::String),
        field("phone", array_of(&PHONE_NUMBER_SCHEMA)),
        field("address", FieldType::Object(&ADDRESS_SCHEMA)),
        field("status", FieldType::Enum(RecordStatus::VALUES)),
        field("modifiedDate", FieldType::DateTime),
    ],
};
