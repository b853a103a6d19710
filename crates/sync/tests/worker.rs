//! The worker against a scripted connector, on SQLite and (with
//! `LEDGERBRIDGE_TEST_POSTGRES_URL`) PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use ledgerbridge_connectors::{ConnectorError, FetchPage};
use ledgerbridge_domain::platform::{ConnectionStatus, DatasetStatus, SourceType};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};
use ledgerbridge_store::companies::CompanyRow;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::crypto::SecretBox;
use ledgerbridge_store::datasets::DatasetRow;
use ledgerbridge_store::records::RecordScope;
use ledgerbridge_store::{ListRequest, Store};
use ledgerbridge_sync::{Connectors, Worker, WorkerConfig};
use tokio::sync::watch;

#[path = "support/scripted.rs"]
mod scripted;
use scripted::{Scripted, invoice};

fn pages() -> Vec<FetchPage> {
    vec![
        FetchPage {
            records: (0..3).map(|i| invoice(i, "10.50")).collect(),
            estimated_total: Some(5),
            ..Default::default()
        },
        FetchPage {
            records: (3..5).map(|i| invoice(i, "0.10")).collect(),
            watermark: Some("w1".into()),
            ..Default::default()
        },
    ]
}

struct Env {
    store: Store,
    company: CompanyId,
    connection: ConnectionId,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = ledgerbridge_store::testing::fresh_database_url(dir.path()).await;
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let company = CompanyRow {
        id: CompanyId::new(),
        name: "Acme".into(),
        description: None,
        tags: Default::default(),
        platform: String::new(),
        created: Timestamp::now(),
        last_sync: None,
    };
    let connection = ConnectionRow {
        id: ConnectionId::new(),
        company_id: company.id,
        integration_key: "mqjo".into(),
        integration_id: uuid::Uuid::new_v4(),
        source_id: uuid::Uuid::new_v4(),
        source_type: SourceType::Accounting,
        platform_name: "Sandbox".into(),
        status: ConnectionStatus::Linked,
        created: Timestamp::now(),
        last_sync: None,
        errors: Vec::new(),
        connection_info: None,
    };
    store
        .insert_company(&company, Some(&connection))
        .await
        .expect("insert");
    Env {
        store,
        company: company.id,
        connection: connection.id,
        _dir: dir,
    }
}

fn quick() -> WorkerConfig {
    WorkerConfig {
        concurrency: 2,
        lease: Duration::from_secs(30),
        poll_interval: Duration::from_millis(20),
    }
}

/// Runs a worker until `dataset` is no longer in progress, then stops it.
async fn run_until_done(env: &Env, connector: Arc<Scripted>, dataset: uuid::Uuid) -> DatasetRow {
    let (stop, stopped) = watch::channel(false);
    let worker = Worker::new(
        env.store.clone(),
        Connectors::default().with(connector),
        SecretBox::new(&[7; 32]),
        quick(),
    );
    let handle = tokio::spawn(worker.run(stopped));
    let mut row = None;
    // Generous: a failing sync backs off for up to about 12 s (jittered) before giving up.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        let current = env
            .store
            .get_dataset(env.company, dataset)
            .await
            .expect("get")
            .expect("exists");
        if !current.status.is_in_progress() {
            row = Some(current);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).expect("stop");
    handle.await.expect("worker");
    row.expect("dataset finished in time")
}

async fn queue(env: &Env) -> uuid::Uuid {
    let d = DatasetRow::queued(env.company, env.connection, DataType::Invoices);
    env.store.queue_dataset(&d).await.expect("queue");
    d.id
}

#[tokio::test]
async fn syncs_pages_completes_and_resumes_from_the_watermark() {
    let env = env().await;
    let connector = Scripted::new(pages(), vec![]);
    let first = queue(&env).await;
    let done = run_until_done(&env, connector.clone(), first).await;
    assert_eq!(done.status, DatasetStatus::Complete, "{done:?}");
    assert_eq!(done.progress, 100);
    assert!(done.completed.is_some() && done.error_message.is_none());

    let page = env
        .store
        .list_records(
            RecordScope::Company(env.company),
            DataType::Invoices,
            &ListRequest::default(),
        )
        .await
        .expect("list");
    assert_eq!(page.total, 5);
    assert!(
        page.results
            .iter()
            .any(|d| d.contains("\"totalAmount\":0.10")),
        "money keeps its digits"
    );

    let status = env.store.data_status(env.company).await.expect("status");
    assert_eq!(status[0].last_success.map(|(id, _)| id), Some(first));
    let conn = env
        .store
        .get_connection(env.company, env.connection)
        .await
        .expect("conn")
        .expect("exists");
    assert!(conn.last_sync.is_some());

    let second = queue(&env).await;
    let done = run_until_done(&env, connector.clone(), second).await;
    assert_eq!(done.status, DatasetStatus::Complete);
    assert_eq!(connector.seen_since(), vec![None, Some("w1".to_string())]);
}

/// Whether each of `inv-0` .. `inv-4` is marked deleted.
async fn deleted_flags(env: &Env) -> Vec<bool> {
    let mut flags = Vec::new();
    for i in 0..5 {
        let doc = env
            .store
            .get_record(
                RecordScope::Connection(env.connection),
                DataType::Invoices,
                &format!("inv-{i}"),
            )
            .await
            .expect("get")
            .expect("stored");
        let doc: serde_json::Value = serde_json::from_str(&doc).expect("json");
        flags.push(doc["metadata"]["isDeleted"] == true);
    }
    flags
}

#[tokio::test]
async fn a_complete_snapshot_marks_what_it_did_not_return_deleted() {
    let env = env().await;
    let first = queue(&env).await;
    let done = run_until_done(&env, Scripted::new(pages(), vec![]), first).await;
    assert_eq!(done.status, DatasetStatus::Complete, "{done:?}");

    // Fewer records, but not a snapshot (an incremental read): nothing is deleted.
    let partial = vec![FetchPage {
        records: vec![invoice(0, "10.50")],
        watermark: Some("w2".into()),
        ..Default::default()
    }];
    let second = queue(&env).await;
    let done = run_until_done(&env, Scripted::new(partial, vec![]), second).await;
    assert_eq!(done.status, DatasetStatus::Complete, "{done:?}");
    assert_eq!(deleted_flags(&env).await, vec![false; 5]);

    // A change read whose answer continues as a full read: only the full read's pages
    // (inv-0, inv-1 and inv-3, one unmappable) count as the snapshot.
    let snapshot = vec![
        FetchPage {
            records: vec![invoice(4, "10.50")],
            ..Default::default()
        },
        FetchPage {
            records: vec![invoice(0, "10.50"), invoice(1, "10.50")],
            complete_snapshot: true,
            ..Default::default()
        },
        FetchPage {
            unmappable: vec![("inv-3".into(), "no date".into())],
            watermark: Some("w3".into()),
            complete_snapshot: true,
            ..Default::default()
        },
    ];
    let third = queue(&env).await;
    let done = run_until_done(&env, Scripted::new(snapshot, vec![]), third).await;
    assert_eq!(done.status, DatasetStatus::Complete, "{done:?}");
    assert_eq!(
        deleted_flags(&env).await,
        vec![false, false, true, false, true]
    );
}

#[tokio::test]
async fn transient_faults_are_retried_then_fail() {
    let env = env().await;
    let flaky = Scripted::new(
        pages(),
        vec![
            ConnectorError::Transient("503".into()),
            ConnectorError::Transient("timeout".into()),
        ],
    );
    let id = queue(&env).await;
    assert_eq!(
        run_until_done(&env, flaky, id).await.status,
        DatasetStatus::Complete
    );

    let broken = Scripted::new(
        pages(),
        (0..10)
            .map(|_| ConnectorError::Transient("503".into()))
            .collect(),
    );
    let id = queue(&env).await;
    let done = run_until_done(&env, broken, id).await;
    assert_eq!(done.status, DatasetStatus::FetchError);
    assert!(done.error_message.expect("message").contains("503"));
}

#[tokio::test]
async fn revoked_grant_deauthorizes_and_keeps_old_data() {
    let env = env().await;
    let id = queue(&env).await;
    assert_eq!(
        run_until_done(&env, Scripted::new(pages(), vec![]), id)
            .await
            .status,
        DatasetStatus::Complete
    );

    let revoked = Scripted::new(
        pages(),
        vec![ConnectorError::AuthRevoked("invalid_grant".into())],
    );
    let id = queue(&env).await;
    let done = run_until_done(&env, revoked, id).await;
    assert_eq!(done.status, DatasetStatus::AuthError);
    let conn = env
        .store
        .get_connection(env.company, env.connection)
        .await
        .expect("conn")
        .expect("exists");
    assert_eq!(conn.status, ConnectionStatus::Deauthorized);
    assert_eq!(conn.errors.len(), 1);
    assert_eq!(conn.errors[0].status_code, "401");
    assert!(conn.errors[0].error_message.contains("invalid_grant"));
    let page = env
        .store
        .list_records(
            RecordScope::Company(env.company),
            DataType::Invoices,
            &ListRequest::default(),
        )
        .await
        .expect("list");
    assert_eq!(page.total, 5, "cached data stays readable");
}

#[tokio::test]
async fn spent_rate_budget_and_unsupported_types_end_in_their_status() {
    let env = env().await;
    let limited = Scripted::new(
        pages(),
        vec![ConnectorError::RateLimited {
            retry_after: Duration::from_secs(3600),
            daily_budget_spent: true,
        }],
    );
    let id = queue(&env).await;
    assert_eq!(
        run_until_done(&env, limited, id).await.status,
        DatasetStatus::RateLimitError
    );
    let unsupported = Scripted::new(pages(), vec![ConnectorError::NotSupported]);
    let id = queue(&env).await;
    assert_eq!(
        run_until_done(&env, unsupported, id).await.status,
        DatasetStatus::NotSupported
    );
}

#[tokio::test]
async fn expired_leases_are_reclaimed_and_live_ones_respected() {
    let env = env().await;
    let id = queue(&env).await;
    // A worker that died holding the dataset: its lease has expired.
    let past = Timestamp::from_datetime(chrono::Utc::now() - chrono::Duration::seconds(5));
    let claimed = env
        .store
        .claim_datasets("dead-worker", past, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        run_until_done(&env, Scripted::new(pages(), vec![]), id)
            .await
            .status,
        DatasetStatus::Complete
    );

    // A live lease is not taken by anyone else, and its holder's shutdown hands it back.
    let id = queue(&env).await;
    let future = Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::seconds(600));
    assert_eq!(
        env.store
            .claim_datasets("busy-worker", future, 10)
            .await
            .expect("claim")
            .len(),
        1
    );
    assert!(
        env.store
            .claim_datasets("other", future, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    assert_eq!(
        env.store
            .release_datasets("busy-worker")
            .await
            .expect("release"),
        1
    );
    assert_eq!(
        run_until_done(&env, Scripted::new(pages(), vec![]), id)
            .await
            .status,
        DatasetStatus::Complete
    );
}

#[tokio::test]
async fn scheduler_queues_what_is_due_and_moves_it_on() {
    use ledgerbridge_domain::platform::{CompanySyncSettings, SyncSetting};
    use ledgerbridge_sync::scheduler::tick;

    let env = env().await;
    let now = Timestamp::now();
    let hours = |h: i64| Timestamp::from_datetime(now.as_datetime() + chrono::Duration::hours(h));
    env.store
        .schedule_sync(env.company, env.connection, DataType::Invoices, hours(-1))
        .await
        .expect("schedule");
    env.store
        .schedule_sync(env.company, env.connection, DataType::Bills, hours(5))
        .await
        .expect("schedule");

    let stats = tick(&env.store, now).await.expect("tick");
    assert_eq!((stats.queued, stats.skipped, stats.dropped), (1, 0, 0));
    let queued = env
        .store
        .dataset_in_progress(env.connection, DataType::Invoices)
        .await
        .expect("running");
    assert!(queued.is_some());
    assert_eq!(
        tick(&env.store, now).await.expect("tick").queued,
        0,
        "the next slot is a day later"
    );

    // A day later the invoices sync is still running: skipped, not doubled; bills are due.
    let stats = tick(&env.store, hours(25)).await.expect("tick");
    assert_eq!((stats.queued, stats.skipped), (1, 1));

    // Settings that stop scheduling invoices drop the entry.
    let own = CompanySyncSettings {
        company_id: env.company,
        settings: vec![SyncSetting {
            sync_schedule: 0,
            ..SyncSetting::default_for(DataType::Invoices, 0)
        }],
        overrides_defaults: true,
    };
    env.store
        .put_company_sync_settings(env.company, &own)
        .await
        .expect("settings");
    let stats = tick(&env.store, hours(50)).await.expect("tick");
    assert_eq!(
        stats.dropped, 2,
        "invoices unscheduled, and bills are not in the company's settings"
    );
    assert!(
        env.store
            .due_syncs(hours(1000), 10)
            .await
            .expect("due")
            .is_empty()
    );
}

#[tokio::test]
async fn fetch_requests_carry_the_sync_settings() {
    use ledgerbridge_domain::platform::{CompanySyncSettings, SyncSetting};

    let env = env().await;
    let from = Timestamp::from_datetime(
        chrono::DateTime::parse_from_rfc3339("2023-04-01T00:00:00Z")
            .expect("date")
            .with_timezone(&chrono::Utc),
    );
    let own = CompanySyncSettings {
        company_id: env.company,
        settings: vec![
            SyncSetting {
                sync_from_utc: Some(from),
                ..SyncSetting::default_for(DataType::Invoices, 0)
            },
            SyncSetting {
                sync_from_window: Some(6),
                ..SyncSetting::default_for(DataType::Bills, 1)
            },
            SyncSetting {
                months_to_sync: Some(12),
                ..SyncSetting::default_for(DataType::BalanceSheet, 2)
            },
        ],
        overrides_defaults: true,
    };
    env.store
        .put_company_sync_settings(env.company, &own)
        .await
        .expect("settings");
    let connector = Scripted::new(pages(), vec![]);
    let mut last = None;
    for data_type in [DataType::Invoices, DataType::Bills, DataType::BalanceSheet] {
        let d = DatasetRow::queued(env.company, env.connection, data_type);
        env.store.queue_dataset(&d).await.expect("queue");
        last = Some(d.id);
    }
    let done = run_until_done(&env, connector.clone(), last.expect("queued")).await;
    assert_eq!(done.status, DatasetStatus::Complete);
    let seen = connector.seen.lock().expect("lock").clone();
    assert_eq!(
        seen.iter().map(|r| r.data_type).collect::<Vec<_>>(),
        vec![DataType::Invoices, DataType::Bills, DataType::BalanceSheet],
        "one connection's datasets run one at a time, in the order queued"
    );
    assert_eq!(seen[0].sync_from, Some(from));
    assert_eq!(seen[0].months_to_sync, None);
    let window = seen[1].sync_from.expect("syncFromWindow gives a start");
    let expected = chrono::Utc::now() - chrono::Months::new(6);
    assert!(
        (window.as_datetime() - expected).num_hours().abs() < 24,
        "{window:?} is six months back"
    );
    assert_eq!(seen[2].months_to_sync, Some(12));
    assert_eq!(seen[2].sync_from, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connection_is_held_by_one_worker_at_a_time() {
    let env = env().await;
    let mut ids = Vec::new();
    for data_type in [
        DataType::ChartOfAccounts,
        DataType::Customers,
        DataType::Invoices,
    ] {
        let d = DatasetRow::queued(env.company, env.connection, data_type);
        env.store.queue_dataset(&d).await.expect("queue");
        ids.push(d.id);
    }
    let live = Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::seconds(600));
    // Many workers claim at once: one gets the connection, and only its first dataset.
    let claims = futures_join(
        (0..8)
            .map(|i| {
                let store = env.store.clone();
                async move {
                    store
                        .claim_datasets(&format!("w{i}"), live, 10)
                        .await
                        .expect("claim")
                }
            })
            .collect(),
    )
    .await;
    let won: Vec<(usize, &DatasetRow)> = claims
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.iter().map(move |d| (i, d)))
        .collect();
    assert_eq!(won.len(), 1, "{won:?}");
    let (holder, first) = won[0];
    assert_eq!(first.id, ids[0]);
    let holder = format!("w{holder}");

    // Its dataset ends; the connection stays its own until the lease expires, so the next
    // dataset goes to it, not to another worker.
    assert!(
        env.store
            .finish_dataset(ids[0], &holder, DatasetStatus::Complete, None, None)
            .await
            .expect("finish")
    );
    assert!(
        env.store
            .claim_datasets("other", live, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    let next = env
        .store
        .claim_datasets(&holder, live, 10)
        .await
        .expect("claim");
    assert_eq!(next.iter().map(|d| d.id).collect::<Vec<_>>(), vec![ids[1]]);

    // The holder dies: once its leases expire, another worker takes the connection over and
    // resumes the dataset it was running.
    let past = Timestamp::from_datetime(chrono::Utc::now() - chrono::Duration::seconds(1));
    assert!(
        env.store
            .renew_dataset(ids[1], &holder, past, DatasetStatus::Fetching, 40, None)
            .await
            .expect("renew")
    );
    let taken = env
        .store
        .claim_datasets("other", live, 10)
        .await
        .expect("claim");
    assert_eq!(taken.iter().map(|d| d.id).collect::<Vec<_>>(), vec![ids[1]]);
    assert!(
        !env.store
            .renew_dataset(ids[1], &holder, live, DatasetStatus::Fetching, 50, None)
            .await
            .expect("renew"),
        "the dead holder's lease is gone"
    );
}

/// Runs the futures concurrently on the runtime and collects their results in order.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn an_idle_worker_wakes_when_its_process_queues_work() {
    let env = env().await;
    let (stop, stopped) = watch::channel(false);
    let worker = Worker::new(
        env.store.clone(),
        Connectors::default().with(Scripted::new(pages(), vec![])),
        SecretBox::new(&[7; 32]),
        WorkerConfig {
            // Longer than the test's deadline: only the wake-up can run the dataset.
            poll_interval: Duration::from_secs(3600),
            ..quick()
        },
    );
    let handle = tokio::spawn(worker.run(stopped));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let id = queue(&env).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let d = env
            .store
            .get_dataset(env.company, id)
            .await
            .expect("get")
            .expect("exists");
        if d.status == DatasetStatus::Complete {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never woke: {d:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).expect("stop");
    handle.await.expect("worker");
}
