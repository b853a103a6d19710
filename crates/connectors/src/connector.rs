//! The `Connector` trait: how the sync engine reads one data type from one platform, a page
//! at a time, already mapped to Codat's model.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};

/// A boxed, sendable future (the trait is object-safe so connectors live in one registry).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a connector keeps credentials it has changed (a refreshed OAuth token, a rotated
/// refresh token). The sync engine implements it over the store, sealed at rest.
pub trait CredentialStore: Send + Sync {
    /// Durably replaces the connection's credentials. A connector calls this, and waits for
    /// it, *before* it uses new credentials, so a crash never loses a rotated refresh token.
    fn save<'a>(
        &'a self,
        connection: ConnectionId,
        credentials: &'a serde_json::Value,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// A [`CredentialStore`] in memory: for tests and tools that run a connector without a
/// database.
#[derive(Debug, Default)]
pub struct MemoryCredentialStore {
    saved: std::sync::Mutex<std::collections::HashMap<ConnectionId, serde_json::Value>>,
}

impl MemoryCredentialStore {
    /// The credentials last saved for `connection`.
    pub fn get(&self, connection: ConnectionId) -> Option<serde_json::Value> {
        self.saved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&connection)
            .cloned()
    }
}

impl CredentialStore for MemoryCredentialStore {
    fn save<'a>(
        &'a self,
        connection: ConnectionId,
        credentials: &'a serde_json::Value,
    ) -> BoxFuture<'a, Result<(), String>> {
        self.saved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(connection, credentials.clone());
        Box::pin(async { Ok(()) })
    }
}

/// The connection a fetch runs for, with its decrypted credentials. Never logged.
pub struct ConnectionContext {
    pub company_id: CompanyId,
    pub connection_id: ConnectionId,
    /// What the Link flow (or `PUT .../authorization`) stored for this connection, as of the
    /// start of the fetch. A connector that refreshes tokens saves the new ones through
    /// `credential_store` and keeps using them for the rest of the fetch.
    pub credentials: serde_json::Value,
    pub credential_store: Arc<dyn CredentialStore>,
}

impl std::fmt::Debug for ConnectionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionContext")
            .field("company_id", &self.company_id)
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

/// What to fetch.
#[derive(Clone, Debug, PartialEq)]
pub struct FetchRequest {
    pub data_type: DataType,
    /// The watermark the last successful sync of this type returned: fetch only what changed
    /// since. `None` means a full read.
    pub since: Option<String>,
    /// From the sync settings (`syncFromUtc`, or `syncFromWindow` months back): records
    /// last modified before this are not wanted.
    pub sync_from: Option<Timestamp>,
    /// Statements only: how many months to fetch.
    pub months_to_sync: Option<u32>,
}

/// A record as the platform gave it, mapped to Codat's model.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRecord {
    pub id: String,
    /// The record as a JSON object in Codat's shape for the data type, as compact text
    /// (exactly as `serde_json::to_string` writes it: no whitespace outside strings), without
    /// `modifiedDate`, which the store stamps. Text rather than a `serde_json::Value` because
    /// text is what the store writes: a connector serialises its Codat struct once, and nothing
    /// on the way to the database builds or walks a tree of the record.
    pub doc: String,
}

/// A mapped record as the text [`SourceRecord::doc`] holds: its Codat type written by
/// `serde_json::to_string`, straight from the struct (`None` if it cannot be written, which a
/// derived Codat type never fails to be).
pub fn record_text<T: serde::Serialize>(record: Option<T>) -> Option<String> {
    serde_json::to_string(&record?).ok()
}

/// One page of a fetch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FetchPage {
    /// New and changed records.
    pub records: Vec<SourceRecord>,
    /// Ids the platform reports as deleted since the watermark.
    pub deleted: Vec<String>,
    /// Records the connector could not map, with the reason; reported, never silently dropped.
    pub unmappable: Vec<(String, String)>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// On the last page: the watermark the next incremental fetch starts from.
    pub watermark: Option<String>,
    /// An estimate of the records in the whole fetch, for progress.
    pub estimated_total: Option<u64>,
    /// Set on every page of a read that returns *every* record of the data type the platform
    /// holds for the connection (a full read with nothing filtered out, such as QuickBooks'
    /// fallback when change data capture cannot reach back to the watermark). When the
    /// fetch's last page says so, the sync engine marks deleted every stored record of the
    /// type that the consecutive snapshot pages did not return: the platform no longer has it.
    pub complete_snapshot: bool,
}

/// Why a fetch failed, in the terms the sync engine maps to dataset statuses.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConnectorError {
    /// A fault worth retrying (5xx, timeout, connection reset): retried with backoff, then
    /// `FetchError`.
    #[error("transient platform fault: {0}")]
    Transient(String),
    /// The platform asked us to slow down. `daily_budget_spent` means waiting within this
    /// sync is pointless (`RateLimitError`).
    #[error("rate limited; retry after {retry_after:?}")]
    RateLimited {
        retry_after: Duration,
        daily_budget_spent: bool,
    },
    /// The grant is gone (`invalid_grant`, 401 after refresh): `AuthError`, and the connection
    /// becomes `Deauthorized`.
    #[error("authorization revoked: {0}")]
    AuthRevoked(String),
    /// A scope is missing: `PermissionsError`.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The platform does not have this data type: `NotSupported`.
    #[error("data type not supported")]
    NotSupported,
    /// The platform answered something that cannot be read (a malformed page): `FetchError`.
    #[error("malformed response: {0}")]
    Malformed(String),
}

/// Reads data types from one platform.
pub trait Connector: Send + Sync {
    /// The platform key this connector serves (e.g. `mqjo`).
    fn platform_key(&self) -> &'static str;

    /// Fetches one page of `request`, starting at `cursor` (`None` for the first page).
    fn fetch_page<'a>(
        &'a self,
        connection: &'a ConnectionContext,
        request: &'a FetchRequest,
        cursor: Option<&'a str>,
    ) -> BoxFuture<'a, Result<FetchPage, ConnectorError>>;
}
