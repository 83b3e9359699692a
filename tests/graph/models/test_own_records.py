"""A person's own record named without its number: the model lists their records of that kind and goes on with the
one their words, or the write's allowed states, single out; otherwise it asks which, naming them."""

import json
from datetime import date

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from db.enums import Role
from graph.confirm import ANSWERED_OTHERWISE
from graph.models.local.extract import Extraction
from graph.models.local.memory import Memory
from graph.models.local.questions import clarify
from graph.models.local.reading import WANTS
from graph.models.local.records import describe, single_out
from graph.models.local.schema import FieldSpec
from graph.models.local.toolview import view
from graph.tools import as_langchain_tool
from tests.graph.models.test_dialogue import specialist
from tools.registry import load_all

ORDER = FieldSpec("order_id", required=True, description="Order number.")
ORDERS = [
    {"order_id": "#W1000001", "status": "delivered", "item_names": ["Trail Tent 2P", "Merino Socks"]},
    {"order_id": "#W2000002", "status": "pending", "item_names": ["Soy Candle"]},
    {"order_id": "#W3000003", "status": "delivered", "item_names": ["Halo Desk Lamp"]},
]


@pytest.fixture(scope="module")
def registry():
    return load_all()


def reply_after(model, conversation: list, result: dict) -> tuple[list, AIMessage]:
    """The model's reply once its last call's result comes back."""
    call = conversation[-1].tool_calls[0]
    conversation = [*conversation, ToolMessage(json.dumps(result), tool_call_id=call["id"], name=call["name"])]
    return conversation, model.invoke(conversation)


@pytest.mark.parametrize(
    ("words", "allowed", "expected"),
    [
        ("has my tent been sent yet", None, "#W1000001"),  # a word of the record's names
        ("the candle I ordered", None, "#W2000002"),
        ("I want to return my lamp", ("delivered",), "#W3000003"),
        ("cancel my order", ("pending",), "#W2000002"),  # the one state the write may start from
        ("return my order", ("delivered",), None),  # two delivered: the person says which
        ("where is my order", None, None),  # nothing tells them apart
        ("are my socks on the way", None, "#W1000001"),  # "socks" names the Merino Socks
    ],
)
def test_single_out_picks_the_record_the_words_or_the_states_leave(words, allowed, expected):
    known = {"return", "order", "cancel"}
    assert single_out(ORDERS, ORDER, words, known, allowed, "status") == expected


@pytest.mark.parametrize(("words", "expected"), [
    ("the DAC I bought last week", "#W2000002"),
    ("the DAC I ordered this week", "#W1000001"),
    ("the DAC", None),  # control: no time named
])
def test_a_record_is_told_apart_by_the_week_or_month_named_from_today(words, expected):
    # Today is Saturday 5 December 2026: last week ran from 23 to 29 November, this week from 30 November.
    rows = [{"order_id": "#W1000001", "item_names": ["Bitstream DAC Amp"], "placed_at": "2026-12-02T09:10:38Z"},
            {"order_id": "#W2000002", "item_names": ["Bitstream DAC Amp"], "placed_at": "2026-11-26T21:16:48Z"}]
    assert single_out(rows, ORDER, words, set(), today=date(2026, 12, 5)) == expected


def test_words_the_tools_use_pick_nothing():
    # "return" would match a status "return_requested"; the tools' own words are no name of a record.
    rows = [{"order_id": "#W1000001", "status": "return_requested"}, {"order_id": "#W2000002", "status": "pending"}]
    assert single_out(rows, ORDER, "I want to return my order", {"return", "order"}) is None


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # A word the tools use too ("keyboard" is in an example) still names what one record holds.
        ("which company is bringing my desk lamp?", "#W3000003"),
        # But not a status: a return asked for names no record by its state.
        ("where is my return", None),
    ],
)
def test_a_word_the_tools_use_names_what_one_record_holds(words, expected):
    rows = [{**row, "status": "return_requested" if row["status"] == "pending" else row["status"]} for row in ORDERS]
    assert single_out(rows, ORDER, words, {"desk", "lamp", "return", "order"}) == expected


def test_an_id_of_the_same_kind_under_another_name_fills_the_field():
    exchange = FieldSpec("exchange_ref", required=True, description="Exchange id, or the order number.",
                         examples=("#W9512291",))
    assert single_out([{"rma_number": "RMA-1", "order_id": "#W9512291"}], exchange, "my exchange", set()) == "#W9512291"


def test_a_record_is_described_by_its_short_words_and_names():
    assert describe(ORDERS[0] | {"customer_id": "ava_martin_7243", "total": "12.00"}) == (
        "delivered: Trail Tent 2P, Merino Socks")


def test_a_read_about_my_return_lists_my_returns_then_reads_the_one(registry):
    model = specialist(registry, "after_sales")
    conversation = [HumanMessage("how much will I get back for my return?")]
    listing = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("list_customer_returns", {"customer_id": "me"})]
    returns = {"returns": [{"rma_number": "RMA-20261116-01A2CDB1", "order_id": "#W8646154", "status": "requested"}]}
    _, read = reply_after(model, [*conversation, listing], returns)
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_rma", {"rma_number": "RMA-20261116-01A2CDB1"})]


@pytest.mark.parametrize("ask", [
    "my flatmate wants the keyboard after all. can I cancel that return?",
    # A condition still asks about the rule, not for a return of mine (a control).
    "can I cancel a return after it has been shipped?",
])
def test_after_all_is_no_condition_so_the_return_meant_is_looked_up(registry, ask):
    listing = specialist(registry, "after_sales").invoke([HumanMessage(ask)])
    looked_up = [(c["name"], c["args"]) for c in listing.tool_calls] == [
        ("list_customer_returns", {"customer_id": "me"})]
    assert looked_up == ("after all" in ask)


def test_a_record_of_the_fields_own_kind_is_listed_before_records_holding_some_of_them(registry):
    # "can I still return the tent?" is about one of my orders, not one of the returns I already made.
    model = specialist(registry, "after_sales")
    conversation = [HumanMessage("I bought a tent from you in the summer. Could I still return it for a refund?")]
    listing = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("list_orders", {"customer_id": "me"})]
    _, read = reply_after(model, [*conversation, listing], {"orders": ORDERS, "total": 3})
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_return_eligibility", {"order_id": "#W1000001"})]
    # An exchange is found among the returns, which hold it.
    exchange = model.invoke([HumanMessage("what's happening with my exchange?")])
    assert [c["name"] for c in exchange.tool_calls] == ["list_customer_returns"]


ELIGIBLE = {"order_id": "#W1000001", "status": "delivered", "return_state": "returnable", "warranty_state": "covered",
            "items": [{"item_id": "1000000001", "name": "Trail Tent 2P", "returnable": 1, "delivered": 1}]}


@pytest.mark.parametrize(("ask", "wished"), [
    # A wish for the write goes on to it once its precondition's read allows it.
    ("I'd like to return a tent", True),
    ("the tent I got a couple of weeks ago leaks at the seams. I'd like to send it back", True),
    # Asking whether one may is answered by the read.
    ("can I still return the tent?", False),
])
def test_a_wish_for_a_write_goes_on_to_it_after_the_read_its_precondition_makes(registry, ask, wished):
    model = specialist(registry, "after_sales")
    conversation = [HumanMessage(ask)]
    listing = model.invoke(conversation)
    conversation, read = reply_after(model, [*conversation, listing], {"orders": ORDERS, "total": 3})
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_return_eligibility", {"order_id": "#W1000001"})]
    _, after = reply_after(model, [*conversation, read], ELIGIBLE)
    if wished:
        assert "request a return" in after.text or [c["name"] for c in after.tool_calls] == ["request_return"]
    else:
        assert not after.tool_calls and "You can still return Trail Tent 2P" in after.text


def test_a_wish_naming_no_write_of_its_own_goes_on_with_the_read(registry):
    # "rate" names none of the writes an order's read gates: the order is read, no return is proposed.
    model = specialist(registry, "order")
    conversation = [HumanMessage("I'd like to rate an order"), AIMessage("Which order is it?"),
                    HumanMessage("W1000001")]
    read = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W1000001"})]
    _, after = reply_after(model, [*conversation, read], {**ORDERS[0], "status_label": "delivered",
                                                          "items": [{"item_id": "1", "name": "Trail Tent 2P"}]})
    assert not after.tool_calls and "return" not in after.text


def test_wanting_to_make_sure_of_something_wishes_for_no_write():
    assert WANTS.match("I want to make sure the money actually went back to my paypal") is None
    assert WANTS.match("I want to return it") is not None


def test_a_listing_that_needs_no_customer_named_lists_mine(registry):
    # The claims listing takes a customer only for staff: a customer's "my warranty claim" lists their own.
    reply = specialist(registry, "after_sales").invoke([HumanMessage(
        "what happened with my warranty claim for the daypack zipper?")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("list_warranty_claims", {})]


@pytest.mark.parametrize(
    ("ask", "expected"),
    [
        # The write's precondition reads the order first, so its state is known before anything is asked.
        ("I'd like to return the tent I bought", "#W1000001"),
        # No "my", yet "the order with the candle" is one of the speaker's orders, not a question about how things go.
        ("why is the order with the soy candle held up?", "#W2000002"),
    ],
)
def test_the_record_the_words_single_out_is_read_from_my_list(registry, ask, expected):
    model = specialist(registry, "order")
    conversation = [HumanMessage(ask)]
    listing = model.invoke(conversation)
    assert listing.tool_calls[0]["name"] == "list_orders"
    _, read = reply_after(model, [*conversation, listing], {"orders": ORDERS, "total": 3})
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": expected})]


def test_asking_how_to_do_a_write_goes_on_with_the_record_listed_for_it(registry):
    # Two orders hold the keyboard; only the delivered one can be returned. Asked how to send it back, the return goes
    # on with that order (reading it first) instead of leaving the listing as the answer.
    orders = [{"order_id": "#W1000001", "status": "pending", "item_names": ["Lowline Wireless Keyboard (QWERTY)"]},
              {"order_id": "#W2000002", "status": "delivered", "item_names": ["Lowline Wireless Keyboard (QWERTZ)"]},
              {"order_id": "#W3000003", "status": "delivered", "item_names": ["Halo Desk Lamp"]}]
    model = specialist(registry, "order")
    conversation = [HumanMessage("we got 2 of the silver Lowline keyboards delivered, one was for my brother but he "
                                 "bought a different one, so we don't need it anymore. how do I send the extra one "
                                 "back?")]
    listing = model.invoke(conversation)
    assert listing.tool_calls[0]["name"] == "list_orders"
    _, read = reply_after(model, [*conversation, listing], {"orders": orders, "total": 3})
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W2000002"})]


def test_a_question_after_a_statement_reads_the_record_it_singles_out(registry):
    # "my navy t-shirt hasn't come yet" reads like an exchange of a t-shirt; the question put after it asks to read.
    model = specialist(registry, "order")
    conversation = [HumanMessage("my navy t-shirt hasn't come yet, where is it right now?")]
    listing = model.invoke(conversation)
    orders = [{**ORDERS[0], "item_names": ["Shopcrew Logo T-Shirt"]}, *ORDERS[1:]]
    conversation, read = reply_after(model, [*conversation, listing], {"orders": orders, "total": 3})
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W1000001"})]
    details = {"order_id": "#W1000001", "status": "processed", "status_label": "processed", "items": []}
    _, answer = reply_after(model, [*conversation, read], details)
    assert answer.text.startswith("Order #W1000001 is processed"), answer.text


def test_several_candidates_are_named_in_the_question(registry):
    model = specialist(registry, "order")
    conversation = [HumanMessage("where is my order?")]
    listing = model.invoke(conversation)
    _, question = reply_after(model, [*conversation, listing], {"orders": ORDERS, "total": 3})
    assert not question.tool_calls and question.text.endswith("?")
    assert "yours: #W1000001 (delivered: Trail Tent 2P, Merino Socks), #W2000002 (pending: Soy Candle)" in question.text


def test_records_listed_before_another_listing_are_still_named_in_the_question():
    # The person's orders, then their saved payment methods (for the refund): the question for the order names the
    # orders, not a made-up example.
    memory = Memory()
    memory.add_result({"orders": ORDERS, "total": 3})
    memory.add_result({"payment_methods": [{"id": "paypal_1", "kind": "paypal"}]})
    tool = view(as_langchain_tool(load_all().get("return_delivered_order_items")))
    question = clarify(tool, Extraction(args={}, missing=[f for f in tool.fields if f.name == "order_id"]), memory)
    assert "yours: #W1000001 (delivered: Trail Tent 2P, Merino Socks)" in question


def test_no_records_of_mine_leaves_the_listing_to_answer(registry):
    model = specialist(registry, "after_sales")
    conversation = [HumanMessage("what's the status of my return")]
    listing = model.invoke(conversation)
    _, answer = reply_after(model, [*conversation, listing], {"returns": []})
    assert not answer.tool_calls and answer.text


@pytest.mark.parametrize("ask", ["can i still cancel an order once it's been processed?",
                                 "what's the status of order #W1000001"])
def test_a_question_about_a_rule_or_a_request_with_a_number_lists_nothing(registry, ask):
    calls = specialist(registry, "order").invoke([HumanMessage(ask)]).tool_calls
    assert "list_orders" not in [c["name"] for c in calls]


@pytest.mark.parametrize("ask", ["cancel order for the customer",
                                 "cancel the order of the customer, she ordered by mistake"])
def test_staff_speaking_of_no_one_of_their_own_are_asked_as_before(registry, ask):
    model = specialist(registry, "order", Role.SUPPORT)
    reply = model.invoke([HumanMessage(ask)])
    assert not reply.tool_calls and reply.text.endswith("?")


def test_staff_speaking_of_a_customer_by_name_list_that_customers_orders(registry):
    model = specialist(registry, "order", Role.SUPPORT)
    conversation = [HumanMessage("Luca Jansen phoned about his order with the fig candle, he ordered it by mistake. "
                                 "please cancel it")]
    listing = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("list_orders", {"customer_id": "Luca Jansen"})]
    orders = {"orders": [{"order_id": "#W2791250", "status": "pending", "item_names": ["Soy Candle (fig, large)"]},
                         {"order_id": "#W4144089", "status": "pending", "item_names": ["Merino Socks"]}]}
    _, read = reply_after(model, [*conversation, listing], orders)  # the order's state, before the cancellation
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W2791250"})]


def test_a_customer_naming_themselves_still_lists_their_own(registry):
    reply = specialist(registry, "order").invoke([HumanMessage(
        "I am Ava Martin and my husband says he never got the candle from my order, where is it?")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("list_orders", {"customer_id": "me"})]


def test_a_reply_naming_the_pending_actions_record_asks_again(registry):
    model = specialist(registry, "order")
    request = HumanMessage("cancel order #W2000002, I ordered it by mistake")
    read = model.invoke([request])
    conversation, write = reply_after(model, [request, read], {"order_id": "#W2000002", "status": "pending"})
    assert write.tool_calls[0]["name"] == "cancel_pending_order"
    otherwise = ToolMessage(f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}",
                            tool_call_id=write.tool_calls[0]["id"])
    again = model.invoke([*conversation, write, otherwise, AIMessage("Understood."), HumanMessage("it's #W2000002")])
    assert [(c["name"], c["args"]) for c in again.tool_calls] == [(c["name"], c["args"]) for c in write.tool_calls]


def test_a_request_put_as_a_question_lists_the_records(registry):
    calls = specialist(registry, "order").invoke([HumanMessage("I moved, can you change where my order ships to?")])
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [("list_orders", {"customer_id": "me"})]


def test_a_write_never_picks_among_only_some_of_my_records(registry):
    # The after-sales specialist's own listing, the returns, names only the orders that have one: a survey of "my
    # last order" lists every order of theirs with the order specialist's lent listing instead.
    reply = specialist(registry, "after_sales").invoke([HumanMessage("I'd like to rate my last order 5 stars")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("list_orders", {"customer_id": "me"})]


def test_my_order_named_by_what_it_holds_is_found_with_a_lent_listing(registry):
    model = specialist(registry, "after_sales")
    conversation = [HumanMessage("I'd like to rate my order with the camp stove, 4 stars")]
    listing = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("list_orders", {"customer_id": "me"})]
    orders = {"orders": [{"order_id": "#W8538724", "status": "delivered", "item_names": ["Micro Camp Stove"]},
                         {"order_id": "#W2741705", "status": "delivered", "item_names": ["Bitstream DAC Amp"]}]}
    _, survey = reply_after(model, [*conversation, listing], orders)
    assert [(c["name"], c["args"]) for c in survey.tool_calls] == [
        ("submit_survey", {"order_id": "#W8538724", "rating": 4})]


def test_a_read_may_go_through_records_that_mention_it(registry):
    # The specialist's own listing of returns names the exchange's order; the person's orders, lent, come second.
    listing = specialist(registry, "after_sales").invoke([HumanMessage("where is my exchange at?")])
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("list_customer_returns", {"customer_id": "me"})]


def test_speaking_of_oneself_names_no_record_to_read(registry):
    # "I" says whose records, not which: a lent listing of the speaker's payment methods is no reading of this.
    reply = specialist(registry, "product").invoke([HumanMessage(
        "I've changed my mind about the planter, please don't ship it")])
    assert all(c["name"] != "list_payment_methods" for c in reply.tool_calls), reply.tool_calls


def test_a_record_named_by_its_number_is_read_when_nothing_else_fits(registry):
    reply = specialist(registry, "order").invoke([HumanMessage("when will my oder W5794363 arive")])
    assert [(c["name"], c["args"].get("order_id")) for c in reply.tool_calls] == [("get_order_details", "#W5794363")]


ARTICLES = [
    {"id": 31, "slug": "loyalty-points", "title": "Earning and spending loyalty points", "status": "published"},
    {"id": 32, "slug": "loyalty-programme", "title": "Loyalty programme tiers and benefits", "status": "published"},
    {"id": 33, "slug": "privacy-policy", "title": "How we handle your personal data", "status": "published"},
    {"id": 34, "slug": "returns-policy", "title": "Returns and refunds policy", "status": "published"},
]
ALERTS = [
    {"id": 1, "title": "Carrier tracking updates arrive late", "severity": "warning", "status": "open"},
    {"id": 2, "title": "Knowledge index rebuilt overnight", "severity": "info", "status": "open"},
]


@pytest.mark.parametrize(
    ("agent", "ask", "listing", "rows", "expected"),
    [
        # Named by title words between "the" and the record's noun: every record of that kind is listed (as many
        # as the listing may show), and the one whose title the words fit best is acted on.
        ("knowledge", "the loyalty points article should only be visible to staff from now on",
         ("list_articles", {"limit": 200}), {"articles": ARTICLES},
         ("update_article", {"slug": "loyalty-points", "audience": "staff"})),
        ("knowledge", "the loyalty programme article should only be visible to staff from now on",
         ("list_articles", {"limit": 200}), {"articles": ARTICLES},
         ("update_article", {"slug": "loyalty-programme", "audience": "staff"})),
        ("monitoring", "acknowledge the late tracking updates alert",
         ("list_system_alerts", {"limit": 200}), {"alerts": ALERTS},
         ("acknowledge_system_alert", {"alert_id": 1})),
    ],
)
def test_a_record_named_by_its_title_is_found_among_those_listed(registry, agent, ask, listing, rows, expected):
    model = specialist(registry, agent, Role.MERCHANT)
    conversation = [HumanMessage(ask)]
    first = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [listing]
    _, acted = reply_after(model, [*conversation, first], rows)
    name, args = expected
    assert acted.tool_calls[0]["name"] == name
    assert args.items() <= acted.tool_calls[0]["args"].items()


RISK_ALERTS = [
    {"id": 2, "metric": "orders", "day": "2026-12-04", "severity": "warning", "status": "open",
     "description": "orders on 2026-12-04: 11.00 orders, above the upper fence of 9.50"},
    {"id": 1, "metric": "orders", "day": "2026-12-01", "severity": "critical", "status": "acknowledged",
     "description": "orders on 2026-12-01: 19.00 orders, above the upper fence of 9.50"},
]


@pytest.mark.parametrize(("ask", "alert"), [
    ("saw the orders alert for the 1st of December. that was our Black Friday newsletter, write it off as a false "
     "alarm", 1),
    ("the orders alert of Dec 4th was our newsletter going out, please write it off as a false alarm", 2),
])
def test_a_record_named_by_the_day_it_is_about_is_found_among_those_listed(registry, ask, alert):
    model = specialist(registry, "risk", Role.MERCHANT)
    conversation = [HumanMessage(ask)]
    first = model.invoke(conversation)
    assert [c["name"] for c in first.tool_calls] == ["list_risk_alerts"]
    _, acted = reply_after(model, [*conversation, first], {"alerts": RISK_ALERTS, "total": 2})
    assert [(c["name"], c["args"]["alert_id"], c["args"]["outcome"]) for c in acted.tool_calls] == [
        ("resolve_risk_alert", alert, "dismissed")]


def test_a_title_no_record_fits_asks_which():
    model = specialist(load_all(), "knowledge", Role.MERCHANT)
    conversation = [HumanMessage("the shipping rates article should only be visible to staff from now on")]
    first = model.invoke(conversation)
    assert [c["name"] for c in first.tool_calls] == ["list_articles"]
    _, question = reply_after(model, [*conversation, first], {"articles": ARTICLES})
    assert not question.tool_calls and question.text.endswith("?")


def test_a_record_named_by_its_title_is_never_raised_anew(registry):
    # "the payment gateway timeouts alert" already exists: it is acknowledged (after listing), not raised again.
    reply = specialist(registry, "monitoring", Role.ADMIN).invoke([HumanMessage(
        "acknowledge the payment gateway timeouts alert")])
    assert [c["name"] for c in reply.tool_calls] == ["list_system_alerts"]


def test_a_phrase_saying_what_a_record_is_names_none_of_them(registry):
    # "the knowledge base article" is what an article is, not a title: no listed article is taken for it, and the
    # slug written beside it is the one acted on.
    model = specialist(registry, "knowledge", Role.MERCHANT)
    conversation = [HumanMessage("update the knowledge base article about delivery")]
    first = model.invoke(conversation)
    assert [c["name"] for c in first.tool_calls] == ["list_articles"]
    _, reply = reply_after(model, [*conversation, first], {"articles": ARTICLES})
    assert not reply.tool_calls and reply.text.endswith("?")
    archive = model.invoke([HumanMessage("archive the knowledge base article old-shipping-rates")])
    assert [(c["name"], c["args"]) for c in archive.tool_calls] == [("archive_article", {"slug": "old-shipping-rates"})]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # Two orders hold the keyboard: the month it was bought in says which.
        ("the clacky keyboard I bought at the end of august has started double typing", "#W1308479"),
        ("the keyboard I got in September", "#W1204763"),
        # No month, or a month neither was placed in: nothing tells them apart.
        ("the clacky keyboard has started double typing", None),
        ("the clacky keyboard I bought in may", None),  # "may" without a capital is no month
    ],
)
def test_the_month_a_record_was_placed_in_tells_tied_records_apart(words, expected):
    rows = [
        {"order_id": "#W1204763", "status": "cancelled", "item_names": ["Clacky 87 Mechanical Keyboard"],
         "placed_at": "2026-09-23T04:04:34Z"},
        {"order_id": "#W1308479", "status": "delivered", "item_names": ["Clacky 87 Mechanical Keyboard", "Flex Chair"],
         "placed_at": "2026-08-26T05:13:51Z"},
    ]
    assert single_out(rows, ORDER, words, {"keyboard", "order"}) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # 2 Dec 2026 was a Wednesday, 3 Dec a Thursday; 7 Nov a Saturday.
        ("the rain jacket I ordered on wednesday is too small", "#W3222459"),
        ("the jacket in the order I placed on Thursday", "#W9909111"),
        # Two orders placed on a Saturday: the latest.
        ("the jacket I ordered on saturday", "#W1052915"),
        # A day none was placed on, or none named: nothing tells them apart.
        ("the jacket I ordered on monday", None),
        ("the jacket I ordered", None),
    ],
)
def test_the_day_of_the_week_a_record_was_placed_on_tells_tied_records_apart(words, expected):
    rows = [
        {"order_id": "#W9909111", "status": "pending", "item_names": ["Rain Shell Jacket"],
         "placed_at": "2026-12-03T15:57:32Z"},
        {"order_id": "#W3222459", "status": "pending", "item_names": ["Rain Shell Jacket", "Tenkey Pro TKL Keyboard"],
         "placed_at": "2026-12-02T13:35:28Z"},
        {"order_id": "#W1052915", "status": "return_requested", "item_names": ["Rain Shell Jacket"],
         "placed_at": "2026-11-07T11:09:49Z"},
        {"order_id": "#W2987563", "status": "delivered", "item_names": ["Rain Shell Jacket"],
         "placed_at": "2026-10-31T07:07:53Z"},
    ]
    assert single_out(rows, ORDER, words, {"order"}) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # Both orders hold a task chair: the colour in its details tells them apart.
        ("send the order with the grey task chair to my sister's instead", "#W3128309"),
        ("the blue task chair order", "#W4826474"),
        # A detail is an everyday word too: it never outweighs what the orders hold ("left" is the mouse's hand).
        ("has my headlamp left the warehouse yet?", "#W1465974"),
        ("the task chair order", None),
    ],
)
def test_the_details_of_what_tied_records_hold_tell_them_apart(words, expected):
    rows = [
        {"order_id": "#W3128309", "status": "processed",
         "item_names": ["Pocket Pods Earbuds (white, wireless charging)", "Flex Task Chair (grey, 4D)"]},
        {"order_id": "#W4826474", "status": "exchange_requested", "item_names": ["Flex Task Chair (blue, 4D)"]},
        {"order_id": "#W1465974", "status": "processed", "item_names": ["Headlamp 400 (yellow, rechargeable)"]},
        {"order_id": "#W3912793", "status": "delivered", "item_names": ["Glide Wireless Mouse (black, left)"]},
    ]
    assert single_out(rows, ORDER, words, {"order", "warehouse"}) == expected


def _listed_once(model, ask: str, name: str, args: dict, result: dict):
    conversation = [HumanMessage(ask), AIMessage("", tool_calls=[{"name": name, "args": args, "id": "c1",
                                                                  "type": "tool_call"}])]
    return model.invoke([*conversation, ToolMessage(json.dumps(result), tool_call_id="c1", name=name)])


SHIPMENT = {"shipment_id": "e64b9547-ac96", "order_id": "#W6420918", "tracking_number": "6A179583251180",
            "carrier_code": "colissimo", "status": "out_for_delivery", "item_ids": ["1"], "events": []}


def test_a_listing_that_found_the_one_thing_asked_where_is_read_in_full(registry):
    # "where is the parcel": the one parcel listed is read with its tracking, by the id it goes by.
    reply = _listed_once(specialist(registry, "transport"), "the tracking has said out for delivery since monday and "
                         "nothing showed up. where is the parcel right now", "list_shipments",
                         {"status": "out_for_delivery"}, {"shipments": [SHIPMENT], "total": 1})
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("track_shipment", {"shipment_ref": "e64b9547-ac96"})]


@pytest.mark.parametrize(("ask", "rows"), [
    # A listing asked for is the answer; so is one that found several.
    ("list my shipments that are out for delivery", [SHIPMENT]),
    ("where are my parcels right now", [SHIPMENT, {**SHIPMENT, "shipment_id": "f00", "order_id": "#W1"}]),
])
def test_a_listing_asked_for_or_finding_several_is_answered_as_it_is(registry, ask, rows):
    reply = _listed_once(specialist(registry, "transport"), ask, "list_shipments", {"status": "out_for_delivery"},
                         {"shipments": rows, "total": len(rows)})
    assert not reply.tool_calls and "out for delivery" in reply.text


INSPECTIONS = {"inspections": [
    {"inspection_number": "QI-DEMO0001", "id": "29848fd7", "status": "scheduled",
     "product_name": "Tenkey Pro TKL Keyboard", "supplier": "Keystone Components"},
    {"inspection_number": "QI-DEMO0004", "id": "5f1e0c2a", "status": "scheduled",
     "product_name": "Boom Cube Bluetooth Speaker", "supplier": "Loudhouse Sound"},
], "total": 2}


def test_a_record_listed_under_another_id_ending_is_the_one_the_write_takes(registry):
    # start_inspection takes an inspection_id; the listing shows each inspection's inspection_number.
    model = specialist(registry, "quality", Role.MERCHANT)
    ask = "the Loudhouse speakers are still waiting for their check, I'll do it myself, get it started under my name"
    [listing] = model.invoke([HumanMessage(ask)]).tool_calls
    assert listing["name"] == "list_inspections"
    reply = _listed_once(model, ask, "list_inspections", listing["args"], INSPECTIONS)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("start_inspection", {"inspection_id": "QI-DEMO0004"})]


def test_one_of_their_records_left_unnamed_is_asked_for_with_the_ones_listed(registry):
    model = specialist(registry, "documents")
    orders = {"orders": [
        {"order_id": "#W2539387", "status": "delivered", "item_names": ["Wool Felt Desk Mat (grey, S)"]},
        {"order_id": "#W5489383", "status": "delivered", "item_names": ["Monitor Arm (dual, black)"]},
    ], "total": 2}
    ask = "my work pays back some of my desk gear, so I need a proper invoice for one of my orders"
    reply = _listed_once(model, ask, "list_orders", {"customer_id": "me"}, orders)
    assert not reply.tool_calls and "#W2539387" in reply.text and "#W5489383" in reply.text
    # Said after it, which one it is picks it as ever.
    named = _listed_once(model, "I need an invoice for one of my orders, the one with the monitor arm", "list_orders",
                         {"customer_id": "me"}, orders)
    assert named.tool_calls[0]["args"]["order_id"] == "#W5489383"


UNREAD = {"messages": [
    {"id": 2, "connection_id": 1, "direction": "in", "sender": "Léa F.", "order_ref": "SBX-1002",
     "body": "Could you gift-wrap my order? It is a birthday present."},
    {"id": 3, "connection_id": 1, "direction": "in", "sender": "Noah J.", "order_ref": "SBX-1001",
     "body": "When will my order ship? I need it before Friday."},
], "total": 2}


def _after_listing(model, ask: str, name: str, result: dict, answer: str) -> AIMessage:
    """The specialist's plan for `answer`, said once `ask` had it list records (the listing's reply included)."""
    listed = _listed_once(model, ask, name, {}, result)
    conversation = [HumanMessage(ask), AIMessage("", tool_calls=[{"name": name, "args": {}, "id": "c1",
                                                                  "type": "tool_call"}]),
                    ToolMessage(json.dumps(result), tool_call_id="c1", name=name), listed, HumanMessage(answer)]
    return model.invoke(conversation)


def _after_unread(registry, answer: str) -> AIMessage:
    """The marketplace specialist's plan for `answer`, said once the buyers' unread messages were listed."""
    return _after_listing(specialist(registry, "marketplace", Role.SUPPORT), "any buyer messages waiting?",
                          "list_unread_marketplace_messages", UNREAD, answer)


@pytest.mark.parametrize(("answer", "expected"), [
    ("tell him it leaves tomorrow and will be with him on Thursday, well before Friday", 3),
    ("tell her sorry, we don't gift-wrap, but we'll put a note in", 2),
])
def test_a_message_goes_to_the_listed_buyer_the_words_pick(registry, answer, expected):
    # A message goes in reply to a buyer's message or about an order (the tool's rule): of the messages listed, the
    # one the answer speaks to.
    [call] = _after_unread(registry, answer).tool_calls
    assert (call["name"], call["args"]["reply_to"]) == ("send_marketplace_message", expected)


def test_a_message_the_words_pick_no_buyer_for_asks_whom_it_is_for(registry):
    reply = _after_unread(registry, "tell him thanks, we're looking into it")
    assert not reply.tool_calls and "reply to" in reply.text



# The same alerts raised on the day before the tests' today, and three days before it.
RECENT_ALERTS = [{**RISK_ALERTS[0], "day": "2026-03-17", "description": "orders on 2026-03-17: 11.00 orders"},
                 {**RISK_ALERTS[1], "day": "2026-03-15", "description": "orders on 2026-03-15: 19.00 orders"}]


@pytest.mark.parametrize(("alerts", "answer", "expected"), [
    # "the orders one" names both alerts (and its "one" is no number); "the 4th" is the day of one of them.
    (RISK_ALERTS, "the orders one from the 4th is just our newsletter promo, close it as a false alarm", 2),
    (RISK_ALERTS, "the orders one on the 1st was the flash sale, close that one as a false alarm", 1),
    # A day named from today picks its alert too, "it" beside it.
    (RECENT_ALERTS, "right, yesterday's bump was just the newsletter going out, nothing dodgy. close it off as a false "
                    "alarm", 2),
    (RECENT_ALERTS, "the one on the 15th was the flash sale, close that one as a false alarm", 1),
])
def test_a_record_is_told_apart_by_the_day_it_is_about(registry, alerts, answer, expected):
    model = specialist(registry, "risk", Role.MERCHANT)
    listed = {"alerts": alerts, "total": 2}
    [call] = _after_listing(model, "any risk alerts?", "list_risk_alerts", listed, answer).tool_calls
    assert (call["name"], call["args"]) == ("resolve_risk_alert", {"alert_id": expected, "outcome": "dismissed"})


SYSTEM_ALERTS = {"alerts": [
    {"id": 1, "severity": "warning", "status": "open", "title": "Carrier tracking updates arrive late",
     "agent": "transport"},
    {"id": 3, "severity": "critical", "status": "open", "title": "Payment captures failing", "agent": "payment"},
], "total": 2}


def test_a_command_after_a_story_about_a_record_pointed_at_is_the_job(registry):
    # "the late tracking one" is an alert listed; its words drew the request to raising a new alert.
    model = specialist(registry, "monitoring", Role.SUPPORT)
    [call] = _after_listing(model, "anything open on the alerts board?", "list_system_alerts", SYSTEM_ALERTS,
                            "the late tracking one, the carriers fixed their feed this morning, you can close that"
                            ).tool_calls
    assert (call["name"], call["args"]) == ("resolve_system_alert", {"alert_id": 1})
