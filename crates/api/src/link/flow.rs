//! The Link handlers: picker, start, Sandbox link, OAuth callback, organisation choice, and
//! the final redirect to the client.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ledgerbridge_connectors::catalog::{self, AuthKind, PLATFORMS, Platform};
use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, LinkedTenant, OAuthError, pkce_challenge, pkce_verifier,
};
use ledgerbridge_connectors::sandbox::SandboxChoice;
use ledgerbridge_domain::platform::{ConnectionStatus, DataConnectionError, Profile};
use ledgerbridge_domain::{CompanyId, ConnectionId, Timestamp};
use ledgerbridge_store::StoreError;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::link_states::{Consumed, LinkStateRow, token_hash};
use ledgerbridge_store::settings::SettingsDoc;

use super::STATE_LIFETIME_SECS;
use super::csrf;
use super::pages::{self, Brand, IntegrationItem, PickerPage, SandboxPage, TenantsPage, render};
use super::redirect::{Placeholders, RESERVED, RedirectRefused, build_redirect};
use crate::error::ApiError;
use crate::routes::connections::{mark_linked, new_connection_row, save_credentials};
use crate::state::AppState;

/// Query and form names Link uses itself; never carried to the client as custom parameters.
const OWN_PARAMS: &[&str] = &[
    "search", "csrf", "platform", "dataset", "params", "choice", "tenant",
];
/// At most this many custom parameters, each name and value at most this long, are carried.
const MAX_CUSTOM_PARAMS: usize = 32;
const MAX_CUSTOM_LEN: usize = 512;

/// Why a request gets a page instead of going on: the owner sees `title` and `message`.
#[derive(Debug)]
pub(super) struct Refusal {
    status: StatusCode,
    title: &'static str,
    message: String,
    next: Option<String>,
    /// For the log only.
    internal: Option<String>,
}

impl Refusal {
    fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            title,
            message: message.into(),
            next: None,
            internal: None,
        }
    }

    fn next(mut self, next: impl Into<String>) -> Self {
        self.next = Some(next.into());
        self
    }

    fn internal(detail: impl std::fmt::Display) -> Self {
        let mut r = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Something went wrong on our side. Nothing was shared.",
        )
        .next("Please try again in a few minutes.");
        r.internal = Some(detail.to_string());
        r
    }

    fn page(self, brand: &Brand) -> Response {
        match &self.internal {
            Some(detail) => {
                tracing::error!(status = self.status.as_u16(), %detail, "Link request failed")
            }
            None => tracing::info!(
                status = self.status.as_u16(),
                reason = self.title,
                "Link request refused"
            ),
        }
        pages::message(
            self.status,
            brand,
            self.title,
            &self.message,
            self.next.as_deref(),
        )
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        if e.status == StatusCode::NOT_FOUND {
            return gone();
        }
        Self::internal(e.internal.unwrap_or(e.message))
    }
}

fn gone() -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "This link is no longer valid",
        "The company or connection this link was for does not exist any more. Nothing was linked.",
    )
    .next("Ask whoever sent you this link for a new one.")
}

fn now_secs() -> i64 {
    Timestamp::now().as_datetime().timestamp()
}

async fn load_profile(state: &AppState) -> Profile {
    match state
        .store
        .get_settings::<Profile>(SettingsDoc::Profile)
        .await
    {
        Ok(Some(p)) => p,
        Ok(None) => Profile {
            name: "ledgerbridge".into(),
            ..Profile::default()
        },
        Err(e) => {
            tracing::error!(error = %e, "cannot read the profile for Link");
            Profile {
                name: "ledgerbridge".into(),
                ..Profile::default()
            }
        }
    }
}

fn brand_of(profile: &Profile) -> Brand {
    Brand {
        name: profile.name.clone(),
        logo_url: profile.logo_url.clone().filter(|u| !u.is_empty()),
    }
}

fn is_https(state: &AppState) -> bool {
    state.public_url.starts_with("https://")
}

/// `scheme://authority` of the public URL.
fn public_origin(state: &AppState) -> &str {
    let url = state.public_url.as_str();
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].find('/') {
        Some(i) => &url[..start + i],
        None => url,
    }
}

/// The custom parameters of a Link URL's query string (or of a form's `params`): reserved
/// names, Link's own names and oversized values are dropped.
fn custom_params(query: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if OWN_PARAMS.contains(&k.as_ref())
            || RESERVED.contains(&k.as_ref())
            || k.starts_with("link.")
            || k.is_empty()
            || k.len() > MAX_CUSTOM_LEN
            || v.len() > MAX_CUSTOM_LEN
        {
            continue;
        }
        out.retain(|(name, _)| name != k.as_ref());
        if out.len() < MAX_CUSTOM_PARAMS {
            out.push((k.into_owned(), v.into_owned()));
        }
    }
    out
}

fn encode_params(params: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

fn form_fields(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Refuses before anything is linked when the client's redirect URL, filled with these
/// custom parameters, would lead to a host the profile does not allow.
fn check_redirect(profile: &Profile, params: &[(String, String)]) -> Result<(), Refusal> {
    if profile.redirect_url.trim().is_empty() {
        return Ok(());
    }
    let values = Placeholders {
        reserved: BTreeMap::new(),
        custom: params.iter().cloned().collect(),
    };
    match build_redirect(&profile.redirect_url, &profile.white_list_urls, &values) {
        Ok(_) => Ok(()),
        Err(RedirectRefused::HostNotAllowed(host)) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "This link cannot be used",
            format!(
                "When you finish, this page would send you to {host}, which {} has not allowed. Nothing was linked.",
                profile.name
            ),
        )
        .next(format!("Contact {} for a correct link.", profile.name))),
        Err(RedirectRefused::Malformed) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "This link cannot be used",
            format!(
                "The address {} asked us to send you back to is not valid with this link's parameters. Nothing was linked.",
                profile.name
            ),
        )
        .next(format!("Contact {} for a correct link.", profile.name))),
    }
}

fn with_cookie(mut resp: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => Refusal::internal("a redirect location is not a valid header").page(&Brand {
            name: "ledgerbridge".into(),
            logo_url: None,
        }),
    }
}

fn company_id(raw: &str) -> Result<CompanyId, Refusal> {
    raw.parse().map_err(|_| gone())
}

fn connection_status_words(status: ConnectionStatus) -> &'static str {
    match status {
        ConnectionStatus::Linked => "Connected",
        ConnectionStatus::PendingAuth => "Not finished: connect to continue",
        ConnectionStatus::Deauthorized => "Access lost: connect again to resume",
        ConnectionStatus::Unlinked => "Disconnected: connect again to resume",
    }
}

// ---------------------------------------------------------------------------------------
// The picker.

/// `GET /link/company/{companyId}`: the client's branding and the integrations to pick from.
pub async fn show_company_link(
    State(state): State<AppState>,
    Path(company): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let profile = load_profile(&state).await;
    let brand = brand_of(&profile);
    match picker(
        &state,
        &profile,
        &brand,
        &company,
        query.as_deref(),
        &headers,
    )
    .await
    {
        Ok(r) => r,
        Err(r) => r.page(&brand),
    }
}

async fn picker(
    state: &AppState,
    profile: &Profile,
    brand: &Brand,
    company: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, Refusal> {
    let company = company_id(company)?;
    let Some(found) = state.store.get_company_with_connections(company).await? else {
        return Err(gone());
    };
    let params = custom_params(query);
    check_redirect(profile, &params)?;
    let search: String = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "search")
        .map(|(_, v)| v.trim().chars().take(100).collect())
        .unwrap_or_default();
    let needle = search.to_lowercase();
    let integrations = PLATFORMS
        .iter()
        .filter(|p| {
            needle.is_empty()
                || p.name.to_lowercase().contains(&needle)
                || p.key.contains(needle.as_str())
        })
        .map(|p| IntegrationItem {
            key: p.key,
            name: p.name,
            logo_url: format!("/static/logos/{}.svg", p.key),
            available: state.can_link(p),
            sandbox: p.auth == AuthKind::None,
            status: found
                .connections
                .iter()
                .rev()
                .find(|c| c.integration_key == p.key)
                .map(|c| connection_status_words(c.status)),
        })
        .collect();
    let (csrf, cookie) = csrf::form_token(headers, is_https(state));
    let self_path = format!("/link/company/{company}");
    let page = PickerPage {
        brand,
        company_name: &found.company.name,
        self_path: &self_path,
        search: &search,
        params: &params,
        params_query: &encode_params(&params),
        csrf: &csrf,
        integrations,
    };
    Ok(with_cookie(render(StatusCode::OK, brand, &page), cookie))
}

/// `POST /link/company/{companyId}`: the owner picked a platform. Creates (or reuses) the
/// connection; the Sandbox links at once with the chosen size, an OAuth platform goes on to
/// the connection's `linkUrl`.
pub async fn choose_platform(
    State(state): State<AppState>,
    Path(company): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let profile = load_profile(&state).await;
    let brand = brand_of(&profile);
    match pick(&state, &profile, &company, &headers, &body).await {
        Ok(r) => r,
        Err(r) => r.page(&brand),
    }
}

fn csrf_refusal() -> Refusal {
    Refusal::new(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "The form you sent could not be verified, so nothing was done.",
    )
    .next("Go back, reload the page and try again.")
}

async fn pick(
    state: &AppState,
    profile: &Profile,
    company: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Refusal> {
    let form = form_fields(body);
    if !csrf::verify(
        headers,
        form.get("csrf").map(String::as_str),
        public_origin(state),
    ) {
        return Err(csrf_refusal());
    }
    let company = company_id(company)?;
    let Some(found) = state.store.get_company_with_connections(company).await? else {
        return Err(gone());
    };
    let params = custom_params(form.get("params").map(String::as_str));
    let key = form.get("platform").map(String::as_str).unwrap_or_default();
    let Some(platform) = catalog::platform(key) else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "Unknown integration",
            "The integration you picked does not exist. Nothing was linked.",
        )
        .next("Go back and pick one from the list."));
    };
    check_redirect(profile, &params)?;
    if !state.can_link(platform) {
        let outcome = Outcome::new(company, None, platform, 501, params_map(&params));
        return Ok(finish(state, profile, outcome).await);
    }
    // Reuse the company's latest connection to this platform (re-linking keeps its id).
    let existing = found
        .connections
        .iter()
        .rev()
        .find(|c| c.integration_key == platform.key && c.status != ConnectionStatus::Linked)
        .or_else(|| {
            found
                .connections
                .iter()
                .rev()
                .find(|c| c.integration_key == platform.key)
        })
        .cloned();
    let conn = match existing {
        Some(c) => c,
        None => {
            let row = new_connection_row(company, platform);
            if !state.store.insert_connection(&row).await? {
                return Err(gone());
            }
            tracing::info!(company_id = %company, connection_id = %row.id, platform = platform.key, "connection created in Link");
            row
        }
    };
    if platform.auth == AuthKind::None {
        let dataset = form.get("dataset").map(String::as_str).unwrap_or("small");
        return link_sandbox_connection(state, profile, conn, dataset, params).await;
    }
    let mut start = format!("/link/companies/{company}/connections/{}/start", conn.id);
    if !params.is_empty() {
        start.push('?');
        start.push_str(&encode_params(&params));
    }
    Ok(see_other(&start))
}

fn params_map(params: &[(String, String)]) -> BTreeMap<String, String> {
    params.iter().cloned().collect()
}

async fn link_sandbox_connection(
    state: &AppState,
    profile: &Profile,
    conn: ConnectionRow,
    dataset: &str,
    params: Vec<(String, String)>,
) -> Result<Response, Refusal> {
    let credentials = serde_json::json!({ "dataset": dataset });
    if let Err(message) = SandboxChoice::from_credentials(&credentials, conn.id) {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "Choose a dataset size",
            format!("{message} Nothing was linked."),
        )
        .next("Go back and choose small, medium or large."));
    }
    save_credentials(state, conn.company_id, conn.id, &credentials).await?;
    let (row, _) = mark_linked(state, conn.company_id, conn.id).await?;
    let platform = catalog::platform(&row.integration_key)
        .ok_or_else(|| Refusal::internal("Sandbox missing from the catalog"))?;
    let outcome = Outcome::new(
        row.company_id,
        Some(row),
        platform,
        200,
        params_map(&params),
    );
    Ok(finish(state, profile, outcome).await)
}

// ---------------------------------------------------------------------------------------
// The connection's linkUrl.

async fn load_connection(
    state: &AppState,
    company: &str,
    connection: &str,
) -> Result<ConnectionRow, Refusal> {
    let company = company_id(company)?;
    let id: ConnectionId = connection.parse().map_err(|_| gone())?;
    state
        .store
        .get_connection(company, id)
        .await?
        .ok_or_else(gone)
}

/// `GET /link/companies/{companyId}/connections/{connectionId}/start`: a connection's
/// `linkUrl`. The Sandbox asks for a size; an OAuth platform is sent to its authorize URL
/// with a fresh single-use `state` and a PKCE challenge.
pub async fn start_connection(
    State(state): State<AppState>,
    Path((company, connection)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let profile = load_profile(&state).await;
    let brand = brand_of(&profile);
    match start(
        &state,
        &profile,
        &brand,
        &company,
        &connection,
        query.as_deref(),
        &headers,
    )
    .await
    {
        Ok(r) => r,
        Err(r) => r.page(&brand),
    }
}

async fn start(
    state: &AppState,
    profile: &Profile,
    brand: &Brand,
    company: &str,
    connection: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, Refusal> {
    let conn = load_connection(state, company, connection).await?;
    let params = custom_params(query);
    check_redirect(profile, &params)?;
    let platform = catalog::platform(&conn.integration_key)
        .ok_or_else(|| Refusal::internal("a connection's platform is not in the catalog"))?;
    if !state.can_link(platform) {
        let outcome = Outcome::new(
            conn.company_id,
            Some(conn),
            platform,
            501,
            params_map(&params),
        );
        return Ok(finish(state, profile, outcome).await);
    }
    if platform.auth == AuthKind::None {
        let company_name = state
            .store
            .get_company(conn.company_id)
            .await?
            .map(|c| c.name)
            .ok_or_else(gone)?;
        let (csrf, cookie) = csrf::form_token(headers, is_https(state));
        let self_path = format!(
            "/link/companies/{}/connections/{}/start",
            conn.company_id, conn.id
        );
        let page = SandboxPage {
            brand,
            company_name: &company_name,
            self_path: &self_path,
            params_query: &encode_params(&params),
            csrf: &csrf,
        };
        return Ok(with_cookie(render(StatusCode::OK, brand, &page), cookie));
    }
    let oauth = state
        .oauth
        .get(platform.key)
        .ok_or_else(|| Refusal::internal("an enabled OAuth platform has no OAuthLink"))?;
    let state_token = csrf::random_token();
    let browser_token = csrf::random_token();
    let verifier = pkce_verifier();
    let mut row = LinkStateRow {
        state_hash: token_hash(&state_token),
        company_id: conn.company_id,
        connection_id: conn.id,
        integration_key: platform.key.to_string(),
        verifier: None,
        params: params_map(&params),
        browser_hash: token_hash(&browser_token),
        created: Timestamp::now(),
        expires_at: now_secs() + STATE_LIFETIME_SECS,
        used_at: None,
        tenants: None,
    };
    row.verifier = Some(
        state
            .secrets
            .seal(&row.verifier_context(), verifier.as_bytes())?,
    );
    state.store.insert_link_state(&row).await?;
    let redirect_uri = callback_url(state);
    let location = oauth.authorize_url(&AuthorizeRequest {
        state: &state_token,
        code_challenge: &pkce_challenge(&verifier),
        redirect_uri: &redirect_uri,
    });
    tracing::info!(company_id = %conn.company_id, connection_id = %conn.id, platform = platform.key, "sent the owner to authorize");
    let cookie = csrf::set_cookie(
        &browser_cookie_name(&row.state_hash),
        &browser_token,
        "/link/callback",
        STATE_LIFETIME_SECS as u32,
        is_https(state),
    );
    Ok(with_cookie(see_other(&location), cookie))
}

fn callback_url(state: &AppState) -> String {
    format!("{}/link/callback", state.public_url)
}

/// The cookie that binds an authorization to the browser that started it.
fn browser_cookie_name(state_hash: &str) -> String {
    format!("lb_link_{}", &state_hash[..16.min(state_hash.len())])
}

/// `POST /link/companies/{companyId}/connections/{connectionId}/start`: links the Sandbox
/// with the chosen dataset size.
pub async fn link_sandbox(
    State(state): State<AppState>,
    Path((company, connection)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let profile = load_profile(&state).await;
    let brand = brand_of(&profile);
    let result = async {
        let form = form_fields(&body);
        if !csrf::verify(
            &headers,
            form.get("csrf").map(String::as_str),
            public_origin(&state),
        ) {
            return Err(csrf_refusal());
        }
        let conn = load_connection(&state, &company, &connection).await?;
        if catalog::platform(&conn.integration_key).is_none_or(|p| p.auth != AuthKind::None) {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "Nothing to choose here",
                "This connection is not a Sandbox connection; open its link to connect it.",
            ));
        }
        let params = custom_params(form.get("params").map(String::as_str));
        check_redirect(&profile, &params)?;
        let dataset = form.get("dataset").map(String::as_str).unwrap_or("small");
        link_sandbox_connection(&state, &profile, conn, dataset, params).await
    }
    .await;
    match result {
        Ok(r) => r,
        Err(r) => r.page(&brand),
    }
}

// ---------------------------------------------------------------------------------------
// The OAuth callback.

fn invalid_state(message: &str) -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        "This sign-in cannot be completed",
        message.to_string(),
    )
    .next("Nothing was linked. Go back to the link you were given and start again.")
}

/// `GET /link/callback?state=...&code=...`: the platform sends the owner back here.
pub async fn complete_callback(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let profile = load_profile(&state).await;
    let brand = brand_of(&profile);
    match callback(&state, &profile, &brand, query.as_deref(), &headers).await {
        Ok(r) => r,
        Err(r) => r.page(&brand),
    }
}

async fn callback(
    state: &AppState,
    profile: &Profile,
    brand: &Brand,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, Refusal> {
    let query: BTreeMap<String, String> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let Some(state_token) = query.get("state").filter(|s| !s.is_empty()) else {
        return Err(invalid_state(
            "The platform sent you back without the `state` this sign-in needs.",
        ));
    };
    let hash = token_hash(state_token);
    let now = now_secs();
    let Some(found) = state.store.get_link_state(&hash).await? else {
        return Err(invalid_state(
            "This sign-in response was not issued by us (its state is unknown).",
        ));
    };
    if found.used_at.is_some() {
        return Err(invalid_state("This sign-in response was already used."));
    }
    if found.expires_at <= now {
        return Err(invalid_state(
            "This sign-in took longer than an hour and has expired.",
        ));
    }
    let browser_ok = csrf::cookie(headers, &browser_cookie_name(&hash))
        .is_some_and(|c| token_hash(c) == found.browser_hash);
    if !browser_ok {
        return Err(invalid_state(
            "This sign-in was started in another browser (or its cookie was blocked).",
        ));
    }
    let row = match state.store.consume_link_state(&hash, now).await? {
        Consumed::Fresh(row) => *row,
        Consumed::AlreadyUsed => {
            return Err(invalid_state("This sign-in response was already used."));
        }
        Consumed::Expired => {
            return Err(invalid_state(
                "This sign-in took longer than an hour and has expired.",
            ));
        }
        Consumed::Unknown => {
            return Err(invalid_state(
                "This sign-in response was not issued by us (its state is unknown).",
            ));
        }
    };
    let Some(conn) = state
        .store
        .get_connection(row.company_id, row.connection_id)
        .await?
    else {
        return Err(gone());
    };
    let platform = catalog::platform(&row.integration_key)
        .ok_or_else(|| Refusal::internal("a link state's platform is not in the catalog"))?;
    let Some(oauth) = state
        .oauth
        .get(platform.key)
        .filter(|_| state.can_link(platform))
        .cloned()
    else {
        let outcome = Outcome::new(conn.company_id, Some(conn), platform, 501, row.params);
        return Ok(finish(state, profile, outcome).await);
    };
    if let Some(error) = query.get("error") {
        let status = if error == "access_denied" { 403 } else { 500 };
        if status == 500 {
            record_failure(
                state,
                &conn,
                &format!("The platform returned the error `{}`.", short(error)),
            )
            .await?;
        }
        let outcome = Outcome::new(conn.company_id, Some(conn), platform, status, row.params);
        return Ok(finish(state, profile, outcome).await);
    }
    let Some(sealed) = &row.verifier else {
        return Err(invalid_state(
            "This sign-in has no PKCE code verifier on record, so it cannot be completed safely.",
        ));
    };
    let verifier = state.secrets.open(&row.verifier_context(), sealed)?;
    let verifier = String::from_utf8(verifier).map_err(Refusal::internal)?;
    let tenants = match oauth
        .complete(&query, &verifier, &callback_url(state))
        .await
    {
        Ok(t) if t.is_empty() => Err(OAuthError::NoTenant),
        other => other,
    };
    let tenants = match tenants {
        Ok(t) => t,
        Err(OAuthError::Denied) => {
            let outcome = Outcome::new(conn.company_id, Some(conn), platform, 403, row.params);
            return Ok(finish(state, profile, outcome).await);
        }
        Err(e) => {
            tracing::warn!(company_id = %conn.company_id, connection_id = %conn.id, error = %e, "OAuth exchange failed");
            record_failure(state, &conn, &e.to_string()).await?;
            let outcome = Outcome::new(conn.company_id, Some(conn), platform, 500, row.params);
            return Ok(finish(state, profile, outcome).await);
        }
    };
    if let [tenant] = tenants.as_slice() {
        return link_tenant(state, profile, &row, tenant).await;
    }
    // Several organisations: park them (sealed) behind a single-use choice token.
    let choice = csrf::random_token();
    let json = serde_json::Value::Array(
        tenants
            .iter()
            .map(|t| serde_json::json!({"id": t.tenant_id, "name": t.tenant_name, "credentials": t.credentials}))
            .collect(),
    );
    let plaintext = serde_json::to_vec(&json).map_err(Refusal::internal)?;
    let sealed = state.secrets.seal(&row.tenants_context(), &plaintext)?;
    if !state
        .store
        .await_tenant_choice(&row.state_hash, &token_hash(&choice), &sealed)
        .await?
    {
        return Err(invalid_state(
            "This sign-in was removed while it was in progress.",
        ));
    }
    let company_name = state
        .store
        .get_company(conn.company_id)
        .await?
        .map(|c| c.name)
        .ok_or_else(gone)?;
    let (csrf, cookie) = csrf::form_token(headers, is_https(state));
    let page = TenantsPage {
        brand,
        company_name: &company_name,
        platform_name: platform.name,
        choice: &choice,
        csrf: &csrf,
        tenants: tenants
            .iter()
            .map(|t| (t.tenant_id.clone(), t.tenant_name.clone()))
            .collect(),
    };
    Ok(with_cookie(render(StatusCode::OK, brand, &page), cookie))
}

/// The first 100 characters of a platform's text, for an error entry.
fn short(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(100).collect()
}

async fn record_failure(state: &AppState, conn: &ConnectionRow, text: &str) -> Result<(), Refusal> {
    let entry = DataConnectionError::active("500", text, "Unknown error occurred.");
    state
        .store
        .record_link_failure(conn.company_id, conn.id, &entry)
        .await?;
    Ok(())
}

/// Stores the tenant's credentials sealed, links the connection (same id when re-linking),
/// queues its first syncs and redirects to the client.
async fn link_tenant(
    state: &AppState,
    profile: &Profile,
    row: &LinkStateRow,
    tenant: &LinkedTenant,
) -> Result<Response, Refusal> {
    save_credentials(
        state,
        row.company_id,
        row.connection_id,
        &tenant.credentials,
    )
    .await?;
    let (conn, _) = mark_linked(state, row.company_id, row.connection_id).await?;
    let platform = catalog::platform(&conn.integration_key)
        .ok_or_else(|| Refusal::internal("a connection's platform is not in the catalog"))?;
    let outcome = Outcome::new(
        conn.company_id,
        Some(conn),
        platform,
        200,
        row.params.clone(),
    );
    Ok(finish(state, profile, outcome).await)
}

/// `POST /link/callback/organisation`: the owner chose one of several organisations.
pub async fn choose_organisation(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let profile = load_profile(&state).await;
    let brand = brand_of(&profile);
    let result = async {
        let form = form_fields(&body);
        if !csrf::verify(
            &headers,
            form.get("csrf").map(String::as_str),
            public_origin(&state),
        ) {
            return Err(csrf_refusal());
        }
        let choice = form.get("choice").map(String::as_str).unwrap_or_default();
        let wanted = form.get("tenant").map(String::as_str).unwrap_or_default();
        let row = match state
            .store
            .consume_tenant_choice(&token_hash(choice), now_secs())
            .await?
        {
            Consumed::Fresh(row) => *row,
            Consumed::AlreadyUsed => return Err(invalid_state("This choice was already made.")),
            Consumed::Expired => {
                return Err(invalid_state(
                    "This sign-in took longer than an hour and has expired.",
                ));
            }
            Consumed::Unknown => return Err(invalid_state("This choice was not offered by us.")),
        };
        let sealed = row
            .tenants
            .as_ref()
            .ok_or_else(|| Refusal::internal("a consumed choice has no tenants"))?;
        let plaintext = state.secrets.open(&row.tenants_context(), sealed)?;
        let tenants: Vec<serde_json::Value> =
            serde_json::from_slice(&plaintext).map_err(Refusal::internal)?;
        let Some(t) = tenants.iter().find(|t| t["id"].as_str() == Some(wanted)) else {
            return Err(invalid_state(
                "The organisation you chose was not one of those offered.",
            ));
        };
        let tenant = LinkedTenant {
            tenant_id: wanted.to_string(),
            tenant_name: t["name"].as_str().unwrap_or_default().to_string(),
            credentials: t["credentials"].clone(),
        };
        link_tenant(&state, &profile, &row, &tenant).await
    }
    .await;
    match result {
        Ok(r) => r,
        Err(r) => r.page(&brand),
    }
}

// ---------------------------------------------------------------------------------------
// The way out.

/// How a Link journey ended, for the redirect's placeholders.
struct Outcome {
    company: CompanyId,
    connection: Option<ConnectionRow>,
    platform: &'static Platform,
    /// Codat's `statusCode`: 200, 403, 500 or 501.
    status: u16,
    params: BTreeMap<String, String>,
}

impl Outcome {
    fn new(
        company: CompanyId,
        connection: Option<ConnectionRow>,
        platform: &'static Platform,
        status: u16,
        params: BTreeMap<String, String>,
    ) -> Self {
        Self {
            company,
            connection,
            platform,
            status,
            params,
        }
    }

    fn error_message(&self) -> &'static str {
        match self.status {
            200 | 201 => "",
            403 => "User cancelled.",
            501 => "Not supported.",
            _ => "Unknown error occurred.",
        }
    }
}

/// Sends the owner to the client's redirect URL with the placeholders filled, or shows our
/// own outcome page when none is configured (or the filled URL is not allowed).
async fn finish(state: &AppState, profile: &Profile, outcome: Outcome) -> Response {
    let brand = brand_of(profile);
    let template = profile.redirect_url.trim();
    let mut note = None;
    if !template.is_empty() {
        let client_id = match state.store.client_id().await {
            Ok(id) => id.to_string(),
            Err(e) => return Refusal::internal(e).page(&brand),
        };
        let p = outcome.platform;
        let reserved = [
            ("clientId", client_id),
            ("companyId", outcome.company.to_string()),
            (
                "connectionId",
                outcome
                    .connection
                    .as_ref()
                    .map(|c| c.id.to_string())
                    .unwrap_or_default(),
            ),
            ("integrationId", p.integration_id.to_string()),
            ("sourceId", p.source_id.to_string()),
            ("platform", p.key.to_string()),
            ("platformName", p.name.to_string()),
            ("sourceType", p.source_type.as_str().to_ascii_lowercase()),
            ("statusCode", outcome.status.to_string()),
            ("errorMessage", outcome.error_message().to_string()),
            ("statusText", String::new()),
        ]
        .into_iter()
        .collect();
        let values = Placeholders {
            reserved,
            custom: outcome.params.clone(),
        };
        match build_redirect(template, &profile.white_list_urls, &values) {
            Ok(url) => return see_other(&url),
            Err(e) => {
                tracing::warn!(
                    ?e,
                    "the client's redirect URL is not allowed; showing our own page"
                );
                note = Some(format!(
                    "We could not send you back to {}: its address is not allowed.",
                    profile.name
                ));
            }
        }
    }
    let name = outcome.platform.name;
    let (title, message) = match outcome.status {
        200 => (
            "Linked",
            format!(
                "{name} is connected. {} can now read your books.",
                profile.name
            ),
        ),
        403 => (
            "Cancelled",
            format!("You cancelled connecting {name}. Nothing was shared."),
        ),
        501 => (
            "Not supported",
            format!("{name} is not available here. Nothing was shared."),
        ),
        _ => (
            "Something went wrong",
            format!("Connecting {name} failed: {}", outcome.error_message()),
        ),
    };
    let next = note.unwrap_or_else(|| "You can close this window.".into());
    let page = pages::MessagePage {
        brand: &brand,
        title,
        message: &message,
        next: Some(&next),
        tone: if outcome.status == 200 {
            "success"
        } else {
            "error"
        },
        status_code: Some(outcome.status),
    };
    render(StatusCode::OK, &brand, &page)
}
