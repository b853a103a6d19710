//! The store-backed [`CredentialStore`] connectors save refreshed tokens through.

use ledgerbridge_connectors::{BoxFuture, CredentialStore};
use ledgerbridge_domain::{CompanyId, ConnectionId};
use ledgerbridge_store::Store;
use ledgerbridge_store::crypto::SecretBox;

/// Seals credentials with the connection's identity as associated data and writes them,
/// exactly as the API does when credentials are first stored.
pub(crate) struct SealedCredentials {
    pub(crate) store: Store,
    pub(crate) secrets: SecretBox,
    pub(crate) company: CompanyId,
    /// The platform key, for the token-refresh metric.
    pub(crate) platform: &'static str,
}

impl CredentialStore for SealedCredentials {
    fn save<'a>(
        &'a self,
        connection: ConnectionId,
        credentials: &'a serde_json::Value,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let plaintext = serde_json::to_vec(credentials).map_err(|e| e.to_string())?;
            let sealed = self
                .secrets
                .seal(&format!("connection:{connection}"), &plaintext)
                .map_err(|e| e.to_string())?;
            match self
                .store
                .set_connection_credentials(self.company, connection, &sealed)
                .await
            {
                Ok(true) => {
                    metrics::counter!("ledgerbridge_token_refreshes_total", "platform" => self.platform)
                        .increment(1);
                    Ok(())
                }
                Ok(false) => Err(format!("connection {connection} no longer exists")),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}
