//! Spawning a test server and talking to it.

use std::path::PathBuf;

use base64::Engine;
use ledgerbridge::{Application, Config, Role};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const API_KEY: &str = "test-key-0123456789abcdefghijklmnopqrstuv";

/// A running server with its own database.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub auth: String,
    /// The server's database, for tests that must set up state no endpoint can create yet.
    pub database_url: String,
    /// Base URL of the private metrics listener, when the test turned metrics on.
    pub metrics: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// Starts a server with [`API_KEY`] accepted.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after letting `tweak` adjust the configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_seams(tweak, ledgerbridge::Seams::default()).await
    }

    /// Starts a server whose webhook dispatcher schedules by `clock`.
    pub async fn spawn_with_clock(
        tweak: impl FnOnce(&mut Config),
        clock: std::sync::Arc<dyn ledgerbridge_webhooks::Clock>,
    ) -> Self {
        let seams = ledgerbridge::Seams {
            clock,
            ..Default::default()
        };
        Self::spawn_seams(tweak, seams).await
    }

    /// Starts a server with these OAuth links for the Link pages (a fake platform).
    pub async fn spawn_full(
        tweak: impl FnOnce(&mut Config),
        links: Option<ledgerbridge_api::OAuthLinks>,
    ) -> Self {
        let seams = ledgerbridge::Seams {
            oauth: links.unwrap_or_default(),
            ..Default::default()
        };
        Self::spawn_seams(tweak, seams).await
    }

    /// Starts a server with `seams` swapped in, after `tweak` adjusted the configuration.
    pub async fn spawn_seams(tweak: impl FnOnce(&mut Config), seams: ledgerbridge::Seams) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = test_config(&dir).await;
        tweak(&mut config);
        let database_url = config.database_url.clone();
        let app = Application::build_with(config, seams)
            .await
            .expect("application builds");
        let base = format!("http://{}", app.local_addr());
        let metrics = app.metrics_addr().map(|a| format!("http://{a}"));
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        Self {
            base,
            client: reqwest::Client::new(),
            auth: basic(API_KEY),
            database_url,
            metrics,
            _dir: dir,
        }
    }
}

/// The configuration tests start from: port 0, a fresh database in `dir`, [`API_KEY`].
pub async fn test_config(dir: &tempfile::TempDir) -> Config {
    Config {
        role: Role::All,
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: PathBuf::from(dir.path()),
        database_url: ledgerbridge_store::testing::fresh_database_url(dir.path()).await,
        public_url: String::new(),
        api_key: Some(API_KEY.into()),
        secret_key: None,
        master_key: None,
        previous_master_keys: None,
        xero_client_id: None,
        xero_client_secret: None,
        // No Xero app: tests that want one point these at a simulator.
        xero_authorize_url: String::new(),
        xero_token_url: String::new(),
        xero_api_url: String::new(),
        xero_scopes: String::new(),
        quickbooks_client_id: None,
        quickbooks_client_secret: None,
        // No QuickBooks app: tests that want one point these at a simulator.
        quickbooks_authorize_url: String::new(),
        quickbooks_token_url: String::new(),
        quickbooks_api_url: String::new(),
        quickbooks_scopes: String::new(),
        log_format: "text".into(),
        // Tests that want syncs to run turn the worker on.
        worker_concurrency: 0,
        webhooks_allow_private: false,
        webhooks_retention_days: 30,
        // Metrics off unless a test turns them on (`127.0.0.1:0`).
        metrics_addr: String::new(),
        // No OTLP export unless a test sets a collector.
        otlp_endpoint: String::new(),
        // Limits far above what any test sends, unless a test is about them.
        rate_limit_daily_quota: 10_000_000,
        rate_limit_concurrency: 256,
        request_timeout_secs: 60,
        max_body_bytes: 2 * 1024 * 1024,
        shutdown_timeout_secs: 30,
    }
}

impl TestApp {
    /// A handle on a server started elsewhere (at `base`, on `database_url`).
    pub fn attach(base: &str, database_url: &str) -> Self {
        Self {
            base: base.to_string(),
            client: reqwest::Client::new(),
            auth: basic(API_KEY),
            database_url: database_url.to_string(),
            metrics: None,
            _dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Sends a request with the test key; returns status and JSON body (`Null` if empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with_auth(method, path, body, Some(&self.auth))
            .await
    }

    /// Sends a request with the given `Authorization` header (or none).
    pub async fn call_with_auth(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        auth: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body read");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, json)
    }

    /// Sends a raw body with a content type.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        let resp = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.auth)
            .header("Content-Type", content_type)
            .body(body.to_string())
            .send()
            .await
            .expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body read");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Polls `dataStatus` until at least one data type was queued and none is queued or
    /// running any more; returns the last status.
    pub async fn wait_for_syncs(&self, company: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let (s, status) = self.get(&format!("/companies/{company}/dataStatus")).await;
            assert_eq!(s, StatusCode::OK, "{status}");
            let entries = status.as_object().expect("dataStatus is an object");
            let running = entries.values().any(|v| {
                matches!(
                    v["currentStatus"].as_str(),
                    Some("Queued" | "Fetching" | "Initial")
                )
            });
            if !running && !entries.is_empty() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "syncs did not finish: {status}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// A second handle on the server's database.
    pub async fn store(&self) -> ledgerbridge_store::Store {
        ledgerbridge_store::Store::connect(&self.database_url)
            .await
            .expect("store")
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Creates a company and returns its JSON.
    pub async fn create_company(&self, body: Value) -> Value {
        let (status, json) = self.post("/companies", body).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        json
    }

    /// Creates a company named `name` on the Sandbox (its connection waiting to be linked);
    /// returns the company's and the connection's ids.
    pub async fn create_sandbox_company(&self, name: &str) -> (String, String) {
        let c = self
            .create_company(serde_json::json!({"name": name, "platformType": "mqjo"}))
            .await;
        let company = c["id"].as_str().expect("id").to_string();
        let conn = c["dataConnections"][0]["id"]
            .as_str()
            .expect("connection")
            .to_string();
        (company, conn)
    }

    /// Creates a company named `name` on the Sandbox and links its connection to the `small`
    /// books of `seed`; returns the company's and the connection's ids.
    pub async fn link_small_sandbox(&self, name: &str, seed: &str) -> (String, String) {
        let (company, conn) = self.create_sandbox_company(name).await;
        let (status, body) = self
            .call(
                Method::PUT,
                &format!("/companies/{company}/connections/{conn}/authorization"),
                Some(serde_json::json!({"dataset": "small", "seed": seed})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (company, conn)
    }
}

/// `Basic base64(key)`.
pub fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// Asserts Codat's error body with the given status, returning the `error` text.
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode) -> String {
    assert_eq!(status, expected, "{body}");
    assert_eq!(
        body["statusCode"].as_u64(),
        Some(u64::from(expected.as_u16())),
        "{body}"
    );
    for field in ["service", "error", "correlationId", "canBeRetried"] {
        assert!(body[field].is_string(), "missing {field}: {body}");
    }
    assert!(body["detailedErrorCode"].is_i64(), "{body}");
    assert_eq!(
        body["correlationId"].as_str().map(str::len),
        Some(32),
        "{body}"
    );
    body["error"].as_str().unwrap_or_default().to_string()
}
