use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error, basic};

#[tokio::test]
async fn create_use_list_delete_and_limit() {
    let app = TestApp::spawn().await;
    let (s, list) = app.get("/apiKeys").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        list["results"],
        json!([]),
        "the configured key is not listed and none was generated"
    );

    let (s, created) = app
        .post(
            "/apiKeys",
            json!({"name": "azure-invoice-finance-processor"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let key = created["apiKey"].as_str().expect("apiKey").to_string();
    assert_eq!(key.len(), 40);
    let id = created["id"].as_str().expect("id").to_string();

    // The new key works at once.
    let (s, _) = app
        .call_with_auth(Method::GET, "/companies", None, Some(&basic(&key)))
        .await;
    assert_eq!(s, StatusCode::OK);
    // `base64(key:)` is tolerated.
    let (s, _) = app
        .call_with_auth(
            Method::GET,
            "/companies",
            None,
            Some(&basic(&format!("{key}:"))),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let (_, list) = app.get("/apiKeys").await;
    let listed = &list["results"][0];
    assert_eq!(listed["id"], id.as_str());
    assert_eq!(listed["name"], "azure-invoice-finance-processor");
    let masked = listed["apiKey"].as_str().expect("masked");
    assert_ne!(masked, key, "lists never show the full key");
    assert!(masked.contains('*'));

    // Without a body the key is unnamed.
    let (s, unnamed) = app.call(Method::POST, "/apiKeys", None).await;
    assert_eq!(s, StatusCode::CREATED, "{unnamed}");
    assert!(unnamed.get("name").is_none());

    for _ in 0..8 {
        let (s, _) = app.post("/apiKeys", json!({})).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (s, body) = app.post("/apiKeys", json!({"name": "eleventh"})).await;
    assert!(
        assert_error(s, &body, StatusCode::CONFLICT)
            .starts_with("Maximum number of API keys reached.")
    );

    let (s, body) = app.post("/apiKeys", json!({"name": "x".repeat(51)})).await;
    assert!(
        assert_error(s, &body, StatusCode::BAD_REQUEST)
            .contains("Max string length (50) for `name` reached.")
    );

    let (s, _) = app
        .call(Method::DELETE, &format!("/apiKeys/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app
        .call_with_auth(Method::GET, "/companies", None, Some(&basic(&key)))
        .await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED);
    let (s, body) = app
        .call(Method::DELETE, &format!("/apiKeys/{id}"), None)
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}
