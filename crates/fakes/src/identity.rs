//! An OAuth 2.0 authorization server in memory, shared by the simulators: consent requests,
//! authorization codes (with an optional PKCE S256 check), grants with the organisations
//! (Xero tenants, QuickBooks realms) they cover, short-lived access tokens and rotating
//! refresh tokens that stay usable for a grace period after they were used.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How tokens live, from a simulator's options.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The one registered app.
    pub client_id: String,
    /// Access token lifetime.
    pub access_token_ttl: Duration,
    /// How long a refresh token stays usable after it has been used.
    pub refresh_grace: Duration,
    /// How long an unused refresh token lives.
    pub refresh_idle: Duration,
}

fn token(prefix: &str) -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A consent page shown, not yet decided.
#[derive(Clone, Debug)]
pub struct Pending {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub challenge: Option<String>,
}

struct Code {
    grant: u64,
    redirect_uri: String,
    challenge: Option<String>,
    issued: Instant,
    used: bool,
}

/// One user's consent to the app: the organisations it covers and its scopes.
pub struct Grant {
    pub tenants: Vec<usize>,
    pub scopes: Vec<String>,
    pub revoked: bool,
    pub auth_event_id: String,
    pub created: chrono::NaiveDateTime,
}

struct Access {
    grant: u64,
    expires: Instant,
}

struct Refresh {
    grant: u64,
    issued: Instant,
    used_at: Option<Instant>,
}

/// Why the token endpoint refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    InvalidGrant,
    InvalidClient,
    InvalidRequest(&'static str),
    UnsupportedGrantType,
}

/// What the token endpoint hands out.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub scope: String,
}

#[derive(Default)]
pub struct Identity {
    pending: HashMap<String, Pending>,
    codes: HashMap<String, Code>,
    pub grants: HashMap<u64, Grant>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    next_grant: u64,
    /// Scopes the next consent grants instead of the ones asked for.
    pub scope_override: Option<Vec<String>>,
}

impl Identity {
    /// Validates an authorize request and remembers it; returns its id.
    pub fn begin(
        &mut self,
        options: &Policy,
        params: &BTreeMap<String, String>,
    ) -> Result<String, String> {
        let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
        if get("response_type") != "code" {
            return Err("unsupported_response_type: response_type must be `code`".into());
        }
        if get("client_id") != options.client_id {
            return Err("unauthorized_client: unknown client_id".into());
        }
        let redirect_uri = get("redirect_uri");
        if !(redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://")) {
            return Err("invalid_request: redirect_uri must be an absolute http(s) URL".into());
        }
        let scopes: Vec<String> = get("scope")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if scopes.is_empty() {
            return Err("invalid_scope: no scope requested".into());
        }
        let challenge = match (params.get("code_challenge"), get("code_challenge_method")) {
            (None, _) => None,
            (Some(c), "S256") => Some(c.clone()),
            (Some(_), _) => {
                return Err("invalid_request: code_challenge_method must be S256".into());
            }
        };
        let id = token("req_");
        self.pending.insert(
            id.clone(),
            Pending {
                redirect_uri: redirect_uri.to_string(),
                state: params.get("state").cloned(),
                scopes,
                challenge,
            },
        );
        Ok(id)
    }

    /// Approves or denies a pending request; the callback URL to redirect to.
    pub fn decide(
        &mut self,
        request: &str,
        approve: bool,
        tenants: &[usize],
    ) -> Result<String, String> {
        let pending = self
            .pending
            .remove(request)
            .ok_or_else(|| "this consent request is unknown or already answered".to_string())?;
        let sep = if pending.redirect_uri.contains('?') {
            '&'
        } else {
            '?'
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        if approve && !tenants.is_empty() {
            let grant = self.next_grant;
            self.next_grant += 1;
            let scopes = self.scope_override.take().unwrap_or(pending.scopes.clone());
            self.grants.insert(
                grant,
                Grant {
                    tenants: tenants.to_vec(),
                    scopes,
                    revoked: false,
                    auth_event_id: uuid::Uuid::new_v4().to_string(),
                    created: chrono::Utc::now().naive_utc(),
                },
            );
            let code = token("code_");
            self.codes.insert(
                code.clone(),
                Code {
                    grant,
                    redirect_uri: pending.redirect_uri.clone(),
                    challenge: pending.challenge.clone(),
                    issued: Instant::now(),
                    used: false,
                },
            );
            query.append_pair("code", &code);
            query.append_pair("scope", &pending.scopes.join(" "));
        } else {
            query.append_pair("error", "access_denied");
        }
        if let Some(state) = &pending.state {
            query.append_pair("state", state);
        }
        Ok(format!("{}{sep}{}", pending.redirect_uri, query.finish()))
    }

    fn issue(&mut self, grant: u64, options: &Policy) -> Issued {
        let access = token("at_");
        let refresh = token("rt_");
        let now = Instant::now();
        self.access.insert(
            access.clone(),
            Access {
                grant,
                expires: now + options.access_token_ttl,
            },
        );
        self.refresh.insert(
            refresh.clone(),
            Refresh {
                grant,
                issued: now,
                used_at: None,
            },
        );
        let scope = self
            .grants
            .get(&grant)
            .map(|g| g.scopes.join(" "))
            .unwrap_or_default();
        Issued {
            access_token: access,
            refresh_token: refresh,
            expires_in: options.access_token_ttl.as_secs().max(1),
            scope,
        }
    }

    /// `grant_type=authorization_code`.
    pub fn exchange_code(
        &mut self,
        options: &Policy,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
        client_authenticated: bool,
    ) -> Result<Issued, TokenError> {
        let entry = self.codes.get_mut(code).ok_or(TokenError::InvalidGrant)?;
        if entry.used || entry.issued.elapsed() > Duration::from_secs(300) {
            return Err(TokenError::InvalidGrant);
        }
        if entry.redirect_uri != redirect_uri {
            return Err(TokenError::InvalidGrant);
        }
        match (&entry.challenge, verifier) {
            (Some(challenge), Some(v)) => {
                if URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())) != *challenge {
                    return Err(TokenError::InvalidGrant);
                }
            }
            (Some(_), None) => return Err(TokenError::InvalidRequest("code_verifier is required")),
            (None, _) if !client_authenticated => return Err(TokenError::InvalidClient),
            (None, _) => {}
        }
        entry.used = true;
        let grant = entry.grant;
        Ok(self.issue(grant, options))
    }

    /// `grant_type=refresh_token`: rotates. The old token stays usable for the grace period.
    pub fn refresh(&mut self, options: &Policy, refresh: &str) -> Result<Issued, TokenError> {
        let now = Instant::now();
        let entry = self
            .refresh
            .get_mut(refresh)
            .ok_or(TokenError::InvalidGrant)?;
        let alive = match entry.used_at {
            Some(used) => now.duration_since(used) <= options.refresh_grace,
            None => now.duration_since(entry.issued) <= options.refresh_idle,
        };
        let grant = entry.grant;
        let revoked = self.grants.get(&grant).is_none_or(|g| g.revoked);
        if !alive || revoked {
            return Err(TokenError::InvalidGrant);
        }
        if entry.used_at.is_none() {
            entry.used_at = Some(now);
        }
        Ok(self.issue(grant, options))
    }

    /// `POST /connect/revocation`: the grant of this refresh (or access) token dies.
    pub fn revoke_token(&mut self, token: &str) {
        let grant = self
            .refresh
            .get(token)
            .map(|r| r.grant)
            .or_else(|| self.access.get(token).map(|a| a.grant));
        if let Some(g) = grant.and_then(|g| self.grants.get_mut(&g)) {
            g.revoked = true;
            g.tenants.clear();
        }
    }

    pub fn revoke_all(&mut self) {
        for g in self.grants.values_mut() {
            g.revoked = true;
            g.tenants.clear();
        }
    }

    pub fn disconnect_tenant_index(&mut self, grant: u64, tenant: usize) -> bool {
        match self.grants.get_mut(&grant) {
            Some(g) if g.tenants.contains(&tenant) => {
                g.tenants.retain(|t| *t != tenant);
                true
            }
            _ => false,
        }
    }

    /// Removes an organisation from every grant.
    pub fn disconnect_everywhere(&mut self, tenant: usize) {
        for g in self.grants.values_mut() {
            g.tenants.retain(|t| *t != tenant);
        }
    }

    pub fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for a in self.access.values_mut() {
            a.expires = now;
        }
    }

    /// The grant behind a live access token: `Err(true)` when it exists but has expired.
    pub fn grant_of(&self, access: &str) -> Result<(u64, &Grant), bool> {
        let a = self.access.get(access).ok_or(false)?;
        if Instant::now() >= a.expires {
            return Err(true);
        }
        let g = self.grants.get(&a.grant).ok_or(false)?;
        if g.revoked {
            return Err(false);
        }
        Ok((a.grant, g))
    }
}
