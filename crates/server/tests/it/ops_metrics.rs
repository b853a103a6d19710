//! Metrics on the private listener: a Sandbox sync and a webhook delivery move the counters;
//! the public port has no `/metrics`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::webhooks::subscribe;
use crate::webhooks_receiver::Receiver;

/// The value of the series whose name and labels start with `prefix` (e.g.
/// `ledgerbridge_datasets_total{`), summed over the series that contain every `label`.
fn sum_series(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| labels.iter().all(|lab| l.contains(lab)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn scrape(app: &TestApp) -> String {
    let base = app.metrics.as_deref().expect("metrics listener");
    let resp = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("scrape");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.expect("text")
}

#[tokio::test]
async fn a_sandbox_sync_and_a_webhook_delivery_move_the_counters() {
    let app = TestApp::spawn_with(|c| {
        c.worker_concurrency = 4;
        c.webhooks_allow_private = true;
        c.metrics_addr = "127.0.0.1:0".into();
    })
    .await;
    let metrics = app.metrics.clone().expect("metrics listener");
    assert_ne!(metrics, app.base, "metrics are on their own port");

    // The public port has no /metrics (and never leaks the series).
    let (s, body) = app
        .call_with_auth(Method::GET, "/metrics", None, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let (s, body) = app.get("/metrics").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");

    let before = scrape(&app).await;
    let receiver = Receiver::start().await;
    subscribe(
        &app,
        &receiver,
        "ops",
        json!({"eventTypes": ["company.created"]}),
    )
    .await;
    let (company, conn) = app.link_small_sandbox("Metrics Ltd", "7").await;
    app.wait_for_syncs(&company).await;
    let (s, _) = app.get(&format!("/companies/{company}")).await;
    assert_eq!(s, StatusCode::OK);
    receiver
        .wait_for("company.created delivered", |got| !got.is_empty())
        .await;
    // The attempt is recorded just after the receiver answered.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let after = loop {
        let text = scrape(&app).await;
        if sum_series(
            &text,
            "ledgerbridge_webhook_attempts_total",
            &["outcome=\"delivered\""],
        ) > sum_series(
            &before,
            "ledgerbridge_webhook_attempts_total",
            &["outcome=\"delivered\""],
        ) || std::time::Instant::now() > deadline
        {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };

    let moved = |name: &str, labels: &[&str]| {
        let (b, a) = (
            sum_series(&before, name, labels),
            sum_series(&after, name, labels),
        );
        assert!(
            a > b,
            "{name}{labels:?} did not move ({b} -> {a}):\n{after}"
        );
    };
    moved(
        "ledgerbridge_http_requests_total",
        &[
            "route=\"/companies/{companyId}\"",
            "method=\"GET\"",
            "status=\"200\"",
        ],
    );
    moved(
        "ledgerbridge_http_request_duration_seconds_count",
        &["route=\"/companies\""],
    );
    moved(
        "ledgerbridge_datasets_total",
        &["data_type=\"invoices\"", "status=\"Complete\""],
    );
    moved(
        "ledgerbridge_dataset_duration_seconds_count",
        &["data_type=\"invoices\""],
    );
    moved(
        "ledgerbridge_records_written_total",
        &["data_type=\"invoices\""],
    );
    moved(
        "ledgerbridge_platform_pages_total",
        &["platform=\"mqjo\"", "outcome=\"ok\""],
    );
    moved(
        "ledgerbridge_webhook_attempts_total",
        &["outcome=\"delivered\""],
    );
    moved("ledgerbridge_webhook_delivery_latency_seconds_count", &[]);
    // Gauges sampled at scrape time.
    assert!(
        after.contains("ledgerbridge_queue_datasets{state=\"waiting\"}"),
        "{after}"
    );
    assert!(after.contains("ledgerbridge_queue_oldest_lease_age_seconds"));
    assert!(after.contains("ledgerbridge_db_pool_connections{"));
    // Labels stay bounded: no company or connection id in any series.
    assert!(
        !after.contains(&company),
        "a company id leaked into a label"
    );
    assert!(
        !after.contains(&conn),
        "a connection id leaked into a label"
    );
}
