use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error, basic};

#[tokio::test]
async fn credentials_are_required() {
    let app = TestApp::spawn().await;
    for auth in [None, Some("Basic"), Some("Basic !!!"), Some("Bearer abc")] {
        let (s, body) = app
            .call_with_auth(Method::GET, "/companies", None, auth)
            .await;
        assert_eq!(
            assert_error(s, &body, StatusCode::UNAUTHORIZED),
            "Unauthorized"
        );
    }
    let wrong = basic("not-a-key");
    let (s, body) = app
        .call_with_auth(
            Method::POST,
            "/companies",
            Some(json!({"name": "x"})),
            Some(&wrong),
        )
        .await;
    assert_error(s, &body, StatusCode::UNAUTHORIZED);
    // Public routes need no key.
    for path in ["/health", "/ready", "/openapi.json", "/docs"] {
        let (s, _) = app.call_with_auth(Method::GET, path, None, None).await;
        assert_eq!(s, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn bad_bodies_name_the_field() {
    let app = TestApp::spawn().await;
    let (s, body) = app
        .call_raw(
            Method::POST,
            "/companies",
            "application/json",
            "{\"name\": ",
        )
        .await;
    assert!(assert_error(s, &body, StatusCode::BAD_REQUEST).contains("not valid JSON"));
    let (s, body) = app.post("/companies", json!({"name": 5})).await;
    assert!(
        assert_error(s, &body, StatusCode::BAD_REQUEST).contains("`name`"),
        "{body}"
    );
    assert_eq!(body["validation"]["errors"][0]["itemId"], "name");
    let (s, body) = app
        .post("/companies", json!({"description": "no name"}))
        .await;
    assert!(
        assert_error(s, &body, StatusCode::BAD_REQUEST).contains("name"),
        "{body}"
    );
    let (s, body) = app
        .post("/companies", json!({"name": "x", "tags": {"a": 1}}))
        .await;
    assert!(
        assert_error(s, &body, StatusCode::BAD_REQUEST).contains("tags.a"),
        "{body}"
    );
    let (s, body) = app.post("/companies", json!({"name": "()[]"})).await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, body) = app.post("/companies", json!({"name": "   "})).await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, body) = app
        .call_raw(Method::POST, "/companies", "text/plain", "name=x")
        .await;
    assert_error(s, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let tags: serde_json::Map<String, serde_json::Value> =
        (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (s, body) = app
        .post("/companies", json!({"name": "x", "tags": tags}))
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_paths_and_paging() {
    let app = TestApp::spawn().await;
    let (s, body) = app.get("/companies/not-a-uuid").await;
    assert!(assert_error(s, &body, StatusCode::BAD_REQUEST).contains("not-a-uuid"));
    let missing = uuid::Uuid::new_v4();
    let (s, body) = app.get(&format!("/companies/{missing}")).await;
    assert_eq!(
        assert_error(s, &body, StatusCode::NOT_FOUND),
        format!("No company was found with ID {missing}")
    );
    for q in [
        "pageSize=0",
        "pageSize=5001",
        "page=0",
        "page=-1",
        "page=abc",
        "pageSize=1.5",
    ] {
        let (s, body) = app.get(&format!("/companies?{q}")).await;
        assert_error(s, &body, StatusCode::BAD_REQUEST);
    }
    let (s, _) = app.get("/companies?pageSize=5000").await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = app.get("/companies?query=name").await;
    assert_eq!(
        assert_error(s, &body, StatusCode::BAD_REQUEST),
        "Error parsing query - Malformed query."
    );
    let (s, body) = app.get("/companies?query=isCompleted%3Dtrue").await;
    assert_eq!(
        assert_error(s, &body, StatusCode::BAD_REQUEST),
        "Error parsing query - Could not resolve property isCompleted on Company"
    );
    let (s, body) = app.get("/companies?orderBy=nope").await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, body) = app
        .get("/companies?query=name%3Da%26%26name%3Db%7C%7Cname%3Dc")
        .await;
    assert_eq!(
        assert_error(s, &body, StatusCode::BAD_REQUEST),
        "Error parsing query - Malformed query."
    );
    let long = "a".repeat(2100);
    let (s, body) = app.get(&format!("/companies?query=name%3D{long}")).await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let app = TestApp::spawn().await;
    let (s, body) = app.get("/nope").await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = app.call(Method::DELETE, "/companies", None).await;
    assert_error(s, &body, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn openapi_document_lists_the_operations() {
    let app = TestApp::spawn().await;
    let (s, doc) = app.get("/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
    for path in [
        "/companies",
        "/companies/{companyId}",
        "/companies/{companyId}/connections",
        "/integrations",
        "/apiKeys",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let js = app
        .client
        .get(format!("{}/docs/assets/swagger-ui-bundle.js", app.base))
        .send()
        .await
        .expect("asset");
    assert_eq!(js.status(), StatusCode::OK);
}
