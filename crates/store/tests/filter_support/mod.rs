//! Shared plumbing for the filter tests: SQLite and PostgreSQL connections, page queries.

#![allow(dead_code)]

use std::str::FromStr;

use ledgerbridge_store::filter::{Dialect, OrderTerm, bind};
use sea_query::{
    Alias, Expr, Order, PostgresQueryBuilder, Query, SelectStatement, SqliteQueryBuilder,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Executor, Row};

/// The PostgreSQL server to test against: `LEDGERBRIDGE_TEST_POSTGRES_URL` (`.ci/run` sets it
/// for its PostgreSQL pass and fails when PostgreSQL is missing); `None` without it.
pub fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var("LEDGERBRIDGE_TEST_POSTGRES_URL") {
        return Some(url);
    }
    eprintln!(
        "LEDGERBRIDGE_TEST_POSTGRES_URL is not set: checking SQLite against the reference only"
    );
    None
}

/// An in-memory SQLite database (one connection, so every query sees the same database).
pub async fn sqlite() -> SqlitePool {
    let opts = SqliteConnectOptions::from_str("sqlite::memory:").expect("sqlite url");
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .expect("sqlite")
}

/// A PostgreSQL pool whose `search_path` is a fresh schema; drop it with [`drop_schema`].
pub async fn postgres(url: &str, tag: &str) -> (PgPool, String) {
    let schema = format!("lb_filter_{tag}_{}", std::process::id());
    let admin = PgPoolOptions::new().max_connections(1).connect(url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL at {url} is not reachable ({e}); LEDGERBRIDGE_TEST_POSTGRES_URL names it")
    });
    admin
        .execute(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .await
        .expect("drop schema");
    admin
        .execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
        .expect("create schema");
    admin.close().await;
    let opts = PgConnectOptions::from_str(url)
        .expect("pg url")
        .options([("search_path", schema.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(opts)
        .await
        .expect("pg pool");
    (pool, schema)
}

/// Drops a schema made by [`postgres`].
pub async fn drop_schema(url: &str, pool: PgPool, schema: &str) {
    pool.close().await;
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("pg admin");
    admin
        .execute(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .await
        .expect("drop schema");
    admin.close().await;
}

/// `SELECT id FROM table WHERE filter ORDER BY keys, id LIMIT limit OFFSET offset`.
pub fn page_query(
    table: &str,
    filter: Option<Expr>,
    order: &[(Expr, Order)],
    dialect: Dialect,
    limit: u64,
    offset: u64,
) -> SelectStatement {
    let mut q = Query::select();
    q.expr(Expr::col((Alias::new(table), Alias::new("id"))))
        .from(Alias::new(table));
    if let Some(f) = filter {
        q.and_where(f);
    }
    for (e, o) in order {
        q.order_by_expr(e.clone(), o.clone());
    }
    let id = match dialect {
        Dialect::Sqlite => format!("\"{table}\".\"id\""),
        Dialect::Postgres => format!("\"{table}\".\"id\" COLLATE \"C\""),
    };
    q.order_by_expr(Expr::cust(id), Order::Asc);
    q.limit(limit).offset(offset);
    q.to_owned()
}

/// `SELECT id FROM table WHERE filter ORDER BY terms…, id_term LIMIT limit OFFSET offset`: the
/// index-friendly form ([`ledgerbridge_store::filter::lower_ordering`] and
/// [`ledgerbridge_store::filter::id_order_term`]).
pub fn page_query_terms(
    table: &str,
    filter: Option<Expr>,
    terms: &[OrderTerm],
    id_term: &OrderTerm,
    limit: u64,
    offset: u64,
) -> SelectStatement {
    let mut q = Query::select();
    q.expr(Expr::col((Alias::new(table), Alias::new("id"))))
        .from(Alias::new(table));
    if let Some(f) = filter {
        q.and_where(f);
    }
    for t in terms {
        t.apply(&mut q);
    }
    id_term.apply(&mut q);
    q.limit(limit).offset(offset);
    q.to_owned()
}

/// Runs a page query on SQLite, returning the ids or the database's error text.
pub async fn sqlite_ids(pool: &SqlitePool, q: &SelectStatement) -> Result<Vec<String>, String> {
    let (sql, values) = q.build(SqliteQueryBuilder);
    let rows = bind::sqlite_query(sql.clone(), &values)
        .map_err(|e| e.to_string())?
        .fetch_all(pool)
        .await
        .map_err(|e| format!("{e}\nSQL: {sql}"))?;
    Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
}

/// Runs a page query on PostgreSQL, returning the ids or the database's error text.
pub async fn postgres_ids(pool: &PgPool, q: &SelectStatement) -> Result<Vec<String>, String> {
    let (sql, values) = q.build(PostgresQueryBuilder);
    let rows = bind::postgres_query(sql.clone(), &values)
        .map_err(|e| e.to_string())?
        .fetch_all(pool)
        .await
        .map_err(|e| format!("{e}\nSQL: {sql}"))?;
    Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
}
