"""Connections: create, list, get, unlink, delete."""

from __future__ import annotations

import uuid

import pytest

from codat_platform.models import errors, shared

from sdkutil import assert_recent, assert_uuid, error_data, expect_error

PENDING = shared.DataConnectionStatus.PENDING_AUTH


@pytest.fixture
def company(new_company) -> shared.Company:
    return new_company()


def create_sandbox(sdk, company_id: str) -> shared.Connection:
    return sdk.connections.create(request={"company_id": company_id, "request_body": {"platform_key": "mqjo"}})


def test_create_connection(sdk, company):
    conn = create_sandbox(sdk, company.id)
    assert isinstance(conn, shared.Connection)
    assert_uuid(conn.id)
    assert_uuid(conn.integration_id)
    assert_uuid(conn.source_id)
    assert conn.integration_key == "mqjo"
    assert conn.platform_name == "Sandbox"
    assert conn.source_type == shared.SourceType.ACCOUNTING
    assert conn.status == PENDING
    assert conn.link_url.startswith(("http://", "https://")), conn.link_url
    assert company.id in conn.link_url and conn.id in conn.link_url, conn.link_url
    assert_recent(conn.created)
    assert conn.last_sync is None
    assert not conn.data_connection_errors

    integ = sdk.integrations.get(request={"platform_key": "mqjo"})
    assert conn.integration_id == integ.integration_id

    # the company now lists it
    got = sdk.companies.get(request={"company_id": company.id})
    assert [c.id for c in got.data_connections] == [conn.id]
    assert got.data_connections[0].status == PENDING


CONNECTION_PROPERTIES = {"id", "integrationId", "integrationKey", "sourceId", "sourceType", "platformName",
                         "linkUrl", "status", "lastSync", "created", "dataConnectionErrors", "connectionInfo"}
CONNECTION_REQUIRED = {"id", "integrationId", "sourceId", "platformName", "linkUrl", "status", "created", "sourceType"}


def test_connection_wire_shape(sdk, raw, company):
    # The SDK ignores unknown keys, so check the raw JSON against the schema, which has
    # additionalProperties: false.
    conn = create_sandbox(sdk, company.id)
    for path in (f"/companies/{company.id}/connections/{conn.id}", f"/companies/{company.id}"):
        r = raw.get(path)
        assert r.status_code == 200, r.text
        body = r.json()
        wire = body if "linkUrl" in body else body["dataConnections"][0]
        assert CONNECTION_REQUIRED <= set(wire), f"missing: {CONNECTION_REQUIRED - set(wire)}"
        assert set(wire) <= CONNECTION_PROPERTIES, f"not in the schema: {set(wire) - CONNECTION_PROPERTIES}"
        assert r.headers["content-type"].startswith("application/json")


def test_list_connections(sdk, company):
    a = create_sandbox(sdk, company.id)
    page = sdk.connections.list(request={"company_id": company.id, "page": 1, "page_size": 100})
    assert isinstance(page, shared.Connections)
    assert page.total_results == 1
    assert page.page_number == 1 and page.page_size == 100
    assert [c.id for c in page.results] == [a.id]
    assert page.links.self_.href == f"/companies/{company.id}/connections"
    assert page.links.current.href == f"/companies/{company.id}/connections?page=1&pageSize=100"
    assert page.links.next is None and page.links.previous is None

    only_pending = sdk.connections.list(request={"company_id": company.id, "page": 1, "page_size": 100,
                                                 "query": "status=PendingAuth"})
    assert [c.id for c in only_pending.results] == [a.id]
    none_linked = sdk.connections.list(request={"company_id": company.id, "page": 1, "page_size": 100,
                                                "query": "status=Linked"})
    assert none_linked.results == [] and none_linked.total_results == 0


def test_list_connections_paging(sdk, company):
    # one accounting connection per company is a Link rule; the API itself may allow more.
    first = create_sandbox(sdk, company.id)
    try:
        second = create_sandbox(sdk, company.id)
    except errors.CodatPlatformError as e:
        pytest.skip(f"server allows one Sandbox connection per company (HTTP {e.status_code})")
    page1 = sdk.connections.list(request={"company_id": company.id, "page": 1, "page_size": 1,
                                          "order_by": "created"})
    page2 = sdk.connections.list(request={"company_id": company.id, "page": 2, "page_size": 1,
                                          "order_by": "created"})
    assert page1.total_results == 2 and page2.total_results == 2
    assert {page1.results[0].id, page2.results[0].id} == {first.id, second.id}
    assert page1.links.next is not None and page2.links.previous is not None


def test_get_connection(sdk, company):
    created = create_sandbox(sdk, company.id)
    got = sdk.connections.get(request={"company_id": company.id, "connection_id": created.id})
    assert isinstance(got, shared.Connection)
    assert got.id == created.id
    assert got.status == PENDING
    assert got.created == created.created
    assert got.link_url == created.link_url
    assert got.integration_key == "mqjo"


def test_get_unknown_connection_is_404(sdk, company):
    missing = str(uuid.uuid4())
    e = expect_error(lambda: sdk.connections.get(request={"company_id": company.id, "connection_id": missing}), 404)
    assert isinstance(e, errors.ErrorMessage)


def test_get_connection_of_another_company_is_404(sdk, new_company):
    owner, other = new_company(), new_company()
    conn = create_sandbox(sdk, owner.id)
    expect_error(lambda: sdk.connections.get(request={"company_id": other.id, "connection_id": conn.id}), 404)


def test_unlink_pending_connection_is_an_error(sdk, company):
    # Only Linked connections can be unlinked; a PendingAuth one is a 400. unlink-connection
    # does not document 400, so the SDK raises its generic SDKError (body still Codat's shape).
    conn = create_sandbox(sdk, company.id)
    e = expect_error(lambda: sdk.connections.unlink(request={
        "company_id": company.id, "connection_id": conn.id,
        "update_connection_status": {"status": shared.DataConnectionStatus.UNLINKED}}), 400)
    assert isinstance(e, errors.SDKError)
    assert error_data(e).status_code == 400
    after = sdk.connections.get(request={"company_id": company.id, "connection_id": conn.id})
    assert after.status == PENDING, "a failed unlink must not change the connection"


def test_unlink_unknown_connection_is_404(sdk, company):
    expect_error(lambda: sdk.connections.unlink(request={
        "company_id": company.id, "connection_id": str(uuid.uuid4()),
        "update_connection_status": {"status": shared.DataConnectionStatus.UNLINKED}}), 404)


def test_update_connection_authorization(sdk, raw, company):
    conn = create_sandbox(sdk, company.id)
    out = sdk.connections.update_authorization(request={
        "company_id": company.id, "connection_id": conn.id,
        "request_body": {"accessToken": "secret-token-value", "refreshToken": "another-secret"}})
    assert isinstance(out, shared.Connection)
    assert out.id == conn.id
    # Authorizing a Sandbox connection links it (no OAuth), like choosing its books in Link.
    assert out.status == shared.DataConnectionStatus.LINKED
    # credentials are write-only: they never come back in any response
    for path in (f"/companies/{company.id}/connections/{conn.id}", f"/companies/{company.id}",
                 f"/companies/{company.id}/connections"):
        text = raw.get(path).text
        assert "secret-token-value" not in text and "another-secret" not in text, path
    expect_error(lambda: sdk.connections.update_authorization(request={
        "company_id": company.id, "connection_id": str(uuid.uuid4()), "request_body": {"k": "v"}}), 404)
    expect_error(lambda: sdk.connections.update_authorization(request={
        "company_id": company.id, "connection_id": conn.id, "request_body": {"dataset": "huge"}}), 400)


def test_delete_connection(sdk, company):
    conn = create_sandbox(sdk, company.id)
    assert sdk.connections.delete(request={"company_id": company.id, "connection_id": conn.id}) is None
    expect_error(lambda: sdk.connections.get(request={"company_id": company.id, "connection_id": conn.id}), 404)
    page = sdk.connections.list(request={"company_id": company.id, "page": 1, "page_size": 100})
    assert page.results == [] and page.total_results == 0
    assert sdk.companies.get(request={"company_id": company.id}).data_connections == []
    expect_error(lambda: sdk.connections.delete(request={"company_id": company.id, "connection_id": conn.id}), 404)


def test_create_connection_for_unknown_company_is_404(sdk):
    e = expect_error(lambda: create_sandbox(sdk, str(uuid.uuid4())), 404)
    assert isinstance(e, errors.ErrorMessage)


@pytest.mark.parametrize("platform_key", ["gbol", "zzzz"], ids=["disabled-xero", "unknown"])
def test_create_connection_to_unavailable_platform_fails(sdk, company, platform_key):
    # Xero is listed but disabled unless configured; zzzz does not exist.
    with pytest.raises(errors.CodatPlatformError) as info:
        sdk.connections.create(request={"company_id": company.id, "request_body": {"platform_key": platform_key}})
    e = info.value
    assert 400 <= e.status_code < 500, f"HTTP {e.status_code}: {e.body!r}"
    assert error_data(e).status_code == e.status_code
    assert sdk.connections.list(request={"company_id": company.id}).total_results == 0


def test_delete_company_deletes_its_connections(sdk, new_company):
    c = new_company()
    conn = create_sandbox(sdk, c.id)
    sdk.companies.delete(request={"company_id": c.id})
    expect_error(lambda: sdk.connections.get(request={"company_id": c.id, "connection_id": conn.id}), 404)
