//! `/companies/{companyId}/connections`: a company's data connections.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use ledgerbridge_connectors::catalog::{self, Platform};
use ledgerbridge_connectors::sandbox::SandboxChoice;
use ledgerbridge_domain::paging::Page;
use ledgerbridge_domain::platform::{
    CONNECTION_SCHEMA, Connection, ConnectionStatus, CreateConnection, UpdateConnectionStatus,
};
use ledgerbridge_domain::{CompanyId, ConnectionId, Timestamp};
use ledgerbridge_store::ListRequest;
use ledgerbridge_store::connections::ConnectionRow;

use super::companies::company_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, ListParams, parse_id};
use crate::state::AppState;

/// The platform for a key given by the client, if it exists and is enabled.
pub(crate) fn resolve_platform(
    state: &AppState,
    key: &str,
    field: &str,
) -> ApiResult<&'static Platform> {
    let known = || {
        catalog::PLATFORMS
            .iter()
            .map(|p| format!("{} ({})", p.key, p.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let platform = catalog::platform(key).ok_or_else(|| {
        ApiError::invalid_field(
            field,
            format!(
                "`{key}` is not a platform key ledgerbridge supports. Use one of: {}.",
                known()
            ),
        )
    })?;
    if !state.is_enabled(platform) {
        return Err(ApiError::invalid_field(
            field,
            format!(
                "The {} integration ({}) is not enabled on this server: its OAuth app credentials are not configured.",
                platform.name, platform.key
            ),
        ));
    }
    Ok(platform)
}

/// A new `PendingAuth` connection of a company to a platform.
pub(crate) fn new_connection_row(company: CompanyId, p: &Platform) -> ConnectionRow {
    ConnectionRow {
        id: ConnectionId::new(),
        company_id: company,
        integration_key: p.key.to_string(),
        integration_id: p.integration_id,
        source_id: p.source_id,
        source_type: p.source_type,
        platform_name: p.name.to_string(),
        status: ConnectionStatus::PendingAuth,
        created: Timestamp::now(),
        last_sync: None,
        errors: Vec::new(),
        connection_info: None,
    }
}

fn ids(company: &str, connection: &str) -> ApiResult<(CompanyId, ConnectionId)> {
    Ok((company_id(company)?, parse_id(connection, "connectionId")?))
}

async fn require_company(state: &AppState, id: CompanyId) -> ApiResult<()> {
    match state.store.get_company(id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::company_not_found(id)),
    }
}

async fn load(state: &AppState, company: CompanyId, id: ConnectionId) -> ApiResult<ConnectionRow> {
    if let Some(row) = state.store.get_connection(company, id).await? {
        return Ok(row);
    }
    require_company(state, company).await?;
    Err(ApiError::connection_not_found(id))
}

/// `GET /companies/{companyId}/connections`
#[utoipa::path(get, path = "/companies/{companyId}/connections", tag = "Connections",
    params(("companyId" = uuid::Uuid, Path), ("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query),
           ("query" = Option<String>, Query), ("orderBy" = Option<String>, Query)),
    responses((status = 200, body = Page<Connection>), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn list_connections(
    State(state): State<AppState>,
    Path(company): Path<String>,
    uri: Uri,
    params: ListParams,
) -> ApiResult<Json<Page<Connection>>> {
    let company = company_id(&company)?;
    let req = ListRequest {
        filter: params
            .query
            .as_deref()
            .map(|q| ledgerbridge_query::parse_filter(q, &CONNECTION_SCHEMA))
            .transpose()?,
        order: params
            .order_by
            .as_deref()
            .map(|o| ledgerbridge_query::parse_order_by(o, &CONNECTION_SCHEMA))
            .transpose()?,
        tags: None,
        page: params.page,
    };
    require_company(&state, company).await?;
    let (rows, total) = state.store.list_connections(company, &req).await?;
    let results = rows.into_iter().map(|c| state.connection(c)).collect();
    Ok(super::page(uri.path(), &params, results, total))
}

/// `POST /companies/{companyId}/connections`
#[utoipa::path(post, path = "/companies/{companyId}/connections", tag = "Connections", request_body = CreateConnection,
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 200, body = Connection), (status = 400, body = ledgerbridge_domain::error::ErrorMessage),
               (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn create_connection(
    State(state): State<AppState>,
    Path(company): Path<String>,
    JsonBody(body): JsonBody<CreateConnection>,
) -> ApiResult<Json<Connection>> {
    let company = company_id(&company)?;
    let platform = resolve_platform(&state, &body.platform_key, "platformKey")?;
    let row = new_connection_row(company, platform);
    if !state.store.insert_connection(&row).await? {
        return Err(ApiError::company_not_found(company));
    }
    tracing::info!(company_id = %company, connection_id = %row.id, platform = platform.key, "connection created");
    Ok(Json(state.connection(row)))
}

/// `GET /companies/{companyId}/connections/{connectionId}`
#[utoipa::path(get, path = "/companies/{companyId}/connections/{connectionId}", tag = "Connections",
    params(("companyId" = uuid::Uuid, Path), ("connectionId" = uuid::Uuid, Path)),
    responses((status = 200, body = Connection), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_connection(
    State(state): State<AppState>,
    Path((company, id)): Path<(String, String)>,
) -> ApiResult<Json<Connection>> {
    let (company, id) = ids(&company, &id)?;
    Ok(Json(state.connection(load(&state, company, id).await?)))
}

/// `PATCH /companies/{companyId}/connections/{connectionId}`: unlinks a `Linked` connection.
#[utoipa::path(patch, path = "/companies/{companyId}/connections/{connectionId}", tag = "Connections",
    request_body = UpdateConnectionStatus,
    params(("companyId" = uuid::Uuid, Path), ("connectionId" = uuid::Uuid, Path)),
    responses((status = 200, body = Connection), (status = 400, body = ledgerbridge_domain::error::ErrorMessage),
               (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn unlink_connection(
    State(state): State<AppState>,
    Path((company, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<UpdateConnectionStatus>,
) -> ApiResult<Json<Connection>> {
    let (company, id) = ids(&company, &id)?;
    if body.status != Some(ConnectionStatus::Unlinked) {
        return Err(ApiError::invalid_field(
            "status",
            "Only `{\"status\": \"Unlinked\"}` is accepted: a connection can only be unlinked through the API.",
        ));
    }
    let Some((row, changed)) = state
        .store
        .transition_connection(
            company,
            id,
            &[ConnectionStatus::Linked],
            ConnectionStatus::Unlinked,
        )
        .await?
    else {
        load(&state, company, id).await?;
        return Err(ApiError::connection_not_found(id));
    };
    if !changed {
        return Err(ApiError::bad_request(format!(
            "Error processing request - not valid. Only Linked connections can be unlinked; connection {id} is {}.",
            row.status
        )));
    }
    tracing::info!(company_id = %company, connection_id = %id, "connection unlinked");
    Ok(Json(state.connection(row)))
}

/// `DELETE /companies/{companyId}/connections/{connectionId}`: 200 with no body.
#[utoipa::path(delete, path = "/companies/{companyId}/connections/{connectionId}", tag = "Connections",
    params(("companyId" = uuid::Uuid, Path), ("connectionId" = uuid::Uuid, Path)),
    responses((status = 200), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn delete_connection(
    State(state): State<AppState>,
    Path((company, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (company, id) = ids(&company, &id)?;
    if !state.store.delete_connection(company, id).await? {
        require_company(&state, company).await?;
        return Err(ApiError::connection_not_found(id));
    }
    tracing::info!(company_id = %company, connection_id = %id, "connection deleted");
    Ok(StatusCode::OK)
}

/// `PUT /companies/{companyId}/connections/{connectionId}/authorization`: stores credentials
/// (encrypted at rest) supplied by the client, e.g. when migrating tokens.
#[utoipa::path(put, path = "/companies/{companyId}/connections/{connectionId}/authorization", tag = "Connections",
    request_body = BTreeMap<String, String>,
    params(("companyId" = uuid::Uuid, Path), ("connectionId" = uuid::Uuid, Path)),
    responses((status = 200, body = Connection), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn update_connection_authorization(
    State(state): State<AppState>,
    Path((company, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<BTreeMap<String, String>>,
) -> ApiResult<Json<Connection>> {
    let (company, id) = ids(&company, &id)?;
    let row = load(&state, company, id).await?;
    let credentials = serde_json::to_value(&body).map_err(ApiError::internal)?;
    let is_sandbox = row.integration_key == "mqjo";
    if is_sandbox {
        SandboxChoice::from_credentials(&credentials, id)
            .map_err(|m| ApiError::invalid_field("dataset", m))?;
    }
    save_credentials(&state, company, id, &credentials).await?;
    tracing::info!(company_id = %company, connection_id = %id, "connection credentials replaced");
    if !is_sandbox {
        return Ok(Json(state.connection(row)));
    }
    // The Sandbox needs no OAuth: choosing its books links it (again), and the first sync
    // starts as after any link.
    let (row, _) = mark_linked(&state, company, id).await?;
    Ok(Json(state.connection(row)))
}

/// Seals a connection's credentials with its identity as associated data and stores them.
pub(crate) async fn save_credentials(
    state: &AppState,
    company: CompanyId,
    id: ConnectionId,
    credentials: &serde_json::Value,
) -> ApiResult<()> {
    let plaintext = serde_json::to_vec(credentials).map_err(ApiError::internal)?;
    let sealed = state
        .secrets
        .seal(&format!("connection:{id}"), &plaintext)?;
    if !state
        .store
        .set_connection_credentials(company, id, &sealed)
        .await?
    {
        return Err(ApiError::connection_not_found(id));
    }
    Ok(())
}

/// Turns a connection `Linked` (a `PendingAuth`, `Deauthorized` or `Unlinked` one, keeping
/// its id) and, when it was not linked before, queues its first syncs. Returns the row and
/// whether it changed.
pub(crate) async fn mark_linked(
    state: &AppState,
    company: CompanyId,
    id: ConnectionId,
) -> ApiResult<(ConnectionRow, bool)> {
    let from = [
        ConnectionStatus::PendingAuth,
        ConnectionStatus::Deauthorized,
        ConnectionStatus::Unlinked,
    ];
    let (row, changed) = state
        .store
        .transition_connection(company, id, &from, ConnectionStatus::Linked)
        .await?
        .ok_or_else(|| ApiError::connection_not_found(id))?;
    if changed {
        tracing::info!(company_id = %company, connection_id = %id, platform = %row.integration_key, "connection linked");
        super::data::queue_fetch_on_first_link(state, &row).await?;
    }
    Ok((row, changed))
}
