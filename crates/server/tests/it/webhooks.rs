//! Webhook consumers over the API, and the seed's flow delivering its events, signed, in
//! causal order, to each consumer that wants them.

use ledgerbridge_domain::Timestamp;
use ledgerbridge_domain::platform::DataConnectionError;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error};
use crate::webhooks_receiver::{Received, Receiver};

/// Creates a consumer for `name` at the receiver and registers its secret there.
pub async fn subscribe(app: &TestApp, receiver: &Receiver, name: &str, body: Value) -> String {
    let mut body = body;
    body["url"] = json!(receiver.url(name));
    let (s, created) = app.post("/webhooks", body).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    let (s, secret) = app.get(&format!("/webhooks/{id}/secret")).await;
    assert_eq!(s, StatusCode::OK, "{secret}");
    let secret = secret["secret"].as_str().expect("secret");
    assert!(secret.starts_with("whsec_"), "{secret}");
    receiver.expect_secret(name, secret);
    id
}

/// Waits until the consumer's delivery log holds `n` attempts (they are recorded just after
/// the receiver answered) and returns its first page.
pub async fn wait_attempts(app: &TestApp, consumer: &str, n: usize) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (s, log) = app
            .get(&format!("/webhooks/{consumer}/attempts?pageSize=100"))
            .await;
        assert_eq!(s, StatusCode::OK, "{log}");
        if log["totalResults"] == n {
            return log;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expected {n} attempts: {log}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

pub fn event_types(got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.body["eventType"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[tokio::test]
async fn consumers_are_created_listed_and_deleted_with_codats_rules() {
    let app = TestApp::spawn().await;
    let (s, list) = app.get("/webhooks").await;
    assert_eq!((s, list), (StatusCode::OK, json!({"results": []})));

    let (s, created) = app
        .post(
            "/webhooks",
            json!({"url": "https://example.com/hooks", "eventTypes": ["read.completed", "company.created"],
                   "companyTags": ["region:uk"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(
        created,
        json!({"id": id, "url": "https://example.com/hooks", "disabled": false,
               "eventTypes": ["read.completed", "company.created"], "companyTags": ["region:uk"]})
    );
    let (_, disabled) = app
        .post(
            "/webhooks",
            json!({"url": "https://example.com/b", "eventTypes": ["bills.write.successful"], "disabled": true}),
        )
        .await;
    assert_eq!(disabled["disabled"], true);
    assert!(
        disabled.get("companyTags").is_none(),
        "no null for absent: {disabled}"
    );
    let (_, list) = app.get("/webhooks").await;
    assert_eq!(list["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["results"][0], created);

    let (s, secret) = app.get(&format!("/webhooks/{id}/secret")).await;
    assert_eq!(s, StatusCode::OK);
    let secret = secret["secret"].as_str().expect("secret").to_string();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 38,
        "{secret}"
    );
    // The secret works with the reference library.
    assert!(standardwebhooks::Webhook::new(&secret).is_ok());

    for (body, field) in [
        (json!({"url": "https://example.com/x"}), "eventTypes"),
        (
            json!({"url": "https://example.com/x", "eventTypes": []}),
            "eventTypes",
        ),
        (
            json!({"url": "https://example.com/x", "eventTypes": ["DataSyncCompleted"]}),
            "eventTypes",
        ),
        (json!({"eventTypes": ["read.completed"]}), "url"),
        (
            json!({"url": "not a url", "eventTypes": ["read.completed"]}),
            "url",
        ),
        (
            json!({"url": "ftp://example.com/x", "eventTypes": ["read.completed"]}),
            "url",
        ),
        (
            json!({"url": "https://example.com/x", "eventTypes": ["read.completed"], "companyTags": ["nocolon"]}),
            "companyTags",
        ),
    ] {
        let (s, err) = app.post("/webhooks", body.clone()).await;
        assert_error(s, &err, StatusCode::BAD_REQUEST);
        assert_eq!(
            err["validation"]["errors"][0]["itemId"], field,
            "{body} -> {err}"
        );
    }
    // Private addresses are refused unless the server allows them.
    let (s, err) = app
        .post(
            "/webhooks",
            json!({"url": "http://127.0.0.1:9/x", "eventTypes": ["read.completed"]}),
        )
        .await;
    let msg = assert_error(s, &err, StatusCode::BAD_REQUEST);
    assert!(msg.contains("LEDGERBRIDGE_WEBHOOKS_ALLOW_PRIVATE"), "{msg}");

    // At most 50.
    for i in 2..50 {
        let (s, b) = app
            .post("/webhooks", json!({"url": format!("https://example.com/{i}"), "eventTypes": ["read.completed"]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, err) = app
        .post(
            "/webhooks",
            json!({"url": "https://example.com/51", "eventTypes": ["read.completed"]}),
        )
        .await;
    let msg = assert_error(s, &err, StatusCode::BAD_REQUEST);
    assert!(msg.contains("at most 50"), "{msg}");

    let (s, body) = app
        .call(Method::DELETE, &format!("/webhooks/{id}"), None)
        .await;
    assert_eq!((s, body), (StatusCode::NO_CONTENT, Value::Null));
    let (s, err) = app
        .call(Method::DELETE, &format!("/webhooks/{id}"), None)
        .await;
    assert_error(s, &err, StatusCode::NOT_FOUND);
    let (s, err) = app.get(&format!("/webhooks/{id}/secret")).await;
    assert_error(s, &err, StatusCode::NOT_FOUND);
    let (s, err) = app.get("/webhooks/not-a-uuid/secret").await;
    assert_error(s, &err, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_seed_flow_delivers_its_events_signed_and_in_causal_order() {
    let receiver = Receiver::start().await;
    let app = TestApp::spawn_with(|c| {
        c.webhooks_allow_private = true;
        c.worker_concurrency = 2;
    })
    .await;
    let everything = json!({"eventTypes": ["company.created", "company.deleted", "connection.created",
        "connection.connected", "connection.failed", "connection.disconnected", "connection.reconnected",
        "connection.deleted", "read.completed", "read.completed.initial"]});
    let all = subscribe(&app, &receiver, "all", everything.clone()).await;
    let mut uk = everything.clone();
    uk["eventTypes"] = json!([
        "connection.connected",
        "connection.disconnected",
        "read.completed.initial"
    ]);
    uk["companyTags"] = json!(["region:us", "region:uk"]);
    subscribe(&app, &receiver, "uk", uk).await;
    let mut us = everything.clone();
    us["companyTags"] = json!(["region:us"]);
    let us = subscribe(&app, &receiver, "us", us).await;

    // Create the company, link the Sandbox, first sync.
    let company = app
        .create_company(json!({"name": "Platypus Properties", "tags": {"region": "uk"}}))
        .await;
    let company_id = company["id"].as_str().expect("id").to_string();
    let (s, conn) = app
        .post(
            &format!("/companies/{company_id}/connections"),
            json!({"platformKey": "mqjo"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{conn}");
    let conn_id = conn["id"].as_str().expect("id").to_string();
    let auth = format!("/companies/{company_id}/connections/{conn_id}/authorization");
    let (s, linked) = app
        .call(Method::PUT, &auth, Some(json!({"dataset": "small"})))
        .await;
    assert_eq!(
        (s, linked["status"].as_str()),
        (StatusCode::OK, Some("Linked")),
        "{linked}"
    );
    receiver
        .wait_for("the first read", |got| {
            event_types(got).iter().any(|t| t == "read.completed")
        })
        .await;
    app.wait_for_syncs(&company_id).await;

    // Queue a sync of everything.
    let (s, b) = app
        .post(&format!("/companies/{company_id}/data/all"), json!({}))
        .await;
    assert!(s.is_success(), "{s} {b}");
    receiver
        .wait_for("the second read", |got| {
            event_types(got)
                .iter()
                .filter(|t| *t == "read.completed")
                .count()
                == 2
        })
        .await;
    app.wait_for_syncs(&company_id).await;

    // The platform revokes access.
    let store = app.store().await;
    let revoked = DataConnectionError::deauthorized(
        "The integration de-authorized access to the connection.",
    );
    assert!(
        store
            .deauthorize_connection(
                company_id.parse().expect("uuid"),
                conn_id.parse().expect("uuid"),
                &revoked
            )
            .await
            .expect("revoke")
    );

    // Re-link: it syncs again.
    let (s, relinked) = app
        .call(Method::PUT, &auth, Some(json!({"dataset": "small"})))
        .await;
    assert_eq!(
        (s, relinked["status"].as_str()),
        (StatusCode::OK, Some("Linked"))
    );
    receiver
        .wait_for("the read after re-linking", |got| {
            event_types(got)
                .iter()
                .filter(|t| *t == "read.completed")
                .count()
                == 3
        })
        .await;
    app.wait_for_syncs(&company_id).await;

    // Delete the company.
    let (s, _) = app
        .call(Method::DELETE, &format!("/companies/{company_id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let expected = [
        "company.created",
        "connection.created",
        "connection.connected",
        "read.completed.initial",
        "read.completed",
        "read.completed",
        "connection.disconnected",
        "connection.reconnected",
        "read.completed",
        "connection.deleted",
        "company.deleted",
    ];
    let got = receiver
        .wait_for("every event", |got| {
            got.iter().filter(|r| r.hook == "all").count() >= expected.len()
        })
        .await;
    assert_eq!(receiver.unverified(), 0, "every signature verifies");
    let to_all: Vec<Received> = got.iter().filter(|r| r.hook == "all").cloned().collect();
    assert_eq!(event_types(&to_all), expected);
    let to_uk = receiver.received_by("uk");
    assert_eq!(
        event_types(&to_uk),
        [
            "connection.connected",
            "read.completed.initial",
            "connection.disconnected"
        ]
    );
    // No company tag of `us` matches: nothing was even queued for it.
    assert!(receiver.received_by("us").is_empty());
    let us_messages = store
        .list_messages(us.parse().expect("uuid"))
        .await
        .expect("messages");
    assert!(us_messages.is_empty(), "{us_messages:?}");

    // Envelopes and payloads.
    let public = app.base.clone();
    let ids: std::collections::HashSet<&str> =
        to_all.iter().map(|r| r.webhook_id.as_str()).collect();
    assert_eq!(ids.len(), to_all.len(), "one webhook id per event");
    for r in &to_all {
        let b = &r.body;
        let event_id = b["id"].as_str().expect("id");
        assert_eq!(r.webhook_id, format!("msg_{}", event_id.replace('-', "")));
        assert!(Timestamp::parse(b["generatedDate"].as_str().expect("date")).is_some());
        assert!(b["payload"].is_object());
    }
    let created = &to_all[0].body["payload"];
    assert_eq!(created["id"], company_id.as_str());
    assert_eq!(created["name"], "Platypus Properties");
    assert_eq!(created["tags"], json!({"region": "uk"}));
    assert_eq!(
        created["redirect"],
        format!("{public}/link/company/{company_id}")
    );
    let status_of = |i: usize| to_all[i].body["payload"]["connection"]["status"].clone();
    assert_eq!(
        (
            status_of(1),
            status_of(2),
            status_of(6),
            status_of(7),
            status_of(9)
        ),
        (
            json!("PendingAuth"),
            json!("Linked"),
            json!("Deauthorized"),
            json!("Linked"),
            json!("Linked")
        )
    );
    let connected = &to_all[2].body["payload"];
    assert_eq!(connected["referenceCompany"]["id"], company_id.as_str());
    assert_eq!(connected["referenceCompany"]["name"], "Platypus Properties");
    assert_eq!(
        connected["connection"]["linkUrl"],
        format!("{public}/link/companies/{company_id}/connections/{conn_id}/start")
    );
    assert_eq!(connected["connection"]["integrationKey"], "mqjo");
    assert_eq!(
        to_all[6].body["payload"]["connection"]["dataConnectionErrors"][0]["statusCode"],
        "401"
    );
    let initial = &to_all[3].body["payload"];
    let types = initial["dataTypes"].as_array().expect("dataTypes");
    assert!(!types.is_empty());
    for t in types {
        assert_eq!(t["connectionId"], conn_id.as_str());
        assert!(t["dataType"].is_string() && t["status"].is_string(), "{t}");
        assert!(t["recordsModified"].is_boolean());
    }
    assert!(
        types.iter().any(|t| t["recordsModified"] == true),
        "the first sync wrote records: {initial}"
    );
    assert!(initial.get("modifiedFromDate").is_none());
    assert_eq!(
        to_all[4].body["payload"], *initial,
        "read.completed of the first read"
    );
    assert!(to_all[5].body["payload"]["modifiedFromDate"].is_string());
    assert_eq!(to_all[10].body["payload"]["id"], company_id.as_str());

    // The delivery log shows every attempt.
    let attempts = wait_attempts(&app, &all, expected.len()).await;
    let first = &attempts["results"][0];
    assert_eq!(
        (first["statusCode"].clone(), first["delivered"].clone()),
        (json!(200), json!(true))
    );
    assert!(first.get("error").is_none());
}

#[tokio::test]
async fn replay_sends_messages_again_with_their_webhook_id() {
    let receiver = Receiver::start().await;
    let app = TestApp::spawn_with(|c| c.webhooks_allow_private = true).await;
    let id = subscribe(
        &app,
        &receiver,
        "r",
        json!({"eventTypes": ["company.created"]}),
    )
    .await;
    let before = Timestamp::now();
    app.create_company(json!({"name": "One"})).await;
    app.create_company(json!({"name": "Two"})).await;
    let got = receiver.wait_for("two events", |g| g.len() == 2).await;
    wait_attempts(&app, &id, 2).await;

    let (s, r) = app
        .post(
            &format!("/webhooks/{id}/replay"),
            json!({"messageIds": [got[0].webhook_id]}),
        )
        .await;
    assert_eq!((s, r), (StatusCode::ACCEPTED, json!({"replayed": 1})));
    let again = receiver.wait_for("the replay", |g| g.len() == 3).await;
    assert_eq!(again[2].webhook_id, got[0].webhook_id);
    assert_eq!(again[2].body, got[0].body);
    wait_attempts(&app, &id, 3).await;

    let (s, r) = app
        .post(
            &format!("/webhooks/{id}/replay"),
            json!({"from": before.to_string()}),
        )
        .await;
    assert_eq!((s, r), (StatusCode::ACCEPTED, json!({"replayed": 2})));
    receiver
        .wait_for("the range replay", |g| g.len() == 5)
        .await;
    wait_attempts(&app, &id, 5).await;
    assert_eq!(receiver.unverified(), 0);

    for body in [
        json!({}),
        json!({"messageIds": []}),
        json!({"messageIds": ["nope"]}),
        json!({"from": "yesterday"}),
        json!({"messageIds": [got[0].webhook_id], "from": before.to_string()}),
    ] {
        let (s, err) = app
            .post(&format!("/webhooks/{id}/replay"), body.clone())
            .await;
        assert_error(s, &err, StatusCode::BAD_REQUEST);
    }
    let (s, err) = app
        .post(
            &format!("/webhooks/{}/replay", uuid::Uuid::now_v7()),
            json!({"messageIds": [got[0].webhook_id]}),
        )
        .await;
    assert_error(s, &err, StatusCode::NOT_FOUND);
    let (s, page) = app
        .get(&format!("/webhooks/{id}/attempts?page=1&pageSize=2"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["totalResults"], 5);
    assert_eq!(page["results"].as_array().map(Vec::len), Some(2));
    assert!(page["_links"]["next"].is_object(), "{page}");
}
