//! The OAuth 2.0 side of linking a platform: what the hosted Link pages need from a
//! connector to send the owner to the platform and turn the callback into credentials.
//!
//! Link (in `api`) owns `state`, PKCE verifiers, CSRF and redirects; a platform implements
//! [`OAuthLink`] for the parts only it knows: its authorize URL, its token exchange and how
//! it discovers the organisations (tenants) a grant covers.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::BoxFuture;

/// A platform app's registration, from configuration. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: String,
    pub authorize_url: String,
    pub token_url: String,
    /// The platform's API base (Xero: `https://api.xero.com`).
    pub api_url: String,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("api_url", &self.api_url)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// What Link hands a platform to build the authorize redirect.
#[derive(Clone, Copy, Debug)]
pub struct AuthorizeRequest<'a> {
    /// Random, single-use, bound to one connection by Link.
    pub state: &'a str,
    /// PKCE S256 challenge of the verifier Link keeps.
    pub code_challenge: &'a str,
    /// `{public_url}/link/callback`.
    pub redirect_uri: &'a str,
}

/// One organisation a grant gives access to, with the credentials a connection bound to it
/// stores (sealed) and hands its connector in `ConnectionContext::credentials`.
#[derive(Clone, PartialEq)]
pub struct LinkedTenant {
    pub tenant_id: String,
    pub tenant_name: String,
    pub credentials: serde_json::Value,
}

impl std::fmt::Debug for LinkedTenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedTenant")
            .field("tenant_id", &self.tenant_id)
            .field("tenant_name", &self.tenant_name)
            .finish_non_exhaustive()
    }
}

/// Why a callback did not produce a grant.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OAuthError {
    /// The owner said no on the consent page (`error=access_denied`).
    #[error("the owner denied access")]
    Denied,
    /// The platform refused the code or could not be reached; the message is safe to store in
    /// `dataConnectionErrors` (no codes or tokens in it).
    #[error("{0}")]
    Exchange(String),
    /// The grant covers no organisation.
    #[error("the authorization covers no organisation")]
    NoTenant,
}

/// The platform half of the OAuth Link flow.
pub trait OAuthLink: Send + Sync {
    /// The platform key (`gbol`, `qhyg`).
    fn platform_key(&self) -> &'static str;

    /// Where to send the owner's browser.
    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> String;

    /// Completes a callback: `query` is the callback's whole query string (`code`, and e.g.
    /// QuickBooks' `realmId`; `error` when the owner denied). Exchanges the code with the
    /// PKCE `code_verifier` and returns every organisation the grant covers (several when the
    /// owner authorized more than one; Link then lets them choose).
    fn complete<'a>(
        &'a self,
        query: &'a BTreeMap<String, String>,
        code_verifier: &'a str,
        redirect_uri: &'a str,
    ) -> BoxFuture<'a, Result<Vec<LinkedTenant>, OAuthError>>;
}

/// A fresh PKCE code verifier: 32 random bytes, base64url (43 characters, RFC 7636 §4.1).
pub fn pkce_verifier() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 challenge of a verifier (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let v = pkce_verifier();
        assert_eq!(v.len(), 43);
        assert_ne!(v, pkce_verifier());
    }
}
