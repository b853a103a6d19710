//! Codat's Platform API resources: companies, connections, integrations, settings.

pub mod api_key;
pub mod company;
pub mod connection;
pub mod integration;
pub mod profile;
pub mod pull_operation;
pub mod sync_settings;

pub use api_key::{ApiKeyDetails, CreateApiKey, MAX_API_KEY_NAME, MAX_API_KEYS};
pub use company::{
    COMPANY_SCHEMA, Company, CompanyRequestBody, CompanyUpdateRequest, Tags, clean_company_name,
    validate_tags,
};
pub use connection::{
    CONNECTION_SCHEMA, Connection, ConnectionStatus, CreateConnection, DataConnectionError,
    SourceType, UpdateConnectionStatus,
};
pub use integration::{
    Branding, BrandingButton, BrandingImage, BrandingLogo, DataTypeFeature, FeatureState,
    FeatureType, INTEGRATION_SCHEMA, ImageReference, Integration, SupportedFeature,
};
pub use profile::{CorsSettings, Profile};
pub use pull_operation::{DataStatus, DatasetStatus, PULL_OPERATION_SCHEMA, PullOperation};
pub use sync_settings::{CompanySyncSettings, ProfileSyncSettings, SyncSetting, validate_settings};
