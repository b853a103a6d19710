//! `ledgerbridge demo`: the seed's flow in one command. Creates a company, links the Sandbox,
//! runs the first sync showing progress, prints API calls to try, and keeps serving.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use base64::Engine;
use ledgerbridge::application::{Application, open_store};
use ledgerbridge::config::Config;
use ledgerbridge_domain::DataType;
use ledgerbridge_domain::accounting::{Level, Shape, endpoint};
use ledgerbridge_store::api_keys::new_api_key;
use serde_json::{Value, json};

/// Runs the demo against the configured database.
pub async fn run(config: Config, size: &str, seed: &str) -> Result<()> {
    if !matches!(size, "small" | "medium" | "large") {
        bail!("--size must be small, medium or large, not `{size}`");
    }
    let store = open_store(&config).await?;
    let (row, key) = new_api_key(Some("demo".into()));
    store
        .insert_api_key(&row)
        .await
        .context("could not create the demo's API key (at most 10 keys)")?;
    store.close().await;

    let app = Application::build(config).await?;
    let base = format!("http://{}", app.local_addr());
    let public = app.public_url().to_string();
    tokio::spawn(app.run_until_stopped(super::shutdown_signal()));

    let client = Client {
        http: reqwest::Client::new(),
        base: base.clone(),
        auth: basic(&key),
    };
    let company = client
        .send(
            reqwest::Method::POST,
            "/companies",
            Some(json!({"name": "Demo Company", "platformType": "mqjo"})),
        )
        .await?;
    let company_id = company["id"].as_str().context("no company id")?.to_string();
    let connection_id = company["dataConnections"][0]["id"]
        .as_str()
        .context("no connection id")?
        .to_string();
    println!("Created company {company_id}; linking the Sandbox ({size} books, seed `{seed}`)...");
    client
        .send(
            reqwest::Method::PUT,
            &format!("/companies/{company_id}/connections/{connection_id}/authorization"),
            Some(json!({"dataset": size, "seed": seed})),
        )
        .await?;

    let started = Instant::now();
    let statuses = wait_for_first_sync(&client, &company_id, started).await?;
    let elapsed = started.elapsed();
    let mut total = 0u64;
    println!(
        "\n{:<22} {:>10} {:>10} {:>8} {:>10}",
        "data type", "status", "records", "seconds", "records/s"
    );
    for (data_type, (status, took)) in &statuses {
        let count = match data_type.parse::<DataType>().ok().and_then(endpoint) {
            Some(e) if matches!(e.shape, Shape::List { .. }) && !e.path.contains('{') => {
                let path = match e.level {
                    Level::Company => format!("/companies/{company_id}/data/{}?pageSize=1", e.path),
                    Level::Connection => {
                        format!(
                            "/companies/{company_id}/connections/{connection_id}/data/{}?pageSize=1",
                            e.path
                        )
                    }
                };
                client
                    .send(reqwest::Method::GET, &path, None)
                    .await
                    .ok()
                    .and_then(|p| p["totalResults"].as_u64())
            }
            _ => None,
        };
        total += count.unwrap_or(0);
        let shown = count.map_or_else(|| "-".to_string(), |c| c.to_string());
        let (secs, rate) = match (count, took) {
            (Some(c), Some(t)) => (format!("{t:.1}"), format!("{:.0}", c as f64 / t.max(0.001))),
            (_, Some(t)) => (format!("{t:.1}"), "-".to_string()),
            _ => ("-".to_string(), "-".to_string()),
        };
        println!("{data_type:<22} {status:>10} {shown:>10} {secs:>8} {rate:>10}");
    }
    let rate = total as f64 / elapsed.as_secs_f64().max(0.001);
    println!(
        "\nFirst sync: {total} records in {:.1} s ({rate:.0} records/s).",
        elapsed.as_secs_f64()
    );
    println!(
        "\nTry it (this key was created for the demo; `ledgerbridge api-keys delete {}` removes it):",
        row.id
    );
    let auth = format!(
        "Authorization: Basic {}",
        base64::engine::general_purpose::STANDARD.encode(&key)
    );
    println!("  curl -s -H '{auth}' '{public}/companies/{company_id}/dataStatus'");
    println!(
        "  curl -s -H '{auth}' '{public}/companies/{company_id}/data/invoices?pageSize=5&orderBy=-issueDate'"
    );
    println!(
        "  curl -s -H '{auth}' '{public}/companies/{company_id}/data/invoices?query=status%3DPartiallyPaid%26%26amountDue%3E1000'"
    );
    println!("  curl -s -X POST -H '{auth}' '{public}/companies/{company_id}/data/queue/invoices'");
    println!("\nServing at {public} (docs: {public}/docs). Ctrl-C to stop.");
    std::future::pending::<()>().await;
    Ok(())
}

struct Client {
    http: reqwest::Client,
    base: String,
    auth: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.auth);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            bail!("{path} answered {status}: {text}");
        }
        Ok(if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        })
    }
}

fn basic(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// A progress bar for `percent` (0..100), `width` cells wide.
fn bar(percent: i64, width: usize) -> String {
    let filled = (percent.clamp(0, 100) as usize * width) / 100;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// Seconds from a pull operation's `requested` to its `completed`, when both are set.
fn seconds_taken(op: &serde_json::Value) -> Option<f64> {
    let at = |field: &str| {
        op[field]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let (from, to) = (at("requested")?, at("completed")?);
    Some((to - from).num_milliseconds() as f64 / 1000.0)
}

/// Polls the pull history until every dataset has finished, printing a progress bar per
/// running data type; returns each data type's final status and how long it took.
async fn wait_for_first_sync(
    client: &Client,
    company: &str,
    started: Instant,
) -> Result<BTreeMap<String, (String, Option<f64>)>> {
    let mut last_line = String::new();
    loop {
        let history = client
            .send(
                reqwest::Method::GET,
                &format!("/companies/{company}/data/history?pageSize=100"),
                None,
            )
            .await?;
        let mut statuses = BTreeMap::new();
        let mut running = Vec::new();
        for op in history["results"].as_array().into_iter().flatten() {
            let data_type = op["dataType"].as_str().unwrap_or("?").to_string();
            let status = op["status"].as_str().unwrap_or("?").to_string();
            if matches!(status.as_str(), "Queued" | "Fetching" | "Initial") {
                let percent = op["progress"].as_i64().unwrap_or(0);
                running.push(format!("{data_type} {} {percent}%", bar(percent, 10)));
            }
            statuses.insert(data_type, (status, seconds_taken(op)));
        }
        let done = statuses.len() - running.len();
        let shown: Vec<&str> = running.iter().take(4).map(String::as_str).collect();
        let more = if running.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        let running_note = if running.is_empty() {
            String::new()
        } else {
            format!("; running: {}{more}", shown.join(", "))
        };
        let line = format!(
            "[{:>5.1}s] {done}/{} data types synced{running_note}",
            started.elapsed().as_secs_f64(),
            statuses.len(),
        );
        if line != last_line {
            println!("{line}");
            last_line = line;
        }
        if !statuses.is_empty() && running.is_empty() {
            return Ok(statuses);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
