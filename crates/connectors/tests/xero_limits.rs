//! Rate limits: a sync that needs three times the per-minute budget, with other datasets
//! of the same organisation running beside it, meets no 429 and never has more than five
//! calls in flight. The simulator's "minute" is two seconds so the test runs in seconds; how
//! close the sync comes to the theoretical minimum time is measured by
//! `bench/xero_rate_limits.sh`, not asserted here.

mod xero_support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use ledgerbridge_connectors::xero::RateLimits;
use ledgerbridge_domain::DataType;
use ledgerbridge_fakes::xero::{Limits, SimOptions, TenantOptions};
use ledgerbridge_sandbox::Size;
use xero_support::*;

const MINUTE: Duration = Duration::from_secs(2);

#[tokio::test]
async fn three_minutes_of_budget_and_not_one_429() {
    // One record per page: a sync of eight data types of a small organisation, run at once
    // as the engine would, needs more than three minutes' worth of calls.
    let linked = link_with(
        SimOptions {
            tenants: vec![TenantOptions::new(41, Size::Small)],
            limits: Limits {
                minute: MINUTE,
                ..Limits::default()
            },
            ..SimOptions::default()
        },
        |c| {
            c.page_size = 1;
            c.limits = RateLimits {
                minute: MINUTE,
                ..RateLimits::default()
            };
        },
    )
    .await;
    linked.sim.counters.reset();
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
        let connector = linked.connector.clone();
        let ctx = ledgerbridge_connectors::ConnectionContext {
            company_id: linked.ctx.company_id,
            connection_id: linked.ctx.connection_id,
            credentials: linked.ctx.credentials.clone(),
            credential_store: linked.ctx.credential_store.clone(),
        };
        tasks.push(tokio::spawn(async move {
            fetch_all(&connector, &ctx, data_type, None)
                .await
                .map(|f| f.pages)
                .map_err(|e| format!("{data_type}: {e}"))
        }));
    }
    let mut pages = 0;
    for t in tasks {
        pages += t.await.expect("task").expect("dataset");
    }
    let elapsed = started.elapsed();
    let calls = linked.sim.counters.api_calls.load(Ordering::SeqCst);
    assert!(
        calls >= 180,
        "only {calls} calls: not three minutes' budget"
    );
    assert!(calls as usize >= pages);
    assert_eq!(
        linked.sim.counters.rate_limited.load(Ordering::SeqCst),
        0,
        "429s met"
    );
    assert!(linked.sim.counters.max_concurrent.load(Ordering::SeqCst) <= 5);
    // 60 calls per rolling minute: N calls cannot finish before (ceil(N / 60) - 1) minutes.
    let minimum = MINUTE * ((calls as u32).div_ceil(60) - 1);
    assert!(
        elapsed >= minimum,
        "{calls} calls in {elapsed:?}: the limit was not enforced"
    );
    eprintln!(
        "{calls} calls in {:.2} s; theoretical minimum {:.2} s",
        elapsed.as_secs_f64(),
        minimum.as_secs_f64()
    );
}

#[tokio::test]
async fn a_429_from_someone_else_spending_the_budget_is_waited_out() {
    let linked = link_with(
        SimOptions {
            tenants: vec![TenantOptions::new(42, Size::Small)],
            limits: Limits {
                minute: MINUTE,
                per_minute: 10,
                ..Limits::default()
            },
            ..SimOptions::default()
        },
        // The connector believes it has 60 a minute: the headers and 429s teach it.
        |c| {
            c.limits = RateLimits {
                minute: MINUTE,
                ..RateLimits::default()
            }
        },
    )
    .await;
    for _ in 0..25 {
        fetch_all(&linked.connector, &linked.ctx, DataType::TaxRates, None)
            .await
            .expect("paced by the headers");
    }
    assert_eq!(
        linked.sim.counters.api_calls.load(Ordering::SeqCst) as usize
            - linked.sim.counters.rate_limited.load(Ordering::SeqCst) as usize,
        25
    );
}
