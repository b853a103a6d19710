//! The HTTP API: Codat's Platform API (and, as they land, the Accounting API and Link pages),
//! answered with Codat's JSON and error bodies.
//!
//! Handlers are thin: extractors parse and validate, the store persists, `present` shapes the
//! wire types. The API only *enqueues* work; it never runs a sync inside a request.
#![forbid(unsafe_code)]

pub mod auth;
mod cors;
pub mod error;
pub mod extract;
pub mod link;
pub mod openapi;
mod present;
pub mod rate_limit;
pub mod routes;
pub mod state;
pub mod telemetry;

use std::any::Any;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, ApiResult};
pub use state::{ApiConfig, AppState, OAuthLinks};

use routes::{
    accounting, api_keys, companies, connections, data, docs, health, integrations, settings,
    webhooks,
};

/// Every route: the public ones (health, docs, logos) and the API-key protected API.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(
            "/companies",
            get(companies::list_companies).post(companies::create_company),
        )
        .route(
            "/companies/{companyId}",
            get(companies::get_company)
                .put(companies::replace_company)
                .patch(companies::update_company)
                .delete(companies::delete_company),
        )
        .route(
            "/companies/{companyId}/connections",
            get(connections::list_connections).post(connections::create_connection),
        )
        .route(
            "/companies/{companyId}/connections/{connectionId}",
            get(connections::get_connection)
                .patch(connections::unlink_connection)
                .delete(connections::delete_connection),
        )
        .route(
            "/companies/{companyId}/connections/{connectionId}/authorization",
            axum::routing::put(connections::update_connection_authorization),
        )
        .route(
            "/companies/{companyId}/syncSettings",
            get(settings::get_company_sync_settings).post(settings::set_company_sync_settings),
        )
        .route(
            "/companies/{companyId}/data/all",
            post(data::refresh_company_data),
        )
        .route(
            "/companies/{companyId}/data/queue/{dataType}",
            post(data::refresh_data_type),
        )
        .route(
            "/companies/{companyId}/dataStatus",
            get(data::get_company_data_status),
        )
        .route(
            "/companies/{companyId}/data/history",
            get(data::list_pull_operations),
        )
        .route(
            "/companies/{companyId}/data/history/{datasetId}",
            get(data::get_pull_operation),
        )
        .route("/integrations", get(integrations::list_integrations))
        .route(
            "/integrations/{platformKey}",
            get(integrations::get_integration),
        )
        .route(
            "/integrations/{platformKey}/branding",
            get(integrations::get_integration_branding),
        )
        .route(
            "/profile",
            get(settings::get_profile).put(settings::update_profile),
        )
        .route(
            "/profile/syncSettings",
            get(settings::get_profile_sync_settings).post(settings::update_profile_sync_settings),
        )
        .route(
            "/corsSettings",
            get(settings::get_cors_settings).post(settings::set_cors_settings),
        )
        .route(
            "/connectionManagement/corsSettings",
            get(settings::get_cors_settings).post(settings::set_cors_settings),
        )
        .route(
            "/apiKeys",
            get(api_keys::list_api_keys).post(api_keys::create_api_key),
        )
        .route(
            "/apiKeys/{apiKeyId}",
            axum::routing::delete(api_keys::delete_api_key),
        )
        .route(
            "/webhooks",
            get(webhooks::list_webhook_consumers).post(webhooks::create_webhook_consumer),
        )
        .route(
            "/webhooks/{webhookId}",
            axum::routing::delete(webhooks::delete_webhook_consumer),
        )
        .route(
            "/webhooks/{webhookId}/secret",
            get(webhooks::get_webhook_consumer_secret),
        )
        .route(
            "/webhooks/{webhookId}/attempts",
            get(webhooks::list_delivery_attempts),
        )
        .route(
            "/webhooks/{webhookId}/replay",
            post(webhooks::replay_webhook_messages),
        )
        .merge(accounting::routes())
        .merge(routes::accounting_documents::routes())
        // Layers run outside-in from the last added: the key is checked, then its limits.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::enforce_rate_limits,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_api_key,
        ));

    let public = Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::docs_page))
        .route("/docs/assets/{file}", get(docs::docs_asset))
        .route("/static/logos/{file}", get(docs::logo))
        .merge(link::routes());

    let timeout = state.request_timeout;
    let body_limit = state.max_body_bytes;
    Router::new()
        .merge(api)
        .merge(public)
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(state.clone(), cors::cors))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
        .layer(middleware::from_fn_with_state(
            timeout,
            telemetry::enforce_timeout,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(telemetry::observe_request))
}

/// Only `/health` and `/ready`: what a worker-role process serves.
pub fn health_router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .fallback(unknown_route)
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(telemetry::observe_request))
}

async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("There is no endpoint at {method} {}.", uri.path()))
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not supported on {}.", uri.path()),
    )
}

fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into());
    ApiError::internal(format!("handler panicked: {detail}")).into_response()
}
