"""The chat page in headless Debian Chromium against a real server on a seeded demo shop."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from db.migrate import upgrade
from db.seed.keys import demo_key
from db.seed.run import seed_database

SCREENSHOT_DIR = Path(os.environ.get("SHOPCREW_SCREENSHOT_DIR", "/tmp"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`shopcrew serve` on a freshly seeded SQLite demo shop; yields its base URL."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade(url)
    seed_database(url)
    port = free_port()
    env = {**os.environ, "SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": str(tmp_path), "SHOPCREW_PORT": str(port)}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "shopcrew", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("server did not start: " + (tmp_path / "server.log").read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_customer_chats_and_confirms_in_the_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        page = browser.new_page()
        page.goto(server)
        page.fill("#api-key", demo_key("customer:ava.martin@example.com"))
        page.click("text=Use key")
        page.fill("#message", "What is my loyalty tier?")
        page.click("#ask-form button")
        reply = page.locator("#log li.agent").last
        expect(reply).to_contain_text("tier", timeout=30_000)
        expect(reply.locator(".who")).to_have_text("customer")
        page.fill("#message", "cancel order #W3972548 because I no longer need it")
        page.click("#ask-form button")
        expect(page.locator("#confirm")).to_be_visible(timeout=30_000)
        page.click("#confirm button[data-answer=no]")
        expect(page.locator("#log li.agent").last).to_contain_text(
            re.compile("nothing was changed", re.I), timeout=30_000
        )
        page.screenshot(path=str(SCREENSHOT_DIR / "chat.png"), full_page=True)
        browser.close()
