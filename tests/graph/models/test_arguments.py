"""Argument filling from the request and from earlier turns, and clarifying questions."""

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage


def call(model, *messages):
    """The single tool call the model makes for the conversation (fails on a question)."""
    reply = model.invoke(list(messages))
    assert len(reply.tool_calls) == 1, reply.content
    return reply.tool_calls[0]["name"], reply.tool_calls[0]["args"]


@pytest.mark.parametrize("text", ["where is #W2378156", "status of order W2378156 please", "order 2378156?"])
def test_order_ids_in_every_spelling_become_the_canonical_number(shop, text):
    assert call(shop, HumanMessage(text)) == ("get_order_details", {"order_id": "#W2378156"})


def test_email(shop):
    assert call(shop, HumanMessage("my email is Noah.Brown7922@example.com, find my account")) == (
        "find_customer_by_email",
        {"email": "Noah.Brown7922@example.com"},
    )


def test_item_id_lists_keep_the_order_of_mention_and_pair_old_with_new(shop):
    name, args = call(
        shop,
        HumanMessage(
            "in order #W2378156 exchange 1151293680 for 7706410293 and 4983901480 to 7747408585, "
            "pay with credit_card_9513926"
        ),
    )
    assert name == "exchange_delivered_order_items"
    assert args == {
        "order_id": "#W2378156",
        "item_ids": ["1151293680", "4983901480"],
        "new_item_ids": ["7706410293", "7747408585"],
        "payment_method_id": "credit_card_9513926",
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("cancel #W2611340, I no longer need it", "no longer needed"),
        ("cancel order W2611340 please, I bought it by accident", "ordered by mistake"),
        ("please cancel #W2611340 because it was ordered by mistake", "ordered by mistake"),
    ],
)
def test_literal_values_match_the_value_or_a_synonym(shop, text, reason):
    assert call(shop, HumanMessage(text)) == ("cancel_pending_order", {"order_id": "#W2611340", "reason": reason})


def test_enum_and_flag_words_stay_in_a_summary(shop):
    name, args = call(shop, HumanMessage("log that noah_brown_6181 phoned to complain about a late delivery"))
    assert name == "log_customer_interaction"
    assert args == {
        "customer_id": "noah_brown_6181",
        "channel": "phone",
        "kind": "complaint",
        "summary": "phoned to complain about a late delivery",
    }


def test_integer_near_its_keyword(shop):
    assert call(shop, HumanMessage("reserve 3 units of KB-CLICKY-01")) == (
        "reserve_stock",
        {"item_ref": "KB-CLICKY-01", "quantity": 3},
    )
    assert call(shop, HumanMessage("hold two of item 1008292230")) == (
        "reserve_stock",
        {"item_ref": "1008292230", "quantity": 2},
    )


def test_integer_out_of_bounds_is_asked_again_with_the_range(shop):
    reply = shop.invoke([HumanMessage("reserve 500 units of KB-CLICKY-01")])
    assert reply.tool_calls == []
    assert "between 1 and 100" in reply.content and reply.content.endswith("?")


def test_optional_limit_and_dates_and_status(shop):
    name, args = call(shop, HumanMessage("show the last 5 orders that were cancelled in February"))
    assert name == "list_orders"
    assert args == {"status": "cancelled", "placed_from": "2026-02-01", "placed_to": "2026-02-28", "limit": 5}


def test_relative_period(shop):
    _, args = call(shop, HumanMessage("which orders were delivered in the last 7 days"))
    assert args == {"status": "delivered", "placed_from": "2026-03-11", "placed_to": "2026-03-18"}


def test_search_query_is_the_request_without_filler(shop):
    assert call(shop, HumanMessage("search the catalogue for leather wallets")) == (
        "search_products",
        {"query": "leather wallets"},
    )


def test_address_from_comma_separated_text(shop):
    name, args = call(
        shop, HumanMessage("ship order #W2611340 to 445 Maple Drive, Suite 394, Fort Worth, TX 76165, USA instead")
    )
    assert name == "modify_pending_order_address"
    assert args == {
        "order_id": "#W2611340",
        "address1": "445 Maple Drive",
        "address2": "Suite 394",
        "city": "Fort Worth",
        "state": "TX",
        "zip": "76165",
        "country": "USA",
    }


def test_missing_required_value_gets_a_clarifying_question(shop):
    reply = shop.invoke([HumanMessage("cancel my order")])
    assert reply.tool_calls == []
    assert reply.content == (
        "To cancel a pending order, I need the order number (for example #W2611340) and the "
        "reason (no longer needed or ordered by mistake). Could you give me these details?"
    )


def test_the_answer_to_a_question_completes_the_request(shop):
    first = [HumanMessage("I want to cancel an order")]
    question = shop.invoke(first)
    assert question.content.endswith("?")
    name, args = call(shop, *first, question, HumanMessage("#W2611340, I ordered it by mistake"))
    assert (name, args) == ("cancel_pending_order", {"order_id": "#W2611340", "reason": "ordered by mistake"})


def test_facts_from_an_earlier_turn_fill_a_later_call(shop):
    lookup = AIMessage("", tool_calls=[{"name": "get_order_details", "args": {"order_id": "#W2611340"}, "id": "c1"}])
    result = ToolMessage(json.dumps({"order_id": "#W2611340", "status": "pending", "total": 12.5}), tool_call_id="c1")
    history = [HumanMessage("where is my order #W2611340?"), lookup, result, AIMessage("Order #W2611340 is pending.")]
    assert call(shop, *history, HumanMessage("please cancel it, I no longer need it")) == (
        "cancel_pending_order",
        {"order_id": "#W2611340", "reason": "no longer needed"},
    )


def test_ids_returned_by_a_tool_fill_a_later_call(shop):
    lookup = AIMessage(
        "", tool_calls=[{"name": "find_customer_by_email", "args": {"email": "ava@example.com"}, "id": "c1"}]
    )
    result = ToolMessage(json.dumps({"customer_id": "ava_martin_1234"}), tool_call_id="c1")
    history = [HumanMessage("my email is ava@example.com"), lookup, result, AIMessage("I found your account.")]
    name, args = call(shop, *history, HumanMessage("log that she called with a question about sizes"))
    assert name == "log_customer_interaction"
    assert args["customer_id"] == "ava_martin_1234" and args["channel"] == "phone" and args["kind"] == "question"


def test_the_current_request_wins_over_memory(shop):
    history = [HumanMessage("where is my order #W1111111?"), AIMessage("It is pending.")]
    assert call(shop, *history, HumanMessage("and order #W2222222?")) == (
        "get_order_details",
        {"order_id": "#W2222222"},
    )


def test_an_address_given_without_its_country_is_asked_for_its_country_alone(shop):
    # A town too small for the world's list of cities: its country is not known by its name.
    first = [HumanMessage("change the shipping address of order #W2611340")]
    question = shop.invoke(first)
    again = shop.invoke([*first, question, HumanMessage("3 Grand Rue, 05350 Saint-Véran")])
    assert again.tool_calls == []
    assert again.content.endswith("I need the country. What is it?")
    # A "yes, send it there" is no country: "it" is a word, only "IT" is Italy's code.
    later = shop.invoke([*first, question, HumanMessage("3 Grand Rue, 05350 Saint-Véran"), again,
                         HumanMessage("yes, send it there")])
    assert later.tool_calls == []
    assert later.content.endswith("I need the country. What is it?")
    name, args = call(shop, *first, question, HumanMessage("3 Grand Rue, 05350 Saint-Véran"), again,
                      HumanMessage("France"))
    assert (name, args["country"], args["city"]) == ("modify_pending_order_address", "France", "Saint-Véran")
