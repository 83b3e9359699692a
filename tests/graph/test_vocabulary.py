"""The names the shop's records go by, read from its database for the router, and what the router makes of them."""

from datetime import date

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import StructuredTool

from agents.roster import ROSTER
from db.enums import Role
from graph import vocabulary
from graph.models.local import LocalChatModel
from graph.models.local.similarity import bought, unnamed
from graph.models.local.toolview import view
from graph.tools import handoff_tool
from tests.tools.product_helpers import category, run, tshirt
from tools.registry import load_all


@pytest.fixture(scope="module")
def registry():
    return load_all()


async def test_the_catalogue_lends_its_visible_names_and_a_new_product_is_read_after_the_refresh(
    sessions, registry, merchant, monkeypatch
):
    shirts = await category(sessions, "Apparel")
    await tshirt(sessions, shirts.id, name="Harbour Tee")
    names = await vocabulary.vocabularies(registry, sessions)
    assert {"Harbour Tee", "Cotton Co", "Apparel"} <= set(names["search_products"])
    assert set(names) == {spec.name for spec in registry.all() if spec.vocabulary}
    # The stock writes that take an item by its product's name know the products' names, not brands or categories.
    assert "Harbour Tee" in names["transfer_stock"] and "Apparel" not in names["transfer_stock"]
    scarf = {"name": "Wool Scarf", "brand": "Knitwit", "category": "apparel",
             "variants": [{"sku": "SC-GREY", "options": {"color": "grey"}, "price": 29}]}
    created = await run(sessions, merchant, "create_product", scarf)
    assert "Wool Scarf" not in (await vocabulary.vocabularies(registry, sessions))["search_products"]  # cached
    monkeypatch.setattr(vocabulary, "REFRESH_SECONDS", 0.0)
    assert "Wool Scarf" in (await vocabulary.vocabularies(registry, sessions))["search_products"]
    await run(sessions, merchant, "archive_product", {"product_id": created.product_id})
    assert "Wool Scarf" not in (await vocabulary.vocabularies(registry, sessions))["search_products"]


def router(registry, names: tuple[str, ...] = (), role: Role = Role.CUSTOMER):
    """The router with every tool that declares a vocabulary knowing these names, as `vocabularies` reads them."""
    vocabularies = {spec.name: names for spec in registry.all() if spec.vocabulary}
    tools = [handoff_tool(spec, role, registry, vocabularies) for spec in ROSTER if spec.available_to(role, registry)]
    return LocalChatModel(today=date(2026, 3, 18)).bind_tools(tools)


@pytest.mark.parametrize("text", [
    "does the camping stove run on gas?",
    "Which scents are available for the soy candle?",
    "need an arm that holds two monitors",
])
def test_a_request_naming_what_the_catalogue_holds_reaches_it(registry, text):
    catalogue = ("Micro Camp Stove", "Soy Candle", "Monitor Arm", "Northtrail", "Outdoor")
    # The examples alone do not place it (a question may still be put to the policy library).
    unnamed = router(registry).invoke([HumanMessage(text)]).tool_calls
    assert "transfer_to_product" not in [c["name"] for c in unnamed]
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_product"]


@pytest.mark.parametrize(("text", "agent"), [
    ("I want to change my home address", "customer"),  # "Home" is a category, and a word the registry uses
    ("where is my parcel", "transport"),
    ("tell me a joke", None),
    ("who won the world cup", None),
])
def test_names_the_registry_uses_or_that_name_nothing_change_nothing(registry, text, agent):
    catalogue = ("Micro Camp Stove", "Home", "Embroidered Cap", "Monitor Arm")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ([f"transfer_to_{agent}"] if agent else [])


@pytest.mark.parametrize("text", ["has my desk lamp shipped yet?", "why hasn't my mouse shipped yet?"])
def test_a_product_the_speaker_calls_theirs_is_their_order(registry, text):
    # Examples about stock and returns name a lamp too; "my desk lamp" is a thing bought, asked about as an order.
    catalogue = ("Halo Desk Lamp", "Glide Wireless Mouse", "Lumen", "Desk Gear")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order"]


@pytest.mark.parametrize(("text", "agent"), [
    ("I got the wrong colour speaker", "after_sales"),
    ("I bought the wrong size hoodie, can I change it", "order"),
])
def test_a_product_the_speaker_got_is_what_their_order_brought(registry, text, agent):
    # The catalogue's speaker and hoodie would draw these to the catalogue: they are about what an order brought.
    catalogue = ("Boom Cube Bluetooth Speaker", "Keycap Hoodie", "Loudhouse", "Apparel")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == [f"transfer_to_{agent}"]


@pytest.mark.parametrize("text", ["why was my mug return turned down?", "any news on my keyboard warranty claim?",
                                  "I'd like to call off the return for the t-shirt, I'll keep it",
                                  "I don't want to send the stuff back from #W8646154 anymore"])
def test_a_record_of_the_speakers_product_is_that_record(registry, text):
    # "my mug return" is the return of a mug: the record the speaker calls theirs is the return, not the order.
    catalogue = ("Stoneware Mug", "Clacky 87 Mechanical Keyboard", "Shopcrew Logo T-Shirt", "Hearth")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_after_sales"]


def test_a_question_of_few_words_after_a_story_leans_on_the_story(registry):
    catalogue = ("Self-Watering Planter", "Hearth")
    reply = router(registry, catalogue).invoke([HumanMessage(
        "i always forget to water my plants lol, anything that helps?")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_product"]


@pytest.mark.parametrize(("role", "text", "agent"), [
    (Role.WAREHOUSE, "the carrier has just collected the parcel for W2741705", "warehouse"),
    (Role.MERCHANT, "we won't be selling the embroidered cap any more", "product"),
    # Ordering some other time is buying: no order of the speaker's to look at.
    (Role.CUSTOMER, "I've got a new bank card and I'd like to save it on my account so it's there next time I order "
                    "something", "payment"),
])
def test_everyday_wordings_read_as_the_registrys_own(registry, role, text, agent):
    catalogue = ("Stoneware Mug", "Embroidered Cap", "Hearth")
    reply = router(registry, catalogue, role).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == [f"transfer_to_{agent}"]


@pytest.mark.parametrize(("text", "agent"), [
    ("why is the order with the camp stove held up?", "order"),
    ("what's happening with the return of the laptop stand and the other things?", "after_sales"),
])
def test_a_record_named_beside_a_product_goes_to_the_specialist_acting_on_it(registry, text, agent):
    # Worded unlike any example, the product's name alone would send these to the catalogue.
    catalogue = ("Micro Camp Stove", "Aluminium Laptop Stand", "Hearth")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == [f"transfer_to_{agent}"]


@pytest.mark.parametrize(("text", "agent"), [
    ("any news on the mug I sent back?", "after_sales"),
    ("is the candle I ordered on its way?", "order"),
    # One return of three things, not a tent to look up as well.
    ("the tent, hoodie and arm I sent back, have you got them yet?", "after_sales"),
    # Said the other way round, and with the object between the verb and "back".
    ("I posted the two chipped mugs back to you a while ago, did they actually arrive? still waiting on my money",
     "after_sales"),
    ("I sent the mugs back a while ago, did they arrive?", "after_sales"),
    # The products listed after the first are the same return's, not things to look up in the catalogue.
    ("I've been waiting in all day for the mugs, when are they coming?", "order"),
    ("a while ago I sent back the chipped mugs, the red hoodie and the monitor arm. have you got them yet?",
     "after_sales"),
])
def test_a_product_named_by_what_the_speaker_did_with_it_is_that_record(registry, text, agent):
    catalogue = ("Stoneware Mug", "Soy Candle", "Trail 2 Tent", "Keycap Hoodie", "Monitor Arm", "Hearth")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == [f"transfer_to_{agent}"]


def test_what_a_product_is_for_is_no_purchase():
    catalogue = ("Coiled USB-C Cable", "Clacky 87 Mechanical Keyboard", "Self-Watering Planter", "Home")
    heads = [StructuredTool.from_function(func=lambda: "", name="search_products", description="Search.",
                                          metadata={"vocabulary": list(catalogue)})]
    for text in ["usb c cable for my keyboard?", "i always forget to water my plants", "change my home address"]:
        assert bought(text, [view(t) for t in heads]) == text
    assert bought("my keybaord has a dead key", [view(t) for t in heads]) == "my order has a dead key"
    # What the speaker got is what their order brought, named before the verb too.
    assert bought("the keyboard I got last week has a sticky spacebar", [view(t) for t in heads]) == (
        "my order last week has a sticky spacebar")


@pytest.mark.parametrize(("text", "read"), [
    ("I want to return the water bottle from order #W2611340", "I want to return the thing from order #W2611340"),
    ("exchange the t-shirt from order #W2611340 for size L", "exchange the thing from order #W2611340 for size L"),
    ("is the green 1l water bottle in stock?", "is the thing in stock?"),
    ("got any earbuds?", "got any thing?"),
    # A head word used otherwise, with nothing opening a product's mention, stays.
    ("set the refund approval threshold to 300", "set the refund approval threshold to 300"),
    ("my home address changed", "my home address changed"),
])
def test_the_catalogues_products_in_other_specialists_examples_read_as_a_thing(text, read):
    catalogue = ("Insulated Water Bottle", "Shopcrew Logo T-Shirt", "Pocket Pods Earbuds", "PBT Keycap Set", "Home")
    assert unnamed(text, catalogue) == read


@pytest.mark.parametrize("text", ["the 1l water bottle in green, whats the price",
                                  "is there a pink mouse for left handers, and what does it cost?"])
def test_a_product_another_specialists_example_names_is_still_the_catalogues(registry, text):
    # The order specialist's example returns "the water bottle", the stock specialist's asks about "the white mouse".
    catalogue = ("Insulated Water Bottle", "Glide Wireless Mouse", "Lumen", "Home")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_product"]


def test_an_order_named_by_its_number_beside_a_product_goes_to_the_orders_specialist(registry):
    # Worded unlike any example, the socks would send it to the catalogue, which takes no order number.
    catalogue = ("Merino Socks", "Threadline", "Apparel")
    text = "the socks in W7137149 will be too small for me, I need the 43-46 size, still grey."
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order"]


@pytest.mark.parametrize(("role", "text", "agent"), [
    # The stock writes take an item by its product's name too: the name alone no longer pulls to the catalogue.
    (Role.WAREHOUSE, "write off 3 of the vanilla soy candles in Lyon, the box got crushed", "inventory"),
    (Role.WAREHOUSE, "start reordering the gas camp stove in Berlin when it drops to 8", "inventory"),
    # A customer's question about a product is still the catalogue's: customers have no stock writes.
    (Role.CUSTOMER, "does the camping stove run on gas?", "product"),
    # "the Berlin warehouse" names where the stock is, in a word the stock's own requests use.
    (Role.WAREHOUSE, "how many soy candles are left in the Berlin warehouse?", "inventory"),
    # A product named before a record's noun says which record: "the kettle order" is an order.
    (Role.SUPPORT, "is ava's kettle order on its way yet?", "order"),
])
def test_a_product_named_in_words_goes_where_the_rest_of_the_request_points(registry, role, text, agent):
    catalogue = ("Micro Camp Stove", "Soy Candle", "Pour-Over Kettle")
    reply = router(registry, catalogue, role).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == [f"transfer_to_{agent}"]


def test_a_record_named_on_an_order_goes_to_whoever_holds_that_record(registry):
    # "claim" is only the after-sales specialist's word: neither the order number nor the product's name ("lamp")
    # pulls the request elsewhere.
    shop = router(registry, ("Halo Desk Lamp", "Lumen", "Desk Gear"), Role.SUPPORT)
    reply = shop.invoke([HumanMessage("the lamp claim on W3321921 checks out, go ahead and accept it")])
    assert reply.tool_calls[0]["name"] == "transfer_to_after_sales"


def test_a_statement_before_the_request_is_not_the_job(registry):
    # "work is paying me back..." opens with its subject, not a verb: the question after it says whose job it is.
    catalogue = ("Ergo Split 60 Keyboard", "Deskforge", "Keyboards")
    text = "work is paying me back for the two split keyboards, can I get a proper invoice for that order?"
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_documents"]


@pytest.mark.parametrize(("text", "read"), [
    # The products an order holds, listed, only say which of the speaker's orders.
    ("some feedback on the order with the sand earbuds, the usb cable and the socks: it came late",
     "some feedback on my order: it came late"),
    ("why is the order with the camp stove and the mug held up?", "why is my order held up?"),
    ("what's happening with my claim for the socks?", "what's happening with my claim?"),
    ("I need an invoice for my camp stove please", "I need an invoice please"),
    # What the speaker waits for is what their order brings.
    ("the socks still haven't turned up, where are they?", "my order still haven't turned up, where are they?"),
    ("the usb cable that's coming is the wrong length", "my order that's coming is the wrong length"),
    # Stock that arrived is no order of the speaker's (staff speak so of deliveries).
    ("the socks that arrived this morning are torn", "the socks that arrived this morning are torn"),
    # Products in brackets only say what the record holds; other asides stay.
    ("picked everything for W8438389 (2 grey socks, the mug and the camp stove). box it up",
     "picked everything for W8438389. box it up"),
    ("pack W8438389 (the blue box) now", "pack W8438389 (the blue box) now"),
    # What the speaker waits for is their order, unless it is awaited in stock or from someone else.
    ("stuck at home all morning for the usb cable, is it coming today?",
     "stuck at home all morning for the order, is it coming today?"),
    ("waiting for the socks to come back in stock", "waiting for the socks to come back in stock"),
    ("still waiting for the camp stove from the supplier", "still waiting for the camp stove from the supplier"),
    # A list after a product the speaker returned is that return's too, "two of the ..." of it as well.
    ("I returned the sand earbuds, the usb cable and the socks last week", "I returned the sand return last week"),
    ("I ordered a grey mug and two of the usb cables in november, where are they?",
     "I ordered a grey order in november, where are they?"),
    # A sentence may leave out who bought; someone else's purchase ("from the supplier") stays as said.
    ("camp stove ordered like 10 days ago, still not here. wheres it at",
     "my order like 10 days ago, still not here. wheres it at"),
    ("bought the socks for a hike and the tracking hasn't moved",
     "bought the order for a hike and the tracking hasn't moved"),
    ("Mugs ordered from the supplier are late", "Mugs ordered from the supplier are late"),
    ("did the socks I ordered yesterday go through ok?", "did my order yesterday go through ok?"),
    # A product that is no catalogue's is left as said.
    ("the order with the blue thing, where is it?", "the order with the blue thing, where is it?"),
])
def test_products_that_only_say_which_order_read_as_that_order(registry, text, read):
    catalogue = ("Pocket Pods Earbuds", "Coiled USB-C Cable", "Merino Socks", "Micro Camp Stove", "Stoneware Mug")
    tools = [view(t) for t in router(registry, catalogue).bound_tools]
    assert bought(text, tools) == read


def test_feedback_on_an_order_named_by_its_products_goes_to_after_sales(registry):
    catalogue = ("Pocket Pods Earbuds", "Coiled USB-C Cable", "Merino Socks", "Hearth")
    text = ("some feedback on the order with the sand earbuds, the usb cable and the socks: it turned up a couple of "
            "days later than I hoped but everything works fine. I'd give it 4 out of 5")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_after_sales"]


@pytest.mark.parametrize("text", [
    "the candle still hasn't turned up, where is it?", "the t-shirt still hasn't shown up",
    "the hoodie that's coming is going to be too big, is there anything I can do?"])
def test_a_product_the_speaker_waits_for_is_their_order(registry, text):
    catalogue = ("Soy Candle", "Shopcrew Logo T-Shirt", "Keycap Hoodie", "Hearth")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_order"]


@pytest.mark.parametrize("text", ["why is my order held up?", "why is the order with the camp stove held up?"])
def test_a_customers_question_about_their_own_order_goes_to_who_can_read_it(registry, text):
    # Holds are the fraud team's work, which a customer cannot use; the orders specialist can say why it waits (with
    # this catalogue the orders specialist reads best already: a control for the product's words).
    catalogue = ("Micro Camp Stove", "Hearth")
    reply = router(registry, catalogue).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls][:1] == ["transfer_to_order"]



def test_an_order_named_with_its_products_in_brackets_goes_to_who_acts_on_the_order(registry):
    catalogue = ("Wool Felt Desk Mat", "Glide Wireless Mouse", "Micro Camp Stove", "Hearth")
    text = ("picked everything for W8438389 here in Berlin (2 grey felt mats, the white mouse and the camp stove). box "
            "it up so it makes the afternoon pickup")
    reply = router(registry, catalogue, Role.WAREHOUSE).invoke([HumanMessage(text)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_warehouse"]


@pytest.mark.parametrize(("text", "read"), [
    ("I got two of the split keyboards but only need one", "I got two of the split order but only need one"),
    ("we bought both of the trail tents for the trip", "we bought both of the trail order for the trip"),
])
def test_what_the_speaker_got_some_of_is_what_their_order_brought(registry, text, read):
    # "two of the ..." says how many came: the keyboards are the speaker's order, not the catalogue's.
    catalogue = ("Ergo Split 60 Keyboard", "Trail 2 Tent", "Deskforge", "Keyboards")
    tools = [view(handoff_tool(spec, Role.CUSTOMER, registry, {s.name: catalogue for s in registry.all()
                                                                 if s.vocabulary})) for spec in ROSTER]
    assert bought(text, tools) == read
