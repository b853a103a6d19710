//! The HTTP side of the simulator: identity endpoints and the Accounting API.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::books::{Entry, Organisation, ms_stamp};
use super::limits::Remaining;
use super::wire::Answer;
use super::{State, now_ms};
use crate::identity::TokenError;

type Shared = Arc<State>;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            "/identity/connect/authorize",
            get(show_consent).post(decide_consent),
        )
        .route("/connect/token", post(issue_token))
        .route("/connect/revocation", post(revoke_token))
        .route("/connections", get(list_connections))
        .route(
            "/connections/{id}",
            axum::routing::delete(delete_connection),
        )
        .route("/api.xro/2.0/{*path}", get(read_accounting))
        .with_state(state)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn show_consent(
    AxumState(state): AxumState<Shared>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let begun = state
        .identity
        .lock()
        .map_err(|_| "simulator state poisoned".to_string())
        .and_then(|mut i| i.begin(&state.options.policy(), &params));
    let request = match begun {
        Ok(r) => r,
        Err(message) => {
            return (
                StatusCode::BAD_REQUEST,
                Html(format!(
                    "<!doctype html><title>Xero (simulated)</title><h1>Sorry, something went wrong</h1><p>{}</p>",
                    escape_html(&message)
                )),
            )
                .into_response();
        }
    };
    let scopes = params.get("scope").cloned().unwrap_or_default();
    let orgs = state.orgs.lock().map(|o| o.clone()).unwrap_or_default();
    let tenants: String = orgs
        .iter()
        .enumerate()
        .map(|(i, o)| {
            format!(
                "<label><input type=\"checkbox\" name=\"tenant\" value=\"{i}\" checked> {}</label><br>",
                escape_html(&o.name)
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html><head><title>Xero (simulated): allow access</title></head><body>\
         <h1>ledgerbridge simulator wants access to your Xero organisations</h1>\
         <p>Scopes: <code>{}</code></p>\
         <form method=\"post\" action=\"/identity/connect/authorize\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">{tenants}\
         <button name=\"decision\" value=\"approve\">Allow access</button> \
         <button name=\"decision\" value=\"deny\">Cancel</button></form></body></html>",
        escape_html(&scopes)
    ))
    .into_response()
}

async fn decide_consent(AxumState(state): AxumState<Shared>, body: String) -> Response {
    let mut request = String::new();
    let mut approve = false;
    let mut tenants = Vec::new();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        match k.as_ref() {
            "request" => request = v.into_owned(),
            "decision" => approve = v == "approve",
            "tenant" => {
                if let Ok(i) = v.parse::<usize>() {
                    tenants.push(i);
                }
            }
            _ => {}
        }
    }
    let decided = state
        .identity
        .lock()
        .map_err(|_| "simulator state poisoned".to_string())
        .and_then(|mut i| i.decide(&request, approve, &tenants));
    match decided {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(message) => (StatusCode::BAD_REQUEST, message).into_response(),
    }
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, axum::Json(json!({ "error": error }))).into_response()
}

async fn issue_token(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let mut client_id = form.get("client_id").cloned();
    let mut client_secret = form.get("client_secret").cloned();
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        && let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(basic.trim())
        && let Ok(text) = String::from_utf8(decoded)
        && let Some((id, secret)) = text.split_once(':')
    {
        client_id = Some(id.to_string());
        client_secret = Some(secret.to_string());
    }
    if client_id.as_deref() != Some(state.options.client_id.as_str()) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let authenticated = match &client_secret {
        Some(s) if *s == state.options.client_secret => true,
        Some(_) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_client"),
        None => false,
    };
    let Ok(mut identity) = state.identity.lock() else {
        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error");
    };
    let result = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => identity.exchange_code(
            &state.options.policy(),
            form.get("code").map(String::as_str).unwrap_or(""),
            form.get("redirect_uri").map(String::as_str).unwrap_or(""),
            form.get("code_verifier").map(String::as_str),
            authenticated,
        ),
        Some("refresh_token") => identity.refresh(
            &state.options.policy(),
            form.get("refresh_token").map(String::as_str).unwrap_or(""),
        ),
        _ => Err(TokenError::UnsupportedGrantType),
    };
    drop(identity);
    match result {
        Ok(issued) => {
            state.counters.token_grants.fetch_add(1, Ordering::SeqCst);
            if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
                state.counters.refreshes.fetch_add(1, Ordering::SeqCst);
            }
            axum::Json(json!({
                "id_token": "sim.id.token",
                "access_token": issued.access_token,
                "expires_in": issued.expires_in,
                "token_type": "Bearer",
                "refresh_token": issued.refresh_token,
                "scope": issued.scope,
            }))
            .into_response()
        }
        Err(TokenError::InvalidGrant) => {
            state.counters.invalid_grants.fetch_add(1, Ordering::SeqCst);
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant")
        }
        Err(TokenError::InvalidClient) => oauth_error(StatusCode::BAD_REQUEST, "invalid_client"),
        Err(TokenError::InvalidRequest(why)) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_request", "error_description": why})),
        )
            .into_response(),
        Err(TokenError::UnsupportedGrantType) => {
            oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type")
        }
    }
}

async fn revoke_token(AxumState(state): AxumState<Shared>, body: String) -> Response {
    let form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    if let (Some(token), Ok(mut identity)) = (form.get("token"), state.identity.lock()) {
        identity.revoke_token(token);
    }
    StatusCode::OK.into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "Type": null,
            "Title": title,
            "Status": status.as_u16(),
            "Detail": detail,
            "Instance": uuid::Uuid::new_v4().to_string(),
            "Extensions": {},
        })),
    )
        .into_response()
}

fn unauthorized(expired: bool) -> Response {
    let detail = if expired {
        format!(
            "TokenExpired: token expired at {}",
            Utc::now().format("%m/%d/%Y %H:%M:%S")
        )
    } else {
        "AuthenticationUnsuccessful".to_string()
    };
    problem(StatusCode::UNAUTHORIZED, "Unauthorized", &detail)
}

fn connection_id(grant: u64, tenant: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", grant, tenant)
}

async fn list_connections(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let Some(token) = bearer(&headers) else {
        return unauthorized(false);
    };
    let orgs = state.orgs.lock().map(|o| o.clone()).unwrap_or_default();
    let listed = {
        let Ok(identity) = state.identity.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match identity.grant_of(token) {
            Ok((grant_id, grant)) => {
                if params
                    .get("authEventId")
                    .is_some_and(|e| *e != grant.auth_event_id)
                {
                    Vec::new()
                } else {
                    let created = format!("{}0", grant.created.format("%Y-%m-%dT%H:%M:%S%.6f"));
                    grant
                        .tenants
                        .iter()
                        .filter_map(|t| {
                            let org = orgs.get(*t)?;
                            Some(json!({
                                "id": connection_id(grant_id, *t),
                                "authEventId": grant.auth_event_id,
                                "tenantId": org.tenant_id,
                                "tenantType": "ORGANISATION",
                                "tenantName": org.name,
                                "createdDateUtc": created,
                                "updatedDateUtc": created,
                            }))
                        })
                        .collect()
                }
            }
            Err(expired) => return unauthorized(expired),
        }
    };
    let remaining = state.limits.admit(None, false);
    let mut response = axum::Json(Value::Array(listed)).into_response();
    if let Ok(r) = remaining {
        response
            .headers_mut()
            .insert("X-AppMinLimit-Remaining", HeaderValue::from(r.app_minute));
    }
    response
}

async fn delete_connection(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(token) = bearer(&headers) else {
        return unauthorized(false);
    };
    let Ok(mut identity) = state.identity.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let (grant, tenants) = match identity.grant_of(token) {
        Ok((g, grant)) => (g, grant.tenants.clone()),
        Err(expired) => return unauthorized(expired),
    };
    match tenants.iter().find(|t| connection_id(grant, **t) == id) {
        Some(t) => {
            identity.disconnect_tenant_index(grant, *t);
            StatusCode::NO_CONTENT.into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Releases a tenant's in-flight slot when the call ends, however it ends.
struct InFlight {
    state: Shared,
    tenant: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state.limits.release(&self.tenant);
    }
}

/// Endpoints, their collection keys, ID fields and what they support.
struct Endpoint {
    name: &'static str,
    key: &'static str,
    id_field: &'static str,
    paged: bool,
    modified_since: bool,
    scopes: &'static [&'static str],
}

const SETTINGS: &[&str] = &["accounting.settings", "accounting.settings.read"];
const INVOICES: &[&str] = &[
    "accounting.invoices",
    "accounting.invoices.read",
    "accounting.transactions",
    "accounting.transactions.read",
];
const PAYMENTS: &[&str] = &[
    "accounting.payments",
    "accounting.payments.read",
    "accounting.transactions",
    "accounting.transactions.read",
];
const BANK: &[&str] = &[
    "accounting.banktransactions",
    "accounting.banktransactions.read",
    "accounting.transactions",
    "accounting.transactions.read",
];
const MANUAL_JOURNALS: &[&str] = &[
    "accounting.manualjournals",
    "accounting.manualjournals.read",
    "accounting.transactions",
    "accounting.transactions.read",
];
const CONTACTS: &[&str] = &["accounting.contacts", "accounting.contacts.read"];
const JOURNALS: &[&str] = &["accounting.journals.read"];
const BALANCE_SHEET: &[&str] = &[
    "accounting.reports.balancesheet.read",
    "accounting.reports.read",
];
const PROFIT_AND_LOSS: &[&str] = &[
    "accounting.reports.profitandloss.read",
    "accounting.reports.read",
];

const fn ep(
    name: &'static str,
    key: &'static str,
    id_field: &'static str,
    paged: bool,
    modified_since: bool,
    scopes: &'static [&'static str],
) -> Endpoint {
    Endpoint {
        name,
        key,
        id_field,
        paged,
        modified_since,
        scopes,
    }
}

const ENDPOINTS: &[Endpoint] = &[
    ep("Invoices", "Invoices", "InvoiceID", true, true, INVOICES),
    ep(
        "CreditNotes",
        "CreditNotes",
        "CreditNoteID",
        true,
        true,
        INVOICES,
    ),
    ep(
        "PurchaseOrders",
        "PurchaseOrders",
        "PurchaseOrderID",
        true,
        true,
        INVOICES,
    ),
    ep("Items", "Items", "ItemID", false, true, INVOICES),
    ep("Contacts", "Contacts", "ContactID", true, true, CONTACTS),
    ep("Accounts", "Accounts", "AccountID", false, true, SETTINGS),
    ep("TaxRates", "TaxRates", "TaxType", false, false, SETTINGS),
    ep(
        "TrackingCategories",
        "TrackingCategories",
        "TrackingCategoryID",
        false,
        false,
        SETTINGS,
    ),
    ep(
        "Organisation",
        "Organisations",
        "OrganisationID",
        false,
        false,
        SETTINGS,
    ),
    ep("Payments", "Payments", "PaymentID", true, true, PAYMENTS),
    ep(
        "BankTransactions",
        "BankTransactions",
        "BankTransactionID",
        true,
        true,
        BANK,
    ),
    ep(
        "BankTransfers",
        "BankTransfers",
        "BankTransferID",
        false,
        true,
        BANK,
    ),
    ep(
        "ManualJournals",
        "ManualJournals",
        "ManualJournalID",
        true,
        true,
        MANUAL_JOURNALS,
    ),
    ep("Journals", "Journals", "JournalID", false, true, JOURNALS),
    ep(
        "Reports/BalanceSheet",
        "Reports",
        "",
        false,
        false,
        BALANCE_SHEET,
    ),
    ep(
        "Reports/ProfitAndLoss",
        "Reports",
        "",
        false,
        false,
        PROFIT_AND_LOSS,
    ),
];

/// Parses `If-Modified-Since` in the forms Xero accepts: `2020-02-06T12:17:43`,
/// with fractions, `Z` or an offset, or an HTTP date.
fn parse_modified_since(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc().timestamp_millis());
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.timestamp_millis());
    }
    None
}

/// What `value` must hold at `path` for a clause of a `where` to be true.
enum Expected<'a> {
    Bool(bool),
    Text(&'a str),
}

/// One `Field=="text"`, `Field==true|false` or `Field!="text"` of a `where`.
struct Clause<'a> {
    path: Vec<&'a str>,
    negate: bool,
    expected: Expected<'a>,
}

/// A minimal `where`, parsed once per call: clauses `Field=="text"`, `Field==true|false`,
/// `Field!="text"` joined by `AND`/`&&`, alternatives joined by `OR`/`||`. A clause without
/// `==` or `!=` holds for every record.
struct Where<'a> {
    alternatives: Vec<Vec<Clause<'a>>>,
}

impl<'a> Where<'a> {
    fn parse(filter: &'a str) -> Self {
        let alternatives = filter
            .split("||")
            .flat_map(|c| c.split(" OR "))
            .map(|alternative| {
                alternative
                    .split("&&")
                    .flat_map(|c| c.split(" AND "))
                    .filter_map(|clause| {
                        let clause = clause.trim().trim_start_matches('(').trim_end_matches(')');
                        let (field, negate, expected) = match clause.split_once("!=") {
                            Some((f, e)) => (f, true, e),
                            None => {
                                let (f, e) = clause.split_once("==")?;
                                (f, false, e)
                            }
                        };
                        let expected = match expected.trim() {
                            "true" => Expected::Bool(true),
                            "false" => Expected::Bool(false),
                            e => Expected::Text(e.trim_matches('"')),
                        };
                        Some(Clause {
                            path: field.trim().split('.').collect(),
                            negate,
                            expected,
                        })
                    })
                    .collect()
            })
            .collect();
        Self { alternatives }
    }

    fn matches(&self, value: &Value) -> bool {
        self.alternatives.iter().any(|clauses| {
            clauses.iter().all(|c| {
                let actual = c.path.iter().fold(value, |v, part| &v[*part]);
                let equal = match c.expected {
                    Expected::Bool(b) => actual.as_bool() == Some(b),
                    Expected::Text(t) => actual.as_str() == Some(t),
                };
                equal != c.negate
            })
        })
    }
}

/// An answer's JSON text as the HTTP response.
fn xero_response(mut answer: Answer) -> Response {
    json_response(answer.finish())
}

fn with_limits(mut response: Response, remaining: Remaining) -> Response {
    let h = response.headers_mut();
    h.insert("X-DayLimit-Remaining", HeaderValue::from(remaining.day));
    h.insert("X-MinLimit-Remaining", HeaderValue::from(remaining.minute));
    h.insert(
        "X-AppMinLimit-Remaining",
        HeaderValue::from(remaining.app_minute),
    );
    response
}

fn json_response(body: impl Into<Body>) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body.into())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html")],
        "The resource you're looking for cannot be found",
    )
        .into_response()
}

fn validation_error(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{"ValidationErrors": [{"Message": message}]}],
        })),
    )
        .into_response()
}

async fn read_accounting(
    AxumState(state): AxumState<Shared>,
    Path(path): Path<String>,
    headers: HeaderMap,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    state.counters.api_calls.fetch_add(1, Ordering::SeqCst);
    let lower = path.to_ascii_lowercase();
    let (endpoint, record_id) = match ENDPOINTS.iter().find(|e| {
        let n = e.name.to_ascii_lowercase();
        lower == n || lower.starts_with(&format!("{n}/"))
    }) {
        Some(e) => {
            let rest = &path[e.name.len()..];
            (e, rest.strip_prefix('/').filter(|r| !r.is_empty()))
        }
        None => return not_found(),
    };
    if let Ok(mut per_path) = state.counters.per_path.lock() {
        *per_path.entry(endpoint.name.to_string()).or_default() += 1;
    }
    // Who is calling, for which organisation.
    let Some(token) = bearer(&headers) else {
        return unauthorized(false);
    };
    let orgs = state.orgs.lock().map(|o| o.clone()).unwrap_or_default();
    let tenant_header = headers
        .get("xero-tenant-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (org, scopes) = {
        let Ok(identity) = state.identity.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let grant = match identity.grant_of(token) {
            Ok((_, g)) => g,
            Err(expired) => return unauthorized(expired),
        };
        let org = grant
            .tenants
            .iter()
            .filter_map(|t| orgs.get(*t))
            .find(|o| o.tenant_id == tenant_header)
            .cloned();
        match org {
            Some(o) => (o, grant.scopes.clone()),
            None => {
                return problem(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    "AuthenticationUnsuccessful",
                );
            }
        }
    };
    let enforce = !state.faults.limits_off.load(Ordering::SeqCst);
    let remaining = match state.limits.admit(Some(&org.tenant_id), enforce) {
        Ok(r) => r,
        Err(refusal) => {
            state.counters.rate_limited.fetch_add(1, Ordering::SeqCst);
            let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
            let h = response.headers_mut();
            h.insert(
                "Retry-After",
                HeaderValue::from(refusal.retry_after.as_secs_f64().ceil().max(1.0) as u64),
            );
            h.insert(
                "X-Rate-Limit-Problem",
                HeaderValue::from_static(refusal.problem.header()),
            );
            return with_limits(response, refusal.remaining);
        }
    };
    let _slot = InFlight {
        state: state.clone(),
        tenant: org.tenant_id.clone(),
    };
    let in_flight = u64::from(state.limits.in_flight(&org.tenant_id));
    state
        .counters
        .max_concurrent
        .fetch_max(in_flight, Ordering::SeqCst);
    let response = answer(
        &state, &org, endpoint, record_id, &headers, &params, &scopes,
    )
    .await;
    with_limits(response, remaining)
}

async fn answer(
    state: &Shared,
    org: &Organisation,
    endpoint: &Endpoint,
    record_id: Option<&str>,
    headers: &HeaderMap,
    params: &BTreeMap<String, String>,
    scopes: &[String],
) -> Response {
    let take = |n: &std::sync::atomic::AtomicU32| {
        n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
            .is_ok()
    };
    if take(&state.faults.timeouts) {
        let hang = state.faults.hang_for.lock().map(|d| *d).unwrap_or_default();
        tokio::time::sleep(hang).await;
    }
    if take(&state.faults.server_errors) {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    if !endpoint
        .scopes
        .iter()
        .any(|s| scopes.iter().any(|g| g == s))
    {
        return problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "AuthorizationUnsuccessful",
        );
    }
    if state
        .faults
        .not_found
        .lock()
        .map(|n| n.iter().any(|e| e.eq_ignore_ascii_case(endpoint.name)))
        .unwrap_or(false)
    {
        return not_found();
    }
    if take(&state.faults.malformed) {
        return json_response("{\"Id\": \"broken\", \"Status\": \"OK\", \"Invoices\": [");
    }
    let mut body = Answer::new(&state.options.provider_name, now_ms());
    if endpoint.name.starts_with("Reports/") {
        return match report(org, endpoint.name, params) {
            Ok(report) => {
                body.member("Reports", &[report]);
                xero_response(body)
            }
            Err(message) => validation_error(&message),
        };
    }
    if endpoint.name == "Organisation" {
        body.member("Organisations", &[&org.organisation]);
        return xero_response(body);
    }
    let empty = Vec::new();
    let all: &Vec<Entry> = org.collections.get(endpoint.key).unwrap_or(&empty);
    let since = if endpoint.modified_since {
        match headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
        {
            Some(text) => match parse_modified_since(text) {
                Some(ms) => Some(ms),
                None => {
                    return validation_error("If-Modified-Since is not a valid date");
                }
            },
            None => None,
        }
    } else {
        None
    };
    let ids: Option<Vec<String>> = params.get("IDs").map(|s| {
        s.split(',')
            .map(|x| x.trim().to_ascii_lowercase())
            .collect()
    });
    let include_archived = params
        .get("includeArchived")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    // A `where` filter's selection is worked out once per organisation and filter.
    let candidates: Vec<&Entry> = match params.get("where") {
        Some(filter) => org
            .selections
            .of(endpoint.key, filter, || {
                let filter = Where::parse(filter);
                (0u32..)
                    .zip(all)
                    .filter(|(_, e)| filter.matches(e.value()))
                    .map(|(i, _)| i)
                    .collect()
            })
            .iter()
            .filter_map(|&i| all.get(i as usize))
            .collect(),
        None => all.iter().collect(),
    };
    let selected = candidates.into_iter().filter(|e| {
        let value = e.value();
        since.is_none_or(|s| e.updated_ms >= s)
            && record_id.is_none_or(|id| {
                value[endpoint.id_field]
                    .as_str()
                    .is_some_and(|v| v.eq_ignore_ascii_case(id))
            })
            && ids.as_ref().is_none_or(|ids| {
                value[endpoint.id_field]
                    .as_str()
                    .is_some_and(|v| ids.contains(&v.to_ascii_lowercase()))
            })
            && (endpoint.name != "Contacts"
                || include_archived
                || record_id.is_some()
                || value["ContactStatus"] != "ARCHIVED")
    });
    if record_id.is_some() {
        let found: Vec<&Entry> = selected.collect();
        if found.is_empty() {
            return not_found();
        }
        body.list(endpoint.key, found.iter().map(|e| e.text()));
        return xero_response(body);
    }
    if endpoint.name == "Journals" {
        let offset: u64 = params
            .get("offset")
            .and_then(|o| o.parse().ok())
            .unwrap_or(0);
        let page = selected
            .filter(|e| e.value()["JournalNumber"].as_u64().unwrap_or(0) > offset)
            .take(100)
            .map(Entry::text);
        body.list(endpoint.key, page);
        return xero_response(body);
    }
    let page_param = params.get("page").and_then(|p| p.parse::<usize>().ok());
    match page_param {
        Some(page) if endpoint.paged => {
            let page = page.max(1);
            let size = params
                .get("pageSize")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(100)
                .clamp(1, 1000);
            let matched: Vec<&Entry> = selected.collect();
            let count = matched.len();
            body.member(
                "pagination",
                &json!({"page": page, "pageSize": size, "pageCount": count.div_ceil(size), "itemCount": count}),
            );
            body.list(
                endpoint.key,
                matched
                    .into_iter()
                    .skip((page - 1) * size)
                    .take(size)
                    .map(Entry::text),
            );
        }
        // Without `page`, invoices come without their line items (as Xero does).
        _ if endpoint.name == "Invoices" => {
            let items: Vec<Value> = selected
                .map(|e| {
                    let mut v = e.value().clone();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("LineItems".into(), json!([]));
                    }
                    v
                })
                .collect();
            body.member(endpoint.key, &items);
        }
        _ => {
            body.list(endpoint.key, selected.map(Entry::text));
        }
    }
    xero_response(body)
}

fn report(
    org: &Organisation,
    name: &str,
    params: &BTreeMap<String, String>,
) -> Result<Value, String> {
    let date = |k: &str| -> Result<Option<NaiveDate>, String> {
        params
            .get(k)
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| format!("{k} must be a date as YYYY-MM-DD"))
            })
            .transpose()
    };
    let (id, title, month, as_at) = if name.ends_with("BalanceSheet") {
        let at = date("date")?;
        let month = match at {
            Some(at) => org.balance_sheets.iter().rfind(|m| m.to <= at),
            None => org.balance_sheets.last(),
        };
        let as_at = month.map(|m| m.to);
        ("BalanceSheet", "Balance Sheet", month, as_at)
    } else {
        let from = date("fromDate")?;
        let month = match from {
            Some(from) => org.profit_and_loss.iter().find(|m| m.from == from),
            None => org.profit_and_loss.last(),
        };
        (
            "ProfitAndLoss",
            "Profit and Loss",
            month,
            month.map(|m| m.to),
        )
    };
    let rows = month.map(|m| m.rows.clone()).unwrap_or_else(|| json!([]));
    let as_at = as_at
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_default();
    Ok(json!({
        "ReportID": id,
        "ReportName": title,
        "ReportType": id,
        "ReportTitles": [title, org.name, format!("As at {as_at}")],
        "ReportDate": as_at,
        "UpdatedDateUTC": ms_stamp(Utc::now().naive_utc()),
        "Fields": [],
        "Rows": rows,
    }))
}
