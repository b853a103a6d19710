//! The Sandbox connector pages through generated books, and later syncs read only changes.

use std::collections::HashSet;

use ledgerbridge_connectors::sandbox::SandboxConnector;
use ledgerbridge_connectors::{
    ConnectionContext, Connector, ConnectorError, FetchRequest, MemoryCredentialStore,
};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use serde_json::json;

async fn fetch_all(
    connector: &SandboxConnector,
    ctx: &ConnectionContext,
    data_type: DataType,
    since: Option<&str>,
) -> (Vec<String>, Vec<String>, Option<String>) {
    let request = FetchRequest {
        data_type,
        since: since.map(str::to_string),
        sync_from: None,
        months_to_sync: None,
    };
    let (mut ids, mut deleted, mut cursor) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let page = connector
            .fetch_page(ctx, &request, cursor.as_deref())
            .await
            .expect("page");
        ids.extend(page.records.iter().map(|r| r.id.clone()));
        deleted.extend(page.deleted);
        assert!(page.unmappable.is_empty());
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return (ids, deleted, page.watermark),
        }
    }
}

#[tokio::test]
async fn full_then_incremental_reads() {
    let connector = SandboxConnector::new();
    let ctx = ConnectionContext {
        company_id: CompanyId::new(),
        connection_id: ConnectionId::new(),
        credentials: json!({"dataset": "small", "seed": "7"}),
        credential_store: std::sync::Arc::new(MemoryCredentialStore::default()),
    };
    let (ids, deleted, watermark) = fetch_all(&connector, &ctx, DataType::Invoices, None).await;
    assert!(ids.len() > 50, "{}", ids.len());
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no record twice"
    );
    // A full read also reports what was deleted in the source, so a cache filled earlier
    // learns of it; a record is never both served and deleted.
    assert!(deleted.iter().all(|d| !ids.contains(d)));
    assert_eq!(watermark.as_deref(), Some("sync:0"));

    // The same fetch again gives the same records (deterministic books).
    let (again, _, _) = fetch_all(&connector, &ctx, DataType::Invoices, None).await;
    assert_eq!(again, ids);

    let (changed, _, watermark) =
        fetch_all(&connector, &ctx, DataType::Invoices, Some("sync:0")).await;
    assert_eq!(watermark.as_deref(), Some("sync:1"));
    assert!(
        !changed.is_empty() && changed.len() < ids.len(),
        "{} changed of {}",
        changed.len(),
        ids.len()
    );

    let bad = ConnectionContext {
        credentials: json!({"dataset": "huge"}),
        ..ctx
    };
    let request = FetchRequest {
        data_type: DataType::Invoices,
        since: None,
        sync_from: None,
        months_to_sync: None,
    };
    assert!(matches!(
        connector.fetch_page(&bad, &request, None).await,
        Err(ConnectorError::PermissionDenied(_))
    ));
    let odd = FetchRequest {
        since: Some("yesterday".into()),
        ..request
    };
    assert!(connector.fetch_page(&bad, &odd, None).await.is_err());
}
