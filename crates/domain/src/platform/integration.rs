//! Integrations: the platforms a company can connect to, and what each supports.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::connection::SourceType;
use crate::data_type::DataType;
use crate::schema::{FieldType, Schema, field};

/// The kind of operation a feature describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FeatureType {
    Get,
    Post,
    Categorization,
    Delete,
    Put,
    GetAsPdf,
    DownloadAttachment,
    GetAttachment,
    GetAttachments,
    UploadAttachment,
}

/// How mature a feature is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FeatureState {
    Release,
    Alpha,
    Beta,
    Deprecated,
    NotSupported,
    NotImplemented,
}

/// One supported operation on a data type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportedFeature {
    pub feature_type: FeatureType,
    pub feature_state: FeatureState,
}

/// What an integration supports for one data type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataTypeFeature {
    pub data_type: DataType,
    pub supported_features: Vec<SupportedFeature>,
}

/// An integration as the API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub key: String,
    pub logo_url: String,
    pub name: String,
    pub enabled: bool,
    #[schema(value_type = uuid::Uuid)]
    pub source_id: uuid::Uuid,
    pub source_type: SourceType,
    #[schema(value_type = uuid::Uuid)]
    pub integration_id: uuid::Uuid,
    pub is_offline_connector: bool,
    pub is_beta: bool,
    pub data_provided_by: String,
    pub datatype_features: Vec<DataTypeFeature>,
}

/// An image reference in an integration's branding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImageReference {
    pub src: String,
    pub alt: String,
}

/// A wrapper holding one image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BrandingImage {
    pub image: ImageReference,
}

/// Logo variants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BrandingLogo {
    pub full: BrandingImage,
    pub square: BrandingImage,
}

/// Button variants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BrandingButton {
    pub default: BrandingImage,
    pub hover: BrandingImage,
}

/// `GET /integrations/{platformKey}/branding`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    pub logo: BrandingLogo,
    pub button: BrandingButton,
    #[schema(value_type = uuid::Uuid)]
    pub source_id: uuid::Uuid,
}

static SOURCE_TYPES: [&str; 7] = [
    "Accounting",
    "Banking",
    "BankFeed",
    "Commerce",
    "Expense",
    "Other",
    "Unknown",
];

/// The fields of an integration a `query` or `orderBy` may name.
pub static INTEGRATION_SCHEMA: Schema = Schema {
    type_name: "Integration",
    fields: &[
        field("key", FieldType::String),
        field("logoUrl", FieldType::String),
        field("name", FieldType::String),
        field("enabled", FieldType::Boolean),
        field("sourceId", FieldType::String),
        field("sourceType", FieldType::Enum(&SOURCE_TYPES)),
        field("integrationId", FieldType::String),
        field("isOfflineConnector", FieldType::Boolean),
        field("isBeta", FieldType::Boolean),
        field("dataProvidedBy", FieldType::String),
    ],
};
