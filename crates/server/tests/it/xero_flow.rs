//! The seed's flow with Xero, end to end over HTTP: a company is linked through the hosted
//! Link pages and the local Xero simulator's consent page, its first syncs run against the
//! simulator, the client reads the invoices with a query; the owner revokes access in Xero
//! (the connection turns `Deauthorized`, the cached data stays readable) and re-links through
//! the same Link URL. Each consumer's webhooks tell the story in causal order.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use ledgerbridge::Config;
use ledgerbridge_connectors::oauth::OAuthApp;
use ledgerbridge_connectors::xero::{DEFAULT_SCOPES, XeroConfig, XeroConnector};
use ledgerbridge_fakes::xero::{SimHandle, SimOptions, Size, TenantOptions, XeroSim};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::link::{connections, pick, query_of, set_profile, to_authorize};
use crate::link_fake::Browser;
use crate::webhooks::{event_types, subscribe};
use crate::webhooks_receiver::Receiver;

/// The local Xero simulator with one organisation (seed 42, small books), limits off (these
/// tests are about the flow, not the budget).
pub async fn start_simulator() -> SimHandle {
    let sim = XeroSim::start(SimOptions {
        tenants: vec![TenantOptions::new(42, Size::Small)],
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts");
    sim.faults.limits_off.store(true, Ordering::SeqCst);
    sim
}

/// Registers the simulator as the server's Xero app, as an operator would with
/// `LEDGERBRIDGE_XERO_*`.
pub fn enable_xero(c: &mut Config, sim: &SimHandle) {
    c.xero_client_id = Some(sim.client_id().to_string());
    c.xero_client_secret = Some(sim.client_secret().to_string());
    c.xero_authorize_url = sim.authorize_url();
    c.xero_token_url = sim.token_url();
    c.xero_api_url = sim.api_url();
    c.xero_scopes = DEFAULT_SCOPES.join(" ");
}

/// A server whose Xero app is the simulator, its worker on, the connector's pacing off.
async fn spawn_with_simulator() -> (TestApp, SimHandle) {
    let sim = start_simulator().await;
    let mut tuned = XeroConfig::new(OAuthApp {
        client_id: sim.client_id().to_string(),
        client_secret: sim.client_secret().to_string(),
        authorize_url: sim.authorize_url(),
        token_url: sim.token_url(),
        api_url: sim.api_url(),
        scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
    });
    tuned.limits.per_minute = 100_000;
    tuned.limits.concurrent = 100;
    let xero = XeroConnector::new(tuned);
    let seams = ledgerbridge::Seams {
        oauth: ledgerbridge_api::OAuthLinks::default().with(xero.clone()),
        connectors: ledgerbridge::Seams::default().connectors.with(xero),
        ..Default::default()
    };
    let app = TestApp::spawn_seams(
        |c| {
            enable_xero(c, &sim);
            c.worker_concurrency = 4;
            c.webhooks_allow_private = true;
        },
        seams,
    )
    .await;
    (app, sim)
}

/// How the owner's trip to Xero ends.
#[derive(Clone, Copy, PartialEq)]
enum Consent {
    Approve,
    Deny,
    /// Approved, but the code that comes back is not one Xero issued (the exchange fails).
    ApproveWithForeignCode,
}

async fn link_xero(
    app: &TestApp,
    b: &Browser,
    company: &str,
    consent_to: Consent,
) -> std::collections::BTreeMap<String, String> {
    let picked = pick(app, b, company, "gbol", "ref=seed").await;
    let authorize = to_authorize(app, b, &picked).await;
    let consent = b.get(&authorize).await;
    assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
    assert!(consent.body.contains("Allow access"), "{}", consent.body);
    let request = consent.hidden("request").expect("consent request");
    let form_action = authorize.split('?').next().expect("authorize URL");
    let decision = if consent_to == Consent::Deny {
        "deny"
    } else {
        "approve"
    };
    let decided = b
        .post(
            form_action,
            &[
                ("request", &request),
                ("decision", decision),
                ("tenant", "0"),
            ],
        )
        .await;
    assert!(decided.status.is_redirection(), "{}", decided.body);
    let mut callback = decided.location.expect("callback URL");
    if consent_to == Consent::ApproveWithForeignCode {
        let q = query_of(&callback);
        callback = format!(
            "{}/link/callback?code=not-from-xero&state={}",
            app.base, q["state"]
        );
    }
    assert!(
        callback.starts_with(&format!("{}/link/callback?", app.base)),
        "{callback}"
    );
    let done = b.get(&callback).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    query_of(done.location.as_deref().expect("redirect to the client"))
}

/// Every invoice id the API serves for the company (all pages).
async fn invoice_ids(app: &TestApp, company: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for page in 1.. {
        let (s, body) = app
            .get(&format!(
                "/companies/{company}/data/invoices?page={page}&pageSize=100"
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let results = body["results"].as_array().cloned().unwrap_or_default();
        ids.extend(
            results
                .iter()
                .filter_map(|r| r["id"].as_str().map(String::from)),
        );
        if results.len() < 100 {
            break;
        }
    }
    ids
}

#[tokio::test]
async fn the_seed_flow_with_xero_links_syncs_reads_revokes_and_relinks() {
    let receiver = Receiver::start().await;
    let (app, sim) = spawn_with_simulator().await;
    set_profile(
        &app,
        json!({"name": "Acme Lending",
               "redirectUrl": "https://client.example/done?company={companyId}&connection={connectionId}&status={statusCode}&message={errorMessage}&platform={platform}&ref={ref}"}),
    )
    .await;
    subscribe(
        &app,
        &receiver,
        "all",
        json!({"eventTypes": ["company.created", "company.deleted", "connection.created",
            "connection.connected", "connection.failed", "connection.disconnected",
            "connection.reconnected", "connection.deleted", "read.completed.initial"]}),
    )
    .await;

    let company = app
        .create_company(json!({"name": "Platypus Properties", "platformType": "gbol"}))
        .await;
    assert_eq!(company["platform"], "Xero", "{company}");
    assert_eq!(
        company["dataConnections"][0]["status"], "PendingAuth",
        "{company}"
    );
    let company = company["id"].as_str().expect("company id").to_string();
    let b = Browser::new();

    // The owner first cancels on Xero's consent page: nothing failed, nothing is recorded.
    let q = link_xero(&app, &b, &company, Consent::Deny).await;
    assert_eq!(
        (q["status"].as_str(), q["message"].as_str()),
        ("403", "User cancelled.")
    );
    let conns = connections(&app, &company).await;
    assert_eq!(conns[0]["status"], "PendingAuth");
    assert!(
        conns[0]
            .get("dataConnectionErrors")
            .is_none_or(|e| e == &json!([]))
    );

    // A code Xero did not issue: the exchange fails, the connection records it.
    let q = link_xero(&app, &b, &company, Consent::ApproveWithForeignCode).await;
    assert_eq!(
        (q["status"].as_str(), q["message"].as_str()),
        ("500", "Unknown error occurred.")
    );
    let conns = connections(&app, &company).await;
    assert_eq!(conns[0]["status"], "PendingAuth");
    assert_eq!(conns[0]["dataConnectionErrors"][0]["statusCode"], "500");

    // Then approves: Linked, first syncs run against the simulator.
    let q = link_xero(&app, &b, &company, Consent::Approve).await;
    assert_eq!(
        (
            q["status"].as_str(),
            q["platform"].as_str(),
            q["ref"].as_str(),
            q["company"].as_str()
        ),
        ("200", "gbol", "seed", company.as_str())
    );
    let conns = connections(&app, &company).await;
    assert_eq!(
        (conns.len(), conns[0]["status"].as_str()),
        (1, Some("Linked"))
    );
    let connection = conns[0]["id"].as_str().expect("connection id").to_string();
    assert_eq!(q["connection"], connection);
    let status = app.wait_for_syncs(&company).await;
    assert_eq!(status["invoices"]["currentStatus"], "Complete", "{status}");
    for (data_type, entry) in status.as_object().expect("dataStatus") {
        assert!(
            matches!(
                entry["currentStatus"].as_str(),
                Some("Complete" | "NotSupported")
            ),
            "{data_type}: {entry}"
        );
    }

    // The client reads exactly the simulator's sales invoices, and can filter them.
    let expected: BTreeSet<String> = sim.organisations()[0].collections["Invoices"]
        .iter()
        .filter(|e| e.value()["Type"] == "ACCREC")
        .filter_map(|e| e.value()["InvoiceID"].as_str().map(String::from))
        .collect();
    assert!(expected.len() > 10, "the books have invoices");
    assert_eq!(invoice_ids(&app, &company).await, expected);
    let (s, paid) = app
        .get(&format!(
            "/companies/{company}/data/invoices?query=status%3DPaid&orderBy=-issueDate&pageSize=5"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{paid}");
    let paid_in_xero = sim.organisations()[0].collections["Invoices"]
        .iter()
        .filter(|e| e.value()["Type"] == "ACCREC" && e.value()["Status"] == "PAID")
        .count();
    assert_eq!(paid["totalResults"], json!(paid_in_xero), "{paid}");

    // The owner disconnects the app in Xero: the next sync finds the grant gone.
    sim.revoke_all();
    sim.expire_access_tokens();
    let (s, queued) = app
        .post(
            &format!("/companies/{company}/data/queue/invoices"),
            json!({}),
        )
        .await;
    assert!(s.is_success(), "{s} {queued}");
    let status = app.wait_for_syncs(&company).await;
    assert_eq!(status["invoices"]["currentStatus"], "AuthError", "{status}");
    let conns = connections(&app, &company).await;
    assert_eq!(conns[0]["status"], "Deauthorized", "{}", conns[0]);
    assert_eq!(
        invoice_ids(&app, &company).await,
        expected,
        "cached data stays readable"
    );
    // Queuing while Deauthorized answers at once with an errored pull operation and never
    // calls Xero.
    let calls = sim.counters.api_calls.load(Ordering::SeqCst);
    let (s, refused) = app
        .post(
            &format!("/companies/{company}/data/queue/invoices"),
            json!({}),
        )
        .await;
    assert_eq!(
        (
            s,
            refused["status"].as_str(),
            refused["isErrored"].as_bool()
        ),
        (StatusCode::OK, Some("AuthError"), Some(true)),
        "{refused}"
    );
    assert!(
        refused["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("link it again")),
        "{refused}"
    );
    assert_eq!(sim.counters.api_calls.load(Ordering::SeqCst), calls);

    // Re-linking through the same Link URL keeps the connection and syncs again.
    let q = link_xero(&app, &b, &company, Consent::Approve).await;
    assert_eq!(
        (q["status"].as_str(), q["connection"].as_str()),
        ("200", connection.as_str())
    );
    let conns = connections(&app, &company).await;
    assert_eq!(
        (conns.len(), conns[0]["status"].as_str()),
        (1, Some("Linked"))
    );
    let errors = conns[0]["dataConnectionErrors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["statusCode"] == "401"),
        "the revocation is on record: {errors:?}"
    );
    assert!(
        errors
            .iter()
            .all(|e| e["status"] == "Resolved" && e["resolvedOnUtc"].is_string()),
        "re-linking resolved every error: {errors:?}"
    );
    let status = app.wait_for_syncs(&company).await;
    assert_eq!(status["invoices"]["currentStatus"], "Complete", "{status}");

    let (s, _) = app
        .call(Method::DELETE, &format!("/companies/{company}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let expected_events = [
        "company.created",
        "connection.created",
        "connection.failed",
        "connection.connected",
        "read.completed.initial",
        "connection.disconnected",
        "connection.reconnected",
        "connection.deleted",
        "company.deleted",
    ];
    let got = receiver
        .wait_for("every event", |got| got.len() >= expected_events.len())
        .await;
    assert_eq!(receiver.unverified(), 0, "every signature verifies");
    assert_eq!(event_types(&got), expected_events);
    let payload = |i: usize| -> &Value { &got[i].body["payload"] };
    assert_eq!(payload(2)["connection"]["status"], "PendingAuth");
    assert_eq!(
        payload(2)["connection"]["dataConnectionErrors"][0]["statusCode"],
        "500"
    );
    assert_eq!(payload(3)["connection"]["integrationKey"], "gbol");
    assert_eq!(payload(5)["connection"]["status"], "Deauthorized");
    assert_eq!(payload(6)["connection"]["id"], connection.as_str());
}
