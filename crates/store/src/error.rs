use thiserror::Error;

/// Why a store operation failed. None of these texts are meant for API clients: the API maps
/// them to Codat's error body and logs the detail.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database refused or failed the statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (corrupt JSON, bad id, ...).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// A filter or ordering could not be turned into SQL (a schema/source mismatch).
    #[error("query error: {0}")]
    Query(String),
    /// A limit on the number of rows was reached (e.g. API keys).
    #[error("limit reached: {0}")]
    LimitReached(String),
    /// A secret could not be encrypted or decrypted (wrong key, tampered ciphertext).
    #[error("secret error: {0}")]
    Crypto(String),
    /// The operation does not exist on this backend (e.g. a file backup of PostgreSQL).
    #[error("not supported: {0}")]
    Unsupported(String),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::corrupt(e)
    }
}
