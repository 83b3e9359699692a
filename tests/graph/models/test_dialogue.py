"""The local model's dialogue on the registry's own tools: preconditions before slots, escalation, ambiguity,
corrections, references to earlier turns and several requests in one message."""

import json
from datetime import date

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, Field

from agents.roster import ROSTER
from db.enums import Role
from graph.confirm import ANSWERED_OTHERWISE
from graph.models.local import LocalChatModel
from graph.models.local.corrections import part_swapped
from graph.models.local.respond import _bare_answer
from graph.models.local.toolview import view
from graph.tools import as_langchain_tool, handoff_tool
from tests.graph.models.fakes import make_tool
from tools.registry import load_all

TODAY = date(2026, 3, 18)


@pytest.fixture(scope="module")
def registry():
    return load_all()


def specialist(registry, agent: str, role: Role = Role.CUSTOMER):
    """The local model bound as a specialist binds it for a role: the agent's tools plus the shared ones."""
    specs = [t for t in registry.for_agent(agent) + registry.shared_with(agent) if t.allows(role)]
    return LocalChatModel(today=TODAY).bind_tools([as_langchain_tool(t) for t in specs])


def router(registry, role: Role = Role.CUSTOMER):
    tools = [handoff_tool(spec, role, registry) for spec in ROSTER if spec.available_to(role, registry)]
    return LocalChatModel(today=TODAY).bind_tools(tools)


def router_knowing(registry, catalogue: tuple[str, ...]):
    """The customer's router when the catalogue's products go by these names (the vocabulary the crew reads)."""
    vocabularies = {t.name: catalogue for t in registry.for_agent("product")}
    tools = [handoff_tool(spec, Role.CUSTOMER, registry, vocabularies) for spec in ROSTER
             if spec.available_to(Role.CUSTOMER, registry)]
    return LocalChatModel(today=TODAY).bind_tools(tools)


def routed_among_all(registry, role: Role, ask: str) -> list[str]:
    """The hand-offs the router makes when it holds every specialist, those that cannot act for the role too."""
    tools = [handoff_tool(spec, role, registry) for spec in ROSTER]
    return [c["name"] for c in LocalChatModel(today=TODAY).bind_tools(tools).invoke([HumanMessage(ask)]).tool_calls]


def order(status: str, **more) -> dict:
    return {"order_id": "#W4621646", "status": status, "status_label": status.replace("_", " "),
            "items": [{"item_id": "1008292230", "name": "Halo Desk Lamp", "quantity": 1}],
            "payment_history": [{"transaction_type": "payment", "payment_method_id": "credit_card_2705501"}], **more}


def after_read(model, ask: str, record: dict):
    """The model's first reply to a write request, and its reply once the record it read comes back."""
    first = model.invoke([HumanMessage(ask)])
    call = first.tool_calls[0]
    result = ToolMessage(json.dumps(record), tool_call_id=call["id"], name=call["name"])
    return first, model.invoke([HumanMessage(ask), first, result])


def test_the_registry_declares_a_precondition_for_each_order_write(registry):
    gated = {t.name: t.precondition for t in registry.all() if t.precondition}
    assert {"cancel_pending_order", "modify_pending_order_address", "return_delivered_order_items",
            "exchange_delivered_order_items"} <= set(gated)
    assert all(not registry.get(p.read).mutates for p in gated.values())
    assert view(as_langchain_tool(registry.get("cancel_pending_order"))).precondition.allowed == ("pending",)


@pytest.mark.parametrize(
    ("ask", "record", "said"),
    [
        ("please cancel my order #W4621646", order("delivered", delivered_at="2026-03-02T10:00:00"),
         ["delivered on", "can no longer be cancelled", "return"]),
        ("cancel #W4621646, ordered by mistake", order("processed"), ["processed", "can no longer be cancelled"]),
        ("I want to return the lamp from #W4621646", order("pending"), ["hasn't shipped", "cancel"]),
        ("exchange the lamp from order #W4621646 for the black one", order("processed"), ["not delivered yet"]),
        # Where its parcel is, when it has one.
        ("cancel #W4621646, ordered by mistake",
         order("processed", fulfillments=[{"tracking_numbers": ["6A179600901686"], "item_ids": ["1008292230"],
                                           "status": "out_for_delivery"}]),
         ["can no longer be cancelled", "Its parcel is out for delivery (tracking number 6A179600901686)."]),
        ("I'd like to send back the hoodie from #W4621646, it's too big",
         order("delivered", status_label="delivered (return window closed)", delivered_at="2026-08-17T11:06:39"),
         ["delivered on 17 Aug 2026", "past its return window", "warranty"]),
        ("ship #W4621646 to 10 Main Street, Denver CO 80202, USA instead",
         order("delivered", delivered_at="2026-03-02"),
         ["already delivered", "can no longer be changed"]),
        # Worded like a question the policy library answers, yet about this order: the lent library waits.
        ("can I pay for #W4621646 with my paypal instead?", order("delivered", delivered_at="2026-03-02"),
         ["already delivered", "payment method can no longer be changed"]),
    ],
)
def test_a_write_reads_the_record_first_and_says_at_once_why_it_cannot_go_ahead(registry, ask, record, said):
    first, second = after_read(specialist(registry, "order"), ask, record)
    assert [c["name"] for c in first.tool_calls] == ["get_order_details"]
    assert not second.tool_calls
    assert all(s in second.text for s in said) and "reason" not in second.text


def test_a_write_whose_record_allows_it_goes_on_to_ask_for_its_details(registry):
    _, second = after_read(specialist(registry, "order"), "please cancel my order #W4621646", order("pending"))
    assert not second.tool_calls and "reason" in second.text and second.text.endswith("?")


@pytest.mark.parametrize("ask", ["I need my order #W4621646 shipped somewhere else",
                                 "I'd like the address of #W4621646 changed"])
def test_wanting_ones_record_done_to_asks_for_the_change(registry, ask):
    # Said of the record, not as "I want to ...": still a change to make, whose details come next.
    _, second = after_read(specialist(registry, "order"), ask, order("pending"))
    assert not second.tool_calls and "address" in second.text and second.text.endswith("?"), second.text


def test_a_write_with_every_detail_is_made_after_its_precondition(registry):
    _, second = after_read(specialist(registry, "order"), "cancel #W4621646, I ordered it by mistake",
                           order("pending"))
    assert [(c["name"], c["args"]) for c in second.tool_calls] == [
        ("cancel_pending_order", {"order_id": "#W4621646", "reason": "ordered by mistake"})
    ]


def test_a_record_read_in_an_earlier_turn_is_not_read_again(registry):
    model = specialist(registry, "order")
    show = HumanMessage("show order #W4621646")
    read = model.invoke([show])
    delivered = json.dumps(order("delivered", delivered_at="2026-03-02"))
    result = ToolMessage(delivered, tool_call_id=read.tool_calls[0]["id"])
    answer = model.invoke([show, read, result])
    reply = model.invoke([show, read, result, answer, HumanMessage("cancel that order please")])
    assert not reply.tool_calls and "can no longer be cancelled" in reply.text


def eligibility(state: str, **more) -> dict:
    """get_return_eligibility's result for order #W4621646."""
    return {"order_id": "#W4621646", "status": "delivered", "return_state": state, "return_window_days": 30,
            "defect_window_days": 90, "items": [], "warranty_state": "covered", **more}


LAMP = {"item_id": "1008292230", "sku": "LAMP-HALO", "name": "Halo Desk Lamp", "options": {}, "delivered": 1,
        "returnable": 1}


@pytest.mark.parametrize(
    ("ask", "record", "said"),
    [
        ("I want to return the lamp from order #W4621646, I changed my mind",
         eligibility("not_delivered", status="pending", warranty_state="not_delivered"),
         ["hasn't been delivered yet", "nothing to return", "cancel it instead"]),
        ("I want to return the lamp from order #W4621646, I changed my mind",
         eligibility("window_closed", delivered_at="2025-12-01T10:00:00", days_since_delivery=107,
                     return_until="2025-12-31", defect_return_until="2026-03-01", warranty_until="2027-12-01"),
         ["can no longer be returned", "30 days", "until 31 Dec 2025", "warranty claim", "until 1 Dec 2027"]),
        ("I want to return the lamp from order #W4621646, I changed my mind",
         eligibility("return_in_progress", status="return_requested", open_rma_number="RMA-20260310-AB12CD34"),
         ["already open", "RMA-20260310-AB12CD34"]),
        ("the lamp from #W4621646 has a dead switch, open a warranty claim please",
         eligibility("window_closed", warranty_state="expired", warranty_until="2026-01-02"),
         ["warranty", "ended on 2 Jan 2026", "no longer possible"]),
        ("please cancel the return request on #W4621646",
         {"rma_number": "RMA-20260301-AB12CD34", "order_id": "#W4621646", "status": "in_transit",
          "resolution": "refund"}, ["on its way back", "can no longer be withdrawn"]),
    ],
)
def test_an_after_sales_write_reads_the_order_first_and_refuses_at_once(registry, ask, record, said):
    first, second = after_read(specialist(registry, "after_sales"), ask, record)
    assert [c["name"] for c in first.tool_calls] == ["get_rma" if "rma_number" in record else "get_return_eligibility"]
    assert not second.tool_calls and not second.text.endswith("?")
    assert all(s in second.text for s in said), second.text


@pytest.mark.parametrize(
    ("ask", "status", "write"),
    [
        # The story tells of a parcel received; the return is inspected already, so what is asked is to settle it.
        ("the laptop stand that came back on RMA-20261116-E25204B1 has been checked, it's genuinely defective. "
         "please settle it with the customer", "inspected", "resolve_return"),
        # Only approved, the return is still to be received: the story's reading stands.
        ("the laptop stand that came back on RMA-20261116-E25204B1 has been checked, it's genuinely defective. "
         "please settle it with the customer", "approved", "receive_return"),
        # Still only requested, it can be neither received nor settled, and settling is no withdrawing: refused.
        ("the laptop stand that came back on RMA-20261116-E25204B1 has been checked, it's genuinely defective. "
         "please settle it with the customer", "requested", None),
        # Asked as a question after a story, settling a return still only requested is refused, not withdrawn.
        ("Louis Rossi has just rung again and he's properly fed up. He asked to send back the keycaps on "
         "RMA-20261116-E25204B1 weeks ago and still hasn't seen a penny. Can you settle that return and refund him "
         "today?", "requested", None),
    ],
)
def test_a_return_the_state_forbids_gives_way_to_the_write_the_asking_sentence_names(registry, ask, status, write):
    rma = {"rma_number": "RMA-20261116-E25204B1", "order_id": "#W2252040", "status": status, "resolution": "refund"}
    first, second = after_read(specialist(registry, "after_sales", Role.MERCHANT), ask, rma)
    assert [c["name"] for c in first.tool_calls] == ["get_rma"]  # receiving and resolving read the return first
    assert [c["name"] for c in second.tool_calls] == ([write] if write else []), second.text
    if write is None:
        assert "it is requested" in second.text


def test_a_returnable_order_goes_on_to_the_return(registry):
    ask = "I want to return the lamp from order #W4621646, I changed my mind"
    first, second = after_read(specialist(registry, "after_sales"), ask, eligibility("returnable", items=[LAMP]))
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [("get_return_eligibility",
                                                                   {"order_id": "#W4621646"})]
    assert [(c["name"], c["args"]) for c in second.tool_calls] == [
        ("request_return", {"order_id": "#W4621646", "lines": [{"item": "1008292230", "quantity": 1}],
                            "reason": "changed_mind"})]


def test_asking_whether_one_may_is_answered_by_the_read_without_a_write(registry):
    # A warranty claim needs no confirmation: a question must not file one.
    record = eligibility("defects_only", delivered_at="2026-02-10T10:00:00", days_since_delivery=36,
                         return_until="2026-03-12", defect_return_until="2026-05-11",
                         items=[{**LAMP, "name": "Ergo Split 60 Keyboard", "sku": "KB-SPLIT-02"}])
    ask = "the keyboard from #W4621646 stopped working after a month, can I still send it back?"
    model = specialist(registry, "after_sales")
    first, second = after_read(model, ask, record)
    assert [c["name"] for c in first.tool_calls] == ["get_return_eligibility"]
    assert not second.tool_calls and "Ergo Split 60 Keyboard" in second.text
    # Put as a request, the same words file the claim once the order is read.
    first, second = after_read(model, ask.replace(", can I still send it back?", ", file a warranty claim"), record)
    assert [c["name"] for c in second.tool_calls] == ["submit_warranty_claim"]


def test_the_return_eligibility_answers_what_can_still_come_back(registry):
    record = eligibility("returnable", delivered_at="2026-03-02T10:00:00", days_since_delivery=16,
                         return_until="2026-04-01", defect_return_until="2026-05-31", items=[LAMP])
    first, second = after_read(specialist(registry, "after_sales"), "what can I still return from order #W4621646?",
                               record)
    assert [c["name"] for c in first.tool_calls] == ["get_return_eligibility"] and not second.tool_calls
    assert all(s in second.text for s in ("Halo Desk Lamp", "until 1 Apr 2026", "until 31 May 2026"))


def test_a_failed_read_is_explained_not_repeated(registry):
    model = specialist(registry, "order")
    ask = HumanMessage("cancel my order #W4478903")
    first = model.invoke([ask])
    missing = ToolMessage("Error[not_found]: order #W4478903 not found", tool_call_id=first.tool_calls[0]["id"])
    second = model.invoke([ask, first, missing])
    assert not second.tool_calls and "couldn't find" in second.text


@pytest.mark.parametrize(("first", "told"), [
    ("I just had Tom Miller on the phone, his order got stuck in the fraud check. the other delivery address is his "
     "mum's, it's a christmas present, and he definitely placed it himself", True),
    ("why is order #W9021036 on hold?", False),  # control: a question tells no reason
])
def test_why_a_write_is_made_is_taken_from_what_the_person_told_before(registry, first, told):
    history = [HumanMessage(first), AIMessage("Order #W9021036 scores 20 out of 100 for fraud: low risk."),
               HumanMessage("ok, release order #W9021036")]
    reply = specialist(registry, "fraud", Role.SUPPORT).invoke(history)
    if told:
        [call] = reply.tool_calls
        assert call["name"] == "release_held_order" and call["args"]["note"] == first
    else:
        assert not reply.tool_calls and "note" in reply.text


def test_the_detail_a_failed_call_asked_for_goes_back_to_that_call(registry):
    model = specialist(registry, "customer", Role.SUPPORT)
    ask = HumanMessage("a customer on the phone wants someone more senior to call him back, can you set that up?")
    first = model.invoke([ask])
    assert [c["name"] for c in first.tool_calls] == ["open_support_case"]
    refused = ToolMessage("Error[invalid_input]: say which customer the case is for (customer_id or order_id)",
                          tool_call_id=first.tool_calls[0]["id"])
    question = model.invoke([ask, first, refused])
    assert not question.tool_calls and question.text.endswith("?")
    answer = HumanMessage("it's Oscar Weber, about his parcel on W6316590, stuck in transit since the 25th")
    [call] = model.invoke([ask, first, refused, question, answer]).tool_calls
    assert call["name"] == "open_support_case" and call["args"]["order_id"] == "#W6316590"


def test_a_detail_a_confirmed_write_still_lacked_is_asked_for_and_taken_from_the_answer(registry):
    # The schema leaves the condition optional (it may come per item); receiving still needs one for every unit.
    model = specialist(registry, "after_sales", Role.WAREHOUSE)
    ask = HumanMessage("box just came in for RMA-20261113-A4CD59E0, can you book it in")
    read, rma = after_read(model, ask.text, {"rma_number": "RMA-20261113-A4CD59E0", "status": "approved"})
    [call] = rma.tool_calls
    assert call["name"] == "receive_return" and "condition" not in call["args"]
    so_far = [ask, read, ToolMessage(json.dumps({"rma_number": "RMA-20261113-A4CD59E0", "status": "approved"}),
                                     tool_call_id=read.tool_calls[0]["id"], name=read.tool_calls[0]["name"]), rma]
    refused = ToolMessage("Error[invalid_input]: give the condition of item(s) 9815811849 (unopened, opened, used, "
                          "damaged or defective)", tool_call_id=call["id"], name="receive_return")
    question = model.invoke([*so_far, refused])
    assert not question.tool_calls and question.text.endswith("?")
    answer = HumanMessage("both defective")
    [again] = model.invoke([*so_far, refused, question, answer]).tool_calls
    assert again["name"] == "receive_return"
    assert again["args"] == {"rma_number": "RMA-20261113-A4CD59E0", "condition": "defective"}


@pytest.mark.parametrize("agent", ["order", "product", "after_sales", "payment", "transport"])
def test_every_specialist_can_hand_the_conversation_to_a_person(registry, agent):
    reply = specialist(registry, agent).invoke([HumanMessage("this is not working, let me talk to a human")])
    assert [c["name"] for c in reply.tool_calls] == ["open_support_case"]


@pytest.mark.parametrize("text", [
    "this is the third time I'm asking, I need a human to sort out my order #W4621646",
    "i want to talk to a person about my order #W4621646",
])
def test_asking_for_a_person_about_a_record_hands_over_rather_than_reading_it(registry, text):
    reply = specialist(registry, "order").invoke([HumanMessage(text)])
    assert [(c["name"], c["args"].get("order_id")) for c in reply.tool_calls] == [("open_support_case", "#W4621646")]


@pytest.mark.parametrize(
    ("text", "agent"),
    [
        ("i want to talk to a person", "customer"),
        ("problem with my payment", "payment"),
        ("do u hav headphnes", "product"),
        ("any blutooth speakers?", "product"),
        ("I'd return the backpack from order W1234567, it's small", "order"),
    ],
)
def test_short_indirect_and_misspelt_requests_reach_the_right_agent(registry, text, agent):
    reply = router(registry).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls][:1] == [f"transfer_to_{agent}"]


def test_two_close_readings_are_asked_about(registry):
    reply = router(registry).invoke([HumanMessage("What do you have from Northtrail?")])
    assert not reply.tool_calls and reply.text.startswith("Just to be sure") and reply.text.endswith("?")


def test_of_two_close_readings_a_wish_to_change_something_goes_to_the_one_that_can(registry):
    # Reads about as much like the policy library (which only answers) as like the customer's account.
    reply = router(registry).invoke([HumanMessage("I'd like to change my last name to Weber-Schmidt")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_customer"]


@pytest.mark.parametrize(
    "text", ["book me a flight to Paris", "what's the weather in Paris tomorrow", "tell me a joke"]
)
def test_unrelated_requests_are_still_declined(registry, text):
    reply = router(registry).invoke([HumanMessage(text)])
    assert not reply.tool_calls and "outside what I can help with" in reply.text


@pytest.mark.parametrize(("received", "correction", "quantity"), [
    (20, "actually make it 25", 25),
    # "recounted" names an adjustment too; a correction naming the old value changes only what held it.
    (30, "hang on, we recounted and it's 28, not 30", 28),
])
def test_a_correction_makes_the_last_call_again_with_the_new_value(registry, received, correction, quantity):
    model = specialist(registry, "inventory", Role.WAREHOUSE)
    ask = HumanMessage(f"we just received {received} units of KB-CLICKY-01 at PAR-1")
    first = model.invoke([ask])
    declined = ToolMessage("The person declined this action, so it was not carried out.",
                           tool_call_id=first.tool_calls[0]["id"])
    again = model.invoke([ask, first, declined, AIMessage("Understood."), HumanMessage(correction)])
    assert again.tool_calls[0]["name"] == first.tool_calls[0]["name"]
    assert again.tool_calls[0]["args"] == {**first.tool_calls[0]["args"], "quantity": quantity}


def test_a_hand_off_about_it_carries_the_order_in_focus(registry):
    model = specialist(registry, "after_sales")
    read = AIMessage("", tool_calls=[{"name": "get_rma", "args": {"rma_number": "RMA-20261125-F43DDC59"}, "id": "c1"}])
    rma = {"rma_number": "RMA-20261125-F43DDC59", "order_id": "#W9653244", "status": "requested",
           "refund_amount": 56.44}
    conversation = [HumanMessage("what's happening with my return RMA-20261125-F43DDC59?"), read,
                    ToolMessage(json.dumps(rma), tool_call_id="c1", name="get_rma"),
                    AIMessage("Order #W9653244 has a return requested: RMA-20261125-F43DDC59."),
                    HumanMessage("nobody told me you'd keep 5.50 for the label, I want someone from your team to "
                                 "look at it")]
    [call] = model.invoke(conversation).tool_calls
    assert (call["name"], call["args"].get("order_id")) == ("open_support_case", "#W9653244")


def listed(model, conversation: list, rows: list[dict]) -> list:
    """The conversation once the model listed the person's orders (it asks for none by number first)."""
    listing = model.invoke(conversation)
    call = listing.tool_calls[0]
    assert call["name"] == "list_orders"
    return [*conversation, listing, ToolMessage(json.dumps({"orders": rows, "total": len(rows)}),
                                                tool_call_id=call["id"], name=call["name"])]


TWO_PENDING = [{"order_id": "#W4621646", "status": "pending", "item_names": ["Halo Desk Lamp"]},
               {"order_id": "#W3972548", "status": "pending", "item_names": ["Soy Candle"]}]


def test_a_slot_given_in_a_later_turn_fills_the_question(registry):
    model = specialist(registry, "order")
    conversation = listed(model, [HumanMessage("I want to cancel an order")], TWO_PENDING)
    question = model.invoke(conversation)
    assert not question.tool_calls and question.text.endswith("?")
    assert "#W4621646 (pending: Halo Desk Lamp) or #W3972548 (pending: Soy Candle)" in question.text
    reply = model.invoke([*conversation, question, HumanMessage("#W4621646")])
    assert reply.tool_calls[0]["args"] == {"order_id": "#W4621646"}


def test_that_order_refers_to_the_order_of_an_earlier_turn(registry):
    model = specialist(registry, "order")
    turns = [HumanMessage("what's in order #W4621646?"), AIMessage("Order #W4621646 contains a lamp."),
             HumanMessage("when was that order delivered?")]
    assert model.invoke(turns).tool_calls[0]["args"] == {"order_id": "#W4621646"}


def test_several_requests_in_one_message_go_to_their_agents_in_order(registry):
    reply = router(registry).invoke([HumanMessage("cancel my order #W2611340 and find me a blue t-shirt")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order", "transfer_to_product"]


def test_the_last_thing_of_a_list_ending_its_sentence_is_no_request_of_its_own(registry):
    # "... my order with the clacky keyboard and the keycaps." names what the order holds: no catalogue search, though
    # the catalogue's names hold "keycap".
    catalogue = ("Clacky 87 Mechanical Keyboard", "Keycap Hoodie", "PBT Keycap Set")
    reply = router_knowing(registry, catalogue).invoke([HumanMessage(
        "please cancel my order with the clacky keyboard and the keycaps. my flatmate just gave me his old keyboard "
        "so I don't need it anymore")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order"]


def test_what_happened_told_beside_a_request_is_its_story_not_a_second_request(registry):
    # "the split keyboard I bought ... has started playing up" tells what happened: the after-sales question it leads
    # to is the one request, not an order to look up as well.
    catalogue = ("Ergo Split 60 Keyboard", "Clacky 87 Mechanical Keyboard")
    reply = router_knowing(registry, catalogue).invoke([HumanMessage(
        "the split keyboard I bought from you back in the summer has started playing up. the Y and H keys only "
        "register if I really hammer them and since yesterday the left shift does the same. it's only a few months "
        "old, that can't be normal can it?")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_after_sales"]
    # Two requests are still two: "... and find me a blue t-shirt".
    reply = router(registry).invoke([HumanMessage("cancel my order #W2611340 and find me a blue t-shirt")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order", "transfer_to_product"]


@pytest.mark.parametrize(("words", "expected"), [("the second one", "#W2000002"), ("the last one", "#W3000003"),
                                                 ("the first order", "#W1000001")])
def test_the_second_one_is_a_row_of_the_list_shown_before(registry, words, expected):
    model = specialist(registry, "order")
    ask = HumanMessage("show all my orders")
    listing = model.invoke([ask])
    rows = {"orders": [{"order_id": f"#W{n}00000{n}", "status": "pending"} for n in (1, 2, 3)], "total": 3}
    result = ToolMessage(json.dumps(rows), tool_call_id=listing.tool_calls[0]["id"])
    shown = model.invoke([ask, listing, result])
    reply = model.invoke([ask, listing, result, shown, HumanMessage(f"what's in {words}?")])
    assert reply.tool_calls[0]["args"] == {"order_id": expected}


def asked_to_confirm(model, ask: str):
    """The person's request, the write the model proposes, and that write answered with something else than yes."""
    request = HumanMessage(ask)
    first = model.invoke([request])
    otherwise = ToolMessage(f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}",
                            tool_call_id=first.tool_calls[0]["id"])
    return [request, first, otherwise, AIMessage("Understood, nothing was changed.")], first.tool_calls[0]


@pytest.mark.parametrize(
    ("agent", "role", "ask", "reply", "changed"),
    [
        ("inventory", Role.WAREHOUSE, "reserve 2 units of KB-CLICKY-04", "make that 3", {"quantity": 3}),
        ("inventory", Role.WAREHOUSE, "we received 20 units of KB-CLICKY-01 at BER-1", "oops, it was PAR-1",
         {"warehouse": "PAR-1"}),
        ("transport", Role.MERCHANT, "set the on-time rate of DPD to 0.91", "no, 0.89", {"on_time_rate": 0.89}),
        # A share first given as a percentage is corrected as one.
        ("transport", Role.MERCHANT, "DPD is on time 88% of the time now, update their rate", "sorry, make that 86",
         {"on_time_rate": 0.86}),
        ("backoffice", Role.ADMIN, "make sam.support a merchant", "no sorry, make him an admin", {"role": "admin"}),
        # The clause after the amount says why: it is the refund's reason.
        ("payment", Role.SUPPORT, "refund order #W4621646", "15 euros, the delivery was late",
         {"amount": 15, "reason": "the delivery was late"}),
        # An optional value given after the action was proposed joins it: "Units to inspect" counts units.
        ("quality", Role.WAREHOUSE, "schedule a quality inspection of HM-MUG-03", "check 12 units",
         {"sample_size": 12}),
        # The one number of a list line is changed in place, and a bare number is no description.
        ("product", Role.MERCHANT, "set the price of AP-TEE-01 to 22", "no, make that 24.90",
         {"variants": [{"item_id": "AP-TEE-01", "price": 24.9}]}),
        # A variant named twice (the product it belongs to, the line that changes it) changes in both places.
        ("product", Role.MERCHANT, "stop selling AP-TEE-02", "sorry, I meant AP-TEE-05",
         {"product_id": "AP-TEE-05", "variants": [{"item_id": "AP-TEE-05", "available": False}]}),
        ("order", Role.CUSTOMER, "please cancel W8180939, I don't need it anymore", "wait, no, cancel W6380018 instead",
         {"order_id": "#W6380018"}),
        # A value in words takes the place of the one value in words the action holds.
        ("customer", Role.CUSTOMER, "could you change the last name on my account to Lambert?",
         "actually, sorry, make it Young-Lambert, I've decided to keep both", {"last_name": "Young-Lambert"}),
        # The new value set against the old one it replaces; a pause before it is no refusal.
        ("payment", Role.SUPPORT, "refund 40 euros on order #W4621646, the armrest came scuffed",
         "sorry, my mistake, we agreed 30 not 40", {"amount": 30}),
        ("payment", Role.SUPPORT, "refund 40 euros on order #W4621646, the armrest came scuffed",
         "no wait, he settled for 30 euros in the end", {"amount": 30}),
        # A number ending its sentence is still the new value.
        ("payment", Role.SUPPORT, "refund 20 euros on order #W4621646", "Actually, make it 30.", {"amount": 30}),
        # A correction is no request of its own, whatever its story names ("another call" asks for no call).
        ("payment", Role.SUPPORT, "refund 15 euros on order #W4621646, the speaker grille was dented",
         "hang on, I mixed it up with another call. We agreed 12, not 15. Sorry!", {"amount": 12}),
        # The value set against the old one after the sentence saying why, and the same number said twice.
        ("payment", Role.SUPPORT, "refund 20 euros on order #W4621646, the grille came scratched",
         "wait sorry, my lead says we cap goodwill for cosmetic stuff at 15. so 15, not 20", {"amount": 15}),
        ("payment", Role.SUPPORT, "refund 20 euros on order #W4621646, the grille came scratched",
         "actually the cap is 15, make it 15", {"amount": 15}),
    ],
)
def test_a_reply_in_place_of_yes_changes_the_pending_action(registry, agent, role, ask, reply, changed):
    model = specialist(registry, agent, role)
    history, pending = asked_to_confirm(model, ask)
    again = model.invoke([*history, HumanMessage(reply)])
    assert [c["name"] for c in again.tool_calls] == [pending["name"]]
    assert again.tool_calls[0]["args"] == {**pending["args"], **changed}


def test_a_correction_keeps_the_words_of_a_free_text_field(registry):
    model = specialist(registry, "backoffice", Role.MERCHANT)
    history, pending = asked_to_confirm(model, "set the refund approval threshold to 300")
    again = model.invoke([*history, HumanMessage("actually make it 350")])
    assert again.tool_calls[0]["args"]["config_key"] == pending["args"]["config_key"]
    assert again.tool_calls[0]["args"]["value"] == 350


@pytest.mark.parametrize("correction", [
    "Ah, Julie's just messaged: she wants the cut-off at 80 rather than 75.",
    "make it 80 instead of 75",
])
def test_a_correction_naming_the_value_it_replaces_changes_only_that_value(registry, correction):
    model = specialist(registry, "backoffice", Role.ADMIN)
    history, pending = asked_to_confirm(model, "set the free-shipping threshold to 75")
    again = model.invoke([*history, HumanMessage(correction)])
    assert again.tool_calls[0]["args"] == {**pending["args"], "value": 80}


def test_a_new_request_in_place_of_yes_is_not_taken_as_a_change(registry):
    model = specialist(registry, "order")
    history, pending = asked_to_confirm(model, "send #W4621646 to 12 Rue de la République, 69002 Lyon, France")
    again = model.invoke([*history, HumanMessage("show me all my orders")])
    assert [c["name"] for c in again.tool_calls] == ["list_orders"]


def test_an_address_given_over_two_answers_is_read_as_one(registry):
    model = specialist(registry, "customer")
    turns = [HumanMessage("please change my default address")]
    for answer in ("2100 Larimer Street", "Denver, CO 80205, USA"):
        question = model.invoke(turns)
        assert not question.tool_calls and question.text.endswith("?")
        turns += [question, HumanMessage(answer)]
    call = model.invoke(turns).tool_calls[0]
    assert call["args"]["address1"] == "2100 Larimer Street" and call["args"]["zip"] == "80205"


def test_a_corrected_order_number_continues_the_refused_request(registry):
    model = specialist(registry, "order")
    first, refusal = after_read(model, "cancel my order #W4621646", order("processed"))
    turns = [HumanMessage("cancel my order #W4621646"), first,
             ToolMessage(json.dumps(order("processed")), tool_call_id=first.tool_calls[0]["id"]), refusal,
             HumanMessage("no, I meant W7000007")]
    read = model.invoke(turns)
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W7000007"})]
    pending = ToolMessage(json.dumps(order("pending", order_id="#W7000007")), tool_call_id=read.tool_calls[0]["id"])
    question = model.invoke([*turns, read, pending])
    assert not question.tool_calls and "reason" in question.text
    done = model.invoke([*turns, read, pending, question, HumanMessage("I don't need it anymore")])
    assert [(c["name"], c["args"]) for c in done.tool_calls] == [
        ("cancel_pending_order", {"order_id": "#W7000007", "reason": "no longer needed"})]


@pytest.mark.parametrize(
    ("agent", "role", "shown", "result", "follow_up", "expected"),
    [
        ("backoffice", Role.ADMIN, "show approval request 1", {"approval_id": 1, "status": "pending"}, "approve it",
         ("approve_request", {"approval_id": 1})),
        ("order", Role.CUSTOMER, "show my pending orders",
         {"orders": [{"order_id": "#W7137149", "status": "pending"}], "total": 1},
         "cancel that one, I ordered it by mistake", ("get_order_details", {"order_id": "#W7137149"})),
    ],
)
def test_it_and_that_one_name_the_record_shown_before(registry, agent, role, shown, result, follow_up, expected):
    model = specialist(registry, agent, role)
    ask = HumanMessage(shown)
    read = model.invoke([ask])
    answer = ToolMessage(json.dumps(result), tool_call_id=read.tool_calls[0]["id"])
    said = model.invoke([ask, read, answer])
    reply = model.invoke([ask, read, answer, said, HumanMessage(follow_up)])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [expected]


# The second names a method only to set it aside: it is not the one used.
@pytest.mark.parametrize("words", ["pay #W4621646 with my mastercard instead",
                                   "pay for #W4621646 with my mastercard rather than PayPal"])
def test_a_saved_method_named_in_words_is_looked_up_before_the_write(registry, words):
    model = specialist(registry, "order")
    ask = HumanMessage(words)
    read = model.invoke([ask])
    paid = [{"transaction_type": "payment", "payment_method_id": "paypal_8030938"}]
    record = ToolMessage(json.dumps(order("pending", customer_id="noah_johnson_8985", payment_history=paid)),
                         tool_call_id=read.tool_calls[0]["id"])
    lookup = model.invoke([ask, read, record])
    assert [(c["name"], c["args"]) for c in lookup.tool_calls] == [
        ("list_payment_methods", {"customer_id": "noah_johnson_8985"})]
    methods = {"customer_id": "noah_johnson_8985", "methods": [
        {"id": "paypal_8030938", "kind": "paypal"},
        {"id": "credit_card_3120279", "kind": "credit_card", "brand": "mastercard", "last_four": "7512"}]}
    saved = ToolMessage(json.dumps(methods), tool_call_id=lookup.tool_calls[0]["id"])
    write = model.invoke([ask, read, record, lookup, saved])
    assert [(c["name"], c["args"]) for c in write.tool_calls] == [
        ("modify_pending_order_payment", {"order_id": "#W4621646", "payment_method_id": "credit_card_3120279"})]


def test_a_change_named_without_its_value_is_asked_for_then_taken_from_the_answer(registry):
    model = specialist(registry, "transport", Role.MERCHANT)
    ask = HumanMessage("update the on-time rate of UPS")
    question = model.invoke([ask])
    assert not question.tool_calls and "on time rate" in question.text and question.text.endswith("?")
    reply = model.invoke([ask, question, HumanMessage("0.9")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("update_carrier", {"carrier_code": "UPS", "on_time_rate": 0.9})]


def test_a_saved_method_named_in_a_correction_replaces_the_pending_one(registry):
    methods = {"customer_id": "noah_johnson_8985", "methods": [
        {"id": "gift_card_6025900", "kind": "gift_card"},
        {"id": "credit_card_3120279", "kind": "credit_card", "brand": "mastercard", "last_four": "7512"}]}
    write = {"order_id": "#W4621646", "payment_method_id": "gift_card_6025900"}
    calls = [("get_order_details", {"order_id": "#W4621646"}, json.dumps(order("pending"))),
             ("list_payment_methods", {}, json.dumps(methods)),
             ("modify_pending_order_payment", write, f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}")]
    history = [HumanMessage("pay #W4621646 with my gift card instead")]
    for n, (name, args, result) in enumerate(calls):
        history += [AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"c{n}"}]),
                    ToolMessage(result, tool_call_id=f"c{n}")]
    again = specialist(registry, "order").invoke([*history, AIMessage("Understood."),
                                                   HumanMessage("sorry, I meant my mastercard")])
    assert [(c["name"], c["args"]) for c in again.tool_calls] == [
        ("modify_pending_order_payment", {**write, "payment_method_id": "credit_card_3120279"})]


def test_the_method_an_order_was_paid_with_is_no_guess_for_a_new_one(registry):
    _, second = after_read(specialist(registry, "order"), "can I change the payment method of #W4621646?",
                           order("pending"))
    assert not second.tool_calls and "payment method" in second.text and second.text.endswith("?")


def test_a_card_brand_is_never_taken_for_a_gift_card(registry):
    paid = [{"transaction_type": "payment", "payment_method_id": "gift_card_9992729"}]
    _, second = after_read(specialist(registry, "order"), "pay #W4621646 with my amex instead",
                           order("pending", customer_id="ava_martin_7243", payment_history=paid))
    assert [(c["name"], c["args"]) for c in second.tool_calls] == [
        ("list_payment_methods", {"customer_id": "ava_martin_7243"})]


@pytest.mark.parametrize("ask", [
    "i forgot my password",                                         # names no action at all
    "what happens to my orders if I delete my account?",            # asks about the action, not for it
    "if i delete my account what happens to my gift card balance?",
])
def test_a_consequential_action_is_never_proposed_for_a_request_that_does_not_ask_for_it(registry, ask):
    reply = specialist(registry, "customer").invoke([HumanMessage(ask)])
    assert not any(registry.get(c["name"]).confirm for c in reply.tool_calls if c["name"] in registry), reply


def test_a_consequential_action_asked_for_in_words_is_still_proposed(registry):
    reply = specialist(registry, "customer").invoke([HumanMessage("please delete my account")])
    assert [c["name"] for c in reply.tool_calls] == ["erase_customer"]


@pytest.mark.parametrize("text", ["i forgot my password", "what happens to my orders if I delete my account?"])
def test_a_request_no_tool_of_the_specialist_fits_goes_to_the_policy_library(registry, text):
    reply = specialist(registry, "customer").invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["answer_question"]
    assert reply.tool_calls[0]["args"]["question"] == text


def test_without_the_library_at_hand_such_a_request_is_declined(registry):
    specs = [t for t in registry.for_agent("customer") if t.allows(Role.CUSTOMER)]
    model = LocalChatModel(today=TODAY).bind_tools([as_langchain_tool(t) for t in specs])
    reply = model.invoke([HumanMessage("i forgot my password")])
    assert not reply.tool_calls and "outside what I can help with" in reply.text


def test_the_router_reads_past_a_self_introduction(registry):
    text = ("I am Ada Moreau, the shop's admin, writing from my customer account. "
            "add a support user lea.petit, Lea Petit, lea.petit@shopcrew.example")
    reply = router(registry, Role.MERCHANT).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_backoffice"]


def test_a_catalogue_specialist_looks_up_what_it_cannot_place_reads_a_single_find_and_declines_no_find(registry):
    model = specialist(registry, "product")
    ask = HumanMessage("does the camping stove run on gas?")
    first = model.invoke([ask])
    assert [c["name"] for c in first.tool_calls] == ["search_products"]
    assert "stove" in first.tool_calls[0]["args"]["query"]
    call = first.tool_calls[0]
    # One product found is read in full (its variants say what fuel it takes); two are listed.
    stove = {"product_id": "2842135985", "name": "Micro Camp Stove"}
    found = {"query": call["args"]["query"], "results": [stove]}
    read = model.invoke([ask, first, ToolMessage(json.dumps(found), tool_call_id=call["id"], name=call["name"])])
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_product_details", {"product_id": "2842135985"})]
    two = {"query": call["args"]["query"], "results": [stove, {"product_id": "6949406436", "name": "Trail 2 Tent"}]}
    listed = model.invoke([ask, first, ToolMessage(json.dumps(two), tool_call_id=call["id"], name=call["name"])])
    assert "Micro Camp Stove" in listed.text and "Trail 2 Tent" in listed.text and not listed.tool_calls
    nothing = ToolMessage(json.dumps({"query": call["args"]["query"], "results": []}), tool_call_id=call["id"])
    declined = model.invoke([ask, first, nothing])
    # The policy library lent to every specialist answers a request nothing here fits (or says it cannot).
    assert [c["name"] for c in declined.tool_calls] == ["answer_question"]


def test_a_request_that_reads_like_a_search_and_finds_nothing_says_so(registry):
    model = specialist(registry, "product")
    ask = HumanMessage("got any coffee grinders?")
    first = model.invoke([ask])
    call = first.tool_calls[0]
    nothing = ToolMessage(json.dumps({"query": call["args"]["query"], "results": []}), tool_call_id=call["id"])
    reply = model.invoke([ask, first, nothing])
    assert call["name"] == "search_products" and not reply.tool_calls and "no products" in reply.text


@pytest.mark.parametrize("text", ["yes", "no", "yes please", "no thanks"])
def test_a_yes_or_no_with_nothing_waiting_for_one_is_not_turned_away(registry, text):
    reply = router(registry).invoke([HumanMessage(text)])
    assert not reply.tool_calls
    assert reply.text.startswith("Nothing is waiting for a yes or no")


@pytest.mark.parametrize(("answer", "method"), [
    ("the lamp, refund to my visa", "credit_card_2705501"),
    ("the lamp, back to the card I paid with", "credit_card_2705501"),
    ("the lamp please, original payment method", "credit_card_2705501"),
    ("the lamp, refund to credit_card_2705501", "credit_card_2705501"),
    # Money given back goes back where it came from.
    ("just the lamp, I'd like my money back", "credit_card_2705501"),
    # Named by nothing: left to the return, which refunds the original method.
    ("just the lamp", None),
])
def test_a_question_for_items_names_what_the_order_holds(registry, answer, method):
    model = specialist(registry, "order")
    delivered = [{**row, "status": "delivered"} for row in TWO_PENDING]
    conversation = listed(model, [HumanMessage("I want to send something back")], delivered)
    conversation.append(model.invoke(conversation))
    conversation.append(HumanMessage("#W4621646"))
    read = model.invoke(conversation)
    call = read.tool_calls[0]
    two = order("delivered", items=[{"item_id": "1008292230", "name": "Halo Desk Lamp", "quantity": 1},
                                    {"item_id": "6429754640", "name": "Shopcrew Logo T-Shirt", "quantity": 1}])
    conversation += [read, ToolMessage(json.dumps(two), tool_call_id=call["id"], name=call["name"])]
    question = model.invoke(conversation)
    # Answerable by name: nobody knows an item id; the refund goes to the original method unless another is named.
    assert "the order holds Halo Desk Lamp and Shopcrew Logo T-Shirt" in question.text
    assert "payment method" not in question.text
    assert question.text.endswith("?") and not question.tool_calls
    conversation += [question, HumanMessage(answer)]
    [action] = model.invoke(conversation).tool_calls
    assert (action["name"], action["args"]["item_ids"], action["args"].get("payment_method_id")) == (
        "return_delivered_order_items", ["1008292230"], method)


@pytest.mark.parametrize(("text", "category"), [
    ("what time do I need to order by for same-day dispatch?", None),  # "order" is the question's, no filter
    ("what happens to my orders if I delete my account?", None),
    ("in the shipping category, how long does delivery take?", "shipping"),  # a filter the person names
])
def test_a_question_is_asked_whole_and_filtered_only_when_the_person_says_so(registry, text, category):
    [call] = specialist(registry, "knowledge").invoke([HumanMessage(text)]).tool_calls
    assert (call["name"], call["args"]["question"], call["args"].get("category")) == ("answer_question", text, category)



def test_a_return_never_picks_a_refund_method_nobody_named(registry):
    model = specialist(registry, "order")
    delivered = [{**row, "status": "delivered"} for row in TWO_PENDING]
    conversation = listed(model, [HumanMessage("I need to return something")], delivered)
    conversation += [model.invoke(conversation), HumanMessage("the lamp")]
    read = model.invoke(conversation)
    call = read.tool_calls[0]
    conversation += [read, ToolMessage(json.dumps(order("delivered")), tool_call_id=call["id"], name=call["name"])]
    [write] = model.invoke(conversation).tool_calls
    # Not taken from the history's one payment: left to the return, which refunds the original method.
    assert write["name"] == "return_delivered_order_items" and "payment_method_id" not in write["args"]


def test_a_reply_naming_the_pending_method_in_words_asks_again(registry):
    model = specialist(registry, "order")
    ask = HumanMessage("return the Halo Desk Lamp from order #W4621646 to my original payment method")
    first, write = after_read(model, ask.text, order("delivered"))
    assert write.tool_calls[0]["args"]["payment_method_id"] == "credit_card_2705501"
    result = ToolMessage(json.dumps(order("delivered")), tool_call_id=first.tool_calls[0]["id"],
                         name=first.tool_calls[0]["name"])
    otherwise = ToolMessage(f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}",
                            tool_call_id=write.tool_calls[0]["id"])
    again = model.invoke([ask, first, result, write, otherwise, AIMessage("Understood."),
                          HumanMessage("original payment method")])
    assert [(c["name"], c["args"]) for c in again.tool_calls] == [(c["name"], c["args"]) for c in write.tool_calls]


@pytest.mark.parametrize("reply", ["original payment method", "refund it to credit_card_2705501"])
def test_a_reply_giving_a_detail_the_pending_action_left_to_its_default_completes_it(registry, reply):
    # The return would refund the original method by default; naming a method in place of a yes adds it to the
    # return rather than asking to change the delivered order's payment.
    model = specialist(registry, "order")
    ask = HumanMessage("return the Halo Desk Lamp from order #W4621646")
    first, write = after_read(model, ask.text, order("delivered"))
    assert "payment_method_id" not in write.tool_calls[0]["args"]
    result = ToolMessage(json.dumps(order("delivered")), tool_call_id=first.tool_calls[0]["id"],
                         name=first.tool_calls[0]["name"])
    otherwise = ToolMessage(f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}",
                            tool_call_id=write.tool_calls[0]["id"])
    [again] = model.invoke([ask, first, result, write, otherwise, AIMessage("Understood."),
                            HumanMessage(reply)]).tool_calls
    assert (again["name"], again["args"]) == (
        "return_delivered_order_items", {**write.tool_calls[0]["args"], "payment_method_id": "credit_card_2705501"})


def test_a_method_named_in_place_of_a_yes_and_not_yet_shown_is_looked_up_for_the_pending_action(registry):
    model = specialist(registry, "order")
    ask = HumanMessage("return the Halo Desk Lamp from order #W4621646")
    record = order("delivered", customer_id="noah_johnson_8985")
    first, write = after_read(model, ask.text, record)
    result = ToolMessage(json.dumps(record), tool_call_id=first.tool_calls[0]["id"], name=first.tool_calls[0]["name"])
    otherwise = ToolMessage(f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}",
                            tool_call_id=write.tool_calls[0]["id"])
    conversation = [ask, first, result, write, otherwise, AIMessage("Understood."), HumanMessage("to my gift card")]
    [lookup] = model.invoke(conversation).tool_calls
    assert (lookup["name"], lookup["args"]) == ("list_payment_methods", {"customer_id": "noah_johnson_8985"})
    methods = {"methods": [{"id": "credit_card_2705501", "kind": "credit_card", "brand": "visa", "last_four": "4242"},
                           {"id": "gift_card_6025900", "kind": "gift_card"}]}
    listed = ToolMessage(json.dumps(methods), tool_call_id=lookup["id"], name="list_payment_methods")
    [again] = model.invoke([*conversation, AIMessage("", tool_calls=[lookup]), listed]).tool_calls
    assert (again["name"], again["args"]) == (
        "return_delivered_order_items", {**write.tool_calls[0]["args"], "payment_method_id": "gift_card_6025900"})


@pytest.mark.parametrize(("remark", "added"), [
    # A remark that changes nothing and asks for nothing else: the same question again, nothing lost.
    ("too small for the four of us", {}),
    # One that gives a value adds it.
    ("it stopped working after a week", {"reason": "product_defect"}),
    # A question is answered instead, not met with the same question.
    ("how long will the refund take?", None),
])
def test_a_remark_in_place_of_a_yes_asks_again(registry, remark, added):
    model = specialist(registry, "order")
    ask = HumanMessage("return the Halo Desk Lamp from order #W4621646 to my original payment method")
    first, write = after_read(model, ask.text, order("delivered"))
    result = ToolMessage(json.dumps(order("delivered")), tool_call_id=first.tool_calls[0]["id"],
                         name=first.tool_calls[0]["name"])
    otherwise = ToolMessage(f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}",
                            tool_call_id=write.tool_calls[0]["id"])
    reply = model.invoke([ask, first, result, write, otherwise, AIMessage("Understood."), HumanMessage(remark)])
    calls = [(c["name"], c["args"]) for c in reply.tool_calls]
    if added is None:
        assert write.tool_calls[0]["name"] not in [name for name, _ in calls]
    else:
        assert calls == [(c["name"], c["args"] | added) for c in write.tool_calls]


def test_an_answer_naming_none_of_the_reasons_offered_is_the_other_one(registry):
    model = specialist(registry, "after_sales")
    ask = "I want to return the lamp from order #W4621646"
    first, question = after_read(model, ask, eligibility("returnable", items=[LAMP]))
    assert not question.tool_calls and "or other" in question.text
    result = ToolMessage(json.dumps(eligibility("returnable", items=[LAMP])), tool_call_id=first.tool_calls[0]["id"],
                         name=first.tool_calls[0]["name"])
    conversation = [HumanMessage(ask), first, result, question]
    [call] = model.invoke([*conversation, HumanMessage("it's too tight on me")]).tool_calls
    assert (call["name"], call["args"]["reason"]) == ("request_return", "other")
    # A question is no answer: the reasons are asked for again.
    again = model.invoke([*conversation, HumanMessage("what do the reasons mean?")])
    assert not again.tool_calls or again.tool_calls[0]["name"] != "request_return"


@pytest.mark.parametrize("ask", ["I want to update my email", "can I change my phone number"])
def test_a_change_naming_the_field_without_its_value_asks_for_it(registry, ask):
    reply = specialist(registry, "customer").invoke([HumanMessage(ask)])
    assert not reply.tool_calls and reply.text.startswith("To update a customer's profile, I need the")


def test_a_note_asked_for_is_the_answer_whole_and_never_the_request_naming_it(registry):
    model = specialist(registry, "order", Role.SUPPORT)
    conversation = [HumanMessage("add a note to an order")]
    conversation += [model.invoke(conversation), HumanMessage("#W4621646")]
    question = model.invoke(conversation)
    # "a note to an order" names the note; it is not its body.
    assert not question.tool_calls and "the body" in question.text
    conversation += [question, HumanMessage("customer called about delivery time")]
    [call] = model.invoke(conversation).tool_calls
    assert call["args"] == {"order_id": "#W4621646", "body": "customer called about delivery time"}


@pytest.mark.parametrize(
    ("agent", "role", "ask", "write"),
    [
        ("inventory", Role.WAREHOUSE, "I need to write off some stock", "record_stock_movement"),
        ("inventory", Role.MERCHANT, "we want to record a stock write-off", "record_stock_movement"),
        ("quality", Role.WAREHOUSE, "I need to schedule a quality inspection", "schedule_inspection"),
    ],
)
def test_a_request_that_means_to_act_asks_for_the_change_not_a_listing(registry, agent, role, ask, write):
    reply = specialist(registry, agent, role).invoke([HumanMessage(ask)])
    assert not reply.tool_calls
    assert reply.text.startswith(f"To {write.split('_')[0]}"), reply.text


def test_i_need_to_know_still_reads(registry):
    reply = specialist(registry, "inventory", Role.WAREHOUSE).invoke(
        [HumanMessage("I need to know how many HM-MUG-03 we have at BER-1")])
    assert [c["name"] for c in reply.tool_calls] == ["list_stock_levels"]


def test_a_rule_question_names_each_field_once_with_its_article(registry):
    reply = specialist(registry, "quality", Role.WAREHOUSE).invoke([HumanMessage("schedule a quality inspection")])
    assert "give the sku (for example KB-CLICKY-01), the rma number" in reply.text
    assert "a the" not in reply.text and "an the" not in reply.text


def test_a_count_with_a_huge_range_is_asked_with_its_example(registry):
    reply = specialist(registry, "inventory", Role.WAREHOUSE).invoke(
        [HumanMessage("record a write-off of HM-MUG-03 at BER-1")])
    assert "the quantity (for example 24)" in reply.text and "e+06" not in reply.text


@pytest.mark.parametrize(
    ("agent", "role", "ask", "write", "args"),
    [
        # A command led by the verb the write is named for acts, where a listing shares its words.
        ("payment", Role.MERCHANT, "refund #W1718342 in full", "refund_payment", {"order_id": "#W1718342"}),
        ("payment", Role.SUPPORT, "pls refnd 8.50 on order #W6710201, the box was dented", "refund_payment",
         {"order_id": "#W6710201", "amount": 8.5, "reason": "the box was dented"}),
        ("product", Role.MERCHANT, "set the price of AP-CAP-02 to 23.50", "update_product",
         {"product_id": "AP-CAP-02", "variants": [{"item_id": "AP-CAP-02", "price": 23.5}]}),
        ("after_sales", Role.SUPPORT, "reject the return on #W9512291, the customer changed their mind after 40 days",
         "update_rma_status", {"rma_number": "#W9512291", "status": "rejected",
                               "note": "the customer changed their mind after 40 days"}),
    ],
)
def test_a_command_proposes_its_write_with_what_it_says(registry, agent, role, ask, write, args):
    reply = specialist(registry, agent, role).invoke([HumanMessage(ask)])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [(write, args)]


def test_a_question_about_refunds_still_reads(registry):
    reply = specialist(registry, "payment", Role.MERCHANT).invoke([HumanMessage("how much was refunded on #W1718342?")])
    assert [c["name"] for c in reply.tool_calls] == ["get_order_payments"]


def test_a_write_the_state_forbids_gives_way_to_a_close_one_it_allows(registry):
    # "swap" reads as changing a pending order's items, but the order was delivered: that is an exchange.
    first, second = after_read(specialist(registry, "order"), "I want to swap an item in order #W4621646",
                               order("delivered", delivered_at="2026-03-02T10:00:00"))
    assert [c["name"] for c in first.tool_calls] == ["get_order_details"]
    assert not second.tool_calls and second.text.startswith("To request an exchange"), second.text


def test_cancelling_a_delivered_order_is_still_refused_with_what_can_be_done(registry):
    _, second = after_read(specialist(registry, "order"), "cancel order #W4621646",
                           order("delivered", delivered_at="2026-03-02T10:00:00"))
    assert not second.tool_calls and "can no longer be cancelled" in second.text


@pytest.mark.parametrize("answer", ["yes", "ok", "no"])
def test_a_bare_yes_or_no_to_a_question_for_details_keeps_the_question(registry, answer):
    model = specialist(registry, "warehouse", Role.ADMIN)
    ask = HumanMessage("create a warehouse")
    question = model.invoke([ask])
    assert not question.tool_calls and question.text.endswith("?")
    again = model.invoke([ask, question, HumanMessage(answer)])
    assert not again.tool_calls and again.text == question.text


def test_a_rule_names_fields_asked_under_one_label_once(registry):
    reply = specialist(registry, "customer").invoke([HumanMessage("I want to update my profile")])
    assert "the first and last name or the phone number" in reply.text
    assert reply.text.count("the first and last name") == 1


def test_an_update_naming_nothing_to_change_asks_what_to_change(registry):
    reply = specialist(registry, "product", Role.MERCHANT).invoke([HumanMessage("update the Soy Candle")])
    assert not reply.tool_calls and "give at least one of the name, the brand" in reply.text


@pytest.mark.parametrize(("text", "bare"), [("yes", True), ("ok", True), ("no thanks", True), ("nope", True),
                                            ("ok, complete it", False), ("yes, the second one", False)])
def test_a_bare_answer_is_a_yes_or_no_with_nothing_else(text, bare):
    assert _bare_answer(text) is bare


@pytest.mark.parametrize(
    ("ask", "agent"),
    [
        # Closest to the staff's fraud review queue, but a customer's review is a survey.
        ("I want to leave a review", "after_sales"),
        # Clearly staff work: the specialist who does it is chosen, and it says who may.
        ("show me the fraud review queue", "fraud"),
        ("move 5 KB-CLICKY-01 from PAR-1 to LYS-1", "inventory"),
    ],
)
def test_the_router_prefers_a_specialist_who_can_act_when_it_reads_nearly_as_well(registry, ask, agent):
    assert routed_among_all(registry, Role.CUSTOMER, ask) == [f"transfer_to_{agent}"]


@pytest.mark.parametrize(
    ("ask", "agent"),
    [
        # A city is where, not what: stock in a city is the stock specialist's, not the warehouse specialist's.
        ("how many HM-MUG-03 are left in Lyon?", "inventory"),
        ("how much stock of DK-LAMP-02 is in the Berlin warehouse?", "inventory"),
        ("how full is the Berlin warehouse?", "warehouse"),
    ],
)
def test_a_place_named_by_its_city_leaves_the_choice_to_what_is_asked(registry, ask, agent):
    assert routed_among_all(registry, Role.WAREHOUSE, ask) == [f"transfer_to_{agent}"]


def test_a_question_about_the_askers_own_goes_to_a_specialist_who_can_read_it(registry):
    # The warehouse specialist reads it best but serves staff; the policy library knows nothing of the order.
    assert routed_among_all(registry, Role.CUSTOMER, "has my order left the warehouse yet?") == ["transfer_to_order"]


def test_a_question_for_a_specialist_that_cannot_act_is_left_to_the_fallback(registry):
    # The router names the warehouse; the crew then hands a question it cannot serve to the policy library.
    ask = "how quickly does your warehouse pack an order?"
    assert routed_among_all(registry, Role.CUSTOMER, ask) == ["transfer_to_warehouse"]


def test_an_order_of_one_item_needs_no_question_about_which(registry):
    first, second = after_read(specialist(registry, "order"), "I want to return something from #W4621646",
                               order("delivered", delivered_at="2026-03-02T10:00:00"))
    assert [c["name"] for c in first.tool_calls] == ["get_order_details"]
    [write] = second.tool_calls
    assert (write["name"], write["args"]["item_ids"]) == ("return_delivered_order_items", ["1008292230"])


def test_a_text_we_asked_for_and_an_item_named_on_the_way_fill_the_claim(registry):
    model = specialist(registry, "after_sales")
    ask = HumanMessage("I want to make a warranty claim")
    # Which order is asked with the person's orders named: the after-sales specialist lists them with the order
    # specialist's lent listing.
    listing = model.invoke([ask])
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("list_orders", {"customer_id": "me"})]
    orders = {"orders": [{"order_id": "#W1718342", "status": "delivered", "item_names": ["Monitor Arm", "Soy Candle"]},
                         {"order_id": "#W6710201", "status": "delivered", "item_names": ["Logo T-Shirt"]}]}
    listed = ToolMessage(json.dumps(orders), tool_call_id=listing.tool_calls[0]["id"], name="list_orders")
    question = model.invoke([ask, listing, listed])
    assert not question.tool_calls and "#W1718342" in question.text and "#W6710201" in question.text
    conversation = [ask, listing, listed, question, HumanMessage("order #W1718342")]
    read = model.invoke(conversation)
    assert [c["name"] for c in read.tool_calls] == ["get_return_eligibility"]
    record = {"order_id": "#W1718342", "status": "delivered", "warranty_state": "covered",
              "items": [{"item_id": "6501929096", "name": "Monitor Arm"},
                        {"item_id": "4564071395", "name": "Soy Candle"}]}
    conversation += [read, ToolMessage(json.dumps(record), tool_call_id=read.tool_calls[0]["id"])]
    again = model.invoke(conversation)
    assert not again.tool_calls and "the description" in again.text
    conversation += [again, HumanMessage("the monitor arm")]
    still = model.invoke(conversation)
    assert not still.tool_calls and "the description" in still.text
    conversation += [still, HumanMessage("the clamp broke after two weeks")]
    [claim] = model.invoke(conversation).tool_calls
    assert claim["name"] == "submit_warranty_claim"
    assert claim["args"]["description"] == "the clamp broke after two weeks"
    assert claim["args"]["item"] == "6501929096"  # the order line the words name


@pytest.mark.parametrize(
    ("agent", "role", "ask", "tool"),
    [
        # A new value for a field a write takes asks for the change, not a look-up by that value.
        ("customer", Role.CUSTOMER, "I got a new email address: tom.p@mailbox.org", "update_customer"),
        ("customer", Role.CUSTOMER, "my new phone number is +32 470 12 34 56", "update_customer"),
        ("customer", Role.CUSTOMER, "my email changed, it's camille.f@example.org now", "update_customer"),
        ("customer", Role.CUSTOMER, "my last name is Dubois now", "update_customer"),
        # "a new customer" is a record to create, not a new value of a customer field.
        ("customer", Role.SUPPORT, "I need to set up an account for a new customer", "create_customer"),
        # A command led by an everyday verb for a write asks for the write ("change" for an update).
        ("customer", Role.CUSTOMER, "change my email please", "update_customer"),
        # A command to look something up reads, whatever the names in it share with a write's example.
        ("customer", Role.SUPPORT, "pull up the customer Grace Moreau", "list_customers"),
        ("customer", Role.SUPPORT, "show me the customer Julia Weber", "list_customers"),
        # A question put after a statement reads (first listing the person's orders to find the t-shirt's),
        # whatever write the statement resembles (an exchange of "the t-shirt").
        ("order", Role.CUSTOMER, "my navy t-shirt hasn't come yet, where is it right now?", "list_orders"),
        # What someone wants changed on a record is a new value for it, however the change is put.
        ("customer", Role.SUPPORT, "I've got a customer on the line who lost access to her old mailbox and wants the "
                                   "email on her account changed. she's passed the security questions.",
         "update_customer"),
    ],
)
def test_what_the_request_asks_for_decides_between_reading_and_writing(registry, agent, role, ask, tool):
    reply = specialist(registry, agent, role).invoke([HumanMessage(ask)])
    named = [c["name"] for c in reply.tool_calls] or [t for t in (tool,) if reply.text.startswith(
        f"To {view(as_langchain_tool(registry.get(tool))).description[0].lower()}")]
    assert named == [tool]


@pytest.mark.parametrize(
    ("agent", "ask"),
    [
        ("payment", "my refund for W8606604 never came, I want to speak to a manager"),
        ("transport", "where is my parcel? I want to talk to someone"),
        ("order", "I was charged twice for W3092936, I need someone from billing to call me"),
        ("after_sales", "please have someone contact me about my exchange"),
        # Put through to one, after a complaint that reads like nothing the specialist does.
        ("customer", "I keep going round in circles here, put me through to a real person please"),
        ("customer", "this is hopeless, can I talk to someone"),
        # The words that only insist ("an actual person") are passed over, beside a carrier the tools know.
        ("transport", "I've stayed home two days for this. I want an actual person to chase DPD, not another status "
                      "update"),
        # Or handed over to one, or asked to fetch one, beside a record the specialist would read.
        ("payment", "this is above my pay grade, escalate order #W4782718 to a manager"),
        ("order", "it STILL says pending. I've had enough of automated answers, please get a real person to check it "
                  "will arrive in time."),
    ],
)
def test_a_clause_asking_for_a_person_hands_the_conversation_over(registry, agent, ask):
    [call] = specialist(registry, agent).invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == "open_support_case"
    assert call["args"]["summary"]


def test_a_thing_handed_over_to_a_place_asks_for_no_person(registry):
    [call] = specialist(registry, "inventory", Role.WAREHOUSE).invoke([HumanMessage(
        "transfer 10 units of KB-CLICKY-01 from PAR-1 to the Lyon warehouse LYS-1")]).tool_calls
    assert call["name"] == "transfer_stock"


@pytest.mark.parametrize(
    ("ask", "agent"),
    [
        # A question about how things go, about no record of the asker's: the policy library, first.
        ("what happens to my loyalty points if I close my account?", "knowledge"),
        ("if the courier loses a parcel, what do you do?", "knowledge"),
        ("once a return is received, how long until the refund shows up?", "knowledge"),
        # Put to the shop about what it does, naming nothing a specialist holds.
        ("do you deliver on saturdays?", "knowledge"),
        ("when do you take the money from my card?", "knowledge"),
        # Asked as a command, or about a record named by its number: the specialist who acts.
        ("can you cancel my order if it hasn't shipped yet?", "order"),
        ("once W4817420 is delivered, can I still return it?", "after_sales"),
    ],
)
def test_the_router_gives_a_question_about_the_rules_to_the_policy_library(registry, ask, agent):
    reply = router(registry).invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls][:1] == [f"transfer_to_{agent}"]


@pytest.mark.parametrize(
    "ask",
    [
        "this is the second time I write, I need a human to look at my order W4817420",
        "my order W4817420 has been stuck for a week, get me a manager",
        "can I speak to a person about order #W2611340? it never came",
    ],
)
def test_the_router_gives_a_request_for_a_person_to_the_specialist_whose_words_name_one(registry, ask):
    # Every specialist may open a support case; the one whose own tools speak of people gets the request first,
    # whatever order it is about.
    reply = router(registry).invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls][:1] == ["transfer_to_customer"]


@pytest.mark.parametrize(
    ("agent", "ask"),
    [
        ("transport", "where is my parcel W1465974?"),
        # A person mentioned is not a person asked for.
        ("product", "I'm buying a gift for someone, which mug would you recommend?"),
        ("product", "I need help choosing a keyboard, something quiet for the office"),
    ],
)
def test_a_request_that_asks_for_no_person_stays_with_the_specialist(registry, agent, ask):
    calls = specialist(registry, agent).invoke([HumanMessage(ask)]).tool_calls
    assert calls and all(c["name"] != "open_support_case" for c in calls)


def test_the_router_reads_the_request_before_a_colon_not_the_content_after_it(registry):
    reply = router(registry, Role.ADMIN).invoke([HumanMessage(
        "write a new help article titled Holiday opening hours: we are closed on 25 December and 1 January, "
        "orders placed then leave the next business day")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_knowledge"]


def test_a_record_called_mine_is_listed_by_a_listing_that_shows_customers_their_own(registry):
    reply = specialist(registry, "customer").invoke([HumanMessage("what's happening with my support case?")])
    [call] = reply.tool_calls
    assert (call["name"], call["args"]) == ("list_support_cases", {})


class RefundIn(BaseModel):
    order_id: str = Field(description="Order number, e.g. #W2611340.", examples=["#W2611340"])
    payment_method_id: str = Field(min_length=2, description="Saved payment method the money goes to.",
                                   examples=["gift_card_7245904"])


def test_a_yes_to_a_question_offering_one_choice_takes_it(registry):
    refund = make_tool("refund_order", "Refund an order to one of the customer's payment methods.", RefundIn,
                       ["refund order #W2611340"], confirm=True)
    model = LocalChatModel(today=TODAY).bind_tools([refund])
    read = AIMessage("", tool_calls=[{"name": "get_order_details", "args": {"order_id": "#W4621646"}, "id": "c1"}])
    conversation = [HumanMessage("what's in #W4621646?"), read,
                    ToolMessage(json.dumps(order("delivered")), tool_call_id="c1", name="get_order_details"),
                    AIMessage("Order #W4621646 holds a Halo Desk Lamp."), HumanMessage("please refund order #W4621646")]
    question = model.invoke(conversation)
    assert question.text.endswith("(credit_card_2705501 (original payment)). What is it?")
    [call] = model.invoke([*conversation, question, HumanMessage("yes")]).tool_calls
    assert (call["name"], call["args"]) == (
        "refund_order", {"order_id": "#W4621646", "payment_method_id": "credit_card_2705501"})


def test_of_two_close_readings_a_lead_command_says_the_job(registry):
    # The whole reads as much like a returned parcel as like a refund; its first clause asks for a refund.
    reply = router(registry, Role.MERCHANT).invoke([HumanMessage("refund 20 on W5520538, the keyboard box was dented")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_payment"]
    # A lead clause that opens with a record's number is no command: the whole request is read.
    reply = router(registry, Role.MERCHANT).invoke([HumanMessage(
        "W3517254 is fine, let it through, the customer confirmed by phone")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_fraud"]


def test_the_router_follows_the_one_clause_that_is_clearly_a_job(registry):
    reply = router(registry).invoke([HumanMessage("the chair I got is broken and nobody helps, escalate this please")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_customer"]


def test_a_report_mentioning_payment_methods_is_no_way_to_find_a_customers_card(registry):
    reply = specialist(registry, "payment", Role.MERCHANT).invoke([HumanMessage(
        "charge order #W9399810 again on the card")])
    assert reply.tool_calls == [] and "payment method" in reply.text


@pytest.mark.parametrize(
    ("agent", "role", "ask"),
    [
        ("after_sales", Role.CUSTOMER, "what's your warranty on keyboards?"),
        ("order", Role.CUSTOMER, "can I change my order after it ships?"),
        ("warehouse", Role.WAREHOUSE, "how do we handle inbound deliveries from suppliers?"),
        ("transport", Role.CUSTOMER, "do you ship to Switzerland?"),  # no list of the asker's parcels
        ("transport", Role.CUSTOMER, "do you deliver on saturdays?"),  # "deliver" names a status, still no list
        ("customer", Role.CUSTOMER, "will I lose my loyalty points if I don't order for a while?"),
        ("customer", Role.CUSTOMER, "is there a limit on how many delivery addresses I can save?"),
        ("documents", Role.CUSTOMER, "I need a VAT invoice for my company, how does that work?"),
        ("after_sales", Role.CUSTOMER, "how long is the warranty on headphones?"),
        # What the shop takes, not the asker's saved methods; whether one may, not a list of what one has.
        ("payment", Role.CUSTOMER, "what payment methods do you take?"),
        ("payment", Role.CUSTOMER, "can i pay cash on delivery"),
        # Asking what to do, or how long one has, asks for advice.
        ("transport", Role.CUSTOMER, "my tracking hasn't updated in days, what should I do?"),
        ("after_sales", Role.CUSTOMER, "the box came crushed, how long do I have to report it?"),
        # Of the shop's own, not the asker's cases.
        ("customer", Role.CUSTOMER, "when is your support team around?"),
        # What would follow, though "my" fills whose methods a listing would show.
        ("payment", Role.CUSTOMER, "if i delete my account what happens to my gift card balance?"),
    ],
)
def test_a_question_about_how_things_go_is_answered_from_the_policy_library(registry, agent, role, ask):
    [call] = specialist(registry, agent, role).invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == "answer_question"


@pytest.mark.parametrize("ask", [
    "I ordered two of the orange daypacks. I would prefer them in black, if that is possible. Could you change it?",
    "could you change my order so the daypacks come in black, if you don't mind?",
])
def test_an_if_of_politeness_sets_no_condition_and_the_request_is_acted_on(registry, ask):
    # "if that is possible" is a courtesy, not the condition of a rule the library would explain.
    [call] = specialist(registry, "order").invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == "list_orders"


def test_asking_for_a_person_after_an_answer_hands_over_whatever_else_the_words_resemble(registry):
    # "review" is a word of the staff's claims to review; what the clause asks for is a person.
    model = specialist(registry, "after_sales")
    conversation = [HumanMessage("what happened to my mug return?")]
    listed = model.invoke(conversation)
    returns = {"returns": [{"rma_number": "RMA-20261005-EA3ADAFA", "status": "rejected", "order_id": "#W6422752"}]}
    conversation += [listed, ToolMessage(json.dumps(returns), tool_call_id=listed.tool_calls[0]["id"])]
    conversation += [model.invoke(conversation), HumanMessage("I don't accept that, I want a person to review it")]
    [call] = model.invoke(conversation).tool_calls
    assert call["name"] == "open_support_case"


def test_a_second_specialist_takes_its_own_part_of_two_asks(registry):
    # The payment specialist answered the balance; the order specialist's part is the order, not the payment
    # methods it is lent for paying an order.
    text = "what's my gift card balance and where is order W2362044?"
    reply = router(registry).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_payment", "transfer_to_order"]
    answered = AIMessage("This account has 3 saved payment methods", name="payment")
    [call] = specialist(registry, "order").invoke([HumanMessage(text), answered]).tool_calls
    assert (call["name"], call["args"]) == ("get_order_details", {"order_id": "#W2362044"})


def test_a_correction_after_a_refusal_asks_again_for_the_other_record(registry):
    model = specialist(registry, "order")
    conversation = [HumanMessage("cancel order W6420918")]
    first = model.invoke(conversation)
    refused = {**order("processed"), "order_id": "#W6420918"}
    conversation += [first, ToolMessage(json.dumps(refused), tool_call_id=first.tool_calls[0]["id"])]
    conversation += [model.invoke(conversation), HumanMessage("oh wait, I meant W2093114")]
    read = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W2093114"})]
    pending = {**order("pending"), "order_id": "#W2093114"}
    conversation += [read, ToolMessage(json.dumps(pending), tool_call_id=read.tool_calls[0]["id"])]
    assert "reason" in model.invoke(conversation).text  # the cancellation goes on, for the other order


def test_the_shops_own_records_still_answer_what_it_uses(registry):
    [call] = specialist(registry, "transport").invoke([HumanMessage("which carriers do you use?")]).tool_calls
    assert call["name"] == "list_carriers"


def test_of_two_close_readings_the_one_clause_put_as_a_request_says_the_job(registry):
    # "changed my mind" reads like a new return; the request in the last clause is to withdraw one.
    reply = specialist(registry, "after_sales").invoke([HumanMessage(
        "I changed my mind, I'm keeping the lamp and the stove, please cancel my return on W9653244")])
    assert [c["name"] for c in reply.tool_calls] == ["get_rma"]  # cancel_return's precondition reads the return
    # A specialist reads the whole command: its other clause names the one variant.
    merchant = specialist(registry, "product", Role.MERCHANT)
    [call] = merchant.invoke([HumanMessage("stop selling the black cap, AP-CAP-01")]).tool_calls
    assert call["name"] == "update_product"


def test_saying_what_a_state_does_asks_for_the_change(registry):
    reply = specialist(registry, "marketplace", Role.ADMIN).invoke(
        [HumanMessage("stop syncing the sandbox channel for now")])
    assert [(c["name"], c["args"].get("status")) for c in reply.tool_calls] == [
        ("update_marketplace_connection", "paused")]


def test_asking_for_a_thing_made_is_a_write_not_a_look_up(registry):
    # "I need a return authorisation" reads as much like "has my RMA been approved" as like asking for one.
    first = specialist(registry, "after_sales").invoke([HumanMessage("I need a return authorisation for W8024657")])
    assert [c["name"] for c in first.tool_calls] == ["get_return_eligibility"]  # request_return's precondition


@pytest.mark.parametrize(
    ("ask", "tool"),
    [("where is my order?", "list_orders"), ("what's the status of #W4621646?", "get_order_details")],
)
def test_a_question_about_the_askers_own_records_still_reads_them(registry, ask, tool):
    [call] = specialist(registry, "order").invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == tool


@pytest.mark.parametrize(
    ("agent", "role", "ask", "tool"),
    [
        # Records asked about by their plural: the listing named for them.
        ("after_sales", Role.ADMIN, "which returns still need someone to approve them?", "list_returns"),
        ("order", Role.MERCHANT, "which orders did the fraud check put on hold?", "list_orders"),
        # Staff asking about the shop's own records, and a question that filters a listing, still list.
        ("transport", Role.WAREHOUSE, "do we have any shipments in transit?", "list_shipments"),
        ("product", Role.CUSTOMER, "do you have the Keycap Hoodie in size L?", "find_product_variants"),
    ],
)
def test_a_question_asking_for_records_lists_them(registry, agent, role, ask, tool):
    [call] = specialist(registry, agent, role).invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == tool


@pytest.mark.parametrize(
    ("agent", "role", "ask", "tool"),
    [
        ("fraud", Role.ADMIN, "Is noah_johnson_8985 a fraud risk?", "score_customer_fraud"),
        ("risk", Role.MERCHANT, "any anomalies in refunds this week?", "detect_anomalies"),
        ("backoffice", Role.MERCHANT, "how did we sell last month?", "create_sales_report"),
    ],
)
def test_a_question_a_tool_answers_by_computing_stays_with_the_tool(registry, agent, role, ask, tool):
    [call] = specialist(registry, agent, role).invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == tool


@pytest.mark.parametrize("ask", [
    "why hasn't the stove order moved at all?", "any idea when my socks will get here?",
    # Named by what the speaker did with it, and asked of in a "before" that is no rule.
    "the rain jacket in the order I placed on Wednesday is the wrong size. can I still change it before it goes out?",
])
def test_an_order_named_by_what_it_holds_is_found_among_the_speakers_own(registry, ask):
    # Put as questions that name no number, yet about one record: not for the policy library.
    reply = specialist(registry, "order").invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls] == ["list_orders"], reply.tool_calls


def test_the_question_a_story_leads_to_is_what_is_asked(registry):
    reply = specialist(registry, "transport").invoke([HumanMessage(
        "stuck at home all morning for the monitor arms. is dpd actualy comming today or not??")])
    assert [c["name"] for c in reply.tool_calls] == ["list_shipments"], reply.tool_calls


def test_a_question_about_the_rule_for_any_order_goes_to_the_policy_library(registry):
    reply = specialist(registry, "order").invoke([HumanMessage("can I change my order after it ships?")])
    assert [c["name"] for c in reply.tool_calls] == ["answer_question"]


def test_a_record_named_by_number_is_acted_on_rather_than_made_anew(registry):
    # The alert's subject reads like raising one; "alert 1" says it exists, and only some tools take its id.
    reply = specialist(registry, "monitoring", Role.SUPPORT).invoke([HumanMessage(
        "the late carrier tracking problem is fixed now, close alert 1")])
    assert [(c["name"], c["args"].get("alert_id")) for c in reply.tool_calls] == [("resolve_system_alert", 1)]


def test_filing_in_everyday_words_is_a_submission(registry):
    reply = specialist(registry, "after_sales").invoke([HumanMessage(
        "the scroll wheel on my Glide mouse from W4912529 stopped working, please log it under warranty")])
    gate = registry.get("submit_warranty_claim").precondition
    assert [c["name"] for c in reply.tool_calls] == [gate.read], reply.tool_calls


CANDLES = {"variants": [
    {"item_id": "2947332300", "product_id": "1111111111", "name": "Soy Candle", "sku": "HM-CANDLE-02",
     "options": {"scent": "fig", "size": "small"}},
    {"item_id": "2947332326", "product_id": "1111111111", "name": "Soy Candle", "sku": "HM-CANDLE-04",
     "options": {"scent": "sea salt", "size": "small"}},
    {"item_id": "2947332399", "product_id": "1111111111", "name": "Soy Candle", "sku": "HM-CANDLE-06",
     "options": {"scent": "sea salt", "size": "large"}},
], "total": 3}


def test_a_write_naming_a_product_in_words_reads_its_variants_and_takes_the_one_named(registry):
    model = specialist(registry, "inventory", Role.WAREHOUSE)
    ask = HumanMessage("a shelf came down in Paris and 3 of the small sea salt candles got smashed, take them off "
                       "the books")
    first = model.invoke([ask])
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("find_product_variants", {"product_id": "small sea salt candles"})]
    listed = ToolMessage(json.dumps(CANDLES), tool_call_id=first.tool_calls[0]["id"], name="find_product_variants")
    [write] = model.invoke([ask, first, listed]).tool_calls
    assert write["name"] == "record_stock_movement"
    assert write["args"] == {"item_ref": "2947332326", "warehouse": "Paris", "kind": "write_off", "quantity": 3}


def test_options_that_leave_several_variants_ask_which_item(registry):
    model = specialist(registry, "inventory", Role.WAREHOUSE)
    ask = HumanMessage("3 of the sea salt candles got smashed in Paris, write them off")
    first = model.invoke([ask])
    listed = ToolMessage(json.dumps(CANDLES), tool_call_id=first.tool_calls[0]["id"], name="find_product_variants")
    reply = model.invoke([ask, first, listed])
    assert not reply.tool_calls and "item" in reply.text.lower() and reply.text.endswith("?")


def test_a_setting_named_anywhere_takes_the_lone_number(registry):
    model = specialist(registry, "inventory", Role.WAREHOUSE)
    ask = HumanMessage("we keep running out of the gas camp stove in Berlin, start reordering once it gets down to 12")
    first = model.invoke([ask])
    assert [c["name"] for c in first.tool_calls] == ["find_product_variants"]
    stoves = {"variants": [{"item_id": "3820174165", "product_id": "2222222222", "name": "Micro Camp Stove",
                            "sku": "OD-STOVE-01", "options": {"fuel": "gas"}}], "total": 1}
    listed = ToolMessage(json.dumps(stoves), tool_call_id=first.tool_calls[0]["id"], name="find_product_variants")
    [write] = model.invoke([ask, first, listed]).tool_calls
    assert (write["name"], write["args"]) == (
        "update_stock_settings", {"item_ref": "3820174165", "warehouse": "Berlin", "reorder_point": 12})


@pytest.mark.parametrize(("ask", "tool"), [
    ("we've stopped carrying the Studio One headphones, pull them from the catalogue", "archive_product"),
    ("we're going to start selling garden things, set up a Garden category for them", "create_category"),
    # A clause of looking only asks to read.
    ("we've stopped carrying the Studio One headphones, show them to me", "get_product_details"),
])
def test_a_clause_telling_us_to_act_asks_for_the_write(registry, ask, tool):
    reply = specialist(registry, "product", Role.MERCHANT).invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls] == [tool]


def test_asked_to_sort_out_a_document_it_is_made_not_looked_up_by_a_number_never_given(registry):
    # Reads most like the invoice lookup, which needs the invoice's number; asked to act, the order's invoice is
    # issued, its order found among the speaker's own first.
    ask = HumanMessage("the microphone I bought from you in October counts as a business expense. my accountant "
                       "needs a proper invoice for it with the VAT shown, can you sort that?")
    reply = specialist(registry, "documents").invoke([ask])
    assert [c["name"] for c in reply.tool_calls] == ["list_orders"]


INVOICE_ORDERS = {"orders": [
    {"order_id": "#W9021036", "status": "on_hold", "item_names": ["Lowline Wireless Keyboard", "Merino Socks"]},
    {"order_id": "#W3827799", "status": "delivered", "item_names": ["Glide Wireless Mouse", "Clacky 87 Keyboard"]},
    {"order_id": "#W8713982", "status": "return_requested", "item_names": ["Aluminium Laptop Stand"]}], "total": 3}


@pytest.mark.parametrize("ask", [
    "my company wants a proper invoice with the VAT on it. can you give me one?",
    # Which purchase is left to say, whatever the words around it ("tax return" picks no order being returned).
    "Good morning. I am self-employed and require a proper invoice showing the VAT for one of my purchases, for my "
    "tax return.",
])
def test_a_needed_invoice_is_issued_for_the_order_the_answer_picks_by_what_it_holds(registry, ask):
    model = specialist(registry, "documents")
    first = model.invoke([HumanMessage(ask)])
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [("list_orders", {"customer_id": "me"})]
    conversation = [HumanMessage(ask), first, ToolMessage(json.dumps(INVOICE_ORDERS), name="list_orders",
                                                          tool_call_id=first.tool_calls[0]["id"])]
    question = model.invoke(conversation)
    assert not question.tool_calls and question.text.endswith("What is it?")
    # A whole phrase naming the order by what it holds answers the question, though it reads like a request.
    answer = HumanMessage("the order with the clacky keyboard and the pink mouse, from August")
    [call] = model.invoke([*conversation, question, answer]).tool_calls
    assert (call["name"], call["args"]) == ("issue_invoice", {"order_id": "#W3827799"})


def test_an_item_code_the_tool_cannot_take_is_a_misfit(registry):
    # A stock valuation reads like the question but takes no item: the reading taking the item is chosen.
    model = specialist(registry, "inventory", Role.WAREHOUSE)
    [call] = model.invoke([HumanMessage("how much stock of DK-LAMP-02 is in Berlin?")]).tool_calls
    assert call["args"].get("item_ref") == "DK-LAMP-02"
    [value] = model.invoke([HumanMessage("what is our stock in Berlin worth?")]).tool_calls
    assert value["name"] == "get_inventory_value"


def test_told_to_act_the_write_that_leads_clearly_is_taken(registry):
    model = specialist(registry, "product", Role.ADMIN)
    told = model.invoke([HumanMessage(
        "the self-watering planter is discontinued by the supplier, take it off the shop")])
    # The write reads the product it names in words first.
    assert [(c["name"], c["args"]) for c in told.tool_calls] == [
        ("find_product_variants", {"product_id": "self-watering planter"})]
    # Only said, never asked for: nothing is archived.
    said = model.invoke([HumanMessage("the self-watering planter is discontinued by the supplier")])
    assert all(registry.get(c["name"]).mutates is False for c in said.tool_calls)


def test_a_value_for_the_time_to_come_is_a_change(registry):
    model = specialist(registry, "customer", Role.CUSTOMER)
    [call] = model.invoke([HumanMessage("please use clara.w@mailbox.org for me from now on")]).tool_calls
    assert (call["name"], call["args"]) == ("update_customer", {"email": "clara.w@mailbox.org"})


@pytest.mark.parametrize("when", ["from today", "as of tomorrow", "from now on"])
def test_a_price_for_the_time_to_come_changes_the_variant_named_in_words(registry, when):
    model = specialist(registry, "product", Role.MERCHANT)
    ask = HumanMessage(f"the white multi-pattern microphone should sell for 134.90 {when}")
    first = model.invoke([ask])
    # The write reads the product it names in words first, then changes the variant its options name.
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("find_product_variants", {"product_id": "white multi-pattern microphone"})]
    variants = {"variants": [
        {"item_id": "AU-MIC-03", "product_id": "2381599414", "options": {"colour": "white", "pattern": "cardioid"}},
        {"item_id": "AU-MIC-04", "product_id": "2381599414", "options": {"colour": "white", "pattern": "multi"}}]}
    read = ToolMessage(json.dumps(variants), tool_call_id=first.tool_calls[0]["id"], name="find_product_variants")
    [write] = model.invoke([ask, first, read]).tool_calls
    assert write["name"] == "update_product"
    assert write["args"]["variants"][0] | {"item_id": "AU-MIC-04", "price": 134.9} == write["args"]["variants"][0]


def test_news_of_something_sent_back_is_the_return_status(registry):
    model = specialist(registry, "after_sales", Role.CUSTOMER)
    ask = HumanMessage("any news on the mug I sent back?")
    first = model.invoke([ask])
    assert [c["name"] for c in first.tool_calls] == ["list_customer_returns"]
    returns = {"returns": [{"rma_number": "RMA-20261121-64DCCF32", "status": "received", "units": 2,
                            "order_id": "#W6011741", "item_names": ["Stoneware Mug"]}], "total": 1}
    listed = ToolMessage(json.dumps(returns), tool_call_id=first.tool_calls[0]["id"], name="list_customer_returns")
    reply = model.invoke([ask, first, listed])
    assert "get_return_eligibility" not in [c["name"] for c in reply.tool_calls]
    assert reply.tool_calls or "received" in reply.text


@pytest.mark.parametrize("ask", ["I need to write off some kettles", "we have to write off two kettles in Paris"])
def test_a_request_naming_the_kind_of_change_a_write_makes_asks_for_its_details(registry, ask):
    # "write off" is a kind of stock movement: the write, not a look at the kettles' stock.
    reply = specialist(registry, "inventory", Role.WAREHOUSE).invoke([HumanMessage(ask)])
    assert not reply.tool_calls and reply.text.startswith("To record a stock movement")


def test_a_question_put_between_statements_reads(registry):
    # "I cancelled an order" tells what was done; the question after it asks to read, not to cancel anything.
    ask = ("I cancelled an order for a speaker back in september, did the money actually go back to my paypal? "
           "I can't find it anywhere")
    [call] = specialist(registry, "order").invoke([HumanMessage(ask)]).tool_calls
    assert (call["name"], call["args"]) == ("list_orders", {"status": "cancelled"})


@pytest.mark.parametrize(("agent", "role", "ask", "tool"), [
    # The request comes last, drawn from the story before it with "so".
    ("payment", Role.SUPPORT, "Louis Smith just rang, the sage mug in his order W7075964 arrived with a small chip on "
     "the rim. he's happy to keep it, so just give him 10 euros back as a goodwill gesture", "refund_payment"),
    ("payment", Role.MERCHANT, "Ava Martin wrote in: one of the two black tees in W8013797 has a smudged print. "
     "she's happy to keep it, so let's just give her 15 euros back on that order", "refund_payment"),
    # "so it ..." states; the story alone reads the order's payments.
    ("payment", Role.SUPPORT, "Louis Smith just rang, the sage mug in his order W7075964 arrived with a small chip on "
     "the rim, so it is not perfect", "get_order_payments"),
])
def test_a_request_drawn_with_so_from_a_story_is_the_job(registry, agent, role, ask, tool):
    reply = specialist(registry, agent, role).invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls] == [tool]


def test_a_specialist_unsure_of_the_whole_follows_the_one_clause_clearly_its(registry):
    # The story of the delivery reads like many things; the score is clearly a survey.
    ask = ("some feedback on order W8606604: it turned up a couple of days later than I hoped but everything works "
           "fine. I'd give it 4 out of 5, and probably an 8 out of 10 for recommending you to friends")
    [survey] = specialist(registry, "after_sales").invoke([HumanMessage(ask)]).tool_calls
    assert (survey["name"], survey["args"]["order_id"], survey["args"]["rating"], survey["args"]["nps"]) == (
        "submit_survey", "#W8606604", 4, 8)


@pytest.mark.parametrize(("ask", "status"), [
    # A carrier's news names a tracking event's status: that event is recorded, not a new shipment booked.
    ("the DPD driver says #W7597876 is out for delivery today", "out_for_delivery"),
    # A parcel crushed or lost is the carrier's exception.
    ("FedEx just rang: parcel FX179554571497 got crushed at the Roissy hub and they're holding it there. can you log "
     "that on the tracking?", "exception"),
    # So is a failed delivery: the parcel went back to the depot.
    ("UPS says 1Z4430 couldn't be delivered, nobody answered and it went back to the depot. please add that to its "
     "tracking", "exception"),
])
def test_a_carriers_news_is_recorded_as_the_tracking_event_it_names(registry, ask, status):
    [event] = specialist(registry, "transport", Role.WAREHOUSE).invoke([HumanMessage(ask)]).tool_calls
    assert (event["name"], event["args"]["status"]) == ("add_tracking_event", status)


@pytest.mark.parametrize(("status", "said"), [("on_hold", "is on hold, so it can't be packed"),
                                              ("delivered", "is delivered, so it can't be packed")])
def test_packing_reads_the_orders_state_from_its_pick_list_first(registry, status, said):
    pick_list = {"order_id": "#W8438389", "order_status": status, "warehouses": [], "total_units": 0}
    first, second = after_read(specialist(registry, "warehouse", Role.WAREHOUSE), "pack order W8438389", pick_list)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [("get_pick_list", {"order_id": "#W8438389"})]
    assert not second.tool_calls and said in second.text


def test_a_pending_order_is_packed_once_its_pick_list_is_read(registry):
    pick_list = {"order_id": "#W8438389", "order_status": "pending", "warehouses": [], "total_units": 2}
    _, second = after_read(specialist(registry, "warehouse", Role.WAREHOUSE), "pack order W8438389", pick_list)
    assert [(c["name"], c["args"]) for c in second.tool_calls] == [("pack_order", {"order_id": "#W8438389"})]


def test_a_request_with_a_deadline_acts_on_the_record_the_listing_shows(registry):
    # "before it goes out" is when, not the condition of a rule: the one order listed is cancelled, once read.
    model = specialist(registry, "order")
    ask = "I don't need that order at all now, can you stop it before it goes out?"
    conversation = listed(model, [HumanMessage(ask)], [{"order_id": "#W6372508", "status": "pending",
                                                         "item_names": ["Bitstream DAC Amp (silver)"]}])
    [call] = model.invoke(conversation).tool_calls
    assert call["name"] in ("get_order_details", "cancel_pending_order") and call["args"]["order_id"] == "#W6372508"


@pytest.mark.parametrize("ask", ["fig candle ordered like 10 days ago, still not here. wheres it at",
                                 "my socks still aren't here, where are they"])
def test_a_question_put_last_without_its_mark_reads(registry, ask):
    reply = specialist(registry, "order").invoke([HumanMessage(ask)])
    assert not reply.text.startswith("To cancel") and all(
        c["name"] in ("list_orders", "get_order_details") for c in reply.tool_calls)


def test_a_remark_beside_a_clear_question_lends_no_other_tool(registry):
    # "trying to work out if it's worth it" reads a little like asking for a person; the question is the library's.
    ask = ("what do you actually get once you hit platinum in your loyalty programme? trying to work out if it's "
           "worth putting all my shopping through you")
    [call] = specialist(registry, "knowledge").invoke([HumanMessage(ask)]).tool_calls
    assert call["name"] == "answer_question"


@pytest.mark.parametrize(("follow_up", "site"), [("and Berlin?", "Berlin"), ("what about BER-1?", "BER-1")])
def test_a_follow_up_naming_another_value_asks_the_last_question_again_for_it(registry, follow_up, site):
    model = specialist(registry, "warehouse", Role.WAREHOUSE)
    ask = HumanMessage("how much space is left in Lyon?")
    [call] = model.invoke([ask]).tool_calls
    assert call["args"] == {"warehouse_ref": "Lyon"}
    result = ToolMessage(json.dumps({"warehouse": "LYS-1", "capacity": 12000, "used": 6663}), tool_call_id=call["id"],
                         name=call["name"])
    answered = [ask, AIMessage("", tool_calls=[call]), result, AIMessage("LYS-1 has room for 5337 more.")]
    [again] = model.invoke([*answered, HumanMessage(follow_up)]).tool_calls
    assert (again["name"], again["args"]) == ("get_warehouse_capacity", {"warehouse_ref": site})


def test_a_new_phone_number_told_of_a_customer_asks_for_it_to_change_it(registry):
    # "Had ... on the phone" tells, as "I had ..." would: it asks nothing, so the change is not stepped back from.
    reply = specialist(registry, "customer", Role.SUPPORT).invoke([HumanMessage(
        "Had Louis Smith on the phone, he's switched mobile numbers and wants the new one on his account.")])
    assert not reply.tool_calls and "update a customer's profile" in reply.text and "phone number" in reply.text


def test_the_one_record_listed_is_what_approve_it_points_at(registry):
    model = specialist(registry, "backoffice", Role.MERCHANT)
    ask = HumanMessage("there's a refund waiting for my sign-off, what is it?")
    [listing] = model.invoke([ask]).tool_calls
    assert listing["name"] == "list_approval_requests"
    rows = {"approvals": [{"id": 7, "kind": "refund", "subject": "#W4974208", "status": "pending",
                           "summary": "refund of 112.71 EUR on #W4974208"}], "total": 1}
    shown = [ask, AIMessage("", tool_calls=[listing]),
             ToolMessage(json.dumps(rows), tool_call_id=listing["id"], name=listing["name"]),
             AIMessage("1 approval request: refund of 112.71 EUR on #W4974208.")]
    [write] = model.invoke([*shown, HumanMessage("fair enough, that delivery really was late. approve it")]).tool_calls
    assert (write["name"], write["args"]["approval_id"]) == ("approve_request", 7)


def test_same_again_for_another_record_reads_its_precondition_then_proposes_the_same_write(registry):
    model = specialist(registry, "after_sales", Role.SUPPORT)
    settled = {"rma_number": "RMA-20261115-5A3FD2C7", "order_id": "#W4254963", "status": "refunded"}
    ask = HumanMessage("Sofia Roux's cable return RMA-20261115-5A3FD2C7 has passed inspection, can you pay her out?")
    done = AIMessage("", tool_calls=[{"name": "resolve_return", "args": {"rma_number": "RMA-20261115-5A3FD2C7"},
                                      "id": "w1", "type": "tool_call"}])
    history = [ask, done, ToolMessage(json.dumps(settled), tool_call_id="w1", name="resolve_return"),
               AIMessage("Return RMA-20261115-5A3FD2C7 is refunded.")]
    again = HumanMessage("she's got another one sitting there inspected, the hoodie from #W3746945. same again please")
    [read] = model.invoke([*history, again]).tool_calls
    assert (read["name"], read["args"]) == ("get_rma", {"rma_number": "#W3746945"})
    inspected = {"rma_number": "RMA-20261127-F0AB07A2", "order_id": "#W3746945", "status": "inspected"}
    result = ToolMessage(json.dumps(inspected), tool_call_id=read["id"], name=read["name"])
    [write] = model.invoke([*history, again, AIMessage("", tool_calls=[read]), result]).tool_calls
    assert (write["name"], write["args"]) == ("resolve_return", {"rma_number": "#W3746945"})


def test_the_same_question_for_another_case_changes_the_value_it_names(registry):
    model = specialist(registry, "transport", Role.CUSTOMER)
    ask = HumanMessage("the box would be about 2 kg, what would delivery to Italy cost me?")
    [call] = model.invoke([ask]).tool_calls
    assert call["args"] == {"weight_kg": 2.0, "destination": "Italy"}
    answered = [ask, AIMessage("", tool_calls=[call]),
                ToolMessage(json.dumps({"quotes": []}), tool_call_id=call["id"], name=call["name"]),
                AIMessage("Shipping 2 kg to Italy: Colis Privé 12.90 EUR.")]
    [again] = model.invoke([*answered, HumanMessage("and if it went to my cousin in Canada instead?")]).tool_calls
    assert (again["name"], again["args"]) == ("quote_shipping", {"weight_kg": 2.0, "destination": "Canada"})


@pytest.mark.parametrize(("status", "said"), [
    ("in_transit", "is in transit: it is already on its way back to us"),
    ("received", "was received: it has already reached us"),
])
def test_a_return_that_can_no_longer_be_withdrawn_says_its_status(registry, status, said):
    rma = {"rma_number": "RMA-20261113-E9A5C03F", "order_id": "#W3412877", "status": status, "resolution": "refund"}
    first, second = after_read(specialist(registry, "after_sales"), "can you cancel my return on W3412877?", rma)
    assert [c["name"] for c in first.tool_calls] == ["get_rma"]
    assert not second.tool_calls and said in second.text and "can no longer be withdrawn" in second.text


def test_asking_us_to_set_someone_up_with_an_account_is_the_write_not_a_policy_question():
    reply = specialist(load_all(), "backoffice", Role.ADMIN).invoke([HumanMessage(
        "We've got a seasonal hire starting in the Lyon warehouse on Monday, Karim Benali. Could you set him up with "
        "an account?")])
    assert not reply.tool_calls
    assert "create a staff user" in reply.content


TWO_LINES = {"order_id": "#W4621646", "status": "delivered", "status_label": "delivered",
             "items": [{"item_id": "1008292230", "name": "Halo Desk Lamp", "quantity": 1},
                       {"item_id": "2768401027", "name": "Glide Wireless Mouse", "quantity": 1}],
             "payment_history": [{"transaction_type": "payment", "payment_method_id": "credit_card_2705501"}]}


def test_a_reply_narrowing_the_pending_items_proposes_the_smaller_return(registry):
    # Read as a new request (it names the order), the narrowing was lost and the order shown instead.
    model = specialist(registry, "order")
    ask = HumanMessage("I want to return the lamp and the mouse from order #W4621646 to my original card")
    first, proposed = after_read(model, ask.text, TWO_LINES)
    assert proposed.tool_calls[0]["args"]["item_ids"] == ["1008292230", "2768401027"]
    read = ToolMessage(json.dumps(TWO_LINES), tool_call_id=first.tool_calls[0]["id"])
    otherwise = ToolMessage(f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}",
                            tool_call_id=proposed.tool_calls[0]["id"])
    again = model.invoke([ask, first, read, proposed, otherwise, AIMessage("Understood, nothing was changed."),
                          HumanMessage("Order W4621646. Just the lamp, the mouse is staying with me!")])
    assert again.tool_calls[0]["name"] == "return_delivered_order_items"
    assert again.tool_calls[0]["args"]["item_ids"] == ["1008292230"]


def test_a_command_after_a_story_of_defects_records_them(registry):
    # Too few of its words for the whole to read clearly, it read the inspection instead of logging the defects.
    model = specialist(registry, "quality", Role.WAREHOUSE)
    reply = model.invoke([HumanMessage("doing the Halo lamp check QI-DEMO0002, found 2 more units where the dimmer "
                                       "doesn't respond at all. can you log them")])
    assert not reply.tool_calls
    assert "record a defect" in reply.text and "severity" in reply.text


ALERTS = {"alerts": [{"id": 1, "severity": "warning", "status": "open", "agent": "transport", "source": "monitor",
                      "title": "Carrier tracking updates arrive late", "description": ""},
                     {"id": 2, "severity": "info", "status": "acknowledged", "agent": "knowledge", "source": "monitor",
                      "title": "Knowledge index rebuilt overnight", "description": ""}], "total": 2}


def test_asking_whether_anything_is_flagged_lists_and_the_one_about_it_is_closed(registry):
    # The question went to the policy library, and "the one about ..." named no alert.
    model = specialist(registry, "monitoring", Role.ADMIN)
    ask = HumanMessage("Morning. Is anything flashing red on the system side?")
    listing = model.invoke([ask])
    assert [c["name"] for c in listing.tool_calls] == ["list_system_alerts"]
    conversation = [ask, listing, ToolMessage(json.dumps(ALERTS), tool_call_id=listing.tool_calls[0]["id"],
                                              name="list_system_alerts"),
                    AIMessage("I found 2 alerts."),
                    HumanMessage("Right, the one about carrier tracking coming in late is sorted: DPD had the wrong "
                                 "webhook address and fixed it. Close it off please.")]
    call = alert_call(model, conversation)
    assert (call["name"], call["args"]["alert_id"]) == ("resolve_system_alert", 1)


def alert_call(model, conversation: list) -> dict:
    """The call the model makes about the alert the last message names, the alerts listed again if it lists them
    to pick one."""
    reply = model.invoke(conversation)
    if reply.tool_calls and reply.tool_calls[0]["name"] == "list_system_alerts":
        reply = model.invoke([*conversation, reply, ToolMessage(json.dumps(ALERTS), name="list_system_alerts",
                                                                tool_call_id=reply.tool_calls[0]["id"])])
    return reply.tool_calls[0]


@pytest.mark.parametrize("said", [
    # A time of day is no alert's number.
    "ok the one about carrier tracking arriving late: Colissimo confirmed their feed has been back to normal since "
    "8. Close it out with that note.",
    # Said as what may be done to it, the job is the lead's; the words after the colon are the note.
    "The carrier tracking delay one can be closed: DPD pushed a fix to their webhook this morning.",
])
def test_the_alert_named_by_what_it_is_about_is_closed(registry, said):
    model = specialist(registry, "monitoring", Role.SUPPORT)
    ask = HumanMessage("anything open on the system side?")
    listing = model.invoke([ask])
    conversation = [ask, listing, ToolMessage(json.dumps(ALERTS), tool_call_id=listing.tool_calls[0]["id"],
                                              name="list_system_alerts"),
                    AIMessage("I found 2 alerts."), HumanMessage(said)]
    call = alert_call(model, conversation)
    assert (call["name"], call["args"]["alert_id"]) == ("resolve_system_alert", 1)


def test_a_label_before_a_question_holds_no_number(registry):
    # "quick one" gave a gift card with a balance of 1 to save, put to the customer for a yes.
    ask = HumanMessage("quick one - how much money is left on my gift card?")
    reply = specialist(registry, "payment").invoke([ask])
    assert [c["name"] for c in reply.tool_calls] == ["list_payment_methods"]


ORDERS = {"orders": [{"order_id": "#W7322201", "status": "pending", "item_names": ["Tenkey Pro TKL Keyboard"]},
                     {"order_id": "#W4828173", "status": "delivered", "item_names": ["Daypack 24L", "Boom Cube"]}],
          "total": 2}


def test_an_answer_with_a_question_added_goes_on_with_what_was_asked_for(registry):
    # "could you also tell me the VAT?" made the answer a request of its own: the invoice was looked up, not issued.
    model = specialist(registry, "documents")
    ask = HumanMessage("hello, I need a proper invoice for one of my orders, it's for my company's expense claims")
    listing = model.invoke([ask])
    assert [c["name"] for c in listing.tool_calls] == ["list_orders"]
    conversation = [ask, listing, ToolMessage(json.dumps(ORDERS), tool_call_id=listing.tool_calls[0]["id"],
                                              name="list_orders")]
    question = model.invoke(conversation)
    assert "order" in question.text and question.text.endswith("?")
    reply = model.invoke([*conversation, question, HumanMessage(
        "#W4828173, the one with the daypack. could you also tell me how much VAT was on it?")])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("issue_invoice", {"order_id": "#W4828173"})]


def test_a_correction_putting_right_part_of_a_value_changes_that_value_whole(registry):
    model = specialist(registry, "customer")
    history, pending = asked_to_confirm(model, "please change my email to camille.young@brightdesk.fr")
    again = model.invoke([*history, HumanMessage("ugh sorry, typo on my end, it's brightdesk.com not .fr")])
    assert again.tool_calls[0]["args"] == {**pending["args"], "email": "camille.young@brightdesk.com"}


def test_switching_a_field_to_a_new_value_is_the_change_not_a_look_up(registry):
    # The new email read like finding an account by its email.
    [call] = specialist(registry, "customer").invoke([HumanMessage(
        "Hi, I'd like to switch the email on my account to my new work one: camille.young@brightdesk.fr")]).tool_calls
    assert (call["name"], call["args"]) == ("update_customer", {"email": "camille.young@brightdesk.fr"})


def test_asking_whether_some_of_a_listed_order_may_go_back_goes_on_to_the_return(registry):
    model = specialist(registry, "after_sales")
    rows = [{"order_id": "#W6120723", "status": "delivered", "item_names": ["Boom Cube Bluetooth Speaker (blue)"]},
            {"order_id": "#W6678412", "status": "pending", "item_names": ["Soy Candle (sea salt, small)"]}]
    conversation = listed(model, [HumanMessage("I got three of the boom cube speakers thinking each of the kids "
                                               "would want one, turns out they share. can the other two go back?")],
                          rows)
    [call] = model.invoke(conversation).tool_calls
    assert call["args"].get("order_id") == "#W6120723"


CAMILLE = {"email": "camille.young@brightdesk.fr"}


@pytest.mark.parametrize(("old", "said", "new"), [
    (CAMILLE, "it's brightdesk.com not .fr", {"email": "camille.young@brightdesk.com"}),
    (CAMILLE, "sorry, .com not .fr", {"email": "camille.young@brightdesk.com"}),
    # A whole value named with the one it replaces is the whole value, without the comma after it.
    ({"condition": "opened"}, "Put it down as damaged, not opened.", {"condition": "damaged"}),
    (CAMILLE, "not the red one", {}),  # control: nothing of the call's named
])
def test_a_part_of_a_value_put_right(registry, old, said, new):
    tool = view(as_langchain_tool(registry.get("update_customer" if "email" in old else "receive_return")))
    assert part_swapped(tool, old, said) == new


MICS = [{"order_id": f"#W100000{n}", "status": "pending", "item_names": ["Soy Candle (vanilla, large)"]}
        for n in range(5)]
MICS += [{"order_id": "#W2362044", "status": "processed", "item_names": ["Cast USB Microphone (white, multi)"]},
         {"order_id": "#W9203750", "status": "delivered", "item_names": ["Cast USB Microphone (black, cardioid)"]},
         {"order_id": "#W1800967", "status": "delivered", "item_names": ["Merino Socks (39-42, mustard)"]}]
PODCAST = HumanMessage("I bought two of the USB mics for a podcast and my flatmate is not a podcast person after all. "
                       "can one of them go back?")


def test_the_records_a_question_offers_are_first_those_the_request_points_to(registry):
    # Eight orders listed, the question named the five newest: none held the mics, nor had been delivered.
    model = specialist(registry, "after_sales")
    rows = [*MICS, {"order_id": "#W9641363", "status": "delivered", "item_names": ["Cast USB Microphone (black)"]}]
    question = model.invoke(listed(model, [PODCAST], rows)).text
    assert "(yours: #W9203750 (delivered" in question and "#W9641363 (delivered" in question
    assert question.index("#W2362044") < question.index("#W1000000")


def test_the_one_record_in_the_state_a_write_names_is_the_one_it_acts_on(registry):
    # Of the orders holding a mic, one was delivered: a return is for items of a delivered order.
    model = specialist(registry, "after_sales")
    [call] = model.invoke(listed(model, [PODCAST], MICS)).tool_calls
    assert (call["name"], call["args"]) == ("get_return_eligibility", {"order_id": "#W9203750"})
    # An order held for fraud review is the one a release acts on, whatever word of the story shares a stem with
    # another order's state ("billing and delivery don't match").
    model = specialist(registry, "fraud", Role.SUPPORT)
    rows = [{"order_id": "#W9021036", "status": "on_hold", "item_names": ["Lowline Wireless Keyboard"]},
            {"order_id": "#W3827799", "status": "delivered", "item_names": ["Glide Wireless Mouse"]}]
    ask = HumanMessage("Just had Tom Miller on the phone. The order we're holding for him is genuine: he moved flats, "
                       "which is why billing and delivery don't match. Can you let it go through?")
    [call] = model.invoke(listed(model, [ask], rows)).tool_calls
    assert (call["name"], call["args"]["order_id"]) == ("release_held_order", "#W9021036")


def test_a_write_asked_for_no_record_in_particular_asks_which_one(registry):
    # "I want to return something" went on with the one delivered order, as if it had been named.
    model = specialist(registry, "order")
    rows = [{"order_id": "#W4621646", "status": "delivered", "item_names": ["Trail 2 Tent (2-person, green)"]},
            {"order_id": "#W3910019", "status": "pending", "item_names": ["Insulated Water Bottle"]}]
    reply = model.invoke(listed(model, [HumanMessage("I want to return something")], rows))
    assert not reply.tool_calls and "#W4621646" in reply.text and "#W3910019" in reply.text
