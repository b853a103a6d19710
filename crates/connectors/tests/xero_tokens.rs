//! Tokens: refreshed ahead of expiry, the rotated refresh token saved before use, one
//! refresh per grant under concurrent datasets, and every way a grant dies.

mod xero_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ledgerbridge_connectors::xero::XeroConnector;
use ledgerbridge_connectors::{ConnectionContext, ConnectorError};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use ledgerbridge_fakes::xero::{SimOptions, TenantOptions};
use ledgerbridge_sandbox::Size;
use xero_support::*;

#[tokio::test]
async fn a_hundred_rotations_under_concurrent_datasets_never_deauthorize() {
    let linked = link_with(
        SimOptions {
            tenants: vec![
                TenantOptions::new(21, Size::Small),
                TenantOptions::new(22, Size::Small),
            ],
            access_token_ttl: Duration::from_secs(1),
            refresh_grace: Duration::from_secs(2),
            ..SimOptions::default()
        },
        // Refresh when less than 900 ms of the one-second token is left: about every
        // 100 ms, while the datasets keep calling (with the rate budget out of the way).
        |c| {
            c.refresh_margin = Duration::from_millis(900);
            c.limits.per_minute = 100_000;
        },
    )
    .await;
    linked.sim.faults.limits_off.store(true, Ordering::SeqCst);
    // The second organisation of the same grant, as its own connection.
    let tenants = authorize(&linked.sim, &linked.connector, &[]).await;
    let second = Arc::new(ConnectionContext {
        company_id: CompanyId::new(),
        connection_id: ConnectionId::new(),
        credentials: tenants[1].credentials.clone(),
        credential_store: linked.store.clone(),
    });
    let first = Arc::new(ConnectionContext {
        company_id: linked.ctx.company_id,
        connection_id: linked.ctx.connection_id,
        credentials: tenants[0].credentials.clone(),
        credential_store: linked.store.clone(),
    });
    linked.sim.counters.reset();
    let mut tasks = Vec::new();
    for (n, ctx) in [first.clone(), second.clone(), first.clone(), second.clone()]
        .into_iter()
        .enumerate()
    {
        let connector = linked.connector.clone();
        let counters = linked.sim.counters.clone();
        tasks.push(tokio::spawn(async move {
            let types = [
                DataType::TaxRates,
                DataType::Customers,
                DataType::Items,
                DataType::Company,
            ];
            let mut i = n;
            while counters.refreshes.load(Ordering::SeqCst) < 100 {
                let data_type = types[i % types.len()];
                fetch_all(&connector, &ctx, data_type, None)
                    .await
                    .map_err(|e| format!("{data_type}: {e}"))?;
                i += 1;
            }
            Ok::<_, String>(())
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("no dataset failed");
    }
    let refreshes = linked.sim.counters.refreshes.load(Ordering::SeqCst);
    assert!(refreshes >= 100, "{refreshes}");
    assert_eq!(linked.sim.counters.invalid_grants.load(Ordering::SeqCst), 0);
    // Both connections of the grant hold the newest refresh token, so either survives a
    // restart: a new connector (no memory) continues from what was stored.
    let stored_first = linked.store.get(first.connection_id).expect("stored");
    let stored_second = linked.store.get(second.connection_id).expect("stored");
    assert_eq!(
        stored_first["refresh_token"],
        stored_second["refresh_token"]
    );
    assert_ne!(stored_first["tenant_id"], stored_second["tenant_id"]);
    let restarted = XeroConnector::new({
        let mut c = config_for(&linked.sim);
        c.refresh_margin = Duration::from_millis(900);
        c
    });
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let ctx = ConnectionContext {
        credentials: stored_second,
        ..(*second).clone_for_test()
    };
    fetch_all(&restarted, &ctx, DataType::TaxRates, None)
        .await
        .expect("the stored refresh token works after a restart");
}

/// `ConnectionContext` is not `Clone`; tests rebuild it.
trait CloneForTest {
    fn clone_for_test(&self) -> ConnectionContext;
}

impl CloneForTest for ConnectionContext {
    fn clone_for_test(&self) -> ConnectionContext {
        ConnectionContext {
            company_id: self.company_id,
            connection_id: self.connection_id,
            credentials: self.credentials.clone(),
            credential_store: self.credential_store.clone(),
        }
    }
}

#[tokio::test]
async fn the_grace_period_keeps_the_previous_refresh_token_alive_for_a_while() {
    let sim = ledgerbridge_fakes::xero::XeroSim::start(SimOptions {
        refresh_grace: Duration::from_millis(600),
        ..SimOptions::default()
    })
    .await
    .expect("sim");
    let connector = XeroConnector::new(config_for(&sim));
    let tenants = authorize(&sim, &connector, &[]).await;
    let old = tenants[0].credentials["refresh_token"]
        .as_str()
        .expect("token")
        .to_string();
    let http = reqwest::Client::new();
    let refresh = |token: String| {
        let http = http.clone();
        let url = sim.token_url();
        let (id, secret) = (sim.client_id().to_string(), sim.client_secret().to_string());
        async move {
            let r = http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!(
                    "grant_type=refresh_token&refresh_token={token}&client_id={id}&client_secret={secret}"
                ))
                .send()
                .await
                .expect("token endpoint");
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, first) = refresh(old.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_ne!(
        first["refresh_token"].as_str(),
        Some(old.as_str()),
        "rotated"
    );
    assert_eq!(first["expires_in"], 1800);
    // Within the grace period the old one still works (a crash before storing the new one).
    let (status, _) = refresh(old.clone()).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let (status, body) = refresh(old).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    // A wrong secret is not a dead grant.
    let r = http
        .post(sim.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&refresh_token=x&client_id={}&client_secret=wrong",
            sim.client_id()
        ))
        .send()
        .await
        .expect("token endpoint");
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap_or_default()["error"],
        "invalid_client"
    );
}

#[tokio::test]
async fn a_revoked_grant_and_a_disconnected_tenant_are_auth_revoked_and_relinking_restores() {
    let linked = link(SimOptions {
        tenants: vec![
            TenantOptions::new(31, Size::Small),
            TenantOptions::new(32, Size::Small),
        ],
        ..SimOptions::default()
    })
    .await;
    fetch_all(&linked.connector, &linked.ctx, DataType::TaxRates, None)
        .await
        .expect("works while linked");

    // The user disconnects the app in Xero: the next call fails as AuthRevoked.
    linked.sim.revoke_all();
    let r = fetch_all(&linked.connector, &linked.ctx, DataType::TaxRates, None).await;
    assert!(
        matches!(r, Err(ConnectorError::AuthRevoked(_))),
        "{:?}",
        r.err()
    );

    // Linking again restores the same connection (same id, new credentials).
    let tenants = authorize(&linked.sim, &linked.connector, &[]).await;
    let ctx = ConnectionContext {
        credentials: tenants[0].credentials.clone(),
        ..linked.ctx
    };
    fetch_all(&linked.connector, &ctx, DataType::TaxRates, None)
        .await
        .expect("works after re-linking");

    // One organisation disconnected while the grant lives: 403 even after a refresh.
    let tenant = ctx.credentials["tenant_id"]
        .as_str()
        .expect("tenant")
        .to_string();
    linked.sim.disconnect_tenant(&tenant);
    let r = fetch_all(&linked.connector, &ctx, DataType::TaxRates, None).await;
    assert!(
        matches!(r, Err(ConnectorError::AuthRevoked(_))),
        "{:?}",
        r.err()
    );

    // An expired access token alone is not a revocation: refreshed and retried.
    let tenants = authorize(&linked.sim, &linked.connector, &[]).await;
    let ctx = ConnectionContext {
        credentials: tenants[0].credentials.clone(),
        ..ctx
    };
    fetch_all(&linked.connector, &ctx, DataType::TaxRates, None)
        .await
        .expect("works");
    linked.sim.expire_access_tokens();
    fetch_all(&linked.connector, &ctx, DataType::TaxRates, None)
        .await
        .expect("a 401 for an expired token is refreshed away");
}
