use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn profile_round_trip_and_validation() {
    let app = TestApp::spawn().await;
    let (s, p) = app.get("/profile").await;
    assert_eq!(s, StatusCode::OK);
    assert!(p["name"].is_string() && p["redirectUrl"].is_string(), "{p}");
    let profile = json!({
        "name": "Bob's Burgers",
        "logoUrl": "https://example.com/logo.png",
        "redirectUrl": "https://bobs-burgers.{countrySuffix}/{companyId}",
        "whiteListUrls": ["https://bobs-burgers.com"]
    });
    let (s, put) = app
        .call(Method::PUT, "/profile", Some(profile.clone()))
        .await;
    assert_eq!(s, StatusCode::OK, "{put}");
    assert_eq!(put, profile);
    let (_, got) = app.get("/profile").await;
    assert_eq!(got, profile);
    let (s, body) = app
        .call(
            Method::PUT,
            "/profile",
            Some(json!({"name": "x", "redirectUrl": "javascript:alert(1)"})),
        )
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    assert_eq!(body["validation"]["errors"][0]["itemId"], "redirectUrl");
}

#[tokio::test]
async fn sync_settings_profile_and_company() {
    let app = TestApp::spawn().await;
    let (s, defaults) = app.get("/profile/syncSettings").await;
    assert_eq!(s, StatusCode::OK);
    let client_id = defaults["clientId"]
        .as_str()
        .unwrap_or_else(|| panic!("clientId missing: {defaults}"));
    assert!(client_id.parse::<uuid::Uuid>().is_ok(), "{client_id}");
    let settings = defaults["settings"].as_array().expect("settings");
    assert!(settings.iter().any(|s| s["dataType"] == "invoices"
        && s["fetchOnFirstLink"] == true
        && s["syncSchedule"] == 24));
    assert!(
        settings
            .iter()
            .any(|s| s["dataType"] == "balanceSheet" && s["monthsToSync"] == 24)
    );

    let new = json!({"clientId": "c", "overridesDefaults": true, "settings": [
        {"dataType": "invoices", "fetchOnFirstLink": true, "syncSchedule": 12, "syncOrder": 0, "syncFromWindow": 6}
    ]});
    let (s, _) = app.post("/profile/syncSettings", new.clone()).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = app.get("/profile/syncSettings").await;
    assert_eq!(got["settings"], new["settings"]);

    let (s, body) = app
        .post("/profile/syncSettings", json!({"clientId": "c", "overridesDefaults": true, "settings": [
            {"dataType": "invoices", "fetchOnFirstLink": true, "syncSchedule": 12, "syncOrder": 0, "monthsToSync": 3}
        ]}))
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, body) = app
        .post("/profile/syncSettings", json!({"settings": [{"dataType": "nope", "fetchOnFirstLink": true, "syncSchedule": 1, "syncOrder": 0}]}))
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);

    let c = app.create_company(json!({"name": "Acme"})).await;
    let id = c["id"].as_str().expect("id");
    let (s, inherited) = app.get(&format!("/companies/{id}/syncSettings")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(inherited["overridesDefaults"], false);
    assert_eq!(inherited["settings"], new["settings"]);
    let own = json!({"companyId": id, "overridesDefaults": true, "settings": [
        {"dataType": "bills", "fetchOnFirstLink": false, "syncSchedule": 0, "syncOrder": 1}
    ]});
    let (s, _) = app
        .post(&format!("/companies/{id}/syncSettings"), own.clone())
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, got) = app.get(&format!("/companies/{id}/syncSettings")).await;
    assert_eq!(got, own);
    let other = uuid::Uuid::new_v4();
    let (s, body) = app
        .post(
            &format!("/companies/{id}/syncSettings"),
            json!({"companyId": other, "settings": [], "overridesDefaults": true}),
        )
        .await;
    assert_error(s, &body, StatusCode::BAD_REQUEST);
    let (s, body) = app
        .post(
            &format!("/companies/{other}/syncSettings"),
            json!({"companyId": other, "settings": [], "overridesDefaults": true}),
        )
        .await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_settings() {
    let app = TestApp::spawn().await;
    let (s, empty) = app.get("/corsSettings").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(empty, json!({"allowedOrigins": []}));
    let body = json!({"allowedOrigins": ["https://app.example.com", "http://localhost:3000"]});
    let (s, set) = app.post("/corsSettings", body.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(set, body);
    let (_, legacy) = app.get("/connectionManagement/corsSettings").await;
    assert_eq!(legacy, body);
    let (s, err) = app
        .post(
            "/corsSettings",
            json!({"allowedOrigins": ["https://a.com/path"]}),
        )
        .await;
    assert_error(s, &err, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cors_settings_take_effect() {
    let app = TestApp::spawn().await;
    let (s, _) = app
        .post(
            "/corsSettings",
            json!({"allowedOrigins": ["https://app.example.com"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, format!("{}/companies", app.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let ok = preflight("https://app.example.com")
        .await
        .expect("preflight");
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(
        ok.headers()["access-control-allow-headers"]
            .to_str()
            .expect("ascii")
            .contains("Authorization")
    );
    let denied = preflight("https://evil.example.com")
        .await
        .expect("preflight");
    assert!(
        denied
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let resp = app
        .client
        .get(format!("{}/companies", app.base))
        .header("Authorization", &app.auth)
        .header("Origin", "https://app.example.com")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
}
