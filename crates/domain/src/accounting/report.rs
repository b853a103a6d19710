//! Building blocks of the financial statements.

use serde::{Deserialize, Serialize};

use super::money::Money;

/// One line of a financial statement, possibly broken down into further lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportLine {
    /// The account behind the line, when it is a single account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The line's total, including its sub-lines.
    pub value: Money,
    /// The lines this one is made of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ReportLine>>,
}

codat_enum! {
    /// Whether a statement is prepared on the accrual or the cash basis.
    pub enum ReportBasis {
        Unknown = "Unknown",
        Accrual = "Accrual",
        Cash = "Cash",
    }
}
