"""The OpenAI-compatible endpoint as the official `openai` Python client sees it."""

from contextlib import asynccontextmanager

import httpx2
import openai
import pytest
from langchain_core.messages import AIMessage, ToolMessage
from sqlalchemy import select

from db.models import Customer
from tests import factories as f
from tests.api.chat_app import running_app
from tests.graph.scripted import ScriptedChatModel, call

NEW_ADDRESS = {"address1": "9 Quai Perrache", "city": "Lyon", "country": "FR", "zip": "69002"}


@asynccontextmanager
async def openai_client(model, database_url, tmp_path, key: str):
    """The official async client, talking to the app in process."""
    async with running_app(model, database_url, tmp_path) as app:
        http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
        async with openai.AsyncOpenAI(base_url="http://shopcrew.test/v1", api_key=key, http_client=http,
                                      max_retries=0) as client:
            yield client


async def customer_with_key(sessions, **fields):
    person = await f.customer(sessions, **fields)
    return person, await f.api_key(sessions, owner=person)


def reply_from_tool(messages, _tools) -> AIMessage:
    assert isinstance(messages[-1], ToolMessage)
    return AIMessage(f"Done: {messages[-1].text}")


async def default_address(sessions, customer_id) -> str:
    async with sessions() as s:
        customer = await s.scalar(select(Customer).where(Customer.id == customer_id))
        await s.refresh(customer, ["addresses"])
        return next(a.address1 for a in customer.addresses if a.is_default)


async def test_plain_completion_and_models(sessions, database_url, tmp_path):
    _, key = await customer_with_key(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_customer"), call("get_loyalty"), AIMessage("Bronze.")])
    async with openai_client(model, database_url, tmp_path, key) as client:
        models = await client.models.list()
        completion = await client.chat.completions.create(
            model="shopcrew", messages=[{"role": "user", "content": "what is my loyalty tier?"}]
        )
    assert [m.id for m in models.data] == ["shopcrew"]
    assert completion.choices[0].message.content == "Bronze."
    assert completion.choices[0].finish_reason == "stop"
    turn = completion.model_extra["shopcrew"]
    assert turn["agent"] == "customer" and turn["tool_calls"] == [{"name": "get_loyalty", "args": {}, "ok": True}]


async def test_streaming_completion(sessions, database_url, tmp_path):
    _, key = await customer_with_key(sessions)
    model = ScriptedChatModel(script=[call("transfer_to_customer"), call("get_loyalty"), AIMessage("Bronze.")])
    async with openai_client(model, database_url, tmp_path, key) as client:
        stream = await client.chat.completions.create(
            model="shopcrew", messages=[{"role": "user", "content": "my tier?"}], stream=True
        )
        chunks = [chunk async for chunk in stream]
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Bronze."
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["shopcrew"]["agent"] == "customer"


@pytest.mark.parametrize("stream", [False, True])
async def test_confirmation_over_two_completions(sessions, database_url, tmp_path, stream):
    ava, key = await customer_with_key(sessions)
    before = await default_address(sessions, ava.id)
    model = ScriptedChatModel(
        script=[call("transfer_to_customer"), call("update_default_address", **NEW_ADDRESS), reply_from_tool]
    )
    first_message = {"role": "user", "content": "move my address to 9 Quai Perrache, 69002 Lyon"}
    async with openai_client(model, database_url, tmp_path, key) as client:
        raw = await client.chat.completions.with_raw_response.create(model="shopcrew", messages=[first_message])
        thread, asked = raw.headers["X-Thread-Id"], raw.parse()
        assert asked.model_extra["shopcrew"]["pending_confirmation"]["name"] == "update_default_address"
        assert "Please confirm" in asked.choices[0].message.content
        assert await default_address(sessions, ava.id) == before
        history = [first_message, {"role": "assistant", "content": asked.choices[0].message.content}]
        answer = dict(model="shopcrew", messages=[*history, {"role": "user", "content": "yes"}],
                      extra_headers={"X-Thread-Id": thread})
        if stream:
            chunks = [c async for c in await client.chat.completions.create(**answer, stream=True)]
            reply = "".join(c.choices[0].delta.content or "" for c in chunks)
        else:
            reply = (await client.chat.completions.create(**answer)).choices[0].message.content
    assert reply.startswith("Done:") and "9 Quai Perrache" in reply
    assert await default_address(sessions, ava.id) == "9 Quai Perrache"


async def test_invalid_key_is_a_401_in_openais_shape(sessions, database_url, tmp_path):
    async with openai_client(ScriptedChatModel(script=[]), database_url, tmp_path, "sc_not_a_key") as client:
        with pytest.raises(openai.AuthenticationError) as refused:
            await client.chat.completions.create(model="shopcrew", messages=[{"role": "user", "content": "hi"}])
        with pytest.raises(openai.AuthenticationError):
            await client.models.list()
    error = refused.value
    assert error.status_code == 401 and error.code == "invalid_api_key" and error.type == "invalid_request_error"
    assert error.body["message"] == "unknown or revoked API key"
    assert "unknown or revoked API key" in str(error)


async def test_another_customers_thread_is_not_found(sessions, database_url, tmp_path):
    _, ava_key = await customer_with_key(sessions)
    _, bob_key = await customer_with_key(sessions, first="Bob", last="Stone")
    model = ScriptedChatModel(script=[call("transfer_to_customer"), AIMessage("Hello Ava.")])
    async with openai_client(model, database_url, tmp_path, ava_key) as ava:
        raw = await ava.chat.completions.with_raw_response.create(
            model="shopcrew", messages=[{"role": "user", "content": "hi"}]
        )
        thread = raw.headers["X-Thread-Id"]
        bob = ava.with_options(api_key=bob_key)
        for stream in (False, True):
            with pytest.raises(openai.NotFoundError) as hidden:
                await bob.chat.completions.create(
                    model="shopcrew", messages=[{"role": "user", "content": "what did she say?"}],
                    extra_headers={"X-Thread-Id": thread}, stream=stream,
                )
            assert hidden.value.code == "not_found" and thread in hidden.value.body["message"]
