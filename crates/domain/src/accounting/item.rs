//! Items: the products and services the business buys and sells.

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, METADATA_SCHEMA, Metadata, RecordStatus, TAX_RATE_REF_SCHEMA,
    TaxRateRef,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// A product or service the business buys or sells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The item's short code or SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub item_status: RecordStatus,
    #[serde(rename = "type")]
    pub kind: ItemType,
    /// Whether the item can appear on bills.
    pub is_bill_item: bool,
    /// Defaults when the item is bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_item: Option<ItemDetails>,
    /// Whether the item can appear on invoices.
    pub is_invoice_item: bool,
    /// Defaults when the item is sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_item: Option<ItemDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// When ledgerbridge last changed its copy of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<CodatDateTime>,
    /// When the record last changed in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_modified_date: Option<CodatDateTime>,
}

/// Defaults for an item on one side (buying or selling).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default price per unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_ref: Option<TaxRateRef>,
}

codat_enum! {
    /// What kind of thing an item is.
    pub enum ItemType {
        Unknown = "Unknown",
        Inventory = "Inventory",
        NonInventory = "NonInventory",
        Service = "Service",
    }
}

/// The fields of an item that a `query` or `orderBy` may name.
pub static ITEM_SCHEMA: Schema = Schema {
    type_name: "Item",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
        field("code", FieldType::String),
        field("itemStatus", FieldType::Enum(RecordStatus::VALUES)),
        field("type", FieldType::Enum(ItemType::VALUES)),
        field("isBillItem", FieldType::Boolean),
        field("billItem", FieldType::Object(&ITEM_DETAILS_SCHEMA)),
        field("isInvoiceItem", FieldType::Boolean),
        field("invoiceItem", FieldType::Object(&ITEM_DETAILS_SCHEMA)),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static ITEM_DETAILS_SCHEMA: Schema = Schema {
    type_name: "ItemDetails",
    fields: &[
        field("description", FieldType::String),
        field("unitPrice", FieldType::Number),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("taxRateRef", FieldType::Object(&TAX_RATE_REF_SCHEMA)),
    ],
};
