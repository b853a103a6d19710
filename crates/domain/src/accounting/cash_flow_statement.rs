//! The cash flow statement: cash received and paid over each period.

use serde::{Deserialize, Serialize};

use super::datetime::CodatDateTime;
use super::report::{ReportBasis, ReportLine};

/// Cash flow statements for a run of periods, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CashFlowStatement {
    pub reports: Vec<CashFlowPeriod>,
    pub report_basis: ReportBasis,
    pub report_input: ReportInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The latest month a statement can be produced for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub most_recent_available_month: Option<CodatDateTime>,
    /// The earliest month a statement can be produced for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_available_month: Option<CodatDateTime>,
}

/// The cash flow statement for one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CashFlowPeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_receipts: Option<ReportLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_payments: Option<ReportLine>,
}

codat_enum! {
    /// Whether a cash flow statement is derived indirectly (from profit) or directly (from
    /// cash movements).
    pub enum ReportInput {
        Unknown = "Unknown",
        Indirect = "Indirect",
        Direct = "Direct",
    }
}
