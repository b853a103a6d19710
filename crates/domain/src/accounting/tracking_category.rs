//! Tracking categories: the dimensions (departments, locations, classes) lines are tagged
//! with. They form a tree through `parentId`.

use serde::{Deserialize, Serialize};

use super::common::{METADATA_SCHEMA, Metadata, RecordStatus};
use super::datetime::CodatDateTime;
use crate::schema::{FieldType, Schema, field};

/// A tracking category (or category value) lines can be tagged with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackingCategory {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RecordStatus>,
    /// The category this one sits under, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Whether other categories sit under this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_children: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

/// The fields of a tracking category that a `query` or `orderBy` may name.
pub static TRACKING_CATEGORY_SCHEMA: Schema = Schema {
    type_name: "TrackingCategory",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
        field("status", FieldType::Enum(RecordStatus::VALUES)),
        field("parentId", FieldType::String),
        field("hasChildren", FieldType::Boolean),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};
