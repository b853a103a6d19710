//! Optional OpenTelemetry export: when `LEDGERBRIDGE_OTLP_ENDPOINT` is set, the `request` and
//! `dataset` spans (and the log events inside them) also go to an OTLP collector over
//! HTTP/protobuf, at `{endpoint}/v1/traces`, batched on a background thread.
//!
//! What is exported is what the logs carry: span names, their fields (correlation id,
//! method, route template; dataset, company, connection and data type ids) and log messages,
//! never a secret (the logs test holds them to that). The standard `OTEL_EXPORTER_OTLP_*`
//! variables (headers, timeout, compression) apply on top.

use anyhow::{Context, Result};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

/// The service name spans are exported under.
pub const SERVICE_NAME: &str = "ledgerbridge";

/// An OTLP span pipeline: the tracer the tracing layer feeds, and the provider that batches
/// and sends. [`Exporter::shutdown`] sends what is still queued.
pub struct Exporter {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

impl Exporter {
    /// A pipeline sending to the collector at `endpoint` (`http://host:4318`; spans go to
    /// `{endpoint}/v1/traces`). Nothing is sent until spans end.
    pub fn new(endpoint: &str) -> Result<Self> {
        let url = traces_url(endpoint);
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(url.clone())
            .build()
            .with_context(|| format!("cannot set up OTLP export to {url}"))?;
        let resource = Resource::builder()
            .with_service_name(SERVICE_NAME)
            .with_attribute(opentelemetry::KeyValue::new(
                "service.version",
                env!("CARGO_PKG_VERSION"),
            ))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_resource(resource)
            .with_batch_exporter(exporter)
            .build();
        let tracer = provider.tracer(SERVICE_NAME);
        Ok(Self { provider, tracer })
    }

    /// The tracer spans are recorded with.
    pub fn tracer(&self) -> SdkTracer {
        self.tracer.clone()
    }

    /// Sends every span still queued and stops the background thread. Blocks until the
    /// collector answered or the export timed out; call it off the async runtime.
    pub fn shutdown(&self) {
        if let Err(e) = self.provider.shutdown() {
            tracing::warn!(error = %e, "OTLP export did not flush cleanly");
        }
    }
}

/// `{endpoint}/v1/traces`, unless `endpoint` already names that path.
fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim().trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_string()
    } else {
        format!("{base}/v1/traces")
    }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn the_traces_path_is_appended_once() {
        assert_eq!(
            traces_url("http://collector:4318"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url(" http://collector:4318/ "),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("https://otel.example/v1/traces"),
            "https://otel.example/v1/traces"
        );
    }
}
