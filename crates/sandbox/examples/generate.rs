//! Generates a data set and reports how fast, in how much memory.
//!
//! ```text
//! cargo run --release -p ledgerbridge-sandbox --example generate -- --size large --seed 42
//!     [--sync N] [--months N] [--check] [--counts]
//! ```
//!
//! Prints the records per second and the peak resident set (VmHWM from /proc/self/status).
//! `--check` also runs every invariant check over the stream (slower; not part of the
//! generation figure).

use std::process::ExitCode;
use std::time::Instant;

use ledgerbridge_sandbox::check::Checker;
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
            other => {
                eprintln!(
                    "unknown argument {other}; use --size, --seed, --sync, --months, --check, --counts"
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
