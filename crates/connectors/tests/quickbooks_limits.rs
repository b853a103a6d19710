//! Throttles: twenty companies synced at once through one app meet no 429 — the connector
//! keeps to the realm's per-minute budget, the realm's concurrent requests and the app's —
//! while the
//! simulator does answer 429 to a client that does not. The simulator's "minute" is two
//! seconds and its budgets are scaled down so the test runs in seconds.

mod quickbooks_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ledgerbridge_connectors::quickbooks::{QuickBooksConnector, RateLimits};
use ledgerbridge_connectors::{ConnectorError, MemoryCredentialStore};
use ledgerbridge_domain::DataType;
use ledgerbridge_fakes::quickbooks::{Limits, QuickBooksSim, SimOptions, TenantOptions};
use ledgerbridge_sandbox::Size;
use quickbooks_support::*;

const MINUTE: Duration = Duration::from_secs(2);

fn sim_limits() -> Limits {
    Limits {
        per_minute: 30,
        reports_per_minute: 12,
        app_concurrent: 8,
        realm_concurrent: 3,
        minute: MINUTE,
    }
}

#[tokio::test]
async fn twenty_realms_at_once_meet_no_429() {
    let sim = QuickBooksSim::start(SimOptions {
        companies: (0..20)
            .map(|i| TenantOptions::new(100 + i, Size::Small))
            .collect(),
        limits: sim_limits(),
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let mut config = config_for(&sim);
    // Small pages so each company needs more than a minute's budget.
    config.page_size = 20;
    config.limits = RateLimits {
        per_minute: 30,
        reports_per_minute: 12,
        app_concurrent: 8,
        realm_concurrent: 3,
        minute: MINUTE,
        ..RateLimits::default()
    };
    let connector = QuickBooksConnector::new(config);
    let store = Arc::new(MemoryCredentialStore::default());
    let mut contexts = Vec::new();
    for i in 0..20 {
        let tenant = authorize(&sim, &connector, i).await;
        contexts.push(Arc::new(context(&tenant, store.clone())));
    }
    sim.counters.reset();
    let mut tasks = tokio::task::JoinSet::new();
    for ctx in &contexts {
        for data_type in [
            DataType::Invoices,
            DataType::Customers,
            DataType::Bills,
            DataType::ProfitAndLoss,
        ] {
            let connector = connector.clone();
            let ctx = ctx.clone();
            tasks.spawn(async move {
                fetch_all(&connector, &ctx, data_type, None)
                    .await
                    .map(|f| f.records.len())
                    .map_err(|e| format!("{data_type}: {e}"))
            });
        }
    }
    let mut read = 0;
    while let Some(done) = tasks.join_next().await {
        read += done.expect("task").expect("no dataset failed");
    }
    assert!(read > 0);
    assert_eq!(sim.counters.rate_limited.load(Ordering::SeqCst), 0);
    let calls = sim.counters.api_calls.load(Ordering::SeqCst);
    assert!(
        calls > 20 * 30,
        "{calls} calls: more than a minute's budget per realm"
    );
    assert!(sim.counters.max_concurrent.load(Ordering::SeqCst) <= 8);
    // Four data types of one realm at once share its three slots.
    assert!(sim.counters.max_realm_concurrent.load(Ordering::SeqCst) <= 3);
}

#[tokio::test]
async fn the_simulator_answers_429_to_a_client_that_overruns() {
    // A connector that believes the realm allows 500 a minute, against a realm that allows
    // 30: the simulator throttles it, and it gives up with RateLimited after its retry.
    let linked = link_with(
        SimOptions {
            companies: vec![TenantOptions::new(7, Size::Small)],
            limits: sim_limits(),
            ..SimOptions::default()
        },
        |c| {
            c.page_size = 1;
            c.limits.throttle_wait = Duration::from_millis(20);
            c.limits.max_retries = 0;
        },
    )
    .await;
    let result = fetch_all(&linked.connector, &linked.ctx, DataType::Invoices, None).await;
    assert!(
        matches!(result, Err(ConnectorError::RateLimited { .. })),
        "{:?}",
        result.as_ref().map(|f| f.records.len())
    );
    assert!(linked.sim.counters.rate_limited.load(Ordering::SeqCst) >= 1);
}

/// One realm, eight reads at once against a slow QuickBooks that allows three in flight per
/// realm: a connector that keeps to three meets no 429 and does use its three; one that
/// believes the realm allows more is throttled.
#[tokio::test]
async fn a_realms_concurrent_requests_are_capped() {
    for (connector_cap, throttled) in [(3, false), (100, true)] {
        let linked = link_with(
            SimOptions {
                companies: vec![TenantOptions::new(8, Size::Small)],
                limits: Limits {
                    per_minute: 10_000,
                    ..sim_limits()
                },
                ..SimOptions::default()
            },
            |c| {
                c.page_size = 10;
                c.limits.per_minute = 10_000;
                c.limits.app_concurrent = 40;
                c.limits.realm_concurrent = connector_cap;
                c.limits.throttle_wait = Duration::from_millis(20);
                c.limits.max_retries = 50;
            },
        )
        .await;
        linked.sim.faults.latency_ms.store(20, Ordering::SeqCst);
        linked.sim.counters.reset();
        let connector = linked.connector.clone();
        let ctx = Arc::new(linked.ctx);
        let mut tasks = tokio::task::JoinSet::new();
        for data_type in [
            DataType::Invoices,
            DataType::Customers,
            DataType::Bills,
            DataType::Suppliers,
            DataType::Items,
            DataType::Payments,
            DataType::BillPayments,
            DataType::ChartOfAccounts,
        ] {
            let connector = connector.clone();
            let ctx = ctx.clone();
            tasks.spawn(async move {
                fetch_all(&connector, &ctx, data_type, None)
                    .await
                    .map_err(|e| format!("{data_type}: {e}"))
                    .map(|f| f.records.len())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("task").expect("read");
        }
        let limited = linked.sim.counters.rate_limited.load(Ordering::SeqCst);
        let peak = linked
            .sim
            .counters
            .max_realm_concurrent
            .load(Ordering::SeqCst);
        if throttled {
            assert!(limited > 0, "the simulator enforces the realm's cap");
        } else {
            assert_eq!(limited, 0);
            assert_eq!(
                peak, 3,
                "the connector uses the realm's three slots, no more"
            );
        }
    }
}
