//! Persistence for ledgerbridge: the only crate that speaks SQL.
//!
//! One code path serves SQLite (the embedded default) and PostgreSQL (scale-out). Fixed
//! statements are written once with `$n` placeholders, which both drivers accept; dynamic
//! list statements are built with sea-query and rendered for the active [`filter::Dialect`].
//! Values are always bound parameters.
//!
//! On SQLite, writes go through a pool of exactly one connection, so writers queue in-process
//! instead of meeting `SQLITE_BUSY`; reads use a separate pool of WAL readers.
#![forbid(unsafe_code)]

pub mod api_keys;
pub mod companies;
pub mod connections;
pub mod crypto;
pub mod datasets;
mod error;
pub mod filter;
pub mod link_states;
mod listing;
pub mod outbox;
mod pool;
pub mod rate_limits;
pub mod records;
pub mod schedules;
pub mod settings;
pub mod testing;
pub mod webhooks;

pub use error::StoreError;
pub use listing::ListRequest;
pub use pool::Store;

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
