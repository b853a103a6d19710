//! Binding sea-query's collected [`Values`] to sqlx arguments.
//!
//! `sea-query-binder` does not support sqlx 0.9, so this is the small adapter the store uses:
//! build a statement with sea-query, render it with `build(SqliteQueryBuilder)` or
//! `build(PostgresQueryBuilder)`, then run it with [`sqlite_query`] / [`postgres_query`] (or
//! bind the arguments from [`sqlite_arguments`] / [`postgres_arguments`] yourself).
//!
//! Supported values are those the store's sea-query features produce: booleans, integers,
//! floats, strings, chars, bytes and enum values (bound as text). Unsigned 64-bit values that
//! do not fit `i64` and any other variant are a [`BindError`] rather than a silent conversion.

use sea_query::{OptionEnum, Value, Values};
use sqlx::postgres::{PgArguments, Postgres};
use sqlx::sqlite::{Sqlite, SqliteArguments};
use sqlx::{Arguments, AssertSqlSafe};

/// A value could not be bound.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// The value has a type this adapter does not bind (e.g. a feature-gated sea-query type).
    #[error("cannot bind sea-query value {0}")]
    Unsupported(String),
    /// The driver rejected the value.
    #[error("binding a value failed: {0}")]
    Encode(#[from] sqlx::error::BoxDynError),
}

fn u64_to_i64(v: Option<u64>) -> Result<Option<i64>, BindError> {
    v.map(|v| {
        i64::try_from(v).map_err(|_| BindError::Unsupported(format!("u64 {v} (out of i64 range)")))
    })
    .transpose()
}

macro_rules! bind_all {
    ($args:ident, $values:expr) => {{
        for value in $values.iter() {
            match value {
                Value::Bool(v) => $args.add(*v)?,
                Value::TinyInt(v) => $args.add(v.map(i16::from))?,
                Value::SmallInt(v) => $args.add(*v)?,
                Value::Int(v) => $args.add(*v)?,
                Value::BigInt(v) => $args.add(*v)?,
                Value::TinyUnsigned(v) => $args.add(v.map(i16::from))?,
                Value::SmallUnsigned(v) => $args.add(v.map(i32::from))?,
                Value::Unsigned(v) => $args.add(v.map(i64::from))?,
                Value::BigUnsigned(v) => $args.add(u64_to_i64(*v)?)?,
                Value::Float(v) => $args.add(*v)?,
                Value::Double(v) => $args.add(*v)?,
                Value::String(v) => $args.add(v.clone())?,
                Value::Char(v) => $args.add(v.map(String::from))?,
                Value::Bytes(v) => $args.add(v.clone())?,
                Value::Enum(OptionEnum::Some(e)) => $args.add(e.value.to_string())?,
                Value::Enum(OptionEnum::None(_)) => $args.add(Option::<String>::None)?,
                #[allow(unreachable_patterns)]
                other => return Err(BindError::Unsupported(format!("{other:?}"))),
            }
        }
        Ok($args)
    }};
}

/// sqlx arguments for SQLite from sea-query's values, in order.
pub fn sqlite_arguments(values: &Values) -> Result<SqliteArguments, BindError> {
    let mut args = SqliteArguments::default();
    bind_all!(args, values)
}

/// sqlx arguments for PostgreSQL from sea-query's values, in order.
pub fn postgres_arguments(values: &Values) -> Result<PgArguments, BindError> {
    let mut args = PgArguments::default();
    bind_all!(args, values)
}

/// A ready-to-run SQLite query from `build(SqliteQueryBuilder)`'s output.
///
/// The SQL is sea-query's rendering, in which every user-supplied value is a placeholder.
pub fn sqlite_query(
    sql: String,
    values: &Values,
) -> Result<sqlx::query::Query<'static, Sqlite, SqliteArguments>, BindError> {
    Ok(sqlx::query_with(
        AssertSqlSafe(sql),
        sqlite_arguments(values)?,
    ))
}

/// A ready-to-run PostgreSQL query from `build(PostgresQueryBuilder)`'s output.
///
/// The SQL is sea-query's rendering, in which every user-supplied value is a placeholder.
pub fn postgres_query(
    sql: String,
    values: &Values,
) -> Result<sqlx::query::Query<'static, Postgres, PgArguments>, BindError> {
    Ok(sqlx::query_with(
        AssertSqlSafe(sql),
        postgres_arguments(values)?,
    ))
}

/// Like [`sqlite_query`], for `query_as` (rows decoded with `FromRow`).
pub fn sqlite_query_as<O>(
    sql: String,
    values: &Values,
) -> Result<sqlx::query::QueryAs<'static, Sqlite, O, SqliteArguments>, BindError>
where
    O: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
{
    Ok(sqlx::query_as_with(
        AssertSqlSafe(sql),
        sqlite_arguments(values)?,
    ))
}

/// Like [`postgres_query`], for `query_as` (rows decoded with `FromRow`).
pub fn postgres_query_as<O>(
    sql: String,
    values: &Values,
) -> Result<sqlx::query::QueryAs<'static, Postgres, O, PgArguments>, BindError>
where
    O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    Ok(sqlx::query_as_with(
        AssertSqlSafe(sql),
        postgres_arguments(values)?,
    ))
}
