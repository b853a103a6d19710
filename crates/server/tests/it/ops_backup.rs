//! `ledgerbridge backup` while the server writes, then a restore into a fresh data dir: the
//! server starts on it and every company, connection and record is there.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::Connection;

use crate::helpers::{API_KEY, TestApp};
use crate::ops_process::{Server, command};

async fn records(url: &str) -> i64 {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("db");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM records")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    n
}

#[tokio::test]
async fn a_backup_under_write_load_restores_into_a_fresh_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = command(dir.path());
    cmd.env("LEDGERBRIDGE_API_KEY", API_KEY);
    let server = Server::start(cmd, dir.path()).await;
    let db = server.database_url();
    let app = Arc::new(TestApp::attach(&server.base, &db));

    let (company, conn) = app.link_small_sandbox("Backed Up Ltd", "backup").await;
    app.wait_for_syncs(&company).await;
    let stored_records = records(&db).await;
    assert!(stored_records > 100, "{stored_records}");
    let (_, invoices) = app
        .get(&format!("/companies/{company}/data/invoices?pageSize=1"))
        .await;

    // Write load: four clients creating companies until told to stop; each remembers when
    // each of its companies was acknowledged.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (app, stop, acknowledged) = (app.clone(), stop.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let name = format!("load {w}-{i}");
                let (s, body) = app.post("/companies", json!({"name": name})).await;
                assert_eq!(s, StatusCode::OK, "{body}");
                let id = body["id"].as_str().expect("id").to_string();
                acknowledged
                    .lock()
                    .expect("lock")
                    .push((Instant::now(), id));
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let backup = dir.path().join("backup.db");
    let mut backup_cmd = command(dir.path());
    backup_cmd.arg("backup").arg(&backup);
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || backup_cmd.output())
        .await
        .expect("join")
        .expect("run backup");
    assert!(
        out.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.await.expect("writer");
    }
    let before_backup: Vec<String> = acknowledged
        .lock()
        .expect("lock")
        .iter()
        .filter(|(at, _)| *at < started)
        .map(|(_, id)| id.clone())
        .collect();
    assert!(
        before_backup.len() > 5,
        "load ran before the backup: {}",
        before_backup.len()
    );
    let during = acknowledged.lock().expect("lock").len() - before_backup.len();
    assert!(during > 0, "the server kept writing while the backup ran");
    // A second backup to the same file is refused rather than overwriting it.
    let mut again = command(dir.path());
    let out = again.arg("backup").arg(&backup).output().expect("run");
    assert!(!out.status.success());
    drop(server);

    // Restore: the backup becomes the database of a fresh data dir, with the master key.
    let fresh = tempfile::tempdir().expect("tempdir");
    let data = fresh.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::copy(&backup, data.join("ledgerbridge.db")).expect("copy backup");
    std::fs::copy(
        dir.path().join("data").join("secret.key"),
        data.join("secret.key"),
    )
    .expect("copy key");
    let mut cmd = command(fresh.path());
    cmd.env("LEDGERBRIDGE_API_KEY", API_KEY);
    let restored = Server::start(cmd, fresh.path()).await;
    let rdb = restored.database_url();
    let app = TestApp::attach(&restored.base, &rdb);

    assert_eq!(records(&rdb).await, stored_records, "every record is there");
    for id in before_backup.iter().chain([&company]) {
        let (s, body) = app.get(&format!("/companies/{id}")).await;
        assert_eq!(s, StatusCode::OK, "company {id} is in the restore: {body}");
    }
    let (s, c) = app
        .get(&format!("/companies/{company}/connections/{conn}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "Linked");
    let (_, restored_invoices) = app
        .get(&format!("/companies/{company}/data/invoices?pageSize=1"))
        .await;
    assert_eq!(restored_invoices, invoices);
    // The restored credentials open with the restored key: a new sync completes.
    let (s, body) = app
        .post(&format!("/companies/{company}/data/all"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    let status = app.wait_for_syncs(&company).await;
    for (data_type, entry) in status.as_object().expect("object") {
        assert_eq!(entry["currentStatus"], "Complete", "{data_type}: {entry}");
    }
}
