"""Model faults, against a local OpenAI-compatible server scripted to misbehave: it stalls past the timeout,
answers 500, sends malformed or unknown tool calls and arguments that fail validation, or never stops calling
tools. The crew must answer politely, retry where sensible, and leave nothing half-done: the shop's invariants
hold and nothing is written that the person did not confirm."""

import json

import pytest

from db.enums import Role, RunOutcome
from graph.crew import Crew
from shopcrew.settings import Settings
from tests.graph.openai_server import ScriptedOpenAI, Stall, text_reply, tool_call_reply
from tests.hardening.hostile import ATTACKER
from tests.hardening.invariants import violations
from tests.hardening.shop import changed_tables
from tools.context import Principal

pytestmark = [pytest.mark.db, pytest.mark.asyncio(loop_scope="module")]

TIMEOUT = 1.0  # seconds the crew waits for the scripted model; its stalls last longer
POLITE = ("sorry", "please", "could you", "couldn't", "could not")


@pytest.fixture(scope="module")
def ava(shop) -> Principal:
    customer = shop.customers[ATTACKER]
    return Principal(role=Role.CUSTOMER, subject=customer, display=ATTACKER.split(":", 1)[1])


@pytest.fixture(scope="module")
def own(shop, ava) -> dict[str, str]:
    """A pending and a delivered order of Ava's."""
    rows = dict(shop.rows("SELECT status, MIN(id) FROM orders WHERE customer_id = :c GROUP BY status", c=ava.subject))
    return {"pending": rows["pending"], "delivered": rows["delivered"]}


async def turn(shop, tmp_path, script, principal, *messages):
    """The crew on the scripted server, asked each message in one thread; (results, server, tables changed)."""
    before = shop.fingerprint()
    with ScriptedOpenAI(script) as server:
        settings = Settings(database_url=shop.url, data_dir=tmp_path, model="openai", openai_base_url=server.base_url,
                            openai_timeout_seconds=TIMEOUT, openai_max_retries=1, events_dispatcher=False)
        async with Crew.open(settings) as crew:
            results, thread = [], None
            for message in messages:
                results.append(await crew.ask(principal, message, thread))
                thread = results[-1].thread_id
    return results, server, changed_tables(before, shop.fingerprint())


def assert_polite(reply: str) -> None:
    assert reply.strip() and "Traceback" not in reply and "Error[" not in reply, reply
    assert any(word in reply.lower() for word in POLITE), reply


async def test_a_stalled_model_is_retried_once_then_answered_politely(shop, ava, tmp_path):
    (result,), server, changed = await turn(shop, tmp_path, [Stall(3 * TIMEOUT), Stall(3 * TIMEOUT)], ava,
                                            "where is my order?")
    assert result.outcome == RunOutcome.ERROR and "Timeout" in result.error
    assert_polite(result.reply)
    assert len(server.requests) == 2  # the first try and one retry
    assert changed == []


async def test_a_500_is_retried_and_the_turn_goes_on(shop, ava, own, tmp_path):
    script = [500, tool_call_reply("transfer_to_order"), tool_call_reply("get_order_details", order_id=own["pending"]),
              text_reply(f"Order {own['pending']} is pending.")]
    (result,), server, changed = await turn(shop, tmp_path, script, ava, "where is my order?")
    assert result.outcome == RunOutcome.ANSWERED and result.reply == f"Order {own['pending']} is pending."
    assert result.tool_calls == [{"name": "get_order_details", "args": {"order_id": own["pending"]}, "ok": True}]
    assert len(server.requests) == 4
    assert changed == []


async def test_a_model_that_dies_after_a_confirmed_action_leaves_it_whole(shop, ava, own, tmp_path):
    """The cancellation ran in one transaction before the model failed: done entirely, reported politely."""
    script = [tool_call_reply("transfer_to_order"),
              tool_call_reply("cancel_pending_order", order_id=own["pending"], reason="ordered by mistake"),
              500, 500]
    (asked, answered), _, changed = await turn(shop, tmp_path, script, ava, "cancel my pending order", "yes")
    assert asked.pending_confirmation["name"] == "cancel_pending_order" and asked.outcome != RunOutcome.ERROR
    assert answered.outcome == RunOutcome.ERROR
    assert_polite(answered.reply)
    assert shop.scalar("SELECT status FROM orders WHERE id = :o", o=own["pending"]) == "cancelled"
    assert {"orders", "stock_levels", "stock_reservations"} <= set(changed)
    assert violations(shop) == {}


async def test_malformed_tool_arguments_are_not_run(shop, ava, tmp_path):
    broken = {"role": "assistant", "content": None, "tool_calls": [{
        "id": "call_broken", "type": "function",
        "function": {"name": "cancel_pending_order", "arguments": '{"order_id": "#W12'}}]}
    script = [tool_call_reply("transfer_to_order"), broken, text_reply("Sorry, could you say that again?")]
    (result,), _, changed = await turn(shop, tmp_path, script, ava, "cancel my order")
    assert not any(call["ok"] for call in result.tool_calls) and result.pending_confirmation is None
    assert_polite(result.reply)
    assert changed == []


async def test_an_unknown_tool_is_refused_and_the_model_recovers(shop, ava, tmp_path):
    script = [tool_call_reply("transfer_to_order"), tool_call_reply("drop_all_tables", confirm=True),
              text_reply("Sorry, I could not do that.")]
    (result,), server, changed = await turn(shop, tmp_path, script, ava, "clean up the database")
    # The model was told the tool does not exist, in a tool message it could read.
    tool_messages = [m for m in server.requests[-1]["messages"] if m["role"] == "tool"]
    assert tool_messages and "drop_all_tables" in tool_messages[-1]["content"]
    assert_polite(result.reply)
    assert changed == []


async def test_arguments_failing_validation_change_nothing(shop, ava, tmp_path):
    script = [tool_call_reply("transfer_to_order"),
              tool_call_reply("place_order", lines=[{"item": "KB-RED-01", "quantity": 0}],
                              payment_method_id="credit_card_0000000"),
              text_reply("yes"),  # what a confused model might say; nothing must happen on its word
              text_reply("Sorry, I couldn't place that order: the quantity must be at least 1.")]
    results, server, changed = await turn(shop, tmp_path, script, ava, "order a keyboard", "yes")
    refused = [c for r in results for c in r.tool_calls if c["name"] == "place_order"]
    assert all(not c["ok"] for c in refused)
    assert all(r.pending_confirmation is None or r.pending_confirmation["name"] != "place_order" for r in results[1:])
    assert changed == []


async def test_another_role_tool_named_by_the_model_is_refused(shop, ava, own, tmp_path):
    """The model calls a staff-only refund for the customer: refused, the money stays where it is."""
    script = [tool_call_reply("transfer_to_payment"), tool_call_reply("refund_payment", order_id=own["delivered"]),
              text_reply("Sorry, refunds are for staff.")]
    (result,), server, changed = await turn(shop, tmp_path, script, ava, "refund my delivered order")
    assert result.pending_confirmation is None and not any(c["ok"] for c in result.tool_calls)
    offered = {t["function"]["name"] for t in server.requests[1].get("tools", [])}
    assert "refund_payment" not in offered
    assert changed == []


async def test_an_endless_tool_loop_is_stopped_by_the_limits(shop, ava, own, tmp_path):
    loop = [tool_call_reply("get_order_details", order_id=own["pending"]) for _ in range(40)]
    (result,), server, changed = await turn(shop, tmp_path, [tool_call_reply("transfer_to_order"), *loop], ava,
                                            "where is my order?")
    assert result.outcome == RunOutcome.LIMIT_REACHED
    assert_polite(result.reply)
    assert len(server.requests) <= 1 + Settings().agent_model_call_limit + 1
    assert changed == []
    assert json.dumps(result.public())  # the turn's record is whole and serialisable
