//! The Sandbox generator's books converted to QuickBooks Online's model: one company (realm)
//! with its entities as `/v3/company/{realmId}/query` serves them (the V3 XSD's field names,
//! string ids of digits, `ReferenceType` objects, `xs:date` dates, timestamps with the
//! company's UTC offset, amounts as JSON numbers).
//!
//! Money received from no customer (interest, a tax refund, other income) is a bank `Deposit`
//! whose `DepositLineDetail` lines post straight to income accounts; money received from a
//! customer without an invoice is a `SalesReceipt`.
//!
//! An entity's `Id` is the books' own id for the record, so a test can pair what the connector
//! read with the generator's truth. What QuickBooks' model has no place for is dropped here,
//! as a real QuickBooks company would not hold it (the round-trip test lists each loss):
//! draft invoices and bills (QuickBooks has none), line discounts and per-line tax, a
//! transfer's arrival amount in another currency, tracking by department per line (QuickBooks
//! keeps one `DepartmentRef` per transaction), the system journals behind other transactions
//! (only manual `JournalEntry`s exist), draft and void purchase orders' statuses.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use ledgerbridge_sandbox::model::{
    self, AccountType, AddressKind, AllocationSource, Direction, DocumentKind, DocumentStatus,
    Line, OrderStatus, Party, RecordKind,
};
use ledgerbridge_sandbox::{Books, Record};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The company's UTC offset, as QuickBooks writes timestamps (Intuit's samples: Pacific).
pub const OFFSET_SECONDS: i32 = -7 * 3600;

/// One entity record: its JSON, the same as the text QuickBooks sends, and when it last
/// changed. The text is written when the entry is made and again when it is edited
/// ([`Company::update`]): a query answer splices it rather than serialising the record on
/// every call.
#[derive(Clone, Debug)]
pub struct Entry {
    /// `MetaData.LastUpdatedTime` in ms since the epoch.
    pub updated_ms: i64,
    value: Value,
    text: String,
}

impl Entry {
    /// A record last changed at `updated_ms`.
    pub fn new(updated_ms: i64, value: Value) -> Self {
        let text = value.to_string();
        Self {
            updated_ms,
            value,
            text,
        }
    }

    /// The record as QuickBooks writes it.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The record as compact JSON text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A deleted entity, as change data capture reports it.
#[derive(Clone, Debug)]
pub struct Tombstone {
    /// The entity (`Invoice`, ...).
    pub entity: &'static str,
    /// Its id.
    pub id: String,
    /// When it was deleted, ms since the epoch.
    pub at_ms: i64,
}

/// One monthly report.
#[derive(Clone, Debug)]
pub struct MonthReport {
    /// First day of the month.
    pub from: NaiveDate,
    /// Last day of the month.
    pub to: NaiveDate,
    /// `Rows.Row` of the report.
    pub rows: Value,
}

/// One QuickBooks company (realm).
#[derive(Clone, Debug, Default)]
pub struct Company {
    /// The realm id (digits).
    pub realm_id: String,
    /// Display name.
    pub name: String,
    /// Home currency.
    pub currency: String,
    /// Entities by name (`Invoice`, `Customer`, ...), each sorted by `updated_ms`.
    pub entities: BTreeMap<&'static str, Vec<Entry>>,
    /// Deleted entities, oldest first.
    pub tombstones: Vec<Tombstone>,
    /// Month-end balance sheets.
    pub balance_sheets: Vec<MonthReport>,
    /// Monthly profit and loss.
    pub profit_and_loss: Vec<MonthReport>,
}

impl Company {
    /// Deletes an entity: it leaves queries and CDC reports it `Deleted`. False when absent.
    pub fn delete(&mut self, entity: &str, id: &str, at: chrono::DateTime<chrono::Utc>) -> bool {
        let Some((key, list)) = self.entities.iter_mut().find(|(k, _)| ***k == *entity) else {
            return false;
        };
        let Some(pos) = list.iter().position(|e| e.value["Id"] == id) else {
            return false;
        };
        list.remove(pos);
        self.tombstones.push(Tombstone {
            entity: key,
            id: id.to_string(),
            at_ms: at.timestamp_millis(),
        });
        true
    }

    /// Changes an entity: `edit` alters its JSON, `SyncToken` goes up and
    /// `MetaData.LastUpdatedTime` becomes `at`. False when absent.
    pub fn update(
        &mut self,
        entity: &str,
        id: &str,
        at: chrono::DateTime<chrono::Utc>,
        edit: impl FnOnce(&mut Value),
    ) -> bool {
        let Some(list) = self.entities.get_mut(entity) else {
            return false;
        };
        let Some(pos) = list.iter().position(|e| e.value["Id"] == id) else {
            return false;
        };
        let mut e = list.remove(pos);
        edit(&mut e.value);
        let token = e.value["SyncToken"]
            .as_str()
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        e.value["SyncToken"] = json!((token + 1).to_string());
        e.value["MetaData"]["LastUpdatedTime"] = json!(stamp(at.naive_utc()));
        list.push(Entry::new(at.timestamp_millis(), e.value));
        true
    }
}

/// A UTC timestamp in the company's offset: `2015-07-24T10:33:39-07:00`.
pub fn stamp(at: NaiveDateTime) -> String {
    let local = at + chrono::Duration::seconds(i64::from(OFFSET_SECONDS));
    let sign = if OFFSET_SECONDS < 0 { '-' } else { '+' };
    let abs = OFFSET_SECONDS.abs();
    format!(
        "{}{sign}{:02}:{:02}",
        local.format("%Y-%m-%dT%H:%M:%S"),
        abs / 3600,
        abs % 3600 / 60
    )
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An exact JSON number.
pub fn num(value: Decimal) -> Value {
    value
        .normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn meta(created: NaiveDateTime, modified: NaiveDateTime) -> Value {
    json!({"CreateTime": stamp(created), "LastUpdatedTime": stamp(modified)})
}

fn reference(id: u64, name: &str) -> Value {
    json!({"value": id.to_string(), "name": name})
}

fn currency_ref(c: model::Currency) -> Value {
    let name = match c {
        model::Currency::Gbp => "British Pound Sterling",
        model::Currency::Eur => "Euro",
        model::Currency::Usd => "United States Dollar",
    };
    json!({"value": c.code(), "name": name})
}

/// QuickBooks' `AccountType` and `AccountSubType` for a books category.
fn account_type(category: &str, is_bank: bool, card: bool) -> (&'static str, String) {
    let mut parts = category.split('.');
    let top = parts.next().unwrap_or_default();
    let second = parts.next().unwrap_or_default();
    let third = parts.next().unwrap_or_default();
    let t = if is_bank && card {
        "Credit Card"
    } else if is_bank {
        "Bank"
    } else {
        match (top, second, third) {
            ("Asset", "Current", "Receivables") => "Accounts Receivable",
            ("Asset", "Fixed", _) => "Fixed Asset",
            ("Asset", "NonCurrent", _) => "Other Asset",
            ("Asset", _, _) => "Other Current Asset",
            ("Liability", "Current", "Payables") => "Accounts Payable",
            ("Liability", "Current", "CreditCards") => "Credit Card",
            ("Liability", "NonCurrent", _) => "Long Term Liability",
            ("Liability", _, _) => "Other Current Liability",
            ("Equity", _, _) => "Equity",
            ("Income", "Other", _) => "Other Income",
            ("Income", _, _) => "Income",
            ("Expense", "CostOfSales", _) => "Cost of Goods Sold",
            ("Expense", "Other", _) => "Other Expense",
            _ => "Expense",
        }
    };
    let sub = if third.is_empty() { second } else { third };
    (t, sub.to_string())
}

fn classification(t: AccountType) -> &'static str {
    match t {
        AccountType::Asset => "Asset",
        AccountType::Liability => "Liability",
        AccountType::Equity => "Equity",
        AccountType::Income => "Revenue",
        AccountType::Expense => "Expense",
    }
}

/// Names the conversion looks up, gathered in a first pass.
#[derive(Default)]
struct Lookups {
    accounts: HashMap<u64, &'static str>,
    items: HashMap<u64, String>,
    tax: HashMap<u64, &'static str>,
    /// Tracking option → (entity, parent).
    tracking: HashMap<u64, (&'static str, &'static str)>,
    bank_ledger: HashMap<u64, u64>,
    methods: HashMap<u64, &'static str>,
}

impl Lookups {
    fn account(&self, id: u64) -> Value {
        reference(id, self.accounts.get(&id).copied().unwrap_or_default())
    }

    fn bank(&self, bank: u64) -> Value {
        let ledger = self.bank_ledger.get(&bank).copied().unwrap_or_default();
        self.account(ledger)
    }

    fn tax_code(&self, id: u64) -> Value {
        reference(id, self.tax.get(&id).copied().unwrap_or_default())
    }

    fn class(&self, line: &Line) -> Option<Value> {
        line.tracking.ids().find_map(|t| {
            let (entity, name) = self.tracking.get(&t)?;
            (*entity == "Class").then(|| reference(t, name))
        })
    }

    fn department(&self, lines: &[Line]) -> Option<Value> {
        lines.iter().flat_map(|l| l.tracking.ids()).find_map(|t| {
            let (entity, name) = self.tracking.get(&t)?;
            (*entity == "Department").then(|| reference(t, name))
        })
    }
}

/// Converts a snapshot of the books to a QuickBooks company.
pub fn company(books: &Books, sync: u32, realm_id: &str, name: Option<&str>) -> Company {
    let records: Vec<Record> = books.at_sync(sync).records().collect();
    let mut l = Lookups::default();
    let mut parents: HashMap<u64, &'static str> = HashMap::new();
    for r in &records {
        match r {
            Record::Account(a) => {
                l.accounts.insert(a.id, a.name);
            }
            Record::Item(i) => {
                l.items.insert(i.id, i.name.to_string());
            }
            Record::TaxRate(t) => {
                l.tax.insert(t.id, t.name);
            }
            Record::TrackingCategory(t) if t.parent.is_none() => {
                parents.insert(t.id, t.name);
            }
            Record::BankAccount(b) => {
                l.bank_ledger.insert(b.id, b.ledger_account);
            }
            Record::PaymentMethod(p) => {
                l.methods.insert(p.id, p.name);
            }
            _ => {}
        }
    }
    let entity_of = |parent: &str| {
        if parent.eq_ignore_ascii_case("Department") {
            "Department"
        } else {
            "Class"
        }
    };
    for r in &records {
        if let Record::TrackingCategory(t) = r {
            let parent = t.parent.and_then(|p| parents.get(&p)).copied();
            let entity = entity_of(parent.unwrap_or(t.name));
            l.tracking.insert(t.id, (entity, t.name));
        }
    }
    let books_company = books.company();
    let mut c = Company {
        realm_id: realm_id.to_string(),
        name: name.unwrap_or(&books_company.name).to_string(),
        currency: books_company.base_currency.code().to_string(),
        ..Company::default()
    };
    let mut cards: HashMap<u64, bool> = HashMap::new();
    for r in &records {
        if let Record::BankAccount(b) = r {
            cards.insert(b.ledger_account, b.is_credit_card);
        }
    }
    let home = c.currency.clone();
    let mut entities: BTreeMap<&'static str, Vec<Entry>> = BTreeMap::new();
    let mut balance_sheets = Vec::new();
    let mut profit_and_loss = Vec::new();
    let mut push = |entity: &'static str, at: NaiveDateTime, mut value: Value| {
        if let Some(o) = value.as_object_mut() {
            o.insert("domain".into(), json!("QBO"));
            o.insert("sparse".into(), json!(false));
            o.entry("SyncToken").or_insert(json!("0"));
        }
        entities
            .entry(entity)
            .or_default()
            .push(Entry::new(at.and_utc().timestamp_millis(), value));
    };
    let mut tombstones = Vec::new();
    // Direct incomes served as `Deposit`s (their deletions are `Deposit` tombstones).
    let mut deposits = std::collections::HashSet::new();
    for r in &records {
        match r {
            Record::Company(k) => {
                push("CompanyInfo", k.created, company_info(k, realm_id, name));
                push(
                    "Preferences",
                    k.created,
                    json!({"Id": "1", "CurrencyPrefs": {"HomeCurrency": {"value": k.base_currency.code()}, "MultiCurrencyEnabled": true},
                           "AccountingInfoPrefs": {"FiscalYearStartMonth": k.financial_year_start.format("%B").to_string()},
                           "MetaData": meta(k.created, k.created)}),
                );
            }
            Record::Account(a) => {
                let card = cards.get(&a.id).copied().unwrap_or(false);
                let (t, sub) = account_type(a.category, a.is_bank, card);
                // QuickBooks shows credit balances (liabilities, equity, income) positive.
                let balance = match a.account_type {
                    AccountType::Asset | AccountType::Expense => a.balance_in_currency,
                    _ => -a.balance_in_currency,
                };
                push(
                    "Account",
                    a.modified,
                    json!({
                        "Id": a.id.to_string(),
                        "Name": a.name,
                        "AcctNum": a.nominal_code,
                        "FullyQualifiedName": a.name,
                        "Description": a.description,
                        "SubAccount": false,
                        "Active": true,
                        "Classification": classification(a.account_type),
                        "AccountType": t,
                        "AccountSubType": sub,
                        "CurrentBalance": num(balance),
                        "CurrentBalanceWithSubAccounts": num(balance),
                        "CurrencyRef": currency_ref(a.currency),
                        "MetaData": meta(a.created, a.modified),
                    }),
                );
            }
            Record::TaxRate(t) => {
                push(
                    "TaxRate",
                    t.created,
                    json!({
                        "Id": t.id.to_string(),
                        "Name": t.name,
                        "Description": t.name,
                        "Active": true,
                        "RateValue": num(t.rate),
                        "AgencyRef": {"value": "1"},
                        "SpecialTaxType": "NONE",
                        "DisplayType": "ReadOnly",
                        "MetaData": meta(t.created, t.created),
                    }),
                );
                let detail = json!({"TaxRateDetail": [{"TaxRateRef": reference(t.id, t.name), "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}]});
                push(
                    "TaxCode",
                    t.created,
                    json!({
                        "Id": t.id.to_string(),
                        "Name": t.code,
                        "Description": t.name,
                        "Active": true,
                        "Taxable": !t.rate.is_zero(),
                        "TaxGroup": false,
                        "SalesTaxRateList": detail,
                        "PurchaseTaxRateList": detail,
                        "MetaData": meta(t.created, t.created),
                    }),
                );
            }
            Record::Item(i) => {
                let mut v = json!({
                    "Id": i.id.to_string(),
                    "Name": i.name.to_string(),
                    "Sku": i.code.to_string(),
                    "FullyQualifiedName": i.name.to_string(),
                    "Description": format!("{} (per {})", i.name, i.unit),
                    "Active": true,
                    "Type": match i.kind { model::ItemKind::Service => "Service", model::ItemKind::NonInventory => "NonInventory" },
                    "UnitPrice": num(i.sale_price),
                    "IncomeAccountRef": l.account(i.sales_account),
                    "SalesTaxCodeRef": l.tax_code(i.tax_rate),
                    "TrackQtyOnHand": false,
                    "MetaData": meta(i.created, i.modified),
                });
                if let Some(p) = i.purchase_price {
                    v["PurchaseDesc"] = json!(format!("{} (per {})", i.name, i.unit));
                    v["PurchaseCost"] = num(p);
                    v["ExpenseAccountRef"] = l.account(i.purchase_account);
                    v["PurchaseTaxCodeRef"] = l.tax_code(i.tax_rate);
                }
                push("Item", i.modified, v);
            }
            Record::TrackingCategory(t) => {
                let parent = t.parent.and_then(|p| parents.get(&p)).copied();
                let entity = entity_of(parent.unwrap_or(t.name));
                let sub = if entity == "Class" {
                    "SubClass"
                } else {
                    "SubDepartment"
                };
                let mut v = json!({
                    "Id": t.id.to_string(),
                    "Name": t.name,
                    "FullyQualifiedName": parent.map_or(t.name.to_string(), |p| format!("{p}:{}", t.name)),
                    "Active": true,
                    sub: t.parent.is_some(),
                    "MetaData": meta(t.created, t.created),
                });
                if let Some(p) = t.parent {
                    v["ParentRef"] = reference(p, parent.unwrap_or_default());
                }
                push(entity, t.created, v);
            }
            Record::Contact(k) => {
                let entity = match k.party {
                    Party::Customer => "Customer",
                    Party::Supplier => "Vendor",
                };
                push(entity, k.modified, contact_json(k));
            }
            Record::Document(d) if d.status != DocumentStatus::Draft => {
                let (entity, v) = document_json(&l, d);
                push(entity, d.modified, v);
            }
            Record::Payment(p) => {
                let (entity, v) = payment_json(&l, p);
                push(entity, p.modified, v);
            }
            Record::Order(o) if o.party == Party::Supplier => {
                push("PurchaseOrder", o.modified, order_json(&l, o));
            }
            Record::BankSpend(s) => {
                let (entity, v) = bank_spend_json(&l, s);
                if entity == "Deposit" {
                    deposits.insert(s.id);
                }
                push(entity, s.modified, v);
            }
            Record::Transfer(t) => {
                push(
                    "Transfer",
                    t.modified,
                    json!({
                        "Id": t.id.to_string(),
                        "TxnDate": day(t.date),
                        "FromAccountRef": l.bank(t.from_account),
                        "ToAccountRef": l.bank(t.to_account),
                        "Amount": num(t.from_amount),
                        "PrivateNote": t.description.to_string(),
                        "MetaData": meta(t.created, t.modified),
                    }),
                );
            }
            Record::JournalEntry(j) if j.source.is_none() => {
                push("JournalEntry", j.created, journal_json(&l, j, &home));
            }
            Record::Deleted(d) => {
                let entity = match d.record.kind {
                    RecordKind::Invoice => "Invoice",
                    RecordKind::Bill => "Bill",
                    RecordKind::CreditNote => "CreditMemo",
                    RecordKind::BillCreditNote => "VendorCredit",
                    RecordKind::Payment => "Payment",
                    RecordKind::BillPayment => "BillPayment",
                    RecordKind::Customer => "Customer",
                    RecordKind::Supplier => "Vendor",
                    RecordKind::JournalEntry => "JournalEntry",
                    RecordKind::Transfer => "Transfer",
                    RecordKind::PurchaseOrder => "PurchaseOrder",
                    RecordKind::DirectCost => "Purchase",
                    RecordKind::DirectIncome if deposits.contains(&d.record.id) => "Deposit",
                    RecordKind::DirectIncome => "SalesReceipt",
                    _ => continue,
                };
                tombstones.push(Tombstone {
                    entity,
                    id: d.record.id.to_string(),
                    at_ms: d.at.and_utc().timestamp_millis(),
                });
            }
            Record::BalanceSheet(s) => balance_sheets.push(MonthReport {
                from: s.date.with_day(1).unwrap_or(s.date),
                to: s.date,
                rows: balance_sheet_rows(s),
            }),
            Record::ProfitAndLoss(p) => profit_and_loss.push(MonthReport {
                from: p.from,
                to: p.to,
                rows: profit_and_loss_rows(p),
            }),
            _ => {}
        }
    }
    c.entities = entities;
    c.balance_sheets = balance_sheets;
    c.profit_and_loss = profit_and_loss;
    for list in c.entities.values_mut() {
        list.sort_by_key(|e| e.updated_ms);
    }
    tombstones.sort_by_key(|t| t.at_ms);
    c.tombstones = tombstones;
    c
}

fn address_json(a: &model::Address, id: u32) -> Value {
    let mut v = json!({
        "Id": id.to_string(),
        "Line1": a.line1.to_string(),
        "City": a.city.to_string(),
        "CountrySubDivisionCode": a.region.to_string(),
        "Country": a.country.to_string(),
        "PostalCode": a.postal_code.to_string(),
    });
    if let Some(l2) = &a.line2 {
        v["Line2"] = json!(l2.to_string());
    }
    v
}

fn company_info(k: &model::Company, realm_id: &str, name: Option<&str>) -> Value {
    json!({
        "Id": "1",
        "CompanyName": name.unwrap_or(&k.name),
        "LegalName": k.legal_name.to_string(),
        "CompanyAddr": address_json(&k.address, 1),
        "LegalAddr": address_json(&k.address, 1),
        "CustomerCommunicationAddr": address_json(&k.address, 1),
        "PrimaryPhone": {"FreeFormNumber": k.phone.to_string()},
        "WebAddr": {"URI": k.website.to_string()},
        "Email": {"Address": format!("accounts@{}", k.website.trim_start_matches("https://").trim_start_matches("http://").trim_start_matches("www."))},
        "Country": "GB",
        "CompanyStartDate": day(k.books_start),
        "FiscalYearStartMonth": k.financial_year_start.format("%B").to_string(),
        "SupportedLanguages": "en",
        "NameValue": [
            {"Name": "CompanyType", "Value": "Limited Company"},
            {"Name": "IndustryType", "Value": k.line_of_business.to_string()},
            {"Name": "CompanyRegistrationNumber", "Value": k.registration_number.to_string()},
            {"Name": "VATRegistrationNumber", "Value": k.tax_number.to_string()},
            {"Name": "RealmId", "Value": realm_id},
        ],
        "MetaData": meta(k.created, k.created),
    })
}

/// Intuit masks tax identifiers: all but the last four characters become `X`.
fn masked(tax: &str) -> String {
    let n = tax.chars().count();
    tax.chars()
        .enumerate()
        .map(|(i, ch)| if i + 4 < n { 'X' } else { ch })
        .collect()
}

fn contact_json(k: &model::Contact) -> Value {
    let (given, family) = k
        .contact_person
        .split_once(' ')
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .unwrap_or_else(|| (k.contact_person.to_string(), String::new()));
    let mut v = json!({
        "Id": k.id.to_string(),
        "DisplayName": k.name.to_string(),
        "CompanyName": k.name.to_string(),
        "PrintOnCheckName": k.name.to_string(),
        "GivenName": given,
        "FamilyName": family,
        "PrimaryEmailAddr": {"Address": k.email.to_string()},
        "PrimaryPhone": {"FreeFormNumber": k.phone.to_string()},
        "Active": !k.archived,
        "Balance": 0,
        "CurrencyRef": currency_ref(k.currency),
        "MetaData": meta(k.created, k.modified),
    });
    if let Some(m) = &k.mobile {
        v["Mobile"] = json!({"FreeFormNumber": m.to_string()});
    }
    for (n, a) in k.addresses.iter().enumerate() {
        let key = match a.kind {
            AddressKind::Billing => "BillAddr",
            AddressKind::Delivery => "ShipAddr",
        };
        v[key] = address_json(a, n as u32 + 1);
    }
    if let Some(r) = &k.registration_number {
        v["BusinessNumber"] = json!(r.to_string());
    }
    if let Some(t) = &k.tax_number {
        let key = match k.party {
            Party::Customer => "PrimaryTaxIdentifier",
            Party::Supplier => "TaxIdentifier",
        };
        v[key] = json!(masked(t));
    }
    if k.party == Party::Customer {
        v["Job"] = json!(false);
        v["BillWithParent"] = json!(false);
    } else {
        v["Vendor1099"] = json!(false);
    }
    v
}

/// A sales line (`SalesItemLineDetail`): invoices, credit memos, sales receipts.
fn sales_line(l: &Lookups, line: &Line, zero: bool) -> Value {
    let amount = |d: Decimal| num(if zero { Decimal::ZERO } else { d });
    let mut detail = json!({
        "ItemAccountRef": l.account(line.account),
        "UnitPrice": num(line.unit_amount),
        "Qty": amount(line.quantity),
        "TaxCodeRef": {"value": line.tax_rate.to_string()},
    });
    if let Some(item) = line.item {
        detail["ItemRef"] = reference(item, l.items.get(&item).map_or("", String::as_str));
    }
    if let Some(class) = l.class(line) {
        detail["ClassRef"] = class;
    }
    json!({
        "Id": line.line_number.to_string(),
        "LineNum": line.line_number,
        "Description": line.description.to_string(),
        "Amount": amount(line.sub_total),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": detail,
    })
}

/// A bank deposit's line: `DepositLineDetail` naming the income account.
fn deposit_line(
    l: &Lookups,
    line: &Line,
    method: model::Id,
    from: Option<model::ContactRef>,
) -> Value {
    let mut detail = json!({
        "AccountRef": l.account(line.account),
        "PaymentMethodRef": reference(method, l.methods.get(&method).copied().unwrap_or_default()),
        "TaxCodeRef": {"value": line.tax_rate.to_string()},
    });
    if let Some(class) = l.class(line) {
        detail["ClassRef"] = class;
    }
    if let Some(c) = from {
        let t = match c.party {
            Party::Customer => "Customer",
            Party::Supplier => "Vendor",
        };
        detail["Entity"] = json!({"value": c.id.to_string(), "type": t});
    }
    json!({
        "Id": line.line_number.to_string(),
        "LineNum": line.line_number,
        "Description": line.description.to_string(),
        "Amount": num(line.sub_total),
        "DetailType": "DepositLineDetail",
        "DepositLineDetail": detail,
    })
}

/// A purchase line: `ItemBasedExpenseLineDetail` with an item, else
/// `AccountBasedExpenseLineDetail`.
fn expense_line(l: &Lookups, line: &Line) -> Value {
    let mut v = json!({
        "Id": line.line_number.to_string(),
        "LineNum": line.line_number,
        "Description": line.description.to_string(),
        "Amount": num(line.sub_total),
    });
    let class = l.class(line);
    match line.item {
        Some(item) => {
            let mut d = json!({
                "ItemRef": reference(item, l.items.get(&item).map_or("", String::as_str)),
                "UnitPrice": num(line.unit_amount),
                "Qty": num(line.quantity),
                "TaxCodeRef": {"value": line.tax_rate.to_string()},
                "BillableStatus": "NotBillable",
            });
            if let Some(c) = class {
                d["ClassRef"] = c;
            }
            v["DetailType"] = json!("ItemBasedExpenseLineDetail");
            v["ItemBasedExpenseLineDetail"] = d;
        }
        None => {
            let mut d = json!({
                "AccountRef": l.account(line.account),
                "TaxCodeRef": {"value": line.tax_rate.to_string()},
                "BillableStatus": "NotBillable",
            });
            if let Some(c) = class {
                d["ClassRef"] = c;
            }
            v["DetailType"] = json!("AccountBasedExpenseLineDetail");
            v["AccountBasedExpenseLineDetail"] = d;
        }
    }
    v
}

fn document_json(l: &Lookups, d: &model::Document) -> (&'static str, Value) {
    let void = d.status == DocumentStatus::Void;
    let zero_or = |x: Decimal| num(if void { Decimal::ZERO } else { x });
    let sales = d.kind.party() == Party::Customer;
    let mut lines: Vec<Value> = d
        .lines
        .iter()
        .map(|line| {
            if sales {
                sales_line(l, line, void)
            } else {
                let mut v = expense_line(l, line);
                if void {
                    v["Amount"] = json!(0);
                }
                v
            }
        })
        .collect();
    if sales {
        lines.push(json!({"DetailType": "SubTotalLineDetail", "Amount": zero_or(d.sub_total), "SubTotalLineDetail": {}}));
    }
    let linked: Vec<Value> = d
        .allocations
        .iter()
        .filter_map(|a| {
            let (id, kind) = match (a.source, d.kind) {
                (AllocationSource::Payment(p), DocumentKind::Invoice) => (p, "Payment"),
                (AllocationSource::Payment(p), DocumentKind::Bill) => (p, "BillPaymentCheck"),
                (AllocationSource::CreditNote(c), DocumentKind::Invoice) => (c, "CreditMemo"),
                (AllocationSource::CreditNote(c), DocumentKind::Bill) => (c, "VendorCredit"),
                (AllocationSource::Document(i), DocumentKind::CreditNote) => (i, "Invoice"),
                (AllocationSource::Document(b), DocumentKind::BillCreditNote) => (b, "Bill"),
                _ => return None,
            };
            Some(json!({"TxnId": id.to_string(), "TxnType": kind}))
        })
        .collect();
    let party = if sales { "CustomerRef" } else { "VendorRef" };
    let mut v = json!({
        "Id": d.id.to_string(),
        "DocNumber": d.number.to_string(),
        "TxnDate": day(d.issue_date),
        party: reference(d.contact, &d.contact_name),
        "CurrencyRef": currency_ref(d.currency),
        "ExchangeRate": num(d.currency_rate),
        "Line": lines,
        "TxnTaxDetail": {"TotalTax": zero_or(d.total_tax)},
        "TotalAmt": zero_or(d.total),
        "Balance": zero_or(d.amount_due),
        "LinkedTxn": linked,
        "GlobalTaxCalculation": "TaxExcluded",
        "MetaData": meta(d.created, d.modified),
    });
    if let Some(due) = d.due_date {
        v["DueDate"] = json!(day(due));
    }
    if let Some(dep) = l.department(&d.lines) {
        v["DepartmentRef"] = dep;
    }
    if sales {
        v["HomeTotalAmt"] = zero_or((d.total * d.currency_rate).round_dp(2));
        v["PrintStatus"] = json!("NotSet");
        v["EmailStatus"] = json!(if d.status == DocumentStatus::Open {
            "NotSet"
        } else {
            "EmailSent"
        });
        v["ApplyTaxAfterDiscount"] = json!(false);
        if let Some(note) = &d.note {
            v["CustomerMemo"] = json!({"value": note.to_string()});
        }
        if void {
            v["PrivateNote"] = json!("Voided");
        }
    } else {
        let note = d.note.as_ref().map(|n| n.to_string());
        v["PrivateNote"] = json!(match (void, note) {
            (true, Some(n)) => format!("Voided - {n}"),
            (true, None) => "Voided".to_string(),
            (false, Some(n)) => n,
            (false, None) => String::new(),
        });
    }
    let entity = match d.kind {
        DocumentKind::Invoice => "Invoice",
        DocumentKind::Bill => "Bill",
        DocumentKind::CreditNote => {
            v["RemainingCredit"] = zero_or(d.amount_due);
            "CreditMemo"
        }
        DocumentKind::BillCreditNote => "VendorCredit",
    };
    if d.kind.is_credit()
        && let Some(o) = v.as_object_mut()
    {
        o.remove("DueDate");
    }
    (entity, v)
}

fn payment_json(l: &Lookups, p: &model::Payment) -> (&'static str, Value) {
    let sales = p.party == Party::Customer;
    let lines: Vec<Value> = p
        .links
        .iter()
        .map(|link| {
            let kind = if sales { "Invoice" } else { "Bill" };
            json!({"Amount": num(link.amount), "LinkedTxn": [{"TxnId": link.id.to_string(), "TxnType": kind}]})
        })
        .collect();
    let mut v = json!({
        "Id": p.id.to_string(),
        "TxnDate": day(p.date),
        "CurrencyRef": currency_ref(p.currency),
        "ExchangeRate": num(p.currency_rate),
        "TotalAmt": num(p.total),
        "Line": lines,
        "MetaData": meta(p.created, p.modified),
    });
    if sales {
        v["CustomerRef"] = reference(p.contact, &p.contact_name);
        v["DepositToAccountRef"] = l.bank(p.bank_account);
        v["PaymentMethodRef"] = reference(
            p.method,
            l.methods.get(&p.method).copied().unwrap_or_default(),
        );
        v["PaymentRefNum"] = json!(p.reference.to_string());
        v["UnappliedAmt"] = json!(0);
        v["ProcessPayment"] = json!(false);
        ("Payment", v)
    } else {
        v["VendorRef"] = reference(p.contact, &p.contact_name);
        v["PayType"] = json!("Check");
        v["CheckPayment"] =
            json!({"BankAccountRef": l.bank(p.bank_account), "PrintStatus": "NotSet"});
        v["DocNumber"] = json!(p.reference.to_string());
        ("BillPayment", v)
    }
}

fn order_json(l: &Lookups, o: &model::Order) -> Value {
    let mut v = json!({
        "Id": o.id.to_string(),
        "DocNumber": o.number.to_string(),
        "TxnDate": day(o.issue_date),
        "DueDate": day(o.expected_delivery),
        "VendorRef": reference(o.contact, &o.contact_name),
        "POStatus": match o.status { OrderStatus::Closed | OrderStatus::Void => "Closed", _ => "Open" },
        "Line": o.lines.iter().map(|line| expense_line(l, line)).collect::<Vec<_>>(),
        "TotalAmt": num(o.total),
        "TxnTaxDetail": {"TotalTax": num(o.total_tax)},
        "CurrencyRef": currency_ref(o.currency),
        "ExchangeRate": num(o.currency_rate),
        "ShipAddr": address_json(&o.ship_to, 1),
        "EmailStatus": "NotSet",
        "MetaData": meta(o.created, o.modified),
    });
    if let Some(note) = &o.note {
        v["Memo"] = json!(note.to_string());
    }
    v
}

fn bank_spend_json(l: &Lookups, s: &model::BankSpend) -> (&'static str, Value) {
    let mut v = json!({
        "Id": s.id.to_string(),
        "DocNumber": s.reference.to_string(),
        "TxnDate": day(s.date),
        "CurrencyRef": currency_ref(s.currency),
        "ExchangeRate": num(s.currency_rate),
        "TxnTaxDetail": {"TotalTax": num(s.total_tax)},
        "TotalAmt": num(s.total),
        "GlobalTaxCalculation": "TaxExcluded",
        "PaymentMethodRef": reference(s.method, l.methods.get(&s.method).copied().unwrap_or_default()),
        "MetaData": meta(s.created, s.modified),
    });
    if let Some(note) = &s.note {
        v["PrivateNote"] = json!(note.to_string());
    }
    match s.direction {
        // Money in from no customer (interest, a tax refund, other income) is a bank
        // deposit in QuickBooks: lines straight to accounts, no items.
        Direction::Received if s.contact.is_none_or(|c| c.party != Party::Customer) => {
            v["Line"] = json!(
                s.lines
                    .iter()
                    .map(|line| deposit_line(l, line, s.method, s.contact))
                    .collect::<Vec<_>>()
            );
            v["DepositToAccountRef"] = l.bank(s.bank_account);
            // A deposit names the method per line only.
            if let Some(o) = v.as_object_mut() {
                o.remove("PaymentMethodRef");
            }
            ("Deposit", v)
        }
        Direction::Received => {
            let mut lines: Vec<Value> = s
                .lines
                .iter()
                .map(|line| sales_line(l, line, false))
                .collect();
            lines.push(json!({"DetailType": "SubTotalLineDetail", "Amount": num(s.sub_total), "SubTotalLineDetail": {}}));
            v["Line"] = json!(lines);
            v["DepositToAccountRef"] = l.bank(s.bank_account);
            v["Balance"] = json!(0);
            if let Some(c) = s.contact.filter(|c| c.party == Party::Customer) {
                v["CustomerRef"] = json!({"value": c.id.to_string()});
            }
            ("SalesReceipt", v)
        }
        Direction::Spent => {
            v["Line"] = json!(
                s.lines
                    .iter()
                    .map(|line| expense_line(l, line))
                    .collect::<Vec<_>>()
            );
            v["AccountRef"] = l.bank(s.bank_account);
            v["PaymentType"] = json!("Cash");
            v["Credit"] = json!(false);
            if let Some(c) = s.contact {
                let t = match c.party {
                    Party::Customer => "Customer",
                    Party::Supplier => "Vendor",
                };
                v["EntityRef"] = json!({"value": c.id.to_string(), "type": t});
            }
            ("Purchase", v)
        }
    }
}

fn journal_json(l: &Lookups, j: &model::JournalEntry, currency: &str) -> Value {
    let mut debits = Decimal::ZERO;
    let lines: Vec<Value> = j
        .lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let debit = line.net_amount >= Decimal::ZERO;
            if debit {
                debits += line.net_amount;
            }
            let mut detail = json!({
                "PostingType": if debit { "Debit" } else { "Credit" },
                "AccountRef": l.account(line.account),
            });
            if let Some(class) = line.tracking.ids().find_map(|t| {
                let (entity, name) = l.tracking.get(&t)?;
                (*entity == "Class").then(|| reference(t, name))
            }) {
                detail["ClassRef"] = class;
            }
            if let Some(dep) = line.tracking.ids().find_map(|t| {
                let (entity, name) = l.tracking.get(&t)?;
                (*entity == "Department").then(|| reference(t, name))
            }) {
                detail["DepartmentRef"] = dep;
            }
            if let Some(c) = line.contact {
                let t = match c.party {
                    Party::Customer => "Customer",
                    Party::Supplier => "Vendor",
                };
                detail["Entity"] = json!({"Type": t, "EntityRef": {"value": c.id.to_string()}});
            }
            json!({
                "Id": n.to_string(),
                "Description": line.description.to_string(),
                "Amount": num(line.net_amount.abs()),
                "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": detail,
            })
        })
        .collect();
    json!({
        "Id": j.id.to_string(),
        "DocNumber": format!("JE-{}", j.id),
        "TxnDate": day(j.posted_on),
        "PrivateNote": j.description.to_string(),
        "Adjustment": false,
        "Line": lines,
        "TotalAmt": num(debits),
        "CurrencyRef": {"value": currency},
        "MetaData": meta(j.created, j.created),
    })
}

fn money_text(d: Decimal) -> String {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d.to_string()
}

/// A books report line as a QuickBooks report section: `Header`, one `Data` row per account
/// below it (deeper groupings flattened) and a `Summary` with its total.
fn section(line: &model::ReportLine, group: &str) -> Value {
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
    let rows: Vec<Value> = flat
        .into_iter()
        .map(|leaf| {
            let mut label = json!({"value": leaf.name.to_string()});
            if let Some(a) = leaf.account {
                label["id"] = json!(a.to_string());
            }
            json!({"type": "Data", "ColData": [label, {"value": money_text(leaf.value)}]})
        })
        .collect();
    json!({
        "type": "Section",
        "group": group,
        "Header": {"ColData": [{"value": line.name.to_string()}, {"value": ""}]},
        "Rows": {"Row": rows},
        "Summary": {"ColData": [{"value": format!("Total {}", line.name)}, {"value": money_text(line.value)}]},
    })
}

fn summary(group: &str, label: &str, value: Decimal) -> Value {
    json!({"type": "Section", "group": group, "Summary": {"ColData": [{"value": label}, {"value": money_text(value)}]}})
}

fn balance_sheet_rows(s: &model::BalanceSheetMonth) -> Value {
    json!([
        section(&s.assets, "TotalAssets"),
        section(&s.liabilities, "Liabilities"),
        section(&s.equity, "Equity"),
        summary("NetAssets", "Net Assets", s.net_assets),
    ])
}

fn profit_and_loss_rows(p: &model::ProfitAndLossMonth) -> Value {
    json!([
        section(&p.income, "Income"),
        section(&p.cost_of_sales, "COGS"),
        summary("GrossProfit", "Gross Profit", p.gross_profit),
        section(&p.expenses, "Expenses"),
        summary(
            "NetOperatingIncome",
            "Net Operating Income",
            p.net_operating_profit
        ),
        section(&p.other_income, "OtherIncome"),
        section(&p.other_expenses, "OtherExpenses"),
        summary("NetOtherIncome", "Net Other Income", p.net_other_income),
        summary("NetIncome", "Net Income", p.net_profit),
    ])
}
