//! Talking to Xero: the access token of each connection (refreshed ahead of expiry, the
//! rotated refresh token saved before it is used), the rate budget of each tenant (paced
//! from Xero's headers so calls never meet a 429), and the mapping of HTTP answers to
//! [`ConnectorError`]s.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, Utc};
use ledgerbridge_domain::ConnectionId;
use serde_json::{Value, json};

use crate::connector::{ConnectionContext, ConnectorError};
use crate::oauth::OAuthApp;

/// Xero's rate limits as the connector paces itself against them.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Calls per tenant per rolling minute (Xero: 60).
    pub per_minute: u32,
    /// Calls per tenant in flight (Xero: 5).
    pub concurrent: u32,
    /// How long the rolling "minute" is (Xero: 60 s; simulators in tests: seconds).
    pub minute: Duration,
    /// Times a minute-limit 429 is waited out inside one page before giving up to the sync
    /// engine.
    pub max_retries: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_minute: 60,
            concurrent: 5,
            minute: Duration::from_secs(60),
            max_retries: 3,
        }
    }
}

/// A connection's tokens as stored in its credentials. Every organisation of one grant
/// shares the grant's tokens (`grant_id` ties them together).
#[derive(Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub tenant_id: String,
    pub tenant_name: String,
    pub scope: String,
    /// Shared by the connections of one consent; empty in credentials from elsewhere.
    pub grant_id: String,
}

impl Tokens {
    /// Reads `{"access_token", "refresh_token", "expires_at", "tenant_id", ...}`.
    pub fn from_credentials(credentials: &Value) -> Result<Self, ConnectorError> {
        let text = |k: &str| credentials.get(k).and_then(Value::as_str).unwrap_or("");
        if text("refresh_token").is_empty() || text("tenant_id").is_empty() {
            return Err(ConnectorError::AuthRevoked(
                "the connection holds no Xero grant (refresh token and tenant); link it again"
                    .into(),
            ));
        }
        Ok(Self {
            access_token: text("access_token").to_string(),
            refresh_token: text("refresh_token").to_string(),
            expires_at: DateTime::parse_from_rfc3339(text("expires_at"))
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            tenant_id: text("tenant_id").to_string(),
            tenant_name: text("tenant_name").to_string(),
            scope: text("scope").to_string(),
            grant_id: text("grant_id").to_string(),
        })
    }

    /// The credentials JSON a connection stores.
    pub fn to_credentials(&self) -> Value {
        json!({
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.to_rfc3339(),
            "tenant_id": self.tenant_id,
            "tenant_name": self.tenant_name,
            "scope": self.scope,
            "grant_id": self.grant_id,
        })
    }
}

/// The token endpoint's answer.
pub struct Granted {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub scope: String,
}

/// Why the token endpoint said no.
pub enum GrantError {
    /// `invalid_grant`: the code or refresh token is dead.
    Invalid(String),
    /// Anything else: the client is misconfigured, or Xero is unreachable.
    Other(String, bool),
}

/// The tokens of one grant, shared by every connection (organisation) it covers.
struct TokenSlot {
    tokens: Tokens,
    /// Every refresh token this slot has held: credentials that carry one of them are this
    /// slot's past; any other refresh token means the connection was linked again.
    known: HashSet<String>,
    /// The connections using this grant, with their tenant id and name: a refresh is saved
    /// to each of them, so none is left holding a dead refresh token.
    members: HashMap<ConnectionId, (String, String)>,
}

#[derive(Default)]
struct TenantBudget {
    /// When recent calls finished (answered): a call stops counting a minute after.
    done: VecDeque<Instant>,
    in_flight: u32,
    blocked_until: Option<Instant>,
    day_remaining: Option<u32>,
    /// Calls Xero said were left this minute, when it said so, less the calls sent since:
    /// others (another process, another install of the app) may share the budget.
    minute_left: Option<(u32, Instant)>,
}

/// The HTTP side of the connector, shared by every fetch of every connection.
pub struct Client {
    pub app: OAuthApp,
    pub limits: RateLimits,
    /// Refresh when the access token has less than this left.
    pub refresh_margin: Duration,
    http: reqwest::Client,
    tokens: Mutex<HashMap<String, Arc<tokio::sync::Mutex<TokenSlot>>>>,
    budgets: Mutex<HashMap<String, TenantBudget>>,
}

/// A call slot in a tenant's budget; gives the slot back when dropped.
struct Slot<'a> {
    client: &'a Client,
    tenant: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut budgets = self
            .client
            .budgets
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let b = budgets.entry(self.tenant.clone()).or_default();
        b.in_flight = b.in_flight.saturating_sub(1);
        b.done.push_back(Instant::now());
    }
}

fn header_u32(headers: &reqwest::header::HeaderMap, name: &str) -> Option<u32> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The endpoint a path and query names (`Invoices` of `Invoices?page=2`), for messages.
fn endpoint_of(path_and_query: &str) -> &str {
    path_and_query.split('?').next().unwrap_or(path_and_query)
}

/// Xero's `Retry-After`: seconds.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|s| Duration::from_secs_f64(s.clamp(0.0, 7.0 * 24.0 * 3600.0)))
        .unwrap_or(Duration::from_secs(60))
}

impl Client {
    /// A client for one registered app.
    pub fn new(app: OAuthApp, limits: RateLimits, refresh_margin: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            app,
            limits,
            refresh_margin,
            http,
            tokens: Mutex::new(HashMap::new()),
            budgets: Mutex::new(HashMap::new()),
        }
    }

    /// The request timeout, shortened (tests of hanging calls).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .unwrap_or_default();
        self
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
                        "Xero's token endpoint could not be reached ({})",
                        e.without_url()
                    ),
                    true,
                )
            })?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let error = body.get("error").and_then(Value::as_str).unwrap_or("");
        if status.is_success() {
            let text = |k: &str| {
                body.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let granted = Granted {
                access_token: text("access_token"),
                refresh_token: text("refresh_token"),
                expires_in: body
                    .get("expires_in")
                    .and_then(Value::as_i64)
                    .unwrap_or(1800),
                scope: text("scope"),
            };
            if granted.access_token.is_empty() || granted.refresh_token.is_empty() {
                return Err(GrantError::Other(
                    "Xero's token endpoint answered without an access and refresh token (is offline_access among the scopes?)".into(),
                    false,
                ));
            }
            return Ok(granted);
        }
        if error == "invalid_grant" {
            return Err(GrantError::Invalid(
                "Xero refused the grant (invalid_grant): it was revoked, expired or already used"
                    .into(),
            ));
        }
        let transient = status.is_server_error() || status.as_u16() == 429;
        Err(GrantError::Other(
            format!(
                "Xero's token endpoint answered {status}{}",
                if error.is_empty() {
                    String::new()
                } else {
                    format!(" ({error})")
                }
            ),
            transient,
        ))
    }

    fn slot_for(
        &self,
        ctx: &ConnectionContext,
    ) -> Result<(Arc<tokio::sync::Mutex<TokenSlot>>, String), ConnectorError> {
        let stored = Tokens::from_credentials(&ctx.credentials)?;
        let key = if stored.grant_id.is_empty() {
            ctx.connection_id.to_string()
        } else {
            stored.grant_id.clone()
        };
        let tenant = stored.tenant_id.clone();
        let member = (stored.tenant_id.clone(), stored.tenant_name.clone());
        let mut map = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = map.get(&key) {
            match slot.try_lock() {
                Ok(mut guard) if guard.known.contains(&stored.refresh_token) => {
                    guard.members.insert(ctx.connection_id, member);
                    drop(guard);
                    return Ok((slot.clone(), tenant));
                }
                Ok(_) => {}
                // A refresh in progress: that refresh is this grant's present.
                Err(_) => return Ok((slot.clone(), tenant)),
            }
        }
        let slot = Arc::new(tokio::sync::Mutex::new(TokenSlot {
            known: HashSet::from([stored.refresh_token.clone()]),
            members: HashMap::from([(ctx.connection_id, member)]),
            tokens: stored,
        }));
        map.insert(key, slot.clone());
        Ok((slot, tenant))
    }

    /// A usable access token and the connection's tenant id. Refreshes when the token is
    /// near expiry, or when `stale` is the token a call was just refused with (and nobody
    /// refreshed since). The third value says whether this call refreshed.
    async fn access(
        &self,
        ctx: &ConnectionContext,
        stale: Option<&str>,
    ) -> Result<(String, String, bool), ConnectorError> {
        let (slot, tenant) = self.slot_for(ctx)?;
        let mut slot = slot.lock().await;
        slot.members
            .entry(ctx.connection_id)
            .or_insert_with(|| (tenant.clone(), String::new()));
        let now = Utc::now();
        let margin = chrono::Duration::from_std(self.refresh_margin).unwrap_or_default();
        let expired = slot.tokens.access_token.is_empty() || slot.tokens.expires_at - margin <= now;
        let refused = stale.is_some_and(|s| s == slot.tokens.access_token);
        if !expired && !refused {
            return Ok((slot.tokens.access_token.clone(), tenant, false));
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
        next.refresh_token = granted.refresh_token;
        next.expires_at = Utc::now() + chrono::Duration::seconds(granted.expires_in);
        if !granted.scope.is_empty() {
            next.scope = granted.scope;
        }
        // Stored before use, for every connection of the grant: a crash from here on still
        // finds the rotated refresh token.
        for (connection, (tenant_id, tenant_name)) in &slot.members {
            let mut own = next.clone();
            own.tenant_id = tenant_id.clone();
            if !tenant_name.is_empty() {
                own.tenant_name = tenant_name.clone();
            }
            ctx.credential_store
                .save(*connection, &own.to_credentials())
                .await
                .map_err(|e| {
                    ConnectorError::Transient(format!(
                        "could not store the refreshed Xero token: {e}"
                    ))
                })?;
        }
        slot.known.insert(next.refresh_token.clone());
        slot.tokens = next;
        Ok((slot.tokens.access_token.clone(), tenant, true))
    }

    /// Waits for a call slot within the tenant's budget.
    async fn acquire(&self, tenant: &str) -> Result<Slot<'_>, ConnectorError> {
        let window = self.limits.minute;
        // Calls are timed when answered, which is after Xero counted them; a little slack
        // on top covers clock granularity.
        let slack = window / 100 + Duration::from_millis(5);
        loop {
            let wait = {
                let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
                let b = budgets.entry(tenant.to_string()).or_default();
                let now = Instant::now();
                while b
                    .done
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    b.done.pop_front();
                }
                if b.day_remaining == Some(0) && b.in_flight == 0 {
                    b.day_remaining = None;
                    return Err(ConnectorError::RateLimited {
                        retry_after: Duration::from_secs(3600),
                        daily_budget_spent: true,
                    });
                }
                let used = b.done.len() as u32 + b.in_flight;
                if b.minute_left
                    .is_some_and(|(_, at)| now.duration_since(at) >= window)
                {
                    b.minute_left = None;
                }
                let xero_allows = b.minute_left.is_none_or(|(left, _)| left > 0);
                match b.blocked_until {
                    Some(until) if until > now => until - now,
                    _ if used < self.limits.per_minute
                        && b.in_flight < self.limits.concurrent
                        && xero_allows =>
                    {
                        b.in_flight += 1;
                        if let Some((left, _)) = &mut b.minute_left {
                            *left -= 1;
                        }
                        return Ok(Slot {
                            client: self,
                            tenant: tenant.to_string(),
                        });
                    }
                    _ if b.in_flight >= self.limits.concurrent => Duration::from_millis(5),
                    _ => {
                        // The oldest call we know of leaves the window first; when Xero
                        // counts calls we did not make, its count renews a minute after it
                        // was given at the latest.
                        let ours = b.done.front().map(|t| *t + window);
                        let theirs = b.minute_left.map(|(_, at)| at + window);
                        let until = match (ours, theirs, xero_allows) {
                            (Some(o), Some(t), false) => o.min(t),
                            (Some(o), _, _) => o,
                            (None, Some(t), _) => t,
                            (None, None, _) => now + Duration::from_millis(5),
                        };
                        (until + slack).saturating_duration_since(now)
                    }
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// Learns from the limit headers of an answer.
    fn observe(&self, tenant: &str, headers: &reqwest::header::HeaderMap) {
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let b = budgets.entry(tenant.to_string()).or_default();
        metrics::counter!("ledgerbridge_platform_calls_total", "platform" => "gbol").increment(1);
        if let Some(day) = header_u32(headers, "x-daylimit-remaining") {
            b.day_remaining = Some(day);
            // The last tenant heard from: labels stay per platform, not per tenant.
            metrics::gauge!("ledgerbridge_platform_rate_budget_remaining", "platform" => "gbol", "window" => "day")
                .set(f64::from(day));
        }
        if let Some(minute) = header_u32(headers, "x-minlimit-remaining") {
            // Calls sent after this one was answered are not in Xero's count yet.
            let left = minute.saturating_sub(b.in_flight);
            b.minute_left = Some((left, Instant::now()));
        }
        if header_u32(headers, "x-appminlimit-remaining") == Some(0) {
            let until = Instant::now() + self.limits.minute / 60;
            b.blocked_until = Some(b.blocked_until.map_or(until, |u| u.max(until)));
        }
    }

    fn block(&self, tenant: &str, wait: Duration) {
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let b = budgets.entry(tenant.to_string()).or_default();
        let until = Instant::now() + wait;
        b.blocked_until = Some(b.blocked_until.map_or(until, |u| u.max(until)));
    }

    /// GETs `{api}/api.xro/2.0/{path_and_query}` for the connection's tenant and returns the
    /// JSON body as a `Value`. `modified_since` is sent as `If-Modified-Since`.
    pub async fn get(
        &self,
        ctx: &ConnectionContext,
        path_and_query: &str,
        modified_since: Option<&str>,
    ) -> Result<Value, ConnectorError> {
        let bytes = self.get_bytes(ctx, path_and_query, modified_since).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ConnectorError::Malformed(format!(
                "Xero's answer to {} is not JSON: {e}",
                endpoint_of(path_and_query)
            ))
        })
    }

    /// [`Client::get`], the body as the bytes Xero sent (for reading into typed records).
    pub async fn get_bytes(
        &self,
        ctx: &ConnectionContext,
        path_and_query: &str,
        modified_since: Option<&str>,
    ) -> Result<Vec<u8>, ConnectorError> {
        let url = format!(
            "{}/api.xro/2.0/{path_and_query}",
            self.app.api_url.trim_end_matches('/')
        );
        let endpoint = endpoint_of(path_and_query);
        let mut stale: Option<String> = None;
        let mut refreshed = false;
        let mut rate_retries = 0;
        loop {
            let (token, tenant, fresh) = self.access(ctx, stale.as_deref()).await?;
            refreshed |= fresh;
            let slot = self.acquire(&tenant).await?;
            let mut request = self
                .http
                .get(&url)
                .bearer_auth(&token)
                .header("xero-tenant-id", &tenant)
                .header("accept", "application/json");
            if let Some(since) = modified_since {
                request = request.header("if-modified-since", since);
            }
            let response = request.send().await;
            drop(slot);
            let response = response.map_err(|e| {
                ConnectorError::Transient(format!(
                    "Xero could not be reached for {endpoint} ({})",
                    e.without_url()
                ))
            })?;
            self.observe(&tenant, response.headers());
            let status = response.status().as_u16();
            match status {
                200 => {
                    let bytes = response.bytes().await.map_err(|e| {
                        ConnectorError::Transient(format!(
                            "reading {endpoint}: {}",
                            e.without_url()
                        ))
                    })?;
                    return Ok(bytes.into());
                }
                401 | 403 => {
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    let detail = body.get("Detail").and_then(Value::as_str).unwrap_or("");
                    let not_authorized =
                        status == 403 && detail.contains("AuthorizationUnsuccessful");
                    if not_authorized || (status == 403 && !detail.contains("Authentication")) {
                        return Err(ConnectorError::PermissionDenied(format!(
                            "Xero refused {endpoint}: the authorization lacks the scope it needs (check LEDGERBRIDGE_XERO_SCOPES and link again)"
                        )));
                    }
                    if refreshed {
                        return Err(ConnectorError::AuthRevoked(format!(
                            "Xero refused {endpoint} with a freshly refreshed token ({status}): the organisation was disconnected from the app"
                        )));
                    }
                    stale = Some(token);
                }
                404 => return Err(ConnectorError::NotSupported),
                429 => {
                    metrics::counter!("ledgerbridge_platform_rate_limited_total", "platform" => "gbol")
                        .increment(1);
                    let wait = retry_after(response.headers());
                    let problem = response
                        .headers()
                        .get("x-rate-limit-problem")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if problem == "day" {
                        return Err(ConnectorError::RateLimited {
                            retry_after: wait,
                            daily_budget_spent: true,
                        });
                    }
                    self.block(&tenant, wait);
                    rate_retries += 1;
                    if rate_retries > self.limits.max_retries {
                        return Err(ConnectorError::RateLimited {
                            retry_after: wait,
                            daily_budget_spent: false,
                        });
                    }
                    tracing::warn!(%endpoint, ?wait, %problem, "Xero rate limit met; waiting");
                }
                500..=599 => {
                    return Err(ConnectorError::Transient(format!(
                        "Xero answered {status} to {endpoint}"
                    )));
                }
                _ => {
                    let text = response.text().await.unwrap_or_default();
                    let snippet: String = text.chars().take(200).collect();
                    return Err(ConnectorError::Malformed(format!(
                        "Xero answered {status} to {endpoint}: {snippet}"
                    )));
                }
            }
        }
    }

    /// `GET {api}/connections` with a fresh access token: the organisations a grant covers.
    pub async fn connections(&self, access_token: &str) -> Result<Vec<Value>, String> {
        let url = format!("{}/connections", self.app.api_url.trim_end_matches('/'));
        let response = self
            .http
            .get(&url)
            .bearer_auth(access_token)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| {
                format!(
                    "Xero's connections endpoint could not be reached ({})",
                    e.without_url()
                )
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("Xero's connections endpoint answered {status}"));
        }
        let body: Value = response.json().await.map_err(|_| {
            "Xero's connections endpoint answered something that is not JSON".to_string()
        })?;
        Ok(body.as_array().cloned().unwrap_or_default())
    }
}
