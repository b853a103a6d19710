//! Benchmarks of the QuickBooks Online connector against the local simulator (run by
//! `bench/quickbooks_connector.sh`):
//!
//! 1. fetch + map (+ the JSON serialisation the store writes) throughput for invoices, with
//!    the simulator's throttles off;
//! 2. calls per full sync and per unchanged incremental sync, for every data type.
//!
//! `cargo run --release -p ledgerbridge-connectors --example quickbooks_throughput -- [small|medium] [throughput [runs]]`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use ledgerbridge_connectors::catalog;
use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, OAuthApp, OAuthLink, pkce_challenge, pkce_verifier,
};
use ledgerbridge_connectors::quickbooks::{
    DEFAULT_SCOPES, QuickBooksConfig, QuickBooksConnector, map, wire,
};
use ledgerbridge_connectors::{ConnectionContext, Connector, FetchRequest, MemoryCredentialStore};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use ledgerbridge_fakes::quickbooks::{QuickBooksSim, SimHandle, SimOptions, Size, TenantOptions};

/// The allocator of the `ledgerbridge` binary, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/cpu.rs"]
mod cpu;

const REDIRECT: &str = "http://127.0.0.1:9/cb";

async fn linked(sim: &SimHandle) -> (Arc<QuickBooksConnector>, ConnectionContext) {
    let connector = QuickBooksConnector::new(QuickBooksConfig::new(OAuthApp {
        client_id: sim.client_id().to_string(),
        client_secret: sim.client_secret().to_string(),
        authorize_url: sim.authorize_url(),
        token_url: sim.token_url(),
        api_url: sim.api_url(),
        scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
    }));
    let verifier = pkce_verifier();
    let url = connector.authorize_url(&AuthorizeRequest {
        state: "s",
        code_challenge: &pkce_challenge(&verifier),
        redirect_uri: REDIRECT,
    });
    let callback = sim.approve(&url, 0).expect("approve");
    let query: BTreeMap<String, String> = form_urlencoded::parse(
        callback
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("")
            .as_bytes(),
    )
    .into_owned()
    .collect();
    let tenants = connector
        .complete(&query, &verifier, REDIRECT)
        .await
        .expect("link");
    let ctx = ConnectionContext {
        company_id: CompanyId::new(),
        connection_id: ConnectionId::new(),
        credentials: tenants[0].credentials.clone(),
        credential_store: Arc::new(MemoryCredentialStore::default()),
    };
    (connector, ctx)
}

async fn sync(
    connector: &QuickBooksConnector,
    ctx: &ConnectionContext,
    data_type: DataType,
    since: Option<String>,
) -> (usize, usize, Option<String>) {
    let request = FetchRequest {
        data_type,
        since,
        sync_from: None,
        months_to_sync: None,
    };
    let (mut records, mut pages, mut cursor) = (0, 0, None::<String>);
    loop {
        let page = connector
            .fetch_page(ctx, &request, cursor.as_deref())
            .await
            .unwrap_or_else(|e| panic!("{data_type}: {e}"));
        pages += 1;
        records += page.records.len() + page.deleted.len();
        // The text the store writes is the connector's output: nothing left to serialise.
        for r in &page.records {
            std::hint::black_box(r.doc.len());
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return (records, pages, page.watermark),
        }
    }
}

#[tokio::main]
async fn main() {
    let size: Size = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "medium".into())
        .parse()
        .unwrap_or(Size::Medium);
    // `throughput [runs]` as the second argument stops after section 1, run ten times (or
    // `runs`) rather than three (for profiling).
    let throughput_only = std::env::args().nth(2).as_deref() == Some("throughput");
    let runs = match std::env::args().nth(3).and_then(|n| n.parse().ok()) {
        Some(n) if throughput_only => n,
        _ if throughput_only => 10,
        _ => 3,
    };
    let sim = QuickBooksSim::start(SimOptions {
        companies: vec![TenantOptions::new(2026, size)],
        ..SimOptions::default()
    })
    .await
    .expect("simulator");
    sim.faults.limits_off.store(true, Ordering::SeqCst);
    let (connector, ctx) = linked(&sim).await;

    println!("## 1. Invoices, fetch + map (+ JSON serialisation), limits off ({size})");
    let (mut best, mut per_cpu) = (0.0f64, Vec::new());
    for run in 1..=runs {
        let (started, cpu_before) = (Instant::now(), cpu::process_ns());
        let (records, pages, _) = sync(&connector, &ctx, DataType::Invoices, None).await;
        let secs = started.elapsed().as_secs_f64();
        let rate = records as f64 / secs;
        best = best.max(rate);
        // Records per second of CPU, simulator and connector together: what one core does.
        let cpu = cpu_before
            .zip(cpu::process_ns())
            .map(|(a, b)| b.saturating_sub(a) as f64 / 1e9);
        let cpu_text = match cpu {
            Some(c) => {
                per_cpu.push(records as f64 / c);
                format!(
                    ", {c:.3} s CPU, {:.0} records per CPU-second",
                    records as f64 / c
                )
            }
            None => String::new(),
        };
        println!(
            "run {run}: {records} invoices in {pages} calls, {secs:.3} s, {rate:.0} records/s{cpu_text}"
        );
    }
    per_cpu.sort_by(f64::total_cmp);
    match per_cpu.get(per_cpu.len() / 2) {
        Some(median) => {
            println!("best: {best:.0} records/s; median {median:.0} records per CPU-second")
        }
        None => println!("best: {best:.0} records/s"),
    }

    if throughput_only {
        return;
    }

    println!("\n## 1b. Where a page's time goes (invoices, 1,000 a page)");
    let token = ctx.credentials["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let realm = ctx.credentials["realm_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let http = reqwest::Client::new();
    let (mut t_http, mut t_parse, mut t_map, mut t_store, mut n) = (0.0, 0.0, 0.0, 0.0, 0usize);
    let mut start = 1;
    loop {
        let statement = format!(
            "SELECT * FROM Invoice ORDERBY Metadata.LastUpdatedTime STARTPOSITION {start} MAXRESULTS 1000"
        );
        let url = format!(
            "{}/v3/company/{realm}/query?minorversion=75&query={}",
            sim.api_url(),
            form_urlencoded::byte_serialize(statement.as_bytes()).collect::<String>()
        );
        let t = Instant::now();
        let bytes = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("query")
            .bytes()
            .await
            .expect("body");
        t_http += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let answer: wire::QueryAnswer<'_> = serde_json::from_slice(&bytes).expect("json");
        let page = answer
            .query_response
            .and_then(|mut q| q.take("Invoice"))
            .unwrap_or_default();
        t_parse += t.elapsed().as_secs_f64();
        if page.is_empty() {
            break;
        }
        let t = Instant::now();
        let docs: Vec<_> = page.iter().filter_map(|v| map::invoice(v, "GBP")).collect();
        t_map += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for d in &docs {
            std::hint::black_box(serde_json::to_string(d).map(|v| v.len()).unwrap_or(0));
        }
        t_store += t.elapsed().as_secs_f64();
        n += page.len();
        start += page.len();
        if page.len() < 1000 {
            break;
        }
    }
    let per = |t: f64| t * 1000.0 / (n as f64 / 1000.0);
    println!(
        "{n} invoices: simulator answer + transfer {:.1} ms, read typed {:.1} ms, map to Codat {:.1} ms, serialise to Codat JSON text {:.1} ms (per 1,000)",
        per(t_http),
        per(t_parse),
        per(t_map),
        per(t_store)
    );

    println!("\n## 2. Calls per sync ({size})");
    println!("| data type | records | calls (full) | calls (unchanged incremental) |");
    println!("|---|---|---|---|");
    let platform = catalog::platform("qhyg").expect("qhyg");
    for &data_type in platform.data_types {
        sim.counters.reset();
        let (records, _, watermark) = sync(&connector, &ctx, data_type, None).await;
        let full = sim.counters.api_calls.load(Ordering::SeqCst);
        sim.counters.reset();
        let incremental = match watermark.as_deref() {
            Some("full") | None => "full re-read".to_string(),
            Some(_) => {
                sync(&connector, &ctx, data_type, watermark).await;
                sim.counters.api_calls.load(Ordering::SeqCst).to_string()
            }
        };
        println!("| {data_type} | {records} | {full} | {incremental} |");
    }
}
