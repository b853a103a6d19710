//! A local webhook receiver for the tests: it verifies every signature with the reference
//! `standardwebhooks` crate, records what arrived, answers with a settable status, and
//! notices a message that is in flight twice at once.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use serde_json::Value;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    /// The path's last segment: which consumer it was meant for.
    pub hook: String,
    pub webhook_id: String,
    pub body: Value,
    /// What the receiver answered.
    pub answered: u16,
}

#[derive(Default)]
struct Inner {
    secrets: Mutex<HashMap<String, String>>,
    got: Mutex<Vec<Received>>,
    answer: AtomicU16,
    delay_ms: AtomicU64,
    in_flight: Mutex<HashSet<String>>,
    overlaps: AtomicUsize,
    unverified: AtomicUsize,
    /// Answer 500 to the first request of every message (event and consumer).
    fail_first: std::sync::atomic::AtomicBool,
    seen: Mutex<HashSet<String>>,
}

/// A running receiver on 127.0.0.1.
#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    inner: Arc<Inner>,
}

impl Receiver {
    /// Starts a receiver answering 200.
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        inner.answer.store(200, Ordering::SeqCst);
        let app = axum::Router::new()
            .route("/hook/{name}", post(receive))
            .route("/redirect", any(redirect))
            .route("/slow", any(slow))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, inner }
    }

    /// The URL for consumer `name`.
    pub fn url(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.base)
    }

    /// Registers consumer `name`'s secret; its requests are verified with it.
    pub fn expect_secret(&self, name: &str, secret: &str) {
        if let Ok(mut m) = self.inner.secrets.lock() {
            m.insert(name.to_string(), secret.to_string());
        }
    }

    /// The status every request is answered with from now on.
    pub fn answer(&self, status: u16) {
        self.inner.answer.store(status, Ordering::SeqCst);
    }

    /// How long each request is held before the answer.
    pub fn delay(&self, d: Duration) {
        self.inner
            .delay_ms
            .store(u64::try_from(d.as_millis()).unwrap_or(0), Ordering::SeqCst);
    }

    /// Answer 500 to the first request of each webhook id, the answer set otherwise.
    pub fn fail_first_attempts(&self) {
        self.inner.fail_first.store(true, Ordering::SeqCst);
    }

    /// Everything received so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        self.inner.got.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// What consumer `name` received.
    pub fn received_by(&self, name: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.hook == name)
            .collect()
    }

    /// Requests whose signature did not verify (or came for an unknown consumer).
    pub fn unverified(&self) -> usize {
        self.inner.unverified.load(Ordering::SeqCst)
    }

    /// Times a message (webhook id, to one consumer) arrived while the same message was still
    /// in flight.
    pub fn overlaps(&self) -> usize {
        self.inner.overlaps.load(Ordering::SeqCst)
    }

    /// Waits until `done` holds for what arrived (at most 60 s).
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; received: {:?}",
                got.iter()
                    .map(|r| (
                        r.hook.as_str(),
                        r.body["eventType"].as_str().unwrap_or("?"),
                        r.answered
                    ))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(
    State(inner): State<Arc<Inner>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let secret = inner
        .secrets
        .lock()
        .ok()
        .and_then(|m| m.get(&name).cloned());
    let verified = secret.is_some_and(|s| {
        standardwebhooks::Webhook::new(&s)
            .map(|w| w.verify(&body, &headers).is_ok())
            .unwrap_or(false)
    });
    if !verified {
        inner.unverified.fetch_add(1, Ordering::SeqCst);
    }
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    // A message is one event for one consumer: the id is shared by an event's consumers.
    let key = format!("{name} {id}");
    let fresh = inner
        .in_flight
        .lock()
        .map(|mut f| f.insert(key.clone()))
        .unwrap_or(true);
    if !fresh {
        inner.overlaps.fetch_add(1, Ordering::SeqCst);
    }
    let delay = inner.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let first = inner
        .seen
        .lock()
        .map(|mut s| s.insert(key.clone()))
        .unwrap_or(false);
    let answered = if first && inner.fail_first.load(Ordering::SeqCst) {
        500
    } else {
        inner.answer.load(Ordering::SeqCst)
    };
    if let Ok(mut got) = inner.got.lock() {
        got.push(Received {
            hook: name,
            webhook_id: id.clone(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            answered,
        });
    }
    if fresh && let Ok(mut f) = inner.in_flight.lock() {
        f.remove(&key);
    }
    StatusCode::from_u16(answered)
        .unwrap_or(StatusCode::OK)
        .into_response()
}

async fn redirect() -> Response {
    (
        StatusCode::FOUND,
        [("location", "/hook/redirected")],
        "moved",
    )
        .into_response()
}

async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(25)).await;
    StatusCode::OK.into_response()
}
