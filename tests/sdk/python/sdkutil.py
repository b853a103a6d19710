"""Assertion helpers shared by the SDK suite."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Callable, Optional

import pytest

from codat_platform.models import errors, shared

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def unique(prefix: str) -> str:
    """A company name that no other test uses (letters, digits and spaces only)."""
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def assert_uuid(value: Optional[str]) -> None:
    """Codat ids are lowercase hyphenated UUIDs."""
    assert value is not None and UUID_RE.match(value), f"not a lowercase UUID: {value!r}"
    uuid.UUID(value)


def parse_codat_datetime(value: Optional[str]) -> dt.datetime:
    """Parses the ISO 8601 forms Codat documents (Z, offset, zone-less, up to 7 decimals)."""
    assert isinstance(value, str) and value, f"expected a date-time string, got {value!r}"
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$", value)
    assert m, f"not an ISO 8601 date-time: {value!r}"
    base, frac, zone = m.groups()
    text = base + ((frac + "000000")[:7] if frac else "")  # '.' + 6 digits
    if zone == "Z":
        text += "+00:00"
    elif zone:
        text += zone
    parsed = dt.datetime.fromisoformat(text)
    return parsed


def assert_recent(value: Optional[str], within_s: float = 600) -> None:
    """A server-generated timestamp close to now (zone-less is taken as UTC)."""
    ts = parse_codat_datetime(value)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    delta = abs((dt.datetime.now(dt.timezone.utc) - ts).total_seconds())
    assert delta < within_s, f"timestamp {value!r} is {delta:.0f}s from now"


def expect_error(call: Callable[[], Any], status: int) -> errors.CodatPlatformError:
    """Runs an SDK call that must fail with `status` and a Codat `ErrorMessage` body.

    For statuses the operation documents, the SDK raises its typed `errors.ErrorMessage`;
    for undocumented ones it raises `errors.SDKError`. Either way the body must be
    Codat's error shape with the same `statusCode`.
    """
    with pytest.raises(errors.CodatPlatformError) as info:
        call()
    e = info.value
    assert e.status_code == status, f"expected HTTP {status}, got {e.status_code}: {e.body!r}"
    assert not isinstance(e, errors.ResponseValidationError), str(e)
    body = errors.ErrorMessageData.model_validate_json(e.body)
    assert body.status_code == status, f"ErrorMessage.statusCode {body.status_code} != HTTP {status}: {e.body!r}"
    assert body.error, f"ErrorMessage.error is empty: {e.body!r}"
    assert body.correlation_id, f"ErrorMessage.correlationId is empty: {e.body!r}"
    return e


def error_data(e: errors.CodatPlatformError) -> shared.ErrorMessage:
    return errors.ErrorMessageData.model_validate_json(e.body)


def delete_api_key(sdk, api_key_id: str) -> None:
    """Deletes an API key through the SDK, tolerating one known SDK 6.0.0 defect.

    Codat's spec types delete-api-key's 204 as an ErrorMessage body (a copy-paste of the
    429 response), so the SDK tries to parse the empty 204 body and raises
    ResponseValidationError although the key was deleted. A 204 cannot carry a body, so no
    server can satisfy it; we accept exactly that failure (HTTP 204, empty body) and
    nothing else. test_api_keys.py::test_delete_api_key_response pins the behaviour.
    """
    try:
        sdk.settings.delete_api_key(request={"api_key_id": api_key_id})
    except errors.ResponseValidationError as e:
        assert e.status_code == 204 and e.body == "", f"HTTP {e.status_code}: {e.body!r}"
