//! Bill credit notes: amounts a supplier owes back to the business.

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, ITEM_REF_SCHEMA, ItemRef, LINE_REF_SCHEMA, LineRef,
    METADATA_SCHEMA, Metadata, PAYABLES_TRACKING_SCHEMA, PAYMENT_ALLOCATION_SCHEMA,
    PayablesTracking, PaymentAllocation, RECORD_REF_SCHEMA, RecordRef, SUPPLEMENTAL_DATA_SCHEMA,
    SUPPLIER_REF_SCHEMA, SupplementalData, SupplierRef, TAX_RATE_REF_SCHEMA,
    TRACKING_CATEGORY_REF_SCHEMA, TaxRateRef, TrackingCategoryRef, WITHHOLDING_TAX_SCHEMA,
    WithholdingTax, array_of,
};
use super::credit_note::CreditNoteStatus;
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// A credit note received from a supplier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillCreditNote {
    /// The record's id in the accounting platform.
    pub id: String,
    /// The number people use for the credit note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_credit_note_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_ref: Option<SupplierRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_tax: Option<Vec<WithholdingTax>>,
    pub total_amount: Money,
    pub total_discount: Money,
    pub sub_total: Money,
    pub total_tax_amount: Money,
    /// Discount as a percentage from 0 to 100.
    pub discount_percentage: Money,
    /// Credit not yet used up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_credit: Option<Money>,
    pub status: CreditNoteStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<CodatDateTime>,
    /// When the credit was (last) applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_on_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the credit note currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<BillCreditNoteLineItem>>,
    /// Where the credit has been applied or refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_allocations: Option<Vec<PaymentAllocation>>,
    /// Records (such as bills) this credit note was raised from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_from_refs: Option<Vec<RecordRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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

/// One line of a bill credit note.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillCreditNoteLineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub unit_amount: Money,
    pub quantity: Money,
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
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_percentage: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<TaxRateRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_ref: Option<ItemRef>,
    /// The bill or purchase order line this line was raised from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_from_line_ref: Option<LineRef>,
    /// Superseded by `tracking.categoryRefs`; kept because clients still read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_category_refs: Option<Vec<TrackingCategoryRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<PayablesTracking>,
}

/// The fields of a bill credit note that a `query` or `orderBy` may name.
pub static BILL_CREDIT_NOTE_SCHEMA: Schema = Schema {
    type_name: "BillCreditNote",
    fields: &[
        field("id", FieldType::String),
        field("billCreditNoteNumber", FieldType::String),
        field("supplierRef", FieldType::Object(&SUPPLIER_REF_SCHEMA)),
        field("withholdingTax", array_of(&WITHHOLDING_TAX_SCHEMA)),
        field("totalAmount", FieldType::Number),
        field("totalDiscount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("totalTaxAmount", FieldType::Number),
        field("discountPercentage", FieldType::Number),
        field("remainingCredit", FieldType::Number),
        field("status", FieldType::Enum(CreditNoteStatus::VALUES)),
        field("issueDate", FieldType::DateTime),
        field("allocatedOnDate", FieldType::DateTime),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lineItems", array_of(&BILL_CREDIT_NOTE_LINE_ITEM_SCHEMA)),
        field("paymentAllocations", array_of(&PAYMENT_ALLOCATION_SCHEMA)),
        field("createdFromRefs", array_of(&RECORD_REF_SCHEMA)),
        field("note", FieldType::String),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static BILL_CREDIT_NOTE_LINE_ITEM_SCHEMA: Schema = Schema {
    type_name: "BillCreditNoteLineItem",
    fields: &[
        field("description", FieldType::String),
        field("unitAmount", FieldType::Number),
        field("quantity", FieldType::Number),
        field("unitOfMeasurement", FieldType::String),
        field("discountAmount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("taxAmount", FieldType::Number),
        field("totalAmount", FieldType::Number),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("discountPercentage", FieldType::Number),
        field("taxRateRef", FieldType::Object(&TAX_RATE_REF_SCHEMA)),
        field("itemRef", FieldType::Object(&ITEM_REF_SCHEMA)),
        field("createdFromLineRef", FieldType::Object(&LINE_REF_SCHEMA)),
        field(
            "trackingCategoryRefs",
            array_of(&TRACKING_CATEGORY_REF_SCHEMA),
        ),
        field("tracking", FieldType::Object(&PAYABLES_TRACKING_SCHEMA)),
    ],
};
