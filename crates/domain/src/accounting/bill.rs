//! Bills: what the business owes a supplier (accounts payable).

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, ITEM_REF_SCHEMA, ItemRef, LINE_REF_SCHEMA, LineRef,
    METADATA_SCHEMA, Metadata, PAYABLES_TRACKING_SCHEMA, PAYMENT_ALLOCATION_SCHEMA,
    PayablesTracking, PaymentAllocation, SUPPLEMENTAL_DATA_SCHEMA, SUPPLIER_REF_SCHEMA,
    SupplementalData, SupplierRef, TAX_RATE_REF_SCHEMA, TRACKING_CATEGORY_REF_SCHEMA, TaxRateRef,
    TrackingCategoryRef, WITHHOLDING_TAX_SCHEMA, WithholdingTax, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// A bill received from a supplier.
///
/// `totalAmount` includes tax; `amountDue` is what is still unpaid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bill {
    /// The record's id in the accounting platform.
    pub id: String,
    /// The supplier's own reference, often their invoice number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_ref: Option<SupplierRef>,
    /// Purchase orders this bill is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_refs: Option<Vec<PurchaseOrderRef>>,
    pub issue_date: CodatDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the bill currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<BillLineItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_tax: Option<Vec<WithholdingTax>>,
    pub status: BillStatus,
    /// Total before tax.
    pub sub_total: Money,
    pub tax_amount: Money,
    /// Total including tax.
    pub total_amount: Money,
    /// What the business still owes the supplier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_due: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Payments and credits applied to this bill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_allocations: Option<Vec<PaymentAllocation>>,
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

/// One line of a bill.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillLineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_of_measurement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<TaxRateRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ItemRef>,
    /// The purchase order (or bill) line this line comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_line_ref: Option<LineRef>,
    /// Superseded by `tracking.categoryRefs`; kept because clients still read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_category_refs: Option<Vec<TrackingCategoryRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<PayablesTracking>,
    /// Whether the line is a cost the business bears rather than rebills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_direct_cost: Option<bool>,
}

/// Points at a purchase order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
}

codat_enum! {
    /// Where a bill is in its life.
    pub enum BillStatus {
        Unknown = "Unknown",
        Open = "Open",
        PartiallyPaid = "PartiallyPaid",
        Paid = "Paid",
        Void = "Void",
        Draft = "Draft",
    }
}

/// The fields of a bill that a `query` or `orderBy` may name.
pub static BILL_SCHEMA: Schema = Schema {
    type_name: "Bill",
    fields: &[
        field("id", FieldType::String),
        field("reference", FieldType::String),
        field("supplierRef", FieldType::Object(&SUPPLIER_REF_SCHEMA)),
        field("purchaseOrderRefs", array_of(&PURCHASE_ORDER_REF_SCHEMA)),
        field("issueDate", FieldType::DateTime),
        field("dueDate", FieldType::DateTime),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lineItems", array_of(&BILL_LINE_ITEM_SCHEMA)),
        field("withholdingTax", array_of(&WITHHOLDING_TAX_SCHEMA)),
        field("status", FieldType::Enum(BillStatus::VALUES)),
        field("subTotal", FieldType::Number),
        field("taxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("amountDue", FieldType::Number),
        field("note", FieldType::String),
        field("paymentAllocations", array_of(&PAYMENT_ALLOCATION_SCHEMA)),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static BILL_LINE_ITEM_SCHEMA: Schema = Schema {
    type_name: "BillLineItem",
    fields: &[
        field("lineNumber", FieldType::String),
        field("description", FieldType::String),
        field("unitAmount", FieldType::Number),
        field("quantity", FieldType::Number),
        field("unitOfMeasurement", FieldType::String),
        field("discountAmount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("taxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("discountPercentage", FieldType::Number),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("taxRateRef", FieldType::Object(&TAX_RATE_REF_SCHEMA)),
        field("itemRef", FieldType::Object(&ITEM_REF_SCHEMA)),
        field("purchaseOrderLineRef", FieldType::Object(&LINE_REF_SCHEMA)),
        field(
            "trackingCategoryRefs",
            array_of(&TRACKING_CATEGORY_REF_SCHEMA),
        ),
        field("tracking", FieldType::Object(&PAYABLES_TRACKING_SCHEMA)),
        field("isDirectCost", FieldType::Boolean),
    ],
};

pub(crate) static PURCHASE_ORDER_REF_SCHEMA: Schema = Schema {
    type_name: "PurchaseOrderRef",
    fields: &[
        field("id", FieldType::String),
        field("purchaseOrderNumber", FieldType::String),
    ],
};
