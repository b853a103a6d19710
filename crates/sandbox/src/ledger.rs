//! Month-by-account totals of posted journal entries, and the financial statements derived
//! from them. Only these totals are kept, never the entries: a few kilobytes whatever the
//! size of the books.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::chart::CHART;
use crate::master::{add_days, month_end, month_start, months_between, text};
use crate::model::{
    AccountType, BalanceSheetMonth, CashFlowMonth, Id, JournalEntry, ProfitAndLossMonth,
    ReportLine, Text,
};
use crate::money::zero;

/// What a movement of cash was for, as the cash flow statement shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CashCategory {
    /// Balances brought forward: not a flow.
    Opening,
    Customers,
    Suppliers,
    Payroll,
    Tax,
    Operating,
    Interest,
    Financing,
    Internal,
}

impl CashCategory {
    const FLOWS: [CashCategory; 8] = [
        CashCategory::Customers,
        CashCategory::Suppliers,
        CashCategory::Payroll,
        CashCategory::Tax,
        CashCategory::Operating,
        CashCategory::Interest,
        CashCategory::Financing,
        CashCategory::Internal,
    ];

    fn index(self) -> usize {
        Self::FLOWS.iter().position(|c| *c == self).unwrap_or(0)
    }

    fn label(self, receipt: bool) -> &'static str {
        match (self, receipt) {
            (CashCategory::Customers, true) => "Receipts from customers",
            (CashCategory::Customers, false) => "Refunds to customers",
            (CashCategory::Suppliers, true) => "Refunds from suppliers",
            (CashCategory::Suppliers, false) => "Payments to suppliers",
            (CashCategory::Payroll, _) => "Wages and payroll taxes",
            (CashCategory::Tax, true) => "VAT refunds",
            (CashCategory::Tax, false) => "VAT paid",
            (CashCategory::Operating, true) => "Other receipts",
            (CashCategory::Operating, false) => "Operating expenses",
            (CashCategory::Interest, true) => "Interest received",
            (CashCategory::Interest, false) => "Interest paid",
            (CashCategory::Financing, true) => "Loans received",
            (CashCategory::Financing, false) => "Loan repayments",
            (CashCategory::Internal, true) => "Transfers in",
            (CashCategory::Internal, false) => "Credit card repayments",
            (CashCategory::Opening, _) => "Opening balances",
        }
    }
}

#[derive(Clone, Default)]
struct MonthFlows {
    receipts: [Decimal; 8],
    payments: [Decimal; 8],
}

/// Totals of the journal entries posted, by month of `postedOn` and account.
pub(crate) struct Ledger {
    start: NaiveDate,
    /// `[month][account - 1]`: base amounts, debit positive.
    net: Vec<Vec<Decimal>>,
    /// `[month][account - 1]`: amounts in the transaction currency (bank accounts only).
    tx: Vec<Vec<Decimal>>,
    flows: Vec<MonthFlows>,
    opening_cash: Decimal,
    cash_accounts: Vec<bool>,
    bank_accounts: Vec<bool>,
    /// When each account was last posted to.
    last_posted: Vec<Option<NaiveDateTime>>,
}

impl Ledger {
    pub(crate) fn new(start: NaiveDate) -> Self {
        Self {
            start,
            net: Vec::new(),
            tx: Vec::new(),
            flows: Vec::new(),
            opening_cash: zero(),
            cash_accounts: CHART
                .iter()
                .map(|a| a.is_bank && a.account_type == AccountType::Asset)
                .collect(),
            bank_accounts: CHART.iter().map(|a| a.is_bank).collect(),
            last_posted: vec![None; CHART.len()],
        }
    }

    fn month_of(&mut self, date: NaiveDate) -> usize {
        let m = months_between(self.start, date).max(0) as usize;
        while self.net.len() <= m {
            self.net.push(vec![zero(); CHART.len()]);
            self.tx.push(vec![zero(); CHART.len()]);
            self.flows.push(MonthFlows::default());
        }
        m
    }

    /// Adds an entry's lines to the totals.
    pub(crate) fn post(&mut self, entry: &JournalEntry, category: CashCategory) {
        let m = self.month_of(entry.posted_on);
        let mut cash = Decimal::ZERO;
        for line in &entry.lines {
            let a = (line.account as usize).saturating_sub(1);
            if a >= CHART.len() {
                continue;
            }
            self.net[m][a] += line.net_amount;
            let posted = &mut self.last_posted[a];
            *posted = Some(posted.map_or(entry.created, |p| p.max(entry.created)));
            if self.bank_accounts[a] {
                self.tx[m][a] += line.transaction_amount;
            }
            if self.cash_accounts[a] {
                cash += line.net_amount;
            }
        }
        if category == CashCategory::Opening {
            self.opening_cash += cash;
        } else if cash > Decimal::ZERO {
            self.flows[m].receipts[category.index()] += cash;
        } else if cash < Decimal::ZERO {
            self.flows[m].payments[category.index()] -= cash;
        }
    }

    /// Base balance of an account at the end of `date`'s month.
    pub(crate) fn balance_through(&self, account: Id, date: NaiveDate) -> Decimal {
        self.sum_through(&self.net, account, date)
    }

    /// Balance in the account's own currency at the end of `date`'s month (bank accounts).
    pub(crate) fn tx_balance_through(&self, account: Id, date: NaiveDate) -> Decimal {
        self.sum_through(&self.tx, account, date)
    }

    fn sum_through(&self, table: &[Vec<Decimal>], account: Id, date: NaiveDate) -> Decimal {
        let a = (account as usize).saturating_sub(1);
        let last = months_between(self.start, date);
        if last < 0 || a >= CHART.len() {
            return zero();
        }
        table
            .iter()
            .take(last as usize + 1)
            .fold(zero(), |acc, month| acc + month[a])
    }

    /// Balances of all accounts over every month posted so far: (base, own currency, when
    /// last posted to).
    pub(crate) fn closing_balances(&self) -> Vec<(Decimal, Decimal, Option<NaiveDateTime>)> {
        let mut out: Vec<_> = self
            .last_posted
            .iter()
            .map(|p| (zero(), zero(), *p))
            .collect();
        for (net, tx) in self.net.iter().zip(&self.tx) {
            for (a, slot) in out.iter_mut().enumerate() {
                slot.0 += net[a];
                slot.1 += if self.bank_accounts[a] { tx[a] } else { net[a] };
            }
        }
        out
    }

    /// The monthly statements from the first month to the month of `last_day`.
    pub(crate) fn statements(
        &mut self,
        last_day: NaiveDate,
        fy_start_month: u32,
    ) -> Vec<(BalanceSheetMonth, ProfitAndLossMonth, CashFlowMonth)> {
        let months = months_between(self.start, last_day).max(0) as usize + 1;
        self.month_of(last_day);
        let mut cumulative = vec![zero(); CHART.len()];
        let mut earlier_years = zero();
        let mut this_year = zero();
        let mut cash = self.opening_cash;
        let mut out = Vec::with_capacity(months);
        for m in 0..months {
            let from = month_start(self.start, m as u32);
            let to = month_end(from);
            if m > 0 && from.month() == fy_start_month {
                earlier_years += this_year;
                this_year = zero();
            }
            for (a, slot) in cumulative.iter_mut().enumerate() {
                *slot += self.net[m][a];
            }
            let pnl = profit_and_loss(from, to, &self.net[m]);
            this_year += pnl.net_profit;
            let sheet = balance_sheet(to, &cumulative, earlier_years, this_year);
            let flows = &self.flows[m];
            let receipts = flow_lines("Cash receipts", &flows.receipts, true);
            let payments = flow_lines("Cash payments", &flows.payments, false);
            let closing = cash + receipts.value - payments.value;
            out.push((
                sheet,
                pnl,
                CashFlowMonth {
                    from,
                    to,
                    receipts,
                    payments,
                    opening_cash: cash,
                    closing_cash: closing,
                },
            ));
            cash = closing;
        }
        out
    }
}

fn flow_lines(name: &str, amounts: &[Decimal; 8], receipt: bool) -> ReportLine {
    let items: Vec<ReportLine> = CashCategory::FLOWS
        .iter()
        .zip(amounts)
        .filter(|(_, v)| !v.is_zero())
        .map(|(c, v)| ReportLine {
            name: text(c.label(receipt)),
            account: None,
            value: *v,
            items: Vec::new(),
        })
        .collect();
    let value = items.iter().fold(zero(), |acc, l| acc + l.value);
    ReportLine {
        name: text(name),
        account: None,
        value,
        items,
    }
}

/// A caption for a category segment (`CostOfSales` → `Cost of Sales`).
fn caption(segment: &str, top: &str) -> Text {
    let label = match (top, segment) {
        ("Asset", "Fixed") => "Fixed Assets",
        ("Asset", "Current") => "Current Assets",
        ("Liability", "Current") => "Current Liabilities",
        ("Liability", "NonCurrent") => "Non-current Liabilities",
        (_, "CostOfSales") => "Cost of Sales",
        (_, "CreditCards") => "Credit Cards",
        (_, "ForeignExchange") => "Foreign Exchange",
        (_, "ShareCapital") => "Share Capital",
        (_, "RetainedEarnings") => "Retained Earnings",
        (_, other) => other,
    };
    text(label)
}

/// Builds the tree of lines for the accounts whose category starts with `prefix`, one level
/// per category segment below it, leaves per account. `sign` turns ledger amounts into
/// report values (credit-balance sections use −1). Zero leaves are left out.
fn tree(name: &str, prefix: &str, values: &[Decimal], sign: Decimal) -> ReportLine {
    let mut root = ReportLine {
        name: text(name),
        account: None,
        value: zero(),
        items: Vec::new(),
    };
    let top = prefix.split('.').next().unwrap_or(prefix);
    for (i, spec) in CHART.iter().enumerate() {
        let Some(rest) = spec.category.strip_prefix(prefix) else {
            continue;
        };
        let value = values[i] * sign;
        if value.is_zero() {
            continue;
        }
        let mut node = &mut root;
        for segment in rest.split('.').filter(|s| !s.is_empty()) {
            let label = caption(segment, top);
            let pos = match node
                .items
                .iter()
                .position(|n| n.account.is_none() && n.name == label)
            {
                Some(pos) => pos,
                None => {
                    node.items.push(ReportLine {
                        name: label,
                        account: None,
                        value: zero(),
                        items: Vec::new(),
                    });
                    node.items.len() - 1
                }
            };
            node = &mut node.items[pos];
        }
        node.items.push(ReportLine {
            name: text(spec.name),
            account: Some(i as Id + 1),
            value,
            items: Vec::new(),
        });
    }
    fill(&mut root);
    root
}

/// Sets each group's value to the sum of its items.
fn fill(line: &mut ReportLine) -> Decimal {
    if !line.items.is_empty() {
        line.value = line
            .items
            .iter_mut()
            .fold(zero(), |acc, item| acc + fill(item));
    }
    line.value
}

fn profit_and_loss(from: NaiveDate, to: NaiveDate, month: &[Decimal]) -> ProfitAndLossMonth {
    let minus = Decimal::NEGATIVE_ONE;
    let income = tree("Income", "Income.Revenue", month, minus);
    let other_income = tree("Other Income", "Income.Other", month, minus);
    let cost_of_sales = tree("Cost of Sales", "Expense.CostOfSales", month, Decimal::ONE);
    let expenses = tree("Expenses", "Expense.Operating", month, Decimal::ONE);
    let other_expenses = tree("Other Expenses", "Expense.Other", month, Decimal::ONE);
    let gross_profit = income.value - cost_of_sales.value;
    let net_operating_profit = gross_profit - expenses.value;
    let net_other_income = other_income.value - other_expenses.value;
    ProfitAndLossMonth {
        from,
        to,
        income,
        cost_of_sales,
        gross_profit,
        expenses,
        net_operating_profit,
        other_income,
        other_expenses,
        net_other_income,
        net_profit: net_operating_profit + net_other_income,
    }
}

fn balance_sheet(
    date: NaiveDate,
    cumulative: &[Decimal],
    earlier_years: Decimal,
    this_year: Decimal,
) -> BalanceSheetMonth {
    let minus = Decimal::NEGATIVE_ONE;
    let assets = tree("Assets", "Asset", cumulative, Decimal::ONE);
    let liabilities = tree("Liabilities", "Liability", cumulative, minus);
    let mut equity = tree("Equity", "Equity", cumulative, minus);
    // Retained earnings as reported: the ledger account (balances brought forward) plus
    // profits of financial years completed within the books; the year in progress shows
    // as current-year earnings. No closing entries are posted, as in Xero and QuickBooks.
    let ledger_retained = CHART
        .iter()
        .position(|a| a.category == "Equity.RetainedEarnings")
        .map_or(zero(), |i| -cumulative[i]);
    let retained = ledger_retained + earlier_years;
    let retained_label = caption("RetainedEarnings", "Equity");
    equity.items.retain(|l| l.name != retained_label);
    let mut retained_items = Vec::new();
    if let Some(i) = CHART
        .iter()
        .position(|a| a.category == "Equity.RetainedEarnings")
        && !ledger_retained.is_zero()
    {
        retained_items.push(ReportLine {
            name: text(CHART[i].name),
            account: Some(i as Id + 1),
            value: ledger_retained,
            items: Vec::new(),
        });
    }
    if !earlier_years.is_zero() {
        retained_items.push(ReportLine {
            name: text("Profit of earlier years"),
            account: None,
            value: earlier_years,
            items: Vec::new(),
        });
    }
    equity.items.push(ReportLine {
        name: retained_label,
        account: None,
        value: retained,
        items: retained_items,
    });
    equity.items.push(ReportLine {
        name: text("Current Year Earnings"),
        account: None,
        value: this_year,
        items: Vec::new(),
    });
    fill(&mut equity);
    let net_assets = assets.value - liabilities.value;
    BalanceSheetMonth {
        date,
        assets,
        liabilities,
        equity,
        net_assets,
        retained_earnings: retained,
        current_year_earnings: this_year,
    }
}

/// The day before `date`.
pub(crate) fn day_before(date: NaiveDate) -> NaiveDate {
    add_days(date, -1)
}
