//! The client's profile (Link branding and redirect) and CORS settings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET/PUT /profile`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// Where Link sends the owner when done; may hold `{placeholders}`.
    #[serde(default)]
    pub redirect_url: String,
    #[serde(default)]
    pub white_list_urls: Vec<String>,
}

/// `GET/POST /corsSettings`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorsSettings {
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}
