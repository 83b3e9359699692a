"""bind_tools, invoke/ainvoke/streaming and usage figures of the local model."""

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from graph.models.local import LocalChatModel

REQUEST = [HumanMessage("cancel my order #W2611340, I ordered it by mistake")]


def test_bind_tools_returns_a_bound_copy_and_leaves_the_original_unbound(model, tools):
    bound = model.bind_tools(tools)
    assert isinstance(bound, LocalChatModel) and bound is not model
    assert [t.name for t in bound.bound_tools] == [t.name for t in tools]
    assert model.bound_tools == ()
    assert model.invoke(REQUEST).tool_calls == []


def test_bound_model_emits_one_tool_call_with_a_fresh_id(shop):
    first, second = shop.invoke(REQUEST), shop.invoke(REQUEST)
    assert first.content == ""
    assert len(first.tool_calls) == 1
    call = first.tool_calls[0]
    assert call["name"] == "cancel_pending_order" and call["type"] == "tool_call"
    assert call["args"] == {"order_id": "#W2611340", "reason": "ordered by mistake"}
    assert call["id"] != second.tool_calls[0]["id"]


def test_same_input_gives_the_same_output(shop):
    first, second = shop.invoke(REQUEST), shop.invoke(REQUEST)
    assert first.content == second.content
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [(c["name"], c["args"]) for c in second.tool_calls]


def test_openai_style_dict_tools_are_accepted(model):
    tool = {
        "type": "function",
        "function": {
            "name": "get_order_details",
            "description": "Get an order by its order number.",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
        },
    }
    reply = model.bind_tools([tool]).invoke([HumanMessage("where is my order #W2378156?")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("get_order_details", {"order_id": "#W2378156"})]


def test_tools_passed_per_call_are_used(model, tools):
    reply = model.bind(tools=tools).invoke(REQUEST)
    assert reply.tool_calls[0]["name"] == "cancel_pending_order"


def test_forced_tool_choice_picks_that_tool(model, tools):
    reply = model.bind_tools(tools, tool_choice="search_products").invoke([HumanMessage("blue t-shirt")])
    assert reply.tool_calls[0]["name"] == "search_products"


def test_usage_metadata_counts_tokens(shop):
    reply = shop.invoke(REQUEST)
    usage = reply.usage_metadata
    assert usage["input_tokens"] > 10 and usage["output_tokens"] > 5
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert shop._llm_type == "shopcrew-local"


def test_streaming_yields_the_invoked_message(shop):
    chunks = list(shop.stream(REQUEST))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    merged = sum(chunks[1:], chunks[0])
    invoked = shop.invoke(REQUEST)
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [(c["name"], c["args"]) for c in invoked.tool_calls]
    assert merged.usage_metadata == invoked.usage_metadata


def test_streaming_a_text_reply_yields_its_words(shop):
    chunks = list(shop.stream([HumanMessage("cancel my order")]))
    merged = sum(chunks[1:], chunks[0])
    assert len(chunks) > 3
    assert merged.content == shop.invoke([HumanMessage("cancel my order")]).content
    assert merged.tool_calls == []


async def test_ainvoke_and_astream_match_invoke(shop):
    invoked = shop.invoke(REQUEST)
    awaited = await shop.ainvoke(REQUEST)
    chunks = [c async for c in shop.astream(REQUEST)]
    merged = sum(chunks[1:], chunks[0])
    expected = [(c["name"], c["args"]) for c in invoked.tool_calls]
    assert isinstance(awaited, AIMessage)
    assert [(c["name"], c["args"]) for c in awaited.tool_calls] == expected
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == expected
