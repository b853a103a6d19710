//! Client rate limits in Codat's shape (CONTRACT.md §1.5): a daily quota and a number of
//! concurrent requests per API key. Every API response carries `X-Rate-Limit-Limit`,
//! `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset`; a request over either limit gets `429`,
//! `Retry-After` and Codat's error body.
//!
//! The quota is counted in the database (`api_quota_usage`), so every node on one PostgreSQL
//! database shares it. To keep the hot path cheap a node reserves the quota in chunks (1% of
//! the quota, at most 100 requests) and serves requests from its reservation in memory: one
//! write per chunk, not per request. A node that stops gracefully hands the unspent part of
//! its reservations back ([`RateLimits::hand_back`]); one that crashes loses it, so a key may
//! get slightly fewer requests than its quota, never more. Concurrency is counted per node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use ledgerbridge_store::Store;
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::state::AppState;

/// Codat's wording for a request over the limits.
pub const TOO_MANY_REQUESTS: &str =
    "You have made too many requests in a given amount of time; please retry later.";

/// The limits every API key gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests per key per UTC day, over all nodes; 0 means no quota.
    pub daily_quota: u64,
    /// Requests of one key in flight at once on one node; 0 means no limit.
    pub concurrency: u32,
}

/// The SHA-256 of the API key a request authenticated with (set by the auth middleware).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ApiKeyHash(pub [u8; 32]);

/// Each key's limits on this node.
pub struct RateLimits {
    config: RateLimitConfig,
    keys: Mutex<HashMap<ApiKeyHash, Arc<KeyLimits>>>,
}

struct KeyLimits {
    in_flight: Arc<Semaphore>,
    quota: tokio::sync::Mutex<Quota>,
}

/// This node's view of a key's quota for one day.
struct Quota {
    day: NaiveDate,
    /// Requests reserved in the database and not yet served here.
    reserved: u64,
    /// The key's usage over all nodes as of our last reservation (it included).
    used: u64,
    /// The database had nothing left for the day.
    spent: bool,
}

impl Quota {
    fn new(day: NaiveDate) -> Self {
        Self {
            day,
            reserved: 0,
            used: 0,
            spent: false,
        }
    }
}

/// What the quota says about one request.
enum Decision {
    Allowed { remaining: u64 },
    Spent,
}

impl RateLimits {
    /// Limits with this configuration.
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            config,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn key(&self, key: ApiKeyHash) -> Arc<KeyLimits> {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.entry(key)
            .or_insert_with(|| {
                Arc::new(KeyLimits {
                    in_flight: Arc::new(Semaphore::new(if self.config.concurrency == 0 {
                        Semaphore::MAX_PERMITS
                    } else {
                        self.config.concurrency as usize
                    })),
                    quota: tokio::sync::Mutex::new(Quota::new(NaiveDate::MIN)),
                })
            })
            .clone()
    }

    fn chunk(&self) -> u64 {
        (self.config.daily_quota / 100).clamp(1, 100)
    }

    /// Takes one request from `key`'s quota for `today`.
    async fn take(
        &self,
        store: &Store,
        limits: &KeyLimits,
        key: ApiKeyHash,
        today: NaiveDate,
    ) -> Result<Decision, ledgerbridge_store::StoreError> {
        let quota = self.config.daily_quota;
        let mut q = limits.quota.lock().await;
        if q.day != today {
            let first_use = q.day == NaiveDate::MIN;
            *q = Quota::new(today);
            if !first_use {
                // A new day began: yesterday's counts are no longer needed anywhere.
                store.forget_quota_before(&day_key(today)).await?;
            }
        }
        if q.reserved == 0 && !q.spent {
            let grant = store
                .reserve_quota(&hex(&key.0), &day_key(today), self.chunk(), quota)
                .await?;
            q.reserved = grant.granted;
            q.used = grant.used;
            q.spent = grant.granted == 0;
        }
        if q.reserved == 0 {
            return Ok(Decision::Spent);
        }
        q.reserved -= 1;
        let used_here = q.used.saturating_sub(q.reserved);
        Ok(Decision::Allowed {
            remaining: quota.saturating_sub(used_here),
        })
    }
}

fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn hex(bytes: &[u8; 32]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(64);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// When the quota of `today` resets (the next 00:00 UTC), as an HTTP date, and the seconds
/// until then.
fn reset_of(today: NaiveDate) -> (String, u64) {
    let next = today
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or_else(Utc::now);
    let secs = (next - Utc::now()).num_seconds().max(1);
    (
        next.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        u64::try_from(secs).unwrap_or(1),
    )
}

fn set_headers(headers: &mut HeaderMap, limit: u64, remaining: u64, reset: &str) {
    headers.insert("x-rate-limit-limit", HeaderValue::from(limit));
    headers.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
    if let Ok(v) = HeaderValue::from_str(reset) {
        headers.insert("x-rate-limit-reset", v);
    }
}

fn too_many(retry_after: u64) -> Response {
    let mut resp = ApiError::new(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_REQUESTS).into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    resp
}

/// Middleware (after authentication): enforces the key's concurrency and daily quota and
/// puts the rate-limit headers on the response.
pub async fn enforce_rate_limits(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let limits = &state.rate_limits;
    let Some(key) = req.extensions().get::<ApiKeyHash>().copied() else {
        return Ok(next.run(req).await);
    };
    let key_limits = limits.key(key);
    let today = Utc::now().date_naive();
    let (reset, reset_in) = reset_of(today);
    let quota = limits.config.daily_quota;
    let Ok(_permit) = key_limits.in_flight.clone().try_acquire_owned() else {
        metrics::counter!("ledgerbridge_client_rate_limited_total", "limit" => "concurrency")
            .increment(1);
        let remaining = if quota == 0 {
            0
        } else {
            limits.remaining(&key_limits).await
        };
        let mut resp = too_many(1);
        set_headers(resp.headers_mut(), quota, remaining, &reset);
        return Ok(resp);
    };
    if quota == 0 {
        return Ok(next.run(req).await);
    }
    match limits.take(&state.store, &key_limits, key, today).await? {
        Decision::Allowed { remaining } => {
            let mut resp = next.run(req).await;
            set_headers(resp.headers_mut(), quota, remaining, &reset);
            Ok(resp)
        }
        Decision::Spent => {
            metrics::counter!("ledgerbridge_client_rate_limited_total", "limit" => "daily_quota")
                .increment(1);
            let mut resp = too_many(reset_in);
            set_headers(resp.headers_mut(), quota, 0, &reset);
            Ok(resp)
        }
    }
}

impl RateLimits {
    /// Returns every key's reserved-but-unserved requests to the shared quota (a stopping
    /// node: call once no request runs any more). Returns how many were handed back.
    pub async fn hand_back(&self, store: &Store) -> Result<u64, ledgerbridge_store::StoreError> {
        let keys: Vec<(ApiKeyHash, Arc<KeyLimits>)> = {
            let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
            keys.iter().map(|(k, l)| (*k, l.clone())).collect()
        };
        let mut returned = 0;
        for (key, limits) in keys {
            let mut q = limits.quota.lock().await;
            if q.reserved == 0 {
                continue;
            }
            store
                .release_quota(&hex(&key.0), &day_key(q.day), q.reserved)
                .await?;
            returned += q.reserved;
            q.used = q.used.saturating_sub(q.reserved);
            q.reserved = 0;
        }
        Ok(returned)
    }

    /// What this node knows is left of a key's quota, without reserving any.
    async fn remaining(&self, limits: &KeyLimits) -> u64 {
        let q = limits.quota.lock().await;
        if q.spent {
            return 0;
        }
        self.config
            .daily_quota
            .saturating_sub(q.used.saturating_sub(q.reserved))
    }
}
