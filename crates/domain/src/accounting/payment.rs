//! Payments received from customers against invoices, credit notes and the like.

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, CUSTOMER_REF_SCHEMA, CustomerRef, METADATA_SCHEMA, Metadata,
    PAYMENT_METHOD_REF_SCHEMA, PaymentMethodRef, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData,
    array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// Money received from a customer, allocated over invoices, credit notes and the like.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<CustomerRef>,
    /// The account the money went into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_ref: Option<PaymentMethodRef>,
    /// The payment in its own currency; it never changes once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the payment currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    pub date: CodatDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How the payment is split over the records it settles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<PaymentLine>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
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

/// A part of a payment and the records it settles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentLine {
    /// The part of the payment this line carries.
    pub amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<PaymentLineLink>>,
    /// When this part was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_on_date: Option<CodatDateTime>,
}

/// A record a payment line settles. A negative amount reduces what the customer owes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentLineLink {
    #[serde(rename = "type")]
    pub kind: PaymentLinkType,
    /// Id of the linked record (absent for unlinked and on-account amounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Effect on the linked record, in the record's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Rate from the payment's currency to the linked record's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
}

codat_enum! {
    /// What a payment line is linked to.
    pub enum PaymentLinkType {
        Unknown = "Unknown",
        Unlinked = "Unlinked",
        Invoice = "Invoice",
        CreditNote = "CreditNote",
        Other = "Other",
        Refund = "Refund",
        Payment = "Payment",
        PaymentOnAccount = "PaymentOnAccount",
        ManualJournal = "ManualJournal",
        Discount = "Discount",
    }
}

/// The fields of a payment that a `query` or `orderBy` may name.
pub static PAYMENT_SCHEMA: Schema = Schema {
    type_name: "Payment",
    fields: &[
        field("id", FieldType::String),
        field("customerRef", FieldType::Object(&CUSTOMER_REF_SCHEMA)),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field(
            "paymentMethodRef",
            FieldType::Object(&PAYMENT_METHOD_REF_SCHEMA),
        ),
        field("totalAmount", FieldType::Number),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("date", FieldType::DateTime),
        field("note", FieldType::String),
        field("lines", array_of(&PAYMENT_LINE_SCHEMA)),
        field("reference", FieldType::String),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static PAYMENT_LINE_SCHEMA: Schema = Schema {
    type_name: "PaymentLine",
    fields: &[
        field("amount", FieldType::Number),
        field("links", array_of(&PAYMENT_LINE_LINK_SCHEMA)),
        field("allocatedOnDate", FieldType::DateTime),
    ],
};

pub(crate) static PAYMENT_LINE_LINK_SCHEMA: Schema = Schema {
    type_name: "PaymentLineLink",
    fields: &[
        field("type", FieldType::Enum(PaymentLinkType::VALUES)),
        field("id", FieldType::String),
        field("amount", FieldType::Number),
        field("currencyRate", FieldType::Number),
    ],
};
