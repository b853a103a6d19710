//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{api_keys, companies, connections, data, integrations, settings, webhooks};

#[derive(OpenApi)]
#[openapi(
    info(title = "ledgerbridge", description = "A self-hosted, Codat-compatible unified accounting-data API."),
    paths(
        companies::list_companies, companies::create_company, companies::get_company, companies::replace_company,
        companies::update_company, companies::delete_company,
        connections::list_connections, connections::create_connection, connections::get_connection,
        connections::unlink_connection, connections::delete_connection, connections::update_connection_authorization,
        data::refresh_company_data, data::refresh_data_type, data::get_company_data_status,
        data::list_pull_operations, data::get_pull_operation,
        integrations::list_integrations, integrations::get_integration, integrations::get_integration_branding,
        settings::get_profile, settings::update_profile, settings::get_profile_sync_settings,
        settings::update_profile_sync_settings, settings::get_company_sync_settings, settings::set_company_sync_settings,
        settings::get_cors_settings, settings::set_cors_settings,
        api_keys::list_api_keys, api_keys::create_api_key, api_keys::delete_api_key,
        webhooks::list_webhook_consumers, webhooks::create_webhook_consumer, webhooks::delete_webhook_consumer,
        webhooks::get_webhook_consumer_secret, webhooks::list_delivery_attempts, webhooks::replay_webhook_messages,
    ),
    modifiers(&AuthHeader),
    security(("auth_header" = [])),
)]
pub struct ApiDoc;

struct AuthHeader;

impl Modify for AuthHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "auth_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Basic ` followed by the Base64 encoding of your API key.",
            ))),
        );
    }
}
