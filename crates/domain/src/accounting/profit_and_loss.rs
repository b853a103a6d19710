//! The profit and loss statement: income, costs and profit over each period.

use serde::{Deserialize, Serialize};

use super::datetime::CodatDateTime;
use super::money::Money;
use super::report::{ReportBasis, ReportLine};

/// Profit and loss statements for a run of periods, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfitAndLoss {
    pub reports: Vec<ProfitAndLossPeriod>,
    pub report_basis: ReportBasis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The latest month a statement can be produced for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub most_recent_available_month: Option<CodatDateTime>,
    /// The earliest month a statement can be produced for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_available_month: Option<CodatDateTime>,
}

/// The profit and loss statement for one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfitAndLossPeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<ReportLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_of_sales: Option<ReportLine>,
    /// Income less cost of sales.
    pub gross_profit: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expenses: Option<ReportLine>,
    /// Gross profit less expenses.
    pub net_operating_profit: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_expenses: Option<ReportLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_income: Option<ReportLine>,
    /// Other income less other expenses.
    pub net_other_income: Money,
    /// Net operating profit plus net other income.
    pub net_profit: Money,
}
