//! The webhook outbox: events written in the same transaction as the change that caused
//! them, fanned out at once to the subscribed consumers as one message each, then claimed
//! under a lease by a dispatcher, attempted, retried and logged.
//!
//! Fan-out happens at enqueue, inside the causing transaction: a consumer receives exactly
//! the events that happened while it was subscribed (one created later does not get old
//! events), a message carries its own schedule and state in one row, and deleting a consumer
//! drops its messages with it. The cost is one small read of the consumers (at most 50) per
//! event, and no event row at all when nobody listens.

use ledgerbridge_domain::platform::{ConnectionStatus, DatasetStatus};
use ledgerbridge_domain::{CompanyId, ConnectionId, Timestamp};
use serde_json::{Map, Value, json};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;

use crate::companies::parse_time;
use crate::pool::{read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// The event types of Codat's webhook service, as consumers subscribe to them.
pub const EVENT_TYPES: &[&str] = &[
    "company.created",
    "company.deleted",
    "company.product.added",
    "company.product.removed",
    "connection.created",
    "connection.connected",
    "connection.failed",
    "connection.disconnected",
    "connection.reconnected",
    "connection.deleted",
    "read.completed",
    "read.completed.initial",
    "client.rateLimit.reached",
    "client.rateLimit.reset",
];

/// Whether `name` is an event type a consumer may subscribe to: one of [`EVENT_TYPES`] or a
/// write event `{dataType}.write.successful` / `{dataType}.write.unsuccessful`.
pub fn is_event_type(name: &str) -> bool {
    EVENT_TYPES.contains(&name)
        || name
            .strip_suffix(".write.successful")
            .or_else(|| name.strip_suffix(".write.unsuccessful"))
            .is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An open write transaction on either backend, for the outbox calls made inside the store's
/// own transactions.
pub(crate) enum Tx<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl<'a> From<&'a mut SqliteConnection> for Tx<'a> {
    fn from(c: &'a mut SqliteConnection) -> Self {
        Self::Sqlite(c)
    }
}

impl<'a> From<&'a mut PgConnection> for Tx<'a> {
    fn from(c: &'a mut PgConnection) -> Self {
        Self::Postgres(c)
    }
}

/// Runs `$body` with `$conn` bound to the transaction's connection on the active backend.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite(c) => {
                let $conn = &mut **c;
                $body
            }
            Tx::Postgres(c) => {
                let $conn = &mut **c;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Tx<'_> {
    /// ` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose single writer already excludes.
    pub(crate) fn lock_suffix(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "",
            Tx::Postgres(_) => " FOR UPDATE",
        }
    }
}

/// What an event says about its company: enough for `companyDetails` and `companyReference`.
#[derive(Clone, Debug)]
pub(crate) struct CompanySnapshot {
    id: String,
    name: String,
    description: Option<String>,
    tags: Map<String, Value>,
    created: String,
    last_sync: Option<String>,
}

impl CompanySnapshot {
    /// Codat's `companyDetails` (the dispatcher adds `redirect`).
    fn details(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "created": self.created,
            "products": [],
            "tags": self.tags,
            "referenceSubsidiaryCompanies": [],
        });
        if let Some(d) = &self.description {
            v["description"] = json!(d);
        }
        if let Some(l) = &self.last_sync {
            v["lastSync"] = json!(l);
        }
        v
    }

    /// Codat's `companyReference`.
    fn reference(&self) -> Value {
        let mut v = json!({ "id": self.id, "name": self.name, "tags": self.tags });
        if let Some(d) = &self.description {
            v["description"] = json!(d);
        }
        v
    }

    fn tag_matches(&self, wanted: &[String]) -> bool {
        wanted.iter().any(|t| match t.split_once(':') {
            Some((k, v)) => self.tags.get(k).and_then(Value::as_str) == Some(v),
            None => false,
        })
    }
}

/// The company as it is now in the transaction, or `None` when it does not exist.
pub(crate) async fn company_snapshot(
    tx: &mut Tx<'_>,
    company: &str,
) -> Result<Option<CompanySnapshot>> {
    type Row = (
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
    );
    let row: Option<Row> = on_tx!(tx, conn =>
        sqlx::query_as("SELECT id, name, description, tags, created, last_sync FROM companies WHERE id = $1")
            .bind(company)
            .fetch_optional(conn)
            .await)?;
    row.map(|(id, name, description, tags, created, last_sync)| {
        let tags: Map<String, Value> = serde_json::from_str(&tags)?;
        Ok(CompanySnapshot {
            id,
            name,
            description,
            tags,
            created: parse_time(&created)?.to_string(),
            last_sync: last_sync
                .as_deref()
                .map(parse_time)
                .transpose()?
                .map(|t| t.to_string()),
        })
    })
    .transpose()
}

/// The connection as it is now in the transaction, as Codat's `Connection` without
/// `linkUrl` (the dispatcher adds it).
pub(crate) async fn connection_snapshot(
    tx: &mut Tx<'_>,
    company: &str,
    connection: &str,
) -> Result<Option<Value>> {
    let sql = format!(
        "SELECT {} FROM connections WHERE id = $1 AND company_id = $2",
        crate::connections::CONNECTION_COLUMNS
    );
    let raw: Option<crate::connections::RawConnection> = on_tx!(tx, conn =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(connection)
            .bind(company)
            .fetch_optional(conn)
            .await)?;
    let Some(raw) = raw else {
        return Ok(None);
    };
    let c = crate::connections::ConnectionRow::try_from(raw)?;
    let mut v = json!({
        "id": c.id,
        "integrationId": c.integration_id,
        "integrationKey": c.integration_key,
        "sourceId": c.source_id,
        "sourceType": c.source_type,
        "platformName": c.platform_name,
        "status": c.status,
        "created": c.created,
        "dataConnectionErrors": c.errors,
    });
    if let Some(l) = c.last_sync {
        v["lastSync"] = json!(l);
    }
    if let Some(i) = c.connection_info {
        v["connectionInfo"] = i;
    }
    Ok(Some(v))
}

/// Writes an event and one message per consumer that wants it (its type subscribed, and one
/// of its company tags matching, if it set any). Nothing is written when nobody wants it.
pub(crate) async fn enqueue(
    tx: &mut Tx<'_>,
    event_type: &str,
    company: &CompanySnapshot,
    payload: Value,
) -> Result<()> {
    let consumers: Vec<(String, String, Option<String>)> = on_tx!(tx, conn =>
        sqlx::query_as("SELECT id, event_types, company_tags FROM webhook_consumers WHERE disabled = $1")
            .bind(false)
            .fetch_all(conn)
            .await)?;
    let mut wanted = Vec::new();
    for (id, types, tags) in consumers {
        let types: Vec<String> = serde_json::from_str(&types)?;
        if !types.iter().any(|t| t == event_type) {
            continue;
        }
        let tags: Option<Vec<String>> = tags.as_deref().map(serde_json::from_str).transpose()?;
        if let Some(tags) = tags.filter(|t| !t.is_empty())
            && !company.tag_matches(&tags)
        {
            continue;
        }
        wanted.push(id);
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let event_id = uuid::Uuid::now_v7().to_string();
    let now = Timestamp::now().to_string();
    let payload = payload.to_string();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO outbox_events (id, event_type, company_id, generated, payload) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&event_id)
        .bind(event_type)
        .bind(&company.id)
        .bind(&now)
        .bind(&payload)
        .execute(&mut *conn)
        .await?;
        for consumer in &wanted {
            sqlx::query(
                "INSERT INTO outbox_messages (event_id, consumer_id, status, attempts, next_attempt_at, created) \
                 VALUES ($1, $2, 'Pending', 0, $3, $3)",
            )
            .bind(&event_id)
            .bind(consumer)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(())
}

/// `company.created` / `company.deleted` for a company as it is in the transaction.
pub(crate) async fn company_event(
    tx: &mut Tx<'_>,
    event_type: &str,
    company: &CompanySnapshot,
) -> Result<()> {
    enqueue(tx, event_type, company, company.details()).await
}

/// A `connection.*` event with the company and connection as they are in the transaction.
pub(crate) async fn connection_event(
    tx: &mut Tx<'_>,
    event_type: &str,
    company: &str,
    connection: &str,
) -> Result<()> {
    let Some(snap) = company_snapshot(tx, company).await? else {
        return Ok(());
    };
    let Some(conn) = connection_snapshot(tx, company, connection).await? else {
        return Ok(());
    };
    connection_event_from(tx, event_type, &snap, conn).await
}

/// A `connection.*` event from snapshots taken earlier (before a delete).
pub(crate) async fn connection_event_from(
    tx: &mut Tx<'_>,
    event_type: &str,
    company: &CompanySnapshot,
    connection: Value,
) -> Result<()> {
    let payload = json!({ "referenceCompany": company.reference(), "connection": connection });
    enqueue(tx, event_type, company, payload).await
}

/// A company and its connections as they are before a delete.
pub(crate) struct DeletedCompany {
    company: CompanySnapshot,
    connections: Vec<Value>,
}

/// Snapshots taken before deleting a company; `None` when it does not exist.
pub(crate) async fn deleted_company_snapshots(
    tx: &mut Tx<'_>,
    company: &str,
) -> Result<Option<DeletedCompany>> {
    let Some(snap) = company_snapshot(tx, company).await? else {
        return Ok(None);
    };
    let ids: Vec<(String,)> = on_tx!(tx, conn =>
        sqlx::query_as("SELECT id FROM connections WHERE company_id = $1 ORDER BY created, id")
            .bind(company)
            .fetch_all(conn)
            .await)?;
    let mut connections = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(c) = connection_snapshot(tx, company, &id).await? {
            connections.push(c);
        }
    }
    Ok(Some(DeletedCompany {
        company: snap,
        connections,
    }))
}

/// `connection.deleted` for each connection of a deleted company, then `company.deleted`.
pub(crate) async fn company_deleted(tx: &mut Tx<'_>, deleted: DeletedCompany) -> Result<()> {
    for c in deleted.connections {
        connection_event_from(tx, "connection.deleted", &deleted.company, c).await?;
    }
    company_event(tx, "company.deleted", &deleted.company).await
}

/// Snapshots taken before deleting a connection; `None` when it does not exist.
pub(crate) async fn deleted_connection_snapshot(
    tx: &mut Tx<'_>,
    company: &str,
    connection: &str,
) -> Result<Option<(CompanySnapshot, Value)>> {
    let Some(snap) = company_snapshot(tx, company).await? else {
        return Ok(None);
    };
    Ok(connection_snapshot(tx, company, connection)
        .await?
        .map(|c| (snap, c)))
}

/// The event a status change of a connection raises, if any.
pub(crate) fn transition_event(
    from: ConnectionStatus,
    to: ConnectionStatus,
) -> Option<&'static str> {
    use ConnectionStatus::*;
    match (from, to) {
        (PendingAuth, Linked) => Some("connection.connected"),
        (Unlinked | Deauthorized, Linked) => Some("connection.reconnected"),
        (Linked, Unlinked | Deauthorized) => Some("connection.disconnected"),
        _ => None,
    }
}

/// A connection's status in the transaction, locked against concurrent changes on
/// PostgreSQL.
pub(crate) async fn lock_connection_status(
    tx: &mut Tx<'_>,
    company: &str,
    connection: &str,
) -> Result<Option<ConnectionStatus>> {
    let sql = format!(
        "SELECT status FROM connections WHERE id = $1 AND company_id = $2{}",
        tx.lock_suffix()
    );
    let row: Option<(String,)> = on_tx!(tx, conn =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(connection)
            .bind(company)
            .fetch_optional(conn)
            .await)?;
    row.map(|(s,)| s.parse().map_err(StoreError::corrupt))
        .transpose()
}

/// Called as a dataset finishes, inside its transaction: when no dataset of the connection
/// is still queued or running, the datasets that finished since the last report make one
/// read, reported as `read.completed` (and `read.completed.initial` for the connection's
/// first). Marks those datasets reported whether or not anyone listens.
pub(crate) async fn dataset_finished(
    tx: &mut Tx<'_>,
    company: &str,
    connection: &str,
) -> Result<()> {
    let in_progress = DatasetStatus::IN_PROGRESS
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT COUNT(*) FROM datasets WHERE connection_id = $1 AND status IN ({in_progress})"
    );
    let (running,): (i64,) = on_tx!(tx, conn =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(connection).fetch_one(conn).await)?;
    if running > 0 {
        return Ok(());
    }
    let sql = format!(
        "SELECT id, data_type, status, requested FROM datasets \
         WHERE connection_id = $1 AND read_reported IS NULL AND status NOT IN ({in_progress}) \
         ORDER BY requested, id"
    );
    let batch: Vec<(String, String, String, String)> = on_tx!(tx, conn =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(connection).fetch_all(conn).await)?;
    if batch.is_empty() {
        return Ok(());
    }
    let now = Timestamp::now().to_string();
    let sql = format!(
        "UPDATE datasets SET read_reported = $1 \
         WHERE connection_id = $2 AND read_reported IS NULL AND status NOT IN ({in_progress})"
    );
    let previous: Option<(String,)> = on_tx!(tx, conn => {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&now)
            .bind(connection)
            .execute(&mut *conn)
            .await?;
        let previous: Option<(String,)> = sqlx::query_as(
            "SELECT last_read FROM outbox_connection_reads WHERE connection_id = $1",
        )
        .bind(connection)
        .fetch_optional(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO outbox_connection_reads (connection_id, first_read, last_read) VALUES ($1, $2, $2) \
             ON CONFLICT (connection_id) DO UPDATE SET last_read = excluded.last_read",
        )
        .bind(connection)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        Ok::<_, sqlx::Error>(previous)
    })?;
    let Some(company_snap) = company_snapshot(tx, company).await? else {
        return Ok(());
    };
    let mut data_types = Vec::with_capacity(batch.len());
    for (_id, data_type, status, requested) in &batch {
        let modified = status == "Complete"
            && records_modified_since(tx, company, connection, data_type, requested).await?;
        data_types.push(json!({
            "connectionId": connection,
            "dataType": data_type,
            "recordsModified": modified,
            "status": status,
            "issues": [],
        }));
    }
    let mut payload = json!({
        "referenceCompany": company_snap.reference(),
        "dataTypes": data_types,
    });
    if let Some((from,)) = &previous {
        payload["modifiedFromDate"] = json!(from);
    }
    if previous.is_none() {
        enqueue(tx, "read.completed.initial", &company_snap, payload.clone()).await?;
    }
    enqueue(tx, "read.completed", &company_snap, payload).await
}

/// Whether any record of the type on the connection was written (created, changed or marked
/// deleted) at or after `since`.
async fn records_modified_since(
    tx: &mut Tx<'_>,
    company: &str,
    connection: &str,
    data_type: &str,
    since: &str,
) -> Result<bool> {
    let millis = parse_time(since)?.as_datetime().timestamp_millis();
    let row: Option<(i64,)> = on_tx!(tx, conn =>
        sqlx::query_as(
            "SELECT CAST(1 AS BIGINT) FROM records r JOIN record_sets s ON s.set_id = r.set_id \
             WHERE s.company_id = $1 AND s.data_type = $2 AND r.k_modified >= $3 AND r.connection_id = $4 LIMIT 1",
        )
        .bind(company)
        .bind(data_type)
        .bind(millis)
        .bind(connection)
        .fetch_optional(conn)
        .await)?;
    Ok(row.is_some())
}

/// A message a dispatcher holds a lease on, with what it needs to deliver it.
#[derive(Clone, Debug)]
pub struct ClaimedMessage {
    /// The message's row (its order among the consumer's messages).
    pub seq: i64,
    /// The event's id: the envelope's `id`, and the `webhook-id` of every attempt.
    pub event_id: String,
    pub event_type: String,
    pub generated: Timestamp,
    /// Codat's payload without URLs.
    pub payload: String,
    pub consumer_id: String,
    pub url: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// The outcome of one delivery attempt, to record.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    pub seq: i64,
    pub consumer_id: String,
    pub attempted: Timestamp,
    /// The HTTP status, when a response came.
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    /// Why it failed, worded for the consumer's owner (never a secret).
    pub error: Option<String>,
    pub delivered: bool,
    /// When to try again; `None` after a failure means the schedule is exhausted.
    pub next_attempt_at: Option<Timestamp>,
}

/// One recorded delivery attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRow {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub attempted: Timestamp,
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    pub error: Option<String>,
    pub delivered: bool,
}

/// A message as stored, for inspection.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    pub seq: i64,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub leased: bool,
}

/// Which of a consumer's messages to send again.
#[derive(Clone, Debug)]
pub enum Replay {
    /// Messages of these events (envelope ids).
    Events(Vec<String>),
    /// Messages of events generated in `[from, to)`.
    Range { from: Timestamp, to: Timestamp },
}

type RawClaim = (i64, String, String, String, String, String, String, i64);

impl Store {
    /// Records that linking (or re-linking) a connection failed: appends `error` to its
    /// `dataConnectionErrors` (the status does not change) and raises `connection.failed`, in
    /// one transaction. `false` when no such connection exists.
    pub async fn record_link_failure(
        &self,
        company: CompanyId,
        id: ConnectionId,
        error: &ledgerbridge_domain::platform::DataConnectionError,
    ) -> Result<bool> {
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut events = Tx::from(&mut *tx);
            let sql = format!(
                "SELECT errors FROM connections WHERE id = $1 AND company_id = $2{}",
                events.lock_suffix()
            );
            let row: Option<(String,)> = on_tx!(&mut events, conn =>
                sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(id.to_string())
                    .bind(company.to_string())
                    .fetch_optional(conn)
                    .await)?;
            let Some((errors,)) = row else {
                return Ok(false);
            };
            let mut errors: Vec<ledgerbridge_domain::platform::DataConnectionError> =
                serde_json::from_str(&errors)?;
            errors.push(error.clone());
            let errors = serde_json::to_string(&errors)?;
            on_tx!(&mut events, conn =>
                sqlx::query("UPDATE connections SET errors = $1 WHERE id = $2")
                    .bind(&errors)
                    .bind(id.to_string())
                    .execute(conn)
                    .await
                    .map(|_| ()))?;
            connection_event(&mut events, "connection.failed", &company.to_string(), &id.to_string()).await?;
            tx.commit().await?;
            true
        });
        Ok(done)
    }

    /// Leases due messages to `owner` until `lease_until`: at most `per_consumer` of each
    /// consumer, oldest first, `limit` in all. A consumer with a message under a live lease
    /// is skipped, so each consumer has at most one dispatcher sending to it at a time (its
    /// messages go out in order, and a message is never in flight twice). On PostgreSQL the
    /// consumer rows are locked `FOR UPDATE SKIP LOCKED` while claiming, so concurrent
    /// dispatchers split the consumers between them instead of waiting.
    pub async fn claim_messages(
        &self,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
        per_consumer: u32,
        limit: u32,
    ) -> Result<Vec<ClaimedMessage>> {
        let now = now.to_string();
        // A cheap read first: an idle dispatcher does not take the write lock.
        let due: Option<(i64,)> = read_pool!(self, pool =>
            sqlx::query_as(
                "SELECT seq FROM outbox_messages WHERE status = 'Pending' AND next_attempt_at <= $1 \
                 AND (lease_owner IS NULL OR lease_expires < $1) LIMIT 1",
            )
            .bind(&now)
            .fetch_optional(pool)
            .await)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let skip_locked = match self.dialect() {
            crate::filter::Dialect::Sqlite => "",
            crate::filter::Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        // Consumers with due, unleased messages and no live lease of their own.
        let consumers_sql = format!(
            "SELECT c.id FROM webhook_consumers c WHERE c.disabled = $1 AND EXISTS ( \
               SELECT 1 FROM outbox_messages m WHERE m.consumer_id = c.id AND m.status = 'Pending' \
               AND m.next_attempt_at <= $2 AND (m.lease_owner IS NULL OR m.lease_expires < $2)) \
             AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.consumer_id = c.id \
               AND o.lease_owner IS NOT NULL AND o.lease_expires >= $2) \
             ORDER BY c.id{skip_locked}"
        );
        let raws: Vec<RawClaim> = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let consumers: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(consumers_sql.as_str()))
                .bind(false)
                .bind(&now)
                .fetch_all(&mut *tx)
                .await?;
            let mut claimed: Vec<(i64,)> = Vec::new();
            for (consumer,) in &consumers {
                let room = i64::from(limit) - i64::try_from(claimed.len()).unwrap_or(i64::MAX);
                if room <= 0 {
                    break;
                }
                // A fresh statement after the lock on the consumer: it sees leases committed
                // by whoever held the lock before.
                let live: Option<(i64,)> = sqlx::query_as(
                    "SELECT seq FROM outbox_messages WHERE consumer_id = $1 AND lease_owner IS NOT NULL \
                     AND lease_expires >= $2 LIMIT 1",
                )
                .bind(consumer)
                .bind(&now)
                .fetch_optional(&mut *tx)
                .await?;
                if live.is_some() {
                    continue;
                }
                let mut got: Vec<(i64,)> = sqlx::query_as(
                    "UPDATE outbox_messages SET lease_owner = $1, lease_expires = $2 WHERE seq IN ( \
                       SELECT seq FROM outbox_messages WHERE consumer_id = $3 AND status = 'Pending' \
                       AND next_attempt_at <= $4 AND (lease_owner IS NULL OR lease_expires < $4) \
                       ORDER BY seq LIMIT $5) \
                     RETURNING seq",
                )
                .bind(owner)
                .bind(lease_until.to_string())
                .bind(consumer)
                .bind(&now)
                .bind(room.min(i64::from(per_consumer)))
                .fetch_all(&mut *tx)
                .await?;
                claimed.append(&mut got);
            }
            let rows: Vec<RawClaim> = if claimed.is_empty() {
                Vec::new()
            } else {
                let list: Vec<String> = (0..claimed.len()).map(|i| format!("${}", i + 1)).collect();
                let sql = format!(
                    "SELECT m.seq, m.event_id, e.event_type, e.generated, e.payload, m.consumer_id, c.url, m.attempts \
                     FROM outbox_messages m JOIN outbox_events e ON e.id = m.event_id \
                     JOIN webhook_consumers c ON c.id = m.consumer_id \
                     WHERE m.seq IN ({}) ORDER BY m.seq",
                    list.join(", ")
                );
                let mut q = sqlx::query_as::<_, RawClaim>(sqlx::AssertSqlSafe(sql.as_str()));
                for (s,) in &claimed {
                    q = q.bind(*s);
                }
                q.fetch_all(&mut *tx).await?
            };
            tx.commit().await?;
            rows
        });
        raws.into_iter()
            .map(
                |(seq, event_id, event_type, generated, payload, consumer_id, url, attempts)| {
                    Ok(ClaimedMessage {
                        seq,
                        event_id,
                        event_type,
                        generated: parse_time(&generated)?,
                        payload,
                        consumer_id,
                        url,
                        attempts: u32::try_from(attempts).map_err(StoreError::corrupt)?,
                    })
                },
            )
            .collect()
    }

    /// Records attempts made under `owner`'s leases, in one transaction: each message is
    /// delivered, rescheduled, or failed for good, and its lease released; each consumer's
    /// failing streak starts or ends. A consumer whose streak began at or before
    /// `disable_failing_since` is disabled. Outcomes of leases `owner` lost are dropped.
    /// Returns the consumers disabled now.
    pub async fn record_attempts(
        &self,
        owner: &str,
        outcomes: &[AttemptOutcome],
        disable_failing_since: Timestamp,
    ) -> Result<Vec<String>> {
        if outcomes.is_empty() {
            return Ok(Vec::new());
        }
        let cutoff = disable_failing_since.to_string();
        let disabled = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut disabled = Vec::new();
            for o in outcomes {
                let attempted = o.attempted.to_string();
                let (status, next) = match (o.delivered, o.next_attempt_at) {
                    (true, _) => ("Delivered", attempted.clone()),
                    (false, Some(next)) => ("Pending", next.to_string()),
                    (false, None) => ("Failed", attempted.clone()),
                };
                let done = sqlx::query(
                    "UPDATE outbox_messages SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
                     lease_owner = NULL, lease_expires = NULL WHERE seq = $3 AND lease_owner = $4",
                )
                .bind(status)
                .bind(&next)
                .bind(o.seq)
                .bind(owner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO outbox_attempts (id, message_seq, consumer_id, attempted, status_code, duration_ms, error, delivered) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(o.seq)
                .bind(&o.consumer_id)
                .bind(&attempted)
                .bind(o.status_code.map(i64::from))
                .bind(i64::try_from(o.duration_ms).unwrap_or(i64::MAX))
                .bind(&o.error)
                .bind(o.delivered)
                .execute(&mut *tx)
                .await?;
                if o.delivered {
                    sqlx::query("UPDATE webhook_consumers SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL")
                        .bind(&o.consumer_id)
                        .execute(&mut *tx)
                        .await?;
                } else {
                    sqlx::query("UPDATE webhook_consumers SET failing_since = COALESCE(failing_since, $1) WHERE id = $2")
                        .bind(&attempted)
                        .bind(&o.consumer_id)
                        .execute(&mut *tx)
                        .await?;
                    let off = sqlx::query(
                        "UPDATE webhook_consumers SET disabled = $1 WHERE id = $2 AND disabled = $3 \
                         AND failing_since IS NOT NULL AND failing_since <= $4",
                    )
                    .bind(true)
                    .bind(&o.consumer_id)
                    .bind(false)
                    .bind(&cutoff)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if off > 0 {
                        disabled.push(o.consumer_id.clone());
                    }
                }
            }
            tx.commit().await?;
            disabled
        });
        Ok(disabled)
    }

    /// Hands back every lease `owner` holds (graceful shutdown), keeping each message's
    /// schedule.
    pub async fn release_messages(&self, owner: &str) -> Result<u64> {
        let done = write_pool!(self, pool =>
            sqlx::query("UPDATE outbox_messages SET lease_owner = NULL, lease_expires = NULL WHERE lease_owner = $1")
                .bind(owner)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// One page of a consumer's delivery attempts, newest first, and how many there are.
    pub async fn list_delivery_attempts(
        &self,
        consumer: uuid::Uuid,
        page: u32,
        page_size: u32,
    ) -> Result<(Vec<AttemptRow>, u64)> {
        type Raw = (
            String,
            String,
            String,
            String,
            Option<i64>,
            i64,
            Option<String>,
            bool,
        );
        let offset = i64::from(page.saturating_sub(1)) * i64::from(page_size);
        let (rows, total) = read_pool!(self, pool => {
            let rows: Vec<Raw> = sqlx::query_as(
                "SELECT a.id, m.event_id, e.event_type, a.attempted, a.status_code, a.duration_ms, a.error, a.delivered \
                 FROM outbox_attempts a JOIN outbox_messages m ON m.seq = a.message_seq \
                 JOIN outbox_events e ON e.id = m.event_id \
                 WHERE a.consumer_id = $1 ORDER BY a.attempted DESC, a.id DESC LIMIT $2 OFFSET $3",
            )
            .bind(consumer.to_string())
            .bind(i64::from(page_size))
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox_attempts WHERE consumer_id = $1")
                .bind(consumer.to_string())
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        let rows = rows
            .into_iter()
            .map(
                |(id, event_id, event_type, attempted, code, ms, error, delivered)| {
                    Ok(AttemptRow {
                        id,
                        event_id,
                        event_type,
                        attempted: parse_time(&attempted)?,
                        status_code: code.and_then(|c| u16::try_from(c).ok()),
                        duration_ms: u64::try_from(ms).unwrap_or(0),
                        error,
                        delivered,
                    })
                },
            )
            .collect::<Result<_>>()?;
        Ok((rows, u64::try_from(total.0).unwrap_or(0)))
    }

    /// A consumer's messages in order, for inspection and tests.
    pub async fn list_messages(&self, consumer: uuid::Uuid) -> Result<Vec<MessageRow>> {
        type Raw = (i64, String, String, String, i64, String, Option<String>);
        let rows: Vec<Raw> = read_pool!(self, pool =>
            sqlx::query_as(
                "SELECT m.seq, m.event_id, e.event_type, m.status, m.attempts, m.next_attempt_at, m.lease_owner \
                 FROM outbox_messages m JOIN outbox_events e ON e.id = m.event_id \
                 WHERE m.consumer_id = $1 ORDER BY m.seq",
            )
            .bind(consumer.to_string())
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(
                |(seq, event_id, event_type, status, attempts, next, lease)| {
                    Ok(MessageRow {
                        seq,
                        event_id,
                        event_type,
                        status,
                        attempts: u32::try_from(attempts).map_err(StoreError::corrupt)?,
                        next_attempt_at: parse_time(&next)?,
                        leased: lease.is_some(),
                    })
                },
            )
            .collect()
    }

    /// Sends a consumer's chosen messages again from the start of the schedule, due at `now`
    /// (messages under a live lease are left alone). Returns how many were queued again.
    pub async fn replay_messages(
        &self,
        consumer: uuid::Uuid,
        which: &Replay,
        now: Timestamp,
    ) -> Result<u64> {
        let now = now.to_string();
        let (filter, values): (String, Vec<String>) = match which {
            Replay::Events(ids) => {
                if ids.is_empty() {
                    return Ok(0);
                }
                let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
                (format!("m.event_id IN ({})", list.join(", ")), ids.clone())
            }
            Replay::Range { from, to } => (
                "m.event_id IN (SELECT e.id FROM outbox_events e WHERE e.generated >= $3 AND e.generated < $4)"
                    .into(),
                vec![from.to_string(), to.to_string()],
            ),
        };
        let sql = format!(
            "UPDATE outbox_messages SET status = 'Pending', attempts = 0, next_attempt_at = $1, \
               lease_owner = NULL, lease_expires = NULL \
             WHERE seq IN (SELECT m.seq FROM outbox_messages m WHERE m.consumer_id = $2 AND {filter} \
               AND (m.lease_owner IS NULL OR m.lease_expires < $1))"
        );
        let done = write_pool!(self, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(&now)
                .bind(consumer.to_string());
            for v in &values {
                q = q.bind(v);
            }
            q.execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(done)
    }

    /// Forgets webhook history older than `before`: messages that finished (delivered, or
    /// failed after the whole schedule) with their attempts, and events no message still
    /// refers to (their consumers were deleted). Pending messages and their
    /// events are kept whatever their age. Returns (messages, events) deleted.
    pub async fn prune_webhook_history(&self, before: Timestamp) -> Result<(u64, u64)> {
        let before = before.to_string();
        let done = write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "DELETE FROM outbox_attempts WHERE message_seq IN (SELECT seq FROM outbox_messages \
                 WHERE status <> 'Pending' AND created < $1)",
            )
            .bind(&before)
            .execute(&mut *tx)
            .await?;
            let messages = sqlx::query(
                "DELETE FROM outbox_messages WHERE status <> 'Pending' AND created < $1",
            )
            .bind(&before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let events = sqlx::query(
                "DELETE FROM outbox_events WHERE generated < $1 AND NOT EXISTS \
                 (SELECT 1 FROM outbox_messages m WHERE m.event_id = outbox_events.id)",
            )
            .bind(&before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            (messages, events)
        });
        Ok(done)
    }
}
