//! The records benchmark: one company holding N (default 1,000,000) generated invoices, loaded
//! through `upsert_records`, then four list requests timed over repeated runs.
//!
//! ```text
//! cargo run --release -p ledgerbridge-store --example records_bench -- \
//!     --db sqlite:///tmp/ledgerbridge-bench/records.db [--records 1000000] [--runs 30]
//!     [--batch 1000] [--seed 42] [--explain] [--phase load|query|all]
//! ```
//!
//! `--db` takes a SQLite URL or a PostgreSQL URL (use `options[search_path]=<schema>` for a
//! schema of its own). A database that already holds the seed's company with N invoices is
//! reused without loading again. Output is Markdown on stdout; progress goes to stderr.
//! `bench/records.sh` runs it on both backends.

use std::time::{Duration, Instant};

use ledgerbridge_domain::accounting::INVOICE_SCHEMA as INVOICE;
use ledgerbridge_domain::paging::{PageRequest, links};
use ledgerbridge_domain::platform::{ConnectionStatus, SourceType};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};
use ledgerbridge_query::{parse_filter, parse_order_by};
use ledgerbridge_store::companies::CompanyRow;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::filter::Dialect;
use ledgerbridge_store::records::{RecordScope, RecordWrite};
use ledgerbridge_store::{ListRequest, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Connection;

/// The allocator of the `ledgerbridge` binary, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// ----------------------------------------------------------------------------------------
// The generator: deterministic for a seed.

const WORDS: &[&str] = &[
    "account",
    "balance",
    "quarterly",
    "services",
    "consulting",
    "delivery",
    "monthly",
    "retainer",
    "hardware",
    "software",
    "licence",
    "support",
    "travel",
    "expenses",
    "project",
    "phase",
    "milestone",
    "design",
    "review",
    "audit",
    "training",
    "workshop",
    "materials",
    "freight",
    "storage",
    "rental",
    "equipment",
    "maintenance",
    "repair",
    "cleaning",
    "catering",
    "marketing",
    "campaign",
    "print",
    "web",
    "hosting",
    "domain",
    "renewal",
    "subscription",
    "annual",
    "deposit",
    "final",
    "interim",
    "invoice",
    "order",
    "purchase",
    "thanks",
    "please",
    "pay",
    "within",
    "days",
    "late",
    "fee",
    "discount",
    "applied",
    "reference",
    "client",
    "north",
    "south",
    "east",
    "west",
    "office",
    "warehouse",
    "site",
    "visit",
    "hours",
    "overtime",
    "staff",
    "cabcab",
    "fabcore",
    "abcissa",
    "dabchick",
];
const CURRENCIES: &[(&str, &str)] = &[
    ("GBP", "1"),
    ("GBP", "1"),
    ("GBP", "1"),
    ("GBP", "1"),
    ("EUR", "0.8571"),
    ("USD", "0.7874"),
];
const CUSTOMERS: u32 = 5000;

struct Generator {
    rng: StdRng,
    next: u64,
}

fn uuid(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

/// `cents` as a decimal with exactly two fractional digits (`1234.50`).
fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn date(days_since_epoch: i64) -> String {
    let d = chrono::DateTime::from_timestamp(days_since_epoch * 86_400, 0)
        .unwrap_or_default()
        .date_naive();
    d.format("%Y-%m-%dT00:00:00").to_string()
}

impl Generator {
    fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            next: 0,
        }
    }

    fn words(&mut self, min: usize, max: usize) -> String {
        let n = self.rng.random_range(min..=max);
        (0..n)
            .map(|_| WORDS[self.rng.random_range(0..WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// One invoice as JSON text, the way a connector's mapping would write it.
    fn invoice(&mut self) -> String {
        let r = &mut self.rng;
        self.next += 1;
        let id = uuid(r);
        let customer = r.random_range(0..CUSTOMERS);
        let (currency, rate) = CURRENCIES[r.random_range(0..CURRENCIES.len())];
        // Issue dates over six years, 2019-01-01 .. 2024-12-31.
        let issue = 17_897 + r.random_range(0..2192);
        let due = issue + [14, 30, 30, 45, 60][r.random_range(0..5)];
        let lines = r.random_range(1..=4);
        let mut line_items = Vec::new();
        let (mut sub_total, mut tax_total) = (0i64, 0i64);
        for _ in 0..lines {
            // Unit prices spread over 5 .. 5000 (log-uniform-ish), quantities 1..10.
            let magnitude = [500, 5_000, 50_000, 500_000][self.rng.random_range(0..4)];
            let unit = self.rng.random_range(magnitude / 10..=magnitude);
            let quantity = self.rng.random_range(1..=10);
            let net = unit * quantity;
            let tax = net / 5;
            sub_total += net;
            tax_total += tax;
            let description = self.words(2, 5);
            let account = self.rng.random_range(4000..4010);
            let item = self.rng.random_range(1..300);
            line_items.push(format!(
                r#"{{"description":"{description}","unitAmount":{},"quantity":{quantity},"discountAmount":0.00,"subTotal":{},"taxAmount":{},"totalAmount":{},"accountRef":{{"id":"{account}","name":"Sales {account}"}},"discountPercentage":0,"taxRateRef":{{"id":"TAX20","name":"Standard 20%","effectiveTaxRate":20}},"itemRef":{{"id":"ITEM-{item:04}","name":"Item {item}"}},"trackingCategoryRefs":[],"isDirectIncome":false}}"#,
                money(unit),
                money(net),
                money(tax),
                money(net + tax)
            ));
        }
        let total = sub_total + tax_total;
        let r = &mut self.rng;
        let status = match r.random_range(0..100) {
            0..45 => "Paid",
            45..65 => "Submitted",
            65..75 => "PartiallyPaid",
            75..85 => "Void",
            _ => "Draft",
        };
        let amount_due = match status {
            "Paid" | "Void" => 0,
            "PartiallyPaid" => r.random_range(1..total.max(2)),
            _ => total,
        };
        let paid_on = if status == "Paid" {
            format!(r#","paidOnDate":"{}""#, date(issue + r.random_range(0..60)))
        } else {
            String::new()
        };
        let source_modified = format!(
            "{}Z",
            chrono::DateTime::from_timestamp(
                (issue + r.random_range(0..90)) * 86_400 + r.random_range(0..86_400),
                0
            )
            .unwrap_or_default()
            .naive_utc()
            .format("%Y-%m-%dT%H:%M:%S")
        );
        let note = if r.random_range(0..10) < 8 {
            format!(r#""{}""#, self.words(3, 12))
        } else {
            "null".into()
        };
        format!(
            r#"{{"id":"{id}","invoiceNumber":"INV-{:07}","customerRef":{{"id":"C{customer:05}","companyName":"Customer {customer} Ltd"}},"salesOrderRefs":[],"issueDate":"{}","dueDate":"{}"{paid_on},"currency":"{currency}","currencyRate":{rate},"lineItems":[{}],"paymentAllocations":[],"withholdingTax":[],"totalDiscount":0.00,"subTotal":{},"additionalTaxAmount":0,"additionalTaxPercentage":0,"totalTaxAmount":{},"totalAmount":{},"amountDue":{},"discountPercentage":0,"status":"{status}","note":{note},"metadata":{{"isDeleted":false}},"supplementalData":{{"content":{{}}}},"sourceModifiedDate":"{source_modified}"}}"#,
            self.next,
            date(issue),
            date(due),
            line_items.join(","),
            money(sub_total),
            money(tax_total),
            money(total),
            money(amount_due),
        )
    }
}

// ----------------------------------------------------------------------------------------

struct Args {
    db: String,
    records: u64,
    batch: usize,
    runs: usize,
    seed: u64,
    explain: bool,
    /// `load`, `query` or `all`.
    phase: String,
}

fn args() -> Args {
    let mut a = Args {
        db: "sqlite:///tmp/ledgerbridge-bench/records.db".into(),
        records: 1_000_000,
        batch: 1000,
        runs: 30,
        seed: 42,
        explain: false,
        phase: "all".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => a.db = value(),
            "--records" => a.records = value().parse().expect("--records"),
            "--batch" => a.batch = value().parse().expect("--batch"),
            "--runs" => a.runs = value().parse().expect("--runs"),
            "--seed" => a.seed = value().parse().expect("--seed"),
            "--explain" => a.explain = true,
            "--phase" => a.phase = value(),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn log(msg: &str) {
    eprintln!("[records-bench] {msg}");
}

async fn load(store: &Store, a: &Args, company: CompanyId, connection: ConnectionId) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<RecordWrite>>(4);
    let (records, batch, seed) = (a.records, a.batch, a.seed);
    let producer = std::thread::spawn(move || {
        let mut g = Generator::new(seed);
        let mut left = records;
        while left > 0 {
            let n = left.min(batch as u64);
            left -= n;
            let docs: Vec<RecordWrite> = (0..n)
                .map(|_| {
                    let doc = serde_json::from_str(&g.invoice()).expect("generated JSON");
                    RecordWrite::from_doc(&doc).expect("id")
                })
                .collect();
            if tx.blocking_send(docs).is_err() {
                return;
            }
        }
    });
    let start = Instant::now();
    let mut done = 0u64;
    let mut last_report = Instant::now();
    while let Some(batch) = rx.recv().await {
        let stats = store
            .upsert_records(connection, company, DataType::Invoices, &batch)
            .await
            .expect("upsert");
        done += stats.inserted + stats.updated + stats.unchanged;
        if last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            log(&format!(
                "loaded {done} ({:.0}/s)",
                done as f64 / start.elapsed().as_secs_f64()
            ));
        }
    }
    producer.join().expect("generator");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "Loaded {done} invoices through `upsert_records` in batches of {}: {:.1} s, **{:.0} records/s** \
         (generation runs on another thread; peak RSS while loading {}).\n",
        a.batch,
        secs,
        done as f64 / secs,
        mib(status_kib("VmHWM:"))
    );
}

async fn company_count(url: &str, company: CompanyId) -> Option<i64> {
    let sql = "SELECT COUNT(*) FROM records WHERE set_id = \
               (SELECT set_id FROM record_sets WHERE company_id = $1 AND data_type = 'invoices')";
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.ok()?;
        sqlx::query_scalar(sql)
            .bind(company.to_string())
            .fetch_one(&mut c)
            .await
            .ok()
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.ok()?;
        sqlx::query_scalar(sql)
            .bind(company.to_string())
            .fetch_one(&mut c)
            .await
            .ok()
    }
}

struct Case {
    label: &'static str,
    query: Option<&'static str>,
    order: Option<&'static str>,
    page_size: u32,
    target_ms: f64,
}

#[tokio::main]
async fn main() {
    let a = args();
    if let Some(dir) =
        a.db.strip_prefix("sqlite://")
            .and_then(|path| std::path::Path::new(path).parent())
    {
        std::fs::create_dir_all(dir).expect("data dir");
    }
    let store = Store::connect(&a.db).await.expect("connect");
    store.migrate().await.expect("migrate");
    let dialect = store.dialect();
    let mut seeded = StdRng::seed_from_u64(a.seed ^ 0x5eed);
    let company = CompanyId(uuid::Uuid::from_u128(seeded.random()));
    let connection = ConnectionId(uuid::Uuid::from_u128(seeded.random()));
    let backend = match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
    };
    if a.phase != "query" {
        println!("### {backend}\n");
    }

    let existing = company_count(&a.db, company).await.unwrap_or(0);
    if existing == a.records as i64 {
        if a.phase != "query" {
            println!("Reusing the loaded database ({existing} invoices).\n");
        }
    } else if a.phase == "query" {
        panic!(
            "the database holds {existing} of the seed's invoices, not {}: load first",
            a.records
        );
    } else {
        if existing > 0 {
            panic!(
                "the database holds {existing} of the seed's invoices, not {}: use a fresh one",
                a.records
            );
        }
        log("creating the company and loading invoices");
        let created = Timestamp::now();
        store
            .insert_company(
                &CompanyRow {
                    id: company,
                    name: "Bench Co".into(),
                    description: None,
                    tags: Default::default(),
                    platform: String::new(),
                    created,
                    last_sync: None,
                },
                Some(&ConnectionRow {
                    id: connection,
                    company_id: company,
                    integration_key: "mqjo".into(),
                    integration_id: uuid::Uuid::from_u128(1),
                    source_id: uuid::Uuid::from_u128(2),
                    source_type: SourceType::Accounting,
                    platform_name: "Sandbox".into(),
                    status: ConnectionStatus::Linked,
                    created,
                    last_sync: None,
                    errors: Vec::new(),
                    connection_info: None,
                }),
            )
            .await
            .expect("company");
        load(&store, &a, company, connection).await;
        log("analysing");
        let started = Instant::now();
        store.optimize().await.expect("optimize");
        println!(
            "`Store::optimize` after the load (planner statistics): {:.1} s.\n",
            started.elapsed().as_secs_f64()
        );
    }

    if a.phase == "load" {
        return;
    }
    // Peak RSS from here on covers the queries only.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    log(&format!(
        "before the queries: RSS {}",
        mib(status_kib("VmRSS:"))
    ));

    let cases = [
        Case {
            label: "(a) `pageSize=100&orderBy=-issueDate`",
            query: None,
            order: Some("-issueDate"),
            page_size: 100,
            target_ms: 50.0,
        },
        Case {
            label: "(b) `query=status=Paid&&totalAmount>1000&orderBy=-issueDate`",
            query: Some("status=Paid&&totalAmount>1000"),
            order: Some("-issueDate"),
            page_size: 100,
            target_ms: 100.0,
        },
        Case {
            label: "(c) `pageSize=5000`",
            query: None,
            order: None,
            page_size: 5000,
            target_ms: 300.0,
        },
        Case {
            label: "(d) `query=note~abc`",
            query: Some("note~abc"),
            order: None,
            page_size: 100,
            target_ms: f64::NAN,
        },
    ];
    let factor = if dialect == Dialect::Postgres {
        2.0
    } else {
        1.0
    };
    let scope = RecordScope::Company(company);
    println!(
        "p50 / p95 over {} runs after 2 warm-up runs; each run is `list_records` (count and page) \
         plus serialising the page into the JSON envelope.\n",
        a.runs
    );
    println!("| request | totalResults | page bytes | p50 ms | p95 ms | target p50 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut d_p50 = Duration::ZERO;
    let mut d_total = 0;
    for case in &cases {
        let req = ListRequest {
            filter: case
                .query
                .map(|q| parse_filter(q, &INVOICE).expect("query")),
            order: case
                .order
                .map(|o| parse_order_by(o, &INVOICE).expect("orderBy")),
            tags: None,
            page: PageRequest {
                page: 1,
                page_size: case.page_size,
            },
        };
        if a.explain {
            for line in store
                .explain_list_records(scope, DataType::Invoices, &req)
                .await
                .expect("explain")
            {
                eprintln!("{line}");
            }
        }
        let path = format!("/companies/{company}/data/invoices");
        let mut times = Vec::with_capacity(a.runs);
        let (mut total, mut bytes) = (0, 0);
        for run in 0..a.runs + 2 {
            let started = Instant::now();
            let page = store
                .list_records(scope, DataType::Invoices, &req)
                .await
                .expect("list");
            let mut extra = Vec::new();
            if let Some(q) = case.query {
                extra.push(("query", q));
            }
            if let Some(o) = case.order {
                extra.push(("orderBy", o));
            }
            let body = page
                .to_envelope(req.page, &links(&path, req.page, page.total, &extra))
                .expect("envelope");
            let elapsed = started.elapsed();
            total = page.total;
            bytes = body.len();
            assert_eq!(
                page.results.len() as u64,
                page.total.min(u64::from(case.page_size))
            );
            if run >= 2 {
                times.push(elapsed);
            }
        }
        times.sort();
        let p50 = percentile(&times, 0.5);
        let target = if case.target_ms.is_nan() {
            "≤ 1.5× hand-written".to_string()
        } else {
            format!("{:.0}", case.target_ms * factor)
        };
        println!(
            "| {} | {total} | {bytes} | {} | {} | {target} |",
            case.label,
            ms(p50),
            ms(percentile(&times, 0.95))
        );
        log(&format!(
            "after {}: RSS {} (peak {})",
            case.label,
            mib(status_kib("VmRSS:")),
            mib(status_kib("VmHWM:"))
        ));
        if case.query == Some("note~abc") {
            d_p50 = p50;
            d_total = total;
        }
    }

    // (d) side by side: the same predicate as hand-written SQL on the same table, count and
    // page run concurrently on two connections exactly as `list_records` does.
    let (count_sql, page_sql) = match dialect {
        Dialect::Sqlite => (
            "SELECT COUNT(*) FROM records WHERE set_id = $1 \
             AND lower(json_extract(doc, '$.note')) LIKE '%abc%'",
            "SELECT json(doc) FROM records WHERE set_id = $1 \
             AND lower(json_extract(doc, '$.note')) LIKE '%abc%' ORDER BY id LIMIT 100",
        ),
        Dialect::Postgres => (
            "SELECT COUNT(*) FROM records WHERE set_id = $1 \
             AND lower(doc_q ->> 'note') LIKE '%abc%'",
            "SELECT doc FROM records WHERE set_id = $1 \
             AND lower(doc_q ->> 'note') LIKE '%abc%' ORDER BY id LIMIT 100",
        ),
    };
    let set_sql = "SELECT set_id FROM record_sets WHERE company_id = $1 AND data_type = 'invoices'";
    let (times, hand_total) = match dialect {
        Dialect::Postgres => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(2)
                .min_connections(2)
                .connect(&a.db)
                .await
                .expect("pool");
            let mut times = Vec::new();
            let mut total = 0;
            for run in 0..a.runs + 2 {
                let started = Instant::now();
                let c: i64 = sqlx::query_scalar(set_sql)
                    .bind(company.to_string())
                    .fetch_one(&pool)
                    .await
                    .expect("set");
                let (n, rows) = tokio::try_join!(
                    sqlx::query_scalar::<_, i64>(count_sql)
                        .bind(c)
                        .fetch_one(&pool),
                    sqlx::query_scalar::<_, String>(page_sql)
                        .bind(c)
                        .fetch_all(&pool),
                )
                .expect("hand-written");
                let body = splice(&rows);
                let elapsed = started.elapsed();
                assert!(!body.is_empty());
                total = n;
                if run >= 2 {
                    times.push(elapsed);
                }
            }
            (times, total)
        }
        Dialect::Sqlite => {
            let pool = hand_pool(&a.db).await;
            let mut times = Vec::new();
            let mut total = 0;
            for run in 0..a.runs + 2 {
                let started = Instant::now();
                let c: i64 = sqlx::query_scalar(set_sql)
                    .bind(company.to_string())
                    .fetch_one(&pool)
                    .await
                    .expect("set");
                let (n, rows) = tokio::try_join!(
                    sqlx::query_scalar::<_, i64>(count_sql)
                        .bind(c)
                        .fetch_one(&pool),
                    sqlx::query_scalar::<_, String>(page_sql)
                        .bind(c)
                        .fetch_all(&pool),
                )
                .expect("hand-written");
                let body = splice(&rows);
                let elapsed = started.elapsed();
                assert!(!body.is_empty());
                total = n;
                if run >= 2 {
                    times.push(elapsed);
                }
            }
            (times, total)
        }
    };
    let mut times = times;
    times.sort();
    let hand = percentile(&times, 0.5);
    println!(
        "| (d) hand-written SQL, same predicate | {hand_total} | | {} | {} | |",
        ms(hand),
        ms(percentile(&times, 0.95))
    );
    println!(
        "\n(d) ours / hand-written = **{:.2}×** (target ≤ 1.5×); totals {d_total} vs {hand_total}.\n",
        d_p50.as_secs_f64() / hand.as_secs_f64()
    );
    println!(
        "Process RSS after the queries: {} (peak {}; target ≤ 300 MB){}.\n",
        mib(status_kib("VmRSS:")),
        mib(status_kib("VmHWM:")),
        if a.phase == "query" {
            ", in a process that only ran the queries (`--phase query`)"
        } else {
            ", in the process that also loaded the data"
        }
    );
}

/// The hand-written baseline's envelope: the documents joined, as `to_envelope` does.
fn splice(rows: &[String]) -> Vec<u8> {
    let mut body = b"{\"results\":[".to_vec();
    for (i, d) in rows.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(d.as_bytes());
    }
    body.extend_from_slice(b"]}");
    body
}

async fn hand_pool(url: &str) -> sqlx::SqlitePool {
    use std::str::FromStr;
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .expect("url")
        .read_only(true)
        .pragma("cache_size", "-16000");
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(2)
        .min_connections(2)
        .connect_with(opts)
        .await
        .expect("pool")
}
