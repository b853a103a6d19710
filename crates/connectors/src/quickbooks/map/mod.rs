//! QuickBooks Online's entities in Codat's model (`PLATFORMS.md` §2.4 and §4). Every
//! function takes one entity as QuickBooks wrote it and returns the Codat type; what
//! QuickBooks does not hold is left empty, never invented. Transactions with lines (what a
//! sync reads by the thousand) come typed from [`super::wire`] and are mapped in
//! `transactions`; the other entities come as `serde_json::Value`, their keys matched
//! exactly first and then case-insensitively.
//!
//! QuickBooks has no document status: it is derived from `Balance`, `TotalAmt` and voids
//! (a voided transaction keeps its place with every amount zeroed and `Voided` in
//! `PrivateNote`). Ids are QuickBooks' own; tracking categories, which QuickBooks keeps in
//! two lists (`Class`, `Department`), are `class_<Id>` and `department_<Id>`.

mod transactions;

pub use transactions::{
    PaymentLookup, bill, bill_credit_note, credit_note, direct_cost, direct_income, invoice,
    is_deleted, is_income_deposit, lacks_currency, last_updated as transaction_updated, linked_ids,
    purchase_order,
};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use ledgerbridge_domain::accounting as codat;
use ledgerbridge_domain::accounting::{CodatDateTime, Money};
use rust_decimal::Decimal;
use serde_json::Value;

/// A field, its key matched exactly first and then case-insensitively.
pub fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let o = v.as_object()?;
    o.get(key).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, x)| x)
    })
}

/// Removes a field (its key matched as [`get`] matches it) and returns it.
pub fn take(v: &mut Value, key: &str) -> Option<Value> {
    let o = v.as_object_mut()?;
    if let Some(x) = o.remove(key) {
        return Some(x);
    }
    let k = o.keys().find(|k| k.eq_ignore_ascii_case(key))?.clone();
    o.remove(&k)
}

/// A non-empty string field.
pub fn text(v: &Value, key: &str) -> Option<String> {
    get(v, key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    get(v, key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| get(v, k))
}

/// A number field as Codat money, exactly as written.
pub fn money(v: &Value, key: &str) -> Option<Money> {
    match get(v, key)? {
        Value::Number(n) => Money::parse(&n.to_string()).ok(),
        Value::String(s) => Money::parse(s.trim()).ok(),
        _ => None,
    }
}

fn decimal(v: &Value, key: &str) -> Option<Decimal> {
    money(v, key)?.to_decimal().ok()
}

fn money_or_zero(v: &Value, key: &str) -> Money {
    money(v, key).unwrap_or_else(Money::zero)
}

fn items<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    get(v, key).and_then(Value::as_array).into_iter().flatten()
}

/// `ReferenceType.value`.
fn ref_id(v: &Value, key: &str) -> Option<String> {
    get(v, key).and_then(|r| text(r, "value"))
}

fn ref_name(v: &Value, key: &str) -> Option<String> {
    get(v, key).and_then(|r| text(r, "name"))
}

/// An `xs:date` (`2015-07-24`) as Codat's business date.
pub fn date(v: &Value, key: &str) -> Option<CodatDateTime> {
    Some(day(xs_date(str_of(v, key)?)?))
}

/// The calendar day at the start of `text`, `YYYY-MM-DD` (read digit by digit: a page holds
/// thousands, and `chrono`'s `parse_from_str` parses its pattern every time).
fn xs_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes().get(..10)?;
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(number(&b[..4])?).ok()?,
        number(&b[5..7])?,
        number(&b[8..10])?,
    )
}

/// A business date as Codat writes one: `2024-03-01T00:00:00`.
fn day(d: NaiveDate) -> CodatDateTime {
    CodatDateTime::from_local(d.and_time(chrono::NaiveTime::MIN))
}

/// `MetaData.LastUpdatedTime` (`2015-07-24T10:33:39-07:00`) as an instant.
pub fn last_updated(v: &Value) -> Option<NaiveDateTime> {
    let t = at(v, &["MetaData", "LastUpdatedTime"]).and_then(Value::as_str)?;
    DateTime::parse_from_rfc3339(t).ok().map(|d| d.naive_utc())
}

fn source_modified(v: &Value) -> Option<CodatDateTime> {
    last_updated(v).map(|d| CodatDateTime::from_utc(d.and_utc()))
}

fn metadata() -> Option<codat::Metadata> {
    Some(codat::Metadata {
        is_deleted: Some(false),
    })
}

fn currency(v: &Value, home: &str) -> String {
    ref_id(v, "CurrencyRef").unwrap_or_else(|| home.to_string())
}

/// `ExchangeRate`: home-currency units per foreign unit, Codat's direction already.
fn rate(v: &Value) -> Option<Money> {
    money(v, "ExchangeRate").filter(|m| !m.is_zero())
}

/// A tracking category id for a class or department reference.
pub fn class_id(id: &str) -> String {
    format!("class_{id}")
}

/// See [`class_id`].
pub fn department_id(id: &str) -> String {
    format!("department_{id}")
}

/// QuickBooks `Payment` → Codat payment: one line per `Line[]` (negative link amounts),
/// and the unapplied amount as a payment on account.
pub fn payment(v: &Value, home: &str) -> Option<codat::Payment> {
    let mut out: Vec<codat::PaymentLine> = items(v, "Line")
        .map(|line| {
            let amount = money_or_zero(line, "Amount");
            codat::PaymentLine {
                links: Some(
                    items(line, "LinkedTxn")
                        .map(|l| codat::PaymentLineLink {
                            kind: match str_of(l, "TxnType") {
                                Some("Invoice") => codat::PaymentLinkType::Invoice,
                                Some("CreditMemo") => codat::PaymentLinkType::CreditNote,
                                Some("JournalEntry") => codat::PaymentLinkType::ManualJournal,
                                _ => codat::PaymentLinkType::Other,
                            },
                            id: text(l, "TxnId"),
                            amount: Some(amount.neg()),
                            currency_rate: Some(Money::from(1)),
                        })
                        .collect(),
                ),
                amount,
                allocated_on_date: date(v, "TxnDate"),
            }
        })
        .collect();
    let customer = ref_id(v, "CustomerRef");
    if let Some(unapplied) = money(v, "UnappliedAmt").filter(|m| !m.is_zero()) {
        out.push(codat::PaymentLine {
            links: Some(vec![codat::PaymentLineLink {
                kind: codat::PaymentLinkType::PaymentOnAccount,
                id: customer.clone(),
                amount: Some(unapplied.neg()),
                currency_rate: Some(Money::from(1)),
            }]),
            amount: unapplied,
            allocated_on_date: date(v, "TxnDate"),
        });
    }
    Some(codat::Payment {
        id: text(v, "Id")?,
        customer_ref: customer.map(|id| codat::CustomerRef {
            id,
            company_name: ref_name(v, "CustomerRef"),
        }),
        account_ref: get(v, "DepositToAccountRef").and_then(|a| {
            Some(codat::AccountRef {
                id: Some(text(a, "value")?),
                name: text(a, "name"),
            })
        }),
        total_amount: money(v, "TotalAmt"),
        currency: Some(currency(v, home)),
        currency_rate: rate(v),
        date: date(v, "TxnDate")?,
        lines: Some(out),
        reference: text(v, "PaymentRefNum"),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        payment_method_ref: get(v, "PaymentMethodRef").and_then(|p| {
            Some(codat::PaymentMethodRef {
                id: text(p, "value")?,
                name: text(p, "name"),
            })
        }),
        note: text(v, "PrivateNote"),
        supplemental_data: None,
        modified_date: None,
    })
}

/// QuickBooks `BillPayment` → Codat bill payment.
pub fn bill_payment(v: &Value, home: &str) -> Option<codat::BillPayment> {
    let bank = at(v, &["CheckPayment", "BankAccountRef"])
        .or_else(|| at(v, &["CreditCardPayment", "CCAccountRef"]));
    Some(codat::BillPayment {
        id: text(v, "Id")?,
        supplier_ref: ref_id(v, "VendorRef").map(|id| codat::SupplierRef {
            id,
            supplier_name: ref_name(v, "VendorRef"),
        }),
        account_ref: bank.and_then(|a| {
            Some(codat::AccountRef {
                id: Some(text(a, "value")?),
                name: text(a, "name"),
            })
        }),
        total_amount: money(v, "TotalAmt"),
        currency: Some(currency(v, home)),
        currency_rate: rate(v),
        date: date(v, "TxnDate")?,
        lines: Some(
            items(v, "Line")
                .map(|line| {
                    let amount = money_or_zero(line, "Amount");
                    codat::BillPaymentLine {
                        links: Some(
                            items(line, "LinkedTxn")
                                .map(|l| codat::BillPaymentLineLink {
                                    kind: match str_of(l, "TxnType") {
                                        Some("Bill") => codat::BillPaymentLinkType::Bill,
                                        Some("VendorCredit") => {
                                            codat::BillPaymentLinkType::CreditNote
                                        }
                                        Some("JournalEntry") => {
                                            codat::BillPaymentLinkType::ManualJournal
                                        }
                                        _ => codat::BillPaymentLinkType::Other,
                                    },
                                    id: text(l, "TxnId"),
                                    amount: Some(amount.neg()),
                                    currency_rate: Some(Money::from(1)),
                                })
                                .collect(),
                        ),
                        amount,
                        allocated_on_date: date(v, "TxnDate"),
                    }
                })
                .collect(),
        ),
        reference: text(v, "DocNumber"),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        payment_method_ref: None,
        note: text(v, "PrivateNote"),
        supplemental_data: None,
        modified_date: None,
    })
}

fn address(a: &Value, kind: codat::AddressType) -> codat::Address {
    codat::Address {
        kind,
        line1: text(a, "Line1"),
        line2: text(a, "Line2"),
        city: text(a, "City"),
        region: text(a, "CountrySubDivisionCode"),
        country: text(a, "Country"),
        postal_code: text(a, "PostalCode"),
    }
}

fn addresses(v: &Value) -> Vec<codat::Address> {
    let mut out = Vec::new();
    if let Some(a) = get(v, "BillAddr") {
        out.push(address(a, codat::AddressType::Billing));
    }
    if let Some(a) = get(v, "ShipAddr") {
        out.push(address(a, codat::AddressType::Delivery));
    }
    out
}

fn person(v: &Value) -> Option<String> {
    let name: Vec<&str> = ["GivenName", "FamilyName"]
        .iter()
        .filter_map(|k| str_of(v, k))
        .collect();
    (!name.is_empty()).then(|| name.join(" "))
}

fn active_status(v: &Value) -> codat::RecordStatus {
    match get(v, "Active").and_then(Value::as_bool) {
        Some(false) => codat::RecordStatus::Archived,
        _ => codat::RecordStatus::Active,
    }
}

fn phone(v: &Value, key: &str) -> Option<String> {
    get(v, key).and_then(|p| text(p, "FreeFormNumber"))
}

/// QuickBooks `Customer` → Codat customer.
pub fn customer(v: &Value) -> Option<codat::Customer> {
    let addresses = addresses(v);
    let mut phones = Vec::new();
    if let Some(p) = phone(v, "PrimaryPhone") {
        phones.push(codat::PhoneNumber {
            number: Some(p),
            kind: codat::PhoneNumberType::Primary,
        });
    }
    if let Some(m) = phone(v, "Mobile") {
        phones.push(codat::PhoneNumber {
            number: Some(m),
            kind: codat::PhoneNumberType::Mobile,
        });
    }
    let email = get(v, "PrimaryEmailAddr").and_then(|e| text(e, "Address"));
    let contact_name = person(v);
    let contacts = (contact_name.is_some() || email.is_some()).then(|| {
        vec![codat::Contact {
            name: contact_name.clone(),
            email: email.clone(),
            phone: Some(phones),
            address: addresses.first().cloned(),
            status: codat::RecordStatus::Active,
            modified_date: None,
        }]
    });
    Some(codat::Customer {
        id: text(v, "Id")?,
        customer_name: text(v, "DisplayName").or_else(|| text(v, "CompanyName")),
        contact_name,
        email_address: email,
        default_currency: ref_id(v, "CurrencyRef"),
        phone: phone(v, "PrimaryPhone"),
        contacts,
        addresses: Some(addresses),
        registration_number: text(v, "BusinessNumber"),
        tax_number: text(v, "PrimaryTaxIdentifier"),
        status: active_status(v),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
}

/// QuickBooks `Vendor` → Codat supplier.
pub fn supplier(v: &Value) -> Option<codat::Supplier> {
    Some(codat::Supplier {
        id: text(v, "Id")?,
        supplier_name: text(v, "DisplayName").or_else(|| text(v, "CompanyName")),
        contact_name: person(v),
        email_address: get(v, "PrimaryEmailAddr").and_then(|e| text(e, "Address")),
        phone: phone(v, "PrimaryPhone"),
        addresses: Some(addresses(v)),
        registration_number: text(v, "BusinessNumber"),
        tax_number: text(v, "TaxIdentifier").or_else(|| text(v, "PrimaryTaxIdentifier")),
        status: active_status(v),
        default_currency: ref_id(v, "CurrencyRef"),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
}

/// Codat's `fullyQualifiedCategory` from QuickBooks' `AccountType` (our table; `PLATFORMS.md`
/// §4.3 leaves it open) and `AccountSubType`.
fn category(account_type: &str, sub_type: Option<&str>) -> String {
    let base = match account_type {
        "Bank" | "Accounts Receivable" | "Other Current Asset" => "Asset.Current",
        "Fixed Asset" => "Asset.Fixed",
        "Other Asset" => "Asset.NonCurrent",
        "Accounts Payable" | "Credit Card" | "Other Current Liability" => "Liability.Current",
        "Long Term Liability" => "Liability.NonCurrent",
        "Equity" => "Equity",
        "Income" => "Income.Revenue",
        "Other Income" => "Income.Other",
        "Cost of Goods Sold" => "Expense.CostOfSales",
        "Expense" => "Expense.Operating",
        "Other Expense" => "Expense.Other",
        _ => "Unknown",
    };
    match sub_type {
        Some(s) if !base.contains('.') => format!("{base}.{s}"),
        _ => base.to_string(),
    }
}

/// Whether an `Account` is a bank or card account.
pub fn is_bank(v: &Value) -> bool {
    matches!(str_of(v, "AccountType"), Some("Bank") | Some("Credit Card"))
}

/// QuickBooks `Account` → Codat account.
pub fn account(v: &Value, home: &str) -> Option<codat::Account> {
    let account_type = str_of(v, "AccountType").unwrap_or("");
    Some(codat::Account {
        id: text(v, "Id")?,
        nominal_code: text(v, "AcctNum"),
        name: text(v, "Name"),
        description: text(v, "Description"),
        fully_qualified_category: Some(category(account_type, str_of(v, "AccountSubType"))),
        fully_qualified_name: text(v, "FullyQualifiedName"),
        currency: Some(currency(v, home)),
        current_balance: money(v, "CurrentBalance"),
        kind: Some(match str_of(v, "Classification") {
            Some("Asset") => codat::AccountType::Asset,
            Some("Liability") => codat::AccountType::Liability,
            Some("Equity") => codat::AccountType::Equity,
            Some("Revenue") => codat::AccountType::Income,
            Some("Expense") => codat::AccountType::Expense,
            _ => codat::AccountType::Unknown,
        }),
        status: Some(match get(v, "Active").and_then(Value::as_bool) {
            Some(false) => codat::AccountStatus::Archived,
            _ => codat::AccountStatus::Active,
        }),
        is_bank_account: Some(is_bank(v)),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
}

/// QuickBooks `Account` of type Bank or Credit Card → Codat bank account.
pub fn bank_account(v: &Value, home: &str) -> Option<codat::BankAccount> {
    Some(codat::BankAccount {
        id: text(v, "Id")?,
        account_name: text(v, "Name"),
        account_type: Some(match str_of(v, "AccountType") {
            Some("Credit Card") => codat::BankAccountType::Credit,
            Some("Bank") => codat::BankAccountType::Debit,
            _ => codat::BankAccountType::Unknown,
        }),
        nominal_code: text(v, "AcctNum"),
        currency: Some(currency(v, home)),
        balance: money(v, "CurrentBalance"),
        status: Some(match get(v, "Active").and_then(Value::as_bool) {
            Some(false) => codat::AccountStatus::Archived,
            _ => codat::AccountStatus::Active,
        }),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
}

fn account_ref(v: &Value, key: &str) -> Option<codat::AccountRef> {
    get(v, key).and_then(|a| {
        Some(codat::AccountRef {
            id: Some(text(a, "value")?),
            name: text(a, "name"),
        })
    })
}

fn tax_ref(v: &Value, key: &str) -> Option<codat::TaxRateRef> {
    ref_id(v, key).map(|id| codat::TaxRateRef {
        id: Some(id),
        name: ref_name(v, key),
        effective_tax_rate: None,
    })
}

/// QuickBooks `Item` → Codat item.
pub fn item(v: &Value) -> Option<codat::Item> {
    let bought = get(v, "ExpenseAccountRef").is_some() || get(v, "PurchaseCost").is_some();
    let sold = get(v, "IncomeAccountRef").is_some();
    Some(codat::Item {
        id: text(v, "Id")?,
        name: text(v, "Name"),
        code: text(v, "Sku"),
        item_status: active_status(v),
        kind: match str_of(v, "Type") {
            Some("Inventory") => codat::ItemType::Inventory,
            Some("Service") => codat::ItemType::Service,
            Some("NonInventory") => codat::ItemType::NonInventory,
            _ => codat::ItemType::Unknown,
        },
        is_bill_item: bought,
        bill_item: bought.then(|| codat::ItemDetails {
            description: text(v, "PurchaseDesc"),
            unit_price: money(v, "PurchaseCost"),
            account_ref: account_ref(v, "ExpenseAccountRef"),
            tax_rate_ref: tax_ref(v, "PurchaseTaxCodeRef"),
        }),
        is_invoice_item: sold,
        invoice_item: sold.then(|| codat::ItemDetails {
            description: text(v, "Description"),
            unit_price: money(v, "UnitPrice"),
            account_ref: account_ref(v, "IncomeAccountRef"),
            tax_rate_ref: tax_ref(v, "SalesTaxCodeRef"),
        }),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
}

/// QuickBooks `TaxRate` → Codat tax rate (one component: the rate itself).
pub fn tax_rate(v: &Value) -> Option<codat::TaxRate> {
    let rate = money(v, "RateValue");
    Some(codat::TaxRate {
        id: text(v, "Id")?,
        name: text(v, "Name"),
        code: text(v, "Id"),
        status: Some(active_status(v)),
        effective_tax_rate: rate.clone(),
        total_tax_rate: rate.clone(),
        components: Some(vec![codat::TaxRateComponent {
            name: text(v, "Name"),
            rate,
            is_compound: false,
        }]),
        metadata: metadata(),
        ..Default::default()
    })
}

/// QuickBooks `Class` or `Department` → Codat tracking category.
pub fn tracking_category(v: &Value, department: bool) -> Option<codat::TrackingCategory> {
    let id_of = |id: &str| {
        if department {
            department_id(id)
        } else {
            class_id(id)
        }
    };
    Some(codat::TrackingCategory {
        id: id_of(&text(v, "Id")?),
        name: text(v, "Name"),
        status: Some(active_status(v)),
        parent_id: ref_id(v, "ParentRef").map(|p| id_of(&p)),
        has_children: None,
        metadata: metadata(),
        ..Default::default()
    })
}

/// QuickBooks `Transfer` → Codat transfer (one amount: QuickBooks keeps no arrival amount).
pub fn transfer(v: &Value, home: &str) -> Option<codat::Transfer> {
    let amount = money(v, "Amount")?;
    let side = |key: &str| codat::TransferAccount {
        currency: Some(currency(v, home)),
        account_ref: Some(codat::RecordRef {
            id: ref_id(v, key),
            data_type: Some("accounts".to_string()),
        }),
        amount: Some(amount.clone()),
    };
    Some(codat::Transfer {
        id: text(v, "Id")?,
        description: text(v, "PrivateNote"),
        date: date(v, "TxnDate"),
        from: Some(side("FromAccountRef")),
        to: Some(side("ToAccountRef")),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
}

/// QuickBooks `JournalEntry` → Codat journal entry (debits positive, credits negative).
pub fn journal_entry(v: &Value, home: &str) -> Option<codat::JournalEntry> {
    let modified = source_modified(v);
    let currency = currency(v, home);
    Some(codat::JournalEntry {
        id: text(v, "Id")?,
        description: text(v, "PrivateNote"),
        posted_on: date(v, "TxnDate"),
        created_on: at(v, &["MetaData", "CreateTime"])
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|d| CodatDateTime::from_utc(d.to_utc())),
        updated_on: modified.clone(),
        journal_lines: Some(
            items(v, "Line")
                .filter(|l| str_of(l, "DetailType") == Some("JournalEntryLineDetail"))
                .map(|line| {
                    let detail = get(line, "JournalEntryLineDetail").unwrap_or(&Value::Null);
                    let amount = decimal(line, "Amount").unwrap_or_default();
                    let credit = str_of(detail, "PostingType") == Some("Credit");
                    let mut refs = Vec::new();
                    if let Some(c) = ref_id(detail, "ClassRef") {
                        refs.push(codat::TrackingRecordRef {
                            id: Some(class_id(&c)),
                            data_type: Some(codat::TrackingRecordType::TrackingCategories),
                        });
                    }
                    if let Some(d) = ref_id(detail, "DepartmentRef") {
                        refs.push(codat::TrackingRecordRef {
                            id: Some(department_id(&d)),
                            data_type: Some(codat::TrackingRecordType::TrackingCategories),
                        });
                    }
                    let signed = Money::from(if credit { -amount } else { amount });
                    codat::JournalLine {
                        description: text(line, "Description"),
                        // Lines are in the entry's currency.
                        transaction_amount: Some(signed.clone()),
                        transaction_currency: Some(currency.clone()),
                        net_amount: signed,
                        currency: Some(currency.clone()),
                        account_ref: account_ref(detail, "AccountRef"),
                        tracking: (!refs.is_empty()).then_some(codat::JournalLineTracking {
                            record_refs: Some(refs),
                        }),
                        ..Default::default()
                    }
                })
                .collect(),
        ),
        record_ref: Some(codat::TransactionRecordRef {
            id: text(v, "Id"),
            data_type: Some(codat::TransactionRecordType::JournalEntries),
        }),
        metadata: metadata(),
        source_modified_date: modified,
        ..Default::default()
    })
}

/// QuickBooks `CompanyInfo` (and the home currency from `Preferences`) → Codat company info.
pub fn company(v: &Value, home: Option<String>, today: NaiveDate) -> Option<codat::CompanyInfo> {
    let fy_start = str_of(v, "FiscalYearStartMonth").and_then(|m| {
        let month = chrono::Month::try_from((1..=12u8).find(|n| {
            chrono::Month::try_from(*n).is_ok_and(|x| x.name().eq_ignore_ascii_case(m))
        })?)
        .ok()?
        .number_from_month();
        let this_year = NaiveDate::from_ymd_opt(today.year(), month, 1)?;
        if this_year <= today {
            Some(this_year)
        } else {
            NaiveDate::from_ymd_opt(today.year() - 1, month, 1)
        }
    });
    let name_value = |name: &str| {
        items(v, "NameValue")
            .find(|n| str_of(n, "Name") == Some(name))
            .and_then(|n| text(n, "Value"))
    };
    Some(codat::CompanyInfo {
        company_name: text(v, "CompanyName"),
        accounting_platform_ref: name_value("RealmId").or_else(|| text(v, "Id")),
        company_legal_name: text(v, "LegalName"),
        addresses: Some(
            get(v, "CompanyAddr")
                .map(|a| address(a, codat::AddressType::Billing))
                .into_iter()
                .collect(),
        ),
        phone_numbers: Some(
            phone(v, "PrimaryPhone")
                .map(|p| codat::PhoneNumber {
                    number: Some(p),
                    kind: codat::PhoneNumberType::Landline,
                })
                .into_iter()
                .collect(),
        ),
        web_links: Some(
            get(v, "WebAddr")
                .and_then(|w| text(w, "URI"))
                .map(|url| codat::WebLink {
                    kind: Some(codat::WebLinkType::Website),
                    url: Some(url),
                })
                .into_iter()
                .collect(),
        ),
        registration_number: name_value("CompanyRegistrationNumber"),
        tax_number: name_value("VATRegistrationNumber"),
        financial_year_start_date: fy_start.map(CodatDateTime::from_date),
        base_currency: home,
        created_date: at(v, &["MetaData", "CreateTime"])
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|d| CodatDateTime::from_utc(d.to_utc())),
        ..Default::default()
    })
}

fn col_value<'a>(row: &'a Value, key: &str, n: usize) -> Option<&'a Value> {
    get(row, key)
        .and_then(|c| get(c, "ColData"))
        .and_then(Value::as_array)
        .and_then(|c| c.get(n))
}

fn cell_money(cell: Option<&Value>) -> Option<Money> {
    let t = cell?.get("value")?.as_str()?.trim().replace(',', "");
    if t.is_empty() {
        return None;
    }
    Money::parse(&t).ok()
}

fn rows(v: &Value) -> Vec<&Value> {
    get(v, "Rows")
        .and_then(|r| get(r, "Row"))
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Every section of a report, nested ones included, by `group`.
fn find_group<'a>(rows: &[&'a Value], group: &str) -> Option<&'a Value> {
    for r in rows {
        if str_of(r, "group").is_some_and(|g| g.eq_ignore_ascii_case(group)) {
            return Some(r);
        }
        if let Some(found) = find_group(&self::rows(r), group) {
            return Some(found);
        }
    }
    None
}

fn report_line(section: &Value) -> codat::ReportLine {
    let mut lines = Vec::new();
    fn data<'a>(section: &'a Value, out: &mut Vec<&'a Value>) {
        for r in rows(section) {
            if str_of(r, "type") == Some("Data") || get(r, "ColData").is_some() {
                out.push(r);
            } else {
                data(r, out);
            }
        }
    }
    let mut leaves = Vec::new();
    data(section, &mut leaves);
    for r in leaves {
        let cols = get(r, "ColData").and_then(Value::as_array);
        let label = cols.and_then(|c| c.first());
        lines.push(codat::ReportLine {
            account_id: label.and_then(|l| text(l, "id")),
            name: label.and_then(|l| text(l, "value")),
            value: cell_money(cols.and_then(|c| c.get(1))).unwrap_or_else(Money::zero),
            items: None,
        });
    }
    let total = cell_money(col_value(section, "Summary", 1)).unwrap_or_else(|| {
        let sum: Decimal = lines.iter().filter_map(|l| l.value.to_decimal().ok()).sum();
        Money::from(sum)
    });
    codat::ReportLine {
        account_id: None,
        name: col_value(section, "Header", 0).and_then(|c| text(c, "value")),
        value: total,
        items: (!lines.is_empty()).then_some(lines),
    }
}

fn figure(rows: &[&Value], group: &str) -> Option<Money> {
    find_group(rows, group).and_then(|s| cell_money(col_value(s, "Summary", 1)))
}

/// Whether a report holds any rows.
pub fn report_has_rows(report: &Value) -> bool {
    !rows(report).is_empty()
}

/// QuickBooks' `BalanceSheet` report → one Codat balance sheet period.
pub fn balance_sheet(report: &Value, at: NaiveDate) -> codat::BalanceSheetPeriod {
    let r = rows(report);
    let line = |g: &str| find_group(&r, g).map(report_line);
    let assets = line("TotalAssets");
    let liabilities = line("Liabilities");
    let equity = line("Equity");
    let value = |l: &Option<codat::ReportLine>| {
        l.as_ref()
            .and_then(|l| l.value.to_decimal().ok())
            .unwrap_or_default()
    };
    let net = figure(&r, "NetAssets")
        .unwrap_or_else(|| Money::from(value(&assets) - value(&liabilities)));
    codat::BalanceSheetPeriod {
        date: Some(day(at)),
        assets,
        liabilities,
        net_assets: net,
        equity,
    }
}

/// QuickBooks' `ProfitAndLoss` report for one month → one Codat period.
pub fn profit_and_loss(
    report: &Value,
    from: NaiveDate,
    to: NaiveDate,
) -> codat::ProfitAndLossPeriod {
    let r = rows(report);
    let line = |g: &str| find_group(&r, g).map(report_line);
    let value = |l: &Option<codat::ReportLine>| {
        l.as_ref()
            .and_then(|l| l.value.to_decimal().ok())
            .unwrap_or_default()
    };
    let income = line("Income");
    let cost = line("COGS");
    let expenses = line("Expenses");
    let other_income = line("OtherIncome");
    let other_expenses = line("OtherExpenses");
    let gross =
        figure(&r, "GrossProfit").unwrap_or_else(|| Money::from(value(&income) - value(&cost)));
    let operating = figure(&r, "NetOperatingIncome")
        .unwrap_or_else(|| Money::from(value(&income) - value(&cost) - value(&expenses)));
    let net_other = figure(&r, "NetOtherIncome")
        .unwrap_or_else(|| Money::from(value(&other_income) - value(&other_expenses)));
    let net = figure(&r, "NetIncome").unwrap_or_else(|| {
        Money::from(
            value(&income) - value(&cost) - value(&expenses) + value(&other_income)
                - value(&other_expenses),
        )
    });
    codat::ProfitAndLossPeriod {
        from_date: Some(day(from)),
        to_date: Some(day(to)),
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
    use serde_json::json;

    #[test]
    fn invoice_status_is_derived_from_balance_total_and_voids() {
        let status = |v: Value| {
            let text = v.to_string();
            let t: crate::quickbooks::wire::Transaction<'_> =
                serde_json::from_str(&text).expect("transaction");
            invoice(&t, "GBP").map(|i| i.status)
        };
        let base = |total: f64, balance: f64| json!({"Id": "1", "TxnDate": "2024-01-02", "TotalAmt": total, "Balance": balance});
        assert_eq!(
            status(base(100.0, 100.0)),
            Some(codat::InvoiceStatus::Submitted)
        );
        assert_eq!(
            status(base(100.0, 40.0)),
            Some(codat::InvoiceStatus::PartiallyPaid)
        );
        assert_eq!(status(base(100.0, 0.0)), Some(codat::InvoiceStatus::Paid));
        let mut void = base(0.0, 0.0);
        void["PrivateNote"] = json!("Voided");
        assert_eq!(status(void), Some(codat::InvoiceStatus::Void));
    }

    #[test]
    fn xs_dates_are_read_as_chrono_reads_them() {
        for text in ["2015-07-24", "2024-02-29T00:00:00-07:00", "0001-01-01"] {
            assert_eq!(
                xs_date(text),
                NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").ok(),
                "{text}"
            );
        }
        for text in [
            "2023-02-29",
            "2015-7-24",
            "2015/07/24",
            "24-07-2015",
            "",
            "2015-07-2x",
        ] {
            assert_eq!(xs_date(text), None, "{text}");
        }
    }

    #[test]
    fn list_fields_are_read_case_insensitively() {
        let v = json!({"id": "7", "displayName": "Acme", "active": true});
        assert_eq!(customer(&v).map(|c| c.id), Some("7".into()));
    }
}
