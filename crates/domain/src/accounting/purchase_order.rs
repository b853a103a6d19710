//! Purchase orders: goods and services ordered from suppliers, before billing.

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, ITEM_REF_SCHEMA, ItemRef, METADATA_SCHEMA, Metadata,
    OrderStatus, SHIP_TO_SCHEMA, SUPPLIER_REF_SCHEMA, ShipTo, SupplierRef, TAX_RATE_REF_SCHEMA,
    TRACKING_CATEGORY_REF_SCHEMA, TaxRateRef, TrackingCategoryRef, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// An order placed with a supplier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrder {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<CodatDateTime>,
    /// When payment for the order is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_due_date: Option<CodatDateTime>,
    /// When the goods are expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_delivery_date: Option<CodatDateTime>,
    /// When the goods arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<ShipTo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_ref: Option<SupplierRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the order currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<PurchaseOrderLineItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_discount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

/// One line of a purchase order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderLineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ItemRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_category_refs: Option<Vec<TrackingCategoryRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<TaxRateRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
}

/// The fields of a purchase order that a `query` or `orderBy` may name.
pub static PURCHASE_ORDER_SCHEMA: Schema = Schema {
    type_name: "PurchaseOrder",
    fields: &[
        field("id", FieldType::String),
        field("purchaseOrderNumber", FieldType::String),
        field("issueDate", FieldType::DateTime),
        field("paymentDueDate", FieldType::DateTime),
        field("expectedDeliveryDate", FieldType::DateTime),
        field("deliveryDate", FieldType::DateTime),
        field("note", FieldType::String),
        field("shipTo", FieldType::Object(&SHIP_TO_SCHEMA)),
        field("supplierRef", FieldType::Object(&SUPPLIER_REF_SCHEMA)),
        field("status", FieldType::Enum(OrderStatus::VALUES)),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lineItems", array_of(&PURCHASE_ORDER_LINE_ITEM_SCHEMA)),
        field("totalDiscount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("totalTaxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static PURCHASE_ORDER_LINE_ITEM_SCHEMA: Schema = Schema {
    type_name: "PurchaseOrderLineItem",
    fields: &[
        field("description", FieldType::String),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("itemRef", FieldType::Object(&ITEM_REF_SCHEMA)),
        field(
            "trackingCategoryRefs",
            array_of(&TRACKING_CATEGORY_REF_SCHEMA),
        ),
        field("unitAmount", FieldType::Number),
        field("quantity", FieldType::Number),
        field("discountAmount", FieldType::Number),
        field("discountPercentage", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("taxAmount", FieldType::Number),
        field("taxRateRef", FieldType::Object(&TAX_RATE_REF_SCHEMA)),
        field("totalAmount", FieldType::Number),
    ],
};
