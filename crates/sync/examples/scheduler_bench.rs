//! Scheduler tick cost with many scheduled companies.
//!
//! ```text
//! cargo run --release -p ledgerbridge-sync --example scheduler_bench -- \
//!     [--db sqlite:///tmp/x.db | postgres://...] [--companies 10000] [--types 24] [--runs 20]
//! ```
//!
//! Creates `--companies` companies, each with a linked Sandbox connection and a daily schedule
//! for `--types` data types, spread evenly over the day. Then times [`tick`] at moments when
//! (a) nothing is due, (b) one 30-second scheduler interval's share is due (what a running
//! server sees), (c) a whole batch of 1,000 entries is due (after an outage), and prints
//! Markdown rows (median and max of `--runs` ticks each).

use std::time::Instant;

use ledgerbridge_domain::platform::{ConnectionStatus, SourceType};
use ledgerbridge_domain::{CompanyId, ConnectionId, DataType, Timestamp};
use ledgerbridge_store::Store;
use ledgerbridge_store::companies::CompanyRow;
use ledgerbridge_store::connections::ConnectionRow;
use ledgerbridge_sync::scheduler::tick;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = arg("--db")
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("sched.db").display()));
    let companies: usize = arg("--companies").map_or(Ok(10_000), |v| v.parse())?;
    let types: usize = arg("--types").map_or(Ok(24), |v| v.parse())?;
    let runs: usize = arg("--runs").map_or(Ok(20), |v| v.parse())?;
    let store = Store::connect(&db).await?;
    store.migrate().await?;

    let data_types: Vec<DataType> = ledgerbridge_connectors::catalog::platform("mqjo")
        .ok_or("no Sandbox in the catalog")?
        .data_types
        .iter()
        .copied()
        .take(types)
        .collect();
    let day_start = Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::days(1));
    let entries = companies * data_types.len();
    let spacing_ms = 86_400_000 / entries.max(1) as i64;
    let setup = Instant::now();
    let mut n = 0i64;
    for i in 0..companies {
        let company = CompanyRow {
            id: CompanyId::new(),
            name: format!("Company {i}"),
            description: None,
            tags: Default::default(),
            platform: "mqjo".into(),
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
        store.insert_company(&company, Some(&connection)).await?;
        for &dt in &data_types {
            // Entry n is due n * spacing after the start of the bench's day.
            let at = Timestamp::from_datetime(
                day_start.as_datetime() + chrono::Duration::milliseconds(n * spacing_ms),
            );
            store
                .schedule_sync(company.id, connection.id, dt, at)
                .await?;
            n += 1;
        }
    }
    eprintln!(
        "set up {companies} companies, {entries} schedule entries in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let at = |ms: i64| {
        Timestamp::from_datetime(day_start.as_datetime() + chrono::Duration::milliseconds(ms))
    };
    println!(
        "| tick ({companies} companies, {entries} entries, {db_kind}) | due | queued | median ms | max ms |",
        db_kind = if db.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("|---|---:|---:|---:|---:|");
    // (a) nothing due: just before the first entry.
    let mut cursor = 0i64;
    let row = |label: &str, times: &mut Vec<f64>, due: usize, queued: u32| {
        times.sort_by(f64::total_cmp);
        println!(
            "| {label} | {due} | {queued} | **{:.2}** | {:.2} |",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    };
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let stats = tick(&store, at(-1000)).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(stats.queued, 0);
    }
    row("nothing due", &mut times, 0, 0);

    // (b) each tick a further 30 s of the day: the entries due in one interval.
    let mut times = Vec::new();
    let mut queued = 0;
    for _ in 0..runs {
        cursor += 30_000;
        let t = Instant::now();
        let stats = tick(&store, at(cursor)).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        queued += stats.queued;
    }
    let per_interval = (30_000 / spacing_ms.max(1)) as usize;
    row(
        "one 30 s interval due (steady state)",
        &mut times,
        per_interval,
        queued / runs as u32,
    );

    // (c) a whole batch due at once.
    let mut times = Vec::new();
    let mut queued = 0;
    let batch_runs = runs.min(5);
    for _ in 0..batch_runs {
        cursor += 1000 * spacing_ms;
        let t = Instant::now();
        let stats = tick(&store, at(cursor)).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        queued += stats.queued;
    }
    row(
        "1,000 entries due (after an outage)",
        &mut times,
        1000,
        queued / batch_runs as u32,
    );
    store.close().await;
    Ok(())
}
