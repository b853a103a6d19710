//! Xero's documents as the Accounting API writes them, read into structs that borrow from the
//! page (see [`crate::wire`]): invoices and bills (`Invoice`), credit notes (`CreditNote`)
//! and purchase orders (`PurchaseOrder`) share one shape, [`Document`], in which each fills
//! its own members. These are what a sync reads by the thousand; the reference lists,
//! payments, journals and reports are read as `serde_json::Value`.

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::map::parse_date;
use crate::wire::{Amount, DateText, Text, list};

/// A date in any of Xero's forms (`\/Date(ms+zzzz)\/`, ISO).
pub type Date<'a> = DateText<'a>;

/// The calendar day or instant a Xero date names.
pub fn when(date: &Date<'_>) -> Option<NaiveDateTime> {
    date.0.and_then(parse_date)
}

/// `Contact` on a document: who it is with.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRef<'a> {
    #[serde(rename = "ContactID", borrow, default)]
    pub contact_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
}

/// `Item` on a line.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemRef<'a> {
    #[serde(rename = "ItemID", borrow, default)]
    pub item_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
}

/// One `Tracking` option on a line.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tracking<'a> {
    #[serde(rename = "TrackingOptionID", borrow, default)]
    pub tracking_option_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub option: Option<Text<'a>>,
}

/// One of `LineItems`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LineItem<'a> {
    #[serde(borrow, default)]
    pub description: Option<Text<'a>>,
    #[serde(default)]
    pub quantity: Amount,
    #[serde(default)]
    pub unit_amount: Amount,
    #[serde(default)]
    pub discount_amount: Amount,
    #[serde(default)]
    pub discount_rate: Amount,
    #[serde(default)]
    pub line_amount: Amount,
    #[serde(default)]
    pub tax_amount: Amount,
    #[serde(rename = "AccountID", borrow, default)]
    pub account_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub account_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub tax_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub item: Option<ItemRef<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub tracking: Vec<Tracking<'a>>,
}

/// One of an invoice's `Payments`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvoicePayment<'a> {
    #[serde(rename = "PaymentID", borrow, default)]
    pub payment_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub date: Date<'a>,
    #[serde(default)]
    pub amount: Amount,
    #[serde(borrow, default)]
    pub reference: Option<Text<'a>>,
    #[serde(default)]
    pub currency_rate: Amount,
}

/// One of an invoice's `CreditNotes`: a credit note applied to it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AppliedCredit<'a> {
    #[serde(rename = "CreditNoteID", borrow, default)]
    pub credit_note_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub credit_note_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub date: Date<'a>,
    #[serde(default)]
    pub applied_amount: Amount,
    #[serde(default)]
    pub total: Amount,
}

/// The invoice a credit note's allocation names.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AllocatedInvoice<'a> {
    #[serde(rename = "InvoiceID", borrow, default)]
    pub invoice_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub invoice_number: Option<Text<'a>>,
}

/// One of a credit note's `Allocations`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Allocation<'a> {
    #[serde(borrow, default)]
    pub invoice: Option<AllocatedInvoice<'a>>,
    #[serde(default)]
    pub amount: Amount,
    #[serde(borrow, default)]
    pub date: Date<'a>,
}

/// An `Invoice`, `CreditNote` or `PurchaseOrder`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Document<'a> {
    #[serde(rename = "InvoiceID", borrow, default)]
    pub invoice_id: Option<Text<'a>>,
    #[serde(rename = "CreditNoteID", borrow, default)]
    pub credit_note_id: Option<Text<'a>>,
    #[serde(rename = "PurchaseOrderID", borrow, default)]
    pub purchase_order_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub invoice_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub credit_note_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub purchase_order_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub contact: Option<ContactRef<'a>>,
    #[serde(borrow, default)]
    pub date: Date<'a>,
    #[serde(borrow, default)]
    pub due_date: Date<'a>,
    #[serde(borrow, default)]
    pub fully_paid_on_date: Date<'a>,
    #[serde(borrow, default)]
    pub delivery_date: Date<'a>,
    #[serde(rename = "UpdatedDateUTC", borrow, default)]
    pub updated_date_utc: Date<'a>,
    #[serde(borrow, default)]
    pub status: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub line_amount_types: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub line_items: Vec<LineItem<'a>>,
    #[serde(default)]
    pub sub_total: Amount,
    #[serde(default)]
    pub total_tax: Amount,
    #[serde(default)]
    pub total: Amount,
    #[serde(default)]
    pub total_discount: Amount,
    #[serde(default)]
    pub amount_due: Amount,
    #[serde(default)]
    pub remaining_credit: Amount,
    #[serde(borrow, default)]
    pub currency_code: Option<Text<'a>>,
    #[serde(default)]
    pub currency_rate: Amount,
    #[serde(borrow, default)]
    pub reference: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub payments: Vec<InvoicePayment<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub credit_notes: Vec<AppliedCredit<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub allocations: Vec<Allocation<'a>>,
    #[serde(borrow, default)]
    pub delivery_address: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub delivery_instructions: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub attention_to: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub telephone: Option<Text<'a>>,
}

impl Document<'_> {
    /// The document's id, whichever kind it is.
    pub fn id(&self) -> Option<&str> {
        self.invoice_id
            .as_deref()
            .or(self.credit_note_id.as_deref())
            .or(self.purchase_order_id.as_deref())
    }
}

/// `pagination` of a paged answer.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    #[serde(default)]
    pub item_count: Option<u64>,
}

/// A page of documents: the envelope's list under its key, and the pagination.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Documents<'a> {
    #[serde(borrow, default)]
    pub invoices: Option<Vec<Document<'a>>>,
    #[serde(borrow, default)]
    pub credit_notes: Option<Vec<Document<'a>>>,
    #[serde(borrow, default)]
    pub purchase_orders: Option<Vec<Document<'a>>>,
    #[serde(default, rename = "pagination")]
    pub pagination: Option<Pagination>,
}

impl<'a> Documents<'a> {
    /// The list under the envelope key `key`, if the answer holds it.
    pub fn take(&mut self, key: &str) -> Option<Vec<Document<'a>>> {
        match key {
            "Invoices" => self.invoices.take(),
            "CreditNotes" => self.credit_notes.take(),
            "PurchaseOrders" => self.purchase_orders.take(),
            _ => None,
        }
    }
}
