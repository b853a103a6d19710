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

    let logs = log_subscriber(format, std::env::var("RUST_LOG").ok().as_deref());
    // One layer per job, and the OTLP one only when configured: every span enter, exit and
    // close walks the whole stack.
    let installed = match otlp_endpoint.trim() {
        "" => logs.try_init().map(|()| None),
        endpoint => {
            let otlp = crate::otlp::Exporter::new(endpoint)?;
            let layer = tracing_opentelemetry::layer()
                .with_tracer(otlp.tracer())
                .with_tracked_inactivity(false);
            logs.with(layer).try_init().map(|()| Some(otlp))
        }
    };
    let otlp = installed.context("cannot install the log subscriber")?;
    Ok(Tracing { otlp })
}

/// The log subscriber [`init_tracing`] installs (without OTLP): `format` lines on stderr,
/// filtered by the `RUST_LOG` value `rust_log` (default `info`).
pub fn log_subscriber(format: &str, rust_log: Option<&str>) -> LogSubscriber {
    log_subscriber_with(format, log_filter(rust_log))
}

/// The log subscriber with `filter` deciding what is logged (the server's is
/// [`log_filter`]`(RUST_LOG)`; a benchmark may switch between two).
pub fn log_subscriber_with(format: &str, filter: LogFilter) -> LogSubscriber {
    use tracing_subscriber::layer::SubscriberExt;
    tracing_subscriber::registry()
        .with(filter)
        .with(log_lines::<Filtered>(format))
}

/// The log subscriber: the registry, the log filter and the log lines layer.
pub type LogSubscriber = tracing_subscriber::layer::Layered<
    Box<dyn tracing_subscriber::Layer<Filtered> + Send + Sync>,
    Filtered,
>;

/// The registry behind the log filter: what the log lines layer sits on.
type Filtered = tracing_subscriber::layer::Layered<LogFilter, tracing_subscriber::Registry>;

/// The layer writing log lines to stderr: `json` objects or human-readable `text`.
fn log_lines<S>(format: &str) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    if format == "json" {
        return Box::new(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(true)
                .with_writer(std::io::stderr),
        );
    }
    // Colours only for a terminal: escape codes are noise in a file or journald. Fields by
    // [`PlainFields`]: the request span's are formatted on every request.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    Box::new(
        tracing_subscriber::fmt::layer()
            .fmt_fields(crate::log_fields::PlainFields)
            .with_ansi(ansi)
            .with_writer(std::io::stderr),
    )
}

/// The filter when `RUST_LOG` is unset or invalid.
const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn,tower_http=warn";

/// What decides which spans and events are logged: a layer on the registry.
pub type LogFilter = Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>;

/// The log filter of a `RUST_LOG` value. Plain `target=level` lists (the default, and what
/// operators mostly write) become a [`Targets`](tracing_subscriber::filter::Targets) filter,
/// decided once per call site; only directives on span names or fields (`[request]=debug`)
/// need an `EnvFilter`, which also does bookkeeping on every span enter and exit (a shared
/// lock per request poll: measurable on the request path, docs/benchmarks.md "Operations").
pub fn log_filter(rust_log: Option<&str>) -> LogFilter {
    use tracing_subscriber::filter::{EnvFilter, Targets};
    let spec = rust_log.map(str::trim).filter(|s| !s.is_empty());
    let spec = spec.unwrap_or(DEFAULT_LOG_FILTER);
    let is_static = !spec.contains(['[', '{', '"']);
    if is_static && let Ok(targets) = spec.parse::<Targets>() {
        return Box::new(targets);
    }
    match EnvFilter::try_new(spec) {
        Ok(filter) => Box::new(filter),
        Err(_) => Box::new(
            DEFAULT_LOG_FILTER
                .parse::<Targets>()
                .unwrap_or_else(|_| Targets::new()),
        ),
    }
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
    ledgerbridge_api::telemetry::set_http_metrics(true);
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

#[cfg(test)]
mod tests {
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt;

    use super::log_filter;

    /// Whether `RUST_LOG=spec` lets through (an info event of `sqlx`, an info event here, a
    /// debug event inside a `request` span).
    fn lets_through(spec: Option<&str>) -> (bool, bool, bool) {
        let subscriber = tracing_subscriber::registry().with(log_filter(spec));
        tracing::subscriber::with_default(subscriber, || {
            let sqlx = tracing::enabled!(target: "sqlx::query", Level::INFO);
            let here = tracing::enabled!(Level::INFO);
            let span = tracing::info_span!("request");
            let debug_in_request = span.in_scope(|| tracing::enabled!(Level::DEBUG));
            (sqlx, here, debug_in_request)
        })
    }

    #[test]
    fn the_log_filter_follows_rust_log() {
        assert_eq!(lets_through(None), (false, true, false), "the default");
        assert_eq!(
            lets_through(Some("  ")),
            (false, true, false),
            "empty is the default"
        );
        assert_eq!(lets_through(Some("warn")), (false, false, false));
        assert_eq!(lets_through(Some("debug,sqlx=info")), (true, true, true));
        assert_eq!(
            lets_through(Some("info,[request]=debug")),
            (true, true, true),
            "span directives still work"
        );
        assert_eq!(
            lets_through(Some("info,sqlx=loud")),
            (false, true, false),
            "an invalid value falls back to the default"
        );
    }
}
