//! Codat's error body (`ErrorMessage`), the shape of every 4xx and 5xx we return.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One validation finding inside an error body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidationItem {
    pub item_id: Option<String>,
    pub message: Option<String>,
    pub validator_name: Option<String>,
}

/// Validation errors and warnings attached to an error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Validation {
    pub errors: Option<Vec<ValidationItem>>,
    pub warnings: Option<Vec<ValidationItem>>,
}

/// The error body: `statusCode`, `service`, `error`, `correlationId`, `validation`,
/// `canBeRetried`, `detailedErrorCode`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    pub status_code: u16,
    pub service: String,
    pub error: String,
    pub correlation_id: String,
    pub validation: Option<Validation>,
    pub can_be_retried: String,
    pub detailed_error_code: i32,
}
