//! Shared by the QuickBooks connector tests: a simulator, a connector linked to it through
//! the real OAuth flow (consent, code exchange, `realmId` on the callback), and a fetch loop.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use ledgerbridge_connectors::oauth::{
    AuthorizeRequest, LinkedTenant, OAuthApp, OAuthLink, pkce_challenge, pkce_verifier,
};
use ledgerbridge_connectors::quickbooks::{DEFAULT_SCOPES, QuickBooksConfig, QuickBooksConnector};
use ledgerbridge_connectors::{
    ConnectionContext, Connector, ConnectorError, FetchRequest, MemoryCredentialStore,
};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use ledgerbridge_fakes::quickbooks::{QuickBooksSim, SimHandle, SimOptions};

#[path = "../record_text/mod.rs"]
mod record_text;
pub use record_text::{Record, parsed};

pub const REDIRECT: &str = "http://127.0.0.1:9/link/callback";

pub struct Linked {
    pub sim: SimHandle,
    pub connector: Arc<QuickBooksConnector>,
    pub ctx: ConnectionContext,
    pub store: Arc<MemoryCredentialStore>,
}

pub fn config_for(sim: &SimHandle) -> QuickBooksConfig {
    QuickBooksConfig::new(OAuthApp {
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

/// Authorizes company `index` through the simulator and returns the linked company.
pub async fn authorize(
    sim: &SimHandle,
    connector: &QuickBooksConnector,
    index: usize,
) -> LinkedTenant {
    let verifier = pkce_verifier();
    let challenge = pkce_challenge(&verifier);
    let url = connector.authorize_url(&AuthorizeRequest {
        state: "state-1",
        code_challenge: &challenge,
        redirect_uri: REDIRECT,
    });
    let callback = sim.approve(&url, index).expect("consent approved");
    let query = query_of(&callback);
    assert_eq!(query.get("state").map(String::as_str), Some("state-1"));
    let mut tenants = connector
        .complete(&query, &verifier, REDIRECT)
        .await
        .expect("code exchanged");
    assert_eq!(tenants.len(), 1, "one grant, one realm");
    tenants.remove(0)
}

pub fn context(tenant: &LinkedTenant, store: Arc<MemoryCredentialStore>) -> ConnectionContext {
    ConnectionContext {
        company_id: CompanyId::new(),
        connection_id: ConnectionId::new(),
        credentials: tenant.credentials.clone(),
        credential_store: store,
    }
}

pub async fn link_with(options: SimOptions, tune: impl FnOnce(&mut QuickBooksConfig)) -> Linked {
    let sim = QuickBooksSim::start(options)
        .await
        .expect("simulator starts");
    let mut config = config_for(&sim);
    tune(&mut config);
    let connector = QuickBooksConnector::new(config);
    let tenant = authorize(&sim, &connector, 0).await;
    let store = Arc::new(MemoryCredentialStore::default());
    let ctx = context(&tenant, store.clone());
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
    /// The last page's `complete_snapshot`.
    pub complete_snapshot: bool,
}

pub fn request(data_type: DataType, since: Option<&str>) -> FetchRequest {
    FetchRequest {
        data_type,
        since: since.map(str::to_string),
        sync_from: None,
        months_to_sync: None,
    }
}

pub async fn fetch_request(
    connector: &QuickBooksConnector,
    ctx: &ConnectionContext,
    request: &FetchRequest,
) -> Result<Fetched, ConnectorError> {
    let mut out = Fetched {
        records: Vec::new(),
        deleted: Vec::new(),
        watermark: None,
        pages: 0,
        complete_snapshot: false,
    };
    let mut cursor: Option<String> = None;
    loop {
        let page = connector
            .fetch_page(ctx, request, cursor.as_deref())
            .await?;
        out.pages += 1;
        assert!(
            page.unmappable.is_empty(),
            "{}: unmappable {:?}",
            request.data_type,
            page.unmappable
        );
        out.records.extend(page.records.into_iter().map(parsed));
        out.deleted.extend(page.deleted);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => {
                out.watermark = page.watermark;
                out.complete_snapshot = page.complete_snapshot;
                return Ok(out);
            }
        }
    }
}

pub async fn fetch_all(
    connector: &QuickBooksConnector,
    ctx: &ConnectionContext,
    data_type: DataType,
    since: Option<&str>,
) -> Result<Fetched, ConnectorError> {
    fetch_request(connector, ctx, &request(data_type, since)).await
}
