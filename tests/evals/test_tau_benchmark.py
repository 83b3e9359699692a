"""Benchmark mode end to end with a scripted customer and a scripted crew model on real benchmark tasks."""

import asyncio
import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from typer.testing import CliRunner

from evals.tau.benchmark import BenchmarkConfig, missing_outputs, run_benchmark, summarize
from evals.tau.data import DEFAULT_TAU_DIR, load_tau
from evals.tau.report import benchmark_report, write_report
from evals.tau.simulator import GREETING, UserSimulator, stop_reason, system_prompt
from shopcrew.cli import app
from tests.graph.scripted import ScriptedChatModel, call

if not (DEFAULT_TAU_DIR / "expected_states.json").exists():
    pytest.skip(f"the retail benchmark data is not in {DEFAULT_TAU_DIR}", allow_module_level=True)

# Task 88: Daiki Silva cancels #W8835847 (ordered by mistake); the gift card gets its money back.
CANCEL = {"order_id": "#W8835847", "reason": "ordered by mistake"}
# Task 70: Sofia Hernandez exchanges a helmet and must be told the difference to pay, 22.55.
EXCHANGE = {"order_id": "#W3947049", "item_ids": ["3358616356"], "new_item_ids": ["9013366374"],
            "payment_method_id": "credit_card_7901829"}


def said(text: str) -> AIMessage:
    return AIMessage(text)


def summarise_tool(messages, _tools) -> AIMessage:
    """The crew's reply after its write ran: what a model would say, read off the tool result."""
    result = json.loads(messages[-1].text) if isinstance(messages[-1], ToolMessage) else {}
    return AIMessage(f"Done: order {result.get('order_id')} is now {result.get('status_label')}. The price "
                     f"difference is ${-float(result.get('exchange_price_difference') or 0):,.2f}.")


def customer(*lines: str) -> ScriptedChatModel:
    return ScriptedChatModel(script=[said(line) for line in lines], seen=[])


def crew(*steps) -> ScriptedChatModel:
    return ScriptedChatModel(script=list(steps), seen=[])


def config(tmp_path, users: dict, crews: dict, trials: int = 1) -> BenchmarkConfig:
    """Scripted models handed out per task, in trial order (one job, so trials run in order)."""
    return BenchmarkConfig(out=tmp_path, trials=trials, jobs=1, max_turns=5,
                           user_model=lambda task_id: users[task_id].pop(0),
                           crew_model=lambda task_id: crews[task_id].pop(0))


def cancel_crew(write: bool = True) -> ScriptedChatModel:
    if not write:  # this crew forgets to act and only chats
        return crew(call("transfer_to_order"), AIMessage("Sure, it will be cancelled soon."))
    return crew(call("transfer_to_order"), call("get_order_details", order_id="#W8835847"),
                call("cancel_pending_order", **CANCEL), summarise_tool)


@pytest.fixture(scope="module")
def data():
    return load_tau(DEFAULT_TAU_DIR)


def test_a_scripted_conversation_passes_on_state_and_outputs(tmp_path, data):
    users = {
        "88": [customer("Hi, I'm Daiki Silva. Please cancel order #W8835847, I ordered it by mistake.", "yes",
                        "Thanks! ###STOP###")],
        "70": [customer("Hey, I want to exchange the helmet from #W3947049 for a medium one, high ventilation, blue.",
                        "yes", "Great ###STOP###")],
    }
    crews = {"88": [cancel_crew()],
             "70": [crew(call("transfer_to_order"), call("exchange_delivered_order_items", **EXCHANGE),
                         summarise_tool)]}
    trials = asyncio.run(run_benchmark(data, ["88", "70"], config(tmp_path, users, crews)))
    by_task = {t.task_id: t for t in trials}
    for trial in trials:
        assert trial.error is None and trial.end == "user_stop", trial
        assert trial.state_differences == [] and trial.missing_outputs == [] and trial.success
    conversation = by_task["88"].messages
    assert conversation[0] == {"role": "assistant", "text": GREETING}
    assert "Please confirm: cancel a pending order" in conversation[2]["text"]
    # The precondition read belongs to the turn that asks for the yes; the confirmed write to the turn that
    # answers it.
    assert [(c["name"], c["ok"]) for c in conversation[2]["tool_calls"]] == [("get_order_details", True)]
    assert [(c["name"], c["ok"]) for c in conversation[4]["tool_calls"]] == [("cancel_pending_order", True)]
    assert "22.55" in by_task["70"].messages[4]["text"]
    summary = summarize(trials)
    assert summary["pass_hat_k"]["1"]["value"] == 1.0 and summary["ends"] == {"user_stop": 2}
    assert not (tmp_path / "trials").exists()


def test_a_missed_write_fails_the_state_and_pass_hat_k_falls(tmp_path, data):
    users = {"88": [customer("Cancel #W8835847 please, ordered by mistake.", "yes", "###STOP###"),
                    customer("Cancel #W8835847 please, ordered by mistake.", "###STOP###")]}
    crews = {"88": [cancel_crew(), cancel_crew(write=False)]}
    trials = asyncio.run(run_benchmark(data, ["88"], config(tmp_path, users, crews, trials=2)))
    good, bad = sorted(trials, key=lambda t: t.trial)
    assert good.success and not bad.success
    assert any(d.startswith("order #W8835847.status: expected 'cancelled', got 'pending'")
               for d in bad.state_differences)
    assert any("gift_card" in d and "balance" in d for d in bad.state_differences)
    assert {k: v["value"] for k, v in summarize(trials)["pass_hat_k"].items()} == {"1": 0.5, "2": 0.0}
    report = benchmark_report(trials, {"trials": 2})
    saved = json.loads(write_report(report, tmp_path).read_text())
    assert [t["success"] for t in saved["tasks"]["88"]] == [True, False]


def test_an_unsaid_output_fails_and_a_silent_customer_hits_the_turn_limit(tmp_path, data):
    users = {"70": [customer("Exchange the helmet in #W3947049 for a medium blue one.", "yes",
                             *["hmm"] * 4)]}
    crews = {"70": [crew(call("transfer_to_order"), call("exchange_delivered_order_items", **EXCHANGE),
                         *[AIMessage("Your exchange is booked.")] * 4)]}
    trial, = asyncio.run(run_benchmark(data, ["70"], config(tmp_path, users, crews)))
    assert trial.state_differences == [] and trial.missing_outputs == ["22.55"] and not trial.success
    assert trial.end == "max_turns" and sum(m["role"] == "user" for m in trial.messages) == 5


def test_a_crash_fails_the_trial_with_its_reason(tmp_path, data):
    def down(_task_id):
        raise ConnectionError("endpoint unreachable")

    cfg = BenchmarkConfig(out=tmp_path, user_model=down, crew_model=lambda _t: crew())
    trial, = asyncio.run(run_benchmark(data, ["88"], cfg))
    assert trial.error == "ConnectionError: endpoint unreachable" and not trial.success


def test_outputs_are_checked_as_the_benchmark_does():
    assert missing_outputs(["1939.05", "camera"], ["You get $1,939.05 back for the Camera."]) == []
    assert missing_outputs(["481.5"], ["That is 48.15 dollars."]) == ["481.5"]


def test_the_simulator_plays_the_scenario_with_flipped_roles(data):
    prompt = system_prompt(data.tasks["88"])
    assert "###STOP###" in prompt and "Known info:\n\tYou name is Daiki Silva" in prompt
    model = customer("Hello, I need help with an order.")
    simulator = UserSimulator(model, data.tasks["88"])
    assert asyncio.run(simulator.answer(GREETING)) == "Hello, I need help with an order."
    system, greeting = model.seen[0]
    assert isinstance(system, SystemMessage) and isinstance(greeting, HumanMessage) and greeting.text == GREETING
    assert [stop_reason(t) for t in ("bye ###STOP###", "###TRANSFER###", "###OUT-OF-SCOPE###", "ok")] == [
        "user_stop", "transfer", "out_of_scope", None]


def test_cli_runs_the_local_crew_against_a_scripted_customer(tmp_path, monkeypatch):
    lines = ["Hi, I'm Daiki Silva. Please cancel my order #W8835847, I ordered it by mistake.", "yes", "###STOP###"]
    monkeypatch.setattr("evals.tau.simulator.user_model", lambda *_args, **_kw: customer(*lines))
    result = CliRunner().invoke(app, ["eval", "tau", "--model", "local", "--task", "88", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "pass^1" in result.output and "report.json" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["meta"]["crew_model"] == "local" and report["meta"]["split"] == "custom"
    trial, = report["tasks"]["88"]
    assert trial["error"] is None and trial["messages"][1]["text"] == lines[0]
