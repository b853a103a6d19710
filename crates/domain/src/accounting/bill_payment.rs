//! Bill payments: money paid to suppliers against bills, or refunds received from them.

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, METADATA_SCHEMA, Metadata, PAYMENT_METHOD_REF_SCHEMA,
    PaymentMethodRef, SUPPLEMENTAL_DATA_SCHEMA, SUPPLIER_REF_SCHEMA, SupplementalData, SupplierRef,
    array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// Money paid to a supplier (or refunded by one), allocated over bills and credits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillPayment {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_ref: Option<SupplierRef>,
    /// The account the money came out of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    /// The payment in its own currency.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_ref: Option<PaymentMethodRef>,
    /// How the payment is split over the records it settles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<BillPaymentLine>>,
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

/// A part of a bill payment and the records it settles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillPaymentLine {
    /// The part of the payment this line carries.
    pub amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<BillPaymentLineLink>>,
    /// When this part was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_on_date: Option<CodatDateTime>,
}

/// A record a bill payment line settles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillPaymentLineLink {
    #[serde(rename = "type")]
    pub kind: BillPaymentLinkType,
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
    /// What a bill payment line is linked to.
    pub enum BillPaymentLinkType {
        Unknown = "Unknown",
        Unlinked = "Unlinked",
        Bill = "Bill",
        Other = "Other",
        CreditNote = "CreditNote",
        BillPayment = "BillPayment",
        PaymentOnAccount = "PaymentOnAccount",
        Refund = "Refund",
        ManualJournal = "ManualJournal",
        Discount = "Discount",
    }
}

/// The fields of a bill payment that a `query` or `orderBy` may name.
pub static BILL_PAYMENT_SCHEMA: Schema = Schema {
    type_name: "BillPayment",
    fields: &[
        field("id", FieldType::String),
        field("supplierRef", FieldType::Object(&SUPPLIER_REF_SCHEMA)),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("totalAmount", FieldType::Number),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("date", FieldType::DateTime),
        field("note", FieldType::String),
        field(
            "paymentMethodRef",
            FieldType::Object(&PAYMENT_METHOD_REF_SCHEMA),
        ),
        field("lines", array_of(&BILL_PAYMENT_LINE_SCHEMA)),
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

pub(crate) static BILL_PAYMENT_LINE_SCHEMA: Schema = Schema {
    type_name: "BillPaymentLine",
    fields: &[
        field("amount", FieldType::Number),
        field("links", array_of(&BILL_PAYMENT_LINE_LINK_SCHEMA)),
        field("allocatedOnDate", FieldType::DateTime),
    ],
};

pub(crate) static BILL_PAYMENT_LINE_LINK_SCHEMA: Schema = Schema {
    type_name: "BillPaymentLineLink",
    fields: &[
        field("type", FieldType::Enum(BillPaymentLinkType::VALUES)),
        field("id", FieldType::String),
        field("amount", FieldType::Number),
        field("currencyRate", FieldType::Number),
    ],
};
