//! What metrics and tracing cost per `GET /companies/{id}` over HTTP (issue 11), both modes
//! served by one process, so that the difference between two server processes (memory layout,
//! allocator state, page cache, where the scheduler put them) does not enter the figure.
//!
//! The process is set up as the server sets itself up: one multi-threaded runtime of two
//! worker threads serving the router, and the production log subscriber installed as the
//! process's global one. Between blocks of requests two things are switched:
//!   off: the log filter of `RUST_LOG=warn` (the `request` span is disabled), HTTP metrics off;
//!   on:  the production filter (`info`: a `request` span per request with its correlation
//!        id, formatted by the text layer) and the Prometheus recorder counting and timing
//!        every request, `/metrics` rendered after each block as a scraper would.
//! The filter is switched the way `tracing` expects a filter to change: every call site's
//! cached interest is rebuilt, so each mode runs exactly the code a server started with that
//! filter runs. A load thread (one current-thread runtime, `CONCURRENCY` keep-alive
//! connections) sends blocks in the order off, on, on, off, … so that a drift over the run
//! falls on both alike. A block's cost is the CPU time of every thread but the load thread
//! (`/proc/self/task/*/schedstat`) divided by its requests.
//!
//! ```text
//! cargo run --release -p ledgerbridge --example telemetry_overhead -- \
//!     [blocks] [requests per block] [both|metrics|tracing|none]
//! ```
//! (defaults 40 blocks of 4,000 requests, `both`; Markdown on stdout.) `metrics` or `tracing`
//! switches only that half on; `none` switches neither, an A/A run that shows the harness's
//! own bias and spread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use futures::StreamExt as _;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use ledgerbridge::config::Overrides;
use ledgerbridge::telemetry::{LogFilter, log_filter, log_subscriber_with};
use ledgerbridge::{Application, Config, Role};
use tracing::Metadata;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{self, Layer};

// The server's allocator, so that allocation costs what it costs in production.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const API_KEY: &str = "lb_telemetry_overhead_0123456789abcdef";
/// Requests in flight at once, each on its own keep-alive connection.
const CONCURRENCY: usize = 32;
/// The load thread's name: its CPU time is not the server's.
const LOAD_THREAD: &str = "load";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let blocks: usize = args.next().map_or(Ok(40), |a| a.parse())?;
    let per_block: usize = args.next().map_or(Ok(4_000), |a| a.parse())?;
    let what: Telemetry = args.next().map_or(Ok("both".parse()?), |a| a.parse())?;
    let data = std::env::temp_dir().join(format!("ledgerbridge-telemetry-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    let result = run(&data, blocks.max(2), per_block.max(1), what);
    let _ = std::fs::remove_dir_all(&data);
    result
}

/// The server's runtime: multi-threaded, two worker threads (this machine's cores), as
/// `ledgerbridge serve` runs.
fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("srv")
        .enable_all()
        .build()?)
}

/// Whether the *on* blocks' log filter decides (else the *off* blocks').
static TRACING_ON: AtomicBool = AtomicBool::new(false);

/// The global log filter: the *on* or the *off* filter, as [`TRACING_ON`] says. It only
/// decides which call sites are enabled, as the server's filter does, and is consulted again
/// for every call site when [`switch_tracing`] rebuilds their cached interest.
struct Switched {
    on: LogFilter,
    off: LogFilter,
}

impl Switched {
    fn current(&self) -> &LogFilter {
        if TRACING_ON.load(Ordering::Relaxed) {
            &self.on
        } else {
            &self.off
        }
    }
}

impl Layer<Registry> for Switched {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        self.current().register_callsite(metadata)
    }

    fn enabled(&self, metadata: &Metadata<'_>, ctx: layer::Context<'_, Registry>) -> bool {
        self.current().enabled(metadata, ctx)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        self.current().max_level_hint()
    }
}

/// Switches the global log filter, between blocks (no request in flight).
fn switch_tracing(on: bool) {
    if TRACING_ON.swap(on, Ordering::Relaxed) != on {
        tracing::callsite::rebuild_interest_cache();
    }
}

/// What the *on* blocks turn on.
#[derive(Clone, Copy)]
struct Telemetry {
    metrics: bool,
    tracing: bool,
}

impl std::str::FromStr for Telemetry {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        let (metrics, tracing) = match s {
            "both" => (true, true),
            "metrics" => (true, false),
            "tracing" => (false, true),
            // An A/A run: both runtimes alike, to see the harness's own bias and spread.
            "none" => (false, false),
            _ => bail!("expected both, metrics, tracing or none, not {s:?}"),
        };
        Ok(Self { metrics, tracing })
    }
}

fn run(data: &std::path::Path, blocks: usize, per_block: usize, what: Telemetry) -> Result<()> {
    let on_filter = log_filter(if what.tracing { None } else { Some("warn") });
    let subscriber = log_subscriber_with(
        "text",
        Box::new(Switched {
            on: on_filter,
            off: log_filter(Some("warn")),
        }),
    );
    tracing::subscriber::set_global_default(subscriber)?;
    let rt = runtime()?;
    let mut config = Config::load(
        &Overrides {
            data_dir: Some(data.to_path_buf()),
            addr: Some("127.0.0.1:0".into()),
            ..Overrides::default()
        },
        Some(Role::All),
    )?;
    // Nothing runs beside the requests: no sync worker (the dispatcher and scheduler only
    // start with `run_until_stopped`, which is not called).
    config.worker_concurrency = 0;
    config.api_key = Some(API_KEY.into());
    // Installs the Prometheus recorder (and turns the HTTP metrics on).
    config.metrics_addr = "127.0.0.1:0".into();
    let app = rt.block_on(Application::build(config))?;
    let router = app.router();
    let metrics = ledgerbridge::telemetry::prometheus()?;
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    rt.spawn(async move { axum::serve(listener, router).await });

    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(API_KEY)
    );
    let load = Load::start(auth)?;
    let company = load.create_company(port)?;
    let path = format!("/companies/{company}");

    let block = |on: bool| -> Result<f64> {
        ledgerbridge_api::telemetry::set_http_metrics(on && what.metrics);
        switch_tracing(on);
        let cpu = server_cpu_ns()?;
        load.send(port, &path, per_block)?;
        if on {
            std::hint::black_box(metrics.render());
        }
        Ok(server_cpu_ns()?.saturating_sub(cpu) as f64 / 1_000.0 / per_block as f64)
    };

    // Warm-up: connections, caches, the statement cache, the series handles.
    block(false)?;
    block(true)?;
    let started = Instant::now();
    let (mut off, mut on) = (Vec::new(), Vec::new());
    for i in 0..blocks {
        // off, on, on, off, off, on, …
        let on_first = i % 2 == 1;
        for mode in [on_first, !on_first] {
            let cost = block(mode)?;
            if mode { on.push(cost) } else { off.push(cost) }
        }
    }
    let counted = metrics
        .render()
        .lines()
        .filter(|l| {
            l.starts_with("ledgerbridge_http_requests_total{")
                && l.contains("/companies/{companyId}")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>();
    if counted < (blocks * per_block) as f64 && what.metrics {
        bail!(
            "the recorder counted {counted} requests, fewer than the {} sent with metrics on",
            blocks * per_block
        );
    }

    // Each *on* block against the *off* block run next to it, before sorting for the medians.
    let mut paired: Vec<f64> = off
        .iter()
        .zip(&on)
        .map(|(a, b)| (b - a) / a * 100.0)
        .collect();
    let (off_median, on_median) = (median(&mut off), median(&mut on));
    println!(
        "| mode | blocks × requests | median server CPU µs/request | min | max |\n|---|---:|---:|---:|---:|"
    );
    for (name, costs, m) in [("off", &off, off_median), ("on", &on, on_median)] {
        let (lo, hi) = costs
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), c| (lo.min(*c), hi.max(*c)));
        println!("| {name} | {blocks} × {per_block} | {m:.2} | {lo:.2} | {hi:.2} |");
    }
    let turned_on = match (what.metrics, what.tracing) {
        (true, true) => "metrics + tracing",
        (true, false) => "metrics alone",
        (false, true) => "tracing alone",
        (false, false) => "nothing (A/A)",
    };
    println!(
        "\ncost of {turned_on}: {:.1}% more server CPU per request (medians), {:.1}% \
         (median of the {blocks} paired blocks); {CONCURRENCY} connections, {:.0} s in all",
        (on_median - off_median) / off_median * 100.0,
        median(&mut paired),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The load thread: a current-thread runtime with a keep-alive HTTP client, driven by
/// [`Load::send`] from the main thread.
struct Load {
    rt: tokio::runtime::Runtime,
    client: Client<HttpConnector, Body>,
    auth: Arc<str>,
}

impl Load {
    fn start(auth: String) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(CONCURRENCY)
            .build(connector);
        Ok(Self {
            rt,
            client,
            auth: auth.into(),
        })
    }

    /// Runs `f` on a thread named [`LOAD_THREAD`] (so its CPU time is told apart).
    fn on_thread<T: Send>(&self, f: impl FnOnce(&Self) -> T + Send) -> T {
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .name(LOAD_THREAD.into())
                .spawn_scoped(s, || f(self))
                .map(|t| t.join())
                .expect("cannot start the load thread")
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    }

    fn create_company(&self, port: u16) -> Result<String> {
        self.on_thread(|load| {
            load.rt.block_on(async {
                let req = Request::post(format!("http://127.0.0.1:{port}/companies"))
                    .header(header::AUTHORIZATION, &*load.auth)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(r#"{"name":"Telemetry Overhead Ltd"}"#))?;
                let res = load.client.request(req).await?;
                if res.status() != StatusCode::OK {
                    bail!("POST /companies answered {}", res.status());
                }
                let body = to_bytes(Body::new(res.into_body()), usize::MAX).await?;
                let company: serde_json::Value = serde_json::from_slice(&body)?;
                Ok(company["id"]
                    .as_str()
                    .context("the company has no id")?
                    .to_string())
            })
        })
    }

    /// `n` requests `GET path`, [`CONCURRENCY`] at a time; each must answer 200.
    fn send(&self, port: u16, path: &str, n: usize) -> Result<()> {
        let uri = format!("http://127.0.0.1:{port}{path}");
        self.on_thread(|load| {
            load.rt.block_on(async {
                let mut requests = futures::stream::iter(0..n)
                    .map(|_| async {
                        let req = Request::get(uri.as_str())
                            .header(header::AUTHORIZATION, &*load.auth)
                            .body(Body::empty())?;
                        let res = load.client.request(req).await?;
                        let status = res.status();
                        to_bytes(Body::new(res.into_body()), usize::MAX).await?;
                        if status != StatusCode::OK {
                            bail!("GET {uri} answered {status}");
                        }
                        Ok(())
                    })
                    .buffer_unordered(CONCURRENCY);
                while let Some(r) = requests.next().await {
                    r?;
                }
                Ok(())
            })
        })
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nanoseconds the process's threads but the load thread have run so far (Linux `schedstat`).
fn server_cpu_ns() -> Result<u64> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").context("needs Linux /proc")? {
        let task = task?.path();
        if std::fs::read_to_string(task.join("comm"))?.trim() == LOAD_THREAD {
            continue;
        }
        let stat = std::fs::read_to_string(task.join("schedstat"))?;
        total += stat
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .context("unreadable schedstat")?;
    }
    Ok(total)
}
