//! Where each accounting data type is served (CONTRACT §7).

use crate::data_type::DataType;

/// Which prefix an [`Endpoint::path`] is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// `/companies/{companyId}/data/`: merged across the company's connections.
    Company,
    /// `/companies/{companyId}/connections/{connectionId}/data/`: one connection's data.
    Connection,
}

/// What the path returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// A paged list of records (`page`, `pageSize`, `query`, `orderBy`). When `get_by_id`,
    /// `{path}/{id}` returns a single record.
    List { get_by_id: bool },
    /// A single document (company info, a financial statement).
    Document,
}

/// The read endpoint of one data type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Relative to the [`Level`]'s prefix, e.g. `accounts` for `chartOfAccounts`. Bank
    /// transactions are listed per bank account, so their path holds an `{accountId}`
    /// placeholder.
    pub path: &'static str,
    pub level: Level,
    pub shape: Shape,
}

impl Endpoint {
    const fn records(path: &'static str, level: Level) -> Self {
        Self {
            path,
            level,
            shape: Shape::List { get_by_id: true },
        }
    }

    const fn document(path: &'static str) -> Self {
        Self {
            path,
            level: Level::Company,
            shape: Shape::Document,
        }
    }
}

/// The read endpoint of an accounting data type; `None` for the banking and commerce types
/// and for `itemReceipts`, which Codat's accounting API does not serve.
pub fn endpoint(data_type: DataType) -> Option<Endpoint> {
    use Level::{Company, Connection};
    let endpoint = match data_type {
        DataType::Invoices => Endpoint::records("invoices", Company),
        DataType::Customers => Endpoint::records("customers", Company),
        DataType::Suppliers => Endpoint::records("suppliers", Company),
        DataType::ChartOfAccounts => Endpoint::records("accounts", Company),
        DataType::Bills => Endpoint::records("bills", Company),
        DataType::Payments => Endpoint::records("payments", Company),
        DataType::BillPayments => Endpoint::records("billPayments", Company),
        DataType::CreditNotes => Endpoint::records("creditNotes", Company),
        DataType::BillCreditNotes => Endpoint::records("billCreditNotes", Company),
        DataType::JournalEntries => Endpoint::records("journalEntries", Company),
        DataType::Journals => Endpoint::records("journals", Company),
        DataType::Items => Endpoint::records("items", Company),
        DataType::TaxRates => Endpoint::records("taxRates", Company),
        DataType::TrackingCategories => Endpoint::records("trackingCategories", Company),
        DataType::PaymentMethods => Endpoint::records("paymentMethods", Company),
        DataType::PurchaseOrders => Endpoint::records("purchaseOrders", Company),
        DataType::SalesOrders => Endpoint::records("salesOrders", Company),
        DataType::AccountTransactions => Endpoint::records("accountTransactions", Connection),
        DataType::BankAccounts => Endpoint::records("bankAccounts", Connection),
        DataType::BankTransactions => Endpoint {
            path: "bankAccounts/{accountId}/bankTransactions",
            level: Connection,
            shape: Shape::List { get_by_id: false },
        },
        DataType::DirectCosts => Endpoint::records("directCosts", Connection),
        DataType::DirectIncomes => Endpoint::records("directIncomes", Connection),
        DataType::Transfers => Endpoint::records("transfers", Connection),
        DataType::Company => Endpoint::document("info"),
        DataType::BalanceSheet => Endpoint::document("financials/balanceSheet"),
        DataType::ProfitAndLoss => Endpoint::document("financials/profitAndLoss"),
        DataType::CashFlowStatement => Endpoint::document("financials/cashFlowStatement"),
        DataType::ItemReceipts
        | DataType::BankingAccountBalances
        | DataType::BankingAccounts
        | DataType::BankingTransactionCategories
        | DataType::BankingTransactions
        | DataType::CommerceCompanyInfo
        | DataType::CommerceCustomers
        | DataType::CommerceDisputes
        | DataType::CommerceLocations
        | DataType::CommerceOrders
        | DataType::CommercePaymentMethods
        | DataType::CommercePayments
        | DataType::CommerceProductCategories
        | DataType::CommerceProducts
        | DataType::CommerceTaxComponents
        | DataType::CommerceTransactions => return None,
    };
    Some(endpoint)
}

/// Every data type that has a read endpoint, with it, in [`DataType::ALL`] order.
pub fn endpoints() -> impl Iterator<Item = (DataType, Endpoint)> {
    DataType::ALL
        .into_iter()
        .filter_map(|d| endpoint(d).map(|e| (d, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_contract() {
        let ep = |d| endpoint(d).expect("served");
        assert_eq!(ep(DataType::ChartOfAccounts).path, "accounts");
        assert_eq!(ep(DataType::Company).path, "info");
        assert_eq!(ep(DataType::Company).shape, Shape::Document);
        assert_eq!(ep(DataType::Invoices).level, Level::Company);
        for d in [
            DataType::AccountTransactions,
            DataType::BankAccounts,
            DataType::BankTransactions,
            DataType::DirectCosts,
            DataType::DirectIncomes,
            DataType::Transfers,
        ] {
            assert_eq!(ep(d).level, Level::Connection, "{d}");
        }
        assert_eq!(
            ep(DataType::BankTransactions).shape,
            Shape::List { get_by_id: false }
        );
        assert_eq!(ep(DataType::BalanceSheet).path, "financials/balanceSheet");
        assert!(endpoint(DataType::ItemReceipts).is_none());
        assert!(endpoint(DataType::CommerceOrders).is_none());
    }

    #[test]
    fn every_served_type_is_an_accounting_type_with_a_unique_path() {
        let mut seen = std::collections::HashSet::new();
        for (d, e) in endpoints() {
            assert!(d.is_accounting(), "{d}");
            assert!(seen.insert((e.level, e.path)), "{d} reuses {}", e.path);
            // Paths other than the list-per-account placeholder are plain segments.
            assert!(
                !e.path.contains('{') || d == DataType::BankTransactions,
                "{d}"
            );
            let is_list = matches!(e.shape, Shape::List { .. });
            assert_eq!(is_list, super::super::schema_for(d).is_some(), "{d}");
        }
        assert_eq!(endpoints().count(), 27);
    }
}
