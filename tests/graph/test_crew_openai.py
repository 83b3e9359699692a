"""The OpenAI path end to end: the real langchain-openai client against an OpenAI-compatible HTTP server."""

import json

from db.enums import RunOutcome
from tests import factories as f
from tests.graph.openai_server import ScriptedOpenAI, text_reply, tool_call_reply


async def test_tool_call_round_trip_over_the_wire(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    script = [
        tool_call_reply("transfer_to_customer"),
        tool_call_reply("get_loyalty"),
        text_reply("You are bronze with 0 points."),
    ]
    with ScriptedOpenAI(script) as server:
        async with open_crew(model=None, model_name="openai", openai_base_url=server.base_url) as crew:
            result = await crew.ask(as_customer(ava), "what is my loyalty tier?")
    assert (result.agent, result.reply) == ("customer", "You are bronze with 0 points.")
    assert result.tool_calls == [{"name": "get_loyalty", "args": {}, "ok": True}]
    assert result.prompt_tokens == 33 and result.completion_tokens == 21  # three completions' usage
    router, agent, answer = server.requests
    assert {t["function"]["name"] for t in router["tools"]} >= {"transfer_to_customer", "transfer_to_order"}
    offered = {t["function"]["name"] for t in agent["tools"]}
    assert "get_loyalty" in offered and "create_customer" not in offered  # staff-only tool hidden
    assert (
        "customer_id"
        in next(t for t in agent["tools"] if t["function"]["name"] == "get_loyalty")["function"]["parameters"][
            "properties"
        ]
    )
    tool_message = answer["messages"][-1]
    assert (
        tool_message["role"] == "tool" and tool_message["tool_call_id"] == answer["messages"][-2]["tool_calls"][0]["id"]
    )
    assert json.loads(tool_message["content"])["tier"] == "bronze"


async def test_domain_errors_go_back_to_the_model(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    script = [
        tool_call_reply("transfer_to_customer"),
        tool_call_reply("get_customer_details", customer_id="someone"),
        text_reply("I can only show your own profile."),
    ]
    with ScriptedOpenAI(script) as server:
        async with open_crew(model=None, model_name="openai", openai_base_url=server.base_url) as crew:
            result = await crew.ask(as_customer(ava), "show someone's profile")
    assert result.tool_calls[0]["ok"] is False
    assert server.requests[-1]["messages"][-1]["content"].startswith("Error[not_found]:")


async def test_endpoint_failure_gives_a_clear_reply_and_changes_nothing(sessions, open_crew, as_customer):
    ava = await f.customer(sessions)
    with ScriptedOpenAI([500, 500, 500, 500]) as server:
        async with open_crew(model=None, model_name="openai", openai_base_url=server.base_url) as crew:
            result = await crew.ask(as_customer(ava), "what is my loyalty tier?")
    assert result.outcome == RunOutcome.ERROR
    assert "language model" in result.reply and result.tool_calls == []
