"""`shopcrew chat` driven through its prompt: badges, confirmations, tables, /thread, /as, /quit."""

import re
import sqlite3

import pytest
from typer.testing import CliRunner

from db.migrate import upgrade
from db.seed.run import seed_database
from shopcrew.cli import app
from shopcrew.settings import get_settings


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> dict:
    """A seeded demo shop; yields the environment the CLI reads."""
    tmp = tmp_path_factory.mktemp("chat-shop")
    url = f"sqlite:///{tmp / 'shop.db'}"
    upgrade(url)
    seed_database(url)
    return {"SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": str(tmp), "COLUMNS": "140"}


def chat(shop: dict, principal: str, *lines: str, thread: str | None = None) -> str:
    """Run `shopcrew chat --as <principal>` with the lines typed at its prompts; returns what it printed."""
    get_settings.cache_clear()  # the CLI reads its settings from the environment given here
    args = ["chat", "--as", principal, *(["--thread", thread] if thread else [])]
    try:
        result = CliRunner().invoke(app, args, input="".join(f"{line}\n" for line in lines), env=shop)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


def order_status(shop: dict, order_id: str) -> str:
    with sqlite3.connect(shop["SHOPCREW_DATABASE_URL"].removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT status FROM orders WHERE id = ?", (order_id,)).fetchone()[0]


def test_customer_then_staff_in_one_session(shop):
    out = chat(
        shop,
        "customer:ava.martin@example.com",
        "where is my order #W7749532?",
        "cancel order #W3972548 because I no longer need it",
        "n",
        "/thread",
        "cancel order #W3972548 because I no longer need it",
        "y",
        "/as staff:wendy.warehouse",
        "low stock report",
        "/quit",
        "this line is never read",
    )
    where, declined, confirmed = out.split("Please confirm")  # the two confirmation panels' titles
    assert " order " in where and "✓ get_order_details" in where and "#W7749532" in where
    assert "Cancel pending order" in declined and "You declined, so it was not carried out." in declined
    assert "Conversations of customer:ava.martin@example.com" in declined  # /thread listed this conversation
    assert "✓ cancel_pending_order" in confirmed and "now cancelled" in confirmed
    assert order_status(shop, "#W3972548") == "cancelled"
    assert "Now chatting as staff:wendy.warehouse, in a new conversation." in out
    assert " inventory " in out and "Low stock report: 50 rows" in out
    assert re.search(r"┃ Warehouse code\s+┃ Sku\s+┃ Product name", out)  # a table, not the reply's list
    assert "this line is never read" not in out and "continue later with --thread" in out


def test_threads_are_switched_only_to_your_own(shop):
    started = chat(shop, "customer:lucas.bernard@example.com", "where is my order #W5567936?")
    thread = re.search(r"continue later with --thread (\w+)", started).group(1)
    mine = chat(shop, "customer:lucas.bernard@example.com", "/new", f"/thread {thread}")
    assert f"Switched to thread {thread} (1 message)" in mine and "#W5567936" in mine
    theirs = chat(shop, "staff:sam.support", f"/thread {thread}", "/thread")
    assert f"error [not_found]: conversation '{thread}' not found" in theirs
    assert "Current thread: none yet" in theirs and "No conversations yet." in theirs
    get_settings.cache_clear()
    refused = CliRunner().invoke(app, ["chat", "--as", "staff:sam.support", "--thread", thread], input="hi\n", env=shop)
    get_settings.cache_clear()
    assert f"conversation '{thread}' not found" in refused.output
