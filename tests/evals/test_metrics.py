"""Aggregates over hand-built graded trials: pass^k per case, tool-call metrics, routing, usage, failures."""

from math import isclose

from evals.metrics import aggregate, tool_call_metrics
from tests.evals.builders import call, case, graded, run_result, trial, turn


def test_pass_rates_average_the_per_case_estimators():
    result = run_result({"a": [True, True, True], "b": [True, False, False], "c": [False, False, False]})
    summary = aggregate(result.cases, result.graded)["summary"]
    assert isclose(summary["strict_success"]["value"], (1 + 1 / 3 + 0) / 3)
    assert isclose(summary["pass_hat_k"]["1"]["value"], 4 / 9)
    assert isclose(summary["pass_hat_k"]["3"]["value"], 1 / 3)
    assert isclose(summary["pass_at_k"]["2"]["value"], (1 + 2 / 3 + 0) / 3)
    low, high = summary["pass_hat_k"]["1"]["ci95"]
    assert low <= summary["pass_hat_k"]["1"]["value"] <= high
    assert set(summary["pass_hat_k"]) == {"1", "2", "3"}


def test_tool_call_precision_recall_and_argument_match():
    c = case(expect={"tool_calls": [{"name": "get_order_details", "args": {"order_id": "#W1"}},
                                    {"name": "cancel_pending_order", "args": {"order_id": "#W1"}}]})
    t = trial(turn("x", calls=[call("get_order_details", order_id="#W2"), call("get_customer_details"),
                               call("add_order_note")]))
    metrics = tool_call_metrics([graded(c, t)[1]])
    assert (metrics["precision"], metrics["recall"], metrics["arg_match"]) == (1 / 3, 1 / 2, 0.0)
    assert isclose(metrics["f1"], 0.4)


def test_report_sections_routing_usage_and_failures():
    result = run_result({"a": [True], "b": [False]}, latency={"a": 100, "b": 300})
    result.cases[1].expect.agent = "payment"
    report = aggregate(result.cases, result.graded)
    assert report["routing"]["expected"] == report["routing"]["routed"] == ["order", "payment"]
    assert report["routing"]["matrix"] == [[1, 0], [1, 0]]
    assert report["summary"]["routing_accuracy"] == 0.5
    assert report["summary"]["usage"]["latency_ms"]["p50"] == 200
    assert report["summary"]["usage"]["model_calls_per_turn"] == 2
    assert report["summary"]["usage"]["single_tool_turns"] == sum(
        len(turn.tool_calls) == 1 for trial, _ in result.graded for turn in trial.turns
    )
    assert set(report["per_agent"]) == {"order", "payment"}
    assert report["per_tag"]["t"]["cases"] == 2
    [failure] = report["failures"]
    assert failure["case"] == "b" and failure["reasons"] == ["reply: missing 'done'"]
    assert failure["turns"][0]["reply"] == "Sorry." and "foreign" not in failure
