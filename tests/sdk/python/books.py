"""Sandbox books for the accounting-read suites, and helpers that compare what an SDK parsed
with the exact JSON the server sent.

`link_sandbox` creates a company on the Sandbox (`platformType` `mqjo`), links its
connection with a fixed dataset and seed, and waits for the first sync of every data type.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Dict, List, Optional

import httpx
from pydantic import BaseModel

from sdkutil import unique

SANDBOX = "mqjo"
# Seed "2": its small books hold at least one record of every accounting type (seed 42's
# have no bill credit notes since the Sandbox gave small books sales and purchase orders).
# The suites assert that every type is non-empty, so a Sandbox change that empties one
# fails loudly instead of leaving its tests with nothing to check.
DATASET = {"dataset": "small", "seed": "2"}
IN_PROGRESS = {"Initial", "Queued", "Fetching", "MapQueued", "Mapping", "ProcessingQueued", "Processing",
               "ValidationQueued", "Validating"}
SYNC_TIMEOUT_S = 300.0  # the medium books take ~25 s on a debug build


@dataclass
class Books:
    company_id: str
    connection_id: str
    data_status: Dict[str, Any]


def create_sandbox_company(raw: httpx.Client, name: str) -> tuple[str, str]:
    """A company on the Sandbox with its (PendingAuth) connection: (companyId, connectionId)."""
    r = raw.post("/companies", json={"name": unique(name), "platformType": SANDBOX})
    assert r.status_code == 200, f"POST /companies: {r.status_code} {r.text}"
    body = r.json()
    conns = body.get("dataConnections") or []
    assert len(conns) == 1, f"platformType {SANDBOX} should create one connection: {body}"
    return body["id"], conns[0]["id"]


def link_sandbox(raw: httpx.Client, name: str = "SDK Books", dataset: str = "small") -> Books:
    """Creates a Sandbox company, links it with `dataset` (DATASET's seed) and waits until
    every data type's first sync is done."""
    company_id, connection_id = create_sandbox_company(raw, name)
    r = raw.put(f"/companies/{company_id}/connections/{connection_id}/authorization",
                json={**DATASET, "dataset": dataset})
    assert r.status_code == 200, f"authorization: {r.status_code} {r.text}"
    assert r.json().get("status") == "Linked", r.text

    deadline = time.monotonic() + SYNC_TIMEOUT_S
    status: Dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = raw.get(f"/companies/{company_id}/dataStatus")
        assert r.status_code == 200, f"dataStatus: {r.status_code} {r.text}"
        status = r.json()
        running = [k for k, v in status.items() if v and v.get("currentStatus") in IN_PROGRESS]
        if status and not running:
            break
        time.sleep(0.25)
    else:
        raise AssertionError(f"the first sync did not finish in {SYNC_TIMEOUT_S}s: {status}")
    failed = {k: v for k, v in status.items() if v and v.get("currentStatus") != "Complete"}
    assert not failed, f"syncs that did not complete: {failed}"
    return Books(company_id, connection_id, status)


def delete_company(raw: httpx.Client, company_id: str) -> None:
    r = raw.delete(f"/companies/{company_id}")
    assert r.status_code in (204, 404), f"DELETE company: {r.status_code} {r.text}"


def raw_json(raw: httpx.Client, path: str, params: Optional[dict] = None) -> Any:
    """GET `path` and parse the body with exact decimals (numbers with a fraction as Decimal)."""
    r = raw.get(path, params=params)
    assert r.status_code == 200, f"GET {path} {params}: {r.status_code} {r.text}"
    return json.loads(r.text, parse_float=Decimal)


def new_id() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------------------
# Comparing an SDK model with the wire JSON.

def _field_by_alias(model: BaseModel) -> Dict[str, str]:
    out = {}
    for name, f in type(model).model_fields.items():
        out[f.alias or name] = name
    return out


def unknown_keys(model: Any, wire: Any, path: str = "$") -> List[str]:
    """Keys of `wire` that the SDK model has no field for (recursively).

    The SDKs ignore keys they do not know, so a misspelt field would parse "without error"
    and be lost: this finds them. Maps typed as dicts (supplementalData.content, sourceUrls)
    are not descended into.
    """
    missing: List[str] = []
    if isinstance(model, BaseModel) and isinstance(wire, dict):
        fields = _field_by_alias(model)
        for key, value in wire.items():
            if key not in fields:
                missing.append(f"{path}.{key}")
                continue
            missing += unknown_keys(getattr(model, fields[key]), value, f"{path}.{key}")
    elif isinstance(model, list) and isinstance(wire, list):
        for i, (m, w) in enumerate(zip(model, wire)):
            missing += unknown_keys(m, w, f"{path}[{i}]")
    return missing


def _plain(value: Any) -> Any:
    """A comparable form of an SDK value: enums by value, Decimal kept exact."""
    if isinstance(value, BaseModel):
        return {k: _plain(v) for k, v in value.model_dump(by_alias=True, mode="python").items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and type(value).__module__.startswith("codat_"):
        return value.value
    return value


def values_match(model: Any, wire: Any, path: str = "$") -> List[str]:
    """Every value in `wire` is, exactly, the SDK's value at the same place.

    `wire` must come from `raw_json` (fractions as Decimal). Numbers: an SDK Decimal equals
    the wire's decimal exactly, an SDK float or int is the nearest double. Strings (dates
    included: they must come back in the form sent), enums (by value), booleans and nulls
    are equal. Keys the model lacks are `unknown_keys`' business and skipped here.
    """
    bad: List[str] = []
    if isinstance(model, BaseModel) and isinstance(wire, dict):
        fields = _field_by_alias(model)
        for key, value in wire.items():
            if key in fields:
                bad += values_match(getattr(model, fields[key]), value, f"{path}.{key}")
    elif isinstance(model, dict) and isinstance(wire, dict):
        if set(model) != set(wire):
            bad.append(f"{path}: wire keys {sorted(wire)} != SDK keys {sorted(model)}")
        for key in set(model) & set(wire):
            bad += values_match(model[key], wire[key], f"{path}.{key}")
    elif isinstance(model, list) and isinstance(wire, list):
        if len(model) != len(wire):
            bad.append(f"{path}: wire has {len(wire)} items, SDK {len(model)}")
        for i, (m, w) in enumerate(zip(model, wire)):
            bad += values_match(m, w, f"{path}[{i}]")
    elif wire is None:
        if model is not None:
            bad.append(f"{path}: wire null but SDK {model!r}")
    elif isinstance(wire, bool):
        if model is not wire:
            bad.append(f"{path}: wire {wire} != SDK {model!r}")
    elif isinstance(wire, (Decimal, int)):
        if isinstance(model, Decimal):
            if model != Decimal(wire):
                bad.append(f"{path}: wire {wire} != SDK {model}")
        elif isinstance(model, (int, float)) and not isinstance(model, bool):
            if float(model) != float(wire):
                bad.append(f"{path}: wire {wire} != SDK {model!r}")
        else:
            bad.append(f"{path}: wire number {wire} but SDK value {model!r}")
    elif isinstance(wire, str):
        got = model.value if isinstance(model, Enum) else model
        if isinstance(got, (dt.date, dt.datetime)):
            bad.append(f"{path}: wire {wire!r} read as {type(got).__name__} {got!r}, not as sent")
        elif got != wire:
            bad.append(f"{path}: wire {wire!r} != SDK {model!r}")
    else:
        bad.append(f"{path}: wire {wire!r} but SDK {model!r}")
    return bad


def same_record(a: Any, b: Any) -> bool:
    return _plain(a) == _plain(b)


def plain(value: Any) -> Any:
    return _plain(value)
