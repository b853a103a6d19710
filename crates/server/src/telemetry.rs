//! Logs and metrics: the tracing subscriber (human-readable or JSON lines) and the
//! Prometheus recorder with its private `/metrics` listener.

use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use ledgerbridge_store::Store;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The installed log subscriber's parts that need a goodbye: the OTLP exporter, when on.
pub struct Tracing {
    otlp: Option<crate::otlp::Exporter>,
}

impl Tracing {
    /// Sends the spans still queued for the OTLP collector (a no-op without one). Call once,
    /// as the process ends.
    pub async fn shutdown(self) {
        if let Some(otlp) = self.otlp {
            let _ = tokio::task::spawn_blocking(move || otlp.shutdown()).await;
        }
    }
}

/// Installs the global log subscriber: `text` (human-readable) or `json` lines on stderr,
/// filtered by `RUST_LOG` (default `info`). Spans (a request's `correlation_id`, a dataset's
/// ids) appear on every line logged inside them. With an `otlp_endpoint` the same spans are
/// also exported over OTLP ([`crate::otlp`]).
pub fn init_tracing(format: &str, otlp_endpoint: &str) -> Result<Tracing> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let json = format == "json";
    let text_lines = (!json).then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let json_lines = json.then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(std::io::stderr)
    });
    let otlp = match otlp_endpoint.trim() {
        "" => None,
        endpoint => Some(crate::otlp::Exporter::new(endpoint)?),
    };
    let otlp_layer = otlp.as_ref().map(|e| {
        tracing_opentelemetry::layer()
            .with_tracer(e.tracer())
            .with_tracked_inactivity(false)
    });
    tracing_subscriber::registry()
        .with(filter)
        .with(text_lines)
        .with(json_lines)
        .with(otlp_layer)
        .try_init()
        .context("cannot install the log subscriber")?;
    Ok(Tracing { otlp })
}

/// Latency buckets (seconds) of every `*_seconds` histogram.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0, 300.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
static INSTALL: Mutex<()> = Mutex::new(());

/// The process's Prometheus recorder, installed on first use (the `metrics` facade has one
/// global recorder; until it is installed every metric call is a no-op).
pub fn prometheus() -> Result<PrometheusHandle> {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .context("invalid histogram buckets")?
        .install_recorder()
        .context("cannot install the Prometheus recorder")?;
    let _ = HANDLE.set(handle.clone());
    ledgerbridge_api::telemetry::enable_http_metrics();
    Ok(handle)
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    store: Store,
}

/// The private metrics listener's routes: `GET /metrics` only.
pub fn metrics_router(handle: PrometheusHandle, store: Store) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .with_state(Scrape { handle, store })
}

/// Samples the gauges that live in the database (queue depth, oldest lease, pool use), then
/// renders every series in Prometheus' text format.
async fn render_metrics(State(s): State<Scrape>) -> impl IntoResponse {
    match s.store.queue_stats().await {
        Ok(q) => {
            metrics::gauge!("ledgerbridge_queue_datasets", "state" => "waiting")
                .set(q.datasets_waiting as f64);
            metrics::gauge!("ledgerbridge_queue_datasets", "state" => "running")
                .set(q.datasets_running as f64);
            metrics::gauge!("ledgerbridge_queue_webhook_messages_pending")
                .set(q.webhook_messages_pending as f64);
            metrics::gauge!("ledgerbridge_queue_oldest_lease_age_seconds")
                .set(q.oldest_lease_age_seconds);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the job queue for metrics"),
    }
    for (pool, open, idle, max) in s.store.pool_stats() {
        metrics::gauge!("ledgerbridge_db_pool_connections", "pool" => pool, "state" => "open")
            .set(f64::from(open));
        metrics::gauge!("ledgerbridge_db_pool_connections", "pool" => pool, "state" => "idle")
            .set(f64::from(idle));
        metrics::gauge!("ledgerbridge_db_pool_connections", "pool" => pool, "state" => "max")
            .set(f64::from(max));
    }
    s.handle.run_upkeep();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.handle.render(),
    )
}
