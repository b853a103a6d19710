"""Companies: create, get, list (paging, query, orderBy), replace, update, delete."""

from __future__ import annotations

import time
import uuid

from codat_platform.models import errors, shared

from sdkutil import assert_recent, assert_uuid, error_data, expect_error, unique


def test_create_company_returns_codat_company(sdk, new_company):
    name = unique("Acme Lending")
    c = new_company(name=name, description="A test company", tags={"region": "uk", "uid": "cust-42"})

    assert isinstance(c, shared.Company)
    assert_uuid(c.id)
    assert c.name == name
    assert c.description == "A test company"
    assert c.tags == {"region": "uk", "uid": "cust-42"}
    assert c.redirect.startswith(("http://", "https://")), c.redirect
    assert c.redirect.rstrip("/").endswith(c.id), f"redirect should be the company's Link URL: {c.redirect}"
    assert c.data_connections == []
    assert_recent(c.created)
    assert c.last_sync is None


def test_create_company_minimal_body(sdk, new_company):
    c = new_company(name=unique("Minimal"))
    assert c.description in (None, ""), "examples return an empty description when unset"
    assert not c.tags
    assert c.reference_subsidiary_companies in (None, [])
    assert c.products is None or isinstance(c.products, list)


def test_create_company_strips_forbidden_characters(new_company):
    # Codat strips, not rejects, characters outside letters, digits, spaces and - ' & @ . , ? !
    c = new_company(name="Company (Codat[1])")
    assert c.name == "Company Codat1"


def test_create_company_without_name_is_400(sdk):
    e = expect_error(lambda: sdk.companies.create(request={"name": ""}), 400)
    assert isinstance(e, errors.ErrorMessage), "400 is documented for create-company"


def test_get_company_round_trips(sdk, new_company):
    created = new_company(description="get me", tags={"k": "v"})
    got = sdk.companies.get(request={"company_id": created.id})
    assert isinstance(got, shared.Company)
    assert got.id == created.id
    assert got.name == created.name
    assert got.description == "get me"
    assert got.tags == {"k": "v"}
    assert got.redirect == created.redirect
    assert got.created == created.created
    assert got.data_connections == []


def test_get_unknown_company_is_404(sdk):
    missing = str(uuid.uuid4())
    e = expect_error(lambda: sdk.companies.get(request={"company_id": missing}), 404)
    assert isinstance(e, errors.ErrorMessage)
    assert missing in (error_data(e).error or ""), "Codat names the id: 'No company was found with ID {id}'"


def test_list_companies_paging(sdk, no_companies, new_company):
    ids = {new_company(name=unique(f"Paging {i}")).id for i in range(5)}

    first = sdk.companies.list(request={"page": 1, "page_size": 2})
    assert isinstance(first, shared.Companies)
    assert first.page_number == 1
    assert first.page_size == 2
    assert first.total_results == 5
    assert len(first.results) == 2
    assert first.links.self_.href == "/companies"
    assert first.links.current.href == "/companies?page=1&pageSize=2"
    assert first.links.next is not None and first.links.next.href == "/companies?page=2&pageSize=2"
    assert first.links.previous is None

    last = sdk.companies.list(request={"page": 3, "page_size": 2})
    assert last.page_number == 3
    assert last.total_results == 5
    assert len(last.results) == 1
    assert last.links.next is None
    assert last.links.previous is not None and last.links.previous.href == "/companies?page=2&pageSize=2"

    seen = []
    for page in (1, 2, 3):
        seen += [c.id for c in sdk.companies.list(request={"page": page, "page_size": 2}).results]
    assert len(seen) == 5 and set(seen) == ids, "pages must partition the results"


def test_list_companies_default_paging(sdk, no_companies, new_company):
    new_company()
    page = sdk.companies.list()
    assert page.page_number == 1
    assert page.page_size == 100
    assert page.total_results == 1
    assert page.links.current.href == "/companies?page=1&pageSize=100"
    assert page.links.self_.href == "/companies"


def test_list_companies_query_by_name(sdk, no_companies, new_company):
    foo = new_company(name="Foo")
    new_company(name="Foobar")
    new_company(name="Bar")
    page = sdk.companies.list(request={"page": 1, "page_size": 100, "query": "name=Foo"})
    assert [c.id for c in page.results] == [foo.id]
    assert page.total_results == 1, "totalResults counts rows after filtering"
    assert page.links.current.href.startswith("/companies?page=1&pageSize=100")
    assert "query=" in page.links.current.href, "current keeps the caller's query"


def test_list_companies_query_by_connection_status(sdk, new_company):
    pending = new_company(name=unique("With Connection"))
    bare = new_company(name=unique("No Connection"))
    sdk.connections.create(request={"company_id": pending.id, "request_body": {"platform_key": "mqjo"}})

    page = sdk.companies.list(request={"page": 1, "page_size": 100,
                                       "query": "dataConnections.status=PendingAuth"})
    ids = {c.id for c in page.results}
    assert pending.id in ids
    assert bare.id not in ids
    for c in page.results:
        assert any(d.status == shared.DataConnectionStatus.PENDING_AUTH for d in c.data_connections), c


def test_list_companies_filter_by_tags(sdk, new_company):
    run = uuid.uuid4().hex[:8]
    uk = new_company(tags={"region": "uk", "run": run, "team": "invoice-finance"})
    us = new_company(tags={"region": "us", "run": run})
    new_company(tags={"run": "other"})

    def listed(tags: str) -> set:
        return {c.id for c in sdk.companies.list(request={"page": 1, "page_size": 100, "tags": tags}).results}

    assert listed(f"run={run}") == {uk.id, us.id}
    assert listed(f"region=uk && run={run}") == {uk.id}
    assert listed(f"region != uk && run={run}") == {us.id}
    assert listed(f"team~finance && run={run}") == {uk.id}


def test_list_companies_malformed_query_is_400(sdk):
    e = expect_error(lambda: sdk.companies.list(request={"page": 1, "page_size": 10, "query": "{name=Foo"}), 400)
    assert isinstance(e, errors.ErrorMessage)


def test_list_companies_order_by_created(sdk, no_companies, new_company):
    made = []
    for i in range(3):
        made.append(new_company(name=unique(f"Ordered {i}")).id)
        time.sleep(1.05)  # distinct `created` even at one-second resolution
    desc = sdk.companies.list(request={"page": 1, "page_size": 10, "order_by": "-created"})
    assert [c.id for c in desc.results] == list(reversed(made))
    asc = sdk.companies.list(request={"page": 1, "page_size": 10, "order_by": "created"})
    assert [c.id for c in asc.results] == made
    assert "orderBy=" in desc.links.current.href


def test_list_companies_order_by_name(sdk, no_companies, new_company):
    for n in ("Charlie", "Alpha", "Bravo"):
        new_company(name=n)
    page = sdk.companies.list(request={"page": 1, "page_size": 10, "order_by": "name"})
    assert [c.name for c in page.results] == ["Alpha", "Bravo", "Charlie"]
    page = sdk.companies.list(request={"page": 1, "page_size": 10, "order_by": "-name"})
    assert [c.name for c in page.results] == ["Charlie", "Bravo", "Alpha"]


def test_replace_company_replaces_all_fields(sdk, new_company):
    c = new_company(description="old", tags={"a": "1"})
    new_name = unique("Replaced")
    r = sdk.companies.replace(request={"company_id": c.id, "company_request_body": {"name": new_name}})
    assert isinstance(r, shared.Company)
    assert r.id == c.id
    assert r.name == new_name
    assert r.description in (None, ""), "PUT replaces the description even when omitted"
    assert not r.tags, "PUT replaces the tags even when omitted"
    got = sdk.companies.get(request={"company_id": c.id})
    assert (got.name, got.description or "", got.tags or {}) == (new_name, "", {})
    assert got.created == c.created


def test_update_company_changes_only_given_fields(sdk, new_company):
    c = new_company(description="keep me", tags={"team": "risk"})
    new_name = unique("Patched")
    u = sdk.companies.update(request={"company_id": c.id, "company_update_request": {"name": new_name}})
    assert isinstance(u, shared.Company)
    assert u.name == new_name
    assert u.description == "keep me"
    assert u.tags == {"team": "risk"}

    u = sdk.companies.update(request={"company_id": c.id,
                                      "company_update_request": {"description": "changed", "tags": {"x": "y"}}})
    assert (u.name, u.description, u.tags) == (new_name, "changed", {"x": "y"})


def test_update_unknown_company_is_404(sdk):
    expect_error(lambda: sdk.companies.update(request={"company_id": str(uuid.uuid4()),
                                                       "company_update_request": {"name": "Nobody"}}), 404)


def test_delete_company(sdk, new_company):
    c = new_company()
    assert sdk.companies.delete(request={"company_id": c.id}) is None
    expect_error(lambda: sdk.companies.get(request={"company_id": c.id}), 404)
    listed = sdk.companies.list(request={"page": 1, "page_size": 5000})
    assert c.id not in {x.id for x in listed.results}
    expect_error(lambda: sdk.companies.delete(request={"company_id": c.id}), 404)


def test_legacy_create_with_platform_type(sdk, raw):
    # The 2023-02 "Managing companies" seed: platformType creates a PendingAuth connection.
    # The SDK's CompanyRequestBody has no platformType, so this goes over raw HTTP and is
    # then parsed with the SDK's own Company model.
    resp = raw.post("/companies", json={"name": "Platypus Properties", "platformType": "mqjo"})
    try:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        c = shared.Company.model_validate(body)
        assert c.name == "Platypus Properties"
        assert body.get("platform") == "Sandbox"
        assert len(c.data_connections) == 1
        conn = c.data_connections[0]
        assert conn.status == shared.DataConnectionStatus.PENDING_AUTH
        assert conn.integration_key == "mqjo"
        assert conn.platform_name == "Sandbox"
        assert conn.source_type == shared.SourceType.ACCOUNTING
        # and the SDK sees the same connection
        got = sdk.connections.get(request={"company_id": c.id, "connection_id": conn.id})
        assert got.id == conn.id and got.status == shared.DataConnectionStatus.PENDING_AUTH
    finally:
        if resp.status_code == 200:
            sdk.companies.delete(request={"company_id": resp.json()["id"]})
