//! Tokens: the one-hour access token refreshed, the refresh token Intuit rotates saved
//! before use, old refresh tokens dying (`invalid_grant` → Deauthorized), revocation.

mod quickbooks_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;
use ledgerbridge_connectors::ConnectorError;
use ledgerbridge_connectors::quickbooks::QuickBooksConnector;
use ledgerbridge_domain::DataType;
use ledgerbridge_fakes::quickbooks::{SimOptions, TenantOptions};
use ledgerbridge_sandbox::Size;
use quickbooks_support::*;

fn options() -> SimOptions {
    SimOptions {
        companies: vec![TenantOptions::new(31, Size::Small)],
        // Intuit keeps a replaced refresh token alive for a day; here for 300 ms.
        refresh_grace: Duration::from_millis(300),
        ..SimOptions::default()
    }
}

#[tokio::test]
async fn rotation_is_saved_before_use_and_the_old_refresh_token_dies() {
    let linked = link(options()).await;
    let original = linked.ctx.credentials.clone();
    fetch_all(&linked.connector, &linked.ctx, DataType::TaxRates, None)
        .await
        .expect("first read");
    assert_eq!(linked.sim.counters.refreshes.load(Ordering::SeqCst), 0);

    // An hour later: the access token has expired.
    linked.sim.expire_access_tokens();
    fetch_all(&linked.connector, &linked.ctx, DataType::TaxRates, None)
        .await
        .expect("read after a refresh");
    assert_eq!(linked.sim.counters.refreshes.load(Ordering::SeqCst), 1);
    let saved = linked
        .store
        .get(linked.ctx.connection_id)
        .expect("the rotated tokens were saved");
    assert_ne!(saved["refresh_token"], original["refresh_token"]);
    assert_ne!(saved["access_token"], original["access_token"]);
    assert_eq!(saved["realm_id"], original["realm_id"]);

    // Another process that still holds the replaced refresh token, a day later, is refused:
    // invalid_grant, the connection is deauthorized.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let stale = QuickBooksConnector::new(config_for(&linked.sim));
    let mut ctx = context_from(&original, &linked);
    ctx.credentials["expires_at"] = serde_json::json!("2000-01-01T00:00:00Z");
    let result = fetch_all(&stale, &ctx, DataType::TaxRates, None).await;
    assert!(
        matches!(result, Err(ConnectorError::AuthRevoked(ref m)) if m.contains("invalid_grant")),
        "{:?}",
        result.as_ref().err()
    );
    assert!(linked.sim.counters.invalid_grants.load(Ordering::SeqCst) >= 1);

    // The saved, newest one still works for a fresh process.
    let fresh = QuickBooksConnector::new(config_for(&linked.sim));
    let mut ctx = context_from(&saved, &linked);
    ctx.credentials["expires_at"] = serde_json::json!("2000-01-01T00:00:00Z");
    fetch_all(&fresh, &ctx, DataType::TaxRates, None)
        .await
        .expect("the newest refresh token works");
}

fn context_from(
    credentials: &serde_json::Value,
    linked: &Linked,
) -> ledgerbridge_connectors::ConnectionContext {
    ledgerbridge_connectors::ConnectionContext {
        company_id: linked.ctx.company_id,
        connection_id: ledgerbridge_domain::ConnectionId::new(),
        credentials: credentials.clone(),
        credential_store: linked.store.clone(),
    }
}

#[tokio::test]
async fn a_disconnected_app_is_deauthorized() {
    let linked = link(options()).await;
    linked.sim.revoke_all();
    linked.sim.expire_access_tokens();
    let result = fetch_all(&linked.connector, &linked.ctx, DataType::Customers, None).await;
    assert!(
        matches!(result, Err(ConnectorError::AuthRevoked(_))),
        "{:?}",
        result.as_ref().err()
    );
}

#[tokio::test]
async fn revocation_over_http_kills_the_grant() {
    let linked = link(options()).await;
    let refresh = linked.ctx.credentials["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        linked.sim.client_id(),
        linked.sim.client_secret()
    ));
    let response = reqwest::Client::new()
        .post(format!("{}/v2/oauth2/tokens/revoke", linked.sim.base_url()))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/json")
        .body(serde_json::json!({ "token": refresh }).to_string())
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status().as_u16(), 200);
    // The live access token is refused, the refresh answers invalid_grant.
    let result = fetch_all(&linked.connector, &linked.ctx, DataType::Customers, None).await;
    assert!(
        matches!(result, Err(ConnectorError::AuthRevoked(_))),
        "{:?}",
        result.as_ref().err()
    );
    assert!(linked.sim.counters.invalid_grants.load(Ordering::SeqCst) >= 1);
}
