//! `/apiKeys`: list, create and delete API keys.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ledgerbridge_domain::ApiKeyId;
use ledgerbridge_domain::platform::{ApiKeyDetails, CreateApiKey, MAX_API_KEY_NAME, MAX_API_KEYS};
use ledgerbridge_store::StoreError;
use ledgerbridge_store::api_keys::{ApiKeyRow, new_api_key};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_id, parse_json};
use crate::state::AppState;

/// `GET /apiKeys` body: not paged.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiKeys {
    pub results: Vec<ApiKeyDetails>,
}

fn details(row: ApiKeyRow, key: Option<String>) -> ApiKeyDetails {
    ApiKeyDetails {
        id: row.id.to_string(),
        name: row.name,
        api_key: key.unwrap_or(row.masked),
        created_date: Some(row.created),
    }
}

/// `GET /apiKeys`: keys are shown masked; only their hashes are stored.
#[utoipa::path(get, path = "/apiKeys", tag = "Settings", responses((status = 200, body = ApiKeys)))]
pub async fn list_api_keys(State(state): State<AppState>) -> ApiResult<Json<ApiKeys>> {
    let rows = state.store.list_api_keys().await?;
    Ok(Json(ApiKeys {
        results: rows.into_iter().map(|r| details(r, None)).collect(),
    }))
}

/// `POST /apiKeys`: the full key appears in this response only.
#[utoipa::path(post, path = "/apiKeys", tag = "Settings", request_body = CreateApiKey,
    responses((status = 201, body = ApiKeyDetails), (status = 400, body = ledgerbridge_domain::error::ErrorMessage),
               (status = 409, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn create_api_key(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<ApiKeyDetails>)> {
    // The body is optional: no body means an unnamed key.
    let request: CreateApiKey = if body.iter().all(u8::is_ascii_whitespace) {
        CreateApiKey::default()
    } else {
        parse_json(&body)?
    };
    let name = request.name.filter(|n| !n.is_empty());
    if name
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_API_KEY_NAME)
    {
        return Err(ApiError::invalid_field(
            "name",
            format!("Max string length ({MAX_API_KEY_NAME}) for `name` reached."),
        ));
    }
    let (row, key) = new_api_key(name);
    match state.store.insert_api_key(&row).await {
        Ok(()) => {}
        Err(StoreError::LimitReached(_)) => {
            return Err(ApiError::conflict(format!(
                "Maximum number of API keys reached. You can hold at most {MAX_API_KEYS}; delete one before creating another."
            )));
        }
        Err(e) => return Err(e.into()),
    }
    state.keys.reload(&state.store).await?;
    tracing::info!(api_key_id = %row.id, "API key created");
    Ok((StatusCode::CREATED, Json(details(row, Some(key)))))
}

/// `DELETE /apiKeys/{apiKeyId}`
#[utoipa::path(delete, path = "/apiKeys/{apiKeyId}", tag = "Settings", params(("apiKeyId" = String, Path)),
    responses((status = 204), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn delete_api_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: ApiKeyId = parse_id(&id, "apiKeyId")?;
    if !state.store.delete_api_key(id).await? {
        return Err(ApiError::not_found(format!(
            "No API key was found with ID {id}"
        )));
    }
    state.keys.reload(&state.store).await?;
    tracing::info!(api_key_id = %id, "API key deleted");
    Ok(StatusCode::NO_CONTENT)
}
