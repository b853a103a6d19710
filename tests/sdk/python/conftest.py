"""Fixtures for the Codat SDK compatibility suite.

The suite starts one real `ledgerbridge` binary per pytest session and drives it through
Codat's official Python SDKs (`codat-platform`; `codat-lending` and `codat-accounting` for the
accounting reads), changing nothing but the base URL.

Environment:
  LEDGERBRIDGE_BIN               path to the binary (default: target/debug/ledgerbridge,
                                 relative to the repository root)
  LEDGERBRIDGE_SDK_DATABASE_URL  when set, passed as --database-url (PostgreSQL); otherwise
                                 the server uses SQLite in its temporary data dir
  LEDGERBRIDGE_SDK_BASE_URL      test an already running server instead (with
                                 LEDGERBRIDGE_SDK_API_KEY); nothing is spawned then
  LEDGERBRIDGE_SDK_STARTUP_TIMEOUT  seconds to wait for /health (default 60)
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import httpx
import pytest

from codat_platform import CodatPlatform
from codat_platform.models import errors, shared
from codat_platform.utils.retries import RetryConfig
from codat_lending import CodatLending
from codat_lending.models import errors as lending_errors, shared as lending_shared
from codat_lending.utils.retries import RetryConfig as LendingRetryConfig
from codat_accounting import CodatAccounting
from codat_accounting.models import errors as accounting_errors, shared as accounting_shared
from codat_accounting.utils.retries import RetryConfig as AccountingRetryConfig

from sdkutil import unique

REPO_ROOT = Path(__file__).resolve().parents[3]
_LOG_TAIL_LINES = 80
_server_log: Optional[Path] = None


@dataclass
class Server:
    base_url: str
    api_key: str
    log_path: Optional[Path]
    database_url: Optional[str]

    @property
    def on_postgres(self) -> bool:
        return bool(self.database_url)


def basic_auth(key: str) -> str:
    """The `Authorization` header value Codat documents: `Basic ` + Base64(key)."""
    return "Basic " + base64.b64encode(key.encode()).decode()


def make_client(base_url: str, api_key: str) -> CodatPlatform:
    """An SDK client exactly as a Codat customer builds one, pointed at `base_url`.

    Retries are off so a 5xx or 429 surfaces at once instead of being retried for up
    to an hour by the SDK's default backoff policy.
    """
    return CodatPlatform(
        security=shared.Security(auth_header=basic_auth(api_key)),
        server_url=base_url,
        retry_config=RetryConfig("none"),
        timeout_ms=30_000,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Optional[Path], lines: int = _LOG_TAIL_LINES) -> str:
    if path is None or not path.exists():
        return "(no server log)"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _wait_healthy(base_url: str, proc: Optional[subprocess.Popen], log: Optional[Path], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_err = ""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"ledgerbridge exited with code {proc.returncode} before becoming healthy.\n"
                f"--- server log (tail) ---\n{_tail(log)}"
            )
        try:
            with urllib.request.urlopen(base_url + "/health", timeout=2) as resp:
                if resp.status == 200:
                    return
                last_err = f"status {resp.status}"
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            last_err = str(e)
        time.sleep(0.1)
    raise RuntimeError(
        f"ledgerbridge did not answer 200 on /health within {timeout}s (last: {last_err}).\n"
        f"--- server log (tail) ---\n{_tail(log)}"
    )


@pytest.fixture(scope="session")
def server(request) -> Iterator[Server]:
    global _server_log
    external = os.environ.get("LEDGERBRIDGE_SDK_BASE_URL")
    timeout = float(os.environ.get("LEDGERBRIDGE_SDK_STARTUP_TIMEOUT", "60"))
    if external:
        key = os.environ.get("LEDGERBRIDGE_SDK_API_KEY")
        if not key:
            pytest.exit("LEDGERBRIDGE_SDK_BASE_URL needs LEDGERBRIDGE_SDK_API_KEY", returncode=2)
        base = external.rstrip("/")
        _wait_healthy(base, None, None, timeout)
        yield Server(base, key, None, None)
        return

    binary = Path(os.environ.get("LEDGERBRIDGE_BIN", "target/debug/ledgerbridge"))
    if not binary.is_absolute():
        binary = REPO_ROOT / binary
    if not binary.exists():
        pytest.exit(f"ledgerbridge binary not found at {binary}: build it first "
                    f"(cargo build -p ledgerbridge) or set LEDGERBRIDGE_BIN", returncode=2)

    data_dir = Path(tempfile.mkdtemp(prefix="ledgerbridge-sdk-"))
    log_path = data_dir / "server.log"
    _server_log = log_path
    api_key = "lb_sdk_" + secrets.token_hex(16)
    port = _free_port()
    database_url = os.environ.get("LEDGERBRIDGE_SDK_DATABASE_URL") or None
    cmd: List[str] = [str(binary), "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", str(data_dir / "data")]
    if database_url:
        cmd += ["--database-url", database_url]
    # The server reads LEDGERBRIDGE_* as configuration: pass none of ours (or a developer's
    # Xero/QuickBooks settings, which would enable those integrations), only the API key.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERBRIDGE_")}
    env["LEDGERBRIDGE_API_KEY"] = api_key
    # Sync workers in this process (config `worker_concurrency`), so the Sandbox syncs that
    # the accounting-read tests start complete; set explicitly, not left to the default.
    env["LEDGERBRIDGE_WORKER_CONCURRENCY"] = "2"
    env.setdefault("RUST_LOG", "info")
    env["NO_COLOR"] = "1"  # plain server log
    env.setdefault("RUST_BACKTRACE", "1")
    (data_dir / "data").mkdir()
    log_file = open(log_path, "wb")
    proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_healthy(base, proc, log_path, timeout)
        except RuntimeError as e:
            # one clear failure instead of the same error on every test
            pytest.exit(f"cannot start ledgerbridge: {' '.join(cmd)}\n{e}", returncode=1)
        yield Server(base, api_key, log_path, database_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()
        if os.environ.get("LEDGERBRIDGE_SDK_KEEP_DATA") == "1":
            pass
        elif request.session.testsfailed:
            # keep the log: its tail and path are printed in the terminal summary
            shutil.rmtree(data_dir / "data", ignore_errors=True)
        else:
            _server_log = None
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def sdk(server: Server) -> CodatPlatform:
    """The official SDK client, authenticated with the server's bootstrap API key."""
    return make_client(server.base_url, server.api_key)


@pytest.fixture(scope="session")
def lending(server: Server) -> CodatLending:
    """Codat's official Lending SDK (accounting reads), pointed at the server, retries off."""
    return CodatLending(
        security=lending_shared.Security(auth_header=basic_auth(server.api_key)),
        server_url=server.base_url,
        retry_config=LendingRetryConfig("none"),
        timeout_ms=30_000,
    )


@pytest.fixture(scope="session")
def accounting(server: Server) -> CodatAccounting:
    """Codat's official Accounting SDK, for the types the Lending SDK lacks (items, tax rates,
    tracking categories, payment methods, purchase and sales orders)."""
    return CodatAccounting(
        security=accounting_shared.Security(auth_header=basic_auth(server.api_key)),
        server_url=server.base_url,
        retry_config=AccountingRetryConfig("none", None, False),
        timeout_ms=30_000,
    )


@pytest.fixture(scope="session")
def sdk_for(server: Server) -> Callable[[str], CodatPlatform]:
    """Builds an SDK client for another API key."""
    return lambda key: make_client(server.base_url, key)


@pytest.fixture(scope="session")
def raw(server: Server) -> Iterator[httpx.Client]:
    """A plain HTTP client with the same auth, for requests the SDK cannot express."""
    with httpx.Client(base_url=server.base_url, headers={"Authorization": basic_auth(server.api_key)},
                      timeout=30) as c:
        yield c


@pytest.fixture
def new_company(sdk: CodatPlatform) -> Iterator[Callable[..., shared.Company]]:
    """Factory: creates a company through the SDK and deletes it after the test."""
    created: List[str] = []

    def make(name: Optional[str] = None, **fields) -> shared.Company:
        body = {"name": name or unique("SDK Test"), **fields}
        company = sdk.companies.create(request=body)
        created.append(company.id)
        return company

    yield make
    for cid in created:
        try:
            sdk.companies.delete(request={"company_id": cid})
        except errors.CodatPlatformError as e:
            if e.status_code != 404:
                raise


@pytest.fixture
def no_companies(sdk: CodatPlatform) -> None:
    """Deletes every company first, for tests that assert exact totals and orders."""
    for _ in range(100):
        page = sdk.companies.list(request={"page": 1, "page_size": 100})
        if not page.results:
            return
        for c in page.results:
            sdk.companies.delete(request={"company_id": c.id})
    raise AssertionError("could not empty the company list")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the HTTP status and exact response body of any SDK error to the report."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None:
        return
    e = call.excinfo.value
    if isinstance(e, (errors.CodatPlatformError, lending_errors.CodatLendingError, accounting_errors.SDKError)):
        cause = getattr(e, "__cause__", None)
        detail = f"type: {type(e).__name__}\nstatus: {e.status_code}\nbody: {e.body!r}"
        if cause is not None:
            detail += f"\ncause: {cause!r}"
        report.sections.append(("SDK response", detail))
    elif isinstance(e, accounting_errors.ErrorMessage):
        # codat-accounting's typed error carries the parsed body only (no status or raw text)
        report.sections.append(("SDK response", f"type: ErrorMessage\nbody: {e.data!r}"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus != 0 and _server_log is not None:
        terminalreporter.section(f"ledgerbridge server log (tail of {_server_log})")
        terminalreporter.write_line(_tail(_server_log))
