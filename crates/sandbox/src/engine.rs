//! The generator: walks the business's timeline month by month and yields records.
//!
//! How a record's state at a sync stays a pure function of `(config, sync)`:
//! - Each month's *plan* (which documents are raised on which day) comes from its own random
//!   stream, and each planned document draws its whole life from its own stream when it is
//!   raised: approval, edits, credit notes, payments, voiding or deletion, each with a date.
//! - A snapshot is that timeline cut at a date: events before the cut-off happened, later
//!   ones have not. A document is emitted once, in its state at the cut-off; its payments,
//!   credit notes and journal entries follow if they happened before the cut-off.
//! - Amounts that depend on balances (VAT returns, card repayments, sweeps, depreciation)
//!   read a second ledger that holds every entry that will ever be posted (the *limit*
//!   ledger), never the cut one, and only for months already complete, so they come out
//!   the same whatever the cut-off.
//! - Ids and numbers are counters bumped in a fixed order for every pre-drawn event,
//!   visible or not, so later syncs never renumber earlier records.
//!
//! Memory: open bank movements (a heap ordered by date) and month-by-account totals. The
//! documents themselves are emitted as soon as they are drawn.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use rust_decimal::Decimal;

use crate::books::Books;
use crate::chart::{
    self, Accounts, BANK_ACCOUNTS, CHART, JOURNALS, PAYMENT_METHODS, TAX_RATES, TRACKING,
};
use crate::ledger::{CashCategory, Ledger, day_before};
use crate::master::{
    self, ContactState, NameRegistry, add_days, at, business_secs, month_end, month_start, tag,
    tax_percent, text,
};
use crate::model::{
    Account, Allocation, AllocationSource, BankAccount, BankSpend, BankTransaction,
    BankTransactionKind, ContactRef, Currency, Deletion, Direction, Document, DocumentKind,
    DocumentStatus, Id, Journal, JournalEntry, JournalLine, Line, Order, OrderStatus, Party,
    Payment, PaymentLink, PaymentMethod, Record, RecordKind, RecordRef, TaxRate, Text, Tracking,
    TrackingCategory, Transfer,
};
use crate::money::{cents, pence, percent_of, to_base, zero};
use crate::rng::{Rng, mix64};
use crate::words::{self, SupplierRole};

/// What happens on a planned day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PlanKind {
    Opening,
    NewCustomer,
    Prospect,
    RentBill,
    SoftwareBill,
    TelecomBill,
    CardPayoff,
    VatReturn,
    EnergyBill,
    LoanRepayment,
    SoftwareUsdBill,
    Paye,
    Invoice,
    StockBill,
    OtherBill,
    Spend,
    SavingsSweep,
    Payroll,
    FxSweep,
    BankFees,
    Interest,
    Depreciation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct PlanItem {
    date: NaiveDate,
    secs: u32,
    kind: PlanKind,
    idx: u32,
}

/// A bank movement waiting for its date, so statement lines come out in date order with
/// running balances.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pending {
    date: NaiveDate,
    seq: Id,
    bank: usize,
    amount: Decimal,
    rate: Decimal,
    description: Text,
    kind: BankTransactionKind,
    source: RecordRef,
    created: NaiveDateTime,
}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.date, self.seq).cmp(&(other.date, other.seq))
    }
}

#[derive(Default)]
struct Counters {
    customer: Id,
    supplier: Id,
    invoice: Id,
    credit_note: Id,
    bill: Id,
    bill_credit_note: Id,
    payment: Id,
    bill_payment: Id,
    sales_order: Id,
    purchase_order: Id,
    direct_cost: Id,
    direct_income: Id,
    transfer: Id,
    journal_entry: Id,
    movement: Id,
}

fn bump(counter: &mut Id) -> Id {
    *counter += 1;
    *counter
}

/// Indices into `suppliers` by role.
#[derive(Default)]
struct Roles {
    by_role: Vec<(SupplierRole, usize)>,
    stock: Vec<usize>,
}

impl Roles {
    fn first(&self, role: SupplierRole) -> Option<usize> {
        self.by_role
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, i)| *i)
    }
    fn all(&self, role: SupplierRole) -> impl Iterator<Item = usize> + '_ {
        self.by_role
            .iter()
            .filter(move |(r, _)| *r == role)
            .map(|(_, i)| *i)
    }
}

enum Phase {
    Setup,
    Plan,
    Close,
    Finish,
    Done,
}

/// How a document gets settled.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Drawn: may be voided, deleted, credited, paid late, in parts or not at all.
    Random,
    /// Paid in full on its due date through `bank` (a ledger account) by `method`.
    Settled { bank: Id, method: Id },
}

/// A document about to be raised.
struct Raise {
    kind: DocumentKind,
    contact: usize,
    issue: NaiveDate,
    secs: u32,
    currency: Currency,
    rate: Decimal,
    lines: Vec<Line>,
    order: Option<(Id, Text)>,
    number: Text,
    behaviour: Behaviour,
    terms: u32,
}

/// A settlement event in a document's life.
struct Settlement {
    date: NaiveDate,
    secs: u32,
    amount: Decimal,
    /// A credit note (true) or a payment.
    credit: bool,
}

pub(crate) struct Engine<'a> {
    books: &'a Books,
    seed: u64,
    cutoff: NaiveDate,
    acc: Accounts,
    phase: Phase,
    month: u32,
    plan: Vec<PlanItem>,
    pos: usize,
    customers: Vec<ContactState>,
    suppliers: Vec<ContactState>,
    roles: Roles,
    names: NameRegistry,
    next: Counters,
    heap: BinaryHeap<Reverse<Pending>>,
    bank_balance: [Decimal; 5],
    bank_modified: [Option<NaiveDateTime>; 5],
    view: Ledger,
    limit: Ledger,
    invoice_numbers: u64,
    credit_numbers: u64,
    so_numbers: u64,
    po_numbers: u64,
}

/// Seasonal volume by calendar month, percent.
const SEASON: [u64; 12] = [88, 94, 104, 100, 102, 97, 92, 86, 106, 110, 116, 105];

impl<'a> Engine<'a> {
    pub(crate) fn new(books: &'a Books, cutoff: NaiveDate) -> Self {
        let start = books.config.start;
        Self {
            books,
            seed: books.config.seed.0,
            cutoff,
            acc: Accounts::resolve(),
            phase: Phase::Setup,
            month: 0,
            plan: Vec::new(),
            pos: 0,
            customers: Vec::new(),
            suppliers: Vec::new(),
            roles: Roles::default(),
            names: NameRegistry::default(),
            next: Counters::default(),
            heap: BinaryHeap::new(),
            bank_balance: [zero(); 5],
            bank_modified: [None; 5],
            view: Ledger::new(start),
            limit: Ledger::new(start),
            invoice_numbers: 0,
            credit_numbers: 0,
            so_numbers: 0,
            po_numbers: 0,
        }
    }

    /// Does one unit of work, pushing the records it produced. False once the books are done.
    pub(crate) fn step(&mut self, out: &mut VecDeque<Record>) -> bool {
        match self.phase {
            Phase::Setup => {
                self.setup(out);
                self.plan = self.plan_month(0);
                self.pos = 0;
                self.phase = Phase::Plan;
            }
            Phase::Plan => match self.plan.get(self.pos).copied() {
                Some(item) if item.date >= self.cutoff => self.phase = Phase::Finish,
                Some(item) => {
                    self.pos += 1;
                    self.run(item, out);
                }
                None => self.phase = Phase::Close,
            },
            Phase::Close => {
                let last = month_end(month_start(self.books.config.start, self.month));
                self.flush(last, out);
                self.month += 1;
                let next = month_start(self.books.config.start, self.month);
                if next >= self.cutoff {
                    self.phase = Phase::Finish;
                } else {
                    self.plan = self.plan_month(self.month);
                    self.pos = 0;
                    self.phase = Phase::Plan;
                }
            }
            Phase::Finish => {
                self.finish(out);
                self.phase = Phase::Done;
            }
            Phase::Done => return false,
        }
        true
    }

    fn visible(&self, date: NaiveDate) -> bool {
        date < self.cutoff
    }

    // ----- setup -------------------------------------------------------------------------

    fn setup(&mut self, out: &mut VecDeque<Record>) {
        let books = self.books;
        let config = &books.config;
        out.push_back(Record::Company(Box::new(books.company.clone())));
        let created = books.company.created;
        for (i, (code, name, rate)) in TAX_RATES.iter().enumerate() {
            out.push_back(Record::TaxRate(TaxRate {
                id: i as Id + 1,
                code,
                name,
                rate: Decimal::from(*rate),
                created,
            }));
        }
        for (i, (name, parent)) in TRACKING.iter().enumerate() {
            out.push_back(Record::TrackingCategory(TrackingCategory {
                id: i as Id + 1,
                name,
                parent: (*parent > 0).then_some(*parent as Id),
                has_children: TRACKING.iter().any(|(_, p)| *p == i + 1),
                created,
            }));
        }
        for (i, (name, kind)) in PAYMENT_METHODS.iter().enumerate() {
            out.push_back(Record::PaymentMethod(PaymentMethod {
                id: i as Id + 1,
                name,
                kind: *kind,
                created,
            }));
        }
        for (i, (code, name, kind)) in JOURNALS.iter().enumerate() {
            out.push_back(Record::Journal(Journal {
                id: i as Id + 1,
                code,
                name,
                kind,
                created,
            }));
        }
        for item in &books.items {
            out.push_back(Record::Item(item.record(self.cutoff)));
        }
        // Customers and suppliers the business already had when the books start.
        let scale = &books.scale;
        let before = |rng: &mut Rng| {
            at(
                add_days(config.start, -rng.between(20, 900)),
                business_secs(rng),
            )
        };
        let mut rng = Rng::derive(self.seed, tag::RECURRING, 0, 0);
        let mut created_at: Vec<NaiveDateTime> = (0..scale.initial_customers)
            .map(|_| before(&mut rng))
            .collect();
        created_at.sort();
        for when in created_at {
            let id = bump(&mut self.next.customer);
            let state = master::customer(config, id, when, scale.foreign, false, &mut self.names);
            out.push_back(Record::Contact(Box::new(state.record(config, self.cutoff))));
            self.customers.push(state);
        }
        let mut roles: Vec<(SupplierRole, Currency)> = vec![
            (SupplierRole::Hmrc, Currency::Gbp),
            (SupplierRole::Telecom, Currency::Gbp),
            (SupplierRole::Software, Currency::Gbp),
            (SupplierRole::Accountant, Currency::Gbp),
            (SupplierRole::Insurance, Currency::Gbp),
            (SupplierRole::Stationery, Currency::Gbp),
            (SupplierRole::Equipment, Currency::Gbp),
            (SupplierRole::Repairs, Currency::Gbp),
        ];
        if scale.rent > Decimal::ZERO {
            roles.push((SupplierRole::Landlord, Currency::Gbp));
        }
        if scale.energy > Decimal::ZERO {
            roles.push((SupplierRole::Energy, Currency::Gbp));
        }
        if scale.foreign {
            roles.push((SupplierRole::Software, Currency::Usd));
            roles.push((SupplierRole::Marketing, Currency::Gbp));
            roles.push((SupplierRole::Courier, Currency::Gbp));
        }
        for i in 0..scale.stock_suppliers {
            let currency = if scale.foreign && i % 5 == 2 {
                Currency::Eur
            } else {
                Currency::Gbp
            };
            roles.push((SupplierRole::Stock, currency));
        }
        for _ in 0..scale.subcontractors {
            roles.push((SupplierRole::Subcontractor, Currency::Gbp));
        }
        for (role, currency) in roles {
            let id = bump(&mut self.next.supplier);
            let when = before(&mut rng);
            let state = master::supplier(config, id, role, currency, when, &mut self.names);
            out.push_back(Record::Contact(Box::new(state.record(config, self.cutoff))));
            let index = self.suppliers.len();
            if role == SupplierRole::Stock {
                self.roles.stock.push(index);
            }
            self.roles.by_role.push((role, index));
            self.suppliers.push(state);
        }
    }

    // ----- planning ----------------------------------------------------------------------

    fn plan_month(&self, m: u32) -> Vec<PlanItem> {
        let scale = &self.books.scale;
        let first = month_start(self.books.config.start, m);
        let last = month_end(first);
        let days = last.day();
        let mut rng = Rng::derive(self.seed, tag::PLAN, u64::from(m), 0);
        let season = SEASON[first.month0() as usize];
        let growth = 1000 + 4 * u64::from(m);
        let count = |rng: &mut Rng, milli: u64| -> u32 {
            let x = milli * season / 100 * growth / 1000 * rng.between(90, 110) as u64 / 100;
            (x / 1000) as u32 + u32::from(rng.below(1000) < x % 1000)
        };
        let mut plan = Vec::new();
        let random_day = |rng: &mut Rng| -> NaiveDate {
            let mut date = first;
            for _ in 0..3 {
                date = first
                    .with_day(rng.between(1, i64::from(days)) as u32)
                    .unwrap_or(first);
                let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                if !weekend || rng.chance(150) {
                    break;
                }
            }
            date
        };
        let kinds = [
            (PlanKind::Invoice, scale.invoices_milli),
            (PlanKind::StockBill, scale.stock_bills_milli),
            (PlanKind::OtherBill, scale.other_bills_milli),
            (PlanKind::Spend, scale.spends_milli),
            (PlanKind::NewCustomer, scale.new_customers_milli),
            (PlanKind::Prospect, scale.prospects_milli),
        ];
        for (kind, milli) in kinds {
            let n = count(&mut rng, milli);
            for idx in 0..n {
                let date = random_day(&mut rng);
                let secs = business_secs(&mut rng);
                plan.push(PlanItem {
                    date,
                    secs,
                    kind,
                    idx,
                });
            }
        }
        let day = |d: u32| first.with_day(d.min(days)).unwrap_or(first);
        let weekday_on_or_after = |d: NaiveDate| match d.weekday() {
            Weekday::Sat => add_days(d, 2),
            Weekday::Sun => add_days(d, 1),
            _ => d,
        };
        let weekday_on_or_before = |d: NaiveDate| match d.weekday() {
            Weekday::Sat => add_days(d, -1),
            Weekday::Sun => add_days(d, -2),
            _ => d,
        };
        let mut fixed = |kind: PlanKind, date: NaiveDate, secs: u32| {
            plan.push(PlanItem {
                date,
                secs,
                kind,
                idx: 0,
            });
        };
        if m == 0 {
            fixed(PlanKind::Opening, first, 0);
        }
        if scale.rent > Decimal::ZERO {
            fixed(PlanKind::RentBill, day(1), 7 * 3600);
        }
        if scale.software_bill {
            fixed(PlanKind::SoftwareBill, day(2), 6 * 3600);
        }
        fixed(PlanKind::TelecomBill, day(3), 7 * 3600);
        if m > 0 {
            fixed(PlanKind::CardPayoff, weekday_on_or_after(day(5)), 10 * 3600);
        }
        if m >= 2 && matches!(first.month(), 2 | 5 | 8 | 11) {
            fixed(PlanKind::VatReturn, weekday_on_or_after(day(7)), 11 * 3600);
        }
        if scale.energy > Decimal::ZERO {
            fixed(PlanKind::EnergyBill, day(10), 7 * 3600);
        }
        if scale.loan > Decimal::ZERO {
            fixed(PlanKind::LoanRepayment, day(15), 6 * 3600);
        }
        if scale.foreign {
            fixed(PlanKind::SoftwareUsdBill, day(15), 5 * 3600);
        }
        if scale.staff > 0 && m > 0 {
            fixed(PlanKind::Paye, weekday_on_or_before(day(22)), 9 * 3600);
        }
        if scale.savings && m > 0 {
            fixed(
                PlanKind::SavingsSweep,
                weekday_on_or_before(day(28)),
                16 * 3600,
            );
        }
        if scale.staff > 0 {
            fixed(PlanKind::Payroll, weekday_on_or_before(last), 12 * 3600);
        }
        if scale.foreign && m > 0 {
            fixed(PlanKind::FxSweep, weekday_on_or_before(last), 15 * 3600);
        }
        fixed(PlanKind::BankFees, last, 20 * 3600);
        if scale.savings {
            fixed(PlanKind::Interest, last, 21 * 3600);
        }
        fixed(PlanKind::Depreciation, last, 22 * 3600);
        plan.sort();
        plan
    }

    fn run(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        // Every planned event draws from its own stream.
        let key = ((item.kind as u64) << 32) | u64::from(self.month);
        let mut rng = Rng::derive(self.seed, tag::DOCUMENT, key, u64::from(item.idx));
        match item.kind {
            PlanKind::Opening => self.opening(item, out),
            PlanKind::NewCustomer => self.new_customer(item, false, out),
            PlanKind::Prospect => self.new_customer(item, true, out),
            PlanKind::Invoice => self.invoice(item, &mut rng, out),
            PlanKind::StockBill => self.stock_bill(item, &mut rng, out),
            PlanKind::OtherBill => self.other_bill(item, &mut rng, out),
            PlanKind::RentBill
            | PlanKind::SoftwareBill
            | PlanKind::TelecomBill
            | PlanKind::EnergyBill
            | PlanKind::SoftwareUsdBill => self.recurring_bill(item, &mut rng, out),
            PlanKind::Spend => self.spend(item, &mut rng, out),
            PlanKind::CardPayoff => self.card_payoff(item, out),
            PlanKind::VatReturn => self.vat_return(item, out),
            PlanKind::LoanRepayment => self.loan_repayment(item, out),
            PlanKind::Paye => self.paye(item, out),
            PlanKind::SavingsSweep => self.savings_sweep(item, out),
            PlanKind::Payroll => self.payroll(item, out),
            PlanKind::FxSweep => self.fx_sweep(item, out),
            PlanKind::BankFees => self.bank_fees(item, &mut rng, out),
            PlanKind::Interest => self.interest(item, out),
            PlanKind::Depreciation => self.depreciation(item, out),
        }
    }

    // ----- rates and prices --------------------------------------------------------------

    /// Base units per unit of `currency` in the month of `date` (4 decimal places).
    fn fx(&self, currency: Currency, date: NaiveDate) -> Decimal {
        let base = match currency {
            Currency::Gbp => return Decimal::ONE,
            Currency::Eur => 8_560,
            Currency::Usd => 7_850,
        };
        let month = (date.year() as i64 * 12 + i64::from(date.month0())) as u64;
        let mut rng = Rng::derive(self.seed, tag::FX, currency as u64, month);
        let noise = rng.between(-350, 350);
        Decimal::new(base * (10_000 + noise) / 10_000, 4)
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &self,
        number: u32,
        description: Text,
        item: Option<Id>,
        account: Id,
        tax: usize,
        quantity: Decimal,
        unit_amount: Decimal,
        discount_percentage: Decimal,
        tracking: Tracking,
    ) -> Line {
        let gross = cents(quantity * unit_amount);
        let discount_amount = percent_of(gross, discount_percentage);
        let sub_total = gross - discount_amount;
        let tax_percent = tax_percent(tax);
        let tax_amount = percent_of(sub_total, tax_percent);
        Line {
            line_number: number,
            description,
            item,
            account,
            tax_rate: tax as Id + 1,
            tax_percent,
            quantity,
            unit_amount,
            discount_percentage,
            discount_amount,
            sub_total,
            tax_amount,
            total_amount: sub_total + tax_amount,
            tracking,
            order_line: None,
        }
    }

    fn sales_lines(
        &self,
        rng: &mut Rng,
        customer: &ContactState,
        date: NaiveDate,
        rate: Decimal,
    ) -> Vec<Line> {
        let items = &self.books.items;
        let n = rng.weighted(&[40, 30, 20, 10]) + 1;
        let discount = if rng.chance(220) {
            Decimal::from(*rng.pick(&[5i64, 10, 10, 15]))
        } else {
            Decimal::ZERO
        };
        let region = Some(chart::region(customer.region));
        let mut chosen = Vec::with_capacity(n);
        (0..n)
            .map(|i| {
                // Different items on each line, as a person would write it.
                let mut pick = rng.skewed(items.len());
                for _ in 0..4 {
                    if !chosen.contains(&pick) {
                        break;
                    }
                    pick = rng.index(items.len());
                }
                chosen.push(pick);
                let item = &items[pick];
                let (price, _) = item.prices_on(date);
                let unit = if rate == Decimal::ONE {
                    price
                } else {
                    cents(price / rate)
                };
                let quantity = if item.unit == "hour" {
                    Decimal::new(rng.between(item.qty.0 * 2, item.qty.1 * 2), 0) / Decimal::TWO
                } else {
                    Decimal::from(rng.between(item.qty.0, item.qty.1))
                };
                // Exports are zero-rated.
                let tax = if customer.currency == Currency::Gbp {
                    item.tax
                } else {
                    2
                };
                let department = Some(if item.kind == crate::model::ItemKind::Service {
                    chart::DEPT_OPERATIONS
                } else {
                    chart::DEPT_SALES
                });
                self.line(
                    i as u32 + 1,
                    item.name.clone(),
                    Some(item.id),
                    item.sales_account,
                    tax,
                    quantity,
                    unit,
                    discount,
                    Tracking { region, department },
                )
            })
            .collect()
    }

    // ----- contacts ----------------------------------------------------------------------

    fn new_customer(&mut self, item: PlanItem, prospect: bool, out: &mut VecDeque<Record>) {
        let config = &self.books.config;
        let id = bump(&mut self.next.customer);
        let created = at(item.date, item.secs);
        let state = master::customer(
            config,
            id,
            created,
            self.books.scale.foreign,
            prospect,
            &mut self.names,
        );
        match state.deleted {
            Some(when) if self.visible(when.date()) => out.push_back(Record::Deleted(Deletion {
                record: RecordRef {
                    kind: RecordKind::Customer,
                    id,
                },
                at: when,
            })),
            _ => out.push_back(Record::Contact(Box::new(state.record(config, self.cutoff)))),
        }
        if !prospect {
            self.customers.push(state);
        }
    }

    fn pick_customer(&self, rng: &mut Rng, date: NaiveDate) -> Option<usize> {
        let n = self.customers.len();
        if n == 0 {
            return None;
        }
        for _ in 0..6 {
            let i = rng.skewed(n);
            if self.customers[i].active_on(date) {
                return Some(i);
            }
        }
        (0..n.min(3)).find(|&i| self.customers[i].active_on(date))
    }

    // ----- documents ---------------------------------------------------------------------

    fn invoice(&mut self, item: PlanItem, rng: &mut Rng, out: &mut VecDeque<Record>) {
        let Some(c) = self.pick_customer(rng, item.date) else {
            return;
        };
        let customer = &self.customers[c];
        let currency = customer.currency;
        let terms = customer.terms;
        let with_order = rng.chance(self.books.scale.sales_orders);
        let rate_then = self.fx(currency, item.date);
        let mut lines = self.sales_lines(rng, customer, item.date, rate_then);
        let mut order = None;
        let mut issue = item.date;
        let mut secs = item.secs;
        if with_order {
            let id = bump(&mut self.next.sales_order);
            self.so_numbers += 1;
            let number: Text = format!("SO-{:05}", self.so_numbers).into();
            issue = add_days(item.date, rng.between(2, 12));
            secs = business_secs(rng);
            let voided = rng
                .chance(80)
                .then(|| add_days(item.date, rng.between(1, 10)));
            let invoice_id = self.next.invoice + 1;
            let customer_reference = rng
                .chance(600)
                .then(|| Text::from(format!("PO{}", rng.between(10_000, 99_999))));
            for line in &mut lines {
                line.order_line = Some((id, line.line_number));
            }
            let created = at(item.date, item.secs);
            let invoiced = voided.is_none() && self.visible(issue);
            let void_visible = voided.filter(|d| self.visible(*d));
            let status = if invoiced {
                OrderStatus::Closed
            } else if void_visible.is_some() {
                OrderStatus::Void
            } else {
                OrderStatus::Open
            };
            let modified = match (invoiced, void_visible) {
                (true, _) => at(issue, secs),
                (false, Some(d)) => at(d, business_secs(rng)),
                _ => created,
            };
            let customer = &self.customers[c];
            let ship_to = customer.address.clone();
            let (sub_total, total_discount, total_tax, total) = totals(&lines);
            out.push_back(Record::Order(Box::new(Order {
                party: Party::Customer,
                id,
                number: number.clone(),
                customer_reference,
                contact: customer.id,
                contact_name: customer.name.clone(),
                issue_date: item.date,
                expected_delivery: issue,
                delivery_date: invoiced.then_some(issue),
                status,
                document: invoiced.then_some(invoice_id),
                currency,
                currency_rate: rate_then,
                lines: lines.clone(),
                sub_total,
                total_discount,
                total_tax,
                total,
                ship_to,
                note: None,
                created,
                modified,
            })));
            if voided.is_some() {
                return;
            }
            order = Some((id, number));
        }
        self.invoice_numbers += 1;
        let number: Text = format!("INV-{:05}", self.invoice_numbers).into();
        let rate = self.fx(currency, issue);
        let raise = Raise {
            kind: DocumentKind::Invoice,
            contact: c,
            issue,
            secs,
            currency,
            rate,
            lines,
            order,
            number,
            behaviour: Behaviour::Random,
            terms,
        };
        self.raise(raise, rng, out);
    }

    fn stock_bill(&mut self, item: PlanItem, rng: &mut Rng, out: &mut VecDeque<Record>) {
        if self.roles.stock.is_empty() {
            return;
        }
        let s = self.roles.stock[rng.skewed(self.roles.stock.len())];
        let supplier = &self.suppliers[s];
        let currency = supplier.currency;
        let supplier_tax = supplier.tax;
        let terms = supplier.terms;
        let rate_then = self.fx(currency, item.date);
        let stocked: Vec<usize> = self
            .books
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.cost.is_some())
            .map(|(i, _)| i)
            .collect();
        let n = rng.weighted(&[35, 35, 20, 10]) + 1;
        let ops = Some(chart::DEPT_OPERATIONS);
        let mut lines = Vec::with_capacity(n);
        for i in 0..n {
            if stocked.is_empty() {
                let amount = pence(rng.between(20_000, 250_000));
                lines.push(self.line(
                    i as u32 + 1,
                    text("Wholesale purchases"),
                    None,
                    self.acc.cost_of_goods,
                    supplier_tax,
                    Decimal::ONE,
                    amount,
                    Decimal::ZERO,
                    Tracking {
                        region: None,
                        department: ops,
                    },
                ));
                continue;
            }
            let it = &self.books.items[stocked[rng.skewed(stocked.len())]];
            let (_, cost) = it.prices_on(item.date);
            let cost = cost.unwrap_or(it.price);
            let unit = if rate_then == Decimal::ONE {
                cost
            } else {
                cents(cost / rate_then)
            };
            let quantity = Decimal::from(rng.between(it.qty.1, it.qty.1 * 4));
            let tax = if currency == Currency::Gbp {
                it.tax
            } else {
                supplier_tax
            };
            lines.push(self.line(
                i as u32 + 1,
                it.name.clone(),
                Some(it.id),
                it.purchase_account,
                tax,
                quantity,
                unit,
                Decimal::ZERO,
                Tracking {
                    region: None,
                    department: ops,
                },
            ));
        }
        let mut order = None;
        let mut issue = item.date;
        let mut secs = item.secs;
        if rng.chance(self.books.scale.purchase_orders) {
            let id = bump(&mut self.next.purchase_order);
            self.po_numbers += 1;
            let number: Text = format!("PO-{:05}", self.po_numbers).into();
            issue = add_days(item.date, rng.between(3, 21));
            secs = business_secs(rng);
            for line in &mut lines {
                line.order_line = Some((id, line.line_number));
            }
            let billed = self.visible(issue);
            let created = at(item.date, item.secs);
            let company_address = self.books.company.address.clone();
            let (sub_total, total_discount, total_tax, total) = totals(&lines);
            out.push_back(Record::Order(Box::new(Order {
                party: Party::Supplier,
                id,
                number: number.clone(),
                customer_reference: None,
                contact: self.suppliers[s].id,
                contact_name: self.suppliers[s].name.clone(),
                issue_date: item.date,
                expected_delivery: issue,
                delivery_date: billed.then_some(issue),
                status: if billed {
                    OrderStatus::Closed
                } else {
                    OrderStatus::Open
                },
                document: billed.then_some(self.next.bill + 1),
                currency,
                currency_rate: rate_then,
                lines: lines.clone(),
                sub_total,
                total_discount,
                total_tax,
                total,
                ship_to: company_address,
                note: None,
                created,
                modified: if billed { at(issue, secs) } else { created },
            })));
            order = Some((id, number));
        }
        let number = supplier_invoice_number(rng);
        let rate = self.fx(currency, issue);
        self.raise(
            Raise {
                kind: DocumentKind::Bill,
                contact: s,
                issue,
                secs,
                currency,
                rate,
                lines,
                order,
                number,
                behaviour: Behaviour::Random,
                terms,
            },
            rng,
            out,
        );
    }

    fn other_bill(&mut self, item: PlanItem, rng: &mut Rng, out: &mut VecDeque<Record>) {
        const ROLES: [(SupplierRole, u32, &str, (i64, i64)); 8] = [
            (
                SupplierRole::Accountant,
                10,
                "Bookkeeping and accounts",
                (25_000, 180_000),
            ),
            (
                SupplierRole::Insurance,
                4,
                "Insurance premium",
                (30_000, 240_000),
            ),
            (
                SupplierRole::Marketing,
                12,
                "Marketing campaign",
                (40_000, 350_000),
            ),
            (
                SupplierRole::Stationery,
                20,
                "Office supplies",
                (2_500, 30_000),
            ),
            (
                SupplierRole::Equipment,
                5,
                "Laptop and accessories",
                (60_000, 240_000),
            ),
            (
                SupplierRole::Repairs,
                12,
                "Repairs and servicing",
                (8_000, 90_000),
            ),
            (
                SupplierRole::Courier,
                20,
                "Courier charges",
                (3_000, 60_000),
            ),
            (
                SupplierRole::Subcontractor,
                17,
                "Subcontracted work",
                (30_000, 400_000),
            ),
        ];
        let weights: Vec<u32> = ROLES
            .iter()
            .map(|(role, w, _, _)| {
                if self.roles.first(*role).is_some() {
                    *w
                } else {
                    0
                }
            })
            .collect();
        if weights.iter().all(|w| *w == 0) {
            return;
        }
        let (role, _, description, range) = ROLES[rng.weighted(&weights)];
        let candidates: Vec<usize> = self.roles.all(role).collect();
        let s = candidates[rng.index(candidates.len())];
        let supplier = &self.suppliers[s];
        let scale = self.books.scale.bill_scale;
        let amount = cents(
            pence(rng.between(range.0, range.1)) * Decimal::from(scale) / Decimal::ONE_HUNDRED,
        );
        let amount = if role == SupplierRole::Equipment {
            pence(rng.between(range.0, range.1))
        } else {
            amount
        };
        let dept = Some(match role {
            SupplierRole::Courier | SupplierRole::Subcontractor => chart::DEPT_OPERATIONS,
            SupplierRole::Marketing => chart::DEPT_SALES,
            _ => chart::DEPT_ADMIN,
        });
        let month_name = item.date.format("%B %Y").to_string();
        let lines = vec![self.line(
            1,
            format!("{description} - {month_name}").into(),
            None,
            supplier.account,
            supplier.tax,
            Decimal::ONE,
            amount,
            Decimal::ZERO,
            Tracking {
                region: None,
                department: dept,
            },
        )];
        let (currency, terms) = (supplier.currency, supplier.terms);
        let rate = self.fx(currency, item.date);
        let number = supplier_invoice_number(rng);
        self.raise(
            Raise {
                kind: DocumentKind::Bill,
                contact: s,
                issue: item.date,
                secs: item.secs,
                currency,
                rate,
                lines,
                order: None,
                number,
                behaviour: Behaviour::Random,
                terms,
            },
            rng,
            out,
        );
    }

    fn recurring_bill(&mut self, item: PlanItem, rng: &mut Rng, out: &mut VecDeque<Record>) {
        let scale = &self.books.scale;
        let size_factor = Decimal::from(scale.bill_scale) / Decimal::ONE_HUNDRED;
        let years = (item.date.year() - self.books.config.start.year()).max(0);
        let month_name = item.date.format("%B %Y").to_string();
        let (role, currency, amount, description, bank, method) = match item.kind {
            PlanKind::RentBill => {
                let mut rent = scale.rent;
                for _ in 0..years {
                    rent = cents(rent * Decimal::new(103, 2));
                }
                (
                    SupplierRole::Landlord,
                    Currency::Gbp,
                    rent,
                    "Rent",
                    self.acc.current,
                    chart::METHOD_DIRECT_DEBIT,
                )
            }
            PlanKind::EnergyBill => {
                let winter = matches!(item.date.month(), 11 | 12 | 1 | 2 | 3);
                let base = if winter {
                    scale.energy * Decimal::new(14, 1)
                } else {
                    scale.energy
                };
                let amount =
                    cents(base * Decimal::from(rng.between(85, 115)) / Decimal::ONE_HUNDRED);
                (
                    SupplierRole::Energy,
                    Currency::Gbp,
                    amount,
                    "Electricity and gas",
                    self.acc.current,
                    chart::METHOD_DIRECT_DEBIT,
                )
            }
            PlanKind::TelecomBill => (
                SupplierRole::Telecom,
                Currency::Gbp,
                cents(pence(rng.between(9_500, 11_000)) * size_factor),
                "Broadband and phone lines",
                self.acc.current,
                chart::METHOD_DIRECT_DEBIT,
            ),
            PlanKind::SoftwareBill => (
                SupplierRole::Software,
                Currency::Gbp,
                cents(pence(6_000) * size_factor),
                "Accounting and office software subscription",
                self.acc.card,
                chart::METHOD_CARD,
            ),
            _ => (
                SupplierRole::Software,
                Currency::Usd,
                cents(pence(24_900) * size_factor),
                "Cloud platform subscription",
                self.acc.usd,
                chart::METHOD_BACS,
            ),
        };
        let Some(s) = self
            .roles
            .all(role)
            .find(|&i| self.suppliers[i].currency == currency)
        else {
            return;
        };
        let supplier = &self.suppliers[s];
        let lines = vec![self.line(
            1,
            format!("{description} - {month_name}").into(),
            None,
            supplier.account,
            supplier.tax,
            Decimal::ONE,
            amount,
            Decimal::ZERO,
            Tracking {
                region: None,
                department: Some(chart::DEPT_ADMIN),
            },
        )];
        let terms = supplier.terms;
        let rate = self.fx(currency, item.date);
        let number = supplier_invoice_number(rng);
        self.raise(
            Raise {
                kind: DocumentKind::Bill,
                contact: s,
                issue: item.date,
                secs: item.secs,
                currency,
                rate,
                lines,
                order: None,
                number,
                behaviour: Behaviour::Settled { bank, method },
                terms,
            },
            rng,
            out,
        );
    }

    /// Draws a document's life and emits it, its credit note, payments and journal entries
    /// as they stand at the cut-off.
    fn raise(&mut self, doc: Raise, rng: &mut Rng, out: &mut VecDeque<Record>) {
        let sales = doc.kind == DocumentKind::Invoice;
        let sign = if sales {
            Decimal::ONE
        } else {
            Decimal::NEGATIVE_ONE
        };
        let (sub_total, total_discount, total_tax, total) = totals(&doc.lines);
        let created = at(doc.issue, doc.secs);
        let due = add_days(doc.issue, i64::from(doc.terms));
        let contact = &self.customers_or_suppliers(sales)[doc.contact];
        let contact_id = contact.id;
        let contact_name = contact.name.clone();
        let reliability = contact.reliability;

        // --- the life, drawn up front ---
        let random = matches!(doc.behaviour, Behaviour::Random);
        let approved = if random && rng.chance(if sales { 120 } else { 60 }) {
            at(add_days(doc.issue, rng.between(1, 5)), business_secs(rng))
        } else {
            created
        };
        let fate = if random { rng.below(1000) } else { 1000 };
        let deleted = (fate < if sales { 12 } else { 10 } && doc.order.is_none())
            .then(|| at(add_days(doc.issue, rng.between(1, 14)), business_secs(rng)));
        let voided = (deleted.is_none() && (12..40).contains(&fate)).then(|| {
            at(
                add_days(approved.date(), rng.between(3, 40)),
                business_secs(rng),
            )
        });
        let settles = deleted.is_none() && voided.is_none();
        let mut events: Vec<Settlement> = Vec::new();
        let mut credit_lines: Vec<Line> = Vec::new();
        let mut credit_reason = "";
        if settles && random && rng.chance(if sales { 70 } else { 40 }) {
            let date = add_days(doc.issue, rng.between(3, 30)).max(approved.date());
            let pct = *rng.pick(&[10i64, 15, 20, 25, 50, 100]);
            credit_reason = *rng.pick(words::CREDIT_REASONS);
            if pct == 100 {
                credit_lines = doc.lines.clone();
            } else {
                let first = &doc.lines[0];
                let amount = percent_of(first.sub_total, Decimal::from(pct));
                let mut line = self.line(
                    1,
                    format!("Credit: {credit_reason}").into(),
                    first.item,
                    first.account,
                    (first.tax_rate - 1) as usize,
                    Decimal::ONE,
                    amount,
                    Decimal::ZERO,
                    first.tracking,
                );
                line.order_line = None;
                credit_lines.push(line);
            }
            for line in &mut credit_lines {
                line.order_line = None;
            }
            let credit_total = totals(&credit_lines).3;
            events.push(Settlement {
                date,
                secs: business_secs(rng),
                amount: credit_total,
                credit: true,
            });
        }
        let credited: Decimal = events.iter().map(|e| e.amount).sum();
        let mut remaining = total - credited;
        let mut edit: Option<(NaiveDateTime, &'static str)> = None;
        if settles && remaining > Decimal::ZERO {
            match doc.behaviour {
                Behaviour::Settled { .. } => {
                    events.push(Settlement {
                        date: due,
                        secs: 6 * 3600 + 1800,
                        amount: remaining,
                        credit: false,
                    });
                }
                Behaviour::Random => {
                    let never = if sales {
                        [10, 20, 40, 120][reliability as usize % 4]
                    } else {
                        8
                    };
                    if !rng.chance(never) {
                        let parts = if rng.chance(if sales { 100 } else { 30 }) {
                            rng.between(2, 3)
                        } else {
                            1
                        };
                        let mut date = if parts == 1 {
                            let lateness = if sales {
                                match reliability {
                                    0 => rng.between(-7, 3),
                                    1 => rng.between(-3, 14),
                                    2 => rng.between(5, 45),
                                    _ => rng.between(30, 100),
                                }
                            } else {
                                rng.between(-3, 6)
                            };
                            add_days(due, lateness)
                        } else {
                            add_days(doc.issue, rng.between(7, 20))
                        };
                        let floor = events
                            .iter()
                            .map(|e| e.date)
                            .max()
                            .unwrap_or(doc.issue)
                            .max(approved.date());
                        let part = cents(remaining / Decimal::from(parts));
                        for p in 0..parts {
                            date = date.max(floor);
                            let amount = if p == parts - 1 { remaining } else { part };
                            events.push(Settlement {
                                date,
                                secs: business_secs(rng),
                                amount,
                                credit: false,
                            });
                            remaining -= amount;
                            date = add_days(date, rng.between(14, 30));
                        }
                    }
                }
            }
        }
        if random && settles && rng.chance(150) {
            let when = at(
                add_days(approved.date(), rng.between(1, 45)),
                business_secs(rng),
            );
            edit = Some((when, *rng.pick(words::EDIT_NOTES)));
        }
        events.sort_by_key(|e| (e.date, e.secs, !e.credit));

        // --- ids, in a fixed order whatever the cut-off ---
        let id = if sales {
            bump(&mut self.next.invoice)
        } else {
            bump(&mut self.next.bill)
        };
        let je = bump(&mut self.next.journal_entry);
        let void_je = voided.map(|_| bump(&mut self.next.journal_entry));
        struct EventIds {
            id: Id,
            je: Id,
            movement: Id,
            number: Text,
        }
        let mut event_ids = Vec::with_capacity(events.len());
        for e in &events {
            let ids = if e.credit {
                let id = if sales {
                    bump(&mut self.next.credit_note)
                } else {
                    bump(&mut self.next.bill_credit_note)
                };
                self.credit_numbers += 1;
                let number: Text = if sales {
                    format!("CN-{:05}", self.credit_numbers).into()
                } else {
                    format!("{}-CR", doc.number).into()
                };
                EventIds {
                    id,
                    je: bump(&mut self.next.journal_entry),
                    movement: 0,
                    number,
                }
            } else {
                let id = if sales {
                    bump(&mut self.next.payment)
                } else {
                    bump(&mut self.next.bill_payment)
                };
                EventIds {
                    id,
                    je: bump(&mut self.next.journal_entry),
                    movement: bump(&mut self.next.movement),
                    number: doc.number.clone(),
                }
            };
            event_ids.push(ids);
        }

        // --- ledger amounts ---
        let control = if sales {
            self.acc.receivables
        } else {
            self.acc.payables
        };
        let base_total = to_base(total, doc.rate);
        let base_tax = to_base(total_tax, doc.rate);
        let base_lines = split_base(&doc.lines, base_total - base_tax, doc.rate);
        let contact_ref = Some(ContactRef {
            party: doc.kind.party(),
            id: contact_id,
        });
        let journal = if sales {
            chart::JOURNAL_SALES
        } else {
            chart::JOURNAL_PURCHASES
        };
        let doc_entry = self.document_entry(
            je,
            journal,
            format!(
                "{} {} - {}",
                if sales { "Invoice" } else { "Bill" },
                doc.number,
                contact_name
            )
            .into(),
            doc.issue,
            approved,
            RecordRef {
                kind: doc.kind.record_kind(),
                id,
            },
            control,
            sign,
            &doc.lines,
            &base_lines,
            base_total,
            base_tax,
            total,
            total_tax,
            doc.currency,
            contact_ref,
        );
        let gone = deleted.is_some_and(|d| self.visible(d.date()));
        let exists = self.visible(created.date()) && !gone;

        // Deletion (only of unpaid documents, within two weeks).
        if let Some(when) = deleted {
            if self.visible(when.date()) {
                out.push_back(Record::Deleted(Deletion {
                    record: RecordRef {
                        kind: doc.kind.record_kind(),
                        id,
                    },
                    at: when,
                }));
                if approved < when {
                    out.push_back(Record::Deleted(Deletion {
                        record: RecordRef {
                            kind: RecordKind::JournalEntry,
                            id: je,
                        },
                        at: when,
                    }));
                }
            }
        } else {
            self.limit.post(&doc_entry, CashCategory::Operating);
        }
        if exists && self.visible(approved.date()) {
            self.view.post(&doc_entry, CashCategory::Operating);
            out.push_back(Record::JournalEntry(Box::new(doc_entry.clone())));
        }
        if let (Some(when), Some(void_id)) = (voided, void_je) {
            let mut reversal = doc_entry.clone();
            reversal.id = void_id;
            reversal.description = format!("Void of {}", doc.number).into();
            reversal.posted_on = when.date();
            reversal.created = when;
            for line in &mut reversal.lines {
                line.net_amount = -line.net_amount;
                line.transaction_amount = -line.transaction_amount;
            }
            self.limit.post(&reversal, CashCategory::Operating);
            if self.visible(when.date()) {
                self.view.post(&reversal, CashCategory::Operating);
                out.push_back(Record::JournalEntry(Box::new(reversal)));
            }
        }

        // --- settlements: credit notes and payments ---
        let mut relieved = zero();
        let mut outstanding = total;
        let mut allocations = Vec::new();
        let mut last_visible: Option<NaiveDateTime> = None;
        let mut paid_on = None;
        for (e, ids) in events.iter().zip(&event_ids) {
            outstanding -= e.amount;
            let when = at(e.date, e.secs);
            let visible = self.visible(e.date);
            let relief = if outstanding.is_zero() {
                base_total - relieved
            } else {
                to_base(e.amount, doc.rate)
            };
            relieved += relief;
            if e.credit {
                let credit_kind = if sales {
                    DocumentKind::CreditNote
                } else {
                    DocumentKind::BillCreditNote
                };
                let (c_sub, c_disc, c_tax, c_total) = totals(&credit_lines);
                let c_base_tax = to_base(c_tax, doc.rate);
                let c_base_lines = split_base(&credit_lines, relief - c_base_tax, doc.rate);
                let entry = self.document_entry(
                    ids.je,
                    journal,
                    format!("Credit note {} - {}", ids.number, contact_name).into(),
                    e.date,
                    when,
                    RecordRef {
                        kind: credit_kind.record_kind(),
                        id: ids.id,
                    },
                    control,
                    -sign,
                    &credit_lines,
                    &c_base_lines,
                    relief,
                    c_base_tax,
                    c_total,
                    c_tax,
                    doc.currency,
                    contact_ref,
                );
                self.limit.post(&entry, CashCategory::Operating);
                if visible {
                    self.view.post(&entry, CashCategory::Operating);
                    out.push_back(Record::JournalEntry(Box::new(entry)));
                    out.push_back(Record::Document(Box::new(Document {
                        kind: credit_kind,
                        id: ids.id,
                        number: ids.number.clone(),
                        contact: contact_id,
                        contact_name: contact_name.clone(),
                        order: None,
                        credited_document: Some(id),
                        issue_date: e.date,
                        due_date: None,
                        currency: doc.currency,
                        currency_rate: doc.rate,
                        lines: credit_lines.clone(),
                        sub_total: c_sub,
                        total_discount: c_disc,
                        total_tax: c_tax,
                        total: c_total,
                        allocations: vec![Allocation {
                            source: AllocationSource::Document(id),
                            date: e.date,
                            amount: c_total,
                            source_total: total,
                            source_currency_rate: doc.rate,
                            bank_account: None,
                            reference: doc.number.clone(),
                        }],
                        amount_due: zero(),
                        status: DocumentStatus::Paid,
                        paid_on: Some(e.date),
                        note: Some(format!("Credit for {}: {credit_reason}", doc.number).into()),
                        created: when,
                        modified: when,
                    })));
                    allocations.push(Allocation {
                        source: AllocationSource::CreditNote(ids.id),
                        date: e.date,
                        amount: e.amount,
                        source_total: c_total,
                        source_currency_rate: doc.rate,
                        bank_account: None,
                        reference: ids.number.clone(),
                    });
                }
            } else {
                let (bank, method) = match doc.behaviour {
                    Behaviour::Settled { bank, method } => (bank, method),
                    Behaviour::Random => {
                        let method = if sales {
                            [
                                chart::METHOD_BACS,
                                chart::METHOD_BACS,
                                chart::METHOD_BACS,
                                chart::METHOD_CHEQUE,
                                chart::METHOD_DEBIT_CARD,
                            ][(ids.id % 5) as usize]
                        } else {
                            chart::METHOD_BACS
                        };
                        (self.acc.bank_for(doc.currency), method)
                    }
                };
                let pay_rate = self.fx(doc.currency, e.date);
                let bank_base = to_base(e.amount, pay_rate);
                let fx = bank_base - relief;
                let kind = if sales {
                    RecordKind::Payment
                } else {
                    RecordKind::BillPayment
                };
                let mut lines = vec![
                    journal_line(
                        bank,
                        sign * bank_base,
                        sign * e.amount,
                        doc.currency,
                        contact_ref,
                        Tracking::default(),
                        "Payment",
                    ),
                    journal_line(
                        control,
                        -sign * relief,
                        -sign * e.amount,
                        doc.currency,
                        contact_ref,
                        Tracking::default(),
                        &doc.number,
                    ),
                ];
                if !fx.is_zero() {
                    lines.push(journal_line(
                        self.acc.fx,
                        -sign * fx,
                        zero(),
                        doc.currency,
                        None,
                        Tracking::default(),
                        "Exchange difference",
                    ));
                }
                let entry = JournalEntry {
                    id: ids.je,
                    journal: chart::JOURNAL_CASH,
                    description: format!(
                        "{} {} - {}",
                        if sales { "Payment from" } else { "Payment to" },
                        contact_name,
                        doc.number
                    )
                    .into(),
                    posted_on: e.date,
                    created: when,
                    source: Some(RecordRef { kind, id: ids.id }),
                    lines,
                };
                let category = if sales {
                    CashCategory::Customers
                } else {
                    CashCategory::Suppliers
                };
                self.limit.post(&entry, category);
                if visible {
                    self.view.post(&entry, category);
                    out.push_back(Record::JournalEntry(Box::new(entry)));
                    let reference: Text = if sales && ids.id % 3 == 0 {
                        format!("REMITTANCE {}", 1000 + ids.id % 9000).into()
                    } else {
                        doc.number.clone()
                    };
                    out.push_back(Record::Payment(Box::new(Payment {
                        party: doc.kind.party(),
                        id: ids.id,
                        contact: contact_id,
                        contact_name: contact_name.clone(),
                        bank_account: chart::bank_id(bank),
                        method,
                        date: e.date,
                        currency: doc.currency,
                        currency_rate: pay_rate,
                        total: e.amount,
                        links: vec![PaymentLink {
                            document: doc.kind,
                            id,
                            amount: e.amount,
                        }],
                        reference: reference.clone(),
                        created: when,
                        modified: when,
                    })));
                    allocations.push(Allocation {
                        source: AllocationSource::Payment(ids.id),
                        date: e.date,
                        amount: e.amount,
                        source_total: e.amount,
                        source_currency_rate: pay_rate,
                        bank_account: Some(chart::bank_id(bank)),
                        reference,
                    });
                    let description: Text =
                        format!("{} {}", contact_name.to_uppercase(), doc.number).into();
                    let kind = if sales {
                        BankTransactionKind::Credit
                    } else if method == chart::METHOD_DIRECT_DEBIT {
                        BankTransactionKind::DirectDebit
                    } else if method == chart::METHOD_CARD {
                        BankTransactionKind::PointOfSale
                    } else {
                        BankTransactionKind::Debit
                    };
                    self.pend(
                        ids.movement,
                        bank,
                        e.date,
                        sign * e.amount,
                        pay_rate,
                        description,
                        kind,
                        RecordRef {
                            kind: if sales {
                                RecordKind::Payment
                            } else {
                                RecordKind::BillPayment
                            },
                            id: ids.id,
                        },
                        when,
                    );
                }
            }
            if visible {
                last_visible = Some(when);
                if outstanding.is_zero() {
                    paid_on = Some(e.date);
                }
            }
        }

        // --- the document as it stands at the cut-off ---
        if !exists {
            return;
        }
        let void_visible = voided.filter(|v| self.visible(v.date()));
        let approved_visible = self.visible(approved.date());
        let edit_visible = edit.filter(|(when, _)| self.visible(when.date()));
        let allocated: Decimal = allocations.iter().map(|a| a.amount).sum();
        let (status, amount_due) = if void_visible.is_some() {
            (DocumentStatus::Void, zero())
        } else if !approved_visible {
            (DocumentStatus::Draft, total)
        } else {
            let due_now = total - allocated;
            let status = if due_now.is_zero() {
                DocumentStatus::Paid
            } else if due_now < total {
                DocumentStatus::PartiallyPaid
            } else {
                DocumentStatus::Open
            };
            (status, due_now)
        };
        let mut due_date = due;
        let mut note = None;
        if let Some((_, text)) = edit_visible {
            if text.starts_with("Due date") {
                due_date = add_days(due, 14);
            }
            note = Some(Text::from(text));
        }
        let modified = [
            Some(created),
            approved_visible.then_some(approved),
            edit_visible.map(|e| e.0),
            last_visible,
            void_visible,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(created);
        out.push_back(Record::Document(Box::new(Document {
            kind: doc.kind,
            id,
            number: doc.number,
            contact: contact_id,
            contact_name: contact_name.clone(),
            order: doc.order,
            credited_document: None,
            issue_date: doc.issue,
            due_date: Some(due_date),
            currency: doc.currency,
            currency_rate: doc.rate,
            lines: doc.lines,
            sub_total,
            total_discount,
            total_tax,
            total,
            allocations: if status == DocumentStatus::Void {
                Vec::new()
            } else {
                allocations
            },
            amount_due,
            status,
            paid_on: if status == DocumentStatus::Paid {
                paid_on
            } else {
                None
            },
            note,
            created,
            modified,
        })));
    }

    fn customers_or_suppliers(&self, customers: bool) -> &[ContactState] {
        if customers {
            &self.customers
        } else {
            &self.suppliers
        }
    }

    /// The entry of a document: control account against lines and tax. `sign` is +1 for a
    /// sale (debit receivables), −1 for a purchase, and flips for credit notes.
    #[allow(clippy::too_many_arguments)]
    fn document_entry(
        &self,
        id: Id,
        journal: Id,
        description: Text,
        posted_on: NaiveDate,
        created: NaiveDateTime,
        source: RecordRef,
        control: Id,
        sign: Decimal,
        lines: &[Line],
        base_lines: &[Decimal],
        base_total: Decimal,
        base_tax: Decimal,
        total: Decimal,
        total_tax: Decimal,
        currency: Currency,
        contact: Option<ContactRef>,
    ) -> JournalEntry {
        let mut out = Vec::with_capacity(lines.len() + 2);
        out.push(journal_line(
            control,
            sign * base_total,
            sign * total,
            currency,
            contact,
            Tracking::default(),
            &description,
        ));
        for (line, base) in lines.iter().zip(base_lines) {
            out.push(JournalLine {
                account: line.account,
                description: line.description.clone(),
                net_amount: -sign * *base,
                transaction_amount: -sign * line.sub_total,
                transaction_currency: currency,
                contact,
                tracking: line.tracking,
            });
        }
        if !base_tax.is_zero() || !total_tax.is_zero() {
            out.push(journal_line(
                self.acc.vat,
                -sign * base_tax,
                -sign * total_tax,
                currency,
                None,
                Tracking::default(),
                "VAT",
            ));
        }
        JournalEntry {
            id,
            journal,
            description,
            posted_on,
            created,
            source: Some(source),
            lines: out,
        }
    }

    // ----- bank ----------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn pend(
        &mut self,
        seq: Id,
        ledger_account: Id,
        date: NaiveDate,
        amount: Decimal,
        rate: Decimal,
        description: Text,
        kind: BankTransactionKind,
        source: RecordRef,
        created: NaiveDateTime,
    ) {
        let bank = (chart::bank_id(ledger_account) as usize).saturating_sub(1);
        self.heap.push(Reverse(Pending {
            date,
            seq,
            bank,
            amount,
            rate,
            description,
            kind,
            source,
            created,
        }));
    }

    /// Emits statement lines dated up to `until` (and before the cut-off), in date order.
    fn flush(&mut self, until: NaiveDate, out: &mut VecDeque<Record>) {
        while let Some(Reverse(next)) = self.heap.peek() {
            if next.date > until || !self.visible(next.date) {
                break;
            }
            let Some(Reverse(p)) = self.heap.pop() else {
                break;
            };
            let bank = p.bank.min(4);
            self.bank_balance[bank] += p.amount;
            let lag = (mix64(self.seed ^ p.seq.wrapping_mul(0x9e37_79b9)) % 6) as i64 + 1;
            let reconciled_on = add_days(p.date, lag);
            let reconciled = self.visible(reconciled_on);
            let modified = if reconciled {
                at(reconciled_on, p.created.num_seconds_from_midnight())
            } else {
                p.created
            };
            self.bank_modified[bank] =
                Some(self.bank_modified[bank].map_or(modified, |m| m.max(modified)));
            let line = BankTransaction {
                id: p.seq,
                bank_account: bank as Id + 1,
                date: p.date,
                description: p.description,
                amount: p.amount,
                balance: self.bank_balance[bank],
                currency: CHART[(BANK_ACCOUNTS.get(bank).map_or(0, |c| chart::account(c))
                    as usize)
                    .saturating_sub(1)]
                .currency,
                currency_rate: p.rate,
                kind: p.kind,
                reconciled,
                source: p.source,
                created: p.created,
                modified,
            };
            out.push_back(Record::AccountTransaction(Box::new(line.clone())));
            out.push_back(Record::BankTransaction(Box::new(line)));
        }
    }

    /// Posts a bank-only transaction: direct cost or income, transfer, opening balance.
    fn post_simple(
        &mut self,
        entry: JournalEntry,
        category: CashCategory,
        visible: bool,
        out: &mut VecDeque<Record>,
    ) {
        self.limit.post(&entry, category);
        if visible {
            self.view.post(&entry, category);
            out.push_back(Record::JournalEntry(Box::new(entry)));
        }
    }

    // ----- cash transactions -------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn bank_spend(
        &mut self,
        item: PlanItem,
        direction: Direction,
        bank: Id,
        method: Id,
        contact: Option<ContactRef>,
        lines: Vec<Line>,
        reference: Text,
        category: CashCategory,
        kind: BankTransactionKind,
        out: &mut VecDeque<Record>,
    ) {
        let (sub_total, _, total_tax, total) = totals(&lines);
        if total.is_zero() {
            return;
        }
        let (id, record_kind) = match direction {
            Direction::Spent => (bump(&mut self.next.direct_cost), RecordKind::DirectCost),
            Direction::Received => (bump(&mut self.next.direct_income), RecordKind::DirectIncome),
        };
        let je = bump(&mut self.next.journal_entry);
        let movement = bump(&mut self.next.movement);
        let when = at(item.date, item.secs);
        let currency = CHART[(bank as usize).saturating_sub(1)].currency;
        let rate = self.fx(currency, item.date);
        let sign = match direction {
            Direction::Spent => Decimal::ONE,
            Direction::Received => Decimal::NEGATIVE_ONE,
        };
        let base_total = to_base(total, rate);
        let base_tax = to_base(total_tax, rate);
        let base_lines = split_base(&lines, base_total - base_tax, rate);
        let mut jl = Vec::with_capacity(lines.len() + 2);
        for (line, base) in lines.iter().zip(&base_lines) {
            jl.push(JournalLine {
                account: line.account,
                description: line.description.clone(),
                net_amount: sign * *base,
                transaction_amount: sign * line.sub_total,
                transaction_currency: currency,
                contact,
                tracking: line.tracking,
            });
        }
        if !total_tax.is_zero() {
            jl.push(journal_line(
                self.acc.vat,
                sign * base_tax,
                sign * total_tax,
                currency,
                None,
                Tracking::default(),
                "VAT",
            ));
        }
        jl.push(journal_line(
            bank,
            -sign * base_total,
            -sign * total,
            currency,
            contact,
            Tracking::default(),
            &reference,
        ));
        let entry = JournalEntry {
            id: je,
            journal: chart::JOURNAL_CASH,
            description: lines
                .first()
                .map_or_else(|| reference.clone(), |l| l.description.clone()),
            posted_on: item.date,
            created: when,
            source: Some(RecordRef {
                kind: record_kind,
                id,
            }),
            lines: jl,
        };
        let visible = self.visible(item.date);
        self.post_simple(entry, category, visible, out);
        if !visible {
            return;
        }
        let description: Text = lines.first().map_or_else(
            || reference.clone(),
            |l| Text::from(l.description.to_uppercase()),
        );
        self.pend(
            movement,
            bank,
            item.date,
            -sign * total,
            rate,
            description,
            kind,
            RecordRef {
                kind: record_kind,
                id,
            },
            when,
        );
        out.push_back(Record::BankSpend(Box::new(BankSpend {
            direction,
            id,
            contact,
            bank_account: chart::bank_id(bank),
            method,
            date: item.date,
            currency,
            currency_rate: rate,
            lines,
            sub_total,
            total_tax,
            total,
            reference,
            note: None,
            created: when,
            modified: when,
        })));
    }

    fn spend(&mut self, item: PlanItem, rng: &mut Rng, out: &mut VecDeque<Record>) {
        if rng.chance(50) {
            // Now and then, sundry income instead.
            let amount = pence(rng.between(2_000, 60_000));
            let description = *rng.pick(&[
                "Scrap sale",
                "Insurance claim settlement",
                "Supplier rebate",
                "Sale of old equipment",
            ]);
            let line = self.line(
                1,
                text(description),
                None,
                chart::account("4900"),
                3,
                Decimal::ONE,
                amount,
                Decimal::ZERO,
                Tracking::default(),
            );
            let reference: Text = format!("RCPT-{:04}", self.next.direct_income + 1).into();
            self.bank_spend(
                item,
                Direction::Received,
                self.acc.current,
                chart::METHOD_BACS,
                None,
                vec![line],
                reference,
                CashCategory::Operating,
                BankTransactionKind::Credit,
                out,
            );
            return;
        }
        let spec = rng.pick(words::SPENDS);
        let gross = pence(rng.between(spec.pence.0, spec.pence.1));
        let percent = tax_percent(spec.tax);
        let net = cents(gross * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + percent));
        let line = self.line(
            1,
            text(spec.description),
            None,
            chart::account(spec.account),
            spec.tax,
            Decimal::ONE,
            net,
            Decimal::ZERO,
            Tracking {
                region: None,
                department: Some(chart::DEPT_ADMIN),
            },
        );
        let (bank, method, kind) = if spec.card {
            (
                self.acc.card,
                chart::METHOD_CARD,
                BankTransactionKind::PointOfSale,
            )
        } else {
            (
                self.acc.current,
                chart::METHOD_DEBIT_CARD,
                BankTransactionKind::Debit,
            )
        };
        let reference: Text = format!("EXP-{:05}", self.next.direct_cost + 1).into();
        self.bank_spend(
            item,
            Direction::Spent,
            bank,
            method,
            None,
            vec![line],
            reference,
            CashCategory::Operating,
            kind,
            out,
        );
    }

    fn bank_fees(&mut self, item: PlanItem, rng: &mut Rng, out: &mut VecDeque<Record>) {
        let factor = Decimal::from(self.books.scale.bill_scale) / Decimal::ONE_HUNDRED;
        let amount = cents(pence(rng.between(650, 4_500)) * factor.max(Decimal::ONE));
        let line = self.line(
            1,
            text("Account fees"),
            None,
            self.acc.bank_charges,
            3,
            Decimal::ONE,
            amount,
            Decimal::ZERO,
            Tracking::default(),
        );
        self.bank_spend(
            item,
            Direction::Spent,
            self.acc.current,
            chart::METHOD_DIRECT_DEBIT,
            None,
            vec![line],
            text("CHARGES"),
            CashCategory::Operating,
            BankTransactionKind::Fee,
            out,
        );
    }

    fn interest(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let previous = day_before(month_start(item.date, 0));
        let balance = self.limit.balance_through(self.acc.savings, previous);
        let amount = percent_of(balance, Decimal::new(25, 2));
        if amount <= Decimal::ZERO {
            return;
        }
        let line = self.line(
            1,
            text("Gross interest"),
            None,
            self.acc.interest_received,
            3,
            Decimal::ONE,
            amount,
            Decimal::ZERO,
            Tracking::default(),
        );
        self.bank_spend(
            item,
            Direction::Received,
            self.acc.savings,
            chart::METHOD_BACS,
            None,
            vec![line],
            text("INTEREST"),
            CashCategory::Interest,
            BankTransactionKind::Interest,
            out,
        );
    }

    fn hmrc(&self) -> Option<ContactRef> {
        self.roles.first(SupplierRole::Hmrc).map(|i| ContactRef {
            party: Party::Supplier,
            id: self.suppliers[i].id,
        })
    }

    fn vat_return(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let quarter_end = day_before(month_start(item.date, 0));
        let quarter_end = day_before(month_start(quarter_end, 0));
        let owed = -self.limit.balance_through(self.acc.vat, quarter_end);
        if owed.is_zero() {
            return;
        }
        let period = quarter_end.format("%m/%y").to_string();
        let (direction, amount, kind) = if owed > Decimal::ZERO {
            (Direction::Spent, owed, BankTransactionKind::DirectDebit)
        } else {
            (Direction::Received, -owed, BankTransactionKind::Credit)
        };
        let line = self.line(
            1,
            format!("VAT return {period}").into(),
            None,
            self.acc.vat,
            3,
            Decimal::ONE,
            amount,
            Decimal::ZERO,
            Tracking::default(),
        );
        let contact = self.hmrc();
        self.bank_spend(
            item,
            direction,
            self.acc.current,
            chart::METHOD_DIRECT_DEBIT,
            contact,
            vec![line],
            format!("HMRC VAT {period}").into(),
            CashCategory::Tax,
            kind,
            out,
        );
    }

    fn paye(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let previous = day_before(month_start(item.date, 0));
        let owed = -self.limit.balance_through(self.acc.paye, previous);
        if owed <= Decimal::ZERO {
            return;
        }
        let period = previous.format("%B %Y").to_string();
        let line = self.line(
            1,
            format!("PAYE and NI - {period}").into(),
            None,
            self.acc.paye,
            3,
            Decimal::ONE,
            owed,
            Decimal::ZERO,
            Tracking {
                region: None,
                department: Some(chart::DEPT_ADMIN),
            },
        );
        let contact = self.hmrc();
        self.bank_spend(
            item,
            Direction::Spent,
            self.acc.current,
            chart::METHOD_BACS,
            contact,
            vec![line],
            text("HMRC PAYE"),
            CashCategory::Payroll,
            BankTransactionKind::Debit,
            out,
        );
    }

    fn loan_repayment(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let previous = day_before(month_start(item.date, 0));
        let balance = -self.limit.balance_through(self.acc.loan, previous);
        if balance <= Decimal::ZERO {
            return;
        }
        let instalment = cents(self.books.scale.loan / Decimal::from(60));
        let principal = instalment.min(balance);
        let interest = percent_of(balance, Decimal::new(5417, 4));
        let admin = Tracking {
            region: None,
            department: Some(chart::DEPT_ADMIN),
        };
        let lines = vec![
            self.line(
                1,
                text("Loan repayment - capital"),
                None,
                self.acc.loan,
                3,
                Decimal::ONE,
                principal,
                Decimal::ZERO,
                admin,
            ),
            self.line(
                2,
                text("Loan repayment - interest"),
                None,
                self.acc.loan_interest,
                3,
                Decimal::ONE,
                interest,
                Decimal::ZERO,
                admin,
            ),
        ];
        self.bank_spend(
            item,
            Direction::Spent,
            self.acc.current,
            chart::METHOD_DIRECT_DEBIT,
            None,
            lines,
            text("LOAN REPAYMENT"),
            CashCategory::Financing,
            BankTransactionKind::DirectDebit,
            out,
        );
    }

    fn payroll(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let gross = self.books.staff.iter().fold(zero(), |acc, salary| {
            acc + cents(*salary / Decimal::from(12))
        });
        let deductions = percent_of(gross, Decimal::from(24));
        let employer = percent_of(gross, Decimal::from(11));
        let net = gross - deductions;
        let admin = Tracking {
            region: None,
            department: Some(chart::DEPT_ADMIN),
        };
        let period = item.date.format("%B %Y").to_string();
        let je = bump(&mut self.next.journal_entry);
        let when = at(item.date, item.secs);
        let entry = JournalEntry {
            id: je,
            journal: chart::JOURNAL_GENERAL,
            description: format!("Payroll - {period}").into(),
            posted_on: item.date,
            created: when,
            source: None,
            lines: vec![
                journal_line(
                    self.acc.wages,
                    gross,
                    gross,
                    Currency::Gbp,
                    None,
                    admin,
                    "Gross pay",
                ),
                journal_line(
                    self.acc.employers_ni,
                    employer,
                    employer,
                    Currency::Gbp,
                    None,
                    admin,
                    "Employer's NI",
                ),
                journal_line(
                    self.acc.paye,
                    -(deductions + employer),
                    -(deductions + employer),
                    Currency::Gbp,
                    None,
                    admin,
                    "PAYE and NI due",
                ),
                journal_line(
                    self.acc.net_wages,
                    -net,
                    -net,
                    Currency::Gbp,
                    None,
                    admin,
                    "Net pay due",
                ),
            ],
        };
        let visible = self.visible(item.date);
        self.post_simple(entry, CashCategory::Payroll, visible, out);
        let line = self.line(
            1,
            format!("Net pay - {period}").into(),
            None,
            self.acc.net_wages,
            3,
            Decimal::ONE,
            net,
            Decimal::ZERO,
            admin,
        );
        let next = PlanItem {
            secs: item.secs + 60,
            ..item
        };
        self.bank_spend(
            next,
            Direction::Spent,
            self.acc.current,
            chart::METHOD_BACS,
            None,
            vec![line],
            text("SALARIES"),
            CashCategory::Payroll,
            BankTransactionKind::Debit,
            out,
        );
    }

    fn depreciation(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let previous = day_before(month_start(item.date, 0));
        let mut lines = Vec::new();
        let mut total = zero();
        for (cost_account, dep_account, months, name) in [
            (
                self.acc.office_equipment,
                self.acc.office_depreciation,
                60,
                "Office equipment",
            ),
            (
                self.acc.computer_equipment,
                self.acc.computer_depreciation,
                36,
                "Computer equipment",
            ),
        ] {
            let cost = self.limit.balance_through(cost_account, previous);
            let carried = cost + self.limit.balance_through(dep_account, previous);
            let charge = cents(cost / Decimal::from(months)).min(carried);
            if charge > Decimal::ZERO {
                total += charge;
                lines.push(journal_line(
                    dep_account,
                    -charge,
                    -charge,
                    Currency::Gbp,
                    None,
                    Tracking::default(),
                    name,
                ));
            }
        }
        if total.is_zero() {
            return;
        }
        lines.insert(
            0,
            journal_line(
                self.acc.depreciation,
                total,
                total,
                Currency::Gbp,
                None,
                Tracking::default(),
                "Depreciation charge",
            ),
        );
        let entry = JournalEntry {
            id: bump(&mut self.next.journal_entry),
            journal: chart::JOURNAL_GENERAL,
            description: format!("Depreciation - {}", item.date.format("%B %Y")).into(),
            posted_on: item.date,
            created: at(item.date, item.secs),
            source: None,
            lines,
        };
        let visible = self.visible(item.date);
        self.post_simple(entry, CashCategory::Operating, visible, out);
    }

    #[allow(clippy::too_many_arguments)]
    fn transfer(
        &mut self,
        item: PlanItem,
        from: Id,
        from_amount: Decimal,
        to: Id,
        to_amount: Decimal,
        description: &str,
        category: CashCategory,
        out: &mut VecDeque<Record>,
    ) {
        let id = bump(&mut self.next.transfer);
        let je = bump(&mut self.next.journal_entry);
        let out_seq = bump(&mut self.next.movement);
        let in_seq = bump(&mut self.next.movement);
        let when = at(item.date, item.secs);
        let from_currency = CHART[(from as usize).saturating_sub(1)].currency;
        let to_currency = CHART[(to as usize).saturating_sub(1)].currency;
        // Base value: that of the sterling side (transfers always involve sterling here).
        let base = if to_currency == Currency::Gbp {
            to_amount
        } else {
            from_amount
        };
        let entry = JournalEntry {
            id: je,
            journal: chart::JOURNAL_CASH,
            description: text(description),
            posted_on: item.date,
            created: when,
            source: Some(RecordRef {
                kind: RecordKind::Transfer,
                id,
            }),
            lines: vec![
                journal_line(
                    to,
                    base,
                    to_amount,
                    to_currency,
                    None,
                    Tracking::default(),
                    description,
                ),
                journal_line(
                    from,
                    -base,
                    -from_amount,
                    from_currency,
                    None,
                    Tracking::default(),
                    description,
                ),
            ],
        };
        let visible = self.visible(item.date);
        self.post_simple(entry, category, visible, out);
        if !visible {
            return;
        }
        let source = RecordRef {
            kind: RecordKind::Transfer,
            id,
        };
        let label: Text = description.to_uppercase().into();
        let from_rate = self.fx(from_currency, item.date);
        let to_rate = self.fx(to_currency, item.date);
        self.pend(
            out_seq,
            from,
            item.date,
            -from_amount,
            from_rate,
            label.clone(),
            BankTransactionKind::Transfer,
            source,
            when,
        );
        self.pend(
            in_seq,
            to,
            item.date,
            to_amount,
            to_rate,
            label,
            BankTransactionKind::Transfer,
            source,
            when,
        );
        out.push_back(Record::Transfer(Box::new(Transfer {
            id,
            description: text(description),
            date: item.date,
            from_account: chart::bank_id(from),
            from_amount,
            to_account: chart::bank_id(to),
            to_amount,
            created: when,
            modified: when,
        })));
    }

    fn card_payoff(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let previous = day_before(month_start(item.date, 0));
        let owed = -self.limit.balance_through(self.acc.card, previous);
        if owed > Decimal::ZERO {
            self.transfer(
                item,
                self.acc.current,
                owed,
                self.acc.card,
                owed,
                "Credit card repayment",
                CashCategory::Internal,
                out,
            );
        }
    }

    fn savings_sweep(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let previous = day_before(month_start(item.date, 0));
        let current = self.limit.balance_through(self.acc.current, previous);
        let savings = self.limit.balance_through(self.acc.savings, previous);
        let buffer = self.books.scale.opening_cash;
        let hundred = Decimal::ONE_HUNDRED;
        if current > buffer {
            let amount = ((current - buffer) / Decimal::TWO / hundred).floor() * hundred;
            if amount > Decimal::ZERO {
                self.transfer(
                    item,
                    self.acc.current,
                    cents(amount),
                    self.acc.savings,
                    cents(amount),
                    "Transfer to savings",
                    CashCategory::Internal,
                    out,
                );
            }
        } else if current < buffer / Decimal::TWO && savings > Decimal::ZERO {
            let amount = ((buffer - current).min(savings) / hundred).floor() * hundred;
            if amount > Decimal::ZERO {
                self.transfer(
                    item,
                    self.acc.savings,
                    cents(amount),
                    self.acc.current,
                    cents(amount),
                    "Transfer from savings",
                    CashCategory::Internal,
                    out,
                );
            }
        }
    }

    /// Month end: surplus foreign currency is converted to sterling; an account that went
    /// overdrawn paying foreign suppliers is topped up from the current account.
    fn fx_sweep(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let previous = day_before(month_start(item.date, 0));
        let hundred = Decimal::ONE_HUNDRED;
        let buffer = Decimal::from(2_000);
        for account in [self.acc.eur, self.acc.usd] {
            let balance = self.limit.tx_balance_through(account, previous);
            let currency = CHART[(account as usize).saturating_sub(1)].currency;
            let rate = self.fx(currency, item.date);
            if balance > buffer {
                let amount = cents((balance * Decimal::new(8, 1) / hundred).floor() * hundred);
                if amount.is_zero() {
                    continue;
                }
                let sterling = to_base(amount, rate);
                let description = format!("Convert {} to GBP", currency.code());
                self.transfer(
                    item,
                    account,
                    amount,
                    self.acc.current,
                    sterling,
                    &description,
                    CashCategory::Internal,
                    out,
                );
            } else if balance < Decimal::ZERO {
                let amount = cents(((buffer - balance) / hundred).ceil() * hundred);
                let sterling = to_base(amount, rate);
                let description = format!("Buy {} for supplier payments", currency.code());
                self.transfer(
                    item,
                    self.acc.current,
                    sterling,
                    account,
                    amount,
                    &description,
                    CashCategory::Internal,
                    out,
                );
            }
        }
    }

    fn opening(&mut self, item: PlanItem, out: &mut VecDeque<Record>) {
        let scale = &self.books.scale;
        let (office, computers) = scale.equipment;
        let cash = scale.opening_cash;
        let savings = if scale.savings {
            cents(cash / Decimal::TWO)
        } else {
            zero()
        };
        let office_dep = percent_of(office, Decimal::from(25));
        let computer_dep = percent_of(computers, Decimal::from(40));
        let assets = cash + savings + office - office_dep + computers - computer_dep;
        let retained = assets - scale.loan - scale.share_capital;
        let gbp = Currency::Gbp;
        let none = Tracking::default();
        let mut lines = vec![
            journal_line(
                self.acc.current,
                cash,
                cash,
                gbp,
                None,
                none,
                "Opening balance",
            ),
            journal_line(
                self.acc.office_equipment,
                office,
                office,
                gbp,
                None,
                none,
                "Opening balance",
            ),
            journal_line(
                self.acc.office_depreciation,
                -office_dep,
                -office_dep,
                gbp,
                None,
                none,
                "Opening balance",
            ),
            journal_line(
                self.acc.computer_equipment,
                computers,
                computers,
                gbp,
                None,
                none,
                "Opening balance",
            ),
            journal_line(
                self.acc.computer_depreciation,
                -computer_dep,
                -computer_dep,
                gbp,
                None,
                none,
                "Opening balance",
            ),
            journal_line(
                self.acc.share_capital,
                -scale.share_capital,
                -scale.share_capital,
                gbp,
                None,
                none,
                "Opening balance",
            ),
            journal_line(
                self.acc.retained_earnings,
                -retained,
                -retained,
                gbp,
                None,
                none,
                "Opening balance",
            ),
        ];
        if !savings.is_zero() {
            lines.insert(
                1,
                journal_line(
                    self.acc.savings,
                    savings,
                    savings,
                    gbp,
                    None,
                    none,
                    "Opening balance",
                ),
            );
        }
        if !scale.loan.is_zero() {
            lines.push(journal_line(
                self.acc.loan,
                -scale.loan,
                -scale.loan,
                gbp,
                None,
                none,
                "Opening balance",
            ));
        }
        let je = bump(&mut self.next.journal_entry);
        let when = at(item.date, item.secs);
        let entry = JournalEntry {
            id: je,
            journal: chart::JOURNAL_GENERAL,
            description: text("Opening balances"),
            posted_on: item.date,
            created: when,
            source: None,
            lines,
        };
        self.post_simple(entry, CashCategory::Opening, true, out);
        let source = RecordRef {
            kind: RecordKind::JournalEntry,
            id: je,
        };
        for (account, amount) in [(self.acc.current, cash), (self.acc.savings, savings)] {
            let seq = bump(&mut self.next.movement);
            if !amount.is_zero() {
                self.pend(
                    seq,
                    account,
                    item.date,
                    amount,
                    Decimal::ONE,
                    text("OPENING BALANCE"),
                    BankTransactionKind::Credit,
                    source,
                    when,
                );
            }
        }
    }

    // ----- the end -----------------------------------------------------------------------

    fn finish(&mut self, out: &mut VecDeque<Record>) {
        let last_day = day_before(self.cutoff);
        self.flush(last_day, out);
        let balances = self.view.closing_balances();
        let opened = self.books.company.created;
        for (i, spec) in CHART.iter().enumerate() {
            out.push_back(Record::Account(Account {
                id: i as Id + 1,
                nominal_code: spec.code,
                name: spec.name,
                description: spec.description,
                account_type: spec.account_type,
                category: spec.category,
                currency: spec.currency,
                is_bank: spec.is_bank,
                balance: balances[i].0,
                balance_in_currency: balances[i].1,
                created: opened,
                modified: balances[i].2.map_or(opened, |p| p.max(opened)),
            }));
        }
        let mut rng = Rng::derive(self.seed, tag::RECURRING, 1, 0);
        let bank = *rng.pick(words::BANKS);
        for (i, code) in BANK_ACCOUNTS.iter().enumerate() {
            let ledger = chart::account(code);
            let spec = &CHART[(ledger as usize).saturating_sub(1)];
            let card = spec.account_type == crate::model::AccountType::Liability;
            let account_number = if card {
                format!("{:04}", rng.between(1000, 9999))
            } else {
                format!("{:08}", rng.between(10_000_000, 99_999_999))
            };
            let sort_code = (!card).then(|| {
                Text::from(format!(
                    "{:02}-{:02}-{:02}",
                    rng.between(10, 99),
                    rng.between(0, 99),
                    rng.between(0, 99)
                ))
            });
            let iban = (spec.currency != Currency::Gbp).then(|| {
                Text::from(format!(
                    "GB{:02} {} {:04} {:04} {:04} {:02}",
                    rng.between(10, 99),
                    &bank
                        .chars()
                        .filter(char::is_ascii_alphabetic)
                        .take(4)
                        .collect::<String>()
                        .to_uppercase(),
                    rng.between(0, 9999),
                    rng.between(0, 9999),
                    rng.between(0, 9999),
                    rng.between(0, 99)
                ))
            });
            out.push_back(Record::BankAccount(BankAccount {
                id: i as Id + 1,
                ledger_account: ledger,
                name: spec.name,
                is_credit_card: card,
                sort_code,
                account_number: account_number.into(),
                iban,
                currency: spec.currency,
                balance: self.bank_balance[i],
                overdraft_limit: if card {
                    Decimal::from(5_000 * (self.books.scale.bill_scale / 40).max(1))
                } else {
                    zero()
                },
                institution: bank,
                created: opened,
                modified: self.bank_modified[i].unwrap_or(opened),
            }));
        }
        let statements = self
            .view
            .statements(last_day, self.books.config.financial_year_start_month);
        for (sheet, pnl, cash) in statements {
            out.push_back(Record::BalanceSheet(Box::new(sheet)));
            out.push_back(Record::ProfitAndLoss(Box::new(pnl)));
            out.push_back(Record::CashFlow(Box::new(cash)));
        }
    }
}

fn journal_line(
    account: Id,
    net_amount: Decimal,
    transaction_amount: Decimal,
    currency: Currency,
    contact: Option<ContactRef>,
    tracking: Tracking,
    description: &str,
) -> JournalLine {
    JournalLine {
        account,
        description: text(description),
        net_amount,
        transaction_amount,
        transaction_currency: currency,
        contact,
        tracking,
    }
}

/// Sub-total, discount, tax and total of some lines.
pub(crate) fn totals(lines: &[Line]) -> (Decimal, Decimal, Decimal, Decimal) {
    let mut out = (zero(), zero(), zero(), zero());
    for line in lines {
        out.0 += line.sub_total;
        out.1 += line.discount_amount;
        out.2 += line.tax_amount;
        out.3 += line.total_amount;
    }
    out
}

/// Each line's net amount in base currency, adjusted so they add up to `base_net` exactly
/// (the rounding difference goes to the largest line).
fn split_base(lines: &[Line], base_net: Decimal, rate: Decimal) -> Vec<Decimal> {
    let mut out: Vec<Decimal> = lines.iter().map(|l| to_base(l.sub_total, rate)).collect();
    let sum: Decimal = out.iter().copied().fold(zero(), |a, b| a + b);
    let diff = base_net - sum;
    if !diff.is_zero()
        && let Some((i, _)) = lines
            .iter()
            .enumerate()
            .max_by_key(|(_, l)| l.sub_total.abs())
    {
        out[i] += diff;
    }
    out
}

fn supplier_invoice_number(rng: &mut Rng) -> Text {
    match rng.below(3) {
        0 => format!("INV{:06}", rng.between(1, 999_999)),
        1 => format!("{:07}", rng.between(1_000_000, 9_999_999)),
        _ => format!("SI-{:05}", rng.between(1, 99_999)),
    }
    .into()
}
