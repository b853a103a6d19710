//! Pull operations (datasets): one sync of one data type on one connection, and the per-type
//! data status built from them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::data_type::DataType;
use crate::ids::{CompanyId, ConnectionId};
use crate::schema::{FieldType, Schema, field};
use crate::time::Timestamp;

macro_rules! statuses {
    ($($name:ident),* $(,)?) => {
        /// A dataset's status, in Codat's enum order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum DatasetStatus { $($name),* }

        impl DatasetStatus {
            /// Every status, in Codat's enum order.
            pub const ALL: &'static [DatasetStatus] = &[$(DatasetStatus::$name),*];
            /// Their wire spellings, for the query language.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(DatasetStatus::$name => stringify!($name)),* }
            }
        }
    };
}

statuses!(
    Initial,
    Queued,
    Fetching,
    MapQueued,
    Mapping,
    Complete,
    FetchError,
    MapError,
    InternalError,
    ProcessingQueued,
    Processing,
    ProcessingError,
    ValidationQueued,
    Validating,
    ValidationError,
    AuthError,
    Cancelled,
    NotSupported,
    RateLimitError,
    PermissionsError,
    PrerequisiteNotMet,
);

impl DatasetStatus {
    /// Statuses of a dataset that has not finished: a new one of the same type and connection
    /// cannot be queued while one of these exists.
    pub const IN_PROGRESS: &'static [DatasetStatus] = &[
        Self::Initial,
        Self::Queued,
        Self::Fetching,
        Self::MapQueued,
        Self::Mapping,
        Self::ProcessingQueued,
        Self::Processing,
        Self::ValidationQueued,
        Self::Validating,
    ];

    /// Whether the dataset is still running or waiting to run.
    pub fn is_in_progress(self) -> bool {
        Self::IN_PROGRESS.contains(&self)
    }

    /// Whether the dataset ended in an error.
    pub fn is_errored(self) -> bool {
        matches!(
            self,
            Self::FetchError
                | Self::MapError
                | Self::InternalError
                | Self::ProcessingError
                | Self::ValidationError
                | Self::AuthError
                | Self::RateLimitError
                | Self::PermissionsError
                | Self::PrerequisiteNotMet
        )
    }
}

impl fmt::Display for DatasetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DatasetStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown dataset status `{s}`"))
    }
}

/// A pull operation as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullOperation {
    #[schema(value_type = uuid::Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = uuid::Uuid)]
    pub company_id: CompanyId,
    #[schema(value_type = uuid::Uuid)]
    pub connection_id: ConnectionId,
    pub data_type: DataType,
    pub status: DatasetStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub requested: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<Timestamp>,
    /// 0 to 100.
    pub progress: i32,
    /// `true` only when the dataset completed successfully.
    pub is_completed: bool,
    pub is_errored: bool,
}

/// One data type's entry in `GET /companies/{id}/dataStatus`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataStatus {
    pub data_type: DataType,
    pub current_status: DatasetStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_sync: Option<Timestamp>,
    #[schema(value_type = uuid::Uuid)]
    pub latest_sync_id: uuid::Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub latest_successful_sync_id: Option<uuid::Uuid>,
}

static DATA_TYPE_KEYS: [&str; 43] = {
    let mut keys = [""; 43];
    let mut i = 0;
    while i < 43 {
        keys[i] = DataType::ALL[i].key_const();
        i += 1;
    }
    keys
};

/// The fields of a pull operation a `query` or `orderBy` may name. Codat calls the type
/// `Dataset` in its errors, and `isCompleted` is not queryable.
pub static PULL_OPERATION_SCHEMA: Schema = Schema {
    type_name: "Dataset",
    fields: &[
        field("id", FieldType::String),
        field("companyId", FieldType::String),
        field("connectionId", FieldType::String),
        field("dataType", FieldType::Enum(&DATA_TYPE_KEYS)),
        field("status", FieldType::Enum(DatasetStatus::NAMES)),
        field("statusDescription", FieldType::String),
        field("errorMessage", FieldType::String),
        field("requested", FieldType::DateTime),
        field("completed", FieldType::DateTime),
        field("progress", FieldType::Number),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_classify() {
        assert_eq!(DatasetStatus::ALL.len(), 21);
        for s in DatasetStatus::ALL {
            assert_eq!(s.as_str().parse::<DatasetStatus>().ok(), Some(*s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::String(s.as_str().into()))
            );
            assert!(!(s.is_in_progress() && s.is_errored()));
        }
        assert!(DatasetStatus::Queued.is_in_progress() && DatasetStatus::AuthError.is_errored());
        assert!(!DatasetStatus::Complete.is_in_progress() && !DatasetStatus::Complete.is_errored());
    }
}
