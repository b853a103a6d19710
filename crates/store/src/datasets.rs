//! Datasets (Codat's pull operations): queueing, history and per-type data status.

use ledgerbridge_domain::platform::DatasetStatus;
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};

use crate::companies::parse_time;
use crate::filter::FieldSource;
use crate::listing::{ListRequest, Listing};
use crate::pool::{read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// A dataset as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetRow {
    pub id: uuid::Uuid,
    pub company_id: CompanyId,
    pub connection_id: ConnectionId,
    pub data_type: DataType,
    pub status: DatasetStatus,
    pub status_description: Option<String>,
    pub error_message: Option<String>,
    pub requested: Timestamp,
    pub completed: Option<Timestamp>,
    pub progress: i32,
}

impl DatasetRow {
    /// A new `Queued` dataset, due now.
    pub fn queued(company_id: CompanyId, connection_id: ConnectionId, data_type: DataType) -> Self {
        Self {
            id: uuid::Uuid::now_v7(),
            company_id,
            connection_id,
            data_type,
            status: DatasetStatus::Queued,
            status_description: None,
            error_message: None,
            requested: Timestamp::now(),
            completed: None,
            progress: 0,
        }
    }
}

/// Why a dataset could not be queued.
#[derive(Debug)]
pub enum QueueError {
    /// One of the same data type is still running on that connection: its id.
    AlreadyInProgress(uuid::Uuid),
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for QueueError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// The latest dataset of one data type of a company, and its latest successful one.
#[derive(Clone, Debug, PartialEq)]
pub struct DataTypeStatus {
    pub data_type: DataType,
    pub latest_id: uuid::Uuid,
    pub latest_status: DatasetStatus,
    pub last_success: Option<(uuid::Uuid, Timestamp)>,
}

#[derive(sqlx::FromRow)]
struct RawDataset {
    id: String,
    company_id: String,
    connection_id: String,
    data_type: String,
    status: String,
    status_description: Option<String>,
    error_message: Option<String>,
    requested: String,
    completed: Option<String>,
    progress: i64,
}

const DATASET_COLUMNS: &str = "id, company_id, connection_id, data_type, status, status_description, \
     error_message, requested, completed, progress";

impl TryFrom<RawDataset> for DatasetRow {
    type Error = StoreError;
    fn try_from(r: RawDataset) -> Result<Self> {
        Ok(Self {
            id: r.id.parse().map_err(StoreError::corrupt)?,
            company_id: r.company_id.parse().map_err(StoreError::corrupt)?,
            connection_id: r.connection_id.parse().map_err(StoreError::corrupt)?,
            data_type: r.data_type.parse().map_err(StoreError::corrupt)?,
            status: r.status.parse().map_err(StoreError::corrupt)?,
            status_description: r.status_description,
            error_message: r.error_message,
            requested: parse_time(&r.requested)?,
            completed: r.completed.as_deref().map(parse_time).transpose()?,
            progress: i32::try_from(r.progress).map_err(StoreError::corrupt)?,
        })
    }
}

/// Where a pull operation's queryable fields live: columns of `datasets`.
pub static DATASET_SOURCE: FieldSource = FieldSource::Columns {
    table: "datasets",
    columns: &[],
    maps: &[],
    arrays: &[],
};

const DATASET_LISTING: Listing = Listing {
    table: "datasets",
    source: &DATASET_SOURCE,
    columns: DATASET_COLUMNS,
    default_order: "requested",
};

impl Store {
    /// Queues a dataset, unless one of the same data type is still in progress on that
    /// connection (the database's unique index decides, so concurrent requests on several API
    /// nodes cannot both win).
    pub async fn queue_dataset(&self, d: &DatasetRow) -> Result<(), QueueError> {
        let inserted = write_pool!(self, pool =>
            sqlx::query(
                "INSERT INTO datasets (id, company_id, connection_id, data_type, status, status_description, \
                 error_message, requested, completed, progress, run_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8)",
            )
            .bind(d.id.to_string())
            .bind(d.company_id.to_string())
            .bind(d.connection_id.to_string())
            .bind(d.data_type.key())
            .bind(d.status.as_str())
            .bind(d.status_description.clone())
            .bind(d.error_message.clone())
            .bind(d.requested.to_string())
            .bind(d.completed.map(|t| t.to_string()))
            .bind(i64::from(d.progress))
            .execute(pool)
            .await
            .map(|_| ()));
        match inserted {
            Ok(()) => {
                if d.status.is_in_progress() {
                    self.notify_work();
                }
                Ok(())
            }
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                let running = self
                    .dataset_in_progress(d.connection_id, d.data_type)
                    .await?;
                Err(QueueError::AlreadyInProgress(
                    running.map_or(d.id, |r| r.id),
                ))
            }
            Err(e) => Err(QueueError::Store(e.into())),
        }
    }

    /// Queues several datasets in one transaction, skipping each type still in progress on
    /// its connection. A worker never sees part of the batch, so the read they make is
    /// reported once (`read.completed` fires when a connection's queued datasets have all
    /// finished). Returns how many were queued.
    pub async fn queue_datasets(&self, rows: &[DatasetRow]) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let queued = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut queued = 0u64;
            for d in rows {
                queued += sqlx::query(
                    "INSERT INTO datasets (id, company_id, connection_id, data_type, status, status_description, \
                     error_message, requested, completed, progress, run_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8) ON CONFLICT DO NOTHING",
                )
                .bind(d.id.to_string())
                .bind(d.company_id.to_string())
                .bind(d.connection_id.to_string())
                .bind(d.data_type.key())
                .bind(d.status.as_str())
                .bind(d.status_description.clone())
                .bind(d.error_message.clone())
                .bind(d.requested.to_string())
                .bind(d.completed.map(|t| t.to_string()))
                .bind(i64::from(d.progress))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            queued
        });
        if queued > 0 {
            self.notify_work();
        }
        Ok(queued)
    }

    /// The unfinished dataset of a data type on a connection, if any.
    pub async fn dataset_in_progress(
        &self,
        connection: ConnectionId,
        data_type: DataType,
    ) -> Result<Option<DatasetRow>> {
        let placeholders = in_progress_list();
        let sql = format!(
            "SELECT {DATASET_COLUMNS} FROM datasets WHERE connection_id = $1 AND data_type = $2 AND status IN ({placeholders})"
        );
        let raw: Option<RawDataset> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(connection.to_string())
                .bind(data_type.key())
                .fetch_optional(pool)
                .await)?;
        raw.map(DatasetRow::try_from).transpose()
    }

    /// One dataset of a company.
    pub async fn get_dataset(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<DatasetRow>> {
        let sql =
            format!("SELECT {DATASET_COLUMNS} FROM datasets WHERE id = $1 AND company_id = $2");
        let raw: Option<RawDataset> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id.to_string())
                .bind(company.to_string())
                .fetch_optional(pool)
                .await)?;
        raw.map(DatasetRow::try_from).transpose()
    }

    /// One page of a company's pull history and the number that match in all.
    pub async fn list_datasets(
        &self,
        company: CompanyId,
        req: &ListRequest,
    ) -> Result<(Vec<DatasetRow>, u64)> {
        let scope = sea_query::Expr::cust_with_values(
            match self.dialect() {
                crate::filter::Dialect::Sqlite => "\"datasets\".company_id = ?",
                crate::filter::Dialect::Postgres => "\"datasets\".company_id = $1",
            },
            [company.to_string()],
        );
        let (raws, total) = self
            .list_rows::<RawDataset>(&DATASET_LISTING, Some(scope), req)
            .await?;
        Ok((
            raws.into_iter()
                .map(DatasetRow::try_from)
                .collect::<Result<_>>()?,
            total,
        ))
    }

    /// For every data type ever queued for the company: its latest dataset and its latest
    /// successful one.
    pub async fn data_status(&self, company: CompanyId) -> Result<Vec<DataTypeStatus>> {
        let latest: Vec<(String, String, String)> = read_pool!(self, pool =>
            sqlx::query_as(
                "SELECT d.data_type, d.id, d.status FROM datasets d \
                 WHERE d.company_id = $1 AND d.id = (SELECT x.id FROM datasets x \
                   WHERE x.company_id = d.company_id AND x.data_type = d.data_type \
                   ORDER BY x.requested DESC, x.id DESC LIMIT 1)",
            )
            .bind(company.to_string())
            .fetch_all(pool)
            .await)?;
        let successes: Vec<(String, String, Option<String>)> = read_pool!(self, pool =>
            sqlx::query_as(
                "SELECT d.data_type, d.id, d.completed FROM datasets d \
                 WHERE d.company_id = $1 AND d.id = (SELECT x.id FROM datasets x \
                   WHERE x.company_id = d.company_id AND x.data_type = d.data_type AND x.status = 'Complete' \
                   ORDER BY x.completed DESC, x.id DESC LIMIT 1)",
            )
            .bind(company.to_string())
            .fetch_all(pool)
            .await)?;
        let mut out = Vec::with_capacity(latest.len());
        for (data_type, id, status) in latest {
            let last_success = successes
                .iter()
                .find(|(t, _, _)| *t == data_type)
                .map(|(_, id, completed)| -> Result<_> {
                    let when = completed.as_deref().ok_or_else(|| {
                        StoreError::corrupt("Complete dataset without completed time")
                    })?;
                    Ok((id.parse().map_err(StoreError::corrupt)?, parse_time(when)?))
                })
                .transpose()?;
            out.push(DataTypeStatus {
                data_type: data_type.parse().map_err(StoreError::corrupt)?,
                latest_id: id.parse().map_err(StoreError::corrupt)?,
                latest_status: status.parse().map_err(StoreError::corrupt)?,
                last_success,
            });
        }
        out.sort_by_key(|s| s.data_type);
        Ok(out)
    }
}

/// The key of the PostgreSQL advisory lock claims run under.
const CLAIM_LOCK: i64 = 0x006c_6263_6c61_696d; // "lbclaim"

/// The in-progress statuses as an SQL list of literals (they are constants, not input).
fn in_progress_list() -> String {
    DatasetStatus::IN_PROGRESS
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Leasing datasets to workers: the rows are the job queue.
impl Store {
    /// Leases up to `limit` due, unleased (or expired-lease) unfinished datasets to `owner`
    /// until `lease_until`, oldest first, moving `Queued` ones to `Fetching`.
    ///
    /// Work is leased by connection: a dataset is handed out only if no other worker holds its
    /// connection (`connection_leases`, live), no dataset of the connection is running under a
    /// live lease, and it is the connection's first due dataset (they run one at a time, in
    /// the order they were queued, which is `syncOrder`). Claiming takes (or renews) the
    /// connection's lease. On PostgreSQL the claim runs under a transaction-level advisory
    /// lock, so two workers claiming at once cannot both see a connection as free.
    pub async fn claim_datasets(
        &self,
        owner: &str,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DatasetRow>> {
        let in_progress = in_progress_list();
        let postgres = self.dialect() == crate::filter::Dialect::Postgres;
        let skip_locked = if postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        // When the run starts, read as the row is claimed: on PostgreSQL the clock inside the
        // statement, after its snapshot (so a claim that follows a dataset's end is stamped
        // after it); SQLite's one writer runs claims and finishes one after another.
        let claimed = if postgres {
            "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        } else {
            "$3"
        };
        let sql = format!(
            "UPDATE datasets SET lease_owner = $1, lease_expires = $2, attempts = attempts + 1, claimed = {claimed}, \
               status = CASE WHEN status IN ('Initial', 'Queued') THEN 'Fetching' ELSE status END \
             WHERE id IN ( \
               SELECT d.id FROM datasets d \
               WHERE d.status IN ({in_progress}) AND d.run_at <= $3 \
                 AND (d.lease_owner IS NULL OR d.lease_expires < $3) \
                 AND NOT EXISTS (SELECT 1 FROM connection_leases l \
                   WHERE l.connection_id = d.connection_id AND l.owner <> $1 AND l.expires >= $3) \
                 AND NOT EXISTS (SELECT 1 FROM datasets o WHERE o.connection_id = d.connection_id \
                   AND o.id <> d.id AND o.status IN ({in_progress}) \
                   AND o.lease_owner IS NOT NULL AND o.lease_expires >= $3) \
                 AND d.id = (SELECT f.id FROM datasets f WHERE f.connection_id = d.connection_id \
                   AND f.status IN ({in_progress}) AND f.run_at <= $3 ORDER BY f.run_at, f.id LIMIT 1) \
               ORDER BY d.run_at, d.id LIMIT $4{skip_locked}) \
             RETURNING {DATASET_COLUMNS}"
        );
        let raws: Vec<RawDataset> = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(CLAIM_LOCK)
                    .execute(&mut *tx)
                    .await?;
            }
            // Read the clock once the claim may proceed (the lock can take a while).
            let now = Timestamp::now().to_string();
            let raws: Vec<RawDataset> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(owner)
                .bind(lease_until.to_string())
                .bind(&now)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
            for r in &raws {
                sqlx::query(
                    "INSERT INTO connection_leases (connection_id, owner, expires) VALUES ($1, $2, $3) \
                     ON CONFLICT (connection_id) DO UPDATE SET owner = excluded.owner, expires = excluded.expires",
                )
                .bind(&r.connection_id)
                .bind(owner)
                .bind(lease_until.to_string())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            raws
        });
        raws.into_iter().map(DatasetRow::try_from).collect()
    }

    /// Extends `owner`'s lease (and its lease of the dataset's connection) and records
    /// progress. `false` when the lease was lost (another worker reclaimed it after it
    /// expired): the caller must stop working on it.
    pub async fn renew_dataset(
        &self,
        id: uuid::Uuid,
        owner: &str,
        lease_until: Timestamp,
        status: DatasetStatus,
        progress: i32,
        description: Option<&str>,
    ) -> Result<bool> {
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE datasets SET lease_expires = $1, status = $2, progress = $3, status_description = $4 \
                 WHERE id = $5 AND lease_owner = $6",
            )
            .bind(lease_until.to_string())
            .bind(status.as_str())
            .bind(i64::from(progress))
            .bind(description)
            .bind(id.to_string())
            .bind(owner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                sqlx::query(
                    "UPDATE connection_leases SET expires = $1 WHERE owner = $2 \
                     AND connection_id = (SELECT connection_id FROM datasets WHERE id = $3)",
                )
                .bind(lease_until.to_string())
                .bind(owner)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            done
        });
        Ok(done == 1)
    }

    /// Finishes `owner`'s dataset with a terminal status. On `Complete` it keeps the
    /// watermark and stamps `lastSync` on the connection and the company, in one transaction.
    /// `false` when the lease was lost.
    pub async fn finish_dataset(
        &self,
        id: uuid::Uuid,
        owner: &str,
        status: DatasetStatus,
        error_message: Option<&str>,
        watermark: Option<&str>,
    ) -> Result<bool> {
        let now = Timestamp::now().to_string();
        let finished = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<(String, String)> = sqlx::query_as(
                "UPDATE datasets SET status = $1, error_message = $2, watermark = $3, completed = $4, \
                 progress = 100, status_description = NULL, lease_owner = NULL, lease_expires = NULL \
                 WHERE id = $5 AND lease_owner = $6 RETURNING connection_id, company_id",
            )
            .bind(status.as_str())
            .bind(error_message)
            .bind(watermark)
            .bind(&now)
            .bind(id.to_string())
            .bind(owner)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((connection, company)) = row else {
                return Ok(false);
            };
            if status == DatasetStatus::Complete {
                sqlx::query("UPDATE connections SET last_sync = $1 WHERE id = $2")
                    .bind(&now)
                    .bind(&connection)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE companies SET last_sync = $1 WHERE id = $2")
                    .bind(&now)
                    .bind(&company)
                    .execute(&mut *tx)
                    .await?;
            }
            // `read.completed` when this was the last of the connection's running datasets.
            crate::outbox::dataset_finished(&mut crate::outbox::Tx::from(&mut *tx), &company, &connection).await?;
            tx.commit().await?;
            true
        });
        Ok(finished)
    }

    /// Hands back every lease `owner` holds (graceful shutdown): the datasets become due
    /// again at once for any worker.
    pub async fn release_datasets(&self, owner: &str) -> Result<u64> {
        let now = Timestamp::now().to_string();
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE datasets SET lease_owner = NULL, lease_expires = NULL, run_at = $1 WHERE lease_owner = $2",
            )
            .bind(&now)
            .bind(owner)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("DELETE FROM connection_leases WHERE owner = $1")
                .bind(owner)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            done
        });
        if done > 0 {
            self.notify_work();
        }
        Ok(done)
    }

    /// Hands back every lease anyone holds. Only for a database one process serves (SQLite):
    /// at its start, any lease left is a dead process's, and waiting for it to expire would
    /// only delay the restart's syncs.
    pub async fn release_all_leases(&self) -> Result<u64> {
        let now = Timestamp::now().to_string();
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE datasets SET lease_owner = NULL, lease_expires = NULL, run_at = $1 \
                 WHERE lease_owner IS NOT NULL",
            )
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("DELETE FROM connection_leases").execute(&mut *tx).await?;
            tx.commit().await?;
            done
        });
        Ok(done)
    }

    /// The job queue at a glance, for metrics: datasets waiting for a worker, datasets
    /// running under a lease, webhook messages pending, and how long ago the oldest running
    /// dataset was claimed.
    pub async fn queue_stats(&self) -> Result<QueueStats> {
        let in_progress = in_progress_list();
        let sql = format!(
            "SELECT                (SELECT COUNT(*) FROM datasets WHERE status IN ({in_progress}) AND lease_owner IS NULL),                (SELECT COUNT(*) FROM datasets WHERE status IN ({in_progress}) AND lease_owner IS NOT NULL),                (SELECT MIN(claimed) FROM datasets WHERE status IN ({in_progress}) AND lease_owner IS NOT NULL),                (SELECT COUNT(*) FROM outbox_messages WHERE status = 'Pending')"
        );
        let (waiting, running, oldest, webhooks): (i64, i64, Option<String>, i64) = read_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_one(pool)
                .await?
        });
        let oldest_lease_age = oldest
            .as_deref()
            .and_then(Timestamp::parse)
            .map(|t| {
                let age = chrono::Utc::now() - t.as_datetime();
                age.num_milliseconds().max(0) as f64 / 1000.0
            })
            .unwrap_or(0.0);
        Ok(QueueStats {
            datasets_waiting: u64::try_from(waiting).unwrap_or(0),
            datasets_running: u64::try_from(running).unwrap_or(0),
            webhook_messages_pending: u64::try_from(webhooks).unwrap_or(0),
            oldest_lease_age_seconds: oldest_lease_age,
        })
    }

    /// Wakes this process's workers: a dataset was queued or handed back.
    pub fn notify_work(&self) {
        self.work_queued.notify_one();
    }

    /// Waits until this process queues a dataset (or [`Store::notify_work`] is called); a
    /// notification sent while nobody waited is kept for the next wait. Work queued by other
    /// processes is not signalled: workers also poll, slowly.
    pub async fn work_queued(&self) {
        self.work_queued.notified().await;
    }

    /// The watermark of the last `Complete` dataset of a type on a connection.
    pub async fn last_watermark(
        &self,
        connection: ConnectionId,
        data_type: DataType,
    ) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = read_pool!(self, pool =>
            sqlx::query_as(
                "SELECT watermark FROM datasets WHERE connection_id = $1 AND data_type = $2 AND status = 'Complete' \
                 ORDER BY completed DESC, id DESC LIMIT 1",
            )
            .bind(connection.to_string())
            .bind(data_type.key())
            .fetch_optional(pool)
            .await)?;
        Ok(row.and_then(|(w,)| w))
    }
}

/// The job queue at a glance ([`Store::queue_stats`]).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueStats {
    /// Unfinished datasets no worker holds (due now or later).
    pub datasets_waiting: u64,
    /// Datasets running under a worker's lease.
    pub datasets_running: u64,
    /// Webhook messages not yet delivered or given up.
    pub webhook_messages_pending: u64,
    /// Seconds since the oldest running dataset was claimed (0 when none runs).
    pub oldest_lease_age_seconds: f64,
}
