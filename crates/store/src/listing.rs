//! Filtered, ordered, paged reads shared by every list endpoint.

use ledgerbridge_domain::paging::PageRequest;
use ledgerbridge_query::{Filter, OrderBy, TagFilter};
use sea_query::{
    Alias, Expr, Order, PostgresQueryBuilder, Query, SelectStatement, SqliteQueryBuilder,
};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::filter::{
    Dialect, FieldSource, bind, id_order_term, lower_filter, lower_ordering, lower_tag_filter,
};
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

/// How the `id` tie-breaker follows the ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ties {
    /// Always ascending (`…, id ASC`).
    Ascending,
    /// In the ordering's direction (`key DESC, id DESC`), so one index on `(…, key, id)`
    /// serves the page; the reference leaves ties unordered, so both are correct.
    FollowOrder,
}

/// A list query over any table: what [`Listing`] describes, with the choices record lists
/// make differently.
pub(crate) struct ListQuery<'a> {
    pub table: &'static str,
    pub source: &'a FieldSource,
    /// Columns selected, in the order the row type decodes them.
    pub columns: &'static str,
    /// Order when the caller gives none (before the id tie-breaker); `None` orders by id.
    pub default_order: Option<&'static str>,
    pub ties: Ties,
    /// Whether `id` is declared `COLLATE "C"` on PostgreSQL (so the bare column is bytewise).
    pub id_is_c_collated: bool,
    /// Conditions every row must meet (the scope, e.g. one company's rows).
    pub scope: Vec<Expr>,
    /// A statement giving the count (one `BIGINT`) when the request has no filter, instead of
    /// counting the scope's rows (e.g. a maintained counter).
    pub unfiltered_count: Option<SelectStatement>,
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
        let query = ListQuery {
            table: listing.table,
            source: listing.source,
            columns: listing.columns,
            default_order: Some(listing.default_order),
            ties: Ties::Ascending,
            id_is_c_collated: false,
            scope: scope.into_iter().collect(),
            unfiltered_count: None,
        };
        self.list_query(&query, req).await
    }

    /// The count and page statements of `query` under `req`.
    fn list_statements(
        &self,
        query: &ListQuery<'_>,
        req: &ListRequest,
    ) -> Result<(SelectStatement, SelectStatement)> {
        let dialect = self.dialect();
        let mut conditions: Vec<Expr> = query.scope.clone();
        if let Some(f) = &req.filter {
            conditions.push(lower_filter(f, query.source, dialect)?);
        }
        if let Some(t) = &req.tags {
            conditions.push(lower_tag_filter(t, "tags", query.source, dialect)?);
        }
        let table = Alias::new(query.table);
        let with_conditions = |q: &mut SelectStatement| {
            q.from(table.clone());
            for c in &conditions {
                q.and_where(c.clone());
            }
        };

        let count = match &query.unfiltered_count {
            Some(counter) if req.filter.is_none() && req.tags.is_none() => counter.clone(),
            _ => {
                let mut count = Query::select();
                count.expr(Expr::cust("COUNT(*)"));
                with_conditions(&mut count);
                count
            }
        };

        let mut page = Query::select();
        page.expr(Expr::cust(query.columns));
        with_conditions(&mut page);
        let mut descending = false;
        match (&req.order, query.default_order) {
            (Some(order), _) => {
                descending = order.descending;
                for term in lower_ordering(order, query.source, dialect)? {
                    term.apply(&mut page);
                }
            }
            (None, Some(default)) => {
                page.order_by_expr(
                    Expr::cust(format!("\"{}\".{}", query.table, default)),
                    Order::Asc,
                );
            }
            (None, None) => {}
        }
        let id_descending = descending && query.ties == Ties::FollowOrder;
        id_order_term(query.table, dialect, id_descending, query.id_is_c_collated).apply(&mut page);
        page.limit(u64::from(req.page.page_size))
            .offset(req.page.offset());
        Ok((count, page))
    }

    /// One page of rows of `query` under the request's filter, ordering and paging, and how
    /// many rows match in all. The count and the page run concurrently on two connections.
    pub(crate) async fn list_query<R>(
        &self,
        query: &ListQuery<'_>,
        req: &ListRequest,
    ) -> Result<(Vec<R>, u64)>
    where
        R: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let (count, page) = self.list_statements(query, req)?;
        let (total, rows) = match &self.backend {
            Backend::Sqlite { read, .. } => {
                let (count_sql, count_values) = count.build(SqliteQueryBuilder);
                let (page_sql, page_values) = page.build(SqliteQueryBuilder);
                let count_args = bind::sqlite_arguments(&count_values)?;
                let page_args = bind::sqlite_arguments(&page_values)?;
                tokio::try_join!(
                    sqlx::query_as_with::<_, (i64,), _>(sqlx::AssertSqlSafe(count_sql), count_args)
                        .fetch_one(read),
                    sqlx::query_as_with(sqlx::AssertSqlSafe(page_sql), page_args).fetch_all(read),
                )?
            }
            Backend::Postgres(pool) => {
                let (count_sql, count_values) = count.build(PostgresQueryBuilder);
                let (page_sql, page_values) = page.build(PostgresQueryBuilder);
                let count_args = bind::postgres_arguments(&count_values)?;
                let page_args = bind::postgres_arguments(&page_values)?;
                tokio::try_join!(
                    sqlx::query_as_with::<_, (i64,), _>(sqlx::AssertSqlSafe(count_sql), count_args)
                        .fetch_one(pool),
                    sqlx::query_as_with(sqlx::AssertSqlSafe(page_sql), page_args).fetch_all(pool),
                )?
            }
        };
        Ok((rows, u64::try_from(total.0).unwrap_or(0)))
    }

    /// The database's plan for the count and the page statement of `query` under `req`
    /// (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL), one line
    /// per plan row, each statement's SQL first. For diagnosing slow lists.
    pub(crate) async fn explain_list_query(
        &self,
        query: &ListQuery<'_>,
        req: &ListRequest,
    ) -> Result<Vec<String>> {
        use sqlx::Row;
        let (count, page) = self.list_statements(query, req)?;
        let mut out = Vec::new();
        for statement in [count, page] {
            match &self.backend {
                Backend::Sqlite { read, .. } => {
                    let (sql, values) = statement.build(SqliteQueryBuilder);
                    out.push(sql.clone());
                    let rows = sqlx::query_with(
                        sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")),
                        bind::sqlite_arguments(&values)?,
                    )
                    .fetch_all(read)
                    .await?;
                    for r in rows {
                        let id: i64 = r.try_get(0)?;
                        let parent: i64 = r.try_get(1)?;
                        let detail: String = r.try_get(3)?;
                        out.push(format!("  [{id}<-{parent}] {detail}"));
                    }
                }
                Backend::Postgres(pool) => {
                    let (sql, values) = statement.build(PostgresQueryBuilder);
                    out.push(sql.clone());
                    let rows = sqlx::query_with(
                        sqlx::AssertSqlSafe(format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")),
                        bind::postgres_arguments(&values)?,
                    )
                    .fetch_all(pool)
                    .await?;
                    for r in rows {
                        let line: String = r.try_get(0)?;
                        out.push(format!("  {line}"));
                    }
                }
            }
        }
        Ok(out)
    }
}
