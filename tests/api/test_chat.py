"""Chat over HTTP: JSON, server-sent events and the OpenAI-compatible endpoint, with a scripted model."""

import json

import httpx
from langchain_core.messages import AIMessage
from sqlalchemy import select

from api.app import create_app
from db.enums import BlockedKind, OrderStatus
from db.models import Order
from shopcrew.settings import Settings
from tests import factories as f
from tests.api.chat_app import client_with, customer_key
from tests.graph.scripted import ScriptedChatModel, call
from tests.tools.fraud_helpers import block
from tests.tools.order_helpers import shop


def sse_events(text: str) -> list[tuple[str, dict]]:
    """(event, data) pairs of a server-sent event stream."""
    events = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = chunk.splitlines()
        name = next((line[7:] for line in lines if line.startswith("event: ")), "message")
        data = "\n".join(line[6:] for line in lines if line.startswith("data: "))
        if data:
            events.append((name, json.loads(data)))
    return events


async def test_chat_json_round_trip(sessions, database_url, tmp_path):
    ava, auth = await customer_key(sessions)
    model = ScriptedChatModel(
        script=[call("transfer_to_customer"), call("get_loyalty"), AIMessage("Bronze, 0 points.")]
    )
    async with client_with(model, database_url, tmp_path) as client:
        response = await client.post("/api/v1/chat", json={"message": "my points?"}, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["reply"] == "Bronze, 0 points." and body["agent"] == "customer"
    assert body["tool_calls"] == [{"name": "get_loyalty", "args": {}, "ok": True}]
    assert body["pending_confirmation"] is None and body["thread_id"]


async def test_chat_needs_a_key_and_valid_body(sessions, database_url, tmp_path):
    _, auth = await customer_key(sessions)
    async with client_with(ScriptedChatModel(script=[]), database_url, tmp_path) as client:
        assert (await client.post("/api/v1/chat", json={"message": "hi"})).status_code == 401
        response = await client.post("/api/v1/chat", json={"message": ""}, headers=auth)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "message"


async def test_chat_stream_events(sessions, database_url, tmp_path):
    _, auth = await customer_key(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_customer"), call("get_loyalty"), AIMessage("Bronze.")])
    async with client_with(model, database_url, tmp_path) as client:
        response = await client.post("/api/v1/chat/stream", json={"message": "points"}, headers=auth)
    events = sse_events(response.text)
    assert [name for name, _ in events] == ["route", "tool_call", "tool_result", "message", "done"]
    (_, called), (_, result), (_, done) = events[1], events[2], events[4]
    # The result event pairs with its call and carries the structured result and the latency for the page.
    assert result["id"] == called["id"] and result["name"] == "get_loyalty" and result["ok"] is True
    assert result["result"]["tier"] == "bronze" and isinstance(result["latency_ms"], int)
    assert done["reply"] == "Bronze."


async def test_refused_tool_step_says_why_in_words(sessions, database_url, tmp_path):
    _, auth = await customer_key(sessions)
    model = ScriptedChatModel(
        script=[call("transfer_to_order"), call("get_order_details", order_id="#W0000000"), AIMessage("Not found.")]
    )
    async with client_with(model, database_url, tmp_path) as client:
        response = await client.post("/api/v1/chat/stream", json={"message": "order #W0000000?"}, headers=auth)
    result = next(data for name, data in sse_events(response.text) if name == "tool_result")
    assert result["ok"] is False and "result" not in result
    assert "#W0000000" in result["error"] and not result["error"].startswith("Error[")


async def test_openai_compatible_completion(sessions, database_url, tmp_path):
    _, auth = await customer_key(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_customer"), AIMessage("Hello again.")])
    async with client_with(model, database_url, tmp_path) as client:
        listed = await client.get("/v1/models", headers=auth)
        response = await client.post(
            "/v1/chat/completions",
            headers=auth,
            json={
                "model": "shopcrew",
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "Hello!"},
                    {"role": "user", "content": "hi again"},
                ],
            },
        )
    assert listed.json()["data"][0]["id"] == "shopcrew"
    body = response.json()
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "Hello again."}
    # the earlier turns reached the model as history
    assert [m.text for m in model.seen[0][1:]] == ["hi", "Hello!", "hi again"]


async def test_chat_orders_carry_the_request_ip_not_the_models(sessions, database_url, tmp_path):
    sh = await shop(sessions)
    await block(sessions, BlockedKind.IP, "203.0.113.7")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, owner=sh.customer)}"}
    order = {"lines": [{"item": "KB-RED"}], "payment_method_id": sh.card.id, "client_ip": "10.0.0.1"}
    model = ScriptedChatModel(script=[call("transfer_to_order"), call("place_order", **order), AIMessage("Placed.")])
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path), model=model)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40123))
        async with httpx.AsyncClient(transport=transport, base_url="http://shopcrew.test") as client:
            first = await client.post("/api/v1/chat", json={"message": "buy a red keyboard"}, headers=auth)
            thread = first.json()["thread_id"]
            await client.post("/api/v1/chat", json={"message": "yes", "thread_id": thread}, headers=auth)
    async with sessions() as s:
        placed = (await s.execute(select(Order))).scalar_one()
    # new account 15 + the request's blocked IP 40 = 55: held; the model's "client_ip" argument is ignored
    assert (placed.client_ip, placed.status) == ("203.0.113.7", OrderStatus.ON_HOLD)
