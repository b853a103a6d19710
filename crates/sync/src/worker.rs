//! The worker loop: claim due datasets (woken when work is queued), run each under a lease,
//! hand leases back on shutdown.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ledgerbridge_connectors::Connector;
use ledgerbridge_domain::Timestamp;
use ledgerbridge_store::Store;
use ledgerbridge_store::crypto::SecretBox;
use ledgerbridge_store::filter::Dialect;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::run::run_dataset;

/// The connectors a worker can use, by platform key.
#[derive(Clone, Default)]
pub struct Connectors(HashMap<&'static str, Arc<dyn Connector>>);

impl Connectors {
    /// Adds a connector under its platform key.
    pub fn with(mut self, connector: Arc<dyn Connector>) -> Self {
        self.0.insert(connector.platform_key(), connector);
        self
    }

    /// The connector for a platform key.
    pub fn get(&self, key: &str) -> Option<&Arc<dyn Connector>> {
        self.0.get(key)
    }
}

/// Tuning of a worker.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Datasets run at once.
    pub concurrency: usize,
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// How often an idle worker looks for work queued by other processes (its own process
    /// wakes it at once).
    pub poll_interval: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(5),
        }
    }
}

/// One worker process's share of the sync engine.
pub struct Worker {
    pub(crate) store: Store,
    pub(crate) connectors: Connectors,
    pub(crate) secrets: SecretBox,
    pub(crate) config: WorkerConfig,
    /// Unique per process run: leases name it.
    pub(crate) owner: String,
}

impl Worker {
    /// A worker with a fresh owner id.
    pub fn new(
        store: Store,
        connectors: Connectors,
        secrets: SecretBox,
        config: WorkerConfig,
    ) -> Self {
        let owner = format!("worker-{}", uuid::Uuid::now_v7().simple());
        Self {
            store,
            connectors,
            secrets,
            config,
            owner,
        }
    }

    pub(crate) fn lease_until(&self) -> Timestamp {
        let lease =
            chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::seconds(60));
        Timestamp::from_datetime(chrono::Utc::now() + lease)
    }

    /// Runs until `shutdown` turns `true`, then waits for running datasets to reach a page
    /// boundary and hands every lease back.
    ///
    /// Idle, it sleeps until this process queues work ([`Store::work_queued`]), one of its
    /// datasets ends (a slot frees, and the connection's next dataset becomes its to run),
    /// or `poll_interval` passes (work queued by other processes).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let worker = Arc::new(self);
        if worker.store.dialect() == Dialect::Sqlite {
            // One process serves a SQLite database: leases left are a dead run's.
            match worker.store.release_all_leases().await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(released = n, "resuming datasets a previous run left leased")
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not hand back a previous run's leases; they expire on their own")
                }
            }
        }
        let slots = Arc::new(Semaphore::new(worker.config.concurrency.max(1)));
        let mut running = JoinSet::new();
        tracing::info!(owner = %worker.owner, concurrency = worker.config.concurrency, "sync worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            while running.try_join_next().is_some() {}
            let free = u32::try_from(slots.available_permits()).unwrap_or(0);
            let claimed = if free == 0 {
                Vec::new()
            } else {
                match worker
                    .store
                    .claim_datasets(&worker.owner, worker.lease_until(), free)
                    .await
                {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not claim datasets; retrying");
                        Vec::new()
                    }
                }
            };
            let idle = claimed.is_empty();
            for dataset in claimed {
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    break;
                };
                let worker = worker.clone();
                let stop = shutdown.clone();
                running.spawn(async move {
                    run_dataset(&worker, dataset, stop).await;
                    drop(permit);
                });
            }
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(worker.config.poll_interval) => {}
                    _ = worker.store.work_queued() => {}
                    Some(_) = running.join_next(), if !running.is_empty() => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        while running.join_next().await.is_some() {}
        match worker.store.release_datasets(&worker.owner).await {
            Ok(n) => tracing::info!(owner = %worker.owner, released = n, "sync worker stopped"),
            Err(e) => {
                tracing::warn!(error = %e, "could not hand leases back; they expire on their own")
            }
        }
    }
}
