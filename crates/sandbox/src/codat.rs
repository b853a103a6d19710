//! The books in Codat's model: what the Sandbox integration serves.
//!
//! [`Codat::map`] turns each [`Record`] into the matching `ledgerbridge_domain::accounting`
//! type. Ids come from [`Ids`] (UUID-shaped, stable per seed); every reference carries the
//! id of a record the same books serve. Dates are written as a platform without time zones
//! writes them: business dates zone-less (`2024-03-01T00:00:00`), modification times in UTC
//! (`2024-03-01T09:12:44Z`). `modifiedDate` is left for the store to set; amounts keep two
//! decimal places.

use chrono::{NaiveDate, NaiveDateTime};
use ledgerbridge_domain::accounting as codat;
use ledgerbridge_domain::accounting::{CodatDateTime, Money};
use rust_decimal::Decimal;

use crate::books::{Books, Ids};
use crate::chart::{self, BANK_ACCOUNTS, CHART, JOURNALS, PAYMENT_METHODS, TAX_RATES, TRACKING};
use crate::model::{
    self, AccountType, Address, AddressKind, AllocationSource, BankTransactionKind, ContactRef,
    Currency, Deletion, Direction, DocumentKind, DocumentStatus, Id, Line, OrderStatus, Party,
    PaymentMethodKind, Record, RecordKind, RecordRef, ReportLine, Text, Tracking,
};

/// One record in Codat's shape.
#[derive(Clone, Debug, PartialEq)]
pub enum CodatRecord {
    /// `company` (`/data/info`).
    Company(Box<codat::CompanyInfo>),
    /// `chartOfAccounts`.
    Account(Box<codat::Account>),
    /// `taxRates`.
    TaxRate(Box<codat::TaxRate>),
    /// `items`.
    Item(Box<codat::Item>),
    /// `trackingCategories`.
    TrackingCategory(Box<codat::TrackingCategory>),
    /// `paymentMethods`.
    PaymentMethod(Box<codat::PaymentMethod>),
    /// `journals`.
    Journal(Box<codat::Journal>),
    /// `customers`.
    Customer(Box<codat::Customer>),
    /// `suppliers`.
    Supplier(Box<codat::Supplier>),
    /// `bankAccounts`.
    BankAccount(Box<codat::BankAccount>),
    /// `invoices`.
    Invoice(Box<codat::Invoice>),
    /// `creditNotes`.
    CreditNote(Box<codat::CreditNote>),
    /// `payments`.
    Payment(Box<codat::Payment>),
    /// `bills`.
    Bill(Box<codat::Bill>),
    /// `billCreditNotes`.
    BillCreditNote(Box<codat::BillCreditNote>),
    /// `billPayments`.
    BillPayment(Box<codat::BillPayment>),
    /// `salesOrders`.
    SalesOrder(Box<codat::SalesOrder>),
    /// `purchaseOrders`.
    PurchaseOrder(Box<codat::PurchaseOrder>),
    /// `directCosts`.
    DirectCost(Box<codat::DirectCost>),
    /// `directIncomes`.
    DirectIncome(Box<codat::DirectIncome>),
    /// `transfers`.
    Transfer(Box<codat::Transfer>),
    /// `journalEntries`.
    JournalEntry(Box<codat::JournalEntry>),
    /// `bankTransactions`.
    BankTransaction(Box<codat::BankTransaction>),
    /// `accountTransactions`.
    AccountTransaction(Box<codat::AccountTransaction>),
    /// One month of `balanceSheet` (see [`balance_sheet`] to assemble the report).
    BalanceSheet(Box<codat::BalanceSheetPeriod>),
    /// One month of `profitAndLoss` (see [`profit_and_loss`]).
    ProfitAndLoss(Box<codat::ProfitAndLossPeriod>),
    /// One month of `cashFlowStatement` (see [`cash_flow_statement`]).
    CashFlowStatement(Box<codat::CashFlowPeriod>),
}

impl CodatRecord {
    /// The record's id (`None` for the company and the statements).
    pub fn id(&self) -> Option<&str> {
        Some(match self {
            CodatRecord::Company(_)
            | CodatRecord::BalanceSheet(_)
            | CodatRecord::ProfitAndLoss(_)
            | CodatRecord::CashFlowStatement(_) => return None,
            CodatRecord::Account(r) => &r.id,
            CodatRecord::TaxRate(r) => &r.id,
            CodatRecord::Item(r) => &r.id,
            CodatRecord::TrackingCategory(r) => &r.id,
            CodatRecord::PaymentMethod(r) => &r.id,
            CodatRecord::Journal(r) => &r.id,
            CodatRecord::Customer(r) => &r.id,
            CodatRecord::Supplier(r) => &r.id,
            CodatRecord::BankAccount(r) => &r.id,
            CodatRecord::Invoice(r) => &r.id,
            CodatRecord::CreditNote(r) => &r.id,
            CodatRecord::Payment(r) => &r.id,
            CodatRecord::Bill(r) => &r.id,
            CodatRecord::BillCreditNote(r) => &r.id,
            CodatRecord::BillPayment(r) => &r.id,
            CodatRecord::SalesOrder(r) => &r.id,
            CodatRecord::PurchaseOrder(r) => &r.id,
            CodatRecord::DirectCost(r) => &r.id,
            CodatRecord::DirectIncome(r) => &r.id,
            CodatRecord::Transfer(r) => &r.id,
            CodatRecord::JournalEntry(r) => &r.id,
            CodatRecord::BankTransaction(r) => &r.id,
            CodatRecord::AccountTransaction(r) => &r.id,
        })
    }

    /// The record as a JSON document in Codat's shape.
    pub fn to_json(&self) -> serde_json::Result<String> {
        match self {
            CodatRecord::Company(r) => serde_json::to_string(r),
            CodatRecord::Account(r) => serde_json::to_string(r),
            CodatRecord::TaxRate(r) => serde_json::to_string(r),
            CodatRecord::Item(r) => serde_json::to_string(r),
            CodatRecord::TrackingCategory(r) => serde_json::to_string(r),
            CodatRecord::PaymentMethod(r) => serde_json::to_string(r),
            CodatRecord::Journal(r) => serde_json::to_string(r),
            CodatRecord::Customer(r) => serde_json::to_string(r),
            CodatRecord::Supplier(r) => serde_json::to_string(r),
            CodatRecord::BankAccount(r) => serde_json::to_string(r),
            CodatRecord::Invoice(r) => serde_json::to_string(r),
            CodatRecord::CreditNote(r) => serde_json::to_string(r),
            CodatRecord::Payment(r) => serde_json::to_string(r),
            CodatRecord::Bill(r) => serde_json::to_string(r),
            CodatRecord::BillCreditNote(r) => serde_json::to_string(r),
            CodatRecord::BillPayment(r) => serde_json::to_string(r),
            CodatRecord::SalesOrder(r) => serde_json::to_string(r),
            CodatRecord::PurchaseOrder(r) => serde_json::to_string(r),
            CodatRecord::DirectCost(r) => serde_json::to_string(r),
            CodatRecord::DirectIncome(r) => serde_json::to_string(r),
            CodatRecord::Transfer(r) => serde_json::to_string(r),
            CodatRecord::JournalEntry(r) => serde_json::to_string(r),
            CodatRecord::BankTransaction(r) => serde_json::to_string(r),
            CodatRecord::AccountTransaction(r) => serde_json::to_string(r),
            CodatRecord::BalanceSheet(r) => serde_json::to_string(r),
            CodatRecord::ProfitAndLoss(r) => serde_json::to_string(r),
            CodatRecord::CashFlowStatement(r) => serde_json::to_string(r),
        }
    }
}

/// Maps one set of books to Codat's model.
pub struct Codat {
    ids: Ids,
    item_names: Vec<Text>,
    /// Ids of the small, fixed kinds (accounts, tax rates, ...), formatted once.
    cached: Vec<Vec<String>>,
}

/// The decimal as a JSON number with its scale (`954.00`), written by hand from the
/// mantissa: `Decimal`'s `Display` is the slowest step of mapping a large set otherwise.
fn money(value: Decimal) -> Money {
    let mantissa = value.mantissa();
    let scale = value.scale() as usize;
    let mut digits = mantissa.unsigned_abs().to_string();
    if scale > 0 {
        if digits.len() <= scale {
            digits.insert_str(0, &"0".repeat(scale + 1 - digits.len()));
        }
        digits.insert(digits.len() - scale, '.');
    }
    if mantissa < 0 {
        digits.insert(0, '-');
    }
    Money::parse(&digits).unwrap_or_else(|_| Money::from(value))
}

/// `YYYY-MM-DDTHH:MM:SS` with an optional `Z`, written digit by digit: chrono's formatter
/// costs more than the rest of a record's mapping, and the parse below is cheap.
fn stamp(value: NaiveDateTime, utc: bool) -> CodatDateTime {
    use chrono::{Datelike, Timelike};
    let mut buf = [0u8; 20];
    let mut put = |at: usize, n: u32, width: usize| {
        let mut n = n;
        for i in (0..width).rev() {
            buf[at + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, value.year().clamp(0, 9999) as u32, 4);
    put(5, value.month(), 2);
    put(8, value.day(), 2);
    put(11, value.hour(), 2);
    put(14, value.minute(), 2);
    put(17, value.second(), 2);
    for (at, sep) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ] {
        buf[at] = sep;
    }
    let text = std::str::from_utf8(&buf[..if utc { 20 } else { 19 }]).unwrap_or_default();
    CodatDateTime::parse(text).unwrap_or_else(|_| {
        if utc {
            CodatDateTime::from_utc(value.and_utc())
        } else {
            CodatDateTime::from_local(value)
        }
    })
}

/// A business date, zone-less at midnight: `2024-03-01T00:00:00`.
fn date(value: NaiveDate) -> CodatDateTime {
    stamp(value.and_time(chrono::NaiveTime::MIN), false)
}

/// A modification time in UTC: `2024-03-01T09:12:44Z`.
fn instant(value: NaiveDateTime) -> CodatDateTime {
    stamp(value, true)
}

fn metadata() -> Option<codat::Metadata> {
    Some(codat::Metadata {
        is_deleted: Some(false),
    })
}

fn currency(value: Currency) -> String {
    value.code().to_string()
}

fn ledger_of_bank(bank: Id) -> Id {
    BANK_ACCOUNTS
        .get((bank as usize).saturating_sub(1))
        .map_or(0, |code| chart::account(code))
}

impl Codat {
    /// The mapper for a set of books.
    pub fn new(books: &Books) -> Self {
        let ids = Ids::new(books.config.seed);
        let cached = RecordKind::ALL
            .iter()
            .map(|&kind| {
                let count = match kind {
                    RecordKind::Account => CHART.len(),
                    RecordKind::TaxRate => TAX_RATES.len(),
                    RecordKind::TrackingCategory => TRACKING.len(),
                    RecordKind::Journal => JOURNALS.len(),
                    RecordKind::PaymentMethod => PAYMENT_METHODS.len(),
                    RecordKind::BankAccount => BANK_ACCOUNTS.len(),
                    RecordKind::Item => books.items.len(),
                    _ => 0,
                };
                (1..=count as Id).map(|id| ids.uuid(kind, id)).collect()
            })
            .collect();
        Self {
            ids,
            item_names: books.items.iter().map(|i| i.name.clone()).collect(),
            cached,
        }
    }

    /// The Codat id of a record.
    pub fn id(&self, kind: RecordKind, id: Id) -> String {
        match self.cached[kind.index()].get((id as usize).wrapping_sub(1)) {
            Some(cached) => cached.clone(),
            None => self.ids.uuid(kind, id),
        }
    }

    /// The data type key and id of a deleted record.
    pub fn deleted(&self, deletion: &Deletion) -> (&'static str, String) {
        (
            deletion.record.kind.codat_key(),
            self.id(deletion.record.kind, deletion.record.id),
        )
    }

    fn account_ref(&self, account: Id) -> codat::AccountRef {
        codat::AccountRef {
            id: Some(self.id(RecordKind::Account, account)),
            name: CHART
                .get((account as usize).saturating_sub(1))
                .map(|a| a.name.to_string()),
        }
    }

    fn tax_rate_ref(&self, tax_rate: Id) -> codat::TaxRateRef {
        let spec = TAX_RATES.get((tax_rate as usize).saturating_sub(1));
        codat::TaxRateRef {
            id: Some(self.id(RecordKind::TaxRate, tax_rate)),
            name: spec.map(|t| t.1.to_string()),
            effective_tax_rate: spec.map(|t| Money::from(t.2)),
        }
    }

    fn item_ref(&self, item: Id) -> codat::ItemRef {
        codat::ItemRef {
            id: self.id(RecordKind::Item, item),
            name: self
                .item_names
                .get((item as usize).saturating_sub(1))
                .map(|n| n.to_string()),
        }
    }

    fn tracking_refs(&self, tracking: Tracking) -> Vec<codat::TrackingCategoryRef> {
        tracking
            .ids()
            .map(|id| codat::TrackingCategoryRef {
                id: self.id(RecordKind::TrackingCategory, id),
                name: TRACKING
                    .get((id as usize).saturating_sub(1))
                    .map(|t| t.0.to_string()),
            })
            .collect()
    }

    fn customer_ref(&self, id: Id, name: &str) -> codat::CustomerRef {
        codat::CustomerRef {
            id: self.id(RecordKind::Customer, id),
            company_name: Some(name.to_string()),
        }
    }

    fn supplier_ref(&self, id: Id, name: &str) -> codat::SupplierRef {
        codat::SupplierRef {
            id: self.id(RecordKind::Supplier, id),
            supplier_name: Some(name.to_string()),
        }
    }

    fn contact_ref(&self, contact: ContactRef) -> codat::ContactRef {
        let (kind, data_type) = match contact.party {
            Party::Customer => (RecordKind::Customer, codat::ContactType::Customers),
            Party::Supplier => (RecordKind::Supplier, codat::ContactType::Suppliers),
        };
        codat::ContactRef {
            id: self.id(kind, contact.id),
            data_type: Some(data_type),
        }
    }

    fn transaction_ref(&self, source: RecordRef) -> codat::TransactionRecordRef {
        use codat::TransactionRecordType as T;
        let data_type = match source.kind {
            RecordKind::BankTransaction => T::BankTransactions,
            RecordKind::BillCreditNote => T::BillCreditNotes,
            RecordKind::BillPayment => T::BillPayments,
            RecordKind::Bill => T::Bills,
            RecordKind::CreditNote => T::CreditNotes,
            RecordKind::DirectCost => T::DirectCosts,
            RecordKind::DirectIncome => T::DirectIncomes,
            RecordKind::Invoice => T::Invoices,
            RecordKind::JournalEntry => T::JournalEntries,
            RecordKind::Payment => T::Payments,
            RecordKind::Transfer => T::Transfers,
            _ => T::Unknown,
        };
        codat::TransactionRecordRef {
            id: Some(self.id(source.kind, source.id)),
            data_type: Some(data_type),
        }
    }

    fn address(&self, address: &Address) -> codat::Address {
        codat::Address {
            kind: match address.kind {
                AddressKind::Billing => codat::AddressType::Billing,
                AddressKind::Delivery => codat::AddressType::Delivery,
            },
            line1: Some(address.line1.to_string()),
            line2: address.line2.as_ref().map(|l| l.to_string()),
            city: Some(address.city.to_string()),
            region: Some(address.region.to_string()),
            country: Some(address.country.to_string()),
            postal_code: Some(address.postal_code.to_string()),
        }
    }

    fn line_common(
        &self,
        line: &Line,
    ) -> (
        Option<codat::AccountRef>,
        Option<codat::TaxRateRef>,
        Option<codat::ItemRef>,
        Vec<codat::TrackingCategoryRef>,
    ) {
        (
            Some(self.account_ref(line.account)),
            Some(self.tax_rate_ref(line.tax_rate)),
            line.item.map(|i| self.item_ref(i)),
            self.tracking_refs(line.tracking),
        )
    }

    fn invoice_line(&self, line: &Line, customer: &codat::CustomerRef) -> codat::InvoiceLineItem {
        let (account_ref, tax_rate_ref, item_ref, refs) = self.line_common(line);
        codat::InvoiceLineItem {
            description: Some(line.description.to_string()),
            unit_amount: money(line.unit_amount),
            quantity: money(line.quantity),
            discount_amount: Some(money(line.discount_amount)),
            sub_total: Some(money(line.sub_total)),
            tax_amount: Some(money(line.tax_amount)),
            total_amount: Some(money(line.total_amount)),
            account_ref,
            discount_percentage: Some(money(line.discount_percentage)),
            tax_rate_ref,
            item_ref,
            tracking_category_refs: Some(refs.clone()),
            tracking: Some(codat::ReceivablesTracking {
                category_refs: refs,
                customer_ref: Some(customer.clone()),
                project_ref: None,
                is_billed_to: codat::ReceivablesBilledTo::NotApplicable,
                is_rebilled_to: codat::ReceivablesBilledTo::NotApplicable,
                record_ref: None,
            }),
            is_direct_income: Some(false),
        }
    }

    fn allocations(&self, doc: &model::Document) -> Vec<codat::PaymentAllocation> {
        doc.allocations
            .iter()
            .map(|a| {
                let (id, account_ref, note) = match a.source {
                    AllocationSource::Payment(p) => {
                        let kind = match doc.kind.party() {
                            Party::Customer => RecordKind::Payment,
                            Party::Supplier => RecordKind::BillPayment,
                        };
                        (
                            self.id(kind, p),
                            a.bank_account.map(|b| self.account_ref(ledger_of_bank(b))),
                            None,
                        )
                    }
                    AllocationSource::CreditNote(c) => {
                        let kind = match doc.kind.party() {
                            Party::Customer => RecordKind::CreditNote,
                            Party::Supplier => RecordKind::BillCreditNote,
                        };
                        (
                            self.id(kind, c),
                            None,
                            Some(format!("Credit note {}", a.reference)),
                        )
                    }
                    AllocationSource::Document(d) => {
                        let kind = match doc.kind.party() {
                            Party::Customer => RecordKind::Invoice,
                            Party::Supplier => RecordKind::Bill,
                        };
                        (
                            self.id(kind, d),
                            None,
                            Some(format!("Allocated to {}", a.reference)),
                        )
                    }
                };
                codat::PaymentAllocation {
                    payment: codat::AllocatedPayment {
                        id: Some(id),
                        note,
                        reference: Some(a.reference.to_string()),
                        account_ref,
                        currency: Some(currency(doc.currency)),
                        currency_rate: Some(money(a.source_currency_rate)),
                        paid_on_date: Some(date(a.date)),
                        total_amount: Some(money(a.source_total)),
                    },
                    allocation: codat::Allocation {
                        currency: Some(currency(doc.currency)),
                        currency_rate: Some(Money::from(1)),
                        allocated_on_date: Some(date(a.date)),
                        total_amount: Some(money(a.amount)),
                    },
                }
            })
            .collect()
    }

    /// The Codat record for a books record; `None` for deletion notices (see
    /// [`Codat::deleted`]).
    pub fn map(&self, record: &Record) -> Option<CodatRecord> {
        Some(match record {
            Record::Deleted(_) => return None,
            Record::Company(c) => CodatRecord::Company(Box::new(codat::CompanyInfo {
                company_name: Some(c.name.to_string()),
                accounting_platform_ref: Some(self.id(RecordKind::Company, 1)),
                company_legal_name: Some(c.legal_name.to_string()),
                addresses: Some(vec![self.address(&c.address)]),
                phone_numbers: Some(vec![codat::PhoneNumber {
                    number: Some(c.phone.to_string()),
                    kind: codat::PhoneNumberType::Landline,
                }]),
                web_links: Some(vec![codat::WebLink {
                    kind: Some(codat::WebLinkType::Website),
                    url: Some(c.website.to_string()),
                }]),
                ledger_lock_date: None,
                registration_number: Some(c.registration_number.to_string()),
                tax_number: Some(c.tax_number.to_string()),
                financial_year_start_date: Some(date(c.financial_year_start)),
                base_currency: Some(currency(c.base_currency)),
                source_urls: None,
                created_date: Some(instant(c.created)),
                supplemental_data: None,
            })),
            Record::Account(a) => CodatRecord::Account(Box::new(codat::Account {
                id: self.id(RecordKind::Account, a.id),
                nominal_code: Some(a.nominal_code.to_string()),
                name: Some(a.name.to_string()),
                description: Some(a.description.to_string()),
                fully_qualified_category: Some(a.fully_qualified_category().to_string()),
                fully_qualified_name: Some(a.fully_qualified_name()),
                currency: Some(currency(a.currency)),
                current_balance: Some(money(a.balance_in_currency)),
                kind: Some(match a.account_type {
                    AccountType::Asset => codat::AccountType::Asset,
                    AccountType::Liability => codat::AccountType::Liability,
                    AccountType::Equity => codat::AccountType::Equity,
                    AccountType::Income => codat::AccountType::Income,
                    AccountType::Expense => codat::AccountType::Expense,
                }),
                status: Some(codat::AccountStatus::Active),
                is_bank_account: Some(a.is_bank),
                valid_datatype_links: None,
                supplemental_data: None,
                metadata: metadata(),
                modified_date: None,
                source_modified_date: Some(instant(a.modified)),
            })),
            Record::TaxRate(t) => CodatRecord::TaxRate(Box::new(codat::TaxRate {
                id: self.id(RecordKind::TaxRate, t.id),
                name: Some(t.name.to_string()),
                code: Some(t.code.to_string()),
                status: Some(codat::RecordStatus::Active),
                effective_tax_rate: Some(money(t.rate)),
                total_tax_rate: Some(money(t.rate)),
                components: Some(vec![codat::TaxRateComponent {
                    name: Some("VAT".to_string()),
                    rate: Some(money(t.rate)),
                    is_compound: false,
                }]),
                valid_datatype_links: None,
                metadata: metadata(),
                modified_date: None,
                source_modified_date: Some(instant(t.created)),
            })),
            Record::Item(i) => {
                let details = |price: Decimal, account: Id| codat::ItemDetails {
                    description: Some(format!("{} (per {})", i.name, i.unit)),
                    unit_price: Some(money(price)),
                    account_ref: Some(self.account_ref(account)),
                    tax_rate_ref: Some(self.tax_rate_ref(i.tax_rate)),
                };
                CodatRecord::Item(Box::new(codat::Item {
                    id: self.id(RecordKind::Item, i.id),
                    name: Some(i.name.to_string()),
                    code: Some(i.code.to_string()),
                    item_status: codat::RecordStatus::Active,
                    kind: match i.kind {
                        model::ItemKind::NonInventory => codat::ItemType::NonInventory,
                        model::ItemKind::Service => codat::ItemType::Service,
                    },
                    is_bill_item: i.purchase_price.is_some(),
                    bill_item: i.purchase_price.map(|p| details(p, i.purchase_account)),
                    is_invoice_item: true,
                    invoice_item: Some(details(i.sale_price, i.sales_account)),
                    metadata: metadata(),
                    modified_date: None,
                    source_modified_date: Some(instant(i.modified)),
                }))
            }
            Record::TrackingCategory(t) => {
                CodatRecord::TrackingCategory(Box::new(codat::TrackingCategory {
                    id: self.id(RecordKind::TrackingCategory, t.id),
                    name: Some(t.name.to_string()),
                    status: Some(codat::RecordStatus::Active),
                    parent_id: t.parent.map(|p| self.id(RecordKind::TrackingCategory, p)),
                    has_children: Some(t.has_children),
                    metadata: metadata(),
                    modified_date: None,
                    source_modified_date: Some(instant(t.created)),
                }))
            }
            Record::PaymentMethod(p) => {
                CodatRecord::PaymentMethod(Box::new(codat::PaymentMethod {
                    id: self.id(RecordKind::PaymentMethod, p.id),
                    name: Some(p.name.to_string()),
                    kind: Some(match p.kind {
                        PaymentMethodKind::BankTransfer => codat::PaymentMethodType::BankTransfer,
                        PaymentMethodKind::DebitCard => codat::PaymentMethodType::DebitCard,
                        PaymentMethodKind::CreditCard => codat::PaymentMethodType::CreditCard,
                        PaymentMethodKind::Check => codat::PaymentMethodType::Check,
                        PaymentMethodKind::Cash => codat::PaymentMethodType::Cash,
                        PaymentMethodKind::Other => codat::PaymentMethodType::Other,
                    }),
                    status: Some(codat::RecordStatus::Active),
                    metadata: metadata(),
                    modified_date: None,
                    source_modified_date: Some(instant(p.created)),
                }))
            }
            Record::Journal(j) => CodatRecord::Journal(Box::new(codat::Journal {
                id: self.id(RecordKind::Journal, j.id),
                journal_code: Some(j.code.to_string()),
                name: Some(j.name.to_string()),
                kind: Some(j.kind.to_string()),
                parent_id: None,
                has_children: Some(false),
                created_on: Some(instant(j.created)),
                status: Some(codat::RecordStatus::Active),
                metadata: metadata(),
                modified_date: None,
                source_modified_date: Some(instant(j.created)),
            })),
            Record::Contact(c) => self.contact(c),
            Record::BankAccount(b) => CodatRecord::BankAccount(Box::new(codat::BankAccount {
                id: self.id(RecordKind::BankAccount, b.id),
                account_name: Some(b.name.to_string()),
                account_type: Some(if b.is_credit_card {
                    codat::BankAccountType::Credit
                } else {
                    codat::BankAccountType::Debit
                }),
                nominal_code: CHART
                    .get((b.ledger_account as usize).saturating_sub(1))
                    .map(|a| a.code.to_string()),
                sort_code: b.sort_code.as_ref().map(|s| s.to_string()),
                account_number: Some(b.account_number.to_string()),
                iban: b.iban.as_ref().map(|s| s.to_string()),
                currency: Some(currency(b.currency)),
                balance: Some(money(b.balance)),
                institution: Some(b.institution.to_string()),
                available_balance: Some(money(b.balance + b.overdraft_limit)),
                overdraft_limit: Some(money(b.overdraft_limit)),
                status: Some(codat::AccountStatus::Active),
                metadata: metadata(),
                supplemental_data: None,
                modified_date: None,
                source_modified_date: Some(instant(b.modified)),
            })),
            Record::Document(d) => self.document(d),
            Record::Payment(p) => self.payment(p),
            Record::Order(o) => self.order(o),
            Record::BankSpend(s) => self.bank_spend(s),
            Record::Transfer(t) => {
                let side = |bank: Id, amount: Decimal| {
                    let ledger = ledger_of_bank(bank);
                    codat::TransferAccount {
                        account_ref: Some(codat::RecordRef {
                            id: Some(self.id(RecordKind::Account, ledger)),
                            data_type: Some("accounts".to_string()),
                        }),
                        currency: CHART
                            .get((ledger as usize).saturating_sub(1))
                            .map(|a| currency(a.currency)),
                        amount: Some(money(amount)),
                    }
                };
                CodatRecord::Transfer(Box::new(codat::Transfer {
                    id: self.id(RecordKind::Transfer, t.id),
                    description: Some(t.description.to_string()),
                    contact_ref: None,
                    date: Some(date(t.date)),
                    from: Some(side(t.from_account, t.from_amount)),
                    to: Some(side(t.to_account, t.to_amount)),
                    status: Some(codat::TransactionStatus::Reconciled),
                    tracking_category_refs: None,
                    deposited_record_refs: None,
                    metadata: metadata(),
                    supplemental_data: None,
                    modified_date: None,
                    source_modified_date: Some(instant(t.modified)),
                }))
            }
            Record::JournalEntry(j) => self.journal_entry(j),
            Record::BankTransaction(b) => {
                CodatRecord::BankTransaction(Box::new(codat::BankTransaction {
                    id: self.id(RecordKind::BankTransaction, b.id),
                    account_id: Some(self.id(RecordKind::BankAccount, b.bank_account)),
                    cleared_on_date: Some(date(b.date)),
                    description: Some(b.description.to_string()),
                    reconciled: Some(b.reconciled),
                    amount: Some(money(b.amount)),
                    balance: Some(money(b.balance)),
                    transaction_type: Some(match b.kind {
                        BankTransactionKind::Credit => codat::BankTransactionType::Credit,
                        BankTransactionKind::Debit => codat::BankTransactionType::Debit,
                        BankTransactionKind::Interest => codat::BankTransactionType::Int,
                        BankTransactionKind::Fee => codat::BankTransactionType::Fee,
                        BankTransactionKind::Transfer => codat::BankTransactionType::Xfer,
                        BankTransactionKind::DirectDebit => codat::BankTransactionType::DirectDebit,
                        BankTransactionKind::PointOfSale => codat::BankTransactionType::Pos,
                    }),
                    modified_date: None,
                    source_modified_date: Some(instant(b.modified)),
                }))
            }
            Record::AccountTransaction(b) => {
                let name = BANK_ACCOUNTS
                    .get((b.bank_account as usize).saturating_sub(1))
                    .and_then(|code| CHART.iter().find(|a| a.code == *code))
                    .map(|a| a.name.to_string());
                CodatRecord::AccountTransaction(Box::new(codat::AccountTransaction {
                    id: self.id(RecordKind::AccountTransaction, b.id),
                    transaction_id: Some(self.id(b.source.kind, b.source.id)),
                    note: Some(b.description.to_string()),
                    bank_account_ref: Some(codat::BankAccountRef {
                        id: Some(self.id(RecordKind::BankAccount, b.bank_account)),
                        name,
                    }),
                    date: Some(date(b.date)),
                    status: Some(if b.reconciled {
                        codat::TransactionStatus::Reconciled
                    } else {
                        codat::TransactionStatus::Unreconciled
                    }),
                    currency: Some(currency(b.currency)),
                    currency_rate: Some(money(b.currency_rate)),
                    lines: Some(vec![codat::AccountTransactionLine {
                        description: Some(b.description.to_string()),
                        record_ref: Some(self.transaction_ref(b.source)),
                        amount: Some(money(b.amount)),
                    }]),
                    total_amount: Some(money(b.amount)),
                    metadata: metadata(),
                    modified_date: None,
                    source_modified_date: Some(instant(b.modified)),
                }))
            }
            Record::BalanceSheet(s) => {
                CodatRecord::BalanceSheet(Box::new(codat::BalanceSheetPeriod {
                    date: Some(date(s.date)),
                    assets: Some(self.report_line(&s.assets)),
                    liabilities: Some(self.report_line(&s.liabilities)),
                    net_assets: money(s.net_assets),
                    equity: Some(self.report_line(&s.equity)),
                }))
            }
            Record::ProfitAndLoss(p) => {
                CodatRecord::ProfitAndLoss(Box::new(codat::ProfitAndLossPeriod {
                    from_date: Some(date(p.from)),
                    to_date: Some(date(p.to)),
                    income: Some(self.report_line(&p.income)),
                    cost_of_sales: Some(self.report_line(&p.cost_of_sales)),
                    gross_profit: money(p.gross_profit),
                    expenses: Some(self.report_line(&p.expenses)),
                    net_operating_profit: money(p.net_operating_profit),
                    other_expenses: Some(self.report_line(&p.other_expenses)),
                    other_income: Some(self.report_line(&p.other_income)),
                    net_other_income: money(p.net_other_income),
                    net_profit: money(p.net_profit),
                }))
            }
            Record::CashFlow(c) => {
                CodatRecord::CashFlowStatement(Box::new(codat::CashFlowPeriod {
                    from_date: Some(date(c.from)),
                    to_date: Some(date(c.to)),
                    cash_receipts: Some(self.report_line(&c.receipts)),
                    cash_payments: Some(self.report_line(&c.payments)),
                }))
            }
        })
    }

    fn report_line(&self, line: &ReportLine) -> codat::ReportLine {
        codat::ReportLine {
            account_id: line.account.map(|a| self.id(RecordKind::Account, a)),
            name: Some(line.name.to_string()),
            value: money(line.value),
            items: (!line.items.is_empty())
                .then(|| line.items.iter().map(|i| self.report_line(i)).collect()),
        }
    }

    fn contact(&self, c: &model::Contact) -> CodatRecord {
        let addresses: Vec<codat::Address> = c.addresses.iter().map(|a| self.address(a)).collect();
        let status = if c.archived {
            codat::RecordStatus::Archived
        } else {
            codat::RecordStatus::Active
        };
        let registration_number = c.registration_number.as_ref().map(|s| s.to_string());
        let tax_number = c.tax_number.as_ref().map(|s| s.to_string());
        match c.party {
            Party::Customer => {
                let mut phones = vec![codat::PhoneNumber {
                    number: Some(c.phone.to_string()),
                    kind: codat::PhoneNumberType::Primary,
                }];
                if let Some(mobile) = &c.mobile {
                    phones.push(codat::PhoneNumber {
                        number: Some(mobile.to_string()),
                        kind: codat::PhoneNumberType::Mobile,
                    });
                }
                CodatRecord::Customer(Box::new(codat::Customer {
                    id: self.id(RecordKind::Customer, c.id),
                    customer_name: Some(c.name.to_string()),
                    contact_name: Some(c.contact_person.to_string()),
                    email_address: Some(c.email.to_string()),
                    default_currency: Some(currency(c.currency)),
                    phone: Some(c.phone.to_string()),
                    contacts: Some(vec![codat::Contact {
                        name: Some(c.contact_person.to_string()),
                        email: Some(c.email.to_string()),
                        phone: Some(phones),
                        address: addresses.first().cloned(),
                        status: codat::RecordStatus::Active,
                        modified_date: None,
                    }]),
                    addresses: Some(addresses),
                    registration_number,
                    tax_number,
                    status,
                    metadata: metadata(),
                    supplemental_data: None,
                    modified_date: None,
                    source_modified_date: Some(instant(c.modified)),
                }))
            }
            Party::Supplier => CodatRecord::Supplier(Box::new(codat::Supplier {
                id: self.id(RecordKind::Supplier, c.id),
                supplier_name: Some(c.name.to_string()),
                contact_name: Some(c.contact_person.to_string()),
                email_address: Some(c.email.to_string()),
                phone: Some(c.phone.to_string()),
                addresses: Some(addresses),
                registration_number,
                tax_number,
                status,
                default_currency: Some(currency(c.currency)),
                metadata: metadata(),
                supplemental_data: None,
                modified_date: None,
                source_modified_date: Some(instant(c.modified)),
            })),
        }
    }

    fn document(&self, d: &model::Document) -> CodatRecord {
        let id = self.id(d.kind.record_kind(), d.id);
        let allocations = self.allocations(d);
        let modified = Some(instant(d.modified));
        match d.kind {
            DocumentKind::Invoice => {
                let customer = self.customer_ref(d.contact, &d.contact_name);
                CodatRecord::Invoice(Box::new(codat::Invoice {
                    id,
                    invoice_number: Some(d.number.to_string()),
                    line_items: Some(
                        d.lines
                            .iter()
                            .map(|l| self.invoice_line(l, &customer))
                            .collect(),
                    ),
                    customer_ref: Some(customer),
                    sales_order_refs: d.order.as_ref().map(|(order, _)| {
                        vec![codat::SalesOrderRef {
                            id: Some(self.id(RecordKind::SalesOrder, *order)),
                            data_type: Some(codat::SalesOrderRefType::SalesOrders),
                        }]
                    }),
                    issue_date: date(d.issue_date),
                    due_date: d.due_date.map(date),
                    paid_on_date: d.paid_on.map(date),
                    currency: Some(currency(d.currency)),
                    currency_rate: Some(money(d.currency_rate)),
                    payment_allocations: Some(allocations),
                    withholding_tax: None,
                    total_discount: Some(money(d.total_discount)),
                    sub_total: Some(money(d.sub_total)),
                    additional_tax_amount: None,
                    additional_tax_percentage: None,
                    total_tax_amount: money(d.total_tax),
                    total_amount: money(d.total),
                    amount_due: money(d.amount_due),
                    discount_percentage: None,
                    status: match d.status {
                        DocumentStatus::Draft => codat::InvoiceStatus::Draft,
                        DocumentStatus::Open => codat::InvoiceStatus::Submitted,
                        DocumentStatus::PartiallyPaid => codat::InvoiceStatus::PartiallyPaid,
                        DocumentStatus::Paid => codat::InvoiceStatus::Paid,
                        DocumentStatus::Void => codat::InvoiceStatus::Void,
                    },
                    note: d.note.as_ref().map(|n| n.to_string()),
                    metadata: metadata(),
                    supplemental_data: None,
                    modified_date: None,
                    source_modified_date: modified,
                }))
            }
            DocumentKind::Bill => {
                let order_id = d
                    .order
                    .as_ref()
                    .map(|(o, _)| self.id(RecordKind::PurchaseOrder, *o));
                CodatRecord::Bill(Box::new(codat::Bill {
                    id,
                    reference: Some(d.number.to_string()),
                    supplier_ref: Some(self.supplier_ref(d.contact, &d.contact_name)),
                    purchase_order_refs: d.order.as_ref().map(|(_, number)| {
                        vec![codat::PurchaseOrderRef {
                            id: order_id.clone(),
                            purchase_order_number: Some(number.to_string()),
                        }]
                    }),
                    issue_date: date(d.issue_date),
                    due_date: d.due_date.map(date),
                    currency: Some(currency(d.currency)),
                    currency_rate: Some(money(d.currency_rate)),
                    line_items: Some(
                        d.lines
                            .iter()
                            .map(|l| self.bill_line(l, order_id.as_deref()))
                            .collect(),
                    ),
                    withholding_tax: None,
                    status: match d.status {
                        DocumentStatus::Draft => codat::BillStatus::Draft,
                        DocumentStatus::Open => codat::BillStatus::Open,
                        DocumentStatus::PartiallyPaid => codat::BillStatus::PartiallyPaid,
                        DocumentStatus::Paid => codat::BillStatus::Paid,
                        DocumentStatus::Void => codat::BillStatus::Void,
                    },
                    sub_total: money(d.sub_total),
                    tax_amount: money(d.total_tax),
                    total_amount: money(d.total),
                    amount_due: Some(money(d.amount_due)),
                    note: d.note.as_ref().map(|n| n.to_string()),
                    payment_allocations: Some(allocations),
                    metadata: metadata(),
                    supplemental_data: None,
                    modified_date: None,
                    source_modified_date: modified,
                }))
            }
            DocumentKind::CreditNote => {
                let customer = self.customer_ref(d.contact, &d.contact_name);
                CodatRecord::CreditNote(Box::new(codat::CreditNote {
                    id,
                    credit_note_number: Some(d.number.to_string()),
                    line_items: Some(
                        d.lines
                            .iter()
                            .map(|l| self.invoice_line(l, &customer))
                            .collect(),
                    ),
                    customer_ref: Some(customer),
                    withholding_tax: None,
                    total_amount: money(d.total),
                    total_discount: money(d.total_discount),
                    sub_total: money(d.sub_total),
                    additional_tax_amount: None,
                    additional_tax_percentage: None,
                    total_tax_amount: money(d.total_tax),
                    discount_percentage: Money::from(0),
                    remaining_credit: money(d.amount_due),
                    status: credit_status(d.status),
                    issue_date: Some(date(d.issue_date)),
                    allocated_on_date: d.allocations.last().map(|a| date(a.date)),
                    currency: Some(currency(d.currency)),
                    currency_rate: Some(money(d.currency_rate)),
                    payment_allocations: Some(allocations),
                    note: d.note.as_ref().map(|n| n.to_string()),
                    metadata: metadata(),
                    supplemental_data: None,
                    modified_date: None,
                    source_modified_date: modified,
                }))
            }
            DocumentKind::BillCreditNote => {
                CodatRecord::BillCreditNote(Box::new(codat::BillCreditNote {
                    id,
                    bill_credit_note_number: Some(d.number.to_string()),
                    supplier_ref: Some(self.supplier_ref(d.contact, &d.contact_name)),
                    withholding_tax: None,
                    total_amount: money(d.total),
                    total_discount: money(d.total_discount),
                    sub_total: money(d.sub_total),
                    total_tax_amount: money(d.total_tax),
                    discount_percentage: Money::from(0),
                    remaining_credit: Some(money(d.amount_due)),
                    status: credit_status(d.status),
                    issue_date: Some(date(d.issue_date)),
                    allocated_on_date: d.allocations.last().map(|a| date(a.date)),
                    currency: Some(currency(d.currency)),
                    currency_rate: Some(money(d.currency_rate)),
                    line_items: Some(
                        d.lines
                            .iter()
                            .map(|l| {
                                let (account_ref, tax_rate_ref, item_ref, refs) =
                                    self.line_common(l);
                                codat::BillCreditNoteLineItem {
                                    description: Some(l.description.to_string()),
                                    unit_amount: money(l.unit_amount),
                                    quantity: money(l.quantity),
                                    unit_of_measurement: None,
                                    discount_amount: Some(money(l.discount_amount)),
                                    sub_total: Some(money(l.sub_total)),
                                    tax_amount: Some(money(l.tax_amount)),
                                    total_amount: Some(money(l.total_amount)),
                                    account_ref,
                                    discount_percentage: Some(money(l.discount_percentage)),
                                    tax_rate_ref,
                                    item_ref,
                                    created_from_line_ref: None,
                                    tracking_category_refs: Some(refs.clone()),
                                    tracking: Some(payables_tracking(refs)),
                                }
                            })
                            .collect(),
                    ),
                    payment_allocations: Some(allocations),
                    created_from_refs: d.credited_document.map(|b| {
                        vec![codat::RecordRef {
                            id: Some(self.id(RecordKind::Bill, b)),
                            data_type: Some("bills".to_string()),
                        }]
                    }),
                    note: d.note.as_ref().map(|n| n.to_string()),
                    supplemental_data: None,
                    metadata: metadata(),
                    modified_date: None,
                    source_modified_date: modified,
                }))
            }
        }
    }

    fn bill_line(&self, line: &Line, order: Option<&str>) -> codat::BillLineItem {
        let (account_ref, tax_rate_ref, item_ref, refs) = self.line_common(line);
        codat::BillLineItem {
            line_number: Some(line.line_number.to_string()),
            description: Some(line.description.to_string()),
            unit_amount: Some(money(line.unit_amount)),
            quantity: Some(money(line.quantity)),
            unit_of_measurement: None,
            discount_amount: Some(money(line.discount_amount)),
            sub_total: Some(money(line.sub_total)),
            tax_amount: Some(money(line.tax_amount)),
            total_amount: Some(money(line.total_amount)),
            discount_percentage: Some(money(line.discount_percentage)),
            account_ref,
            tax_rate_ref,
            item_ref,
            purchase_order_line_ref: line.order_line.and(order).map(|o| codat::LineRef {
                id: Some(o.to_string()),
                data_type: Some(codat::LineRefType::PurchaseOrders),
                line_number: line.order_line.map(|(_, n)| n.to_string()),
            }),
            tracking_category_refs: Some(refs.clone()),
            tracking: Some(payables_tracking(refs)),
            is_direct_cost: Some(false),
        }
    }

    fn payment(&self, p: &model::Payment) -> CodatRecord {
        let method = PAYMENT_METHODS.get((p.method as usize).saturating_sub(1));
        let method_ref = Some(codat::PaymentMethodRef {
            id: self.id(RecordKind::PaymentMethod, p.method),
            name: method.map(|m| m.0.to_string()),
        });
        let account_ref = Some(self.account_ref(ledger_of_bank(p.bank_account)));
        match p.party {
            Party::Customer => CodatRecord::Payment(Box::new(codat::Payment {
                id: self.id(RecordKind::Payment, p.id),
                customer_ref: Some(self.customer_ref(p.contact, &p.contact_name)),
                account_ref,
                payment_method_ref: method_ref,
                total_amount: Some(money(p.total)),
                currency: Some(currency(p.currency)),
                currency_rate: Some(money(p.currency_rate)),
                date: date(p.date),
                note: None,
                lines: Some(vec![codat::PaymentLine {
                    amount: money(p.total),
                    links: Some(
                        p.links
                            .iter()
                            .map(|l| codat::PaymentLineLink {
                                kind: codat::PaymentLinkType::Invoice,
                                id: Some(self.id(RecordKind::Invoice, l.id)),
                                // A negative link reduces what the customer owes.
                                amount: Some(money(-l.amount)),
                                currency_rate: Some(Money::from(1)),
                            })
                            .collect(),
                    ),
                    allocated_on_date: Some(date(p.date)),
                }]),
                reference: Some(p.reference.to_string()),
                metadata: metadata(),
                supplemental_data: None,
                modified_date: None,
                source_modified_date: Some(instant(p.modified)),
            })),
            Party::Supplier => CodatRecord::BillPayment(Box::new(codat::BillPayment {
                id: self.id(RecordKind::BillPayment, p.id),
                supplier_ref: Some(self.supplier_ref(p.contact, &p.contact_name)),
                account_ref,
                total_amount: Some(money(p.total)),
                currency: Some(currency(p.currency)),
                currency_rate: Some(money(p.currency_rate)),
                date: date(p.date),
                note: None,
                payment_method_ref: method_ref,
                lines: Some(vec![codat::BillPaymentLine {
                    amount: money(p.total),
                    links: Some(
                        p.links
                            .iter()
                            .map(|l| codat::BillPaymentLineLink {
                                kind: codat::BillPaymentLinkType::Bill,
                                id: Some(self.id(RecordKind::Bill, l.id)),
                                amount: Some(money(-l.amount)),
                                currency_rate: Some(Money::from(1)),
                            })
                            .collect(),
                    ),
                    allocated_on_date: Some(date(p.date)),
                }]),
                reference: Some(p.reference.to_string()),
                metadata: metadata(),
                supplemental_data: None,
                modified_date: None,
                source_modified_date: Some(instant(p.modified)),
            })),
        }
    }

    fn order(&self, o: &model::Order) -> CodatRecord {
        let status = Some(match o.status {
            OrderStatus::Draft => codat::OrderStatus::Draft,
            OrderStatus::Open => codat::OrderStatus::Open,
            OrderStatus::Closed => codat::OrderStatus::Closed,
            OrderStatus::Void => codat::OrderStatus::Void,
        });
        let ship_to = Some(codat::ShipTo {
            contact: Some(codat::ShipToContact {
                name: Some(o.contact_name.to_string()),
                email: None,
                phone: None,
            }),
            address: Some(self.address(&o.ship_to)),
        });
        let modified = Some(instant(o.modified));
        match o.party {
            Party::Customer => CodatRecord::SalesOrder(Box::new(codat::SalesOrder {
                id: self.id(RecordKind::SalesOrder, o.id),
                sales_order_number: Some(o.number.to_string()),
                customer_purchase_order_number: o
                    .customer_reference
                    .as_ref()
                    .map(|s| s.to_string()),
                issue_date: Some(date(o.issue_date)),
                expected_delivery_date: Some(date(o.expected_delivery)),
                note: o.note.as_ref().map(|n| n.to_string()),
                ship_to,
                customer_ref: Some(self.customer_ref(o.contact, &o.contact_name)),
                status,
                invoicing_status: Some(if o.document.is_some() {
                    codat::InvoicingStatus::Invoiced
                } else {
                    codat::InvoicingStatus::NotInvoiced
                }),
                currency: Some(currency(o.currency)),
                currency_rate: Some(money(o.currency_rate)),
                line_items: Some(
                    o.lines
                        .iter()
                        .map(|l| {
                            let (account_ref, tax_rate_ref, item_ref, _) = self.line_common(l);
                            codat::SalesOrderLineItem {
                                description: Some(l.description.to_string()),
                                account_ref,
                                item_ref,
                                tracking: Some(codat::SalesOrderLineTracking {
                                    record_refs: Some(
                                        l.tracking
                                            .ids()
                                            .map(|t| codat::RecordRef {
                                                id: Some(self.id(RecordKind::TrackingCategory, t)),
                                                data_type: Some("trackingCategories".to_string()),
                                            })
                                            .collect(),
                                    ),
                                }),
                                unit_amount: Some(money(l.unit_amount)),
                                quantity: Some(money(l.quantity)),
                                discount_amount: Some(money(l.discount_amount)),
                                discount_percentage: Some(money(l.discount_percentage)),
                                sub_total: Some(money(l.sub_total)),
                                tax_amount: Some(money(l.tax_amount)),
                                tax_rate_ref,
                                total_amount: Some(money(l.total_amount)),
                            }
                        })
                        .collect(),
                ),
                total_discount: Some(money(o.total_discount)),
                sub_total: Some(money(o.sub_total)),
                total_tax_amount: Some(money(o.total_tax)),
                total_amount: Some(money(o.total)),
                metadata: metadata(),
                modified_date: None,
                source_modified_date: modified,
            })),
            Party::Supplier => CodatRecord::PurchaseOrder(Box::new(codat::PurchaseOrder {
                id: self.id(RecordKind::PurchaseOrder, o.id),
                purchase_order_number: Some(o.number.to_string()),
                issue_date: Some(date(o.issue_date)),
                payment_due_date: None,
                expected_delivery_date: Some(date(o.expected_delivery)),
                delivery_date: o.delivery_date.map(date),
                note: o.note.as_ref().map(|n| n.to_string()),
                ship_to,
                supplier_ref: Some(self.supplier_ref(o.contact, &o.contact_name)),
                status,
                currency: Some(currency(o.currency)),
                currency_rate: Some(money(o.currency_rate)),
                line_items: Some(
                    o.lines
                        .iter()
                        .map(|l| {
                            let (account_ref, tax_rate_ref, item_ref, refs) = self.line_common(l);
                            codat::PurchaseOrderLineItem {
                                description: Some(l.description.to_string()),
                                account_ref,
                                item_ref,
                                tracking_category_refs: Some(refs),
                                unit_amount: Some(money(l.unit_amount)),
                                quantity: Some(money(l.quantity)),
                                discount_amount: Some(money(l.discount_amount)),
                                discount_percentage: Some(money(l.discount_percentage)),
                                sub_total: Some(money(l.sub_total)),
                                tax_amount: Some(money(l.tax_amount)),
                                tax_rate_ref,
                                total_amount: Some(money(l.total_amount)),
                            }
                        })
                        .collect(),
                ),
                total_discount: Some(money(o.total_discount)),
                sub_total: Some(money(o.sub_total)),
                total_tax_amount: Some(money(o.total_tax)),
                total_amount: Some(money(o.total)),
                metadata: metadata(),
                modified_date: None,
                source_modified_date: modified,
            })),
        }
    }

    fn bank_spend(&self, s: &model::BankSpend) -> CodatRecord {
        let kind = match s.direction {
            Direction::Spent => RecordKind::DirectCost,
            Direction::Received => RecordKind::DirectIncome,
        };
        let id = self.id(kind, s.id);
        let allocation = codat::PaymentAllocation {
            payment: codat::AllocatedPayment {
                id: Some(id.clone()),
                note: None,
                reference: Some(s.reference.to_string()),
                account_ref: Some(self.account_ref(ledger_of_bank(s.bank_account))),
                currency: Some(currency(s.currency)),
                currency_rate: Some(money(s.currency_rate)),
                paid_on_date: Some(date(s.date)),
                total_amount: Some(money(s.total)),
            },
            allocation: codat::Allocation {
                currency: Some(currency(s.currency)),
                currency_rate: Some(Money::from(1)),
                allocated_on_date: Some(date(s.date)),
                total_amount: Some(money(s.total)),
            },
        };
        let contact_ref = s.contact.map(|c| self.contact_ref(c));
        let modified = Some(instant(s.modified));
        match s.direction {
            Direction::Spent => CodatRecord::DirectCost(Box::new(codat::DirectCost {
                id,
                reference: Some(s.reference.to_string()),
                note: s.note.as_ref().map(|n| n.to_string()),
                contact_ref,
                issue_date: date(s.date),
                currency: currency(s.currency),
                currency_rate: Some(money(s.currency_rate)),
                line_items: s
                    .lines
                    .iter()
                    .map(|l| {
                        let (account_ref, tax_rate_ref, item_ref, refs) = self.line_common(l);
                        codat::DirectCostLineItem {
                            description: Some(l.description.to_string()),
                            unit_amount: money(l.unit_amount),
                            quantity: money(l.quantity),
                            discount_amount: Some(money(l.discount_amount)),
                            discount_percentage: Some(money(l.discount_percentage)),
                            sub_total: Some(money(l.sub_total)),
                            tax_amount: Some(money(l.tax_amount)),
                            total_amount: Some(money(l.total_amount)),
                            account_ref,
                            tax_rate_ref,
                            item_ref,
                            tracking: Some(codat::DirectCostTracking {
                                record_refs: l
                                    .tracking
                                    .ids()
                                    .map(|t| codat::TrackingRecordRef {
                                        id: Some(self.id(RecordKind::TrackingCategory, t)),
                                        data_type: Some(
                                            codat::TrackingRecordType::TrackingCategories,
                                        ),
                                    })
                                    .collect(),
                                invoice_to: None,
                            }),
                            tracking_category_refs: Some(refs),
                        }
                    })
                    .collect(),
                payment_allocations: vec![allocation],
                sub_total: money(s.sub_total),
                tax_amount: money(s.total_tax),
                total_amount: money(s.total),
                supplemental_data: None,
                metadata: metadata(),
                modified_date: None,
                source_modified_date: modified,
            })),
            Direction::Received => CodatRecord::DirectIncome(Box::new(codat::DirectIncome {
                id,
                reference: Some(s.reference.to_string()),
                note: s.note.as_ref().map(|n| n.to_string()),
                contact_ref,
                issue_date: date(s.date),
                currency: currency(s.currency),
                currency_rate: Some(money(s.currency_rate)),
                line_items: s
                    .lines
                    .iter()
                    .map(|l| {
                        let (account_ref, tax_rate_ref, item_ref, refs) = self.line_common(l);
                        codat::DirectIncomeLineItem {
                            description: Some(l.description.to_string()),
                            unit_amount: money(l.unit_amount),
                            quantity: money(l.quantity),
                            discount_amount: Some(money(l.discount_amount)),
                            discount_percentage: Some(money(l.discount_percentage)),
                            sub_total: Some(money(l.sub_total)),
                            tax_amount: Some(money(l.tax_amount)),
                            total_amount: Some(money(l.total_amount)),
                            account_ref,
                            tax_rate_ref,
                            item_ref,
                            tracking_category_refs: Some(refs),
                        }
                    })
                    .collect(),
                payment_allocations: vec![allocation],
                sub_total: money(s.sub_total),
                tax_amount: money(s.total_tax),
                total_amount: money(s.total),
                metadata: metadata(),
                supplemental_data: None,
                modified_date: None,
                source_modified_date: modified,
            })),
        }
    }

    fn journal_entry(&self, j: &model::JournalEntry) -> CodatRecord {
        let id = self.id(RecordKind::JournalEntry, j.id);
        let source = j.source.unwrap_or(RecordRef {
            kind: RecordKind::JournalEntry,
            id: j.id,
        });
        CodatRecord::JournalEntry(Box::new(codat::JournalEntry {
            id,
            description: Some(j.description.to_string()),
            posted_on: Some(date(j.posted_on)),
            created_on: Some(instant(j.created)),
            updated_on: Some(instant(j.created)),
            journal_ref: Some(codat::JournalRef {
                id: self.id(RecordKind::Journal, j.journal),
                name: JOURNALS
                    .get((j.journal as usize).saturating_sub(1))
                    .map(|x| x.1.to_string()),
            }),
            journal_lines: Some(
                j.lines
                    .iter()
                    .map(|l| {
                        let mut refs: Vec<codat::TrackingRecordRef> = l
                            .tracking
                            .ids()
                            .map(|t| codat::TrackingRecordRef {
                                id: Some(self.id(RecordKind::TrackingCategory, t)),
                                data_type: Some(codat::TrackingRecordType::TrackingCategories),
                            })
                            .collect();
                        if let Some(c) = l.contact {
                            let (kind, data_type) = match c.party {
                                Party::Customer => {
                                    (RecordKind::Customer, codat::TrackingRecordType::Customers)
                                }
                                Party::Supplier => {
                                    (RecordKind::Supplier, codat::TrackingRecordType::Suppliers)
                                }
                            };
                            refs.push(codat::TrackingRecordRef {
                                id: Some(self.id(kind, c.id)),
                                data_type: Some(data_type),
                            });
                        }
                        codat::JournalLine {
                            description: Some(l.description.to_string()),
                            net_amount: money(l.net_amount),
                            transaction_amount: Some(money(l.transaction_amount)),
                            currency: Some("GBP".to_string()),
                            transaction_currency: Some(currency(l.transaction_currency)),
                            account_ref: Some(self.account_ref(l.account)),
                            tracking: (!refs.is_empty()).then_some(codat::JournalLineTracking {
                                record_refs: Some(refs),
                            }),
                            contact_ref: l.contact.map(|c| self.contact_ref(c)),
                        }
                    })
                    .collect(),
            ),
            record_ref: Some(self.transaction_ref(source)),
            metadata: metadata(),
            supplemental_data: None,
            modified_date: None,
            source_modified_date: Some(instant(j.created)),
        }))
    }
}

fn credit_status(status: DocumentStatus) -> codat::CreditNoteStatus {
    match status {
        DocumentStatus::Draft => codat::CreditNoteStatus::Draft,
        DocumentStatus::Open => codat::CreditNoteStatus::Submitted,
        DocumentStatus::PartiallyPaid => codat::CreditNoteStatus::PartiallyPaid,
        DocumentStatus::Paid => codat::CreditNoteStatus::Paid,
        DocumentStatus::Void => codat::CreditNoteStatus::Void,
    }
}

fn payables_tracking(refs: Vec<codat::TrackingCategoryRef>) -> codat::PayablesTracking {
    codat::PayablesTracking {
        category_refs: refs,
        customer_ref: None,
        project_ref: None,
        is_billed_to: codat::PayablesBilledTo::NotApplicable,
        is_rebilled_to: codat::PayablesBilledTo::NotApplicable,
    }
}

/// Codat's balance sheet from monthly periods (any order), newest first as Codat lists them.
pub fn balance_sheet(mut periods: Vec<codat::BalanceSheetPeriod>) -> codat::BalanceSheet {
    periods.sort_by_key(|p| std::cmp::Reverse(p.date.as_ref().map(|d| d.date())));
    codat::BalanceSheet {
        currency: Some("GBP".to_string()),
        most_recent_available_month: periods.first().and_then(|p| p.date.clone()),
        earliest_available_month: periods.last().and_then(|p| p.date.clone()),
        reports: periods,
    }
}

/// Codat's profit and loss from monthly periods (any order), newest first.
pub fn profit_and_loss(mut periods: Vec<codat::ProfitAndLossPeriod>) -> codat::ProfitAndLoss {
    periods.sort_by_key(|p| std::cmp::Reverse(p.from_date.as_ref().map(|d| d.date())));
    codat::ProfitAndLoss {
        report_basis: codat::ReportBasis::Accrual,
        currency: Some("GBP".to_string()),
        most_recent_available_month: periods.first().and_then(|p| p.from_date.clone()),
        earliest_available_month: periods.last().and_then(|p| p.from_date.clone()),
        reports: periods,
    }
}

/// Codat's (direct) cash flow statement from monthly periods (any order), newest first.
pub fn cash_flow_statement(mut periods: Vec<codat::CashFlowPeriod>) -> codat::CashFlowStatement {
    periods.sort_by_key(|p| std::cmp::Reverse(p.from_date.as_ref().map(|d| d.date())));
    codat::CashFlowStatement {
        report_basis: codat::ReportBasis::Accrual,
        report_input: codat::ReportInput::Direct,
        currency: Some("GBP".to_string()),
        most_recent_available_month: periods.first().and_then(|p| p.from_date.clone()),
        earliest_available_month: periods.last().and_then(|p| p.from_date.clone()),
        reports: periods,
    }
}

/// The Codat data type key a books record is served under.
pub fn data_type(record: &Record) -> &'static str {
    record.kind().codat_key()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_the_scale_and_sign() {
        for (mantissa, scale, text) in [
            (95400, 2, "954.00"),
            (0, 2, "0.00"),
            (-5, 2, "-0.05"),
            (-12345, 2, "-123.45"),
            (20, 0, "20"),
            (8563, 4, "0.8563"),
            (1, 0, "1"),
        ] {
            let value = Decimal::new(mantissa, scale);
            assert_eq!(money(value).as_str(), text);
            assert_eq!(money(value).as_str(), Money::from(value).as_str());
        }
    }

    #[test]
    fn dates_are_written_in_codat_forms() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap_or_default();
        assert_eq!(date(day).as_str(), "2024-03-05T00:00:00");
        let at = day.and_hms_opt(9, 7, 44).unwrap_or_default();
        assert_eq!(instant(at).as_str(), "2024-03-05T09:07:44Z");
        assert_eq!(instant(at), CodatDateTime::from_utc(at.and_utc()));
        assert_eq!(
            date(day),
            CodatDateTime::from_local(day.and_time(chrono::NaiveTime::MIN))
        );
    }
}
