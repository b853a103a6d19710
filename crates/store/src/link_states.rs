//! Hosted Link's OAuth authorizations in flight: one row per `state` handed to a platform.
//!
//! Only the SHA-256 of a `state` (and of a tenant-choice token) is stored. A row is consumed
//! at most once: the first callback marks it used in a conditional `UPDATE`, so two racing
//! callbacks cannot both link. The PKCE verifier and any tenants awaiting a choice are sealed
//! by [`crate::crypto::SecretBox`] before they reach this module.

use std::collections::BTreeMap;

use ledgerbridge_domain::{CompanyId, ConnectionId, Timestamp};
use sha2::{Digest, Sha256};

use crate::companies::parse_time;
use crate::crypto::Sealed;
use crate::pool::{read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// Rows stay this long past their expiry (so a late callback still gets "expired", not
/// "unknown"), then the next insert sweeps them.
const KEEP_EXPIRED_SECS: i64 = 24 * 3600;

/// The hex SHA-256 of a token (`state`, choice token, browser cookie): what is stored and
/// looked up instead of the token itself.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// One OAuth authorization in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkStateRow {
    /// [`token_hash`] of the `state` parameter.
    pub state_hash: String,
    pub company_id: CompanyId,
    pub connection_id: ConnectionId,
    pub integration_key: String,
    /// The sealed PKCE code verifier (context [`LinkStateRow::verifier_context`]).
    pub verifier: Option<Sealed>,
    /// Custom redirect parameters from the Link URL's query string.
    pub params: BTreeMap<String, String>,
    /// [`token_hash`] of the cookie that binds the flow to the browser that started it.
    pub browser_hash: String,
    pub created: Timestamp,
    /// Unix seconds after which the `state` is refused.
    pub expires_at: i64,
    pub used_at: Option<Timestamp>,
    /// Sealed tenants awaiting the owner's choice (context [`LinkStateRow::tenants_context`]).
    pub tenants: Option<Sealed>,
}

impl LinkStateRow {
    /// The associated data the verifier is sealed with.
    pub fn verifier_context(&self) -> String {
        format!("link_state:{}", self.state_hash)
    }

    /// The associated data the tenants awaiting a choice are sealed with.
    pub fn tenants_context(&self) -> String {
        format!("link_tenants:{}", self.state_hash)
    }
}

/// What looking up a single-use token found.
#[derive(Clone, Debug, PartialEq)]
pub enum Consumed {
    /// Valid, and now used up: the caller is the only one to get it.
    Fresh(Box<LinkStateRow>),
    /// It was used before.
    AlreadyUsed,
    /// It existed but its hour is over.
    Expired,
    /// Nothing was ever issued with this token (forged, truncated, or swept long ago).
    Unknown,
}

#[derive(sqlx::FromRow)]
struct RawLinkState {
    state_hash: String,
    company_id: String,
    connection_id: String,
    integration_key: String,
    verifier: Option<Vec<u8>>,
    verifier_key: Option<String>,
    params: String,
    browser_hash: String,
    created: String,
    expires_at: i64,
    used_at: Option<String>,
    tenants: Option<Vec<u8>>,
    tenants_key: Option<String>,
}

const COLUMNS: &str = "state_hash, company_id, connection_id, integration_key, verifier, verifier_key, \
     params, browser_hash, created, expires_at, used_at, tenants, tenants_key";

fn sealed(ciphertext: Option<Vec<u8>>, key_id: Option<String>) -> Option<Sealed> {
    Some(Sealed {
        ciphertext: ciphertext?,
        key_id: key_id?,
    })
}

impl TryFrom<RawLinkState> for LinkStateRow {
    type Error = StoreError;
    fn try_from(r: RawLinkState) -> Result<Self> {
        Ok(Self {
            state_hash: r.state_hash,
            company_id: r.company_id.parse().map_err(StoreError::corrupt)?,
            connection_id: r.connection_id.parse().map_err(StoreError::corrupt)?,
            integration_key: r.integration_key,
            verifier: sealed(r.verifier, r.verifier_key),
            params: serde_json::from_str(&r.params)?,
            browser_hash: r.browser_hash,
            created: parse_time(&r.created)?,
            expires_at: r.expires_at,
            used_at: r.used_at.as_deref().map(parse_time).transpose()?,
            tenants: sealed(r.tenants, r.tenants_key),
        })
    }
}

impl Store {
    /// Records a new authorization in flight, and sweeps rows long past their expiry.
    pub async fn insert_link_state(&self, row: &LinkStateRow) -> Result<()> {
        let sweep_before = row.expires_at - 3600 - KEEP_EXPIRED_SECS;
        write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM link_states WHERE expires_at < $1")
                .bind(sweep_before)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO link_states (state_hash, company_id, connection_id, integration_key, \
                 verifier, verifier_key, params, browser_hash, created, expires_at, used_at, tenants, tenants_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(row.state_hash.clone())
            .bind(row.company_id.to_string())
            .bind(row.connection_id.to_string())
            .bind(row.integration_key.clone())
            .bind(row.verifier.as_ref().map(|s| s.ciphertext.clone()))
            .bind(row.verifier.as_ref().map(|s| s.key_id.clone()))
            .bind(serde_json::to_string(&row.params)?)
            .bind(row.browser_hash.clone())
            .bind(row.created.to_string())
            .bind(row.expires_at)
            .bind(row.used_at.map(|t| t.to_string()))
            .bind(row.tenants.as_ref().map(|s| s.ciphertext.clone()))
            .bind(row.tenants.as_ref().map(|s| s.key_id.clone()))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn link_state_where(&self, column: &str, hash: &str) -> Result<Option<LinkStateRow>> {
        let sql = format!("SELECT {COLUMNS} FROM link_states WHERE {column} = $1");
        let raw: Option<RawLinkState> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(hash).fetch_optional(pool).await)?;
        raw.map(LinkStateRow::try_from).transpose()
    }

    /// The authorization with this state hash, used or not (for tests and diagnostics).
    pub async fn get_link_state(&self, state_hash: &str) -> Result<Option<LinkStateRow>> {
        self.link_state_where("state_hash", state_hash).await
    }

    /// Uses up a `state` (by its hash) at `now` (Unix seconds): only the first caller gets
    /// [`Consumed::Fresh`].
    pub async fn consume_link_state(&self, state_hash: &str, now: i64) -> Result<Consumed> {
        let used_at = Timestamp::now().to_string();
        let changed = write_pool!(self, pool =>
            sqlx::query(
                "UPDATE link_states SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL AND expires_at > $3",
            )
            .bind(&used_at)
            .bind(state_hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        let row = self.link_state_where("state_hash", state_hash).await?;
        Ok(classify(row, changed == 1, now))
    }

    /// Parks the tenants of a consumed authorization until the owner picks one through the
    /// single-use choice token whose hash is `choice_hash`. `false` when the row is gone.
    pub async fn await_tenant_choice(
        &self,
        state_hash: &str,
        choice_hash: &str,
        tenants: &Sealed,
    ) -> Result<bool> {
        let done = write_pool!(self, pool =>
            sqlx::query(
                "UPDATE link_states SET choice_hash = $1, tenants = $2, tenants_key = $3 WHERE state_hash = $4",
            )
            .bind(choice_hash)
            .bind(tenants.ciphertext.clone())
            .bind(tenants.key_id.clone())
            .bind(state_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The authorization awaiting a tenant choice with this token hash, without using it up
    /// (to show the choice page again).
    pub async fn pending_tenant_choice(
        &self,
        choice_hash: &str,
        now: i64,
    ) -> Result<Option<LinkStateRow>> {
        Ok(self
            .link_state_where("choice_hash", choice_hash)
            .await?
            .filter(|r| r.tenants.is_some() && r.expires_at > now))
    }

    /// Uses up a tenant-choice token: the returned row still carries the sealed tenants; the
    /// stored copy is erased.
    pub async fn consume_tenant_choice(&self, choice_hash: &str, now: i64) -> Result<Consumed> {
        let Some(row) = self.link_state_where("choice_hash", choice_hash).await? else {
            return Ok(Consumed::Unknown);
        };
        if row.tenants.is_none() {
            return Ok(Consumed::AlreadyUsed);
        }
        if row.expires_at <= now {
            return Ok(Consumed::Expired);
        }
        let changed = write_pool!(self, pool =>
            sqlx::query(
                "UPDATE link_states SET tenants = NULL, tenants_key = NULL WHERE choice_hash = $1 AND tenants IS NOT NULL",
            )
            .bind(choice_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(if changed == 1 {
            Consumed::Fresh(Box::new(row))
        } else {
            Consumed::AlreadyUsed
        })
    }
}

fn classify(row: Option<LinkStateRow>, changed: bool, now: i64) -> Consumed {
    match row {
        None => Consumed::Unknown,
        Some(row) if changed => Consumed::Fresh(Box::new(row)),
        Some(row) if row.used_at.is_some() => Consumed::AlreadyUsed,
        Some(row) if row.expires_at <= now => Consumed::Expired,
        // Not changed, not used, not expired: only a racing sweep could do this.
        Some(_) => Consumed::Unknown,
    }
}
