//! 50 clients creating, reading and deleting companies at once lose nothing and never see a
//! 5xx (on SQLite, `SQLITE_BUSY` must never reach a client).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

const CLIENTS: usize = 50;

fn duration() -> Duration {
    let secs = std::env::var("LEDGERBRIDGE_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_clients_lose_nothing() {
    let app = Arc::new(TestApp::spawn().await);
    let deadline = Instant::now() + duration();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut kept = Vec::new();
            let mut deleted = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let (s, c) = app.post("/companies", json!({"name": format!("client {client} #{n}"), "tags": {"c": client.to_string()}})).await;
                assert_eq!(s, StatusCode::OK, "create: {c}");
                let id = c["id"].as_str().expect("id").to_string();
                let (s, got) = app.get(&format!("/companies/{id}")).await;
                assert_eq!(s, StatusCode::OK, "read own write: {got}");
                if n.is_multiple_of(3) {
                    kept.push(id);
                } else {
                    let (s, body) = app.call(Method::DELETE, &format!("/companies/{id}"), None).await;
                    assert_eq!(s, StatusCode::NO_CONTENT, "delete: {body}");
                    deleted.push(id);
                }
            }
            (kept, deleted)
        }));
    }
    let mut kept = HashSet::new();
    let mut deleted = HashSet::new();
    for t in tasks {
        let (k, d) = t.await.expect("client task");
        kept.extend(k);
        deleted.extend(d);
    }
    assert!(
        kept.len() + deleted.len() >= CLIENTS * 3,
        "too little work done to prove anything"
    );

    let mut listed = HashSet::new();
    let mut page = 1;
    loop {
        let (s, p) = app
            .get(&format!("/companies?page={page}&pageSize=5000"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let results = p["results"].as_array().expect("results");
        listed.extend(
            results
                .iter()
                .filter_map(|c| c["id"].as_str().map(str::to_string)),
        );
        if results.len() < 5000 {
            break;
        }
        page += 1;
    }
    assert_eq!(listed, kept, "exactly the kept companies remain");
    assert!(deleted.is_disjoint(&listed));
}
