"""An address the person saved, named by a word of it ("my Milan address", "the Cours Lafayette address"): the model
lists their addresses and writes the one those words single out; an address is never taken from the record being
changed."""

import json
from datetime import date

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from graph.models.local.extract import extract
from graph.models.local.memory import remember
from graph.models.local.toolview import view
from graph.tools import as_langchain_tool
from tests.graph.models.test_dialogue import specialist
from tools.registry import load_all

ADDRESSES = {"addresses": [
    {"id": 1, "address1": "102 Rue Oberkampf", "address2": "", "city": "Paris", "state": "", "country": "FR",
     "zip": "75011", "is_default": True},
    {"id": 2, "address1": "63 Cours Lafayette", "address2": "", "city": "Lyon", "state": "", "country": "FR",
     "zip": "69003", "is_default": False},
]}


@pytest.fixture(scope="module")
def registry():
    return load_all()


def after(model, conversation: list, result: dict) -> AIMessage:
    """The model's reply once the result of its last call comes back."""
    call = conversation[-1].tool_calls[0]
    return model.invoke([*conversation, ToolMessage(json.dumps(result), tool_call_id=call["id"], name=call["name"])])


@pytest.mark.parametrize("ask", [
    "I've moved into the Lyon flat for good, so can you make the Cours Lafayette address my main one instead?",
    "please make my Lyon address the default one",
])
def test_a_saved_address_named_by_its_words_is_listed_then_written(registry, ask):
    model = specialist(registry, "customer")
    conversation = [HumanMessage(ask)]
    listing = model.invoke(conversation)
    assert [c["name"] for c in listing.tool_calls] in (["list_customer_addresses"], ["get_customer_details"])
    [write] = after(model, [*conversation, listing], ADDRESSES).tool_calls
    assert write["name"] == "update_default_address"
    assert {k: write["args"][k] for k in ("address1", "city", "zip", "country")} == {
        "address1": "63 Cours Lafayette", "city": "Lyon", "zip": "69003", "country": "FR"}


def test_words_naming_no_saved_address_leave_the_question(registry):
    model = specialist(registry, "customer")
    conversation = [HumanMessage("please make my Berlin address the default one")]
    listing = model.invoke(conversation)
    reply = after(model, [*conversation, listing], ADDRESSES)
    assert not reply.tool_calls and "address" in reply.content and reply.content.endswith("?")


def test_the_order_specialist_may_read_the_saved_addresses_to_reship_an_order(registry):
    # The address book is lent to every specialist to read with; the order's own address is the one replaced.
    model = specialist(registry, "order")
    order = {"order_id": "#W6029556", "status": "pending", "items": [{"item_id": "1", "name": "Backpack"}],
             "shipping_address": {"address1": "39 Gran Via", "city": "Madrid", "country": "ES", "zip": "28013"}}
    conversation = [HumanMessage("can you change order #W6029556 so it goes to my Milan address instead of Madrid?")]
    read = model.invoke(conversation)
    assert [c["name"] for c in read.tool_calls] == ["get_order_details"]
    conversation += [read]
    listing = after(model, conversation, order)
    assert [c["name"] for c in listing.tool_calls] == ["list_customer_addresses"]
    conversation += [ToolMessage(json.dumps(order), tool_call_id=read.tool_calls[0]["id"]), listing]
    milan = {"addresses": [*ADDRESSES["addresses"], {"id": 3, "address1": "175 Via Brera", "address2": "Floor 1",
                                                     "city": "Milan", "state": "MI", "country": "IT", "zip": "20121",
                                                     "is_default": False}]}
    [write] = after(model, conversation, milan).tool_calls
    assert (write["name"], write["args"]["city"], write["args"]["zip"]) == ("modify_pending_order_address", "Milan",
                                                                           "20121")


def test_it_in_a_request_never_takes_the_address_of_the_record_it_points_at(registry):
    # "so it goes to ..." points at the order; its current address is the one to replace, not the new one.
    tool = view(as_langchain_tool(registry.get("modify_pending_order_address")))
    order = {"order_id": "#W6029556", "status": "pending",
             "shipping_address": {"address1": "39 Gran Via", "city": "Madrid", "country": "ES", "zip": "28013"}}
    call = {"name": "get_order_details", "args": {"order_id": "#W6029556"}, "id": "c1", "type": "tool_call"}
    messages = [HumanMessage("change order #W6029556"), AIMessage("", tool_calls=[call]),
                ToolMessage(json.dumps(order), tool_call_id="c1")]
    found = extract(tool, "can you change it so it goes to my other address", remember(messages), date(2026, 12, 5))
    assert found.args.get("order_id") == "#W6029556"
    assert not {"address1", "city", "zip", "country"} & found.args.keys()
