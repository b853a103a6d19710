//! Platform-shaped lowering (companies as columns, connections as joined rows, tags as a JSON
//! text column) and injection attempts, checked against the reference evaluator on SQLite and,
//! when configured (always under `CI=true`), PostgreSQL.

mod filter_support;

use std::collections::BTreeMap;

use filter_support::{
    drop_schema, page_query, postgres, postgres_ids, postgres_url, sqlite, sqlite_ids,
};
use ledgerbridge_domain::platform::COMPANY_SCHEMA;
use ledgerbridge_domain::schema::{FieldType, Schema, field};
use ledgerbridge_query::{
    QueryError, compare, matches, matches_tags, parse_filter, parse_order_by, parse_tags_filter,
};
use ledgerbridge_store::filter::{
    ArraySource, Dialect, FieldSource, lower_filter, lower_order, lower_tag_filter,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sea_query::{Expr, Order};
use serde_json::{Value as Json, json};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Executor};

static COMPANIES: FieldSource = FieldSource::Columns {
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

const SQLITE_TABLES: &str = "
CREATE TABLE companies (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, description TEXT,
    tags TEXT NOT NULL DEFAULT '{}', platform TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, last_sync TEXT);
CREATE TABLE connections (id TEXT PRIMARY KEY NOT NULL, company_id TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    integration_key TEXT NOT NULL, integration_id TEXT NOT NULL, source_id TEXT NOT NULL, source_type TEXT NOT NULL,
    platform_name TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL, last_sync TEXT);
CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);";

const POSTGRES_TABLES: &str = "
CREATE TABLE companies (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, description TEXT,
    tags TEXT NOT NULL DEFAULT '{}', platform TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, last_sync TEXT);
CREATE TABLE connections (id TEXT PRIMARY KEY NOT NULL, company_id TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    integration_key TEXT NOT NULL, integration_id TEXT NOT NULL, source_id TEXT NOT NULL, source_type TEXT NOT NULL,
    platform_name TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL, last_sync TEXT);
CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc JSONB NOT NULL);";

struct Backends {
    sqlite: SqlitePool,
    postgres: Option<(PgPool, String, String)>,
}

async fn backends(tag: &str) -> Backends {
    let sqlite = sqlite().await;
    sqlite.execute(SQLITE_TABLES).await.expect("sqlite tables");
    let postgres = match postgres_url() {
        Some(url) => {
            let (pool, schema) = postgres(&url, tag).await;
            pool.execute(POSTGRES_TABLES).await.expect("pg tables");
            Some((pool, schema, url))
        }
        None => None,
    };
    Backends { sqlite, postgres }
}

async fn finish(b: Backends) {
    if let Some((pool, schema, url)) = b.postgres {
        drop_schema(&url, pool, &schema).await;
    }
}

#[derive(Clone, Debug)]
struct Conn {
    status: &'static str,
    source_type: &'static str,
    created: String,
    last_sync: Option<String>,
}

#[derive(Clone, Debug)]
struct Company {
    name: String,
    description: Option<String>,
    tags: BTreeMap<String, String>,
    created: String,
    last_sync: Option<String>,
    connections: Vec<Conn>,
}

const STATUSES: &[&str] = &["PendingAuth", "Linked", "Unlinked", "Deauthorized"];
const SOURCE_TYPES: &[&str] = &["Accounting", "Banking", "Commerce"];
const NAMES: &[&str] = &[
    "Acme",
    "acme ltd",
    "Bob's Burgers",
    "100% Co",
    "a_b",
    "Zürich AG",
    "Ärzte",
    "x'; DROP TABLE companies; --",
];
const TAG_VALUES: &[&str] = &["uk", "UK", "us", "invoice-finance", "a%b", "it's"];

/// One of our fixed-width timestamps, on one of a few days.
fn stamp() -> impl Strategy<Value = String> {
    (1u32..4, 0u32..24, 0u32..1_000_000)
        .prop_map(|(d, h, us)| format!("2022-10-{d:02}T{h:02}:00:00.{us:06}Z"))
}

fn company() -> impl Strategy<Value = Company> {
    let conn = (
        proptest::sample::select(STATUSES),
        proptest::sample::select(SOURCE_TYPES),
        stamp(),
        proptest::option::of(stamp()),
    )
        .prop_map(|(status, source_type, created, last_sync)| Conn {
            status,
            source_type,
            created,
            last_sync,
        });
    (
        proptest::sample::select(NAMES),
        proptest::option::of(proptest::sample::select(NAMES)),
        proptest::collection::btree_map(
            proptest::sample::select(&["region", "team", "Region"][..]),
            proptest::sample::select(TAG_VALUES),
            0..3,
        ),
        stamp(),
        proptest::option::of(stamp()),
        proptest::collection::vec(conn, 0..4),
    )
        .prop_map(
            |(name, description, tags, created, last_sync, connections)| Company {
                name: name.to_string(),
                description: description.map(str::to_string),
                tags: tags
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                created,
                last_sync,
                connections,
            },
        )
}

fn company_json(id: &str, c: &Company) -> Json {
    let mut doc = json!({
        "id": id,
        "name": c.name,
        "created": c.created,
        "platform": "",
        "tags": c.tags,
        "dataConnections": c.connections.iter().map(|k| {
            let mut v = json!({ "status": k.status, "sourceType": k.source_type, "created": k.created });
            if let Some(l) = &k.last_sync { v["lastSync"] = json!(l); }
            v
        }).collect::<Vec<_>>(),
    });
    if let Some(d) = &c.description {
        doc["description"] = json!(d);
    }
    if let Some(l) = &c.last_sync {
        doc["lastSync"] = json!(l);
    }
    doc
}

async fn load(b: &Backends, companies: &[Company]) {
    let stmts = |c: &Company, i: usize| {
        let id = format!("c{i:02}");
        let tags = serde_json::to_string(&c.tags).unwrap_or_default();
        (id, tags)
    };
    b.sqlite
        .execute("DELETE FROM connections; DELETE FROM companies;")
        .await
        .expect("clear");
    if let Some((pg, ..)) = &b.postgres {
        pg.execute("DELETE FROM connections; DELETE FROM companies;")
            .await
            .expect("clear");
    }
    for (i, c) in companies.iter().enumerate() {
        let (id, tags) = stmts(c, i);
        let insert = "INSERT INTO companies (id, name, description, tags, created, last_sync) VALUES ($1, $2, $3, $4, $5, $6)";
        let conn_insert = "INSERT INTO connections (id, company_id, integration_key, integration_id, source_id, source_type, platform_name, status, created, last_sync) VALUES ($1, $2, 'gbol', 'i', 's', $3, 'Xero', $4, $5, $6)";
        macro_rules! run {
            ($pool:expr) => {{
                sqlx::query(insert)
                    .bind(&id)
                    .bind(&c.name)
                    .bind(&c.description)
                    .bind(&tags)
                    .bind(&c.created)
                    .bind(&c.last_sync)
                    .execute($pool)
                    .await
                    .expect("insert company");
                for (j, k) in c.connections.iter().enumerate() {
                    sqlx::query(conn_insert)
                        .bind(format!("{id}-{j}"))
                        .bind(&id)
                        .bind(k.source_type)
                        .bind(k.status)
                        .bind(&k.created)
                        .bind(&k.last_sync)
                        .execute($pool)
                        .await
                        .expect("insert connection");
                }
            }};
        }
        run!(&b.sqlite);
        if let Some((pg, ..)) = &b.postgres {
            run!(pg);
        }
    }
}

/// Every backend returns exactly `want` for this filter and ordering (one page of 100).
async fn agree(
    b: &Backends,
    table: &str,
    filter: &dyn Fn(Dialect) -> Expr,
    order: &dyn Fn(Dialect) -> Vec<(Expr, Order)>,
    want: &[String],
    what: &str,
) -> Result<(), TestCaseError> {
    let got = sqlite_ids(
        &b.sqlite,
        &page_query(
            table,
            Some(filter(Dialect::Sqlite)),
            &order(Dialect::Sqlite),
            Dialect::Sqlite,
            100,
            0,
        ),
    )
    .await
    .map_err(|e| TestCaseError::fail(format!("SQLite error for {what}: {e}")))?;
    prop_assert_eq!(&got, &want.to_vec(), "SQLite, {}", what);
    if let Some((pg, ..)) = &b.postgres {
        let got = postgres_ids(
            pg,
            &page_query(
                table,
                Some(filter(Dialect::Postgres)),
                &order(Dialect::Postgres),
                Dialect::Postgres,
                100,
                0,
            ),
        )
        .await
        .map_err(|e| TestCaseError::fail(format!("PostgreSQL error for {what}: {e}")))?;
        prop_assert_eq!(&got, &want.to_vec(), "PostgreSQL, {}", what);
    }
    Ok(())
}

fn filters() -> impl Strategy<Value = String> {
    let status = proptest::sample::select(STATUSES);
    let tag_key = proptest::sample::select(&["region", "team", "Region", "none"][..]);
    let tag_value = proptest::sample::select(TAG_VALUES);
    let name = proptest::sample::select(NAMES);
    let leaf = prop_oneof![
        status.clone().prop_map(|s| format!("dataConnections.status={}", s.to_lowercase())),
        status.prop_map(|s| format!("dataConnections.status!={s}")),
        Just("dataConnections.status!=PendingAuth&&dataConnections.status!=Linked&&dataConnections.status!=Deauthorized&&dataConnections.status!=Unlinked".to_string()),
        proptest::sample::select(SOURCE_TYPES).prop_map(|s| format!("dataConnections.sourceType = {s}")),
        stamp().prop_map(|s| format!("dataConnections.created>{s}")),
        stamp().prop_map(|s| format!("dataConnections.lastSync<={}", &s[..10])),
        (tag_key.clone(), tag_value.clone()).prop_map(|(k, v)| format!("tags.{k}={v}")),
        (tag_key.clone(), tag_value.clone()).prop_map(|(k, v)| format!("tags.{k}!={v}")),
        (tag_key, tag_value).prop_map(|(k, v)| format!("tags.{k}~{}", &v[..1])),
        name.clone().prop_map(|n| format!("name={n}")),
        name.prop_map(|n| format!("description!={n}")),
        Just("name~ACME".to_string()),
        Just("name~%".to_string()),
        Just("name~_".to_string()),
        stamp().prop_map(|s| format!("created>={s}")),
        stamp().prop_map(|s| format!("lastSync<{s}")),
    ];
    (proptest::collection::vec(leaf, 1..4), any::<bool>()).prop_map(|(parts, and)| {
        parts
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
            .join(if and { "&&" } else { "||" })
    })
}

fn tag_filters() -> impl Strategy<Value = String> {
    let cond = (
        proptest::sample::select(&["region", "team", "Region", "none"][..]),
        proptest::sample::select(&["=", "!=", "~"][..]),
        proptest::sample::select(TAG_VALUES),
    )
        .prop_map(|(k, op, v)| format!("{k} {op} {v}"));
    proptest::collection::vec(cond, 1..3).prop_map(|v| v.join(" && "))
}

const ORDERS: &[&str] = &[
    "name",
    "-name",
    "created",
    "-created",
    "lastSync",
    "-lastSync",
    "description",
    "-description",
    "id",
];

#[test]
fn companies_agree_with_the_reference() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let b = rt.block_on(backends("platform"));
    let strategy = (
        proptest::collection::vec(company(), 0..10),
        proptest::collection::vec(
            (filters(), proptest::sample::select(ORDERS), tag_filters()),
            8,
        ),
    );
    let mut runner = TestRunner::new(Config {
        cases: 60,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |(companies, probes)| {
        rt.block_on(async {
            load(&b, &companies).await;
            let docs: Vec<(String, Json)> = companies
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("c{i:02}"), company_json(&format!("c{i:02}"), c)))
                .collect();
            for (q, o, t) in &probes {
                let f = parse_filter(q, &COMPANY_SCHEMA)
                    .map_err(|e| TestCaseError::fail(format!("{q}: {e}")))?;
                let order = parse_order_by(o, &COMPANY_SCHEMA)
                    .map_err(|e| TestCaseError::fail(format!("{o}: {e}")))?;
                let mut want: Vec<&(String, Json)> =
                    docs.iter().filter(|(_, d)| matches(&f, d)).collect();
                want.sort_by(|x, y| compare(&order, &x.1, &y.1).then_with(|| x.0.cmp(&y.0)));
                let want: Vec<String> = want.into_iter().map(|(id, _)| id.clone()).collect();
                let lf = |d| lower_filter(&f, &COMPANIES, d).expect("lowers");
                let lo = |d| lower_order(&order, &COMPANIES, d).expect("lowers");
                agree(
                    &b,
                    "companies",
                    &lf,
                    &lo,
                    &want,
                    &format!("query={q} orderBy={o}"),
                )
                .await?;

                let tf =
                    parse_tags_filter(t).map_err(|e| TestCaseError::fail(format!("{t}: {e}")))?;
                let mut want: Vec<String> = companies
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| matches_tags(&tf, &c.tags))
                    .map(|(i, _)| format!("c{i:02}"))
                    .collect();
                want.sort();
                let lt = |d| lower_tag_filter(&tf, "tags", &COMPANIES, d).expect("lowers");
                agree(
                    &b,
                    "companies",
                    &lt,
                    &|_| Vec::new(),
                    &want,
                    &format!("tags={t}"),
                )
                .await?;
            }
            Ok(())
        })
    });
    rt.block_on(finish(b));
    if let Err(e) = result {
        panic!("{e}");
    }
}

static NOTE_SCHEMA: Schema = Schema {
    type_name: "Note",
    fields: &[
        field("note", FieldType::String),
        field("tags", FieldType::Map),
    ],
};
static NOTES: FieldSource = FieldSource::JsonDocument {
    table: "records",
    column: "doc",
    keys: &[],
};

/// Hostile values match literally (or are refused as malformed), never cause an SQL error.
#[test]
fn hostile_values_match_literally() {
    let long = "x'\"%_!\\".repeat(280);
    let values: Vec<String> = [
        "'",
        "''",
        "\"",
        ";",
        "--",
        "%",
        "_",
        "!",
        "\\",
        "\\%",
        "!%",
        "%_%",
        "' OR '1'='1",
        "'; DROP TABLE companies; --",
        "$1",
        "?",
        "?1",
        ":name",
        "@p",
        "a\u{0}b",
        "\u{0}",
        "{",
        "[",
        "]",
        "é",
        "ÉCOLE",
        "x\ny",
        "x\ty",
        "null",
        "NULL",
        "e'x",
        "E'\\x41'",
        "$$",
        "$tag$",
        "*/",
        "/*",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([long.clone(), format!("{long}{long}")])
    .collect();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let b = backends("hostile").await;
        // Each value is also a stored company name, note and tag value, so literal matches exist.
        let companies: Vec<Company> = values
            .iter()
            .filter(|v| !v.contains('\u{0}'))
            .map(|v| Company {
                name: v.clone(),
                description: None,
                tags: BTreeMap::from([
                    ("k".to_string(), v.clone()),
                    (v.chars().take(20).collect(), "v".to_string()),
                ]),
                created: "2022-10-01T00:00:00.000000Z".into(),
                last_sync: None,
                connections: Vec::new(),
            })
            .collect();
        load(&b, &companies).await;
        let docs: Vec<(String, Json)> = companies
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("c{i:02}"), company_json(&format!("c{i:02}"), c)))
            .collect();
        b.sqlite
            .execute("DELETE FROM records")
            .await
            .expect("clear");
        let notes: Vec<(String, Json)> = companies
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    format!("c{i:02}"),
                    json!({ "note": c.name, "tags": c.tags }),
                )
            })
            .collect();
        for (id, d) in &notes {
            let text = d.to_string();
            sqlx::query("INSERT INTO records VALUES ($1, $2)")
                .bind(id)
                .bind(&text)
                .execute(&b.sqlite)
                .await
                .expect("insert");
            if let Some((pg, ..)) = &b.postgres {
                sqlx::query("INSERT INTO records VALUES ($1, CAST($2 AS jsonb))")
                    .bind(id)
                    .bind(&text)
                    .execute(pg)
                    .await
                    .expect("insert");
            }
        }

        let mut checked = 0;
        for v in &values {
            for op in ["=", "!=", "~"] {
                for (prop, schema, source, table, rows) in [
                    ("name", &COMPANY_SCHEMA, &COMPANIES, "companies", &docs),
                    ("tags.k", &COMPANY_SCHEMA, &COMPANIES, "companies", &docs),
                    ("note", &NOTE_SCHEMA, &NOTES, "records", &notes),
                    ("tags.k", &NOTE_SCHEMA, &NOTES, "records", &notes),
                ] {
                    let q = format!("{prop}{op}{v}");
                    let f = match parse_filter(&q, schema) {
                        Ok(f) => f,
                        Err(e) => {
                            assert_eq!(e, QueryError::Malformed, "{q:?}");
                            assert!(
                                v.contains('\u{0}')
                                    || v.eq_ignore_ascii_case("null")
                                    || q.chars().count() >= 2048,
                                "{q:?} refused"
                            );
                            continue;
                        }
                    };
                    let mut want: Vec<String> = rows
                        .iter()
                        .filter(|(_, d)| matches(&f, d))
                        .map(|(id, _)| id.clone())
                        .collect();
                    want.sort();
                    if op != "!=" && !v.contains('%') {
                        // A literal value finds its own row (values are trimmed when parsed).
                        assert!(
                            !want.is_empty() || v.trim() != v.as_str(),
                            "{q:?} found nothing"
                        );
                    }
                    let lf = |d| lower_filter(&f, source, d).expect("lowers");
                    agree(&b, table, &lf, &|_| Vec::new(), &want, &q)
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                    checked += 1;
                }
            }
            // Also as a tag key and value in the `tags` parameter.
            let t = format!("k={v}");
            if let Ok(tf) = parse_tags_filter(&t) {
                let mut want: Vec<String> = companies
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| matches_tags(&tf, &c.tags))
                    .map(|(i, _)| format!("c{i:02}"))
                    .collect();
                want.sort();
                let lt = |d| lower_tag_filter(&tf, "tags", &COMPANIES, d).expect("lowers");
                agree(&b, "companies", &lt, &|_| Vec::new(), &want, &t)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        assert!(checked > 300, "{checked}");
        // The tables are intact.
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies")
            .fetch_one(&b.sqlite)
            .await
            .expect("count");
        assert_eq!(n as usize, companies.len());
        finish(b).await;
    });
    let _ = AssertSqlSafe("");
}
