//! The data types Codat syncs (`DataStatus.dataType`), with their wire keys.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of Codat's 43 data type keys.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum DataType {
    #[serde(rename = "accountTransactions")]
    AccountTransactions,
    #[serde(rename = "balanceSheet")]
    BalanceSheet,
    #[serde(rename = "bankAccounts")]
    BankAccounts,
    #[serde(rename = "bankTransactions")]
    BankTransactions,
    #[serde(rename = "billCreditNotes")]
    BillCreditNotes,
    #[serde(rename = "billPayments")]
    BillPayments,
    #[serde(rename = "bills")]
    Bills,
    #[serde(rename = "cashFlowStatement")]
    CashFlowStatement,
    #[serde(rename = "chartOfAccounts")]
    ChartOfAccounts,
    #[serde(rename = "company")]
    Company,
    #[serde(rename = "creditNotes")]
    CreditNotes,
    #[serde(rename = "customers")]
    Customers,
    #[serde(rename = "directCosts")]
    DirectCosts,
    #[serde(rename = "directIncomes")]
    DirectIncomes,
    #[serde(rename = "invoices")]
    Invoices,
    #[serde(rename = "itemReceipts")]
    ItemReceipts,
    #[serde(rename = "items")]
    Items,
    #[serde(rename = "journalEntries")]
    JournalEntries,
    #[serde(rename = "journals")]
    Journals,
    #[serde(rename = "paymentMethods")]
    PaymentMethods,
    #[serde(rename = "payments")]
    Payments,
    #[serde(rename = "profitAndLoss")]
    ProfitAndLoss,
    #[serde(rename = "purchaseOrders")]
    PurchaseOrders,
    #[serde(rename = "salesOrders")]
    SalesOrders,
    #[serde(rename = "suppliers")]
    Suppliers,
    #[serde(rename = "taxRates")]
    TaxRates,
    #[serde(rename = "trackingCategories")]
    TrackingCategories,
    #[serde(rename = "transfers")]
    Transfers,
    #[serde(rename = "banking-accountBalances")]
    BankingAccountBalances,
    #[serde(rename = "banking-accounts")]
    BankingAccounts,
    #[serde(rename = "banking-transactionCategories")]
    BankingTransactionCategories,
    #[serde(rename = "banking-transactions")]
    BankingTransactions,
    #[serde(rename = "commerce-companyInfo")]
    CommerceCompanyInfo,
    #[serde(rename = "commerce-customers")]
    CommerceCustomers,
    #[serde(rename = "commerce-disputes")]
    CommerceDisputes,
    #[serde(rename = "commerce-locations")]
    CommerceLocations,
    #[serde(rename = "commerce-orders")]
    CommerceOrders,
    #[serde(rename = "commerce-paymentMethods")]
    CommercePaymentMethods,
    #[serde(rename = "commerce-payments")]
    CommercePayments,
    #[serde(rename = "commerce-productCategories")]
    CommerceProductCategories,
    #[serde(rename = "commerce-products")]
    CommerceProducts,
    #[serde(rename = "commerce-taxComponents")]
    CommerceTaxComponents,
    #[serde(rename = "commerce-transactions")]
    CommerceTransactions,
}

impl DataType {
    /// Every data type, in Codat's enum order.
    pub const ALL: [DataType; 43] = [
        DataType::AccountTransactions,
        DataType::BalanceSheet,
        DataType::BankAccounts,
        DataType::BankTransactions,
        DataType::BillCreditNotes,
        DataType::BillPayments,
        DataType::Bills,
        DataType::CashFlowStatement,
        DataType::ChartOfAccounts,
        DataType::Company,
        DataType::CreditNotes,
        DataType::Customers,
        DataType::DirectCosts,
        DataType::DirectIncomes,
        DataType::Invoices,
        DataType::ItemReceipts,
        DataType::Items,
        DataType::JournalEntries,
        DataType::Journals,
        DataType::PaymentMethods,
        DataType::Payments,
        DataType::ProfitAndLoss,
        DataType::PurchaseOrders,
        DataType::SalesOrders,
        DataType::Suppliers,
        DataType::TaxRates,
        DataType::TrackingCategories,
        DataType::Transfers,
        DataType::BankingAccountBalances,
        DataType::BankingAccounts,
        DataType::BankingTransactionCategories,
        DataType::BankingTransactions,
        DataType::CommerceCompanyInfo,
        DataType::CommerceCustomers,
        DataType::CommerceDisputes,
        DataType::CommerceLocations,
        DataType::CommerceOrders,
        DataType::CommercePaymentMethods,
        DataType::CommercePayments,
        DataType::CommerceProductCategories,
        DataType::CommerceProducts,
        DataType::CommerceTaxComponents,
        DataType::CommerceTransactions,
    ];

    /// The wire key, e.g. `chartOfAccounts`.
    pub fn key(self) -> &'static str {
        self.key_const()
    }

    /// [`DataType::key`], usable in constants.
    pub const fn key_const(self) -> &'static str {
        match self {
            DataType::AccountTransactions => "accountTransactions",
            DataType::BalanceSheet => "balanceSheet",
            DataType::BankAccounts => "bankAccounts",
            DataType::BankTransactions => "bankTransactions",
            DataType::BillCreditNotes => "billCreditNotes",
            DataType::BillPayments => "billPayments",
            DataType::Bills => "bills",
            DataType::CashFlowStatement => "cashFlowStatement",
            DataType::ChartOfAccounts => "chartOfAccounts",
            DataType::Company => "company",
            DataType::CreditNotes => "creditNotes",
            DataType::Customers => "customers",
            DataType::DirectCosts => "directCosts",
            DataType::DirectIncomes => "directIncomes",
            DataType::Invoices => "invoices",
            DataType::ItemReceipts => "itemReceipts",
            DataType::Items => "items",
            DataType::JournalEntries => "journalEntries",
            DataType::Journals => "journals",
            DataType::PaymentMethods => "paymentMethods",
            DataType::Payments => "payments",
            DataType::ProfitAndLoss => "profitAndLoss",
            DataType::PurchaseOrders => "purchaseOrders",
            DataType::SalesOrders => "salesOrders",
            DataType::Suppliers => "suppliers",
            DataType::TaxRates => "taxRates",
            DataType::TrackingCategories => "trackingCategories",
            DataType::Transfers => "transfers",
            DataType::BankingAccountBalances => "banking-accountBalances",
            DataType::BankingAccounts => "banking-accounts",
            DataType::BankingTransactionCategories => "banking-transactionCategories",
            DataType::BankingTransactions => "banking-transactions",
            DataType::CommerceCompanyInfo => "commerce-companyInfo",
            DataType::CommerceCustomers => "commerce-customers",
            DataType::CommerceDisputes => "commerce-disputes",
            DataType::CommerceLocations => "commerce-locations",
            DataType::CommerceOrders => "commerce-orders",
            DataType::CommercePaymentMethods => "commerce-paymentMethods",
            DataType::CommercePayments => "commerce-payments",
            DataType::CommerceProductCategories => "commerce-productCategories",
            DataType::CommerceProducts => "commerce-products",
            DataType::CommerceTaxComponents => "commerce-taxComponents",
            DataType::CommerceTransactions => "commerce-transactions",
        }
    }

    /// Whether this is an accounting data type (the ones ledgerbridge's connectors serve).
    pub fn is_accounting(self) -> bool {
        !self.key().contains('-')
    }

    /// Financial statements: synced by month window (`monthsToSync`) rather than by record.
    pub fn is_report(self) -> bool {
        matches!(
            self,
            DataType::BalanceSheet | DataType::ProfitAndLoss | DataType::CashFlowStatement
        )
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The text is not one of Codat's data type keys.
#[derive(Debug, thiserror::Error)]
#[error("unknown data type `{0}`")]
pub struct UnknownDataType(pub String);

impl FromStr for DataType {
    type Err = UnknownDataType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataType::ALL
            .into_iter()
            .find(|d| d.key() == s)
            .ok_or_else(|| UnknownDataType(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_serde_and_from_str() {
        for d in DataType::ALL {
            let json = serde_json::to_string(&d).expect("serialises");
            assert_eq!(json, format!("\"{}\"", d.key()));
            assert_eq!(d.key().parse::<DataType>().ok(), Some(d));
        }
        assert_eq!(DataType::ALL.len(), 43);
    }
}
