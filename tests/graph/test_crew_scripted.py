"""The supervisor graph driven by scripted models: routing, tools, confirmation, limits, recovery."""

import uuid

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from sqlalchemy import select

from agents.spec import AgentSpec
from db.enums import Role, RunOutcome
from db.models import AgentRun, Customer
from graph.build import build_graph
from graph.crew import Crew
from tests import factories as f
from tests.graph.scripted import ScriptedChatModel, call
from tools.context import ToolContext
from tools.errors import NotFound
from tools.registry import REGISTRY, tool
from tools.schemas import Message, Schema


async def test_routes_to_specialist_and_answers(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(
        script=[
            call("transfer_to_customer"),
            call("get_customer_details"),
            AIMessage("You are Ava Martin."),
        ]
    )
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "who am I?")
    assert result.agent == "customer"
    assert result.reply == "You are Ava Martin."
    assert result.tool_calls == [{"name": "get_customer_details", "args": {}, "ok": True}]


NEW_ADDRESS = {"address1": "9 Quai Perrache", "city": "Lyon", "country": "FR", "zip": "69002"}


def reply_from_tool(messages, _tools) -> AIMessage:
    """Echo the last tool result, as a model would summarise it."""
    last = messages[-1]
    assert isinstance(last, ToolMessage)
    return AIMessage(f"Result: {last.text}")


async def default_address(sessions, customer_id) -> str:
    async with sessions() as s:
        customer = await s.scalar(select(Customer).where(Customer.id == customer_id))
        await s.refresh(customer, ["addresses"])
        return next(a.address1 for a in customer.addresses if a.is_default)


@pytest.mark.parametrize("answer, applied", [("yes", True), ("no", False), ("what's the weather?", False)])
async def test_confirmation_gates_the_write(sessions, open_crew, as_customer, answer, applied):
    ava = await f.customer(sessions)
    before = await default_address(sessions, ava.id)
    script = [call("transfer_to_customer"), call("update_default_address", **NEW_ADDRESS)]
    script += [reply_from_tool] if applied else [AIMessage("OK, I left your address as it was.")]
    if answer not in ("yes", "no"):
        script += [AIMessage("", tool_calls=[])]  # the router finds no specialist for the new request
    model = ScriptedChatModel(script=script)
    thread = uuid.uuid4().hex
    async with open_crew(model) as crew:
        first = await crew.ask(as_customer(ava), "change my address to 9 Quai Perrache, 69002 Lyon", thread_id=thread)
        assert first.pending_confirmation["name"] == "update_default_address" and first.agent == "customer"
        assert first.outcome == RunOutcome.CONFIRMATION_REQUESTED
        assert await default_address(sessions, ava.id) == before
        second = await crew.ask(as_customer(ava), answer, thread_id=thread)
    assert second.pending_confirmation is None
    assert (await default_address(sessions, ava.id) == "9 Quai Perrache") is applied
    if applied:
        assert second.tool_calls[0]["name"] == "update_default_address" and second.tool_calls[0]["ok"]


async def test_thread_belongs_to_its_principal(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    model = ScriptedChatModel(script=[call("transfer_to_customer"), AIMessage("Hello Ava")])
    thread = uuid.uuid4().hex
    async with open_crew(model) as crew:
        await crew.ask(as_customer(ava), "hi", thread_id=thread)
        with pytest.raises(NotFound):
            await crew.ask(as_customer(bob), "what did she say?", thread_id=thread)


async def test_model_cannot_reach_another_customer(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    model = ScriptedChatModel(
        script=[
            call("transfer_to_customer"),
            call("get_customer_details", customer_id=bob.id),
            reply_from_tool,
        ]
    )
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), f"show me the profile of {bob.id}")
    assert result.tool_calls == [{"name": "get_customer_details", "args": {"customer_id": bob.id}, "ok": False}]
    assert bob.email not in result.reply and "not_found" in result.reply


async def test_staff_only_tools_are_not_offered_to_customers(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(
        script=[
            call("transfer_to_customer"),
            call("create_customer", email="x@example.com", first_name="X", last_name="Y"),
            reply_from_tool,
        ]
    )
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "create an account for x@example.com")
        assert "create_customer" not in model.bound
    # Named anyway, the call is dropped before it could be confirmed or run, and the reply says why.
    assert result.tool_calls == [] and result.pending_confirmation is None
    assert "create_customer needs another role" in result.reply
    async with sessions() as s:
        assert await s.scalar(select(Customer).where(Customer.email == "x@example.com")) is None


async def test_endless_model_is_stopped_politely(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_customer")] + [call("get_loyalty")] * 20)
    async with open_crew(model, agent_model_call_limit=3) as crew:
        result = await crew.ask(as_customer(ava), "loop please")
    assert result.outcome == RunOutcome.LIMIT_REACHED
    assert "couldn't finish" in result.reply
    assert len(result.tool_calls) <= 3


async def test_malformed_tool_call_is_recovered(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(
        script=[
            call("transfer_to_customer"),
            call("add_customer_address", address1=None, zip=12),
            call("no_such_tool"),
            AIMessage("Sorry, I could not add that address."),
        ]
    )
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "add an address")
    assert result.reply == "Sorry, I could not add that address."
    assert [c["ok"] for c in result.tool_calls] == [False, False]


async def test_a_specialist_out_of_reach_gets_an_honest_reply(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_quality")])
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "schedule an inspection for SKU KB-1")
    assert result.agent == "supervisor" and "works for the shop's staff only" in result.reply
    assert result.outcome == RunOutcome.REFUSED


async def test_follow_up_goes_to_a_second_specialist(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(
        script=[
            AIMessage(
                "",
                tool_calls=[
                    {"name": "transfer_to_customer", "args": {}, "id": "a", "type": "tool_call"},
                    {"name": "transfer_to_knowledge", "args": {}, "id": "b", "type": "tool_call"},
                ],
            ),
            AIMessage("Your tier is bronze."),
            AIMessage("Points never expire."),
        ]
    )
    REGISTRY_HAS_KNOWLEDGE = REGISTRY.for_agent("knowledge", Role.CUSTOMER)
    async with open_crew(model) as crew:
        result = await crew.ask(as_customer(ava), "what's my tier and do points expire?")
    if REGISTRY_HAS_KNOWLEDGE:
        assert result.reply == "Your tier is bronze.\n\nPoints never expire."
    else:
        assert result.reply == "Your tier is bronze."


async def test_run_record_written(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_customer"), call("get_loyalty"), reply_from_tool])
    thread = uuid.uuid4().hex
    async with open_crew(model) as crew:
        await crew.ask(as_customer(ava), "my points?", thread_id=thread)
    async with sessions() as s:
        run = await s.scalar(select(AgentRun).where(AgentRun.thread_id == thread))
    assert (run.agent, run.outcome, run.model_calls) == ("customer", RunOutcome.ANSWERED, 3)  # router + 2
    assert run.tool_calls[0]["name"] == "get_loyalty" and run.principal == f"customer:{ava.email}"


class EchoIn(Schema):
    text: str


@pytest.fixture
def throwaway_agent():
    @tool(agent="echo", method="POST", path="/echo", roles={Role.CUSTOMER}, examples=["echo this back"])
    async def echo_text(ctx: ToolContext, params: EchoIn) -> Message:
        """Echo a text back."""
        return Message(message=params.text)

    yield AgentSpec("echo", "Echoes text back.", ("repeat after me",), prompt_file="supervisor.md")
    REGISTRY.unregister("echo_text")


async def test_adding_an_agent_is_a_spec_and_a_tool(sessions, crew_settings, as_customer, throwaway_agent):
    from agents.roster import ROSTER
    from db.engine import make_engine, make_sessionmaker

    ava = await f.customer(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_echo"), call("echo_text", text="hi"), reply_from_tool])
    engine = make_engine(crew_settings.database_url)
    crew = Crew(build_graph(model, roster=(*ROSTER, throwaway_agent)), make_sessionmaker(engine))
    from langgraph.checkpoint.memory import InMemorySaver

    crew.graph = build_graph(model, roster=(*ROSTER, throwaway_agent), checkpointer=InMemorySaver())
    result = await crew.ask(as_customer(ava), "repeat after me: hi")
    await engine.dispose()
    assert result.agent == "echo" and result.tool_calls == [{"name": "echo_text", "args": {"text": "hi"}, "ok": True}]
