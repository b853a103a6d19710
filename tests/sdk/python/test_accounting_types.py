"""Accounting reads of the types Codat's Lending SDK lacks, through Codat's official
Accounting SDK (`codat-accounting` 0.36.0): items, tax rates, tracking categories, payment
methods, purchase orders and sales orders.

Like test_accounting_lending.py: one Sandbox company synced once for the module, here with
the `medium` books (~50,000 records, ~25 s to sync on a debug build): the `small` books, a
sole trader, have no purchase or sales orders. Every list
(page, pageSize, orderBy, query) and get-by-id parses into the SDK's models, matches the wire
JSON exactly, and the errors are the SDK's typed `ErrorMessage` with Codat's body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List

import pytest

from codat_accounting.models import errors, shared

import books
import test_accounting_lending as lending_suite
from books import Books, values_match, raw_json, same_record, unknown_keys


@dataclass(frozen=True)
class Rec:
    name: str
    group: str
    id_field: str
    path: str
    model: type
    get_model: type
    envelope: type


RECORDS: List[Rec] = [
    Rec("items", "items", "item_id", "items", shared.Item, shared.Item, shared.SchemaItems),
    Rec("taxRates", "tax_rates", "tax_rate_id", "taxRates", shared.TaxRate, shared.TaxRate, shared.TaxRates),
    # Codat documents get-tracking-category as returning a TrackingCategoryTree (the category
    # with its subCategories); the list holds flat TrackingCategory records.
    Rec("trackingCategories", "tracking_categories", "tracking_category_id", "trackingCategories",
        shared.TrackingCategory, shared.TrackingCategoryTree, shared.TrackingCategories),
    Rec("paymentMethods", "payment_methods", "payment_method_id", "paymentMethods",
        shared.PaymentMethod, shared.PaymentMethod, shared.PaymentMethods),
    Rec("purchaseOrders", "purchase_orders", "purchase_order_id", "purchaseOrders",
        shared.PurchaseOrder, shared.PurchaseOrder, shared.PurchaseOrders),
    Rec("salesOrders", "sales_orders", "sales_order_id", "salesOrders",
        shared.SalesOrder, shared.SalesOrder, shared.SalesOrders),
]
BY_NAME = {r.name: r for r in RECORDS}
IDS = [r.name for r in RECORDS]


@pytest.fixture(scope="module")
def synced(raw) -> Books:
    b = books.link_sandbox(raw, "SDK Accounting Books", dataset="medium")
    yield b
    books.delete_company(raw, b.company_id)


@pytest.fixture(scope="module")
def unsynced(raw) -> Books:
    company_id, connection_id = books.create_sandbox_company(raw, "SDK Unsynced Accounting")
    yield Books(company_id, connection_id, {})
    books.delete_company(raw, company_id)


def sdk_list(accounting, b: Books, rec: Rec, **params):
    return getattr(accounting, rec.group).list(request={"company_id": b.company_id, **params})


def sdk_get(accounting, b: Books, rec: Rec, record_id: str):
    return getattr(accounting, rec.group).get(request={"company_id": b.company_id, rec.id_field: record_id})


def path(b: Books, rec: Rec) -> str:
    return f"/companies/{b.company_id}/data/{rec.path}"


def assert_matches_wire(model: Any, wire: Any, what: str) -> None:
    extra = unknown_keys(model, wire)
    assert not extra, f"{what}: keys the SDK model does not know (misnamed or not in Codat's schema): {extra}"
    bad = values_match(model, wire)
    assert not bad, f"{what}: values the SDK did not read exactly as sent: {bad}"


def common(a: Any, b: Any) -> Dict[str, Any]:
    """The fields of `a` also on `b`, dumped by alias (a tree compared with its flat record)."""
    da = a.model_dump(by_alias=True)
    db = b.model_dump(by_alias=True)
    return {k: v for k, v in da.items() if k in db}


@pytest.mark.parametrize("name", IDS)
def test_list_parses_and_matches_the_wire(accounting, raw, synced, name):
    rec = BY_NAME[name]
    page = sdk_list(accounting, synced, rec, page=1, page_size=100)
    assert isinstance(page, rec.envelope)
    assert all(isinstance(r, rec.model) for r in page.results)
    wire = raw_json(raw, path(synced, rec), {"page": 1, "pageSize": 100})
    assert page.total_results == wire["totalResults"] > 0, f"the small books hold {name}"
    assert page.page_number == 1 and page.page_size == 100
    assert len(page.results) == min(100, page.total_results)
    assert [r.id for r in page.results] == [w["id"] for w in wire["results"]]
    assert_matches_wire(page, wire, f"list {name}")
    assert page.links.self_.href == path(synced, rec)
    assert page.links.current.href == f"{path(synced, rec)}?page=1&pageSize=100"
    assert (page.links.next is not None) == (page.total_results > 100)


@pytest.mark.parametrize("name", IDS)
def test_get_by_id_equals_the_list_entry(accounting, raw, synced, name):
    rec = BY_NAME[name]
    page = sdk_list(accounting, synced, rec, page=1, page_size=100)
    for i in sorted({0, len(page.results) // 2, len(page.results) - 1}):
        entry = page.results[i]
        got = sdk_get(accounting, synced, rec, entry.id)
        assert isinstance(got, rec.get_model)
        if rec.get_model is rec.model:
            assert same_record(got, entry), f"{name} {entry.id}: get-by-id differs from the list entry"
        else:
            assert common(got, entry) == common(entry, got), f"{name} {entry.id}: tree differs from the record"
        wire = raw_json(raw, f"{path(synced, rec)}/{entry.id}")
        assert_matches_wire(got, wire, f"get {name} {entry.id}")


def test_tracking_category_tree_holds_its_children(accounting, synced):
    rec = BY_NAME["trackingCategories"]
    every = sdk_list(accounting, synced, rec, page=1, page_size=5000).results
    parents = [c for c in every if c.has_children]
    assert parents, "the Sandbox has nested tracking categories"
    for parent in parents:
        tree = sdk_get(accounting, synced, rec, parent.id)
        children = {c.id for c in every if c.parent_id == parent.id}
        assert {c.id for c in tree.sub_categories or []} == children, parent.id


@pytest.mark.parametrize("name", IDS)
def test_paging_and_order(accounting, synced, name):
    rec = BY_NAME[name]
    everything = sdk_list(accounting, synced, rec, page=1, page_size=5000)
    ids = [r.id for r in everything.results]
    assert len(ids) == everything.total_results
    size = max(1, -(-len(ids) // 5))  # about five pages
    seen: List[str] = []
    for n in range(1, -(-len(ids) // size) + 1):
        p = sdk_list(accounting, synced, rec, page=n, page_size=size)
        assert p.total_results == len(ids) and p.page_number == n and p.page_size == size
        assert (p.links.previous is not None) == (n > 1)
        seen += [r.id for r in p.results]
    assert seen == ids
    asc = sdk_list(accounting, synced, rec, page=1, page_size=5000, order_by="id")
    desc = sdk_list(accounting, synced, rec, page=1, page_size=5000, order_by="-id")
    assert [r.id for r in asc.results] == [r.id for r in reversed(desc.results)]


@pytest.mark.parametrize("name", IDS)
def test_query_by_id(accounting, synced, name):
    rec = BY_NAME[name]
    page = sdk_list(accounting, synced, rec, page=1, page_size=100)
    target = page.results[-1]
    one = sdk_list(accounting, synced, rec, page=1, page_size=100, query=f"id={target.id}")
    assert one.total_results == 1 and same_record(one.results[0], target)
    none = sdk_list(accounting, synced, rec, page=1, page_size=100, query=f"id={books.new_id()}")
    assert none.total_results == 0 and none.results == []


def test_purchase_and_sales_orders_add_up(accounting, synced):
    for rec in (BY_NAME["purchaseOrders"], BY_NAME["salesOrders"]):
        for o in sdk_list(accounting, synced, rec, page=1, page_size=5000).results:
            if o.sub_total is not None and o.total_tax_amount is not None and o.total_amount is not None:
                assert o.sub_total + o.total_tax_amount == o.total_amount, f"{rec.name} {o.id}"


def expect_accounting_error(call: Callable[[], Any], status: int) -> errors.ErrorMessage:
    # codat-accounting's typed ErrorMessage carries only the parsed body (no HTTP status).
    with pytest.raises(errors.ErrorMessage) as info:
        call()
    data = info.value.data
    assert data.status_code == status, f"expected {status}: {data!r}"
    assert data.error and data.correlation_id, repr(data)
    return info.value


@pytest.mark.parametrize("name", IDS)
def test_409_before_the_first_sync(accounting, unsynced, name):
    rec = BY_NAME[name]
    e = expect_accounting_error(lambda: sdk_list(accounting, unsynced, rec, page=1, page_size=10), 409)
    assert e.data.error == "The data set has not been requested."
    expect_accounting_error(lambda: sdk_get(accounting, unsynced, rec, books.new_id()), 409)


@pytest.mark.parametrize("name", IDS)
def test_unknown_id_is_404(accounting, synced, name):
    rec = BY_NAME[name]
    expect_accounting_error(lambda: sdk_get(accounting, synced, rec, "no-such-" + books.new_id()), 404)


# ---------------------------------------------------------------------------------------
# The Lending SDK on the medium books: foreign currencies, every status, full 5,000 pages


@pytest.mark.parametrize("name", lending_suite.IDS)
def test_lending_reads_every_record_of_the_medium_books(lending, raw, synced, name):
    rec = lending_suite.BY_NAME[name]
    total = None
    for page in range(1, 100):
        p = lending_suite.sdk_list(lending, synced, rec, page=page, page_size=5000)
        wire = raw_json(raw, lending_suite.wire_path(synced, rec), {"page": page, "pageSize": 5000})
        assert_matches_wire(p, wire, f"{name} page {page}")
        total = p.total_results
        if page * 5000 >= total:
            break
    assert total, f"the medium books hold {name}"


def test_lending_documents_of_the_medium_books(lending, raw, synced):
    cid = synced.company_id
    for attr, model, path in lending_suite.STATEMENTS.values():
        doc = getattr(lending.financial_statements, attr).get(
            request={"company_id": cid, "period_length": 1, "periods_to_compare": 24})
        assert isinstance(doc, model) and len(doc.reports) == 24
        wire = raw_json(raw, f"/companies/{cid}/data/financials/{path}", {"periodLength": 1, "periodsToCompare": 24})
        assert_matches_wire(doc, wire, f"{path} 1x24")
    reports = lending.accounts_receivable.reports
    for get, path in ((reports.get_aged_debtors, "agedDebtor"), (reports.get_aged_creditors, "agedCreditor")):
        doc = get(request={"company_id": cid, "number_of_periods": 5, "period_length_days": 30})
        wire = raw_json(raw, f"/companies/{cid}/reports/{path}", {"numberOfPeriods": 5, "periodLengthDays": 30})
        wire["generated"] = doc.generated
        assert_matches_wire(doc, wire, path)
        assert doc.data


def test_medium_books_have_foreign_currency_at_exact_rates(lending, raw, synced):
    rec = lending_suite.BY_NAME["invoices"]
    wire = raw_json(raw, lending_suite.wire_path(synced, rec), {"page": 1, "pageSize": 5000, "query": "currency!=GBP"})
    assert wire["totalResults"] > 0, "the medium books invoice in foreign currencies"
    page = lending_suite.sdk_list(lending, synced, rec, page=1, page_size=5000, query="currency!=GBP")
    for inv, w in zip(page.results, wire["results"]):
        assert inv.currency != "GBP" and inv.currency_rate is not None, inv.id
        assert inv.currency_rate == w["currencyRate"] and inv.total_amount == w["totalAmount"], inv.id
