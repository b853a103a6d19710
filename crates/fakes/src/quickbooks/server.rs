//! The HTTP side of the simulator: Intuit's OAuth endpoints and the Accounting API v3.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use super::books::{Company, Entry, OFFSET_SECONDS, stamp};
use super::limits::Problem;
use super::query::{self, Op};
use super::{FaultSpec, State, realm_id};
use crate::identity::TokenError;

type Shared = Arc<State>;

/// The entities the query endpoint knows (those the books fill and a few it leaves empty).
const ENTITIES: &[&str] = &[
    "Account",
    "Bill",
    "BillPayment",
    "Class",
    "CompanyInfo",
    "CreditMemo",
    "Customer",
    "Department",
    "Deposit",
    "Employee",
    "Estimate",
    "Invoice",
    "Item",
    "JournalEntry",
    "Payment",
    "PaymentMethod",
    "Preferences",
    "Purchase",
    "PurchaseOrder",
    "RefundReceipt",
    "SalesReceipt",
    "TaxCode",
    "TaxRate",
    "Term",
    "Transfer",
    "Vendor",
    "VendorCredit",
];

/// The scope the Accounting API needs.
const ACCOUNTING_SCOPE: &str = "com.intuit.quickbooks.accounting";

/// Name lists whose inactive records a query leaves out unless it asks about `Active`.
const HIDES_INACTIVE: &[&str] = &[
    "Account",
    "Class",
    "Customer",
    "Department",
    "Item",
    "Vendor",
];

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/connect/oauth2", get(show_consent).post(decide_consent))
        .route("/oauth2/v1/tokens/bearer", post(issue_token))
        .route("/v2/oauth2/tokens/revoke", post(revoke_token))
        .route("/v3/company/{realm}/{*rest}", get(api).post(api))
        .with_state(state)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn now_text() -> String {
    let now = Utc::now().naive_utc();
    let local = now + chrono::Duration::seconds(i64::from(OFFSET_SECONDS));
    let s = stamp(now);
    let offset = &s[s.len() - 6..];
    format!("{}{offset}", local.format("%Y-%m-%dT%H:%M:%S%.3f"))
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
                    "<!doctype html><title>Intuit (simulated)</title><h1>Something went wrong</h1><p>{}</p>",
                    escape_html(&message)
                )),
            )
                .into_response();
        }
    };
    let scopes = params.get("scope").cloned().unwrap_or_default();
    let companies = state
        .companies
        .read()
        .map(|c| c.clone())
        .unwrap_or_default();
    let choices: String = companies
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "<label><input type=\"radio\" name=\"realm\" value=\"{i}\"{}> {}</label><br>",
                if i == 0 { " checked" } else { "" },
                escape_html(&c.name)
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html><head><title>QuickBooks (simulated): connect</title></head><body>\
         <h1>ledgerbridge simulator wants to connect to your QuickBooks company</h1>\
         <p>Scopes: <code>{}</code></p>\
         <form method=\"post\" action=\"/connect/oauth2\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">{choices}\
         <button name=\"decision\" value=\"approve\">Connect</button> \
         <button name=\"decision\" value=\"deny\">Cancel</button></form></body></html>",
        escape_html(&scopes)
    ))
    .into_response()
}

async fn decide_consent(AxumState(state): AxumState<Shared>, body: String) -> Response {
    let mut request = String::new();
    let mut approve = false;
    let mut realm = 0usize;
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        match k.as_ref() {
            "request" => request = v.into_owned(),
            "decision" => approve = v == "approve",
            "realm" => realm = v.parse().unwrap_or(usize::MAX),
            _ => {}
        }
    }
    let count = state.companies.read().map(|c| c.len()).unwrap_or(0);
    if approve && realm >= count {
        return (StatusCode::BAD_REQUEST, "choose a company").into_response();
    }
    let decided = state
        .identity
        .lock()
        .map_err(|_| "simulator state poisoned".to_string())
        .and_then(|mut i| i.decide(&request, approve, &[realm]));
    match decided {
        Ok(url) if approve => {
            Redirect::to(&format!("{url}&realmId={}", realm_id(realm))).into_response()
        }
        Ok(url) => Redirect::to(&url).into_response(),
        Err(message) => (StatusCode::BAD_REQUEST, message).into_response(),
    }
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    let mut response = (status, axum::Json(json!({ "error": error }))).into_response();
    response.headers_mut().insert(
        "intuit_tid",
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .unwrap_or(HeaderValue::from_static("sim")),
    );
    response
}

fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

async fn issue_token(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    // Intuit authenticates the client with HTTP Basic only.
    match basic_client(&headers) {
        Some((id, secret))
            if id == state.options.client_id && secret == state.options.client_secret => {}
        _ => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
    }
    let Ok(mut identity) = state.identity.lock() else {
        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error");
    };
    let policy = state.options.policy();
    let grant_type = form.get("grant_type").map(String::as_str);
    let result = match grant_type {
        Some("authorization_code") => identity.exchange_code(
            &policy,
            form.get("code").map(String::as_str).unwrap_or(""),
            form.get("redirect_uri").map(String::as_str).unwrap_or(""),
            form.get("code_verifier").map(String::as_str),
            true,
        ),
        Some("refresh_token") => identity.refresh(
            &policy,
            form.get("refresh_token").map(String::as_str).unwrap_or(""),
        ),
        _ => Err(TokenError::UnsupportedGrantType),
    };
    drop(identity);
    match result {
        Ok(issued) => {
            state.counters.token_grants.fetch_add(1, Ordering::SeqCst);
            if grant_type == Some("refresh_token") {
                state.counters.refreshes.fetch_add(1, Ordering::SeqCst);
            }
            let mut body = json!({
                "token_type": "bearer",
                "expires_in": issued.expires_in,
                "refresh_token": issued.refresh_token,
                "x_refresh_token_expires_in": state.options.refresh_idle.as_secs(),
                "access_token": issued.access_token,
            });
            if grant_type == Some("authorization_code") {
                body["id_token"] = json!("sim.id.token");
            }
            if headers
                .get("x-include-refresh-token-hard-expires-in")
                .is_some_and(|v| v == "true")
            {
                body["x_refresh_token_hard_expires_in"] = json!(5 * 365 * 24 * 3600);
            }
            axum::Json(body).into_response()
        }
        Err(TokenError::InvalidGrant) => {
            state.counters.invalid_grants.fetch_add(1, Ordering::SeqCst);
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant")
        }
        Err(TokenError::InvalidClient) => oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
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

async fn revoke_token(
    AxumState(state): AxumState<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    match basic_client(&headers) {
        Some((id, secret))
            if id == state.options.client_id && secret == state.options.client_secret => {}
        _ => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
    }
    let token = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_string));
    match (token, state.identity.lock()) {
        (Some(token), Ok(mut identity)) => {
            identity.revoke_token(&token);
            StatusCode::OK.into_response()
        }
        _ => oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
    }
}

/// A `Fault` body: `{"Fault":{"Error":[...],"type":..},"time":..}`, or the lower-case form
/// with a numeric `time` Intuit's authentication layer writes.
fn fault_body(spec: &FaultSpec, lower: bool) -> Value {
    if lower {
        json!({
            "warnings": null, "intuitObject": null,
            "fault": {"error": [{"message": spec.message, "detail": spec.detail, "code": spec.code, "element": null}], "type": spec.kind.to_ascii_uppercase().trim_end_matches("FAULT")},
            "report": null, "queryResponse": null, "batchItemResponse": [], "attachableResponse": [],
            "syncErrorResponse": null, "requestId": null, "time": Utc::now().timestamp_millis(),
            "status": null, "cdcresponse": [],
        })
    } else {
        json!({
            "Fault": {"Error": [{"Message": spec.message, "Detail": spec.detail, "code": spec.code, "element": ""}], "type": spec.kind},
            "time": now_text(),
        })
    }
}

fn json_response<T: serde::Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    raw_json_response(status, serde_json::to_vec(body).unwrap_or_default())
}

/// A response of JSON text already written.
fn raw_json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json;charset=UTF-8")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    response.headers_mut().insert(
        "intuit_tid",
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .unwrap_or(HeaderValue::from_static("sim")),
    );
    response
}

fn fault(
    state: &State,
    status: u16,
    kind: &str,
    code: &str,
    message: &str,
    detail: &str,
) -> Response {
    let spec = FaultSpec {
        status,
        kind: kind.into(),
        code: code.into(),
        message: message.into(),
        detail: detail.into(),
    };
    let lower = state.faults.lower_case_faults.load(Ordering::SeqCst);
    json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &fault_body(&spec, lower),
    )
}

fn validation(state: &State, code: &str, message: &str, detail: &str) -> Response {
    fault(state, 400, "ValidationFault", code, message, detail)
}

fn unauthorized() -> Response {
    let spec = FaultSpec {
        status: 401,
        kind: "AUTHENTICATION".into(),
        code: "3200".into(),
        message: "message=AuthenticationFailed; errorCode=003200; statusCode=401".into(),
        detail: "Token expired: the access token is expired or invalid".into(),
    };
    // Intuit's authentication layer answers in its lower-case form, always.
    json_response(StatusCode::UNAUTHORIZED, &fault_body(&spec, true))
}

/// Releases the app's and the realm's in-flight slots when the call ends, however it ends.
struct InFlight(Shared, String);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.limits.release(&self.1);
    }
}

fn count_kind(state: &State, kind: String) {
    if let Ok(mut m) = state.counters.per_kind.lock() {
        *m.entry(kind).or_default() += 1;
    }
}

fn take(n: &AtomicU32) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

async fn api(
    AxumState(state): AxumState<Shared>,
    method: Method,
    Path((realm, rest)): Path<(String, String)>,
    headers: HeaderMap,
    Query(params): Query<BTreeMap<String, String>>,
    body: String,
) -> Response {
    state.counters.api_calls.fetch_add(1, Ordering::SeqCst);
    let minor_ok = params
        .get("minorversion")
        .and_then(|m| m.trim().parse::<u32>().ok())
        .is_some_and(|m| m >= 75);
    if !minor_ok {
        state
            .counters
            .without_minor_version
            .fetch_add(1, Ordering::SeqCst);
        return validation(
            &state,
            "2010",
            "Unsupported minor version",
            "minorversion is required and must be 75 or newer",
        );
    }
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
    else {
        return unauthorized();
    };
    let companies = state
        .companies
        .read()
        .map(|c| c.clone())
        .unwrap_or_default();
    let index = companies.iter().position(|c| c.realm_id == realm);
    let allowed = {
        let Ok(identity) = state.identity.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match identity.grant_of(token) {
            // The grant must cover the company and the accounting scope.
            Ok((_, grant)) => {
                index.is_some_and(|i| grant.tenants.contains(&i))
                    && grant.scopes.iter().any(|s| s == ACCOUNTING_SCOPE)
            }
            Err(_) => return unauthorized(),
        }
    };
    let (Some(index), true) = (index, allowed) else {
        return fault(
            &state,
            403,
            "AuthorizationFault",
            "3100",
            "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
            "The application is not authorized to access this company",
        );
    };
    let company = companies[index].clone();
    let report = rest.starts_with("reports/");
    let enforce = !state.faults.limits_off.load(Ordering::SeqCst);
    match state.limits.admit(&realm, report, enforce) {
        Ok(in_flight) => {
            state
                .counters
                .max_concurrent
                .fetch_max(u64::from(in_flight.app), Ordering::SeqCst);
            state
                .counters
                .max_realm_concurrent
                .fetch_max(u64::from(in_flight.realm), Ordering::SeqCst);
        }
        Err(problem) => {
            state.counters.rate_limited.fetch_add(1, Ordering::SeqCst);
            let detail = match problem {
                Problem::Minute => "The request limit was reached.",
                Problem::Reports => "The report request limit was reached.",
                Problem::Concurrent | Problem::RealmConcurrent => "Too many concurrent requests.",
            };
            let legacy = state.faults.throttle_as_403.load(Ordering::SeqCst);
            return fault(
                &state,
                if legacy { 403 } else { 429 },
                "SERVICE",
                "3001",
                "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                detail,
            );
        }
    }
    let _slot = InFlight(state.clone(), realm.clone());
    let latency = state.faults.latency_ms.load(Ordering::SeqCst);
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    if take(&state.faults.server_errors) {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    let injected = state.faults.fault.lock().ok().and_then(|mut f| {
        let (n, spec) = f.as_mut()?;
        *n = n.checked_sub(1)?;
        let spec = spec.clone();
        if *n == 0 {
            *f = None;
        }
        Some(spec)
    });
    if let Some(spec) = injected {
        let lower = state.faults.lower_case_faults.load(Ordering::SeqCst);
        return json_response(
            StatusCode::from_u16(spec.status).unwrap_or(StatusCode::OK),
            &fault_body(&spec, lower),
        );
    }
    if take(&state.faults.malformed) {
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"QueryResponse\":{\"Invoice\":["))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        ["query"] => {
            let text = if method == Method::POST {
                body
            } else {
                params.get("query").cloned().unwrap_or_default()
            };
            run_query(&state, &company, &text)
        }
        ["cdc"] => cdc(&state, &company, &params),
        ["reports", name] => {
            count_kind(&state, format!("report:{name}"));
            report_answer(&state, &company, name, &params)
        }
        ["companyinfo", id] => {
            count_kind(&state, "companyinfo".into());
            if *id != company.realm_id {
                return validation(
                    &state,
                    "610",
                    "Object Not Found",
                    "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
                );
            }
            let info = company
                .entities
                .get("CompanyInfo")
                .and_then(|l| l.first())
                .map(|e| e.value().clone())
                .unwrap_or(Value::Null);
            json_response(
                StatusCode::OK,
                &json!({"CompanyInfo": info, "time": now_text()}),
            )
        }
        [entity, id] => {
            let Some(name) = ENTITIES.iter().find(|e| e.eq_ignore_ascii_case(entity)) else {
                return validation(
                    &state,
                    "4000",
                    "Unsupported Operation",
                    &format!("Operation {entity} is not supported."),
                );
            };
            count_kind(&state, format!("read:{name}"));
            match company
                .entities
                .get(name)
                .and_then(|l| l.iter().find(|e| e.value()["Id"] == *id))
            {
                Some(e) => json_response(
                    StatusCode::OK,
                    &json!({*name: e.value(), "time": now_text()}),
                ),
                None => validation(
                    &state,
                    "610",
                    "Object Not Found",
                    "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
                ),
            }
        }
        _ => validation(
            &state,
            "4000",
            "Unsupported Operation",
            "Operation is not supported.",
        ),
    }
}

/// A `WHERE Metadata.LastUpdatedTime <op> '<timestamp>'` clause, compared on the entry's
/// stored instant rather than by parsing every record's text.
fn updated_clause(c: &query::Cond) -> Option<(Op, i64)> {
    if !c.field.eq_ignore_ascii_case("metadata.lastupdatedtime") {
        return None;
    }
    let query::Literal::Text(t) = c.values.first()? else {
        return None;
    };
    let at = chrono::DateTime::parse_from_rfc3339(t).ok()?;
    Some((c.op, at.timestamp_millis()))
}

fn keep(e: &Entry, conds: &[(Option<(Op, i64)>, &query::Cond)]) -> bool {
    conds.iter().all(|(fast, c)| match fast {
        Some((op, ms)) => {
            let x = e.updated_ms;
            match op {
                Op::Gt => x > *ms,
                Op::Ge => x >= *ms,
                Op::Lt => x < *ms,
                Op::Le => x <= *ms,
                Op::Eq => x == *ms,
                Op::Ne => x != *ms,
                Op::Like | Op::In => c.matches(e.value()),
            }
        }
        None => c.matches(e.value()),
    })
}

fn run_query(state: &State, company: &Company, text: &str) -> Response {
    let q = match query::parse(text) {
        Ok(q) => q,
        Err(why) => {
            return validation(
                state,
                "4000",
                "Error parsing query",
                &format!("QueryParserError: {why}"),
            );
        }
    };
    let Some(entity) = ENTITIES.iter().find(|e| e.eq_ignore_ascii_case(&q.entity)) else {
        return validation(
            state,
            "4001",
            "Invalid query",
            &format!(
                "QueryValidationError: value {} is not a valid entity",
                q.entity
            ),
        );
    };
    count_kind(
        state,
        format!("{}:{entity}", if q.count { "count" } else { "query" }),
    );
    let empty = Vec::new();
    let all = company.entities.get(entity).unwrap_or(&empty);
    let hide_inactive =
        HIDES_INACTIVE.contains(entity) && !q.conds.iter().any(query::Cond::is_about_active);
    let conds: Vec<(Option<(Op, i64)>, &query::Cond)> =
        q.conds.iter().map(|c| (updated_clause(c), c)).collect();
    let mut matched: Vec<&Entry> = all
        .iter()
        .filter(|e| !(hide_inactive && e.value()["Active"] == false) && keep(e, &conds))
        .collect();
    if let Some((field, desc)) = &q.order {
        if field.eq_ignore_ascii_case("metadata.lastupdatedtime") {
            // Entries are kept in that order already.
            if *desc {
                matched.reverse();
            }
        } else {
            matched.sort_by(|a, b| {
                let o = query::order(a.value(), b.value(), field);
                if *desc { o.reverse() } else { o }
            });
        }
    }
    if q.count {
        return json_response(
            StatusCode::OK,
            &json!({"QueryResponse": {"totalCount": matched.len()}, "time": now_text()}),
        );
    }
    let page: Vec<&Entry> = matched.into_iter().skip(q.start - 1).take(q.max).collect();
    if page.is_empty() {
        return json_response(
            StatusCode::OK,
            &json!({"QueryResponse": {}, "time": now_text()}),
        );
    }
    raw_json_response(StatusCode::OK, query_page(entity, &page, q.start))
}

/// `{"QueryResponse": {"<entity>": [...], "startPosition": .., "maxResults": ..}, "time": ..}`,
/// the records' texts spliced in as they are stored (no copy of the records, no
/// serialisation of them per call).
fn query_page(entity: &str, page: &[&Entry], start: usize) -> Vec<u8> {
    let size: usize = page.iter().map(|e| e.text().len() + 1).sum();
    let mut out = Vec::with_capacity(size + entity.len() + 128);
    out.extend_from_slice(b"{\"QueryResponse\":{");
    let _ = serde_json::to_writer(&mut out, entity);
    out.extend_from_slice(b":[");
    for (i, e) in page.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(e.text().as_bytes());
    }
    out.extend_from_slice(
        format!(
            "],\"startPosition\":{start},\"maxResults\":{}}},\"time\":",
            page.len()
        )
        .as_bytes(),
    );
    let _ = serde_json::to_writer(&mut out, &now_text());
    out.push(b'}');
    out
}

fn cdc(state: &State, company: &Company, params: &BTreeMap<String, String>) -> Response {
    count_kind(state, "cdc".into());
    let entities: Vec<&str> = params
        .get("entities")
        .map(|e| {
            e.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if entities.is_empty() {
        return validation(
            state,
            "2020",
            "Required param missing, need to supply the required value for the API",
            "Required parameter entities is missing in the request",
        );
    }
    let Some(since) = params
        .get("changedSince")
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s.trim()).ok())
    else {
        return validation(
            state,
            "2020",
            "Required param missing, need to supply the required value for the API",
            "Required parameter changedSince is missing or is not a date-time",
        );
    };
    let since_ms = since.timestamp_millis();
    let window = chrono::Duration::from_std(state.options.cdc_window).unwrap_or_default();
    if since.with_timezone(&Utc) < Utc::now() - window {
        return validation(
            state,
            "2030",
            "Invalid value for changedSince",
            &format!(
                "changedSince can be at most {} days in the past",
                state.options.cdc_window.as_secs() / 86_400
            ),
        );
    }
    // Every change of the requested entities, oldest first, up to the cap.
    let mut changes: Vec<(i64, usize, Value)> = Vec::new();
    let mut names = Vec::new();
    for (n, requested) in entities.iter().enumerate() {
        let Some(name) = ENTITIES.iter().find(|e| e.eq_ignore_ascii_case(requested)) else {
            return validation(
                state,
                "2030",
                "Invalid value for entities",
                &format!("{requested} is not supported by change data capture"),
            );
        };
        names.push(*name);
        for e in company.entities.get(name).into_iter().flatten() {
            if e.updated_ms >= since_ms {
                changes.push((e.updated_ms, n, e.value().clone()));
            }
        }
        for t in company
            .tombstones
            .iter()
            .filter(|t| t.entity == *name && t.at_ms >= since_ms)
        {
            let at = chrono::DateTime::from_timestamp_millis(t.at_ms)
                .map(|d| stamp(d.naive_utc()))
                .unwrap_or_default();
            changes.push((
                t.at_ms,
                n,
                json!({"domain": "QBO", "status": "Deleted", "Id": t.id, "MetaData": {"LastUpdatedTime": at}}),
            ));
        }
    }
    changes.sort_by_key(|(at, _, _)| *at);
    changes.truncate(state.options.cdc_max);
    let mut per: Vec<Vec<Value>> = vec![Vec::new(); names.len()];
    for (_, n, v) in changes {
        per[n].push(v);
    }
    let responses: Vec<Value> = names
        .iter()
        .zip(per)
        .map(|(name, list)| {
            if list.is_empty() {
                json!({})
            } else {
                let n = list.len();
                json!({*name: list, "startPosition": 1, "maxResults": n})
            }
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"CDCResponse": [{"QueryResponse": responses}], "time": now_text()}),
    )
}

fn report_answer(
    state: &State,
    company: &Company,
    name: &str,
    params: &BTreeMap<String, String>,
) -> Response {
    let date = |k: &str| -> Result<Option<NaiveDate>, String> {
        params
            .get(k)
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| format!("{k} must be a date as yyyy-MM-dd"))
            })
            .transpose()
    };
    let (start, end) = match (date("start_date"), date("end_date")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(why), _) | (_, Err(why)) => {
            return validation(state, "2030", "Invalid date", &why);
        }
    };
    let month = if name.eq_ignore_ascii_case("BalanceSheet") {
        match end {
            Some(end) => company.balance_sheets.iter().rfind(|m| m.to <= end),
            None => company.balance_sheets.last(),
        }
    } else if name.eq_ignore_ascii_case("ProfitAndLoss") {
        match start {
            Some(start) => company.profit_and_loss.iter().find(|m| m.from == start),
            None => company.profit_and_loss.last(),
        }
    } else {
        return validation(
            state,
            "4000",
            "Unsupported Operation",
            &format!("Report {name} is not supported by the simulator"),
        );
    };
    let (from, to) = match month {
        Some(m) if name.eq_ignore_ascii_case("BalanceSheet") => {
            (start.unwrap_or(m.from), end.unwrap_or(m.to))
        }
        Some(m) => (m.from, m.to),
        None => (start.unwrap_or_default(), end.unwrap_or_default()),
    };
    let rows = month.map_or(json!({}), |m| json!({"Row": m.rows}));
    json_response(
        StatusCode::OK,
        &json!({
            "Header": {
                "Time": now_text(),
                "ReportName": if name.eq_ignore_ascii_case("BalanceSheet") { "BalanceSheet" } else { "ProfitAndLoss" },
                "ReportBasis": "Accrual",
                "StartPeriod": from.to_string(),
                "EndPeriod": to.to_string(),
                "SummarizeColumnsBy": "Total",
                "Currency": company.currency,
                "Option": [{"Name": "NoReportData", "Value": if month.is_some() { "false" } else { "true" }}],
            },
            "Columns": {"Column": [{"ColTitle": "", "ColType": "Account"}, {"ColTitle": "Total", "ColType": "Money"}]},
            "Rows": rows,
        }),
    )
}
