//! Codat's accounting read API: every record data type's list and get-by-id, at company level
//! (`/companies/{companyId}/data/{path}`) or connection level
//! (`/companies/{companyId}/connections/{connectionId}/data/{path}`), served from the cache
//! the sync engine fills.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ledgerbridge_connectors::catalog;
use ledgerbridge_domain::accounting::{Level, Shape, endpoints, schema_for};
use ledgerbridge_domain::paging::links;
use ledgerbridge_domain::platform::ConnectionStatus;
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use ledgerbridge_query::{
    Comparison, Filter, Operator, Path as QueryPath, ScalarType, Segment, Value as QueryValue,
};
use ledgerbridge_store::ListRequest;
use ledgerbridge_store::records::RecordScope;

use super::companies::company_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ListParams, parse_id};
use crate::state::AppState;

/// The routes of every record data type with a list endpoint, bank transactions per bank
/// account included. The single documents (`/data/info`, financial statements) are served by
/// `accounting_documents`.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for (data_type, endpoint) in endpoints() {
        let Shape::List { get_by_id } = endpoint.shape else {
            continue;
        };
        if endpoint.path.contains("{accountId}") {
            // Bank transactions are listed per bank account of a connection.
            let path = format!(
                "/companies/{{companyId}}/connections/{{connectionId}}/data/{}",
                endpoint.path
            );
            router = router.route(
                &path,
                get(
                    move |s: State<AppState>,
                          Path((c, k, account)): Path<(String, String, String)>,
                          uri: Uri,
                          p: ListParams| async move {
                        list_scoped(s, data_type, c, Some(k), Some(account), uri, p).await
                    },
                ),
            );
            continue;
        }
        let base = match endpoint.level {
            Level::Company => format!("/companies/{{companyId}}/data/{}", endpoint.path),
            Level::Connection => format!(
                "/companies/{{companyId}}/connections/{{connectionId}}/data/{}",
                endpoint.path
            ),
        };
        router =
            match endpoint.level {
                Level::Company => router.route(
                    &base,
                    get(
                        move |s: State<AppState>,
                              Path(c): Path<String>,
                              uri: Uri,
                              p: ListParams| async move {
                            list(s, data_type, c, None, uri, p).await
                        },
                    ),
                ),
                Level::Connection => router.route(
                    &base,
                    get(
                        move |s: State<AppState>,
                              Path((c, k)): Path<(String, String)>,
                              uri: Uri,
                              p: ListParams| async move {
                            list(s, data_type, c, Some(k), uri, p).await
                        },
                    ),
                ),
            };
        if get_by_id {
            let one = format!("{base}/{{recordId}}");
            router = match endpoint.level {
                Level::Company => router.route(
                    &one,
                    get(move |s: State<AppState>, Path((c, id)): Path<(String, String)>| async move {
                        get_one(s, data_type, endpoint.path, c, None, id).await
                    }),
                ),
                Level::Connection => router.route(
                    &one,
                    get(move |s: State<AppState>, Path((c, k, id)): Path<(String, String, String)>| async move {
                        get_one(s, data_type, endpoint.path, c, Some(k), id).await
                    }),
                ),
            };
        }
    }
    router
}

/// Resolves the scope of a read and checks that the data can be served: the company (and
/// connection) exist, its platform serves the type (404 otherwise, in Codat's words), and a
/// sync of the type has been requested and has either succeeded once or finished (409 while
/// the first one is still running or when none was ever requested).
pub(crate) async fn readable_scope(
    state: &AppState,
    data_type: DataType,
    company: &str,
    connection: Option<&str>,
) -> ApiResult<RecordScope> {
    let company: CompanyId = company_id(company)?;
    let with = state
        .store
        .get_company_with_connections(company)
        .await?
        .ok_or_else(|| ApiError::company_not_found(company))?;
    let mut connections = with.connections;
    let scope = match connection {
        Some(raw) => {
            let id: ConnectionId = parse_id(raw, "connectionId")?;
            connections.retain(|c| c.id == id);
            if connections.is_empty() {
                return Err(ApiError::connection_not_found(id));
            }
            RecordScope::Connection(id)
        }
        None => RecordScope::Company(company),
    };
    let supported = connections
        .iter()
        .filter(|c| c.status != ConnectionStatus::PendingAuth || connections.len() == 1)
        .any(|c| {
            catalog::platform(&c.integration_key).is_some_and(|p| p.data_types.contains(&data_type))
        });
    if !connections.is_empty() && !supported {
        let names: Vec<&str> = connections
            .iter()
            .map(|c| c.platform_name.as_str())
            .collect();
        return Err(ApiError::not_found(format!(
            "Datatype {data_type} not supported by platform(s) {}",
            names.join(", ")
        )));
    }
    let status = state.store.data_status(company).await?;
    let ready = status
        .iter()
        .find(|s| s.data_type == data_type)
        .is_some_and(|s| s.last_success.is_some() || !s.latest_status.is_in_progress());
    if !ready {
        return Err(ApiError::conflict("The data set has not been requested."));
    }
    Ok(scope)
}

/// JSON bytes already serialised (stored documents spliced as they are).
pub(crate) fn json_response(bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

async fn list(
    state: State<AppState>,
    data_type: DataType,
    company: String,
    connection: Option<String>,
    uri: Uri,
    params: ListParams,
) -> ApiResult<Response> {
    list_scoped(state, data_type, company, connection, None, uri, params).await
}

/// A list, narrowed to one bank account's records when `account` is given (its `accountId`).
async fn list_scoped(
    State(state): State<AppState>,
    data_type: DataType,
    company: String,
    connection: Option<String>,
    account: Option<String>,
    uri: Uri,
    params: ListParams,
) -> ApiResult<Response> {
    let schema = schema_for(data_type)
        .ok_or_else(|| ApiError::internal(format!("no schema for {data_type}")))?;
    let req = ListRequest {
        filter: params
            .query
            .as_deref()
            .map(|q| ledgerbridge_query::parse_filter(q, schema))
            .transpose()?,
        order: params
            .order_by
            .as_deref()
            .map(|o| ledgerbridge_query::parse_order_by(o, schema))
            .transpose()?,
        tags: None,
        page: params.page,
    };
    let req = match account {
        // Built as a tree, never as query text, so the path segment cannot change the filter.
        Some(account) => {
            let of_account = Filter::Compare(Comparison {
                path: QueryPath {
                    segments: vec![Segment::Field("accountId")],
                    ty: ScalarType::String,
                },
                op: Operator::Eq,
                value: QueryValue::String(account),
            });
            let filter = match req.filter {
                Some(f) => Filter::And(vec![of_account, f]),
                None => of_account,
            };
            ListRequest {
                filter: Some(filter),
                ..req
            }
        }
        None => req,
    };
    let scope = readable_scope(&state, data_type, &company, connection.as_deref()).await?;
    let page = state.store.list_records(scope, data_type, &req).await?;
    let links = links(uri.path(), params.page, page.total, &params.link_extras());
    Ok(json_response(page.to_envelope(params.page, &links)?))
}

async fn get_one(
    State(state): State<AppState>,
    data_type: DataType,
    path: &'static str,
    company: String,
    connection: Option<String>,
    id: String,
) -> ApiResult<Response> {
    let scope = readable_scope(&state, data_type, &company, connection.as_deref()).await?;
    match state.store.get_record(scope, data_type, &id).await? {
        Some(doc) if data_type == DataType::TrackingCategories => {
            tracking_category_tree(&state, scope, &doc).await
        }
        Some(doc) => Ok(json_response(doc.into_bytes())),
        None => Err(ApiError::not_found(format!(
            "No data available for {path} for ID {id}"
        ))),
    }
}

/// A tracking category read by id is Codat's `TrackingCategoryTree`: the category with its
/// live descendants nested under `subCategories` (empty for a leaf).
async fn tracking_category_tree(
    state: &AppState,
    scope: RecordScope,
    doc: &str,
) -> ApiResult<Response> {
    let root: serde_json::Value = serde_json::from_str(doc)
        .map_err(|e| ApiError::internal(format!("stored tracking category does not read: {e}")))?;
    let all: Vec<serde_json::Value> =
        super::accounting_documents::all_records(state, scope, DataType::TrackingCategories)
            .await?;
    let mut children: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    for category in all {
        if let Some(parent) = category["parentId"].as_str().filter(|p| !p.is_empty()) {
            children
                .entry(parent.to_string())
                .or_default()
                .push(category);
        }
    }
    /// Nests the children of `node`, never revisiting an id (the platform's parent links
    /// could form a cycle).
    fn nest(
        mut node: serde_json::Value,
        children: &mut HashMap<String, Vec<serde_json::Value>>,
    ) -> serde_json::Value {
        let kids = node["id"]
            .as_str()
            .and_then(|id| children.remove(id))
            .unwrap_or_default();
        let nested: Vec<serde_json::Value> =
            kids.into_iter().map(|kid| nest(kid, children)).collect();
        if let Some(object) = node.as_object_mut() {
            object.insert("subCategories".into(), serde_json::Value::Array(nested));
        }
        node
    }
    let tree = nest(root, &mut children);
    Ok(json_response(
        serde_json::to_vec(&tree).map_err(ApiError::internal)?,
    ))
}
