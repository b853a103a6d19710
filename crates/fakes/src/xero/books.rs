//! The Sandbox generator's books converted to Xero's model: one organisation's collections,
//! as `/api.xro/2.0` serves them (PascalCase fields, `/Date(ms+0000)/` dates, exact
//! decimals, statuses as Xero spells them).
//!
//! Ids are the ones the Sandbox's Codat mapping gives the same records, so the connector's
//! output can be compared with the generator's truth id for id. Where Xero's model has no
//! place for something the books hold, it is dropped here, exactly as a real Xero
//! organisation would not have it (the round-trip test lists every such loss).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use ledgerbridge_sandbox::codat::Codat;
use ledgerbridge_sandbox::model::{
    self, AccountType, AddressKind, AllocationSource, Direction, DocumentKind, DocumentStatus,
    Line, OrderStatus, Party, RecordKind, RecordRef,
};
use ledgerbridge_sandbox::{Books, Record};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// One record of a collection: its JSON, the same as Xero's wire text, and the timestamp
/// `If-Modified-Since` compares. Entries do not change once built (a later sync's books are a
/// new organisation), so the text written at construction stays the record's.
#[derive(Clone, Debug)]
pub struct Entry {
    /// `UpdatedDateUTC` (or `CreatedDateUTC` for journals and transfers), in ms since epoch.
    pub updated_ms: i64,
    value: Value,
    text: String,
}

impl Entry {
    /// A record updated at `updated_ms`, written as Xero's text once, here.
    pub fn new(updated_ms: i64, value: Value) -> Self {
        let text = super::wire::text(&value);
        Self {
            updated_ms,
            value,
            text,
        }
    }

    /// The record, for filtering and for tests.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The record as Xero writes it (compact, `\/Date(...)\/` escaped).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// One monthly report the organisation can produce.
#[derive(Clone, Debug)]
pub struct MonthReport {
    /// First day of the month.
    pub from: NaiveDate,
    /// Last day of the month.
    pub to: NaiveDate,
    /// The `Rows` of Xero's report.
    pub rows: Value,
}

/// One Xero organisation (tenant).
#[derive(Clone, Debug, Default)]
pub struct Organisation {
    /// `OrganisationID`, also the tenant id.
    pub tenant_id: String,
    /// Display name.
    pub name: String,
    /// `/Organisation`'s single record.
    pub organisation: Value,
    /// Collections by their envelope key (`Invoices`, `Contacts`, ...), sorted by
    /// `updated_ms` (journals by `JournalNumber`).
    pub collections: BTreeMap<&'static str, Vec<Entry>>,
    /// Month-end balance sheets.
    pub balance_sheets: Vec<MonthReport>,
    /// Monthly profit and loss.
    pub profit_and_loss: Vec<MonthReport>,
    /// What `where` filters selected, remembered.
    pub(crate) selections: Selections,
}

/// The entries of a collection that a `where` filter selects, remembered per organisation: it
/// never changes once served (a later sync's books are a new organisation), and a paged read
/// asks for the same filtered list call after call. A clone starts empty; so does a full
/// memory (it holds a few dozen filters at most).
#[derive(Debug, Default)]
pub(crate) struct Selections(Mutex<HashMap<Filtered, Arc<[u32]>>>);

/// A collection (its envelope key) and a `where` filter on it.
type Filtered = (&'static str, String);

impl Clone for Selections {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Selections {
    /// Filters remembered at most.
    const MAX: usize = 64;

    /// The indices, in `collection`, of the entries `filter` selects; `select` computes them
    /// the first time.
    pub(crate) fn of(
        &self,
        collection: &'static str,
        filter: &str,
        select: impl FnOnce() -> Vec<u32>,
    ) -> Arc<[u32]> {
        let key = (collection, filter.to_string());
        if let Some(found) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return found.clone();
        }
        let selected: Arc<[u32]> = select().into();
        let mut memory = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if memory.len() >= Self::MAX {
            memory.clear();
        }
        memory.insert(key, selected.clone());
        selected
    }
}

/// `/Date(1539993600000+0000)/` for a calendar date (midnight UTC).
pub fn ms_date(date: NaiveDate) -> String {
    ms_stamp(date.and_time(chrono::NaiveTime::MIN))
}

/// `/Date(1541176290160+0000)/` for a UTC timestamp.
pub fn ms_stamp(at: NaiveDateTime) -> String {
    format!("/Date({}+0000)/", at.and_utc().timestamp_millis())
}

fn iso_date(date: NaiveDate) -> String {
    format!("{}T00:00:00", date.format("%Y-%m-%d"))
}

fn iso_stamp(at: NaiveDateTime) -> String {
    format!("{}Z", at.format("%Y-%m-%dT%H:%M:%S"))
}

/// An exact JSON number (`954.00` stays `954.00`).
pub fn num(value: Decimal) -> Value {
    value
        .to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Xero quotes a rate as foreign units per base unit; the books (and Codat) as base units
/// per foreign unit. Six decimal places, as Xero keeps.
fn xero_rate(base_per_foreign: Decimal) -> Value {
    if base_per_foreign.is_zero() {
        return num(Decimal::ONE);
    }
    let mut inverse = (Decimal::ONE / base_per_foreign).round_dp(6);
    inverse.rescale(6);
    num(inverse)
}

struct AccountInfo {
    id: String,
    code: &'static str,
    name: &'static str,
    xero_type: &'static str,
}

/// Xero's account type for a books category (`Asset.Current.Bank`, ...).
fn xero_type(category: &str, is_bank: bool) -> &'static str {
    if is_bank {
        return "BANK";
    }
    let mut parts = category.split('.');
    let top = parts.next().unwrap_or_default();
    let second = parts.next().unwrap_or_default();
    let third = parts.next().unwrap_or_default();
    match (top, second, third) {
        ("Asset", "Fixed", _) => "FIXED",
        ("Asset", "NonCurrent", _) => "NONCURRENT",
        ("Asset", _, _) => "CURRENT",
        ("Liability", "NonCurrent", _) => "TERMLIAB",
        ("Liability", _, _) => "CURRLIAB",
        ("Equity", _, _) => "EQUITY",
        ("Income", "Other", _) => "OTHERINCOME",
        ("Income", _, _) => "REVENUE",
        ("Expense", "CostOfSales", _) => "DIRECTCOSTS",
        ("Expense", "Operating", "Depreciation") => "DEPRECIATN",
        ("Expense", "Operating", _) => "OVERHEADS",
        _ => "EXPENSE",
    }
}

fn class(t: AccountType) -> &'static str {
    match t {
        AccountType::Asset => "ASSET",
        AccountType::Liability => "LIABILITY",
        AccountType::Equity => "EQUITY",
        AccountType::Income => "REVENUE",
        AccountType::Expense => "EXPENSE",
    }
}

/// Lookups the conversion needs, gathered in a first pass (the books stream accounts last).
struct Lookups {
    accounts: HashMap<u64, AccountInfo>,
    tax_codes: HashMap<u64, &'static str>,
    items: HashMap<u64, (String, String)>,
    tracking: HashMap<u64, (String, &'static str, Option<u64>)>,
    bank_ledger: HashMap<u64, u64>,
    invoice_numbers: HashMap<(DocumentKind, u64), String>,
}

/// Converts a snapshot of the books to a Xero organisation.
pub fn organisation(books: &Books, sync: u32, name: Option<&str>) -> Organisation {
    let codat = Codat::new(books);
    let records: Vec<Record> = books.at_sync(sync).records().collect();
    let mut l = Lookups {
        accounts: HashMap::new(),
        tax_codes: HashMap::new(),
        items: HashMap::new(),
        tracking: HashMap::new(),
        bank_ledger: HashMap::new(),
        invoice_numbers: HashMap::new(),
    };
    for r in &records {
        match r {
            Record::Account(a) => {
                l.accounts.insert(
                    a.id,
                    AccountInfo {
                        id: codat.id(RecordKind::Account, a.id),
                        code: a.nominal_code,
                        name: a.name,
                        xero_type: xero_type(a.category, a.is_bank),
                    },
                );
            }
            Record::TaxRate(t) => {
                l.tax_codes.insert(t.id, t.code);
            }
            Record::Item(i) => {
                l.items
                    .insert(i.id, (i.code.to_string(), i.name.to_string()));
            }
            Record::TrackingCategory(t) => {
                l.tracking.insert(
                    t.id,
                    (
                        codat.id(RecordKind::TrackingCategory, t.id),
                        t.name,
                        t.parent,
                    ),
                );
            }
            Record::BankAccount(b) => {
                l.bank_ledger.insert(b.id, b.ledger_account);
            }
            Record::Document(d) => {
                l.invoice_numbers
                    .insert((d.kind, d.id), d.number.to_string());
            }
            _ => {}
        }
    }
    let company = books.company();
    let tenant_id = codat.id(RecordKind::Company, 1);
    let mut org = Organisation {
        tenant_id: tenant_id.clone(),
        name: name.unwrap_or(&company.name).to_string(),
        ..Organisation::default()
    };
    let mut push = |key: &'static str, at: NaiveDateTime, value: Value| {
        org.collections
            .entry(key)
            .or_default()
            .push(Entry::new(at.and_utc().timestamp_millis(), value));
    };
    let mut bank_details: HashMap<u64, &model::BankAccount> = HashMap::new();
    let mut tracking_options: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    let mut tracking_categories: Vec<(u64, &model::TrackingCategory)> = Vec::new();
    for r in &records {
        if let Record::BankAccount(b) = r {
            bank_details.insert(b.ledger_account, b);
        }
    }
    for r in &records {
        match r {
            Record::Company(c) => {
                org.organisation = company_json(c, &tenant_id, &org.name);
            }
            Record::Account(a) => {
                let info = &l.accounts[&a.id];
                let mut v = json!({
                    "AccountID": info.id,
                    "Code": a.nominal_code,
                    "Name": a.name,
                    "Status": "ACTIVE",
                    "Type": info.xero_type,
                    "Class": class(a.account_type),
                    "Description": a.description,
                    "TaxType": "NONE",
                    "EnablePaymentsToAccount": false,
                    "ShowInExpenseClaims": false,
                    "ReportingCode": a.category.split('.').next().unwrap_or_default().to_ascii_uppercase(),
                    "HasAttachments": false,
                    "AddToWatchlist": false,
                    "UpdatedDateUTC": ms_stamp(a.modified),
                });
                if let Some(b) = bank_details.get(&a.id) {
                    v["BankAccountNumber"] = json!(b.account_number.to_string());
                    v["BankAccountType"] = json!(if b.is_credit_card {
                        "CREDITCARD"
                    } else {
                        "BANK"
                    });
                    v["CurrencyCode"] = json!(b.currency.code());
                }
                push("Accounts", a.modified, v);
            }
            Record::TaxRate(t) => {
                let rate = num(t.rate);
                push(
                    "TaxRates",
                    t.created,
                    json!({
                        "Name": t.name,
                        "TaxType": t.code,
                        "TaxComponents": [{"Name": "VAT", "Rate": rate, "IsCompound": false, "IsNonRecoverable": false}],
                        "Status": "ACTIVE",
                        "ReportTaxType": "OUTPUT",
                        "CanApplyToAssets": true,
                        "CanApplyToEquity": true,
                        "CanApplyToExpenses": true,
                        "CanApplyToLiabilities": true,
                        "CanApplyToRevenue": true,
                        "DisplayTaxRate": rate,
                        "EffectiveRate": rate,
                    }),
                );
            }
            Record::Item(i) => {
                let detail = |price: Decimal, account: u64| {
                    json!({
                        "UnitPrice": num(price),
                        "AccountCode": l.accounts.get(&account).map(|a| a.code),
                        "TaxType": l.tax_codes.get(&i.tax_rate),
                    })
                };
                let description = format!("{} (per {})", i.name, i.unit);
                let mut v = json!({
                    "ItemID": codat.id(RecordKind::Item, i.id),
                    "Code": i.code.to_string(),
                    "Name": i.name.to_string(),
                    "Description": description,
                    "IsSold": true,
                    "IsPurchased": i.purchase_price.is_some(),
                    "IsTrackedAsInventory": false,
                    "SalesDetails": detail(i.sale_price, i.sales_account),
                    "UpdatedDateUTC": ms_stamp(i.modified),
                });
                if let Some(p) = i.purchase_price {
                    v["PurchaseDescription"] = json!(description);
                    v["PurchaseDetails"] = detail(p, i.purchase_account);
                }
                push("Items", i.modified, v);
            }
            Record::TrackingCategory(t) => match t.parent {
                None => tracking_categories.push((t.id, t)),
                Some(parent) => tracking_options.entry(parent).or_default().push(json!({
                    "TrackingOptionID": codat.id(RecordKind::TrackingCategory, t.id),
                    "Name": t.name,
                    "Status": "ACTIVE",
                })),
            },
            Record::Contact(c) => {
                let at = c.modified;
                push("Contacts", at, contact_json(&codat, c));
            }
            Record::Document(d) => {
                let (key, v) = document_json(&codat, &l, d);
                push(key, d.modified, v);
            }
            Record::Payment(p) => {
                for v in payment_json(&codat, &l, p) {
                    push("Payments", p.modified, v);
                }
            }
            Record::Order(o) if o.party == Party::Supplier => {
                push("PurchaseOrders", o.modified, order_json(&codat, &l, o));
            }
            Record::BankSpend(s) => {
                push(
                    "BankTransactions",
                    s.modified,
                    bank_spend_json(&codat, &l, s),
                );
            }
            Record::Transfer(t) => {
                push("BankTransfers", t.modified, transfer_json(&codat, &l, t));
            }
            Record::JournalEntry(j) => {
                let (journal, manual) = journal_json(&codat, &l, j);
                push("Journals", j.created, journal);
                if let Some(manual) = manual {
                    push("ManualJournals", j.created, manual);
                }
            }
            Record::Deleted(d) => {
                if let Some((key, v)) = deleted_json(&codat, d.record, d.at) {
                    push(key, d.at, v);
                }
            }
            Record::BalanceSheet(s) => org.balance_sheets.push(MonthReport {
                from: month_start(s.date),
                to: s.date,
                rows: balance_sheet_rows(&l, s),
            }),
            Record::ProfitAndLoss(p) => org.profit_and_loss.push(MonthReport {
                from: p.from,
                to: p.to,
                rows: profit_and_loss_rows(&l, p),
            }),
            _ => {}
        }
    }
    for (id, t) in tracking_categories {
        push(
            "TrackingCategories",
            t.created,
            json!({
                "TrackingCategoryID": codat.id(RecordKind::TrackingCategory, id),
                "Name": t.name,
                "Status": "ACTIVE",
                "Options": tracking_options.remove(&id).unwrap_or_default(),
            }),
        );
    }
    for (key, entries) in org.collections.iter_mut() {
        if *key == "Journals" {
            entries.sort_by_key(|e| e.value["JournalNumber"].as_u64().unwrap_or(0));
        } else if !matches!(*key, "TaxRates" | "TrackingCategories") {
            entries.sort_by_key(|e| e.updated_ms);
        }
    }
    org
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn address_json(a: &model::Address) -> Value {
    json!({
        "AddressType": match a.kind { AddressKind::Billing => "POBOX", AddressKind::Delivery => "STREET" },
        "AddressLine1": a.line1.to_string(),
        "AddressLine2": a.line2.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        "City": a.city.to_string(),
        "Region": a.region.to_string(),
        "PostalCode": a.postal_code.to_string(),
        "Country": a.country.to_string(),
    })
}

fn company_json(c: &model::Company, tenant_id: &str, name: &str) -> Value {
    let fy_end = c
        .financial_year_start
        .pred_opt()
        .unwrap_or(c.financial_year_start);
    json!({
        "APIKey": "",
        "Name": name,
        "LegalName": c.legal_name.to_string(),
        "PaysTax": true,
        "Version": "UK",
        "OrganisationType": "COMPANY",
        "BaseCurrency": c.base_currency.code(),
        "CountryCode": "GB",
        "IsDemoCompany": false,
        "OrganisationStatus": "ACTIVE",
        "RegistrationNumber": c.registration_number.to_string(),
        "TaxNumber": c.tax_number.to_string(),
        "FinancialYearEndDay": fy_end.day(),
        "FinancialYearEndMonth": fy_end.month(),
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY",
        "CreatedDateUTC": ms_stamp(c.created),
        "OrganisationEntityType": "COMPANY",
        "Timezone": "GMTSTANDARDTIME",
        "ShortCode": "!sim01",
        "OrganisationID": tenant_id,
        "LineOfBusiness": c.line_of_business.to_string(),
        "Edition": "BUSINESS",
        "Class": "STANDARD",
        "Addresses": [address_json(&c.address)],
        "Phones": [{"PhoneType": "OFFICE", "PhoneNumber": c.phone.to_string()}],
        "ExternalLinks": [{"LinkType": "Website", "Url": c.website.to_string()}],
        "PaymentTerms": {},
    })
}

fn contact_json(codat: &Codat, c: &model::Contact) -> Value {
    let (kind, customer) = match c.party {
        Party::Customer => (RecordKind::Customer, true),
        Party::Supplier => (RecordKind::Supplier, false),
    };
    let (first, last) = c
        .contact_person
        .split_once(' ')
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .unwrap_or_else(|| (c.contact_person.to_string(), String::new()));
    let mut phones = vec![
        json!({"PhoneType": "DEFAULT", "PhoneNumber": c.phone.to_string(), "PhoneAreaCode": "", "PhoneCountryCode": ""}),
    ];
    phones.push(json!({
        "PhoneType": "MOBILE",
        "PhoneNumber": c.mobile.as_ref().map(|m| m.to_string()).unwrap_or_default(),
        "PhoneAreaCode": "",
        "PhoneCountryCode": "",
    }));
    json!({
        "ContactID": codat.id(kind, c.id),
        "ContactStatus": if c.archived { "ARCHIVED" } else { "ACTIVE" },
        "Name": c.name.to_string(),
        "FirstName": first,
        "LastName": last,
        "EmailAddress": c.email.to_string(),
        "CompanyNumber": c.registration_number.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        "TaxNumber": c.tax_number.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        "Addresses": c.addresses.iter().map(address_json).collect::<Vec<_>>(),
        "Phones": phones,
        "UpdatedDateUTC": ms_stamp(c.modified),
        "ContactGroups": [],
        "IsSupplier": !customer,
        "IsCustomer": customer,
        "DefaultCurrency": c.currency.code(),
        "PaymentTerms": if customer {
            json!({"Sales": {"Day": c.terms_days, "Type": "DAYSAFTERBILLDATE"}})
        } else {
            json!({"Bills": {"Day": c.terms_days, "Type": "DAYSAFTERBILLDATE"}})
        },
        "ContactPersons": [],
        "HasAttachments": false,
        "HasValidationErrors": false,
    })
}

fn line_json(codat: &Codat, l: &Lookups, line: &Line) -> Value {
    let account = l.accounts.get(&line.account);
    let tracking: Vec<Value> = line
        .tracking
        .ids()
        .filter_map(|option| {
            let (option_id, option_name, parent) = l.tracking.get(&option)?;
            let (category_id, category_name, _) = l.tracking.get(&(*parent)?)?;
            Some(json!({
                "TrackingCategoryID": category_id,
                "TrackingOptionID": option_id,
                "Name": category_name,
                "Option": option_name,
            }))
        })
        .collect();
    let mut v = json!({
        "Description": line.description.to_string(),
        "Quantity": num(line.quantity),
        "UnitAmount": num(line.unit_amount),
        "AccountCode": account.map(|a| a.code),
        "AccountID": account.map(|a| a.id.clone()),
        "TaxType": l.tax_codes.get(&line.tax_rate),
        "TaxAmount": num(line.tax_amount),
        "LineAmount": num(line.sub_total),
        "DiscountRate": num(line.discount_percentage),
        "DiscountAmount": num(line.discount_amount),
        "Tracking": tracking,
    });
    if let Some(item) = line.item
        && let Some((code, name)) = l.items.get(&item)
    {
        v["ItemCode"] = json!(code);
        v["Item"] = json!({"ItemID": codat.id(RecordKind::Item, item), "Code": code, "Name": name});
    }
    v
}

fn document_status(status: DocumentStatus) -> &'static str {
    match status {
        DocumentStatus::Draft => "DRAFT",
        DocumentStatus::Open | DocumentStatus::PartiallyPaid => "AUTHORISED",
        DocumentStatus::Paid => "PAID",
        DocumentStatus::Void => "VOIDED",
    }
}

fn contact_ref(codat: &Codat, party: Party, id: u64, name: &str) -> Value {
    let kind = match party {
        Party::Customer => RecordKind::Customer,
        Party::Supplier => RecordKind::Supplier,
    };
    json!({"ContactID": codat.id(kind, id), "Name": name, "Addresses": [], "Phones": [], "ContactGroups": [], "ContactPersons": [], "HasValidationErrors": false})
}

fn document_json(codat: &Codat, l: &Lookups, d: &model::Document) -> (&'static str, Value) {
    let id = codat.id(d.kind.record_kind(), d.id);
    let lines: Vec<Value> = d
        .lines
        .iter()
        .map(|line| line_json(codat, l, line))
        .collect();
    let contact = contact_ref(codat, d.kind.party(), d.contact, &d.contact_name);
    let mut v = json!({
        "Contact": contact,
        "Date": ms_date(d.issue_date),
        "DateString": iso_date(d.issue_date),
        "Status": document_status(d.status),
        "LineAmountTypes": "Exclusive",
        "LineItems": lines,
        "SubTotal": num(d.sub_total),
        "TotalTax": num(d.total_tax),
        "Total": num(d.total),
        "CurrencyCode": d.currency.code(),
        "CurrencyRate": xero_rate(d.currency_rate),
        "UpdatedDateUTC": ms_stamp(d.modified),
        "HasAttachments": false,
        "HasErrors": false,
    });
    if let Some(note) = &d.note {
        v["Reference"] = json!(note.to_string());
    }
    if d.status == DocumentStatus::Paid
        && let Some(paid) = d.paid_on
    {
        v["FullyPaidOnDate"] = json!(ms_date(paid));
    }
    let sales = d.kind.party() == Party::Customer;
    if d.kind.is_credit() {
        v["Type"] = json!(if sales {
            "ACCRECCREDIT"
        } else {
            "ACCPAYCREDIT"
        });
        v["CreditNoteID"] = json!(id);
        v["CreditNoteNumber"] = json!(d.number.to_string());
        v["RemainingCredit"] = num(d.amount_due);
        v["Allocations"] = d
            .allocations
            .iter()
            .filter_map(|a| match a.source {
                AllocationSource::Document(doc) => {
                    let kind = if sales { DocumentKind::Invoice } else { DocumentKind::Bill };
                    Some(json!({
                        "Invoice": {
                            "InvoiceID": codat.id(kind.record_kind(), doc),
                            "InvoiceNumber": l.invoice_numbers.get(&(kind, doc)).cloned().unwrap_or_else(|| a.reference.to_string()),
                        },
                        "Amount": num(a.amount),
                        "Date": ms_date(a.date),
                    }))
                }
                _ => None,
            })
            .collect();
        ("CreditNotes", v)
    } else {
        v["Type"] = json!(if sales { "ACCREC" } else { "ACCPAY" });
        v["InvoiceID"] = json!(id);
        v["InvoiceNumber"] = json!(d.number.to_string());
        if let Some(due) = d.due_date {
            v["DueDate"] = json!(ms_date(due));
            v["DueDateString"] = json!(iso_date(due));
        }
        v["TotalDiscount"] = num(d.total_discount);
        v["AmountDue"] = num(d.amount_due);
        let (mut paid, mut credited) = (Decimal::ZERO, Decimal::ZERO);
        let mut payments = Vec::new();
        let mut credits = Vec::new();
        for a in &d.allocations {
            match a.source {
                AllocationSource::Payment(p) => {
                    paid += a.amount;
                    let kind = if sales {
                        RecordKind::Payment
                    } else {
                        RecordKind::BillPayment
                    };
                    payments.push(json!({
                        "PaymentID": codat.id(kind, p),
                        "Date": ms_date(a.date),
                        "Amount": num(a.amount),
                        "Reference": a.reference.to_string(),
                        "CurrencyRate": xero_rate(a.source_currency_rate),
                        "HasAccount": false,
                        "HasValidationErrors": false,
                    }));
                }
                AllocationSource::CreditNote(c) => {
                    credited += a.amount;
                    let kind = if sales {
                        RecordKind::CreditNote
                    } else {
                        RecordKind::BillCreditNote
                    };
                    credits.push(json!({
                        "CreditNoteID": codat.id(kind, c),
                        "CreditNoteNumber": a.reference.to_string(),
                        "AppliedAmount": num(a.amount),
                        "Date": ms_date(a.date),
                        "Total": num(a.source_total),
                    }));
                }
                AllocationSource::Document(_) => {}
            }
        }
        v["AmountPaid"] = num(paid);
        v["AmountCredited"] = num(credited);
        v["Payments"] = json!(payments);
        v["CreditNotes"] = json!(credits);
        v["Prepayments"] = json!([]);
        v["Overpayments"] = json!([]);
        v["UpdatedDateUTCString"] = json!(iso_stamp(d.modified));
        v["SentToContact"] = json!(d.status != DocumentStatus::Draft);
        v["IsDiscounted"] = json!(!d.total_discount.is_zero());
        ("Invoices", v)
    }
}

fn derived_id(id: &str, n: usize) -> String {
    let keep = id.len().saturating_sub(4);
    format!("{}{:04x}", &id[..keep], n & 0xffff)
}

fn payment_json(codat: &Codat, l: &Lookups, p: &model::Payment) -> Vec<Value> {
    let sales = p.party == Party::Customer;
    let (kind, doc_kind) = if sales {
        (RecordKind::Payment, DocumentKind::Invoice)
    } else {
        (RecordKind::BillPayment, DocumentKind::Bill)
    };
    let id = codat.id(kind, p.id);
    let ledger = l
        .bank_ledger
        .get(&p.bank_account)
        .and_then(|a| l.accounts.get(a));
    // Xero pays one invoice per payment; a payment of several becomes a batch of payments.
    p.links
        .iter()
        .enumerate()
        .map(|(n, link)| {
            let mut v = json!({
                "PaymentID": if n == 0 { id.clone() } else { derived_id(&id, n) },
                "Date": ms_date(p.date),
                "CurrencyRate": xero_rate(p.currency_rate),
                "Amount": num(link.amount),
                "Reference": p.reference.to_string(),
                "IsReconciled": true,
                "Status": "AUTHORISED",
                "PaymentType": if sales { "ACCRECPAYMENT" } else { "ACCPAYPAYMENT" },
                "UpdatedDateUTC": ms_stamp(p.modified),
                "HasAccount": true,
                "HasValidationErrors": false,
                "Account": {"AccountID": ledger.map(|a| a.id.clone()), "Code": ledger.map(|a| a.code)},
                "Invoice": {
                    "Type": if sales { "ACCREC" } else { "ACCPAY" },
                    "InvoiceID": codat.id(doc_kind.record_kind(), link.id),
                    "InvoiceNumber": l.invoice_numbers.get(&(doc_kind, link.id)).cloned().unwrap_or_default(),
                    "Contact": contact_ref(codat, p.party, p.contact, &p.contact_name),
                    "CurrencyCode": p.currency.code(),
                },
            });
            if p.links.len() > 1 {
                v["BatchPaymentID"] = json!(id);
            }
            v
        })
        .collect()
}

fn order_json(codat: &Codat, l: &Lookups, o: &model::Order) -> Value {
    let a = &o.ship_to;
    let address = [
        Some(a.line1.to_string()),
        a.line2.as_ref().map(|s| s.to_string()),
        Some(a.city.to_string()),
        Some(a.region.to_string()),
        Some(a.postal_code.to_string()),
        Some(a.country.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    let mut v = json!({
        "PurchaseOrderID": codat.id(RecordKind::PurchaseOrder, o.id),
        "PurchaseOrderNumber": o.number.to_string(),
        "Contact": contact_ref(codat, Party::Supplier, o.contact, &o.contact_name),
        "Date": ms_date(o.issue_date),
        "DateString": iso_date(o.issue_date),
        "DeliveryDate": ms_date(o.expected_delivery),
        "DeliveryDateString": iso_date(o.expected_delivery),
        "DeliveryAddress": address,
        "AttentionTo": o.contact_name.to_string(),
        "Status": match o.status {
            OrderStatus::Draft => "DRAFT",
            OrderStatus::Open => "AUTHORISED",
            OrderStatus::Closed => "BILLED",
            OrderStatus::Void => "DELETED",
        },
        "LineAmountTypes": "Exclusive",
        "LineItems": o.lines.iter().map(|line| line_json(codat, l, line)).collect::<Vec<_>>(),
        "SubTotal": num(o.sub_total),
        "TotalTax": num(o.total_tax),
        "Total": num(o.total),
        "TotalDiscount": num(o.total_discount),
        "CurrencyCode": o.currency.code(),
        "CurrencyRate": xero_rate(o.currency_rate),
        "UpdatedDateUTC": ms_stamp(o.modified),
        "HasAttachments": false,
    });
    if let Some(note) = &o.note {
        v["DeliveryInstructions"] = json!(note.to_string());
    }
    v
}

fn bank_ref(l: &Lookups, bank: u64) -> Value {
    let ledger = l.bank_ledger.get(&bank).and_then(|a| l.accounts.get(a));
    json!({"AccountID": ledger.map(|a| a.id.clone()), "Code": ledger.map(|a| a.code), "Name": ledger.map(|a| a.name)})
}

fn bank_spend_json(codat: &Codat, l: &Lookups, s: &model::BankSpend) -> Value {
    let (kind, xero_type) = match s.direction {
        Direction::Spent => (RecordKind::DirectCost, "SPEND"),
        Direction::Received => (RecordKind::DirectIncome, "RECEIVE"),
    };
    let mut v = json!({
        "BankTransactionID": codat.id(kind, s.id),
        "Type": xero_type,
        "BankAccount": bank_ref(l, s.bank_account),
        "IsReconciled": true,
        "Date": ms_date(s.date),
        "DateString": iso_date(s.date),
        "Reference": s.reference.to_string(),
        "CurrencyCode": s.currency.code(),
        "CurrencyRate": xero_rate(s.currency_rate),
        "Status": "AUTHORISED",
        "LineAmountTypes": "Exclusive",
        "LineItems": s.lines.iter().map(|line| line_json(codat, l, line)).collect::<Vec<_>>(),
        "SubTotal": num(s.sub_total),
        "TotalTax": num(s.total_tax),
        "Total": num(s.total),
        "UpdatedDateUTC": ms_stamp(s.modified),
        "HasAttachments": false,
    });
    if let Some(c) = s.contact {
        let kind = match c.party {
            Party::Customer => RecordKind::Customer,
            Party::Supplier => RecordKind::Supplier,
        };
        v["Contact"] = json!({"ContactID": codat.id(kind, c.id)});
    }
    v
}

fn transfer_json(codat: &Codat, l: &Lookups, t: &model::Transfer) -> Value {
    let id = codat.id(RecordKind::Transfer, t.id);
    let rate = if t.from_amount.is_zero() {
        Decimal::ONE
    } else {
        (t.to_amount / t.from_amount).round_dp(6)
    };
    json!({
        "BankTransferID": id,
        "FromBankAccount": bank_ref(l, t.from_account),
        "ToBankAccount": bank_ref(l, t.to_account),
        "Amount": num(t.from_amount),
        "Date": ms_date(t.date),
        "Reference": t.description.to_string(),
        "CurrencyRate": num(rate),
        "FromBankTransactionID": derived_id(&id, 1),
        "ToBankTransactionID": derived_id(&id, 2),
        "FromIsReconciled": true,
        "ToIsReconciled": true,
        "HasAttachments": false,
        "CreatedDateUTC": ms_stamp(t.modified),
    })
}

/// Xero's journal source type for the transaction a journal entry records.
fn source_type(source: Option<RecordRef>) -> &'static str {
    match source.map(|s| s.kind) {
        Some(RecordKind::Invoice) => "ACCREC",
        Some(RecordKind::Bill) => "ACCPAY",
        Some(RecordKind::CreditNote) => "ACCRECCREDIT",
        Some(RecordKind::BillCreditNote) => "ACCPAYCREDIT",
        Some(RecordKind::Payment) => "ACCRECPAYMENT",
        Some(RecordKind::BillPayment) => "ACCPAYPAYMENT",
        Some(RecordKind::DirectCost) => "CASHPAID",
        Some(RecordKind::DirectIncome) => "CASHREC",
        Some(RecordKind::Transfer) => "TRANSFER",
        _ => "MANJOURNAL",
    }
}

fn journal_json(codat: &Codat, l: &Lookups, j: &model::JournalEntry) -> (Value, Option<Value>) {
    let id = codat.id(RecordKind::JournalEntry, j.id);
    let source_id = match j.source {
        Some(s) if source_type(Some(s)) != "MANJOURNAL" => codat.id(s.kind, s.id),
        _ => id.clone(),
    };
    let tracking = |line: &model::JournalLine| -> Vec<Value> {
        line.tracking
            .ids()
            .filter_map(|option| {
                let (option_id, option_name, parent) = l.tracking.get(&option)?;
                let (category_id, category_name, _) = l.tracking.get(&(*parent)?)?;
                Some(json!({"TrackingCategoryID": category_id, "TrackingOptionID": option_id, "Name": category_name, "Option": option_name}))
            })
            .collect()
    };
    let lines: Vec<Value> = j
        .lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let account = l.accounts.get(&line.account);
            json!({
                "JournalLineID": derived_id(&id, n + 1),
                "AccountID": account.map(|a| a.id.clone()),
                "AccountCode": account.map(|a| a.code),
                "AccountType": account.map(|a| a.xero_type),
                "AccountName": account.map(|a| a.name),
                "Description": line.description.to_string(),
                "NetAmount": num(line.net_amount),
                "GrossAmount": num(line.net_amount),
                "TaxAmount": num(Decimal::ZERO.round_dp(2)),
                "TrackingCategories": tracking(line),
            })
        })
        .collect();
    let kind = source_type(j.source);
    let journal = json!({
        "JournalID": id,
        "JournalDate": ms_date(j.posted_on),
        "JournalNumber": j.id,
        "CreatedDateUTC": ms_stamp(j.created),
        "Reference": j.description.to_string(),
        "SourceID": source_id,
        "SourceType": kind,
        "JournalLines": lines,
    });
    let manual = (kind == "MANJOURNAL").then(|| {
        json!({
            "ManualJournalID": id,
            "Narration": j.description.to_string(),
            "Date": ms_date(j.posted_on),
            "Status": "POSTED",
            "LineAmountTypes": "NoTax",
            "ShowOnCashBasisReports": true,
            "HasAttachments": false,
            "UpdatedDateUTC": ms_stamp(j.created),
            "JournalLines": j.lines.iter().map(|line| {
                let account = l.accounts.get(&line.account);
                json!({
                    "LineAmount": num(line.net_amount),
                    "AccountCode": account.map(|a| a.code),
                    "AccountID": account.map(|a| a.id.clone()),
                    "Description": line.description.to_string(),
                    "TaxType": "NONE",
                    "Tracking": tracking(line),
                    "IsBlank": false,
                })
            }).collect::<Vec<_>>(),
        })
    });
    (journal, manual)
}

/// What Xero keeps of a deleted record: the record with `Status: DELETED` (documents); Xero
/// cannot delete contacts or posted journals, so those deletions have no trace here.
fn deleted_json(
    codat: &Codat,
    record: RecordRef,
    at: NaiveDateTime,
) -> Option<(&'static str, Value)> {
    let id = codat.id(record.kind, record.id);
    let stamp = ms_stamp(at);
    Some(match record.kind {
        RecordKind::Invoice | RecordKind::Bill => (
            "Invoices",
            json!({
                "Type": if record.kind == RecordKind::Invoice { "ACCREC" } else { "ACCPAY" },
                "InvoiceID": id, "Status": "DELETED", "LineItems": [], "UpdatedDateUTC": stamp,
            }),
        ),
        RecordKind::CreditNote | RecordKind::BillCreditNote => (
            "CreditNotes",
            json!({
                "Type": if record.kind == RecordKind::CreditNote { "ACCRECCREDIT" } else { "ACCPAYCREDIT" },
                "CreditNoteID": id, "Status": "DELETED", "LineItems": [], "UpdatedDateUTC": stamp,
            }),
        ),
        RecordKind::Payment | RecordKind::BillPayment => (
            "Payments",
            json!({
                "PaymentType": if record.kind == RecordKind::Payment { "ACCRECPAYMENT" } else { "ACCPAYPAYMENT" },
                "PaymentID": id, "Status": "DELETED", "UpdatedDateUTC": stamp,
            }),
        ),
        _ => return None,
    })
}

fn report_cell(value: String, account: Option<&AccountInfo>) -> Value {
    match account {
        Some(a) => json!({"Value": value, "Attributes": [{"Value": a.id, "Id": "account"}]}),
        None => json!({"Value": value}),
    }
}

/// A books report line as Xero report rows: the line becomes a `Section` titled with its
/// name holding one `Row` per account below it, then a `SummaryRow` with its total. Deeper
/// groupings of the books are flattened, as Xero's reports are.
fn report_section(l: &Lookups, line: &model::ReportLine) -> Value {
    let mut rows = Vec::new();
    fn leaves<'a>(line: &'a model::ReportLine, out: &mut Vec<&'a model::ReportLine>) {
        if line.items.is_empty() {
            out.push(line);
        } else {
            for i in &line.items {
                leaves(i, out);
            }
        }
    }
    let mut flat = Vec::new();
    for item in &line.items {
        leaves(item, &mut flat);
    }
    for leaf in flat {
        let account = leaf.account.and_then(|a| l.accounts.get(&a));
        rows.push(json!({
            "RowType": "Row",
            "Cells": [report_cell(leaf.name.to_string(), account), report_cell(leaf.value.to_string(), account)],
        }));
    }
    rows.push(json!({
        "RowType": "SummaryRow",
        "Cells": [{"Value": format!("Total {}", line.name)}, {"Value": line.value.to_string()}],
    }));
    json!({"RowType": "Section", "Title": line.name.to_string(), "Rows": rows})
}

fn header(title: String) -> Value {
    json!({"RowType": "Header", "Cells": [{"Value": ""}, {"Value": title}]})
}

fn balance_sheet_rows(l: &Lookups, s: &model::BalanceSheetMonth) -> Value {
    json!([
        header(s.date.format("%-d %b %Y").to_string()),
        report_section(l, &s.assets),
        report_section(l, &s.liabilities),
        {"RowType": "Section", "Title": "", "Rows": [
            {"RowType": "Row", "Cells": [{"Value": "Net Assets"}, {"Value": s.net_assets.to_string()}]}
        ]},
        report_section(l, &s.equity),
    ])
}

fn profit_and_loss_rows(l: &Lookups, p: &model::ProfitAndLossMonth) -> Value {
    let summary = |name: &str, value: Decimal| {
        json!({"RowType": "Section", "Title": "", "Rows": [
            {"RowType": "Row", "Cells": [{"Value": name}, {"Value": value.to_string()}]}
        ]})
    };
    json!([
        header(p.to.format("%-d %b %Y").to_string()),
        report_section(l, &p.income),
        report_section(l, &p.cost_of_sales),
        summary("Gross Profit", p.gross_profit),
        report_section(l, &p.expenses),
        summary("Operating Profit", p.net_operating_profit),
        report_section(l, &p.other_income),
        report_section(l, &p.other_expenses),
        summary("Net Profit", p.net_profit),
    ])
}
