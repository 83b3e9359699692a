"""The dataset oracle: both datasets are true of the demo shop, and cases wrong about it are caught."""

import json
from pathlib import Path

import pytest

from evals.dataset import load_cases, parse_case
from evals.runner import build_template, index_knowledge
from evals.verify import Oracle
from shopcrew.settings import Settings
from tools.registry import load_all

DATASETS = Path(__file__).parents[2] / "evals" / "datasets"


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> Oracle:
    folder = tmp_path_factory.mktemp("oracle")
    template = build_template(folder / "template.db")
    index_knowledge(template, Settings())
    return Oracle(template, folder / "cases")


def case(**fields):
    base = {"id": "c", "principal": "customer:ava.martin@example.com", "turns": ["hi"]}
    return parse_case(json.dumps(base | fields), "test")


@pytest.mark.parametrize("name", ["dev.jsonl", "test.jsonl"])
async def test_every_case_is_true_of_the_demo_shop(oracle, name):
    names = {spec.name for spec in load_all().all()}
    cases = load_cases(DATASETS / name, tools=names)
    result = await oracle.verify(cases)
    assert [f"{f.case_id}: {f.message}" for f in result.errors] == []
    assert result.executed > len(cases) // 2  # most cases are proved by running their own calls


async def test_test_set_covers_every_agent_with_its_own_cases():
    cases = load_cases(DATASETS / "test.jsonl")
    assert len(cases) >= 300
    by_agent = {}
    for c in cases:
        by_agent.setdefault(c.expect.agent, []).append(c)
    assert {spec.agent for spec in load_all().all()} <= set(by_agent)
    assert all(len(by_agent[agent]) >= 8 for agent in by_agent if agent)
    tags = {t for c in cases for t in c.tags}
    assert {"typo", "indirect", "casual", "slot-later", "correction", "state-refusal", "escalation",
            "other-customer", "confirm-yes", "confirm-no"} <= tags
    assert {c.principal for c in cases} >= {"staff:sam.support", "staff:wendy.warehouse", "staff:mia.merchant",
                                            "staff:ada.admin", "customer:noah.johnson@example.com"}


async def test_wrong_cases_are_caught(oracle):
    wrong = [
        case(id="no-such-order", expect={"agent": "order", "tool_calls": [
            {"name": "get_order_details", "args": {"order_id": "#W0000001"}}]}),
        case(id="not-hers", expect={"agent": "order", "tool_calls": [
            {"name": "get_order_details", "args": {"order_id": "#W6123915"}}]}),
        case(id="wrong-status", expect={"agent": "order", "state": [
            {"tool": "get_order_details", "args": {"order_id": "#W7581196"}, "expect": {"status": "pending"}}],
            "refuse": True}),
        case(id="staff-tool", expect={"agent": "order", "tool_calls": [{"name": "get_order_analytics", "args": {}}]}),
        case(id="bad-arg", expect={"agent": "transport", "tool_calls": [
            {"name": "quote_shipping", "args": {"weight_kg": -2}}]}),
        case(id="unknown-agent", expect={"agent": "billing"}),
        case(id="cannot-cancel", turns=["cancel #W7581196", "yes"], expect={"agent": "order", "tool_calls": [
            {"name": "cancel_pending_order", "args": {"order_id": "#W7581196", "reason": "no longer needed"}}],
            "state": [{"tool": "get_order_details", "args": {"order_id": "#W7581196"},
                       "expect": {"status": "cancelled"}}]}),
        case(id="vacuous-read-write", turns=["cancel #W3972548", "yes"], expect={"agent": "order", "tool_calls": [
            {"name": "cancel_pending_order", "args": {"order_id": "#W3972548", "reason": "no longer needed"}}],
            "writes": False}),
        case(id="write-without-yes", turns=["change my phone to +33 6 11 22 33 44"], expect={
            "agent": "customer", "tool_calls": [{"name": "update_customer", "args": {"phone": "+33 6 11 22 33 44"}}],
            "state": [{"tool": "get_customer_details", "args": {"customer_id": "ava_martin_7243"},
                       "expect": {"phone": "+33 6 11 22 33 44"}}]}),
    ]
    result = await oracle.verify(wrong)
    flagged: dict[str, str] = {}
    for finding in result.errors:
        flagged[finding.case_id] = flagged.get(finding.case_id, "") + finding.message + "\n"
    assert set(flagged) == {c.id for c in wrong}
    assert "#W0000001 does not exist" in flagged["no-such-order"]
    assert "belongs to lucas_bernard_1659" in flagged["not-hers"]
    assert "status is 'delivered', expected 'pending'" in flagged["wrong-status"]
    assert "not open to the customer role" in flagged["staff-tool"]
    assert "weight_kg" in flagged["bad-arg"]
    assert "not one of the sixteen agents" in flagged["unknown-agent"]
    assert "cancel_pending_order fails on the demo shop" in flagged["cannot-cancel"]
    assert "expects no write" in flagged["vacuous-read-write"]
    assert "asks for confirmation, but no turn says yes" in flagged["write-without-yes"]


async def test_a_true_write_case_is_proved(oracle):
    right = case(id="cancel", turns=["cancel #W3972548", "yes"], expect={"agent": "order", "tool_calls": [
        {"name": "cancel_pending_order", "args": {"order_id": "#W3972548", "reason": "no longer needed"}}],
        "state": [{"tool": "get_order_details", "args": {"order_id": "#W3972548"},
                   "expect": {"status": "cancelled"}}]})
    result = await oracle.verify([right])
    assert result.findings == [] and result.executed == 1
