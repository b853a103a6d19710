//! A stateful local QuickBooks Online: Intuit's OAuth server (consent page, token endpoint
//! with rotating refresh tokens, revocation) and the Accounting API v3
//! (`/v3/company/{realmId}/...`: query, change data capture, reports, company info) over
//! companies converted from the Sandbox generator's books, with Intuit's throttles and
//! switchable faults.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use ledgerbridge_fakes::quickbooks::{QuickBooksSim, SimOptions};
//! let sim = QuickBooksSim::start(SimOptions::default()).await?;
//! println!("authorize at {}", sim.authorize_url());
//! # Ok(()) }
//! ```
//!
//! One base URL serves everything: `{base}/connect/oauth2` (consent),
//! `{base}/oauth2/v1/tokens/bearer`, `{base}/v2/oauth2/tokens/revoke` and `{base}/v3/...`.

pub mod books;
mod limits;
pub mod query;
mod server;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use ledgerbridge_sandbox::{Books, Config};

pub use books::Company;
pub use ledgerbridge_sandbox::{Seed, Size};
pub use limits::Limits;

/// One company the simulator serves: the books of a seed and size (the same options as
/// the Xero simulator's organisations).
pub use crate::xero::TenantOptions;

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Address to bind (`127.0.0.1:0` for tests).
    pub addr: SocketAddr,
    /// The one registered app.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// Companies (realms) a user can connect; realm ids are `9130350000000000` + position.
    pub companies: Vec<TenantOptions>,
    /// Access token lifetime (Intuit: one hour).
    pub access_token_ttl: Duration,
    /// How long a refresh token stays usable once a newer one was issued (Intuit: 24 hours).
    pub refresh_grace: Duration,
    /// How long an unused refresh token lives (Intuit: 101 days, rolling).
    pub refresh_idle: Duration,
    /// How far back change data capture looks (Intuit: 30 days).
    pub cdc_window: Duration,
    /// Most objects one change data capture answer holds (Intuit: 1,000).
    pub cdc_max: usize,
    /// Throttles.
    pub limits: Limits,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            client_id: "sim-intuit-client-id".into(),
            client_secret: "sim-intuit-client-secret".into(),
            companies: vec![TenantOptions::new(42, Size::Small)],
            access_token_ttl: Duration::from_secs(3600),
            refresh_grace: Duration::from_secs(24 * 3600),
            refresh_idle: Duration::from_secs(101 * 24 * 3600),
            cdc_window: Duration::from_secs(30 * 24 * 3600),
            cdc_max: 1000,
            limits: Limits::default(),
        }
    }
}

impl SimOptions {
    fn policy(&self) -> crate::identity::Policy {
        crate::identity::Policy {
            client_id: self.client_id.clone(),
            access_token_ttl: self.access_token_ttl,
            refresh_grace: self.refresh_grace,
            refresh_idle: self.refresh_idle,
        }
    }
}

/// The realm id of the company at `index`.
pub fn realm_id(index: usize) -> String {
    format!("{}", 9_130_350_000_000_000u64 + index as u64)
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
    /// Most Accounting API calls in flight at once, across the app.
    pub max_concurrent: AtomicU64,
    /// Most Accounting API calls in flight at once for one realm.
    pub max_realm_concurrent: AtomicU64,
    /// Calls without `minorversion` (or below 75).
    pub without_minor_version: AtomicU64,
    /// Calls by kind: `query:Invoice`, `count:Invoice`, `cdc`, `report:BalanceSheet`,
    /// `companyinfo`.
    pub per_kind: Mutex<BTreeMap<String, u64>>,
}

impl Counters {
    /// Calls of one kind (`query:Invoice`, `cdc`, ...).
    pub fn calls_to(&self, kind: &str) -> u64 {
        self.per_kind
            .lock()
            .map(|m| m.get(kind).copied().unwrap_or(0))
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
            &self.max_realm_concurrent,
            &self.without_minor_version,
        ] {
            c.store(0, Ordering::SeqCst);
        }
        if let Ok(mut m) = self.per_kind.lock() {
            m.clear();
        }
    }
}

/// A `Fault` to answer with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultSpec {
    /// HTTP status (QuickBooks sends some faults inside a 200).
    pub status: u16,
    /// `Fault.type` (`ValidationFault`, `SystemFault`, `AuthenticationFault`, ...).
    pub kind: String,
    /// `Error[0].code`.
    pub code: String,
    /// `Error[0].Message`.
    pub message: String,
    /// `Error[0].Detail`.
    pub detail: String,
}

/// Faults a test can switch on and off while the simulator runs.
#[derive(Debug, Default)]
pub struct Faults {
    /// The next this many API calls answer 503.
    pub server_errors: AtomicU32,
    /// The next this many API calls answer 200 with a body that is not JSON.
    pub malformed: AtomicU32,
    /// The next this many API calls answer this fault.
    pub fault: Mutex<Option<(u32, FaultSpec)>>,
    /// Fault bodies are written with lower-case keys (`fault.error[].message`), as some of
    /// Intuit's services do.
    pub lower_case_faults: AtomicBool,
    /// Throttling is answered the legacy way: 403 with `ThrottleExceeded`.
    pub throttle_as_403: AtomicBool,
    /// Throttles are not enforced.
    pub limits_off: AtomicBool,
    /// Every API call takes at least this many milliseconds once admitted (a slow
    /// QuickBooks, so that concurrent requests overlap).
    pub latency_ms: AtomicU64,
}

pub(crate) struct State {
    pub options: SimOptions,
    pub companies: RwLock<Vec<Arc<Company>>>,
    pub identity: Mutex<crate::identity::Identity>,
    pub limits: limits::Limiter,
    pub counters: Arc<Counters>,
    pub faults: Arc<Faults>,
}

/// The simulator.
pub struct QuickBooksSim;

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

/// Builds the companies of `options` (blocking: generates the books).
pub fn build_companies(companies: &[TenantOptions], sync: u32) -> Vec<Arc<Company>> {
    companies
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let books = Books::new(Config::new(t.seed, t.size)).ok()?;
            Some(Arc::new(books::company(
                &books,
                sync,
                &realm_id(i),
                t.name.as_deref(),
            )))
        })
        .collect()
}

impl QuickBooksSim {
    /// Generates the companies, binds and starts serving.
    pub async fn start(options: SimOptions) -> std::io::Result<SimHandle> {
        let list = options.companies.clone();
        let companies = tokio::task::spawn_blocking(move || build_companies(&list, 0))
            .await
            .map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(options.addr).await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let faults = Arc::new(Faults::default());
        let state = Arc::new(State {
            limits: limits::Limiter::new(options.limits.clone()),
            identity: Mutex::new(crate::identity::Identity::default()),
            companies: RwLock::new(companies),
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

    /// The consent page (Intuit: `https://appcenter.intuit.com/connect/oauth2`).
    pub fn authorize_url(&self) -> String {
        format!("{}/connect/oauth2", self.base_url())
    }

    /// The token endpoint (Intuit: `https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer`).
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v1/tokens/bearer", self.base_url())
    }

    /// The API base (Intuit: `https://quickbooks.api.intuit.com`).
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

    /// The companies served, in the order of the options.
    pub fn companies(&self) -> Vec<Arc<Company>> {
        self.state
            .companies
            .read()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// Changes company `index` in place (tests: delete or update entities between syncs).
    pub fn edit_company(&self, index: usize, edit: impl FnOnce(&mut Company)) {
        if let Ok(mut list) = self.state.companies.write()
            && let Some(c) = list.get_mut(index)
        {
            edit(Arc::make_mut(c));
        }
    }

    /// Skips the consent page: approves company `index` for an authorize URL the connector
    /// built and returns the callback URL Intuit would redirect the browser to (`code`,
    /// `state`, `realmId`).
    pub fn approve(&self, authorize_url: &str, index: usize) -> Result<String, String> {
        let query = authorize_url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let mut identity = self
            .state
            .identity
            .lock()
            .map_err(|_| "simulator state poisoned".to_string())?;
        let request = identity.begin(&self.state.options.policy(), &params)?;
        let url = identity.decide(&request, true, &[index])?;
        Ok(format!("{url}&realmId={}", realm_id(index)))
    }

    /// The user disconnected the app: every refresh token answers `invalid_grant`.
    pub fn revoke_all(&self) {
        if let Ok(mut identity) = self.state.identity.lock() {
            identity.revoke_all();
        }
    }

    /// Expires every access token now (as if an hour had passed).
    pub fn expire_access_tokens(&self) {
        if let Ok(mut identity) = self.state.identity.lock() {
            identity.expire_access_tokens();
        }
    }

    /// The next `n` API calls answer `fault`.
    pub fn inject_fault(&self, n: u32, fault: FaultSpec) {
        if let Ok(mut f) = self.faults.fault.lock() {
            *f = Some((n, fault));
        }
    }
}
