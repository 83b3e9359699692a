"""The chat page in headless Debian Chromium against a real server on a freshly seeded demo shop.

Each test saves a screenshot in var/screenshots/ (or $SHOPCREW_SCREENSHOT_DIR); docs/screenshots/ holds
copies for the README, refreshed with `SHOPCREW_SCREENSHOT_DIR=docs/screenshots pytest tests/browser`.
"""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from db.migrate import upgrade
from db.seed.run import seed_database

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SHOPCREW_SCREENSHOT_DIR") or ROOT / "var" / "screenshots")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL = "127.0.0.1"
TURN_MS = 90_000  # the local model on a busy two-core machine
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """`shopcrew serve` on a freshly seeded SQLite demo shop; yields (base URL, database file)."""
    tmp = tmp_path_factory.mktemp("shop")
    url = f"sqlite:///{tmp / 'shop.db'}"
    upgrade(url)
    seed_database(url)
    port = free_port()
    env = {**os.environ, "SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": str(tmp), "SHOPCREW_PORT": str(port)}
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "shopcrew", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("server did not start: " + (tmp / "server.log").read_text())
        yield base, tmp / "shop.db"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, shop):
    """`open_page(width, height)`: the chat page in a fresh browser context, every request it makes recorded."""
    contexts, requested = [], []

    def opener(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(shop[0])
        return page

    yield opener
    for context in contexts:
        context.close()
    outside = [u for u in requested if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname != LOCAL]
    assert requested and not outside, f"the page reached outside 127.0.0.1: {outside}"


def order_status(database: Path, order_id: str) -> str:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT status FROM orders WHERE id = ?", (order_id,)).fetchone()[0]


def ask(page, text: str):
    """Type a message, send it with Enter, and wait for the streamed answer to finish; returns that answer."""
    from playwright.sync_api import expect

    answers = page.locator("#log .msg.agent")
    before = answers.count()
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    expect(answers).to_have_count(before + 1, timeout=TURN_MS)
    expect(page.locator("#log")).to_have_attribute("aria-busy", "false", timeout=TURN_MS)
    return answers.nth(before)


def answer_card(page, button: str):
    """Press Confirm or Cancel on the newest confirmation card and wait for the crew's answer."""
    from playwright.sync_api import expect

    answers = page.locator("#log .msg.agent")
    before = answers.count()
    page.locator(".confirm").last.get_by_role("button", name=button, exact=True).click()
    expect(answers).to_have_count(before + 1, timeout=TURN_MS)
    expect(page.locator("#log")).to_have_attribute("aria-busy", "false", timeout=TURN_MS)
    return answers.nth(before)


def sign_in_as(page, name: str) -> None:
    from playwright.sync_api import expect

    if page.locator("#signin-title").text_content() != "Sign in":
        page.get_by_text("Switch person or key").click()
    persona = page.get_by_role("button", name=name)
    principal = persona.get_attribute("data-principal")
    persona.click()
    expect(page.locator("#who")).to_contain_text(principal)


def test_customer_tracks_an_order_then_cancels_and_confirms(open_page, shop):
    from playwright.sync_api import expect

    page = open_page(1280, 1640)  # tall enough for the whole conversation in the screenshot
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")
    sign_in_as(page, "Ava Martin")
    where = ask(page, "where is my order #W7749532?")
    expect(where.locator(".badge")).to_have_text("order")
    expect(where.locator(".text")).to_contain_text("#W7749532")
    expect(where.locator(".step[data-ok=true] .step-name")).to_have_text("get_order_details")
    expect(where.locator(".step-latency")).to_have_text(re.compile(r"^\d+ ms$"))

    started = ask(page, "cancel order #W3972548 because I no longer need it")
    expect(started.locator(".confirm")).to_contain_text("Cancel pending order")
    # Keyboard: Shift+Tab from the message box reaches the card's Cancel button, with a visible focus ring.
    page.get_by_label("Your message").focus()
    page.keyboard.press("Shift+Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Cancel")
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("#log .msg.agent")).to_have_count(3, timeout=TURN_MS)
    expect(page.locator("#log")).to_have_attribute("aria-busy", "false", timeout=TURN_MS)
    expect(started.locator(".confirm-outcome")).to_have_text("You cancelled: nothing was changed.")
    assert order_status(shop[1], "#W3972548") == "pending"

    ask(page, "cancel order #W3972548 because I no longer need it")
    done = answer_card(page, "Confirm")
    expect(done.locator(".step[data-ok=true] .step-name")).to_have_text("cancel_pending_order")
    # The step that asked is settled too: declined in the first card's answer, done in the second's.
    cancel_step = ".step:has(.step-name:text-is('cancel_pending_order')) .step-status"
    expect(started.locator(cancel_step)).to_have_text("✗")
    expect(page.locator("#log .msg.agent").nth(3).locator(cancel_step)).to_have_text("✓")
    assert order_status(shop[1], "#W3972548") == "cancelled"
    page.screenshot(path=str(screenshot("customer.png")))


def test_staff_stock_report_is_a_table(open_page):
    from playwright.sync_api import expect

    page = open_page()
    sign_in_as(page, "Wendy Leroy")
    report = ask(page, "low stock report")
    expect(report.locator(".badge")).to_have_text("inventory")
    table = report.locator(".result-table table")
    expect(table.locator("caption")).to_contain_text("Low stock report: 50 rows")
    # Columns the prose reply never mentions: the table comes from the structured tool result.
    expect(table.locator("thead th")).to_contain_text(["Product name", "Severity", "Suggested reorder"])
    expect(table.locator("tbody tr")).to_have_count(50)
    thread = page.locator("#threads button[aria-current]")
    expect(thread).to_contain_text("low stock report")
    page.screenshot(path=str(screenshot("staff.png")))
    # Reloading reopens the conversation from the thread routes, table and all.
    page.reload()
    expect(page.locator("#log .msg.you")).to_have_text(["You said: low stock report"])
    expect(page.locator("#log .result-table tbody tr")).to_have_count(50)


def test_a_refused_key_is_explained_in_plain_words(open_page):
    from playwright.sync_api import expect

    page = open_page()
    page.get_by_label("API key").fill("sc_not_a_key")
    page.get_by_label("API key").press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        "That API key was not accepted. Check it, or pick a demo person to sign in as.")
    expect(page.locator("#who")).to_be_hidden()


def test_phone_layout_has_no_horizontal_scroll(open_page):
    from playwright.sync_api import expect

    page = open_page(375, 740)
    expect(page.get_by_role("button", name="Conversations")).to_have_attribute("aria-expanded", "true")
    sign_in_as(page, "Chloé Dubois")
    expect(page.locator("#panel")).to_be_hidden()
    ask(page, "where is my order #W3910019?")
    asked = ask(page, "please cancel order #W3910019, I ordered by mistake")
    expect(asked.locator(".confirm")).to_be_visible()
    assert not scrolls_sideways(page)
    page.screenshot(path=str(screenshot("phone.png")))
    page.get_by_role("button", name="Conversations").click()
    sign_in_as(page, "Wendy Leroy")
    ask(page, "low stock report")
    assert not scrolls_sideways(page)  # the wide table scrolls inside its own box, not the page


def test_an_invoice_in_a_reply_downloads_as_its_pdf(open_page):
    from playwright.sync_api import expect

    page = open_page()
    sign_in_as(page, "Mia Laurent")
    answer = ask(page, "show me the invoice for order #W1718342")
    expect(answer.locator(".badge")).to_have_text("documents")
    link = answer.get_by_role("link", name=re.compile(r"^Download document "))
    expect(link).to_have_attribute("href", re.compile(r"^/api/v1/documents/[\w-]+/file$"))
    with page.expect_download() as download:
        link.click()
    assert re.fullmatch(r"INV-\d{4}-000001\.pdf", download.value.suggested_filename)
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def screenshot(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name
