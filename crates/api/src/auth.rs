//! API key authentication: `Authorization: Basic base64(apiKey)`.
//!
//! Keys are known only by their SHA-256 hashes. The hashes of stored keys are cached in memory
//! and compared in constant time; the cache is refreshed every few seconds (so a key deleted
//! on another node stops working promptly) and on a miss, at most once a second.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use ledgerbridge_store::Store;
use ledgerbridge_store::api_keys::hash_api_key;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;

const MAX_AGE: Duration = Duration::from_secs(5);
const MIN_RELOAD_INTERVAL: Duration = Duration::from_secs(1);

/// The set of accepted key hashes.
pub struct ApiKeyCache {
    extra: Option<[u8; 32]>,
    stored: RwLock<(Vec<[u8; 32]>, Instant)>,
}

impl ApiKeyCache {
    /// A cache that also accepts `extra` (the operator's configured key).
    pub fn new(extra: Option<&str>) -> Self {
        Self {
            extra: extra.map(digest),
            stored: RwLock::new((Vec::new(), Instant::now() - MAX_AGE * 2)),
        }
    }

    /// Re-reads the stored keys.
    pub async fn reload(&self, store: &Store) -> Result<(), ledgerbridge_store::StoreError> {
        let rows = store.list_api_keys().await?;
        let hashes = rows
            .iter()
            .filter_map(|r| hex_digest(&r.key_hash))
            .collect();
        if let Ok(mut guard) = self.stored.write() {
            *guard = (hashes, Instant::now());
        }
        Ok(())
    }

    fn age(&self) -> Duration {
        self.stored
            .read()
            .map(|g| g.1.elapsed())
            .unwrap_or(MAX_AGE * 2)
    }

    fn accepts_hash(&self, presented: &[u8; 32]) -> bool {
        let mut ok = self
            .extra
            .as_ref()
            .is_some_and(|e| bool::from(e.ct_eq(presented)));
        if let Ok(guard) = self.stored.read() {
            for h in &guard.0 {
                ok |= bool::from(h.ct_eq(presented));
            }
        }
        ok
    }

    /// Whether `key` is an accepted API key, refreshing the cache when it is stale.
    pub async fn accepts(
        &self,
        store: &Store,
        key: &str,
    ) -> Result<bool, ledgerbridge_store::StoreError> {
        let presented = digest(key);
        let age = self.age();
        let stale = age > MAX_AGE;
        let unknown_and_reloadable = age > MIN_RELOAD_INTERVAL && !self.accepts_hash(&presented);
        if stale || unknown_and_reloadable {
            self.reload(store).await?;
        }
        Ok(self.accepts_hash(&presented))
    }
}

fn digest(key: &str) -> [u8; 32] {
    hex_digest(&hash_api_key(key)).unwrap_or([0; 32])
}

fn hex_digest(hex_str: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let bytes = hex_str.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    for (i, chunk) in bytes.chunks(2).enumerate() {
        let s = std::str::from_utf8(chunk).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// The API key in an `Authorization` header value: `Basic base64(key)` (a trailing `:` from
/// `base64(key:)` is tolerated).
pub fn key_from_header(value: &str) -> Option<String> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let key = String::from_utf8(decoded).ok()?;
    let key = key.strip_suffix(':').unwrap_or(&key);
    (!key.is_empty()).then(|| key.to_string())
}

/// Middleware: rejects requests without an accepted key with 401; tells the rate limits
/// which key an accepted request used.
pub async fn require_api_key(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(key_from_header)
        .ok_or_else(ApiError::unauthorized)?;
    if !state.keys.accepts(&state.store, &key).await? {
        return Err(ApiError::unauthorized());
    }
    req.extensions_mut()
        .insert(crate::rate_limit::ApiKeyHash(digest(&key)));
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_basic_header() {
        let enc = base64::engine::general_purpose::STANDARD.encode("abc123");
        assert_eq!(
            key_from_header(&format!("Basic {enc}")).as_deref(),
            Some("abc123")
        );
        let enc = base64::engine::general_purpose::STANDARD.encode("abc123:");
        assert_eq!(
            key_from_header(&format!("basic {enc}")).as_deref(),
            Some("abc123")
        );
        assert_eq!(key_from_header("Bearer abc"), None);
        assert_eq!(key_from_header("Basic !!!"), None);
    }
}
