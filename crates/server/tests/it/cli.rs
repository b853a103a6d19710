//! The `ledgerbridge` binary: configuration precedence, first-start key, admin commands.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ledgerbridge");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A command with no inherited `LEDGERBRIDGE_*` settings.
fn ledgerbridge(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("LEDGERBRIDGE_") {
            cmd.env_remove(k);
        }
    }
    cmd.current_dir(dir).env("RUST_LOG", "warn");
    cmd
}

/// Starts `serve`, returns the child and every stdout line up to and including the banner.
fn serve(mut cmd: Command) -> (Child, Vec<String>) {
    let mut child = cmd
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.contains("curl -s -X POST");
        lines.push(line);
        if done || Instant::now() > deadline {
            break;
        }
    }
    (child, lines)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn first_start_prints_a_key_once_and_precedence_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (toml_port, env_port, flag_port) = (free_port(), free_port(), free_port());
    std::fs::write(
        dir.path().join("lb.toml"),
        format!("addr = \"127.0.0.1:{toml_port}\"\n"),
    )
    .expect("toml");

    // TOML only.
    let mut cmd = ledgerbridge(dir.path());
    cmd.args(["--config", "lb.toml"]);
    let (child, lines) = serve(cmd);
    stop(child);
    let text = lines.join("\n");
    assert!(
        text.contains(&format!("listening on http://127.0.0.1:{toml_port}")),
        "{text}"
    );
    assert!(
        text.contains("First start"),
        "a key is generated on first start: {text}"
    );
    assert!(
        text.contains("/docs") && text.contains("curl -s -X POST"),
        "{text}"
    );

    // Environment beats TOML; the key is not shown again.
    let mut cmd = ledgerbridge(dir.path());
    cmd.args(["--config", "lb.toml"])
        .env("LEDGERBRIDGE_ADDR", format!("127.0.0.1:{env_port}"));
    let (child, lines) = serve(cmd);
    stop(child);
    let text = lines.join("\n");
    assert!(
        text.contains(&format!("listening on http://127.0.0.1:{env_port}")),
        "{text}"
    );
    assert!(!text.contains("First start"), "{text}");

    // Flags beat both.
    let mut cmd = ledgerbridge(dir.path());
    cmd.args([
        "--config",
        "lb.toml",
        "--addr",
        &format!("127.0.0.1:{flag_port}"),
    ])
    .env("LEDGERBRIDGE_ADDR", format!("127.0.0.1:{env_port}"));
    let (child, lines) = serve(cmd);
    stop(child);
    assert!(
        lines
            .join("\n")
            .contains(&format!("listening on http://127.0.0.1:{flag_port}"))
    );
}

#[test]
fn worker_and_api_roles_refuse_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = ledgerbridge(dir.path())
        .args(["serve", "--role", "api"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PostgreSQL"));
}

#[test]
fn migrate_and_api_keys_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        let out = ledgerbridge(dir.path()).args(args).output().expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(run(&["migrate"]).contains("migrations applied"));
    let created = run(&["api-keys", "create", "--name", "ci"]);
    let id = created
        .lines()
        .find_map(|l| l.strip_prefix("id:"))
        .expect("id line")
        .trim()
        .to_string();
    let key = created
        .lines()
        .find_map(|l| l.strip_prefix("key:"))
        .expect("key line")
        .trim()
        .to_string();
    assert_eq!(key.len(), 40);
    let listed = run(&["api-keys", "list"]);
    assert!(listed.contains(&id) && listed.contains("ci") && !listed.contains(&key));
    assert!(run(&["api-keys", "delete", &id]).contains("deleted"));
    let out = ledgerbridge(dir.path())
        .args(["api-keys", "delete", &id])
        .output()
        .expect("run");
    assert!(!out.status.success());
}

/// `ledgerbridge demo` links the Sandbox, shows progress, and ends with a table of every data
/// type with its status, record count, seconds and records/s before it keeps serving.
#[test]
fn demo_syncs_the_sandbox_and_reports_each_data_types_rate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut child = ledgerbridge(dir.path())
        .args(["--data-dir", ".", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["demo", "--size", "small", "--seed", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.starts_with("Serving at");
        lines.push(line);
        if done {
            break;
        }
    }
    stop(child);
    let text = lines.join("\n");
    assert!(
        text.contains("Serving at"),
        "the demo did not finish:\n{text}"
    );
    let header = lines
        .iter()
        .position(|l| l.starts_with("data type") && l.ends_with("records/s"))
        .unwrap_or_else(|| panic!("no summary table:\n{text}"));
    let rows: Vec<&String> = lines[header + 1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 27, "every Sandbox data type:\n{text}");
    let invoices = rows
        .iter()
        .find(|r| r.starts_with("invoices "))
        .unwrap_or_else(|| panic!("no invoices row:\n{text}"));
    let cells: Vec<&str> = invoices.split_whitespace().collect();
    assert_eq!(cells[1], "Complete", "{invoices}");
    let records: u64 = cells[2].parse().expect("record count");
    let rate: f64 = cells[4].parse().expect("records/s");
    assert!(records > 0 && rate > 0.0, "{invoices}");
    assert!(
        text.contains("records/s)."),
        "the overall rate line:\n{text}"
    );
}

#[tokio::test]
async fn simulate_quickbooks_serves_the_consent_page_and_prints_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut child = ledgerbridge(dir.path())
        .args(["simulate", "quickbooks", "--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        let done = line.contains("LEDGERBRIDGE_QUICKBOOKS_API_URL");
        lines.push(line);
        if done {
            break;
        }
    }
    let text = lines.join("\n");
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        text.contains(&format!(
            "LEDGERBRIDGE_QUICKBOOKS_AUTHORIZE_URL={base}/connect/oauth2"
        )),
        "{text}"
    );
    assert!(text.contains("realmId 9130350000000000"), "{text}");
    let page = reqwest::get(format!(
        "{base}/connect/oauth2?client_id=sim-intuit-client-id&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=http://127.0.0.1:9/cb&state=s"
    ))
    .await;
    let page = match page {
        Ok(p) => p.text().await.unwrap_or_default(),
        Err(e) => {
            stop(child);
            panic!("consent page: {e}");
        }
    };
    stop(child);
    assert!(page.contains("Connect"), "{page}");
}
