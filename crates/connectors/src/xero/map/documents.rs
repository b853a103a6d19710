//! Xero's documents in Codat's model: invoices and bills (`Invoice` ACCREC and ACCPAY),
//! credit notes (`CreditNote` ACCRECCREDIT and ACCPAYCREDIT) and purchase orders, from the
//! typed records of [`crate::xero::wire`].

use chrono::NaiveDateTime;
use ledgerbridge_domain::accounting as codat;
use ledgerbridge_domain::accounting::{CodatDateTime, Money};
use rust_decimal::Decimal;

use super::{Lookups, invert_rate, metadata, parse_date};
use crate::wire::{Amount, owned, some};
use crate::xero::wire::{Date, Document, LineItem};

/// A business date: `2024-03-01T00:00:00`.
fn date(d: &Date<'_>) -> Option<CodatDateTime> {
    let at = parse_date(d.0?)?;
    Some(CodatDateTime::from_local(
        at.date().and_time(chrono::NaiveTime::MIN),
    ))
}

/// A UTC timestamp: `2024-03-01T09:12:44Z`.
fn instant(d: &Date<'_>) -> Option<CodatDateTime> {
    Some(CodatDateTime::from_utc(parse_date(d.0?)?.and_utc()))
}

/// When, for ordering (the epoch when there is no date).
fn sort_key(d: &Date<'_>) -> NaiveDateTime {
    d.0.and_then(parse_date).unwrap_or_default()
}

fn decimal(a: &Amount) -> Option<Decimal> {
    a.0.as_ref()?.to_decimal().ok()
}

fn money_or_zero(a: &Amount) -> Money {
    a.money().unwrap_or_else(Money::zero)
}

/// Codat's `currencyRate` from a Xero `CurrencyRate` (see [`invert_rate`]).
fn currency_rate(a: &Amount) -> Option<Money> {
    invert_rate(decimal(a)?)
}

/// Whether Xero reports the document deleted.
pub fn is_deleted(d: &Document<'_>) -> bool {
    some(&d.status) == Some("DELETED")
}

/// When the document last changed.
pub fn updated(d: &Document<'_>) -> Option<NaiveDateTime> {
    d.updated_date_utc.0.and_then(parse_date)
}

fn contact_id(d: &Document<'_>) -> Option<String> {
    d.contact.as_ref().and_then(|c| owned(&c.contact_id))
}

fn contact_name(d: &Document<'_>) -> Option<String> {
    d.contact.as_ref().and_then(|c| owned(&c.name))
}

/// The document's currency: its own, else the organisation's.
fn currency(d: &Document<'_>, l: &Lookups) -> Option<String> {
    owned(&d.currency_code).or_else(|| l.base_currency.clone())
}

/// `TotalDiscount`, or (credit notes have none) the sum of the lines' discounts.
fn total_discount(d: &Document<'_>) -> Money {
    d.total_discount.money().unwrap_or_else(|| {
        let sum: Decimal = d
            .line_items
            .iter()
            .filter_map(|l| decimal(&l.discount_amount))
            .sum();
        Money::from(sum)
    })
}

/// What every kind of line reads from a Xero line item.
struct LineCommon {
    description: Option<String>,
    quantity: Money,
    unit_amount: Money,
    discount_amount: Option<Money>,
    discount_percentage: Option<Money>,
    sub_total: Money,
    tax_amount: Money,
    total_amount: Money,
    account_ref: Option<codat::AccountRef>,
    tax_rate_ref: Option<codat::TaxRateRef>,
    item_ref: Option<codat::ItemRef>,
    tracking: Vec<codat::TrackingCategoryRef>,
}

/// One line, its amounts (subTotal, taxAmount, totalAmount) per the document's
/// `LineAmountTypes`.
fn line_common(line: &LineItem<'_>, amount_types: &str, l: &Lookups) -> LineCommon {
    let line_amount = decimal(&line.line_amount).unwrap_or_default();
    let tax = decimal(&line.tax_amount).unwrap_or_default();
    let sub = if amount_types.eq_ignore_ascii_case("Inclusive") {
        line_amount - tax
    } else {
        line_amount
    };
    LineCommon {
        description: owned(&line.description),
        quantity: line.quantity.money().unwrap_or_else(|| Money::from(1)),
        unit_amount: money_or_zero(&line.unit_amount),
        discount_amount: line.discount_amount.money(),
        discount_percentage: line.discount_rate.money(),
        sub_total: Money::from(sub),
        tax_amount: Money::from(tax),
        total_amount: Money::from(sub + tax),
        account_ref: l.account_ref(some(&line.account_id), some(&line.account_code)),
        tax_rate_ref: l.tax_rate_ref(some(&line.tax_type)),
        item_ref: line.item.as_ref().and_then(|i| {
            Some(codat::ItemRef {
                id: owned(&i.item_id)?,
                name: owned(&i.name),
            })
        }),
        tracking: line
            .tracking
            .iter()
            .filter_map(|t| {
                Some(codat::TrackingCategoryRef {
                    id: owned(&t.tracking_option_id)?,
                    name: owned(&t.option),
                })
            })
            .collect(),
    }
}

fn amount_types<'d>(d: &'d Document<'_>) -> &'d str {
    some(&d.line_amount_types).unwrap_or("Exclusive")
}

fn invoice_line(
    line: &LineItem<'_>,
    amount_types: &str,
    l: &Lookups,
    customer: Option<&codat::CustomerRef>,
) -> codat::InvoiceLineItem {
    let c = line_common(line, amount_types, l);
    codat::InvoiceLineItem {
        description: c.description,
        unit_amount: c.unit_amount,
        quantity: c.quantity,
        discount_amount: c.discount_amount,
        sub_total: Some(c.sub_total),
        tax_amount: Some(c.tax_amount),
        total_amount: Some(c.total_amount),
        account_ref: c.account_ref,
        discount_percentage: c.discount_percentage,
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

/// Where a document stands, from Xero's status and amounts: Draft, Open (nothing paid),
/// PartiallyPaid, Paid, Void.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Draft,
    Open,
    PartiallyPaid,
    Paid,
    Void,
}

/// The stage, `due` being what is still owed (`AmountDue`, `RemainingCredit`).
fn stage(d: &Document<'_>, due: &Amount) -> Stage {
    match some(&d.status).unwrap_or("") {
        "DRAFT" | "SUBMITTED" => Stage::Draft,
        "PAID" => Stage::Paid,
        "VOIDED" | "DELETED" => Stage::Void,
        _ => {
            let due = decimal(due).unwrap_or_default();
            let total = decimal(&d.total).unwrap_or_default();
            if due.is_zero() && !total.is_zero() {
                Stage::Paid
            } else if due < total {
                Stage::PartiallyPaid
            } else {
                Stage::Open
            }
        }
    }
}

/// An invoice's `Payments[]` and `CreditNotes[]` as Codat payment allocations, oldest first.
fn invoice_allocations(
    d: &Document<'_>,
    currency: &Option<String>,
) -> Vec<codat::PaymentAllocation> {
    let mut out: Vec<(NaiveDateTime, codat::PaymentAllocation)> =
        Vec::with_capacity(d.payments.len() + d.credit_notes.len());
    for p in &d.payments {
        let on = date(&p.date);
        out.push((
            sort_key(&p.date),
            codat::PaymentAllocation {
                payment: codat::AllocatedPayment {
                    id: owned(&p.payment_id),
                    note: None,
                    reference: owned(&p.reference),
                    account_ref: None,
                    currency: currency.clone(),
                    currency_rate: currency_rate(&p.currency_rate),
                    paid_on_date: on.clone(),
                    total_amount: p.amount.money(),
                },
                allocation: codat::Allocation {
                    currency: currency.clone(),
                    currency_rate: Some(Money::from(1)),
                    allocated_on_date: on,
                    total_amount: p.amount.money(),
                },
            },
        ));
    }
    for c in &d.credit_notes {
        let on = date(&c.date);
        let number = owned(&c.credit_note_number);
        out.push((
            sort_key(&c.date),
            codat::PaymentAllocation {
                payment: codat::AllocatedPayment {
                    id: owned(&c.credit_note_id),
                    note: number.as_ref().map(|n| format!("Credit note {n}")),
                    reference: number,
                    account_ref: None,
                    currency: currency.clone(),
                    currency_rate: currency_rate(&d.currency_rate),
                    paid_on_date: on.clone(),
                    total_amount: c.total.money(),
                },
                allocation: codat::Allocation {
                    currency: currency.clone(),
                    currency_rate: Some(Money::from(1)),
                    allocated_on_date: on,
                    total_amount: c.applied_amount.money(),
                },
            },
        ));
    }
    out.sort_by_key(|(d, _)| *d);
    out.into_iter().map(|(_, a)| a).collect()
}

/// A credit note's `Allocations[]` (to invoices or bills).
fn credit_allocations(
    d: &Document<'_>,
    currency: &Option<String>,
) -> Vec<codat::PaymentAllocation> {
    d.allocations
        .iter()
        .map(|a| {
            let on = date(&a.date);
            let invoice = a.invoice.as_ref();
            let number = invoice.and_then(|i| owned(&i.invoice_number));
            codat::PaymentAllocation {
                payment: codat::AllocatedPayment {
                    id: invoice.and_then(|i| owned(&i.invoice_id)),
                    note: number.as_ref().map(|n| format!("Allocated to {n}")),
                    reference: number,
                    account_ref: None,
                    currency: currency.clone(),
                    currency_rate: currency_rate(&d.currency_rate),
                    paid_on_date: on.clone(),
                    total_amount: a.amount.money(),
                },
                allocation: codat::Allocation {
                    currency: currency.clone(),
                    currency_rate: Some(Money::from(1)),
                    allocated_on_date: on,
                    total_amount: a.amount.money(),
                },
            }
        })
        .collect()
}

fn last_allocation_date(d: &Document<'_>) -> Option<CodatDateTime> {
    d.allocations
        .iter()
        .filter_map(|a| Some((parse_date(a.date.0?)?, date(&a.date)?)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, on)| on)
}

/// Xero `Invoice` of type ACCREC → Codat invoice.
pub fn invoice(d: &Document<'_>, l: &Lookups) -> Option<codat::Invoice> {
    let id = owned(&d.invoice_id)?;
    let amount_types = amount_types(d);
    let customer = contact_id(d).map(|id| codat::CustomerRef {
        id,
        company_name: contact_name(d),
    });
    let currency = currency(d, l);
    let st = stage(d, &d.amount_due);
    Some(codat::Invoice {
        id,
        invoice_number: owned(&d.invoice_number),
        line_items: Some(
            d.line_items
                .iter()
                .map(|line| invoice_line(line, amount_types, l, customer.as_ref()))
                .collect(),
        ),
        customer_ref: customer,
        issue_date: date(&d.date)?,
        due_date: date(&d.due_date),
        paid_on_date: if st == Stage::Paid {
            date(&d.fully_paid_on_date)
        } else {
            None
        },
        payment_allocations: Some(invoice_allocations(d, &currency)),
        currency_rate: currency_rate(&d.currency_rate),
        currency,
        total_discount: d.total_discount.money(),
        sub_total: d.sub_total.money(),
        total_tax_amount: money_or_zero(&d.total_tax),
        total_amount: money_or_zero(&d.total),
        amount_due: money_or_zero(&d.amount_due),
        status: match st {
            Stage::Draft => codat::InvoiceStatus::Draft,
            Stage::Open => codat::InvoiceStatus::Submitted,
            Stage::PartiallyPaid => codat::InvoiceStatus::PartiallyPaid,
            Stage::Paid => codat::InvoiceStatus::Paid,
            Stage::Void => codat::InvoiceStatus::Void,
        },
        note: owned(&d.reference),
        metadata: metadata(false),
        source_modified_date: instant(&d.updated_date_utc),
        sales_order_refs: None,
        withholding_tax: None,
        additional_tax_amount: None,
        additional_tax_percentage: None,
        discount_percentage: None,
        supplemental_data: None,
        modified_date: None,
    })
}

/// Xero `Invoice` of type ACCPAY → Codat bill.
pub fn bill(d: &Document<'_>, l: &Lookups) -> Option<codat::Bill> {
    let id = owned(&d.invoice_id)?;
    let amount_types = amount_types(d);
    let currency = currency(d, l);
    Some(codat::Bill {
        id,
        reference: owned(&d.invoice_number),
        supplier_ref: contact_id(d).map(|id| codat::SupplierRef {
            id,
            supplier_name: contact_name(d),
        }),
        issue_date: date(&d.date)?,
        due_date: date(&d.due_date),
        currency_rate: currency_rate(&d.currency_rate),
        line_items: Some(
            d.line_items
                .iter()
                .enumerate()
                .map(|(n, line)| {
                    let c = line_common(line, amount_types, l);
                    codat::BillLineItem {
                        line_number: Some((n + 1).to_string()),
                        description: c.description,
                        unit_amount: Some(c.unit_amount),
                        quantity: Some(c.quantity),
                        discount_amount: c.discount_amount,
                        sub_total: Some(c.sub_total),
                        tax_amount: Some(c.tax_amount),
                        total_amount: Some(c.total_amount),
                        discount_percentage: c.discount_percentage,
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
        status: match stage(d, &d.amount_due) {
            Stage::Draft => codat::BillStatus::Draft,
            Stage::Open => codat::BillStatus::Open,
            Stage::PartiallyPaid => codat::BillStatus::PartiallyPaid,
            Stage::Paid => codat::BillStatus::Paid,
            Stage::Void => codat::BillStatus::Void,
        },
        sub_total: money_or_zero(&d.sub_total),
        tax_amount: money_or_zero(&d.total_tax),
        total_amount: money_or_zero(&d.total),
        amount_due: d.amount_due.money(),
        note: owned(&d.reference),
        payment_allocations: Some(invoice_allocations(d, &currency)),
        currency,
        metadata: metadata(false),
        source_modified_date: instant(&d.updated_date_utc),
        purchase_order_refs: None,
        withholding_tax: None,
        supplemental_data: None,
        modified_date: None,
    })
}

fn credit_status(d: &Document<'_>) -> codat::CreditNoteStatus {
    match stage(d, &d.remaining_credit) {
        Stage::Draft => codat::CreditNoteStatus::Draft,
        Stage::Open => codat::CreditNoteStatus::Submitted,
        Stage::PartiallyPaid => codat::CreditNoteStatus::PartiallyPaid,
        Stage::Paid => codat::CreditNoteStatus::Paid,
        Stage::Void => codat::CreditNoteStatus::Void,
    }
}

/// Xero `CreditNote` ACCRECCREDIT → Codat credit note.
pub fn credit_note(d: &Document<'_>, l: &Lookups) -> Option<codat::CreditNote> {
    let id = owned(&d.credit_note_id)?;
    let amount_types = amount_types(d);
    let customer = contact_id(d).map(|id| codat::CustomerRef {
        id,
        company_name: contact_name(d),
    });
    let currency = currency(d, l);
    Some(codat::CreditNote {
        id,
        credit_note_number: owned(&d.credit_note_number),
        line_items: Some(
            d.line_items
                .iter()
                .map(|line| invoice_line(line, amount_types, l, customer.as_ref()))
                .collect(),
        ),
        customer_ref: customer,
        total_amount: money_or_zero(&d.total),
        total_discount: total_discount(d),
        sub_total: money_or_zero(&d.sub_total),
        total_tax_amount: money_or_zero(&d.total_tax),
        discount_percentage: Money::from(0),
        remaining_credit: money_or_zero(&d.remaining_credit),
        status: credit_status(d),
        issue_date: date(&d.date),
        allocated_on_date: last_allocation_date(d),
        currency_rate: currency_rate(&d.currency_rate),
        payment_allocations: Some(credit_allocations(d, &currency)),
        currency,
        note: owned(&d.reference),
        metadata: metadata(false),
        source_modified_date: instant(&d.updated_date_utc),
        ..Default::default()
    })
}

/// Xero `CreditNote` ACCPAYCREDIT → Codat bill credit note.
pub fn bill_credit_note(d: &Document<'_>, l: &Lookups) -> Option<codat::BillCreditNote> {
    let id = owned(&d.credit_note_id)?;
    let amount_types = amount_types(d);
    let currency = currency(d, l);
    Some(codat::BillCreditNote {
        id,
        bill_credit_note_number: owned(&d.credit_note_number),
        supplier_ref: contact_id(d).map(|id| codat::SupplierRef {
            id,
            supplier_name: contact_name(d),
        }),
        total_amount: money_or_zero(&d.total),
        total_discount: total_discount(d),
        sub_total: money_or_zero(&d.sub_total),
        total_tax_amount: money_or_zero(&d.total_tax),
        discount_percentage: Money::from(0),
        remaining_credit: d.remaining_credit.money(),
        status: credit_status(d),
        issue_date: date(&d.date),
        allocated_on_date: last_allocation_date(d),
        currency_rate: currency_rate(&d.currency_rate),
        line_items: Some(
            d.line_items
                .iter()
                .map(|line| {
                    let c = line_common(line, amount_types, l);
                    codat::BillCreditNoteLineItem {
                        description: c.description,
                        unit_amount: c.unit_amount,
                        quantity: c.quantity,
                        discount_amount: c.discount_amount,
                        sub_total: Some(c.sub_total),
                        tax_amount: Some(c.tax_amount),
                        total_amount: Some(c.total_amount),
                        account_ref: c.account_ref,
                        discount_percentage: c.discount_percentage,
                        tax_rate_ref: c.tax_rate_ref,
                        item_ref: c.item_ref,
                        tracking_category_refs: Some(c.tracking.clone()),
                        tracking: Some(payables_tracking(c.tracking)),
                        ..Default::default()
                    }
                })
                .collect(),
        ),
        payment_allocations: Some(credit_allocations(d, &currency)),
        currency,
        note: owned(&d.reference),
        metadata: metadata(false),
        source_modified_date: instant(&d.updated_date_utc),
        ..Default::default()
    })
}

/// Xero `PurchaseOrder` → Codat purchase order.
pub fn purchase_order(d: &Document<'_>, l: &Lookups) -> Option<codat::PurchaseOrder> {
    let amount_types = amount_types(d);
    let lines: Vec<&str> = some(&d.delivery_address)
        .map(|a| a.lines().map(str::trim).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    // Xero keeps the delivery address as free text; read it back line by line.
    let ship_address = (!lines.is_empty()).then(|| {
        let n = lines.len();
        let at = |i: usize| lines.get(i).map(|s| s.to_string());
        let (line2, rest) = if n >= 6 { (at(1), 2) } else { (None, 1) };
        codat::Address {
            kind: codat::AddressType::Delivery,
            line1: at(0),
            line2,
            city: at(rest),
            region: at(rest + 1),
            postal_code: at(rest + 2),
            country: at(rest + 3),
        }
    });
    Some(codat::PurchaseOrder {
        id: owned(&d.purchase_order_id)?,
        purchase_order_number: owned(&d.purchase_order_number),
        issue_date: date(&d.date),
        expected_delivery_date: date(&d.delivery_date),
        note: owned(&d.delivery_instructions),
        ship_to: Some(codat::ShipTo {
            contact: Some(codat::ShipToContact {
                name: owned(&d.attention_to),
                email: None,
                phone: owned(&d.telephone),
            }),
            address: ship_address,
        }),
        supplier_ref: contact_id(d).map(|id| codat::SupplierRef {
            id,
            supplier_name: contact_name(d),
        }),
        status: Some(match some(&d.status).unwrap_or("") {
            "DRAFT" | "SUBMITTED" => codat::OrderStatus::Draft,
            "AUTHORISED" => codat::OrderStatus::Open,
            "BILLED" => codat::OrderStatus::Closed,
            "DELETED" => codat::OrderStatus::Void,
            _ => codat::OrderStatus::Unknown,
        }),
        currency: currency(d, l),
        currency_rate: currency_rate(&d.currency_rate),
        line_items: Some(
            d.line_items
                .iter()
                .map(|line| {
                    let c = line_common(line, amount_types, l);
                    codat::PurchaseOrderLineItem {
                        description: c.description,
                        account_ref: c.account_ref,
                        item_ref: c.item_ref,
                        tracking_category_refs: Some(c.tracking),
                        unit_amount: Some(c.unit_amount),
                        quantity: Some(c.quantity),
                        discount_amount: c.discount_amount,
                        discount_percentage: c.discount_percentage,
                        sub_total: Some(c.sub_total),
                        tax_amount: Some(c.tax_amount),
                        tax_rate_ref: c.tax_rate_ref,
                        total_amount: Some(c.total_amount),
                    }
                })
                .collect(),
        ),
        total_discount: d.total_discount.money(),
        sub_total: d.sub_total.money(),
        total_tax_amount: d.total_tax.money(),
        total_amount: d.total.money(),
        metadata: metadata(false),
        source_modified_date: instant(&d.updated_date_utc),
        ..Default::default()
    })
}
