"""The `shopcrew` command as people run it: separate processes on one seeded database."""

import json
import os
import subprocess
import sys

import pytest

from db.migrate import upgrade
from db.seed.run import seed_database

SIX = {"order", "product", "customer", "inventory", "warehouse", "payment"}


def shopcrew(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shopcrew", *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def shop_env(tmp_path) -> dict:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade(url)
    seed_database(url)
    return {**os.environ, "SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": str(tmp_path)}


def test_tools_json_lists_the_six_core_agents(tmp_path):
    out = shopcrew("tools", "--json", env={**os.environ, "SHOPCREW_DATA_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    core = [r for r in rows if r["agent"] in SIX]
    assert len(core) >= 60
    assert {"name", "agent", "method", "path", "roles", "mutates", "confirm"} <= rows[0].keys()
    assert all(r["path"].startswith("/api/v1/") for r in rows)


def test_conversation_continues_in_a_second_process(shop_env):
    first = shopcrew(
        "ask",
        "cancel order #W3972548, I no longer need it",
        "--as",
        "customer:ava.martin@example.com",
        "--thread",
        "cli-thread",
        "--json",
        env=shop_env,
    )
    assert first.returncode == 0, first.stderr
    turn = json.loads(first.stdout)
    assert set(turn) == {"reply", "agent", "tool_calls", "pending_confirmation", "thread_id"}
    assert turn["pending_confirmation"]["name"] == "cancel_pending_order" and turn["thread_id"] == "cli-thread"
    # The order's state was read before the question (the write's precondition), in this turn.
    assert turn["tool_calls"] == [{"name": "get_order_details", "args": {"order_id": "#W3972548"}, "ok": True}]
    second = shopcrew(
        "ask", "yes", "--as", "customer:ava.martin@example.com", "--thread", "cli-thread", "--json", env=shop_env
    )
    assert second.returncode == 0, second.stderr
    done = json.loads(second.stdout)
    # The cancel ran once, on the yes.
    assert done["tool_calls"] == [
        {"name": "cancel_pending_order", "args": {"order_id": "#W3972548", "reason": "no longer needed"}, "ok": True},
    ]


def test_ask_refuses_an_unknown_principal_and_another_owners_thread(shop_env):
    unknown = shopcrew("ask", "hello", "--as", "customer:nobody@example.com", env=shop_env)
    assert unknown.returncode == 2 and "unknown principal" in unknown.stdout
    shopcrew("ask", "show my profile", "--as", "customer:ava.martin@example.com", "--thread", "ava", env=shop_env)
    other = shopcrew(
        "ask", "what did she ask?", "--as", "customer:lucas.bernard@example.com", "--thread", "ava", env=shop_env
    )
    assert other.returncode == 2 and "conversation 'ava' not found" in other.stdout
