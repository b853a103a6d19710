//! The seed's flow end to end on the Sandbox: create a company, link the Sandbox by choosing
//! its books, let the first sync run, read the data, sync again.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn link_sync_read_and_resync() {
    let app = TestApp::spawn_with(|c| c.worker_concurrency = 4).await;
    let (company, conn) = app.create_sandbox_company("Platypus Properties").await;

    let path = format!("/companies/{company}/connections/{conn}/authorization");
    let (s, body) = app
        .call(Method::PUT, &path, Some(json!({"dataset": "huge"})))
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, linked) = app
        .call(
            Method::PUT,
            &path,
            Some(json!({"dataset": "small", "seed": "42"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{linked}");
    assert_eq!(linked["status"], "Linked");

    let status = app.wait_for_syncs(&company).await;
    assert_eq!(
        status.as_object().map(|o| o.len()),
        Some(27),
        "every Sandbox data type fetched on first link"
    );
    for (data_type, entry) in status.as_object().expect("object") {
        assert_eq!(entry["currentStatus"], "Complete", "{data_type}: {entry}");
        assert_eq!(entry["latestSyncId"], entry["latestSuccessfulSyncId"]);
        assert!(entry["lastSuccessfulSync"].is_string());
    }

    let (s, page) = app
        .get(&format!(
            "/companies/{company}/data/invoices?pageSize=5&orderBy=-issueDate"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let total = page["totalResults"].as_u64().expect("total");
    assert!(total > 10, "the small books hold invoices: {total}");
    let first = page["results"][0].clone();
    assert!(
        first["customerRef"]["id"].is_string() && first["totalAmount"].is_number(),
        "{first}"
    );
    let id = first["id"].as_str().expect("id");
    let (s, one) = app
        .get(&format!("/companies/{company}/data/invoices/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one, first);
    let (_, paid) = app
        .get(&format!(
            "/companies/{company}/data/invoices?query=status%3DPaid&pageSize=1"
        ))
        .await;
    assert!(paid["totalResults"].as_u64().expect("paid") > 0);
    let (s, accounts) = app
        .get(&format!("/companies/{company}/data/accounts?pageSize=1"))
        .await;
    assert_eq!(s, StatusCode::OK, "{accounts}");
    let (s, bank) = app
        .get(&format!(
            "/companies/{company}/connections/{conn}/data/bankAccounts"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{bank}");
    assert!(bank["totalResults"].as_u64().expect("bank") > 0);

    let account = bank["results"][0]["id"].as_str().expect("bank account id");
    let (s, lines) = app
        .get(&format!("/companies/{company}/connections/{conn}/data/bankAccounts/{account}/bankTransactions?pageSize=500"))
        .await;
    assert_eq!(s, StatusCode::OK, "{lines}");
    let lines = lines["results"].as_array().expect("results");
    assert!(
        !lines.is_empty(),
        "the first bank account has statement lines"
    );
    assert!(
        lines.iter().all(|l| l["accountId"] == account),
        "only that account's lines"
    );

    let (_, company_now) = app.get(&format!("/companies/{company}")).await;
    assert!(
        company_now["lastSync"].is_string()
            && company_now["dataConnections"][0]["lastSync"].is_string()
    );

    // A second sync sees the books evolve; the history keeps both.
    let (s, op) = app
        .post(
            &format!("/companies/{company}/data/queue/invoices"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{op}");
    let status = app.wait_for_syncs(&company).await;
    assert_eq!(status["invoices"]["currentStatus"], "Complete");
    assert_eq!(status["invoices"]["latestSyncId"], op["id"]);
    let (_, history) = app
        .get(&format!(
            "/companies/{company}/data/history?query=dataType%3Dinvoices"
        ))
        .await;
    assert_eq!(history["totalResults"], 2);
    let (_, after) = app
        .get(&format!("/companies/{company}/data/invoices?pageSize=1"))
        .await;
    assert!(
        after["totalResults"].as_u64().expect("total") >= total,
        "new invoices arrive, deleted ones stay flagged"
    );
}
