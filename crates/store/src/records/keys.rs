//! Which document paths of each data type have precomputed key columns.
//!
//! The `records` table has a fixed set of generic key columns ([`KEY_COLUMNS`]); each data type
//! maps a few of its hot fields onto them. Every data type keys `modifiedDate`,
//! `sourceModifiedDate` and `metadata.isDeleted`; the others follow what clients filter and sort
//! by most (Codat's documented examples: `issueDate`, `dueDate`, `amountDue`, `totalAmount`,
//! `status`, `currency`, `customerRef.id`, `supplierRef.id`, `date`, `postedOn`, `name`, `type`).
//!
//! Indexed (see `migrations/*/0002_records.sql`), each within one company's records of one data
//! type and ending in `id`: `k_modified`, `k_date1`, `k_text1` then `k_date1` (carrying
//! `k_num1`, `k_num2` and `k_date2`, so counts of `status=X` with conditions on those keys never
//! read the table), and `k_text3`. So a data type puts its main date in `k_date1`, its status in
//! `k_text1`, its main amounts in `k_num1`/`k_num2` and its counterparty reference in `k_text3`.
//! The other key columns are not indexed: they spare the query from reading the document.
//!
//! Changing a mapping changes what the stored columns mean: it needs a migration that
//! recomputes them (the writer fills them only when it writes a record).

use ledgerbridge_domain::DataType;

use crate::filter::{KeyColumn, KeyKind};

/// A generic key column of `records` and the kind of key it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GenericColumn {
    pub name: &'static str,
    pub kind: KeyKind,
}

const fn generic(name: &'static str, kind: KeyKind) -> GenericColumn {
    GenericColumn { name, kind }
}

/// Every key column of `records`, in the order the writer binds them.
pub(crate) const KEY_COLUMNS: [GenericColumn; 11] = [
    generic("k_modified", KeyKind::DateTime),
    generic("k_source_modified", KeyKind::DateTime),
    generic("is_deleted", KeyKind::Boolean),
    generic("k_date1", KeyKind::DateTime),
    generic("k_date2", KeyKind::DateTime),
    generic("k_date3", KeyKind::DateTime),
    generic("k_num1", KeyKind::Number),
    generic("k_num2", KeyKind::Number),
    generic("k_text1", KeyKind::Text),
    generic("k_text2", KeyKind::Text),
    generic("k_text3", KeyKind::Text),
];

const fn key(path: &'static str, column: &'static str, kind: KeyKind) -> KeyColumn {
    KeyColumn { path, column, kind }
}

macro_rules! keyed {
    ($($path:literal => $column:literal : $kind:ident),* $(,)?) => {
        &[
            key("modifiedDate", "k_modified", KeyKind::DateTime),
            key("sourceModifiedDate", "k_source_modified", KeyKind::DateTime),
            key("metadata.isDeleted", "is_deleted", KeyKind::Boolean),
            $(key($path, $column, KeyKind::$kind),)*
        ]
    };
}

static COMMON: &[KeyColumn] = keyed!();

static INVOICES: &[KeyColumn] = keyed!(
    "issueDate" => "k_date1": DateTime,
    "dueDate" => "k_date2": DateTime,
    "paidOnDate" => "k_date3": DateTime,
    "totalAmount" => "k_num1": Number,
    "amountDue" => "k_num2": Number,
    "status" => "k_text1": Text,
    "currency" => "k_text2": Text,
    "customerRef.id" => "k_text3": Text,
);

static BILLS: &[KeyColumn] = keyed!(
    "issueDate" => "k_date1": DateTime,
    "dueDate" => "k_date2": DateTime,
    "totalAmount" => "k_num1": Number,
    "amountDue" => "k_num2": Number,
    "status" => "k_text1": Text,
    "currency" => "k_text2": Text,
    "supplierRef.id" => "k_text3": Text,
);

static CREDIT_NOTES: &[KeyColumn] = keyed!(
    "issueDate" => "k_date1": DateTime,
    "allocatedOnDate" => "k_date2": DateTime,
    "totalAmount" => "k_num1": Number,
    "remainingCredit" => "k_num2": Number,
    "status" => "k_text1": Text,
    "currency" => "k_text2": Text,
    "customerRef.id" => "k_text3": Text,
);

static BILL_CREDIT_NOTES: &[KeyColumn] = keyed!(
    "issueDate" => "k_date1": DateTime,
    "allocatedOnDate" => "k_date2": DateTime,
    "totalAmount" => "k_num1": Number,
    "remainingCredit" => "k_num2": Number,
    "status" => "k_text1": Text,
    "currency" => "k_text2": Text,
    "supplierRef.id" => "k_text3": Text,
);

static PAYMENTS: &[KeyColumn] = keyed!(
    "date" => "k_date1": DateTime,
    "totalAmount" => "k_num1": Number,
    "currency" => "k_text2": Text,
    "customerRef.id" => "k_text3": Text,
);

static BILL_PAYMENTS: &[KeyColumn] = keyed!(
    "date" => "k_date1": DateTime,
    "totalAmount" => "k_num1": Number,
    "currency" => "k_text2": Text,
    "supplierRef.id" => "k_text3": Text,
);

static CUSTOMERS: &[KeyColumn] = keyed!(
    "status" => "k_text1": Text,
    "customerName" => "k_text2": Text,
);

static SUPPLIERS: &[KeyColumn] = keyed!(
    "status" => "k_text1": Text,
    "supplierName" => "k_text2": Text,
);

static ACCOUNTS: &[KeyColumn] = keyed!(
    "currentBalance" => "k_num1": Number,
    "status" => "k_text1": Text,
    "name" => "k_text2": Text,
    "type" => "k_text3": Text,
);

static JOURNAL_ENTRIES: &[KeyColumn] = keyed!(
    "postedOn" => "k_date1": DateTime,
    "createdOn" => "k_date2": DateTime,
    "updatedOn" => "k_date3": DateTime,
);

static BANK_TRANSACTIONS: &[KeyColumn] = keyed!(
    "clearedOnDate" => "k_date1": DateTime,
    "amount" => "k_num1": Number,
    "balance" => "k_num2": Number,
    "accountId" => "k_text3": Text,
);

/// The key columns of `data_type`'s documents.
pub fn key_columns(data_type: DataType) -> &'static [KeyColumn] {
    match data_type {
        DataType::Invoices => INVOICES,
        DataType::Bills => BILLS,
        DataType::CreditNotes => CREDIT_NOTES,
        DataType::BillCreditNotes => BILL_CREDIT_NOTES,
        DataType::Payments => PAYMENTS,
        DataType::BillPayments => BILL_PAYMENTS,
        DataType::Customers => CUSTOMERS,
        DataType::Suppliers => SUPPLIERS,
        DataType::ChartOfAccounts => ACCOUNTS,
        DataType::JournalEntries => JOURNAL_ENTRIES,
        DataType::BankTransactions => BANK_TRANSACTIONS,
        _ => COMMON,
    }
}

#[cfg(test)]
mod tests {
    use ledgerbridge_domain::accounting::schema_for;
    use ledgerbridge_query::parse_order_by;

    use super::*;

    #[test]
    fn every_key_is_a_scalar_of_its_kind_in_the_schema() {
        let common = key_columns(DataType::Company);
        let mut wrong = Vec::new();
        for dt in DataType::ALL {
            let Some(schema) = schema_for(dt) else {
                continue;
            };
            for k in key_columns(dt) {
                match parse_order_by(k.path, schema) {
                    Ok(order) if order.path.dotted() == k.path && k.kind.serves(order.path.ty) => {}
                    Ok(order) => wrong.push(format!("{dt}: {} is a {:?}", k.path, order.path.ty)),
                    // The common keys need not exist in every type (bank transactions have no
                    // `metadata`); the type's own keys must.
                    Err(_) if common.contains(k) => {}
                    Err(e) => wrong.push(format!("{dt}: {}: {e}", k.path)),
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_mapping_uses_known_columns_of_the_right_kind_once() {
        for dt in DataType::ALL {
            let keys = key_columns(dt);
            for (i, k) in keys.iter().enumerate() {
                let column = KEY_COLUMNS
                    .iter()
                    .find(|c| c.name == k.column)
                    .unwrap_or_else(|| panic!("{dt}: unknown column {}", k.column));
                assert_eq!(column.kind, k.kind, "{dt}: {}", k.path);
                assert!(
                    keys[..i]
                        .iter()
                        .all(|o| o.column != k.column && o.path != k.path),
                    "{dt}: {} reused",
                    k.column
                );
            }
        }
    }
}
