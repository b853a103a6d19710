//! The platforms ledgerbridge integrates with, and the data types each one serves.

use ledgerbridge_domain::DataType;
use ledgerbridge_domain::platform::SourceType;
use uuid::Uuid;

/// How the owner authorizes a platform in Link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// Built in: no credentials, the owner just picks a dataset.
    None,
    /// OAuth 2.0 authorization code flow; needs a client id and secret to be enabled.
    OAuth2,
}

/// One platform (Codat "integration").
#[derive(Debug)]
pub struct Platform {
    /// Codat's four-letter platform key.
    pub key: &'static str,
    pub name: &'static str,
    pub source_type: SourceType,
    pub integration_id: Uuid,
    pub source_id: Uuid,
    pub auth: AuthKind,
    pub data_provided_by: &'static str,
    /// Data types this platform's connector reads.
    pub data_types: &'static [DataType],
}

use DataType as D;

/// Every accounting data type: the Sandbox serves them all.
const SANDBOX_TYPES: &[DataType] = &[
    D::AccountTransactions,
    D::BalanceSheet,
    D::BankAccounts,
    D::BankTransactions,
    D::BillCreditNotes,
    D::BillPayments,
    D::Bills,
    D::CashFlowStatement,
    D::ChartOfAccounts,
    D::Company,
    D::CreditNotes,
    D::Customers,
    D::DirectCosts,
    D::DirectIncomes,
    D::Invoices,
    D::Items,
    D::JournalEntries,
    D::Journals,
    D::PaymentMethods,
    D::Payments,
    D::ProfitAndLoss,
    D::PurchaseOrders,
    D::SalesOrders,
    D::Suppliers,
    D::TaxRates,
    D::TrackingCategories,
    D::Transfers,
];

const XERO_TYPES: &[DataType] = &[
    D::ChartOfAccounts,
    D::Customers,
    D::Suppliers,
    D::Invoices,
    D::Bills,
    D::CreditNotes,
    D::BillCreditNotes,
    D::Payments,
    D::BillPayments,
    D::JournalEntries,
    D::Items,
    D::TaxRates,
    D::TrackingCategories,
    D::BankAccounts,
    D::BankTransactions,
    D::Transfers,
    D::Company,
    D::BalanceSheet,
    D::ProfitAndLoss,
    D::PurchaseOrders,
];

const QUICKBOOKS_TYPES: &[DataType] = &[
    D::ChartOfAccounts,
    D::Customers,
    D::Suppliers,
    D::Invoices,
    D::Bills,
    D::Payments,
    D::BillPayments,
    D::CreditNotes,
    D::BillCreditNotes,
    D::JournalEntries,
    D::Items,
    D::TaxRates,
    D::TrackingCategories,
    D::BankAccounts,
    D::Transfers,
    D::PurchaseOrders,
    D::DirectIncomes,
    D::DirectCosts,
    D::Company,
    D::BalanceSheet,
    D::ProfitAndLoss,
];

const fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The platforms, in the order Link shows them.
pub static PLATFORMS: &[Platform] = &[
    Platform {
        key: "mqjo",
        name: "Sandbox",
        source_type: SourceType::Accounting,
        integration_id: id(0x6f1b3a52_7c1e_4d6a_9d2e_0a5c1e7b3f01),
        source_id: id(0x6f1b3a52_7c1e_4d6a_9d2e_0a5c1e7b3f02),
        auth: AuthKind::None,
        data_provided_by: "ledgerbridge",
        data_types: SANDBOX_TYPES,
    },
    Platform {
        key: "gbol",
        name: "Xero",
        source_type: SourceType::Accounting,
        integration_id: id(0x8a156a5a_39cb_4f9d_856e_76ef9b9a9607),
        source_id: id(0x8a156a5a_39cb_4f9d_856e_76ef9b9a9608),
        auth: AuthKind::OAuth2,
        data_provided_by: "Xero",
        data_types: XERO_TYPES,
    },
    Platform {
        key: "qhyg",
        name: "QuickBooks Online",
        source_type: SourceType::Accounting,
        integration_id: id(0x2b4d6f81_93a5_4c7e_b1d3_f5a7c9e1b301),
        source_id: id(0x2b4d6f81_93a5_4c7e_b1d3_f5a7c9e1b302),
        auth: AuthKind::OAuth2,
        data_provided_by: "Intuit",
        data_types: QUICKBOOKS_TYPES,
    },
];

/// The platform with this key, if ledgerbridge knows it.
pub fn platform(key: &str) -> Option<&'static Platform> {
    PLATFORMS.iter().find(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_four_lowercase_letters() {
        for (i, p) in PLATFORMS.iter().enumerate() {
            assert!(p.key.len() == 4 && p.key.bytes().all(|b| b.is_ascii_lowercase()));
            assert!(
                PLATFORMS[i + 1..]
                    .iter()
                    .all(|q| q.key != p.key && q.integration_id != p.integration_id)
            );
        }
        assert_eq!(platform("gbol").map(|p| p.name), Some("Xero"));
        assert!(platform("zzzz").is_none());
    }
}
