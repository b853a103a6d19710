//! The store's contract: every repository function, on SQLite and (when
//! `LEDGERBRIDGE_TEST_POSTGRES_URL` is set) on PostgreSQL, each test on a fresh database.

use std::collections::BTreeMap;

use ledgerbridge_domain::paging::PageRequest;
use ledgerbridge_domain::platform::{
    COMPANY_SCHEMA, ConnectionStatus, DataConnectionError, SourceType,
};
use ledgerbridge_domain::{CompanyId, ConnectionId, Timestamp};
use ledgerbridge_store::api_keys::new_api_key;
use ledgerbridge_store::companies::CompanyRow;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::crypto::SecretBox;
use ledgerbridge_store::settings::SettingsDoc;
use ledgerbridge_store::{ListRequest, Store, StoreError};

/// A migrated store on a fresh database, and what keeps it alive.
struct Fresh {
    store: Store,
    _dir: tempfile::TempDir,
}

async fn fresh() -> Fresh {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = ledgerbridge_store::testing::fresh_database_url(dir.path()).await;
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.migrate().await.expect("migrations are idempotent");
    Fresh { store, _dir: dir }
}

fn company(name: &str) -> CompanyRow {
    CompanyRow {
        id: CompanyId::new(),
        name: name.into(),
        description: None,
        tags: BTreeMap::new(),
        platform: String::new(),
        created: Timestamp::now(),
        last_sync: None,
    }
}

fn connection(company: CompanyId) -> ConnectionRow {
    ConnectionRow {
        id: ConnectionId::new(),
        company_id: company,
        integration_key: "mqjo".into(),
        integration_id: uuid::Uuid::new_v4(),
        source_id: uuid::Uuid::new_v4(),
        source_type: SourceType::Accounting,
        platform_name: "Sandbox".into(),
        status: ConnectionStatus::PendingAuth,
        created: Timestamp::now(),
        last_sync: None,
        errors: Vec::new(),
        connection_info: Some(serde_json::json!({"realm": "1"})),
    }
}

#[tokio::test]
async fn companies_round_trip() {
    let f = fresh().await;
    let s = &f.store;
    s.ping().await.expect("ping");
    let mut c = company("Acme");
    c.tags.insert("region".into(), "uk".into());
    c.description = Some("d".into());
    let conn = connection(c.id);
    s.insert_company(&c, Some(&conn)).await.expect("insert");

    assert_eq!(s.get_company(c.id).await.expect("get"), Some(c.clone()));
    let with = s
        .get_company_with_connections(c.id)
        .await
        .expect("get with")
        .expect("exists");
    assert_eq!(with.company, c);
    assert_eq!(with.connections, vec![conn.clone()]);
    assert_eq!(
        s.get_company(CompanyId::new()).await.expect("get missing"),
        None
    );

    let tags = BTreeMap::from([("team".to_string(), "x".to_string())]);
    assert!(
        s.update_company(c.id, "Renamed", None, &tags)
            .await
            .expect("update")
    );
    let got = s.get_company(c.id).await.expect("get").expect("exists");
    assert_eq!(
        (got.name.as_str(), got.description, got.tags.clone()),
        ("Renamed", None, tags.clone())
    );
    assert!(
        !s.update_company(CompanyId::new(), "x", None, &tags)
            .await
            .expect("update missing")
    );

    assert!(
        s.patch_company(c.id, None, Some("desc"), None)
            .await
            .expect("patch")
    );
    let got = s.get_company(c.id).await.expect("get").expect("exists");
    assert_eq!(
        (got.name.as_str(), got.description.as_deref(), got.tags),
        ("Renamed", Some("desc"), tags)
    );
    assert!(
        !s.patch_company(CompanyId::new(), Some("x"), None, None)
            .await
            .expect("patch missing")
    );

    assert!(s.delete_company(c.id).await.expect("delete"));
    assert!(!s.delete_company(c.id).await.expect("delete again"));
    assert_eq!(
        s.get_connection(c.id, conn.id)
            .await
            .expect("connection gone"),
        None
    );
}

#[tokio::test]
async fn company_lists_filter_order_and_count() {
    let f = fresh().await;
    let s = &f.store;
    for i in 0..5 {
        let c = company(&format!("C{i}"));
        let conn = (i % 2 == 0).then(|| connection(c.id));
        s.insert_company(&c, conn.as_ref()).await.expect("insert");
    }
    let page = |page, page_size| PageRequest { page, page_size };
    let (rows, total) = s
        .list_companies(&ListRequest {
            page: page(2, 2),
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(total, 5);
    assert_eq!(
        rows.iter()
            .map(|r| r.company.name.as_str())
            .collect::<Vec<_>>(),
        ["C2", "C3"]
    );

    let req = ListRequest {
        filter: Some(
            ledgerbridge_query::parse_filter("dataConnections.status=PendingAuth", &COMPANY_SCHEMA)
                .expect("q"),
        ),
        order: Some(ledgerbridge_query::parse_order_by("-name", &COMPANY_SCHEMA).expect("o")),
        page: page(1, 10),
        ..Default::default()
    };
    let (rows, total) = s.list_companies(&req).await.expect("list");
    assert_eq!(total, 3);
    assert_eq!(
        rows.iter()
            .map(|r| r.company.name.as_str())
            .collect::<Vec<_>>(),
        ["C4", "C2", "C0"]
    );
    assert!(rows.iter().all(|r| r.connections.len() == 1));
}

#[tokio::test]
async fn connections_lifecycle() {
    let f = fresh().await;
    let s = &f.store;
    let c = company("Acme");
    s.insert_company(&c, None).await.expect("insert");
    let a = connection(c.id);
    let b = connection(c.id);
    assert!(s.insert_connection(&a).await.expect("insert a"));
    assert!(s.insert_connection(&b).await.expect("insert b"));
    assert!(
        !s.insert_connection(&connection(CompanyId::new()))
            .await
            .expect("no company")
    );

    assert_eq!(
        s.get_connection(c.id, a.id).await.expect("get"),
        Some(a.clone())
    );
    assert_eq!(
        s.get_connection(CompanyId::new(), a.id)
            .await
            .expect("other company"),
        None
    );
    let grouped = s.connections_of(&[c.id]).await.expect("of");
    assert_eq!(grouped.get(&c.id).map(Vec::len), Some(2));
    let (rows, total) = s
        .list_connections(c.id, &ListRequest::default())
        .await
        .expect("list");
    assert_eq!((rows.len(), total), (2, 2));

    let (row, changed) = s
        .transition_connection(
            c.id,
            a.id,
            &[ConnectionStatus::Linked],
            ConnectionStatus::Unlinked,
        )
        .await
        .expect("transition")
        .expect("exists");
    assert!(!changed);
    assert_eq!(row.status, ConnectionStatus::PendingAuth);
    let (row, changed) = s
        .transition_connection(
            c.id,
            a.id,
            &[ConnectionStatus::PendingAuth],
            ConnectionStatus::Linked,
        )
        .await
        .expect("transition")
        .expect("exists");
    assert!(changed);
    assert_eq!(row.status, ConnectionStatus::Linked);
    assert!(
        s.transition_connection(
            c.id,
            ConnectionId::new(),
            &[ConnectionStatus::Linked],
            ConnectionStatus::Unlinked
        )
        .await
        .expect("transition missing")
        .is_none()
    );

    let secrets = SecretBox::new(&SecretBox::generate_key());
    let sealed = secrets
        .seal(&format!("connection:{}", a.id), b"{\"token\":\"t\"}")
        .expect("seal");
    assert_eq!(
        s.connection_credentials(c.id, a.id)
            .await
            .expect("none yet"),
        None
    );
    assert!(
        s.set_connection_credentials(c.id, a.id, &sealed)
            .await
            .expect("set")
    );
    let back = s
        .connection_credentials(c.id, a.id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        secrets
            .open(&format!("connection:{}", a.id), &back)
            .expect("open"),
        b"{\"token\":\"t\"}"
    );
    assert!(
        !s.set_connection_credentials(c.id, ConnectionId::new(), &sealed)
            .await
            .expect("set missing")
    );

    assert!(s.delete_connection(c.id, a.id).await.expect("delete"));
    assert!(!s.delete_connection(c.id, a.id).await.expect("delete again"));
}

#[tokio::test]
async fn relinking_resolves_the_errors_that_broke_a_connection() {
    let f = fresh().await;
    let s = &f.store;
    let c = company("Acme");
    s.insert_company(&c, None).await.expect("insert");
    let a = connection(c.id);
    s.insert_connection(&a).await.expect("insert");
    const PENDING: &[ConnectionStatus] = &[ConnectionStatus::PendingAuth];
    const DEAUTHORIZED: &[ConnectionStatus] = &[ConnectionStatus::Deauthorized];
    let link = |from: &'static [ConnectionStatus]| {
        s.transition_connection(c.id, a.id, from, ConnectionStatus::Linked)
    };
    link(PENDING).await.expect("link").expect("exists");
    let revoked = DataConnectionError::deauthorized("Unauthorized");
    assert!(
        s.deauthorize_connection(c.id, a.id, &revoked)
            .await
            .expect("deauthorize")
    );
    let row = s
        .get_connection(c.id, a.id)
        .await
        .expect("get")
        .expect("row");
    assert_eq!(
        (row.status, row.errors[0].status.as_deref()),
        (ConnectionStatus::Deauthorized, Some("Active"))
    );

    let (row, changed) = link(DEAUTHORIZED).await.expect("re-link").expect("exists");
    assert!(changed);
    assert_eq!(row.errors.len(), 1, "the history stays");
    let resolved = &row.errors[0];
    assert_eq!(resolved.status.as_deref(), Some("Resolved"));
    assert!(resolved.resolved_on_utc.is_some());
    assert_eq!(resolved.status_code, "401");
}

#[tokio::test]
async fn api_keys_are_capped_at_ten() {
    let f = fresh().await;
    let s = &f.store;
    let mut ids = Vec::new();
    for i in 0..10 {
        let (row, key) = new_api_key(Some(format!("k{i}")));
        assert_eq!(
            row.key_hash,
            ledgerbridge_store::api_keys::hash_api_key(&key)
        );
        assert!(!row.masked.contains(&key[4..36]));
        s.insert_api_key(&row).await.expect("insert");
        ids.push(row.id);
    }
    let (row, _) = new_api_key(None);
    assert!(matches!(
        s.insert_api_key(&row).await,
        Err(StoreError::LimitReached(_))
    ));
    let listed = s.list_api_keys().await.expect("list");
    assert_eq!(listed.iter().map(|k| k.id).collect::<Vec<_>>(), ids);
    assert!(s.delete_api_key(ids[0]).await.expect("delete"));
    assert!(!s.delete_api_key(ids[0]).await.expect("delete again"));
    s.insert_api_key(&row).await.expect("room again");
}

#[tokio::test]
async fn api_key_cap_holds_under_concurrency() {
    let f = fresh().await;
    let mut tasks = Vec::new();
    for _ in 0..25 {
        let s = f.store.clone();
        tasks.push(tokio::spawn(async move {
            s.insert_api_key(&new_api_key(None).0).await.is_ok()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += usize::from(t.await.expect("task"));
    }
    assert_eq!(ok, 10);
    assert_eq!(f.store.list_api_keys().await.expect("list").len(), 10);
}

#[tokio::test]
async fn settings_documents() {
    let f = fresh().await;
    let s = &f.store;
    assert_eq!(
        s.get_settings::<serde_json::Value>(SettingsDoc::Profile)
            .await
            .expect("get"),
        None
    );
    s.put_settings(SettingsDoc::Profile, &serde_json::json!({"name": "a"}))
        .await
        .expect("put");
    s.put_settings(SettingsDoc::Profile, &serde_json::json!({"name": "b"}))
        .await
        .expect("replace");
    assert_eq!(
        s.get_settings::<serde_json::Value>(SettingsDoc::Profile)
            .await
            .expect("get"),
        Some(serde_json::json!({"name": "b"}))
    );
    let id = s.client_id().await.expect("client id");
    assert_eq!(s.client_id().await.expect("again"), id, "minted once");

    let c = company("Acme");
    s.insert_company(&c, None).await.expect("insert");
    assert_eq!(
        s.get_company_sync_settings::<serde_json::Value>(c.id)
            .await
            .expect("none"),
        None
    );
    assert!(
        s.put_company_sync_settings(c.id, &serde_json::json!({"x": 1}))
            .await
            .expect("put")
    );
    assert!(
        s.put_company_sync_settings(c.id, &serde_json::json!({"x": 2}))
            .await
            .expect("replace")
    );
    assert_eq!(
        s.get_company_sync_settings::<serde_json::Value>(c.id)
            .await
            .expect("get"),
        Some(serde_json::json!({"x": 2}))
    );
    assert!(
        !s.put_company_sync_settings(CompanyId::new(), &serde_json::json!({}))
            .await
            .expect("no company")
    );
}

#[tokio::test]
async fn datasets_queue_once_and_report_status() {
    use ledgerbridge_domain::DataType;
    use ledgerbridge_domain::platform::DatasetStatus;
    use ledgerbridge_store::datasets::{DatasetRow, QueueError};

    let f = fresh().await;
    let s = &f.store;
    let c = company("Acme");
    let conn = connection(c.id);
    s.insert_company(&c, Some(&conn)).await.expect("insert");

    let first = DatasetRow::queued(c.id, conn.id, DataType::Invoices);
    s.queue_dataset(&first).await.expect("queue");
    match s
        .queue_dataset(&DatasetRow::queued(c.id, conn.id, DataType::Invoices))
        .await
    {
        Err(QueueError::AlreadyInProgress(id)) => assert_eq!(id, first.id),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        s.dataset_in_progress(conn.id, DataType::Invoices)
            .await
            .expect("running"),
        Some(first.clone())
    );
    assert_eq!(
        s.get_dataset(c.id, first.id).await.expect("get"),
        Some(first.clone())
    );
    assert_eq!(
        s.get_dataset(CompanyId::new(), first.id)
            .await
            .expect("other company"),
        None
    );

    let mut done = DatasetRow::queued(c.id, conn.id, DataType::Bills);
    done.status = DatasetStatus::Complete;
    done.completed = Some(Timestamp::now());
    done.progress = 100;
    s.queue_dataset(&done)
        .await
        .expect("finished rows do not block");
    let later = DatasetRow::queued(c.id, conn.id, DataType::Bills);
    s.queue_dataset(&later)
        .await
        .expect("queue after a finished one");

    let (rows, total) = s
        .list_datasets(c.id, &ListRequest::default())
        .await
        .expect("list");
    assert_eq!(total, 3);
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [first.id, done.id, later.id]
    );

    let status = s.data_status(c.id).await.expect("status");
    assert_eq!(status.len(), 2);
    let bills = status
        .iter()
        .find(|t| t.data_type == DataType::Bills)
        .expect("bills");
    assert_eq!(
        (bills.latest_id, bills.latest_status),
        (later.id, DatasetStatus::Queued)
    );
    assert_eq!(bills.last_success.map(|(id, _)| id), Some(done.id));
    let invoices = status
        .iter()
        .find(|t| t.data_type == DataType::Invoices)
        .expect("invoices");
    assert_eq!(invoices.last_success, None);
}

#[tokio::test]
async fn quota_reservations_never_exceed_the_quota() {
    let f = fresh().await;
    let s = &f.store;
    let (key, day) = ("ab".repeat(32), "2026-11-29");
    let g = s.reserve_quota(&key, day, 4, 10).await.expect("reserve");
    assert_eq!((g.granted, g.used), (4, 4));
    let g = s.reserve_quota(&key, day, 4, 10).await.expect("reserve");
    assert_eq!((g.granted, g.used), (4, 8));
    // Only what is left.
    let g = s.reserve_quota(&key, day, 4, 10).await.expect("reserve");
    assert_eq!((g.granted, g.used), (2, 10));
    let g = s.reserve_quota(&key, day, 4, 10).await.expect("reserve");
    assert_eq!(g.granted, 0, "spent");
    assert_eq!(s.quota_used(&key, day).await.expect("used"), 10);
    // Another key and another day are counted apart.
    let g = s
        .reserve_quota(&"cd".repeat(32), day, 3, 10)
        .await
        .expect("reserve");
    assert_eq!((g.granted, g.used), (3, 3));
    let g = s
        .reserve_quota(&key, "2026-11-30", 1, 10)
        .await
        .expect("reserve");
    assert_eq!((g.granted, g.used), (1, 1));
    assert_eq!(
        s.forget_quota_before("2026-11-30").await.expect("forget"),
        2
    );
    assert_eq!(s.quota_used(&key, day).await.expect("used"), 0);
    assert_eq!(s.quota_used(&key, "2026-11-30").await.expect("used"), 1);

    // Many concurrent reservations (as from several nodes) never hand out more than the quota.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = 0;
            loop {
                let g = s
                    .reserve_quota("race", "2026-12-01", 3, 100)
                    .await
                    .expect("reserve");
                if g.granted == 0 {
                    return got;
                }
                got += g.granted;
            }
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("join");
    }
    assert_eq!(total, 100);
}

#[tokio::test]
async fn released_quota_can_be_reserved_again() {
    let f = fresh().await;
    let s = &f.store;
    let (key, day) = ("ef".repeat(32), "2026-11-29");
    let g = s.reserve_quota(&key, day, 10, 10).await.expect("reserve");
    assert_eq!((g.granted, g.used), (10, 10));
    // A stopping node served 3 of its 10 and hands 7 back.
    s.release_quota(&key, day, 7).await.expect("release");
    assert_eq!(s.quota_used(&key, day).await.expect("used"), 3);
    let g = s.reserve_quota(&key, day, 10, 10).await.expect("reserve");
    assert_eq!((g.granted, g.used), (7, 10));
    // Never below zero, and other keys and days untouched.
    s.release_quota(&key, day, 50).await.expect("release");
    assert_eq!(s.quota_used(&key, day).await.expect("used"), 0);
    s.release_quota(&key, "2026-11-30", 5)
        .await
        .expect("release of a day never reserved");
    assert_eq!(s.quota_used(&key, "2026-11-30").await.expect("used"), 0);
}

#[tokio::test]
async fn queue_stats_and_pool_stats_answer() {
    let f = fresh().await;
    let q = f.store.queue_stats().await.expect("queue stats");
    assert_eq!(q.datasets_waiting, 0);
    assert_eq!(q.datasets_running, 0);
    assert_eq!(q.webhook_messages_pending, 0);
    assert_eq!(q.oldest_lease_age_seconds, 0.0);
    let pools = f.store.pool_stats();
    assert!(!pools.is_empty());
    for (_, open, idle, max) in pools {
        assert!(idle <= open && open <= max);
    }
}

#[tokio::test]
async fn a_batch_of_datasets_is_queued_at_once_skipping_types_in_progress() {
    use ledgerbridge_domain::DataType;
    use ledgerbridge_store::datasets::DatasetRow;

    let f = fresh().await;
    let s = &f.store;
    let c = company("Acme");
    let conn = connection(c.id);
    s.insert_company(&c, Some(&conn)).await.expect("insert");
    let first = DatasetRow::queued(c.id, conn.id, DataType::Invoices);
    s.queue_dataset(&first).await.expect("queue");
    // The batch skips the type in progress and queues the others, in one transaction.
    let batch = [
        DatasetRow::queued(c.id, conn.id, DataType::Invoices),
        DatasetRow::queued(c.id, conn.id, DataType::Bills),
        DatasetRow::queued(c.id, conn.id, DataType::Customers),
    ];
    assert_eq!(s.queue_datasets(&batch).await.expect("batch"), 2);
    assert_eq!(
        s.dataset_in_progress(conn.id, DataType::Invoices)
            .await
            .expect("running"),
        Some(first.clone()),
        "the running one is kept"
    );
    assert!(
        s.dataset_in_progress(conn.id, DataType::Bills)
            .await
            .expect("bills")
            .is_some()
    );
    assert_eq!(s.queue_datasets(&batch).await.expect("again"), 0);
}
