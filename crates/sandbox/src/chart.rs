//! The fixed parts of the books: chart of accounts, tax rates, tracking categories, payment
//! methods and journals. Ids are positions in these tables (1-based).

use crate::model::{AccountType, Currency, Id, PaymentMethodKind};

/// One account of the chart.
pub(crate) struct AccountSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub account_type: AccountType,
    pub category: &'static str,
    pub currency: Currency,
    pub is_bank: bool,
}

const fn acct(
    code: &'static str,
    name: &'static str,
    account_type: AccountType,
    category: &'static str,
    description: &'static str,
) -> AccountSpec {
    AccountSpec {
        code,
        name,
        description,
        account_type,
        category,
        currency: Currency::Gbp,
        is_bank: false,
    }
}

const fn bank(
    code: &'static str,
    name: &'static str,
    account_type: AccountType,
    category: &'static str,
    currency: Currency,
    description: &'static str,
) -> AccountSpec {
    AccountSpec {
        code,
        name,
        description,
        account_type,
        category,
        currency,
        is_bank: true,
    }
}

use AccountType::{Asset, Equity, Expense, Income, Liability};

/// A UK small company's chart of accounts (Sage-style nominal codes). Categories nest by
/// dots: the first level is the type, the second Codat's `fullyQualifiedCategory`, the rest
/// groups the statements show.
pub(crate) const CHART: &[AccountSpec] = &[
    acct(
        "0030",
        "Office Equipment",
        Asset,
        "Asset.Fixed.Equipment",
        "Furniture and office equipment at cost",
    ),
    acct(
        "0031",
        "Office Equipment Depreciation",
        Asset,
        "Asset.Fixed.Equipment",
        "Accumulated depreciation on office equipment",
    ),
    acct(
        "0040",
        "Computer Equipment",
        Asset,
        "Asset.Fixed.Equipment",
        "Computers and IT hardware at cost",
    ),
    acct(
        "0041",
        "Computer Equipment Depreciation",
        Asset,
        "Asset.Fixed.Equipment",
        "Accumulated depreciation on computer equipment",
    ),
    acct(
        "1100",
        "Trade Debtors",
        Asset,
        "Asset.Current.Receivables",
        "Amounts owed by customers (accounts receivable)",
    ),
    acct(
        "1103",
        "Prepayments",
        Asset,
        "Asset.Current.Receivables",
        "Expenses paid in advance",
    ),
    bank(
        "1200",
        "Business Current Account",
        Asset,
        "Asset.Current.Bank",
        Currency::Gbp,
        "Main operating account",
    ),
    bank(
        "1210",
        "Business Savings Account",
        Asset,
        "Asset.Current.Bank",
        Currency::Gbp,
        "Instant access savings",
    ),
    bank(
        "1220",
        "Euro Account",
        Asset,
        "Asset.Current.Bank",
        Currency::Eur,
        "Receipts and payments in euros",
    ),
    bank(
        "1230",
        "US Dollar Account",
        Asset,
        "Asset.Current.Bank",
        Currency::Usd,
        "Receipts and payments in US dollars",
    ),
    acct(
        "2100",
        "Trade Creditors",
        Liability,
        "Liability.Current.Payables",
        "Amounts owed to suppliers (accounts payable)",
    ),
    bank(
        "2105",
        "Company Credit Card",
        Liability,
        "Liability.Current.CreditCards",
        Currency::Gbp,
        "Business credit card, cleared monthly",
    ),
    acct(
        "2200",
        "VAT",
        Liability,
        "Liability.Current.Tax",
        "VAT collected less VAT reclaimable",
    ),
    acct(
        "2210",
        "PAYE and NI",
        Liability,
        "Liability.Current.Payroll",
        "Income tax and National Insurance owed to HMRC",
    ),
    acct(
        "2220",
        "Net Wages",
        Liability,
        "Liability.Current.Payroll",
        "Net pay owed to employees",
    ),
    acct(
        "2300",
        "Bank Loan",
        Liability,
        "Liability.NonCurrent.Loans",
        "Five-year business loan",
    ),
    acct(
        "3000",
        "Share Capital",
        Equity,
        "Equity.ShareCapital",
        "Ordinary shares issued",
    ),
    acct(
        "3200",
        "Retained Earnings",
        Equity,
        "Equity.RetainedEarnings",
        "Profits kept in the business from earlier years",
    ),
    acct(
        "4000",
        "Sales - Goods",
        Income,
        "Income.Revenue.Sales",
        "Sales of goods",
    ),
    acct(
        "4010",
        "Sales - Services",
        Income,
        "Income.Revenue.Sales",
        "Fees for services",
    ),
    acct(
        "4900",
        "Other Income",
        Income,
        "Income.Other.Sundry",
        "Sundry income",
    ),
    acct(
        "4905",
        "Bank Interest Received",
        Income,
        "Income.Other.Interest",
        "Interest on savings",
    ),
    acct(
        "5000",
        "Cost of Goods Sold",
        Expense,
        "Expense.CostOfSales.Purchases",
        "Goods bought for resale",
    ),
    acct(
        "5010",
        "Subcontractor Costs",
        Expense,
        "Expense.CostOfSales.Subcontractors",
        "Work subcontracted for customers",
    ),
    acct(
        "5100",
        "Carriage",
        Expense,
        "Expense.CostOfSales.Carriage",
        "Delivery of goods to customers",
    ),
    acct(
        "6100",
        "Advertising and Marketing",
        Expense,
        "Expense.Operating.Marketing",
        "Advertising, promotion and agencies",
    ),
    acct(
        "7000",
        "Wages and Salaries",
        Expense,
        "Expense.Operating.People",
        "Gross pay of employees",
    ),
    acct(
        "7006",
        "Employer's NI",
        Expense,
        "Expense.Operating.People",
        "Employer's National Insurance contributions",
    ),
    acct(
        "7100",
        "Rent",
        Expense,
        "Expense.Operating.Premises",
        "Rent of premises",
    ),
    acct(
        "7104",
        "Insurance",
        Expense,
        "Expense.Operating.Premises",
        "Business insurance",
    ),
    acct(
        "7200",
        "Light, Heat and Power",
        Expense,
        "Expense.Operating.Premises",
        "Electricity and gas",
    ),
    acct(
        "7300",
        "Motor Expenses",
        Expense,
        "Expense.Operating.Travel",
        "Fuel, parking and mileage",
    ),
    acct(
        "7400",
        "Travel and Subsistence",
        Expense,
        "Expense.Operating.Travel",
        "Travel and accommodation",
    ),
    acct(
        "7500",
        "Printing, Postage and Stationery",
        Expense,
        "Expense.Operating.Office",
        "Office consumables and postage",
    ),
    acct(
        "7502",
        "Telephone and Internet",
        Expense,
        "Expense.Operating.Office",
        "Phones and broadband",
    ),
    acct(
        "7504",
        "Software Subscriptions",
        Expense,
        "Expense.Operating.Office",
        "Software and cloud services",
    ),
    acct(
        "7600",
        "Accountancy Fees",
        Expense,
        "Expense.Operating.Professional",
        "Accountants and bookkeeping",
    ),
    acct(
        "7800",
        "Repairs and Maintenance",
        Expense,
        "Expense.Operating.Premises",
        "Repairs, cleaning and maintenance",
    ),
    acct(
        "7900",
        "Bank Charges",
        Expense,
        "Expense.Operating.Finance",
        "Bank and card fees",
    ),
    acct(
        "8000",
        "Depreciation",
        Expense,
        "Expense.Operating.Depreciation",
        "Depreciation of fixed assets",
    ),
    acct(
        "8200",
        "Entertainment",
        Expense,
        "Expense.Operating.Travel",
        "Client entertainment (not reclaimable)",
    ),
    acct(
        "7903",
        "Loan Interest",
        Expense,
        "Expense.Other.Finance",
        "Interest on the bank loan",
    ),
    acct(
        "8900",
        "Realised Currency Gains and Losses",
        Expense,
        "Expense.Other.ForeignExchange",
        "Exchange differences on settled foreign-currency items",
    ),
];

/// The id of the account with a nominal code; codes used by the generator all exist.
pub(crate) fn account(code: &str) -> Id {
    CHART
        .iter()
        .position(|a| a.code == code)
        .map_or(0, |i| i as Id + 1)
}

/// The accounts the generator posts to by role, resolved once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Accounts {
    pub office_equipment: Id,
    pub office_depreciation: Id,
    pub computer_equipment: Id,
    pub computer_depreciation: Id,
    pub receivables: Id,
    pub current: Id,
    pub savings: Id,
    pub eur: Id,
    pub usd: Id,
    pub payables: Id,
    pub card: Id,
    pub vat: Id,
    pub paye: Id,
    pub net_wages: Id,
    pub loan: Id,
    pub share_capital: Id,
    pub retained_earnings: Id,
    pub sales_goods: Id,
    pub sales_services: Id,
    pub interest_received: Id,
    pub cost_of_goods: Id,
    pub wages: Id,
    pub employers_ni: Id,
    pub bank_charges: Id,
    pub depreciation: Id,
    pub loan_interest: Id,
    pub fx: Id,
}

impl Accounts {
    pub(crate) fn resolve() -> Self {
        Self {
            office_equipment: account("0030"),
            office_depreciation: account("0031"),
            computer_equipment: account("0040"),
            computer_depreciation: account("0041"),
            receivables: account("1100"),
            current: account("1200"),
            savings: account("1210"),
            eur: account("1220"),
            usd: account("1230"),
            payables: account("2100"),
            card: account("2105"),
            vat: account("2200"),
            paye: account("2210"),
            net_wages: account("2220"),
            loan: account("2300"),
            share_capital: account("3000"),
            retained_earnings: account("3200"),
            sales_goods: account("4000"),
            sales_services: account("4010"),
            interest_received: account("4905"),
            cost_of_goods: account("5000"),
            wages: account("7000"),
            employers_ni: account("7006"),
            bank_charges: account("7900"),
            depreciation: account("8000"),
            loan_interest: account("7903"),
            fx: account("8900"),
        }
    }

    /// The bank account (ledger id) that holds a currency.
    pub(crate) fn bank_for(&self, currency: Currency) -> Id {
        match currency {
            Currency::Gbp => self.current,
            Currency::Eur => self.eur,
            Currency::Usd => self.usd,
        }
    }
}

/// Bank accounts in the order of their `bankAccounts` ids: ledger code, card?
pub(crate) const BANK_ACCOUNTS: &[&str] = &["1200", "1210", "1220", "1230", "2105"];

/// The bank account id (1-based position in [`BANK_ACCOUNTS`]) of a ledger account.
pub(crate) fn bank_id(ledger: Id) -> Id {
    BANK_ACCOUNTS
        .iter()
        .position(|code| account(code) == ledger)
        .map_or(0, |i| i as Id + 1)
}

/// Tax rates: code, name, percentage. Index 0 standard, 1 reduced, 2 zero, 3 no VAT.
pub(crate) const TAX_RATES: &[(&str, &str, i64)] = &[
    ("S", "Standard 20%", 20),
    ("R", "Reduced 5%", 5),
    ("Z", "Zero Rated 0%", 0),
    ("E", "No VAT", 0),
];

/// Tracking categories: name and parent (1-based index into this table, 0 for none).
pub(crate) const TRACKING: &[(&str, usize)] = &[
    ("Region", 0),
    ("London", 1),
    ("North", 1),
    ("South and West", 1),
    ("Midlands", 1),
    ("Export", 1),
    ("Department", 0),
    ("Sales", 7),
    ("Operations", 7),
    ("Administration", 7),
];

/// Tracking id of region option `i` (0 London .. 4 Export).
pub(crate) fn region(i: usize) -> Id {
    2 + i as Id
}

/// Tracking ids of the departments.
pub(crate) const DEPT_SALES: Id = 8;
pub(crate) const DEPT_OPERATIONS: Id = 9;
pub(crate) const DEPT_ADMIN: Id = 10;

/// Payment methods.
pub(crate) const PAYMENT_METHODS: &[(&str, PaymentMethodKind)] = &[
    ("BACS", PaymentMethodKind::BankTransfer),
    ("Direct Debit", PaymentMethodKind::Other),
    ("Credit Card", PaymentMethodKind::CreditCard),
    ("Debit Card", PaymentMethodKind::DebitCard),
    ("Cheque", PaymentMethodKind::Check),
    ("Cash", PaymentMethodKind::Cash),
];

/// Payment method ids.
pub(crate) const METHOD_BACS: Id = 1;
pub(crate) const METHOD_DIRECT_DEBIT: Id = 2;
pub(crate) const METHOD_CARD: Id = 3;
pub(crate) const METHOD_DEBIT_CARD: Id = 4;
pub(crate) const METHOD_CHEQUE: Id = 5;

/// Journals: code, name, type.
pub(crate) const JOURNALS: &[(&str, &str, &str)] = &[
    ("SJ", "Sales Journal", "Sales"),
    ("PJ", "Purchases Journal", "Purchases"),
    ("CB", "Cash Book", "Cash"),
    ("GJ", "General Journal", "General"),
];

/// Journal ids.
pub(crate) const JOURNAL_SALES: Id = 1;
pub(crate) const JOURNAL_PURCHASES: Id = 2;
pub(crate) const JOURNAL_CASH: Id = 3;
pub(crate) const JOURNAL_GENERAL: Id = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_resolve() {
        for (i, a) in CHART.iter().enumerate() {
            assert_eq!(account(a.code), i as Id + 1, "{}", a.code);
            assert!(a.category.starts_with(match a.account_type {
                Asset => "Asset.",
                Liability => "Liability.",
                Equity => "Equity.",
                Income => "Income.",
                Expense => "Expense.",
            }));
        }
        let accounts = Accounts::resolve();
        assert_ne!(accounts.fx, 0);
        for code in BANK_ACCOUNTS {
            assert!(CHART[account(code) as usize - 1].is_bank);
        }
        for spend in crate::words::SPENDS {
            assert_ne!(account(spend.account), 0, "{}", spend.account);
        }
    }
}
