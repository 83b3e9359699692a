"""A thread as the chat surfaces show it: turns, tool steps and their outcomes."""

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from graph.transcript import DECLINED, tool_outcome, transcript


def called(name: str, call_id: str, **args) -> AIMessage:
    return AIMessage("", name="order", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])


def test_outcomes_of_success_refusal_and_a_declined_action():
    done = ToolMessage('{"order_id": "#W1", "status": "cancelled"}', tool_call_id="a", artifact={"latency_ms": 12})
    refused = ToolMessage("Error[not_found]: order #W9 not found", tool_call_id="b", artifact={"latency_ms": 3})
    declined = ToolMessage("User rejected the tool call for `cancel_pending_order` with reason: no",
                           tool_call_id="c", status="error")
    assert tool_outcome(done) == {"ok": True, "latency_ms": 12, "result": {"order_id": "#W1", "status": "cancelled"}}
    assert tool_outcome(refused) == {"ok": False, "latency_ms": 3, "error": "order #W9 not found"}
    assert tool_outcome(declined) == {"ok": False, "latency_ms": None, "error": DECLINED}


def test_turns_follow_the_person_and_steps_get_their_results():
    messages = [
        AIMessage("Hello! How can I help?"),  # a history an OpenAI client seeded may open with the assistant
        HumanMessage("cancel #W1"),
        called("cancel_pending_order", "a", order_id="#W1"),
        ToolMessage('{"status": "cancelled"}', tool_call_id="a", artifact={"latency_ms": 7}),
        AIMessage("Order #W1 is cancelled.", name="order"),
        HumanMessage("and #W2?"),
        called("get_order_details", "b", order_id="#W2"),
    ]
    first, second, third = transcript(messages)
    assert (first["user"], first["reply"]) == ("", "Hello! How can I help?")
    assert (second["user"], second["agent"], second["reply"]) == ("cancel #W1", "order", "Order #W1 is cancelled.")
    assert second["steps"] == [{"id": "a", "name": "cancel_pending_order", "args": {"order_id": "#W1"}, "ok": True,
                                "latency_ms": 7, "result": {"status": "cancelled"}}]
    assert third["steps"][0]["ok"] is None and third["reply"] == ""  # still waiting for its result
