//! The store's contract for webhooks: consumers, events written with the change that caused
//! them, fan-out, leases, attempts, replay and `read.completed` batching. On SQLite and (when
//! `LEDGERBRIDGE_TEST_POSTGRES_URL` is set) on PostgreSQL, each test on a fresh database.

use std::collections::BTreeMap;

use ledgerbridge_domain::platform::{
    ConnectionStatus, DataConnectionError, DatasetStatus, SourceType,
};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};
use ledgerbridge_store::companies::CompanyRow;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_store::crypto::SecretBox;
use ledgerbridge_store::datasets::DatasetRow;
use ledgerbridge_store::outbox::{AttemptOutcome, Replay};
use ledgerbridge_store::webhooks::WebhookConsumerRow;
use ledgerbridge_store::{Store, StoreError};

struct Fresh {
    store: Store,
    secrets: SecretBox,
    _dir: tempfile::TempDir,
}

async fn fresh() -> Fresh {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = ledgerbridge_store::testing::fresh_database_url(dir.path()).await;
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    Fresh {
        store,
        secrets: SecretBox::new(&SecretBox::generate_key()),
        _dir: dir,
    }
}

fn company(tags: &[(&str, &str)]) -> CompanyRow {
    CompanyRow {
        id: CompanyId::new(),
        name: "Acme".into(),
        description: Some("d".into()),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
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
        connection_info: None,
    }
}

async fn consumer(f: &Fresh, types: &[&str], tags: Option<&[&str]>) -> uuid::Uuid {
    let row = WebhookConsumerRow {
        id: uuid::Uuid::now_v7(),
        url: "http://127.0.0.1:9/hook".into(),
        disabled: false,
        event_types: types.iter().map(|t| t.to_string()).collect(),
        company_tags: tags.map(|t| t.iter().map(|s| s.to_string()).collect()),
        created: Timestamp::now(),
        failing_since: None,
    };
    f.store
        .insert_webhook_consumer(&row, "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", &f.secrets)
        .await
        .expect("insert consumer");
    row.id
}

async fn types_of(s: &Store, consumer: uuid::Uuid) -> Vec<String> {
    s.list_messages(consumer)
        .await
        .expect("messages")
        .into_iter()
        .map(|m| m.event_type)
        .collect()
}

fn later(secs: i64) -> Timestamp {
    Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::seconds(secs))
}

#[tokio::test]
async fn consumers_round_trip_with_sealed_secrets_and_a_cap() {
    let f = fresh().await;
    let s = &f.store;
    let id = consumer(&f, &["company.created"], Some(&["region:uk"])).await;
    let got = s
        .get_webhook_consumer(id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(got.event_types, vec!["company.created"]);
    assert_eq!(got.company_tags, Some(vec!["region:uk".to_string()]));
    assert!(!got.disabled);
    let secret = s
        .webhook_consumer_secret(id, &f.secrets)
        .await
        .expect("secret")
        .expect("present");
    assert_eq!(secret, "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
    // Another key cannot open it.
    let other = SecretBox::new(&SecretBox::generate_key());
    assert!(s.webhook_consumer_secret(id, &other).await.is_err());
    for _ in 1..50 {
        consumer(&f, &["company.created"], None).await;
    }
    assert_eq!(s.list_webhook_consumers().await.expect("list").len(), 50);
    let row = WebhookConsumerRow {
        id: uuid::Uuid::now_v7(),
        url: "http://x".into(),
        disabled: false,
        event_types: vec!["company.created".into()],
        company_tags: None,
        created: Timestamp::now(),
        failing_since: None,
    };
    assert!(matches!(
        s.insert_webhook_consumer(&row, "whsec_eA==", &f.secrets)
            .await,
        Err(StoreError::LimitReached(_))
    ));
    assert!(s.delete_webhook_consumer(id).await.expect("delete"));
    assert!(!s.delete_webhook_consumer(id).await.expect("delete again"));
}

#[tokio::test]
async fn events_fan_out_by_type_tag_and_enabled() {
    let f = fresh().await;
    let s = &f.store;
    let all = consumer(
        &f,
        &[
            "company.created",
            "company.deleted",
            "connection.created",
            "connection.connected",
            "connection.disconnected",
            "connection.reconnected",
            "connection.deleted",
            "connection.failed",
        ],
        None,
    )
    .await;
    let uk = consumer(&f, &["company.created"], Some(&["region:uk", "tier:gold"])).await;
    let us = consumer(&f, &["company.created"], Some(&["region:us"])).await;
    let c = company(&[("region", "uk")]);
    let conn = connection(c.id);
    s.insert_company(&c, Some(&conn)).await.expect("insert");
    assert_eq!(
        types_of(s, all).await,
        ["company.created", "connection.created"]
    );
    assert_eq!(types_of(s, uk).await, ["company.created"]);
    assert!(types_of(s, us).await.is_empty());

    let error = DataConnectionError::active("403", "User cancelled linking", "User cancelled");
    assert!(
        s.record_link_failure(c.id, conn.id, &error)
            .await
            .expect("fail")
    );
    let linked = |from: &'static [ConnectionStatus]| {
        s.transition_connection(c.id, conn.id, from, ConnectionStatus::Linked)
    };
    linked(&[ConnectionStatus::PendingAuth])
        .await
        .expect("link");
    // A transition that does not happen raises nothing.
    linked(&[ConnectionStatus::PendingAuth])
        .await
        .expect("no-op");
    assert!(
        s.deauthorize_connection(c.id, conn.id, &error)
            .await
            .expect("revoke")
    );
    linked(&[ConnectionStatus::Deauthorized])
        .await
        .expect("relink");
    assert!(s.delete_company(c.id).await.expect("delete"));
    assert_eq!(
        types_of(s, all).await,
        [
            "company.created",
            "connection.created",
            "connection.failed",
            "connection.connected",
            "connection.disconnected",
            "connection.reconnected",
            "connection.deleted",
            "company.deleted"
        ]
    );
    // A consumer created now gets nothing old; a disabled one gets nothing new.
    let late = consumer(&f, &["company.created"], None).await;
    assert!(types_of(s, late).await.is_empty());
}

#[tokio::test]
async fn claims_are_exclusive_per_consumer_and_attempts_follow_the_outcome() {
    let f = fresh().await;
    let s = &f.store;
    let a = consumer(&f, &["company.created"], None).await;
    for _ in 0..3 {
        s.insert_company(&company(&[]), None).await.expect("insert");
    }
    let now = Timestamp::now();
    let first = s
        .claim_messages("one", now, later(60), 2, 100)
        .await
        .expect("claim");
    assert_eq!(first.len(), 2, "at most per_consumer of a consumer");
    assert!(first[0].seq < first[1].seq);
    // The consumer has live leases: nobody else gets its third message yet.
    let second = s
        .claim_messages("two", now, later(60), 2, 100)
        .await
        .expect("claim");
    assert!(second.is_empty(), "{second:?}");
    let outcome = |seq: i64, delivered: bool, next: Option<Timestamp>| AttemptOutcome {
        seq,
        consumer_id: a.to_string(),
        attempted: now,
        status_code: Some(if delivered { 200 } else { 503 }),
        duration_ms: 3,
        error: (!delivered).then(|| "The endpoint answered 503.".to_string()),
        delivered,
        next_attempt_at: next,
    };
    // Outcomes recorded under someone else's name are dropped.
    s.record_attempts("two", &[outcome(first[0].seq, true, None)], later(-3600))
        .await
        .expect("record");
    let disabled = s
        .record_attempts(
            "one",
            &[
                outcome(first[0].seq, true, None),
                outcome(first[1].seq, false, Some(later(300))),
            ],
            later(-5 * 86400),
        )
        .await
        .expect("record");
    assert!(disabled.is_empty());
    let msgs = s.list_messages(a).await.expect("messages");
    assert_eq!(
        msgs.iter()
            .map(|m| (m.status.as_str(), m.attempts, m.leased))
            .collect::<Vec<_>>(),
        [
            ("Delivered", 1, false),
            ("Pending", 1, false),
            ("Pending", 0, false)
        ]
    );
    let (attempts, total) = s.list_delivery_attempts(a, 1, 10).await.expect("attempts");
    assert_eq!(total, 2);
    assert_eq!(attempts.len(), 2);
    // Now the third is due, the second waits for its retry.
    let third = s
        .claim_messages("two", now, later(60), 5, 100)
        .await
        .expect("claim");
    assert_eq!(
        third.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [msgs[2].seq]
    );
    assert_eq!(s.release_messages("two").await.expect("release"), 1);
    // Replay resends a delivered message from the start of the schedule.
    let n = s
        .replay_messages(a, &Replay::Events(vec![msgs[0].event_id.clone()]), now)
        .await
        .expect("replay");
    assert_eq!(n, 1);
    let n = s
        .replay_messages(
            a,
            &Replay::Range {
                from: later(-3600),
                to: later(3600),
            },
            now,
        )
        .await
        .expect("replay range");
    assert_eq!(n, 3);
    assert!(
        s.list_messages(a)
            .await
            .expect("messages")
            .iter()
            .all(|m| m.status == "Pending" && m.attempts == 0)
    );
}

#[tokio::test]
async fn a_consumer_failing_for_five_days_is_disabled() {
    let f = fresh().await;
    let s = &f.store;
    let a = consumer(&f, &["company.created"], None).await;
    s.insert_company(&company(&[]), None).await.expect("insert");
    let t0 = Timestamp::now();
    let m = s
        .claim_messages("d", t0, later(60), 5, 5)
        .await
        .expect("claim");
    let fail = |seq: i64, at: Timestamp| AttemptOutcome {
        seq,
        consumer_id: a.to_string(),
        attempted: at,
        status_code: None,
        duration_ms: 1,
        error: Some("Could not connect".into()),
        delivered: false,
        next_attempt_at: None,
    };
    let cutoff =
        |at: Timestamp| Timestamp::from_datetime(at.as_datetime() - chrono::Duration::days(5));
    let off = s
        .record_attempts("d", &[fail(m[0].seq, t0)], cutoff(t0))
        .await
        .expect("record");
    assert!(off.is_empty());
    assert_eq!(s.list_messages(a).await.expect("m")[0].status, "Failed");
    s.insert_company(&company(&[]), None).await.expect("insert");
    let t5 = Timestamp::from_datetime(t0.as_datetime() + chrono::Duration::days(5));
    let m = s
        .claim_messages("d", t5, later(60), 5, 5)
        .await
        .expect("claim");
    let off = s
        .record_attempts("d", &[fail(m[0].seq, t5)], cutoff(t5))
        .await
        .expect("record");
    assert_eq!(off, vec![a.to_string()]);
    assert!(
        s.get_webhook_consumer(a)
            .await
            .expect("get")
            .expect("found")
            .disabled
    );
    s.insert_company(&company(&[]), None).await.expect("insert");
    assert_eq!(
        s.list_messages(a).await.expect("m").len(),
        2,
        "a disabled consumer gets no new messages"
    );
}

#[tokio::test]
async fn read_completed_when_the_connections_datasets_all_finished() {
    let f = fresh().await;
    let s = &f.store;
    let a = consumer(&f, &["read.completed", "read.completed.initial"], None).await;
    let c = company(&[]);
    let mut conn = connection(c.id);
    conn.status = ConnectionStatus::Linked;
    s.insert_company(&c, Some(&conn)).await.expect("insert");
    // One dataset of a connection is leased at a time: claim, finish, claim the next.
    let queue = |t: DataType| async move {
        s.queue_dataset(&DatasetRow::queued(c.id, conn.id, t))
            .await
            .expect("queue");
    };
    let next = || async {
        let got = s.claim_datasets("w", later(60), 10).await.expect("claim");
        assert_eq!(got.len(), 1, "one dataset to claim");
        got[0].id
    };
    queue(DataType::Invoices).await;
    queue(DataType::Customers).await;
    let first = next().await;
    assert!(
        s.finish_dataset(first, "w", DatasetStatus::Complete, None, None)
            .await
            .expect("finish")
    );
    assert!(
        types_of(s, a).await.is_empty(),
        "one of the read is still queued"
    );
    let second = next().await;
    assert!(
        s.finish_dataset(second, "w", DatasetStatus::FetchError, Some("x"), None)
            .await
            .expect("finish")
    );
    assert_eq!(
        types_of(s, a).await,
        ["read.completed.initial", "read.completed"]
    );
    queue(DataType::Invoices).await;
    let third = next().await;
    assert!(
        s.finish_dataset(third, "w", DatasetStatus::Complete, None, None)
            .await
            .expect("finish")
    );
    assert_eq!(
        types_of(s, a).await,
        ["read.completed.initial", "read.completed", "read.completed"]
    );
    let claimed = s
        .claim_messages("d", Timestamp::now(), later(60), 10, 10)
        .await
        .expect("claim");
    let first: serde_json::Value = serde_json::from_str(&claimed[1].payload).expect("json");
    let mut kinds: Vec<(String, String)> = first["dataTypes"]
        .as_array()
        .expect("dataTypes")
        .iter()
        .map(|d| {
            (
                d["dataType"].as_str().unwrap_or("").to_string(),
                d["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("customers".to_string(), "FetchError".to_string()),
            ("invoices".to_string(), "Complete".to_string())
        ]
    );
    assert!(first.get("modifiedFromDate").is_none());
    assert_eq!(first["referenceCompany"]["id"], c.id.to_string());
    let second: serde_json::Value = serde_json::from_str(&claimed[2].payload).expect("json");
    assert_eq!(second["dataTypes"].as_array().map(Vec::len), Some(1));
    assert!(second["modifiedFromDate"].is_string());
}

#[tokio::test]
async fn old_finished_history_is_pruned_and_pending_work_kept() {
    let f = fresh().await;
    let s = &f.store;
    let a = consumer(&f, &["company.created"], None).await;
    for _ in 0..2 {
        s.insert_company(&company(&[]), None).await.expect("insert");
    }
    // A consumer that is deleted later leaves its event without any message.
    let b = consumer(&f, &["company.deleted"], None).await;
    let gone = company(&[]);
    s.insert_company(&gone, None).await.expect("insert");
    s.delete_company(gone.id).await.expect("delete");
    assert_eq!(types_of(s, b).await, ["company.deleted"]);
    assert!(s.delete_webhook_consumer(b).await.expect("delete consumer"));
    let now = Timestamp::now();
    let claimed = s
        .claim_messages("one", now, later(60), 5, 100)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 3);
    // The first is delivered; the others wait for a retry.
    let outcomes: Vec<AttemptOutcome> = claimed
        .iter()
        .enumerate()
        .map(|(i, m)| AttemptOutcome {
            seq: m.seq,
            consumer_id: a.to_string(),
            attempted: now,
            status_code: Some(if i == 0 { 200 } else { 503 }),
            duration_ms: 1,
            error: (i != 0).then(|| "The endpoint answered 503.".to_string()),
            delivered: i == 0,
            next_attempt_at: (i != 0).then(|| later(300)),
        })
        .collect();
    s.record_attempts("one", &outcomes, now)
        .await
        .expect("record");

    // Nothing is older than an hour ago.
    assert_eq!(
        s.prune_webhook_history(later(-3600)).await.expect("prune"),
        (0, 0)
    );
    // Everything is older than a minute from now: the delivered message and its attempt go,
    // with its event and the deleted consumer's event; pending messages stay, with theirs.
    let (messages, events) = s.prune_webhook_history(later(60)).await.expect("prune");
    assert_eq!((messages, events), (1, 2));
    let left = s.list_messages(a).await.expect("messages");
    assert_eq!(
        left.iter()
            .map(|m| (m.status.as_str(), m.attempts))
            .collect::<Vec<_>>(),
        [("Pending", 1), ("Pending", 1)]
    );
    let (_, total) = s.list_delivery_attempts(a, 1, 10).await.expect("attempts");
    assert_eq!(total, 2, "the pending messages' attempts stay");
}
