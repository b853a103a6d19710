//! Hosted Link over real HTTP: the Sandbox and OAuth journeys (with a fake platform), the
//! outcomes (403 cancel, 500 exchange failure, 501 not enabled), re-linking, the choice of
//! organisation, and the refusals: reused, expired and forged `state`, a disallowed redirect
//! host, a missing PKCE verifier, a deleted company, a missing CSRF token, another browser.

use std::collections::BTreeMap;

use ledgerbridge_domain::platform::DataConnectionError;
use ledgerbridge_domain::{CompanyId, ConnectionId, Timestamp};
use ledgerbridge_store::link_states::{LinkStateRow, token_hash};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::link_fake::{Browser, FakeBehaviour, FakePlatform, Page};

/// Every reserved placeholder plus a custom one.
const REDIRECT: &str = "https://client.example/done/{companyId}?connection={connectionId}&platform={platform}\
&name={platformName}&type={sourceType}&status={statusCode}&message={errorMessage}&client={clientId}\
&integration={integrationId}&source={sourceId}&ref={ref}&missing={missing}";

pub async fn set_profile(app: &TestApp, profile: Value) {
    let (s, body) = app.call(Method::PUT, "/profile", Some(profile)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

async fn company(app: &TestApp) -> String {
    let c = app
        .create_company(json!({"name": "Platypus Properties"}))
        .await;
    c["id"].as_str().expect("company id").to_string()
}

async fn spawn_with_fake(behaviour: FakeBehaviour) -> (TestApp, FakePlatform) {
    let fake = FakePlatform::spawn(behaviour).await;
    let app = TestApp::spawn_full(|_| {}, Some(fake.links())).await;
    set_profile(
        &app,
        json!({"name": "Acme Lending", "redirectUrl": REDIRECT}),
    )
    .await;
    (app, fake)
}

/// The query of a redirect `Location` as a map.
pub fn query_of(location: &str) -> BTreeMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn assert_secure_page(page: &Page) {
    let h = |n: &str| {
        page.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("referrer-policy"), "no-referrer");
    let csp = h("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    if h("content-type").starts_with("text/html") {
        assert!(
            page.body.len() <= 50 * 1024,
            "page weighs {} bytes",
            page.body.len()
        );
        assert!(!page.body.contains("<script"), "pages need no JavaScript");
        assert!(page.body.contains("name=\"viewport\""));
    }
}

pub async fn connections(app: &TestApp, company: &str) -> Vec<Value> {
    let (s, list) = app.get(&format!("/companies/{company}/connections")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["results"].as_array().cloned().unwrap_or_default()
}

async fn queued_types(app: &TestApp, company: &str) -> usize {
    let (s, status) = app.get(&format!("/companies/{company}/dataStatus")).await;
    assert_eq!(s, StatusCode::OK, "{status}");
    status.as_object().map(|o| o.len()).unwrap_or(0)
}

/// Picker → pick `platform` → (OAuth) start → the platform's consent page URL.
pub async fn pick(app: &TestApp, b: &Browser, company: &str, platform: &str, custom: &str) -> Page {
    let picker = b
        .get(&format!("{}/link/company/{company}?{custom}", app.base))
        .await;
    assert_eq!(picker.status, StatusCode::OK, "{}", picker.body);
    assert_secure_page(&picker);
    let csrf = picker.hidden("csrf").expect("csrf field");
    let params = picker.hidden("params").expect("params field");
    b.post(
        &format!("{}/link/company/{company}", app.base),
        &[
            ("csrf", &csrf),
            ("platform", platform),
            ("params", &params),
            ("dataset", "small"),
        ],
    )
    .await
}

/// Through the start redirect to the authorize URL (asserting PKCE and `state`).
pub async fn to_authorize(app: &TestApp, b: &Browser, picked: &Page) -> String {
    assert_eq!(picked.status, StatusCode::SEE_OTHER, "{}", picked.body);
    let start = picked.location.clone().expect("start location");
    assert!(start.starts_with("/link/companies/"), "{start}");
    let started = b.get(&format!("{}{start}", app.base)).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    assert_secure_page(&started);
    let authorize = started.location.expect("authorize location");
    let q = query_of(&authorize);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert_eq!(q["state"].len(), 43);
    assert_eq!(q["redirect_uri"], format!("{}/link/callback", app.base));
    authorize
}

/// On the fake's consent page, Allow (or Cancel); returns the callback URL it sends back to.
async fn consent(b: &Browser, authorize: &str, allow: bool) -> String {
    let page = b.get(authorize).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let id = if allow { "approve" } else { "deny" };
    let marker = format!("id=\"{id}\" href=\"");
    let start = page.body.find(&marker).expect("consent link") + marker.len();
    let href = &page.body[start..start + page.body[start..].find('"').expect("end")];
    let base = authorize.split("/authorize").next().expect("base");
    let decided = b
        .get(&format!("{base}{}", href.replace("&amp;", "&")))
        .await;
    assert_eq!(decided.status, StatusCode::FOUND);
    decided.location.expect("callback location")
}

#[tokio::test]
async fn sandbox_journey_links_and_fills_every_placeholder() {
    let (app, _fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let b = Browser::new();
    let done = pick(&app, &b, &company, "mqjo", "ref=abc%20123").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.location.expect("redirect");
    let conns = connections(&app, &company).await;
    assert_eq!(conns.len(), 1);
    let conn = &conns[0];
    assert_eq!(conn["status"], "Linked");
    assert!(
        location.starts_with(&format!("https://client.example/done/{company}?")),
        "{location}"
    );
    let q = query_of(&location);
    assert_eq!(q["connection"], conn["id"].as_str().expect("id"));
    assert_eq!(q["platform"], "mqjo");
    assert_eq!(q["name"], "Sandbox");
    assert_eq!(q["type"], "accounting");
    assert_eq!(q["status"], "200");
    assert_eq!(q["message"], "");
    assert_eq!(
        q["integration"],
        conn["integrationId"].as_str().expect("integrationId")
    );
    assert_eq!(q["source"], conn["sourceId"].as_str().expect("sourceId"));
    assert_eq!(q["client"].len(), 36);
    assert_eq!(q["ref"], "abc 123");
    assert!(location.contains("ref=abc%20123"), "{location}");
    assert_eq!(q["missing"], "");
    assert!(queued_types(&app, &company).await > 0, "first syncs queued");
}

#[tokio::test]
async fn sandbox_link_url_asks_for_a_size_and_links_with_it() {
    let app = TestApp::spawn().await;
    let company = company(&app).await;
    let (s, conn) = app
        .post(
            &format!("/companies/{company}/connections"),
            json!({"platformKey": "mqjo"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let link_url = conn["linkUrl"].as_str().expect("linkUrl");
    let b = Browser::new();
    let page = b.get(link_url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_secure_page(&page);
    assert!(page.body.contains("<legend>Dataset size</legend>"));
    let csrf = page.hidden("csrf").expect("csrf");
    let refused = b
        .post(link_url, &[("csrf", &csrf), ("dataset", "huge")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let done = b
        .post(link_url, &[("csrf", &csrf), ("dataset", "medium")])
        .await;
    // No redirect URL configured: our own success page.
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Linked"), "{}", done.body);
    let (_, conn) = app
        .get(&format!(
            "/companies/{company}/connections/{}",
            conn["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(conn["status"], "Linked");
}

#[tokio::test]
async fn oauth_journey_links_with_pkce_and_queues_first_syncs() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let b = Browser::new();
    let picked = pick(&app, &b, &company, "gbol", "ref=r1").await;
    let authorize = to_authorize(&app, &b, &picked).await;
    let callback = consent(&b, &authorize, true).await;
    let done = b.get(&callback).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_secure_page(&done);
    let q = query_of(done.location.as_deref().expect("redirect"));
    assert_eq!(
        (
            q["status"].as_str(),
            q["platform"].as_str(),
            q["ref"].as_str()
        ),
        ("200", "gbol", "r1")
    );
    assert!(fake.all_verifiers_matched() && fake.exchanges() == 1);
    let conns = connections(&app, &company).await;
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0]["status"], "Linked");
    assert_eq!(q["connection"], conns[0]["id"].as_str().expect("id"));
    assert!(queued_types(&app, &company).await > 0, "first syncs queued");
    // Credentials are sealed: the token is not in the database in clear.
    let store = app.store().await;
    let company_id: CompanyId = company.parse().expect("company id");
    let conn_id: ConnectionId = conns[0]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("conn id");
    let sealed = store
        .connection_credentials(company_id, conn_id)
        .await
        .expect("read")
        .expect("credentials stored");
    assert!(!String::from_utf8_lossy(&sealed.ciphertext).contains("fake-access"));

    // The same callback again: single use.
    let again = b.get(&callback).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains("already used"), "{}", again.body);
    assert_eq!(
        fake.exchanges(),
        1,
        "a reused state never reaches the platform"
    );
}

#[tokio::test]
async fn owner_cancelling_redirects_403_and_links_nothing() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let b = Browser::new();
    let picked = pick(&app, &b, &company, "gbol", "").await;
    let authorize = to_authorize(&app, &b, &picked).await;
    let callback = consent(&b, &authorize, false).await;
    let done = b.get(&callback).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let location = done.location.expect("redirect");
    let q = query_of(&location);
    assert_eq!(
        (q["status"].as_str(), q["message"].as_str()),
        ("403", "User cancelled.")
    );
    assert!(location.contains("message=User%20cancelled."), "{location}");
    assert_eq!(
        connections(&app, &company).await[0]["status"],
        "PendingAuth"
    );
    assert_eq!(fake.exchanges(), 0);
}

#[tokio::test]
async fn exchange_failure_redirects_500_and_records_the_error() {
    let (app, _fake) = spawn_with_fake(FakeBehaviour {
        fail_exchange: true,
        ..FakeBehaviour::default()
    })
    .await;
    let company = company(&app).await;
    let b = Browser::new();
    let picked = pick(&app, &b, &company, "gbol", "").await;
    let authorize = to_authorize(&app, &b, &picked).await;
    let callback = consent(&b, &authorize, true).await;
    let done = b.get(&callback).await;
    let q = query_of(done.location.as_deref().expect("redirect"));
    assert_eq!(
        (q["status"].as_str(), q["message"].as_str()),
        ("500", "Unknown error occurred.")
    );
    let conn = &connections(&app, &company).await[0];
    assert_eq!(conn["status"], "PendingAuth");
    let errors = conn["dataConnectionErrors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{conn}");
    assert_eq!(errors[0]["statusCode"], "500");
    assert_eq!(errors[0]["errorMessage"], "Unknown error occurred.");
    assert!(
        !errors[0]["statusText"]
            .as_str()
            .unwrap_or_default()
            .contains("code-")
    );
}

#[tokio::test]
async fn a_platform_not_enabled_redirects_501() {
    let (app, _fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let b = Browser::new();
    let picker = b.get(&format!("{}/link/company/{company}", app.base)).await;
    assert!(
        picker.body.contains("Not available"),
        "QuickBooks is listed as unavailable"
    );
    let done = pick(&app, &b, &company, "qhyg", "").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let q = query_of(done.location.as_deref().expect("redirect"));
    assert_eq!(
        (
            q["status"].as_str(),
            q["message"].as_str(),
            q["platform"].as_str()
        ),
        ("501", "Not supported.", "qhyg")
    );
    assert!(connections(&app, &company).await.is_empty());
}

#[tokio::test]
async fn relinking_a_deauthorized_connection_keeps_its_id() {
    let (app, _fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let b = Browser::new();
    let picked = pick(&app, &b, &company, "gbol", "").await;
    let authorize = to_authorize(&app, &b, &picked).await;
    let callback = consent(&b, &authorize, true).await;
    assert_eq!(b.get(&callback).await.status, StatusCode::SEE_OTHER);
    let id = connections(&app, &company).await[0]["id"]
        .as_str()
        .expect("id")
        .to_string();

    let store = app.store().await;
    let error = DataConnectionError::deauthorized("Unauthorized");
    assert!(
        store
            .deauthorize_connection(company.parse().expect("c"), id.parse().expect("id"), &error)
            .await
            .expect("deauthorize")
    );
    assert_eq!(
        connections(&app, &company).await[0]["status"],
        "Deauthorized"
    );

    let picked = pick(&app, &b, &company, "gbol", "").await;
    let authorize = to_authorize(&app, &b, &picked).await;
    let callback = consent(&b, &authorize, true).await;
    let done = b.get(&callback).await;
    let q = query_of(done.location.as_deref().expect("redirect"));
    assert_eq!(
        (q["status"].as_str(), q["connection"].as_str()),
        ("200", id.as_str())
    );
    let conns = connections(&app, &company).await;
    assert_eq!(conns.len(), 1, "no second connection");
    assert_eq!(
        (conns[0]["id"].as_str(), conns[0]["status"].as_str()),
        (Some(id.as_str()), Some("Linked"))
    );
}

#[tokio::test]
async fn several_organisations_let_the_owner_choose_once() {
    let (app, _fake) = spawn_with_fake(FakeBehaviour {
        tenants: vec![("t-uk", "Demo (UK)"), ("t-au", "Demo (AU)")],
        ..FakeBehaviour::default()
    })
    .await;
    let company = company(&app).await;
    let b = Browser::new();
    let picked = pick(&app, &b, &company, "gbol", "").await;
    let authorize = to_authorize(&app, &b, &picked).await;
    let callback = consent(&b, &authorize, true).await;
    let choose = b.get(&callback).await;
    assert_eq!(choose.status, StatusCode::OK, "{}", choose.body);
    assert_secure_page(&choose);
    assert!(
        choose.body.contains("Demo (AU)") && choose.body.contains("<legend>Organisation</legend>")
    );
    assert_eq!(
        connections(&app, &company).await[0]["status"],
        "PendingAuth"
    );
    let fields = [
        ("csrf", choose.hidden("csrf").expect("csrf")),
        ("choice", choose.hidden("choice").expect("choice")),
        ("tenant", "t-au".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = format!("{}/link/callback/organisation", app.base);
    let done = b.post(&url, &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        query_of(done.location.as_deref().expect("redirect"))["status"],
        "200"
    );
    assert_eq!(connections(&app, &company).await[0]["status"], "Linked");
    let again = b.post(&url, &fields).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
}

/// Starts an OAuth flow and returns (browser, callback URL with a code, connection id).
async fn approved_callback(app: &TestApp, company: &str) -> (Browser, String) {
    let b = Browser::new();
    let picked = pick(app, &b, company, "gbol", "").await;
    let authorize = to_authorize(app, &b, &picked).await;
    let callback = consent(&b, &authorize, true).await;
    (b, callback)
}

async fn assert_nothing_linked(app: &TestApp, company: &str) {
    for c in connections(app, company).await {
        assert_ne!(c["status"], "Linked", "{c}");
    }
}

#[tokio::test]
async fn a_forged_state_is_refused() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let (b, callback) = approved_callback(&app, &company).await;
    let forged = callback.replace("state=", "state=x");
    let page = b.get(&forged).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_secure_page(&page);
    assert!(page.body.contains("not issued by us"), "{}", page.body);
    let missing = b.get(&format!("{}/link/callback?code=abc", app.base)).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_nothing_linked(&app, &company).await;
    assert_eq!(fake.exchanges(), 0);
}

#[tokio::test]
async fn a_callback_in_another_browser_is_refused() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let (_b, callback) = approved_callback(&app, &company).await;
    let page = Browser::new().get(&callback).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("another browser"), "{}", page.body);
    assert_nothing_linked(&app, &company).await;
    assert_eq!(fake.exchanges(), 0);
}

/// Inserts a state row directly (what no endpoint can produce: expired, no verifier) and
/// returns a browser holding its cookie and the callback URL.
async fn planted_state(
    app: &TestApp,
    company: &str,
    expires_in: i64,
    with_verifier: bool,
) -> (Browser, String) {
    let (s, conn) = app
        .post(
            &format!("/companies/{company}/connections"),
            json!({"platformKey": "gbol"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{conn}");
    let state = "planted-state-0123456789-abcdefghijklmnopq";
    let browser_token = "browser-token-0123456789-abcdefghijklmnopq";
    let hash = token_hash(state);
    let store = app.store().await;
    let verifier = with_verifier.then(|| {
        // Sealed by a throwaway key: the refusal must come before any attempt to open it.
        ledgerbridge_store::crypto::SecretBox::new(&[7; 32])
            .seal("x", b"verifier")
            .expect("seal")
    });
    store
        .insert_link_state(&LinkStateRow {
            state_hash: hash.clone(),
            company_id: company.parse().expect("company"),
            connection_id: conn["id"].as_str().expect("id").parse().expect("conn"),
            integration_key: "gbol".into(),
            verifier,
            params: BTreeMap::new(),
            browser_hash: token_hash(browser_token),
            created: Timestamp::now(),
            expires_at: Timestamp::now().as_datetime().timestamp() + expires_in,
            used_at: None,
            tenants: None,
        })
        .await
        .expect("insert state");
    let b = Browser::new();
    if let Ok(mut jar) = b.cookies.lock() {
        jar.insert(format!("lb_link_{}", &hash[..16]), browser_token.into());
    }
    (
        b,
        format!("{}/link/callback?code=abc&state={state}", app.base),
    )
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let (b, callback) = planted_state(&app, &company, -1, true).await;
    let page = b.get(&callback).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("expired"), "{}", page.body);
    assert_nothing_linked(&app, &company).await;
    assert_eq!(fake.exchanges(), 0);
}

#[tokio::test]
async fn a_state_without_pkce_verifier_is_refused() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let (b, callback) = planted_state(&app, &company, 600, false).await;
    let page = b.get(&callback).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("PKCE"), "{}", page.body);
    assert_nothing_linked(&app, &company).await;
    assert_eq!(fake.exchanges(), 0);
}

#[tokio::test]
async fn a_callback_for_a_deleted_company_is_refused() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let (b, callback) = approved_callback(&app, &company).await;
    let (s, _) = app
        .call(Method::DELETE, &format!("/companies/{company}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let page = b.get(&callback).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
    assert!(
        page.body.contains("does not exist any more"),
        "{}",
        page.body
    );
    assert_eq!(fake.exchanges(), 0);
}

#[tokio::test]
async fn a_redirect_to_a_host_not_allowed_is_refused_before_linking() {
    let (app, fake) = spawn_with_fake(FakeBehaviour::default()).await;
    set_profile(
        &app,
        json!({
            "name": "Acme Lending",
            "redirectUrl": "https://{environment}.mybank.io/done?status={statusCode}",
            "whiteListUrls": ["https://eu.mybank.io"]
        }),
    )
    .await;
    let company = company(&app).await;
    let b = Browser::new();
    let page = b
        .get(&format!(
            "{}/link/company/{company}?environment=evil",
            app.base
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("evil.mybank.io"), "{}", page.body);

    // Straight to the POST and to a linkUrl: refused as well, nothing linked, no state.
    let ok = b
        .get(&format!(
            "{}/link/company/{company}?environment=eu",
            app.base
        ))
        .await;
    let csrf = ok.hidden("csrf").expect("csrf");
    for platform in ["mqjo", "gbol"] {
        let page = b
            .post(
                &format!("{}/link/company/{company}", app.base),
                &[
                    ("csrf", &csrf),
                    ("platform", platform),
                    ("params", "environment=evil"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    }
    assert!(connections(&app, &company).await.is_empty());
    let (_, conn) = app
        .post(
            &format!("/companies/{company}/connections"),
            json!({"platformKey": "gbol"}),
        )
        .await;
    let start = format!(
        "{}?environment=evil",
        conn["linkUrl"].as_str().expect("linkUrl")
    );
    let page = b.get(&start).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.location.is_none());

    // The allowed host works end to end.
    let picked = b
        .post(
            &format!("{}/link/company/{company}", app.base),
            &[
                ("csrf", &csrf),
                ("platform", "mqjo"),
                ("params", "environment=eu"),
            ],
        )
        .await;
    assert_eq!(
        picked.location.as_deref(),
        Some("https://eu.mybank.io/done?status=200")
    );
    assert_eq!(fake.exchanges(), 0);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let (app, _fake) = spawn_with_fake(FakeBehaviour::default()).await;
    let company = company(&app).await;
    let b = Browser::new();
    let picker = b.get(&format!("{}/link/company/{company}", app.base)).await;
    let csrf = picker.hidden("csrf").expect("csrf");
    let url = format!("{}/link/company/{company}", app.base);
    let none = b.post(&url, &[("platform", "mqjo")]).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let wrong = b
        .post(
            &url,
            &[
                ("platform", "mqjo"),
                ("csrf", "A23456789012345678901234567890123456789012Z"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // The right token from another browser (no cookie) is refused too.
    let other = Browser::new()
        .post(&url, &[("platform", "mqjo"), ("csrf", &csrf)])
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // A cross-site Origin is refused even with the token.
    let resp = b
        .client
        .post(&url)
        .header("Cookie", format!("lb_csrf={csrf}"))
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("platform=mqjo&csrf={csrf}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(connections(&app, &company).await.is_empty());
}

#[tokio::test]
async fn link_pages_for_unknown_companies_say_so() {
    let app = TestApp::spawn().await;
    let b = Browser::new();
    for path in [
        format!("/link/company/{}", uuid::Uuid::new_v4()),
        "/link/company/not-a-uuid".to_string(),
        format!(
            "/link/companies/{}/connections/{}/start",
            uuid::Uuid::new_v4(),
            uuid::Uuid::new_v4()
        ),
    ] {
        let page = b.get(&format!("{}{path}", app.base)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_secure_page(&page);
    }
    let css = b.get(&format!("{}/link/assets/link.css", app.base)).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.len() < 8 * 1024);
}

#[tokio::test]
async fn the_picker_searches_without_javascript_and_shows_the_brand() {
    let (app, _fake) = spawn_with_fake(FakeBehaviour::default()).await;
    set_profile(
        &app,
        json!({"name": "Acme Lending", "redirectUrl": REDIRECT, "logoUrl": "https://cdn.acme.example/logo.svg"}),
    )
    .await;
    let company = company(&app).await;
    let b = Browser::new();
    let all = b.get(&format!("{}/link/company/{company}", app.base)).await;
    assert!(all.body.contains("Acme Lending") && all.body.contains("Platypus Properties"));
    assert!(all.body.contains("<label for=\"search\">"));
    assert!(all.body.contains("<label for=\"dataset-mqjo\">"));
    let csp = all.headers["content-security-policy"]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("img-src 'self' https://cdn.acme.example;"),
        "{csp}"
    );
    let xero = b
        .get(&format!("{}/link/company/{company}?search=xer", app.base))
        .await;
    assert!(xero.body.contains("Connect Xero") && !xero.body.contains("Connect Sandbox"));
    let none = b
        .get(&format!("{}/link/company/{company}?search=zzz", app.base))
        .await;
    assert!(none.body.contains("No integration matches"));
}
