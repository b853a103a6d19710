//! Xero's records in Codat's model (`PLATFORMS.md` §4). Every function takes one record as
//! Xero wrote it and returns the Codat type; what Xero does not hold is left empty, never
//! invented. Documents (invoices, bills, credit notes, purchase orders: what a sync reads by
//! the thousand) come typed from [`super::wire`] and are mapped in `documents`; the other
//! records come as `serde_json::Value` (PascalCase).

mod documents;

pub use documents::{
    bill, bill_credit_note, credit_note, invoice, is_deleted as document_is_deleted,
    purchase_order, updated as document_updated,
};

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use ledgerbridge_domain::accounting as codat;
use ledgerbridge_domain::accounting::{CodatDateTime, Money};
use rust_decimal::Decimal;
use serde_json::Value;

/// What the mapping looks up in other Xero lists: account names and currencies by id and
/// code, tax rates by tax type, the base currency.
#[derive(Clone, Debug, Default)]
pub struct Lookups {
    /// AccountID (lower case) → (name, currency code when Xero gives one).
    pub accounts_by_id: HashMap<String, (String, Option<String>)>,
    /// Code → AccountID.
    pub accounts_by_code: HashMap<String, String>,
    /// TaxType → (name, effective rate).
    pub tax_rates: HashMap<String, (String, Option<Money>)>,
    /// The organisation's base currency.
    pub base_currency: Option<String>,
}

impl Lookups {
    fn account_ref(&self, id: Option<&str>, code: Option<&str>) -> Option<codat::AccountRef> {
        let id = id
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| code.and_then(|c| self.accounts_by_code.get(c).cloned()))?;
        let name = self.account(&id).map(|(n, _)| n.clone());
        Some(codat::AccountRef { id: Some(id), name })
    }

    /// An account by id, however its letters are cased (without copying the id when it is
    /// lower case already, as Xero writes ids).
    fn account(&self, id: &str) -> Option<&(String, Option<String>)> {
        if id.bytes().any(|b| b.is_ascii_uppercase()) {
            self.accounts_by_id.get(&id.to_ascii_lowercase())
        } else {
            self.accounts_by_id.get(id)
        }
    }

    fn tax_rate_ref(&self, tax_type: Option<&str>) -> Option<codat::TaxRateRef> {
        let tax_type = tax_type.filter(|s| !s.is_empty())?;
        let found = self.tax_rates.get(tax_type);
        Some(codat::TaxRateRef {
            id: Some(tax_type.to_string()),
            name: found.map(|(n, _)| n.clone()),
            effective_tax_rate: found.and_then(|(_, r)| r.clone()),
        })
    }

    fn account_currency(&self, id: Option<&str>) -> Option<String> {
        id.and_then(|id| self.account(id))
            .and_then(|(_, c)| c.clone())
            .or_else(|| self.base_currency.clone())
    }
}

/// A non-empty string field.
pub fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A number field as Codat money, exactly as written.
pub fn money(v: &Value, key: &str) -> Option<Money> {
    match v.get(key)? {
        Value::Number(n) => Money::parse(&n.to_string()).ok(),
        Value::String(s) => Money::parse(s.trim()).ok(),
        _ => None,
    }
}

fn decimal(v: &Value, key: &str) -> Option<Decimal> {
    let m = money(v, key)?;
    m.to_decimal().ok()
}

fn money_or_zero(v: &Value, key: &str) -> Money {
    money(v, key).unwrap_or_else(Money::zero)
}

/// Xero's `/Date(1539993600000+0000)/` (escaped or not, offset optional) or an ISO date.
pub fn parse_date(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    if let Some(inner) = t
        .strip_prefix("/Date(")
        .or_else(|| t.strip_prefix("\\/Date("))
        .and_then(|r| r.split(')').next())
    {
        let (digits, offset) = match inner[1..].find(['+', '-']) {
            Some(at) => (&inner[..at + 1], Some(&inner[at + 1..])),
            None => (inner, None),
        };
        let ms: i64 = digits.parse().ok()?;
        let mut at = DateTime::<Utc>::from_timestamp_millis(ms)?.naive_utc();
        // The offset shifts a date-only value to the calendar day it names.
        if let Some(off) = offset.filter(|o| o.len() == 5) {
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let h: i64 = off[1..3].parse().ok()?;
            let m: i64 = off[3..5].parse().ok()?;
            at += chrono::Duration::minutes(sign * (h * 60 + m));
        }
        return Some(at);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.naive_utc());
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(d);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
}

/// A business date: `2024-03-01T00:00:00`.
pub fn date(v: &Value, key: &str) -> Option<CodatDateTime> {
    let at = parse_date(str_of(v, key)?)?;
    Some(CodatDateTime::from_local(
        at.date().and_time(chrono::NaiveTime::MIN),
    ))
}

/// A UTC timestamp: `2024-03-01T09:12:44Z`.
pub fn instant(v: &Value, key: &str) -> Option<CodatDateTime> {
    Some(CodatDateTime::from_utc(
        parse_date(str_of(v, key)?)?.and_utc(),
    ))
}

/// Codat's `currencyRate` (base units per foreign unit) from Xero's `CurrencyRate` (foreign
/// units per base unit). The one place the direction is decided.
pub fn currency_rate(v: &Value) -> Option<Money> {
    invert_rate(decimal(v, "CurrencyRate")?)
}

/// Xero's `CurrencyRate` (foreign units per base unit) as Codat's (base units per foreign
/// unit): six decimal places at most, two at least; `None` for zero.
pub fn invert_rate(rate: Decimal) -> Option<Money> {
    if rate.is_zero() {
        return None;
    }
    if rate == Decimal::ONE {
        return Some(Money::from(Decimal::ONE));
    }
    let mut inverse = (Decimal::ONE / rate).round_dp(6).normalize();
    if inverse.scale() < 2 {
        inverse.rescale(2);
    }
    Some(Money::from(inverse))
}

pub(crate) fn metadata(deleted: bool) -> Option<codat::Metadata> {
    Some(codat::Metadata {
        is_deleted: Some(deleted),
    })
}

fn items<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// Whether Xero reports the record deleted.
pub fn is_deleted(v: &Value) -> bool {
    str_of(v, "Status") == Some("DELETED")
}

fn contact_id(v: &Value) -> Option<String> {
    v.get("Contact").and_then(|c| text(c, "ContactID"))
}

fn contact_name(v: &Value) -> Option<String> {
    v.get("Contact").and_then(|c| text(c, "Name"))
}

fn payment_link_kind(v: &Value) -> &'static str {
    match str_of(v, "PaymentType").unwrap_or("") {
        "ARCREDITPAYMENT" | "APCREDITPAYMENT" => "CreditNote",
        "AROVERPAYMENTPAYMENT"
        | "APOVERPAYMENTPAYMENT"
        | "ARPREPAYMENTPAYMENT"
        | "APPREPAYMENTPAYMENT" => "PaymentOnAccount",
        _ => "Invoice",
    }
}

/// Whether a Xero payment is on the receivables side.
pub fn is_receivable_payment(v: &Value) -> bool {
    matches!(
        str_of(v, "PaymentType").unwrap_or(""),
        "ACCRECPAYMENT" | "ARCREDITPAYMENT" | "AROVERPAYMENTPAYMENT" | "ARPREPAYMENTPAYMENT"
    )
}

/// What Codat's payment and bill payment both read from a Xero `Payment`.
struct PaymentParts {
    id: String,
    /// The paid invoice or bill (`Null` when the payment is on a credit note).
    invoice: Value,
    /// The paid document's id: the credit note's, else the invoice's.
    document: Option<String>,
    amount: Money,
    account: Value,
}

impl PaymentParts {
    fn read(v: &Value) -> Option<Self> {
        let invoice = v.get("Invoice").cloned().unwrap_or(Value::Null);
        Some(Self {
            id: text(v, "PaymentID")?,
            document: v
                .get("CreditNote")
                .and_then(|c| text(c, "CreditNoteID"))
                .or_else(|| text(&invoice, "InvoiceID")),
            invoice,
            amount: money_or_zero(v, "Amount"),
            account: v.get("Account").cloned().unwrap_or(Value::Null),
        })
    }
}

/// Xero `Payment` (AR types) → Codat payment.
pub fn payment(v: &Value, l: &Lookups) -> Option<codat::Payment> {
    let PaymentParts {
        id,
        invoice,
        document,
        amount,
        account,
    } = PaymentParts::read(v)?;
    let kind = match payment_link_kind(v) {
        "CreditNote" => codat::PaymentLinkType::CreditNote,
        "PaymentOnAccount" => codat::PaymentLinkType::PaymentOnAccount,
        _ => codat::PaymentLinkType::Invoice,
    };
    Some(codat::Payment {
        id,
        customer_ref: contact_id(&invoice).map(|id| codat::CustomerRef {
            id,
            company_name: contact_name(&invoice),
        }),
        account_ref: l.account_ref(str_of(&account, "AccountID"), str_of(&account, "Code")),
        total_amount: Some(amount.clone()),
        currency: text(&invoice, "CurrencyCode").or_else(|| l.base_currency.clone()),
        currency_rate: currency_rate(v),
        date: date(v, "Date")?,
        lines: Some(vec![codat::PaymentLine {
            amount: amount.clone(),
            links: Some(vec![codat::PaymentLineLink {
                kind,
                id: document,
                amount: Some(amount.neg()),
                currency_rate: Some(Money::from(1)),
            }]),
            allocated_on_date: date(v, "Date"),
        }]),
        reference: text(v, "Reference"),
        metadata: metadata(false),
        source_modified_date: instant(v, "UpdatedDateUTC"),
        payment_method_ref: None,
        note: None,
        supplemental_data: None,
        modified_date: None,
    })
}

/// Xero `Payment` (AP types) → Codat bill payment.
pub fn bill_payment(v: &Value, l: &Lookups) -> Option<codat::BillPayment> {
    let PaymentParts {
        id,
        invoice,
        document,
        amount,
        account,
    } = PaymentParts::read(v)?;
    let kind = match payment_link_kind(v) {
        "CreditNote" => codat::BillPaymentLinkType::CreditNote,
        "PaymentOnAccount" => codat::BillPaymentLinkType::PaymentOnAccount,
        _ => codat::BillPaymentLinkType::Bill,
    };
    Some(codat::BillPayment {
        id,
        supplier_ref: contact_id(&invoice).map(|id| codat::SupplierRef {
            id,
            supplier_name: contact_name(&invoice),
        }),
        account_ref: l.account_ref(str_of(&account, "AccountID"), str_of(&account, "Code")),
        total_amount: Some(amount.clone()),
        currency: text(&invoice, "CurrencyCode").or_else(|| l.base_currency.clone()),
        currency_rate: currency_rate(v),
        date: date(v, "Date")?,
        lines: Some(vec![codat::BillPaymentLine {
            amount: amount.clone(),
            links: Some(vec![codat::BillPaymentLineLink {
                kind,
                id: document,
                amount: Some(amount.neg()),
                currency_rate: Some(Money::from(1)),
            }]),
            allocated_on_date: date(v, "Date"),
        }]),
        reference: text(v, "Reference"),
        metadata: metadata(false),
        source_modified_date: instant(v, "UpdatedDateUTC"),
        payment_method_ref: None,
        note: None,
        supplemental_data: None,
        modified_date: None,
    })
}

fn address(a: &Value) -> codat::Address {
    codat::Address {
        kind: match str_of(a, "AddressType") {
            Some("POBOX") => codat::AddressType::Billing,
            Some("STREET") | Some("DELIVERY") => codat::AddressType::Delivery,
            _ => codat::AddressType::Unknown,
        },
        line1: text(a, "AddressLine1"),
        line2: text(a, "AddressLine2"),
        city: text(a, "City"),
        region: text(a, "Region"),
        country: text(a, "Country"),
        postal_code: text(a, "PostalCode"),
    }
}

fn addresses(v: &Value) -> Vec<codat::Address> {
    items(v, "Addresses")
        .filter(|a| {
            ["AddressLine1", "City", "PostalCode", "Country"]
                .iter()
                .any(|k| str_of(a, k).is_some())
        })
        .map(address)
        .collect()
}

fn phone_number(p: &Value) -> Option<String> {
    let parts: Vec<&str> = ["PhoneCountryCode", "PhoneAreaCode", "PhoneNumber"]
        .iter()
        .filter_map(|k| str_of(p, k))
        .collect();
    (!parts.is_empty() && str_of(p, "PhoneNumber").is_some()).then(|| parts.join(" "))
}

fn phone_of(v: &Value, kind: &str) -> Option<String> {
    items(v, "Phones")
        .filter(|p| str_of(p, "PhoneType") == Some(kind))
        .find_map(phone_number)
}

fn person(v: &Value) -> Option<String> {
    let name: Vec<&str> = ["FirstName", "LastName"]
        .iter()
        .filter_map(|k| str_of(v, k))
        .collect();
    (!name.is_empty()).then(|| name.join(" "))
}

fn contact_status(v: &Value) -> codat::RecordStatus {
    match str_of(v, "ContactStatus") {
        Some("ACTIVE") => codat::RecordStatus::Active,
        Some("ARCHIVED") | Some("GDPRREQUEST") => codat::RecordStatus::Archived,
        _ => codat::RecordStatus::Unknown,
    }
}

/// Xero `Contact` with `IsCustomer` → Codat customer.
pub fn customer(v: &Value) -> Option<codat::Customer> {
    let addresses = addresses(v);
    let phone = phone_of(v, "DEFAULT");
    let mut phones = Vec::new();
    if let Some(p) = &phone {
        phones.push(codat::PhoneNumber {
            number: Some(p.clone()),
            kind: codat::PhoneNumberType::Primary,
        });
    }
    if let Some(m) = phone_of(v, "MOBILE") {
        phones.push(codat::PhoneNumber {
            number: Some(m),
            kind: codat::PhoneNumberType::Mobile,
        });
    }
    let contact_name = person(v);
    let contacts = (contact_name.is_some() || text(v, "EmailAddress").is_some()).then(|| {
        vec![codat::Contact {
            name: contact_name.clone(),
            email: text(v, "EmailAddress"),
            phone: Some(phones),
            address: addresses.first().cloned(),
            status: codat::RecordStatus::Active,
            modified_date: None,
        }]
    });
    Some(codat::Customer {
        id: text(v, "ContactID")?,
        customer_name: text(v, "Name"),
        contact_name,
        email_address: text(v, "EmailAddress"),
        default_currency: text(v, "DefaultCurrency"),
        phone,
        contacts,
        addresses: Some(addresses),
        registration_number: text(v, "CompanyNumber"),
        tax_number: text(v, "TaxNumber"),
        status: contact_status(v),
        metadata: metadata(false),
        source_modified_date: instant(v, "UpdatedDateUTC"),
        ..Default::default()
    })
}

/// Xero `Contact` with `IsSupplier` → Codat supplier.
pub fn supplier(v: &Value) -> Option<codat::Supplier> {
    Some(codat::Supplier {
        id: text(v, "ContactID")?,
        supplier_name: text(v, "Name"),
        contact_name: person(v),
        email_address: text(v, "EmailAddress"),
        phone: phone_of(v, "DEFAULT"),
        addresses: Some(addresses(v)),
        registration_number: text(v, "CompanyNumber"),
        tax_number: text(v, "TaxNumber"),
        status: contact_status(v),
        default_currency: text(v, "DefaultCurrency"),
        metadata: metadata(false),
        source_modified_date: instant(v, "UpdatedDateUTC"),
        ..Default::default()
    })
}

/// Codat's `fullyQualifiedCategory` for a Xero account type (our table; `PLATFORMS.md`
/// §4.3 leaves it open).
fn category(class: &str, xero_type: &str) -> &'static str {
    match xero_type {
        "BANK" if class == "LIABILITY" => "Liability.Current",
        "BANK" | "CURRENT" | "INVENTORY" | "PREPAYMENT" => "Asset.Current",
        "FIXED" => "Asset.Fixed",
        "NONCURRENT" => "Asset.NonCurrent",
        "CURRLIAB" | "LIABILITY" | "PAYG" => "Liability.Current",
        "TERMLIAB" => "Liability.NonCurrent",
        "EQUITY" => "Equity.Equity",
        "REVENUE" | "SALES" => "Income.Revenue",
        "OTHERINCOME" => "Income.Other",
        "DIRECTCOSTS" => "Expense.CostOfSales",
        "OVERHEADS" | "DEPRECIATN" => "Expense.Operating",
        "EXPENSE" => "Expense.Other",
        _ => match class {
            "ASSET" => "Asset",
            "LIABILITY" => "Liability",
            "EQUITY" => "Equity",
            "REVENUE" => "Income",
            "EXPENSE" => "Expense",
            _ => "Unknown",
        },
    }
}

fn account_status(v: &Value) -> codat::AccountStatus {
    match str_of(v, "Status") {
        Some("ACTIVE") => codat::AccountStatus::Active,
        Some("ARCHIVED") => codat::AccountStatus::Archived,
        _ => codat::AccountStatus::Unknown,
    }
}

/// Xero `Account` → Codat account.
pub fn account(v: &Value, l: &Lookups) -> Option<codat::Account> {
    let class = str_of(v, "Class").unwrap_or("");
    let xero_type = str_of(v, "Type").unwrap_or("");
    Some(codat::Account {
        id: text(v, "AccountID")?,
        nominal_code: text(v, "Code"),
        name: text(v, "Name"),
        description: text(v, "Description"),
        fully_qualified_category: Some(category(class, xero_type).to_string()),
        fully_qualified_name: text(v, "Name"),
        currency: text(v, "CurrencyCode").or_else(|| l.base_currency.clone()),
        current_balance: None,
        kind: Some(match class {
            "ASSET" => codat::AccountType::Asset,
            "LIABILITY" => codat::AccountType::Liability,
            "EQUITY" => codat::AccountType::Equity,
            "REVENUE" => codat::AccountType::Income,
            "EXPENSE" => codat::AccountType::Expense,
            _ => codat::AccountType::Unknown,
        }),
        status: Some(account_status(v)),
        is_bank_account: Some(xero_type == "BANK"),
        metadata: metadata(false),
        source_modified_date: instant(v, "UpdatedDateUTC"),
        ..Default::default()
    })
}

/// Xero `Account` of type BANK → Codat bank account.
pub fn bank_account(v: &Value, l: &Lookups) -> Option<codat::BankAccount> {
    Some(codat::BankAccount {
        id: text(v, "AccountID")?,
        account_name: text(v, "Name"),
        account_type: Some(match str_of(v, "BankAccountType") {
            Some("CREDITCARD") => codat::BankAccountType::Credit,
            Some("BANK") | Some("PAYPAL") => codat::BankAccountType::Debit,
            _ => codat::BankAccountType::Unknown,
        }),
        nominal_code: text(v, "Code"),
        account_number: text(v, "BankAccountNumber"),
        currency: text(v, "CurrencyCode").or_else(|| l.base_currency.clone()),
        status: Some(account_status(v)),
        metadata: metadata(false),
        source_modified_date: instant(v, "UpdatedDateUTC"),
        ..Default::default()
    })
}

/// Xero `Item` → Codat item.
pub fn item(v: &Value, l: &Lookups) -> Option<codat::Item> {
    let details = |key: &str, description: Option<String>| {
        v.get(key).map(|d| codat::ItemDetails {
            description,
            unit_price: money(d, "UnitPrice"),
            account_ref: l.account_ref(None, str_of(d, "AccountCode")),
            tax_rate_ref: l.tax_rate_ref(str_of(d, "TaxType")),
        })
    };
    let sold = v.get("IsSold").and_then(Value::as_bool).unwrap_or(true);
    let bought = v
        .get("IsPurchased")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Some(codat::Item {
        id: text(v, "ItemID")?,
        name: text(v, "Name"),
        code: text(v, "Code"),
        item_status: codat::RecordStatus::Active,
        kind: if v.get("IsTrackedAsInventory").and_then(Value::as_bool) == Some(true) {
            codat::ItemType::Inventory
        } else {
            codat::ItemType::NonInventory
        },
        is_bill_item: bought,
        bill_item: if bought {
            details("PurchaseDetails", text(v, "PurchaseDescription"))
        } else {
            None
        },
        is_invoice_item: sold,
        invoice_item: if sold {
            details("SalesDetails", text(v, "Description"))
        } else {
            None
        },
        metadata: metadata(false),
        source_modified_date: instant(v, "UpdatedDateUTC"),
        ..Default::default()
    })
}

/// Xero `TaxRate` → Codat tax rate (id and code are Xero's `TaxType`).
pub fn tax_rate(v: &Value) -> Option<codat::TaxRate> {
    let tax_type = text(v, "TaxType")?;
    Some(codat::TaxRate {
        id: tax_type.clone(),
        name: text(v, "Name"),
        code: Some(tax_type),
        status: Some(match str_of(v, "Status") {
            Some("ACTIVE") => codat::RecordStatus::Active,
            Some("DELETED") | Some("ARCHIVED") => codat::RecordStatus::Archived,
            _ => codat::RecordStatus::Unknown,
        }),
        effective_tax_rate: money(v, "EffectiveRate"),
        total_tax_rate: money(v, "DisplayTaxRate"),
        components: Some(
            items(v, "TaxComponents")
                .map(|c| codat::TaxRateComponent {
                    name: text(c, "Name"),
                    rate: money(c, "Rate"),
                    is_compound: c
                        .get("IsCompound")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                })
                .collect(),
        ),
        metadata: metadata(false),
        ..Default::default()
    })
}

/// Xero `TrackingCategory` → the Codat category and one Codat record per option.
pub fn tracking_categories(v: &Value) -> Vec<codat::TrackingCategory> {
    let Some(id) = text(v, "TrackingCategoryID") else {
        return Vec::new();
    };
    let status = |s: Option<&str>| match s {
        Some("ACTIVE") | None => codat::RecordStatus::Active,
        Some(_) => codat::RecordStatus::Archived,
    };
    let options: Vec<&Value> = items(v, "Options").collect();
    let mut out = vec![codat::TrackingCategory {
        id: id.clone(),
        name: text(v, "Name"),
        status: Some(status(str_of(v, "Status"))),
        parent_id: None,
        has_children: Some(!options.is_empty()),
        metadata: metadata(false),
        ..Default::default()
    }];
    out.extend(options.into_iter().filter_map(|o| {
        Some(codat::TrackingCategory {
            id: text(o, "TrackingOptionID")?,
            name: text(o, "Name"),
            status: Some(status(str_of(o, "Status"))),
            parent_id: Some(id.clone()),
            has_children: Some(false),
            metadata: metadata(false),
            ..Default::default()
        })
    }));
    out
}

/// Xero `BankTransaction` (spend or receive money) → Codat bank transaction.
pub fn bank_transaction(v: &Value) -> Option<codat::BankTransaction> {
    let total = decimal(v, "Total").unwrap_or_default();
    let receive = str_of(v, "Type").is_some_and(|t| t.starts_with("RECEIVE"));
    Some(codat::BankTransaction {
        id: text(v, "BankTransactionID")?,
        account_id: v.get("BankAccount").and_then(|b| text(b, "AccountID")),
        cleared_on_date: date(v, "Date"),
        description: text(v, "Reference"),
        reconciled: v.get("IsReconciled").and_then(Value::as_bool),
        amount: Some(Money::from(if receive { total } else { -total })),
        balance: None,
        transaction_type: Some(if receive {
            codat::BankTransactionType::Credit
        } else {
            codat::BankTransactionType::Debit
        }),
        modified_date: None,
        source_modified_date: instant(v, "UpdatedDateUTC"),
    })
}

/// Xero `BankTransfer` → Codat transfer.
pub fn transfer(v: &Value, l: &Lookups) -> Option<codat::Transfer> {
    let amount = decimal(v, "Amount")?;
    let rate = decimal(v, "CurrencyRate").unwrap_or(Decimal::ONE);
    let side = |key: &str, amount: Decimal| {
        let id = v.get(key).and_then(|b| text(b, "AccountID"));
        codat::TransferAccount {
            currency: l.account_currency(id.as_deref()),
            account_ref: Some(codat::RecordRef {
                id,
                data_type: Some("accounts".to_string()),
            }),
            amount: Some(Money::from(amount)),
        }
    };
    let to_amount = (amount * rate).round_dp(2);
    let reconciled = v.get("FromIsReconciled").and_then(Value::as_bool) == Some(true)
        && v.get("ToIsReconciled").and_then(Value::as_bool) == Some(true);
    Some(codat::Transfer {
        id: text(v, "BankTransferID")?,
        description: text(v, "Reference"),
        date: date(v, "Date"),
        from: Some(side("FromBankAccount", amount)),
        to: Some(side("ToBankAccount", to_amount)),
        status: Some(if reconciled {
            codat::TransactionStatus::Reconciled
        } else {
            codat::TransactionStatus::Unreconciled
        }),
        metadata: metadata(false),
        source_modified_date: instant(v, "CreatedDateUTC"),
        ..Default::default()
    })
}

/// The Codat record a Xero journal's `SourceType` points at.
fn record_ref(v: &Value) -> Option<codat::TransactionRecordRef> {
    use codat::TransactionRecordType as T;
    let data_type = match str_of(v, "SourceType")? {
        "ACCREC" => T::Invoices,
        "ACCPAY" => T::Bills,
        "ACCRECCREDIT" => T::CreditNotes,
        "ACCPAYCREDIT" => T::BillCreditNotes,
        "ACCRECPAYMENT" | "ARCREDITPAYMENT" => T::Payments,
        "ACCPAYPAYMENT" | "APCREDITPAYMENT" => T::BillPayments,
        "CASHPAID" => T::DirectCosts,
        "CASHREC" => T::DirectIncomes,
        "TRANSFER" => T::Transfers,
        "MANJOURNAL" => T::JournalEntries,
        _ => T::Unknown,
    };
    Some(codat::TransactionRecordRef {
        id: text(v, "SourceID"),
        data_type: Some(data_type),
    })
}

/// Xero `Journal` (the general ledger's own journal) → Codat journal entry.
pub fn journal_entry(v: &Value, l: &Lookups) -> Option<codat::JournalEntry> {
    let created = instant(v, "CreatedDateUTC");
    Some(codat::JournalEntry {
        id: text(v, "JournalID")?,
        description: text(v, "Reference"),
        posted_on: date(v, "JournalDate"),
        created_on: created.clone(),
        updated_on: created.clone(),
        journal_lines: Some(
            items(v, "JournalLines")
                .map(|line| {
                    let refs: Vec<codat::TrackingRecordRef> = items(line, "TrackingCategories")
                        .filter_map(|t| {
                            Some(codat::TrackingRecordRef {
                                id: Some(text(t, "TrackingOptionID")?),
                                data_type: Some(codat::TrackingRecordType::TrackingCategories),
                            })
                        })
                        .collect();
                    codat::JournalLine {
                        description: text(line, "Description"),
                        net_amount: money_or_zero(line, "NetAmount"),
                        currency: l.base_currency.clone(),
                        account_ref: l
                            .account_ref(str_of(line, "AccountID"), str_of(line, "AccountCode"))
                            .map(|mut a| {
                                a.name = a.name.or_else(|| text(line, "AccountName"));
                                a
                            }),
                        tracking: (!refs.is_empty()).then_some(codat::JournalLineTracking {
                            record_refs: Some(refs),
                        }),
                        ..Default::default()
                    }
                })
                .collect(),
        ),
        record_ref: record_ref(v),
        metadata: metadata(false),
        source_modified_date: created,
        ..Default::default()
    })
}

/// Xero `Organisation` → Codat company info. `today` places the financial year.
pub fn company(v: &Value, today: NaiveDate) -> Option<codat::CompanyInfo> {
    let fy_start = (|| {
        let day = v.get("FinancialYearEndDay")?.as_u64()? as u32;
        let month = v.get("FinancialYearEndMonth")?.as_u64()? as u32;
        let end_this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
        let end = if end_this_year >= today {
            end_this_year
        } else {
            NaiveDate::from_ymd_opt(today.year() + 1, month, day)?
        };
        let previous_end = NaiveDate::from_ymd_opt(end.year() - 1, month, day)?;
        previous_end.succ_opt()
    })();
    Some(codat::CompanyInfo {
        company_name: text(v, "Name"),
        accounting_platform_ref: text(v, "OrganisationID"),
        company_legal_name: text(v, "LegalName"),
        addresses: Some(addresses(v)),
        phone_numbers: Some(
            items(v, "Phones")
                .filter_map(|p| {
                    Some(codat::PhoneNumber {
                        number: Some(phone_number(p)?),
                        kind: match str_of(p, "PhoneType") {
                            Some("MOBILE") => codat::PhoneNumberType::Mobile,
                            Some("FAX") => codat::PhoneNumberType::Fax,
                            Some("DEFAULT") => codat::PhoneNumberType::Primary,
                            Some("OFFICE") | Some("DDI") => codat::PhoneNumberType::Landline,
                            _ => codat::PhoneNumberType::Unknown,
                        },
                    })
                })
                .collect(),
        ),
        web_links: Some(
            items(v, "ExternalLinks")
                .map(|w| codat::WebLink {
                    kind: Some(match str_of(w, "LinkType") {
                        Some("Website") => codat::WebLinkType::Website,
                        Some("Facebook") | Some("Twitter") | Some("LinkedIn")
                        | Some("GooglePlus") => codat::WebLinkType::Social,
                        _ => codat::WebLinkType::Unknown,
                    }),
                    url: text(w, "Url"),
                })
                .collect(),
        ),
        ledger_lock_date: date(v, "PeriodLockDate"),
        registration_number: text(v, "RegistrationNumber"),
        tax_number: text(v, "TaxNumber"),
        financial_year_start_date: fy_start
            .map(|d| CodatDateTime::from_local(d.and_time(chrono::NaiveTime::MIN))),
        base_currency: text(v, "BaseCurrency"),
        created_date: instant(v, "CreatedDateUTC"),
        ..Default::default()
    })
}

fn cell_value(cell: &Value) -> Option<Money> {
    let text = cell.get("Value")?.as_str()?.trim().replace(',', "");
    if text.is_empty() {
        return None;
    }
    Money::parse(&text).ok()
}

fn cell_account(cell: &Value) -> Option<String> {
    items(cell, "Attributes")
        .find(|a| str_of(a, "Id") == Some("account"))
        .and_then(|a| text(a, "Value"))
}

/// One report section: `{name: Title, value: its SummaryRow, items: one line per Row}`.
fn report_section(section: &Value) -> codat::ReportLine {
    let mut lines = Vec::new();
    let mut total = None;
    for row in items(section, "Rows") {
        let cells: Vec<&Value> = items(row, "Cells").collect();
        let (Some(label), Some(amount)) = (cells.first(), cells.get(1)) else {
            continue;
        };
        match str_of(row, "RowType") {
            Some("SummaryRow") => total = cell_value(amount),
            Some("Row") => lines.push(codat::ReportLine {
                account_id: cell_account(label).or_else(|| cell_account(amount)),
                name: text(label, "Value"),
                value: cell_value(amount).unwrap_or_else(Money::zero),
                items: None,
            }),
            _ => {}
        }
    }
    let value = total.unwrap_or_else(|| {
        let sum: Decimal = lines.iter().filter_map(|l| l.value.to_decimal().ok()).sum();
        Money::from(sum)
    });
    codat::ReportLine {
        account_id: None,
        name: text(section, "Title"),
        value,
        items: (!lines.is_empty()).then_some(lines),
    }
}

/// A labelled figure in any section (`Net Assets`, `Gross Profit`, ...).
fn figure(rows: &[Value], label: &str) -> Option<Money> {
    rows.iter().flat_map(|s| items(s, "Rows")).find_map(|row| {
        let cells: Vec<&Value> = items(row, "Cells").collect();
        let name = cells.first().and_then(|c| str_of(c, "Value"))?;
        name.eq_ignore_ascii_case(label)
            .then(|| cells.get(1).and_then(|c| cell_value(c)))
            .flatten()
    })
}

fn sections(report: &Value) -> Vec<Value> {
    items(report, "Rows")
        .filter(|r| str_of(r, "RowType") == Some("Section"))
        .cloned()
        .collect()
}

fn section_named(sections: &[Value], test: impl Fn(&str) -> bool) -> Option<codat::ReportLine> {
    sections
        .iter()
        .find(|s| str_of(s, "Title").is_some_and(|t| test(&t.to_ascii_lowercase())))
        .map(report_section)
}

/// Xero's balance sheet report as at `date` → one Codat balance sheet period.
pub fn balance_sheet(report: &Value, at: NaiveDate) -> codat::BalanceSheetPeriod {
    let s = sections(report);
    let assets = section_named(&s, |t| t.contains("asset") && !t.contains("net"));
    let liabilities = section_named(&s, |t| t.contains("liabilit"));
    let equity = section_named(&s, |t| t.contains("equity"));
    let net = figure(&s, "Net Assets").unwrap_or_else(|| {
        let v = |l: &Option<codat::ReportLine>| {
            l.as_ref()
                .and_then(|l| l.value.to_decimal().ok())
                .unwrap_or_default()
        };
        Money::from(v(&assets) - v(&liabilities))
    });
    codat::BalanceSheetPeriod {
        date: Some(CodatDateTime::from_local(
            at.and_time(chrono::NaiveTime::MIN),
        )),
        assets,
        liabilities,
        net_assets: net,
        equity,
    }
}

/// Xero's profit and loss report for one month → one Codat period.
pub fn profit_and_loss(
    report: &Value,
    from: NaiveDate,
    to: NaiveDate,
) -> codat::ProfitAndLossPeriod {
    let s = sections(report);
    let value = |l: &Option<codat::ReportLine>| {
        l.as_ref()
            .and_then(|l| l.value.to_decimal().ok())
            .unwrap_or_default()
    };
    let cost = section_named(&s, |t| t.contains("cost of sales"));
    let other_income = section_named(&s, |t| t.contains("other income"));
    let other_expenses = section_named(&s, |t| t.contains("other expense"));
    let income = section_named(&s, |t| {
        !t.contains("other")
            && (t.contains("income") || t.contains("revenue") || t.contains("trading"))
    });
    let expenses = section_named(&s, |t| {
        !t.contains("other") && !t.contains("cost of sales") && t.contains("expense")
    });
    let gross =
        figure(&s, "Gross Profit").unwrap_or_else(|| Money::from(value(&income) - value(&cost)));
    let operating = figure(&s, "Operating Profit")
        .unwrap_or_else(|| Money::from(value(&income) - value(&cost) - value(&expenses)));
    let net_other = Money::from(value(&other_income) - value(&other_expenses));
    let net = figure(&s, "Net Profit").unwrap_or_else(|| {
        Money::from(
            value(&income) - value(&cost) - value(&expenses) + value(&other_income)
                - value(&other_expenses),
        )
    });
    codat::ProfitAndLossPeriod {
        from_date: Some(CodatDateTime::from_local(
            from.and_time(chrono::NaiveTime::MIN),
        )),
        to_date: Some(CodatDateTime::from_local(
            to.and_time(chrono::NaiveTime::MIN),
        )),
        income,
        cost_of_sales: cost,
        gross_profit: gross,
        expenses,
        net_operating_profit: operating,
        other_expenses,
        other_income,
        net_other_income: net_other,
        net_profit: net,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xero_dates_in_every_form() {
        let at = |s: &str| parse_date(s).map(|d| d.to_string());
        assert_eq!(
            at("/Date(1539993600000+0000)/").as_deref(),
            Some("2018-10-20 00:00:00")
        );
        assert_eq!(
            at("\\/Date(1573755038314)\\/").as_deref(),
            Some("2019-11-14 18:10:38.314")
        );
        assert_eq!(
            at("/Date(1539993600000+0100)/").as_deref(),
            Some("2018-10-20 01:00:00")
        );
        assert_eq!(
            at("/Date(-86400000)/").as_deref(),
            Some("1969-12-31 00:00:00")
        );
        assert_eq!(
            at("2018-10-20T00:00:00").as_deref(),
            Some("2018-10-20 00:00:00")
        );
        assert_eq!(
            at("2018-11-02T16:31:30Z").as_deref(),
            Some("2018-11-02 16:31:30")
        );
        assert_eq!(at("not a date"), None);
    }

    #[test]
    fn currency_rates_are_inverted_once() {
        let rate = |r: &str| {
            currency_rate(
                &serde_json::json!({ "CurrencyRate": r.parse::<serde_json::Number>().ok() }),
            )
            .map(|m| m.as_str().to_string())
        };
        assert_eq!(rate("1.000000").as_deref(), Some("1"));
        assert_eq!(rate("1.250000").as_deref(), Some("0.80"));
        assert_eq!(rate("0").as_deref(), None);
    }
}
