//! The scheduler: queues the syncs that `syncSchedule` says are due.
//!
//! Each tick reads only the due rows of `sync_schedules` (an indexed range), so its cost
//! follows what is due, not the number of companies. Any number of processes may tick at
//! once: the store refuses a second in-progress dataset of a type on a connection.

use std::collections::HashMap;
use std::time::Duration;

use ledgerbridge_domain::platform::{ConnectionStatus, SyncSetting};
use ledgerbridge_domain::{CompanyId, Timestamp};
use ledgerbridge_store::datasets::{DatasetRow, QueueError};
use ledgerbridge_store::schedules::next_run_after;
use ledgerbridge_store::{Store, StoreError};
use tokio::sync::watch;

/// Due rows handled per tick; the rest wait for the next one.
const BATCH: u32 = 1000;

/// What a tick did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickStats {
    /// Datasets queued.
    pub queued: u32,
    /// Due entries whose connection cannot sync now (not linked) or whose type is already
    /// running: moved to their next slot.
    pub skipped: u32,
    /// Entries dropped because the settings no longer schedule them.
    pub dropped: u32,
}

/// Queues every due scheduled sync at `now` and moves each entry to its next slot.
pub async fn tick(store: &Store, now: Timestamp) -> Result<TickStats, StoreError> {
    let mut stats = TickStats::default();
    // Read once per tick: a company's settings and each connection's status.
    let mut settings: HashMap<CompanyId, Vec<SyncSetting>> = HashMap::new();
    let mut linked_connections: HashMap<ledgerbridge_domain::ConnectionId, bool> = HashMap::new();
    for due in store.due_syncs(now, BATCH).await? {
        let company_settings = match settings.entry(due.company_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(store.effective_sync_settings(due.company_id).await?)
            }
        };
        let hours = company_settings
            .iter()
            .find(|s| s.data_type == due.data_type)
            .map_or(0, |s| s.sync_schedule);
        if hours <= 0 {
            store
                .unschedule_sync(due.connection_id, due.data_type)
                .await?;
            stats.dropped += 1;
            continue;
        }
        let linked = match linked_connections.entry(due.connection_id) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(e) => *e.insert(
                store
                    .get_connection(due.company_id, due.connection_id)
                    .await?
                    .is_some_and(|c| c.status == ConnectionStatus::Linked),
            ),
        };
        if linked {
            match store
                .queue_dataset(&DatasetRow::queued(
                    due.company_id,
                    due.connection_id,
                    due.data_type,
                ))
                .await
            {
                Ok(()) => stats.queued += 1,
                Err(QueueError::AlreadyInProgress(_)) => stats.skipped += 1,
                Err(QueueError::Store(e)) => return Err(e),
            }
        } else {
            stats.skipped += 1;
        }
        store
            .schedule_sync(
                due.company_id,
                due.connection_id,
                due.data_type,
                next_run_after(now, hours),
            )
            .await?;
    }
    Ok(stats)
}

/// Ticks every `interval` until `shutdown` turns `true`.
pub async fn run_scheduler(store: Store, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        match tick(&store, Timestamp::now()).await {
            Ok(stats) if stats.queued > 0 => {
                tracing::info!(queued = stats.queued, "scheduled syncs queued")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed; retrying next tick"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
