//! Differential test of the filter lowering: for random documents, filters and orderings,
//! SQLite rows = PostgreSQL rows = reference-evaluator rows, page by page.
//!
//! Each probe runs three ways: over a plain document table with [`lower_order`] and ids
//! ascending; over a table whose hot paths have precomputed [`KeyColumn`]s (filled with
//! [`KeyColumn::extract`], indexed as the records table is) with [`lower_ordering`] and the id
//! tie-breaker following the direction; and (SQLite) the same with the document stored as
//! SQLite's binary JSONB, as the records table stores it.
//!
//! PostgreSQL takes part when `LEDGERBRIDGE_TEST_POSTGRES_URL` is set, and always under
//! `CI=true` (defaulting to the local cluster, failing if it is unreachable).

mod filter_support;

use std::cmp::Ordering;

use filter_support::{
    drop_schema, page_query, page_query_terms, postgres, postgres_ids, postgres_url, sqlite,
    sqlite_ids,
};
use ledgerbridge_domain::schema::{FieldType, Schema, field};
use ledgerbridge_query::{Decimal, compare, matches, parse_filter, parse_order_by};
use ledgerbridge_store::filter::{
    Dialect, FieldSource, KeyColumn, KeyKind, KeyValue, id_order_term, lower_filter, lower_order,
    lower_ordering,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Executor};

static CUSTOMER_REF: Schema = Schema {
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
static LINE_ITEM: Schema = Schema {
    type_name: "LineItem",
    fields: &[field("unitAmount", FieldType::Number)],
};
static PAYMENT_STATUS: [&str; 3] = ["Pending", "Cleared", "Bounced"];
static PAYMENT: Schema = Schema {
    type_name: "Payment",
    fields: &[
        field("amount", FieldType::Number),
        field("date", FieldType::DateTime),
        field("status", FieldType::Enum(&PAYMENT_STATUS)),
    ],
};
static INVOICE_STATUS: [&str; 6] = [
    "Unknown",
    "Draft",
    "Submitted",
    "PartiallyPaid",
    "Paid",
    "Void",
];

/// Invoice-shaped, with every field type, plus a queryable array and a map.
static INVOICE: Schema = Schema {
    type_name: "Invoice",
    fields: &[
        field("id", FieldType::String),
        field("amountDue", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("currency", FieldType::String),
        field("note", FieldType::String),
        field("status", FieldType::Enum(&INVOICE_STATUS)),
        field("customerRef", FieldType::Object(&CUSTOMER_REF)),
        field("metadata", FieldType::Object(&METADATA)),
        field("dueDate", FieldType::DateTime),
        field("issueDate", FieldType::DateTime),
        field(
            "lineItems",
            FieldType::Array {
                item: &LINE_ITEM,
                queryable: false,
            },
        ),
        field(
            "payments",
            FieldType::Array {
                item: &PAYMENT,
                queryable: true,
            },
        ),
        field("tags", FieldType::Map),
    ],
};

static SOURCE: FieldSource = FieldSource::JsonDocument {
    table: "records",
    column: "doc",
    keys: &[],
};

/// Key columns of the keyed tables: some hot paths (the rest are read from the document), a
/// key inside an array and one whose kind does not fit its path, both of which the lowering
/// must ignore (their columns hold nothing useful).
static KEYS: &[KeyColumn] = &[
    KeyColumn {
        path: "amountDue",
        column: "k_num",
        kind: KeyKind::Number,
    },
    KeyColumn {
        path: "dueDate",
        column: "k_date",
        kind: KeyKind::DateTime,
    },
    KeyColumn {
        path: "status",
        column: "k_status",
        kind: KeyKind::Text,
    },
    KeyColumn {
        path: "customerRef.id",
        column: "k_customer",
        kind: KeyKind::Text,
    },
    KeyColumn {
        path: "currency",
        column: "k_currency",
        kind: KeyKind::Text,
    },
    KeyColumn {
        path: "metadata.isDeleted",
        column: "k_deleted",
        kind: KeyKind::Boolean,
    },
    KeyColumn {
        path: "note",
        column: "k_wrong",
        kind: KeyKind::Number,
    },
    KeyColumn {
        path: "payments.amount",
        column: "k_payment",
        kind: KeyKind::Number,
    },
];

static KEYED: FieldSource = FieldSource::JsonDocument {
    table: "keyed",
    column: "doc",
    keys: KEYS,
};

static KEYED_JSONB: FieldSource = FieldSource::JsonDocument {
    table: "keyed_jsonb",
    column: "doc",
    keys: KEYS,
};

const KEY_COLUMNS: &str =
    "k_num, k_date, k_status, k_customer, k_currency, k_deleted, k_wrong, k_payment";

fn sqlite_keyed_tables() -> String {
    let mut sql = String::new();
    for (table, doc) in [("keyed", "TEXT"), ("keyed_jsonb", "BLOB")] {
        sql.push_str(&format!(
            "CREATE TABLE {table} (id TEXT PRIMARY KEY NOT NULL, doc {doc} NOT NULL, k_num TEXT, \
             k_date INTEGER, k_status TEXT, k_customer TEXT, k_currency TEXT, k_deleted INTEGER, \
             k_wrong TEXT, k_payment TEXT);
             CREATE INDEX {table}_num ON {table} (k_num, id);
             CREATE INDEX {table}_date ON {table} (k_date, id);
             CREATE INDEX {table}_status ON {table} (k_status, k_date, id, k_num);
             CREATE INDEX {table}_customer ON {table} (k_customer, id);"
        ));
    }
    sql
}

const POSTGRES_KEYED_TABLE: &str =
    "CREATE TABLE keyed (id TEXT COLLATE \"C\" PRIMARY KEY NOT NULL, \
     doc JSONB NOT NULL, k_num TEXT COLLATE \"C\", k_date BIGINT, k_status TEXT COLLATE \"C\", \
     k_customer TEXT COLLATE \"C\", k_currency TEXT COLLATE \"C\", k_deleted BOOLEAN, \
     k_wrong TEXT COLLATE \"C\", k_payment TEXT COLLATE \"C\");
     CREATE INDEX keyed_num ON keyed (k_num NULLS FIRST, id);
     CREATE INDEX keyed_date ON keyed (k_date NULLS FIRST, id);
     CREATE INDEX keyed_status ON keyed (k_status, k_date NULLS FIRST, id) INCLUDE (k_num);
     CREATE INDEX keyed_customer ON keyed (k_customer, id);";

// ---------------------------------------------------------------------------------------
// Value pools shared by documents and queries, so that comparisons often hit.

const STRINGS: &[&str] = &[
    "GBP",
    "gbp",
    "Usd",
    "Ärzte",
    "ärzte",
    "ÄRZTE",
    "naïve café",
    "it's",
    "a%b",
    "a_b",
    "x;--",
    "100%",
    "back\\slash",
    "Zürich",
    "ß",
    "ǅungla",
    "ΣΑΣ",
    "emoji 🎉",
    "  padded  ",
    "tab\tin",
    "[x]",
    "a&b",
    "a|b",
    "{",
    "quote\"d",
    "a!b",
    "DROP TABLE records",
    "'; DELETE FROM records; --",
];
const SUBSTRINGS: &[&str] = &[
    "%", "_", "!", "ärz", "ÄRZ", "zü", "ZÜ", "'", ";--", "\\", "a", "B", "café", "🎉", "\"", "[",
    "Σ", "ss", "drop",
];
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "0.1",
    "0.10",
    "1",
    "1.5",
    "-1.5",
    "100",
    "1e2",
    "1.0E+2",
    "123.456789012345",
    "999.999999999999",
    "-0.000000000001",
    "0.000000000001",
    "42",
    "-42.000",
    "15e-1",
    "0.3",
    "7",
];
const DATES: &[&str] = &[
    "2021-01-28",
    "2021-01-28T00:00:00",
    "2021-01-28T00:00:00Z",
    "2021-01-28T01:00:00+01:00",
    "2021-01-27T19:00:00-05:00",
    "2021-01-28T00:00:00.0001Z",
    "2021-01-28T00:00:00.999999",
    "2021-01-28T00:00:00.9995Z",
    "2020-02-29T23:59:59.999-00:30",
    "1999-12-31T23:59:59.1234567Z",
    "2021-02-28T23:30:00-00:30",
];
/// Stored-only oddities: shapes outside the grammar, and a day past the month's end.
const BAD_DATES: &[&str] = &[
    "2021-02-30",
    "garbage",
    "2021-13-01",
    "2021-01-01T10:00",
    "2021-01-01 10:00:00",
    "",
    "2021-01-01T10:00:00+0100",
];

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = &'static str> + Clone {
    proptest::sample::select(pool)
}

fn random_case(s: &str, flips: &[bool]) -> String {
    s.chars()
        .zip(flips.iter().cycle())
        .map(|(c, f)| {
            if *f {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn decimal_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0u32..1000,
        proptest::collection::vec(0u8..10, 0..=12),
    )
        .prop_map(|(neg, int, frac)| {
            let mut s = if neg {
                format!("-{int}")
            } else {
                int.to_string()
            };
            if !frac.is_empty() {
                s.push('.');
                s.extend(frac.iter().map(|d| char::from(b'0' + d)));
            }
            s
        })
}

fn number_json() -> BoxedStrategy<String> {
    prop_oneof![
        4 => pick(NUMBERS).prop_map(str::to_string),
        3 => decimal_text(),
        1 => Just("null".to_string()),
        1 => Just("\"12\"".to_string()),
    ]
    .boxed()
}

fn date_text() -> impl Strategy<Value = String> {
    (
        1990i32..2031,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
        0usize..9,
        0u32..1000000000,
        0u8..4,
        0u32..24,
        0u32..60,
        0u8..3,
    )
        .prop_map(|(y, mo, d, h, mi, s, fl, f, zone, oh, om, form)| {
            let date = format!("{y:04}-{mo:02}-{d:02}");
            if form == 0 {
                return date;
            }
            let mut t = format!("{date}T{h:02}:{mi:02}:{s:02}");
            if fl > 0 {
                let digits = format!("{f:09}");
                t.push('.');
                t.push_str(&digits[..fl]);
            }
            match zone {
                0 => {}
                1 => t.push('Z'),
                2 => t.push_str(&format!("+{oh:02}:{om:02}")),
                _ => t.push_str(&format!("-{oh:02}:{om:02}")),
            }
            t
        })
}

fn date_json() -> BoxedStrategy<String> {
    prop_oneof![
        4 => pick(DATES).prop_map(json_str),
        3 => date_text().prop_map(|s| json_str(&s)),
        1 => pick(BAD_DATES).prop_map(json_str),
        1 => Just("null".to_string()),
        1 => Just("20210128".to_string()),
    ]
    .boxed()
}

fn string_json() -> BoxedStrategy<String> {
    prop_oneof![
        6 => pick(STRINGS).prop_map(json_str),
        1 => "[a-zA-Zé ]{0,8}".prop_map(|s| json_str(&s)),
        1 => Just("null".to_string()),
        1 => Just("5".to_string()),
    ]
    .boxed()
}

fn enum_json(values: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        6 => (pick(values), proptest::collection::vec(any::<bool>(), 1..4)).prop_map(|(v, f)| json_str(&random_case(v, &f))),
        1 => Just(json_str("Overdue")),
        1 => Just("null".to_string()),
        1 => Just("true".to_string()),
    ]
    .boxed()
}

fn bool_json() -> BoxedStrategy<String> {
    prop_oneof![3 => Just("true".to_string()), 3 => Just("false".to_string()), 1 => Just("null".to_string()), 1 => Just("\"true\"".to_string()), 1 => Just("1".to_string())].boxed()
}

/// `{"a": …, "b": …}` from optional members (None = missing).
fn object(members: Vec<(&str, Option<String>)>) -> String {
    let body: Vec<String> = members
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{}: {v}", json_str(k))))
        .collect();
    format!("{{{}}}", body.join(", "))
}

fn opt(s: BoxedStrategy<String>) -> BoxedStrategy<Option<String>> {
    proptest::option::weighted(0.85, s).boxed()
}

fn payment_json() -> BoxedStrategy<String> {
    prop_oneof![
        6 => (opt(number_json()), opt(date_json()), opt(enum_json(&PAYMENT_STATUS)))
            .prop_map(|(a, d, s)| object(vec![("amount", a), ("date", d), ("status", s)])),
        1 => Just("5".to_string()),
        1 => Just("\"x\"".to_string()),
        1 => Just("null".to_string()),
    ]
    .boxed()
}

fn document(id: String) -> BoxedStrategy<String> {
    let customer = prop_oneof![
        6 => (opt(string_json()), opt(string_json())).prop_map(|(i, n)| object(vec![("id", i), ("companyName", n)])),
        1 => Just("null".to_string()),
        1 => Just("\"C-1\"".to_string()),
    ]
    .boxed();
    let metadata = prop_oneof![5 => opt(bool_json()).prop_map(|b| object(vec![("isDeleted", b)])), 1 => Just("null".to_string())].boxed();
    let payments = prop_oneof![
        6 => proptest::collection::vec(payment_json(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        1 => Just("null".to_string()),
        1 => Just("{\"amount\": 1}".to_string()),
    ]
    .boxed();
    let tag_value = prop_oneof![5 => pick(STRINGS).prop_map(json_str), 1 => Just("3".to_string()), 1 => Just("null".to_string())];
    let tags = proptest::collection::vec(
        (
            pick(&["region", "Region", "team", "a.b", "it's"]),
            tag_value,
        ),
        0..4,
    )
    .prop_map(|kv| {
        let mut seen = std::collections::BTreeSet::new();
        let members: Vec<(&str, Option<String>)> = kv
            .into_iter()
            .filter(|(k, _)| seen.insert(*k))
            .map(|(k, v)| (k, Some(v)))
            .collect();
        object(members)
    })
    .boxed();
    let line_items = Just("[{\"unitAmount\": 700}]".to_string()).boxed();
    (
        (
            opt(number_json()),
            opt(number_json()),
            opt(string_json()),
            opt(string_json()),
            opt(enum_json(&INVOICE_STATUS)),
        ),
        (
            opt(customer),
            opt(metadata),
            opt(date_json()),
            opt(date_json()),
            opt(line_items),
            opt(payments),
            opt(tags),
        ),
    )
        .prop_map(
            move |((ad, ta, cur, note, st), (cr, md, dd, idt, li, pay, tags))| {
                object(vec![
                    ("id", Some(json_str(&id))),
                    ("amountDue", ad),
                    ("totalAmount", ta),
                    ("currency", cur),
                    ("note", note),
                    ("status", st),
                    ("customerRef", cr),
                    ("metadata", md),
                    ("dueDate", dd),
                    ("issueDate", idt),
                    ("lineItems", li),
                    ("payments", pay),
                    ("tags", tags),
                ])
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Queries, written as text and parsed, so the whole pipeline is exercised.

#[derive(Clone, Copy)]
enum Kind {
    Number,
    String,
    Enum(&'static [&'static str]),
    Bool,
    Date,
}

const PATHS: &[(&str, Kind)] = &[
    ("amountDue", Kind::Number),
    ("totalAmount", Kind::Number),
    ("currency", Kind::String),
    ("note", Kind::String),
    ("status", Kind::Enum(&INVOICE_STATUS)),
    ("customerRef.id", Kind::String),
    ("customerRef.companyName", Kind::String),
    ("metadata.isDeleted", Kind::Bool),
    ("dueDate", Kind::Date),
    ("issueDate", Kind::Date),
    ("payments.amount", Kind::Number),
    ("payments.date", Kind::Date),
    ("payments.status", Kind::Enum(&PAYMENT_STATUS)),
    ("tags.region", Kind::String),
    ("tags.Region", Kind::String),
    ("tags.a.b", Kind::String),
    ("tags.it's", Kind::String),
];

/// Query-safe string values: trimmed, not empty, no `&&`, `||`, `}` and not `null`.
fn query_string(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()
        && !t.contains("&&")
        && !t.contains("||")
        && !t.contains('}')
        && !t.eq_ignore_ascii_case("null"))
    .then(|| t.to_string())
}

fn comparison() -> BoxedStrategy<String> {
    (
        pick_index(PATHS.len()),
        0usize..7,
        any::<u32>(),
        any::<bool>(),
        any::<bool>(),
        decimal_text(),
        date_text(),
    )
        .prop_map(|(i, op_pick, r, ws1, ws2, dec, date)| {
            let (path, kind) = PATHS[i];
            let r = r as usize;
            let (ops, value): (&[&str], String) = match kind {
                Kind::Number => {
                    let v = if r.is_multiple_of(3) {
                        dec
                    } else {
                        Decimal::parse_json(NUMBERS[r % NUMBERS.len()])
                            .map(|d| d.to_plain_string())
                            .unwrap_or(dec)
                    };
                    (&["=", "!=", ">", "<", ">=", "<="], v)
                }
                Kind::String => {
                    let pool = if r.is_multiple_of(2) {
                        STRINGS
                    } else {
                        SUBSTRINGS
                    };
                    let v = query_string(pool[r / 2 % pool.len()]).unwrap_or_else(|| "a".into());
                    (&["=", "!=", "~"], v)
                }
                Kind::Enum(values) => {
                    let flips: Vec<bool> = (0..4).map(|b| r >> b & 1 == 1).collect();
                    (&["=", "!="], random_case(values[r % values.len()], &flips))
                }
                Kind::Bool => (
                    &["=", "!="],
                    if r.is_multiple_of(2) {
                        "true".into()
                    } else {
                        "FALSE".into()
                    },
                ),
                Kind::Date => {
                    let v = if r.is_multiple_of(3) {
                        date
                    } else {
                        DATES[r % DATES.len()].to_string()
                    };
                    (&["=", "!=", ">", "<", ">=", "<="], v)
                }
            };
            let op = ops[op_pick % ops.len()];
            let sp = |b: bool| if b { " " } else { "" };
            format!("{path}{}{op}{}{value}", sp(ws1), sp(ws2))
        })
        .boxed()
}

fn pick_index(n: usize) -> impl Strategy<Value = usize> {
    0..n
}

fn filter_text() -> BoxedStrategy<String> {
    comparison()
        .prop_recursive(3, 12, 4, |inner| {
            (proptest::collection::vec(inner, 1..4), any::<bool>()).prop_map(|(parts, and)| {
                parts
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(if and { " && " } else { "||" })
            })
        })
        .boxed()
}

const ORDER_PATHS: &[&str] = &[
    "amountDue",
    "totalAmount",
    "currency",
    "note",
    "status",
    "customerRef.id",
    "customerRef.companyName",
    "metadata.isDeleted",
    "dueDate",
    "issueDate",
    "id",
];

#[derive(Clone, Debug)]
struct Probe {
    filter: Option<String>,
    order: Option<String>,
    page_size: u64,
}

fn probe() -> impl Strategy<Value = Probe> {
    (
        proptest::option::weighted(0.9, filter_text()),
        proptest::option::weighted(
            0.7,
            (pick(ORDER_PATHS), any::<bool>())
                .prop_map(|(p, d)| if d { format!("-{p}") } else { p.to_string() }),
        ),
        2u64..10,
    )
        .prop_map(|(filter, order, page_size)| Probe {
            filter,
            order,
            page_size,
        })
}

#[derive(Clone, Debug)]
struct Case {
    docs: Vec<String>,
    probes: Vec<Probe>,
}

fn case() -> impl Strategy<Value = Case> {
    let docs = (0usize..22).prop_flat_map(|n| {
        (0..n)
            .map(|i| document(format!("r{i:02}")))
            .collect::<Vec<_>>()
    });
    (docs, proptest::collection::vec(probe(), 15)).prop_map(|(docs, probes)| Case { docs, probes })
}

// ---------------------------------------------------------------------------------------

struct Backends {
    sqlite: SqlitePool,
    postgres: Option<PgPool>,
}

/// Binds the keys of `doc` for [`KEY_COLUMNS`], typed by kind.
macro_rules! bind_keys {
    ($q:expr, $doc:expr) => {{
        let mut q = $q;
        for k in KEYS {
            q = match (k.kind, k.extract($doc)) {
                (KeyKind::DateTime, KeyValue::Integer(v)) => q.bind(Some(v)),
                (KeyKind::DateTime, _) => q.bind(Option::<i64>::None),
                (KeyKind::Boolean, KeyValue::Boolean(v)) => q.bind(Some(v)),
                (KeyKind::Boolean, _) => q.bind(Option::<bool>::None),
                (_, KeyValue::Text(v)) => q.bind(Some(v)),
                (_, _) => q.bind(Option::<String>::None),
            };
        }
        q
    }};
}

async fn load(b: &Backends, docs: &[String]) {
    let parsed: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| serde_json::from_str(d).unwrap_or_else(|e| panic!("{d}: {e}")))
        .collect();
    let placeholders = |first: usize, doc: &str| {
        let mut p = vec![
            format!("${first}"),
            doc.replace('#', &(first + 1).to_string()),
        ];
        p.extend((0..KEYS.len()).map(|i| format!("${}", first + 2 + i)));
        p.join(", ")
    };
    b.sqlite
        .execute("DELETE FROM records; DELETE FROM keyed; DELETE FROM keyed_jsonb")
        .await
        .expect("sqlite delete");
    for (i, d) in docs.iter().enumerate() {
        sqlx::query("INSERT INTO records (id, doc) VALUES ($1, $2)")
            .bind(format!("r{i:02}"))
            .bind(d)
            .execute(&b.sqlite)
            .await
            .expect("sqlite insert");
        for (table, doc) in [("keyed", "$#"), ("keyed_jsonb", "jsonb($#)")] {
            let sql = format!(
                "INSERT INTO {table} (id, doc, {KEY_COLUMNS}) VALUES ({})",
                placeholders(1, doc)
            );
            let q = sqlx::query(AssertSqlSafe(sql))
                .bind(format!("r{i:02}"))
                .bind(d);
            bind_keys!(q, &parsed[i])
                .execute(&b.sqlite)
                .await
                .expect("sqlite keyed insert");
        }
    }
    if let Some(pg) = &b.postgres {
        pg.execute("DELETE FROM records; DELETE FROM keyed")
            .await
            .expect("pg delete");
        for (i, d) in docs.iter().enumerate() {
            sqlx::query("INSERT INTO records (id, doc) VALUES ($1, CAST($2 AS jsonb))")
                .bind(format!("r{i:02}"))
                .bind(d)
                .execute(pg)
                .await
                .unwrap_or_else(|e| panic!("pg insert {d}: {e}"));
            let sql = format!(
                "INSERT INTO keyed (id, doc, {KEY_COLUMNS}) VALUES ({})",
                placeholders(1, "CAST($# AS jsonb)")
            );
            let q = sqlx::query(AssertSqlSafe(sql))
                .bind(format!("r{i:02}"))
                .bind(d);
            bind_keys!(q, &parsed[i])
                .execute(pg)
                .await
                .unwrap_or_else(|e| panic!("pg keyed insert {d}: {e}"));
        }
    }
}

async fn check_case(b: &Backends, case: &Case) -> Result<(), TestCaseError> {
    load(b, &case.docs).await;
    let parsed: Vec<(String, serde_json::Value)> = case
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                format!("r{i:02}"),
                serde_json::from_str(d).unwrap_or_else(|e| panic!("{d}: {e}")),
            )
        })
        .collect();
    for p in &case.probes {
        let filter = match &p.filter {
            Some(q) => Some(
                parse_filter(q, &INVOICE)
                    .map_err(|e| TestCaseError::fail(format!("{q:?} did not parse: {e}")))?,
            ),
            None => None,
        };
        let order = match &p.order {
            Some(o) => Some(
                parse_order_by(o, &INVOICE)
                    .map_err(|e| TestCaseError::fail(format!("{o}: {e}")))?,
            ),
            None => None,
        };
        let mut expected: Vec<&(String, serde_json::Value)> = parsed
            .iter()
            .filter(|(_, d)| filter.as_ref().is_none_or(|f| matches(f, d)))
            .collect();
        expected.sort_by(|a, b| {
            order
                .as_ref()
                .map_or(Ordering::Equal, |o| compare(o, &a.1, &b.1))
                .then_with(|| a.0.cmp(&b.0))
        });
        let expected: Vec<String> = expected.into_iter().map(|(id, _)| id.clone()).collect();
        // With the id tie-breaker following the ordering's direction.
        let descending = order.as_ref().is_some_and(|o| o.descending);
        let mut following: Vec<&(String, serde_json::Value)> = parsed
            .iter()
            .filter(|(_, d)| filter.as_ref().is_none_or(|f| matches(f, d)))
            .collect();
        following.sort_by(|a, b| {
            let ties = if descending {
                b.0.cmp(&a.0)
            } else {
                a.0.cmp(&b.0)
            };
            order
                .as_ref()
                .map_or(Ordering::Equal, |o| compare(o, &a.1, &b.1))
                .then(ties)
        });
        let following: Vec<String> = following.into_iter().map(|(id, _)| id.clone()).collect();

        for (dialect, source) in [
            (Dialect::Sqlite, &KEYED),
            (Dialect::Sqlite, &KEYED_JSONB),
            (Dialect::Postgres, &KEYED),
        ] {
            if dialect == Dialect::Postgres && b.postgres.is_none() {
                continue;
            }
            let FieldSource::JsonDocument { table, .. } = source else {
                unreachable!()
            };
            let lowered = filter
                .as_ref()
                .map(|f| lower_filter(f, source, dialect).expect("lowers"));
            let terms = order
                .as_ref()
                .map(|o| lower_ordering(o, source, dialect).expect("lowers"))
                .unwrap_or_default();
            let id_term = id_order_term(table, dialect, descending, true);
            let mut page = 0u64;
            loop {
                let q = page_query_terms(
                    table,
                    lowered.clone(),
                    &terms,
                    &id_term,
                    p.page_size,
                    page * p.page_size,
                );
                let got = match (dialect, &b.postgres) {
                    (Dialect::Sqlite, _) => sqlite_ids(&b.sqlite, &q).await,
                    (Dialect::Postgres, Some(pg)) => postgres_ids(pg, &q).await,
                    (Dialect::Postgres, None) => unreachable!(),
                }
                .map_err(|e| {
                    TestCaseError::fail(format!("{dialect:?} {table} failed for {p:?}: {e}"))
                })?;
                let start = (page * p.page_size) as usize;
                let want: Vec<String> = following
                    .iter()
                    .skip(start)
                    .take(p.page_size as usize)
                    .cloned()
                    .collect();
                prop_assert_eq!(
                    &got,
                    &want,
                    "{:?} {} page {} of {:?}\nall expected: {:?}",
                    dialect,
                    table,
                    page,
                    p,
                    following
                );
                if want.is_empty() {
                    break;
                }
                page += 1;
            }
        }

        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            if dialect == Dialect::Postgres && b.postgres.is_none() {
                continue;
            }
            let lowered = filter
                .as_ref()
                .map(|f| lower_filter(f, &SOURCE, dialect).expect("lowers"));
            let keys = order
                .as_ref()
                .map(|o| lower_order(o, &SOURCE, dialect).expect("lowers"))
                .unwrap_or_default();
            let mut page = 0u64;
            loop {
                let q = page_query(
                    "records",
                    lowered.clone(),
                    &keys,
                    dialect,
                    p.page_size,
                    page * p.page_size,
                );
                let got = match (dialect, &b.postgres) {
                    (Dialect::Sqlite, _) => sqlite_ids(&b.sqlite, &q).await,
                    (Dialect::Postgres, Some(pg)) => postgres_ids(pg, &q).await,
                    (Dialect::Postgres, None) => unreachable!(),
                }
                .map_err(|e| TestCaseError::fail(format!("{dialect:?} failed for {p:?}: {e}")))?;
                let start = (page * p.page_size) as usize;
                let want: Vec<String> = expected
                    .iter()
                    .skip(start)
                    .take(p.page_size as usize)
                    .cloned()
                    .collect();
                prop_assert_eq!(
                    &got,
                    &want,
                    "{:?} page {} of {:?}\nall expected: {:?}",
                    dialect,
                    page,
                    p,
                    expected
                );
                if want.is_empty() {
                    break;
                }
                page += 1;
            }
        }
    }
    Ok(())
}

#[test]
fn sqlite_and_postgres_agree_with_the_reference() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let url = postgres_url();
    let (backends, pg_schema) = rt.block_on(async {
        let sqlite = sqlite().await;
        sqlite
            .execute("CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)")
            .await
            .expect("sqlite table");
        sqlite
            .execute(AssertSqlSafe(sqlite_keyed_tables()))
            .await
            .expect("sqlite keyed tables");
        let (postgres, schema) = match &url {
            Some(url) => {
                let (pool, schema) = postgres(url, "diff").await;
                pool.execute(
                    "CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc JSONB NOT NULL)",
                )
                .await
                .expect("pg table");
                pool.execute(POSTGRES_KEYED_TABLE)
                    .await
                    .expect("pg keyed table");
                (Some(pool), Some(schema))
            }
            None => (None, None),
        };
        (Backends { sqlite, postgres }, schema)
    });

    let cases: u32 = std::env::var("LEDGERBRIDGE_FILTER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(140);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&case(), |c| rt.block_on(check_case(&backends, &c)));

    rt.block_on(async {
        if let (Some(url), Some(schema), Some(pg)) = (&url, &pg_schema, backends.postgres.clone()) {
            drop_schema(url, pg, schema).await;
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Numbers beyond f64 precision (the reference can only see those through
/// `arbitrary_precision`, so this checks the two SQL dialects against exact expectations).
#[test]
fn sql_numbers_are_exact_beyond_f64() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let url = postgres_url();
    rt.block_on(async {
        let docs = [
            ("a", "1234567890.123456789012"),
            ("b", "1234567890.123456789013"),
            ("c", "-1234567890.123456789012"),
            ("d", "0.1000000000000000000001"),
            ("e", "12345678901234567890123"),
            ("f", "1.2345678901234567890123E+22"),
        ];
        let sqlite = sqlite().await;
        sqlite
            .execute("CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)")
            .await
            .expect("table");
        let pg = match &url {
            Some(url) => {
                let (pool, schema) = postgres(url, "exact").await;
                pool.execute(
                    "CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc JSONB NOT NULL)",
                )
                .await
                .expect("table");
                Some((pool, schema))
            }
            None => None,
        };
        for (id, n) in docs {
            let doc = format!("{{\"amountDue\": {n}}}");
            sqlite
                .execute(
                    sqlx::query("INSERT INTO records VALUES ($1, $2)")
                        .bind(id)
                        .bind(doc.clone()),
                )
                .await
                .expect("insert");
            if let Some((pool, _)) = &pg {
                pool.execute(
                    sqlx::query("INSERT INTO records VALUES ($1, CAST($2 AS jsonb))")
                        .bind(id)
                        .bind(doc),
                )
                .await
                .expect("insert");
            }
        }
        let cases: &[(&str, &[&str])] = &[
            ("amountDue=1234567890.123456789012", &["a"]),
            ("amountDue>1234567890.123456789012", &["b", "e", "f"]),
            ("amountDue>=1234567890.1234567890120", &["a", "b", "e", "f"]),
            ("amountDue<-1234567890.123456789011", &["c"]),
            ("amountDue>0.1", &["a", "b", "d", "e", "f"]),
            ("amountDue=0.1", &[]),
            ("amountDue=12345678901234567890123", &["e", "f"]),
            (
                "amountDue<12345678901234567890123.0000000001",
                &["a", "b", "c", "d", "e", "f"],
            ),
        ];
        for (q, want) in cases {
            let f = parse_filter(q, &INVOICE).expect("parses");
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            let s = page_query(
                "records",
                Some(lower_filter(&f, &SOURCE, Dialect::Sqlite).expect("lowers")),
                &[],
                Dialect::Sqlite,
                100,
                0,
            );
            assert_eq!(
                sqlite_ids(&sqlite, &s).await.expect("sqlite"),
                want,
                "SQLite {q}"
            );
            if let Some((pool, _)) = &pg {
                let s = page_query(
                    "records",
                    Some(lower_filter(&f, &SOURCE, Dialect::Postgres).expect("lowers")),
                    &[],
                    Dialect::Postgres,
                    100,
                    0,
                );
                assert_eq!(
                    postgres_ids(pool, &s).await.expect("pg"),
                    want,
                    "PostgreSQL {q}"
                );
            }
        }
        let order = parse_order_by("-amountDue", &INVOICE).expect("order");
        let want = ["e", "f", "b", "a", "d", "c"];
        let keys = lower_order(&order, &SOURCE, Dialect::Sqlite).expect("lowers");
        let got = sqlite_ids(
            &sqlite,
            &page_query("records", None, &keys, Dialect::Sqlite, 100, 0),
        )
        .await
        .expect("sqlite");
        assert_eq!(got, want, "SQLite order");
        if let (Some((pool, schema)), Some(url)) = (pg, &url) {
            let keys = lower_order(&order, &SOURCE, Dialect::Postgres).expect("lowers");
            let got = postgres_ids(
                &pool,
                &page_query("records", None, &keys, Dialect::Postgres, 100, 0),
            )
            .await
            .expect("pg");
            assert_eq!(got, want, "PostgreSQL order");
            drop_schema(url, pool, &schema).await;
        }
    });
    let _ = AssertSqlSafe("");
}

/// The largest queries the parser accepts (just under 2048 characters, 32 levels of braces)
/// lower to SQL both databases run.
#[test]
fn largest_queries_run() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let url = postgres_url();
    rt.block_on(async {
        let sqlite = sqlite().await;
        sqlite.execute("CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)").await.expect("table");
        let doc = r#"{"amountDue": 1.5, "dueDate": "2021-01-28T00:00:00Z", "payments": [{"amount": 2}], "tags": {"region": "uk"}}"#;
        sqlite.execute(sqlx::query("INSERT INTO records VALUES ('r00', $1)").bind(doc)).await.expect("insert");
        let pg = match &url {
            Some(url) => {
                let (pool, schema) = postgres(url, "large").await;
                pool.execute("CREATE TABLE records (id TEXT PRIMARY KEY NOT NULL, doc JSONB NOT NULL)").await.expect("table");
                pool.execute(sqlx::query("INSERT INTO records VALUES ('r00', CAST($1 AS jsonb))").bind(doc)).await.expect("insert");
                Some((pool, schema))
            }
            None => None,
        };
        let fill = |term: &str, joiner: &str| {
            let mut q = term.to_string();
            while q.len() + joiner.len() + term.len() < 2048 {
                q.push_str(joiner);
                q.push_str(term);
            }
            q
        };
        let deep = format!("{}amountDue>1{}", "{".repeat(32), "}".repeat(32));
        let queries = [
            (fill("dueDate>2021-01-01", "||"), true),
            (fill("amountDue!=1.4", "&&"), true),
            (fill("payments.amount>=2", "&&"), true),
            (fill("tags.region~U", "&&"), true),
            (fill("{dueDate<2021-01-01||amountDue<1}", "||"), false),
            (deep, true),
        ];
        for (q, want_row) in &queries {
            assert!(q.chars().count() < 2048);
            let f = parse_filter(q, &INVOICE).expect("parses");
            let want: Vec<String> = if *want_row { vec!["r00".into()] } else { Vec::new() };
            let s = page_query("records", Some(lower_filter(&f, &SOURCE, Dialect::Sqlite).expect("lowers")), &[], Dialect::Sqlite, 10, 0);
            assert_eq!(sqlite_ids(&sqlite, &s).await.expect("SQLite runs it"), want, "{q}");
            if let Some((pool, _)) = &pg {
                let s = page_query("records", Some(lower_filter(&f, &SOURCE, Dialect::Postgres).expect("lowers")), &[], Dialect::Postgres, 10, 0);
                assert_eq!(postgres_ids(pool, &s).await.expect("PostgreSQL runs it"), want, "{q}");
            }
        }
        if let (Some((pool, schema)), Some(url)) = (pg, &url) {
            drop_schema(url, pool, &schema).await;
        }
    });
}
