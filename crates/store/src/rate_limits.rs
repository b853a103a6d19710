//! The daily request quota of each API key, shared by every API node on the database.

use crate::Result;
use crate::pool::{Store, write_pool};

/// What a reservation got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaGrant {
    /// Requests reserved for the caller (0 when the quota is spent).
    pub granted: u64,
    /// Requests of the key reserved by all nodes on the day, this grant included.
    pub used: u64,
}

impl Store {
    /// Reserves up to `want` requests of `key_hash`'s `quota` for `day` (`YYYY-MM-DD`, UTC):
    /// the whole `want` when that fits, else what is left. Atomic across nodes: two nodes can
    /// never reserve more than `quota` between them.
    pub async fn reserve_quota(
        &self,
        key_hash: &str,
        day: &str,
        want: u64,
        quota: u64,
    ) -> Result<QuotaGrant> {
        let quota_i = i64::try_from(quota).unwrap_or(i64::MAX);
        let mut want = want.min(quota);
        // A few rounds: another node may take what was left between our read and our write.
        for _ in 0..4 {
            if want == 0 {
                break;
            }
            let want_i = i64::try_from(want).unwrap_or(i64::MAX);
            let row: Option<(i64,)> = write_pool!(self, pool => {
                sqlx::query_as(
                    "INSERT INTO api_quota_usage (key_hash, day, used) VALUES ($1, $2, $3) \
                     ON CONFLICT (key_hash, day) DO UPDATE SET used = api_quota_usage.used + excluded.used \
                     WHERE api_quota_usage.used + excluded.used <= $4 RETURNING used",
                )
                .bind(key_hash)
                .bind(day)
                .bind(want_i)
                .bind(quota_i)
                .fetch_optional(pool)
                .await?
            });
            if let Some((used,)) = row {
                return Ok(QuotaGrant {
                    granted: want,
                    used: u64::try_from(used).unwrap_or(0),
                });
            }
            let used = self.quota_used(key_hash, day).await?;
            want = want.min(quota.saturating_sub(used));
        }
        Ok(QuotaGrant {
            granted: 0,
            used: self.quota_used(key_hash, day).await?,
        })
    }

    /// Requests of `key_hash` reserved on `day` by all nodes.
    pub async fn quota_used(&self, key_hash: &str, day: &str) -> Result<u64> {
        let row: Option<(i64,)> = write_pool!(self, pool => {
            sqlx::query_as("SELECT used FROM api_quota_usage WHERE key_hash = $1 AND day = $2")
                .bind(key_hash)
                .bind(day)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map_or(0, |(u,)| u64::try_from(u).unwrap_or(0)))
    }

    /// Hands `unspent` requests of a reservation of `key_hash` on `day` back to the quota (a
    /// stopping node returns what it reserved and did not serve). Never goes below zero.
    pub async fn release_quota(&self, key_hash: &str, day: &str, unspent: u64) -> Result<()> {
        let unspent = i64::try_from(unspent).unwrap_or(i64::MAX);
        write_pool!(self, pool => {
            sqlx::query(
                "UPDATE api_quota_usage SET used = CASE WHEN used > $3 THEN used - $3 ELSE 0 END \
                 WHERE key_hash = $1 AND day = $2",
            )
            .bind(key_hash)
            .bind(day)
            .bind(unspent)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Deletes the usage of days before `day`.
    pub async fn forget_quota_before(&self, day: &str) -> Result<u64> {
        let done = write_pool!(self, pool => {
            sqlx::query("DELETE FROM api_quota_usage WHERE day < $1")
                .bind(day)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}
