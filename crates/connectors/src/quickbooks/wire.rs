//! QuickBooks' transactions as the query and change data capture endpoints write them, read
//! into structs that borrow from the answer (see [`crate::wire`]). Invoices, bills, credit
//! memos, vendor credits, purchase orders, sales receipts, deposits and purchases share one
//! shape, [`Transaction`], in which each fills its own members; payments and bill payments
//! are read as [`Payment`] to complete the allocations of the documents they pay. These are
//! what a sync reads by the thousand; the lists (accounts, customers, ...), journal entries,
//! payments as records of their own and reports are read as `serde_json::Value`.
//!
//! Members are matched by their exact name, as Intuit writes them (fault bodies, which are
//! matched case-insensitively, are read in `client`).

use serde::Deserialize;
use serde_json::Value;

use crate::wire::{Amount, DateText, Text, list};

/// A `ReferenceType`: `{"value": "42", "name": "...", "type": "..."}`.
#[derive(Debug, Default, Deserialize)]
pub struct Ref<'a> {
    #[serde(borrow, default)]
    pub value: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(rename = "type", borrow, default)]
    pub kind: Option<Text<'a>>,
}

/// One of `LinkedTxn`: a transaction this one (or its line) links.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LinkedTxn<'a> {
    #[serde(borrow, default)]
    pub txn_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub txn_type: Option<Text<'a>>,
}

/// The detail of a line with an amount of its own (see [`Line::detail`]), each kind filling
/// its own members.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LineDetail<'a> {
    #[serde(borrow, default)]
    pub item_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub item_account_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub account_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub class_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub tax_code_ref: Option<Ref<'a>>,
    #[serde(default)]
    pub qty: Amount,
    #[serde(default)]
    pub unit_price: Amount,
    #[serde(borrow, default)]
    pub entity: Option<Ref<'a>>,
}

/// One of `Line`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Line<'a> {
    #[serde(borrow, default)]
    pub description: Option<Text<'a>>,
    #[serde(default)]
    pub amount: Amount,
    #[serde(borrow, default)]
    pub detail_type: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub linked_txn: Vec<LinkedTxn<'a>>,
    /// The line's detail, under whichever of the names of [`Line::detail`] it has (a line
    /// has one).
    #[serde(
        rename = "SalesItemLineDetail",
        alias = "ItemBasedExpenseLineDetail",
        alias = "AccountBasedExpenseLineDetail",
        alias = "DescriptionOnly",
        alias = "DepositLineDetail",
        borrow,
        default
    )]
    pub detail: Option<LineDetail<'a>>,
}

/// An empty detail, for a line whose detail is missing.
static NO_DETAIL: LineDetail<'static> = LineDetail {
    item_ref: None,
    item_account_ref: None,
    account_ref: None,
    class_ref: None,
    tax_code_ref: None,
    qty: Amount(None),
    unit_price: Amount(None),
    entity: None,
};

impl<'a> Line<'a> {
    /// The line's detail when it carries an amount of its own (`SalesItemLineDetail`,
    /// `ItemBasedExpenseLineDetail`, `AccountBasedExpenseLineDetail`, `DescriptionOnly`,
    /// `DepositLineDetail`); `None` for subtotal, discount and tax lines, which summarise the
    /// others.
    pub fn detail(&self) -> Option<&LineDetail<'a>> {
        match self.detail_type.as_deref()? {
            "SalesItemLineDetail"
            | "ItemBasedExpenseLineDetail"
            | "AccountBasedExpenseLineDetail"
            | "DescriptionOnly"
            | "DepositLineDetail" => Some(self.detail.as_ref().unwrap_or(&NO_DETAIL)),
            _ => None,
        }
    }

    /// A deposit line's detail.
    pub fn deposit_detail(&self) -> Option<&LineDetail<'a>> {
        (self.detail_type.as_deref() == Some("DepositLineDetail"))
            .then_some(self.detail.as_ref())
            .flatten()
    }
}

/// `MetaData`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetaData<'a> {
    #[serde(borrow, default)]
    pub last_updated_time: DateText<'a>,
}

/// `TxnTaxDetail`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaxDetail {
    #[serde(default)]
    pub total_tax: Amount,
}

/// `CustomerMemo`: `{"value": "..."}`.
#[derive(Debug, Default, Deserialize)]
pub struct Memo<'a> {
    #[serde(borrow, default)]
    pub value: Option<Text<'a>>,
}

/// An `Invoice`, `Bill`, `CreditMemo`, `VendorCredit`, `PurchaseOrder`, `SalesReceipt`,
/// `Deposit` or `Purchase`; or, in change data capture, what is left of a deleted one
/// (`status: Deleted`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transaction<'a> {
    #[serde(borrow, default)]
    pub id: Option<Text<'a>>,
    #[serde(rename = "status", borrow, default)]
    pub status: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub doc_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub txn_date: DateText<'a>,
    #[serde(borrow, default)]
    pub due_date: DateText<'a>,
    #[serde(borrow, default)]
    pub meta_data: Option<MetaData<'a>>,
    #[serde(borrow, default)]
    pub currency_ref: Option<Ref<'a>>,
    #[serde(default)]
    pub exchange_rate: Amount,
    #[serde(default)]
    pub total_amt: Amount,
    #[serde(default)]
    pub balance: Amount,
    #[serde(default)]
    pub remaining_credit: Amount,
    #[serde(borrow, default)]
    pub private_note: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub memo: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub customer_memo: Option<Memo<'a>>,
    #[serde(borrow, default)]
    pub customer_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub vendor_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub entity_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub department_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub deposit_to_account_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub account_ref: Option<Ref<'a>>,
    #[serde(default)]
    pub txn_tax_detail: Option<TaxDetail>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub linked_txn: Vec<LinkedTxn<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub line: Vec<Line<'a>>,
    /// A purchase order's delivery address (rare enough to read as it comes).
    #[serde(default)]
    pub ship_addr: Option<Value>,
    #[serde(rename = "POStatus", borrow, default)]
    pub po_status: Option<Text<'a>>,
}

/// An account a payment moved money through: `{"BankAccountRef"}` or `{"CCAccountRef"}`.
#[derive(Debug, Default, Deserialize)]
pub struct PaidFrom<'a> {
    #[serde(rename = "BankAccountRef", borrow, default)]
    pub bank_account_ref: Option<Ref<'a>>,
    #[serde(rename = "CCAccountRef", borrow, default)]
    pub cc_account_ref: Option<Ref<'a>>,
}

/// What a `Payment` or `BillPayment` tells the documents it pays.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Payment<'a> {
    #[serde(borrow, default)]
    pub id: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub txn_date: DateText<'a>,
    #[serde(default)]
    pub total_amt: Amount,
    #[serde(borrow, default)]
    pub payment_ref_num: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub doc_number: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub deposit_to_account_ref: Option<Ref<'a>>,
    #[serde(borrow, default)]
    pub check_payment: Option<PaidFrom<'a>>,
    #[serde(borrow, default)]
    pub credit_card_payment: Option<PaidFrom<'a>>,
    #[serde(borrow, default, deserialize_with = "list")]
    pub line: Vec<Line<'a>>,
}

/// The lists of a query answer's `QueryResponse` (or of one change data capture
/// `QueryResponse`), under their entity names.
#[derive(Debug, Default, Deserialize)]
pub struct Lists<'a> {
    #[serde(rename = "Invoice", borrow, default)]
    pub invoice: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "Bill", borrow, default)]
    pub bill: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "CreditMemo", borrow, default)]
    pub credit_memo: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "VendorCredit", borrow, default)]
    pub vendor_credit: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "PurchaseOrder", borrow, default)]
    pub purchase_order: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "SalesReceipt", borrow, default)]
    pub sales_receipt: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "Deposit", borrow, default)]
    pub deposit: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "Purchase", borrow, default)]
    pub purchase: Option<Vec<Transaction<'a>>>,
    #[serde(rename = "Payment", borrow, default)]
    pub payment: Option<Vec<Payment<'a>>>,
    #[serde(rename = "BillPayment", borrow, default)]
    pub bill_payment: Option<Vec<Payment<'a>>>,
}

impl<'a> Lists<'a> {
    /// The transactions listed under `entity`; `None` when the answer lists none (or
    /// `entity` is not read as a [`Transaction`]).
    pub fn take(&mut self, entity: &str) -> Option<Vec<Transaction<'a>>> {
        match entity {
            "Invoice" => self.invoice.take(),
            "Bill" => self.bill.take(),
            "CreditMemo" => self.credit_memo.take(),
            "VendorCredit" => self.vendor_credit.take(),
            "PurchaseOrder" => self.purchase_order.take(),
            "SalesReceipt" => self.sales_receipt.take(),
            "Deposit" => self.deposit.take(),
            "Purchase" => self.purchase.take(),
            _ => None,
        }
    }

    /// The payments listed under `entity` (`Payment`, `BillPayment`).
    pub fn take_payments(&mut self, entity: &str) -> Option<Vec<Payment<'a>>> {
        match entity {
            "Payment" => self.payment.take(),
            "BillPayment" => self.bill_payment.take(),
            _ => None,
        }
    }
}

/// Whether an entity is read as a [`Transaction`].
pub fn is_transaction(entity: &str) -> bool {
    matches!(
        entity,
        "Invoice"
            | "Bill"
            | "CreditMemo"
            | "VendorCredit"
            | "PurchaseOrder"
            | "SalesReceipt"
            | "Deposit"
            | "Purchase"
    )
}

/// A query answer: `{"QueryResponse": {...}, "time": ...}`.
#[derive(Debug, Default, Deserialize)]
pub struct QueryAnswer<'a> {
    #[serde(rename = "QueryResponse", borrow, default)]
    pub query_response: Option<Lists<'a>>,
}

/// One of a change data capture answer's `CDCResponse`.
#[derive(Debug, Default, Deserialize)]
pub struct CdcResponse<'a> {
    #[serde(rename = "QueryResponse", borrow, default)]
    pub query_response: Option<Vec<Lists<'a>>>,
}

/// A change data capture answer: `{"CDCResponse": [{"QueryResponse": [...]}], "time": ...}`.
#[derive(Debug, Default, Deserialize)]
pub struct CdcAnswer<'a> {
    #[serde(rename = "CDCResponse", borrow, default)]
    pub cdc_response: Option<Vec<CdcResponse<'a>>>,
}
