"""What the crew records and says: tool calls through chat, run records of refusals, parts it could not do."""

import json
import uuid
from decimal import Decimal

import pytest
from langchain_core.messages import AIMessage
from langgraph.types import Command
from sqlalchemy import select

from db.enums import PaymentMethodKind, Role, RunOutcome
from db.models import AgentRun, AuditEvent, OutboxEvent, ToolCall
from graph.context import ShopContext
from graph.router import Skipped, skipped_note, unavailable_reply
from tests import factories as f
from tests.graph.scripted import ScriptedChatModel, call
from tests.tools.marketplace_helpers import new_key
from tests.tools.payment_helpers import balance, transaction_count
from tools.marketplace.runtime import use_marketplace
from tools.principals import principal_of_staff
from tools.registry import REGISTRY

SECRET = "sk-etsy-5531-do-not-leak"


def handoffs(*agents: str) -> AIMessage:
    """The router's reply handing the request to several specialists."""
    return AIMessage("", tool_calls=[{"name": f"transfer_to_{a}", "args": {}, "id": a, "type": "tool_call"}
                                     for a in agents])


async def run_of(sessions, thread: str) -> AgentRun:
    async with sessions() as s:
        return await s.scalar(select(AgentRun).where(AgentRun.thread_id == thread))


async def test_every_chat_tool_call_is_recorded_failed_ones_too(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    model = ScriptedChatModel(script=[
        call("transfer_to_customer"),
        call("get_customer_details"),
        call("get_customer_details", customer_id=bob.id),      # refused by the tool: not found
        call("add_customer_address", address1=None, zip=12),   # refused before the tool: bad arguments
        AIMessage("Done."),
    ])
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "who am I, and who is Bob?")
    assert [c["ok"] for c in result.tool_calls] == [True, False, False]
    async with sessions() as s:
        rows = (await s.execute(select(ToolCall).order_by(ToolCall.id))).scalars().all()
    assert [(r.tool, r.agent, r.via, r.role, r.ok, r.error_code) for r in rows] == [
        ("get_customer_details", "customer", "chat", "customer", True, None),
        ("get_customer_details", "customer", "chat", "customer", False, "not_found"),
        ("add_customer_address", "customer", "chat", "customer", False, "invalid_input"),
    ]


async def test_a_split_request_says_which_part_was_not_done(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(script=[handoffs("customer", "monitoring"), call("get_loyalty"),
                                      AIMessage("You have 0 points.")])
    thread = uuid.uuid4().hex
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "how many points do I have and show the system alerts", thread)
    assert result.agent == "customer" and result.outcome == RunOutcome.ANSWERED
    assert result.reply.startswith("You have 0 points.")
    assert "monitoring specialist, who works for the shop's staff only" in result.reply
    assert "That part was not done" in result.reply
    assert (await run_of(sessions, thread)).agent == "customer"


async def test_the_note_comes_with_a_pending_confirmation_too(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(script=[
        handoffs("customer", "quality"),
        call("update_default_address", address1="9 Quai Perrache", city="Lyon", country="FR", zip="69002"),
    ])
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "move me to 9 Quai Perrache, 69002 Lyon and inspect my mug")
    assert result.pending_confirmation["name"] == "update_default_address"
    assert "quality specialist, who works for the shop's staff only" in result.reply
    assert result.reply.index("could not do all") < result.reply.index("Please confirm")


async def test_a_refused_request_keeps_the_specialist_it_was_routed_to(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(script=[handoffs("monitoring", "quality")])
    thread = uuid.uuid4().hex
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "show the system alerts and schedule an inspection", thread)
    assert result.agent == "supervisor" and result.outcome == RunOutcome.REFUSED
    assert "monitoring specialist" in result.reply and "quality specialist" in result.reply
    run = await run_of(sessions, thread)
    assert (run.agent, run.outcome) == ("monitoring", RunOutcome.REFUSED)


def test_notes_name_the_reason_for_each_role():
    skipped = [Skipped("monitoring", "role"), Skipped("quality", "not_built")]
    note = skipped_note(skipped, Role.WAREHOUSE)
    assert "whose tools your role (warehouse) may not use" in note and "cannot do that for you here yet" in note
    assert note.endswith("Those parts were not done, and nothing was changed for it.")
    assert unavailable_reply(skipped[:1], Role.CUSTOMER).endswith("staff only. Nothing was changed.")


async def test_credentials_never_appear_through_chat(sessions, open_crew, tmp_path):
    boss = principal_of_staff(await f.staff_user(sessions, role=Role.ADMIN))
    model = ScriptedChatModel(script=[
        call("transfer_to_marketplace"),
        AIMessage("", tool_calls=[{"name": "create_marketplace_connection", "id": "c1", "type": "tool_call",
                                   "args": {"channel": "etsy", "name": "Etsy", "credentials": {"api_key": SECRET}}}]),
        AIMessage("Connected Etsy."),
    ])
    with use_marketplace(tmp_path, new_key()):
        async with open_crew(model) as crew:
            events = [e async for e in crew.turn(boss, "connect our Etsy shop, key in the vault", thread_id="etsy")]
            first = events[-1]["result"]
            events += [e async for e in crew.turn(boss, "yes", thread_id="etsy")]
    second = events[-1]["result"]
    assert any(e["event"] == "tool_call" and e["name"] == "create_marketplace_connection" for e in events)
    assert second.tool_calls[0]["ok"] and first.pending_confirmation["args"]["credentials"] == "[hidden]"
    async with sessions() as s:
        rows = [r for model_ in (AuditEvent, OutboxEvent, ToolCall, AgentRun)
                for r in (await s.execute(select(model_))).scalars()]
    recorded = json.dumps([{c.name: str(getattr(r, c.name)) for c in r.__table__.columns} for r in rows])
    shown = [json.dumps(first.public()), json.dumps(second.public()), recorded, repr(events)]
    assert not any(SECRET in text for text in shown)


async def test_a_refused_secret_is_not_quoted_back_to_the_model(sessions, open_crew, tmp_path):
    boss = principal_of_staff(await f.staff_user(sessions, role=Role.ADMIN))
    bad = {"channel": "etsy", "name": "Etsy", "credentials": {"API KEY": SECRET}}  # a name the schema refuses
    model = ScriptedChatModel(script=[
        call("transfer_to_marketplace"),
        AIMessage("", tool_calls=[{"name": "create_marketplace_connection", "id": "c2", "type": "tool_call",
                                   "args": bad}]),
        lambda messages, _tools: AIMessage(f"The tool said: {messages[-1].text}"),
    ])
    with use_marketplace(tmp_path, new_key()):
        async with open_crew(model) as crew:
            result = await crew.ask(boss, "connect etsy", thread_id="etsy-bad")
    # Arguments that cannot run are refused at once, never put to the person for a yes.
    assert result.pending_confirmation is None
    assert result.tool_calls[0]["ok"] is False and "credentials" in result.reply
    assert SECRET not in result.reply and SECRET not in json.dumps(result.public())


@pytest.mark.parametrize("name", ["create_marketplace_connection", "update_marketplace_connection"])
def test_secret_fields_are_known_to_the_registry(name):
    spec = REGISTRY.get(name)
    assert spec.secret_fields == {"credentials"}
    assert spec.redact({"credentials": {"k": "v"}, "name": "x"}) == {"credentials": "[hidden]", "name": "x"}


async def test_a_specialist_is_told_which_of_its_actions_the_role_may_not_use(sessions, open_crew):
    wendy = principal_of_staff(await f.staff_user(sessions, role=Role.WAREHOUSE))
    model = ScriptedChatModel(script=[call("transfer_to_marketplace"),
                                      AIMessage("Pushing stock needs a merchant or an admin; nothing was done.")])
    async with open_crew(model) as crew:
        result = await crew.ask(wendy, "push stock to the sandbox channel")
    system = model.seen[-1][0].text
    missing = system.split("may not use:")[1]
    assert "push_marketplace_stock" in missing and "list_marketplace_orders" not in missing
    assert "push_marketplace_stock" not in model.bound and "list_marketplace_orders" in model.bound
    assert result.agent == "marketplace" and result.tool_calls == []


async def test_staff_asking_for_an_action_of_another_role_are_told_so(sessions, open_crew, as_customer):
    wendy = principal_of_staff(await f.staff_user(sessions, role=Role.WAREHOUSE))
    model = ScriptedChatModel(script=[call("transfer_to_marketplace"), call("needs_other_role_warehouse"),
                                      lambda messages, _tools: AIMessage(messages[-1].text)])
    async with open_crew(model) as crew:
        result = await crew.ask(wendy, "push stock to the sandbox channel")
        assert "needs_other_role_warehouse" in model.bound and "push_marketplace_stock" not in model.bound
        assert result.tool_calls == [{"name": "needs_other_role_warehouse", "args": {}, "ok": False}]
        assert "your role (warehouse) may not do it here, so nothing was done" in result.reply
        ava = as_customer(await f.customer(sessions))
        model.script[:] = [call("transfer_to_order"), AIMessage("Here are your orders.")]
        await crew.ask(ava, "list my orders")
    assert not any(name.startswith("needs_other_role_") for name in model.bound)  # customers get no stand-in
    async with sessions() as s:
        assert (await s.execute(select(ToolCall))).first() is None  # not a shop tool: nothing ran


async def test_a_confirmed_refund_run_again_from_its_saved_question_moves_money_once(sessions, open_crew):
    # A turn is saved when it ends: a crash after the confirmed refund ran but before the turn was saved leaves
    # the thread at its question, and the next yes runs the same call again. Its idempotency key (thread and
    # call id) makes that second run replay the first. Resuming from the saved question plays the crash.
    sam = principal_of_staff(await f.staff_user(sessions, role=Role.SUPPORT))
    ava = await f.customer(sessions)
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=0)
    kb = await f.product(sessions)
    order = await f.order(sessions, ava, [(kb.variants[0], 1)], gift)  # 89.00 taken from the gift card
    refund = AIMessage("", tool_calls=[{"name": "refund_payment", "id": "refund-1", "type": "tool_call",
                                        "args": {"order_id": order.id, "amount": 10, "reason": "late delivery"}}])
    model = ScriptedChatModel(script=[call("transfer_to_payment"), refund, AIMessage("Refunded."),
                                      AIMessage("Refunded.")], fresh_ids=False)
    async with open_crew(model) as crew:
        asked = await crew.ask(sam, f"refund 10 EUR on {order.id}", thread_id="refunds")
        question = (await crew.graph.aget_state({"configurable": {"thread_id": "refunds"}})).config
        await crew.ask(sam, "yes", thread_id="refunds")
        assert asked.pending_confirmation["name"] == "refund_payment"
        assert (await transaction_count(sessions), await balance(sessions, gift.id)) == (2, Decimal("10.00"))
        again = Command(resume={"decisions": [{"type": "approve"}]})
        await crew.graph.ainvoke(again, question, context=ShopContext(principal=sam, sessions=crew.sessions))
    assert (await transaction_count(sessions), await balance(sessions, gift.id)) == (2, Decimal("10.00"))
