//! Journals: the books journal entries are posted into.

use serde::{Deserialize, Serialize};

use super::common::{METADATA_SCHEMA, Metadata, RecordStatus};
use super::datetime::CodatDateTime;
use crate::schema::{FieldType, Schema, field};

/// A journal (book) that journal entries are posted into.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    /// The record's id in the accounting platform.
    pub id: String,
    /// The journal's short code in the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The platform's own journal type, e.g. `sales` or `purchase`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<String>,
    /// The journal this one sits under, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Whether other journals sit under this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_children: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<CodatDateTime>,
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

/// The fields of a journal that a `query` or `orderBy` may name.
pub static JOURNAL_SCHEMA: Schema = Schema {
    type_name: "Journal",
    fields: &[
        field("id", FieldType::String),
        field("journalCode", FieldType::String),
        field("name", FieldType::String),
        field("type", FieldType::String),
        field("parentId", FieldType::String),
        field("hasChildren", FieldType::Boolean),
        field("createdOn", FieldType::DateTime),
        field("status", FieldType::Enum(RecordStatus::VALUES)),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};
