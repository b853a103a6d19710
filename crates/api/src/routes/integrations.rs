//! `/integrations`: the platforms companies can connect to.
//!
//! The list is static configuration, so filters and orderings run through the query
//! language's reference evaluator in memory, with the same semantics the SQL lowering has.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use ledgerbridge_connectors::catalog::{self, Platform};
use ledgerbridge_domain::paging::Page;
use ledgerbridge_domain::platform::{Branding, INTEGRATION_SCHEMA, Integration};

use crate::error::{ApiError, ApiResult};
use crate::extract::ListParams;
use crate::state::AppState;

fn find(key: &str) -> ApiResult<&'static Platform> {
    catalog::platform(key)
        .ok_or_else(|| ApiError::not_found(format!("No integration was found with key {key}")))
}

/// `GET /integrations`
#[utoipa::path(get, path = "/integrations", tag = "Integrations",
    params(("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query), ("query" = Option<String>, Query),
           ("orderBy" = Option<String>, Query)),
    responses((status = 200, body = Page<Integration>), (status = 400, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn list_integrations(
    State(state): State<AppState>,
    uri: Uri,
    params: ListParams,
) -> ApiResult<Json<Page<Integration>>> {
    let filter = params
        .query
        .as_deref()
        .map(|q| ledgerbridge_query::parse_filter(q, &INTEGRATION_SCHEMA))
        .transpose()?;
    let order = params
        .order_by
        .as_deref()
        .map(|o| ledgerbridge_query::parse_order_by(o, &INTEGRATION_SCHEMA))
        .transpose()?;
    let mut docs: Vec<(Integration, serde_json::Value)> = catalog::PLATFORMS
        .iter()
        .map(|p| {
            let i = state.integration(p);
            let doc = serde_json::to_value(&i).map_err(ApiError::internal)?;
            Ok((i, doc))
        })
        .collect::<ApiResult<_>>()?;
    if let Some(f) = &filter {
        docs.retain(|(_, doc)| ledgerbridge_query::matches(f, doc));
    }
    if let Some(o) = &order {
        docs.sort_by(|(a, da), (b, db)| {
            ledgerbridge_query::compare(o, da, db).then_with(|| a.key.cmp(&b.key))
        });
    }
    let total = docs.len() as u64;
    let results = docs
        .into_iter()
        .skip(usize::try_from(params.page.offset()).unwrap_or(usize::MAX))
        .take(params.page.page_size as usize)
        .map(|(i, _)| i)
        .collect();
    Ok(super::page(uri.path(), &params, results, total))
}

/// `GET /integrations/{platformKey}`
#[utoipa::path(get, path = "/integrations/{platformKey}", tag = "Integrations",
    params(("platformKey" = String, Path)),
    responses((status = 200, body = Integration), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_integration(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Json<Integration>> {
    Ok(Json(state.integration(find(&key)?)))
}

/// `GET /integrations/{platformKey}/branding`
#[utoipa::path(get, path = "/integrations/{platformKey}/branding", tag = "Integrations",
    params(("platformKey" = String, Path)),
    responses((status = 200, body = Branding), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_integration_branding(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Json<Branding>> {
    Ok(Json(state.branding(find(&key)?)))
}
