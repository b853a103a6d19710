use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn list_get_branding_and_filters() {
    let app = TestApp::spawn().await;
    let (s, list) = app.get("/integrations").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["totalResults"], 3);
    let keys: Vec<&str> = list["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|i| i["key"].as_str())
        .collect();
    assert_eq!(keys, ["mqjo", "gbol", "qhyg"]);

    let (s, enabled) = app
        .get("/integrations?query=sourceType=accounting%26%26enabled=true")
        .await;
    assert_eq!(s, StatusCode::OK, "{enabled}");
    assert_eq!(enabled["totalResults"], 1);
    assert_eq!(enabled["results"][0]["key"], "mqjo");

    let (_, ordered) = app.get("/integrations?orderBy=-name").await;
    assert_eq!(ordered["results"][0]["name"], "Xero");

    let (s, sandbox) = app.get("/integrations/mqjo").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sandbox["name"], "Sandbox");
    assert_eq!(sandbox["enabled"], true);
    let features = sandbox["datatypeFeatures"].as_array().expect("features");
    assert!(
        features
            .iter()
            .any(|f| f["dataType"] == "invoices"
                && f["supportedFeatures"][0]["featureType"] == "Get")
    );

    let (s, xero) = app.get("/integrations/gbol").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(xero["enabled"], false);

    let (s, branding) = app.get("/integrations/gbol/branding").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        branding["logo"]["full"]["image"]["src"]
            .as_str()
            .expect("src")
            .ends_with("/static/logos/gbol.svg")
    );

    let logo = app
        .client
        .get(format!("{}/static/logos/gbol.svg", app.base))
        .send()
        .await
        .expect("logo");
    assert_eq!(logo.status(), StatusCode::OK);

    let (s, body) = app.get("/integrations/zzzz").await;
    assert_error(s, &body, StatusCode::NOT_FOUND);
    let (s, body) = app.get("/integrations?query=colour=red").await;
    assert_eq!(
        assert_error(s, &body, StatusCode::BAD_REQUEST),
        "Error parsing query - Could not resolve property colour on Integration"
    );
}
