//! Webhook delivery benchmark on SQLite: first-attempt latency after the commit that caused
//! the event, and deliveries per second to a local receiver.
//!
//! `cargo run --release -p ledgerbridge-webhooks --example webhooks_bench -- [events] [consumers]`
//! (defaults 5000 and 4). Phase 1 creates 400 companies one at a time, 5 ms apart, with the
//! dispatcher running, and measures commit → receipt for each message. Phase 2 enqueues
//! `events` companies' `company.created` for `consumers` consumers with no dispatcher running,
//! then starts one and times until every message arrived.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use ledgerbridge_domain::{CompanyId, Timestamp};
use ledgerbridge_store::Store;
use ledgerbridge_store::companies::CompanyRow;
use ledgerbridge_store::crypto::SecretBox;
use ledgerbridge_store::webhooks::WebhookConsumerRow;
use ledgerbridge_webhooks::{Dispatcher, DispatcherConfig, SystemClock};

#[derive(Default)]
struct Seen {
    /// (company id, consumer path) → first arrival.
    first: HashMap<(String, String), Instant>,
    total: usize,
}

type Shared = Arc<Mutex<Seen>>;

async fn receive(
    State(seen): State<Shared>,
    axum::extract::Path(hook): axum::extract::Path<String>,
    body: Bytes,
) -> StatusCode {
    let now = Instant::now();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let company = v["payload"]["id"].as_str().unwrap_or_default().to_string();
    let mut s = seen.lock().unwrap();
    s.total += 1;
    s.first.entry((company, hook)).or_insert(now);
    StatusCode::OK
}

fn company(i: usize) -> CompanyRow {
    CompanyRow {
        id: CompanyId::new(),
        name: format!("Bench {i}"),
        description: None,
        tags: Default::default(),
        platform: String::new(),
        created: Timestamp::now(),
        last_sync: None,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let events = args.first().copied().unwrap_or(5000);
    let consumers = args.get(1).copied().unwrap_or(4);

    let seen: Shared = Arc::default();
    let app = axum::Router::new()
        .route("/hook/{name}", post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let secrets = SecretBox::new(&SecretBox::generate_key());
    for c in 0..consumers {
        let row = WebhookConsumerRow {
            id: uuid::Uuid::now_v7(),
            url: format!("{base}/hook/c{c}"),
            disabled: false,
            event_types: vec!["company.created".into()],
            company_tags: None,
            created: Timestamp::now(),
            failing_since: None,
        };
        let secret = ledgerbridge_webhooks::signing::generate_secret();
        store
            .insert_webhook_consumer(&row, &secret, &secrets)
            .await
            .unwrap();
    }
    let dispatcher = || {
        Dispatcher::new(
            store.clone(),
            secrets.clone(),
            DispatcherConfig::new("http://ledgerbridge.local", true),
            Arc::new(SystemClock),
        )
        .unwrap()
    };

    // Phase 1: latency from commit to first attempt.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(dispatcher().run(stopped.clone()));
    let mut committed: Vec<(String, Instant)> = Vec::new();
    for i in 0..400 {
        let c = company(i);
        store.insert_company(&c, None).await.unwrap();
        committed.push((c.id.to_string(), Instant::now()));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let want = committed.len() * consumers;
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.lock().unwrap().first.len() < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut lat: Vec<f64> = Vec::new();
    {
        let s = seen.lock().unwrap();
        for (id, at) in &committed {
            for c in 0..consumers {
                if let Some(got) = s.first.get(&(id.clone(), format!("c{c}"))) {
                    lat.push(got.saturating_duration_since(*at).as_secs_f64() * 1000.0);
                }
            }
        }
    }
    let _ = stop.send(true);
    running.await.unwrap();
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "first-attempt latency over {} messages ({} missing): p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lat.len(),
        want - lat.len(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0)
    );

    // Phase 2: throughput from a backlog.
    for i in 0..events {
        store.insert_company(&company(i), None).await.unwrap();
    }
    let before = seen.lock().unwrap().total;
    let want = events * consumers;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let running = tokio::spawn(dispatcher().run(stopped.clone()));
    let deadline = Instant::now() + Duration::from_secs(300);
    while seen.lock().unwrap().total - before < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let took = started.elapsed();
    let _ = stop.send(true);
    running.await.unwrap();
    let got = seen.lock().unwrap().total - before;
    println!(
        "throughput: {got} of {want} deliveries ({events} events x {consumers} consumers) in {:.2} s = {:.0} deliveries/s",
        took.as_secs_f64(),
        got as f64 / took.as_secs_f64()
    );
}
