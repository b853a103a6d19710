//! Aged debtor and aged creditor reports: outstanding amounts grouped by how overdue they
//! are.

use serde::{Deserialize, Serialize};

use super::datetime::CodatDateTime;
use super::money::Money;

/// What customers owe, grouped by how long it has been outstanding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedDebtorReport {
    /// When the report was produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<CodatDateTime>,
    /// The date the ageing is measured from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<AgedDebtor>>,
}

/// What one customer owes, per currency and ageing period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedDebtor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aged_currency_outstanding: Option<Vec<AgedCurrencyOutstanding>>,
}

/// What the business owes suppliers, grouped by how long it has been outstanding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedCreditorReport {
    /// When the report was produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<CodatDateTime>,
    /// The date the ageing is measured from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<AgedCreditor>>,
}

/// What the business owes one supplier, per currency and ageing period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedCreditor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aged_currency_outstanding: Option<Vec<AgedCurrencyOutstanding>>,
}

/// Outstanding amounts in one currency, per ageing period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedCurrencyOutstanding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aged_outstanding_amounts: Option<Vec<AgedOutstandingAmount>>,
}

/// The amount outstanding for one ageing period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedOutstandingAmount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<AgedOutstandingAmountDetail>>,
}

/// Part of an outstanding amount, by the kind of record it comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgedOutstandingAmountDetail {
    /// The kind of record, e.g. `Invoices`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}
