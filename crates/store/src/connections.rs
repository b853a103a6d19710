//! Data connections of companies, and their encrypted credentials.

use std::collections::HashMap;

use ledgerbridge_domain::platform::{ConnectionStatus, DataConnectionError, SourceType};
use ledgerbridge_domain::{CompanyId, ConnectionId, Timestamp};

use crate::companies::parse_time;
use crate::filter::FieldSource;
use crate::listing::{ListRequest, Listing};
use crate::pool::{read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// A connection as stored (credentials excluded).
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionRow {
    pub id: ConnectionId,
    pub company_id: CompanyId,
    pub integration_key: String,
    pub integration_id: uuid::Uuid,
    pub source_id: uuid::Uuid,
    pub source_type: SourceType,
    pub platform_name: String,
    pub status: ConnectionStatus,
    pub created: Timestamp,
    pub last_sync: Option<Timestamp>,
    pub errors: Vec<DataConnectionError>,
    pub connection_info: Option<serde_json::Value>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawConnection {
    id: String,
    company_id: String,
    integration_key: String,
    integration_id: String,
    source_id: String,
    source_type: String,
    platform_name: String,
    status: String,
    created: String,
    last_sync: Option<String>,
    errors: String,
    connection_info: Option<String>,
}

/// The connection side of a LEFT JOIN: every column nullable, prefixed `k_`.
#[derive(sqlx::FromRow)]
pub(crate) struct OptionalRawConnection {
    k_id: Option<String>,
    k_company_id: Option<String>,
    k_integration_key: Option<String>,
    k_integration_id: Option<String>,
    k_source_id: Option<String>,
    k_source_type: Option<String>,
    k_platform_name: Option<String>,
    k_status: Option<String>,
    k_created: Option<String>,
    k_last_sync: Option<String>,
    k_errors: Option<String>,
    k_connection_info: Option<String>,
}

/// Selects [`OptionalRawConnection`] from a `connections` table aliased `k`.
pub(crate) const JOINED_CONNECTION_COLUMNS: &str = "k.id AS k_id, k.company_id AS k_company_id, \
     k.integration_key AS k_integration_key, k.integration_id AS k_integration_id, k.source_id AS k_source_id, \
     k.source_type AS k_source_type, k.platform_name AS k_platform_name, k.status AS k_status, \
     k.created AS k_created, k.last_sync AS k_last_sync, k.errors AS k_errors, k.connection_info AS k_connection_info";

impl OptionalRawConnection {
    /// The connection, when the join found one.
    pub(crate) fn into_raw(self) -> Option<RawConnection> {
        Some(RawConnection {
            id: self.k_id?,
            company_id: self.k_company_id?,
            integration_key: self.k_integration_key?,
            integration_id: self.k_integration_id?,
            source_id: self.k_source_id?,
            source_type: self.k_source_type?,
            platform_name: self.k_platform_name?,
            status: self.k_status?,
            created: self.k_created?,
            last_sync: self.k_last_sync,
            errors: self.k_errors?,
            connection_info: self.k_connection_info,
        })
    }
}

pub(crate) const CONNECTION_COLUMNS: &str = "id, company_id, integration_key, integration_id, source_id, \
     source_type, platform_name, status, created, last_sync, errors, connection_info";

impl TryFrom<RawConnection> for ConnectionRow {
    type Error = StoreError;
    fn try_from(r: RawConnection) -> Result<Self> {
        let uuid = |s: &str| s.parse::<uuid::Uuid>().map_err(StoreError::corrupt);
        Ok(Self {
            id: r.id.parse().map_err(StoreError::corrupt)?,
            company_id: r.company_id.parse().map_err(StoreError::corrupt)?,
            integration_key: r.integration_key,
            integration_id: uuid(&r.integration_id)?,
            source_id: uuid(&r.source_id)?,
            source_type: serde_json::from_value(serde_json::Value::String(r.source_type))?,
            platform_name: r.platform_name,
            status: r.status.parse().map_err(StoreError::corrupt)?,
            created: parse_time(&r.created)?,
            last_sync: r.last_sync.as_deref().map(parse_time).transpose()?,
            errors: serde_json::from_str(&r.errors)?,
            connection_info: r
                .connection_info
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?,
        })
    }
}

/// Where a connection's queryable fields live: columns of `connections`.
pub static CONNECTION_SOURCE: FieldSource = FieldSource::Columns {
    table: "connections",
    columns: &[],
    maps: &[],
    arrays: &[],
};

const CONNECTION_LISTING: Listing = Listing {
    table: "connections",
    source: &CONNECTION_SOURCE,
    columns: CONNECTION_COLUMNS,
    default_order: "created",
};

/// Builds the INSERT for a connection row, ready to execute on either backend.
macro_rules! insert_connection_query {
    ($c:expr) => {{
        let c: &$crate::connections::ConnectionRow = $c;
        sqlx::query(
            "INSERT INTO connections (id, company_id, integration_key, integration_id, source_id, \
             source_type, platform_name, status, created, last_sync, errors, connection_info) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(c.id.to_string())
        .bind(c.company_id.to_string())
        .bind(c.integration_key.clone())
        .bind(c.integration_id.to_string())
        .bind(c.source_id.to_string())
        .bind(c.source_type.as_str())
        .bind(c.platform_name.clone())
        .bind(c.status.as_str())
        .bind(c.created.to_string())
        .bind(c.last_sync.map(|t| t.to_string()))
        .bind(serde_json::to_string(&c.errors).unwrap_or_else(|_| "[]".into()))
        .bind(c.connection_info.as_ref().map(|v| v.to_string()))
    }};
}
pub(crate) use insert_connection_query;

impl Store {
    /// Adds a connection to an existing company. `false` when the company does not exist.
    pub async fn insert_connection(&self, conn: &ConnectionRow) -> Result<bool> {
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM companies WHERE id = $1")
                .bind(conn.company_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Ok(false);
            }
            insert_connection_query!(conn).execute(&mut *tx).await?;
            let mut events = crate::outbox::Tx::from(&mut *tx);
            crate::outbox::connection_event(&mut events, "connection.created", &conn.company_id.to_string(), &conn.id.to_string()).await?;
            tx.commit().await?;
            true
        });
        Ok(done)
    }

    /// One connection of a company.
    pub async fn get_connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Option<ConnectionRow>> {
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = $1 AND company_id = $2"
        );
        let raw: Option<RawConnection> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id.to_string()).bind(company.to_string()).fetch_optional(pool).await)?;
        raw.map(ConnectionRow::try_from).transpose()
    }

    /// One page of a company's connections and the number that match in all.
    pub async fn list_connections(
        &self,
        company: CompanyId,
        req: &ListRequest,
    ) -> Result<(Vec<ConnectionRow>, u64)> {
        let scope = sea_query::Expr::cust_with_values(
            match self.dialect() {
                crate::filter::Dialect::Sqlite => "\"connections\".company_id = ?",
                crate::filter::Dialect::Postgres => "\"connections\".company_id = $1",
            },
            [company.to_string()],
        );
        let (raws, total) = self
            .list_rows::<RawConnection>(&CONNECTION_LISTING, Some(scope), req)
            .await?;
        Ok((
            raws.into_iter()
                .map(ConnectionRow::try_from)
                .collect::<Result<_>>()?,
            total,
        ))
    }

    /// The connections of several companies, grouped by company, oldest first.
    pub async fn connections_of(
        &self,
        companies: &[CompanyId],
    ) -> Result<HashMap<CompanyId, Vec<ConnectionRow>>> {
        let mut out: HashMap<CompanyId, Vec<ConnectionRow>> = HashMap::new();
        if companies.is_empty() {
            return Ok(out);
        }
        let placeholders: Vec<String> = (1..=companies.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE company_id IN ({}) ORDER BY created, id",
            placeholders.join(", ")
        );
        let raws: Vec<RawConnection> = read_pool!(self, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for c in companies {
                q = q.bind(c.to_string());
            }
            q.fetch_all(pool).await
        })?;
        for raw in raws {
            let row = ConnectionRow::try_from(raw)?;
            out.entry(row.company_id).or_default().push(row);
        }
        Ok(out)
    }

    /// Moves a connection to `to` if it is currently in one of `from`. Returns the row after
    /// the attempt (changed or not), or `None` when it does not exist.
    pub async fn transition_connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
        from: &[ConnectionStatus],
        to: ConnectionStatus,
    ) -> Result<Option<(ConnectionRow, bool)>> {
        let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let placeholders: Vec<String> = (0..allowed.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE connections SET status = $1 WHERE id = $2 AND company_id = $3 AND status IN ({})",
            placeholders.join(", ")
        );
        let changed = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The status before, for the webhook event the change raises.
            let before = crate::outbox::lock_connection_status(&mut crate::outbox::Tx::from(&mut *tx), &company.to_string(), &id.to_string()).await?;
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(to.as_str()).bind(id.to_string()).bind(company.to_string());
            for s in &allowed {
                q = q.bind(*s);
            }
            let changed = q.execute(&mut *tx).await?.rows_affected() == 1;
            if changed && to == ConnectionStatus::Linked {
                resolve_errors(&mut crate::outbox::Tx::from(&mut *tx), &id.to_string()).await?;
            }
            if let Some(event) = before.filter(|_| changed).and_then(|b| crate::outbox::transition_event(b, to)) {
                crate::outbox::connection_event(&mut crate::outbox::Tx::from(&mut *tx), event, &company.to_string(), &id.to_string()).await?;
            }
            tx.commit().await?;
            changed
        });
        Ok(self
            .get_connection(company, id)
            .await?
            .map(|row| (row, changed)))
    }

    /// Deletes a connection. `false` when it did not exist.
    pub async fn delete_connection(&self, company: CompanyId, id: ConnectionId) -> Result<bool> {
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The webhook event carries the connection as it was.
            let snapshot = crate::outbox::deleted_connection_snapshot(&mut crate::outbox::Tx::from(&mut *tx), &company.to_string(), &id.to_string()).await?;
            let done = sqlx::query("DELETE FROM connections WHERE id = $1 AND company_id = $2")
                .bind(id.to_string())
                .bind(company.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if let Some((snap, conn)) = snapshot {
                crate::outbox::connection_event_from(&mut crate::outbox::Tx::from(&mut *tx), "connection.deleted", &snap, conn).await?;
            }
            tx.commit().await?;
            done
        });
        Ok(done == 1)
    }

    /// Stores a connection's credentials, already encrypted by [`crate::crypto::SecretBox`].
    /// `false` when the connection does not exist.
    pub async fn set_connection_credentials(
        &self,
        company: CompanyId,
        id: ConnectionId,
        sealed: &crate::crypto::Sealed,
    ) -> Result<bool> {
        let done = write_pool!(self, pool =>
            sqlx::query("UPDATE connections SET credentials = $1, credentials_key = $2 WHERE id = $3 AND company_id = $4")
                .bind(sealed.ciphertext.clone())
                .bind(sealed.key_id.clone())
                .bind(id.to_string())
                .bind(company.to_string())
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// A connection's sealed credentials, if any were stored.
    pub async fn connection_credentials(
        &self,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Option<crate::crypto::Sealed>> {
        let row: Option<(Option<Vec<u8>>, Option<String>)> = read_pool!(self, pool =>
            sqlx::query_as("SELECT credentials, credentials_key FROM connections WHERE id = $1 AND company_id = $2")
                .bind(id.to_string())
                .bind(company.to_string())
                .fetch_optional(pool)
                .await)?;
        Ok(match row {
            Some((Some(ciphertext), Some(key_id))) => {
                Some(crate::crypto::Sealed { ciphertext, key_id })
            }
            _ => None,
        })
    }
}

/// Marks the connection's `Active` errors `Resolved` as of now: it has just been linked
/// again, so what broke it no longer applies. The history stays.
async fn resolve_errors(tx: &mut crate::outbox::Tx<'_>, connection: &str) -> Result<()> {
    use crate::outbox::{Tx, on_tx};
    let row: Option<(String,)> = on_tx!(tx, conn =>
        sqlx::query_as("SELECT errors FROM connections WHERE id = $1")
            .bind(connection)
            .fetch_optional(conn)
            .await)?;
    let Some((errors,)) = row else {
        return Ok(());
    };
    let mut errors: Vec<DataConnectionError> = serde_json::from_str(&errors)?;
    let now = Timestamp::now();
    let mut changed = false;
    for e in errors.iter_mut().filter(|e| e.resolved_on_utc.is_none()) {
        e.status = Some("Resolved".into());
        e.resolved_on_utc = Some(now);
        changed = true;
    }
    if changed {
        let json = serde_json::to_string(&errors)?;
        on_tx!(tx, conn =>
            sqlx::query("UPDATE connections SET errors = $1 WHERE id = $2")
                .bind(json)
                .bind(connection)
                .execute(conn)
                .await
                .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

impl Store {
    /// Moves a `Linked` connection to `Deauthorized` and records why in its
    /// `dataConnectionErrors`, in one transaction. `false` when it was not `Linked` (nothing
    /// changes then).
    pub async fn deauthorize_connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
        error: &DataConnectionError,
    ) -> Result<bool> {
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT errors FROM connections WHERE id = $1 AND company_id = $2 AND status = 'Linked'",
            )
            .bind(id.to_string())
            .bind(company.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((errors,)) = row else {
                return Ok(false);
            };
            let mut errors: Vec<DataConnectionError> = serde_json::from_str(&errors)?;
            errors.push(error.clone());
            sqlx::query("UPDATE connections SET status = 'Deauthorized', errors = $1 WHERE id = $2")
                .bind(serde_json::to_string(&errors)?)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            crate::outbox::connection_event(&mut crate::outbox::Tx::from(&mut *tx), "connection.disconnected", &company.to_string(), &id.to_string()).await?;
            tx.commit().await?;
            true
        });
        Ok(done)
    }
}

/// One connection's sealed credentials, as key rotation walks them.
#[derive(Clone, Debug)]
pub struct SealedCredentials {
    pub company_id: CompanyId,
    pub connection_id: ConnectionId,
    pub sealed: crate::crypto::Sealed,
}

impl Store {
    /// Up to `limit` connections, by id after `after`, whose credentials are sealed by a key
    /// other than `current_key_id`, for key rotation.
    pub async fn credentials_not_sealed_by(
        &self,
        current_key_id: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<SealedCredentials>> {
        let rows: Vec<(String, String, Vec<u8>, String)> = read_pool!(self, pool =>
            sqlx::query_as(
                "SELECT company_id, id, credentials, credentials_key FROM connections \
                 WHERE credentials IS NOT NULL AND credentials_key IS NOT NULL AND credentials_key <> $1 \
                 AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(current_key_id)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(|(company, id, ciphertext, key_id)| {
                Ok(SealedCredentials {
                    company_id: company.parse().map_err(StoreError::corrupt)?,
                    connection_id: id.parse().map_err(StoreError::corrupt)?,
                    sealed: crate::crypto::Sealed { ciphertext, key_id },
                })
            })
            .collect()
    }

    /// Replaces a connection's credentials only if they are still exactly `old` (so a token
    /// refresh that wrote in between is never overwritten). `false` when they changed.
    pub async fn replace_connection_credentials(
        &self,
        company: CompanyId,
        id: ConnectionId,
        old: &crate::crypto::Sealed,
        new: &crate::crypto::Sealed,
    ) -> Result<bool> {
        let done = write_pool!(self, pool =>
            sqlx::query(
                "UPDATE connections SET credentials = $1, credentials_key = $2 \
                 WHERE id = $3 AND company_id = $4 AND credentials = $5 AND credentials_key = $6",
            )
            .bind(new.ciphertext.clone())
            .bind(new.key_id.clone())
            .bind(id.to_string())
            .bind(company.to_string())
            .bind(old.ciphertext.clone())
            .bind(old.key_id.clone())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
