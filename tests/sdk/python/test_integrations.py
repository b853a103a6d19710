"""Integrations: list (paging, query), get, branding."""

from __future__ import annotations

import pytest

from codat_platform.models import errors, shared

from sdkutil import assert_uuid, expect_error

ACCOUNTING = shared.SourceType.ACCOUNTING


def by_key(page: shared.Integrations) -> dict:
    return {i.key: i for i in page.results}


def test_list_integrations(sdk):
    page = sdk.integrations.list(request={"page": 1, "page_size": 100})
    assert isinstance(page, shared.Integrations)
    assert page.page_number == 1 and page.page_size == 100
    assert page.total_results == len(page.results)
    assert page.links.self_.href == "/integrations"
    assert page.links.current.href == "/integrations?page=1&pageSize=100"

    keys = by_key(page)
    assert {"mqjo", "gbol", "qhyg"} <= set(keys), sorted(keys)
    sandbox, xero, qbo = keys["mqjo"], keys["gbol"], keys["qhyg"]
    assert (sandbox.name, sandbox.enabled, sandbox.source_type) == ("Sandbox", True, ACCOUNTING)
    assert (xero.name, xero.enabled, xero.source_type) == ("Xero", False, ACCOUNTING)
    assert qbo.name.startswith("QuickBooks") and qbo.enabled is False and qbo.source_type == ACCOUNTING
    for i in page.results:
        assert len(i.key) == 4 and i.key.isalpha() and i.key.islower(), i.key
        assert i.logo_url.startswith(("http://", "https://", "/")), i.logo_url
        if i.integration_id is not None:
            assert_uuid(i.integration_id)
        if i.source_id is not None:
            assert_uuid(i.source_id)


def test_list_integrations_query_enabled_accounting(sdk):
    # the docs' own example
    page = sdk.integrations.list(request={"page": 1, "page_size": 100,
                                          "query": "sourceType=accounting&&enabled=true"})
    keys = by_key(page)
    assert "mqjo" in keys
    assert "gbol" not in keys and "qhyg" not in keys
    assert page.total_results == len(page.results)
    for i in page.results:
        assert i.enabled is True and i.source_type == ACCOUNTING, i


def test_list_integrations_query_disabled(sdk):
    page = sdk.integrations.list(request={"page": 1, "page_size": 100, "query": "enabled=false"})
    keys = by_key(page)
    assert {"gbol", "qhyg"} <= set(keys)
    assert "mqjo" not in keys


def test_list_integrations_paging(sdk):
    total = sdk.integrations.list(request={"page": 1, "page_size": 100}).total_results
    assert total >= 3
    first = sdk.integrations.list(request={"page": 1, "page_size": 1, "order_by": "key"})
    assert len(first.results) == 1 and first.total_results == total
    assert first.links.next is not None and first.links.next.href.startswith("/integrations?page=2&pageSize=1")
    assert first.links.previous is None
    keys = []
    for p in range(1, total + 1):
        keys += [i.key for i in sdk.integrations.list(request={"page": p, "page_size": 1, "order_by": "key"}).results]
    assert keys == sorted(keys) and len(set(keys)) == total


def test_list_integrations_order_by_name_desc(sdk):
    page = sdk.integrations.list(request={"page": 1, "page_size": 100, "order_by": "-name"})
    names = [i.name for i in page.results]
    assert names == sorted(names, key=str.lower, reverse=True) or names == sorted(names, reverse=True), names


def test_get_integration(sdk):
    i = sdk.integrations.get(request={"platform_key": "mqjo"})
    assert isinstance(i, shared.Integration)
    assert (i.key, i.name, i.enabled, i.source_type) == ("mqjo", "Sandbox", True, ACCOUNTING)
    listed = by_key(sdk.integrations.list(request={"page": 1, "page_size": 100}))["mqjo"]
    assert i.model_dump() == listed.model_dump(), "get and list must agree"


def test_get_disabled_integration(sdk):
    i = sdk.integrations.get(request={"platform_key": "gbol"})
    assert (i.key, i.name, i.enabled) == ("gbol", "Xero", False)


def test_get_unknown_integration_is_404(sdk):
    e = expect_error(lambda: sdk.integrations.get(request={"platform_key": "zzzz"}), 404)
    assert isinstance(e, errors.ErrorMessage)


@pytest.mark.parametrize("key", ["mqjo", "gbol", "qhyg"])
def test_get_branding(sdk, key):
    b = sdk.integrations.get_branding(request={"platform_key": key})
    assert isinstance(b, shared.Branding)
    integ = sdk.integrations.get(request={"platform_key": key})
    if b.source_id is not None and integ.source_id is not None:
        assert b.source_id == integ.source_id
    assert b.logo is not None, "branding carries the platform's logo"
    images = [x for x in (b.logo.full, b.logo.square) if x is not None and x.image is not None]
    assert images, b
    for img in images:
        assert img.image.src, b


def test_get_branding_unknown_is_404(sdk):
    expect_error(lambda: sdk.integrations.get_branding(request={"platform_key": "zzzz"}), 404)
