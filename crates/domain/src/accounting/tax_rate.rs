//! Tax rates, possibly made of several (compound) components.

use serde::{Deserialize, Serialize};

use super::common::{
    METADATA_SCHEMA, Metadata, RecordStatus, VALID_DATA_TYPE_LINKS_SCHEMA, ValidDataTypeLinks,
    array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// A tax rate and the components it is made of.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxRate {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The rate's short code in the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RecordStatus>,
    /// The rate actually charged, as a percentage, after compounding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_tax_rate: Option<Money>,
    /// The sum of the components' rates, as a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tax_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<TaxRateComponent>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_datatype_links: Option<Vec<ValidDataTypeLinks>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

/// One component of a tax rate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxRateComponent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The component's rate, as a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Money>,
    /// Whether the component is charged on top of the others.
    pub is_compound: bool,
}

/// The fields of a tax rate that a `query` or `orderBy` may name.
pub static TAX_RATE_SCHEMA: Schema = Schema {
    type_name: "TaxRate",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
        field("code", FieldType::String),
        field("status", FieldType::Enum(RecordStatus::VALUES)),
        field("effectiveTaxRate", FieldType::Number),
        field("totalTaxRate", FieldType::Number),
        field("components", array_of(&TAX_RATE_COMPONENT_SCHEMA)),
        field(
            "validDatatypeLinks",
            array_of(&VALID_DATA_TYPE_LINKS_SCHEMA),
        ),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static TAX_RATE_COMPONENT_SCHEMA: Schema = Schema {
    type_name: "TaxRateComponent",
    fields: &[
        field("name", FieldType::String),
        field("rate", FieldType::Number),
        field("isCompound", FieldType::Boolean),
    ],
};
