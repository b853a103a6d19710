//! The accounting read API over cached records: statuses before and after a sync, paging,
//! query, orderBy, get by id, exact money.

use ledgerbridge_domain::platform::{ConnectionStatus, DatasetStatus};
use ledgerbridge_domain::{DataType, Timestamp};
use ledgerbridge_store::datasets::DatasetRow;
use ledgerbridge_store::records::RecordWrite;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

const INVOICES: &str = r#"[
 {"id":"inv-1","invoiceNumber":"INV-1","customerRef":{"id":"c1","companyName":"Acme"},"issueDate":"2024-01-05T00:00:00","dueDate":"2024-02-04","currency":"GBP","totalAmount":1772.72,"amountDue":1772.72,"totalTaxAmount":295.45,"status":"Submitted","note":"first order"},
 {"id":"inv-2","invoiceNumber":"INV-2","customerRef":{"id":"c2","companyName":"Bolt"},"issueDate":"2024-03-01T09:30:00Z","currency":"GBP","totalAmount":0.1,"amountDue":0,"totalTaxAmount":0,"status":"Paid"},
 {"id":"inv-3","invoiceNumber":"INV-3","customerRef":{"id":"c1","companyName":"Acme"},"issueDate":"2024-02-10","currency":"EUR","currencyRate":0.857142857143,"totalAmount":1.50,"amountDue":1.50,"totalTaxAmount":0.000000000001,"status":"Submitted"}
]"#;

/// A company whose Sandbox connection is linked and has a completed invoices sync holding
/// [`INVOICES`] (written through the store, as the sync engine does).
async fn synced_company(app: &TestApp) -> String {
    let c = app
        .create_company(json!({"name": "Acme", "platformType": "mqjo"}))
        .await;
    let company: ledgerbridge_domain::CompanyId =
        c["id"].as_str().expect("id").parse().expect("uuid");
    let conn: ledgerbridge_domain::ConnectionId = c["dataConnections"][0]["id"]
        .as_str()
        .expect("conn")
        .parse()
        .expect("uuid");
    let store = app.store().await;
    store
        .transition_connection(
            company,
            conn,
            &[ConnectionStatus::PendingAuth],
            ConnectionStatus::Linked,
        )
        .await
        .expect("link");
    let (s, body) = app
        .get(&format!("/companies/{company}/data/invoices"))
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::CONFLICT),
        "The data set has not been requested."
    );

    let dataset = DatasetRow::queued(company, conn, DataType::Invoices);
    store.queue_dataset(&dataset).await.expect("queue");
    let (s, body) = app
        .get(&format!("/companies/{company}/data/invoices"))
        .await;
    assert_error(s, &body, StatusCode::CONFLICT);

    let lease = Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::seconds(60));
    assert_eq!(
        store
            .claim_datasets("test", lease, 1)
            .await
            .expect("claim")
            .len(),
        1
    );
    let docs: Vec<serde_json::Value> = serde_json::from_str(INVOICES).expect("json");
    let batch: Vec<RecordWrite> = docs.iter().filter_map(RecordWrite::from_doc).collect();
    store
        .upsert_records(conn, company, DataType::Invoices, &batch)
        .await
        .expect("upsert");
    assert!(
        store
            .finish_dataset(dataset.id, "test", DatasetStatus::Complete, None, None)
            .await
            .expect("finish")
    );
    company.to_string()
}

#[tokio::test]
async fn list_filter_order_and_get_by_id() {
    let app = TestApp::spawn().await;
    let company = synced_company(&app).await;

    let (s, page) = app
        .get(&format!(
            "/companies/{company}/data/invoices?pageSize=2&orderBy=-issueDate"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["totalResults"], 3);
    let ids: Vec<&str> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["inv-2", "inv-3"]);
    assert_eq!(
        page["_links"]["next"]["href"],
        format!("/companies/{company}/data/invoices?page=2&pageSize=2&orderBy=-issueDate")
    );
    assert!(page["results"][0]["modifiedDate"].is_string());

    let (_, due) = app
        .get(&format!(
            "/companies/{company}/data/invoices?query=amountDue%3E0%26%26currency%3Dgbp"
        ))
        .await;
    assert_eq!(due["totalResults"], 1);
    assert_eq!(due["results"][0]["id"], "inv-1");
    let (_, acme) = app
        .get(&format!(
            "/companies/{company}/data/invoices?query=customerRef.id%3Dc1&orderBy=issueDate"
        ))
        .await;
    let ids: Vec<&str> = acme["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["inv-1", "inv-3"]);
    let (_, later) = app
        .get(&format!(
            "/companies/{company}/data/invoices?query=issueDate%3E2024-02-10"
        ))
        .await;
    assert_eq!(
        later["totalResults"], 1,
        "a date-only value compares as midnight: {later}"
    );

    let (s, body) = app
        .get(&format!(
            "/companies/{company}/data/invoices?query=lineItems.unitAmount%3D700"
        ))
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::BAD_REQUEST),
        "Error parsing query - Could not resolve property lineItems.unitAmount on Invoice"
    );

    // Money and dates come back exactly as written.
    let resp = app
        .client
        .get(format!(
            "{}/companies/{company}/data/invoices/inv-3",
            app.base
        ))
        .header("Authorization", &app.auth)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("text");
    for exact in [
        "\"totalAmount\":1.50",
        "\"currencyRate\":0.857142857143",
        "\"totalTaxAmount\":0.000000000001",
        "\"issueDate\":\"2024-02-10\"",
    ] {
        assert!(text.contains(exact), "{exact} missing from {text}");
    }
    let (s, body) = app
        .get(&format!("/companies/{company}/data/invoices/nope"))
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);

    // Another type of the same company, never requested.
    let (s, body) = app.get(&format!("/companies/{company}/data/bills")).await;
    assert_error(s, &body, StatusCode::CONFLICT);
    let (s, body) = app
        .get(&format!("/companies/{company}/data/invoices?pageSize=0"))
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let missing = uuid::Uuid::new_v4();
    let (s, body) = app
        .get(&format!("/companies/{missing}/data/invoices"))
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn types_the_platform_lacks_are_404() {
    let app = TestApp::spawn_with(|c| {
        c.quickbooks_client_id = Some("id".into());
        c.quickbooks_client_secret = Some("secret".into());
    })
    .await;
    let c = app
        .create_company(json!({"name": "Acme", "platformType": "qhyg"}))
        .await;
    let company = c["id"].as_str().expect("id");
    let (s, body) = app
        .get(&format!("/companies/{company}/data/journals"))
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::NOT_FOUND),
        "Datatype journals not supported by platform(s) QuickBooks Online"
    );
}
