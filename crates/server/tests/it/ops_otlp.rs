//! OTLP export of the real binary: with `LEDGERBRIDGE_OTLP_ENDPOINT` set, the `request` and
//! `dataset` spans reach a collector (here an in-test one) as service `ledgerbridge`, the
//! spans still queued at SIGTERM are flushed, and no secret is in what was sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

use crate::helpers::{API_KEY, TestApp, basic};
use crate::ops_process::{Server, command};

/// What the collector received: each export's content type and body.
type Received = Arc<Mutex<Vec<(String, Bytes)>>>;

async fn collect(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    received
        .lock()
        .expect("collector lock")
        .push((content_type, body));
    StatusCode::OK
}

/// An OTLP/HTTP collector on 127.0.0.1: its base URL and what it receives.
async fn collector() -> (String, Received) {
    let received = Received::default();
    let app = axum::Router::new()
        .route("/v1/traces", post(collect))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind collector");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, received)
}

fn string_attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| match &v.value {
            Some(any_value::Value::StringValue(s)) => Some(s.as_str()),
            _ => None,
        })
}

#[tokio::test]
async fn request_and_dataset_spans_reach_the_collector_and_are_flushed_on_stop() {
    let (endpoint, received) = collector().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = command(dir.path());
    cmd.env("LEDGERBRIDGE_API_KEY", API_KEY)
        .env("LEDGERBRIDGE_WORKER_CONCURRENCY", "2")
        .env("LEDGERBRIDGE_OTLP_ENDPOINT", &endpoint);
    let mut server = Server::start(cmd, dir.path()).await;
    let app = TestApp::attach(&server.base, &server.database_url());

    // A Sandbox company linked and synced: dataset spans.
    let (company, _) = app.link_small_sandbox("Traces Ltd", "otlp").await;
    app.wait_for_syncs(&company).await;
    // The last request before the stop: its span is still in the exporter's queue (batches go
    // every 5 s) unless the shutdown flushes it.
    let (s, err) = app.get("/companies/not-a-uuid").await;
    assert!(s.is_client_error(), "{err}");
    let correlation_id = err["correlationId"].as_str().expect("correlationId");
    server.terminate();
    let exit = server.wait_exit(Duration::from_secs(30)).await;
    assert!(exit.success(), "{}", server.log_text());

    let exports = received.lock().expect("collector lock").clone();
    assert!(
        !exports.is_empty(),
        "nothing exported: {}",
        server.log_text()
    );
    let mut spans: Vec<Span> = Vec::new();
    for (content_type, body) in &exports {
        assert_eq!(content_type, "application/x-protobuf");
        for (what, secret) in [("API key", API_KEY), ("Authorization", &basic(API_KEY))] {
            assert!(
                !body.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the {what} was exported"
            );
        }
        let request = ExportTraceServiceRequest::decode(body.as_ref()).expect("OTLP protobuf");
        for resource_spans in request.resource_spans {
            let resource = resource_spans.resource.expect("resource");
            assert_eq!(
                string_attr(&resource.attributes, "service.name"),
                Some("ledgerbridge")
            );
            spans.extend(resource_spans.scope_spans.into_iter().flat_map(|s| s.spans));
        }
    }
    let last = spans
        .iter()
        .find(|s| {
            s.name == "request"
                && string_attr(&s.attributes, "correlation_id") == Some(correlation_id)
        })
        .unwrap_or_else(|| panic!("the last request's span was flushed on stop: {spans:#?}"));
    assert_eq!(string_attr(&last.attributes, "method"), Some("GET"));
    assert_eq!(
        string_attr(&last.attributes, "route"),
        Some("/companies/{companyId}")
    );
    assert!(last.end_time_unix_nano >= last.start_time_unix_nano);
    assert!(
        spans
            .iter()
            .any(|s| s.name == "request"
                && string_attr(&s.attributes, "route") == Some("/companies")),
        "the company's creation was traced"
    );
    let invoices = spans
        .iter()
        .find(|s| {
            s.name == "dataset" && string_attr(&s.attributes, "data_type") == Some("invoices")
        })
        .expect("a dataset span for invoices");
    assert_eq!(
        string_attr(&invoices.attributes, "company"),
        Some(company.as_str())
    );
}
