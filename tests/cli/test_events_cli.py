"""`shopcrew events run --once` drains the outbox and `shopcrew events status` reports it, as separate processes."""

import asyncio
import json
import os
import subprocess
import sys

from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from tests.tools.event_helpers import emit_events


def shopcrew(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shopcrew", *args], env=env, capture_output=True, text=True,
                          timeout=120)


async def write_events(url: str) -> None:
    engine = make_engine(url)
    await emit_events(make_sessionmaker(engine), ("customer.created", "c1"), ("order.placed", "#W1000001"))
    await engine.dispose()


def test_run_once_drains_and_status_reports(tmp_path, jetstream):
    config, _ = jetstream
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade(url)
    asyncio.run(write_events(url))
    env = {**os.environ, "SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": str(tmp_path)}

    drained = shopcrew("events", "run", "--once", env=env)
    assert drained.returncode == 0, drained.stderr
    assert "dispatched 2 events; delivered 0" in drained.stdout and "no broker configured" in drained.stdout
    waiting = json.loads(shopcrew("events", "status", "--json", env=env).stdout)
    assert (waiting["broker"], waiting["events"], waiting["unpublished"]) == ("none", 2, 2)
    assert waiting["handlers"][0]["handler"] == "relay" and waiting["handlers"][0]["pending"] == 2

    broker = {**env, "SHOPCREW_EVENTS_NATS_URL": config.servers[0], "SHOPCREW_EVENTS_STREAM": config.stream,
              "SHOPCREW_EVENTS_SUBJECT_PREFIX": config.subject_prefix}
    relayed = shopcrew("events", "run", "--once", env=broker)
    assert relayed.returncode == 0, relayed.stderr
    assert "dispatched 0 events; delivered 2" in relayed.stdout
    published = json.loads(shopcrew("events", "status", "--json", env=broker).stdout)
    assert (published["published"], published["handlers"][0]["delivered"]) == (2, 2)
