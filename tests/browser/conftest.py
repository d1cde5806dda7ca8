"""Browser tests: Playwright (Python) driving Debian's Chromium against ``vbgraph serve`` started
in a subprocess on a free loopback port, over a private copy of the seed workspace.

Needs ``pip install playwright`` and ``apt-get install -y chromium`` (never ``playwright
install``: it downloads browsers). Skipped with a reason when either is missing."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("VBGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "browser-test-token"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install playwright")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def server_url(browser, tmp_path_factory: pytest.TempPathFactory,
               seed_data_dir: Path) -> Iterator[str]:
    """``vbgraph serve`` over a copy of the seed workspace; stopped at the end of the session."""
    seeds_dir = seed_data_dir
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(seeds_dir, data_dir, ignore=shutil.ignore_patterns("*.lock", "lock"))
    port = _free_port()
    log_path = data_dir.parent / "serve.log"
    env = {**os.environ, "VBGRAPH_API_TOKEN": TOKEN}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vbgraph.api", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--data-dir", str(data_dir), "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180          # a hang guard, not a timing assertion
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"vbgraph serve exited: {log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "/stats", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"vbgraph serve did not answer: {log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture()
def page(browser, server_url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    # the page must work offline: any request leaving the test server fails the test
    offsite: list[str] = []

    def guard(route) -> None:
        if route.request.url.startswith(server_url):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not offsite, f"the explorer tried to load off-site resources: {offsite}"
    assert not errors, f"page errors: {errors}"
