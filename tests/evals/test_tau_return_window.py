"""The benchmark's own policy has no return window; ours has. The replay imports db.json when it starts
(anchor: the day it runs on, delivered orders three days before it) and runs the gold returns right after, on
the same day, so every delivered order is well inside the 30-day window: the rule stays on and the gold calls
pass."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from db.enums import OrderStatus
from db.models import Order
from db.seed.tau import tau_rows
from evals.tau.data import DEFAULT_TAU_DIR
from tools.after_sales import rules

DB_JSON = DEFAULT_TAU_DIR / "db.json"
pytestmark = pytest.mark.skipif(not DB_JSON.exists(), reason=f"retail benchmark data not found at {DB_JSON}")


def test_imported_deliveries_are_inside_the_return_window_of_the_replay():
    anchor = datetime(2026, 3, 1, tzinfo=UTC)
    rows = tau_rows(json.loads(DB_JSON.read_text()), anchor)
    delivered = [o for o in rows.of(Order) if o["status"] == OrderStatus.DELIVERED]
    assert delivered and all(o["delivered_at"] is not None for o in delivered)
    # The replay runs within minutes of its import; even a day later every return is inside the window.
    replay_clock = anchor + timedelta(days=1)
    elapsed = [rules.days_since(o["delivered_at"], replay_clock) for o in delivered]
    assert max(elapsed) <= 5 < rules.RETURN_WINDOW.default
    assert all(o["delivered_at"] <= anchor for o in delivered)
