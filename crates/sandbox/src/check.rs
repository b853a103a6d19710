//! Checks that books add up, one record at a time, in memory that does not grow with the
//! number of records (bitsets of ids seen, allocations waiting for their other half, and a
//! few numbers per month).
//!
//! Verified:
//! - every journal entry has lines and balances (net amounts add up to zero);
//! - every line: discount, sub-total, tax and total follow from quantity, unit amount,
//!   discount and the tax rate, to the cent; every document's totals are its lines' sums;
//! - every invoice and bill: `amountDue` = total − payments and credits allocated, and the
//!   status agrees (Paid ⇔ nothing due, PartiallyPaid ⇔ 0 < due < total, Open ⇔ all due,
//!   Draft and Void have no allocations, Void owes nothing); credit notes likewise;
//! - each allocation on a document is matched by the payment or credit note it names, for
//!   the same amount, and each payment's links add up to its total;
//! - every reference (customer, supplier, account, item, tax rate, tracking category,
//!   journal, bank account, order, source transaction) resolves, and no deleted record is
//!   also served;
//! - bank statement lines carry a correct running balance, and it ends at the bank account's
//!   balance;
//! - the accounts' balances add up to zero, and the last balance sheet shows them;
//! - each month's balance sheet has assets = liabilities + equity; profit and loss and cash
//!   flow statements add up; the cash flow's closing cash is the bank accounts' balance;
//! - over each financial year, net income equals the change in retained earnings.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::model::{
    AccountType, AllocationSource, Direction, Document, DocumentKind, DocumentStatus, Id, Line,
    Party, Record, RecordKind, ReportLine,
};
use crate::money::{cents, percent_of};

#[derive(Default, Clone)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn insert(&mut self, id: Id) -> bool {
        let (word, bit) = ((id / 64) as usize, id % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        let fresh = self.0[word] & (1 << bit) == 0;
        self.0[word] |= 1 << bit;
        fresh
    }

    fn contains(&self, id: Id) -> bool {
        self.0
            .get((id / 64) as usize)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    fn missing_from<'a>(&'a self, other: &'a BitSet) -> impl Iterator<Item = Id> + 'a {
        self.0.iter().enumerate().flat_map(move |(i, &w)| {
            let have = other.0.get(i).copied().unwrap_or(0);
            let missing = w & !have;
            (0..64)
                .filter(move |b| missing & (1 << b) != 0)
                .map(move |b| i as Id * 64 + b)
        })
    }
}

/// What a check found.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Records seen, by kind (index: [`RecordKind::index`]).
    pub counts: [u64; 27],
    /// Deletion notices seen.
    pub deletions: u64,
    /// Broken invariants (at most 200 are kept), each a sentence.
    pub violations: Vec<String>,
    /// How many were broken in all.
    pub violation_count: u64,
}

impl CheckReport {
    /// All records, deletion notices excluded.
    pub fn records(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Records of one kind.
    pub fn count(&self, kind: RecordKind) -> u64 {
        self.counts[kind.index()]
    }

    /// Whether nothing was broken.
    pub fn is_ok(&self) -> bool {
        self.violation_count == 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    Document,
    Settlement,
}

/// Checks a stream of records; see the module docs for what.
pub struct Checker {
    fy_start_month: u32,
    report: CheckReport,
    defined: Vec<BitSet>,
    referenced: Vec<BitSet>,
    deleted: Vec<BitSet>,
    tax_rates: HashMap<Id, Decimal>,
    /// Allocations seen on one side only: (settlement kind, settlement id, document id).
    pending: HashMap<(RecordKind, Id, Id), (Decimal, Side)>,
    bank_running: HashMap<Id, Decimal>,
    bank_balances: Vec<(Id, Decimal)>,
    account_balances: HashMap<Id, (AccountType, Decimal, bool)>,
    months: Vec<(NaiveDate, Decimal, Decimal, Decimal)>,
    profits: Vec<Decimal>,
    last_sheet_leaves: HashMap<Id, Decimal>,
    cash_flow_closing: Vec<(Decimal, Decimal)>,
    sheet_cash: Vec<Decimal>,
}

fn violation(report: &mut CheckReport, message: String) {
    report.violation_count += 1;
    if report.violations.len() < 200 {
        report.violations.push(message);
    }
}

impl Checker {
    /// A checker for books whose financial year starts in `fy_start_month`.
    pub fn new(fy_start_month: u32) -> Self {
        Self {
            fy_start_month,
            report: CheckReport::default(),
            defined: vec![BitSet::default(); RecordKind::ALL.len()],
            referenced: vec![BitSet::default(); RecordKind::ALL.len()],
            deleted: vec![BitSet::default(); RecordKind::ALL.len()],
            tax_rates: HashMap::new(),
            pending: HashMap::new(),
            bank_running: HashMap::new(),
            bank_balances: Vec::new(),
            account_balances: HashMap::new(),
            months: Vec::new(),
            profits: Vec::new(),
            last_sheet_leaves: HashMap::new(),
            cash_flow_closing: Vec::new(),
            sheet_cash: Vec::new(),
        }
    }

    fn fail(&mut self, message: String) {
        violation(&mut self.report, message);
    }

    fn refer(&mut self, kind: RecordKind, id: Id) {
        self.referenced[kind.index()].insert(id);
    }

    fn settle(&mut self, key: (RecordKind, Id, Id), amount: Decimal, side: Side) {
        match self.pending.remove(&key) {
            Some((other, other_side)) if other_side != side => {
                if other != amount {
                    self.fail(format!(
                        "{key:?}: allocated {other} on one side, {amount} on the other"
                    ));
                }
            }
            Some(previous) => {
                self.pending.insert(key, previous);
                self.fail(format!("{key:?}: allocated twice"));
            }
            None => {
                self.pending.insert(key, (amount, side));
            }
        }
    }

    /// Checks one record.
    pub fn observe(&mut self, record: &Record) {
        let kind = record.kind();
        if let Record::Deleted(d) = record {
            self.report.deletions += 1;
            self.deleted[d.record.kind.index()].insert(d.record.id);
            if self.defined[d.record.kind.index()].contains(d.record.id) {
                self.fail(format!(
                    "{:?} {} is served and deleted",
                    d.record.kind, d.record.id
                ));
            }
            return;
        }
        self.report.counts[kind.index()] += 1;
        let id = record.id();
        if id != 0 || kind == RecordKind::Company {
            if !self.defined[kind.index()].insert(id.max(1)) && kind != RecordKind::Company {
                self.fail(format!("{kind:?} {id} served twice"));
            }
            if self.deleted[kind.index()].contains(id) {
                self.fail(format!("{kind:?} {id} is served and deleted"));
            }
        }
        match record {
            Record::TaxRate(t) => {
                self.tax_rates.insert(t.id, t.rate);
            }
            Record::TrackingCategory(t) => {
                if let Some(parent) = t.parent {
                    self.refer(RecordKind::TrackingCategory, parent);
                }
            }
            Record::Item(i) => {
                self.refer(RecordKind::Account, i.sales_account);
                self.refer(RecordKind::Account, i.purchase_account);
                self.refer(RecordKind::TaxRate, i.tax_rate);
            }
            Record::Document(d) => self.document(d),
            Record::Payment(p) => {
                let contact_kind = match p.party {
                    Party::Customer => RecordKind::Customer,
                    Party::Supplier => RecordKind::Supplier,
                };
                self.refer(contact_kind, p.contact);
                self.refer(RecordKind::BankAccount, p.bank_account);
                self.refer(RecordKind::PaymentMethod, p.method);
                let sum: Decimal = p.links.iter().map(|l| l.amount).sum();
                if sum != p.total {
                    self.fail(format!(
                        "{kind:?} {}: links add up to {sum}, total is {}",
                        p.id, p.total
                    ));
                }
                check_cents(&mut self.report, kind, p.id, "total", p.total);
                for link in &p.links {
                    self.refer(link.document.record_kind(), link.id);
                    self.settle((kind, p.id, link.id), link.amount, Side::Settlement);
                }
            }
            Record::Order(o) => {
                let contact_kind = match o.party {
                    Party::Customer => RecordKind::Customer,
                    Party::Supplier => RecordKind::Supplier,
                };
                self.refer(contact_kind, o.contact);
                if let Some(doc) = o.document {
                    let doc_kind = match o.party {
                        Party::Customer => RecordKind::Invoice,
                        Party::Supplier => RecordKind::Bill,
                    };
                    self.refer(doc_kind, doc);
                }
                self.lines(kind, o.id, &o.lines);
                self.totals(
                    kind,
                    o.id,
                    &o.lines,
                    o.sub_total,
                    o.total_discount,
                    o.total_tax,
                    o.total,
                );
            }
            Record::BankSpend(s) => {
                self.refer(RecordKind::BankAccount, s.bank_account);
                self.refer(RecordKind::PaymentMethod, s.method);
                if let Some(c) = s.contact {
                    self.refer(contact_kind(c.party), c.id);
                }
                self.lines(kind, s.id, &s.lines);
                let discount = s.lines.iter().map(|l| l.discount_amount).sum();
                self.totals(
                    kind,
                    s.id,
                    &s.lines,
                    s.sub_total,
                    discount,
                    s.total_tax,
                    s.total,
                );
                let _ = Direction::Spent;
            }
            Record::Transfer(t) => {
                self.refer(RecordKind::BankAccount, t.from_account);
                self.refer(RecordKind::BankAccount, t.to_account);
            }
            Record::JournalEntry(j) => {
                self.refer(RecordKind::Journal, j.journal);
                if let Some(source) = j.source {
                    self.refer(source.kind, source.id);
                }
                if j.lines.is_empty() {
                    self.fail(format!("journal entry {} has no lines", j.id));
                }
                let mut sum = Decimal::ZERO;
                for line in &j.lines {
                    sum += line.net_amount;
                    self.refer(RecordKind::Account, line.account);
                    if let Some(c) = line.contact {
                        self.refer(contact_kind(c.party), c.id);
                    }
                    for t in line.tracking.ids() {
                        self.refer(RecordKind::TrackingCategory, t);
                    }
                    if line.net_amount.scale() > 2 {
                        self.fail(format!(
                            "journal entry {}: {} is not to the cent",
                            j.id, line.net_amount
                        ));
                    }
                }
                if !sum.is_zero() {
                    self.fail(format!(
                        "journal entry {} does not balance: lines add up to {sum}",
                        j.id
                    ));
                }
            }
            Record::BankTransaction(b) => {
                self.refer(RecordKind::BankAccount, b.bank_account);
                self.refer(b.source.kind, b.source.id);
                let running = self
                    .bank_running
                    .entry(b.bank_account)
                    .or_insert(Decimal::ZERO);
                *running += b.amount;
                let expected = *running;
                if expected != b.balance {
                    self.fail(format!(
                        "bank transaction {}: balance {} but running total {expected}",
                        b.id, b.balance
                    ));
                }
                check_cents(&mut self.report, kind, b.id, "amount", b.amount);
            }
            Record::AccountTransaction(b) => {
                self.refer(RecordKind::BankAccount, b.bank_account);
                self.refer(b.source.kind, b.source.id);
            }
            Record::Account(a) => {
                self.account_balances
                    .insert(a.id, (a.account_type, a.balance, a.is_bank));
            }
            Record::BankAccount(b) => {
                self.refer(RecordKind::Account, b.ledger_account);
                self.bank_balances.push((b.id, b.balance));
            }
            Record::BalanceSheet(s) => {
                check_tree(&mut self.report, "balance sheet assets", &s.assets);
                check_tree(
                    &mut self.report,
                    "balance sheet liabilities",
                    &s.liabilities,
                );
                check_tree(&mut self.report, "balance sheet equity", &s.equity);
                if s.assets.value != s.liabilities.value + s.equity.value {
                    self.fail(format!(
                        "balance sheet {}: assets {} ≠ liabilities {} + equity {}",
                        s.date, s.assets.value, s.liabilities.value, s.equity.value
                    ));
                }
                if s.net_assets != s.assets.value - s.liabilities.value {
                    self.fail(format!(
                        "balance sheet {}: net assets {} ≠ assets − liabilities",
                        s.date, s.net_assets
                    ));
                }
                self.months.push((
                    s.date,
                    s.retained_earnings,
                    s.current_year_earnings,
                    s.equity.value,
                ));
                self.last_sheet_leaves.clear();
                let mut cash = Decimal::ZERO;
                for (section, sign) in [
                    (&s.assets, Decimal::ONE),
                    (&s.liabilities, Decimal::NEGATIVE_ONE),
                    (&s.equity, Decimal::NEGATIVE_ONE),
                ] {
                    let mut leaves = Vec::new();
                    collect_leaves(section, &mut leaves);
                    for (account, value) in leaves {
                        self.refer(RecordKind::Account, account);
                        self.last_sheet_leaves.insert(account, value * sign);
                        if let Some((AccountType::Asset, _, true)) =
                            self.account_balances.get(&account)
                        {
                            cash += value;
                        }
                    }
                }
                self.sheet_cash.push(cash);
            }
            Record::ProfitAndLoss(p) => {
                for line in [
                    &p.income,
                    &p.cost_of_sales,
                    &p.expenses,
                    &p.other_income,
                    &p.other_expenses,
                ] {
                    check_tree(&mut self.report, "profit and loss", line);
                }
                let ok = p.gross_profit == p.income.value - p.cost_of_sales.value
                    && p.net_operating_profit == p.gross_profit - p.expenses.value
                    && p.net_other_income == p.other_income.value - p.other_expenses.value
                    && p.net_profit == p.net_operating_profit + p.net_other_income;
                if !ok {
                    self.fail(format!(
                        "profit and loss {}: the totals do not add up",
                        p.from
                    ));
                }
                self.profits.push(p.net_profit);
            }
            Record::CashFlow(c) => {
                check_tree(&mut self.report, "cash receipts", &c.receipts);
                check_tree(&mut self.report, "cash payments", &c.payments);
                if c.closing_cash != c.opening_cash + c.receipts.value - c.payments.value {
                    self.fail(format!(
                        "cash flow {}: closing ≠ opening + receipts − payments",
                        c.from
                    ));
                }
                if let Some((_, previous_closing)) = self.cash_flow_closing.last()
                    && *previous_closing != c.opening_cash
                {
                    self.fail(format!("cash flow {}: opening ≠ previous closing", c.from));
                }
                self.cash_flow_closing
                    .push((c.opening_cash, c.closing_cash));
            }
            _ => {}
        }
    }

    fn document(&mut self, d: &Document) {
        let kind = d.kind.record_kind();
        self.refer(contact_kind(d.kind.party()), d.contact);
        if let Some((order, _)) = &d.order {
            let order_kind = match d.kind.party() {
                Party::Customer => RecordKind::SalesOrder,
                Party::Supplier => RecordKind::PurchaseOrder,
            };
            self.refer(order_kind, *order);
        }
        if let Some(doc) = d.credited_document {
            let target = match d.kind {
                DocumentKind::CreditNote => RecordKind::Invoice,
                _ => RecordKind::Bill,
            };
            self.refer(target, doc);
        }
        self.lines(kind, d.id, &d.lines);
        self.totals(
            kind,
            d.id,
            &d.lines,
            d.sub_total,
            d.total_discount,
            d.total_tax,
            d.total,
        );
        for (name, value) in [("amountDue", d.amount_due), ("total", d.total)] {
            check_cents(&mut self.report, kind, d.id, name, value);
        }
        if d.currency == crate::model::Currency::Gbp && d.currency_rate != Decimal::ONE {
            self.fail(format!(
                "{kind:?} {}: base-currency document with rate {}",
                d.id, d.currency_rate
            ));
        }
        let allocated: Decimal = d.allocations.iter().map(|a| a.amount).sum();
        let due = d.amount_due;
        let status_ok = match d.status {
            DocumentStatus::Void => due.is_zero() && d.allocations.is_empty(),
            DocumentStatus::Draft => due == d.total && d.allocations.is_empty(),
            DocumentStatus::Paid => due.is_zero() && d.paid_on.is_some(),
            DocumentStatus::PartiallyPaid => due > Decimal::ZERO && due < d.total,
            DocumentStatus::Open => due == d.total,
        };
        if !status_ok {
            self.fail(format!(
                "{kind:?} {}: status {:?} with {due} due of {}",
                d.id, d.status, d.total
            ));
        }
        if d.status != DocumentStatus::Paid && d.paid_on.is_some() {
            self.fail(format!(
                "{kind:?} {}: paid on a date but {:?}",
                d.id, d.status
            ));
        }
        if d.status != DocumentStatus::Void && due != d.total - allocated {
            self.fail(format!(
                "{kind:?} {}: {due} due but total {} − allocated {allocated}",
                d.id, d.total
            ));
        }
        for a in &d.allocations {
            if let Some(bank) = a.bank_account {
                self.refer(RecordKind::BankAccount, bank);
            }
            match (d.kind, a.source) {
                (DocumentKind::Invoice, AllocationSource::Payment(p)) => {
                    self.settle((RecordKind::Payment, p, d.id), a.amount, Side::Document)
                }
                (DocumentKind::Bill, AllocationSource::Payment(p)) => {
                    self.settle((RecordKind::BillPayment, p, d.id), a.amount, Side::Document)
                }
                (DocumentKind::Invoice, AllocationSource::CreditNote(c)) => {
                    self.settle((RecordKind::CreditNote, c, d.id), a.amount, Side::Document)
                }
                (DocumentKind::Bill, AllocationSource::CreditNote(c)) => self.settle(
                    (RecordKind::BillCreditNote, c, d.id),
                    a.amount,
                    Side::Document,
                ),
                (
                    DocumentKind::CreditNote | DocumentKind::BillCreditNote,
                    AllocationSource::Document(target),
                ) => self.settle((kind, d.id, target), a.amount, Side::Settlement),
                (k, s) => self.fail(format!(
                    "{k:?} {}: allocation from {s:?} does not fit",
                    d.id
                )),
            }
        }
    }

    fn lines(&mut self, kind: RecordKind, id: Id, lines: &[Line]) {
        if lines.is_empty() {
            self.fail(format!("{kind:?} {id} has no lines"));
        }
        for line in lines {
            self.refer(RecordKind::Account, line.account);
            self.refer(RecordKind::TaxRate, line.tax_rate);
            if let Some(item) = line.item {
                self.refer(RecordKind::Item, item);
            }
            for t in line.tracking.ids() {
                self.refer(RecordKind::TrackingCategory, t);
            }
            let Some(rate) = self.tax_rates.get(&line.tax_rate).copied() else {
                self.fail(format!(
                    "{kind:?} {id}: tax rate {} not seen before its use",
                    line.tax_rate
                ));
                continue;
            };
            let gross = cents(line.quantity * line.unit_amount);
            let discount = percent_of(gross, line.discount_percentage);
            let sub_total = gross - discount;
            let tax = percent_of(sub_total, rate);
            if line.discount_amount != discount
                || line.sub_total != sub_total
                || line.tax_amount != tax
                || line.total_amount != sub_total + tax
                || line.tax_percent != rate
            {
                self.fail(format!(
                    "{kind:?} {id} line {}: {} × {} less {}% at {}% tax should be {sub_total} + {tax}, is {} + {}",
                    line.line_number, line.quantity, line.unit_amount, line.discount_percentage, rate, line.sub_total, line.tax_amount
                ));
            }
            for (name, value) in [
                ("line subTotal", line.sub_total),
                ("line tax", line.tax_amount),
            ] {
                check_cents(&mut self.report, kind, id, name, value);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn totals(
        &mut self,
        kind: RecordKind,
        id: Id,
        lines: &[Line],
        sub_total: Decimal,
        discount: Decimal,
        tax: Decimal,
        total: Decimal,
    ) {
        let s: Decimal = lines.iter().map(|l| l.sub_total).sum();
        let d: Decimal = lines.iter().map(|l| l.discount_amount).sum();
        let t: Decimal = lines.iter().map(|l| l.tax_amount).sum();
        if s != sub_total || d != discount || t != tax || total != sub_total + tax {
            self.fail(format!("{kind:?} {id}: totals {sub_total}/{discount}/{tax}/{total} but lines give {s}/{d}/{t}"));
        }
    }

    /// Finishes the checks that need the whole stream and returns what was found.
    pub fn finish(mut self) -> CheckReport {
        // References.
        for kind in RecordKind::ALL {
            let i = kind.index();
            let missing: Vec<Id> = self.referenced[i]
                .missing_from(&self.defined[i])
                .take(5)
                .collect();
            if !missing.is_empty() {
                self.fail(format!("{kind:?} referenced but never served: {missing:?}"));
            }
        }
        // Allocations without their other half.
        let mut unmatched: Vec<_> = self.pending.keys().copied().collect();
        unmatched.sort_by_key(|k| (k.0, k.1, k.2));
        for key in unmatched.into_iter().take(5) {
            self.fail(format!("allocation {key:?} seen on one side only"));
        }
        // Bank balances.
        for (id, balance) in std::mem::take(&mut self.bank_balances) {
            let running = self.bank_running.get(&id).copied().unwrap_or(Decimal::ZERO);
            if running != balance {
                self.fail(format!(
                    "bank account {id}: balance {balance} but statement lines add up to {running}"
                ));
            }
        }
        // Trial balance, and the last balance sheet against the accounts.
        let total: Decimal = self.account_balances.values().map(|(_, b, _)| *b).sum();
        if !total.is_zero() {
            self.fail(format!("account balances add up to {total}, not zero"));
        }
        let retained = self
            .account_balances
            .iter()
            .filter(|(_, (t, _, _))| *t == AccountType::Income || *t == AccountType::Expense)
            .count();
        let _ = retained;
        if !self.months.is_empty() {
            for (id, (account_type, balance, _)) in &self.account_balances {
                if matches!(account_type, AccountType::Income | AccountType::Expense) {
                    continue;
                }
                let shown = self
                    .last_sheet_leaves
                    .get(id)
                    .copied()
                    .unwrap_or(Decimal::ZERO);
                if shown != *balance {
                    violation(
                        &mut self.report,
                        format!(
                            "account {id}: balance {balance}, last balance sheet shows {shown}"
                        ),
                    );
                }
            }
        }
        // Cash flow against the balance sheet's bank accounts.
        for (m, ((_, closing), cash)) in self
            .cash_flow_closing
            .iter()
            .zip(&self.sheet_cash)
            .enumerate()
        {
            if closing != cash {
                violation(
                    &mut self.report,
                    format!(
                        "month {m}: cash flow closes at {closing}, balance sheet cash is {cash}"
                    ),
                );
            }
        }
        // Net income of each financial year = change in retained earnings.
        let mut year_profit = Decimal::ZERO;
        for (m, ((date, retained, current, _), profit)) in
            self.months.iter().zip(&self.profits).enumerate()
        {
            if m > 0 && date.month() == self.fy_start_month {
                let change = *retained - self.months[m - 1].1;
                if change != year_profit {
                    violation(
                        &mut self.report,
                        format!(
                            "year to {}: net income {year_profit}, retained earnings changed by {change}",
                            self.months[m - 1].0
                        ),
                    );
                }
                year_profit = Decimal::ZERO;
            }
            year_profit += *profit;
            if *current != year_profit {
                violation(
                    &mut self.report,
                    format!(
                        "{date}: current-year earnings {current} ≠ profit so far {year_profit}"
                    ),
                );
            }
        }
        if self.months.len() != self.profits.len()
            || self.months.len() != self.cash_flow_closing.len()
        {
            violation(
                &mut self.report,
                "statements are missing for some months".to_string(),
            );
        }
        self.report
    }
}

fn contact_kind(party: Party) -> RecordKind {
    match party {
        Party::Customer => RecordKind::Customer,
        Party::Supplier => RecordKind::Supplier,
    }
}

fn check_cents(report: &mut CheckReport, kind: RecordKind, id: Id, name: &str, value: Decimal) {
    if value.scale() != 2 {
        violation(
            report,
            format!("{kind:?} {id}: {name} {value} is not written to the cent"),
        );
    }
}

fn check_tree(report: &mut CheckReport, name: &str, line: &ReportLine) {
    if line.items.is_empty() {
        return;
    }
    let sum: Decimal = line.items.iter().map(|i| i.value).sum();
    if sum != line.value {
        violation(
            report,
            format!(
                "{name}: {} is {} but its lines add up to {sum}",
                line.name, line.value
            ),
        );
    }
    for item in &line.items {
        check_tree(report, name, item);
    }
}

fn collect_leaves(line: &ReportLine, out: &mut Vec<(Id, Decimal)>) {
    if let Some(account) = line.account {
        out.push((account, line.value));
    }
    for item in &line.items {
        collect_leaves(item, out);
    }
}

/// Runs the checker over a whole snapshot.
pub fn check(snapshot: &crate::Snapshot<'_>) -> CheckReport {
    let mut checker = Checker::new(snapshot.books().config().financial_year_start_month);
    for record in snapshot.records() {
        checker.observe(&record);
    }
    checker.finish()
}
