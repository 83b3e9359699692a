"""`shopcrew eval routing` over a small spread of the paraphrase set with the local model."""

import json

from typer.testing import CliRunner

from shopcrew.cli import app


def test_routing_command_writes_a_report_per_agent(tmp_path):
    out = tmp_path / "routing.json"
    result = CliRunner().invoke(app, ["eval", "routing", "--per-example", "2", "--limit", "48", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["total"] == 48
    assert sum(agent["total"] for agent in report["per_agent"].values()) == 48
    assert len(report["per_agent"]) >= 12  # the spread reaches most of the sixteen agents
    assert report["correct"] == 48 - sum(c["count"] for c in report["confusion"])
    assert 0 <= report["accuracy"] <= 1 and "routing over 48 paraphrases" in result.output
