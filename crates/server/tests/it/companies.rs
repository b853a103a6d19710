use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn seed_example_creates_sandbox_company_with_pending_connection() {
    let app = TestApp::spawn().await;
    let c = app
        .create_company(json!({"name": "Platypus Properties", "platformType": "mqjo"}))
        .await;
    let id = c["id"].as_str().expect("id");
    assert_eq!(c["name"], "Platypus Properties");
    assert_eq!(c["platform"], "Sandbox");
    assert!(
        c["redirect"]
            .as_str()
            .expect("redirect")
            .ends_with(&format!("/link/company/{id}"))
    );
    let conns = c["dataConnections"].as_array().expect("dataConnections");
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0]["status"], "PendingAuth");
    assert_eq!(conns[0]["integrationKey"], "mqjo");
    assert_eq!(conns[0]["platformName"], "Sandbox");
    assert_eq!(conns[0]["sourceType"], "Accounting");
    let conn_id = conns[0]["id"].as_str().expect("conn id");
    assert!(
        conns[0]["linkUrl"]
            .as_str()
            .expect("linkUrl")
            .ends_with(&format!("/link/companies/{id}/connections/{conn_id}/start"))
    );
    // Absent optional values are left out, never null.
    assert!(c.get("lastSync").is_none() && c.get("description").is_none());
}

#[tokio::test]
async fn create_get_replace_update_delete() {
    let app = TestApp::spawn().await;
    let c = app
        .create_company(
            json!({"name": "Company (Codat[1])", "description": "d", "tags": {"region": "uk"}}),
        )
        .await;
    assert_eq!(
        c["name"], "Company Codat1",
        "forbidden characters are stripped"
    );
    assert_eq!(c["platform"], "");
    assert_eq!(c["dataConnections"], json!([]));
    let id = c["id"].as_str().expect("id").to_string();

    let (s, got) = app.get(&format!("/companies/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, c);

    // PATCH leaves omitted fields alone.
    let (s, patched) = app
        .call(
            Method::PATCH,
            &format!("/companies/{id}"),
            Some(json!({"description": "new"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Company Codat1");
    assert_eq!(patched["description"], "new");
    assert_eq!(patched["tags"], json!({"region": "uk"}));
    // PATCH with empty tags clears them; null tags leave them.
    let (_, p2) = app
        .call(
            Method::PATCH,
            &format!("/companies/{id}"),
            Some(json!({"tags": null})),
        )
        .await;
    assert_eq!(p2["tags"], json!({"region": "uk"}));
    let (_, p3) = app
        .call(
            Method::PATCH,
            &format!("/companies/{id}"),
            Some(json!({"tags": {}})),
        )
        .await;
    assert_eq!(p3["tags"], json!({}));

    // PUT replaces everything, omitted fields included.
    let (s, put) = app
        .call(
            Method::PUT,
            &format!("/companies/{id}"),
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{put}");
    assert_eq!(put["name"], "Renamed");
    assert!(put.get("description").is_none());

    let (s, body) = app
        .call(Method::DELETE, &format!("/companies/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(body, serde_json::Value::Null);
    let (s, body) = app.get(&format!("/companies/{id}")).await;
    assert_eq!(
        assert_error(s, &body, StatusCode::NOT_FOUND),
        format!("No company was found with ID {id}")
    );
    let (s, body) = app
        .call(Method::DELETE, &format!("/companies/{id}"), None)
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_removes_connections_and_settings() {
    let app = TestApp::spawn().await;
    let c = app
        .create_company(json!({"name": "Gone", "platformType": "mqjo"}))
        .await;
    let id = c["id"].as_str().expect("id");
    let conn = c["dataConnections"][0]["id"].as_str().expect("conn");
    let (s, _) = app
        .call(Method::DELETE, &format!("/companies/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app
        .get(&format!("/companies/{id}/connections/{conn}"))
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = app.get(&format!("/companies/{id}/syncSettings")).await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_pages_filters_and_orders() {
    let app = TestApp::spawn().await;
    for i in 0..7 {
        let platform = if i % 2 == 0 { Some("mqjo") } else { None };
        let mut body = json!({"name": format!("Company {i}"), "tags": {"region": if i < 3 { "uk" } else { "us" }, "n": i.to_string()}});
        if let Some(p) = platform {
            body["platformType"] = json!(p);
        }
        app.create_company(body).await;
    }
    let (s, page) = app.get("/companies?page=2&pageSize=3").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["pageNumber"], 2);
    assert_eq!(page["pageSize"], 3);
    assert_eq!(page["totalResults"], 7);
    assert_eq!(page["results"].as_array().map(Vec::len), Some(3));
    assert_eq!(page["_links"]["self"]["href"], "/companies");
    assert_eq!(
        page["_links"]["current"]["href"],
        "/companies?page=2&pageSize=3"
    );
    assert_eq!(
        page["_links"]["next"]["href"],
        "/companies?page=3&pageSize=3"
    );
    assert_eq!(
        page["_links"]["previous"]["href"],
        "/companies?page=1&pageSize=3"
    );

    let (_, first) = app.get("/companies").await;
    assert_eq!(first["pageSize"], 100);
    assert!(first["_links"].get("next").is_none() && first["_links"].get("previous").is_none());

    let (_, past) = app.get("/companies?page=5&pageSize=3").await;
    assert_eq!(past["results"], json!([]));
    assert_eq!(past["totalResults"], 7);
    assert_eq!(
        past["_links"]["previous"]["href"],
        "/companies?page=4&pageSize=3"
    );

    let (s, pending) = app
        .get("/companies?query=dataConnections.status=PendingAuth")
        .await;
    assert_eq!(s, StatusCode::OK, "{pending}");
    assert_eq!(pending["totalResults"], 4);
    assert_eq!(
        pending["_links"]["current"]["href"],
        "/companies?page=1&pageSize=100&query=dataConnections.status%3DPendingAuth"
    );
    let (_, none) = app
        .get("/companies?query=dataConnections.status!%3DPendingAuth%26%26dataConnections.status!%3DLinked")
        .await;
    assert_eq!(none["totalResults"], 3, "companies without connections");

    let (_, named) = app.get("/companies?query=name%3Dcompany%203").await;
    assert_eq!(
        named["totalResults"], 1,
        "string equality is case-insensitive: {named}"
    );

    let (_, ordered) = app.get("/companies?orderBy=-name&pageSize=2").await;
    let names: Vec<&str> = ordered["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Company 6", "Company 5"]);
    assert_eq!(
        ordered["_links"]["next"]["href"],
        "/companies?page=2&pageSize=2&orderBy=-name"
    );

    let (_, tagged) = app.get("/companies?tags=region%3Duk").await;
    assert_eq!(tagged["totalResults"], 3, "{tagged}");
    let (_, tagged) = app
        .get("/companies?tags=region%3Dus%20%26%26%20n!%3D3")
        .await;
    assert_eq!(tagged["totalResults"], 3, "{tagged}");
    let (_, tq) = app.get("/companies?query=tags.region%3Duk").await;
    assert_eq!(tq["totalResults"], 3, "{tq}");
}

#[tokio::test]
async fn pages_never_overlap_when_the_order_ties() {
    let app = TestApp::spawn().await;
    for _ in 0..9 {
        app.create_company(json!({"name": "Same"})).await;
    }
    let mut seen = std::collections::HashSet::new();
    for page in 1..=3 {
        let (_, p) = app
            .get(&format!("/companies?orderBy=name&pageSize=3&page={page}"))
            .await;
        for c in p["results"].as_array().expect("results") {
            assert!(
                seen.insert(c["id"].as_str().expect("id").to_string()),
                "duplicate across pages"
            );
        }
    }
    assert_eq!(seen.len(), 9);
}
