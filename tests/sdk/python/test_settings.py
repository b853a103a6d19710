"""Settings: profile, profile and company sync settings, CORS."""

from __future__ import annotations

import uuid
from typing import Dict, List

import pytest

from codat_platform.models import shared

from sdkutil import assert_uuid, expect_error

INVOICES = shared.DataType.INVOICES


def settings_by_type(settings: List[shared.SyncSetting]) -> Dict[str, shared.SyncSetting]:
    out: Dict[str, shared.SyncSetting] = {}
    for s in settings or []:
        key = s.data_type.value
        assert key not in out, f"duplicate sync setting for {key}"
        out[key] = s
    return out


def with_invoices(settings: List[shared.SyncSetting], **changes) -> List[dict]:
    """The given settings as request dicts, with the invoices entry replaced/added."""
    base = {"data_type": "invoices", "fetch_on_first_link": True, "sync_schedule": 24, "sync_order": 0}
    out = []
    for s in settings or []:
        d = s.model_dump(exclude_none=True)
        if s.data_type == INVOICES:
            base = d
            continue
        out.append(d)
    out.append({**base, **changes})
    return out


# ---------------------------------------------------------------- profile

@pytest.fixture
def restore_profile(sdk):
    before = sdk.settings.get_profile()
    yield before
    sdk.settings.update_profile(request=before.model_dump(exclude_none=True))


def test_get_profile(sdk):
    p = sdk.settings.get_profile()
    assert isinstance(p, shared.Profile)
    assert isinstance(p.name, str) and p.name
    assert isinstance(p.redirect_url, str)


def test_update_profile(sdk, restore_profile):
    body = {
        "name": "Bob's Burgers Lending",
        "logo_url": "https://example.com/logo.png",
        "icon_url": "https://example.com/icon.ico",
        "redirect_url": "https://bobs-burgers.{countrySuffix}/{companyId}",
        "white_list_urls": ["https://bobs-burgers.com", "https://bobs-burgers.co.uk"],
    }
    p = sdk.settings.update_profile(request=body)
    assert isinstance(p, shared.Profile)
    assert p.name == body["name"]
    assert p.logo_url == body["logo_url"]
    assert p.icon_url == body["icon_url"]
    assert p.redirect_url == body["redirect_url"], "placeholders are kept verbatim"
    assert p.white_list_urls == body["white_list_urls"]

    again = sdk.settings.get_profile()
    assert (again.name, again.redirect_url, again.white_list_urls) == (
        body["name"], body["redirect_url"], body["white_list_urls"])


# ---------------------------------------------------------------- profile sync settings

def test_get_profile_sync_settings(sdk):
    s = sdk.settings.get_sync_settings()
    assert isinstance(s, shared.SyncSettings)
    assert s.client_id, "clientId is required by the SDK to POST the settings back, so GET must return it"
    assert_uuid(s.client_id)
    assert isinstance(s.overrides_defaults, bool)
    by_type = settings_by_type(s.settings)
    assert by_type, "the client has a default sync setting per data type"
    for setting in by_type.values():
        assert setting.sync_schedule >= 0
        assert setting.sync_order >= 0


def test_update_profile_sync_settings(sdk):
    before = sdk.settings.get_sync_settings()
    # test_get_profile_sync_settings checks that clientId is returned; go on without it here
    client_id = before.client_id or str(uuid.uuid4())
    body = {
        "client_id": client_id,
        "settings": with_invoices(before.settings, sync_schedule=48, fetch_on_first_link=True,
                                  sync_from_window=12, is_locked=False),
        "overrides_defaults": True,
    }
    try:
        assert sdk.settings.update_sync_settings(request=body) is None  # 204
        after = sdk.settings.get_sync_settings()
        if before.client_id:
            assert after.client_id == before.client_id
        inv = settings_by_type(after.settings)["invoices"]
        assert inv.sync_schedule == 48
        assert inv.fetch_on_first_link is True
        assert inv.sync_from_window == 12
        assert set(settings_by_type(after.settings)) >= {x["data_type"] for x in body["settings"]}
    finally:
        sdk.settings.update_sync_settings(request={
            "client_id": client_id,
            "settings": [x.model_dump(exclude_none=True) for x in before.settings or []],
            "overrides_defaults": bool(before.overrides_defaults),
        })


# ---------------------------------------------------------------- company sync settings

def test_get_company_sync_settings(sdk, new_company):
    c = new_company()
    s = sdk.companies.get_company_sync_settings(request={"company_id": c.id})
    assert isinstance(s, shared.CompanySyncSettings)
    assert s.company_id == c.id
    assert isinstance(s.settings, list)
    settings_by_type(s.settings)


def test_set_company_sync_settings(sdk, new_company):
    c = new_company()
    current = sdk.companies.get_company_sync_settings(request={"company_id": c.id})
    body = {
        "company_id": c.id,
        "settings": with_invoices(current.settings, sync_schedule=72, sync_order=1,
                                  fetch_on_first_link=False, sync_from_utc="2020-01-01T12:00:00.000Z"),
        "overrides_defaults": True,
    }
    assert sdk.companies.set_company_sync_settings(request={"company_id": c.id, "request_body": body}) is None
    after = sdk.companies.get_company_sync_settings(request={"company_id": c.id})
    assert after.company_id == c.id
    assert after.overrides_defaults is True
    inv = settings_by_type(after.settings)["invoices"]
    assert (inv.sync_schedule, inv.sync_order, inv.fetch_on_first_link) == (72, 1, False)
    assert inv.sync_from_utc is not None and inv.sync_from_utc.startswith("2020-01-01T12:00:00")

    # another company keeps the defaults
    other = new_company()
    other_s = sdk.companies.get_company_sync_settings(request={"company_id": other.id})
    other_inv = settings_by_type(other_s.settings).get("invoices")
    assert other_inv is None or other_inv.sync_schedule != 72


def test_company_sync_settings_unknown_company_is_404(sdk):
    expect_error(lambda: sdk.companies.get_company_sync_settings(request={"company_id": str(uuid.uuid4())}), 404)


# ---------------------------------------------------------------- CORS

def test_cors_settings(sdk):
    before = sdk.settings.get()
    assert isinstance(before, shared.ConnectionManagementAllowedOrigins)
    origins = ["https://app.example.com", "https://admin.example.com"]
    try:
        out = sdk.settings.set(request={"allowed_origins": origins})
        assert isinstance(out, shared.ConnectionManagementAllowedOrigins)
        assert out.allowed_origins == origins
        assert sdk.settings.get().allowed_origins == origins
        # the SDK's `cors` group calls the deprecated /connectionManagement/corsSettings alias
        with pytest.warns(DeprecationWarning):
            assert sdk.cors.get().allowed_origins == origins
        with pytest.warns(DeprecationWarning):
            assert sdk.cors.set(request={"allowed_origins": origins[:1]}).allowed_origins == origins[:1]
        assert sdk.settings.get().allowed_origins == origins[:1]
    finally:
        sdk.settings.set(request={"allowed_origins": before.allowed_origins or []})
