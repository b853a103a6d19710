//! Companies: one per small business a client serves.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::connection::{CONNECTION_SCHEMA, Connection};
use crate::ids::CompanyId;
use crate::schema::{FieldType, Schema, field};
use crate::time::Timestamp;

/// User-defined key/value metadata on a company (at most 10 entries).
pub type Tags = BTreeMap<String, String>;

/// Most tags a company may carry.
pub const MAX_TAGS: usize = 10;
/// Longest tag key, in characters.
pub const MAX_TAG_KEY_CHARS: usize = 27;
/// Longest tag value, in characters.
pub const MAX_TAG_VALUE_CHARS: usize = 100;

/// A company as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    #[schema(value_type = uuid::Uuid)]
    pub id: CompanyId,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The Hosted Link URL for this company.
    pub redirect: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<Timestamp>,
    pub created: Timestamp,
    pub products: Vec<String>,
    pub tags: Tags,
    pub owner_user_ids: Vec<String>,
    pub reference_subsidiary_companies: Vec<serde_json::Value>,
    pub data_connections: Vec<Connection>,
    /// Legacy: the platform name of the `platformType` given on create, else `""`.
    pub platform: String,
}

/// Body of `POST /companies` and `PUT /companies/{id}`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyRequestBody {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Option<Tags>,
    /// Legacy (pre-2023) four-letter platform key; pre-creates a `PendingAuth` connection.
    #[serde(default)]
    pub platform_type: Option<String>,
}

/// Body of `PATCH /companies/{id}`: omitted or null fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyUpdateRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Option<Tags>,
}

/// Strips the characters Codat does not allow in company names (letters, digits, whitespace
/// and `- ' & @ . , ? !` are kept) and trims the result. `None` when nothing is left.
pub fn clean_company_name(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || "-'&@.,?!".contains(*c))
        .collect();
    let trimmed = kept.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// What is wrong with a set of tags, worded for the person who sent it.
pub fn validate_tags(tags: &Tags) -> Result<(), String> {
    if tags.len() > MAX_TAGS {
        return Err(format!(
            "A company can have at most {MAX_TAGS} tags; {} were given.",
            tags.len()
        ));
    }
    for (k, v) in tags {
        let klen = k.chars().count();
        if klen == 0 || klen > MAX_TAG_KEY_CHARS {
            return Err(format!(
                "Tag keys must be 1 to {MAX_TAG_KEY_CHARS} characters long; `{k}` is {klen}."
            ));
        }
        if v.chars().count() > MAX_TAG_VALUE_CHARS {
            return Err(format!(
                "The value of tag `{k}` is longer than {MAX_TAG_VALUE_CHARS} characters."
            ));
        }
    }
    Ok(())
}

/// The fields of a company a `query` or `orderBy` may name.
pub static COMPANY_SCHEMA: Schema = Schema {
    type_name: "Company",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
        field("description", FieldType::String),
        field("created", FieldType::DateTime),
        field("lastSync", FieldType::DateTime),
        field("platform", FieldType::String),
        field("tags", FieldType::Map),
        field(
            "dataConnections",
            FieldType::Array {
                item: &CONNECTION_SCHEMA,
                queryable: true,
            },
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_forbidden_characters() {
        assert_eq!(
            clean_company_name("Company (Codat[1])").as_deref(),
            Some("Company Codat1")
        );
        assert_eq!(
            clean_company_name("Bob's Burgers & Co."),
            Some("Bob's Burgers & Co.".into())
        );
        assert_eq!(clean_company_name("()[]{}"), None);
        assert_eq!(clean_company_name("   "), None);
    }

    #[test]
    fn tag_rules() {
        let mut t = Tags::new();
        t.insert("region".into(), "uk".into());
        assert!(validate_tags(&t).is_ok());
        t.insert("k".repeat(28), "v".into());
        assert!(validate_tags(&t).is_err());
    }
}
