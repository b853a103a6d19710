//! The books add up, on every size and at later syncs; the checker catches books that do not;
//! and the output is a pure function of the configuration.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use ledgerbridge_sandbox::check::{CheckReport, Checker, check};
use ledgerbridge_sandbox::model::{DocumentKind, DocumentStatus};
use ledgerbridge_sandbox::{Books, Config, Record, RecordKind, Size};

fn books(seed: u64, size: Size) -> Books {
    Books::new(Config::new(seed, size)).expect("valid configuration")
}

fn assert_ok(report: &CheckReport, what: &str) {
    assert!(
        report.is_ok(),
        "{what}: {} violations, first: {:#?}",
        report.violation_count,
        &report.violations[..report.violations.len().min(10)]
    );
}

#[test]
fn small_books_add_up_at_every_sync() {
    let books = books(42, Size::Small);
    for sync in 0..6 {
        let report = check(&books.at_sync(sync));
        assert_ok(&report, &format!("small, sync {sync}"));
        assert!(
            (900..=1_500).contains(&report.records()),
            "{} records",
            report.records()
        );
    }
}

#[test]
fn medium_books_add_up() {
    for (seed, sync) in [(42, 0), (7, 3)] {
        let report = check(&books(seed, Size::Medium).at_sync(sync));
        assert_ok(&report, &format!("medium, seed {seed}, sync {sync}"));
        assert!(
            (40_000..=60_000).contains(&report.records()),
            "{} records",
            report.records()
        );
        for kind in RecordKind::ALL {
            assert!(report.count(kind) > 0, "no {kind:?} in medium books");
        }
    }
}

/// The whole large set, streamed through the checker: its memory stays flat (ids are kept
/// as bits, documents not at all), so this runs in seconds even in a debug build.
#[test]
fn large_books_add_up() {
    let report = check(&books(42, Size::Large).at_sync(0));
    assert_ok(&report, "large");
    assert!(
        (900_000..=1_100_000).contains(&report.records()),
        "{} records",
        report.records()
    );
}

#[test]
fn other_spans_and_starts_add_up() {
    let start = chrono::NaiveDate::from_ymd_opt(2021, 7, 1).expect("date");
    for months in [1, 5, 13, 37] {
        let config = Config::new(3, Size::Medium)
            .with_start(start)
            .with_months(months);
        let books = Books::new(config).expect("valid");
        let report = check(&books.at_sync(1));
        assert_ok(&report, &format!("{months} months from {start}"));
    }
}

/// Hashes every record's neutral JSON, in stream order.
fn fingerprint(books: &Books, sync: u32) -> (u64, usize) {
    let mut hasher = DefaultHasher::new();
    let mut n = 0;
    for record in books.at_sync(sync).records() {
        serde_json::to_string(&record)
            .expect("serialises")
            .hash(&mut hasher);
        n += 1;
    }
    (hasher.finish(), n)
}

#[test]
fn one_seed_one_output() {
    for size in [Size::Small, Size::Medium] {
        let a = fingerprint(&books(42, size), 0);
        let b = fingerprint(&books(42, size), 0);
        assert_eq!(a, b, "{size}: two runs differ");
        let later_a = fingerprint(&books(42, size), 3);
        let later_b = fingerprint(&books(42, size), 3);
        assert_eq!(later_a, later_b, "{size}: two runs of sync 3 differ");
    }
}

#[test]
fn different_seeds_differ() {
    let a = fingerprint(&books(1, Size::Small), 0);
    let b = fingerprint(&books(2, Size::Small), 0);
    assert_ne!(a.0, b.0);
    let name = |seed| books(seed, Size::Small).company().name.to_string();
    let names: std::collections::HashSet<String> = (0..10).map(name).collect();
    assert!(names.len() > 5, "company names barely vary: {names:?}");
}

/// Each broken invariant is caught: a checker that cannot fail proves nothing.
#[test]
fn the_checker_catches_broken_books() {
    let books = books(42, Size::Small);
    let snapshot = books.at_sync(0);
    type Mutation = fn(&mut Record) -> bool;
    let mutations: [(&str, Mutation); 8] = [
        ("amount due off by a penny", |r| match r {
            Record::Document(d)
                if d.kind == DocumentKind::Invoice && d.status != DocumentStatus::Void =>
            {
                d.amount_due += rust_decimal::Decimal::new(1, 2);
                true
            }
            _ => false,
        }),
        ("paid but something due", |r| match r {
            Record::Document(d)
                if d.status == DocumentStatus::Paid && d.kind == DocumentKind::Bill =>
            {
                d.amount_due = d.total;
                d.allocations.clear();
                true
            }
            _ => false,
        }),
        ("unbalanced journal entry", |r| match r {
            Record::JournalEntry(j) => {
                j.lines[0].net_amount += rust_decimal::Decimal::new(1, 2);
                true
            }
            _ => false,
        }),
        ("line tax rounded the wrong way", |r| match r {
            Record::Document(d) if d.total_tax > rust_decimal::Decimal::ZERO => {
                d.lines[0].tax_amount += rust_decimal::Decimal::new(1, 2);
                d.lines[0].total_amount += rust_decimal::Decimal::new(1, 2);
                d.total_tax += rust_decimal::Decimal::new(1, 2);
                d.total += rust_decimal::Decimal::new(1, 2);
                d.amount_due += rust_decimal::Decimal::new(1, 2);
                true
            }
            _ => false,
        }),
        ("dangling customer reference", |r| match r {
            Record::Document(d) if d.kind == DocumentKind::Invoice => {
                d.contact = 999_999;
                true
            }
            _ => false,
        }),
        ("balance sheet that does not balance", |r| match r {
            Record::BalanceSheet(s) => {
                s.equity
                    .items
                    .push(ledgerbridge_sandbox::model::ReportLine {
                        name: "Suspense".into(),
                        account: None,
                        value: rust_decimal::Decimal::ONE,
                        items: Vec::new(),
                    });
                s.equity.value += rust_decimal::Decimal::ONE;
                true
            }
            _ => false,
        }),
        ("bank running balance skips", |r| match r {
            Record::BankTransaction(b) => {
                b.balance += rust_decimal::Decimal::ONE;
                true
            }
            _ => false,
        }),
        ("payment amount differs from its allocation", |r| match r {
            Record::Payment(p) => {
                p.total += rust_decimal::Decimal::ONE;
                p.links[0].amount += rust_decimal::Decimal::ONE;
                true
            }
            _ => false,
        }),
    ];
    for (name, mutate) in mutations {
        let mut checker = Checker::new(books.config().financial_year_start_month);
        let mut mutated = false;
        for mut record in snapshot.records() {
            if !mutated {
                mutated = mutate(&mut record);
            }
            checker.observe(&record);
        }
        assert!(mutated, "{name}: nothing to mutate");
        let report = checker.finish();
        assert!(!report.is_ok(), "{name}: not caught");
    }
    // Dropping a payment leaves its allocation unmatched.
    let mut checker = Checker::new(books.config().financial_year_start_month);
    let mut dropped = false;
    for record in snapshot.records() {
        if !dropped && matches!(record, Record::Payment(_)) {
            dropped = true;
            continue;
        }
        checker.observe(&record);
    }
    assert!(
        !checker.finish().is_ok(),
        "a missing payment was not caught"
    );
}

fn digest(record: &Record) -> u64 {
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(record)
        .expect("serialises")
        .hash(&mut hasher);
    hasher.finish()
}

/// What incremental sync relies on: between two syncs, every new or changed record carries a
/// `sourceModifiedDate` on or after the earlier cut-off, unchanged ones keep theirs, and
/// every record that disappears comes with a deletion notice.
#[test]
fn later_syncs_evolve_the_books_consistently() {
    let books = books(11, Size::Medium);
    let tracked = |r: &Record| {
        !matches!(
            r.kind(),
            RecordKind::Company
                | RecordKind::BalanceSheet
                | RecordKind::ProfitAndLoss
                | RecordKind::CashFlowStatement
        )
    };
    let state = |sync: u32| {
        let mut records = HashMap::new();
        let mut deleted = HashMap::new();
        let mut statuses = HashMap::new();
        for record in books.at_sync(sync).records() {
            if let Record::Deleted(d) = &record {
                deleted.insert((d.record.kind, d.record.id), d.at);
                continue;
            }
            if let Record::Document(d) = &record
                && d.kind == DocumentKind::Invoice
            {
                statuses.insert(d.id, (d.status, d.note.is_some()));
            }
            if tracked(&record) {
                records.insert(
                    (record.kind(), record.id()),
                    (digest(&record), record.modified()),
                );
            }
        }
        (records, deleted, statuses)
    };
    let (mut before, _, mut before_status) = state(0);
    let mut seen = HashMap::<&str, usize>::new();
    for sync in 1..=4 {
        let previous_cutoff = books
            .cutoff(sync - 1)
            .and_hms_opt(0, 0, 0)
            .expect("midnight");
        let (after, deleted, after_status) = state(sync);
        for (key, (hash, modified)) in &after {
            match before.get(key) {
                Some((old_hash, old_modified)) if old_hash == hash => {
                    assert_eq!(
                        old_modified, modified,
                        "{key:?} unchanged but its modified date moved"
                    );
                }
                Some(_) => {
                    assert!(
                        modified.is_some_and(|m| m >= previous_cutoff),
                        "{key:?} changed at sync {sync} with modified {modified:?}"
                    );
                    *seen.entry("changed").or_default() += 1;
                }
                None => {
                    assert!(
                        modified.is_some_and(|m| m >= previous_cutoff),
                        "{key:?} new at sync {sync} with modified {modified:?}"
                    );
                    *seen.entry("new").or_default() += 1;
                }
            }
        }
        for key in before.keys() {
            if !after.contains_key(key) {
                let at = deleted.get(key);
                assert!(
                    at.is_some_and(|at| *at >= previous_cutoff),
                    "{key:?} vanished at sync {sync} without a deletion notice"
                );
                *seen.entry("deleted").or_default() += 1;
            }
        }
        for (id, (status, noted)) in &after_status {
            if let Some((old, old_noted)) = before_status.get(id) {
                if old != status {
                    match status {
                        DocumentStatus::Paid => *seen.entry("settled").or_default() += 1,
                        DocumentStatus::PartiallyPaid => *seen.entry("part paid").or_default() += 1,
                        DocumentStatus::Void => *seen.entry("voided").or_default() += 1,
                        _ => {}
                    }
                }
                if *noted && !old_noted {
                    *seen.entry("edited").or_default() += 1;
                }
            } else {
                *seen.entry("new invoices").or_default() += 1;
            }
        }
        assert_ok(&check(&books.at_sync(sync)), &format!("sync {sync}"));
        before = after;
        before_status = after_status;
    }
    for what in [
        "new",
        "changed",
        "deleted",
        "settled",
        "part paid",
        "voided",
        "edited",
        "new invoices",
    ] {
        assert!(
            seen.get(what).copied().unwrap_or(0) > 0,
            "no {what} records across syncs 1-4: {seen:?}"
        );
    }
}
