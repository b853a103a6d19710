//! Logs of the real binary: JSON lines with `LEDGERBRIDGE_LOG_FORMAT=json`, request spans
//! carrying the correlation id, dataset spans, and no secret or token anywhere, even at
//! `debug`, through a Link, a sync and a shutdown.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{API_KEY, TestApp};
use crate::ops_process::{Server, command};

#[tokio::test]
async fn json_logs_carry_spans_and_never_a_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let master_key = ledgerbridge::keys::generate();
    let xero_secret = "xero-client-secret-4f1c9a7e2b";
    let access_token = "access-token-9d8c7b6a5f4e3d2c1b0a";
    let refresh_token = "refresh-token-0a1b2c3d4e5f6a7b8c9d";
    let mut cmd = command(dir.path());
    cmd.env("LEDGERBRIDGE_API_KEY", API_KEY)
        .env("LEDGERBRIDGE_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .env("LEDGERBRIDGE_MASTER_KEY", &master_key)
        .env("LEDGERBRIDGE_XERO_CLIENT_ID", "xero-client-id")
        .env("LEDGERBRIDGE_XERO_CLIENT_SECRET", xero_secret)
        .env("LEDGERBRIDGE_XERO_TOKEN_URL", "http://127.0.0.1:9/token")
        .env("LEDGERBRIDGE_XERO_API_URL", "http://127.0.0.1:9");
    let mut server = Server::start(cmd, dir.path()).await;
    let app = TestApp::attach(&server.base, &server.database_url());

    // A Sandbox company linked and synced.
    let (company, _) = app.link_small_sandbox("Logs Ltd", "logs").await;
    // A Xero connection given tokens directly.
    let (s, xero) = app
        .post(
            &format!("/companies/{company}/connections"),
            json!({"platformKey": "gbol"}),
        )
        .await;
    assert!(s.is_success(), "{xero}");
    let xero_id = xero["id"].as_str().expect("id");
    let (s, body) = app
        .call(
            Method::PUT,
            &format!("/companies/{company}/connections/{xero_id}/authorization"),
            Some(json!({"accessToken": access_token, "refreshToken": refresh_token})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // A webhook consumer, whose secret is read back once.
    let (s, hook) = app
        .post(
            "/webhooks",
            json!({"url": "https://example.invalid/hook", "eventTypes": ["company.created"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let (_, secret) = app
        .get(&format!(
            "/webhooks/{}/secret",
            hook["id"].as_str().expect("id")
        ))
        .await;
    let webhook_secret = secret["secret"].as_str().expect("secret").to_string();
    // A rejected request (its error is logged with the correlation id it answers with).
    let (s, err) = app.get("/companies/not-a-uuid").await;
    assert!(s.is_client_error(), "{err}");
    let correlation_id = err["correlationId"]
        .as_str()
        .expect("correlationId")
        .to_string();
    app.wait_for_syncs(&company).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.terminate();
    server.wait_exit(Duration::from_secs(30)).await;

    let log = server.log_text();
    for (what, secret) in [
        ("API key", API_KEY),
        ("master key", master_key.as_str()),
        ("Xero client secret", xero_secret),
        ("access token", access_token),
        ("refresh token", refresh_token),
        ("webhook secret", webhook_secret.as_str()),
        (
            "webhook secret body",
            webhook_secret.trim_start_matches("whsec_"),
        ),
    ] {
        assert!(!log.contains(secret), "the {what} was logged");
    }
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    assert!(lines.len() > 10, "{log}");
    let in_span = |name: &str, field: &str, value: Option<&str>| {
        lines.iter().any(|l| {
            l["spans"].as_array().is_some_and(|spans| {
                spans.iter().any(|s| {
                    s["name"] == name && value.map_or(s.get(field).is_some(), |v| s[field] == v)
                })
            })
        })
    };
    assert!(
        in_span("request", "correlation_id", Some(&correlation_id)),
        "the rejected request's line carries its correlationId: {log}"
    );
    assert!(
        in_span("dataset", "data_type", Some("invoices")),
        "a dataset span with its data type: {log}"
    );
}
