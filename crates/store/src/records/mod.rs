//! Accounting records: one JSON document per (connection, data type, record id).
//!
//! # What is stored
//!
//! `records` holds each record's document with side columns: our `modified_date` (fixed-width
//! UTC text, also written into the document as Codat's `modifiedDate`), the document's
//! `sourceModifiedDate`, `is_deleted`, a SHA-256 content hash, and precomputed query keys of a
//! few hot paths per data type ([`key_columns`]). Rows belong to a *set*, one per (company,
//! data type) (`record_sets`), which every list reads and every index starts with.
//! `record_counts` keeps how many records each connection holds in each set, exactly, so
//! unfiltered lists need not count rows. Deleting a company or a connection deletes its
//! records (`ON DELETE CASCADE`).
//!
//! The served text is the writer's JSON text (compact, as connectors serialise their records)
//! with its members in the order written and `modifiedDate` last; numbers keep their exact
//! text (the workspace enables `arbitrary_precision`, so `1.50` stays `1.50` and twelve
//! fractional digits stay twelve). The write path reads the text's top-level members without
//! building a JSON tree (`document`); text it cannot borrow is written again from its parsed
//! value, members in key order. Both backends serve identical bytes:
//!
//! - SQLite stores the document as its binary JSONB (`jsonb(text)`), from which `json(doc)`
//!   gives back exactly that text, and which the JSON functions read without parsing: a scan
//!   over a path with no key column costs a fraction of what text JSON would.
//! - PostgreSQL stores the text (`doc TEXT`) and, for the query paths with no key column, a
//!   JSONB copy (`doc_q`) without the arrays the schema does not let clients query. JSONB
//!   alone would not do: it reorders members, respaces, and rewrites numbers such as `1.0E+2`.
//!
//! # Writes
//!
//! [`Store::upsert_records`] writes a batch in one transaction, many rows per statement, and
//! asks for a WAL checkpoint off the writer's thread (SQLite). A
//! record whose content (the document without `modifiedDate`) hashes as stored is not
//! rewritten, and its `modifiedDate` does not move; new and changed records get
//! `modifiedDate` = now. A connection with nothing stored in the set yet (a first sync)
//! skips reading stored hashes. [`Store::mark_deleted_unless_seen`] marks what a complete
//! snapshot of the platform did not return. [`Store::mark_deleted`] sets `metadata.isDeleted = true` (keeping the
//! record's last `status`) and bumps `modifiedDate`. After a sync that wrote many records,
//! [`Store::optimize`] refreshes the planner's statistics.
//!
//! # Reads
//!
//! [`Store::list_records`] runs the query language's filter and ordering (lowered to SQL by
//! [`crate::filter`], using the key columns and their indexes) over one company's or one
//! connection's records of one data type, ties broken by `id` in the ordering's direction (by
//! `id` ascending without an ordering), and returns the documents' stored text ready to splice
//! into a response ([`RecordPage::to_envelope`]) with the exact number of matching records.
//! [`Store::get_record`] reads one record. Reads select the stored `doc` itself: on SQLite its
//! JSONB is turned back into text in Rust (`jsonb`) as each row is decoded, the same text
//! `json(doc)` gives, which takes the conversion off the connection's thread (about a third
//! of a 5,000-record page).

mod document;
mod jsonb;
mod keys;
mod stored_doc;

use std::collections::{HashMap, HashSet};

use ledgerbridge_domain::accounting::schema_for;
use ledgerbridge_domain::paging::{Links, PageRequest};
use ledgerbridge_domain::schema::{Field, FieldType, Schema};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};
use sea_query::{Alias, Expr, ExprTrait, Query};
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use self::document::Members;
use self::keys::KEY_COLUMNS;
pub use self::keys::key_columns;
use self::stored_doc::StoredDoc;
use crate::filter::{Dialect, FieldSource, KeyKind, KeyValue};
use crate::listing::{ListQuery, ListRequest, Ties};
use crate::pool::{read_pool, write_pool};
use crate::{Result, Store, StoreError};

/// Whose records a read covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordScope {
    /// Every connection of the company (`/companies/{id}/data/...`).
    Company(CompanyId),
    /// One connection (`/companies/{id}/connections/{id}/data/...`).
    Connection(ConnectionId),
}

/// One record to write: its id and its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordWrite {
    /// The record's id from the source platform (unique per connection and data type).
    pub id: String,
    /// The document: a JSON object in Codat's shape, as compact text (as `serde_json` writes
    /// it). It is stored as written, members in their order; a `modifiedDate` member is
    /// ignored (the store writes its own). SQLite keeps no whitespace outside strings, so
    /// text with whitespace would be served differently by the two backends.
    pub doc: String,
}

impl RecordWrite {
    /// A record from a JSON value whose id is its `id` string member; `None` without one.
    pub fn from_doc(doc: &Json) -> Option<Self> {
        let id = doc.get("id")?.as_str()?.to_string();
        Some(Self {
            id,
            doc: doc.to_string(),
        })
    }
}

/// What [`Store::upsert_records`] did with a batch (counted over distinct ids).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertStats {
    /// Records that did not exist.
    pub inserted: u64,
    /// Records whose content changed (rewritten, `modifiedDate` moved).
    pub updated: u64,
    /// Records whose content was already stored (not rewritten).
    pub unchanged: u64,
}

/// One page of records: the documents' JSON text, in order, and how many match in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordPage {
    /// Each record's stored JSON text (a JSON object), ready to splice into a response.
    pub results: Vec<String>,
    /// How many records match the filter in all (Codat's `totalResults`).
    pub total: u64,
}

impl RecordPage {
    /// The page in Codat's paging envelope, as JSON bytes:
    /// `{"results":[…],"pageNumber":…,"pageSize":…,"totalResults":…,"_links":{…}}`, the
    /// documents spliced in as stored (no re-serialisation).
    pub fn to_envelope(&self, page: PageRequest, links: &Links) -> Result<Vec<u8>> {
        let docs: usize = self.results.iter().map(|d| d.len() + 1).sum();
        let mut out = Vec::with_capacity(docs + 512);
        out.extend_from_slice(b"{\"results\":[");
        for (i, d) in self.results.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(d.as_bytes());
        }
        out.extend_from_slice(
            format!(
                "],\"pageNumber\":{},\"pageSize\":{},\"totalResults\":{},\"_links\":",
                page.page, page.page_size, self.total
            )
            .as_bytes(),
        );
        serde_json::to_writer(&mut out, links)?;
        out.push(b'}');
        Ok(out)
    }
}

/// Where a data type's queryable fields live in `records` on `dialect`: the document
/// (`doc` on SQLite, its JSONB copy `doc_q` on PostgreSQL) and its key columns.
pub fn record_source(data_type: DataType, dialect: Dialect) -> FieldSource {
    FieldSource::JsonDocument {
        table: "records",
        column: match dialect {
            Dialect::Sqlite => "doc",
            Dialect::Postgres => "doc_q",
        },
        keys: key_columns(data_type),
    }
}

/// A record ready to bind.
struct Rendered {
    id: String,
    doc: String,
    hash: Vec<u8>,
    source_modified: Option<String>,
    keys: [KeyValue; KEY_COLUMNS.len()],
    /// The PostgreSQL query copy's text (`None` on SQLite).
    query_doc: Option<String>,
}

fn not_an_object(id: &str) -> StoreError {
    StoreError::Query(format!("record `{id}` is not a JSON object"))
}

/// Renders a document for storage: the members as written without `modifiedDate` (hashed),
/// then `modifiedDate` = `now` last; and reads its keys. Text whose members cannot be
/// borrowed ([`Members::parse`]) is first written again from its parsed value.
fn render(
    id: &str,
    doc: &str,
    now: &str,
    data_type: DataType,
    dialect: Dialect,
) -> Result<Rendered> {
    let canonical;
    let members = match Members::parse(doc) {
        Some(members) => members,
        None => {
            let Ok(Json::Object(map)) = serde_json::from_str::<Json>(doc) else {
                return Err(not_an_object(id));
            };
            let mut text = Vec::with_capacity(doc.len());
            write_object(&mut text, &map, None)?;
            canonical = String::from_utf8(text).map_err(StoreError::corrupt)?;
            Members::parse(&canonical).ok_or_else(|| not_an_object(id))?
        }
    };
    let now_json = serde_json::to_string(now)?;
    let content = members.content();
    let hash = Sha256::digest(&content).to_vec();
    let text = with_modified_date(content, &now_json)?;
    let mapping = key_columns(data_type);
    if dialect == Dialect::Sqlite {
        let keys =
            KEY_COLUMNS.map(
                |column| match mapping.iter().find(|k| k.column == column.name) {
                    // Our `modifiedDate`, not whatever the writer's document said.
                    Some(k) if k.path == "modifiedDate" => {
                        k.kind.key_of(&Json::String(now.to_string()))
                    }
                    Some(k) => members.key(k),
                    None => KeyValue::Null,
                },
            );
        return Ok(Rendered {
            id: id.to_string(),
            source_modified: members.string("sourceModifiedDate"),
            doc: text,
            hash,
            keys,
            query_doc: None,
        });
    }
    // PostgreSQL: its keys and JSONB query copy are read from the parsed document.
    let Json::Object(doc) = serde_json::from_str::<Json>(&text)? else {
        return Err(not_an_object(id));
    };
    render_postgres(id, text, hash, &doc, now, &now_json, data_type)
}

/// [`render`]'s PostgreSQL half, from the parsed document.
fn render_postgres(
    id: &str,
    text: String,
    hash: Vec<u8>,
    doc: &Map<String, Json>,
    now: &str,
    now_json: &str,
    data_type: DataType,
) -> Result<Rendered> {
    // PostgreSQL text and JSONB cannot hold NUL: its keys and query copy get U+FFFD instead
    // (the served text keeps `\u0000`). Only then is the document copied.
    let cleaned = text.contains("\\u0000").then(|| without_nul(doc));
    let readable = cleaned.as_ref().unwrap_or(doc);
    let mapping = key_columns(data_type);
    let keys = KEY_COLUMNS.map(
        |column| match mapping.iter().find(|k| k.column == column.name) {
            Some(k) if k.path == "modifiedDate" => k.kind.key_of(&Json::String(now.to_string())),
            Some(k) => k.extract_object(readable),
            None => KeyValue::Null,
        },
    );
    let source_modified = readable
        .get("sourceModifiedDate")
        .and_then(Json::as_str)
        .map(str::to_string);
    let query_doc = match schema_for(data_type) {
        None if cleaned.is_none() => text.clone(),
        schema => {
            let mut copy = Vec::with_capacity(1024);
            write_object(&mut copy, readable, schema)?;
            with_modified_date(copy, now_json)?
        }
    };
    Ok(Rendered {
        id: id.to_string(),
        doc: text,
        hash,
        source_modified,
        keys,
        query_doc: Some(query_doc),
    })
}

/// `doc` with every NUL in its strings and member names replaced by U+FFFD.
fn without_nul(doc: &Map<String, Json>) -> Map<String, Json> {
    fn clean(v: &Json) -> Json {
        match v {
            Json::String(s) => Json::String(s.replace('\0', "\u{FFFD}")),
            Json::Array(items) => Json::Array(items.iter().map(clean).collect()),
            Json::Object(map) => Json::Object(without_nul(map)),
            other => other.clone(),
        }
    }
    doc.iter()
        .map(|(k, v)| (k.replace('\0', "\u{FFFD}"), clean(v)))
        .collect()
}

/// `object` (which ends in `}`) with `"modifiedDate":<now_json>` appended as its last member.
fn with_modified_date(mut object: Vec<u8>, now_json: &str) -> Result<String> {
    object.pop();
    if object.len() > 1 {
        object.push(b',');
    }
    object.extend_from_slice(b"\"modifiedDate\":");
    object.extend_from_slice(now_json.as_bytes());
    object.push(b'}');
    String::from_utf8(object).map_err(StoreError::corrupt)
}

/// Writes `doc` compactly, members in key order, without `modifiedDate`. With a schema, only
/// what a query or an ordering can name: members the schema lists (recursively), except the
/// arrays it does not let clients query. Leaving the rest out of the query copy changes no
/// result and keeps it small enough to stay inline.
fn write_object(out: &mut Vec<u8>, doc: &Map<String, Json>, schema: Option<&Schema>) -> Result<()> {
    write_members(out, doc, schema, true)
}

fn write_members(
    out: &mut Vec<u8>,
    doc: &Map<String, Json>,
    schema: Option<&Schema>,
    top: bool,
) -> Result<()> {
    out.push(b'{');
    let mut first = true;
    for (k, v) in doc {
        if top && k == "modifiedDate" {
            continue;
        }
        let ty = match schema {
            None => None,
            Some(s) => match s.fields.iter().find(|f| f.name == k) {
                None
                | Some(Field {
                    ty:
                        FieldType::Array {
                            queryable: false, ..
                        },
                    ..
                }) => continue,
                Some(f) => Some(f.ty),
            },
        };
        if !first {
            out.push(b',');
        }
        first = false;
        serde_json::to_writer(&mut *out, k)?;
        out.push(b':');
        match (ty, v) {
            (Some(FieldType::Object(inner)), Json::Object(map)) => {
                write_members(out, map, Some(inner), false)?;
            }
            (
                Some(FieldType::Array {
                    item,
                    queryable: true,
                }),
                Json::Array(items),
            ) => {
                out.push(b'[');
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    match e {
                        Json::Object(map) => write_members(out, map, Some(item), false)?,
                        other => serde_json::to_writer(&mut *out, other)?,
                    }
                }
                out.push(b']');
            }
            _ => serde_json::to_writer(&mut *out, v)?,
        }
    }
    out.push(b'}');
    Ok(())
}

/// Stored ids read per statement by [`Store::mark_deleted_unless_seen`].
pub const UNSEEN_BATCH: usize = 5_000;

/// Rows per multi-row statement (20 parameters each; SQLite allows 32766, PostgreSQL 65535).
const ROWS_PER_STATEMENT: usize = 400;

const INSERT_COLUMNS: &str = "set_id, connection_id, id, modified_date, source_modified_date, \
     content_hash, k_modified, k_source_modified, is_deleted, k_date1, k_date2, k_date3, k_num1, \
     k_num2, k_text1, k_text2, k_text3, doc";

/// `INSERT … VALUES (…), … ON CONFLICT … DO UPDATE … WHERE the hash differs` for `rows` rows.
fn upsert_sql(rows: usize, dialect: Dialect) -> String {
    let per_row = 18 + usize::from(dialect == Dialect::Postgres);
    let mut sql = format!("INSERT INTO records ({INSERT_COLUMNS}");
    if dialect == Dialect::Postgres {
        sql.push_str(", doc_q");
    }
    sql.push_str(") VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..per_row {
            if c > 0 {
                sql.push_str(", ");
            }
            let n = r * per_row + c + 1;
            match dialect {
                // Anonymous `?`: SQLite looks named parameters up by a linear scan, which
                // makes binding thousands of `$n` quadratic.
                Dialect::Sqlite if c == per_row - 1 => sql.push_str("jsonb(?)"),
                Dialect::Sqlite => sql.push('?'),
                Dialect::Postgres if c == per_row - 1 => {
                    sql.push_str(&format!("CAST(${n} AS jsonb)"));
                }
                Dialect::Postgres => sql.push_str(&format!("${n}")),
            }
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (set_id, id, connection_id) DO UPDATE SET ");
    let mut updated: Vec<&str> = INSERT_COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| !matches!(*c, "set_id" | "connection_id" | "id"))
        .collect();
    if dialect == Dialect::Postgres {
        updated.push("doc_q");
    }
    let sets: Vec<String> = updated
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    sql.push_str(&sets.join(", "));
    sql.push_str(" WHERE records.content_hash <> excluded.content_hash");
    if dialect == Dialect::Postgres {
        sql.push_str(" RETURNING (xmax = 0) AS inserted");
    }
    sql
}

/// `SELECT id, (SELECT <column> …)` for `n` ids: each id with the column of its record in one
/// set and connection, or `NULL` when there is none. Parameters: the set id, the connection id,
/// then the ids. Each id is looked up with its own subquery on the whole identity key, which
/// both planners can only answer with one index probe, however stale their statistics are
/// (a join or an `IN` list let PostgreSQL scan the whole set during a bulk load).
fn by_ids_sql(column: &str, n: usize, dialect: Dialect) -> String {
    let p = |i: usize| match dialect {
        Dialect::Sqlite => "?".to_string(),
        Dialect::Postgres => format!("${i}"),
    };
    let values: Vec<String> = (3..n + 3).map(|i| format!("({})", p(i))).collect();
    let id = match dialect {
        Dialect::Sqlite => "u.column1",
        Dialect::Postgres => "u.column1 COLLATE \"C\"",
    };
    format!(
        "SELECT u.column1, (SELECT {column} FROM records r WHERE r.set_id = {} \
         AND r.id = {id} AND r.connection_id = {}) FROM (VALUES {}) AS u",
        p(1),
        p(2),
        values.join(", ")
    )
}

/// Adds inserted records to a connection's count in a set.
const COUNT_INSERTED: &str = "INSERT INTO record_counts (set_id, connection_id, records) \
     VALUES ($1, $2, $3) ON CONFLICT (set_id, connection_id) \
     DO UPDATE SET records = record_counts.records + excluded.records";

/// Creates the set of `company`'s records of `data_type` (a no-op when a concurrent writer
/// just did).
const ENSURE_SET: &str = "INSERT INTO record_sets (company_id, data_type) VALUES ($1, $2) \
     ON CONFLICT (company_id, data_type) DO NOTHING";
/// The set of `company`'s records of `data_type`.
const FIND_SET: &str = "SELECT set_id FROM record_sets WHERE company_id = $1 AND data_type = $2";

macro_rules! bind_key {
    ($q:expr, $kind:expr, $value:expr) => {
        match ($kind, $value) {
            (KeyKind::DateTime, KeyValue::Integer(v)) => $q.bind(Some(*v)),
            (KeyKind::DateTime, _) => $q.bind(Option::<i64>::None),
            (KeyKind::Boolean, KeyValue::Boolean(v)) => $q.bind(Some(*v)),
            (KeyKind::Boolean, _) => $q.bind(Option::<bool>::None),
            (_, KeyValue::Text(v)) => $q.bind(Some(v.clone())),
            (_, _) => $q.bind(Option::<String>::None),
        }
    };
}

impl Store {
    /// Writes a batch of one connection's records of one data type, in one transaction.
    ///
    /// New records are inserted; a stored record is rewritten only when its content (the
    /// document without `modifiedDate`) changed, and then gets `modifiedDate` = now in the
    /// document and the side column. `sourceModifiedDate` is kept as the document has it.
    /// When an id appears more than once in the batch the last one wins. Fails (writing
    /// nothing) if `connection` does not belong to `company` or a document is not an object.
    pub async fn upsert_records(
        &self,
        connection: ConnectionId,
        company: CompanyId,
        data_type: DataType,
        batch: &[RecordWrite],
    ) -> Result<UpsertStats> {
        let dialect = self.dialect();
        let now = Timestamp::now().to_string();
        // The last write of each id wins; keep first-seen order otherwise.
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(batch.len());
        for (i, r) in batch.iter().enumerate() {
            last.insert(r.id.as_str(), i);
        }
        let mut rendered = Vec::with_capacity(last.len());
        for (i, r) in batch.iter().enumerate() {
            if last.get(r.id.as_str()) != Some(&i) {
                continue;
            }
            rendered.push(render(&r.id, &r.doc, &now, data_type, dialect)?);
        }
        let connection = connection.to_string();
        let company = company.to_string();
        let data_type = data_type.key();
        let mut stats = UpsertStats::default();
        write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT 1 FROM connections WHERE id = $1 AND company_id = $2")
                .bind(&connection)
                .bind(&company)
                .fetch_one(&mut *tx)
                .await?;
            let found: Option<(i64,)> = sqlx::query_as(FIND_SET)
                .bind(&company)
                .bind(data_type)
                .fetch_optional(&mut *tx)
                .await?;
            let set_id = match found {
                Some((set_id,)) => set_id,
                None => {
                    sqlx::query(ENSURE_SET).bind(&company).bind(data_type).execute(&mut *tx).await?;
                    sqlx::query_as::<_, (i64,)>(FIND_SET)
                        .bind(&company)
                        .bind(data_type)
                        .fetch_one(&mut *tx)
                        .await?
                        .0
                }
            };
            // A connection with nothing stored in the set (a first sync) has no hashes to
            // compare: every record is new, and the probes are skipped.
            let held: Option<(i64,)> = sqlx::query_as(
                "SELECT records FROM record_counts WHERE set_id = $1 AND connection_id = $2",
            )
            .bind(set_id)
            .bind(&connection)
            .fetch_optional(&mut *tx)
            .await?;
            let probe = held.is_some_and(|(n,)| n > 0);
            let mut stored: HashMap<String, Vec<u8>> = HashMap::new();
            for chunk in rendered.chunks(ROWS_PER_STATEMENT).filter(|_| probe) {
                let sql = by_ids_sql("r.content_hash", chunk.len(), dialect);
                let mut q = sqlx::query_as::<_, (String, Option<Vec<u8>>)>(sqlx::AssertSqlSafe(sql))
                    .bind(set_id)
                    .bind(&connection);
                for r in chunk {
                    q = q.bind(&r.id);
                }
                let found = q.fetch_all(&mut *tx).await?;
                stored.extend(found.into_iter().filter_map(|(id, hash)| Some((id, hash?))));
            }
            let mut to_write = Vec::with_capacity(rendered.len());
            for r in &rendered {
                match stored.get(&r.id) {
                    Some(h) if *h == r.hash => stats.unchanged += 1,
                    Some(_) => {
                        stats.updated += 1;
                        to_write.push(r);
                    }
                    None => {
                        stats.inserted += 1;
                        to_write.push(r);
                    }
                }
            }
            let (mut inserted, mut updated) = (0u64, 0u64);
            for chunk in to_write.chunks(ROWS_PER_STATEMENT) {
                let sql = upsert_sql(chunk.len(), dialect);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in chunk {
                    q = q
                        .bind(set_id)
                        .bind(&connection)
                        .bind(&r.id)
                        .bind(&now)
                        .bind(&r.source_modified)
                        .bind(&r.hash);
                    for (column, value) in KEY_COLUMNS.iter().zip(&r.keys) {
                        q = bind_key!(q, column.kind, value);
                    }
                    q = q.bind(&r.doc);
                    if let Some(query_doc) = &r.query_doc {
                        q = q.bind(query_doc);
                    }
                }
                if dialect == Dialect::Postgres {
                    use sqlx::Row;
                    for row in q.fetch_all(&mut *tx).await? {
                        if row.try_get::<bool, _>(0)? {
                            inserted += 1;
                        } else {
                            updated += 1;
                        }
                    }
                } else {
                    q.execute(&mut *tx).await?;
                }
            }
            let added = if dialect == Dialect::Postgres {
                inserted
            } else {
                stats.inserted
            };
            if added > 0 {
                sqlx::query(COUNT_INSERTED)
                    .bind(set_id)
                    .bind(&connection)
                    .bind(i64::try_from(added).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            self.checkpoint_soon();
            if dialect == Dialect::Postgres {
                // Exact even if another writer raced this one between the hash read and the
                // write (the design gives each connection one writer, so this is rare).
                let written = inserted + updated;
                stats.unchanged += (stats.inserted + stats.updated).saturating_sub(written);
                stats.inserted = inserted;
                stats.updated = updated;
            }
        });
        Ok(stats)
    }

    /// Refreshes what the query planner knows about `records` after large writes (call it when
    /// a sync has written many records): `ANALYZE` on SQLite, whose planner otherwise cannot
    /// tell a selective key from an unselective one; `VACUUM (ANALYZE)` on PostgreSQL, which
    /// also marks pages all-visible so counts can be answered from indexes alone (autovacuum
    /// does the same, later).
    pub async fn optimize(&self) -> Result<()> {
        match &self.backend {
            crate::pool::Backend::Sqlite { write, .. } => {
                // Sampled: a full ANALYZE reads every index of every set (seconds at a million
                // records, after every large sync); a sample of each index gives the planner
                // the same choices.
                let mut conn = write.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 1000")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("ANALYZE records").execute(&mut *conn).await?;
            }
            crate::pool::Backend::Postgres(pool) => {
                sqlx::query("VACUUM (ANALYZE) records")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Marks records deleted in the source: `metadata.isDeleted = true` in the document
    /// (keeping its last `status` and everything else), `modifiedDate` = now, side column
    /// `is_deleted`. Ids that are not stored, or already marked, are left alone. Returns how
    /// many records were marked.
    pub async fn mark_deleted(
        &self,
        connection: ConnectionId,
        data_type: DataType,
        ids: &[String],
    ) -> Result<u64> {
        let dialect = self.dialect();
        let now = Timestamp::now().to_string();
        let connection_text = connection.to_string();
        let mut marked = Vec::new();
        write_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let set: Option<(i64,)> = sqlx::query_as(
                "SELECT s.set_id FROM record_sets s JOIN connections c ON c.company_id = s.company_id \
                 WHERE c.id = $1 AND s.data_type = $2",
            )
            .bind(&connection_text)
            .bind(data_type.key())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((set_id,)) = set else {
                return Ok(0);
            };
            let mut unique: Vec<&String> = ids.iter().collect();
            unique.sort();
            unique.dedup();
            for chunk in unique.chunks(ROWS_PER_STATEMENT) {
                let sql = by_ids_sql("r.doc", chunk.len(), dialect);
                let mut q = sqlx::query_as::<_, (String, Option<StoredDoc>)>(sqlx::AssertSqlSafe(sql))
                    .bind(set_id)
                    .bind(&connection_text);
                for id in chunk {
                    q = q.bind(*id);
                }
                let found = q.fetch_all(&mut *tx).await?;
                for (id, doc) in found.into_iter().filter_map(|(id, doc)| Some((id, doc?))) {
                    let doc = self.served_text(doc).await?;
                    let Json::Object(mut map) = serde_json::from_str::<Json>(&doc)? else {
                        return Err(StoreError::corrupt(format!("record `{id}` is not an object")));
                    };
                    let metadata = map
                        .entry("metadata")
                        .or_insert_with(|| Json::Object(Map::new()));
                    if !metadata.is_object() {
                        *metadata = Json::Object(Map::new());
                    }
                    if let Json::Object(m) = metadata {
                        if m.get("isDeleted") == Some(&Json::Bool(true)) {
                            continue;
                        }
                        m.insert("isDeleted".into(), Json::Bool(true));
                    }
                    let doc = serde_json::to_string(&map)?;
                    marked.push(render(&id, &doc, &now, data_type, dialect)?);
                }
            }
            for chunk in marked.chunks(ROWS_PER_STATEMENT) {
                let sql = upsert_sql(chunk.len(), dialect);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in chunk {
                    q = q
                        .bind(set_id)
                        .bind(&connection_text)
                        .bind(&r.id)
                        .bind(&now)
                        .bind(&r.source_modified)
                        .bind(&r.hash);
                    for (column, value) in KEY_COLUMNS.iter().zip(&r.keys) {
                        q = bind_key!(q, column.kind, value);
                    }
                    q = q.bind(&r.doc);
                    if let Some(query_doc) = &r.query_doc {
                        q = q.bind(query_doc);
                    }
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(marked.len() as u64)
    }

    /// Marks deleted (as [`Store::mark_deleted`] does) every record of `data_type` stored for
    /// `connection` that is not yet marked and whose id is not in `seen`: what a complete
    /// snapshot of the platform (a full read) did not return is gone from it. The stored ids
    /// are walked in id order, [`UNSEEN_BATCH`] per statement on the set's primary key, so
    /// neither side is loaded whole from the database; only the unseen ones are rewritten.
    /// Returns how many records were marked.
    pub async fn mark_deleted_unless_seen(
        &self,
        connection: ConnectionId,
        data_type: DataType,
        seen: &HashSet<String>,
    ) -> Result<u64> {
        let Some(set_id) = self
            .record_set(RecordScope::Connection(connection), data_type)
            .await?
        else {
            return Ok(0);
        };
        let connection_text = connection.to_string();
        let mut after: Option<String> = None;
        let mut marked = 0;
        loop {
            let sql = format!(
                "SELECT id FROM records WHERE set_id = $1 AND connection_id = $2 \
                 AND is_deleted IS NOT TRUE{} ORDER BY id LIMIT {UNSEEN_BATCH}",
                if after.is_some() { " AND id > $3" } else { "" }
            );
            let rows: Vec<(String,)> = read_pool!(self, pool => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(set_id)
                    .bind(&connection_text);
                if let Some(a) = &after {
                    q = q.bind(a);
                }
                q.fetch_all(pool).await?
            });
            let full = rows.len() >= UNSEEN_BATCH;
            after = rows.last().map(|(id,)| id.clone());
            let unseen: Vec<String> = rows
                .into_iter()
                .map(|(id,)| id)
                .filter(|id| !seen.contains(id))
                .collect();
            if !unseen.is_empty() {
                marked += self.mark_deleted(connection, data_type, &unseen).await?;
            }
            if !full {
                return Ok(marked);
            }
        }
    }

    /// One page of a scope's records of one data type under the request's filter and ordering
    /// (ties broken by `id`, in the ordering's direction; by `id` ascending without one), and
    /// the exact number of matching records. The filter and ordering must have been checked
    /// against `data_type`'s schema.
    pub async fn list_records(
        &self,
        scope: RecordScope,
        data_type: DataType,
        req: &ListRequest,
    ) -> Result<RecordPage> {
        let source = record_source(data_type, self.dialect());
        let Some(set_id) = self.record_set(scope, data_type).await? else {
            // Nothing stored yet; still refuse a filter the source cannot express.
            if let Some(f) = &req.filter {
                crate::filter::lower_filter(f, &source, self.dialect())?;
            }
            return Ok(RecordPage {
                results: Vec::new(),
                total: 0,
            });
        };
        let query = records_query(&source, scope, set_id);
        let (rows, total) = self.list_query::<(StoredDoc,)>(&query, req).await?;
        Ok(RecordPage {
            results: self
                .served_texts(rows.into_iter().map(|(doc,)| doc))
                .await?,
            total,
        })
    }

    /// The database's plans for [`Store::list_records`]'s count and page statements (with their
    /// SQL), for diagnosing slow lists: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE,
    /// BUFFERS)` on PostgreSQL (which runs them).
    pub async fn explain_list_records(
        &self,
        scope: RecordScope,
        data_type: DataType,
        req: &ListRequest,
    ) -> Result<Vec<String>> {
        let source = record_source(data_type, self.dialect());
        let set_id = self.record_set(scope, data_type).await?.unwrap_or(-1);
        self.explain_list_query(&records_query(&source, scope, set_id), req)
            .await
    }

    /// One record's stored JSON text, by id. With a company scope and the same id under two
    /// connections, the one of the first connection (by id) is returned.
    pub async fn get_record(
        &self,
        scope: RecordScope,
        data_type: DataType,
        id: &str,
    ) -> Result<Option<String>> {
        let Some(set_id) = self.record_set(scope, data_type).await? else {
            return Ok(None);
        };
        let sql = match scope {
            RecordScope::Company(_) => {
                "SELECT doc FROM records WHERE set_id = $1 AND id = $2 \
                 ORDER BY connection_id LIMIT 1"
            }
            RecordScope::Connection(_) => {
                "SELECT doc FROM records WHERE set_id = $1 AND id = $2 AND connection_id = $3"
            }
        };
        let connection = match scope {
            RecordScope::Company(_) => None,
            RecordScope::Connection(c) => Some(c.to_string()),
        };
        let row: Option<(StoredDoc,)> = read_pool!(self, pool => {
            let mut q = sqlx::query_as(sql).bind(set_id).bind(id);
            if let Some(c) = &connection {
                q = q.bind(c);
            }
            q.fetch_optional(pool).await?
        });
        Ok(match row {
            Some((doc,)) => Some(self.served_text(doc).await?),
            None => None,
        })
    }
}

fn records_query(source: &FieldSource, scope: RecordScope, set_id: i64) -> ListQuery<'_> {
    let col = |name: &str| Expr::col((Alias::new("records"), Alias::new(name)));
    let counted = |name: &str| Expr::col((Alias::new("record_counts"), Alias::new(name)));
    let mut conditions = vec![col("set_id").eq(set_id)];
    let mut counter = Query::select();
    counter
        .expr(Expr::cust(
            "CAST(COALESCE(SUM(\"record_counts\".\"records\"), 0) AS BIGINT)",
        ))
        .from(Alias::new("record_counts"))
        .and_where(counted("set_id").eq(set_id));
    if let RecordScope::Connection(c) = scope {
        conditions.push(col("connection_id").eq(c.to_string()));
        counter.and_where(counted("connection_id").eq(c.to_string()));
    }
    ListQuery {
        table: "records",
        source,
        columns: "\"records\".\"doc\"",
        default_order: None,
        ties: Ties::FollowOrder,
        id_is_c_collated: true,
        scope: conditions,
        unfiltered_count: Some(counter),
    }
}

impl Store {
    /// The set id of a scope's records of `data_type` (`None` if nothing was ever stored).
    async fn record_set(&self, scope: RecordScope, data_type: DataType) -> Result<Option<i64>> {
        let (sql, owner) = match scope {
            RecordScope::Company(c) => (FIND_SET, c.to_string()),
            RecordScope::Connection(c) => (
                "SELECT s.set_id FROM record_sets s JOIN connections c ON c.company_id = s.company_id \
                 WHERE c.id = $1 AND s.data_type = $2",
                c.to_string(),
            ),
        };
        let row: Option<(i64,)> = read_pool!(self, pool => {
            sqlx::query_as(sql)
                .bind(&owner)
                .bind(data_type.key())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(s,)| s))
    }
}
