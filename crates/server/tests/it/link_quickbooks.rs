//! The seed's flow with `platformType: "qhyg"`, end to end over HTTP against the QuickBooks
//! simulator: create a company, start Link, approve on the simulator's consent page,
//! come back through the callback (with `realmId`), see the connection Linked, let the first
//! syncs run and read the invoices.

use std::collections::BTreeMap;

use ledgerbridge_fakes::quickbooks::{
    QuickBooksSim, SimHandle, SimOptions, Size, TenantOptions, realm_id,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::link_fake::Browser;

fn query_of(location: &str) -> BTreeMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// A server whose QuickBooks app is the simulator's, with syncs running.
async fn app_for(sim: &SimHandle) -> TestApp {
    TestApp::spawn_with(|c| {
        c.quickbooks_client_id = Some(sim.client_id().to_string());
        c.quickbooks_client_secret = Some(sim.client_secret().to_string());
        c.quickbooks_authorize_url = sim.authorize_url();
        c.quickbooks_token_url = sim.token_url();
        c.quickbooks_api_url = sim.api_url();
        c.quickbooks_scopes = "com.intuit.quickbooks.accounting".into();
        c.worker_concurrency = 4;
    })
    .await
}

/// Creates a company and links it to the simulator's first company through Link, over HTTP
/// (the picker, the consent page, the callback); returns the company id.
async fn link_company(app: &TestApp, sim: &SimHandle) -> String {
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

    company
}

#[tokio::test]
async fn qhyg_links_through_the_simulator_syncs_and_serves_invoices() {
    let sim = QuickBooksSim::start(SimOptions {
        companies: vec![TenantOptions::new(77, Size::Small)],
        ..SimOptions::default()
    })
    .await
    .expect("simulator");
    let app = app_for(&sim).await;
    let company = link_company(&app, &sim).await;

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

/// Sets every stored watermark of `data_type` to `watermark`, as if the last sync of the type
/// had run that long ago (no endpoint can age a sync).
async fn age_watermarks(app: &TestApp, data_type: &str, watermark: &str) {
    use sqlx::Connection;
    let sql = "UPDATE datasets SET watermark = $1 WHERE data_type = $2 AND status = 'Complete'";
    let changed = if app.database_url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(&app.database_url)
            .await
            .expect("postgres");
        sqlx::query(sql)
            .bind(watermark)
            .bind(data_type)
            .execute(&mut c)
            .await
            .expect("update")
            .rows_affected()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&app.database_url)
            .await
            .expect("sqlite");
        sqlx::query(sql)
            .bind(watermark)
            .bind(data_type)
            .execute(&mut c)
            .await
            .expect("update")
            .rows_affected()
    };
    assert!(changed > 0, "no complete {data_type} dataset to age");
}

#[tokio::test]
async fn a_deletion_older_than_change_data_capture_is_found_by_the_full_read() {
    let sim = QuickBooksSim::start(SimOptions {
        companies: vec![TenantOptions::new(78, Size::Small)],
        ..SimOptions::default()
    })
    .await
    .expect("simulator");
    let app = app_for(&sim).await;
    let company = link_company(&app, &sim).await;
    let status = app.wait_for_syncs(&company).await;
    assert_eq!(status["invoices"]["currentStatus"], "Complete", "{status}");
    let in_sim = sim.companies()[0].entities["Invoice"].len() as u64;

    // An invoice is deleted in QuickBooks, and the next sync comes more than 30 days after
    // the last: change data capture cannot reach back that far.
    let gone = sim.companies()[0].entities["Invoice"][3].value()["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let kept = sim.companies()[0].entities["Invoice"][4].value()["Id"]
        .as_str()
        .expect("id")
        .to_string();
    sim.edit_company(0, |c| {
        assert!(c.delete("Invoice", &gone, chrono::Utc::now()))
    });
    let old = (chrono::Utc::now() - chrono::Duration::days(31)).format("cdc:%Y-%m-%dT%H:%M:%SZ");
    age_watermarks(&app, "invoices", &old.to_string()).await;
    sim.counters.reset();
    let (s, queued) = app
        .post(
            &format!("/companies/{company}/data/queue/invoices"),
            json!({}),
        )
        .await;
    assert!(s.is_success(), "{s} {queued}");
    let status = app.wait_for_syncs(&company).await;
    assert_eq!(status["invoices"]["currentStatus"], "Complete", "{status}");
    assert_eq!(
        sim.counters.calls_to("cdc"),
        0,
        "CDC is not asked past its window"
    );
    assert_eq!(sim.counters.calls_to("count:Invoice"), 1, "a full read ran");

    // The full read did not return it: it is marked deleted, the rest are not.
    let (s, doc) = app
        .get(&format!("/companies/{company}/data/invoices/{gone}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{doc}");
    assert_eq!(doc["metadata"]["isDeleted"], true, "{doc}");
    let (s, doc) = app
        .get(&format!("/companies/{company}/data/invoices/{kept}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{doc}");
    assert_ne!(doc["metadata"]["isDeleted"], true, "{doc}");
    let (s, page) = app
        .get(&format!(
            "/companies/{company}/data/invoices?query=metadata.isDeleted%3Dtrue"
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["totalResults"], 1, "{page}");
    assert_eq!(page["results"][0]["id"], gone.as_str(), "{page}");
    let (_, all) = app
        .get(&format!("/companies/{company}/data/invoices?pageSize=1"))
        .await;
    assert_eq!(all["totalResults"].as_u64(), Some(in_sim), "{all}");
}
