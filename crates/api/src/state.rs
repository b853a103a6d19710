//! Shared state of the API handlers.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ledgerbridge_connectors::catalog::{self, AuthKind, Platform};
use ledgerbridge_connectors::oauth::OAuthLink;
use ledgerbridge_store::Store;
use ledgerbridge_store::crypto::SecretBox;

use crate::auth::ApiKeyCache;
use crate::rate_limit::{RateLimitConfig, RateLimits};

/// What the API needs from configuration.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Base of every URL we hand out (`redirect`, `linkUrl`, logos), without a trailing slash.
    pub public_url: String,
    /// OAuth platforms whose app credentials are configured (Sandbox is always enabled).
    pub configured_platforms: Vec<String>,
    /// An extra accepted API key (`LEDGERBRIDGE_API_KEY`), kept only as its hash.
    pub extra_api_key: Option<String>,
    /// Encrypts connection credentials at rest.
    pub secrets: SecretBox,
    /// Accept webhook consumer URLs on loopback and private addresses
    /// (`LEDGERBRIDGE_WEBHOOKS_ALLOW_PRIVATE`).
    pub webhooks_allow_private: bool,
    /// The OAuth half of each platform Link can send owners to.
    pub oauth: OAuthLinks,
    /// Each API key's daily quota and concurrency.
    pub rate_limits: RateLimitConfig,
    /// Longest a request may take before it is answered `503`.
    pub request_timeout: std::time::Duration,
    /// Largest request body accepted (bigger ones get `413`).
    pub max_body_bytes: usize,
}

/// The [`OAuthLink`] of each OAuth platform, by platform key. A platform without one cannot
/// be linked through the Link pages (they list it as unavailable).
#[derive(Clone, Default)]
pub struct OAuthLinks(HashMap<&'static str, Arc<dyn OAuthLink>>);

impl OAuthLinks {
    /// Adds (or replaces) a platform's OAuth link.
    pub fn with(mut self, link: Arc<dyn OAuthLink>) -> Self {
        self.0.insert(link.platform_key(), link);
        self
    }

    /// The OAuth link of a platform, if one is registered.
    pub fn get(&self, key: &str) -> Option<&Arc<dyn OAuthLink>> {
        self.0.get(key)
    }
}

impl std::fmt::Debug for OAuthLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&str> = self.0.keys().copied().collect();
        keys.sort_unstable();
        f.debug_tuple("OAuthLinks").field(&keys).finish()
    }
}

/// Cheap-to-clone handle to everything handlers use.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub public_url: String,
    pub enabled: HashSet<&'static str>,
    pub keys: ApiKeyCache,
    pub secrets: SecretBox,
    pub webhooks_allow_private: bool,
    pub oauth: OAuthLinks,
    pub rate_limits: RateLimits,
    pub request_timeout: std::time::Duration,
    pub max_body_bytes: usize,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Builds the state; loads the API keys once.
    pub async fn new(
        store: Store,
        config: ApiConfig,
    ) -> Result<Self, ledgerbridge_store::StoreError> {
        let enabled = catalog::PLATFORMS
            .iter()
            .filter(|p| {
                p.auth == AuthKind::None
                    || config.configured_platforms.iter().any(|k| k == p.key)
                    || config.oauth.get(p.key).is_some()
            })
            .map(|p| p.key)
            .collect();
        let keys = ApiKeyCache::new(config.extra_api_key.as_deref());
        keys.reload(&store).await?;
        Ok(Self(Arc::new(Inner {
            store,
            public_url: config.public_url.trim_end_matches('/').to_string(),
            enabled,
            keys,
            secrets: config.secrets,
            webhooks_allow_private: config.webhooks_allow_private,
            oauth: config.oauth,
            rate_limits: RateLimits::new(config.rate_limits),
            request_timeout: config.request_timeout,
            max_body_bytes: config.max_body_bytes,
        })))
    }

    /// Whether companies may connect to this platform now.
    pub fn is_enabled(&self, platform: &Platform) -> bool {
        self.enabled.contains(platform.key)
    }

    /// Whether an owner can link this platform through the Link pages now: the Sandbox, or
    /// an enabled OAuth platform whose [`OAuthLink`] is registered.
    pub fn can_link(&self, platform: &Platform) -> bool {
        self.is_enabled(platform)
            && (platform.auth == AuthKind::None || self.oauth.get(platform.key).is_some())
    }
}
