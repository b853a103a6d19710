//! Filtered, ordered, paged reads shared by every list endpoint.

use ledgerbridge_domain::paging::PageRequest;
use ledgerbridge_query::{Filter, OrderBy, TagFilter};
use sea_query::{
    Alias, Expr, Order, PostgresQueryBuilder, Query, SelectStatement, SqliteQueryBuilder,
};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::filter::{Dialect, FieldSource, bind, lower_filter, lower_order, lower_tag_filter};
use crate::pool::Backend;
use crate::{Result, Store, StoreError};

/// A filtered, ordered page request. Ties in the ordering are always broken by id.
#[derive(Clone, Debug, Default)]
pub struct ListRequest {
    pub filter: Option<Filter>,
    pub order: Option<OrderBy>,
    /// The `tags` parameter of `GET /companies` (applies to the `tags` map field).
    pub tags: Option<TagFilter>,
    pub page: PageRequest,
}

/// Where a listed resource lives.
pub(crate) struct Listing {
    pub table: &'static str,
    pub source: &'static FieldSource,
    /// Columns selected, in the order the row type decodes them.
    pub columns: &'static str,
    /// Order when the caller gives none (before the id tie-breaker).
    pub default_order: &'static str,
}

impl From<crate::filter::LowerError> for StoreError {
    fn from(e: crate::filter::LowerError) -> Self {
        StoreError::Query(e.to_string())
    }
}

impl From<bind::BindError> for StoreError {
    fn from(e: bind::BindError) -> Self {
        StoreError::Query(e.to_string())
    }
}

impl Store {
    /// The SQL dialect in use.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite { .. } => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// One page of `listing` rows matching `scope` (e.g. one company's) and the request's
    /// filters, and how many rows match in all.
    pub(crate) async fn list_rows<R>(
        &self,
        listing: &Listing,
        scope: Option<Expr>,
        req: &ListRequest,
    ) -> Result<(Vec<R>, u64)>
    where
        R: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let dialect = self.dialect();
        let mut conditions: Vec<Expr> = scope.into_iter().collect();
        if let Some(f) = &req.filter {
            conditions.push(lower_filter(f, listing.source, dialect)?);
        }
        if let Some(t) = &req.tags {
            conditions.push(lower_tag_filter(t, "tags", listing.source, dialect)?);
        }
        let table = Alias::new(listing.table);
        let with_conditions = |q: &mut SelectStatement| {
            q.from(table.clone());
            for c in &conditions {
                q.and_where(c.clone());
            }
        };

        let mut count = Query::select();
        count.expr(Expr::cust("COUNT(*)"));
        with_conditions(&mut count);

        let mut page = Query::select();
        page.expr(Expr::cust(listing.columns));
        with_conditions(&mut page);
        match &req.order {
            Some(order) => {
                for (expr, dir) in lower_order(order, listing.source, dialect)? {
                    page.order_by_expr(expr, dir);
                }
            }
            None => {
                page.order_by_expr(
                    Expr::cust(format!("\"{}\".{}", listing.table, listing.default_order)),
                    Order::Asc,
                );
            }
        }
        let id = match dialect {
            Dialect::Sqlite => format!("\"{}\".\"id\"", listing.table),
            Dialect::Postgres => format!("\"{}\".\"id\" COLLATE \"C\"", listing.table),
        };
        page.order_by_expr(Expr::cust(id), Order::Asc);
        page.limit(u64::from(req.page.page_size))
            .offset(req.page.offset());

        match &self.backend {
            Backend::Sqlite { read, .. } => {
                let (sql, values) = count.build(SqliteQueryBuilder);
                let (total,): (i64,) =
                    sqlx::query_as_with(sqlx::AssertSqlSafe(sql), bind::sqlite_arguments(&values)?)
                        .fetch_one(read)
                        .await?;
                let (sql, values) = page.build(SqliteQueryBuilder);
                let rows =
                    sqlx::query_as_with(sqlx::AssertSqlSafe(sql), bind::sqlite_arguments(&values)?)
                        .fetch_all(read)
                        .await?;
                Ok((rows, u64::try_from(total).unwrap_or(0)))
            }
            Backend::Postgres(pool) => {
                let (sql, values) = count.build(PostgresQueryBuilder);
                let (total,): (i64,) = sqlx::query_as_with(
                    sqlx::AssertSqlSafe(sql),
                    bind::postgres_arguments(&values)?,
                )
                .fetch_one(pool)
                .await?;
                let (sql, values) = page.build(PostgresQueryBuilder);
                let rows = sqlx::query_as_with(
                    sqlx::AssertSqlSafe(sql),
                    bind::postgres_arguments(&values)?,
                )
                .fetch_all(pool)
                .await?;
                Ok((rows, u64::try_from(total).unwrap_or(0)))
            }
        }
    }
}
