"""The wire-comparison helpers of books.py can fail: each check is shown catching the defect
it exists for (a key the SDK model lacks, a value not read exactly as sent), so a green accounting
suite means something."""

from __future__ import annotations

import json
from decimal import Decimal

from codat_lending.models import shared

from books import values_match, unknown_keys

RECORD = {"id": "1", "issueDate": "2024-01-31", "status": "Paid", "totalTaxAmount": 0.1,
          "totalAmount": 1772.72, "amountDue": 0,
          "customerRef": {"id": "c1", "companyName": "Acme"}}


def parse(text: str):
    return shared.AccountingInvoice.model_validate(json.loads(text)), json.loads(text, parse_float=Decimal)


def test_unknown_keys_finds_a_misnamed_field_at_any_depth():
    model, wire = parse(json.dumps(RECORD))
    assert unknown_keys(model, wire) == []
    bad = {**RECORD, "totalamount": 1, "customerRef": {"id": "c1", "name": "Acme"}}
    model, wire = parse(json.dumps(bad))
    assert sorted(unknown_keys(model, wire)) == ["$.customerRef.name", "$.totalamount"]


def test_values_match_catches_an_inexact_read():
    model, wire = parse(json.dumps(RECORD))
    assert values_match(model, wire) == []
    assert model.total_amount == Decimal("1772.72") and model.total_tax_amount == Decimal("0.1")
    # 21 significant digits survive no double: a reader that goes through float loses them
    text = json.dumps(RECORD).replace("1772.72", "123456789.123456789012")
    model, wire = parse(text)
    assert values_match(model, wire) == [
        f"$.totalAmount: wire 123456789.123456789012 != SDK {model.total_amount}"]


def test_values_match_catches_changed_strings_and_nulls():
    model, wire = parse(json.dumps(RECORD))
    wire["issueDate"] = "2024-01-31T00:00:00"   # the SDK must hand back the form sent
    wire["status"] = "Void"
    wire["customerRef"]["companyName"] = None
    assert sorted(values_match(model, wire)) == [
        "$.customerRef.companyName: wire null but SDK 'Acme'",
        "$.issueDate: wire '2024-01-31T00:00:00' != SDK '2024-01-31'",
        "$.status: wire 'Void' != SDK <InvoiceStatus.PAID: 'Paid'>",
    ]
