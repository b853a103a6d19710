//! The seed's flow with `platformType: "qhyg"`, end to end over HTTP against the QuickBooks
//! simulator: create a company, start Link, approve on the simulator's consent page,
//! come back through the callback (with `realmId`), see the connection Linked, let the first
//! syncs run and read the invoices.

use std::collections::BTreeMap;

use ledgerbridge_fakes::quickbooks::{QuickBooksSim, SimOptions, Size, TenantOptions, realm_id};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::link_fake::Browser;

fn query_of(location: &str) -> BTreeMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

#[tokio::test]
async fn qhyg_links_through_the_simulator_syncs_and_serves_invoices() {
    let sim = QuickBooksSim::start(SimOptions {
        companies: vec![TenantOptions::new(77, Size::Small)],
        ..SimOptions::default()
    })
    .await
    .expect("simulator");
    let app = TestApp::spawn_with(|c| {
        c.quickbooks_client_id = Some(sim.client_id().to_string());
        c.quickbooks_client_secret = Some(sim.client_secret().to_string());
        c.quickbooks_authorize_url = sim.authorize_url();
        c.quickbooks_token_url = sim.token_url();
        c.quickbooks_api_url = sim.api_url();
        c.quickbooks_scopes = "com.intuit.quickbooks.accounting".into();
        c.worker_concurrency = 4;
    })
    .await;
    let (s, body) = app
        .call(
            Method::PUT,
            "/profile",
            Some(json!({"name": "Acme Lending", "redirectUrl": "https://client.example/done/{companyId}?status={statusCode}&platform={platform}"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let company = app
        .create_company(json!({"name": "Platypus Properties"}))
        .await["id"]
        .as_str()
        .expect("company id")
        .to_string();

    // Link: pick QuickBooks Online on the picker.
    let b = Browser::new();
    let picker = b.get(&format!("{}/link/company/{company}", app.base)).await;
    assert_eq!(picker.status, StatusCode::OK, "{}", picker.body);
    assert!(picker.body.contains("QuickBooks"), "{}", picker.body);
    let csrf = picker.hidden("csrf").expect("csrf field");
    let params = picker.hidden("params").expect("params field");
    let picked = b
        .post(
            &format!("{}/link/company/{company}", app.base),
            &[("csrf", &csrf), ("platform", "qhyg"), ("params", &params)],
        )
        .await;
    assert_eq!(picked.status, StatusCode::SEE_OTHER, "{}", picked.body);
    let start = picked.location.expect("start");
    let started = b.get(&format!("{}{start}", app.base)).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let authorize = started.location.expect("authorize location");
    assert!(authorize.starts_with(&sim.authorize_url()), "{authorize}");

    // The simulator's consent page, over HTTP: approve the company.
    let consent = b.get(&authorize).await;
    assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
    let request = consent.hidden("request").expect("consent request");
    let decided = b
        .post(
            &sim.authorize_url(),
            &[
                ("request", &request),
                ("realm", "0"),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let callback = decided.location.expect("callback");
    assert!(
        callback.starts_with(&format!("{}/link/callback", app.base)),
        "{callback}"
    );
    assert_eq!(query_of(&callback)["realmId"], realm_id(0));
    let done = b.get(&callback).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let q = query_of(done.location.as_deref().expect("redirect to the client"));
    assert_eq!(
        (q["status"].as_str(), q["platform"].as_str()),
        ("200", "qhyg")
    );

    let (s, list) = app.get(&format!("/companies/{company}/connections")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let conns = list["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(conns.len(), 1, "{list}");
    assert_eq!(conns[0]["status"], "Linked");
    assert_eq!(conns[0]["platformName"], "QuickBooks Online");

    // The first syncs run against the simulator; every data type completes.
    let status = app.wait_for_syncs(&company).await;
    for (data_type, entry) in status.as_object().expect("object") {
        assert_eq!(entry["currentStatus"], "Complete", "{data_type}: {entry}");
    }
    assert_eq!(status["invoices"]["currentStatus"], "Complete", "{status}");

    // Read the invoices back through the Codat-shaped API.
    let in_sim = sim.companies()[0].entities["Invoice"].len() as u64;
    let (s, page) = app
        .get(&format!(
            "/companies/{company}/data/invoices?pageSize=5&orderBy=-issueDate"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["totalResults"].as_u64(), Some(in_sim), "{page}");
    let first = &page["results"][0];
    assert!(first["customerRef"]["id"].is_string(), "{first}");
    assert!(first["totalAmount"].is_number(), "{first}");
    assert!(
        ["Submitted", "PartiallyPaid", "Paid", "Void"]
            .contains(&first["status"].as_str().unwrap_or("")),
        "{first}"
    );
    assert_eq!(
        sim.counters
            .without_minor_version
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}
