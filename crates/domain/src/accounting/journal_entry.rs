//! Journal entries: the double-entry lines every transaction posts to the general ledger.

use serde::{Deserialize, Serialize};

use super::common::{
    ACCOUNT_REF_SCHEMA, AccountRef, CONTACT_REF_SCHEMA, ContactRef, JOURNAL_REF_SCHEMA, JournalRef,
    METADATA_SCHEMA, Metadata, SUPPLEMENTAL_DATA_SCHEMA, SupplementalData,
    TRACKING_RECORD_REF_SCHEMA, TRANSACTION_RECORD_REF_SCHEMA, TrackingRecordRef,
    TransactionRecordRef, array_of,
};
use super::datetime::CodatDateTime;
use super::money::Money;
use crate::schema::{FieldType, Schema, field};

/// A journal entry: lines posted together to the general ledger, which should balance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// The record's id in the accounting platform.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the entry hit the ledger (may be before it was created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_on: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_on: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_ref: Option<JournalRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_lines: Option<Vec<JournalLine>>,
    /// The transaction that produced this entry, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_ref: Option<TransactionRecordRef>,
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

/// One line of a journal entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Amount in the company's base currency: debits positive, credits negative.
    pub net_amount: Money,
    /// Amount in the transaction's own currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_amount: Option<Money>,
    /// Currency of `netAmount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Currency of `transactionAmount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ref: Option<AccountRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<JournalLineTracking>,
    /// The customer or supplier the line concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_ref: Option<ContactRef>,
}

/// What a journal line is tracked against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalLineTracking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_refs: Option<Vec<TrackingRecordRef>>,
}

/// The fields of a journal entry that a `query` or `orderBy` may name.
pub static JOURNAL_ENTRY_SCHEMA: Schema = Schema {
    type_name: "JournalEntry",
    fields: &[
        field("id", FieldType::String),
        field("description", FieldType::String),
        field("postedOn", FieldType::DateTime),
        field("createdOn", FieldType::DateTime),
        field("updatedOn", FieldType::DateTime),
        field("journalRef", FieldType::Object(&JOURNAL_REF_SCHEMA)),
        field("journalLines", array_of(&JOURNAL_LINE_SCHEMA)),
        field(
            "recordRef",
            FieldType::Object(&TRANSACTION_RECORD_REF_SCHEMA),
        ),
        field("metadata", FieldType::Object(&METADATA_SCHEMA)),
        field(
            "supplementalData",
            FieldType::Object(&SUPPLEMENTAL_DATA_SCHEMA),
        ),
        field("modifiedDate", FieldType::DateTime),
        field("sourceModifiedDate", FieldType::DateTime),
    ],
};

pub(crate) static JOURNAL_LINE_SCHEMA: Schema = Schema {
    type_name: "JournalLine",
    fields: &[
        field("description", FieldType::String),
        field("netAmount", FieldType::Number),
        field("transactionAmount", FieldType::Number),
        field("currency", FieldType::String),
        field("transactionCurrency", FieldType::String),
        field("accountRef", FieldType::Object(&ACCOUNT_REF_SCHEMA)),
        field("tracking", FieldType::Object(&JOURNAL_LINE_TRACKING_SCHEMA)),
        field("contactRef", FieldType::Object(&CONTACT_REF_SCHEMA)),
    ],
};

pub(crate) static JOURNAL_LINE_TRACKING_SCHEMA: Schema = Schema {
    type_name: "JournalLineTracking",
    fields: &[field("recordRefs", array_of(&TRACKING_RECORD_REF_SCHEMA))],
};
