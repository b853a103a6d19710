//! Refreshing data and its status: `/companies/{id}/data/all`, `/data/queue/{dataType}`,
//! `/dataStatus` and the pull history `/data/history`.
//!
//! Queueing only records datasets; the sync engine's workers run them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use ledgerbridge_connectors::catalog;
use ledgerbridge_domain::paging::Page;
use ledgerbridge_domain::platform::{
    ConnectionStatus, DataStatus, DatasetStatus, PULL_OPERATION_SCHEMA, PullOperation,
};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};
use ledgerbridge_store::ListRequest;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::datasets::{DatasetRow, QueueError};
use ledgerbridge_store::schedules::next_run_after;

use super::companies::company_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ListParams, QueryParams, parse_id};
use crate::state::AppState;

/// A dataset as the API returns it.
pub(crate) fn pull_operation(d: DatasetRow) -> PullOperation {
    PullOperation {
        id: d.id,
        company_id: d.company_id,
        connection_id: d.connection_id,
        data_type: d.data_type,
        status: d.status,
        status_description: d.status_description,
        error_message: d.error_message,
        requested: d.requested,
        completed: d.completed,
        progress: d.progress,
        is_completed: d.status == DatasetStatus::Complete,
        is_errored: d.status.is_errored(),
    }
}

async fn connections(state: &AppState, company: CompanyId) -> ApiResult<Vec<ConnectionRow>> {
    let mut all = state
        .store
        .get_company_with_connections(company)
        .await?
        .ok_or_else(|| ApiError::company_not_found(company))?;
    Ok(std::mem::take(&mut all.connections))
}

/// The dataset to record for a request to sync `data_type` on `conn`: queued when it can
/// run, otherwise already finished with the reason (`NotSupported`, `AuthError`).
fn new_dataset(conn: &ConnectionRow, data_type: DataType) -> DatasetRow {
    let mut d = DatasetRow::queued(conn.company_id, conn.id, data_type);
    let supported =
        catalog::platform(&conn.integration_key).is_some_and(|p| p.data_types.contains(&data_type));
    let finish = |d: &mut DatasetRow, status: DatasetStatus, message: String| {
        d.status = status;
        d.error_message = Some(message);
        d.completed = Some(Timestamp::now());
        d.progress = 100;
    };
    if !supported {
        finish(
            &mut d,
            DatasetStatus::NotSupported,
            format!(
                "Datatype {data_type} not supported by platform(s) {}",
                conn.platform_name
            ),
        );
    } else if conn.status != ConnectionStatus::Linked {
        finish(
            &mut d,
            DatasetStatus::AuthError,
            format!(
                "Connection {} is {}: the business owner must link it again through its linkUrl before it can sync.",
                conn.id, conn.status
            ),
        );
    }
    d
}

fn in_progress(data_type: DataType, company: CompanyId, running: uuid::Uuid) -> ApiError {
    ApiError::conflict(format!(
        "DatasetAlreadyInProgressException: Cannot queue {data_type} sync for {company} as previous sync {running} is still in progress"
    ))
}

/// `POST /companies/{companyId}/data/queue/{dataType}` (`all` queues like `/data/all`).
#[utoipa::path(post, path = "/companies/{companyId}/data/queue/{dataType}", tag = "Refresh data",
    params(("companyId" = uuid::Uuid, Path), ("dataType" = String, Path), ("connectionId" = Option<uuid::Uuid>, Query)),
    responses((status = 200, body = PullOperation), (status = 404, body = ledgerbridge_domain::error::ErrorMessage),
               (status = 409, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn refresh_data_type(
    State(state): State<AppState>,
    Path((company, data_type)): Path<(String, String)>,
    params: QueryParams,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let company = company_id(&company)?;
    if data_type == "all" {
        return Ok(
            refresh_company_data(State(state), Path(company.to_string()))
                .await?
                .into_response(),
        );
    }
    let data_type: DataType = data_type.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "Error processing request - not valid. `{data_type}` is not a data type."
        ))
    })?;
    let conns = connections(&state, company).await?;
    let conn = match params.get("connectionId").filter(|s| !s.is_empty()) {
        Some(raw) => {
            let id: ConnectionId = parse_id(raw, "connectionId")?;
            conns
                .into_iter()
                .find(|c| c.id == id)
                .ok_or_else(|| ApiError::connection_not_found(id))?
        }
        None => {
            // The company's accounting connection: a linked one first, else the newest.
            let linked = conns
                .iter()
                .position(|c| c.status == ConnectionStatus::Linked);
            let mut conns = conns;
            match linked {
                Some(i) => conns.swap_remove(i),
                None => conns.pop().ok_or_else(|| {
                    ApiError::not_found(format!("No connections found for company {company}"))
                })?,
            }
        }
    };
    let dataset = new_dataset(&conn, data_type);
    match state.store.queue_dataset(&dataset).await {
        Ok(()) => Ok(Json(pull_operation(dataset)).into_response()),
        Err(QueueError::AlreadyInProgress(running)) => {
            Err(in_progress(data_type, company, running))
        }
        Err(QueueError::Store(e)) => Err(e.into()),
    }
}

/// `POST /companies/{companyId}/data/all`: queues every `fetchOnFirstLink` type that the
/// company's linked connections support; types already in progress are left running.
#[utoipa::path(post, path = "/companies/{companyId}/data/all", tag = "Refresh data",
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn refresh_company_data(
    State(state): State<AppState>,
    Path(company): Path<String>,
) -> ApiResult<StatusCode> {
    let company = company_id(&company)?;
    let conns = connections(&state, company).await?;
    for conn in conns
        .iter()
        .filter(|c| c.status == ConnectionStatus::Linked)
    {
        queue_fetch_on_first_link(&state, conn).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Queues, in `syncOrder`, every data type whose sync setting says `fetchOnFirstLink` and
/// that the connection's platform serves (types already in progress are left running), and
/// schedules the next sync of every type with a `syncSchedule`.
pub(crate) async fn queue_fetch_on_first_link(
    state: &AppState,
    conn: &ConnectionRow,
) -> ApiResult<()> {
    let Some(platform) = catalog::platform(&conn.integration_key) else {
        return Ok(());
    };
    let mut settings = state.store.effective_sync_settings(conn.company_id).await?;
    settings.sort_by_key(|s| s.sync_order);
    let now = Timestamp::now();
    let served: Vec<_> = settings
        .iter()
        .filter(|s| platform.data_types.contains(&s.data_type))
        .collect();
    // All at once: the worker must not finish (and report) part of the read before the rest
    // is queued.
    let first: Vec<DatasetRow> = served
        .iter()
        .filter(|s| s.fetch_on_first_link)
        .map(|s| DatasetRow::queued(conn.company_id, conn.id, s.data_type))
        .collect();
    state.store.queue_datasets(&first).await?;
    for s in served {
        if s.sync_schedule > 0 {
            let next = next_run_after(now, s.sync_schedule);
            state
                .store
                .schedule_sync(conn.company_id, conn.id, s.data_type, next)
                .await?;
        }
    }
    Ok(())
}

/// `GET /companies/{companyId}/dataStatus`: one entry per data type ever queued.
#[utoipa::path(get, path = "/companies/{companyId}/dataStatus", tag = "Refresh data",
    params(("companyId" = uuid::Uuid, Path)),
    responses((status = 200, body = BTreeMap<String, DataStatus>), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_company_data_status(
    State(state): State<AppState>,
    Path(company): Path<String>,
) -> ApiResult<Json<BTreeMap<String, DataStatus>>> {
    let company = company_id(&company)?;
    if state.store.get_company(company).await?.is_none() {
        return Err(ApiError::company_not_found(company));
    }
    let statuses = state.store.data_status(company).await?;
    Ok(Json(
        statuses
            .into_iter()
            .map(|s| {
                let status = DataStatus {
                    data_type: s.data_type,
                    current_status: s.latest_status,
                    last_successful_sync: s.last_success.map(|(_, at)| at),
                    latest_sync_id: s.latest_id,
                    latest_successful_sync_id: s.last_success.map(|(id, _)| id),
                };
                (s.data_type.key().to_string(), status)
            })
            .collect(),
    ))
}

/// `GET /companies/{companyId}/data/history`
#[utoipa::path(get, path = "/companies/{companyId}/data/history", tag = "Refresh data",
    params(("companyId" = uuid::Uuid, Path), ("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query),
           ("query" = Option<String>, Query), ("orderBy" = Option<String>, Query)),
    responses((status = 200, body = Page<PullOperation>), (status = 400, body = ledgerbridge_domain::error::ErrorMessage),
               (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn list_pull_operations(
    State(state): State<AppState>,
    Path(company): Path<String>,
    uri: Uri,
    params: ListParams,
) -> ApiResult<Json<Page<PullOperation>>> {
    let company = company_id(&company)?;
    let req = ListRequest {
        filter: params
            .query
            .as_deref()
            .map(|q| ledgerbridge_query::parse_filter(q, &PULL_OPERATION_SCHEMA))
            .transpose()?,
        order: params
            .order_by
            .as_deref()
            .map(|o| ledgerbridge_query::parse_order_by(o, &PULL_OPERATION_SCHEMA))
            .transpose()?,
        tags: None,
        page: params.page,
    };
    if state.store.get_company(company).await?.is_none() {
        return Err(ApiError::company_not_found(company));
    }
    let (rows, total) = state.store.list_datasets(company, &req).await?;
    Ok(super::page(
        uri.path(),
        &params,
        rows.into_iter().map(pull_operation).collect(),
        total,
    ))
}

/// `GET /companies/{companyId}/data/history/{datasetId}`
#[utoipa::path(get, path = "/companies/{companyId}/data/history/{datasetId}", tag = "Refresh data",
    params(("companyId" = uuid::Uuid, Path), ("datasetId" = uuid::Uuid, Path)),
    responses((status = 200, body = PullOperation), (status = 404, body = ledgerbridge_domain::error::ErrorMessage)))]
pub async fn get_pull_operation(
    State(state): State<AppState>,
    Path((company, dataset)): Path<(String, String)>,
) -> ApiResult<Json<PullOperation>> {
    let company = company_id(&company)?;
    let dataset: uuid::Uuid = parse_id(&dataset, "datasetId")?;
    match state.store.get_dataset(company, dataset).await? {
        Some(d) => Ok(Json(pull_operation(d))),
        None if state.store.get_company(company).await?.is_none() => {
            Err(ApiError::company_not_found(company))
        }
        None => Err(ApiError::not_found(format!(
            "No dataset was found with ID {dataset}"
        ))),
    }
}
