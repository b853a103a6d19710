"""Accounting reads through Codat's official Lending SDK (`codat-lending` 12.0.0).

One Sandbox company is linked and synced once for the module (dataset `small`, seed "2": see books.DATASET).
Every list (page, pageSize, orderBy, query) and get-by-id of every record type the Lending
SDK reads, company info, the three financial statements and the aged reports must parse into
the SDK's own models; the values are checked too: the SDK's model against the exact wire JSON
(no key the SDK does not know, every number exact), get-by-id against the list entry, the
paging envelope against the records, and the errors (409 before the first sync, 404 for an
unknown id) as the SDK's typed `ErrorMessage` with Codat's body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Dict, List, Optional

import pytest

from codat_lending.models import errors, shared

import books
from sdkutil import assert_recent, parse_codat_datetime
from books import Books, values_match, plain, raw_json, same_record, unknown_keys


@dataclass(frozen=True)
class Rec:
    """One record type: its SDK group, the get request's id field, its level and wire path."""

    name: str
    group: str
    id_field: Optional[str]  # None: no get-by-id (bank transactions)
    connection: bool
    path: str
    model: type
    envelope: type
    date_field: Optional[str] = None  # a date to order by (`-field`)


RECORDS: List[Rec] = [
    Rec("invoices", "accounts_receivable.invoices", "invoice_id", False, "invoices",
        shared.AccountingInvoice, shared.AccountingInvoices, "issueDate"),
    Rec("customers", "accounts_receivable.customers", "customer_id", False, "customers",
        shared.AccountingCustomer, shared.AccountingCustomers),
    Rec("creditNotes", "accounts_receivable.credit_notes", "credit_note_id", False, "creditNotes",
        shared.AccountingCreditNote, shared.AccountingCreditNotes, "issueDate"),
    Rec("payments", "accounts_receivable.payments", "payment_id", False, "payments",
        shared.AccountingPayment, shared.AccountingPayments, "date"),
    Rec("directIncomes", "accounts_receivable.direct_incomes", "direct_income_id", True, "directIncomes",
        shared.AccountingDirectIncome, shared.AccountingDirectIncomes, "issueDate"),
    Rec("suppliers", "accounts_payable.suppliers", "supplier_id", False, "suppliers",
        shared.AccountingSupplier, shared.AccountingSuppliers),
    Rec("bills", "accounts_payable.bills", "bill_id", False, "bills",
        shared.AccountingBill, shared.AccountingBills, "issueDate"),
    Rec("billPayments", "accounts_payable.bill_payments", "bill_payment_id", False, "billPayments",
        shared.AccountingBillPayment, shared.AccountingBillPayments, "date"),
    Rec("billCreditNotes", "accounts_payable.bill_credit_notes", "bill_credit_note_id", False, "billCreditNotes",
        shared.AccountingBillCreditNote, shared.AccountingBillCreditNotes, "issueDate"),
    Rec("chartOfAccounts", "financial_statements.accounts", "account_id", False, "accounts",
        shared.AccountingAccount, shared.AccountingAccounts),
    Rec("journalEntries", "transactions.journal_entries", "journal_entry_id", False, "journalEntries",
        shared.AccountingJournalEntry, shared.AccountingJournalEntries, "postedOn"),
    Rec("journals", "transactions.journals", "journal_id", False, "journals",
        shared.AccountingJournal, shared.AccountingJournals, "createdOn"),
    Rec("accountTransactions", "transactions.account_transactions", "account_transaction_id", True,
        "accountTransactions", shared.AccountingAccountTransaction, shared.AccountingAccountTransactions, "date"),
    Rec("directCosts", "transactions.direct_costs", "direct_cost_id", True, "directCosts",
        shared.AccountingDirectCost, shared.AccountingDirectCosts, "issueDate"),
    Rec("transfers", "transactions.transfers", "transfer_id", True, "transfers",
        shared.AccountingTransfer, shared.AccountingTransfers, "date"),
    Rec("bankAccounts", "accounting_bank_data.accounts", "account_id", True, "bankAccounts",
        shared.AccountingBankAccount, shared.AccountingBankAccounts),
]
BY_NAME = {r.name: r for r in RECORDS}
IDS = [r.name for r in RECORDS]


@pytest.fixture(scope="module")
def synced(raw) -> Books:
    """One Sandbox company, linked and synced once for this module."""
    b = books.link_sandbox(raw, "SDK Lending Books")
    yield b
    books.delete_company(raw, b.company_id)


def group(lending, rec: Rec):
    obj = lending
    for part in rec.group.split("."):
        obj = getattr(obj, part)
    return obj


def scope(b: Books, rec: Rec) -> Dict[str, str]:
    s = {"company_id": b.company_id}
    if rec.connection:
        s["connection_id"] = b.connection_id
    return s


def wire_path(b: Books, rec: Rec) -> str:
    if rec.connection:
        return f"/companies/{b.company_id}/connections/{b.connection_id}/data/{rec.path}"
    return f"/companies/{b.company_id}/data/{rec.path}"


def sdk_list(lending, b: Books, rec: Rec, **params):
    return group(lending, rec).list(request={**scope(b, rec), **params})


def sdk_get(lending, b: Books, rec: Rec, record_id: str):
    return group(lending, rec).get(request={**scope(b, rec), rec.id_field: record_id})


def wire_params(**params) -> Dict[str, Any]:
    names = {"page": "page", "page_size": "pageSize", "query": "query", "order_by": "orderBy"}
    return {names[k]: v for k, v in params.items() if v is not None}


def all_ids(lending, b: Books, rec: Rec) -> List[str]:
    """Every id of the type, in the server's default order, through the SDK."""
    out: List[str] = []
    for page in range(1, 1000):
        p = sdk_list(lending, b, rec, page=page, page_size=5000)
        out += [r.id for r in p.results]
        if len(out) >= p.total_results or not p.results:
            return out
    raise AssertionError("more than 1000 pages")


def assert_matches_wire(model: Any, wire: Any, what: str) -> None:
    extra = unknown_keys(model, wire)
    assert not extra, f"{what}: keys the SDK model does not know (misnamed or not in Codat's schema): {extra}"
    bad = values_match(model, wire)
    assert not bad, f"{what}: values the SDK did not read exactly as sent: {bad}"


def date_key(value: Optional[str]) -> str:
    assert value, "an ordering date is missing"
    return value[:10]


# ---------------------------------------------------------------------------------------
# Record types: list, get, paging, ordering, querying


@pytest.mark.parametrize("name", IDS)
def test_list_parses_and_matches_the_wire(lending, raw, synced, name):
    rec = BY_NAME[name]
    page = sdk_list(lending, synced, rec, page=1, page_size=100)
    assert isinstance(page, rec.envelope)
    assert all(isinstance(r, rec.model) for r in page.results)
    wire = raw_json(raw, wire_path(synced, rec), wire_params(page=1, page_size=100))
    assert page.total_results == wire["totalResults"] > 0, f"the small books hold {name}"
    assert page.page_number == 1 and page.page_size == 100
    assert len(page.results) == min(100, page.total_results)
    assert [r.id for r in page.results] == [w["id"] for w in wire["results"]]
    assert len({r.id for r in page.results}) == len(page.results), "duplicate ids on one page"
    for r in page.results:
        # modifiedDate: when the record was written to the cache, i.e. by this module's sync
        assert_recent(r.modified_date)
        if r.source_modified_date:
            assert parse_codat_datetime(r.source_modified_date).replace(tzinfo=None) <= \
                parse_codat_datetime(r.modified_date).replace(tzinfo=None), r.id
    assert_matches_wire(page, wire, f"list {name}")
    base = wire_path(synced, rec)
    assert page.links.self_.href == base
    assert page.links.current.href == f"{base}?page=1&pageSize=100"
    assert page.links.previous is None
    assert (page.links.next is not None) == (page.total_results > 100)


@pytest.mark.parametrize("name", [r.name for r in RECORDS if r.id_field])
def test_get_by_id_equals_the_list_entry(lending, raw, synced, name):
    rec = BY_NAME[name]
    page = sdk_list(lending, synced, rec, page=1, page_size=100)
    picks = {0, len(page.results) // 2, len(page.results) - 1}
    for i in sorted(picks):
        entry = page.results[i]
        got = sdk_get(lending, synced, rec, entry.id)
        assert isinstance(got, rec.model)
        assert got.id == entry.id
        assert same_record(got, entry), f"{name} {entry.id}: get-by-id differs from the list entry"
        wire = raw_json(raw, f"{wire_path(synced, rec)}/{entry.id}")
        assert_matches_wire(got, wire, f"get {name} {entry.id}")


@pytest.mark.parametrize("name", [r.name for r in RECORDS if r.id_field])
def test_get_by_id_of_every_record(lending, synced, name):
    rec = BY_NAME[name]
    every = sdk_list(lending, synced, rec, page=1, page_size=5000)
    assert len(every.results) == every.total_results
    for entry in every.results:
        got = sdk_get(lending, synced, rec, entry.id)
        assert same_record(got, entry), f"{name} {entry.id}: get-by-id differs from the list entry"


@pytest.mark.parametrize("name", IDS)
def test_paging_walks_every_record_once(lending, synced, name):
    rec = BY_NAME[name]
    everything = all_ids(lending, synced, rec)
    total = len(everything)
    size = max(1, -(-total // 6))  # about six pages
    seen: List[str] = []
    pages = -(-total // size)
    base = wire_path(synced, rec)
    for n in range(1, pages + 1):
        p = sdk_list(lending, synced, rec, page=n, page_size=size)
        assert p.total_results == total and p.page_number == n and p.page_size == size
        assert len(p.results) == (size if n < pages else total - size * (pages - 1))
        assert p.links.current.href == f"{base}?page={n}&pageSize={size}"
        assert (p.links.previous is not None) == (n > 1)
        assert (p.links.next is not None) == (n < pages)
        if p.links.next is not None:
            assert p.links.next.href == f"{base}?page={n + 1}&pageSize={size}"
        seen += [r.id for r in p.results]
    assert seen == everything, "pages in order are the whole list in order"
    beyond = sdk_list(lending, synced, rec, page=pages + 1, page_size=size)
    assert beyond.results == [] and beyond.total_results == total


@pytest.mark.parametrize("name", IDS)
def test_order_by_id_both_ways(lending, synced, name):
    rec = BY_NAME[name]
    asc = sdk_list(lending, synced, rec, page=1, page_size=5000, order_by="id")
    desc = sdk_list(lending, synced, rec, page=1, page_size=5000, order_by="-id")
    assert asc.total_results == desc.total_results == len(asc.results)
    assert [r.id for r in asc.results] == [r.id for r in reversed(desc.results)]


@pytest.mark.parametrize("name", [r.name for r in RECORDS if r.date_field])
def test_order_by_date_descending(lending, raw, synced, name):
    rec = BY_NAME[name]
    page = sdk_list(lending, synced, rec, page=1, page_size=5000, order_by=f"-{rec.date_field}")
    wire = raw_json(raw, wire_path(synced, rec), wire_params(page=1, page_size=5000, order_by=f"-{rec.date_field}"))
    assert [r.id for r in page.results] == [w["id"] for w in wire["results"]]
    dates = [date_key(w.get(rec.date_field)) for w in wire["results"]]
    assert dates == sorted(dates, reverse=True), f"{name} by -{rec.date_field} is not newest first"
    assert len(page.results) == page.total_results


@pytest.mark.parametrize("name", IDS)
def test_query_by_id(lending, synced, name):
    rec = BY_NAME[name]
    page = sdk_list(lending, synced, rec, page=1, page_size=100)
    target = page.results[len(page.results) // 2]
    one = sdk_list(lending, synced, rec, page=1, page_size=100, query=f"id={target.id}")
    assert one.total_results == 1 and len(one.results) == 1
    assert same_record(one.results[0], target)
    none = sdk_list(lending, synced, rec, page=1, page_size=100, query=f"id={books.new_id()}")
    assert none.total_results == 0 and none.results == []
    others = sdk_list(lending, synced, rec, page=1, page_size=5000, query=f"id!={target.id}")
    assert others.total_results == page.total_results - 1
    assert target.id not in {r.id for r in others.results}


def test_query_by_amount_and_status(lending, synced):
    rec = BY_NAME["invoices"]
    every = sdk_list(lending, synced, rec, page=1, page_size=5000).results
    paid = sdk_list(lending, synced, rec, page=1, page_size=5000, query="status=Paid").results
    assert {i.id for i in paid} == {i.id for i in every if i.status == shared.InvoiceStatus.PAID}
    big = sdk_list(lending, synced, rec, page=1, page_size=5000, query="totalAmount>1000").results
    assert {i.id for i in big} == {i.id for i in every if i.total_amount > 1000}
    both = sdk_list(lending, synced, rec, page=1, page_size=5000,
                    query="status=Paid&&totalAmount>1000").results
    assert {i.id for i in both} == {i.id for i in paid} & {i.id for i in big}


def test_query_by_nested_ref_and_date(lending, synced):
    rec = BY_NAME["invoices"]
    every = sdk_list(lending, synced, rec, page=1, page_size=5000).results
    customer = every[len(every) // 2].customer_ref.id
    by_customer = sdk_list(lending, synced, rec, page=1, page_size=5000, query=f"customerRef.id={customer}")
    expected = {i.id for i in every if i.customer_ref and i.customer_ref.id == customer}
    assert expected and {i.id for i in by_customer.results} == expected
    # a day no invoice was issued on, so date-only vs date-time comparison cannot matter
    days = sorted({i.issue_date[:10] for i in every})
    mid = dt.date.fromisoformat(days[len(days) // 2])
    while mid.isoformat() in days:
        mid += dt.timedelta(days=1)
    after = sdk_list(lending, synced, rec, page=1, page_size=5000, query=f"issueDate>{mid.isoformat()}")
    expected = {i.id for i in every if i.issue_date[:10] > mid.isoformat()}
    assert 0 < len(expected) < len(every)
    assert {i.id for i in after.results} == expected and after.total_results == len(expected)


def test_references_resolve(lending, synced):
    """The ids records refer to are records the API serves."""
    def ids(name):
        return set(all_ids(lending, synced, BY_NAME[name]))

    def every(name):
        return sdk_list(lending, synced, BY_NAME[name], page=1, page_size=5000).results

    customers, suppliers, accounts = ids("customers"), ids("suppliers"), ids("chartOfAccounts")
    invoices, bills = ids("invoices"), ids("bills")
    checked = 0
    for inv in every("invoices"):
        assert inv.customer_ref.id in customers, inv.id
        for line in inv.line_items or []:
            if line.account_ref and line.account_ref.id:
                assert line.account_ref.id in accounts, inv.id
                checked += 1
    for bill in every("bills"):
        assert bill.supplier_ref.id in suppliers, bill.id
        for line in bill.line_items or []:
            if line.account_ref and line.account_ref.id:
                assert line.account_ref.id in accounts, bill.id
                checked += 1
    for pay in every("payments"):
        for line in pay.lines or []:
            for link in line.links or []:
                if link.type.value == "Invoice":
                    assert link.id in invoices, pay.id
                    checked += 1
    for pay in every("billPayments"):
        for line in pay.lines or []:
            for link in line.links or []:
                if link.type.value == "Bill":
                    assert link.id in bills, pay.id
                    checked += 1
    assert checked > 100, f"only {checked} references checked"


@pytest.mark.parametrize("params", [
    {"page": 0, "page_size": 10},
    {"page": 1, "page_size": 0},
    {"page": 1, "page_size": 5001},
    {"page": 1, "page_size": 10, "order_by": "noSuchField"},
    {"page": 1, "page_size": 10, "query": "totalAmount>abc"},
])
def test_bad_paging_order_or_query_is_400(lending, synced, params):
    e = expect_lending_error(lambda: sdk_list(lending, synced, BY_NAME["invoices"], **params), 400)
    assert e.data.error


def test_bad_query_is_400(lending, synced):
    rec = BY_NAME["invoices"]
    with pytest.raises(errors.ErrorMessage) as info:
        sdk_list(lending, synced, rec, page=1, page_size=10, query="noSuchField=1")
    assert info.value.status_code == 400
    assert info.value.data.status_code == 400 and info.value.data.error


# ---------------------------------------------------------------------------------------
# Values: invoices and bills add up, decimals are exact


def test_invoice_amounts_are_consistent(lending, raw, synced):
    rec = BY_NAME["invoices"]
    invoices = sdk_list(lending, synced, rec, page=1, page_size=5000).results
    wire = raw_json(raw, wire_path(synced, rec), {"page": 1, "pageSize": 5000})["results"]
    for inv, w in zip(invoices, wire):
        assert isinstance(inv.total_amount, Decimal) and inv.total_amount == w["totalAmount"]
        assert inv.amount_due == w["amountDue"]
        assert 0 <= inv.amount_due <= inv.total_amount, inv.id
        if inv.status == shared.InvoiceStatus.PAID:
            assert inv.amount_due == 0, inv.id
        if inv.status == shared.InvoiceStatus.PARTIALLY_PAID:
            assert 0 < inv.amount_due < inv.total_amount, inv.id
        if inv.sub_total is not None:
            assert inv.sub_total + inv.total_tax_amount == inv.total_amount, inv.id
        # dates come back as sent (strings in the SDK)
        assert inv.issue_date == w["issueDate"]


def test_bank_transactions_of_every_bank_account(lending, raw, synced):
    accounts = sdk_list(lending, synced, BY_NAME["bankAccounts"], page=1, page_size=100).results
    assert accounts
    total = 0
    for acct in accounts:
        req = {"company_id": synced.company_id, "connection_id": synced.connection_id, "account_id": acct.id}
        page = lending.accounting_bank_data.list_transactions(request={**req, "page": 1, "page_size": 5000})
        assert isinstance(page, shared.AccountingBankTransactions)
        assert len(page.results) == page.total_results
        path = (f"/companies/{synced.company_id}/connections/{synced.connection_id}"
                f"/data/bankAccounts/{acct.id}/bankTransactions")
        wire = raw_json(raw, path, {"page": 1, "pageSize": 5000})
        assert_matches_wire(page, wire, f"bank transactions of {acct.id}")
        assert page.links.self_.href == path
        for t in page.results:
            assert t.account_id == acct.id
        if page.results:
            t = page.results[0]
            one = lending.accounting_bank_data.list_transactions(
                request={**req, "page": 1, "page_size": 10, "query": f"id={t.id}"})
            assert [x.id for x in one.results] == [t.id]
            if page.total_results > 1:
                small = lending.accounting_bank_data.list_transactions(
                    request={**req, "page": 2, "page_size": 1, "order_by": "-id"})
                assert small.total_results == page.total_results and len(small.results) == 1
        total += page.total_results
    assert total > 0, "the Sandbox's bank accounts have transactions"
    unknown = lending.accounting_bank_data.list_transactions(request={
        "company_id": synced.company_id, "connection_id": synced.connection_id, "account_id": books.new_id(),
        "page": 1, "page_size": 10})
    assert unknown.total_results == 0 and unknown.results == []


# ---------------------------------------------------------------------------------------
# Company info, financial statements, aged reports


def test_company_info(lending, raw, synced):
    info = lending.company_info.get_accounting_profile(request={"company_id": synced.company_id})
    assert isinstance(info, shared.AccountingCompanyInfo)
    assert info.company_name and info.base_currency == "GBP"
    wire = raw_json(raw, f"/companies/{synced.company_id}/data/info")
    assert_matches_wire(info, wire, "company info")


def test_company_info_has_only_codat_fields(raw, synced):
    wire = raw_json(raw, f"/companies/{synced.company_id}/data/info")
    extra = set(wire) - set(shared.AccountingCompanyInfo.model_json_schema(by_alias=True)["properties"])
    assert not extra, f"not in Codat's AccountingCompanyInfo: {sorted(extra)}"


def months_between(a: str, b: str) -> int:
    da, db = dt.date.fromisoformat(a[:10]), dt.date.fromisoformat(b[:10])
    return (db.year - da.year) * 12 + db.month - da.month


STATEMENTS = {
    "balanceSheet": ("balance_sheet", shared.AccountingBalanceSheet, "balanceSheet"),
    "profitAndLoss": ("profit_and_loss", shared.AccountingProfitAndLossReport, "profitAndLoss"),
    "cashFlowStatement": ("cash_flow", shared.AccountingCashFlowStatement, "cashFlowStatement"),
}


@pytest.mark.parametrize("kind", list(STATEMENTS))
@pytest.mark.parametrize("period_length,periods", [(1, 1), (1, 6), (3, 4), (12, 2)])
def test_financial_statement(lending, raw, synced, kind, period_length, periods):
    attr, model, path = STATEMENTS[kind]
    req = {"company_id": synced.company_id, "period_length": period_length, "periods_to_compare": periods}
    doc = getattr(lending.financial_statements, attr).get(request=req)
    assert isinstance(doc, model)
    wire = raw_json(raw, f"/companies/{synced.company_id}/data/financials/{path}",
                    {"periodLength": period_length, "periodsToCompare": periods})
    assert_matches_wire(doc, wire, f"{kind} {period_length}x{periods}")
    assert len(doc.reports) == periods, f"{kind}: {len(doc.reports)} reports for periodsToCompare={periods}"


def add_months(month: str, n: int) -> str:
    d = dt.date.fromisoformat(month[:7] + "-01")
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1).isoformat()


@pytest.mark.parametrize("kind", list(STATEMENTS))
def test_financial_statement_start_month(lending, raw, synced, kind):
    # Periods run back in time from startMonth: the first report is the startMonth period.
    attr, model, path = STATEMENTS[kind]
    latest = getattr(lending.financial_statements, attr).get(
        request={"company_id": synced.company_id, "period_length": 1, "periods_to_compare": 1})
    assert latest.earliest_available_month and latest.most_recent_available_month
    start = add_months(latest.earliest_available_month, 3)
    doc = getattr(lending.financial_statements, attr).get(request={
        "company_id": synced.company_id, "period_length": 1, "periods_to_compare": 2, "start_month": start})
    assert isinstance(doc, model) and len(doc.reports) == 2
    wire = raw_json(raw, f"/companies/{synced.company_id}/data/financials/{path}",
                    {"periodLength": 1, "periodsToCompare": 2, "startMonth": start})
    assert_matches_wire(doc, wire, f"{kind} from {start}")
    first = wire["reports"][0].get("date") or wire["reports"][0].get("fromDate")
    second = wire["reports"][1].get("date") or wire["reports"][1].get("fromDate")
    assert first[:7] == start[:7], f"{kind} from {start}: first period is {first}"
    assert second[:7] == add_months(start, -1)[:7], f"{kind} from {start}: second period is {second}"


def test_balance_sheet_balances(lending, synced):
    doc = lending.financial_statements.balance_sheet.get(
        request={"company_id": synced.company_id, "period_length": 1, "periods_to_compare": 6})
    for r in doc.reports:
        assert r.net_assets == r.assets.value - r.liabilities.value, r.date
        assert r.equity.value == r.net_assets, f"{r.date}: equity {r.equity.value} != net assets {r.net_assets}"


def test_profit_and_loss_adds_up(lending, synced):
    doc = lending.financial_statements.profit_and_loss.get(
        request={"company_id": synced.company_id, "period_length": 3, "periods_to_compare": 4})
    for r in doc.reports:
        assert r.gross_profit == r.income.value - r.cost_of_sales.value, r.from_date
        assert r.net_operating_profit == r.gross_profit - r.expenses.value, r.from_date
        assert r.net_profit == r.net_operating_profit + r.other_income.value - r.other_expenses.value, r.from_date
    starts = [r.from_date for r in doc.reports]
    for a, b in zip(starts, starts[1:]):
        assert months_between(b, a) == 3, f"quarterly periods: {starts}"


AGED = {
    "debtors": ("get_aged_debtors", "is_aged_debtors_available", shared.AccountingAgedDebtorReport, "agedDebtor"),
    "creditors": ("get_aged_creditors", "is_aged_creditors_available", shared.AccountingAgedCreditorReport,
                  "agedCreditor"),
}


@pytest.mark.parametrize("kind", list(AGED))
def test_aged_report(lending, raw, synced, kind):
    get, available, model, path = AGED[kind]
    reports = lending.accounts_receivable.reports
    assert getattr(reports, available)(request={"company_id": synced.company_id}) is True
    wire_avail = raw_json(raw, f"/companies/{synced.company_id}/reports/{path}/available")
    assert wire_avail is True

    doc = getattr(reports, get)(request={"company_id": synced.company_id})
    assert isinstance(doc, model)
    wire = raw_json(raw, f"/companies/{synced.company_id}/reports/{path}")
    assert_recent(doc.generated)
    assert_recent(wire["generated"])
    wire["generated"] = doc.generated  # a second request is generated at another instant
    assert_matches_wire(doc, wire, f"aged {kind}")
    assert doc.data, f"aged {kind}: no data"

    date = dt.date.today() - dt.timedelta(days=60)
    doc = getattr(reports, get)(request={"company_id": synced.company_id, "report_date": date,
                                         "number_of_periods": 3, "period_length_days": 45})
    wire = raw_json(raw, f"/companies/{synced.company_id}/reports/{path}",
                    {"reportDate": date.isoformat(), "numberOfPeriods": 3, "periodLengthDays": 45})
    wire["generated"] = doc.generated
    assert_matches_wire(doc, wire, f"aged {kind} at {date}")
    assert doc.report_date[:10] == date.isoformat()
    assert doc.data, f"aged {kind} at {date}: no data"
    for contact in doc.data:
        for per_currency in contact.aged_currency_outstanding or []:
            buckets = per_currency.aged_outstanding_amounts or []
            assert len(buckets) == 3, f"numberOfPeriods=3 gives 3 buckets: {plain(per_currency)}"
            for b in buckets:
                if b.details:
                    assert sum((d.amount for d in b.details), Decimal(0)) == b.amount, plain(b)


# ---------------------------------------------------------------------------------------
# Errors: the SDK's typed ErrorMessage with Codat's body


def expect_lending_error(call: Callable[[], Any], status: int) -> errors.ErrorMessage:
    with pytest.raises(errors.CodatLendingError) as info:
        call()
    e = info.value
    assert isinstance(e, errors.ErrorMessage), f"not the typed ErrorMessage: {type(e).__name__} {e.status_code} {e.body!r}"
    assert e.status_code == status, f"expected {status}: {e.status_code} {e.body!r}"
    assert e.data.status_code == status and e.data.error and e.data.correlation_id, e.body
    return e


@pytest.fixture(scope="module")
def unsynced(raw) -> Books:
    """A Sandbox company whose connection was never linked, so nothing was ever synced."""
    company_id, connection_id = books.create_sandbox_company(raw, "SDK Unsynced")
    yield Books(company_id, connection_id, {})
    books.delete_company(raw, company_id)


@pytest.mark.parametrize("name", IDS)
def test_409_before_the_first_sync(lending, unsynced, name):
    rec = BY_NAME[name]
    e = expect_lending_error(lambda: sdk_list(lending, unsynced, rec, page=1, page_size=10), 409)
    assert e.data.error == "The data set has not been requested."
    if rec.id_field:
        expect_lending_error(lambda: sdk_get(lending, unsynced, rec, books.new_id()), 409)


def test_409_documents_before_the_first_sync(lending, unsynced):
    cid = unsynced.company_id
    calls = [
        lambda: lending.company_info.get_accounting_profile(request={"company_id": cid}),
        lambda: lending.financial_statements.balance_sheet.get(
            request={"company_id": cid, "period_length": 1, "periods_to_compare": 1}),
        lambda: lending.financial_statements.profit_and_loss.get(
            request={"company_id": cid, "period_length": 1, "periods_to_compare": 1}),
        lambda: lending.financial_statements.cash_flow.get(
            request={"company_id": cid, "period_length": 1, "periods_to_compare": 1}),
    ]
    for call in calls:
        e = expect_lending_error(call, 409)
        assert e.data.error == "The data set has not been requested."
    # Codat's spec documents no 409 for the aged reports, so the SDK raises its generic
    # SDKError for it; the body must still be Codat's ErrorMessage.
    for get in (lending.accounts_receivable.reports.get_aged_debtors,
                lending.accounts_receivable.reports.get_aged_creditors):
        with pytest.raises(errors.SDKError) as info:
            get(request={"company_id": cid})
        assert info.value.status_code == 409, info.value.body
        body = errors.ErrorMessageData.model_validate_json(info.value.body)
        assert body.status_code == 409 and body.error == "The data set has not been requested."


def test_aged_reports_not_available_before_the_first_sync(lending, unsynced):
    reports = lending.accounts_receivable.reports
    assert reports.is_aged_debtors_available(request={"company_id": unsynced.company_id}) is False
    assert reports.is_aged_creditors_available(request={"company_id": unsynced.company_id}) is False


@pytest.mark.parametrize("name", [r.name for r in RECORDS if r.id_field])
def test_unknown_id_is_404(lending, synced, name):
    rec = BY_NAME[name]
    missing = "no-such-" + books.new_id()
    expect_lending_error(lambda: sdk_get(lending, synced, rec, missing), 404)


def test_unknown_company_is_404(lending):
    expect_lending_error(lambda: lending.accounts_receivable.invoices.list(
        request={"company_id": books.new_id(), "page": 1, "page_size": 10}), 404)
    expect_lending_error(lambda: lending.company_info.get_accounting_profile(
        request={"company_id": books.new_id()}), 404)


@pytest.mark.parametrize("name", [r.name for r in RECORDS if r.connection])
def test_unknown_or_foreign_connection_is_404(lending, synced, unsynced, name):
    rec = BY_NAME[name]
    for company, connection in ((synced.company_id, books.new_id()),
                                (unsynced.company_id, synced.connection_id)):
        req = {"company_id": company, "connection_id": connection, "page": 1, "page_size": 10}
        expect_lending_error(lambda: group(lending, rec).list(request=req), 404)


def test_list_defaults_to_page_1_of_100(lending, synced):
    page = lending.accounts_receivable.invoices.list(request={"company_id": synced.company_id})
    assert page.page_number == 1 and page.page_size == 100
    assert len(page.results) == min(100, page.total_results)


def test_company_level_reads_serve_an_unlinked_connections_cache(lending, raw, sdk):
    # Codat serves the cached data of a Deauthorized or Unlinked connection.
    b = books.link_sandbox(raw, "SDK Unlinked Books")
    try:
        before = lending.accounts_receivable.invoices.list(request={"company_id": b.company_id, "page_size": 5000})
        sdk.connections.unlink(request={"company_id": b.company_id, "connection_id": b.connection_id,
                                        "update_connection_status": {"status": "Unlinked"}})
        conn = sdk.connections.get(request={"company_id": b.company_id, "connection_id": b.connection_id})
        assert conn.status.value == "Unlinked"
        after = lending.accounts_receivable.invoices.list(request={"company_id": b.company_id, "page_size": 5000})
        assert after.total_results == before.total_results > 0
        assert [plain(i) for i in after.results] == [plain(i) for i in before.results]
        one = before.results[0]
        got = lending.accounts_receivable.invoices.get(request={"company_id": b.company_id, "invoice_id": one.id})
        assert same_record(got, one)
        bs = lending.financial_statements.balance_sheet.get(
            request={"company_id": b.company_id, "period_length": 1, "periods_to_compare": 1})
        assert len(bs.reports) == 1
    finally:
        books.delete_company(raw, b.company_id)
