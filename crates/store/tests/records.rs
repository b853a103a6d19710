//! Contract tests of the records store (`upsert_records`, `mark_deleted`,
//! `mark_deleted_unless_seen`, `list_records`,
//! `get_record`) on SQLite and, when `LEDGERBRIDGE_TEST_POSTGRES_URL` is set, on PostgreSQL,
//! each test on a fresh database (a new schema on PostgreSQL, dropped afterwards).

use std::collections::BTreeMap;

use ledgerbridge_domain::paging::{PageRequest, links};
use ledgerbridge_domain::platform::{ConnectionStatus, SourceType};
use ledgerbridge_domain::schema::{FieldType, Schema, field};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};
use ledgerbridge_query::{parse_filter, parse_order_by};
use ledgerbridge_store::companies::CompanyRow;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::records::{RecordScope, RecordWrite, UpsertStats};
use ledgerbridge_store::{ListRequest, Store};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection, Executor};

// ---------------------------------------------------------------------------------------
// An invoice-shaped schema (CONTRACT §7.2, the fields these tests touch).

static REF: Schema = Schema {
    type_name: "CustomerRef",
    fields: &[
        field("id", FieldType::String),
        field("companyName", FieldType::String),
    ],
};
static METADATA: Schema = Schema {
    type_name: "Metadata",
    fields: &[field("isDeleted", FieldType::Boolean)],
};
static LINE: Schema = Schema {
    type_name: "InvoiceLineItem",
    fields: &[field("unitAmount", FieldType::Number)],
};
static STATUS: [&str; 6] = [
    "Unknown",
    "Draft",
    "Submitted",
    "PartiallyPaid",
    "Paid",
    "Void",
];
static INVOICE: Schema = Schema {
    type_name: "Invoice",
    fields: &[
        field("id", FieldType::String),
        field("customerRef", FieldType::Object(&REF)),
        field("issueDate", FieldType::DateTime),
        field("dueDate", FieldType::DateTime),
        field("currency", FieldType::String),
        field(
            "lineItems",
            FieldType::Array {
                item: &LINE,
                queryable: false,
            },
        ),
        field("totalAmount", FieldType::Number),
        field("amountDue", FieldType::Number),
        field("status", FieldType::Enum(&STATUS)),
        field("note", FieldType::String),
        field("metadata", FieldType::Object(&METADATA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

// ---------------------------------------------------------------------------------------
// Fresh databases.

struct Fresh {
    store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema { base: String, schema: String },
}

async fn fresh() -> Fresh {
    let (url, cleanup) = match std::env::var("LEDGERBRIDGE_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let schema = format!("rec_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&base)
                .await
                .expect("LEDGERBRIDGE_TEST_POSTGRES_URL is set but PostgreSQL is not reachable");
            conn.execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .await
                .expect("create schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            (
                format!("{base}{sep}options[search_path]={schema}"),
                Cleanup::Schema { base, schema },
            )
        }
        _ => {
            let path = std::env::temp_dir().join(format!(
                "ledgerbridge-records-{}.db",
                uuid::Uuid::new_v4().simple()
            ));
            (format!("sqlite://{}", path.display()), Cleanup::File(path))
        }
    };
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    Fresh { store, cleanup }
}

impl Fresh {
    async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Schema { base, schema } => {
                let mut conn = sqlx::PgConnection::connect(&base).await.expect("pg");
                conn.execute(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                    .await
                    .expect("drop schema");
            }
        }
    }
}

/// A company with `connections` linked connections.
async fn new_company(store: &Store, connections: usize) -> (CompanyId, Vec<ConnectionId>) {
    let id = CompanyId::new();
    let created = Timestamp::now();
    store
        .insert_company(
            &CompanyRow {
                id,
                name: "Records Co".into(),
                description: None,
                tags: BTreeMap::new(),
                platform: String::new(),
                created,
                last_sync: None,
            },
            None,
        )
        .await
        .expect("company");
    let mut ids = Vec::new();
    for _ in 0..connections {
        let conn = ConnectionRow {
            id: ConnectionId::new(),
            company_id: id,
            integration_key: "mqjo".into(),
            integration_id: uuid::Uuid::new_v4(),
            source_id: uuid::Uuid::new_v4(),
            source_type: SourceType::Accounting,
            platform_name: "Sandbox".into(),
            status: ConnectionStatus::Linked,
            created,
            last_sync: None,
            errors: Vec::new(),
            connection_info: None,
        };
        store.insert_connection(&conn).await.expect("connection");
        ids.push(conn.id);
    }
    (id, ids)
}

fn invoice(id: &str, status: &str, total: &str, issue: &str) -> RecordWrite {
    let doc: Value = serde_json::from_str(&format!(
        r#"{{"id":"{id}","status":"{status}","totalAmount":{total},"amountDue":0.00,
            "issueDate":"{issue}","currency":"GBP","customerRef":{{"id":"C-{id}"}},
            "lineItems":[{{"unitAmount":{total}}}],"metadata":{{"isDeleted":false}},
            "sourceModifiedDate":"2024-01-02T03:04:05Z"}}"#
    ))
    .expect("json");
    RecordWrite::from_doc(&doc).expect("id")
}

fn parse(doc: &str) -> Value {
    serde_json::from_str(doc).expect("stored JSON parses")
}

/// `r` with its document changed by `f`.
fn edit(r: &mut RecordWrite, f: impl FnOnce(&mut Value)) {
    let mut doc = parse(&r.doc);
    f(&mut doc);
    r.doc = doc.to_string();
}

fn request(query: Option<&str>, order: Option<&str>, page: u32, page_size: u32) -> ListRequest {
    ListRequest {
        filter: query.map(|q| parse_filter(q, &INVOICE).expect("query")),
        order: order.map(|o| parse_order_by(o, &INVOICE).expect("orderBy")),
        tags: None,
        page: PageRequest { page, page_size },
    }
}

async fn ids(store: &Store, scope: RecordScope, req: &ListRequest) -> (Vec<String>, u64) {
    let page = store
        .list_records(scope, DataType::Invoices, req)
        .await
        .expect("list");
    let ids = page
        .results
        .iter()
        .map(|d| parse(d)["id"].as_str().expect("id").to_string())
        .collect();
    (ids, page.total)
}

// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn upsert_counts_and_keeps_modified_date_of_unchanged_records() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 1).await;
    let batch = vec![
        invoice("a", "Paid", "1.50", "2024-01-01"),
        invoice("b", "Submitted", "20", "2024-02-01"),
    ];
    let stats = s
        .upsert_records(conns[0], company, DataType::Invoices, &batch)
        .await
        .expect("upsert");
    assert_eq!(
        stats,
        UpsertStats {
            inserted: 2,
            updated: 0,
            unchanged: 0
        }
    );
    let scope = RecordScope::Company(company);
    let first = parse(
        &s.get_record(scope, DataType::Invoices, "a")
            .await
            .expect("get")
            .expect("stored"),
    );
    let modified = first["modifiedDate"]
        .as_str()
        .expect("modifiedDate")
        .to_string();
    assert!(Timestamp::parse(&modified).is_some(), "{modified}");
    assert_eq!(first["sourceModifiedDate"], "2024-01-02T03:04:05Z");

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut changed = batch.clone();
    edit(&mut changed[1], |d| d["status"] = json!("Paid"));
    // A `modifiedDate` from the writer is ignored: it neither counts as content nor is kept.
    edit(&mut changed[0], |d| {
        d["modifiedDate"] = json!("1999-01-01T00:00:00Z")
    });
    let stats = s
        .upsert_records(conns[0], company, DataType::Invoices, &changed)
        .await
        .expect("upsert");
    assert_eq!(
        stats,
        UpsertStats {
            inserted: 0,
            updated: 1,
            unchanged: 1
        }
    );
    let a = parse(
        &s.get_record(scope, DataType::Invoices, "a")
            .await
            .expect("get")
            .expect("a"),
    );
    assert_eq!(
        a["modifiedDate"],
        modified.as_str(),
        "unchanged record kept its date"
    );
    let b = parse(
        &s.get_record(scope, DataType::Invoices, "b")
            .await
            .expect("get")
            .expect("b"),
    );
    assert_eq!(b["status"], "Paid");
    assert!(b["modifiedDate"].as_str().expect("date") > modified.as_str());

    // modifiedDate is queryable through its key: only `b` moved.
    let q = format!("modifiedDate>{modified}");
    assert_eq!(
        ids(s, scope, &request(Some(&q), None, 1, 100)).await,
        (vec!["b".to_string()], 1)
    );
    f.finish().await;
}

#[tokio::test]
async fn documents_come_back_with_the_exact_number_text() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 1).await;
    let text = r#"{"id":"n1","totalAmount":1.50,"amountDue":0.123456789012,"currencyRate":1E+2,
        "big":12345678901234567890123.000000000001,"zero":-0,"note":"caf\u00e9 \"q\"",
        "status":"Paid","issueDate":"2024-01-01"}"#;
    let doc: Value = serde_json::from_str(text).expect("json");
    s.upsert_records(
        conns[0],
        company,
        DataType::Invoices,
        &[RecordWrite::from_doc(&doc).expect("id")],
    )
    .await
    .expect("upsert");
    let stored = s
        .get_record(RecordScope::Connection(conns[0]), DataType::Invoices, "n1")
        .await
        .expect("get")
        .expect("stored");
    for exact in [
        r#""totalAmount":1.50"#,
        r#""amountDue":0.123456789012"#,
        // serde_json writes the exponent marker in lower case; the digits stay.
        r#""currencyRate":1e+2"#,
        r#""big":12345678901234567890123.000000000001"#,
        r#""zero":-0"#,
    ] {
        assert!(stored.contains(exact), "{exact} in {stored}");
    }
    assert_eq!(parse(&stored)["note"], "café \"q\"");
    // Keys in order, modifiedDate last.
    assert!(stored.starts_with(r#"{"amountDue":"#), "{stored}");
    assert!(stored.contains(r#","modifiedDate":""#) && stored.ends_with("\"}"));
    // The same text through a list, and the exact decimal comparisons of the keys.
    let scope = RecordScope::Company(company);
    let page = s
        .list_records(
            scope,
            DataType::Invoices,
            &request(Some("totalAmount=1.5"), None, 1, 10),
        )
        .await
        .expect("list");
    assert_eq!(page.results, vec![stored.clone()]);
    assert_eq!(
        ids(
            s,
            scope,
            &request(Some("amountDue>0.123456789011999"), None, 1, 10)
        )
        .await
        .1,
        1
    );
    assert_eq!(
        ids(
            s,
            scope,
            &request(Some("amountDue>0.123456789012"), None, 1, 10)
        )
        .await
        .1,
        0
    );
    f.finish().await;
}

#[tokio::test]
async fn strings_with_nul_are_stored_and_served_exactly() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 1).await;
    let mut r = invoice("z", "Paid", "1", "2024-01-01");
    edit(&mut r, |d| {
        d["note"] = json!("a\u{0}b");
        d["customerRef"]["id"] = json!("C\u{0}1");
    });
    s.upsert_records(conns[0], company, DataType::Invoices, &[r])
        .await
        .expect("PostgreSQL cannot hold NUL, but the write must not fail");
    let scope = RecordScope::Company(company);
    let stored = s
        .get_record(scope, DataType::Invoices, "z")
        .await
        .expect("get")
        .expect("stored");
    assert!(stored.contains(r#""note":"a\u0000b""#), "{stored}");
    assert_eq!(parse(&stored)["customerRef"]["id"], "C\u{0}1");
    assert_eq!(
        ids(s, scope, &request(Some("note~a"), None, 1, 10)).await.1,
        1
    );
    assert_eq!(
        ids(s, scope, &request(Some("customerRef.id~c"), None, 1, 10))
            .await
            .1,
        1
    );
    f.finish().await;
}

/// SQLite documents are turned from JSONB into text in Rust; the JSON5 forms SQLite also
/// stores (never written by the store, but possible in a database edited by hand) are served
/// as SQLite's own `json()` gives them.
#[tokio::test]
async fn json5_documents_in_sqlite_are_served_as_sqlite_converts_them() {
    let f = fresh().await;
    let Cleanup::File(path) = &f.cleanup else {
        return f.finish().await; // PostgreSQL stores text.
    };
    let s = &f.store;
    let (company, conns) = new_company(s, 1).await;
    s.upsert_records(
        conns[0],
        company,
        DataType::Invoices,
        &[invoice("z", "Paid", "1", "2024-01-01")],
    )
    .await
    .expect("upsert");
    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    raw.execute(r#"UPDATE records SET doc = jsonb('{"id":"z",n:0x1F,"s":''\x41'',"f":.5}')"#)
        .await
        .expect("edit");
    raw.close().await.expect("close");
    let scope = RecordScope::Company(company);
    let stored = s
        .get_record(scope, DataType::Invoices, "z")
        .await
        .expect("get");
    assert_eq!(
        stored.as_deref(),
        Some(r#"{"id":"z","n":31,"s":"\u0041","f":0.5}"#)
    );
    let page = s
        .list_records(scope, DataType::Invoices, &request(None, None, 1, 10))
        .await
        .expect("list");
    assert_eq!(page.results, [r#"{"id":"z","n":31,"s":"\u0041","f":0.5}"#]);
    f.finish().await;
}

#[tokio::test]
async fn mark_deleted_keeps_the_status_and_moves_modified_date() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 1).await;
    let batch = [
        invoice("a", "PartiallyPaid", "10", "2024-01-01"),
        invoice("b", "Paid", "20", "2024-01-02"),
    ];
    s.upsert_records(conns[0], company, DataType::Invoices, &batch)
        .await
        .expect("upsert");
    let scope = RecordScope::Company(company);
    let before = parse(
        &s.get_record(scope, DataType::Invoices, "a")
            .await
            .expect("get")
            .expect("a"),
    );
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let marked = s
        .mark_deleted(
            conns[0],
            DataType::Invoices,
            &["a".to_string(), "missing".to_string(), "a".to_string()],
        )
        .await
        .expect("mark");
    assert_eq!(marked, 1);
    let after = parse(
        &s.get_record(scope, DataType::Invoices, "a")
            .await
            .expect("get")
            .expect("a"),
    );
    assert_eq!(after["metadata"]["isDeleted"], true);
    assert_eq!(after["status"], "PartiallyPaid");
    assert_eq!(after["totalAmount"], before["totalAmount"]);
    assert!(after["modifiedDate"].as_str() > before["modifiedDate"].as_str());
    // Idempotent: already marked.
    assert_eq!(
        s.mark_deleted(conns[0], DataType::Invoices, &["a".to_string()])
            .await
            .expect("mark"),
        0
    );
    assert_eq!(
        ids(
            s,
            scope,
            &request(Some("metadata.isDeleted=true"), None, 1, 10)
        )
        .await,
        (vec!["a".to_string()], 1)
    );
    assert_eq!(
        ids(
            s,
            scope,
            &request(Some("metadata.isDeleted!=true"), None, 1, 10)
        )
        .await,
        (vec!["b".to_string()], 1)
    );
    // The source sends it again: it is rewritten and no longer deleted.
    let stats = s
        .upsert_records(conns[0], company, DataType::Invoices, &batch[..1])
        .await
        .expect("upsert");
    assert_eq!(stats.updated, 1);
    assert_eq!(
        ids(
            s,
            scope,
            &request(Some("metadata.isDeleted=true"), None, 1, 10)
        )
        .await
        .1,
        0
    );
    f.finish().await;
}

#[tokio::test]
async fn what_a_complete_snapshot_did_not_return_is_marked_deleted() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 2).await;
    // More records than one batch of stored ids, on two connections.
    let n = ledgerbridge_store::records::UNSEEN_BATCH + 7;
    let batch: Vec<RecordWrite> = (0..n)
        .map(|i| invoice(&format!("inv-{i:05}"), "Paid", "10", "2024-01-01"))
        .collect();
    for c in &conns {
        s.upsert_records(*c, company, DataType::Invoices, &batch)
            .await
            .expect("upsert");
    }
    // Nothing stored for another type: nothing to mark.
    let none = std::collections::HashSet::new();
    assert_eq!(
        s.mark_deleted_unless_seen(conns[0], DataType::Bills, &none)
            .await
            .expect("mark"),
        0
    );
    // The snapshot returned all but the first, one in the middle and the last.
    let gone = [
        "inv-00000".to_string(),
        format!("inv-{:05}", n / 2),
        format!("inv-{:05}", n - 1),
    ];
    let seen: std::collections::HashSet<String> = batch
        .iter()
        .map(|r| r.id.clone())
        .filter(|id| !gone.contains(id))
        .chain(["only-on-the-platform".to_string()])
        .collect();
    let marked = s
        .mark_deleted_unless_seen(conns[0], DataType::Invoices, &seen)
        .await
        .expect("mark");
    assert_eq!(marked, 3);
    let deleted = request(Some("metadata.isDeleted=true"), None, 1, 10);
    let mut expected = gone.to_vec();
    expected.sort();
    assert_eq!(
        ids(s, RecordScope::Connection(conns[0]), &deleted).await,
        (expected, 3)
    );
    let doc = parse(
        &s.get_record(
            RecordScope::Connection(conns[0]),
            DataType::Invoices,
            &gone[1],
        )
        .await
        .expect("get")
        .expect("kept, marked"),
    );
    assert_eq!(doc["metadata"]["isDeleted"], true);
    assert_eq!(doc["status"], "Paid");
    // The other connection's records are its own.
    assert_eq!(
        ids(s, RecordScope::Connection(conns[1]), &deleted).await.1,
        0
    );
    // Idempotent: the same snapshot again marks nothing more.
    assert_eq!(
        s.mark_deleted_unless_seen(conns[0], DataType::Invoices, &seen)
            .await
            .expect("mark"),
        0
    );
    // An empty snapshot: the platform holds none of them any more.
    assert_eq!(
        s.mark_deleted_unless_seen(conns[1], DataType::Invoices, &none)
            .await
            .expect("mark"),
        n as u64
    );
    f.finish().await;
}

#[tokio::test]
async fn lists_filter_order_and_page_within_their_scope() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 2).await;
    let (other, other_conns) = new_company(s, 1).await;
    let mut first = Vec::new();
    for i in 0..30 {
        let status = ["Paid", "Submitted", "Void"][i % 3];
        // Dates repeat so the id tie-breaker matters.
        let issue = format!("2024-01-{:02}", 1 + i % 5);
        let mut r = invoice(
            &format!("r{i:02}"),
            status,
            &format!("{}.5", i * 10),
            &issue,
        );
        if i == 7 {
            edit(&mut r, |d| {
                d.as_object_mut().expect("object").remove("issueDate");
            });
        }
        first.push(r);
    }
    s.upsert_records(conns[0], company, DataType::Invoices, &first)
        .await
        .expect("upsert");
    s.upsert_records(
        conns[1],
        company,
        DataType::Invoices,
        &[invoice("x1", "Paid", "999", "2023-06-01")],
    )
    .await
    .expect("upsert");
    s.upsert_records(
        other_conns[0],
        other,
        DataType::Invoices,
        &[invoice("r00", "Paid", "5", "2024-01-01")],
    )
    .await
    .expect("upsert");
    // Another data type on the same connection is not listed with invoices.
    s.upsert_records(
        conns[0],
        company,
        DataType::Bills,
        &[invoice("bill1", "Paid", "5", "2024-01-01")],
    )
    .await
    .expect("upsert");

    let all = RecordScope::Company(company);
    let (page, total) = ids(s, all, &request(None, None, 1, 100)).await;
    assert_eq!(total, 31);
    let mut sorted = page.clone();
    sorted.sort();
    assert_eq!(page, sorted, "default order is by id");
    assert_eq!(
        ids(
            s,
            RecordScope::Connection(conns[1]),
            &request(None, None, 1, 100)
        )
        .await,
        (vec!["x1".into()], 1)
    );
    assert_eq!(
        ids(
            s,
            RecordScope::Connection(conns[0]),
            &request(None, None, 1, 100)
        )
        .await
        .1,
        30
    );
    assert_eq!(
        ids(s, RecordScope::Company(other), &request(None, None, 1, 100))
            .await
            .1,
        1
    );

    // Descending by a keyed date: ties by id descending, the missing date last.
    let (page, total) = ids(s, all, &request(None, Some("-issueDate"), 1, 100)).await;
    assert_eq!(total, 31);
    assert_eq!(&page[..6], ["r29", "r24", "r19", "r14", "r09", "r04"]);
    assert_eq!(page.last().map(String::as_str), Some("r07"));
    assert_eq!(page[page.len() - 2], "x1");
    // Ascending: the missing date first, ties by id ascending.
    let (page, _) = ids(s, all, &request(None, Some("issueDate"), 1, 100)).await;
    assert_eq!(&page[..3], ["r07", "x1", "r00"]);
    // Paging walks the same order without repeats.
    let mut walked = Vec::new();
    for p in 1..=4 {
        walked.extend(
            ids(s, all, &request(None, Some("-issueDate"), p, 9))
                .await
                .0,
        );
    }
    let (whole, _) = ids(s, all, &request(None, Some("-issueDate"), 1, 100)).await;
    assert_eq!(walked, whole);

    // Keyed filters (enum case-insensitively, exact decimals) and an unkeyed one.
    let (page, total) = ids(
        s,
        all,
        &request(
            Some("status=paid&&totalAmount>100"),
            Some("-totalAmount"),
            1,
            3,
        ),
    )
    .await;
    assert_eq!(total, 7);
    assert_eq!(page, ["x1", "r27", "r24"]);
    let (page, total) = ids(s, all, &request(Some("customerRef.id=c-R05"), None, 1, 10)).await;
    assert_eq!((page, total), (vec!["r05".to_string()], 1));
    let (_, total) = ids(s, all, &request(Some("note~x"), None, 1, 10)).await;
    assert_eq!(total, 0);
    let (_, total) = ids(s, all, &request(Some("note!=x"), None, 1, 10)).await;
    assert_eq!(total, 31, "missing fields satisfy !=");
    let (page, total) = ids(s, all, &request(Some("id=R03||id=x1"), None, 1, 10)).await;
    assert_eq!(
        (page, total),
        (vec!["r03".to_string(), "x1".to_string()], 2)
    );
    // Past the last page: no results, the real total.
    let (page, total) = ids(s, all, &request(None, None, 5, 10)).await;
    assert!(page.is_empty());
    assert_eq!(total, 31);
    f.finish().await;
}

#[tokio::test]
async fn writes_are_checked_and_atomic() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 1).await;
    let (other, _) = new_company(s, 1).await;
    // The connection is not the other company's.
    assert!(
        s.upsert_records(
            conns[0],
            other,
            DataType::Invoices,
            &[invoice("a", "Paid", "1", "2024-01-01")]
        )
        .await
        .is_err()
    );
    // A document that is not an object fails the whole batch.
    let bad = [
        invoice("a", "Paid", "1", "2024-01-01"),
        RecordWrite {
            id: "b".into(),
            doc: "[1,2]".into(),
        },
    ];
    assert!(
        s.upsert_records(conns[0], company, DataType::Invoices, &bad)
            .await
            .is_err()
    );
    assert_eq!(
        ids(
            s,
            RecordScope::Company(company),
            &request(None, None, 1, 10)
        )
        .await
        .1,
        0
    );
    // The last of duplicate ids wins; large batches span several statements.
    let mut batch: Vec<RecordWrite> = (0..1203)
        .map(|i| invoice(&format!("id{i:05}"), "Draft", "1", "2024-01-01"))
        .collect();
    batch.push(invoice("id00000", "Paid", "2", "2024-01-01"));
    let stats = s
        .upsert_records(conns[0], company, DataType::Invoices, &batch)
        .await
        .expect("upsert");
    assert_eq!(stats.inserted, 1203);
    let scope = RecordScope::Company(company);
    let doc = parse(
        &s.get_record(scope, DataType::Invoices, "id00000")
            .await
            .expect("get")
            .expect("doc"),
    );
    assert_eq!(doc["status"], "Paid");
    let stats = s
        .upsert_records(conns[0], company, DataType::Invoices, &batch)
        .await
        .expect("upsert");
    assert_eq!(stats.unchanged, 1203);
    f.finish().await;
}

#[tokio::test]
async fn deleting_a_connection_or_company_deletes_its_records() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 2).await;
    for c in &conns {
        s.upsert_records(
            *c,
            company,
            DataType::Invoices,
            &[invoice(&c.to_string(), "Paid", "1", "2024-01-01")],
        )
        .await
        .expect("upsert");
    }
    let scope = RecordScope::Company(company);
    assert!(
        s.delete_connection(company, conns[0])
            .await
            .expect("delete")
    );
    assert_eq!(ids(s, scope, &request(None, None, 1, 10)).await.1, 1);
    assert!(s.delete_company(company).await.expect("delete"));
    assert_eq!(ids(s, scope, &request(None, None, 1, 10)).await.1, 0);
    assert_eq!(
        s.get_record(
            RecordScope::Connection(conns[1]),
            DataType::Invoices,
            &conns[1].to_string()
        )
        .await
        .expect("get"),
        None
    );
    f.finish().await;
}

#[tokio::test]
async fn the_envelope_splices_the_stored_documents() {
    let f = fresh().await;
    let s = &f.store;
    let (company, conns) = new_company(s, 1).await;
    let batch: Vec<RecordWrite> = (0..3)
        .map(|i| invoice(&format!("e{i}"), "Paid", "1.50", "2024-01-01"))
        .collect();
    s.upsert_records(conns[0], company, DataType::Invoices, &batch)
        .await
        .expect("upsert");
    let req = request(Some("status=Paid"), None, 1, 2);
    let page = s
        .list_records(RecordScope::Company(company), DataType::Invoices, &req)
        .await
        .expect("list");
    let path = format!("/companies/{company}/data/invoices");
    let body = page
        .to_envelope(
            req.page,
            &links(&path, req.page, page.total, &[("query", "status=Paid")]),
        )
        .expect("envelope");
    let text = String::from_utf8(body).expect("utf-8");
    assert!(text.contains(r#""totalAmount":1.50"#), "{text}");
    let v: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["pageNumber"], 1);
    assert_eq!(v["pageSize"], 2);
    assert_eq!(v["totalResults"], 3);
    assert_eq!(v["_links"]["self"]["href"], path);
    assert!(
        v["_links"]["next"]["href"]
            .as_str()
            .expect("next")
            .contains("page=2")
    );
    f.finish().await;
}
