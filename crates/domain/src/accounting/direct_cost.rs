//! Direct costs: money spent without a bill (card purchases, cash payments).

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, CONTACT_REF_SCHEMA, ContactRef, ITEM_REF_SCHEMA, ItemRef,
    METADATA_SCHEMA, Metadata, PAYMENT_ALLOCATION_SCHEMA, PaymentAllocation, RECORD_REF_SCHEMA,
    RecordRef, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData, TAX_RATE_REF_SCHEMA,
    TRACKING_CATEGORY_REF_SCHEMA, TRACKING_RECORD_REF_SCHEMA, TaxRateRef, TrackingCategoryRef,
    TrackingRecordRef, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// Money spent without a bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectCost {
    /// The record's id in the accounting platform.
    pub id: String,
    /// A reference for the spend, such as a receipt number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who the money was paid to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_ref: Option<ContactRef>,
    pub issue_date: CodatDateTime,
    pub currency: String,
    /// Rate from the cost currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    pub line_items: Vec<DirectCostLineItem>,
    /// The payments that settled the cost.
    pub payment_allocations: Vec<PaymentAllocation>,
    /// Total before tax.
    pub sub_total: Money,
    pub tax_amount: Money,
    /// Total including tax.
    pub total_amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplemental_data: Option<SupplementalData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

/// One line of a direct cost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectCostLineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub unit_amount: Money,
    pub quantity: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<TaxRateRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ItemRef>,
    /// Superseded by `tracking`; kept because clients still read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_category_refs: Option<Vec<TrackingCategoryRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<DirectCostTracking>,
}

/// What a direct cost line is tracked against, and who it is rebilled to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectCostTracking {
    pub record_refs: Vec<TrackingRecordRef>,
    /// The customer or project the cost is passed on to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_to: Option<RecordRef>,
}

/// The fields of a direct cost that a `query` or `orderBy` may name.
pub static DIRECT_COST_SCHEMA: Schema = Schema {
    type_name: "DirectCost",
    fields: &[
        field("id", FieldType::String),
        field("reference", FieldType::String),
        field("note", FieldType::String),
        field("contactRef", FieldType::Object(&CONTACT_REF_SCHEMA)),
        field("issueDate", FieldType::DateTime),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lineItems", array_of(&DIRECT_COST_LINE_ITEM_SCHEMA)),
        field("paymentAllocations", array_of(&PAYMENT_ALLOCATION_SCHEMA)),
        field("subTotal", FieldType::Number),
        field("taxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static DIRECT_COST_LINE_ITEM_SCHEMA: Schema = Schema {
    type_name: "DirectCostLineItem",
    fields: &[
        field("description", FieldType::String),
        field("unitAmount", FieldType::Number),
        field("quantity", FieldType::Number),
        field("discountAmount", FieldType::Number),
        field("discountPercentage", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("taxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("taxRateRef", FieldType::Object(&TAX_RATE_REF_SCHEMA)),
        field("itemRef", FieldType::Object(&ITEM_REF_SCHEMA)),
        field(
            "trackingCategoryRefs",
            array_of(&TRACKING_CATEGORY_REF_SCHEMA),
        ),
        field("tracking", FieldType::Object(&DIRECT_COST_TRACKING_SCHEMA)),
    ],
};

pub(crate) static DIRECT_COST_TRACKING_SCHEMA: Schema = Schema {
    type_name: "DirectCostTracking",
    fields: &[
        field("recordRefs", array_of(&TRACKING_RECORD_REF_SCHEMA)),
        field("invoiceTo", FieldType::Object(&RECORD_REF_SCHEMA)),
    ],
};
