//! Hosted Link in a real browser: headless Chromium (`/usr/bin/chromium`, Debian's
//! `chromium` and `chromium-driver`, installed by `.ci/run`) driven over WebDriver with
//! fantoccini, on a phone-sized window. Four journeys: the Sandbox with a size, an OAuth
//! platform approved on its consent page, the owner cancelling there, and re-linking a
//! `Deauthorized` connection. A screenshot of every page lands in
//! `target/link-screenshots/`.
//!
//! Without `chromedriver` the test is skipped with a message, unless `CI=true`, where it
//! fails.
//!
//! The OAuth platform is Xero, played by the local Xero simulator (`ledgerbridge-fakes`):
//! the owner approves or cancels on its consent page.

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use ledgerbridge_domain::platform::DataConnectionError;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::xero_flow::{enable_xero, start_simulator};

/// The Xero simulator's consent buttons.
const APPROVE: &str = "button[value=approve]";
const DENY: &str = "button[value=deny]";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// `chromedriver` on a free port, killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Starts chromedriver, or says why the test cannot run (a failure under `CI=true`).
async fn start_driver() -> Option<Driver> {
    let binary = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| find_on_path("chromedriver"));
    let Some(binary) = binary else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "chromedriver is not installed: .ci/run must install Debian's chromium and chromium-driver"
        );
        eprintln!(
            "SKIPPED link_journeys_in_headless_chromium: chromedriver not found \
             (apt-get install chromium chromium-driver, or set CHROMEDRIVER)"
        );
        return None;
    };
    let port = StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Some(driver)
}

async fn browser(driver: &Driver) -> Client {
    let chromium = env_or("CHROMIUM", "/usr/bin/chromium");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=390,844", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update"]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("WebDriver session")
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("link-screenshots")
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
}

/// A tiny stand-in for the client's site: `/done` echoes its query.
async fn client_site() -> String {
    let app = axum::Router::new().route(
        "/done",
        axum::routing::get(|q: axum::extract::RawQuery| async move {
            axum::response::Html(format!(
                "<!doctype html><html lang=en><head><meta charset=utf-8><title>Client</title></head>\
                 <body><h1>Back at the client</h1><p id=q>{}</p></body></html>",
                q.0.unwrap_or_default().replace('<', "&lt;")
            ))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind client site");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

async fn current_query(c: &Client) -> std::collections::BTreeMap<String, String> {
    let url = c.current_url().await.expect("url");
    url.query_pairs().into_owned().collect()
}

async fn connections(app: &TestApp, company: &str) -> Vec<Value> {
    let (s, list) = app.get(&format!("/companies/{company}/connections")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["results"].as_array().cloned().unwrap_or_default()
}

async fn pick_oauth(c: &Client, app: &TestApp, company: &Value, key: &str, shots: Option<&str>) {
    c.goto(company["redirect"].as_str().expect("redirect"))
        .await
        .expect("open Link");
    let button = c
        .find(Locator::Css(&format!(
            "button[aria-describedby='name-{key}']"
        )))
        .await
        .expect("platform button");
    button.click().await.expect("pick platform");
    // The platform's consent page.
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(APPROVE))
        .await
        .expect("consent page");
    if let Some(name) = shots {
        shot(c, name).await;
    }
    let _ = app;
}

async fn wait_for_client(c: &Client) {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("q"))
        .await
        .expect("back at the client");
}

#[tokio::test]
async fn link_journeys_in_headless_chromium() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let sim = start_simulator().await;
    let key = "gbol".to_string();
    let app = TestApp::spawn_with(|c| enable_xero(c, &sim)).await;
    let client_base = client_site().await;
    let (s, body) = app
        .call(
            Method::PUT,
            "/profile",
            Some(json!({
                "name": "Acme Lending",
                "redirectUrl": format!("{client_base}/done?status={{statusCode}}&message={{errorMessage}}&platform={{platform}}&connection={{connectionId}}&ref={{ref}}")
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let c = browser(&driver).await;

    // 1. The Sandbox, choosing a size.
    let company = app
        .create_company(json!({"name": "Platypus Properties"}))
        .await;
    let id = company["id"].as_str().expect("id").to_string();
    c.goto(&format!(
        "{}?ref=sandbox-1",
        company["redirect"].as_str().expect("redirect")
    ))
    .await
    .expect("open Link");
    shot(&c, "01-picker").await;
    let size = c
        .find(Locator::Id("dataset-mqjo"))
        .await
        .expect("size select");
    size.select_by_value("medium").await.expect("choose medium");
    c.find(Locator::Css("button[aria-describedby='name-mqjo']"))
        .await
        .expect("Sandbox button")
        .click()
        .await
        .expect("connect Sandbox");
    wait_for_client(&c).await;
    shot(&c, "02-client-after-sandbox").await;
    let q = current_query(&c).await;
    assert_eq!(
        (
            q["status"].as_str(),
            q["platform"].as_str(),
            q["ref"].as_str()
        ),
        ("200", "mqjo", "sandbox-1")
    );
    let conns = connections(&app, &id).await;
    assert_eq!(
        (conns.len(), conns[0]["status"].as_str()),
        (1, Some("Linked"))
    );
    let (_, status) = app.get(&format!("/companies/{id}/dataStatus")).await;
    assert!(
        status.as_object().is_some_and(|o| !o.is_empty()),
        "first syncs queued: {status}"
    );

    // 2. An OAuth platform, approved on its consent page.
    let company = app
        .create_company(json!({"name": "Wombat Wholesale"}))
        .await;
    let id = company["id"].as_str().expect("id").to_string();
    pick_oauth(&c, &app, &company, &key, Some("03-consent")).await;
    c.find(Locator::Css(APPROVE))
        .await
        .expect("approve")
        .click()
        .await
        .expect("approve");
    wait_for_client(&c).await;
    shot(&c, "04-client-after-oauth").await;
    let q = current_query(&c).await;
    assert_eq!(
        (q["status"].as_str(), q["platform"].as_str()),
        ("200", key.as_str())
    );
    let conns = connections(&app, &id).await;
    assert_eq!(conns[0]["status"], "Linked");
    let oauth_connection = conns[0]["id"].as_str().expect("id").to_string();
    assert_eq!(q["connection"], oauth_connection);
    let (_, status) = app.get(&format!("/companies/{id}/dataStatus")).await;
    assert!(
        status.as_object().is_some_and(|o| !o.is_empty()),
        "first syncs queued: {status}"
    );

    // 3. The owner cancels on the consent page.
    let cancelling = app.create_company(json!({"name": "Echidna Events"})).await;
    pick_oauth(&c, &app, &cancelling, &key, None).await;
    c.find(Locator::Css(DENY))
        .await
        .expect("deny")
        .click()
        .await
        .expect("deny");
    wait_for_client(&c).await;
    shot(&c, "05-client-after-cancel").await;
    let q = current_query(&c).await;
    assert_eq!(
        (q["status"].as_str(), q["message"].as_str()),
        ("403", "User cancelled.")
    );
    let cid = cancelling["id"].as_str().expect("id");
    assert_eq!(connections(&app, cid).await[0]["status"], "PendingAuth");

    // 4. Re-linking the Deauthorized OAuth connection through the same redirect.
    let store = app.store().await;
    let error = DataConnectionError::deauthorized("Unauthorized");
    assert!(
        store
            .deauthorize_connection(
                id.parse().expect("c"),
                oauth_connection.parse().expect("k"),
                &error
            )
            .await
            .expect("deauthorize")
    );
    c.goto(company["redirect"].as_str().expect("redirect"))
        .await
        .expect("open Link");
    shot(&c, "06-picker-deauthorized").await;
    pick_oauth(&c, &app, &company, &key, None).await;
    c.find(Locator::Css(APPROVE))
        .await
        .expect("approve")
        .click()
        .await
        .expect("approve");
    wait_for_client(&c).await;
    let q = current_query(&c).await;
    assert_eq!(
        (q["status"].as_str(), q["connection"].as_str()),
        ("200", oauth_connection.as_str())
    );
    let conns = connections(&app, &id).await;
    assert_eq!(
        (conns.len(), conns[0]["status"].as_str()),
        (1, Some("Linked"))
    );

    // Our own pages: the success page (no redirect URL) and a refusal.
    let (s, _) = app
        .call(
            Method::PUT,
            "/profile",
            Some(json!({"name": "Acme Lending", "redirectUrl": ""})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let plain = app.create_company(json!({"name": "Koala Kitchens"})).await;
    let (_, conn) = app
        .post(
            &format!(
                "/companies/{}/connections",
                plain["id"].as_str().expect("id")
            ),
            json!({"platformKey": "mqjo"}),
        )
        .await;
    c.goto(conn["linkUrl"].as_str().expect("linkUrl"))
        .await
        .expect("linkUrl");
    shot(&c, "07-sandbox-size").await;
    c.find(Locator::Id("size-small"))
        .await
        .expect("radio")
        .click()
        .await
        .expect("choose");
    c.find(Locator::Css("main button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("submit");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("p.code"))
        .await
        .expect("success page");
    shot(&c, "08-linked").await;
    assert!(c.source().await.expect("source").contains("Linked"));
    c.goto(&format!("{}/link/callback?state=forged&code=x", app.base))
        .await
        .expect("callback");
    shot(&c, "09-refused").await;
    assert!(
        c.source()
            .await
            .expect("source")
            .contains("not issued by us")
    );
    c.close().await.expect("close");
}
