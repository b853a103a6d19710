//! Client rate limits in Codat's shape: the headers on every API response, 429 with
//! `Retry-After` and Codat's body over the daily quota or the concurrency, other keys
//! unaffected, and one quota shared by two nodes on one database.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{API_KEY, TestApp, assert_error, basic};

/// A `POST` whose body arrives in two halves: the first now, the rest when
/// [`SlowRequest::finish`] is called. The server holds the request in flight meanwhile.
pub struct SlowRequest {
    stream: tokio::net::TcpStream,
    rest: Vec<u8>,
}

impl SlowRequest {
    /// Sends the head and the first half of `body` to `base` (`http://host:port`).
    pub async fn start(base: &str, auth: &str, path: &str, body: &str) -> Self {
        let host = base.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {auth}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let half = body.len() / 2;
        stream.write_all(head.as_bytes()).await.expect("head");
        stream
            .write_all(&body.as_bytes()[..half])
            .await
            .expect("first half");
        stream.flush().await.expect("flush");
        Self {
            stream,
            rest: body.as_bytes()[half..].to_vec(),
        }
    }

    /// Sends the rest of the body and returns the status and the raw response.
    pub async fn finish(mut self) -> (u16, String) {
        self.stream.write_all(&self.rest).await.expect("rest");
        self.response().await
    }

    /// Reads the response without sending the rest of the body.
    pub async fn response(mut self) -> (u16, String) {
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), self.stream.read_to_end(&mut out))
            .await
            .expect("answered in time")
            .expect("read");
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }
}

/// GET `/companies` with `auth`: status, the three rate-limit headers, `Retry-After`, body.
async fn get_companies(
    app: &TestApp,
    auth: &str,
) -> (StatusCode, [Option<String>; 4], serde_json::Value) {
    let resp = app
        .client
        .get(format!("{}/companies", app.base))
        .header("Authorization", auth)
        .send()
        .await
        .expect("sent");
    let h = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let headers = [
        h("x-rate-limit-limit"),
        h("x-rate-limit-remaining"),
        h("x-rate-limit-reset"),
        h("retry-after"),
    ];
    let status = resp.status();
    let body = resp.json().await.unwrap_or(serde_json::Value::Null);
    (status, headers, body)
}

const TOO_MANY: &str =
    "You have made too many requests in a given amount of time; please retry later.";

#[tokio::test]
async fn a_client_over_its_quota_gets_429_and_another_is_unaffected() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit_daily_quota = 5;
        c.rate_limit_concurrency = 0;
    })
    .await;
    // Key B, created with key A's first request.
    let (s, created) = app.post("/apiKeys", json!({"name": "other client"})).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let other = basic(created["apiKey"].as_str().expect("apiKey"));

    for expected_remaining in [3, 2, 1, 0] {
        let (s, [limit, remaining, reset, retry], body) = get_companies(&app, &app.auth).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(limit.as_deref(), Some("5"));
        assert_eq!(
            remaining.as_deref(),
            Some(expected_remaining.to_string().as_str())
        );
        let reset = reset.expect("X-Rate-Limit-Reset");
        assert!(
            reset.ends_with("00:00:00 GMT"),
            "resets at midnight UTC: {reset}"
        );
        assert_eq!(retry, None, "no Retry-After while within the quota");
    }
    for _ in 0..2 {
        let (s, [limit, remaining, reset, retry], body) = get_companies(&app, &app.auth).await;
        let error = assert_error(s, &body, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(error, TOO_MANY);
        assert_eq!(limit.as_deref(), Some("5"));
        assert_eq!(remaining.as_deref(), Some("0"));
        assert!(reset.is_some());
        let retry: u64 = retry.expect("Retry-After").parse().expect("seconds");
        assert!(
            (1..=86_400).contains(&retry),
            "retry when the quota resets: {retry}"
        );
    }
    // Every other route of the key is limited too.
    let (s, body) = app.post("/companies", json!({"name": "Nope"})).await;
    assert_error(s, &body, StatusCode::TOO_MANY_REQUESTS);

    // Key B has its own quota.
    let (s, [limit, remaining, ..], body) = get_companies(&app, &other).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(limit.as_deref(), Some("5"));
    assert_eq!(remaining.as_deref(), Some("4"));
    // Public routes are not counted.
    let (s, _) = app
        .call_with_auth(reqwest::Method::GET, "/health", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn two_api_nodes_on_one_database_share_the_quota() {
    let first = TestApp::spawn_with(|c| {
        c.rate_limit_daily_quota = 6;
        c.rate_limit_concurrency = 0;
    })
    .await;
    let url = first.database_url.clone();
    let second = TestApp::spawn_with(|c| {
        c.database_url = url.clone();
        if url.starts_with("postgres") {
            c.role = ledgerbridge::Role::Api;
        }
        c.rate_limit_daily_quota = 6;
        c.rate_limit_concurrency = 0;
    })
    .await;
    let auth = basic(API_KEY);
    for (i, node) in [&first, &second, &first, &second, &first, &second]
        .into_iter()
        .enumerate()
    {
        let (s, [_, remaining, ..], body) = get_companies(node, &auth).await;
        assert_eq!(s, StatusCode::OK, "request {i}: {body}");
        assert_eq!(
            remaining.as_deref(),
            Some((5 - i).to_string().as_str()),
            "request {i}: both nodes count against one quota"
        );
    }
    for node in [&first, &second] {
        let (s, [_, remaining, _, retry], body) = get_companies(node, &auth).await;
        assert_error(s, &body, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(remaining.as_deref(), Some("0"));
        assert!(retry.is_some());
    }
}

#[tokio::test]
async fn a_client_over_its_concurrency_gets_429_until_a_request_ends() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit_concurrency = 1;
    })
    .await;
    let body = json!({"name": "Slow Upload Ltd"}).to_string();
    let slow = SlowRequest::start(&app.base, &app.auth, "/companies", &body).await;
    // Let the server take the first request in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (s, [limit, _, _, retry], err) = get_companies(&app, &app.auth).await;
    let error = assert_error(s, &err, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error, TOO_MANY);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(limit.as_deref(), Some("10000000"));
    let (status, text) = slow.finish().await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.to_ascii_lowercase().contains("x-rate-limit-remaining"),
        "{text}"
    );
    let (s, _, body) = get_companies(&app, &app.auth).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn request_bodies_and_durations_are_bounded() {
    let app = TestApp::spawn_with(|c| {
        c.max_body_bytes = 1024;
        c.request_timeout_secs = 1;
    })
    .await;
    let big = json!({"name": "x".repeat(2048)});
    let (s, body) = app.post("/companies", big).await;
    assert_error(s, &body, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, body) = app.post("/companies", json!({"name": "Small"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // A request whose body never finishes is answered 503 after the timeout.
    let started = std::time::Instant::now();
    let body = json!({"name": "Never Finished"}).to_string();
    let stuck = SlowRequest::start(&app.base, &app.auth, "/companies", &body).await;
    let (status, text) = stuck.response().await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("took too long"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let (s, list) = app.get("/companies?query=name%3DNever%20Finished").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["totalResults"], 0, "nothing half-written: {list}");
}

/// A node on `config`'s database, serving until `stop` is sent; its base URL and its run.
async fn start_node(
    config: ledgerbridge::Config,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let app = ledgerbridge::Application::build(config)
        .await
        .expect("application builds");
    let base = format!("http://{}", app.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    (base, stop, run)
}

#[tokio::test]
async fn a_stopping_node_hands_its_unspent_quota_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = crate::helpers::test_config(&dir).await;
    // Reserved in chunks of 10.
    config.rate_limit_daily_quota = 1000;
    config.rate_limit_concurrency = 0;
    let key_hash = ledgerbridge_store::api_keys::hash_api_key(API_KEY);
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let used = |store: ledgerbridge_store::Store| {
        let (key_hash, today) = (key_hash.clone(), today.clone());
        async move {
            let n = store.quota_used(&key_hash, &today).await.expect("used");
            store.close().await;
            n
        }
    };
    let auth = basic(API_KEY);

    let mut served = 0;
    for requests in [3, 2] {
        let (base, stop, run) = start_node(config.clone()).await;
        let node = TestApp::attach(&base, &config.database_url);
        for _ in 0..requests {
            served += 1;
            let (s, [_, remaining, ..], body) = get_companies(&node, &auth).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            assert_eq!(
                remaining.as_deref(),
                Some((1000 - served).to_string().as_str()),
                "request {served} counts once, across restarts"
            );
        }
        assert_eq!(
            used(node.store().await).await,
            served - requests + 10,
            "a running node holds a whole chunk"
        );
        stop.send(()).expect("node running");
        run.await.expect("joined").expect("stopped cleanly");
        assert_eq!(
            used(node.store().await).await,
            served,
            "after a graceful stop only what was served stays used"
        );
    }
}
