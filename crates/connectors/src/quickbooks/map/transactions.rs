//! QuickBooks' transactions in Codat's model, from the typed records of
//! [`crate::quickbooks::wire`]: invoices, bills, credit memos (creditNotes), vendor credits
//! (billCreditNotes), purchase orders, sales receipts and income deposits (directIncomes),
//! purchases (directCosts).

use chrono::{DateTime, NaiveDateTime};
use ledgerbridge_domain::accounting as codat;
use ledgerbridge_domain::accounting::{CodatDateTime, Money};
use rust_decimal::Decimal;

use super::{address, class_id, day, department_id, metadata, xs_date};
use crate::quickbooks::wire::{LineDetail, LinkedTxn, Payment, Ref, Transaction};
use crate::wire::{Amount, DateText, owned, some};

/// An `xs:date` (`2015-07-24`) as Codat's business date.
pub(crate) fn date(d: &DateText<'_>) -> Option<CodatDateTime> {
    Some(day(xs_date(d.0?)?))
}

fn decimal(a: &Amount) -> Option<Decimal> {
    a.0.as_ref()?.to_decimal().ok()
}

fn money_or_zero(a: &Amount) -> Money {
    a.money().unwrap_or_else(Money::zero)
}

/// `ReferenceType.value`.
fn ref_id(r: &Option<Ref<'_>>) -> Option<String> {
    r.as_ref().and_then(|r| owned(&r.value))
}

fn ref_name(r: &Option<Ref<'_>>) -> Option<String> {
    r.as_ref().and_then(|r| owned(&r.name))
}

/// A reference to an account, when it names one.
pub(crate) fn account_ref(r: Option<&Ref<'_>>) -> Option<codat::AccountRef> {
    r.and_then(|a| {
        Some(codat::AccountRef {
            id: Some(owned(&a.value)?),
            name: owned(&a.name),
        })
    })
}

/// `MetaData.LastUpdatedTime` (`2015-07-24T10:33:39-07:00`) as an instant.
pub fn last_updated(t: &Transaction<'_>) -> Option<NaiveDateTime> {
    let text = t.meta_data.as_ref()?.last_updated_time.0?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.naive_utc())
}

fn source_modified(t: &Transaction<'_>) -> Option<CodatDateTime> {
    last_updated(t).map(|d| CodatDateTime::from_utc(d.and_utc()))
}

/// Whether change data capture reports the transaction deleted.
pub fn is_deleted(t: &Transaction<'_>) -> bool {
    some(&t.status).is_some_and(|s| s.eq_ignore_ascii_case("Deleted"))
}

/// Whether the transaction lacks a currency of its own (the home currency is then its own).
pub fn lacks_currency(t: &Transaction<'_>) -> bool {
    t.currency_ref.is_none()
}

fn currency(t: &Transaction<'_>, home: &str) -> String {
    ref_id(&t.currency_ref).unwrap_or_else(|| home.to_string())
}

/// `ExchangeRate`: home-currency units per foreign unit, Codat's direction already.
fn rate(t: &Transaction<'_>) -> Option<Money> {
    t.exchange_rate.money().filter(|m| !m.is_zero())
}

/// Whether QuickBooks voided the transaction: amounts zeroed, `Voided` in `PrivateNote`.
fn is_voided(t: &Transaction<'_>) -> bool {
    some(&t.private_note).is_some_and(|n| n.starts_with("Voided"))
        && decimal(&t.total_amt).is_none_or(|x| x.is_zero())
}

/// Where a document stands: Open (nothing paid), PartiallyPaid, Paid, Void.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    PartiallyPaid,
    Paid,
    Void,
}

/// The stage, `balance` being what is still owed (`Balance`, `RemainingCredit`).
fn stage(t: &Transaction<'_>, balance: &Amount) -> Stage {
    if is_voided(t) {
        return Stage::Void;
    }
    let total = decimal(&t.total_amt).unwrap_or_default();
    let balance = decimal(balance).unwrap_or_default();
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

/// The lines with an amount of their own, each with its common parts (tracked to the
/// transaction's department too).
fn lines<'t>(t: &'t Transaction<'_>) -> impl Iterator<Item = LineCommon> + 't {
    let department = ref_id(&t.department_ref);
    t.line.iter().filter_map(move |line| {
        let detail = line.detail()?;
        Some(line_common(
            owned(&line.description),
            &line.amount,
            detail,
            department.as_deref(),
        ))
    })
}

fn line_common(
    description: Option<String>,
    amount: &Amount,
    detail: &LineDetail<'_>,
    department: Option<&str>,
) -> LineCommon {
    let item_ref = detail.item_ref.as_ref().and_then(|i| {
        Some(codat::ItemRef {
            id: owned(&i.value)?,
            name: owned(&i.name),
        })
    });
    let account = detail
        .item_account_ref
        .as_ref()
        .or(detail.account_ref.as_ref());
    let mut tracking: Vec<codat::TrackingCategoryRef> = detail
        .class_ref
        .as_ref()
        .and_then(|c| {
            Some(codat::TrackingCategoryRef {
                id: class_id(some(&c.value)?),
                name: owned(&c.name),
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
        description,
        quantity: detail.qty.money().unwrap_or_else(|| Money::from(1)),
        unit_amount: detail
            .unit_price
            .money()
            .unwrap_or_else(|| money_or_zero(amount)),
        sub_total: money_or_zero(amount),
        account_ref: account_ref(account),
        tax_rate_ref: ref_id(&detail.tax_code_ref).map(|id| codat::TaxRateRef {
            id: Some(id),
            name: None,
            effective_tax_rate: None,
        }),
        item_ref,
        tracking,
    }
}

/// The lines of a sales document (invoice, credit memo) as Codat's line items, tracked to
/// the document's customer.
fn sales_lines(
    t: &Transaction<'_>,
    customer: Option<&codat::CustomerRef>,
) -> Vec<codat::InvoiceLineItem> {
    lines(t)
        .map(|c| codat::InvoiceLineItem {
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
        })
        .collect()
}

fn total_tax(t: &Transaction<'_>) -> Money {
    t.txn_tax_detail
        .as_ref()
        .and_then(|d| d.total_tax.money())
        .unwrap_or_else(Money::zero)
}

/// `TotalAmt − TotalTax`.
fn sub_total(t: &Transaction<'_>) -> Money {
    let total = decimal(&t.total_amt).unwrap_or_default();
    let tax = total_tax(t).to_decimal().unwrap_or_default();
    Money::from(total - tax)
}

fn total_discount(t: &Transaction<'_>) -> Money {
    let sum: Decimal = t
        .line
        .iter()
        .filter(|l| some(&l.detail_type) == Some("DiscountLineDetail"))
        .filter_map(|l| decimal(&l.amount))
        .sum();
    Money::from(sum)
}

/// `LinkedTxn[]` of the given types, as (type, id).
fn linked<'t>(
    links: &'t [LinkedTxn<'_>],
    types: &'t [&'t str],
) -> impl Iterator<Item = (&'t str, &'t str)> + 't {
    links.iter().filter_map(move |l| {
        let kind = some(&l.txn_type)?;
        types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(kind))
            .then(|| Some((kind, some(&l.txn_id)?)))
            .flatten()
    })
}

/// The ids of the transactions of `types` that `t`'s `LinkedTxn` names (digits and letters
/// only: they are spliced into a query).
pub fn linked_ids<'t>(
    t: &'t Transaction<'_>,
    types: &'t [&'t str],
) -> impl Iterator<Item = &'t str> {
    linked(&t.linked_txn, types)
        .map(|(_, id)| id)
        .filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn allocations(
    t: &Transaction<'_>,
    types: &[&str],
    currency: &str,
    note: &str,
) -> Vec<codat::PaymentAllocation> {
    linked(&t.linked_txn, types)
        .map(|(kind, id)| codat::PaymentAllocation {
            payment: codat::AllocatedPayment {
                id: Some(id.to_string()),
                note: Some(format!("{note} {kind}")),
                reference: None,
                account_ref: None,
                currency: Some(currency.to_string()),
                currency_rate: rate(t),
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

/// QuickBooks `Invoice` → Codat invoice (allocations carry the linked payments' ids; see
/// [`PaymentLookup`] for the rest).
pub fn invoice(t: &Transaction<'_>, home: &str) -> Option<codat::Invoice> {
    let currency = currency(t, home);
    let customer = ref_id(&t.customer_ref).map(|id| codat::CustomerRef {
        id,
        company_name: ref_name(&t.customer_ref),
    });
    let st = stage(t, &t.balance);
    Some(codat::Invoice {
        id: owned(&t.id)?,
        invoice_number: owned(&t.doc_number),
        line_items: Some(sales_lines(t, customer.as_ref())),
        customer_ref: customer,
        issue_date: date(&t.txn_date)?,
        due_date: date(&t.due_date),
        paid_on_date: None,
        payment_allocations: Some(allocations(
            t,
            &["Payment", "CreditMemo"],
            &currency,
            "Settled by",
        )),
        currency_rate: rate(t),
        currency: Some(currency),
        total_discount: Some(total_discount(t)),
        sub_total: Some(sub_total(t)),
        total_tax_amount: total_tax(t),
        total_amount: money_or_zero(&t.total_amt),
        amount_due: money_or_zero(&t.balance),
        status: match st {
            Stage::Open => codat::InvoiceStatus::Submitted,
            Stage::PartiallyPaid => codat::InvoiceStatus::PartiallyPaid,
            Stage::Paid => codat::InvoiceStatus::Paid,
            Stage::Void => codat::InvoiceStatus::Void,
        },
        note: t.customer_memo.as_ref().and_then(|m| owned(&m.value)),
        metadata: metadata(),
        source_modified_date: source_modified(t),
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
fn private_note(t: &Transaction<'_>) -> Option<String> {
    let note = some(&t.private_note)?;
    let note = if is_voided(t) {
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
pub fn bill(t: &Transaction<'_>, home: &str) -> Option<codat::Bill> {
    let currency = currency(t, home);
    Some(codat::Bill {
        id: owned(&t.id)?,
        reference: owned(&t.doc_number),
        supplier_ref: ref_id(&t.vendor_ref).map(|id| codat::SupplierRef {
            id,
            supplier_name: ref_name(&t.vendor_ref),
        }),
        issue_date: date(&t.txn_date)?,
        due_date: date(&t.due_date),
        currency_rate: rate(t),
        line_items: Some(
            lines(t)
                .enumerate()
                .map(|(n, c)| codat::BillLineItem {
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
                })
                .collect(),
        ),
        status: match stage(t, &t.balance) {
            Stage::Open => codat::BillStatus::Open,
            Stage::PartiallyPaid => codat::BillStatus::PartiallyPaid,
            Stage::Paid => codat::BillStatus::Paid,
            Stage::Void => codat::BillStatus::Void,
        },
        sub_total: sub_total(t),
        tax_amount: total_tax(t),
        total_amount: money_or_zero(&t.total_amt),
        amount_due: t.balance.money(),
        note: private_note(t),
        payment_allocations: Some(allocations(
            t,
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
        source_modified_date: source_modified(t),
        purchase_order_refs: None,
        withholding_tax: None,
        supplemental_data: None,
        modified_date: None,
    })
}

fn credit_status(t: &Transaction<'_>, balance: &Amount) -> codat::CreditNoteStatus {
    match stage(t, balance) {
        Stage::Open => codat::CreditNoteStatus::Submitted,
        Stage::PartiallyPaid => codat::CreditNoteStatus::PartiallyPaid,
        Stage::Paid => codat::CreditNoteStatus::Paid,
        Stage::Void => codat::CreditNoteStatus::Void,
    }
}

/// QuickBooks `CreditMemo` → Codat credit note.
pub fn credit_note(t: &Transaction<'_>, home: &str) -> Option<codat::CreditNote> {
    let currency = currency(t, home);
    let customer = ref_id(&t.customer_ref).map(|id| codat::CustomerRef {
        id,
        company_name: ref_name(&t.customer_ref),
    });
    let remaining = if t.remaining_credit.0.is_some() {
        &t.remaining_credit
    } else {
        &t.balance
    };
    Some(codat::CreditNote {
        id: owned(&t.id)?,
        credit_note_number: owned(&t.doc_number),
        line_items: Some(sales_lines(t, customer.as_ref())),
        customer_ref: customer,
        total_amount: money_or_zero(&t.total_amt),
        total_discount: total_discount(t),
        sub_total: sub_total(t),
        total_tax_amount: total_tax(t),
        discount_percentage: Money::from(0),
        remaining_credit: money_or_zero(remaining),
        status: credit_status(t, remaining),
        issue_date: date(&t.txn_date),
        currency_rate: rate(t),
        payment_allocations: Some(allocations(t, &["Invoice"], &currency, "Applied to")),
        currency: Some(currency),
        note: t.customer_memo.as_ref().and_then(|m| owned(&m.value)),
        metadata: metadata(),
        source_modified_date: source_modified(t),
        ..Default::default()
    })
}

/// QuickBooks `VendorCredit` → Codat bill credit note.
pub fn bill_credit_note(t: &Transaction<'_>, home: &str) -> Option<codat::BillCreditNote> {
    let currency = currency(t, home);
    Some(codat::BillCreditNote {
        id: owned(&t.id)?,
        bill_credit_note_number: owned(&t.doc_number),
        supplier_ref: ref_id(&t.vendor_ref).map(|id| codat::SupplierRef {
            id,
            supplier_name: ref_name(&t.vendor_ref),
        }),
        total_amount: money_or_zero(&t.total_amt),
        total_discount: Money::zero(),
        sub_total: sub_total(t),
        total_tax_amount: total_tax(t),
        discount_percentage: Money::from(0),
        remaining_credit: t.balance.money(),
        status: credit_status(t, &t.balance),
        issue_date: date(&t.txn_date),
        currency_rate: rate(t),
        line_items: Some(
            lines(t)
                .map(|c| codat::BillCreditNoteLineItem {
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
                })
                .collect(),
        ),
        payment_allocations: Some(allocations(t, &["Bill"], &currency, "Applied to")),
        currency: Some(currency),
        note: private_note(t),
        metadata: metadata(),
        source_modified_date: source_modified(t),
        ..Default::default()
    })
}

/// A sales receipt's, deposit's or purchase's own payment, into `account`.
fn payment_allocation(
    t: &Transaction<'_>,
    currency: &str,
    account: Option<&Ref<'_>>,
) -> codat::PaymentAllocation {
    codat::PaymentAllocation {
        payment: codat::AllocatedPayment {
            id: owned(&t.id),
            note: None,
            reference: owned(&t.doc_number),
            account_ref: account_ref(account),
            currency: Some(currency.to_string()),
            currency_rate: rate(t),
            paid_on_date: date(&t.txn_date),
            total_amount: t.total_amt.money(),
        },
        allocation: codat::Allocation {
            currency: Some(currency.to_string()),
            currency_rate: Some(Money::from(1)),
            allocated_on_date: date(&t.txn_date),
            total_amount: t.total_amt.money(),
        },
    }
}

/// Whether a bank `Deposit` records income rather than banking payments already received:
/// no line links another transaction (a linked line moves a `Payment` or `SalesReceipt` out
/// of Undeposited Funds, which is read as that record).
pub fn is_income_deposit(t: &Transaction<'_>) -> bool {
    !t.line.iter().any(|line| !line.linked_txn.is_empty())
}

fn contact_type(r: &Ref<'_>) -> codat::ContactType {
    match some(&r.kind) {
        Some("Customer") => codat::ContactType::Customers,
        Some("Vendor") => codat::ContactType::Suppliers,
        _ => codat::ContactType::Unknown,
    }
}

/// Who a deposit came from: its first line's `DepositLineDetail.Entity`.
fn deposit_entity(t: &Transaction<'_>) -> Option<codat::ContactRef> {
    let e = t
        .line
        .iter()
        .filter_map(|line| line.deposit_detail())
        .find_map(|d| d.entity.as_ref())?;
    Some(codat::ContactRef {
        id: owned(&e.value)?,
        data_type: Some(contact_type(e)),
    })
}

/// QuickBooks `SalesReceipt`, or an income `Deposit` (lines of `DepositLineDetail` straight to
/// accounts), → Codat direct income.
pub fn direct_income(t: &Transaction<'_>, home: &str) -> Option<codat::DirectIncome> {
    let currency = currency(t, home);
    Some(codat::DirectIncome {
        id: owned(&t.id)?,
        reference: owned(&t.doc_number),
        note: owned(&t.private_note),
        contact_ref: ref_id(&t.customer_ref)
            .map(|id| codat::ContactRef {
                id,
                data_type: Some(codat::ContactType::Customers),
            })
            .or_else(|| deposit_entity(t)),
        issue_date: date(&t.txn_date)?,
        currency_rate: rate(t),
        line_items: lines(t)
            .map(|c| codat::DirectIncomeLineItem {
                description: c.description,
                unit_amount: c.unit_amount,
                quantity: c.quantity,
                sub_total: Some(c.sub_total),
                account_ref: c.account_ref,
                tax_rate_ref: c.tax_rate_ref,
                item_ref: c.item_ref,
                tracking_category_refs: Some(c.tracking),
                ..Default::default()
            })
            .collect(),
        payment_allocations: vec![payment_allocation(
            t,
            &currency,
            t.deposit_to_account_ref.as_ref(),
        )],
        sub_total: sub_total(t),
        tax_amount: total_tax(t),
        total_amount: money_or_zero(&t.total_amt),
        currency,
        metadata: metadata(),
        supplemental_data: None,
        modified_date: None,
        source_modified_date: source_modified(t),
    })
}

/// QuickBooks `Purchase` → Codat direct cost.
pub fn direct_cost(t: &Transaction<'_>, home: &str) -> Option<codat::DirectCost> {
    let currency = currency(t, home);
    let contact = t.entity_ref.as_ref().and_then(|e| {
        Some(codat::ContactRef {
            id: owned(&e.value)?,
            data_type: Some(contact_type(e)),
        })
    });
    Some(codat::DirectCost {
        id: owned(&t.id)?,
        reference: owned(&t.doc_number),
        note: owned(&t.private_note),
        contact_ref: contact,
        issue_date: date(&t.txn_date)?,
        currency_rate: rate(t),
        line_items: lines(t)
            .map(|c| codat::DirectCostLineItem {
                description: c.description,
                unit_amount: c.unit_amount,
                quantity: c.quantity,
                sub_total: Some(c.sub_total),
                account_ref: c.account_ref,
                tax_rate_ref: c.tax_rate_ref,
                item_ref: c.item_ref,
                tracking_category_refs: Some(c.tracking),
                ..Default::default()
            })
            .collect(),
        payment_allocations: vec![payment_allocation(t, &currency, t.account_ref.as_ref())],
        sub_total: sub_total(t),
        tax_amount: total_tax(t),
        total_amount: money_or_zero(&t.total_amt),
        currency,
        supplemental_data: None,
        metadata: metadata(),
        modified_date: None,
        source_modified_date: source_modified(t),
    })
}

/// QuickBooks `PurchaseOrder` → Codat purchase order.
pub fn purchase_order(t: &Transaction<'_>, home: &str) -> Option<codat::PurchaseOrder> {
    Some(codat::PurchaseOrder {
        id: owned(&t.id)?,
        purchase_order_number: owned(&t.doc_number),
        issue_date: date(&t.txn_date),
        expected_delivery_date: date(&t.due_date),
        note: owned(&t.memo),
        ship_to: t.ship_addr.as_ref().map(|a| codat::ShipTo {
            contact: None,
            address: Some(address(a, codat::AddressType::Delivery)),
        }),
        supplier_ref: ref_id(&t.vendor_ref).map(|id| codat::SupplierRef {
            id,
            supplier_name: ref_name(&t.vendor_ref),
        }),
        status: Some(match some(&t.po_status) {
            Some("Open") => codat::OrderStatus::Open,
            Some("Closed") => codat::OrderStatus::Closed,
            _ => codat::OrderStatus::Unknown,
        }),
        currency: Some(currency(t, home)),
        currency_rate: rate(t),
        line_items: Some(
            lines(t)
                .map(|c| codat::PurchaseOrderLineItem {
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
                })
                .collect(),
        ),
        sub_total: Some(sub_total(t)),
        total_tax_amount: Some(total_tax(t)),
        total_amount: t.total_amt.money(),
        metadata: metadata(),
        source_modified_date: source_modified(t),
        ..Default::default()
    })
}

/// What one payment tells the documents it pays.
#[derive(Debug)]
struct Paid {
    on: Option<CodatDateTime>,
    total: Option<Money>,
    reference: Option<String>,
    account: Option<codat::AccountRef>,
    /// Per document the payment links, the amount of the first line that links it.
    applied: Vec<(String, Option<Money>)>,
}

/// The payments (`Payment` for invoices, `BillPayment` for bills) a read has seen, by id:
/// their lines hold the amounts applied to each document, which Codat's
/// `paymentAllocations` carry and the documents themselves do not.
#[derive(Debug, Default)]
pub struct PaymentLookup {
    by_id: std::collections::HashMap<String, Paid>,
}

impl PaymentLookup {
    /// Remembers a payment.
    pub fn add(&mut self, p: &Payment<'_>) {
        let Some(id) = owned(&p.id) else {
            return;
        };
        let mut applied: Vec<(String, Option<Money>)> = Vec::new();
        for line in &p.line {
            for l in &line.linked_txn {
                if let Some(doc) = some(&l.txn_id)
                    && !applied.iter().any(|(d, _)| d == doc)
                {
                    applied.push((doc.to_string(), line.amount.money()));
                }
            }
        }
        let paid_from = p
            .check_payment
            .as_ref()
            .and_then(|c| c.bank_account_ref.as_ref())
            .or_else(|| {
                p.credit_card_payment
                    .as_ref()
                    .and_then(|c| c.cc_account_ref.as_ref())
            });
        self.by_id.insert(
            id,
            Paid {
                on: date(&p.txn_date),
                total: p.total_amt.money(),
                reference: owned(&p.payment_ref_num).or_else(|| owned(&p.doc_number)),
                account: account_ref(p.deposit_to_account_ref.as_ref())
                    .or_else(|| account_ref(paid_from)),
                applied,
            },
        );
    }

    /// Payments remembered.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no payment is remembered.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Completes a mapped invoice's or bill's allocations from the payments they name: the
    /// amount the payment's line that links `document_id` applied, the payment's date as the
    /// allocation's and payment's date, and the payment's total, reference and bank account.
    /// An allocation whose payment is not here, or does not link the document back, keeps
    /// its id only.
    pub fn complete(&self, allocations: &mut [codat::PaymentAllocation], document_id: &str) {
        for a in allocations {
            let Some(p) = a.payment.id.as_deref().and_then(|id| self.by_id.get(id)) else {
                continue;
            };
            let Some(applied) = p
                .applied
                .iter()
                .find(|(d, _)| d == document_id)
                .and_then(|(_, m)| m.clone())
            else {
                continue;
            };
            if p.on.is_some() {
                a.payment.paid_on_date.clone_from(&p.on);
                a.allocation.allocated_on_date.clone_from(&p.on);
            }
            if p.total.is_some() {
                a.payment.total_amount.clone_from(&p.total);
            }
            if p.reference.is_some() {
                a.payment.reference.clone_from(&p.reference);
            }
            if p.account.is_some() {
                a.payment.account_ref.clone_from(&p.account);
            }
            a.allocation.total_amount = Some(applied);
        }
    }
}
