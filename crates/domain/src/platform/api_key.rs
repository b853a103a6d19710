//! API keys as the settings endpoints show them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::Timestamp;

/// Most API keys a client may hold.
pub const MAX_API_KEYS: usize = 10;
/// Longest API key name.
pub const MAX_API_KEY_NAME: usize = 50;

/// An API key. `apiKey` holds the full key only in the response that created it; lists show a
/// masked form, because only a hash is stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyDetails {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub api_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<Timestamp>,
}

/// Body of `POST /apiKeys`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CreateApiKey {
    #[serde(default)]
    pub name: Option<String>,
}
