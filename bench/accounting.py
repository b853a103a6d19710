#!/usr/bin/env python3
"""Accounting read latencies over HTTP against a running ledgerbridge (driven by
bench/accounting.sh). One keep-alive connection, requests one after another, so each figure
is one request's full time: routing, SQL, JSON serialisation and transfer.

Prints Markdown rows on stdout; progress on stderr.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import random
import statistics
import sys
import time
from urllib.parse import urlsplit

BASE = os.environ["LB_BASE"]
KEY = os.environ["LB_KEY"]
COMPANY = os.environ["LB_COMPANY"]
RUNS = int(os.environ.get("RUNS", "20"))
GETS = int(os.environ.get("GETS", "2000"))

url = urlsplit(BASE)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
auth = "Basic " + base64.b64encode(KEY.encode()).decode()


def get(path: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": auth})
    resp = conn.getresponse()
    body = resp.read()
    took = (time.perf_counter() - start) * 1000
    if resp.status != 200:
        sys.exit(f"GET {path}: {resp.status} {body[:300]!r}")
    return took, body


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def row(label: str, times: list[float], target: str) -> None:
    print(
        f"| {label} | {len(times)} | {pct(times, 50):.2f} | {pct(times, 90):.2f} | "
        f"{pct(times, 99):.2f} | {max(times):.2f} | {target} |"
    )


def log(msg: str) -> None:
    print(f"[accounting-bench] {msg}", file=sys.stderr)


base = f"/companies/{COMPANY}/data"

# Records in the company: the sum of every list's totalResults.
total = 0
for path in ["invoices", "customers", "suppliers", "accounts", "bills", "payments",
             "billPayments", "creditNotes", "billCreditNotes", "journalEntries", "journals",
             "items", "taxRates", "trackingCategories", "paymentMethods", "purchaseOrders",
             "salesOrders"]:
    _, body = get(f"{base}/{path}?pageSize=1")
    total += json.loads(body)["totalResults"]
_, body = get(f"/companies/{COMPANY}/connections")
connection = json.loads(body)["results"][0]["id"]
for path in ["accountTransactions", "bankAccounts", "directCosts", "directIncomes", "transfers"]:
    _, body = get(f"/companies/{COMPANY}/connections/{connection}/data/{path}?pageSize=1")
    total += json.loads(body)["totalResults"]
log(f"{total} records served by the company's list endpoints (bank transactions aside)")

# 5,000-record pages of invoices (also collects the ids for get-by-id). A first, untimed pass
# reads every page into the OS page cache: what is timed is serving a page, not the disk.
# (These VMs page out file cache untouched for about a minute, DAMON's proactive reclaim, so
# without it the timed pages of a reused database would come from disk.)
_, body = get(f"{base}/invoices?pageSize=1")
invoices = json.loads(body)["totalResults"]
pages = max(1, -(-invoices // 5000))
page_times, ids, page_bytes = [], [], 0
for page in range(1, pages + 1):
    _, body = get(f"{base}/invoices?page={page}&pageSize=5000")
    ids.extend(r["id"] for r in json.loads(body)["results"])
for page in range(1, pages + 1):
    took, body = get(f"{base}/invoices?page={page}&pageSize=5000")
    if len(json.loads(body)["results"]) == 5000:
        page_times.append(took)
        page_bytes = max(page_bytes, len(body))
rng = random.Random(42)
for _ in range(RUNS):
    page = rng.randint(1, max(1, invoices // 5000))
    took, body = get(f"{base}/invoices?page={page}&pageSize=5000")
    page_times.append(took)
log(f"{invoices} invoices; 5,000-record pages of up to {page_bytes / 1e6:.1f} MB")

# Get by id, random invoices.
get_times = []
for _ in range(GETS):
    took, _ = get(f"{base}/invoices/{rng.choice(ids)}")
    get_times.append(took)

# A filtered, sorted page (the query language through SQL).
query_times = []
for _ in range(RUNS):
    took, _ = get(f"{base}/invoices?pageSize=100&orderBy=-issueDate&query=status%3DPaid%26%26totalAmount%3E1000")
    query_times.append(took)

# Financial statements for 24 monthly periods.
statement_times = {}
for statement in ["balanceSheet", "profitAndLoss", "cashFlowStatement"]:
    times = []
    for _ in range(RUNS):
        took, body = get(f"{base}/financials/{statement}?periodLength=1&periodsToCompare=24")
        times.append(took)
    reports = len(json.loads(body)["reports"])
    if reports != 24:
        sys.exit(f"{statement}: {reports} periods, expected 24")
    statement_times[statement] = times

print(f"Company: {total:,} records (list endpoints; bank transactions aside), {invoices:,} of them invoices.")
print()
print("| request | n | p50 ms | p90 ms | p99 ms | max ms | target |")
print("|---|---:|---:|---:|---:|---:|---|")
row("`GET /data/invoices/{id}` (random ids)", get_times, "p50 ≤ 2 ms")
row("`GET /data/invoices?pageSize=5000` (full pages)", page_times, "≤ 60 ms")
row("`GET /data/invoices?query=status=Paid&&totalAmount>1000&orderBy=-issueDate`", query_times, "")
for statement, times in statement_times.items():
    row(f"`GET /data/financials/{statement}` 24 monthly periods", times, "≤ 50 ms")
