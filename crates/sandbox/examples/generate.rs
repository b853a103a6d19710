//! Generates a data set and reports how fast, in how much memory.
//!
//! ```text
//! cargo run --release -p ledgerbridge-sandbox --example generate -- --size large --seed 42
//!     [--sync N] [--months N] [--json] [--check] [--counts] [--show DATA_TYPE]
//! ```
//!
//! Prints the records per second and the peak resident set (VmHWM from /proc/self/status).
//! `--json` also maps every record to Codat's model and serialises it (what the Sandbox
//! integration serves), timed separately. `--check` runs every invariant check over the
//! stream. `--show invoices` prints the first record of a data type as Codat JSON.

use std::process::ExitCode;
use std::time::Instant;

use ledgerbridge_sandbox::check::Checker;
use ledgerbridge_sandbox::codat::Codat;
use ledgerbridge_sandbox::{Books, Config, RecordKind, Seed, Size};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> ExitCode {
    let mut size = Size::Small;
    let mut seed = Seed(42);
    let mut sync = 0;
    let mut months = None;
    let mut check = false;
    let mut counts = false;
    let mut json = false;
    let mut show: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match arg.as_str() {
            "--size" => match value().parse() {
                Ok(s) => size = s,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            },
            "--seed" => seed = Seed::from_text(&value()),
            "--sync" => sync = value().parse().unwrap_or(0),
            "--months" => months = value().parse().ok(),
            "--check" => check = true,
            "--counts" => counts = true,
            "--json" => json = true,
            "--show" => show = Some(value()),
            other => {
                eprintln!(
                    "unknown argument {other}; use --size, --seed, --sync, --months, --json, --check, --counts, --show"
                );
                return ExitCode::FAILURE;
            }
        }
    }
    let mut config = Config::new(seed, size);
    if let Some(m) = months {
        config = config.with_months(m);
    }
    let books = match Books::new(config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let snapshot = books.at_sync(sync);
    let started = Instant::now();
    let mut per_kind = [0u64; RecordKind::ALL.len()];
    let mut deletions = 0u64;
    for record in snapshot.records() {
        if record.is_deletion() {
            deletions += 1;
        } else {
            per_kind[record.kind().index()] += 1;
        }
    }
    let elapsed = started.elapsed();
    let total: u64 = per_kind.iter().sum();
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "size={size} seed={} sync={sync} cutoff={} company=\"{}\"",
        seed.0,
        snapshot.cutoff(),
        books.company().name
    );
    println!(
        "generated {total} records (+{deletions} deletions) in {:.3} s: {:.0} records/s",
        elapsed.as_secs_f64(),
        rate
    );
    if counts {
        for kind in RecordKind::ALL {
            println!("  {:<20} {}", kind.codat_key(), per_kind[kind.index()]);
        }
    }
    if json {
        let mapper = Codat::new(&books);
        let started = Instant::now();
        let (mut records, mut bytes) = (0u64, 0u64);
        for record in snapshot.records() {
            if let Some(doc) = mapper.map(&record) {
                match doc.to_json() {
                    Ok(text) => bytes += text.len() as u64,
                    Err(e) => {
                        eprintln!("cannot serialise {:?}: {e}", record.kind());
                        return ExitCode::FAILURE;
                    }
                }
                records += 1;
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "generated + mapped to Codat + serialised {records} records ({:.0} MiB of JSON) in {seconds:.3} s: {:.0} records/s",
            bytes as f64 / 1_048_576.0,
            records as f64 / seconds
        );
    }
    if let Some(key) = show {
        let Some(kind) = RecordKind::from_codat_key(&key) else {
            eprintln!("unknown data type {key}");
            return ExitCode::FAILURE;
        };
        let mapper = Codat::new(&books);
        if let Some(doc) = snapshot.records_of(kind).find_map(|r| mapper.map(&r)) {
            let text = doc.to_json().unwrap_or_default();
            let pretty = serde_json::from_str::<serde_json::Value>(&text)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or(text);
            println!("{pretty}");
        }
    }
    if check {
        let started = Instant::now();
        let mut checker = Checker::new(books.config().financial_year_start_month);
        for record in snapshot.records() {
            checker.observe(&record);
        }
        let report = checker.finish();
        println!(
            "checked {} records in {:.3} s: {} violations",
            report.records(),
            started.elapsed().as_secs_f64(),
            report.violation_count
        );
        for v in report.violations.iter().take(20) {
            println!("  {v}");
        }
        if !report.is_ok() {
            println!("peak RSS {} KiB", peak_rss_kib().unwrap_or(0));
            return ExitCode::FAILURE;
        }
    }
    match peak_rss_kib() {
        Some(kib) => println!("peak RSS {:.1} MiB (VmHWM)", kib as f64 / 1024.0),
        None => println!("peak RSS unknown (no /proc/self/status)"),
    }
    ExitCode::SUCCESS
}
