//! Sales orders: goods and services customers have ordered, before invoicing.

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, CUSTOMER_REF_SCHEMA, CustomerRef, ITEM_REF_SCHEMA, ItemRef,
    METADATA_SCHEMA, Metadata, OrderStatus, RECORD_REF_SCHEMA, RecordRef, SHIP_TO_SCHEMA, ShipTo,
    TAX_RATE_REF_SCHEMA, TaxRateRef, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// An order placed by a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrder {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_order_number: Option<String>,
    /// The customer's own purchase order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_purchase_order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<CodatDateTime>,
    /// When the goods are expected to be delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_delivery_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<ShipTo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<CustomerRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// How much of the order has been invoiced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoicing_status: Option<InvoicingStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the order currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<SalesOrderLineItem>>,
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

/// One line of a sales order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderLineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ItemRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<SalesOrderLineTracking>,
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

/// Records a sales order line is tracked against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrderLineTracking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_refs: Option<Vec<RecordRef>>,
}

codat_enum! {
    /// How much of a sales order has been invoiced.
    pub enum InvoicingStatus {
        Unknown = "Unknown",
        PartiallyInvoiced = "PartiallyInvoiced",
        Invoiced = "Invoiced",
        NotInvoiced = "NotInvoiced",
    }
}

/// The fields of a sales order that a `query` or `orderBy` may name.
pub static SALES_ORDER_SCHEMA: Schema = Schema {
    type_name: "SalesOrder",
    fields: &[
        field("id", FieldType::String),
        field("salesOrderNumber", FieldType::String),
        field("customerPurchaseOrderNumber", FieldType::String),
        field("issueDate", FieldType::DateTime),
        field("expectedDeliveryDate", FieldType::DateTime),
        field("note", FieldType::String),
        field("shipTo", FieldType::Object(&SHIP_TO_SCHEMA)),
        field("customerRef", FieldType::Object(&CUSTOMER_REF_SCHEMA)),
        field("status", FieldType::Enum(OrderStatus::VALUES)),
        field("invoicingStatus", FieldType::Enum(InvoicingStatus::VALUES)),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lineItems", array_of(&SALES_ORDER_LINE_ITEM_SCHEMA)),
        field("totalDiscount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("totalTaxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static SALES_ORDER_LINE_ITEM_SCHEMA: Schema = Schema {
    type_name: "SalesOrderLineItem",
    fields: &[
        field("description", FieldType::String),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("itemRef", FieldType::Object(&ITEM_REF_SCHEMA)),
        field(
            "tracking",
            FieldType::Object(&SALES_ORDER_LINE_TRACKING_SCHEMA),
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

pub(crate) static SALES_ORDER_LINE_TRACKING_SCHEMA: Schema = Schema {
    type_name: "SalesOrderLineTracking",
    fields: &[field("recordRefs", array_of(&RECORD_REF_SCHEMA))],
};
