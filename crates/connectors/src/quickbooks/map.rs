//! QuickBooks Online's entities in Codat's model (`PLATFORMS.md` §2.4 and §4). Every
//! function takes one entity as QuickBooks wrote it (`serde_json::Value`) and returns the
//! Codat type; what QuickBooks does not hold is left empty, never invented.
//!
//! QuickBooks has no document status: it is derived from `Balance`, `TotalAmt` and voids
//! (a voided transaction keeps its place with every amount zeroed and `Voided` in
//! `PrivateNote`). Ids are QuickBooks' own; tracking categories, which QuickBooks keeps in
//! two lists (`Class`, `Department`), are `class_<Id>` and `department_<Id>`.

use std::collections::HashMap;

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
    let d = NaiveDate::parse_from_str(str_of(v, key)?.get(..10)?, "%Y-%m-%d").ok()?;
    Some(day(d))
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

/// Whether QuickBooks voided the transaction: amounts zeroed, `Voided` in `PrivateNote`.
pub fn is_voided(v: &Value) -> bool {
    str_of(v, "PrivateNote").is_some_and(|n| n.starts_with("Voided"))
        && decimal(v, "TotalAmt").is_none_or(|t| t.is_zero())
}

/// A tracking category id for a class or department reference.
pub fn class_id(id: &str) -> String {
    format!("class_{id}")
}

/// See [`class_id`].
pub fn department_id(id: &str) -> String {
    format!("department_{id}")
}

/// Where a document stands: Open (nothing paid), PartiallyPaid, Paid, Void.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    PartiallyPaid,
    Paid,
    Void,
}

fn stage(v: &Value, balance_key: &str) -> Stage {
    if is_voided(v) {
        return Stage::Void;
    }
    let total = decimal(v, "TotalAmt").unwrap_or_default();
    let balance = decimal(v, balance_key).unwrap_or_default();
    if balance.is_zero() && !total.is_zero() {
        Stage::Paid
    } else if balance > Decimal::ZERO && balance < total {
        Stage::PartiallyPaid
    } else {
        Stage::Open
    }
}

/// The parts of a line every document shares.
struct LineCommon {
    description: Option<String>,
    quantity: Money,
    unit_amount: Money,
    sub_total: Money,
    account_ref: Option<codat::AccountRef>,
    tax_rate_ref: Option<codat::TaxRateRef>,
    item_ref: Option<codat::ItemRef>,
    tracking: Vec<codat::TrackingCategoryRef>,
}

/// Detail types that carry an amount of their own; subtotals, discounts and tax lines are
/// summaries of these.
const DETAIL_TYPES: &[&str] = &[
    "SalesItemLineDetail",
    "ItemBasedExpenseLineDetail",
    "AccountBasedExpenseLineDetail",
    "DescriptionOnly",
    "DepositLineDetail",
];

fn lines(v: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    items(v, "Line").filter_map(|line| {
        let kind = str_of(line, "DetailType")?;
        if !DETAIL_TYPES.contains(&kind) {
            return None;
        }
        Some((line, get(line, kind).unwrap_or(&Value::Null)))
    })
}

/// The lines of a sales document (invoice, credit memo) as Codat's line items, tracked to
/// the document's customer.
fn sales_lines(
    v: &Value,
    department: Option<&str>,
    customer: Option<&codat::CustomerRef>,
) -> Vec<codat::InvoiceLineItem> {
    lines(v)
        .map(|(line, detail)| {
            let c = line_common(line, detail, department);
            codat::InvoiceLineItem {
                description: c.description,
                unit_amount: c.unit_amount,
                quantity: c.quantity,
                sub_total: Some(c.sub_total),
                account_ref: c.account_ref,
                tax_rate_ref: c.tax_rate_ref,
                item_ref: c.item_ref,
                tracking_category_refs: Some(c.tracking.clone()),
                tracking: Some(codat::ReceivablesTracking {
                    category_refs: c.tracking,
                    customer_ref: customer.cloned(),
                    project_ref: None,
                    is_billed_to: codat::ReceivablesBilledTo::NotApplicable,
                    is_rebilled_to: codat::ReceivablesBilledTo::NotApplicable,
                    record_ref: None,
                }),
                is_direct_income: Some(false),
                ..Default::default()
            }
        })
        .collect()
}

fn line_common(line: &Value, detail: &Value, department: Option<&str>) -> LineCommon {
    let item_ref = get(detail, "ItemRef").and_then(|i| {
        Some(codat::ItemRef {
            id: text(i, "value")?,
            name: text(i, "name"),
        })
    });
    let account = get(detail, "ItemAccountRef").or_else(|| get(detail, "AccountRef"));
    let mut tracking: Vec<codat::TrackingCategoryRef> = get(detail, "ClassRef")
        .and_then(|c| {
            Some(codat::TrackingCategoryRef {
                id: class_id(&text(c, "value")?),
                name: text(c, "name"),
            })
        })
        .into_iter()
        .collect();
    if let Some(d) = department {
        tracking.push(codat::TrackingCategoryRef {
            id: department_id(d),
            name: None,
        });
    }
    LineCommon {
        description: text(line, "Description"),
        quantity: money(detail, "Qty").unwrap_or_else(|| Money::from(1)),
        unit_amount: money(detail, "UnitPrice").unwrap_or_else(|| money_or_zero(line, "Amount")),
        sub_total: money_or_zero(line, "Amount"),
        account_ref: account.and_then(|a| {
            Some(codat::AccountRef {
                id: Some(text(a, "value")?),
                name: text(a, "name"),
            })
        }),
        tax_rate_ref: ref_id(detail, "TaxCodeRef").map(|id| codat::TaxRateRef {
            id: Some(id),
            name: None,
            effective_tax_rate: None,
        }),
        item_ref,
        tracking,
    }
}

fn total_tax(v: &Value) -> Money {
    get(v, "TxnTaxDetail")
        .and_then(|t| money(t, "TotalTax"))
        .unwrap_or_else(Money::zero)
}

/// `TotalAmt − TotalTax`.
fn sub_total(v: &Value) -> Money {
    let total = decimal(v, "TotalAmt").unwrap_or_default();
    let tax = total_tax(v).to_decimal().unwrap_or_default();
    Money::from(total - tax)
}

fn total_discount(v: &Value) -> Option<Money> {
    let sum: Decimal = items(v, "Line")
        .filter(|l| str_of(l, "DetailType") == Some("DiscountLineDetail"))
        .filter_map(|l| decimal(l, "Amount"))
        .sum();
    Some(Money::from(sum))
}

fn department(v: &Value) -> Option<String> {
    ref_id(v, "DepartmentRef")
}

/// `LinkedTxn[]` of the given types, as (type, id).
fn linked<'a>(v: &'a Value, types: &'a [&'a str]) -> impl Iterator<Item = (&'a str, String)> + 'a {
    items(v, "LinkedTxn").filter_map(move |l| {
        let kind = str_of(l, "TxnType")?;
        types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(kind))
            .then(|| Some((kind, text(l, "TxnId")?)))
            .flatten()
    })
}

/// The ids of the transactions of `types` that `v`'s `LinkedTxn` names (digits and letters
/// only: they are spliced into a query).
pub fn linked_ids(v: &Value, types: &[&str]) -> Vec<String> {
    linked(v, types)
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect()
}

/// Completes a mapped invoice's or bill's `paymentAllocations` from the payments it links
/// (QuickBooks `Payment` or `BillPayment` records by id): the amount the payment's line that
/// links `document_id` applied (`Line.Amount`), the payment's date as the allocation's and
/// payment's date, and the payment's total, reference and bank account. An allocation whose
/// payment is not in `payments`, or does not link the document back, keeps its id only.
pub fn complete_allocations(
    allocations: &mut [codat::PaymentAllocation],
    document_id: &str,
    payments: &HashMap<String, Value>,
) {
    for a in allocations {
        let Some(p) = a.payment.id.as_deref().and_then(|id| payments.get(id)) else {
            continue;
        };
        let applied = items(p, "Line")
            .find(|line| items(line, "LinkedTxn").any(|l| str_of(l, "TxnId") == Some(document_id)))
            .and_then(|line| money(line, "Amount"));
        let Some(applied) = applied else {
            continue;
        };
        let on = date(p, "TxnDate");
        let account = account_ref(p, "DepositToAccountRef").or_else(|| {
            at(p, &["CheckPayment", "BankAccountRef"])
                .or_else(|| at(p, &["CreditCardPayment", "CCAccountRef"]))
                .and_then(|a| {
                    Some(codat::AccountRef {
                        id: Some(text(a, "value")?),
                        name: text(a, "name"),
                    })
                })
        });
        let reference = text(p, "PaymentRefNum").or_else(|| text(p, "DocNumber"));
        if on.is_some() {
            a.payment.paid_on_date.clone_from(&on);
            a.allocation.allocated_on_date = on;
        }
        if let Some(total) = money(p, "TotalAmt") {
            a.payment.total_amount = Some(total);
        }
        if reference.is_some() {
            a.payment.reference = reference;
        }
        if account.is_some() {
            a.payment.account_ref = account;
        }
        a.allocation.total_amount = Some(applied);
    }
}

fn allocations(
    v: &Value,
    types: &[&str],
    currency: &str,
    note: &str,
) -> Vec<codat::PaymentAllocation> {
    linked(v, types)
        .map(|(kind, id)| codat::PaymentAllocation {
            payment: codat::AllocatedPayment {
                id: Some(id),
                note: Some(format!("{note} {kind}")),
                reference: None,
                account_ref: None,
                currency: Some(currency.to_string()),
                currency_rate: rate(v),
                paid_on_date: None,
                total_amount: None,
            },
            allocation: codat::Allocation {
                currency: Some(currency.to_string()),
                currency_rate: Some(Money::from(1)),
                allocated_on_date: None,
                total_amount: None,
            },
        })
        .collect()
}

/// QuickBooks `Invoice` → Codat invoice.
pub fn invoice(v: &Value, home: &str) -> Option<codat::Invoice> {
    let currency = currency(v, home);
    let customer = ref_id(v, "CustomerRef").map(|id| codat::CustomerRef {
        id,
        company_name: ref_name(v, "CustomerRef"),
    });
    let dep = department(v);
    let st = stage(v, "Balance");
    Some(codat::Invoice {
        id: text(v, "Id")?,
        invoice_number: text(v, "DocNumber"),
        line_items: Some(sales_lines(v, dep.as_deref(), customer.as_ref())),
        customer_ref: customer,
        issue_date: date(v, "TxnDate")?,
        due_date: date(v, "DueDate"),
        paid_on_date: None,
        payment_allocations: Some(allocations(
            v,
            &["Payment", "CreditMemo"],
            &currency,
            "Settled by",
        )),
        currency_rate: rate(v),
        currency: Some(currency),
        total_discount: total_discount(v),
        sub_total: Some(sub_total(v)),
        total_tax_amount: total_tax(v),
        total_amount: money_or_zero(v, "TotalAmt"),
        amount_due: money_or_zero(v, "Balance"),
        status: match st {
            Stage::Open => codat::InvoiceStatus::Submitted,
            Stage::PartiallyPaid => codat::InvoiceStatus::PartiallyPaid,
            Stage::Paid => codat::InvoiceStatus::Paid,
            Stage::Void => codat::InvoiceStatus::Void,
        },
        note: get(v, "CustomerMemo").and_then(|m| text(m, "value")),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        sales_order_refs: None,
        withholding_tax: None,
        additional_tax_amount: None,
        additional_tax_percentage: None,
        discount_percentage: None,
        supplemental_data: None,
        modified_date: None,
    })
}

/// A bill's or vendor credit's note: `PrivateNote` without the void marker.
fn private_note(v: &Value) -> Option<String> {
    let note = str_of(v, "PrivateNote")?;
    let note = if is_voided(v) {
        note.trim_start_matches("Voided").trim_start_matches(" - ")
    } else {
        note
    };
    (!note.is_empty()).then(|| note.to_string())
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

/// QuickBooks `Bill` → Codat bill.
pub fn bill(v: &Value, home: &str) -> Option<codat::Bill> {
    let currency = currency(v, home);
    let dep = department(v);
    Some(codat::Bill {
        id: text(v, "Id")?,
        reference: text(v, "DocNumber"),
        supplier_ref: ref_id(v, "VendorRef").map(|id| codat::SupplierRef {
            id,
            supplier_name: ref_name(v, "VendorRef"),
        }),
        issue_date: date(v, "TxnDate")?,
        due_date: date(v, "DueDate"),
        currency_rate: rate(v),
        line_items: Some(
            lines(v)
                .enumerate()
                .map(|(n, (line, detail))| {
                    let c = line_common(line, detail, dep.as_deref());
                    codat::BillLineItem {
                        line_number: Some((n + 1).to_string()),
                        description: c.description,
                        unit_amount: Some(c.unit_amount),
                        quantity: Some(c.quantity),
                        sub_total: Some(c.sub_total),
                        account_ref: c.account_ref,
                        tax_rate_ref: c.tax_rate_ref,
                        item_ref: c.item_ref,
                        tracking_category_refs: Some(c.tracking.clone()),
                        tracking: Some(payables_tracking(c.tracking)),
                        is_direct_cost: Some(false),
                        ..Default::default()
                    }
                })
                .collect(),
        ),
        status: match stage(v, "Balance") {
            Stage::Open => codat::BillStatus::Open,
            Stage::PartiallyPaid => codat::BillStatus::PartiallyPaid,
            Stage::Paid => codat::BillStatus::Paid,
            Stage::Void => codat::BillStatus::Void,
        },
        sub_total: sub_total(v),
        tax_amount: total_tax(v),
        total_amount: money_or_zero(v, "TotalAmt"),
        amount_due: money(v, "Balance"),
        note: private_note(v),
        payment_allocations: Some(allocations(
            v,
            &[
                "BillPaymentCheck",
                "BillPaymentCreditCard",
                "BillPayment",
                "VendorCredit",
            ],
            &currency,
            "Settled by",
        )),
        currency: Some(currency),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        purchase_order_refs: None,
        withholding_tax: None,
        supplemental_data: None,
        modified_date: None,
    })
}

fn credit_status(v: &Value, balance_key: &str) -> codat::CreditNoteStatus {
    match stage(v, balance_key) {
        Stage::Open => codat::CreditNoteStatus::Submitted,
        Stage::PartiallyPaid => codat::CreditNoteStatus::PartiallyPaid,
        Stage::Paid => codat::CreditNoteStatus::Paid,
        Stage::Void => codat::CreditNoteStatus::Void,
    }
}

/// QuickBooks `CreditMemo` → Codat credit note.
pub fn credit_note(v: &Value, home: &str) -> Option<codat::CreditNote> {
    let currency = currency(v, home);
    let customer = ref_id(v, "CustomerRef").map(|id| codat::CustomerRef {
        id,
        company_name: ref_name(v, "CustomerRef"),
    });
    let dep = department(v);
    let remaining_key = if get(v, "RemainingCredit").is_some() {
        "RemainingCredit"
    } else {
        "Balance"
    };
    Some(codat::CreditNote {
        id: text(v, "Id")?,
        credit_note_number: text(v, "DocNumber"),
        line_items: Some(sales_lines(v, dep.as_deref(), customer.as_ref())),
        customer_ref: customer,
        total_amount: money_or_zero(v, "TotalAmt"),
        total_discount: total_discount(v).unwrap_or_else(Money::zero),
        sub_total: sub_total(v),
        total_tax_amount: total_tax(v),
        discount_percentage: Money::from(0),
        remaining_credit: money_or_zero(v, remaining_key),
        status: credit_status(v, remaining_key),
        issue_date: date(v, "TxnDate"),
        currency_rate: rate(v),
        payment_allocations: Some(allocations(v, &["Invoice"], &currency, "Applied to")),
        currency: Some(currency),
        note: get(v, "CustomerMemo").and_then(|m| text(m, "value")),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
}

/// QuickBooks `VendorCredit` → Codat bill credit note.
pub fn bill_credit_note(v: &Value, home: &str) -> Option<codat::BillCreditNote> {
    let currency = currency(v, home);
    let dep = department(v);
    Some(codat::BillCreditNote {
        id: text(v, "Id")?,
        bill_credit_note_number: text(v, "DocNumber"),
        supplier_ref: ref_id(v, "VendorRef").map(|id| codat::SupplierRef {
            id,
            supplier_name: ref_name(v, "VendorRef"),
        }),
        total_amount: money_or_zero(v, "TotalAmt"),
        total_discount: Money::zero(),
        sub_total: sub_total(v),
        total_tax_amount: total_tax(v),
        discount_percentage: Money::from(0),
        remaining_credit: money(v, "Balance"),
        status: credit_status(v, "Balance"),
        issue_date: date(v, "TxnDate"),
        currency_rate: rate(v),
        line_items: Some(
            lines(v)
                .map(|(line, detail)| {
                    let c = line_common(line, detail, dep.as_deref());
                    codat::BillCreditNoteLineItem {
                        description: c.description,
                        unit_amount: c.unit_amount,
                        quantity: c.quantity,
                        sub_total: Some(c.sub_total),
                        account_ref: c.account_ref,
                        tax_rate_ref: c.tax_rate_ref,
                        item_ref: c.item_ref,
                        tracking_category_refs: Some(c.tracking.clone()),
                        tracking: Some(payables_tracking(c.tracking)),
                        ..Default::default()
                    }
                })
                .collect(),
        ),
        payment_allocations: Some(allocations(v, &["Bill"], &currency, "Applied to")),
        currency: Some(currency),
        note: private_note(v),
        metadata: metadata(),
        source_modified_date: source_modified(v),
        ..Default::default()
    })
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

fn expense_lines(v: &Value) -> Vec<codat::DirectCostLineItem> {
    let dep = department(v);
    lines(v)
        .map(|(line, detail)| {
            let c = line_common(line, detail, dep.as_deref());
            codat::DirectCostLineItem {
                description: c.description,
                unit_amount: c.unit_amount,
                quantity: c.quantity,
                sub_total: Some(c.sub_total),
                account_ref: c.account_ref,
                tax_rate_ref: c.tax_rate_ref,
                item_ref: c.item_ref,
                tracking_category_refs: Some(c.tracking),
                ..Default::default()
            }
        })
        .collect()
}

fn payment_allocation(v: &Value, currency: &str, account_key: &str) -> codat::PaymentAllocation {
    codat::PaymentAllocation {
        payment: codat::AllocatedPayment {
            id: text(v, "Id"),
            note: None,
            reference: text(v, "DocNumber"),
            account_ref: account_ref(v, account_key),
            currency: Some(currency.to_string()),
            currency_rate: rate(v),
            paid_on_date: date(v, "TxnDate"),
            total_amount: money(v, "TotalAmt"),
        },
        allocation: codat::Allocation {
            currency: Some(currency.to_string()),
            currency_rate: Some(Money::from(1)),
            allocated_on_date: date(v, "TxnDate"),
            total_amount: money(v, "TotalAmt"),
        },
    }
}

/// Whether a bank `Deposit` records income rather than banking payments already received:
/// no line links another transaction (a linked line moves a `Payment` or `SalesReceipt` out
/// of Undeposited Funds, which is read as that record).
pub fn is_income_deposit(v: &Value) -> bool {
    !items(v, "Line").any(|line| items(line, "LinkedTxn").next().is_some())
}

/// Who a deposit came from: its first line's `DepositLineDetail.Entity`.
fn deposit_entity(v: &Value) -> Option<codat::ContactRef> {
    let e = items(v, "Line")
        .filter_map(|line| get(line, "DepositLineDetail"))
        .find_map(|d| get(d, "Entity"))?;
    Some(codat::ContactRef {
        id: text(e, "value")?,
        data_type: Some(match str_of(e, "type") {
            Some("Customer") => codat::ContactType::Customers,
            Some("Vendor") => codat::ContactType::Suppliers,
            _ => codat::ContactType::Unknown,
        }),
    })
}

/// QuickBooks `SalesReceipt`, or an income `Deposit` (lines of `DepositLineDetail` straight to
/// accounts), → Codat direct income.
pub fn direct_income(v: &Value, home: &str) -> Option<codat::DirectIncome> {
    let currency = currency(v, home);
    let dep = department(v);
    Some(codat::DirectIncome {
        id: text(v, "Id")?,
        reference: text(v, "DocNumber"),
        note: text(v, "PrivateNote"),
        contact_ref: ref_id(v, "CustomerRef")
            .map(|id| codat::ContactRef {
                id,
                data_type: Some(codat::ContactType::Customers),
            })
            .or_else(|| deposit_entity(v)),
        issue_date: date(v, "TxnDate")?,
        currency_rate: rate(v),
        line_items: lines(v)
            .map(|(line, detail)| {
                let c = line_common(line, detail, dep.as_deref());
                codat::DirectIncomeLineItem {
                    description: c.description,
                    unit_amount: c.unit_amount,
                    quantity: c.quantity,
                    sub_total: Some(c.sub_total),
                    account_ref: c.account_ref,
                    tax_rate_ref: c.tax_rate_ref,
                    item_ref: c.item_ref,
                    tracking_category_refs: Some(c.tracking),
                    ..Default::default()
                }
            })
            .collect(),
        payment_allocations: vec![payment_allocation(v, &currency, "DepositToAccountRef")],
        sub_total: sub_total(v),
        tax_amount: total_tax(v),
        total_amount: money_or_zero(v, "TotalAmt"),
        currency,
        metadata: metadata(),
        supplemental_data: None,
        modified_date: None,
        source_modified_date: source_modified(v),
    })
}

/// QuickBooks `Purchase` → Codat direct cost.
pub fn direct_cost(v: &Value, home: &str) -> Option<codat::DirectCost> {
    let currency = currency(v, home);
    let contact = get(v, "EntityRef").and_then(|e| {
        Some(codat::ContactRef {
            id: text(e, "value")?,
            data_type: Some(match str_of(e, "type") {
                Some("Customer") => codat::ContactType::Customers,
                Some("Vendor") => codat::ContactType::Suppliers,
                _ => codat::ContactType::Unknown,
            }),
        })
    });
    Some(codat::DirectCost {
        id: text(v, "Id")?,
        reference: text(v, "DocNumber"),
        note: text(v, "PrivateNote"),
        contact_ref: contact,
        issue_date: date(v, "TxnDate")?,
        currency_rate: rate(v),
        line_items: expense_lines(v),
        payment_allocations: vec![payment_allocation(v, &currency, "AccountRef")],
        sub_total: sub_total(v),
        tax_amount: total_tax(v),
        total_amount: money_or_zero(v, "TotalAmt"),
        currency,
        supplemental_data: None,
        metadata: metadata(),
        modified_date: None,
        source_modified_date: source_modified(v),
    })
}

/// QuickBooks `PurchaseOrder` → Codat purchase order.
pub fn purchase_order(v: &Value, home: &str) -> Option<codat::PurchaseOrder> {
    let dep = department(v);
    Some(codat::PurchaseOrder {
        id: text(v, "Id")?,
        purchase_order_number: text(v, "DocNumber"),
        issue_date: date(v, "TxnDate"),
        expected_delivery_date: date(v, "DueDate"),
        note: text(v, "Memo"),
        ship_to: get(v, "ShipAddr").map(|a| codat::ShipTo {
            contact: None,
            address: Some(address(a, codat::AddressType::Delivery)),
        }),
        supplier_ref: ref_id(v, "VendorRef").map(|id| codat::SupplierRef {
            id,
            supplier_name: ref_name(v, "VendorRef"),
        }),
        status: Some(match str_of(v, "POStatus") {
            Some("Open") => codat::OrderStatus::Open,
            Some("Closed") => codat::OrderStatus::Closed,
            _ => codat::OrderStatus::Unknown,
        }),
        currency: Some(currency(v, home)),
        currency_rate: rate(v),
        line_items: Some(
            lines(v)
                .map(|(line, detail)| {
                    let c = line_common(line, detail, dep.as_deref());
                    codat::PurchaseOrderLineItem {
                        description: c.description,
                        account_ref: c.account_ref,
                        item_ref: c.item_ref,
                        tracking_category_refs: Some(c.tracking),
                        unit_amount: Some(c.unit_amount),
                        quantity: Some(c.quantity),
                        discount_amount: None,
                        discount_percentage: None,
                        sub_total: Some(c.sub_total),
                        tax_amount: None,
                        tax_rate_ref: c.tax_rate_ref,
                        total_amount: None,
                    }
                })
                .collect(),
        ),
        sub_total: Some(sub_total(v)),
        total_tax_amount: Some(total_tax(v)),
        total_amount: money(v, "TotalAmt"),
        metadata: metadata(),
        source_modified_date: source_modified(v),
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
        let status = |v: Value| invoice(&v, "GBP").map(|i| i.status);
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
    fn fields_are_read_case_insensitively() {
        let v = json!({"id": "7", "txnDate": "2024-01-02", "totalAmt": 5, "balance": 5});
        assert_eq!(invoice(&v, "GBP").map(|i| i.id), Some("7".into()));
    }
}
