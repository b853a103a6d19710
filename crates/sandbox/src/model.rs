//! The books: a platform-neutral model of one small business's ledger.
//!
//! This is what the generator produces and what every front end maps from: the Sandbox
//! integration to Codat's types ([`crate::codat`]), the Xero and QuickBooks simulators to
//! their wire formats. It stays close to double-entry bookkeeping rather than to any one
//! platform: invoices and bills share [`Document`], receipts and bill payments share
//! [`Payment`], and every transaction has its [`JournalEntry`].
//!
//! Conventions:
//! - Ids are dense per-kind counters starting at 1 ([`Id`]); [`crate::Ids`] turns them into
//!   platform-style strings. The kind of a reference is always implied by its field.
//! - Amounts are [`Decimal`]s with two decimal places, rounded half away from zero, in the
//!   record's own currency unless a field says *base* (the company's currency).
//! - Ledger amounts are signed: debits positive, credits negative.
//! - Dates are calendar dates of the business; timestamps are UTC.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;

/// Shared, immutable text (names repeat on thousands of lines).
pub type Text = Arc<str>;

/// A record id: unique within its [`RecordKind`], dense from 1.
pub type Id = u64;

/// Currencies the books use. The first is the base currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Currency {
    /// Pound sterling, the base currency.
    Gbp,
    /// Euro.
    Eur,
    /// US dollar.
    Usd,
}

impl Currency {
    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Gbp => "GBP",
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
        }
    }
}

/// Every kind of record in the books, named as Codat's data types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RecordKind {
    /// The company's own details (Codat `company`).
    Company,
    /// Chart of accounts (`chartOfAccounts`).
    Account,
    /// `taxRates`.
    TaxRate,
    /// `items`.
    Item,
    /// `trackingCategories`.
    TrackingCategory,
    /// `paymentMethods`.
    PaymentMethod,
    /// `journals`.
    Journal,
    /// `customers`.
    Customer,
    /// `suppliers`.
    Supplier,
    /// `bankAccounts`.
    BankAccount,
    /// `invoices`.
    Invoice,
    /// `creditNotes`.
    CreditNote,
    /// `payments` (money received from customers).
    Payment,
    /// `bills`.
    Bill,
    /// `billCreditNotes`.
    BillCreditNote,
    /// `billPayments`.
    BillPayment,
    /// `salesOrders`.
    SalesOrder,
    /// `purchaseOrders`.
    PurchaseOrder,
    /// `directCosts` (spend money).
    DirectCost,
    /// `directIncomes` (receive money).
    DirectIncome,
    /// `transfers` between bank accounts.
    Transfer,
    /// `journalEntries`.
    JournalEntry,
    /// `bankTransactions` (the bank's statement lines).
    BankTransaction,
    /// `accountTransactions` (the ledger's side of each bank movement).
    AccountTransaction,
    /// `balanceSheet`, one record per month.
    BalanceSheet,
    /// `profitAndLoss`, one record per month.
    ProfitAndLoss,
    /// `cashFlowStatement`, one record per month.
    CashFlowStatement,
}

impl RecordKind {
    /// Every kind, in the order the stream first emits them.
    pub const ALL: [RecordKind; 27] = [
        RecordKind::Company,
        RecordKind::Account,
        RecordKind::TaxRate,
        RecordKind::Item,
        RecordKind::TrackingCategory,
        RecordKind::PaymentMethod,
        RecordKind::Journal,
        RecordKind::Customer,
        RecordKind::Supplier,
        RecordKind::BankAccount,
        RecordKind::Invoice,
        RecordKind::CreditNote,
        RecordKind::Payment,
        RecordKind::Bill,
        RecordKind::BillCreditNote,
        RecordKind::BillPayment,
        RecordKind::SalesOrder,
        RecordKind::PurchaseOrder,
        RecordKind::DirectCost,
        RecordKind::DirectIncome,
        RecordKind::Transfer,
        RecordKind::JournalEntry,
        RecordKind::BankTransaction,
        RecordKind::AccountTransaction,
        RecordKind::BalanceSheet,
        RecordKind::ProfitAndLoss,
        RecordKind::CashFlowStatement,
    ];

    /// Codat's data type key (`invoices`, `chartOfAccounts`, `company`, ...).
    pub fn codat_key(self) -> &'static str {
        match self {
            RecordKind::Company => "company",
            RecordKind::Account => "chartOfAccounts",
            RecordKind::TaxRate => "taxRates",
            RecordKind::Item => "items",
            RecordKind::TrackingCategory => "trackingCategories",
            RecordKind::PaymentMethod => "paymentMethods",
            RecordKind::Journal => "journals",
            RecordKind::Customer => "customers",
            RecordKind::Supplier => "suppliers",
            RecordKind::BankAccount => "bankAccounts",
            RecordKind::Invoice => "invoices",
            RecordKind::CreditNote => "creditNotes",
            RecordKind::Payment => "payments",
            RecordKind::Bill => "bills",
            RecordKind::BillCreditNote => "billCreditNotes",
            RecordKind::BillPayment => "billPayments",
            RecordKind::SalesOrder => "salesOrders",
            RecordKind::PurchaseOrder => "purchaseOrders",
            RecordKind::DirectCost => "directCosts",
            RecordKind::DirectIncome => "directIncomes",
            RecordKind::Transfer => "transfers",
            RecordKind::JournalEntry => "journalEntries",
            RecordKind::BankTransaction => "bankTransactions",
            RecordKind::AccountTransaction => "accountTransactions",
            RecordKind::BalanceSheet => "balanceSheet",
            RecordKind::ProfitAndLoss => "profitAndLoss",
            RecordKind::CashFlowStatement => "cashFlowStatement",
        }
    }

    /// The kind for a Codat data type key.
    pub fn from_codat_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.codat_key() == key)
    }

    /// A small dense index (position in [`RecordKind::ALL`]).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A pointer to a record of any kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct RecordRef {
    /// What the record is.
    pub kind: RecordKind,
    /// Its id within the kind.
    pub id: Id,
}

/// Which side of the business a contact or document is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Party {
    /// Someone who buys from the business.
    Customer,
    /// Someone the business buys from.
    Supplier,
}

/// A reference to a customer or supplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ContactRef {
    /// Customer or supplier.
    pub party: Party,
    /// Id within that party's kind.
    pub id: Id,
}

/// A postal address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Address {
    /// Billing or delivery.
    pub kind: AddressKind,
    /// Street line.
    pub line1: Text,
    /// Second line (unit, building), if any.
    pub line2: Option<Text>,
    /// Town or city.
    pub city: Text,
    /// County, state or region.
    pub region: Text,
    /// Country name.
    pub country: Text,
    /// Postcode or ZIP.
    pub postal_code: Text,
}

/// What an address is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AddressKind {
    /// Where invoices go.
    Billing,
    /// Where goods go.
    Delivery,
}

/// The company whose books these are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Company {
    /// Trading name.
    pub name: Text,
    /// Registered name.
    pub legal_name: Text,
    /// Companies House number.
    pub registration_number: Text,
    /// VAT number.
    pub tax_number: Text,
    /// Registered office.
    pub address: Address,
    /// Main phone line.
    pub phone: Text,
    /// Website.
    pub website: Text,
    /// The base currency.
    pub base_currency: Currency,
    /// First day of the financial year in progress at the start of the books.
    pub financial_year_start: NaiveDate,
    /// First day of the books.
    pub books_start: NaiveDate,
    /// When the company was set up on the platform.
    pub created: NaiveDateTime,
    /// What the business does, in a few words.
    pub line_of_business: Text,
}

/// The five account types of double-entry bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AccountType {
    /// Resources owned (debit balance).
    Asset,
    /// Amounts owed (credit balance).
    Liability,
    /// Owners' stake (credit balance).
    Equity,
    /// Revenue (credit balance).
    Income,
    /// Costs (debit balance).
    Expense,
}

/// An account of the chart of accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Id (also its position in the chart).
    pub id: Id,
    /// Nominal code, e.g. `1200`.
    pub nominal_code: &'static str,
    /// Name, e.g. `Business Current Account`.
    pub name: &'static str,
    /// What it is for.
    pub description: &'static str,
    /// Type.
    pub account_type: AccountType,
    /// Dotted category path under the type, e.g. `Asset.Current.Bank`.
    pub category: &'static str,
    /// Currency the account is kept in.
    pub currency: Currency,
    /// Whether it is a bank (or card) account.
    pub is_bank: bool,
    /// Balance at the snapshot's cut-off in the base currency, debit positive.
    pub balance: Decimal,
    /// The same balance in the account's own currency (differs for foreign bank accounts).
    pub balance_in_currency: Decimal,
    /// When it was created.
    pub created: NaiveDateTime,
    /// When its balance last changed (the last entry posted to it), or when it was created.
    pub modified: NaiveDateTime,
}

impl Account {
    /// `category.name`, e.g. `Asset.Current.Bank.Business Current Account`.
    pub fn fully_qualified_name(&self) -> String {
        format!("{}.{}", self.category, self.name)
    }

    /// The first two levels of the category, e.g. `Asset.Current`.
    pub fn fully_qualified_category(&self) -> &'static str {
        let mut dots = self.category.match_indices('.');
        match dots.nth(1) {
            Some((at, _)) => &self.category[..at],
            None => self.category,
        }
    }
}

/// A tax rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaxRate {
    /// Id.
    pub id: Id,
    /// Short code, e.g. `S`.
    pub code: &'static str,
    /// Name, e.g. `Standard 20%`.
    pub name: &'static str,
    /// Rate as a percentage (`20` for 20%).
    pub rate: Decimal,
    /// When it was created.
    pub created: NaiveDateTime,
}

/// What kind of thing an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ItemKind {
    /// Goods the business buys and sells without tracking stock.
    NonInventory,
    /// Time or work.
    Service,
}

/// A product or service the business sells (and perhaps buys).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Id.
    pub id: Id,
    /// SKU-like code.
    pub code: Text,
    /// Name.
    pub name: Text,
    /// Goods or service.
    pub kind: ItemKind,
    /// Unit of measure, e.g. `kg`, `hour`.
    pub unit: &'static str,
    /// Sale price at the cut-off (prices rise once a year).
    pub sale_price: Decimal,
    /// Purchase price at the cut-off, for items bought in.
    pub purchase_price: Option<Decimal>,
    /// Income account sales post to.
    pub sales_account: Id,
    /// Cost account purchases post to.
    pub purchase_account: Id,
    /// Tax rate on sales and purchases.
    pub tax_rate: Id,
    /// When it was created.
    pub created: NaiveDateTime,
    /// When it last changed (price rises).
    pub modified: NaiveDateTime,
}

/// A tracking category or one of its options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackingCategory {
    /// Id.
    pub id: Id,
    /// Name, e.g. `Region` or `North`.
    pub name: &'static str,
    /// The category this option belongs to.
    pub parent: Option<Id>,
    /// Whether it has options below it.
    pub has_children: bool,
    /// When it was created.
    pub created: NaiveDateTime,
}

/// Tracking options on a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tracking {
    /// The `Region` option.
    pub region: Option<Id>,
    /// The `Department` option.
    pub department: Option<Id>,
}

impl Tracking {
    /// The options set, region first.
    pub fn ids(&self) -> impl Iterator<Item = Id> {
        self.region.into_iter().chain(self.department)
    }
}

/// How money moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PaymentMethodKind {
    /// BACS / Faster Payments.
    BankTransfer,
    /// Debit card.
    DebitCard,
    /// Credit card.
    CreditCard,
    /// Cheque.
    Check,
    /// Cash.
    Cash,
    /// Direct debit and anything else.
    Other,
}

/// A payment method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentMethod {
    /// Id.
    pub id: Id,
    /// Name, e.g. `BACS`.
    pub name: &'static str,
    /// Kind.
    pub kind: PaymentMethodKind,
    /// When it was created.
    pub created: NaiveDateTime,
}

/// A journal (book of original entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Journal {
    /// Id.
    pub id: Id,
    /// Code, e.g. `SJ`.
    pub code: &'static str,
    /// Name, e.g. `Sales Journal`.
    pub name: &'static str,
    /// Type, e.g. `Sales`.
    pub kind: &'static str,
    /// When it was created.
    pub created: NaiveDateTime,
}

/// A customer or supplier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Customer or supplier.
    pub party: Party,
    /// Id within its party.
    pub id: Id,
    /// Business name.
    pub name: Text,
    /// The person to talk to.
    pub contact_person: Text,
    /// Their email.
    pub email: Text,
    /// Main phone number.
    pub phone: Text,
    /// Mobile number, if known.
    pub mobile: Option<Text>,
    /// Billing address (and a delivery address for some customers).
    pub addresses: Vec<Address>,
    /// Currency they trade in.
    pub currency: Currency,
    /// Companies House number, for limited companies.
    pub registration_number: Option<Text>,
    /// VAT number, if registered.
    pub tax_number: Option<Text>,
    /// Payment terms in days.
    pub terms_days: u32,
    /// Whether still in use at the cut-off.
    pub archived: bool,
    /// When it was created.
    pub created: NaiveDateTime,
    /// When it last changed.
    pub modified: NaiveDateTime,
}

/// A bank or credit-card account, as the bank sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankAccount {
    /// Id.
    pub id: Id,
    /// The ledger account it is kept in.
    pub ledger_account: Id,
    /// Name.
    pub name: &'static str,
    /// Whether it is a card (credit) account.
    pub is_credit_card: bool,
    /// UK sort code.
    pub sort_code: Option<Text>,
    /// Account number (the last four digits for a card).
    pub account_number: Text,
    /// IBAN, for the currency accounts.
    pub iban: Option<Text>,
    /// Currency.
    pub currency: Currency,
    /// Balance at the cut-off in the account's currency (a card's is negative when owed).
    pub balance: Decimal,
    /// Overdraft or credit limit.
    pub overdraft_limit: Decimal,
    /// The bank.
    pub institution: &'static str,
    /// When it was opened.
    pub created: NaiveDateTime,
    /// When its balance last changed.
    pub modified: NaiveDateTime,
}

/// Invoices, bills and the credit notes against them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DocumentKind {
    /// Sales invoice.
    Invoice,
    /// Supplier bill.
    Bill,
    /// Credit note to a customer.
    CreditNote,
    /// Credit note from a supplier.
    BillCreditNote,
}

impl DocumentKind {
    /// The record kind.
    pub fn record_kind(self) -> RecordKind {
        match self {
            DocumentKind::Invoice => RecordKind::Invoice,
            DocumentKind::Bill => RecordKind::Bill,
            DocumentKind::CreditNote => RecordKind::CreditNote,
            DocumentKind::BillCreditNote => RecordKind::BillCreditNote,
        }
    }

    /// Whose document it is.
    pub fn party(self) -> Party {
        match self {
            DocumentKind::Invoice | DocumentKind::CreditNote => Party::Customer,
            DocumentKind::Bill | DocumentKind::BillCreditNote => Party::Supplier,
        }
    }

    /// Whether it is a credit note.
    pub fn is_credit(self) -> bool {
        matches!(
            self,
            DocumentKind::CreditNote | DocumentKind::BillCreditNote
        )
    }
}

/// Where a document is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DocumentStatus {
    /// Not yet approved: no ledger entry.
    Draft,
    /// Approved and nothing paid (Codat: `Submitted` for sales, `Open` for bills).
    Open,
    /// Something paid, something due.
    PartiallyPaid,
    /// Nothing due (for a credit note: all of it allocated).
    Paid,
    /// Cancelled after approval; its ledger entry is reversed.
    Void,
}

/// One line of a document or order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// 1-based position.
    pub line_number: u32,
    /// Description.
    pub description: Text,
    /// The item sold or bought, if any.
    pub item: Option<Id>,
    /// Ledger account the net amount posts to.
    pub account: Id,
    /// Tax rate applied.
    pub tax_rate: Id,
    /// That rate as a percentage, for convenience.
    pub tax_percent: Decimal,
    /// Quantity.
    pub quantity: Decimal,
    /// Price per unit, before discount.
    pub unit_amount: Decimal,
    /// Discount as a percentage (0–100).
    pub discount_percentage: Decimal,
    /// `round(quantity × unitAmount × discountPercentage / 100)`.
    pub discount_amount: Decimal,
    /// `round(quantity × unitAmount) − discountAmount`.
    pub sub_total: Decimal,
    /// `round(subTotal × taxPercent / 100)`.
    pub tax_amount: Decimal,
    /// `subTotal + taxAmount`.
    pub total_amount: Decimal,
    /// Tracking options.
    pub tracking: Tracking,
    /// The order line this line bills, if any.
    pub order_line: Option<(Id, u32)>,
}

/// What settled (part of) a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AllocationSource {
    /// A payment (a receipt for invoices, a bill payment for bills).
    Payment(Id),
    /// A credit note (for invoices) or bill credit note (for bills).
    CreditNote(Id),
    /// On a credit note: the invoice or bill it was allocated to.
    Document(Id),
}

/// Part of a document settled by a payment or credit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// What settled it.
    pub source: AllocationSource,
    /// When.
    pub date: NaiveDate,
    /// Amount allocated, in the document's currency.
    pub amount: Decimal,
    /// Total of the payment or credit, in its currency.
    pub source_total: Decimal,
    /// Currency rate of the payment or credit to base.
    pub source_currency_rate: Decimal,
    /// Bank account the payment went through (none for credits).
    pub bank_account: Option<Id>,
    /// Reference of the payment or credit (its number).
    pub reference: Text,
}

/// An invoice, bill, credit note or bill credit note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Which of the four.
    pub kind: DocumentKind,
    /// Id within its kind.
    pub id: Id,
    /// Number people use (`INV-00042`, the supplier's invoice number on a bill).
    pub number: Text,
    /// Customer or supplier id (the party follows from the kind).
    pub contact: Id,
    /// Their name, as references show it.
    pub contact_name: Text,
    /// The sales or purchase order it bills: id and number.
    pub order: Option<(Id, Text)>,
    /// For credit notes: the document they were raised against.
    pub credited_document: Option<Id>,
    /// Issue date.
    pub issue_date: NaiveDate,
    /// Due date (none on credit notes).
    pub due_date: Option<NaiveDate>,
    /// Currency.
    pub currency: Currency,
    /// Base currency units per unit of `currency`.
    pub currency_rate: Decimal,
    /// Lines.
    pub lines: Vec<Line>,
    /// Sum of line sub-totals (net of discounts, before tax).
    pub sub_total: Decimal,
    /// Sum of line discounts.
    pub total_discount: Decimal,
    /// Sum of line tax.
    pub total_tax: Decimal,
    /// `subTotal + totalTax`.
    pub total: Decimal,
    /// Payments and credits applied (on a credit note: where it was applied).
    pub allocations: Vec<Allocation>,
    /// `total − allocations` (zero when void): what is still owed, or credit remaining.
    pub amount_due: Decimal,
    /// Status at the cut-off.
    pub status: DocumentStatus,
    /// When it was paid in full.
    pub paid_on: Option<NaiveDate>,
    /// Free-text note.
    pub note: Option<Text>,
    /// When it was created.
    pub created: NaiveDateTime,
    /// When it last changed (edits, payments, credits, voiding) before the cut-off.
    pub modified: NaiveDateTime,
}

/// Money received from a customer or paid to a supplier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// Customer (a receipt, Codat `payments`) or supplier (Codat `billPayments`).
    pub party: Party,
    /// Id within its kind.
    pub id: Id,
    /// The customer or supplier.
    pub contact: Id,
    /// Their name, as references show it.
    pub contact_name: Text,
    /// Bank account the money went through.
    pub bank_account: Id,
    /// Payment method.
    pub method: Id,
    /// Date.
    pub date: NaiveDate,
    /// Currency (always the documents' currency).
    pub currency: Currency,
    /// Base units per unit of `currency` on the payment date.
    pub currency_rate: Decimal,
    /// Amount, positive.
    pub total: Decimal,
    /// What it paid, each positive, adding up to `total`.
    pub links: Vec<PaymentLink>,
    /// Bank reference.
    pub reference: Text,
    /// When it was recorded.
    pub created: NaiveDateTime,
    /// When it last changed.
    pub modified: NaiveDateTime,
}

/// One document a payment paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentLink {
    /// Invoice or bill.
    pub document: DocumentKind,
    /// Its id.
    pub id: Id,
    /// Amount applied, positive, in the document's currency.
    pub amount: Decimal,
}

/// Status of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OrderStatus {
    /// Not sent yet.
    Draft,
    /// Sent, not yet fulfilled.
    Open,
    /// Billed.
    Closed,
    /// Cancelled.
    Void,
}

/// A sales order or purchase order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Order {
    /// Sales (to a customer) or purchase (from a supplier).
    pub party: Party,
    /// Id within its kind.
    pub id: Id,
    /// Number, e.g. `SO-0042`.
    pub number: Text,
    /// The customer's own order number, for sales orders.
    pub customer_reference: Option<Text>,
    /// Customer or supplier id.
    pub contact: Id,
    /// Their name, as references show it.
    pub contact_name: Text,
    /// Issue date.
    pub issue_date: NaiveDate,
    /// Expected delivery.
    pub expected_delivery: NaiveDate,
    /// Actual delivery, once delivered.
    pub delivery_date: Option<NaiveDate>,
    /// Status at the cut-off.
    pub status: OrderStatus,
    /// The invoice or bill raised from it, once raised.
    pub document: Option<Id>,
    /// Currency.
    pub currency: Currency,
    /// Base units per unit of currency.
    pub currency_rate: Decimal,
    /// Lines.
    pub lines: Vec<Line>,
    /// Sum of line sub-totals.
    pub sub_total: Decimal,
    /// Sum of line discounts.
    pub total_discount: Decimal,
    /// Sum of line tax.
    pub total_tax: Decimal,
    /// `subTotal + totalTax`.
    pub total: Decimal,
    /// Delivery address.
    pub ship_to: Address,
    /// Note.
    pub note: Option<Text>,
    /// When it was created.
    pub created: NaiveDateTime,
    /// When it last changed.
    pub modified: NaiveDateTime,
}

/// Money spent or received straight through a bank account, without a bill or invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankSpend {
    /// Spent (Codat `directCosts`) or received (`directIncomes`).
    pub direction: Direction,
    /// Id within its kind.
    pub id: Id,
    /// Who was paid or paid us, if anyone in the books.
    pub contact: Option<ContactRef>,
    /// Bank account.
    pub bank_account: Id,
    /// Payment method.
    pub method: Id,
    /// Date.
    pub date: NaiveDate,
    /// Currency (the bank account's).
    pub currency: Currency,
    /// Base units per unit of currency.
    pub currency_rate: Decimal,
    /// Lines.
    pub lines: Vec<Line>,
    /// Sum of line sub-totals.
    pub sub_total: Decimal,
    /// Sum of line tax.
    pub total_tax: Decimal,
    /// `subTotal + totalTax`: the amount that left or entered the bank.
    pub total: Decimal,
    /// Reference.
    pub reference: Text,
    /// Note.
    pub note: Option<Text>,
    /// When it was recorded.
    pub created: NaiveDateTime,
    /// When it last changed.
    pub modified: NaiveDateTime,
}

/// Money in or out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// Money out.
    Spent,
    /// Money in.
    Received,
}

/// Money moved between two of the business's own accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transfer {
    /// Id.
    pub id: Id,
    /// Description.
    pub description: Text,
    /// Date.
    pub date: NaiveDate,
    /// Bank account the money left.
    pub from_account: Id,
    /// Amount that left, in its currency.
    pub from_amount: Decimal,
    /// Bank account the money reached.
    pub to_account: Id,
    /// Amount that arrived, in its currency.
    pub to_amount: Decimal,
    /// When it was recorded.
    pub created: NaiveDateTime,
    /// When it last changed.
    pub modified: NaiveDateTime,
}

/// A journal entry: balanced lines posted to the ledger together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Id.
    pub id: Id,
    /// Journal it belongs to.
    pub journal: Id,
    /// Description.
    pub description: Text,
    /// Date it takes effect in the ledger.
    pub posted_on: NaiveDate,
    /// When it was created (may be after `posted_on` for approved drafts).
    pub created: NaiveDateTime,
    /// The transaction it records; `None` for manual journals.
    pub source: Option<RecordRef>,
    /// Lines; their `net_amount`s add up to zero.
    pub lines: Vec<JournalLine>,
}

/// One line of a journal entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalLine {
    /// Account.
    pub account: Id,
    /// Description.
    pub description: Text,
    /// Amount in the base currency, debit positive.
    pub net_amount: Decimal,
    /// Amount in the transaction's currency, same sign.
    pub transaction_amount: Decimal,
    /// The transaction's currency.
    pub transaction_currency: Currency,
    /// Customer or supplier concerned.
    pub contact: Option<ContactRef>,
    /// Tracking options.
    pub tracking: Tracking,
}

/// What a bank movement was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BankTransactionKind {
    /// Money in.
    Credit,
    /// Money out.
    Debit,
    /// Interest.
    Interest,
    /// Bank fee.
    Fee,
    /// Transfer between own accounts.
    Transfer,
    /// Direct debit.
    DirectDebit,
    /// Card payment.
    PointOfSale,
}

/// A line on a bank statement (and, seen from the ledger, an account transaction).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankTransaction {
    /// Id (the same id names the matching account transaction).
    pub id: Id,
    /// Bank account.
    pub bank_account: Id,
    /// Date.
    pub date: NaiveDate,
    /// Statement text.
    pub description: Text,
    /// Amount in the account's currency: money in positive.
    pub amount: Decimal,
    /// Running balance after this line.
    pub balance: Decimal,
    /// Account's currency.
    pub currency: Currency,
    /// Base units per unit of currency.
    pub currency_rate: Decimal,
    /// Kind of movement.
    pub kind: BankTransactionKind,
    /// Whether it has been matched to its ledger transaction at the cut-off.
    pub reconciled: bool,
    /// The ledger transaction it matches.
    pub source: RecordRef,
    /// When it appeared.
    pub created: NaiveDateTime,
    /// When it last changed (reconciliation).
    pub modified: NaiveDateTime,
}

/// A line of a financial statement and its breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    /// Caption.
    pub name: Text,
    /// The account, for a leaf line.
    pub account: Option<Id>,
    /// Value; equals the sum of `items` when there are any.
    pub value: Decimal,
    /// Breakdown.
    pub items: Vec<ReportLine>,
}

/// The balance sheet at one month end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BalanceSheetMonth {
    /// The month's last day.
    pub date: NaiveDate,
    /// Assets (debit balances positive).
    pub assets: ReportLine,
    /// Liabilities (credit balances positive).
    pub liabilities: ReportLine,
    /// Equity, including retained and current-year earnings.
    pub equity: ReportLine,
    /// Assets − liabilities (= equity).
    pub net_assets: Decimal,
    /// Retained earnings as reported: the ledger account plus profits of completed
    /// financial years.
    pub retained_earnings: Decimal,
    /// Profit of the financial year to date.
    pub current_year_earnings: Decimal,
}

/// The profit and loss statement for one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfitAndLossMonth {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Trading income.
    pub income: ReportLine,
    /// Direct costs.
    pub cost_of_sales: ReportLine,
    /// `income − costOfSales`.
    pub gross_profit: Decimal,
    /// Overheads.
    pub expenses: ReportLine,
    /// `grossProfit − expenses`.
    pub net_operating_profit: Decimal,
    /// Interest received and other income.
    pub other_income: ReportLine,
    /// Finance costs, currency losses and other expenses.
    pub other_expenses: ReportLine,
    /// `otherIncome − otherExpenses`.
    pub net_other_income: Decimal,
    /// `netOperatingProfit + netOtherIncome`.
    pub net_profit: Decimal,
}

/// The (direct) cash flow statement for one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CashFlowMonth {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Cash received, by kind.
    pub receipts: ReportLine,
    /// Cash paid, by kind.
    pub payments: ReportLine,
    /// Cash (bank accounts, in base) at the start.
    pub opening_cash: Decimal,
    /// Cash at the end: opening + receipts − payments.
    pub closing_cash: Decimal,
}

/// A record removed from the source platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Deletion {
    /// What was deleted.
    pub record: RecordRef,
    /// When.
    pub at: NaiveDateTime,
}

/// One record of the books, as the stream yields it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Record {
    /// The company.
    Company(Box<Company>),
    /// An account.
    Account(Account),
    /// A tax rate.
    TaxRate(TaxRate),
    /// An item.
    Item(Item),
    /// A tracking category.
    TrackingCategory(TrackingCategory),
    /// A payment method.
    PaymentMethod(PaymentMethod),
    /// A journal.
    Journal(Journal),
    /// A customer or supplier.
    Contact(Box<Contact>),
    /// A bank account.
    BankAccount(BankAccount),
    /// An invoice, bill or credit note.
    Document(Box<Document>),
    /// A receipt or bill payment.
    Payment(Box<Payment>),
    /// A sales or purchase order.
    Order(Box<Order>),
    /// A direct cost or direct income.
    BankSpend(Box<BankSpend>),
    /// A transfer.
    Transfer(Box<Transfer>),
    /// A journal entry.
    JournalEntry(Box<JournalEntry>),
    /// A bank statement line.
    BankTransaction(Box<BankTransaction>),
    /// The ledger side of a bank statement line (same id and contents).
    AccountTransaction(Box<BankTransaction>),
    /// A month's balance sheet.
    BalanceSheet(Box<BalanceSheetMonth>),
    /// A month's profit and loss.
    ProfitAndLoss(Box<ProfitAndLossMonth>),
    /// A month's cash flow.
    CashFlow(Box<CashFlowMonth>),
    /// A record deleted in the source.
    Deleted(Deletion),
}

impl Record {
    /// The data type this record belongs to (for a deletion: the deleted record's).
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Company(_) => RecordKind::Company,
            Record::Account(_) => RecordKind::Account,
            Record::TaxRate(_) => RecordKind::TaxRate,
            Record::Item(_) => RecordKind::Item,
            Record::TrackingCategory(_) => RecordKind::TrackingCategory,
            Record::PaymentMethod(_) => RecordKind::PaymentMethod,
            Record::Journal(_) => RecordKind::Journal,
            Record::Contact(c) => match c.party {
                Party::Customer => RecordKind::Customer,
                Party::Supplier => RecordKind::Supplier,
            },
            Record::BankAccount(_) => RecordKind::BankAccount,
            Record::Document(d) => d.kind.record_kind(),
            Record::Payment(p) => match p.party {
                Party::Customer => RecordKind::Payment,
                Party::Supplier => RecordKind::BillPayment,
            },
            Record::Order(o) => match o.party {
                Party::Customer => RecordKind::SalesOrder,
                Party::Supplier => RecordKind::PurchaseOrder,
            },
            Record::BankSpend(s) => match s.direction {
                Direction::Spent => RecordKind::DirectCost,
                Direction::Received => RecordKind::DirectIncome,
            },
            Record::Transfer(_) => RecordKind::Transfer,
            Record::JournalEntry(_) => RecordKind::JournalEntry,
            Record::BankTransaction(_) => RecordKind::BankTransaction,
            Record::AccountTransaction(_) => RecordKind::AccountTransaction,
            Record::BalanceSheet(_) => RecordKind::BalanceSheet,
            Record::ProfitAndLoss(_) => RecordKind::ProfitAndLoss,
            Record::CashFlow(_) => RecordKind::CashFlowStatement,
            Record::Deleted(d) => d.record.kind,
        }
    }

    /// Whether this is a deletion notice rather than a record.
    pub fn is_deletion(&self) -> bool {
        matches!(self, Record::Deleted(_))
    }

    /// The record's id within its kind. The company is 1; monthly reports have no id of
    /// their own (0) and are told apart by their dates.
    pub fn id(&self) -> Id {
        match self {
            Record::Company(_) => 1,
            Record::Account(a) => a.id,
            Record::TaxRate(t) => t.id,
            Record::Item(i) => i.id,
            Record::TrackingCategory(t) => t.id,
            Record::PaymentMethod(p) => p.id,
            Record::Journal(j) => j.id,
            Record::Contact(c) => c.id,
            Record::BankAccount(b) => b.id,
            Record::Document(d) => d.id,
            Record::Payment(p) => p.id,
            Record::Order(o) => o.id,
            Record::BankSpend(s) => s.id,
            Record::Transfer(t) => t.id,
            Record::JournalEntry(j) => j.id,
            Record::BankTransaction(b) | Record::AccountTransaction(b) => b.id,
            Record::BalanceSheet(_) | Record::ProfitAndLoss(_) | Record::CashFlow(_) => 0,
            Record::Deleted(d) => d.record.id,
        }
    }

    /// When the record last changed in the source (`sourceModifiedDate`); `None` for the
    /// company and the reports, which Codat gives no modified date.
    pub fn modified(&self) -> Option<NaiveDateTime> {
        Some(match self {
            Record::Company(_)
            | Record::BalanceSheet(_)
            | Record::ProfitAndLoss(_)
            | Record::CashFlow(_) => return None,
            Record::Account(a) => a.modified,
            Record::TaxRate(t) => t.created,
            Record::Item(i) => i.modified,
            Record::TrackingCategory(t) => t.created,
            Record::PaymentMethod(p) => p.created,
            Record::Journal(j) => j.created,
            Record::Contact(c) => c.modified,
            Record::BankAccount(b) => b.modified,
            Record::Document(d) => d.modified,
            Record::Payment(p) => p.modified,
            Record::Order(o) => o.modified,
            Record::BankSpend(s) => s.modified,
            Record::Transfer(t) => t.modified,
            Record::JournalEntry(j) => j.created,
            Record::BankTransaction(b) | Record::AccountTransaction(b) => b.modified,
            Record::Deleted(d) => d.at,
        })
    }
}
