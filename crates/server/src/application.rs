//! `Application::build` wires configuration, storage and the router; `main` and the
//! integration tests both start ledgerbridge through it.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use ledgerbridge_api::rate_limit::RateLimitConfig;
use ledgerbridge_api::{ApiConfig, AppState, OAuthLinks};
use ledgerbridge_connectors::quickbooks::{QuickBooksConfig, QuickBooksConnector};
use ledgerbridge_connectors::sandbox::SandboxConnector;
use ledgerbridge_connectors::xero::{XeroConfig, XeroConnector};
use ledgerbridge_store::Store;
use ledgerbridge_store::api_keys::new_api_key;
use ledgerbridge_sync::scheduler::run_scheduler;
use ledgerbridge_sync::{Connectors, Worker, WorkerConfig};
use ledgerbridge_webhooks::{Clock, Dispatcher, DispatcherConfig, SystemClock};

/// How often a worker process looks for scheduled syncs that are due.
const SCHEDULER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);
use tokio::net::TcpListener;

use crate::config::{Config, Role};

/// A built, bound, not yet running server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
    /// The API's shared state (its client rate limits hand their unspent quota back on stop).
    api: AppState,
    /// The sync worker, when this process runs the worker role.
    worker: Option<Worker>,
    /// The webhook dispatcher, in roles `all` and `worker`.
    dispatcher: Option<Dispatcher>,
    public_url: String,
    /// The private Prometheus listener and its router, when `metrics_addr` is set.
    metrics: Option<(TcpListener, axum::Router)>,
    /// How long a shutdown waits for requests and syncs to finish.
    shutdown_timeout: std::time::Duration,
    /// A key generated on this start because none existed; shown once.
    pub generated_api_key: Option<String>,
}

/// Opens the database and applies migrations.
pub async fn open_store(config: &Config) -> Result<Store> {
    if !config.is_postgres() {
        config.ensure_data_dir()?;
    }
    let url = config.database_url();
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("cannot open database {}", crate::config::redact_url(&url)))?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(store)
}

/// What tests swap in behind the real server.
pub struct Seams {
    /// The connectors the sync worker runs (default: the Sandbox).
    pub connectors: Connectors,
    /// The clock the webhook dispatcher schedules by (default: the system clock).
    pub clock: std::sync::Arc<dyn Clock>,
    /// The OAuth half of each platform Link can send owners to (default: none; tests register
    /// a fake platform).
    pub oauth: OAuthLinks,
}

impl Default for Seams {
    fn default() -> Self {
        Self {
            connectors: Connectors::default().with(SandboxConnector::new()),
            clock: std::sync::Arc::new(SystemClock),
            oauth: OAuthLinks::default(),
        }
    }
}

impl Application {
    /// Binds the listener, opens the database and builds the router for the configured role.
    pub async fn build(config: Config) -> Result<Self> {
        Self::build_with(config, Seams::default()).await
    }

    /// [`Application::build`] with [`Seams`] swapped in (tests put scripted platforms or a
    /// movable clock behind the real server).
    pub async fn build_with(config: Config, seams: Seams) -> Result<Self> {
        let Seams {
            connectors,
            clock,
            oauth,
        } = seams;
        // The recorder goes in before anything records, so no early series is lost.
        let prometheus = if config.metrics_addr.trim().is_empty() {
            None
        } else {
            Some(crate::telemetry::prometheus()?)
        };
        let store = open_store(&config).await?;
        let generated_api_key = bootstrap_api_key(&store, &config).await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let bound = listener.local_addr()?;
        let public_url = config.public_url(bound);
        let secrets = crate::keys::secret_box(&config)?;
        // A configured Xero app serves both the sync worker and the Link pages, one instance
        // so they share its token state. A Xero connector passed in the seams wins (tests
        // tune its pacing).
        let (mut connectors, mut oauth) = (connectors, oauth);
        if let Some(app) = config
            .xero_app()
            .filter(|_| connectors.get("gbol").is_none())
        {
            let xero = XeroConnector::new(XeroConfig::new(app));
            connectors = connectors.with(xero.clone());
            if oauth.get("gbol").is_none() {
                oauth = oauth.with(xero);
            }
        }
        if let Some(app) = config.quickbooks_app() {
            let quickbooks = QuickBooksConnector::new(QuickBooksConfig::new(app));
            connectors = connectors.with(quickbooks.clone());
            if oauth.get("qhyg").is_none() {
                oauth = oauth.with(quickbooks);
            }
        }
        let runs_syncs =
            matches!(config.role, Role::All | Role::Worker) && config.worker_concurrency > 0;
        let worker = runs_syncs.then(|| {
            let tuning = WorkerConfig {
                concurrency: config.worker_concurrency,
                ..WorkerConfig::default()
            };
            Worker::new(store.clone(), connectors, secrets.clone(), tuning)
        });
        let dispatcher = matches!(config.role, Role::All | Role::Worker)
            .then(|| {
                let mut tuning =
                    DispatcherConfig::new(public_url.clone(), config.webhooks_allow_private);
                tuning.retention =
                    Duration::from_secs(u64::from(config.webhooks_retention_days) * 86_400);
                Dispatcher::new(store.clone(), secrets.clone(), tuning, clock)
            })
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let state = AppState::new(
            store.clone(),
            ApiConfig {
                public_url: public_url.clone(),
                configured_platforms: config.configured_platforms(),
                extra_api_key: config.api_key.clone().filter(|k| !k.is_empty()),
                secrets,
                webhooks_allow_private: config.webhooks_allow_private,
                oauth,
                rate_limits: RateLimitConfig {
                    daily_quota: config.rate_limit_daily_quota,
                    concurrency: config.rate_limit_concurrency,
                },
                request_timeout: std::time::Duration::from_secs(config.request_timeout_secs.max(1)),
                max_body_bytes: config.max_body_bytes,
            },
        )
        .await?;
        let metrics = match prometheus {
            None => None,
            Some(handle) => {
                let addr = config.metrics_addr.trim();
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen for metrics on {addr}"))?;
                Some((
                    listener,
                    crate::telemetry::metrics_router(handle, store.clone()),
                ))
            }
        };
        let router = match config.role {
            Role::All | Role::Api => ledgerbridge_api::router(state.clone()),
            Role::Worker => ledgerbridge_api::health_router(state.clone()),
        };
        Ok(Self {
            listener,
            router,
            store,
            api: state,
            worker,
            dispatcher,
            public_url,
            metrics,
            shutdown_timeout: std::time::Duration::from_secs(config.shutdown_timeout_secs),
            generated_api_key,
        })
    }

    /// The address of the private metrics listener, when metrics are on.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The public router (what the listener serves), to drive in-process.
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// The public base URL.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Serves until `shutdown` resolves. Then, at once: the listeners stop accepting and
    /// in-flight requests finish (then the client quota this node reserved and did not serve
    /// goes back to the database), the sync worker stops at its datasets' next page boundary
    /// and hands every lease back, the webhook dispatcher lets each current delivery finish and
    /// hands its messages back, and the database closes. Whatever has not finished within the
    /// shutdown timeout is abandoned (transactions roll back; leases expire).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let trigger = tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let scheduler = self.worker.as_ref().map(|_| {
            tokio::spawn(run_scheduler(
                self.store.clone(),
                SCHEDULER_INTERVAL,
                stopped.clone(),
            ))
        });
        let dispatcher = self
            .dispatcher
            .map(|d| tokio::spawn(d.run(stopped.clone())));
        let worker = self.worker.map(|w| tokio::spawn(w.run(stopped.clone())));
        let metrics = self.metrics.map(|(listener, router)| {
            tokio::spawn(
                axum::serve(listener, router)
                    .with_graceful_shutdown(until_stopped(stopped.clone()))
                    .into_future(),
            )
        });
        let grace = self.shutdown_timeout;
        let deadline = {
            let stopped = stopped.clone();
            async move {
                until_stopped(stopped).await;
                tokio::time::sleep(grace).await;
            }
        };
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(until_stopped(stopped.clone()))
            .into_future();
        let served = tokio::select! {
            r = served => r,
            () = deadline => {
                tracing::warn!(seconds = grace.as_secs(), "requests still running at the end of the shutdown timeout are dropped");
                Ok(())
            }
        };
        // No request runs any more: what this node reserved of each key's quota and did not
        // serve goes back, so other nodes (or this one restarted) can serve it.
        match self.api.rate_limits.hand_back(&self.store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(requests = n, "handed unspent client quota back"),
            Err(e) => tracing::warn!(error = %e, "cannot hand unspent client quota back"),
        }
        // Background tasks saw the same signal; wait for them within what is left of the grace.
        let background = async {
            if let Some(w) = worker {
                let _ = w.await;
            }
            if let Some(s) = scheduler {
                let _ = s.await;
            }
            if let Some(d) = dispatcher {
                let _ = d.await;
            }
            if let Some(m) = metrics {
                let _ = m.await;
            }
        };
        if tokio::time::timeout(grace, background).await.is_err() {
            tracing::warn!(
                "background work did not stop within the shutdown timeout; its leases expire on their own"
            );
        }
        trigger.abort();
        self.store.close().await;
        served?;
        Ok(())
    }
}

/// On first start with no key at all (none stored, none configured), mints one.
async fn bootstrap_api_key(store: &Store, config: &Config) -> Result<Option<String>> {
    if config.api_key.as_deref().is_some_and(|k| !k.is_empty())
        || !store.list_api_keys().await?.is_empty()
    {
        return Ok(None);
    }
    let (row, key) = new_api_key(Some("generated on first start".into()));
    store.insert_api_key(&row).await?;
    Ok(Some(key))
}
