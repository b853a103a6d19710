//! `/companies`: create, list, read, replace, update and delete companies.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use ledgerbridge_domain::paging::Page;
use ledgerbridge_domain::platform::{
    COMPANY_SCHEMA, Company, CompanyRequestBody, CompanyUpdateRequest, Tags, clean_company_name,
    validate_tags,
};
use ledgerbridge_domain::{CompanyId, Timestamp};
use ledgerbridge_store::ListRequest;
use ledgerbridge_store::companies::{CompanyRow, CompanyWithConnections};

use super::connections::{new_connection_row, resolve_platform};
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, ListParams, parse_id};
use crate::state::AppState;

/// Parses the `{companyId}` path segment.
pub(crate) fn company_id(raw: &str) -> ApiResult<CompanyId> {
    parse_id(raw, "companyId")
}

fn name_from(raw: &str) -> ApiResult<String> {
    clean_company_name(raw).ok_or_else(|| {
        ApiError::invalid_field(
            "name",
            "`name` must contain at least one letter or digit; only letters, digits, spaces and - ' & @ . , ? ! are kept.",
        )
    })
}

fn checked_tags(tags: Tags) -> ApiResult<Tags> {
    validate_tags(&tags).map_err(|m| ApiError::invalid_field("tags", m))?;
    Ok(tags)
}

async fn load(state: &AppState, id: CompanyId) -> ApiResult<CompanyWithConnections> {
    state
        .store
        .get_company_with_connections(id)
        .await?
        .ok_or_else(|| ApiError::company_not_found(id))
}

/// `GET /companies`
#[utoipa::path(get, path = "/companies", tag = "Companies",
    params(("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query), ("query" = Option<String>, Query),
           ("orderBy" = Option<String>, Query), ("tags" = Option<String>, Query)),
    responses((status = 200, body = Page<Company>), (status = 400, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn list_companies(
    State(state): State<AppState>,
    uri: Uri,
    params: ListParams,
) -> ApiResult<Json<Page<Company>>> {
    let req = ListRequest {
        filter: params
            .query
            .as_deref()
            .map(|q| ledgerbridge_query::parse_filter(q, &COMPANY_SCHEMA))
            .transpose()?,
        order: params
            .order_by
            .as_deref()
            .map(|o| ledgerbridge_query::parse_order_by(o, &COMPANY_SCHEMA))
            .transpose()?,
        tags: params
            .all
            .get("tags")
            .filter(|t| !t.trim().is_empty())
            .map(ledgerbridge_query::parse_tags_filter)
            .transpose()?,
        page: params.page,
    };
    let (rows, total) = state.store.list_companies(&req).await?;
    let results = rows.into_iter().map(|c| state.company(c)).collect();
    Ok(super::page(uri.path(), &params, results, total))
}

/// `POST /companies`
#[utoipa::path(post, path = "/companies", tag = "Companies", request_body = CompanyRequestBody,
    responses((status = 200, body = Company), (status = 400, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn create_company(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CompanyRequestBody>,
) -> ApiResult<Json<Company>> {
    let name = name_from(&body.name)?;
    let tags = checked_tags(body.tags.unwrap_or_default())?;
    let platform = body
        .platform_type
        .as_deref()
        .map(|k| resolve_platform(&state, k, "platformType"))
        .transpose()?;
    let company = CompanyRow {
        id: CompanyId::new(),
        name,
        description: body.description,
        tags,
        platform: platform.map(|p| p.name.to_string()).unwrap_or_default(),
        created: Timestamp::now(),
        last_sync: None,
    };
    let connection = platform.map(|p| new_connection_row(company.id, p));
    state
        .store
        .insert_company(&company, connection.as_ref())
        .await?;
    tracing::info!(company_id = %company.id, "company created");
    Ok(Json(state.company(CompanyWithConnections {
        company,
        connections: connection.into_iter().collect(),
    })))
}

/// `GET /companies/{companyId}`
#[utoipa::path(get, path = "/companies/{companyId}", tag = "Companies",
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 200, body = Company), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_company(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Company>> {
    let id = company_id(&id)?;
    Ok(Json(state.company(load(&state, id).await?)))
}

/// `PUT /companies/{companyId}`: replaces name, description and tags, even when omitted.
#[utoipa::path(put, path = "/companies/{companyId}", tag = "Companies", request_body = CompanyRequestBody,
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 200, body = Company), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn replace_company(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CompanyRequestBody>,
) -> ApiResult<Json<Company>> {
    let id = company_id(&id)?;
    let name = name_from(&body.name)?;
    let tags = checked_tags(body.tags.unwrap_or_default())?;
    if !state
        .store
        .update_company(id, &name, body.description.as_deref(), &tags)
        .await?
    {
        return Err(ApiError::company_not_found(id));
    }
    Ok(Json(state.company(load(&state, id).await?)))
}

/// `PATCH /companies/{companyId}`: omitted or null fields stay as they are.
#[utoipa::path(patch, path = "/companies/{companyId}", tag = "Companies", request_body = CompanyUpdateRequest,
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 200, body = Company), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn update_company(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CompanyUpdateRequest>,
) -> ApiResult<Json<Company>> {
    let id = company_id(&id)?;
    let name = body.name.as_deref().map(name_from).transpose()?;
    let tags = body.tags.map(checked_tags).transpose()?;
    if !state
        .store
        .patch_company(
            id,
            name.as_deref(),
            body.description.as_deref(),
            tags.as_ref(),
        )
        .await?
    {
        return Err(ApiError::company_not_found(id));
    }
    Ok(Json(state.company(load(&state, id).await?)))
}

/// `DELETE /companies/{companyId}`: the company, its connections and cached data, irreversibly.
#[utoipa::path(delete, path = "/companies/{companyId}", tag = "Companies",
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn delete_company(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = company_id(&id)?;
    if !state.store.delete_company(id).await? {
        return Err(ApiError::company_not_found(id));
    }
    tracing::info!(company_id = %id, "company deleted");
    Ok(StatusCode::NO_CONTENT)
}
