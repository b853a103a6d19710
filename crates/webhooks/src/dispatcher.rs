//! The dispatcher: claims due messages under a lease, delivers each consumer's messages in
//! order, records every attempt, and reschedules failures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ledgerbridge_domain::Timestamp;
use ledgerbridge_store::Store;
use ledgerbridge_store::crypto::SecretBox;
use ledgerbridge_store::outbox::{AttemptOutcome, ClaimedMessage};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::clock::SharedClock;
use crate::envelope;
use crate::safety::{self, PublicOnlyResolver};
use crate::schedule;
use crate::signing::SigningKey;

/// Most bytes of a consumer's response read (and discarded) before the connection is
/// dropped.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Tuning and policy of a dispatcher.
#[derive(Clone, Debug)]
pub struct DispatcherConfig {
    /// Base of the URLs put in payloads (`redirect`, `linkUrl`), without a trailing slash.
    pub public_url: String,
    /// Deliver to loopback and private addresses too (local development and tests).
    pub allow_private: bool,
    /// How long a consumer has to answer one message.
    pub timeout: Duration,
    /// How often an idle dispatcher looks for due messages.
    pub poll_interval: Duration,
    /// Messages of one consumer leased (and then sent in order) at a time.
    pub per_consumer: u32,
    /// Messages leased per claim, over all consumers.
    pub batch: u32,
    /// How long finished messages, their attempts and their events are kept (the delivery
    /// log and the replay window).
    pub retention: Duration,
    /// How often a dispatcher forgets what is older than `retention`.
    pub prune_every: Duration,
}

impl DispatcherConfig {
    /// The defaults, with the public URL and the private-address policy.
    pub fn new(public_url: impl Into<String>, allow_private: bool) -> Self {
        Self {
            public_url: public_url.into().trim_end_matches('/').to_string(),
            allow_private,
            timeout: Duration::from_secs(15),
            poll_interval: Duration::from_millis(100),
            per_consumer: 32,
            batch: 512,
            retention: Duration::from_secs(30 * 24 * 3600),
            prune_every: Duration::from_secs(3600),
        }
    }

    /// How long a claim's lease lasts: long enough to send every message of one consumer,
    /// each taking up to the timeout.
    fn lease(&self) -> Duration {
        (self.timeout + Duration::from_secs(1)) * self.per_consumer.max(1) + Duration::from_secs(30)
    }
}

/// One dispatcher; any number may run against the same database.
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    secrets: SecretBox,
    config: DispatcherConfig,
    clock: SharedClock,
    owner: String,
    client: reqwest::Client,
    keys: Mutex<HashMap<String, SigningKey>>,
}

impl Dispatcher {
    /// A dispatcher with a fresh owner id. Fails only if the HTTP client cannot be built.
    pub fn new(
        store: Store,
        secrets: SecretBox,
        config: DispatcherConfig,
        clock: SharedClock,
    ) -> Result<Self, String> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .no_proxy()
            .user_agent(concat!("ledgerbridge-webhooks/", env!("CARGO_PKG_VERSION")));
        if !config.allow_private {
            builder = builder.dns_resolver(PublicOnlyResolver);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
        let owner = format!("dispatcher-{}", uuid::Uuid::now_v7().simple());
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                secrets,
                config,
                clock,
                owner,
                client,
                keys: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The id its leases carry.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// Claims what is due now and delivers it, returning once every claimed message was
    /// attempted and recorded. Returns how many were attempted.
    pub async fn deliver_due(&self) -> Result<usize, ledgerbridge_store::StoreError> {
        let groups = self.inner.claim().await?;
        let (_stop_tx, stop) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut count = 0;
        for group in groups {
            count += group.len();
            let inner = self.inner.clone();
            let stop = stop.clone();
            tasks.spawn(async move { inner.deliver_group(group, stop).await });
        }
        while tasks.join_next().await.is_some() {}
        Ok(count)
    }

    /// Runs until `shutdown` turns `true`, then lets each consumer's current message finish
    /// and hands the remaining leases back (their schedules are kept).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let inner = self.inner;
        tracing::info!(owner = %inner.owner, "webhook dispatcher started");
        let mut tasks = JoinSet::new();
        let mut next_prune = tokio::time::Instant::now();
        loop {
            if *shutdown.borrow() {
                break;
            }
            while tasks.try_join_next().is_some() {}
            if tokio::time::Instant::now() >= next_prune {
                next_prune += inner.config.prune_every;
                inner.prune_history().await;
            }
            let groups = match inner.claim().await {
                Ok(g) => g,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim webhook messages; retrying");
                    Vec::new()
                }
            };
            let idle = groups.is_empty();
            for group in groups {
                let inner = inner.clone();
                let stop = shutdown.clone();
                tasks.spawn(async move { inner.deliver_group(group, stop).await });
            }
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(inner.config.poll_interval) => {}
                    _ = shutdown.changed() => {}
                }
            } else {
                // Let the spawned deliveries start before claiming again.
                tokio::task::yield_now().await;
            }
        }
        while tasks.join_next().await.is_some() {}
        match inner.store.release_messages(&inner.owner).await {
            Ok(n) => {
                tracing::info!(owner = %inner.owner, released = n, "webhook dispatcher stopped")
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not hand webhook leases back; they expire on their own")
            }
        }
    }
}

impl Inner {
    /// Forgets finished history older than the retention; a failure only waits for the next
    /// round.
    async fn prune_history(&self) {
        let retention = chrono::Duration::from_std(self.config.retention)
            .unwrap_or_else(|_| chrono::Duration::days(30));
        let before = Timestamp::from_datetime(self.clock.now().as_datetime() - retention);
        match self.store.prune_webhook_history(before).await {
            Ok((0, 0)) => {}
            Ok((messages, events)) => {
                tracing::info!(
                    messages,
                    events,
                    "pruned webhook history past its retention"
                )
            }
            Err(e) => tracing::warn!(error = %e, "could not prune webhook history; will retry"),
        }
    }

    /// Claims due messages, grouped by consumer in their order.
    async fn claim(&self) -> Result<Vec<Vec<ClaimedMessage>>, ledgerbridge_store::StoreError> {
        let now = self.clock.now();
        let claimed = self
            .store
            .claim_messages(
                &self.owner,
                now,
                schedule::after(now, self.config.lease()),
                self.config.per_consumer,
                self.config.batch,
            )
            .await?;
        let mut groups: Vec<Vec<ClaimedMessage>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for m in claimed {
            match index.get(&m.consumer_id) {
                Some(&i) => groups[i].push(m),
                None => {
                    index.insert(m.consumer_id.clone(), groups.len());
                    groups.push(vec![m]);
                }
            }
        }
        Ok(groups)
    }

    /// Sends one consumer's messages in order, then records the outcomes. Stops early (the
    /// rest stay leased until released) when `stop` is raised.
    async fn deliver_group(&self, group: Vec<ClaimedMessage>, stop: watch::Receiver<bool>) {
        let Some(first) = group.first() else {
            return;
        };
        let consumer = first.consumer_id.clone();
        let key = match self.signing_key(&consumer).await {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(consumer = %consumer, error = %e, "cannot read the webhook consumer's secret");
                return;
            }
        };
        let mut outcomes = Vec::with_capacity(group.len());
        for m in &group {
            if *stop.borrow() {
                break;
            }
            outcomes.push(self.attempt(m, &key).await);
        }
        let cutoff = schedule::before(self.clock.now(), schedule::DISABLE_AFTER);
        match self
            .store
            .record_attempts(&self.owner, &outcomes, cutoff)
            .await
        {
            Ok(disabled) => {
                for c in disabled {
                    tracing::warn!(consumer = %c, "webhook consumer disabled: every attempt failed for 5 days");
                }
            }
            Err(e) => {
                tracing::error!(consumer = %consumer, error = %e, "could not record webhook attempts; the lease will expire and they are sent again")
            }
        }
    }

    async fn signing_key(&self, consumer: &str) -> Result<SigningKey, String> {
        if let Some(k) = self.keys.lock().ok().and_then(|m| m.get(consumer).cloned()) {
            return Ok(k);
        }
        let id: uuid::Uuid = consumer
            .parse()
            .map_err(|e| format!("bad consumer id: {e}"))?;
        let secret = self
            .store
            .webhook_consumer_secret(id, &self.secrets)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the consumer no longer exists".to_string())?;
        let key = SigningKey::parse(&secret)?;
        if let Ok(mut m) = self.keys.lock() {
            m.insert(consumer.to_string(), key.clone());
        }
        Ok(key)
    }

    /// One attempt of one message.
    async fn attempt(&self, m: &ClaimedMessage, key: &SigningKey) -> AttemptOutcome {
        let started = Instant::now();
        let attempted = self.clock.now();
        let (status_code, error) = self.send(m, key).await;
        let delivered = error.is_none();
        let next_attempt_at = if delivered {
            None
        } else {
            schedule::next_attempt(m.attempts + 1, attempted)
        };
        if !delivered {
            tracing::info!(consumer = %m.consumer_id, event = %m.event_id, attempt = m.attempts + 1,
                status = ?status_code, "webhook attempt failed");
        }
        let outcome = match (delivered, next_attempt_at.is_some()) {
            (true, _) => "delivered",
            (false, true) => "retrying",
            (false, false) => "failed",
        };
        metrics::counter!("ledgerbridge_webhook_attempts_total", "outcome" => outcome).increment(1);
        metrics::histogram!("ledgerbridge_webhook_attempt_duration_seconds")
            .record(started.elapsed().as_secs_f64());
        if delivered {
            // From the event to its delivery: what a consumer waits, retries included.
            let lag = attempted.as_datetime() - m.generated.as_datetime();
            metrics::histogram!("ledgerbridge_webhook_delivery_latency_seconds")
                .record(lag.num_milliseconds().max(0) as f64 / 1000.0);
        }
        AttemptOutcome {
            seq: m.seq,
            consumer_id: m.consumer_id.clone(),
            attempted,
            status_code,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error,
            delivered,
            next_attempt_at,
        }
    }

    /// POSTs the message; the status received, and why it did not count as delivered.
    async fn send(&self, m: &ClaimedMessage, key: &SigningKey) -> (Option<u16>, Option<String>) {
        let url = match reqwest::Url::parse(&m.url) {
            Ok(u) => u,
            Err(_) => return (None, Some("the consumer's URL is not valid".into())),
        };
        if !self.config.allow_private
            && let Some(why) = safety::literal_ip(&url).and_then(safety::non_public_reason)
        {
            return (None, Some(safety::refusal(why)));
        }
        let body = envelope::body(m, &self.config.public_url);
        let webhook_id = envelope::webhook_id(&m.event_id);
        let timestamp = chrono::Utc::now().timestamp();
        let signature = key.sign(&webhook_id, timestamp, &body);
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &webhook_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => return (None, Some(describe(&e, self.config.timeout))),
        };
        let status = resp.status();
        // Read a little of the answer so the connection can be reused; never all of it.
        let mut read = 0usize;
        while read < MAX_RESPONSE_BYTES {
            match resp.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                _ => break,
            }
        }
        let code = Some(status.as_u16());
        if status.is_success() {
            (code, None)
        } else if status.is_redirection() {
            (
                code,
                Some(format!(
                    "The endpoint answered {status}; redirects are not followed."
                )),
            )
        } else {
            (code, Some(format!("The endpoint answered {status}.")))
        }
    }
}

/// A send error in words, without the URL (it may carry a token) or any header.
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("No answer within {} s.", timeout.as_secs());
    }
    let mut text = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        source = s.source();
    }
    if e.is_connect() {
        format!("Could not connect: {text}")
    } else if text.is_empty() {
        "The request failed.".into()
    } else {
        format!("The request failed: {text}")
    }
}
