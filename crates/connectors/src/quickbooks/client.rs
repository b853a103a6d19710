//! Talking to QuickBooks Online: the access token of each connection (refreshed ahead of
//! expiry, the rotated refresh token saved before it is used), the rate budgets (per realm
//! per minute, reports per realm per minute, requests in flight per realm and per app),
//! `minorversion` on
//! every call, and Intuit's `Fault` bodies — read case-insensitively, inside an HTTP 200 too
//! — mapped to [`ConnectorError`]s.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, Utc};
use ledgerbridge_domain::ConnectionId;
use serde_json::{Value, json};

use super::map::{get, text};
use crate::connector::{ConnectionContext, ConnectorError};
use crate::oauth::OAuthApp;

/// The minor version sent on every call.
pub const MINOR_VERSION: u32 = 75;

/// Intuit's throttles as the connector paces itself against them.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Requests per realm per rolling minute (Intuit: 500).
    pub per_minute: u32,
    /// Report requests per realm per rolling minute (Intuit: 200).
    pub reports_per_minute: u32,
    /// Requests in flight per app, all realms together (Intuit: 40).
    pub app_concurrent: u32,
    /// Requests in flight per realm (Intuit: 10).
    pub realm_concurrent: u32,
    /// How long the rolling "minute" is (tests: shorter).
    pub minute: Duration,
    /// How long to wait after a throttle: Intuit sends no `Retry-After` and says 60 s.
    pub throttle_wait: Duration,
    /// Throttles waited out inside one page before giving up to the sync engine.
    pub max_retries: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_minute: 500,
            reports_per_minute: 200,
            app_concurrent: 40,
            realm_concurrent: 10,
            minute: Duration::from_secs(60),
            throttle_wait: Duration::from_secs(60),
            max_retries: 1,
        }
    }
}

/// A connection's tokens as stored in its credentials: one grant, one realm.
#[derive(Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub realm_id: String,
    pub company_name: String,
}

impl Tokens {
    /// Reads `{"access_token", "refresh_token", "expires_at", "realm_id", "company_name"}`.
    pub fn from_credentials(credentials: &Value) -> Result<Self, ConnectorError> {
        let text = |k: &str| credentials.get(k).and_then(Value::as_str).unwrap_or("");
        if text("refresh_token").is_empty() || text("realm_id").is_empty() {
            return Err(ConnectorError::AuthRevoked(
                "the connection holds no QuickBooks grant (refresh token and realm); link it again"
                    .into(),
            ));
        }
        Ok(Self {
            access_token: text("access_token").to_string(),
            refresh_token: text("refresh_token").to_string(),
            expires_at: DateTime::parse_from_rfc3339(text("expires_at"))
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            realm_id: text("realm_id").to_string(),
            company_name: text("company_name").to_string(),
        })
    }

    /// The credentials JSON a connection stores.
    pub fn to_credentials(&self) -> Value {
        json!({
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.to_rfc3339(),
            "realm_id": self.realm_id,
            "company_name": self.company_name,
        })
    }
}

/// The token endpoint's answer.
pub struct Granted {
    pub access_token: String,
    /// Absent when Intuit keeps the refresh token it has.
    pub refresh_token: Option<String>,
    pub expires_in: i64,
}

/// Why the token endpoint said no.
pub enum GrantError {
    /// `invalid_grant`: the code or refresh token is dead.
    Invalid(String),
    /// Anything else; `true` when worth retrying.
    Other(String, bool),
}

struct TokenSlot {
    tokens: Tokens,
    /// Every refresh token this slot has held: credentials carrying another one mean the
    /// connection was linked again.
    known: HashSet<String>,
}

#[derive(Default)]
struct RealmBudget {
    /// When recent calls were answered (a call counts for a minute after).
    done: VecDeque<Instant>,
    reports_done: VecDeque<Instant>,
    in_flight: u32,
    reports_in_flight: u32,
    blocked_until: Option<Instant>,
}

/// A `Fault`, whatever the case of its keys.
#[derive(Debug)]
pub struct Fault {
    pub kind: String,
    pub code: String,
    pub message: String,
    pub detail: String,
}

impl Fault {
    /// The `Fault` (or `fault`) of a body, if it has one.
    pub fn of(body: &Value) -> Option<Fault> {
        let f = get(body, "Fault").filter(|f| f.is_object())?;
        let first = get(f, "Error")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            .cloned()
            .unwrap_or(Value::Null);
        let code = match get(&first, "code") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        Some(Fault {
            kind: text(f, "type").unwrap_or_default(),
            code,
            message: text(&first, "Message").unwrap_or_default(),
            detail: text(&first, "Detail").unwrap_or_default(),
        })
    }

    fn is_throttle(&self) -> bool {
        self.code == "3001"
            || self.message.contains("ThrottleExceeded")
            || self.message.contains("003001")
    }

    fn is_authentication(&self) -> bool {
        let kind = self.kind.to_ascii_lowercase();
        matches!(self.code.as_str(), "3200" | "3201" | "100") || kind.starts_with("authentication")
    }

    fn is_authorization(&self) -> bool {
        matches!(self.code.as_str(), "3100" | "3202")
            || self.kind.to_ascii_lowercase().starts_with("authorization")
    }

    fn text(&self) -> String {
        let mut t = self.message.clone();
        if !self.detail.is_empty() {
            if !t.is_empty() {
                t.push_str(": ");
            }
            t.push_str(&self.detail);
        }
        if !self.code.is_empty() {
            t.push_str(&format!(" (code {})", self.code));
        }
        t
    }
}

/// The HTTP side of the connector, shared by every fetch of every connection of one app.
pub struct Client {
    pub app: OAuthApp,
    pub limits: RateLimits,
    /// Refresh when the access token has less than this left.
    pub refresh_margin: Duration,
    http: reqwest::Client,
    tokens: Mutex<HashMap<ConnectionId, Arc<tokio::sync::Mutex<TokenSlot>>>>,
    budgets: Mutex<HashMap<String, RealmBudget>>,
    app_slots: Arc<tokio::sync::Semaphore>,
}

/// A call slot in a realm's budget and the app's concurrency; given back when dropped.
struct Slot<'a> {
    client: &'a Client,
    realm: String,
    report: bool,
    _permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut budgets = self
            .client
            .budgets
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let b = budgets.entry(self.realm.clone()).or_default();
        let now = Instant::now();
        b.in_flight = b.in_flight.saturating_sub(1);
        b.done.push_back(now);
        if self.report {
            b.reports_in_flight = b.reports_in_flight.saturating_sub(1);
            b.reports_done.push_back(now);
        }
    }
}

fn prune(q: &mut VecDeque<Instant>, window: Duration, now: Instant) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

impl Client {
    /// A client for one registered app.
    pub fn new(
        app: OAuthApp,
        limits: RateLimits,
        refresh_margin: Duration,
        timeout: Duration,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .unwrap_or_default();
        let slots = limits.app_concurrent.max(1) as usize;
        Self {
            app,
            limits,
            refresh_margin,
            http,
            tokens: Mutex::new(HashMap::new()),
            budgets: Mutex::new(HashMap::new()),
            app_slots: Arc::new(tokio::sync::Semaphore::new(slots)),
        }
    }

    /// POSTs a form to the token endpoint with the app's credentials (HTTP Basic).
    pub async fn token_request(&self, form: &[(&str, &str)]) -> Result<Granted, GrantError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().copied())
            .finish();
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.app.client_id, self.app.client_secret));
        let response = self
            .http
            .post(&self.app.token_url)
            .header("authorization", format!("Basic {basic}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                GrantError::Other(
                    format!(
                        "Intuit's token endpoint could not be reached ({})",
                        e.without_url()
                    ),
                    true,
                )
            })?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let error = body.get("error").and_then(Value::as_str).unwrap_or("");
        if status.is_success() {
            let access = text(&body, "access_token").unwrap_or_default();
            if access.is_empty() {
                return Err(GrantError::Other(
                    "Intuit's token endpoint answered without an access token".into(),
                    false,
                ));
            }
            return Ok(Granted {
                access_token: access,
                refresh_token: text(&body, "refresh_token"),
                expires_in: body
                    .get("expires_in")
                    .and_then(Value::as_i64)
                    .unwrap_or(3600),
            });
        }
        if error == "invalid_grant" {
            return Err(GrantError::Invalid(
                "Intuit refused the grant (invalid_grant): it was revoked, expired or replaced by a newer refresh token"
                    .into(),
            ));
        }
        let transient = status.is_server_error() || status.as_u16() == 429;
        Err(GrantError::Other(
            format!(
                "Intuit's token endpoint answered {status}{}",
                if error.is_empty() {
                    String::new()
                } else {
                    format!(" ({error})")
                }
            ),
            transient,
        ))
    }

    /// `CompanyInfo.CompanyName` of `realm`, read with a fresh access token while linking.
    pub async fn company_name(&self, access_token: &str, realm: &str) -> Option<String> {
        let url = format!(
            "{}/v3/company/{realm}/companyinfo/{realm}?minorversion={MINOR_VERSION}",
            self.app.api_url.trim_end_matches('/')
        );
        // Counted in the realm's budget like every other call: a sync that starts right after
        // linking must not find the minute already spent.
        let _slot = self.acquire(realm, false).await.ok()?;
        let response = self
            .http
            .get(&url)
            .bearer_auth(access_token)
            .header("accept", "application/json")
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        let body: Value = response.json().await.ok()?;
        get(&body, "CompanyInfo").and_then(|c| text(c, "CompanyName"))
    }

    fn slot_for(
        &self,
        ctx: &ConnectionContext,
    ) -> Result<(Arc<tokio::sync::Mutex<TokenSlot>>, String), ConnectorError> {
        let stored = Tokens::from_credentials(&ctx.credentials)?;
        let realm = stored.realm_id.clone();
        let mut map = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = map.get(&ctx.connection_id) {
            match slot.try_lock() {
                Ok(guard) if guard.known.contains(&stored.refresh_token) => {
                    drop(guard);
                    return Ok((slot.clone(), realm));
                }
                Ok(_) => {}
                Err(_) => return Ok((slot.clone(), realm)),
            }
        }
        let slot = Arc::new(tokio::sync::Mutex::new(TokenSlot {
            known: HashSet::from([stored.refresh_token.clone()]),
            tokens: stored,
        }));
        map.insert(ctx.connection_id, slot.clone());
        Ok((slot, realm))
    }

    /// A usable access token and the realm. Refreshes when the token is near expiry, or when
    /// `stale` is the token a call was just refused with. The third value says whether this
    /// call refreshed.
    async fn access(
        &self,
        ctx: &ConnectionContext,
        stale: Option<&str>,
    ) -> Result<(String, String, bool), ConnectorError> {
        let (slot, realm) = self.slot_for(ctx)?;
        let mut slot = slot.lock().await;
        let margin = chrono::Duration::from_std(self.refresh_margin).unwrap_or_default();
        let expired =
            slot.tokens.access_token.is_empty() || slot.tokens.expires_at - margin <= Utc::now();
        let refused = stale.is_some_and(|s| s == slot.tokens.access_token);
        if !expired && !refused {
            return Ok((slot.tokens.access_token.clone(), realm, false));
        }
        let refresh_token = slot.tokens.refresh_token.clone();
        let granted = self
            .token_request(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh_token),
            ])
            .await
            .map_err(|e| match e {
                GrantError::Invalid(m) => ConnectorError::AuthRevoked(m),
                GrantError::Other(m, true) => ConnectorError::Transient(m),
                GrantError::Other(m, false) => ConnectorError::AuthRevoked(m),
            })?;
        let mut next = slot.tokens.clone();
        next.access_token = granted.access_token;
        if let Some(r) = granted.refresh_token {
            next.refresh_token = r;
        }
        next.expires_at = Utc::now() + chrono::Duration::seconds(granted.expires_in);
        // Stored before use: a crash from here on still finds the newest refresh token,
        // which is the only one Intuit will take once a day has passed.
        ctx.credential_store
            .save(ctx.connection_id, &next.to_credentials())
            .await
            .map_err(|e| {
                ConnectorError::Transient(format!(
                    "could not store the refreshed QuickBooks token: {e}"
                ))
            })?;
        slot.known.insert(next.refresh_token.clone());
        slot.tokens = next;
        Ok((slot.tokens.access_token.clone(), realm, true))
    }

    /// Waits for a call slot within the realm's budgets and the app's concurrency.
    async fn acquire(&self, realm: &str, report: bool) -> Result<Slot<'_>, ConnectorError> {
        let window = self.limits.minute;
        let slack = window / 100 + Duration::from_millis(5);
        loop {
            let wait = {
                let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
                let b = budgets.entry(realm.to_string()).or_default();
                let now = Instant::now();
                prune(&mut b.done, window, now);
                prune(&mut b.reports_done, window, now);
                let used = b.done.len() as u32 + b.in_flight;
                let reports_used = b.reports_done.len() as u32 + b.reports_in_flight;
                let reports_ok = !report || reports_used < self.limits.reports_per_minute;
                match b.blocked_until {
                    Some(until) if until > now => until - now,
                    // The realm's ten in flight: wait for one to finish.
                    _ if b.in_flight >= self.limits.realm_concurrent.max(1) => {
                        Duration::from_millis(2)
                    }
                    _ if used < self.limits.per_minute && reports_ok => {
                        b.in_flight += 1;
                        if report {
                            b.reports_in_flight += 1;
                        }
                        break;
                    }
                    _ => {
                        let q = if used >= self.limits.per_minute {
                            &b.done
                        } else {
                            &b.reports_done
                        };
                        match q.front() {
                            Some(t) => (*t + window + slack).saturating_duration_since(now),
                            None => Duration::from_millis(5),
                        }
                    }
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
        // Counted in the realm's budget from here; the app-wide slot may take a moment.
        let mut slot = Slot {
            client: self,
            realm: realm.to_string(),
            report,
            _permit: None,
        };
        slot._permit =
            Some(
                self.app_slots.clone().acquire_owned().await.map_err(|_| {
                    ConnectorError::Transient("the connector is shutting down".into())
                })?,
            );
        Ok(slot)
    }

    fn block(&self, realm: &str, wait: Duration) {
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let b = budgets.entry(realm.to_string()).or_default();
        let until = Instant::now() + wait;
        b.blocked_until = Some(b.blocked_until.map_or(until, |u| u.max(until)));
    }

    /// GETs `{api}/v3/company/{realm}/{path_and_query}` (with `minorversion`) for the
    /// connection's realm and returns the JSON body, its `Fault`s already turned into errors.
    pub async fn get(
        &self,
        ctx: &ConnectionContext,
        path_and_query: &str,
    ) -> Result<Value, ConnectorError> {
        let bytes = self.call(ctx, path_and_query, None).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ConnectorError::Malformed(format!(
                "QuickBooks' answer to {} is not JSON: {e}",
                what_of(path_and_query)
            ))
        })
    }

    /// [`Client::get`], the body as the bytes QuickBooks sent (for reading into typed
    /// records).
    pub async fn get_bytes(
        &self,
        ctx: &ConnectionContext,
        path_and_query: &str,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.call(ctx, path_and_query, None).await
    }

    /// Runs a query statement too long for a URL: `POST .../query` with the statement as an
    /// `application/text` body, as Intuit's SDKs do. Otherwise as [`Client::get_bytes`].
    pub async fn post_query(
        &self,
        ctx: &ConnectionContext,
        statement: &str,
    ) -> Result<Vec<u8>, ConnectorError> {
        self.call(ctx, "query", Some(statement)).await
    }

    async fn call(
        &self,
        ctx: &ConnectionContext,
        path_and_query: &str,
        statement: Option<&str>,
    ) -> Result<Vec<u8>, ConnectorError> {
        let what = what_of(path_and_query);
        let report = what.starts_with("reports/");
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        let mut stale: Option<String> = None;
        let mut refreshed = false;
        let mut throttles = 0;
        loop {
            let (token, realm, fresh) = self.access(ctx, stale.as_deref()).await?;
            refreshed |= fresh;
            let url = format!(
                "{}/v3/company/{realm}/{path_and_query}{sep}minorversion={MINOR_VERSION}",
                self.app.api_url.trim_end_matches('/')
            );
            let slot = self.acquire(&realm, report).await?;
            let request = match statement {
                None => self.http.get(&url),
                Some(text) => self
                    .http
                    .post(&url)
                    .header("content-type", "application/text")
                    .body(text.to_string()),
            };
            let response = request
                .bearer_auth(&token)
                .header("accept", "application/json")
                .send()
                .await;
            let response = response.map_err(|e| {
                ConnectorError::Transient(format!(
                    "QuickBooks could not be reached for {what} ({})",
                    e.without_url()
                ))
            })?;
            let status = response.status().as_u16();
            let bytes = response.bytes().await.map_err(|e| {
                ConnectorError::Transient(format!("reading {what}: {}", e.without_url()))
            })?;
            drop(slot);
            if (500..=599).contains(&status) {
                return Err(ConnectorError::Transient(format!(
                    "QuickBooks answered {status} to {what}"
                )));
            }
            // A 200 that names no fault is the answer (its reader checks it is JSON); any
            // other is read for its `Fault`.
            if status == 200 && !may_hold_fault(&bytes) {
                return Ok(bytes.into());
            }
            let body: Value = match serde_json::from_slice(&bytes) {
                Ok(b) => b,
                Err(e) if status == 200 => {
                    return Err(ConnectorError::Malformed(format!(
                        "QuickBooks' answer to {what} is not JSON: {e}"
                    )));
                }
                Err(_) => Value::Null,
            };
            let fault = Fault::of(&body);
            let throttled = status == 429 || fault.as_ref().is_some_and(Fault::is_throttle);
            if throttled {
                let wait = self.limits.throttle_wait;
                self.block(&realm, wait);
                throttles += 1;
                if throttles > self.limits.max_retries {
                    return Err(ConnectorError::RateLimited {
                        retry_after: wait,
                        daily_budget_spent: false,
                    });
                }
                tracing::warn!(%what, ?wait, "QuickBooks throttled the realm; waiting");
                continue;
            }
            let authentication =
                status == 401 || fault.as_ref().is_some_and(Fault::is_authentication);
            if authentication {
                if refreshed {
                    return Err(ConnectorError::AuthRevoked(format!(
                        "QuickBooks refused {what} with a freshly refreshed token: the app was disconnected from the company"
                    )));
                }
                stale = Some(token);
                continue;
            }
            if status == 403 || fault.as_ref().is_some_and(Fault::is_authorization) {
                return Err(ConnectorError::AuthRevoked(format!(
                    "QuickBooks no longer authorizes the app for this company ({})",
                    fault
                        .as_ref()
                        .map(Fault::text)
                        .unwrap_or_else(|| "403".into())
                )));
            }
            if let Some(f) = fault {
                if f.kind.eq_ignore_ascii_case("SystemFault") {
                    return Err(ConnectorError::Transient(format!(
                        "QuickBooks failed {what}: {}",
                        f.text()
                    )));
                }
                return Err(ConnectorError::Malformed(format!(
                    "QuickBooks refused {what}: {}",
                    f.text()
                )));
            }
            if status != 200 {
                let snippet: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
                return Err(ConnectorError::Malformed(format!(
                    "QuickBooks answered {status} to {what}: {snippet}"
                )));
            }
            return Ok(bytes.into());
        }
    }
}

/// What a path and query names (`query` of `query?query=...`), for messages.
fn what_of(path_and_query: &str) -> &str {
    path_and_query.split('?').next().unwrap_or(path_and_query)
}

/// Whether a body may hold a `Fault`: whether a key `"fault"`, in any case, is anywhere in it
/// (found from its first letter, rare in a page). A body without one has no `Fault` member at
/// any depth, and is not parsed twice to find out; one with it is read for it.
fn may_hold_fault(body: &[u8]) -> bool {
    memchr::memchr2_iter(b'f', b'F', body).any(|at| {
        at >= 1
            && body[at - 1] == b'"'
            && body
                .get(at..at + 6)
                .is_some_and(|key| key[..5].eq_ignore_ascii_case(b"fault") && key[5] == b'"')
            && body[at + 6..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b':')
    })
}

#[cfg(test)]
mod tests {
    use super::may_hold_fault;

    #[test]
    fn faults_are_found_without_parsing_and_pages_pass() {
        for body in [
            r#"{"Fault":{"Error":[]},"time":"x"}"#,
            r#"{"time":"x", "fault" : {"error":[]}}"#,
            r#"{"FAULT":{}}"#,
            // Anywhere: the body is then read, and only a top-level Fault counts.
            r#"{"QueryResponse":{"Invoice":[{"Id":"1","fault":1}]}}"#,
        ] {
            assert!(may_hold_fault(body.as_bytes()), "{body}");
        }
        for body in [
            r#"{"QueryResponse":{"Invoice":[{"Id":"1","Note":"Default"}]},"time":"x"}"#,
            r#"{"QueryResponse":{"Invoice":[{"Id":"1","DefaultFault":"fault"}]}}"#,
            r#"{"QueryResponse":{}}"#,
            "",
        ] {
            assert!(!may_hold_fault(body.as_bytes()), "{body}");
        }
    }
}
