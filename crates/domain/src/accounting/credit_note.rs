//! Credit notes: amounts the business owes back to a customer.

use serde::{Deserialize, Serialize};

use super::common::{
    CUSTOMER_REF_SCHEMA, CustomerRef, METADATA_SCHEMA, Metadata, PAYMENT_ALLOCATION_SCHEMA,
    PaymentAllocation, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData, WITHHOLDING_TAX_SCHEMA,
    WithholdingTax, array_of,
};
use super::datetime::CodatDateTime;
use super::invoice::{INVOICE_LINE_ITEM_SCHEMA, InvoiceLineItem};
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// A credit note issued to a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditNote {
    /// The record's id in the accounting platform.
    pub id: String,
    /// The number people use for the credit note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_note_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<CustomerRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_tax: Option<Vec<WithholdingTax>>,
    pub total_amount: Money,
    pub total_discount: Money,
    pub sub_total: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_tax_percentage: Option<Money>,
    pub total_tax_amount: Money,
    /// Discount as a percentage from 0 to 100.
    pub discount_percentage: Money,
    /// Credit not yet used up.
    pub remaining_credit: Money,
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
    /// The lines, shaped exactly like an invoice's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_items: Option<Vec<InvoiceLineItem>>,
    /// Where the credit has been applied or refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_allocations: Option<Vec<PaymentAllocation>>,
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

codat_enum! {
    /// Where a credit note (sales or purchase side) is in its life.
    pub enum CreditNoteStatus {
        Unknown = "Unknown",
        Draft = "Draft",
        Submitted = "Submitted",
        Paid = "Paid",
        Void = "Void",
        PartiallyPaid = "PartiallyPaid",
    }
}

/// The fields of a credit note that a `query` or `orderBy` may name.
pub static CREDIT_NOTE_SCHEMA: Schema = Schema {
    type_name: "CreditNote",
    fields: &[
        field("id", FieldType::String),
        field("creditNoteNumber", FieldType::String),
        field("customerRef", FieldType::Object(&CUSTOMER_REF_SCHEMA)),
        field("withholdingTax", array_of(&WITHHOLDING_TAX_SCHEMA)),
        field("totalAmount", FieldType::Number),
        field("totalDiscount", FieldType::Number),
        field("subTotal", FieldType::Number),
        field("additionalTaxAmount", FieldType::Number),
        field("additionalTaxPercentage", FieldType::Number),
        field("totalTaxAmount", FieldType::Number),
        field("discountPercentage", FieldType::Number),
        field("remainingCredit", FieldType::Number),
        field("status", FieldType::Enum(CreditNoteStatus::VALUES)),
        field("issueDate", FieldType::DateTime),
        field("allocatedOnDate", FieldType::DateTime),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("lineItems", array_of(&INVOICE_LINE_ITEM_SCHEMA)),
        field("paymentAllocations", array_of(&PAYMENT_ALLOCATION_SCHEMA)),
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
