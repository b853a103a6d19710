//! The Xero connector against the simulator: linking, paging and call counts, incremental
//! reads, and every way Xero says no.

mod xero_support;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, OAuthError, OAuthLink, pkce_challenge, pkce_verifier,
};
use ledgerbridge_connectors::xero::XeroConnector;
use ledgerbridge_connectors::{Connector, ConnectorError};
use ledgerbridge_domain::DataType;
use ledgerbridge_fakes::xero::{SimOptions, TenantOptions, XeroSim};
use ledgerbridge_sandbox::Size;
use xero_support::*;

fn small() -> SimOptions {
    SimOptions {
        tenants: vec![TenantOptions::new(11, Size::Small)],
        ..SimOptions::default()
    }
}

#[tokio::test]
async fn consent_page_approve_and_deny_over_http() {
    let sim = XeroSim::start(SimOptions {
        tenants: vec![
            TenantOptions::new(1, Size::Small),
            TenantOptions::new(2, Size::Small),
        ],
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let connector = XeroConnector::new(config_for(&sim));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let verifier = pkce_verifier();
    let challenge = pkce_challenge(&verifier);
    let url = connector.authorize_url(&AuthorizeRequest {
        state: "st",
        code_challenge: &challenge,
        redirect_uri: REDIRECT,
    });
    let q = query_of(&url);
    assert_eq!(q["client_id"], sim.client_id());
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(
        q["scope"].split(' ').any(|s| s == "offline_access"),
        "{}",
        q["scope"]
    );

    // Approve both organisations on the consent page itself.
    let page = http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Allow access"), "{page}");
    let request = page
        .split("name=\"request\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("request id");
    let approved = http
        .post(sim.authorize_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "request={request}&tenant=0&tenant=1&decision=approve"
        ))
        .send()
        .await
        .expect("decision");
    assert_eq!(approved.status().as_u16(), 303);
    let location = approved.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    let tenants = connector
        .complete(&query_of(&location), &verifier, REDIRECT)
        .await
        .expect("exchange");
    assert_eq!(tenants.len(), 2, "one grant, two organisations");
    assert_ne!(tenants[0].tenant_id, tenants[1].tenant_id);
    assert_eq!(
        tenants[0].credentials["refresh_token"],
        tenants[1].credentials["refresh_token"]
    );
    // The code is single-use.
    let again = connector
        .complete(&query_of(&location), &verifier, REDIRECT)
        .await;
    assert!(matches!(again, Err(OAuthError::Exchange(_))), "{again:?}");

    // A wrong PKCE verifier is refused.
    let url = connector.authorize_url(&AuthorizeRequest {
        state: "st2",
        code_challenge: &challenge,
        redirect_uri: REDIRECT,
    });
    let callback = sim.approve(&url, &[0]).expect("approved");
    let wrong = connector
        .complete(&query_of(&callback), &pkce_verifier(), REDIRECT)
        .await;
    assert!(matches!(wrong, Err(OAuthError::Exchange(_))), "{wrong:?}");

    // Deny.
    let page = http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let request = page
        .split("name=\"request\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("request id");
    let denied = http
        .post(sim.authorize_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("request={request}&decision=deny"))
        .send()
        .await
        .expect("decision");
    let location = denied.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let q = query_of(&location);
    assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(q.get("state").map(String::as_str), Some("st2"));
    let result = connector.complete(&q, &verifier, REDIRECT).await;
    assert_eq!(result, Err(OAuthError::Denied));
}

#[tokio::test]
async fn paged_types_cost_one_call_per_page_and_incremental_reads_only_changes() {
    let linked = link_with(
        SimOptions {
            tenants: vec![TenantOptions::new(5, Size::Medium)],
            ..small()
        },
        |c| {
            c.page_size = 1000;
            c.limits.per_minute = 100_000;
        },
    )
    .await;
    linked.sim.faults.limits_off.store(true, Ordering::SeqCst);
    // Warm the lookups (organisation, accounts, tax rates) so counts below are per type.
    fetch_all(&linked.connector, &linked.ctx, DataType::Items, None)
        .await
        .expect("items");
    let invoices_in_sim = linked.sim.organisations()[0].collections["Invoices"].len();
    linked.sim.counters.reset();
    let full = fetch_all(&linked.connector, &linked.ctx, DataType::Invoices, None)
        .await
        .expect("invoices");
    let pages = linked.sim.counters.calls_to("Invoices");
    assert!(full.records.len() > 1000, "{}", full.records.len());
    // Invoices and bills share /Invoices; the filter is applied by Xero, so only ACCREC
    // pages are read: ceil(n / 1000) calls (and one more when n is a multiple of 1000).
    let accrec = full.records.len() + full.deleted.len();
    assert!(accrec < invoices_in_sim);
    assert_eq!(pages as usize, accrec / 1000 + 1, "{accrec} invoices");
    assert_eq!(full.pages, pages as usize);
    let watermark = full.watermark.clone().expect("watermark");
    assert!(watermark.starts_with("ims:"), "{watermark}");
    assert!(full.records.iter().all(
        |r| r.doc["lineItems"].as_array().is_some_and(|l| !l.is_empty())
            || r.doc["status"] == "Void"
    ));

    // Nothing changed: one call, at most the boundary records again.
    linked.sim.counters.reset();
    let none = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::Invoices,
        Some(&watermark),
    )
    .await
    .expect("incremental");
    assert_eq!(linked.sim.counters.calls_to("Invoices"), 1);
    assert!(none.records.len() <= 3, "{}", none.records.len());
    assert_eq!(none.watermark.as_deref(), Some(watermark.as_str()));

    // A week of trading later: only what changed, with the documents deleted since.
    linked.sim.advance_to(1).await;
    let changed = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::Invoices,
        Some(&watermark),
    )
    .await
    .expect("incremental");
    assert!(!changed.records.is_empty());
    assert!(
        changed.records.len() < full.records.len() / 4,
        "{}",
        changed.records.len()
    );
    assert!(changed.watermark.as_deref() > Some(watermark.as_str()));

    // Every type: an unchanged incremental read is one call.
    for data_type in [
        DataType::ChartOfAccounts,
        DataType::BankAccounts,
        DataType::Customers,
        DataType::Suppliers,
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
    ] {
        let first = fetch_all(&linked.connector, &linked.ctx, data_type, None)
            .await
            .unwrap_or_else(|e| panic!("{data_type}: {e}"));
        assert!(!first.records.is_empty(), "{data_type}: nothing read");
        linked.sim.counters.reset();
        let again = fetch_all(
            &linked.connector,
            &linked.ctx,
            data_type,
            first.watermark.as_deref(),
        )
        .await
        .unwrap_or_else(|e| panic!("{data_type}: {e}"));
        assert_eq!(
            linked.sim.counters.api_calls.load(Ordering::SeqCst),
            1,
            "{data_type}: an unchanged incremental read is one call"
        );
        assert_eq!(again.pages, 1);
    }
}

/// A statement reads one report per month; the next sync in the same month asks `Journals`
/// once whether anything was posted since, and reads the reports again only if so.
#[tokio::test]
async fn statements_are_read_again_only_after_a_journal_is_posted() {
    let linked = link_with(small(), |c| c.limits.per_minute = 100_000).await;
    linked.sim.faults.limits_off.store(true, Ordering::SeqCst);
    let statements = [
        (DataType::BalanceSheet, "Reports/BalanceSheet"),
        (DataType::ProfitAndLoss, "Reports/ProfitAndLoss"),
    ];
    let mut read = Vec::new();
    for (data_type, report) in statements {
        linked.sim.counters.reset();
        let full = fetch_all(&linked.connector, &linked.ctx, data_type, None)
            .await
            .expect("full read");
        assert_eq!(linked.sim.counters.calls_to(report), 24, "{data_type}");
        assert_eq!(linked.sim.counters.calls_to("Journals"), 0, "{data_type}");
        assert!(!full.records.is_empty(), "{data_type}");
        let watermark = full.watermark.expect("watermark");
        assert!(watermark.starts_with("stmt:"), "{watermark}");

        linked.sim.counters.reset();
        let unchanged = fetch_all(&linked.connector, &linked.ctx, data_type, Some(&watermark))
            .await
            .expect("incremental");
        assert_eq!(linked.sim.counters.api_calls.load(Ordering::SeqCst), 1);
        assert_eq!(linked.sim.counters.calls_to("Journals"), 1);
        assert!(unchanged.records.is_empty());
        let watermark = unchanged.watermark.expect("watermark");
        assert!(watermark.starts_with("stmt:"), "{watermark}");
        read.push((full.records.len(), watermark));
    }

    linked.sim.post_journal(0);
    for ((data_type, report), (records, watermark)) in statements.into_iter().zip(read) {
        linked.sim.counters.reset();
        let changed = fetch_all(&linked.connector, &linked.ctx, data_type, Some(&watermark))
            .await
            .expect("incremental");
        assert_eq!(linked.sim.counters.calls_to("Journals"), 1);
        assert_eq!(linked.sim.counters.calls_to(report), 24, "{data_type}");
        assert_eq!(changed.records.len(), records, "{data_type}");
        // A watermark from before this version, or from another month: every month again.
        linked.sim.counters.reset();
        for old in ["full", "stmt:2020-01-01:24:2020-01-15T00:00:00Z"] {
            fetch_all(&linked.connector, &linked.ctx, data_type, Some(old))
                .await
                .expect("read");
        }
        assert_eq!(linked.sim.counters.calls_to("Journals"), 0);
        assert_eq!(linked.sim.counters.calls_to(report), 48, "{data_type}");
    }
}

#[tokio::test]
async fn journals_page_by_offset() {
    let linked = link_with(
        SimOptions {
            tenants: vec![TenantOptions::new(3, Size::Small)],
            ..small()
        },
        |c| c.limits.per_minute = 100_000,
    )
    .await;
    linked.sim.faults.limits_off.store(true, Ordering::SeqCst);
    let journals = linked.sim.organisations()[0].collections["Journals"].len();
    assert!(journals > 100, "{journals}");
    let all = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::JournalEntries,
        None,
    )
    .await
    .expect("journals");
    assert_eq!(all.records.len(), journals);
    assert_eq!(
        linked.sim.counters.calls_to("Journals") as usize,
        journals / 100 + 1
    );
    let w = all.watermark.expect("watermark");
    let last = linked.sim.organisations()[0].collections["Journals"]
        .iter()
        .filter_map(|e| e.value()["JournalNumber"].as_u64())
        .max()
        .expect("numbers");
    assert_eq!(w, format!("journal:{last}"));
    // The next sync continues after the last journal: one call, nothing new.
    linked.sim.counters.reset();
    let next = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::JournalEntries,
        Some(&w),
    )
    .await
    .expect("journals");
    assert!(next.records.is_empty());
    assert_eq!(linked.sim.counters.calls_to("Journals"), 1);
    for r in &all.records {
        let sum: rust_decimal::Decimal = r.doc["journalLines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                l["netAmount"]
                    .to_string()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_default()
            })
            .sum();
        assert!(sum.is_zero(), "journal {} does not balance: {sum}", r.id);
    }
}

#[tokio::test]
async fn missing_types_scopes_and_faults_map_to_dataset_errors() {
    let linked = link_with(small(), |c| c.limits.per_minute = 100_000).await;
    let sim = &linked.sim;
    linked.sim.faults.limits_off.store(true, Ordering::SeqCst);

    // 404: the organisation has no journals product.
    sim.faults
        .not_found
        .lock()
        .expect("lock")
        .push("Journals".into());
    let r = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::JournalEntries,
        None,
    )
    .await;
    assert!(
        matches!(r, Err(ConnectorError::NotSupported)),
        "{:?}",
        r.err()
    );
    // The others carry on.
    fetch_all(&linked.connector, &linked.ctx, DataType::Invoices, None)
        .await
        .expect("invoices still read");

    // 5xx, a malformed page and a hanging call.
    sim.faults.server_errors.store(1, Ordering::SeqCst);
    let r = fetch_all(&linked.connector, &linked.ctx, DataType::Customers, None).await;
    assert!(
        matches!(r, Err(ConnectorError::Transient(_))),
        "{:?}",
        r.err()
    );
    sim.faults.malformed.store(1, Ordering::SeqCst);
    let r = fetch_all(&linked.connector, &linked.ctx, DataType::Customers, None).await;
    assert!(
        matches!(r, Err(ConnectorError::Malformed(_))),
        "{:?}",
        r.err()
    );
    fetch_all(&linked.connector, &linked.ctx, DataType::Customers, None)
        .await
        .expect("recovers");

    // Codat `journals` (books of original entry) do not exist in Xero.
    let r = fetch_all(&linked.connector, &linked.ctx, DataType::Journals, None).await;
    assert!(
        matches!(r, Err(ConnectorError::NotSupported)),
        "{:?}",
        r.err()
    );

    // A grant without the journals scope: PermissionsError for that type only.
    let narrow = link(small()).await;
    let narrow_sim = &narrow.sim;
    narrow_sim.grant_only_scopes(&[
        "offline_access",
        "accounting.settings.read",
        "accounting.invoices.read",
    ]);
    let tenants = authorize(narrow_sim, &narrow.connector, &[]).await;
    let ctx = ledgerbridge_connectors::ConnectionContext {
        credentials: tenants[0].credentials.clone(),
        ..narrow.ctx
    };
    let r = fetch_all(&narrow.connector, &ctx, DataType::JournalEntries, None).await;
    assert!(
        matches!(r, Err(ConnectorError::PermissionDenied(_))),
        "{:?}",
        r.err()
    );
    fetch_all(&narrow.connector, &ctx, DataType::Invoices, None)
        .await
        .expect("invoices are in scope");
}

#[tokio::test]
async fn hanging_calls_time_out_as_transient() {
    let linked = link_with(small(), |c| c.timeout = Duration::from_millis(300)).await;
    *linked.sim.faults.hang_for.lock().expect("lock") = Duration::from_secs(3);
    linked.sim.faults.timeouts.store(1, Ordering::SeqCst);
    let r = fetch_all(&linked.connector, &linked.ctx, DataType::TaxRates, None).await;
    assert!(
        matches!(r, Err(ConnectorError::Transient(_))),
        "{:?}",
        r.err()
    );
}

#[tokio::test]
async fn a_spent_daily_budget_stops_the_dataset() {
    let linked = link(SimOptions {
        limits: ledgerbridge_fakes::xero::Limits {
            per_day: 3,
            ..Default::default()
        },
        ..small()
    })
    .await;
    let mut errors = Vec::new();
    for _ in 0..5 {
        if let Err(e) = fetch_all(&linked.connector, &linked.ctx, DataType::TaxRates, None).await {
            errors.push(e);
        }
    }
    assert!(
        errors.iter().any(|e| matches!(
            e,
            ConnectorError::RateLimited {
                daily_budget_spent: true,
                ..
            }
        )),
        "{errors:?}"
    );
    assert!(linked.sim.counters.api_calls.load(Ordering::SeqCst) <= 4);
}

#[tokio::test]
async fn unknown_callback_errors_are_reported() {
    let sim = XeroSim::start(small()).await.expect("sim");
    let connector = XeroConnector::new(config_for(&sim));
    let mut q = BTreeMap::new();
    q.insert("error".to_string(), "invalid_scope".to_string());
    let r = connector.complete(&q, "v", REDIRECT).await;
    assert!(matches!(r, Err(OAuthError::Exchange(m)) if m.contains("invalid_scope")));
    let r = connector.complete(&BTreeMap::new(), "v", REDIRECT).await;
    assert!(matches!(r, Err(OAuthError::Exchange(_))));
    assert_eq!(Connector::platform_key(connector.as_ref()), "gbol");
}
