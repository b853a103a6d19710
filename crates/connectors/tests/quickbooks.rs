//! The QuickBooks Online connector against the simulator: linking over the consent page,
//! every data type, paging and call counts, change data capture (deletions included) and
//! every way Intuit says no.

mod quickbooks_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use ledgerbridge_connectors::ConnectorError;
use ledgerbridge_connectors::catalog;
use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, OAuthError, OAuthLink, pkce_challenge, pkce_verifier,
};
use ledgerbridge_connectors::quickbooks::QuickBooksConnector;
use ledgerbridge_domain::DataType;
use ledgerbridge_fakes::quickbooks::{
    FaultSpec, QuickBooksSim, SimOptions, TenantOptions, realm_id,
};
use ledgerbridge_sandbox::Size;
use quickbooks_support::*;

fn small(seed: u64) -> SimOptions {
    SimOptions {
        companies: vec![TenantOptions::new(seed, Size::Small)],
        ..SimOptions::default()
    }
}

#[tokio::test]
async fn consent_page_approve_and_deny_over_http() {
    let sim = QuickBooksSim::start(SimOptions {
        companies: vec![
            TenantOptions::new(1, Size::Small),
            TenantOptions::new(2, Size::Small),
        ],
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let connector = QuickBooksConnector::new(config_for(&sim));
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
    assert_eq!(q["scope"], "com.intuit.quickbooks.accounting");
    assert_eq!(q["response_type"], "code");

    // Choose the second company on the consent page and approve.
    let page = http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Connect"), "{page}");
    let request = page
        .split("name=\"request\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("request id");
    let approved = http
        .post(sim.authorize_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("request={request}&realm=1&decision=approve"))
        .send()
        .await
        .expect("decision");
    assert_eq!(approved.status().as_u16(), 303);
    let location = approved.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    let callback = query_of(&location);
    assert_eq!(callback["realmId"], realm_id(1));
    assert_eq!(callback["state"], "st");
    let tenants = connector
        .complete(&callback, &verifier, REDIRECT)
        .await
        .expect("exchange");
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].tenant_id, realm_id(1));
    assert_eq!(tenants[0].credentials["realm_id"], realm_id(1));
    assert_eq!(tenants[0].tenant_name, sim.companies()[1].name);
    // The code is single-use.
    let again = connector.complete(&callback, &verifier, REDIRECT).await;
    assert!(matches!(again, Err(OAuthError::Exchange(_))), "{again:?}");
    // A wrong PKCE verifier is refused.
    let url = connector.authorize_url(&AuthorizeRequest {
        state: "st2",
        code_challenge: &challenge,
        redirect_uri: REDIRECT,
    });
    let callback = sim.approve(&url, 0).expect("approved");
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
    let location = denied.headers()["location"].to_str().expect("location");
    let q = query_of(location);
    assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
    assert!(!q.contains_key("realmId"));
    let result = connector.complete(&q, &verifier, REDIRECT).await;
    assert_eq!(result, Err(OAuthError::Denied));
}

#[tokio::test]
async fn every_data_type_the_catalog_lists_is_read_and_an_unchanged_resync_is_one_call() {
    let linked = link(small(21)).await;
    let platform = catalog::platform("qhyg").expect("in the catalog");
    for &data_type in platform.data_types {
        linked.sim.counters.reset();
        let first = fetch_all(&linked.connector, &linked.ctx, data_type, None)
            .await
            .unwrap_or_else(|e| panic!("{data_type}: {e}"));
        assert!(!first.records.is_empty(), "{data_type}: nothing read");
        for r in &first.records {
            assert!(r.doc.is_object(), "{data_type}: {}", r.doc);
        }
        if data_type == DataType::TaxRates {
            // Outside change data capture: read whole, one call, every time.
            assert_eq!(linked.sim.counters.api_calls.load(Ordering::SeqCst), 1);
        }
        let watermark = first.watermark.clone().expect("a watermark");
        // Statements end with `stmt:`: the next read asks change data capture first.
        if !watermark.starts_with("cdc:") && !watermark.starts_with("stmt:") {
            continue;
        }
        linked.sim.counters.reset();
        let again = fetch_all(&linked.connector, &linked.ctx, data_type, Some(&watermark))
            .await
            .unwrap_or_else(|e| panic!("{data_type}: {e}"));
        assert_eq!(
            linked.sim.counters.api_calls.load(Ordering::SeqCst),
            1,
            "{data_type}: an unchanged incremental read is one change data capture call"
        );
        assert_eq!(linked.sim.counters.calls_to("cdc"), 1, "{data_type}");
        assert!(again.deleted.is_empty(), "{data_type}");
    }
    assert_eq!(
        linked
            .sim
            .counters
            .without_minor_version
            .load(Ordering::SeqCst),
        0
    );
    assert_eq!(linked.sim.counters.rate_limited.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn invoices_page_at_one_thousand_and_deletions_arrive_through_cdc() {
    let linked = link(SimOptions {
        companies: vec![TenantOptions::new(5, Size::Medium)],
        ..SimOptions::default()
    })
    .await;
    linked.sim.faults.limits_off.store(true, Ordering::SeqCst);
    linked.sim.counters.reset();
    let in_sim = linked.sim.companies()[0].entities["Invoice"].len();
    assert!(in_sim > 2000, "{in_sim}");
    let full = fetch_all(&linked.connector, &linked.ctx, DataType::Invoices, None)
        .await
        .expect("invoices");
    assert_eq!(full.records.len(), in_sim);
    // Calls per full sync: ceil(records / 1000) pages plus one count.
    assert_eq!(
        linked.sim.counters.calls_to("query:Invoice") as usize,
        in_sim.div_ceil(1000)
    );
    assert_eq!(linked.sim.counters.calls_to("count:Invoice"), 1);
    // Plus the payments, whose lines hold the amounts applied, read once for the whole read:
    // a page per 1,000 until a short page.
    let payments_in_sim = linked.sim.companies()[0].entities["Payment"].len();
    let lookups = linked.sim.counters.calls_to("query:Payment") as usize;
    assert_eq!(
        lookups,
        payments_in_sim / 1000 + 1,
        "{payments_in_sim} payments"
    );
    assert_eq!(
        linked.sim.counters.api_calls.load(Ordering::SeqCst) as usize,
        in_sim.div_ceil(1000) + 1 + lookups
    );
    let with_amounts = full
        .records
        .iter()
        .flat_map(|r| {
            r.doc["paymentAllocations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|a| {
            a["allocation"]["totalAmount"].is_number()
                && a["allocation"]["allocatedOnDate"].is_string()
        })
        .count();
    assert!(
        with_amounts > 1000,
        "{with_amounts} allocations with amounts and dates"
    );
    let watermark = full.watermark.expect("watermark");
    assert!(watermark.starts_with("cdc:"), "{watermark}");

    // Nothing changed: exactly one change data capture call.
    linked.sim.counters.reset();
    let none = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::Invoices,
        Some(&watermark),
    )
    .await
    .expect("incremental");
    assert_eq!(linked.sim.counters.api_calls.load(Ordering::SeqCst), 1);
    assert_eq!(linked.sim.counters.calls_to("cdc"), 1);
    assert!(none.records.is_empty() && none.deleted.is_empty());
    assert!(
        full.complete_snapshot,
        "a full read is all QuickBooks holds"
    );
    assert!(
        !none.complete_snapshot,
        "change data capture is not a snapshot"
    );

    // Delete one invoice and change another in QuickBooks between two syncs.
    let company = linked.sim.companies()[0].clone();
    let gone = company.entities["Invoice"][10].value()["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let edited = company.entities["Invoice"][20].value()["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let now = chrono::Utc::now();
    linked.sim.edit_company(0, |c| {
        assert!(c.delete("Invoice", &gone, now));
        assert!(c.update("Invoice", &edited, now, |v| {
            v["CustomerMemo"] = serde_json::json!({"value": "Edited in QuickBooks"});
        }));
    });
    linked.sim.counters.reset();
    let changed = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::Invoices,
        Some(&watermark),
    )
    .await
    .expect("incremental");
    // One change data capture call, and one lookup of the payments the edited invoice links.
    assert_eq!(
        linked.sim.counters.api_calls.load(Ordering::SeqCst),
        1 + linked.sim.counters.calls_to("query:Payment")
    );
    assert!(linked.sim.counters.calls_to("query:Payment") <= 1);
    assert_eq!(changed.deleted, vec![gone.clone()]);
    assert_eq!(changed.records.len(), 1);
    assert_eq!(changed.records[0].id, edited);
    assert_eq!(changed.records[0].doc["note"], "Edited in QuickBooks");
    // The deleted invoice is gone from a full read too.
    let again = fetch_all(&linked.connector, &linked.ctx, DataType::Invoices, None)
        .await
        .expect("invoices");
    assert_eq!(again.records.len(), in_sim - 1);
    assert!(again.records.iter().all(|r| r.id != gone));
}

/// Statements are read again, every month of them, once change data capture reports a change
/// to the books since the last read.
#[tokio::test]
async fn statements_are_read_again_after_the_books_change() {
    let linked = link(small(22)).await;
    for (data_type, report) in [
        (DataType::BalanceSheet, "report:BalanceSheet"),
        (DataType::ProfitAndLoss, "report:ProfitAndLoss"),
    ] {
        linked.sim.counters.reset();
        let full = fetch_all(&linked.connector, &linked.ctx, data_type, None)
            .await
            .expect("full read");
        assert_eq!(linked.sim.counters.calls_to(report), 24, "{data_type}");
        let watermark = full.watermark.expect("watermark");
        let company = linked.sim.companies()[0].clone();
        let invoice = company.entities["Invoice"][3].value()["Id"]
            .as_str()
            .expect("id")
            .to_string();
        let now = chrono::Utc::now();
        linked.sim.edit_company(0, |c| {
            assert!(c.update("Invoice", &invoice, now, |v| {
                v["PrivateNote"] = serde_json::json!("changed");
            }));
        });
        linked.sim.counters.reset();
        let again = fetch_all(&linked.connector, &linked.ctx, data_type, Some(&watermark))
            .await
            .expect("incremental");
        assert_eq!(linked.sim.counters.calls_to("cdc"), 1, "{data_type}");
        assert_eq!(linked.sim.counters.calls_to(report), 24, "{data_type}");
        assert_eq!(again.records.len(), full.records.len(), "{data_type}");
        // From a watermark of another month, the months are read without asking.
        linked.sim.counters.reset();
        fetch_all(
            &linked.connector,
            &linked.ctx,
            data_type,
            Some("stmt:2020-01-01:24:2020-01-15T00:00:00Z"),
        )
        .await
        .expect("read");
        assert_eq!(linked.sim.counters.calls_to("cdc"), 0, "{data_type}");
        assert_eq!(linked.sim.counters.calls_to(report), 24, "{data_type}");
    }
}

#[tokio::test]
async fn a_watermark_older_than_thirty_days_falls_back_to_a_full_read() {
    let linked = link(small(22)).await;
    let old = format!(
        "cdc:{}",
        (chrono::Utc::now() - chrono::Duration::days(31)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let in_sim = linked.sim.companies()[0].entities["Customer"].len();
    linked.sim.counters.reset();
    let read = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::Customers,
        Some(&old),
    )
    .await
    .expect("customers");
    assert_eq!(linked.sim.counters.calls_to("cdc"), 0);
    assert_eq!(linked.sim.counters.calls_to("count:Customer"), 1);
    assert_eq!(read.records.len(), in_sim, "inactive customers included");
    // Deletions older than change data capture's window are found from this read.
    assert!(read.complete_snapshot);
    // A read limited by the sync settings leaves older records out: not a snapshot.
    let mut limited = request(DataType::Customers, Some(&old));
    limited.sync_from = Some(ledgerbridge_domain::Timestamp::from_datetime(
        chrono::Utc::now() - chrono::Duration::days(3650),
    ));
    let read = fetch_request(&linked.connector, &linked.ctx, &limited)
        .await
        .expect("customers");
    assert!(!read.complete_snapshot);
    assert!(read.watermark.is_some_and(|w| w > old));
    // The simulator refuses such a window itself, as Intuit does.
    let http = reqwest::Client::new();
    let token = linked.ctx.credentials["access_token"]
        .as_str()
        .expect("token");
    let body: serde_json::Value = http
        .get(format!(
            "{}/v3/company/{}/cdc?entities=Customer&changedSince=2001-01-01T00:00:00Z&minorversion=75",
            linked.sim.api_url(),
            realm_id(0)
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("cdc")
        .json()
        .await
        .expect("json");
    assert_eq!(body["Fault"]["type"], "ValidationFault", "{body}");
}

#[tokio::test]
async fn every_call_carries_minorversion_and_the_simulator_insists() {
    let linked = link(small(23)).await;
    fetch_all(&linked.connector, &linked.ctx, DataType::Company, None)
        .await
        .expect("company");
    assert_eq!(
        linked
            .sim
            .counters
            .without_minor_version
            .load(Ordering::SeqCst),
        0
    );
    let token = linked.ctx.credentials["access_token"]
        .as_str()
        .expect("token");
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v3/company/{}/query?query=select%20*%20from%20Invoice",
            linked.sim.api_url(),
            realm_id(0)
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("query");
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["Fault"]["Error"][0]["code"], "2010");
}

#[tokio::test]
async fn faults_map_to_dataset_errors() {
    let linked = link_with(small(24), |c| {
        c.limits.throttle_wait = Duration::from_millis(50);
        c.limits.max_retries = 1;
    })
    .await;
    let sim = &linked.sim;
    let fetch = || fetch_all(&linked.connector, &linked.ctx, DataType::Invoices, None);
    let validation = FaultSpec {
        status: 200,
        kind: "ValidationFault".into(),
        code: "4000".into(),
        message: "Error parsing query".into(),
        detail: "QueryParserError: Encountered \" <INTEGER> \"1 \"".into(),
    };

    // A fault inside an HTTP 200 is an error, with Intuit's message.
    sim.inject_fault(1, validation.clone());
    match fetch().await {
        Err(ConnectorError::Malformed(m)) => assert!(m.contains("Error parsing query"), "{m}"),
        other => panic!("{:?}", other.map(|f| f.records.len())),
    }
    // The same, written with lower-case keys, in a 400.
    sim.faults.lower_case_faults.store(true, Ordering::SeqCst);
    sim.inject_fault(
        1,
        FaultSpec {
            status: 400,
            ..validation.clone()
        },
    );
    match fetch().await {
        Err(ConnectorError::Malformed(m)) => assert!(m.contains("QueryParserError"), "{m}"),
        other => panic!("{:?}", other.map(|f| f.records.len())),
    }
    sim.faults.lower_case_faults.store(false, Ordering::SeqCst);

    // 5xx and system faults are worth retrying.
    sim.faults.server_errors.store(1, Ordering::SeqCst);
    assert!(matches!(fetch().await, Err(ConnectorError::Transient(_))));
    sim.inject_fault(
        1,
        FaultSpec {
            status: 500,
            kind: "SystemFault".into(),
            code: "10000".into(),
            message: "An application error has occurred while processing your request".into(),
            detail: "System Failure Error".into(),
        },
    );
    assert!(matches!(fetch().await, Err(ConnectorError::Transient(_))));
    // A body that is not JSON.
    sim.faults.malformed.store(1, Ordering::SeqCst);
    assert!(matches!(fetch().await, Err(ConnectorError::Malformed(_))));

    // Throttled: waited out once (no Retry-After: the configured wait), then given up.
    let throttle = FaultSpec {
        status: 429,
        kind: "SERVICE".into(),
        code: "3001".into(),
        message: "message=ThrottleExceeded; errorCode=003001; statusCode=429".into(),
        detail: "The request limit was reached.".into(),
    };
    sim.inject_fault(1, throttle.clone());
    fetch().await.expect("one throttle is waited out");
    sim.inject_fault(2, throttle.clone());
    match fetch().await {
        Err(ConnectorError::RateLimited {
            retry_after,
            daily_budget_spent,
        }) => {
            assert_eq!(retry_after, Duration::from_millis(50));
            assert!(!daily_budget_spent);
        }
        other => panic!("{:?}", other.map(|f| f.records.len())),
    }
    // The legacy form: 403 with ThrottleExceeded is throttling, not a lost grant.
    sim.inject_fault(
        1,
        FaultSpec {
            status: 403,
            ..throttle
        },
    );
    fetch().await.expect("a 403 throttle is waited out");

    // The app is no longer authorized for the company: Deauthorized.
    sim.inject_fault(
        1,
        FaultSpec {
            status: 403,
            kind: "AuthorizationFault".into(),
            code: "3100".into(),
            message: "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403"
                .into(),
            detail: String::new(),
        },
    );
    assert!(matches!(fetch().await, Err(ConnectorError::AuthRevoked(_))));
    // An unsupported data type.
    assert_eq!(
        fetch_all(
            &linked.connector,
            &linked.ctx,
            DataType::BankTransactions,
            None
        )
        .await
        .err(),
        Some(ConnectorError::NotSupported)
    );
}

#[tokio::test]
async fn tracking_categories_come_from_classes_and_departments() {
    let linked = link(small(25)).await;
    let read = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::TrackingCategories,
        None,
    )
    .await
    .expect("tracking");
    let company = &linked.sim.companies()[0];
    let classes = company.entities.get("Class").map_or(0, Vec::len);
    let departments = company.entities.get("Department").map_or(0, Vec::len);
    assert!(classes > 0 && departments > 0);
    assert_eq!(read.records.len(), classes + departments);
    assert!(read.records.iter().any(|r| r.id.starts_with("class_")));
    assert!(read.records.iter().any(|r| r.id.starts_with("department_")));
    let children: Vec<_> = read
        .records
        .iter()
        .filter(|r| r.doc["parentId"].is_string())
        .collect();
    assert!(!children.is_empty());
    for c in children {
        let parent = c.doc["parentId"].as_str().expect("parent");
        assert!(read.records.iter().any(|r| r.id == parent), "{parent}");
    }
}

#[tokio::test]
async fn a_full_change_data_capture_answer_is_read_on_from_its_latest_change() {
    // Ten objects an answer (Intuit: 1,000), 25 invoices changed a second apart.
    let linked = link_with(
        SimOptions {
            cdc_max: 10,
            ..small(26)
        },
        |c| c.cdc_max = 10,
    )
    .await;
    let full = fetch_all(&linked.connector, &linked.ctx, DataType::Invoices, None)
        .await
        .expect("invoices");
    let watermark = full.watermark.expect("watermark");
    let ids: Vec<String> = linked.sim.companies()[0].entities["Invoice"]
        .iter()
        .take(25)
        .filter_map(|e| e.value()["Id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 25);
    let base = chrono::Utc::now();
    linked.sim.edit_company(0, |c| {
        for (n, id) in ids.iter().enumerate() {
            let at = base + chrono::Duration::seconds(n as i64);
            assert!(c.update("Invoice", id, at, |v| {
                v["CustomerMemo"] = serde_json::json!({"value": format!("change {n}")});
            }));
        }
    });
    linked.sim.counters.reset();
    let changed = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::Invoices,
        Some(&watermark),
    )
    .await
    .expect("incremental");
    let got: std::collections::BTreeSet<&str> =
        changed.records.iter().map(|r| r.id.as_str()).collect();
    for id in &ids {
        assert!(got.contains(id.as_str()), "invoice {id} missed");
    }
    assert!(linked.sim.counters.calls_to("cdc") >= 3);
    assert_eq!(linked.sim.counters.calls_to("query:Invoice"), 0);
}

#[tokio::test]
async fn bank_deposits_of_income_are_direct_incomes() {
    let linked = link(small(24)).await;
    let company = linked.sim.companies()[0].clone();
    let deposits = company.entities.get("Deposit").cloned().unwrap_or_default();
    assert!(
        !deposits.is_empty(),
        "the books' income deposits are served"
    );
    let receipts = company.entities.get("SalesReceipt").map_or(0, Vec::len);
    let read = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::DirectIncomes,
        None,
    )
    .await
    .expect("direct incomes");
    assert_eq!(read.records.len(), deposits.len() + receipts);
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    for d in &deposits {
        let id = d.value()["Id"].as_str().expect("id");
        let doc = &read
            .records
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("deposit {id} read"))
            .doc;
        assert_eq!(number(&doc["totalAmount"]), number(&d.value()["TotalAmt"]));
        let txn_date = d.value()["TxnDate"].as_str().expect("date");
        assert!(
            doc["issueDate"]
                .as_str()
                .is_some_and(|i| i.starts_with(txn_date)),
            "{doc}"
        );
        let line = &d.value()["Line"][0];
        assert_eq!(
            doc["lineItems"][0]["accountRef"]["id"],
            line["DepositLineDetail"]["AccountRef"]["value"],
            "{doc}"
        );
        assert_eq!(
            number(&doc["lineItems"][0]["subTotal"]),
            number(&line["Amount"])
        );
        assert_eq!(
            doc["paymentAllocations"][0]["payment"]["accountRef"]["id"],
            d.value()["DepositToAccountRef"]["value"],
            "{doc}"
        );
    }
    let watermark = read.watermark.expect("watermark");

    // A deposit that banks a payment already received is that payment, not an income; a
    // deleted deposit arrives through change data capture.
    let now = chrono::Utc::now();
    let gone = deposits[0].value()["Id"].as_str().expect("id").to_string();
    linked.sim.edit_company(0, |c| {
        let mut banked = deposits[0].value().clone();
        banked["Id"] = serde_json::json!("990001");
        banked["Line"] = serde_json::json!([{
            "Amount": 10,
            "LinkedTxn": [{"TxnId": "1", "TxnType": "Payment"}]
        }]);
        banked["MetaData"]["LastUpdatedTime"] =
            serde_json::json!(now.format("%Y-%m-%dT%H:%M:%S-00:00").to_string());
        if let Some(list) = c.entities.get_mut("Deposit") {
            list.push(ledgerbridge_fakes::quickbooks::books::Entry::new(
                now.timestamp_millis(),
                banked,
            ));
        }
        assert!(c.delete("Deposit", &gone, now));
    });
    let changed = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::DirectIncomes,
        Some(&watermark),
    )
    .await
    .expect("changes");
    assert_eq!(changed.deleted, vec![gone]);
    assert!(
        changed.records.is_empty(),
        "the banked payment is not an income"
    );
    let again = fetch_all(
        &linked.connector,
        &linked.ctx,
        DataType::DirectIncomes,
        None,
    )
    .await
    .expect("direct incomes");
    assert_eq!(again.records.len(), deposits.len() - 1 + receipts);
}
