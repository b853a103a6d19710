//! The balance sheet: assets, liabilities and equity at the end of each period.

use serde::{Deserialize, Serialize};

use super::datetime::CodatDateTime;
use super::money::Money;
use super::report::ReportLine;

/// Balance sheets for a run of periods, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceSheet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub reports: Vec<BalanceSheetPeriod>,
    /// The latest month a balance sheet can be produced for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub most_recent_available_month: Option<CodatDateTime>,
    /// The earliest month a balance sheet can be produced for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_available_month: Option<CodatDateTime>,
}

/// The balance sheet at one date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceSheetPeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assets: Option<ReportLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liabilities: Option<ReportLine>,
    /// Assets minus liabilities.
    pub net_assets: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equity: Option<ReportLine>,
}
