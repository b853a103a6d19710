//! Test support shared by every crate's database tests: a fresh database per test.

use std::path::Path;

/// A database URL nobody else uses: a new schema in the PostgreSQL named by
/// `LEDGERBRIDGE_TEST_POSTGRES_URL` when it is set (`.ci/run` sets it for its PostgreSQL pass),
/// else a SQLite file in `dir`.
///
/// # Panics
/// When the variable is set but PostgreSQL cannot be reached: a test run that asked for
/// PostgreSQL must not quietly run on SQLite.
pub async fn fresh_database_url(dir: &Path) -> String {
    match std::env::var("LEDGERBRIDGE_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&base)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "LEDGERBRIDGE_TEST_POSTGRES_URL is set but PostgreSQL is not reachable: {e}"
                    )
                });
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("cannot create test schema {schema}: {e}"));
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}options[search_path]={schema}")
        }
        _ => format!("sqlite://{}", dir.join("test.db").display()),
    }
}
