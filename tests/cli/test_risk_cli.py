"""`shopcrew risk backfill` stores the daily metrics in a separate process."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing


def test_backfill_stores_five_metrics_a_day(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    env = {**os.environ, "SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "shopcrew", "risk", "backfill", "--days", "3"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("15 metric samples stored (5 metrics,")
    with closing(sqlite3.connect(tmp_path / "shop.db")) as conn:
        rows = conn.execute("SELECT metric, count(*) FROM metric_samples GROUP BY metric ORDER BY metric").fetchall()
    assert rows == [(m, 3) for m in ("orders", "payment_failures", "refunds", "return_rate", "revenue")]
    bad = subprocess.run([sys.executable, "-m", "shopcrew", "risk", "backfill", "--days", "0"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
