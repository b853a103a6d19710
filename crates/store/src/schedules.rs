//! Scheduled syncs: when each data type of each connection is next due.

use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};

use crate::pool::{read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// A schedule entry that has come due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueSync {
    pub connection_id: ConnectionId,
    pub company_id: CompanyId,
    pub data_type: DataType,
}

/// The slot `hours` after `now` (at least one hour).
pub fn next_run_after(now: Timestamp, hours: i32) -> Timestamp {
    Timestamp::from_datetime(now.as_datetime() + chrono::Duration::hours(i64::from(hours.max(1))))
}

impl Store {
    /// Sets (or moves) when `data_type` of a connection is next synced.
    pub async fn schedule_sync(
        &self,
        company: CompanyId,
        connection: ConnectionId,
        data_type: DataType,
        next_run_at: Timestamp,
    ) -> Result<()> {
        write_pool!(self, pool =>
            sqlx::query(
                "INSERT INTO sync_schedules (connection_id, data_type, company_id, next_run_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (connection_id, data_type) DO UPDATE SET next_run_at = excluded.next_run_at",
            )
            .bind(connection.to_string())
            .bind(data_type.key())
            .bind(company.to_string())
            .bind(next_run_at.to_string())
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Stops scheduling `data_type` of a connection.
    pub async fn unschedule_sync(
        &self,
        connection: ConnectionId,
        data_type: DataType,
    ) -> Result<()> {
        write_pool!(self, pool =>
            sqlx::query("DELETE FROM sync_schedules WHERE connection_id = $1 AND data_type = $2")
                .bind(connection.to_string())
                .bind(data_type.key())
                .execute(pool)
                .await
                .map(|_| ()))?;
        Ok(())
    }

    /// Up to `limit` schedule entries due at `now`, the most overdue first.
    pub async fn due_syncs(&self, now: Timestamp, limit: u32) -> Result<Vec<DueSync>> {
        let rows: Vec<(String, String, String)> = read_pool!(self, pool =>
            sqlx::query_as(
                "SELECT connection_id, company_id, data_type FROM sync_schedules \
                 WHERE next_run_at <= $1 ORDER BY next_run_at, connection_id, data_type LIMIT $2",
            )
            .bind(now.to_string())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(|(conn, company, data_type)| {
                Ok(DueSync {
                    connection_id: conn.parse().map_err(StoreError::corrupt)?,
                    company_id: company.parse().map_err(StoreError::corrupt)?,
                    data_type: data_type.parse().map_err(StoreError::corrupt)?,
                })
            })
            .collect()
    }
}
