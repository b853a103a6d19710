//! `ledgerbridge keys rotate` while the server keeps serving: credentials move to a new key,
//! the running server (still holding the old key) reads them after re-reading the key file,
//! and the old key stays readable.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn rotation_reseals_credentials_while_serving() {
    let mut config = None;
    let app = TestApp::spawn_with(|c| {
        c.worker_concurrency = 1;
        config = Some(c.clone());
    })
    .await;
    let config = config.expect("config captured");
    let c = app.create_company(json!({"name": "Acme"})).await;
    let company = c["id"].as_str().expect("id").to_string();
    let (s, conn) = app
        .post(
            &format!("/companies/{company}/connections"),
            json!({"platformKey": "mqjo"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{conn}");
    let conn_id = conn["id"].as_str().expect("id").to_string();
    let (s, body) = app
        .call(
            Method::PUT,
            &format!("/companies/{company}/connections/{conn_id}/authorization"),
            Some(json!({"dataset": "small"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    app.wait_for_syncs(&company).await;

    let store = app.store().await;
    let (cid, kid) = (company.parse().expect("c"), conn_id.parse().expect("k"));
    let before = store
        .connection_credentials(cid, kid)
        .await
        .expect("read")
        .expect("sealed");
    let report = ledgerbridge::keys::rotate(&config, &store)
        .await
        .expect("rotates");
    assert!(report.new_key);
    assert_eq!((report.resealed, report.unreadable), (1, 0));
    let after = store
        .connection_credentials(cid, kid)
        .await
        .expect("read")
        .expect("sealed");
    assert_ne!(after.key_id, before.key_id);
    assert_eq!(after.key_id, report.key_id);
    let file = std::fs::read_to_string(config.data_dir.join(ledgerbridge::keys::KEY_FILE))
        .expect("key file");
    assert_eq!(
        file.lines().count(),
        2,
        "the old key is kept after the new one"
    );

    // The running server opens the re-sealed credentials: a new sync of the Sandbox completes.
    let (s, op) = app
        .post(
            &format!("/companies/{company}/data/queue/customers"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{op}");
    let status = app.wait_for_syncs(&company).await;
    assert_eq!(status["customers"]["currentStatus"], "Complete", "{status}");
    assert_eq!(status["customers"]["latestSyncId"], op["id"], "{status}");

    // Nothing left under the old key; a second rotation moves everything again.
    let again = ledgerbridge::keys::rotate(&config, &store)
        .await
        .expect("rotates");
    assert_eq!(again.resealed, 1);
    assert_ne!(again.key_id, report.key_id);
}

#[tokio::test]
async fn a_configured_master_key_and_its_older_name_both_seal() {
    use base64::Engine;
    let key = ledgerbridge::keys::generate();
    let bytes: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(&key)
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    let expected = ledgerbridge_store::crypto::SecretBox::new(&bytes).key_id();
    for name in ["LEDGERBRIDGE_MASTER_KEY", "LEDGERBRIDGE_SECRET_KEY"] {
        let k = key.clone();
        let app = TestApp::spawn_with(move |c| {
            if name == "LEDGERBRIDGE_MASTER_KEY" {
                c.master_key = Some(k);
            } else {
                c.secret_key = Some(k);
            }
        })
        .await;
        let c = app
            .create_company(json!({"name": "Acme", "platformType": "mqjo"}))
            .await;
        let company = c["id"].as_str().expect("id");
        let conn = c["dataConnections"][0]["id"].as_str().expect("connection");
        let (s, body) = app
            .call(
                Method::PUT,
                &format!("/companies/{company}/connections/{conn}/authorization"),
                Some(json!({"dataset": "small"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let sealed = app
            .store()
            .await
            .connection_credentials(company.parse().expect("c"), conn.parse().expect("k"))
            .await
            .expect("read")
            .expect("sealed");
        assert_eq!(sealed.key_id, expected, "{name}");
    }
}
