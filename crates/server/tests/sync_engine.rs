//! The sync engine as real `ledgerbridge serve` processes of this build:
//!
//! - crash safety (SQLite, role `all`): a Sandbox first sync is SIGKILLed at random points
//!   and restarted; afterwards the stored records equal the generator's truth, no dataset is
//!   stuck and `dataStatus` tells the truth;
//! - multi-node (PostgreSQL, when `LEDGERBRIDGE_TEST_POSTGRES_URL` is set): 2 `--role api`
//!   and 3 `--role worker` processes sync 200 companies; no dataset is ever run by two
//!   workers or twice, a connection's datasets run one at a time in order, all `Complete`.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use ledgerbridge_connectors::catalog;
use ledgerbridge_connectors::sandbox::SandboxConnector;
use ledgerbridge_connectors::{ConnectionContext, Connector, FetchRequest, MemoryCredentialStore};
use ledgerbridge_domain::paging::PageRequest;
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType};
use ledgerbridge_store::records::RecordScope;
use ledgerbridge_store::{ListRequest, Store};
use reqwest::Method;
use serde_json::{Value, json};

const API_KEY: &str = "test-key-processes-0123456789abcdefghij";

/// A `ledgerbridge serve` child process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `serve --role <role>` and waits for its listening line.
    fn start(data_dir: &Path, database_url: &str, role: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ledgerbridge"))
            .args(["serve", "--role", role])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("LEDGERBRIDGE_API_KEY", API_KEY)
            .env("LEDGERBRIDGE_DATA_DIR", data_dir)
            .env("LEDGERBRIDGE_DATABASE_URL", database_url)
            .env("LEDGERBRIDGE_ADDR", "127.0.0.1:0")
            .env(
                "LEDGERBRIDGE_SECRET_KEY",
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn ledgerbridge");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("ledgerbridge exited before listening")
                .expect("read stdout");
            if let Some(rest) = line.strip_prefix("ledgerbridge listening on ") {
                break rest.split_whitespace().next().expect("address").to_string();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, base }
    }

    /// SIGKILL: no shutdown, no lease handed back.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    http: reqwest::Client,
    auth: String,
}

impl Client {
    fn new() -> Self {
        Self {
            http: reqwest::Client::new(),
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(API_KEY)
            ),
        }
    }

    async fn call(&self, base: &str, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{base}{path}"))
            .header("Authorization", &self.auth);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "{path}: {status} {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("json")
        }
    }

    /// Creates a Sandbox company and links it; returns (company, connection).
    async fn linked_company(&self, base: &str, name: &str, credentials: Value) -> (String, String) {
        let company = self
            .call(
                base,
                Method::POST,
                "/companies",
                Some(json!({"name": name, "platformType": "mqjo"})),
            )
            .await;
        let id = company["id"].as_str().expect("id").to_string();
        let conn = company["dataConnections"][0]["id"]
            .as_str()
            .expect("connection")
            .to_string();
        self.call(
            base,
            Method::PUT,
            &format!("/companies/{id}/connections/{conn}/authorization"),
            Some(credentials),
        )
        .await;
        (id, conn)
    }

    async fn history(&self, base: &str, company: &str) -> Vec<Value> {
        let h = self
            .call(
                base,
                Method::GET,
                &format!("/companies/{company}/data/history?pageSize=5000"),
                None,
            )
            .await;
        h["results"].as_array().cloned().unwrap_or_default()
    }
}

fn in_progress(op: &Value) -> bool {
    matches!(
        op["status"].as_str(),
        Some("Initial" | "Queued" | "Fetching")
    )
}

/// The generator's truth for one data type of a Sandbox connection's first sync: each record
/// by id, without `modifiedDate`.
async fn truth(credentials: &Value, data_type: DataType) -> BTreeMap<String, Value> {
    let connector = SandboxConnector::new();
    let ctx = ConnectionContext {
        company_id: CompanyId::new(),
        connection_id: ConnectionId::new(),
        credentials: credentials.clone(),
        credential_store: std::sync::Arc::new(MemoryCredentialStore::default()),
    };
    let request = FetchRequest {
        data_type,
        since: None,
        sync_from: None,
        months_to_sync: None,
    };
    let mut out = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = connector
            .fetch_page(&ctx, &request, cursor.as_deref())
            .await
            .expect("truth page");
        for r in page.records {
            let mut doc: Value = serde_json::from_str(&r.doc).expect("record json");
            if let Some(m) = doc.as_object_mut() {
                m.remove("modifiedDate");
            }
            assert!(
                out.insert(r.id, doc).is_none(),
                "the generator repeated an id"
            );
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

/// Every stored record of a type on a connection, by id, without `modifiedDate`; panics on a
/// duplicate id.
async fn stored(
    store: &Store,
    connection: ConnectionId,
    data_type: DataType,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut page = 1;
    loop {
        let req = ListRequest {
            filter: None,
            order: None,
            tags: None,
            page: PageRequest {
                page,
                page_size: 5000,
            },
        };
        let got = store
            .list_records(RecordScope::Connection(connection), data_type, &req)
            .await
            .expect("list records");
        let n = got.results.len();
        for text in got.results {
            let mut doc: Value = serde_json::from_str(&text).expect("stored json");
            let m = doc.as_object_mut().expect("object");
            assert!(
                m.remove("modifiedDate").is_some(),
                "modifiedDate is stamped"
            );
            let id = m
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    // Statements and company info: compare by position instead.
                    Some(format!("#{}", out.len()))
                })
                .expect("id");
            assert!(
                out.insert(id.clone(), doc).is_none(),
                "duplicate record {id}"
            );
        }
        if n < 5000 {
            assert_eq!(
                out.len() as u64,
                got.total,
                "totalResults counts each record once"
            );
            return out;
        }
        page += 1;
    }
}

/// Kills the server at random points of a Sandbox first sync, `LEDGERBRIDGE_CRASH_KILLS`
/// times (default 20), on `medium` books (`LEDGERBRIDGE_CRASH_SIZE=large` for a local run:
/// `large` takes minutes per pass in a debug build, too long for CI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_loses_and_duplicates_nothing() {
    if std::env::var("LEDGERBRIDGE_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        // One process serves a SQLite database; the PostgreSQL pass runs the multi-node test.
        return;
    }
    let kills: u32 = std::env::var("LEDGERBRIDGE_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let size = std::env::var("LEDGERBRIDGE_CRASH_SIZE").unwrap_or_else(|_| "medium".into());
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("ledgerbridge.db").display());
    let client = Client::new();
    let credentials = json!({"dataset": size, "seed": "crash"});

    let mut server = Server::start(dir.path(), &url, "all");
    let (company, connection) = client
        .linked_company(&server.base, "Crash test", credentials.clone())
        .await;
    let mut mid_sync = 0;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    eprintln!("kill points seed: {seed}");
    let mut rng = seed;
    for _ in 0..kills {
        // A random point: 0.1 to 4 s after the (re)start (xorshift).
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let polls = 1 + rng % 40;
        let mut running = false;
        for _ in 0..polls {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let history = client.history(&server.base, &company).await;
        running |= history.iter().any(in_progress);
        server.kill();
        if running {
            mid_sync += 1;
        }
        server = Server::start(dir.path(), &url, "all");
    }
    eprintln!("{mid_sync} of {kills} kills landed while a dataset was running");
    assert!(
        kills == 0 || mid_sync > 0,
        "no kill landed mid-sync: the test proved nothing"
    );

    let deadline = Instant::now() + Duration::from_secs(900);
    let history = loop {
        let history = client.history(&server.base, &company).await;
        if !history.is_empty() && !history.iter().any(in_progress) {
            break history;
        }
        assert!(
            Instant::now() < deadline,
            "syncs did not finish: {history:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for op in &history {
        assert_eq!(op["status"], "Complete", "{op}");
    }
    let status = client
        .call(
            &server.base,
            Method::GET,
            &format!("/companies/{company}/dataStatus"),
            None,
        )
        .await;
    let status = status.as_object().expect("dataStatus");
    let platform = catalog::platform("mqjo").expect("sandbox");
    assert_eq!(status.len(), platform.data_types.len(), "{status:?}");
    for (key, s) in status {
        assert_eq!(s["currentStatus"], "Complete", "{key}: {s}");
        assert!(s["lastSuccessfulSync"].is_string(), "{key}: {s}");
        assert_eq!(s["latestSyncId"], s["latestSuccessfulSyncId"], "{key}: {s}");
    }
    server.kill();

    let store = Store::connect(&url).await.expect("store");
    let connection: ConnectionId = connection.parse().expect("connection id");
    let mut total = 0;
    for &data_type in platform.data_types {
        let want = truth(&credentials, data_type).await;
        let got = stored(&store, connection, data_type).await;
        assert_eq!(got.len(), want.len(), "{data_type}: record count");
        if want.keys().all(|k| got.contains_key(k)) {
            for (id, doc) in &want {
                assert_eq!(&got[id], doc, "{data_type} {id}");
            }
        } else {
            // Records without an id (statements): the same documents.
            let mut a: Vec<&Value> = got.values().collect();
            let mut b: Vec<&Value> = want.values().collect();
            let key = |v: &&Value| v.to_string();
            a.sort_by_key(key);
            b.sort_by_key(key);
            assert_eq!(a, b, "{data_type}");
        }
        total += got.len();
    }
    assert!(total > 1000, "{total} records");
    store.close().await;
}

/// 2 API and 3 worker processes on one PostgreSQL database sync 200 Sandbox companies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_worker_nodes_on_postgres_run_each_dataset_once() {
    let Some(_) = std::env::var("LEDGERBRIDGE_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        eprintln!(
            "LEDGERBRIDGE_TEST_POSTGRES_URL is not set: the multi-node test needs PostgreSQL"
        );
        return;
    };
    let companies: usize = std::env::var("LEDGERBRIDGE_MULTINODE_COMPANIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().expect("tempdir");
    let url = ledgerbridge_store::testing::fresh_database_url(dir.path()).await;
    let store = Store::connect(&url).await.expect("store");
    store.migrate().await.expect("migrate");

    let apis: Vec<Server> = (0..2)
        .map(|i| Server::start(&dir.path().join(format!("api{i}")), &url, "api"))
        .collect();
    let workers: Vec<Server> = (0..3)
        .map(|i| Server::start(&dir.path().join(format!("worker{i}")), &url, "worker"))
        .collect();
    let client = Client::new();
    // Three data types per company keep the run short; their order is the sync order.
    let order = ["chartOfAccounts", "customers", "invoices"];
    client
        .call(
            &apis[0].base,
            Method::POST,
            "/profile/syncSettings",
            Some(json!({"clientId": "c", "overridesDefaults": true, "settings": order
                .iter()
                .enumerate()
                .map(|(i, t)| json!({"dataType": t, "fetchOnFirstLink": true, "syncSchedule": 24, "syncOrder": i}))
                .collect::<Vec<_>>()})),
        )
        .await;
    let mut ids = Vec::new();
    for i in 0..companies {
        let api = &apis[i % apis.len()].base;
        let (company, _) = client
            .linked_company(
                api,
                &format!("Node test {i}"),
                json!({"dataset": "small", "seed": format!("node-{i}")}),
            )
            .await;
        ids.push(company);
    }
    // A second request for every company on the other API node while the first may still be
    // running: a type in progress is left alone, never run twice at once.
    for (i, company) in ids.iter().enumerate() {
        let api = &apis[(i + 1) % apis.len()].base;
        client
            .call(
                api,
                Method::POST,
                &format!("/companies/{company}/data/all"),
                None,
            )
            .await;
    }

    let deadline = Instant::now() + Duration::from_secs(900);
    for (i, company) in ids.iter().enumerate() {
        loop {
            let history = client.history(&apis[i % apis.len()].base, company).await;
            if !history.is_empty() && !history.iter().any(in_progress) {
                for op in &history {
                    assert_eq!(op["status"], "Complete", "{op}");
                }
                break;
            }
            assert!(
                Instant::now() < deadline,
                "syncs did not finish: {history:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    drop(workers);
    drop(apis);

    // Straight from the database: each dataset was claimed once, and on each connection one
    // ran after another, in the order they were queued.
    let rows: Vec<DatasetAudit> = sqlx::query_as(
        "SELECT connection_id, id, status, attempts, claimed, completed FROM datasets \
             ORDER BY connection_id, run_at, id",
    )
    .fetch_all(&pg_pool(&url).await)
    .await
    .expect("datasets");
    assert!(
        rows.len() >= companies * order.len(),
        "{} datasets",
        rows.len()
    );
    let mut by_connection: HashMap<&str, Vec<_>> = HashMap::new();
    for r in &rows {
        assert_eq!(r.2, "Complete", "{r:?}");
        assert_eq!(r.3, 1, "dataset claimed more than once: {r:?}");
        by_connection.entry(r.0.as_str()).or_default().push(r);
    }
    assert_eq!(by_connection.len(), companies);
    for runs in by_connection.values() {
        for pair in runs.windows(2) {
            let (before, after) = (pair[0], pair[1]);
            let (Some(done), Some(started)) = (&before.5, &after.4) else {
                panic!("dataset without times: {before:?} {after:?}");
            };
            assert!(
                started >= done,
                "two datasets of one connection overlapped: {before:?} {after:?}"
            );
        }
    }
    store.close().await;
}

/// A dataset row as the multi-node test audits it: connection, id, status, attempts,
/// claimed, completed.
type DatasetAudit = (String, String, String, i64, Option<String>, Option<String>);

async fn pg_pool(url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("postgres")
}

#[path = "../../sync/tests/support/scripted.rs"]
mod scripted;

/// A server in this process whose sync worker runs `connector` as the Sandbox platform.
async fn scripted_app(
    dir: &Path,
    connector: std::sync::Arc<scripted::Scripted>,
) -> (String, ledgerbridge_store::Store) {
    let url = ledgerbridge_store::testing::fresh_database_url(dir).await;
    let file = dir.join("ledgerbridge.toml");
    std::fs::write(
        &file,
        format!(
            "api_key = \"{API_KEY}\"\nworker_concurrency = 2\nsecret_key = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n"
        ),
    )
    .expect("config file");
    let overrides = ledgerbridge::config::Overrides {
        config: Some(file),
        addr: Some("127.0.0.1:0".into()),
        data_dir: Some(dir.to_path_buf()),
        database_url: Some(url.clone()),
    };
    let config =
        ledgerbridge::Config::load(&overrides, Some(ledgerbridge::Role::All)).expect("config");
    let app = ledgerbridge::Application::build_with(
        config,
        ledgerbridge::Seams {
            connectors: ledgerbridge_sync::Connectors::default().with(connector),
            ..Default::default()
        },
    )
    .await
    .expect("app");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let store = Store::connect(&url).await.expect("store");
    (base, store)
}

/// Queues invoices over HTTP and waits for the dataset to end; returns it.
async fn sync_invoices(client: &Client, base: &str, company: &str) -> Value {
    let op = client
        .call(
            base,
            Method::POST,
            &format!("/companies/{company}/data/queue/invoices"),
            None,
        )
        .await;
    let id = op["id"].as_str().expect("dataset id").to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let op = client
            .call(
                base,
                Method::GET,
                &format!("/companies/{company}/data/history/{id}"),
                None,
            )
            .await;
        if !in_progress(&op) {
            return op;
        }
        assert!(Instant::now() < deadline, "dataset did not end: {op}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The invoices a client reads, by id: `totalAmount` text.
async fn read_invoices(client: &Client, base: &str, company: &str) -> BTreeMap<String, String> {
    let page = client
        .call(
            base,
            Method::GET,
            &format!("/companies/{company}/data/invoices?pageSize=100"),
            None,
        )
        .await;
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id").to_string(),
                r["totalAmount"].to_string(),
            )
        })
        .collect()
}

/// Every fault a platform can throw, mid-sync, over HTTP: the dataset ends in the status
/// Codat gives it, and the records of the last good sync stay readable.
#[tokio::test]
async fn connector_faults_end_in_their_status_and_keep_previous_data() {
    use ledgerbridge_connectors::ConnectorError as E;
    let transient = |m: &str| Some(E::Transient(m.into()));
    // Each case: the script of the faulty sync (the good first sync runs with none), the
    // status it ends in, and words its error message carries.
    let cases: Vec<(&str, Vec<Option<E>>, &str, &str)> = vec![
        (
            "a 5xx burst shorter than the retries",
            vec![None, transient("503"), transient("502"), transient("500")],
            "Complete",
            "",
        ),
        (
            "a 5xx burst that outlasts the retries",
            vec![None]
                .into_iter()
                .chain((0..5).map(|_| transient("503 Service Unavailable")))
                .collect(),
            "FetchError",
            "503",
        ),
        (
            "timeouts that outlast the retries",
            (0..5).map(|_| transient("timed out after 30 s")).collect(),
            "FetchError",
            "timed out",
        ),
        (
            "a malformed second page",
            vec![None, Some(E::Malformed("expected `[` at line 1".into()))],
            "FetchError",
            "unreadable page",
        ),
        (
            "a grant revoked mid-sync",
            vec![None, Some(E::AuthRevoked("invalid_grant".into()))],
            "AuthError",
            "revoked",
        ),
    ];
    let client = Client::new();
    for (name, script, status, words) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        // The faulty sync's pages carry new amounts: a page written before the fault is the
        // only change a reader may see.
        let good = scripted::invoice_pages("10.50");
        let mut script_after_good: Vec<Option<E>> = vec![None, None];
        script_after_good.extend(script);
        let connector = scripted::Scripted::scripted(good, script_after_good);
        let (base, store) = scripted_app(dir.path(), connector).await;
        let created = client
            .call(
                &base,
                Method::POST,
                "/companies",
                Some(json!({"name": name, "platformType": "mqjo"})),
            )
            .await;
        let company = created["id"].as_str().expect("id").to_string();
        let connection = created["dataConnections"][0]["id"]
            .as_str()
            .expect("connection")
            .to_string();
        // Invoices alone, so the script's calls are all theirs.
        client
            .call(
                &base,
                Method::POST,
                &format!("/companies/{company}/syncSettings"),
                Some(json!({"companyId": company, "overridesDefaults": true, "settings": [
                    {"dataType": "invoices", "fetchOnFirstLink": true, "syncSchedule": 24, "syncOrder": 0}
                ]})),
            )
            .await;
        client
            .call(
                &base,
                Method::PUT,
                &format!("/companies/{company}/connections/{connection}/authorization"),
                Some(json!({"dataset": "small"})),
            )
            .await;
        let deadline = Instant::now() + Duration::from_secs(120);
        while client
            .history(&base, &company)
            .await
            .iter()
            .any(in_progress)
        {
            assert!(Instant::now() < deadline, "{name}: first syncs did not end");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = read_invoices(&client, &base, &company).await;
        assert_eq!(before.len(), 5, "{name}: {before:?}");

        let op = sync_invoices(&client, &base, &company).await;
        assert_eq!(op["status"], status, "{name}: {op}");
        let message = op["errorMessage"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{name}: {message}");
        assert_eq!(op["isErrored"], status != "Complete", "{name}: {op}");
        assert_eq!(
            read_invoices(&client, &base, &company).await,
            before,
            "{name}: the previous data stays readable"
        );
        let data_status = client
            .call(
                &base,
                Method::GET,
                &format!("/companies/{company}/dataStatus"),
                None,
            )
            .await;
        let invoices = &data_status["invoices"];
        assert_eq!(invoices["currentStatus"], status, "{name}: {invoices}");
        assert!(
            invoices["lastSuccessfulSync"].is_string(),
            "{name}: {invoices}"
        );
        let conn = client
            .call(
                &base,
                Method::GET,
                &format!("/companies/{company}/connections/{connection}"),
                None,
            )
            .await;
        if status == "AuthError" {
            assert_eq!(conn["status"], "Deauthorized", "{name}: {conn}");
            assert_eq!(
                conn["dataConnectionErrors"][0]["statusCode"], "401",
                "{conn}"
            );
            // A deauthorized connection cannot sync; its data stays readable.
            let op = client
                .call(
                    &base,
                    Method::POST,
                    &format!("/companies/{company}/data/queue/invoices"),
                    None,
                )
                .await;
            assert_eq!(op["status"], "AuthError", "{op}");
            assert_eq!(read_invoices(&client, &base, &company).await, before);
        } else {
            assert_eq!(conn["status"], "Linked", "{name}: {conn}");
        }
        store.close().await;
    }
}
