"""Tool choice by similarity: specialists' tools, the router's hand-offs, requests out of scope."""

from typing import Literal

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import StructuredTool
from pydantic import Field

from graph.models.local import LocalChatModel
from graph.models.local.reply import action
from graph.models.local.similarity import correct_typos
from tests.graph.models.fakes import NoArgs, OrderRef, make_tool, shop_tools

PHRASINGS = [
    ("where's my package for order #W2378156", "get_order_details"),
    ("hey can u tell me whats going on with W2611340", "get_order_details"),
    ("has order #W4817420 arrived?", "get_order_details"),
    ("plz cancle my ordr #W2611340 i ordered by mistake", "cancel_pending_order"),
    ("I don't want order #W2611340 anymore, please cancel it", "cancel_pending_order"),
    ("do you have red t-shirts", "search_products"),
    ("search the catalogue for leather wallets", "search_products"),
    ("im looking for a mechanical keybord", "search_products"),
    ("lookup the customer with email ava@example.com", "find_customer_by_email"),
    ("who has the email noah.brown7922@example.com", "find_customer_by_email"),
    ("please send order #W2611340 to 5 Rue Oberkampf, 75011 Paris, France", "modify_pending_order_address"),
    (
        "I moved! new delivery address for W4817420: 10 Main Street, Denver CO 80202, USA",
        "modify_pending_order_address",
    ),
    (
        "exchange item 1151293680 for 7706410293 in order #W2378156 with gift_card_7245904",
        "exchange_delivered_order_items",
    ),
    ("can I swap the shoes I received for a bigger size", "exchange_delivered_order_items"),
    ("put 3 units of KB-CLICKY-01 aside", "reserve_stock"),
    ("hold 2 of KB-RED-01 for me", "reserve_stock"),
    ("show me all my orders", "list_orders"),
    ("which of my orders are still pending", "list_orders"),
    ("log that noah_brown_6181 phoned to complain about a late delivery", "log_customer_interaction"),
    ("note: customer emailed asking about the warranty", "log_customer_interaction"),
]
ROUTES = [
    ("where is my order #W2378156?", "order"),
    ("i want to cancel W2611340", "order"),
    ("do you sell blue t-shirts in size M", "product"),
    ("how much does the T-Shirt cost", "product"),
    ("what's my loyalty status", "customer"),
    ("please change my phone number", "customer"),
    ("is KB-CLICKY-01 in stock", "inventory"),
    ("what items are running low", "inventory"),
    ("how much does shipping to Spain cost for a 2 kg parcel", "transport"),
    ("what's the balance on my gift card", "payment"),
    ("how much room is left in the Lyon warehouse", "warehouse"),
    ("are all agents healthy", "monitoring"),
    ("I need the invoice for order #W2611340", "documents"),
    ("block the email fraudster@example.com", "fraud"),
    ("any unusual spikes in refunds lately", "risk"),
    ("what's your refund policy", "knowledge"),
    ("my headphones broke, I want to file a warranty claim", "after_sales"),
    ("sales report for last month", "backoffice"),
    ("schedule a quality inspection for SKU KB-CLICKY-01", "quality"),
    ("sync our stock to Amazon", "marketplace"),
]
OUT_OF_SCOPE = [
    "what's the weather in Paris tomorrow",
    "tell me a joke",
    "who won the world cup",
    "write a poem about cats",
    "book me a flight to London",
    "can you recommend a good movie",
]


@pytest.mark.parametrize(("text", "tool"), PHRASINGS)
def test_request_reaches_the_right_tool(shop, tools, text, tool):
    reply = shop.invoke([HumanMessage(text)])
    if reply.tool_calls:
        assert [c["name"] for c in reply.tool_calls] == [tool]
    else:  # details are missing: the question must be the chosen tool's
        description = next(t.description for t in tools if t.name == tool)
        assert reply.content.startswith(f"To {action(description)}, I need") and reply.content.endswith("?")


@pytest.mark.parametrize(("text", "agent"), ROUTES)
def test_router_hands_the_request_to_the_right_agent(router, text, agent):
    reply = router.invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls][:1] == [f"transfer_to_{agent}"]
    assert all(c["args"] == {} for c in reply.tool_calls)


def test_router_hands_a_two_part_request_to_two_agents_in_order(router):
    reply = router.invoke([HumanMessage("cancel my order #W2611340 and find me a blue t-shirt")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order", "transfer_to_product"]


def test_router_keeps_a_one_job_request_with_and_for_one_agent(router):
    reply = router.invoke([HumanMessage("which items are in my order #W2611340 and when was it placed")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order"]


@pytest.mark.parametrize("text", OUT_OF_SCOPE)
def test_out_of_scope_requests_get_a_polite_refusal_without_tool_call(shop, router, text):
    for model in (shop, router):
        reply = model.invoke([HumanMessage(text)])
        assert reply.tool_calls == []
        assert reply.content.startswith("I'm sorry")


def test_small_talk_gets_a_polite_answer(shop):
    assert shop.invoke([HumanMessage("hello!")]).content == "Hello! How can I help you today?"
    assert "welcome" in shop.invoke([HumanMessage("thanks a lot")]).content


def test_without_tools_the_model_answers_politely(model):
    reply = model.invoke([HumanMessage("cancel my order #W2611340")])
    assert reply.tool_calls == [] and reply.content.startswith("I'm sorry")


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("cancel my order #W2611340, I ordered by mistake", "cancel_pending_order"),
        ("search for leather wallets", "search_products"),
        ("find the customer with email ava@example.com", "find_customer_by_email"),
        ("reserve 2 units of KB-CLICKY-01", "reserve_stock"),
    ],
)
def test_lexical_fallback_without_embeddings(text, tool):
    model = LocalChatModel(use_embeddings=False).bind_tools(shop_tools())
    assert [c["name"] for c in model.invoke([HumanMessage(text)]).tool_calls] == [tool]


def test_lexical_fallback_refuses_unrelated_requests():
    model = LocalChatModel(use_embeddings=False).bind_tools(shop_tools())
    reply = model.invoke([HumanMessage("book me a flight to London")])
    assert reply.tool_calls == [] and reply.content.startswith("I'm sorry")


def test_handoff_tools_may_list_their_agents_tool_names(model):
    def handoff(name, description, examples, tools=()):
        meta = {"agent": name, "examples": examples, "tools": list(tools)}
        return StructuredTool.from_function(
            func=lambda: "ok", name=f"transfer_to_{name}", description=description, args_schema=NoArgs, metadata=meta
        )

    accounts = handoff("customer", "Customer accounts.", ["what payment methods do I have saved", "show my profile"])
    money = handoff("payment", "Money.", ["add a new card"], tools=["list_payment_methods", "refund_payment"])
    reply = model.bind_tools([accounts, money]).invoke([HumanMessage("list my saved payment methods")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_payment"]


def handoff_with_others(name, description, examples, others=(), tools=None):
    """A hand-off tool; `tools` lists the specialist's tools the caller may use (none: it cannot act for them)."""
    meta = {"agent": name, "examples": examples, "others_examples": list(others)}
    if tools is not None:
        meta["tools"] = list(tools)
    return StructuredTool.from_function(
        func=lambda: "ok", name=f"transfer_to_{name}", description=description, args_schema=NoArgs, metadata=meta
    )


def test_a_request_only_other_roles_may_make_reaches_its_agent(model):
    stock = handoff_with_others("warehouse", "Warehouses.", ["which warehouses are there"],
                                others=["move 5 keyboards from the Berlin warehouse to Lyon"])
    products = handoff_with_others("product", "The catalogue.", ["do you sell keyboards", "show me 5 keyboards"])
    router = model.bind_tools([stock, products])
    reply = router.invoke([HumanMessage("please move 5 keyboards over to Lyon")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_warehouse"]


def test_the_callers_own_requests_come_before_other_roles_requests(model):
    staff_side = handoff_with_others("customer", "Accounts.", ["show my profile"],
                                     others=["list the saved payment methods of a customer"])
    own_side = handoff_with_others("payment", "Money.", ["list the saved payment methods"])
    reply = model.bind_tools([staff_side, own_side]).invoke([HumanMessage("list my saved payment methods")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_payment"]


def test_a_question_prefers_reading_to_writing(model):
    class StatusIn(OrderRef):
        status: Literal["processed", "delivered", "on_hold"] = Field(description="New status.")

    tools = [
        make_tool(
            "get_order_details",
            "Get an order: status, items, parcels with tracking, payment history.",
            OrderRef,
            ["where is my order #W2378156?", "show order W2611340", "what's the status of order #W4817420"],
        ),
        make_tool(
            "update_order_status",
            "Move an order to another status (processed, delivered, on hold).",
            StatusIn,
            ["mark order #W2611340 as processed", "order #W4817420 was delivered", "put order #W2378156 on hold"],
            confirm=True,
        ),
    ]
    reply = model.bind_tools(tools).invoke([HumanMessage("has order #W4817420 shipped yet?")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("get_order_details", {"order_id": "#W4817420"})]


def test_close_tools_are_told_apart_by_the_values_they_can_take(shop):
    reply = shop.invoke([HumanMessage("show me my orders")])
    assert [c["name"] for c in reply.tool_calls] == ["list_orders"]


def test_a_request_naming_a_record_that_nothing_fits_reads_it(shop):
    reply = shop.invoke([HumanMessage("when will my oder W5794363 arive")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("get_order_details", {"order_id": "#W5794363"})]


@pytest.mark.parametrize(("text", "query"), [("got any coffee mugs?", "coffee mugs"),
                                             ("anything from Hearth?", "Hearth")])
def test_a_loose_catalogue_request_that_nothing_fits_is_searched(shop, text, query):
    reply = shop.invoke([HumanMessage(text)])
    assert [(c["name"], c["args"].get("query")) for c in reply.tool_calls] == [("search_products", query)]


def test_a_question_to_a_specialist_that_both_searches_and_answers_is_answered():
    from db.enums import Role
    from graph.tools import as_langchain_tool
    from tools.registry import load_all

    tools = [as_langchain_tool(s) for s in load_all().for_agent("knowledge", Role.CUSTOMER)]
    question = HumanMessage("how long does a refund take to show up on my card?")
    reply = LocalChatModel().bind_tools(tools).invoke([question])
    assert [c["name"] for c in reply.tool_calls] == ["answer_question"]


@pytest.mark.parametrize(("text", "read"), [
    # Regular forms of English words, and English words after a prefix, are no typos of the tools' words.
    ("the mugs arrived chipped", "the mugs arrived chipped"),
    ("is there a mouse for left handers", "is there a mouse for left handers"),
    ("disconnect the sandbox channel", "disconnect the sandbox channel"),
    ("can I recharge the headlamp", "can i recharge the headlamp"),
    ("I don't want it", "i don't want it"),
    # Misspellings still are, a doubled consonant left out too.
    ("plz cancle my ordr", "plz cancel my order"),
    ("my parcel was shiped", "my parcel was shipped"),
])
def test_english_words_are_never_corrected_to_a_tools_word(text, read):
    vocabulary = sorted(["shipped", "handled", "connect", "charges", "cancel", "order", "channel", "sandbox",
                         "doesn't"])
    assert correct_typos(text, vocabulary) == read


@pytest.mark.parametrize(("ask", "agent"), [
    # The asker's own order: the specialist who can read it, however much the words sound like the staff's work.
    ("why is my order held up?", "order"),
    ("my order is held up, why?", "order"),
    # How to do a thing, or nobody's record: the staff's specialist, which says whose work it is.
    ("how do I get a held order released?", "fraud"),
    ("give me the held orders", "fraud"),
])
def test_a_question_about_the_askers_own_record_goes_to_who_can_read_it(model, ask, agent):
    fraud = handoff_with_others("fraud", "Fraud: orders held up for review, released or cancelled by staff.",
                                ["why is this order held up", "release the held order", "which orders are held up"],
                                tools=())
    orders = handoff_with_others("order", "Orders: status, items, cancellations and changes of your orders.",
                                 ["where is my order", "what is the status of my order", "cancel my order"])
    reply = model.bind_tools([fraud, orders]).invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls][:1] == [f"transfer_to_{agent}"]
