//! Sub-objects shared by many data types: references to other records, addresses and phone
//! numbers, payment allocations, withholding tax, tracking, metadata, and the status enums more
//! than one type uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// An array field in a record schema. Codat cannot query into arrays (`lineItems.unitAmount`
/// is refused), so none of ours is queryable; the item schema documents the shape.
pub(crate) const fn array_of(item: &'static Schema) -> FieldType {
    FieldType::Array {
        item,
        queryable: false,
    }
}

/// Item schema of an array of strings, which has no fields of its own.
pub(crate) static STRING_LIST: Schema = Schema {
    type_name: "String",
    fields: &[],
};

/// `supplementalData.content`: keys are chosen per client, so nothing inside is queryable.
pub(crate) static SUPPLEMENTAL_CONTENT: Schema = Schema {
    type_name: "SupplementalDataContent",
    fields: &[],
};

/// Bookkeeping about a record itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Set once the record has been deleted in the source platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<bool>,
}

/// Extra source-platform fields a client asked Codat to fetch, keyed by the name they were
/// configured under.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupplementalData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<BTreeMap<String, serde_json::Map<String, serde_json::Value>>>,
}

/// Points at an account of the chart of accounts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Points at a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
}

/// Points at a supplier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupplierRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_name: Option<String>,
}

/// Points at a tax rate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxRateRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The rate actually applied, as a percentage (`20` for 20%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_tax_rate: Option<Money>,
}

/// Points at an item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Points at a tracking category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackingCategoryRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Points at a project.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Points at a payment method.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Points at a journal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Points at a bank account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankAccountRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Points at a record of any data type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The data type key of the record pointed at, e.g. `accounts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
}

/// Points at the customer or supplier a transaction was with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<ContactType>,
}

codat_enum! {
    /// Whether a contact reference is a customer or a supplier.
    pub enum ContactType {
        Customers = "customers",
        Suppliers = "suppliers",
        /// Not one of Codat's values: what an unrecognised value reads as.
        Unknown = "Unknown",
    }
}

/// A customer, supplier or tracking category a line is tracked against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackingRecordRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<TrackingRecordType>,
}

codat_enum! {
    /// What a tracking reference points at.
    pub enum TrackingRecordType {
        Customers = "customers",
        Suppliers = "suppliers",
        TrackingCategories = "trackingCategories",
        /// Not one of Codat's values: what an unrecognised value reads as.
        Unknown = "Unknown",
    }
}

/// Points at the transaction (invoice, payment, ...) a ledger entry or line comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionRecordRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<TransactionRecordType>,
}

codat_enum! {
    /// Data types a ledger entry can come from.
    pub enum TransactionRecordType {
        BankTransactions = "bankTransactions",
        BillCreditNotes = "billCreditNotes",
        BillPayments = "billPayments",
        Bills = "bills",
        CreditNotes = "creditNotes",
        DirectCosts = "directCosts",
        DirectIncomes = "directIncomes",
        Invoices = "invoices",
        JournalEntries = "journalEntries",
        Payments = "payments",
        Transfers = "transfers",
        /// Not one of Codat's values: what an unrecognised value reads as.
        Unknown = "Unknown",
    }
}

/// Points at one line of a purchase order or bill.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<LineRefType>,
    /// The line's number within its record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_number: Option<String>,
}

codat_enum! {
    /// Records whose lines a [`LineRef`] can point at.
    pub enum LineRefType {
        PurchaseOrders = "purchaseOrders",
        Bills = "bills",
        /// Not one of Codat's values: what an unrecognised value reads as.
        Unknown = "Unknown",
    }
}

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(rename = "type")]
    pub kind: AddressType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

codat_enum! {
    /// What an address is used for.
    pub enum AddressType {
        Unknown = "Unknown",
        Billing = "Billing",
        Delivery = "Delivery",
    }
}

/// A phone number and its kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumber {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(rename = "type")]
    pub kind: PhoneNumberType,
}

codat_enum! {
    /// The kind of a phone number.
    pub enum PhoneNumberType {
        Primary = "Primary",
        Landline = "Landline",
        Mobile = "Mobile",
        Fax = "Fax",
        Unknown = "Unknown",
    }
}

/// A payment, credit note or similar applied to a record, and how much of it went there.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentAllocation {
    pub payment: AllocatedPayment,
    pub allocation: Allocation,
}

/// The payment side of a [`PaymentAllocation`], in the payment's currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocatedPayment {
    /// Id of the payment (or credit note, ...) that was allocated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The account the payment was made into or out of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the payment's currency to the company's base currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on_date: Option<CodatDateTime>,
    /// The whole payment, in its own currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
}

/// The part of a payment allocated to this record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Rate from the payment's currency to the record's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_on_date: Option<CodatDateTime>,
    /// Amount allocated, in the record's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Money>,
}

/// Tax withheld at source and deducted from the amount paid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WithholdingTax {
    pub name: String,
    pub amount: Money,
}

/// How a sales-side line is tracked: categories, customer, project and rebilling.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivablesTracking {
    pub category_refs: Vec<TrackingCategoryRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<CustomerRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_ref: Option<ProjectRef>,
    pub is_billed_to: ReceivablesBilledTo,
    pub is_rebilled_to: ReceivablesBilledTo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_ref: Option<RecordRef>,
}

codat_enum! {
    /// Who a sales-side line is billed or rebilled to.
    pub enum ReceivablesBilledTo {
        Unknown = "Unknown",
        NotApplicable = "NotApplicable",
        Project = "Project",
    }
}

/// How a purchase-side line is tracked: categories, customer, project and rebilling.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayablesTracking {
    pub category_refs: Vec<TrackingCategoryRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<CustomerRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_ref: Option<ProjectRef>,
    pub is_billed_to: PayablesBilledTo,
    pub is_rebilled_to: PayablesBilledTo,
}

codat_enum! {
    /// Who a purchase-side line is billed or rebilled to.
    pub enum PayablesBilledTo {
        Unknown = "Unknown",
        NotApplicable = "NotApplicable",
        Customer = "Customer",
        Project = "Project",
    }
}

/// The data types whose records may point at this one, and through which field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidDataTypeLinks {
    /// The linking field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// The data types that may link here through `property`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<String>>,
}

/// Where and to whom an order is delivered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipTo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ShipToContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// The person receiving a delivery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipToContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

codat_enum! {
    /// Whether a record is in use.
    pub enum RecordStatus {
        Unknown = "Unknown",
        Active = "Active",
        Archived = "Archived",
    }
}

codat_enum! {
    /// Whether an account is in use.
    pub enum AccountStatus {
        Unknown = "Unknown",
        Active = "Active",
        Archived = "Archived",
        Pending = "Pending",
    }
}

codat_enum! {
    /// How far a bank-side transaction has been reconciled.
    pub enum TransactionStatus {
        Unknown = "Unknown",
        Unreconciled = "Unreconciled",
        Reconciled = "Reconciled",
        Void = "Void",
    }
}

codat_enum! {
    /// Where a purchase or sales order is in its life.
    pub enum OrderStatus {
        Unknown = "Unknown",
        Draft = "Draft",
        Open = "Open",
        Closed = "Closed",
        Void = "Void",
    }
}

pub(crate) static METADATA_SCHEMA: Schema = Schema {
    type_name: "Metadata",
    fields: &[field("isDeleted", FieldType::Boolean)],
};

pub(crate) static SUPPLEMENTAL_DATA_SCHEMA: Schema = Schema {
    type_name: "SupplementalData",
    fields: &[field("content", FieldType::Object(&SUPPLEMENTAL_CONTENT))],
};

pub(crate) static ACCOUNT_REF_SCHEMA: Schema = Schema {
    type_name: "AccountRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
    ],
};

pub(crate) static CUSTOMER_REF_SCHEMA: Schema = Schema {
    type_name: "CustomerRef",
    fields: &[
        field("id", FieldType::String),
        field("companyName", FieldType::String),
    ],
};

pub(crate) static SUPPLIER_REF_SCHEMA: Schema = Schema {
    type_name: "SupplierRef",
    fields: &[
        field("id", FieldType::String),
        field("supplierName", FieldType::String),
    ],
};

pub(crate) static TAX_RATE_REF_SCHEMA: Schema = Schema {
    type_name: "TaxRateRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
        field("effectiveTaxRate", FieldType::Number),
    ],
};

pub(crate) static ITEM_REF_SCHEMA: Schema = Schema {
    type_name: "ItemRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
    ],
};

pub(crate) static TRACKING_CATEGORY_REF_SCHEMA: Schema = Schema {
    type_name: "TrackingCategoryRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
    ],
};

pub(crate) static PROJECT_REF_SCHEMA: Schema = Schema {
    type_name: "ProjectRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
    ],
};

pub(crate) static PAYMENT_METHOD_REF_SCHEMA: Schema = Schema {
    type_name: "PaymentMethodRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
    ],
};

pub(crate) static JOURNAL_REF_SCHEMA: Schema = Schema {
    type_name: "JournalRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
    ],
};

pub(crate) static BANK_ACCOUNT_REF_SCHEMA: Schema = Schema {
    type_name: "BankAccountRef",
    fields: &[
        field("id", FieldType::String),
        field("name", FieldType::String),
    ],
};

pub(crate) static RECORD_REF_SCHEMA: Schema = Schema {
    type_name: "RecordRef",
    fields: &[
        field("id", FieldType::String),
        field("dataType", FieldType::String),
    ],
};

pub(crate) static CONTACT_REF_SCHEMA: Schema = Schema {
    type_name: "ContactRef",
    fields: &[
        field("id", FieldType::String),
        field("dataType", FieldType::Enum(ContactType::VALUES)),
    ],
};

pub(crate) static TRACKING_RECORD_REF_SCHEMA: Schema = Schema {
    type_name: "TrackingRecordRef",
    fields: &[
        field("id", FieldType::String),
        field("dataType", FieldType::Enum(TrackingRecordType::VALUES)),
    ],
};

pub(crate) static TRANSACTION_RECORD_REF_SCHEMA: Schema = Schema {
    type_name: "TransactionRecordRef",
    fields: &[
        field("id", FieldType::String),
        field("dataType", FieldType::Enum(TransactionRecordType::VALUES)),
    ],
};

pub(crate) static LINE_REF_SCHEMA: Schema = Schema {
    type_name: "LineRef",
    fields: &[
        field("id", FieldType::String),
        field("dataType", FieldType::Enum(LineRefType::VALUES)),
        field("lineNumber", FieldType::String),
    ],
};

pub(crate) static ADDRESS_SCHEMA: Schema = Schema {
    type_name: "Address",
    fields: &[
        field("type", FieldType::Enum(AddressType::VALUES)),
        field("line1", FieldType::String),
        field("line2", FieldType::String),
        field("city", FieldType::String),
        field("region", FieldType::String),
        field("country", FieldType::String),
        field("postalCode", FieldType::String),
    ],
};

pub(crate) static PHONE_NUMBER_SCHEMA: Schema = Schema {
    type_name: "PhoneNumber",
    fields: &[
        field("number", FieldType::String),
        field("type", FieldType::Enum(PhoneNumberType::VALUES)),
    ],
};

pub(crate) static PAYMENT_ALLOCATION_SCHEMA: Schema = Schema {
    type_name: "PaymentAllocation",
    fields: &[
        field("payment", FieldType::Object(&ALLOCATED_PAYMENT_SCHEMA)),
        field("allocation", FieldType::Object(&ALLOCATION_SCHEMA)),
    ],
};

pub(crate) static ALLOCATED_PAYMENT_SCHEMA: Schema = Schema {
    type_name: "AllocatedPayment",
    fields: &[
        field("id", FieldType::String),
        field("note", FieldType::String),
        field("reference", FieldType::String),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("paidOnDate", FieldType::DateTime),
        field("totalAmount", FieldType::Number),
    ],
};

pub(crate) static ALLOCATION_SCHEMA: Schema = Schema {
    type_name: "Allocation",
    fields: &[
        field("currency", FieldType::String),
        field("currencyRate", FieldType::Number),
        field("allocatedOnDate", FieldType::DateTime),
        field("totalAmount", FieldType::Number),
    ],
};

pub(crate) static WITHHOLDING_TAX_SCHEMA: Schema = Schema {
    type_name: "WithholdingTax",
    fields: &[
        field("name", FieldType::String),
        field("amount", FieldType::Number),
    ],
};

pub(crate) static RECEIVABLES_TRACKING_SCHEMA: Schema = Schema {
    type_name: "ReceivablesTracking",
    fields: &[
        field("categoryRefs", array_of(&TRACKING_CATEGORY_REF_SCHEMA)),
        field("customerRef", FieldType::Object(&CUSTOMER_REF_SCHEMA)),
        field("projectRef", FieldType::Object(&PROJECT_REF_SCHEMA)),
        field("isBilledTo", FieldType::Enum(ReceivablesBilledTo::VALUES)),
        field("isRebilledTo", FieldType::Enum(ReceivablesBilledTo::VALUES)),
        field("recordRef", FieldType::Object(&RECORD_REF_SCHEMA)),
    ],
};

pub(crate) static PAYABLES_TRACKING_SCHEMA: Schema = Schema {
    type_name: "PayablesTracking",
    fields: &[
        field("categoryRefs", array_of(&TRACKING_CATEGORY_REF_SCHEMA)),
        field("customerRef", FieldType::Object(&CUSTOMER_REF_SCHEMA)),
        field("projectRef", FieldType::Object(&PROJECT_REF_SCHEMA)),
        field("isBilledTo", FieldType::Enum(PayablesBilledTo::VALUES)),
        field("isRebilledTo", FieldType::Enum(PayablesBilledTo::VALUES)),
    ],
};

pub(crate) static VALID_DATA_TYPE_LINKS_SCHEMA: Schema = Schema {
    type_name: "ValidDataTypeLinks",
    fields: &[
        field("property", FieldType::String),
        field("links", array_of(&STRING_LIST)),
    ],
};

pub(crate) static SHIP_TO_SCHEMA: Schema = Schema {
    type_name: "ShipTo",
    fields: &[
        field("contact", FieldType::Object(&SHIP_TO_CONTACT_SCHEMA)),
        field("address", FieldType::Object(&ADDRESS_SCHEMA)),
    ],
};

pub(crate) static SHIP_TO_CONTACT_SCHEMA: Schema = Schema {
    type_name: "ShipToContact",
    fields: &[
        field("name", FieldType::String),
        field("email", FieldType::String),
        field("phone", FieldType::String),
    ],
};
