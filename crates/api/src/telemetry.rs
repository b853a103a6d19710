//! Per-request telemetry: one span per request carrying its `correlationId`, the HTTP metrics
//! (by route *template*, so labels stay bounded), and the request timeout.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::error::ApiError;

tokio::task_local! {
    static CORRELATION_ID: String;
}

/// The `correlationId` of the request being served (the one its span and error body carry);
/// a fresh one outside a request.
pub fn correlation_id() -> String {
    CORRELATION_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| new_correlation_id())
}

fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A bounded label for the method: the standard ones by name, anything else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Middleware: runs the request inside a `request` span with a fresh correlation id and
/// records `ledgerbridge_http_requests_total` and `ledgerbridge_http_request_duration_seconds`
/// by method, route template (`unmatched` for the fallback) and status.
pub async fn observe_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let id = new_correlation_id();
    // Fields by `Display`: the text log's `Debug` of a `str` escapes it char by char.
    let span = tracing::info_span!(
        "request",
        correlation_id = %id,
        method = %method,
        route = %route,
    );
    let response = CORRELATION_ID
        .scope(id, next.run(req).instrument(span))
        .await;
    if METRICS_ON.load(Ordering::Relaxed) {
        record_http(method, route, response.status().as_u16(), start.elapsed());
    }
    response
}

/// Whether a metrics recorder is installed ([`enable_http_metrics`]); until then requests
/// are not counted at all.
static METRICS_ON: AtomicBool = AtomicBool::new(false);

/// Turns HTTP request metrics on or off: on once the process's metrics recorder is installed
/// (handles registered before would be the no-op recorder's); off again to measure what they
/// cost (`crates/server/examples/telemetry_overhead.rs`).
pub fn set_http_metrics(on: bool) {
    METRICS_ON.store(on, Ordering::Relaxed);
}

/// The handles of one HTTP series, registered once and reused by every request.
struct HttpSeries {
    requests: metrics::Counter,
    duration: metrics::Histogram,
}

impl HttpSeries {
    fn register(method: &'static str, route: &str, status: u16) -> Self {
        Self {
            requests: metrics::counter!(
                "ledgerbridge_http_requests_total",
                "method" => method,
                "route" => route.to_string(),
                "status" => status_label(status),
            ),
            duration: metrics::histogram!(
                "ledgerbridge_http_request_duration_seconds",
                "method" => method,
                "route" => route.to_string(),
            ),
        }
    }

    fn record(&self, elapsed: Duration) {
        self.duration.record(elapsed.as_secs_f64());
        self.requests.increment(1);
    }
}

/// Each route template's series, by method and status: a short list (a route answers a
/// handful of statuses), searched without hashing.
type SeriesByRoute = HashMap<String, Vec<((&'static str, u16), HttpSeries)>>;

thread_local! {
    /// Each runtime thread's handles: found without a shared lock or reference count, and
    /// without building and hashing a labelled key per request (routes are templates, so the
    /// map stays small).
    static SERIES: RefCell<SeriesByRoute> = RefCell::new(HashMap::new());
}

/// Counts one request and records its duration.
fn record_http(method: &'static str, route: &str, status: u16, elapsed: Duration) {
    SERIES.with_borrow_mut(|by_route| {
        let key = (method, status);
        let found = by_route
            .get(route)
            .and_then(|all| all.iter().find(|(k, _)| *k == key));
        if let Some((_, series)) = found {
            series.record(elapsed);
            return;
        }
        let series = HttpSeries::register(method, route, status);
        series.record(elapsed);
        by_route
            .entry(route.to_string())
            .or_default()
            .push((key, series));
    });
}

/// Status codes as static labels (no allocation on the hot path).
fn status_label(status: u16) -> &'static str {
    match status {
        200 => "200",
        201 => "201",
        202 => "202",
        204 => "204",
        302 => "302",
        303 => "303",
        304 => "304",
        400 => "400",
        401 => "401",
        402 => "402",
        403 => "403",
        404 => "404",
        405 => "405",
        408 => "408",
        409 => "409",
        413 => "413",
        415 => "415",
        429 => "429",
        500 => "500",
        503 => "503",
        s if s < 200 => "1xx",
        s if s < 300 => "2xx",
        s if s < 400 => "3xx",
        s if s < 500 => "4xx",
        _ => "5xx",
    }
}

/// Middleware: answers `503` with Codat's body when a request takes longer than the
/// configured timeout (`LEDGERBRIDGE_REQUEST_TIMEOUT_SECS`); the handler is dropped.
pub async fn enforce_timeout(
    State(timeout): State<Duration>,
    req: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let mut e = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The request took too long and was stopped. Please try again later.",
            );
            e.internal = Some(format!("request timed out after {timeout:?}"));
            e.into_response()
        }
    }
}
