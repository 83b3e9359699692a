"""Report files and the paired comparison of two runs."""

import json
from math import isclose

from typer.testing import CliRunner

from evals.compare import compare
from evals.report import build_report, write_reports
from shopcrew.cli import app
from tests.evals.builders import run_result


def test_reports_are_written(tmp_path):
    report = build_report(run_result({"a": [True, False], "b": [True, True]}), {"dataset": "x.jsonl", "model": "local"})
    paths = write_reports(report, tmp_path)
    data = json.loads(paths["json"].read_text())
    assert data["meta"]["cases"] == 2 and data["meta"]["trials"] == 2
    assert data["summary"]["pass_hat_k"]["2"]["value"] == 0.5
    assert [c["successes"] for c in data["cases"]] == [1, 2]
    html = paths["html"].read_text()
    assert html.count("<svg") == 2 and "class='heat'" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    md = paths["md"].read_text()
    assert "| strict success | 75.0% |" in md and "## Failures (1)" in md and "### a (trial 2)" in md


def test_compare_pairs_cases(tmp_path):
    ids = [f"c{i}" for i in range(10)]
    a = build_report(run_result(dict.fromkeys(ids, [True]), latency=dict.fromkeys(ids, 200)), {})
    b_outcomes = {i: [n >= 7] for n, i in enumerate(ids)}  # B loses 7 of the 10 cases A solved
    b = build_report(run_result(b_outcomes, latency=dict.fromkeys(ids, 150)), {})
    result = compare(a, b)
    assert result["paired_cases"] == 10
    assert result["success"]["only_a"] == ids[:7] and result["success"]["only_b"] == []
    assert isclose(result["success"]["p_value"], 2 / 2**7)
    assert result["latency"]["b_faster"] == 10 and isclose(result["latency"]["p_value"], 2 / 2**10)
    assert result["latency"]["median_diff_ms"] == -50

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_reports(a, tmp_path / "a")
    write_reports(b, tmp_path / "b")
    out = CliRunner().invoke(app, ["eval", "compare", str(tmp_path / "a/report.json"), str(tmp_path / "b/report.json")])
    assert out.exit_code == 0, out.output
    assert "McNemar exact p=0.0156" in out.output and "Only A solved: c0, c1" in out.output


def test_cli_rejects_a_bad_dataset(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "principal": "customer:a@b.c", "turns": ["hi"], "expect": {"tool_calls": '
                   '[{"name": "no_such_tool"}]}}\n')
    out = CliRunner().invoke(app, ["eval", "--dataset", str(bad), "--out", str(tmp_path / "out")])
    assert out.exit_code == 2
    assert "unknown tool 'no_such_tool'" in out.output
