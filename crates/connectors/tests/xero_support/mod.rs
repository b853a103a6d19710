//! Shared by the Xero connector tests: a simulator, a connector linked to it through the
//! real OAuth flow (consent, code exchange with PKCE, `/connections`), and a fetch loop.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, OAuthApp, OAuthLink, pkce_challenge, pkce_verifier,
};
use ledgerbridge_connectors::xero::{DEFAULT_SCOPES, XeroConfig, XeroConnector};
use ledgerbridge_connectors::{
    ConnectionContext, Connector, ConnectorError, FetchRequest, MemoryCredentialStore,
};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use ledgerbridge_fakes::xero::{SimHandle, SimOptions, XeroSim};

#[path = "../record_text/mod.rs"]
mod record_text;
pub use record_text::{Record, parsed};

pub const REDIRECT: &str = "http://127.0.0.1:9/link/callback";

pub struct Linked {
    pub sim: SimHandle,
    pub connector: Arc<XeroConnector>,
    pub ctx: ConnectionContext,
    pub store: Arc<MemoryCredentialStore>,
}

pub fn config_for(sim: &SimHandle) -> XeroConfig {
    XeroConfig::new(OAuthApp {
        client_id: sim.client_id().to_string(),
        client_secret: sim.client_secret().to_string(),
        authorize_url: sim.authorize_url(),
        token_url: sim.token_url(),
        api_url: sim.api_url(),
        scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
    })
}

pub fn query_of(url: &str) -> BTreeMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Authorizes through the simulator and returns the linked tenants' credentials.
pub async fn authorize(
    sim: &SimHandle,
    connector: &XeroConnector,
    tenants: &[usize],
) -> Vec<ledgerbridge_connectors::oauth::LinkedTenant> {
    let verifier = pkce_verifier();
    let challenge = pkce_challenge(&verifier);
    let url = connector.authorize_url(&AuthorizeRequest {
        state: "state-1",
        code_challenge: &challenge,
        redirect_uri: REDIRECT,
    });
    let callback = sim.approve(&url, tenants).expect("consent approved");
    let query = query_of(&callback);
    assert_eq!(query.get("state").map(String::as_str), Some("state-1"));
    connector
        .complete(&query, &verifier, REDIRECT)
        .await
        .expect("code exchanged")
}

pub async fn link_with(options: SimOptions, tune: impl FnOnce(&mut XeroConfig)) -> Linked {
    let sim = XeroSim::start(options).await.expect("simulator starts");
    let mut config = config_for(&sim);
    tune(&mut config);
    let connector = XeroConnector::new(config);
    let tenants = authorize(&sim, &connector, &[]).await;
    let store = Arc::new(MemoryCredentialStore::default());
    let ctx = ConnectionContext {
        company_id: CompanyId::new(),
        connection_id: ConnectionId::new(),
        credentials: tenants[0].credentials.clone(),
        credential_store: store.clone(),
    };
    Linked {
        sim,
        connector,
        ctx,
        store,
    }
}

pub async fn link(options: SimOptions) -> Linked {
    link_with(options, |_| {}).await
}

pub struct Fetched {
    pub records: Vec<Record>,
    pub deleted: Vec<String>,
    pub watermark: Option<String>,
    pub pages: usize,
}

pub fn request(data_type: DataType, since: Option<&str>) -> FetchRequest {
    FetchRequest {
        data_type,
        since: since.map(str::to_string),
        sync_from: None,
        months_to_sync: None,
    }
}

pub async fn fetch_all(
    connector: &XeroConnector,
    ctx: &ConnectionContext,
    data_type: DataType,
    since: Option<&str>,
) -> Result<Fetched, ConnectorError> {
    let request = request(data_type, since);
    let mut out = Fetched {
        records: Vec::new(),
        deleted: Vec::new(),
        watermark: None,
        pages: 0,
    };
    let mut cursor: Option<String> = None;
    loop {
        let page = connector
            .fetch_page(ctx, &request, cursor.as_deref())
            .await?;
        out.pages += 1;
        assert!(
            page.unmappable.is_empty(),
            "{data_type}: unmappable {:?}",
            page.unmappable
        );
        out.records.extend(page.records.into_iter().map(parsed));
        out.deleted.extend(page.deleted);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => {
                out.watermark = page.watermark;
                return Ok(out);
            }
        }
    }
}
