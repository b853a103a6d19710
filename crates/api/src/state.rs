//! Shared state of the API handlers.

use std::collections::HashSet;
use std::sync::Arc;

use ledgerbridge_connectors::catalog::{self, AuthKind, Platform};
use ledgerbridge_store::Store;
use ledgerbridge_store::crypto::SecretBox;

use crate::auth::ApiKeyCache;

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
                p.auth == AuthKind::None || config.configured_platforms.iter().any(|k| k == p.key)
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
        })))
    }

    /// Whether companies may connect to this platform now.
    pub fn is_enabled(&self, platform: &Platform) -> bool {
        self.enabled.contains(platform.key)
    }
}
