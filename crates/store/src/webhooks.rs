//! Webhook consumers: the endpoints clients subscribe to events, with their signing secrets
//! sealed at rest.

use ledgerbridge_domain::Timestamp;

use crate::companies::parse_time;
use crate::crypto::{Sealed, SecretBox};
use crate::pool::{Backend, read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// Most consumers a client may hold (Codat's limit).
pub const MAX_WEBHOOK_CONSUMERS: usize = 50;

/// A consumer as stored (its secret excluded).
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookConsumerRow {
    pub id: uuid::Uuid,
    pub url: String,
    pub disabled: bool,
    pub event_types: Vec<String>,
    /// `key:value` tags; `None` means every company.
    pub company_tags: Option<Vec<String>>,
    pub created: Timestamp,
    /// The first failed attempt since the last delivery, while it keeps failing.
    pub failing_since: Option<Timestamp>,
}

impl WebhookConsumerRow {
    /// The associated data its secret is sealed with.
    pub fn secret_context(id: uuid::Uuid) -> String {
        format!("webhook:{id}")
    }
}

type RawConsumer = (
    String,
    String,
    bool,
    String,
    Option<String>,
    String,
    Option<String>,
);

const CONSUMER_COLUMNS: &str =
    "id, url, disabled, event_types, company_tags, created, failing_since";

fn consumer(r: RawConsumer) -> Result<WebhookConsumerRow> {
    let (id, url, disabled, event_types, company_tags, created, failing_since) = r;
    Ok(WebhookConsumerRow {
        id: id.parse().map_err(StoreError::corrupt)?,
        url,
        disabled,
        event_types: serde_json::from_str(&event_types)?,
        company_tags: company_tags
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?,
        created: parse_time(&created)?,
        failing_since: failing_since.as_deref().map(parse_time).transpose()?,
    })
}

const INSERT_CONSUMER: &str = "INSERT INTO webhook_consumers \
     (id, url, disabled, event_types, company_tags, secret, secret_key, created) \
     SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE (SELECT COUNT(*) FROM webhook_consumers) < $9";

impl Store {
    /// Stores a consumer with its signing secret (sealed here with `secrets`), unless
    /// [`MAX_WEBHOOK_CONSUMERS`] exist already ([`StoreError::LimitReached`]). The count and
    /// the insert are atomic.
    pub async fn insert_webhook_consumer(
        &self,
        row: &WebhookConsumerRow,
        secret: &str,
        secrets: &SecretBox,
    ) -> Result<()> {
        let sealed = secrets.seal(
            &WebhookConsumerRow::secret_context(row.id),
            secret.as_bytes(),
        )?;
        let event_types = serde_json::to_string(&row.event_types)?;
        let tags = row
            .company_tags
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        let limit = i64::try_from(MAX_WEBHOOK_CONSUMERS).unwrap_or(i64::MAX);
        macro_rules! insert {
            ($q:expr) => {
                $q.bind(row.id.to_string())
                    .bind(row.url.clone())
                    .bind(row.disabled)
                    .bind(event_types.clone())
                    .bind(tags.clone())
                    .bind(sealed.ciphertext.clone())
                    .bind(sealed.key_id.clone())
                    .bind(row.created.to_string())
                    .bind(limit)
            };
        }
        let inserted = match &self.backend {
            // The single writer connection serialises this statement with every other write.
            Backend::Sqlite { write, .. } => insert!(sqlx::query(INSERT_CONSUMER))
                .execute(write)
                .await?
                .rows_affected(),
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("LOCK TABLE webhook_consumers IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
                let done = insert!(sqlx::query(INSERT_CONSUMER))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                done.rows_affected()
            }
        };
        if inserted == 0 {
            return Err(StoreError::LimitReached(format!(
                "at most {MAX_WEBHOOK_CONSUMERS} webhook consumers"
            )));
        }
        Ok(())
    }

    /// Every consumer, oldest first.
    pub async fn list_webhook_consumers(&self) -> Result<Vec<WebhookConsumerRow>> {
        let sql = format!("SELECT {CONSUMER_COLUMNS} FROM webhook_consumers ORDER BY created, id");
        let raws: Vec<RawConsumer> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?;
        raws.into_iter().map(consumer).collect()
    }

    /// One consumer.
    pub async fn get_webhook_consumer(&self, id: uuid::Uuid) -> Result<Option<WebhookConsumerRow>> {
        let sql = format!("SELECT {CONSUMER_COLUMNS} FROM webhook_consumers WHERE id = $1");
        let raw: Option<RawConsumer> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id.to_string()).fetch_optional(pool).await)?;
        raw.map(consumer).transpose()
    }

    /// Deletes a consumer with its messages and delivery log. `false` when it did not exist.
    pub async fn delete_webhook_consumer(&self, id: uuid::Uuid) -> Result<bool> {
        let done = write_pool!(self, pool =>
            sqlx::query("DELETE FROM webhook_consumers WHERE id = $1")
                .bind(id.to_string())
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// A consumer's signing secret (`whsec_...`), opened with `secrets`; `None` when the
    /// consumer does not exist.
    pub async fn webhook_consumer_secret(
        &self,
        id: uuid::Uuid,
        secrets: &SecretBox,
    ) -> Result<Option<String>> {
        let row: Option<(Vec<u8>, String)> = read_pool!(self, pool =>
            sqlx::query_as("SELECT secret, secret_key FROM webhook_consumers WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(pool)
                .await)?;
        let Some((ciphertext, key_id)) = row else {
            return Ok(None);
        };
        let plain = secrets.open(
            &WebhookConsumerRow::secret_context(id),
            &Sealed { ciphertext, key_id },
        )?;
        String::from_utf8(plain)
            .map(Some)
            .map_err(|_| StoreError::Crypto("webhook secret is not text".into()))
    }
}
