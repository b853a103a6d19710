//! Invoices: what a customer owes the business (accounts receivable).

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, CUSTOMER_REF_SCHEMA, CustomerRef, ITEM_REF_SCHEMA, ItemRef,
    METADATA_SCHEMA, Metadata, PAYMENT_ALLOCATION_SCHEMA, PaymentAllocation,
    RECEIVABLES_TRACKING_SCHEMA, ReceivablesTracking, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData,
    TAX_RATE_REF_SCHEMA, TRACKING_CATEGORY_REF_SCHEMA, TaxRateRef, TrackingCategoryRef,
    WITHHOLDING_TAX_SCHEMA, WithholdingTax, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// An invoice issued to a customer.
///
/// `totalAmount` includes tax; `amountDue` is what is still unpaid. With status `Paid`
/// `amountDue` is zero, with `PartiallyPaid` it lies strictly between zero and `totalAmount`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    /// The record's id in the accounting platform.
    pub id: String,
    /// The number people use for the invoice. Some platforms give a re-issued invoice a new
    /// `id` but keep its number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<CustomerRef>,
    /// Sales orders this invoice bills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_order_refs: Option<Vec<SalesOrderRef>>,
    pub issue_date: CodatDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<CodatDateTime>,
    /// When the invoice was paid in full; derived from payments if the platform does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the invoice currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<InvoiceLineItem>>,
    /// Payments and credits applied to this invoice. Filled only when `payments` was synced
    /// before `invoices`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_allocations: Option<Vec<PaymentAllocation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_tax: Option<Vec<WithholdingTax>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_discount: Option<Money>,
    /// Total before tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_tax_percentage: Option<Money>,
    /// Tax on the invoice.
    pub total_tax_amount: Money,
    /// Total including tax.
    pub total_amount: Money,
    /// What the customer still owes.
    pub amount_due: Money,
    /// Discount as a percentage from 0 to 100 (`5` is 5%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<Money>,
    pub status: InvoiceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplemental_data: Option<SupplementalData>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

/// One line of an invoice or credit note.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub unit_amount: Money,
    pub quantity: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<TaxRateRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ItemRef>,
    /// Superseded by `tracking.categoryRefs`; kept because clients still read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_category_refs: Option<Vec<TrackingCategoryRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<ReceivablesTracking>,
    /// Whether the line is income the business keeps rather than rebills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_direct_income: Option<bool>,
}

/// Points at a sales order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<SalesOrderRefType>,
}

codat_enum! {
    /// The data type of a [`SalesOrderRef`]: always `salesOrders`.
    pub enum SalesOrderRefType {
        SalesOrders = "salesOrders",
        /// Not one of Codat's values: what an unrecognised value reads as.
        Unknown = "Unknown",
    }
}

codat_enum! {
    /// Where an invoice is in its life.
    pub enum InvoiceStatus {
        Unknown = "Unknown",
        Draft = "Draft",
        Submitted = "Submitted",
        PartiallyPaid = "PartiallyPaid",
        Paid = "Paid",
        /// Deleted, refunded, written off or cancelled.
        Void = "Void",
    }
}

/// The fields of an invoice that a `query` or `orderBy` may name.
pub static INVOICE_SCHEMA: Schema = Schema {
    type_name: "Invoice",
    fields: &[
        field("id", FieldType::String),
        field("invoiceNumber", FieldType::String),
        field("customerRef", FieldType::Object(&CUSTOMER_REF_SCHEMA)),
        field("salesOrderRefs", array_of(&SALES_ORDER_REF_SCHEMA)),
        field("issueDate", FieldType::DateTime),
        field("dueDate", FieldType::DateTime),
        field("paidOnDate", FieldType::DateTime),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lineItems", array_of(&INVOICE_LINE_ITEM_SCHEMA)),
        field("paymentAllocations", array_of(&PAYMENT_ALLOCATION_SCHEMA)),
        field("withholdingTax", array_of(&WITHHOLDING_TAX_SCHEMA)),
        field("totalDiscount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("additionalTaxAmount", FieldType::Number),
        field("additionalTaxPercentage", FieldType::Number),
        field("totalTaxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("amountDue", FieldType::Number),
        field("discountPercentage", FieldType::Number),
        field("status", FieldType::Enum(InvoiceStatus::VALUES)),
        field("note", FieldType::String),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static INVOICE_LINE_ITEM_SCHEMA: Schema = Schema {
    type_name: "InvoiceLineItem",
    fields: &[
        field("description", FieldType::String),
        field("unitAmount", FieldType::Number),
        field("quantity", FieldType::Number),
        field("discountAmount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("taxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("discountPercentage", FieldType::Number),
        field("taxRateRef", FieldType::Object(&TAX_RATE_REF_SCHEMA)),
        field("itemRef", FieldType::Object(&ITEM_REF_SCHEMA)),
        field(
            "trackingCategoryRefs",
            array_of(&TRACKING_CATEGORY_REF_SCHEMA),
        ),
        field("tracking", FieldType::Object(&RECEIVABLES_TRACKING_SCHEMA)),
        field("isDirectIncome", FieldType::Boolean),
    ],
};

pub(crate) static SALES_ORDER_REF_SCHEMA: Schema = Schema {
    type_name: "SalesOrderRef",
    fields: &[
        field("id", FieldType::String),
        field("dataType", FieldType::Enum(SalesOrderRefType::VALUES)),
    ],
};
