//! A small fake OAuth platform for the Link tests: an in-test axum server with a consent page
//! (`/authorize`, Allow / Cancel), a token endpoint that checks the PKCE verifier, and an
//! [`OAuthLink`] that talks to it as the `gbol` (Xero) platform. Plus a browser-like HTTP
//! client that keeps cookies and does not follow redirects.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use ledgerbridge_connectors::BoxFuture;
use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, LinkedTenant, OAuthError, OAuthLink, pkce_challenge,
};
use serde_json::{Value, json};

/// How the fake behaves.
#[derive(Clone, Debug)]
pub struct FakeBehaviour {
    /// Organisations one grant covers.
    pub tenants: Vec<(&'static str, &'static str)>,
    /// The token endpoint refuses every code.
    pub fail_exchange: bool,
}

impl Default for FakeBehaviour {
    fn default() -> Self {
        Self {
            tenants: vec![("tenant-1", "Demo Company (UK)")],
            fail_exchange: false,
        }
    }
}

#[derive(Default)]
struct Shared {
    /// code -> (PKCE challenge, redirect_uri)
    codes: HashMap<String, (String, String)>,
    /// Token requests seen: (code, verifier matched)
    exchanges: Vec<(String, bool)>,
    behaviour: Option<FakeBehaviour>,
}

/// The running fake platform.
#[derive(Clone)]
pub struct FakePlatform {
    pub base: String,
    shared: Arc<Mutex<Shared>>,
    http: reqwest::Client,
}

impl FakePlatform {
    /// Starts the fake on a free port.
    pub async fn spawn(behaviour: FakeBehaviour) -> Self {
        let shared = Arc::new(Mutex::new(Shared {
            behaviour: Some(behaviour),
            ..Shared::default()
        }));
        let app = axum::Router::new()
            .route("/authorize", get(consent_page))
            .route("/decide", get(decide))
            .route("/token", post(token))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake platform");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base,
            shared,
            http: reqwest::Client::new(),
        }
    }

    /// Number of token exchanges attempted.
    pub fn exchanges(&self) -> usize {
        self.shared.lock().map(|s| s.exchanges.len()).unwrap_or(0)
    }

    /// Whether every token exchange carried the verifier of its challenge.
    pub fn all_verifiers_matched(&self) -> bool {
        self.shared
            .lock()
            .map(|s| s.exchanges.iter().all(|(_, ok)| *ok))
            .unwrap_or(false)
    }

    /// Links registry with this fake as `gbol`.
    pub fn links(&self) -> ledgerbridge_api::OAuthLinks {
        ledgerbridge_api::OAuthLinks::default().with(Arc::new(self.clone()))
    }
}

async fn consent_page(Query(q): Query<BTreeMap<String, String>>) -> Response {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let state = q.get("state").cloned().unwrap_or_default();
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    let challenge = q.get("code_challenge").cloned().unwrap_or_default();
    if q.get("code_challenge_method").map(String::as_str) != Some("S256") || challenge.is_empty() {
        return (StatusCode::BAD_REQUEST, "PKCE S256 required").into_response();
    }
    let common = format!(
        "state={}&redirect_uri={}&code_challenge={}",
        enc(&state),
        enc(&redirect),
        enc(&challenge)
    );
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Fake platform: consent</title></head>\
         <body><h1>Allow ledgerbridge to read your books?</h1>\
         <p><a id=\"approve\" href=\"/decide?allow=1&{common}\">Allow access</a></p>\
         <p><a id=\"deny\" href=\"/decide?allow=0&{common}\">Cancel</a></p></body></html>"
    ))
    .into_response()
}

async fn decide(
    State(shared): State<Arc<Mutex<Shared>>>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let state = q.get("state").cloned().unwrap_or_default();
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    let location = if q.get("allow").map(String::as_str) == Some("1") {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        if let Ok(mut s) = shared.lock() {
            s.codes.insert(
                code.clone(),
                (
                    q.get("code_challenge").cloned().unwrap_or_default(),
                    redirect.clone(),
                ),
            );
        }
        format!("{redirect}?code={}&state={}", enc(&code), enc(&state))
    } else {
        format!("{redirect}?error=access_denied&state={}", enc(&state))
    };
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn token(State(shared): State<Arc<Mutex<Shared>>>, body: String) -> Response {
    let form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let code = form.get("code").cloned().unwrap_or_default();
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let Ok(mut s) = shared.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let behaviour = s.behaviour.clone().unwrap_or_default();
    let issued = s.codes.remove(&code);
    let matched = issued.as_ref().is_some_and(|(challenge, redirect)| {
        *challenge == pkce_challenge(&verifier) && form.get("redirect_uri") == Some(redirect)
    });
    s.exchanges.push((code, matched));
    if behaviour.fail_exchange || !matched {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    axum::Json(json!({
        "access_token": "fake-access",
        "refresh_token": "fake-refresh",
        "expires_in": 1800,
        "tenants": behaviour.tenants.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
    }))
    .into_response()
}

impl OAuthLink for FakePlatform {
    fn platform_key(&self) -> &'static str {
        "gbol"
    }

    fn authorize_url(&self, r: &AuthorizeRequest<'_>) -> String {
        let q = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", "fake-client")
            .append_pair("redirect_uri", r.redirect_uri)
            .append_pair("scope", "accounting.read offline_access")
            .append_pair("state", r.state)
            .append_pair("code_challenge", r.code_challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        format!("{}/authorize?{q}", self.base)
    }

    fn complete<'a>(
        &'a self,
        query: &'a BTreeMap<String, String>,
        code_verifier: &'a str,
        redirect_uri: &'a str,
    ) -> BoxFuture<'a, Result<Vec<LinkedTenant>, OAuthError>> {
        Box::pin(async move {
            if query.get("error").map(String::as_str) == Some("access_denied") {
                return Err(OAuthError::Denied);
            }
            let code = query
                .get("code")
                .ok_or_else(|| OAuthError::Exchange("no code in the callback".into()))?;
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "authorization_code")
                .append_pair("code", code)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("code_verifier", code_verifier)
                .finish();
            let resp = self
                .http
                .post(format!("{}/token", self.base))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .map_err(|_| {
                    OAuthError::Exchange("the token endpoint could not be reached".into())
                })?;
            if !resp.status().is_success() {
                return Err(OAuthError::Exchange(format!(
                    "the token endpoint answered {}",
                    resp.status().as_u16()
                )));
            }
            let tokens: Value = resp
                .json()
                .await
                .map_err(|_| OAuthError::Exchange("the token response was not JSON".into()))?;
            Ok(tokens["tenants"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|t| LinkedTenant {
                    tenant_id: t["id"].as_str().unwrap_or_default().to_string(),
                    tenant_name: t["name"].as_str().unwrap_or_default().to_string(),
                    credentials: json!({
                        "access_token": tokens["access_token"],
                        "refresh_token": tokens["refresh_token"],
                        "tenant_id": t["id"],
                    }),
                })
                .collect())
        })
    }
}

/// A browser stand-in: keeps cookies by name, never follows redirects.
pub struct Browser {
    pub client: reqwest::Client,
    pub cookies: Mutex<BTreeMap<String, String>>,
}

/// One answer: status, `Location`, body, headers.
pub struct Page {
    pub status: reqwest::StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    /// The value of a hidden input `name` on the page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(html_unescape(&self.body[start..end]))
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&#x3d;", "=")
        .replace("&#61;", "=")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

impl Browser {
    pub fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .map(|c| {
                c.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    async fn finish(&self, resp: reqwest::Response) -> Page {
        let headers = resp.headers().clone();
        if let Ok(mut jar) = self.cookies.lock() {
            for v in headers.get_all(reqwest::header::SET_COOKIE) {
                if let Some((name, rest)) = v.to_str().unwrap_or_default().split_once('=') {
                    let value = rest.split(';').next().unwrap_or_default();
                    jar.insert(name.to_string(), value.to_string());
                }
            }
        }
        Page {
            status: resp.status(),
            location: headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(String::from),
            body: resp.text().await.unwrap_or_default(),
            headers,
        }
    }

    pub async fn get(&self, url: &str) -> Page {
        let resp = self
            .client
            .get(url)
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .expect("GET sent");
        self.finish(resp).await
    }

    pub async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter().copied())
            .finish();
        let resp = self
            .client
            .post(url)
            .header("Cookie", self.cookie_header())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST sent");
        self.finish(resp).await
    }
}
