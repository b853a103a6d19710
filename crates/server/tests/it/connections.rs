use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn create_list_get_delete_connection() {
    let app = TestApp::spawn().await;
    let c = app.create_company(json!({"name": "Acme"})).await;
    let id = c["id"].as_str().expect("id");

    let (s, conn) = app
        .post(
            &format!("/companies/{id}/connections"),
            json!({"platformKey": "mqjo"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{conn}");
    assert_eq!(conn["status"], "PendingAuth");
    assert_eq!(conn["platformName"], "Sandbox");
    for field in [
        "id",
        "integrationId",
        "sourceId",
        "platformName",
        "linkUrl",
        "status",
        "created",
        "sourceType",
    ] {
        assert!(conn.get(field).is_some(), "{field} missing from {conn}");
    }
    let conn_id = conn["id"].as_str().expect("conn id");

    let (s, list) = app.get(&format!("/companies/{id}/connections")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["totalResults"], 1);
    assert_eq!(list["results"][0], conn);
    assert_eq!(
        list["_links"]["self"]["href"],
        format!("/companies/{id}/connections")
    );

    let (_, filtered) = app
        .get(&format!(
            "/companies/{id}/connections?query=status%3DLinked"
        ))
        .await;
    assert_eq!(filtered["totalResults"], 0);
    let (_, filtered) = app
        .get(&format!(
            "/companies/{id}/connections?query=status%3Dpendingauth&orderBy=-created"
        ))
        .await;
    assert_eq!(filtered["totalResults"], 1);

    let (s, got) = app
        .get(&format!("/companies/{id}/connections/{conn_id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, conn);

    let (_, company) = app.get(&format!("/companies/{id}")).await;
    assert_eq!(company["dataConnections"][0], conn);

    let (s, body) = app
        .call(
            Method::DELETE,
            &format!("/companies/{id}/connections/{conn_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        body,
        serde_json::Value::Null,
        "delete connection answers 200 with no body"
    );
    let (s, body) = app
        .get(&format!("/companies/{id}/connections/{conn_id}"))
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::NOT_FOUND),
        format!("Data connection {conn_id} not found")
    );
    let (_, company) = app.get(&format!("/companies/{id}")).await;
    assert_eq!(company["dataConnections"], json!([]));
}

#[tokio::test]
async fn unlink_only_from_linked() {
    let app = TestApp::spawn().await;
    let c = app
        .create_company(json!({"name": "Acme", "platformType": "mqjo"}))
        .await;
    let id = c["id"].as_str().expect("id");
    let conn = c["dataConnections"][0]["id"].as_str().expect("conn");
    let (s, body) = app
        .call(
            Method::PATCH,
            &format!("/companies/{id}/connections/{conn}"),
            Some(json!({"status": "Unlinked"})),
        )
        .await;
    let msg = assert_error(s, &body, StatusCode::BAD_REQUEST);
    assert!(
        msg.contains("Only Linked connections can be unlinked"),
        "{msg}"
    );
    let (s, body) = app
        .call(
            Method::PATCH,
            &format!("/companies/{id}/connections/{conn}"),
            Some(json!({"status": "Linked"})),
        )
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, body) = app
        .call(
            Method::PATCH,
            &format!("/companies/{id}/connections/{conn}"),
            Some(json!({"status": "Unlinked", "x": 1})),
        )
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn authorization_is_stored_and_connection_returned() {
    let app = TestApp::spawn().await;
    let c = app
        .create_company(json!({"name": "Acme", "platformType": "mqjo"}))
        .await;
    let id = c["id"].as_str().expect("id");
    let conn = c["dataConnections"][0]["id"].as_str().expect("conn");
    let (s, body) = app
        .call(
            Method::PUT,
            &format!("/companies/{id}/connections/{conn}/authorization"),
            Some(json!({"token": "s3cr3t"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["id"], conn);
    assert!(
        !body.to_string().contains("s3cr3t"),
        "credentials are never echoed"
    );
}

#[tokio::test]
async fn bad_platform_keys_and_unknown_ids() {
    let app = TestApp::spawn().await;
    let c = app.create_company(json!({"name": "Acme"})).await;
    let id = c["id"].as_str().expect("id");
    let (s, body) = app
        .post(
            &format!("/companies/{id}/connections"),
            json!({"platformKey": "zzzz"}),
        )
        .await;
    let msg = assert_error(s, &body, StatusCode::BAD_REQUEST);
    assert!(msg.contains("zzzz") && msg.contains("mqjo"), "{msg}");
    let (s, body) = app
        .post(
            &format!("/companies/{id}/connections"),
            json!({"platformKey": "gbol"}),
        )
        .await;
    let msg = assert_error(s, &body, StatusCode::BAD_REQUEST);
    assert!(msg.contains("not enabled"), "{msg}");
    let (s, body) = app
        .post("/companies", json!({"name": "X", "platformType": "qhyg"}))
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);

    let missing = uuid::Uuid::new_v4();
    let (s, body) = app
        .post(
            &format!("/companies/{missing}/connections"),
            json!({"platformKey": "mqjo"}),
        )
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::NOT_FOUND),
        format!("No company was found with ID {missing}")
    );
    let (s, body) = app.get(&format!("/companies/{missing}/connections")).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = app
        .get(&format!("/companies/{id}/connections/{missing}"))
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::NOT_FOUND),
        format!("Data connection {missing} not found")
    );
    let (s, body) = app
        .get(&format!("/companies/{id}/connections/not-a-uuid"))
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, body) = app
        .call(
            Method::DELETE,
            &format!("/companies/{id}/connections/{missing}"),
            None,
        )
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn enabled_oauth_platforms_accept_connections() {
    let app = TestApp::spawn_with(|c| {
        c.xero_client_id = Some("id".into());
        c.xero_client_secret = Some("secret".into());
    })
    .await;
    let c = app
        .create_company(json!({"name": "Acme", "platformType": "gbol"}))
        .await;
    assert_eq!(c["platform"], "Xero");
    assert_eq!(c["dataConnections"][0]["platformName"], "Xero");
}
