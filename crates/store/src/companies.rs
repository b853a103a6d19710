//! Companies and the connections listed inside them.

use ledgerbridge_domain::platform::Tags;
use ledgerbridge_domain::{CompanyId, Timestamp};

use crate::connections::{
    ConnectionRow, JOINED_CONNECTION_COLUMNS, OptionalRawConnection, insert_connection_query,
};
use crate::filter::{ArraySource, FieldSource};
use crate::listing::{ListRequest, Listing};
use crate::pool::{read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// A company as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct CompanyRow {
    pub id: CompanyId,
    pub name: String,
    pub description: Option<String>,
    pub tags: Tags,
    /// Legacy platform name from `platformType` on create, else empty.
    pub platform: String,
    pub created: Timestamp,
    pub last_sync: Option<Timestamp>,
}

/// A company with its connections, oldest connection first.
#[derive(Clone, Debug, PartialEq)]
pub struct CompanyWithConnections {
    pub company: CompanyRow,
    pub connections: Vec<ConnectionRow>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawCompany {
    id: String,
    name: String,
    description: Option<String>,
    tags: String,
    platform: String,
    created: String,
    last_sync: Option<String>,
}

/// A company row joined with one of its connections (absent when it has none).
#[derive(sqlx::FromRow)]
struct RawCompanyJoined {
    #[sqlx(flatten)]
    company: RawCompany,
    #[sqlx(flatten)]
    connection: OptionalRawConnection,
}

pub(crate) const COMPANY_COLUMNS: &str =
    "id, name, description, tags, platform, created, last_sync";

/// Where a company's queryable fields live: columns of `companies`, `tags` as a JSON text
/// column, `dataConnections` as rows of `connections`.
pub static COMPANY_SOURCE: FieldSource = FieldSource::Columns {
    table: "companies",
    columns: &[],
    maps: &[("tags", "tags")],
    arrays: &[ArraySource {
        field: "dataConnections",
        table: "connections",
        foreign_key: "company_id",
        parent_key: "id",
        columns: &[],
    }],
};

const COMPANY_LISTING: Listing = Listing {
    table: "companies",
    source: &COMPANY_SOURCE,
    columns: "\"companies\".id, \"companies\".name, \"companies\".description, \"companies\".tags, \
              \"companies\".platform, \"companies\".created, \"companies\".last_sync",
    default_order: "created",
};

impl TryFrom<RawCompany> for CompanyRow {
    type Error = StoreError;
    fn try_from(r: RawCompany) -> Result<Self> {
        Ok(Self {
            id: r.id.parse().map_err(StoreError::corrupt)?,
            name: r.name,
            description: r.description,
            tags: serde_json::from_str(&r.tags)?,
            platform: r.platform,
            created: parse_time(&r.created)?,
            last_sync: r.last_sync.as_deref().map(parse_time).transpose()?,
        })
    }
}

pub(crate) fn parse_time(s: &str) -> Result<Timestamp> {
    Timestamp::parse(s).ok_or_else(|| StoreError::corrupt(format!("bad timestamp `{s}`")))
}

impl Store {
    /// Inserts a company and, atomically with it, an optional first connection.
    pub async fn insert_company(
        &self,
        company: &CompanyRow,
        connection: Option<&ConnectionRow>,
    ) -> Result<()> {
        let tags = serde_json::to_string(&company.tags)?;
        write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO companies (id, name, description, tags, platform, created, last_sync) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(company.id.to_string())
            .bind(&company.name)
            .bind(&company.description)
            .bind(&tags)
            .bind(&company.platform)
            .bind(company.created.to_string())
            .bind(company.last_sync.map(|t| t.to_string()))
            .execute(&mut *tx)
            .await?;
            if let Some(conn) = connection {
                insert_connection_query!(conn).execute(&mut *tx).await?;
            }
            // Webhook events, committed with the change.
            let mut events = crate::outbox::Tx::from(&mut *tx);
            if let Some(snap) = crate::outbox::company_snapshot(&mut events, &company.id.to_string()).await? {
                crate::outbox::company_event(&mut events, "company.created", &snap).await?;
                if let Some(conn) = connection {
                    crate::outbox::connection_event(&mut events, "connection.created", &company.id.to_string(), &conn.id.to_string()).await?;
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// One company, without its connections.
    pub async fn get_company(&self, id: CompanyId) -> Result<Option<CompanyRow>> {
        let sql = format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE id = $1");
        let raw: Option<RawCompany> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id.to_string()).fetch_optional(pool).await)?;
        raw.map(CompanyRow::try_from).transpose()
    }

    /// One company with its connections.
    pub async fn get_company_with_connections(
        &self,
        id: CompanyId,
    ) -> Result<Option<CompanyWithConnections>> {
        // One round trip: the company LEFT JOIN its connections (the hot path of
        // `GET /companies/{id}`).
        let sql = format!(
            "SELECT c.id, c.name, c.description, c.tags, c.platform, c.created, c.last_sync, {JOINED_CONNECTION_COLUMNS} \
             FROM companies c LEFT JOIN connections k ON k.company_id = c.id \
             WHERE c.id = $1 ORDER BY k.created, k.id"
        );
        let rows: Vec<RawCompanyJoined> = read_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id.to_string()).fetch_all(pool).await)?;
        let mut rows = rows.into_iter();
        let Some(first) = rows.next() else {
            return Ok(None);
        };
        let mut connections = Vec::new();
        let company = CompanyRow::try_from(first.company)?;
        for conn in std::iter::once(first.connection).chain(rows.map(|r| r.connection)) {
            if let Some(raw) = conn.into_raw() {
                connections.push(ConnectionRow::try_from(raw)?);
            }
        }
        Ok(Some(CompanyWithConnections {
            company,
            connections,
        }))
    }

    /// One page of companies (with their connections) and the number that match in all.
    pub async fn list_companies(
        &self,
        req: &ListRequest,
    ) -> Result<(Vec<CompanyWithConnections>, u64)> {
        let (raws, total) = self
            .list_rows::<RawCompany>(&COMPANY_LISTING, None, req)
            .await?;
        let companies: Vec<CompanyRow> = raws
            .into_iter()
            .map(CompanyRow::try_from)
            .collect::<Result<_>>()?;
        let ids: Vec<CompanyId> = companies.iter().map(|c| c.id).collect();
        let mut conns = self.connections_of(&ids).await?;
        let rows = companies
            .into_iter()
            .map(|company| {
                let connections = conns.remove(&company.id).unwrap_or_default();
                CompanyWithConnections {
                    company,
                    connections,
                }
            })
            .collect();
        Ok((rows, total))
    }

    /// Replaces name, description and tags. `false` when the company does not exist.
    pub async fn update_company(
        &self,
        id: CompanyId,
        name: &str,
        description: Option<&str>,
        tags: &Tags,
    ) -> Result<bool> {
        let tags = serde_json::to_string(tags)?;
        let done = write_pool!(self, pool =>
            sqlx::query("UPDATE companies SET name = $1, description = $2, tags = $3 WHERE id = $4")
                .bind(name)
                .bind(description)
                .bind(&tags)
                .bind(id.to_string())
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Changes only the fields given (`None` leaves a field as it is), in one statement so
    /// concurrent partial updates of different fields do not overwrite each other. `false` when
    /// the company does not exist.
    pub async fn patch_company(
        &self,
        id: CompanyId,
        name: Option<&str>,
        description: Option<&str>,
        tags: Option<&Tags>,
    ) -> Result<bool> {
        let tags = tags.map(serde_json::to_string).transpose()?;
        let done = write_pool!(self, pool =>
            sqlx::query(
                "UPDATE companies SET name = COALESCE($1, name), description = COALESCE($2, description), \
                 tags = COALESCE($3, tags) WHERE id = $4",
            )
            .bind(name)
            .bind(description)
            .bind(&tags)
            .bind(id.to_string())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Deletes a company with its connections, settings and cached data. `false` when it did
    /// not exist. Raises `connection.deleted` for each of its connections, then `company.deleted`.
    pub async fn delete_company(&self, id: CompanyId) -> Result<bool> {
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // Webhook events carry the company and its connections as they were.
            let snapshots = crate::outbox::deleted_company_snapshots(&mut crate::outbox::Tx::from(&mut *tx), &id.to_string()).await?;
            let done = sqlx::query("DELETE FROM companies WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?.rows_affected();
            if let Some(snapshots) = snapshots {
                crate::outbox::company_deleted(&mut crate::outbox::Tx::from(&mut *tx), snapshots).await?;
            }
            tx.commit().await?;
            done
        });
        Ok(done == 1)
    }
}
