//! Connecting to SQLite or PostgreSQL and running migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::Result;

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) backend: Backend,
    /// Woken when this process queues a dataset, so its workers need not poll for it.
    pub(crate) work_queued: std::sync::Arc<tokio::sync::Notify>,
}

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    /// `write` has exactly one connection; `read` has several.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        wal: Checkpointer,
    },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the pool for reads on the active backend.
macro_rules! read_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::pool::Backend::Sqlite { read: $pool, .. } => $body,
            $crate::pool::Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$pool` bound to the pool for writes on the active backend.
macro_rules! write_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::pool::Backend::Sqlite { write: $pool, .. } => $body,
            $crate::pool::Backend::Postgres($pool) => $body,
        }
    };
}

pub(crate) use {read_pool, write_pool};

/// Checkpoints SQLite's write-ahead log on a connection of its own, so that copying the log
/// into the database (and its `fsync`) runs beside the single writer instead of inside one of
/// its commits. Bulk writes ask for a checkpoint ([`Checkpointer::request`]); requests made
/// within [`Checkpointer::COALESCE`] of each other share one `PRAGMA wal_checkpoint(PASSIVE)`,
/// which never blocks the writer or readers. The task ends with the last handle.
#[derive(Clone, Debug)]
pub(crate) struct Checkpointer {
    due: tokio::sync::mpsc::Sender<()>,
    pool: SqlitePool,
}

impl Checkpointer {
    /// How long a request waits for more writes before checkpointing.
    const COALESCE: Duration = Duration::from_millis(100);

    fn start(pool: SqlitePool) -> Self {
        let (due, mut requests) = tokio::sync::mpsc::channel::<()>(1);
        let conn = pool.clone();
        tokio::spawn(async move {
            while requests.recv().await.is_some() {
                tokio::time::sleep(Self::COALESCE).await;
                while requests.try_recv().is_ok() {}
                if conn.is_closed() {
                    break;
                }
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&conn)
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed; the writer will checkpoint instead");
                }
            }
        });
        Self { due, pool }
    }

    /// Asks for a checkpoint soon (after a commit that wrote much).
    pub(crate) fn request(&self) {
        let _ = self.due.try_send(());
    }
}

/// Options of a SQLite pool of `max` connections. They skip sqlx's `test_before_acquire` ping:
/// the connection lives in this process (it cannot have dropped), and the ping is a round trip
/// to the connection's worker thread before every statement (12 µs of the 84 µs of server CPU
/// a `GET /companies/{id}` took: docs/benchmarks.md, "Operations").
fn sqlite_pool(max: u32, acquire_timeout: Duration) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(max)
        .test_before_acquire(false)
        .acquire_timeout(acquire_timeout)
}

impl Store {
    /// Opens the database named by `url`: `sqlite://path` (created if missing) or
    /// `postgres://...`.
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::query("SET TIME ZONE 'UTC'").execute(conn).await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?;
            return Ok(Self {
                backend: Backend::Postgres(pool),
                work_queued: Default::default(),
            });
        }
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("temp_store", "memory");
        // The single writer gets the large page cache: bulk loads insert into six indexes
        // whose pages it keeps revisiting. It leaves checkpoints to the [`Checkpointer`]'s
        // connection, on another thread, and checkpoints itself only if the WAL still passes
        // ~160 MB (then truncated back to 64 MB).
        let write = sqlite_pool(1, Duration::from_secs(60))
            .connect_with(
                opts.clone()
                    .pragma("cache_size", "-65536")
                    .pragma("wal_autocheckpoint", "40000")
                    .pragma("journal_size_limit", "67108864"),
            )
            .await?;
        let wal = Checkpointer::start(
            sqlite_pool(1, Duration::from_secs(60))
                .connect_with(opts.clone().pragma("cache_size", "-2000"))
                .await?,
        );
        let read = sqlite_pool(8, Duration::from_secs(30))
            .connect_with(opts.read_only(true).pragma("cache_size", "-8000"))
            .await?;
        Ok(Self {
            backend: Backend::Sqlite { read, write, wal },
            work_queued: Default::default(),
        })
    }

    /// Applies pending migrations for the active dialect.
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite { write, .. } => {
                sqlx::migrate!("./migrations/sqlite").run(write).await?
            }
            Backend::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Asks for the WAL to be checkpointed soon, off the writer's thread (SQLite; a no-op on
    /// PostgreSQL). Call after a commit that wrote much.
    pub(crate) fn checkpoint_soon(&self) {
        if let Backend::Sqlite { wal, .. } = &self.backend {
            wal.request();
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        read_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Connections open and idle in each pool, by pool name (`read`/`write` on SQLite, `main`
    /// on PostgreSQL): `(pool, open, idle, max)`.
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, u32, u32)> {
        match &self.backend {
            Backend::Sqlite { read, write, .. } => vec![
                (
                    "read",
                    read.size(),
                    u32::try_from(read.num_idle()).unwrap_or(u32::MAX),
                    read.options().get_max_connections(),
                ),
                (
                    "write",
                    write.size(),
                    u32::try_from(write.num_idle()).unwrap_or(u32::MAX),
                    write.options().get_max_connections(),
                ),
            ],
            Backend::Postgres(pool) => vec![(
                "main",
                pool.size(),
                u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                pool.options().get_max_connections(),
            )],
        }
    }

    /// Copies the whole database, consistently, into a new SQLite file at `path` while
    /// writers go on (`VACUUM INTO` on a reader: one snapshot of the WAL). SQLite only.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        match &self.backend {
            Backend::Sqlite { read, .. } => {
                let target = path.to_string_lossy().into_owned();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(read)
                    .await?;
                Ok(())
            }
            Backend::Postgres(_) => Err(crate::StoreError::Unsupported(
                "online backups of PostgreSQL are taken with pg_dump (see docs/deploy.md)".into(),
            )),
        }
    }

    /// Closes every connection, waiting for in-flight statements.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { read, write, wal } => {
                read.close().await;
                write.close().await;
                wal.pool.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}
