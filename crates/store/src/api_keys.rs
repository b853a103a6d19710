//! API keys: only a SHA-256 hash and a masked form are stored.

use ledgerbridge_domain::platform::MAX_API_KEYS;
use ledgerbridge_domain::{ApiKeyId, Timestamp};
use sha2::{Digest, Sha256};

use crate::companies::parse_time;
use crate::pool::{Backend, read_pool};
use crate::{Result, Store, StoreError};

/// A stored API key (never the key itself).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKeyRow {
    pub id: ApiKeyId,
    pub name: Option<String>,
    /// Hex SHA-256 of the key.
    pub key_hash: String,
    /// The key with its middle replaced by `*`.
    pub masked: String,
    pub created: Timestamp,
}

/// Hex SHA-256 of an API key, the form keys are stored and compared in.
pub fn hash_api_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The first and last four characters of a key, the rest masked.
pub fn mask_api_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// Mints a new random key (40 alphanumeric characters). Returns the row to store and the
/// plaintext key, which exists only in the caller's hands from now on.
pub fn new_api_key(name: Option<String>) -> (ApiKeyRow, String) {
    use rand::distr::{Alphanumeric, SampleString};
    let key = Alphanumeric.sample_string(&mut rand::rng(), 40);
    let row = ApiKeyRow {
        id: ApiKeyId::new(),
        name,
        key_hash: hash_api_key(&key),
        masked: mask_api_key(&key),
        created: Timestamp::now(),
    };
    (row, key)
}

#[derive(sqlx::FromRow)]
struct RawKey {
    id: String,
    name: Option<String>,
    key_hash: String,
    masked: String,
    created: String,
}

impl TryFrom<RawKey> for ApiKeyRow {
    type Error = StoreError;
    fn try_from(r: RawKey) -> Result<Self> {
        Ok(Self {
            id: r.id.parse().map_err(StoreError::corrupt)?,
            name: r.name,
            key_hash: r.key_hash,
            masked: r.masked,
            created: parse_time(&r.created)?,
        })
    }
}

const INSERT_KEY: &str = "INSERT INTO api_keys (id, name, key_hash, masked, created) \
     SELECT $1, $2, $3, $4, $5 WHERE (SELECT COUNT(*) FROM api_keys) < $6";

impl Store {
    /// Every stored key, oldest first.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyRow>> {
        let raws: Vec<RawKey> = read_pool!(self, pool =>
            sqlx::query_as("SELECT id, name, key_hash, masked, created FROM api_keys ORDER BY created, id")
                .fetch_all(pool)
                .await)?;
        raws.into_iter().map(ApiKeyRow::try_from).collect()
    }

    /// Stores a new key unless [`MAX_API_KEYS`] are already stored
    /// ([`StoreError::LimitReached`]). The count and insert are atomic.
    pub async fn insert_api_key(&self, row: &ApiKeyRow) -> Result<()> {
        let limit = i64::try_from(MAX_API_KEYS).unwrap_or(i64::MAX);
        let inserted = match &self.backend {
            // The single writer connection serialises this statement with every other write.
            Backend::Sqlite { write, .. } => bind_key(sqlx::query(INSERT_KEY), row, limit)
                .execute(write)
                .await?
                .rows_affected(),
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
                let done = bind_key(sqlx::query(INSERT_KEY), row, limit)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                done.rows_affected()
            }
        };
        if inserted == 0 {
            return Err(StoreError::LimitReached(format!(
                "at most {MAX_API_KEYS} API keys"
            )));
        }
        Ok(())
    }

    /// Deletes a key. `false` when it did not exist.
    pub async fn delete_api_key(&self, id: ApiKeyId) -> Result<bool> {
        let done = crate::pool::write_pool!(self, pool =>
            sqlx::query("DELETE FROM api_keys WHERE id = $1").bind(id.to_string()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}

fn bind_key<'q, DB: sqlx::Database>(
    q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    row: &ApiKeyRow,
    limit: i64,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.bind(row.id.to_string())
        .bind(row.name.clone())
        .bind(row.key_hash.clone())
        .bind(row.masked.clone())
        .bind(row.created.to_string())
        .bind(limit)
}
