//! Graceful shutdown of the real binary on SIGTERM: a slow request started before the signal
//! completes, the worker's leases are back within 5 s, nothing is half-written, and a
//! restart finishes the syncs.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::Connection;

use crate::helpers::{API_KEY, TestApp};
use crate::ops_process::{Server, command};
use crate::ops_rate_limits::SlowRequest;

async fn count(url: &str, sql: &str) -> i64 {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("db");
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut conn)
        .await
        .expect("count");
    n
}

const LEASED: &str = "SELECT (SELECT COUNT(*) FROM datasets WHERE lease_owner IS NOT NULL) \
                      + (SELECT COUNT(*) FROM connection_leases)";

#[tokio::test]
async fn sigterm_finishes_requests_hands_leases_back_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = command(dir.path());
    cmd.env("LEDGERBRIDGE_API_KEY", API_KEY)
        .env("LEDGERBRIDGE_WORKER_CONCURRENCY", "2");
    let mut server = Server::start(cmd, dir.path()).await;
    let db = server.database_url();
    let app = TestApp::attach(&server.base, &db);

    let c = app
        .create_company(json!({"name": "Shutdown Ltd", "platformType": "mqjo"}))
        .await;
    let company = c["id"].as_str().expect("id").to_string();
    let conn = c["dataConnections"][0]["id"].as_str().expect("conn");
    let (s, linked) = app
        .call(
            Method::PUT,
            &format!("/companies/{company}/connections/{conn}/authorization"),
            Some(json!({"dataset": "medium", "seed": "shutdown"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{linked}");
    // Wait until the worker holds the connection.
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&db, LEASED).await == 0 {
        assert!(Instant::now() < deadline, "the sync never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let body = json!({"name": "Started Before SIGTERM"}).to_string();
    let slow = SlowRequest::start(&server.base, &app.auth, "/companies", &body).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.terminate();
    let signalled = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, text) = slow.finish().await;
    assert_eq!(status, 200, "the in-flight request completes: {text}");

    // The leases are back (datasets due again, connection free) within 5 s.
    loop {
        if count(&db, LEASED).await == 0 {
            break;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(5),
            "leases still held 5 s after SIGTERM:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let exit = server.wait_exit(Duration::from_secs(15)).await;
    assert!(
        exit.success(),
        "clean exit: {exit:?}\n{}",
        server.log_text()
    );
    let log = server.log_text();
    assert!(log.contains("sync worker stopped"), "{log}");
    assert!(log.contains("webhook dispatcher stopped"), "{log}");

    // Nothing half-written: the database is sound, the request's company is there, and
    // after a restart every data type completes.
    let mut c = sqlx::SqliteConnection::connect(&db).await.expect("db");
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .expect("integrity_check");
    assert_eq!(check, "ok");
    drop(c);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM companies WHERE name = 'Started Before SIGTERM'"
        )
        .await,
        1
    );
    drop(server);
    let mut cmd = command(dir.path());
    cmd.env("LEDGERBRIDGE_API_KEY", API_KEY);
    let server = Server::start(cmd, dir.path()).await;
    let app = TestApp::attach(&server.base, &db);
    let status = app.wait_for_syncs(&company).await;
    for (data_type, entry) in status.as_object().expect("object") {
        assert_eq!(entry["currentStatus"], "Complete", "{data_type}: {entry}");
    }
    let (s, invoices) = app
        .get(&format!("/companies/{company}/data/invoices?pageSize=1"))
        .await;
    assert_eq!(s, StatusCode::OK, "{invoices}");
    assert!(invoices["totalResults"].as_u64().unwrap_or(0) > 0);
}
