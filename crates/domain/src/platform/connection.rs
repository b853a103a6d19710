//! Data connections: a company's link to one platform.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::ConnectionId;
use crate::schema::{FieldType, Schema, field};
use crate::time::Timestamp;

/// The authorization state of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum ConnectionStatus {
    PendingAuth,
    Linked,
    Unlinked,
    Deauthorized,
}

impl ConnectionStatus {
    /// Every status, in Codat's enum order.
    pub const ALL: [ConnectionStatus; 4] = [
        Self::PendingAuth,
        Self::Linked,
        Self::Unlinked,
        Self::Deauthorized,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAuth => "PendingAuth",
            Self::Linked => "Linked",
            Self::Unlinked => "Unlinked",
            Self::Deauthorized => "Deauthorized",
        }
    }
}

impl fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConnectionStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown connection status `{s}`"))
    }
}

/// The kind of platform a connection or integration reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum SourceType {
    Accounting,
    Banking,
    BankFeed,
    Commerce,
    Expense,
    Other,
    Unknown,
}

impl SourceType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounting => "Accounting",
            Self::Banking => "Banking",
            Self::BankFeed => "BankFeed",
            Self::Commerce => "Commerce",
            Self::Expense => "Expense",
            Self::Other => "Other",
            Self::Unknown => "Unknown",
        }
    }
}

/// An error the platform reported on a connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataConnectionError {
    pub status_code: String,
    pub status_text: String,
    pub error_message: String,
    pub errored_on_utc: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_on_utc: Option<Timestamp>,
}

impl DataConnectionError {
    /// An `Active` error raised now.
    pub fn active(
        status_code: impl Into<String>,
        status_text: impl Into<String>,
        error_message: impl Into<String>,
    ) -> Self {
        Self {
            status_code: status_code.into(),
            status_text: status_text.into(),
            error_message: error_message.into(),
            errored_on_utc: Timestamp::now(),
            status: Some("Active".into()),
            resolved_on_utc: None,
        }
    }

    /// The platform revoked access (`401`): the connection turns `Deauthorized`. `detail` is
    /// what the platform said, safe to show (no tokens).
    pub fn deauthorized(detail: impl Into<String>) -> Self {
        Self::active(
            "401",
            "The integration de-authorized access to the connection.",
            detail,
        )
    }
}

/// A connection as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    #[schema(value_type = uuid::Uuid)]
    pub id: ConnectionId,
    #[schema(value_type = uuid::Uuid)]
    pub integration_id: uuid::Uuid,
    pub integration_key: String,
    #[schema(value_type = uuid::Uuid)]
    pub source_id: uuid::Uuid,
    pub source_type: SourceType,
    pub platform_name: String,
    pub link_url: String,
    pub status: ConnectionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<Timestamp>,
    pub created: Timestamp,
    pub data_connection_errors: Vec<DataConnectionError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_info: Option<serde_json::Value>,
}

/// Body of `PATCH /companies/{id}/connections/{id}`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnectionStatus {
    pub status: Option<ConnectionStatus>,
}

/// Body of `POST /companies/{id}/connections`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateConnection {
    pub platform_key: String,
}

static CONNECTION_STATUS_VALUES: [&str; 4] = ["PendingAuth", "Linked", "Unlinked", "Deauthorized"];
static SOURCE_TYPE_VALUES: [&str; 7] = [
    "Accounting",
    "Banking",
    "BankFeed",
    "Commerce",
    "Expense",
    "Other",
    "Unknown",
];

/// The fields of a connection a `query` or `orderBy` may name.
pub static CONNECTION_SCHEMA: Schema = Schema {
    type_name: "Connection",
    fields: &[
        field("id", FieldType::String),
        field("integrationId", FieldType::String),
        field("integrationKey", FieldType::String),
        field("sourceId", FieldType::String),
        field("sourceType", FieldType::Enum(&SOURCE_TYPE_VALUES)),
        field("platformName", FieldType::String),
        field("status", FieldType::Enum(&CONNECTION_STATUS_VALUES)),
        field("lastSync", FieldType::DateTime),
        field("created", FieldType::DateTime),
    ],
};
