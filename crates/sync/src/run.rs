//! Running one leased dataset: fetch pages, write records, finish with Codat's status.

use std::collections::HashSet;
use std::time::Duration;

use ledgerbridge_connectors::{
    ConnectionContext, Connector, ConnectorError, FetchPage, FetchRequest,
};
use ledgerbridge_domain::DataType;
use ledgerbridge_domain::platform::{ConnectionStatus, DataConnectionError, DatasetStatus};
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::datasets::DatasetRow;
use ledgerbridge_store::records::RecordWrite;
use ledgerbridge_store::{Store, StoreError};
use rand::Rng;
use tokio::sync::watch;
use tracing::Instrument;

use crate::worker::Worker;

/// Transient faults are retried this many times per page before the dataset fails.
const MAX_ATTEMPTS: u32 = 5;
/// A sync that wrote at least this many records refreshes the database's statistics.
const REFRESH_STATISTICS_AFTER: u64 = 10_000;
/// The longest a single rate-limit pause may last inside a sync.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(15 * 60);

/// How a dataset ended, if it did.
enum Outcome {
    Finished {
        status: DatasetStatus,
        error: Option<String>,
        watermark: Option<String>,
    },
    /// The lease was lost or the worker is stopping: leave the row for the next holder.
    Abandoned,
}

fn failed(status: DatasetStatus, error: impl Into<String>) -> Outcome {
    Outcome::Finished {
        status,
        error: Some(error.into()),
        watermark: None,
    }
}

/// Runs `dataset` to its end (or until the lease is lost or `stop` is raised), recording the
/// outcome. Never panics on platform input; every failure ends in a status.
pub(crate) async fn run_dataset(worker: &Worker, dataset: DatasetRow, stop: watch::Receiver<bool>) {
    let span = tracing::info_span!(
        "dataset",
        dataset = %dataset.id,
        company = %dataset.company_id,
        connection = %dataset.connection_id,
        data_type = dataset.data_type.key(),
    );
    run_dataset_in_span(worker, dataset, stop)
        .instrument(span)
        .await;
}

async fn run_dataset_in_span(worker: &Worker, dataset: DatasetRow, stop: watch::Receiver<bool>) {
    let id = dataset.id;
    let started = std::time::Instant::now();
    let outcome = match fetch_all(worker, &dataset, stop).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!(dataset = %id, error = %e, "dataset failed inside ledgerbridge");
            failed(
                DatasetStatus::InternalError,
                "The sync failed inside ledgerbridge; it can be queued again.",
            )
        }
    };
    if let Outcome::Finished {
        status,
        error,
        watermark,
    } = outcome
    {
        match worker
            .store
            .finish_dataset(
                id,
                &worker.owner,
                status,
                error.as_deref(),
                watermark.as_deref(),
            )
            .await
        {
            Ok(true) => {
                let data_type = dataset.data_type.key();
                metrics::counter!("ledgerbridge_datasets_total", "data_type" => data_type, "status" => status.as_str())
                    .increment(1);
                metrics::histogram!("ledgerbridge_dataset_duration_seconds", "data_type" => data_type)
                    .record(started.elapsed().as_secs_f64());
                tracing::info!(dataset = %id, data_type = %dataset.data_type, %status, "dataset finished")
            }
            Ok(false) => {
                tracing::warn!(dataset = %id, "lease lost before the dataset could be finished")
            }
            Err(e) => {
                tracing::error!(dataset = %id, error = %e, "could not record the dataset's end; the lease will expire")
            }
        }
    }
}

async fn fetch_all(
    worker: &Worker,
    dataset: &DatasetRow,
    stop: watch::Receiver<bool>,
) -> Result<Outcome, ledgerbridge_store::StoreError> {
    let store = &worker.store;
    let Some(conn) = store
        .get_connection(dataset.company_id, dataset.connection_id)
        .await?
    else {
        return Ok(failed(
            DatasetStatus::InternalError,
            "The connection no longer exists.",
        ));
    };
    if conn.status != ConnectionStatus::Linked {
        return Ok(failed(
            DatasetStatus::AuthError,
            format!(
                "Connection {} is {}: it must be linked again before it can sync.",
                conn.id, conn.status
            ),
        ));
    }
    let Some(connector) = worker.connectors.get(&conn.integration_key) else {
        return Ok(failed(
            DatasetStatus::InternalError,
            format!(
                "No {} connector is available on this server.",
                conn.platform_name
            ),
        ));
    };
    let credentials = match store
        .connection_credentials(conn.company_id, conn.id)
        .await?
    {
        None => serde_json::Value::Object(Default::default()),
        Some(sealed) => {
            let plain = worker
                .secrets
                .open(&format!("connection:{}", conn.id), &sealed)?;
            serde_json::from_slice(&plain)
                .map_err(|e| ledgerbridge_store::StoreError::Corrupt(e.to_string()))?
        }
    };
    let context = ConnectionContext {
        company_id: conn.company_id,
        connection_id: conn.id,
        credentials,
        credential_store: std::sync::Arc::new(crate::credentials::SealedCredentials {
            store: store.clone(),
            secrets: worker.secrets.clone(),
            company: conn.company_id,
            platform: connector.platform_key(),
        }),
    };
    let setting = store
        .effective_sync_settings(conn.company_id)
        .await?
        .into_iter()
        .find(|s| s.data_type == dataset.data_type);
    let request = FetchRequest {
        data_type: dataset.data_type,
        since: store.last_watermark(conn.id, dataset.data_type).await?,
        sync_from: setting
            .as_ref()
            .and_then(|s| sync_from(s, chrono::Utc::now())),
        months_to_sync: setting
            .as_ref()
            .and_then(|s| s.months_to_sync)
            .and_then(|m| u32::try_from(m).ok()),
    };

    let mut cursor: Option<String> = None;
    let mut written: u64 = 0;
    let mut fetched_records: u64 = 0;
    let mut unmappable: u64 = 0;
    // The ids a complete snapshot returned so far (only while its pages say they are one).
    let mut snapshot: Option<HashSet<String>> = None;
    // Fetched records not yet written, and the write of the previous batch, which runs while
    // the next pages are fetched.
    let mut batch = Batch::default();
    let mut writing: Option<PageWrite> = None;
    loop {
        if *stop.borrow() {
            PageWrite::settle(writing).await?;
            return Ok(Outcome::Abandoned);
        }
        let fetched = fetch_page_with_retries(
            worker,
            connector.as_ref(),
            dataset,
            &context,
            &request,
            cursor.as_deref(),
        )
        .await?;
        let page = match fetched {
            Ok(page) => page,
            Err(outcome) => {
                // What was fetched before the failure is kept, as a page-by-page writer would.
                PageWrite::settle(writing).await?;
                PageWrite::settle(batch.write(store, &conn, dataset.data_type)).await?;
                return Ok(outcome);
            }
        };
        let FetchPage {
            records,
            deleted,
            unmappable: bad,
            next_cursor,
            watermark,
            estimated_total,
            complete_snapshot,
        } = page;
        if complete_snapshot {
            let seen = snapshot.get_or_insert_with(HashSet::new);
            seen.extend(records.iter().map(|r| r.id.clone()));
            // Not stored, but still on the platform: not deleted.
            seen.extend(bad.iter().map(|(id, _)| id.clone()));
        } else {
            snapshot = None;
        }
        for (record, reason) in &bad {
            tracing::warn!(dataset = %dataset.id, record = %record, %reason, "record could not be mapped; kept out of the cache");
        }
        unmappable += bad.len() as u64;
        fetched_records += records.len() as u64;
        for r in records {
            batch.push(RecordWrite {
                id: r.id,
                doc: r.doc,
            });
        }
        batch.deleted.extend(deleted);
        if batch.is_full() || next_cursor.is_none() {
            written += PageWrite::settle(writing.take()).await?;
            writing = batch.write(store, &conn, dataset.data_type);
        }
        let progress = estimated_total.filter(|t| *t > 0).map_or(50, |t| {
            i32::try_from((fetched_records * 99 / t).min(99)).unwrap_or(99)
        });
        let still_ours = store
            .renew_dataset(
                dataset.id,
                &worker.owner,
                worker.lease_until(),
                DatasetStatus::Fetching,
                progress,
                None,
            )
            .await?;
        if !still_ours {
            PageWrite::settle(writing).await?;
            return Ok(Outcome::Abandoned);
        }
        match next_cursor {
            Some(next) => cursor = Some(next),
            None => {
                written += PageWrite::settle(writing.take()).await?;
                if let Some(seen) = snapshot.take().filter(|_| complete_snapshot) {
                    let gone = store
                        .mark_deleted_unless_seen(conn.id, dataset.data_type, &seen)
                        .await?;
                    if gone > 0 {
                        tracing::info!(dataset = %dataset.id, gone, "records the platform's complete snapshot no longer holds were marked deleted");
                    }
                }
                if written >= REFRESH_STATISTICS_AFTER {
                    // The planner's statistics keep list queries on their indexes.
                    store.optimize().await?;
                }
                let error = (unmappable > 0).then(|| {
                    format!("{unmappable} records could not be mapped and were not stored.")
                });
                return Ok(Outcome::Finished {
                    status: DatasetStatus::Complete,
                    error,
                    watermark,
                });
            }
        }
    }
}

/// Records (and deletions) fetched but not yet written. Several pages go into one write, so
/// one transaction covers up to [`Batch::RECORDS`] records or [`Batch::BYTES`] of documents:
/// a commit writes each index page it touched once, and a larger batch touches each far fewer
/// times per record. The byte bound keeps a worker's memory small (two batches per running
/// dataset) and the transaction's dirty pages within the writer's page cache.
#[derive(Default)]
struct Batch {
    records: Vec<RecordWrite>,
    deleted: Vec<String>,
    bytes: usize,
}

impl Batch {
    const RECORDS: usize = 5_000;
    const BYTES: usize = 4 << 20;

    fn push(&mut self, record: RecordWrite) {
        self.bytes += record.doc.len();
        self.records.push(record);
    }

    fn is_full(&self) -> bool {
        self.records.len() + self.deleted.len() >= Self::RECORDS || self.bytes >= Self::BYTES
    }

    /// Starts writing what the batch holds, leaving it empty.
    fn write(
        &mut self,
        store: &Store,
        conn: &ConnectionRow,
        data_type: DataType,
    ) -> Option<PageWrite> {
        let Batch {
            records, deleted, ..
        } = std::mem::take(self);
        PageWrite::start(store, conn, data_type, records, deleted)
    }
}

/// The write of a batch of fetched pages (records upserted, then deletions marked), on a task
/// of its own: the store renders and writes while the connector fetches the next pages, on the
/// other core. Batches are still written in order: each write is settled before the next one
/// starts.
struct PageWrite(tokio::task::JoinHandle<Result<u64, StoreError>>);

impl PageWrite {
    /// Starts writing a page; `None` when it holds nothing to write.
    fn start(
        store: &Store,
        conn: &ConnectionRow,
        data_type: DataType,
        batch: Vec<RecordWrite>,
        deleted: Vec<String>,
    ) -> Option<Self> {
        if batch.is_empty() && deleted.is_empty() {
            return None;
        }
        let (store, connection, company) = (store.clone(), conn.id, conn.company_id);
        Some(Self(tokio::spawn(async move {
            if !batch.is_empty() {
                store
                    .upsert_records(connection, company, data_type, &batch)
                    .await?;
                metrics::counter!("ledgerbridge_records_written_total", "data_type" => data_type.key())
                    .increment(batch.len() as u64);
            }
            if !deleted.is_empty() {
                store.mark_deleted(connection, data_type, &deleted).await?;
            }
            Ok(batch.len() as u64)
        })))
    }

    /// Waits for a page's write (if any): how many records it wrote.
    async fn settle(write: Option<Self>) -> Result<u64, StoreError> {
        match write {
            None => Ok(0),
            Some(Self(task)) => task
                .await
                .map_err(|e| StoreError::Corrupt(format!("a page write stopped: {e}")))?,
        }
    }
}

/// One page, retrying transient faults with jittered exponential backoff and waiting out
/// rate limits (the dataset says `Paused until ...` meanwhile). `Err(outcome)` ends the sync.
async fn fetch_page_with_retries(
    worker: &Worker,
    connector: &dyn Connector,
    dataset: &DatasetRow,
    context: &ConnectionContext,
    request: &FetchRequest,
    cursor: Option<&str>,
) -> Result<Result<FetchPage, Outcome>, ledgerbridge_store::StoreError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let platform = connector.platform_key();
        let error = match connector.fetch_page(context, request, cursor).await {
            Ok(page) => {
                metrics::counter!("ledgerbridge_platform_pages_total", "platform" => platform, "outcome" => "ok")
                    .increment(1);
                return Ok(Ok(page));
            }
            Err(e) => e,
        };
        let outcome_label = match &error {
            ConnectorError::Transient(_) => "transient",
            ConnectorError::RateLimited { .. } => "rate_limited",
            ConnectorError::AuthRevoked(_) => "auth_revoked",
            ConnectorError::PermissionDenied(_) => "permission_denied",
            ConnectorError::NotSupported => "not_supported",
            ConnectorError::Malformed(_) => "malformed",
        };
        metrics::counter!("ledgerbridge_platform_pages_total", "platform" => platform, "outcome" => outcome_label)
            .increment(1);
        let outcome = match error {
            ConnectorError::Transient(msg) if attempt < MAX_ATTEMPTS => {
                let base = 200u64 << attempt.min(6);
                let jitter = rand::rng().random_range(0..=base);
                tracing::warn!(dataset = %dataset.id, attempt, %msg, "transient fault; retrying");
                tokio::time::sleep(Duration::from_millis(base + jitter)).await;
                continue;
            }
            ConnectorError::Transient(msg) => failed(
                DatasetStatus::FetchError,
                format!("The platform kept failing: {msg}"),
            ),
            ConnectorError::RateLimited {
                retry_after,
                daily_budget_spent: false,
            } if retry_after <= MAX_RATE_LIMIT_WAIT => {
                let until = chrono::Utc::now()
                    + chrono::Duration::from_std(retry_after).unwrap_or_default();
                let note = format!("Paused until {}", until.format("%Y-%m-%dT%H:%M:%S%.3fZ"));
                let lease =
                    worker.lease_until().as_datetime().max(until) + chrono::Duration::seconds(30);
                let still_ours = worker
                    .store
                    .renew_dataset(
                        dataset.id,
                        &worker.owner,
                        ledgerbridge_domain::Timestamp::from_datetime(lease),
                        DatasetStatus::Fetching,
                        dataset.progress,
                        Some(&note),
                    )
                    .await?;
                if !still_ours {
                    return Ok(Err(Outcome::Abandoned));
                }
                tokio::time::sleep(retry_after).await;
                attempt = 0;
                continue;
            }
            ConnectorError::RateLimited { .. } => failed(
                DatasetStatus::RateLimitError,
                "The platform's rate limit is spent; queue the sync again later.",
            ),
            ConnectorError::AuthRevoked(msg) => {
                let error = DataConnectionError::deauthorized(msg.clone());
                worker
                    .store
                    .deauthorize_connection(context.company_id, context.connection_id, &error)
                    .await?;
                metrics::counter!("ledgerbridge_deauthorizations_total", "platform" => platform)
                    .increment(1);
                failed(
                    DatasetStatus::AuthError,
                    format!(
                        "The platform revoked access ({msg}); the connection must be linked again."
                    ),
                )
            }
            ConnectorError::PermissionDenied(msg) => failed(DatasetStatus::PermissionsError, msg),
            ConnectorError::NotSupported => failed(
                DatasetStatus::NotSupported,
                format!(
                    "Datatype {} not supported by the platform",
                    request.data_type
                ),
            ),
            ConnectorError::Malformed(msg) => failed(
                DatasetStatus::FetchError,
                format!("The platform sent an unreadable page: {msg}"),
            ),
        };
        return Ok(Err(outcome));
    }
}

/// Where a sync of a type starts, from its settings: `syncFromUtc`, or `syncFromWindow`
/// months before `now`.
pub(crate) fn sync_from(
    setting: &ledgerbridge_domain::platform::SyncSetting,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<ledgerbridge_domain::Timestamp> {
    if let Some(from) = setting.sync_from_utc {
        return Some(from);
    }
    let months = u32::try_from(setting.sync_from_window?).ok()?;
    now.checked_sub_months(chrono::Months::new(months))
        .map(ledgerbridge_domain::Timestamp::from_datetime)
}
