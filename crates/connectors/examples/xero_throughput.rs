//! Benchmarks of the Xero connector against the local simulator (run by
//! `bench/xero_connector.sh`):
//!
//! 1. fetch + map throughput for invoices with the simulator's limits off;
//! 2. calls per full sync and per unchanged incremental sync, for every data type;
//! 3. a sync needing three times the per-minute budget (with a short "minute"): its time
//!    against the theoretical minimum, and the 429s met.
//!
//! `cargo run --release -p ledgerbridge-connectors --example xero_throughput -- [small|medium] [throughput [runs]]`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, OAuthApp, OAuthLink, pkce_challenge, pkce_verifier,
};
use ledgerbridge_connectors::xero::{DEFAULT_SCOPES, RateLimits, XeroConfig, XeroConnector};
use ledgerbridge_connectors::{ConnectionContext, Connector, FetchRequest, MemoryCredentialStore};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use ledgerbridge_fakes::xero::{Limits, SimHandle, SimOptions, Size, TenantOptions, XeroSim};

/// The allocator of the `ledgerbridge` binary, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/cpu.rs"]
mod cpu;

const REDIRECT: &str = "http://127.0.0.1:9/cb";

async fn linked(
    sim: &SimHandle,
    tune: impl FnOnce(&mut XeroConfig),
) -> (Arc<XeroConnector>, ConnectionContext) {
    let mut config = XeroConfig::new(OAuthApp {
        client_id: sim.client_id().to_string(),
        client_secret: sim.client_secret().to_string(),
        authorize_url: sim.authorize_url(),
        token_url: sim.token_url(),
        api_url: sim.api_url(),
        scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
    });
    tune(&mut config);
    let connector = XeroConnector::new(config);
    let verifier = pkce_verifier();
    let url = connector.authorize_url(&AuthorizeRequest {
        state: "s",
        code_challenge: &pkce_challenge(&verifier),
        redirect_uri: REDIRECT,
    });
    let callback = sim.approve(&url, &[]).expect("approve");
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
    connector: &XeroConnector,
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
    let sim = XeroSim::start(SimOptions {
        tenants: vec![TenantOptions::new(2026, size)],
        ..SimOptions::default()
    })
    .await
    .expect("simulator");
    sim.faults.limits_off.store(true, Ordering::SeqCst);
    // The connector's own pacing off too: sections 1 and 2 measure work, not Xero's budget.
    let (connector, ctx) = linked(&sim, |c| c.limits.per_minute = u32::MAX).await;
    // Warm the lookups (organisation, accounts, tax rates).
    sync(&connector, &ctx, DataType::Items, None).await;

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
            "run {run}: {records} invoices in {pages} pages, {secs:.3} s, {rate:.0} records/s{cpu_text}"
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

    println!("\n## 2. Calls per sync ({size})");
    println!("| data type | records | calls (full) | calls (unchanged incremental) |");
    println!("|---|---|---|---|");
    for data_type in [
        DataType::ChartOfAccounts,
        DataType::BankAccounts,
        DataType::Customers,
        DataType::Suppliers,
        DataType::Invoices,
        DataType::Bills,
        DataType::CreditNotes,
        DataType::BillCreditNotes,
        DataType::Payments,
        DataType::BillPayments,
        DataType::JournalEntries,
        DataType::Items,
        DataType::TaxRates,
        DataType::TrackingCategories,
        DataType::BankTransactions,
        DataType::Transfers,
        DataType::Company,
        DataType::PurchaseOrders,
        DataType::BalanceSheet,
        DataType::ProfitAndLoss,
    ] {
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

    println!(
        "\n## 3. A sync needing 3x the per-minute budget: 8 datasets at once, 1 record a page, a \"minute\" of 2 s"
    );
    let minute = Duration::from_secs(2);
    let limited = XeroSim::start(SimOptions {
        tenants: vec![TenantOptions::new(41, Size::Small)],
        limits: Limits {
            minute,
            ..Limits::default()
        },
        ..SimOptions::default()
    })
    .await
    .expect("simulator");
    let (connector, ctx) = linked(&limited, |c| {
        c.page_size = 1;
        c.limits = RateLimits {
            minute,
            ..RateLimits::default()
        };
    })
    .await;
    let ctx = Arc::new(ctx);
    limited.counters.reset();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for data_type in [
        DataType::Invoices,
        DataType::Bills,
        DataType::Payments,
        DataType::BillPayments,
        DataType::Customers,
        DataType::Suppliers,
        DataType::CreditNotes,
        DataType::BankTransactions,
    ] {
        let (connector, ctx) = (connector.clone(), ctx.clone());
        tasks.push(tokio::spawn(async move {
            sync(&connector, &ctx, data_type, None).await
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    let calls = limited.counters.api_calls.load(Ordering::SeqCst);
    let windows = (calls as u32).div_ceil(60) - 1;
    let minimum = minute * windows;
    println!(
        "{calls} calls in {:.3} s; theoretical minimum {:.3} s ({windows} full windows); {:+.1}%; 429s: {}; most in flight: {}",
        elapsed.as_secs_f64(),
        minimum.as_secs_f64(),
        (elapsed.as_secs_f64() / minimum.as_secs_f64() - 1.0) * 100.0,
        limited.counters.rate_limited.load(Ordering::SeqCst),
        limited.counters.max_concurrent.load(Ordering::SeqCst),
    );
}
