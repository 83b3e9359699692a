"""The router sends a follow-up back to the specialist that acted last: a reply given in place of a yes, a
correction, and "the second one" / "approve it" about what that specialist showed."""

import asyncio
from datetime import date

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agents.roster import ROSTER
from db.enums import Role
from graph.confirm import ANSWERED_OTHERWISE
from graph.models.local import LocalChatModel
from graph.router import Handoffs, certain_agent, choose_agents, pointed_past
from tools.registry import load_all

NAMES = {"order", "inventory", "payment", "customer", "backoffice"}


def acted(agent: str, result: str) -> list:
    """A turn in which `agent` called a tool and answered."""
    call = AIMessage("", tool_calls=[{"name": "some_tool", "args": {}, "id": "c1"}], name=agent)
    return [HumanMessage("first request"), call, ToolMessage(result, tool_call_id="c1"), AIMessage("Done.", name=agent)]


def test_a_reply_in_place_of_yes_goes_back_to_the_specialist_that_asked():
    history = acted("inventory", f"User rejected the tool call with reason: {ANSWERED_OTHERWISE}")
    assert certain_agent([*history, HumanMessage("8")], NAMES) == "inventory"


def test_a_reference_to_what_was_shown_goes_back_to_the_specialist_that_showed_it():
    history = acted("order", '{"orders": []}')
    assert certain_agent([*history, HumanMessage("what's in the third one?")], NAMES) == "order"
    assert certain_agent([*history, HumanMessage("put it on hold, the card looks suspicious")], NAMES) == "order"


def test_a_new_request_after_an_answer_is_left_to_the_model():
    history = acted("order", '{"orders": []}')
    assert certain_agent([*history, HumanMessage("this is useless, escalate")], NAMES) is None
    assert certain_agent([*history, HumanMessage("show my payment methods")], NAMES) is None


def test_one_record_picked_from_a_listing_by_its_id_goes_back_to_whoever_listed_it():
    call = AIMessage("", tool_calls=[{"name": "list_shipments", "args": {}, "id": "c1"}], name="transport")
    history = [HumanMessage("where on earth is my parcel??"), call, ToolMessage('{"shipments": []}', tool_call_id="c1"),
               AIMessage("I found 2 shipments:\n- #W4142827 (status packed)\n- #W6316590 (status in transit)",
                         name="transport")]
    names = NAMES | {"transport"}
    assert certain_agent([*history, HumanMessage("#W6316590, the one with the dac")], names) == "transport"
    # An id the listing did not show, or one named without picking, is a request of its own.
    assert certain_agent([*history, HumanMessage("#W1111111, the one with the dac")], names) is None
    assert certain_agent([*history, HumanMessage("cancel #W6316590")], names) is None
    # Saying which record was meant picks it too.
    assert certain_agent([*history, HumanMessage("it's the parcel for order W6316590")], names) == "transport"
    assert certain_agent([*history, HumanMessage("it's the parcel for order W1111111")], names) is None


def test_a_follow_up_naming_another_value_goes_back_to_the_specialist_that_acted():
    history = acted("inventory", '{"warehouse": "LYS-1"}')
    for follow_up in ("and Berlin?", "what about W7749532?", "same for the blue one",
                      "she's got another one inspected, the hoodie from #W3746945. same again please",
                      "and if it went to my cousin in Canada instead?"):
        assert certain_agent([*history, HumanMessage(follow_up)], NAMES) == "inventory"
    # A thing of its own, a question or a request after the opening is a new request.
    for request in ("and the refund?", "and where is my refund?", "and cancel W7749532", "and thanks!"):
        assert certain_agent([*history, HumanMessage(request)], NAMES) is None


def test_a_follow_up_pointing_at_a_record_the_last_specialist_does_not_act_on_is_routed_afresh():
    registry = load_all()
    # The order specialist acts on orders and items; a return is after-sales' and an invoice the documents'.
    for request in ("I'd rather keep them after all, can you cancel that return?", "send me that invoice"):
        assert pointed_past(request, "order", ROSTER, Role.CUSTOMER, registry)
    for request in ("cancel that order", "approve it", "what's in that one?"):
        assert not pointed_past(request, "order", ROSTER, Role.CUSTOMER, registry)
    # Only the clause that asks points: a remark's "that delivery" is no event delivery of monitoring's.
    assert not pointed_past("fair enough, that delivery really was late. approve it", "backoffice", ROSTER,
                            Role.MERCHANT, registry)
    # What goes with the action is not what it acts on: "that note" is what was said, no credit note.
    assert not pointed_past("Colissimo confirmed it. Close it out with that note.", "monitoring", ROSTER, Role.SUPPORT,
                            registry)
    assert pointed_past("can you void that note?", "monitoring", ROSTER, Role.SUPPORT, registry)


def test_the_one_named_by_what_it_is_about_goes_back_to_whoever_listed_it():
    # "the gift-wrap one" named no record the router knew: the reply's words drew the customer specialist.
    history = acted("marketplace", '{"messages": []}')
    names = NAMES | {"marketplace"}
    ask = "answer the gift-wrap one: sorry, we don't do gift wrapping, but we'll tuck a card in the box"
    assert certain_agent([*history, HumanMessage(ask)], names) == "marketplace"


def test_a_message_read_as_nothing_that_names_the_record_just_shown_goes_on_with_whoever_showed_it():
    registry = load_all()
    handoffs = Handoffs(LocalChatModel(today=date(2026, 12, 5)), list(ROSTER), registry)
    call = AIMessage("", tool_calls=[{"name": "get_inspection", "args": {}, "id": "c1"}], name="quality")
    history = [HumanMessage("found a couple more with a loose hinge, pop that on the inspection i've got running"),
               call, ToolMessage('{"inspection_id": "QI-DEMO0002"}', tool_call_id="c1"),
               AIMessage("Inspection QI-DEMO0002 of Halo Desk Lamp is in progress.", name="quality")]

    def routed(text: str):
        return asyncio.run(choose_agents(handoffs, [*history, HumanMessage(text)], Role.WAREHOUSE))

    assert routed("QI-DEMO0002. two lamps, i'd call it minor").agents == ["quality"]
    # A record the reply did not show leaves the message to the model, which finds nothing it fits.
    assert routed("QI-DEMO0009. two lamps, i'd call it minor").agents == []
