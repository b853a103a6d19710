//! A stateful local Xero: identity server (consent page, token endpoint with rotating
//! refresh tokens, revocation, `/connections`) and the Accounting API (`/api.xro/2.0`) over
//! organisations converted from the Sandbox generator's books, with Xero's rate limits and
//! switchable faults.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use ledgerbridge_fakes::xero::{SimOptions, XeroSim};
//! let sim = XeroSim::start(SimOptions::default()).await?;
//! println!("authorize at {}", sim.authorize_url());
//! # Ok(()) }
//! ```
//!
//! One base URL serves everything: `{base}/identity/connect/authorize`,
//! `{base}/connect/token`, `{base}/connect/revocation`, `{base}/connections` and
//! `{base}/api.xro/2.0/...`, so the connector's three configurable URLs all point at it.

pub mod books;
mod limits;
mod server;
mod wire;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ledgerbridge_sandbox::{Books, Config};

pub use books::Organisation;
pub use ledgerbridge_sandbox::{Seed, Size};
pub use limits::Limits;

/// One organisation the simulator serves.
#[derive(Clone, Debug)]
pub struct TenantOptions {
    /// Shown on the consent page and in `/connections`; defaults to the books' company name.
    pub name: Option<String>,
    /// Seed of the books.
    pub seed: Seed,
    /// Size of the books.
    pub size: Size,
}

impl TenantOptions {
    /// The books for `seed` and `size`, under the company's own name.
    pub fn new(seed: impl Into<Seed>, size: Size) -> Self {
        Self {
            name: None,
            seed: seed.into(),
            size,
        }
    }
}

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Address to bind (`127.0.0.1:0` for tests).
    pub addr: SocketAddr,
    /// The one registered app.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// Organisations a user can connect.
    pub tenants: Vec<TenantOptions>,
    /// Access token lifetime (Xero: 30 minutes).
    pub access_token_ttl: Duration,
    /// How long a refresh token stays usable after it has been used (Xero: 30 minutes).
    pub refresh_grace: Duration,
    /// How long an unused refresh token lives (Xero: 60 days).
    pub refresh_idle: Duration,
    /// Rate limits.
    pub limits: Limits,
    /// `ProviderName` in envelopes.
    pub provider_name: String,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: "sim-client-id".into(),
            client_secret: "sim-client-secret".into(),
            tenants: vec![TenantOptions::new(42, Size::Small)],
            access_token_ttl: Duration::from_secs(1800),
            refresh_grace: Duration::from_secs(1800),
            refresh_idle: Duration::from_secs(60 * 24 * 3600),
            limits: Limits::default(),
            provider_name: "ledgerbridge simulator".into(),
        }
    }
}

impl SimOptions {
    /// The token lifetimes the identity server applies.
    pub(crate) fn policy(&self) -> crate::identity::Policy {
        crate::identity::Policy {
            client_id: self.client_id.clone(),
            access_token_ttl: self.access_token_ttl,
            refresh_grace: self.refresh_grace,
            refresh_idle: self.refresh_idle,
        }
    }
}

/// What the simulator has seen, for assertions.
#[derive(Debug, Default)]
pub struct Counters {
    /// Accounting API calls (every status).
    pub api_calls: AtomicU64,
    /// 429 answers.
    pub rate_limited: AtomicU64,
    /// Successful token grants (code exchanges and refreshes).
    pub token_grants: AtomicU64,
    /// Refreshes that succeeded.
    pub refreshes: AtomicU64,
    /// `invalid_grant` answers.
    pub invalid_grants: AtomicU64,
    /// Most Accounting API calls in flight at once, for one tenant.
    pub max_concurrent: AtomicU64,
    /// Calls per path (`/api.xro/2.0/Invoices` ...).
    pub per_path: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Counters {
    /// Calls made to an Accounting API path such as `Invoices`.
    pub fn calls_to(&self, endpoint: &str) -> u64 {
        self.per_path
            .lock()
            .map(|m| m.get(endpoint).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Every counter set back to zero.
    pub fn reset(&self) {
        for c in [
            &self.api_calls,
            &self.rate_limited,
            &self.token_grants,
            &self.refreshes,
            &self.invalid_grants,
            &self.max_concurrent,
        ] {
            c.store(0, Ordering::SeqCst);
        }
        if let Ok(mut m) = self.per_path.lock() {
            m.clear();
        }
    }
}

/// Faults a test can switch on and off while the simulator runs.
#[derive(Debug, Default)]
pub struct Faults {
    /// The next this many Accounting API calls answer 503.
    pub server_errors: AtomicU32,
    /// The next this many Accounting API calls hang for `hang_for` before answering.
    pub timeouts: AtomicU32,
    /// How long a "timed out" call hangs.
    pub hang_for: Mutex<Duration>,
    /// The next this many Accounting API calls answer 200 with a body that is not JSON.
    pub malformed: AtomicU32,
    /// Every call is a 404 for these endpoints (e.g. `Journals` for an organisation
    /// without the premium journals product).
    pub not_found: Mutex<Vec<String>>,
    /// Rate limits are not enforced (headers still sent).
    pub limits_off: AtomicBool,
}

pub(crate) struct State {
    pub options: SimOptions,
    pub orgs: Mutex<Vec<Arc<Organisation>>>,
    pub identity: Mutex<crate::identity::Identity>,
    pub limits: limits::Limiter,
    pub counters: Arc<Counters>,
    pub faults: Arc<Faults>,
}

/// The simulator.
pub struct XeroSim;

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    state: Arc<State>,
    /// Counters of what the simulator answered.
    pub counters: Arc<Counters>,
    /// Switchable faults.
    pub faults: Arc<Faults>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Builds the organisations of `tenants` at sync `sync` (blocking: generates the books).
pub fn build_organisations(tenants: &[TenantOptions], sync: u32) -> Vec<Arc<Organisation>> {
    tenants
        .iter()
        .filter_map(|t| {
            let books = Books::new(Config::new(t.seed, t.size)).ok()?;
            Some(Arc::new(books::organisation(
                &books,
                sync,
                t.name.as_deref(),
            )))
        })
        .collect()
}

impl XeroSim {
    /// Generates the organisations, binds and starts serving.
    pub async fn start(options: SimOptions) -> std::io::Result<SimHandle> {
        let tenants = options.tenants.clone();
        let orgs = tokio::task::spawn_blocking(move || build_organisations(&tenants, 0))
            .await
            .map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(options.addr).await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let faults = Arc::new(Faults::default());
        let state = Arc::new(State {
            limits: limits::Limiter::new(options.limits.clone()),
            identity: Mutex::new(crate::identity::Identity::default()),
            orgs: Mutex::new(orgs),
            counters: counters.clone(),
            faults: faults.clone(),
            options,
        });
        let router = server::router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(SimHandle {
            state,
            counters,
            faults,
            addr,
            task,
        })
    }
}

impl SimHandle {
    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the consent page is (Xero: `https://login.xero.com/identity/connect/authorize`).
    pub fn authorize_url(&self) -> String {
        format!("{}/identity/connect/authorize", self.base_url())
    }

    /// The token endpoint (Xero: `https://identity.xero.com/connect/token`).
    pub fn token_url(&self) -> String {
        format!("{}/connect/token", self.base_url())
    }

    /// The API base (Xero: `https://api.xero.com`).
    pub fn api_url(&self) -> String {
        self.base_url()
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.state.options.client_id
    }

    /// The app's client secret.
    pub fn client_secret(&self) -> &str {
        &self.state.options.client_secret
    }

    /// The organisations served, in the order of the options.
    pub fn organisations(&self) -> Vec<Arc<Organisation>> {
        self.state
            .orgs
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }

    /// Moves every organisation's books to sync `sync`: what changed since shows up with a
    /// later `UpdatedDateUTC`, deleted documents turn `DELETED`.
    pub async fn advance_to(&self, sync: u32) {
        let tenants = self.state.options.tenants.clone();
        if let Ok(orgs) =
            tokio::task::spawn_blocking(move || build_organisations(&tenants, sync)).await
            && let Ok(mut current) = self.state.orgs.lock()
        {
            *current = orgs;
        }
    }

    /// Posts a journal in organisation `tenant` now (a copy of its latest, with the next
    /// `JournalNumber` and `CreatedDateUTC` = now), as any change to a transaction in Xero
    /// posts one. (`advance_to` moves the books along their own calendar instead.)
    pub fn post_journal(&self, tenant: usize) {
        let Ok(mut orgs) = self.state.orgs.lock() else {
            return;
        };
        let Some(org) = orgs.get_mut(tenant) else {
            return;
        };
        let mut changed = Organisation::clone(org);
        let journals = changed.collections.entry("Journals").or_default();
        let Some(mut journal) = journals.last().map(|e| e.value().clone()) else {
            return;
        };
        let number = journal["JournalNumber"].as_u64().unwrap_or(0) + 1;
        let now = chrono::Utc::now().naive_utc();
        journal["JournalID"] = serde_json::json!(uuid::Uuid::new_v4().to_string());
        journal["JournalNumber"] = serde_json::json!(number);
        journal["CreatedDateUTC"] = serde_json::json!(books::ms_stamp(now));
        journals.push(books::Entry::new(now_ms(), journal));
        *org = Arc::new(changed);
    }

    /// Skips the consent page: approves `tenants` (indices; all when empty) for an
    /// authorize URL the connector built, and returns the callback URL Xero would redirect
    /// the browser to (with `code` and `state`).
    pub fn approve(&self, authorize_url: &str, tenants: &[usize]) -> Result<String, String> {
        let query = authorize_url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let params: std::collections::BTreeMap<String, String> =
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
        let mut identity = self
            .state
            .identity
            .lock()
            .map_err(|_| "simulator state poisoned".to_string())?;
        let request = identity.begin(&self.state.options.policy(), &params)?;
        let all: Vec<usize> = (0..self.state.options.tenants.len()).collect();
        let chosen = if tenants.is_empty() { &all } else { tenants };
        identity.decide(&request, true, chosen)
    }

    /// Disconnects the user from the app, as "Disconnect" in Xero's settings: every refresh
    /// token of every grant answers `invalid_grant`, `/connections` is empty.
    pub fn revoke_all(&self) {
        if let Ok(mut identity) = self.state.identity.lock() {
            identity.revoke_all();
        }
    }

    /// Removes one organisation from every grant (`DELETE /connections/{id}`): its calls
    /// answer 403 while the grant's refresh still works.
    pub fn disconnect_tenant(&self, tenant_id: &str) {
        let index = self
            .organisations()
            .iter()
            .position(|o| o.tenant_id == tenant_id);
        if let (Some(index), Ok(mut identity)) = (index, self.state.identity.lock()) {
            identity.disconnect_everywhere(index);
        }
    }

    /// Expires every access token now (as if 30 minutes had passed).
    pub fn expire_access_tokens(&self) {
        if let Ok(mut identity) = self.state.identity.lock() {
            identity.expire_access_tokens();
        }
    }

    /// Grants the next consent only these scopes (tests of a missing scope).
    pub fn grant_only_scopes(&self, scopes: &[&str]) {
        if let Ok(mut identity) = self.state.identity.lock() {
            identity.scope_override = Some(scopes.iter().map(|s| s.to_string()).collect());
        }
    }
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
